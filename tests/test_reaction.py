"""The :ticket: reaction (SPEC §9, issue 20's first part), through the local Slack: any message
in a channel the desk is in becomes one ticket, its author the requester, raised by whoever
reacted, told in the message's thread; a second reaction or a retry opens nothing more."""

from __future__ import annotations

from bot.localslack.workspace import Channel
from tests.harness import ALICE, BOB, ERIN, GENERAL, TRIAGE, bot_posts, running_desk, settle, text_of


async def test_a_ticket_reaction_opens_one_ticket_for_the_messages_author():
    async with running_desk() as run:
        message, _ = await run.people.say(ALICE, GENERAL, "The coffee machine ate my badge <@U0BOB0001>")
        delivery = await run.people.react(ERIN, message, "ticket")
        assert delivery is not None and delivery.status == 200
        await settle(lambda: bot_posts(run.slack, GENERAL, thread=message.ts))
        ticket = await run.desk.store.ticket(1)
        assert (ticket.requester, ticket.raised_by, ticket.origin.via) == (ALICE, ERIN, "reaction")
        assert (ticket.category, ticket.priority.value) == ("Hardware", "P3")  # the first area, P3
        assert ticket.text == "The coffee machine ate my badge @Bob Baker"
        [told] = bot_posts(run.slack, GENERAL, thread=message.ts)
        assert "*T-1* is open" in text_of(told) and f"<@{ERIN}> raised this for you" in text_of(told)
        await settle(lambda: any("*T-1*" in text_of(m) for m in bot_posts(run.slack, TRIAGE)))
        [card] = [m for m in bot_posts(run.slack, TRIAGE) if "*T-1*" in text_of(m)]
        assert (
            f"From <@{ALICE}>, raised by <@{ERIN}> with :ticket: on <http://localhost/archives/"
            in text_of(card)
        )

        await run.people.react(BOB, message, "ticket")  # a second reaction: nothing more
        await run.people.retry_last_event()  # nor Slack's retry of it
        await run.people.react(ERIN, message, "eyes")  # another emoji means nothing
        await run.idle()
        assert await run.desk.store.ticket_count() == 1
        assert len(bot_posts(run.slack, GENERAL, thread=message.ts)) == 1

        await run.people.command(BOB, "/desk", "reply T-1 On my way with a spare badge", channel=TRIAGE)
        await settle(lambda: len(bot_posts(run.slack, GENERAL, thread=message.ts)) == 2)
        assert "On my way with a spare badge" in text_of(bot_posts(run.slack, GENERAL, thread=message.ts)[-1])


async def test_ones_own_message_is_ones_own_ticket_and_a_channel_without_the_desk_sends_nothing():
    async with running_desk() as run:
        mine, _ = await run.people.say(ERIN, GENERAL, "My monitor flickers")
        await run.people.react(ERIN, mine, "ticket")
        await settle(lambda: bot_posts(run.slack, GENERAL, thread=mine.ts))
        ticket = await run.desk.store.ticket(1)
        assert (ticket.requester, ticket.raised_by) == (ERIN, None)
        run.slack.workspace.channels["C0QUIET01"] = Channel("C0QUIET01", "quiet", {ALICE, ERIN})
        elsewhere, _ = await run.people.say(ALICE, "C0QUIET01", "Where is the stapler")
        assert await run.people.react(ERIN, elsewhere, "ticket") is None  # Slack sends no event
        await run.idle()
        assert await run.desk.store.ticket_count() == 1
