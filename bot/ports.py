"""What the flows may ask of Slack, as narrow ports (issue 36): `bot.flows` never holds the
gateway. Every message the desk posts goes through the outbox (`bot.delivery.outbox`, the one
road to Slack); what is left for a flow is to ask: who a person is and where their DM is
(`Directory`), and what a message said (`Messages`). The Slack gateway
(`bot.slack.gateway.SlackGateway`) is what answers both; the composition root (`bot.app`)
gives it to the desk as each (`Desk.directory`, `Desk.messages`).

A port that cannot answer (Slack is away, or refused) raises `Unanswered` (the gateway's
`SlackFailure` is one), with `error` in Slack's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class Unanswered(Exception):
    """A port's far side did not answer, after its retries, or refused; `error` says why."""

    error: str


@dataclass(frozen=True)
class Posted:
    """Where a message landed: its conversation and its ts."""

    channel: str
    ts: str


class Directory(Protocol):
    """The workspace's people, as Slack knows them, and the desk itself."""

    async def display_name(self, user: str) -> str:
        """A person's name for plain text (mentions are better where mrkdwn is shown)."""
        ...

    async def locale(self, user: str) -> str:
        """A person's Slack locale (`en-US`, `zh-CN`), or "" when Slack does not say one."""
        ...

    def known_locale(self, user: str) -> str:
        """A person's locale if it was asked before ("" when not: Slack is not asked)."""
        ...

    async def dm_channel(self, user: str) -> str:
        """The direct-message channel with `user`."""
        ...

    def known_dm(self, user: str) -> str | None:
        """The DM channel with `user` if it is known already (Slack is not asked)."""
        ...

    async def usergroup_members(self, usergroup: str) -> tuple[str, ...]:
        """The members of a user group ("S…")."""
        ...

    async def who_am_i(self) -> dict[str, Any]:
        """The desk's own identity in the workspace (`auth.test`)."""
        ...


class Messages(Protocol):
    """Messages already in Slack, read."""

    async def message_at(self, channel: str, ts: str) -> dict[str, Any] | None:
        """One message (a reply in a thread too), or None when it is gone."""
        ...
