"""The outbox: every message the desk owes someone, recorded with the change that caused it,
then delivered by one worker, several messages at a time.

Flows record a message in the same transaction as the ticket change it tells about, so a
change is never on disk without the messages it owes, and a crash or a Slack outage loses
none. The worker then delivers:

- **in order per destination**: a destination's next message waits for the one before it,
  and a thread's (a card's, a requester's) for the one before it in any conversation; several
  destinations are sent to at once (`bot.delivery.sending`), so a desk owing many people a
  line each is not held to one Slack round trip per message;
- **paced ahead of time** per Web API method (`bot.slack.pace`): a message waits until every
  call it needs keeps its method's tier (chat.update 50 a minute for the whole workspace,
  chat.postMessage about one a second per channel, ...) and no `Retry-After` holds the method;
  a 429 holds every call to that method, costs no attempt and writes nothing;
- **retried** with exponential back-off and full jitter, never sooner than a `Retry-After`,
  on the desk's clock (below);
  while Slack does not answer at all (a 5xx, no answer) the back-off grows, so once Slack
  answers again (any call of the desk's, or the outbox's own `auth.test` every few seconds
  during the outage) what waited on it goes at once, not when its back-off ends;
- **once**: each message carries its id in Slack's message metadata; a message that failed
  ambiguously is looked for in its conversation before it is posted again, and only then: a
  look-up that found nothing is not repeated after an attempt that left no trace (a 429);
  one look at a conversation serves every message owed there (`bot.delivery.glances`);
- **merged**: edits of one message still waiting go as one call, the latest (a card is one
  entry redrawn as it is sent; an `Edit` or `Prompt` of a message a later one edits is dropped);
- **parked**, logged once and told to the leads once, after a few refusals (any error Slack
  does not document as passing), with the messages of its thread: a refused message steps
  out of its conversation's line, so the rest goes on (`bot.delivery.parking`); sent again by
  `python -m bot outbox retry`, or by itself once the bot joins the channel or the token works.

A ticket's card is one entry drawn when it is delivered, so however many changes pile up
while Slack is away, the card is posted (or updated) once, as the ticket stands then. When
new cards pile up faster than the triage channel takes them, they are folded into one storm
card (`bot.delivery.storm`) before each round.

**Time.** What is a time of the desk's world is read from the desk's clock (`Desk.clock`,
which tests and the sandbox move): when a message was owed (`since`), when it may go
(`next_at`: a back-off's end, a Home's wait for more changes), when it was parked. Such a wait
is also a span of real time (Slack given time to recover, calls spared), so it ends as soon
as either the desk's clock or the machine's elapsed time (monotonic, counted by this process
from when it first saw the wait) has passed it: in production the two move together; a
test's clock that stands still leaves it to elapsed time, and one moved forward ends it at
once, without waiting. Only true elapsed-time measurements are monotonic: Slack's
pace (`bot.slack.pace`), the storm card's redraws, how often Slack is asked whether it is
back, and how long `drained` waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from bot.delivery.deliveries import Deliveries, claims_of, line_of
from bot.delivery.glances import Glance, Glances, Spot
from bot.delivery.owed import METADATA_TYPE, card_key
from bot.delivery.parking import REFUSALS, Parking
from bot.delivery.places import split_place
from bot.delivery.renderers import Drawn, Editing, Features, Posting, Publishing, Unsendable, Uploading
from bot.delivery.sending import Requests, Sending
from bot.delivery.storm import Storms
from bot.desk import Desk
from bot.domain.owed import (
    Card,
    CardThread,
    Conversation,
    DirectMessage,
    Edit,
    InThread,
    Owed,
    Prompt,
    RequesterThread,
    StormCard,
    Thread,
    Where,
)
from bot.i18n import ENGLISH, Words
from bot.slack.gateway import Backoff, Posted, SlackFailure, SlackGateway
from bot.slack.said_blocks import thread_gone_line
from bot.supervise import Failures, supervised
from store.base import NotSaved

log = logging.getLogger("desk.outbox")
GATHER = 0.05  # seconds between two rounds at least
# While Slack does not answer, the outbox asks it `auth.test` this often: one call, however much
# is owed, so what waits goes within seconds of Slack's return rather than after a back-off grown
# during the outage (up to a minute). auth.test is in Slack's "Special" tier, meant to be called
# often (https://api.slack.com/methods/auth.test).
PROBE_EVERY = 2.0
Blocks = list[dict[str, Any]]
THREAD_GONE = thread_gone_line()  # as an English desk says it


def thread_gone(text: str, blocks: Blocks, words: Words = ENGLISH) -> Blocks:
    """A message's blocks with a line above saying that its thread is gone."""
    note = {"type": "context", "elements": [{"type": "mrkdwn", "text": thread_gone_line(words)}]}
    return [note, *(blocks or [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}])]


