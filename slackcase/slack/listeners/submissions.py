"""Submitting the case form: validate inline, record durably, ack with "Creating case…"."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slackcase.core.ports import StoreUnavailable, ThreadHasCase
from slackcase.slack import ids, views
from slackcase.slack.forms import ModalMetadata, parse_form
from slackcase.slack.listeners.modal import state_value
from slackcase.slack.services import Services

NOT_SAVED = ("Your case could not be saved: slackcase cannot write to its database right "
             "now. Nothing was sent. Try again in a minute.")

log = logging.getLogger("slackcase.slack.listeners")


def submit_case(services: Services) -> Callable[..., None]:
    def handle(ack: Callable[..., None], body: dict[str, Any]) -> None:
        view = body["view"]
        meta = ModalMetadata.load(view.get("private_metadata"))
        if not meta.user:
            meta.user = body["user"]["id"]
        values = (view.get("state") or {}).get("values") or {}
        requester = state_value(values, ids.BLOCK_REQUESTER, ids.ACTION_REQUESTER,
                                "selected_user") or meta.user
        known = services.directory.cached(requester)
        draft, errors = parse_form(values, meta, services.settings,
                                   requester_has_email=bool(known.email) if known else None)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        assert draft is not None
        origin = meta.origin(view_id=view["id"])
        try:
            sub = None
            if meta.sid:
                sub = services.cases.retry(meta.sid, draft, origin)
            if sub is None:
                sub = services.cases.submit(draft, origin, idem_key=f"{view['id']}:"
                                            f"{view.get('hash', '')}", allow_another=meta.another)
        except StoreUnavailable as exc:
            # Not recorded, so not acked as taken: the modal stays open with what they typed.
            log.error("submission not recorded: %s", exc)
            ack(response_action="errors", errors={ids.BLOCK_TITLE: NOT_SAVED})
            return
        except ThreadHasCase as exc:
            existing = exc.existing
            assignee = services.announcer.assignee(existing.case) if existing.case else ""
            ack(response_action="update", view=views.case_exists_view(existing, assignee, meta))
            return
        ack(response_action="update", view=views.progress_view(
            "Creating case…", f"“{draft.title}” is on its way to Kore.ai. "
            f"Reference {sub.id}. You can close this window."))

    return handle
