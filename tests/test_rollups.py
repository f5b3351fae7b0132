"""The per-day rollups (`bot.domain.rollup`): kept by the store in the same transaction as each
ticket saved, equal to what a rebuild from the tickets gives, and summing to the figures the
quality summary counts from the tickets themselves (exactly; percentiles within the
histogram's documented error)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.desk import rollup_of
from bot.domain.errors import DeskError
from bot.domain.notices import Level, Notice
from bot.domain.policy import Clock, SlaPolicy, Target, WorkingCalendar
from bot.domain.priority import Priority
from bot.domain.quality import (
    AgentLine,
    Compliance,
    Period,
    Spread,
    Summary,
    Tally,
    due_times,
    median,
    summarize,
    touches,
)
from bot.domain.rollup import (
    ERROR,
    Rollup,
    blended,
    bucket,
    figures,
    inner_days,
    middle,
    split_key,
    summary_of,
    whole_days,
)
from bot.domain.sla import SlaClock, measure, pauses_of, round_of
from bot.domain.ticket import SCORES, Action, Status, Ticket
from bot.domain.trend import WEEKS, Trend, TrendTally, periods_ending
from bot.flows.trends import EXACT, _older, trend_of
from bot.slack.trend_blocks import trend_lines
from config.settings import parse_config
from store.base import Store
from store.memory_store import MemoryStore
from store.names import ROLLUPS
from store.tinydb_store import TinyDBStore
from tests.factories import T0, make_ticket
from tests.harness import CAROL, demo_config, run_command, running_desk
from tests.test_rating_and_quality import quality_answer

ZONE = ZoneInfo("Europe/Berlin")
CALENDAR = WorkingCalendar(ZONE, time(9), time(17), frozenset(range(5)), frozenset())
WALL = SlaClock(SlaPolicy(timedelta(hours=1), timedelta(hours=8), Clock.ALWAYS), CALENDAR)
OFFICE = SlaClock(SlaPolicy(timedelta(hours=4), timedelta(days=3), Clock.BUSINESS), CALENDAR)
AGENTS = ["U0BOB0001", "U0DAVE001", "U0CAROL01"]
REQUESTER = "U0ALICE01"
TEAMS = {"Hardware": "IT", "Access": "IT", "Payroll": "People"}
RUNS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def clock_for(ticket: Ticket) -> SlaClock:
    return OFFICE if ticket.priority is Priority.P3 else WALL


ROLLUP = Rollup(clock_for, lambda ticket: TEAMS.get(ticket.category, "IT"))

step = st.tuples(
    st.sampled_from(
        ["claim", "reply", "wait", "follow_up", "resolve", "reopen", "rate", "notice", "reassign"]
    ),
    st.integers(0, len(AGENTS) - 1),
    st.integers(1, 3000),  # minutes since the step before
    st.integers(1, 5),
)
history = st.lists(
    st.tuples(
        st.integers(0, 30 * 24 * 60),  # opened, minutes after T0
        st.sampled_from(list(TEAMS)),
        st.sampled_from([Priority.P2, Priority.P3]),
        st.lists(step, max_size=8),
    ),
    max_size=25,
)


def lives(spec: list) -> list[list[Ticket]]:
    """Each ticket's states, one per step that the domain allowed."""
    found = []
    for number, (opened, category, priority, steps) in enumerate(spec, start=1):
        now = T0 + timedelta(minutes=opened)
        ticket = make_ticket(number, at=now, category=category, priority=priority)
        states = [ticket]
        for what, who, after, score in steps:
            now += timedelta(minutes=after)
            agent = AGENTS[who]
            try:
                ticket = _do(ticket, what, agent, now, score)
            except DeskError:
                continue
            states.append(ticket)
        found.append(states)
    return found


