"""Per-day rollups: what each ticket adds to the day, team and agent its events fall in.

A rollup row is keyed `"YYYY-MM-DD|team|agent"` (the day in UTC; the agent is the ticket's
assignee, "" for none) and holds flat counters, a name to a positive count:

- `opened`: tickets opened that day; `resolved`: resolved that day (and still resolved);
  `rated_resolved`: of those, rated with a score.
- `fr_met` / `fr_missed`, `res_met` / `res_missed`: first-response and resolution targets
  that stopped that day, in time or late.
- `fr:B` / `res:B`: how long those targets took (counted time on the ticket's SLA clock, as
  `/quality` counts it), as a histogram of log-spaced buckets (`bucket`).
- `esc:LEVEL`: escalation notices raised that day; `score:N`: ratings with score N given then.

The store keeps the rows in the `rollups` record table and applies each ticket's change
(`delta`: its old contribution out, the new one in) in the same transaction as the ticket, on
every backend. Days are UTC days so the rows never depend on the desk's time zone; a report
in another zone reads the days its period covers.

Histograms: bucket 0 holds times under a second; bucket i >= 1 holds [B**(i-1), B**i) seconds
with B = 2 ** (1/8). A percentile read from the buckets (`percentile`) answers with the
bucket's geometric middle, so it is within 2 ** (1/16) - 1 < 4.5 % of the exact figure (or
under a second off, for times under a second): `ERROR`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.domain.notices import Level
from bot.domain.policy import Target
from bot.domain.quality import Compliance, Period, Spread, Summary, Tally
from bot.domain.sla import SlaClock, measure, pauses_of, round_of, took
from bot.domain.ticket import SCORES, Status, Ticket

BASE = 2 ** (1 / 8)
ERROR = 2 ** (1 / 16) - 1  # the largest relative error of a percentile read from buckets
PREFIX = {Target.FIRST_RESPONSE: "fr", Target.RESOLUTION: "res"}

Counts = dict[str, int]
Contribution = dict[str, Counts]  # row key -> counters


def bucket(seconds: float) -> int:
    """The histogram bucket a time falls in."""
    if seconds < 1:
        return 0
    return math.floor(math.log(seconds) / math.log(BASE)) + 1


def middle(index: int) -> timedelta:
    """The time a bucket stands for: its geometric middle (0 for bucket 0)."""
    if index <= 0:
        return timedelta(0)
    return timedelta(seconds=BASE ** (index - 0.5))


def row_key(day: str, team: str, agent: str) -> str:
    return f"{day}|{team}|{agent}"


def split_key(key: str) -> tuple[str, str, str]:
    """The day, team and agent of a row key (agents are Slack ids: no "|" in them)."""
    day, rest = key.split("|", 1)
    team, _, agent = rest.rpartition("|")
    return day, team, agent


@dataclass(frozen=True)
class Rollup:
    """What a ticket contributes, given the desk's configuration: the clock its targets run
    on (as `/quality` counts them) and the name of the team it belongs to."""

    clock_for: Callable[[Ticket], SlaClock]
    team_of: Callable[[Ticket], str]

    def contribution(self, ticket: Ticket) -> Contribution:
        found: dict[str, Counter[str]] = {}
        team, agent = self.team_of(ticket), ticket.assignee or ""

        def add(moment: datetime, name: str) -> None:
            key = row_key(utc_day(moment), team, agent)
            found.setdefault(key, Counter())[name] += 1

        add(ticket.opened_at, "opened")
        if ticket.status is Status.RESOLVED and ticket.resolved_at is not None:
            add(ticket.resolved_at, "resolved")
            if ticket.rating is not None and ticket.rating.score is not None:
                add(ticket.resolved_at, "rated_resolved")
        clock: SlaClock | None = None
        for target in Target:
            start, stopped = round_of(ticket, target)
            if stopped is None:
                continue
            clock = clock or self.clock_for(ticket)
            length, met = took(clock, target, start, stopped, pauses_of(ticket, target, stopped))
            add(stopped, f"{PREFIX[target]}_{'met' if met else 'missed'}")
            add(stopped, f"{PREFIX[target]}:{bucket(length.total_seconds())}")
        for notice in ticket.notices:
            add(notice.raised_at, f"esc:{notice.level.value}")
        if ticket.rating is not None and ticket.rating.score in SCORES:
            add(ticket.rating.at, f"score:{ticket.rating.score}")
        return {key: dict(counts) for key, counts in found.items()}

    def delta(self, old: Ticket | None, new: Ticket | None) -> Contribution:
        """What changes in the rows when `old` becomes `new`: counters to add (negative to
        take away); rows and counters that do not move are left out."""
        moved: dict[str, Counter[str]] = {}
        for ticket, sign in ((old, -1), (new, 1)):
            if ticket is None:
                continue
            for key, counts in self.contribution(ticket).items():
                row = moved.setdefault(key, Counter())
                for name, n in counts.items():
                    row[name] += sign * n
        return {
            key: {name: n for name, n in row.items() if n} for key, row in moved.items() if any(row.values())
        }

    def of(self, tickets: Iterable[Ticket]) -> dict[str, Counts]:
        """Every row, from the tickets (`python -m bot store rebuild-rollups`)."""
        rows: dict[str, Counts] = {}
        for ticket in tickets:
            for key, counts in self.contribution(ticket).items():
                rows[key] = add_counts(rows.get(key), counts)
        return rows


def utc_day(moment: datetime) -> str:
    """The UTC day a moment falls in, as the rows name it (a naive time is taken as UTC)."""
    return (moment.astimezone(UTC) if moment.tzinfo is not None else moment).date().isoformat()


def add_counts(row: Mapping[str, int] | None, counts: Mapping[str, int]) -> Counts:
    """`row` with `counts` added; counters that reach zero are dropped."""
    out = dict(row or {})
    for name, n in counts.items():
        total = out.get(name, 0) + n
        if total:
            out[name] = total
        else:
            out.pop(name, None)
    return out


# -- reading the rows ---------------------------------------------------------------------
@dataclass(frozen=True)
class Figures:
    """A period's figures summed from rollup rows (the whole days it covers)."""

    counts: Counts

    def get(self, name: str) -> int:
        return self.counts.get(name, 0)

    def histogram(self, target: Target) -> dict[int, int]:
        prefix = PREFIX[target] + ":"
        return {int(k[len(prefix) :]): n for k, n in self.counts.items() if k.startswith(prefix)}

    def percentile(self, target: Target, q: float) -> timedelta | None:
        """Nearest rank over the buckets, as `bot.domain.quality.percentile` over the times."""
        return _rank(self.histogram(target), lambda n: max(0, math.ceil(q * n) - 1))

    def median(self, target: Target) -> timedelta | None:
        """As `statistics.median`: the middle time, or the mean of the two middle ones."""
        found = self.histogram(target)
        n = sum(found.values())
        if not n:
            return None
        low = _rank(found, lambda n: (n - 1) // 2)
        high = _rank(found, lambda n: n // 2)
        assert low is not None and high is not None
        return (low + high) / 2


def _rank(histogram: dict[int, int], rank: Callable[[int], int]) -> timedelta | None:
    n = sum(histogram.values())
    if not n:
        return None
    wanted, seen = rank(n), 0
    for index in sorted(histogram):
        seen += histogram[index]
        if seen > wanted:
            return middle(index)
    return middle(max(histogram))


def figures(
    rows: Mapping[str, Mapping[str, int]],
    first: str,
    last: str,
    team: str | None = None,
    agent: str | None = None,
) -> Figures:
    """The counters of the days `first` to `last` (ISO dates, both included), of one team
    and one agent if named: a sum over the rows those days hold."""
    total: Counter[str] = Counter()
    for key, counts in rows.items():
        day, row_team, row_agent = split_key(key)
        if first <= day <= last and team in (None, row_team) and agent in (None, row_agent):
            total.update(counts)
    return Figures(dict(total))


def whole_days(period: Period) -> Period:
    """The period as the rows can count it: from the UTC midnight its start falls after to
    the one its end falls after (back-to-back periods stay back to back, each day in one)."""
    return Period(_midnight(period.start), _midnight(period.end))


def _midnight(moment: datetime) -> datetime:
    return datetime.combine(moment.astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC)


Due = tuple[datetime, Target, datetime]  # an open ticket's opening, a running target, when it falls due


def running_dues(
    running: Iterable[Ticket], clock_for: Callable[[Ticket], SlaClock], now: datetime
) -> list[Due]:
    """When each target still running on the open tickets `running` falls due, measured once
    as of `now` for every period ending by then: a due time before a period's end is the one
    measured at that end (only a wait still going at the end differs between the two, and it
    pushes the due time past the end in both), and one at or after the end is at or after it
    in both, so `state.due in days` reads the same."""
    found: list[Due] = []
    for ticket in running:
        clock: SlaClock | None = None
        for target in Target:
            start, stopped = round_of(ticket, target)
            if stopped is None:
                clock = clock or clock_for(ticket)
                state = measure(clock, target, start, None, now, pauses_of(ticket, target, now))
                found.append((ticket.opened_at, target, state.due))
    return found


def summary_of(
    rows: Mapping[str, Mapping[str, int]],
    period: Period,
    team: str | None = None,
    running: Iterable[Ticket] = (),
    clock_for: Callable[[Ticket], SlaClock] | None = None,
    dues: Iterable[Due] | None = None,
) -> Summary:
    """The quality summary of `period` (as `whole_days` counts it) from the rollup rows, with
    the targets of the open tickets `running` that fell due in it, measured as the summary
    measures them (nothing is saved when a due time passes; open tickets are in memory), or
    given already measured (`dues`, from `running_dues` as of a time at or after the period's
    end). Counts are the summary's own; medians and 90th percentiles within `ERROR`; no
    per-agent lines."""
    days = whole_days(period)
    found = figures(rows, utc_day(days.start), utc_day(days.end - timedelta(days=1)), team)
    due: Counter[Target] = Counter()
    for ticket in running:
        for target in Target:
            start, stopped = round_of(ticket, target)
            if stopped is None and clock_for is not None and ticket.opened_at < period.end:
                now = period.end
                state = measure(clock_for(ticket), target, start, None, now, pauses_of(ticket, target, now))
                due[target] += state.due in days
    for opened, target, at in dues or ():
        due[target] += opened < period.end and at in days

    return _summary(found, period, due)


def blended(
    rows: Mapping[str, Mapping[str, int]],
    period: Period,
    team: str | None,
    edges: Iterable[Tally],
    dues: Iterable[Due] = (),
) -> Summary:
    """The quality summary of `period` exactly as `bot.domain.quality.summarize` counts it,
    with the whole UTC days inside it (`inner_days`) summed from the rollup rows and the
    partial days at its edges counted from their tickets (`edges`: a `Tally` of each, fed
    every ticket that can touch it). The targets still running (`dues`, measured as of a time
    at or after the period's end, as `running_dues` gives them) count for the whole days; the
    edge tallies count their own. Counts are the summary's own; medians and 90th
    percentiles within `ERROR` (the edges' times go into the rows' buckets); no per-agent
    lines."""
    days = inner_days(period)
    total: Counter[str] = Counter()
    if days.start < days.end:
        total.update(figures(rows, utc_day(days.start), utc_day(days.end - timedelta(days=1)), team).counts)
    for tally in edges:
        total.update(counts_of(tally))
    due: Counter[Target] = Counter()
    for opened, target, at in dues:
        due[target] += opened < period.end and at in days
    return _summary(Figures(dict(total)), period, due)


def inner_days(period: Period) -> Period:
    """The whole UTC days inside `period`: from the first midnight at or after its start to
    the last at or before its end (an empty period inside it, start at end, when there is
    none), so that it and the partial days before and after it cover the period, each moment
    once."""
    first, last = _midnight(period.start), _midnight(period.end)
    if first < period.start:
        first = min(first + timedelta(days=1), period.end)
    return Period(first, max(first, last))


def counts_of(tally: Tally) -> Counts:
    """A tally's figures as rollup counters (its times in the rows' buckets), to be summed
    with rows: a running target it saw fall due counts as missed, as the summary counts it."""
    found: Counter[str] = Counter(
        opened=tally.opened, resolved=tally.resolved, rated_resolved=tally.rated_resolved
    )
    for target in Target:
        prefix = PREFIX[target]
        found[f"{prefix}_met"] += tally.met[target]
        found[f"{prefix}_missed"] += tally.decided[target] - tally.met[target]
        for length in tally.times[target]:
            found[f"{prefix}:{bucket(length.total_seconds())}"] += 1
    for level, n in tally.escalations.items():
        found[f"esc:{level.value}"] += n
    for score, n in tally.scores.items():
        found[f"score:{score}"] += n
    return {name: n for name, n in found.items() if n}


def _summary(found: Figures, period: Period, due: Mapping[Target, int]) -> Summary:
    def spread(target: Target) -> Spread:
        count = sum(found.histogram(target).values())
        return Spread(count, found.median(target), found.percentile(target, 0.9))

    met = {t: found.get(f"{PREFIX[t]}_met") for t in Target}
    return Summary(
        period=period,
        opened=found.get("opened"),
        resolved=found.get("resolved"),
        first_response=spread(Target.FIRST_RESPONSE),
        resolution=spread(Target.RESOLUTION),
        compliance={
            t: Compliance(met[t], met[t] + found.get(f"{PREFIX[t]}_missed") + due[t]) for t in Target
        },
        escalations={level: found.get(f"esc:{level.value}") for level in Level},
        scores={score: found.get(f"score:{score}") for score in SCORES},
        rated_resolved=found.get("rated_resolved"),
    )
