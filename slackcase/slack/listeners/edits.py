"""Changing a filed case from Slack: the card's Edit button and its form, and "Add to CS…"
on the shortcut's answer in a thread that has a case."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slackcase.core.domain import CaseEdit, new_edit_id
from slackcase.core.ports import StoreUnavailable
from slackcase.slack import ids, messages, views
from slackcase.slack.forms import EditMetadata, ModalMetadata, digest, parse_edit
from slackcase.slack.listeners.acking import acked
from slackcase.slack.services import Services
from slackcase.slack.transcript import render_message

log = logging.getLogger("slackcase.slack.listeners")

NOT_SAVED = ("Your change could not be saved: slackcase cannot write to its database right "
             "now. Nothing was sent. Try again in a minute.")


def edit_case(services: Services) -> Callable[..., None]:
    """The card's Edit button: the form, filled from the case as slackcase last saw it."""

    def work(body: dict[str, Any], respond: Callable[..., Any] | None) -> None:
        user = body["user"]["id"]
        sub = services.store.get(body["actions"][0]["value"])
        denial = services.access.person_refusal(user)
        if denial or sub is None or sub.case is None:
            note = denial or messages.notice("slackcase no longer knows this case.")
            services.client.views_open(trigger_id=body["trigger_id"],
                                       view=views.notice_view("Edit case", note.blocks))
            return
        title = sub.case.name or sub.draft.title
        description = sub.case.desc if sub.case.desc is not None else sub.draft.description
        shown = views.edit_form(EditMetadata(sid=sub.id), sub.case.refId, title=title,
                                description=description)
        # Digests of what the form shows (clipped to Slack's input limits), so a value the
        # person left alone is not sent back cut short.
        inputs = {b["block_id"]: b["element"].get("initial_value") or ""
                  for b in shown.to_dict()["blocks"] if b.get("type") == "input"}
        meta = EditMetadata(sid=sub.id, td=digest(inputs[ids.BLOCK_TITLE]),
                            dd=digest(inputs[ids.BLOCK_DESCRIPTION]))
        form = views.edit_form(meta, sub.case.refId, title=title, description=description)
        services.client.views_open(trigger_id=body["trigger_id"], view=form)

    return acked(services, work)


def submit_edit(services: Services) -> Callable[..., None]:
    def handle(ack: Callable[..., None], body: dict[str, Any]) -> None:
        view = body["view"]
        meta = EditMetadata.load(view.get("private_metadata"))
        changes, errors = parse_edit((view.get("state") or {}).get("values") or {}, meta)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        sub = services.store.get(meta.sid)
        if sub is None or sub.case is None:
            ack(response_action="errors", errors={ids.BLOCK_TITLE: "This case is unknown."})
            return
        if not changes:
            ack(response_action="update", view=views.progress_view(
                f"{sub.case.refId}: nothing changed", "Nothing was sent to Kore.ai."))
            return
        edit = CaseEdit(id=new_edit_id(), idem_key=f"edit:{view['id']}:{view.get('hash', '')}",
                        kind="edit", submission_id=sub.id, case_id=sub.case.id,
                        ref_id=sub.case.refId, user_id=body["user"]["id"], changes=changes,
                        tell={"view_id": view["id"]})
        try:
            services.edits.request(edit)
        except StoreUnavailable as exc:
            log.error("edit not recorded: %s", exc)
            ack(response_action="errors", errors={ids.BLOCK_TITLE: NOT_SAVED})
            return
        ack(response_action="update", view=views.progress_view(
            f"Updating {sub.case.refId}…", "The change is on its way to Kore.ai. You can "
            "close this window: the card is updated when it is done."))

    return handle


def add_to_case(services: Services) -> Callable[..., None]:
    """The message the shortcut was used on goes into the thread's case, once."""

    def work(body: dict[str, Any], respond: Callable[..., Any] | None) -> None:
        view = body["view"]
        meta = ModalMetadata.load(view.get("private_metadata"))
        sub = services.store.get(body["actions"][0]["value"])
        if sub is None or sub.case is None or not meta.ch or not meta.mts:
            _say(services, view, "This case or message is no longer known.")
            return
        message = services.threads.message(meta.ch, meta.th or meta.mts, meta.mts)
        if message is None:
            _say(services, view, "slackcase could not read that message, so nothing was "
                                 "added. Is the bot still in the channel?")
            return
        permalink = services.threads.permalink(meta.ch, meta.mts)
        text = render_message(message, services.directory.name)
        addition = f"Added from Slack:\n{text}" + (f"\n{permalink}" if permalink else "")
        edit = CaseEdit(id=new_edit_id(), idem_key=f"add:{sub.case.id}:{meta.mts}",
                        kind="add", submission_id=sub.id, case_id=sub.case.id,
                        ref_id=sub.case.refId, user_id=body["user"]["id"],
                        changes={"append": addition},
                        tell={"view_id": view["id"], "channel": meta.ch,
                              "thread_ts": meta.th or meta.mts, "author": message.get("user")})
        _, added = services.edits.request(edit)
        _say(services, view, f"Adding the message to {sub.case.refId}…" if added else
             f"This message is already in {sub.case.refId}: it is added once.")

    return acked(services, work)


def _say(services: Services, view: dict[str, Any], text: str) -> None:
    services.client.views_update(view_id=view["id"], view=views.notice_view(
        "Add to case", messages.notice(text).blocks))
