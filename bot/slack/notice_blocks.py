"""Escalation notices as people read them: at risk, breached, and the leads' DM. Pure builders.

The first block carries the notice's id as its `block_id`, so the desk can look for a notice
in a conversation before sending it again after a crash or an ambiguous failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.durations import format_duration
from bot.domain.notices import TRIAGE, Level, Notice
from bot.domain.policy import Target
from bot.domain.sla import TargetState
from bot.domain.ticket import Status, Ticket
from bot.slack.blocks import context, section
from bot.slack.card import MARKS, CardIds, button
from bot.slack.intake_blocks import quote
from bot.slack.links import linked
from bot.slack.mrkdwn import escape, plain
from bot.slack.mrkdwn import who as mention
from bot.slack.when import slack_at, target_line, target_span, working_hours

Blocks = list[dict[str, Any]]
SUMMARY_LIMIT = 300
TARGET_NAMES = {Target.FIRST_RESPONSE: "first-response", Target.RESOLUTION: "resolution"}


@dataclass(frozen=True)
class NoticeFacts:
    """What a notice says about its ticket, worked out when it is sent."""

    ticket: Ticket
    ref: str
    notice: Notice
    state: TargetState  # the target as it stands now
    length: timedelta  # the target as configured
    business: bool
    triage: str  # the triage channel, for "the card is in #…"
    card: str | None = None  # the card's link, once it is posted


def notice_id(number: int, notice: Notice, destination: str) -> str:
    """The block id naming one delivery of a notice."""
    return f"notice:{number}:{notice.key}:{destination}"


def notice_message(facts: NoticeFacts, destination: str, zone: ZoneInfo) -> tuple[str, Blocks]:
    """The message for one destination of a notice: the card's thread or someone's DM."""
    ticket, ref, notice, state = facts.ticket, facts.ref, facts.notice, facts.state
    span = target_span(facts.length, business=facts.business)
    who = holder(ticket)
    name = TARGET_NAMES[state.target]
    due = slack_at(state.due, zone)
    if notice.level is Level.AT_RISK:
        where = target_line(state, zone, business=facts.business)
        head = f":hourglass_flowing_sand: *{ref} is at risk*: {where}."
        fallback = f"{ref} is at risk: its {name} target is close."
    elif notice.level is Level.BREACHED:
        head = f":rotating_light: *{ref} missed its {name} target* of {span} (due {due})."
        fallback = f"{ref} missed its {name} target."
    else:
        overdue = working_hours(state.left) if facts.business else format_duration(state.left)
        kind = " of business time" if facts.business else ""
        head = (
            f":rotating_light: *{ref} needs a lead's attention*: its {state.target.words} was due "
            f"within {span}, by {due}, and it is now {overdue}{kind} overdue."
        )
        fallback = f"{ref} is well past its {name} target."
    to_triage = destination == TRIAGE
    lines = [head, who] if to_triage or ticket.status is Status.OPEN else [head]
    blocks: Blocks = [{**section(" ".join(lines)), "block_id": notice_id(ticket.number, notice, destination)}]
    if not to_triage:
        summary = quote(plain(" ".join(ticket.text.split()), SUMMARY_LIMIT))
        blocks.append(section(summary))
        blocks.append(
            context(
                f"{MARKS[ticket.priority]} {ticket.priority.label} · {escape(ticket.category)} · "
                f"from {mention(ticket.requester)} · {linked(facts.card, 'the card')} is in <#{facts.triage}>"
            )
        )
    if notice.late:
        due = slack_at(notice.due_at, zone)
        blocks.append(context(f":clock3: Sent late: this fell due {due}, while the desk was offline."))
    buttons = _buttons(ticket, notice, to_triage)
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return fallback, blocks


def holder(ticket: Ticket) -> str:
    """Who has the ticket, as a lead needs to tell it: nobody, someone the desk gave it to who
    has not taken it up, or the agent on it."""
    if ticket.assigned_only:
        return f"It is assigned to <@{ticket.assignee}>, who has not taken it up yet."
    if ticket.status is Status.OPEN:
        return "Nobody has claimed it yet."
    return f"<@{ticket.assignee}> has it."


def _buttons(ticket: Ticket, notice: Notice, to_triage: bool) -> list[dict[str, Any]]:
    """What the reader can do about it right there: claim it, or (its assignee) resolve it."""
    n = ticket.number
    if ticket.status is Status.OPEN and to_triage:
        return [button("Claim", CardIds.CLAIM, n, "primary")]
    if ticket.status in (Status.CLAIMED, Status.WAITING) and notice.level is Level.AT_RISK and not to_triage:
        return [button("Reply", CardIds.REPLY, n), button("Resolve", CardIds.RESOLVE, n, "primary")]
    return []
