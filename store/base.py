"""The one small interface the desk keeps its data behind, whatever the backend.

`Store` is abstract: it holds what every backend shares (the tables in memory, reads from
them, transactions and group commit, watchers), and each backend (`store.memory_store`,
`store.tinydb_store`, `store.postgres_store`) says how it opens, writes a group and closes.

Reads see committed data and never wait. Writes happen in a transaction: one at a time
(a single writer), all-or-nothing, and — in durable backends — on disk before `transaction()`
returns, so the desk only tells people about changes that are safe. Keep transactions short:
no Slack calls inside.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, TypeVar, overload

from bot.domain.errors import TicketArchived, TicketNotFound
from bot.domain.owed import Owed
from bot.domain.rollup import Rollup, add_counts
from bot.domain.ticket import Ticket
from store.names import ARCHIVED, HANDLED, OUTBOX, ROLLUPS, TICKETS
from store.owed_codec import owed_to_doc
from store.records import Table
from store.tables import Change, Tables

T = TypeVar("T")


class StoreUnavailable(Exception):
    """The store cannot be opened; the message says why in one line."""


class NotSaved(Exception):
    """A change could not be written (a full disk, an I/O error): nothing of it was kept, and
    the store is as it was. The message says why in a few words ("disk full")."""


def _wall() -> datetime:
    return datetime.now(UTC)


class Transaction:
    """Changes gathered under the write lock; reads see them before they are committed."""

    def __init__(
        self, tables: Tables, rollup: Rollup | None = None, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._tables = tables
        self.rollup = rollup  # keeps the per-day rollups (`bot.domain.rollup`) with each ticket saved
        self.clock = clock or _wall  # the desk's clock: when a message is owed, in its world
        self.changes: list[Change] = []
        self._tickets: dict[int, Ticket] = {}
        self._records: dict[tuple[str, str], Any] = {}
        self._owed: dict[str, Owed] = {}
        self._next = tables.last_number
        self._seq = tables.last_seq

    def ticket(self, number: int) -> Ticket | None:
        """The ticket as this transaction sees it; None if there is none. One that moved to the
        archive (TinyDB's old history) cannot change: TicketArchived says so."""
        found = self._tickets.get(number) or self._tables.tickets.get(number)
        if found is None and self._tables.archived_month(number) is not None:
            raise TicketArchived(number)
        return found

    def following(self) -> Transaction:
        """The next transaction of a group written together (`Store.transaction`): it
        sees this one's changes as if they were committed, and starts with none of its own."""
        after = Transaction(self._tables, self.rollup, self.clock)
        after._tickets, after._records, after._owed = (
            dict(self._tickets),
            dict(self._records),
            dict(self._owed),
        )
        after._next, after._seq = self._next, self._seq
        return after

    def open_tickets(self) -> list[Ticket]:
        """Every unresolved ticket as this transaction sees it (its own changes included)."""
        numbers = sorted(set(self._tables.open) | set(self._tickets))
        return [t for n in numbers if (t := self.ticket(n)) is not None and t.is_open]

    def new_ticket_number(self) -> int:
        """The next ticket number: unique and increasing among stored tickets."""
        self._next += 1
        return self._next

    def save_ticket(self, ticket: Ticket) -> None:
        if self.rollup is not None:  # the rollups move in the same transaction as the ticket
            number = ticket.number
            before = self._tickets.get(number) or self._tables.tickets.get(number)
            for key, counts in self.rollup.delta(before, ticket).items():
                row = add_counts(self.record(ROLLUPS, key), counts)
                if row:
                    self.put(ROLLUPS, key, row)
                elif self.record(ROLLUPS, key) is not None:
                    self.delete(ROLLUPS, key)
        self._tickets[ticket.number] = ticket
        self.changes.append(("put", TICKETS, str(ticket.number), ticket))

    # -- the side tables, typed (`store.records`) ---------------------------------------
    def get(self, table: Table[T], key: str) -> T | None:
        """The record under `key`, as this transaction sees it; None if there is none."""
        doc = self.record(table.name, key)
        return None if doc is None else table.decode(doc)

    @overload
    def put(self, table: Table[T], key: str, doc: T) -> None: ...
    @overload
    def put(self, table: str, key: str, doc: Any) -> None: ...
    def put(self, table: Table[Any] | str, key: str, doc: Any) -> None:
        """Keep `doc` under `key`: a typed table's value (written as its `encode` says), or, on
        the old road, a document in the table named so."""
        if isinstance(table, Table):
            table, doc = table.name, table.encode(doc)
        self._check_table(table)
        self._records[(table, key)] = doc
        self.changes.append(("put", table, key, doc))

    def drop(self, table: Table[Any], key: str) -> None:
        """No record under `key` any more (none there is fine)."""
        self.delete(table.name, key)

    # -- the old road: documents by table name (the flows still on it move to the above) --
    def record(self, table: str, key: str) -> Any:
        """The document under `key` in the table named `table` (the old road: `get` decodes)."""
        if (table, key) in self._records:
            return self._records[(table, key)]
        return self._tables.records.get(table, {}).get(key)

    def done_before(self, request: str | None) -> bool:
        """True when the request named `request` (a message, a click, a form) was acted on
        already: Slack's retries and double clicks find it here. No name, nothing to find."""
        return request is not None and self.record(HANDLED, request) is not None

    def mark_done(self, request: str | None, when: datetime) -> None:
        """Remember that `request` was acted on, with the change it caused."""
        if request is not None:
            self.put(HANDLED, request, when.isoformat())

    # -- the outbox ------------------------------------------------------------------------
    def owed(self, key: str) -> Owed | None:
        """The outbox entry `key`, as this transaction sees it."""
        if (OUTBOX, key) in self._records:
            return self._owed.get(key)
        return self._tables.owed.get(key)

    def now(self) -> float:
        """Now on the desk's clock, in seconds since the epoch: the time outbox entries keep."""
        return self.clock().timestamp()

    def next_seq(self) -> int:
        """The next place in the outbox's line: increasing with each message owed, whatever
        the wall clock does."""
        self._seq += 1
        return self._seq

    def owe(self, key: str, owed: Owed) -> None:
        self._owed[key] = owed
        self.put(OUTBOX, key, owed_to_doc(owed))

    def strike(self, key: str) -> None:
        """The message is delivered (or never will be): off the outbox."""
        self._owed.pop(key, None)
        self.delete(OUTBOX, key)

    def archive(
        self, month: str, tickets: list[Ticket], ranges: list[list[int]], opened_from: str | None = None
    ) -> None:
        """`tickets` are in `month`'s archive file now: out of the window, and `ranges` (every
        number that file holds) recorded, in one change, with when the earliest of them opened
        (`opened_from`, ISO; None: not known, as for a file archived before it was kept)."""
        for ticket in tickets:
            self._tickets.pop(ticket.number, None)
            self.changes.append(("del", TICKETS, str(ticket.number), None))
        self.put(ARCHIVED, month, {"ranges": ranges, **({"opened_from": opened_from} if opened_from else {})})

    def delete(self, table: str, key: str) -> None:
        """The old road's `drop`, by table name."""
        self._check_table(table)
        self._records[(table, key)] = None
        self.changes.append(("del", table, key, None))

    @staticmethod
    def _check_table(table: str) -> None:
        if table == TICKETS or table.startswith("_"):
            raise ValueError(f"{table!r} is not a record table")


log = logging.getLogger("desk.store")
GROUP_MAX = 32  # transactions written together at most
RIDE_AT_MOST = 0.05  # seconds a once-only mark waits for another write to carry it (`add_once_soon`)


@dataclass
class _Group:
    """Transactions written together: one fsync (TinyDB), one commit (PostgreSQL)."""

    handle: Any  # the backend's open transaction, if it has one
    last: Transaction | None = None  # what the next member starts from: every change before it
    changes: list[Change] = field(default_factory=list)
    members: int = 0  # how many changed something
    done: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Store(ABC):
    """The interface, with the behaviour every backend shares; a backend gives `open`, `close`
    and `_commit_group` (the write), and may change the other hooks (`_open_group`,
    `_before_read`, `_after_commit`, `leader_lock`, `health`) and the reads."""

    url: str  # where the data is: `memory://`, `tinydb://…`, `postgresql://…`
    read_only = False  # a reader beside a running desk (exports): writes refused
    # Seconds within which a desk sees what other desks on the store committed (None: no other
    # desk can use it); the leader's outbox looks for their messages that often.
    shared_by: float | None = None

    def __init__(self) -> None:
        self.tables = Tables()
        self._write_lock = asyncio.Lock()
        self.last_write_at: datetime | None = None
        self.problem: str | None = None  # why the last write failed, until one succeeds
        self._watchers: list[tuple[str, Callable[[], None]]] = []
        self._observers: list[Callable[[list[Change]], None]] = []  # `observe` (the desk's metrics)
        self._group: _Group | None = None  # the transactions to be written together (group commit)
        self._queued = 0  # transactions waiting for their turn
        # Once-only marks taken but not yet written (`add_once_soon`): the next write carries them.
        self._riders: list[Change] = []
        self._riding: set[tuple[str, str]] = set()
        self._carry: asyncio.TimerHandle | None = None  # writes them alone if nothing else comes
        self._carrying: set[asyncio.Task[None]] = set()
        # What each ticket adds to the per-day rollups (`bot.domain.rollup`), given by the desk
        # (it knows the teams and SLA clocks); None: no rollups kept.
        self.rollup: Rollup | None = None
        # The desk's clock (`bot.clock`, set by the desk): the time of its world that outbox
        # entries are written in (when owed, not before, parked), so that tests and the
        # sandbox move it. The wall clock until a desk sets it (a command run alone).
        self.clock: Callable[[], datetime] = _wall
        # Where the window a backend loads at start begins (`store.keep_in_memory` before now,
        # set by the desk before `open`): PostgreSQL then loads open tickets and those settled
        # since, and reads older ones with SQL when asked (`store.window`). None: every ticket.
        self.keep_since: datetime | None = None

    # -- reads -------------------------------------------------------------------------
    async def _before_read(self) -> None:
        """Backends that other desks write to catch up here (`store.postgres_store`). Nothing, by default."""
        return

    async def ticket(self, number: int) -> Ticket | None:
        await self._before_read()
        return self.tables.tickets.get(number)

    async def open_tickets(self) -> list[Ticket]:
        """Every ticket not yet resolved, oldest first: cost grows with open tickets only."""
        await self._before_read()
        tickets = self.tables.tickets
        return [tickets[n] for n in sorted(self.tables.open)]

    async def tickets_of(self, requester: str, *, open_only: bool = True) -> list[Ticket]:
        await self._before_read()
        numbers = sorted(self.tables.by_requester.get(requester, ()))
        found = [self.tables.tickets[n] for n in numbers]
        return [t for t in found if t.is_open] if open_only else found

    async def tickets_opened_since(self, since: datetime) -> list[Ticket]:
        """Tickets opened at or after `since`, by number. Every ticket is looked at: numbers rise
        with time only among tickets raised here (an import brings old ones in with new numbers)."""
        await self._before_read()
        tickets = self.tables.tickets
        return [tickets[n] for n in sorted(tickets) if tickets[n].opened_at >= since]

    async def window_tickets(self) -> list[Ticket]:
        """The tickets this desk holds in memory (its window), oldest first: no history is read."""
        tickets = self.tables.tickets
        return [tickets[n] for n in sorted(tickets)]

    async def all_tickets(self) -> list[Ticket]:
        """Every ticket, oldest first (reports and exports)."""
        await self._before_read()
        tickets = self.tables.tickets
        return [tickets[n] for n in sorted(tickets)]

    async def history_since(self, since: datetime) -> list[Ticket]:
        """Every ticket something can have happened to at or after `since` (open, resolved or
        rated since), oldest first; backends may return older ones too. What reports and
        `/quality` read: TinyDB then opens only the archive months that reach that far."""
        return await self.all_tickets()

    async def history_in_pieces(self, since: datetime) -> AsyncIterator[list[Ticket]]:
        """`history_since(since)` in pieces, each ticket in one, for counting as they come:
        TinyDB reads its archive a month at a time, so a long reach holds one month at once.
        Each piece is the reader's to empty: the store keeps its tickets read from history in
        nothing else, so they are freed where the reader lets go of them (`bot.flows.trends`
        does on its worker thread, not on the event loop)."""
        yield await self.history_since(since)

    async def history_between(self, since: datetime, until: datetime) -> list[Ticket]:
        """The tickets something can have happened to between `since` and `until`: those of
        `history_since(since)` opened before `until`, oldest first (backends may return others
        too, as `history_since` does). A bounded read: a report's edge day beyond the window
        (`bot.flows.trends`) reads that day's tickets, not every one settled since."""
        return [t for t in await self.history_since(since) if t.opened_at < until]

    async def ticket_count(self) -> int:
        await self._before_read()
        return len(self.tables.tickets)

    async def get(self, table: Table[T], key: str) -> T | None:
        """The committed record under `key` in a typed table (`store.records`); None if none."""
        doc = await self.record(table.name, key)
        return None if doc is None else table.decode(doc)

    async def entries(self, table: Table[T]) -> dict[str, T]:
        """Every committed record of a typed table, by key, decoded."""
        return {key: table.decode(doc) for key, doc in (await self.records(table.name)).items()}

    async def record(self, table: str, key: str) -> Any:
        """The document under `key` in the table named `table` (the old road: `get` decodes)."""
        await self._before_read()
        return self.tables.records.get(table, {}).get(key)

    async def records(self, table: str) -> dict[str, Any]:
        """Every document of the table named `table` (the old road: `entries` decodes)."""
        await self._before_read()
        return dict(self.tables.records.get(table, {}))

    async def owed(self) -> Mapping[str, Owed]:
        """The outbox: every message owed, by id (a read-only view; `seq` gives the order)."""
        await self._before_read()
        return self.owed_view()

    def owed_view(self) -> Mapping[str, Owed]:
        """The same, for health checks that cannot wait."""
        return MappingProxyType(self.tables.owed)

    # -- writes ------------------------------------------------------------------------
    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """One writer at a time; nothing is kept if the block raises, and nothing is visible
        before it is written (fsynced, committed).

        Group commit: while other transactions wait their turn, the group stays open for them
        (up to `GROUP_MAX`), each seeing the changes of those before it, and the last one
        writes them all at once (one fsync, one database commit); each waits for that write
        before it ends, and fails with it. A block that raises leaves out only its own
        changes."""
        self._queued += 1
        try:
            await self._write_lock.acquire()
        finally:
            self._queued -= 1
        group: _Group | None = None
        changed = saw = False
        try:
            group = self._group or _Group(await self._open_group())
            self._group = group
            tx = (group.last or Transaction(self.tables, self.rollup, self.clock)).following()
            saw = group.members > 0  # it reads changes of the group that are not written yet
            yield tx
            if tx.changes:
                group.changes += tx.changes
                group.last, group.members, changed = tx, group.members + 1, True
        finally:
            try:
                if group is not None and (self._queued == 0 or group.members >= GROUP_MAX):
                    self._group = None
                    await self._finish(group)
            finally:  # cut short too (a desk stopping): the next writer must not wait for good
                self._write_lock.release()
        # One that only read waits too when it saw unwritten changes: "done already" read from
        # a Slack retry's first delivery is not yet on disk, and acking on it would lose both.
        if group is not None and (changed or saw):
            await self._committed(group)

    async def _committed(self, group: _Group) -> None:
        """Wait for the group's write; finish the group if nobody else is left to."""
        while not group.done.done():
            await asyncio.wait([group.done], timeout=0.01)
            if not group.done.done() and not self._write_lock.locked() and self._group is group:
                async with self._write_lock:  # the next member went away before its turn
                    if self._group is group:
                        self._group = None
                        await self._finish(group)
        group.done.result()  # the write's failure (NotSaved), for every member that changed something

    async def _finish(self, group: _Group) -> None:
        """Write the group, with the once-only marks waiting for a write before its own
        changes, then make it visible in memory and tell the watchers."""
        riders, self._riders = self._riders, []
        changes = riders + group.changes
        # The write goes on to its end even if the one finishing the group is cancelled (a
        # desk stopping cuts its late listeners and deliveries short): a write stopped half
        # way could be on disk but not in memory, and the group's other members would wait
        # for good. The cancellation goes on once the group is settled.
        writing = asyncio.ensure_future(self._commit_group(group.handle, changes))
        cut_short = False
        try:
            await asyncio.wait([writing])  # a cancel ends this wait, not the write
        except asyncio.CancelledError:
            cut_short = True
            await asyncio.wait([writing])
        try:
            encoded = writing.result()
        except BaseException as failed:
            self._riders[:0] = riders  # still taken; the next write tries them again
            problem = failed if isinstance(failed, Exception) else NotSaved("the write was cut short")
            group.done.set_exception(problem)
            if group.members == 0 or cut_short:
                group.done.exception()  # nobody waits on an empty group's failure, nor the cut one
        else:
            if changes:
                for observe in self._observers:  # before the change is visible: they see what was
                    observe(changes)
                self.tables.apply(changes, encoded)
                self._riding.difference_update((table, key) for _, table, key, _ in riders)
                self._after_commit(changes)
                touched = {table for _, table, _, _ in changes}
                for table, told in self._watchers:
                    if table in touched:
                        told()
            group.done.set_result(None)
        if cut_short:
            raise asyncio.CancelledError

    async def _open_group(self) -> Any:
        """Backends that write to a server start their transaction here (a handle for
        `_commit_group`)."""
        return None

    @abstractmethod
    async def _commit_group(self, handle: Any, changes: list[Change]) -> dict[int, str]:
        """Write a group's changes (none, for a group that only read) durably, before they
        become visible; the JSON made of each ticket, for snapshots. Raises NotSaved when
        nothing of them was kept."""

    def _after_commit(self, changes: list[Change]) -> None:
        """What a backend notes once a group's changes are written and visible. Nothing, by default."""
        return

    def watch(self, table: str, told: Callable[[], None]) -> None:
        """Call `told` after each committed transaction that changed `table`."""
        self._watchers.append((table, told))

    def observe(self, told: Callable[[list[Change]], None]) -> None:
        """Call `told(changes)` with each group of changes written, just before they become
        visible (so `tables` still shows what they change). It must be quick and not raise."""
        self._observers.append(told)

    async def create_ticket(self, build: Callable[[int], Ticket]) -> Ticket:
        """Store a new ticket built from the next number."""
        async with self.transaction() as tx:
            ticket = build(tx.new_ticket_number())
            tx.save_ticket(ticket)
        return ticket

    async def update_ticket(self, number: int, change: Callable[[Ticket], Ticket]) -> Ticket:
        """Apply a domain step to the current ticket under the write lock (no lost updates)."""
        async with self.transaction() as tx:
            current = tx.ticket(number)
            if current is None:
                raise TicketNotFound(number)
            updated = change(current)
            tx.save_ticket(updated)
        return updated

    async def put(self, table: Table[T], key: str, value: T) -> None:
        """Keep `value` under `key` in a typed table, in a transaction of its own."""
        await self.put_record(table.name, key, table.encode(value))

    async def drop(self, table: Table[Any], key: str) -> None:
        """No record under `key` in a typed table any more, in a transaction of its own."""
        await self.delete_record(table.name, key)

    async def put_once(self, table: Table[T], key: str, value: T) -> bool:
        """`add_once` for a typed table: True when this call stored `value`."""
        return await self.add_once(table.name, key, table.encode(value))

    async def put_record(self, table: str, key: str, doc: Any) -> None:
        """The old road's `put`, by table name."""
        async with self.transaction() as tx:
            tx.put(table, key, doc)

    async def delete_record(self, table: str, key: str) -> None:
        """The old road's `drop`, by table name."""
        async with self.transaction() as tx:
            if tx.record(table, key) is not None:
                tx.delete(table, key)

    async def add_once(self, table: str, key: str, doc: Any) -> bool:
        """Store `doc` under `key` unless something is there; True when this call stored it.

        The building block of idempotency: a Slack retry, a double click or a second
        process asking to do the same thing finds the key taken and does nothing.
        """
        async with self.transaction() as tx:
            if tx.record(table, key) is not None or (table, key) in self._riding:
                return False
            tx.put(table, key, doc)
        return True

    async def put_once_soon(self, table: Table[T], key: str, value: T) -> bool:
        """`add_once_soon` for a typed table."""
        return await self.add_once_soon(table.name, key, table.encode(value))

    async def add_once_soon(self, table: str, key: str, doc: Any) -> bool:
        """`add_once` without waiting for a write of its own: the key is taken at once (a
        second call finds it taken), and written with the next write, before that write's own
        changes (one journal line, one fsync). Whatever the caller changes after this call is
        therefore never kept without it. With nothing else written within RIDE_AT_MOST seconds
        it is written alone; a failed write keeps it for the next. While the store is failing
        (`problem` set) it is written at once, as `add_once`, and raises NotSaved.

        The replay check before every ack (`bot.flows.replays`): a command's or a click's work
        commits after its ack, and that commit carries the check's mark, so the ack waits for
        no fsync of its own. Lost in a crash, the mark was for a request that kept nothing, so
        a replay of it finds nothing done. Only for a store one desk writes: backends shared by
        several desks keep the key where all of them see it (`store.postgres_store`)."""
        if self.problem is not None or self.read_only:
            return await self.add_once(table, key, doc)  # written now, or refused now
        if self.tables.records.get(table, {}).get(key) is not None or (table, key) in self._riding:
            return False
        self._riding.add((table, key))
        self._riders.append(("put", table, key, doc))
        if self._carry is None:
            self._carry = asyncio.get_running_loop().call_later(RIDE_AT_MOST, self._carry_riders)
        return True

    def _carry_riders(self) -> None:
        self._carry = None
        if self._riders:
            task = asyncio.ensure_future(self.write_riders())
            self._carrying.add(task)
            task.add_done_callback(self._carrying.discard)

    async def write_riders(self) -> None:
        """Write the once-only marks still waiting for a write (`add_once_soon`) now; a store
        writes them before it closes. Those the write could not carry wait for the next (a
        full disk is also the store's `problem`, which its health reports)."""
        if self._carry is not None:
            self._carry.cancel()
            self._carry = None
        if self._riders:
            async with self.transaction():
                pass  # an empty group, or one left open for others: its write carries them
        if self._riders and self.problem is not None:
            log.warning(
                "once-only marks not written; the next write carries them", extra={"error": self.problem}
            )

    async def rebuild_rollups(self) -> int:
        """Recompute every rollup row from the tickets (the archive's too), in one transaction
        (`python -m bot store rebuild-rollups`); how many rows there are now."""
        if self.rollup is None:
            raise ValueError("no rollup is set: the desk's configuration gives it")
        async with self.transaction() as tx:
            rows: dict[str, dict[str, int]] = {}
            async for piece in self.history_in_pieces(datetime.min.replace(tzinfo=UTC)):
                for key, counts in self.rollup.of(piece).items():
                    rows[key] = add_counts(rows.get(key), counts)
            for key in sorted(set(self.tables.records.get(ROLLUPS, {})) - set(rows)):
                tx.delete(ROLLUPS, key)
            for key, row in sorted(rows.items()):
                if tx.record(ROLLUPS, key) != row:
                    tx.put(ROLLUPS, key, row)
        return len(rows)

    async def archive_settled(self, before: datetime) -> int:
        """Move resolved tickets whose last event is before `before` out of memory; how many
        moved. Only the TinyDB store has a window to keep small; the others keep all."""
        return 0

    # -- life --------------------------------------------------------------------------
    @abstractmethod
    async def open(self) -> None:
        """Load whatever the backend holds."""

    @abstractmethod
    async def close(self) -> None:
        """Finish pending writes and let go of files and connections."""

    def leader_lock(self) -> Any:
        """How several desks on this store agree who leads (`bot.leader`); None where only
        one desk can use the store (TinyDB's lock file sees to that; memory is one process's)."""
        return None

    def health(self) -> dict[str, Any]:
        status: dict[str, Any] = {
            "backend": self.url.split(":", 1)[0],
            "tickets": len(self.tables.tickets),
            "open_tickets": len(self.tables.open),
        }
        if self.problem is not None:
            status["problem"] = self.problem  # writes fail: /healthz answers 503 until one works
        return status
