"""Messages Slack will not take: parked after a few refusals, without holding up the rest,
told to the leads once, and sent again when the cause is fixed.

- **Parked after `REFUSALS`.** An error Slack does not document as passing
  (`bot.slack.gateway.is_transient`) is a refusal; the outbox tries the message `REFUSALS`
  times, spaced by its back-off, then parks it. A refused message steps out of its
  conversation's line at once, so the messages behind it go on.
- **Its thread parks with it.** Only messages that must follow it (`deliveries.follows`: a
  card's edits, thread replies and notices; the requester's thread; one intake conversation)
  wait for it, and they are parked with it, `behind` it.
- **The leads hear it once** per place and cause, in a DM saying what to do
  (`bot.slack.parked_blocks`), until the place's messages go out. A token Slack refuses
  cannot tell anyone through Slack: that is logged, and shown by `/healthz`.
- **Sent again** by `unpark`: `python -m bot outbox retry`, the bot joining a channel
  (`member_joined_channel`), or Slack taking the token again (the outbox's `auth.test`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from bot.delivery.deliveries import follows, line_of
from bot.delivery.owed import owe
from bot.desk import Desk
from bot.domain.notices import TRIAGE
from bot.domain.owed import (
    Card,
    Conversation,
    DigestOf,
    DirectMessage,
    HomeOf,
    Message,
    NoticeOf,
    Owed,
    Post,
    ReportOf,
    StormCard,
)
from bot.domain.ticket import Ticket
from bot.ports import Directory, Unanswered
from bot.slack.parked_blocks import cause_of, parked_notice
from store.base import Store, Transaction
from store.records import PARKED_TOLD, Told

log = logging.getLogger("desk.outbox")
REFUSALS = 3  # refusals before a message is parked
NOTICE = "parked:"  # the outbox ids of the leads' notices begin so (never told about in turn)
# causes that stand for a whole place: a second message there is parked at its first refusal
PLACE_WIDE = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "restricted", "person", "cannot_dm_bot"}
)
APP_WIDE = frozenset({"auth", "missing_scope", "home_off"})  # told once for the whole desk


def place_of(message: Message, desk: Desk, ticket_of: Callable[[int], Ticket | None]) -> str:
    """Where the message goes: a channel's id, `dm:<person>` or `home:<person>`."""
    match message:
        case Card(ticket=number):
            return _triage(desk, ticket_of(number))
        case NoticeOf(ticket=number, destination=destination) if destination == TRIAGE:
            return _triage(desk, ticket_of(number))
        case StormCard():
            return desk.main_triage
        case Post(to=Conversation(id=channel)):
            return channel
        case Post(to=DirectMessage(person=person)):
            return f"dm:{person}"
        case DigestOf(place=where) if where.startswith("channel:"):
            return where.partition(":")[2]
        case HomeOf(person=person):
            return f"home:{person}"
        case ReportOf(lead=person):
            return f"dm:{person}"
    return line_of(message, desk.main_triage)


def _triage(desk: Desk, ticket: Ticket | None) -> str:
    return desk.triage_of(ticket) if ticket is not None else desk.main_triage


