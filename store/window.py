"""The window a PostgreSQL desk keeps in memory (issue 37): PostgreSQL holds the truth.

A desk on PostgreSQL keeps in memory what it works on — every open ticket, every ticket
resolved or rated within `store.keep_in_memory`, the tickets its outbox or an open survey still
names — as the TinyDB store keeps its window. Older tickets stay in the database alone and are
read with indexed SQL when asked: a look-up by number (which brings that one ticket back into
memory, so it can change), a requester's history, an export, the reach of a report. The hourly
archive job drops tickets that have left the window from memory (nothing is written).

Here: the SQL the store asks by, and the pure parts (which tickets leave memory, which records
go with them). `store.postgres_store` does the I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.domain.owed import tickets_named
from store.archive import settled_at
from store.names import BY_TICKET, OPEN_SURVEYS, THREADS
from store.tables import Tables

# When a closed ticket last changed in a way reports count (`store.archive.settled_at`) in SQL:
# its resolution or rating, whichever is later; never, for one closed without a resolution.
# Indexed (migration 4) with the same expression, so the planner uses the index.
SETTLED = "(CASE WHEN resolved IS NULL THEN 'infinity'::timestamptz ELSE greatest(resolved, rated) END)"
PAGE = 5000  # tickets read per query when many are asked for (reports, exports)

# The window at start-up: open tickets, and closed ones settled since the window's start, as
# one JSON array in one text row: one `json.loads`, and psycopg makes one str, not 20k (text:
# `json.loads` of a str skips the bytes' decoding psycopg's jsonb loader goes through). Of a
# desk's start at 20k tickets, 0.12 s of CPU fetching them one row each became 0.05 s.
LOAD = (
    "SELECT coalesce('[' || string_agg(doc, ',') || ']', '[]') FROM ("
    "SELECT doc::text AS doc FROM tickets WHERE is_open "
    f"UNION ALL SELECT doc::text FROM tickets WHERE NOT is_open AND {SETTLED} >= %s) AS kept"
)
# A ticket's own records (`BY_TICKET`, keyed by its number) and the threads that name it.
ITS_RECORDS = (
    "SELECT tbl, key, doc FROM records WHERE (tbl = ANY(%s) AND key = ANY(%s)) "
    "OR (tbl = %s AND doc #>> '{}' = ANY(%s))"
)
# Every other record (not kept per ticket): loaded whole, as before; as `LOAD`, one JSON array
# of [tbl, key, doc] (the outbox and the rollups: thousands of rows).
OTHER_RECORDS = (
    "SELECT coalesce('[' || string_agg(json_build_array(tbl, key, doc)::text, ',') || ']', '[]') "
    "FROM records WHERE NOT (tbl = ANY(%s))"
)
PER_TICKET = [*BY_TICKET, THREADS]


class Window(Tables):
    """The tables of a desk that holds a window: a number up to the highest stored that is
    not in memory is a ticket in the database alone. A transaction cannot see it (it raises
    TicketArchived, as for TinyDB's archive); `PostgresStore.ticket` brings it back first."""

    def archived_month(self, number: int) -> str | None:
        return "postgresql" if number not in self.tickets and 0 < number <= self.last_number else None


def named_by_the_desk(tables: Tables) -> set[int]:
    """Tickets that must stay in memory whatever their age: those the outbox still owes a
    message about, and those whose rating request is still open (their deliveries and
    ratings read them inside transactions)."""
    owed = set().union(*(tickets_named(o.message) for o in tables.owed.values()))
    return owed | {int(key) for key in tables.records.get(OPEN_SURVEYS, {})}


def leaving(tables: Tables, before: datetime) -> list[int]:
    """The tickets in memory settled before `before` that nothing keeps there."""
    kept = named_by_the_desk(tables)
    return [
        number
        for number, ticket in tables.tickets.items()
        if (at := settled_at(ticket)) is not None and at < before and number not in kept
    ]


def drop(tables: Tables, numbers: Iterable[int]) -> None:
    """The tickets and their own records out of memory (the database keeps them)."""
    gone = set(numbers)
    for number in gone:
        tables.drop_ticket(number)
    keys = {str(number) for number in gone}
    for table in BY_TICKET:
        held = tables.records.get(table, {})
        for key in keys & set(held):
            del held[key]
    threads = tables.records.get(THREADS, {})
    for key in [key for key, number in threads.items() if number in gone]:
        del threads[key]


def its_records_args(numbers: Iterable[int]) -> tuple[Any, ...]:
    """The parameters of `ITS_RECORDS` for these tickets."""
    keys = [str(number) for number in numbers]
    return (list(BY_TICKET), keys, THREADS, keys)
