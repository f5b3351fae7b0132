"""What a real workspace does that a friendly fake would not, end to end through the local
Slack: people's words in messages with subtypes (files, broadcasts), deleted threads, a
rate-limited card, and answers far longer than one Block Kit section."""

from __future__ import annotations

import asyncio
import gc
from datetime import timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.outbox import THREAD_GONE
from bot.localslack import ChannelPace
from bot.localslack.blockkit import check_message_blocks
from tests.factories import make_ticket
from tests.harness import (
    ALICE,
    BOB,
    CAROL,
    GENERAL,
    TRIAGE,
    answer_questions,
    bot_posts,
    dm_of,
    outbox_arrivals,
    raise_ticket,
    running_desk,
    settle,
    start_request,
    text_of,
)


async def test_a_request_sent_with_a_screenshot_is_answered_and_the_file_is_on_the_card():
    async with running_desk() as run:
        dm = dm_of(run)
        await run.people.say(ALICE, dm, "The VPN says this", files=["error.png"])
        await run.idle()
        [prompt] = bot_posts(run.slack, dm)
        assert "The VPN says this" in text_of(prompt)
        await answer_questions(run, ALICE, prompt)
        await run.idle()
        ticket = await run.desk.store.ticket(1)
        assert ticket.text.splitlines() == [
            "The VPN says this",
            f"Attached: error.png (https://local.slack.example/files/{ALICE}/error.png)",
        ]
        [card] = [m for m in bot_posts(run.slack, TRIAGE) if m.thread_ts is None]
        assert "Attached: error.png" in text_of(card)
        assert run.slack.errors() == []


async def test_a_file_alone_and_a_broadcast_reply_in_the_thread_are_follow_ups():
    async with running_desk() as run:
        _, card = await raise_ticket(run)
        thread = (await run.desk.store.ticket(1)).origin.thread
        await run.people.say(ALICE, dm_of(run), "", thread=thread, files=["photo.jpg"])
        await run.people.say(
            ALICE, dm_of(run), "Also the screen flickers", thread=thread, subtype="thread_broadcast"
        )
        await run.people.say(ALICE, dm_of(run), "edited", thread=thread, subtype="message_changed")
        await run.idle()
        mirrored = [text_of(m) for m in bot_posts(run.slack, TRIAGE, thread=card.ts)]
        assert any("Attached: photo.jpg" in words for words in mirrored)
        assert any("Also the screen flickers" in words for words in mirrored)
        assert not any("edited" in words for words in mirrored), "an edit is not new words"


async def test_a_deleted_card_does_not_hold_up_the_triage_channel():
    async with running_desk() as run:
        _, card = await raise_ticket(run, "Printer on fire")
        run.slack.workspace.channels[TRIAGE].messages.remove(card)  # someone deleted the card
        thread = (await run.desk.store.ticket(1)).origin.thread
        await run.people.say(ALICE, dm_of(run), "It is smoking now", thread=thread)
        await raise_ticket(run, "Mouse is dead")  # T-2's card comes after the follow-up
        await run.idle()
        top = [m for m in bot_posts(run.slack, TRIAGE) if m.thread_ts is None]
        gone = [m for m in top if THREAD_GONE in text_of(m)]
        assert len(gone) == 1 and "It is smoking now" in text_of(gone[0])
        assert any("Mouse is dead" in text_of(m) for m in top), "T-2's card arrived"
        assert run.desk.health()["outbox"]["waiting"] == 0
        assert max(outbox_arrivals(run.slack).values()) == 1


async def test_a_deleted_confirmation_does_not_stop_the_agents_reply():
    async with running_desk() as run:
        prompt, _ = await raise_ticket(run)
        run.slack.workspace.channels[dm_of(run)].messages.remove(prompt)  # Alice deleted it
        await run.people.command(BOB, "/desk", "reply T-1 Try another cable", channel=TRIAGE)
        await run.idle()
        [reply] = [m for m in bot_posts(run.slack, dm_of(run)) if "Try another cable" in text_of(m)]
        assert reply.thread_ts is None and THREAD_GONE in text_of(reply)
        assert "Bob Baker, IT Help" in text_of(reply), "signed with the agent's name"


async def test_a_card_slack_rate_limited_once_arrives_once_without_looking_for_it():
    """A 429 means Slack did nothing: the card is posted again after the Retry-After, and not
    looked for first (a look-up there would change nothing)."""
    async with running_desk() as run:
        prompt = await start_request(run)
        run.slack.channel_pace = ChannelPace(rate=1.0, burst=1)
        client = AsyncWebClient(token=run.slack.bot_token, base_url=run.slack.api_url)
        await client.chat_postMessage(channel=TRIAGE, text="Someone else's post, just now")
        await answer_questions(run, ALICE, prompt)  # the card's first post is refused (429)
        await run.idle()
        assert run.slack.channel_pace.refused == 1
        cards = [m for m in bot_posts(run.slack, TRIAGE) if m.thread_ts is None and "T-1" in text_of(m)]
        assert len(cards) == 1
        assert [c.method for c in run.slack.calls if c.method.startswith("conversations.h")] == []
        assert [c.error for c in run.slack.calls if c.error] == ["ratelimited"]


