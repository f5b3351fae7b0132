"""The approval chain's rules, pure (`bot.domain.approval`): who may decide, one or all,
approve and deny, the trail, and when reminders and escalations fall due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
from bot.slack.approval_blocks import field_lines, labelled

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


def test_the_approvers_and_requesters_dms_render_in_chinese_without_english_left():
    """What approvers and requesters read of an approval, in a zh-CN reader's language (the
    type's own name and fields are the config's words: Chinese here)."""
    from bot.domain.approval import Approval, Need, State
    from bot.i18n import words_for
    from bot.slack import approval_blocks as ab
    from tests.test_i18n import all_text, english_left

    zh, zone, at = words_for("zh-CN"), ZoneInfo("Asia/Shanghai"), datetime(2026, 3, 4, 9, tzinfo=UTC)
    held = Approval(
        id="3153f8aa0000",
        requester="U0ALICE01",
        type_name="系统权限",
        category="权限",
        priority=Priority.P3,
        text="系统权限：月末结账",
        fields=(("哪个系统", "VPN"), ("你的经理", "U0ERIN001")),
        chain=(("U0CAROL01", "U0BOB0001"), ("U0ERIN001",)),
        needs=(Need.ONE, Need.ONE),
        requested_at=at,
    )
    denied = held.decide("U0CAROL01", False, "本季度不行", at)
    approved = held.decide("U0CAROL01", True, "", at)
    shown = [
        ab.approver_request(held, zone, words=zh),
        ab.approver_request(held, zone, reminder=True, words=zh),
        ab.decided(denied, "U0CAROL01", False, zone, zh),
        ab.decided(approved, "U0CAROL01", True, zone, zh),
        ab.settled(approved, "U0CAROL01", True, at, zone, zh),
        ab.settled(denied, "U0CAROL01", False, at, zone, zh),
        ab.denied(denied, "U0CAROL01", zh),
        ab.overdue(held, at, zone, zh),
        ab.waiting(held, zh),
        ab.outcome(denied, None, zh),
        ab.outcome(approved, "T-7", zh),
        ab.decision_form(held.id, approve=False, words=zh),
        ab.decision_form(held.id, approve=True, words=zh),
    ]
    for found in shown:
        assert english_left(all_text(found)) == [], found
    assert denied.state is State.DENIED


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("Your manager", "Your manager:"),
        ("Which system?", "Which system?"),
        ("为什么？", "为什么？"),
        ("Note:", "Note:"),
    ],
)
def test_a_field_label_gets_a_colon_unless_it_ends_in_its_own_mark(label, shown):
    assert labelled(label) == shown
    assert field_lines(((label, "VPN"),)) == f"*{shown}* VPN"