def _do(ticket: Ticket, what: str, agent: str, now: datetime, score: int) -> Ticket:
    if what == "claim":
        return ticket.claim(agent, now)
    if what == "reply":
        return ticket.reply(agent, "on it", now)
    if what == "wait":
        return ticket.wait_on_requester(agent, "which laptop?", now)
    if what == "follow_up":
        return ticket.record(Action.FOLLOW_UP, REQUESTER, "this one", now)
    if what == "resolve":
        return ticket.resolve(agent, "done", now)
    if what == "reopen":
        return ticket.reopen(REQUESTER, now)
    if what == "rate":
        return ticket.rate(REQUESTER, score, now)
    if what == "reassign":
        return ticket.reassign(agent, agent, now)
    target = Target.FIRST_RESPONSE if score % 2 else Target.RESOLUTION
    level = list(Level)[score % 3]
    since, _ = round_of(ticket, target)
    notice = Notice(target, level, since, now, now, late=False)
    return ticket.raise_notices([notice])


async def _kept_by(store: Store, states: list[list[Ticket]]) -> dict:
    """Every state saved through the store in turns, as the desk saves them, some together."""
    store.rollup = ROLLUP
    await store.open()
    try:
        turn = 0
        while any(states):
            async with store.transaction() as tx:
                for life in states:  # one step of each ticket still changing, in one transaction
                    if life and (turn % 2 == 0 or len(life) % 2 == 0):
                        tx.save_ticket(life.pop(0))
            turn += 1
        return dict(await store.records(ROLLUPS))
    finally:
        await store.close()


def _within(estimate: timedelta | None, exact: timedelta | None) -> bool:
    if exact is None or estimate is None:
        return estimate is exact
    return abs(estimate - exact).total_seconds() <= ERROR * exact.total_seconds() + 1


@RUNS
@given(history)
def test_the_rows_the_store_keeps_are_the_rows_the_tickets_give(spec):
    """Old contribution out, new one in, however the saves are grouped: the rows end equal to
    a rebuild from the final tickets."""
    states = lives(spec)
    final = [life[-1] for life in states]
    kept = asyncio.run(_kept_by(MemoryStore(), [list(life) for life in states]))
    assert kept == ROLLUP.of(final)


@RUNS
@given(history, st.integers(0, 40), st.integers(1, 14), st.sampled_from([None, "IT", "People"]))
def test_a_period_summed_from_the_rows_equals_the_quality_figures(spec, start_day, days, team):
    tickets = [life[-1] for life in lives(spec)]
    if team is not None:
        tickets = [t for t in tickets if TEAMS[t.category] == team]
    start = datetime.combine(T0.date(), time(0), tzinfo=UTC) + timedelta(days=start_day)
    period = Period(start, start + timedelta(days=days))
    summary = summarize(tickets, clock_for, period)
    found = figures(
        ROLLUP.of(tickets), start.date().isoformat(), (period.end - timedelta(days=1)).date().isoformat()
    )

    assert found.get("opened") == summary.opened
    assert found.get("resolved") == summary.resolved
    assert found.get("rated_resolved") == summary.rated_resolved
    assert {level: found.get(f"esc:{level.value}") for level in Level} == summary.escalations
    assert {score: found.get(f"score:{score}") for score in range(1, 6)} == summary.scores
    for target, prefix in ((Target.FIRST_RESPONSE, "fr"), (Target.RESOLUTION, "res")):
        running_due = 0  # the summary also counts targets still running that fell due in the period
        for ticket in tickets:
            begun, stopped = round_of(ticket, target)
            if stopped is None and ticket.opened_at < period.end:
                clock = clock_for(ticket)
                state = measure(clock, target, begun, None, period.end, pauses_of(ticket, target, period.end))
                running_due += state.due in period
        assert found.get(f"{prefix}_met") == summary.compliance[target].met
        assert found.get(f"{prefix}_met") + found.get(f"{prefix}_missed") + running_due == (
            summary.compliance[target].decided
        )
    for target, spread in (
        (Target.FIRST_RESPONSE, summary.first_response),
        (Target.RESOLUTION, summary.resolution),
    ):
        assert sum(found.histogram(target).values()) == spread.count
        assert _within(found.percentile(target, 0.9), spread.p90)
        assert _within(found.median(target), spread.median)


