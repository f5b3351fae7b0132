"""Deflection (issue 39): requests a suggested answer solved, of all requests that came in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from bot.domain.quality import Period


def answered_in(records: Iterable[Mapping[str, Any]], period: Period, ours: Callable[[str], bool]) -> int:
    """How many requests were answered without a ticket in `period`, among categories `ours` keeps."""
    return sum(
        1
        for r in records
        if datetime.fromisoformat(str(r.get("at"))) in period and ours(str(r.get("category") or ""))
    )


def deflection_rate(answered: int, opened: int) -> float | None:
    """The share of requests answered without a ticket; None with no requests at all."""
    total = answered + opened
    return answered / total if total else None
