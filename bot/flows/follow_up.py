"""Messages written in a ticket's threads.

The requester's words in their ticket thread join the ticket's trail and are shown to the
agents in the card's thread. What agents write in the card's thread is an internal note:
kept in the trail, never sent to the requester. What the team's agents write in a channel
ticket's thread (a request channel's, a :ticket: message's) is a public reply: the requester
reads it there, it counts as the first response, and the card's thread shows it.
"""

from __future__ import annotations

from bot.delivery import owed
from bot.delivery.places import place
from bot.desk import Desk
from bot.domain.errors import DeskError
from bot.domain.ticket import Action, Status
from bot.slack import said_blocks
from bot.slack.payloads import Heard
from store.records import THREADS, Place


async def ticket_thread(desk: Desk, heard: Heard) -> int | None:
    """The ticket whose thread the message was written in, if any."""
    if heard.thread is None:
        return None
    return await desk.store.get(THREADS, str(Place(heard.channel, heard.thread)))


async def follow_up(desk: Desk, number: int, heard: Heard) -> None:
    """Add the message to the ticket: the requester's as a follow-up (shown to agents), an
    agent's in the card's thread as an internal note. Anyone else's words are left alone."""
    now = desk.clock.now()
    where = place(heard.channel, heard.thread or "")
    async with desk.store.transaction() as tx:
        ticket = tx.ticket(number)
        if ticket is None or tx.done_before(heard.key):
            return
        in_requester_thread = where == place(ticket.origin.channel, ticket.origin.thread or "")
        if where == ticket.card and desk.staff.is_staff(heard.user):
            action = Action.NOTE
        elif in_requester_thread and heard.user == ticket.requester:
            action = Action.FOLLOW_UP
        elif in_requester_thread and desk.team_of(ticket).is_agent(heard.user):
            action = Action.REPLIED  # in a channel's thread, where the requester reads it
        else:
            return
        try:
            if action is Action.REPLIED:
                updated = ticket.reply(heard.user, heard.text, now)
            else:
                updated = ticket.record(action, heard.user, heard.text, now)
        except DeskError:
            return
        tx.save_ticket(updated)
        tx.mark_done(heard.key, now)
        if action is Action.REPLIED:
            if (updated.assignee, updated.first_response_at) != (ticket.assignee, ticket.first_response_at):
                owed.card(tx, number)  # answered: the first-response target is met
            mirrored = said_blocks.replied_in_thread(heard.user, heard.text, words=desk.words)
            fallback = said_blocks.agent_replied(desk.ref(number), words=desk.words)
            owed.to_card_thread(tx, updated, desk.triage_of(updated), mirrored, fallback)
            return
        if ticket.status is Status.WAITING and updated.status is not Status.WAITING:
            owed.card(tx, number)  # the answer the ticket waited for: back with its assignee
            if updated.assignee:
                ref = desk.ref(number)
                theirs = desk.known_words(updated.assignee)
                answered = said_blocks.answered_back(heard.user, ref, heard.text, words=theirs)
                owed.to_person(tx, updated, updated.assignee, "answered", answered)
        if action is Action.FOLLOW_UP:  # shown to the agents in the card's thread
            text = said_blocks.requester_added(heard.user, heard.text, words=desk.words)
            fallback = said_blocks.requester_added_fallback(desk.ref(number), words=desk.words)
            owed.to_card_thread(tx, updated, desk.triage_of(updated), text, fallback)
