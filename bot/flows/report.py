"""The leads' weekly report (SPEC §11): recorded once a week, then delivered once to each lead
as a message with the 12-week chart, uploaded with slack_sdk's `files_upload_v2`.

Like the digest: `run()` (every ten minutes, and at start) records the week's report with the
leads it owes (`RecordReport`, decided by `bot.domain.recording`), in one transaction with one
outbox entry per lead; the outbox strikes a lead off once the message is there, and before
uploading it looks in the DM for the week's file (by its name, unique per week), so a crash
between the upload and striking off never sends it twice.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta

from bot.charts import PAINTER, chart_data
from bot.delivery.owed import owe
from bot.desk import Desk
from bot.domain import recording as rules
from bot.domain.owed import ReportOf, digest_record
from bot.domain.report import CHART_WEEKS, WeeklyReport, WeeklySchedule
from bot.domain.roles import Team
from bot.flows.began import before_beginning, began
from bot.flows.trends import trend_of
from bot.slack.report_blocks import chart_alt, report_text
from store.records import REPORTS, ReportRecord

log = logging.getLogger("desk.report")
Composed = tuple[str, bytes, str]  # the message, the chart (PNG), the chart's description


def report_key(week: date, lead: str, team: str = "") -> str:
    return f"report:{week.isoformat()}:{lead}" + (f":{team}" if team else "")


class Reports:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self._running = asyncio.Lock()
        self._composed: tuple[tuple[date, str], Composed] | None = None  # the last composed

    @property
    def schedule(self) -> WeeklySchedule | None:
        weekly = self.desk.config.weekly_report
        return WeeklySchedule(weekly[0], weekly[1], self.desk.zone) if weekly else None

    @property
    def weeks(self) -> WeeklySchedule:
        """The weeks reports cover: the schedule's, or (reports off, a report sent by hand)
        Monday to Monday all the same."""
        return self.schedule or WeeklySchedule(0, self.desk.config.digest.time, self.desk.zone)

    def leads(self, team: Team | None) -> list[str]:
        return list(rules.owed_to(rules.RecordReport(date.min, _name(team)), self.desk.staff, self._policy()))

    def _policy(self) -> rules.Policy:
        return rules.Policy(self.desk.config.desk.leads)

    async def build(self, week: date, team: Team | None = None) -> WeeklyReport:
        # The chart's older weeks from the rollups, the last two from the tickets (`trend_of`).
        weeks = await trend_of(self.desk, team, self.weeks.covered(week).end, timedelta(days=7), CHART_WEEKS)
        return WeeklyReport(week, weeks.periods[-1], weeks.periods[-2], weeks)

    async def compose(self, week: date, team: str = "") -> Composed:
        """The report of `week` (of the team named, with several): its text, its chart (PNG)
        and the chart's description. Built once for all the leads it goes to."""
        if self._composed is not None and self._composed[0] == (week, team):
            return self._composed[1]
        report = await self.build(week, self.desk.staff.named(team) if team else None)
        text, title = report_text(
            report, self.desk.config.desk.name, self.desk.zone, team, words=self.desk.words
        )
        data = chart_data(report.chart, self.desk.zone)
        png = await PAINTER.draw(data, title)  # in a process of its own: the loop goes on
        alt = chart_alt(title, self.desk.words)
        self._composed = ((week, team), (text, png, alt))
        return text, png, alt

    async def run(self) -> bool:
        """Record this week's reports if they are due and not recorded yet. True when one was."""
        schedule = self.schedule
        if schedule is None:
            return False
        async with self._running:
            week = schedule.due(self.desk.clock.now())
            if week is None or before_beginning(schedule.covered(week).end, await began(self.desk)):
                return False  # not due, or a week before the desk began: nothing to report
            recorded = False
            for team in self.desk.teams_apart():
                recorded = await self._record(week, team) or recorded
            return recorded

    async def _record(self, week: date, team: Team | None) -> bool:
        """Carry `RecordReport`: the week's record with the leads it owes, and one outbox entry
        per lead, in one transaction (a second run or process finds it taken)."""
        name, now = _name(team), self.desk.clock.now()
        command, policy, staff = rules.RecordReport(week, name), self._policy(), self.desk.staff
        key = digest_record(week.isoformat(), name)
        taken = await self.desk.store.get(REPORTS, key) is not None
        if not rules.decide(taken, command, staff, policy, now).owed_to:
            return False  # recorded already, or no leads to owe it to
        async with self.desk.store.transaction() as tx:
            outcome = rules.decide(tx.get(REPORTS, key) is not None, command, staff, policy, now)
            if not outcome.owed_to:
                return False
            tx.put(REPORTS, key, ReportRecord(outcome.owed_to, {}))
            for message in outcome.owed:
                if isinstance(message, ReportOf):
                    owe(tx, report_key(week, message.lead, name), message)
        to = len(outcome.owed_to)
        log.info("weekly report recorded", extra={"week": str(week), "to": to, "team": name})
        return True


def _name(team: Team | None) -> str:
    return team.name if team is not None else ""
