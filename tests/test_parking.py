"""Messages Slack will not take, through the local Slack answering the errors Slack documents
(`Faults.refuse`): each is parked after a few refusals while the rest of its conversation goes
on, the leads hear it once in plain words with what to do, and it is sent again by a retry,
by the bot joining the channel, or by the token working again."""

from __future__ import annotations

from typing import Any

import pytest

from bot.delivery.owed import owe
from bot.delivery.parking import PLACE_WIDE, REFUSALS, unpark
from bot.domain.owed import Conversation, DirectMessage, Edit, Message, Post
from bot.localslack.errors import DOCUMENTED
from bot.localslack.workspace import BOT_USER, TEAM_ID
from bot.localslack.workspace import Message as SlackMessage
from bot.slack.blocks import section
from bot.slack.parked_blocks import cause_of
from tests.harness import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    GENERAL,
    IT_HELP,
    PEOPLE_HELP,
    PEOPLE_TRIAGE,
    TRIAGE,
    answer_questions,
    bot_posts,
    dm_of,
    outbox_arrivals,
    running_desk,
    settle,
    start_request,
    text_of,
    two_teams,
)


def ids(*keys: str):
    """A refusal's test: the call posts one of the outbox messages `keys`."""

    def picks(args: dict[str, Any]) -> bool:
        return ((args.get("metadata") or {}).get("event_payload") or {}).get("id") in keys

    return picks


async def owe_now(run, key: str, message: Message) -> None:
    async with run.desk.store.transaction() as tx:
        owe(tx, key, message)


def post(to, text: str) -> Post:
    return Post(to, text, [section(text)])


async def owed(run) -> dict:
    return dict(await run.desk.store.owed())


def told(run) -> list[str]:
    """What the lead Carol was told about parked messages."""
    return [text_of(m) for m in bot_posts(run.slack, dm_of(run, CAROL)) if "lists what waits" in text_of(m)]


IN_GENERAL = Conversation(GENERAL)
TO_DAVE = DirectMessage(DAVE)
POST, OPEN = "chat.postMessage", "conversations.open"
# error, the method answering it, where the refused message goes, what the leads are told (a piece)
CLASSES = [
    ("not_in_channel", POST, IN_GENERAL, "invite @IT Help to the channel (`/invite @IT Help`)"),
    ("channel_not_found", POST, IN_GENERAL, "I can't find <#C0GENERAL>"),
    ("is_archived", POST, IN_GENERAL, "<#C0GENERAL> is archived"),
    ("restricted_action", POST, IN_GENERAL, "A workspace setting stops me posting in <#C0GENERAL>"),
    ("no_permission", POST, IN_GENERAL, "Ask a Slack admin to let @IT Help post in it"),
    ("missing_scope", POST, IN_GENERAL, "reinstall it with the scopes in manifest.yml"),
    ("msg_too_long", POST, IN_GENERAL, "as malformed (msg_too_long)"),
    ("too_many_attachments", POST, IN_GENERAL, "Slack refused a message"),
    ("cannot_dm_bot", POST, TO_DAVE, f"<@{DAVE}> is a bot"),
    ("user_not_found", OPEN, TO_DAVE, f"I can't reach the direct messages with <@{DAVE}>"),
    ("user_not_visible", OPEN, TO_DAVE, "hidden from me"),
    ("cannot_dm_bot", OPEN, TO_DAVE, f"<@{DAVE}> is a bot"),
]


