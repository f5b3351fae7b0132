"""The desk running for real against the local Slack, for end-to-end tests.

`running_desk` starts the local Slack and the desk's aiohttp server on free ports; requests
travel as signed HTTP (or over Socket Mode with `socket=True`), exactly as from Slack.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import DeskApp
from bot.clock import Clock, FixedClock
from bot.delivery.owed import METADATA_TYPE, owe
from bot.domain.owed import Conversation, InThread, Post
from bot.localslack import LocalSlack, Workspace
from bot.localslack.driver import Driver
from bot.localslack.workspace import BOT_USER, Channel, Person
from bot.slack.gateway import Backoff
from bot.slack.pace import LIMITS, Pacer
from config import parse_config, read_environment
from store import store_from_url

ALICE, ERIN, BOB, DAVE, CAROL = "U0ALICE01", "U0ERIN001", "U0BOB0001", "U0DAVE001", "U0CAROL01"
FRAN, GUS = "U0FRAN001", "U0GUS0001"  # the People team's agents, in the tests with two teams
TRIAGE = "C0TRIAGE1"
GENERAL = "C0GENERAL"
IT_HELP = "C0ITHELP1"  # the IT team's request channel
PEOPLE_TRIAGE = "C0PEOPLE1"
PEOPLE_HELP = "C0PPLHELP"
BERLIN = ZoneInfo("Europe/Berlin")
# The tests' desks start here, whatever the machine's clock says: a Wednesday morning in the
# desk's zone, in working hours, with no holiday or clock change near.
TEST_START = datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)


QUICK_RETRIES = Backoff(base=0.02, cap=0.2)  # the outbox's retries, at the pace of a test


def clock_at(at: datetime = TEST_START) -> FixedClock:
    """A desk clock that reads `at` until a test moves it."""
    return FixedClock(at)


def demo_workspace() -> Workspace:
    people = [
        Person(ALICE, "alice", "Alice Archer", email="alice@example.com"),
        Person(ERIN, "erin", "Erin Eads", email="erin@example.com"),
        Person(BOB, "bob", "Bob Baker", email="bob@example.com"),
        Person(DAVE, "dave", "Dave Diaz", email="dave@example.com"),
        Person(CAROL, "carol", "Carol Chen", email="carol@example.com"),
        Person(FRAN, "fran", "Fran Fisher", email="fran@example.com"),
        Person(GUS, "gus", "Gus Green", email="gus@example.com"),
    ]
    everyone = {p.id for p in people} | {BOT_USER}
    channels = [
        Channel(TRIAGE, "it-triage", {BOB, DAVE, CAROL, BOT_USER}),
        Channel(GENERAL, "general", everyone),
        Channel(IT_HELP, "it-help", everyone),
        Channel(PEOPLE_TRIAGE, "people-triage", {FRAN, GUS, CAROL, BOT_USER}),
        Channel(PEOPLE_HELP, "people-help", everyone),
    ]
    return Workspace(people, channels)


def demo_config(store_url: str = "memory://", **overrides: dict) -> dict:
    data = {
        "desk": {
            "name": "IT Help",
            "timezone": "Europe/Berlin",
            "triage_channel": TRIAGE,
            "agents": [BOB, DAVE],
            "leads": [CAROL],
        },
        "store": {"url": store_url},
        "digest": {"time": "00:00", "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
    }
    for section, values in overrides.items():
        if isinstance(values, list):  # [[team]] tables: the desk's own team keys give way to them
            data[section] = values
            for key in ("triage_channel", "agents", "leads", "categories"):
                data["desk"].pop(key, None)
        else:
            data.setdefault(section, {}).update(values)
    return data


def two_teams(it: dict | None = None, people: dict | None = None) -> list[dict]:
    """IT (Bob, Dave; #it-triage, #it-help) and People (Fran, Gus; #people-triage,
    #people-help), both led by Carol: `running_desk(team=two_teams())`."""
    return [
        {
            "name": "IT",
            "triage_channel": TRIAGE,
            "agents": [BOB, DAVE],
            "leads": [CAROL],
            "categories": ["Hardware", "Software", "Access"],
            "request_channels": [IT_HELP],
            **(it or {}),
        },
        {
            "name": "People",
            "triage_channel": PEOPLE_TRIAGE,
            "agents": [FRAN, GUS],
            "leads": [CAROL],
            "categories": ["Payroll", "Leave"],
            "request_channels": [PEOPLE_HELP],
            **(people or {}),
        },
    ]


@dataclass
class Running:
    slack: LocalSlack
    desk: DeskApp
    people: Driver
    url: str

    @property
    def clock(self) -> Clock:
        return self.desk.desk.clock

    async def idle(self, timeout: float = 5.0) -> None:
        """Wait until the desk has finished everything it started (listeners after their ack,
        jobs, the outbox) and owes Slack nothing more: after this, what Slack holds is all that
        will come of what the test did."""
        await idle(self.desk, timeout)

    async def run_job(self, job_id: str, timeout: float = 5.0) -> Any:
        """Run one of the desk's scheduled jobs now (by the id it is registered with), then wait
        until the desk is idle."""
        result = await self.desk.run_job(job_id)
        await self.idle(timeout)
        return result

    async def sweep(self, timeout: float = 5.0) -> Any:
        """One SLA sweep at the desk's clock, and everything it sends (DMs go at Slack's pace
        of one a second in a conversation: many for one person take as many seconds)."""
        return await self.run_job("sla-sweep", timeout)

    async def advance(self, span: timedelta) -> None:
        """Move the desk's clock on by `span`, then sweep as the scheduler would."""
        self.clock.advance(span)
        await self.sweep()


RETRIES_SOON = 2.0  # a message Slack refused for a second or two is still to come, not idle


async def idle(desk: DeskApp, timeout: float = 5.0) -> None:
    """Wait until `desk.idle()` holds twice in a row (work a listener starts lands in the store
    or the outbox before it ends, so a quiet desk stays quiet)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    quiet = 0
    while quiet < 2:
        if loop.time() > deadline:
            raise AssertionError(f"the desk did not become idle in {timeout}s: {desk.health()}")
        await asyncio.sleep(0.01)
        quiet = quiet + 1 if desk.idle(within=RETRIES_SOON) else 0


@asynccontextmanager
async def local_slack() -> AsyncIterator[LocalSlack]:
    """A local Slack that outlives the desks started against it (restart tests)."""
    slack = LocalSlack(demo_workspace())
    await slack.start()
    try:
        yield slack
    finally:
        await slack.stop()


@asynccontextmanager
async def running_desk(
    store_url: str = "memory://",
    *,
    socket: bool = False,
    slack: LocalSlack | None = None,
    clock: Clock | None = None,
    backoff: Backoff | None = None,
    jobs: bool = False,
    store: Any = None,
    pacer: Pacer | None = None,
    **overrides: dict,
) -> AsyncIterator[Running]:
    """The desk and a local Slack, both running. Pass `slack` to restart a desk against the same
    workspace (it is then left running), `clock` to start it at another time (by default a
    fixed `TEST_START`). Its scheduled jobs are registered but run only when the test asks
    (`Running.run_job`, `Running.sweep`), unless `jobs=True` lets APScheduler run them on the
    machine's clock, for tests of that wiring. `store`: a store of the test's own (a fake
    backend) instead of the one `store_url` names."""
    own_slack = slack is None
    if slack is None:
        slack = LocalSlack(demo_workspace())
        await slack.start()
    variables = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
    }
    if socket:
        variables["SLACK_APP_TOKEN"] = slack.app_token
    desk = DeskApp(
        parse_config(demo_config(store_url, **overrides)),
        read_environment(variables),
        clock=clock or clock_at(),
        backoff=backoff or QUICK_RETRIES,
        run_jobs=jobs,
        store=store,
        pacer=pacer or Pacer({"chat.postMessage": LIMITS["chat.postMessage"]}),  # tiers: tests that ask
    )
    await desk.start()
    # The knowledge base learns the store's tickets beside the started desk; a test starts
    # once it has (tests/test_answers.py shows the desk meanwhile).
    await desk.desk.knowledge.learnt()
    runner = web.AppRunner(desk.web_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/"
    handler = None
    if socket:
        handler = AsyncSocketModeHandler(desk.bolt, slack.app_token)
        await handler.connect_async()
        for _ in range(100):
            if slack.socket is not None:
                break
            await asyncio.sleep(0.02)
    else:
        slack.request_url = url + "slack/events"
    try:
        yield Running(slack, desk, Driver(slack), url)
    finally:
        if handler is not None:
            await handler.close_async()
        await runner.cleanup()
        await desk.stop()
        if own_slack:
            await slack.stop()


async def settle(condition, timeout: float = 5.0) -> None:
    """Wait until `condition()` is true (it may be a coroutine): the bot acks first and works
    after the ack."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await _holds(condition):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the expected outcome did not happen in time")
        await asyncio.sleep(0.02)


