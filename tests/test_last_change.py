"""A TinyDB store knows how far it reached: a snapshot lost or swapped for an older copy after
a clean stop is refused at start-up and by `store check` (one line saying what to restore,
exit 1), instead of a desk that opens empty and numbers its tickets from T-1 again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from store import StoreUnavailable, TinyDBStore
from store.journal import LastChange, segment_paths
from tests.factories import make_ticket
from tests.harness import TEST_START
from tests.test_store_damage import bot_command


async def stopped_cleanly(path: Path, tickets: int, *, compact: bool = True) -> None:
    """`tickets` more tickets written to the store at `path`, a snapshot of them all (so the
    journal left is empty) and a clean stop."""
    store = TinyDBStore(path)
    await store.open()
    for _ in range(tickets):
        await store.create_ticket(lambda number: make_ticket(number, at=TEST_START))
    if compact:
        await store.compact()
    await store.close()


async def refused(path: Path) -> str:
    with pytest.raises(StoreUnavailable) as refusal:
        await TinyDBStore(path).open()
    message = str(refusal.value)
    assert "\n" not in message
    return message


def refused_by_the_commands(tmp_path: Path, says: str) -> None:
    """`store check` and the desk itself (`run`) both stop with one line, exit 1 (the desk
    may log a warning or two before it opens the store)."""
    for args in (["store", "check"], ["run"]):
        done = bot_command(tmp_path, *args)
        assert done.returncode == 1, (args, done.stdout)
        assert "Traceback" not in done.stderr
        [line] = done.stderr.strip().splitlines()[-1:]
        assert line.startswith("store error: ") and says in line, line
        assert [line] == [x for x in done.stderr.splitlines() if "desk.json" in x], "one line about it"


async def test_a_deleted_snapshot_after_a_clean_stop_is_refused(tmp_path):
    path = tmp_path / "desk.json"
    await stopped_cleanly(path, 5)
    assert [p.name for p in segment_paths(path)] == ["desk.json.journal.6"]
    assert segment_paths(path)[0].stat().st_size == 0, "all of it is in the snapshot"
    path.unlink()
    message = await refused(path)
    assert f"{path} is missing" in message and "had reached change 5" in message
    assert "put desk.json back" in message and "docs/store.md: backups" in message
    refused_by_the_commands(tmp_path, f"{path} is missing")


async def test_an_older_snapshot_put_back_after_a_clean_stop_is_refused(tmp_path):
    path = tmp_path / "desk.json"
    await stopped_cleanly(path, 3)
    older = tmp_path / "older.json"
    shutil.copy(path, older)
    await stopped_cleanly(path, 4)  # T-4 to T-7, in the newer snapshot only
    shutil.copy(older, path)
    message = await refused(path)
    assert f"{path} is older than the store" in message
    assert "only up to 3" in message and "had reached change 7" in message
    refused_by_the_commands(tmp_path, "is older than the store")


async def test_a_snapshot_older_than_the_journal_it_sits_beside_is_refused_too(tmp_path):
    """Stopped with the journal not yet compacted: the numbers do not follow on."""
    path = tmp_path / "desk.json"
    await stopped_cleanly(path, 3)
    older = tmp_path / "older.json"
    shutil.copy(path, older)
    await stopped_cleanly(path, 2)
    await stopped_cleanly(path, 2, compact=False)
    shutil.copy(older, path)
    assert "change 6 follows change 3" in await refused(path)


async def test_a_normal_restart_opens_with_everything_and_numbers_on(tmp_path):
    path = tmp_path / "desk.json"
    await stopped_cleanly(path, 4)
    assert LastChange(path).read() == 4
    await stopped_cleanly(path, 2, compact=False)  # changes 5 and 6 in the journal only
    assert LastChange(path).read() == 6
    store = TinyDBStore(path)
    await store.open()
    assert await store.ticket_count() == 6
    ticket = await store.create_ticket(lambda number: make_ticket(number, at=TEST_START))
    assert ticket.number == 7
    await store.close()
    done = bot_command(tmp_path, "store", "check")
    assert done.returncode == 0, done.stderr
    assert "tickets: 7 in memory" in done.stdout and "last change: 7" in done.stdout


async def test_a_brand_new_store_opens_and_leaves_its_number_at_a_clean_stop(tmp_path):
    path = tmp_path / "new" / "desk.json"
    store = TinyDBStore(path)
    await store.open()
    assert await store.ticket_count() == 0
    await store.close()
    assert LastChange(path).read() == 0
    await stopped_cleanly(path, 1)
    assert LastChange(path).read() == 1


async def test_store_check_beside_a_desk_does_not_write_the_number(tmp_path):
    path = tmp_path / "desk.json"
    await stopped_cleanly(path, 2, compact=False)
    LastChange(path).path.unlink()  # a store from before the number was kept opens as it was
    done = bot_command(tmp_path, "store", "check")
    assert done.returncode == 0, done.stderr
    assert not LastChange(path).path.exists(), "a read-only look writes nothing"


async def test_a_number_that_cannot_be_read_is_said_plainly(tmp_path):
    path = tmp_path / "desk.json"
    await stopped_cleanly(path, 2)
    LastChange(path).path.write_text("garbage")
    assert "does not hold a change number" in await refused(path)
