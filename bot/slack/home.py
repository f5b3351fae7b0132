"""The App Home tab, per role (SPEC §11): an employee's open tickets and what happens next;
an agent's assigned tickets (at risk flagged) and the queue's counts; a lead's week with
8-week sparklines and the change against last week; then what each can do. Pure builders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.sla import TargetState
from bot.domain.ticket import Status, Ticket
from bot.domain.trend import Trend, met_share, sparkline
from bot.i18n import ENGLISH, Words
from bot.slack.blocks import context, section
from bot.slack.card import MARKS
from bot.slack.labels import priority_label
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


def _next(row: HomeRow, zone: ZoneInfo, words: Words) -> str:
    if row.upcoming is None:
        return ""
    return target_line(row.upcoming, zone, business=row.business, words=words)


def _for_requester(row: HomeRow, zone: ZoneInfo, words: Words = ENGLISH) -> str:
    """What happens next, as the person who raised it would put it."""
    w = words
    ticket = row.ticket
    agent = f"<@{ticket.assignee}>"
    if ticket.status is Status.OPEN:
        then = w.t("Waiting for an agent: {next}", next=_next(row, zone, w))
    elif ticket.status is Status.WAITING:
        then = w.t("{agent} asked you a question: answer in the ticket's thread", agent=agent)
    else:
        then = w.t("{agent} is on it: {next}", agent=agent, next=_next(row, zone, w))
    return f"{MARKS[ticket.priority]} *{row.ref}* · “{_summary(ticket)}”\n{then}"


def _for_agent(row: HomeRow, zone: ZoneInfo, words: Words = ENGLISH) -> str:
    w = words
    ticket = row.ticket
    flag = " · :warning: " + w.t("*at risk*") if row.at_risk else ""
    waiting = " · " + w.t("waiting on the requester") if ticket.status is Status.WAITING else ""
    label = priority_label(ticket.priority, w)
    return (
        f"{MARKS[ticket.priority]} *{row.ref}* · {label} · “{_summary(ticket)}”\n"
        f"{_next(row, zone, w)}{waiting}{flag}"
    )


def _listed(
    title: str, rows: list[HomeRow], line: Callable[[HomeRow], str], empty: str, words: Words = ENGLISH
) -> Blocks:
    blocks: Blocks = [section(f"*{title}* ({len(rows)})" if rows else f"*{title}*\n{empty}")]
    for row in rows[:SHOWN]:
        blocks.append(section(line(row)))
    if len(rows) > SHOWN:
        blocks.append(context(words.t("…and {more} more.", more=words.number(len(rows) - SHOWN))))
    return blocks


def _minutes(value: float | None, words: Words = ENGLISH) -> str:
    return words.duration(timedelta(minutes=value)) if value is not None else "–"


def week_lines(week: Trend, words: Words = ENGLISH) -> list[str]:
    """Each figure of the latest week: its 8-week sparkline, its value, its change."""
    w = words
    now, before = week.periods[-1], week.periods[-2] if len(week.periods) > 1 else week.periods[-1]
    fr_now, fr_before = now.first_response.median, before.first_response.median
    met_now, met_before = met_share(now), met_share(before)

    def share(value: float | None) -> str:
        return f"{round(value * 100)}%" if value is not None else "–"

    rows: list[tuple[list[float | None], str, str, str]] = [
        (week.opened, w.t("Opened"), w.number(now.opened), count_change(now.opened, before.opened, w)),
        (
            week.resolved,
            w.t("Resolved"),
            w.number(now.resolved),
            count_change(now.resolved, before.resolved, w),
        ),
        (
            week.first_response,
            w.t("First response p50"),
            _minutes(_in_minutes(fr_now), w),
            time_change(fr_now, fr_before, w),
        ),
        (week.sla_met, w.t("SLA met"), share(met_now), share_change(met_now, met_before, w)),
        (
            week.csat,
            "CSAT",
            f"{now.csat:.1f}" if now.csat is not None else "–",
            score_change(now.csat, before.csat, w),
        ),
    ]
    return [
        f"{sparkline(values)}  {name} · {value}" + (f"  _{change}_" if change else "")
        for values, name, value, change in rows
    ]


def _in_minutes(span: timedelta | None) -> float | None:
    return span.total_seconds() / 60 if span is not None else None


def _away_switch(away: str | None, words: Words = ENGLISH) -> dict[str, Any]:
    """An agent's away switch (SPEC §11), as `/desk away` and `/desk back` set it."""
    w = words
    if away is None:
        said = w.t("You're here: the desk may assign you new tickets.")
        label, action = w.t("I'm away"), HomeIds.AWAY
    else:
        if away:
            said = w.t("You're away until {when}: the desk assigns you nothing new.", when=away)
        else:
            said = w.t("You're away until you're back: the desk assigns you nothing new.")
        said, label, action = f":palm_tree: {said}", w.t("I'm back"), HomeIds.BACK
    switch = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action,
        "value": action,
    }
    return {"type": "section", "text": {"type": "mrkdwn", "text": said}, "accessory": switch}


