"""Times and spans as people read them in Slack: one way of writing a day and a time, here.

A day is `Mon 7 Dec` (with the year where it may be another: `Mon 7 Dec 2026`), a time is
24-hour `09:05`, a moment is both: `Mon 7 Dec, 09:05 CET`. Every message, the export's
readers, the charts and the sandbox's page (`bot/sandbox/static/app.js` mirrors `day` and
`clock`) write them so.

Due times use Slack's date token, so each reader sees their own time zone (in Slack's own
words for it, by their settings); the fallback (shown in notifications and by clients that
cannot render the token) is written as above, in the desk's time zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.durations import format_duration
from bot.domain.sla import TargetState

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(when: date, *, year: bool = False) -> str:
    """A day: `Mon 7 Dec`, or `Mon 7 Dec 2026` with its year. English names whatever the
    machine's locale."""
    words = f"{DAY_NAMES[when.weekday()]} {when.day} {MONTH_NAMES[when.month - 1]}"
    return f"{words} {when.year}" if year else words


def clock(moment: datetime) -> str:
    """A time of day, 24-hour: `09:05` (of the moment as given, in its own zone)."""
    return f"{moment:%H:%M}"


def local_moment(moment: datetime) -> str:
    """A moment in its own zone, without naming the zone: `Mon 7 Dec, 09:05`."""
    return f"{day(moment.date())}, {clock(moment)}"


def at(moment: datetime, zone: ZoneInfo) -> str:
    """A moment as plain text in the desk's zone: `Tue 26 Nov, 10:00 CET`."""
    local = moment.astimezone(zone)
    return f"{local_moment(local)} {local.tzname() or ''}".rstrip()


def slack_at(moment: datetime, zone: ZoneInfo) -> str:
    """A moment for mrkdwn: Slack shows it in each reader's own time zone."""
    epoch = int(moment.timestamp())
    return f"<!date^{epoch}^{{date_short_pretty}} at {{time}}|{at(moment, zone)}>"


def age(since: datetime, now: datetime) -> str:
    """How long ago: `3h 5m ago`, or `just now`."""
    span = now - since
    return "just now" if span < timedelta(minutes=1) else f"{format_duration(span)} ago"


def left_in_words(left: timedelta, *, business: bool = False) -> str:
    """Time left rounded up to the minute, so a fresh 1h target reads "1h", not "59m".

    Business time is said in hours ("20h"), never days: a day of it is not 24 hours.
    """
    seconds = left.total_seconds()
    if seconds >= 60:
        seconds = -(-seconds // 60) * 60
    return (
        working_hours(timedelta(seconds=seconds)) if business else format_duration(timedelta(seconds=seconds))
    )


def working_hours(span: timedelta) -> str:
    """A span of business time in hours and minutes: `20h`, `3h 15m`, `45m`."""
    minutes = int(abs(span).total_seconds()) // 60
    if minutes < 60:
        return format_duration(span)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes}m" if minutes else f"{hours}h"


def target_line(state: TargetState, zone: ZoneInfo, *, business: bool) -> str:
    """One SLA target in words: `first response due in 1h 30m (by …)` or `… overdue by 20m`."""
    what = state.target.words
    kind = " business time" if business else ""
    spent = working_hours(state.left) if business else format_duration(state.left)
    if state.stopped_at is not None:
        return f"{what} met" if not state.breached else f"{what} missed by {spent}{kind}"
    if state.breached:
        return f"{what} *overdue* by {spent}{kind} (was due {slack_at(state.due, zone)})"
    left = left_in_words(state.left, business=business)
    if state.paused:  # its due time moves on while the requester is asked: none to show
        return f"{what} paused while waiting on the requester ({left}{kind} left)"
    return f"{what} due in {left}{kind} (by {slack_at(state.due, zone)})"


def target_span(length: timedelta, *, business: bool) -> str:
    """A target's length as configured: `1h`, `3 working days`, `4h of business hours`."""
    if not business:
        return format_duration(length)
    days, rest = divmod(length, timedelta(days=1))
    if days and not rest:
        return f"{days} working day{'s' if days != 1 else ''}"
    return f"{working_hours(length)} of business hours"


def promise(length: timedelta, due: datetime, zone: ZoneInfo, *, business: bool) -> str:
    """A target as configured, promised to a requester: `within 4h of business hours, by …`."""
    return f"within {target_span(length, business=business)}, by {slack_at(due, zone)}"
