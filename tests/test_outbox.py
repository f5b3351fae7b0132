"""The outbox under Slack's bad days, through the local Slack: an outage, 429 storms, 5xx,
slow answers and answers lost after the work was done. Afterwards every owed message has
arrived exactly once (counted by the id each carries in its metadata), in order per
destination, and nothing is left owed.

The back-off here is scaled down (a 0.4 s cap instead of 60 s), so an outage of a few seconds
puts each message through as many retries as a several-minute one would in production.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.delivery.owed import owe
from bot.domain.owed import CardThread, Conversation, DirectMessage, InThread, Post
from bot.localslack import LocalSlack
from bot.localslack.workspace import Message
from bot.slack.gateway import Backoff
from store import store_from_url
from tests.harness import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    PEOPLE_TRIAGE,
    TRIAGE,
    bot_posts,
    carrying,
    dm_of,
    local_slack,
    outbox_arrivals,
    owed_at_a_kill,
    raise_ticket,
    running_desk,
    settle,
    start_request,
    text_of,
    ticket_where,
    two_teams,
)

FAST = Backoff(base=0.05, cap=0.4)
PEOPLE = [ALICE, ERIN, CAROL, DAVE]


async def at_the_last_question(run, user: str, words: str) -> Message:
    """`user` has described a problem and picked the area; the urgency question is waiting."""
    dm = dm_of(run, user)
    await run.people.say(user, dm, words)
    await settle(lambda: any(words in text_of(m) for m in bot_posts(run.slack, dm)))
    prompt = next(m for m in bot_posts(run.slack, dm) if words in text_of(m))
    await run.people.press(user, prompt, "Hardware")
    await settle(lambda: "How urgent" in text_of(prompt))
    return prompt


async def owed(run) -> dict:
    return dict(await run.desk.store.owed())


async def nothing_owed(run) -> bool:
    return not await owed(run)


async def any_parked(run) -> bool:
    return any(entry.parked for entry in (await owed(run)).values())


async def count_is(run, total: int) -> bool:
    return await run.desk.store.ticket_count() == total


async def all_with(run, assignee: str) -> bool:
    return all(t.assignee == assignee for t in await run.desk.store.all_tickets())


async def test_after_an_outage_everything_owed_arrives_once_and_in_order():
    async with running_desk(backoff=FAST) as run:
        prompts = [await at_the_last_question(run, user, f"Problem {n}") for n, user in enumerate(PEOPLE, 1)]
        run.slack.faults.down = True
        for user, prompt in zip(PEOPLE, prompts, strict=True):
            assert (await run.people.press(user, prompt, "P2 · High")).status == 200
        await settle(lambda: count_is(run, 4))
        assert (await run.people.command(BOB, "/claim", "T-1", channel=TRIAGE)).status == 200
        assert (
            await run.people.command(BOB, "/resolve", "T-2 Swapped the cable", channel=TRIAGE)
        ).status == 200
        await settle(lambda: ticket_where(run, 2, lambda t: t.status.value == "resolved"))
        # Slack stays down; the outbox keeps trying every message, many times
        await settle(lambda: sum(1 for call in run.slack.calls if call.error == "fault") > 20, timeout=20)
        assert bot_posts(run.slack, TRIAGE) == []
        assert run.desk.health()["outbox"]["waiting"] >= 8  # 4 confirmations, 4 cards, more
        faults = sum(1 for call in run.slack.calls if call.error == "fault")

        run.slack.faults.down = False
        await settle(lambda: nothing_owed(run), timeout=20)
        seen = outbox_arrivals(run.slack)
        assert seen and max(seen.values()) == 1, "nothing arrived twice"
        cards = [m for m in bot_posts(run.slack, TRIAGE) if m.thread_ts is None]
        assert [m.metadata["event_payload"]["id"] for m in cards] == [
            "t1:card",
            "t2:card",
            "t3:card",
            "t4:card",
        ]
        assert "Claimed by" in text_of(cards[0]) and "Resolved by" in text_of(cards[1])
        shown = [text_of(prompt) for prompt in prompts]  # each as its ticket stands now
        assert "is on it" in shown[0] and "is resolved" in shown[1], "the confirmations followed"
        assert all("is open" in words for words in shown[2:]), "the others' confirmations arrived"
        alice = [text_of(m) for m in bot_posts(run.slack, dm_of(run, ALICE)) if m.thread_ts == prompts[0].ts]
        assert len([t for t in alice if "is looking at *T-1*" in t]) == 1
        erin = bot_posts(run.slack, dm_of(run, ERIN))
        assert len([m for m in erin if "was resolved by" in text_of(m)]) == 1
        assert (
            len(
                [
                    m
                    for m in erin
                    if (m.metadata or {}).get("event_payload", {}).get("id", "").endswith("rating")
                ]
            )
            == 1
        )
        backlog = run.desk.health()["outbox"]
        assert backlog == {"waiting": 0, "parked": 0, "oldest_s": 0.0, "oldest_parked_s": 0.0}
        print(f"outage: {faults} calls failed (503), then {sum(seen.values())} messages, each once")


async def test_429_storms_5xx_slow_and_lost_answers_deliver_exactly_once():
    async with running_desk(backoff=FAST) as run:
        prompts = [await at_the_last_question(run, user, f"Storm {n}") for n, user in enumerate(PEOPLE, 1)]
        faults = run.slack.faults
        faults.rate_limited, faults.server_errors, faults.lost_answers, faults.delay = 12, 6, 4, 0.05
        calls_before = len(run.slack.calls)
        for user, prompt in zip(PEOPLE, prompts, strict=True):
            await run.people.press(user, prompt, "P3 · Normal")
        await settle(lambda: count_is(run, 4))
        for number in (1, 2, 3, 4):
            await run.people.command(BOB, "/claim", f"T-{number}", channel=TRIAGE)
        await settle(lambda: all_with(run, BOB))
        await settle(lambda: nothing_owed(run), timeout=30)
        faults.delay = 0.0
        injected = [c for c in run.slack.calls[calls_before:] if c.error == "fault"]
        assert (faults.rate_limited, faults.server_errors, faults.lost_answers) == (0, 0, 0)
        assert len(injected) >= 22  # 12 × 429, 6 × 500 and 4 answers lost after the work was done
        seen = outbox_arrivals(run.slack)
        assert max(seen.values()) == 1, f"posted twice: {[k for k, n in seen.items() if n > 1]}"
        expected = {f"t{n}:card" for n in (1, 2, 3, 4)}
        assert expected <= set(seen)
        claimed = [k for k in seen if k.endswith(":requester")]
        assert len(claimed) == 4, "each requester told once that Bob is on it"
        cards = [m for m in bot_posts(run.slack, TRIAGE) if m.thread_ts is None]
        assert len(cards) == 4 and all("Claimed by" in text_of(card) for card in cards)
        kinds = Counter(c.status for c in injected)
        print(f"storm: {len(injected)} faults {dict(kinds)}, then {sum(seen.values())} messages, each once")


async def test_a_message_that_can_never_arrive_is_parked_and_logged_once(caplog):
    async with running_desk(backoff=FAST) as run:
        prompt = await at_the_last_question(run, ALICE, "Monitor flickers")
        await run.people.press(ALICE, prompt, "P2 · High")
        await settle(lambda: ticket_where(run, 1, lambda t: t.card))
        del run.slack.workspace.channels[TRIAGE]  # the triage channel is gone (archived, deleted)
        await run.people.command(BOB, "/claim", "T-1", channel=dm_of(run, BOB))
        await settle(lambda: any_parked(run))
        parked = {key: entry.parked for key, entry in (await owed(run)).items() if entry.parked}
        assert parked == {"t1:card": "channel_not_found"}
        await run.idle()
        errors = [r for r in caplog.records if r.getMessage() == "message cannot be delivered; parked"]
        assert len(errors) == 1
        assert run.desk.health()["outbox"]["parked"] == 1
        alice = [m for m in bot_posts(run.slack, dm_of(run, ALICE)) if "is looking at" in text_of(m)]
        assert len(alice) == 1, "the rest still arrives"


async def test_a_message_slack_took_just_before_a_kill_is_not_posted_again(tmp_path):
    """Killed after Slack took a post and before the outbox struck it off: the entry is still
    owed, with no failed attempt on record. The next start looks for it before posting."""
    url = f"tinydb://{tmp_path}/desk.json"
    async with local_slack() as slack:
        async with running_desk(url, slack=slack) as run:
            await raise_ticket(run)
            await run.people.command(BOB, "/claim", "T-1", channel=TRIAGE)  # Alice is told, in her thread
            await run.idle()
        [told] = [m for m in bot_posts(slack, dm_of(run)) if m.metadata and m.thread_ts]
        key = told.metadata["event_payload"]["id"]
        store = store_from_url(url)
        await store.open()
        async with store.transaction() as tx:  # as the entry stood while it was being sent
            thread = InThread(told.thread_ts) if told.thread_ts else None
            owe(tx, key, Post(Conversation(told.channel), told.text, told.blocks, thread))
        await store.close()
        async with running_desk(url, slack=slack) as again:
            await again.idle()
            assert outbox_arrivals(slack)[key] == 1, "found in the DM, not posted twice"
            assert again.desk.health()["outbox"]["waiting"] == 0


@asynccontextmanager
async def a_stopped_desk(tmp_path) -> AsyncIterator[tuple[LocalSlack, str]]:
    """A desk on TinyDB that raised a ticket and stopped: its local Slack (still running) and
    its store's URL, for the test to owe what a kill left and start the desk again."""
    url = f"tinydb://{tmp_path}/desk.json"
    async with local_slack() as slack:
        async with running_desk(url, slack=slack) as run:
            await raise_ticket(run)
            await run.idle()
        yield slack, url