@pytest.mark.parametrize(("error", "method", "to", "words"), CLASSES, ids=[f"{c[1]}-{c[0]}" for c in CLASSES])
async def test_a_refused_message_is_parked_the_conversation_goes_on_and_a_retry_sends_it(
    error, method, to, words
):
    async with running_desk() as run:
        if method == POST:  # only the refused messages: the rest of their conversation goes on
            run.slack.faults.refuse(method, error, when=ids("a", "a2"))
            later = to
        else:  # nothing reaches the person: the desk's other conversations go on
            run.slack.faults.refuse(method, error, target=DAVE)
            later = DirectMessage(ERIN)
        await owe_now(run, "a", post(to, "First, refused"))
        await owe_now(run, "b", post(later, "Second, unrelated"))
        await run.idle()
        arrived = outbox_arrivals(run.slack)
        assert arrived["b"] == 1 and "a" not in arrived, "the later message went on without it"
        entry = (await owed(run))["a"]
        assert entry.parked == error and entry.refusals == REFUSALS - 1
        tries = [c for c in run.slack.calls if c.error == error]
        assert len(tries) == REFUSALS, "tried a few times, then parked"
        assert len(told(run)) == 1 and words in told(run)[0]
        assert run.desk.health()["outbox"]["parked"] == 1

        await owe_now(run, "a2", post(to, "Third, refused too"))
        await owe_now(run, "c", post(later, "Fourth"))
        await run.idle()
        assert outbox_arrivals(run.slack)["c"] == 1
        assert (await owed(run))["a2"].parked == error
        assert len(told(run)) == 1, "the leads hear it once"
        tries = [c for c in run.slack.calls if c.error == error]
        whole_place = cause_of(error) in PLACE_WIDE  # a second message there parks at once
        assert len(tries) == (REFUSALS + 1 if whole_place else 2 * REFUSALS)

        run.slack.faults.allow()
        assert sorted(await unpark(run.desk.desk)) == ["a", "a2"]
        await run.idle()
        arrived = outbox_arrivals(run.slack)
        assert (arrived["a"], arrived["a2"], arrived["b"], arrived["c"]) == (1, 1, 1, 1)
        assert await owed(run) == {}
        assert run.desk.health()["outbox"]["parked"] == 0


async def test_an_edit_slack_no_longer_allows_is_parked_and_later_posts_go_on():
    async with running_desk() as run:
        mine = run.slack.workspace.add_message(SlackMessage(GENERAL, "1700000000.000100", BOT_USER, "Old"))
        run.slack.faults.refuse("chat.update", "edit_window_closed", when=lambda a: a.get("ts") == mine.ts)
        await owe_now(run, "e", Edit(GENERAL, mine.ts, "New", [section("New")]))
        await owe_now(run, "b", post(IN_GENERAL, "Later"))
        await run.idle()
        assert outbox_arrivals(run.slack)["b"] == 1
        assert (await owed(run))["e"].parked == "edit_window_closed"
        assert "can no longer be changed (edit_window_closed)" in told(run)[0]
        run.slack.faults.allow()  # whatever it was, a retry tries it again
        assert await unpark(run.desk.desk) == ["e"]
        await run.idle()
        assert mine.text == "New" and await owed(run) == {}


async def test_errors_slack_says_pass_are_tried_until_they_go_not_parked():
    async with running_desk() as run:
        for error in (
            "internal_error",
            "fatal_error",
            "request_timeout",
            "service_unavailable",
            "ratelimited",
        ):
            run.slack.faults.refuse("chat.postMessage", error, times=2, when=ids("a"))  # 10 in all
        await owe_now(run, "a", post(IN_GENERAL, "Through in the end"))
        await run.idle(timeout=30)  # at about a post a second
        assert outbox_arrivals(run.slack)["a"] == 1
        assert await owed(run) == {} and told(run) == []


async def test_the_local_slack_answers_only_errors_slack_documents_for_the_method():
    with pytest.raises(ValueError, match="does not document"):
        from bot.localslack.server import Faults

        Faults().refuse("users.info", "not_in_channel")
    for method in (
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "conversations.open",
        "views.publish",
    ):
        assert {"invalid_auth", "ratelimited", "internal_error"} <= DOCUMENTED[method]


