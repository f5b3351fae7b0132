"""The composition root: the one place that builds config, store, gateway, scheduler and the
Bolt app, and wires them together. Nothing else reaches for globals.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped, warning_token_skipped
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

import handlers
from bot import web as desk_web
from bot.charts import PAINTER, warm_beside
from bot.clock import Clock
from bot.delivery.drawing import chart_name, slug
from bot.delivery.outbox import Outbox
from bot.delivery.renderers import Features
from bot.delivery.sending import Requests
from bot.delivery.storm import card_delivered as storm_card_delivered
from bot.desk import Desk, rollup_of
from bot.domain.digest import DigestSchedule
from bot.domain.notices import person_of
from bot.flows import replays
from bot.flows.agents import Agents
from bot.flows.digest import Digests, place_words
from bot.flows.escalation import Escalation
from bot.flows.home import Homes
from bot.flows.identity import Identity
from bot.flows.intake import Intake
from bot.flows.rating import Ratings
from bot.flows.report import Reports
from bot.flows.summaries import Summaries
from bot.knowledge.base import SAVED_SUFFIX, KnowledgeBase, learn_at_start
from bot.leader import Leadership
from bot.metrics import CONTENT_TYPE as METRICS_TYPE
from bot.metrics import Metrics, request_kind
from bot.slack import when
from bot.slack.blocks import as_plain_text
from bot.slack.gateway import Backoff, SlackFailure, SlackGateway, build_client
from bot.slack.pace import Pacer
from bot.slack.report_blocks import report_title
from bot.summaries import SummaryService
from bot.supervise import Failures
from bot.work import Work, track_listeners
from config.environment import Environment, with_environment
from config.settings import Config
from handlers import lifecycle
from handlers.errors import listener_failed
from handlers.table import table
from store import NotSaved, Store, store_from_url
from store.base import Transaction
from store.names import OUTBOX
from store.records import ROLLUPS

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

log = logging.getLogger("desk")
# What Slack answers for a token it no longer takes (auth.test's documented errors).
AUTH_REFUSED = frozenset({"invalid_auth", "not_authed", "token_revoked", "account_inactive", "token_expired"})
DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
STOP_PATIENCE = 10.0  # seconds a stop waits for listeners still working after their ack
# Bolt reads SLACK_BOT_TOKEN itself and warns twice that it "will be ignored" when the app is
# given a client and an `authorize` (slack_bolt/app/async_app.py). The desk does use that token
# (its `authorize` hands it to Bolt), so the warnings would only make an operator doubt it.
TOKEN_IGNORED = (warning_client_prioritized_and_token_skipped(), warning_token_skipped())


def delivery_features(desk: Desk) -> Features:
    """What the outbox's drawing and settling need of the features (`bot.delivery`): a Home's
    view, the weekly report's text and chart, and what a delivered card changes (the storm
    card's counts, then the Homes showing the ticket). Wired here so the outbox imports none."""
    homes, reports = Homes(desk), Reports(desk)  # the outbox's own: its report's chart is cached apart

    def card_delivered(tx: Transaction, number: int) -> None:
        storm_card_delivered(tx, number)
        if (ticket := tx.ticket(number)) is not None:
            homes.owe_for(tx, ticket)

    return Features(home_view=homes.view, report=reports.compose, card_delivered=card_delivered)


class _Dropped(logging.Filter):
    def __init__(self, messages: tuple[str, ...]) -> None:
        super().__init__()
        self.messages = messages

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in self.messages


@contextlib.contextmanager
def _without(logger: logging.Logger, messages: tuple[str, ...]) -> Iterator[None]:
    """`logger` drops exactly these messages while the block runs."""
    dropped = _Dropped(messages)
    logger.addFilter(dropped)
    try:
        yield
    finally:
        logger.removeFilter(dropped)


def digest_trigger(schedule: DigestSchedule) -> CronTrigger:
    """The digest's cron: `digest.time` on `digest.days`, in the desk's time zone (so 09:00
    stays 09:00 local across DST). On the night clocks go back, a time in the repeated hour
    fires twice; the digest's once-a-day record makes the second firing do nothing."""
    return CronTrigger(
        day_of_week=",".join(DAY_CODES[d] for d in sorted(schedule.days)),
        hour=schedule.at.hour,
        minute=schedule.at.minute,
        timezone=schedule.zone,
    )


