"""Sparklines as leads read them: one line per figure, the bars oldest to newest, then the
latest value. Pure builder, shared by `/quality`, the digest and the App Home."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.domain.durations import format_duration
from bot.domain.trend import Trend, sparkline
from bot.slack.blocks import section

FIGURES: tuple[tuple[str, str, Callable[[float], str]], ...] = (
    ("opened", "Opened", lambda v: f"{v:.0f}"),
    ("first_response", "First response p50", lambda v: format_duration(timedelta(minutes=v))),
    ("sla_met", "SLA met", lambda v: f"{round(v * 100)}%"),
    ("csat", "CSAT", lambda v: f"{v:.1f}"),
)


def trend_lines(trend: Trend) -> list[str]:
    """`▁▂▃▅▇█▆▅  Opened · 12`, the bars as plain text (inline code would draw them as a
    coloured underline): volume, first-response median, SLA met and CSAT; the value is
    the latest period's (`–` when it had nothing to measure)."""
    lines = []
    for attribute, name, shown in FIGURES:
        values: list[float | None] = getattr(trend, attribute)
        latest = values[-1] if values else None
        lines.append(f"{sparkline(values)}  {name} · {shown(latest) if latest is not None else '–'}")
    return lines


def trend_section(trend: Trend, what: str) -> dict[str, Any]:
    """The sparklines under a heading (`Last 8 weeks`)."""
    head = f"*{what}* (oldest first; a gap: nothing to measure)"
    return section("\n".join([head, *trend_lines(trend)]))