class Parking:
    def __init__(self, desk: Desk, directory: Directory | None = None) -> None:
        self.desk = desk
        self.directory = directory  # the outbox's gateway: asks Slack about a refused token
        self.auth_check_every = 60.0  # seconds between two auth.test while the token is refused
        self._auth_checked = 0.0  # monotonic: how often Slack is asked is elapsed time
        self._anchors: dict[str, tuple[Message, str | None]] = {}  # key -> (message, `follows`)
        self._looked_to = -1  # the newest entry (`seq`) `behind_parked` has looked at

    def anchor(self, key: str, owed: Owed) -> str | None:
        """`follows(owed.message)`, remembered while the entry's message stays the same (the
        outbox asks for every entry each round while something is parked)."""
        known = self._anchors.get(key)
        if known is not None and known[0] is owed.message:
            return known[1]
        found = follows(owed.message)
        self._anchors[key] = (owed.message, found)
        return found

    def forget_gone(self, owed_now: Mapping[str, Owed]) -> None:
        """Drop what `anchor` remembers of entries no longer owed."""
        if len(self._anchors) > 2 * len(owed_now) + 100:
            self._anchors = {key: known for key, known in self._anchors.items() if key in owed_now}

    def park(self, tx: Transaction, key: str, reason: str, now: float, *, tell: bool = True) -> list[str]:
        """Park the message `key` and those that must follow it; tell the leads once (unless
        the reason is not Slack's: `tell` False). Returns the keys parked."""
        current = tx.owed(key)
        if current is None:
            return []
        tx.owe(key, replace(current, parked=reason, parked_at=now))
        parked = [key]
        anchor = follows(current.message)
        if anchor is not None:
            for other, seen in self.desk.store.owed_view().items():
                if other == key or seen.parked or self.anchor(other, seen) != anchor:
                    continue
                entry = tx.owed(other)
                if entry is not None and not entry.parked:
                    tx.owe(other, replace(entry, parked=reason, parked_at=now, behind=key))
                    parked.append(other)
        if tell and not key.startswith(NOTICE):
            self._tell(tx, place_of(current.message, self.desk, tx.ticket), reason, len(parked), now)
        return parked

    def pause(self) -> float:
        """While messages are parked, the outbox looks again now and then: for a request to
        retry them (a TinyDB desk: `retry_request`), and to ask Slack about the token."""
        parked = [owed.parked for owed in self.desk.store.owed_view().values() if owed.parked]
        if not parked:
            return 60.0
        if any(cause_of(reason) == "auth" for reason in parked):
            return min(1.0, self.auth_check_every)
        return 1.0

    async def tend(self) -> None:
        """While anything is parked (each round of the outbox): a request to retry is taken;
        what came behind a parked message since is parked with it; and while Slack refuses
        the token, it is asked again now and then (`auth.test`): once it takes it, what waited
        goes out."""
        owed_now = self.desk.store.owed_view()
        if not any(owed.parked for owed in owed_now.values()):
            return
        if (asked := retry_asked(self.desk.store)) is not None:  # `python -m bot outbox retry`
            await unpark(self.desk)
            asked.unlink(missing_ok=True)
            return
        if behind := self.behind_parked(owed_now):
            async with self.desk.store.transaction() as tx:
                self.park_behind(tx, behind, tx.now())  # the desk's clock
        if self.directory is None or not any(
            o.parked and cause_of(o.parked) == "auth" for o in owed_now.values()
        ):
            return
        if time.monotonic() - self._auth_checked < self.auth_check_every:
            return
        self._auth_checked = time.monotonic()
        try:
            await self.directory.who_am_i()
        except Unanswered as failure:
            log.warning("Slack still refuses the token", extra={"error": failure.error})
            return
        log.warning("Slack takes the token again: parked messages go out")
        await unpark(self.desk, causes={"auth"})

    def heads(self, owed_now: Mapping[str, Owed], triage: str) -> list[tuple[str, Owed]]:
        """The outbox's next messages while Slack refuses some (`Outbox._heads`), oldest first:
        the first of each conversation's line, and each refused message, which steps out of
        its line so what is behind it goes on; a message that must follow another (`follows`:
        a card's thread) waits for it, and stays behind a parked one. Only the conversations
        with a refused or parked message are walked in order; the rest as `Outbox._heads`."""
        special = {line_of(o.message, triage) for o in owed_now.values() if o.parked or o.refusals}
        firsts: dict[str, tuple[str, Owed]] = {}
        walked: list[tuple[str, Owed, str]] = []
        for key, owed in owed_now.items():
            if owed.parked:
                continue
            line = line_of(owed.message, triage)
            if line in special:
                walked.append((key, owed, line))
            elif (current := firsts.get(line)) is None or owed.seq < current[1].seq:
                firsts[line] = (key, owed)
        heads = list(firsts.values())
        lines: set[str] = set()
        threads = self.holds(owed_now)
        for key, owed, line in sorted(walked, key=lambda item: item[1].seq):
            thread = self.anchor(key, owed)
            if thread is not None:
                if thread in threads:
                    continue  # behind an earlier message of its thread
                threads.add(thread)
            if owed.refusals:
                heads.append((key, owed))
            elif line not in lines:
                lines.add(line)
                heads.append((key, owed))
        return sorted(heads, key=lambda item: item[1].seq)

    def behind_parked(self, owed_now: Mapping[str, Owed]) -> list[tuple[str, str, str]]:
        """The messages that must follow a parked one and came after it was parked: (key,
        the parked one's key, its reason). Those owed before it was parked were parked with
        it (`park`), so only those owed since the last look are looked at."""
        self.forget_gone(owed_now)
        since, self._looked_to = self._looked_to, max((o.seq for o in owed_now.values()), default=-1)
        held: dict[str, tuple[str, str]] = {}
        for key, entry in owed_now.items():
            if entry.parked and entry.behind is None and (anchor := self.anchor(key, entry)) is not None:
                held[anchor] = (key, entry.parked)
        found = []
        if held:
            for key, entry in owed_now.items():
                if entry.parked or entry.seq <= since:
                    continue
                mine = self.anchor(key, entry)
                if mine is not None and mine in held:
                    found.append((key, *held[mine]))
        return found

    def park_behind(self, tx: Transaction, found: list[tuple[str, str, str]], now: float) -> None:
        """Park `found` (`behind_parked`) behind the messages they follow."""
        for key, first, reason in found:
            if (current := tx.owed(key)) is not None and not current.parked:
                tx.owe(key, replace(current, parked=reason, parked_at=now, behind=first))

    def holds(self, owed_now: Mapping[str, Owed]) -> set[str]:
        """The threads (`follows`) that a parked message holds."""
        return {
            anchor
            for key, entry in owed_now.items()
            if entry.parked and (anchor := self.anchor(key, entry)) is not None
        }

    def refused_there(self, tx: Transaction, message: Message, error: str) -> bool:
        """Whether Slack refuses the message's whole place for the reason it gave (the bot is
        not in the channel, the person is gone, ...; the token: every place) and a message for
        that place is parked for it already: then one refusal is enough to park this one too."""
        cause = cause_of(error)
        if cause not in PLACE_WIDE and cause != "auth":
            return False
        place = place_of(message, self.desk, tx.ticket) if cause != "auth" else None  # auth: anywhere
        return any(
            entry.parked is not None
            and cause_of(entry.parked) == cause
            and (place is None or place_of(entry.message, self.desk, tx.ticket) == place)
            for entry in self.desk.store.owed_view().values()
            if entry.parked and entry.behind is None
        )

    def _tell(self, tx: Transaction, place: str, error: str, waiting: int, now: float) -> None:
        cause = cause_of(error)
        told = f"{'*' if cause in APP_WIDE else place}|{cause}"
        if tx.get(PARKED_TOLD, told) is not None:
            return
        tx.put(PARKED_TOLD, told, Told(now, error, place))
        leads = self.desk.config.desk.leads
        if cause == "auth" or not leads:  # a refused token: the notice waits for it too
            log.error(
                "messages parked; the leads cannot be told through Slack now",
                extra={"place": place, "error": error, "cause": cause},
            )
        if not leads:
            return
        for lead in leads:
            if place == f"dm:{lead}":
                continue  # it could not arrive either
            said = self.desk.known_words(lead)
            text, blocks = parked_notice(error, place, self.desk.config.desk.name, waiting, said)
            owe(tx, f"{NOTICE}{told}:{lead}", Post(DirectMessage(lead), text, blocks))


