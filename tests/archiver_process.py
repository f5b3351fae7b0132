"""A store moving its history to the archive, to be killed (`tests/test_archive.py`).

Run as `python -m tests.archiver_process PATH BEFORE`: opens the TinyDB store at PATH, prints
`open`, moves every ticket settled before BEFORE (an ISO time) to the archive a few at a time,
compacting often so kills land amid snapshots too, then prints `done` and waits to be killed.
"""

import asyncio
import sys
from datetime import datetime

from store import TinyDBStore


async def main(path: str, before: str) -> None:
    store = TinyDBStore(path, compact_every=5)
    store.lull = 0.0  # compact as soon as due, amid the moving
    await store.open()
    print("open", flush=True)
    moved = await store.archive_settled(datetime.fromisoformat(before), batch=40)
    print(f"done {moved}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
