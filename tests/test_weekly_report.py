"""The weekly report (SPEC §11): when it is due and what it covers (pure), the chart's data
are the statistics', the PNG is at least 800x400 with each series painted in its weeks, and
the report reaches each lead once across restarts in its week, uploaded the way
slack_sdk's files_upload_v2 does it to a local Slack that checks each step."""

from __future__ import annotations

import asyncio
import io
import math
import struct
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import charts
from bot.charts import ChartData, chart_data, draw, ticks
from bot.domain.policy import Clock, SlaPolicy, WorkingCalendar
from bot.domain.report import WeeklySchedule, build_report
from bot.domain.sla import SlaClock
from store.names import REPORTS
from tests.factories import make_ticket
from tests.harness import (
    ALICE,
    BOB,
    CAROL,
    bot_posts,
    clock_at,
    dm_of,
    local_slack,
    raise_ticket,
    running_desk,
)

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN)  # a Monday
SCHEDULE = WeeklySchedule(0, time(9), BERLIN)
WALL = SlaClock(SlaPolicy(timedelta(hours=1), timedelta(hours=8), Clock.ALWAYS), WorkingCalendar(BERLIN))


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (MONDAY_9 - timedelta(minutes=1), None),  # Monday 08:59: last week's report is sent; this one not yet
        (MONDAY_9, date(2026, 11, 30)),
        (MONDAY_9 + timedelta(days=6, hours=14), date(2026, 11, 30)),  # Sunday 23:00: still this week's
        (MONDAY_9 + timedelta(days=7), date(2026, 12, 7)),
    ],
)
def test_the_report_is_due_from_its_time_for_the_rest_of_the_week(now, due):
    assert SCHEDULE.due(now) == due


def test_it_covers_the_whole_week_before_in_local_time():
    covered = SCHEDULE.covered(date(2026, 11, 30))
    assert covered.start == datetime(2026, 11, 23, tzinfo=BERLIN).astimezone(UTC)
    assert covered.end == datetime(2026, 11, 30, tzinfo=BERLIN).astimezone(UTC)


def known_tickets():
    """Week of 16 Nov: 2 opened (one resolved, rated 4); week of 23 Nov: 3 opened, answered in 30m."""
    tickets = []
    for day, count in (
        (datetime(2026, 11, 17, 10, tzinfo=BERLIN), 2),
        (datetime(2026, 11, 24, 10, tzinfo=BERLIN), 3),
    ):
        for i in range(count):
            ticket = make_ticket(len(tickets) + 1, at=day + timedelta(minutes=i)).claim(
                BOB, day + timedelta(minutes=i + 30)
            )
            tickets.append(ticket)
    tickets[0] = (
        tickets[0]
        .resolve(BOB, "", datetime(2026, 11, 18, tzinfo=BERLIN))
        .rate(ALICE, 4, datetime(2026, 11, 18, 1, tzinfo=BERLIN))
    )
    return tickets


def test_the_charts_points_are_the_weeks_statistics_and_the_png_is_big_enough():
    report = build_report(known_tickets(), lambda _: WALL, SCHEDULE, date(2026, 11, 30))
    assert (report.last.opened, report.before.opened, report.before.resolved) == (3, 2, 1)
    data = chart_data(report.chart, BERLIN)
    assert len(data.weeks) == 12 and data.weeks[-2:] == ["16 Nov", "23 Nov"]
    assert data.opened == [0] * 10 + [2, 3] and data.resolved == [0] * 10 + [1, 0]
    assert data.first_response_minutes == [None] * 10 + [30.0, 30.0]
    assert data.csat == [None] * 10 + [4.0, None]
    assert data.opened == [s.opened for s in report.chart.periods], "the summaries' own figures"
    png = draw(data, "IT Help · the last 12 weeks")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width >= 800 and height >= 400


async def test_each_lead_gets_the_report_once_across_restarts_in_its_week(tmp_path):
    url = f"tinydb://{tmp_path}/desk.json"
    async with local_slack() as slack:
        async with running_desk(url, slack=slack, clock=clock_at(MONDAY_9 - timedelta(days=5))) as run:
            await raise_ticket(run, "Laptop will not boot")
        for hours in (-1, 0.5, 30):  # just before Monday 09:00, after, and a day later, each a new desk
            async with running_desk(
                url, slack=slack, clock=clock_at(MONDAY_9 + timedelta(hours=hours))
            ) as again:
                await again.run_job("weekly-report", timeout=20)
                await again.idle(timeout=20)
                if hours == -1:
                    assert not any(m.files for m in bot_posts(slack, dm_of(again, CAROL)))
        reports = [m for m in bot_posts(slack, dm_of(again, CAROL)) if m.files]
        assert len(reports) == 1, "once in its week, across restarts"
        [shared] = reports[0].files
        assert shared["name"] == "weekly-report-2026-11-30.png" and shared["mimetype"] == "image/png"
        assert (
            "*Weekly report · Mon 23 Nov – Sun 29 Nov*" in reports[0].text and "Opened *1*" in reports[0].text
        )
        upload = slack.workspace.files[shared["id"]]
        assert upload.complete and upload.content is not None and upload.content[:4] == b"\x89PNG"
        methods = [c.method for c in slack.calls if c.method.startswith("files.") or c.method == "upload"]
        assert methods == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
        sent_as = {c.method: c.sent_as for c in slack.calls if c.method.startswith("files.")}
        assert set(sent_as.values()) <= {"query", "form"}, "form-only methods, never JSON (api.slack.com)"
        assert slack.errors() == []
        store_doc = await again_store_record(url)
        assert store_doc["owed"] == [] and CAROL in store_doc["delivered"]


