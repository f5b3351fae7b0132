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
ones are deleted once a snapshot covers them.
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


RESTORE = "restore the store from a backup (README: Backups), or move its files away to start afresh"


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
