"""The Details modal (SPEC §10): a ticket whole, for agents: all of its text (with its
attachments), both targets, the notices raised and the trail. Pure."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.sla import TargetState
from bot.domain.ticket import Ticket
from bot.slack.blocks import context, section, sections
from bot.slack.mrkdwn import escape, modal_title, plain
from bot.slack.when import slack_at, target_line

Blocks = list[dict[str, Any]]
TRAIL_SHOWN = 40  # the newest entries; the export has them all
TEXT_SECTIONS = 30  # 30 × 3000 characters: any request Slack lets a person write, and more


def _pieces(line: str, size: int = 2900) -> list[str]:
    """A line cut at spaces into pieces a section holds (a long line is never lost)."""
    pieces: list[str] = []
    while len(line) > size:
        cut = line.rfind(" ", 0, size)
        cut = cut if cut > size // 2 else size
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    pieces.append(line or " ")
    return pieces


def details_view(
    ticket: Ticket,
    ref: str,
    states: list[TargetState],
    zone: ZoneInfo,
    *,
    business: bool,
    similar: list[str] | None = None,
) -> dict[str, Any]:
    """The Details modal; `similar`: lines on the closest resolved tickets (issue 39)."""
    status = ticket.status.value.replace("_", " ")
    who = f" · <@{ticket.assignee}>" if ticket.assignee else ""
    head = (
        f"*{ref}* · {ticket.priority.label} · {escape(ticket.category)} · {status}{who}\n"
        f"From <@{ticket.requester}>, {slack_at(ticket.opened_at, zone)}"
    )
    text_lines = [piece for line in ticket.text.splitlines() for piece in _pieces(escape(line))] or [" "]
    targets = [target_line(state, zone, business=business) for state in states]
    notices = [
        f"• {n.target.words} {n.level.words}, {slack_at(n.due_at, zone)}" + (" (sent late)" if n.late else "")
        for n in ticket.notices
    ] or ["None."]
    trail = [
        f"• {slack_at(e.at, zone)} · <@{e.actor}> · {e.action.value.replace('_', ' ')}"
        + (f": {escape(plain(' '.join(e.detail.split()), 200))}" if e.detail else "")
        for e in ticket.trail[-TRAIL_SHOWN:]
    ]
    blocks: Blocks = [
        section(head),
        {"type": "header", "text": {"type": "plain_text", "text": "The request"}},
        *sections(text_lines)[:TEXT_SECTIONS],
        {"type": "header", "text": {"type": "plain_text", "text": "Targets"}},
        *sections(targets),
        {"type": "header", "text": {"type": "plain_text", "text": "Escalations"}},
        *sections(notices)[:5],
        {"type": "header", "text": {"type": "plain_text", "text": "Trail"}},
        *sections(trail)[:10],
    ]
    if similar:
        blocks += [{"type": "header", "text": {"type": "plain_text", "text": "Similar resolved tickets"}}]
        blocks += sections(similar)[:3]
    if len(ticket.trail) > TRAIL_SHOWN:
        blocks.append(
            context(f"The {TRAIL_SHOWN} newest of {len(ticket.trail)}: `python -m bot export` has them all.")
        )
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": modal_title("Details of", ref)},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks[:100],
    }