Calls = list[tuple[str, str]]  # (Web API method, channel) a delivery makes
LOOK_UPS = ("conversations.history", "conversations.replies")
SENDS = ("chat.postMessage", "files.upload_v2")  # calls that may leave a message behind


def left_a_trace(failure: SlackFailure) -> bool:
    """Whether a failed call may still have posted: any failure of a post but a 429 (Slack
    refused it before doing anything) may have reached Slack, so it is looked for next time."""
    return failure.method in SENDS and failure.error != "ratelimited"


# -- delivering ---------------------------------------------------------------------------
class Outbox:
    def __init__(
        self,
        desk: Desk,
        slack: SlackGateway,
        backoff: Backoff | None = None,
        failures: Failures | None = None,
        *,
        features: Features,
        requests: Requests | None = None,
    ) -> None:
        self.desk = desk
        self.failures = failures or Failures()  # the worker is restarted if it crashes (bot.supervise)
        self.slack = slack  # a gateway that fails fast: the outbox does the waiting
        self.backoff = backoff or Backoff()
        self.pacer = slack.pacer  # Slack's pace per method, shared with every other call
        self.requests = requests or Requests()  # while they arrive, one message at a time
        # line -> the calls its first message will make: a line waits while one is held
        self._needs: dict[str, Calls] = {}
        self._looked: set[str] = set()  # looked for and not found, and not sent since
        self.glances = Glances()  # what looks back at a conversation found: one serves all owed there
        self._gone: set[Spot] = set()  # threads Slack said are gone (`thread_not_found`)
        self._spent_hooks: set[str] = set()  # response_urls that no longer take an answer
        self.storms = Storms(desk)
        self.kinds = Deliveries(desk, features)  # what needs a feature comes from the wiring (`bot.app`)
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._stopping = False
        self.busy = False  # a round is under way
        self.rounds = 0  # completed since start
        self._round_done = asyncio.Condition()
        self._unsure: set[str] = set()  # owed before this start: maybe sent just before a crash
        self.parking = Parking(desk, slack)
        self._refused_seen = True  # anything parked or refused at the last look (`_heads`)
        self.slack_away = False  # the last try failed as an outage does (no answer, a 5xx)
        self._answered = False  # Slack answered a call since: what waits on a back-off goes now
        self._probed = float("-inf")  # monotonic: the last `auth.test` while Slack was away
        # key -> (its `next_at`, the monotonic end of the same wait counted from when this
        # process first saw it): the elapsed-time way out of a wait (see "Time" above)
        self._retry_at: dict[str, tuple[float, float]] = {}

    def now(self) -> float:
        """Now on the desk's clock, in seconds since the epoch: what `since`, `next_at` and
        `parked_at` are written in."""
        return self.desk.clock.now().timestamp()

    def waits(
        self, key: str, owed: Owed, within: float = 0.0, at: tuple[float, float] | None = None
    ) -> float:
        """Seconds (> 0) the message still waits on its back-off `within` seconds from now, on
        whichever of the desk's clock and elapsed time ends it first; 0 when it may go. `at`:
        (the desk's now, monotonic now) read once for many messages."""
        if owed.next_at <= 0:
            return 0.0
        now, ticks = at or (self.now(), time.monotonic())
        wait = owed.next_at - now - within
        if wait <= 0:
            return 0.0
        seen = self._retry_at.get(key)
        if seen is None or seen[0] != owed.next_at:  # a new wait: its span counts from now
            if len(self._retry_at) > 2 * len(self.desk.store.owed_view()) + 100:  # struck elsewhere
                owed_now = self.desk.store.owed_view()
                self._retry_at = {k: v for k, v in self._retry_at.items() if k in owed_now}
            seen = self._retry_at[key] = (owed.next_at, ticks + owed.next_at - now)
        return max(0.0, min(wait, seen[1] - ticks - within))

    def wake(self) -> None:
        """Something new is owed: deliver it now."""
        self._wake.set()

    def heard(self, error: str | None) -> None:
        """A call to Slack ended (any of the desk's, `SlackGateway.told`): the first answer after
        an outage sends what waited on a back-off at once."""
        if error is None and self.slack_away:
            self._answered = True
            self._wake.set()

    def slack_back(self) -> None:
        """Slack is known to be back (the sandbox's "Slack is down" switched off): ask it now
        rather than at the next look."""
        self._probed = float("-inf")
        self._wake.set()

    async def start(self) -> None:
        self._stopping = False
        # What was owed when the desk last stopped may have reached Slack just before a crash
        # (posted, not yet struck off): each such message is looked for before it is posted.
        self._unsure = set(await self.desk.store.owed())
        self.glances.forget()
        self._worker = asyncio.create_task(supervised("outbox", self._run, self.failures), name="outbox")

    async def stop(self) -> None:
        """Finish the message in hand, then stop (what is left is delivered after a restart)."""
        self._stopping = True
        self._wake.set()
        if self._worker is not None:
            await self._worker
            self._worker = None

    async def a_round(self) -> None:
        """Wait until the worker has looked at everything owed now (one round from now)."""
        if self._worker is None:
            return
        async with self._round_done:
            target = self.rounds + (2 if self.busy else 1)
            self.wake()
            await self._round_done.wait_for(lambda: self.rounds >= target or self._worker is None)

    async def drained(self, timeout: float = 30.0) -> bool:
        """Wait until nothing owed may go now (all sent, parked, or waiting on a back-off):
        the sandbox's fast-forward lets each moment's messages out before the next moment."""
        deadline = time.monotonic() + timeout
        while self._worker is not None and (self.busy or self.due() > 0):
            if time.monotonic() > deadline:
                return False
            self.wake()
            await asyncio.sleep(0.02)
        return True

    def backlog(self) -> dict[str, Any]:
        """What is owed: for /healthz."""
        entries = self.desk.store.owed_view()
        waiting = [owed for owed in entries.values() if not owed.parked]
        oldest = min((owed.since for owed in waiting), default=None)
        parked = min((owed.parked_at or owed.since for owed in entries.values() if owed.parked), default=None)
        now = self.now()
        return {
            "waiting": len(waiting),
            "parked": len(entries) - len(waiting),
            "oldest_s": round(now - oldest, 1) if oldest else 0.0,
            "oldest_parked_s": round(now - parked, 1) if parked else 0.0,
        }

    def due(self, within: float = 0.0) -> int:
        """How many messages may go within `within` seconds (not parked, not waiting longer on
        a back-off or a `Retry-After` of a method they need): the desk is idle only when this is 0.
        A message waiting its turn in Slack's pace is still to come."""
        triage, at = self.desk.main_triage, (self.now(), time.monotonic())
        return sum(
            1
            for key, owed in self.desk.store.owed_view().items()
            if not owed.parked
            and self.waits(key, owed, within, at) <= 0
            and self._held(self._needs.get(line_of(owed.message, triage), [])) <= within
        )

    def _pace_wait(self, calls: Calls) -> float:
        return max((self.pacer.wait(method, channel) for method, channel in calls), default=0.0)

    def _held(self, calls: Calls) -> float:
        return max((self.pacer.held(method) for method, _ in calls), default=0.0)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._after_outage()
                pause = await self.deliver_ready()
            except NotSaved as problem:  # what was sent and not yet struck off is looked for
                log.warning("outbox waits: the store cannot write", extra={"error": str(problem)})
                pause = 1.0
            self._wake.clear()
            async with self._round_done:
                self.rounds += 1
                self._round_done.notify_all()
            if self._stopping:
                break
            if self.desk.store.shared_by is not None:  # other desks owe messages too: look again soon
                pause = min(pause, self.desk.store.shared_by)
            pause = min(pause, self.parking.pause())
            if self.slack_away:  # ask Slack now and then whether it is back (`_after_outage`)
                pause = min(pause, PROBE_EVERY)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=pause)
            # Gather what a burst of requests owes before looking again: each round reads every
            # waiting entry, and a round per request cost a sixth of the desk's time at 200/s.
            await asyncio.sleep(GATHER)

    async def _after_outage(self) -> None:
        """While Slack does not answer, ask it (`auth.test`, at most every `PROBE_EVERY` s, and
        only while nothing owed is due: a due message is the question itself); once it answers,
        every message waiting on a back-off of an outage's failures is due now. Nothing asked
        once nothing waits so (delivered, parked, or due: its own try asks)."""
        if not self.slack_away:
            return
        at = (self.now(), time.monotonic())
        waiting = [
            key
            for key, seen in self.desk.store.owed_view().items()
            if not seen.parked and not seen.refusals and seen.attempts and self.waits(key, seen, at=at) > 0
        ]
        if not waiting:
            self._answered = self.slack_away = False
            return
        if not self._answered and time.monotonic() - self._probed >= PROBE_EVERY and not self.due():
            self._probed = time.monotonic()
            try:
                await self.slack.who_am_i()
            except SlackFailure:
                return
            self._answered = True
        if not self._answered:
            return
        self._answered = self.slack_away = False
        async with self.desk.store.transaction() as tx:
            for key in waiting:
                if (current := tx.owed(key)) is not None and not current.parked and not current.refusals:
                    tx.owe(key, replace(current, next_at=0.0))
                self._retry_at.pop(key, None)
        log.info("Slack answers again: what waited for it goes now", extra={"messages": len(waiting)})

    async def deliver_ready(self) -> float:
        """Deliver every message whose turn has come; seconds until the next one may go."""
        self.busy = True
        try:
            return await self._rounds()
        finally:
            self.busy = False

    async def _rounds(self) -> float:
        triage = self.desk.main_triage
        while not self._stopping:
            if self._refused_seen:  # the last look at the outbox saw something parked
                await self.parking.tend()
            await self.storms.fold_waiting()
            heads = await self._heads()
            if not heads:
                self.glances.forget()  # nothing left to look for: the next look asks Slack
                self._gone.clear()  # and the next message for a thread tries it again
                return 60.0
            # Oldest first across every conversation, several at once, but never two of one
            # line or one thread: a ticket's card and its thread's posts can wait in different
            # lines (a second team's card is in the main triage's line), and a thread post that
            # found no card yet would post one of its own beside the card still on its way.
            progressed, soonest = await self._in_turn(heads, triage)
            if not progressed:
                return max(0.01, soonest)
        return 0.0

    async def _in_turn(self, heads: list[tuple[str, Owed]], triage: str) -> tuple[bool, float]:
        """Deliver what may go of the lines' heads, oldest first, several at once
        (`bot.delivery.sending`): whether any went (or stepped aside), and the seconds until
        the next may go."""
        sending = Sending(self.requests.at_once)
        try:
            for key, owed in heads:
                if self._stopping or sending.failed:
                    break
                if await self.storms.holds(owed):  # joins the storm card in the next round
                    sending.went = True
                    continue
                claims = claims_of(owed.message, triage)
                if sending.holds(claims):  # what goes before it in its line or thread is on its way
                    continue
                alone = isinstance(owed.message, StormCard)  # drawn from what the cards sent say
                if alone:
                    await sending.finish()
                await self._one(key, owed, triage, claims, sending)
                if alone:  # nothing goes beside it
                    await sending.finish()
        except Exception:
            with contextlib.suppress(Exception):  # what is on its way ends first (then struck off)
                await sending.finish()
            raise
        except BaseException:  # cancelled: so is what is on its way (looked for after a restart)
            sending.abandon()
            raise
        await sending.finish()
        return sending.went, sending.soonest

    async def _one(self, key: str, owed: Owed, triage: str, claims: frozenset[str], sending: Sending) -> None:
        """Send one head, if it may go now: its back-off, Slack's pace, and whether a later
        edit of the same message waits (that one goes instead). A message that waits holds
        nothing: a card's edit that Slack's pace holds for a minute does not hold what is
        said meanwhile in its thread or about its ticket."""
        wait = self.waits(key, owed)
        if isinstance(owed.message, StormCard):
            wait = max(wait, self.storms.wait(owed.message.storm, time.monotonic()))
        if wait > 0:
            sending.soonest = min(sending.soonest, wait)
            return
        try:
            drawn = await self.kinds.draw(owed.message)
        except Unsendable as reason:
            await self._park(key, owed, str(reason), slack_said=False)
            sending.went = True
            return
        if isinstance(owed.message, StormCard):
            self.storms.drawn(owed.message.storm)  # its next update waits a few seconds
        if drawn is not None and self._superseded(key, owed, drawn, triage):
            drawn = None  # a later edit of the same message is waiting: it goes instead
        if drawn is not None:  # paced as it goes, not as the round began
            self._needs[line_of(owed.message, triage)] = calls = self._calls(key, owed, drawn)
            if (wait := self._pace_wait(calls)) > 0:
                sending.soonest = min(sending.soonest, wait)
                return
        await sending.start(claims, self._deliver(key, owed, drawn))

    def _calls(self, key: str, owed: Owed, drawn: Drawn) -> Calls:
        """The Web API calls delivering the message will make, each of which must keep its
        method's pace (`bot.slack.pace`) before the message goes."""
        if isinstance(drawn, Publishing):
            return [("views.publish", "")]
        if isinstance(drawn, Editing):
            return [] if self._hook(drawn) else [("chat.update", "")]
        if isinstance(drawn, Uploading):
            return [("conversations.history", ""), ("files.getUploadURLExternal", "")]
        calls: Calls = []
        if isinstance(drawn.to, Conversation):
            channel = drawn.to.id
        elif (known := self.slack.known_dm(drawn.to.person)) is not None:
            channel = known
        else:
            channel = ""
            calls.append(("conversations.open", ""))
        calls.append(("chat.postMessage", channel))
        if self._looks_first(key, owed, drawn) and (
            drawn.always_look or not self.glances.covers(drawn.to, drawn.thread)
        ):
            calls.append((LOOK_UPS[drawn.thread is not None], ""))
        return calls

    def _hook(self, drawn: Editing) -> str | None:
        """The response_url an edit can go through (a click on the message), if it still works."""
        return drawn.hook if drawn.hook is not None and drawn.hook not in self._spent_hooks else None

    def _looks_first(self, key: str, owed: Owed, drawn: Posting) -> bool:
        """Whether the message may be in Slack already, so it is looked for before it is posted:
        it was owed when the desk started, it failed in a way that may have posted it, or it may
        come by other means. Not again once a look-up found nothing and nothing was sent since."""
        if key in self._looked:
            return False
        return drawn.always_look or owed.look_first or key in self._unsure

    def _superseded(self, key: str, owed: Owed, drawn: Drawn, triage: str) -> bool:
        """Whether a later entry in the same line edits the same message: only the latest state
        of a message is sent, so this edit is dropped."""
        if not isinstance(drawn, Editing) or not isinstance(owed.message, Edit | Prompt):
            return False
        line = line_of(owed.message, triage)
        return any(
            isinstance(other.message, Edit | Prompt)
            and other.message.ts == drawn.ts
            and other_key != key
            and not other.parked
            and other.seq > owed.seq
            and line_of(other.message, triage) == line
            for other_key, other in self.desk.store.owed_view().items()
        )

    async def _heads(self) -> list[tuple[str, Owed]]:
        """The messages that may go next, oldest first: the first of each conversation's line
        (a conversation's order keeps each thread's: a card before its replies). While Slack
        refuses some, see `Parking.heads`."""
        triage = self.desk.main_triage
        owed_now = await self.desk.store.owed()
        firsts: dict[str, tuple[str, Owed]] = {}
        for key, owed in owed_now.items():
            if owed.parked or owed.refusals:
                self._refused_seen = True
                return self.parking.heads(owed_now, triage)
            line = line_of(owed.message, triage)
            current = firsts.get(line)
            if current is None or owed.seq < current[1].seq:
                firsts[line] = (key, owed)
        self._refused_seen = False
        return sorted(firsts.values(), key=lambda item: item[1].seq)

    async def _deliver(self, key: str, owed: Owed, drawn: Drawn | None) -> float:
        """Deliver the message (or settle its failure); seconds it must wait for Slack's pace
        when Slack (or the pacer) said `ratelimited`, else 0."""
        started = time.perf_counter()
        try:
            with self._doubting(key):
                posted = await self._send(key, owed, drawn) if drawn is not None else None
        except SlackFailure as failure:
            if failure.error == "ratelimited":
                return self._paced(key, owed, failure)
            await self._failed(key, owed, failure)
            return 0.0
        except Unsendable as reason:
            await self._park(key, owed, str(reason), slack_said=False)
            return 0.0
        if self.slack_away and drawn is not None:  # Slack answered: the rest need not wait
            self._answered = True
        with self._doubting(key):
            await self._done(key, owed, posted)
        log.info(
            "message delivered" if drawn is not None else "message no longer needed",
            extra={
                "outbox_id": key,
                "kind": type(owed.message).__name__,
                "attempts": owed.attempts + 1,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return 0.0

    async def _send(self, key: str, owed: Owed, drawn: Drawn) -> Posted | None:
        if isinstance(drawn, Publishing):
            await self.slack.publish_home(drawn.person, drawn.view)  # replaces the whole tab
            return None
        channel = await self._channel(drawn.to)
        if isinstance(drawn, Uploading):
            return await self._upload(key, channel, drawn)
        if isinstance(drawn, Editing):
            if (hook := self._hook(drawn)) is not None:
                try:  # the click's own answer: outside chat.update's tier
                    await self.slack.replace_clicked(hook, drawn.text, drawn.blocks)
                    return None
                except SlackFailure as failure:  # expired or used up: edit it the usual way
                    log.info(
                        "response_url refused; editing instead",
                        extra={"outbox_id": key, "error": failure.error},
                    )
                    self._spent_hooks.add(hook)
            await self.slack.update(channel, drawn.ts, drawn.text, drawn.blocks)
            return None
        thread = await self._thread(drawn.thread)
        if self._looks_first(key, owed, drawn):
            found = await self._find(drawn, (channel, thread), key)  # it may be there already
            if found is not None:
                return found
            self._looked.add(key)
        metadata = {"event_type": METADATA_TYPE, "event_payload": {"id": key}}
        if (channel, thread) not in self._gone:
            try:
                return await self.slack.post(
                    channel, drawn.text, drawn.blocks, thread, broadcast=drawn.broadcast, metadata=metadata
                )
            except SlackFailure as failure:
                if failure.error != "thread_not_found" or thread is None:
                    raise
            # Remembered: a try again (Slack's pace, a lost answer) goes straight to the
            # conversation, not first to the thread again, spending the channel's pace on a
            # refusal each time (and, at one post a second, never reaching the conversation).
            self._gone.add((channel, thread))
        # The thread's first message was deleted: the message goes to the conversation itself,
        # saying so, rather than holding up everything behind it.
        log.warning("thread gone; posted to its conversation", extra={"outbox_id": key})
        blocks = thread_gone(drawn.text, drawn.blocks, self.desk.words)
        return await self.slack.post(channel, drawn.text, blocks, None, metadata=metadata)

    async def _upload(self, key: str, channel: str, drawn: Uploading) -> Posted | None:
        """A message carrying a file: looked for first by the file's name (an upload leaves no
        metadata to find it by), then uploaded with files_upload_v2."""
        name = drawn.upload.filename
        if key not in self._looked:
            for message in await self.slack.look_back(channel):
                if any(f.get("name") == name for f in message.get("files") or []):
                    log.info("upload found: not sent again", extra={"outbox_id": key})
                    return None
            self._looked.add(key)
        up = drawn.upload
        await self.slack.upload(channel, up.content, up.filename, up.title, drawn.text, up.alt)
        return None

    async def _find(self, drawn: Posting, spot: Spot, key: str) -> Posted | None:
        """The message in Slack already, by its id (or its marker): from what an earlier look
        at the same conversation or thread found while that still holds (`bot.delivery.glances`),
        else by looking back now. A message that may come by other means is always looked for.
        A thread that is gone (its look returns not even its parent) sends the look to the
        conversation too: an earlier attempt posted it there (`thread_gone`)."""
        channel, thread = spot
        gone = spot in self._gone  # Slack said so: only the conversation can hold it
        if not gone:
            glance = await self._glance(drawn, spot, serves=True)
            if (ts := glance.find(key, drawn.marker)) is not None:
                return Posted(channel, ts)
            gone = thread is not None and not glance.seen
        if gone:
            glance = await self._glance(drawn, (channel, None), serves=False)
            if (ts := glance.find(key, drawn.marker)) is not None:
                return Posted(channel, ts)
        return None

    async def _glance(self, drawn: Posting, spot: Spot, *, serves: bool) -> Glance:
        glance = None if drawn.always_look else self.glances.at(spot)
        if glance is None:
            begun = self.glances.generation
            messages = await self.slack.look_back(spot[0], spot[1], metadata=True)
            glance = self.glances.saw(spot, messages, begun, (drawn.to, drawn.thread) if serves else None)
        return glance

    @contextlib.contextmanager
    def _doubting(self, key: str) -> Iterator[None]:
        """Around a post and the save of its delivery: a failure that may have left the message
        in Slack (an answer lost, a delivery not saved) makes it doubtful. It is looked for
        before it is posted again, and no earlier look can have seen it."""
        try:
            yield
        except SlackFailure as failure:
            if left_a_trace(failure):
                self._doubt(key)
            raise
        except NotSaved:
            self._doubt(key)
            raise

    def _doubt(self, key: str) -> None:
        self._unsure.add(key)
        self._looked.discard(key)
        self.glances.forget()

    async def _channel(self, to: Where) -> str:
        """The conversation id: a person means their DM with us (chat.postMessage takes a user
        id, but conversations.history, for looking first, does not)."""
        if isinstance(to, DirectMessage):
            return await self.slack.dm_channel(to.person)
        return to.id

    async def _thread(self, thread: Thread | None) -> str | None:
        if thread is None or isinstance(thread, InThread):
            return thread.ts if thread else None
        ticket = await self.desk.store.ticket(thread.ticket)
        if ticket is None:
            raise Unsendable("no such ticket")
        if isinstance(thread, RequesterThread):
            return ticket.origin.thread
        assert isinstance(thread, CardThread)
        if ticket.card is None:  # it waits in a storm card: a thread needs a card of its own
            return (await self._own_card(ticket.number)).ts
        return split_place(ticket.card)[1]

    async def _own_card(self, number: int) -> Posted:
        """Post a ticket's card now (it had none) and record where it went."""
        drawn = await self.kinds.draw(Card(number))
        assert isinstance(drawn, Posting)
        key = card_key(number)
        # Version -1 matches no entry: a card still owed for the ticket stays owed and goes
        # again, as an edit of this one; the storm card is redrawn without it.
        card = Owed(Card(number), seq=0, version=-1, look_first=True)
        with self._doubting(key):  # the card may be in Slack all the same: looked for next time
            posted = await self._send(key, card, drawn)
            assert posted is not None
            await self._done(key, card, posted)
        return posted

    async def _done(self, key: str, owed: Owed, posted: Posted | None) -> None:
        """Strike the message off and record what its delivery changed, in one transaction."""
        async with self.desk.store.transaction() as tx:
            current = tx.owed(key)
            if current is not None and current.version == owed.version:
                tx.strike(key)
            elif current is not None:  # redrawn while we sent it: send again, now as an update
                tx.owe(key, replace(current, attempts=0, next_at=0.0))
            self.kinds.delivered(tx, owed.message, posted)
        self._forget(key)

    def _forget(self, key: str) -> None:
        self._retry_at.pop(key, None)
        self._unsure.discard(key)
        self._looked.discard(key)

    def _paced(self, key: str, owed: Owed, failure: SlackFailure) -> float:
        """Slack said `ratelimited` (or the pacer did, before calling): the method is held until
        its `Retry-After` passes, and the message waits for it in memory. Not an attempt: its
        back-off does not grow and nothing is written."""
        if self.pacer.wait(failure.method) <= 0:  # a 429 the gateway did not hold: hold it here
            self.pacer.hold(failure.method, failure.retry_after)
        needs = self._needs.setdefault(line_of(owed.message, self.desk.main_triage), [])
        if all(method != failure.method for method, _ in needs):
            needs.append((failure.method, ""))  # so `due` sees it waiting
        wait = self.pacer.wait(failure.method)
        log.info(
            "Slack's pace: waiting",
            extra={"outbox_id": key, "method": failure.method, "in_s": round(wait, 2)},
        )
        return max(wait, 0.01)

    async def _failed(self, key: str, owed: Owed, failure: SlackFailure) -> None:
        if failure.permanent:
            await self._refused(key, owed, failure)
            return
        attempts = owed.attempts + 1
        delay = self.backoff.delay(attempts, failure.retry_after)
        self.slack_away = True  # no answer, or one Slack says passes: asked now and then if back
        log.warning(
            "message not delivered yet; will try again",
            extra={"outbox_id": key, "error": failure.error, "attempt": attempts, "in_s": round(delay, 2)},
        )
        async with self.desk.store.transaction() as tx:
            current = tx.owed(key)
            if current is not None:
                tx.owe(key, replace(current, attempts=attempts, next_at=self.now() + delay))

    async def _refused(self, key: str, owed: Owed, failure: SlackFailure) -> None:
        """Slack refused it: tried again a few times (out of its conversation's line), then
        parked; at once when a message for the same place is parked for the same cause."""
        refusals, attempts = owed.refusals + 1, owed.attempts + 1
        delay = self.backoff.delay(attempts)
        async with self.desk.store.transaction() as tx:
            parks = refusals >= REFUSALS or self.parking.refused_there(tx, owed.message, failure.error)
            if not parks and (current := tx.owed(key)) is not None:
                later = self.now() + delay
                tx.owe(key, replace(current, attempts=attempts, refusals=refusals, next_at=later))
        if parks:
            await self._park(key, owed, failure.error)
            return
        log.warning(
            "Slack refused a message; will try again",
            extra={"outbox_id": key, "error": failure.error, "attempt": attempts, "in_s": round(delay, 2)},
        )

    async def _park(self, key: str, owed: Owed, reason: str, *, slack_said: bool = True) -> None:
        log.error("message cannot be delivered; parked", extra={"outbox_id": key, "error": reason})
        self._forget(key)
        async with self.desk.store.transaction() as tx:
            self.parking.park(tx, key, reason, self.now(), tell=slack_said)
