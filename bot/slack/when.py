"""Times and spans as people read them in Slack.

Due times use Slack's date token, so each reader sees their own time zone; the fallback (shown
in notifications and by clients that cannot render the token) is in the desk's time zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.durations import format_duration
from bot.domain.sla import TargetState


def at(moment: datetime, zone: ZoneInfo) -> str:
    """A moment as plain text in the desk's zone: `Tue 26 Nov, 10:00 CET`."""
    local = moment.astimezone(zone)
    return local.strftime("%a %d %b, %H:%M ") + (local.tzname() or "")


def slack_at(moment: datetime, zone: ZoneInfo) -> str:
    """A moment for mrkdwn: Slack shows it in each reader's own time zone."""
    epoch = int(moment.timestamp())
    return f"<!date^{epoch}^{{date_short_pretty}} at {{time}}|{at(moment, zone)}>"


def age(since: datetime, now: datetime) -> str:
    """How long ago: `3h 5m ago`, or `just now`."""
    span = now - since
    return "just now" if span < timedelta(minutes=1) else f"{format_duration(span)} ago"


def left_in_words(left: timedelta) -> str:
    """Time left rounded up to the minute, so a fresh 1h target reads "1h", not "59m"."""
    seconds = left.total_seconds()
    if seconds >= 60:
        seconds = -(-seconds // 60) * 60
    return format_duration(timedelta(seconds=seconds))


def target_line(state: TargetState, zone: ZoneInfo, *, business: bool) -> str:
    """One SLA target in words: `first response due in 1h 30m (by …)` or `… overdue by 20m`."""
    what = state.target.words
    hours = " business time" if business else ""
    if state.stopped_at is not None:
        verdict = "met" if not state.breached else f"missed by {format_duration(state.left)}"
        return f"{what} {verdict}"
    if state.breached:
        return (
            f"{what} *overdue* by {format_duration(state.left)}{hours} (was due {slack_at(state.due, zone)})"
        )
    return f"{what} due in {left_in_words(state.left)}{hours} (by {slack_at(state.due, zone)})"


def promise(length: timedelta, due: datetime, zone: ZoneInfo, *, business: bool) -> str:
    """A target as promised to a requester: `within 4h of business hours, by …`."""
    span = format_duration(length) + (" of business hours" if business else "")
    return f"within {span}, by {slack_at(due, zone)}"
