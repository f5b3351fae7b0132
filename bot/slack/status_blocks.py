"""Answers to "status T-4", "my tickets" and "help"."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.sla import TargetState
from bot.domain.ticket import Status, Ticket
from bot.i18n import ENGLISH, Words
from bot.slack.blocks import context, section, sections
from bot.slack.labels import priority_label
from bot.slack.mrkdwn import escape, plain, who
from bot.slack.when import age, target_line

Blocks = list[dict[str, Any]]
LIST_LIMIT = 20  # tickets shown in "my tickets" before "and N more"


def state_words(status: Status, words: Words = ENGLISH) -> str:
    """A ticket's state as its requester reads it."""
    return {
        Status.OPEN: words.t("Open, waiting for an agent"),
        Status.CLAIMED: words.t("In progress"),
        Status.WAITING: words.t("Waiting for your answer"),
        Status.RESOLVED: words.t("Resolved"),
    }[status]


def status_answer(
    ticket: Ticket,
    ref: str,
    upcoming: TargetState | None,
    zone: ZoneInfo,
    now: datetime,
    *,
    business: bool,
    warn_at: float,
    words: Words = ENGLISH,
) -> tuple[str, Blocks]:
    """State, assignee, age and the time left to the next target (flagged once at risk)."""
    w = words
    state = state_words(ticket.status, w)
    label = priority_label(ticket.priority, w)
    lines = [f"*{ref}* · {state} · {label} · {escape(ticket.category)}"]
    summary = plain(ticket.text.splitlines()[0] if ticket.text.strip() else "", 120)
    lines.append(f"_{escape(summary)}_")
    who = w.t("{agent} is on it", agent=f"<@{ticket.assignee}>") if ticket.status is Status.CLAIMED else ""
    if ticket.status is Status.WAITING:
        who = w.t(
            "{agent} asked you something in the ticket's thread; it waits for your answer",
            agent=f"<@{ticket.assignee}>",
        )
    if ticket.status is Status.RESOLVED:
        when = ticket.resolved_at or now
        who = w.t("Resolved by {agent} {ago}", agent=f"<@{ticket.assignee}>", ago=age(when, now, words=w))
        if ticket.resolution_note:
            who += w.t(": ") + escape(plain(ticket.resolution_note, 300))
    facts = [w.t("Opened {ago}", ago=age(ticket.opened_at, now, words=w))]
    if who:
        facts.append(who)
    if upcoming is not None:
        risky = upcoming.at_risk(warn_at)
        line = target_line(upcoming, zone, business=business, words=w)
        facts.append(line + (" · :warning: " + w.t("*at risk*") if risky else ""))
    lines.append(" · ".join(facts))
    text = f"{ref}: {state}"
    return text, [section("\n".join(lines))]


def assigned_tickets(
    rows: list[tuple[str, Ticket]],
    requested: tuple[str, Blocks] | None,
    now: datetime,
    *,
    words: Words = ENGLISH,
) -> tuple[str, Blocks]:
    """An agent's "my tickets": the open tickets assigned to them, oldest first, then any
    they raised themselves."""
    w = words
    count = len(rows)
    if rows:
        head = w.tn("{n} open ticket is assigned to you:", "{n} open tickets are assigned to you:", count)
    else:
        head = w.tn("{n} open ticket is assigned to you.", "{n} open tickets are assigned to you.", count)
    lines = []
    for ref, ticket in rows[:LIST_LIMIT]:
        state = " · " + w.t("waiting on the requester") if ticket.status is Status.WAITING else ""
        summary = escape(plain(" ".join(ticket.text.split()), 80))
        opened = w.t("opened {ago}", ago=age(ticket.opened_at, now, words=w))
        by = w.t("from {person}", person=who(ticket.requester))
        lines.append(
            f"• *{ref}* · {priority_label(ticket.priority, w)} · {by}{state} · {opened}\n   _{summary}_"
        )
    if count > LIST_LIMIT:
        more = count - LIST_LIMIT
        lines.append(
            w.t(
                "…and {more} more not shown here: `/desk queue` shows what needs attention.",
                more=w.number(more),
            )
        )
    blocks: Blocks = [section(head), *sections(lines)] if lines else [section(head)]
    if requested is not None:
        blocks += requested[1]
    return head, blocks


def my_tickets(
    rows: list[tuple[str, Ticket]], now: datetime, *, words: Words = ENGLISH
) -> tuple[str, Blocks]:
    """The requester's open tickets, newest first."""
    w = words
    if not rows:
        text = w.t("You have no open tickets. Send me a message describing a problem to open one.")
        return text, [section(text)]
    lines = []
    for ref, ticket in rows[:LIST_LIMIT]:
        who = {
            Status.CLAIMED: f"<@{ticket.assignee}>",
            Status.WAITING: w.t("waiting for your answer"),
        }.get(ticket.status, w.t("waiting for an agent"))
        summary = escape(plain(" ".join(ticket.text.split()), 80))
        opened = w.t("opened {ago}", ago=age(ticket.opened_at, now, words=w))
        lines.append(f"• *{ref}* · {priority_label(ticket.priority, w)} · {who} · {opened}\n   _{summary}_")
    more = len(rows) - LIST_LIMIT
    if more > 0:
        lines.append(w.t("…and {more} older ones not shown here.", more=w.number(more)))
    count = len(rows)
    head = w.tn("You have {n} open ticket:", "You have {n} open tickets:", count)
    return head, [
        section(head),
        *sections(lines),
        context(
            w.t("Say `status {ref}` (or any ticket's reference) for one ticket's details.", ref=rows[0][0])
        ),
    ]


def help_answer(desk_name: str, prefix: str, *, agent: bool, words: Words = ENGLISH) -> tuple[str, Blocks]:
    """What people can say and do (the commands are the same words in every language)."""
    w = words
    text = "\n".join(
        [
            w.t(
                "Hi! I'm {name}. *Tell me what's wrong* in a message and I'll open a ticket: "
                "I'll ask for the area and how urgent it is, then tell you when to expect an answer.",
                name=escape(desk_name),
            ),
            "• " + w.t("`status {ref}`: how a ticket stands", ref=f"{prefix}-42"),
            "• " + w.t("`my tickets`: your open tickets"),
            "• " + w.t("`cancel`: stop a request you are writing"),
            "• " + w.t("`/ticket` opens a form; `/ticket what's wrong` works from any channel"),
            "• " + w.t("Mention me in a channel to raise a ticket in a thread there"),
            "• " + w.t("Reply in a ticket's thread to add details"),
        ]
    )
    blocks = [section(text)]
    if agent:
        blocks.append(
            context(
                w.t(
                    "Agents: `/desk queue`, `/desk claim {ref}`, `/desk reply`, `/desk resolve`; "
                    "`/desk help` lists every verb.",
                    ref=f"{prefix}-42",
                )
            )
        )
    return w.t("How to use the desk"), blocks
