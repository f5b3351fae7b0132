"""The local Slack's server: Web API, response URLs, Socket Mode, and delivery to the bot.

`LocalSlack` runs on 127.0.0.1. It checks tokens as Slack does (`not_authed`,
`invalid_auth`, app-level tokens only for `apps.connections.open`), answers with Slack's
status codes and errors, and can be told to misbehave (`faults`) so recovery can be tested.
Requests reach the bot over Socket Mode when it is connected, else as signed HTTP requests.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.doctor import BOT_SCOPES
from bot.localslack.errors import DOCUMENTED, STATUS
from bot.localslack.methods import CONSUMES, JSON, METHOD_SCOPES, ApiError, WebApi
from bot.localslack.tiers import MethodPace
from bot.localslack.workspace import APP_ID, Workspace

log = logging.getLogger("localslack")


@dataclass
class Refusal:
    """One method answering one of its documented errors: for every call, or only for calls
    about `target` (a channel, or a person for `conversations.open`, `users.info`,
    `views.publish`) or those `when` picks, the next `times` calls or (None) until
    `Faults.allow`."""

    method: str
    error: str
    target: str | None = None
    times: int | None = None
    when: Callable[[dict[str, Any]], bool] | None = None
    answered: int = 0


def _target(args: dict[str, Any]) -> str | None:
    """What a call is about: its channel, else the person it names."""
    for name in ("channel", "channel_id", "users", "user_id", "user"):
        if args.get(name):
            return str(args[name])
    return None


def _take(picks: list[Any], method: str, args: dict[str, Any]) -> Any:
    """The first of `picks` (each `(method, ..., when)`) this call meets, taken off the list."""
    for pick in picks:
        if pick[0] == method and pick[-1](args):
            picks.remove(pick)
            return pick
    return None


@dataclass
class Faults:
    """Switches for misbehaviour, as Slack sometimes does."""

    rate_limited: int = 0  # the next N calls answer 429 with Retry-After
    retry_after: int = 1
    server_errors: int = 0  # the next N calls answer 500
    down: bool = False  # every call answers 503 until switched off
    delay: float = 0.0  # seconds added before every answer
    lost_answers: int = 0  # the next N calls are carried out, but the answer is lost (a 503)

    def __post_init__(self) -> None:
        # methods answering an error (`refuse`): not a field, so the sandbox's switches (the
        # fields, shown as JSON) stay what they were
        self.refusals: list[Refusal] = []
        # Web API calls wait here, unanswered, while the gate is closed (`hold`): a Slack a
        # long round trip away, whose answers a test lets go when it has seen what it needs
        self.gate: asyncio.Event | None = None
        self.holding: list[tuple[str, dict[str, Any]]] = []  # (method, args) of the calls waiting
        # calls carried out whose answer is lost, picked by method and `when` (`lose`)
        self.losses: list[tuple[str, Callable[[dict[str, Any]], bool]]] = []
        # calls carried out at once and answered late, picked by method and `when` (`slow`)
        self.slows: list[tuple[str, float, Callable[[dict[str, Any]], bool]]] = []

    def hold(self) -> None:
        """Close the gate: Web API calls wait unanswered until `release`."""
        self.gate = asyncio.Event()

    def release(self) -> None:
        if self.gate is not None:
            self.gate.set()
        self.gate = None

    def lose(self, method: str, when: Callable[[dict[str, Any]], bool] = lambda args: True) -> None:
        """Carry out the next call to `method` that `when` picks, then lose its answer (a 503):
        `lost_answers` for one call chosen, not whichever comes next."""
        self.losses.append((method, when))

    def slow(self, method: str, seconds: float, when: Callable[[dict[str, Any]], bool]) -> None:
        """Carry out the next call to `method` that `when` picks as it arrives, and answer it
        `seconds` later: a slow answer describing Slack as it was when the call arrived. Only a
        call that succeeds is slowed (and uses it up); an error is answered at once."""
        self.slows.append((method, seconds, when))

    def lateness(self, method: str, args: dict[str, Any]) -> float:
        """Seconds this call's answer waits after it was carried out (counted)."""
        slow = _take(self.slows, method, args)
        return slow[1] if slow is not None else 0.0

    def answer_lost(self, method: str, args: dict[str, Any]) -> bool:
        """Whether this call, carried out, loses its answer (counted)."""
        if self.lost_answers > 0:
            self.lost_answers -= 1
            return True
        return _take(self.losses, method, args) is not None

    def refuse(
        self,
        method: str,
        error: str,
        target: str | None = None,
        times: int | None = None,
        when: Callable[[dict[str, Any]], bool] | None = None,
    ) -> Refusal:
        """Make `method` answer `error` (for `target` only, when given): only an error Slack
        documents for the method (`bot.localslack.errors`)."""
        if error not in DOCUMENTED.get(method, frozenset()):
            raise ValueError(f"Slack does not document {error!r} for {method}")
        refusal = Refusal(method, error, target, times, when)
        self.refusals.append(refusal)
        return refusal

    def allow(self, method: str | None = None) -> None:
        """Switch refusals off (of `method`, or all)."""
        self.refusals = [r for r in self.refusals if method is not None and r.method != method]

    def refusal_for(self, method: str, args: dict[str, Any]) -> Refusal | None:
        """The refusal a call meets, if any (counted)."""
        for refusal in self.refusals:
            if refusal.method != method or (refusal.target is not None and refusal.target != _target(args)):
                continue
            if refusal.times is not None and refusal.answered >= refusal.times:
                continue
            if refusal.when is not None and not refusal.when(args):
                continue
            refusal.answered += 1
            return refusal
        return None


