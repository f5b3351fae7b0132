"""The registry of renderers: for each kind of owed message (`bot.domain.owed.Message`), the
one function that turns it, with what it reads of the store as it is sent, into what is posted
(`Drawn`), or None when there is nothing left to send. Renderers read; they never write the
store nor call Slack (the outbox does both). What only a feature can work out (a Home's view,
the weekly report's chart) comes from `Features`, handed in by the composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from bot.delivery.drawing import (
    card_for,
    chart_name,
    confirmation_for,
    confirmation_in_thread,
    notice_for,
    storm_card_for,
)
from bot.delivery.places import split_place
from bot.delivery.records import stands_for_dm
from bot.desk import Desk
from bot.domain.intake import conversation_key
from bot.domain.notices import TRIAGE, person_of
from bot.domain.owed import (
    Card,
    CardThread,
    ConfirmationOf,
    Conversation,
    DigestOf,
    DirectMessage,
    Edit,
    HomeOf,
    InThread,
    Message,
    NoticeOf,
    Post,
    Prompt,
    ReportOf,
    StormCard,
    Thread,
    Where,
    where_of,
)
from bot.domain.ticket import Ticket
from bot.i18n import Words
from bot.slack.blocks import context
from bot.slack.digest_blocks import digest_id
from bot.slack.links import linked
from bot.slack.mrkdwn import escape
from bot.slack.notice_blocks import notice_id
from bot.slack.report_blocks import report_title
from bot.slack.said_blocks import from_team, open_in_triage
from store.base import Transaction
from store.records import CONFIRMATION, CONFIRMED_AT, DIGESTS, DMS, DRAFTS, REPORTS, STORM_OF, STORMS

Blocks = list[dict[str, Any]]


class Unsendable(Exception):
    """The message has nowhere to go (its ticket or card is gone): it is parked."""


@dataclass(frozen=True)
class Upload:
    content: bytes
    filename: str  # unique per message: the desk finds an earlier upload by it
    title: str
    alt: str


# A message ready to go is one of four things, each with only what it needs.
@dataclass(frozen=True)
class Posting:
    """A new message, posted to `to` (in `thread`)."""

    to: Where
    text: str
    blocks: Blocks
    thread: Thread | None = None
    broadcast: bool = False
    marker: str | None = None  # a block_id that names it too (notices, digests): looked for by it
    always_look: bool = False  # it may have been posted by other means (a digest sent by hand)


@dataclass(frozen=True)
class Editing:
    """New words for the message at `ts` in `to`."""

    to: Where
    ts: str
    text: str
    blocks: Blocks
    hook: str | None = None  # the response_url of a click on the message, to replace it by


@dataclass(frozen=True)
class Publishing:
    """A person's App Home view, published (it replaces the whole tab)."""

    person: str
    view: dict[str, Any]


@dataclass(frozen=True)
class Uploading:
    """A file uploaded to `to`, with the text as its comment."""

    to: Where
    text: str
    upload: Upload


Drawn = Posting | Editing | Publishing | Uploading


@dataclass(frozen=True)
class Features:
    """What drawing and settling ask of the desk's features, handed in by the composition root
    (`bot.app.delivery_features`), so the outbox never imports a feature."""

    home_view: Callable[[str], Awaitable[dict[str, Any]]]  # a person's App Home as things stand
    report: Callable[[date, str], Awaitable[tuple[str, bytes, str]]]  # a week's text, chart, alt
    card_delivered: Callable[[Transaction, int], None]  # what a ticket's delivered card changes


@dataclass(frozen=True)
class Drawing:
    """What a renderer draws with: the desk (read, never written) and the features' views."""

    desk: Desk
    features: Features


M = TypeVar("M")
Renderer = Callable[[Drawing, M], Awaitable[Drawn | None]]
RENDERERS: dict[type[Any], Renderer[Any]] = {}


