"""PostgreSQL as something BI tools read (issue 37): typed ticket columns beside the document,
a migration that fills them in an existing database, and the read-only views of the
`reporting` schema, read here with plain SQL as Metabase or Grafana would."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest

from bot.domain.priority import Priority
from bot.domain.ticket import Ticket
from store import postgres_store
from store.codec import ticket_to_doc
from store.names import ROLLUPS
from store.postgres_store import PostgresStore
from tests.conftest import POSTGRES
from tests.factories import T0, make_ticket
from tests.test_rollups import ROLLUP, TEAMS

BOB, DAVE, ALICE = "U0BOB0001", "U0DAVE001", "U0ALICE01"
H, D = timedelta(hours=1), timedelta(days=1)


def history() -> list[Ticket]:
    return [
        make_ticket(1, at=T0, category="Hardware").claim(BOB, T0 + H).resolve(BOB, "fixed", T0 + 3 * H),
        make_ticket(2, at=T0 + H, category="Payroll", priority=Priority.P3)
        .claim(DAVE, T0 + 2 * H)
        .resolve(DAVE, "paid", T0 + D)
        .rate(ALICE, 4, T0 + D + H),
        make_ticket(3, at=T0 + D, category="Access"),
    ]


def reporting_of(url: str) -> str:
    return PostgresStore(url).reporting


def query(url: str, sql: str) -> list[tuple]:
    """Plain SQL on a connection of its own, as a BI tool would run it."""
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        return conn.execute(sql.replace("reporting.", reporting_of(url) + ".")).fetchall()


def expected_ticket_rows(tickets: list[Ticket]) -> list[tuple]:
    return [
        (
            t.number,
            TEAMS[t.category],
            t.category,
            t.priority.value,
            t.status.value,
            t.requester,
            t.assignee,
            t.opened_at,
            t.first_response_at,
            t.resolved_at,
            t.rating.score if t.rating else None,
        )
        for t in tickets
    ]


TICKET_COLUMNS = (
    "SELECT number, team, area, priority, state, requester, assignee, opened, first_response, "
    "resolved, rating FROM reporting.tickets ORDER BY number"
)


async def test_the_views_show_each_ticket_day_and_rating_as_written(pg_url):
    tickets = history()
    store = PostgresStore(pg_url)
    store.rollup = ROLLUP
    await store.open()
    try:
        for ticket in tickets:  # each ticket's life saved step by step, as the desk saves it
            async with store.transaction() as tx:
                tx.save_ticket(ticket)
    finally:
        await store.close()

    assert query(pg_url, TICKET_COLUMNS) == expected_ticket_rows(tickets)
    assert query(
        pg_url, "SELECT number, first_response_after, resolved_after FROM reporting.tickets ORDER BY 1"
    ) == [
        (1, H, 3 * H),
        (2, H, D - H),
        (3, None, None),
    ]
    assert query(pg_url, "SELECT number, team, assignee, score, at, comment FROM reporting.ratings") == [
        (2, "People", DAVE, 4, T0 + D + H, "")
    ]
    daily = query(
        pg_url,
        "SELECT day, team, opened, resolved, rated_resolved, first_response_met, first_response_missed, "
        "resolution_met, resolution_missed, ratings, score_total FROM reporting.daily ORDER BY day, team",
    )
    day0, day1 = T0.date(), (T0 + D).date()
    assert daily == [
        (day0, "IT", 1, 1, 0, 1, 0, 1, 0, 0, 0),
        (day0, "People", 1, 0, 0, 1, 0, 0, 0, 0, 0),
        (day1, "IT", 1, 0, 0, 0, 0, 0, 0, 0, 0),
        (day1, "People", 0, 1, 1, 0, 0, 1, 0, 1, 4),
    ]


async def test_the_views_are_read_only(pg_url):
    store = PostgresStore(pg_url)
    await store.open()
    await store.close()
    for sql in (
        "UPDATE reporting.tickets SET state = 'resolved'",
        "DELETE FROM reporting.ratings",
        "DELETE FROM reporting.daily",
    ):
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
            query(pg_url, sql)


async def test_a_database_of_the_schema_before_is_converted_in_place_with_its_tickets(pg_url, monkeypatch):
    """The schema as it was (versions 1 and 2) with tickets written the way that code wrote
    them; the new code opens it, adds the columns, fills them from the documents, the team
    from the config, and the views show them."""
    tickets = history()
    monkeypatch.setattr(postgres_store, "MIGRATIONS", postgres_store.MIGRATIONS[:2])
    old = PostgresStore(pg_url)
    await old.open()
    await old.close()
    schema = pg_url.rsplit("schema=", 1)[1]
    with psycopg.connect(POSTGRES, autocommit=True, options=f"-c search_path={schema}") as conn:
        for ticket in tickets:  # the version-2 write path: document, is_open, requester
            conn.execute(
                "INSERT INTO tickets (number, doc, is_open, requester) VALUES (%s, %s, %s, %s)",
                (
                    ticket.number,
                    psycopg.types.json.Jsonb(ticket_to_doc(ticket)),
                    ticket.is_open,
                    ticket.requester,
                ),
            )
        conn.execute("SELECT setval('ticket_numbers', 3)")
    monkeypatch.undo()

    store = PostgresStore(pg_url)
    store.rollup = ROLLUP
    await store.open()
    try:
        latest = len(postgres_store.MIGRATIONS)
        assert query(pg_url, f"SELECT max(version) FROM {schema}.schema_versions") == [(latest,)]
        assert query(pg_url, TICKET_COLUMNS) == expected_ticket_rows(tickets)
        assert await store.ticket(2) == tickets[1]
        await store.rebuild_rollups()
        assert await store.records(ROLLUPS) == ROLLUP.of(tickets)
        assert query(pg_url, "SELECT sum(opened), sum(resolved), sum(ratings) FROM reporting.daily") == [
            (3, 2, 1)
        ]
        made = await store.create_ticket(lambda n: make_ticket(n, at=T0 + 2 * D, category="Payroll"))
        assert made.number == 4
        assert query(pg_url, "SELECT team, state FROM reporting.tickets WHERE number = 4") == [
            ("People", "open")
        ]
    finally:
        await store.close()
