"""When the desk began: the moment before which it has nothing to report.

A digest or a weekly report covers a period that has ended. A desk started for the first time
after that period has nothing to say about it, so a first start sends no empty weekly report
and no "quiet day" digest at once. The moment is recorded at the first look and never moves;
a desk that ran before it was recorded began no later than its first ticket.
"""

from __future__ import annotations

from datetime import datetime

from bot.desk import Desk
from store.records import BEGAN

DESK = "desk"  # the record's key


async def began(desk: Desk) -> datetime:
    """The desk's first start (or its first ticket's opening, when that is older)."""
    found = await desk.store.get(BEGAN, DESK)
    if found is not None:
        return found
    now = desk.clock.now()
    first = await desk.store.ticket(1)
    moment = min(now, first.opened_at) if first is not None else now
    async with desk.store.transaction() as tx:  # a second process may have written it first
        if (found := tx.get(BEGAN, DESK)) is not None:
            return found
        tx.put(BEGAN, DESK, moment)
    return moment


def before_beginning(period_end: datetime, beginning: datetime) -> bool:
    """A period that ended before the desk began: nothing happened in it at this desk."""
    return period_end <= beginning
