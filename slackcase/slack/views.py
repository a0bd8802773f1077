"""Pure Block Kit builders for modals and App Home (slack_sdk models, no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DateTimePickerElement,
    DividerBlock,
    EmailInputElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from slackcase.config import Settings
from slackcase.core.domain import Submission
from slackcase.kore.models import Case
from slackcase.slack import ids
from slackcase.slack.forms import INPUT_MAX, TITLE_MAX, EditMetadata, ModalMetadata
from slackcase.slack.text import (
    ERROR_SHOWN,
    NAME_SHOWN,
    REF_SHOWN,
    TITLE_SHOWN,
    clip,
    clip_escaped,
    slack_date,
)


def _modal(callback_id: str, title: str, blocks: list, meta: ModalMetadata | None = None,
           submit: str | None = None, close: str = "Close") -> View:
    return View(
        type="modal",
        callback_id=callback_id,
        title=PlainTextObject(text=clip(title, 24)),
        submit=PlainTextObject(text=submit) if submit else None,
        close=PlainTextObject(text=close),
        private_metadata=meta.dump() if meta else None,
        blocks=blocks,
    )


def case_form(
    settings: Settings,
    meta: ModalMetadata,
    *,
    title: str,
    description: str,
    due: datetime,
    requester: str | None,
    template_id: str | None = None,
    show_contact: bool = False,
    contact_name: str | None = None,
    banner: str | None = None,
    loading_thread: bool = False,
) -> View:
    """The one modal behind /case, the message shortcut and App Home."""
    options = [Option(value=t.id, text=clip(t.name, 75)) for t in settings.kore_case_templates]
    chosen = next((o for o in options if o.value == template_id), options[0])
    blocks: list = []
    if banner:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(banner, 3000))))
    blocks += [
        InputBlock(
            block_id=ids.BLOCK_TEMPLATE,
            label="Case type",
            element=StaticSelectElement(action_id=ids.ACTION_TEMPLATE, options=options,
                                        initial_option=chosen),
        ),
        InputBlock(
            block_id=ids.BLOCK_TITLE,
            label="Title",
            element=PlainTextInputElement(action_id=ids.ACTION_TITLE,
                                          initial_value=clip(title, TITLE_MAX) or None,
                                          max_length=TITLE_MAX,
                                          placeholder="What is wrong, in a few words"),
        ),
        InputBlock(
            block_id=ids.BLOCK_DESCRIPTION_THREAD if meta.filled else ids.BLOCK_DESCRIPTION,
            label="Description",
            optional=True,
            hint="Fetching the whole thread…" if loading_thread else None,
            element=PlainTextInputElement(action_id=ids.ACTION_DESCRIPTION, multiline=True,
                                          initial_value=clip(description, INPUT_MAX) or None,
                                          max_length=INPUT_MAX,
                                          placeholder="Details, steps, links"),
        ),
        InputBlock(
            block_id=ids.BLOCK_DUE,
            label="Due",
            element=DateTimePickerElement(action_id=ids.ACTION_DUE,
                                          initial_date_time=int(due.timestamp())),
        ),
        InputBlock(
            block_id=ids.BLOCK_REQUESTER,
            label="Requester",
            dispatch_action=True,
            hint="Who the case is for. Kore.ai reaches them by the email on their profile.",
            element=UserSelectElement(action_id=ids.ACTION_REQUESTER, initial_user=requester,
                                      placeholder="Pick a person"),
        ),
    ]
    if show_contact:
        who = clip_escaped(contact_name, NAME_SHOWN) if contact_name else "The requester"
        blocks += [
            ContextBlock(elements=[MarkdownTextObject(
                text=f"{who} has no email on their Slack profile. Give Kore.ai a way to "
                     "reach them: an email, a phone, or both.")]),
            InputBlock(block_id=ids.BLOCK_EMAIL, label="Contact email", optional=True,
                       element=EmailInputElement(action_id=ids.ACTION_EMAIL,
                                                 placeholder="name@example.com")),
            InputBlock(block_id=ids.BLOCK_PHONE, label="Contact phone", optional=True,
                       element=PlainTextInputElement(action_id=ids.ACTION_PHONE, max_length=25,
                                                     placeholder="+1 555 0100")),
        ]
    return _modal(ids.VIEW_CASE_FORM, "Create case", blocks, meta, submit="Create case",
                  close="Cancel")


def edit_form(meta: EditMetadata, ref_id: str, *, title: str, description: str) -> View:
    """The Edit form of a filed case: its title and description, as the case has them."""
    blocks: list = [
        ContextBlock(elements=[MarkdownTextObject(
            text=f"Changes go to *{clip_escaped(ref_id, REF_SHOWN)}* in Kore.ai and its card "
                 "is updated.")]),
        InputBlock(block_id=ids.BLOCK_TITLE, label="Title", element=PlainTextInputElement(
            action_id=ids.ACTION_TITLE, initial_value=clip(title, TITLE_MAX) or None,
            max_length=TITLE_MAX)),
        InputBlock(block_id=ids.BLOCK_DESCRIPTION, label="Description",
                   element=PlainTextInputElement(
                       action_id=ids.ACTION_DESCRIPTION, multiline=True,
                       initial_value=clip(description, INPUT_MAX) or None,
                       max_length=INPUT_MAX)),
    ]
    return View(type="modal", callback_id=ids.VIEW_CASE_EDIT,
                title=PlainTextObject(text=clip(f"Edit {ref_id}", 24)),
                submit=PlainTextObject(text="Save"), close=PlainTextObject(text="Cancel"),
                private_metadata=meta.dump(), blocks=blocks)


def progress_view(headline: str, detail: str | None = None) -> dict[str, Any]:
    """The "Creating case…" answer. Plain dicts rather than slack_sdk models: it is built
    inside the 3-second ack of every submission, where serialising models costs ~0.5 ms."""
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {
        "type": "mrkdwn",
        "text": f":hourglass_flowing_sand: *{clip_escaped(headline, TITLE_SHOWN)}*"}}]
    if detail:  # may quote Kore.ai (a rate-limit message): clipped to a context's 2000
        blocks.append({"type": "context",
                       "elements": [{"type": "mrkdwn", "text": clip_escaped(detail, ERROR_SHOWN)}]})
    return {"type": "modal", "callback_id": ids.VIEW_CASE_STATUS,
            "title": {"type": "plain_text", "text": "Create case"},
            "close": {"type": "plain_text", "text": "Close"}, "blocks": blocks}


def failure_banner(message: str, reference: str | None = None, *,
                   uncertain: bool = False) -> str:
    """The warning above a form given back after a failure; `message` may quote Kore.ai.
    `uncertain`: Kore.ai may have the case (its answer was lost), so not "not created"."""
    headline = "The case could not be confirmed." if uncertain else "The case was not created."
    text = f":warning: *{headline}* {clip_escaped(message, ERROR_SHOWN)}"
    if reference:
        text += (f"\nYour input is below: press *Create case* to try again. "
                 f"(Reference `{reference}`)")
    return text


def notice_view(title: str, blocks: list) -> View:
    return _modal(ids.VIEW_CASE_STATUS, title, blocks)


def result_view(case: Case, title: str, assignee: str, where: str | None) -> View:
    lines = [
        f":white_check_mark: *Case {clip_escaped(case.refId, REF_SHOWN)} created*",
        f"*{clip_escaped(title, TITLE_SHOWN)}*",
        f"Status: {clip_escaped(case.status.name, NAME_SHOWN)} · "
        f"Priority: {clip_escaped(case.priority.name, NAME_SHOWN)}",
        f"Assigned to {assignee}",
        f"Due {slack_date(case.due)}",
    ]
    blocks: list = [SectionBlock(text=MarkdownTextObject(text="\n".join(lines)))]
    if where:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=where)]))
    return _modal(ids.VIEW_CASE_STATUS, f"Case {case.refId}", blocks, close="Done")


def case_exists_view(existing: Submission, assignee: str, meta: ModalMetadata) -> View:
    case = existing.case
    if case:
        text = (f"This thread already has case *{clip_escaped(case.refId, REF_SHOWN)}*: "
                f"{clip_escaped(existing.draft.title, TITLE_SHOWN)}\n"
                f"Status: {clip_escaped(case.status.name, NAME_SHOWN)} · Assigned to {assignee}")
    else:
        text = (f"A case for this thread is being created right now "
                f"(*{clip_escaped(existing.draft.title, TITLE_SHOWN)}*, "
                f"filed by <@{existing.origin.user_id}>)."
                " It will be posted in the thread.")
    blocks: list = [SectionBlock(text=MarkdownTextObject(text=text))]
    if existing.card_link:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=f"<{existing.card_link}|See the case in the thread>")]))
    buttons = [ButtonElement(action_id=ids.ACTION_CREATE_ANOTHER, text="Create another case",
                             value="another")]
    if case:  # a later message can go into the case's description instead
        buttons.insert(0, ButtonElement(action_id=ids.ACTION_ADD_TO_CASE,
                                        text=clip(f"Add to {case.refId}", 75),
                                        style="primary", value=existing.id))
    blocks += [DividerBlock(), ActionsBlock(elements=buttons)]
    return _modal(ids.VIEW_CASE_EXISTS, "Case already exists", blocks, meta.model_copy(
        update={"another": True}))


def home_view(subs: list[Submission], assignee_of: dict[str, str], user_id: str) -> View:
    blocks: list = [
        HeaderBlock(text="Your cases"),
        ActionsBlock(elements=[ButtonElement(action_id=ids.ACTION_NEW_CASE, text="New case",
                                             style="primary", value="new")]),
        DividerBlock(),
    ]
    if not subs:
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text="No cases yet. Use `/case` in a channel, *Create case* on a message, "
                 "or the button above.")))
    for sub in subs[:30]:
        case = sub.case
        if case is None:
            continue
        role = "requested by you" if sub.draft.requester_id == user_id else \
            f"filed by you for <@{sub.draft.requester_id}>"
        where = ""
        link = sub.card_link
        if link:
            where = f" · <{link}|conversation>"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=(
            f"*{clip_escaped(case.refId, REF_SHOWN)}* {clip_escaped(sub.draft.title, 150)}\n"
            f"{clip_escaped(case.status.name, NAME_SHOWN)} · "
            f"{assignee_of.get(sub.id, 'Unassigned')} · "
            f"due {slack_date(case.due)} · {role}{where}"))))
    return View(type="home", blocks=blocks[:100])
