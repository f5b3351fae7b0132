"""The messages on their way to Slack at once.

The outbox sends several messages at a time, each in a conversation of its own: with Slack a
round trip away (about 0.1 s over the internet), one message after the other would cap the
desk at about ten a second, whatever Slack's pace allows (about one a second in each
channel, https://api.slack.com/methods/chat.postMessage#rate_limiting, so a desk owing many
people a line each may send many at once). Slack also keeps a workspace-wide limit it does
not publish (https://api.slack.com/docs/rate-limits): `AT_ONCE` keeps the desk well under it,
and a 429 still holds every call to the method (`bot.slack.pace`).

While Slack's requests keep arriving (`Requests`), the outbox sends one message at a time, as
it always did: an ack has three seconds and a person waiting on it, a message owed to Slack
neither, so the acks have the event loop first; between bursts it sends `AT_ONCE`.

Each message in flight holds its *claims* (`bot.delivery.deliveries.claims_of`): its line (the
conversation it waits in) and its threads (a card and its thread's replies, a requester's
first message and its thread; a DM about a ticket, the card it links to). A message whose
claim is held waits for the next round, so order is kept wherever it matters: within a
conversation, and within a thread that spans two (a card in the triage channel and a reply in
its thread).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger("desk.outbox")
AT_ONCE = 8  # messages on their way at once, at most
QUIET = 0.05  # seconds without a request before several go at once again


class Requests:
    """When Slack's last request (a command, a click, a form, an event) reached the desk."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock  # monotonic: a span of real time, not a time of the desk's world
        self.last = float("-inf")

    def arrived(self) -> None:
        self.last = self.clock()

    def at_once(self) -> int:
        """How many messages may be on their way now: one while requests keep arriving."""
        return 1 if self.clock() - self.last < QUIET else AT_ONCE


class Sending:
    """The deliveries under way in one round of the outbox, and what they came to."""

    def __init__(self, at_once: Callable[[], int] = lambda: AT_ONCE) -> None:
        self.at_once = at_once
        self._flying: dict[asyncio.Task[float], frozenset[str]] = {}
        self.went = False  # a message went (or settled: failed, parked, no longer needed)
        self.soonest = 60.0  # seconds until one Slack's pace held may go
        self._problem: BaseException | None = None

    def holds(self, claims: frozenset[str]) -> bool:
        """Whether a message in flight holds one of these claims (its line, its thread)."""
        self._reap()
        return any(claims & held for held in self._flying.values())

    @property
    def failed(self) -> bool:
        return self._problem is not None

    async def start(self, claims: frozenset[str], delivery: Coroutine[Any, Any, float]) -> None:
        """Send one more (waiting for a place among `at_once()` first). `delivery` returns the
        seconds Slack's pace makes it wait, or 0 once it went."""
        try:
            while len(self._flying) >= self.at_once():  # asked again as requests stop coming
                await asyncio.wait(self._flying, timeout=QUIET, return_when=asyncio.FIRST_COMPLETED)
                self._reap()
        except BaseException:
            delivery.close()  # never started
            raise
        self._flying[asyncio.create_task(delivery)] = claims

    async def finish(self) -> None:
        """Wait for every message in flight; raise what one of them raised (the store could
        not write), once all have ended."""
        try:
            while self._flying:
                await asyncio.wait(self._flying)
                self._reap()
        except BaseException:  # the round itself was cancelled: so are its deliveries
            self.abandon()
            raise
        if self._problem is not None:
            problem, self._problem = self._problem, None
            raise problem

    def abandon(self) -> None:
        """Cancel what is on its way (the worker is cancelled: the desk is stopping; what was
        owed is looked for in Slack before it is sent again, after the next start)."""
        for task in self._flying:
            task.cancel()
        self._flying.clear()

    def _reap(self) -> None:
        for task in [task for task in self._flying if task.done()]:
            del self._flying[task]
            if task.cancelled():
                continue
            if (problem := task.exception()) is not None:
                if self._problem is not None:  # only the first is raised: the rest are logged
                    log.error("delivery failed", exc_info=problem)
                self._problem = self._problem or problem
            elif (wait := task.result()) > 0:
                self.soonest = min(self.soonest, wait)
            else:
                self.went = True
