"""Small builders for tests: a ticket with sensible defaults, a fixed clock."""

from datetime import UTC, datetime, timedelta

from bot.domain.priority import Priority
from bot.domain.ticket import Origin, Ticket, open_ticket

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


def make_ticket(
    number: int = 1,
    requester: str = "U0ALICE01",
    text: str = "My laptop will not start",
    priority: Priority = Priority.P2,
    at: datetime = T0,
    category: str = "Hardware",
) -> Ticket:
    return open_ticket(number, requester, text, category, priority, Origin("D0ALICE01", "1.0"), at)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
