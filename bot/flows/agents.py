"""Agents work tickets: claim, reassign, reply, wait, move, resolve, the queue; requesters reopen.

Each action is a typed command (`bot.domain.agents`) carried out by one executor (`carry`): what
needs Slack is looked up before (`prepared`), then under the store's write lock (so two agents
claiming at once cannot both win) the ticket is loaded, `decide`d and, in the same transaction,
saved with its card's redraw and every message owed (the outbox delivers them). The return value
is the private answer for whoever acted; refusals are `DeskError`s with a friendly sentence, and
change nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.delivery import owed
from bot.delivery.places import split_place
from bot.desk import Desk
from bot.domain import agents as rules
from bot.domain.errors import DeskError, NotPermitted, TicketNotFound
from bot.domain.owed import OUTSIDER, Edit, is_outsider
from bot.domain.priority import Priority
from bot.domain.roles import Staff
from bot.domain.sla import next_target, target_states
from bot.domain.ticket import Status, Ticket
from bot.flows import links
from bot.flows.approvals import Approvals
from bot.flows.channel_ticket import redraw_confirmation
from bot.flows.rating import owe_rating_request
from bot.i18n import Words
from bot.ports import Unanswered
from bot.slack import agent_said, approval_blocks, refusals, said_blocks
from bot.slack.agent_blocks import (
    QueueRow,
    handover_message,
    queue_answer,
    reopened_message,
    reply_message,
    resolution_message,
    waiting_message,
    with_team,
)
from bot.slack.answer_blocks import similar_lines
from bot.slack.blocks import section
from bot.slack.details_blocks import details_view
from bot.slack.mrkdwn import plain
from bot.slack.rating_blocks import CLOSED_REOPENED, survey_closed
from bot.slack.summary_blocks import summarise_button
from store.base import Transaction
from store.records import OPEN_SURVEYS, RATINGS_AT, RESOLVED_AT

log = logging.getLogger("desk.agents")
Answer = tuple[str, list[dict[str, Any]]]
DOING = {  # what each command does, as refusals say it
    "/claim": refusals.CLAIM,
    "/reassign": refusals.REASSIGN,
    "/resolve": refusals.RESOLVE,
    "/reply": refusals.REPLY,
    "/wait": refusals.WAIT,
    "/priority": refusals.PRIORITY,
    "/move": refusals.MOVE,
}
SEE_QUEUE, SEE_DETAILS = refusals.SEE_QUEUE, refusals.SEE_DETAILS


class Agents:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    @property
    def staff(self) -> Staff:
        return self.desk.staff

    # -- the agents' rules (`bot.domain.agents`): one executor ------------------------------
    async def claim(self, agent: str, number: int) -> str:
        return await self.answer(rules.Claim(agent, number))

    async def reassign(self, by: str, number: int, to: str) -> str:
        return await self.answer(rules.Reassign(by, number, to))

    async def resolve(self, agent: str, number: int, note: str) -> str:
        return await self.answer(rules.Resolve(agent, number, note))

    async def reopen(self, person: str, number: int) -> str:
        return await self.answer(rules.Reopen(person, number))

    async def answer(self, command: rules.Command) -> str:
        """`run` for a request that cannot come twice: always an answer."""
        said = await self.run(command)
        assert said is not None  # no `once`, so never "acted on already"
        return said

    async def run(self, command: rules.Command, once: str | None = None) -> str | None:
        """Carry out a typed command (`carry`), a refusal worded as the answer for whoever
        acted; None for a request acted on already (`once`: its first delivery was answered)."""
        try:
            return await self.carry(command, once)
        except DeskError as error:
            return await self.desk.explain_to(rules.actor(command), error)

    async def carry(self, command: rules.Command, once: str | None = None) -> str | None:
        """Under the write lock, load the command's ticket, `decide`, and commit the ticket,
        the card's redraw and every message owed in one transaction; then the answer for
        whoever acted. A refusal (`DeskError`) changes nothing and is raised."""
        command = await self.prepared(command)
        person, now = rules.actor(command), self.desk.clock.now()
        config = self.desk.config
        policy = rules.Policy(ask_rating=config.ask_after_resolve, areas=tuple(config.desk.categories))
        async with self.desk.store.transaction() as tx:
            if tx.done_before(once):
                said = rules.again(tx.ticket(command.number), command)
            else:
                before = tx.ticket(command.number)
                outcome = rules.decide(before, command, self.staff, policy, now)
                assert before is not None  # decide refuses a missing ticket
                tx.save_ticket(outcome.ticket)
                if outcome.redraw:
                    owed.card(tx, command.number)
                owing = _Owing(self.desk, tx, before, outcome.ticket, now)
                for message in outcome.owed:
                    OWING[type(message)](owing, message)
                tx.mark_done(once, now)
                said = outcome.answer
        if said is None:
            return None  # acted on already, and nothing more to say
        words = await self.desk.words_for(person)
        return agent_said.answer(said, self.desk.ref(command.number), words)

    async def prepared(self, command: rules.Command) -> rules.Command:
        """What a command needs worded or looked up on the Slack side before its transaction:
        the desk's own question, in the requester's language, for an agent's blank wait; a
        reply's saved reply filled in (an unknown one refused) and its signature."""
        if not self.staff.is_agent(rules.actor(command)):
            return command  # nothing to look up for: `decide` refuses
        if isinstance(command, rules.Reply):
            return await self._reply_prepared(command)
        if isinstance(command, rules.Wait) and not command.question.strip():
            current = await self.desk.store.ticket(command.number)
            words = await self.desk.words_for(current.requester) if current is not None else self.desk.words
            return replace(command, question=said_blocks.default_question(words))
        return command

    async def _reply_prepared(self, command: rules.Reply) -> rules.Reply:
        """`:vpn` filled in, greeting the requester by name (text, not a mention); the reply
        signed with the agent's display name ("An agent", in the requester's language, when
        Slack cannot say it)."""
        current = await self.desk.store.ticket(command.number)
        if current is None:
            return command  # `decide` says so
        words = command.words
        saved = self.saved_reply(words)
        said = await self.desk.words_for(current.requester)
        if saved is not words:
            words = saved.format(
                requester=await self._name(current.requester, said), ref=self.desk.ref(command.number)
            )
        signed = agent_said.signature(await self._name(command.agent, said), self.desk.config.desk.name)
        return replace(command, words=words, signed=signed)

    def saved_reply(self, words: str) -> str:
        """`:vpn` means the saved reply named vpn (its text, to be filled in for the ticket);
        other words are sent as they are. An unknown name is refused."""
        name = words.strip()
        if not (name.startswith(":") and " " not in name and len(name) > 1):
            return words
        saved = self.desk.config.replies
        if name[1:] not in saved:
            known = agent_said.saved_reply_names(list(saved))
            raise NotPermitted(
                refusals.NO_SAVED_REPLY,
                name=name,
                known=known or refusals.NO_SAVED_REPLIES,
            )
        return saved[name[1:]]

    async def change_priority(
        self, agent: str, number: int, priority: Priority, *, requester_may: bool = False
    ) -> str:
        """A new priority: targets count from opening under it; the requester is told. A
        refusal is raised (a request channel's type applies it along with other changes)."""
        said = await self.carry(rules.ChangePriority(agent, number, priority, requester_may))
        assert said is not None  # no `once`, so never "acted on already"
        return said

    async def move(self, person: str, number: int, area: str, *, requester_may: bool = False) -> str:
        """Another area for the ticket (`rules.Move`); a refusal is raised (a request channel's
        type applies it along with other changes)."""
        said = await self.carry(rules.Move(person, number, area, requester_may))
        assert said is not None  # no `once`, so never "acted on already"
        return said

    async def details(self, agent: str, number: int) -> dict[str, Any]:
        """The Details modal: the ticket whole (agents only)."""
        self.staff.require_agent(agent, SEE_DETAILS)
        ticket = await self.desk.store.ticket(number)
        if ticket is None:
            raise TicketNotFound(number)
        clock = self.desk.sla_clock(ticket)
        states = target_states(ticket, clock, self.desk.clock.now())
        similar = similar_lines(
            [(h.entry.title, h.entry.answer, h.confidence) for h in self.desk.knowledge.similar(ticket, 3)]
        )
        offer = None
        if self.desk.config.summaries.on and self.desk.team_of(ticket).is_agent(agent):
            offer = summarise_button(number, self.desk.known_words(agent))
        return details_view(
            ticket,
            self.desk.ref(number),
            states,
            self.desk.zone,
            business=clock.business,
            similar=similar,
            summary=offer,
            words=await self.desk.words_for(agent),
        )

    async def queue(self, agent: str) -> Answer:
        """Unclaimed tickets and those at risk in the agent's teams, most urgent and oldest first."""
        self.staff.require_agent(agent, SEE_QUEUE)
        now = self.desk.clock.now()
        warn_at = self.desk.config.escalation.warn_at
        rows: list[QueueRow] = []
        teams = {team.name for team in self.staff.agent_of(agent)}  # the queue of their teams
        for ticket in await self.desk.store.open_tickets():
            if self.desk.team_of(ticket).name not in teams:
                continue
            clock = self.desk.sla_clock(ticket)
            upcoming = next_target(ticket, clock, now)
            late = upcoming is not None and upcoming.used >= warn_at  # at risk, or overdue already
            if ticket.status is Status.OPEN or late:
                at_risk = late and upcoming is not None and not upcoming.breached  # overdue says so itself
                rows.append(QueueRow(self.desk.ref(ticket.number), ticket, upcoming, at_risk, clock.business))
        rows.sort(key=lambda row: (row.ticket.priority.value, row.ticket.opened_at))
        words = await self.desk.words_for(agent)
        text, blocks = queue_answer(rows, self.desk.zone, now, words=words)
        areas = {c for team in self.staff.agent_of(agent) for c in team.categories}
        held = await Approvals(self.desk).waiting_in(areas)  # named, not work: no Claim, no SLA
        if held:
            blocks = [*blocks, approval_blocks.queue_block(held, self.desk.zone, words)]
        return text, blocks

    # -- telling people ----------------------------------------------------------------
    async def _name(self, user: str, words: Words) -> str:
        if is_outsider(user):
            return user.removeprefix(OUTSIDER)
        try:
            return await self.desk.directory.display_name(user)
        except Unanswered:
            return said_blocks.an_agent(words)


