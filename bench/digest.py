"""Daily digest benchmark: building the leads' digest over a long history.

    python bench/digest.py [--tickets 50000] [--runs 5]

The digest reads every ticket: yesterday's and the day before's figures, the backlog now
and a day earlier (from each ticket's trail), the tickets at risk. This measures, on a
history of 30 days with a tenth still open (half of those unclaimed) and most resolved ones
rated:

- build: the pure `build_digest` over all tickets (median of the runs);
- compose: what the desk does at digest time, the same work on a thread plus the message,
  with the longest the event loop was kept from serving requests meanwhile.

Prints a table, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import load_tickets, loop_stall_during, sample_ticket

from bot.clock import Clock
from bot.desk import Desk
from bot.domain.digest import build_digest
from bot.domain.ticket import Ticket
from bot.flows.digest import Digests
from bot.slack.gateway import SlackGateway, build_client
from config import parse_config
from store import MemoryStore

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, a Wednesday


def history(count: int) -> list[Ticket]:
    """`count` tickets over the last 30 days: a tenth open, the rest claimed, resolved, rated."""
    tickets = []
    span = timedelta(days=30) / count
    for number in range(1, count + 1):
        opened = NOW - timedelta(days=30) + number * span
        ticket = sample_ticket(number, opened)
        if number % 10 == 0:
            tickets.append(
                ticket if number % 20 == 0 else ticket.claim("U0AGENT01", opened + timedelta(minutes=7))
            )
            continue
        ticket = ticket.claim("U0AGENT01", opened + timedelta(minutes=12))
        ticket = ticket.resolve("U0AGENT01", "done", opened + timedelta(hours=3))
        if number % 3:
            ticket = ticket.rate(ticket.requester, 1 + number % 5, opened + timedelta(hours=4))
        tickets.append(ticket)
    return tickets


def config():
    return parse_config(
        {
            "desk": {
                "timezone": "Europe/Berlin",
                "triage_channel": "C0TRIAGE1",
                "agents": ["U0AGENT01"],
                "leads": ["U0LEAD001"],
            },
            "digest": {"time": "09:00", "days": ["mon", "tue", "wed", "thu", "fri"]},
        }
    )


class FixedClock(Clock):
    def now(self) -> datetime:
        return NOW


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tickets = history(args.tickets)
    store = MemoryStore()
    await load_tickets(store, tickets)
    gc.freeze()  # as the desk does once its store is loaded (store/tinydb_store.py)
    desk = Desk(
        config(), store, SlackGateway(build_client("xoxb-unused", "http://127.0.0.1:9/")), FixedClock()
    )
    digests = Digests(desk)
    day = NOW.astimezone(desk.zone).date()

    builds, composes, stalls = [], [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        digest = build_digest(tickets, desk.sla_clock, 0.8, digests.schedule, day, NOW)
        builds.append(time.perf_counter() - started)
        started = time.perf_counter()
        stalls.append(await loop_stall_during(asyncio.ensure_future(digests.compose(day, NOW))))
        composes.append(time.perf_counter() - started)
    figures = {
        "tickets": args.tickets,
        "open": digest.backlog.total,
        "opened_yesterday": digest.summary.opened,
        "build_s": round(statistics.median(builds), 3),
        "compose_s": round(statistics.median(composes), 3),
        "loop_stall_max_ms": round(max(stalls), 1),
    }
    head = ("tickets", "open", "opened yesterday", "build", "compose", "worst stall")
    print(f"{head[0]:>10} {head[1]:>6} {head[2]:>17} {head[3]:>8} {head[4]:>8} {head[5]:>12}")
    print(
        f"{figures['tickets']:>10} {figures['open']:>6} {figures['opened_yesterday']:>17} "
        f"{figures['build_s']:>7}s {figures['compose_s']:>7}s {figures['loop_stall_max_ms']:>10}ms"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
