"""The daily digest end to end through the local Slack: catch-up on start, once a day across
restarts, the cron job, delivery to a channel, Slack outages, a crash mid-delivery, and
`python -m bot digest` with and without `--dry-run` as real processes.

The desk's clock is set to 12:00 today in Berlin, so a 09:00 digest is due and a 13:00 one
is not; APScheduler's own timer runs on real time, so the cron job is fired on demand.
"""

from __future__ import annotations

import asyncio
import subprocess
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.clock import Clock
from bot.flows.digest import DIGESTS
from bot.localslack.workspace import Message
from store import store_from_url
from tests.harness import (
    CAROL,
    GENERAL,
    bot_posts,
    demo_config,
    dm_of,
    local_slack,
    raise_ticket,
    run_command,
    running_desk,
    settle,
    text_of,
)

BERLIN = ZoneInfo("Europe/Berlin")
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DUE = {"digest": {"time": "09:00", "days": EVERY_DAY}}  # at noon: due since 09:00
NOT_YET = {"digest": {"time": "13:00", "days": EVERY_DAY}}


def noon_clock(minutes: int = 0) -> Clock:
    """A desk clock reading 12:00 (Berlin) today plus `minutes`, and moving on from there."""
    now = datetime.now(UTC)
    noon = datetime.combine(now.astimezone(BERLIN).date(), time(12), tzinfo=BERLIN)
    return Clock(noon + timedelta(minutes=minutes) - now)


def digests(slack, channel: str) -> list[Message]:
    return [
        m
        for m in bot_posts(slack, channel)
        if (m.blocks or [{}])[0].get("block_id", "").startswith("digest:")
    ]


async def catch_up_done(run) -> None:
    """Wait for the start's catch-up run to finish (the digest's runs take turns)."""
    await settle(lambda: run.desk.scheduler.get_job("digest-catch-up") is None)
    await run.desk.digests.deliver_owed()


async def test_a_digest_missed_while_down_is_sent_at_start_once_across_restarts(tmp_path):
    url = f"tinydb://{tmp_path}/desk.json"
    async with local_slack() as slack:
        async with running_desk(url, slack=slack, clock=noon_clock(), **NOT_YET) as run:
            await raise_ticket(run, "Printer on fire")
            await catch_up_done(run)
            assert digests(slack, dm_of(run, CAROL)) == [], "13:00 is not due at noon"
        for minutes in (5, 10, 15):  # three starts after 09:00 on the same day
            async with running_desk(url, slack=slack, clock=noon_clock(minutes), **DUE) as again:
                await catch_up_done(again)
                assert await again.desk.digests.run() is False, "already recorded today"
                [digest] = digests(slack, dm_of(again, CAROL))
        shown = text_of(digest)
        today = noon_clock().now().astimezone(BERLIN)
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
        await catch_up_done(run)
        job = run.desk.scheduler.get_job("digest")
        assert isinstance(job.trigger, CronTrigger)
        assert job.next_run_time.astimezone(BERLIN).strftime("%H:%M") == "13:00"
        assert digests(run.slack, dm_of(run, CAROL)) == []
        clock.advance(timedelta(hours=1, minutes=30))  # 13:30 on the desk's clock
        for _ in range(2):  # fired twice (as on the night clocks go back): sent once
            job.modify(next_run_time=datetime.now(UTC))
            await settle(lambda: len(digests(run.slack, dm_of(run, CAROL))) == 1)
            await asyncio.sleep(0.3)
        assert len(digests(run.slack, dm_of(run, CAROL))) == 1


async def test_the_digest_goes_to_the_channel_when_one_is_set():
    to_channel = {"digest": {"time": "09:00", "days": EVERY_DAY, "channel": GENERAL}}
    async with running_desk(clock=noon_clock(), **to_channel) as run:
        await settle(lambda: digests(run.slack, GENERAL))
        await catch_up_done(run)
        assert len(digests(run.slack, GENERAL)) == 1
        assert digests(run.slack, dm_of(run, CAROL)) == []


