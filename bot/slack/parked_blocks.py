"""What the desk says when Slack will not take a message: to the leads, once, in plain words
with what to do, and one line per message in `python -m bot outbox`.

Errors are grouped by cause (`cause_of`): each cause has one sentence naming the place and
one saying what fixes it. The error codes are Slack's, from its method pages (for example
https://api.slack.com/methods/chat.postMessage#errors).
"""

from __future__ import annotations

from typing import Any

from bot.i18n import ENGLISH, Words
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


def place_words(place: str, *, mrkdwn: bool = True, words: Words = ENGLISH) -> str:
    """A place as people read it: `<#C1>` (Slack shows the channel's name), a person's DM, a
    person's Home tab. Without `mrkdwn` (a terminal), the ids."""
    kind, _, who = place.partition(":")
    if kind == "dm":
        return words.t("the direct messages with {person}", person=_person(who, mrkdwn))
    if kind == "home":
        return words.t("{person}'s Home tab", person=_person(who, mrkdwn))
    if kind == "storm":
        return place_words(who, mrkdwn=mrkdwn, words=words)
    return f"<#{place}>" if mrkdwn else f"#{place}"


def _person(user: str, mrkdwn: bool) -> str:
    return f"<@{user}>" if mrkdwn else f"@{user}"


def why(error: str, place: str, bot: str, *, mrkdwn: bool = True, words: Words = ENGLISH) -> str:
    """One line: what is wrong and what fixes it (the leads' DM and the outbox listing)."""
    w = words
    where = place_words(place, mrkdwn=mrkdwn, words=w)
    me = f"@{bot}"
    said = {"where": where, "me": me, "error": error, "retry": RETRY, "invite": f"`/invite {me}`"}
    match cause_of(error):
        case "not_in_channel":
            return w.t(
                "I can't post in {where}: invite {me} to the channel ({invite}). "
                "What waits goes out as soon as I'm in.",
                **said,
            )
        case "channel_not_found":
            return w.t(
                "I can't find {where}: it was deleted, or it is private and I'm not in it. "
                "Invite {me} ({invite}), or set another channel in the desk's config and "
                "restart; then {retry}.",
                **said,
            )
        case "is_archived":
            return w.t(
                "{where} is archived, so I can't post there. Unarchive it, or set another channel "
                "in the desk's config and restart; then {retry}.",
                **said,
            )
        case "restricted":
            return w.t(
                "A workspace setting stops me posting in {where} ({error}): only some people may "
                "post there. Ask a Slack admin to let {me} post in it, then {retry}.",
                **said,
            )
        case "auth":
            return w.t(
                "Slack refused my token ({error}), so messages waited until it worked again (I "
                "check every minute). If it keeps failing: set SLACK_BOT_TOKEN to the app's "
                "current Bot User OAuth Token (reinstall the app if it was removed) and restart.",
                **said,
            )
        case "missing_scope":
            return w.t(
                "The app lacks a permission Slack needs for {where} (missing_scope): reinstall it "
                "with the scopes in manifest.yml, then {retry}.",
                **said,
            )
        case "person":
            return w.t(
                "I can't reach {where} ({error}): the person has left, is deactivated, or is "
                "hidden from me. Take them out of the desk's config, then {retry}.",
                **said,
            )
        case "cannot_dm_bot":
            kind, _, who = place.partition(":")
            bot_user = _person(who, mrkdwn) if kind in ("dm", "home") else where
            return w.t(
                "{bot_user} is a bot: I can't send it direct messages. Take it out of the "
                "desk's config (agents, leads).",
                bot_user=bot_user,
            )
        case "home_off":
            return w.t(
                "I can't show {where}: the app's Home tab is off. Turn it on under App Home in "
                "the app's settings (manifest.yml has it on), then {retry}.",
                **said,
            )
        case "gone":
            return w.t(
                "A message I meant to change in {where} is gone or can no longer be changed "
                "({error}). Nothing to do unless it matters; {retry} tries again.",
                **said,
            )
        case "malformed":
            return w.t(
                "Slack refused a message for {where} as malformed ({error}). That is a bug in "
                "the desk: please report it with the log line; {retry} tries again.",
                **said,
            )
    return w.t("Slack refused a message for {where} ({error}). Once that is fixed, {retry}.", **said)


def parked_notice(
    error: str, place: str, bot: str, waiting: int, words: Words = ENGLISH
) -> tuple[str, list[dict[str, Any]]]:
    """The leads' DM when messages for `place` are parked: said once, until they go out."""
    w = words
    line = why(error, place, bot, words=w)
    wait = w.tn(
        "A message waits for {place}.",
        "{n} messages wait for {place}.",
        waiting,
        place=place_words(place, words=w),
    )
    how = w.t("{list} lists what waits; {retry} sends it.", list="`python -m bot outbox`", retry=RETRY)
    blocks = [section(f":warning: {line}"), context(f"{wait} {how}")]
    text = w.tn("I can't deliver a message: {why}", "I can't deliver {n} messages: {why}", waiting, why=line)
    return text, blocks
