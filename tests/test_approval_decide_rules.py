"""The approvals' decisions as tables of plain `decide` calls (`bot.domain.approval_rules`): who
may approve or deny (from the stored chain, never the click), one or all of a level, the next
level or the ticket, a denial closing the request with its reason to the requester, what is owed
to whom and the answer; and the sweep's reminder and escalation. No Slack, no store:
tests/test_approvals.py stays the contract for how it reaches people."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.approval import FormField, Kind, Level, Need, RequestType, State, chain_for, request
from bot.domain.approval_rules import (
    GONE,
    Approve,
    BecomesTicket,
    Decided,
    DecisionShown,
    DeniedTold,
    Deny,
    LeadsTold,
    LevelAsked,
    LevelSettled,
    Outcome,
    Policy,
    RequestNotFound,
    Sweep,
    Swept,
    WaitingSettled,
    decide,
)
from bot.domain.errors import DeskError, NotPermitted, TransitionNotAllowed
from bot.domain.priority import Priority
from bot.domain.roles import Staff, Team

ALICE, BOB, CAROL, DAVE, MIA, LEAD = (
    "U0ALICE01",
    "U0BOB0001",
    "U0CAROL01",
    "U0DAVE001",
    "U0MIA0001",
    "U0LEAD001",
)
AT = datetime(2026, 3, 4, 10, tzinfo=UTC)
NOW = AT + timedelta(hours=1)
WHERE = ("D0CAROL01", "1700000000.000100")  # the DM the approver pressed on
MANAGER = FormField("manager", "Your manager", Kind.PERSON)


def kind(*levels: Level, self_approval: bool = False, name: str = "Access") -> RequestType:
    return RequestType(
        name,
        "",
        (MANAGER,),
        Priority.P3,
        "Access",
        levels,
        self_approval,
        timedelta(days=1),
        timedelta(days=3),
    )


ACCESS = kind(Level((CAROL,)), Level(field="manager"))  # CAROL, then the requester's manager
BOTH = kind(Level((CAROL, DAVE), need=Need.ALL), name="Both")  # every one of them
OWN = kind(Level((ALICE,)), self_approval=True, name="Own")  # the requester may approve their own
TEAM = Team("IT", "C0TRIAGE1", (BOB,), (LEAD,), ("Access",))
STAFF = Staff((TEAM,))


def wall(start: datetime, span: timedelta) -> datetime:
    return start + span


POLICY = Policy(((TEAM, ACCESS), (TEAM, BOTH), (TEAM, OWN)), wall)


def held(k: RequestType = ACCESS, requester: str = ALICE):
    values = {"manager": MIA}
    return request("r1", k, requester, "Access", "VPN", values, chain_for(k, requester, values), AT)


def at_level_two():
    return held().decide(CAROL, True, "", AT + timedelta(minutes=5))


def approved():
    return at_level_two().decide(MIA, True, "", AT + timedelta(minutes=10))


def denied():
    return held().decide(CAROL, False, "no budget", AT + timedelta(minutes=5))


# -- who may decide: refused, nothing changes ---------------------------------------------------
@pytest.mark.parametrize(
    ("state", "command", "error", "reason"),
    [
        (None, Approve("r1", CAROL), RequestNotFound, GONE),  # gone from the store
        (held, Approve("r1", BOB), NotPermitted, "You are not an approver"),  # an agent, not in the chain
        (held, Approve("r1", ALICE), NotPermitted, "You are not an approver"),  # never their own
        (held, Deny("r1", MIA, "no"), NotPermitted, "You are not an approver"),  # not their level yet
        (at_level_two, Approve("r1", CAROL), TransitionNotAllowed, "Your level of this request"),
        (approved, Approve("r1", MIA), TransitionNotAllowed, "already approved"),
        (denied, Approve("r1", CAROL), TransitionNotAllowed, "already denied"),
        (held, Deny("r1", CAROL, "   "), TransitionNotAllowed, "Please say why"),  # a denial needs why
        (lambda: held(BOTH).decide(DAVE, True, "", AT), Approve("r1", DAVE), TransitionNotAllowed, "already"),
    ],
)
def test_who_may_decide_comes_from_the_stored_chain(state, command, error, reason):
    before = state() if state is not None else None
    with pytest.raises(error) as refused:
        decide(before, command, STAFF, POLICY, NOW)
    assert reason in refused.value.reason


def test_the_config_naming_someone_else_does_not_let_them_decide_a_stored_request():
    """The chain was fixed when it was requested: a type now listing BOB does not make him one."""
    policy = Policy(((TEAM, kind(Level((BOB,)), Level(field="manager"))),), wall)
    with pytest.raises(NotPermitted):
        decide(held(), Approve("r1", BOB), STAFF, policy, NOW)


def test_the_requester_approves_their_own_only_when_the_type_allows():
    outcome = decide(held(OWN), Approve("r1", ALICE), STAFF, POLICY, NOW)
    assert outcome.request is not None and outcome.request.state is State.APPROVED
    with pytest.raises(NotPermitted):
        decide(held(kind(Level((ALICE, CAROL)))), Approve("r1", ALICE), STAFF, POLICY, NOW)


# -- what a decision does, and what it owes to whom ----------------------------------------------
SHOWN = DecisionShown(WHERE, CAROL, True, 0)
SETTLED = LevelSettled(0, CAROL, True, WHERE)


@pytest.mark.parametrize(
    ("state", "command", "ends", "level", "owed"),
    [
        # the first level approved: its other DMs settled, the next level asked
        (held, Approve("r1", CAROL, "", WHERE), State.AWAITING, 1, (SHOWN, SETTLED, LevelAsked())),
        # no DM known (a form's place forgotten): nothing redrawn in place
        (held, Approve("r1", CAROL), State.AWAITING, 1, (LevelSettled(0, CAROL, True, None), LevelAsked())),
        # one of "all": the level waits for the others, nothing else is owed
        (
            lambda: held(BOTH),
            Approve("r1", DAVE, "", WHERE),
            State.AWAITING,
            0,
            (DecisionShown(WHERE, DAVE, True, 0),),
        ),
        # the last of "all" at the last level: the request becomes a ticket
        (
            lambda: held(BOTH).decide(DAVE, True, "", AT),
            Approve("r1", CAROL, "", WHERE),
            State.APPROVED,
            0,
            (SHOWN, LevelSettled(0, CAROL, True, WHERE), BecomesTicket(), WaitingSettled()),
        ),
        # the last level: approved, into the queue; the requester's waiting DM says so
        (
            at_level_two,
            Approve("r1", MIA, "ok", WHERE),
            State.APPROVED,
            1,
            (
                DecisionShown(WHERE, MIA, True, 1),
                LevelSettled(1, MIA, True, WHERE),
                BecomesTicket(),
                WaitingSettled(),
            ),
        ),
        # a denial at any level closes the request and tells the requester why
        (
            held,
            Deny("r1", CAROL, "no budget", WHERE),
            State.DENIED,
            0,
            (
                DecisionShown(WHERE, CAROL, False, 0),
                LevelSettled(0, CAROL, False, WHERE),
                DeniedTold(CAROL),
                WaitingSettled(),
            ),
        ),
        (
            at_level_two,
            Deny("r1", MIA, "not now"),
            State.DENIED,
            1,
            (LevelSettled(1, MIA, False, None), DeniedTold(MIA), WaitingSettled()),
        ),
    ],
)
def test_a_decision_moves_the_request_and_owes_its_messages(state, command, ends, level, owed):
    outcome = decide(state(), command, STAFF, POLICY, NOW)
    assert outcome.request is not None
    assert (outcome.request.state, outcome.request.level, outcome.owed) == (ends, level, owed)
    assert outcome.answer == Decided(ends)
    assert outcome.forget_forms is (ends is not State.AWAITING)  # decided: the forms' places go


def test_a_denial_keeps_its_reason_and_an_approval_its_note_in_the_trail():
    no = decide(held(), Deny("r1", CAROL, "  no budget  "), STAFF, POLICY, NOW).request
    assert no is not None and (no.reason, no.decided_at, no.trail[-1].detail) == (
        "no budget",
        NOW,
        "no budget",
    )
    yes = decide(at_level_two(), Approve("r1", MIA, "for a month"), STAFF, POLICY, NOW).request
    assert yes is not None and yes.trail[-1].detail == "level 2: for a month"


# -- the sweep: reminded once, escalated once ------------------------------------------------------
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


@pytest.mark.parametrize(
    ("state", "now", "owed"),
    [
        (held, AT + DAY - timedelta(minutes=1), None),  # not due yet
        (held, AT + DAY, (LevelAsked(reminder=True),)),  # the level reminded
        (lambda: held().remind(AT + DAY), AT + 2 * DAY, None),  # once
        (lambda: held().remind(AT + DAY), AT + 3 * DAY, (LeadsTold((LEAD,)),)),  # the team's leads told
        (held, AT + 3 * DAY, (LevelAsked(reminder=True), LeadsTold((LEAD,)))),  # both at once
        (lambda: held().remind(AT + DAY).escalate(AT + 3 * DAY), AT + 9 * DAY, None),  # once each
        # the next level is reminded in its turn, counted from when it began
        (
            lambda: held().remind(AT + DAY).decide(CAROL, True, "", AT + DAY + HOUR),
            AT + 2 * DAY + HOUR,  # before its limit (3 days from the request)
            (LevelAsked(True),),
        ),
        (approved, AT + 9 * DAY, None),  # decided: nothing more
        (denied, AT + 9 * DAY, None),
        (None, AT + 9 * DAY, None),  # gone
        (lambda: replace(held(), type_name="Retired"), AT + 9 * DAY, None),  # its type left the config
    ],
)
def test_the_sweep_reminds_and_escalates_once_each(state, now, owed):
    before = state() if state is not None else None
    outcome = decide(before, Sweep("r1"), STAFF, POLICY, now)
    if owed is None:
        assert outcome == Outcome(None)
        return
    assert before is not None and outcome.request is not None
    assert (outcome.owed, outcome.answer, outcome.forget_forms) == (owed, Swept(), False)
    assert outcome.request.reminded == (before.level if LevelAsked(True) in owed else before.reminded)
    assert outcome.request.escalated is (any(isinstance(m, LeadsTold) for m in owed) or before.escalated)


def test_a_refusal_is_a_desk_error_the_one_place_words_it():
    """Every refusal is a `DeskError` (worded by `handlers.errors`), never an answer string."""
    with pytest.raises(DeskError):
        decide(None, Deny("r1", CAROL, "no"), STAFF, POLICY, NOW)
