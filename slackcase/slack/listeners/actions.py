"""Buttons and selects: change of requester, create another, retry, edit, new case."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackApiError

from slackcase.core.domain import State
from slackcase.core.reconcile import UNCONFIRMED
from slackcase.slack import ids, messages, views
from slackcase.slack.forms import ModalMetadata, default_due
from slackcase.slack.listeners.acking import acked
from slackcase.slack.listeners.modal import fill_form, open_form, state_value
from slackcase.slack.services import Services

log = logging.getLogger("slackcase.slack.listeners")


def requester_changed(services: Services) -> Callable[..., None]:
    """Show or hide the contact inputs depending on the new requester's Slack profile."""

    def work(body: dict[str, Any], respond: Callable[..., Any] | None) -> None:
        view = body["view"]
        meta = ModalMetadata.load(view.get("private_metadata"))
        values = view["state"]["values"]
        requester = state_value(values, ids.BLOCK_REQUESTER, ids.ACTION_REQUESTER,
                                "selected_user") or meta.user
        person = services.directory.person(requester)
        if meta.contact == (not person.email):
            return
        meta.contact = not person.email
        description_block = ids.BLOCK_DESCRIPTION_THREAD if meta.filled else ids.BLOCK_DESCRIPTION
        due = state_value(values, ids.BLOCK_DUE, ids.ACTION_DUE, "selected_date_time")
        template = state_value(values, ids.BLOCK_TEMPLATE, ids.ACTION_TEMPLATE,
                               "selected_option") or {}
        form = views.case_form(
            services.settings, meta,
            title=state_value(values, ids.BLOCK_TITLE, ids.ACTION_TITLE) or "",
            description=state_value(values, description_block, ids.ACTION_DESCRIPTION) or "",
            due=datetime.fromtimestamp(int(due), UTC) if due else default_due(),
            requester=requester, template_id=template.get("value"),
            show_contact=meta.contact, contact_name=person.name)
        try:
            services.client.views_update(view_id=view["id"], hash=view.get("hash"), view=form)
        except SlackApiError as exc:
            log.info("requester refresh skipped: %s", exc.response.get("error"))

    return acked(services, work)


def create_another(services: Services) -> Callable[..., None]:
    def work(body: dict[str, Any], respond: Callable[..., Any] | None) -> None:
        view = body["view"]
        meta = ModalMetadata.load(view.get("private_metadata"))
        meta.another, meta.filled = True, False
        user = body["user"]["id"]
        form = views.case_form(services.settings, meta, title="", description="",
                               due=default_due(), requester=user, loading_thread=True)
        response = services.client.views_update(view_id=view["id"], hash=view.get("hash"),
                                                view=form)
        services.jobs.run(f"fill:{view['id']}", lambda: fill_form(
            services, response["view"], meta, title="", description="", requester=user,
            message={"ts": meta.mts, "user": user, "text": ""}))

    return acked(services, work)


def retry_submission(services: Services) -> Callable[..., None]:
    def work(body: dict[str, Any], respond: Callable[..., Any] | None) -> None:
        assert respond is not None  # messages carry a response_url
        sub_id = body["actions"][0]["value"]
        sub = services.store.get(sub_id)
        if sub is None or sub.origin.user_id != body["user"]["id"]:
            respond(response_type="ephemeral", replace_original=False,
                    text="That case request is not yours to retry.")
            return
        if sub.state is not State.FAILED:
            respond(replace_original=True,
                    text=messages.notice(f"Already on it: “{sub.draft.title}”.").text)
            return
        services.cases.retry(sub_id)
        respond(replace_original=True,
                text=messages.notice(f"Retrying “{sub.draft.title}”…").text)

    return acked(services, work)


def edit_submission(services: Services) -> Callable[..., None]:
    def work(body: dict[str, Any], respond: Callable[..., Any] | None) -> None:
        assert respond is not None  # messages carry a response_url
        sub = services.store.get(body["actions"][0]["value"])
        if sub is None or sub.origin.user_id != body["user"]["id"] or \
                sub.state is not State.FAILED:
            respond(response_type="ephemeral", replace_original=False,
                    text="That case request can no longer be edited.")
            return
        meta = ModalMetadata.from_origin(sub.origin, sid=sub.id, another=sub.allow_another)
        person = services.directory.person(sub.draft.requester_id)
        meta.contact = not person.email
        form = views.case_form(services.settings, meta, title=sub.draft.title,
                               description=sub.draft.description,
                               due=max(sub.draft.due, default_due()),
                               requester=sub.draft.requester_id,
                               template_id=sub.draft.template_id, show_contact=meta.contact,
                               contact_name=person.name,
                               banner=views.failure_banner(
                                   sub.error or "", uncertain=sub.error_kind == UNCONFIRMED))
        services.client.views_open(trigger_id=body["trigger_id"], view=form)

    return acked(services, work)


def new_case_from_home(services: Services) -> Callable[..., None]:
    def work(body: dict[str, Any], respond: Callable[..., Any] | None) -> None:
        user = body["user"]["id"]
        denial = services.access.person_refusal(user)
        if denial:  # App Home has no response_url: say it in a small modal
            services.client.views_open(trigger_id=body["trigger_id"],
                                       view=views.notice_view("Create case", denial.blocks))
            return
        meta = ModalMetadata(src="home", user=user, team=(body.get("team") or {}).get("id"))
        open_form(services, body["trigger_id"], meta)

    return acked(services, work)


def link_clicked(ack: Callable[..., None]) -> None:
    ack()
