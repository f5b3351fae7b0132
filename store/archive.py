"""Monthly archive files: where the TinyDB store keeps resolved tickets older than its window.

A desk that keeps every ticket ever opened in memory grows with its history (835 MB at
200,000 tickets). Resolved tickets whose last event (resolution, rating) is older than
`store.keep_in_memory` move to one file per month of that event, beside the store:
`desk.json` -> `desk.archive-2026-03.json`. Each is a TinyDB file (`TinyDB(path)` opens it;
the ticket number is the document id) and is read only when asked: exports and `/quality`
periods that reach back that far, and a look-up of one old ticket.

Which tickets a month holds is written in the store itself (the `archived` records, number
ranges per month), in the same transaction that drops them from the window. A file is written
(temporary file, fsync, rename) before that transaction, so a crash in between leaves tickets
in both places, and the window's copy wins: the records say what is archived, never the file.
"""

from __future__ import annotations

import json
import os
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.domain.ticket import Ticket
from store.codec import ticket_from_doc
from store.journal import fsync_dir
from store.tables import encode_ticket

TABLE = "tickets"  # the archive file's one table


Keep = Callable[[dict[str, Any]], bool]  # which archived documents to decode


def settled_at(ticket: Ticket) -> datetime | None:
    """When a resolved ticket last changed in a way reports count (its resolution or its
    rating); None while it is open."""
    if ticket.is_open or ticket.resolved_at is None:
        return None
    rated = ticket.rating.at if ticket.rating is not None else None
    return max(ticket.resolved_at, rated) if rated is not None else ticket.resolved_at


def touching(since: datetime, until: datetime) -> Keep:
    """Whether an archived ticket's document can touch the time from `since` to `until`:
    settled (`settled_at`) at or after `since` and opened before `until`; read without
    decoding the ticket."""

    def keep(doc: dict[str, Any]) -> bool:
        if datetime.fromisoformat(doc["opened_at"]) >= until:
            return False
        resolved, rating = doc.get("resolved_at"), doc.get("rating")
        if not resolved:
            return True  # (an archive holds settled tickets only: kept, to be safe)
        times = [resolved, rating[1]] if rating and rating[1] else [resolved]
        return max(datetime.fromisoformat(at) for at in times) >= since

    return keep


def month_of(moment: datetime) -> str:
    """The archive month of a moment, in UTC whatever zone the moment is given in."""
    moment = moment.astimezone(UTC)
    return f"{moment.year:04d}-{moment.month:02d}"


def ranges_of(numbers: Iterable[int]) -> list[list[int]]:
    """Sorted numbers as [first, last] runs: 1,2,3,7 -> [[1, 3], [7, 7]]."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return runs


def numbers_in(ranges: Iterable[Iterable[int]]) -> Iterable[int]:
    for first, last in ranges:
        yield from range(first, last + 1)


class Months:
    """Which month's file holds an archived ticket: the `archived` records, searchable."""

    def __init__(self, records: dict[str, Any]) -> None:
        self._ranges: dict[str, list[list[int]]] = {month: doc["ranges"] for month, doc in records.items()}
        # when the earliest ticket of each month's file opened (files archived before this was
        # kept have none: they are read whatever the time asked about)
        self._opened_from: dict[str, datetime] = {
            month: datetime.fromisoformat(doc["opened_from"])
            for month, doc in records.items()
            if doc.get("opened_from")
        }
        spans = sorted((lo, hi, month) for month, ranges in self._ranges.items() for lo, hi in ranges)
        self._starts = [lo for lo, _, _ in spans]
        self._spans = spans
        self.count = sum(hi - lo + 1 for lo, hi, _ in spans)
        self.months = sorted(records)

    def since(self, moment: datetime, opened_before: datetime | None = None) -> list[str]:
        """The months from `moment`'s on: every ticket settled at or after it is in one of them;
        with `opened_before`, only those whose file may hold a ticket opened before then (a
        report's edge day long ago reads its own month, not the months after it whose tickets
        all opened later)."""
        first = month_of(moment)
        return [
            month
            for month in self.months
            if month >= first and (opened_before is None or self._may_hold_before(month, opened_before))
        ]

    def _may_hold_before(self, month: str, moment: datetime) -> bool:
        earliest = self._opened_from.get(month)
        return earliest is None or earliest < moment

    def opened_from_with(self, month: str, tickets: list[Ticket]) -> str | None:
        """`month`'s earliest opening once `tickets` join its file (ISO): None when the file
        already holds tickets whose earliest opening is not known."""
        earliest = min(t.opened_at for t in tickets)
        if self._ranges.get(month):
            if month not in self._opened_from:
                return None
            earliest = min(earliest, self._opened_from[month])
        return earliest.isoformat()

    def ranges(self, month: str) -> list[list[int]]:
        return self._ranges.get(month, [])

    def numbers(self, month: str) -> set[int]:
        """The tickets the month's file holds, as the store's records list them."""
        return set(numbers_in(self.ranges(month)))

    def month(self, number: int) -> str | None:
        at = bisect_right(self._starts, number) - 1
        if at >= 0 and self._spans[at][1] >= number:
            return self._spans[at][2]
        return None