@asynccontextmanager
async def restarting_with_notes_owed(tmp_path) -> AsyncIterator[tuple[LocalSlack, str, list[str]]]:
    """A desk that raised a ticket and was killed with twelve notes owed to the triage channel,
    four of them already in Slack: the local Slack, the store's URL and the notes' keys, for
    the test to start the desk again."""
    keys = [f"note-{n}" for n in range(12)]
    async with a_stopped_desk(tmp_path) as (slack, url):
        await owed_at_a_kill(url, slack, TRIAGE, keys, arrived=4)
        yield slack, url, keys


def looks_at(slack, channel: str, since: int) -> int:
    """How many times the desk looked back at `channel` since the `since`th call."""
    calls = slack.calls[since:]
    return sum(1 for c in calls if c.method == "conversations.history" and c.args["channel"] == channel)


async def test_after_a_restart_one_look_at_a_conversation_serves_every_message_owed_there(tmp_path):
    """Twelve messages owed to the triage channel at a kill, four of them already in Slack: the
    next start looks back at the channel once, not once per message (each look is a Tier 3
    call, about 50 a minute for the whole workspace, so a backlog drained at that pace), posts
    the eight missing and none of the four again."""
    async with restarting_with_notes_owed(tmp_path) as (slack, url, keys):
        since = len(slack.calls)
        async with running_desk(url, slack=slack) as again:
            await again.idle(timeout=60)  # eight posts at the channel's pace, about one a second
            assert again.desk.health()["outbox"]["waiting"] == 0
        arrivals = outbox_arrivals(slack)
        assert [arrivals[key] for key in keys] == [1] * 12, "each once: the four found, the eight posted"
        assert looks_at(slack, TRIAGE, since) == 1


