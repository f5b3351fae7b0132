"""Waiting on the requester (SPEC §10): `/wait` or the card's button asks the requester, the
resolution clock pauses until they answer in the ticket's thread, one reminder comes after
`pending.remind_after` and the ticket closes after `pending.close_after`, once each across
restarts."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.errors import TransitionNotAllowed
from bot.domain.escalation import EscalationPolicy, due_notices
from bot.domain.policy import Clock, SlaPolicy, WorkingCalendar
from bot.domain.sla import SlaClock, Target, state_of
from bot.domain.ticket import Action, Status
from bot.i18n import words_for
from bot.slack.when import target_line
from store import store_from_url
from tests.factories import make_ticket
from tests.harness import (
    ALICE,
    BOB,
    TRIAGE,
    bot_posts,
    clock_at,
    dm_of,
    local_slack,
    raise_ticket,
    running_desk,
    settle,
    text_of,
    ticket_where,
)

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
CALENDAR = WorkingCalendar(BERLIN, time(9), time(17), frozenset({0, 1, 2, 3, 4}), frozenset())
WALL = SlaClock(SlaPolicy(H, 8 * H, Clock.ALWAYS), CALENDAR)
BUSINESS = SlaClock(SlaPolicy(H, 8 * H, Clock.BUSINESS), CALENDAR)
MONDAY_10 = datetime(2026, 11, 23, 10, tzinfo=BERLIN)


def claimed_then_waited(opened: datetime, waited_at: datetime, answered_at: datetime | None):
    ticket = make_ticket(at=opened).claim(BOB, opened + timedelta(minutes=5))
    ticket = ticket.wait_on_requester(BOB, "Which floor?", waited_at)
    if answered_at is not None:
        ticket = ticket.record(Action.FOLLOW_UP, ALICE, "Floor 2", answered_at)
    return ticket


# -- the clock, pure ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("clock", "wait", "answer", "moved"),
    [
        (WALL, MONDAY_10 + H, MONDAY_10 + 3 * H, 2 * H),  # two hours waited: due two hours later
        (WALL, MONDAY_10 + H, MONDAY_10 + 50 * H, 49 * H),  # over two nights: wall time counts all
        (BUSINESS, MONDAY_10 + H, MONDAY_10 + 3 * H, 2 * H),  # inside business hours
        # 11:00 Monday to 10:00 Tuesday: 6 working hours Monday and 1 Tuesday were waited
        (BUSINESS, MONDAY_10 + H, MONDAY_10 + 24 * H, 7 * H),
    ],
)
def test_the_resolution_due_time_moves_by_exactly_the_time_waited(clock, wait, answer, moved):
    never = make_ticket(at=MONDAY_10).claim(BOB, MONDAY_10 + timedelta(minutes=5))
    plain_due = state_of(never, clock, Target.RESOLUTION, answer).due
    ticket = claimed_then_waited(MONDAY_10, wait, answer)
    later = answer + H
    state = state_of(ticket, clock, Target.RESOLUTION, later)
    assert state.due == clock.reach(plain_due, moved) if clock.business else state.due == plain_due + moved
    assert state.left == state_of(never, clock, Target.RESOLUTION, later).left + moved


def test_while_waiting_the_resolution_target_neither_runs_nor_escalates():
    ticket = claimed_then_waited(MONDAY_10, MONDAY_10 + H, None)
    assert ticket.status is Status.WAITING and ticket.waiting_since == MONDAY_10 + H
    policy = EscalationPolicy(warn_at=0.5, leads_at=1.5, late_after=timedelta(minutes=2), leads=("U0LEAD1",))
    days_later = MONDAY_10 + 72 * H
    assert due_notices(ticket, WALL, policy, days_later) == [], "paused: nothing falls due"
    frozen = state_of(ticket, WALL, Target.RESOLUTION, days_later)
    assert frozen.left == 8 * H - H and not frozen.breached, "the hour before the wait, no more"
    resumed = ticket.record(Action.FOLLOW_UP, ALICE, "Floor 2", days_later)
    assert resumed.status is Status.CLAIMED and resumed.waits[-1].until == days_later
    assert [n.level.value for n in due_notices(resumed, WALL, policy, days_later + 3 * H)] == ["at_risk"]


def test_a_paused_target_says_so_and_shows_no_due_time_that_would_move():
    ticket = claimed_then_waited(MONDAY_10, MONDAY_10 + H, None)
    state = state_of(ticket, WALL, Target.RESOLUTION, MONDAY_10 + 5 * H)
    assert state.paused
    assert (
        target_line(state, BERLIN, business=False)
        == "resolution paused while waiting on the requester (7h left)"
    )
    answered = ticket.record(Action.FOLLOW_UP, ALICE, "Floor 2", MONDAY_10 + 5 * H)
    running = state_of(answered, WALL, Target.RESOLUTION, MONDAY_10 + 5 * H)
    assert not running.paused and target_line(running, BERLIN, business=False).startswith(
        "resolution due in 7h"
    )


def test_what_may_happen_to_a_waiting_ticket():
    ticket = claimed_then_waited(MONDAY_10, MONDAY_10 + H, None)
    with pytest.raises(TransitionNotAllowed):
        ticket.claim("U0DAVE001", MONDAY_10 + 2 * H)
    asked_again = ticket.wait_on_requester(BOB, "And which room?", MONDAY_10 + 2 * H)
    assert len(asked_again.waits) == 1, "asking again keeps the same wait"
    resolved = ticket.resolve(BOB, "Fixed anyway", MONDAY_10 + 3 * H)
    assert resolved.status is Status.RESOLVED and resolved.waits[-1].until == MONDAY_10 + 3 * H
    unclaimed = make_ticket(at=MONDAY_10).wait_on_requester(BOB, "Which floor?", MONDAY_10 + H)
    assert unclaimed.assignee == BOB and unclaimed.first_response_at == MONDAY_10 + H, "asking answers it"


# -- through the local Slack ----------------------------------------------------------------------
def in_thread(run, words: str) -> list:
    return [m for m in bot_posts(run.slack, dm_of(run)) if words in text_of(m)]


async def test_wait_asks_the_requester_and_her_answer_puts_it_back_with_the_agent():
    async with running_desk() as run:
        confirmation, card = await raise_ticket(run)
        await run.people.press(BOB, card, "Claim")
        await settle(lambda: "Claimed by" in text_of(card))
        delivery = await run.people.command(
            BOB, "/desk", "wait T-1 Which floor is the printer on?", channel=TRIAGE
        )
        assert delivery.status == 200
        await run.idle()
        [asked] = in_thread(run, "Which floor is the printer on?")
        assert asked.thread_ts == confirmation.ts, "in the ticket's thread"
        assert "is waiting on" in text_of(card) and "resolution clock is paused" in text_of(card)
        assert (await run.desk.store.ticket(1)).status is Status.WAITING
        await run.people.say(ALICE, dm_of(run), "Floor 2, by the kitchen", thread=confirmation.ts)
        await settle(lambda: ticket_where(run, 1, lambda t: t.status is Status.CLAIMED))
        await run.idle()
        told = [m for m in bot_posts(run.slack, dm_of(run, BOB)) if "answered on *T-1*" in text_of(m)]
        assert len(told) == 1 and "Floor 2, by the kitchen" in text_of(told[0])
        assert "Claimed by" in text_of(card) and "waiting on" not in text_of(card)


async def test_a_wait_with_nothing_written_asks_the_desks_question_in_the_requesters_language():
    async with running_desk(desk={"language": "zh-CN"}) as run:  # Alice's Slack speaks en-US
        confirmation, _ = await raise_ticket(run)
        await run.people.command(BOB, "/desk", "wait T-1", channel=TRIAGE)
        await settle(lambda: ticket_where(run, 1, lambda t: t.status is Status.WAITING))
        await run.idle()
        question = "Could you tell us a little more, so we can go on?"
        assert words_for("zh-CN").t(question) != question, "the desk's own language would differ"
        [asked] = in_thread(run, question)
        assert asked.thread_ts == confirmation.ts
        assert (await run.desk.store.ticket(1)).question == question, "kept as she was asked"


async def test_the_cards_button_asks_with_a_form():
    async with running_desk() as run:
        _, card = await raise_ticket(run)
        await run.people.press(BOB, card, "Claim")
        await settle(lambda: "Waiting on requester" in str(card.blocks))
        await run.people.press(BOB, card, "Waiting on requester")
        await settle(lambda: run.slack.workspace.views)
        [view] = run.slack.workspace.views.values()
        await run.people.submit(BOB, view.id, {"text": {"value": "Is it plugged in?"}})
        await settle(lambda: ticket_where(run, 1, lambda t: t.status is Status.WAITING))
        await run.idle()
        assert len(in_thread(run, "Is it plugged in?")) == 1


async def test_one_reminder_then_closed_once_each_across_restarts(tmp_path):
    url = f"tinydb://{tmp_path}/desk.json"
    pending = {"pending": {"remind_after": "2d", "close_after": "5d"}}
    async with local_slack() as slack:
        async with running_desk(url, slack=slack, **pending) as run:
            _, card = await raise_ticket(run)
            await run.people.press(BOB, card, "Claim")
            await run.people.command(BOB, "/desk", "wait T-1 Which floor?", channel=TRIAGE)
            await settle(lambda: ticket_where(run, 1, lambda t: t.status is Status.WAITING))
            await run.idle()
            waited_at = (await run.desk.store.ticket(1)).waiting_since
        for hours in (47, 49, 50):  # just before two days, just after, and again after a restart
            async with running_desk(
                url, slack=slack, clock=clock_at(waited_at + hours * H), **pending
            ) as again:
                await again.sweep()
        reminders = [m for m in bot_posts(slack, dm_of(again)) if "A reminder about *T-1*" in text_of(m)]
        assert len(reminders) == 1 and "Which floor?" in text_of(reminders[0])
        for hours in (119, 121, 122):
            async with running_desk(
                url, slack=slack, clock=clock_at(waited_at + hours * H), **pending
            ) as again:
                await again.sweep()
        closed = [m for m in bot_posts(slack, dm_of(again)) if "is closed: we asked a question" in text_of(m)]
        assert len(closed) == 1 and "The problem is back" in str(closed[0].blocks)
    store = store_from_url(url)
    await store.open()
    ticket = await store.ticket(1)
    await store.close()
    assert ticket.status is Status.RESOLVED and ticket.assignee == BOB, "closed by the desk, still Bob's"
    assert ticket.resolution_note.startswith("Closed: no answer to the question in 5d")
    assert not ticket.notices, "no escalation while it waited five days on an 8h target"
