"""Who may do what: employees raise and follow their own tickets, agents work them, leads oversee."""

from dataclasses import dataclass

from bot.domain.errors import NotPermitted, TicketNotFound
from bot.domain.ticket import Ticket


@dataclass(frozen=True)
class Team:
    agents: frozenset[str]
    leads: frozenset[str]

    def is_agent(self, user: str) -> bool:
        return user in self.agents

    def is_lead(self, user: str) -> bool:
        return user in self.leads

    def is_staff(self, user: str) -> bool:
        """Agents and leads see every ticket."""
        return user in self.agents or user in self.leads

    def require_agent(self, user: str, doing: str) -> None:
        """Refuse anyone but a configured agent, naming what they tried."""
        if not self.is_agent(user):
            raise NotPermitted(f"Only the desk's agents can {doing}.")

    def require_lead(self, user: str, doing: str) -> None:
        if not self.is_lead(user):
            raise NotPermitted(f"Only the desk's leads can {doing}.")

    def visible(self, ticket: Ticket | None, number: int, user: str) -> Ticket:
        """The ticket if `user` may see it; otherwise exactly the answer for a missing one."""
        if ticket is None or not (ticket.requester == user or self.is_staff(user)):
            raise TicketNotFound(number)
        return ticket
