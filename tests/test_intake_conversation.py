"""The intake conversation as data, stepped through without Slack or a store; and the words
people use, and the payloads Slack sends, read into the desk's terms."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain.intake import INTAKE, Cancelled, Chose, Context, Draft, Said, Say, Stage
from bot.domain.phrases import Cancel, Help, MyTickets, NewRequest, StatusOf, understand
from bot.domain.priority import Priority
from bot.slack.payloads import heard, without_mentions_of
from tests.factories import T0

AREAS = ("Hardware", "Software", "Access", "Other")


def fresh(text: str = "Laptop is slow", via: str = "dm") -> Draft:
    return Draft("d1", "U0ALICE01", "D0ALICE01", None, via, text, Stage.CATEGORY, T0, T0)


def ctx(minutes: float = 1, areas: tuple[str, ...] = AREAS) -> Context:
    return Context(now=T0 + timedelta(minutes=minutes), categories=areas)


@pytest.mark.parametrize("via", ["dm", "mention", "command", "shortcut"])
def test_every_entry_point_asks_for_the_area_first(via):
    turn = INTAKE.begin(fresh(via=via), ctx())
    assert (turn.draft.stage, turn.say) == (Stage.CATEGORY, Say.ASK_CATEGORY)


def test_with_a_single_area_the_question_is_skipped():
    turn = INTAKE.begin(fresh(), ctx(areas=("IT",)))
    assert (turn.draft.stage, turn.draft.category, turn.say) == (Stage.URGENCY, "IT", Say.ASK_URGENCY)


def test_the_happy_path_area_then_urgency_then_open():
    draft = INTAKE.begin(fresh(), ctx()).draft
    turn = INTAKE.handle(draft, Chose(Stage.CATEGORY, "Software"), ctx(2))
    assert (turn.draft.stage, turn.draft.category, turn.say) == (Stage.URGENCY, "Software", Say.ASK_URGENCY)
    turn = INTAKE.handle(turn.draft, Chose(Stage.URGENCY, "P1"), ctx(3))
    assert (turn.draft.stage, turn.draft.priority, turn.say) == (Stage.OPENED, Priority.P1, Say.OPEN_TICKET)
    assert turn.draft.touched_at == T0 + timedelta(minutes=3)


@pytest.mark.parametrize(
    ("stage", "event"),
    [
        (Stage.CATEGORY, Chose(Stage.URGENCY, "P1")),  # urgency before the area
        (Stage.URGENCY, Chose(Stage.CATEGORY, "Hardware")),  # a second click on an area
        (Stage.OPENED, Chose(Stage.URGENCY, "P1")),  # a click after the ticket is open
        (Stage.CANCELLED, Said("more words")),
        (Stage.EXPIRED, Cancelled()),
    ],
)
def test_inputs_that_mean_nothing_in_a_state_change_nothing(stage, event):
    assert INTAKE.handle(replace(fresh(), stage=stage, category="Hardware"), event, ctx()) is None


@pytest.mark.parametrize(
    ("stage", "event"),
    [(Stage.CATEGORY, Chose(Stage.CATEGORY, "Plumbing")), (Stage.URGENCY, Chose(Stage.URGENCY, "P9"))],
)
def test_a_value_that_is_not_a_choice_keeps_the_question(stage, event):
    draft = replace(fresh(), stage=stage, category="Hardware")
    turn = INTAKE.handle(draft, event, ctx())
    assert turn.say is Say.NOT_A_CHOICE and turn.draft == draft


def test_words_while_asked_are_added_to_the_request():
    asked = replace(fresh("Laptop is slow"), prompt="1700000000.000100")  # the question is shown
    turn = INTAKE.handle(asked, Said("since Monday"), ctx())
    assert turn.say is Say.ADDED and turn.draft.text == "Laptop is slow\nsince Monday"
    assert turn.draft.stage is Stage.CATEGORY


def test_words_before_the_question_arrived_are_kept_aside_not_glued_onto_the_request():
    """Slack was away: the person never saw the question, so "hello?" is not part of it."""
    turn = INTAKE.handle(fresh("Laptop is slow"), Said("hello? did you get my message?"), ctx())
    assert turn.say is Say.WAITING and turn.draft.text == "Laptop is slow"
    assert turn.draft.aside == ("hello? did you get my message?",)
    assert turn.draft.stage is Stage.CATEGORY


@pytest.mark.parametrize("event", [Said("cancel"), Said("Cancel."), Said("never mind"), Cancelled()])
def test_cancel_ends_the_conversation_from_any_question(event):
    for stage in (Stage.CATEGORY, Stage.URGENCY):
        turn = INTAKE.handle(replace(fresh(), stage=stage), event, ctx())
        assert (turn.draft.stage, turn.say) == (Stage.CANCELLED, Say.CANCELLED)


def test_a_day_untouched_expires_whatever_comes_next():
    turn = INTAKE.handle(fresh(), Chose(Stage.CATEGORY, "Hardware"), ctx(minutes=24 * 60 + 1))
    assert (turn.draft.stage, turn.say) == (Stage.EXPIRED, Say.EXPIRED)
    assert not fresh().expired(T0 + timedelta(hours=23)) and fresh().expired(T0 + timedelta(hours=25))


def test_the_conversation_is_data():
    assert set(INTAKE.entry_points) == {"dm", "mention", "command", "shortcut"}
    assert set(INTAKE.states) == {Stage.TYPE, Stage.FORM, Stage.CATEGORY, Stage.URGENCY, Stage.SUGGESTED}
    assert INTAKE.timeout == timedelta(days=1)


@pytest.mark.parametrize(
    ("words", "phrase"),
    [
        ("status T-4", StatusOf("t-4")),
        ("Status of #4?", StatusOf("#4")),
        ("where is 12", StatusOf("12")),
        ("my tickets", MyTickets()),
        ("My Tickets.", MyTickets()),
        ("list", MyTickets()),
        ("status", MyTickets()),
        ("help", Help()),
        ("hi", Help()),
        ("", Help()),
        ("cancel", Cancel()),
        ("status of my laptop is bad", NewRequest("status of my laptop is bad")),
        ("  The printer is on fire  ", NewRequest("The printer is on fire")),
        ("help me, the VPN is down", NewRequest("help me, the VPN is down")),
    ],
)
def test_what_people_say(words, phrase):
    assert understand(words) == phrase


BOT = "U0DESKBOT"


@pytest.mark.parametrize(
    "event",
    [
        {"type": "message", "subtype": "message_changed", "channel": "D1", "ts": "1.0"},
        {"type": "message", "subtype": "message_deleted", "channel": "D1", "ts": "1.0"},
        {"type": "message", "subtype": "bot_message", "channel": "D1", "ts": "1.0", "text": "x"},
        {"type": "message", "user": "U0X", "bot_id": "B1", "channel": "D1", "ts": "1.0", "text": "x"},
        {"type": "message", "user": BOT, "channel": "D1", "ts": "1.0", "text": "x"},
        {"type": "message", "channel": "D1", "ts": "1.0", "text": "no user"},
        {"type": "message", "user": ["not", "a", "string"], "channel": "D1", "ts": "1.0"},
    ],
)
def test_messages_not_to_act_on(event):
    assert heard(event, BOT) is None


def test_a_reply_in_a_thread_and_a_mention_are_read_as_such():
    reply = {"type": "message", "user": "U0A", "channel": "C1", "ts": "2.0", "thread_ts": "1.0", "text": "hi"}
    said = heard(reply, BOT)
    assert (said.thread, said.in_dm, said.mentions_bot) == ("1.0", False, False)
    top = heard({"type": "message", "user": "U0A", "channel": "C1", "ts": "1.0", "thread_ts": "1.0"}, BOT)
    assert top.thread is None  # a thread's parent is at the top
    mention = heard(
        {"type": "app_mention", "user": "U0A", "channel": "C1", "ts": "3.0", "text": f"<@{BOT}> help"}, BOT
    )
    assert mention.mentions_bot
    assert without_mentions_of(f"<@{BOT}|desk> printer <@U0BOB> jammed", BOT) == "printer <@U0BOB> jammed"
