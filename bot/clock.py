"""The desk's sense of now. Passed in everywhere, so tests and the sandbox can move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Wall time in UTC, optionally shifted forward (the sandbox's fast-forward)."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, span: timedelta) -> None:
        self.offset += span
