"""Who gets a new ticket, and when an agent away is back (SPEC §9), as pure functions; and what
an assignment does to a ticket (it stays unanswered until the agent takes it up)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.assignment import choose, in_turn, least_busy
from bot.domain.away import away_now, back_at
from bot.domain.errors import DeskError
from bot.domain.roles import Assign, Team
from bot.domain.ticket import Status
from tests.factories import T0, make_ticket, minutes

AGENTS = ("U0A", "U0B", "U0C")
BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY = datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("last", "away", "expected"),
    [
        (None, set(), "U0A"),  # the first turn
        ("U0A", set(), "U0B"),
        ("U0C", set(), "U0A"),  # round it goes
        ("U0A", {"U0B"}, "U0C"),  # passed by while away
        ("U0B", {"U0C", "U0A"}, "U0B"),  # the only one there takes the next too
        ("U0Z", set(), "U0A"),  # the last one left the team: from the start
        ("U0A", set(AGENTS), None),  # all away: the ticket waits in the queue
    ],
)
def test_in_turn(last, away, expected):
    assert in_turn(AGENTS, last, lambda agent: agent not in away) == expected


def test_least_busy_counts_open_tickets_only_and_breaks_ties_by_the_teams_order():
    held = [make_ticket(n).claim(agent, T0) for n, agent in enumerate(["U0A", "U0A", "U0C"], 1)]
    done = make_ticket(9).claim("U0B", T0).resolve("U0B", "", T0 + minutes(5))
    assert least_busy(AGENTS, [*held, done], lambda _: True) == "U0B"  # resolved ones don't count
    assert least_busy(AGENTS, held, lambda agent: agent != "U0B") == "U0C"
    assert least_busy(AGENTS, [], lambda _: True) == "U0A"
    assert least_busy(AGENTS, held, lambda _: False) is None


def test_choose_follows_the_teams_setting():
    team = Team("IT", "C0T", AGENTS, (), ("Hardware",))
    assert choose(team, [], None, {}) is None  # assign = "none"
    assert (
        choose(
            Team("IT", "C0T", AGENTS, (), ("Hardware",), assign=Assign.ROUND_ROBIN), [], "U0A", {"U0B": True}
        )
        == "U0C"
    )
    held = [make_ticket(1).claim("U0A", T0)]
    assert (
        choose(Team("IT", "C0T", AGENTS, (), ("Hardware",), assign=Assign.LEAST_BUSY), held, None, {})
        == "U0B"
    )


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("", None),  # until they say /back
        ("2h", datetime(2026, 3, 4, 12, 0, tzinfo=BERLIN)),
        ("3d", datetime(2026, 3, 7, 10, 0, tzinfo=BERLIN)),
        ("17:00", datetime(2026, 3, 4, 17, 0, tzinfo=BERLIN)),
        ("09:00", datetime(2026, 3, 5, 9, 0, tzinfo=BERLIN)),  # gone today: tomorrow
        ("fri", datetime(2026, 3, 6, 0, 0, tzinfo=BERLIN)),
        ("Wednesday", datetime(2026, 3, 11, 0, 0, tzinfo=BERLIN)),  # never today: next week
        ("2026-03-10", datetime(2026, 3, 10, 0, 0, tzinfo=BERLIN)),
    ],
)
def test_back_at(words, expected):
    assert back_at(words, WEDNESDAY, BERLIN) == expected


@pytest.mark.parametrize("words", ["soon", "2026-02-30", "2026-03-01", "25:00", "month", "{x}"])
def test_back_at_refuses_what_it_cannot_read_or_what_is_past(words):
    with pytest.raises(DeskError) as refused:
        back_at(words, WEDNESDAY, BERLIN)
    assert "I can't tell when you'll be back" in refused.value.render(str, str)


def test_away_now():
    assert away_now("", WEDNESDAY) and not away_now(None, WEDNESDAY)
    assert away_now(datetime(2026, 3, 4, 11, tzinfo=BERLIN).isoformat(), WEDNESDAY)
    assert not away_now(datetime(2026, 3, 4, 10, tzinfo=BERLIN).isoformat(), WEDNESDAY)


def test_an_assigned_ticket_stays_unanswered_until_its_agent_takes_it_up():
    ticket = make_ticket(1).assign("U0A", T0)
    assert (ticket.status, ticket.assignee, ticket.first_response_at) == (Status.OPEN, "U0A", None)
    assert ticket.assigned_only
    claimed = ticket.claim("U0A", T0 + minutes(3))
    assert (claimed.status, claimed.first_response_at) == (Status.CLAIMED, T0 + minutes(3))
    taken = ticket.claim("U0B", T0 + minutes(4))  # someone quicker may take it
    assert (taken.assignee, taken.first_response_at) == ("U0B", T0 + minutes(4))
    answered = ticket.reply("U0A", "On it", T0 + minutes(5))
    assert (answered.status, answered.first_response_at) == (Status.CLAIMED, T0 + minutes(5))
    helped = ticket.reply("U0B", "Try a restart", T0 + minutes(6))  # another agent's answer
    assert (helped.assignee, helped.status, helped.first_response_at) == ("U0A", Status.OPEN, T0 + minutes(6))
