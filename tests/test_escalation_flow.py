"""Escalation end to end through the local Slack, on the test's clock: each notice arrives once,
at the sweep that first sees its fraction of the target, where it belongs; a claim stops it; a
restart repeats nothing and catches up on what fell due while the desk was down.

The desk's clock stands still until a test moves it, and each sweep is run by the test (the
job the scheduler would run), so "never early" and "nothing more" are exact."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.domain.notices import TRIAGE as TRIAGE_DESTINATION
from bot.localslack.workspace import Message
from store import store_from_url
from tests.harness import (
    BOB,
    CAROL,
    TRIAGE,
    bot_posts,
    clock_at,
    dm_of,
    local_slack,
    raise_ticket,
    running_desk,
    settle,
    text_of,
)

FIRST_RESPONSE = timedelta(hours=1)
SECOND = timedelta(seconds=1)
FAST = {
    "sla": {"P2": {"first_response": "1h", "resolution": "8h"}},
    "escalation": {"check_every": "60s", "warn_at": 0.5, "leads_at": 1.5},
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


def everything(slack, run) -> list[str]:
    """Every notice in triage, then in Carol's and Bob's DMs."""
    return [
        *kinds(notices(slack, TRIAGE)),
        *(f"carol {k}" for k in kinds(notices(slack, dm_of(run, CAROL)))),
        *(f"bob {k}" for k in kinds(notices(slack, dm_of(run, BOB)))),
    ]


async def step_to(run, fraction: float, opened) -> None:
    """Set the desk's clock to `fraction` of the first-response target after opening; sweep."""
    run.clock.set(opened + FIRST_RESPONSE * fraction)
    await run.sweep()


async def test_an_unclaimed_ticket_is_escalated_once_at_each_level_and_never_early():
    async with running_desk(**FAST) as run:
        _, card = await raise_ticket(run)
        opened = (await run.desk.store.ticket(1)).opened_at
        expected: list[str] = []
        for fraction, level in ((0.5, "first_response:at_risk"), (1.0, "first_response:breached")):
            run.clock.set(opened + FIRST_RESPONSE * fraction - SECOND)
            await run.sweep()
            assert everything(run.slack, run) == expected, f"nothing a second before {fraction}"
            run.clock.set(opened + FIRST_RESPONSE * fraction)
            await run.sweep()
            await run.sweep()  # a second sweep at the same moment adds nothing
            expected.append(level)
            assert everything(run.slack, run) == expected
        await step_to(run, 1.5, opened)
        for _ in range(3):  # more sweeps, later: nothing more may come
            run.clock.advance(timedelta(minutes=10))
            await run.sweep()
        assert everything(run.slack, run) == [*expected, "carol first_response:leads"]

        triage = notices(run.slack, TRIAGE)
        assert all(m.thread_ts == card.ts and m.broadcast for m in triage), "threaded under the card, shown"
        at_risk, breached = triage
        [leads] = notices(run.slack, dm_of(run, CAROL))
        assert "T-1 is at risk" in text_of(at_risk) and "Nobody has claimed it yet" in text_of(at_risk)
        assert "T-1 missed its first-response target* of 1h" in text_of(breached)
        assert "needs a lead's attention" in text_of(leads) and "Laptop won't boot" in text_of(leads)
        assert "Sent late" not in text_of(at_risk) + text_of(breached) + text_of(leads)
        assert "Target missed:* first response" in text_of(card), "the card shows the breach"


async def test_claiming_in_time_stops_the_first_response_escalation():
    async with running_desk(**FAST) as run:
        _, card = await raise_ticket(run)
        opened = (await run.desk.store.ticket(1)).opened_at
        await step_to(run, 0.6, opened)
        assert kinds(notices(run.slack, TRIAGE)) == ["first_response:at_risk"]
        await run.people.press(BOB, notices(run.slack, TRIAGE)[0], "Claim")  # right from the notice
        await run.idle()
        assert "Claimed by" in text_of(card)
        await step_to(run, 2.0, opened)  # past breach and leads time
        await step_to(run, 3.0, opened)
        assert everything(run.slack, run) == ["first_response:at_risk"]
        assert "Target missed" not in text_of(card)


