"""The agents' rules, as one pure decision: who may claim, reassign, resolve, move, wait on and
reply to a ticket, who may reopen it, and who is told what (SPEC §5, §9, §10).

The edge reads a Slack request once into a typed command (`Claim`, `Reassign`, `Resolve`,
`Reopen`, `ChangePriority`, `Move`, `Wait`, `Reply`); `decide` takes the ticket as it stands,
the command, the desk's staff, its policy and `now`, and returns an `Outcome`: the ticket to
save, the messages owed (typed: the Slack side words them) and the answer for whoever acted. A
refusal is a `DeskError` and changes nothing. Permission is checked here, once. Pure: no Slack,
no store, `now` passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.errors import NotPermitted, Phrase, TicketNotFound, Typed
from bot.domain.owed import OUTSIDER, is_outsider
from bot.domain.priority import Priority
from bot.domain.roles import Staff
from bot.domain.ticket import Action, Status, Ticket

# -- what people may be refused, and why (worded by the catalogue; `bot.slack.refusals` too) ---
CLAIM = Phrase("claim tickets")
REASSIGN = Phrase("reassign tickets")
RESOLVE = Phrase("resolve tickets")
PRIORITY = Phrase("change priorities")
MOVE = Phrase("move tickets")
WAIT = Phrase("wait on requesters")
REPLY = Phrase("reply to requesters")
NO_AREA = Phrase("There is no area called “{area}”. The areas: {areas}.")
NOT_AN_AGENT = Phrase("{person} isn't one of the desk's agents, so tickets can't go to them.")
NOT_OF_TEAM = Phrase("{person} isn't one of the {team} team's agents, so {ref} can't go to them.")
ONLY_REQUESTER_REOPENS = Phrase("Only the person who raised {ref} can reopen it.")
REQUESTER_OR_AGENTS = Phrase("Only {person} who asked, or the desk's agents, can change {ref}.")


# -- the commands -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    agent: str
    number: int


@dataclass(frozen=True)
class Reassign:
    by: str
    number: int
    to: str


@dataclass(frozen=True)
class Resolve:
    agent: str
    number: int
    note: str


@dataclass(frozen=True)
class Reopen:
    """The requester's "The problem is back"."""

    person: str
    number: int


@dataclass(frozen=True)
class ChangePriority:
    """A new priority, from an agent (`/desk priority`, the card's select) or, with
    `requester_may` (the select under a channel ticket's confirmation), its requester too."""

    person: str
    number: int
    priority: Priority
    requester_may: bool = False


@dataclass(frozen=True)
class Move:
    """Another area for the ticket (`area` as typed or chosen), from any agent, so a ticket that
    reached the wrong team finds the right one; with `requester_may` (the select under a channel
    ticket's confirmation), its requester too."""

    person: str
    number: int
    area: str
    requester_may: bool = False


@dataclass(frozen=True)
class Wait:
    """Ask the requester and wait for the answer. `question` is what the agent wrote; when they
    wrote nothing the Slack side words the desk's own question, in the requester's language,
    before it comes here (it is kept in the ticket's trail as asked)."""

    agent: str
    number: int
    question: str


@dataclass(frozen=True)
class Reply:
    """An agent's words to the requester. The Slack side prepares them before the transaction:
    `words` as they go (a saved reply filled in), `signed` how they are signed (the agent's
    display name, then the desk's)."""

    agent: str
    number: int
    words: str
    signed: str = ""


Command = Claim | Reassign | Resolve | Reopen | ChangePriority | Move | Wait | Reply


def actor(command: Command) -> str:
    """Whoever acted (the answer is theirs)."""
    if isinstance(command, Claim | Resolve | Wait | Reply):
        return command.agent
    if isinstance(command, Reassign):
        return command.by
    return command.person  # Reopen, ChangePriority, Move


# -- the messages owed (each says who it is for) ------------------------------------------------
@dataclass(frozen=True)
class LookingAt:
    """To the requester, in their ticket's thread: `agent` is looking at it."""

    agent: str


@dataclass(frozen=True)
class TookYours:
    """By DM to `to`, whom the desk had given the ticket: `agent` took it."""

    to: str
    agent: str


@dataclass(frozen=True)
class LookingAfter:
    """To the requester: `to` is now looking after it."""

    to: str


@dataclass(frozen=True)
class HandedOver:
    """By DM to the new assignee `to`: `by` handed them the ticket (with its targets)."""

    to: str
    by: str


@dataclass(frozen=True)
class HandedOn:
    """By DM to the previous assignee: `by` handed their ticket on to `to`."""

    previous: str
    by: str
    to: str