# -- the messages a decision owes, each owed where its reader sees it ---------------------------
@dataclass(frozen=True)
class _Owing:
    """Where a decision's messages are owed: in its transaction, about the ticket as saved."""

    desk: Desk
    tx: Transaction
    before: Ticket
    ticket: Ticket
    now: datetime


def _looking(at: _Owing, said: Any) -> None:
    words = at.desk.known_words(at.ticket.requester)
    owed.to_requester(
        at.tx, at.ticket, "requester", agent_said.to_requester(said, at.desk.ref(at.ticket.number), words)
    )


def _by_dm(at: _Owing, said: Any) -> None:
    text = agent_said.by_dm(said, at.desk.ref(at.ticket.number), at.desk.known_words(said.to))
    owed.to_person(at.tx, at.ticket, said.to, f"dm-{said.to}", text)


def _handed_on(at: _Owing, said: rules.HandedOn) -> None:
    text = agent_said.by_dm(said, at.desk.ref(at.ticket.number), at.desk.known_words(said.previous))
    owed.to_person(at.tx, at.ticket, said.previous, f"dm-{said.previous}", text)


def _handed_over(at: _Owing, said: rules.HandedOver) -> None:
    clock = at.desk.sla_clock(at.ticket)
    states = target_states(at.ticket, clock, at.now)
    text, blocks = handover_message(
        at.desk.ref(at.ticket.number),
        at.ticket,
        said.by,
        states,
        at.desk.zone,
        business=clock.business,
        words=at.desk.known_words(said.to),
    )
    owed.to_person(at.tx, at.ticket, said.to, f"dm-{said.to}", text, blocks)


