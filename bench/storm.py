"""Incident storm benchmark (SPEC §6): 1,000 employees raise a ticket within 60 s, the way
people do: a direct message to the desk, then a click on the area and one on the urgency.

    python bench/storm.py [--tickets 1000] [--seconds 60] [--history 50000] [--postgres URL]

(`--people`/`--within` are the same as `--tickets`/`--seconds`.) The desk runs as
`python -m bot` (HTTP mode) on a TinyDB store holding `--history` resolved tickets (or, with
`--postgres`, on a fresh schema of that PostgreSQL database, dropped afterwards), against a
local Slack that keeps Slack's pace per channel (about one post a second, short bursts) and
each method's tier for the workspace (chat.update 50 a minute, views.publish 100, ...; a call
beyond either gets 429 and `Retry-After`; `--no-tiers` lifts the tiers). Every request is signed and
timed from sending to the desk's HTTP answer.

Figures: tickets stored (read back from the store file after the desk stops), acks (p50, p99,
worst; Slack gives up after 3 s), when the last confirmation and the last triage card arrived
(seconds after the first message), how often the local Slack refused the bot for going too
fast, and the desk's peak memory. Prints a table, then one JSON line. `STORM_PROFILE=FILE`
records the desk with py-spy while the storm lasts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import BOB, TRIAGE, profile, sample_ticket, spread, start_desk, write_store
from memory import peak_memory_mb

from bot.localslack import ChannelPace, LocalSlack, Message, MethodPace, Workspace
from bot.localslack.driver import Driver
from bot.localslack.workspace import BOT_USER, Channel, Person
from store import store_from_url

ACK_LIMIT = 3.0  # seconds: Slack shows the person an error after this
AREAS = [("Access", 0.55), ("Software", 0.3), ("Hardware", 0.1), ("Other", 0.05)]
URGENCIES = [("P1 · Critical", 0.2), ("P2 · High", 0.5), ("P3 · Normal", 0.25), ("P4 · Low", 0.05)]
WORDS = [
    "VPN drops me every minute",
    "Can't log in to the VPN since 9",
    "SSO says my password is wrong",
    "The wiki times out",
    "Email won't sync on my phone",
    "Shared drive is gone",
]


class Watch:
    """Waits for the bot's messages as the local Slack records them."""

    def __init__(self, slack: LocalSlack) -> None:
        self.slack = slack
        self.waiting: dict[str, list[tuple[Callable[[Message], bool], asyncio.Future[Message]]]] = (
            defaultdict(list)
        )
        self.opened: dict[str, float] = {}  # DM channel -> when the person gave the last answer
        self.confirmed: dict[str, float] = {}  # DM channel -> when the confirmation arrived
        self.own_cards: set[int] = set()
        self.in_storm = 0
        self.triage_complete_at: float | None = None
        self.people = 0
        slack.api.listeners.append(self.heard)

    def heard(self, kind: str, message: Message) -> None:
        if message.user != BOT_USER:
            return
        now = time.perf_counter()
        if message.channel == TRIAGE and message.thread_ts is None:
            self._triage(message, now)
        elif "is open" in message.text and message.channel not in self.confirmed:
            self.confirmed[message.channel] = now
        for test, found in list(self.waiting[message.channel]):
            if not found.done() and test(message):
                found.set_result(message)

    def _triage(self, message: Message, now: float) -> None:
        if message.text.startswith("Incident storm: "):
            self.in_storm = int(message.text.split()[2].replace(",", ""))
        for block in message.blocks:
            if str(block.get("block_id", "")).startswith("ticket:"):
                self.own_cards.add(int(block["block_id"].split(":")[1]))
        if (
            self.triage_complete_at is None
            and self.people
            and len(self.own_cards) + self.in_storm >= self.people
        ):
            self.triage_complete_at = now

    async def until(self, channel: str, test: Callable[[Message], bool], timeout: float = 120) -> Message:
        for message in reversed(self.slack.workspace.channels[channel].messages):
            if message.user == BOT_USER and test(message):
                return message
        found: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self.waiting[channel].append((test, found))
        try:
            return await asyncio.wait_for(found, timeout)
        finally:
            self.waiting[channel].remove((test, found))


def labels(message: Message) -> set[str]:
    return {
        element["text"]["text"]
        for block in message.blocks
        for element in block.get("elements", [])
        if element.get("type") == "button"
    }


def pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([name for name, _ in weighted], [weight for _, weight in weighted])[0]


async def employee(
    driver: Driver, watch: Watch, user: str, at: float, rng: random.Random, acks: list[float]
) -> None:
    """Tell the desk what is wrong, then answer its two questions, as a person does."""
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    dm = driver.ws.im_with(user).id
    area, urgency = pick(rng, AREAS), pick(rng, URGENCIES)
    _, delivery = await driver.say(user, dm, f"{rng.choice(WORDS)} ({user[-4:]})")
    assert delivery is not None
    acks.append(delivery.seconds)
    prompt = await watch.until(dm, lambda m: area in labels(m))
    await asyncio.sleep(rng.uniform(0.5, 2.0))  # reading the question
    acks.append((await driver.press(user, prompt, area)).seconds)
    await watch.until(dm, lambda m: urgency in labels(m))
    await asyncio.sleep(rng.uniform(0.5, 2.0))
    watch.opened[dm] = time.perf_counter()  # the last answer: the ticket opens
    acks.append((await driver.press(user, prompt, urgency)).seconds)


def calls_per_minute(calls: list, began: float) -> dict[str, list[int]]:
    """How many calls the desk made to each method in each minute since `began` (wall clock),
    refused ones included: what Slack's per-method tiers count."""
    counts: dict[str, list[int]] = {}
    for call in calls:
        minute = max(0, int((call.at - began) // 60))
        row = counts.setdefault(call.method, [])
        row.extend([0] * (minute + 1 - len(row)))
        row[minute] += 1
    return dict(sorted(counts.items()))


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 1)


async def stored_since(url: str, history: int) -> int:
    store = store_from_url(url, read_only=True)
    await store.open()
    try:
        return sum(1 for ticket in await store.all_tickets() if ticket.number > history)
    finally:
        await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", "--tickets", type=int, default=1000, help="people, a ticket each")
    parser.add_argument(
        "--within", "--seconds", type=float, default=60.0, help="seconds over which they start"
    )
    parser.add_argument("--history", type=int, default=50_000, help="resolved tickets already stored")
    parser.add_argument("--postgres", default="", help="a PostgreSQL database URL: run on it, not TinyDB")
    parser.add_argument("--no-tiers", action="store_true", help="the local Slack enforces no method tiers")
    args = parser.parse_args()
    rng = random.Random(7)
    now = datetime.now(UTC)
    history = (
        sample_ticket(n, now - timedelta(days=30) + timedelta(days=29) * n / max(1, args.history))
        .claim(BOB, now - timedelta(days=30))
        .resolve(BOB, "done", now - timedelta(days=1))
        for n in range(1, args.history + 1)
    )
    people = [f"U0E{i:07d}" for i in range(args.people)]
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        schema = f"storm_{uuid.uuid4().hex[:10]}"
        store = f"{args.postgres}?schema={schema}" if args.postgres else f"tinydb://{folder / 'desk.json'}"
        await write_store(store, history)
        cast = [Person(BOB, "bob", "Bob Baker")] + [
            Person(u, f"e{u[-4:]}", f"Employee {u[-4:]}") for u in people
        ]
        pace = ChannelPace()
        slack = LocalSlack(
            Workspace(cast, [Channel(TRIAGE, "it-triage", {BOB, BOT_USER})]),
            channel_pace=pace,
            method_pace=None if args.no_tiers else MethodPace(),
        )
        await slack.start()
        desk, port = await start_desk(slack, folder, store)
        slack.request_url = f"http://127.0.0.1:{port}/slack/events"
        profiler = await profile(desk.pid, int(args.within) + 10, os.environ.get("STORM_PROFILE"))
        watch = Watch(slack)
        watch.people = args.people
        driver = Driver(slack)
        acks: list[float] = []
        cpu_before = cpu_seconds(desk.pid)
        began = time.perf_counter()
        starts = sorted(began + rng.uniform(0, args.within) for _ in people)
        try:
            results = await asyncio.gather(
                *(
                    employee(driver, watch, user, at, random.Random(i), acks)
                    for i, (user, at) in enumerate(zip(people, starts, strict=True))
                ),
                return_exceptions=True,
            )
            deadline = time.perf_counter() + 600
            while watch.triage_complete_at is None and time.perf_counter() < deadline:
                await asyncio.sleep(0.2)
            memory, cpu = round(peak_memory_mb(desk.pid), 1), cpu_seconds(desk.pid) - cpu_before
        finally:
            if profiler is not None:
                await profiler.wait()
            desk.terminate()
            await desk.wait()
            await slack.stop()
        stored = await stored_since(store, args.history)
        if args.postgres:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    failed = [r for r in results if isinstance(r, BaseException)]
    per_minute = calls_per_minute(slack.calls, time.time() - (time.perf_counter() - began))
    ack_ms = spread([a * 1000 for a in acks])
    refused = sum(1 for call in slack.calls if call.status == 429)
    last_confirmation = max(watch.confirmed.values(), default=began) - began
    waits = [(watch.confirmed[dm] - at) * 1000 for dm, at in watch.opened.items() if dm in watch.confirmed]
    confirm_ms = spread(waits) if waits else {"p50": 0.0, "p99": 0.0, "max": 0.0}
    last_opened = max(watch.opened.values(), default=began)
    triage_done = (watch.triage_complete_at - began) if watch.triage_complete_at else None
    triage_lag = (watch.triage_complete_at - last_opened) if watch.triage_complete_at else 0.0
    rows = [
        (
            "people who raised a ticket",
            f"{args.people:,} within {args.within:g} s ({len(failed)} could not finish)",
        ),
        ("tickets stored", f"{stored:,}"),
        ("acks", f"{len(acks):,}: p50 {ack_ms['p50']} ms, p99 {ack_ms['p99']} ms, worst {ack_ms['max']} ms"),
        ("acks over 3 s", f"{sum(1 for a in acks if a >= ACK_LIMIT)}"),
        (
            "confirmations",
            f"{len(watch.confirmed):,}, the last {last_confirmation:.1f} s after the first message",
        ),
        (
            "confirmation after answering",
            f"p50 {confirm_ms['p50']} ms, p99 {confirm_ms['p99']} ms, worst {confirm_ms['max']} ms",
        ),
        (
            "triage channel",
            f"{len(watch.own_cards)} cards of their own + {watch.in_storm:,} in the storm card; every ticket "
            + (
                f"shown {triage_done:.1f} s after the first message, {triage_lag:.1f} s after the last answer"
                if triage_done
                else "NOT shown"
            ),
        ),
        (
            "calls Slack refused (429)",
            f"{refused} (posts: 1 a second per channel, bursts of 3; "
            + ("no tiers)" if args.no_tiers else "each method's tier)"),
        ),
        ("desk peak memory", f"{memory} MB"),
        ("desk CPU during the storm", f"{cpu:.1f} s"),
    ]
    for name, value in rows:
        print(f"{name:<28} {value}")
    print(f"{'calls per method':<28} per minute since the first message (429s included)")
    for method, row in per_minute.items():
        print(f"  {method:<26} {' '.join(f'{n:>5}' for n in row)}")
    if failed:
        print(f"first failure: {failed[0]!r}")
    for call in slack.calls:
        if call.status == 429:
            print(
                f"refused: {call.method} to {call.args.get('channel')} (thread {call.args.get('thread_ts')})"
            )
    result = {
        "store": "postgresql" if args.postgres else "tinydb",
        "people": args.people,
        "within_s": args.within,
        "history": args.history,
        "tickets_stored": stored,
        "ack_ms": ack_ms,
        "acks_over_3s": sum(1 for a in acks if a >= ACK_LIMIT),
        "last_confirmation_s": round(last_confirmation, 1),
        "confirmation_after_answer_ms": confirm_ms,
        "triage_all_shown_s": round(triage_done, 1) if triage_done else None,
        "triage_after_last_answer_s": round(triage_lag, 1),
        "own_cards": len(watch.own_cards),
        "own_card_tickets": sorted(watch.own_cards),
        "in_storm_card": watch.in_storm,
        "rate_limited": refused,
        "tiers": not args.no_tiers,
        "calls_per_minute": per_minute,
        "peak_memory_mb": memory,
        "desk_cpu_s": round(cpu, 1),
        "meets_target": stored == args.people
        and ack_ms["max"] < ACK_LIMIT * 1000
        and refused == 0
        and bool(triage_done),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