@pytest.mark.parametrize("seconds", [0.2, 1, 59, 60, 3599, 86_400, 3 * 86_400 + 17, 10**7])
def test_a_bucket_stands_for_its_times_within_the_error(seconds):
    assert abs(middle(bucket(seconds)).total_seconds() - seconds) <= ERROR * seconds + 1


def test_a_row_key_splits_back_into_day_team_and_agent():
    (key,) = ROLLUP.of([make_ticket(1, at=T0).claim(AGENTS[0], T0)]).keys()
    assert split_key(key) == (T0.date().isoformat(), "IT", AGENTS[0])


async def test_tinydb_keeps_the_rows_across_a_restart_and_a_rebuild_changes_nothing(tmp_path):
    states = lives(
        [(60, "Payroll", Priority.P2, [("claim", 0, 5, 1), ("resolve", 0, 90, 1), ("rate", 0, 5, 4)])]
    )
    url = tmp_path / "desk.json"
    kept = await _kept_by(TinyDBStore(str(url)), [list(life) for life in states])
    again = TinyDBStore(str(url))
    again.rollup = ROLLUP
    await again.open()
    try:
        assert await again.records(ROLLUPS) == kept == ROLLUP.of([states[0][-1]])
        await again.rebuild_rollups()
        assert await again.records(ROLLUPS) == kept
    finally:
        await again.close()


async def test_store_rebuild_rollups_recomputes_the_rows_from_the_tickets(tmp_path):
    """Tickets stored without rollups (as before this version) get them from the command."""
    url = f"tinydb://{tmp_path}/desk.json"
    config = demo_config(url)
    tickets = [
        life[-1]
        for life in lives([(60 * n, "Hardware", Priority.P2, [("resolve", n % 3, 30, 1)]) for n in range(6)])
    ]
    store = TinyDBStore(str(tmp_path / "desk.json"))
    await store.open()
    for ticket in tickets:
        async with store.transaction() as tx:
            tx.save_ticket(ticket)
    await store.close()

    done = run_command(
        tmp_path, config, "store", "rebuild-rollups", SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s"
    )
    assert done.returncode == 0, done.stderr
    expected = rollup_of(parse_config(config)).of(tickets)
    assert done.stdout == f"rebuilt the rollups: {len(expected)} rows (day, team, agent) from 6 tickets\n"
    again = TinyDBStore(str(tmp_path / "desk.json"), read_only=True)
    await again.open()
    try:
        assert await again.records(ROLLUPS) == expected
    finally:
        await again.close()


@RUNS
@given(history, st.integers(0, 40), st.integers(1, 14), st.sampled_from([None, "IT", "People"]))
@example(  # a breach notice recorded a minute after the resolution, on the next day (found by a run)
    [
        (
            5726,
            "Hardware",
            Priority.P2,
            [("claim", 0, 764, 1), ("claim", 0, 1843, 1), ("resolve", 0, 2646, 1), ("notice", 0, 1, 1)],
        )
    ],
    8,
    1,
    None,
)
def test_a_summary_from_the_rows_is_the_summary_from_the_tickets(spec, start_day, days, team):
    """What /desk quality's older trend points show: every count the same (targets still
    running that fell due included, from the open tickets), medians and p90 within ERROR."""
    tickets = [life[-1] for life in lives(spec)]
    if team is not None:
        tickets = [t for t in tickets if TEAMS[t.category] == team]
    start = datetime.combine(T0.date(), time(0), tzinfo=UTC) + timedelta(days=start_day)
    period = Period(start, start + timedelta(days=days))
    exact = summarize(tickets, clock_for, period)
    rows = ROLLUP.of(tickets)
    found = summary_of(rows, period, team, [t for t in tickets if t.is_open], clock_for)
    for name in ("opened", "resolved", "rated_resolved", "compliance", "escalations", "scores"):
        assert getattr(found, name) == getattr(exact, name), name
    for spread in ("first_response", "resolution"):
        mine, theirs = getattr(found, spread), getattr(exact, spread)
        assert mine.count == theirs.count
        assert _within(mine.median, theirs.median) and _within(mine.p90, theirs.p90)


