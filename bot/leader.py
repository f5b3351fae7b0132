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
        self.leading = False
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
            if await self._lock.try_take():  # its connection was cut, and nobody took it meanwhile
                log.warning("leader lock lost with its connection and taken again: this desk still leads")
                return
            log.warning("leadership lost: this desk stops its jobs and the outbox")
            self.leading = False
            await self._follow()
            return
        if self._lock is None or await self._lock.try_take():
            self.leading = True
            log.info("this desk leads: it runs the jobs and delivers the outbox")
            try:
                await self._lead()
            except BaseException:  # not leading after all: the lock goes, for a desk that can
                self.leading = False
                with contextlib.suppress(Exception):
                    await self._follow()
                if self._lock is not None:
                    await self._lock.release()
                raise

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.every)
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