async def test_a_post_whose_answer_was_lost_is_looked_for_anew_not_in_the_earlier_look(tmp_path):
    """The same restart, and Slack carries out the post of the fifth note but its answer is
    lost: the look made before that post cannot have seen it, so the outbox asks Slack again,
    finds it, and does not post it twice."""
    async with restarting_with_notes_owed(tmp_path) as (slack, url, keys):
        slack.faults.lose("chat.postMessage", when=carrying("note-4"))
        since = len(slack.calls)
        async with running_desk(url, slack=slack, backoff=FAST) as again:
            await again.idle(timeout=60)
        assert not slack.faults.losses, "the fifth note's answer was lost"
        arrivals = outbox_arrivals(slack)
        assert [arrivals[key] for key in keys] == [1] * 12, "the fifth found by a new look, not posted twice"
        assert looks_at(slack, TRIAGE, since) == 2


async def test_a_look_on_its_way_when_an_answer_is_lost_is_not_kept(tmp_path):
    """Two messages owed at a kill to Alice's DM from two lines (one to the DM's conversation,
    one to her) look back at the DM side by side, both slow: Slack reads the DM as each look
    arrives and answers later. The first look's message is posted and its answer lost while
    the second look is still on its way: what that look saw cannot hold the lost message, so
    it is not kept. When the second message has gone, the first looks again, asks Slack,
    finds itself, and is not posted twice."""
    async with a_stopped_desk(tmp_path) as (slack, url):
        dm = slack.workspace.im_with(ALICE).id
        await owed_at_a_kill(url, slack, dm, ["to-the-dm"], arrived=0)
        store = store_from_url(url)
        await store.open()
        async with store.transaction() as tx:
            owe(tx, "to-alice", Post(DirectMessage(ALICE), "To Alice", None, None))
        await store.close()
        for seconds in (0.3, 0.6):  # the first look at the DM, then the second
            slack.faults.slow("conversations.history", seconds, when=lambda args: args.get("channel") == dm)
        slack.faults.lose("chat.postMessage", when=carrying("to-the-dm"))
        # A long back-off: the lost message goes again once Slack has answered another message
        # (the outbox's "Slack answers again"), after the second look is back.
        async with running_desk(url, slack=slack, backoff=Backoff(base=30.0, cap=30.0)) as again:
            await settle(lambda: nothing_owed(again), timeout=30)
            await again.idle(timeout=30)
        assert not slack.faults.slows and not slack.faults.losses, "both looks slow, an answer lost"
        arrivals = outbox_arrivals(slack)
        assert (arrivals["to-the-dm"], arrivals["to-alice"]) == (1, 1)


