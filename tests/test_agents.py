"""Agents working tickets end to end: claim, reassign, reply, notes, resolve, reopen, the queue,
and every refusal, through the local Slack with signed requests."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.domain.priority import Priority
from bot.domain.ticket import Action, Status
from tests.factories import make_ticket
from tests.harness import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    TRIAGE,
    ack_text,
    bot_posts,
    dm_of,
    raise_ticket,
    running_desk,
    settle,
    text_of,
    ticket_where,
)


async def command(run, user: str, name: str, text: str = "") -> str:
    """Run a slash command in the triage channel; what the person privately sees in answer."""

    def private() -> list:
        return [m for m in bot_posts(run.slack, TRIAGE, to=user) if m.ephemeral_to == user]

    before = len(private())
    ack = await run.people.command(user, name, text, channel=TRIAGE)
    assert ack.status == 200
    shown = ack_text(ack).strip()
    if shown:
        return shown
    await settle(lambda: len(private()) > before)
    return text_of(private()[-1])


def in_thread(run, channel: str, ts: str) -> list[str]:
    return [text_of(m) for m in bot_posts(run.slack, channel, thread=ts)]


async def test_claim_by_command_tells_the_requester_and_updates_the_card():
    async with running_desk() as run:
        thread, card = await raise_ticket(run)
        answer = await command(run, BOB, "/claim", "T-1")
        assert "You claimed T-1" in answer
        ticket = await run.desk.store.ticket(1)
        assert (ticket.status, ticket.assignee) == (Status.CLAIMED, BOB)
        assert ticket.first_response_at is not None
        assert (ticket.trail[-1].action, ticket.trail[-1].actor) == (Action.CLAIMED, BOB)
        await settle(lambda: "Claimed by" in text_of(card))
        assert f"Claimed by <@{BOB}>" in text_of(card) and "First response met" in text_of(card)
        labels = [
            e["text"]["text"]
            for b in card.blocks
            if b["type"] == "actions"
            for e in b["elements"]
            if e["type"] == "button"
        ]
        assert labels == ["Reply", "Waiting on requester", "Resolve"]
        await settle(lambda: in_thread(run, dm_of(run, ALICE), thread.ts))
        assert f"<@{BOB}> is looking at *T-1*" in in_thread(run, dm_of(run, ALICE), thread.ts)[0]


async def test_claim_by_button_and_the_race_between_two_agents():
    async with running_desk() as run:
        _, card = await raise_ticket(run)
        await asyncio.gather(run.people.press(BOB, card, "Claim"), run.people.press(DAVE, card, "Claim"))
        await settle(
            lambda: (
                len(bot_posts(run.slack, TRIAGE, to=BOB)) + len(bot_posts(run.slack, TRIAGE, to=DAVE)) >= 4
            )
        )
        ticket = await run.desk.store.ticket(1)
        winner, loser = (BOB, DAVE) if ticket.assignee == BOB else (DAVE, BOB)
        assert [e.action for e in ticket.trail].count(Action.CLAIMED) == 1
        told = text_of([m for m in bot_posts(run.slack, TRIAGE, to=loser) if m.ephemeral_to][-1])
        assert told == f"T-1 is already claimed by <@{winner}>. Use /desk reassign to hand it over."


async def test_claiming_a_ticket_someone_holds_asks_for_reassign():
    async with running_desk() as run:
        await raise_ticket(run)
        await command(run, BOB, "/claim", "T-1")
        answer = await command(run, DAVE, "/claim", "t-1")
        assert answer == f"T-1 is already claimed by <@{BOB}>. Use /desk reassign to hand it over."
        assert (await run.desk.store.ticket(1)).assignee == BOB
        assert await command(run, BOB, "/claim", "#1") == "You already have T-1."


async def test_reassign_tells_the_old_and_new_assignee_and_the_requester():
    async with running_desk() as run:
        thread, card = await raise_ticket(run)
        await command(run, BOB, "/claim", "T-1")
        await command(run, CAROL, "/claim", "T-1")  # a lead who is not an agent is refused
        answer = await command(run, DAVE, "/reassign", f"T-1 <@{DAVE}|dave>")
        assert answer == f"T-1 is now with <@{DAVE}>."
        ticket = await run.desk.store.ticket(1)
        assert ticket.assignee == DAVE and ticket.trail[-1].detail == f"{BOB}->{DAVE}"
        await settle(lambda: bot_posts(run.slack, dm_of(run, BOB)))
        assert f"<@{DAVE}> handed *T-1* to <@{DAVE}>" in text_of(bot_posts(run.slack, dm_of(run, BOB))[-1])
        await settle(lambda: len(in_thread(run, dm_of(run, ALICE), thread.ts)) == 2)
        assert f"<@{DAVE}> is now looking after *T-1*" in in_thread(run, dm_of(run, ALICE), thread.ts)[-1]
        await settle(lambda: f"Claimed by <@{DAVE}>" in text_of(card))
        # handing it to someone else notifies the new assignee
        await command(run, DAVE, "/reassign", f"T-1 <@{BOB}|bob>")
        await settle(lambda: "handed *T-1* to you" in text_of(bot_posts(run.slack, dm_of(run, BOB))[-1]))


async def test_reassign_refusals_change_nothing():
    async with running_desk() as run:
        await raise_ticket(run)
        await command(run, BOB, "/claim", "T-1")
        assert await command(run, ALICE, "/reassign", f"T-1 <@{DAVE}|dave>") == (
            "Only the desk's agents can reassign tickets."
        )
        assert await command(run, BOB, "/reassign", f"T-1 <@{ERIN}|erin>") == (
            f"<@{ERIN}> isn't one of the desk's agents, so tickets can't go to them."
        )
        answer = await command(run, BOB, "/reassign", "T-1 dave")
        assert "Name the new assignee with an @mention" in answer and "/reassign T-4 @someone" in answer
        assert (await run.desk.store.ticket(1)).assignee == BOB
        assert len((await run.desk.store.ticket(1)).trail) == 2


async def test_a_reply_reaches_the_requester_but_a_note_in_the_card_thread_does_not():
    async with running_desk() as run:
        thread, card = await raise_ticket(run)
        await command(run, BOB, "/claim", "T-1")
        alice_dm = dm_of(run, ALICE)
        await settle(lambda: len(in_thread(run, alice_dm, thread.ts)) == 1)
        await run.people.say(BOB, TRIAGE, "Probably the disk <!channel>, checking stock", thread=card.ts)
        answer = await command(run, BOB, "/desk", "reply T-1 Please hold the power button for 10 seconds")
        assert answer == f"Sent to <@{ALICE}> in T-1's thread."
        await settle(lambda: len(in_thread(run, alice_dm, thread.ts)) == 2)
        to_alice = in_thread(run, alice_dm, thread.ts)
        assert "Please hold the power button for 10 seconds" in to_alice[-1]
        assert "Bob Baker, IT Help" in to_alice[-1]
        assert not any("disk" in shown for shown in to_alice)
        ticket = await run.desk.store.ticket(1)
        assert [(e.action, e.actor) for e in ticket.trail[-2:]] == [(Action.NOTE, BOB), (Action.REPLIED, BOB)]
        assert (
            ticket.trail[-2].detail == "Probably the disk @channel, checking stock"
        )  # in words: pings nobody
        await settle(lambda: any("replied to the requester" in t for t in in_thread(run, TRIAGE, card.ts)))


async def test_the_reply_button_opens_a_form_and_sends_once():
    async with running_desk() as run:
        thread, card = await raise_ticket(run)
        await run.people.press(BOB, card, "Reply")
        await settle(lambda: run.slack.workspace.views)
        view_id = next(iter(run.slack.workspace.views))
        empty = await run.people.submit(BOB, view_id, {"text": {"value": "  "}})
        assert empty.body["response_action"] == "errors"
        values = {"text": {"value": "Can you send a photo of the screen?"}}
        await asyncio.gather(run.people.submit(BOB, view_id, values), run.people.submit(BOB, view_id, values))
        alice_dm = dm_of(run, ALICE)
        await run.idle()
        assert len(in_thread(run, alice_dm, thread.ts)) == 1
        assert [e.action for e in (await run.desk.store.ticket(1)).trail].count(Action.REPLIED) == 1
        told = sorted(text_of(m) for m in bot_posts(run.slack, TRIAGE, to=BOB) if m.ephemeral_to == BOB)
        assert told == [f"Already sent to <@{ALICE}>.", f"Sent to <@{ALICE}> in T-1's thread."]


async def test_resolve_with_a_note_and_the_requester_reopens_it():
    async with running_desk() as run:
        thread, card = await raise_ticket(run)
        await command(run, BOB, "/claim", "T-1")
        answer = await command(run, BOB, "/resolve", "T-1 Replaced the <b>disk</b>")
        assert answer == f"Resolved T-1. <@{ALICE}> has been told with your note."
        ticket = await run.desk.store.ticket(1)
        assert (ticket.status, ticket.resolution_note) == (Status.RESOLVED, "Replaced the <b>disk</b>")
        await settle(lambda: "Resolved by" in text_of(card))
        assert "Replaced the &lt;b&gt;disk&lt;/b&gt;" in text_of(card)
        alice_dm = dm_of(run, ALICE)
        await settle(lambda: any("resolved *T-1*" in t for t in in_thread(run, alice_dm, thread.ts)))
        resolution = bot_posts(run.slack, alice_dm, thread=thread.ts)[-1]
        assert "Replaced the &lt;b&gt;disk&lt;/b&gt;" in text_of(resolution)
        assert await command(run, BOB, "/resolve", "T-1") == "T-1 is already resolved."

        await run.people.press(ERIN, resolution, "The problem is back")  # not Erin's ticket
        await run.people.press(ALICE, resolution, "The problem is back")
        await settle(lambda: ticket_where(run, 1, lambda t: t.status is Status.CLAIMED))
        assert (await run.desk.store.ticket(1)).assignee == BOB
        await settle(lambda: any("the problem is back" in t for t in in_thread(run, TRIAGE, card.ts)))
        await settle(lambda: f"Claimed by <@{BOB}>" in text_of(card))
        await settle(lambda: bot_posts(run.slack, alice_dm, to=ALICE)[-1].ephemeral_to == ALICE)
        assert text_of(bot_posts(run.slack, alice_dm, to=ALICE)[-1]) == (
            f":arrows_counterclockwise: You reopened T-1. <@{BOB}> has been told."
        )
        erin_saw = [text_of(m) for m in bot_posts(run.slack, alice_dm, to=ERIN) if m.ephemeral_to == ERIN]
        assert erin_saw == ["Only the person who raised T-1 can reopen it."]


async def test_the_resolve_button_asks_for_a_note_in_a_form():
    async with running_desk() as run:
        _, card = await raise_ticket(run)
        await run.people.press(BOB, card, "Claim")
        await settle(lambda: "Resolve" in text_of(card))
        await run.people.press(BOB, card, "Resolve")
        await settle(lambda: run.slack.workspace.views)
        view_id = next(iter(run.slack.workspace.views))
        await run.people.submit(BOB, view_id, {"text": {"value": "Reset the BIOS"}})
        await settle(lambda: ticket_where(run, 1, lambda t: t.status is Status.RESOLVED))
        assert (await run.desk.store.ticket(1)).resolution_note == "Reset the BIOS"
        # Bob is told privately, after the claim's own private note.
        await settle(lambda: "Resolved T-1" in text_of(bot_posts(run.slack, TRIAGE, to=BOB)[-1]))
        assert len([m for m in bot_posts(run.slack, TRIAGE, to=BOB) if m.ephemeral_to == BOB]) == 2


async def test_reopen_after_seven_days_is_refused():
    async with running_desk() as run:
        thread, _ = await raise_ticket(run)
        await command(run, BOB, "/resolve", "T-1")
        alice_dm = dm_of(run, ALICE)
        await settle(lambda: any("resolved *T-1*" in t for t in in_thread(run, alice_dm, thread.ts)))
        resolution = bot_posts(run.slack, alice_dm, thread=thread.ts)[-1]
        run.desk.desk.clock.advance(timedelta(days=8))
        await run.people.press(ALICE, resolution, "The problem is back")
        await settle(lambda: bot_posts(run.slack, alice_dm, to=ALICE)[-1].ephemeral_to == ALICE)
        assert "more than 7 days ago" in text_of(bot_posts(run.slack, alice_dm, to=ALICE)[-1])
        assert (await run.desk.store.ticket(1)).status is Status.RESOLVED


async def seed(run, priority: Priority, minutes_old: int, requester: str = ALICE):
    opened = run.desk.desk.clock.now() - timedelta(minutes=minutes_old)
    return await run.desk.store.create_ticket(
        lambda n: make_ticket(n, requester=requester, text=f"{priority} ticket", priority=priority, at=opened)
    )


async def test_the_queue_lists_unclaimed_and_at_risk_most_urgent_and_oldest_first():
    async with running_desk() as run:
        assert "The queue is empty" in await command(run, BOB, "/desk", "queue")
        await seed(run, Priority.P3, 30)  # T-1
        await seed(run, Priority.P1, 5)  # T-2
        await seed(run, Priority.P3, 90)  # T-3, older
        await seed(run, Priority.P2, 10)  # T-4: claimed, not at risk -> not listed
        await seed(run, Priority.P2, 400)  # T-5: claimed, resolution at risk -> listed
        now = run.desk.desk.clock.now()
        await run.desk.store.update_ticket(4, lambda t: t.claim(DAVE, now))
        await run.desk.store.update_ticket(5, lambda t: t.claim(DAVE, now))
        answer = await command(run, BOB, "/desk", "queue")
        order = [ref for ref in ("T-1", "T-2", "T-3", "T-4", "T-5") if f"*{ref}*" in answer]
        assert sorted(order, key=answer.index) == ["T-2", "T-5", "T-3", "T-1"]
        assert "4 tickets need attention" in answer and ":warning: *at risk*" in answer
        assert f"with <@{DAVE}>" in answer
        assert await command(run, ALICE, "/desk", "queue") == "Only the desk's agents can see the queue."


async def test_the_queue_claim_button_claims():
    async with running_desk() as run:
        await seed(run, Priority.P2, 5)
        ack = await run.people.command(BOB, "/desk", "queue", channel=TRIAGE)
        await run.idle()  # the answer comes after the ack
        message = run.slack.workspace.find_message(
            TRIAGE, run.slack.workspace.channels[TRIAGE].messages[-1].ts
        )
        assert message.ephemeral_to == BOB and ack.status == 200
        await run.people.press(BOB, message, "Claim")
        await settle(lambda: ticket_where(run, 1, lambda t: t.assignee == BOB))


async def test_bad_input_gets_a_private_one_line_answer_and_changes_nothing():
    async with running_desk() as run:
        await raise_ticket(run)
        before = await run.desk.store.ticket(1)
        answers = {
            ("/claim", ""): "Usage: `/claim T-4`",
            ("/claim", "T-99"): "I can't find T-99. Check the number, or say “my tickets”.",
            ("/resolve", ""): "Usage: `/resolve T-4 what fixed it` (the note is optional)",
            ("/desk", "reply T-1"): "Write the message after the reference.\n"
            "Usage: `/desk reply T-4 your message to the requester`",
            ("/reassign", "T-1"): "Name the new assignee with an @mention.\nUsage: `/reassign T-4 @someone`",
            (
                "/desk",
                "reassign T-1",
            ): "Name the new assignee with an @mention.\nUsage: `/desk reassign T-4 @someone`",
            ("/desk", "wait"): "Usage: `/desk wait T-4 your question` (the question is optional)",
            ("/desk", "priority T-1 urgent"): "Name the new priority: P1, P2, P3 or P4.\n"
            "Usage: `/desk priority T-4 P1` (P1 Critical, P2 High, P3 Normal, P4 Low)",
        }
        for (name, text), expected in answers.items():
            assert await command(run, BOB, name, text) == expected, (name, text)
        banana = await command(run, BOB, "/claim", "banana")
        assert banana.startswith("“banana” is not a ticket reference") and "Usage: `/claim T-4`" in banana
        for name, text in (("/claim", "T-1"), ("/resolve", "T-1 words"), ("/desk", "reply T-1 words")):
            refused = await command(run, ERIN, name, text)
            assert refused.startswith("Only the desk's agents can"), refused
        assert await run.desk.store.ticket(1) == before
        assert run.slack.errors() == []
