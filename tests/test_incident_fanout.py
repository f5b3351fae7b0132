"""Issue 39's measure for incidents: 500 tickets linked to one parent; an update on the parent
reaches each of the 500 requesters exactly once, in their own thread, and resolving the parent
resolves the children, each requester asked to rate once; all within Slack's pace.

The local Slack enforces Slack's limits (`bot.localslack`: every method's tier, and
chat.postMessage's one a second per channel, https://api.slack.com/docs/rate-limits and
https://api.slack.com/methods/chat.postMessage#rate_limiting) and refuses with 429
`ratelimited` what Slack would; the desk keeps the same tiers in its pacer (`bot.slack.pace`).
Both read the test's clock, which the test moves on whenever the outbox is between rounds, so
Slack's minutes pass in a fraction of a second and nothing sleeps for them.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.domain.ticket import Status
from bot.flows.links import link
from bot.localslack import ChannelPace, MethodPace
from bot.slack.pace import Pacer
from tests.harness import (
    BOB,
    TRIAGE,
    Running,
    bot_posts,
    dm_of,
    outbox_arrivals,
    raise_ticket,
    running_desk,
    text_of,
)
from tests.test_storm import employees, raise_as, triage_view

LINKED = int(os.environ.get("DESK_LINKED", "500"))  # smaller to look closer (DESK_LINKED=30)
STEP = 10.0  # seconds of Slack's clock the test moves on at a time


class SlackClock:
    """Slack's seconds (the desk's pacer and the local Slack's limits read the same), moved on
    only by the test; `stamps[i]`: when the local Slack's i-th call was made, on this clock
    (read at the next step, so at most one STEP late)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.stamps: list[float] = []

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def time_passes(run: Running, clock: SlackClock) -> AsyncIterator[None]:
    """Move Slack's clock on by STEP whenever the outbox is between rounds (so none of its calls
    is on the way while the clock moves), and wake it to look again when something is owed."""

    async def tick() -> None:
        while True:
            await asyncio.sleep(0.02)
            clock.stamps += [clock.now] * (len(run.slack.calls) - len(clock.stamps))
            if not run.desk.outbox.busy:
                clock.now += STEP
                if run.desk.store.owed_view():
                    run.desk.outbox.wake()

    task = asyncio.create_task(tick())
    try:
        yield
    finally:
        task.cancel()
        clock.stamps += [clock.now] * (len(run.slack.calls) - len(clock.stamps))


def heard(run: Running, person: str, thread: str | None, words: str) -> int:
    return sum(words in text_of(m) for m in bot_posts(run.slack, dm_of(run, person), thread=thread))


async def test_an_incidents_update_reaches_500_linked_requesters_once_each_within_slacks_pace():
    clock = SlackClock()
    async with running_desk(pacer=Pacer(clock=clock)) as run:  # every method's tier
        run.slack.pace_clock = clock
        run.slack.method_pace = MethodPace()
        run.slack.channel_pace = ChannelPace()
        async with time_passes(run, clock):
            await raise_ticket(run, "The VPN is down")  # T-1, the incident
            people = employees(run, LINKED)
            for start in range(0, LINKED, 50):  # 500 reports, 50 at a time: a storm card
                batch = people[start : start + 50]
                await asyncio.gather(*(raise_as(run, user, f"VPN down ({user})") for user in batch))
            assert await run.desk.store.ticket_count() == LINKED + 1
            for number in range(2, LINKED + 2):
                await link(run.desk.desk, BOB, number, 1)
            await run.idle(timeout=120)
            children = {n: await run.desk.store.ticket(n) for n in range(2, LINKED + 2)}
            assert {t.requester for t in children.values()} == set(people)
            storms, cards = triage_view(run)
            assert len(storms) == 1
            on_storm = LINKED - sum(1 for c in cards if "T-1*" not in text_of(c))

            def top_level() -> set[str]:
                return {
                    m.ts for m in bot_posts(run.slack, TRIAGE) if m.thread_ts is None and not m.ephemeral_to
                }

            shown = top_level()

            first = len(run.slack.calls)
            await run.people.command(
                BOB, "/desk", "reply T-1 The VPN is back; we are watching it", channel=TRIAGE
            )
            await run.idle(timeout=120)
            for number, ticket in children.items():
                assert heard(run, ticket.requester, ticket.origin.thread, "The VPN is back") == 1, number
            update = run.slack.calls[first:]

            resolving = len(run.slack.calls)
            await run.people.command(BOB, "/desk", "resolve T-1 Restarted the VPN gateway", channel=TRIAGE)
            await run.idle(timeout=300)
            for number, ticket in children.items():
                now = await run.desk.store.ticket(number)
                assert now is not None and now.status is Status.RESOLVED, number
                assert heard(run, ticket.requester, ticket.origin.thread, f"resolved *T-{number}*") == 1
                assert heard(run, ticket.requester, None, "How did we do") == 1, number
            # the children stay on the storm card, now counted resolved: no card of their own
            # trickles into the triage channel at one a second
            assert top_level() == shown
            assert f"{on_storm:,} resolved" in text_of(triage_view(run)[0][0])

        assert outbox_arrivals(run.slack) and max(outbox_arrivals(run.slack).values()) == 1, "none twice"
        refused = Counter(c.method for c in run.slack.calls if c.error == "ratelimited")
        assert all(c.error == "ratelimited" for c in run.slack.errors()), run.slack.errors()[:3]
        assert refused == Counter(), f"the desk kept Slack's pace: {refused}"

        def spread(calls: list, offset: int, method: str) -> tuple[int, float]:
            at = [
                clock.stamps[offset + i]
                for i, c in enumerate(calls)
                if c.method == method and c.status == 200
            ]
            return len(at), max(at) - min(at)

        posts, over = spread(update, first, "chat.postMessage")
        edits, edited_over = spread(run.slack.calls[resolving:], resolving, "chat.update")
        print(  # spans on Slack's clock, which moves between the outbox's rounds: upper bounds
            f"\n{LINKED} linked: the update went out in {posts} posts within {over:.0f}s of Slack's "
            f"clock; the resolution's {edits} edits (requesters' confirmations, Tier 3: at most "
            f"50 a minute) within {edited_over:.0f}s; Slack refused none"
        )
