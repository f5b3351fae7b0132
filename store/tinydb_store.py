"""The default store: a TinyDB file on disk, kept fast and crash-safe by a journal.

Plain TinyDB rewrites and re-reads the whole file on every operation, and rewrites it in
place without fsync, so at 50,000 tickets a write costs about half a second and a crash
mid-write can leave a file that will not open. Here, instead:

- the tables live in memory (`Tables`), so reads cost microseconds;
- each transaction is appended to a journal as one line and fsynced before it is visible
  (a write costs one small append, whatever the size of the history);
- every `compact_every` transactions the tables are written out as a TinyDB-format file
  (`TinyDB(path)` opens it), to a temporary file that is fsynced and then atomically
  renamed over the old one; journal segments the snapshot covers are then deleted. A due
  snapshot waits for a lull in the writes (`LULL`), so a burst (an incident's storm) is not
  slowed by one, unless the journal grows to `LONGEST` times `compact_every`;
- every snapshot and every clean stop leave the last change number beside the store
  (`desk.json.last-change`, `journal.LastChange`), so a snapshot lost or swapped for an older
  copy is refused at open, never taken for an empty desk.

At open the snapshot is read with TinyDB's own JSONStorage and the journal replayed over it.
Journal writes and fsyncs run on a writer thread; a snapshot is encoded on the event loop in
small steps, so the loop never waits long on the disk or the encoder. An
exclusive lock keeps a second process from writing the same files (TinyDB is not made for
several processes).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import gc
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from tinydb.storages import JSONStorage

from bot.domain.owed import tickets_named
from bot.domain.ticket import Ticket
from store.archive import Archive, ArchiveDamaged, Keep, Months, month_of, ranges_of, settled_at, touching
from store.base import NotSaved, Store, StoreUnavailable
from store.codec import ticket_from_doc
from store.journal import (
    RESTORE,
    JournalDamaged,
    LastChange,
    Segment,
    Sequence,
    WriteFailed,
    fsync_dir,
    read_segment,
    segment_paths,
    torn_tail,
)
from store.names import BY_TICKET, OPEN_SURVEYS, THREADS, TICKETS
from store.tables import Change, Tables, encode_changes, encode_ticket

log = logging.getLogger(__name__)
META = "_meta"
ARCHIVE_BATCH = 5000  # tickets moved per transaction: each is one journal line


ROOM = 64 * 1024  # free bytes under which a disk that refused a write still counts as full


def _free_bytes(folder: Path) -> int:
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize


def _disk_problem(failure: OSError) -> str:
    """A failed write in the words /healthz and the logs use."""
    known = {errno.ENOSPC: "disk full", errno.EDQUOT: "disk quota exceeded", errno.EROFS: "disk read-only"}
    return known.get(failure.errno or 0, f"cannot write ({failure.strerror})")


LULL = 0.5  # seconds without a write before a due snapshot is taken
LONGEST = 4  # ... or at once, when the journal is this many times `compact_every` long


class TinyDBStore(Store):
    def __init__(self, path: str | Path, *, compact_every: int = 5000, read_only: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        self.url = f"tinydb://{path}"
        self.compact_every = compact_every
        self._seq = 0
        self._segment: Segment | None = None
        self._lock_fd: int | None = None
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="store-writer")
        self._compactor = ThreadPoolExecutor(1, thread_name_prefix="store-compactor")
        self._compaction: asyncio.Task[None] | None = None
        self._compacting = asyncio.Lock()  # one snapshot at a time: they share a temporary file
        self.lull = LULL
        self._last_write = 0.0  # time.monotonic() of the last journal append
        self._closing = False
        self._hurry = asyncio.Event()  # a due snapshot waits no more: closing, or the journal is long
        self.replayed = 0
        self.read_only = read_only  # a reader beside a running desk (exports): no lock, no writes
        self.archive = Archive(self.path)
        self.last_change = LastChange(self.path)  # how far the store had reached (`journal`)
        self._opened = False
        self._full_at_open = False

    async def open(self) -> None:
        try:
            await asyncio.to_thread(self._open_files)
        except JournalDamaged as damage:
            self._release_lock()
            raise StoreUnavailable(str(damage)) from None
        except OSError as problem:
            self._release_lock()
            raise StoreUnavailable(f"{self.path}: cannot open the store ({problem.strerror})") from None
        except Exception:
            self._release_lock()
            raise
        # The tables just loaded live as long as the process. Freezing them keeps the garbage
        # collector from walking millions of objects on each full collection, which would
        # otherwise stall the event loop for ~100 ms at 50,000 tickets (see bench/store.py).
        gc.freeze()
        self._opened = True
        if not self.read_only and _free_bytes(self.path.parent) < ROOM:  # known before a write fails
            self.problem, self._full_at_open = "disk full", True
        if self.replayed and not self.read_only:
            self._start_compaction()

    def _open_files(self) -> None:
        if self.read_only:
            self._read_files()
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        self.path.with_name(self.path.name + ".tmp").unlink(missing_ok=True)
        self._seq = self._replay()
        for segment in segment_paths(self.path):  # writes cut short by a crash: never confirmed
            if tail := torn_tail(segment):
                log.warning(
                    "journal: dropped a write a crash cut short", extra={"file": str(segment), "bytes": tail}
                )
                with open(segment, "rb+") as torn:
                    torn.truncate(segment.stat().st_size - tail)
                    os.fsync(torn.fileno())
        self._segment = Segment(self.path, self._seq + 1)

    def _replay(self) -> int:
        """Load the snapshot and replay the journal over it, checking that every change since
        the snapshot is there, in order, and reaches as far as the store had (`LastChange`,
        read first: whatever is written after it only reaches further); the last change's number."""
        expected = self.last_change.read()
        covered, has_snapshot = self._load_snapshot()
        sequence = Sequence(covered, has_snapshot)
        for segment in segment_paths(self.path):
            for line, entry in enumerate(read_segment(segment), start=1):
                if sequence.takes(entry, segment, line):
                    self.tables.apply(tuple(c) for c in entry["changes"])
                    self.replayed += 1
        self.last_change.check(expected, sequence.last, has_snapshot, self.path)
        return sequence.last

    def _read_files(self) -> None:
        """Snapshot and journal as they are, without the lock: the desk may be running. A
        compaction that drops a journal segment while it is read means starting again."""
        damage: JournalDamaged | None = None
        for _ in range(5):
            self.tables = Tables()
            self.replayed = 0
            try:
                self._seq = self._replay()
                return
            except FileNotFoundError:  # a compaction dropped a segment while it was read
                continue
            except JournalDamaged as found:  # or a gap it left between snapshot and journal
                damage = found
        if damage is not None:
            raise damage
        raise StoreUnavailable(f"{self.path}: the store kept changing while it was read; try again")

    async def _commit_group(self, handle: Any, changes: list[Change]) -> dict[int, str]:
        return await self._persist(changes) if changes else {}

    async def _persist(self, changes: list[Change]) -> dict[int, str]:
        """Append the changes to the journal and fsync it; the JSON made of each ticket."""
        if self.read_only:
            raise StoreUnavailable(f"{self.path} was opened read-only")
        return await self._append(changes)

    def _take_lock(self) -> None:
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreUnavailable(
                f"{self.path} is in use by another desk process; a TinyDB store has one process"
            ) from None
        self._lock_fd = fd

    def _load_snapshot(self) -> tuple[int, bool]:
        """Fill the tables from the TinyDB file: the journal sequence number it covers, and
        whether there is one. A file that is there but empty or unreadable stops the open:
        replaying the journal alone would start the desk with part of its history."""
        if not self.path.exists():
            return 0, False
        if self.path.stat().st_size == 0:
            raise StoreUnavailable(f"{self.path} is empty (0 bytes), so its tickets are gone; {RESTORE}")
        storage = JSONStorage(str(self.path), access_mode="r")
        try:
            data: dict[str, Any] = storage.read() or {}
        except ValueError:
            raise StoreUnavailable(
                f"{self.path}: the file is not a readable TinyDB database; {RESTORE}"
            ) from None
        finally:
            storage.close()
        for doc in data.get(TICKETS, {}).values():
            self.tables.put_ticket(ticket_from_doc(doc))
        for table, docs in data.items():
            if table not in (TICKETS, META):
                self.tables.records[table] = {d["_key"]: d["value"] for d in docs.values()}
        self.tables.loaded()
        meta = data.get(META, {}).get("1", {})
        return int(meta.get("journal_seq", 0)), True

    async def _append(self, changes: list[Change]) -> dict[int, str]:
        assert self._segment is not None, "the store is not open"
        self._seq += 1
        body, encoded = encode_changes(changes)
        line = f'{{"seq":{self._seq},"changes":{body}}}\n'.encode()
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._writer, self._segment.append, line)
        except WriteFailed as failure:  # undone: the file is as it was before this change
            self._seq -= 1
            self.problem = _disk_problem(failure)
            raise NotSaved(self.problem) from None
        if self.problem is not None and _free_bytes(self.path.parent) >= ROOM:
            self.problem = None  # written, and room for more: the disk is usable again
        self._last_write = time.monotonic()
        if self._segment.entries >= self.compact_every:
            if self._segment.entries >= LONGEST * self.compact_every:
                self._hurry.set()
            self._start_compaction(after_a_lull=True)
        return encoded

    # -- the archive: history beyond the window (store.archive) ---------------------------
    async def ticket(self, number: int) -> Ticket | None:
        found = self.tables.tickets.get(number)
        month = self.tables.archived_month(number) if found is None else None
        if month is None:
            return found
        return (await asyncio.to_thread(self._archived, self.tables.months(), [month], {number})).get(number)

    async def history_since(self, since: datetime) -> list[Ticket]:
        return await self._with_archived(self.tables.months().since(since), lambda _: True)

    async def history_in_pieces(self, since: datetime) -> AsyncIterator[list[Ticket]]:
        window = dict(self.tables.tickets)
        yield list(window.values())
        index = self.tables.months()
        for month in index.since(since):
            found = await asyncio.to_thread(self._archived, index, [month])
            # archived since the window was taken (the hourly job): counted there already
            piece = [ticket for number, ticket in found.items() if number not in window]
            del found  # the piece alone holds them: freed where the reader lets go of it
            yield piece

    async def history_between(self, since: datetime, until: datetime) -> list[Ticket]:
        """The window, and the archived tickets settled since `since` (in the months from its
        on) and opened before `until`: only those are decoded (`archive.touching`)."""
        months = self.tables.months().since(since, opened_before=until)
        return await self._with_archived(months, lambda _: True, touching(since, until))

    async def tickets_opened_since(self, since: datetime) -> list[Ticket]:
        months = self.tables.months().since(since)  # opened since, so settled since
        return await self._with_archived(months, lambda ticket: ticket.opened_at >= since)

    async def all_tickets(self) -> list[Ticket]:
        return await self._with_archived(self.tables.months().months, lambda _: True)

    async def ticket_count(self) -> int:
        return len(self.tables.tickets) + self.tables.months().count

    async def _with_archived(
        self, months: list[str], keep: Callable[[Ticket], bool], decoded: Keep | None = None
    ) -> list[Ticket]:
        """The window's tickets and those of the archive `months` (of them, only the documents
        `decoded` keeps are decoded) that `keep` keeps, oldest first. Read and put in order on
        a thread: the window's 20,000 sorted on the event loop's thread held it about 16 ms."""
        tickets, index = dict(self.tables.tickets), self.tables.months()

        def read() -> list[Ticket]:
            if months:
                tickets.update(self._archived(index, months, None, decoded))
            return [tickets[n] for n in sorted(tickets) if keep(tickets[n])]

        return await asyncio.to_thread(read)

    def _archived(
        self, index: Months, months: list[str], only: set[int] | None = None, keep: Keep | None = None
    ) -> dict[int, Ticket]:
        """What the archive files of `months` hold that the records say they hold (`index`,
        taken on the event loop's thread: built here it would walk the records while a commit
        there may change them; a file may also hold tickets a crash kept in the window) and the
        window does not."""
        found: dict[int, Ticket] = {}
        for month in months:
            listed = index.numbers(month)
            wanted = listed & only if only is not None else listed
            if not wanted:
                continue
            held = self._read_month(month, wanted, keep)
            found.update((n, t) for n, t in held.items() if n not in self.tables.tickets)
        return found

    def _read_month(self, month: str, numbers: set[int], keep: Keep | None = None) -> dict[int, Ticket]:
        try:
            return self.archive.read(month, numbers, keep)
        except ArchiveDamaged as damage:
            raise StoreUnavailable(f"{damage}; {RESTORE}") from None

    async def archive_settled(self, before: datetime, *, batch: int = ARCHIVE_BATCH) -> int:
        """Move resolved tickets whose last event is older than `before` into their month's
        archive file; how many moved. Crash-safe: each month's file is written (atomically)
        before the one transaction that drops its tickets from the window and records them."""
        if self.read_only:
            return 0
        owed = set().union(*(tickets_named(o.message) for o in self.tables.owed.values()))
        surveys = self.tables.records.get(OPEN_SURVEYS, {})
        by_month: dict[str, list[Ticket]] = {}
        for ticket in list(self.tables.tickets.values()):
            settled = settled_at(ticket)
            if settled is None or settled >= before or ticket.number in owed or str(ticket.number) in surveys:
                continue
            by_month.setdefault(month_of(settled), []).append(ticket)
        moved = 0
        for month, tickets in sorted(by_month.items()):
            for start in range(0, len(tickets), batch):
                moved += await self._archive_month(month, tickets[start : start + batch])
        if moved:
            log.info("archived %s resolved tickets", moved, extra={"before": before.isoformat()})
        return moved

    async def _archive_month(self, month: str, tickets: list[Ticket]) -> int:
        await asyncio.to_thread(self.archive.write, month, tickets)
        async with self.transaction() as tx:
            # only those unchanged since they were written: the window's copy is the truth
            still = [t for t in tickets if self.tables.tickets.get(t.number) is t]
            if not still:
                return 0
            gone = {t.number for t in still}
            months = self.tables.months()
            tx.archive(
                month, still, ranges_of(months.numbers(month) | gone), months.opened_from_with(month, still)
            )
            for table in BY_TICKET:
                records = self.tables.records.get(table, {})
                for number in gone:
                    if str(number) in records:
                        tx.delete(table, str(number))
            for key, number in self.tables.records.get(THREADS, {}).items():
                if number in gone:
                    tx.delete(THREADS, key)
        return len(still)

    def _start_compaction(self, *, after_a_lull: bool = False) -> None:
        if self._compaction is None or self._compaction.done():
            run = self._compact_after_a_lull() if after_a_lull else self.compact()
            self._compaction = asyncio.get_running_loop().create_task(run)

    async def _compact_after_a_lull(self) -> None:
        """Compact once `lull` seconds pass without a write, or at once when the journal has
        grown to LONGEST times `compact_every` or the store is closing. A snapshot of 50,000
        tickets takes the loop about a second, in small steps; taken amid a storm of requests,
        it made that second's acks several times slower (`bench/storm.py`)."""
        while not self._hurry.is_set():
            quiet_for = time.monotonic() - self._last_write
            if quiet_for >= self.lull:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._hurry.wait(), self.lull - quiet_for)
        if not self._closing:
            self._hurry.clear()
        await self.compact()

    async def compact(self) -> None:
        """Write the tables as a fresh TinyDB file and drop the journal it covers. When the
        disk cannot take the new file, the old one and the journal stay as they were."""
        async with self._compacting:
            try:
                await self._compact()
            except OSError as problem:
                self.path.with_name(self.path.name + ".tmp").unlink(missing_ok=True)
                log.warning(
                    "store not compacted; the journal keeps everything", extra={"error": problem.strerror}
                )

    async def _compact(self) -> None:
        loop = asyncio.get_running_loop()
        async with self._write_lock:
            covered = self._seq
            old = self._segment
            self._segment = await loop.run_in_executor(self._writer, Segment, self.path, covered + 1)
            if old is not None:
                await loop.run_in_executor(self._writer, old.close)
            tickets = dict(self.tables.tickets)
            encoded = dict(self.tables.encoded)
            records = {name: dict(docs) for name, docs in self.tables.records.items()}
        snapshot = Snapshot(self.path, covered)
        for _ in snapshot.write_chunks(tickets, encoded, records):
            await asyncio.sleep(0)  # let Slack's requests in between chunks
        await loop.run_in_executor(self._compactor, snapshot.finish)
        # how far the store reached, written before the journal the snapshot covers goes
        await loop.run_in_executor(self._compactor, self.last_change.write, covered)
        for segment in segment_paths(self.path):
            if int(segment.name.rsplit(".", 1)[1]) <= covered:
                segment.unlink()
        log.info("store compacted: %s tickets, journal up to %s", len(tickets), covered)

    async def close(self) -> None:
        if not self.read_only:
            await self.write_riders()  # the marks waiting for a write, if it can be made
        self._closing = True
        self._hurry.set()
        if self._compaction is not None:
            await asyncio.gather(self._compaction, return_exceptions=True)
        await self._compacting.acquire()  # and any compaction started by hand
        async with self._write_lock:
            if self._segment is not None:
                self._segment.close()
                self._segment = None
            if self._opened and not self.read_only:
                self._leave_last_change()
        self._writer.shutdown(wait=True)
        self._compactor.shutdown(wait=True)
        self._release_lock()

    def _leave_last_change(self) -> None:
        """At a clean stop: how far the store reached, so a snapshot lost or swapped for an
        older one is refused at the next open. A disk that cannot take it only loses that check."""
        try:
            self.last_change.write(self._seq)
        except OSError as problem:
            log.warning("store: last change number not written", extra={"error": problem.strerror})

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- for operators: python -m bot store check | backup --------------------------------
    def describe(self) -> dict[str, Any]:
        """What an opened store holds, for `store check`."""
        return {
            "tickets": len(self.tables.tickets),
            "archived": self.tables.months().count,
            "months": self.tables.months().months,
            "open": len(self.tables.open),
            "snapshot": self.path.name if self.path.exists() else None,
            "segments": [segment.name for segment in segment_paths(self.path)],
            "last_change": self._seq,
        }

    async def check_archive(self) -> None:
        """Read every archive month the records name and find each ticket they list in it;
        StoreUnavailable with the first that is missing or damaged."""
        for month in self.tables.months().months:
            listed = self.tables.months().numbers(month)
            held = await asyncio.to_thread(self._read_month, month, listed)
            if missing := sorted(listed - set(held)):
                raise StoreUnavailable(
                    f"{self.archive.path(month)} lacks {len(missing)} archived ticket(s) "
                    f"(the first: {missing[0]}); {RESTORE}"
                )

    async def backup_to(self, target: Path) -> None:
        """Write what the opened store holds as one TinyDB file at `target` (atomically: a
        temporary file, fsync, rename), and its archive files beside it. Restored as the
        store's file, it opens as it was."""
        snapshot = Snapshot(target, self._seq)
        records = {name: dict(docs) for name, docs in self.tables.records.items()}
        for _ in snapshot.write_chunks(dict(self.tables.tickets), dict(self.tables.encoded), records):
            await asyncio.sleep(0)
        await asyncio.to_thread(snapshot.finish)
        # after the snapshot: a month's file only grows, and its records say what counts
        await asyncio.to_thread(self.archive.copy_to, target)

    def health(self) -> dict[str, Any]:
        if self._full_at_open and _free_bytes(self.path.parent) >= ROOM:  # room again, unwritten yet
            self._full_at_open = False
            if self.problem == "disk full":
                self.problem = None
        status = super().health()
        status["journal_entries"] = self._segment.entries if self._segment else 0
        return status


