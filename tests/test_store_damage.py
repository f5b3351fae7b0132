"""The TinyDB store on a real filesystem, full and damaged as disks, backups and careless
copies leave it: a failed write is undone and said plainly, and start-up refuses to guess
(one line naming the file and the line, exit 1, no traceback). `store check` and `store
backup` are how an operator looks and copies beside a running desk."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tinydb import TinyDB

from bot.domain.priority import Priority
from bot.domain.ticket import Origin, open_ticket
from handlers.errors import NOT_SAVED
from store import NotSaved, StoreUnavailable, TinyDBStore
from store.journal import segment_paths
from tests.factories import make_ticket
from tests.harness import (
    ALICE,
    ROOT,
    TEST_START,
    bot_posts,
    demo_config,
    dm_of,
    running_desk,
    settle,
    text_of,
    toml_text,
)


async def stored(path: Path, count: int, *, compact_after: int | None = None) -> None:
    """A store at `path` with `count` tickets, one transaction each (compacted after
    `compact_after` of them, when given)."""
    store = TinyDBStore(path)
    await store.open()
    for n in range(1, count + 1):
        await store.create_ticket(lambda number: make_ticket(number, text=f"Ticket {number}", at=TEST_START))
        if n == compact_after:
            await store.compact()
    await store.close()


async def opened(path: Path) -> TinyDBStore:
    store = TinyDBStore(path)
    await store.open()
    return store


async def refusal(path: Path) -> str:
    with pytest.raises(StoreUnavailable) as refused:
        await opened(path)
    message = str(refused.value)
    assert "\n" not in message and "restore the store from a backup" in message
    return message


def damage_line(segment: Path, line: int) -> None:
    """Line `line` cut in the middle of a word, its newline kept (a careless copy, a bad disk)."""
    lines = segment.read_bytes().split(b"\n")
    lines[line - 1] = b'{"seq": 7, "changes": [["put", "tick'
    segment.write_bytes(b"\n".join(lines))


def split_segment(path: Path, at: int) -> tuple[Path, Path]:
    """Cut the store's one segment in two, the second starting at change `at`, as two opens
    of the desk leave it."""
    [segment] = segment_paths(path)
    lines = segment.read_bytes().rstrip(b"\n").split(b"\n")
    newer = path.with_name(f"{path.name}.journal.{at}")
    segment.write_bytes(b"\n".join(lines[: at - 1]) + b"\n")
    newer.write_bytes(b"\n".join(lines[at - 1 :]) + b"\n")
    return segment, newer


async def test_a_new_store_with_a_journal_from_its_first_change_opens(tmp_path):
    path = tmp_path / "desk.json"
    await stored(path, 4)
    assert not path.exists() and len(segment_paths(path)) == 1
    store = await opened(path)
    assert await store.ticket_count() == 4
    await store.close()


async def test_a_write_cut_short_by_a_crash_is_dropped_and_the_rest_opens(tmp_path):
    path = tmp_path / "desk.json"
    await stored(path, 4)
    [segment] = segment_paths(path)
    with open(segment, "ab") as journal:
        journal.write(b'{"seq":5,"changes":[["put","tickets","5",{"numb')  # no newline: unconfirmed
    store = await opened(path)
    assert await store.ticket_count() == 4
    await store.create_ticket(lambda number: make_ticket(number, at=TEST_START))  # change 5, anew
    await store.close()
    store = await opened(path)  # and it opens again, with change 5 the one that was confirmed
    assert await store.ticket_count() == 5
    await store.close()


async def test_an_empty_snapshot_beside_the_journal_stops_start_up(tmp_path):
    path = tmp_path / "desk.json"
    await stored(path, 10, compact_after=6)
    path.write_bytes(b"")
    assert "desk.json is empty (0 bytes)" in await refusal(path)


async def test_a_missing_snapshot_with_a_journal_that_starts_later_stops_start_up(tmp_path):
    path = tmp_path / "desk.json"
    await stored(path, 10, compact_after=6)
    path.unlink()
    message = await refusal(path)
    assert "the journal starts at change 7 but there is no snapshot" in message


@pytest.mark.parametrize("which", ["the newest segment", "an older segment"])
async def test_a_damaged_last_complete_line_stops_start_up(tmp_path, which):
    path = tmp_path / "desk.json"
    await stored(path, 6)
    older, newest = split_segment(path, 4)
    segment = newest if which == "the newest segment" else older
    last = len(segment.read_bytes().rstrip(b"\n").split(b"\n"))
    damage_line(segment, last)
    message = await refusal(path)
    assert f"{segment}: line {last} cannot be read" in message


async def test_a_gap_in_the_journal_stops_start_up(tmp_path):
    path = tmp_path / "desk.json"
    await stored(path, 5)
    _, newest = split_segment(path, 4)
    newest.write_bytes(b"\n".join(newest.read_bytes().split(b"\n")[1:]))  # change 4 is gone
    assert "change 5 follows change 3, so 1 are missing" in await refusal(path)


def bot_command(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "desk.toml"
    config.write_text(toml_text(demo_config(f"tinydb://{tmp_path}/desk.json")))
    env = {**os.environ, "DESK_CONFIG": str(config), "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


async def test_a_damaged_middle_line_is_one_line_from_the_desk_and_from_store_check(tmp_path):
    path = tmp_path / "desk.json"
    await stored(path, 5)
    [segment] = segment_paths(path)
    damage_line(segment, 2)
    for args in (["store", "check"], ["run"]):
        done = bot_command(tmp_path, *args)
        assert done.returncode == 1, args
        assert "Traceback" not in done.stderr
        [line] = done.stderr.strip().splitlines()[-1:]
        assert line.startswith("store error: ") and f"{segment}: line 2 cannot be read" in line


async def test_store_check_says_what_a_sound_store_holds(tmp_path):
    await stored(tmp_path / "desk.json", 7, compact_after=4)
    done = bot_command(tmp_path, "store", "check")
    assert done.returncode == 0, done.stderr
    assert "tickets: 7 in memory (7 open)" in done.stdout and "snapshot: desk.json" in done.stdout
    assert "last change: 7" in done.stdout


async def test_a_backup_taken_during_a_burst_opens_with_tinydb_and_restores(tmp_path):
    """`store backup` beside a desk that is writing: the copy is one consistent TinyDB file;
    restored as the store's file, the desk opens with every ticket the copy holds."""
    path = tmp_path / "desk.json"
    store = TinyDBStore(path, compact_every=7)  # compactions during the burst, too
    await store.open()
    writing = True

    async def burst() -> None:
        while writing:
            await store.create_ticket(lambda number: make_ticket(number, at=TEST_START))
            await asyncio.sleep(0.002)

    task = asyncio.create_task(burst())
    await asyncio.sleep(0.3)
    done = await asyncio.to_thread(bot_command, tmp_path, "store", "backup", str(tmp_path / "copy.json"))
    writing = False
    await task
    total = await store.ticket_count()
    await store.close()
    assert done.returncode == 0, done.stderr
    copied = int(done.stdout.split(": ")[1].split(" tickets")[0])
    assert 0 < copied <= total
    with TinyDB(tmp_path / "copy.json") as db:
        assert len(db.table("tickets")) == copied
    restored = tmp_path / "restored" / "desk.json"
    restored.parent.mkdir()
    (tmp_path / "copy.json").rename(restored)
    again = await opened(restored)
    assert [t.number for t in await again.all_tickets()] == list(range(1, copied + 1))
    await again.create_ticket(lambda number: make_ticket(number, at=TEST_START))  # and it writes on
    await again.close()


