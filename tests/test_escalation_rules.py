"""The SLA sweep's rules as tables of plain `decide` calls (issue 36): for one ticket swept, which
notices it owes now, where each goes, what is recorded so each is raised once, and what is owed.
The end-to-end tests (tests/test_escalation_flow.py, test_escalation_restarts.py) stay the
contract for delivery, restarts and several desks."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import escalation_rules as rules
from bot.domain.escalation_rules import FlagShown, SweepTicket, decide
from bot.domain.notices import TRIAGE, Level, to_person
from bot.domain.owed import OUTSIDER, NoticeOf
from bot.domain.policy import Clock, SlaPolicy, Target, WorkingCalendar
from bot.domain.priority import Priority
from bot.domain.roles import Staff, Team
from bot.domain.sla import SlaClock
from bot.domain.ticket import Ticket
from tests.factories import T0, make_ticket

CALENDAR = WorkingCalendar(
    ZoneInfo("Europe/Berlin"), time(9), time(17), frozenset({0, 1, 2, 3, 4}), frozenset({date(2026, 12, 25)})
)
WALL = SlaClock(SlaPolicy(timedelta(hours=1), timedelta(hours=8), Clock.ALWAYS), CALENDAR)
SLOW = SlaClock(SlaPolicy(timedelta(hours=4), timedelta(hours=8), Clock.ALWAYS), CALENDAR)
M = timedelta(minutes=1)
BOB, CAROL, DAVE, PAT = "U0BOB0001", "U0CAROL01", "U0DAVE001", "U0PAT0001"
STAFF = Staff(
    (
        Team("IT", "C0TRIAGE1", (BOB,), (CAROL, DAVE), ("Hardware",)),
        Team("People", "C0PEOPLE1", (PAT,), (PAT,), ("HR",)),
    )
)
POLICY = rules.Policy(
    warn_at=0.8,
    leads_at=2.0,
    late_after=timedelta(minutes=2),
    clock_of=lambda ticket: SLOW if ticket.priority is Priority.P4 else WALL,
)
FR, RES = Target.FIRST_RESPONSE, Target.RESOLUTION


def swept(ticket: Ticket | None, at: datetime, number: int = 1) -> rules.Outcome:
    return decide(ticket, SweepTicket(number), STAFF, POLICY, at)


def raised(ticket: Ticket | None, at: datetime) -> list[tuple[Target, Level, tuple[str, ...]]]:
    """What a sweep at `at` raises: each notice's target, level and the places it goes."""
    return [(n.target, n.level, n.owed) for n in swept(ticket, at).raised]


UNCLAIMED = make_ticket()
CLAIMED = make_ticket().claim(BOB, T0 + M)
KEPT_BY_NAME = make_ticket().claim(f"{OUTSIDER}Jo Smith", T0 + M)  # an import's assignee: no Slack user
HR = make_ticket(category="HR")


# -- which notices, in which order, where each goes -----------------------------------------------
@pytest.mark.parametrize(
    ("ticket", "after", "expected"),
    [
        (UNCLAIMED, 47 * M, []),  # before 80% of the 1h first response: nothing
        (UNCLAIMED, 48 * M, [(FR, Level.AT_RISK, (TRIAGE,))]),  # nobody claimed it: the triage channel
        (CLAIMED, 48 * M, []),  # claimed: the first response is met, that target stops
        (
            UNCLAIMED,
            60 * M,  # never skipped, in the order reached
            [(FR, Level.AT_RISK, (TRIAGE,)), (FR, Level.BREACHED, (TRIAGE,))],
        ),
        (
            UNCLAIMED,
            120 * M,  # at leads_at: a DM to each lead of the ticket's team
            [
                (FR, Level.AT_RISK, (TRIAGE,)),
                (FR, Level.BREACHED, (TRIAGE,)),
                (FR, Level.LEADS, (to_person(CAROL), to_person(DAVE))),
            ],
        ),
        (
            HR,
            120 * M,  # another team's ticket: that team's leads
            [
                (FR, Level.AT_RISK, (TRIAGE,)),
                (FR, Level.BREACHED, (TRIAGE,)),
                (FR, Level.LEADS, (to_person(PAT),)),
            ],
        ),
        (CLAIMED, (6 * 60 + 24) * M, [(RES, Level.AT_RISK, (to_person(BOB),))]),  # at risk: its assignee, DM
        (KEPT_BY_NAME, (6 * 60 + 24) * M, [(RES, Level.AT_RISK, (TRIAGE,))]),  # not in Slack: the agents hear
        (CLAIMED, 8 * 60 * M, [(RES, Level.AT_RISK, (to_person(BOB),)), (RES, Level.BREACHED, (TRIAGE,))]),
        (make_ticket(priority=Priority.P4), 60 * M, []),  # its own clock (4h): not at risk yet
        (make_ticket(priority=Priority.P4), 192 * M, [(FR, Level.AT_RISK, (TRIAGE,))]),  # 80% of 4h
    ],
)
def test_a_ticket_swept_raises_each_level_it_reached_where_it_goes(ticket, after, expected) -> None:
    assert raised(ticket, T0 + after) == expected


