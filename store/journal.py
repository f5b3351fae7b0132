"""An append-only journal of committed changes, one JSON line per transaction.

Each line is written with a single `write` and then fsynced before the commit returns. A
process killed mid-write can leave at most a torn last line (no newline), which was never
confirmed; reading skips it. A write that fails (a full disk) is undone at once: the segment
is cut back to its last good length, so the next write never lands after half a line.

Lines carry a sequence number so a snapshot can say how far it reaches, and so reading can
prove nothing is missing: numbers must follow on from the snapshot one by one. Anything else
(a line that cannot be read, a gap, a journal that starts later than the snapshot reaches) is
damage, reported with the file and the line, never skipped. Segments are named
`<store>.journal.<first seq>`; a new one starts at every open and every compaction, and old
ones are deleted once a snapshot covers them. The last change number, kept beside them at
every snapshot and clean stop (`LastChange`), lets reading prove the snapshot is not missing or
older than the desk left it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class JournalDamaged(Exception):
    """The journal is not what the desk wrote; the message names the file, the line and what
    to do."""


class WriteFailed(OSError):
    """A journal write failed (a full disk, an I/O error) and was undone: nothing of it is on
    disk, and the store is as it was before the transaction."""


RESTORE = "restore the store from a backup (docs/store.md: backups), or move its files away to start afresh"


def segment_paths(store_path: Path) -> list[Path]:
    """The journal segments beside `store_path`, oldest first."""
    prefix = store_path.name + ".journal."
    found = [p for p in store_path.parent.glob(prefix + "*") if p.name[len(prefix) :].isdigit()]
    return sorted(found, key=lambda p: int(p.name[len(prefix) :]))


def read_segment(path: Path) -> Iterator[dict[str, Any]]:
    """The entries of one segment. A torn final line (a write cut short, never confirmed) is
    skipped; a complete line that cannot be read is damage."""
    complete, _, _torn_tail = path.read_bytes().rpartition(b"\n")
    lines = complete.split(b"\n") if complete else []
    for index, line in enumerate(lines):
        try:
            entry = json.loads(line)
            int(entry["seq"]), list(entry["changes"])
        except (ValueError, TypeError, KeyError):
            raise JournalDamaged(f"{path}: line {index + 1} cannot be read; {RESTORE}") from None
        yield entry


def torn_tail(path: Path) -> int:
    """How many bytes after the last complete line (a write cut short by a crash). A segment
    that ends with its newline, as all do but after a crash, is not read again."""
    with open(path, "rb") as segment:
        size = segment.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        segment.seek(size - 1)
        if segment.read(1) == b"\n":
            return 0
        segment.seek(0)
        data = segment.read()
    return len(data) - (data.rfind(b"\n") + 1)


class Sequence:
    """Checks that entries follow on from the snapshot with no number missing."""

    def __init__(self, covered: int, has_snapshot: bool) -> None:
        self.last = covered
        self.has_snapshot = has_snapshot

    def takes(self, entry: dict[str, Any], path: Path, line: int) -> bool:
        """Whether to replay the entry (False: the snapshot has it already)."""
        seq = int(entry["seq"])
        if seq <= self.last:
            return False
        if seq != self.last + 1:
            if self.last == 0 and not self.has_snapshot:
                raise JournalDamaged(
                    f"{path}: the journal starts at change {seq} but there is no snapshot holding "
                    f"the changes before it (was {path.name.split('.journal.')[0]} deleted?); {RESTORE}"
                )
            raise JournalDamaged(
                f"{path}: line {line}: change {seq} follows change {self.last}, so "
                f"{seq - self.last - 1} are missing; {RESTORE}"
            )
        self.last = seq
        return True


class LastChange:
    """The number of the last change the store is known to hold, in a small file beside it
    (`desk.json.last-change`), written atomically at every snapshot and at every clean stop.

    The snapshot and the journal cannot tell on their own that a snapshot was lost or swapped
    for an older copy: after a clean stop the journal may be empty, and an empty store is a
    valid store. This file can: a store that holds less than it says is refused at open.
    """

    def __init__(self, store_path: Path) -> None:
        self.path = store_path.with_name(store_path.name + ".last-change")

    def read(self) -> int | None:
        """The number written last; None when there is none (a new store, or one older than
        this file). A file that does not hold a number is damage."""
        try:
            text = self.path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            text = ""
        if not text.isdigit():
            raise JournalDamaged(
                f"{self.path} does not hold a change number; remove it if the store beside it is "
                f"the right one, or {RESTORE}"
            )
        return int(text)

    def write(self, seq: int) -> None:
        """Write `seq` durably: a temporary file, fsync, rename, fsync the folder."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="ascii") as out:
            out.write(f"{seq}\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
        fsync_dir(self.path.parent)

    def check(self, expected: int | None, found: int, has_snapshot: bool, store_path: Path) -> None:
        """JournalDamaged, in one line saying what to restore, when the store holds changes
        only up to `found` although it had reached `expected`."""
        if expected is None or found >= expected:
            return
        said = (
            f"the store had reached change {expected} ({self.path.name}, written at its last "
            "snapshot or stop)"
        )
        restore = (
            f"restore a backup (docs/store.md: backups), moving {self.path.name} away with the old files"
        )
        if not has_snapshot:
            raise JournalDamaged(
                f"{store_path} is missing: without it the journal holds changes only up to {found}, "
                f"but {said}; put {store_path.name} back, or {restore}"
            )
        raise JournalDamaged(
            f"{store_path} is older than the store: with the journal it holds changes only up to "
            f"{found}, but {said}; put the newest {store_path.name} back, or {restore}"
        )


class Segment:
    """The segment being written. Used from the store's single writer thread only."""

    def __init__(self, store_path: Path, first_seq: int) -> None:
        self.path = store_path.with_name(f"{store_path.name}.journal.{first_seq}")
        self.entries = 0
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.bytes = os.fstat(self._fd).st_size  # the length of what is good in it
        fsync_dir(self.path.parent)

    def append(self, line: bytes) -> None:
        """Write one entry and wait until it is on disk; WriteFailed (with nothing of it left
        in the file) when that cannot be done."""
        try:
            written = os.write(self._fd, line)
            while written < len(line):  # a short write: the disk may be filling up
                written += os.write(self._fd, line[written:])
            os.fsync(self._fd)
        except OSError as problem:
            self._undo()
            raise WriteFailed(problem.errno, problem.strerror) from None
        self.entries += 1
        self.bytes += len(line)

    def _undo(self) -> None:
        """Cut the file back to its last good length (this frees the space the write took)."""
        os.ftruncate(self._fd, self.bytes)
        os.fsync(self._fd)

    def close(self) -> None:
        os.close(self._fd)


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new file in `directory` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
