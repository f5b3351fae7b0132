"""Approvals benchmark: what requests held for approval cost the SLA sweep and the leads' figures.

    python bench/approvals.py [--pending 5000] [--decided 20000]

An in-memory store holds `--pending` requests awaiting approval and `--decided` decided ones.
Measured with the desk's own code (`bot.flows.approvals.Approvals`):

- steady sweep: `run` with nothing due (what every sweep pays);
- catch-up sweep: `run` after three days, every request reminded and escalated (DMs owed to
  the outbox, not delivered);
- figures: the approvals line of `/desk quality` and the digest over every request.

Prints a table, then one JSON line with the figures (seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import FixedClock
from bot.desk import Desk
from bot.domain.approval import chain_for, request
from bot.flows.approvals import Approvals
from config import parse_config
from store import MemoryStore
from store.approval_codec import APPROVALS, approval_to_doc
from tests.harness import ALICE, CAROL, ERIN, TEST_START, demo_config, two_teams

ACCESS = {
    "name": "Access to a system",
    "fields": [
        {"key": "system", "label": "Which system?", "kind": "select", "options": ["VPN", "Payroll"]},
        {"key": "manager", "label": "Your manager", "kind": "person"},
    ],
    "area": "Access",
    "approval": [{"approvers": [CAROL]}, {"field": "manager"}],
}


async def timed(work: Any, rounds: int = 5) -> float:
    """The median of `rounds` runs, in seconds."""
    spans = []
    for _ in range(rounds):
        started = time.perf_counter()
        await work()
        spans.append(time.perf_counter() - started)
    return statistics.median(spans)


class NoSlack:
    """The measured work never calls Slack; it only asks what language a person reads, which a
    desk knows without Slack once asked (here: nobody was, so the desk's own)."""

    def known_locale(self, user: str) -> str:
        return ""


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pending", type=int, default=5000)
    parser.add_argument("--decided", type=int, default=20000)
    args = parser.parse_args()
    config = parse_config(demo_config(team=two_teams(it={"request_type": [ACCESS]})))
    kind = config.request_types["IT"][0]
    store = MemoryStore()
    await store.open()
    clock = FixedClock(TEST_START)
    desk = Desk(config=config, store=store, slack=cast(Any, NoSlack()), clock=clock)
    values = {"system": "VPN", "manager": ERIN}
    chain = chain_for(kind, ALICE, values)
    async with store.transaction() as tx:
        for n in range(args.pending + args.decided):
            at = TEST_START - timedelta(minutes=n % 600)
            held = request(f"r{n}", kind, ALICE, "Access", "VPN", values, chain, at)
            if n >= args.pending:
                held = held.decide(CAROL, True, "", at + timedelta(hours=1)).decide(
                    ERIN, True, "", at + timedelta(hours=3)
                )
            tx.put(APPROVALS, held.id, approval_to_doc(held))
    approvals = Approvals(desk)
    steady = await timed(lambda: approvals.run(clock.now()))
    figures = await timed(lambda: approvals.figures_block(TEST_START - timedelta(days=7), TEST_START, None))
    clock.advance(timedelta(days=5))
    started = time.perf_counter()
    moved = await approvals.run(clock.now())
    catch_up = time.perf_counter() - started
    assert moved == args.pending
    await store.close()
    print(f"{'requests':<28}{args.pending} pending, {args.decided} decided")
    print(f"{'steady sweep (none due)':<28}{steady * 1000:8.1f} ms")
    print(f"{'catch-up sweep (all due)':<28}{catch_up * 1000:8.1f} ms ({moved} moved)")
    print(f"{'approval figures':<28}{figures * 1000:8.1f} ms")
    result = {"pending": args.pending, "decided": args.decided, "steady_s": steady}
    print(json.dumps({**result, "catch_up_s": catch_up, "figures_s": figures}))


if __name__ == "__main__":
    asyncio.run(main())
