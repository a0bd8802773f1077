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

from slackcase.kore.models import Case
from slackcase.slack import ids
from slackcase.slack.text import (
    ERROR_SHOWN,
    NAME_SHOWN,
    REF_SHOWN,
    TITLE_SHOWN,
    clip,
    clip_escaped,
    escape,
    short_date,
    slack_date,
)

SECTION_MAX = 3000  # Slack's limit on a section's text


@dataclass(frozen=True)
class Message:
    text: str  # notification / fallback text
    blocks: list[Block]

    def blocks_dict(self) -> list[dict]:
        return [b.to_dict() for b in self.blocks]


def summary_line(case: Case, assignee: str) -> str:
    """`CS000123 · Assigned to John · Due 4 Sep` (plain text: escape it to post it)."""
    return (f"{clip(case.refId, REF_SHOWN)} · Assigned to {clip(assignee, NAME_SHOWN)} · "
            f"Due {short_date(case.due)}")


def assignee_label(case: Case, slack_user: str | None) -> str:
    if slack_user:
        return f"<@{slack_user}>"
    return clip_escaped(case.assignee_name, NAME_SHOWN) if case.assignee_name else "nobody yet"


def confirmation(case: Case, title: str, *, assignee: str, requester_id: str,
                 filed_by: str, template_name: str, duplicates: Sequence[str] = (),
                 submission_id: str | None = None, conversation: str | None = None) -> Message:
    """The case's card; `submission_id` gives it an Edit button, `conversation` a link to
    the conversation it came from."""
    fields = [
        MarkdownTextObject(text=f"*Status*\n{clip_escaped(case.status.name, NAME_SHOWN)}"),
        MarkdownTextObject(text=f"*Assignee*\n{assignee}"),
        MarkdownTextObject(text=f"*Priority*\n{clip_escaped(case.priority.name, NAME_SHOWN)}"),
        MarkdownTextObject(text=f"*Due*\n{slack_date(case.due)}"),
        MarkdownTextObject(text=f"*Requester*\n<@{requester_id}>"),
        MarkdownTextObject(text=f"*Type*\n{clip_escaped(template_name, NAME_SHOWN)}"),
    ]
    filed = f"Filed by <@{filed_by}> with slackcase" if filed_by != requester_id else \
        "Filed with slackcase"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(
            text=f":ticket: *{_ref(case)}* {clip_escaped(title, TITLE_SHOWN)}")),
        SectionBlock(fields=fields),
        ContextBlock(elements=[MarkdownTextObject(text=filed)]),
    ]
    if duplicates:  # told, not hidden: someone has to close the extra case
        others = ", ".join(f"*{escape(ref)}*" for ref in duplicates)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=f":warning: Kore.ai also made {others} for this request (its first answer "
                 f"came too late). {escape(case.refId)} is the one followed here; the other "
                 "can be closed.")]))
    if conversation:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=f"<{conversation}|The conversation it came from>")]))
    if submission_id:
        blocks.append(ActionsBlock(elements=[ButtonElement(
            action_id=ids.ACTION_EDIT_CASE, text="Edit", value=submission_id)]))
    plain_assignee = case.assignee_name or "nobody yet"
    return Message(text=escape(summary_line(case, plain_assignee)), blocks=blocks)


def team_notice(case: Case, title: str, *, assignee: str, requester_id: str, filed_by: str,
                template_name: str, conversation: str | None) -> Message:
    source = f"<{conversation}|the Slack conversation>" if conversation else "Slack"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(
            text=f":inbox_tray: New *{clip_escaped(template_name, NAME_SHOWN)}* case "
                 f"*{_ref(case)}*: {clip_escaped(title, TITLE_SHOWN)}")),
        SectionBlock(fields=[
            MarkdownTextObject(text=f"*Requester*\n<@{requester_id}>"),
            MarkdownTextObject(text=f"*Assignee*\n{assignee}"),
            MarkdownTextObject(text=f"*Priority*\n{clip_escaped(case.priority.name, NAME_SHOWN)}"),
            MarkdownTextObject(text=f"*Due*\n{slack_date(case.due)}"),
        ]),
        ContextBlock(elements=[MarkdownTextObject(
            text=f"Filed by <@{filed_by}> from {source}")]),
    ]
    text = (f"New {clip(template_name, NAME_SHOWN)} case {clip(case.refId, REF_SHOWN)}: "
            f"{clip(title, 150)}")
    return Message(text=escape(text), blocks=blocks)


