"""Opening and refreshing the case form: open at once, fill in after."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from slackcase.slack import views
from slackcase.slack.forms import ModalMetadata, default_due
from slackcase.slack.services import Services
from slackcase.slack.text import title_from

log = logging.getLogger("slackcase.slack.listeners")


def open_form(services: Services, trigger_id: str, meta: ModalMetadata, *, title: str = "",
              description: str = "", requester: str | None = None,
              message: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """views.open with what is known now; then fill in the thread and contact fields."""
    requester = requester or meta.user
    known = services.directory.cached(requester)
    meta.contact = bool(known and not known.email)
    loading = meta.src == "shortcut" and not meta.filled
    view = views.case_form(services.settings, meta, title=title, description=description,
                           due=default_due(), requester=requester, show_contact=meta.contact,
                           contact_name=known.name if known else None, loading_thread=loading,
                           template_id=services.settings.channel_template(meta.ch))
    response = services.client.views_open(trigger_id=trigger_id, view=view)
    opened = response["view"]
    if loading or known is None:
        services.jobs.run(f"fill:{opened['id']}", lambda: fill_form(
            services, opened, meta, title=title, description=description, requester=requester,
            message=message))
    return opened


def fill_form(services: Services, opened: dict[str, Any], meta: ModalMetadata, *, title: str,
              description: str, requester: str, message: dict[str, Any] | None) -> None:
    """After the modal is open: the whole thread, and contact inputs if Slack has no email."""
    banner = None
    if meta.src == "shortcut" and meta.ch and meta.mts:
        thread = services.threads.read(meta.ch, meta.th or meta.mts, message or {}, meta.mts,
                                       direct=meta.dm)
        description = thread.description
        if not title and thread.root_text:
            title = title_from(thread.root_text)
        banner = f":information_source: {thread.problem}" if thread.problem else None
        meta.filled = True
    person = services.directory.person(requester)
    meta.contact = not person.email
    view = views.case_form(services.settings, meta, title=title, description=description,
                           due=default_due(), requester=requester, show_contact=meta.contact,
                           contact_name=person.name, banner=banner,
                           template_id=services.settings.channel_template(meta.ch))
    try:
        services.client.views_update(view_id=opened["id"], hash=opened.get("hash"), view=view)
    except SlackApiError as exc:
        # hash_conflict: the person moved on (submitted, or the form changed); not_found: closed.
        log.info("form %s not refreshed: %s", opened["id"], exc.response.get("error"))


def state_value(values: dict[str, Any], block: str, action: str, key: str = "value") -> Any:
    return (values.get(block, {}).get(action) or {}).get(key)
