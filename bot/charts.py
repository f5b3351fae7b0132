"""The weekly report's chart: the last 12 weeks, opened and resolved as bars, the first-response
median and CSAT as lines, drawn with matplotlib's Agg backend (no display) as a PNG.

`chart_data` is the pure part (tested: the points are the statistics'); `draw` only paints,
in a process of its own (`Painter`): on a thread, matplotlib held the desk's event loop for
18-27 ms a chart (it holds the interpreter's lock while it draws), and its first import, for up
to a second, beside the requests Slack waits on.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
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
    # Fixed margins, not `tight_layout` (which measures every label and took 40 % of a draw):
    # room for five-digit counts on the left and both right-hand axes' labels on the right.
    figure.subplots_adjust(left=0.09, right=0.855, top=0.88, bottom=0.11)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def warm() -> None:
    """Import matplotlib and draw one tiny chart, so that the first weekly report does not pay
    for it (0.6-1.7 s on a busy machine, mostly the import): run in the painter's process once
    the desk is up (`warm_beside`). Once a process: a second call does nothing."""
    global _warmed
    if not _warmed:
        draw(ChartData(["-"], [1], [1], [1.0], [4.0]), "")
        _warmed = True


def drawer() -> tuple[int, bool]:
    """Where charts are drawn: that process's id, and whether matplotlib is loaded there."""
    return os.getpid(), "matplotlib" in sys.modules


WORKS: dict[str, Callable[..., Any]] = {"draw": draw, "warm": warm, "drawer": drawer}  # what it is asked
ANSWER_WITHIN = 120.0  # seconds: a chart takes well under one, a first one a few on a busy machine


class PainterFailed(RuntimeError):
    """The drawing process could not draw: an error in the drawing itself."""


class Painter:
    """Draws in a process of its own (`python -m bot.charts`, started at the first chart or by
    `warm`, and again if it dies), talked to from a thread: neither the drawing nor the waiting
    holds the desk's event loop. One for the whole process, whatever loop asks (tests run many
    desks). The process reads its questions on stdin, so it ends with the desk, even a killed
    one. Where no process can be started, or it ends (or hangs) twice running, it draws on the
    thread, as before."""

    def __init__(self, command: list[str] | None = None) -> None:
        self.command = command or [sys.executable, "-m", "bot.charts"]
        self._child: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()  # one question at a time
        self._on_thread = False  # no process could be started here

    async def draw(self, data: ChartData, title: str) -> bytes:
        """The chart as PNG bytes."""
        png = await self.run("draw", data, title)
        assert isinstance(png, bytes)
        return png

    async def warm(self) -> None:
        await self.run("warm")

    async def run(self, work: str, *args: Any) -> Any:
        """`WORKS[work](*args)` in the drawing process."""
        return await asyncio.to_thread(self._call, work, args)

    def _call(self, work: str, args: tuple[Any, ...]) -> Any:
        with self._lock:
            for _ in (1, 2):
                child = self._started()
                if child is None:
                    break
                try:
                    ok, answer = _ask(child, (work, args), ANSWER_WITHIN)
                except (OSError, EOFError, TimeoutError, pickle.UnpicklingError, struct.error) as problem:
                    log.warning("charts: the drawing process ended or hung", extra={"error": repr(problem)})
                    self._stop()
                    continue
                if not ok:
                    raise PainterFailed(str(answer))
                return answer
            else:  # it ended twice running: this chart is drawn here, the next one tries again
                log.warning("charts: the drawing process keeps ending; drawing on a thread")
            return WORKS[work](*args)

    def _started(self) -> subprocess.Popen[bytes] | None:
        if self._on_thread:
            return None
        if self._child is not None and self._child.poll() is None:
            return self._child
        root = str(Path(__file__).resolve().parent.parent)  # where `bot` is, installed or not
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        }
        try:  # started in `root`: `-m` looks in the current folder first, and finds this `bot`
            self._child = subprocess.Popen(
                self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=root, bufsize=0
            )
        except OSError:
            log.warning("charts: cannot start a drawing process; drawing on a thread", exc_info=True)
            self._on_thread = True
            return None
        return self._child

    def _stop(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        for pipe in (child.stdin, child.stdout):  # it ends at the end of its questions
            with contextlib.suppress(OSError):
                if pipe is not None:
                    pipe.close()
        try:
            child.wait(timeout=2)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()

    def close(self) -> None:
        """End the drawing process (the next chart starts another)."""
        with self._lock:
            self._stop()


def _ask(child: subprocess.Popen[bytes], question: Any, within: float) -> tuple[bool, Any]:
    assert child.stdin is not None and child.stdout is not None
    _send(child.stdin, question)
    return _receive(child.stdout, time.monotonic() + within)


def _send(to: Any, value: Any) -> None:
    blob = pickle.dumps(value)
    to.write(struct.pack(">I", len(blob)) + blob)
    to.flush()


def _receive(source: Any, deadline: float | None = None) -> Any:
    size = struct.unpack(">I", _exactly(source, 4, deadline))[0]
    return pickle.loads(_exactly(source, size, deadline))


def _exactly(source: Any, size: int, deadline: float | None) -> bytes:
    """`size` bytes from a pipe (by `deadline` on the monotonic clock, when given)."""
    got = b""
    while len(got) < size:
        if deadline is not None:
            ready, _, _ = select.select([source], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError("no answer in time")
        more = source.read(size - len(got))
        if not more:
            raise EOFError("the other end is gone")
        got += more
    return got


def serve() -> None:
    """The drawing process: answer questions on stdin until it closes (the desk ended)."""
    questions, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed may land among the answers
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is the desk's: this ends when it does
    while True:
        try:
            work, args = _receive(questions)
        except EOFError:
            return
        try:
            answer: tuple[bool, Any] = (True, WORKS[work](*args))
        except Exception as problem:
            answer = (False, f"{type(problem).__name__}: {problem}")
        try:
            _send(answers, answer)
        except OSError:  # the desk is gone (killed): nobody to answer
            return


PAINTER = Painter()  # one for the process


async def warm_beside(first: asyncio.Future[Any] | None, painter: Painter = PAINTER) -> bool:
    """`warm` in the painter's process after `first` (the knowledge base's learning at start)
    is done, whatever became of it, so the start-up and its learning are not slowed; a failure
    is logged only (the report then draws as before). True once warmed."""
    if first is not None:
        await asyncio.wait([first])
    try:
        await painter.warm()
    except Exception:
        log.warning("charts: could not warm matplotlib", exc_info=True)
        return False
    return True


def week_label(week: date) -> str:
    end = week + timedelta(days=6)
    return f"{week.strftime('%d %b')} – {end.strftime('%d %b %Y')}"


if __name__ == "__main__":
    serve()
