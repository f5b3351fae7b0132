"""The ticket state machine: every step as a table, and every refusal with its sentence."""

from datetime import timedelta

import pytest

from bot.domain.errors import TransitionNotAllowed
from bot.domain.ticket import Action, Status
from tests.factories import T0, make_ticket, minutes

AGENT, OTHER = "U0BOB0001", "U0DAVE001"


def test_new_ticket_is_open_with_opened_entry():
    ticket = make_ticket()
    assert ticket.status is Status.OPEN
    assert [e.action for e in ticket.trail] == [Action.OPENED]
    assert ticket.first_response_at is None


def test_claim_sets_assignee_and_stops_first_response_clock():
    ticket = make_ticket().claim(AGENT, T0 + minutes(5))
    assert (ticket.status, ticket.assignee) == (Status.CLAIMED, AGENT)
    assert ticket.first_response_at == T0 + minutes(5)
    assert ticket.trail[-1].action is Action.CLAIMED and ticket.trail[-1].actor == AGENT


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (AGENT, "You already have {ref}."),
        (OTHER, "{ref} is already claimed by {person}. Use /desk reassign to hand it over."),
    ],
)
def test_claiming_a_claimed_ticket_is_refused(who, expected):
    ticket = make_ticket().claim(AGENT, T0)
    with pytest.raises(TransitionNotAllowed) as caught:
        ticket.claim(who, T0 + minutes(1))
    assert caught.value.template == expected
    assert caught.value.render(lambda n: f"T-{n}", lambda u: f"<@{u}>").startswith(("You", "T-1"))


def test_resolve_unclaimed_counts_as_first_response_by_resolver():
    ticket = make_ticket().resolve(AGENT, "Replaced the charger", T0 + minutes(30))
    assert ticket.status is Status.RESOLVED
    assert ticket.assignee == AGENT
    assert ticket.first_response_at == ticket.resolved_at == T0 + minutes(30)
    assert ticket.resolution_note == "Replaced the charger"


def test_resolve_keeps_first_response_time_of_the_claim():
    ticket = make_ticket().claim(AGENT, T0 + minutes(3)).resolve(AGENT, "", T0 + minutes(60))
    assert ticket.first_response_at == T0 + minutes(3)


@pytest.mark.parametrize(
    ("steps", "refused", "sentence"),
    [
        (["resolve"], "resolve", "{ref} is already resolved."),
        (["resolve"], "claim", "{ref} is already resolved, so there is nothing to claim."),
        (["resolve"], "reassign", "{ref} is resolved. Reopen it before reassigning it."),
        ([], "reopen", "{ref} is still open, so there is nothing to reopen."),
        (["claim"], "reopen", "{ref} is still open, so there is nothing to reopen."),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(steps, refused, sentence):
    ticket = make_ticket()
    actions = {
        "claim": lambda t: t.claim(AGENT, T0),
        "resolve": lambda t: t.resolve(AGENT, "done", T0),
        "reassign": lambda t: t.reassign(AGENT, OTHER, T0),
        "reopen": lambda t: t.reopen("U0ALICE01", T0),
    }
    for step in steps:
        ticket = actions[step](ticket)
    before = ticket
    with pytest.raises(TransitionNotAllowed) as caught:
        actions[refused](ticket)
    assert caught.value.template == sentence
    assert ticket == before


def test_reopen_within_seven_days_goes_back_to_the_assignee():
    resolved = make_ticket().claim(AGENT, T0).resolve(AGENT, "", T0 + minutes(10))
    reopened = resolved.reopen("U0ALICE01", T0 + timedelta(days=6))
    assert (reopened.status, reopened.assignee) == (Status.CLAIMED, AGENT)
    assert reopened.resolved_at is None and reopened.reopened_at == T0 + timedelta(days=6)


def test_reopen_after_seven_days_is_refused():
    resolved = make_ticket().resolve(AGENT, "", T0)
    with pytest.raises(TransitionNotAllowed, match="more than 7 days"):
        resolved.reopen("U0ALICE01", T0 + timedelta(days=7, seconds=1))


def test_reassign_to_current_assignee_is_refused_and_to_another_is_recorded():
    ticket = make_ticket().claim(AGENT, T0)
    with pytest.raises(TransitionNotAllowed, match="already has"):
        ticket.reassign(AGENT, AGENT, T0)
    moved = ticket.reassign(AGENT, OTHER, T0 + minutes(1))
    assert moved.assignee == OTHER and moved.first_response_at == T0
    assert moved.trail[-1].detail == f"{AGENT}->{OTHER}"


def test_reassigning_an_unclaimed_ticket_assigns_it():
    moved = make_ticket().reassign("U0LEAD001", OTHER, T0 + minutes(2))
    assert (moved.status, moved.assignee, moved.first_response_at) == (
        Status.CLAIMED,
        OTHER,
        T0 + minutes(2),
    )


@pytest.mark.parametrize("action", [Action.REPLIED, Action.NOTE, Action.FOLLOW_UP])
def test_conversation_is_recorded_in_any_state_without_changing_it(action):
    resolved = make_ticket().resolve(AGENT, "", T0)
    after = resolved.record(action, AGENT, "hello", T0 + minutes(1))
    assert after.status is Status.RESOLVED
    assert (after.trail[-1].action, after.trail[-1].detail) == (action, "hello")


def test_a_ticket_read_back_from_its_document_is_the_ticket_written():
    """`store.codec.ticket_from_doc` makes the dataclasses without their `__init__` (the
    window's decoding at start, issue 37): the same objects, only while they check nothing."""
    import dataclasses
    import json

    from bot.domain.notices import Level, Notice
    from bot.domain.policy import Target
    from bot.domain.ticket import Origin, Rating, Ticket, TrailEntry, Wait
    from store.codec import ticket_from_doc, ticket_to_doc

    for made in (Ticket, TrailEntry, Origin):
        assert not hasattr(made, "__post_init__") and "__slots__" not in vars(made)
    ticket = make_ticket().claim("U0BOB", T0 + minutes(5)).resolve("U0BOB", "done", T0 + minutes(50))
    ticket = ticket.reopen("U0ALICE", T0 + minutes(60))
    ticket = dataclasses.replace(
        ticket,
        origin=Origin("C1", "1.0", "mention"),
        notices=(
            Notice(Target.FIRST_RESPONSE, Level.AT_RISK, T0, T0 + minutes(3), T0 + minutes(4), False, ("x",)),
        ),
        rating=Rating(4, T0 + minutes(70), "thanks"),
        waits=(Wait(T0 + minutes(6), T0 + minutes(9), True),),
        fields=(("Laptop", "X1"),),
        imported_from="zendesk:1",
        source="C1:2.0",
        raised_by="U0CAROL",
    )
    back = ticket_from_doc(json.loads(json.dumps(ticket_to_doc(ticket))))
    assert back == ticket and hash(back) == hash(ticket) and repr(back) == repr(ticket)
    assert back.trail[0].at == ticket.opened_at and back.is_open
    assert dataclasses.replace(back, text="changed").text == "changed"
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.text = "changed"  # type: ignore[misc]
