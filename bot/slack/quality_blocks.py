"""The quality summary as leads read it: a header, the figures as fields with their change
against the previous period, the CSAT spread, and a line per agent. Pure builder."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.durations import format_duration
from bot.domain.notices import Level
from bot.domain.policy import Target
from bot.domain.quality import Compliance, Spread, Summary
from bot.domain.ticket import SCORES
from bot.domain.trend import Trend
from bot.i18n import ENGLISH, Words
from bot.slack.blocks import context, section
from bot.slack.trend_blocks import trend_section
from bot.slack.when import day, local_moment

Blocks = list[dict[str, Any]]
AGENT_LIMIT = 25
BAR, EMPTY, BAR_WIDTH = "█", "░", 8  # a ratings bar: filled, then the rest of its width


def _span(value: timedelta | None) -> str:
    return format_duration(value) if value is not None else "–"


def _arrow(delta: float, shown: str, words: Words = ENGLISH) -> str:
    if delta > 0:
        return f"↑ {shown}"
    if delta < 0:
        return f"↓ {shown}"
    return "→ " + words.t("same")


def count_change(now: int, before: int, words: Words = ENGLISH) -> str:
    return _arrow(now - before, words.number(abs(now - before)), words)


def time_change(now: timedelta | None, before: timedelta | None, words: Words = ENGLISH) -> str:
    if now is None or before is None:
        return ""
    delta = now - before
    return _arrow(delta.total_seconds(), words.duration(delta), words)


def share_change(now: float | None, before: float | None, words: Words = ENGLISH) -> str:
    if now is None or before is None:
        return ""
    points = round((now - before) * 100)
    return _arrow(
        points,
        words.tn("{n} pt", "{n} pts", abs(points)) if not words.english else f"{abs(points)} pts",
        words,
    )


def score_change(now: float | None, before: float | None, words: Words = ENGLISH) -> str:
    if now is None or before is None:
        return ""
    delta = round(now - before, 1)
    return _arrow(delta, f"{abs(delta):.1f}", words)


def field(title: str, value: str, change: str) -> dict[str, str]:
    tail = f"  _{change}_" if change else ""
    return {"type": "mrkdwn", "text": f"*{title}*\n{value}{tail}"}


def _spread(spread: Spread) -> str:
    if not spread.count:
        return "nothing measured"
    return f"median {_span(spread.median)} · p90 {_span(spread.p90)}"


def _compliance(c: Compliance) -> str:
    share = c.share
    return "nothing due" if share is None else f"{round(share * 100)}% ({c.met} of {c.decided})"


def quality_answer(
    now: Summary, before: Summary, days: int, zone: ZoneInfo, trend: Trend | None = None, *, team: str = ""
) -> tuple[str, Blocks]:
    start = day(now.period.start.astimezone(zone).date())
    end = local_moment(now.period.end.astimezone(zone))
    title = f"Quality · {team + ' · ' if team else ''}last {days} days"
    blocks: Blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": title}},
        context(f"{start} – {end}, each figure compared with the {days} days before"),
    ]
    if now.empty:
        text = (
            f"Nothing to report for the last {days} days: no tickets were opened, resolved, rated "
            "or escalated."
        )
        blocks.append(section(text))
        return text, blocks
    fr, res = Target.FIRST_RESPONSE, Target.RESOLUTION
    escalated = sum(now.escalations.values())
    levels = " · ".join(
        f"{now.escalations.get(level, 0)} {words}"
        for level, words in (
            (Level.AT_RISK, "at risk"),
            (Level.BREACHED, "breached"),
            (Level.LEADS, "to leads"),
        )
    )
    if now.csat is None:
        csat = "no ratings yet"
    else:
        rate = now.response_rate
        of_resolved = f", {round(rate * 100)}% of resolved" if rate is not None else ""
        csat = f"{now.csat:.1f} / 5 from {now.ratings} rating{'s' if now.ratings != 1 else ''}{of_resolved}"
    fields = [
        field("Opened", str(now.opened), count_change(now.opened, before.opened)),
        field("Resolved", str(now.resolved), count_change(now.resolved, before.resolved)),
        field(
            "First response",
            _spread(now.first_response),
            time_change(now.first_response.median, before.first_response.median),
        ),
        field(
            "Resolution",
            _spread(now.resolution),
            time_change(now.resolution.median, before.resolution.median),
        ),
        field(
            "SLA met · first response",
            _compliance(now.compliance[fr]),
            share_change(now.compliance[fr].share, before.compliance[fr].share),
        ),
        field(
            "SLA met · resolution",
            _compliance(now.compliance[res]),
            share_change(now.compliance[res].share, before.compliance[res].share),
        ),
        field(
            "Escalations",
            f"{escalated} ({levels})" if escalated else "none",
            count_change(escalated, sum(before.escalations.values())),
        ),
        field("CSAT", csat, score_change(now.csat, before.csat)),
    ]
    blocks.append({"type": "section", "fields": fields})
    if trend is not None and len(trend.periods) > 1:
        length = "weeks" if days == 7 else f"periods of {days} days"
        blocks.append(trend_section(trend, f"Last {len(trend.periods)} {length}"))
    if now.ratings:
        blocks.append(section("*Ratings*\n" + "\n".join(ratings_lines(now.scores))))
    if now.agents:
        rows = []
        for line in now.agents[:AGENT_LIMIT]:
            who = f"<@{line.agent}>" if line.agent else "unassigned"
            rated = f" · CSAT {line.csat:.1f} ({line.ratings})" if line.csat is not None else ""
            rows.append(
                f"• {who}: {line.resolved} resolved · first response {_span(line.first_response)} · "
                f"resolution {_span(line.resolution)}{rated}"
            )
        if len(now.agents) > AGENT_LIMIT:
            rows.append(f"…and {len(now.agents) - AGENT_LIMIT} more agents.")
        blocks += [
            {"type": "divider"},
            section("*By agent* (tickets resolved in the period, medians)\n" + "\n".join(rows)),
        ]
    blocks.append(
        context(
            "Times count business hours where the priority's SLA does. ↑ ↓ compare with the period before."
        )
    )
    return f"{title}: {now.opened} opened, {now.resolved} resolved", blocks


def ratings_lines(scores: dict[int, int]) -> list[str]:
    """The ratings' distribution, 5 to 1, every line drawn alike: `4 ★ ████░░░░ 2`. Bars of
    plain-text blocks, all of one width, filled in proportion to the most given score (at least
    one block for a score given at all)."""
    top = max(scores.values(), default=0) or 1
    lines = []
    for score in reversed(SCORES):
        many = scores.get(score, 0)
        filled = max(1, round(BAR_WIDTH * many / top)) if many else 0
        lines.append(f"{score} ★ {BAR * filled}{EMPTY * (BAR_WIDTH - filled)} {many}")
    return lines
