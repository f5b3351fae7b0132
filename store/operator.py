"""`python -m bot store check` and `python -m bot store backup FILE`: what an operator does
to a store, beside a running desk (both only read it); and `store rebuild-rollups`."""

from __future__ import annotations

from pathlib import Path

from bot.desk import rollup_of
from config.settings import Config
from store import StoreUnavailable, store_from_url
from store.tinydb_store import TinyDBStore


def _tinydb(url: str) -> TinyDBStore:
    if url.startswith(("postgresql://", "postgres://")):
        raise StoreUnavailable(
            f"{url.split('?')[0]}: PostgreSQL keeps this store; check it and back it up with "
            "PostgreSQL's own tools (pg_dump --schema desk)"
        )
    store = store_from_url(url, read_only=True)
    if not isinstance(store, TinyDBStore):
        raise StoreUnavailable(f"{url}: this store keeps nothing on disk")
    return store


async def check(url: str) -> str:
    """What the store holds, read whole and checked change by change; StoreUnavailable with
    what is damaged."""
    store = _tinydb(url)
    await store.open()
    try:
        await store.check_archive()
        found = store.describe()
    finally:
        await store.close()
    segments = found["segments"]
    months = found["months"]
    archive = (
        f"{found['archived']} tickets in {len(months)} monthly file{'s' if len(months) != 1 else ''} "
        f"({months[0]} to {months[-1]}), every one there"
        if months
        else "none yet"
    )
    return (
        f"{store.path}: readable, every change from the snapshot on is there\n"
        f"  tickets: {found['tickets']} in memory ({found['open']} open)\n"
        f"  archive: {archive}\n"
        f"  snapshot: {found['snapshot'] or 'none yet'}\n"
        f"  journal: {len(segments)} segment{'s' if len(segments) != 1 else ''}"
        f"{': ' + ', '.join(segments) if segments else ''}\n"
        f"  last change: {found['last_change']}\n"
    )


async def backup(url: str, target: Path) -> str:
    """A consistent copy of the store as one TinyDB file, taken without stopping the desk."""
    store = _tinydb(url)
    await store.open()
    try:
        if target.resolve() == store.path.resolve():
            raise StoreUnavailable(f"{target}: that is the store itself; name another file")
        await store.backup_to(target)
        found = store.describe()
    finally:
        await store.close()
    archived = f" and {found['archived']} archived beside it" if found["archived"] else ""
    return f"wrote {target}: {found['tickets']} tickets{archived}, up to change {found['last_change']}\n"


async def rebuild_rollups(config: Config) -> str:
    """Recompute the per-day rollups from every ticket, in one transaction (PostgreSQL: beside
    running desks; TinyDB: with the desk stopped, as its lock file asks)."""
    store = store_from_url(config.store_url)
    store.rollup = rollup_of(config)
    await store.open()
    try:
        rows = await store.rebuild_rollups()
        tickets = await store.ticket_count()
    finally:
        await store.close()
    return f"rebuilt the rollups: {rows} rows (day, team, agent) from {tickets} tickets\n"
