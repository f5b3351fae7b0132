"""`python -m bot outbox`: what the desk owes Slack, one line each (what, where, since when,
why it waits); `python -m bot outbox retry`: the parked ones back in line, and sent.

Both work beside a running desk. The listing only reads the store. `retry` puts the parked
messages back in line through the store: on PostgreSQL the leading desk sends them; a TinyDB
store belongs to the one desk using it, so the command leaves it a request beside the store
and waits for the desk to take it. With no desk running (none holds the TinyDB store, or the
PostgreSQL leader's lock), the command sends them itself.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.clock import Clock
from bot.delivery.outbox import Outbox
from bot.delivery.parking import place_of, retry_request, unpark
from bot.desk import Desk
from bot.domain.owed import (
    Card,
    ConfirmationOf,
    DigestOf,
    Edit,
    HomeOf,
    Message,
    NoticeOf,
    Post,
    Prompt,
    ReportOf,
    StormCard,
)
from bot.domain.ticket import Ticket
from bot.slack.gateway import SlackGateway, build_client
from bot.slack.parked_blocks import why
from config.environment import Environment
from config.settings import Config
from store import Store, StoreUnavailable, store_from_url

ASK_TIMEOUT = 15.0  # seconds a running TinyDB desk has to take a retry request
SEND_TIMEOUT = 60.0  # seconds the command spends sending, with no desk running


@dataclass(frozen=True)
class Waiting:
    """One message the outbox owes, for `python -m bot outbox`."""

    key: str
    what: str
    place: str
    since: float
    parked: str | None
    parked_at: float
    attempts: int
    behind: str | None


def what_of(message: Message, desk: Desk) -> str:
    """A message in a few words, for the listing."""
    match message:
        case Card(ticket=number):
            return f"the card of {desk.ref(number)}"
        case ConfirmationOf(ticket=number):
            return f"the requester's confirmation of {desk.ref(number)}"
        case StormCard():
            return "the storm card"
        case NoticeOf(ticket=number):
            return f"an escalation notice for {desk.ref(number)}"
        case DigestOf(day=day):
            return f"the digest of {day}"
        case ReportOf(week=week):
            return f"the weekly report of {week}"
        case HomeOf():
            return "a Home tab"
        case Post(text=text):
            return f"a message: {_short(text)}"
        case Edit(text=text):
            return f"an edit: {_short(text)}"
        case Prompt():
            return "an intake question"
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", type(message).__name__).lower()  # ApprovalAsk: "approval ask"
    return f"a {words}"


def _short(text: str, limit: int = 50) -> str:
    line = " ".join(text.split())
    return f"“{line}”" if len(line) <= limit else f"“{line[: limit - 1]}…”"


async def waiting(desk: Desk) -> list[Waiting]:
    """Everything owed, oldest first, for the listing."""
    owed_now = dict(await desk.store.owed())
    tickets: dict[int, Ticket | None] = {}
    for entry in owed_now.values():
        if isinstance(entry.message, Card | NoticeOf):
            tickets[entry.message.ticket] = await desk.store.ticket(entry.message.ticket)
    return [
        Waiting(
            key,
            what_of(entry.message, desk),
            place_of(entry.message, desk, tickets.get),
            entry.since,
            entry.parked,
            entry.parked_at,
            entry.attempts,
            entry.behind,
        )
        for key, entry in sorted(owed_now.items(), key=lambda item: item[1].seq)
    ]


def _desk(config: Config, store: Store, env: Environment | None) -> Desk:
    client = build_client(env.bot_token if env else "", env.api_url if env else "", patience=0)
    return Desk(config=config, store=store, slack=SlackGateway(client), clock=Clock())


def describe(found: list[Waiting], desk: Desk) -> str:
    """One line per message owed, then a count."""
    if not found:
        return "Nothing is owed: every message has been delivered.\n"
    zone = desk.zone
    lines = []
    for item in found:
        since = datetime.fromtimestamp(item.since or time.time(), zone).strftime("%Y-%m-%d %H:%M")
        if item.parked is None:
            state = "owed" + (f", {item.attempts} failed attempts" if item.attempts else "")
        elif item.behind is not None:
            state = f"parked behind {item.behind}: {_why(item, desk)}"
        else:
            state = f"parked: {_why(item, desk)}"
        where = item.place if item.place.startswith(("dm:", "home:")) else f"#{item.place}"
        lines.append(f"{item.key}  {item.what}  to {where}  since {since}  {state}")
    parked = sum(1 for item in found if item.parked)
    lines.append(f"{len(found)} owed, {parked} parked.")
    return "\n".join(lines) + "\n"


def _why(item: Waiting, desk: Desk) -> str:
    assert item.parked is not None
    return why(item.parked, item.place, desk.config.desk.name, mrkdwn=False)


async def list_owed(config: Config) -> str:
    store = store_from_url(config.store_url, read_only=True)
    await store.open()
    try:
        desk = _desk(config, store, None)
        return describe(await waiting(desk), desk)
    finally:
        await store.close()


async def retry(config: Config, env: Environment) -> str:
    """Put every parked message back in line; send them, or have the running desk send them."""
    store = store_from_url(config.store_url)
    try:
        await store.open()
    except StoreUnavailable as problem:
        if (request := retry_request(store)) is None or "in use" not in str(problem):
            raise
        return await _ask_the_desk(config, request)
    try:
        desk = _desk(config, store, env)
        freed = await unpark(desk)
        if not freed:
            return "Nothing is parked.\n"
        lock = store.leader_lock()
        if lock is None:  # the store is this process's alone: no desk runs on it
            return await _send(desk, len(freed))
        if not await lock.try_take():  # shared: the leading desk sends them
            return f"{_count(len(freed))} back in line; the leading desk sends them now.\n"
        try:  # no desk leads on this store: send them here, as its leader would
            return await _send(desk, len(freed))
        finally:
            await lock.release()
    finally:
        await store.close()


async def _send(desk: Desk, freed: int) -> str:
    """No desk runs on this store: deliver here, as the desk would, then stop."""
    from bot.app import delivery_features  # the composition root's wiring; imported late, like the desk

    outbox = Outbox(desk, desk.slack, features=delivery_features(desk))
    await outbox.start()
    try:
        await outbox.drained(SEND_TIMEOUT)
    finally:
        await outbox.stop()
    left = await waiting(desk)
    parked = [item for item in left if item.parked]
    said = f"{_count(freed)} back in line: {freed - len(left)} sent"
    if parked:
        return f"{said}; {len(parked)} parked again:\n{describe(parked, desk)}"
    return f"{said}{f', {len(left)} still owed' if left else ''}.\n"


async def _ask_the_desk(config: Config, request: Path) -> str:
    """A running desk holds the TinyDB store: leave it the request and wait until it is taken."""
    before = [item for item in await waiting_now(config) if item.parked]
    if not before:
        return "Nothing is parked.\n"
    request.write_text(f"{time.time()}\n", encoding="utf-8")
    deadline = time.monotonic() + ASK_TIMEOUT
    while request.exists():
        if time.monotonic() > deadline:
            request.unlink(missing_ok=True)
            raise StoreUnavailable(
                f"the desk using {config.store_url} did not take the request to retry; is it the leader?"
            )
        await asyncio.sleep(0.1)
    return f"{_count(len(before))} back in line; the running desk sends them now.\n"


async def waiting_now(config: Config) -> list[Waiting]:
    store = store_from_url(config.store_url, read_only=True)
    await store.open()
    try:
        return await waiting(_desk(config, store, None))
    finally:
        await store.close()


def _count(n: int) -> str:
    return "1 message" if n == 1 else f"{n} messages"
