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
import json
import logging
import os
import select
import time
from collections.abc import AsyncIterator, Callable, Container
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from bot.domain.ticket import Ticket
from store import window
from store.base import NotSaved, Store
from store.codec import ticket_from_doc
from store.names import SIGNED, THREADS, TICKETS
from store.tables import Change, collections_held, encode_changes
from store.window import SETTLED, Window

log = logging.getLogger("desk.store")
KEEP_CHANGES = 50_000  # log entries kept; a process further behind loads the state afresh
PRUNE_EVERY = 500  # commits between two prunings of the log
CONNECT_WAIT = 3.0  # seconds a transaction waits for a connection (the server may be down)
RECONNECT_FOR = 2.0  # seconds the pool keeps reconnecting on its own (then when next asked)
READ_WAIT = 1.0  # ... and a read's catch-up, which serves memory after that
RETRY_READS = 1.0  # seconds reads serve memory after the server could not be reached

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
MIGRATIONS.append(
    # 3 (issue 37): typed columns beside the document, for reports, indexes and BI tools;
    # filled from the document here (team: by the desk at its next start, `_fill_teams`,
    # since the config says which team an area belongs to), then on every write. And the
    # read-only views of the `reporting` schema (docs/store.md: "Reading the desk from BI tools").
    """
    ALTER TABLE tickets
        ADD COLUMN team text,
        ADD COLUMN area text,
        ADD COLUMN priority text,
        ADD COLUMN state text,
        ADD COLUMN assignee text,
        ADD COLUMN opened timestamptz,
        ADD COLUMN first_response timestamptz,
        ADD COLUMN resolved timestamptz,
        ADD COLUMN reopened timestamptz,
        ADD COLUMN rating smallint,
        ADD COLUMN rated timestamptz,
        ADD COLUMN via text;
    UPDATE tickets SET
        area = doc->>'category',
        priority = doc->>'priority',
        state = doc->>'status',
        assignee = doc->>'assignee',
        opened = (doc->>'opened_at')::timestamptz,
        first_response = (doc->>'first_response_at')::timestamptz,
        resolved = (doc->>'resolved_at')::timestamptz,
        reopened = (doc->>'reopened_at')::timestamptz,
        rating = (doc->'rating'->>0)::smallint,
        rated = (doc->'rating'->>1)::timestamptz,
        via = doc->'origin'->>2;
    CREATE INDEX tickets_opened ON tickets (opened);
    CREATE INDEX tickets_resolved ON tickets (resolved) WHERE resolved IS NOT NULL;
    CREATE INDEX tickets_requester ON tickets (requester, number);
    CREATE INDEX tickets_team_opened ON tickets (team, opened);
    CREATE INDEX tickets_assignee ON tickets (assignee, resolved);
    CREATE INDEX tickets_no_team ON tickets (number) WHERE team IS NULL;  -- `_fill_teams` at start
    CREATE SCHEMA IF NOT EXISTS {reporting};
    CREATE OR REPLACE VIEW {reporting}.tickets AS
        SELECT number, team, area, priority, state, requester, assignee, via,
               opened, first_response, resolved, reopened,
               first_response - opened AS first_response_after,
               resolved - coalesce(reopened, opened) AS resolved_after,
               rating, rated
        FROM tickets LIMIT ALL;
    CREATE OR REPLACE VIEW {reporting}.ratings AS
        SELECT number, team, area, assignee, rating AS score, rated AS at,
               coalesce(doc->'rating'->>2, '') AS comment
        FROM tickets WHERE rated IS NOT NULL LIMIT ALL;
    CREATE OR REPLACE VIEW {reporting}.daily AS
        SELECT split_part(key, '|', 1)::date AS day,
               regexp_replace(key, '^[^|]*[|](.*)[|][^|]*$', '\\1') AS team,
               sum(coalesce((doc->>'opened')::int, 0)) AS opened,
               sum(coalesce((doc->>'resolved')::int, 0)) AS resolved,
               sum(coalesce((doc->>'rated_resolved')::int, 0)) AS rated_resolved,
               sum(coalesce((doc->>'fr_met')::int, 0)) AS first_response_met,
               sum(coalesce((doc->>'fr_missed')::int, 0)) AS first_response_missed,
               sum(coalesce((doc->>'res_met')::int, 0)) AS resolution_met,
               sum(coalesce((doc->>'res_missed')::int, 0)) AS resolution_missed,
               sum(coalesce((doc->>'esc:at_risk')::int, 0)) AS at_risk,
               sum(coalesce((doc->>'esc:breached')::int, 0)) AS breached,
               sum(coalesce((doc->>'esc:leads')::int, 0)) AS leads_told,
               sum(coalesce((doc->>'score:1')::int, 0) + coalesce((doc->>'score:2')::int, 0)
                   + coalesce((doc->>'score:3')::int, 0) + coalesce((doc->>'score:4')::int, 0)
                   + coalesce((doc->>'score:5')::int, 0)) AS ratings,
               sum(coalesce((doc->>'score:1')::int, 0) + 2 * coalesce((doc->>'score:2')::int, 0)
                   + 3 * coalesce((doc->>'score:3')::int, 0) + 4 * coalesce((doc->>'score:4')::int, 0)
                   + 5 * coalesce((doc->>'score:5')::int, 0)) AS score_total
        FROM records WHERE tbl = 'rollups'
        GROUP BY 1, 2;
    """
)
MIGRATIONS.append(
    # 4 (issue 37): what a desk that keeps a window asks by: when each closed ticket settled
    # (`store.window.SETTLED`, its start-up and its reports' reach) and which threads name a
    # ticket (its own records, read with it)
    f"""
    CREATE INDEX tickets_settled ON tickets ({SETTLED}) WHERE NOT is_open;
    CREATE INDEX records_threads ON records ((doc #>> '{{}}')) WHERE tbl = '{THREADS}';
    """
)
# Tables asked about only with `add_once` and read whole only to prune them: kept in the
# database alone, so the check before every ack is one INSERT, not a turn at the write lock.
DIRECT = frozenset({SIGNED})
ONCE = "INSERT INTO once_keys (tbl, key, doc) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1"
# The same, committed without waiting for the log's flush: `set_config(…, true)` is `SET LOCAL`,
# for the statement's own transaction (the connections are in autocommit).
ONCE_SOON = (
    "WITH unhurried AS (SELECT set_config('synchronous_commit', 'off', true)) "
    "INSERT INTO once_keys (tbl, key, doc) SELECT %s, %s, %s FROM unhurried "
    "ON CONFLICT DO NOTHING RETURNING 1"
)
# The typed columns of `tickets` beside its document (migration 3), in `_columns`' order.
COLUMNS = (
    "team",
    "area",
    "priority",
    "state",
    "assignee",
    "opened",
    "first_response",
    "resolved",
    "reopened",
    "rating",
    "rated",
    "via",
)


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
        # The read-only views for BI tools: `reporting` beside the default schema `desk`,
        # `<schema>_reporting` beside any other (so desks sharing a database keep theirs apart).
        self.reporting = "reporting" if self.schema == "desk" else f"{self.schema}_reporting"
        # Every ticket settled at or after this is in memory (`store.window`): the start of the
        # window loaded (`keep_since`), then of the last one kept (`archive_settled`); None
        # while every ticket is.
        self._kept_since: datetime | None = None

    # -- life --------------------------------------------------------------------------
    async def open(self) -> None:
        self._pool = AsyncConnectionPool(
            self._conninfo,
            min_size=1,
            max_size=4,
            open=False,
            timeout=CONNECT_WAIT,
            # A lost server is tried again on the pool's own for RECONNECT_FOR seconds (its
            # back-off doubles from 1 s), then as soon as a connection is asked for. With its
            # default (5 minutes) the back-off had grown so long that a desk found a server
            # back from a 3 s restart only 25 s later.
            reconnect_timeout=RECONNECT_FOR,
            kwargs={"autocommit": True, "options": f"-c search_path={self.schema}"},
        )
        try:
            await self._pool.open(wait=True, timeout=10)
            async with self._connection() as conn:
                await self._migrate(conn)
                await self._load(conn)
                await self._fill_teams(conn)
        except (psycopg.Error, OSError) as problem:
            await self._pool.close()
            raise NotSaved(f"cannot reach PostgreSQL ({_reason(problem)})") from problem

    @contextlib.asynccontextmanager
    async def _connection(self, wait: float = CONNECT_WAIT) -> AsyncIterator[psycopg.AsyncConnection]:
        """A connection from the pool that the server has not closed. One it has is closed and
        given back (the pool drops it and opens another) and the next is taken, at once: the
        pool's own `check` waits a second after each failed one. Otherwise as the pool's
        `connection()`: committed or rolled back at the end, and given back."""
        assert self._pool is not None
        deadline = time.monotonic() + wait
        while True:
            conn = await self._pool.getconn(timeout=max(0.01, deadline - time.monotonic()))
            if not _gone(conn):
                break
            await conn.close()
            await self._pool.putconn(conn)
        try:
            async with conn:
                yield conn
        finally:
            await self._pool.putconn(conn)

    async def _drop_dead_connections(self) -> None:
        """After a connection died in use: the pool's others may be dead too (a restart or a
        failover cuts them all at once), so each is checked and the dead ones dropped before
        the next try takes one. A failure here changes nothing: the next try says how it went."""
        assert self._pool is not None
        with contextlib.suppress(Exception):
            await self._pool.check()

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
                await conn.execute(sql.replace("{reporting}", self.reporting))
                await conn.execute("INSERT INTO schema_versions (version) VALUES (%s)", (version,))
                log.info("store schema migrated", extra={"version": version})

    async def _load(self, conn: psycopg.AsyncConnection, *, first: bool = True) -> None:
        """The state from the current rows, and the place in the log it stands for: every
        ticket, or with `keep_since` set, the window (`store.window`) and the highest number."""
        since = self._kept_since or self.keep_since  # (a reload keeps the window it had)
        tables = Window()
        with collections_held(freeze=first):  # (the tables live until the next load: frozen at open)
            seen = await self._read_state(conn, tables, since)
        self.tables, self._seen, self._looked_at = tables, seen, time.monotonic()
        self._kept_since = since

    async def _read_state(self, conn: psycopg.AsyncConnection, tables: Window, since: datetime | None) -> int:
        """`_load`'s reading into `tables`; the place in the log they stand for."""
        async with conn.transaction():
            cur = await conn.execute("SELECT coalesce(max(id), 0) FROM changes")
            row = await cur.fetchone()
            seen = int(row[0]) if row else 0
            if since is None:
                cur = await conn.execute("SELECT doc FROM tickets ORDER BY number")
                changes: list[Change] = [("put", TICKETS, "", doc) for (doc,) in await cur.fetchall()]
                cur = await conn.execute("SELECT tbl, key, doc FROM records")
                changes += [("put", tbl, key, doc) for (tbl, key, doc) in await cur.fetchall()]
                tables.apply(changes)
            else:
                cur = await conn.execute("SELECT coalesce(max(number), 0) FROM tickets")
                row = await cur.fetchone()
                tables.last_number = int(row[0]) if row else 0
                cur = await conn.execute(window.LOAD, (since,))
                row = await cur.fetchone()
                tables.apply([("put", TICKETS, "", doc) for doc in json.loads(row[0] if row else "[]")])
                cur = await conn.execute(window.OTHER_RECORDS, (window.PER_TICKET,))
                row = await cur.fetchone()
                tables.apply(
                    [("put", tbl, key, doc) for tbl, key, doc in json.loads(row[0] if row else "[]")]
                )
                missing = sorted(window.named_by_the_desk(tables) - set(tables.tickets))
                if missing:  # older tickets the outbox or an open survey still names
                    cur = await conn.execute("SELECT doc FROM tickets WHERE number = ANY(%s)", (missing,))
                    tables.apply([("put", TICKETS, "", doc) for (doc,) in await cur.fetchall()])
                cur = await conn.execute(window.ITS_RECORDS, window.its_records_args(tables.tickets))
                tables.apply([("put", tbl, key, doc) for (tbl, key, doc) in await cur.fetchall()])
        return seen

    async def _fill_teams(self, conn: psycopg.AsyncConnection) -> None:
        """The `team` column of tickets written before it existed (migration 3), from the
        desk's config (`rollup`), a page at a time; nothing to do for a store opened without one."""
        if self.rollup is None or self.read_only:
            return
        team_of, after = self.rollup.team_of, 0
        while True:
            cur = await conn.execute(
                "SELECT number, doc::text FROM tickets WHERE team IS NULL AND number > %s "
                "ORDER BY number LIMIT %s",
                (after, window.PAGE),
            )
            rows = await cur.fetchall()
            if not rows:
                return
            async with conn.cursor() as update:
                await update.executemany(
                    "UPDATE tickets SET team = %s WHERE number = %s",
                    [(team_of(ticket_from_doc(json.loads(doc))), number) for number, doc in rows],
                )
            after = rows[-1][0]

    # -- reads -------------------------------------------------------------------------
    async def _before_read(self) -> None:
        """Catch up with what other desks committed, unless that was done a moment ago (or the
        server could not be reached a moment ago: reads then serve memory, without waiting)."""
        if time.monotonic() - self._looked_at < self.fresh_for or self._pool is None:
            return
        async with self._catching_up:
            if time.monotonic() - self._looked_at < self.fresh_for:
                return
            await self._try_catch_up(READ_WAIT)

    async def probe(self) -> bool:
        """Catch up now, whatever `fresh_for` says: whether the server answered. What the desk
        checks on its own every few seconds (`LeaderLock`), so an idle desk too knows whether
        it can reach its store (/healthz), and its view is never older than that."""
        if self._pool is None:
            return False
        async with self._catching_up:
            return await self._try_catch_up(READ_WAIT)

    async def _try_catch_up(self, wait: float) -> bool:
        try:
            try:
                async with self._connection(wait) as conn:
                    await self._catch_up(conn)
            except PoolTimeout:
                raise
            except (psycopg.Error, OSError):  # a connection that died in use: once more, on another
                await self._drop_dead_connections()  # (a server that cut them all: as a write does)
                async with self._connection(wait) as conn:
                    await self._catch_up(conn)
        except (psycopg.Error, OSError) as problem:  # reads go on from memory
            self._looked_at = time.monotonic() + RETRY_READS - self.fresh_for
            if self.problem is None:
                log.warning(
                    "store read from memory: PostgreSQL unreachable", extra={"error": _reason(problem)}
                )
            self.problem = f"cannot reach PostgreSQL ({_reason(problem)})"
            return False
        self.problem = None  # it answers again
        return True

    async def _catch_up(self, conn: psycopg.AsyncConnection) -> None:
        """Apply the log's entries after the last one seen; load afresh if they were pruned."""
        cur = await conn.execute(
            "SELECT (SELECT pruned_upto FROM log_state), id, changes FROM changes WHERE id > %s ORDER BY id",
            (self._seen,),
        )
        rows = await cur.fetchall()
        if rows and int(rows[0][0]) > self._seen:
            await self._load(conn, first=False)  # fell behind the kept log: the state afresh
            return
        for _, number, changes in rows:
            self.tables.apply([tuple(change) for change in changes])
            self._seen = number
        self._looked_at = time.monotonic()

    # -- the window: tickets in the database alone (`store.window`) ------------------------
    async def ticket(self, number: int) -> Ticket | None:
        """From memory; a ticket in the database alone is read and kept in memory (with its
        own records) until the next `archive_settled`: it is being worked on."""
        await self._before_read()
        found = self.tables.tickets.get(number)
        if found is not None or self._kept_since is None or not 0 < number <= self.tables.last_number:
            return found
        for _ in range(3):
            seen = self._seen
            rows = await self._select("SELECT doc::text FROM tickets WHERE number = %s", (number,))
            records = await self._select(window.ITS_RECORDS, window.its_records_args([number]))
            if number in self.tables.tickets:  # a catch-up brought it meanwhile: that is as new
                return self.tables.tickets[number]
            if seen == self._seen:  # no change was applied while it was read: it is current
                break
        else:
            return ticket_from_doc(json.loads(rows[0][0])) if rows else None  # read, not kept
        if not rows:
            return None
        self.tables.apply(
            [("put", TICKETS, "", json.loads(rows[0][0]))] + [("put", t, k, doc) for t, k, doc in records]
        )
        return self.tables.tickets.get(number)

    async def update_ticket(self, number: int, change: Callable[[Ticket], Ticket]) -> Ticket:
        await self.ticket(number)  # one in the database alone comes into memory first
        return await super().update_ticket(number, change)

    async def tickets_of(self, requester: str, *, open_only: bool = True) -> list[Ticket]:
        if open_only or self._kept_since is None:  # every open ticket is in memory
            return await super().tickets_of(requester, open_only=open_only)
        return await self._tickets_where("requester = %s", (requester,))

    async def tickets_opened_since(self, since: datetime) -> list[Ticket]:
        if self._kept_since is None:
            return await super().tickets_opened_since(since)
        return await self._tickets_where("opened >= %s", (since,))

    async def all_tickets(self) -> list[Ticket]:
        if self._kept_since is None:
            return await super().all_tickets()
        return await self._tickets_where("true", ())

    async def ticket_count(self) -> int:
        if self._kept_since is None:
            return await super().ticket_count()
        rows = await self._select("SELECT count(*) FROM tickets", ())
        return int(rows[0][0])

    async def history_since(self, since: datetime) -> list[Ticket]:
        """The window (it holds everything settled since its start), and the tickets of the
        database alone settled since `since` when that is earlier."""
        found: dict[int, Ticket] = {}
        async for piece in self.history_in_pieces(since):
            found.update((t.number, t) for t in piece)
        # put in order on a thread: the window's 20,000 sorted on the loop held it ~20 ms
        return await asyncio.to_thread(lambda: [found[n] for n in sorted(found)])

    async def history_in_pieces(self, since: datetime) -> AsyncIterator[list[Ticket]]:
        await self._before_read()
        held = dict(self.tables.tickets)
        yield list(held.values())  # (in no order: each piece is counted, not shown)
        if self._kept_since is None or since >= self._kept_since:
            return
        # The window's own tickets are not read again (nor any kept since it was taken: counted).
        async for piece in self._pages_by_index(f"NOT is_open AND {SETTLED} >= %s", (since,), held):
            fresh = [t for t in piece if t.number not in held]
            piece.clear()  # the fresh ones alone hold them: freed where the reader lets go of it
            yield fresh

    async def history_between(self, since: datetime, until: datetime) -> list[Ticket]:
        """The window, and the tickets of the database alone settled since `since` and opened
        before `until` (the settled index, then those rows' documents only)."""
        await self._before_read()
        held = dict(self.tables.tickets)
        if self._kept_since is not None and since < self._kept_since:
            condition = f"NOT is_open AND {SETTLED} >= %s AND opened < %s"
            async for piece in self._pages_by_index(condition, (since, until), held):
                held.update((t.number, t) for t in piece if t.number not in held)
        return [held[n] for n in sorted(held)]

    async def _tickets_where(self, condition: str, params: tuple[Any, ...]) -> list[Ticket]:
        """The tickets matching an SQL `condition`, by number (the database's copy: it is never
        behind memory)."""
        await self._before_read()
        found: list[Ticket] = []
        async for piece in self._pages(condition, params):
            found += piece
        return found

    async def _pages(self, condition: str, params: tuple[Any, ...]) -> AsyncIterator[list[Ticket]]:
        """The tickets matching `condition`, `PAGE` at a time by number, decoded on a thread."""
        after = 0
        while True:
            rows = await self._select(
                f"SELECT number, doc::text FROM tickets WHERE ({condition}) AND number > %s "
                "ORDER BY number LIMIT %s",
                (*params, after, window.PAGE),
            )
            if not rows:
                return
            yield await asyncio.to_thread(_decode, [doc for _, doc in rows])
            if len(rows) < window.PAGE:
                return
            after = rows[-1][0]

    async def _pages_by_index(
        self, condition: str, params: tuple[Any, ...], held: Container[int] = ()
    ) -> AsyncIterator[list[Ticket]]:
        """As `_pages`, for a `condition` an index of its own answers (`tickets_settled`): the
        numbers first, with that index, then their documents `DOC_PAGE` at a time (but those
        of `held`). Paging by number
        with the condition as a filter walks the primary key through every older ticket first
        (at 1,000,000 tickets, 940,000 rows and 3 s before the first page of a 180-day reach)."""
        await self._before_read()
        found = await self._select(f"SELECT number FROM tickets WHERE {condition}", params)
        numbers = sorted(n for (n,) in found if n not in held)  # (`held`: in memory already)
        for start in range(0, len(numbers), DOC_PAGE):
            rows = await self._select(
                "SELECT number, doc::text FROM tickets WHERE number = ANY(%s) ORDER BY number",
                (numbers[start : start + DOC_PAGE],),
            )
            if rows:
                yield await asyncio.to_thread(_decode, [doc for _, doc in rows])

    async def _select(self, query: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Rows of a read the window cannot answer; NotSaved when the server cannot be reached."""
        if self._pool is None:
            raise NotSaved("the store is closed")
        try:
            async with self._connection(READ_WAIT) as conn:
                cur = await conn.execute(query, params)
                return await cur.fetchall()
        except (psycopg.Error, OSError) as problem:
            raise NotSaved(f"cannot read PostgreSQL ({_reason(problem)})") from problem

    async def archive_settled(self, before: datetime) -> int:
        """Tickets settled before `before` out of memory (the database keeps them, and
        nothing is written); how many. Not while a group of transactions is being written:
        those may still read them."""
        while True:
            async with self._write_lock:
                if self._group is None:
                    gone = window.leaving(self.tables, before)
                    window.drop(self.tables, gone)
                    self._kept_since = max(self._kept_since or before, before)
                    break
            await asyncio.sleep(0.01)
        if gone:
            log.info("tickets out of memory: settled before the window", extra={"tickets": len(gone)})
        return len(gone)

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
            async with self._connection() as conn:
                cur = await conn.execute(query, (table, key) if key is not None else (table,))
                return {k: doc async for k, doc in cur}
        except (psycopg.Error, OSError) as problem:
            raise self._unsaved(problem, await self._reachable(problem)) from problem

    async def add_once(self, table: str, key: str, doc: Any) -> bool:
        """As the base store's, in one statement outside the desks' write lock.

        A connection the server cuts can look alive to `_connection` (the server's goodbye is
        not sent yet) and die under the INSERT; it is tried once more on another, as
        `_open_group` does, so a click made just after a restart or a failover is not refused
        for it. The lost try most likely wrote nothing (a session the server ends aborts the
        statement it is running), but if it did (only its answer was lost), the second try
        finds the key holding the very doc it wrote and takes it as its own: never False for
        the first sight of a key. (A replay the same instant by the desk's clock, racing a cut
        connection, would pass too.)"""
        if table not in DIRECT:
            return await super().add_once(table, key, doc)
        return await self._insert_once(table, key, doc, ONCE)

    async def add_once_soon(self, table: str, key: str, doc: Any) -> bool:
        """As the base store's, for the database's own tables (`DIRECT`): the key is taken in
        the database at once, where every desk sees it, and its commit does not wait for the
        server's log to reach the disk (`synchronous_commit` off for that statement alone).
        PostgreSQL writes its log in order, so any later commit that does wait, of this desk
        or another, makes it durable first (https://www.postgresql.org/docs/current/
        wal-async-commit.html): a request's work, committed after its ack, carries its mark.
        Other tables: as `add_once`."""
        if table not in DIRECT:
            return await super().add_once(table, key, doc)
        return await self._insert_once(table, key, doc, ONCE_SOON)

    async def _insert_once(self, table: str, key: str, doc: Any, insert: str) -> bool:
        if self._pool is None or self.read_only:
            raise NotSaved("the store is read-only here" if self.read_only else "the store is closed")
        for attempt in (1, 2):
            lost = False
            try:
                async with self._connection() as conn:
                    try:
                        cur = await conn.execute(insert, (table, key, Jsonb(doc)))
                        if await cur.fetchone() is not None:
                            return True
                        if attempt == 1:
                            return False
                        cur = await conn.execute(
                            "SELECT doc FROM once_keys WHERE tbl = %s AND key = %s", (table, key)
                        )
                        row = await cur.fetchone()
                        return row is not None and row[0] == doc
                    except (psycopg.Error, OSError):
                        lost = conn.broken  # the connection is gone, not the statement refused
                        raise
            except (psycopg.Error, OSError) as problem:
                if attempt == 2 or not lost or isinstance(problem, PoolTimeout):
                    raise self._unsaved(problem, await self._reachable(problem)) from problem
                log.info("once-only key: its connection was lost, tried on another", extra={"table": table})
                await self._drop_dead_connections()  # (cut together: the next one taken died as well)
        raise AssertionError("unreachable")

    # -- writes (the group commit is the base store's: `Store.transaction`) ----------------
    async def _open_group(self) -> Any:
        """A database transaction holding the desks' write lock, caught up with the log.

        Nothing is written before the lock is held, so a connection found dead here (the
        server restarted, or cut it) is safely swapped for another, once; then NotSaved."""
        if self._pool is None or self.read_only:
            raise NotSaved("the store is read-only here" if self.read_only else "the store is closed")
        for attempt in (1, 2):
            try:
                return await self._begin()
            except Exception as problem:
                if isinstance(problem, PoolTimeout):  # no connection at all: the server is away
                    raise self._unsaved(problem) from problem
                if attempt == 2:
                    raise self._unsaved(problem, await self._reachable(problem)) from problem
            await self._drop_dead_connections()
        raise AssertionError("unreachable")

    async def _begin(self) -> tuple[contextlib.AsyncExitStack, psycopg.AsyncConnection]:
        assert self._pool is not None
        held = contextlib.AsyncExitStack()  # what to give back: the transaction, the connection
        try:
            conn = await held.enter_async_context(self._connection())
            await held.enter_async_context(conn.transaction())
            async with conn.pipeline():  # the lock and the catch-up in one round trip
                await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.lock_name,))
                await self._catch_up(conn)
        except BaseException as problem:
            await _abandon(held, problem)
            raise
        return held, conn

    async def _commit_group(self, handle: Any, changes: list[Change]) -> dict[int, str]:
        """The group's rows and one log entry, committed; or nothing kept, and NotSaved.

        A connection lost while COMMIT was on its way leaves the outcome unknown: the log
        entry this commit wrote is looked for on another connection (behind the write lock,
        so the lost session has finished either way), and the answer is what it found."""
        held, conn = handle
        encoded: dict[int, str] = {}
        committing = False
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
            committing = bool(changes)
            await held.aclose()  # COMMIT, and the connection back to the pool
        except BaseException as problem:
            await _abandon(held, problem)  # (nothing is left to give back if COMMIT failed)
            if not isinstance(problem, Exception):
                raise
            if not committing:
                raise self._unsaved(problem, await self._reachable(problem)) from problem
            found = await self._committed_after_all(self._pending_seen)
            if found:
                log.warning(
                    "commit confirmed after its connection was lost", extra={"change": self._pending_seen}
                )
                return encoded
            raise self._unsaved(problem, reachable=found is not None) from problem
        return encoded

    async def _committed_after_all(self, change: int) -> bool | None:
        """Whether the log entry `change` is in the database (None when that cannot be told)."""
        for attempt in (1, 2):  # (a connection opened while the server was cutting them is cut too)
            try:
                async with self._connection() as conn, conn.transaction():
                    await conn.execute("SET LOCAL lock_timeout = '5s'")  # a lost session still holding it
                    await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.lock_name,))
                    cur = await conn.execute("SELECT 1 FROM changes WHERE id = %s", (change,))
                    return await cur.fetchone() is not None
            except Exception as problem:
                if attempt == 2 or isinstance(problem, PoolTimeout):
                    log.warning(
                        "commit outcome unknown: told as not saved", extra={"error": _reason(problem)}
                    )
                    return None
        return None

    async def _reachable(self, problem: BaseException) -> bool:
        """Whether the server answers on a connection now, after `problem` on another (one
        cut alone while in use)."""
        if isinstance(problem, PoolTimeout) or not isinstance(problem, (psycopg.Error, OSError)):
            return False
        for _ in range(2):  # (a connection opened while the server was cutting them is cut too)
            try:
                async with self._connection(READ_WAIT) as conn:
                    await conn.execute("SELECT 1")
                return True
            except PoolTimeout:
                return False
            except (psycopg.Error, OSError):
                continue
        return False

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
                tickets.append(
                    (doc.number, encoded[doc.number], doc.is_open, doc.requester, *self._columns(doc))
                )
            elif op == "put":
                records.append((table, key, Jsonb(doc)))
            else:
                gone.append((table, key))
        async with conn.cursor() as cur:
            if tickets:
                await cur.executemany(
                    f"INSERT INTO tickets (number, doc, is_open, requester, {', '.join(COLUMNS)}) "
                    f"VALUES (%s, %s::jsonb, %s, %s{', %s' * len(COLUMNS)}) "
                    "ON CONFLICT (number) DO UPDATE SET doc = excluded.doc, is_open = excluded.is_open, "
                    "requester = excluded.requester, "
                    + ", ".join(f"{column} = excluded.{column}" for column in COLUMNS),
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

    def _columns(self, ticket: Ticket) -> tuple[Any, ...]:
        """The typed columns of a ticket's row (`COLUMNS`), beside its document."""
        rating = ticket.rating
        return (
            self.rollup.team_of(ticket) if self.rollup is not None else None,
            ticket.category,
            ticket.priority.value,
            ticket.status.value,
            ticket.assignee,
            ticket.opened_at,
            ticket.first_response_at,
            ticket.resolved_at,
            ticket.reopened_at,
            rating.score if rating is not None else None,
            rating.at if rating is not None else None,
            ticket.origin.via,
        )

    async def _prune(self) -> None:
        """Keep the log short: the rows hold the state; the log only lets desks catch up. A
        desk that had not seen what is pruned loads the state afresh (`log_state`)."""
        upto = self._seen - KEEP_CHANGES
        if upto <= 0 or self._pool is None:
            return
        try:
            async with self._connection() as conn, conn.transaction():
                await conn.execute("UPDATE log_state SET pruned_upto = greatest(pruned_upto, %s)", (upto,))
                await conn.execute("DELETE FROM changes WHERE id <= %s", (upto,))
        except (psycopg.Error, OSError) as problem:
            log.warning("changes log not pruned", extra={"error": _reason(problem)})

    def _unsaved(self, problem: BaseException, reachable: bool = False) -> NotSaved:
        """NotSaved for a write that failed. Unless the server answers on another connection
        (`reachable`: the one lost was cut alone), /healthz says so until a write succeeds."""
        why = f"cannot write to PostgreSQL ({_reason(problem)})"
        if not reachable:
            self.problem = why
        if isinstance(problem, (psycopg.Error, OSError)):
            log.warning("store write failed", extra={"error": why, "server_answers": reachable})
        else:  # not the database's doing: kept out of the store all the same, and shown
            log.error("store write failed", exc_info=problem, extra={"error": why})
        return NotSaved(why)

    def health(self) -> dict[str, Any]:
        status = super().health()
        status["backend"] = "postgresql"
        return status

    def leader_lock(self) -> LeaderLock:
        return LeaderLock(self)


async def _abandon(held: contextlib.AsyncExitStack, problem: BaseException) -> None:
    """Roll back and give the connection back after a failure; never raises (a dead
    connection is dropped by the pool). What went wrong is `problem`, already on its way."""
    try:
        await held.__aexit__(type(problem), problem, problem.__traceback__)
    except Exception as also:
        log.debug("connection given up", extra={"error": _reason(also)})


DOC_PAGE = 1000  # documents fetched at once by `_pages_by_index`: each fetch parsed on the event loop


def _decode(docs: list[str]) -> list[Ticket]:
    return [ticket_from_doc(json.loads(doc)) for doc in docs]


def _gone(conn: psycopg.AsyncConnection) -> bool:
    """Whether the server has closed this idle connection (a restart, a failover,
    `pg_terminate_backend`): its goodbye is waiting to be read. Told without a round trip."""
    return conn.closed or bool(select.select([conn.fileno()], [], [], 0)[0])


def _reason(problem: BaseException) -> str:
    text = str(problem).strip().splitlines()
    return text[0][:200] if text else type(problem).__name__


class LeaderLock:
    """The desks' leadership (SPEC §12): a session-level advisory lock held on a connection of
    its own. PostgreSQL lets go of it the moment that connection ends, however it ends (the
    process killed, the network lost, the server restarted), so another desk can take it at
    its next try, and a leader whose connection was cut takes it again if nobody else has.

    The server's goodbye on that connection (it closes it: a restart, a failover,
    `pg_terminate_backend`) sets `stirred` at once, so the leader stops sending before another
    desk can have taken the lock, rather than at its next check.

    Each check also catches the store up (`PostgresStore.probe`): an idle desk so knows within
    one check whether it can reach its store. `problem` says why the last check could not be
    made (None when it could): while it is set, this desk cannot tell whether any desk leads."""

    def __init__(self, store: PostgresStore) -> None:
        self._store = store
        self._conninfo = store._conninfo
        self._name = f"desk-leader:{store.schema}"
        self._conn: psycopg.AsyncConnection | None = None
        self.problem: str | None = None
        self.stirred = asyncio.Event()  # something arrived on the lock's connection unasked
        self._watched: int | None = None  # a duplicate of its socket, watched by the event loop

    async def try_take(self) -> bool:
        """Take the lock if nobody holds it; False (never an exception) if it cannot be had."""
        if self._conn is not None and _gone(self._conn):  # cut while this desk followed: a new one
            await self.release()
        try:
            for last in (False, True):
                fresh = self._conn is None or self._conn.closed
                try:
                    if fresh:
                        self._conn = await psycopg.AsyncConnection.connect(
                            self._conninfo, autocommit=True, connect_timeout=5
                        )
                    assert self._conn is not None
                    self._unwatch()
                    cur = await self._conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (self._name,))
                    row = await cur.fetchone()
                    break
                except (psycopg.Error, OSError):
                    await self.release()
                    # A connection cut before its goodbye was read looks alive until used: the
                    # server is there, so a new connection answers (one more try, not a 503).
                    if last or fresh:
                        raise
            if row and row[0]:
                self._watch()
        except (psycopg.Error, OSError) as problem:
            self.problem = f"cannot check who leads ({_reason(problem)})"
            await self.release()
            return False
        finally:
            await self._store.probe()
        self.problem = None
        return bool(row and row[0])

    async def holds(self) -> bool:
        """Whether the lock is still ours: its connection answers (a lost one released it)."""
        if self._conn is None or self._conn.closed:
            return False
        try:
            self._unwatch()
            await self._conn.execute("SELECT 1")
            self._watch()
        except (psycopg.Error, OSError) as problem:
            self.problem = f"cannot check who leads ({_reason(problem)})"
            await self.release()
            return False
        finally:
            await self._store.probe()
        self.problem = None
        return True

    async def caught_up(self) -> bool:
        """Whether this desk's view of the store is fresh now (it catches up): a desk takes
        up the lead only then."""
        return await self._store.probe()

    def _watch(self) -> None:
        """Have the event loop tell (`stirred`) when the server writes to the lock's connection
        unasked. A duplicate of the socket is watched: psycopg watches the socket itself while
        it waits for answers, and the loop takes one watcher per descriptor."""
        if self._conn is None or self._watched is not None:
            return
        self._watched = os.dup(self._conn.fileno())
        asyncio.get_running_loop().add_reader(self._watched, self._stir)

    def _stir(self) -> None:
        self._unwatch()  # the goodbye stays unread until the next check: one call is enough
        self.stirred.set()

    def _unwatch(self) -> None:
        if self._watched is not None:
            asyncio.get_running_loop().remove_reader(self._watched)
            os.close(self._watched)
            self._watched = None

    async def release(self) -> None:
        self._unwatch()
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()  # the lock goes with the connection
            self._conn = None
