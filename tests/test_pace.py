"""Slack's pace per method (`bot.slack.pace`): the desk keeps each method's tier ahead of time,
a 429 holds every call to its method (and only that method) until its Retry-After, edits of one
card still waiting go as one call, a look-up is made only when it can find something, and an
owed message is never reported idle. The clock is the test's: nothing sleeps for minutes.

Slack's rules: https://api.slack.com/docs/rate-limits (limits per method per app per
workspace; a 429 carries Retry-After in seconds).
"""

from __future__ import annotations

import random
import time

import pytest

from bot.localslack import ChannelPace, MethodPace
from bot.slack.gateway import SlackFailure, SlackGateway, build_client
from bot.slack.pace import LIMITS, POST, Pacer
from tests.harness import (
    ALICE,
    BOB,
    TRIAGE,
    bot_posts,
    dm_of,
    local_slack,
    raise_ticket,
    running_desk,
    settle,
    start_request,
    text_of,
)


class Steps:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Ahead:
    """The machine's monotonic clock, moved on by the test when it wants a minute to pass."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


def test_a_tier_allows_its_calls_a_minute_in_a_burst_then_waits_for_the_oldest_to_leave():
    clock = Steps()
    pacer = Pacer(clock=clock)
    for _ in range(47):  # 95% of Tier 3's 50 a minute, all at once
        assert pacer.wait("chat.update") == 0
        pacer.take("chat.update")
    assert pacer.wait("chat.update") == pytest.approx(60.0)
    clock.now += 59.0
    assert pacer.wait("chat.update") == pytest.approx(1.0)
    clock.now += 1.0
    assert pacer.wait("chat.update") == 0


def test_posts_keep_about_one_a_second_per_channel_with_short_bursts():
    clock = Steps()
    pacer = Pacer(clock=clock)
    for _ in range(3):
        pacer.take("chat.postMessage", "C1")
    assert pacer.wait("chat.postMessage", "C1") > 0
    assert pacer.wait("chat.postMessage", "C2") == 0, "another channel has its own pace"


def test_a_429_holds_every_call_to_its_method_and_no_other():
    clock = Steps()
    pacer = Pacer(clock=clock)
    pacer.hold("chat.update", 30)
    assert pacer.wait("chat.update") == pytest.approx(30.0)
    assert pacer.wait("chat.postMessage", "C1") == 0
    assert pacer.wait("views.publish") == 0
    clock.now += 30.0
    assert pacer.wait("chat.update") == 0
    assert pacer.refused == {"chat.update": 1}


@pytest.mark.parametrize("method", sorted(LIMITS))
def test_calls_the_pacer_lets_go_are_never_refused_by_the_local_slack(method):
    """Whatever the timing, a call the desk makes when its pacer says so is within the tier the
    local Slack enforces (it refuses with 429 what Slack would)."""
    rng = random.Random(method)
    clock = Steps()
    pacer = Pacer(clock=clock)
    slack, channels = MethodPace(), ChannelPace()
    sent = 0
    for _ in range(600):
        clock.now += rng.expovariate(4.0)  # about four tries a second
        channel = rng.choice(["C1", "C2"])
        if pacer.wait(method, channel) > 0:
            continue
        pacer.take(method, channel)
        later = clock.now + rng.uniform(0, 0.2)  # the call reaches Slack a little later
        if method == "chat.postMessage":
            assert channels.admit(channel, later) == 0
        else:
            assert slack.admit(method, later) == 0
        sent += 1
    assert sent > 0 and not slack.refused and not channels.refused


async def test_a_429_on_chat_update_holds_edits_until_retry_after_but_not_posts_and_merges_them():
    clock = Ahead()
    pacer = Pacer({"chat.postMessage": POST}, clock=clock)  # the desk does not know chat.update's tier
    async with running_desk(pacer=pacer) as run:
        await raise_ticket(run, "Laptop won't boot")
        await raise_ticket(run, "Printer jams")
        await run.idle()
        run.slack.pace_clock = clock
        run.slack.method_pace = MethodPace(tiers={"chat.update": 1})  # one edit a minute: the next is refused
        await run.people.command(BOB, "/claim", "T-1", channel=TRIAGE)
        await run.idle()
        await run.people.command(BOB, "/claim", "T-2", channel=TRIAGE)
        await settle(lambda: run.slack.method_pace.refused["chat.update"] == 1)
        assert pacer.held("chat.update") == pytest.approx(60.0, abs=1.0)  # Slack's Retry-After
        refused_at = len(run.slack.calls)
        await run.people.command(BOB, "/resolve", "T-2 Cleared the tray", channel=TRIAGE)
        await run.people.command(BOB, "/resolve", "T-1 New disk", channel=TRIAGE)
        await run.idle()  # nothing more goes until the Retry-After has passed
        since = run.slack.calls[refused_at:]
        assert [c for c in since if c.method == "chat.update"] == [], "every edit waits out the 429"
        assert any(c.method == "chat.postMessage" for c in since), "posts go on meanwhile"
        told = [m for m in bot_posts(run.slack, dm_of(run)) if "The problem is back" in str(m.blocks)]
        assert len(told) == 2, "her resolution messages do not wait behind her confirmation's redraw"
        health = run.desk.health()
        assert health["outbox"]["waiting"] >= 2 and health["idle"] is False, "owed is never idle"
        run.slack.method_pace = None  # Slack takes edits again (one a minute would hold the second)
        clock.offset += 61.0  # the Retry-After has passed
        run.desk.outbox.wake()
        await run.idle()
        edits = [c for c in run.slack.calls[refused_at:] if c.method == "chat.update" and c.status == 200]
        cards = [e for e in edits if e.args.get("channel") == TRIAGE]
        assert len(cards) == 2, "each card edited once, as it stands now (claimed, then resolved)"
        for number in (1, 2):
            card = run.slack.workspace.find_message(
                TRIAGE, (await run.desk.store.ticket(number)).card.split(":")[1]
            )
            assert "Resolved" in text_of(card)
        assert run.desk.health()["idle"] is True


async def test_a_post_that_may_have_arrived_is_looked_for_once_not_again_after_a_429():
    """A 500 may hide a post Slack made: the desk looks before posting again. Its next post is
    refused with 429, which leaves nothing behind: it is posted again without a second look."""
    slack_clock = Steps()
    async with running_desk() as run:
        await raise_ticket(run)
        await run.idle()
        run.slack.pace_clock = slack_clock
        run.slack.channel_pace = ChannelPace(rate=1.0, burst=1)
        run.slack.channel_pace.admit(dm_of(run), slack_clock())  # someone else's post, just now
        pacer = run.desk.outbox.pacer
        pacer.hold("chat.update", 3.0)  # the card's edit waits: the DM post goes first
        pacer.hold("chat.postMessage", 1.0)  # after Bob's answer
        before = len(run.slack.calls)
        await run.people.command(BOB, "/claim", "T-1", channel=TRIAGE)  # Alice is told, in her thread
        await settle(lambda: any(c.method == "response_url" for c in run.slack.calls[before:]))
        # Slack failed that very post (a documented `fatal_error`, which may hide a post it
        # made): aimed at the DM's post, so the confirmation's and the card's edits, which also
        # go now, are not the call that meets it
        run.slack.faults.refuse("chat.postMessage", "fatal_error", target=dm_of(run), times=1)
        await settle(lambda: run.slack.channel_pace.refused >= 1)
        slack_clock.now += 5.0  # the channel may take a post again
        await run.idle()
        calls = [
            (c.method, c.status) for c in run.slack.calls[before:] if c.args.get("channel") == dm_of(run)
        ]
        posts = [status for method, status in calls if method == "chat.postMessage"]
        looks = [method for method, _ in calls if method.startswith("conversations.")]
        assert posts[0] == 200 and posts[-2:] == [429, 200] and len(posts) == 3, [
            (c.method, c.status, c.args.get("channel")) for c in run.slack.calls[before:]
        ]
        assert looks == ["conversations.replies"], "looked once, after the 500; not after the 429"
        told = [m for m in bot_posts(run.slack, dm_of(run)) if "is looking at" in text_of(m)]
        assert len(told) == 1


async def test_answers_to_clicks_redraw_the_question_through_the_clicks_response_url():
    """A person's answer redraws the question through the click's response_url (Slack's way to
    answer an interaction), so a busy desk's conversations do not queue behind chat.update's
    Tier 3: here Slack would take one chat.update a minute, and nobody waits for it."""
    async with running_desk(pacer=Pacer()) as run:
        run.slack.method_pace = MethodPace(tiers={"chat.update": 1})
        for words in ("Laptop won't boot", "Printer jams", "VPN drops"):
            await raise_ticket(run, words)
        await run.idle()
        dm = dm_of(run)
        assert [
            c.method for c in run.slack.calls if c.method == "chat.update" and c.args.get("channel") == dm
        ] == []
        assert sum(1 for c in run.slack.calls if c.method == "response_url") == 6  # two answers a ticket
        assert run.slack.errors() == [] and not run.slack.method_pace.refused


async def test_a_response_url_that_fails_gives_way_to_chat_update():
    async with running_desk() as run:
        prompt = await start_request(run)
        await run.people.press(ALICE, prompt, "Hardware")
        await settle(lambda: "How urgent" in text_of(prompt))
        await run.idle()
        before = len(run.slack.calls)
        run.slack.faults.server_errors = 1  # the next call: the answer through the response_url
        await run.people.press(ALICE, prompt, "P2 · High")
        await settle(lambda: "is open" in text_of(prompt))
        await run.idle()
        calls = [
            (c.method, c.status)
            for c in run.slack.calls[before:]
            if c.method in ("response_url", "chat.update")
        ]
        assert calls[:2] == [("response_url", 500), ("chat.update", 200)], calls


async def test_a_429_one_gateway_hears_holds_the_method_for_every_gateway_sharing_the_pacer():
    """The desk's gateways (the listeners' and the outbox's) share one pacer: after a 429 on
    chat.update, no gateway sends chat.update until the Retry-After has passed; chat.postMessage
    goes on."""
    clock = Steps()
    pacer = Pacer({}, clock=clock)
    async with local_slack() as slack:
        outbox = SlackGateway(build_client(slack.bot_token, slack.api_url, patience=0, pacer=pacer))
        listeners = SlackGateway(build_client(slack.bot_token, slack.api_url, pacer=pacer))
        assert outbox.pacer is listeners.pacer is pacer
        posted = await listeners.post(TRIAGE, "card")
        slack.faults.rate_limited, slack.faults.retry_after = 1, 30
        with pytest.raises(SlackFailure) as refused:
            await outbox.update(TRIAGE, posted.ts, "claimed")
        assert refused.value.error == "ratelimited" and pacer.held("chat.update") == 30
        calls = len(slack.calls)
        with pytest.raises(SlackFailure):
            await outbox.update(TRIAGE, posted.ts, "claimed, again")
        assert len(slack.calls) == calls, "held: not sent at all"
        await listeners.post(TRIAGE, "another card")  # another method: not held
        clock.now += 30
        await listeners.update(TRIAGE, posted.ts, "claimed at last")
        assert [c.status for c in slack.calls[calls:]] == [200, 200]
        assert slack.workspace.find_message(TRIAGE, posted.ts).text == "claimed at last"
