"""Operating the desk (issue 35): a clean stop, no misleading warnings at start, and the
process's own checks and figures, as an operator meets them."""

from __future__ import annotations

import asyncio
import configparser
import json
import logging
import re
import shutil
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
import yaml

from bot.app import STOP_PATIENCE
from bot.doctor import BOT_SCOPES
from bot.localslack import LocalSlack
from bot.localslack.driver import Driver
from bot.localslack.workspace import BOT_USER
from bot.logs import JsonFormatter, Redactor
from bot.slack.gateway import SlackFailure
from tests.harness import (
    ALICE,
    BOB,
    CAROL,
    IT_HELP,
    PEOPLE_HELP,
    ROOT,
    TRIAGE,
    announced_port,
    bot_posts,
    child,
    demo_config,
    local_slack,
    raise_ticket,
    run_command,
    running_desk,
    settle,
    start_process,
    start_request,
    started,
    text_of,
    ticket_where,
    toml_text,
    wait_healthy,
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
    assert (code, lines) == (0, ["Slack checks out"])
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
            DESK_STORE="postgresql://desk:hunter22@127.0.0.1:9/nowhere?connect_timeout=2",
        )
    assert code == 1 and len(lines) == 3
    assert lines[0].startswith("store error: postgresql://desk:***@127.0.0.1:9/nowhere")
    assert lines[1].startswith("SLACK_BOT_TOKEN: Slack refused the token (invalid_auth)")
    assert lines[2].startswith(
        "SLACK_APP_TOKEN: Slack refused to open a Socket Mode connection (invalid_auth)"
    )
    assert "hunter22" not in "\n".join(lines)
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


# -- /metrics, /healthz and a token Slack took back ---------------------------------------------
async def get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, response.headers["Content-Type"], await response.text()


