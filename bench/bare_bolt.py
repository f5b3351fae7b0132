"""A bare Bolt app that only acknowledges: the yardstick for `bench/ack.py`.

    python bench/bare_bolt.py PORT [--at-ack]   (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL set)

Built as the desk builds its Bolt app (the same client, signature checks and aiohttp
adapter), with listeners that ack and do nothing else. By default Bolt runs the listener
beside the request and polls for its ack every 10 ms (`process_before_response=False`);
`--at-ack` answers when the listener returns (`process_before_response=True`), as the desk
does: the fair reference.
"""

from __future__ import annotations

import os
import re
import sys

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build(at_ack: bool = False) -> web.Application:
    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    bolt = AsyncApp(
        client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"], process_before_response=at_ack
    )

    @bolt.command(re.compile(".*"))
    async def on_command(ack: AsyncAck) -> None:
        await ack()

    @bolt.action(re.compile(".*"))
    async def on_action(ack: AsyncAck) -> None:
        await ack()

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    web.run_app(
        build(at_ack="--at-ack" in sys.argv[2:]),
        host="127.0.0.1",
        port=int(sys.argv[1]),
        print=None,
        access_log=None,
    )
