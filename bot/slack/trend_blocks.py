"""Sparklines as leads read them: one line per figure, the bars oldest to newest, then the
latest value. Pure builder, shared by `/quality`, the digest and the App Home."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.domain.trend import Trend, sparkline
from bot.i18n import ENGLISH, Words
from bot.slack.blocks import section


def figures(words: Words = ENGLISH) -> tuple[tuple[str, str, Callable[[float], str]], ...]:
    """Each figure: its attribute, its name in the reader's language, how its value is written."""
    return (
        ("opened", words.t("Opened"), lambda v: f"{v:.0f}"),
        ("first_response", words.t("First response p50"), lambda v: words.duration(timedelta(minutes=v))),
        ("sla_met", words.t("SLA met"), lambda v: f"{round(v * 100)}%"),
        ("csat", "CSAT", lambda v: f"{v:.1f}"),
    )


FIGURES = figures()


def trend_lines(trend: Trend, words: Words = ENGLISH) -> list[str]:
    """`▁▂▃▅▇█▆▅  Opened · 12`, the bars as plain text (inline code would draw them as a
    coloured underline): volume, first-response median, SLA met and CSAT; the value is
    the latest period's (`–` when it had nothing to measure)."""
    lines = []
    for attribute, name, shown in figures(words):
        values: list[float | None] = getattr(trend, attribute)
        latest = values[-1] if values else None
        lines.append(f"{sparkline(values)}  {name} · {shown(latest) if latest is not None else '–'}")
    return lines


def trend_section(trend: Trend, what: str, words: Words = ENGLISH) -> dict[str, Any]:
    """The sparklines under a heading (`Last 8 weeks`)."""
    about = words.t("(oldest first; a gap: nothing to measure)")
    return section("\n".join([f"*{what}* {about}", *trend_lines(trend, words)]))
