"""The Details modal (SPEC §10): a ticket whole, for agents: all of its text (with its
attachments), both targets, the notices raised and the trail. Pure."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.sla import TargetState
from bot.domain.ticket import Action, Ticket, TrailEntry
from bot.slack.approval_blocks import field_lines
from bot.slack.blocks import context, section, sections
from bot.slack.card import VIA
from bot.slack.mrkdwn import escape, fit, modal_title, moved_in_from, plain
from bot.slack.mrkdwn import who as person
from bot.slack.when import slack_at, target_line

Block = dict[str, Any]
Blocks = list[Block]
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
    summary: Block | None = None,
) -> dict[str, Any]:
    """The Details modal; `similar`: lines on the closest resolved tickets (issue 39);
    `summary`: the block offering the thread's summary, under the head (summaries on)."""
    status = ticket.status.value.replace("_", " ")
    taken = f" · {person(ticket.assignee)}" if ticket.assignee else ""
    head = (
        f"*{ref}* · {ticket.priority.label} · {escape(ticket.category)} · {status}{taken}\n"
        f"From {person(ticket.requester)}, {slack_at(ticket.opened_at, zone)}"
    )
    if ticket.imported_from:
        head += f"\nMoved in from {moved_in_from(ticket.imported_from)}"
    text_lines = [piece for line in ticket.text.splitlines() for piece in _pieces(escape(line))] or [" "]
    targets = [target_line(state, zone, business=business) for state in states]
    notices = [
        f"• {n.target.words} {n.level.words}, {slack_at(n.due_at, zone)}" + (" (sent late)" if n.late else "")
        for n in ticket.notices
    ] or ["None."]
    trail = [f"• {slack_at(e.at, zone)} · {trail_words(e)}" for e in ticket.trail[-TRAIL_SHOWN:]]
    blocks: Blocks = [
        section(head),
        *([summary] if summary is not None else []),
        {"type": "header", "text": {"type": "plain_text", "text": "The request"}},
        *sections(text_lines)[:TEXT_SECTIONS],
        *([section(fit(field_lines(ticket.fields), 2900))] if ticket.fields else []),
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


VIA_MORE = {"reaction": "with :ticket: on a message", "channel": "in a request channel"}
DONE = {
    Action.CLAIMED: "claimed it",
    Action.REPLIED: "replied",
    Action.NOTE: "noted",
    Action.FOLLOW_UP: "added",
    Action.RESOLVED: "resolved it",
    Action.REOPENED: "reopened it",
    Action.WAITING: "asked the requester",
    Action.REMINDED: "reminded the requester of the question",
}


def _who(actor: str) -> str:
    return "The desk" if actor == "desk" else person(actor)


def _change(detail: str) -> str:
    before, _, after = detail.partition("->")
    return f"{escape(before)} → {escape(after)}" if after else escape(detail)


def trail_words(entry: TrailEntry) -> str:
    """One line of the trail in words: `@Bob claimed it`, `@Alice opened it by direct
    message`, `The desk assigned it to @Dave`, `@Bob replied: …`."""
    who, detail, action = _who(entry.actor), entry.detail, entry.action
    said = f": {escape(plain(' '.join(detail.split()), 200))}" if detail else ""
    if action is Action.OPENED:
        how = VIA.get(detail) or VIA_MORE.get(detail, "")
        return f"{who} opened it {how}".rstrip()
    if action is Action.ASSIGNED:
        return f"{who} assigned it to {person(detail)}" if detail else f"{who} assigned it"
    if action is Action.REASSIGNED:
        before, _, after = detail.partition("->")
        return f"{who} handed it to {person(after)}" + (f" (from {person(before)})" if before else "")
    if action is Action.PRIORITY:
        return f"{who} changed the priority: {_change(detail)}"
    if action is Action.MOVED:
        return f"{who} moved it to another area: {_change(detail)}"
    if action is Action.RATED:
        return f"{who} rated it {detail} / 5" if detail.isdigit() else f"{who} commented{said}"
    return f"{who} {DONE.get(action, action.value.replace('_', ' '))}{said}"
