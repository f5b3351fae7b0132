"""Intake under real-world conditions: Slack's retries, double clicks, restarts, hostile or huge
text, other bots, and requests left half-finished."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.localslack.blockkit import check_message_blocks
from bot.localslack.workspace import BOT_ID, BOT_USER
from bot.slack.mrkdwn import CUT_NOTE
from tests.harness import (
    ALICE,
    BOB,
    GENERAL,
    TRIAGE,
    answer_questions,
    bot_posts,
    dm_of,
    local_slack,
    running_desk,
    settle,
    start_request,
    text_of,
    ticket_where,
)


async def test_a_retried_event_does_not_ask_twice(tmp_path):
    url = f"tinydb://{tmp_path}/desk.json"
    async with local_slack() as slack:
        async with running_desk(url, slack=slack) as run:
            await start_request(run)
            retry = await run.people.retry_last_event(1)
            assert retry.status == 200
            await run.idle()
            assert len(bot_posts(slack, dm_of(run))) == 1
        # Slack's last retry comes minutes later and may reach a restarted process.
        async with running_desk(url, slack=slack) as again:
            again.people.last_event = run.people.last_event
            assert (await again.people.retry_last_event(3)).status == 200
            await again.idle()
            assert len(bot_posts(slack, dm_of(again))) == 1
            assert "Added that" not in "".join(m.text for m in bot_posts(slack, dm_of(again)))


async def test_a_double_click_on_the_last_button_opens_one_ticket():
    async with running_desk() as run:
        prompt = await start_request(run)
        await run.people.press(ALICE, prompt, "Software")
        await settle(lambda: "How urgent" in text_of(prompt))
        stale = prompt.blocks  # what the person's screen still shows for a moment
        first, second = await asyncio.gather(
            run.people.press(ALICE, prompt, "P3 · Normal"), run.people.press(ALICE, prompt, "P3 · Normal")
        )
        assert first.status == second.status == 200
        await settle(lambda: bot_posts(run.slack, TRIAGE))
        prompt.blocks = stale
        await run.people.press(ALICE, prompt, "P1 · Critical")  # a third, late click
        await run.idle()
        assert await run.desk.store.ticket_count() == 1
        assert len(bot_posts(run.slack, TRIAGE)) == 1
        assert (await run.desk.store.ticket(1)).priority.value == "P3"


async def test_a_double_click_on_the_first_button_asks_the_next_question_once():
    async with running_desk() as run:
        prompt = await start_request(run)
        await asyncio.gather(
            run.people.press(ALICE, prompt, "Hardware"), run.people.press(ALICE, prompt, "Hardware")
        )
        await run.idle()
        assert "How urgent" in text_of(prompt)
        assert len(bot_posts(run.slack, dm_of(run))) == 1


async def test_a_restart_in_the_middle_of_an_intake_resumes_it(tmp_path):
    url = f"tinydb://{tmp_path}/desk.json"
    async with local_slack() as slack:
        async with running_desk(url, slack=slack) as run:
            prompt = await start_request(run, "Docking station not detected")
            await run.people.press(ALICE, prompt, "Hardware")
            await settle(lambda: "How urgent" in text_of(prompt))
        async with running_desk(url, slack=slack) as again:
            await again.people.press(ALICE, prompt, "P2 · High")
            await settle(lambda: "is open" in text_of(prompt))
            ticket = await again.desk.store.ticket(1)
            assert (ticket.text, ticket.category, ticket.priority.value) == (
                "Docking station not detected",
                "Hardware",
                "P2",
            )
            await settle(lambda: bot_posts(slack, TRIAGE))


async def test_slack_tokens_in_a_request_reach_the_card_as_words_that_ping_nobody():
    """Mentions, `<!channel>` and labelled links arrive as Slack's tokens; the card shows the
    words they stand for (a name, `@channel`, the label with its real address), escaped."""
    async with running_desk() as run:
        words = "<!channel> urgent & <@U0BOB0001> look at <http://evil.example|the payroll>"
        prompt = await start_request(run, words)
        await answer_questions(run, ALICE, prompt, "Access", "P1 · Critical")
        await settle(lambda: bot_posts(run.slack, TRIAGE))
        card = bot_posts(run.slack, TRIAGE)[0]
        shown = text_of(card) + card.text
        assert "@channel urgent &amp; @Bob Baker look at the payroll (http://evil.example)" in text_of(card)
        for raw in ("<!channel>", "<@U0BOB0001>", "<http://evil", "U0BOB0001"):
            assert raw not in shown
        assert "<!channel>" not in text_of(prompt)
        stored = (await run.desk.store.ticket(1)).text
        assert stored == "@channel urgent & @Bob Baker look at the payroll (http://evil.example)"


async def test_text_slack_escaped_is_kept_as_typed_and_shown_escaped_once():
    """Slack delivers `a<b & c>d` typed by a person as `a&lt;b &amp; c&gt;d`: the desk keeps
    what was typed and escapes it once for display (never `&amp;lt;`)."""
    async with running_desk() as run:
        prompt = await start_request(run, "Printer a&lt;b &amp; c&gt;d is jammed")
        await answer_questions(run, ALICE, prompt, "Hardware", "P3 · Normal")
        await settle(lambda: bot_posts(run.slack, TRIAGE))
        assert (await run.desk.store.ticket(1)).text == "Printer a<b & c>d is jammed"
        card = text_of(bot_posts(run.slack, TRIAGE)[0])
        assert "Printer a&lt;b &amp; c&gt;d is jammed" in card and "&amp;lt;" not in card
        await run.people.command(BOB, "/desk", "resolve T-1 swapped the &lt;fuser&gt; &amp; roller")
        await settle(lambda: ticket_where(run, 1, lambda t: t.resolution_note))
        assert (await run.desk.store.ticket(1)).resolution_note == "swapped the <fuser> & roller"


async def test_a_14000_character_request_gets_a_card_slack_accepts():
    async with running_desk() as run:
        words = "The export fails with this log: " + "x" * 13_968
        assert len(words) == 14_000
        prompt = await start_request(run, words)
        await answer_questions(run, ALICE, prompt, "Software", "P3 · Normal")
        await settle(lambda: bot_posts(run.slack, TRIAGE))
        card = bot_posts(run.slack, TRIAGE)[0]
        assert check_message_blocks(card.blocks) == []
        assert CUT_NOTE in text_of(card)
        assert run.slack.errors() == []
        assert (await run.desk.store.ticket(1)).text == words


async def test_bots_edits_and_deletions_do_not_start_requests():
    async with running_desk() as run:
        dm = dm_of(run)
        base = {"channel": dm, "channel_type": "im", "event_ts": "1.0", "team": "T0LOCAL01"}
        ignored = [
            {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "text": "my own words", "ts": "1.1"},
            {"type": "message", "subtype": "bot_message", "bot_id": "B0OTHER01", "text": "beep", "ts": "1.2"},
            {"type": "message", "user": "U0HOOK001", "bot_id": "B0OTHER02", "text": "webhook", "ts": "1.3"},
            {
                "type": "message",
                "subtype": "message_changed",
                "message": {"user": ALICE, "text": "edited words", "ts": "1.4"},
                "ts": "1.5",
            },
            {"type": "message", "subtype": "message_deleted", "deleted_ts": "1.4", "ts": "1.6"},
            {"type": "message", "subtype": "channel_join", "user": ALICE, "text": "joined", "ts": "1.7"},
        ]
        for event in ignored:
            assert (await run.people.event({**base, **event})).status == 200
        await run.idle()
        assert bot_posts(run.slack, dm) == []
        assert await run.desk.store.records("drafts") == {}


async def test_channel_chatter_without_a_mention_is_left_alone():
    async with running_desk() as run:
        await run.people.say(ALICE, GENERAL, "anyone up for lunch?")
        await run.idle()
        assert bot_posts(run.slack, GENERAL) == [] and await run.desk.store.records("drafts") == {}


async def test_a_request_left_for_a_day_expires_and_its_buttons_do_nothing():
    async with running_desk() as run:
        prompt = await start_request(run)
        run.desk.desk.clock.advance(timedelta(hours=25))
        assert await run.desk.intake.expire() == 1
        await settle(lambda: "waited a day without an answer" in text_of(prompt))
        assert not any(b["type"] == "actions" for b in prompt.blocks)
        await run.people.say(ALICE, dm_of(run), "Still broken")
        await settle(lambda: len(bot_posts(run.slack, dm_of(run))) == 2)
        assert "Still broken" in text_of(bot_posts(run.slack, dm_of(run))[1])  # a fresh request


async def test_a_click_after_a_day_says_the_request_expired():
    async with running_desk() as run:
        prompt = await start_request(run)
        run.desk.desk.clock.advance(timedelta(hours=25))
        await run.people.press(ALICE, prompt, "Hardware")
        await settle(lambda: "waited a day without an answer" in text_of(prompt))
        assert await run.desk.store.ticket_count() == 0
