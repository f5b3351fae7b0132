"""The weekly report's chart: the last 12 weeks, opened and resolved as bars, the first-response
median and CSAT as lines, drawn with Pillow as a PNG.

`chart_data` is the pure part (tested: the points are the statistics'); `draw` only paints. It
was drawn with matplotlib: importing it took 0.5-0.7 s (the first report of a fresh desk waited
0.9 s at 1M tickets), and drawing held the desk's event loop 18-36 ms on a thread, so it ran in
a process of its own (80 MB more). Pillow draws the same chart in a few milliseconds, on a
thread, with the font Pillow carries (no system fonts needed).
"""

from __future__ import annotations

import asyncio
import io
import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.trend import Trend

if TYPE_CHECKING:  # Pillow itself is imported when a chart is first drawn (~60 ms)
    from PIL.Image import Image as Picture
    from PIL.ImageDraw import ImageDraw as Pen
    from PIL.ImageFont import FreeTypeFont, ImageFont

    Font = FreeTypeFont | ImageFont

WIDTH, HEIGHT = 1000, 500  # pixels, readable in Slack
SCALE = 2  # drawn twice as large, then shrunk: smooth lines and text
OPENED, RESOLVED, FIRST_RESPONSE, CSAT = "#1264a3", "#2bac76", "#e8912d", "#9b51e0"
INK, FAINT, GRID = "#1d1c1d", "#616061", "#e8e8e8"
LEFT, RIGHT, TOP, BOTTOM = 84, 150, 66, 62  # the plot's margins, in pixels of the chart
LEGEND = (
    ("Opened", OPENED, "box"),
    ("Resolved", RESOLVED, "box"),
    ("First response p50 (min)", FIRST_RESPONSE, "dot"),
    ("CSAT", CSAT, "square"),
)
_DRAWING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chart")  # one chart at a time


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


def ticks(top: float, whole: bool = False, most: int = 6) -> list[float]:
    """Round marks from 0 to at least `top`: steps of 1, 2 or 5 times a power of ten (whole
    numbers only when `whole`), at most `most` steps."""
    top = min(max(top, 1e-9), 1e15)  # (beyond any desk's figures: a bounded number of marks)
    step = 1.0
    for power in range(math.floor(math.log10(top / most)) - 1, 17):
        found = next((m * 10.0**power for m in (1, 2, 5) if top / (m * 10.0**power) <= most), None)
        if found is not None and (not whole or found >= 1):
            step = found
            break
    if whole:
        step = max(1.0, round(step))
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def mark(value: float) -> str:
    """A tick's label: 5, 2.5, 0.25, 12,000."""
    return f"{round(value):,}" if value == round(value) else f"{value:g}"


async def painted(data: ChartData, title: str) -> bytes:
    """`draw`, on the one thread charts are drawn on: reports due together (the outbox sends up
    to 8 leads' DMs at once) are drawn one after the other, so they never hold the event loop
    together (8 at once on 8 threads held it up to 119 ms; one at a time under 20 ms)."""
    return await asyncio.get_running_loop().run_in_executor(_DRAWING, draw, data, title)


def draw(data: ChartData, title: str) -> bytes:
    """The chart as PNG bytes."""
    from PIL import Image, ImageDraw

    s = SCALE
    image = Image.new("RGB", (WIDTH * s, HEIGHT * s), "white")
    pen = ImageDraw.Draw(image)
    left, right, top, bottom = LEFT * s, (WIDTH - RIGHT) * s, TOP * s, (HEIGHT - BOTTOM) * s
    n = max(1, len(data.weeks))
    slot = (right - left) / n

    def x_of(i: float) -> float:
        return left + slot * (i + 0.5)

    def y_on(scale: list[float], low: float = 0.0) -> Callable[[float], float]:
        high = scale[-1]
        return lambda v: bottom - (v - low) / (high - low) * (bottom - top)

    counts = ticks(max([1, *data.opened, *data.resolved]) * 1.1, whole=True)
    fr_values = [v for v in data.first_response_minutes if v is not None]
    times = ticks(max([0.0, *fr_values]) * 1.1 or 1.0)
    scores = [1.0, 2.0, 3.0, 4.0, 5.0]
    y_count, y_time, y_score = y_on(counts), y_on(times), y_on(scores, 1.0)

    small, normal, big = _font(12 * s), _font(13 * s), _font(16 * s)

    def widest(values: list[float]) -> float:
        return max(small.getlength(mark(v)) for v in values)

    for v in counts:  # the grid and the tickets' axis, left
        y = y_count(v)
        pen.line([(left, y), (right, y)], fill=GRID, width=s)
        _text(pen, (left - 8 * s, y), mark(v), small, FAINT, "rm")
    for v in times:  # the first response's axis, right
        y = y_time(v)
        pen.line([(right, y), (right + 5 * s, y)], fill=FAINT, width=s)
        _text(pen, (right + 8 * s, y), mark(v), small, FAINT, "lm")
    # each axis's title beside its widest mark, CSAT's axis beyond them
    times_title = right + 8 * s + widest(times) + 14 * s
    second = times_title + 16 * s
    pen.line([(second, top), (second, bottom)], fill=FAINT, width=s)
    for v in scores:
        y = y_score(v)
        pen.line([(second, y), (second + 5 * s, y)], fill=FAINT, width=s)
        _text(pen, (second + 8 * s, y), mark(v), small, FAINT, "lm")

    bar = slot * 0.36
    for i in range(len(data.weeks)):
        for offset, value, colour in ((-1, data.opened[i], OPENED), (0, data.resolved[i], RESOLVED)):
            if value:
                x0 = x_of(i) + offset * bar
                pen.rectangle([x0, y_count(value), x0 + bar, bottom], fill=colour)
        _text(pen, (x_of(i), bottom + 8 * s), data.weeks[i], small, INK, "mt")
    _line(pen, [x_of(i) for i in range(n)], data.first_response_minutes, y_time, FIRST_RESPONSE, "dot", s)
    _line(pen, [x_of(i) for i in range(n)], data.csat, y_score, CSAT, "square", s)

    pen.rectangle([left, top, right, bottom], outline=INK, width=s)  # the frame, over the bars
    _text(pen, ((left + right) / 2, bottom + 30 * s), "Week starting", normal, INK, "mt")
    _upright(image, (left - 8 * s - widest(counts) - 14 * s, (top + bottom) / 2), "Tickets", normal)
    _upright(image, (times_title, (top + bottom) / 2), "First response p50 (minutes)", normal)
    _upright(image, (second + 8 * s + widest(scores) + 14 * s, (top + bottom) / 2), "CSAT (1-5)", normal)
    _text(pen, (WIDTH * s / 2, 12 * s), title, big, INK, "mt")
    _legend(pen, (WIDTH * s / 2, 44 * s), small, s)  # in a row above the plot: it hides nothing
    out = io.BytesIO()
    image.reduce(SCALE).save(out, format="PNG", compress_level=1)  # each 2x2 averaged: fast and smooth
    return out.getvalue()


