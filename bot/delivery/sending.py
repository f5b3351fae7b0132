"""The messages on their way to Slack at once.

The outbox sends several messages at a time, each in a conversation of its own: with Slack a
round trip away (about 0.1 s over the internet), one message after the other would cap the
desk at about ten a second, whatever Slack's pace allows (about one a second in each
channel, https://api.slack.com/methods/chat.postMessage#rate_limiting, so a desk owing many
people a line each may send many at once). Slack also keeps a workspace-wide limit it does
not publish (https://api.slack.com/docs/rate-limits): `AT_ONCE` keeps the desk well under it,
and a 429 still holds every call to the method (`bot.slack.pace`).

Each message in flight holds its *claims*: its line (the conversation it waits in) and the
thread it follows (`bot.delivery.deliveries.follows`: a card and its thread's replies, a
requester's first message and its thread). A message whose claim is held waits for the next
round, so order is kept wherever it matters: within a conversation, and within a thread that
spans two (a card in the triage channel and a reply in its thread).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

AT_ONCE = 8  # messages on their way at once, at most


class Sending:
    """The deliveries under way in one round of the outbox, and what they came to."""

    def __init__(self, at_once: int = AT_ONCE) -> None:
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
        """Send one more (waiting for a place among `at_once` first). `delivery` returns the
        seconds Slack's pace makes it wait, or 0 once it went."""
        while len(self._flying) >= self.at_once:
            await self._settle(asyncio.FIRST_COMPLETED)
        self._flying[asyncio.create_task(delivery)] = claims

    async def finish(self) -> None:
        """Wait for every message in flight; raise what one of them raised (the store could
        not write), once all have ended."""
        try:
            while self._flying:
                await self._settle(asyncio.ALL_COMPLETED)
        finally:
            if self._flying:  # the round itself was cancelled: so are its deliveries
                for task in self._flying:
                    task.cancel()
                with contextlib.suppress(BaseException):
                    await asyncio.gather(*self._flying, return_exceptions=True)
                self._flying.clear()
        if self._problem is not None:
            problem, self._problem = self._problem, None
            raise problem

    async def _settle(self, when: str) -> None:
        await asyncio.wait(self._flying, return_when=when)
        self._reap()

    def _reap(self) -> None:
        for task in [task for task in self._flying if task.done()]:
            del self._flying[task]
            if task.cancelled():
                continue
            if (problem := task.exception()) is not None:
                self._problem = self._problem or problem
            elif (wait := task.result()) > 0:
                self.soonest = min(self.soonest, wait)
            else:
                self.went = True
