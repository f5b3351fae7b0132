"""A request written while Slack's Web API is away is kept in the store and answered exactly
once when Slack is back, however long it was away (issue 34, item 6).

The request path asks Slack nothing it cannot do without: what the desk owes goes through the
outbox, which retries. `/ticket` used to ask Slack for the person's DM (`conversations.open`)
before storing anything; while Slack was away that failed, the person read "Something went
wrong… nothing was changed", and the request was gone.
"""

from __future__ import annotations

import logging

from bot.domain.intake import Stage
from store.codec import draft_from_doc
from store.names import DRAFTS
from tests.harness import (
    ALICE,
    ERIN,
    GENERAL,
    answer_questions,
    bot_posts,
    dm_of,
    outbox_arrivals,
    running_desk,
    settle,
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
