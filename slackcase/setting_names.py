"""Names of settings that are almost right: a typo stops start-up instead of being ignored."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping

# A typo in a setting's name is silent otherwise: SLACKCASE_ALLOWED_CHANNEL (no S) would
# leave every channel open. SLACKCASE_ is ours alone, so any unknown name there stops
# start-up. SLACK_ and KORE_ are shared with other tools (Bolt's OAuth settings, Slack's
# samples, scripts of the operator's own), so there only a near miss of one of our names
# stops it, and the names Slack's own tools read are left alone.
_OUR_PREFIX = "SLACKCASE_"
_SHARED_PREFIXES = ("SLACK_", "KORE_")
_NEAR_MISS = 0.88  # difflib ratio: KORE_CLIENTID 0.96, SLACK_TOKEN 0.85
_OTHER_TOOLS = frozenset({
    "SLACK_API_TOKEN", "SLACK_USER_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET",
    "SLACK_SCOPES", "SLACK_USER_SCOPES", "SLACK_REDIRECT_URI", "SLACK_INSTALL_PATH",
    "SLACK_REDIRECT_URI_PATH", "SLACK_VERIFICATION_TOKEN", "SLACK_WEBHOOK_URL",
})


def misspelt_name(environ: Mapping[str, str], settings: Collection[str]) -> str | None:
    """One line naming a variable that looks meant for slackcase but is not one of its
    `settings`, and the setting it probably meant; None when there is none."""
    known = list(settings)
    for name in sorted(environ):
        if name in settings or name in _OTHER_TOOLS:
            continue
        ours = name.startswith(_OUR_PREFIX)
        if not ours and not name.startswith(_SHARED_PREFIXES):
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.8 if ours else _NEAR_MISS)
        if close:
            return f"{name} is not a setting: did you mean {close[0]}?"
        if ours:
            return f"{name} is not a setting (README, Configuration, lists them)"
    return None
