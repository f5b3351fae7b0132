"""The desk's HTTP face: `POST /slack/events` for Slack, `GET /healthz` for operators.

Bolt checks each request's signature (401 when it is bad, missing or stale); aiohttp refuses
bodies over 1 MB before anything reads them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.slack.payloads import what

MAX_BODY = 1024 * 1024
log = logging.getLogger("desk.web")


def build(bolt: AsyncApp | None, health: Callable[[], dict[str, Any]]) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)

    async def slack_events(request: web.Request) -> web.Response:
        assert bolt is not None
        started = time.perf_counter()
        try:
            bolt_request = await to_bolt_request(request)
            response = await bolt.async_dispatch(bolt_request)
        except (ValueError, KeyError, TypeError, AttributeError) as problem:  # a body Bolt cannot read
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
        status = health()
        return web.json_response(status, status=200 if status["ok"] else 503)

    if bolt is not None:
        app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    return app
