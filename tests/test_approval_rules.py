"""The approval chain's rules, pure (`bot.domain.approval`): who may decide, one or all,
approve and deny, the trail, and when reminders and escalations fall due."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.approval import (
    FormField,
    Kind,
    Level,
    Need,
    RequestType,
    State,
    chain_for,
    percentile,
    request,
)
from bot.domain.errors import NotPermitted, TransitionNotAllowed
from bot.domain.priority import Priority

ALICE, CAROL, DAVE, ERIN, MIA = "U0ALICE01", "U0CAROL01", "U0DAVE001", "U0ERIN001", "U0MIA0001"
AT = datetime(2026, 3, 4, 10, tzinfo=ZoneInfo("Europe/Berlin"))
MANAGER = FormField("manager", "Your manager", Kind.PERSON)
SYSTEM = FormField("system", "System", Kind.SELECT, options=("VPN", "Payroll"))


def kind(*levels: Level, self_approval: bool = False) -> RequestType:
    return RequestType(
        "Access to a system", "", (SYSTEM, MANAGER), Priority.P3, "Access", levels, self_approval
    )


ACCESS = kind(Level((CAROL,)), Level(field="manager"))
BOTH = kind(Level((CAROL, DAVE), need=Need.ALL))


def new(k: RequestType = ACCESS, values: dict[str, str] | None = None, requester: str = ALICE):
    values = values or {"system": "VPN", "manager": MIA}
    return request("r1", k, requester, "Access", "VPN", values, chain_for(k, requester, values), AT)


def wall(start: datetime, span: timedelta) -> datetime:
    return start + span


@pytest.mark.parametrize(
    ("k", "values", "requester", "chain"),
    [
        (ACCESS, {"manager": MIA}, ALICE, ((CAROL,), (MIA,))),  # fixed, then from the form
        (BOTH, {}, ALICE, ((CAROL, DAVE),)),
        (kind(Level((CAROL, ALICE))), {}, ALICE, ((CAROL,),)),  # never their own request
        (kind(Level((ALICE,)), self_approval=True), {}, ALICE, ((ALICE,),)),  # unless allowed
        (kind(Level((CAROL,), field="manager")), {"manager": CAROL}, ALICE, ((CAROL,),)),  # once
    ],
)
def test_the_chain_is_fixed_from_config_and_form_when_requested(k, values, requester, chain):
    assert chain_for(k, requester, values) == chain


@pytest.mark.parametrize(
    ("k", "values", "words"),
    [
        (ACCESS, {"manager": ALICE}, "You can't approve your own request"),
        (kind(Level((ALICE,))), {}, "Nobody can approve level 1"),
    ],
)
def test_a_level_with_nobody_left_refuses_the_request(k, values, words):
    with pytest.raises(NotPermitted, match=words):
        chain_for(k, ALICE, values)


def test_two_levels_approved_in_turn_approve_the_request():
    first = new().decide(CAROL, True, "", AT + timedelta(hours=1))
    assert first.pending and first.level == 1 and first.deciders == (MIA,)
    done = first.decide(MIA, True, "ok for a month", AT + timedelta(hours=2))
    assert done.state is State.APPROVED and done.decided_at == AT + timedelta(hours=2)
    assert [(s.actor, s.action, s.detail) for s in done.trail] == [
        (ALICE, "requested", "Access to a system"),
        (CAROL, "approved", "level 1"),
        (MIA, "approved", "level 2: ok for a month"),
    ]


@pytest.mark.parametrize(
    ("who", "error"),
    [
        (MIA, NotPermitted),  # the next level's approver, too early
        (ALICE, NotPermitted),  # the requester
        (ERIN, NotPermitted),  # anyone else
    ],
)
def test_only_the_pending_levels_approvers_decide(who, error):
    ticket = new()
    with pytest.raises(error):
        ticket.decide(who, True, "", AT)


def test_all_needs_every_approver_and_one_cannot_count_twice():
    one = new(BOTH, {}).decide(DAVE, True, "", AT)
    assert one.pending and one.deciders == (CAROL,)
    with pytest.raises(TransitionNotAllowed, match="already approved"):
        one.decide(DAVE, True, "", AT)
    assert one.decide(CAROL, True, "", AT).state is State.APPROVED


def test_a_denial_needs_a_reason_and_ends_the_request():
    with pytest.raises(TransitionNotAllowed, match="say why"):
        new().decide(CAROL, False, "  ", AT)
    denied = new().decide(CAROL, False, "Not for contractors", AT)
    assert denied.state is State.DENIED and denied.reason == "Not for contractors"
    assert denied.deciders == ()
    with pytest.raises(TransitionNotAllowed, match="already denied"):
        denied.decide(CAROL, True, "", AT)


def test_fields_are_locked_while_pending_only():
    with pytest.raises(TransitionNotAllowed, match="locked"):
        new().check_editable()
    new().decide(CAROL, False, "no", AT).check_editable()


@pytest.mark.parametrize(
    ("steps", "reminder", "escalation"),
    [
        ([], AT + timedelta(days=1), AT + timedelta(days=3)),
        (["remind"], None, AT + timedelta(days=3)),  # once per level
        (["remind", "approve"], AT + timedelta(days=1, hours=5), AT + timedelta(days=3)),  # next level
        (["escalate"], AT + timedelta(days=1), None),  # the leads are told once
        (["deny"], None, None),
    ],
)
def test_reminders_and_escalations_fall_due_once(steps, reminder, escalation):
    a = new()
    for step in steps:
        if step == "remind":
            a = a.remind(AT + timedelta(days=1))
        elif step == "approve":
            a = a.decide(CAROL, True, "", AT + timedelta(hours=5))
        elif step == "escalate":
            a = a.escalate(AT + timedelta(days=3))
        else:
            a = a.decide(CAROL, False, "no", AT)
    assert a.reminder_due(ACCESS, wall) == reminder
    assert a.escalation_due(ACCESS, wall) == escalation


@pytest.mark.parametrize(
    ("hours", "share", "expected"),
    [([], 0.5, None), ([1], 0.9, 1), ([1, 2, 3, 4], 0.5, 2), ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9)],
)
def test_approval_time_percentiles_are_nearest_rank(hours, share, expected):
    got = percentile([timedelta(hours=h) for h in hours], share)
    assert got == (timedelta(hours=expected) if expected is not None else None)
