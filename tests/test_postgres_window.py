"""A desk on PostgreSQL keeps only its window in memory and reads older tickets with SQL
(issue 37, `store.window`): what it loads at start, what it answers from the database, how an
old ticket comes back to change, and what a desk catching up does with tickets outside it."""

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.errors import TicketArchived
from bot.domain.ticket import Ticket
from store.names import OPEN_SURVEYS, RESOLVED_AT, ROLLUPS, THREADS
from store.postgres_store import PostgresStore
from tests.factories import T0, make_ticket
from tests.test_rollups import ROLLUP

ROOT = Path(__file__).resolve().parent.parent
ALICE, ERIN, BOB = "U0ALICE01", "U0ERIN001", "U0BOB0001"
DAY = timedelta(days=1)
OLD = T0 - 300 * DAY  # long before the window
WINDOW_START = T0 - 120 * DAY


def resolved(number: int, at, requester: str = ALICE) -> Ticket:
    return make_ticket(number, requester=requester, at=at).claim(BOB, at).resolve(BOB, "done", at + DAY)


async def opened(url: str, keep_since=WINDOW_START) -> PostgresStore:
    store = PostgresStore(url)
    store.rollup = ROLLUP
    store.keep_since = keep_since
    await store.open()
    return store


async def write(url: str, *tickets: Ticket, records: dict[tuple[str, str], object] | None = None) -> None:
    """`tickets` (numbers rising with time) and `records`, written by a desk that keeps all."""
    store = await opened(url, keep_since=None)
    try:
        async with store.transaction() as tx:
            for ticket in tickets:
                assert tx.new_ticket_number() == ticket.number
                tx.save_ticket(ticket)
            for (table, key), doc in (records or {}).items():
                tx.put(table, key, doc)
    finally:
        await store.close()


HISTORY = (
    resolved(1, OLD),  # settled long ago: in the database alone
    make_ticket(2, requester=ALICE, at=OLD),  # open, however old
    resolved(3, T0 - 10 * DAY, requester=ERIN),  # settled within the window
    resolved(4, OLD, requester=ERIN).rate(ERIN, 5, T0 - 5 * DAY),  # rated within it
)
RECORDS = {
    (THREADS, "C0TRIAGE1:1.0"): 1,
    (RESOLVED_AT, "1"): "D0ALICE01:2.0",
    (THREADS, "C0TRIAGE1:3.0"): 3,
    (RESOLVED_AT, "3"): "D0ERIN001:4.0",
}


async def test_start_up_loads_the_window_and_sql_answers_for_the_rest(pg_url):
    await write(pg_url, *HISTORY, records=RECORDS)
    desk = await opened(pg_url)
    try:
        assert sorted(desk.tables.tickets) == [2, 3, 4]
        assert desk.tables.records[THREADS] == {"C0TRIAGE1:3.0": 3}  # a ticket's records go with it
        assert desk.tables.records[RESOLVED_AT] == {"3": "D0ERIN001:4.0"}
        assert await desk.ticket_count() == 4
        assert [t.number for t in await desk.all_tickets()] == [1, 2, 3, 4]
        assert await desk.all_tickets() == list(HISTORY)
        assert [t.number for t in await desk.tickets_of(ALICE)] == [2]
        assert [t.number for t in await desk.tickets_of(ALICE, open_only=False)] == [1, 2]
        assert [t.number for t in await desk.tickets_opened_since(T0 - 30 * DAY)] == [3]
        assert [t.number for t in await desk.tickets_opened_since(OLD + DAY)] == [3]
        assert [t.number for t in await desk.history_since(T0 - 30 * DAY)] == [2, 3, 4]
        assert [t.number for t in await desk.history_since(OLD)] == [1, 2, 3, 4]
        pieces = [[t.number for t in piece] async for piece in desk.history_in_pieces(OLD)]
        assert pieces == [[2, 3, 4], [1]]
        assert sorted(desk.tables.tickets) == [2, 3, 4]  # none of that stayed in memory
    finally:
        await desk.close()


async def test_an_empty_database_opens_with_an_empty_window(pg_url):
    desk = await opened(pg_url)  # (the window and the records arrive as one JSON array each)
    try:
        assert desk.tables.tickets == {} and desk.tables.owed == {}
        assert await desk.ticket_count() == 0
    finally:
        await desk.close()


