"""New tickets find an agent as their team's `assign` says (SPEC §9), in the transaction that
opens them, so the turn and the counts are those every other ticket saw. The agent is told by
DM with what they need to act; the first-response clock runs on until they take it up."""

from __future__ import annotations

import logging

from bot.delivery import owed
from bot.desk import Desk
from bot.domain.assignment import choose
from bot.domain.away import is_away
from bot.domain.roles import Assign
from bot.domain.sla import target_states
from bot.domain.ticket import Ticket
from bot.slack.agent_blocks import handover_message
from store.base import Transaction
from store.records import AWAY, TURNS

log = logging.getLogger("desk.assignment")


def assign_new(tx: Transaction, desk: Desk, ticket: Ticket) -> Ticket:
    """The new ticket, given to an agent when its team assigns them (and someone is there)."""
    team = desk.team_of(ticket)
    if team.assign is Assign.NONE:
        return ticket
    now = desk.clock.now()
    away = {agent: is_away(tx.get(AWAY, agent), now) for agent in team.agents}
    agent = choose(team, tx.open_tickets(), tx.get(TURNS, team.name), away)
    if agent is None:
        log.info("nobody to assign: all away", extra={"ticket": ticket.number, "team": team.name})
        return ticket
    if team.assign is Assign.ROUND_ROBIN:
        tx.put(TURNS, team.name, agent)
    assigned = ticket.assign(agent, now)
    clock = desk.sla_clock(assigned)
    states = target_states(assigned, clock, now)
    words = desk.known_words(agent)
    text, blocks = handover_message(
        desk.ref(ticket.number), assigned, None, states, desk.zone, business=clock.business, words=words
    )
    owed.to_person(tx, assigned, agent, f"assigned-{agent}", text, blocks)
    return assigned
