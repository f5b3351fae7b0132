"""The weekly report's words: the week covered against the week before, as the message that
carries the chart (a file's comment is mrkdwn text, not blocks). Pure builder."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.domain.report import WeeklyReport
from bot.domain.trend import met_share
from bot.i18n import ENGLISH, Words
from bot.slack.quality_blocks import count_change, score_change, share_change, time_change
from bot.slack.when import day


def report_text(
    report: WeeklyReport, desk_name: str, zone: ZoneInfo, team: str = "", *, words: Words = ENGLISH
) -> tuple[str, str]:
    """The message (in `words`, the desk's language: it is built once for every lead) and the
    chart's title (of `team`, with several; in English, the chart's font draws no Chinese)."""
    w = words
    last, before = report.last, report.before
    start = last.period.start.astimezone(zone)
    end = (last.period.end - timedelta(seconds=1)).astimezone(zone)
    span = f"{day(start.date(), words=w)} – {day(end.date(), words=w)}"
    who = f"{desk_name} · {team}" if team else desk_name
    title = f"{who} · the last 12 weeks to {day(end.date(), year=True)}"

    def spread(value: timedelta | None) -> str:
        return w.duration(value) if value is not None else "–"

    def share(value: float | None) -> str:
        return f"{round(value * 100)}%" if value is not None else "–"

    fr, fr_before = last.first_response.median, before.first_response.median
    met, met_before = met_share(last), met_share(before)
    csat = f"{last.csat:.1f} / 5 ({last.ratings})" if last.csat is not None else w.t("no ratings")
    head = w.t(
        "*Weekly report · {team}{span}* (compared with the week before)",
        team=team + " · " if team else "",
        span=span,
    )
    opened, resolved, first, met_words = (
        w.t("Opened"),
        w.t("Resolved"),
        w.t("First response p50"),
        w.t("SLA met"),
    )
    lines = [
        f":bar_chart: {head}",
        f"• {opened} *{last.opened}* {count_change(last.opened, before.opened, w)}",
        f"• {resolved} *{last.resolved}* {count_change(last.resolved, before.resolved, w)}",
        f"• {first} *{spread(fr)}* {time_change(fr, fr_before, w)}".rstrip(),
        f"• {met_words} *{share(met)}* {share_change(met, met_before, w)}".rstrip(),
        f"• CSAT *{csat}* {score_change(last.csat, before.csat, w)}".rstrip(),
        w.t("The chart shows the last 12 weeks. `/desk quality` has more."),
    ]
    return "\n".join(lines), title


def report_title(week: date, team: str = "", words: Words = ENGLISH) -> str:
    """The uploaded chart's title."""
    said = words.t("Weekly report {week}", week=week.isoformat())
    return said + (f" · {team}" if team else "")


def chart_alt(title: str, words: Words = ENGLISH) -> str:
    """The chart's description, for those who cannot see it."""
    return words.t(
        "{title}: tickets opened and resolved each week, first-response median and CSAT", title=title
    )
