"""The Block Kit pieces every builder uses. Give them text already made safe (`mrkdwn.safe`)."""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]


def section(text: str) -> Block:
    """A section of mrkdwn text."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> Block:
    """A line of small print."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
