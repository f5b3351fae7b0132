"""An append-only journal of committed changes, one JSON line per transaction.

Each line is written with a single `write` and then fsynced before the commit returns. A
process killed mid-write can leave at most a torn last line, which was never confirmed;
reading skips it. Lines carry a sequence number so a snapshot can say how far it reaches.
Segments are named `<store>.journal.<first seq>`; a new one starts at every open and every
compaction, and old ones are deleted once a snapshot covers them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class JournalDamaged(Exception):
    """A line other than the last cannot be read: the file was changed by something else."""


def segment_paths(store_path: Path) -> list[Path]:
    """The journal segments beside `store_path`, oldest first."""
    prefix = store_path.name + ".journal."
    found = [p for p in store_path.parent.glob(prefix + "*") if p.name[len(prefix) :].isdigit()]
    return sorted(found, key=lambda p: int(p.name[len(prefix) :]))


def read_segment(path: Path) -> Iterator[dict[str, Any]]:
    """The entries of one segment; a torn final line (an unconfirmed write) is skipped."""
    complete, _, _torn_tail = path.read_bytes().rpartition(b"\n")
    lines = complete.split(b"\n") if complete else []
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            if index == len(lines) - 1:
                return
            raise JournalDamaged(f"{path}: line {index + 1} cannot be read") from None
        yield entry


class Segment:
    """The segment being written. Used from the store's single writer thread only."""

    def __init__(self, store_path: Path, first_seq: int) -> None:
        self.path = store_path.with_name(f"{store_path.name}.journal.{first_seq}")
        self.entries = 0
        self.bytes = 0
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        fsync_dir(self.path.parent)

    def append(self, line: bytes) -> None:
        """Write one entry and wait until it is on disk."""
        written = os.write(self._fd, line)
        while written < len(line):  # a short write is rare but allowed by POSIX
            written += os.write(self._fd, line[written:])
        os.fsync(self._fd)
        self.entries += 1
        self.bytes += len(line)

    def close(self) -> None:
        os.close(self._fd)


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new file in `directory` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