async def test_a_parked_card_holds_its_thread_only_and_goes_out_when_the_bot_is_invited():
    async with running_desk() as run:
        run.slack.workspace.channels[TRIAGE].members.discard(BOT_USER)  # nobody invited the bot
        await raise_only(run, "Laptop won't boot", ALICE)
        await run.idle()
        entries = await owed(run)
        assert entries["t1:card"].parked == "not_in_channel"
        assert any("is open" in text_of(m) for m in bot_posts(run.slack, dm_of(run, ALICE))), "Alice is told"
        [notice] = told(run)
        assert "I can't post in <#C0TRIAGE1>: invite @IT Help to the channel (`/invite @IT Help`)" in notice

        await run.people.command(BOB, "/claim", "T-1", channel=dm_of(run, BOB))
        origin = (await run.desk.store.ticket(1)).origin  # Alice adds a line in her ticket's thread
        await run.people.say(ALICE, dm_of(run, ALICE), "It beeps three times", thread=origin.thread)
        await raise_only(run, "Printer jams", ERIN)
        await run.idle()
        entries = await owed(run)
        behind = {key for key, entry in entries.items() if entry.behind == "t1:card"}
        assert behind and all(entries[key].parked == "not_in_channel" for key in behind)
        assert entries["t2:card"].parked == "not_in_channel" and entries["t2:card"].behind is None
        alice = [text_of(m) for m in bot_posts(run.slack, dm_of(run, ALICE))]
        assert any("is looking at" in t for t in alice), "the requester's thread is not held by the card"
        assert len(told(run)) == 1, "one notice per channel and cause"

        run.slack.workspace.channels[TRIAGE].members.add(BOT_USER)  # /invite @IT Help
        joined = {"type": "member_joined_channel", "user": BOT_USER, "channel": TRIAGE, "team": TEAM_ID}
        assert (await run.people.event({**joined, "channel_type": "C", "inviter": CAROL})).status == 200
        await settle(lambda: _nothing_owed(run))
        cards = [m for m in bot_posts(run.slack, TRIAGE) if m.thread_ts is None]
        assert {m.metadata["event_payload"]["id"] for m in cards} == {"t1:card", "t2:card"}
        card = next(m for m in cards if m.metadata["event_payload"]["id"] == "t1:card")
        assert "Claimed by" in text_of(card)
        replies = [m for m in bot_posts(run.slack, TRIAGE) if m.thread_ts == card.ts]
        assert {m.metadata["event_payload"]["id"] for m in replies} >= behind - {"t1:card"}
        assert max(outbox_arrivals(run.slack).values()) == 1


async def test_a_teams_card_waits_for_the_bot_in_that_teams_channel_only():
    async with running_desk(team=two_teams()) as run:
        run.slack.workspace.channels[PEOPLE_TRIAGE].members.discard(BOT_USER)
        await run.people.say(ALICE, PEOPLE_HELP, "My payslip shows the wrong month")
        await run.people.say(ERIN, IT_HELP, "The printer jams")
        await run.idle()
        entries = await owed(run)
        assert set(entries) == {"t1:card"} and entries["t1:card"].parked == "not_in_channel"
        assert [c.metadata["event_payload"]["id"] for c in bot_posts(run.slack, TRIAGE)] == ["t2:card"]
        assert f"I can't post in <#{PEOPLE_TRIAGE}>" in told(run)[0]

        await run.people.event({"type": "member_joined_channel", "user": BOT_USER, "channel": TRIAGE})
        await run.idle()
        assert (await owed(run))["t1:card"].parked, "another channel's invitation frees nothing here"
        run.slack.workspace.channels[PEOPLE_TRIAGE].members.add(BOT_USER)
        await run.people.event({"type": "member_joined_channel", "user": BOT_USER, "channel": PEOPLE_TRIAGE})
        await settle(lambda: _nothing_owed(run))
        [card] = [m for m in bot_posts(run.slack, PEOPLE_TRIAGE) if m.thread_ts is None]
        assert card.metadata["event_payload"]["id"] == "t1:card"


