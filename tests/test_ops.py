"""Operating the desk (issue 35): a clean stop, no misleading warnings at start, and the
process's own checks and figures, as an operator meets them."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import aiohttp
import yaml

from bot.doctor import BOT_SCOPES
from bot.localslack import LocalSlack
from bot.localslack.driver import Driver
from bot.localslack.workspace import BOT_USER
from tests.harness import (
    BOB,
    CAROL,
    IT_HELP,
    PEOPLE_HELP,
    ROOT,
    TRIAGE,
    bot_posts,
    child,
    demo_config,
    local_slack,
    start_process,
    started,
    text_of,
    toml_text,
)


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


# -- check-config --online ---------------------------------------------------------------------
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_the_online_check_asks_for_exactly_the_manifests_scopes_and_the_events_are_subscribed():
    assert sorted(BOT_SCOPES) == sorted(MANIFEST["oauth_config"]["scopes"]["bot"])
    events = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    assert {"tokens_revoked", "app_uninstalled"} <= set(events)


async def check_online(slack: LocalSlack, folder: Path, config: dict, **env: str) -> tuple[int, list[str]]:
    """`python -m bot check-config --online` against `slack`: its exit code and its lines."""
    path = folder / "online.toml"
    path.write_text(toml_text(config))
    variables = {
        "PATH": "/usr/bin:/bin",
        "DESK_CONFIG": str(path),
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        **env,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "check-config",
        "--online",
        cwd=ROOT,
        env=variables,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        **child(),
    )
    started(process.pid)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    text = err.decode()
    assert "Traceback" not in text and "Traceback" not in out.decode(), text
    assert process.returncode is not None
    return process.returncode, [line.removeprefix("online check: ") for line in text.splitlines()]


async def test_check_config_online_passes_a_desk_that_is_wired_right(tmp_path):
    async with local_slack() as slack:
        code, lines = await check_online(
            slack,
            tmp_path,
            demo_config(f"tinydb://{tmp_path}/data/desk.json"),
            SLACK_APP_TOKEN=slack.app_token,
        )
    assert (code, lines) == (0, ["Slack and the store check out"])
    methods = {c.method for c in slack.calls}
    assert {"auth.test", "conversations.info", "users.info", "apps.connections.open"} <= methods


async def test_check_config_online_names_a_wrong_token_and_an_unreachable_store(tmp_path):
    async with local_slack() as slack:
        code, lines = await check_online(
            slack,
            tmp_path,
            demo_config("memory://"),
            SLACK_BOT_TOKEN="xoxb-not-the-right-one",
            SLACK_APP_TOKEN="xapp-not-the-right-one",
            DESK_STORE="postgresql://127.0.0.1:9/nowhere?connect_timeout=2",
        )
    assert code == 1
    assert lines[0].startswith("SLACK_BOT_TOKEN: Slack refused the token (invalid_auth)")
    assert lines[1].startswith(
        "SLACK_APP_TOKEN: Slack refused to open a Socket Mode connection (invalid_auth)"
    )
    assert lines[2].startswith("DESK_STORE: ") and len(lines) == 3
    assert "xoxb-not-the-right-one" not in "\n".join(lines)


async def test_check_config_online_names_a_missing_scope_a_channel_without_the_bot_and_an_unknown_person(
    tmp_path,
):
    async with local_slack() as slack:
        slack.scopes.discard("reactions:read")
        channel = slack.workspace.channels[PEOPLE_HELP]
        channel.members = channel.members - {BOT_USER}
        config = demo_config(
            "memory://",
            desk={"agents": [BOB, "U0NOBODY1"], "request_channels": [IT_HELP, PEOPLE_HELP]},
            digest={"channel": "C0MISSING"},
        )
        code, lines = await check_online(slack, tmp_path, config)
    assert code == 1
    assert lines == [
        "SLACK_BOT_TOKEN: the token lacks the scope reactions:read; add it under OAuth & Permissions "
        "(manifest.yml lists it) and reinstall the app",
        "desk.request_channels: the bot is not a member of C0PPLHELP (#people-help); "
        "invite it: /invite @desk",
        "digest.channel: no channel C0MISSING that the bot can see (channel_not_found)",
        "desk.agents: no person U0NOBODY1 in this workspace (user_not_found)",
    ]


async def test_check_config_online_without_the_scope_to_look_says_so_once(tmp_path):
    async with local_slack() as slack:
        slack.scopes -= {"channels:read", "groups:read", "users:read"}
        code, lines = await check_online(slack, tmp_path, demo_config("memory://"))
    assert code == 1
    assert [line.split(";")[0] for line in lines] == [
        "SLACK_BOT_TOKEN: the token lacks the scope channels:read",
        "SLACK_BOT_TOKEN: the token lacks the scope groups:read",
        "SLACK_BOT_TOKEN: the token lacks the scope users:read",
    ]
    refused = [c for c in slack.calls if c.error == "missing_scope"]
    assert refused == []  # it did not ask what the token may not ask


async def test_the_local_slack_refuses_a_method_without_its_scope_as_slack_does():
    async with local_slack() as slack:
        slack.scopes.discard("users:read")
        async with (
            aiohttp.ClientSession() as http,
            http.get(
                slack.api_url + "users.info",
                params={"user": BOB},
                headers={"Authorization": f"Bearer {slack.bot_token}"},
            ) as response,
        ):
            body = await response.json()
            scopes = response.headers["x-oauth-scopes"]
    assert body["ok"] is False and body["error"] == "missing_scope" and body["needed"] == "users:read"
    assert body["provided"] == scopes and "users:read" not in scopes.split(",")
