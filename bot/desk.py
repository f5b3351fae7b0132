"""The services a handler needs, built once by the composition root (`bot.app`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.errors import DeskError
from bot.domain.owed import is_outsider
from bot.domain.refs import parse_ref
from bot.domain.roles import Staff, Team
from bot.domain.rollup import Rollup
from bot.domain.sla import SlaClock
from bot.domain.ticket import Ticket
from bot.i18n import Words, language_of_locale, words_for
from bot.knowledge.base import KnowledgeBase
from bot.ports import Directory, Messages, Unanswered
from bot.slack.gateway import SlackGateway
from bot.slack.links import permalink
from bot.slack.mrkdwn import escape
from config.settings import Config
from store.base import Store

LOCALE_WAIT = 0.5  # seconds an answer waits for Slack to say its reader's language
_SLACK: Any = None  # a port the desk was not given: its `slack` answers it


def rollup_of(config: Config) -> Rollup:
    """What each ticket adds to the store's per-day rollups: its team's name, its SLA clock."""
    return Rollup(config.sla_clock, lambda ticket: config.team_of(ticket).name)


@dataclass
class Desk:
    config: Config
    store: Store
    slack: SlackGateway  # the Slack edge's (`handlers`, `bot.slack`); never a flow's
    clock: Clock
    workspace: str = ""  # the workspace's URL (from auth.test), for links to messages
    # resolved tickets, saved replies and articles (issue 39); the composition root fills it
    knowledge: KnowledgeBase = field(default_factory=lambda: KnowledgeBase(str, {}, None))
    # What the flows ask Slack through (`bot.ports`): the composition root (`bot.app`) gives
    # each; a desk made without them (a command, a bench) asks its `slack` for both.
    directory: Directory = _SLACK
    messages: Messages = _SLACK

    def __post_init__(self) -> None:
        if self.directory is None:
            self.directory = self.slack
        if self.messages is None:
            self.messages = self.slack

    def ref(self, number: int) -> str:
        """How the desk shows a ticket number: T-42."""
        return self.config.ref(number)

    def parse_ref(self, text: str) -> int:
        return parse_ref(text, self.config.desk.ticket_prefix)

    @property
    def zone(self) -> ZoneInfo:
        return self.config.desk.timezone

    @property
    def staff(self) -> Staff:
        """The desk's teams and who is an agent or a lead in them."""
        return self.config.staff

    def sla_clock(self, ticket: Ticket) -> SlaClock:
        """The clock the ticket's targets run on (its priority's, in its team)."""
        return self.config.sla_clock(ticket)

    def team_of(self, ticket: Ticket) -> Team:
        return self.config.team_of(ticket)

    @property
    def main_triage(self) -> str:
        """The first team's triage channel: incident storms are shown there (one storm card for
        its tickets), and every new card waits in its line."""
        return self.config.staff.teams[0].triage

    def teams_apart(self) -> list[Team | None]:
        """Whose digests and reports there are: each team's with several, the whole desk's
        (None) with one."""
        return list(self.staff.teams) if self.staff.several else [None]

    def of_team(self, tickets: Iterable[Ticket], team: Team | None) -> list[Ticket]:
        """The tickets that belong to `team` (all of them for None, the whole desk)."""
        if team is None:
            return list(tickets)
        return [t for t in tickets if self.team_of(t).name == team.name]

    def triage_of(self, ticket: Ticket) -> str:
        """The triage channel where the ticket's card goes: its team's."""
        return self.config.team_of(ticket).triage

    def link(self, stored: str | None) -> str | None:
        """The permalink of a stored message place (`channel:ts`), once the workspace is known."""
        if not stored:
            return None
        channel, _, ts = stored.partition(":")
        return permalink(self.workspace, channel, ts)

    def explain(self, error: DeskError, words: Words | None = None) -> str:
        """A domain error as a sentence for Slack, in `words`' language (the desk's when not
        given): references shown, people mentioned."""
        return error.render(self.ref, lambda person: f"<@{person}>", words or self.words, typed=escape)

    async def explain_to(self, person: str | None, error: DeskError) -> str:
        """A domain error as `person` reads it alone (in their language)."""
        return self.explain(error, await self.words_for(person))

    @property
    def words(self) -> Words:
        """The desk's language (`desk.language`): what a channel reads."""
        return words_for(self.config.desk.language)

    async def words_for(self, person: str | None) -> Words:
        """What `person` reads alone (a DM, an ephemeral answer, a modal, their Home): their
        Slack locale's language when the desk speaks it, else the desk's. Slack is asked once
        (`users.info` with `include_locale`, remembered beside their name) and waited for
        LOCALE_WAIT seconds at most, like the names: an answer is never held back for it."""
        if not person or is_outsider(person):  # no Slack user to ask (an import kept them by name)
            return self.words
        locale = ""
        # `asyncio.timeout`, not `wait_for`: wait_for runs the look-up as a task of its own even
        # when it is remembered, and a command's ack waited two turns of the busy loop for it
        with contextlib.suppress(Unanswered, TimeoutError):
            async with asyncio.timeout(LOCALE_WAIT):
                locale = await self.directory.locale(person)
        language = language_of_locale(locale)
        return words_for(language) if language else self.words

    def known_words(self, person: str) -> Words:
        """`person`'s language as far as the desk knows it without asking Slack (for messages
        drawn inside a transaction): their locale once `words_for` has asked it, else the
        desk's language."""
        language = language_of_locale(self.directory.known_locale(person))
        return words_for(language) if language else self.words