def _resolution(at: _Owing, said: rules.Resolution) -> None:
    words = at.desk.known_words(at.ticket.requester)
    text, blocks = resolution_message(
        at.desk.ref(at.ticket.number), at.ticket.number, said.agent, said.note, words=words
    )
    owed.to_requester(at.tx, at.ticket, "requester", text, blocks, remember="resolution")


def _rating(at: _Owing, __: rules.RatingAsked) -> None:
    owe_rating_request(at.tx, at.desk, at.ticket)


def _children(at: _Owing, said: rules.ChildrenResolved) -> None:
    links.resolve_children(at.tx, at.desk, at.ticket, said.agent, said.note, at.now)  # issue 39


def _problem_back(at: _Owing, said: rules.ProblemBack) -> None:
    text = agent_said.problem_back(said, at.desk.ref(at.ticket.number), at.desk.words)
    owed.to_card_thread(at.tx, at.ticket, at.desk.triage_of(at.ticket), text)


def _resolution_closed(at: _Owing, said: rules.ResolutionClosed) -> None:
    """After a reopen, the requester's resolution message says so where they pressed the
    button (which goes), and the rating request stops offering to rate or change it."""
    ref, number = at.desk.ref(at.ticket.number), at.ticket.number
    if (resolved := at.tx.get(RESOLVED_AT, str(number))) is not None:
        words = at.desk.known_words(at.ticket.requester)
        text, blocks = reopened_message(ref, said.resolver, said.note, at.ticket, at.desk.zone, words=words)
        edit = Edit(resolved.channel, resolved.ts, text, blocks)
        owed.owe(at.tx, f"t{number}:resolution-redraw", edit)
    if (survey := at.tx.get(RATINGS_AT, str(number))) is not None:
        at.tx.drop(OPEN_SURVEYS, str(number))
        text, blocks = survey_closed(ref, CLOSED_REOPENED, words=at.desk.known_words(at.ticket.requester))
        owed.owe(at.tx, f"t{number}:rating-redraw", Edit(survey.channel, survey.ts, text, blocks))


