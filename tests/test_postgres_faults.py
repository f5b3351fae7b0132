"""The desk's PostgreSQL connections cut by the server (`pg_terminate_backend`, what a restart
or a failover does to them) in the middle of a click, on a cluster of the test's own
(`tests.private_postgres`). The click that could not commit answers "nothing was changed",
the next one works, the outbox goes on delivering, and /healthz is well again."""

from __future__ import annotations

import asyncio
import logging

import psycopg

from store.postgres_store import PostgresStore
from tests.harness import (
    ALICE,
    BOB,
    ERIN,
    TRIAGE,
    bot_posts,
    dm_of,
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


async def cutting(pg, spare: int, job) -> tuple:
    """Run `job` (a coroutine) while every connection but `spare`'s is cut, again and again;
    its result and how many connections were cut."""
    task = asyncio.ensure_future(job)
    cuts = 0
    while not task.done():
        cuts += await asyncio.to_thread(pg.terminate, (spare,))
        await asyncio.sleep(0.01)
    return task.result(), cuts


async def test_a_message_that_could_not_be_saved_is_not_acked_and_slacks_retry_takes_it():
    """An event whose work could not commit is answered 503, and nobody is told anything:
    Slack sends it again (https://api.slack.com/apis/events-api#retries), and the retry does the
    work. Only Slack's last retry that still cannot be saved tells the person."""
    with private_postgres() as pg:
        async with running_desk(f"{pg.url}?schema=desk") as run:
            dm = dm_of(run)
            holder = await psycopg.AsyncConnection.connect(pg.url, autocommit=True)
            try:  # the desks' write lock held, and every connection of the desk cut
                await holder.execute("BEGIN")
                await holder.execute("SELECT pg_advisory_xact_lock(hashtext('desk-writes:desk'))")
                (_, delivery), cuts = await cutting(
                    pg, holder.info.backend_pid, run.people.say(ALICE, dm, "Keyboard is sticky")
                )
                assert delivery.status == 503 and cuts >= 2
                assert not any(NOTHING_CHANGED in text_of(m) for m in bot_posts(run.slack, dm)), (
                    "nobody told yet"
                )
            finally:
                await holder.close()
            delivery = await run.people.retry_last_event(1)
            assert delivery.status == 200
            await settle(
                lambda: any(
                    "Keyboard is sticky" in text_of(m) and "Which area" in text_of(m)
                    for m in bot_posts(run.slack, dm)
                ),
                timeout=15,
            )

            holder = await psycopg.AsyncConnection.connect(pg.url, autocommit=True)
            try:
                await holder.execute("BEGIN")
                await holder.execute("SELECT pg_advisory_xact_lock(hashtext('desk-writes:desk'))")
                (_, delivery), _ = await cutting(
                    pg, holder.info.backend_pid, run.people.say(ERIN, dm_of(run, ERIN), "Mouse is gone")
                )
                assert delivery.status == 503
                delivery, _ = await cutting(pg, holder.info.backend_pid, run.people.retry_last_event(3))
                assert delivery.status == 200  # Slack's last try: acked, and the person told
                await settle(
                    lambda: any(NOTHING_CHANGED in text_of(m) for m in bot_posts(run.slack, dm_of(run, ERIN)))
                )
            finally:
                await holder.close()
            await run.idle(timeout=15)
            assert [t.text for t in await run.desk.store.all_tickets()] == []
            assert not any(NOTHING_CHANGED in text_of(m) for m in bot_posts(run.slack, dm)), (
                "Alice's went through"
            )


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


async def test_a_read_after_every_connection_was_cut_finds_the_server_and_says_nothing_is_wrong(
    monkeypatch,
):
    """A server that cuts every connection (a failover, an operator's terminate): the desk's
    catch-up meets a dead connection, and its second try must not take another dead one from
    the pool. It did, and /healthz said "cannot reach PostgreSQL" with the server up (CI's
    chaos test: a 503 after the server was back). The race is the server's goodbye not yet
    read when a connection is taken (`_gone` looks for it without a round trip): here it is
    never seen, so both pooled connections are taken dead, as they were in that run."""
    from store import postgres_store

    with private_postgres() as pg:
        store = PostgresStore(f"{pg.url}?schema=desk")
        await store.open()
        try:
            await store.put_record("notes", "a", {"n": 1})
            assert store._pool is not None
            async with store._connection() as one, store._connection() as two:  # two in the pool
                await one.execute("SELECT 1")
                await two.execute("SELECT 1")
            assert store._pool.get_stats()["pool_available"] >= 2
            monkeypatch.setattr(postgres_store, "_gone", lambda conn: conn.closed)  # goodbye unseen
            assert pg.terminate() >= 2
            assert await store.probe(), store.problem
            assert store.problem is None
            assert await store.record("notes", "a") == {"n": 1}
        finally:
            await store.close()


class CutAtCommit:
    """A TCP proxy in front of PostgreSQL that cuts one connection at its next COMMIT: before
    the server sees it (`before`: nothing is committed) or after the server has committed it
    but before the answer gets back (`after`: the client cannot know). Everything else passes."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cut: str | None = None
        self.cuts = 0
        self.at = b"COMMIT"  # what the cut waits for in what the client sends
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamReader] = set()  # the client side of each connection
        self._doomed: set[asyncio.StreamReader] = set()

    def doom_all(self) -> None:
        """Every connection open now dies at the next thing its client sends, as a failover
        does to them all at once: each looks alive until it is used."""
        self._doomed |= self._open

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()

    async def _serve(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        server_in, server_out = await asyncio.open_connection(self.host, self.port)
        muted = asyncio.Event()

        async def down() -> None:
            while data := await server_in.read(65536):
                if not muted.is_set():
                    client_out.write(data)
                    await client_out.drain()

        answers = asyncio.create_task(down())
        self._open.add(client_in)
        try:
            while data := await client_in.read(65536):
                if client_in in self._doomed:
                    muted.set()
                    break
                if self.cut is not None and self.at in data:
                    mode, self.cut = self.cut, None
                    self.cuts += 1
                    muted.set()
                    if mode == "after":
                        server_out.write(data)
                        await server_out.drain()
                        await asyncio.sleep(0.5)  # the server commits; its answer goes nowhere
                    break
                server_out.write(data)
                await server_out.drain()
        finally:
            self._open.discard(client_in)
            answers.cancel()
            client_out.close()
            server_out.close()


async def test_a_commit_whose_answer_is_lost_is_looked_up_not_guessed(pg_url, caplog):
    """The connection dies with COMMIT on its way: the desk looks for the log entry that
    commit wrote. Committed after all: the change stands and is in memory. Never reached the
    server: NotSaved, and nothing of it is anywhere."""
    from urllib.parse import urlsplit

    from store.base import NotSaved

    parts = urlsplit(pg_url)
    proxy = CutAtCommit(parts.hostname or "127.0.0.1", parts.port or 5432)
    port = await proxy.start()
    url = parts._replace(netloc=f"127.0.0.1:{port}").geturl() + "&sslmode=disable"
    store = PostgresStore(url)
    await store.open()
    try:
        proxy.cut = "after"
        with caplog.at_level(logging.WARNING, logger="desk.store"):
            await store.put_record("notes", "kept", {"n": 1})  # no NotSaved: it was committed
        assert proxy.cuts == 1
        assert any(r.getMessage() == "commit confirmed after its connection was lost" for r in caplog.records)
        assert await store.record("notes", "kept") == {"n": 1}

        proxy.cut = "before"
        try:
            await store.put_record("notes", "lost", {"n": 2})
        except NotSaved:
            pass
        else:
            raise AssertionError("a commit the server never saw was reported as saved")
        assert proxy.cuts == 2 and await store.record("notes", "lost") is None
        await store.put_record("notes", "after", {"n": 3})  # and it writes on
    finally:
        await store.close()
        await proxy.stop()
    again = PostgresStore(pg_url)
    await again.open()
    try:
        assert await again.records("notes") == {"kept": {"n": 1}, "after": {"n": 3}}
    finally:
        await again.close()


async def test_a_once_only_key_whose_connection_is_cut_is_tried_on_another_and_kept_once(pg_url):
    """The replay check's record (`add_once`, written in a statement of its own) on a
    connection that dies under it, as one the server cut looks alive until its goodbye is
    read: tried once more on another connection, so the click is not refused for it. Lost
    before the server saw it: written by the second try. Lost after the server wrote it: the
    second try finds its own doc and says so (first sight, not a replay). A true replay after
    either is still found out."""
    from urllib.parse import urlsplit

    from store.names import SIGNED

    parts = urlsplit(pg_url)
    proxy = CutAtCommit(parts.hostname or "127.0.0.1", parts.port or 5432)
    proxy.at = b"INSERT INTO once_keys"
    port = await proxy.start()
    store = PostgresStore(parts._replace(netloc=f"127.0.0.1:{port}").geturl() + "&sslmode=disable")
    await store.open()
    try:
        for mode, key in (("before", "1700000000:v0=before"), ("after", "1700000000:v0=after")):
            proxy.cut = mode
            assert await store.add_once(SIGNED, key, f"first {mode}"), mode
            assert proxy.cut is None and store.problem is None
            assert not await store.add_once(SIGNED, key, f"replay {mode}"), mode
            assert (await store.records(SIGNED))[key] == f"first {mode}"
        assert proxy.cuts == 2
    finally:
        await store.close()
        await proxy.stop()


async def test_a_once_only_key_made_just_after_every_connection_was_cut_is_still_kept(pg_url):
    """A failover cuts every connection of the pool at once, and each looks alive until used:
    the replay check's record made right after (a click just then) dies on its connection, and
    the one tried next would have died too. The pool's other connections are checked before the
    second try (as a write does), so the record is kept and the click is not refused."""
    from urllib.parse import urlsplit

    from store.names import SIGNED

    parts = urlsplit(pg_url)
    proxy = CutAtCommit(parts.hostname or "127.0.0.1", parts.port or 5432)
    port = await proxy.start()
    store = PostgresStore(parts._replace(netloc=f"127.0.0.1:{port}").geturl() + "&sslmode=disable")
    await store.open()
    try:
        assert store._pool is not None
        held = [await store._pool.getconn() for _ in range(3)]  # the pool holds several
        for conn in held:
            await store._pool.putconn(conn)
        assert store._pool.get_stats()["pool_size"] >= 3
        proxy.doom_all()
        assert await store.add_once_soon(SIGNED, "1700000000:v0=failover", "first")
        assert not await store.add_once_soon(SIGNED, "1700000000:v0=failover", "replay")
    finally:
        await store.close()
        await proxy.stop()
