"""Escalation notices as people read them: at risk, breached, and the leads' DM. Pure builders.

The first block carries the notice's id as its `block_id`, so the desk can look for a notice
in a conversation before sending it again after a crash or an ambiguous failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.notices import TRIAGE, Level, Notice
from bot.domain.policy import Target
from bot.domain.sla import TargetState
from bot.domain.ticket import Status, Ticket
from bot.i18n import ENGLISH, Words
from bot.slack.blocks import context, section
from bot.slack.card import MARKS, CardIds, button
from bot.slack.intake_blocks import quote
from bot.slack.labels import priority_label
from bot.slack.links import linked
from bot.slack.mrkdwn import escape, plain
from bot.slack.mrkdwn import who as mention
from bot.slack.when import slack_at, target_line, target_name, target_span, working_hours

Blocks = list[dict[str, Any]]
SUMMARY_LIMIT = 300


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


def target_adjective(target: Target, words: Words = ENGLISH) -> str:
    """`first-response` or `resolution`, as in "its first-response target"."""
    return words.t("first-response") if target is Target.FIRST_RESPONSE else words.t("resolution")


def notice_message(
    facts: NoticeFacts, destination: str, zone: ZoneInfo, *, words: Words = ENGLISH
) -> tuple[str, Blocks]:
    """The message for one destination of a notice: the card's thread (in the desk's language)
    or someone's DM (in theirs)."""
    w = words
    ticket, ref, notice, state = facts.ticket, facts.ref, facts.notice, facts.state
    span = target_span(facts.length, business=facts.business, words=w)
    who = holder(ticket, w)
    name = target_adjective(state.target, w)
    due = slack_at(state.due, zone, words=w)
    if notice.level is Level.AT_RISK:
        where = target_line(state, zone, business=facts.business, words=w)
        head = ":hourglass_flowing_sand: " + w.t("*{ref} is at risk*: {where}.", ref=ref, where=where)
        fallback = w.t("{ref} is at risk: its {name} target is close.", ref=ref, name=name)
    elif notice.level is Level.BREACHED:
        head = ":rotating_light: " + w.t(
            "*{ref} missed its {name} target* of {span} (due {due}).", ref=ref, name=name, span=span, due=due
        )
        fallback = w.t("{ref} missed its {name} target.", ref=ref, name=name)
    else:
        overdue = working_hours(state.left, words=w) if facts.business else w.duration(state.left)
        values = {
            "ref": ref,
            "what": target_name(state.target, w),
            "span": span,
            "due": due,
            "overdue": overdue,
        }
        if facts.business:
            said = w.t(
                "*{ref} needs a lead's attention*: its {what} was due within {span}, by {due}, "
                "and it is now {overdue} of business time overdue.",
                **values,
            )
        else:
            said = w.t(
                "*{ref} needs a lead's attention*: its {what} was due within {span}, by {due}, "
                "and it is now {overdue} overdue.",
                **values,
            )
        head = f":rotating_light: {said}"
        fallback = w.t("{ref} is well past its {name} target.", ref=ref, name=name)
    to_triage = destination == TRIAGE
    lines = [head, who] if to_triage or ticket.status is Status.OPEN else [head]
    blocks: Blocks = [{**section(" ".join(lines)), "block_id": notice_id(ticket.number, notice, destination)}]
    if not to_triage:
        summary = quote(plain(" ".join(ticket.text.split()), SUMMARY_LIMIT))
        blocks.append(section(summary))
        by = w.t("from {person}", person=mention(ticket.requester))
        where_card = w.t(
            "{card} is in {channel}", card=linked(facts.card, w.t("the card")), channel=f"<#{facts.triage}>"
        )
        label = priority_label(ticket.priority, w)
        blocks.append(
            context(f"{MARKS[ticket.priority]} {label} · {escape(ticket.category)} · {by} · {where_card}")
        )
    if notice.late:
        due = slack_at(notice.due_at, zone, words=w)
        late = w.t("Sent late: this fell due {due}, while the desk was offline.", due=due)
        blocks.append(context(f":clock3: {late}"))
    buttons = _buttons(ticket, notice, to_triage, w)
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return fallback, blocks


def holder(ticket: Ticket, words: Words = ENGLISH) -> str:
    """Who has the ticket, as a lead needs to tell it: nobody, someone the desk gave it to who
    has not taken it up, or the agent on it."""
    if ticket.assigned_only:
        return words.t(
            "It is assigned to {agent}, who has not taken it up yet.", agent=f"<@{ticket.assignee}>"
        )
    if ticket.status is Status.OPEN:
        return words.t("Nobody has claimed it yet.")
    return words.t("{agent} has it.", agent=f"<@{ticket.assignee}>")


def _buttons(ticket: Ticket, notice: Notice, to_triage: bool, words: Words = ENGLISH) -> list[dict[str, Any]]:
    """What the reader can do about it right there: claim it, or (its assignee) resolve it."""
    w = words
    n = ticket.number
    if ticket.status is Status.OPEN and to_triage:
        return [button(w.t("Claim"), CardIds.CLAIM, n, "primary")]
    if ticket.status in (Status.CLAIMED, Status.WAITING) and notice.level is Level.AT_RISK and not to_triage:
        return [button(w.t("Reply"), CardIds.REPLY, n), button(w.t("Resolve"), CardIds.RESOLVE, n, "primary")]
    return []
