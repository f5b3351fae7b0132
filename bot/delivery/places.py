"""Where a message the desk posted is, as the store keeps it: `channel:ts`. Typed, it is
`store.records.Place`; these two read and write the stored string where a flow holds one."""

from __future__ import annotations


def place(channel: str, ts: str) -> str:
    """A message's address as stored: `channel:ts`."""
    return f"{channel}:{ts}"


def split_place(stored: str) -> tuple[str, str]:
    channel, _, ts = stored.partition(":")
    return channel, ts