def test_whole_days_keep_back_to_back_periods_back_to_back():
    end = T0 + timedelta(hours=5, minutes=7)
    first, second = (
        Period(end - timedelta(days=14), end - timedelta(days=7)),
        Period(end - timedelta(days=7), end),
    )
    assert whole_days(first).end == whole_days(second).start
    assert whole_days(second) == Period(
        datetime.combine((end - timedelta(days=7)).date(), time(0), tzinfo=UTC),
        datetime.combine(end.date(), time(0), tzinfo=UTC),
    )


async def test_quality_draws_its_older_trend_points_from_the_rollups():
    """/desk quality's eight weeks: the last two counted from the tickets, the six before
    from the rollups (whole UTC days); the lines show the tickets' own figures."""
    async with running_desk() as run:
        desk = run.desk.desk
        now = desk.clock.now()
        tickets = []
        for n in range(1, 25):  # one every 2.5 days over 60 days, some late, some rated
            opened = now - timedelta(days=60) + timedelta(hours=60 * n)
            ticket = make_ticket(n, at=opened).claim(
                AGENTS[n % 2], opened + timedelta(minutes=20 * (n % 5) + 5)
            )
            ticket = ticket.resolve(AGENTS[n % 2], "done", opened + timedelta(hours=n % 11 + 1))
            tickets.append(
                ticket.rate(REQUESTER, n % 5 + 1, opened + timedelta(hours=12)) if n % 3 else ticket
            )
        for ticket in tickets:
            await desk.store.create_ticket(lambda _, t=ticket: t)
        words, _ = await quality_answer(run, CAROL)

        periods = periods_ending(now, timedelta(days=7), WEEKS)
        counted = [whole_days(p) for p in periods[:-2]] + periods[-2:]
        expected = trend_lines(Trend(tuple(summarize(tickets, desk.sla_clock, p) for p in counted)))
        opened, _first_response, sla_met, csat = expected  # medians: within ERROR, bars may differ
        for line in (opened, sla_met, csat):
            assert line in words


async def test_imported_tickets_count_in_the_rollups(tmp_path):
    """`python -m bot import` saves tickets through the same transactions: their rows come too."""
    from tests.test_import import DATA, import_cli

    url = f"tinydb://{tmp_path / 'desk.json'}"
    maps = ["Ref=ticket", "Opened=opened_at", "Email=requester", "Problem=text", "Area=category"]
    maps += ["Urgency=priority", "State=status", "Closed=resolved_at"]
    args = [a for m in maps for a in ("--map", m)]
    code, _, err = await import_cli(tmp_path, url, "csv", str(DATA / "spreadsheet.csv"), *args)
    assert (code, err) == (0, ""), err
    store = TinyDBStore(str(tmp_path / "desk.json"), read_only=True)
    await store.open()
    try:
        tickets = await store.all_tickets()
        assert len(tickets) == 2
        assert await store.records(ROLLUPS) == rollup_of(parse_config(demo_config(url))).of(tickets)
    finally:
        await store.close()


def _reference_trend(
    tickets: list[Ticket], rows: dict, team: str | None, end: datetime, length: timedelta
) -> Trend:
    """The trend as /desk quality, the weekly report and the lead's Home counted it before the
    running targets were measured once: the older periods from the rows, each open ticket
    measured at each period's end; the last two from the tickets, every target measured in
    each period."""
    periods = periods_ending(end, length, WEEKS)
    running = [t for t in tickets if t.is_open]
    older = [summary_of(rows, p, team, running, clock_for) for p in periods[:-EXACT]]
    return Trend((*older, *(summarize(tickets, clock_for, p) for p in periods[-EXACT:])))


