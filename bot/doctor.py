"""`python -m bot check-config --online` (SPEC §13): the desk checks its own wiring with Slack.

Plain `check-config` reads only the config and the environment. Online, the desk also asks
Slack what a first day on a real workspace needs to be true:

- the bot token works (`auth.test`), and was granted every scope the manifest asks for (the
  `x-oauth-scopes` header of Slack's answer lists the token's scopes);
- the bot is a member of every configured channel (`conversations.info`: `is_member`);
- every configured person exists and is active (`users.info`);
- the app-level token, when set, may open a Socket Mode connection (`apps.connections.open`;
  the WebSocket itself is not opened: Slack would share a running desk's events with it);
- and, as plain `check-config` does too, the store can be reached (`bot.__main__.check_store`).

Each problem is one line naming the key and the Slack id; none means all is well.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from config.environment import Environment, redacted_url
from config.settings import Config

# The bot scopes manifest.yml asks for (tests/test_ops.py checks that the two agree).
BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "channels:read",
    "groups:history",
    "groups:read",
    "chat:write",
    "commands",
    "im:history",
    "im:write",
    "users:read",
    "users:read.email",
    "files:write",
    "reactions:read",
    "usergroups:read",
)
SLACK_ERRORS = (aiohttp.ClientError, TimeoutError, OSError, ValueError)  # ValueError: not JSON


def configured_channels(config: Config) -> Iterator[tuple[str, str]]:
    """(key, channel id) of every channel the config names, each once."""
    seen: set[str] = set()
    for index, team in enumerate(config.staff.teams, start=1):
        prefix = f"team[{index}]" if config.staff.several else "desk"
        for key, channel in [("triage_channel", team.triage)] + [
            ("request_channels", c) for c in team.request_channels
        ]:
            if channel and channel not in seen:
                seen.add(channel)
                yield f"{prefix}.{key}", channel
    if config.digest.channel and config.digest.channel not in seen:
        yield "digest.channel", config.digest.channel


def configured_people(config: Config) -> Iterator[tuple[str, str]]:
    """(key, user id) of every person the config names, each once."""
    seen: set[str] = set()
    for index, team in enumerate(config.staff.teams, start=1):
        prefix = f"team[{index}]" if config.staff.several else "desk"
        for key, people in (("agents", team.agents), ("leads", team.leads)):
            for person in people:
                if person not in seen:
                    seen.add(person)
                    yield f"{prefix}.{key}", person


async def check_online(config: Config, env: Environment) -> list[str]:
    """Every problem Slack shows, one line each (empty: all is well). The store is tried by
    `python -m bot check-config` itself (`check_store`), online or not."""
    problems: list[str] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
        bot = AsyncWebClient(token=env.bot_token, base_url=env.api_url, session=http, timeout=15)
        problems += await _slack(config, env, bot)
        if env.app_token:
            problems += await _app_token(bot, env.app_token)
    return problems


async def _slack(config: Config, env: Environment, bot: AsyncWebClient) -> list[str]:
    try:
        answer = await bot.auth_test()
    except SlackApiError as refused:
        error = refused.response.get("error", "unknown")
        return [
            f"SLACK_BOT_TOKEN: Slack refused the token ({error}); copy the Bot User OAuth Token "
            "(xoxb-…) from your app's OAuth & Permissions page"
        ]
    except SLACK_ERRORS as problem:
        return [f"SLACK_API_URL: cannot reach Slack at {redacted_url(env.api_url)} ({_why(problem)})"]
    problems: list[str] = []
    header = {k.lower(): v for k, v in (answer.headers or {}).items()}.get("x-oauth-scopes")
    granted = {s.strip() for s in str(header or "").split(",") if s.strip()}
    missing = [scope for scope in BOT_SCOPES if scope not in granted]
    if header is None:
        problems.append("SLACK_BOT_TOKEN: Slack did not say which scopes the token has (no x-oauth-scopes)")
    for scope in missing if header is not None else ():
        problems.append(
            f"SLACK_BOT_TOKEN: the token lacks the scope {scope}; add it under OAuth & Permissions "
            "(manifest.yml lists it) and reinstall the app"
        )
    bot_name = str(answer.get("user") or "the bot")
    # Without the scope to look, each look would only repeat the missing scope's line.
    if header is None or granted & {"channels:read", "groups:read"}:
        for key, channel in configured_channels(config):
            problems += await _channel(bot, key, channel, bot_name)
    if header is None or "users:read" in granted:
        for key, person in configured_people(config):
            problems += await _person(bot, key, person)
    return problems


async def _channel(bot: AsyncWebClient, key: str, channel: str, bot_name: str) -> list[str]:
    try:
        found: dict[str, Any] = (await bot.conversations_info(channel=channel)).get("channel") or {}
    except SlackApiError as refused:
        error = refused.response.get("error", "unknown")
        if error == "channel_not_found":
            return [f"{key}: no channel {channel} that the bot can see (channel_not_found)"]
        return [f"{key}: cannot check channel {channel} ({_error_words(refused.response)})"]
    except SLACK_ERRORS as problem:
        return [f"{key}: cannot check channel {channel} ({_why(problem)})"]
    name = f" (#{found['name']})" if found.get("name") else ""
    if found.get("is_archived"):
        return [f"{key}: channel {channel}{name} is archived"]
    if not found.get("is_member"):
        return [f"{key}: the bot is not a member of {channel}{name}; invite it: /invite @{bot_name}"]
    return []


async def _person(bot: AsyncWebClient, key: str, person: str) -> list[str]:
    try:
        user: dict[str, Any] = (await bot.users_info(user=person)).get("user") or {}
    except SlackApiError as refused:
        error = refused.response.get("error", "unknown")
        if error == "user_not_found":
            return [f"{key}: no person {person} in this workspace (user_not_found)"]
        return [f"{key}: cannot check person {person} ({_error_words(refused.response)})"]
    except SLACK_ERRORS as problem:
        return [f"{key}: cannot check person {person} ({_why(problem)})"]
    if user.get("deleted"):
        return [f"{key}: {person} ({user.get('name', '?')}) is deactivated"]
    if user.get("is_bot"):
        return [f"{key}: {person} ({user.get('name', '?')}) is a bot, not a person"]
    return []


async def _app_token(client: AsyncWebClient, app_token: str) -> list[str]:
    try:
        await client.apps_connections_open(app_token=app_token)
    except SlackApiError as refused:
        return [
            f"SLACK_APP_TOKEN: Slack refused to open a Socket Mode connection "
            f"({_error_words(refused.response)}); create an app-level token with connections:write"
        ]
    except SLACK_ERRORS as problem:
        return [f"SLACK_APP_TOKEN: cannot reach Slack to open a Socket Mode connection ({_why(problem)})"]
    return []


def _error_words(response: Any) -> str:
    error = str(response.get("error", "unknown"))
    if error == "missing_scope" and response.get("needed"):
        return f"missing_scope: needs {response['needed']}"
    return error


def _why(problem: BaseException) -> str:
    text = str(problem).strip().splitlines()[0][:160] if str(problem).strip() else ""
    return f"{type(problem).__name__}: {text}" if text else type(problem).__name__


def run(config: Config, env: Environment) -> list[str]:
    """`check_online` from synchronous code (the command line)."""
    return asyncio.run(check_online(config, env))
