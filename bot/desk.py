"""The services a handler needs, built once by the composition root (`bot.app`)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.errors import DeskError
from bot.domain.priority import Priority
from bot.domain.refs import parse_ref
from bot.domain.sla import SlaClock
from bot.slack.gateway import SlackGateway
from bot.slack.links import permalink
from config.settings import Config
from store.base import Store


@dataclass
class Desk:
    config: Config
    store: Store
    slack: SlackGateway
    clock: Clock
    workspace: str = ""  # the workspace's URL (from auth.test), for links to messages

    def ref(self, number: int) -> str:
        """How the desk shows a ticket number: T-42."""
        return self.config.ref(number)

    def parse_ref(self, text: str) -> int:
        return parse_ref(text, self.config.desk.ticket_prefix)

    @property
    def zone(self) -> ZoneInfo:
        return self.config.desk.timezone

    def sla_clock(self, priority: Priority) -> SlaClock:
        """The clock a priority's targets run on."""
        return self.config.sla_clock(priority)

    def link(self, stored: str | None) -> str | None:
        """The permalink of a stored message place (`channel:ts`), once the workspace is known."""
        if not stored:
            return None
        channel, _, ts = stored.partition(":")
        return permalink(self.workspace, channel, ts)

    def explain(self, error: DeskError) -> str:
        """A domain error as a sentence for Slack: references shown, people mentioned."""
        return error.render(self.ref, lambda person: f"<@{person}>")
