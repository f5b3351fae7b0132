"""Whether the store a URL names can be used, asked without opening it: `check-config` asks,
and the desk asks before it starts on PostgreSQL, so that a store out of reach is one line
naming it and why (exit 1), not a traceback after ten seconds of retries.

- PostgreSQL: connect (a short timeout) and `SELECT 1`.
- TinyDB: the store's folder (or the nearest folder above it that exists, which the desk
  would create it in) takes a new file.
- memory: always.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PATIENCE = 5  # seconds to wait for PostgreSQL to answer (libpq's connect_timeout; at least 2)


async def unreachable(url: str, timeout: int = PATIENCE) -> str | None:
    """Why the store at `url` cannot be used now, in a few words; None when it can. The
    words never hold the URL (the caller names it, redacted)."""
    if url.startswith(("postgresql://", "postgres://")):
        return await _postgres(url, timeout)
    if url.startswith("tinydb://"):
        return _folder(Path(url[len("tinydb://") :]))
    return None


async def _postgres(url: str, timeout: int) -> str | None:
    import psycopg  # loaded only for PostgreSQL, as the store itself is

    from store.postgres_store import _reason, _split

    try:
        conninfo, _schema = _split(url)
        async with await psycopg.AsyncConnection.connect(
            conninfo, autocommit=True, connect_timeout=max(2, timeout)
        ) as conn:
            await conn.execute("SELECT 1")
    except ValueError as problem:
        return f"not a PostgreSQL URL the desk can use ({problem})"
    except (psycopg.Error, OSError) as problem:
        return f"cannot reach PostgreSQL ({_reason(problem)})"
    return None


def _folder(path: Path) -> str | None:
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the desk creates the folders that are missing
    if not folder.is_dir():
        return f"{folder} is not a folder, so {path.name} cannot be kept in it"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return f"cannot read and write {path}"
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as problem:
        return f"cannot write in {folder} ({problem.strerror})"
    return None