@dataclass(frozen=True)
class Resolution:
    """To the requester: resolved by `agent`, with the note (its place kept, to redraw on reopen)."""

    agent: str
    note: str


@dataclass(frozen=True)
class RatingAsked:
    """To the requester by DM: how did we do? (when the desk asks after resolving)."""


@dataclass(frozen=True)
class ChildrenResolved:
    """The ticket's open linked children resolved with it, each requester told (issue 39)."""

    agent: str
    note: str


@dataclass(frozen=True)
class ProblemBack:
    """In the card's thread, for the agents: `person` says the problem is back (and who has it)."""

    person: str
    assignee: str | None


@dataclass(frozen=True)
class BackWithYou:
    """By DM to the assignee of a reopened ticket."""

    to: str
    person: str


@dataclass(frozen=True)
class ResolutionClosed:
    """The requester's resolution message and rating request, redrawn as reopened."""

    resolver: str | None
    note: str


@dataclass(frozen=True)
class PriorityTold:
    """To the requester (unless they changed it themselves): `by` changed the priority."""

    by: str
    was: Priority
    now: Priority


@dataclass(frozen=True)
class PriorityNoted:
    """The same, in the card's thread, for the agents."""

    by: str
    was: Priority
    now: Priority


@dataclass(frozen=True)
class ConfirmationRedrawn:
    """A channel ticket's confirmation (its selects) redrawn with the ticket as it now is."""


@dataclass(frozen=True)
class MoveNoted:
    """In the card's thread, for the agents: `by` moved the ticket from area `was` to `area`."""

    by: str
    was: str
    area: str


@dataclass(frozen=True)
class CardMoved:
    """The old card, its ticket moved to another team's area: it says so, and where it went (a
    new card is drawn in that team's triage channel)."""

    by: str
    was: str
    area: str
    team: str
    triage: str


@dataclass(frozen=True)
class WithTeam:
    """To the requester (unless they moved it themselves): their ticket is with `team` now."""

    team: str


@dataclass(frozen=True)
class Asked:
    """To the requester, in their ticket's thread: `agent` asks `question`; the ticket waits."""

    agent: str
    question: str


@dataclass(frozen=True)
class AskedNoted:
    """The same, in the card's thread, for the agents."""

    agent: str
    question: str


@dataclass(frozen=True)
class Replied:
    """To the requester, in their ticket's thread: the reply, signed."""

    signed: str
    words: str


@dataclass(frozen=True)
class ReplyPassedOn:
    """The reply, to the requester of each open ticket linked under this one (issue 39)."""

    signed: str
    words: str


@dataclass(frozen=True)
class ReplyNoted:
    """In the card's thread, for the agents: `agent` replied `words`."""

    agent: str
    words: str


Message = (
    LookingAt
    | TookYours
    | LookingAfter
    | HandedOver
    | HandedOn
    | Resolution
    | RatingAsked
    | ChildrenResolved
    | ProblemBack
    | BackWithYou
    | ResolutionClosed
    | PriorityTold
    | PriorityNoted
    | ConfirmationRedrawn
    | MoveNoted
    | CardMoved
    | WithTeam
    | Asked
    | AskedNoted
    | Replied
    | ReplyPassedOn
    | ReplyNoted
)


# -- the answers for whoever acted ---------------------------------------------------------------
@dataclass(frozen=True)
class Claimed:
    number: int
    requester: str


@dataclass(frozen=True)
class NowWith:
    number: int
    to: str


@dataclass(frozen=True)
class Resolved:
    number: int
    requester: str
    noted: bool
    outsider: str | None  # a requester kept by name (no Slack user), who is never told
    channel: str  # where the ticket was raised (the answer says when its thread is public)


@dataclass(frozen=True)
class Reopened:
    number: int
    assignee: str | None


@dataclass(frozen=True)
class PriorityNow:
    number: int
    priority: Priority


@dataclass(frozen=True)
class Moved:
    number: int
    area: str
    team: str | None  # the other team it went to (None: the same team's area)
    triage: str  # that team's triage channel


@dataclass(frozen=True)
class WaitingOn:
    number: int
    requester: str
    channel: str  # where the ticket was raised (the answer says when its thread is public)


@dataclass(frozen=True)
class Sent:
    number: int
    requester: str
    outsider: str | None  # a requester kept by name (no Slack user), who is never told
    channel: str  # where the ticket was raised (the answer says when its thread is public)


@dataclass(frozen=True)
class AlreadySent:
    """A reply delivered again (Slack retried it): it went the first time."""

    requester: str


