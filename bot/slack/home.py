"""The App Home tab, per role (SPEC §11): an employee's open tickets and what happens next;
an agent's assigned tickets (at risk flagged) and the queue's counts; a lead's week with
8-week sparklines and the change against last week; then what each can do. Pure builders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.durations import format_duration
from bot.domain.sla import TargetState
from bot.domain.ticket import Status, Ticket
from bot.domain.trend import Trend, met_share, sparkline
from bot.slack.blocks import context, section
from bot.slack.card import MARKS
from bot.slack.mrkdwn import escape, plain
from bot.slack.quality_blocks import count_change, score_change, share_change, time_change
from bot.slack.when import target_line

Blocks = list[dict[str, Any]]
SHOWN = 10  # tickets listed per section before "and N more"


@dataclass(frozen=True)
class HomeRow:
    """One ticket on someone's Home, with its next target as it stands."""

    ref: str
    ticket: Ticket
    upcoming: TargetState | None
    at_risk: bool
    business: bool


@dataclass(frozen=True)
class QueueCounts:
    unclaimed: int  # nobody has them
    at_risk: int
    overdue: int
    assigned: int = 0  # given to an agent who has not taken them up yet


@dataclass(frozen=True)
class HomeFacts:
    """What one person's Home shows; None for the parts their role does not see."""

    desk_name: str
    prefix: str
    zone: ZoneInfo
    mine: list[HomeRow]
    assigned: list[HomeRow] | None = None  # agents
    queue: QueueCounts | None = None  # agents
    week: Trend | None = None  # leads: the last 8 weeks, this one last
    team_weeks: tuple[tuple[str, Trend], ...] = ()  # leads of a desk of several teams: each team's
    away: str | None = None  # agents who are away: until when, in words ("" until they are back)
    approvals: tuple[dict[str, Any], ...] = ()  # requests waiting for approval: theirs, and for them


class HomeIds:
    AWAY = "home_away"
    BACK = "home_back"


def _summary(ticket: Ticket) -> str:
    return escape(plain(" ".join(ticket.text.split()), 80))


def _next(row: HomeRow, zone: ZoneInfo) -> str:
    if row.upcoming is None:
        return ""
    return target_line(row.upcoming, zone, business=row.business)


def _for_requester(row: HomeRow, zone: ZoneInfo) -> str:
    """What happens next, as the person who raised it would put it."""
    ticket = row.ticket
    if ticket.status is Status.OPEN:
        then = f"Waiting for an agent: {_next(row, zone)}"
    elif ticket.status is Status.WAITING:
        then = f"<@{ticket.assignee}> asked you a question: answer in the ticket's thread"
    else:
        then = f"<@{ticket.assignee}> is on it: {_next(row, zone)}"
    return f"{MARKS[ticket.priority]} *{row.ref}* · “{_summary(ticket)}”\n{then}"


def _for_agent(row: HomeRow, zone: ZoneInfo) -> str:
    ticket = row.ticket
    flag = " · :warning: *at risk*" if row.at_risk else ""
    waiting = " · waiting on the requester" if ticket.status is Status.WAITING else ""
    return (
        f"{MARKS[ticket.priority]} *{row.ref}* · {ticket.priority.label} · “{_summary(ticket)}”\n"
        f"{_next(row, zone)}{waiting}{flag}"
    )


def _listed(title: str, rows: list[HomeRow], line: Callable[[HomeRow], str], empty: str) -> Blocks:
    blocks: Blocks = [section(f"*{title}* ({len(rows)})" if rows else f"*{title}*\n{empty}")]
    for row in rows[:SHOWN]:
        blocks.append(section(line(row)))
    if len(rows) > SHOWN:
        blocks.append(context(f"…and {len(rows) - SHOWN} more."))
    return blocks


def _minutes(value: float | None) -> str:
    return format_duration(timedelta(minutes=value)) if value is not None else "–"


