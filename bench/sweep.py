"""SLA sweep benchmark (SPEC §6): the sweep's cost grows with open tickets, not with history.

    python bench/sweep.py [--sweeps 7]

Builds TinyDB stores on disk (10,000 open among 50,000; 10,000 open with no history; 2,000
open among 50,000), opens each the way the desk starts, and runs the desk's real sweep
against the local Slack:

- steady (the target): the sweep as it runs every `check_every`, the clock one minute on
  each time, with the few notices that fall due in that minute raised, recorded and
  delivered;
- catch-up: the first sweep after days down, recording every notice due (thousands), in
  short transactions (delivery not included: that goes at Slack's pace).

Both report the longest the event loop was kept from serving requests meanwhile.

Open tickets mix P1..P4 (wall-time and business-hours clocks), claimed and not, opened over
the last 30 days. Prints a table, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import loop_stall_during, sample_ticket, write_store

from bot.app import DeskApp
from bot.clock import Clock
from bot.domain.ticket import Ticket
from bot.localslack import LocalSlack, Workspace
from bot.localslack.workspace import BOT_USER, Channel, Person
from config import parse_config, read_environment

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday morning in Berlin
AGENTS, LEAD, TRIAGE = ("U0BOB0001", "U0DAVE001"), "U0CAROL01", "C0TRIAGE1"
SETUPS = {  # label: (tickets in the store, of them open)
    "10k open / 50k": (50_000, 10_000),
    "10k open / 10k": (10_000, 10_000),
    "2k open / 50k": (50_000, 2_000),
}
TARGET_S = 0.5


def opened_at(number: int, total: int, open_count: int) -> datetime:
    """History spread over the 30 days before the last 6; open tickets over the last 6 days."""
    history = total - open_count
    if number <= history:
        return NOW - timedelta(days=36) + timedelta(days=30) * number / history
    return NOW - timedelta(days=6) + timedelta(days=6) * (number - history) / open_count


def tickets(total: int, open_count: int) -> Iterator[Ticket]:
    """`total` tickets, the newest `open_count` of them still open, two in three claimed."""
    for number in range(1, total + 1):
        opened = opened_at(number, total, open_count)
        ticket = sample_ticket(number, opened)
        if number % 3:
            ticket = ticket.claim(AGENTS[number % 2], opened + timedelta(minutes=20))
        if number <= total - open_count:
            ticket = ticket.resolve(AGENTS[number % 2], "Fixed it", opened + timedelta(hours=2))
        yield ticket


def workspace() -> Workspace:
    people = [Person(AGENTS[0], "bob", "Bob Baker"), Person(AGENTS[1], "dave", "Dave Diaz")]
    people.append(Person(LEAD, "carol", "Carol Chen"))
    channels = [Channel(TRIAGE, "it-triage", {*AGENTS, LEAD, BOT_USER})]
    return Workspace(people, channels)


def desk_for(slack: LocalSlack, path: Path, clock: Clock) -> DeskApp:
    desk = {"timezone": "Europe/Berlin", "triage_channel": TRIAGE, "agents": list(AGENTS), "leads": [LEAD]}
    config = parse_config({"desk": desk, "store": {"url": f"tinydb://{path}"}})
    env = read_environment(
        {
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": slack.signing_secret,
            "SLACK_API_URL": slack.api_url,
        }
    )
    return DeskApp(config, env, clock=clock)


async def measure(total: int, open_count: int, sweeps: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "desk.json"
        await write_store(path, tickets(total, open_count))
        slack = LocalSlack(workspace())
        await slack.start()
        clock = Clock(NOW - datetime.now(UTC))
        app = desk_for(slack, path, clock)
        await app.store.open()  # the desk's store, without its scheduler: we run the sweep
        try:
            began = time.perf_counter()
            raising = asyncio.ensure_future(app.escalation.raise_due())
            catch_up_stall = await loop_stall_during(raising)
            fresh = raising.result()
            catch_up = time.perf_counter() - began
            async with app.store.transaction() as tx:  # as if all of it had been delivered
                for ticket in await app.store.open_tickets():
                    for notice in ticket.owed_notices:
                        for destination in notice.owed:
                            ticket = ticket.notice_delivered(notice.key, destination)
                    tx.save_ticket(ticket)
            steady, raised, delivered, stalls = [], [], [], []
            for _ in range(sweeps):
                clock.advance(timedelta(minutes=1))
                sweeping = asyncio.ensure_future(app.escalation.sweep())
                stalls.append(await loop_stall_during(sweeping))
                done = sweeping.result()
                steady.append(done.seconds)
                raised.append(done.raised)
                delivered.append(done.owed)
        finally:
            await app.store.close()
            await slack.stop()
    return {
        "open": open_count,
        "stored": total,
        "catch_up_s": catch_up,
        "catch_up_notices": len(fresh),
        "steady_median_s": statistics.median(steady),
        "steady_max_s": max(steady),
        "notices_per_sweep": statistics.median(delivered),
        "raised_per_sweep": statistics.median(raised),
        "loop_stall_max_ms": max(stalls),
        "catch_up_loop_stall_max_ms": catch_up_stall,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sweeps", type=int, default=7, help="steady sweeps per setup (the median is shown)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the sweep logs each notice; keep the table readable
    results = {}
    for label, (total, open_count) in SETUPS.items():
        results[label] = await measure(total, open_count, args.sweeps)
    columns = [
        "steady_median_s",
        "steady_max_s",
        "loop_stall_max_ms",
        "notices_per_sweep",
        "catch_up_s",
        "catch_up_notices",
        "catch_up_loop_stall_max_ms",
    ]
    print(f"{'setup':>16} " + " ".join(f"{c:>26}" for c in columns))
    for label, figures in results.items():
        print(f"{label:>16} " + " ".join(f"{figures[c]:>26.3f}" for c in columns))
    main_case = results["10k open / 50k"]
    no_history = results["10k open / 10k"]
    fewer_open = results["2k open / 50k"]
    summary = {
        "steady_s_10k_open_50k": round(main_case["steady_median_s"], 4),
        "steady_max_s_10k_open_50k": round(main_case["steady_max_s"], 4),
        "catch_up_s_10k_open_50k": round(main_case["catch_up_s"], 4),
        "catch_up_notices_10k_open_50k": main_case["catch_up_notices"],
        "steady_s_10k_open_10k": round(no_history["steady_median_s"], 4),
        "steady_s_2k_open_50k": round(fewer_open["steady_median_s"], 4),
        "history_ratio": round(main_case["steady_median_s"] / no_history["steady_median_s"], 2),
        "open_ratio_10k_to_2k": round(main_case["steady_median_s"] / fewer_open["steady_median_s"], 2),
        "notices_per_sweep": main_case["notices_per_sweep"],
        "loop_stall_max_ms_10k_open_50k": round(main_case["loop_stall_max_ms"], 1),
        "catch_up_loop_stall_max_ms_10k_open_50k": round(main_case["catch_up_loop_stall_max_ms"], 1),
    }
    summary["meets_target"] = main_case["steady_max_s"] < TARGET_S
    print(
        f"\ntarget: a sweep over 10,000 open tickets among 50,000 in under {TARGET_S} s "
        f"-> {'met' if summary['meets_target'] else 'NOT met'}; history costs "
        f"{summary['history_ratio']}x, 5x the open tickets cost {summary['open_ratio_10k_to_2k']}x"
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    asyncio.run(main())
