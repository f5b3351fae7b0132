"""Escalation notices: what the desk has said (or still owes) about a ticket's targets.

A notice belongs to one ticket, one target, one level and one round of that target (a reopen
starts a new round of the resolution target). It is recorded on the ticket before it is sent,
with the places it still has to reach; each place is struck off once the message is there.
So a notice is raised once and delivered once, whatever restarts happen in between.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bot.domain.policy import Target

TRIAGE = "triage"  # a destination: the ticket's card thread in the triage channel


class Level(StrEnum):
    AT_RISK = "at_risk"  # warn_at of the target used
    BREACHED = "breached"  # the target missed
    LEADS = "leads"  # leads_at of the target used: the leads are told

    @property
    def words(self) -> str:
        return {Level.AT_RISK: "at risk", Level.BREACHED: "breached", Level.LEADS: "leads told"}[self]


def to_person(user: str) -> str:
    """A destination: a direct message to `user`."""
    return f"dm:{user}"


def person_of(destination: str) -> str | None:
    """The user a destination is a DM to, or None for the triage channel."""
    kind, _, user = destination.partition(":")
    return user if kind == "dm" else None


@dataclass(frozen=True)
class Notice:
    target: Target
    level: Level
    since: datetime  # when this round of the target started counting
    due_at: datetime  # when the level was reached
    raised_at: datetime  # when the desk recorded it
    late: bool  # raised well after it fell due (the desk was not running)
    owed: tuple[str, ...] = ()  # where it still has to go: TRIAGE or to_person(...)

    @property
    def key(self) -> str:
        """Names the notice among the ticket's: target, level and round."""
        return f"{self.target}:{self.level}:{int(self.since.timestamp())}"

    def is_for(self, target: Target, level: Level, since: datetime) -> bool:
        return self.target is target and self.level is level and self.since == since

    def delivered(self, destination: str) -> Notice:
        return replace(self, owed=tuple(d for d in self.owed if d != destination))
