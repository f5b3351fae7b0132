"""Incident storms: new tickets faster than the triage channel takes a card each are grouped in
one storm card, kept up to date, and each leaves it for a card of its own once acted on."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.domain.notices import TRIAGE as TRIAGE_DESTINATION
from bot.domain.priority import Priority
from bot.domain.storm import QUIET, STORM_AT, Storm, foldable, folds, grouped
from bot.domain.ticket import Status, Ticket
from bot.localslack import ChannelPace
from bot.localslack.blockkit import check_message_blocks
from bot.localslack.workspace import Person
from bot.slack.gateway import Backoff
from bot.slack.storm_blocks import storm_card
from tests.factories import T0, make_ticket, minutes
from tests.harness import (
    BOB,
    TEST_START,
    TRIAGE,
    Running,
    answer_questions,
    bot_posts,
    carrying,
    dm_of,
    running_desk,
    settle,
    start_request,
    text_of,
    ticket_where,
)

BERLIN = ZoneInfo("Europe/Berlin")


def ref(number: int) -> str:
    return f"T-{number}"


# -- the rules ----------------------------------------------------------------------------------
def test_a_storm_begins_at_a_backlog_of_new_cards_and_lasts_until_a_quiet_spell():
    assert not folds(STORM_AT - 1, None, T0)
    assert folds(STORM_AT, None, T0)
    storm = Storm.begin([1, 2], T0).join([2, 3], T0 + minutes(4))
    assert storm.tickets == (1, 2, 3)
    assert storm.join([1, 3], T0 + minutes(9)) is storm  # a known ticket's redraw does not prolong it
    assert folds(1, storm, T0 + minutes(4) + QUIET - minutes(1))  # on: even one new card joins
    assert not folds(1, storm, T0 + minutes(4) + QUIET)  # over: one card is posted as usual
    assert not folds(0, storm, T0)


def test_only_tickets_nobody_has_acted_on_wait_in_a_storm_card():
    fresh = make_ticket()
    assert foldable(fresh)
    assert not foldable(fresh.claim(BOB, T0 + minutes(1)))
    assert not foldable(replace(fresh, card="C0TRIAGE1:1.0"))


def test_groups_put_the_most_urgent_first_and_count_what_is_handled():
    tickets = [
        make_ticket(1, priority=Priority.P3, at=T0),
        make_ticket(2, priority=Priority.P1, at=T0 + minutes(2)),
        make_ticket(3, priority=Priority.P3, at=T0 + minutes(1)),
        make_ticket(4, priority=Priority.P1, at=T0 + minutes(1)),
        make_ticket(5, priority=Priority.P1, at=T0 + minutes(3)).claim(BOB, T0 + minutes(5)),
    ]
    tickets[0] = tickets[0].claim(BOB, T0 + minutes(6)).resolve(BOB, "rebooted", T0 + minutes(7))
    first, second = grouped(tickets)
    assert (first.priority, first.waiting, first.taken, first.resolved) == (Priority.P1, (4, 2), 1, 0)
    assert (second.priority, second.waiting, second.taken, second.resolved) == (Priority.P3, (3,), 0, 1)
    assert first.total == 3


def test_the_storm_card_fits_slack_with_many_groups_and_offers_the_longest_waiting_ticket():
    categories = [f"Area {i} <b>" for i in range(20)]
    tickets = [
        replace(
            make_ticket(n, priority=list(Priority)[n % 4], at=T0 + minutes(n)), category=categories[n % 19]
        )
        for n in range(1, 401)
    ]
    storm = Storm.begin(range(1, 401), T0)
    text, blocks = storm_card(storm, grouped(tickets), ref, BERLIN)
    assert check_message_blocks(blocks) == []
    assert len(blocks) == 48
    assert "400 new tickets" in text and "400 waiting" in text
    assert "31 smaller groups not shown" in blocks[-1]["elements"][0]["text"]
    assert "&lt;b&gt;" in blocks[2]["text"]["text"]  # an area's name is shown, never as markup
    claim = blocks[2]["accessory"]
    assert claim["action_id"] == "claim" and claim["text"]["text"] == f"Claim T-{claim['value']}"


# -- through the local Slack ----------------------------------------------------------------------
QUICK = Backoff(base=0.05, cap=0.4)  # a lost answer tried again at once


def employees(run: Running, count: int) -> list[str]:
    people = [f"U0STORM{i:03d}" for i in range(count)]
    for user in people:
        run.slack.workspace.people[user] = Person(user, f"storm{user[-3:]}", f"Storm Person {user[-3:]}")
    return people


async def raise_as(run: Running, user: str, words: str) -> None:
    prompt = await start_request(run, words, user=user)
    await answer_questions(run, user, prompt, "Access", "P2 · High")


def triage_view(run: Running) -> tuple[list, list]:
    """The storm cards and the tickets' own cards in the triage channel."""
    top = [m for m in bot_posts(run.slack, TRIAGE) if m.thread_ts is None]
    storms = [m for m in top if m.text.startswith("Incident storm")]
    cards = [m for m in top if any(b.get("block_id", "").startswith("ticket:") for b in m.blocks)]
    return storms, cards


