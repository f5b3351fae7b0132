"""The PostgreSQL store with several desks on one database (SPEC §12): each sees what the
others committed, their writes are serialised, and what a desk holds in memory is only ever
what the database committed. (The contract suite runs against it too: `store` fixture.)"""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from bot.domain.errors import TransitionNotAllowed
from store import NotSaved, store_from_url
from store.postgres_store import MIGRATIONS, ONCE_SOON, PostgresStore
from tests.factories import T0, make_ticket


async def two_desks(url: str) -> tuple[PostgresStore, PostgresStore]:
    first, second = PostgresStore(url, fresh_for=0), PostgresStore(url, fresh_for=0)
    await first.open()
    await second.open()
    return first, second


async def test_what_one_desk_commits_the_other_reads_and_numbers_never_repeat(pg_url):
    first, second = await two_desks(pg_url)
    try:
        made = await asyncio.gather(
            *(store.create_ticket(lambda n: make_ticket(n)) for store in (first, second) for _ in range(15))
        )
        assert sorted(t.number for t in made) == list(range(1, 31))
        assert await second.ticket_count() == 30 and await first.ticket_count() == 30
        await first.update_ticket(7, lambda t: t.claim("U0BOB0001", T0))
        assert (await second.ticket(7)).assignee == "U0BOB0001"
        await second.put_record("drafts", "D0ALICE01", {"text": "hello"})
        assert await first.record("drafts", "D0ALICE01") == {"text": "hello"}
    finally:
        await first.close()
        await second.close()


async def test_a_replay_key_taken_soon_is_seen_by_every_desk_at_once_and_its_commit_does_not_wait(pg_url):
    """`add_once_soon` (the replay check before each ack): taken in the database, so a copy
    sent to another desk is a replay at once; its statement commits with `synchronous_commit`
    off for its own transaction (read back inside one, and seen in the log's flush lagging
    behind it), and leaves the connection as it was."""
    first, second = await two_desks(pg_url)
    try:
        assert await first.add_once_soon("signed", "1700000000:v0=soon", "x")
        assert not await second.add_once_soon("signed", "1700000000:v0=soon", "y")
        assert not await second.add_once("signed", "1700000000:v0=soon", "y")
        async with first._connection() as conn:
            async with conn.transaction():
                await conn.execute(
                    ONCE_SOON, ("signed", "1700000000:v0=inside", psycopg.types.json.Jsonb("z"))
                )
                inside = await (await conn.execute("SHOW synchronous_commit")).fetchone()
            after = await (await conn.execute("SHOW synchronous_commit")).fetchone()
        assert (inside, after) == (("off",), ("on",))
        lagged = []  # the store's own call: its commit back before the log's flush reached it
        async with first._connection() as conn:
            for n in range(5):  # another session's flush may come between; one lag is enough
                await first.add_once_soon("signed", f"1700000000:v0=lag{n}", "x")
                lag = "SELECT pg_current_wal_flush_lsn() < pg_current_wal_insert_lsn()"
                lagged.append((await (await conn.execute(lag)).fetchone())[0])
        assert any(lagged), "add_once_soon's commit waited for the log to reach the disk"
    finally:
        await first.close()
        await second.close()


async def test_two_desks_claiming_one_ticket_at_once_exactly_one_wins(pg_url):
    first, second = await two_desks(pg_url)
    try:
        await first.create_ticket(lambda n: make_ticket(n))
        results = await asyncio.gather(
            first.update_ticket(1, lambda t: t.claim("U0BOB0001", T0)),
            second.update_ticket(1, lambda t: t.claim("U0DAVE001", T0)),
            return_exceptions=True,
        )
        assert sum(isinstance(r, TransitionNotAllowed) for r in results) == 1
        assert (await first.ticket(1)).assignee == (await second.ticket(1)).assignee
        assert await first.add_once("handled", "msg:1", "x") != await second.add_once("handled", "msg:1", "y")
    finally:
        await first.close()
        await second.close()


async def test_a_restarted_desk_loads_the_state_and_the_schema_is_applied_once(pg_url):
    store = store_from_url(pg_url)
    await store.open()
    await store.create_ticket(lambda n: make_ticket(n))
    await store.update_ticket(1, lambda t: t.claim("U0BOB0001", T0).resolve("U0BOB0001", "done", T0))
    await store.close()
    again = store_from_url(pg_url)
    await again.open()  # the migrations find their version recorded and do nothing
    try:
        ticket = await again.ticket(1)
        assert ticket is not None and not ticket.is_open and await again.open_tickets() == []
        assert again.health()["backend"] == "postgresql"
        schema = pg_url.rsplit("schema=", 1)[1]
        with psycopg.connect(pg_url.split("?")[0]) as conn:
            versions = conn.execute(f"SELECT version FROM {schema}.schema_versions").fetchall()
        assert versions == [(v,) for v in range(1, len(MIGRATIONS) + 1)]
    finally:
        await again.close()


async def test_a_failed_transaction_keeps_nothing_in_the_database_or_in_memory(pg_url):
    first, second = await two_desks(pg_url)
    try:
        with pytest.raises(RuntimeError):
            async with first.transaction() as tx:
                tx.save_ticket(make_ticket(tx.new_ticket_number()))
                raise RuntimeError("the desk changed its mind")
        assert await first.ticket_count() == 0 and await second.ticket_count() == 0
        assert (await first.create_ticket(lambda n: make_ticket(n))).number == 1
    finally:
        await first.close()
        await second.close()


async def test_an_unreachable_server_is_a_clear_not_saved():
    store = PostgresStore("postgresql://127.0.0.1:1/nothing?connect_timeout=1")
    with pytest.raises(NotSaved) as refused:
        await store.open()
    assert "cannot reach PostgreSQL" in str(refused.value)


async def test_the_desk_runs_on_postgresql_and_a_restarted_desk_sends_nothing_twice(pg_url):
    from tests.harness import (
        BOB,
        TRIAGE,
        bot_posts,
        local_slack,
        raise_ticket,
        running_desk,
        settle,
        ticket_where,
    )

    async with local_slack() as slack:
        async with running_desk(pg_url, slack=slack) as run:
            await raise_ticket(run, "Laptop won't boot")
            await run.people.command(BOB, "/desk", "claim T-1", channel=TRIAGE)
            await settle(lambda: ticket_where(run, 1, lambda t: t.assignee == BOB))
            await run.idle()
            assert run.desk.store.health()["backend"] == "postgresql"
        posted = len(slack.calls)
        async with running_desk(pg_url, slack=slack) as again:
            await again.idle()
            assert (await again.desk.store.ticket(1)).assignee == BOB
            assert [c.method for c in slack.calls[posted:] if c.method == "chat.postMessage"] == []
            assert len([m for m in bot_posts(slack, TRIAGE) if m.thread_ts is None]) == 1


async def test_replay_keys_are_the_databases_alone_and_taken_once_across_desks(pg_url):
    first, second = await two_desks(pg_url)
    try:
        taken = await asyncio.gather(
            *(s.add_once("signed", "1700000000:v0=abc", "x") for s in (first, second))
        )
        assert sorted(taken) == [False, True]
        assert await first.records("signed") == {"1700000000:v0=abc": "x"}
        async with second.transaction() as tx:  # pruned as the replay job prunes them
            tx.delete("signed", "1700000000:v0=abc")
        assert await first.records("signed") == {} and await first.add_once(
            "signed", "1700000000:v0=abc", "y"
        )
    finally:
        await first.close()
        await second.close()