# -- a full disk ---------------------------------------------------------------------------------
@contextlib.contextmanager
def small_disk(folder: Path, size: str = "1m"):
    """A tmpfs of `size` at `folder`: a disk that really fills up."""
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"CI must be able to mount a tmpfs: {done.stderr.decode().strip()}")
        pytest.skip(f"cannot mount a small disk here (needs root): {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Take every free byte of the disk `folder` is on."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)
    return filler


def asking(run, words: str):
    """The desk's question about the request `words`, once it is in Alice's DM."""
    found = [
        m for m in bot_posts(run.slack, dm_of(run)) if words in text_of(m) and "Which area" in text_of(m)
    ]
    return found[-1] if found else None


def confirmations(run, user=ALICE) -> list[str]:
    return [text_of(m) for m in bot_posts(run.slack, dm_of(run, user)) if "is open" in text_of(m)]


async def test_a_full_disk_refuses_changes_plainly_and_the_desk_restarts_with_every_confirmed_one(tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        url = f"tinydb://{disk}/desk.json"
        async with running_desk(url) as run:
            from tests.harness import answer_questions, start_request

            for n in range(3):
                prompt = await start_request(run, f"Before the disk filled {n}")
                await answer_questions(run, ALICE, prompt)
            await run.idle()
            filler = fill(disk)
            refused = 0
            for n in range(20):  # the journal's last page has room for a few: then the disk is full
                before = len(bot_posts(run.slack, dm_of(run)))
                _, delivery = await run.people.say(ALICE, dm_of(run), f"While the disk is full {n}")
                assert delivery is not None
                if delivery.status == 503:  # not saved, so not acked: Slack's last retry is told
                    for retry in range(1, 4):
                        delivery = await run.people.retry_last_event(retry)
                assert delivery.status == 200
                await settle(lambda before=before: len(bot_posts(run.slack, dm_of(run))) > before)
                if text_of(bot_posts(run.slack, dm_of(run))[-1]) == NOT_SAVED.format(why="disk full"):
                    refused += 1
                    break
            assert refused == 1, "the person is told their request was not saved"
            health = run.desk.health()
            assert health["ok"] is False and health["store"]["problem"] == "disk full"
            async with aiohttp_get(run.url + "healthz") as (status, body):
                assert status == 503 and body["store"]["problem"] == "disk full"
            filler.unlink()
            await run.people.say(ALICE, dm_of(run), "cancel")  # what the disk took before it filled
            await run.idle()
            await run.people.say(ALICE, dm_of(run), "After space came back")
            await settle(lambda: asking(run, "After space came back"))
            await answer_questions(run, ALICE, asking(run, "After space came back"))
            await run.idle()
            assert run.desk.health()["ok"] is True and "problem" not in run.desk.health()["store"]
            shown = confirmations(run)
        store = TinyDBStore(disk / "desk.json")
        await store.open()  # the journal has no half-written line: it opens
        texts = [t.text for t in await store.all_tickets()]
        await store.close()
        assert texts == [f"Before the disk filled {n}" for n in range(3)] + ["After space came back"]
        assert len(shown) == 4, "every confirmed ticket is there, and none that was refused"


@contextlib.asynccontextmanager
async def aiohttp_get(url: str):
    import aiohttp

    async with aiohttp.ClientSession() as http, http.get(url) as answer:
        yield answer.status, await answer.json()


async def test_a_write_that_fails_half_way_is_undone(tmp_path):
    """The disk fills up in the middle of a line: the line is cut off again at once, so the
    next write does not land after half a line, and the store opens afterwards."""
    with small_disk(tmp_path / "disk", "256k") as disk:
        path = disk / "desk.json"
        store = TinyDBStore(path)
        await store.open()
        await store.create_ticket(lambda n: make_ticket(n, at=TEST_START))
        [segment] = segment_paths(path)
        good = segment.stat().st_size
        filler = fill(disk)
        big = "x" * 200_000  # a line longer than any space left: written part way, then refused
        origin = Origin("D0ALICE01", None, "dm")
        with pytest.raises(NotSaved, match="disk full"):
            await store.create_ticket(
                lambda n: open_ticket(n, ALICE, big, "Hardware", Priority.P3, origin, TEST_START)
            )
        assert segment.stat().st_size == good
        assert store.problem == "disk full" and await store.ticket_count() == 1
        filler.unlink()
        await store.create_ticket(lambda n: make_ticket(n, at=TEST_START))
        assert store.problem is None
        await store.close()
        lines = segment.read_bytes().split(b"\n")
        assert all(json.loads(line) for line in lines if line), "no half line left in the journal"
        again = await opened(path)
        assert [t.number for t in await again.all_tickets()] == [1, 2]
        await again.close()
