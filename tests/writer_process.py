"""A store writer to be killed: creates and changes tickets, printing each confirmed change.

Run as `python -m tests.writer_process PATH`. A line `confirmed N STATUS` is printed only
after the store has returned, i.e. after the change is on disk.
"""

import asyncio
import sys

from store import TinyDBStore
from tests.factories import T0, make_ticket


async def main(path: str) -> None:
    store = TinyDBStore(path, compact_every=7)  # compact often, so kills land mid-compaction too
    store.lull = 0.0  # and at once, not after a pause in the writes
    await store.open()
    while True:
        ticket = await store.create_ticket(lambda n: make_ticket(n, text="x" * (n % 300)))
        print(f"confirmed {ticket.number} open", flush=True)
        if ticket.number % 3 == 0:
            done = await store.update_ticket(ticket.number, lambda t: t.resolve("U0BOB0001", "ok", T0))
            print(f"confirmed {done.number} resolved", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
