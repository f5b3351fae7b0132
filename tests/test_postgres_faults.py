"""The desk's PostgreSQL connections cut by the server (`pg_terminate_backend`, what a restart
or a failover does to them) in the middle of a click, on a cluster of the test's own
(`tests.private_postgres`). The click that could not commit answers "nothing was changed",
the next one works, the outbox goes on delivering, and /healthz is well again."""

from __future__ import annotations

import asyncio

import psycopg

from store.postgres_store import PostgresStore
from tests.harness import (
    BOB,
    TRIAGE,
    bot_posts,
    outbox_arrivals,
    raise_ticket,
    running_desk,
    settle,
    text_of,
)
from tests.private_postgres import private_postgres

NOTHING_CHANGED = "so nothing was changed"


def told_bob(slack) -> list[str]:
    return [text_of(m) for m in bot_posts(slack, TRIAGE, to=BOB) if m.ephemeral_to == BOB]


async def test_a_click_whose_connection_is_cut_answers_not_done_and_the_next_click_works():
    with private_postgres() as pg:
        url = f"{pg.url}?schema=desk"
        async with running_desk(url) as run:
            _, card = await raise_ticket(run)
            await run.idle()
            # The test holds the desks' write lock, so the click's transaction waits on it with
            # its connection open; every connection of the desk is then cut, again and again,
            # until the click has answered (a connection found dead before anything was
            # written is swapped once, so it takes two cuts).
            holder = await psycopg.AsyncConnection.connect(pg.url, autocommit=True)
            try:
                await holder.execute("BEGIN")
                await holder.execute("SELECT pg_advisory_xact_lock(hashtext('desk-writes:desk'))")
                await run.people.press(BOB, card, "Claim")
                cuts = 0

                async def answered() -> bool:
                    nonlocal cuts
                    cuts += await asyncio.to_thread(pg.terminate, (holder.info.backend_pid,))
                    return any(NOTHING_CHANGED in t for t in told_bob(run.slack))

                await settle(answered, timeout=30)
            finally:
                await holder.close()  # the lock goes with it
            [refused] = [t for t in told_bob(run.slack) if NOTHING_CHANGED in t]
            assert "couldn't save that (cannot write to PostgreSQL" in refused
            assert cuts >= 2
            assert (await run.desk.store.ticket(1)).assignee is None, "the refused claim changed nothing"

            await run.people.press(BOB, card, "Claim")  # the next click works
            await settle(lambda: "Claimed by" in text_of(card), timeout=15)
            await run.idle(timeout=15)  # Alice has been told, before she writes again
            await raise_ticket(run, "Printer on fire")  # and the outbox delivers on
            await run.idle(timeout=15)
            assert (await run.desk.store.ticket(1)).assignee == BOB
            seen = outbox_arrivals(run.slack)
            assert {"t1:card", "t2:card"} <= set(seen) and max(seen.values()) == 1
            assert dict(await run.desk.store.owed()) == {}
            await settle(lambda: run.desk.health()["ok"], timeout=15)
            assert run.desk.health()["role"] == "leader"


async def test_a_cut_connection_is_replaced_and_a_stopped_server_is_not_saved_then_found_again():
    """The store on its own: a transaction on a connection the server cut, found before
    anything was written, goes through on a fresh one; while the server is stopped every
    write is NotSaved (never anything else) and reads serve memory; once it is back, the pool
    reconnects by itself."""
    from store.base import NotSaved

    with private_postgres() as pg:
        store = PostgresStore(f"{pg.url}?schema=desk")
        await store.open()
        try:
            await store.put_record("notes", "a", {"n": 1})
            assert pg.terminate() >= 1
            await store.put_record("notes", "b", {"n": 2})  # on a fresh connection
            assert store.problem is None
            await asyncio.to_thread(pg.stop)
            for key in ("c", "d"):
                try:
                    await store.put_record("notes", key, {"n": 3})
                except NotSaved as refused:
                    assert "cannot write to PostgreSQL" in str(refused)
                else:
                    raise AssertionError("a write succeeded on a stopped server")
            assert await store.record("notes", "b") == {"n": 2}  # from memory
            assert not await store.probe() and store.problem is not None
            await asyncio.to_thread(pg.start)
            await settle(store.probe, timeout=15)
            assert store.problem is None
            await store.put_record("notes", "e", {"n": 5})
            assert sorted(await store.records("notes")) == ["a", "b", "e"]
        finally:
            await store.close()
