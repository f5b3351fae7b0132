"""An event is acked only once its work is saved, however long saving takes (issue 34, item 5).

The desk used to ack an event after EVENT_ACK_WAIT seconds even when its listener had not
committed yet; a desk killed after that ack and before the commit lost the request for good,
since Slack does not send an acked event again. Now such an event is answered 503 (not an
ack), its work goes on, and Slack's retry is acked once the work is on disk.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.domain.intake import Stage
from bot.work import EVENT_ACK_WAIT, NOT_YET
from store.codec import draft_from_doc
from store.names import DRAFTS, HANDLED
from store.tinydb_store import TinyDBStore
from tests.harness import ALICE, dm_of, running_desk
from tests.test_one_road import questions


class SlowDisk(TinyDBStore):
    """A TinyDB store whose next write takes `pause` seconds to reach the disk (a disk busy
    with another program, a machine short of CPU): the transaction waits for it, as it would."""

    pause = 0.0

    async def _persist(self, changes):
        pause, self.pause = self.pause, 0.0
        if pause:
            await asyncio.sleep(pause)
        return await super()._persist(changes)


@pytest.mark.parametrize("socket", [False, True], ids=["http", "socket-mode"])
async def test_an_event_whose_work_is_not_saved_in_time_is_not_acked_and_slacks_retry_is(tmp_path, socket):
    store = SlowDisk(tmp_path / "desk.json")
    async with running_desk(store=store, socket=socket) as run:
        store.pause = EVENT_ACK_WAIT + 1.0  # the DM's commit ends a second after the ack's wait
        _, first = await run.people.say(ALICE, dm_of(run), "The printer is jammed")
        assert first is not None
        saved = await run.desk.store.records(DRAFTS)
        # Before: a 200 here, with nothing on disk; a kill now lost the request. Over Socket
        # Mode no ack comes back at all: the local Slack stops waiting after 3 s (a 408).
        not_acked = 408 if socket else NOT_YET
        assert (first.status, saved) == (not_acked, {}), "not acked while nothing is saved"
        retry = await run.people.retry_last_event(1)  # Slack sends it again nearly at once
        assert retry.status == 200, "acked once the first delivery's work is on disk"
        [draft] = [draft_from_doc(doc) for doc in (await run.desk.store.records(DRAFTS)).values()]
        assert draft.text == "The printer is jammed" and draft.stage is Stage.CATEGORY
        await run.idle()
        assert len(questions(run)) == 1, "asked once, for the two deliveries"
    reopened = TinyDBStore(tmp_path / "desk.json")
    await reopened.open()
    try:
        assert len(await reopened.records(DRAFTS)) == 1, "on disk, not only in memory"
    finally:
        await reopened.close()


async def test_a_reader_of_changes_not_yet_written_returns_only_once_they_are_written(tmp_path):
    """Group commit: a transaction that reads another's changes before they are written (the
    first delivery of a DM, seen by Slack's retry as "done already") ends only after the
    write. Before, one that changed nothing ended at once, and the retry was acked on what
    a kill could still take away."""
    store = SlowDisk(tmp_path / "desk.json")
    await store.open()
    seen: list[tuple[object, int]] = []
    try:

        async def first() -> None:
            async with store.transaction() as tx:
                tx.put(HANDLED, "msg:D1:1.0", "2026-03-04T09:00:00+00:00")
                await asyncio.sleep(0.05)  # the others queue behind it meanwhile

        async def retry() -> None:
            async with store.transaction() as tx:
                found = tx.record(HANDLED, "msg:D1:1.0")
            seen.append((found, await _handled_on_disk(tmp_path)))

        async def another() -> None:  # keeps the group open after the retry's turn
            store.pause = 0.5
            async with store.transaction() as tx:
                tx.put(HANDLED, "msg:D1:2.0", "2026-03-04T09:00:01+00:00")

        running = [asyncio.create_task(first())]
        await asyncio.sleep(0.01)
        running += [asyncio.create_task(retry())]
        await asyncio.sleep(0.01)
        running += [asyncio.create_task(another())]
        await asyncio.gather(*running)
    finally:
        await store.close()
    [(found, on_disk)] = seen
    assert found is not None, "the retry saw the first delivery's mark"
    assert on_disk >= 1, "and ended only once that mark was on disk"


async def _handled_on_disk(folder) -> int:
    """How many marks a second reader finds in the store's files now (what a kill leaves)."""
    reader = TinyDBStore(folder / "desk.json", read_only=True)
    await reader.open()
    try:
        return len(await reader.records(HANDLED))
    finally:
        await reader.close()
