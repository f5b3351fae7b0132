"""A write cut short: a desk stopping cancels its late listeners and its deliveries, and one
of them may be the transaction writing a group (`Store._finish`). The write goes on to its end
and is kept as it would have been, the other writers are not held for good, and the
cancellation goes on after."""

from __future__ import annotations

import asyncio

import pytest

from store import MemoryStore
from store.tables import Change


class SlowDisk(MemoryStore):
    """A store whose writes wait until `go_on` is set; `writing` says one has begun."""

    def __init__(self) -> None:
        super().__init__()
        self.writing = asyncio.Event()
        self.go_on = asyncio.Event()

    async def _persist(self, changes: list[Change]) -> dict[int, str]:
        self.writing.set()
        await self.go_on.wait()
        return await super()._persist(changes)


async def test_a_write_cut_short_ends_as_it_would_have_and_frees_the_store():
    store = SlowDisk()
    await store.open()
    first = asyncio.ensure_future(store.put_record("conversations", "U1:D1", {"state": "a"}))
    await store.writing.wait()
    second = asyncio.ensure_future(store.put_record("conversations", "U2:D2", {"state": "b"}))
    first.cancel()  # while its write is under way
    store.go_on.set()
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, timeout=5)  # bounded only: without the fix it waits for good
    assert await store.record("conversations", "U1:D1") == {"state": "a"}, "written, and visible"
    assert await store.record("conversations", "U2:D2") == {"state": "b"}
    await store.close()


async def test_the_marks_of_a_write_that_failed_after_a_cut_wait_for_the_next():
    """The write carrying a once-only mark fails while the one writing it is cancelled: the
    mark stays taken and the next write carries it."""
    store = SlowDisk()
    await store.open()
    assert await store.add_once_soon("signed", "1:v0=a", {"at": 1})
    failing = store._persist

    async def refused(changes: list[Change]) -> dict[int, str]:
        await failing(changes)
        raise RuntimeError("disk gone")

    store._persist = refused  # type: ignore[method-assign]
    first = asyncio.ensure_future(store.put_record("conversations", "U1:D1", {"state": "a"}))
    await store.writing.wait()
    first.cancel()
    store.go_on.set()
    with pytest.raises(asyncio.CancelledError):
        await first
    store._persist = failing  # type: ignore[method-assign]
    await asyncio.wait_for(store.put_record("conversations", "U2:D2", {"state": "b"}), timeout=5)
    assert await store.record("signed", "1:v0=a") == {"at": 1}
    assert await store.record("conversations", "U1:D1") is None
    await store.close()
