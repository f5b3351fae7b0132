"""Store benchmark (SPEC §6): ticket writes and reads by reference at 1k, 10k and 50k tickets.

    python bench/store.py [--writes 500] [--reads 5000]

For each size it builds a TinyDB store on disk with that many tickets, reopens it (the way
the desk starts), then times writes (a change to a ticket, on disk before it returns) and
reads by reference ("T-123" parsed and looked up). It also measures how long the event loop
was ever kept waiting while a full snapshot of the store was written in the background.
Prints a table, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import loop_stall_during, sample_ticket, write_store

from bot.domain.refs import parse_ref
from bot.domain.ticket import Action, Ticket
from store import TinyDBStore

SIZES = {"1k": 1_000, "10k": 10_000, "50k": 50_000}
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def history(count: int) -> Iterator[Ticket]:
    """`count` tickets, all claimed, four in five resolved."""
    for number in range(1, count + 1):
        ticket = sample_ticket(number, T0 + timedelta(minutes=number))
        ticket = ticket.claim("U0BOB0001", ticket.opened_at + timedelta(minutes=5))
        if number % 5:
            ticket = ticket.resolve("U0BOB0001", "Fixed it", ticket.opened_at + timedelta(hours=2))
        yield ticket


async def measure(count: int, writes: int, reads: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "desk.json"
        await write_store(path, history(count))
        started = time.perf_counter()
        store = TinyDBStore(path)
        await store.open()
        open_ms = (time.perf_counter() - started) * 1000
        rng = random.Random(count)
        write_ms = []
        for i in range(writes):
            number = rng.randint(1, count)
            began = time.perf_counter()
            note = f"note {i}"
            await store.update_ticket(
                number, lambda t, note=note: t.record(Action.NOTE, "U0BOB0001", note, T0)
            )
            write_ms.append((time.perf_counter() - began) * 1000)
        read_ms = []
        for _ in range(reads):
            reference = f"T-{rng.randint(1, count)}"
            began = time.perf_counter()
            found = await store.ticket(parse_ref(reference, "T"))
            read_ms.append((time.perf_counter() - began) * 1000)
            assert found is not None
        began = time.perf_counter()
        stall = await loop_stall_during(asyncio.ensure_future(store.compact()))
        compact_ms = (time.perf_counter() - began) * 1000
        await store.close()
        size_mb = path.stat().st_size / 1e6
    return {
        "write_p50_ms": statistics.median(write_ms),
        "write_p99_ms": percentile(write_ms, 0.99),
        "read_p50_ms": statistics.median(read_ms),
        "read_p99_ms": percentile(read_ms, 0.99),
        "open_ms": open_ms,
        "compact_ms": compact_ms,
        "loop_stall_max_ms": stall,
        "file_mb": size_mb,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--reads", type=int, default=5000)
    args = parser.parse_args()
    results = {label: await measure(n, args.writes, args.reads) for label, n in SIZES.items()}
    columns = [
        "write_p50_ms",
        "write_p99_ms",
        "read_p50_ms",
        "read_p99_ms",
        "open_ms",
        "compact_ms",
        "loop_stall_max_ms",
        "file_mb",
    ]
    print(f"{'tickets':>8} " + " ".join(f"{c:>17}" for c in columns))
    for label, figures in results.items():
        print(f"{label:>8} " + " ".join(f"{figures[c]:>17.3f}" for c in columns))
    small, large = results["1k"], results["50k"]
    summary = {f"{c}_{label}": round(results[label][c], 4) for label in SIZES for c in columns}
    summary["write_p99_ratio_50k_to_1k"] = round(large["write_p99_ms"] / small["write_p99_ms"], 2)
    summary["read_p99_ratio_50k_to_1k"] = round(large["read_p99_ms"] / small["read_p99_ms"], 2)
    summary["write_p99_ms_1k"], summary["read_p99_ms_1k"] = small["write_p99_ms"], small["read_p99_ms"]
    summary["write_p99_ms_50k"], summary["read_p99_ms_50k"] = large["write_p99_ms"], large["read_p99_ms"]
    summary["meets_targets"] = (
        large["write_p99_ms"] <= 25
        and large["read_p99_ms"] <= 2
        and large["write_p99_ms"] <= 2 * max(small["write_p99_ms"], 1.0)
        and large["read_p99_ms"] <= 2 * max(small["read_p99_ms"], 0.01)
    )
    print(
        f"\ntargets at 50k: write p99 <= 25 ms, read p99 <= 2 ms, each <= 2x the 1k figure "
        f"-> {'met' if summary['meets_targets'] else 'NOT met'}"
    )
    print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in summary.items()}))


if __name__ == "__main__":
    asyncio.run(main())
