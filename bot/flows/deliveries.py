"""What each kind of owed message says and where it goes, worked out as it is sent, and what
its delivery changes in the store. The outbox (`bot.flows.outbox`) applies one set of rules to
all of them; this module is where the kinds differ.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

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
    RequesterThread,
    StormCard,
    Thread,
    Where,
    where_of,
)
from bot.domain.ticket import Origin
from bot.flows.channel_ticket import confirmation_in_thread
from bot.flows.digest import DIGESTS
from bot.flows.escalation import notice_for
from bot.flows.home import Homes
from bot.flows.intake import move_draft, stands_for_dm
from bot.flows.opening import card_for, confirmation_for, place, split_place
from bot.flows.owed import storm_card
from bot.flows.report import REPORTS, Reports, chart_name, report_title
from bot.flows.storm import Storms
from bot.i18n import Words
from bot.slack.blocks import context
from bot.slack.digest_blocks import digest_id
from bot.slack.gateway import Posted
from bot.slack.links import linked
from bot.slack.mrkdwn import escape
from bot.slack.notice_blocks import notice_id
from bot.slack.said_blocks import from_team, open_in_triage
from store.approval_codec import APPROVAL_DMS
from store.base import Transaction
from store.codec import draft_from_doc, draft_to_doc
from store.names import (
    CONFIRMATION,
    CONFIRMED_AT,
    DMS,
    DRAFTS,
    OPEN_SURVEYS,
    RATINGS_AT,
    RESOLVED_AT,
    STORM_OF,
    STORMS,
    THREADS,
)

Blocks = list[dict[str, Any]]


class Unsendable(Exception):
    """The message has nowhere to go (its ticket or card is gone): it is parked."""


@dataclass(frozen=True)
class Upload:
    content: bytes
    filename: str  # unique per message: the desk finds an earlier upload by it
    title: str
    alt: str


@dataclass(frozen=True)
class Drawn:
    """A message ready to go: posted to `to` (in `thread`), or `edit`ing the message at that ts."""

    to: Where
    text: str
    blocks: Blocks
    thread: Thread | None = None
    edit: str | None = None
    broadcast: bool = False
    home: dict[str, Any] | None = None  # an App Home view to publish for `to`'s person
    upload: Upload | None = None  # a file to upload with the text as its comment
    marker: str | None = None  # a block_id that names it too (notices, digests): looked for by it
    hook: str | None = None  # an edit: the response_url of a click on the message, to replace it by
    always_look: bool = False  # it may have been posted by other means (a digest sent by hand)


def line_of(message: Message, triage: str) -> str:
    """The line the message waits in: one per conversation, so each gets its messages in order."""
    match message:
        case Post(to=DirectMessage(person=person)):
            return f"dm:{person}"
        case Post(to=Conversation(id=channel)) | Edit(channel=channel) | Prompt(channel=channel):
            return channel
        case Card():
            return triage
        case StormCard():
            return f"storm:{triage}"  # its updates never hold back the cards
        case NoticeOf(destination=destination):
            lead = person_of(destination)
            return triage if lead is None else f"dm:{lead}"
        case DigestOf(place=where):
            reader = person_of(where)
            return where.partition(":")[2] if reader is None else f"dm:{reader}"
        case HomeOf(person=person):
            return f"home:{person}"
        case ReportOf(lead=lead):
            return f"dm:{lead}"
        case ConfirmationOf(ticket=number, origin=None):  # the first sending is in Slack
            return f"confirmation:{number}"
        case ConfirmationOf(origin=str(origin)):  # the line its first sending waits in
            return line_of(Post(where_of(origin), "", []), triage)
    raise TypeError(message)


def follows(message: Message) -> str | None:
    """What the message must come after, when anything: the messages of one thread (a card,
    its edits and its thread's replies and notices; the requester's first message and its
    thread; one intake conversation's prompts; one message's edits; a person's DMs about one
    ticket). Only these keep their order when one of them cannot be delivered: the rest of a
    conversation goes on without it (`bot.flows.parking`)."""
    match message:
        case Card(ticket=number):
            return f"ticket:{number}"
        case NoticeOf(ticket=number, destination=destination) if destination == TRIAGE:
            return f"ticket:{number}"
        case Post(thread=CardThread(ticket=number)):
            return f"ticket:{number}"
        case Post(thread=RequesterThread(ticket=number)) | Post(remember=("origin", number)):
            return f"origin:{number}"
        case Post(thread=InThread(ts=ts)):
            return f"thread:{line_of(message, '')}:{ts}"
        case Post(to=DirectMessage(person=person), about=int(number)):
            return f"dm:{person}:ticket:{number}"
        case Edit(channel=channel, ts=ts):
            return f"message:{channel}:{ts}"
        case Prompt(key=key):
            return f"prompt:{key}"
        case StormCard(storm=storm):
            return f"storm:{storm}"
    return None


class Deliveries:
    def __init__(self, desk: Desk, storms: Storms) -> None:
        self.desk = desk
        self.storms = storms
        self.homes = Homes(desk)
        self.reports = Reports(desk)

    # -- drawing ---------------------------------------------------------------------------
    async def draw(self, message: Message) -> Drawn | None:
        """The message as it goes now; None when there is nothing left to send."""
        match message:
            case Post():
                text, blocks = message.text, message.blocks
                if message.about is not None:
                    team = await self._team_of(message.about)
                    reader = self._reader(message.to)
                    if team:  # a DM from the desk's one app: say which team it is from
                        text, blocks = f"{team}: {text}", [context(from_team(escape(team), reader)), *blocks]
                    blocks = [*blocks, *await self._card_link(message.about, reader)]
                return Drawn(message.to, text, blocks, message.thread, broadcast=message.broadcast)
            case Edit():
                return Drawn(
                    Conversation(message.channel),
                    message.text,
                    message.blocks,
                    edit=message.ts,
                    hook=message.hook,
                )
            case Card():
                return await self._card(message.ticket)
            case StormCard():
                storm, text, blocks = await self.storms.draw(message.storm)
                edit = split_place(storm.card)[1] if storm.card else None
                return Drawn(Conversation(self.desk.main_triage), text, blocks, edit=edit)
            case Prompt():
                return await self._prompt(message)
            case NoticeOf():
                return await self._notice(message)
            case DigestOf():
                return await self._digest(message)
            case HomeOf(person=person):
                view = await self.homes.view(person)
                return Drawn(DirectMessage(person), "", view["blocks"], home=view)
            case ReportOf():
                return await self._report(message)
            case ConfirmationOf(ticket=number):
                return await self._confirmation(number)
        raise TypeError(message)

    async def _team_of(self, number: int) -> str | None:
        """The name of the team a ticket belongs to, with several teams (None with one)."""
        if not self.desk.staff.several:
            return None
        ticket = await self.desk.store.ticket(number)
        return self.desk.team_of(ticket).name if ticket is not None else None

    def _reader(self, to: Where) -> Words:
        """The language of whoever reads a message: a person's own, a channel's the desk's."""
        return self.desk.known_words(to.person) if isinstance(to, DirectMessage) else self.desk.words

    async def _card_link(self, number: int, reader: Words) -> Blocks:
        """A line linking to the ticket's card, once the card is in the triage channel."""
        ticket = await self.desk.store.ticket(number)
        url = self.desk.link(ticket.card) if ticket is not None else None
        if url is None:
            return []
        opened = open_in_triage(self.desk.ref(number), reader)
        return [context(f":card_index_dividers: {linked(url, opened)}")]

    async def _card(self, number: int) -> Drawn:
        ticket = await self.desk.store.ticket(number)
        if ticket is None:
            raise Unsendable("no such ticket")
        text, blocks = card_for(self.desk, ticket)
        if ticket.card is not None:
            channel, ts = split_place(ticket.card)
            return Drawn(Conversation(channel), text, blocks, edit=ts)
        return Drawn(Conversation(self.desk.triage_of(ticket)), text, blocks)

    async def _confirmation(self, number: int) -> Drawn | None:
        """The requester's confirmation as the ticket stands, edited in place; None while its
        place is not known (a ticket opened before confirmations were redrawn)."""
        ticket = await self.desk.store.ticket(number)
        if ticket is None:
            return None
        if (where := await self.desk.store.record(CONFIRMED_AT, str(number))) is not None:
            text, blocks = confirmation_in_thread(self.desk, ticket)  # with its urgency and area
        elif (where := await self.desk.store.record(CONFIRMATION, str(number))) is not None:
            text, blocks = confirmation_for(self.desk, ticket)
        else:
            return None
        channel, ts = split_place(str(where))
        return Drawn(Conversation(channel), text, blocks, edit=ts)

    async def _prompt(self, prompt: Prompt) -> Drawn:
        ts, channel, key = prompt.ts, prompt.channel, prompt.key
        if stands_for_dm(channel) and (dm := await self.desk.store.record(DMS, channel)) is not None:
            # Owed before the person's DM was known; its draft may have moved there since.
            moved = conversation_key(channel, str(dm), None)
            doc = await self.desk.store.record(DRAFTS, moved)
            if doc and draft_from_doc(doc).id == prompt.draft:
                channel, key = str(dm), moved
        if ts is None and (doc := await self.desk.store.record(DRAFTS, key)) is not None:
            draft = draft_from_doc(doc)
            ts = draft.prompt if draft.id == prompt.draft else None
        thread = InThread(prompt.thread) if prompt.thread else None
        # A person's id stands for their DM (`where_of`): the outbox opens it to post there.
        return Drawn(where_of(channel), prompt.text, prompt.blocks, thread, edit=ts, hook=prompt.hook)

    async def _notice(self, owed: NoticeOf) -> Drawn | None:
        ticket = await self.desk.store.ticket(owed.ticket)
        notice = next((n for n in ticket.notices if n.key == owed.notice), None) if ticket else None
        if ticket is None or notice is None or owed.destination not in notice.owed:
            return None  # struck off already
        if owed.destination == TRIAGE and ticket.card is None and await self._on_storm(ticket.number):
            return None  # the storm card counts its missed targets: no notice each
        person = person_of(owed.destination)
        words = await self.desk.words_for(person)  # a DM in its reader's language, the thread in the desk's
        text, blocks = notice_for(self.desk, ticket, notice, owed.destination, words)
        marker = notice_id(ticket.number, notice, owed.destination)
        if person is not None:
            return Drawn(DirectMessage(person), text, blocks, marker=marker)
        triage = Conversation(self.desk.triage_of(ticket))
        return Drawn(triage, text, blocks, CardThread(ticket.number), broadcast=True, marker=marker)

    async def _on_storm(self, number: int) -> bool:
        return await self.desk.store.record(STORM_OF, str(number)) is not None

    async def _digest(self, owed: DigestOf) -> Drawn | None:
        record = await self.desk.store.record(DIGESTS, owed.record)
        if record is None or owed.place not in record["owed"]:
            return None
        person = person_of(owed.place)
        to: Where = DirectMessage(person) if person else Conversation(owed.place.partition(":")[2])
        marker = digest_id(date.fromisoformat(owed.day), owed.team)
        return Drawn(to, record["text"], record["blocks"], marker=marker, always_look=True)

    async def _report(self, owed: ReportOf) -> Drawn | None:
        record = await self.desk.store.record(REPORTS, owed.record)
        if record is None or owed.lead not in record["owed"]:
            return None
        week = date.fromisoformat(owed.week)
        text, png, alt = await self.reports.compose(week, owed.team)
        title = report_title(week, owed.team, self.desk.words)
        upload = Upload(png, chart_name(week, owed.team), title, alt)
        return Drawn(DirectMessage(owed.lead), text, [], upload=upload)

    # -- settling ----------------------------------------------------------------------------
    def delivered(self, tx: Transaction, message: Message, posted: Posted | None) -> None:
        """Record, in the transaction striking the message off, what its delivery changed."""
        match message:
            case Card(ticket=number):
                if (storm := tx.record(STORM_OF, str(number))) is not None:
                    storm_card(tx, storm)  # its counts changed
                if (ticket := tx.ticket(number)) is not None:
                    self.homes.owe_for(tx, ticket)  # what the card shows changed: so may their Homes
                if posted is not None:
                    self._remember(tx, ("card", number), posted)
            case StormCard(storm=key) if posted is not None:
                record = tx.record(STORMS, key)
                tx.put(STORMS, key, {**record, "card": place(posted.channel, posted.ts)})
            case Post(remember=remember) if posted is not None and remember is not None:
                self._remember(tx, remember, posted)
            case Prompt() if posted is not None:
                self._prompt_posted(tx, message, posted)
            case NoticeOf():
                ticket = tx.ticket(message.ticket)
                if ticket is not None:
                    tx.save_ticket(ticket.notice_delivered(message.notice, message.destination))
            case ReportOf():
                self._strike(tx, REPORTS, message.record, message.lead)
            case DigestOf():
                self._strike(tx, DIGESTS, message.record, message.place)

    @staticmethod
    def _prompt_posted(tx: Transaction, message: Prompt, posted: Posted) -> None:
        """The question is in Slack: its draft learns where, so later turns edit it. A draft
        started in the person's id (their DM was not known) moves to the DM it went to."""
        person = message.key.split(":", 1)[0]
        for key in (message.key, conversation_key(person, posted.channel, message.thread)):
            doc = tx.record(DRAFTS, key)
            draft = draft_from_doc(doc) if doc else None
            if draft is None or draft.id != message.draft:
                continue
            if stands_for_dm(draft.channel) and draft.channel != posted.channel:
                taken = tx.record(DRAFTS, conversation_key(person, posted.channel, draft.thread))
                if taken is None or draft_from_doc(taken).stage.over:
                    draft = move_draft(tx, draft, posted.channel)
            tx.put(DRAFTS, draft.key, draft_to_doc(replace(draft, prompt=posted.ts)))
            return

    def _strike(self, tx: Transaction, table: str, key: str, place: str) -> None:
        """Strike `place` off a recorded digest's or report's `owed`, noting when it got there."""
        record = tx.record(table, key)
        if record is None:
            return
        owed = [p for p in record["owed"] if p != place]
        delivered = {**record["delivered"], place: self.desk.clock.now().isoformat()}
        tx.put(table, key, {**record, "owed": owed, "delivered": delivered})

    def _remember(self, tx: Transaction, what: tuple[str, int | str], posted: Posted) -> None:
        kind, number = what
        where = place(posted.channel, posted.ts)
        if kind == "approval_dm":  # edited when someone else decides the approver's level
            places = list(tx.record(APPROVAL_DMS, str(number)) or [])
            tx.put(APPROVAL_DMS, str(number), [*places, where])
            return
        if not isinstance(number, int):
            return
        if kind == "rating":
            tx.put(RATINGS_AT, str(number), where)
            tx.put(OPEN_SURVEYS, str(number), where)  # until it closes (`Ratings.close_expired`)
            return
        if kind == "resolution":
            tx.put(RESOLVED_AT, str(number), where)
            return
        if kind == "confirmation":  # in a channel thread: redrawn when the urgency or area changes
            tx.put(CONFIRMED_AT, str(number), where)
            return
        ticket = tx.ticket(number)
        if ticket is None:
            return
        if kind == "card":
            tx.save_ticket(replace(ticket, card=where))
        else:  # the confirmation: its thread is the ticket's, and it is redrawn as it moves
            tx.put(CONFIRMATION, str(number), where)
            tx.save_ticket(replace(ticket, origin=Origin(posted.channel, posted.ts, ticket.origin.via)))
        tx.put(THREADS, where, number)
