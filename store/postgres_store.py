"""The PostgreSQL backend (`postgresql://…`, SPEC §12): several desks on one database.

The desk's state lives in three tables: `tickets` and `records` (every other table, the
outbox included) hold what is true now, and `changes` is the log of committed transactions.
Each process keeps the state in memory, as the other backends do, and catches up from the log:

- A transaction takes the desk's write lock across processes (a transaction-level advisory
  lock), applies what other processes committed since it last looked, runs the desk's
  transaction on that state, and writes its changes (the current rows and one log entry) in
  the same database transaction. So two desks claiming one ticket at once still see each
  other's claim, and a ticket number is taken by exactly one of them.
- Reads catch up first (a cheap query when nothing is new), at most every `fresh_for` seconds
  (50 ms): a plain read may be that far behind another desk, never behind this one's own
  commits; transactions always start caught up.
- Group commit: this desk's transactions waiting their turn share one database transaction
  and one commit (`Store.transaction`; this backend opens and commits the group).

Nothing is visible in memory until the database has committed it. A process that fell behind
the log's pruning (`KEEP_CHANGES`) loads the state afresh. Driver: psycopg 3 with its async
pool (docs/store.md says why). Schema versions are applied at start (`MIGRATIONS`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from store.base import NotSaved, Store
from store.names import SIGNED, TICKETS
from store.tables import Change, Tables, encode_changes

log = logging.getLogger("desk.store")
KEEP_CHANGES = 50_000  # log entries kept; a process further behind loads the state afresh
PRUNE_EVERY = 500  # commits between two prunings of the log

MIGRATIONS: list[str] = [
    # 1: the state and the log of changes
    """
    CREATE TABLE tickets (
        number integer PRIMARY KEY,
        doc jsonb NOT NULL,
        is_open boolean NOT NULL,
        requester text NOT NULL
    );
    CREATE INDEX tickets_open ON tickets (number) WHERE is_open;
    CREATE TABLE records (
        tbl text NOT NULL,
        key text NOT NULL,
        doc jsonb NOT NULL,
        PRIMARY KEY (tbl, key)
    );
    CREATE TABLE changes (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        changes jsonb NOT NULL
    );
    CREATE TABLE log_state (pruned_upto bigint NOT NULL);
    INSERT INTO log_state VALUES (0);
    CREATE SEQUENCE ticket_numbers;
    """,
    # 2: keys only the database is asked about (the edge's replay check), written without the
    # desks' write lock
    """
    CREATE TABLE once_keys (
        tbl text NOT NULL,
        key text NOT NULL,
        doc jsonb NOT NULL,
        PRIMARY KEY (tbl, key)
    );
    """,
]
# Tables asked about only with `add_once` and read whole only to prune them: kept in the
# database alone, so the check before every ack is one INSERT, not a turn at the write lock.
DIRECT = frozenset({SIGNED})


def _split(url: str) -> tuple[str, str]:
    """The connection URL for psycopg and the schema the desk's tables live in (`?schema=`,
    `desk` by default, so a database can hold other things too)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    schema = query.pop("schema", "desk")
    if not schema.replace("_", "").isalnum():
        raise ValueError(f"schema: expected letters, digits and _; got {schema!r}")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), "")), schema


