"""The daily digest, pure: its schedule across DST, the days it covers, and what it says
for a known set of tickets. Time is passed in; nothing waits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import digest_trigger
from bot.domain.digest import DigestSchedule, backlog_at, build_digest, missed
from bot.domain.policy import Clock, SlaPolicy, Target, WorkingCalendar
from bot.domain.priority import Priority
from bot.domain.quality import Period
from bot.domain.sla import SlaClock
from bot.domain.ticket import Ticket
from bot.localslack.blockkit import check_message_blocks
from bot.slack.blocks import as_plain_text
from bot.slack.digest_blocks import DigestLook, digest_id, digest_message
from tests.factories import make_ticket

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SPRING_FORWARD = {BERLIN: date(2026, 3, 29), NEW_YORK: date(2026, 3, 8)}
WEEKDAYS = frozenset(range(5))
H, M, D = timedelta(hours=1), timedelta(minutes=1), timedelta(days=1)
BOB, DAVE, ALICE, ERIN = "U0BOB0001", "U0DAVE001", "U0ALICE01", "U0ERIN001"


def local(zone: ZoneInfo, *parts: int) -> datetime:
    """A local wall time in `zone`, as the UTC moment it is."""
    return datetime(*parts, tzinfo=zone).astimezone(UTC)  # type: ignore[misc]


def fires(schedule: DigestSchedule, start: datetime, count: int) -> list[datetime]:
    """The trigger's next `count` fire times from `start`, asked the way APScheduler asks."""
    trigger, found, previous, now = digest_trigger(schedule), [], None, start
    for _ in range(count):
        previous = trigger.get_next_fire_time(previous, now)
        found.append(previous.astimezone(UTC))
        now = previous
    return found


# -- the schedule ----------------------------------------------------------------------
def test_weekday_digest_stays_at_nine_local_across_the_spring_dst_change():
    schedule = DigestSchedule(time(9), WEEKDAYS, BERLIN)
    # Clocks go forward in Berlin on Sunday 29 March 2026: 09:00 is 08:00 UTC before, 07:00 after.
    found = fires(schedule, local(BERLIN, 2026, 3, 26, 12), 4)
    assert found == [
        datetime(2026, 3, 27, 8, 0, tzinfo=UTC),  # Friday, CET
        datetime(2026, 3, 30, 7, 0, tzinfo=UTC),  # Monday, CEST: no weekend digest
        datetime(2026, 3, 31, 7, 0, tzinfo=UTC),
        datetime(2026, 4, 1, 7, 0, tzinfo=UTC),
    ]
    shown = [t.astimezone(BERLIN).strftime("%a %H:%M") for t in found]
    assert shown == ["Fri 09:00", "Mon 09:00", "Tue 09:00", "Wed 09:00"]


def test_every_day_digest_across_the_autumn_change_in_new_york():
    schedule = DigestSchedule(time(9), frozenset(range(7)), NEW_YORK)
    found = fires(schedule, local(NEW_YORK, 2026, 10, 30, 10), 4)  # clocks go back on Sunday 1 Nov
    assert [t.strftime("%d %H:%M") for t in found] == ["31 13:00", "01 14:00", "02 14:00", "03 14:00"]


@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK])
@pytest.mark.parametrize("at", [time(9), time(2, 30), time(23, 45)])
def test_the_trigger_and_the_catch_up_agree_on_every_day_of_a_year(zone, at):
    schedule = DigestSchedule(at, frozenset({0, 2, 4, 6}), zone)
    found = fires(schedule, local(zone, 2026, 1, 1), 4 * 53)
    for moment in found:
        day = moment.astimezone(zone).date()
        if at == time(2, 30) and day == SPRING_FORWARD[zone]:
            # 02:30 does not exist on the spring-forward night: both count it an hour on.
            assert moment.astimezone(zone).strftime("%H:%M") == "03:30"
        if moment != schedule.slot(day):  # the repeated hour of the autumn night, fired again
            assert moment - schedule.slot(day) == H and at == time(2, 30) and zone is BERLIN
        assert schedule.due_on(moment) == day and schedule.due_on(schedule.slot(day) - M) is None
    days = sorted({moment.astimezone(zone).date() for moment in found})
    every = [days[0] + n * D for n in range((days[-1] - days[0]).days + 1)]
    assert days == [day for day in every if day.weekday() in {0, 2, 4, 6}]  # none skipped


