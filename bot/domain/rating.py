"""The requester's rating, as one pure decision: who may rate the help, change the rating or
comment on it, from which message, while the survey is open, and what is owed (SPEC §11).

The edge reads a Slack request once into a typed command (`Rate`, `ChangeRating`, `AskComment`,
`Comment`; the job's `CloseSurvey`); `decide` takes the survey as it stands (the ticket, where
its rating request is kept, the requester's DM with the desk), the command, the desk's staff,
its policy (how long a survey stays open) and `now`, and returns an `Outcome`: the ticket to
save, the messages owed (typed: the Slack side words them) and the answer for whoever acted. A
refusal is a `DeskError` and changes nothing. Permission is checked here, once. Pure: no Slack,
no store, `now` passed in. ("The problem is back" is the agents' `Reopen`: `bot.domain.agents`.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.errors import NotPermitted, Phrase, TicketNotFound
from bot.domain.roles import Staff
from bot.domain.ticket import Ticket

# -- what people may be refused, and why (worded by the catalogue; `bot.slack.refusals` too) ---
NOT_THIS_RATING = Phrase("That button isn't on {ref}'s rating request, so nothing was changed.")


# -- the commands -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rate:
    """A score pressed on the rating request at `where` (`channel:ts`); a second replaces it."""

    person: str
    number: int
    score: int
    where: str


@dataclass(frozen=True)
class ChangeRating:
    """ "Change rating": the score buttons back on the request at `where`."""

    person: str
    number: int
    where: str


@dataclass(frozen=True)
class AskComment:
    """ "Add a comment": the form to write it in (nothing changes yet)."""

    person: str
    number: int
    where: str


@dataclass(frozen=True)
class Comment:
    """The comment form sent: the requester's words about the help, kept with the rating."""

    person: str
    number: int
    words: str
    where: str


@dataclass(frozen=True)
class CloseSurvey:
    """The job: the ticket's open survey, closed once `csat.expire_after` has passed."""

    number: int


Request = Rate | ChangeRating | AskComment | Comment
Command = Request | CloseSurvey


@dataclass(frozen=True)
class Survey:
    """What a rating decision reads: the ticket (None: there is none), where its rating request
    is kept (`channel:ts`; None: sent before the desk kept it), the requester's DM channel with
    the desk (looked up only when the place is not kept), and, for the job, the open survey's
    record (the request's place until it closes; None: closed already)."""

    ticket: Ticket | None
    at: str | None = None
    dm: str | None = None
    open: str | None = None


@dataclass(frozen=True)
class Policy:
    survey_lasts: timedelta  # `csat.expire_after`


# -- the messages owed ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RequestRedrawn:
    """The rating request at `at`, redrawn in place with the ticket as saved: the score buttons
    (`choosing`), or the thanks with the score given."""

    at: str
    choosing: bool


@dataclass(frozen=True)
class ConfirmationRedrawn:
    """The requester's confirmation, which says how they rated the help."""


@dataclass(frozen=True)
class SurveyClosed:
    """To the requester: their rating request for ticket `number` at `at` gives way to "This
    survey has closed" (`span` after the resolution)."""

    number: int
    requester: str
    at: str
    span: timedelta


Message = RequestRedrawn | ConfirmationRedrawn | SurveyClosed


# -- the answers for whoever acted ---------------------------------------------------------------
@dataclass(frozen=True)
class CommentForm:
    """The comment form for the request at `at`, holding the comment left before."""

    number: int
    at: str
    current: str


@dataclass(frozen=True)
class Closed:
    """The job closed the survey (its request was redrawn)."""


Answer = CommentForm | Closed


@dataclass(frozen=True)
class Outcome:
    ticket: Ticket | None  # to save (None: the ticket does not change)
    owed: tuple[Message, ...]
    answer: Answer | None = None  # None: the redrawn request is all that is said
    survey_over: bool = False  # the open survey's record goes (the job)


# -- the rules ------------------------------------------------------------------------------------
def decide(survey: Survey, command: Command, staff: Staff, policy: Policy, now: datetime) -> Outcome:
    """What `command` does to the survey; a `DeskError` if refused. `staff` is not consulted:
    only the requester may rate, whoever else they are."""
    if isinstance(command, CloseSurvey):
        return _close(survey, command, policy, now)
    if isinstance(command, AskComment):
        ticket = _found(survey, command.number)
        ticket.check_rater(command.person)
        ticket.check_survey_open(now, policy.survey_lasts)
        _request_of(survey, ticket, command.where)
        current = ticket.rating.comment if ticket.rating else ""
        return Outcome(None, (), CommentForm(ticket.number, command.where, current))
    before = _request_of(survey, _found(survey, command.number), command.where)
    before.check_survey_open(now, policy.survey_lasts)
    if isinstance(command, Rate):
        after = before.rate(command.person, command.score, now)  # the requester's, 1..5, resolved
    elif isinstance(command, Comment):
        after = before.comment_on_help(command.person, command.words, now)
    else:
        before.check_rater(command.person)
        after = before
    choosing = isinstance(command, ChangeRating)
    return Outcome(after, (RequestRedrawn(command.where, choosing), ConfirmationRedrawn()))


def _found(survey: Survey, number: int) -> Ticket:
    if survey.ticket is None:
        raise TicketNotFound(number)
    return survey.ticket


def _request_of(survey: Survey, ticket: Ticket, where: str) -> Ticket:
    """The click (or the form it opened) must come from the ticket's rating request, or nothing
    changes. A request sent before the desk kept its place must at least be in the requester's
    DM with the desk."""
    if survey.at is not None and survey.at == where:
        return ticket
    if survey.at is None and survey.dm is not None and where.partition(":")[0] == survey.dm:
        return ticket
    raise NotPermitted(NOT_THIS_RATING, ticket=ticket.number)


def _close(survey: Survey, command: CloseSurvey, policy: Policy, now: datetime) -> Outcome:
    """Once `csat.expire_after` has passed since the resolution, the open survey's record goes
    with the request's redraw; a ticket reopened meanwhile (or gone) closed it already, so only
    the record goes."""
    ticket = survey.ticket
    closes = ticket.survey_closes_at(policy.survey_lasts) if ticket is not None else None
    if survey.open is None or (closes is not None and now < closes):
        return Outcome(None, ())
    if ticket is None or closes is None:
        return Outcome(None, (), survey_over=True)
    closed = SurveyClosed(ticket.number, ticket.requester, survey.open, policy.survey_lasts)
    return Outcome(None, (closed,), Closed(), survey_over=True)
