"""The quality summary as leads read it: a header, the figures as fields with their change
against the previous period, the CSAT spread, and a line per agent. Pure builder."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

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


def _span(value: timedelta | None, words: Words = ENGLISH) -> str:
    return words.duration(value) if value is not None else "–"


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


def _spread(spread: Spread, words: Words = ENGLISH) -> str:
    if not spread.count:
        return words.t("nothing measured")
    return words.t(
        "median {median} · p90 {p90}", median=_span(spread.median, words), p90=_span(spread.p90, words)
    )


def _compliance(c: Compliance, words: Words = ENGLISH) -> str:
    share = c.share
    if share is None:
        return words.t("nothing due")
    return words.t("{share}% ({met} of {decided})", share=round(share * 100), met=c.met, decided=c.decided)


def quality_answer(
    now: Summary,
    before: Summary,
    days: int,
    zone: ZoneInfo,
    trend: Trend | None = None,
    *,
    team: str = "",
    words: Words = ENGLISH,
) -> tuple[str, Blocks]:
    w = words
    start = day(now.period.start.astimezone(zone).date(), words=w)
    end = local_moment(now.period.end.astimezone(zone), words=w)
    title = w.t("Quality · {team}last {days} days", team=team + " · " if team else "", days=days)
    blocks: Blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": title}},
        context(
            w.t(
                "{start} – {end}, each figure compared with the {days} days before",
                start=start,
                end=end,
                days=days,
            )
        ),
    ]
    if now.empty:
        text = w.t(
            "Nothing to report for the last {days} days: "
            "no tickets were opened, resolved, rated or escalated.",
            days=days,
        )
        blocks.append(section(text))
        return text, blocks
    fr, res = Target.FIRST_RESPONSE, Target.RESOLUTION
    escalated = sum(now.escalations.values())
    levels = " · ".join(
        f"{now.escalations.get(level, 0)} {said}"
        for level, said in (
            (Level.AT_RISK, w.t("at risk")),
            (Level.BREACHED, w.t("breached")),
            (Level.LEADS, w.t("to leads")),
        )
    )
    if now.csat is None:
        csat = w.t("no ratings yet")
    else:
        rate = now.response_rate
        of_resolved = w.t(", {share}% of resolved", share=round(rate * 100)) if rate is not None else ""
        csat = (
            w.tn(
                "{score} / 5 from {n} rating",
                "{score} / 5 from {n} ratings",
                now.ratings,
                score=f"{now.csat:.1f}",
            )
            + of_resolved
        )
    fields = [
        field(w.t("Opened"), str(now.opened), count_change(now.opened, before.opened, w)),
        field(w.t("Resolved"), str(now.resolved), count_change(now.resolved, before.resolved, w)),
        field(
            w.t("First response"),
            _spread(now.first_response, w),
            time_change(now.first_response.median, before.first_response.median, w),
        ),
        field(
            w.t("Resolution"),
            _spread(now.resolution, w),
            time_change(now.resolution.median, before.resolution.median, w),
        ),
        field(
            w.t("SLA met · first response"),
            _compliance(now.compliance[fr], w),
            share_change(now.compliance[fr].share, before.compliance[fr].share, w),
        ),
        field(
            w.t("SLA met · resolution"),
            _compliance(now.compliance[res], w),
            share_change(now.compliance[res].share, before.compliance[res].share, w),
        ),
        field(
            w.t("Escalations"),
            f"{escalated} ({levels})" if escalated else w.t("none"),
            count_change(escalated, sum(before.escalations.values()), w),
        ),
        field("CSAT", csat, score_change(now.csat, before.csat, w)),
    ]
    blocks.append({"type": "section", "fields": fields})
    if trend is not None and len(trend.periods) > 1:
        count = len(trend.periods)
        if days == 7:
            length = w.t("Last {n} weeks", n=count)
        else:
            length = w.t("Last {n} periods of {days} days", n=count, days=days)
        blocks.append(trend_section(trend, length, w))
    if now.ratings:
        blocks.append(section(w.t("*Ratings*") + "\n" + "\n".join(ratings_lines(now.scores))))
    if now.agents:
        rows = []
        for line in now.agents[:AGENT_LIMIT]:
            who = f"<@{line.agent}>" if line.agent else w.t("unassigned")
            rated = f" · CSAT {line.csat:.1f} ({line.ratings})" if line.csat is not None else ""
            said = w.t(
                "{who}: {resolved} resolved · first response {first} · resolution {resolution}",
                who=who,
                resolved=line.resolved,
                first=_span(line.first_response, w),
                resolution=_span(line.resolution, w),
            )
            rows.append(f"• {said}{rated}")
        if len(now.agents) > AGENT_LIMIT:
            rows.append(w.t("…and {more} more agents.", more=len(now.agents) - AGENT_LIMIT))
        by_agent = w.t("*By agent* (tickets resolved in the period, medians)")
        blocks += [{"type": "divider"}, section(by_agent + "\n" + "\n".join(rows))]
    blocks.append(
        context(
            w.t(
                "Times count business hours where the priority's SLA does. "
                "↑ ↓ compare with the period before."
            )
        )
    )
    return w.t(
        "{title}: {opened} opened, {resolved} resolved", title=title, opened=now.opened, resolved=now.resolved
    ), blocks


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