Answer = Claimed | NowWith | Resolved | Reopened | PriorityNow | Moved | WaitingOn | Sent | AlreadySent


@dataclass(frozen=True)
class Policy:
    ask_rating: bool = True  # `csat.ask_after_resolve`
    areas: tuple[str, ...] = ()  # `desk.categories`: where a ticket may be moved


@dataclass(frozen=True)
class Outcome:
    ticket: Ticket  # to save (the card is redrawn with it)
    owed: tuple[Message, ...]
    answer: Answer
    redraw: bool = True  # the card shows something that changed


# -- the rules ------------------------------------------------------------------------------------
def decide(ticket: Ticket | None, command: Command, staff: Staff, policy: Policy, now: datetime) -> Outcome:
    """What `command` does to `ticket` (None: there is no such ticket); a `DeskError` if refused."""
    if isinstance(command, Claim):
        return _claim(_agents_only(ticket, command.agent, command.number, CLAIM, staff), command, now)
    if isinstance(command, Reassign):
        staff.require_agent(command.by, REASSIGN)
        if not staff.is_agent(command.to):
            raise NotPermitted(NOT_AN_AGENT, person=command.to)
        return _reassign(
            _agents_only(ticket, command.by, command.number, REASSIGN, staff), command, staff, now
        )
    if isinstance(command, Resolve):
        found = _agents_only(ticket, command.agent, command.number, RESOLVE, staff)
        return _resolve(found, command, policy, now)
    if isinstance(command, ChangePriority):
        return _change_priority(ticket, command, staff, now)
    if isinstance(command, Move):
        return _move(ticket, command, staff, policy, now)
    if isinstance(command, Wait):
        return _wait(_agents_only(ticket, command.agent, command.number, WAIT, staff), command, now)
    if isinstance(command, Reply):
        return _reply(_agents_only(ticket, command.agent, command.number, REPLY, staff), command, now)
    if ticket is None or ticket.requester != command.person:
        raise NotPermitted(ONLY_REQUESTER_REOPENS, ticket=command.number)
    return _reopen(ticket, command, now)


def again(ticket: Ticket | None, command: Command) -> Answer | None:
    """What whoever acted is told when the same request comes again (its first delivery was
    acted on already): a reply says it went; anything else, nothing."""
    if not isinstance(command, Reply):
        return None
    if ticket is None:
        raise TicketNotFound(command.number)
    return AlreadySent(ticket.requester)


def _agents_only(ticket: Ticket | None, person: str, number: int, doing: str, staff: Staff) -> Ticket:
    """The ticket, if `person` is an agent (asked first) of its team (SPEC §9)."""
    staff.require_agent(person, doing)
    if ticket is None:
        raise TicketNotFound(number)
    staff.require_team_agent(person, ticket, doing)
    return ticket


def _claim(before: Ticket, command: Claim, now: datetime) -> Outcome:
    after = before.claim(command.agent, now)
    owed: list[Message] = [LookingAt(command.agent)]
    if before.assigned_only and before.assignee and before.assignee != command.agent:
        owed.append(TookYours(before.assignee, command.agent))
    return Outcome(after, tuple(owed), Claimed(after.number, after.requester))


def _reassign(before: Ticket, command: Reassign, staff: Staff, now: datetime) -> Outcome:
    by, to = command.by, command.to
    team = staff.team_of(before.category)
    if not team.is_agent(to):
        raise NotPermitted(NOT_OF_TEAM, person=to, ticket=before.number, team=team.name)
    after = before.reassign(by, to, now)
    previous = before.assignee if before.status in (Status.CLAIMED, Status.WAITING) else None
    owed: list[Message] = [LookingAfter(to)]
    if to != by:
        owed.append(HandedOver(to, by))
    if previous and previous not in (by, to):
        owed.append(HandedOn(previous, by, to))
    return Outcome(after, tuple(owed), NowWith(after.number, to))


def _resolve(before: Ticket, command: Resolve, policy: Policy, now: datetime) -> Outcome:
    after = before.resolve(command.agent, command.note.strip(), now)
    owed: list[Message] = [Resolution(command.agent, command.note)]
    if policy.ask_rating:
        owed.append(RatingAsked())
    owed.append(ChildrenResolved(command.agent, command.note))
    outsider = after.requester.removeprefix(OUTSIDER) if is_outsider(after.requester) else None
    answer = Resolved(after.number, after.requester, bool(command.note), outsider, after.origin.channel)
    return Outcome(after, tuple(owed), answer)


