"""User text made safe for Slack: escaped for mrkdwn and cut to Block Kit's limits.

Escaping `&`, `<` and `>` is what Slack asks of apps: it stops a ticket from pinging
`<!channel>`, mentioning `<@U…>` people or forging `<http://…|links>`.
"""

import re
from collections.abc import Mapping

SECTION_TEXT = 3000  # characters of a section's text
FIELD_TEXT = 2000
BUTTON_TEXT = 75
HEADER_TEXT = 150
MODAL_TITLE = 24  # a modal's title (Block Kit's view reference: "Max length 24 characters")
MESSAGE_TEXT = 40000  # a message's top-level `text`

CUT_NOTE = "… _(cut here: the full text is kept with the ticket)_"


def escape(text: str) -> str:
    """Escape the three characters mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Text as Slack delivers it (`&amp;`, `&lt;`, `&gt;` in messages and commands) back to
    what the person typed. Mentions and links stay as Slack's `<…>` tokens."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# Slack's tokens in message text (docs.slack.dev "Formatting text for app surfaces"):
# <@U…> people, <#C…|name> channels, <!here> and <!subteam^S…|@team> and <!date^…|fallback>
# special mentions, <https://…|label> links. Each may carry a label after `|`. What people
# typed as `<` arrives as `&lt;`, so only text as Slack sends it can tell the two apart.
TOKEN = re.compile(r"<([@#!]?)([^<>|]+)(?:\|([^<>]*))?>")
PERSON = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^<>]*))?>")


def tokens_as_words(slack_text: str) -> str:
    """Text as Slack sends it, with its channel, special-mention and link tokens as the words
    they show (`<#C1|it>` -> `#it`, `<!here>` -> `@here`, `<https://x|label>` -> `label
    (https://x)`), so a request quoted on a card reads as written and pings nobody. People's
    mentions stay tokens (`people_as_names` names them). Still escaped: unescape it next."""

    def word(match: re.Match[str]) -> str:
        sigil, body, label = match.group(1), match.group(2), match.group(3)
        if sigil == "@":
            return match.group(0)
        if sigil == "#":
            return "#" + (label or body)
        if sigil == "!":
            if label:
                return label  # subteams (`@team`) and dates (their fallback text)
            return "@" + body.split("^")[0]
        if label and label != body and label != body.removeprefix("mailto:"):
            return f"{label} ({body})"
        return body.removeprefix("mailto:")

    return TOKEN.sub(word, slack_text)


def people_in(text: str) -> list[str]:
    """The people mentioned (`<@U…>`), in order, once each."""
    return list(dict.fromkeys(m.group(1) for m in PERSON.finditer(text)))


def people_as_names(text: str, names: Mapping[str, str]) -> str:
    """`<@U1>` -> `@Bob Baker` (the label Slack sent, or the id, where the name is unknown)."""

    def name(match: re.Match[str]) -> str:
        person, label = match.group(1), match.group(2)
        return "@" + (names.get(person) or (label or "").lstrip("@") or person)

    return PERSON.sub(name, text)


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


def modal_title(words: str, ref: str = "", limit: int = MODAL_TITLE) -> str:
    """A modal's title: `words` then the ticket reference `ref`, cut at a word and never inside
    the reference ("Details of IT-123456" -> "Details IT-123456"). Words go from the end
    first; the reference alone when no word fits beside it; the words alone, cut at a word,
    if even the reference is too long."""
    kept = words.split()
    while kept:
        title = " ".join([*kept, ref]).strip()
        if len(title) <= limit:
            return title
        kept.pop()
    if ref and len(ref) <= limit:
        return ref
    title = ""
    for word in words.split():
        if len(f"{title} {word}".strip()) > limit:
            break
        title = f"{title} {word}".strip()
    return title or plain(words, limit)


def who(person: str) -> str:
    """A person in mrkdwn: a mention, or, for someone an import kept by name (`ext:...`, no
    Slack user), their name as plain text."""
    return escape(person[4:]) if person.startswith("ext:") else f"<@{person}>"


def moved_in_from(imported_from: str) -> str:
    """Where an imported ticket came from, as people read it: `zendesk 35436`."""
    source, _, ident = imported_from.partition(":")
    return escape(f"{source} {ident}")
