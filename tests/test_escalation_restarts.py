"""Escalation across real restarts of `python -m bot`: SIGTERM and kill -9 at random moments
while notices fall due, and every notice still arrives exactly once."""

from __future__ import annotations

import asyncio
import random
import signal
from collections import Counter
from datetime import UTC, datetime

from store import store_from_url
from tests.harness import (
    CAROL,
    TRIAGE,
    clock_at,
    local_slack,
    port_of,
    quiet_process,
    raise_ticket,
    running_desk,
    settle,
    start_process,
)
from tests.test_escalation_flow import notices

# The processes run on the machine's clock, so the targets are seconds long.
FIRST_RESPONSE = 4.0
FAST = {
    "sla": {"P2": {"first_response": "4s", "resolution": "1m"}},
    "escalation": {"check_every": "1s", "warn_at": 0.5, "leads_at": 1.5},
}

TICKETS = 3
EXPECTED = TICKETS * 3  # at risk and breached in triage, then the leads' DM, per ticket


def delivered(slack) -> Counter[str]:
    """How many times each notice (by its id) reached Slack."""
    seen = notices(slack, TRIAGE) + notices(slack, slack.workspace.im_with(CAROL).id)
    return Counter(m.blocks[0]["block_id"] for m in seen)


async def test_restarts_with_sigterm_and_kill9_send_every_notice_exactly_once(tmp_path):
    url = f"tinydb://{tmp_path}/desk.json"
    rng = random.Random(7)
    loop = asyncio.get_running_loop()
    async with local_slack() as slack:
        async with running_desk(url, slack=slack, clock=clock_at(datetime.now(UTC)), **FAST) as run:
            for n in range(TICKETS):
                await raise_ticket(run, f"Printer {n} is on fire")
        # Everything falls due within 1.5 targets of the last ticket; restart until well after.
        until = loop.time() + FIRST_RESPONSE * 1.5 + 2
        stops = Counter[str]()
        while loop.time() < until:
            process = await start_process(slack, tmp_path, url, **FAST)
            await asyncio.sleep(rng.uniform(0.2, 1.2))
            how = (signal.SIGKILL, signal.SIGTERM)[stops.total() % 2]  # each, in turn
            process.send_signal(how)
            await process.wait()
            stops[how.name] += 1
        process = await start_process(slack, tmp_path, url, **FAST)
        try:
            await settle(lambda: len(delivered(slack)) == EXPECTED, timeout=15)
            await quiet_process(port_of(slack))  # two more sweeps, and idle: nothing more comes
        finally:
            process.send_signal(signal.SIGTERM)
            await process.wait()
        counts = delivered(slack)
        assert len(counts) == EXPECTED and set(counts.values()) == {1}, counts
        assert stops["SIGTERM"] >= 1 and stops["SIGKILL"] >= 1, stops
    store = store_from_url(url)
    await store.open()
    assert all(not t.owed_notices for t in await store.open_tickets()), "nothing left owed"
    assert sum(len(t.notices) for t in await store.open_tickets()) == EXPECTED
    await store.close()
