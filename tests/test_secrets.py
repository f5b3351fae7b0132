"""Secrets stay secret everywhere (SPEC §13, issue 34 item 4): every command that prints a store
URL or a config value, the start-up log and `/healthz` show passwords and tokens redacted; and a
store out of reach is one line naming it (redacted) and why, exit 1 (issue 34 item 8).
Each command runs as an operator runs it: `python -m bot` in a process of its own."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import psycopg
import pytest
from aiohttp import web

from bot.localslack import LocalSlack
from bot.logs import Redactor
from bot.web import build
from config.redact import redact
from tests.conftest import POSTGRES, drop_schema, postgres_url
from tests.harness import ROOT, child, demo_config, demo_workspace, start_process, toml_text, wait_healthy

PASSWORD = "hunter2-pg-secret"
IN_QUERY = "query-pw-secret"
TOKEN = "xoxb-1111-2222-tokensecret"
SIGNING = "signing-secret-value"


def closed_port() -> int:
    """A port nothing listens on (taken from the system, then let go)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def secret_url(port: int) -> str:
    return f"postgresql://desk:{PASSWORD}@127.0.0.1:{port}/test?password={IN_QUERY}&schema=desk_x"


def bot(tmp_path: Path, store: str, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "desk.toml"
    config.write_text(toml_text(demo_config("memory://")))
    env = {
        **os.environ,
        "DESK_CONFIG": str(config),
        "DESK_STORE": store,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        **child(),
    )


def nothing_secret(*texts: str) -> None:
    for text in texts:
        for secret in (PASSWORD, IN_QUERY, TOKEN, SIGNING):
            assert secret not in text, f"{secret!r} shown in: {text}"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("postgresql://u:secret@db:5432/desk", "postgresql://u:***@db:5432/desk"),
        ("postgres://u:p@ss@db/desk?schema=s", "postgres://u:***@db/desk?schema=s"),
        ("postgresql://db/desk?password=secret&schema=s", "postgresql://db/desk?password=***&schema=s"),
        ("host=db user=u password=secret dbname=d", "host=db user=u password=*** dbname=d"),
        ("postgresql://u@db/desk?sslpassword=x1", "postgresql://u@db/desk?sslpassword=***"),
        ("error: 'postgresql://u:pw@h/d' refused", "error: 'postgresql://u:***@h/d' refused"),
        ("token xoxb-123-456-abc and xapp-1-A1-2", "token xoxb-[redacted] and xapp-[redacted]"),
        ("tinydb://data/desk.json", "tinydb://data/desk.json"),
        ("postgresql://u@db/desk?schema=s", "postgresql://u@db/desk?schema=s"),
    ],
)
def test_what_is_redacted_and_what_is_kept(text, shown):
    assert redact(text) == shown


def test_the_given_secrets_are_redacted_and_the_logs_use_the_same_function():
    assert redact(f"sig {SIGNING}", [SIGNING]) == "sig [redacted]"
    line = Redactor([SIGNING]).clean(f"store={secret_url(5432)} secret {SIGNING}")
    assert line == redact(f"store={secret_url(5432)} secret {SIGNING}", [SIGNING])
    nothing_secret(line)


# -- every command, against a PostgreSQL that does not answer -----------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["check-config"],
        [],
        ["run"],
        ["export"],
        ["digest", "--dry-run"],
        ["store", "check"],
        ["store", "backup", "b.json"],
    ],
)
def test_no_command_prints_the_store_password(tmp_path, args):
    url = secret_url(closed_port())
    done = bot(tmp_path, url, *args)
    nothing_secret(done.stdout, done.stderr)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("store error: postgresql://desk:***@127.0.0.1:")


@pytest.mark.parametrize("args", [["check-config"], ["run"]])
def test_an_unreachable_postgresql_is_one_line_naming_it_and_why(tmp_path, args):
    """Start-up and `check-config` both try the connection (connect, SELECT 1) before anything
    else: a closed port is one line, exit 1, at once."""
    port = closed_port()
    done = bot(tmp_path, secret_url(port), *args)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"store error: postgresql://desk:***@127.0.0.1:{port}/test?password=***&schema=desk_x: "
        f'cannot reach PostgreSQL (connection failed: connection to server at "127.0.0.1", '
        f"port {port} failed: Connection refused)"
    ]