async def unpark(
    desk: Desk,
    *,
    places: set[str] | None = None,
    causes: set[str] | None = None,
) -> list[str]:
    """Put parked messages back in line (all of them, or those for `places` or of `causes`),
    with the messages parked behind them; the leads may be told again if they park again.
    Through the store, so it works from any process: the leading desk's outbox sends them.
    Returns the keys put back."""
    store: Store = desk.store
    owed_now = dict(await store.owed())
    freed: list[str] = []
    async with store.transaction() as tx:
        chosen: set[str] = set()
        for key, entry in owed_now.items():
            if not entry.parked or entry.behind is not None:
                continue
            if causes is not None and cause_of(entry.parked) not in causes:
                continue
            if places is not None and place_of(entry.message, desk, tx.ticket) not in places:
                continue
            chosen.add(key)
        for key, entry in owed_now.items():
            if key in chosen or (entry.parked and entry.behind in chosen):
                current = tx.owed(key)
                if current is None or not current.parked:
                    continue
                tx.owe(key, back_in_line(current))
                freed.append(key)
        for told in list(await store.entries(PARKED_TOLD)):
            place, _, cause = told.partition("|")
            here = places is None or place in places
            if here and (causes is None or cause in causes):
                tx.drop(PARKED_TOLD, told)
    if freed:
        log.info("parked messages back in line", extra={"count": len(freed)})
    return freed


def retry_request(store: Store) -> Path | None:
    """Where `python -m bot outbox retry` asks a running desk to retry (a TinyDB store has
    one process: the command cannot write it beside the desk), or None for a shared store."""
    path = getattr(store, "path", None)
    return Path(f"{path}.retry") if isinstance(path, Path) and store.leader_lock() is None else None


def retry_asked(store: Store) -> Path | None:
    """The request to retry, when one is waiting."""
    request = retry_request(store)
    return request if request is not None and request.exists() else None


def back_in_line(owed: Owed) -> Owed:
    """A parked message, owed again from scratch (looked for first if it ever failed
    ambiguously: it may have arrived)."""
    return replace(
        owed,
        parked=None,
        parked_at=0.0,
        behind=None,
        refusals=0,
        attempts=0,
        next_at=0.0,
        look_first=owed.look_first or owed.attempts > owed.refusals,
    )