def figure(text: str, name: str) -> float:
    """The value of one sample (`name` with its labels, as printed) in a Prometheus page."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split(" ")[-1])
    raise AssertionError(f"no sample {name} in:\n{text}")


async def test_metrics_count_tickets_acks_breaches_the_outbox_and_slacks_errors():
    async with running_desk() as run:
        status, kind, text = await get(run.url + "metrics")
        assert status == 200 and kind.startswith("text/plain; version=")
        assert figure(text, "desk_tickets_opened_total") == 0.0
        await raise_ticket(run, "VPN down for everyone", urgency="P1 · Critical")
        await raise_ticket(run, "Printer jammed")
        await run.people.command(BOB, "/resolve", "T-2 cleared the tray", channel=TRIAGE)
        await settle(lambda: ticket_where(run, 2, lambda t: not t.is_open))
        await run.idle()
        await run.advance(timedelta(minutes=20))  # T-1's first response was due in 15 minutes
        with pytest.raises(SlackFailure):
            await run.desk.identity.directory.dm_channel("U0NOBODY1")
        _, _, text = await get(run.url + "metrics")
    assert figure(text, "desk_tickets_opened_total") == 2.0
    assert figure(text, "desk_tickets_resolved_total") == 1.0
    assert figure(text, 'desk_sla_breaches_total{target="first_response"}') == 1.0
    assert figure(text, 'desk_ack_seconds_count{kind="command"}') == 1.0
    assert figure(text, 'desk_ack_seconds_count{kind="action"}') == 4.0  # two areas, two urgencies
    assert figure(text, "desk_outbox_owed") == 0.0 and figure(text, "desk_outbox_parked") == 0.0
    assert figure(text, 'desk_slack_errors_total{error="user_not_found",method="conversations.open"}') == 1.0


async def test_two_desks_in_one_process_count_apart():
    async with running_desk() as first, running_desk() as second:
        await raise_ticket(first)
        _, _, one = await get(first.url + "metrics")
        _, _, other = await get(second.url + "metrics")
    assert figure(one, "desk_tickets_opened_total") == 1.0
    assert figure(other, "desk_tickets_opened_total") == 0.0


async def test_healthz_reports_the_token_and_turns_503_when_slack_takes_it_back():
    async with running_desk() as run:
        status, _, body = await get(run.url + "healthz")
        assert status == 200 and json.loads(body)["slack"] == {"auth": "ok"}
        prompt = await start_request(run)  # a request under way: its next message is owed
        await run.people.event(
            {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [BOT_USER]}, "event_ts": "1.0"}
        )
        await settle(lambda: run.desk.cut_off is not None)
        status, _, body = await get(run.url + "healthz")
        health = json.loads(body)
        assert status == 503 and health["ok"] is False
        assert health["slack"]["auth"] == "refused" and health["slack"]["stopped"].startswith(
            "tokens_revoked"
        )
        calls = len(run.slack.calls)
        await run.people.press(ALICE, prompt, "Hardware")  # Slack still delivers; the desk owes
        await settle(lambda: run.desk.outbox.backlog()["waiting"] > 0 or len(run.slack.calls) > calls)
        assert run.desk.outbox.backlog()["waiting"] > 0, "held in the outbox"
        assert [c.method for c in run.slack.calls[calls:]] == [], "nothing more went to Slack"


async def test_app_uninstalled_stops_the_desk_calling_slack():
    async with running_desk() as run:
        await run.people.event({"type": "app_uninstalled", "event_ts": "1.0"})
        await settle(lambda: run.desk.cut_off == "app_uninstalled")
        status, _, body = await get(run.url + "healthz")
    assert status == 503 and json.loads(body)["slack"]["stopped"].startswith("app_uninstalled")


async def test_a_revoked_user_token_is_not_the_desks():
    async with running_desk() as run:
        await run.people.event(
            {"type": "tokens_revoked", "tokens": {"oauth": ["U0ALICE01"]}, "event_ts": "1.0"}
        )
        await run.idle()
        status, _, _ = await get(run.url + "healthz")
    assert status == 200 and run.desk.cut_off is None


# -- deploys: config from the environment, a disk the platform wipes, JSON logs ------------------
async def test_a_desk_configured_by_environment_alone_logs_json_and_warns_of_a_wiped_disk(tmp_path):
    async with local_slack() as slack:
        env = {
            "PATH": "/usr/bin:/bin",
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": slack.signing_secret,
            "SLACK_API_URL": slack.api_url,
            "DESK_CONFIG": str(tmp_path / "no-such-file.toml"),  # DESK_CONFIG_TOML wins
            "DESK_CONFIG_TOML": toml_text(demo_config(f"tinydb://{tmp_path}/desk.json")),
            "DESK_LOG_FORMAT": "json",
            "DYNO": "web.1",
            "PORT": "0",
        }
        path = tmp_path / "desk.log"
        with open(path, "w") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=ROOT, env=env, stdout=log, stderr=log, **child()
            )
        started(process.pid)
        await settle(lambda: announced_port(path, 0) is not None or process.returncode is not None, 30)
        port = announced_port(path, 0)
        assert port is not None, path.read_text()
        health = await wait_healthy(port)
        assert health["ok"] and health["store"]["backend"] == "tinydb"
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=30)
    assert process.returncode == 0
    lines = [json.loads(line) for line in path.read_text().splitlines()]  # every line is one object
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    warned = [line for line in lines if line["level"] == "WARNING"]
    assert len(warned) == 1 and "wipes at every restart" in warned[0]["message"]
    assert warned[0]["platform"].startswith("DYNO is set")
    assert any(line["message"] == "desk stopped" for line in lines)
    assert slack.bot_token not in path.read_text()


def test_config_from_the_environment_is_checked_like_a_file(tmp_path):
    good = run_command(
        tmp_path,
        {},
        "check-config",
        DESK_CONFIG=str(tmp_path / "missing.toml"),
        DESK_CONFIG_TOML=toml_text(demo_config()),
        SLACK_BOT_TOKEN="xoxb-env-config",
        SLACK_SIGNING_SECRET="env-config-secret",
    )
    assert good.returncode == 0, good.stderr
    assert f'triage_channel = "{TRIAGE}"' in good.stdout
    for variables, line in [
        ({"DESK_CONFIG_TOML": "[desk\nname = 1"}, "config error: DESK_CONFIG_TOML: not valid TOML ("),
        ({"DESK_LOG_FORMAT": "yaml"}, "config error: DESK_LOG_FORMAT: expected text or json; got 'yaml'"),
    ]:
        bad = run_command(
            tmp_path,
            demo_config(),
            "check-config",
            SLACK_BOT_TOKEN="xoxb-env-config",
            SLACK_SIGNING_SECRET="env-config-secret",
            **variables,
        )
        assert bad.returncode == 1 and "Traceback" not in bad.stderr
        assert bad.stderr.strip().splitlines() == [bad.stderr.strip()]
        assert bad.stderr.startswith(line)


def test_a_json_log_line_carries_the_extras_and_the_traceback_redacted():
    record = logging.makeLogRecord(
        {"name": "desk.outbox", "levelno": logging.ERROR, "levelname": "ERROR", "msg": "failed %s"}
    )
    record.args = ("xoxb-1234-secret",)
    record.method = "chat.postMessage"
    try:
        raise RuntimeError("token xoxb-1234-secret refused")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    Redactor().filter(record)
    line = JsonFormatter().format(record)
    found = json.loads(line)
    assert "\n" not in line and "xoxb-1234-secret" not in line
    assert found["message"] == "failed xoxb-[redacted]" and found["method"] == "chat.postMessage"
    assert found["level"] == "ERROR" and "RuntimeError: token xoxb-[redacted] refused" in found["error"]


# -- the systemd unit ----------------------------------------------------------------------------
UNIT = ROOT / "deploy" / "service-desk.service"


def test_the_systemd_unit_runs_the_desk_and_gives_its_stop_time():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(UNIT.read_text())
    service = unit["Service"]
    assert service["ExecStart"].endswith("/bin/python -m bot")
    assert service["ExecStartPre"].endswith("/bin/python -m bot check-config")
    assert service["KillSignal"] == "SIGTERM"
    assert int(service["TimeoutStopSec"]) > STOP_PATIENCE  # the listeners' time, and the rest
    assert service["Environment"] or service["EnvironmentFile"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_accepts_the_unit(tmp_path):
    """`systemd-analyze verify`, with the unit's paths pointed at this checkout."""
    text = UNIT.read_text().replace("/opt/service-desk/.venv/bin/python", sys.executable)
    local = tmp_path / "service-desk.service"
    local.write_text(text.replace("/opt/service-desk", str(ROOT)))
    found = subprocess.run(
        ["systemd-analyze", "verify", str(local)], capture_output=True, text=True, timeout=60
    )
    assert found.returncode == 0 and found.stdout + found.stderr == "", found.stderr


