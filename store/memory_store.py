"""The store with nothing on disk (`memory://`): for tests, benchmarks and throwaway runs."""

from __future__ import annotations

from typing import Any

from store.base import Store
from store.tables import Change


class MemoryStore(Store):
    """The tables in memory and nowhere else: a write is kept as soon as it is made, and gone
    when the process ends."""

    url = "memory://"

    async def open(self) -> None:
        """Nothing to load: the memory store starts empty."""

    async def close(self) -> None:
        """Nothing to let go of; the once-only marks waiting for a write are written."""
        await self.write_riders()

    async def _commit_group(self, handle: Any, changes: list[Change]) -> dict[int, str]:
        return await self._persist(changes) if changes else {}

    async def _persist(self, changes: list[Change]) -> dict[int, str]:
        """Where a write would go (nowhere); tests put faults here. No JSON is made."""
        return {}
