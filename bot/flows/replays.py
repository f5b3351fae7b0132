"""Replayed requests: an identical signed request seen twice.

Slack never sends a slash command, a click or a form submission twice (it retries only
events, and those keep their `event_id` rule, `handlers/events.py`), so a second copy of one
is somebody replaying a captured request. Each one's timestamp and signature are remembered
in the store (restarts keep them) for as long as Slack's signature is accepted, five minutes;
after that its timestamp is too old and it is refused as unsigned.

The mark is taken at once, so a copy arriving while the desk runs is dropped, and written
with the request's own work after the ack (`Store.put_once_soon`): nothing a request keeps
in the store is ever kept without its mark. A desk that stops before the mark is written
(killed within 50 ms on TinyDB, the database server lost before its log reached the disk on
PostgreSQL) kept none of the request's work either; a copy of it sent then does that work,
and says again what the first only said (a private answer, a form opened). While the store
is failing, the mark is written before anything is done, and a request whose mark cannot be
written is refused, not acted on (`bot.web.build` says why).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.desk import Desk
from store.records import SIGNED

WINDOW = timedelta(minutes=5)  # how old a signed request may be (slack_sdk's SignatureVerifier)


async def first_time(desk: Desk, stamp: str, signature: str) -> bool:
    """Remember this signed request; False when it was seen already (a replay). Raises
    (NotSaved) when it cannot be remembered (the store failing): the edge then refuses the
    request. The ack waits for no write of the mark (module doc)."""
    return await desk.store.put_once_soon(SIGNED, f"{stamp}:{signature}", desk.clock.now())


async def forget_old(desk: Desk, now: datetime) -> int:
    """Drop what is past the window (a copy sent now would be refused as stale anyway)."""
    old = [
        key
        for key, seen in (await desk.store.entries(SIGNED)).items()
        if now - seen > 2 * WINDOW  # the desk's clock may not be Slack's
    ]
    if old:
        async with desk.store.transaction() as tx:
            for key in old:
                tx.drop(SIGNED, key)
    return len(old)
