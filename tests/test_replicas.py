"""Three real desks (`python -m bot`) on one PostgreSQL (SPEC §12): requests spread across
them as a load balancer would, a burst of intakes, claims and resolves while the leader is
killed with SIGKILL and then the next leader too. Whatever a desk confirmed is stored, every
message owed arrived exactly once, and another desk took the lead within two sweep intervals."""

from __future__ import annotations

import asyncio
import random
import signal
import time

from store import store_from_url
from tests.harness import (
    BOB,
    local_slack,
    outbox_arrivals,
    quiet_process,
    settle,
    start_process,
    wait_healthy,
)
from tests.test_kill9_desk import PEOPLE, confirmed, one_round

CHECK_EVERY = 2.0  # the desks' sweep interval (escalation.check_every), in seconds


async def roles(ports: list[int]) -> dict[int, str]:
    return {port: (await wait_healthy(port))["role"] for port in ports}


async def test_three_desks_one_leader_killed_twice_nothing_lost_nothing_twice(tmp_path, pg_url):
    from bot.localslack.driver import Driver

    rng = random.Random(7)
    async with local_slack() as slack:
        people = Driver(slack)
        desks: dict[int, asyncio.subprocess.Process] = {}
        for i in range(3):
            folder = tmp_path / f"desk{i}"
            folder.mkdir()
            process = await start_process(
                slack, folder, pg_url, escalation={"check_every": f"{CHECK_EVERY:g}s"}
            )
            desks[int(slack.request_url.split(":")[2].split("/")[0])] = process
        ports = list(desks)
        found = await roles(ports)
        assert sorted(found.values()) == ["follower", "follower", "leader"], found
        # only the leader draws the weekly report's charts, so only it loads matplotlib
        [first] = [port for port, role in found.items() if role == "leader"]
        await settle(lambda: _charts_are(first, "warm"), timeout=60)
        assert [await _charts(port) for port in ports if port != first] == ["cold", "cold"]

        stop = asyncio.Event()
        rounds = 0
        turn = 0

        async def spread() -> None:  # the load balancer: each round goes to the next live desk
            nonlocal rounds, turn
            while not stop.is_set():
                alive = [p for p in ports if desks[p].returncode is None]
                slack.request_url = f"http://127.0.0.1:{alive[turn % len(alive)]}/slack/events"
                turn += 1
                try:
                    await one_round(slack, people, rng)
                    rounds += 1
                except Exception:  # a desk dying under a request: the next round goes elsewhere
                    await asyncio.sleep(0.05)

        work = asyncio.create_task(spread())
        takeovers = []
        for kill in range(2):  # the leader, then the one that took over
            await asyncio.sleep(rng.uniform(1.5, 3.0))
            # each life does some work before it dies, however slow a shared machine is (the
            # assertion below needs 6 rounds): counted, not timed
            await settle(lambda kill=kill: rounds >= 3 * (kill + 1), timeout=60)
            leader = next(
                p
                for p, role in (await roles([p for p in ports if desks[p].returncode is None])).items()
                if role == "leader"
            )
            killed_at = time.monotonic()
            desks[leader].send_signal(signal.SIGKILL)
            await desks[leader].wait()
            alive = [p for p in ports if desks[p].returncode is None]
            await settle(lambda alive=alive: _has_leader(alive), timeout=4 * CHECK_EVERY)
            takeovers.append(time.monotonic() - killed_at)
        await asyncio.sleep(1.5)
        stop.set()
        await work
        [last] = [p for p in ports if desks[p].returncode is None]
        try:
            await settle(lambda: _charts_are(last, "warm"), timeout=60)  # warmed once it took the lead
            await quiet_process(last, sweeps=1, timeout=90)
        finally:
            desks[last].send_signal(signal.SIGTERM)
            await desks[last].wait()
        opened, claimed, resolved = confirmed(slack)
        seen = outbox_arrivals(slack)

    store = store_from_url(pg_url)
    await store.open()
    try:
        tickets = {t.number: t for t in await store.all_tickets()}
        assert rounds >= 6 and len(opened) >= 6, (rounds, opened)
        assert [n for n in opened if n not in tickets] == [], "a confirmed ticket was lost"
        assert all(tickets[n].assignee == BOB for n in claimed), "a confirmed claim was lost"
        assert all(tickets[n].status.value == "resolved" for n in resolved), "a confirmed resolve was lost"
        assert max(seen.values()) == 1, f"sent twice: {[k for k, v in seen.items() if v > 1]}"
        assert {k for k in seen if k.endswith(":card")} == {f"t{n}:card" for n in tickets}
        assert dict(await store.owed()) == {}, "nothing left owed"
        assert max(takeovers) <= 2 * CHECK_EVERY, f"the lead was taken over in {takeovers} s"
        print(  # the figures, for `pytest -s`
            f"3 desks, 2 leaders killed: {rounds} rounds over {len(PEOPLE)} people, {len(tickets)} tickets, "
            f"{len(claimed)} claims, {len(resolved)} resolves, {sum(seen.values())} messages, 0 lost, "
            f"0 twice; lead taken over in {', '.join(f'{t:.1f}' for t in takeovers)} s"
        )
    finally:
        await store.close()


async def _has_leader(ports: list[int]) -> bool:
    return "leader" in (await roles(ports)).values()


async def _charts(port: int) -> str:
    return (await wait_healthy(port))["charts"]


async def _charts_are(port: int, state: str) -> bool:
    return await _charts(port) == state
