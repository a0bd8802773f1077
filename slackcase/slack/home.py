"""App Home: the person's cases, newest first, and a button for a new one."""

from __future__ import annotations

from slackcase.slack import views
from slackcase.slack.services import Services


def publish_home(services: Services, user_id: str) -> None:
    subs = services.store.for_person(user_id)
    assignees = {s.id: services.announcer.assignee(s.case) for s in subs if s.case}
    services.client.views_publish(user_id=user_id,
                                  view=views.home_view(subs, assignees, user_id))