def _reopen(before: Ticket, command: Reopen, now: datetime) -> Outcome:
    after = before.reopen(command.person, now)
    owed: list[Message] = [ProblemBack(command.person, after.assignee)]
    if after.assignee:  # "has been told" means told: by DM, where they will see it
        owed.append(BackWithYou(after.assignee, command.person))
    resolver = next((e.actor for e in reversed(before.trail) if e.action is Action.RESOLVED), None)
    owed.append(ResolutionClosed(resolver, before.resolution_note))
    return Outcome(after, tuple(owed), Reopened(after.number, after.assignee))


def _change_priority(ticket: Ticket | None, command: ChangePriority, staff: Staff, now: datetime) -> Outcome:
    """An agent of the ticket's team; under a channel ticket's confirmation, its requester too
    (anyone else there is told who may)."""
    person, priority = command.person, command.priority
    if not command.requester_may:
        staff.require_agent(person, PRIORITY)
    if ticket is None:
        raise TicketNotFound(command.number)
    if not (command.requester_may and person == ticket.requester):
        if command.requester_may and not staff.is_agent(person):
            raise NotPermitted(REQUESTER_OR_AGENTS, person=ticket.requester, ticket=ticket.number)
        staff.require_team_agent(person, ticket, PRIORITY)
    after = ticket.change_priority(person, priority, now)
    owed: list[Message] = []
    if person != ticket.requester:
        owed.append(PriorityTold(person, ticket.priority, priority))
    owed += [PriorityNoted(person, ticket.priority, priority), ConfirmationRedrawn()]
    return Outcome(after, tuple(owed), PriorityNow(after.number, priority))


def _move(ticket: Ticket | None, command: Move, staff: Staff, policy: Policy, now: datetime) -> Outcome:
    """Any agent (not only the team's); under a channel ticket's confirmation, its requester too.
    Moved to another team's area, the ticket's card goes to that team's triage channel, leaving
    its assignee behind if they do not work there."""
    person = command.person
    if not command.requester_may:
        staff.require_agent(person, MOVE)
    wanted = command.area.strip().casefold()
    area = next((a for a in policy.areas if a.casefold() == wanted), None)
    if area is None:
        raise NotPermitted(NO_AREA, area=Typed(command.area), areas=", ".join(policy.areas))
    if ticket is None:
        raise TicketNotFound(command.number)
    if not (command.requester_may and person == ticket.requester):
        if command.requester_may and not staff.is_agent(person):
            raise NotPermitted(REQUESTER_OR_AGENTS, person=ticket.requester, ticket=ticket.number)
        staff.require_agent(person, MOVE)
    team, was = staff.team_of(area), staff.team_of(ticket.category)
    if team == was:
        after = ticket.move(person, area, now)
    else:
        release = ticket.assignee is not None and not team.is_agent(ticket.assignee)
        after = replace(ticket.move(person, area, now, release=release), card=None)  # a new card there
    owed: list[Message] = []
    if ticket.card is not None and after.card is None:
        owed.append(CardMoved(person, ticket.category, area, team.name, team.triage))
        if person != ticket.requester:
            owed.append(WithTeam(team.name))
    else:
        owed.append(MoveNoted(person, ticket.category, area))
    owed.append(ConfirmationRedrawn())
    other = team.name if team != was else None
    return Outcome(after, tuple(owed), Moved(after.number, area, other, team.triage))


def _wait(before: Ticket, command: Wait, now: datetime) -> Outcome:
    """The resolution clock pauses until the requester answers in the ticket's thread (or the
    ticket closes, `pending.close_after` later); an open ticket becomes the agent's."""
    asked = command.question.strip()
    after = before.wait_on_requester(command.agent, asked, now)
    owed: tuple[Message, ...] = (Asked(command.agent, asked), AskedNoted(command.agent, asked))
    return Outcome(after, owed, WaitingOn(after.number, after.requester, after.origin.channel))


def _reply(before: Ticket, command: Reply, now: datetime) -> Outcome:
    """The first response, if none came before; an open ticket nobody else was given becomes
    the agent's. The card is redrawn only when it shows something new."""
    after = before.reply(command.agent, command.words, now)
    owed: tuple[Message, ...] = (
        Replied(command.signed, command.words),
        ReplyPassedOn(command.signed, command.words),
        ReplyNoted(command.agent, command.words),
    )
    redraw = after.assignee != before.assignee or after.first_response_at != before.first_response_at
    outsider = after.requester.removeprefix(OUTSIDER) if is_outsider(after.requester) else None
    answer = Sent(after.number, after.requester, outsider, after.origin.channel)
    return Outcome(after, owed, answer, redraw)
