"""The outbox: every message the desk owes someone, recorded with the change that caused it,
then delivered by one worker.

Flows record a message in the same transaction as the ticket change it tells about, so a
change is never on disk without the messages it owes, and a crash or a Slack outage loses
none. The worker then delivers:

- **in order per destination**: a destination's next message waits for the one before it;
- **paced** just under Slack's limit of about one message a second per channel (bursts of three);
- **retried** with exponential back-off and full jitter, never sooner than a `Retry-After`;
- **once**: each message carries its id in Slack's message metadata; a message that failed
  ambiguously is looked for in its conversation before it is posted again;
- **parked**, logged once, when Slack says it can never be delivered (`channel_not_found`,
  `is_archived`, `user_not_found`, ...).

A ticket's card is one entry drawn when it is delivered, so however many changes pile up
while Slack is away, the card is posted (or updated) once, as the ticket stands then. When
new cards pile up faster than the triage channel takes them, they are folded into one storm
card (`bot.flows.storm`) before each round.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any

from bot.desk import Desk
from bot.domain.ticket import Origin
from bot.flows.opening import card_for, place, split_place
from bot.flows.owed import METADATA_TYPE, OUTBOX, storm_card
from bot.flows.storm import Storms
from bot.slack.gateway import Backoff, Posted, SlackFailure, SlackGateway
from store.tables import STORMS, THREADS

log = logging.getLogger("desk.outbox")
GATHER = 0.05  # seconds between two rounds at least
Blocks = list[dict[str, Any]]
THREAD_GONE = "_The thread this belongs in was deleted, so it is here instead._"


def thread_gone(text: str, blocks: Blocks) -> Blocks:
    """A message's blocks with a line above saying that its thread is gone."""
    note = {"type": "context", "elements": [{"type": "mrkdwn", "text": THREAD_GONE}]}
    return [note, *(blocks or [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}])]