async def _holds(condition) -> bool:
    result = condition()
    if asyncio.iscoroutine(result):
        result = await result
    return bool(result)


async def ticket_where(run: Running, number: int, test) -> bool:
    """Whether ticket `number` is stored and `test(ticket)` holds: for `settle`."""
    ticket = await run.desk.store.ticket(number)
    return ticket is not None and bool(test(ticket))


def bot_posts(slack: LocalSlack, channel: str, *, thread: str | None = None, to: str | None = None) -> list:
    """The bot's messages in `channel` (in `thread`, when given), as `to` would see them."""
    found = slack.workspace.channels[channel].messages if channel in slack.workspace.channels else []
    return [
        m
        for m in found
        if m.user == BOT_USER
        and (thread is None or m.thread_ts == thread)
        and (m.ephemeral_to is None or m.ephemeral_to == to)
    ]


def blocks_text(blocks) -> str:
    """Every text a person reads in `blocks`, a line each."""
    parts: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(parts)


def text_of(message) -> str:
    """Everything a person reads on a message: its blocks' texts, or its plain text."""
    return blocks_text(message.blocks) or message.text


def ack_text(delivery) -> str:
    """What an acknowledgement shows the person: Bolt sends plain text, or JSON with text and blocks."""
    body = delivery.body
    if isinstance(body, dict):
        return "\n".join([str(body.get("text", "")), blocks_text(body.get("blocks") or [])])
    return str(body or "")


