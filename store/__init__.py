"""Where the desk keeps its data: one small interface (`Store`, abstract), a backend chosen by URL.

- `tinydb://path/to/desk.json`: the default, a TinyDB file with a journal beside it.
- `memory://`: nothing on disk; for tests and throwaway runs.
- `postgresql://host/db[?schema=name]`: several desks on one PostgreSQL database.

Each durable backend is imported when first used (`store_from_url`, or `store.TinyDBStore`):
a desk on PostgreSQL does not load TinyDB, its journal and its archiver at start (issue 37).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from store.base import NotSaved, Store, StoreUnavailable, Transaction
from store.memory_store import MemoryStore

if TYPE_CHECKING:
    from store.tinydb_store import TinyDBStore


def store_from_url(url: str, *, read_only: bool = False) -> Store:
    """The store a URL names (not yet opened); `read_only` to read beside a running desk."""
    if url.startswith("memory://"):
        return MemoryStore()
    if url.startswith("tinydb://") and len(url) > len("tinydb://"):
        from store.tinydb_store import TinyDBStore

        return TinyDBStore(url[len("tinydb://") :], read_only=read_only)
    if url.startswith(("postgresql://", "postgres://")):
        from store.postgres_store import PostgresStore  # psycopg is loaded only when used

        return PostgresStore(url, read_only=read_only)
    raise StoreUnavailable(f"{url!r}: expected tinydb://PATH, postgresql://… or memory://")


def __getattr__(name: str) -> Any:
    """`store.TinyDBStore`, imported on first use."""
    if name == "TinyDBStore":
        from store.tinydb_store import TinyDBStore

        return TinyDBStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "MemoryStore",
    "NotSaved",
    "Store",
    "StoreUnavailable",
    "TinyDBStore",
    "Transaction",
    "store_from_url",
]
