"""The TinyDB store's window (SPEC §12): resolved tickets settled before it move to monthly
TinyDB archive files, stay readable, and leave memory; moving them survives a crash at any
point. Every store here is a real TinyDB file on disk; the clock is the tests' own."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tinydb import TinyDB

from bot.domain.errors import TicketArchived
from bot.domain.owed import Card, Owed
from bot.domain.ticket import Ticket
from store import StoreUnavailable, TinyDBStore
from store.archive import TABLE, _docs_in, month_of, settled_at
from store.names import RATINGS_AT, THREADS
from tests.factories import make_ticket
from tests.harness import BERLIN

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=BERLIN)
WINDOW = timedelta(days=120)


def resolved(number: int, at: datetime, *, rated: datetime | None = None) -> Ticket:
    ticket = make_ticket(number, text=f"Request {number}", at=at - timedelta(hours=3))
    ticket = ticket.claim("U0BOB0001", at - timedelta(hours=2)).resolve("U0BOB0001", "done", at)
    return ticket.rate(ticket.requester, 4, rated) if rated is not None else ticket


def history() -> list[Ticket]:
    """Two tickets a month for a year, resolved as they came, then two open ones."""
    tickets = []
    for month in range(12):
        for half in (1, 15):
            at = datetime(2025, 12, half, 12, tzinfo=BERLIN) + timedelta(days=30 * month)
            tickets.append(resolved(len(tickets) + 1, at))
    tickets.append(make_ticket(len(tickets) + 1, at=datetime(2025, 1, 5, tzinfo=BERLIN)))  # open, old
    tickets.append(make_ticket(len(tickets) + 1, at=NOW - timedelta(days=1)))
    return tickets


async def store_with(path: Path, tickets: list[Ticket]) -> TinyDBStore:
    store = TinyDBStore(path)
    await store.open()
    async with store.transaction() as tx:
        for ticket in tickets:
            tx.save_ticket(ticket)
    return store


async def archived_on_disk(path: Path) -> int:
    """A closed store at `path` holding `history()`, its settled tickets archived; how many."""
    store = await store_with(path, history())
    try:
        return await store.archive_settled(NOW - WINDOW)
    finally:
        await store.close()


async def reopened(path: Path) -> TinyDBStore:
    store = TinyDBStore(path)
    await store.open()
    return store


def settled_before(tickets: list[Ticket], before: datetime) -> set[int]:
    return {t.number for t in tickets if not t.is_open and t.resolved_at and t.resolved_at < before}


async def test_settled_tickets_move_to_monthly_tinydb_files_and_stay_readable(tmp_path):
    path = tmp_path / "desk.json"
    tickets = history()
    store = await store_with(path, tickets)
    old = settled_before(tickets, NOW - WINDOW)
    assert 0 < len(old) < len(tickets) - 2
    try:
        moved = await store.archive_settled(NOW - WINDOW)
        assert moved == len(old)
        assert set(store.tables.tickets) == {t.number for t in tickets} - old  # memory: the window only
        assert await store.ticket_count() == len(tickets)
        assert [t.number for t in await store.all_tickets()] == [t.number for t in tickets]
        assert await store.ticket(min(old)) == tickets[min(old) - 1]  # read from its month's file
        assert await store.archive_settled(NOW - WINDOW) == 0  # nothing more to move
    finally:
        await store.close()

    months = {month_of(t.resolved_at) for t in tickets if t.number in old if t.resolved_at}
    files = sorted(tmp_path.glob("desk.archive-*.json"))
    assert [f.name for f in files] == [f"desk.archive-{m}.json" for m in sorted(months)]
    in_files = {}
    for file in files:  # each is a TinyDB database; the ticket number is the document id
        with TinyDB(file, access_mode="r") as db:
            in_files.update({doc.doc_id: doc["text"] for doc in db.table("tickets").all()})
    assert in_files == {n: f"Request {n}" for n in old}

    store = await reopened(path)  # and so it opens: the window, with the archive listed
    try:
        assert set(store.tables.tickets) == {t.number for t in tickets} - old
        assert await store.ticket_count() == len(tickets)
        assert (await store.ticket(max(old))) == tickets[max(old) - 1]
    finally:
        await store.close()


@pytest.fixture
async def archived(tmp_path):
    """A store of `history()` whose settled tickets are archived."""
    store = await store_with(tmp_path / "desk.json", history())
    await store.archive_settled(NOW - WINDOW)
    yield store
    await store.close()


async def test_periods_read_only_the_archive_months_they_reach(archived):
    store, tickets = archived, history()
    since = datetime(2026, 5, 10, tzinfo=BERLIN)
    reached = {t.number for t in await store.history_since(since)}
    touching = {t.number for t in tickets if t.is_open or (t.resolved_at and t.resolved_at >= since)}
    assert touching <= reached  # everything a period from `since` can count
    archived_before = {  # and no month's file before since's month was read
        t.number for t in tickets if t.resolved_at and month_of(t.resolved_at) < month_of(since)
    }
    assert archived_before and not reached & archived_before
    opened = await store.tickets_opened_since(since)
    assert [t.number for t in opened] == [t.number for t in tickets if t.opened_at >= since]


async def test_an_edge_day_long_ago_reads_only_the_months_that_may_hold_its_tickets(tmp_path, monkeypatch):
    """`history_between` (a report's edge day beyond the window): each month's file is
    listed with when its earliest ticket opened, so the months after the day whose tickets
    all opened later are not read; a month holding a ticket open since before the day is.
    What it finds is what reading every month finds."""
    day = datetime(2026, 1, 15, tzinfo=BERLIN)  # a ticket of `history()` is resolved at noon
    since, until = day, day + timedelta(days=1)
    long_lived = resolved(100, datetime(2026, 3, 20, 12, tzinfo=BERLIN))
    long_lived = Ticket(**{**long_lived.__dict__, "opened_at": day + timedelta(hours=2)})  # open two months
    store = await store_with(tmp_path / "desk.json", [*history(), long_lived])
    try:
        await store.archive_settled(NOW - WINDOW)
        read: list[str] = []
        reading = store._read_month
        monkeypatch.setattr(store, "_read_month", lambda month, *a: read.append(month) or reading(month, *a))

        found = {t.number for t in await store.history_between(since, until)}
        assert read == ["2026-01", "2026-03"]  # its own month, and the one the long-lived ticket left in
        assert store.tables.months().since(since) == [
            m for m in store.tables.months().months if m >= "2026-01"
        ]
        every = {  # what reading every month from the day's finds: settled since, opened before its end
            t.number
            for t in await store.history_since(since)
            if t.opened_at < until and ((settled_at(t) or since) >= since)
        }
        assert every <= found and 100 in found
        assert found - every <= set(store.tables.tickets)  # (the window comes whole: the caller counts)
    finally:
        await store.close()


def test_a_month_listed_before_openings_were_kept_is_read_whatever_is_asked():
    """A store archived before `opened_from` was kept: its months are read as before, and a
    month it grows keeps no earliest opening it cannot know."""
    from store.archive import Months

    months = Months(
        {
            "2026-01": {"ranges": [[1, 4]]},
            "2026-02": {"ranges": [[5, 8]], "opened_from": "2026-02-01T00:00:00+00:00"},
        }
    )
    early = datetime(2026, 1, 10, tzinfo=UTC)
    assert months.since(early, opened_before=early + timedelta(days=1)) == ["2026-01"]
    assert months.since(early, opened_before=datetime(2026, 2, 2, tzinfo=UTC)) == ["2026-01", "2026-02"]
    joining = [resolved(9, datetime(2026, 2, 20, tzinfo=UTC))]
    assert months.opened_from_with("2026-01", joining) is None
    assert months.opened_from_with("2026-02", joining) == "2026-02-01T00:00:00+00:00"
    assert months.opened_from_with("2026-03", joining) == joining[0].opened_at.isoformat()


async def test_an_archived_ticket_cannot_change_and_says_so(archived):
    store, tickets = archived, history()
    with pytest.raises(TicketArchived) as refused:
        await store.update_ticket(1, lambda t: t.reopen(t.requester, NOW))
    assert "archived" in refused.value.render(lambda n: f"T-{n}", str)
    assert await store.ticket(1) == tickets[0]  # unchanged
    assert await store.ticket(999) is None  # an unknown number is still unknown


async def test_a_rating_keeps_a_ticket_in_the_window_until_it_too_is_old(tmp_path):
    late = resolved(1, NOW - WINDOW - timedelta(days=10), rated=NOW - timedelta(days=3))
    store = await store_with(tmp_path / "desk.json", [late])
    try:
        assert await store.archive_settled(NOW - WINDOW) == 0
        assert await store.archive_settled(NOW) == 1  # once the rating too is before the window
    finally:
        await store.close()


async def test_tickets_owed_a_message_stay_and_their_records_leave_with_them(tmp_path):
    tickets = [resolved(1, NOW - WINDOW * 2), resolved(2, NOW - WINDOW * 2)]
    store = await store_with(tmp_path / "desk.json", tickets)
    try:
        async with store.transaction() as tx:
            tx.owe("t2:card", Owed(Card(2), tx.next_seq()))
            tx.put(THREADS, "D1:1.0", 1)
            tx.put(RATINGS_AT, "1", "D1:2.0")
        assert await store.archive_settled(NOW - WINDOW) == 1
        assert set(store.tables.tickets) == {2}  # the card still owed keeps ticket 2
        assert await store.records(THREADS) == {} and await store.records(RATINGS_AT) == {}
    finally:
        await store.close()


async def test_a_crash_between_the_file_and_the_commit_loses_and_doubles_nothing(tmp_path):
    """The state a kill leaves after a month's file is renamed into place and before the
    transaction: the tickets are in the file and still in the window. The window's copy wins;
    the next run finishes the move."""
    path = tmp_path / "desk.json"
    tickets = history()
    store = await store_with(path, tickets)
    old = sorted(settled_before(tickets, NOW - WINDOW))
    first = tickets[old[0] - 1]
    assert first.resolved_at is not None
    store.archive.write(month_of(first.resolved_at), [first])  # written, never committed
    await store.close()

    store = await reopened(path)
    try:
        everything = await store.all_tickets()
        assert [t.number for t in everything] == [t.number for t in tickets]  # once each
        assert await store.ticket_count() == len(tickets)
        assert await store.archive_settled(NOW - WINDOW) == len(old)
        assert [t.number for t in await store.all_tickets()] == [t.number for t in tickets]
    finally:
        await store.close()


async def test_a_missing_archive_file_stops_the_read_with_one_line(tmp_path):
    path = tmp_path / "desk.json"
    await archived_on_disk(path)
    victim = sorted(tmp_path.glob("desk.archive-*.json"))[0]
    victim.unlink()
    store = await reopened(path)  # the window opens: the archive is read only when asked
    try:
        with pytest.raises(StoreUnavailable) as refused:
            await store.all_tickets()
        assert str(victim) in str(refused.value) and "missing" in str(refused.value)
        with pytest.raises(StoreUnavailable):
            await store.check_archive()
    finally:
        await store.close()


async def test_through_the_desk_quality_and_export_read_as_before_and_a_claim_is_refused(tmp_path):
    """The desk's own hourly job archives; `/quality 90d` (whose trend reaches two years back)
    and the export answer exactly as they did with everything in memory."""
    from bot.export import export_text
    from tests.harness import BOB, CAROL, TRIAGE, ack_text, bot_posts, clock_at, running_desk, text_of

    url = f"tinydb://{tmp_path}/desk.json"
    async with running_desk(url, clock=clock_at(NOW)) as run:
        for ticket in history():
            await run.desk.store.create_ticket(lambda n, t=ticket: t)

        async def quality() -> str:
            await run.people.command(CAROL, "/desk", "quality 90d", channel=TRIAGE)
            await run.idle()
            return text_of(bot_posts(run.slack, TRIAGE, to=CAROL)[-1])

        async def export() -> str:
            config = run.desk.config
            return (await export_text(config, timedelta(days=20 * 365), "csv"))[0]

        before, exported = await quality(), await export()
        assert "Opened" in before
        assert await run.run_job("archive") == len(settled_before(history(), NOW - WINDOW))
        assert len(run.desk.store.tables.tickets) < len(history())
        assert await quality() == before
        assert await export() == exported

        refused = await run.people.command(BOB, "/desk", "claim T-1", channel=TRIAGE)
        await run.idle()
        said = ack_text(refused) or text_of(bot_posts(run.slack, TRIAGE, to=BOB)[-1])
        assert said == (
            "T-1 was resolved long ago and is archived, so it can't change any more. "
            "To take it up again, open a new request and mention T-1."
        )


def many_settled(count: int) -> list[Ticket]:
    """`count` tickets resolved over two years, a few a day, and the last 30 open."""
    start = datetime(2024, 6, 1, 9, tzinfo=BERLIN)
    tickets = [resolved(n, start + timedelta(hours=8 * n)) for n in range(1, count - 29)]
    return tickets + [make_ticket(n, at=NOW - timedelta(hours=n)) for n in range(count - 29, count + 1)]


async def test_kill9_while_tickets_move_to_the_archive_loses_and_doubles_nothing(tmp_path):
    """A real process moving 2,000 tickets over 25 monthly files, SIGKILLed at random moments;
    after each kill the store opens, holds every ticket exactly once (in the window or listed
    in its month's file, never both), and every listed ticket is in its file."""
    import asyncio
    import random
    import signal
    import sys

    from store.archive import numbers_in
    from store.names import ARCHIVED
    from tests.harness import ROOT, child, started

    path = tmp_path / "desk.json"
    tickets = many_settled(2000)
    store = await store_with(path, tickets)
    await store.close()
    everything = {t.number for t in tickets}
    rng = random.Random(12)
    midway = 0  # kills that left some tickets moved and some not
    old = len(everything) - 30
    lives = 0
    for _ in range(40):
        lives += 1
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.archiver_process",
            str(path),
            (NOW - WINDOW).isoformat(),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            **child(),
        )
        started(process.pid)
        assert process.stdout is not None
        assert (await asyncio.wait_for(process.stdout.readline(), 30)).strip() == b"open"
        finish = asyncio.ensure_future(process.stdout.readline())
        # the kill comes once one to three more months' files are in place, and a moment after
        files = len(list(tmp_path.glob("desk.archive-*.json")))
        target = files + rng.randint(1, 3)
        while not finish.done() and len(list(tmp_path.glob("desk.archive-*.json"))) < target:
            await asyncio.wait([finish], timeout=0.005)
        await asyncio.wait([finish], timeout=rng.uniform(0.0, 0.02))
        done = finish.done()
        process.send_signal(signal.SIGKILL)
        await process.wait()
        finished = done and finish.result().startswith(b"done")

        store = await reopened(path)
        try:
            window = set(store.tables.tickets)
            listed = [
                n for doc in (await store.records(ARCHIVED)).values() for n in numbers_in(doc["ranges"])
            ]
            assert len(listed) == len(set(listed)), "a ticket listed in two months"
            assert not window & set(listed), "a ticket both in the window and archived"
            assert window | set(listed) == everything, (
                f"lost: {sorted(everything - window - set(listed))[:5]}"
            )
            await store.check_archive()  # every listed ticket is in its file
            assert [t.number for t in await store.all_tickets()] == sorted(everything)
            midway += 0 < len(listed) < old
        finally:
            await store.close()
        if finished:
            break
    assert midway >= 3, "kills landed while tickets were moving"
    print(f"kill -9 while archiving: {lives} lives, {midway} killed mid-move, 0 lost, 0 doubled")
    store = await reopened(path)
    try:
        assert finished, "a last life finished the move"
        assert set(store.tables.tickets) == {t.number for t in tickets if t.is_open}
    finally:
        await store.close()


async def test_store_check_and_backup_cover_the_archive(tmp_path):
    from tests.test_store_damage import bot_command

    path = tmp_path / "desk.json"
    tickets = history()
    archived = await archived_on_disk(path)

    checked = bot_command(tmp_path, "store", "check")
    assert checked.returncode == 0, checked.stderr
    months = sorted(
        f.name[len("desk.archive-") : -len(".json")] for f in tmp_path.glob("desk.archive-*.json")
    )
    assert f"  tickets: {len(tickets) - archived} in memory (2 open)" in checked.stdout
    assert (
        f"  archive: {archived} tickets in {len(months)} monthly files "
        f"({months[0]} to {months[-1]}), every one there" in checked.stdout
    )

    backup = tmp_path / "copy" / "desk.json"
    backup.parent.mkdir()
    made = bot_command(tmp_path, "store", "backup", str(backup))
    assert made.returncode == 0, made.stderr
    assert f"and {archived} archived beside it" in made.stdout
    assert sorted(f.name for f in backup.parent.glob("desk.archive-*.json")) == [
        f"desk.archive-{m}.json" for m in months
    ]
    restored = await reopened(backup)
    try:
        assert [t.number for t in await restored.all_tickets()] == [t.number for t in tickets]
        await restored.check_archive()
    finally:
        await restored.close()

    sorted(tmp_path.glob("desk.archive-*.json"))[-1].write_text('{"tickets": {}}')  # emptied by hand
    damaged = bot_command(tmp_path, "store", "check")
    assert damaged.returncode == 1 and "Traceback" not in damaged.stderr
    assert damaged.stderr.strip().splitlines()[-1].startswith("store error: ")
    assert "lacks" in damaged.stderr


async def test_a_period_starting_at_midnight_in_berlin_reaches_the_utc_month_before(tmp_path):
    """Archive months are UTC months: 1 May 00:30 in Berlin is still 30 April in UTC, and a
    ticket settled at 23:00 UTC that day is after it, so it must be read."""
    late = resolved(1, datetime(2026, 4, 30, 23, 0, tzinfo=UTC))
    store = await store_with(tmp_path / "desk.json", [late])
    try:
        assert await store.archive_settled(NOW - WINDOW) == 1
        since = datetime(2026, 5, 1, 0, 30, tzinfo=BERLIN)
        assert [t.number for t in await store.history_since(since)] == [1]
    finally:
        await store.close()


async def test_history_comes_in_pieces_a_month_at_a_time_each_ticket_once(tmp_path):
    """What /quality counts from: the window, then one archive month per piece. A move to
    the archive between two pieces (the hourly job) counts nobody twice."""
    tickets = history()
    store = await store_with(tmp_path / "desk.json", tickets)
    try:
        await store.archive_settled(datetime(2026, 3, 1, tzinfo=UTC))  # the oldest months only
        since = datetime(2025, 1, 1, tzinfo=UTC)
        pieces = store.history_in_pieces(since)
        seen = [t.number for t in await anext(pieces)]  # the window, taken now
        await store.archive_settled(NOW - WINDOW)  # more of it moves meanwhile
        sizes = []
        async for piece in pieces:
            sizes.append(len(piece))
            seen += [t.number for t in piece]
        assert sorted(seen) == [t.number for t in tickets]  # each once
        months = {month_of(t.resolved_at) for t in tickets if t.resolved_at and t.resolved_at < NOW - WINDOW}
        assert len(sizes) == len(months) and max(sizes) <= 3  # a month's tickets (2 or 3) at a time
    finally:
        await store.close()


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=80, deadline=None)
@given(
    tables=st.dictionaries(st.text(), st.dictionaries(st.text(), _json, max_size=4), max_size=5),
    indent=st.sampled_from([None, 1]),
)
def test_an_archive_file_is_read_a_document_at_a_time_as_json_reads_it(tmp_path_factory, tables, indent):
    """`_docs_in` parses a member at a time (the event loop is not held for a whole month):
    the same documents as `json.loads`, however the file is spaced, for any table names."""
    path = tmp_path_factory.mktemp("month") / "desk.archive-2024-01.json"
    path.write_text(json.dumps(tables, indent=indent), encoding="utf-8")
    assert _docs_in(path) == dict(tables.get(TABLE) or {})


@pytest.mark.parametrize(
    "text", ['{"tickets": {"1": {}', '{"tickets": {"1" {}}}', '{"tickets": {}} x', "[1]"]
)
def test_an_archive_file_that_is_not_json_is_refused(text, tmp_path):
    path = tmp_path / "desk.archive-2024-01.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError):
        _docs_in(path)
