"""The Slack app manifest declares what the desk needs, as SPEC §2 and §4 name it."""

import re
from pathlib import Path

import yaml

MANIFEST = yaml.safe_load((Path(__file__).resolve().parent.parent / "manifest.yml").read_text())


# Slack's built-in slash commands, from Slack's help centre, "Use built-in slash commands":
# https://slack.com/help/articles/201259356-Use-built-in-slash-commands
# Slack refuses a manifest naming one of them ("invalid name", which throws out the whole
# `slash_commands` list), or the person's command reaches Slack's own. The list is the
# article's as copied, with its descriptions, in slack-libpurple's slack-cmd.c
# (github.com/dylex/slack-libpurple); plus /status and /pro, which another copy citing the
# same article lists (hermes-agent's reserved Slack commands); plus /active and /call, which
# newer versions of the article list beside /away (not in either copy: added to be safe, as
# a longer list only refuses more).
BUILT_IN = {
    "/active", "/apps", "/archive", "/away", "/call", "/close", "/collapse", "/dm", "/dnd",
    "/expand", "/feed", "/feedback", "/invite", "/join", "/kick", "/leave", "/me", "/msg",
    "/mute", "/open", "/part", "/prefs", "/pro", "/remind", "/remove", "/rename", "/search",
    "/shortcuts", "/shrug", "/star", "/status", "/topic", "/who",
}  # fmt: skip
# Generic words other installed apps also register (issue 35): not ours to take.
TAKEN_BY_OTHERS = {"/back", "/move", "/wait", "/reply", "/queue"}
COMMANDS = {c["command"]: c for c in MANIFEST["features"]["slash_commands"]}


def test_no_command_is_one_of_slacks_built_in_ones_or_a_word_other_apps_take():
    assert not set(COMMANDS) & BUILT_IN
    assert not set(COMMANDS) & TAKEN_BY_OTHERS


def test_commands_are_the_desks_and_the_mentions_they_need_arrive_escaped():
    """`/ticket` for everyone, `/desk <verb>` for agents and leads, and the aliases kept."""
    assert set(COMMANDS) == {"/ticket", "/desk", "/claim", "/reassign", "/resolve", "/priority", "/quality"}
    assert COMMANDS["/desk"]["should_escape"] is True  # /desk reassign T-4 @someone
    assert COMMANDS["/reassign"]["should_escape"] is True
    assert all(c["url"].endswith("/slack/events") for c in COMMANDS.values())


def test_every_alias_is_a_verb_of_the_namespace_and_every_name_is_valid():
    """An alias reaches the same road as `/desk <verb>`; Slack's names are lowercase, at most
    32 characters, letters, digits, `-` and `_` after the slash."""
    from bot.slack.command_args import ALIASES, NAMESPACE, VERBS, route

    assert {name[1:] for name in COMMANDS} - {"ticket", NAMESPACE[1:]} == set(ALIASES)

    for name, entry in COMMANDS.items():
        assert re.fullmatch(r"/[a-z0-9_-]{1,31}", name), name
        assert len(entry["description"]) <= 2000 and len(entry.get("usage_hint", "")) <= 1000
        if name not in ("/ticket", NAMESPACE):
            assert name[1:] in VERBS and route(name, "T-4").verb == name[1:]


def test_events_shortcut_interactivity_and_scopes():
    settings = MANIFEST["settings"]
    assert {"app_home_opened", "app_mention", "message.im"} <= set(
        settings["event_subscriptions"]["bot_events"]
    )
    assert settings["interactivity"]["is_enabled"] is True
    shortcut = MANIFEST["features"]["shortcuts"][0]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", "create_ticket")
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "commands", "im:write", "im:history", "app_mentions:read", "users:read"} <= scopes
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


def test_the_app_is_called_what_the_desk_calls_itself():
    """The desk signs its replies with `desk.name`; people @mention the bot user's display
    name. The manifest and the example config agree, so nobody meets two names."""
    import tomllib

    example = Path(__file__).resolve().parent.parent / "config" / "desk.example.toml"
    name = tomllib.loads(example.read_text())["desk"]["name"]
    assert MANIFEST["display_information"]["name"] == name
    assert MANIFEST["features"]["bot_user"]["display_name"] == name


def test_the_sandbox_offers_what_the_manifest_registers():
    """The sandbox refuses a command Slack would not deliver, and escapes mentions where the
    manifest says Slack does."""
    from bot.sandbox.page import COMMANDS as SANDBOX
    from bot.sandbox.page import ESCAPED

    assert set(SANDBOX) == set(COMMANDS)
    assert {name for name, entry in COMMANDS.items() if entry["should_escape"]} == ESCAPED
