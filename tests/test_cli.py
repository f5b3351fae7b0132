"""`python -m bot` as an operator runs it: clear config errors, and a real process serving."""

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.localslack import LocalSlack
from tests.harness import announced_port, child, demo_workspace, settle, started, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (ROOT / "config" / "desk.example.toml").read_text()
TOKENS = {"SLACK_BOT_TOKEN": "xoxb-cli-test-token", "SLACK_SIGNING_SECRET": "cli-test-signing-secret"}


def run_cli(args: list[str], config_text: str, tmp_path: Path, **extra: str) -> subprocess.CompletedProcess:
    config = tmp_path / "desk.toml"
    config.write_text(config_text)
    env = {**os.environ, **TOKENS, "DESK_CONFIG": str(config), "DESK_STORE": "memory://", **extra}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        **child(),
    )


@pytest.mark.parametrize(
    ("broken", "line"),
    [
        (EXAMPLE.replace('name = "IT Help"', 'nmae = "IT Help"'), "config error: desk.nmae: unknown key"),
        (EXAMPLE.replace('resolution = "4h"', 'resolution = "4 hours"'), "config error: sla.P1.resolution"),
        (EXAMPLE.replace('"Europe/Berlin"', '"Europe/Berlinn"'), "config error: desk.timezone"),
    ],
)
@pytest.mark.parametrize("command", [["check-config"], []])
def test_a_broken_config_is_one_clear_line_and_exit_1(tmp_path, broken, line, command):
    result = run_cli(command, broken, tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(line)
    assert "Traceback" not in result.stderr


def test_check_config_prints_effective_settings_without_secrets(tmp_path):
    result = run_cli(["check-config"], EXAMPLE, tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'triage_channel = "C0123TRIAGE"' in result.stdout
    assert "[sla.P3]  # Normal" in result.stdout and 'clock = "business"' in result.stdout
    assert "xoxb-… (set" in result.stdout
    assert (
        TOKENS["SLACK_BOT_TOKEN"] not in result.stdout and TOKENS["SLACK_SIGNING_SECRET"] not in result.stdout
    )


def test_check_config_warns_when_nobody_would_get_the_digest(tmp_path):
    no_leads = EXAMPLE.replace('leads = ["U0LEAD001"]', "leads = []")
    assert no_leads != EXAMPLE
    result = run_cli(["check-config"], no_leads, tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'channel = ""  # nobody gets the digest: no leads, no channel' in result.stdout
    assert "nobody gets the digest" not in run_cli(["check-config"], EXAMPLE, tmp_path).stdout


def test_the_digest_command_needs_the_bot_token_but_no_signing_secret(tmp_path):
    result = run_cli(["digest"], EXAMPLE, tmp_path, SLACK_BOT_TOKEN="", SLACK_SIGNING_SECRET="")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "config error: SLACK_BOT_TOKEN: not set; expected the bot token (xoxb-…) from your Slack app"
    ]


def test_missing_tokens_and_config_problems_are_listed_together(tmp_path):
    env = {k: "" for k in TOKENS}
    result = run_cli(["check-config"], EXAMPLE.replace("warn_at = 0.8", "warn_at = 8"), tmp_path, **env)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1
    assert [line.split(":")[1].strip() for line in lines] == [
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "escalation.warn_at",
    ]


async def test_the_process_serves_slack_and_stops_cleanly_on_sigterm(tmp_path):
    slack = LocalSlack(
        demo_workspace(), bot_token=TOKENS["SLACK_BOT_TOKEN"], signing_secret=TOKENS["SLACK_SIGNING_SECRET"]
    )
    await slack.start()
    config = tmp_path / "desk.toml"
    config.write_text(EXAMPLE)
    env = {
        **os.environ,
        **TOKENS,
        "DESK_CONFIG": str(config),
        "PORT": "0",  # any free port; the log says which
        "SLACK_API_URL": slack.api_url,
        "DESK_STORE": f"tinydb://{tmp_path}/desk.json",
    }
    log_path = tmp_path / "desk.log"
    with open(log_path, "w") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=ROOT, env=env, stderr=log_file, **child()
        )
    started(process.pid)
    try:
        await settle(lambda: announced_port(log_path, 0) is not None, timeout=30)
        port = announced_port(log_path, 0)
        slack.request_url = f"http://127.0.0.1:{port}/slack/events"
        health = await wait_healthy(port)
        assert health["ok"] and health["store"]["backend"] == "tinydb"
        body = json.dumps({"type": "url_verification", "challenge": "abc"})
        good = await slack.post_to_bot(body, {"Content-Type": "application/json", **slack.sign(body)})
        bad = await slack.post_to_bot(body, {"Content-Type": "application/json"})
        assert (good.status, good.body, bad.status) == (200, {"challenge": "abc"}, 401)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=20)
        await slack.stop()
    log = log_path.read_text()
    assert process.returncode == 0, log
    assert "desk stopped" in log
    assert TOKENS["SLACK_BOT_TOKEN"] not in log and TOKENS["SLACK_SIGNING_SECRET"] not in log
