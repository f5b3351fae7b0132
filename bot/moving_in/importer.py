"""Writing imported tickets through the store's transactions, in batches, safe to run again.

Each ticket is written in the same transaction as its line in the `imported` table
(`source:id` -> its number and the fingerprint of what it was made of), so a run killed at any
moment leaves whole batches and nothing half: the next run finds what is there and goes on.
A ticket already imported is left alone when the source has not changed it; when the source
has, it is made again under the same number, unless people worked it in the desk since.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.errors import TicketArchived
from bot.domain.escalation import EscalationPolicy
from bot.moving_in.build import area_in, imported_ticket
from bot.moving_in.records import ImportedTicket, Problem
from config.settings import Config
from store.base import Store, Transaction
from store.records import IMPORTED, LOOKED_UP, OUTSIDERS, Imported

BATCH = 500  # tickets a transaction writes at most


@dataclass
class Tally:
    """What an import did (or would do)."""

    rows: int = 0
    new: int = 0
    same: int = 0  # imported before, unchanged there: left alone
    updated: int = 0  # changed there since: made again
    kept: int = 0  # changed there, but worked here since: the desk's version kept
    by_state: Counter[str] = field(default_factory=Counter)
    by_team: Counter[str] = field(default_factory=Counter)
    by_area: Counter[str] = field(default_factory=Counter)
    by_priority: Counter[str] = field(default_factory=Counter)
    no_area: Counter[str] = field(default_factory=Counter)  # the source's areas the desk has not
    unplaced: Counter[str] = field(default_factory=Counter)  # source fields with no home here
    problems: list[Problem] = field(default_factory=list)
    numbers: tuple[int, int] | None = None  # the first and last number given


class Importer:
    """Makes records into the desk's tickets for `config`, its people found (`who`)."""

    def __init__(self, config: Config, who: Mapping[str, str], now: datetime, batch: int = BATCH) -> None:
        self.config = config
        self.who = who
        self.now = now
        self.batch = max(1, batch)
        self.default_area = config.desk.categories[0]

    def area(self, record: ImportedTicket) -> str:
        return area_in(self.config.desk.categories, record.area) or self.default_area

    def count(self, tally: Tally, record: ImportedTicket) -> None:
        """Count what the record will be (its state, team, area, priority, homeless fields)."""
        area = self.area(record)
        if record.area and area_in(self.config.desk.categories, record.area) is None:
            tally.no_area[record.area] += 1
        tally.by_state[record.status.value] += 1
        tally.by_team[self.config.staff.team_of(area).name] += 1
        tally.by_area[area] += 1
        tally.by_priority[record.priority.value] += 1
        tally.unplaced.update(record.unplaced)

    def plan(self, records: list[ImportedTicket], imported: Mapping[str, Imported], tally: Tally) -> None:
        """What writing `records` would do, from what is imported already (a dry run)."""
        for record in records:
            self.count(tally, record)
            before = imported.get(record.key)
            if before is None:
                tally.new += 1
            elif before.fp == record.fingerprint():
                tally.same += 1
            else:
                tally.updated += 1

    async def write(
        self,
        store: Store,
        records: list[ImportedTicket],
        tally: Tally,
        names: Mapping[str, str],
        done: Callable[[int], None] = lambda n: None,
        asked: Mapping[str, str] | None = None,
    ) -> None:
        """Write `records` in batches, each one transaction; `done(n)` after each is on disk.
        First, what Slack said about each address `asked` and the outsiders' names."""
        async with store.transaction() as tx:
            for address, user in (asked or {}).items():
                tx.put(LOOKED_UP, address, user)
            for key, person in self.who.items():
                if person.startswith("ext:") and tx.get(OUTSIDERS, person) != (names.get(key) or key):
                    tx.put(OUTSIDERS, person, names.get(key) or key)
        for start in range(0, len(records), self.batch):
            chunk = records[start : start + self.batch]
            counts: Counter[str] = Counter()
            given: list[int] = []
            async with store.transaction() as tx:
                for record in chunk:
                    outcome, number = self._one(tx, record)
                    counts[outcome] += 1
                    if outcome == "new":
                        given.append(number)
            for record in chunk:
                self.count(tally, record)
            tally.new += counts["new"]
            tally.same += counts["same"]
            tally.updated += counts["updated"]
            tally.kept += counts["kept"]
            if given:
                first = tally.numbers[0] if tally.numbers else min(given)
                tally.numbers = (first, max(given))
            done(len(chunk))

    def _one(self, tx: Transaction, record: ImportedTicket) -> tuple[str, int]:
        fingerprint = record.fingerprint()
        before = tx.get(IMPORTED, record.key)
        if before is not None and before.fp == fingerprint:
            return "same", before.n
        if before is not None:
            try:
                current = tx.ticket(before.n)
            except TicketArchived:
                return "kept", before.n  # settled history in the archive stays as it is
            if current is not None and len(current.trail) != before.trail:
                return "kept", before.n  # worked here since: the desk's version stands
            number = before.n
        else:
            number = tx.new_ticket_number()
        area = self.area(record)
        team = self.config.staff.team_of(area)
        settings = self.config.escalation
        policy = EscalationPolicy(settings.warn_at, settings.leads_at, 2 * settings.check_every, team.leads)
        clock = self.config.priority_clock(record.priority, team)
        ticket = imported_ticket(record, number, self.who, area, clock, policy, self.now)
        tx.save_ticket(ticket)
        tx.put(IMPORTED, record.key, Imported(number, fingerprint, len(ticket.trail)))
        return ("updated" if before is not None else "new"), number
