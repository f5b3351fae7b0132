"""The desk running for real against the local Slack, for end-to-end tests.

`running_desk` starts the local Slack and the desk's aiohttp server on free ports; requests
travel as signed HTTP (or over Socket Mode with `socket=True`), exactly as from Slack.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from bot.app import DeskApp
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
async def running_desk(
    store_url: str = "memory://", *, socket: bool = False, **overrides: dict
) -> AsyncIterator[Running]:
    slack = LocalSlack(demo_workspace())
    await slack.start()
    variables = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
    }
    if socket:
        variables["SLACK_APP_TOKEN"] = slack.app_token
    desk = DeskApp(parse_config(demo_config(store_url, **overrides)), read_environment(variables))
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
        await slack.stop()


async def settle(condition, timeout: float = 5.0) -> None:
    """Wait until `condition()` is true: the bot acks first and works after the ack."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the expected outcome did not happen in time")
        await asyncio.sleep(0.02)
