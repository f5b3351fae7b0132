"""One leader among the desks on a store (SPEC §12): any desk acks and handles requests, but
only the leader runs the scheduler's jobs and delivers the outbox, so nothing scheduled is done
twice (APScheduler's FAQ: a job store shared by processes runs jobs in each).

With a store only one desk can use, the desk leads from the start. With PostgreSQL, the desks
compete for the store's leader lock (`store.postgres_store.LeaderLock`) every `every` seconds:
a follower takes it when it is free; a leader checks it still holds it and steps down when it
does not. A leader killed with SIGKILL loses its connection and with it the lock, so a
follower leads within one try. Even two leaders for a moment send nothing twice: what the
outbox, the digest and the notices owe is struck off in the shared store, and the outbox
looks in Slack first for anything it may have sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("desk.leader")


class Leadership:
    def __init__(
        self,
        lock: Any,
        lead: Callable[[], Awaitable[None]],
        follow: Callable[[], Awaitable[None]],
        every: float,
    ) -> None:
        self._lock = lock  # None: this desk is the only one, and leads
        self._lead, self._follow = lead, follow
        self.every = every
        self.leading = False
        self._task: asyncio.Task[None] | None = None

    @property
    def role(self) -> str:
        return "leader" if self.leading else "follower"

    async def start(self) -> None:
        await self._try()
        if self._lock is not None:
            self._task = asyncio.create_task(self._watch())

    async def _try(self) -> None:
        if self.leading:
            if self._lock is None or await self._lock.holds():
                return
            log.warning("leadership lost: this desk stops its jobs and the outbox")
            self.leading = False
            await self._follow()
            return
        if self._lock is None or await self._lock.try_take():
            self.leading = True
            log.info("this desk leads: it runs the jobs and delivers the outbox")
            await self._lead()

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await self._try()
            except Exception:
                log.exception("leadership check failed")

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
