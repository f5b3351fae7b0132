"""A request written while Slack's Web API is away is kept in the store and answered exactly
once when Slack is back, however long it was away (issue 34, item 6).

The request path asks Slack nothing it cannot do without: what the desk owes goes through the
outbox, which retries. `/ticket` used to ask Slack for the person's DM (`conversations.open`)
before storing anything; while Slack was away that failed, the person read "Something went
wrong… nothing was changed", and the request was gone.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.domain.intake import Stage
from bot.localslack.driver import Driver
from bot.localslack.workspace import Person
from store import store_from_url
from store.codec import draft_from_doc
from store.names import DRAFTS
from tests.harness import (
    ALICE,
    BOB,
    ERIN,
    GENERAL,
    answer_questions,
    bot_posts,
    dm_of,
    local_slack,
    outbox_arrivals,
    port_of,
    quiet_process,
    running_desk,
    settle,
    start_process,
    text_of,
)
from tests.test_one_road import SORRY, no_tracebacks, questions


def faults(run) -> int:
    return sum(1 for call in run.slack.calls if call.error == "fault")


async def finished(run) -> None:
    """Wait until the desk's listeners are done (their retries of Slack, if any, given up)
    while Slack is still down."""
    await settle(lambda: not run.desk.work.busy, timeout=30)


def said_to(run, user: str) -> list[str]:
    """Everything the desk said to `user` in their DM, and privately anywhere."""
    texts = [text_of(m) for m in bot_posts(run.slack, dm_of(run, user))]
    for channel in run.slack.workspace.channels.values():
        texts += [text_of(m) for m in channel.messages if m.ephemeral_to == user]
    return texts


def follow_ups(ticket) -> list[str]:
    return [e.detail for e in ticket.trail if e.action.value == "follow_up"]


async def test_ticket_command_while_slack_is_down_from_someone_whose_dm_is_unknown_is_kept(caplog):
    caplog.set_level(logging.INFO)
    async with running_desk() as run:
        run.slack.faults.down = True
        answer = await run.people.command(
            ERIN, "/ticket", "The badge reader rejects my card", channel=GENERAL
        )
        assert answer.status == 200
        await finished(run)
        await settle(lambda: faults(run) >= 2)  # the outbox tried to deliver the question
        [draft] = [draft_from_doc(doc) for doc in (await run.desk.store.records(DRAFTS)).values()]
        assert draft.text == "The badge reader rejects my card" and draft.stage is Stage.CATEGORY
        run.slack.faults.down = False
        await run.idle(timeout=10)
        [question] = questions(run, ERIN)
        assert "The badge reader rejects my card" in text_of(question)
        await answer_questions(run, ERIN, question, "Access", "P3 · Normal")
        await run.idle()
        ticket = await run.desk.store.ticket(1)
        assert ticket is not None and ticket.requester == ERIN
        assert ticket.text == "The badge reader rejects my card"
        assert questions(run, ERIN) == [question], "asked once, in one message"
        assert not [t for t in said_to(run, ERIN) if SORRY in t]
        assert max(outbox_arrivals(run.slack).values()) == 1, "nothing arrived twice"
        assert no_tracebacks(caplog) == []


async def test_a_dm_two_lines_and_then_ticket_while_slack_is_down_make_one_request_kept_whole(caplog):
    """The issue's case: the DM, two lines and `/ticket`, all before the desk could answer."""
    async with running_desk() as run:
        dm = dm_of(run)
        run.slack.faults.down = True
        for words in ("The printer on floor 2 is jammed", "hello?", "is anyone there?"):
            _, delivery = await run.people.say(ALICE, dm, words)
            assert delivery is not None and delivery.status == 200
        answer = await run.people.command(ALICE, "/ticket", "Printer jammed on floor 2, please help")
        assert answer.status == 200
        await finished(run)
        await settle(lambda: faults(run) >= 2)
        run.slack.faults.down = False
        await run.idle(timeout=10)
        [question] = questions(run)
        assert "The printer on floor 2 is jammed" in text_of(question)
        await answer_questions(run, ALICE, question, "Hardware", "P3 · Normal")
        await run.idle()
        [ticket] = await run.desk.store.all_tickets()
        assert ticket.text == "The printer on floor 2 is jammed"
        assert follow_ups(ticket) == ["hello?", "is anyone there?", "Printer jammed on floor 2, please help"]
        assert not [t for t in said_to(run, ALICE) if SORRY in t]
        assert max(outbox_arrivals(run.slack).values()) == 1
        assert no_tracebacks(caplog) == []


