"""The desk's HTTP face: `POST /slack/events` for Slack, `GET /healthz` for operators.

Bolt checks each request's signature (401 when it is bad, missing or stale); aiohttp refuses
bodies over 1 MB before anything reads them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

MAX_BODY = 1024 * 1024
log = logging.getLogger("desk.web")


def build(bolt: AsyncApp | None, health: Callable[[], dict[str, Any]]) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)

    async def slack_events(request: web.Request) -> web.Response:
        assert bolt is not None
        try:
            response = await bolt.async_dispatch(await to_bolt_request(request))
        except (ValueError, KeyError, TypeError, AttributeError) as problem:  # a body Bolt cannot read
            log.warning("request dropped: unreadable body", extra={"error": type(problem).__name__})
            return web.Response(status=400, text="unreadable request")
        return await to_aiohttp_response(response)

    async def healthz(_: web.Request) -> web.Response:
        status = health()
        return web.json_response(status, status=200 if status["ok"] else 503)

    if bolt is not None:
        app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    return app
