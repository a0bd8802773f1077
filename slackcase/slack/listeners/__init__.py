"""Thin listeners in one routing table: ack first, translate, call the core, render."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from slackcase.core.ports import StoreUnavailable
from slackcase.slack import ids
from slackcase.slack.listeners import (
    actions,
    commands,
    edits,
    events,
    shortcuts,
    submissions,
)
from slackcase.slack.services import Services

log = logging.getLogger("slackcase.slack.listeners")


def register(app: App, services: Services) -> None:
    app.use(_DropRetriedEvents(services))
    # Bolt tries listeners in this order and builds every listener argument for each try:
    # submissions, the most frequent request with a deadline that matters, come first.
    app.view_submission(ids.VIEW_CASE_FORM)(submissions.submit_case(services))
    app.view_submission(ids.VIEW_CASE_EDIT)(edits.submit_edit(services))
    app.command(ids.COMMAND)(commands.case_command(services))
    app.shortcut(ids.SHORTCUT_CREATE_CASE)(shortcuts.create_from_message(services))
    app.action(ids.ACTION_REQUESTER)(actions.requester_changed(services))
    app.action(ids.ACTION_CREATE_ANOTHER)(actions.create_another(services))
    app.action(ids.ACTION_RETRY)(actions.retry_submission(services))
    app.action(ids.ACTION_EDIT)(actions.edit_submission(services))
    app.action(ids.ACTION_NEW_CASE)(actions.new_case_from_home(services))
    app.action(ids.ACTION_EDIT_CASE)(edits.edit_case(services))
    app.action(ids.ACTION_ADD_TO_CASE)(edits.add_to_case(services))
    app.action(ids.ACTION_LINK)(actions.link_clicked)
    app.event("app_home_opened")(events.home_opened(services))
    app.event("reaction_added")(events.reaction_added(services))
    app.error(_on_error)


class _DropRetriedEvents(Middleware):
    """Slack redelivers events it thinks were lost; handle each event_id once.

    A Middleware subclass, not a function: Bolt calls it directly instead of building
    every possible listener argument for it on each request.
    """

    def __init__(self, services: Services) -> None:
        self._store = services.store

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse | None:
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        event = req.body.get("event") if isinstance(req.body, dict) else None
        if isinstance(event, dict) and event.get("type") == "reaction_added":
            # Recorded before its ack, so a delivery cut short by a crash must be taken up
            # again when Slack repeats it; its case's thread link keeps it to one case.
            return next()
        try:
            if event_id and not self._store.first_time(f"event:{event_id}", ttl=3600):
                return BoltResponse(status=200, body="")
        except StoreUnavailable as exc:  # handled, maybe twice, rather than refused
            log.warning("event %s not checked for a repeat: %s", event_id, exc)
        return next()


def _on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
    # The ack has normally gone already; never let an exception become a 500 for Slack.
    log.error("listener failed: %s: %s", type(error).__name__, error, exc_info=error)
    return BoltResponse(status=200, body="")