def test_the_repeated_hour_fires_twice_but_has_one_slot():
    """On the night clocks go back, APScheduler fires 01:30 twice; the digest's once-a-day
    record is keyed by the one local day, so the second firing sends nothing."""
    schedule = DigestSchedule(time(1, 30), frozenset(range(7)), NEW_YORK)
    found = fires(schedule, local(NEW_YORK, 2026, 10, 31, 12), 3)
    days = [t.astimezone(NEW_YORK).date() for t in found]
    assert days == [date(2026, 11, 1), date(2026, 11, 1), date(2026, 11, 2)]
    assert schedule.slot(date(2026, 11, 1)) == found[0]
    assert schedule.due_on(found[1]) == date(2026, 11, 1)  # the same day: already recorded


def test_due_only_from_its_time_until_the_day_is_over():
    schedule = DigestSchedule(time(9), WEEKDAYS, BERLIN)
    tuesday = date(2026, 11, 24)
    assert schedule.due_on(local(BERLIN, 2026, 11, 24, 8, 59)) is None
    assert schedule.due_on(local(BERLIN, 2026, 11, 24, 9, 0)) == tuesday
    assert schedule.due_on(local(BERLIN, 2026, 11, 24, 23, 59)) == tuesday  # a late start still sends
    assert schedule.due_on(local(BERLIN, 2026, 11, 25, 0, 30)) is None  # Tuesday is over
    assert schedule.due_on(local(BERLIN, 2026, 11, 28, 12)) is None  # Saturday: no digest


def test_each_day_is_reported_once():
    schedule = DigestSchedule(time(9), WEEKDAYS, BERLIN)
    tuesday = schedule.reported(date(2026, 11, 24))
    assert tuesday == Period(local(BERLIN, 2026, 11, 23), local(BERLIN, 2026, 11, 24))
    monday = schedule.reported(date(2026, 11, 23))  # Friday, Saturday and Sunday
    assert monday == Period(local(BERLIN, 2026, 11, 20), local(BERLIN, 2026, 11, 23))
    assert schedule.before(monday) == Period(local(BERLIN, 2026, 11, 17), local(BERLIN, 2026, 11, 20))
    weekly = DigestSchedule(time(9), frozenset({0}), BERLIN).reported(date(2026, 11, 23))
    assert weekly.start == local(BERLIN, 2026, 11, 16)
    # The day clocks go back has 25 hours; the day before it still counts as one day.
    sunday = DigestSchedule(time(9), frozenset(range(7)), BERLIN).reported(date(2026, 10, 26))
    assert sunday.end - sunday.start == 25 * H
    before = DigestSchedule(time(9), frozenset(range(7)), BERLIN).before(sunday)
    assert before == Period(local(BERLIN, 2026, 10, 24), local(BERLIN, 2026, 10, 25))


# -- the content -------------------------------------------------------------------------
CALENDAR = WorkingCalendar(BERLIN, time(9), time(17), WEEKDAYS, frozenset())
WALL = SlaClock(SlaPolicy(1 * H, 8 * H, Clock.ALWAYS), CALENDAR)
OFFICE = SlaClock(SlaPolicy(4 * H, 3 * D, Clock.BUSINESS), CALENDAR)
SCHEDULE = DigestSchedule(time(9), WEEKDAYS, BERLIN)
WEDNESDAY = date(2026, 11, 25)
NOW = local(BERLIN, 2026, 11, 25, 9)  # the digest of Wednesday reports on Tuesday 24 November


def clock_for(ticket: Ticket) -> SlaClock:
    return WALL if ticket.priority in (Priority.P1, Priority.P2) else OFFICE


def mon(hh: int, mm: int = 0) -> datetime:
    return local(BERLIN, 2026, 11, 23, hh, mm)


def tue(hh: int, mm: int = 0) -> datetime:
    return local(BERLIN, 2026, 11, 24, hh, mm)


