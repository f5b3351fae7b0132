"""The TinyDB backend: survives restarts and compaction, and its file is real TinyDB."""

import asyncio
from datetime import timedelta

import pytest
from tinydb import TinyDB

from bot.domain.escalation import EscalationPolicy
from bot.domain.escalation import due_notices as due
from bot.domain.policy import Clock, SlaPolicy, WorkingCalendar
from bot.domain.sla import SlaClock
from store import NotSaved, StoreUnavailable, TinyDBStore
from store.journal import read_segment, segment_paths
from tests.factories import T0, make_ticket
from tests.harness import settle
from tests.test_replay_records import DiskFull


async def reopen(path, **kw):
    store = TinyDBStore(path, **kw)
    await store.open()
    return store


async def test_everything_committed_is_there_after_reopen(tmp_path):
    path = tmp_path / "desk.json"
    store = await reopen(path)
    for _ in range(10):
        await store.create_ticket(lambda n: make_ticket(n))
    await store.update_ticket(4, lambda t: t.claim("U0BOB0001", T0))
    await store.put_record("conversations", "U1:D1", {"state": "urgency"})
    await store.close()

    again = await reopen(path)
    assert await again.ticket_count() == 10
    assert (await again.ticket(4)).assignee == "U0BOB0001"
    assert await again.record("conversations", "U1:D1") == {"state": "urgency"}
    assert (await again.create_ticket(lambda n: make_ticket(n))).number == 11
    await again.close()


def journal_holds(path, key: str) -> bool:
    return any(
        key in change[2]
        for segment in segment_paths(path)
        for e in read_segment(segment)
        for change in e["changes"]
    )


async def test_a_mark_taken_soon_is_on_disk_with_the_next_change_alone_after_a_moment_and_at_close(tmp_path):
    """`add_once_soon`, the replay check before every ack: no write of its own to wait for,
    but never on disk later than a change made after it (what a kill -9 leaves is read here
    by a second, read-only store); with nothing after it, written alone (RIDE_AT_MOST), and
    by a clean stop."""
    path = tmp_path / "desk.json"
    store = await reopen(path)
    assert await store.add_once_soon("signed", "1:v0=a", {"at": 1})
    assert not journal_holds(path, "1:v0=a"), "no write of its own"
    await store.create_ticket(lambda n: make_ticket(n))
    reader = await reopen(path, read_only=True)
    assert (await reader.ticket_count(), await reader.record("signed", "1:v0=a")) == (1, {"at": 1})
    await reader.close()

    assert await store.add_once_soon("signed", "2:v0=b", {"at": 2})
    await settle(lambda: journal_holds(path, "2:v0=b"))  # nothing else is written: alone
    assert await store.add_once_soon("signed", "3:v0=c", {"at": 3})
    await store.close()
    again = await reopen(path)
    assert [await again.record("signed", k) for k in ("2:v0=b", "3:v0=c")] == [{"at": 2}, {"at": 3}]
    assert not await again.add_once_soon("signed", "3:v0=c", {"at": 4}), "taken before the restart"
    await again.close()


async def test_a_mark_whose_write_failed_goes_with_the_next_write_that_succeeds(tmp_path):
    """The disk refuses the write that carried a mark (its own work with it): the mark stays
    taken, and the next write that succeeds carries it, so what is kept after it never lacks it."""
    path = tmp_path / "desk.json"
    store = DiskFull(path)
    await store.open()
    assert await store.add_once_soon("signed", "1:v0=a", {"at": 1})
    store.refusing = True
    with pytest.raises(NotSaved):
        await store.create_ticket(lambda n: make_ticket(n))
    store.refusing = False
    await store.create_ticket(lambda n: make_ticket(n))
    assert journal_holds(path, "1:v0=a") and not await store.add_once_soon("signed", "1:v0=a", {"at": 2})
    await store.close()


async def test_compaction_writes_a_file_tinydb_opens_and_drops_covered_journal(tmp_path):
    path = tmp_path / "desk.json"
    store = await reopen(path, compact_every=1000)
    for _ in range(25):
        await store.create_ticket(lambda n: make_ticket(n))
    await store.put_record("digests", "2026-11-02", {"sent": True})
    await store.compact()
    await store.update_ticket(25, lambda t: t.resolve("U0BOB0001", "done", T0))
    await store.close()

    assert len(segment_paths(path)) == 1  # only the segment written after the snapshot
    db = TinyDB(str(path))
    assert len(db.table("tickets")) == 25
    assert db.table("tickets").get(doc_id=7)["number"] == 7
    assert db.table("digests").all()[0] == {"_key": "2026-11-02", "value": {"sent": True}}
    db.close()

    again = await reopen(path)
    assert (await again.ticket(25)).status.value == "resolved"
    assert await again.record("digests", "2026-11-02") == {"sent": True}
    await again.close()


