"""The App Home tab: what the desk is and what each person can do with it."""

from __future__ import annotations

from typing import Any

from bot.slack.blocks import section
from bot.slack.mrkdwn import escape, plain


def home_view(desk_name: str, prefix: str, *, agent: bool, lead: bool) -> dict[str, Any]:
    """The home tab for one person; agents and leads see their own commands too."""
    sections = [
        "*Need help?* Send me a direct message describing the problem. I'll ask a couple of "
        "quick questions and open a ticket for you.\n"
        f"• `/ticket what's wrong` does the same from anywhere\n"
        f"• Say `status {prefix}-42` or `my tickets` to see how things stand",
    ]
    if agent:
        sections.append(
            "*For agents*\n"
            f"• `/queue` shows what is waiting\n• `/claim {prefix}-42`, `/reply {prefix}-42 your answer`, "
            f"`/reassign {prefix}-42 @someone`, `/resolve {prefix}-42 what fixed it`"
        )
    if lead:
        sections.append("*For leads*\n• `/quality 7d` (or `30d`, `90d`) sums up how the desk is doing")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": plain(desk_name, 150)}}
    ]
    for text in sections:
        blocks.append(section(text))
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"{escape(desk_name)} · an open-source service desk"}],
        }
    )
    return {"type": "home", "blocks": blocks}