def renders(kind: type[M]) -> Callable[[Renderer[M]], Renderer[M]]:
    """Register the renderer of one kind of owed message."""

    def register(renderer: Renderer[M]) -> Renderer[M]:
        if kind in RENDERERS:
            raise ValueError(f"two renderers for {kind.__name__}")
        RENDERERS[kind] = renderer
        return renderer

    return register


async def draw(drawing: Drawing, message: Message) -> Drawn | None:
    """The message as it goes now; None when there is nothing left to send."""
    renderer = RENDERERS.get(type(message))
    if renderer is None:
        raise TypeError(message)
    return await renderer(drawing, message)


# -- words given when owed -------------------------------------------------------------------
@renders(Post)
async def _post(drawing: Drawing, message: Post) -> Drawn:
    text, blocks = message.text, message.blocks
    if message.about is not None:
        desk = drawing.desk
        team = await _team_of(desk, message.about)
        reader = _reader(desk, message.to)
        if team:  # a DM from the desk's one app: say which team it is from
            text, blocks = f"{team}: {text}", [context(from_team(escape(team), reader)), *blocks]
        blocks = [*blocks, *await _card_link(desk, message.about, reader)]
    return Posting(message.to, text, blocks, message.thread, broadcast=message.broadcast)


async def _team_of(desk: Desk, number: int) -> str | None:
    """The name of the team a ticket belongs to, with several teams (None with one)."""
    if not desk.staff.several:
        return None
    ticket = await desk.store.ticket(number)
    return desk.team_of(ticket).name if ticket is not None else None


def _reader(desk: Desk, to: Where) -> Words:
    """The language of whoever reads a message: a person's own, a channel's the desk's."""
    return desk.known_words(to.person) if isinstance(to, DirectMessage) else desk.words


async def _card_link(desk: Desk, number: int, reader: Words) -> Blocks:
    """A line linking to the ticket's card, once the card is in the triage channel."""
    ticket = await desk.store.ticket(number)
    url = desk.link(ticket.card) if ticket is not None else None
    if url is None:
        return []
    opened = open_in_triage(desk.ref(number), reader)
    return [context(f":card_index_dividers: {linked(url, opened)}")]


@renders(Edit)
async def _edit(drawing: Drawing, message: Edit) -> Drawn:
    return Editing(Conversation(message.channel), message.ts, message.text, message.blocks, message.hook)


@renders(Prompt)
async def _prompt(drawing: Drawing, prompt: Prompt) -> Drawn:
    store = drawing.desk.store
    ts, channel, key = prompt.ts, prompt.channel, prompt.key
    if stands_for_dm(channel) and (dm := await store.get(DMS, channel)) is not None:
        # Owed before the person's DM was known; its draft may have moved there since.
        moved = conversation_key(channel, dm, None)
        there = await store.get(DRAFTS, moved)
        if there is not None and there.id == prompt.draft:
            channel, key = dm, moved
    if ts is None and (draft := await store.get(DRAFTS, key)) is not None:
        ts = draft.prompt if draft.id == prompt.draft else None
    # A person's id stands for their DM (`where_of`): the outbox opens it to post there.
    if ts is not None:
        return Editing(where_of(channel), ts, prompt.text, prompt.blocks, prompt.hook)
    thread = InThread(prompt.thread) if prompt.thread else None
    return Posting(where_of(channel), prompt.text, prompt.blocks, thread)


# -- drawn as things stand when sent -----------------------------------------------------------
async def _ticket(desk: Desk, number: int) -> Ticket:
    ticket = await desk.store.ticket(number)
    if ticket is None:
        raise Unsendable("no such ticket")
    return ticket


@renders(Card)
async def _card(drawing: Drawing, message: Card) -> Drawn:
    desk = drawing.desk
    ticket = await _ticket(desk, message.ticket)
    text, blocks = card_for(desk, ticket)
    if ticket.card is not None:
        channel, ts = split_place(ticket.card)
        return Editing(Conversation(channel), ts, text, blocks)
    return Posting(Conversation(desk.triage_of(ticket)), text, blocks)


