"""What the desk owes Slack goes out as soon as Slack is back (issue 41, finding 13).

While Slack does not answer, each owed message's back-off grows (up to a minute); the answer a
newcomer waited for took ~21 s to appear after Slack came back in the sandbox. The outbox now
asks Slack (`auth.test`, every `PROBE_EVERY` seconds, one call however much is owed) while it
does not answer, and the first answer, to that or to any other call of the desk's, makes every
message waiting on such a back-off due at once.

The tests hold the outbox's back-off at ten minutes, so nothing here can be the back-off
ending: the message arrives while its recorded `next_at` is still minutes away, and the desk's
own clock (the test's) never moves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.delivery.outbox import PROBE_EVERY
from bot.outbox_command import waiting
from bot.slack.gateway import Backoff
from tests.harness import ALICE, BOB, dm_of, running_desk, settle, text_of
from tests.test_one_road import questions

LONG = 600.0  # seconds: the back-off the owed message is given while Slack is down


@dataclass(frozen=True)
class Long(Backoff):
    """A back-off of ten minutes, every time (no jitter)."""

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        return LONG


async def owed_after_a_failed_try(run) -> list:
    """What is owed once the outbox has tried it at least once and Slack failed it."""
    found: list = []

    async def tried() -> bool:
        found[:] = await waiting(run.desk.desk)
        return bool(found) and all(item.attempts >= 1 for item in found)

    await settle(tried, timeout=10)
    return found


async def _nothing_owed(run) -> bool:
    """The owed list is empty: the strike is committed just after Slack took the post."""
    return await waiting(run.desk.desk) == []


async def test_a_request_made_while_slack_is_down_is_answered_within_seconds_of_slack_returning():
    async with running_desk() as run:
        run.desk.outbox.backoff = Long()
        desk_time = run.clock.now()
        run.slack.faults.down = True
        _, delivery = await run.people.say(ALICE, dm_of(run), "My laptop won't boot")
        assert delivery is not None and delivery.status == 200
        [owed] = await owed_after_a_failed_try(run)
        assert owed.what == "an intake question" and owed.place == dm_of(run) and owed.parked is None
        [entry] = run.desk.store.owed_view().values()
        assert entry.next_at > run.clock.now().timestamp() + LONG - 60, (
            "the old way: not tried again for minutes"
        )
        assert questions(run) == [], "nothing reached Slack while it was down"
        assert run.desk.outbox.slack_away

        run.slack.faults.down = False  # nothing else: no switch, no new request, no clock move
        back = time.monotonic()
        await settle(lambda: questions(run), timeout=PROBE_EVERY + 8)
        assert run.clock.now().timestamp() < entry.next_at, (
            "delivered before its back-off ended (on the desk's clock)"
        )
        assert time.monotonic() - back < PROBE_EVERY + 8 < LONG
        [question] = questions(run)
        assert "My laptop won't boot" in text_of(question)
        await settle(lambda: _nothing_owed(run), timeout=10)  # its strike follows the post
        assert await waiting(run.desk.desk) == [], "nothing is owed any more"
        assert run.clock.now() == desk_time, "the desk's clock never moved"
        assert not run.desk.outbox.slack_away
        probes = [c for c in run.slack.calls if c.method == "auth.test"]
        assert probes and probes[-1].error is None, "Slack was asked whether it is back, and said yes"


async def test_slack_answering_any_call_of_the_desks_sends_what_waited_at_once():
    """Any call of the desk's that Slack answers (here the desk asking Slack who Bob is, as a
    listener does) is the news: the outbox does not wait for its own question."""
    async with running_desk() as run:
        run.desk.outbox.backoff = Long()
        run.desk.outbox._probed = float("inf")  # its own question never asked: only the listener's call
        run.slack.faults.down = True
        await run.people.say(ALICE, dm_of(run), "The VPN drops every hour")
        await owed_after_a_failed_try(run)
        run.slack.faults.down = False
        since = len(run.slack.calls)
        assert questions(run) == []
        await run.desk.desk.slack.display_name(BOB)  # users.info, through the desk's own gateway
        await settle(lambda: questions(run), timeout=5)
        await settle(lambda: _nothing_owed(run), timeout=10)  # its strike follows the post
        assert "auth.test" not in [c.method for c in run.slack.calls[since:]], "the outbox asked nothing"