class Snapshot:
    """A TinyDB-format file written atomically: temporary file, fsync, rename, fsync the folder.

    `write_chunks` encodes and writes a few hundred documents per step and yields between
    steps, so the caller can run it on the event loop without keeping anyone waiting; `finish`
    does the slow disk work and belongs on a thread.
    """

    CHUNK = 50  # about 2 ms of encoding per step

    def __init__(self, path: Path, covered: int) -> None:
        self.path = path
        self.tmp = path.with_name(path.name + ".tmp")
        self.covered = covered

    def write_chunks(
        self, tickets: dict[int, Any], encoded: dict[int, str], records: dict[str, dict[str, Any]]
    ) -> Iterator[None]:
        with open(self.tmp, "w", encoding="utf-8") as out:
            meta = json.dumps({"journal_seq": self.covered, "format": 1})
            out.write(f'{{"{META}": {{"1": {meta}}}, "{TICKETS}": {{')
            for index, number in enumerate(sorted(tickets)):
                doc = encoded.get(number) or encode_ticket(tickets[number])
                out.write(f'{"," if index else ""}"{number}": {doc}')
                if index % self.CHUNK == self.CHUNK - 1:
                    yield
            out.write("}")
            for table, docs in records.items():
                out.write(f", {json.dumps(table)}: {{")
                for index, (key, value) in enumerate(docs.items(), start=1):
                    body = json.dumps({"_key": key, "value": value}, ensure_ascii=False)
                    out.write(f'{"," if index > 1 else ""}"{index}": {body}')
                    if index % self.CHUNK == 0:
                        yield
                out.write("}")
            out.write("}")

    def finish(self) -> None:
        with open(self.tmp, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(self.tmp, self.path)
        fsync_dir(self.path.parent)