async def test_compaction_starts_by_itself_after_enough_writes(tmp_path):
    path = tmp_path / "desk.json"
    store = await reopen(path, compact_every=10)
    for _ in range(35):
        await store.create_ticket(lambda n: make_ticket(n))
    await store.close()
    assert path.exists()
    again = await reopen(path)
    assert await again.ticket_count() == 35
    await again.close()


async def test_a_due_snapshot_waits_for_a_lull_in_the_writes_or_a_journal_four_times_as_long(tmp_path):
    """A storm of writes is not slowed by a full snapshot (bench/storm.py): the compaction due
    at `compact_every` waits until writes pause for `lull` seconds, or the journal is
    LONGEST times as long, or the store closes."""
    from store.tinydb_store import LONGEST

    path = tmp_path / "desk.json"
    store = await reopen(path, compact_every=10)
    store.lull = 3600.0  # no lull comes: the writes below are one burst
    for _ in range(LONGEST * 10 - 1):
        await store.create_ticket(lambda n: make_ticket(n))
    await asyncio.sleep(0)  # the waiting compaction looks, and goes on waiting
    assert not path.exists() and len(segment_paths(path)) == 1, "no snapshot amid the burst"
    await store.create_ticket(lambda n: make_ticket(n))  # the journal is LONGEST times as long
    await asyncio.wait_for(asyncio.shield(store._compaction), 10)
    assert path.exists() and len(TinyDB(path).table("tickets")) == LONGEST * 10

    store.lull = 0.01  # now writes pause: the next due snapshot is taken in the lull
    for _ in range(10):
        await store.create_ticket(lambda n: make_ticket(n))
    await asyncio.wait_for(asyncio.shield(store._compaction), 10)
    assert len(TinyDB(path).table("tickets")) == LONGEST * 10 + 10
    await store.close()


async def test_a_snapshot_waiting_for_a_lull_is_taken_at_close(tmp_path):
    path = tmp_path / "desk.json"
    store = await reopen(path, compact_every=10)
    store.lull = 3600.0
    for _ in range(12):
        await store.create_ticket(lambda n: make_ticket(n))
    assert not path.exists()
    await asyncio.wait_for(store.close(), 10)
    assert len(TinyDB(path).table("tickets")) == 12


async def test_a_torn_last_journal_line_is_ignored(tmp_path):
    path = tmp_path / "desk.json"
    store = await reopen(path)
    await store.create_ticket(lambda n: make_ticket(n))
    await store.create_ticket(lambda n: make_ticket(n))
    await store.close()
    with open(segment_paths(path)[-1], "ab") as journal:
        journal.write(b'{"seq": 3, "changes": [["put", "tickets", "3", {"numb')
    again = await reopen(path)
    assert await again.ticket_count() == 2
    assert (await again.create_ticket(lambda n: make_ticket(n))).number == 3
    await again.close()


async def test_a_second_process_cannot_open_the_same_store(tmp_path):
    path = tmp_path / "desk.json"
    first = await reopen(path)
    with pytest.raises(StoreUnavailable, match="in use by another desk process"):
        await reopen(path)
    await first.close()


async def test_a_file_that_is_not_tinydb_is_a_clear_error(tmp_path):
    path = tmp_path / "desk.json"
    path.write_text("this is not json")
    with pytest.raises(StoreUnavailable, match="not a readable TinyDB database"):
        await reopen(path)


async def test_compactions_started_together_run_one_after_another(tmp_path):
    path = tmp_path / "desk.json"
    store = await reopen(path)
    for _ in range(300):
        await store.create_ticket(lambda n: make_ticket(n))
    await asyncio.gather(store.compact(), store.compact(), store.create_ticket(lambda n: make_ticket(n)))
    await store.close()
    db = TinyDB(str(path))
    assert len(db.table("tickets")) == 301
    db.close()


async def test_escalation_notices_survive_reopen_and_compaction_exactly(tmp_path):

    clock = SlaClock(
        SlaPolicy(timedelta(hours=1), timedelta(hours=8), Clock.ALWAYS), WorkingCalendar(T0.tzinfo)
    )
    policy = EscalationPolicy(0.8, 2.0, timedelta(minutes=2), leads=("U0CAROL01",))
    path = tmp_path / "desk.json"
    store = await reopen(path)
    ticket = await store.create_ticket(lambda n: make_ticket(n))
    notices = due(ticket, clock, policy, T0 + timedelta(hours=3))
    raised = await store.update_ticket(1, lambda t: t.raise_notices(notices))
    struck = await store.update_ticket(1, lambda t: t.notice_delivered(notices[0].key, "triage"))
    assert struck.notices[0].owed == () and struck.notices[2].owed == ("dm:U0CAROL01",)
    await store.close()
    again = await reopen(path)
    assert (await again.ticket(1)).notices == struck.notices != raised.notices
    await again.compact()
    await again.close()
    third = await reopen(path)
    assert (await third.ticket(1)).notices == struck.notices
    await third.close()