async def test_a_claimed_ticket_at_risk_is_told_to_its_assignee():
    async with running_desk(**FAST) as run:
        _, card = await raise_ticket(run)
        opened = (await run.desk.store.ticket(1)).opened_at
        await run.people.press(BOB, card, "Claim")
        await run.idle()
        run.clock.set(opened + timedelta(hours=4))  # half the 8h resolution target
        await run.sweep()
        [dm] = notices(run.slack, dm_of(run, BOB))
        assert kinds([dm]) == ["resolution:at_risk"]
        assert "T-1 is at risk" in text_of(dm) and "resolution due in" in text_of(dm)
        assert [b["text"]["text"] for b in dm.blocks[-1]["elements"]] == ["Reply", "Resolve"]
        await run.people.press(BOB, dm, "Resolve")  # opens the resolve form from the DM
        await settle(lambda: run.slack.workspace.views)
        view_id = next(iter(run.slack.workspace.views))
        await run.people.submit(BOB, view_id, {"text": {"value": "Swapped it"}})
        await run.idle()
        assert (await run.desk.store.ticket(1)).status.value == "resolved"
        run.clock.set(opened + timedelta(hours=20))  # long past the resolution target
        await run.sweep()
        assert everything(run.slack, run) == ["bob resolution:at_risk"], "resolved in time: nothing more"


async def test_notices_due_while_the_desk_was_down_arrive_once_after_start_marked_late(tmp_path):
    url = f"tinydb://{tmp_path}/desk.json"
    async with local_slack() as slack:
        async with running_desk(url, slack=slack, **FAST) as run:
            await raise_ticket(run)
            opened = (await run.desk.store.ticket(1)).opened_at
        assert notices(slack, TRIAGE) == []
        later = opened + FIRST_RESPONSE * 1.5 + timedelta(minutes=5)  # at risk, breach and leads fell due
        async with running_desk(url, slack=slack, clock=clock_at(later), **FAST) as again:
            await again.sweep()  # the sweep the desk runs at start
            triage = notices(slack, TRIAGE)
            assert kinds(triage) == ["first_response:at_risk", "first_response:breached"]
            assert len(notices(slack, dm_of(again, CAROL))) == 1
            for message in [*triage, *notices(slack, dm_of(again, CAROL))]:
                assert "Sent late: this fell due" in text_of(message)
        async with running_desk(url, slack=slack, clock=clock_at(later), **FAST) as third:
            await third.sweep()
            await third.advance(timedelta(minutes=1))
            assert len(notices(slack, TRIAGE)) == 2 and len(notices(slack, dm_of(third, CAROL))) == 1


async def test_a_notice_slack_refused_is_sent_once_slack_is_back():
    async with running_desk(**FAST) as run:
        await raise_ticket(run)
        opened = (await run.desk.store.ticket(1)).opened_at
        run.slack.faults.down = True
        for fraction in (0.5, 1.6):  # at risk, then breach and leads, fall due while Slack is down
            run.clock.set(opened + FIRST_RESPONSE * fraction)
            await run.desk.run_job("sla-sweep")
            assert notices(run.slack, TRIAGE) == []
            assert (await run.desk.store.ticket(1)).owed_notices, "recorded, waiting for Slack"
        run.slack.faults.down = False
        await step_to(run, 1.6, opened)  # the next sweep delivers what is owed
        assert not (await run.desk.store.ticket(1)).owed_notices
        await step_to(run, 1.7, opened)
        assert everything(run.slack, run) == [
            "first_response:at_risk",
            "first_response:breached",
            "carol first_response:leads",
        ]


async def test_an_owed_notice_already_in_slack_is_not_sent_again(tmp_path):
    """A crash between posting a notice and striking it off leaves it owed; the next sweep
    finds it in the card's thread and does not post it again."""
    url = f"tinydb://{tmp_path}/desk.json"
    async with local_slack() as slack:
        async with running_desk(url, slack=slack, **FAST) as run:
            await raise_ticket(run)
            opened = (await run.desk.store.ticket(1)).opened_at
            await step_to(run, 0.5, opened)
            assert notices(slack, TRIAGE)
        store = store_from_url(url)
        await store.open()
        ticket = await store.ticket(1)
        at_risk = replace(
            ticket.notices[0], owed=(TRIAGE_DESTINATION,)
        )  # as if killed before striking it off
        await store.update_ticket(1, lambda t: replace(t, notices=(at_risk,)))
        await store.close()
        async with running_desk(
            url, slack=slack, clock=clock_at(opened + FIRST_RESPONSE * 0.55), **FAST
        ) as again:
            await again.sweep()
            assert not (await again.desk.store.ticket(1)).notices[0].owed
            assert kinds(notices(slack, TRIAGE)) == ["first_response:at_risk"]
