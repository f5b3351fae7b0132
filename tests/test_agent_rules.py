"""The agents' rules as tables of plain `decide` calls (`bot.domain.agents`): who may claim,
reassign, resolve, reopen, move, wait on and reply to which ticket in which state, what is
saved, who is told what, and what whoever acted is answered. No Slack, no store: the end-to-end
suite (tests/test_agents.py and its neighbours) stays the contract for how it reaches people."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain import agents as rules
from bot.domain.agents import (
    AlreadySent,
    Asked,
    AskedNoted,
    BackWithYou,
    CardMoved,
    ChangePriority,
    ChildrenResolved,
    Claim,
    Claimed,
    ConfirmationRedrawn,
    HandedOn,
    HandedOver,
    LookingAfter,
    LookingAt,
    Move,
    Moved,
    MoveNoted,
    NowWith,
    Policy,
    PriorityNoted,
    PriorityNow,
    PriorityTold,
    ProblemBack,
    RatingAsked,
    Reassign,
    Reopen,
    Reopened,
    Replied,
    Reply,
    ReplyNoted,
    ReplyPassedOn,
    Resolution,
    ResolutionClosed,
    Resolve,
    Resolved,
    Sent,
    TookYours,
    Wait,
    WaitingOn,
    WithTeam,
    decide,
)
from bot.domain.errors import DeskError, NotPermitted, TicketNotFound, TransitionNotAllowed
from bot.domain.owed import OUTSIDER
from bot.domain.priority import Priority
from bot.domain.roles import Staff, Team
from bot.domain.ticket import Action, Status, Ticket
from bot.i18n import ENGLISH
from bot.slack.mrkdwn import escape
from tests.factories import T0, make_ticket, minutes

ALICE, BOB, DAVE, CAROL, PAT, ERIN = (
    "U0ALICE01",
    "U0BOB0001",
    "U0DAVE001",
    "U0CAROL01",
    "U0PAT0001",
    "U0ERIN001",
)
STAFF = Staff(
    (
        Team("IT", "C0TRIAGE1", (BOB, DAVE), (CAROL,), ("Hardware", "Software")),
        Team("People", "C0PEOPLE1", (PAT,), (), ("HR",)),
    )
)
AREAS = ("Hardware", "Software", "HR")
ASK, QUIET = Policy(ask_rating=True, areas=AREAS), Policy(ask_rating=False, areas=AREAS)
NOW = T0 + minutes(30)
P1, P2 = Priority.P1, Priority.P2


def opened(category: str = "Hardware") -> Ticket:
    return make_ticket(1, ALICE, category=category)


def claimed(by: str = BOB) -> Ticket:
    return opened().claim(by, T0 + minutes(5))


def given_to(agent: str) -> Ticket:
    """Given to `agent` by the desk (round robin), not taken up yet."""
    return opened().assign(agent, T0 + minutes(1))


def waiting() -> Ticket:
    return claimed().wait_on_requester(BOB, "Which laptop?", T0 + minutes(10))


def resolved(note: str = "New charger", at_minutes: float = 20) -> Ticket:
    return claimed().resolve(BOB, note, T0 + minutes(at_minutes))


def said(error: DeskError) -> str:
    """The refusal as an English reader sees it."""
    return error.render(lambda n: f"T-{n}", lambda p: f"<@{p}>", ENGLISH)


CARD = "C0TRIAGE1:1700000000.000100"


STATES = {
    "missing": lambda: None,
    "open": opened,
    "open HR": lambda: opened("HR"),
    "given to Dave": lambda: given_to(DAVE),
    "claimed by Bob": claimed,
    "open, its card drawn": lambda: replace(opened(), card=CARD),
    "claimed by Bob, its card drawn": lambda: replace(claimed(), card=CARD),
    "claimed by Dave": lambda: claimed(DAVE),
    "waiting on Alice": waiting,
    "resolved": resolved,
}


# -- refusals: who may not, and why (nothing is decided) ---------------------------------------
REFUSED = [
    # state, command, the error, what the person reads
    ("open", Claim(ALICE, 1), NotPermitted, "Only the desk's agents can claim tickets."),
    ("open", Claim(CAROL, 1), NotPermitted, "Only the desk's agents can claim tickets."),  # a lead
    ("missing", Claim(ALICE, 1), NotPermitted, "Only the desk's agents can claim tickets."),  # asked first
    ("missing", Claim(BOB, 1), TicketNotFound, "T-1"),
    ("open HR", Claim(BOB, 1), NotPermitted, "T-1 belongs to the People team, so only its agents can claim"),
    ("open", Claim(PAT, 1), NotPermitted, "T-1 belongs to the IT team, so only its agents can claim"),
    ("claimed by Bob", Claim(BOB, 1), TransitionNotAllowed, "You already have T-1."),
    ("claimed by Bob", Claim(DAVE, 1), TransitionNotAllowed, f"T-1 is already claimed by <@{BOB}>."),
    ("waiting on Alice", Claim(DAVE, 1), TransitionNotAllowed, f"T-1 is already claimed by <@{BOB}>."),
    ("open", Reassign(ALICE, 1, BOB), NotPermitted, "Only the desk's agents can reassign tickets."),
    ("open", Reassign(BOB, 1, ERIN), NotPermitted, f"<@{ERIN}> isn't one of the desk's agents"),
    ("missing", Reassign(BOB, 1, ERIN), NotPermitted, f"<@{ERIN}> isn't one of the desk's agents"),
    ("missing", Reassign(BOB, 1, DAVE), TicketNotFound, "T-1"),
    ("open", Reassign(BOB, 1, PAT), NotPermitted, f"<@{PAT}> isn't one of the IT team's agents, so T-1"),
    ("open HR", Reassign(BOB, 1, PAT), NotPermitted, "T-1 belongs to the People team"),
    ("claimed by Bob", Reassign(DAVE, 1, BOB), TransitionNotAllowed, f"<@{BOB}> already has T-1."),
    ("open", Resolve(ALICE, 1, ""), NotPermitted, "Only the desk's agents can resolve tickets."),
    ("open", Resolve(PAT, 1, ""), NotPermitted, "T-1 belongs to the IT team, so only its agents can resolve"),
    ("missing", Resolve(BOB, 1, ""), TicketNotFound, "T-1"),
    ("resolved", Resolve(BOB, 1, ""), TransitionNotAllowed, "T-1"),
    ("resolved", Reopen(BOB, 1), NotPermitted, "Only the person who raised T-1 can reopen it."),
    ("missing", Reopen(ALICE, 1), NotPermitted, "Only the person who raised T-1 can reopen it."),
    ("open", Reopen(ALICE, 1), TransitionNotAllowed, "T-1"),
    ("open", ChangePriority(ALICE, 1, P1), NotPermitted, "Only the desk's agents can change priorities."),
    ("open", ChangePriority(PAT, 1, P1), NotPermitted, "T-1 belongs to the IT team, so only its agents"),
    ("missing", ChangePriority(BOB, 1, P1), TicketNotFound, "T-1"),
    ("missing", ChangePriority(ALICE, 1, P1, True), TicketNotFound, "T-1"),
    (
        "open",
        ChangePriority(ERIN, 1, P1, True),
        NotPermitted,
        f"Only <@{ALICE}> who asked, or the desk's agents",
    ),
    ("open", ChangePriority(PAT, 1, P1, True), NotPermitted, "T-1 belongs to the IT team"),
    ("resolved", ChangePriority(BOB, 1, P1), TransitionNotAllowed, "T-1"),
    ("open", Move(ALICE, 1, "HR"), NotPermitted, "Only the desk's agents can move tickets."),
    ("missing", Move(ALICE, 1, "Plumbing"), NotPermitted, "Only the desk's agents can move tickets."),
    (
        "open",
        Move(BOB, 1, "Plumbing"),
        NotPermitted,
        "no area called “Plumbing”. The areas: Hardware, Software, HR.",
    ),
    ("missing", Move(BOB, 1, "HR"), TicketNotFound, "T-1"),
    ("missing", Move(ALICE, 1, "HR", True), TicketNotFound, "T-1"),
    ("open", Move(ERIN, 1, "HR", True), NotPermitted, f"Only <@{ALICE}> who asked, or the desk's agents"),
    ("open", Move(BOB, 1, " hardware "), TransitionNotAllowed, "T-1 is already in Hardware."),
    ("resolved", Move(BOB, 1, "HR"), TransitionNotAllowed, "T-1"),
    ("open", Wait(ALICE, 1, "Which laptop?"), NotPermitted, "Only the desk's agents can wait on requesters."),
    ("missing", Wait(ALICE, 1, ""), NotPermitted, "Only the desk's agents can wait on requesters."),
    ("missing", Wait(BOB, 1, "Which laptop?"), TicketNotFound, "T-1"),
    (
        "open",
        Wait(PAT, 1, "Which laptop?"),
        NotPermitted,
        "T-1 belongs to the IT team, so only its agents can wait",
    ),
    (
        "resolved",
        Wait(BOB, 1, "Which laptop?"),
        TransitionNotAllowed,
        "T-1 is resolved, so there is nobody to wait on.",
    ),
]


@pytest.mark.parametrize(("state", "command", "error", "reads"), REFUSED)
def test_who_may_not_and_why(state: str, command: rules.Command, error: type, reads: str) -> None:
    with pytest.raises(error) as refused:
        decide(STATES[state](), command, STAFF, ASK, NOW)
    assert type(refused.value) is error
    assert reads in said(refused.value)


# -- what is decided: the ticket saved, who is told what, the answer ----------------------------
DECIDED = [
    # state, command, (status, assignee) saved, messages owed in order, the answer
    (
        "open",
        Claim(BOB, 1),
        (Status.CLAIMED, BOB),
        [LookingAt(BOB)],
        Claimed(1, ALICE),
    ),
    (
        "given to Dave",
        Claim(BOB, 1),
        (Status.CLAIMED, BOB),
        [LookingAt(BOB), TookYours(DAVE, BOB)],
        Claimed(1, ALICE),
    ),
    (
        "given to Dave",
        Claim(DAVE, 1),  # taking up what the desk gave them: nobody else to tell
        (Status.CLAIMED, DAVE),
        [LookingAt(DAVE)],
        Claimed(1, ALICE),
    ),
    (
        "open",
        Reassign(BOB, 1, DAVE),  # assigning an unclaimed ticket: it is taken
        (Status.CLAIMED, DAVE),
        [LookingAfter(DAVE), HandedOver(DAVE, BOB)],
        NowWith(1, DAVE),
    ),
    (
        "claimed by Bob",
        Reassign(BOB, 1, DAVE),  # handing one's own on: the giver is not told by DM
        (Status.CLAIMED, DAVE),
        [LookingAfter(DAVE), HandedOver(DAVE, BOB)],
        NowWith(1, DAVE),
    ),
    (
        "claimed by Bob",
        Reassign(DAVE, 1, DAVE),  # taking it over: the new assignee is not told what they did
        (Status.CLAIMED, DAVE),
        [LookingAfter(DAVE), HandedOn(BOB, DAVE, DAVE)],
        NowWith(1, DAVE),
    ),
    (
        "waiting on Alice",
        Reassign(DAVE, 1, DAVE),
        (Status.WAITING, DAVE),
        [LookingAfter(DAVE), HandedOn(BOB, DAVE, DAVE)],
        NowWith(1, DAVE),
    ),
    (
        "given to Dave",
        Reassign(BOB, 1, BOB),  # the desk's choice was never taken up: Dave is not told
        (Status.CLAIMED, BOB),
        [LookingAfter(BOB)],
        NowWith(1, BOB),
    ),
    (
        "claimed by Bob",
        Resolve(BOB, 1, "New charger"),
        (Status.RESOLVED, BOB),
        [Resolution(BOB, "New charger"), RatingAsked(), ChildrenResolved(BOB, "New charger")],
        Resolved(1, ALICE, True, None, "D0ALICE01"),
    ),
    (
        "open",
        Resolve(DAVE, 1, ""),  # unclaimed: whoever resolves it is credited
        (Status.RESOLVED, DAVE),
        [Resolution(DAVE, ""), RatingAsked(), ChildrenResolved(DAVE, "")],
        Resolved(1, ALICE, False, None, "D0ALICE01"),
    ),
    (
        "resolved",
        Reopen(ALICE, 1),
        (Status.CLAIMED, BOB),
        [ProblemBack(ALICE, BOB), BackWithYou(BOB, ALICE), ResolutionClosed(BOB, "New charger")],
        Reopened(1, BOB),
    ),
    (
        "claimed by Bob",
        ChangePriority(DAVE, 1, P1),
        (Status.CLAIMED, BOB),
        [PriorityTold(DAVE, P2, P1), PriorityNoted(DAVE, P2, P1), ConfirmationRedrawn()],
        PriorityNow(1, P1),
    ),
    (
        "open",
        ChangePriority(ALICE, 1, P1, True),  # the requester, under their confirmation: not told again
        (Status.OPEN, None),
        [PriorityNoted(ALICE, P2, P1), ConfirmationRedrawn()],
        PriorityNow(1, P1),
    ),
    (
        "open",
        ChangePriority(BOB, 1, P1, True),  # an agent there, as on the card
        (Status.OPEN, None),
        [PriorityTold(BOB, P2, P1), PriorityNoted(BOB, P2, P1), ConfirmationRedrawn()],
        PriorityNow(1, P1),
    ),
    (
        "claimed by Bob",
        Move(DAVE, 1, "software"),  # the same team's area, as typed: the card stays, its thread told
        (Status.CLAIMED, BOB),
        [MoveNoted(DAVE, "Hardware", "Software"), ConfirmationRedrawn()],
        Moved(1, "Software", None, "C0TRIAGE1"),
    ),
    (
        "open",
        Move(PAT, 1, "Software"),  # any agent may move a ticket, not only its team's
        (Status.OPEN, None),
        [MoveNoted(PAT, "Hardware", "Software"), ConfirmationRedrawn()],
        Moved(1, "Software", None, "C0TRIAGE1"),
    ),
    (
        "claimed by Bob, its card drawn",
        Move(BOB, 1, "HR"),  # another team's: Bob stays behind, the old card says where it went
        (Status.OPEN, None),
        [CardMoved(BOB, "Hardware", "HR", "People", "C0PEOPLE1"), WithTeam("People"), ConfirmationRedrawn()],
        Moved(1, "HR", "People", "C0PEOPLE1"),
    ),
    (
        "open, its card drawn",
        Move(ALICE, 1, "HR", True),  # the requester, under their confirmation: not told again
        (Status.OPEN, None),
        [CardMoved(ALICE, "Hardware", "HR", "People", "C0PEOPLE1"), ConfirmationRedrawn()],
        Moved(1, "HR", "People", "C0PEOPLE1"),
    ),
    (
        "claimed by Bob",
        Move(BOB, 1, "HR"),  # no card drawn yet: its thread is told (the new card is drawn there)
        (Status.OPEN, None),
        [MoveNoted(BOB, "Hardware", "HR"), ConfirmationRedrawn()],
        Moved(1, "HR", "People", "C0PEOPLE1"),
    ),
    (
        "open",
        Wait(DAVE, 1, "  Which laptop?\n"),  # an open ticket becomes the asker's; the question trimmed
        (Status.WAITING, DAVE),
        [Asked(DAVE, "Which laptop?"), AskedNoted(DAVE, "Which laptop?")],
        WaitingOn(1, ALICE, "D0ALICE01"),
    ),
    (
        "claimed by Bob",
        Wait(DAVE, 1, "Is it charging?"),  # another agent of the team asks: Bob keeps it
        (Status.WAITING, BOB),
        [Asked(DAVE, "Is it charging?"), AskedNoted(DAVE, "Is it charging?")],
        WaitingOn(1, ALICE, "D0ALICE01"),
    ),
    (
        "waiting on Alice",
        Wait(BOB, 1, "And the model?"),  # asking again: still waiting
        (Status.WAITING, BOB),
        [Asked(BOB, "And the model?"), AskedNoted(BOB, "And the model?")],
        WaitingOn(1, ALICE, "D0ALICE01"),
    ),
    (
        "open",
        Reply(DAVE, 1, "Try a restart", "Dave, IT Help"),  # the first answer: the ticket is Dave's
        (Status.CLAIMED, DAVE),
        [
            Replied("Dave, IT Help", "Try a restart"),
            ReplyPassedOn("Dave, IT Help", "Try a restart"),
            ReplyNoted(DAVE, "Try a restart"),
        ],
        Sent(1, ALICE, None, "D0ALICE01"),
    ),
    (
        "given to Dave",
        Reply(BOB, 1, "Try a restart", "Bob, IT Help"),  # given to someone else: stays theirs
        (Status.OPEN, DAVE),
        [
            Replied("Bob, IT Help", "Try a restart"),
            ReplyPassedOn("Bob, IT Help", "Try a restart"),
            ReplyNoted(BOB, "Try a restart"),
        ],
        Sent(1, ALICE, None, "D0ALICE01"),
    ),
    (
        "waiting on Alice",
        Reply(DAVE, 1, "Any news?", "Dave, IT Help"),  # a reply does not end the wait
        (Status.WAITING, BOB),
        [
            Replied("Dave, IT Help", "Any news?"),
            ReplyPassedOn("Dave, IT Help", "Any news?"),
            ReplyNoted(DAVE, "Any news?"),
        ],
        Sent(1, ALICE, None, "D0ALICE01"),
    ),
    (
        "resolved",
        Reply(BOB, 1, "One more thing", "Bob, IT Help"),  # a resolved ticket may still be answered
        (Status.RESOLVED, BOB),
        [
            Replied("Bob, IT Help", "One more thing"),
            ReplyPassedOn("Bob, IT Help", "One more thing"),
            ReplyNoted(BOB, "One more thing"),
        ],
        Sent(1, ALICE, None, "D0ALICE01"),
    ),
]


@pytest.mark.parametrize(("state", "command", "saved", "told", "answer"), DECIDED)
def test_who_is_told_what(
    state: str, command: rules.Command, saved: tuple, told: list, answer: rules.Answer
) -> None:
    before = STATES[state]()
    outcome = decide(before, command, STAFF, ASK, NOW)
    assert (outcome.ticket.status, outcome.ticket.assignee) == saved
    assert list(outcome.owed) == told
    assert outcome.answer == answer
    assert before is not None and outcome.ticket.trail[:-1] == before.trail  # one step, in the trail
    assert outcome.ticket.trail[-1].at == NOW and outcome.ticket.trail[-1].actor == rules.actor(command)


# -- what the policy and the ticket's kind change ------------------------------------------------
def test_a_desk_that_does_not_ask_for_ratings_owes_no_rating_request() -> None:
    outcome = decide(claimed(), Resolve(BOB, 1, "Done"), STAFF, QUIET, NOW)
    assert RatingAsked() not in outcome.owed
    assert outcome.owed == (Resolution(BOB, "Done"), ChildrenResolved(BOB, "Done"))


@pytest.mark.parametrize(
    ("ticket", "answer"),
    [
        (replace(claimed(), requester=f"{OUTSIDER}Ada Lovelace"), ("Ada Lovelace", "D0ALICE01")),
        (replace(claimed(), origin=replace(claimed().origin, channel="C0GENERAL")), (None, "C0GENERAL")),
    ],
)
def test_the_resolver_hears_of_a_requester_kept_by_name_and_of_a_public_thread(
    ticket: Ticket, answer: tuple
) -> None:
    decided = decide(ticket, Resolve(BOB, 1, ""), STAFF, ASK, NOW).answer
    assert isinstance(decided, Resolved)
    assert (decided.outsider, decided.channel) == answer


def test_reopening_an_unclaimed_ticket_tells_only_the_card_thread() -> None:
    ticket = opened().resolve(DAVE, "", T0 + minutes(5))
    unassigned = replace(ticket, assignee=None)
    outcome = decide(unassigned, Reopen(ALICE, 1), STAFF, ASK, NOW)
    assert outcome.ticket.status is Status.OPEN
    assert outcome.owed == (ProblemBack(ALICE, None), ResolutionClosed(DAVE, ""))
    assert outcome.answer == Reopened(1, None)


@pytest.mark.parametrize(("days", "allowed"), [(6.9, True), (7.1, False)])
def test_a_ticket_reopens_within_a_week_of_its_resolution(days: float, allowed: bool) -> None:
    later = T0 + minutes(20 + days * 24 * 60)
    if allowed:
        assert decide(resolved(), Reopen(ALICE, 1), STAFF, ASK, later).ticket.reopened_at == later
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            decide(resolved(), Reopen(ALICE, 1), STAFF, ASK, later)
        assert "more than 7 days ago" in said(refused.value)


def test_the_trail_says_who_had_it_and_the_first_response_is_the_first_take() -> None:
    took = decide(opened(), Claim(BOB, 1), STAFF, ASK, NOW).ticket
    assert took.first_response_at == NOW and took.trail[-1].action is Action.CLAIMED
    handed = decide(took, Reassign(BOB, 1, DAVE), STAFF, ASK, NOW + minutes(5)).ticket
    assert handed.trail[-1].detail == f"{BOB}->{DAVE}" and handed.first_response_at == NOW


def test_a_refusal_decides_nothing_about_the_ticket_it_was_given() -> None:
    before = claimed()
    with pytest.raises(DeskError):
        decide(before, Claim(DAVE, 1), STAFF, ASK, NOW)
    assert before == claimed()  # frozen, and nothing half done to hand back


def test_a_new_priority_is_saved_and_its_targets_count_from_the_opening() -> None:
    changed = decide(claimed(), ChangePriority(BOB, 1, P1), STAFF, ASK, NOW).ticket
    assert changed.priority is P1 and changed.opened_at == T0
    assert changed.trail[-1].actor == BOB


def test_a_ticket_moved_to_another_team_goes_there_with_a_new_card_and_without_its_agent() -> None:
    moved = decide(replace(claimed(DAVE), card=CARD), Move(PAT, 1, "HR"), STAFF, ASK, NOW).ticket
    assert (moved.category, moved.card, moved.assignee) == ("HR", None, None)
    kept = decide(replace(claimed(), card=CARD), Move(BOB, 1, "Software"), STAFF, ASK, NOW).ticket
    assert (kept.category, kept.card, kept.assignee) == ("Software", CARD, BOB)


def test_an_unknown_area_is_refused_with_the_words_as_typed_and_slack_escapes_them() -> None:
    with pytest.raises(NotPermitted) as refused:
        decide(opened(), Move(BOB, 1, "<!channel> & co"), STAFF, ASK, NOW)
    assert "“<!channel> & co”" in said(refused.value)  # the domain keeps what was typed
    shown = refused.value.render(lambda n: f"T-{n}", lambda p: p, ENGLISH, typed=escape)
    assert "“&lt;!channel&gt; &amp; co”" in shown


def test_waiting_pauses_the_clock_once_and_keeps_what_was_asked() -> None:
    asked = decide(claimed(), Wait(BOB, 1, "Which laptop?"), STAFF, ASK, NOW).ticket
    assert asked.question == "Which laptop?" and asked.waiting_since == NOW
    again = decide(asked, Wait(BOB, 1, "And the model?"), STAFF, ASK, NOW + minutes(5)).ticket
    assert again.question == "And the model?" and again.waiting_since == NOW  # still the first pause


@pytest.mark.parametrize(
    ("state", "command", "redrawn"),
    [
        ("open", Reply(BOB, 1, "On it"), True),  # the first response: the card shows it met
        ("given to Dave", Reply(BOB, 1, "On it"), True),  # answered, though still Dave's
        ("claimed by Bob", Reply(BOB, 1, "On it"), False),  # nothing on the card changes
        ("claimed by Bob", Reply(DAVE, 1, "On it"), False),
        ("claimed by Bob", Claim(BOB, 1), None),  # refused: nothing to redraw
        ("claimed by Bob", Wait(BOB, 1, "Which?"), True),  # every other decision redraws the card
    ],
)
def test_a_reply_redraws_the_card_only_when_it_shows_something_new(
    state: str, command: rules.Command, redrawn: bool | None
) -> None:
    if redrawn is None:
        with pytest.raises(DeskError):
            decide(STATES[state](), command, STAFF, ASK, NOW)
        return
    assert decide(STATES[state](), command, STAFF, ASK, NOW).redraw is redrawn


def test_a_reply_to_a_requester_kept_by_name_is_kept_on_the_trail() -> None:
    kept = replace(claimed(), requester=f"{OUTSIDER}Ada Lovelace")
    outcome = decide(kept, Reply(BOB, 1, "Done"), STAFF, ASK, NOW)
    assert outcome.answer == Sent(1, f"{OUTSIDER}Ada Lovelace", "Ada Lovelace", "D0ALICE01")
    assert outcome.ticket.trail[-1].detail == "Done"


@pytest.mark.parametrize(
    ("state", "command", "answer"),
    [
        ("claimed by Bob", Reply(BOB, 1, "On it"), AlreadySent(ALICE)),  # a retried reply: it went
        ("claimed by Bob", Claim(DAVE, 1), None),  # anything else acted on already: nothing said
        ("claimed by Bob", Wait(BOB, 1, "Which?"), None),
    ],
)
def test_a_request_acted_on_already_is_answered_so_for_a_reply_only(
    state: str, command: rules.Command, answer: rules.Answer | None
) -> None:
    assert rules.again(STATES[state](), command) == answer


def test_a_retried_reply_for_a_ticket_gone_is_not_found() -> None:
    with pytest.raises(TicketNotFound):
        rules.again(None, Reply(BOB, 1, "On it"))
