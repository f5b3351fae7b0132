"""Slack's payloads turned into typed objects, once, at the edge.

Pure functions of the request body. Anything the desk should not act on (bots, edits,
deletions, joins, malformed payloads) becomes None, so handlers have nothing to filter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.slack.mrkdwn import tokens_as_words, unescape

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Heard:
    """A person's new message the desk should listen to."""

    user: str
    channel: str
    ts: str
    thread: str | None  # the thread it was written in; None at the top of a conversation
    text: str
    in_dm: bool
    mentions_bot: bool

    @property
    def key(self) -> str:
        """The message's name for idempotency: Slack may deliver it more than once."""
        return f"msg:{self.channel}:{self.ts}"


@dataclass(frozen=True)
class Click:
    user: str
    channel: str
    message_ts: str
    thread: str | None  # the thread the clicked message sits in
    action_id: str
    block_id: str
    value: str
    response_url: str | None


@dataclass(frozen=True)
class Shortcut:
    user: str
    channel: str
    text: str
    author: str | None  # who wrote the message (None for a bot's)
    response_url: str | None
    ts: str | None = None  # the message's ts, in `channel`


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def message_words(message: dict[str, Any]) -> str:
    """A message's text as its author wrote it: Slack's tokens as the words they show (people's
    mentions stay tokens, for `bot.flows.names`), unescaped."""
    return unescape(tokens_as_words(_text(message.get("text"))))


def author_of(message: dict[str, Any]) -> str | None:
    """Who wrote a message a request is made of; None for a bot's (the asker owns it then)."""
    return None if message.get("bot_id") else _id(message.get("user"))


def command_text(command: dict[str, Any]) -> str:
    """What someone typed after a slash command, as they typed it."""
    return unescape(_text(command.get("text")))


# Message subtypes that carry a person's own words: a message with a file (`file_share`), a
# thread reply also shown in the channel (`thread_broadcast`) and `/me` (`me_message`). Every
# other subtype (edits, deletions, joins, bots' messages) is not someone asking for help.
PERSON_SUBTYPES = frozenset({"file_share", "thread_broadcast", "me_message"})
FILES_SHOWN = 10  # files noted on a request at most


def heard(event: dict[str, Any], bot_user: str | None) -> Heard | None:
    """A `message` or `app_mention` event worth acting on, or None."""
    subtype = event.get("subtype")
    if subtype and not (isinstance(subtype, str) and subtype in PERSON_SUBTYPES):
        return None  # edits, deletions, joins, ...
    if event.get("bot_id") or event.get("bot_profile"):
        return None  # every bot, ourselves included
    user, channel, ts = event.get("user"), event.get("channel"), event.get("ts")
    if not (isinstance(user, str) and isinstance(channel, str) and isinstance(ts, str)):
        return None
    if user == bot_user:
        return None
    text = "\n".join(part for part in (message_words(event), attached(event)) if part)
    thread = event.get("thread_ts")
    thread = thread if isinstance(thread, str) and thread != ts else None
    in_dm = event.get("channel_type") == "im" or channel.startswith("D")
    mentioned = bot_user is not None and any(m == bot_user for m in MENTION.findall(text))
    return Heard(user, channel, ts, thread, text, in_dm, mentioned or event.get("type") == "app_mention")


def attached(event: dict[str, Any]) -> str:
    """The files a message carries, a line each (name and link), as words of the request."""
    files = (
        [f for f in event.get("files") or [] if isinstance(f, dict)]
        if isinstance(event.get("files"), list)
        else []
    )
    lines = []
    for found in files[:FILES_SHOWN]:
        name = _text(found.get("name")) or _text(found.get("title")) or "a file"
        link = _text(found.get("permalink")) or _text(found.get("url_private"))
        lines.append(f"Attached: {name} ({link})" if link else f"Attached: {name}")
    if len(files) > FILES_SHOWN:
        lines.append(f"and {len(files) - FILES_SHOWN} more files")
    return "\n".join(lines)