@dataclass
class ChannelPace:
    """Slack's limit on posting to one channel: about one message a second, with short bursts.
    A post beyond it is refused with 429 and a `Retry-After`, and nothing is posted."""

    rate: float = 1.0
    burst: float = 3.0
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    refused: int = 0  # how many posts it has refused

    def admit(self, channel: str, now: float) -> float:
        """Take a message for `channel`: 0 when it may be posted, else seconds to wait."""
        tokens, at = self._buckets.get(channel, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens < 1:
            self._buckets[channel] = (tokens, now)
            self.refused += 1
            return (1 - tokens) / self.rate
        self._buckets[channel] = (tokens - 1, now)
        return 0.0


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    status: int
    error: str | None = None
    sent_as: str = ""  # how the arguments travelled: "query", "form" or "json" (with the query)
    at: float = 0.0  # when, on the workspace's clock


@dataclass
class Delivery:
    """What the bot answered to one request: status, body, and how long it took."""

    status: int
    body: Any
    seconds: float


@dataclass
class SocketPeer:
    ws: web.WebSocketResponse
    acks: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)


class LocalSlack:
    def __init__(
        self,
        workspace: Workspace,
        *,
        bot_token: str = "xoxb-local-bot-token",
        app_token: str = "xapp-local-app-token",
        signing_secret: str = "local-signing-secret",
        request_url: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        channel_pace: ChannelPace | None = None,
        method_pace: MethodPace | None = None,
    ) -> None:
        self.workspace = workspace
        self.channel_pace = channel_pace  # None: posts to a channel are not limited
        self.method_pace = method_pace  # None: methods' tiers are not enforced (fast tests)
        self.pace_clock: Callable[[], float] = time.monotonic  # the pace's seconds (tests step it)
        self.api = WebApi(workspace)
        self.api.socket_url = self._socket_url
        self.api.upload_url = lambda file_id: f"{self.url}upload/{file_id}"
        self.bot_token, self.app_token, self.signing_secret = bot_token, app_token, signing_secret
        self.request_url = request_url
        self.host, self.port = host, port
        self.faults = Faults()
        # What the bot token was granted: every scope the desk's manifest asks for unless a
        # test takes some away. Slack lists them in each answer's `x-oauth-scopes` header.
        self.scopes: set[str] = set(BOT_SCOPES)
        self.calls: list[Call] = []
        self.watchers: list[Callable[[str], None]] = []  # told the method of every call made
        self.socket: SocketPeer | None = None
        self._socket_tickets: set[str] = set()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.app = web.Application(client_max_size=4 * 1024 * 1024)
        self.app.router.add_route("*", "/api/{method}", self._api)
        self.app.router.add_post("/response/{token}", self._response_url)
        self.app.router.add_get("/socket/{ticket}", self._socket)
        self.app.router.add_post("/upload/{file_id}", self._upload)

    # -- life --------------------------------------------------------------------------
    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._http = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self.socket is not None:
            await self.socket.ws.close()
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    def _socket_url(self) -> str:
        ticket = uuid.uuid4().hex
        self._socket_tickets.add(ticket)
        return f"ws://{self.host}:{self.port}/socket/{ticket}"

    # -- the Web API -------------------------------------------------------------------
    async def _misbehave(self) -> web.Response | None:
        faults = self.faults
        if faults.delay:
            await asyncio.sleep(faults.delay)
        if faults.down:
            return web.json_response({"ok": False, "error": "service_unavailable"}, status=503)
        if faults.server_errors > 0:
            faults.server_errors -= 1
            return web.json_response({"ok": False, "error": "internal_error"}, status=500)
        if faults.rate_limited > 0:
            faults.rate_limited -= 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(faults.retry_after)},
            )
        return None

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        sent_as = "query"
        if request.method == "POST" and request.can_read_body:
            sent_as = "json" if request.content_type == "application/json" else "form"
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    return self._answer(method, args, 200, "invalid_json")
                if not isinstance(body, dict):
                    return self._answer(method, args, 200, "json_not_object")
                if JSON in CONSUMES.get(method, (JSON,)):  # a form-only method ignores it, as Slack does
                    args.update(body)
            else:
                args.update(dict(await request.post()))
        if (gate := self.faults.gate) is not None:
            waiting = (method, args)
            self.faults.holding.append(waiting)
            try:
                await gate.wait()
            finally:
                self.faults.holding.remove(waiting)
        failure = await self._misbehave()
        if failure is not None:
            self._log(Call(method, args, failure.status, "fault"))
            return failure
        auth = request.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else str(args.pop("token", ""))
        args.pop("token", None)
        wanted = self.app_token if method == "apps.connections.open" else self.bot_token
        if not token:
            return self._answer(method, args, 200, "not_authed")
        if token != wanted:
            kind_ok = token.startswith("xapp-") == wanted.startswith("xapp-")
            return self._answer(method, args, 200, "invalid_auth" if kind_ok else "not_allowed_token_type")
        refusal = self.faults.refusal_for(method, args)
        if refusal is not None:
            status = STATUS.get(refusal.error, 200)
            self._log(Call(method, args, status, refusal.error, sent_as))
            headers = {"Retry-After": str(self.faults.retry_after)} if status == 429 else None
            return web.json_response({"ok": False, "error": refusal.error}, status=status, headers=headers)
        limited = self._over_pace(method, args)
        if limited is not None:
            return limited
        granted = self.scopes if token == self.bot_token else {"connections:write"}
        # Slack names the token's scopes in a header of every answer to it (slack_sdk keeps it
        # in `response.headers`; node-slack-sdk reads it into `response_metadata.scopes`).
        header = {"x-oauth-scopes": ",".join(sorted(granted))}
        needed = METHOD_SCOPES.get(method, ())
        if needed and not granted & set(needed):
            self._log(Call(method, args, 200, "missing_scope", sent_as))
            body = {
                "ok": False,
                "error": "missing_scope",
                "needed": ",".join(needed),
                "provided": header["x-oauth-scopes"],
            }
            return web.json_response(body, headers=header)
        try:
            result = self.api.call(method, args)
        except ApiError as problem:
            answer = self._answer(method, args, 200, problem.error, problem.messages, sent_as=sent_as)
            answer.headers.update(header)
            return answer
        if (late := self.faults.lateness(method, args)) > 0:
            await asyncio.sleep(late)
        if self.faults.answer_lost(method, args):  # done, but the caller cannot know: ambiguous
            self._log(Call(method, args, 503, "fault"))
            return web.json_response({"ok": False, "error": "service_unavailable"}, status=503)
        self._log(Call(method, args, 200, sent_as=sent_as))
        return web.json_response(result, headers=header)

    def _over_pace(self, method: str, args: dict[str, Any]) -> web.Response | None:
        """A post to a channel that has had its share this second, or a call beyond its
        method's tier this minute (`bot.localslack.tiers`): 429, as Slack answers."""
        wait = 0.0
        if self.method_pace is not None:
            wait = self.method_pace.admit(method, self.pace_clock())
        if wait == 0 and self.channel_pace is not None and method == "chat.postMessage":
            wait = self.channel_pace.admit(str(args.get("channel", "")), self.pace_clock())
        if wait == 0:
            return None
        self._log(Call(method, args, 429, "ratelimited"))
        retry_after = str(max(1, math.ceil(wait)))
        return web.json_response(
            {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": retry_after}
        )

    def _answer(
        self,
        method: str,
        args: dict[str, Any],
        status: int,
        error: str,
        messages: list[str] | None = None,
        *,
        sent_as: str = "",
    ) -> web.Response:
        self._log(Call(method, args, status, error, sent_as))
        body: dict[str, Any] = {"ok": False, "error": error}
        if messages:
            body["response_metadata"] = {"messages": messages}
        return web.json_response(body, status=status)

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal hands out: raw bytes or a multipart form
        with the file (https://api.slack.com/methods/files.getUploadURLExternal, step 2)."""
        failure = await self._misbehave()
        if failure is not None:
            self._log(Call("upload", {}, failure.status, "fault"))
            return failure
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            part = next((v for v in form.values() if isinstance(v, web.FileField)), None)
            content = part.file.read() if part is not None else b""
        else:
            content = await request.read()
        problem = self.api.receive_upload(request.match_info["file_id"], content)
        self._log(
            Call(
                "upload",
                {"file_id": request.match_info["file_id"], "bytes": len(content)},
                404 if problem else 200,
                problem,
            )
        )
        if problem:
            return web.Response(status=404, text=problem)
        return web.Response(text=f"OK - {len(content)}")

    async def _response_url(self, request: web.Request) -> web.Response:
        failure = await self._misbehave()
        if failure is not None:
            self._log(Call("response_url", {}, failure.status, "fault"))
            return failure
        handle = self.workspace.use("hook", request.match_info["token"])
        if isinstance(handle, str):
            return web.Response(status=404, text=handle)
        try:
            body = await request.json()
            self.api.post_ephemeral_from_hook(handle, body)
        except (ValueError, ApiError) as problem:
            error = problem.error if isinstance(problem, ApiError) else "invalid_payload"
            self._log(Call("response_url", {}, 400, error))
            return web.Response(status=400, text=error)
        self._log(Call("response_url", body, 200))
        return web.Response(text="ok")

    def _log(self, call: Call) -> None:
        call.at = self.workspace.clock()
        self.calls.append(call)
        for watcher in self.watchers:
            watcher(call.method)

    def errors(self) -> list[Call]:
        """Every call Slack refused: a test that expects none asserts this is empty."""
        return [c for c in self.calls if c.error and c.error != "fault"]

    # -- Socket Mode -------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ticket = request.match_info["ticket"]
        if ticket not in self._socket_tickets:
            raise web.HTTPUnauthorized()
        self._socket_tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        peer = SocketPeer(ws)
        self.socket = peer
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": APP_ID}})
        async for frame in ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            try:
                ack = json.loads(frame.data)
            except ValueError:
                continue
            waiting = peer.acks.pop(str(ack.get("envelope_id")), None)
            if waiting is not None and not waiting.done():
                waiting.set_result(ack)
        if self.socket is peer:
            self.socket = None
        return ws

    # -- delivery to the bot -------------------------------------------------------------
    async def deliver(self, kind: str, payload: dict[str, Any], *, retry_num: int = 0) -> Delivery:
        """Send one request to the bot as Slack would and wait for its acknowledgement.

        `kind` is `events_api`, `slash_commands` or `interactive`. Over Socket Mode the
        payload travels in an envelope and the ack comes back on the socket; over HTTP it is
        signed, and encoded as JSON, a form, or a `payload=` form field respectively.
        """
        started = time.monotonic()
        if self.socket is not None:
            return await self._deliver_socket(kind, payload, started, retry_num)
        if not self.request_url:
            raise RuntimeError("the bot is neither connected over Socket Mode nor reachable over HTTP")
        if kind == "events_api":
            body, content_type = json.dumps(payload), "application/json"
        elif kind == "slash_commands":
            body, content_type = urlencode(payload), "application/x-www-form-urlencoded"
        else:
            body, content_type = (
                urlencode({"payload": json.dumps(payload)}),
                "application/x-www-form-urlencoded",
            )
        headers = {"Content-Type": content_type, **self.sign(body)}
        if retry_num:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return await self.post_to_bot(body, headers, started)

    async def post_to_bot(self, body: str, headers: dict[str, str], started: float | None = None) -> Delivery:
        """POST raw bytes to the bot's request URL (tests use it for forged requests too)."""
        assert self._http is not None and self.request_url
        started = started or time.monotonic()
        async with self._http.post(self.request_url, data=body.encode(), headers=headers) as response:
            text = await response.text()
            try:
                parsed: Any = json.loads(text) if text else None
            except ValueError:
                parsed = text
            return Delivery(response.status, parsed, time.monotonic() - started)

    def sign(self, body: str, timestamp: int | None = None) -> dict[str, str]:
        """Slack's v0 request signature headers for `body`."""
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(self.signing_secret).generate_signature(timestamp=stamp, body=body)
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": str(signature)}

    async def _deliver_socket(
        self, kind: str, payload: dict[str, Any], started: float, retry: int
    ) -> Delivery:
        peer = self.socket
        assert peer is not None
        envelope_id = str(uuid.uuid4())
        waiting: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        peer.acks[envelope_id] = waiting
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry,
            "retry_reason": "timeout" if retry else "",
        }
        await peer.ws.send_json(envelope)
        try:
            ack = await asyncio.wait_for(waiting, timeout=3.0)
        except TimeoutError:
            peer.acks.pop(envelope_id, None)
            return Delivery(408, None, time.monotonic() - started)
        return Delivery(200, ack.get("payload"), time.monotonic() - started)