class PostgresStore(Store):
    shared_by = 0.25

    def __init__(self, url: str, *, read_only: bool = False, fresh_for: float = 0.05) -> None:
        super().__init__()
        self.url = url
        self._conninfo, self.schema = _split(url)
        self.read_only = read_only
        self.fresh_for = fresh_for
        self._pool: AsyncConnectionPool | None = None
        self._seen = 0  # the last log entry applied to memory
        self._looked_at = 0.0  # when reads last caught up (monotonic)
        self._catching_up = asyncio.Lock()
        self._commits = 0
        self._pending_seen = 0  # the log entry of the group being committed
        self._pruning: asyncio.Task[None] | None = None
        self.lock_name = f"desk-writes:{self.schema}"  # the advisory lock every desk's writes take

    # -- life --------------------------------------------------------------------------
    async def open(self) -> None:
        self._pool = AsyncConnectionPool(
            self._conninfo,
            min_size=1,
            max_size=4,
            open=False,
            kwargs={"autocommit": True, "options": f"-c search_path={self.schema}"},
        )
        try:
            await self._pool.open(wait=True, timeout=10)
            async with self._pool.connection() as conn:
                await self._migrate(conn)
                await self._load(conn)
        except (psycopg.Error, OSError) as problem:
            await self._pool.close()
            raise NotSaved(f"cannot reach PostgreSQL ({_reason(problem)})") from problem

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _migrate(self, conn: psycopg.AsyncConnection) -> None:
        """Apply the schema versions this database has not seen, one transaction each."""
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.lock_name,))
            await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_versions "
                "(version integer PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())"
            )
            cur = await conn.execute("SELECT coalesce(max(version), 0) FROM schema_versions")
            row = await cur.fetchone()
            current = int(row[0]) if row else 0
            for version, sql in enumerate(MIGRATIONS, start=1):
                if version <= current:
                    continue
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_versions (version) VALUES (%s)", (version,))
                log.info("store schema migrated", extra={"version": version})

    async def _load(self, conn: psycopg.AsyncConnection) -> None:
        """The whole state from the current rows, and the place in the log it stands for."""
        tables = Tables()
        async with conn.transaction():
            cur = await conn.execute("SELECT coalesce(max(id), 0) FROM changes")
            row = await cur.fetchone()
            seen = int(row[0]) if row else 0
            cur = await conn.execute("SELECT doc FROM tickets ORDER BY number")
            changes: list[Change] = [("put", TICKETS, "", doc) async for (doc,) in cur]
            cur = await conn.execute("SELECT tbl, key, doc FROM records")
            changes += [("put", tbl, key, doc) async for (tbl, key, doc) in cur]
        tables.apply(changes)
        self.tables, self._seen, self._looked_at = tables, seen, time.monotonic()
        gc.freeze()  # the tables live until the next load: as in TinyDBStore.open

    # -- reads -------------------------------------------------------------------------
    async def _before_read(self) -> None:
        """Catch up with what other desks committed, unless that was done a moment ago."""
        if time.monotonic() - self._looked_at < self.fresh_for or self._pool is None:
            return
        async with self._catching_up:
            if time.monotonic() - self._looked_at < self.fresh_for:
                return
            try:
                async with self._pool.connection() as conn:
                    await self._catch_up(conn)
            except (psycopg.Error, OSError) as problem:
                self.problem = f"cannot reach PostgreSQL ({_reason(problem)})"
                log.warning("store read from memory: PostgreSQL unreachable", extra={"error": self.problem})

    async def _catch_up(self, conn: psycopg.AsyncConnection) -> None:
        """Apply the log's entries after the last one seen; load afresh if they were pruned."""
        cur = await conn.execute(
            "SELECT (SELECT pruned_upto FROM log_state), id, changes FROM changes WHERE id > %s ORDER BY id",
            (self._seen,),
        )
        rows = await cur.fetchall()
        if rows and int(rows[0][0]) > self._seen:
            await self._load(conn)  # fell behind the kept log: the state afresh
            return
        for _, number, changes in rows:
            self.tables.apply([tuple(change) for change in changes])
            self._seen = number
        self._looked_at = time.monotonic()

    async def record(self, table: str, key: str) -> Any:
        if table in DIRECT:
            return (await self._direct(table, key)).get(key)
        return await super().record(table, key)

    async def records(self, table: str) -> dict[str, Any]:
        if table in DIRECT:
            return await self._direct(table)
        return await super().records(table)

    async def _direct(self, table: str, key: str | None = None) -> dict[str, Any]:
        if self._pool is None:
            return {}
        query = "SELECT key, doc FROM once_keys WHERE tbl = %s" + (" AND key = %s" if key is not None else "")
        try:
            async with self._pool.connection() as conn:
                cur = await conn.execute(query, (table, key) if key is not None else (table,))
                return {k: doc async for k, doc in cur}
        except (psycopg.Error, OSError) as problem:
            raise self._unsaved(problem) from problem

    async def add_once(self, table: str, key: str, doc: Any) -> bool:
        if table not in DIRECT:
            return await super().add_once(table, key, doc)
        if self._pool is None or self.read_only:
            raise NotSaved("the store is read-only here" if self.read_only else "the store is closed")
        try:
            async with self._pool.connection() as conn:
                cur = await conn.execute(
                    "INSERT INTO once_keys (tbl, key, doc) VALUES (%s, %s, %s) "
                    "ON CONFLICT DO NOTHING RETURNING 1",
                    (table, key, Jsonb(doc)),
                )
                return await cur.fetchone() is not None
        except (psycopg.Error, OSError) as problem:
            raise self._unsaved(problem) from problem

    # -- writes (the group commit is the base store's: `Store.transaction`) ----------------
    async def _open_group(self) -> Any:
        """A database transaction holding the desks' write lock, caught up with the log."""
        if self._pool is None or self.read_only:
            raise NotSaved("the store is read-only here" if self.read_only else "the store is closed")
        opened = self._pool.connection()
        try:
            conn = await opened.__aenter__()
        except (psycopg.Error, OSError) as problem:
            raise self._unsaved(problem) from problem
        began = conn.transaction()
        try:
            await began.__aenter__()
            async with conn.pipeline():  # the lock and the catch-up in one round trip
                await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.lock_name,))
                await self._catch_up(conn)
        except (psycopg.Error, OSError) as problem:
            await _abandon(opened, began, problem)
            raise self._unsaved(problem) from problem
        return opened, conn, began

    async def _commit_group(self, handle: Any, changes: list[Change]) -> dict[int, str]:
        """The group's rows and one log entry, committed; or nothing kept, and NotSaved."""
        opened, conn, began = handle
        encoded: dict[int, str] = {}
        try:
            if changes:
                text, encoded = encode_changes(changes)
                async with conn.pipeline():  # the rows and the log entry in one round trip
                    await self._write_rows(conn, changes, encoded)
                    cur = await conn.execute(
                        "INSERT INTO changes (changes) VALUES (%s::jsonb) RETURNING id", (text,)
                    )
                    row = await cur.fetchone()
                self._pending_seen = int(row[0]) if row else self._seen
            await began.__aexit__(None, None, None)  # COMMIT
        except (psycopg.Error, OSError) as problem:
            await _abandon(opened, began, problem)
            raise self._unsaved(problem) from problem
        await opened.__aexit__(None, None, None)
        return encoded

    def _after_commit(self, changes: list[Change]) -> None:
        self.problem = None
        self.last_write_at = datetime.now(UTC)
        self._seen = self._pending_seen
        self._commits += 1
        if self._commits % PRUNE_EVERY == 0:
            self._pruning = asyncio.get_running_loop().create_task(self._prune())  # kept till done

    async def _write_rows(
        self, conn: psycopg.AsyncConnection, changes: list[Change], encoded: dict[int, str]
    ) -> None:
        tickets, records, gone = [], [], []
        for op, table, key, doc in changes:
            if table == TICKETS:
                tickets.append((doc.number, encoded[doc.number], doc.is_open, doc.requester))
            elif op == "put":
                records.append((table, key, Jsonb(doc)))
            else:
                gone.append((table, key))
        async with conn.cursor() as cur:
            if tickets:
                await cur.executemany(
                    "INSERT INTO tickets (number, doc, is_open, requester) VALUES (%s, %s::jsonb, %s, %s) "
                    "ON CONFLICT (number) DO UPDATE SET doc = excluded.doc, is_open = excluded.is_open, "
                    "requester = excluded.requester",
                    tickets,
                )
                await cur.execute(
                    "SELECT setval('ticket_numbers', greatest(%s, (SELECT last_value FROM ticket_numbers)))",
                    (max(t[0] for t in tickets),),
                )
            if records:
                await cur.executemany(
                    "INSERT INTO records (tbl, key, doc) VALUES (%s, %s, %s) "
                    "ON CONFLICT (tbl, key) DO UPDATE SET doc = excluded.doc",
                    records,
                )
            if gone:
                await cur.executemany("DELETE FROM records WHERE tbl = %s AND key = %s", gone)
                direct = [(table, key) for table, key in gone if table in DIRECT]
                if direct:
                    await cur.executemany("DELETE FROM once_keys WHERE tbl = %s AND key = %s", direct)

    async def _prune(self) -> None:
        """Keep the log short: the rows hold the state; the log only lets desks catch up. A
        desk that had not seen what is pruned loads the state afresh (`log_state`)."""
        upto = self._seen - KEEP_CHANGES
        if upto <= 0 or self._pool is None:
            return
        try:
            async with self._pool.connection() as conn, conn.transaction():
                await conn.execute("UPDATE log_state SET pruned_upto = greatest(pruned_upto, %s)", (upto,))
                await conn.execute("DELETE FROM changes WHERE id <= %s", (upto,))
        except (psycopg.Error, OSError) as problem:
            log.warning("changes log not pruned", extra={"error": _reason(problem)})

    def _unsaved(self, problem: BaseException) -> NotSaved:
        self.problem = f"cannot write to PostgreSQL ({_reason(problem)})"
        log.warning("store write failed", extra={"error": self.problem})
        return NotSaved(self.problem)

    def health(self) -> dict[str, Any]:
        status = super().health()
        status["backend"] = "postgresql"
        return status

    def leader_lock(self) -> LeaderLock:
        return LeaderLock(self)


