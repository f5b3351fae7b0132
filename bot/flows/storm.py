"""Incident storms in the triage channel (`bot.domain.storm`): the outbox asks, before each
round, whether new tickets' cards should go into the storm card instead of a post each.

Folding happens in one transaction: the waiting card entries are struck off, the tickets join
the storm's record, and the storm card is owed (posted the first time, updated after). The
storm card is drawn when it is sent, so it shows the tickets as they stand then.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from bot.desk import Desk
from bot.domain.storm import Storm, foldable, folds, grouped
from bot.flows.owed import OUTBOX, storm_card
from bot.slack.storm_blocks import storm_card as draw_storm_card
from store.codec import storm_from_doc, storm_to_doc
from store.tables import STORMS

log = logging.getLogger("desk.storm")
REDRAW_EVERY = 3.0  # seconds between two updates of a storm card


class Storms:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self._drawn_at: dict[str, float] = {}  # storm key -> when its card was last sent (monotonic)

    def _storms(self) -> list[Storm]:
        docs = self.desk.store.tables.records.get(STORMS, {}).values()
        return sorted((storm_from_doc(doc) for doc in docs), key=lambda s: s.started_at)

    def latest(self) -> Storm | None:
        storms = self._storms()
        return storms[-1] if storms else None

    def of(self, number: int) -> str | None:
        """The storm the ticket arrived in, if any."""
        for doc in self.desk.store.tables.records.get(STORMS, {}).values():
            if number in doc["tickets"]:
                return str(doc["key"])
        return None

    async def fold_waiting(self) -> int:
        """Fold the new cards waiting for the triage channel into the storm card, when there are
        too many to post one by one or a storm is on; how many were folded."""
        triage = self.desk.config.desk.triage_channel
        entries = self.desk.store.tables.records.get(OUTBOX, {})
        waiting = [key for key, doc in entries.items() if self._new_card(doc)]
        now = self.desk.clock.now()
        current = self.latest()
        if not folds(len(waiting), current, now):
            return 0
        async with self.desk.store.transaction() as tx:
            numbers = []
            for key in waiting:
                doc = tx.record(OUTBOX, key)
                ticket = tx.ticket(int(doc["ticket"])) if doc else None
                if ticket is not None and foldable(ticket):
                    tx.delete(OUTBOX, key)
                    numbers.append(ticket.number)
            if not numbers:
                return 0
            on = current is not None and current.is_on(now)
            storm = current.join(numbers, now) if current and on else Storm.begin(numbers, now)
            tx.put(STORMS, storm.key, storm_to_doc(storm))
            storm_card(tx, storm.key, triage)
        if not on:
            log.warning("incident storm: new tickets grouped in one triage card", extra={"storm": storm.key})
        log.info("tickets joined the storm card", extra={"storm": storm.key, "tickets": len(numbers)})
        return len(numbers)

    def _new_card(self, doc: dict[str, Any]) -> bool:
        """An owed card of a ticket that could wait in a storm card."""
        if doc["op"] != "card" or doc["to"] != self.desk.config.desk.triage_channel:
            return False
        if doc["attempts"] or doc.get("parked"):  # one that failed may have been posted: it goes as is
            return False
        ticket = self.desk.store.tables.tickets.get(int(doc["ticket"]))
        return ticket is not None and foldable(ticket)

    def holds(self, doc: dict[str, Any]) -> bool:
        """Whether an owed message must wait for the next fold: a new card owed while a storm
        is on (recorded after this round's fold)."""
        if not self._new_card(doc):
            return False
        current = self.latest()
        return current is not None and current.is_on(self.desk.clock.now())

    def wait(self, key: str, now: float) -> float:
        """Seconds before the storm card may be sent again: it is updated every few seconds at
        most, however fast tickets arrive."""
        drawn = self._drawn_at.get(key)
        return 0.0 if drawn is None else max(0.0, drawn + REDRAW_EVERY - now)

    async def draw(self, key: str) -> tuple[Storm, str, list[dict[str, Any]]]:
        """The storm and its card as the tickets stand now."""
        doc = await self.desk.store.record(STORMS, key)
        storm = storm_from_doc(doc)
        tickets = [t for n in storm.tickets if (t := await self.desk.store.ticket(n)) is not None]
        text, blocks = draw_storm_card(storm, grouped(tickets), self.desk.ref, self.desk.zone)
        self._drawn_at[key] = time.monotonic()
        return storm, text, blocks
