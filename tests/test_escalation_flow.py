"""Escalation end to end, with second-scale targets and the real scheduler: each notice arrives
once, at the right fraction, where it belongs; a claim stops it; a restart repeats nothing and
catches up on what fell due while the desk was down."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from bot.clock import Clock
from bot.domain.notices import TRIAGE as TRIAGE_DESTINATION
from bot.localslack.workspace import Message
from store import store_from_url
from tests.harness import (
    BOB,
    CAROL,
    TRIAGE,
    bot_posts,
    dm_of,
    local_slack,
    raise_ticket,
    running_desk,
    settle,
    text_of,
)

FIRST_RESPONSE = 4.0  # seconds
FAST = {
    "sla": {"P2": {"first_response": "4s", "resolution": "1m"}},
    "escalation": {"check_every": "1s", "warn_at": 0.5, "leads_at": 1.5},
}


def notices(slack, channel: str) -> list[Message]:
    """The escalation notices the bot posted in `channel` (thread replies included)."""
    return [
        m
        for m in bot_posts(slack, channel)
        if m.blocks and m.blocks[0].get("block_id", "").startswith("notice:")
    ]


def kinds(messages: list[Message]) -> list[str]:
    """`target:level` of each notice, from the id it carries."""
    return [":".join(m.blocks[0]["block_id"].split(":")[2:4]) for m in messages]


def fraction(message: Message, opened) -> float:
    """How much of the first-response target had gone by when `message` arrived."""
    return (float(message.ts) - opened.timestamp()) / FIRST_RESPONSE


async def test_an_unclaimed_ticket_is_escalated_once_at_each_level():
    async with running_desk(**FAST) as run:
        _, card = await raise_ticket(run)
        opened = (await run.desk.store.ticket(1)).opened_at
        await settle(lambda: notices(run.slack, dm_of(run, CAROL)), timeout=12)
        await asyncio.sleep(2.5)  # more sweeps: nothing more may come

        triage = notices(run.slack, TRIAGE)
        assert kinds(triage) == ["first_response:at_risk", "first_response:breached"]
        assert all(m.thread_ts == card.ts and m.broadcast for m in triage), "threaded under the card, shown"
        at_risk, breached = triage
        [leads] = notices(run.slack, dm_of(run, CAROL))
        assert kinds([leads]) == ["first_response:leads"]
        # Never early; at most a sweep (1s) and some scheduling slack late.
        assert 0.5 <= fraction(at_risk, opened) < 0.5 + 0.6
        assert 1.0 <= fraction(breached, opened) < 1.0 + 0.6
        assert 1.5 <= fraction(leads, opened) < 1.5 + 0.6

        assert "T-1 is at risk" in text_of(at_risk) and "Nobody has claimed it yet" in text_of(at_risk)
        assert "T-1 missed its first-response target* of 4s" in text_of(breached)
        assert "needs a lead's attention" in text_of(leads) and "Laptop won't boot" in text_of(leads)
        assert "Sent late" not in text_of(at_risk) + text_of(breached) + text_of(leads)
        assert "Target missed:* first response" in text_of(card), "the card shows the breach"
        assert not notices(run.slack, dm_of(run, BOB)), "nobody has it, so no agent is DMed"


async def test_claiming_in_time_stops_the_first_response_escalation():
    async with running_desk(**FAST) as run:
        _, card = await raise_ticket(run)
        await settle(lambda: notices(run.slack, TRIAGE), timeout=8)
        assert kinds(notices(run.slack, TRIAGE)) == ["first_response:at_risk"]
        await run.people.press(BOB, notices(run.slack, TRIAGE)[0], "Claim")  # right from the notice
        await settle(lambda: "Claimed by" in text_of(card))
        run.desk.desk.clock.advance(timedelta(seconds=FIRST_RESPONSE * 2))  # past breach and leads time
        await asyncio.sleep(2.5)  # two sweeps or more
        assert kinds(notices(run.slack, TRIAGE)) == ["first_response:at_risk"]
        assert not notices(run.slack, dm_of(run, CAROL))
        assert "Target missed" not in text_of(card)


async def test_a_claimed_ticket_at_risk_is_told_to_its_assignee():
    fast_resolution = {**FAST, "sla": {"P2": {"first_response": "2s", "resolution": "4s"}}}
    async with running_desk(**fast_resolution) as run:
        _, card = await raise_ticket(run)
        await run.people.press(BOB, card, "Claim")
        await settle(lambda: notices(run.slack, dm_of(run, BOB)), timeout=8)
        [dm] = notices(run.slack, dm_of(run, BOB))
        assert kinds([dm]) == ["resolution:at_risk"]
        assert "T-1 is at risk" in text_of(dm) and "resolution due in" in text_of(dm)
        assert [b["text"]["text"] for b in dm.blocks[-1]["elements"]] == ["Reply", "Resolve"]
        await run.people.press(BOB, dm, "Resolve")  # opens the resolve form from the DM
        await settle(lambda: run.slack.workspace.views)
        view_id = next(iter(run.slack.workspace.views))
        await run.people.submit(BOB, view_id, {"text": {"value": "Swapped it"}})
        await settle(lambda: run.desk.store.tables.tickets[1].status.value == "resolved")
        await asyncio.sleep(2.5)
        assert kinds(notices(run.slack, TRIAGE)) == [], "resolved before the breach: nothing more"


async def test_notices_due_while_the_desk_was_down_arrive_once_after_start_marked_late(tmp_path):
    url = f"tinydb://{tmp_path}/desk.json"
    async with local_slack() as slack:
        async with running_desk(url, slack=slack, **FAST) as run:
            await raise_ticket(run)
        assert notices(slack, TRIAGE) == []
        later = Clock(timedelta(seconds=FIRST_RESPONSE * 1.5 + 3))  # at risk, breach and leads fell due
        async with running_desk(url, slack=slack, clock=later, **FAST) as again:
            await settle(lambda: notices(slack, dm_of(again, CAROL)), timeout=5)
            await asyncio.sleep(2.5)
            triage = notices(slack, TRIAGE)
            assert kinds(triage) == ["first_response:at_risk", "first_response:breached"]
            assert len(notices(slack, dm_of(again, CAROL))) == 1
            for message in [*triage, *notices(slack, dm_of(again, CAROL))]:
                assert "Sent late: this fell due" in text_of(message)
        async with running_desk(url, slack=slack, clock=later, **FAST) as third:
            await asyncio.sleep(2.5)
            assert len(notices(slack, TRIAGE)) == 2 and len(notices(slack, dm_of(third, CAROL))) == 1


async def test_a_notice_slack_refused_is_sent_once_slack_is_back():
    async with running_desk(**FAST) as run:
        await raise_ticket(run)
        run.slack.faults.down = True
        await asyncio.sleep(FIRST_RESPONSE * 0.5 + 1.5)
        assert notices(run.slack, TRIAGE) == []
        assert run.desk.store.tables.tickets[1].owed_notices, "recorded, waiting for Slack"
        run.slack.faults.down = False
        await settle(lambda: len(notices(run.slack, dm_of(run, CAROL))) == 1, timeout=15)
        await settle(lambda: not run.desk.store.tables.tickets[1].owed_notices)
        await asyncio.sleep(1.5)
        assert kinds(notices(run.slack, TRIAGE)) == ["first_response:at_risk", "first_response:breached"]


async def test_an_owed_notice_already_in_slack_is_not_sent_again(tmp_path):
    """A crash between posting a notice and striking it off leaves it owed; the next sweep
    finds it in the card's thread and does not post it again."""
    url = f"tinydb://{tmp_path}/desk.json"
    async with local_slack() as slack:
        async with running_desk(url, slack=slack, **FAST) as run:
            await raise_ticket(run)
            await settle(lambda: notices(slack, TRIAGE), timeout=8)
        store = store_from_url(url)
        await store.open()
        ticket = await store.ticket(1)
        at_risk = replace(
            ticket.notices[0], owed=(TRIAGE_DESTINATION,)
        )  # as if killed before striking it off
        await store.update_ticket(1, lambda t: replace(t, notices=(at_risk,)))
        await store.close()
        async with running_desk(url, slack=slack, **FAST) as again:
            await settle(lambda: not again.desk.store.tables.tickets[1].notices[0].owed, timeout=5)
            await asyncio.sleep(0.5)
            assert kinds(notices(slack, TRIAGE)).count("first_response:at_risk") == 1
