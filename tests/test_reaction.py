"""The :ticket: reaction (SPEC §9, issue 20's first part), through the local Slack: any message
in a channel the desk is in becomes one ticket, its author the requester, raised by whoever
reacted, told in the message's thread; a second reaction or a retry opens nothing more."""

from __future__ import annotations

from bot.localslack.workspace import Channel
from tests.harness import (
    ALICE,
    BOB,
    ERIN,
    GENERAL,
    TRIAGE,
    bot_posts,
    running_desk,
    settle,
    text_of,
    ticket_where,
)


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


async def test_a_ticket_reaction_on_a_reply_in_a_thread_opens_a_ticket_that_talks_in_that_thread():
    """Item 7 of issue 35: conversations.history holds no thread replies, so the look-up reads
    the thread with conversations.replies; the ticket's conversation is the reply's thread
    (Slack threads only under a parent)."""
    async with running_desk() as run:
        parent, _ = await run.people.say(ERIN, GENERAL, "Is anyone else's VPN slow today?")
        reply, _ = await run.people.say(ALICE, GENERAL, "Mine drops every ten minutes", parent.ts)
        delivery = await run.people.react(BOB, reply, "ticket")
        assert delivery is not None and delivery.status == 200
        await settle(lambda: bot_posts(run.slack, GENERAL, thread=parent.ts))
        ticket = await run.desk.store.ticket(1)
        assert (ticket.requester, ticket.raised_by, ticket.text) == (
            ALICE,
            BOB,
            "Mine drops every ten minutes",
        )
        assert (ticket.origin.channel, ticket.origin.thread) == (GENERAL, parent.ts)
        assert ticket.source == f"{GENERAL}:{reply.ts}"
        [told] = bot_posts(run.slack, GENERAL, thread=parent.ts)
        assert "*T-1* is open" in text_of(told)
        into_thread = f"/p{reply.ts.replace('.', '')}?thread_ts={parent.ts}&amp;cid={GENERAL}|"
        assert into_thread in text_of(told)  # the link opens the reply in its thread, as Slack's would
        await settle(lambda: any(into_thread in text_of(m) for m in bot_posts(run.slack, TRIAGE)))

        await run.people.react(ERIN, reply, "ticket")  # again, on the same reply: nothing more
        await run.idle()
        assert await run.desk.store.ticket_count() == 1

        await run.people.say(ALICE, GENERAL, "It started after the update", parent.ts)  # a follow-up
        await settle(lambda: ticket_where(run, 1, lambda t: "It started after the update" in str(t.trail)))
        await run.people.command(BOB, "/desk", "reply T-1 Reinstall the client, please", channel=TRIAGE)
        await settle(
            lambda: any(
                "Reinstall the client" in text_of(m) for m in bot_posts(run.slack, GENERAL, thread=parent.ts)
            )
        )

        # a second reply in the same thread is a ticket of its own; the thread's follow-ups stay T-1's
        other, _ = await run.people.say(ERIN, GENERAL, "Mine too, since Monday", parent.ts)
        await run.people.react(ERIN, other, "ticket")
        await settle(lambda: ticket_where(run, 2, lambda t: t.requester == ERIN))
        assert (await run.desk.store.ticket(2)).origin.thread == parent.ts
        assert run.slack.errors() == []


async def test_the_local_slack_reads_a_reply_by_its_ts_as_slack_does():
    """conversations.replies takes "either a thread's parent message or a message in the
    thread" (api.slack.com/methods/conversations.replies): the whole thread, parent first."""
    async with running_desk() as run:
        parent, _ = await run.people.say(ERIN, GENERAL, "Printer on 2 is jammed")
        first, _ = await run.people.say(ALICE, GENERAL, "Still jammed", parent.ts)
        second, _ = await run.people.say(ERIN, GENERAL, "Now it prints blank pages", parent.ts)
        whole = run.slack.api.call("conversations.replies", {"channel": GENERAL, "ts": second.ts})
        assert [m["ts"] for m in whole["messages"]] == [parent.ts, first.ts, second.ts]
        one = run.slack.api.call(
            "conversations.replies",
            {"channel": GENERAL, "ts": first.ts, "oldest": first.ts, "inclusive": "1", "limit": 1},
        )
        assert [m["ts"] for m in one["messages"]] == [first.ts]
        assert (await run.desk.desk.slack.message_at(GENERAL, first.ts))["text"] == "Still jammed"
        assert await run.desk.desk.slack.message_at(GENERAL, "1.000001") is None