def week_lines(week: Trend) -> list[str]:
    """Each figure of the latest week: its 8-week sparkline, its value, its change."""
    now, before = week.periods[-1], week.periods[-2] if len(week.periods) > 1 else week.periods[-1]
    fr_now, fr_before = now.first_response.median, before.first_response.median
    met_now, met_before = met_share(now), met_share(before)

    def share(value: float | None) -> str:
        return f"{round(value * 100)}%" if value is not None else "–"

    rows: list[tuple[list[float | None], str, str, str]] = [
        (week.opened, "Opened", str(now.opened), count_change(now.opened, before.opened)),
        (week.resolved, "Resolved", str(now.resolved), count_change(now.resolved, before.resolved)),
        (
            week.first_response,
            "First response p50",
            _minutes(_in_minutes(fr_now)),
            time_change(fr_now, fr_before),
        ),
        (week.sla_met, "SLA met", share(met_now), share_change(met_now, met_before)),
        (
            week.csat,
            "CSAT",
            f"{now.csat:.1f}" if now.csat is not None else "–",
            score_change(now.csat, before.csat),
        ),
    ]
    return [
        f"{sparkline(values)}  {name} · {value}" + (f"  _{change}_" if change else "")
        for values, name, value, change in rows
    ]


def _in_minutes(span: timedelta | None) -> float | None:
    return span.total_seconds() / 60 if span is not None else None


def _away_switch(away: str | None) -> dict[str, Any]:
    """An agent's away switch (SPEC §11), as `/desk away` and `/desk back` set it."""
    if away is None:
        said, label, action = "You're here: the desk may assign you new tickets.", "I'm away", HomeIds.AWAY
    else:
        when = f"until {away}" if away else "until you're back"
        said, label, action = (
            f":palm_tree: You're away {when}: the desk assigns you nothing new.",
            "I'm back",
            HomeIds.BACK,
        )
    switch = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action,
        "value": action,
    }
    return {"type": "section", "text": {"type": "mrkdwn", "text": said}, "accessory": switch}


def home_view(facts: HomeFacts) -> dict[str, Any]:
    """The home tab for one person, by what their roles see."""
    prefix, zone = facts.prefix, facts.zone
    blocks: Blocks = [{"type": "header", "text": {"type": "plain_text", "text": plain(facts.desk_name, 150)}}]
    weeks = facts.team_weeks or ((("", facts.week),) if facts.week is not None else ())
    for team, week in weeks:
        title = f"*{escape(team)} · this week*" if team else "*This week*"
        lines = "\n".join(week_lines(week))
        blocks.append(section(f"{title} (the last 7 days; bars: the last 8 weeks, oldest first)\n{lines}"))
    if weeks:
        blocks.append({"type": "divider"})
    if facts.assigned is not None:
        blocks += _listed(
            "Assigned to you", facts.assigned, lambda r: _for_agent(r, zone), "Nothing is assigned to you."
        )
    if facts.queue is not None:
        q = facts.queue
        blocks.append(
            section(
                f"*The queue*: {q.unclaimed} unclaimed{_not_taken_up(q.assigned)} · {q.at_risk} at risk · "
                f"{q.overdue} overdue. "
                "`/desk queue` lists them."
            )
        )
    if facts.assigned is not None:
        blocks.append(_away_switch(facts.away))
    if facts.queue is not None or facts.assigned is not None:
        blocks.append({"type": "divider"})
    blocks += _listed(
        "Your open tickets",
        facts.mine,
        lambda r: _for_requester(r, zone),
        "None. Send me a direct message whenever you need help.",
    )
    blocks += facts.approvals
    help_lines = [
        "*Need help?* Send me a direct message describing the problem. I'll ask a couple of quick "
        "questions and open a ticket for you.\n"
        f"• `/ticket what's wrong` does the same from anywhere\n"
        f"• Say `status {prefix}-42` or `my tickets` to see how things stand"
    ]
    if facts.assigned is not None:
        help_lines.append(
            "*For agents*\n"
            f"• `/desk queue` shows what is waiting\n• `/desk claim {prefix}-42`, "
            f"`/desk reply {prefix}-42 your answer`, `/desk wait {prefix}-42 a question`, "
            f"`/desk reassign {prefix}-42 @someone`, `/desk resolve {prefix}-42 what fixed it`\n"
            "• `/desk away 2h` (or `/desk away fri`) and `/desk back`: the desk assigns you nothing new "
            "meanwhile\n• `/desk help` lists every verb"
        )
    if weeks:
        help_lines.append("*For leads*\n• `/desk quality 7d` (or `30d`, `90d`) sums up how the desk is doing")
    blocks += [{"type": "divider"}, *(section(text) for text in help_lines)]
    blocks.append(
        context(f"{escape(facts.desk_name)} · an open-source service desk · updated as tickets change")
    )
    return {"type": "home", "blocks": blocks}


def _not_taken_up(assigned: int) -> str:
    """` · 2 assigned, not yet taken up`: given to agents by the desk, nobody on them yet."""
    return f" · {assigned} assigned, not yet taken up" if assigned else ""
