"""Several messages on their way at once (`bot.delivery.sending`): how many, and when one waits.

The outbox's own tests (tests/test_outbox.py) show it end to end with the local Slack holding
its answers; here, the rules alone, with deliveries the test finishes itself."""

from __future__ import annotations

import asyncio

import pytest

from bot.delivery.deliveries import claims_of, line_of, threads_of
from bot.delivery.sending import AT_ONCE, QUIET, Requests, Sending
from bot.domain.notices import TRIAGE, to_person
from bot.domain.owed import (
    Card,
    CardThread,
    ConfirmationOf,
    Conversation,
    DirectMessage,
    NoticeOf,
    Post,
    RequesterThread,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def delivery(finished: asyncio.Future[float]) -> float:
    return await finished


async def yielded() -> None:
    """Let every task that can run, run (each step below finishes in a bounded number of them)."""
    for _ in range(10):
        await asyncio.sleep(0)


async def test_while_requests_arrive_one_message_goes_at_a_time_and_several_once_they_stop():
    clock = Clock()
    requests = Requests(clock)
    assert requests.at_once() == AT_ONCE  # none yet
    requests.arrived()
    assert requests.at_once() == 1
    loop = asyncio.get_running_loop()
    sending = Sending(requests.at_once)
    first, second = loop.create_future(), loop.create_future()
    await sending.start(frozenset({"dm:U1"}), delivery(first))
    waiting = asyncio.ensure_future(sending.start(frozenset({"dm:U2"}), delivery(second)))
    await yielded()
    assert not waiting.done(), "the second waits for the first while requests arrive"
    first.set_result(0.0)
    await asyncio.wait_for(waiting, 5)  # its place came when the first was answered
    assert sending.went

    third = loop.create_future()
    waiting = asyncio.ensure_future(sending.start(frozenset({"dm:U3"}), delivery(third)))
    await yielded()
    assert not waiting.done(), "still waiting for the second"
    clock.now += 2 * QUIET  # a lull: several at once again, without waiting for the slow one
    assert requests.at_once() == AT_ONCE
    await asyncio.wait_for(waiting, 5)
    more = [loop.create_future() for _ in range(AT_ONCE - 2)]  # with U2 and U3: AT_ONCE in all
    for n, finished in enumerate(more):
        await asyncio.wait_for(sending.start(frozenset({f"dm:V{n}"}), delivery(finished)), 5)  # none waits
    for finished in (second, third, *more):
        finished.set_result(0.0)
    await sending.finish()


async def test_a_claim_in_flight_holds_its_line_and_thread_and_what_slacks_pace_held_is_kept():
    loop = asyncio.get_running_loop()
    sending = Sending()
    card = loop.create_future()
    await sending.start(frozenset({"C-TRIAGE", "ticket:7"}), delivery(card))
    assert sending.holds(frozenset({"C-PEOPLE", "ticket:7"})), "its thread, in another line"
    assert sending.holds(frozenset({"C-TRIAGE"})), "its line"
    assert not sending.holds(frozenset({"dm:U1", "origin:7"}))
    card.set_result(2.5)  # Slack's pace: it waits 2.5 s, not delivered
    await yielded()
    assert not sending.holds(frozenset({"ticket:7"}))  # answered: its claims are free
    await sending.finish()
    assert (sending.went, sending.soonest) == (False, 2.5)


async def test_what_one_delivery_raised_is_raised_once_the_others_have_ended():
    loop = asyncio.get_running_loop()
    sending = Sending()
    slow = loop.create_future()

    async def cannot_write() -> float:
        raise OSError("disk full")

    await sending.start(frozenset({"a"}), cannot_write())
    await sending.start(frozenset({"b"}), delivery(slow))
    finishing = asyncio.ensure_future(sending.finish())
    await yielded()
    assert not finishing.done(), "the other is still on its way"
    slow.set_result(0.0)
    with pytest.raises(OSError, match="disk full"):
        await finishing
    assert sending.went  # the other went


@pytest.mark.parametrize(
    ("message", "threads"),
    [
        (Card(7), {"ticket:7"}),
        (Post(Conversation("C-PEOPLE"), "note", [], CardThread(7)), {"ticket:7"}),  # its card first
        (NoticeOf(7, "first_response:warn", TRIAGE), {"ticket:7"}),
        (NoticeOf(7, "first_response:breach", to_person("U-LEAD")), {"ticket:7"}),  # links to the card
        (Post(DirectMessage("U1"), "assigned", [], about=7), {"dm:U1:ticket:7", "ticket:7"}),
        (
            Post(Conversation("D1"), "resolved", [], RequesterThread(7), remember=("resolution", 7)),
            {"origin:7"},
        ),
        (Post(DirectMessage("U1"), "how did we do?", [], remember=("rating", 7)), {"origin:7"}),  # after it
        (ConfirmationOf(7, None), set()),  # its redraw holds up nothing
        (ConfirmationOf(7, "D1"), set()),  # its first sending waits in the line of the thread's posts
        (Post(DirectMessage("U2"), "approve?", [], remember=("approval_dm", "r1:U2")), set()),
        (Post(Conversation("C1"), "hello", []), set()),
    ],
)
def test_the_threads_a_message_keeps_its_place_in(message, threads):
    """What a message on its way, or waiting its turn, holds beside its line (`threads_of`)."""
    assert threads_of(message) == threads
    assert claims_of(message, "C-TRIAGE") == frozenset({line_of(message, "C-TRIAGE"), *threads})
