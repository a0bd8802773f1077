"""Text as Slack sends and counts it: command text unescaped, limits in UTF-16 units."""

from slackcase.slack.text import clip, clip_escaped, escape, slack_len, unescape


def test_unescape_undoes_slacks_three_entities_only():
    assert unescape("R&amp;D VPN down &lt;urgent&gt;") == "R&D VPN down <urgent>"
    assert unescape("&amp;lt; stays one level: &lt;") == "&lt; stays one level: <"
    assert unescape("&quot;&#39;&nbsp;&amp") == "&quot;&#39;&nbsp;&amp"
    typed = "ask <@U1> & <!here> about <https://x.test|x>"
    assert unescape(escape(typed)) == typed


def test_clip_counts_utf16_units_and_never_splits_an_emoji():
    assert slack_len("a🔥") == 3
    clipped = clip("🔥" * 10, 6)
    assert slack_len(clipped) <= 6 and clipped == "🔥🔥…"
    assert clip("short", 5) == "short" and clip("a" * 10, 4) == "aaa…"


def test_clip_escaped_fits_the_escaped_text_and_never_cuts_an_entity():
    assert clip_escaped("R&D", 10) == "R&amp;D"
    for limit in range(2, 30):
        out = clip_escaped("<&>" * 20, limit)
        assert slack_len(out) <= limit
        kept = out.removesuffix("…")
        assert out.endswith("…") and escape("<&>" * 20).startswith(kept)
        assert escape(unescape(kept)) == kept  # whole entities only: no "&am" left behind