async def again_store_record(url):
    from store import store_from_url

    store = store_from_url(url)
    await store.open()
    try:
        return await store.record(REPORTS, "2026-11-30")
    finally:
        await store.close()


def test_the_charts_scales_are_round_numbers_that_reach_the_highest_figure():
    """`ticks`: marks from 0 in steps of 1, 2 or 5 times a power of ten, the last at or above
    the highest figure, at most 6 steps; whole numbers for tickets, fractions allowed for times."""
    assert ticks(11.0, whole=True) == [0, 2, 4, 6, 8, 10, 12]
    assert ticks(1.1, whole=True) == [0, 1, 2]
    assert ticks(0.5) == [0, 0.1, 0.2, 0.3, 0.4, 0.5]
    assert ticks(66.0) == [0, 20, 40, 60, 80]
    for top in [0.003, 0.7, 1, 3.3, 9.9, 10, 47, 120, 999, 12345]:
        for whole in (False, True):
            marks = ticks(top, whole=whole)
            step = marks[1] - marks[0]
            assert marks[0] == 0 and marks[-1] >= top - 1e-9 and len(marks) <= 7, (top, marks)
            assert marks[-2] < top, ("no empty step above the highest figure", top, marks)
            assert f"{step / 10 ** math.floor(math.log10(step)):.6g}" in ("1", "2", "5"), (top, step)
            assert not whole or step >= 1


def test_the_chart_paints_each_series_in_its_own_weeks():
    """The pixels, not only the data: a week's bars stand in that week's place, in their
    colours, and a week with nothing has none; the lines' markers where their weeks have figures."""
    from PIL import Image

    weeks = [f"{7 * i + 1:02d} Sep" for i in range(12)]
    opened, resolved = [0] * 12, [0] * 12
    opened[3], resolved[3], resolved[9], opened[0] = 8, 5, 2, 9
    csat: list[float | None] = [None] * 12
    csat[9] = csat[1] = 4.8
    png = draw(ChartData(weeks, opened, resolved, [None] * 12, csat), "IT Help · the last 12 weeks")
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    slot = (charts.WIDTH - charts.LEFT - charts.RIGHT) / 12

    def weeks_with(colour: str) -> set[int]:
        want = tuple(int(colour[k : k + 2], 16) for k in (1, 3, 5))
        found = set()
        for x in range(charts.LEFT + 2, charts.WIDTH - charts.RIGHT - 2):
            for y in range(charts.TOP + 2, charts.HEIGHT - charts.BOTTOM - 2, 2):  # (the legend is above)
                if all(abs(a - b) <= 8 for a, b in zip(picture.getpixel((x, y)), want, strict=True)):
                    found.add(int((x - charts.LEFT) // slot))
        return found

    assert weeks_with(charts.OPENED) == {0, 3}  # each in the plot: nothing hides the oldest weeks
    assert weeks_with(charts.RESOLVED) == {3, 9}
    assert weeks_with(charts.CSAT) == {1, 9}
    assert weeks_with(charts.FIRST_RESPONSE) == set(), "no week had a first response"


def test_the_axes_marks_read_as_numbers_do():
    assert [charts.mark(v) for v in (0, 5, 2.5, 0.25, 12000, 1500000)] == [
        "0",
        "5",
        "2.5",
        "0.25",
        "12,000",
        "1,500,000",
    ]


async def test_reports_due_together_are_drawn_one_after_the_other(monkeypatch):
    """`painted`: the outbox sends up to 8 leads' reports at once; their charts are drawn on
    one thread, one at a time (8 on 8 threads held the event loop up to 119 ms)."""
    import threading

    drawing, most, threads = 0, 0, set()
    lock = threading.Lock()

    def slow_draw(data: ChartData, title: str) -> bytes:
        nonlocal drawing, most
        with lock:
            drawing += 1
            most = max(most, drawing)
            threads.add(threading.get_ident())
        threading.Event().wait(0.02)
        with lock:
            drawing -= 1
        return b"png"

    monkeypatch.setattr(charts, "draw", slow_draw)
    data = ChartData(["01 Sep"], [1], [1], [1.0], [4.0])
    assert await asyncio.gather(*(charts.painted(data, str(i)) for i in range(8))) == [b"png"] * 8
    assert most == 1 and len(threads) == 1