@renders(ConfirmationOf)
async def _confirmation(drawing: Drawing, message: ConfirmationOf) -> Drawn | None:
    """The requester's confirmation as the ticket stands, edited in place; None while its
    place is not known (a ticket opened before confirmations were redrawn)."""
    desk = drawing.desk
    ticket = await desk.store.ticket(message.ticket)
    if ticket is None:
        return None
    if (where := await desk.store.get(CONFIRMED_AT, str(ticket.number))) is not None:
        text, blocks = confirmation_in_thread(desk, ticket)  # with its urgency and area
    elif (where := await desk.store.get(CONFIRMATION, str(ticket.number))) is not None:
        text, blocks = confirmation_for(desk, ticket)
    else:
        return None
    return Editing(Conversation(where.channel), where.ts, text, blocks)


@renders(StormCard)
async def _storm_card(drawing: Drawing, message: StormCard) -> Drawn:
    desk = drawing.desk
    storm = await desk.store.get(STORMS, message.storm)
    if storm is None:
        raise KeyError(message.storm)
    tickets = [t for n in storm.tickets if (t := await desk.store.ticket(n)) is not None]
    text, blocks = storm_card_for(desk, storm, tickets)
    if storm.card:
        return Editing(Conversation(desk.main_triage), split_place(storm.card)[1], text, blocks)
    return Posting(Conversation(desk.main_triage), text, blocks)


@renders(NoticeOf)
async def _notice(drawing: Drawing, owed: NoticeOf) -> Drawn | None:
    desk = drawing.desk
    ticket = await desk.store.ticket(owed.ticket)
    notice = next((n for n in ticket.notices if n.key == owed.notice), None) if ticket else None
    if ticket is None or notice is None or owed.destination not in notice.owed:
        return None  # struck off already
    if owed.destination == TRIAGE and ticket.card is None and await _on_storm(desk, ticket.number):
        return None  # the storm card counts its missed targets: no notice each
    person = person_of(owed.destination)
    words = await desk.words_for(person)  # a DM in its reader's language, the thread in the desk's
    text, blocks = notice_for(desk, ticket, notice, owed.destination, words)
    marker = notice_id(ticket.number, notice, owed.destination)
    if person is not None:
        return Posting(DirectMessage(person), text, blocks, marker=marker)
    triage = Conversation(desk.triage_of(ticket))
    return Posting(triage, text, blocks, CardThread(ticket.number), broadcast=True, marker=marker)


async def _on_storm(desk: Desk, number: int) -> bool:
    return await desk.store.get(STORM_OF, str(number)) is not None


@renders(DigestOf)
async def _digest(drawing: Drawing, owed: DigestOf) -> Drawn | None:
    record = await drawing.desk.store.get(DIGESTS, owed.record)
    if record is None or owed.place not in record.owed:
        return None
    person = person_of(owed.place)
    to: Where = DirectMessage(person) if person else Conversation(owed.place.partition(":")[2])
    marker = digest_id(date.fromisoformat(owed.day), owed.team)
    return Posting(to, record.text, record.blocks, marker=marker, always_look=True)


@renders(HomeOf)
async def _home(drawing: Drawing, owed: HomeOf) -> Drawn:
    view = await drawing.features.home_view(owed.person)
    return Publishing(owed.person, view)


@renders(ReportOf)
async def _report(drawing: Drawing, owed: ReportOf) -> Drawn | None:
    desk = drawing.desk
    record = await desk.store.get(REPORTS, owed.record)
    if record is None or owed.lead not in record.owed:
        return None
    week = date.fromisoformat(owed.week)
    text, png, alt = await drawing.features.report(week, owed.team)
    title = report_title(week, owed.team, desk.words)
    upload = Upload(png, chart_name(week, owed.team), title, alt)
    return Uploading(DirectMessage(owed.lead), text, upload)