def dm_of(run: Running, user: str = ALICE) -> str:
    """The DM channel between `user` and the desk."""
    return run.slack.workspace.im_with(user).id


async def start_request(run: Running, words: str = "My laptop won't boot", user: str = ALICE):
    """`user` tells the desk about a problem in a DM; returns the question the desk asks back."""
    dm = dm_of(run, user)
    before = len(bot_posts(run.slack, dm))
    await run.people.say(user, dm, words)
    await settle(lambda: len(bot_posts(run.slack, dm)) > before)
    return bot_posts(run.slack, dm)[-1]


async def answer_questions(run: Running, user: str, prompt, area="Hardware", urgency="P2 · High") -> None:
    """Press an area, then an urgency, on the desk's question, and wait for the confirmation."""
    await run.people.press(user, prompt, area)
    await settle(lambda: "How urgent" in text_of(prompt))
    await run.people.press(user, prompt, urgency)
    await settle(lambda: "is open" in text_of(prompt))


async def raise_ticket(run: Running, words: str = "Laptop won't boot", urgency: str = "P2 · High"):
    """Alice raises a ticket through the DM; returns her confirmation (the ticket's thread) and the card."""
    prompt = await start_request(run, words)
    await answer_questions(run, ALICE, prompt, "Hardware", urgency)
    number = await run.desk.store.ticket_count()
    await settle(lambda: ticket_where(run, number, lambda t: t.card))
    ts = (await run.desk.store.ticket(number)).card.split(":")[1]
    return prompt, run.slack.workspace.find_message(TRIAGE, ts)


async def owed_at_a_kill(
    url: str, slack: LocalSlack, channel: str, keys: list[str], arrived: int, thread: str | None = None
) -> None:
    """The store at `url` as a desk killed with a note for each of `keys` owed to `channel`
    (in `thread`, when given) leaves it, the first `arrived` of them already posted (metadata
    and all, in the conversation) by the attempt the kill cut short, before it struck them
    off. No desk may have the store open."""
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    for key in keys[:arrived]:
        metadata = {"event_type": METADATA_TYPE, "event_payload": {"id": key}}
        await client.chat_postMessage(channel=channel, text=f"Note {key}", metadata=metadata)
    store = store_from_url(url)
    await store.open()
    async with store.transaction() as tx:
        for key in keys:
            owe(
                tx,
                key,
                Post(Conversation(channel), f"Note {key}", None, InThread(thread) if thread else None),
            )
    await store.close()


def carrying(key: str):
    """A `Faults` pick (`when`): a post whose message metadata carries the outbox id `key`
    (slack_sdk sends it as JSON, a form as a JSON string)."""

    def picks(args: dict[str, Any]) -> bool:
        metadata = args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        return isinstance(metadata, dict) and (metadata.get("event_payload") or {}).get("id") == key

    return picks


def outbox_arrivals(slack: LocalSlack) -> Counter[str]:
    """How many times each outbox message arrived, across every conversation (by the id its
    metadata carries)."""
    seen: Counter[str] = Counter()
    for channel in slack.workspace.channels.values():
        for message in channel.messages:
            if message.metadata and message.metadata["event_type"] == METADATA_TYPE:
                seen[message.metadata["event_payload"]["id"]] += 1
    return seen


# -- the desk as its own process (restart and kill tests) -------------------------------------
ROOT = Path(__file__).resolve().parent.parent
_started: list[int] = []  # process groups started by the test now running