async def test_a_line_written_in_the_dm_after_ticket_while_slack_is_down_joins_that_request():
    """`/ticket` from someone whose DM is unknown starts the request in their id; the line
    they then write in the DM belongs to it, and the one question is asked in the DM."""
    async with running_desk() as run:
        run.slack.faults.down = True
        await run.people.command(ERIN, "/ticket", "My mailbox is full", channel=GENERAL)
        await finished(run)
        _, delivery = await run.people.say(ERIN, dm_of(run, ERIN), "did that work?")
        assert delivery is not None and delivery.status == 200
        await settle(lambda: faults(run) >= 2)
        run.slack.faults.down = False
        await run.idle(timeout=10)
        [question] = questions(run, ERIN)
        assert "My mailbox is full" in text_of(question)
        await answer_questions(run, ERIN, question, "Software", "P3 · Normal")
        await run.idle()
        [ticket] = await run.desk.store.all_tickets()
        assert (ticket.text, follow_ups(ticket)) == ("My mailbox is full", ["did that work?"])
        assert questions(run, ERIN) == [question]


async def test_ticket_while_slack_is_down_then_cancel_in_the_dm_before_it_is_back():
    async with running_desk() as run:
        run.slack.faults.down = True
        await run.people.command(ERIN, "/ticket", "Need a new monitor", channel=GENERAL)
        await finished(run)
        await run.people.say(ERIN, dm_of(run, ERIN), "cancel")
        await settle(lambda: faults(run) >= 1)
        run.slack.faults.down = False
        await run.idle(timeout=10)
        assert await run.desk.store.all_tickets() == []
        shown = [text_of(m) for m in questions(run, ERIN)]
        assert len(shown) == 1 and "Need a new monitor" in shown[0] and "ancel" in shown[0]
        assert max(outbox_arrivals(run.slack).values()) == 1


async def test_the_create_ticket_shortcut_while_slack_is_down_is_kept_and_asked_once_it_is_back():
    async with running_desk() as run:
        message, _ = await run.people.say(ERIN, GENERAL, "The build server is down")
        run.slack.faults.down = True
        assert (await run.people.shortcut(ALICE, message, "create_ticket")).status == 200
        await finished(run)
        await settle(lambda: faults(run) >= 2)
        run.slack.faults.down = False
        await run.idle(timeout=10)
        [question] = questions(run, ALICE)
        assert "The build server is down" in text_of(question)
        await answer_questions(run, ALICE, question, "Software", "P3 · Normal")
        await run.idle()
        [ticket] = await run.desk.store.all_tickets()
        assert (ticket.requester, ticket.raised_by, ticket.text) == (ERIN, ALICE, "The build server is down")
        assert not [t for t in said_to(run, ALICE) if SORRY in t]
        assert max(outbox_arrivals(run.slack).values()) == 1


OUTAGE = 180.0  # seconds the Web API answers 503: three minutes, on the machine's clock
PEOPLE = [f"U0OUT{n:04d}" for n in range(10)]


def dm_prompts(slack, user: str) -> list:
    """The desk's intake questions in the person's DM (outbox ids `prompt:<draft>`)."""
    return [
        m
        for m in bot_posts(slack, slack.workspace.im_with(user).id)
        if m.metadata and m.metadata["event_payload"]["id"].startswith("prompt:")
    ]


