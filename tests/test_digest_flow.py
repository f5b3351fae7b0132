"""The daily digest end to end through the local Slack: catch-up on start, once a day across
restarts, the cron job, delivery to a channel, Slack outages, a crash mid-delivery, and
`python -m bot digest` with and without `--dry-run` as real processes.

The desk's clock is set to 12:00 on a chosen day in Berlin, so a 09:00 digest is due and a
13:00 one is not, whatever the machine's clock says. The jobs are run by the tests, as the
scheduler would run them; `python -m bot digest` is run under `faketime` at the same moment.
"""

from __future__ import annotations

import asyncio
import subprocess
from datetime import datetime, time, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.localslack.workspace import Message
from store import store_from_url
from store.names import BEGAN, DIGESTS
from tests.harness import (
    BERLIN,
    CAROL,
    GENERAL,
    TEST_START,
    bot_posts,
    clock_at,
    demo_config,
    dm_of,
    faked_time,
    local_slack,
    raise_ticket,
    run_command,
    running_desk,
    text_of,
)

EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DUE = {"digest": {"time": "09:00", "days": EVERY_DAY}}  # at noon: due since 09:00
NOT_YET = {"digest": {"time": "13:00", "days": EVERY_DAY}}
NOON = datetime.combine(TEST_START.date(), time(12), tzinfo=BERLIN)


def noon_clock(minutes: int = 0):
    """A desk clock reading 12:00 (Berlin) on the test day plus `minutes`."""
    return clock_at(NOON + timedelta(minutes=minutes))


def digests(slack, channel: str) -> list[Message]:
    return [
        m
        for m in bot_posts(slack, channel)
        if (m.blocks or [{}])[0].get("block_id", "").startswith("digest:")
    ]


async def running_since_yesterday(run) -> None:
    """The desk began a day before the test's moment: yesterday is a day it can report on (a
    first start reports no period before it began)."""
    await run.desk.store.put_record(BEGAN, "desk", (NOON - timedelta(days=1)).isoformat())


async def catch_up_done(run) -> None:
    """The run the desk makes at start (today's digest if it fell due while it was down)."""
    await run.run_job("digest-catch-up")


async def test_a_digest_missed_while_down_is_sent_at_start_once_across_restarts(tmp_path):
    url = f"tinydb://{tmp_path}/desk.json"
    async with local_slack() as slack:
        async with running_desk(url, slack=slack, clock=noon_clock(), **NOT_YET) as run:
            await running_since_yesterday(run)
            await raise_ticket(run, "Printer on fire")
            await catch_up_done(run)
            assert digests(slack, dm_of(run, CAROL)) == [], "13:00 is not due at noon"
        for minutes in (5, 10, 15):  # three starts after 09:00 on the same day
            async with running_desk(url, slack=slack, clock=noon_clock(minutes), **DUE) as again:
                await catch_up_done(again)
                assert await again.desk.digests.run() is False, "already recorded today"
                [digest] = digests(slack, dm_of(again, CAROL))
        shown = text_of(digest)
        today = NOON
        assert f"Daily digest · {today:%a} {today.day} {today:%b}" in shown
        assert "A quiet day: no tickets were opened, resolved or rated yesterday" in shown
        assert "1 ticket still open (1 high), 1 unclaimed." in shown
        assert "Oldest unclaimed:* T-1 · P2 · High · “Printer on fire”" in shown
        store = store_from_url(url)
        await store.open()
        record = await store.record(DIGESTS, today.date().isoformat())
        await store.close()
        assert (record["owed"], list(record["delivered"])) == ([], [f"dm:{CAROL}"])


async def test_the_cron_job_sends_at_its_time_and_once(tmp_path):
    clock = noon_clock()
    async with running_desk(f"tinydb://{tmp_path}/desk.json", clock=clock, **NOT_YET) as run:
        await running_since_yesterday(run)
        await catch_up_done(run)
        job = run.desk.scheduler.get_job("digest")
        assert isinstance(job.trigger, CronTrigger) and str(job.trigger.timezone) == "Europe/Berlin"
        fires = job.trigger.get_next_fire_time(None, NOON)
        assert fires == datetime.combine(NOON.date(), time(13), tzinfo=BERLIN)
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, None)
        assert digests(run.slack, dm_of(run, CAROL)) == []
        clock.advance(timedelta(hours=1, minutes=30))  # 13:30 on the desk's clock
        for _ in range(2):  # fired twice (as on the night clocks go back): sent once
            await run.run_job("digest")
        assert len(digests(run.slack, dm_of(run, CAROL))) == 1


async def test_the_digest_goes_to_the_channel_when_one_is_set():
    to_channel = {"digest": {"time": "09:00", "days": EVERY_DAY, "channel": GENERAL}}
    async with running_desk(clock=noon_clock(), **to_channel) as run:
        await running_since_yesterday(run)
        await catch_up_done(run)
        assert len(digests(run.slack, GENERAL)) == 1
        assert digests(run.slack, dm_of(run, CAROL)) == []