async def test_someone_else_joining_a_channel_retries_nothing():
    async with running_desk() as run:
        run.slack.faults.refuse("chat.postMessage", "not_in_channel", target=GENERAL)
        await owe_now(run, "a", post(IN_GENERAL, "Waits"))
        await run.idle()
        await run.people.event({"type": "member_joined_channel", "user": ALICE, "channel": GENERAL})
        await run.idle()
        assert (await owed(run))["a"].parked == "not_in_channel"


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked", "account_inactive"])
async def test_a_refused_token_parks_quietly_and_everything_goes_once_it_works_again(error):
    async with running_desk() as run:
        run.desk.outbox.parking.auth_check_every = 0.05
        for method in ("chat.postMessage", "conversations.open", "auth.test"):
            run.slack.faults.refuse(method, error)
        await owe_now(run, "a", post(IN_GENERAL, "To the channel"))
        await run.idle()
        await owe_now(run, "b", post(DirectMessage(ALICE), "To Alice"))
        await run.idle()
        entries = await owed(run)
        assert {entries["a"].parked, entries["b"].parked} == {error}
        assert {entries[key].parked for key in entries} == {error}
        assert told(run) == [], "nobody can be told through Slack while it refuses the token"
        refused = [c for c in run.slack.calls if c.error == error and c.method != "auth.test"]
        assert len(refused) == REFUSALS + 2, "the notice and the second message park at their first"
        checks = sum(1 for c in run.slack.calls if c.method == "auth.test")
        await settle(lambda: sum(1 for c in run.slack.calls if c.method == "auth.test") > checks)

        run.slack.faults.allow()  # a new token, or the app reinstalled
        await settle(lambda: _nothing_owed(run))
        arrived = outbox_arrivals(run.slack)
        assert (arrived["a"], arrived["b"]) == (1, 1)
        [notice] = told(run)  # the leads hear of it once it is over
        assert f"Slack refused my token ({error}), so messages waited until it worked again" in notice


async def test_a_home_tab_that_is_off_is_told_once_for_the_whole_desk():
    async with running_desk() as run:
        run.slack.faults.refuse("views.publish", "not_enabled")
        for person in (ALICE, BOB, ERIN):
            await run.people.open_home(person)
        await owe_now(run, "b", post(IN_GENERAL, "Meanwhile"))
        await run.idle()
        entries = await owed(run)
        homes = [key for key, entry in entries.items() if entry.parked == "not_enabled"]
        assert len(homes) == 3
        assert outbox_arrivals(run.slack)["b"] == 1
        [notice] = told(run)
        assert "the app's Home tab is off. Turn it on under App Home" in notice

        run.slack.faults.allow()
        assert sorted(await unpark(run.desk.desk, causes={"home_off"})) == sorted(homes)
        await run.idle()
        assert await owed(run) == {}
        published = [c for c in run.slack.calls if c.method == "views.publish" and c.status == 200]
        assert {c.args["user_id"] for c in published} == {ALICE, BOB, ERIN}


async def test_healthz_reports_the_oldest_parked_message():
    async with running_desk() as run:
        run.slack.faults.refuse("chat.postMessage", "is_archived", target=GENERAL)
        await owe_now(run, "a", post(IN_GENERAL, "Waits"))
        await run.idle()
        health = run.desk.health()["outbox"]
        assert health["parked"] == 1 and health["oldest_parked_s"] >= 0.0 and health["waiting"] == 0


async def raise_only(run, words: str, user: str) -> None:
    """`user` raises a ticket through the DM (its card may not arrive)."""
    before = await run.desk.store.ticket_count()
    prompt = await start_request(run, words, user)
    await answer_questions(run, user, prompt)
    await settle(lambda: _count_is(run, before + 1))


async def _count_is(run, total: int) -> bool:
    return await run.desk.store.ticket_count() == total


async def _nothing_owed(run) -> bool:
    return not await owed(run)
