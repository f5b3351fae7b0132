"""The away rules as tables of plain `decide` calls (`bot.domain.away`): who may be away or
back, till when, what is kept, who is told what (their Home), and what they are answered. No
Slack, no store: tests/test_home.py, tests/test_assignment.py and tests/test_desk_command.py
stay the contract for how it reaches people."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import away as rules
from bot.domain.away import (
    Away,
    Back,
    CameBack,
    GoAway,
    GoneAway,
    HomeRedrawn,
    Outcome,
    Policy,
    Standing,
    decide,
)
from bot.domain.errors import DeskError, NotPermitted
from bot.domain.roles import Staff, Team
from bot.i18n import ENGLISH

ALICE, BOB, CAROL = "U0ALICE01", "U0BOB0001", "U0CAROL01"
STAFF = Staff((Team("IT", "C0TRIAGE1", (BOB,), (CAROL,), ("Hardware",)),))
BERLIN = ZoneInfo("Europe/Berlin")
POLICY = Policy(BERLIN)
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)  # a Wednesday
HOUR = timedelta(hours=1)

STANDING = {
    "here": Standing(),
    "here, holding 2": Standing(held=2),
    "away till back": Standing(Away(None)),
    "away for an hour more": Standing(Away(NOW + HOUR)),
    "was away till an hour ago": Standing(Away(NOW - HOUR)),
}


def said(error: DeskError) -> str:
    return error.render(lambda n: f"T-{n}", lambda p: f"<@{p}>", ENGLISH)


# -- refusals: who may not, and why (nothing is kept) ------------------------------------------
REFUSED = [
    # standing, command, the error, what the person reads
    ("here", GoAway(ALICE), NotPermitted, "Only the desk's agents can be away."),
    ("here", GoAway(CAROL, "2h"), NotPermitted, "Only the desk's agents can be away."),  # a lead
    ("here", GoAway(ALICE, "soon"), NotPermitted, "Only the desk's agents can be away."),  # asked first
    ("away till back", Back(ALICE), NotPermitted, "Only the desk's agents can be back."),
    ("here", GoAway(BOB, "soon"), DeskError, "I can't tell when you'll be back from “soon”."),
    ("here", GoAway(BOB, "2026-03-01"), DeskError, "I can't tell when you'll be back"),  # gone
    ("here", GoAway(BOB, "25:00"), DeskError, "I can't tell when you'll be back"),
]


@pytest.mark.parametrize(("standing", "command", "error", "reads"), REFUSED)
def test_who_may_not_and_why(standing: str, command: rules.Command, error: type, reads: str) -> None:
    with pytest.raises(error) as refused:
        decide(STANDING[standing], command, STAFF, POLICY, NOW)
    assert type(refused.value) is error
    assert reads in said(refused.value)


# -- what is decided: the record kept, who is told, the answer ---------------------------------
DECIDED = [
    # standing, command, the outcome
    ("here", GoAway(BOB), Outcome(Away(None), (HomeRedrawn(BOB),), GoneAway(None, 0))),
    (
        "here, holding 2",  # what they hold stays theirs: the answer names it
        GoAway(BOB, " 2h "),
        Outcome(Away(NOW + 2 * HOUR), (HomeRedrawn(BOB),), GoneAway(NOW + 2 * HOUR, 2)),
    ),
    (
        "here",
        GoAway(BOB, "17:00"),  # a time of day, in the desk's zone
        Outcome(Away(NOW + 7 * HOUR), (HomeRedrawn(BOB),), GoneAway(NOW + 7 * HOUR, 0)),
    ),
    (
        "away for an hour more",  # away again: the new time replaces the old
        GoAway(BOB, "fri"),
        Outcome(
            Away(datetime(2026, 3, 6, tzinfo=BERLIN)),
            (HomeRedrawn(BOB),),
            GoneAway(datetime(2026, 3, 6, tzinfo=BERLIN), 0),
        ),
    ),
    ("away till back", Back(BOB), Outcome(None, (HomeRedrawn(BOB),), CameBack(True))),
    ("away for an hour more", Back(BOB), Outcome(None, (HomeRedrawn(BOB),), CameBack(True))),
    ("was away till an hour ago", Back(BOB), Outcome(None, (HomeRedrawn(BOB),), CameBack(False))),
    ("here", Back(BOB), Outcome(None, (HomeRedrawn(BOB),), CameBack(False))),  # never away: said so
]


@pytest.mark.parametrize(("standing", "command", "outcome"), DECIDED)
def test_what_is_kept_and_who_is_told(standing: str, command: rules.Command, outcome: Outcome) -> None:
    assert decide(STANDING[standing], command, STAFF, POLICY, NOW) == outcome


@pytest.mark.parametrize(("standing", "away"), [(s, s.startswith("away")) for s in STANDING])
def test_assignment_passes_by_whoever_the_record_says_is_away(standing: str, away: bool) -> None:
    assert rules.is_away(STANDING[standing].record, NOW) is away


def test_what_an_agent_typed_is_kept_as_typed_for_the_refusal() -> None:
    with pytest.raises(DeskError) as refused:
        decide(Standing(), GoAway(BOB, "<!channel>"), STAFF, POLICY, NOW)
    assert "“<!channel>”" in said(refused.value)
    shown = refused.value.render(str, str, ENGLISH, typed=lambda s: s.replace("<", "&lt;"))
    assert "“&lt;!channel>”" in shown  # the Slack side shows it safely