async def test_slack_down_at_digest_time_then_it_arrives_once(tmp_path):
    async with local_slack() as slack:
        slack.faults.down = True
        async with running_desk(
            f"tinydb://{tmp_path}/desk.json", slack=slack, clock=noon_clock(), **DUE
        ) as run:
            await running_since_yesterday(run)
            day = run.desk.digests.schedule.due_on(run.clock.now()).isoformat()
            await run.desk.run_job("digest-catch-up")
            assert (await run.desk.store.record(DIGESTS, day))["owed"] == [f"dm:{CAROL}"]
            assert any(c.error == "fault" for c in slack.calls)
            assert digests(slack, dm_of(run, CAROL)) == []
            slack.faults.down = False
            await run.run_job("digest-owed")  # the job that retries what Slack refused
            assert len(digests(slack, dm_of(run, CAROL))) == 1
            assert (await run.desk.store.record(DIGESTS, day))["owed"] == []
            await run.run_job("digest-owed")
            await catch_up_done(run)
            assert len(digests(slack, dm_of(run, CAROL))) == 1


async def test_a_digest_sent_just_before_a_crash_is_not_sent_again(tmp_path):
    """Killed between posting and striking off: the place is still owed, but the digest is
    in the DM, so the next start strikes it off without posting again."""
    url = f"tinydb://{tmp_path}/desk.json"
    async with local_slack() as slack:
        async with running_desk(url, slack=slack, clock=noon_clock(), **DUE) as run:
            await running_since_yesterday(run)
            await catch_up_done(run)
            day = run.desk.digests.schedule.due_on(run.clock.now()).isoformat()
        store = store_from_url(url)
        await store.open()
        record = await store.record(DIGESTS, day)
        await store.put_record(DIGESTS, day, {**record, "owed": [f"dm:{CAROL}"], "delivered": {}})
        await store.close()
        async with running_desk(url, slack=slack, clock=noon_clock(), **DUE) as again:
            await catch_up_done(again)
            assert (await again.desk.store.record(DIGESTS, day))["owed"] == []
            assert len(digests(slack, dm_of(again, CAROL))) == 1


def run_cli(tmp_path, slack, *args: str, at: datetime) -> subprocess.CompletedProcess:
    """`python -m bot digest …` as an operator runs it, beside the desk, with the machine's
    clock reading `at` for it."""
    env = {} if "--dry-run" in args else {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.api_url}
    config = demo_config(f"tinydb://{tmp_path}/desk.json", **DUE)
    return run_command(tmp_path, config, "digest", *args, at=at, **env)


@faked_time
async def test_dry_run_prints_the_digest_and_sends_nothing(tmp_path):
    async with running_desk(f"tinydb://{tmp_path}/desk.json", clock=noon_clock(), **NOT_YET) as run:
        await raise_ticket(run, "Printer on fire")
        await catch_up_done(run)
        posts_before = sum(c.method == "chat.postMessage" for c in run.slack.calls)
        calls_before = len(run.slack.calls)
        result = await asyncio.to_thread(run_cli, tmp_path, run.slack, "--dry-run", at=NOON)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"Daily digest · {NOON:%a} {NOON.day} {NOON:%b}")
        assert "1 ticket still open (1 high), 1 unclaimed." in result.stdout
        assert "Oldest unclaimed: T-1 · P2 · High · “Printer on fire” from @U0ALICE01" in result.stdout
        assert "<@" not in result.stdout and "*" not in result.stdout
        await run.idle()
        assert len(run.slack.calls) == calls_before, "a dry run does not talk to Slack at all"
        assert sum(c.method == "chat.postMessage" for c in run.slack.calls) == posts_before
        assert digests(run.slack, dm_of(run, CAROL)) == []


@faked_time
async def test_an_explicit_send_always_sends_and_the_schedule_does_not_repeat_it(tmp_path):
    clock = noon_clock()
    async with running_desk(f"tinydb://{tmp_path}/desk.json", clock=clock, **NOT_YET) as run:
        await running_since_yesterday(run)
        await catch_up_done(run)
        for sent in (1, 2):  # an explicit send always sends, even a second time
            result = await asyncio.to_thread(run_cli, tmp_path, run.slack, at=NOON)
            assert result.returncode == 0, result.stderr
            assert (
                result.stdout.strip()
                == f"Sent the digest of {NOON:%a} {NOON.day} {NOON:%b} to @{CAROL} by DM."
            )
            assert len(digests(run.slack, dm_of(run, CAROL))) == sent
        clock.advance(timedelta(hours=1, minutes=30))  # the 13:00 digest falls due
        await run.run_job("digest")
        assert await run.desk.store.records(DIGESTS)
        assert len(digests(run.slack, dm_of(run, CAROL))) == 2, "Carol has today's digest already"


async def test_explicit_send_with_nobody_to_send_to_says_so(tmp_path):
    data = demo_config(f"tinydb://{tmp_path}/desk.json")
    data["desk"]["leads"] = []
    result = run_command(tmp_path, data, "digest", SLACK_BOT_TOKEN="xoxb-test")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.strip() == "digest error: nobody to send it to; set desk.leads or digest.channel"
