"""The app's own life in the workspace: `tokens_revoked` and `app_uninstalled` (Events API).

Either means the bot token no longer works: the desk stops calling Slack (the outbox keeps what
it owes, for a restart with a working token) and `/healthz` answers 503 saying why. Bolt asks
no `authorize` for these two events (`slack_bolt/middleware/authorization/internals.py`:
`no_auth_test_events`), since the token may already be gone.

Payloads as https://docs.slack.dev/reference/events/tokens_revoked and
https://api.slack.com/events/app_uninstalled show them: `tokens_revoked` carries
`tokens.oauth` and `tokens.bot`, lists of user ids (never the tokens); the two may come in
either order. A revoked bot token also loses the bot its channel memberships (auth.revoke's
page), so after reinstalling, `check-config --online` names the channels to invite it to again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

Lost = Callable[[str], Awaitable[None]]


def register(app: AsyncApp, lost: Lost) -> None:
    @app.event("tokens_revoked")
    async def on_tokens_revoked(ack: AsyncAck, event: dict[str, Any]) -> None:
        await ack()
        # `tokens.bot`: the bot users whose tokens were revoked (`tokens.oauth`: user tokens,
        # which the desk does not use).
        if (event.get("tokens") or {}).get("bot"):
            await lost("tokens_revoked")

    @app.event("app_uninstalled")
    async def on_app_uninstalled(ack: AsyncAck) -> None:
        await ack()
        await lost("app_uninstalled")
