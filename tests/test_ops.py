"""Operating the desk (issue 35): a clean stop, no misleading warnings at start, and the
process's own checks and figures, as an operator meets them."""

from __future__ import annotations

import asyncio
import signal

from bot.localslack.driver import Driver
from tests.harness import CAROL, TRIAGE, bot_posts, local_slack, start_process, text_of


async def test_sigterm_lets_a_quality_summary_in_flight_answer_then_exits_0(tmp_path):
    async with local_slack() as slack:
        process = await start_process(slack, tmp_path, f"tinydb://{tmp_path}/desk.json")
        people = Driver(slack)
        # Every answer of Slack's now takes 2 s: the summary's answer is on its way to the
        # response URL, or about to be, when the deploy's SIGTERM arrives.
        slack.faults.delay = 2.0
        ack = await people.command(CAROL, "/quality", "90d", channel=TRIAGE)
        assert ack.status == 200
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=30)
        log = (tmp_path / "desk.log").read_text()
        assert process.returncode == 0, log[-3000:]
        # Already there when the process ended: the desk waited for it, not the local Slack.
        answers = bot_posts(slack, TRIAGE, to=CAROL)
        assert len(answers) == 1, log[-3000:]
        assert "Quality" in text_of(answers[0])
        assert "waiting for listeners still at work" in log and "desk stopped" in log
        assert "cut short" not in log and "Traceback" not in log


async def test_a_start_logs_no_warning_that_the_bot_token_is_ignored(tmp_path):
    async with local_slack() as slack:
        process = await start_process(slack, tmp_path, "memory://")
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=30)
    log = (tmp_path / "desk.log").read_text()
    assert process.returncode == 0 and "desk started" in log
    assert "will be ignored" not in log and "WARNING" not in log, log