@RUNS
@given(
    history,
    st.integers(0, 60 * 24 * 60),
    st.integers(1, 10),
    st.sampled_from([None, "IT", "People"]),
)
@example(
    [(0, "Hardware", Priority.P2, [("claim", 0, 5, 1), ("wait", 0, 30, 1)])], 24 * 60, 1, None
)  # a wait still going
def test_each_reports_trend_from_the_rows_is_the_one_counted_from_the_tickets(spec, minutes, days, team):
    """What /desk quality, the weekly report and the lead's Home show (`trend_of`'s pure part):
    the last two periods from the tickets (counted in one pass, the open tickets' running
    targets measured once for all the periods) equal `summarize` over the tickets, agents'
    lines included; the older ones from the rows equal `summary_of` measuring each open
    ticket at each period's end, figure for figure."""
    tickets = [life[-1] for life in lives(spec)]
    if team is not None:
        tickets = [t for t in tickets if TEAMS[t.category] == team]
    end, length = T0 + timedelta(minutes=minutes), timedelta(days=days)
    rows = ROLLUP.of(tickets)
    tally = TrendTally(clock_for, end, length, EXACT)
    for ticket in tickets:
        tally.add(ticket)
    older = _older(rows, team, tally.dues, periods_ending(end - length * EXACT, length, WEEKS - EXACT))
    found = Trend((*older, *tally.trend().periods))
    assert found == _reference_trend(tickets, rows, team, end, length)


@RUNS
@given(history, st.integers(0, 60 * 24 * 60), st.integers(1, 10), st.integers(0, 20 * 24 * 60))
def test_a_due_time_measured_later_reads_the_same_for_a_period(spec, minutes, days, later):
    """`due_times` measured at any time at or after a period's end: the period's figures are
    the ones that measure each running target at its end (the digest's trend, the reports'
    two last periods)."""
    tickets = [life[-1] for life in lives(spec)]
    end = T0 + timedelta(minutes=minutes)
    period = Period(end - timedelta(days=days), end)
    tally = Tally(clock_for, period)
    for ticket in tickets:
        tally.add(ticket, due_times(ticket, clock_for(ticket), end + timedelta(minutes=later)))
    assert tally.summary() == summarize(tickets, clock_for, period)


def _measured_twice(tickets: list[Ticket], period: Period) -> Summary:
    """The period's summary as `Tally` counted it before `sla.took`: every target of every
    ticket that touches the period measured with `measure`, and again for the agents' lines."""
    now = period.end
    opened = resolved = rated = 0
    times: dict[Target, list[timedelta]] = {t: [] for t in Target}
    met: Counter[Target] = Counter()
    decided: Counter[Target] = Counter()
    levels: Counter[Level] = Counter()
    scores: Counter[int] = Counter()
    agents: dict[str, list] = {}
    for ticket in tickets:
        if not touches(ticket, period):
            continue
        clock = clock_for(ticket)
        opened += ticket.opened_at in period
        if ticket.status is Status.RESOLVED and ticket.resolved_at in period:
            resolved += 1
            rated += ticket.rating is not None and ticket.rating.score is not None
            line = agents.setdefault(ticket.assignee or "", [0, [], [], []])
            line[0] += 1
            for index, target in ((1, Target.FIRST_RESPONSE), (2, Target.RESOLUTION)):
                begun, stopped = round_of(ticket, target)
                if stopped is not None:
                    state = measure(clock, target, begun, stopped, now, pauses_of(ticket, target, now))
                    line[index].append(state.length - state.left)
            if ticket.rating is not None and ticket.rating.score is not None:
                line[3].append(ticket.rating.score)
        for target in Target:
            begun, stopped = round_of(ticket, target)
            state = measure(clock, target, begun, stopped, now, pauses_of(ticket, target, now))
            if stopped is None:
                decided[target] += state.due in period
            elif stopped in period:
                times[target].append(state.length - state.left)
                decided[target] += 1
                met[target] += not state.breached
        for notice in ticket.notices:
            levels[notice.level] += notice.raised_at in period
        if ticket.rating is not None and ticket.rating.score in SCORES and ticket.rating.at in period:
            scores[ticket.rating.score] += 1
    return Summary(
        period=period,
        opened=opened,
        resolved=resolved,
        first_response=Spread.of(times[Target.FIRST_RESPONSE]),
        resolution=Spread.of(times[Target.RESOLUTION]),
        compliance={t: Compliance(met[t], decided[t]) for t in Target},
        escalations={level: levels[level] for level in Level},
        scores={score: scores[score] for score in SCORES},
        agents=tuple(
            AgentLine(
                agent,
                n,
                median(firsts),
                median(wholes),
                sum(given) / len(given) if given else None,
                len(given),
            )
            for agent, (n, firsts, wholes, given) in sorted(agents.items())
        ),
        rated_resolved=rated,
    )


