"""What the benchmarks share: a sample ticket, a store written to disk, a measure of how long
the event loop was kept waiting, starting an app as its own process, and percentiles."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import sys
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import aiohttp

from bot.domain.priority import Priority
from bot.domain.rollup import Rollup
from bot.domain.ticket import Origin, Ticket, open_ticket
from bot.localslack import LocalSlack
from store import Store, TinyDBStore, store_from_url

BOB, TRIAGE = "U0BOB0001", "C0TRIAGE1"  # the benchmarks' agent and triage channel
CONFIG = """
[desk]
timezone = "Europe/Berlin"
triage_channel = "{triage}"
agents = ["{bob}"]
leads = []

[digest]
time = "23:59"
days = ["sun"]

[store]
url = "{store}"
"""


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


async def load_tickets(store: Store, tickets: Iterable[Ticket], batch: int = 2000) -> None:
    """Put `tickets` in `store` through its own transactions, `batch` at a time."""
    pending = list(tickets)
    for start in range(0, len(pending), batch):
        async with store.transaction() as tx:
            for ticket in pending[start : start + batch]:
                tx.save_ticket(ticket)


async def write_store(where: Path | str, tickets: Iterable[Ticket]) -> None:
    """A store holding `tickets`: a TinyDB file (a path, or a tinydb:// URL) written out as
    its snapshot, or any other store URL."""
    url = where if isinstance(where, str) else f"tinydb://{where}"
    store = store_from_url(url)
    store.rollup = bench_rollup()  # as the desk keeps them, so it need not build them at start
    await store.open()
    await load_tickets(store, tickets)
    if isinstance(store, TinyDBStore):
        await store.compact()
    await store.close()


def bench_rollup() -> Rollup:
    """The per-day rollups as the benchmarks' desk (`CONFIG`) keeps them."""
    import tomllib

    from bot.desk import rollup_of
    from config.settings import parse_config

    return rollup_of(parse_config(tomllib.loads(CONFIG.format(triage=TRIAGE, bob=BOB, store="memory://"))))


async def loop_stall_during(work: asyncio.Future[object]) -> float:
    """The longest the event loop went without running us while `work` ran (ms)."""
    worst = 0.0
    while not work.done():
        before = time.perf_counter()
        await asyncio.sleep(0.001)
        worst = max(worst, time.perf_counter() - before - 0.001)
    await work
    return worst * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start(
    command: list[str], env: dict[str, str], port: int, log: Path, cwd: Path | None = None, wait: float = 60
) -> asyncio.subprocess.Process:
    """Start `command` (in this checkout, or `cwd`) and wait until it answers /healthz (for
    `wait` seconds at most)."""
    with open(log, "w") as out:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=cwd or Path(__file__).resolve().parent.parent, env=env, stdout=out, stderr=out
        )
    async with aiohttp.ClientSession() as http:
        for _ in range(int(wait * 10)):
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return process
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"{command} did not start; see {log}")


async def learnt(port: int, wait: float = 300) -> None:
    """Wait until the desk on `port` has learnt its knowledge base and warmed its charts (its
    /healthz says `"knowledge": "ready"` and `"charts"` is not `warming`; a desk that does not
    say is taken as ready). A desk is up before it has learnt (issue 37's start-up), then the
    leader loads matplotlib in its drawing process, and both share the CPU: a benchmark of the
    steady state starts its load after them."""
    async with aiohttp.ClientSession() as http:
        for _ in range(int(wait * 10)):
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                said = await response.json(content_type=None)
                if said.get("knowledge", "ready") != "learning" and said.get("charts") != "warming":
                    return
            await asyncio.sleep(0.1)
    raise SystemExit(f"the desk on port {port} did not finish learning in {wait} s")


def slack_env(slack: LocalSlack) -> dict[str, str]:
    """The environment of an app talking to the local Slack over HTTP (no Socket Mode)."""
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
    }
    env.pop("SLACK_APP_TOKEN", None)
    return env


async def start_desk(
    slack: LocalSlack,
    folder: Path,
    store: Path | str,
    cwd: Path | None = None,
    wait: float = 60,
    python: tuple[str, ...] = (),
) -> tuple[asyncio.subprocess.Process, int]:
    """`python -m bot` on a free port, with the benchmarks' config and `store` (a TinyDB file,
    or a store URL), run from this checkout or `cwd`; the process and its port, once it
    answers /healthz. `python`: options for the interpreter first (`-m cProfile -o FILE`)."""
    config = folder / "desk.toml"
    url = store if isinstance(store, str) else f"tinydb://{store}"
    config.write_text(CONFIG.format(triage=TRIAGE, bob=BOB, store=url))
    port = free_port()
    env = {**slack_env(slack), "DESK_CONFIG": str(config), "PORT": str(port)}
    command = [sys.executable, *python, "-m", "bot"]
    return await start(command, env, port, folder / "desk.log", cwd, wait), port


def spread(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 2),
        "p99": round(ordered[max(0, int(len(ordered) * 0.99) - 1)], 2),
        "max": round(ordered[-1], 2),
    }


async def profile(pid: int, seconds: int, path: str | None) -> asyncio.subprocess.Process | None:
    """Record process `pid` with py-spy for `seconds` into `path` (raw collapsed stacks, for
    flame graphs); nothing when `path` is not given. Await `.wait()` on the result at the end."""
    if not path:
        return None
    return await asyncio.create_subprocess_exec(
        "py-spy",
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(seconds),
        "--format",
        "raw",
        "-o",
        path,
        stdout=asyncio.subprocess.DEVNULL,
    )