def _priority_told(at: _Owing, said: rules.PriorityTold) -> None:
    words = at.desk.known_words(at.ticket.requester)
    text = agent_said.priority_changed(said, at.desk.ref(at.ticket.number), words)
    owed.to_requester(at.tx, at.ticket, "requester", text)


def _priority_noted(at: _Owing, said: rules.PriorityNoted) -> None:
    text = agent_said.priority_changed(said, at.desk.ref(at.ticket.number), at.desk.words)
    owed.to_card_thread(at.tx, at.ticket, at.desk.triage_of(at.ticket), text)


def _confirmation(at: _Owing, _: rules.ConfirmationRedrawn) -> None:
    redraw_confirmation(at.tx, at.desk, at.ticket)


def _move_noted(at: _Owing, said: rules.MoveNoted) -> None:
    text = agent_said.moved(said, at.desk.ref(at.ticket.number), at.desk.words)
    owed.to_card_thread(at.tx, at.ticket, at.desk.triage_of(at.ticket), text)


def _card_moved(at: _Owing, said: rules.CardMoved) -> None:
    """The old card says where its ticket went (the new team's card is drawn anew)."""
    assert at.before.card is not None  # decided so: the ticket had a card
    gone = agent_said.moved(said, at.desk.ref(at.ticket.number), at.desk.words)
    channel, ts = split_place(at.before.card)
    key = owed.message_key(at.ticket.number, len(at.ticket.trail), "card-moved")
    owed.owe(at.tx, key, Edit(channel, ts, plain(gone, 300), [section(gone)]))


def _with_team(at: _Owing, said: rules.WithTeam) -> None:
    words = at.desk.known_words(at.ticket.requester)
    owed.to_requester(
        at.tx, at.ticket, "requester", with_team(at.desk.ref(at.ticket.number), said.team, words=words)
    )


def _asked(at: _Owing, said: rules.Asked) -> None:
    words = at.desk.known_words(at.ticket.requester)
    text, blocks = waiting_message(at.desk.ref(at.ticket.number), said.agent, said.question, words=words)
    owed.to_requester(at.tx, at.ticket, "requester", text, blocks)


def _asked_noted(at: _Owing, said: rules.AskedNoted) -> None:
    text = said_blocks.waiting_note(said.agent, said.question, words=at.desk.words)
    owed.to_card_thread(at.tx, at.ticket, at.desk.triage_of(at.ticket), text)


def _replied(at: _Owing, said: rules.Replied) -> None:
    words = at.desk.known_words(at.ticket.requester)
    text, blocks = reply_message(at.desk.ref(at.ticket.number), said.signed, said.words, words=words)
    owed.to_requester(at.tx, at.ticket, "requester", text, blocks)


def _reply_passed_on(at: _Owing, said: rules.ReplyPassedOn) -> None:
    links.pass_on_reply(at.tx, at.desk, at.ticket, said.signed, said.words)  # issue 39


def _reply_noted(at: _Owing, said: rules.ReplyNoted) -> None:
    text = said_blocks.replied_note(said.agent, said.words, words=at.desk.words)
    owed.to_card_thread(at.tx, at.ticket, at.desk.triage_of(at.ticket), text)


OWING: dict[type, Callable[[_Owing, Any], None]] = {
    rules.LookingAt: _looking,
    rules.LookingAfter: _looking,
    rules.TookYours: _by_dm,
    rules.BackWithYou: _by_dm,
    rules.HandedOn: _handed_on,
    rules.HandedOver: _handed_over,
    rules.Resolution: _resolution,
    rules.RatingAsked: _rating,
    rules.ChildrenResolved: _children,
    rules.ProblemBack: _problem_back,
    rules.ResolutionClosed: _resolution_closed,
    rules.PriorityTold: _priority_told,
    rules.PriorityNoted: _priority_noted,
    rules.ConfirmationRedrawn: _confirmation,
    rules.MoveNoted: _move_noted,
    rules.CardMoved: _card_moved,
    rules.WithTeam: _with_team,
    rules.Asked: _asked,
    rules.AskedNoted: _asked_noted,
    rules.Replied: _replied,
    rules.ReplyPassedOn: _reply_passed_on,
    rules.ReplyNoted: _reply_noted,
}