@RUNS
@given(history, st.integers(0, 60 * 24 * 60), st.integers(1, 14), st.sampled_from([None, "IT", "People"]))
@example(  # answered the day before the period, resolved in it: the agent's line has both times
    [(0, "Hardware", Priority.P2, [("claim", 0, 5, 1), ("resolve", 0, 3000, 1)])], 3 * 24 * 60, 2, None
)
def test_a_summary_counts_what_measuring_every_target_twice_counted(spec, minutes, days, team):
    """Each target measured once, and a stopped one without its due time (`sla.took`): every
    figure of the summary, agents' lines included, as measuring each target in full (and again
    for the agents' lines) counted them."""
    tickets = [life[-1] for life in lives(spec)]
    if team is not None:
        tickets = [t for t in tickets if TEAMS[t.category] == team]
    end = T0 + timedelta(minutes=minutes)
    period = Period(end - timedelta(days=days), end)
    assert summarize(tickets, clock_for, period) == _measured_twice(tickets, period)


def _same_figures(found: Summary, exact: Summary) -> None:
    """Every count the summary's own; medians and 90th percentiles within ERROR."""
    for name in ("opened", "resolved", "rated_resolved", "compliance", "escalations", "scores"):
        assert getattr(found, name) == getattr(exact, name), name
    for spread in ("first_response", "resolution"):
        mine, theirs = getattr(found, spread), getattr(exact, spread)
        assert mine.count == theirs.count, spread
        assert _within(mine.median, theirs.median) and _within(mine.p90, theirs.p90), spread


@RUNS
@given(
    history,
    st.integers(0, 40 * 24 * 60),
    st.integers(60, 14 * 24 * 60),
    st.integers(0, 20 * 24 * 60),
    st.sampled_from([None, "IT", "People"]),
)
@example([(0, "Hardware", Priority.P2, [("claim", 0, 5, 1), ("wait", 0, 30, 1)])], 17, 3 * 24 * 60, 0, None)
def test_a_period_blended_from_rows_and_edge_days_is_the_summary_from_the_tickets(
    spec, minutes, length, later, team
):
    """The period before the one shown, beyond the window (`trend_of`): its whole UTC days
    from the rows, its two partial edge days counted from their tickets, the running targets
    measured once as of a later time: every count equals `summarize` over the tickets of the
    very same period (not its whole days), medians and p90 within ERROR."""
    tickets = [life[-1] for life in lives(spec)]
    if team is not None:
        tickets = [t for t in tickets if TEAMS[t.category] == team]
    start = T0 + timedelta(minutes=minutes)
    period = Period(start, start + timedelta(minutes=length))
    inner = inner_days(period)
    assert period.start <= inner.start <= inner.end <= period.end
    assert inner.start - period.start < timedelta(days=1) and period.end - inner.end < timedelta(days=1)
    edges = [
        Tally(clock_for, Period(period.start, inner.start)),
        Tally(clock_for, Period(inner.end, period.end)),
    ]
    for ticket in tickets:
        for edge in edges:
            edge.add(ticket)
    tally = TrendTally(clock_for, period.end + timedelta(minutes=later), timedelta(days=1), 1)
    for ticket in tickets:
        tally.add(ticket)
    found = blended(ROLLUP.of(tickets), period, team, edges, tally.dues)
    _same_figures(found, summarize(tickets, clock_for, period))


