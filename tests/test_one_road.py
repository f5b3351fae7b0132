"""One road to Slack, through the local Slack: everything the desk owes goes through the
outbox with the change that owes it, an event is acked only once its work is committed, and
a failure anywhere ends in one friendly answer, never a traceback or silence."""

from __future__ import annotations

import logging

from bot.domain.intake import Stage
from bot.domain.owed import Prompt
from store.codec import draft_from_doc
from store.memory_store import MemoryStore
from store.names import DRAFTS, SIGNED
from tests.harness import (
    ALICE,
    BOB,
    TRIAGE,
    answer_questions,
    bot_posts,
    dm_of,
    raise_ticket,
    running_desk,
    settle,
    text_of,
    ticket_where,
)

SORRY = "Something went wrong on our side; nothing was changed."


def questions(run, user=ALICE):
    """The desk's intake prompts in the person's DM: the message that asks, then says how the
    request went (the outbox names it `prompt:<draft>` in its metadata)."""
    return [
        m
        for m in bot_posts(run.slack, dm_of(run, user))
        if m.metadata and m.metadata["event_payload"]["id"].startswith("prompt:")
    ]


def no_tracebacks(caplog) -> list[str]:
    """Log lines that show an exception escaped (Bolt's task, asyncio's "never retrieved")."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.exc_info or "never retrieved" in r.getMessage() or r.name.startswith("asyncio")
    ]


async def test_an_event_is_acked_only_once_its_work_is_committed(tmp_path):
    """The 200 Slack gets for a DM means the request is on disk: a desk killed after it acks
    has nothing left to lose, and one killed before never acked, so Slack retries."""
    async with running_desk(f"tinydb://{tmp_path}/desk.json") as run:  # commits wait for fsync
        _, delivery = await run.people.say(ALICE, dm_of(run), "The printer is jammed")
        assert delivery is not None and delivery.status == 200
        drafts = await run.desk.store.records(DRAFTS)  # read at once: no waiting after the ack
        [draft] = [draft_from_doc(doc) for doc in drafts.values()]
        assert draft.text == "The printer is jammed" and draft.stage is Stage.CATEGORY
        owed = await run.desk.store.owed()
        assert any(isinstance(o.message, Prompt) for o in owed.values()), "the question is owed with it"
        await run.idle()
        assert len(questions(run)) == 1


async def test_slack_down_while_a_request_is_sent_then_back_the_question_arrives_once(caplog):
    caplog.set_level(logging.INFO)
    async with running_desk() as run:
        run.slack.faults.down = True
        await run.people.say(ALICE, dm_of(run), "The printer is jammed")
        await run.people.say(ALICE, dm_of(run), "hello? did you get my message?")
        await settle(lambda: sum(1 for c in run.slack.calls if c.error == "fault") >= 2)
        assert questions(run) == []
        run.slack.faults.down = False
        await run.idle()
        [question] = questions(run)
        assert "The printer is jammed" in text_of(question)
        assert "did you get my message" not in text_of(question), "not glued onto the request"
        await answer_questions(run, ALICE, question, "Hardware", "P3 · Normal")
        await run.idle()
        assert questions(run) == [question] and "is open" in text_of(question), "the same message, edited"
        ticket = await run.desk.store.ticket(1)
        assert ticket.text == "The printer is jammed"
        follow_ups = [e.detail for e in ticket.trail if e.action.value == "follow_up"]
        assert follow_ups == ["hello? did you get my message?"], "kept with the ticket, not lost"
        assert no_tracebacks(caplog) == []


async def test_words_written_after_the_question_arrived_still_join_the_request():
    async with running_desk() as run:
        await run.people.say(ALICE, dm_of(run), "The printer is jammed")
        await settle(lambda: questions(run))
        await run.people.say(ALICE, dm_of(run), "It is the one on floor 2")
        await settle(lambda: "floor 2" in text_of(questions(run)[0]))
        await run.idle()
        assert len(questions(run)) == 1


async def test_slack_down_during_a_claim_the_agent_is_answered_once_it_is_back(caplog):
    async with running_desk() as run:
        await raise_ticket(run)
        await run.idle()
        run.slack.faults.down = True
        assert (await run.people.command(BOB, "/claim", "T-1", channel=TRIAGE)).status == 200
        await settle(lambda: ticket_where(run, 1, lambda t: t.assignee == BOB))
        await settle(lambda: any(c.method == "response_url" and c.error == "fault" for c in run.slack.calls))
        run.slack.faults.down = False
        await run.idle()
        answers = [*bot_posts(run.slack, dm_of(run, BOB)), *bot_posts(run.slack, TRIAGE, to=BOB)]
        told = [m for m in answers if "You claimed T-1" in text_of(m)]
        assert len(told) == 1, "answered once: through the response URL's retry, or else by DM"
        cards = [m for m in bot_posts(run.slack, TRIAGE) if m.thread_ts is None]
        assert len(cards) == 1 and "Claimed by" in text_of(cards[0])
        alice = [m for m in bot_posts(run.slack, dm_of(run)) if "is looking at" in text_of(m)]
        assert len(alice) == 1
        assert no_tracebacks(caplog) == []


async def test_slack_down_during_a_rating_and_a_comment_they_show_once_it_is_back(caplog):
    async with running_desk() as run:
        _, card = await raise_ticket(run)
        await run.people.press(BOB, card, "Claim")
        await run.people.command(BOB, "/resolve", "T-1 Replaced the power supply", channel=TRIAGE)
        await settle(lambda: any("How did we do?" in text_of(m) for m in bot_posts(run.slack, dm_of(run))))
        [request] = [m for m in bot_posts(run.slack, dm_of(run)) if "How did we do?" in text_of(m)]
        await run.people.press(ALICE, request, "Add a comment")
        await settle(lambda: run.slack.workspace.views)
        view_id = next(iter(run.slack.workspace.views))
        run.slack.faults.down = True
        await run.people.press(ALICE, request, ":slightly_smiling_face: 4 · Good")
        await run.people.submit(ALICE, view_id, {"comment": {"value": "Quick, thanks"}})
        await settle(lambda: ticket_where(run, 1, lambda t: t.rating and t.rating.comment == "Quick, thanks"))
        assert "Thanks!" not in text_of(request)
        run.slack.faults.down = False
        await run.idle()
        assert "You rated T-1 *4 · Good*" in text_of(request) and "Quick, thanks" in text_of(request)
        assert no_tracebacks(caplog) == []


class Broken(MemoryStore):
    """A store with a bug that shows after it opened: every write of the work raises what it
    should not (the edge's record of a signed request still goes in, alone, once no write
    carries it: `Store.add_once_soon`; its refusals are in `test_replay_records`)."""

    broken = False

    async def _persist(self, changes):
        if self.broken and any(table != SIGNED for _, table, _, _ in changes):
            raise RuntimeError("index out of step")
        return await super()._persist(changes)


async def test_an_unexpected_failure_is_logged_once_and_the_person_told_nothing_changed(caplog):
    store = Broken()
    async with running_desk(store=store) as run:
        await raise_ticket(run)
        await run.idle()
        store.broken = True
        assert (await run.people.command(BOB, "/claim", "T-1", channel=TRIAGE)).status == 200
        await settle(lambda: any(SORRY in text_of(m) for m in bot_posts(run.slack, TRIAGE, to=BOB)))
        assert (await run.desk.store.ticket(1)).assignee is None, "nothing was changed"
        failed = [r for r in caplog.records if r.getMessage() == "listener failed"]
        assert len(failed) == 1 and "index out of step" in failed[0].error and failed[0].request == "/claim"
        assert not [r for r in caplog.records if "never retrieved" in r.getMessage()]


async def test_a_home_opened_event_without_a_user_is_dropped_quietly(caplog):
    async with running_desk() as run:
        delivery = await run.people.event({"type": "app_home_opened", "tab": "home"})
        assert delivery.status == 200
        await run.idle()
        assert not [c for c in run.slack.calls if c.method == "views.publish"]
        assert no_tracebacks(caplog) == []
