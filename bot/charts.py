"""The weekly report's chart: the last 12 weeks, opened and resolved as bars, the first-response
median and CSAT as lines, drawn with matplotlib's Agg backend (no display) as a PNG.

`chart_data` is the pure part (tested: the points are the statistics'); `draw` only paints.
"""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.trend import Trend

log = logging.getLogger("desk.charts")
_warmed = False  # `warm` has drawn in this process
WIDTH, HEIGHT, DPI = 10.0, 5.0, 100  # inches at 100 dpi: 1000 x 500 pixels, readable in Slack


@dataclass(frozen=True)
class ChartData:
    weeks: list[str]  # labels, "23 Nov"
    opened: list[int]
    resolved: list[int]
    first_response_minutes: list[float | None]
    csat: list[float | None]


def chart_data(weeks: Trend, zone: ZoneInfo) -> ChartData:
    """The figures of each week, oldest first, as the chart plots them."""
    labels = [s.period.start.astimezone(zone).strftime("%d %b") for s in weeks.periods]
    return ChartData(
        weeks=labels,
        opened=[s.opened for s in weeks.periods],
        resolved=[s.resolved for s in weeks.periods],
        first_response_minutes=weeks.first_response,
        csat=weeks.csat,
    )


def draw(data: ChartData, title: str) -> bytes:
    """The chart as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")  # before pyplot: no display, in a thread or a server
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    counts = figure.add_subplot(1, 1, 1)
    x = list(range(len(data.weeks)))
    counts.bar([i - 0.2 for i in x], data.opened, width=0.4, label="Opened", color="#1264a3")
    counts.bar([i + 0.2 for i in x], data.resolved, width=0.4, label="Resolved", color="#2bac76")
    counts.set_xticks(x, data.weeks, rotation=0, fontsize=8)
    counts.set_xlabel("Week starting")
    counts.set_ylabel("Tickets")
    counts.set_ylim(0, max([1, *data.opened, *data.resolved]) * 1.2)
    counts.yaxis.set_major_locator(MaxNLocator(integer=True))
    times = counts.twinx()
    fr = [(i, v) for i, v in zip(x, data.first_response_minutes, strict=True) if v is not None]
    if fr:
        times.plot(
            [i for i, _ in fr],
            [v for _, v in fr],
            marker="o",
            color="#e8912d",
            label="First response p50 (min)",
        )
    times.set_ylabel("First response p50 (minutes)")
    times.set_ylim(0, max([1.0, *(v for _, v in fr)]) * 1.2)
    scores = counts.twinx()
    scores.spines["right"].set_position(("axes", 1.1))
    cs = [(i, v) for i, v in zip(x, data.csat, strict=True) if v is not None]
    if cs:
        scores.plot([i for i, _ in cs], [v for _, v in cs], marker="s", color="#9b51e0", label="CSAT")
    scores.set_ylim(1, 5)
    scores.set_ylabel("CSAT (1-5)")
    handles = [h for axis in (counts, times, scores) for h in axis.get_legend_handles_labels()[0]]
    labels = [label for axis in (counts, times, scores) for label in axis.get_legend_handles_labels()[1]]
    counts.legend(handles, labels, loc="upper left", fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def warm() -> None:
    """Import matplotlib and draw one tiny chart, so that the first weekly report does not pay
    for it (0.6-1.7 s on a busy machine, mostly the import): run on a thread once the desk is
    up (`warm_beside`). Once a process: a second call does nothing."""
    global _warmed
    if not _warmed:
        draw(ChartData(["-"], [1], [1], [1.0], [4.0]), "")
        _warmed = True


async def warm_beside(first: asyncio.Future[Any] | None) -> None:
    """`warm` on a thread after `first` (the knowledge base's learning at start) is done,
    whatever became of it, so the start-up and its learning are not slowed; a failure is
    logged only (the report then draws as before)."""
    if first is not None:
        await asyncio.wait([first])
    try:
        await asyncio.to_thread(warm)
    except Exception:
        log.warning("charts: could not warm matplotlib", exc_info=True)


def week_label(week: date) -> str:
    end = week + timedelta(days=6)
    return f"{week.strftime('%d %b')} – {end.strftime('%d %b %Y')}"
