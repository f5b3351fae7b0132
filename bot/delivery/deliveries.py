"""What each kind of owed message says and where it goes, worked out as it is sent, and what
its delivery changes in the store. The outbox (`bot.delivery.outbox`) applies one set of rules to
all of them; this module is where the kinds differ: which line each waits in, what it follows,
and, through the registry of renderers (`bot.delivery.renderers`) and the typed record of
where it went (`bot.delivery.kept`), how it is drawn and what its place becomes. It imports no
feature: what needs one comes in as `Features` from the composition root (`bot.app`).
"""

from __future__ import annotations

from dataclasses import replace

from bot.delivery.kept import keep, keeping
from bot.delivery.records import move_draft, stands_for_dm, strike
from bot.delivery.renderers import Drawing, Drawn, Features, draw
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
    where_of,
)
from bot.ports import Posted
from store.base import Transaction
from store.records import DIGESTS, DRAFTS, REPORTS, Place


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
    conversation goes on without it (`bot.delivery.parking`)."""
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


def claims_of(message: Message, triage: str) -> frozenset[str]:
    """What a message holds while it is on its way (`bot.delivery.sending`): its line and its
    threads (`threads_of`), so nothing of either goes beside it."""
    return frozenset({line_of(message, triage), *threads_of(message)})


def threads_of(message: Message) -> set[str]:
    """The threads a message keeps its place in while on its way, across conversations: the
    one it follows; for what a requester is told about a ticket (its resolution, the rating
    request, which may wait in a line of another name for the same DM), the requester's
    thread; for a DM or notice about a ticket, which links to its card, the card's. (A
    requester's confirmation, once in Slack, is redrawn in a line of its own: its edit, which
    Slack's pace may hold, never holds up the thread.)"""
    threads = set() if (thread := follows(message)) is None else {thread}
    match message:
        case Post(remember=(_, int(number))):
            threads.add(f"origin:{number}")
        case NoticeOf(ticket=number):
            threads.add(f"ticket:{number}")
    if isinstance(message, Post) and message.about is not None:
        threads.add(f"ticket:{message.about}")
    return threads


class Deliveries:
    def __init__(self, desk: Desk, features: Features) -> None:
        self.desk = desk
        self.drawing = Drawing(desk, features)
        self.features = features

    async def draw(self, message: Message) -> Drawn | None:
        """The message as it goes now, by its kind's renderer; None when there is nothing left
        to send."""
        return await draw(self.drawing, message)

    def delivered(self, tx: Transaction, message: Message, posted: Posted | None) -> None:
        """Record, in the transaction striking the message off, what its delivery changed."""
        if isinstance(message, Card):  # what the card shows changed: the storm card's counts, Homes
            self.features.card_delivered(tx, message.ticket)
        if posted is not None and (kept := keeping(message)) is not None:
            keep(tx, kept, Place(posted.channel, posted.ts))
        match message:
            case Prompt() if posted is not None:
                self._prompt_posted(tx, message, posted)
            case NoticeOf():
                ticket = tx.ticket(message.ticket)
                if ticket is not None:
                    tx.save_ticket(ticket.notice_delivered(message.notice, message.destination))
            case ReportOf():
                strike(tx, REPORTS, message.record, message.lead, self.desk.clock.now())
            case DigestOf():
                strike(tx, DIGESTS, message.record, message.place, self.desk.clock.now())

    @staticmethod
    def _prompt_posted(tx: Transaction, message: Prompt, posted: Posted) -> None:
        """The question is in Slack: its draft learns where, so later turns edit it. A draft
        started in the person's id (their DM was not known) moves to the DM it went to."""
        person = message.key.split(":", 1)[0]
        for key in (message.key, conversation_key(person, posted.channel, message.thread)):
            draft = tx.get(DRAFTS, key)
            if draft is None or draft.id != message.draft:
                continue
            if stands_for_dm(draft.channel) and draft.channel != posted.channel:
                taken = tx.get(DRAFTS, conversation_key(person, posted.channel, draft.thread))
                if taken is None or taken.stage.over:
                    draft = move_draft(tx, draft, posted.channel)
            tx.put(DRAFTS, draft.key, replace(draft, prompt=posted.ts))
            return
