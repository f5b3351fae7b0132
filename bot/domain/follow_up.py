"""Words written in a ticket's threads, as one pure decision: whose words join the ticket, as
what, and who is told (SPEC §5: follow-ups, internal notes, public replies in a channel's thread).

The edge reads a Slack message once into a typed command (`Written`: who wrote what, in which of
the ticket's threads); `decide` takes the ticket as it stands, the command, the desk's staff, its
policy (nothing yet) and `now`, and returns an `Outcome`: the ticket to save and the messages
owed (typed: the Slack side words them). Nobody is answered: the words are where they were
written. Anyone else's words are left alone (nothing saved, nothing owed), which is no refusal:
people talk in threads. Pure: no Slack, no store, `now` passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.roles import Staff
from bot.domain.ticket import Action, Status, Ticket


# -- the command ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Written:
    """`person` wrote `words` in the thread at `where` (`channel:thread`), one of ticket
    `number`'s: the requester's (where the ticket was raised) or its card's."""

    person: str
    number: int
    where: str
    words: str


Command = Written


@dataclass(frozen=True)
class Policy:
    """Nothing of the desk's settings decides this yet."""


# -- the messages owed ----------------------------------------------------------------------------
@dataclass(frozen=True)
class CardRedrawn:
    """The ticket's card (and the requester's confirmation) redrawn: it shows something new."""


@dataclass(frozen=True)
class AnsweredBack:
    """By DM to `to`, the assignee: `person` answered the question the ticket waited on."""

    to: str
    person: str
    words: str


@dataclass(frozen=True)
class RequesterAdded:
    """In the card's thread, for the agents: the requester's follow-up."""

    person: str
    words: str


@dataclass(frozen=True)
class RepliedInThread:
    """In the card's thread, for the agents: an agent's public reply in a channel's thread."""

    agent: str
    words: str


Message = CardRedrawn | AnsweredBack | RequesterAdded | RepliedInThread


@dataclass(frozen=True)
class Outcome:
    ticket: Ticket | None  # to save (None: the words are left alone, the message not marked done)
    owed: tuple[Message, ...]


LEFT_ALONE = Outcome(None, ())


# -- the rules ------------------------------------------------------------------------------------
def decide(ticket: Ticket | None, command: Command, staff: Staff, policy: Policy, now: datetime) -> Outcome:
    """What the words do to the ticket (None: there is none). Staff writing in the card's thread
    leave an internal note; the requester in their thread, a follow-up (shown to the agents);
    the ticket's team's agents in the requester's thread, a public reply (a channel ticket's,
    where the requester reads it). Each is allowed in every status, so nothing is refused."""
    if ticket is None:
        return LEFT_ALONE
    person = command.person
    in_requester_thread = command.where == f"{ticket.origin.channel}:{ticket.origin.thread or ''}"
    if command.where == ticket.card and staff.is_staff(person):
        return _noted(ticket, command, now)
    if in_requester_thread and person == ticket.requester:
        return _followed_up(ticket, command, now)
    if in_requester_thread and staff.team_of(ticket.category).is_agent(person):
        return _replied(ticket, command, now)
    return LEFT_ALONE


def _noted(before: Ticket, command: Written, now: datetime) -> Outcome:
    """An internal note: kept in the trail, never sent to the requester."""
    return Outcome(before.record(Action.NOTE, command.person, command.words, now), ())


def _followed_up(before: Ticket, command: Written, now: datetime) -> Outcome:
    """The requester's follow-up; the answer a waiting ticket waited for puts it back with its
    assignee (told by DM)."""
    after = before.record(Action.FOLLOW_UP, command.person, command.words, now)
    owed: list[Message] = []
    if before.status is Status.WAITING and after.status is not Status.WAITING:
        owed.append(CardRedrawn())
        if after.assignee:
            owed.append(AnsweredBack(after.assignee, command.person, command.words))
    owed.append(RequesterAdded(command.person, command.words))
    return Outcome(after, tuple(owed))


def _replied(before: Ticket, command: Written, now: datetime) -> Outcome:
    """A public reply: the first response, if none came before; an open ticket nobody else was
    given becomes the agent's. The card is redrawn only when it shows something new."""
    after = before.reply(command.person, command.words, now)
    owed: list[Message] = []
    if (after.assignee, after.first_response_at) != (before.assignee, before.first_response_at):
        owed.append(CardRedrawn())  # answered: the first-response target is met
    owed.append(RepliedInThread(command.person, command.words))
    return Outcome(after, tuple(owed))
