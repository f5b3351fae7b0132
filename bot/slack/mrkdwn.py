"""User text made safe for Slack: escaped for mrkdwn and cut to Block Kit's limits.

Escaping `&`, `<` and `>` is what Slack asks of apps: it stops a ticket from pinging
`<!channel>`, mentioning `<@U…>` people or forging `<http://…|links>`.
"""

SECTION_TEXT = 3000  # characters of a section's text
FIELD_TEXT = 2000
BUTTON_TEXT = 75
HEADER_TEXT = 150
MESSAGE_TEXT = 40000  # a message's top-level `text`

CUT_NOTE = "… _(cut here: the full text is kept with the ticket)_"


def escape(text: str) -> str:
    """Escape the three characters mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Text as Slack delivers it (`&amp;`, `&lt;`, `&gt;` in messages and commands) back to
    what the person typed. Mentions and links stay as Slack's `<…>` tokens."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def fit(text: str, limit: int, note: str = CUT_NOTE) -> str:
    """`text` if it fits in `limit` characters; else as much as fits, then `note`.

    Give it already-escaped text: escaping lengthens text, so cut afterwards, and never in
    the middle of an entity like `&amp;`.
    """
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(note))]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + note


def safe(text: str, limit: int = SECTION_TEXT) -> str:
    """Escape and fit in one step: what every builder does with text people wrote."""
    return fit(escape(text), limit)


def plain(text: str, limit: int) -> str:
    """Cut text for a `plain_text` object (no escaping needed there) with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