def home_view(facts: HomeFacts, *, words: Words = ENGLISH) -> dict[str, Any]:
    """The home tab for one person, by what their roles see, in their language."""
    w = words
    prefix, zone = facts.prefix, facts.zone
    example = f"{prefix}-42"
    blocks: Blocks = [{"type": "header", "text": {"type": "plain_text", "text": plain(facts.desk_name, 150)}}]
    weeks = facts.team_weeks or ((("", facts.week),) if facts.week is not None else ())
    for team, week in weeks:
        title = w.t("*{team} · this week*", team=escape(team)) if team else w.t("*This week*")
        lines = "\n".join(week_lines(week, w))
        about = w.t("(the last 7 days; bars: the last 8 weeks, oldest first)")
        blocks.append(section(f"{title} {about}\n{lines}"))
    if weeks:
        blocks.append({"type": "divider"})
    if facts.assigned is not None:
        blocks += _listed(
            w.t("Assigned to you"),
            facts.assigned,
            lambda r: _for_agent(r, zone, w),
            w.t("Nothing is assigned to you."),
            w,
        )
    if facts.queue is not None:
        q = facts.queue
        taken = " · " + w.t("{n} assigned, not yet taken up", n=w.number(q.assigned)) if q.assigned else ""
        counts = w.t("{unclaimed} unclaimed", unclaimed=w.number(q.unclaimed)) + taken
        rest = w.t(
            "{at_risk} at risk · {overdue} overdue.", at_risk=w.number(q.at_risk), overdue=w.number(q.overdue)
        )
        head = w.t("*The queue*: {counts}", counts=counts)
        blocks.append(section(f"{head} · {rest} " + w.t("`/desk queue` lists them.")))
    if facts.assigned is not None:
        blocks.append(_away_switch(facts.away, w))
    if facts.queue is not None or facts.assigned is not None:
        blocks.append({"type": "divider"})
    blocks += _listed(
        w.t("Your open tickets"),
        facts.mine,
        lambda r: _for_requester(r, zone, w),
        w.t("None. Send me a direct message whenever you need help."),
        w,
    )
    blocks += facts.approvals
    help_lines = [
        "\n".join(
            [
                w.t(
                    "*Need help?* Send me a direct message describing the problem. "
                    "I'll ask a couple of quick questions and open a ticket for you."
                ),
                "• " + w.t("`/ticket what's wrong` does the same from anywhere"),
                "• " + w.t("Say `status {ref}` or `my tickets` to see how things stand", ref=example),
            ]
        )
    ]
    if facts.assigned is not None:
        help_lines.append(
            "\n".join(
                [
                    w.t("*For agents*"),
                    "• " + w.t("`/desk queue` shows what is waiting"),
                    f"• `/desk claim {example}`, "
                    + w.t(
                        "`/desk reply {ref} your answer`, `/desk wait {ref} a question`, "
                        "`/desk reassign {ref} @someone`, `/desk resolve {ref} what fixed it`",
                        ref=example,
                    ),
                    "• "
                    + w.t(
                        "`/desk away 2h` (or `/desk away fri`) and `/desk back`: "
                        "the desk assigns you nothing new meanwhile"
                    ),
                    "• " + w.t("`/desk help` lists every verb"),
                ]
            )
        )
    if weeks:
        help_lines.append(
            w.t("*For leads*")
            + "\n• "
            + w.t("`/desk quality 7d` (or `30d`, `90d`) sums up how the desk is doing")
        )
    blocks += [{"type": "divider"}, *(section(text) for text in help_lines)]
    footer = w.t("an open-source service desk · updated as tickets change")
    blocks.append(context(f"{escape(facts.desk_name)} · {footer}"))
    return {"type": "home", "blocks": blocks}
