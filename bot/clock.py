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


class FixedClock(Clock):
    """A clock that reads `instant` until it is moved: the tests' clock, so that no expectation
    depends on the machine's wall clock or time zone."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("a fixed clock needs an aware instant")
        super().__init__()
        self.instant = instant.astimezone(UTC)

    def now(self) -> datetime:
        return self.instant + self.offset

    def set(self, instant: datetime) -> None:
        """Move the clock to `instant` (forward or back)."""
        self.offset = instant.astimezone(UTC) - self.instant
