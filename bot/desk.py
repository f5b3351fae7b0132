"""The services a handler needs, built once by the composition root (`bot.app`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.domain.refs import format_ref
from bot.slack.gateway import SlackGateway
from config.settings import Config
from store.base import Store


@dataclass
class Desk:
    config: Config
    store: Store
    slack: SlackGateway
    clock: Clock

    def ref(self, number: int) -> str:
        """How the desk shows a ticket number: T-42."""
        return format_ref(number, self.config.desk.ticket_prefix)
