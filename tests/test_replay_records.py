"""A signed request whose once-only record cannot be written is refused, not acted on, so a
captured copy of it can never act a second time (issue 34, item 2: the trail once read
resolved, reopened, resolved). The fault: a TinyDB store whose disk refuses every write (full),
a PostgreSQL table whose trigger refuses the insert of the record.

On TinyDB the record is written with the request's own work, after the ack
(`Store.add_once_soon`): the first request after the disk fills is acked, and its record and
its work fail together; the store then knows it is failing, and refuses the next request
before acting on it, as PostgreSQL refuses each one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from bot.domain.ticket import Action, Status
from store import NotSaved, Store, TinyDBStore
from store.tables import Change
from tests.conftest import POSTGRES, drop_schema, postgres_url
from tests.harness import (
    ALICE,
    BOB,
    TRIAGE,
    bot_posts,
    dm_of,
    raise_ticket,
    running_desk,
    settle,
    ticket_where,
)
from tests.test_attacks import Captured


class DiskFull(TinyDBStore):
    """A TinyDB store on a disk that refuses every write while `refusing`, as a full disk's
    are refused (NotSaved, the problem noted)."""

    refusing = False

    async def _persist(self, changes: list[Change]) -> dict[int, str]:
        if self.refusing:
            self.problem = "disk full"
            raise NotSaved(self.problem)
        return await super()._persist(changes)


@dataclass
class Fault:
    store: Store | None  # the desk's store (None: the one the URL names)
    url: str
    refuse: Callable[[], Awaitable[None]]
    mend: Callable[[], Awaitable[None]]


@asynccontextmanager
async def tinydb_fault(tmp_path: Path) -> AsyncIterator[Fault]:
    store = DiskFull(tmp_path / "desk.json")

    async def refuse() -> None:
        store.refusing = True

    async def mend() -> None:
        store.refusing = False

    yield Fault(store, f"tinydb://{store.path}", refuse, mend)


@asynccontextmanager
async def postgres_fault(tmp_path: Path) -> AsyncIterator[Fault]:
    url = postgres_url()
    schema = url.rsplit("schema=", 1)[1]

    async def refuse() -> None:
        async with await psycopg.AsyncConnection.connect(POSTGRES, autocommit=True) as conn:
            await conn.execute(
                f"CREATE FUNCTION {schema}.refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$"
            )
            await conn.execute(
                f"CREATE TRIGGER refuse BEFORE INSERT ON {schema}.once_keys "
                f"FOR EACH ROW EXECUTE FUNCTION {schema}.refuse()"
            )

    async def mend() -> None:
        async with await psycopg.AsyncConnection.connect(POSTGRES, autocommit=True) as conn:
            await conn.execute(f"DROP TRIGGER refuse ON {schema}.once_keys")

    try:
        yield Fault(None, url, refuse, mend)
    finally:
        drop_schema(url)


FAULTS = {"tinydb": tinydb_fault, "postgresql": postgres_fault}


@pytest.mark.parametrize("backend", sorted(FAULTS))
async def test_a_request_that_could_not_be_recorded_is_refused_and_its_replay_acts_once(
    backend, tmp_path, caplog
):
    async with FAULTS[backend](tmp_path) as fault, running_desk(fault.url, store=fault.store) as run:
        captured = Captured(run.slack)
        _, card = await raise_ticket(run)
        await run.people.press(BOB, card, "Claim")
        await settle(lambda: ticket_where(run, 1, lambda t: t.status is Status.CLAIMED))

        await run.idle()  # nothing owed: only the requests write while the disk is full

        await fault.refuse()
        if backend == "tinydb":  # the first finds the disk full with its work (module doc)
            unkept = await run.people.command(BOB, "/resolve", "T-1 Replaced the cable", channel=TRIAGE)
            assert unkept.status == 200
            await run.idle()
            assert (await run.desk.store.ticket(1)).status is Status.CLAIMED, "nothing of it kept"
            assert [r for r in caplog.records if r.getMessage() == "change not saved"]
            unkept_copy = captured.last("command=%2Fresolve")
        refused = await run.people.command(BOB, "/resolve", "T-1 Replaced the cable", channel=TRIAGE)
        assert refused.status == 503, "refused with a status, not acted on"
        await run.idle()
        assert (await run.desk.store.ticket(1)).status is Status.CLAIMED
        [line] = [r for r in caplog.records if r.getMessage().startswith("request refused: it could not")]
        assert line.levelname == "ERROR"

        await fault.mend()
        body, headers = captured.last("command=%2Fresolve")
        first = await run.slack.post_to_bot(body, headers)  # the captured copy, the store mended
        assert first.status == 200
        await settle(lambda: ticket_where(run, 1, lambda t: t.status is Status.RESOLVED))
        await run.idle()  # acted on now, its first time: the one time it acts

        [resolution] = [m for m in bot_posts(run.slack, dm_of(run)) if "The problem is back" in str(m.blocks)]
        await run.people.press(ALICE, resolution, "The problem is back")
        await settle(lambda: ticket_where(run, 1, lambda t: t.status is Status.CLAIMED))
        again = await run.slack.post_to_bot(body, headers)
        assert again.status == 200, "answered, and dropped as a replay"
        if backend == "tinydb":  # its record, kept for the next write, was written with it
            assert (await run.slack.post_to_bot(*unkept_copy)).status == 200
        await run.idle()
        ticket = await run.desk.store.ticket(1)
        assert ticket.status is Status.CLAIMED, "still reopened"
        trail = [entry.action for entry in ticket.trail]
        assert trail.count(Action.RESOLVED) == 1 and trail[-1] is Action.REOPENED, trail
