"""The Block Kit pieces every builder uses. Give them text already made safe (`mrkdwn.safe`)."""

from __future__ import annotations

import re
from typing import Any

from bot.slack.mrkdwn import BUTTON_TEXT, plain

Block = dict[str, Any]


def section(text: str) -> Block:
    """A section of mrkdwn text."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


SECTION_TEXT = 3000  # Block Kit's limit on a section's text


def sections(lines: list[str], limit: int = SECTION_TEXT) -> list[Block]:
    """`lines` packed into as few sections as hold them within Block Kit's limit, so a long
    list is never refused by Slack; a single line longer than the limit is cut."""
    found: list[Block] = []
    current: list[str] = []
    size = 0
    for line in (plain(line, limit) for line in lines):
        if current and size + 1 + len(line) > limit:
            found.append(section("\n".join(current)))
            current, size = [], 0
        size += len(line) + (1 if current else 0)
        current.append(line)
    if current:
        found.append(section("\n".join(current)))
    return found


def context(text: str) -> Block:
    """A line of small print."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def action_button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    """A button with its label cut to Slack's limit; `style` is "primary" or "danger"."""
    found: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": plain(text, BUTTON_TEXT), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        found["style"] = style
    return found


def as_plain_text(blocks: list[Block]) -> str:
    """Blocks as a terminal shows them: for dry runs and logs. Mentions become @U…, dates
    their fallback text, emphasis marks go and entities are unescaped."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = block["text"]["text"]
            lines += [title, "=" * len(title)]
        elif kind == "section":
            if "text" in block:
                lines.append(_unmark(block["text"]["text"]))
            for item in block.get("fields", []):
                lines.append("  " + _unmark(item["text"]).replace("\n", "  ", 1).replace("\n", "; "))
        elif kind == "context":
            lines.append(" · ".join(_unmark(e.get("text", "")) for e in block["elements"]))
        elif kind == "divider":
            lines.append("-" * 40)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _unmark(text: str) -> str:
    text = re.sub(r"<!date\^[^|>]*\|([^>]*)>", r"\1", text)
    text = re.sub(r"<@([A-Z0-9]+)>", r"@\1", text)
    text = re.sub(r"<#([A-Z0-9]+)(?:\|[^>]*)?>", r"#\1", text)
    text = re.sub(r"\*([^*\n]+)\*", r"\1", text)  # bold
    text = re.sub(r"(?<!\w)_([^_\n]+)_(?!\w)", r"\1", text)  # italics
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
