"""`/case CS000123`: a case filed from Slack, as Kore.ai has it now."""

from __future__ import annotations

import logging

from slackcase.kore import CaseQuery, KoreError
from slackcase.slack import messages
from slackcase.slack.services import Services

log = logging.getLogger("slackcase.slack")


def case_card(services: Services, ref: str) -> messages.Message:
    """The card of the case `ref` as it stands now; or why it cannot be shown."""
    sub = services.store.by_ref_id(ref)
    if sub is None or sub.case is None:
        return messages.unknown_case(ref)
    case = sub.case
    try:
        page = services.cases.kore.get_cases(CaseQuery(searchText=ref, limit=50))
        case = next((c for c in page.results if c.id == sub.case.id), None) or case
    except KoreError as exc:  # the last known state, said to be so
        log.warning("getCases for %s failed: %s", ref, exc)
        stale = messages.notice(f"Kore.ai did not answer ({exc.user_message}); this is "
                                "the case as slackcase last saw it.")
        card = services.announcer.card(sub, case, conversation=sub.card_link or
                                       sub.origin.permalink)
        return messages.Message(text=card.text, blocks=[*card.blocks, *stale.blocks])
    return services.announcer.card(sub, case, conversation=sub.card_link or sub.origin.permalink)