def test_the_inner_days_of_a_period_are_its_whole_utc_days():
    midnight = datetime.combine(T0.date(), time(0), tzinfo=UTC)
    assert inner_days(Period(midnight, midnight + timedelta(days=2))) == Period(
        midnight, midnight + timedelta(days=2)
    )
    odd = Period(midnight + timedelta(hours=5), midnight + timedelta(days=3, hours=2))
    assert inner_days(odd) == Period(midnight + timedelta(days=1), midnight + timedelta(days=3))
    short = Period(midnight + timedelta(hours=5), midnight + timedelta(hours=9))
    assert inner_days(short).start == inner_days(short).end


async def test_quality_90d_reads_the_day_beyond_the_window_alone_and_counts_the_same(monkeypatch):
    """`/desk quality 90d`: the period before the one shown starts beyond the window (120
    days): its whole days come from the rollups and only its first, partial day's tickets are
    read (`history_between`), not every ticket settled since; the figures are the tickets'
    own (counts exact, medians and p90 within ERROR), the period shown exactly so."""
    async with running_desk() as run:
        desk = run.desk.desk
        now = desk.clock.now()
        tickets = []
        for n in range(1, 120):  # one every 1.6 days over 190 days, some late, some rated, some open
            opened = now - timedelta(days=190) + timedelta(hours=38 * n)
            claimed = opened + timedelta(minutes=37 * (n % 7) + 5)
            ticket = make_ticket(n, at=opened).claim(AGENTS[n % 3], claimed)
            if n % 9:
                ticket = ticket.resolve(AGENTS[n % 3], "done", opened + timedelta(hours=n % 13 + 1))
                if n % 4:
                    ticket = ticket.rate(REQUESTER, n % 5 + 1, opened + timedelta(hours=30))
            tickets.append(ticket)
        for ticket in tickets:
            await desk.store.create_ticket(lambda _, t=ticket: t)
        reads: list[tuple[str, datetime, datetime | None]] = []
        store = desk.store
        in_pieces, between = store.history_in_pieces, store.history_between

        given: list[list] = []  # every list of tickets the store handed over

        async def pieces(since: datetime):
            reads.append(("pieces", since, None))
            async for piece in in_pieces(since):
                given.append(piece)
                yield piece

        async def bounded(since: datetime, until: datetime):
            reads.append(("between", since, until))
            given.append(await between(since, until))
            return given[-1]

        monkeypatch.setattr(store, "history_in_pieces", pieces)
        monkeypatch.setattr(store, "history_between", bounded)
        length = timedelta(days=90)
        moved = await trend_of(desk, None, now, length, WEEKS)

        before, shown = periods_ending(now, length, 2)
        assert before.start < now - desk.config.keep_in_memory  # beyond the window
        inner = inner_days(before)
        assert reads == [("pieces", inner.end, None), ("between", before.start, inner.start)]
        # let go of once counted, on the worker thread: freeing a month of archived tickets on
        # the event loop's held it 12-14 ms (`bot.flows.trends._count`)
        assert given and all(piece == [] for piece in given)
        assert moved.periods[-1] == summarize(tickets, desk.sla_clock, shown)  # agents' lines too
        exact_before = summarize(tickets, desk.sla_clock, before)
        assert moved.periods[-2].period == before and exact_before.opened and exact_before.resolved
        _same_figures(moved.periods[-2], exact_before)
        assert len(moved.periods) == WEEKS
