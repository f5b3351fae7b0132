"""Chaos on the database: three real desks (`python -m bot`) on a PostgreSQL cluster of the
test's own, under a stream of intakes, claims, resolves and ratings spread across them, while
the test cuts every connection the desks have (`pg_terminate_backend`, what a failover does)
several times and restarts the server once.

At the end: every change a desk confirmed to someone is stored, once; every message owed
arrived exactly once (read from the local Slack); after the server came back some desk led at
every look; and each desk's /healthz answered 503, saying why, while the server was away, and
200 again after. The figures are printed (`pytest -s`) and logged."""

from __future__ import annotations

import asyncio
import logging
import random
import re
import signal
from collections import Counter

import aiohttp

from store import store_from_url
from tests.harness import (
    BOB,
    TRIAGE,
    bot_posts,
    local_slack,
    outbox_arrivals,
    port_of,
    quiet_process,
    settle,
    start_process,
    text_of,
)
from tests.private_postgres import private_postgres
from tests.test_kill9_desk import PEOPLE, confirmed

log = logging.getLogger("tests.chaos")
CHECK_EVERY = 2.0  # the desks' sweep interval: leadership is checked every second
CUTS_BEFORE, CUTS_AFTER = 3, 3  # connection cuts before and after the restart
NOTHING_CHANGED = "so nothing was changed"
RETRIED = [0]  # events Slack sent again (answered 503: nothing was saved)


async def health(http: aiohttp.ClientSession, port: int) -> tuple[int, dict]:
    async with http.get(f"http://127.0.0.1:{port}/healthz", timeout=aiohttp.ClientTimeout(total=10)) as got:
        return got.status, await got.json()


async def chaos_round(slack, people, rng: random.Random, rate_next: list[int], who: list[str]) -> None:
    """Someone raises a ticket; Bob claims it and, most times, resolves it; a requester rates a
    ticket resolved before, once the desk has asked. Any step may fail while the database is
    away: the round then ends there."""
    for number in list(rate_next):  # the rating requests that have arrived
        request = rating_request(slack, number)
        if request is not None and number in rate_next:  # (the other stream may have taken it)
            rate_next.remove(number)
            await people.press(request[0], request[1], ":slightly_smiling_face: 4 · Good")
    user = rng.choice(who)  # (a person's second request while the first is asked about joins it)
    dm = slack.workspace.im_with(user).id
    words = f"Chaos {rng.randrange(10**9)}"
    _, delivery = await people.say(user, dm, words)
    for retry in range(1, 4):  # as Slack does with an event not acked (sooner than 1 and 5 minutes)
        if delivery is None or delivery.status == 200:
            break
        RETRIED[0] += 1
        await asyncio.sleep(0.5)
        delivery = await people.retry_last_event(retry)
    await settle(lambda: any(words in text_of(m) for m in bot_posts(slack, dm)), timeout=5)
    prompt = next(m for m in bot_posts(slack, dm) if words in text_of(m))
    await people.press(user, prompt, "Hardware")
    await settle(lambda: "How urgent" in text_of(prompt), timeout=5)
    await people.press(user, prompt, "P3 · Normal")
    await settle(lambda: "is open" in text_of(prompt), timeout=5)
    number = re.search(r"T-(\d+)", text_of(prompt))
    if number:
        await people.command(BOB, "/claim", f"T-{number.group(1)}", channel=TRIAGE)
        if rng.random() < 0.7:
            await people.command(BOB, "/resolve", f"T-{number.group(1)} done", channel=TRIAGE)
            rate_next.append(int(number.group(1)))


def rating_request(slack, number: int):
    """(requester, the desk's "How did we do?" message) for T-`number`, once it has arrived."""
    for user in PEOPLE:
        for message in bot_posts(slack, slack.workspace.im_with(user).id):
            if f"*T-{number}* was resolved" in text_of(message) and "How did we do?" in text_of(message):
                return user, message
    return None