async def _abandon(opened: Any, began: Any, problem: BaseException) -> None:
    """Roll back and give the connection back after a failure."""
    with contextlib.suppress(psycopg.Error, OSError):
        await began.__aexit__(type(problem), problem, None)
    with contextlib.suppress(psycopg.Error, OSError):
        await opened.__aexit__(type(problem), problem, None)


def _reason(problem: BaseException) -> str:
    text = str(problem).strip().splitlines()
    return text[0][:200] if text else type(problem).__name__


class LeaderLock:
    """The desks' leadership (SPEC §12): a session-level advisory lock held on a connection of
    its own. PostgreSQL lets go of it the moment that connection ends, however it ends (the
    process killed, the network lost), so another desk can take it at its next try."""

    def __init__(self, store: PostgresStore) -> None:
        self._conninfo = store._conninfo
        self._name = f"desk-leader:{store.schema}"
        self._conn: psycopg.AsyncConnection | None = None

    async def try_take(self) -> bool:
        """Take the lock if nobody holds it; False (never an exception) if it cannot be had."""
        try:
            if self._conn is None or self._conn.closed:
                self._conn = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, connect_timeout=5
                )
            cur = await self._conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (self._name,))
            row = await cur.fetchone()
            return bool(row and row[0])
        except (psycopg.Error, OSError):
            await self.release()
            return False

    async def holds(self) -> bool:
        """Whether the lock is still ours: its connection answers (a lost one released it)."""
        if self._conn is None or self._conn.closed:
            return False
        try:
            await self._conn.execute("SELECT 1")
            return True
        except (psycopg.Error, OSError):
            await self.release()
            return False

    async def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error, OSError):
                await self._conn.close()  # the lock goes with the connection
            self._conn = None
