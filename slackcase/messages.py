"""Pure Block Kit builders for messages: confirmation card, team notice, updates, failures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from slackcase import ids
from slackcase.kore.models import Case
from slackcase.text import clip, escape, short_date, slack_date


@dataclass(frozen=True)
class Message:
    text: str  # notification / fallback text
    blocks: list[Block]

    def blocks_dict(self) -> list[dict]:
        return [b.to_dict() for b in self.blocks]


def summary_line(case: Case, assignee: str) -> str:
    """`CS000123 · Assigned to John · Due 4 Sep`."""
    return f"{case.refId} · Assigned to {assignee} · Due {short_date(case.due)}"


def assignee_label(case: Case, slack_user: str | None) -> str:
    if slack_user:
        return f"<@{slack_user}>"
    return escape(case.assignee_name) if case.assignee_name else "nobody yet"


def confirmation(case: Case, title: str, *, assignee: str, requester_id: str,
                 filed_by: str, template_name: str, duplicates: Sequence[str] = ()) -> Message:
    fields = [
        MarkdownTextObject(text=f"*Status*\n{escape(case.status.name)}"),
        MarkdownTextObject(text=f"*Assignee*\n{assignee}"),
        MarkdownTextObject(text=f"*Priority*\n{escape(case.priority.name)}"),
        MarkdownTextObject(text=f"*Due*\n{slack_date(case.due)}"),
        MarkdownTextObject(text=f"*Requester*\n<@{requester_id}>"),
        MarkdownTextObject(text=f"*Type*\n{escape(template_name)}"),
    ]
    filed = f"Filed by <@{filed_by}> with slackcase" if filed_by != requester_id else \
        "Filed with slackcase"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(
            text=f":ticket: *{escape(case.refId)}* {escape(clip(title, 200))}")),
        SectionBlock(fields=fields),
        ContextBlock(elements=[MarkdownTextObject(text=filed)]),
    ]
    if duplicates:  # told, not hidden: someone has to close the extra case
        others = ", ".join(f"*{escape(ref)}*" for ref in duplicates)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=f":warning: Kore.ai also made {others} for this request (its first answer "
                 f"came too late). {escape(case.refId)} is the one followed here; the other "
                 "can be closed.")]))
    plain_assignee = case.assignee_name or "nobody yet"
    return Message(text=escape(summary_line(case, plain_assignee)), blocks=blocks)


def team_notice(case: Case, title: str, *, assignee: str, requester_id: str, filed_by: str,
                template_name: str, conversation: str | None) -> Message:
    source = f"<{conversation}|the Slack conversation>" if conversation else "Slack"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(
            text=f":inbox_tray: New *{escape(template_name)}* case *{escape(case.refId)}*: "
                 f"{escape(clip(title, 200))}")),
        SectionBlock(fields=[
            MarkdownTextObject(text=f"*Requester*\n<@{requester_id}>"),
            MarkdownTextObject(text=f"*Assignee*\n{assignee}"),
            MarkdownTextObject(text=f"*Priority*\n{escape(case.priority.name)}"),
            MarkdownTextObject(text=f"*Due*\n{slack_date(case.due)}"),
        ]),
        ContextBlock(elements=[MarkdownTextObject(
            text=f"Filed by <@{filed_by}> from {source}")]),
    ]
    text = f"New {template_name} case {case.refId}: {clip(title, 150)}"
    return Message(text=escape(text), blocks=blocks)


def change_reply(case: Case, changes: list[str]) -> Message:
    text = f"{case.refId}: " + "; ".join(changes)
    return Message(text=escape(text), blocks=[SectionBlock(text=MarkdownTextObject(
        text=f":arrows_counterclockwise: *{escape(case.refId)}* " + escape("; ".join(changes))))])


def resolved_dm(case: Case, title: str, conversation: str | None) -> Message:
    where = f" (<{conversation}|conversation>)" if conversation else ""
    text = f"Your case {case.refId} “{clip(title, 150)}” is {case.status.name.lower()}."
    return Message(text=escape(text), blocks=[SectionBlock(text=MarkdownTextObject(
        text=f":white_check_mark: Your case *{escape(case.refId)}* "
             f"“{escape(clip(title, 150))}” is {escape(case.status.name.lower())}.{where}"))])


def failure(title: str, message: str, submission_id: str, *, retryable: bool,
            uncertain: bool = False) -> Message:
    """`uncertain`: Kore.ai may have the case (its answer was lost), so it is not "not created"."""
    outcome = "could not be confirmed" if uncertain else "was not created"
    text = f"Your case “{clip(title, 150)}” {outcome}: {message}"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(
            text=f":warning: Your case *{escape(clip(title, 150))}* {outcome}.\n"
                 f"{escape(message)}")),
        ContextBlock(elements=[MarkdownTextObject(
            text=f"Reference for your admin: `{submission_id}`. Your input is kept.")]),
    ]
    buttons = [ButtonElement(action_id=ids.ACTION_EDIT, text="Edit and retry",
                             value=submission_id)]
    if retryable:
        buttons.insert(0, ButtonElement(action_id=ids.ACTION_RETRY, text="Retry",
                                        style="primary", value=submission_id))
    blocks.append(ActionsBlock(elements=buttons))
    return Message(text=escape(text), blocks=blocks)


def notice(text: str) -> Message:
    return Message(text=escape(text), blocks=[SectionBlock(text=MarkdownTextObject(
        text=escape(text)))])


def invite_hint(channel_id: str | None) -> str:
    where = f"<#{channel_id}>" if channel_id else "this conversation"
    return (f"slackcase is not a member of {where}, so it answered here instead. "
            "To get cases posted there, type `/invite @slackcase` in it.")


def not_allowed(allowed: frozenset[str]) -> Message:
    listed = ", ".join(f"<#{c}>" for c in sorted(allowed))
    return Message(text="Cases cannot be created here.", blocks=[SectionBlock(
        text=MarkdownTextObject(text=f"Cases cannot be created in this conversation. "
                                     f"Use one of: {listed}."))])


def groups_only(groups: frozenset[str]) -> Message:
    listed = ", ".join(f"<!subteam^{g}>" for g in sorted(groups))
    return Message(text="Only members of certain user groups can create cases.",
                   blocks=[SectionBlock(text=MarkdownTextObject(
                       text=f"Only members of {listed} can create cases. Ask one of them to "
                            "file it for you."))])
