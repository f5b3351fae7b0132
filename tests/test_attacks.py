"""Attacks on the HTTP edge and the configuration, as plain HTTP against a running desk: no
request the desk did not sign for is read, none produces a 500, and no error prints a secret.
(Slack's signature: a request is trusted only when it carries it, made in the last 5 minutes.)"""

from __future__ import annotations

import json
from urllib.parse import quote

import aiohttp
import pytest

from config import ConfigError, read_environment
from config.environment import redacted_url
from tests.harness import ALICE, running_desk

DEEP = "[" * 50_000 + "]" * 50_000  # RecursionError for a JSON parser that is reached


async def post(run, body: str, headers: dict[str, str]) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(run.url + "slack/events", data=body, headers=headers) as answer,
    ):
        return answer.status, await answer.text()


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "no signature at all"),
        ({"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"}, "a timestamp that is no number"),
        ({"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=00"}, "a stale timestamp"),
    ],
)
async def test_an_unsigned_body_is_refused_before_it_is_read(headers, why, caplog):
    async with running_desk() as run:
        status, _ = await post(run, DEEP, {"Content-Type": "application/json", **headers})
        assert status == 401, why
        assert not [r for r in caplog.records if r.levelname == "ERROR"], "one warning, no traceback"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (DEEP, "application/json"),
        (
            "payload=" + quote(json.dumps({"type": "block_actions", "actions": [], "user": {"id": ALICE}})),
            "application/x-www-form-urlencoded",
        ),
        ("payload=%7Bnot json", "application/x-www-form-urlencoded"),
    ],
)
async def test_a_signed_body_bolt_cannot_read_is_a_400_not_a_500(body, content_type, caplog):
    async with running_desk() as run:
        status, _ = await post(run, body, {"Content-Type": content_type, **run.slack.sign(body)})
        assert status == 400
        assert not [r for r in caplog.records if r.levelname == "ERROR"]
        assert await run.desk.store.ticket_count() == 0


def test_config_errors_never_print_a_secret_or_a_url_with_credentials():
    with pytest.raises(ConfigError) as broken:
        read_environment(
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "SLACK_API_URL": "ftp://admin:hunter2@slack.internal/api?key=s3cret",
                "PORT": "xoxb-pasted-here-by-mistake",
            }
        )
    text = "\n".join(broken.value.problems)
    assert "hunter2" not in text and "s3cret" not in text and "pasted-here" not in text
    assert "SLACK_API_URL" in text and "ftp://***@slack.internal/api?***" in text
    assert "PORT: expected a port number" in text


def test_a_url_is_shown_without_its_credentials():
    assert redacted_url("https://user:pw@example.com/api/") == "https://***@example.com/api/"
    assert redacted_url("https://slack.com/api/") == "https://slack.com/api/"
    assert redacted_url("http://h/api/?token=x") == "http://h/api/?***"