class TimedApp(AsyncApp):
    """Bolt's app, timing each request from its dispatch to its ack: HTTP (bot/web.py) and
    Socket Mode both hand requests to `async_dispatch`."""

    acked: Callable[[str, float], None] = staticmethod(lambda kind, seconds: None)

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        started = time.perf_counter()
        response = await super().async_dispatch(req)
        self.acked(request_kind(req.body), time.perf_counter() - started)
        return response


class DeskApp:
    """A desk ready to start: `start()` opens the store and the scheduler, `stop()` closes them."""

    def __init__(
        self,
        config: Config,
        env: Environment,
        *,
        clock: Clock | None = None,
        store: Store | None = None,
        backoff: Backoff | None = None,
        run_jobs: bool = True,
        pacer: Pacer | None = None,
    ):
        config = with_environment(config, env)  # DESK_SUMMARIES_API_KEY, when set
        self.config = config
        self.run_jobs = run_jobs  # False: the jobs are registered but run only when asked (tests)
        self.work = Work()
        self.failures = Failures()  # crashes of the background work (bot.supervise)
        self.env = env
        self.store = store or store_from_url(config.store_url)
        self.store.rollup = rollup_of(config)  # the per-day rollups move with each ticket saved
        pacer = pacer or Pacer()  # Slack's pace per method, kept by every call the desk makes
        client = build_client(env.bot_token, env.api_url, backoff=backoff, pacer=pacer)
        self._http: aiohttp.ClientSession | None = None  # one pool of connections to Slack, from start()
        self.metrics = Metrics(lambda: self.outbox.backlog())
        self.slack_auth: dict[str, str] = {"state": "unknown"}  # Slack's word on the bot token
        self.cut_off: str | None = None  # why the desk stopped calling Slack (tokens_revoked, ...)
        self.socket: AsyncSocketModeHandler | None = None  # Socket Mode's connection (serve())
        self.store.observe(self.metrics.ticket_changes(lambda number: self.store.tables.tickets.get(number)))
        gateway = SlackGateway(client)
        gateway.told = self._slack_call
        self.desk = Desk(config=config, store=self.store, slack=gateway, clock=clock or Clock())
        self.desk.directory = self.desk.messages = gateway  # the flows' ports (`bot.ports`)
        self.store.clock = self.desk.clock.now  # outbox entries are timed on the desk's clock
        store_file = getattr(self.store, "path", None)  # a TinyDB store's: the vectors go beside it
        self.desk.knowledge = KnowledgeBase(
            config.ref,
            config.replies,
            config.answers.knowledge_path or None,
            config.answers.retrieval,
            Path(f"{store_file}{SAVED_SUFFIX}") if isinstance(store_file, Path) else None,
        )
        self.store.observe(self.desk.knowledge.observe)  # learns each ticket as it resolves
        self.scheduler = AsyncIOScheduler(timezone=config.desk.timezone)
        bolt_log = logging.getLogger("desk.bolt")
        with _without(bolt_log, TOKEN_IGNORED):
            self.bolt = TimedApp(
                client=client,
                authorize=self._authorizer(),
                signing_secret=env.signing_secret,
                # Checked once, by the HTTP edge (bot/web.py), before anything parses the body.
                request_verification_enabled=False,
                process_before_response=True,  # answered at the listener's ack (bot.work)
                logger=bolt_log,
            )
        self.bolt.acked = lambda kind, seconds: self.metrics.ack_seconds.labels(kind=kind).observe(seconds)
        self.intake = Intake(self.desk)
        self.agents = Agents(self.desk)
        self.escalation = Escalation(self.desk)
        self.ratings = Ratings(self.desk)
        self.digests = Digests(self.desk)
        self.reports = Reports(self.desk)
        # The outbox retries on its own schedule, so its calls fail fast instead of waiting.
        quick_client = build_client(env.bot_token, env.api_url, patience=0, pacer=pacer)
        self._clients = (client, quick_client)
        quick = SlackGateway(quick_client)
        quick.told = self._slack_call
        self.identity = Identity(self.desk, quick)
        self.requests = Requests()  # while Slack's requests arrive, the outbox steps back
        self.outbox = Outbox(
            self.desk,
            quick,
            backoff,
            failures=self.failures,
            features=delivery_features(self.desk),
            requests=self.requests,
        )
        self.store.watch(OUTBOX, self.outbox.wake)
        # [summaries]: an endpoint of the owner's choosing, called only when configured (issue 39)
        self.summaries = Summaries(self.desk, SummaryService(config.summaries))
        handlers.register(self.bolt, self.desk, self.intake, self.agents, self.ratings, self.summaries)
        lifecycle.register(self.bolt, self.lose_slack)

        @self.bolt.middleware
        async def arrived(next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse | None:
            self.requests.arrived()  # acks first: the outbox sends one at a time meanwhile
            return await next()

        track_listeners(self.bolt, self.work, listener_failed(self.desk), table(self.bolt).acks_at_once)
        self.leadership = Leadership(None, self._lead, self._follow, every=60.0)  # made at start
        self._learning: asyncio.Task[None] | None = None  # the knowledge base's, from start()
        self._warming: asyncio.Task[bool] | None = None  # the charts', after the learning
        self.ready = False

    def _authorizer(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        """For Bolt (which reads the function's argument names): the desk's own identity,
        known even while Slack's Web API is away (`bot.flows.identity`)."""

        async def authorize(user_id: str | None) -> AuthorizeResult:
            me = await self.identity.get()
            return AuthorizeResult(
                enterprise_id=me.get("enterprise_id"),
                team_id=me.get("team_id"),
                team=me.get("team"),
                url=me.get("url"),
                bot_user_id=me.get("user_id"),
                bot_id=me.get("bot_id"),
                bot_token=self.env.bot_token,
                user_id=user_id,
            )

        return authorize

    def _job(
        self, function: Callable[[], Awaitable[Any]], name: str = "digest"
    ) -> Callable[[], Awaitable[Any]]:
        """A scheduled job, counted while it runs; a store that cannot write makes it wait for
        its next run (logged once, no traceback): it records nothing half done."""
        counted = self.work.tracked(function)

        async def job() -> Any:
            try:
                return await counted()
            except NotSaved as problem:
                log.warning("job skipped: the store cannot write", extra={"error": str(problem)})
                return None
            except Exception as error:  # logged and counted; the job runs again at its next time
                self.failures.crashed(f"the {name} job", error)
                return None

        return job

    async def start(self) -> None:
        self.store.keep_since = self.desk.clock.now() - self.config.keep_in_memory  # the window to load
        await self.store.open()
        if not await self.store.entries(ROLLUPS) and await self.store.ticket_count():
            await self.store.rebuild_rollups()  # a store from before the rollups: once
        # Not ready (no suggestions) until `learn_at_start`, begun at the end, has learnt.
        self.desk.knowledge.begin_learning()
        # Without a session of its own, slack_sdk opens a new connection for every call.
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        for client in self._clients:
            client.session = self._http
        with contextlib.suppress(SlackFailure):  # known now, or at the first request
            await self.identity.get()
        every = self.config.escalation.check_every.total_seconds()
        now = datetime.now(UTC)
        self._every("intake-expiry", self.intake.expire, seconds=600)
        self._every(
            "forget-replays", lambda: replays.forget_old(self.desk, self.desk.clock.now()), seconds=600
        )
        # at once: catch up on what fell due while down
        self._every(
            "sla-sweep", self.escalation.sweep, seconds=every, grace=int(max(60, 2 * every)), first=now
        )
        self.scheduler.add_job(
            self._job(self.digests.run),
            digest_trigger(self.digests.schedule),
            id="digest",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,  # late is fine: a run sends only what today still owes
        )
        self.scheduler.add_job(  # at once: today's digest if it fell due while the desk was down
            self._job(self.digests.run),
            id="digest-catch-up",
            next_run_time=now,
            misfire_grace_time=None,
        )
        self._every("digest-owed", self.digests.deliver_owed, seconds=60, grace=1)
        # at once: a week's report still owed after a restart
        self._every("weekly-report", self.reports.run, seconds=600, first=now)
        self._every("archive", self.archive_settled, seconds=3600, first=now)
        self.scheduler.start(paused=True)  # the leader's to run (bot.leader)
        # First of all, once this desk leads: what was owed before a stop or a crash goes out.
        self.leadership = Leadership(
            self.store.leader_lock(),
            self._lead,
            self._follow,
            every=max(1.0, every / 2),
            failures=self.failures,
        )
        await self.leadership.start()
        # The knowledge base learns the window's tickets beside the desk, a slice at a time:
        # the desk serves meanwhile (until it is learnt, intake offers no suggestions). Begun
        # last, so its slices do not share the CPU with the start-up itself (issue 37).
        self._learning = asyncio.get_running_loop().create_task(
            learn_at_start(self.desk.knowledge, self.store)
        )
        self._warm_charts()
        self.ready = True
        log.info("desk started", extra={"store": self.store.url, "mode": self.mode})
        if self.env.disk_resets and self.config.store_url.startswith("tinydb://"):
            log.warning(
                "the TinyDB store is on a disk this platform wipes at every restart: every ticket "
                "would be lost; set DESK_STORE to a postgresql:// URL (docs/deploying.md)",
                extra={"platform": self.env.disk_resets, "store": self.store.url},
            )

    def _every(
        self,
        job_id: str,
        function: Callable[[], Awaitable[Any]],
        *,
        seconds: float,
        grace: int | None = None,
        first: datetime | None = None,
    ) -> None:
        """A job run every `seconds` (never two at once, missed runs folded into one), late by
        up to `grace` seconds (default: its interval), first at `first` when given."""
        extra: dict[str, Any] = {"next_run_time": first} if first is not None else {}
        self.scheduler.add_job(
            self._job(function, job_id),
            "interval",
            seconds=seconds,
            id=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=grace if grace is not None else int(seconds),
            **extra,
        )

    async def archive_settled(self) -> int:
        """Resolved tickets settled before the window (`store.keep_in_memory`) to the archive."""
        return await self.store.archive_settled(self.desk.clock.now() - self.config.keep_in_memory)

    def _slack_call(self, method: str, error: str | None) -> None:
        """A call to Slack ended: counted, what it says of the token kept for /healthz, and the
        outbox told (Slack answering again after an outage sends what waited at once)."""
        self.metrics.slack_call(method, error)
        self.outbox.heard(error)
        if error is None:
            self.slack_auth = {"state": "ok"}
        elif error in AUTH_REFUSED:
            self.slack_auth = {"state": "refused", "error": error}

    async def lose_slack(self, reason: str) -> None:
        """The token was revoked or the app uninstalled: stop calling Slack. The outbox keeps
        what it owes, for a restart with a working token; /healthz says why it is 503."""
        if self.cut_off is not None:
            return
        self.cut_off = reason
        self.slack_auth = {"state": "refused", "error": reason}
        log.error(
            "Slack took the desk's token back: it stops calling Slack until restarted with a "
            "working token (reinstall the app, set SLACK_BOT_TOKEN, and run check-config --online "
            "to see the channels to invite the bot to again)",
            extra={"reason": reason},
        )
        if self.scheduler.running:
            self.scheduler.pause()
        await self.outbox.stop()

    async def _lead(self) -> None:
        """This desk leads: it delivers the outbox and (unless a test steps them) runs the jobs."""
        if self.cut_off is not None:  # Slack took the token back: nothing goes to Slack
            return
        await self.outbox.start()
        if self.run_jobs:
            self.scheduler.resume()
        self._warm_charts()

    def _warm_charts(self) -> None:
        """Import matplotlib in the charts' drawing process, once this desk leads (only the
        leader draws the weekly report: its job and the outbox's) and has begun learning at
        its start: beside the desk once that is learnt. A follower never pays for it (about a
        second of CPU and 80 MB): with three desks on one machine, two imports fewer while the
        first requests come in. A desk that stops leading keeps its drawing process until it
        stops (it may lead again)."""
        if (
            self.config.weekly_report
            and self.leadership.leading
            and self._learning is not None
            and self._charts_state() == "cold"  # never tried, or a try that failed: again
        ):
            self._warming = asyncio.get_running_loop().create_task(warm_beside(self._learning))

    async def _follow(self) -> None:
        """Another desk leads: this one only serves requests."""
        if self.scheduler.running:
            self.scheduler.pause()
        await self.outbox.stop()

    async def stop(self, patience: float = STOP_PATIENCE) -> None:
        """Stop cleanly, once no request reaches the desk any more: listeners still working
        after their ack finish (up to `patience` seconds: Slack will not send their request
        again), then the jobs stop, the outbox finishes the message in hand, and the store
        closes. What is still owed is delivered after the next start."""
        self.ready = False
        await self.finish_listeners(patience)
        if self.scheduler.running:
            self.scheduler.pause()  # no job starts now; one under way ends first
        await self._jobs_done(patience)
        await self.leadership.stop()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.escalation.finish()
        await self.outbox.stop()
        if self._learning is not None and not self._learning.done():
            self._learning.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._learning
        if self._warming is not None and not self._warming.done():
            self._warming.cancel()  # (a draw under way ends in the drawing process)
        write = self.desk.knowledge.snapshot()  # the vectors learnt since the start
        if write is not None:
            await asyncio.to_thread(write)
        await self.store.close()
        if self._http is not None:
            await self._http.close()
        log.info("desk stopped")

    async def finish_listeners(self, patience: float) -> None:
        """Wait for the listeners still at work after their ack; the late are cancelled (the
        store keeps what each committed) and logged."""
        running = set(self.work.after_ack)
        if not running:
            return
        log.info("stopping: waiting for listeners still at work", extra={"running": len(running)})
        _, late = await asyncio.wait(running, timeout=patience)
        for task in late:
            task.cancel()
        if late:
            log.warning("stopping: listeners cut short", extra={"cut": len(late), "after_s": patience})
            await asyncio.wait(late, timeout=1.0)

    async def _jobs_done(self, patience: float) -> None:
        """Wait (up to `patience` seconds) for scheduled jobs under way: a digest half sent
        would be sent again whole, a sweep half recorded looked at again."""
        deadline = time.monotonic() + patience
        while self.work.busy and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        if self.work.busy:
            log.warning("stopping: a job was still running", extra={"after_s": patience})

    def idle(self, within: float = 0.0) -> bool:
        """Nothing is running and nothing is waiting to go: no listener after its ack, no job,
        no message in the outbox but those parked or waiting on a back-off longer than `within`
        seconds."""
        return (
            not self.work.busy
            and not self.work.after_ack  # (a click acked for its listener: its task not started yet)
            and not self.outbox.busy
            and self.outbox.due(within) == 0
        )

    async def run_job(self, job_id: str) -> Any:
        """Run a registered job now, as the scheduler would, and wait for it and for one round
        of the outbox at what it owes: how tests step the desk's schedule on their own clock."""
        job = self.scheduler.get_job(job_id)
        if job is None:
            raise LookupError(f"no job {job_id!r} is registered")
        result = await job.func(*job.args, **job.kwargs)
        await self.outbox.a_round()
        return result

    @property
    def mode(self) -> str:
        return "socket" if self.env.socket_mode else "http"

    def health(self) -> dict[str, Any]:
        store = self.store.health()
        # 503 while the store cannot be reached or written, no desk may lead, or work keeps crashing
        problem = self.store.problem or self.leadership.problem or self.failures.problem
        return {
            "ok": self.ready and problem is None and self._slack_ok(),  # 503 otherwise
            **({"problem": problem} if problem else {}),
            "mode": self.mode,
            "slack": self._slack_health(),
            "store": store,
            "role": self.leadership.role,  # the leader runs the jobs and the outbox (bot.leader)
            "scheduler": "running" if self.scheduler.running else "stopped",
            # a follower's view of the outbox may be behind: the leader's /healthz has it
            "outbox": self.outbox.backlog() if self.leadership.leading else "delivered by the leader",
            "sweeps": self.escalation.sweeps,
            # learnt beside the desk after its start; meanwhile intake offers no suggestions
            "knowledge": "ready" if self.desk.knowledge.ready else "learning",
            "charts": self._charts_state(),
            "idle": self.idle() and self.outbox.backlog()["waiting"] == 0,  # owed is never idle
        }

    def _charts_state(self) -> str:
        """The weekly report's charts for /healthz: `warm` (matplotlib loaded in the drawing
        process), `warming` (the leader loads it once it has learnt), or `cold` (a follower,
        or no weekly report: a first chart would load it then)."""
        if self._warming is None:
            return "cold"
        if not self._warming.done():
            return "warming"
        return "warm" if not self._warming.cancelled() and self._warming.result() else "cold"

    def _slack_ok(self) -> bool:
        return self.cut_off is None and self.slack_auth["state"] != "refused"

    def _slack_health(self) -> dict[str, Any]:
        """Slack's side for /healthz: the token's state, why the desk stopped calling Slack if
        it did, and the Socket Mode connection."""
        found: dict[str, Any] = {"auth": self.slack_auth["state"]}
        if "error" in self.slack_auth:
            found["error"] = self.slack_auth["error"]
        if self.cut_off is not None:
            found["stopped"] = (
                f"{self.cut_off}: the desk no longer calls Slack; reinstall the app and restart"
            )
        if self.env.socket_mode:
            session = self.socket.client.current_session if self.socket is not None else None
            found["socket"] = "connected" if session is not None and not session.closed else "disconnected"
        return found

    def web_app(self) -> web.Application:
        """HTTP routes: Slack's requests (HTTP mode only), the health check and the metrics."""
        if self.env.socket_mode:
            app = desk_web.build(None, self.health)
        else:
            app = desk_web.build(
                self.bolt,
                self.health,
                self.env.signing_secret,
                lambda stamp, signature: replays.first_time(self.desk, stamp, signature),
            )

        async def metrics(_: web.Request) -> web.Response:
            return web.Response(body=self.metrics.text(), headers={"Content-Type": METRICS_TYPE})

        app.router.add_get("/metrics", metrics)
        return app


async def serve(app: DeskApp, host: str = "0.0.0.0") -> None:
    """Run until SIGTERM or SIGINT, then shut down cleanly."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    await app.start()
    runner = web.AppRunner(app.web_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, app.env.port).start()
    port = runner.addresses[0][1] if runner.addresses else app.env.port  # PORT=0: the one chosen
    socket: AsyncSocketModeHandler | None = None
    if app.env.socket_mode:
        # here: an HTTP desk starts without Socket Mode's client (issue 37's start-up)
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        socket = app.socket = AsyncSocketModeHandler(app.bolt, app.env.app_token)
        await socket.connect_async()
        log.info("connected to Slack over Socket Mode; health check on port %s", port)
    else:
        log.info("listening for Slack on http://%s:%s/slack/events", host, port)
    await stopping.wait()
    log.info("shutting down")
    if socket is not None:
        await socket.close_async()
    await runner.cleanup()
    await app.stop()
    await asyncio.to_thread(PAINTER.close)  # the charts' drawing process ends with the desk


async def report_now(config: Config, env: Environment, *, dry_run: bool, output: str | None) -> str:
    """`python -m bot report`: the last week's report, sent to each lead now (an explicit send
    always sends), or only shown with `dry_run`; `output` keeps the chart as a PNG file. The
    store is read, never written. Returns what to print; SlackFailure when Slack refused."""
    store = store_from_url(config.store_url, read_only=True)
    await store.open()
    try:
        slack = SlackGateway(build_client(env.bot_token, env.api_url))
        desk = Desk(config=config, store=store, slack=slack, clock=Clock())
        reports = Reports(desk)
        week = reports.weeks.monday(desk.clock.now())
        sent: list[str] = []
        shown: list[str] = []
        written: list[str] = []
        for team in desk.teams_apart():
            name = team.name if team is not None else ""
            text, png, alt = await reports.compose(week, name)
            if output:  # one chart per team: the team's name joins the file's
                written.append(output if not name else _beside(output, name))
                Path(written[-1]).write_bytes(png)
            shown.append(text)
            if dry_run:
                continue
            for lead in reports.leads(team):
                channel = await slack.dm_channel(lead)
                title = report_title(week, name, desk.words)  # as the scheduled report names it
                await slack.upload(channel, png, chart_name(week, name), title, text, alt)
                sent.append("@" + lead)
    finally:
        await store.close()
        await asyncio.to_thread(PAINTER.close)
    if dry_run:
        kept = f"\n(chart written to {', '.join(written)})" if written else ""
        return "\n\n".join(shown) + kept + "\n"
    return f"Sent the weekly report to {', '.join(dict.fromkeys(sent))}.\n"


def _beside(path: str, team: str) -> str:
    """`chart.png` for the team People: `chart-people.png`."""
    found = Path(path)
    return str(found.with_name(f"{found.stem}-{slug(team)}{found.suffix}"))


async def digest_now(config: Config, env: Environment, *, dry_run: bool) -> str:
    """`python -m bot digest`: today's digest, sent to every place now (an explicit send always
    sends), or only shown with `dry_run`. The store is read, never written, so this works
    beside a running desk. Returns what to print; SlackFailure when Slack refused."""
    store = store_from_url(config.store_url, read_only=True)
    await store.open()
    try:
        slack = SlackGateway(build_client(env.bot_token, env.api_url))
        digests = Digests(Desk(config=config, store=store, slack=slack, clock=Clock()))
        now = digests.desk.clock.now()
        day = now.astimezone(config.desk.timezone).date()
        if dry_run:
            _, blocks = await digests.compose(day, now)
            return as_plain_text(blocks)
        reached = []  # sent now, not owed: the store is the running desk's (`bot.flows.digest`)
        for team in digests.desk.teams_apart():
            text, blocks = await digests.compose(day, now, team)
            for place in digests.destinations(team):
                person = person_of(place)
                channel = await slack.dm_channel(person) if person is not None else place.partition(":")[2]
                await slack.post(channel, text, blocks)
                reached.append(place)
    finally:
        await store.close()
    return f"Sent the digest of {when.day(day)} to {', '.join(place_words(p) for p in reached)}.\n"
