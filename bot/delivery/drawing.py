"""What is drawn when it is sent, as things stand then: pure functions of the desk (its
configuration, clock and words) and what the store holds, no Slack calls, no store writes.
The features draw with them too, when they owe a message as it stands at once (a new
ticket's confirmation)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.delivery.places import split_place
from bot.desk import Desk
from bot.domain.notices import Notice
from bot.domain.sla import state_of, target_states
from bot.domain.storm import Storm, grouped
from bot.domain.ticket import Ticket
from bot.i18n import Words
from bot.slack.approval_blocks import channel_types
from bot.slack.blocks import context
from bot.slack.card import ticket_card
from bot.slack.intake_blocks import confirmation, standing
from bot.slack.links import permalink
from bot.slack.notice_blocks import NoticeFacts, notice_message
from bot.slack.request_blocks import change_hint, choices
from bot.slack.said_blocks import raised_for_you
from bot.slack.storm_blocks import storm_card
from bot.slack.when import promise

Blocks = list[dict[str, Any]]


def source_link(desk: Desk, ticket: Ticket) -> str | None:
    """The link of the message the ticket was made from; a reply in a thread (a :ticket:
    reaction's, whose ticket talks in the thread it is in) links into that thread."""
    if not ticket.source:
        return None
    channel, ts = split_place(ticket.source)
    thread = ticket.origin.thread if channel == ticket.origin.channel else None
    return permalink(desk.workspace, channel, ts, thread)


def confirmation_for(desk: Desk, ticket: Ticket) -> tuple[str, Blocks]:
    clock = desk.sla_clock(ticket)
    first = target_states(ticket, clock, ticket.opened_at)[0]
    words = desk.known_words(ticket.requester)  # what they read alone: in their language
    said = promise(clock.policy.first_response, first.due, desk.zone, business=clock.business, words=words)
    by = raised_for_you(ticket.raised_by, source_link(desk, ticket), words) if ticket.raised_by else None
    ref = desk.ref(ticket.number)
    now = standing(ticket, ref, desk.zone, words=words)
    return confirmation(ref, ticket.category, ticket.priority, ticket.text, said, by, now, words=words)


def confirmation_in_thread(desk: Desk, ticket: Ticket) -> tuple[str, Blocks]:
    """The confirmation with the ticket's urgency and area to set, as they stand."""
    text, blocks = confirmation_for(desk, ticket)
    if not ticket.is_open:
        return text, blocks  # resolved: nothing left to change
    words = desk.known_words(ticket.requester)  # as the confirmation above it
    hint = context(change_hint(words))
    picks = choices(ticket.number, ticket.priority, ticket.category, desk.staff.areas, words=words)
    return text, [*blocks, hint, picks, *_types(desk, ticket, words)]


def _types(desk: Desk, ticket: Ticket, words: Words) -> Blocks:
    """A request channel's ticket of a team with request types: the types it may be (until
    one is chosen: then its fields are on the ticket)."""
    if ticket.origin.via != "channel" or ticket.fields:
        return []
    team, kinds = desk.team_of(ticket).name, desk.config.request_types
    every = [(t.name, k) for t in desk.staff.teams for k in kinds.get(t.name, ())]  # /ticket's order
    offered = [(i, kind) for i, (name, kind) in enumerate(every) if name == team]
    return channel_types(ticket.number, offered, words) if offered else []


def card_for(desk: Desk, ticket: Ticket) -> tuple[str, Blocks]:
    clock = desk.sla_clock(ticket)
    states = target_states(ticket, clock, desk.clock.now())
    warn_at = desk.config.escalation.warn_at
    return ticket_card(
        ticket,
        desk.ref(ticket.number),
        states,
        desk.zone,
        business=clock.business,
        warn_at=warn_at,
        source=source_link(desk, ticket),
        areas=desk.staff.areas,
        team=desk.team_of(ticket).name if desk.staff.several else None,
        words=desk.words,
    )


def notice_for(
    desk: Desk, ticket: Ticket, notice: Notice, destination: str, words: Words | None = None
) -> tuple[str, Blocks]:
    """The notice's words for one place, as the ticket's target stands now: in `words` (the
    reader's, for a DM), else in the desk's language."""
    clock = desk.sla_clock(ticket)
    state = state_of(ticket, clock, notice.target, desk.clock.now(), since=notice.since)
    facts = NoticeFacts(
        ticket=ticket,
        ref=desk.ref(ticket.number),
        notice=notice,
        state=state,
        length=clock.policy.length(notice.target),
        business=clock.business,
        triage=desk.triage_of(ticket),
        card=desk.link(ticket.card),
    )
    return notice_message(facts, destination, desk.zone, words=words or desk.words)


def storm_card_for(desk: Desk, storm: Storm, tickets: list[Ticket]) -> tuple[str, Blocks]:
    """The storm card as its tickets stand: a channel card, in the desk's language."""
    return storm_card(storm, grouped(tickets), desk.ref, desk.zone, desk.words)


def slug(team: str) -> str:
    """A team's name as part of a file name: `Facilities Ops` → `facilities-ops`."""
    return "".join(c if c.isalnum() else "-" for c in team.lower())


def chart_name(week: date, team: str = "") -> str:
    """The chart's file name: unique per week (and team), so the desk can find an earlier upload."""
    return f"weekly-report-{week.isoformat()}{'-' + slug(team) if team else ''}.png"