# -- once only: what is recorded, and what a later sweep finds ----------------------------------------
def test_the_notices_raised_are_recorded_on_the_ticket_with_the_places_they_still_have_to_reach() -> None:
    outcome = swept(UNCLAIMED, T0 + 60 * M)
    assert outcome.ticket is not None
    assert outcome.ticket.notices == outcome.raised
    assert [n.owed for n in outcome.ticket.owed_notices] == [(TRIAGE,), (TRIAGE,)]
    assert all(n.raised_at == T0 + 60 * M for n in outcome.raised)


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        (48 * M, 50 * M, []),  # raised once: a second sweep (a restart, another desk) finds nothing
        (48 * M, 61 * M, [(FR, Level.BREACHED, (TRIAGE,))]),  # only the level not raised yet
        (60 * M, 119 * M, []),
        (60 * M, 120 * M, [(FR, Level.LEADS, (to_person(CAROL), to_person(DAVE)))]),
    ],
)
def test_a_notice_recorded_is_never_raised_again(first, then, expected) -> None:
    after_first = swept(UNCLAIMED, T0 + first).ticket
    assert raised(after_first, T0 + then) == expected


@pytest.mark.parametrize(
    ("ticket", "number"),
    [
        (None, 1),  # it left the store
        (make_ticket().resolve(BOB, "", T0 + M), 1),  # closed meanwhile: nothing more can come
        (make_ticket(number=2), 1),  # not the ticket the command names
    ],
)
def test_nothing_is_owed_for_a_ticket_gone_closed_or_another(ticket, number) -> None:
    assert swept(ticket, T0 + 600 * M, number) == rules.Outcome(None)


def test_while_waiting_on_the_requester_the_resolution_target_cannot_fall_due() -> None:
    waiting = CLAIMED.wait_on_requester(BOB, "Which laptop?", T0 + 2 * M)
    assert raised(waiting, T0 + 8 * 60 * M) == []


# -- late or on time ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("after", "late"),
    [
        (48 * M, False),  # raised as it fell due
        (50 * M, False),  # within late_after (2 minutes)
        (51 * M, True),  # the desk was not running: still raised, marked late
    ],
)
def test_a_notice_raised_long_after_it_fell_due_is_marked_late(after, late) -> None:
    assert [n.late for n in swept(UNCLAIMED, T0 + after).raised] == [late]


# -- what is owed ---------------------------------------------------------------------------------
def test_the_card_shows_the_flag_once_and_each_notice_is_owed_to_each_of_its_places() -> None:
    outcome = swept(UNCLAIMED, T0 + 120 * M)
    keys = [n.key for n in outcome.raised]
    assert outcome.owed == (
        FlagShown(1),
        NoticeOf(1, keys[0], TRIAGE),
        NoticeOf(1, keys[1], TRIAGE),
        NoticeOf(1, keys[2], to_person(CAROL)),
        NoticeOf(1, keys[2], to_person(DAVE)),
    )


def test_nothing_due_owes_nothing() -> None:
    assert swept(UNCLAIMED, T0 + 47 * M) == rules.Outcome(None)