async def test_a_note_whose_thread_is_gone_and_answer_was_lost_is_found_in_the_conversation(
    tmp_path,
):
    """A note owed at a kill to a thread whose first message was deleted goes to the
    conversation itself, and the answer to that post is lost. Looked for again, the thread
    is gone (its look finds not even its parent), so the conversation is looked at too: the
    note is there, and not posted twice."""
    async with a_stopped_desk(tmp_path) as (slack, url):
        await owed_at_a_kill(url, slack, TRIAGE, ["in-a-gone-thread"], arrived=0, thread="1000.000100")
        slack.faults.lose("chat.postMessage", when=carrying("in-a-gone-thread"))
        async with running_desk(url, slack=slack, backoff=FAST) as again:
            await again.idle(timeout=30)
        assert not slack.faults.losses
        assert outbox_arrivals(slack)["in-a-gone-thread"] == 1
        [note] = [m for m in bot_posts(slack, TRIAGE) if m.metadata and "Note in-a-gone-thread" in m.text]
        assert note.thread_ts is None, "posted to the conversation, saying its thread is gone"


async def test_notes_for_a_gone_thread_go_to_the_conversation_at_the_channels_pace(tmp_path):
    """Four notes owed to a thread whose first message was deleted: the first learns the thread
    is gone and goes to the conversation; the rest go there straight away. Had each tried the
    thread first, every try would spend the channel's pace (about a post a second) on a
    refusal and find none left for the conversation, again and again."""
    keys = [f"gone-{n}" for n in range(4)]
    async with a_stopped_desk(tmp_path) as (slack, url):
        await owed_at_a_kill(url, slack, TRIAGE, keys, arrived=0, thread="1000.000100")
        since = len(slack.calls)
        async with running_desk(url, slack=slack) as again:
            await again.idle(timeout=30)
        arrivals = outbox_arrivals(slack)
        assert [arrivals[key] for key in keys] == [1, 1, 1, 1]
        posts = [c for c in slack.calls[since:] if c.method == "chat.postMessage"]
        assert len([c for c in posts if c.error == "thread_not_found"]) == 1, "the thread tried once"