def known_tickets():
    """Monday is the day before; Tuesday the day reported on Wednesday morning."""
    return [
        # Monday: opened, claimed in 20m, resolved, rated 4.
        make_ticket(1, at=mon(10)).claim(BOB, mon(10, 20)).resolve(BOB, "", mon(12)).rate(ALICE, 4, mon(13)),
        # Monday: first response missed (Monday); resolved late on Tuesday (missed Tuesday).
        make_ticket(2, at=mon(11)).claim(BOB, mon(13)).resolve(BOB, "", tue(10)),
        # Tuesday: met both, rated 5.
        make_ticket(3, at=tue(9)).claim(BOB, tue(9, 10)).resolve(BOB, "", tue(11)).rate(ALICE, 5, tue(12)),
        # Tuesday: first response missed, resolution missed while still open: overdue now.
        make_ticket(4, at=tue(10)).claim(DAVE, tue(11, 30)),
        # Tuesday, business hours: unclaimed, 3h 30m of its 4h used by now: at risk.
        make_ticket(5, requester=ERIN, text="VPN <drops> every hour", priority=Priority.P3, at=tue(13, 30)),
        # Monday, business hours: unclaimed, first response due Tuesday 11:00: overdue now.
        make_ticket(6, text="New starter needs a laptop", priority=Priority.P4, at=mon(15)),
    ]


def test_a_known_day_figure_by_figure():
    digest = build_digest(known_tickets(), clock_for, 0.8, SCHEDULE, WEDNESDAY, NOW)
    now, before = digest.summary, digest.before
    assert now.period == Period(tue(0), local(BERLIN, 2026, 11, 25))
    assert (now.opened, now.resolved, before.opened, before.resolved) == (3, 2, 3, 1)
    assert missed(now) == {Target.FIRST_RESPONSE: 2, Target.RESOLUTION: 2}
    assert missed(before) == {Target.FIRST_RESPONSE: 1, Target.RESOLUTION: 0}
    assert (now.csat, now.ratings, before.csat) == (5.0, 1, 4.0)

    backlog = digest.backlog
    assert backlog.by_priority == {Priority.P1: 0, Priority.P2: 1, Priority.P3: 1, Priority.P4: 1}
    assert (backlog.total, backlog.unclaimed, backlog.oldest_unclaimed.number) == (3, 2, 6)
    assert [(w.ticket.number, w.state.target) for w in backlog.at_risk] == [(5, Target.FIRST_RESPONSE)]
    assert [(w.ticket.number, w.state.target) for w in backlog.overdue] == [
        (6, Target.FIRST_RESPONSE),  # due Tuesday 11:00
        (4, Target.RESOLUTION),  # due Tuesday 18:00
    ]
    # Tuesday 09:00, worked out from the trails: #2 still open and overdue, #3 just opened.
    earlier = digest.backlog_before
    assert earlier.moment == tue(9)
    assert earlier.by_priority == {Priority.P1: 0, Priority.P2: 2, Priority.P3: 0, Priority.P4: 1}
    assert (earlier.unclaimed, len(earlier.at_risk), [w.ticket.number for w in earlier.overdue]) == (
        2,
        0,
        [2],
    )
    assert not digest.quiet


def test_the_backlog_at_any_moment_follows_resolves_and_reopens():
    ticket = make_ticket(7, at=mon(9)).claim(BOB, mon(9, 30)).resolve(BOB, "", mon(11)).reopen(ALICE, mon(14))

    def open_at(moment):
        return backlog_at([ticket], clock_for, 0.8, moment).total

    assert [open_at(m) for m in (mon(8), mon(10), mon(12), mon(15))] == [0, 1, 0, 1]
    # After the reopen the resolution target counts from the reopen: 8h from 14:00.
    later = backlog_at([ticket], clock_for, 0.8, mon(21))
    assert [w.state.due for w in later.at_risk] == [mon(22)]
    assert later.unclaimed == 0


def test_the_backlog_now_matches_the_tickets_as_they_are():
    tickets = known_tickets()
    backlog = backlog_at(tickets, clock_for, 0.8, NOW)
    assert backlog.total == sum(t.is_open for t in tickets)
    assert backlog.unclaimed == sum(t.is_open and t.assignee is None for t in tickets)


LOOK = DigestLook(
    "IT Help",
    SCHEDULE,
    lambda n: f"T-{n}",
    lambda p: (WALL if p in (Priority.P1, Priority.P2) else OFFICE).business,
)


