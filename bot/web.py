"""The desk's HTTP face: `POST /slack/events` for Slack, `GET /healthz` for operators.

aiohttp refuses bodies over 1 MB before anything reads them; the signature and its timestamp
are checked before the body is parsed (401 when bad, missing, stale or malformed), and a
signed body Bolt cannot read is a 400: no request produces a 500. A signed command, click or
form the store cannot record as seen is a 503, and is not acted on (`build`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from multidict import CIMultiDictProxy
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

from bot.slack.payloads import what
from config.redact import redact

MAX_BODY = 1024 * 1024
log = logging.getLogger("desk.web")


# What a body Bolt cannot read raises: malformed, too deep to parse, or missing what it needs.
UNREADABLE = (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError)


def signed(verifier: SignatureVerifier, body: bytes, headers: CIMultiDictProxy[str]) -> bool:
    """Whether Slack signed `body` in the last five minutes (slack_sdk's verifier; a timestamp
    that is not a number is simply not signed)."""
    stamp, signature = headers.get("X-Slack-Request-Timestamp", ""), headers.get("X-Slack-Signature", "")
    return stamp.isdigit() and bool(signature) and verifier.is_valid(body, stamp, signature)


def shown(value: Any) -> Any:
    """The health report as it may be shown: every text in it redacted (`config.redact`), so a
    store's problem that quotes its URL or a token says nothing secret."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: shown(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [shown(item) for item in value]
    return value


FirstTime = Callable[[str, str], Awaitable[bool]]


def build(
    bolt: AsyncApp | None,
    health: Callable[[], dict[str, Any]],
    signing_secret: str = "",
    first_time: FirstTime | None = None,
) -> web.Application:
    """The routes; with `bolt`, Slack's requests too, each checked against `signing_secret`
    here and only here (Bolt's own check is off). `first_time(stamp, signature)` says whether
    a signed command, click or form is new: a second copy is a replay, answered 200 and
    dropped (Slack retries only events, which carry their own id).

    The record is taken at once and written with the request's work, after the ack
    (`bot.flows.replays`), so the ack waits for no write of it. While the store is failing,
    a record that cannot be written gets the request refused with a 503, not acted on:
    acting on it unrecorded would let a captured copy act again once the store recovers.
    Refusing costs little: Slack never retries a command, click or form, so the person sees
    Slack's own error and acts again (a new signature) once the store can write, and the work
    itself would most likely not have committed on a store that just failed. On PostgreSQL
    the record is one statement outside the desks' write lock."""
    if bolt is not None and not signing_secret:
        raise ValueError("serving Slack's requests needs the signing secret")
    app = web.Application(client_max_size=MAX_BODY)
    verifier = SignatureVerifier(signing_secret) if bolt is not None else None

    async def slack_events(request: web.Request) -> web.Response:
        assert bolt is not None and verifier is not None
        started = time.perf_counter()
        if not signed(verifier, await request.read(), request.headers):
            log.warning("request refused: not signed by Slack", extra={"bytes": request.content_length})
            return web.Response(status=401, text="invalid signature")
        if first_time is not None and request.content_type == "application/x-www-form-urlencoded":
            stamp, signature = (
                request.headers["X-Slack-Request-Timestamp"],
                request.headers["X-Slack-Signature"],
            )
            try:
                fresh = await first_time(stamp, signature)
            except Exception as problem:  # the store cannot write: refused, never acted on unrecorded
                log.error(
                    "request refused: it could not be recorded as seen, so it was not acted on",
                    extra={"what": "signed request", "stamp": stamp, "error": repr(problem)[:200]},
                )
                return web.Response(status=503, text="the desk cannot record requests right now; try again")
            if not fresh:
                log.warning("request dropped: a replay of one already acted on", extra={"stamp": stamp})
                return web.Response(status=200, text="")
        try:
            bolt_request = await to_bolt_request(request)
            response = await bolt.async_dispatch(bolt_request)
        except UNREADABLE as problem:  # signed, but not a body Bolt can read
            log.warning("request dropped: unreadable body", extra={"error": type(problem).__name__})
            return web.Response(status=400, text="unreadable request")
        log.info(  # one line per request: what, who, the answer, and how long the ack took
            "request",
            extra={
                "what": what(bolt_request.body),
                "user": bolt_request.context.user_id,
                "status": response.status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return await to_aiohttp_response(response)

    async def healthz(_: web.Request) -> web.Response:
        status = shown(health())
        return web.json_response(status, status=200 if status["ok"] else 503)

    if bolt is not None:
        app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    return app
