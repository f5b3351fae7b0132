"""The rating rules as tables of plain `decide` calls (`bot.domain.rating`): who may rate the
help, change the rating or comment on it, from which message, while the survey is open; what is
saved, what is owed (the request redrawn in place, the confirmation), and when the job closes a
survey. No Slack, no store: tests/test_rating_and_quality.py stays the contract for how it
reaches people."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain import rating as rules
from bot.domain.errors import DeskError, NotPermitted, TicketNotFound, TransitionNotAllowed
from bot.domain.rating import (
    AskComment,
    ChangeRating,
    Closed,
    CloseSurvey,
    Comment,
    CommentForm,
    ConfirmationRedrawn,
    Outcome,
    Policy,
    Rate,
    RequestRedrawn,
    Survey,
    SurveyClosed,
    decide,
)
from bot.domain.roles import Staff, Team
from bot.domain.ticket import Action, Status, Ticket
from bot.i18n import ENGLISH
from tests.factories import T0, make_ticket, minutes

ALICE, BOB, CAROL = "U0ALICE01", "U0BOB0001", "U0CAROL01"
STAFF = Staff((Team("IT", "C0TRIAGE1", (BOB,), (CAROL,), ("Hardware",)),))
LASTS = timedelta(days=3)
POLICY = Policy(LASTS)
RESOLVED_AT = T0 + minutes(20)
NOW = RESOLVED_AT + minutes(10)
LATE = RESOLVED_AT + LASTS  # the survey closes then
DM = "D0ALICE01"
REQUEST = f"{DM}:1700000000.000200"  # where the rating request is kept
ELSEWHERE = f"{DM}:1700000000.000999"  # another message in the same DM


def resolved() -> Ticket:
    return make_ticket(1, ALICE).claim(BOB, T0 + minutes(5)).resolve(BOB, "New charger", RESOLVED_AT)


def rated() -> Ticket:
    """Rated 4, with a comment."""
    ticket = resolved().rate(ALICE, 4, RESOLVED_AT + minutes(1))
    return ticket.comment_on_help(ALICE, "Quick, thanks", RESOLVED_AT + minutes(2))


def reopened() -> Ticket:
    return resolved().reopen(ALICE, RESOLVED_AT + minutes(5))


SURVEYS = {
    "missing": lambda: Survey(None),
    "resolved": lambda: Survey(resolved(), at=REQUEST),
    "rated 4, commented": lambda: Survey(rated(), at=REQUEST),
    "resolved, its request's place not kept": lambda: Survey(resolved(), dm=DM),
    "resolved, the DM known too": lambda: Survey(resolved(), at=REQUEST, dm=DM),
    "reopened": lambda: Survey(reopened(), at=REQUEST),
}


def said(error: DeskError) -> str:
    """The refusal as an English reader sees it."""
    return error.render(lambda n: f"T-{n}", lambda p: f"<@{p}>", ENGLISH)


NOT_THIS = "That button isn't on T-1's rating request, so nothing was changed."
ONLY_REQUESTER = "Only the person who raised T-1 can rate it."
CLOSED = "This survey about T-1 has closed, so nothing was changed."
OPEN_AGAIN = "T-1 is open again, so it can't be rated now."

# -- refusals: who may not, and why (nothing is decided) ---------------------------------------
REFUSED = [
    # survey, command, when, the error, what the person reads
    ("missing", Rate(ALICE, 1, 4, REQUEST), NOW, TicketNotFound, "T-1"),
    ("resolved", Rate(ALICE, 1, 4, ELSEWHERE), NOW, NotPermitted, NOT_THIS),
    ("resolved", Rate(BOB, 1, 4, ELSEWHERE), NOW, NotPermitted, NOT_THIS),  # the message, asked first
    (
        "resolved, its request's place not kept",
        Rate(ALICE, 1, 4, "D0OTHER01:1.0"),
        NOW,
        NotPermitted,
        NOT_THIS,
    ),
    (
        "resolved, the DM known too",
        Rate(ALICE, 1, 4, ELSEWHERE),
        NOW,
        NotPermitted,
        NOT_THIS,
    ),  # kept: only there
    ("resolved", Rate(BOB, 1, 4, REQUEST), NOW, NotPermitted, ONLY_REQUESTER),
    ("resolved", Rate(CAROL, 1, 4, REQUEST), NOW, NotPermitted, ONLY_REQUESTER),  # a lead neither
    ("resolved", Rate(ALICE, 1, 6, REQUEST), NOW, TransitionNotAllowed, "A rating is a number from 1 to 5."),
    ("resolved", Rate(ALICE, 1, 0, REQUEST), NOW, TransitionNotAllowed, "A rating is a number from 1 to 5."),
    ("resolved", Rate(ALICE, 1, 4, REQUEST), LATE, NotPermitted, CLOSED),
    ("resolved", Rate(BOB, 1, 4, REQUEST), LATE, NotPermitted, CLOSED),  # closed, asked before who
    ("reopened", Rate(ALICE, 1, 4, REQUEST), NOW, TransitionNotAllowed, OPEN_AGAIN),
    ("missing", ChangeRating(ALICE, 1, REQUEST), NOW, TicketNotFound, "T-1"),
    ("rated 4, commented", ChangeRating(ALICE, 1, ELSEWHERE), NOW, NotPermitted, NOT_THIS),
    ("rated 4, commented", ChangeRating(BOB, 1, REQUEST), NOW, NotPermitted, ONLY_REQUESTER),
    ("rated 4, commented", ChangeRating(ALICE, 1, REQUEST), LATE, NotPermitted, CLOSED),
    ("missing", Comment(ALICE, 1, "Slow", REQUEST), NOW, TicketNotFound, "T-1"),
    ("resolved", Comment(ALICE, 1, "Slow", ELSEWHERE), NOW, NotPermitted, NOT_THIS),
    ("resolved", Comment(BOB, 1, "Slow", REQUEST), NOW, NotPermitted, ONLY_REQUESTER),
    ("resolved", Comment(ALICE, 1, "Slow", REQUEST), LATE, NotPermitted, CLOSED),
    ("reopened", Comment(ALICE, 1, "Slow", REQUEST), NOW, TransitionNotAllowed, OPEN_AGAIN),
    ("missing", AskComment(ALICE, 1, REQUEST), NOW, TicketNotFound, "T-1"),
    ("resolved", AskComment(BOB, 1, ELSEWHERE), NOW, NotPermitted, ONLY_REQUESTER),  # who, asked first
    ("resolved", AskComment(BOB, 1, REQUEST), LATE, NotPermitted, ONLY_REQUESTER),
    ("resolved", AskComment(ALICE, 1, ELSEWHERE), LATE, NotPermitted, CLOSED),  # then whether open
    ("resolved", AskComment(ALICE, 1, ELSEWHERE), NOW, NotPermitted, NOT_THIS),
]


@pytest.mark.parametrize(("survey", "command", "when", "error", "reads"), REFUSED)
def test_who_may_not_and_why(survey: str, command: rules.Command, when, error: type, reads: str) -> None:
    with pytest.raises(error) as refused:
        decide(SURVEYS[survey](), command, STAFF, POLICY, when)
    assert type(refused.value) is error
    assert reads in said(refused.value)


# -- what is decided: the rating saved, what is owed, the answer -------------------------------
THANKED = (RequestRedrawn(REQUEST, choosing=False), ConfirmationRedrawn())
DECIDED = [
    # survey, command, (score, comment) saved and the trail's new entry (None: unchanged), owed, answer
    ("resolved", Rate(ALICE, 1, 4, REQUEST), ((4, ""), "4"), THANKED, None),
    ("rated 4, commented", Rate(ALICE, 1, 2, REQUEST), ((2, "Quick, thanks"), "2"), THANKED, None),
    (
        "resolved, its request's place not kept",  # sent before the desk kept it: in the DM is enough
        Rate(ALICE, 1, 5, ELSEWHERE),
        ((5, ""), "5"),
        (RequestRedrawn(ELSEWHERE, choosing=False), ConfirmationRedrawn()),
        None,
    ),
    (
        "rated 4, commented",  # the buttons back, nothing saved but the ticket as it was
        ChangeRating(ALICE, 1, REQUEST),
        None,
        (RequestRedrawn(REQUEST, choosing=True), ConfirmationRedrawn()),
        None,
    ),
    ("resolved", Comment(ALICE, 1, "Slow", REQUEST), ((None, "Slow"), "Slow"), THANKED, None),
    ("rated 4, commented", Comment(ALICE, 1, "Slow", REQUEST), ((4, "Slow"), "Slow"), THANKED, None),
    ("resolved", AskComment(ALICE, 1, REQUEST), None, (), CommentForm(1, REQUEST, "")),
    ("rated 4, commented", AskComment(ALICE, 1, REQUEST), None, (), CommentForm(1, REQUEST, "Quick, thanks")),
]


@pytest.mark.parametrize(("survey", "command", "saved", "owed", "answer"), DECIDED)
def test_what_is_saved_and_owed(survey: str, command: rules.Command, saved, owed, answer) -> None:
    before = SURVEYS[survey]()
    outcome = decide(before, command, STAFF, POLICY, NOW)
    assert (outcome.owed, outcome.answer, outcome.survey_over) == (owed, answer, False)
    if saved is None:
        assert outcome.ticket in (None, before.ticket)
        return
    (score, comment), detail = saved
    assert outcome.ticket is not None and before.ticket is not None
    assert outcome.ticket.rating is not None
    assert (outcome.ticket.rating.score, outcome.ticket.rating.comment, outcome.ticket.rating.at) == (
        score,
        comment,
        NOW,
    )
    entry = outcome.ticket.trail[-1]
    assert (entry.action, entry.actor, entry.detail, entry.at) == (Action.RATED, ALICE, detail, NOW)
    assert len(outcome.ticket.trail) == len(before.ticket.trail) + 1
    assert outcome.ticket.status is Status.RESOLVED


# -- the job: a survey closes once, `csat.expire_after` after the resolution --------------------
CLOSING = [
    # the ticket, the open survey's record, when, the outcome
    (resolved, REQUEST, LATE - minutes(1), Outcome(None, ())),  # not yet
    (
        resolved,
        REQUEST,
        LATE,
        Outcome(None, (SurveyClosed(1, ALICE, REQUEST, LASTS),), Closed(), survey_over=True),
    ),
    (
        rated,
        REQUEST,
        LATE + minutes(60),
        Outcome(None, (SurveyClosed(1, ALICE, REQUEST, LASTS),), Closed(), True),
    ),
    (reopened, REQUEST, LATE, Outcome(None, (), survey_over=True)),  # reopening closed it: the record goes
    (lambda: None, REQUEST, LATE, Outcome(None, (), survey_over=True)),  # the ticket is gone
    (resolved, None, LATE, Outcome(None, ())),  # closed already (by another sweep)
]


@pytest.mark.parametrize(("ticket", "open_at", "when", "outcome"), CLOSING)
def test_the_job_closes_a_survey_once(ticket, open_at: str | None, when, outcome: Outcome) -> None:
    survey = Survey(ticket(), open=open_at)
    assert decide(survey, CloseSurvey(1), STAFF, POLICY, when) == outcome


def test_the_job_closes_by_the_latest_resolution() -> None:
    """Resolved again after a reopen: the survey runs from the second resolution."""
    again = reopened().resolve(BOB, "Again", LATE - minutes(60))
    survey = Survey(replace(again), open=REQUEST)
    assert decide(survey, CloseSurvey(1), STAFF, POLICY, LATE) == Outcome(None, ())
