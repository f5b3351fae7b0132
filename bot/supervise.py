"""No background task of the desk dies silently: the outbox's worker, the leadership watch and
the scheduler's jobs run supervised. A worker that raises is logged with its traceback and
started again after a short back-off; a job that raises waits for its next run (the scheduler
keeps it). Each crash is noted in `Failures`, and a worker that keeps crashing turns /healthz
503 (`DeskApp.health`) until it has run a while without one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

log = logging.getLogger("desk.supervise")
KEEPS_CRASHING = 3  # crashes of one worker within `WINDOW` seconds that make the desk unhealthy
WINDOW = 60.0
FIRST_PAUSE, LONGEST_PAUSE = 0.2, 10.0  # seconds before a crashed worker starts again


class Failures:
    """The recent crashes of the desk's background work, by worker."""

    def __init__(self) -> None:
        self._recent: dict[str, deque[tuple[float, str]]] = {}
        self.total = 0

    def crashed(self, name: str, error: BaseException) -> float:
        """Note (and log, with its traceback) that `name` raised; the seconds to wait before
        starting it again: longer the more often it crashed lately."""
        self.total += 1
        now = time.monotonic()
        recent = self._recent.setdefault(name, deque(maxlen=20))
        recent.append((now, f"{type(error).__name__}: {error}"[:200]))
        lately = self._lately(name, now)
        log.error(
            "background work crashed; it starts again",
            exc_info=(type(error), error, error.__traceback__),
            extra={"worker": name, "crashes_lately": lately},
        )
        return min(LONGEST_PAUSE, FIRST_PAUSE * 2 ** max(0, lately - 1))

    def _lately(self, name: str, now: float) -> int:
        return sum(1 for at, _ in self._recent.get(name, ()) if now - at <= WINDOW)

    @property
    def problem(self) -> str | None:
        """Why the desk is unhealthy, while a worker keeps crashing; None otherwise."""
        now = time.monotonic()
        for name, recent in self._recent.items():
            if (lately := self._lately(name, now)) >= KEEPS_CRASHING:
                return f"{name} keeps crashing ({lately} times in {WINDOW:g} s; last: {recent[-1][1]})"
        return None


async def supervised(name: str, run: Callable[[], Awaitable[None]], failures: Failures) -> None:
    """Run `run()` until it returns, starting it again whenever it raises (cancelling this
    task stops it)."""
    while True:
        try:
            await run()
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:
            pause = failures.crashed(name, error)
        await asyncio.sleep(pause)