async def test_healthz_turns_503_when_slack_refuses_the_token():
    async with running_desk() as run:
        run.slack.bot_token = "xoxb-rotated-elsewhere"  # the desk's token no longer works
        await run.people.say(ALICE, run.slack.workspace.im_with(ALICE).id, "My laptop won't boot")
        await settle(lambda: run.desk.slack_auth["state"] == "refused")
        status, _, body = await get(run.url + "healthz")
    assert status == 503
    assert json.loads(body)["slack"] == {"auth": "refused", "error": "invalid_auth"}


SOCKET_UP = re.compile(r"connected to Slack over Socket Mode; health check on port (\d+)")


async def test_healthz_reports_the_socket_mode_connection(tmp_path):
    async with local_slack() as slack:
        config = tmp_path / "desk.toml"
        config.write_text(toml_text(demo_config("memory://")))
        env = {
            "PATH": "/usr/bin:/bin",
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_APP_TOKEN": slack.app_token,
            "SLACK_API_URL": slack.api_url,
            "DESK_CONFIG": str(config),
            "PORT": "0",
        }
        path = tmp_path / "desk.log"
        with open(path, "w") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=ROOT, env=env, stdout=log, stderr=log, **child()
            )
        started(process.pid)
        await settle(
            lambda: announced_port(path, 0, SOCKET_UP) is not None or process.returncode is not None, 30
        )
        port = announced_port(path, 0, SOCKET_UP)
        assert port is not None, path.read_text()
        health = await wait_healthy(port)
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=30)
    assert health["ok"] and health["mode"] == "socket"
    assert health["slack"] == {"auth": "ok", "socket": "connected"}
    assert process.returncode == 0


async def test_plain_check_config_asks_slack_nothing(tmp_path):
    async with local_slack() as slack:
        path = tmp_path / "plain.toml"
        path.write_text(toml_text(demo_config("memory://")))
        variables = {
            "PATH": "/usr/bin:/bin",
            "DESK_CONFIG": str(path),
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": slack.signing_secret,
            "SLACK_API_URL": slack.api_url,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "check-config",
            cwd=ROOT,
            env=variables,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            **child(),
        )
        started(process.pid)
        await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0 and slack.calls == []