def test_the_message_says_each_figure_with_its_change():
    digest = build_digest(known_tickets(), clock_for, 0.8, SCHEDULE, WEDNESDAY, NOW)
    text, blocks = digest_message(digest, LOOK)
    assert check_message_blocks(blocks) == []
    assert blocks[0]["block_id"] == digest_id(WEDNESDAY) == "digest:2026-11-25"
    assert text == "Daily digest · Wed 25 Nov: 3 opened, 2 resolved, 4 targets missed; 3 open now"
    shown = as_plain_text(blocks)
    for line in [
        "Daily digest · Wed 25 Nov",
        "Yesterday, Tue 24 Nov (Europe/Berlin) · each figure compared with the day before",
        "Opened  3  → same",
        "Resolved  2  ↑ 1",
        "Targets missed  4: 2 first response · 2 resolution  ↑ 3",
        "CSAT  5.0 / 5 from 1 rating  ↑ 1.0",
        "Open now  3: 1 high · 1 normal · 1 low  → same; 2 unclaimed",  # the change beside its total
        "At risk or overdue now  1 at risk · 2 overdue  ↑ 2",
        "Oldest unclaimed: T-6 · P4 · Low · “New starter needs a laptop” from @U0ALICE01, waiting 1d 18h",
        "• T-6 · P4 · Low · first response overdue by 6h business time (was due Tue 24 Nov, 11:00 CET)",
        "• T-4 · P2 · High · resolution overdue by 15h (was due Tue 24 Nov, 18:00 CET) · @U0DAVE001",
        "• T-5 · P3 · Normal · first response due in 30m business time (by Wed 25 Nov, 09:30 CET)",
        "Every weekday at 09:00 (Europe/Berlin) · IT Help",
        "Last 8 days (oldest first; a gap: nothing to measure)",
        "▁▁▁▁▁▁██  Opened · 3",  # the day reported is the last bar, its figure beside it
        "      █▁  First response p50 · 50m",  # days with nothing answered are gaps
    ]:
        assert line in shown, line


def test_user_text_is_escaped_and_cut():
    tickets = [make_ticket(1, text="<!channel> " + "x" * 500, at=tue(10))]
    _, blocks = digest_message(build_digest(tickets, clock_for, 0.8, SCHEDULE, WEDNESDAY, NOW), LOOK)
    oldest = next(
        b["text"]["text"] for b in blocks if "Oldest unclaimed" in b.get("text", {}).get("text", "")
    )
    assert "<!channel>" not in oldest and "&lt;!channel&gt;" in oldest
    assert len(oldest) < 250


def test_a_quiet_day_gets_a_short_digest_that_says_so():
    old = make_ticket(1, text="Printer jams", priority=Priority.P4, at=local(BERLIN, 2026, 11, 16, 10))
    digest = build_digest([old], clock_for, 0.8, SCHEDULE, WEDNESDAY, NOW)
    assert digest.quiet
    text, blocks = digest_message(digest, LOOK)
    assert check_message_blocks(blocks) == []
    assert text.startswith(
        "Daily digest · Wed 25 Nov: a quiet day. 1 ticket still open (1 low), 1 unclaimed."
    )
    shown = as_plain_text(blocks)
    assert (
        "A quiet day: no tickets were opened, resolved or rated yesterday, and no targets were missed."
        in shown
    )
    assert "Oldest unclaimed: T-1" in shown
    assert "Opened" not in shown  # no table of zeros
    assert len(blocks) <= 6


def test_an_empty_desk_is_quiet_and_says_nothing_is_open():
    _, blocks = digest_message(build_digest([], clock_for, 0.8, SCHEDULE, WEDNESDAY, NOW), LOOK)
    assert "Nothing is open." in as_plain_text(blocks)
    assert "Oldest unclaimed" not in as_plain_text(blocks)


def test_a_monday_digest_covers_the_days_since_friday():
    friday = make_ticket(1, at=local(BERLIN, 2026, 11, 20, 10)).claim(BOB, local(BERLIN, 2026, 11, 20, 10, 5))
    monday = local(BERLIN, 2026, 11, 23, 9)
    digest = build_digest([friday], clock_for, 0.8, SCHEDULE, date(2026, 11, 23), monday)
    assert (digest.days, digest.summary.opened) == (3, 1)
    shown = as_plain_text(digest_message(digest, LOOK)[1])
    assert "Fri 20 Nov – Sun 22 Nov, since the last digest (Europe/Berlin)" in shown
    assert "compared with the 3 days before" in shown
