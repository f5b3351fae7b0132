"""Replicas benchmark (SPEC §12): acks with 1 and with 3 desks on one PostgreSQL, beside a bare
Bolt app that only acks, measured side by side in one run.

    python bench/replicas.py [--requests 2000] [--rate 200] [--rounds 4] [--tickets 20000]
        [--postgres postgresql://127.0.0.1:5432/test]

Three `python -m bot` processes share a PostgreSQL schema of `--tickets` tickets (2,000 open);
one of them leads (runs the jobs and the outbox). "1 desk" sends every request to one of them;
"3 desks" spreads them over the three in turn, as a load balancer would. The requests are
`bench/ack.py`'s: signed `/claim T-n` commands and Claim buttons, open-loop at `--rate` a
second, in rounds that alternate between the three targets.

Prints a table, then one JSON line. Target: p99 within 1.5x the bare app's, both ways.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import uuid
from pathlib import Path

import aiohttp
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ack import fire, tickets
from common import BOB, TRIAGE, free_port, load_tickets, slack_env, spread, start, start_desk

from bot.localslack import LocalSlack, Workspace
from bot.localslack.workspace import BOT_USER, Channel, Person
from store.postgres_store import PostgresStore

TARGET = 1.5


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per target")
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--postgres", default="postgresql://127.0.0.1:5432/test")
    args = parser.parse_args()
    rng = random.Random(1)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    url = f"{args.postgres}?schema={schema}"
    store = PostgresStore(url)
    await store.open()
    await load_tickets(store, tickets(args.tickets))
    await store.close()
    processes = []
    try:
        with tempfile.TemporaryDirectory() as folder_name:
            folder = Path(folder_name)
            people = [Person(BOB, "bob", "Bob Baker")]
            slack = LocalSlack(Workspace(people, [Channel(TRIAGE, "it-triage", {BOB, BOT_USER})]))
            await slack.start()
            ports = []
            for i in range(3):
                own = folder / f"desk{i}"
                own.mkdir()
                process, port = await start_desk(slack, own, url)
                processes.append(process)
                ports.append(port)
            bare_port = free_port()
            processes.append(
                await start(
                    [sys.executable, "bench/bare_bolt.py", str(bare_port)],
                    slack_env(slack),
                    bare_port,
                    folder / "bare.log",
                )
            )
            desks = [f"http://127.0.0.1:{port}/slack/events" for port in ports]
            targets = {
                "1 desk": desks[:1],
                "3 desks": desks,
                "bare Bolt": [f"http://127.0.0.1:{bare_port}/slack/events"],
            }
            found: dict[str, list[float]] = {name: [] for name in targets}
            connector = aiohttp.TCPConnector(limit=0)
            async with aiohttp.ClientSession(connector=connector) as http:
                for urls in targets.values():  # warm up: connections, auth.test, caches
                    await fire(http, urls, slack, 60, args.rate, rng, args.tickets)
                per_round = args.requests // args.rounds
                for round_number in range(args.rounds):
                    order = list(targets.items())
                    if round_number % 2:
                        order.reverse()
                    for name, urls in order:
                        found[name] += await fire(http, urls, slack, per_round, args.rate, rng, args.tickets)
            await slack.stop()
    finally:
        for process in processes:
            process.terminate()
            await process.wait()
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    figures = {name: spread(values) for name, values in found.items()}
    bare = figures["bare Bolt"]
    ratios = {
        name: {"p50": round(got["p50"] / bare["p50"], 2), "p99": round(got["p99"] / bare["p99"], 2)}
        for name, got in figures.items()
        if name != "bare Bolt"
    }
    print(
        f"{'target':<10} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'p50 x':>6} {'p99 x':>6}"
    )
    for name, got in figures.items():
        ratio = ratios.get(name, {"p50": 1.0, "p99": 1.0})
        print(
            f"{name:<10} {len(found[name]):>9} {got['p50']:>8} {got['p99']:>8} {got['max']:>8} "
            f"{ratio['p50']:>5}x {ratio['p99']:>5}x"
        )
    result = {
        "tickets": args.tickets,
        "rate_per_s": args.rate,
        "requests_per_target": len(found["bare Bolt"]),
        "figures": figures,
        "ratio": ratios,
        "meets_target": all(r["p99"] <= TARGET for r in ratios.values()),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
