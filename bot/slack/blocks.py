"""The Block Kit pieces every builder uses. Give them text already made safe (`mrkdwn.safe`)."""

from __future__ import annotations

from typing import Any

from bot.slack.mrkdwn import BUTTON_TEXT, plain

Block = dict[str, Any]


def section(text: str) -> Block:
    """A section of mrkdwn text."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


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
