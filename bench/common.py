"""What the benchmarks share: a sample ticket, a store written to disk, and a measure of how
long the event loop was kept waiting."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from bot.domain.priority import Priority
from bot.domain.ticket import Origin, Ticket, open_ticket
from store import TinyDBStore


def sample_ticket(number: int, opened: datetime) -> Ticket:
    """Ticket `number`, opened at `opened` by one of 500 people, priorities in turn."""
    return open_ticket(
        number,
        f"U{number % 500:08d}",
        f"Request {number}: " + "words " * 30,
        "Software",
        list(Priority)[number % 4],
        Origin(f"D{number % 500:08d}", f"{number}.0"),
        opened,
    )


async def write_store(path: Path, tickets: Iterable[Ticket]) -> None:
    """A TinyDB store holding `tickets`, written out as its snapshot file."""
    store = TinyDBStore(path)
    await store.open()
    for ticket in tickets:
        store.tables.put_ticket(ticket)
    await store.compact()
    await store.close()


async def loop_stall_during(work: asyncio.Future[object]) -> float:
    """The longest the event loop went without running us while `work` ran (ms)."""
    worst = 0.0
    while not work.done():
        before = time.perf_counter()
        await asyncio.sleep(0.001)
        worst = max(worst, time.perf_counter() - before - 0.001)
    await work
    return worst * 1000