@dataclass
class Pace:
    """A token bucket per destination: `burst` messages at once, then `rate` a second. Slack
    takes about one a second in a channel; the desk keeps a little under that, so a post that
    reaches Slack a few milliseconds late is still within its limit."""

    rate: float = 0.95
    burst: float = 3.0
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def wait(self, destination: str, now: float) -> float:
        """Seconds until `destination` may take a message (0: now)."""
        tokens, at = self._buckets.get(destination, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def take(self, destination: str, now: float) -> None:
        tokens, at = self._buckets.get(destination, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        self._buckets[destination] = (tokens - 1, now)


# -- delivering ---------------------------------------------------------------------------
class Outbox:
    def __init__(
        self, desk: Desk, slack: SlackGateway, backoff: Backoff | None = None, pace: Pace | None = None
    ) -> None:
        self.desk = desk
        self.slack = slack  # a gateway that fails fast: the outbox does the waiting
        self.backoff = backoff or Backoff()
        self.pace = pace or Pace()
        self.storms = Storms(desk)
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._stopping = False
        self.busy = False  # a round is under way
        self._unsure: set[str] = set()  # owed before this start: maybe sent just before a crash

    def wake(self) -> None:
        """Something new is owed: deliver it now."""
        self._wake.set()

    def start(self) -> None:
        self._stopping = False
        # What was owed when the desk last stopped may have reached Slack just before a crash
        # (posted, not yet struck off): each such message is looked for before it is posted.
        self._unsure = set(self.desk.store.tables.records.get(OUTBOX, {}))
        self._worker = asyncio.create_task(self._run(), name="outbox")

    async def stop(self) -> None:
        """Finish the message in hand, then stop (what is left is delivered after a restart)."""
        self._stopping = True
        self._wake.set()
        if self._worker is not None:
            await self._worker
            self._worker = None

    def backlog(self) -> dict[str, Any]:
        """What is owed: for /healthz."""
        entries = self.desk.store.tables.records.get(OUTBOX, {})
        waiting = [doc for doc in entries.values() if not doc.get("parked")]
        oldest = min((doc["seq"] for doc in waiting), default=None)
        return {
            "waiting": len(waiting),
            "parked": len(entries) - len(waiting),
            "oldest_s": round((time.time_ns() - oldest) / 1e9, 1) if oldest else 0.0,
        }

    async def _run(self) -> None:
        while not self._stopping:
            pause = await self.deliver_ready()
            self._wake.clear()
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=pause)
            # Gather what a burst of requests owes before looking again: each round reads every
            # waiting entry, and a round per request cost a sixth of the desk's time at 200/s.
            await asyncio.sleep(GATHER)

    async def deliver_ready(self) -> float:
        """Deliver every message whose turn has come; seconds until the next one may go."""
        self.busy = True
        try:
            return await self._rounds()
        finally:
            self.busy = False

    async def _rounds(self) -> float:
        while not self._stopping:
            await self.storms.fold_waiting()
            heads = self._heads()
            if not heads:
                return 60.0
            soonest = 60.0
            progressed = False
            for key, doc in heads:
                if self._stopping:
                    break
                if self.storms.holds(doc):  # joins the storm card in the next round
                    progressed = True
                    continue
                now, wall = time.monotonic(), time.time()  # as the message goes, not as the round began
                channel = self._paced_as(doc)
                wait = max(doc["next_at"] - wall, self.pace.wait(channel, now))
                if doc["op"] == "storm":
                    wait = max(wait, self.storms.wait(doc["storm"], now))
                if wait > 0:
                    soonest = min(soonest, wait)
                    continue
                self.pace.take(channel, now)
                await self._deliver(key, doc)
                progressed = True
            if not progressed:
                return max(0.01, soonest)
        return 0.0

    def _paced_as(self, doc: dict[str, Any]) -> str:
        """The channel whose pace the message takes: the storm card waits in a line of its own
        (its updates never hold back the cards) but posts to the triage channel like them."""
        return self.desk.config.desk.triage_channel if doc["op"] == "storm" else str(doc["to"])

    def _heads(self) -> list[tuple[str, dict[str, Any]]]:
        """The first waiting message of each destination, oldest first."""
        firsts: dict[str, tuple[str, dict[str, Any]]] = {}
        for key, doc in self.desk.store.tables.records.get(OUTBOX, {}).items():
            if doc.get("parked"):
                continue
            current = firsts.get(doc["to"])
            if current is None or doc["seq"] < current[1]["seq"]:
                firsts[doc["to"]] = (key, doc)
        return sorted(firsts.values(), key=lambda item: item[1]["seq"])

    async def _deliver(self, key: str, doc: dict[str, Any]) -> None:
        started = time.perf_counter()
        try:
            posted = await self._send(key, doc)
        except SlackFailure as failure:
            await self._failed(key, doc, failure)
            return
        except _Unsendable as reason:
            await self._park(key, str(reason))
            return
        await self._done(key, doc, posted)
        log.info(
            "message delivered",
            extra={
                "outbox_id": key,
                "op": doc["op"],
                "attempts": doc["attempts"] + 1,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )

    async def _send(self, key: str, doc: dict[str, Any]) -> Posted | None:
        op = doc["op"]
        if op == "update":
            await self.slack.update(await self._channel(doc["to"]), doc["ts"], doc["text"], doc["blocks"])
            return None
        if op == "card":
            ticket = await self.desk.store.ticket(int(doc["ticket"]))
            if ticket is None:
                raise _Unsendable("no such ticket")
            text, blocks = card_for(self.desk, ticket)
            if ticket.card is not None:
                channel, ts = split_place(ticket.card)
                await self.slack.update(channel, ts, text, blocks)
                return None
            return await self._post(key, doc, self.desk.config.desk.triage_channel, text, blocks, None)
        if op == "storm":
            storm, text, blocks = await self.storms.draw(doc["storm"])
            if storm.card is not None:
                channel, ts = split_place(storm.card)
                await self.slack.update(channel, ts, text, blocks)
                return None
            return await self._post(key, doc, self.desk.config.desk.triage_channel, text, blocks, None)
        channel = await self._channel(doc["to"])
        thread = await self._thread(doc.get("thread"))
        return await self._post(key, doc, channel, doc["text"], doc["blocks"], thread)

    async def _post(
        self, key: str, doc: dict[str, Any], channel: str, text: str, blocks: Blocks, thread: str | None
    ) -> Posted:
        if doc["attempts"] or key in self._unsure:  # it may have gone through already: look first
            found = await self._find(channel, thread, key)
            if found is not None:
                return found
        metadata = {"event_type": METADATA_TYPE, "event_payload": {"id": key}}
        try:
            return await self.slack.post(
                channel, text, blocks, thread, broadcast=bool(doc.get("broadcast")), metadata=metadata
            )
        except SlackFailure as failure:
            if failure.error != "thread_not_found" or thread is None:
                raise
        # The thread's first message was deleted: the message goes to the conversation itself,
        # saying so, rather than holding up everything behind it.
        log.warning("thread gone; posted to its conversation", extra={"outbox_id": key})
        return await self.slack.post(channel, text, thread_gone(text, blocks), None, metadata=metadata)

    async def _find(self, channel: str, thread: str | None, key: str) -> Posted | None:
        for message in await self.slack.look_back(channel, thread, metadata=True):
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("id") == key:
                return Posted(channel, str(message["ts"]))
        return None

    async def _channel(self, to: str) -> str:
        """The conversation id for `to`. A person (`dm:U…`, or a bare user id, which
        chat.postMessage takes but conversations.history does not) means their DM with us."""
        if to.startswith("dm:"):
            return await self.slack.dm_channel(to[3:])
        if to[:1] in ("U", "W"):
            return await self.slack.dm_channel(to)
        return to

    async def _thread(self, thread: str | None) -> str | None:
        if thread is None or ":" not in thread:
            return thread
        kind, _, number = thread.partition(":")
        ticket = await self.desk.store.ticket(int(number))
        if ticket is None:
            raise _Unsendable("no such ticket")
        if kind == "card":
            if ticket.card is None:  # it waits in a storm card: a thread needs a card of its own
                return (await self._own_card(ticket.number)).ts
            return split_place(ticket.card)[1]
        return ticket.origin.thread

    async def _own_card(self, number: int) -> Posted:
        """Post a ticket's card now (it had none) and record where it went."""
        ticket = await self.desk.store.ticket(number)
        if ticket is None:
            raise _Unsendable("no such ticket")
        text, blocks = card_for(self.desk, ticket)
        key = f"t{number}:card"
        self.pace.take(self.desk.config.desk.triage_channel, time.monotonic())  # a second post
        posted = await self._post(
            key, {"attempts": 1}, self.desk.config.desk.triage_channel, text, blocks, None
        )
        await self._done(key, {"op": "card", "ticket": number, "version": -1}, posted)
        return posted

    async def _done(self, key: str, doc: dict[str, Any], posted: Posted | None) -> None:
        """Strike the message off and record where it went, in one transaction."""
        async with self.desk.store.transaction() as tx:
            current = tx.record(OUTBOX, key)
            if current is not None and current.get("version", 0) == doc.get("version", 0):
                tx.delete(OUTBOX, key)
            elif current is not None:  # redrawn while we sent it: send again, now as an update
                tx.put(OUTBOX, key, {**current, "attempts": 0, "next_at": 0.0})
            if doc["op"] == "card" and (storm := self.storms.of(int(doc["ticket"]))) is not None:
                storm_card(tx, storm, self.desk.config.desk.triage_channel)  # its counts changed
            if doc["op"] == "storm" and posted is not None:
                record = tx.record(STORMS, doc["storm"])
                tx.put(STORMS, doc["storm"], {**record, "card": place(posted.channel, posted.ts)})
                return
            then = doc.get("then") or (["card", doc["ticket"]] if doc["op"] == "card" else None)
            if posted is None or not then:
                return
            what, number = then[0], int(then[1])
            ticket = tx.ticket(number)
            if ticket is None:
                return
            if what == "card":
                tx.save_ticket(replace(ticket, card=place(posted.channel, posted.ts)))
            else:
                tx.save_ticket(replace(ticket, origin=Origin(posted.channel, posted.ts, ticket.origin.via)))
            tx.put(THREADS, place(posted.channel, posted.ts), number)

    async def _failed(self, key: str, doc: dict[str, Any], failure: SlackFailure) -> None:
        if failure.permanent:
            await self._park(key, failure.error)
            return
        attempts = doc["attempts"] + 1
        delay = self.backoff.delay(attempts, failure.retry_after)
        log.warning(
            "message not delivered yet; will try again",
            extra={"outbox_id": key, "error": failure.error, "attempt": attempts, "in_s": round(delay, 2)},
        )
        async with self.desk.store.transaction() as tx:
            current = tx.record(OUTBOX, key)
            if current is not None:
                tx.put(OUTBOX, key, {**current, "attempts": attempts, "next_at": time.time() + delay})

    async def _park(self, key: str, reason: str) -> None:
        log.error("message cannot be delivered; parked", extra={"outbox_id": key, "error": reason})
        async with self.desk.store.transaction() as tx:
            current = tx.record(OUTBOX, key)
            if current is not None:
                tx.put(OUTBOX, key, {**current, "parked": reason})


class _Unsendable(Exception):
    """The message has nowhere to go (its ticket or card is gone)."""
