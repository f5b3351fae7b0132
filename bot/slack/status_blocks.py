"""Answers to "status T-4", "my tickets" and "help"."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.sla import TargetState
from bot.domain.ticket import Status, Ticket
from bot.slack.blocks import context, section, sections
from bot.slack.mrkdwn import escape, plain, who
from bot.slack.when import age, target_line

Blocks = list[dict[str, Any]]
LIST_LIMIT = 20  # tickets shown in "my tickets" before "and N more"

STATE_WORDS = {
    Status.OPEN: "Open, waiting for an agent",
    Status.CLAIMED: "In progress",
    Status.WAITING: "Waiting for your answer",
    Status.RESOLVED: "Resolved",
}


def status_answer(
    ticket: Ticket,
    ref: str,
    upcoming: TargetState | None,
    zone: ZoneInfo,
    now: datetime,
    *,
    business: bool,
    warn_at: float,
) -> tuple[str, Blocks]:
    """State, assignee, age and the time left to the next target (flagged once at risk)."""
    state = STATE_WORDS[ticket.status]
    lines = [f"*{ref}* · {state} · {ticket.priority.label} · {escape(ticket.category)}"]
    summary = plain(ticket.text.splitlines()[0] if ticket.text.strip() else "", 120)
    lines.append(f"_{escape(summary)}_")
    who = f"<@{ticket.assignee}> is on it" if ticket.status is Status.CLAIMED else ""
    if ticket.status is Status.WAITING:
        who = f"<@{ticket.assignee}> asked you something in the ticket's thread; it waits for your answer"
    if ticket.status is Status.RESOLVED:
        when = ticket.resolved_at or now
        who = f"Resolved by <@{ticket.assignee}> {age(when, now)}"
        if ticket.resolution_note:
            who += f": {escape(plain(ticket.resolution_note, 300))}"
    facts = [f"Opened {age(ticket.opened_at, now)}"]
    if who:
        facts.append(who)
    if upcoming is not None:
        risky = upcoming.at_risk(warn_at)
        facts.append(
            target_line(upcoming, zone, business=business) + (" · :warning: *at risk*" if risky else "")
        )
    lines.append(" · ".join(facts))
    text = f"{ref}: {state}"
    return text, [section("\n".join(lines))]


def assigned_tickets(
    rows: list[tuple[str, Ticket]], requested: tuple[str, Blocks] | None, now: datetime
) -> tuple[str, Blocks]:
    """An agent's "my tickets": the open tickets assigned to them, oldest first, then any
    they raised themselves."""
    count = len(rows)
    head = f"{count} open ticket{'s are' if count != 1 else ' is'} assigned to you" + (":" if rows else ".")
    lines = []
    for ref, ticket in rows[:LIST_LIMIT]:
        state = " · waiting on the requester" if ticket.status is Status.WAITING else ""
        summary = escape(plain(" ".join(ticket.text.split()), 80))
        opened = age(ticket.opened_at, now)
        lines.append(
            f"• *{ref}* · {ticket.priority.label} · from {who(ticket.requester)}{state} · opened {opened}\n"
            f"   _{summary}_"
        )
    if count > LIST_LIMIT:
        more = count - LIST_LIMIT
        lines.append(f"…and {more} more not shown here: `/desk queue` shows what needs attention.")
    blocks: Blocks = [section(head), *sections(lines)] if lines else [section(head)]
    if requested is not None:
        blocks += requested[1]
    return head, blocks


def my_tickets(rows: list[tuple[str, Ticket]], now: datetime) -> tuple[str, Blocks]:
    """The requester's open tickets, newest first."""
    if not rows:
        text = "You have no open tickets. Send me a message describing a problem to open one."
        return text, [section(text)]
    lines = []
    for ref, ticket in rows[:LIST_LIMIT]:
        who = {
            Status.CLAIMED: f"<@{ticket.assignee}>",
            Status.WAITING: "waiting for your answer",
        }.get(ticket.status, "waiting for an agent")
        summary = escape(plain(" ".join(ticket.text.split()), 80))
        opened = age(ticket.opened_at, now)
        lines.append(f"• *{ref}* · {ticket.priority.label} · {who} · opened {opened}\n   _{summary}_")
    more = len(rows) - LIST_LIMIT
    if more > 0:
        lines.append(f"…and {more} older ones not shown here.")
    count = len(rows)
    head = f"You have {count} open ticket{'s' if count != 1 else ''}:"
    return head, [
        section(head),
        *sections(lines),
        context(f"Say `status {rows[0][0]}` (or any ticket's reference) for one ticket's details."),
    ]


def help_answer(desk_name: str, prefix: str, *, agent: bool) -> tuple[str, Blocks]:
    """What people can say and do."""
    text = (
        f"Hi! I'm {escape(desk_name)}. *Tell me what's wrong* in a message and I'll open a ticket: "
        "I'll ask for the area and how urgent it is, then tell you when to expect an answer.\n"
        f"• `status {prefix}-42`: how a ticket stands\n"
        "• `my tickets`: your open tickets\n"
        "• `cancel`: stop a request you are writing\n"
        "• `/ticket` opens a form; `/ticket what's wrong` works from any channel\n"
        "• Mention me in a channel to raise a ticket in a thread there\n"
        "• Reply in a ticket's thread to add details"
    )
    blocks = [section(text)]
    if agent:
        blocks.append(
            context(
                f"Agents: `/desk queue`, `/desk claim {prefix}-42`, `/desk reply`, `/desk resolve`; "
                "`/desk help` lists every verb."
            )
        )
    return "How to use the desk", blocks
