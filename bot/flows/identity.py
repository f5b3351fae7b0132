"""Who the desk is in the workspace (its bot user, bot and team ids), from `auth.test`.

Bolt needs this for every request (to tell the desk's own messages and mentions apart). Its
default asks Slack on the first request, and when Slack cannot answer it acks the request
with an error text: an event that arrives while Slack's Web API is down is then lost, since
Slack does not retry an acked event. Here the answer is kept in the store once known, so a
desk restarted while Slack is away still knows itself; a desk that has never met Slack
raises `Unanswered` (the gateway's `SlackFailure`), and the request is refused without an
ack, so Slack sends it again.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, fields
from typing import Any

from bot.desk import Desk
from bot.ports import Directory, Unanswered
from store.records import IDENTITY, WhoAmI

log = logging.getLogger("desk.identity")
FIELDS = tuple(f.name for f in fields(WhoAmI))  # the fields of auth.test the desk uses (and keeps)


class Identity:
    def __init__(self, desk: Desk, directory: Directory) -> None:
        self.desk = desk
        self.directory = directory  # one that fails fast: a request waits for this
        self._known: dict[str, Any] | None = None

    async def get(self) -> dict[str, Any]:
        if self._known is not None:
            return self._known
        stored = await self.desk.store.get(IDENTITY, "bot")
        try:
            answer = await self.directory.who_am_i()
        except Unanswered:
            if stored is None:
                raise
            log.warning("Slack did not say who the desk is; using what it said before")
            self._known = asdict(stored)
            self.desk.workspace = str(self._known.get("url") or "")
            return self._known
        found = WhoAmI(**{name: answer.get(name) for name in FIELDS})
        if found != stored:
            await self.desk.store.put(IDENTITY, "bot", found)
        self._known = asdict(found)
        self.desk.workspace = str(found.url or "")
        return self._known