def without_mentions_of(text: str, bot_user: str | None) -> str:
    """The words of a mention with the bot's own mention taken out."""
    if bot_user is None:
        return text.strip()
    return re.sub(rf"<@{re.escape(bot_user)}(?:\|[^>]*)?>", " ", text).strip()


def _obj(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one: malformed payloads parse to nothing."""
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> str | None:
    """A non-empty string id, or None."""
    return value if isinstance(value, str) and value else None


def click(body: dict[str, Any]) -> Click | None:
    """The first action of a `block_actions` payload on a message."""
    actions = body.get("actions")
    user = _id(_obj(body.get("user")).get("id"))
    container = _obj(body.get("container"))
    message = _obj(body.get("message"))
    channel = _id(container.get("channel_id")) or _id(_obj(body.get("channel")).get("id"))
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        return None
    if user is None or channel is None:
        return None
    action = actions[0]
    value = action.get("value")
    if value is None:
        value = _obj(action.get("selected_option")).get("value")
    ts = _text(container.get("message_ts")) or _text(message.get("ts"))
    thread = _text(message.get("thread_ts"))
    return Click(
        user=user,
        channel=channel,
        message_ts=ts,
        thread=thread if thread and thread != ts else None,
        action_id=_text(action.get("action_id")),
        block_id=_text(action.get("block_id")),
        value=_text(value),
        response_url=_id(body.get("response_url")),
    )


def shortcut(body: dict[str, Any]) -> Shortcut | None:
    user = _id(_obj(body.get("user")).get("id"))
    channel = _id(_obj(body.get("channel")).get("id"))
    message = _obj(body.get("message"))
    if user is None or channel is None:
        return None
    return Shortcut(
        user=user,
        channel=channel,
        text=message_words(message),
        author=author_of(message),
        response_url=_id(body.get("response_url")),
        ts=_id(message.get("ts")),
    )


def form_values(view: dict[str, Any]) -> dict[str, str]:
    """A submitted modal's inputs, block id -> value (text typed or option chosen)."""
    found: dict[str, str] = {}
    values = _obj(_obj(view.get("state")).get("values"))
    for block_id, actions in values.items():
        if not isinstance(actions, dict):
            continue
        for entry in actions.values():
            if not isinstance(entry, dict):
                continue
            option = entry.get("selected_option")
            value = option.get("value") if isinstance(option, dict) else entry.get("value")
            found[block_id] = _text(value)
    return found


@dataclass(frozen=True)
class Submitted:
    """A submitted modal: who submitted it, which form (its callback id and view id), what it
    carries (`private_metadata`) and its inputs (`form_values`)."""

    user: str
    callback_id: str
    view_id: str
    metadata: str
    values: dict[str, str]


def submitted(body: dict[str, Any], view: dict[str, Any]) -> Submitted:
    return Submitted(
        user=_text(_obj(body.get("user")).get("id")),
        callback_id=_text(view.get("callback_id")),
        view_id=str(view.get("id")),
        metadata=_text(view.get("private_metadata")),
        values=form_values(view),
    )


def trigger_of(body: dict[str, Any]) -> str:
    """The trigger a click or command carries, to open a modal with (it lasts 3 seconds)."""
    return _text(body.get("trigger_id"))


def what(body: dict[str, Any]) -> str:
    """A request in a word or two: the event type, the command, the button or the form."""
    if body.get("command"):
        return str(body["command"])
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event")
        return f"event:{event.get('type') if isinstance(event, dict) else '?'}"
    actions = body.get("actions")
    if kind == "block_actions" and isinstance(actions, list) and actions and isinstance(actions[0], dict):
        return f"click:{actions[0].get('action_id')}"
    view = body.get("view")
    if isinstance(view, dict) and kind in ("view_submission", "view_closed"):
        return f"{kind}:{view.get('callback_id')}"
    return str(kind or "request")
