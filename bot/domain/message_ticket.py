"""Tickets raised from a message, as one pure decision (SPEC §9): a new top-level message in a
request channel, and the :ticket: reaction on any message in a channel the desk is in.

The edge reads the Slack body once into a typed command (`RaiseFromChannel`,
`RaiseFromReaction`); what the reaction needs from Slack (the reacted message: its author,
words and thread) is looked up before the transaction and carried in the command as data
(`Reacted`). `decide` takes what the store knows of the message (`Seen`), the command, the
desk's staff, its policy (nothing yet) and `now`, and returns an `Outcome`: the ticket to open
(`NewTicket`: the store gives it its number), the threads it is recorded under, and the messages
owed (typed: the Slack side words them). Nobody is answered: the confirmation in the message's
thread is the answer. What is not a request is left alone (nothing saved, nothing owed), which
is no refusal: people talk in request channels and react to messages. Bots' messages and edits
never reach here (`bot.slack.payloads.heard` drops them for every message path).
Pure: no Slack, no store, `now` passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.priority import Priority
from bot.domain.roles import Staff
from bot.domain.ticket import Origin, Ticket, open_ticket

ANNOUNCEMENT = ":mega:"  # a request channel's message starting with it is news, not a request
TICKET_REACTION = "ticket"  # :ticket:, as Slack names the emoji in reaction_added


# -- the commands ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RaiseFromChannel:
    """`person` wrote `words` in `channel` at `ts` (`thread`: the parent's ts for a reply in a
    thread). `words`: the ticket's request as it would be kept (names for mentions, a note when
    the message had no text)."""

    person: str
    channel: str
    ts: str
    words: str
    thread: str | None = None


@dataclass(frozen=True)
class Reacted:
    """The reacted message as Slack holds it, looked up before the transaction: its author (None
    for a bot's), its words as a ticket's request, and its parent's ts when it is a reply in a
    thread."""

    author: str | None
    words: str
    thread: str | None = None


@dataclass(frozen=True)
class RaiseFromReaction:
    """`reactor` put `reaction` on the message at `ts` in `channel`; `message`: that message
    (None: not looked up, or gone)."""

    reactor: str
    channel: str
    ts: str
    reaction: str
    message: Reacted | None = None


Command = RaiseFromChannel | RaiseFromReaction


@dataclass(frozen=True)
class Seen:
    """What the store knows of the message: the ticket it already is (if any), and the ticket
    its thread already is (a reply's parent), if any."""

    ticket: int | None = None
    thread_ticket: int | None = None


@dataclass(frozen=True)
class Policy:
    """Nothing of the desk's settings decides this yet."""


# -- the messages owed ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ConfirmedInThread:
    """In `thread` of `channel` (the message's own thread): the reference, the first target,
    and the urgency and area to set."""

    channel: str
    thread: str


@dataclass(frozen=True)
class CardPosted:
    """The ticket's card in its team's triage channel (the requester is told in the thread)."""


Message = ConfirmedInThread | CardPosted


# -- the outcome ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewTicket:
    """The ticket to open, all but its number (the store's to give)."""

    requester: str
    words: str
    category: str
    origin: Origin
    at: datetime
    raised_by: str | None
    source: str  # the message's place, `channel:ts`

    def ticket(self, number: int) -> Ticket:
        return open_ticket(
            number,
            self.requester,
            self.words,
            self.category,
            Priority.P3,
            self.origin,
            self.at,
            raised_by=self.raised_by,
            source=self.source,
        )


@dataclass(frozen=True)
class Outcome:
    opens: NewTicket | None  # None: left alone (nothing saved, the event not marked done)
    threads: tuple[str, ...] = ()  # the places (`channel:ts`) recorded as the new ticket's
    owed: tuple[Message, ...] = ()

    @property
    def via(self) -> str:
        return self.opens.origin.via if self.opens else ""


LEFT_ALONE = Outcome(None)


# -- the rules ------------------------------------------------------------------------------------
def decide(seen: Seen, command: Command, staff: Staff, policy: Policy, now: datetime) -> Outcome:
    """Whether the message becomes a ticket, and what is owed. A message already a ticket is
    left alone (one ticket per message, however often Slack delivers the event)."""
    if seen.ticket is not None:
        return LEFT_ALONE
    if isinstance(command, RaiseFromChannel):
        return _from_channel(seen, command, staff, now)
    return _from_reaction(seen, command, staff, now)


def _from_channel(seen: Seen, command: RaiseFromChannel, staff: Staff, now: datetime) -> Outcome:
    """A new top-level message in one of a team's request channels opens a ticket in the team's
    first area, unless one of the team's agents wrote it or it is an announcement."""
    team = staff.of_request_channel(command.channel)
    if team is None or command.thread is not None:
        return LEFT_ALONE
    if team.is_agent(command.person) or command.words.lstrip().startswith(ANNOUNCEMENT):
        return LEFT_ALONE
    return _opened(
        seen, command.person, None, command.words, team.categories[0], command, "channel", None, now
    )


def _from_reaction(seen: Seen, command: RaiseFromReaction, staff: Staff, now: datetime) -> Outcome:
    """:ticket: on a message (anyone may react) makes it a ticket of whoever wrote it (the
    reactor's for a bot's message), raised by the reactor, in the first area of the team
    serving the channel (the first team's elsewhere). A reply in a thread talks in that thread."""
    message = command.message
    if command.reaction != TICKET_REACTION or message is None:
        return LEFT_ALONE
    requester = message.author or command.reactor
    category = staff.serving(command.channel).categories[0]
    thread = message.thread if message.thread != command.ts else None
    return _opened(
        seen, requester, command.reactor, message.words, category, command, "reaction", thread, now
    )


def _opened(
    seen: Seen,
    requester: str,
    raised_by: str | None,
    words: str,
    category: str,
    command: Command,
    via: str,
    thread: str | None,
    now: datetime,
) -> Outcome:
    """The message's ticket at P3: its conversation is the message's thread (or the thread the
    reply is in, which becomes the ticket's too unless it already is another's)."""
    where = f"{command.channel}:{command.ts}"
    talk_in = thread or command.ts
    opens = NewTicket(
        requester,
        words,
        category,
        Origin(command.channel, talk_in, via),
        now,
        raised_by if raised_by != requester else None,
        where,
    )
    threads: tuple[str, ...] = (where,)
    if thread is not None and seen.thread_ticket is None:
        threads += (f"{command.channel}:{thread}",)
    return Outcome(opens, threads, (ConfirmedInThread(command.channel, talk_in), CardPosted()))
