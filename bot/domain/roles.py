"""Who may do what: employees raise and follow their own tickets, agents work them, leads oversee.

A desk serves one team or several (SPEC §9). Each team has its triage channel, agents, leads,
categories (unique across teams) and request channels. A ticket belongs to the team of its
category, so moving it to another team's area moves it to that team.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.errors import NotPermitted, Phrase, TicketNotFound
from bot.domain.policy import SlaPolicy
from bot.domain.priority import Priority
from bot.domain.ticket import Ticket


class Assign(StrEnum):
    """How a team's new tickets find an agent."""

    NONE = "none"  # they wait in the queue for a claim
    ROUND_ROBIN = "round_robin"  # the team's next agent in turn who is not away
    LEAST_BUSY = "least_busy"  # the agent holding the fewest open tickets who is not away


@dataclass(frozen=True)
class Team:
    name: str
    triage: str  # where its tickets' cards go
    agents: tuple[str, ...]
    leads: tuple[str, ...]
    categories: tuple[str, ...]
    request_channels: tuple[str, ...] = ()
    assign: Assign = Assign.NONE
    sla: Mapping[Priority, SlaPolicy] = field(default_factory=dict)  # empty: the desk's targets

    def is_agent(self, user: str) -> bool:
        return user in self.agents


@dataclass(frozen=True)
class Staff:
    """The desk's teams and the roles they give people."""

    teams: tuple[Team, ...]

    @property
    def several(self) -> bool:
        return len(self.teams) > 1

    @property
    def agents(self) -> frozenset[str]:
        return frozenset(a for team in self.teams for a in team.agents)

    @property
    def leads(self) -> frozenset[str]:
        return frozenset(lead for team in self.teams for lead in team.leads)

    @property
    def areas(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Every category, grouped by its team: (team's name, its categories)."""
        return tuple((team.name, team.categories) for team in self.teams)

    def is_agent(self, user: str) -> bool:
        """An agent of any team."""
        return any(user in team.agents for team in self.teams)

    def is_lead(self, user: str) -> bool:
        return any(user in team.leads for team in self.teams)

    def is_staff(self, user: str) -> bool:
        """Agents and leads see every ticket."""
        return self.is_agent(user) or self.is_lead(user)

    def team_of(self, category: str) -> Team:
        """The team a category belongs to; the first team for one no team has (any more)."""
        return next((team for team in self.teams if category in team.categories), self.teams[0])

    def named(self, name: str) -> Team | None:
        return next((team for team in self.teams if team.name.casefold() == name.strip().casefold()), None)

    def of_request_channel(self, channel: str) -> Team | None:
        return next((team for team in self.teams if channel in team.request_channels), None)

    def serving(self, channel: str) -> Team:
        """The team whose request or triage channel it is; the first team for any other."""
        found = (t for t in self.teams if channel == t.triage or channel in t.request_channels)
        return next(found, self.teams[0])

    def agent_of(self, user: str) -> tuple[Team, ...]:
        """The teams the person works in."""
        return tuple(team for team in self.teams if user in team.agents)

    def led_by(self, user: str) -> tuple[Team, ...]:
        return tuple(team for team in self.teams if user in team.leads)

    def require_agent(self, user: str, doing: str) -> None:
        """Refuse anyone but a configured agent, naming what they tried."""
        if not self.is_agent(user):
            raise NotPermitted("Only the desk's agents can {doing}.", doing=Phrase(doing))

    def require_agent_for(self, user: str, ticket: Ticket, doing: str) -> None:
        """Refuse anyone but an agent of the ticket's team."""
        self.require_agent(user, doing)
        self.require_team_agent(user, ticket, doing)

    def require_team_agent(self, user: str, ticket: Ticket, doing: str) -> None:
        """Refuse an agent of another team than the ticket's (`user` known to be an agent)."""
        team = self.team_of(ticket.category)
        if not team.is_agent(user):
            raise NotPermitted(
                "{ref} belongs to the {team} team, so only its agents can {doing} there.",
                ticket=ticket.number,
                team=team.name,
                doing=Phrase(doing),
            )

    def require_lead(self, user: str, doing: str) -> None:
        if not self.is_lead(user):
            raise NotPermitted("Only the desk's leads can {doing}.", doing=Phrase(doing))

    def visible(self, ticket: Ticket | None, number: int, user: str) -> Ticket:
        """The ticket if `user` may see it; otherwise exactly the answer for a missing one."""
        if ticket is None or not (ticket.requester == user or self.is_staff(user)):
            raise TicketNotFound(number)
        return ticket
