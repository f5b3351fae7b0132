"""Tickets waiting on the requester (SPEC §10): one reminder after `pending.remind_after`,
then closed after `pending.close_after`, both counted from when the wait began.

Run with every SLA sweep. Each step is decided and recorded in one transaction with the
message it owes (through the outbox), and the ticket's state says it happened (the wait is
marked reminded; the ticket is resolved), so a sweep after a restart never repeats one.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bot.delivery import owed
from bot.desk import Desk
from bot.domain.ticket import Ticket
from bot.slack.agent_blocks import closed_unanswered_message, reminder_message
from bot.slack.said_blocks import closed_unanswered_note
from bot.slack.when import slack_at
from store.base import Transaction

log = logging.getLogger("desk.pending")
Blocks = list[dict[str, Any]]


class Pending:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def due(self, ticket: Ticket) -> datetime | None:
        """When the waiting ticket's next step falls due (None: it is not waiting)."""
        since = ticket.waiting_since
        if since is None:
            return None
        settings = self.desk.config.pending
        return since + (settings.close_after if ticket.waits[-1].reminded else settings.remind_after)

    async def run(self, now: datetime) -> int:
        """Remind and close what is due; how many tickets moved."""
        due = [t.number for t in await self.desk.store.open_tickets() if (at := self.due(t)) and at <= now]
        for number in due:
            async with self.desk.store.transaction() as tx:
                ticket = tx.ticket(number)
                since = ticket.waiting_since if ticket is not None else None
                if ticket is None or since is None or (self.due(ticket) or now) > now:
                    continue  # answered meanwhile
                if ticket.waits[-1].reminded:
                    self._close(tx, ticket, now)
                else:
                    self._remind(tx, ticket, since, now)
                owed.card(tx, number)
        return len(due)

    def _remind(self, tx: Transaction, ticket: Ticket, since: datetime, now: datetime) -> None:
        words = self.desk.known_words(ticket.requester)
        closes = slack_at(since + self.desk.config.pending.close_after, self.desk.zone, words=words)
        updated = ticket.remind_requester(now)
        tx.save_ticket(updated)
        text, blocks = reminder_message(
            self.desk.ref(ticket.number), ticket.assignee, ticket.question, closes, words=words
        )
        owed.to_requester(tx, updated, "reminder", text, blocks)
        log.info("requester reminded", extra={"ticket": ticket.number})

    def _close(self, tx: Transaction, ticket: Ticket, now: datetime) -> None:
        kept = self.desk.words  # the note is the ticket's: its card shows it in the desk's language
        note = closed_unanswered_note(kept.duration(now - (ticket.waiting_since or now)), words=kept)
        updated = ticket.close_unanswered(note, now)
        tx.save_ticket(updated)
        words = self.desk.known_words(ticket.requester)
        waited = words.duration(now - (ticket.waiting_since or now))
        text, blocks = closed_unanswered_message(
            self.desk.ref(ticket.number), ticket.number, waited, words=words
        )
        owed.to_requester(tx, updated, "closed", text, blocks, remember="resolution")
        log.info("closed for lack of an answer", extra={"ticket": ticket.number})