async def test_a_requester_with_40_open_tickets_gets_an_answer_slack_takes():
    async with running_desk() as run:
        long_words = "& <urgent> " * 30  # escaping makes every summary several times longer
        for n in range(1, 41):
            ticket = make_ticket(n, text=f"{n} {long_words}", at=run.clock.now())
            await run.desk.store.create_ticket(lambda _, t=ticket: t)
        await run.people.say(ALICE, dm_of(run), "my tickets")
        await settle(lambda: bot_posts(run.slack, dm_of(run)))
        await run.idle()
        [answer] = bot_posts(run.slack, dm_of(run))
        assert check_message_blocks(answer.blocks) == []
        shown = text_of(answer)
        assert "You have 40 open tickets" in shown and "…and 20 older ones not shown here." in shown
        assert run.slack.errors() == []


async def test_a_form_tickets_confirmation_lost_once_is_looked_for_in_the_dm_and_arrives_once():
    """The form's ticket is owed to the person (a user id, which chat.postMessage takes); the
    look-up before posting again (Slack took the post, its answer was lost) must name the DM,
    since conversations.history wants one."""
    async with running_desk() as run:
        await run.people.command(ALICE, "/ticket", "", channel=GENERAL)
        await settle(lambda: run.slack.workspace.views)
        view_id = next(iter(run.slack.workspace.views))
        await run.desk.outbox.slack.dm_channel(ALICE)  # known: the next call is the post itself
        await run.desk.desk.slack.locale(ALICE)  # and her language (users.info), asked once per person
        run.slack.faults.lost_answers = 1
        values = {
            "description": {"value": "Need access to the finance share"},
            "category": {"value": {"text": {"type": "plain_text", "text": "Access"}, "value": "Access"}},
            "urgency": {"value": {"text": {"type": "plain_text", "text": "P4"}, "value": "P4"}},
        }
        await run.people.submit(ALICE, view_id, values)
        await run.idle()
        confirmations = [m for m in bot_posts(run.slack, dm_of(run)) if "*T-1* is open" in text_of(m)]
        assert len(confirmations) == 1
        looked = [c.args["channel"] for c in run.slack.calls if c.method == "conversations.history"]
        assert looked == [dm_of(run)]
        assert [(c.method, c.error) for c in run.slack.calls if c.error] == [("chat.postMessage", "fault")]


async def test_the_queue_quality_and_digest_fit_block_kit_however_much_there_is_to_say():
    """60 tickets of escaped-to-bursting text, 30 agents who resolved them, 30 still open and
    overdue: every answer is one Slack takes, and says how much it left out."""
    async with running_desk(digest={"time": "09:00"}) as run:
        nasty = "<!channel> & <@U0BOB0001> " * 60
        now = run.clock.now()
        for n in range(1, 61):
            opened = now - timedelta(hours=30 + n)
            ticket = make_ticket(n, text=f"{n} {nasty}", at=opened)
            if n <= 30:
                agent = f"U0AG{n:05d}"
                ticket = ticket.claim(agent, opened + timedelta(minutes=5)).resolve(
                    agent, nasty, opened + timedelta(hours=2)
                )
            await run.desk.store.create_ticket(lambda _, t=ticket: t)
        queue = await run.people.command(BOB, "/desk", "queue", channel=TRIAGE)
        quality = await run.people.command(CAROL, "/desk", "quality 7d", channel=TRIAGE)
        assert queue.status == quality.status == 200
        await run.run_job("digest-catch-up")
        await run.idle()
        assert run.slack.errors() == [], "Slack refused nothing"
        shown = {who: text_of(bot_posts(run.slack, TRIAGE, to=who)[-1]) for who in (BOB, CAROL)}
        assert "30 tickets need attention" in shown[BOB] and "…and 15 more" in shown[BOB]
        assert "…and 5 more" in shown[CAROL], "25 agents shown, the rest counted"
        [digest] = [m for m in bot_posts(run.slack, dm_of(run, CAROL)) if m.text.startswith("Daily digest")]
        assert "…and 20 more" in text_of(digest)
        assert "<!channel>" not in shown[BOB] + shown[CAROL] + text_of(digest)


async def test_slack_down_during_a_claim_raises_nothing_into_bolt(caplog):
    """The error handler runs after the ack: it must not hand Bolt a response then (Bolt
    asserts, and the listener's task dies with "Task exception was never retrieved")."""
    async with running_desk() as run:
        await raise_ticket(run)
        await run.idle()
        run.slack.faults.down = True
        ack = await run.people.command(BOB, "/desk", "claim T-1", channel=TRIAGE)
        assert ack.status == 200
        await settle(lambda: not run.desk.work.busy, timeout=30)  # the listener gave up on Slack
        gc.collect()  # a task whose exception nobody read reports it when it is collected
        await asyncio.sleep(0)
        run.slack.faults.down = False
        await run.idle()
    problems = [r.getMessage() for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert not [p for p in problems if "never retrieved" in p or "response must be provided" in p], problems
