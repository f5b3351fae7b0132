"""Requests of a type with an approval chain: held until the right people say yes (SPEC §13).

A request from a type's form is stored as an `Approval` (`awaiting_approval`) with the DMs it
owes: Approve / Deny to the first level's approvers, and a word to the requester. It is not a
ticket yet, so it is in no agent's queue and no SLA clock runs on it. Each decision is a typed
command (`Approve`, `Deny`: `bot.domain.approval_rules`) carried out by one executor
(`Approvals.carry`): the once-only check, the request loaded, `decide`d (who may decide comes
from the stored chain, fixed from the config and the form when it was requested, never from the
click) and saved with every message owed (OWING) in one transaction; a refusal is raised and
ends at `handlers.errors`. Approved at the last level, the request opens as a ticket the way
any new ticket does (card, assignment, confirmation); denied, the requester is told why.

The sweep (`run`, the job's `Sweep`, one request a transaction) reminds a level's approvers
once after the type's `approval_reminder` and tells the team's leads once when a request is
older than its `approval_limit`; the request records that it did, so neither repeats after a
restart.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.delivery.owed import card, confirmation, owe
from bot.desk import Desk
from bot.domain import approval_rules as rules
from bot.domain.approval import (
    Approval,
    ApprovalFigures,
    RequestType,
    State,
    approval_figures,
    chain_for,
    request,
)
from bot.domain.errors import DeskError, NotPermitted
from bot.domain.intake import INTAKE, SENT, Chose, Context, Draft, Say, Stage
from bot.domain.owed import Blocks, DirectMessage, Edit, HomeOf, Post, Prompt
from bot.domain.policy import Clock, SlaPolicy
from bot.domain.roles import Team
from bot.domain.sla import SlaClock
from bot.domain.ticket import Action, Origin, Ticket, TrailEntry, open_ticket
from bot.flows.assignment import assign_new
from bot.flows.opening import owe_announcement
from bot.i18n import Words
from bot.ports import Unanswered
from bot.slack import approval_blocks as blocks
from bot.slack.blocks import section
from bot.slack.intake_blocks import form
from store.base import Store, Transaction
from store.records import APPROVAL_DMS, APPROVALS, ASKED_AT, DRAFTS, HOMES, THREADS, Place

if TYPE_CHECKING:
    from bot.flows.agents import Agents

log = logging.getLogger("desk.approvals")
Choice = tuple[Team, RequestType]
BATCH = 100  # requests looked at between chances for the event loop to serve requests
GROUP_PATIENCE = 1.5  # seconds Slack has to name a user group's members: the form waits (3 s in all)


class Approvals:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    # -- the form ------------------------------------------------------------------------
    def choices(self) -> list[Choice]:
        """Every team's request types, in the config's order."""
        kinds = self.desk.config.request_types
        return [(team, kind) for team in self.desk.staff.teams for kind in kinds.get(team.name, ())]

    def first_view(self, channel: str, words: Words | None = None) -> dict:
        """What /ticket opens: the choice of type on a desk with types, else the usual form
        (in `words`, the language of whoever opened it; the desk's when not given)."""
        said = words or self.desk.words
        found = self.choices()
        if not found:
            return form(self.desk.staff.areas, channel, words=said)
        return blocks.chooser([(team.name, kind) for team, kind in found], channel, said)

    def chosen_view(self, value: str, channel: str, words: Words | None = None) -> dict | None:
        """The view after the type is chosen: its form, or the usual form for anything else."""
        said = words or self.desk.words
        if value == blocks.OTHER:
            return form(self.desk.staff.areas, channel, words=said)
        found = self.choice(value)
        return blocks.type_form(int(value), found[1], channel, words=said) if found else None

    def draft_form(self, draft: Draft) -> dict | None:
        """The chosen type's form for a DM conversation waiting on it (None: the type is gone)."""
        found = self.choice(draft.kind)
        if found is None or draft.kind is None:
            return None
        return blocks.type_form(
            int(draft.kind),
            found[1],
            draft.channel,
            (draft.key, draft.id),
            words=self.desk.known_words(draft.person),
        )

    def choice(self, value: object) -> Choice | None:
        found = self.choices()
        index = int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else -1
        return found[index] if 0 <= index < len(found) else None

    async def members(self, kind: RequestType) -> dict[str, tuple[str, ...]] | None:
        """The members of the user groups the type's levels name, asked of Slack now (the chain
        is fixed when the request is made); None when Slack cannot say in time."""
        found: dict[str, tuple[str, ...]] = {}
        for group in dict.fromkeys(level.usergroup for level in kind.approval if level.usergroup):
            try:
                found[group] = await asyncio.wait_for(
                    self.desk.directory.usergroup_members(group), GROUP_PATIENCE
                )
            except (Unanswered, TimeoutError):
                log.warning("user group unknown or out of reach", extra={"usergroup": group})
                return None
        return found

    def problems(
        self,
        choice: Choice,
        person: str,
        values: dict[str, str],
        members: dict[str, tuple[str, ...]] | None,
        words: Words | None = None,
    ) -> dict[str, str]:
        """What the requester must fix before the request can go, by block id: the form's own
        checks, then whether every level has someone to approve who is not the requester."""
        kind, said = choice[1], words or self.desk.words
        errors = blocks.form_errors(kind, values, said)
        if errors or not kind.approval:
            return errors
        first = f"{blocks.ApprovalIds.FIELD}{kind.fields[0].key if kind.fields else 'details'}"
        if members is None:
            return {first: blocks.group_unknown(said)}
        try:
            chain_for(kind, person, values, lambda group: members.get(group, ()))
        except NotPermitted as refusal:
            level = next((lv for lv in kind.approval if lv.field and values.get(lv.field) == person), None)
            block = f"{blocks.ApprovalIds.FIELD}{level.field}" if level and level.field else first
            return {block: self.desk.explain(refusal, said)}
        return {}

    async def submit(
        self,
        person: str,
        choice: Choice,
        values: dict[str, str],
        once: str | None,
        members: dict[str, tuple[str, ...]] | None = None,
        draft: tuple[str, str] | None = None,
    ) -> None:
        """A type's form sent: held for approval when the type has a chain, else a ticket now.
        `draft`: the (key, id) of the DM conversation whose "Open the form" it came from: the
        request carries its words and its question gives way to how it went."""
        now = self.desk.clock.now()
        async with self.desk.store.transaction() as tx:
            if tx.done_before(once):
                return
            tx.mark_done(once, now)
            talk = tx.get(DRAFTS, draft[0]) if draft is not None else None
            if talk is not None and draft is not None and talk.id == draft[1] and talk.stage is Stage.FORM:
                turn = INTAKE.handle(talk, Chose(Stage.FORM, SENT), Context(now, ()))
                if turn is not None and turn.say is Say.RAISE_TYPE:
                    ended = self.raise_from_draft(tx, turn.draft, choice, values, members, now)
                    tx.put(DRAFTS, ended.key, ended)
                    return
            raised = self._raise(tx, person, choice, values, blocks.summary(choice[1], values), now, members)
            if isinstance(raised, Ticket):
                owe_announcement(tx, self.desk, raised, prompt=None)
                return
            words, shown = blocks.waiting(raised, self.desk.known_words(person))
            mine = ("approval_dm", f"{raised.id}:requester")
            owe(tx, f"approval:{raised.id}:waiting", Post(DirectMessage(person), words, shown, remember=mine))

    def _raise(
        self,
        tx: Transaction,
        person: str,
        choice: Choice,
        values: dict[str, str],
        text: str,
        now: datetime,
        members: dict[str, tuple[str, ...]] | None,
        origin: Origin | None = None,
    ) -> Ticket | Approval:
        """A request of the type, in the transaction: a ticket in the team's queue (no chain),
        or held for approval with its approvers asked. Raises `NotPermitted` when a level has
        nobody to approve (the requester cannot approve their own)."""
        team, kind = choice
        if not kind.approval:
            fields = tuple((f.label, values[f.key]) for f in kind.fields if values.get(f.key))
            origin = origin or Origin(person, None, "form")
            number = tx.new_ticket_number()
            ticket = open_ticket(number, person, text, kind.area, kind.priority, origin, now)
            ticket = assign_new(tx, self.desk, replace(ticket, fields=fields))
            tx.save_ticket(ticket)
            return ticket
        chain = chain_for(kind, person, values, lambda group: (members or {}).get(group, ()))
        held = request(uuid.uuid4().hex[:12], kind, person, kind.area, text, values, chain, now)
        self._save(tx, held)
        self._ask(tx, held)
        log.info("request held for approval", extra={"type": kind.name, "team": team.name})
        return held

    def raise_from_draft(
        self,
        tx: Transaction,
        draft: Draft,
        choice: Choice | None,
        values: dict[str, str],
        members: dict[str, tuple[str, ...]] | None,
        now: datetime,
        hook: str | None = None,
    ) -> Draft:
        """The DM conversation's request of a type (its form sent, or a type without fields):
        raised with the conversation's words, and its question replaced by how it went (the
        ticket's confirmation, or "waiting for approval"). The draft as it ends."""
        words = self.desk.known_words(draft.person)
        prompt = functools.partial(Prompt, draft.id, draft.key, draft.channel, draft.thread, ts=draft.prompt)
        kind = choice[1] if choice is not None else None
        if choice is None or kind is None or (members is None and any(lv.usergroup for lv in kind.approval)):
            said = words.t(blocks.GROUP_UNKNOWN if choice is not None else blocks.TYPE_GONE)
            owe(tx, f"prompt:{draft.id}", prompt(said, [section(said)], hook=hook))
            return replace(draft, stage=Stage.CANCELLED)
        text = f"{kind.name}: {draft.text}"
        origin = Origin(draft.channel, draft.thread or draft.prompt, draft.via)
        try:
            raised = self._raise(tx, draft.person, choice, values, text, now, members, origin)
        except NotPermitted as refusal:
            said = self.desk.explain(refusal)
            owe(tx, f"prompt:{draft.id}", prompt(said, [section(said)], hook=hook))
            return replace(draft, stage=Stage.CANCELLED)
        if isinstance(raised, Ticket):
            if origin.thread and origin.channel[:1] in ("C", "D", "G"):
                tx.put(THREADS, str(Place(origin.channel, origin.thread)), raised.number)
            owe_announcement(tx, self.desk, raised, draft.prompt, hook)
            return replace(draft, ticket=raised.number)
        said, shown = blocks.waiting(raised, words)
        owe(tx, f"prompt:{draft.id}", prompt(said, shown, hook=hook))
        if draft.prompt is not None and draft.channel[:1] in ("C", "D", "G"):
            tx.put(APPROVAL_DMS, f"{raised.id}:requester", (Place(draft.channel, draft.prompt),))
        return draft

    async def fill_ticket(
        self, person: str, number: int, choice: Choice, values: dict[str, str], agents: Agents
    ) -> str | None:
        """A request channel's ticket takes a type without approval (its requester chose it
        under the confirmation): the type's area and priority, as the requester's own selects
        would set them, and its form's fields. The answer when nothing changed (None: done)."""
        kind = choice[1]
        ticket = await self.desk.store.ticket(number)
        if ticket is None or not ticket.is_open or kind.approval:
            return blocks.NOT_FOUND
        if person != ticket.requester:
            return blocks.ONLY_REQUESTER
        if ticket.category != kind.area:
            await agents.move(person, number, kind.area, requester_may=True)
        if ticket.priority != kind.priority:
            await agents.change_priority(person, number, kind.priority, requester_may=True)
        now = self.desk.clock.now()
        async with self.desk.store.transaction() as tx:
            ticket = tx.ticket(number)
            if ticket is None or not ticket.is_open:
                return blocks.NOT_FOUND
            fields = tuple((f.label, values[f.key]) for f in kind.fields if values.get(f.key))
            typed = replace(ticket, fields=fields).record(
                Action.NOTE, person, blocks.type_note(kind.name, self.desk.words), now
            )
            tx.save_ticket(typed)
            card(tx, number)
            confirmation(tx, number)
        return None

    # -- deciding: the one executor ------------------------------------------------------
    async def carry(self, command: rules.Decision, once: str | None = None) -> rules.Answer | None:
        """Under the write lock: the once-only check (`once` names the click or form: Slack's
        retry of one acted on changes nothing), load the request, `decide`, and commit the
        request, the ticket it may become and every message owed in one transaction. A refusal
        (`DeskError`) changes nothing and is raised: it ends at `handlers.errors`."""
        now = self.desk.clock.now()
        await self.desk.words_for(command.approver)  # their redrawn DM in their language (asked once)
        async with self.desk.store.transaction() as tx:
            if tx.done_before(once):
                return None
            held = self._load(tx, command.request)
            outcome = rules.decide(held, command, self.desk.staff, self._policy(), now)
            tx.mark_done(once, now)
            assert held is not None and outcome.request is not None  # decide refuses a missing one
            after = self._commit(tx, held, outcome, now)
        if after.state is State.DENIED:
            log.info("request denied", extra={"type": after.type_name})
        elif after.state is State.APPROVED:
            log.info("request approved", extra={"type": after.type_name, "ticket": after.ticket})
        return outcome.answer

    def _commit(self, tx: Transaction, held: Approval, outcome: rules.Outcome, now: datetime) -> Approval:
        """The outcome, in the transaction: every message owed (OWING: a message's type ─▶ where
        it goes), the forms' places forgotten once decided, the request saved (as it ends: with
        the ticket it became). The request as saved."""
        assert outcome.request is not None
        owing = _Owing(self, tx, held, outcome.request, now)
        for message in outcome.owed:
            OWING[type(message)](owing, message)
        after = owing.after
        if outcome.forget_forms:  # the forms' places are no longer needed
            for asked in {p for level in after.chain for p in level}:
                if tx.get(ASKED_AT, f"{after.id}:{asked}") is not None:
                    tx.drop(ASKED_AT, f"{after.id}:{asked}")
        self._save(tx, after)
        return after

    def _policy(self) -> rules.Policy:
        return rules.Policy(tuple(self.choices()), self._reach)

    async def change_refused(self, approval: str, person: str | None = None) -> str:
        """The requester asked to change a request's details: locked while it waits."""
        theirs = await self.desk.words_for(person)
        held = await self.held(approval)
        if held is None:
            return blocks.not_found(theirs)
        try:
            held.check_editable()
        except DeskError as refusal:
            return self.desk.explain(refusal, theirs)
        ref = self.desk.ref(held.ticket) if held.ticket is not None else None
        return blocks.decided_already(ref, theirs)

    async def check(self, person: str, approval: str) -> None:
        """Refused (a `DeskError`) when `person` may not decide on the request now: checked
        before the deny form opens, by the same `decide`, and again when it is sent."""
        held = await self.held(approval)
        asked = rules.Deny(approval, person, "-")  # a reason will be asked for: any will do here
        rules.decide(held, asked, self.desk.staff, self._policy(), self.desk.clock.now())

    async def figures_block(
        self,
        since: datetime,
        until: datetime,
        team: Team | None,
        teams: list[Team] | None = None,
        words: Words | None = None,
    ) -> list[dict]:
        """The approvals line for /quality, the digest and a lead's Home (of `team`, or of
        `teams`); nothing on a desk without requests."""
        docs = list((await _documents(self.desk.store)).values())
        led = [team] if team is not None else teams
        areas = tuple(c for t in led for c in t.categories) if led is not None else None
        # Pure work over documents: done on a thread so requests keep flowing.
        figures = await asyncio.to_thread(_figures, docs, since, until, areas)
        return [blocks.figures_block(figures, words or self.desk.words)] if figures.any else []

    async def pressed_form(self, person: str, approval: str, where: tuple[str, str]) -> None:
        """Remember which DM `person` pressed Deny (or Approve with a note) on: Slack's word, from
        the click. The form's answer edits that message and no other, whatever the form carries."""
        await self.desk.store.put(ASKED_AT, f"{approval}:{person}", Place(*where))

    async def form_place(self, person: str, approval: str) -> tuple[str, str] | None:
        stored = await self.desk.store.get(ASKED_AT, f"{approval}:{person}")
        return (stored.channel, stored.ts) if stored is not None and stored.ts else None

    async def home_blocks(self, person: str) -> list[dict]:
        """What `person`'s Home shows of approvals: requests waiting for them, and theirs."""
        waiting = [
            APPROVALS.decode(doc)
            for doc in (await _documents(self.desk.store)).values()
            if doc.get("state") == State.AWAITING.value
        ]
        for_them = sorted((a for a in waiting if person in a.deciders), key=lambda a: a.since)
        theirs = sorted((a for a in waiting if a.requester == person), key=lambda a: a.requested_at)
        areas = {c for team in self.desk.staff.teams if person in team.leads for c in team.categories}
        team_held = sorted((a for a in waiting if a.category in areas), key=lambda a: a.requested_at)
        words = self.desk.known_words(person)
        return blocks.home_blocks(for_them, theirs, self.desk.zone, words, team_held=team_held)

    async def waiting_in(self, categories: set[str]) -> list[Approval]:
        """The requests awaiting approval whose tickets would go to `categories`, oldest first."""
        held = [
            APPROVALS.decode(doc)
            for doc in (await _documents(self.desk.store)).values()
            if doc.get("state") == State.AWAITING.value and doc.get("category") in categories
        ]
        return sorted(held, key=lambda a: a.requested_at)

    async def held(self, approval: str) -> Approval | None:
        return await self.desk.store.get(APPROVALS, approval)

    # -- the sweep -----------------------------------------------------------------------
    def _reach(self, start: datetime, span: timedelta) -> datetime:
        """`span` of working time after `start` (reminders keep business hours)."""
        clock = SlaClock(SlaPolicy(span, span, Clock.BUSINESS), self.desk.config.desk.calendar)
        return clock.due(start, span)

    def kind_of(self, held: Approval) -> tuple[Team, RequestType] | None:
        return rules.kind_of(held, self._policy())

    async def run(self, now: datetime) -> int:
        """Remind and escalate what is due (`rules.Sweep`); how many requests moved. Each is
        looked at first without a transaction, then moved in one with the DMs it owes."""
        due: list[str] = []
        policy, staff = self._policy(), self.desk.staff
        for seen, (key, doc) in enumerate((await _documents(self.desk.store)).items(), start=1):
            pending = doc.get("state") == State.AWAITING.value
            if pending and rules.decide(APPROVALS.decode(doc), rules.Sweep(key), staff, policy, now).request:
                due.append(key)
            if seen % BATCH == 0:
                await asyncio.sleep(0)  # requests are served in between
        for key in due:
            async with self.desk.store.transaction() as tx:
                held = self._load(tx, key)
                outcome = rules.decide(held, rules.Sweep(key), staff, policy, now)
                if held is None or outcome.request is None:
                    continue  # decided meanwhile
                self._commit(tx, held, outcome, now)
        return len(due)

    # -- in a transaction ----------------------------------------------------------------
    def _load(self, tx: Transaction, approval: str) -> Approval | None:
        return tx.get(APPROVALS, approval)

    def _save(self, tx: Transaction, held: Approval) -> None:
        """Save the request; the Homes of its team's leads who opened theirs show it (soon)."""
        tx.put(APPROVALS, held.id, held)
        watchers = {*self.desk.staff.team_of(held.category).leads, held.requester}
        watchers |= {p for level in held.chain for p in level}
        for person in sorted(watchers):
            if tx.get(HOMES, person) is not None:
                owe(tx, f"home:{person}", HomeOf(person), after=10.0)

    def _ask(self, tx: Transaction, held: Approval, *, reminder: bool = False) -> None:
        """Owe each of the pending level's approvers the request with Approve / Deny; where each
        DM lands is remembered (`APPROVAL_DMS`), so it can be settled when someone else decides."""
        what = "remind" if reminder else "ask"
        for person in held.deciders:
            said = self.desk.known_words(person)
            words, shown = blocks.approver_request(held, self.desk.zone, reminder=reminder, words=said)
            owe(
                tx,
                f"approval:{held.id}:{what}:{held.level}:{person}",
                Post(DirectMessage(person), words, shown, remember=("approval_dm", f"{held.id}:{person}")),
            )

    def _settle_level(
        self,
        tx: Transaction,
        held: Approval,
        after: Approval,
        person: str,
        approve: bool,
        where: tuple[str, str] | None,
        now: datetime,
    ) -> None:
        """`held`'s level is decided (by `person`): every other DM of that level still showing
        Approve / Deny (the other approvers', reminders) says who decided and when, edited
        through the outbox (chat.update). A DM not delivered yet goes out settled instead."""
        clicked = Place(*where) if where is not None else None
        for approver in held.chain[held.level]:
            words = self.desk.known_words(approver)
            text, shown = blocks.settled(after, person, approve, now, self.desk.zone, words=words)
            asked = [f"approval:{held.id}:{what}:{held.level}:{approver}" for what in ("ask", "remind")]
            edits = f"approval:{held.id}:settled"
            _settle_dm(tx, asked, f"{held.id}:{approver}", edits, text, shown, clicked)

    def _settle_waiting(self, tx: Transaction, after: Approval) -> None:
        """The requester's "waiting for approval" DM, once decided: how it ended (the ticket it
        became), its "Change details" button gone. Not delivered yet: it goes out settled."""
        ref = self.desk.ref(after.ticket) if after.ticket is not None else None
        text, shown = blocks.outcome(after, ref, self.desk.known_words(after.requester))
        waiting = [f"approval:{after.id}:waiting"]
        _settle_dm(tx, waiting, f"{after.id}:requester", f"approval:{after.id}:outcome", text, shown)

    def _ticket(self, tx: Transaction, held: Approval, now: datetime) -> Ticket:
        """The approved request as a new ticket: its clock starts now; the approvals in its trail."""
        origin = Origin(held.requester, None, "form")
        ticket = open_ticket(
            tx.new_ticket_number(), held.requester, held.text, held.category, held.priority, origin, now
        )
        approvals = tuple(
            TrailEntry(s.at, s.actor, Action.APPROVED, s.detail) for s in held.trail if s.action == "approved"
        )
        return replace(ticket, fields=held.fields, trail=(*ticket.trail, *approvals))

    def _open(self, tx: Transaction, ticket: Ticket) -> Ticket:
        """A new ticket into its team's queue, as any new ticket: assignment, card, confirmation."""
        ticket = assign_new(tx, self.desk, ticket)
        tx.save_ticket(ticket)
        owe_announcement(tx, self.desk, ticket, prompt=None)
        return ticket


async def _documents(store: Store) -> dict[str, Any]:
    """Every request's stored document, by id, not decoded: most were decided long ago, and
    their `state` (and `category`) is enough to pass them over, so only those looked at are
    decoded (`APPROVALS.decode`), and the figures decode theirs on a thread."""
    return await store.records(APPROVALS.name)


def _figures(
    docs: list[dict], since: datetime, until: datetime, areas: tuple[str, ...] | None
) -> ApprovalFigures:
    return approval_figures([APPROVALS.decode(doc) for doc in docs], since, until, areas)


def _settle_dm(
    tx: Transaction,
    owed_keys: list[str],
    record: str,
    edits: str,
    text: str,
    shown: Blocks,
    clicked: Place | None = None,
) -> None:
    """A DM whose buttons a decision ended: still owed under one of `owed_keys`, it goes out as
    `text` instead; delivered (its places remembered in `APPROVAL_DMS` under `record`), each
    place but `clicked` (answered by the click itself) is edited to `text`, owed as `edits:<place>`."""
    for key in owed_keys:
        waiting = tx.owed(key)
        if waiting is not None and isinstance(waiting.message, Post):
            settled = Post(waiting.message.to, text, shown)
            tx.owe(key, replace(waiting, message=settled, version=waiting.version + 1))
    places = tx.get(APPROVAL_DMS, record)
    for there in places or ():
        if there != clicked and there.ts:
            owe(tx, f"{edits}:{there}", Edit(there.channel, there.ts, text, shown))
    if places is not None:
        tx.drop(APPROVAL_DMS, record)


# -- the messages a decision owes, each owed where its reader sees it ---------------------------
@dataclass
class _Owing:
    """Where a decision's messages are owed: in its transaction, about the request as it was
    (`held`) and as it ends (`after`: with the ticket it became, once opened)."""

    flow: Approvals
    tx: Transaction
    held: Approval
    after: Approval
    now: datetime


def _decision_shown(at: _Owing, said: rules.DecisionShown) -> None:
    desk, after = at.flow.desk, at.after
    theirs = desk.known_words(said.approver)
    words, shown = blocks.decided(after, said.approver, said.approve, desk.zone, theirs)
    key = f"approval:{after.id}:decided:{said.approver}:{said.level}"
    owe(at.tx, key, Edit(said.where[0], said.where[1], words, shown))


def _level_settled(at: _Owing, said: rules.LevelSettled) -> None:
    at.flow._settle_level(at.tx, at.held, at.after, said.approver, said.approve, said.clicked, at.now)


def _denied_told(at: _Owing, said: rules.DeniedTold) -> None:
    after = at.after
    words, shown = blocks.denied(after, said.approver, at.flow.desk.known_words(after.requester))
    owe(at.tx, f"approval:{after.id}:denied", Post(DirectMessage(after.requester), words, shown))


def _becomes_ticket(at: _Owing, _: rules.BecomesTicket) -> None:
    opened = at.flow._open(at.tx, at.flow._ticket(at.tx, at.after, at.now))
    at.after = at.after.became(opened.number)


def _level_asked(at: _Owing, said: rules.LevelAsked) -> None:
    at.flow._ask(at.tx, at.after, reminder=said.reminder)


def _waiting_settled(at: _Owing, _: rules.WaitingSettled) -> None:
    at.flow._settle_waiting(at.tx, at.after)


def _leads_told(at: _Owing, said: rules.LeadsTold) -> None:
    desk, after = at.flow.desk, at.after
    for lead in said.leads:
        words, shown = blocks.overdue(after, at.now, desk.zone, desk.known_words(lead))
        owe(at.tx, f"approval:{after.id}:late:{lead}", Post(DirectMessage(lead), words, shown))


OWING: dict[type, Callable[[_Owing, Any], None]] = {
    rules.DecisionShown: _decision_shown,
    rules.LevelSettled: _level_settled,
    rules.DeniedTold: _denied_told,
    rules.BecomesTicket: _becomes_ticket,
    rules.LevelAsked: _level_asked,
    rules.WaitingSettled: _waiting_settled,
    rules.LeadsTold: _leads_told,
}
