"""One road for every slash command: its verb, read by `bot.slack.command_args.route` whatever
the command is called (`/desk claim`, `/claim`, a workspace's own renamed `/it-desk claim`),
names the listener that serves it (`handlers.table`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.slack.command_args import Routed, route

ANY_COMMAND = re.compile(r"^/")  # every command reaches the table (`handlers.table`)


def routed(command: dict[str, Any]) -> Routed:
    return route(str(command.get("command") or ""), str(command.get("text") or ""))


@dataclass(frozen=True)
class Slash:
    """A slash command, read once at the edge: who typed it, where, what it says, and the
    handles for answering (the response URL) and for opening a modal (the trigger)."""

    user: str
    channel: str
    read: Routed
    trigger_id: str
    response_url: str | None


def slash(command: dict[str, Any]) -> Slash:
    url = command.get("response_url")
    return Slash(
        user=str(command.get("user_id") or ""),
        channel=str(command.get("channel_id") or ""),
        read=routed(command),
        trigger_id=str(command.get("trigger_id") or ""),
        response_url=url if isinstance(url, str) and url else None,
    )