def change_reply(case: Case, changes: list[str]) -> Message:
    said = "; ".join(changes)  # names and statuses from Kore.ai: any length
    text = f"{clip(case.refId, REF_SHOWN)}: {clip(said, ERROR_SHOWN)}"
    return Message(text=escape(text), blocks=[SectionBlock(text=MarkdownTextObject(
        text=f":arrows_counterclockwise: *{_ref(case)}* {clip_escaped(said, ERROR_SHOWN)}"))])


def resolved_dm(case: Case, title: str, conversation: str | None) -> Message:
    where = f" (<{conversation}|conversation>)" if conversation else ""
    status = case.status.name.lower()
    text = (f"Your case {clip(case.refId, REF_SHOWN)} “{clip(title, 150)}” is "
            f"{clip(status, NAME_SHOWN)}.")
    return Message(text=escape(text), blocks=[SectionBlock(text=MarkdownTextObject(
        text=f":white_check_mark: Your case *{_ref(case)}* “{clip_escaped(title, 150)}” is "
             f"{clip_escaped(status, NAME_SHOWN)}.{where}"))])


def failure(title: str, message: str, submission_id: str, *, retryable: bool,
            uncertain: bool = False) -> Message:
    """`uncertain`: Kore.ai may have the case (its answer was lost), so it is not "not created"."""
    outcome = "could not be confirmed" if uncertain else "was not created"
    text = f"Your case “{clip(title, 150)}” {outcome}: {clip(message, ERROR_SHOWN)}"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(
            text=f":warning: Your case *{clip_escaped(title, 150)}* {outcome}.\n"
                 f"{clip_escaped(message, ERROR_SHOWN)}")),
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


def added_reply(ref_id: str, author_id: str | None, adder_id: str) -> Message:
    """The thread reply saying a later message went into the case's description."""
    whose = f"<@{author_id}>'s message" if author_id else "A message"
    text = f"{whose} was added to *{clip_escaped(ref_id, REF_SHOWN)}* by <@{adder_id}>."
    return Message(text=text, blocks=[ContextBlock(elements=[MarkdownTextObject(
        text=f":heavy_plus_sign: {text}")])])


def thread_has_case(ref_id: str | None, title: str) -> Message:
    """Told privately to someone who asks for a case in a thread that has one."""
    if ref_id:
        text = (f"This thread already has case *{clip_escaped(ref_id, REF_SHOWN)}* "
                f"({clip_escaped(title, TITLE_SHOWN)}): no second case was made.")
    else:
        text = (f"A case for this thread is being created right now "
                f"({clip_escaped(title, TITLE_SHOWN)}): no second case was made.")
    return notice_escaped(text)


def unknown_case(ref: str) -> Message:
    text = (f"No case *{clip_escaped(ref, REF_SHOWN)}* was filed from Slack. "
            "Type `/case` and a title to create one, or:")
    return Message(text=f"No case {clip_escaped(ref, REF_SHOWN)} was filed from Slack.",
                   blocks=[SectionBlock(text=MarkdownTextObject(text=text)),
                           ActionsBlock(elements=[ButtonElement(
                               action_id=ids.ACTION_NEW_CASE, text="Create a case",
                               style="primary", value="new")])])


def command_help(reaction: str | None) -> Message:
    lines = [
        "*What `/case` can do*",
        "• `/case printer on fire`: the case form, the title filled in",
        "• `/case CS000123`: that case as it stands now (only you see it)",
        "• `/case help`: this help",
        "• *Create case* on a message's ⋮ menu: a case from the message and its thread, "
        "or add the message to the thread's case",
        "• *Edit* on a case's card: change its title or description",
    ]
    if reaction:
        lines.append(f"• Add :{reaction}: to a message: a case from it, without the form")
    text = "\n".join(lines)
    return Message(text="What /case can do", blocks=[SectionBlock(
        text=MarkdownTextObject(text=text))])


def notice_escaped(shown: str) -> Message:
    """A notice whose text is already escaped and clipped Slack markup."""
    return Message(text=shown, blocks=[SectionBlock(text=MarkdownTextObject(text=shown))])


def notice(text: str) -> Message:
    shown = clip_escaped(text, SECTION_MAX)
    return Message(text=shown, blocks=[SectionBlock(text=MarkdownTextObject(text=shown))])


def _ref(case: Case) -> str:
    return clip_escaped(case.refId, REF_SHOWN)


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