def rated(slack) -> set[int]:
    """The tickets whose requester was told their rating was taken."""
    found = set()
    for user in PEOPLE:
        for message in bot_posts(slack, slack.workspace.im_with(user).id):
            found |= {int(n) for n in re.findall(r"You rated T-(\d+) \*4 · Good\*", text_of(message))}
    return found


def refused(slack) -> int:
    """How many answers told someone that nothing was changed."""
    places = [TRIAGE, *(slack.workspace.im_with(user).id for user in PEOPLE)]
    return sum(
        1
        for place in places
        for m in slack.workspace.channels[place].messages
        if NOTHING_CHANGED in text_of(m)
    )


async def test_three_desks_ride_out_cut_connections_and_a_server_restart(tmp_path):
    from bot.localslack.driver import Driver

    rng = random.Random(34)
    RETRIED[0] = 0
    with private_postgres() as pg:
        url = f"{pg.url}?schema=chaos"
        async with local_slack() as slack, aiohttp.ClientSession() as http:
            drivers = [Driver(slack), Driver(slack)]  # one a stream: each retries its own last event
            desks: dict[int, asyncio.subprocess.Process] = {}
            for i in range(3):
                folder = tmp_path / f"desk{i}"
                folder.mkdir()
                process = await start_process(
                    slack, folder, url, escalation={"check_every": f"{CHECK_EVERY:g}s"}
                )
                desks[port_of(slack)] = process
            ports = list(desks)

            async def roles() -> list[str]:
                return [(await health(http, port))[1]["role"] for port in ports]

            await settle(lambda: _count(roles, "leader", 1), timeout=10)

            stop = asyncio.Event()
            rounds = failed_rounds = 0
            rate_next: list[int] = []

            async def stream(first: int) -> None:  # the load balancer: each round to the next desk
                nonlocal rounds, failed_rounds
                turn = first
                while not stop.is_set():
                    slack.request_url = f"http://127.0.0.1:{ports[turn % len(ports)]}/slack/events"
                    turn += 1
                    try:
                        await chaos_round(slack, drivers[first], rng, rate_next, PEOPLE[first::2])
                        rounds += 1
                    except (AssertionError, LookupError, StopIteration, aiohttp.ClientError):
                        failed_rounds += 1  # the database was away: the next round goes on
                        await asyncio.sleep(0.05)

            async def progress(more: int = 2) -> None:
                target = rounds + more
                await settle(lambda: rounds >= target, timeout=60)

            leaderless: list[list[str]] = []
            reasons: Counter[str] = Counter()
            looks = blips = 0  # blips: a /healthz 503 after the server was back
            watching = asyncio.Event()

            async def watch_leaders() -> None:  # once the server is back: a leader at every look
                nonlocal looks, blips
                while not stop.is_set():
                    if watching.is_set():
                        answers = [await health(http, port) for port in ports]
                        looks += 1
                        if "leader" not in (found := [body["role"] for _, body in answers]):
                            leaderless.append(found)
                        blips += sum(1 for status, _ in answers if status != 200)
                        reasons.update(body.get("problem", "") for status, body in answers if status != 200)
                    await asyncio.sleep(0.1)

            streams = [asyncio.create_task(stream(n)) for n in range(2)]
            watcher = asyncio.create_task(watch_leaders())
            await progress()
            for _ in range(CUTS_BEFORE):
                await asyncio.to_thread(pg.terminate)
                await progress(2)

            # The server restarts: down until every desk has said 503 and the leader has
            # stepped down (it cannot tell that it holds the lock), then up again.
            await asyncio.to_thread(pg.stop)
            unhealthy: dict[int, dict] = {}

            async def all_unhealthy() -> bool:
                answers = {port: await health(http, port) for port in ports}
                for port, (status, body) in answers.items():
                    if status == 503:
                        unhealthy.setdefault(port, body)
                return len(unhealthy) == len(ports) and all(
                    b["role"] == "follower" for _, b in answers.values()
                )

            await settle(all_unhealthy, timeout=40)
            await asyncio.to_thread(pg.start)
            back_at = asyncio.get_running_loop().time()
            pg.restarts += 1

            async def all_healthy() -> bool:
                answers = [await health(http, port) for port in ports]
                return all(status == 200 for status, _ in answers) and any(
                    body["role"] == "leader" for _, body in answers
                )

            await settle(all_healthy, timeout=4 * CHECK_EVERY + 10)
            retaken = asyncio.get_running_loop().time() - back_at  # (an upper bound: looks take time)
            watching.set()
            await progress()
            for _ in range(CUTS_AFTER):
                await asyncio.to_thread(pg.terminate)
                await progress(2)
            stop.set()
            await asyncio.gather(*streams)
            leader = ports[(await roles()).index("leader")]
            await quiet_process(leader, sweeps=1, timeout=60)  # every message owed is sent
            watcher.cancel()
            final = {port: await health(http, port) for port in ports}
            for process in desks.values():
                process.send_signal(signal.SIGTERM)
            for process in desks.values():
                await process.wait()
            opened, claimed, resolved = confirmed(slack)
            ratings = rated(slack)
            seen = outbox_arrivals(slack)
            refusals = refused(slack)

        store = store_from_url(url)
        await store.open()
        try:
            tickets = {t.number: t for t in await store.all_tickets()}
            owed = dict(await store.owed())
        finally:
            await store.close()

    lost = [n for n in opened if n not in tickets]
    lost += [n for n in claimed if n in tickets and tickets[n].assignee != BOB]
    lost += [n for n in resolved if n in tickets and tickets[n].status.value != "resolved"]
    lost += [
        n for n in ratings if n in tickets and (tickets[n].rating is None or tickets[n].rating.score != 4)
    ]
    twice = [key for key, times in seen.items() if times > 1]
    logs = [(tmp_path / f"desk{i}" / "desk.log").read_text() for i in range(3)]
    crashes = sum(text.count("background work crashed") for text in logs)  # restarted, each logged
    stored_twice = [text for text, times in Counter(t.text for t in tickets.values()).items() if times > 1]
    figures = (
        f"chaos on PostgreSQL: 3 desks, {pg.terminated} connections cut in {CUTS_BEFORE + CUTS_AFTER} kills, "
        f"{pg.restarts} server restart; {rounds} rounds done and {failed_rounds} cut short, "
        f"{len(tickets)} tickets, "
        f"{len(claimed)} claims, {len(resolved)} resolves, {len(ratings)} ratings confirmed, "
        f"led and healthy again {retaken:.1f} s after the server was back, "
        f"{refusals} answered 'nothing was changed', {RETRIED[0]} events sent again by Slack, "
        f"{sum(seen.values())} messages; lost {len(lost)}, "
        f"twice {len(twice) + len(stored_twice)}; a leader at {looks - len(leaderless)} of {looks} looks, "
        f"{blips} of {3 * looks} /healthz 503 after the server was back, {crashes} worker crashes survived"
    )
    print(figures)
    log.warning(figures)
    assert rounds >= 6 and len(opened) >= 6, figures
    assert lost == [], f"confirmed but not stored: {lost}"
    assert stored_twice == [], f"stored twice: {stored_twice}"
    assert twice == [], f"sent twice: {twice}"
    assert {k for k in seen if k.endswith(":card")} == {f"t{n}:card" for n in tickets}
    assert owed == {}, "nothing left owed"
    assert leaderless == [], f"no desk led at some look after the server came back: {leaderless}"
    assert all(body["ok"] is False and body["problem"] for body in unhealthy.values()), unhealthy
    assert blips == 0, f"503 after the server was back: {reasons}"
    assert all(status == 200 for status, _ in final.values()), final
    followers = [body for _, body in final.values() if body["role"] == "follower"]
    assert len(followers) == 2 and all(body["outbox"] == "delivered by the leader" for body in followers)


async def _count(roles, role: str, times: int) -> bool:
    return (await roles()).count(role) == times
