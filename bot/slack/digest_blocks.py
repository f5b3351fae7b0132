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
from bot.i18n import ENGLISH, Words
from bot.slack.blocks import context, section
from bot.slack.labels import priority_label, priority_word
from bot.slack.mrkdwn import escape, plain, who
from bot.slack.quality_blocks import count_change, field, score_change
from bot.slack.trend_blocks import trend_section
from bot.slack.when import age, clock, day, target_line, target_name

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
    words: Words = ENGLISH  # the desk's language

    @property
    def zone(self) -> ZoneInfo:
        return self.schedule.zone


def digest_id(day: date, team: str = "") -> str:
    """The block id naming the digest of `day` (of one team, with several)."""
    return f"digest:{day.isoformat()}" + (f":{team}" if team else "")


def _day(when: date, words: Words = ENGLISH) -> str:
    return day(when, words=words)


def _covered(digest: Digest, zone: ZoneInfo, words: Words = ENGLISH) -> tuple[str, str]:
    """The period in words (`yesterday, Mon 23 Nov`) and what it is compared with."""
    w = words
    period = digest.summary.period
    first = period.start.astimezone(zone).date()
    last = period.end.astimezone(zone).date() - timedelta(days=1)
    if digest.days == 1:
        return w.t("Yesterday, {day}", day=_day(first, w)), w.t("the day before")
    covered = w.t("{first} – {last}, since the last digest", first=_day(first, w), last=_day(last, w))
    return covered, w.t("the {days} days before", days=digest.days)


def schedule_words(schedule: DigestSchedule, words: Words = ENGLISH) -> str:
    w = words
    days = schedule.days
    if days == frozenset(range(7)):
        when = w.t("Every day")
    elif days == frozenset(range(5)):
        when = w.t("Every weekday")
    else:
        monday = date(2024, 1, 1)  # a Monday: the names of the days, as the language writes them
        names = [w.weekday(monday + timedelta(days=d)) for d in sorted(days)]
        when = w.t("Every {days}", days=", ".join(names))
    at = clock(datetime.combine(date.min, schedule.at))
    return w.t("{when} at {time} ({zone})", when=when, time=at, zone=schedule.zone.key)


def _by_priority(digest: Digest, between: str, words: Words = ENGLISH) -> str:
    """The open backlog's priorities in words: `1 high · 2 normal`."""
    return between.join(
        f"{n} {priority_word(p, words).lower()}" for p, n in digest.backlog.by_priority.items() if n
    )


def _open_now(digest: Digest, change: str, words: Words = ENGLISH) -> str:
    """Open tickets by priority, the change beside the total it is about, then how many
    are unclaimed."""
    backlog = digest.backlog
    tail = f"  _{change}_" if change else ""
    if not backlog.total:
        return words.t("none") + tail
    return f"{backlog.total}: {_by_priority(digest, ' · ', words)}{tail}\n{_nobody_on(digest, words)}"


def _nobody_on(digest: Digest, words: Words = ENGLISH) -> str:
    """`2 unclaimed · 1 assigned, not yet taken up`: the open tickets nobody is on yet, those
    nobody has apart from those the desk gave to someone who has not taken them up."""
    w = words
    backlog = digest.backlog
    given = (
        " · " + w.t("{n} assigned, not yet taken up", n=w.number(backlog.assigned))
        if backlog.assigned
        else ""
    )
    return w.t("{unclaimed} unclaimed", unclaimed=w.number(backlog.unclaimed)) + given


def _missed(digest: Digest, words: Words = ENGLISH) -> str:
    by_target = missed(digest.summary)
    total = sum(by_target.values())
    if not total:
        return words.t("none")
    parts = [f"{n} {target_name(target, words)}" for target, n in by_target.items() if n]
    return f"{total}: {' · '.join(parts)}"


def _csat(digest: Digest, words: Words = ENGLISH) -> str:
    summary = digest.summary
    if summary.csat is None:
        return words.t("no ratings")
    return words.tn(
        "{score} / 5 from {n} rating",
        "{score} / 5 from {n} ratings",
        summary.ratings,
        score=f"{summary.csat:.1f}",
    )


def _oldest_unclaimed(digest: Digest, look: DigestLook) -> str:
    w = look.words
    ticket = digest.backlog.oldest_unclaimed
    head = w.t("*Oldest unclaimed:*")
    if ticket is None:
        if not digest.backlog.total:
            return f"{head} " + w.t("none, nothing is open.")
        if digest.backlog.assigned:
            return f"{head} " + w.t("none, every open ticket is assigned to someone.")
        return f"{head} " + w.t("none, every open ticket has someone on it.")
    summary = escape(plain(" ".join(ticket.text.split()), SUMMARY_LIMIT))
    waiting = w.duration(digest.backlog.moment - ticket.opened_at)
    if digest.backlog.moment - ticket.opened_at < timedelta(minutes=1):
        waiting = age(ticket.opened_at, digest.backlog.moment, words=w).removesuffix(" ago")
    label = priority_label(ticket.priority, w)
    said = w.t(
        "{ref} · {priority} · “{summary}” from {person}, waiting {waiting}",
        ref=look.ref(ticket.number),
        priority=label,
        summary=summary,
        person=who(ticket.requester),
        waiting=waiting,
    )
    return f"{head} {said}"