async def test_a_burst_of_new_tickets_is_one_storm_card_that_slack_never_refuses():
    async with running_desk() as run:
        run.slack.channel_pace = ChannelPace()  # Slack's pace per channel: one a second, bursts of 3
        people = employees(run, 30)
        await asyncio.gather(*(raise_as(run, user, f"VPN refuses me ({user})") for user in people))
        assert await run.desk.store.ticket_count() == 30
        await run.idle(timeout=20)

        storms, cards = triage_view(run)
        assert len(storms) == 1
        folded = await run.desk.outbox.storms.latest()
        assert folded is not None and storms[0].text.startswith(f"Incident storm: {len(folded.tickets)} new")
        shown = {int(c.blocks[-1]["block_id"].split(":")[1]) for c in cards} | set(folded.tickets)
        assert shown == set(range(1, 31))  # every ticket shown once: its own card or the storm's
        assert len(cards) + len(folded.tickets) == 30
        assert len(cards) < 10
        assert "P2 · High · Access" in text_of(storms[0])
        assert run.slack.channel_pace.refused == 0  # the desk kept to Slack's pace
        assert run.slack.errors() == []
        for user in people:  # and everyone was told their ticket is open
            assert "is open" in text_of(bot_posts(run.slack, dm_of(run, user))[-1])

        # Bob takes the longest-waiting one from the storm card: it gets a card of its own
        oldest = folded.tickets[0]
        await run.people.press(BOB, storms[0], f"Claim T-{oldest}")
        await settle(lambda: ticket_where(run, oldest, lambda t: t.card is not None and t.assignee == BOB))
        await settle(lambda: "1 claimed" in text_of(storms[0]), timeout=10)
        assert f"Claim T-{oldest}" not in text_of(storms[0]) and f"Claim T-{folded.tickets[1]}" in str(
            storms[0].blocks
        )
        _, cards = triage_view(run)
        own = [c for c in cards if c.blocks[-1]["block_id"] == f"ticket:{oldest}"]
        assert len(own) == 1 and "Claimed by" in text_of(own[0])


async def waiting_in_a_storm_card(run: Running) -> Ticket:
    """A burst of fourteen new tickets, folded into a storm card: the last of them, which has
    no card of its own."""
    people = employees(run, 14)
    await asyncio.gather(*(raise_as(run, user, f"Printer on fire ({user})") for user in people))
    await run.idle(timeout=20)
    folded = await run.desk.outbox.storms.latest()
    assert folded is not None
    ticket = await run.desk.store.ticket(folded.tickets[-1])
    assert ticket is not None and ticket.card is None and ticket.status is Status.OPEN
    return ticket


async def test_a_requester_writing_on_a_ticket_in_the_storm_card_gives_it_a_card_of_its_own():
    async with running_desk() as run:
        ticket = await waiting_in_a_storm_card(run)
        number = ticket.number

        thread = ticket.origin.thread
        await run.people.say(ticket.requester, ticket.origin.channel, "It is smoking now", thread=thread)
        await settle(lambda: ticket_where(run, number, lambda t: t.card is not None))
        card_ts = (await run.desk.store.ticket(number)).card.split(":")[1]
        await settle(lambda: len(bot_posts(run.slack, TRIAGE, thread=card_ts)) == 1)
        assert "It is smoking now" in text_of(bot_posts(run.slack, TRIAGE, thread=card_ts)[0])
        assert run.slack.errors() == []


async def test_a_card_of_its_own_whose_answer_was_lost_is_posted_once():
    """The requester writes on a ticket waiting in the storm card, so its thread needs a card
    of its own, and the answer to that card's post is lost: the card may be in Slack, so the
    next try looks for it, finds it, and posts no second card."""
    async with running_desk(backoff=QUICK) as run:
        ticket = await waiting_in_a_storm_card(run)
        number = ticket.number
        run.slack.faults.lose("chat.postMessage", when=carrying(f"t{number}:card"))
        thread = ticket.origin.thread
        await run.people.say(ticket.requester, ticket.origin.channel, "It is smoking now", thread=thread)
        await settle(lambda: ticket_where(run, number, lambda t: t.card is not None))
        await run.idle(timeout=20)
        assert not run.slack.faults.losses, "the card's answer was lost"
        _, cards = triage_view(run)
        its_own = [c for c in cards if any(b.get("block_id") == f"ticket:{number}" for b in c.blocks)]
        assert len(its_own) == 1, "found after the lost answer, not posted again"


async def test_targets_missed_in_a_storm_are_counted_on_its_card_not_posted_one_by_one():
    fast = {
        "sla": {"P2": {"first_response": "1h", "resolution": "8h"}},
        "escalation": {"check_every": "60s", "warn_at": 0.5, "leads_at": 1.5},
    }
    async with running_desk(**fast) as run:
        people = employees(run, 16)
        await asyncio.gather(*(raise_as(run, user, f"Wi-Fi gone ({user})") for user in people))
        await run.idle(timeout=30)
        folded = (await run.desk.outbox.storms.latest()).tickets
        storms, _ = triage_view(run)
        for minutes in (30, 60, 90, 100):  # at risk, missed, the leads, and one more sweep
            run.clock.set(TEST_START + timedelta(minutes=minutes))
            await run.sweep(timeout=40)  # the leads' DMs: one a ticket, one a second
        assert f"{len(folded)} missed a target" in text_of(storms[0])

        assert len(await run.desk.store.records("storms")) == 1  # flags redrawn: no second storm
        for number in folded:  # still shown on the storm card only, their notices struck off
            ticket = await run.desk.store.ticket(number)
            assert ticket.card is None
            assert all(TRIAGE_DESTINATION not in notice.owed for notice in ticket.notices)
        top = [m for m in bot_posts(run.slack, TRIAGE) if m.thread_ts is None]
        own_cards = [m for m in top if m is not storms[0]]
        assert len(own_cards) == 16 - len(folded)  # nothing else at the top of the channel
        assert run.slack.errors() == []