def held(run, method: str, channel: str | None = None) -> int:
    """How many calls to `method` (in `channel`) wait at the local Slack's closed gate."""
    holding = run.slack.faults.holding
    return sum(1 for m, args in holding if m == method and channel in (None, args.get("channel")))


async def test_messages_to_different_people_are_on_their_way_to_slack_at_once():
    """Slack is a round trip away (about 0.1 s over the internet): one message after the other
    would hold the desk to about ten a second. Messages to four people are all on their way at
    once (`bot.delivery.sending`), and each arrives once."""
    async with running_desk() as run:
        await run.idle()
        run.slack.faults.hold()
        try:
            async with run.desk.store.transaction() as tx:
                for person in PEOPLE:
                    owe(tx, f"hello:{person}", Post(DirectMessage(person), f"Hello {person}", []))
            # each waits at Slack for its answer (its DM opened first, where not known yet)
            waiting = lambda: held(run, "chat.postMessage") + held(run, "conversations.open")  # noqa: E731
            await settle(lambda: waiting() == len(PEOPLE))
        finally:
            run.slack.faults.release()
        await run.idle()
        seen = outbox_arrivals(run.slack)
        assert [seen[f"hello:{person}"] for person in PEOPLE] == [1, 1, 1, 1]


async def test_a_note_in_a_new_cards_thread_waits_for_the_card_on_its_way():
    """A People ticket's card (in the main triage's line) and a note in its thread (in the
    People triage channel's line) wait in one round. The card goes; the note, which holds the
    same thread, waits for it: sent beside it, the note would find no card yet and post one of
    its own, and the People triage channel would show the ticket twice."""
    async with running_desk(team=two_teams()) as run:
        prompt = await start_request(run, "My payslip shows the wrong hours")
        await run.people.press(ALICE, prompt, "Payroll")
        await settle(lambda: "How urgent" in text_of(prompt))
        await run.idle()
        await run.desk.outbox.stop()  # so the card and the note both wait for its next round
        await run.people.press(ALICE, prompt, "P3 · Normal")
        await settle(lambda: count_is(run, 1))
        note = Post(Conversation(PEOPLE_TRIAGE), "Payroll knows about it", [], CardThread(1))
        async with run.desk.store.transaction() as tx:
            owe(tx, "note:1", note)
        run.slack.faults.hold()
        try:
            await run.desk.outbox.start()
            await settle(lambda: held(run, "conversations.history", PEOPLE_TRIAGE))  # looked for first
        finally:
            run.slack.faults.release()
        await run.idle()
        cards = [m for m in bot_posts(run.slack, PEOPLE_TRIAGE) if m.thread_ts is None]
        assert len(cards) == 1, [text_of(m) for m in cards]
        [told] = [m for m in bot_posts(run.slack, PEOPLE_TRIAGE) if "Payroll knows" in text_of(m)]
        assert told.thread_ts == cards[0].ts


async def test_the_outbox_hears_of_each_request_from_slack():
    """Acks first: while Slack's requests keep arriving the outbox sends one message at a time
    (`bot.delivery.sending.Requests`, its rules in tests/test_sending.py); here, that a request
    reaching the desk is what tells it."""
    async with running_desk() as run:
        requests = run.desk.outbox.requests
        requests.clock = lambda: 1234.5
        assert requests.last != 1234.5
        assert (await run.people.command(BOB, "/desk", "help", channel=TRIAGE)).status == 200
        assert requests.last == 1234.5 and requests.at_once() == 1
        await run.idle()
