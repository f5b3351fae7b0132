"""Linked tickets (issue 39): `/desk link T-2 T-1`, the parent's replies reaching every linked
requester once in their own thread, and resolving the parent resolving the children."""

from __future__ import annotations

import asyncio
from collections import Counter

from bot.domain.ticket import Action, Status
from bot.flows.links import link
from bot.localslack.server import ChannelPace
from store.names import LINKED_TO
from tests.harness import (
    ALICE,
    BOB,
    ERIN,
    TRIAGE,
    ack_text,
    bot_posts,
    dm_of,
    raise_ticket,
    running_desk,
    settle,
    start_request,
    text_of,
    ticket_where,
)
from tests.test_storm import employees, raise_as, triage_view


async def _erins_ticket(run, words: str = "VPN down for me too"):
    """Erin raises T-2; returns the message whose thread is her ticket's."""
    prompt = await start_request(run, words, user=ERIN)
    await run.people.press(ERIN, prompt, "Hardware")
    await settle(lambda: "How urgent" in text_of(prompt))
    await run.people.press(ERIN, prompt, "P2 · High")
    await settle(lambda: "*T-2* is open" in text_of(prompt))
    await settle(lambda: ticket_where(run, 2, lambda t: t.card))
    return prompt


async def private_answer(run, user: str, text: str, wait: float = 5.0) -> str:
    before = [m for m in bot_posts(run.slack, TRIAGE, to=user) if m.ephemeral_to == user]
    ack = await run.people.command(user, "/desk", text, channel=TRIAGE)
    if ack_text(ack).strip():
        return ack_text(ack)
    await run.idle(timeout=wait)
    after = [m for m in bot_posts(run.slack, TRIAGE, to=user) if m.ephemeral_to == user]
    assert len(after) == len(before) + 1
    return text_of(after[-1])


async def test_a_linked_ticket_hears_its_parents_replies_once_and_is_resolved_with_it():
    async with running_desk() as run:
        alice_thread, _ = await raise_ticket(run, "The VPN is down")
        erin = await _erins_ticket(run)
        said = await private_answer(run, BOB, "link T-2 to T-1")
        assert said == f"Linked T-2 to T-1: <@{ERIN}> gets T-1's replies and its resolution."
        erin_dm = dm_of(run, ERIN)

        def in_erins_thread() -> list[str]:
            return [text_of(m) for m in bot_posts(run.slack, erin_dm, thread=erin.ts)]

        await settle(
            lambda: any("*T-2* is being handled together with *T-1*" in t for t in in_erins_thread())
        )
        assert await private_answer(run, BOB, "link T-2 T-1") == "T-2 is linked to T-1 already."

        await private_answer(run, BOB, "reply T-1 We found the cause; a fix is rolling out")
        await run.idle()
        heard = Counter(t for t in in_erins_thread() if "a fix is rolling out" in t)
        assert list(heard.values()) == [1], "once, in her own thread"
        assert "T-1, for T-2" in next(iter(heard))
        alice_dm = dm_of(run, ALICE)
        alice_heard = [m for m in bot_posts(run.slack, alice_dm, thread=alice_thread.ts)]
        assert sum("a fix is rolling out" in text_of(m) for m in alice_heard) == 1

        await private_answer(run, BOB, "resolve T-1 Restarted the VPN gateway")
        await settle(lambda: ticket_where(run, 2, lambda t: t.status is Status.RESOLVED))
        child = await run.desk.store.ticket(2)
        assert child is not None and child.resolution_note == "Restarted the VPN gateway"
        assert [e.detail for e in child.trail if e.action is Action.NOTE] == [
            "Linked to T-1: its replies and its resolution reach this requester"
        ]
        await settle(lambda: any("resolved *T-2*" in t for t in in_erins_thread()))
        await run.idle()
        assert sum("resolved *T-2*" in t for t in in_erins_thread()) == 1
        rating = [m for m in bot_posts(run.slack, erin_dm) if "How did we do" in text_of(m)]
        assert len(rating) == 1, "asked to rate once"


async def test_links_are_refused_with_a_reason():
    async with running_desk() as run:
        await raise_ticket(run, "The VPN is down")
        await _erins_ticket(run)
        assert "itself" in await private_answer(run, BOB, "link T-1 T-1")
        assert "Usage: `/desk link T-31 T-12`" in await private_answer(run, BOB, "link T-1")
        assert "agents" in await private_answer(run, ERIN, "link T-2 T-1")
        assert "T-9" in await private_answer(run, BOB, "link T-2 T-9")
        await private_answer(run, BOB, "link T-2 T-1")
        assert "part of a link already" in await private_answer(run, BOB, "link T-1 T-2")
        await private_answer(run, BOB, "resolve T-1")
        await settle(lambda: ticket_where(run, 2, lambda t: t.status is Status.RESOLVED))
        assert "Only open tickets" in await private_answer(run, BOB, "link T-2 T-1")


