"""Deflection (issue 39): requests a suggested answer solved, of all requests that came in."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.quality import Period


@dataclass(frozen=True)
class Answered:
    """A request a suggested answer solved, no ticket opened (`store.records.ANSWERED`)."""

    at: datetime
    person: str
    category: str | None
    by: str | None  # the suggestion that solved it


def answered_in(records: Iterable[Answered], period: Period, ours: Callable[[str], bool]) -> int:
    """How many requests were answered without a ticket in `period`, among categories `ours` keeps."""
    return sum(1 for r in records if r.at in period and ours(r.category or ""))


def deflection_rate(answered: int, opened: int) -> float | None:
    """The share of requests answered without a ticket; None with no requests at all."""
    total = answered + opened
    return answered / total if total else None
