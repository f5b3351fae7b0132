"""Where the desk keeps its data: one small interface (`Store`), chosen by URL.

- `tinydb://path/to/desk.json`: the default, a TinyDB file with a journal beside it.
- `memory://`: nothing on disk; for tests and throwaway runs.
"""

from store.base import Store, Transaction
from store.tinydb_store import StoreUnavailable, TinyDBStore


def store_from_url(url: str) -> Store:
    """The store a URL names (not yet opened)."""
    if url.startswith("memory://"):
        return Store()
    if url.startswith("tinydb://") and len(url) > len("tinydb://"):
        return TinyDBStore(url[len("tinydb://") :])
    raise StoreUnavailable(f"{url!r}: expected tinydb://PATH or memory://")


__all__ = ["Store", "StoreUnavailable", "TinyDBStore", "Transaction", "store_from_url"]
