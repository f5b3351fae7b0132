"""The messages the desk owes people, as data: what to say and where, not how it is sent.

Every message the desk sends because something happened is one of these, recorded in the
outbox with the change that owes it and delivered later by one worker (`bot.delivery.outbox`).
Some carry their words (`Post`, `Edit`); others name what they show and are drawn when they
are sent, so they show things as they stand then (`Card`, `StormCard`, `Prompt`, `NoticeOf`,
`DigestOf`, `HomeOf`).

Addresses are small types too:

- where: a conversation by id (`Conversation`, a channel or a DM's id) or a person's DM
  with the desk (`DirectMessage`);
- which thread: a message's (`InThread`), or a ticket's card thread (`CardThread`) or the
  requester's ticket thread (`RequesterThread`), looked up when the message is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from typing import Any

Blocks = list[dict[str, Any]]


# -- where -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Conversation:
    id: str  # a channel's or a DM's id


@dataclass(frozen=True)
class DirectMessage:
    person: str  # a user id: the desk's DM with them


Where = Conversation | DirectMessage


def where_of(to: str) -> Where:
    """A stored conversation (`D…`, `C…`) or a person (`U…`, `W…`: a ticket raised with the
    form knows its requester before it knows their DM)."""
    return DirectMessage(to) if to[:1] in ("U", "W") else Conversation(to)


@dataclass(frozen=True)
class InThread:
    ts: str  # the thread's first message


@dataclass(frozen=True)
class CardThread:
    ticket: int  # the ticket card's thread (the card is posted first if it has none yet)


@dataclass(frozen=True)
class RequesterThread:
    ticket: int  # the thread the requester talks about the ticket in


Thread = InThread | CardThread | RequesterThread


# -- what ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Post:
    """New words. `remember` names what its place (`channel`, `ts`) becomes once posted:
    `("origin", n)` the ticket's requester thread, `("rating", n)` its rating request,
    `("resolution", n)` the requester's resolution message (with its reopen button),
    `("approval_dm", "<request id>:<approver>")` an approver's DM with Approve / Deny (edited
    when someone else decides their level).
    `about`: the ticket a DM is about, drawn with a link to its card when it is sent."""

    to: Where
    text: str
    blocks: Blocks
    thread: Thread | None = None
    broadcast: bool = False
    remember: tuple[str, int | str] | None = None
    about: int | None = None


@dataclass(frozen=True)
class Edit:
    """New words for a message the desk posted. `hook`: the `response_url` of a click on that
    message, through which Slack replaces it outside chat.update's pace (`bot.slack.pace`)."""

    channel: str
    ts: str
    text: str
    blocks: Blocks
    hook: str | None = None


@dataclass(frozen=True)
class Card:
    """A ticket's triage card, drawn as the ticket stands: posted the first time, edited after."""

    ticket: int


@dataclass(frozen=True)
class ConfirmationOf:
    """The requester's confirmation of a ticket, redrawn as the ticket stands when it is sent
    and edited in place. `origin` is where the first one was sent (the ticket's origin then),
    so the redraw waits in the same line and comes after it; None once the first one is in
    Slack: the redraw then waits in a line of its own, so an edit Slack's pace holds (a 429 on
    chat.update holds them all for its Retry-After) never holds the requester's posts."""

    ticket: int
    origin: str | None


@dataclass(frozen=True)
class StormCard:
    """The card standing for an incident storm's tickets (`bot.delivery.storm`)."""

    storm: str


@dataclass(frozen=True)
class Prompt:
    """An intake question (or how the request ended) in the person's conversation: posted the
    first time, edited after. `ts` is known when the draft it belonged to was replaced. `hook`:
    the `response_url` of the click it answers (see `Edit`)."""

    draft: str  # the draft's id
    key: str  # the conversation it is written in (a draft's key)
    channel: str
    thread: str | None
    text: str
    blocks: Blocks
    ts: str | None = None
    hook: str | None = None


@dataclass(frozen=True)
class NoticeOf:
    """An escalation notice raised on a ticket, to one of the places it goes."""

    ticket: int
    notice: str  # the notice's key among the ticket's
    destination: str  # TRIAGE or to_person(...)


@dataclass(frozen=True)
class DigestOf:
    """A day's digest, to one of its places (`dm:<lead>` or `channel:<id>`); with several
    teams, each team's digest to its own leads."""

    day: str  # ISO date
    place: str
    team: str = ""  # the team's name; "" for a desk of one team

    @property
    def record(self) -> str:
        """The key of the digest's record (`bot.delivery.records.DIGESTS`)."""
        return digest_record(self.day, self.team)


def digest_record(day: str, team: str) -> str:
    """A day's (or a week's) record of one team, with several; of the desk, with one."""
    return f"{day}:{team}" if team else day


@dataclass(frozen=True)
class HomeOf:
    """A person's App Home tab, drawn as things stand when it is published."""

    person: str


@dataclass(frozen=True)
class ReportOf:
    """A week's report to one lead (of one team, with several): words and a chart, drawn when
    it is sent."""

    week: str  # the Monday (ISO) of the week it is sent in
    lead: str
    team: str = ""  # the team's name, with several; "" for a desk of one team

    @property
    def record(self) -> str:
        """The key of the report's record (`bot.delivery.records.REPORTS`)."""
        return digest_record(self.week, self.team)


Message = Post | Edit | Card | StormCard | Prompt | NoticeOf | DigestOf | HomeOf | ReportOf | ConfirmationOf


OUTSIDER = "ext:"  # a person an import found no Slack user for: `ext:jane@example.com`


def is_outsider(person: str | None) -> bool:
    """Someone an import kept by name: no Slack user, never messaged."""
    return person is not None and person.startswith(OUTSIDER)


def to_outsider(message: Message) -> bool:
    """The message would go to someone with no Slack user (kept by name by an import): the
    desk never sends it."""
    if isinstance(message, Post):
        place = message.to.person if isinstance(message.to, DirectMessage) else message.to.id
    elif isinstance(message, NoticeOf):
        place = message.destination.partition(":")[2]
    elif isinstance(message, HomeOf | ReportOf):
        place = message.person if isinstance(message, HomeOf) else message.lead
    else:
        return False
    return is_outsider(place)


@dataclass(frozen=True)
class Owed:
    """A message in the outbox, with how its delivery went so far."""

    message: Message
    seq: int  # its place in line, from the store's sequence
    version: int = 0  # bumped each time a drawn message is redrawn before it is sent
    attempts: int = 0
    next_at: float = 0.0  # wall-clock seconds: not before (back-off)
    parked: str | None = None  # why Slack can never take it
    look_first: bool = False  # it may be in Slack already: look before posting
    since: float = 0.0  # wall-clock seconds when it was first owed (for /healthz, not for order)
    refusals: int = 0  # times Slack refused it (an error that does not pass): parked at a few
    behind: str | None = None  # parked with the message it follows (its thread's card), by key
    parked_at: float = 0.0  # wall-clock seconds when it was parked


def tickets_named(message: Message) -> set[int]:
    """The tickets a message is about or goes to the threads of: while it is owed, they stay
    in the store's window (`store.archive`)."""
    found: set[int] = set()
    for field in fields(message):
        value = getattr(message, field.name)
        if field.name in ("ticket", "about") and isinstance(value, int):
            found.add(value)
        elif field.name == "remember" and value is not None:
            found.add(value[1])
        elif is_dataclass(value) and not isinstance(value, type):
            found |= tickets_named(value)  # type: ignore[arg-type]
    return found
