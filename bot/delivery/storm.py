"""Incident storms in the triage channel (`bot.domain.storm`): the outbox asks, before each
round, whether new tickets' cards should go into the storm card instead of a post each.

Folding happens in one transaction: the waiting card entries are struck off, the tickets join
the storm's record, and the storm card is owed (posted the first time, updated after). The
storm card is drawn when it is sent, so it shows the tickets as they stand then.
"""

from __future__ import annotations

import logging
import time

from bot.delivery.owed import storm_card
from bot.desk import Desk
from bot.domain.owed import Card, Owed
from bot.domain.storm import Storm, foldable, folds
from bot.domain.ticket import Ticket
from store.base import Transaction
from store.records import STORM_OF, STORMS

log = logging.getLogger("desk.storm")
REDRAW_EVERY = 3.0  # seconds between two updates of a storm card


class Storms:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self._drawn_at: dict[str, float] = {}  # storm key -> when its card was last sent (monotonic)

    async def latest(self) -> Storm | None:
        """The most recent storm. Only its record is decoded: this is asked for each owed card
        in every outbox round, and every storm ever had keeps its record."""
        docs = (await self.desk.store.records(STORMS.name)).values()  # documents, not decoded
        newest = max(docs, key=lambda doc: doc["started_at"], default=None)  # UTC ISO times sort
        return STORMS.decode(newest) if newest is not None else None

    async def of(self, number: int) -> str | None:
        """The storm whose card shows the ticket, if any."""
        return await self.desk.store.get(STORM_OF, str(number))

    async def fold_waiting(self) -> int:
        """Fold cards waiting for the triage channel into storm cards: a ticket already shown on
        one goes back to it (its counts changed), and new tickets join the current storm when
        there are too many to post one by one or a storm is on. How many were folded."""
        waiting = [
            (key, owed.message.ticket)
            # a copy: the reads below catch up with other desks, which changes the outbox
            for key, owed in list((await self.desk.store.owed()).items())
            if isinstance(owed.message, Card) and await self._foldable_card(owed)
        ]
        if not waiting:
            return 0
        now = self.desk.clock.now()
        current = await self.latest()
        fresh = [number for _, number in waiting if await self.of(number) is None]
        takes_new = folds(len(fresh), current, now)
        if not takes_new and len(fresh) == len(waiting):
            return 0
        on = current is not None and current.is_on(now)
        async with self.desk.store.transaction() as tx:
            joining, redrawn = [], set()
            for key, number in waiting:
                ticket = tx.ticket(number)
                home = tx.get(STORM_OF, str(number))
                if ticket is None or not self._foldable(ticket) or (home is None and not takes_new):
                    continue
                tx.strike(key)
                if home is None:
                    joining.append(number)
                else:
                    redrawn.add(home)
            if joining:
                storm = current.join(joining, now) if current and on else Storm.begin(joining, now)
                tx.put(STORMS, storm.key, storm)
                for number in joining:
                    tx.put(STORM_OF, str(number), storm.key)
                redrawn.add(storm.key)
            for key in redrawn:
                storm_card(tx, key)
        if joining and not on:
            log.warning("incident storm: new tickets grouped in one triage card", extra={"storm": storm.key})
        if joining:
            log.info("tickets joined the storm card", extra={"storm": storm.key, "tickets": len(joining)})
        return len(joining) + len(redrawn)

    async def _foldable_card(self, owed: Owed) -> bool:
        """An owed card of a ticket that could be shown on a storm card instead."""
        if not isinstance(owed.message, Card):
            return False
        if owed.attempts or owed.parked:  # one that failed may have been posted: it goes as is
            return False
        ticket = await self.desk.store.ticket(owed.message.ticket)
        return ticket is not None and self._foldable(ticket)

    def _foldable(self, ticket: Ticket) -> bool:
        """Storm cards are for the first team's triage channel: other teams' cards go one by one."""
        return foldable(ticket) and self.desk.triage_of(ticket) == self.desk.main_triage

    async def holds(self, owed: Owed) -> bool:
        """Whether an owed card must wait for the next fold (it was owed after this round's):
        its ticket is on a storm card, or it is new while a storm is on."""
        if not isinstance(owed.message, Card) or not await self._foldable_card(owed):
            return False
        if await self.of(owed.message.ticket) is not None:
            return True
        current = await self.latest()
        return current is not None and current.is_on(self.desk.clock.now())

    def wait(self, key: str, now: float) -> float:
        """Seconds before the storm card may be sent again: it is updated every few seconds at
        most, however fast tickets arrive."""
        drawn = self._drawn_at.get(key)
        return 0.0 if drawn is None else max(0.0, drawn + REDRAW_EVERY - now)

    def drawn(self, key: str) -> None:
        """The storm card was drawn to be sent (`bot.delivery.renderers`): its next update waits."""
        self._drawn_at[key] = time.monotonic()


def card_delivered(tx: Transaction, number: int) -> None:
    """A ticket's card went out: the storm card showing the ticket, if any, is owed again (its
    counts changed)."""
    if (storm := tx.get(STORM_OF, str(number))) is not None:
        storm_card(tx, storm)
