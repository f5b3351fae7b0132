"""The Slack app manifest declares what the desk needs, as SPEC §2 and §4 name it."""

from pathlib import Path

import yaml

MANIFEST = yaml.safe_load((Path(__file__).resolve().parent.parent / "manifest.yml").read_text())


def test_commands_are_the_desks_and_reassign_escapes_mentions():
    commands = {c["command"]: c for c in MANIFEST["features"]["slash_commands"]}
    assert set(commands) == {
        "/ticket",
        "/claim",
        "/reply",
        "/reassign",
        "/resolve",
        "/wait",
        "/priority",
        "/move",
        "/queue",
        "/away",
        "/back",
        "/quality",
    }
    assert commands["/reassign"]["should_escape"] is True
    assert all(c["url"].endswith("/slack/events") for c in commands.values())


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
