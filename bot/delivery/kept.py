"""What a delivered message's place (`Place`: channel and ts) is recorded as, typed and chosen
by the message's kind: a ticket's card, the requester's first message (the ticket's thread),
a channel ticket's confirmation, a rating request, a resolution, an approver's DM, the storm
card. `keep` writes each where the desk looks for it, in the same format as ever.

A `Post` names what it becomes in its stored `remember` pair (`("rating", 12)`); `kept_of`
reads that pair once, here, into one of these."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.domain.owed import Card, Message, Post, StormCard
from bot.domain.ticket import Origin
from store.base import Transaction
from store.records import (
    APPROVAL_DMS,
    CONFIRMATION,
    CONFIRMED_AT,
    OPEN_SURVEYS,
    RATINGS_AT,
    RESOLVED_AT,
    STORMS,
    THREADS,
    Place,
)


@dataclass(frozen=True)
class TicketCard:
    """The ticket's triage card: edited as the ticket moves; replies in its thread find it."""

    ticket: int


@dataclass(frozen=True)
class RequesterOrigin:
    """The requester's first message (a form's DM): its thread becomes the ticket's, and it is
    redrawn as the ticket moves (`CONFIRMATION`)."""

    ticket: int


@dataclass(frozen=True)
class ThreadConfirmation:
    """A channel ticket's confirmation in its thread: redrawn when the urgency or area changes."""

    ticket: int


@dataclass(frozen=True)
class RatingRequest:
    """The rating request: open until it closes (`Ratings.close_expired`)."""

    ticket: int


@dataclass(frozen=True)
class Resolution:
    """The requester's resolution message, with its reopen button."""

    ticket: int


@dataclass(frozen=True)
class ApproverDm:
    """An approver's DM with Approve / Deny, edited when someone else decides their level."""

    request: str  # `<request id>:<approver>`


@dataclass(frozen=True)
class StormCardAt:
    """The storm card: edited as its tickets move."""

    storm: str


OfTicket = TicketCard | RequesterOrigin | ThreadConfirmation | RatingRequest | Resolution
Kept = OfTicket | ApproverDm | StormCardAt

# A `Post`'s stored `remember` name -> what its place is kept as (a ticket's number follows).
_BY_TICKET: dict[str, type[OfTicket]] = {
    "card": TicketCard,
    "origin": RequesterOrigin,
    "confirmation": ThreadConfirmation,
    "rating": RatingRequest,
    "resolution": Resolution,
}


def kept_of(remember: tuple[str, int | str]) -> Kept | None:
    """A `Post`'s stored `remember` pair, typed; None for one naming nothing known."""
    kind, key = remember
    if kind == "approval_dm":
        return ApproverDm(str(key))
    made = _BY_TICKET.get(kind)
    return made(key) if made is not None and isinstance(key, int) else None


def keeping(message: Message) -> Kept | None:
    """What the message's place is recorded as once it is posted, by its kind."""
    match message:
        case Card(ticket=number):
            return TicketCard(number)
        case StormCard(storm=storm):
            return StormCardAt(storm)
        case Post(remember=remember) if remember is not None:
            return kept_of(remember)
    return None


def keep(tx: Transaction, kept: Kept, at: Place) -> None:
    """Record where the message went, where the desk looks for it (`store.records`' tables
    write each as it was always written)."""
    match kept:
        case ApproverDm(request=request):
            tx.put(APPROVAL_DMS, request, (*(tx.get(APPROVAL_DMS, request) or ()), at))
        case StormCardAt(storm=key):
            storm = tx.get(STORMS, key)
            if storm is None:
                raise KeyError(key)
            tx.put(STORMS, key, replace(storm, card=str(at)))
        case RatingRequest(ticket=number):
            tx.put(RATINGS_AT, str(number), at)
            tx.put(OPEN_SURVEYS, str(number), at)  # until it closes (`Ratings.close_expired`)
        case Resolution(ticket=number):
            tx.put(RESOLVED_AT, str(number), at)
        case ThreadConfirmation(ticket=number):
            tx.put(CONFIRMED_AT, str(number), at)
        case TicketCard(ticket=number):
            if (ticket := tx.ticket(number)) is not None:
                tx.save_ticket(replace(ticket, card=str(at)))
                tx.put(THREADS, str(at), number)
        case RequesterOrigin(ticket=number):
            if (ticket := tx.ticket(number)) is not None:
                tx.put(CONFIRMATION, str(number), at)
                tx.save_ticket(replace(ticket, origin=Origin(at.channel, at.ts, ticket.origin.via)))
                tx.put(THREADS, str(at), number)