async def test_an_update_on_a_parent_reaches_many_linked_requesters_once_each_at_slacks_pace():
    async with running_desk() as run:
        run.slack.channel_pace = ChannelPace()  # Slack's pace per channel: one a second, bursts of 3
        await raise_ticket(run, "The VPN is down")  # T-1, the parent
        people = employees(run, 60)
        await asyncio.gather(*(raise_as(run, user, f"VPN down ({user})") for user in people))
        assert await run.desk.store.ticket_count() == 61
        for number in range(2, 62):
            await link(run.desk.desk, BOB, number, 1)
        await run.idle(timeout=30)
        await private_answer(run, BOB, "reply T-1 The VPN is back for most; we are watching it")
        await run.idle(timeout=60)
        for number, user in zip(range(2, 62), people, strict=False):
            ticket = await run.desk.store.ticket(number)
            assert ticket is not None and ticket.requester in people
            thread = ticket.origin.thread
            heard = [
                m
                for m in bot_posts(run.slack, dm_of(run, ticket.requester), thread=thread)
                if "The VPN is back for most" in text_of(m)
            ]
            assert len(heard) == 1, (number, user)
        assert run.slack.channel_pace.refused == 0  # the outbox kept to Slack's pace
        assert run.slack.errors() == []


async def test_the_storm_card_makes_its_waiting_tickets_one_incident():
    async with running_desk() as run:
        run.slack.channel_pace = ChannelPace()
        people = employees(run, 20)
        await asyncio.gather(*(raise_as(run, user, f"VPN refuses me ({user})") for user in people))
        await run.idle(timeout=20)
        storms, _ = triage_view(run)
        assert len(storms) == 1
        folded = await run.desk.outbox.storms.latest()
        assert folded is not None and len(folded.tickets) > 2
        grouped = sorted(folded.tickets)
        await run.people.press(BOB, storms[0], "Make these one incident")
        await run.idle(timeout=30)  # a message to each requester, and the card's thread at Slack's pace
        parent, children = grouped[0], grouped[1:]
        said = [m for m in bot_posts(run.slack, TRIAGE, to=BOB) if "is now the incident" in text_of(m)]
        assert len(said) == 1 and f"*T-{parent}* is now the incident: {len(children)} tickets" in text_of(
            said[0]
        )
        await private_answer(run, BOB, f"resolve T-{parent} The VPN gateway is fixed", wait=60)
        await run.idle(timeout=30)
        for number in grouped:
            ticket = await run.desk.store.ticket(number)
            assert ticket is not None and ticket.status is Status.RESOLVED
            heard = [
                m
                for m in bot_posts(run.slack, dm_of(run, ticket.requester), thread=ticket.origin.thread)
                if f"resolved *T-{number}*" in text_of(m)
            ]
            assert len(heard) == 1, number
        # The triage channel's updates keep Slack's pace; on a loaded machine one may meet a 429,
        # which the outbox retries after Retry-After: what counts is each requester told once.
        assert all(c.error == "ratelimited" for c in run.slack.errors())


async def test_a_new_request_close_to_an_open_incident_is_offered_to_follow_it():
    async with running_desk(answers={"enabled": True}) as run:
        await raise_ticket(run, "The VPN is down for everyone in Berlin")
        await _erins_ticket(run, "Berlin VPN down here too")
        await private_answer(run, BOB, "link T-2 T-1")  # T-1 is an incident now
        [newcomer, other] = employees(run, 2)
        for person, press, linked in ((newcomer, "Yes, follow it", True), (other, "No", False)):
            prompt = await start_request(run, "is the VPN down in Berlin?", user=person)
            await run.people.press(person, prompt, "Hardware")
            await settle(lambda prompt=prompt: "How urgent" in text_of(prompt))
            await run.people.press(person, prompt, "P3 · Normal")
            await settle(lambda prompt=prompt: "Is this the same as T-1?" in text_of(prompt))
            await run.people.press(person, prompt, press)
            await settle(lambda prompt=prompt: "is open" in text_of(prompt))
            number = await run.desk.store.ticket_count()
            assert (await run.desk.store.record(LINKED_TO, str(number)) == 1) is linked
        await private_answer(run, BOB, "reply T-1 The Berlin VPN is back")
        await run.idle()
        heard = [m for m in bot_posts(run.slack, dm_of(run, newcomer)) if "Berlin VPN is back" in text_of(m)]
        assert len(heard) == 1
        assert not [m for m in bot_posts(run.slack, dm_of(run, other)) if "Berlin VPN is back" in text_of(m)]


def _has_button(message, label: str) -> bool:
    return any(
        isinstance(e, dict) and e.get("type") == "button" and e["text"]["text"] == label
        for block in message.blocks
        for e in [*block.get("elements", []), block.get("accessory")]
    )


async def test_a_linked_requester_is_told_of_the_resolution_in_their_own_language():
    """Resolving the parent words each child's resolution for its requester (zh-CN here), as a
    ticket resolved on its own is; it was always written in English."""
    async with running_desk() as run:
        await raise_ticket(run, "The VPN is down")
        run.slack.workspace.people[ERIN].locale = "zh-CN"
        prompt = await start_request(run, "VPN down for me too", user=ERIN)
        await run.people.press(ERIN, prompt, "Hardware")
        await settle(lambda: _has_button(prompt, "P2 · 高"))
        await run.people.press(ERIN, prompt, "P2 · 高")
        await settle(lambda: ticket_where(run, 2, lambda t: t.card))
        await private_answer(run, BOB, "link T-2 to T-1")
        await private_answer(run, BOB, "resolve T-1 Restarted the VPN gateway")
        erin_dm = dm_of(run, ERIN)

        def resolved() -> list[str]:
            said = [text_of(m) for m in bot_posts(run.slack, erin_dm, thread=prompt.ts)]
            return [t for t in said if "*T-2*" in t and ("已解决" in t or "resolved" in t)]

        await settle(resolved)
        assert "已解决 *T-2*" in resolved()[0], resolved()