def _die_with_the_tests() -> None:  # pragma: no cover - runs in the child, before exec
    """In a child process: be killed when the test process dies, however it dies (Linux)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


PR_SET_PDEATHSIG = 1


def child() -> dict[str, Any]:
    """Options for every process a test starts: a process group of its own, killed with the
    tests if they die, and by `stop_children` when the test ends (see `conftest.py`)."""
    return {"start_new_session": True, "preexec_fn": _die_with_the_tests}


def started(pid: int) -> int:
    """Note a child's process group, to be stopped when the test ends; returns `pid`."""
    _started.append(pid)
    return pid


def stop_children() -> None:
    """SIGKILL every process group the test started and left running."""
    while _started:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(_started.pop(), signal.SIGKILL)


def toml_text(data: dict[str, Any], prefix: str = "") -> str:
    """A config dict as TOML: tables of plain values (strings, numbers, booleans, lists)."""
    plain = {k: v for k, v in data.items() if not isinstance(v, dict)}
    lines = [f"[{prefix}]"] if prefix and plain else []
    lines += [f"{key} = {json.dumps(value)}" for key, value in plain.items()]
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(toml_text(value, f"{prefix}.{key}" if prefix else key))
    return "\n".join(lines)


# `python -m bot` commands read the machine's clock; Debian's faketime sets it for one process.
faked_time = pytest.mark.skipif(
    shutil.which("faketime") is None and not os.environ.get("CI"),
    reason="needs Debian's faketime to run `python -m bot` at a chosen moment (apt-get install faketime)",
)


def run_command(
    folder: Path, config: dict[str, Any], *args: str, at: datetime | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` as an operator runs it, with `config` written to `folder` and
    nothing else in the environment but `env`; with the machine's clock reading `at` for it
    (and moving on from there), when given (tests using it are marked `faked_time`)."""
    path = folder / "cli.toml"
    path.write_text(toml_text(config))
    clock: list[str] = []
    if at is not None:
        clock = ["faketime", "-f", f"@{at.astimezone(UTC):%Y-%m-%d %H:%M:%S}"]
        env = {**env, "TZ": "UTC"}
    return subprocess.run(
        [*clock, sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env={"DESK_CONFIG": str(path), "PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
        **child(),
    )


async def wait_healthy(port: int, tries: int = 150) -> dict[str, Any]:
    """Poll the desk's /healthz until it answers; its JSON body."""
    async with aiohttp.ClientSession() as http:
        for _ in range(tries):
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    return dict(await response.json())
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
    raise AssertionError("the desk did not start serving")


async def quiet_process(port: int, sweeps: int = 2, timeout: float = 30.0) -> dict[str, Any]:
    """Wait until a desk process has finished `sweeps` more SLA sweeps and is idle (its
    /healthz): whatever those sweeps would send has been sent. Its health then."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    first = (await wait_healthy(port))["sweeps"]
    while True:
        health = await wait_healthy(port)
        if health["sweeps"] >= first + sweeps and health["idle"]:
            return health
        if loop.time() > deadline:
            raise AssertionError(f"the desk process did not settle: {health}")
        await asyncio.sleep(0.05)


def port_of(slack: LocalSlack) -> int:
    """The port of the desk process the local Slack sends its requests to."""
    return int(slack.request_url.split(":")[2].split("/")[0])


LISTENING = re.compile(r"listening for Slack on http://[^:/]+:(\d+)/")


def announced_port(log: Path, since: int, pattern: re.Pattern[str] = LISTENING) -> int | None:
    """The port a process wrote to `log` (after byte `since`) that it is listening on. Tests
    start their processes with port 0 and read the port the system chose, so that no two
    processes ever race for one."""
    with open(log, "rb") as found:
        found.seek(since)
        match = pattern.search(found.read().decode(errors="replace"))
    return int(match.group(1)) if match else None


async def start_process(slack: LocalSlack, folder: Path, store_url: str, **overrides: dict):
    """`python -m bot` against the local Slack, as an operator runs it; returns the process once
    it is healthy. Its log goes to `folder/desk.log`."""
    config = folder / "desk.toml"
    config.write_text(toml_text(demo_config(store_url, **overrides)))
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "DESK_CONFIG": str(config),
        "PORT": "0",  # any free port: the desk says which in its log
    }
    env.pop("SLACK_APP_TOKEN", None)
    path = folder / "desk.log"
    with open(path, "a") as log:
        since = log.tell()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=ROOT, env=env, stdout=log, stderr=log, **child()
        )
    started(process.pid)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while (port := announced_port(path, since)) is None:
        if process.returncode is not None or loop.time() > deadline:
            raise AssertionError("the desk did not start: " + path.read_text()[since:][-2000:])
        await asyncio.sleep(0.05)
    slack.request_url = f"http://127.0.0.1:{port}/slack/events"
    await wait_healthy(port)
    return process
