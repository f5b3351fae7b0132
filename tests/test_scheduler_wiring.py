"""The desk's scheduled jobs as APScheduler holds them, and the harness's proof of quiet.

Every other test runs the jobs itself on its own clock (`Running.run_job`); this file checks
the wiring those tests rely on: which jobs the desk registers, with which triggers and
settings, and that APScheduler really runs the start-up ones at once. It asserts on the
wiring, never on how long anything took.
"""

from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from tests.harness import ALICE, dm_of, running_desk, settle

JOBS = {
    "intake-expiry",
    "forget-replays",
    "sla-sweep",
    "digest",
    "digest-catch-up",
    "digest-owed",
    "weekly-report",
    "archive",
}


def wiring(run) -> dict[str, tuple]:
    return {
        job.id: (type(job.trigger), job.coalesce, job.max_instances, job.misfire_grace_time)
        for job in run.desk.scheduler.get_jobs()
    }


async def test_the_desk_registers_its_jobs_with_their_triggers_and_settings():
    async with running_desk(escalation={"check_every": "90s"}) as run:
        assert wiring(run) == {
            "intake-expiry": (IntervalTrigger, True, 1, 600),
            "forget-replays": (IntervalTrigger, True, 1, 600),
            "sla-sweep": (IntervalTrigger, True, 1, 180),  # twice the interval, at least a minute
            "digest": (CronTrigger, True, 1, None),  # late is fine: it sends only what is owed
            "digest-catch-up": (DateTrigger, True, 1, None),  # once, at start
            "digest-owed": (IntervalTrigger, True, 1, 1),
            "weekly-report": (IntervalTrigger, True, 1, 600),  # at once at start, then every 10 minutes
            "archive": (IntervalTrigger, True, 1, 3600),  # at once at start, then hourly
        }
        jobs = {job.id: job for job in run.desk.scheduler.get_jobs()}
        assert jobs["sla-sweep"].trigger.interval == timedelta(seconds=90)
        assert jobs["intake-expiry"].trigger.interval == timedelta(minutes=10)
        assert jobs["digest-owed"].trigger.interval == timedelta(minutes=1)
        digest = jobs["digest"].trigger
        assert str(digest.timezone) == "Europe/Berlin"
        assert {f.name: str(f) for f in digest.fields if not f.is_default} == {
            "day_of_week": "mon,tue,wed,thu,fri,sat,sun",
            "hour": "0",
            "minute": "0",
        }


async def test_the_scheduler_runs_the_start_up_jobs_at_once():
    """`jobs=True`: APScheduler itself, on the machine's clock. The sweep and the digest's
    catch-up are due at start, so both run without anything else happening."""
    async with running_desk(jobs=True) as run:
        await settle(lambda: run.desk.escalation.sweeps >= 1)
        await settle(lambda: run.desk.scheduler.get_job("digest-catch-up") is None)  # ran, and is gone
        assert set(wiring(run)) == JOBS - {"digest-catch-up"}
        await run.idle()


async def test_without_the_scheduler_the_jobs_wait_for_the_test():
    async with running_desk() as run:
        await run.idle()
        assert set(wiring(run)) == JOBS
        assert run.desk.escalation.sweeps == 0
        await run.sweep()
        assert run.desk.escalation.sweeps == 1


async def test_idle_waits_for_a_listener_still_at_work_after_its_ack():
    """Bolt acks before the listener finishes; `idle` is false until it has."""
    async with running_desk() as run:
        run.slack.faults.delay = 0.3  # every Slack call takes a while
        _, answer = await run.people.say(ALICE, dm_of(run), "The printer jams")
        assert answer is not None and answer.status == 200
        assert not run.desk.idle(), "the question is still on its way"
        await run.idle()
        assert run.desk.work.running == 0
        [question] = [m for m in run.slack.workspace.channels[dm_of(run)].messages if m.user != ALICE]
        assert "The printer jams" in str(question.blocks)