def _watch_line(watched: Watched, look: DigestLook) -> str:
    w = look.words
    ticket, state = watched.ticket, watched.state
    line = target_line(state, look.zone, business=look.business(ticket.priority), words=w)
    who = f"<@{ticket.assignee}>" if ticket.assignee else w.t("unclaimed")
    if ticket.assigned_only:
        who = w.t("assigned to {agent}, not yet taken up", agent=f"<@{ticket.assignee}>")
    return f"• {look.ref(ticket.number)} · {priority_label(ticket.priority, w)} · {line} · {who}"


def _needs_attention(digest: Digest, look: DigestLook) -> Blocks:
    w = look.words
    watched = digest.backlog.overdue + digest.backlog.at_risk
    if not watched:
        return []
    lines = [_watch_line(x, look) for x in watched[:WATCH_LIMIT]]
    if len(watched) > WATCH_LIMIT:
        more = w.number(len(watched) - WATCH_LIMIT)
        lines.append(w.t("…and {more} more — `/desk queue` shows them all.", more=more))
    return [section(w.t("*Needs attention now*") + "\n" + "\n".join(lines))]


def _trend(digest: Digest, words: Words = ENGLISH) -> Blocks:
    if digest.trend is None:
        return []
    count = len(digest.trend.periods)
    if digest.days == 1:
        what = words.t("Last {n} days", n=count)
    else:
        what = words.t("Last {n} spells like this one", n=count)
    return [trend_section(digest.trend, what, words)]


def digest_message(digest: Digest, look: DigestLook) -> tuple[str, Blocks]:
    """The digest's fallback text and blocks, in `look.words` (the desk's language)."""
    w = look.words
    team = look.team + " · " if look.team else ""
    title = w.t("Daily digest · {team}{day}", team=team, day=_day(digest.day, w))
    period, compared = _covered(digest, look.zone, w)
    backlog, earlier = digest.backlog, digest.backlog_before
    blocks: Blocks = [
        {
            "type": "header",
            "block_id": digest_id(digest.day, look.team),
            "text": {"type": "plain_text", "text": title},
        },
    ]
    if digest.quiet:
        if digest.days == 1:
            quiet = w.t(
                "A quiet day: no tickets were opened, resolved or rated yesterday, "
                "and no targets were missed."
            )
            short = w.t("{title}: a quiet day.", title=title)
        else:
            quiet = w.t(
                "A quiet spell: no tickets were opened, resolved or rated since the last digest, "
                "and no targets were missed."
            )
            short = w.t("{title}: a quiet spell.", title=title)
        still = w.t("Nothing is open.")
        if backlog.total:
            parts = _by_priority(digest, ", ", w)
            still = w.tn(
                "{n} ticket still open ({parts}), {nobody}.",
                "{n} tickets still open ({parts}), {nobody}.",
                backlog.total,
                parts=parts,
                nobody=_nobody_on(digest, w),
            )
        blocks += [context(f"{period} ({look.zone.key})"), section(f"{quiet}\n{still}")]
        if backlog.unclaimed:
            blocks.append(section(_oldest_unclaimed(digest, look)))
        blocks += _needs_attention(digest, look)
        blocks.append(context(f"{schedule_words(look.schedule, w)} · {look.desk_name}"))
        return f"{short} {still}", blocks
    s, b = digest.summary, digest.before
    missed_now, missed_before = (sum(missed(x).values()) for x in (s, b))
    fields = [
        field(w.t("Opened"), str(s.opened), count_change(s.opened, b.opened, w)),
        field(w.t("Resolved"), str(s.resolved), count_change(s.resolved, b.resolved, w)),
        field(w.t("Targets missed"), _missed(digest, w), count_change(missed_now, missed_before, w)),
        field("CSAT", _csat(digest, w), score_change(s.csat, b.csat, w)),
        field(w.t("Open now"), _open_now(digest, count_change(backlog.total, earlier.total, w), w), ""),
        field(
            w.t("At risk or overdue now"),
            w.t(
                "{at_risk} at risk · {overdue} overdue",
                at_risk=len(backlog.at_risk),
                overdue=len(backlog.overdue),
            ),
            count_change(
                len(backlog.at_risk) + len(backlog.overdue), len(earlier.at_risk) + len(earlier.overdue), w
            ),
        ),
    ]
    compared_with = w.t("each figure compared with {compared}", compared=compared)
    quality = w.t("`/desk quality` shows the last 7, 30 or 90 days")
    blocks += [
        context(f"{period} ({look.zone.key}) · {compared_with}"),
        {"type": "section", "fields": fields},
        *_trend(digest, w),
        section(_oldest_unclaimed(digest, look)),
        *_needs_attention(digest, look),
        context(f"{schedule_words(look.schedule, w)} · {look.desk_name} · {quality}"),
    ]
    text = w.tn(
        "{title}: {opened} opened, {resolved} resolved, {n} target missed; {open} open now",
        "{title}: {opened} opened, {resolved} resolved, {n} targets missed; {open} open now",
        missed_now,
        title=title,
        opened=s.opened,
        resolved=s.resolved,
        open=backlog.total,
    )
    return text, blocks