async def test_slack_down_at_digest_time_then_it_arrives_once(tmp_path):
    async with local_slack() as slack:
        slack.faults.down = True
        async with running_desk(
            f"tinydb://{tmp_path}/desk.json", slack=slack, clock=noon_clock(), **DUE
        ) as run:
            day = run.desk.digests.schedule.due_on(run.desk.desk.clock.now()).isoformat()
            await settle(lambda: run.desk.store.tables.records.get(DIGESTS, {}).get(day))
            await settle(lambda: any(c.error == "fault" for c in slack.calls), timeout=10)
            assert digests(slack, dm_of(run, CAROL)) == []
            slack.faults.down = False
            run.desk.scheduler.get_job("digest-owed").modify(next_run_time=datetime.now(UTC))
            await settle(lambda: digests(slack, dm_of(run, CAROL)), timeout=15)
            await catch_up_done(run)
            assert len(digests(slack, dm_of(run, CAROL))) == 1
            assert run.desk.store.tables.records[DIGESTS][day]["owed"] == []


async def test_a_digest_sent_just_before_a_crash_is_not_sent_again(tmp_path):
    """Killed between posting and striking off: the place is still owed, but the digest is
    in the DM, so the next start strikes it off without posting again."""
    url = f"tinydb://{tmp_path}/desk.json"
    async with local_slack() as slack:
        async with running_desk(url, slack=slack, clock=noon_clock(), **DUE) as run:
            await catch_up_done(run)
            day = run.desk.digests.schedule.due_on(run.desk.desk.clock.now()).isoformat()
        store = store_from_url(url)
        await store.open()
        record = await store.record(DIGESTS, day)
        await store.put_record(DIGESTS, day, {**record, "owed": [f"dm:{CAROL}"], "delivered": {}})
        await store.close()
        async with running_desk(url, slack=slack, clock=noon_clock(), **DUE) as again:
            await catch_up_done(again)
            assert again.desk.store.tables.records[DIGESTS][day]["owed"] == []
            assert len(digests(slack, dm_of(again, CAROL))) == 1


def run_cli(tmp_path, slack, *args: str) -> subprocess.CompletedProcess:
    """`python -m bot digest …` as an operator runs it, beside the desk."""
    env = {} if "--dry-run" in args else {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.api_url}
    return run_command(tmp_path, demo_config(f"tinydb://{tmp_path}/desk.json", **DUE), "digest", *args, **env)


async def test_dry_run_prints_the_digest_and_sends_nothing(tmp_path):
    # On the real clock, like the command: the ticket is opened before the digest is built.
    async with running_desk(f"tinydb://{tmp_path}/desk.json", **NOT_YET) as run:
        await raise_ticket(run, "Printer on fire")
        await catch_up_done(run)
        posts_before = sum(c.method == "chat.postMessage" for c in run.slack.calls)
        calls_before = len(run.slack.calls)
        result = await asyncio.to_thread(run_cli, tmp_path, run.slack, "--dry-run")
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Daily digest · ")
        assert "1 ticket still open (1 high), 1 unclaimed." in result.stdout
        assert "Oldest unclaimed: T-1 · P2 · High · “Printer on fire” from @U0ALICE01" in result.stdout
        assert "<@" not in result.stdout and "*" not in result.stdout
        assert len(run.slack.calls) == calls_before, "a dry run does not talk to Slack at all"
        assert sum(c.method == "chat.postMessage" for c in run.slack.calls) == posts_before
        assert digests(run.slack, dm_of(run, CAROL)) == []


async def test_an_explicit_send_always_sends_and_the_schedule_does_not_repeat_it(tmp_path):
    clock = noon_clock()
    async with running_desk(f"tinydb://{tmp_path}/desk.json", clock=clock, **NOT_YET) as run:
        await catch_up_done(run)
        for sent in (1, 2):  # an explicit send always sends, even a second time
            result = await asyncio.to_thread(run_cli, tmp_path, run.slack)
            assert result.returncode == 0, result.stderr
            today = clock.now().astimezone(BERLIN)
            assert result.stdout.strip() == f"Sent the digest of {today:%a %d %b} to @{CAROL} by DM."
            assert len(digests(run.slack, dm_of(run, CAROL))) == sent
        clock.advance(timedelta(hours=1, minutes=30))  # the 13:00 digest falls due
        run.desk.scheduler.get_job("digest").modify(next_run_time=datetime.now(UTC))
        await settle(lambda: run.desk.store.tables.records.get(DIGESTS))
        await catch_up_done(run)
        assert len(digests(run.slack, dm_of(run, CAROL))) == 2, "Carol has today's digest already"


async def test_explicit_send_with_nobody_to_send_to_says_so(tmp_path):
    data = demo_config(f"tinydb://{tmp_path}/desk.json")
    data["desk"]["leads"] = []
    result = run_command(tmp_path, data, "digest", SLACK_BOT_TOKEN="xoxb-test")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.strip() == "digest error: nobody to send it to; set desk.leads or digest.channel"
