"""The desk running for real against the local Slack, for end-to-end tests.

`running_desk` starts the local Slack and the desk's aiohttp server on free ports; requests
travel as signed HTTP (or over Socket Mode with `socket=True`), exactly as from Slack.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket as sockets
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from bot.app import DeskApp
from bot.clock import Clock
from bot.flows.outbox import Backoff
from bot.flows.owed import METADATA_TYPE
from bot.localslack import LocalSlack, Workspace
from bot.localslack.driver import Driver
from bot.localslack.workspace import BOT_USER, Channel, Person
from config import parse_config, read_environment

ALICE, ERIN, BOB, DAVE, CAROL = "U0ALICE01", "U0ERIN001", "U0BOB0001", "U0DAVE001", "U0CAROL01"
TRIAGE = "C0TRIAGE1"
GENERAL = "C0GENERAL"


def demo_workspace() -> Workspace:
    people = [
        Person(ALICE, "alice", "Alice Archer"),
        Person(ERIN, "erin", "Erin Eads"),
        Person(BOB, "bob", "Bob Baker"),
        Person(DAVE, "dave", "Dave Diaz"),
        Person(CAROL, "carol", "Carol Chen"),
    ]
    everyone = {p.id for p in people} | {BOT_USER}
    channels = [
        Channel(TRIAGE, "it-triage", {BOB, DAVE, CAROL, BOT_USER}),
        Channel(GENERAL, "general", everyone),
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
        data.setdefault(section, {}).update(values)
    return data


@dataclass
class Running:
    slack: LocalSlack
    desk: DeskApp
    people: Driver
    url: str


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
    **overrides: dict,
) -> AsyncIterator[Running]:
    """The desk and a local Slack, both running. Pass `slack` to restart a desk against the same
    workspace (it is then left running), `clock` to start it at another time."""
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
        clock=clock,
        backoff=backoff,
    )
    await desk.start()
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
    """Wait until `condition()` is true: the bot acks first and works after the ack."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the expected outcome did not happen in time")
        await asyncio.sleep(0.02)


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
    await settle(
        lambda: run.desk.store.tables.tickets.get(number) and run.desk.store.tables.tickets[number].card
    )
    ts = run.desk.store.tables.tickets[number].card.split(":")[1]
    return prompt, run.slack.workspace.find_message(TRIAGE, ts)


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


def free_port() -> int:
    with sockets.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def toml_text(data: dict[str, Any], prefix: str = "") -> str:
    """A config dict as TOML: tables of plain values (strings, numbers, booleans, lists)."""
    plain = {k: v for k, v in data.items() if not isinstance(v, dict)}
    lines = [f"[{prefix}]"] if prefix and plain else []
    lines += [f"{key} = {json.dumps(value)}" for key, value in plain.items()]
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(toml_text(value, f"{prefix}.{key}" if prefix else key))
    return "\n".join(lines)


def run_command(
    folder: Path, config: dict[str, Any], *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` as an operator runs it, with `config` written to `folder` and
    nothing else in the environment but `env`."""
    path = folder / "cli.toml"
    path.write_text(toml_text(config))
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env={"DESK_CONFIG": str(path), "PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
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


async def start_process(slack: LocalSlack, folder: Path, store_url: str, **overrides: dict):
    """`python -m bot` against the local Slack, as an operator runs it; returns the process once
    it is healthy. Its log goes to `folder/desk.log`."""
    port = free_port()
    config = folder / "desk.toml"
    config.write_text(toml_text(demo_config(store_url, **overrides)))
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "DESK_CONFIG": str(config),
        "PORT": str(port),
    }
    env.pop("SLACK_APP_TOKEN", None)
    with open(folder / "desk.log", "a") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=ROOT, env=env, stdout=log, stderr=log
        )
    slack.request_url = f"http://127.0.0.1:{port}/slack/events"
    await wait_healthy(port)
    return process
