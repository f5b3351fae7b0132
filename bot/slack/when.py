"""Times and spans as people read them in Slack: one way of writing a day and a time, here.

A day is `Mon 7 Dec` (with the year where it may be another: `Mon 7 Dec 2026`), a time is
24-hour `09:05`, a moment is both: `Mon 7 Dec, 09:05 CET`. Every message, the export's
readers, the charts and the sandbox's page (`bot/sandbox/static/app.js` mirrors `day` and
`clock`) write them so.

Due times use Slack's date token, so each reader sees their own time zone (in Slack's own
words for it, by their settings); the fallback (shown in notifications and by clients that
cannot render the token) is written as above, in the desk's time zone.

Each function takes the reader's `Words` (English by default): a Chinese reader gets
`12月7日周一 09:05`, `1小时30分钟`, and Slack's token with Chinese words around it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.policy import Target
from bot.domain.sla import TargetState
from bot.i18n import ENGLISH, Words

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def english_day(when: date, *, year: bool = False) -> str:
    """A day in English: `Mon 7 Dec`, or `Mon 7 Dec 2026` with its year, whatever the
    machine's locale."""
    words = f"{DAY_NAMES[when.weekday()]} {when.day} {MONTH_NAMES[when.month - 1]}"
    return f"{words} {when.year}" if year else words


def day(when: date, *, year: bool = False, words: Words = ENGLISH) -> str:
    """A day: `Mon 7 Dec`, or `Mon 7 Dec 2026` with its year (`12月7日周一` in Chinese)."""
    return words.day(when, year=year)


def clock(moment: datetime) -> str:
    """A time of day, 24-hour: `09:05` (of the moment as given, in its own zone)."""
    return f"{moment:%H:%M}"


def local_moment(moment: datetime, *, words: Words = ENGLISH) -> str:
    """A moment in its own zone, without naming the zone: `Mon 7 Dec, 09:05`."""
    return words.moment(moment)


def at(moment: datetime, zone: ZoneInfo, *, words: Words = ENGLISH) -> str:
    """A moment as plain text in the desk's zone: `Tue 26 Nov, 10:00 CET`."""
    local = moment.astimezone(zone)
    return f"{local_moment(local, words=words)} {local.tzname() or ''}".rstrip()


def slack_at(moment: datetime, zone: ZoneInfo, *, words: Words = ENGLISH) -> str:
    """A moment for mrkdwn: Slack shows it in each reader's own time zone."""
    epoch = int(moment.timestamp())
    shown = words.t("{date_short_pretty} at {time}", date_short_pretty="{date_short_pretty}", time="{time}")
    return f"<!date^{epoch}^{shown}|{at(moment, zone, words=words)}>"


def age(since: datetime, now: datetime, *, words: Words = ENGLISH) -> str:
    """How long ago: `3h 5m ago`, or `just now`."""
    span = now - since
    if span < timedelta(minutes=1):
        return words.t("just now")
    return words.t("{span} ago", span=words.duration(span))


def left_in_words(left: timedelta, *, business: bool = False, words: Words = ENGLISH) -> str:
    """Time left rounded up to the minute, so a fresh 1h target reads "1h", not "59m".

    Business time is said in hours ("20h"), never days: a day of it is not 24 hours.
    """
    seconds = left.total_seconds()
    if seconds >= 60:
        seconds = -(-seconds // 60) * 60
    span = timedelta(seconds=seconds)
    return working_hours(span, words=words) if business else words.duration(span)


def working_hours(span: timedelta, *, words: Words = ENGLISH) -> str:
    """A span of business time in hours and minutes: `20h`, `3h 15m`, `45m`."""
    minutes = int(abs(span).total_seconds()) // 60
    if minutes < 60:
        return words.duration(span)
    hours, minutes = divmod(minutes, 60)
    return words.hours(hours, minutes)


def target_name(target: Target, words: Words = ENGLISH) -> str:
    """`first response` or `resolution`, in the reader's language."""
    return words.t("first response") if target is Target.FIRST_RESPONSE else words.t("resolution")


def target_line(state: TargetState, zone: ZoneInfo, *, business: bool, words: Words = ENGLISH) -> str:
    """One SLA target in words: `first response due in 1h 30m (by …)` or `… overdue by 20m`."""
    w = words
    what = target_name(state.target, w)
    spent = working_hours(state.left, words=w) if business else w.duration(state.left)
    if state.stopped_at is not None:
        if not state.breached:
            return w.t("{what} met", what=what)
        if business:
            return w.t("{what} missed by {spent} business time", what=what, spent=spent)
        return w.t("{what} missed by {spent}", what=what, spent=spent)
    if state.breached:
        was = slack_at(state.due, zone, words=w)
        if business:
            return w.t(
                "{what} *overdue* by {spent} business time (was due {due})", what=what, spent=spent, due=was
            )
        return w.t("{what} *overdue* by {spent} (was due {due})", what=what, spent=spent, due=was)
    left = left_in_words(state.left, business=business, words=w)
    if state.paused:  # its due time moves on while the requester is asked: none to show
        if business:
            return w.t(
                "{what} paused while waiting on the requester ({left} business time left)",
                what=what,
                left=left,
            )
        return w.t("{what} paused while waiting on the requester ({left} left)", what=what, left=left)
    by = slack_at(state.due, zone, words=w)
    if business:
        return w.t("{what} due in {left} business time (by {due})", what=what, left=left, due=by)
    return w.t("{what} due in {left} (by {due})", what=what, left=left, due=by)


def target_span(length: timedelta, *, business: bool, words: Words = ENGLISH) -> str:
    """A target's length as configured: `1h`, `3 working days`, `4h of business hours`."""
    if not business:
        return words.duration(length)
    days, rest = divmod(length, timedelta(days=1))
    if days and not rest:
        return words.tn("{n} working day", "{n} working days", days)
    return words.t("{span} of business hours", span=working_hours(length, words=words))


def promise(
    length: timedelta, due: datetime, zone: ZoneInfo, *, business: bool, words: Words = ENGLISH
) -> str:
    """A target as configured, promised to a requester: `within 4h of business hours, by …`."""
    return words.t(
        "within {span}, by {due}",
        span=target_span(length, business=business, words=words),
        due=slack_at(due, zone, words=words),
    )
