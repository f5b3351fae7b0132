"""One leader among the desks on a store (SPEC §12): any desk acks and handles requests, but
only the leader runs the scheduler's jobs and delivers the outbox, so nothing scheduled is done
twice (APScheduler's FAQ: a job store shared by processes runs jobs in each).

With a store only one desk can use, the desk leads from the start. With PostgreSQL, the desks
compete for the store's leader lock (`store.postgres_store.LeaderLock`) every `every` seconds:
a follower takes it when it is free; a leader checks it still holds it and steps down when it
does not. A leader killed with SIGKILL loses its connection and with it the lock, so a
follower leads within one try. A connection cut by the server (a restart, a failover,
`pg_terminate_backend`) loses the lock the same way: the leader takes it again at its next
check if nobody else has, or steps down. The watch runs supervised (`bot.supervise`), and a
lead that fails to start lets go of the lock, so no desk holds it without leading. Even two
leaders for a moment send nothing twice: what the outbox, the digest and the notices owe is
struck off in the shared store, and the outbox looks in Slack first for anything it may have
sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.supervise import Failures, supervised

log = logging.getLogger("desk.leader")
RETAKE_TRIES, RETAKE_PAUSE = 5, 0.2  # a leader whose lock went with its connection tries again
# Seconds a desk that took the lead during a check waits before it delivers: the desk that led
# before stops at once when its lock's connection is cut (`LeaderLock.stirred`), but a message
# it was sending just then may still reach Slack; the new leader looks for it after this.
TAKEOVER_GRACE = 0.5
SOON = 1.0  # seconds to the next check after one that could not be made, or a lead let go


class Leadership:
    def __init__(
        self,
        lock: Any,
        lead: Callable[[], Awaitable[None]],
        follow: Callable[[], Awaitable[None]],
        every: float,
        failures: Failures | None = None,
    ) -> None:
        self._lock = lock  # None: this desk is the only one, and leads
        self._lead, self._follow = lead, follow
        self.every = every
        self.failures = failures or Failures()
        self.leading = False  # holds the lock (or is taking it again after its connection was cut)
        self._let_go = False  # the last lead taken was given up (the store could not be read)
        self._task: asyncio.Task[None] | None = None

    @property
    def role(self) -> str:
        return "leader" if self.leading else "follower"

    @property
    def problem(self) -> str | None:
        """Why this desk cannot tell that some desk leads (/healthz); None when it can."""
        if self.leading or self._lock is None:
            return None
        return getattr(self._lock, "problem", None)

    async def start(self) -> None:
        await self._try()
        if self._lock is not None:
            self._task = asyncio.create_task(supervised("leadership", self._watch, self.failures))

    async def _try(self) -> None:
        if self.leading:
            if self._lock is None or await self._lock.holds():
                return
            # The lock went with its connection: nothing more goes out until it is held again.
            await self._follow()
            if await self._retake():
                log.warning("leader lock lost with its connection and taken again: this desk still leads")
                await self._begin_leading()
                return
            log.warning("leadership lost: this desk stops its jobs and the outbox")
            self.leading = False
            return
        if self._lock is None or await self._lock.try_take():
            self.leading = True
            log.info("this desk leads: it runs the jobs and delivers the outbox")
            await self._begin_leading()

    async def _begin_leading(self) -> None:
        """Start the leader's work; after `TAKEOVER_GRACE` when the lead was taken during a
        check (not at start). A lead that fails to start lets go of the lock."""
        try:
            if self._task is not None:
                await asyncio.sleep(TAKEOVER_GRACE)
            if self._lock is not None and not await self._lock.caught_up():
                # What the desk that led before did last is not seen here yet: delivering from
                # an older view could post again what it posted (a question drawn as new
                # instead of as an edit). Another desk, or the next check, leads.
                log.warning("lead let go: the store could not be read afresh")
                self.leading, self._let_go = False, True
                await self._lock.release()
                return
            self._let_go = False
            await self._lead()
        except BaseException:  # not leading after all: the lock goes, for a desk that can
            self.leading = False
            with contextlib.suppress(Exception):
                await self._follow()
            if self._lock is not None:
                await self._lock.release()
            raise

    async def _retake(self) -> bool:
        """Take the lock again after its connection was lost, unless another desk has it. The
        server lets go of it only once the cut session has ended, which can be a moment after
        the cut was noticed here: a few tries, so that no desk steps down and leaves nobody
        leading until the next check."""
        for _ in range(RETAKE_TRIES):
            if await self._lock.try_take():
                return True
            if self._lock.problem is not None:  # the server cannot be reached: no use waiting
                return False
            await asyncio.sleep(RETAKE_PAUSE)
        return False

    async def _watch(self) -> None:
        """A check every `every` seconds, at once when the server closes the connection that
        holds the lock (`stirred`, where the lock has one), and after `SOON` while this desk
        does not lead and its last check could not tell whether another does."""
        stirred: asyncio.Event | None = getattr(self._lock, "stirred", None)
        while True:
            unsure = not self.leading and (self.problem is not None or self._let_go)
            wait = min(self.every, SOON) if unsure else self.every
            if stirred is None:
                await asyncio.sleep(wait)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stirred.wait(), wait)
                stirred.clear()
            await self._try()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.leading:
            self.leading = False
            await self._follow()
        if self._lock is not None:
            await self._lock.release()
