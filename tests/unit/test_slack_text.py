"""Text as Slack sends and counts it: command text unescaped, limits in UTF-16 units."""

from slackcase.text import escape, unescape


def test_unescape_undoes_slacks_three_entities_only():
    assert unescape("R&amp;D VPN down &lt;urgent&gt;") == "R&D VPN down <urgent>"
    assert unescape("&amp;lt; stays one level: &lt;") == "&lt; stays one level: <"
    assert unescape("&quot;&#39;&nbsp;&amp") == "&quot;&#39;&nbsp;&amp"
    typed = "ask <@U1> & <!here> about <https://x.test|x>"
    assert unescape(escape(typed)) == typed
