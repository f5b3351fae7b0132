"""Where a message the desk posted is: its conversation and timestamp, stored as `channel:ts`."""

from __future__ import annotations

from dataclasses import dataclass


def place(channel: str, ts: str) -> str:
    """A message's address as stored: `channel:ts`."""
    return f"{channel}:{ts}"


def split_place(stored: str) -> tuple[str, str]:
    channel, _, ts = stored.partition(":")
    return channel, ts


@dataclass(frozen=True)
class Place:
    """A posted message's place, typed: what a delivery records (`bot.delivery.kept`)."""

    channel: str
    ts: str

    @property
    def stored(self) -> str:
        """As the store keeps it: `channel:ts`."""
        return place(self.channel, self.ts)

    @classmethod
    def of(cls, stored: str) -> Place:
        return cls(*split_place(stored))