async def test_three_minutes_without_slack_during_intake_from_ten_people_everyone_answered_once(tmp_path):
    """Ten people write requests while Slack's Web API answers 503 for three minutes: DMs,
    follow-up lines, `/ticket` in the DM and in a channel (some before the desk knew their
    DM), a mention of a colleague. The desk (`python -m bot`, the production back-off) is
    killed with SIGKILL halfway through and restarted, still without Slack. When Slack is
    back, each person is asked once, answers, and has exactly one ticket holding every word."""
    url = f"tinydb://{tmp_path}/desk.json"
    loop = asyncio.get_running_loop()
    async with local_slack() as slack:
        people = Driver(slack)
        for n, user in enumerate(PEOPLE):
            slack.workspace.people[user] = Person(user, f"out{n}", f"Outage Person {n}")
        process = await start_process(slack, tmp_path, url)
        acks: list[int] = []
        lines: dict[str, list[str]] = {user: [] for user in PEOPLE}

        async def say(user: str, words: str) -> None:
            _, delivery = await people.say(user, slack.workspace.im_with(user).id, words)
            acks.append(delivery.status if delivery is not None else 0)

        async def ticket(user: str, words: str, channel: str | None = None) -> None:
            acks.append((await people.command(user, "/ticket", words, channel=channel)).status)

        slack.faults.down = True
        began = loop.time()
        for n, user in enumerate(PEOPLE):
            if n < 6:  # a DM and two lines; half of them then /ticket in the DM too
                await say(user, f"Request {n}: the VPN drops every hour")
                lines[user] += [f"still broken {n}", f"hello? {n}"]
                for line in lines[user]:
                    await say(user, line)
                if n % 2 == 0:
                    lines[user].append(f"Request {n} again, please")
                    await ticket(user, f"Request {n} again, please")
            elif n < 9:  # /ticket in a channel before the desk knows their DM; two add a line
                await ticket(user, f"Request {n}: my badge does not open the door", channel=GENERAL)
                if n < 8:
                    lines[user].append(f"did /ticket work? {n}")
                    await say(user, lines[user][-1])
            else:  # a DM naming a colleague (whose name Slack cannot say now)
                await say(user, f"Request {n}: <@{BOB}> says the printer needs a part")
        process.send_signal(signal.SIGKILL)  # halfway through the outage
        await process.wait()
        process = await start_process(slack, tmp_path, url)
        lines[PEOPLE[3]].append("one more thing: it is the laptop dock")
        await say(PEOPLE[3], lines[PEOPLE[3]][-1])
        assert set(acks) == {200}, "every request was acked while Slack was down"
        await asyncio.sleep(max(0.0, OUTAGE - (loop.time() - began)))  # the rest of the outage
        failed = sum(1 for call in slack.calls if call.error == "fault")
        slack.faults.down = False
        back = loop.time()
        await settle(lambda: all(dm_prompts(slack, user) for user in PEOPLE), timeout=150)
        asked_in = loop.time() - back
        for n, user in enumerate(PEOPLE):
            [prompt] = dm_prompts(slack, user)
            assert f"Request {n}:" in text_of(prompt)
            await people.press(user, prompt, "Hardware")
            await settle(lambda p=prompt: "How urgent" in text_of(p), timeout=30)
            await people.press(user, prompt, "P3 · Normal")
            await settle(lambda p=prompt: "is open" in text_of(p), timeout=30)
        await quiet_process(port_of(slack), sweeps=0, timeout=60)
        for n, user in enumerate(PEOPLE):
            assert len(dm_prompts(slack, user)) == 1, f"person {n} was asked once"
            told = [text_of(m) for m in bot_posts(slack, slack.workspace.im_with(user).id)]
            told += [
                text_of(m)
                for c in slack.workspace.channels.values()
                for m in c.messages
                if m.ephemeral_to == user
            ]
            assert not [t for t in told if SORRY in t or "couldn't save" in t], f"person {n}: {told}"
        arrivals = outbox_arrivals(slack)
        assert max(arrivals.values()) == 1, "nothing the desk owed arrived twice"
        process.send_signal(signal.SIGTERM)
        await process.wait()
    store = store_from_url(url)
    await store.open()
    try:
        tickets = await store.all_tickets()
        assert sorted(t.requester for t in tickets) == sorted(PEOPLE), "one ticket each"
        for ticket in tickets:
            n = PEOPLE.index(ticket.requester)
            assert ticket.text.startswith(f"Request {n}:")
            assert follow_ups(ticket) == lines[ticket.requester], f"person {n}: every line kept"
        assert dict(await store.owed()) == {}, "nothing left owed"
    finally:
        await store.close()
    print(
        f"Web API down {OUTAGE:.0f} s, desk killed once in it: {len(acks)} requests from {len(PEOPLE)} "
        f"people, {failed} failed calls, everyone asked {asked_in:.0f} s after Slack was back, "
        f"{len(tickets)} tickets, 0 lost, 0 twice"
    )
