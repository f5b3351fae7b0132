"""What the desk says when Slack will not take a message: to the leads, once, in plain words
with what to do, and one line per message in `python -m bot outbox`.

Errors are grouped by cause (`cause_of`): each cause has one sentence naming the place and
one saying what fixes it. The error codes are Slack's, from its method pages (for example
https://api.slack.com/methods/chat.postMessage#errors).
"""

from __future__ import annotations

from typing import Any

from bot.slack.blocks import context, section

RETRY = "`python -m bot outbox retry`"
# cause -> Slack's errors for it
CAUSES: dict[str, frozenset[str]] = {
    "not_in_channel": frozenset({"not_in_channel"}),
    "channel_not_found": frozenset({"channel_not_found"}),
    "is_archived": frozenset({"is_archived"}),
    "restricted": frozenset(
        {
            "restricted_action",
            "restricted_action_read_only_channel",
            "restricted_action_thread_only_channel",
            "restricted_action_non_threadable_channel",
            "no_permission",
            "ekm_access_denied",
            "posting_to_general_channel_denied",
        }
    ),
    "auth": frozenset(
        {
            "invalid_auth",
            "not_authed",
            "token_revoked",
            "token_expired",
            "account_inactive",
            "not_allowed_token_type",
        }
    ),
    "missing_scope": frozenset({"missing_scope"}),
    "person": frozenset({"user_not_found", "user_not_visible", "user_disabled", "user_not_in_channel"}),
    "cannot_dm_bot": frozenset({"cannot_dm_bot"}),
    "home_off": frozenset({"not_enabled"}),
    "gone": frozenset(
        {
            "message_not_found",
            "cant_update_message",
            "edit_window_closed",
            "thread_not_found",
            "no such ticket",
        }
    ),
    "malformed": frozenset(
        {
            "msg_too_long",
            "no_text",
            "invalid_blocks",
            "invalid_blocks_format",
            "too_many_attachments",
            "invalid_arguments",
            "invalid_metadata_format",
            "view_too_large",
            "invalid_arg_name",
            "invalid_array_arg",
            "invalid_charset",
            "invalid_form_data",
            "invalid_post_type",
            "missing_post_type",
            "invalid_json",
            "json_not_object",
        }
    ),
}
CAUSE_OF = {error: cause for cause, errors in CAUSES.items() for error in errors}


def cause_of(error: str) -> str:
    """The cause a Slack error stands for (`other` when the desk does not know it)."""
    return CAUSE_OF.get(error, "other")


def place_words(place: str, *, mrkdwn: bool = True) -> str:
    """A place as people read it: `<#C1>` (Slack shows the channel's name), a person's DM, a
    person's Home tab. Without `mrkdwn` (a terminal), the ids."""
    kind, _, who = place.partition(":")
    if kind == "dm":
        return f"the direct messages with {_person(who, mrkdwn)}"
    if kind == "home":
        return f"{_person(who, mrkdwn)}'s Home tab"
    if kind == "storm":
        return place_words(who, mrkdwn=mrkdwn)
    return f"<#{place}>" if mrkdwn else f"#{place}"


def _person(user: str, mrkdwn: bool) -> str:
    return f"<@{user}>" if mrkdwn else f"@{user}"


def why(error: str, place: str, bot: str, *, mrkdwn: bool = True) -> str:
    """One line: what is wrong and what fixes it (the leads' DM and the outbox listing)."""
    where = place_words(place, mrkdwn=mrkdwn)
    me = f"@{bot}"
    match cause_of(error):
        case "not_in_channel":
            return (
                f"I can't post in {where}: invite {me} to the channel (`/invite {me}`). "
                "What waits goes out as soon as I'm in."
            )
        case "channel_not_found":
            return (
                f"I can't find {where}: it was deleted, or it is private and I'm not in it. "
                f"Invite {me} (`/invite {me}`), or set another channel in the desk's config and "
                f"restart; then {RETRY}."
            )
        case "is_archived":
            return (
                f"{where} is archived, so I can't post there. Unarchive it, or set another channel "
                f"in the desk's config and restart; then {RETRY}."
            )
        case "restricted":
            return (
                f"A workspace setting stops me posting in {where} ({error}): only some people may "
                f"post there. Ask a Slack admin to let {me} post in it, then {RETRY}."
            )
        case "auth":
            return (
                f"Slack refused my token ({error}), so messages waited until it worked again (I "
                "check every minute). If it keeps failing: set SLACK_BOT_TOKEN to the app's "
                "current Bot User OAuth Token (reinstall the app if it was removed) and restart."
            )
        case "missing_scope":
            return (
                f"The app lacks a permission Slack needs for {where} (missing_scope): reinstall it "
                f"with the scopes in manifest.yml, then {RETRY}."
            )
        case "person":
            return (
                f"I can't reach {where} ({error}): the person has left, is deactivated, or is "
                f"hidden from me. Take them out of the desk's config, then {RETRY}."
            )
        case "cannot_dm_bot":
            kind, _, who = place.partition(":")
            bot_user = _person(who, mrkdwn) if kind in ("dm", "home") else where
            return (
                f"{bot_user} is a bot: I can't send it direct messages. Take it out of the "
                "desk's config (agents, leads)."
            )
        case "home_off":
            return (
                f"I can't show {where}: the app's Home tab is off. Turn it on under App Home in "
                f"the app's settings (manifest.yml has it on), then {RETRY}."
            )
        case "gone":
            return (
                f"A message I meant to change in {where} is gone or can no longer be changed "
                f"({error}). Nothing to do unless it matters; {RETRY} tries again."
            )
        case "malformed":
            return (
                f"Slack refused a message for {where} as malformed ({error}). That is a bug in "
                f"the desk: please report it with the log line; {RETRY} tries again."
            )
    return f"Slack refused a message for {where} ({error}). Once that is fixed, {RETRY}."


def parked_notice(error: str, place: str, bot: str, waiting: int) -> tuple[str, list[dict[str, Any]]]:
    """The leads' DM when messages for `place` are parked: said once, until they go out."""
    line = why(error, place, bot)
    many = "a message" if waiting == 1 else f"{waiting} messages"
    blocks = [
        section(f":warning: {line}"),
        context(
            f"{many.capitalize()} wait{'s' if waiting == 1 else ''} for {place_words(place)}. "
            f"`python -m bot outbox` lists what waits; {RETRY} sends it."
        ),
    ]
    return f"I can't deliver {many}: {line}", blocks
