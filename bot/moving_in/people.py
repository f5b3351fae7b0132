"""Who is who: the people another desk names (by e-mail or by name), found in Slack.

A Slack user id is taken as it is; a mapping file (`--people FILE`: `email,slack_id` a line,
a name in place of the e-mail for sources that name people) wins next; then an e-mail is
looked up with `users.lookupByEmail`, once per address, paced to stay within Slack's limit for
that method (Tier 3: 50 a minute; the first few at once). Nobody found: the person is kept as
an outsider, `ext:KEY`, shown by name and never messaged.
"""

from __future__ import annotations

import asyncio
import csv
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from bot.domain.owed import OUTSIDER, is_outsider

SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
OUTSIDE = OUTSIDER  # the desk's name for a person with no Slack user: `ext:jane@example.com`

Lookup = Callable[[str], Awaitable[str | None]]


def read_people_file(path: Path) -> dict[str, str]:
    """`email,slack_id` lines as {email (casefolded): slack id}; ValueError names a bad line."""
    found: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for number, row in enumerate(csv.reader(handle), 1):
            if not row or not "".join(row).strip() or row[0].strip().startswith("#"):
                continue
            if len(row) < 2 or not SLACK_USER.match(row[1].strip()):
                if number == 1 and not any(SLACK_USER.match(v.strip()) for v in row):
                    continue  # a header line
                raise ValueError(f"{path}: line {number}: write it as email,slack_id (like U012AB3CD)")
            found[row[0].strip().casefold()] = row[1].strip()
    return found


class Pace:
    """At most `per_minute` calls a minute after a first `burst` (a token bucket)."""

    def __init__(self, per_minute: float = 50, burst: int = 20) -> None:
        self.rate = per_minute / 60
        self.burst = float(burst)
        self.tokens = float(burst)
        self.at = time.monotonic()

    async def turn(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            await asyncio.sleep((1 - self.tokens) / self.rate)
            self.tokens, self.at = 1.0, time.monotonic()
        self.tokens -= 1


class People:
    """Finds each person once; `found` holds everyone asked about so far: key -> person."""

    def __init__(
        self,
        mapping: dict[str, str] | None = None,
        lookup: Lookup | None = None,
        looked_up: dict[str, str] | None = None,
    ) -> None:
        self.mapping = mapping or {}
        self.lookup = lookup
        self.pace = Pace()
        self.found: dict[str, str] = {}
        # address (casefolded) -> the user Slack found ("": nobody), from earlier runs too, so
        # a run after an interruption asks Slack only about addresses it has not asked about
        self.looked_up: dict[str, str] = dict(looked_up or {})
        self.asked: dict[str, str] = {}  # what this run asked, to be remembered

    async def find(self, keys: Iterable[str], told: Callable[[], None] = lambda: None) -> dict[str, str]:
        for key in keys:
            if key and key not in self.found:
                self.found[key] = await self._one(key)
                told()
        return self.found

    async def _one(self, key: str) -> str:
        key = key.removeprefix(OUTSIDE)  # kept by name by an earlier import (the desk's own export)
        if SLACK_USER.match(key):
            return key
        mapped = self.mapping.get(key.casefold())
        if mapped:
            return mapped
        address = key.casefold()
        if address in self.looked_up:
            return self.looked_up[address] or OUTSIDE + key
        if self.lookup is not None and "@" in key:
            await self.pace.turn()
            user = await self.lookup(key) or ""
            self.looked_up[address] = self.asked[address] = user
            if user:
                return user
        return OUTSIDE + key

    @property
    def matched(self) -> list[str]:
        return sorted(k for k, v in self.found.items() if not is_outsider(v))

    @property
    def unmatched(self) -> list[str]:
        return sorted(k for k, v in self.found.items() if is_outsider(v))
