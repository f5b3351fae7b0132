"""The daily digest as leads read it. Pure builder.

The header carries `digest:<day>` as its `block_id`, so the desk can see that a
conversation already has the day's digest before it sends one (after a crash, a restart or
an explicit send).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.digest import Digest, DigestSchedule, Watched, missed
from bot.domain.priority import Priority
from bot.slack.blocks import context, section
from bot.slack.mrkdwn import escape, plain, who
from bot.slack.quality_blocks import count_change, field, score_change
from bot.slack.trend_blocks import trend_section
from bot.slack.when import DAY_NAMES, age, clock, day, target_line

Blocks = list[dict[str, Any]]
WATCH_LIMIT = 10  # tickets listed under "Needs attention now"
SUMMARY_LIMIT = 80


@dataclass(frozen=True)
class DigestLook:
    """What the builder needs from the desk besides the digest."""

    desk_name: str
    schedule: DigestSchedule
    ref: Callable[[int], str]
    business: Callable[[Priority], bool]  # whether a priority's targets count business hours
    team: str = ""  # the team it is about, with several; "" for the whole desk

    @property
    def zone(self) -> ZoneInfo:
        return self.schedule.zone


def digest_id(day: date, team: str = "") -> str:
    """The block id naming the digest of `day` (of one team, with several)."""
    return f"digest:{day.isoformat()}" + (f":{team}" if team else "")


def _day(when: date) -> str:
    return day(when)


def _covered(digest: Digest, zone: ZoneInfo) -> tuple[str, str]:
    """The period in words (`yesterday, Mon 23 Nov`) and what it is compared with."""
    period = digest.summary.period
    first = period.start.astimezone(zone).date()
    last = period.end.astimezone(zone).date() - timedelta(days=1)
    if digest.days == 1:
        return f"Yesterday, {_day(first)}", "the day before"
    return f"{_day(first)} – {_day(last)}, since the last digest", f"the {digest.days} days before"


def schedule_words(schedule: DigestSchedule) -> str:
    days = schedule.days
    if days == frozenset(range(7)):
        when = "Every day"
    elif days == frozenset(range(5)):
        when = "Every weekday"
    else:
        when = "Every " + ", ".join(DAY_NAMES[d] for d in sorted(days))
    return f"{when} at {clock(datetime.combine(date.min, schedule.at))} ({schedule.zone.key})"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _by_priority(digest: Digest, between: str) -> str:
    """The open backlog's priorities in words: `1 high · 2 normal`."""
    return between.join(f"{n} {p.word.lower()}" for p, n in digest.backlog.by_priority.items() if n)


def _open_now(digest: Digest, change: str) -> str:
    """Open tickets by priority, the change beside the total it is about, then how many
    are unclaimed."""
    backlog = digest.backlog
    tail = f"  _{change}_" if change else ""
    if not backlog.total:
        return f"none{tail}"
    return f"{backlog.total}: {_by_priority(digest, ' · ')}{tail}\n{_nobody_on(digest)}"


def _nobody_on(digest: Digest) -> str:
    """`2 unclaimed · 1 assigned, not yet taken up`: the open tickets nobody is on yet, those
    nobody has apart from those the desk gave to someone who has not taken them up."""
    backlog = digest.backlog
    given = f" · {backlog.assigned} assigned, not yet taken up" if backlog.assigned else ""
    return f"{backlog.unclaimed} unclaimed{given}"


def _missed(digest: Digest) -> str:
    by_target = missed(digest.summary)
    total = sum(by_target.values())
    if not total:
        return "none"
    parts = [f"{n} {target.words}" for target, n in by_target.items() if n]
    return f"{total}: {' · '.join(parts)}"


def _csat(digest: Digest) -> str:
    summary = digest.summary
    if summary.csat is None:
        return "no ratings"
    return f"{summary.csat:.1f} / 5 from {_plural(summary.ratings, 'rating')}"


def _oldest_unclaimed(digest: Digest, look: DigestLook) -> str:
    ticket = digest.backlog.oldest_unclaimed
    if ticket is None:
        if not digest.backlog.total:
            return "*Oldest unclaimed:* none, nothing is open."
        if digest.backlog.assigned:
            return "*Oldest unclaimed:* none, every open ticket is assigned to someone."
        return "*Oldest unclaimed:* none, every open ticket has someone on it."
    summary = escape(plain(" ".join(ticket.text.split()), SUMMARY_LIMIT))
    waiting = age(ticket.opened_at, digest.backlog.moment).removesuffix(" ago")
    return (
        f"*Oldest unclaimed:* {look.ref(ticket.number)} · {ticket.priority.label} · “{summary}” "
        f"from {who(ticket.requester)}, waiting {waiting}"
    )