def test_a_desk_on_postgresql_does_not_load_tinydb():
    """The TinyDB backend (TinyDB, its journal) is imported when first used: not by a desk
    whose store is PostgreSQL, at start (issue 37)."""
    code = (
        "import sys, bot.__main__, bot.app, store, store.postgres_store\n"
        "from store import store_from_url\n"
        "store_from_url('postgresql://127.0.0.1/none')\n"
        "print(sorted(m for m in sys.modules if m.startswith(('tinydb', 'store.tinydb'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
    from store import TinyDBStore  # and there when asked for

    assert TinyDBStore.__module__ == "store.tinydb_store"


async def test_an_old_ticket_looked_up_comes_back_to_change_and_its_rollups_move_once(pg_url):
    await write(pg_url, *HISTORY, records=RECORDS)
    desk = await opened(pg_url)
    try:
        with pytest.raises(TicketArchived):  # a transaction cannot see it before it is looked up
            async with desk.transaction() as tx:
                tx.ticket(1)
        rated = await desk.update_ticket(1, lambda t: t.rate(ALICE, 2, T0))
        assert await desk.ticket(1) == rated and 1 in desk.tables.tickets
        assert await desk.record(RESOLVED_AT, "1") == "D0ALICE01:2.0"  # its records came with it
        assert await desk.record(THREADS, "C0TRIAGE1:1.0") == 1
        kept = await desk.records(ROLLUPS)
        await desk.rebuild_rollups()  # recomputed from every ticket: what the change moved, exactly
        assert await desk.records(ROLLUPS) == kept
        assert await desk.archive_settled(WINDOW_START) == 0  # rated now: in the window
    finally:
        await desk.close()


async def test_new_numbers_follow_the_highest_stored_even_outside_the_window(pg_url):
    # an import brings old tickets in with new numbers: the highest may be settled long ago
    await write(pg_url, make_ticket(1, at=T0), resolved(2, OLD))
    desk = await opened(pg_url)
    try:
        assert sorted(desk.tables.tickets) == [1]
        made = await desk.create_ticket(lambda n: make_ticket(n, at=T0))
        assert made.number == 3
        assert (await desk.ticket(2)).resolved_at == OLD + DAY
    finally:
        await desk.close()


async def test_a_desk_catching_up_applies_changes_to_tickets_outside_its_window(pg_url):
    await write(pg_url, *HISTORY, records=RECORDS)
    first, second = await opened(pg_url), await opened(pg_url)
    try:
        await second.update_ticket(1, lambda t: t.rate(ALICE, 3, T0))  # outside `first`'s window
        await second.put_record(RESOLVED_AT, "1", "D0ALICE01:9.0")
        assert await first.probe()
        assert first.tables.tickets[1].rating.score == 3  # changed now: in its window
        assert await first.record(RESOLVED_AT, "1") == "D0ALICE01:9.0"
        # changes to one it dropped from memory arrive again, and the next drop takes it out
        assert await first.archive_settled(T0 + DAY) == 3  # 1, 3 and 4: settled before then
        await second.update_ticket(1, lambda t: t.rate(ALICE, 4, T0 + 2 * DAY))
        assert (await first.ticket(1)).rating.score == 4
        assert [t.number for t in await first.open_tickets()] == [2]
        assert await first.ticket_count() == 4
    finally:
        await first.close()
        await second.close()


async def test_dropping_settled_tickets_keeps_the_open_and_those_the_desk_still_names(pg_url):
    await write(pg_url, *HISTORY, records={**RECORDS, (OPEN_SURVEYS, "3"): "D0ERIN001:5.0"})
    desk = await opened(pg_url, keep_since=None)  # every ticket, until the archive job runs
    try:
        assert sorted(desk.tables.tickets) == [1, 2, 3, 4]
        assert await desk.archive_settled(T0) == 2  # 1 and 4; 2 is open, 3's survey is open
        assert sorted(desk.tables.tickets) == [2, 3]
        assert THREADS not in desk.tables.records or "C0TRIAGE1:1.0" not in desk.tables.records[THREADS]
        assert await desk.history_since(T0 - 30 * DAY) == [HISTORY[1], HISTORY[2], HISTORY[3]]
        reopened = await opened(pg_url, keep_since=WINDOW_START)  # a restart loads its window
        try:
            assert sorted(reopened.tables.tickets) == [2, 3, 4]
        finally:
            await reopened.close()
    finally:
        await desk.close()


async def test_a_reports_reach_is_read_through_its_index_a_page_at_a_time(pg_url, monkeypatch):
    """`history_in_pieces` beyond the window: the tickets settled since, found with the
    settled index, then their documents a page at a time in number order (none settled before
    the reach, none twice)."""
    import store.postgres_store as postgres_store

    monkeypatch.setattr(postgres_store, "DOC_PAGE", 2)
    old = [resolved(n, OLD + n * DAY) for n in range(1, 8)]  # settled a day after each opened
    await write(pg_url, *old, resolved(8, T0 - 10 * DAY))
    desk = await opened(pg_url)
    try:
        pieces = [[t.number for t in piece] async for piece in desk.history_in_pieces(OLD + 3 * DAY)]
        assert pieces == [[8], [2, 3], [4, 5], [6, 7]]  # 1 settled before the reach; 8 read once, in memory
        assert [t.number for t in await desk.history_since(OLD + 3 * DAY)] == [2, 3, 4, 5, 6, 7, 8]
    finally:
        await desk.close()
