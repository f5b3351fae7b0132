"""The weekly report (SPEC §11): when it is due and what it covers (pure), the chart's data
are the statistics' (the data handed to matplotlib, not the pixels), the PNG is at least
800x400, and the report reaches each lead once across restarts in its week, uploaded the way
slack_sdk's files_upload_v2 does it to a local Slack that checks each step."""

from __future__ import annotations

import asyncio
import os
import signal
import struct
import sys
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.charts import chart_data, draw
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


async def test_the_charts_are_warmed_after_the_start_in_a_process_of_their_own(caplog):
    """`warm_beside`: once the desk's learning at start is done (not before: the start-up is
    not slowed), matplotlib is imported and a tiny chart drawn in the drawing process, not in
    the desk's: the desk's event loop is never held by it. A failure is only logged."""
    from bot.charts import Painter, PainterFailed, warm_beside

    painter = Painter()
    try:
        learning = asyncio.get_running_loop().create_future()
        warming = asyncio.ensure_future(warm_beside(learning, painter))
        for _ in range(20):  # the warming runs only as far as its wait for the learning
            await asyncio.sleep(0)
        assert painter._child is None and not warming.done()
        learning.set_exception(RuntimeError("learning failed"))  # whatever became of it
        assert await warming, "warmed"
        assert isinstance(learning.exception(), RuntimeError)  # (retrieved: no warning at exit)
        where, loaded = await painter.run("drawer")
        assert where != os.getpid() and loaded, "matplotlib is loaded in the drawing process"

        with pytest.raises(PainterFailed, match="KeyError"):  # an error in it is raised here...
            await painter.run("nothing")
        assert (await painter.run("drawer"))[0] == where  # ...and it draws on
    finally:
        painter.close()

    dies = Painter(command=[sys.executable, "-c", "import sys; sys.exit(3)"])  # ends at once, every time
    assert await warm_beside(None, dies)  # the chart is drawn on a thread then, as before: the report goes
    assert "keeps ending; drawing on a thread" in caplog.text
    assert (await dies.run("drawer"))[0] == os.getpid()


async def test_a_drawing_process_that_hangs_is_given_up_on():
    """One that never answers (stopped, stuck): given up on after `ANSWER_WITHIN`, ended, and
    the chart drawn on a thread."""
    from bot import charts

    hangs = charts.Painter(command=[sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        charts.ANSWER_WITHIN, within = 0.3, charts.ANSWER_WITHIN
        where, _ = await hangs.run("drawer")
    finally:
        charts.ANSWER_WITHIN = within
        hangs.close()
    assert where == os.getpid()


async def test_a_drawing_process_that_died_is_started_again_and_the_chart_still_drawn():
    """The drawing process killed (out of memory, an operator): the next chart starts another."""
    from bot.charts import Painter

    painter = Painter()
    try:
        first, _ = await painter.run("drawer")
        os.kill(first, signal.SIGKILL)
        report = build_report(known_tickets(), lambda _: WALL, SCHEDULE, date(2026, 11, 30))
        png = await painter.draw(chart_data(report.chart, BERLIN), "After a kill")
        assert png.startswith(b"\x89PNG")
        second, _ = await painter.run("drawer")
        assert second not in (first, os.getpid())
    finally:
        painter.close()
