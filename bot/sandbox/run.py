"""`python -m bot sandbox`: the local Slack, the desk pointed at it, and the page, in one process.

The desk runs exactly as in production: HTTP mode with real signatures (the local Slack
signs every request with the sandbox's signing secret), its own scheduler, and a TinyDB
store under the sandbox's folder. What the local Slack holds (conversations, the clock's
lead) is saved beside the store, so a restart picks up where the visitor left off.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import shutil
import signal
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import DeskApp
from bot.clock import Clock
from bot.domain.escalation import next_notice_at
from bot.domain.roles import Staff
from bot.localslack import ChannelPace, LocalSlack, MethodPace
from bot.outbox_command import Waiting, waiting
from bot.sandbox.demo import demo_config, demo_workspace, local_zone, seed_general
from bot.sandbox.page import Page
from config import load_config, read_environment
from store.names import OUTBOX

log = logging.getLogger("desk.sandbox")
SLACK_FILE = "slack.json"
CONFIG_FILE = "desk.toml"
# While the sandbox runs: its local Slack's token and address, for commands run beside it (the
# export asks Slack for people's names). New at every start, readable by its owner alone, and
# removed when the sandbox stops.
SLACK_ENV = "slack.env"
SAVE_AFTER = 0.3  # seconds of quiet before the conversations are written out
START_DRAIN = 300.0  # seconds start-up may wait for its messages (the first chart draws fonts)
MAX_STOPS = 1000  # moments a fast-forward stops at, at most
STEP_PAST = timedelta(seconds=1)  # how far past a due moment the clock stops


class Sandbox:
    def __init__(self, folder: Path, port: int = 0, *, reset: bool = False) -> None:
        self.folder = folder
        self.port = port
        self.reset = reset
        self.clock = Clock()
        self.slack: LocalSlack | None = None
        self.app: DeskApp | None = None
        self._bot_site: web.AppRunner | None = None
        self._save: asyncio.TimerHandle | None = None
        self._moving = asyncio.Lock()  # one fast-forward at a time
        self.page: Page | None = None

    # -- life --------------------------------------------------------------------------
    async def start(self) -> None:
        """Bring everything up; ConfigError or StoreUnavailable when the folder's config or
        store cannot be used, OSError when the port is taken."""
        if self.reset and self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        config_path = self.folder / CONFIG_FILE
        if not config_path.exists():
            config_path.write_text(demo_config(self.folder / "desk.json", local_zone()), encoding="utf-8")
        config = load_config(config_path)
        workspace = demo_workspace()
        saved = self._load()
        workspace.restore(saved)
        self.clock.offset = timedelta(seconds=float(saved.get("clock_ahead", 0.0)))
        workspace.clock = lambda: self.clock.now().timestamp()
        if not saved:  # a first run: something in #general to make a ticket of
            seed_general(workspace)
        self.slack = LocalSlack(  # its own secrets, new at every start: no well-known token
            workspace,
            port=self.port,
            channel_pace=ChannelPace(),
            method_pace=MethodPace(),  # Slack's tiers per method, as a real workspace keeps them
            bot_token=f"xoxb-sandbox-{secrets.token_hex(12)}",
            app_token=f"xapp-sandbox-{secrets.token_hex(12)}",
            signing_secret=secrets.token_hex(16),
        )
        self.page = Page(self.slack, self)
        self.page.install(self.slack.app)
        self.slack.api.listeners.append(lambda *_: self._save_soon())
        await self.slack.start()
        self._write_slack_env()
        env = read_environment(
            {
                "SLACK_BOT_TOKEN": self.slack.bot_token,
                "SLACK_SIGNING_SECRET": self.slack.signing_secret,
                "SLACK_API_URL": self.slack.api_url,
            }
        )
        self.app = DeskApp(config, env, clock=self.clock)
        self.app.store.watch(OUTBOX, lambda: self.page.changed("owed") if self.page else None)
        await self.app.start()
        # What the desk does at start (the week's report, a digest that fell due, notices) goes
        # out before the page is served, so none of it races a visitor's first clicks (or the
        # "rate-limit the next 3 calls" switch).
        await self._run_jobs(drain_for=START_DRAIN)
        runner = web.AppRunner(self.app.web_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._bot_site = runner
        bot_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.slack.request_url = f"http://127.0.0.1:{bot_port}/slack/events"

    async def stop(self) -> None:
        if self.page is not None:
            self.page.hang_up()
        if self._save is not None:
            self._save.cancel()
        if self._bot_site is not None:
            await self._bot_site.cleanup()
        if self.app is not None:
            await self.app.stop()
        if self.slack is not None:
            self._write()
            (self.folder / SLACK_ENV).unlink(missing_ok=True)
            await self.slack.stop()

    @property
    def url(self) -> str:
        assert self.slack is not None
        return self.slack.url

    # -- what the page may switch -----------------------------------------------------
    @property
    def desk_name(self) -> str:
        assert self.app is not None
        return self.app.config.desk.name

    @property
    def staff(self) -> Staff:
        assert self.app is not None
        return self.app.desk.staff

    def now(self) -> datetime:
        return self.clock.now()

    def offset_seconds(self) -> float:
        return self.clock.offset.total_seconds()

    def forget_person(self, user: str) -> None:
        """The desk asks Slack again for this person's name and language."""
        assert self.app is not None
        self.app.desk.slack.forget(user)

    async def owed(self) -> list[Waiting]:
        """What the desk still owes Slack, oldest first (as `python -m bot outbox` lists it)."""
        assert self.app is not None
        return await waiting(self.app.desk)

    def slack_back(self) -> None:
        """The page's "Slack is down" was switched off: the outbox asks Slack at once."""
        assert self.app is not None
        self.app.outbox.slack_back()

    async def fast_forward(self, seconds: float) -> None:
        """Move the desk's clock on as if the time had passed with the desk running: it stops
        at each moment something falls due (an escalation level, a digest) and lets the
        desk's jobs run there, so every notice arrives on time, in order, not marked late."""
        assert self.app is not None
        async with self._moving:
            end = self.clock.now() + timedelta(seconds=seconds)
            for _ in range(MAX_STOPS):
                moment = await self._next_due(end)
                if moment is None:
                    break
                self.clock.offset += moment - self.clock.now()
                await self._run_jobs()
            self.clock.offset += max(end - self.clock.now(), timedelta(0))
            await self._run_jobs()
            self._write()
        log.info("clock moved on", extra={"seconds": seconds, "ahead": self.offset_seconds()})

    async def _next_due(self, end: datetime) -> datetime | None:
        """The first moment before `end` when an escalation level or a digest falls due."""
        assert self.app is not None
        now, desk, escalation = self.clock.now(), self.app.desk, self.app.escalation
        tickets = await desk.store.open_tickets()
        moments = [
            next_notice_at(ticket, desk.sla_clock(ticket), escalation.policy_for(ticket), now)
            for ticket in tickets
        ]
        moments += [self.app.escalation.pending.due(ticket) for ticket in tickets]  # reminders, closes
        schedule = self.app.digests.schedule
        today = now.astimezone(schedule.zone).date()
        moments += [schedule.slot(today + timedelta(days=n)) for n in range((end - now).days + 2)]
        if (weekly := self.app.reports.schedule) is not None:  # the weekly report's moment
            monday = weekly.monday(now)
            moments += [weekly.slot(monday + timedelta(days=7 * n)) for n in range((end - now).days // 7 + 2)]
        ahead = [m for m in moments if m is not None and now < m <= end]
        return min(ahead) + STEP_PAST if ahead else None

    async def _run_jobs(self, drain_for: float = 30.0) -> None:
        """What the scheduler runs, run now: the SLA sweep, the digest, the weekly report, the
        intake's expiry."""
        assert self.app is not None
        await self.app.escalation.sweep()
        await self.app.digests.run()
        await self.app.reports.run()
        await self.app.intake.expire()
        # this moment's messages go before the clock moves on
        if not await self.app.outbox.drained(timeout=drain_for):
            log.warning("the desk's messages were still going out when the sandbox moved on")

    # -- kept between runs --------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        path = self.folder / SLACK_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as problem:
            log.warning(
                "could not read the saved conversations; starting with none", extra={"error": str(problem)}
            )
            return {}
        return data if isinstance(data, dict) else {}

    def _write_slack_env(self) -> None:
        assert self.slack is not None
        path = self.folder / SLACK_ENV
        path.unlink(missing_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
            out.write(f"SLACK_BOT_TOKEN={self.slack.bot_token}\nSLACK_API_URL={self.slack.api_url}\n")

    def _save_soon(self) -> None:
        if self._save is not None:
            self._save.cancel()
        self._save = asyncio.get_running_loop().call_later(SAVE_AFTER, self._write)

    def _write(self) -> None:
        """Conversations and the clock's lead, written whole and renamed into place."""
        if self.slack is None:
            return
        data = {**self.slack.workspace.conversations(), "clock_ahead": self.offset_seconds()}
        path = self.folder / SLACK_FILE
        spare = path.with_suffix(".tmp")
        spare.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(spare, path)


def first_steps(url: str, folder: Path) -> str:
    return f"""
  The desk's sandbox is running: {url}

  Open it in a browser and try, in this order:
    1. As Alice (employee), tell IT Help "My laptop won't boot" and answer its two questions.
    2. As Bob (agent), open #it-triage and press Claim on the new card, then Resolve.
    3. As Alice again, rate the help in her DM.
    4. As Erin, write in #people-help: the People team's ticket goes to Fran or Dave in turn.
    5. As Carol (lead), type /desk quality, then press +1h on the clock: Erin's ticket is still
       open, so its targets slip and the escalations arrive.

  Everything is kept in {folder}/ (python -m bot sandbox --reset starts afresh). Ctrl+C stops.
"""


async def serve_sandbox(folder: Path, port: int, reset: bool) -> None:
    """Run the sandbox until SIGINT or SIGTERM."""
    sandbox = Sandbox(folder, port, reset=reset)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    try:
        await sandbox.start()
        print(first_steps(sandbox.url, folder), flush=True)
        await stopping.wait()
    finally:
        await sandbox.stop()