@cache
def _font(size: int) -> Font:
    from PIL import ImageFont

    return ImageFont.load_default(size=size)  # the font inside Pillow (Aileron, FreeType)


def _text(pen: Pen, where: tuple[float, float], words: str, font: Font, colour: str, anchor: str) -> None:
    pen.text(where, words, font=font, fill=colour, anchor=anchor)


def _upright(image: Picture, centre: tuple[float, float], words: str, font: Font) -> None:
    """`words` turned a quarter to read upwards, centred on `centre`."""
    from PIL import Image, ImageDraw

    left, top, right, bottom = (math.ceil(edge) for edge in font.getbbox(words))
    strip = Image.new("L", (right - left + 4, bottom - top + 4), 0)
    ImageDraw.Draw(strip).text((2 - left, 2 - top), words, font=font, fill=255)
    turned = strip.rotate(90, expand=True)
    where = (round(centre[0] - turned.width / 2), round(centre[1] - turned.height / 2))
    image.paste(INK, (*where, where[0] + turned.width, where[1] + turned.height), turned)


def _marker(pen: Pen, x: float, y: float, shape: str, colour: str, s: int) -> None:
    r = 4 * s
    if shape == "dot":
        pen.ellipse([x - r, y - r, x + r, y + r], fill=colour)
    else:
        pen.rectangle([x - r, y - r, x + r, y + r], fill=colour)


def _line(
    pen: Pen,
    xs: Sequence[float],
    values: Sequence[float | None],
    y_of: Callable[[float], float],
    colour: str,
    shape: str,
    s: int,
) -> None:
    """A series as a line through its weeks, broken where a week has no figure."""
    points = [(x, y_of(v)) if v is not None else None for x, v in zip(xs, values, strict=True)]
    run: list[tuple[float, float]] = []
    for point in [*points, None]:
        if point is None:
            if len(run) > 1:
                pen.line(run, fill=colour, width=2 * s, joint="curve")
            run = []
        else:
            run.append(point)
    for point in points:
        if point is not None:
            _marker(pen, *point, shape, colour, s)


def _legend(pen: Pen, centre: tuple[float, float], font: Font, s: int) -> None:
    """The series' samples and names in one row, centred on `centre`."""
    sample, gap = 22 * s, 20 * s
    widths = [sample + 6 * s + font.getlength(label) for label, _, _ in LEGEND]
    x, middle = centre[0] - (sum(widths) + gap * (len(LEGEND) - 1)) / 2, centre[1]
    for (label, colour, shape), width in zip(LEGEND, widths, strict=True):
        if shape == "box":
            pen.rectangle([x + 4 * s, middle - 5 * s, x + 18 * s, middle + 5 * s], fill=colour)
        else:
            pen.line([(x, middle), (x + sample, middle)], fill=colour, width=2 * s)
            _marker(pen, x + sample / 2, middle, shape, colour, s)
        _text(pen, (x + sample + 6 * s, middle), label, font, INK, "lm")
        x += width + gap


def week_label(week: date) -> str:
    end = week + timedelta(days=6)
    return f"{week.strftime('%d %b')} – {end.strftime('%d %b %Y')}"
