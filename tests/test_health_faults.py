"""/healthz tells the truth: 503, saying why, after a restart on a full disk (before any write
has failed) and while background work keeps crashing; and a crashed worker is started again."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.supervise import KEEPS_CRASHING, Failures, supervised
from tests.harness import raise_ticket, running_desk
from tests.test_store_damage import aiohttp_get, fill, small_disk


async def test_a_desk_started_on_a_full_disk_says_so_until_there_is_room(tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        url = f"tinydb://{disk}/desk.json"
        async with running_desk(url) as run:
            await raise_ticket(run)
            await run.idle()
        filler = fill(disk)
        async with running_desk(url) as run:
            health = run.desk.health()
            assert health["ok"] is False and health["problem"] == "disk full"
            async with aiohttp_get(run.url + "healthz") as (status, body):
                assert status == 503 and body["store"]["problem"] == "disk full"
            filler.unlink()
            health = run.desk.health()
            assert health["ok"] is True and "problem" not in health["store"], health


async def test_a_crashing_worker_is_started_again_and_logged(caplog):
    failures = Failures()
    runs = 0

    async def worker() -> None:
        nonlocal runs
        runs += 1
        if runs <= KEEPS_CRASHING:
            raise RuntimeError(f"crash {runs}")

    with caplog.at_level(logging.ERROR, logger="desk.supervise"):
        await asyncio.wait_for(supervised("the worker", worker, failures), timeout=30)
    assert runs == KEEPS_CRASHING + 1, "started again after each crash, until it ended"
    crashes = [r for r in caplog.records if r.getMessage() == "background work crashed; it starts again"]
    assert len(crashes) == KEEPS_CRASHING and all(r.exc_info for r in crashes), (
        "each logged, with its traceback"
    )
    assert failures.problem is not None and failures.problem.startswith("the worker keeps crashing")
    assert "RuntimeError: crash 3" in failures.problem


async def test_a_cancelled_worker_is_not_started_again():
    failures = Failures()
    started = asyncio.Event()

    async def worker() -> None:
        started.set()
        await asyncio.sleep(3600)

    task = asyncio.create_task(supervised("the worker", worker, failures))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert failures.total == 0 and failures.problem is None


async def test_a_job_that_keeps_crashing_makes_the_desk_unhealthy_and_runs_again():
    async with running_desk() as run:
        calls = 0

        async def broken() -> None:
            nonlocal calls
            calls += 1
            raise KeyError("a bug")

        run.desk._every("broken", broken, seconds=600)
        for _ in range(KEEPS_CRASHING):
            assert await run.desk.run_job("broken") is None  # logged and counted, not raised
        assert calls == KEEPS_CRASHING, "the job ran each time it was due"
        health = run.desk.health()
        assert health["ok"] is False and health["problem"].startswith("the broken job keeps crashing"), health
        async with aiohttp_get(run.url + "healthz") as (status, body):
            assert status == 503 and "KeyError" in body["problem"]