def _watch_line(watched: Watched, look: DigestLook) -> str:
    ticket, state = watched.ticket, watched.state
    line = target_line(state, look.zone, business=look.business(ticket.priority))
    who = f"<@{ticket.assignee}>" if ticket.assignee else "unclaimed"
    if ticket.assigned_only:
        who = f"assigned to <@{ticket.assignee}>, not yet taken up"
    return f"• {look.ref(ticket.number)} · {ticket.priority.label} · {line} · {who}"


def _needs_attention(digest: Digest, look: DigestLook) -> Blocks:
    watched = digest.backlog.overdue + digest.backlog.at_risk
    if not watched:
        return []
    lines = [_watch_line(w, look) for w in watched[:WATCH_LIMIT]]
    if len(watched) > WATCH_LIMIT:
        lines.append(f"…and {len(watched) - WATCH_LIMIT} more — `/desk queue` shows them all.")
    return [section("*Needs attention now*\n" + "\n".join(lines))]


def _trend(digest: Digest) -> Blocks:
    if digest.trend is None:
        return []
    what = "days" if digest.days == 1 else "spells like this one"
    return [trend_section(digest.trend, f"Last {len(digest.trend.periods)} {what}")]


def digest_message(digest: Digest, look: DigestLook) -> tuple[str, Blocks]:
    """The digest's fallback text and blocks."""
    title = f"Daily digest · {look.team + ' · ' if look.team else ''}{_day(digest.day)}"
    period, compared = _covered(digest, look.zone)
    backlog, earlier = digest.backlog, digest.backlog_before
    blocks: Blocks = [
        {
            "type": "header",
            "block_id": digest_id(digest.day, look.team),
            "text": {"type": "plain_text", "text": title},
        },
    ]
    if digest.quiet:
        spell = "day" if digest.days == 1 else "spell"
        when = "yesterday" if digest.days == 1 else "since the last digest"
        quiet = (
            f"A quiet {spell}: no tickets were opened, resolved or rated {when}, and no targets were missed."
        )
        still = "Nothing is open."
        if backlog.total:
            parts = _by_priority(digest, ", ")
            still = f"{_plural(backlog.total, 'ticket')} still open ({parts}), {_nobody_on(digest)}."
        blocks += [context(f"{period} ({look.zone.key})"), section(f"{quiet}\n{still}")]
        if backlog.unclaimed:
            blocks.append(section(_oldest_unclaimed(digest, look)))
        blocks += _needs_attention(digest, look)
        blocks.append(context(f"{schedule_words(look.schedule)} · {look.desk_name}"))
        return f"{title}: a quiet {spell}. {still}", blocks
    s, b = digest.summary, digest.before
    missed_now, missed_before = (sum(missed(x).values()) for x in (s, b))
    fields = [
        field("Opened", str(s.opened), count_change(s.opened, b.opened)),
        field("Resolved", str(s.resolved), count_change(s.resolved, b.resolved)),
        field("Targets missed", _missed(digest), count_change(missed_now, missed_before)),
        field("CSAT", _csat(digest), score_change(s.csat, b.csat)),
        field("Open now", _open_now(digest, count_change(backlog.total, earlier.total)), ""),
        field(
            "At risk or overdue now",
            f"{len(backlog.at_risk)} at risk · {len(backlog.overdue)} overdue",
            count_change(
                len(backlog.at_risk) + len(backlog.overdue), len(earlier.at_risk) + len(earlier.overdue)
            ),
        ),
    ]
    blocks += [
        context(f"{period} ({look.zone.key}) · each figure compared with {compared}"),
        {"type": "section", "fields": fields},
        *_trend(digest),
        section(_oldest_unclaimed(digest, look)),
        *_needs_attention(digest, look),
        context(
            f"{schedule_words(look.schedule)} · {look.desk_name} · "
            "`/desk quality` shows the last 7, 30 or 90 days"
        ),
    ]
    text = (
        f"{title}: {s.opened} opened, {s.resolved} resolved, {_plural(missed_now, 'target')} missed; "
        f"{backlog.total} open now"
    )
    return text, blocks