class Archive:
    """The archive files beside one store file."""

    def __init__(self, store_path: Path) -> None:
        self.store_path = store_path

    def path(self, month: str) -> Path:
        return self.store_path.with_name(f"{self.store_path.stem}.archive-{month}{self.store_path.suffix}")

    def files(self) -> dict[str, Path]:
        """Every archive file there is, by month."""
        prefix, suffix = f"{self.store_path.stem}.archive-", self.store_path.suffix
        found = {}
        for path in self.store_path.parent.glob(f"{prefix}*"):
            month = path.name[len(prefix) : len(path.name) - len(suffix)]
            if path.name.endswith(suffix) and path == self.path(month) and len(month) == 7:
                found[month] = path
        return dict(sorted(found.items()))

    def read(
        self, month: str, numbers: set[int] | None = None, keep: Keep | None = None
    ) -> dict[int, Ticket]:
        """The month's tickets (those in `numbers`, when given, and whose documents `keep`
        keeps: the others are never decoded), by number. A file that is missing or unreadable
        raises ArchiveDamaged."""
        path = self.path(month)
        if not path.exists():
            raise ArchiveDamaged(f"{path} is missing")
        try:
            docs = _docs_in(path)
        except ValueError:
            raise ArchiveDamaged(f"{path} is not a readable TinyDB database") from None
        found = {}
        for key in list(docs):  # each document let go of as it is read: freeing the month's
            doc = docs.pop(key)  # ~10,000 at once held the interpreter (and the loop) 14-22 ms
            if (numbers is None or int(key) in numbers) and (keep is None or keep(doc)):
                found[int(key)] = ticket_from_doc(doc)
        return found

    def write(self, month: str, tickets: Iterable[Ticket]) -> None:
        """Add `tickets` to the month's file: merged with what it holds, written atomically.
        Writing the same tickets again (after a crash) changes nothing."""
        path = self.path(month)
        held: dict[str, Any] = {}
        if path.exists():
            try:
                held = _docs_in(path)
            except ValueError:
                held = {}  # a file no record points to yet (torn before its rename cannot be)
        encoded = {str(key): json.dumps(doc, ensure_ascii=False) for key, doc in held.items()}
        for ticket in tickets:
            encoded[str(ticket.number)] = encode_ticket(ticket)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as out:
            out.write(f'{{"{TABLE}": {{')
            out.write(",".join(f'"{key}": {encoded[key]}' for key in sorted(encoded, key=int)))
            out.write("}}")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)

    def copy_to(self, target_store: Path) -> list[Path]:
        """Each archive file beside `target_store`, as a backup of the store there would name
        them (written atomically); the paths written."""
        written = []
        beside = Archive(target_store)
        for month, path in self.files().items():
            copy = beside.path(month)
            tmp = copy.with_name(copy.name + ".tmp")
            with open(path, "rb") as source, open(tmp, "wb") as out:
                while chunk := source.read(1 << 20):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, copy)
            written.append(copy)
        if written:
            fsync_dir(target_store.parent)
        return written


def _docs_in(path: Path) -> dict[str, Any]:
    """The archive file's tickets as documents, by number (the JSON TinyDB's storage reads);
    ValueError when it is not JSON. Parsed a document at a time: one `json.loads` of a month
    holds the interpreter for as long as it parses (200 ms and more for a busy month), and
    the event loop waits that long even though the read runs on a thread."""
    with open(path, encoding="utf-8") as source:
        text = source.read()
    if not text.strip():
        return {}  # (as TinyDB's storage reads an empty file)
    tables = _object(text, 0, whole=lambda name: name != TABLE)
    return dict(tables.get(TABLE) or {})


_SPACE = re.compile(r"[ \t\n\r]*")
_DECODE = json.JSONDecoder().raw_decode


def _object(text: str, at: int, whole: Callable[[str], bool]) -> dict[str, Any]:
    """The JSON object at `at`, the whole of `text` after it being space. The values of the
    keys `whole` says yes to are decoded at once; the others are objects, decoded a member at
    a time (`_members`)."""
    found, at = _members(text, at, lambda name, i: _DECODE(text, i) if whole(name) else _nested(text, i))
    if _SPACE.match(text, at).end() != len(text):  # type: ignore[union-attr]
        raise ValueError("extra data after the archive's object")
    return found


def _nested(text: str, at: int) -> tuple[dict[str, Any], int]:
    return _members(text, at, lambda _, i: _DECODE(text, i))


def _members(text: str, at: int, value: Callable[[str, int], tuple[Any, int]]) -> tuple[dict[str, Any], int]:
    """The members of the object at `at` (after space), each value read by `value`; the
    object and where it ends."""
    at = _skip(text, at)
    if text[at : at + 1] != "{":
        raise ValueError(f"an object expected at {at}")
    found: dict[str, Any] = {}
    at = _skip(text, at + 1)
    if text[at : at + 1] == "}":
        return found, at + 1
    while True:
        name, at = _DECODE(text, at)
        if not isinstance(name, str):
            raise ValueError(f"a key expected at {at}")
        at = _skip(text, at)
        if text[at : at + 1] != ":":
            raise ValueError(f"':' expected at {at}")
        found[name], at = value(name, _skip(text, at + 1))
        at = _skip(text, at)
        if text[at : at + 1] == "}":
            return found, at + 1
        if text[at : at + 1] != ",":
            raise ValueError(f"',' or '}}' expected at {at}")
        at = _skip(text, at + 1)


def _skip(text: str, at: int) -> int:
    return _SPACE.match(text, at).end()  # type: ignore[union-attr]


class ArchiveDamaged(Exception):
    """An archive file the store's records point to cannot be read; the message says which."""
