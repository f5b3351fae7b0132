"""kill -9 of the real desk (`python -m bot`) at random moments during a burst of intakes,
claims and resolves. Whatever the desk confirmed to someone is in the store afterwards, the
store opens, and every message it owed arrived exactly once (ids in message metadata)."""

from __future__ import annotations

import asyncio
import random
import re
import signal

from store import store_from_url
from tests.harness import (
    ALICE,
    BOB,
    CAROL,
    ERIN,
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

KILLS = 8
PEOPLE = [ALICE, ERIN, CAROL]


async def one_round(slack, people, rng: random.Random) -> None:
    """Someone raises a ticket; Bob claims it and, half the time, resolves it."""
    user = rng.choice(PEOPLE)
    dm = slack.workspace.im_with(user).id
    words = f"Burst {rng.randrange(10**9)}"
    await people.say(user, dm, words)
    await settle(lambda: any(words in text_of(m) for m in bot_posts(slack, dm)), timeout=2)
    prompt = next(m for m in bot_posts(slack, dm) if words in text_of(m))
    await people.press(user, prompt, "Hardware")
    await settle(lambda: "How urgent" in text_of(prompt), timeout=2)
    await people.press(user, prompt, "P3 · Normal")
    await settle(lambda: "is open" in text_of(prompt), timeout=2)
    number = re.search(r"T-(\d+)", text_of(prompt))
    if number:
        await people.command(BOB, "/desk", f"claim T-{number.group(1)}", channel=TRIAGE)
        if rng.random() < 0.5:
            await people.command(BOB, "/desk", f"resolve T-{number.group(1)} done", channel=TRIAGE)


async def burst(slack, people, rng: random.Random, stop: asyncio.Event, progress: asyncio.Event) -> int:
    """Rounds as fast as the desk answers, until `stop`; how many were sent. `progress` is set
    once a round has gone through. Failures (the desk is being killed) are part of the game."""
    sent = 0
    while not stop.is_set():
        try:
            await one_round(slack, people, rng)
            sent += 1
            progress.set()
        except (AssertionError, OSError, LookupError, RuntimeError):
            await asyncio.sleep(0.05)
        except Exception as problem:  # aiohttp's errors while the desk is down
            if "Connect" not in type(problem).__name__ and "Disconnect" not in type(problem).__name__:
                raise
            await asyncio.sleep(0.05)
    return sent


def confirmed(slack) -> tuple[set[int], set[int], set[int]]:
    """What the desk told people: tickets opened (confirmations), claims and resolutions."""
    opened = set()
    for user in PEOPLE:
        for message in bot_posts(slack, slack.workspace.im_with(user).id):
            # a confirmation, however the ticket has moved since (it is redrawn as it moves)
            found = re.search(r"Say `status T-(\d+)` any time", text_of(message))
            if found:
                opened.add(int(found.group(1)))
    told = [text_of(m) for m in bot_posts(slack, TRIAGE, to=BOB) if m.ephemeral_to == BOB]
    claimed = {int(n) for t in told for n in re.findall(r"You claimed T-(\d+)", t)}
    resolved = {int(n) for t in told for n in re.findall(r"Resolved T-(\d+)", t)}
    return opened, claimed, resolved


async def test_kill9_during_a_burst_loses_no_confirmed_change_and_sends_nothing_twice(tmp_path):
    url = f"tinydb://{tmp_path}/desk.json"
    rng = random.Random(99)
    from bot.localslack.driver import Driver

    async with local_slack() as slack:
        people = Driver(slack)
        actions = 0
        for _ in range(KILLS):
            process = await start_process(slack, tmp_path, url)
            stop, progress = asyncio.Event(), asyncio.Event()
            work = asyncio.create_task(burst(slack, people, rng, stop, progress))
            await asyncio.sleep(rng.uniform(0.5, 2.5))
            # on a loaded machine a life may not have finished one round by then: each life
            # gets one before its kill, so the kills land amid work, not only during start-up
            await asyncio.wait_for(progress.wait(), timeout=30)
            process.send_signal(signal.SIGKILL)
            await process.wait()
            stop.set()
            actions += await work
        process = await start_process(slack, tmp_path, url)  # the last start delivers what is owed
        try:  # until it has sent everything: the triage channel is paced at one message a second
            await quiet_process(port_of(slack), sweeps=0, timeout=60)
        finally:
            process.send_signal(signal.SIGTERM)
            await process.wait()
        opened, claimed, resolved = confirmed(slack)
        seen = outbox_arrivals(slack)

    store = store_from_url(url)
    await store.open()  # the store opens after every kill
    try:
        tickets = {ticket.number: ticket for ticket in await store.all_tickets()}
        assert actions >= KILLS and len(opened) >= KILLS, (actions, opened)
        lost = [n for n in opened if n not in tickets]
        assert lost == [], f"confirmed tickets lost: {lost}"
        assert all(tickets[n].assignee == BOB for n in claimed), "a confirmed claim was lost"
        assert all(tickets[n].status.value == "resolved" for n in resolved), "a confirmed resolve was lost"
        assert max(seen.values()) == 1, f"sent twice: {[k for k, v in seen.items() if v > 1]}"
        cards = {k for k in seen if k.endswith(":card")}
        assert cards == {f"t{n}:card" for n in tickets}, "every ticket's card arrived, once"
        assert dict(await store.owed()) == {}, "nothing left owed"
        print(  # the figures, for `pytest -s`
            f"kill -9: {KILLS} kills, {actions} rounds, {len(tickets)} tickets stored, "
            f"{len(opened)} confirmed opened, {len(claimed)} claims, {len(resolved)} resolves, "
            f"{sum(seen.values())} messages, 0 lost"
        )
    finally:
        await store.close()
