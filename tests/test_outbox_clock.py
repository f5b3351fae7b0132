"""The outbox on the desk's clock (issue 36): when a message may be tried again is a time of
the desk's world, so the test's clock, moved forward, lets a retry go at once, with no wait on
the machine's time; a clock that stands still lets nothing go early."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from bot.delivery.owed import owe
from bot.domain.owed import Conversation, Post
from bot.slack.blocks import section
from bot.slack.gateway import Backoff
from tests.harness import TRIAGE, bot_posts, running_desk, settle, text_of
from tests.test_parking import ids

LONG = 600.0  # seconds: every back-off here, far longer than any test may take


@dataclass(frozen=True)
class Long(Backoff):
    """Ten minutes, every time (no jitter)."""

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        return LONG


def arrived(run, words: str) -> list:
    return [m for m in bot_posts(run.slack, TRIAGE) if words in text_of(m)]


async def test_the_tests_clock_moved_past_a_back_off_sends_the_retry_without_waiting():
    async with running_desk() as run:
        run.desk.outbox.backoff = Long()
        began = time.monotonic()
        # Slack refuses the post once (an error it does not say passes: retried after a back-off,
        # not an outage, so no "Slack is back" shortcut applies), then takes it.
        run.slack.faults.refuse("chat.postMessage", "msg_too_long", times=1, when=ids("m1"))
        desk_time = run.clock.now()
        async with run.desk.store.transaction() as tx:
            owe(tx, "m1", Post(Conversation(TRIAGE), "Printer on floor 3", [section("Printer on floor 3")]))
        run.desk.outbox.wake()

        async def refused_once() -> bool:
            entry = run.desk.store.owed_view().get("m1")
            return entry is not None and entry.refusals == 1

        await settle(refused_once)
        entry = run.desk.store.owed_view()["m1"]
        assert entry.since == desk_time.timestamp(), "owed at the desk's time"
        assert entry.next_at == desk_time.timestamp() + LONG, (
            "tried again ten minutes later, on the desk's clock"
        )
        await run.desk.outbox.a_round()
        assert arrived(run, "Printer on floor 3") == [], "the clock stood still: nothing went early"
        assert not run.desk.outbox.slack_away

        run.clock.advance(timedelta(seconds=LONG + 1))  # the test's clock, not the machine's
        await run.desk.outbox.a_round()
        await settle(lambda: arrived(run, "Printer on floor 3"))
        assert "m1" not in run.desk.store.owed_view()
        assert time.monotonic() - began < LONG, "the back-off ended by the desk's clock, not by waiting"


async def test_a_message_tried_until_parked_is_timed_on_the_desks_clock_and_retried_in_elapsed_time():
    async with running_desk() as run:
        run.clock.advance(timedelta(days=3))  # the desk's time is far from the machine's
        desk_now = run.clock.now().timestamp()
        run.slack.faults.refuse("chat.postMessage", "is_archived", when=ids("m2"))
        async with run.desk.store.transaction() as tx:
            owe(tx, "m2", Post(Conversation(TRIAGE), "Badge reader", [section("Badge reader")]))
        run.desk.outbox.wake()

        async def parked() -> bool:
            entry = run.desk.store.owed_view().get("m2")
            return entry is not None and entry.parked is not None

        await settle(parked, timeout=10)
        entry = run.desk.store.owed_view()["m2"]
        assert entry.since == desk_now and entry.parked_at >= desk_now
        assert entry.parked_at < desk_now + 60, "parked at the desk's time, not the machine's"
        assert run.desk.outbox.backlog()["oldest_parked_s"] < 60