def test_check_config_shows_the_store_url_redacted_and_says_when_it_cannot_be_reached(tmp_path):
    done = bot(tmp_path, secret_url(closed_port()), "check-config")
    assert 'url = "postgresql://desk:***@127.0.0.1:' in done.stdout
    assert "password=***&schema=desk_x" in done.stdout
    assert "xoxb-… (set" in done.stdout
    nothing_secret(done.stdout)


def test_check_config_says_when_a_tinydb_store_cannot_be_kept_where_it_is_named(tmp_path):
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    done = bot(tmp_path, f"tinydb://{in_the_way}/data/desk.json", "check-config")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"store error: tinydb://{in_the_way}/data/desk.json: {in_the_way} is not a folder, "
        "so desk.json cannot be kept in it"
    ]
    fine = bot(tmp_path, f"tinydb://{tmp_path}/new/desk.json", "check-config")
    assert fine.returncode == 0, fine.stderr
    assert not (tmp_path / "new").exists(), "checked, not created"


def test_a_bad_store_url_in_the_config_is_shown_redacted(tmp_path):
    done = bot(tmp_path, f"mysql://u:{PASSWORD}@db/desk", "check-config")
    assert done.returncode == 1
    assert "DESK_STORE: expected tinydb://PATH" in done.stderr and "mysql://u:***@db/desk" in done.stderr
    nothing_secret(done.stderr)


# -- a desk that runs on PostgreSQL with a password in its URL ---------------------------------
def reachable_secret_url() -> str:
    """This test's PostgreSQL URL with a password in it: the server's own when it has one, or
    one the server does not ask for (trust authentication ignores it)."""
    url = postgres_url()
    parts = urlsplit(url)
    if parts.password:
        return url
    with psycopg.connect(POSTGRES) as conn:
        row = conn.execute("SELECT current_user").fetchone()
    assert row is not None
    return url.replace("://", f"://{row[0]}:{PASSWORD}@", 1)


async def test_the_start_up_log_healthz_and_check_config_never_show_the_password(tmp_path):
    url = reachable_secret_url()
    password = urlsplit(url).password or PASSWORD
    slack = LocalSlack(demo_workspace())
    await slack.start()
    process = None
    try:
        checked = await asyncio.to_thread(bot, tmp_path, url, "check-config")
        assert checked.returncode == 0, checked.stderr
        assert password not in checked.stdout and ":***@" in checked.stdout
        process = await start_process(slack, tmp_path, url)
        port = int(slack.request_url.split(":")[2].split("/")[0])
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/healthz") as answer:
            health = await answer.text()
        assert '"backend": "postgresql"' in health and password not in health
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), timeout=20)
        await slack.stop()
        drop_schema(url)
    log = (tmp_path / "desk.log").read_text()
    assert "desk started" in log and ":***@127.0.0.1" in log, log[-2000:]
    assert password not in log and slack.bot_token not in log and slack.signing_secret not in log


async def test_healthz_redacts_whatever_its_report_quotes():
    """A store problem that quotes a URL or a token (a driver's error text) reaches /healthz
    redacted: the report is redacted as a whole at the edge."""
    report = {
        "ok": False,
        "store": {"backend": "postgresql", "problem": f"cannot write to {secret_url(5432)} ({TOKEN})"},
        "notes": [f"password={IN_QUERY}"],
    }
    runner = web.AppRunner(build(None, lambda: report))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        health = await wait_healthy(port)
    finally:
        await runner.cleanup()
    assert health["store"]["problem"] == (
        "cannot write to postgresql://desk:***@127.0.0.1:5432/test?password=***&schema=desk_x "
        "(xoxb-[redacted])"
    )
    assert health["notes"] == ["password=***"]
