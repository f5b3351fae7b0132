"""Who gets a team's new ticket (SPEC §9): in turn, or whoever holds the fewest open tickets,
never an agent who is away. Nobody available: the ticket waits in the queue for a claim."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from bot.domain.roles import Assign, Team
from bot.domain.ticket import Ticket

Available = Callable[[str], bool]


def in_turn(agents: tuple[str, ...], last: str | None, available: Available) -> str | None:
    """The next agent after `last` in the team's order (from the first, when `last` is not
    one of them any more) who is available."""
    start = agents.index(last) + 1 if last in agents else 0
    ring = agents[start:] + agents[:start]
    return next((agent for agent in ring if available(agent)), None)


def least_busy(agents: tuple[str, ...], open_tickets: Iterable[Ticket], available: Available) -> str | None:
    """The available agent holding the fewest open tickets; the earlier in the team's order
    among equals."""
    held = Counter(t.assignee for t in open_tickets if t.is_open and t.assignee)
    candidates = [agent for agent in agents if available(agent)]
    return min(candidates, key=lambda agent: (held[agent], agents.index(agent)), default=None)


def choose(
    team: Team, open_tickets: Iterable[Ticket], last: str | None, away: Mapping[str, bool]
) -> str | None:
    """The agent a new ticket of `team` goes to, or None (assignment is off, or all are away)."""

    def available(agent: str) -> bool:
        return not away.get(agent, False)

    if team.assign is Assign.ROUND_ROBIN:
        return in_turn(team.agents, last, available)
    if team.assign is Assign.LEAST_BUSY:
        return least_busy(team.agents, open_tickets, available)
    return None
