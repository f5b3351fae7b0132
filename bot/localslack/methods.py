"""The Web API methods the desk uses, answered as Slack answers them.

Required arguments come from Slack's published Web API spec (slack_web_openapi_v2.json);
where the spec marks none but Slack still insists (conversations.open needs `users` or
`channel`, views.update a `view_id` or `external_id`), the live behaviour is followed.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from bot.localslack.blockkit import check_message_blocks, check_view
from bot.localslack.workspace import (
    APP_ID,
    BOT_ID,
    BOT_USER,
    TEAM_ID,
    Handle,
    Message,
    UploadedFile,
    View,
    Workspace,
)

MESSAGE_TEXT_LIMIT = 40000

# method -> required arguments beyond the token (from the spec's `required: true` parameters)
REQUIRED: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "chat.postMessage": ("channel",),
    "chat.update": ("channel", "ts"),
    "chat.postEphemeral": ("channel", "user"),
    "chat.delete": ("channel", "ts"),
    "conversations.open": (),
    "conversations.history": ("channel",),
    "conversations.replies": ("channel", "ts"),
    "users.info": ("user",),
    "conversations.info": ("channel",),  # the spec marks none; Slack answers channel_not_found
    "conversations.members": ("channel",),
    "users.lookupByEmail": ("email",),
    "views.open": ("trigger_id", "view"),
    "views.push": ("trigger_id", "view"),
    "views.update": ("view",),
    "views.publish": ("user_id", "view"),
    "apps.connections.open": (),
    "files.getUploadURLExternal": ("filename", "length"),
    "files.completeUploadExternal": ("files",),
    "usergroups.users.list": ("usergroup",),
}
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# method -> the content types Slack reads its arguments from: the spec's `consumes`. A method
# that takes only a form reads the query string or a form body, and ignores a JSON body, so a
# call sent as JSON arrives with no arguments (`user_not_found`, `channel_not_found`). slack_sdk
# sends these as GET parameters (`users_info`, `conversations_history`, `conversations_replies`).
CONSUMES: dict[str, tuple[str, ...]] = {
    "auth.test": (FORM, JSON),
    "chat.postMessage": (FORM, JSON),
    "chat.update": (FORM, JSON),
    "chat.postEphemeral": (FORM, JSON),
    "chat.delete": (FORM, JSON),
    "conversations.open": (FORM, JSON),
    "conversations.history": (FORM,),
    "conversations.replies": (FORM,),
    "users.info": (FORM,),
    "conversations.info": (FORM,),
    "conversations.members": (FORM,),
    "users.lookupByEmail": (FORM,),
    "views.open": (FORM, JSON),
    "views.push": (FORM, JSON),
    "views.update": (FORM, JSON),
    "views.publish": (FORM, JSON),
    "apps.connections.open": (FORM, JSON),  # not in the spec; slack_sdk posts it with no arguments
    # Newer than the spec file: api.slack.com/methods/files.getUploadURLExternal and
    # .../files.completeUploadExternal list "Content types: application/x-www-form-urlencoded"
    # only; slack_sdk's files_upload_v2 sends both as form parameters.
    "files.getUploadURLExternal": (FORM,),
    "files.completeUploadExternal": (FORM,),
    "usergroups.users.list": (FORM,),
}
NOT_IN_SPEC = {"apps.connections.open", "files.getUploadURLExternal", "files.completeUploadExternal"}
# a missing argument answers with the error Slack gives for it
MISSING_ERRORS = {
    "channel": "channel_not_found",
    "user": "user_not_found",
    "ts": "message_not_found",
    "email": "users_not_found",
    "usergroup": "no_such_subteam",  # as for an unknown group (see m_usergroups_users_list)
}
# method -> the scopes that let a bot token call it (any one of them), from the spec's
# `security: slackAuth` (chat.* name the legacy `chat:write:bot`; a bot token's is `chat:write`).
# Without one, Slack answers `missing_scope` with `needed` and `provided` (the spec's example
# for that error). Methods not listed here are not checked.
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "users.info": ("users:read",),
    "users.lookupByEmail": ("users:read.email",),
    "conversations.info": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "conversations.members": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "usergroups.users.list": ("usergroups:read",),
}
JSON_ARGS = ("blocks", "view", "attachments", "metadata", "files")
UPLOAD_LIMIT = 1024 * 1024 * 1024  # bytes Slack takes in one file (1 GB)


def _mimetype(name: str) -> str:
    return "image/png" if name.lower().endswith(".png") else "application/octet-stream"


class ApiError(Exception):
    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []


class WebApi:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace
        self.socket_url: Callable[[], str] = lambda: ""
        self.upload_url: Callable[[str], str] = lambda file_id: ""
        self.listeners: list[Callable[[str, Message], None]] = []  # told of every new or changed message

    def call(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        handler = getattr(self, "m_" + method.replace(".", "_"), None)
        if method not in REQUIRED or handler is None:
            raise ApiError("unknown_method")
        for name in REQUIRED[method]:
            if args.get(name) in (None, ""):
                code = MISSING_ERRORS.get(name, "invalid_arguments")
                raise ApiError(code, [f"[ERROR] missing required field: {name}"])
        for name in JSON_ARGS:
            if isinstance(args.get(name), str):
                try:
                    args[name] = json.loads(args[name])
                except ValueError:
                    raise ApiError(
                        "invalid_blocks_format" if name == "blocks" else "invalid_arguments"
                    ) from None
        result: dict[str, Any] = handler(args)
        return {"ok": True, **result}

    def _notify(self, kind: str, message: Message) -> None:
        for listener in self.listeners:
            listener(kind, message)

    # -- identity ----------------------------------------------------------------------
    def m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "http://localhost/",
            "team": "Local Slack",
            "user": "desk",
            "team_id": TEAM_ID,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "is_enterprise_install": False,
        }

    def m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        person = self.ws.people.get(str(args["user"]))
        if person is None:
            raise ApiError("user_not_found")
        found: dict[str, Any] = {
            "user": {
                "id": person.id,
                "team_id": TEAM_ID,
                "name": person.name,
                "real_name": person.real_name,
                "is_bot": person.is_bot,
                "profile": {"display_name": person.display_name, "real_name": person.real_name},
            }
        }
        if str(args.get("include_locale", "")).lower() in ("true", "1"):  # the spec: only when asked
            found["user"]["locale"] = person.locale
        return found

    # -- conversations: what the desk's `check-config --online` asks -------------------
    def m_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        found = self.ws.channels.get(str(args["channel"]))
        if found is None:
            raise ApiError("channel_not_found")
        return {
            "channel": {
                "id": found.id,
                "name": found.name,
                "is_channel": not found.is_im,
                "is_im": found.is_im,
                "is_private": found.is_im,
                "is_archived": False,
                "is_member": BOT_USER in found.members,
            }
        }

    def m_conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        found = self.ws.channels.get(str(args["channel"]))
        if found is None:
            raise ApiError("channel_not_found")
        return {"members": sorted(found.members), "response_metadata": {"next_cursor": ""}}

    def m_users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:
        """As the spec's `/users.lookupByEmail` answers: the user whose profile has the address
        (compared without case), else `users_not_found`."""
        wanted = str(args["email"]).strip().casefold()
        person = next((p for p in self.ws.people.values() if p.email and p.email.casefold() == wanted), None)
        if person is None:
            raise ApiError("users_not_found")
        found = self.m_users_info({"user": person.id})
        found["user"]["profile"]["email"] = person.email
        return found

    def m_usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """A user group's members. An unknown group is `no_such_subteam`: the spec's error list
        leaves it out, but Slack answers it (slackapi/java-slack-sdk's usergroups test: "As of
        2018/05, the error message has been changed" to no_such_subteam)."""
        found = self.ws.usergroups.get(str(args["usergroup"]))
        if found is None:
            raise ApiError("no_such_subteam")
        return {"users": list(found)}

    # -- messages ----------------------------------------------------------------------
    def _message_body(self, args: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        text, blocks = args.get("text") or "", args.get("blocks") or []
        if not text and not blocks:
            raise ApiError("no_text")
        if len(text) > MESSAGE_TEXT_LIMIT:
            raise ApiError("msg_too_long")
        problems = check_message_blocks(blocks) if blocks else []
        if problems:
            raise ApiError("invalid_blocks", problems)
        return text, blocks

    def _writable_channel(self, channel_id: str) -> str:
        channel = self.ws.channel(channel_id)
        if channel is None:
            raise ApiError("channel_not_found")
        if BOT_USER not in channel.members:
            raise ApiError("not_in_channel")
        return channel.id

    def m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._writable_channel(str(args["channel"]))
        text, blocks = self._message_body(args)
        thread = args.get("thread_ts") or None
        if thread and self.ws.find_message(channel, str(thread)) is None:
            # The thread's parent is gone (deleted): Slack refuses the reply (bolt-js#2307).
            raise ApiError("thread_not_found")
        message = Message(channel, self.ws.next_ts(), BOT_USER, text, blocks, thread, BOT_ID)
        message.broadcast = bool(thread and args.get("reply_broadcast"))
        message.metadata = self._metadata(args.get("metadata"))
        self.ws.add_message(message)
        self._notify("posted", message)
        return {"channel": channel, "ts": message.ts, "message": message.as_event_message()}

    @staticmethod
    def _metadata(value: Any) -> dict[str, Any] | None:
        """Message metadata as Slack checks it: an `event_type` and an `event_payload` object."""
        if value is None:
            return None
        if (
            not isinstance(value, dict)
            or not isinstance(value.get("event_type"), str)
            or not isinstance(value.get("event_payload"), dict)
        ):
            raise ApiError("invalid_metadata_format")
        return {"event_type": value["event_type"], "event_payload": dict(value["event_payload"])}

    # -- files (https://api.slack.com/messaging/files#upload: the two-step upload) ---------
    def m_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            length = int(args["length"])
        except (TypeError, ValueError):
            raise ApiError("invalid_arguments", ["[ERROR] length must be an integer"]) from None
        if length <= 0 or length > UPLOAD_LIMIT:
            raise ApiError("invalid_arguments", ["[ERROR] length out of range"])
        found = UploadedFile(
            self.ws.next_id("F"), str(args["filename"]), length, str(args.get("alt_txt") or "")
        )
        self.ws.files[found.id] = found
        return {"upload_url": self.upload_url(found.id), "file_id": found.id}

    def receive_upload(self, file_id: str, content: bytes) -> str | None:
        """The bytes POSTed to an upload URL; the problem, or None when they are taken."""
        found = self.ws.files.get(file_id)
        if found is None or found.complete:
            return "no such upload"
        found.content = content
        return None

    def m_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        listed = args["files"]
        if not isinstance(listed, list) or not listed or not all(isinstance(f, dict) for f in listed):
            raise ApiError("invalid_arguments", ["[ERROR] files must be a JSON array of {id, title}"])
        shared: list[UploadedFile] = []
        for entry in listed:
            found = self.ws.files.get(str(entry.get("id", "")))
            if found is None or found.complete:
                raise ApiError("file_not_found")
            if found.content is None or len(found.content) != found.length:
                raise ApiError("file_upload_size_mismatch" if found.content else "file_not_found")
            found.title = str(entry.get("title") or found.name)
            shared.append(found)
        channel = args.get("channel_id") or args.get("channels")
        for found in shared:
            found.complete = True
        if channel:
            target = self._writable_channel(str(channel).split(",")[0])
            thread = args.get("thread_ts") or None
            text = str(args.get("initial_comment") or "")
            message = Message(target, self.ws.next_ts(), BOT_USER, text, [], thread, BOT_ID)
            message.files = [
                {
                    "id": f.id,
                    "name": f.name,
                    "title": f.title,
                    "mimetype": _mimetype(f.name),
                    "alt_txt": f.alt_txt,
                }
                for f in shared
            ]
            self.ws.add_message(message)
            self._notify("posted", message)
        return {"files": [{"id": f.id, "title": f.title} for f in shared]}

    def m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.ws.channel(str(args["channel"]))
        if channel is None:
            raise ApiError("channel_not_found")
        message = self.ws.find_message(channel.id, str(args["ts"]))
        if message is None or message.ephemeral_to:
            raise ApiError("message_not_found")
        if message.user != BOT_USER:
            raise ApiError("cant_update_message")
        text, blocks = self._message_body(args)
        message.text, message.blocks, message.edited = text, blocks, True
        message.edited_at = self.ws.clock()
        self._notify("updated", message)
        return {"channel": channel.id, "ts": message.ts, "text": text}

    def m_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.ws.channel(str(args["channel"]))
        message = self.ws.find_message(channel.id, str(args["ts"])) if channel else None
        if channel is None or message is None:
            raise ApiError("message_not_found")
        if message.user != BOT_USER:
            raise ApiError("cant_delete_message")
        channel.messages.remove(message)
        self._notify("deleted", message)
        return {"channel": channel.id, "ts": message.ts}

    def m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.ws.channel(str(args["channel"]))
        if channel is None:
            raise ApiError("channel_not_found")
        user = str(args["user"])
        if user not in self.ws.people:
            raise ApiError("user_not_found")
        if user not in channel.members:
            raise ApiError("user_not_in_channel")
        if BOT_USER not in channel.members:  # the app must be in the conversation too
            raise ApiError("not_in_channel")
        text, blocks = self._message_body(args)
        message = Message(
            channel.id, self.ws.next_ts(), BOT_USER, text, blocks, args.get("thread_ts"), BOT_ID, user
        )
        self.ws.add_message(message)
        self._notify("posted", message)
        return {"message_ts": message.ts}

    def post_ephemeral_from_hook(self, handle: Handle, body: dict[str, Any]) -> None:
        """What a response_url answer does: an ephemeral (or in-channel) message, or, with
        `replace_original` / `delete_original`, a change to the message clicked on (Slack's
        "Handling user interaction" guide)."""
        original = self.ws.find_message(handle.channel, handle.message_ts) if handle.message_ts else None
        if _flag(body.get("delete_original")):
            if original is None:
                raise ApiError("message_not_found")
            self.ws.channels[original.channel].messages.remove(original)
            self._notify("deleted", original)
            return
        text, blocks = self._message_body(dict(body))
        if _flag(body.get("replace_original")):
            if original is None:
                raise ApiError("message_not_found")
            original.text, original.blocks, original.edited = text, blocks, True
            original.edited_at = self.ws.clock()
            self._notify("updated", original)
            return
        to = None if body.get("response_type") == "in_channel" else handle.user
        message = Message(handle.channel, self.ws.next_ts(), BOT_USER, text, blocks, None, BOT_ID, to)
        if handle.channel not in self.ws.channels:
            self.ws.im_with(handle.user)
            message.channel = "D" + handle.user[1:]
        self.ws.add_message(message)
        self._notify("posted", message)

    # -- conversations -----------------------------------------------------------------
    def m_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = str(args.get("users") or "")
        if not users and not args.get("channel"):
            raise ApiError("users_list_not_supplied")
        if args.get("channel"):
            channel = self.ws.channels.get(str(args["channel"]))
            if channel is None:
                raise ApiError("channel_not_found")
            return {"channel": {"id": channel.id}}
        ids = [u.strip() for u in users.split(",") if u.strip()]
        if len(ids) != 1:
            raise ApiError("not_enough_users" if not ids else "method_not_supported_for_channel_type")
        if ids[0] not in self.ws.people or self.ws.people[ids[0]].is_bot:
            raise ApiError("user_not_found")
        return {"channel": {"id": self.ws.im_with(ids[0]).id}}

    def _history(self, channel_id: str, thread: str | None, metadata: bool = False) -> list[dict[str, Any]]:
        """A conversation's messages as the bot may read them: it must be in the channel."""
        channel = self.ws.channels.get(channel_id)
        if channel is None:
            raise ApiError("channel_not_found")
        if BOT_USER not in channel.members:
            raise ApiError("not_in_channel")
        shown = [m for m in channel.messages if m.ephemeral_to is None]
        replies: dict[str, int] = {}
        for m in shown:
            if m.thread_ts and m.thread_ts != m.ts:
                replies[m.thread_ts] = replies.get(m.thread_ts, 0) + 1

        def seen(m: Message) -> dict[str, Any]:
            found = m.as_event_message(with_metadata=metadata)
            if m.ts in replies:  # a thread's parent carries its thread_ts and reply_count
                found.update(thread_ts=m.ts, reply_count=replies[m.ts])
            return found

        if thread is None:
            return [seen(m) for m in reversed(shown) if m.thread_ts in (None, m.ts) or m.broadcast]
        if self.ws.find_message(channel_id, thread) is None:
            raise ApiError("thread_not_found")
        return [seen(m) for m in shown if thread in (m.ts, m.thread_ts)]

    def m_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Newest first; `oldest` and `latest` (exclusive unless `inclusive`), `limit` and
        `cursor` as Slack reads them (api.slack.com/methods/conversations.history: one message
        is read with `latest` its ts, `inclusive` and `limit=1`)."""
        messages = self._history(str(args["channel"]), None, _flag(args.get("include_all_metadata")))
        inclusive = _flag(args.get("inclusive"))
        oldest = float(args.get("oldest") or 0)
        latest = float(args["latest"]) if args.get("latest") else float("inf")

        def inside(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        return _page([m for m in messages if inside(float(m["ts"]))], args)

    def m_conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """The thread's parent, then its replies oldest first, in pages; `ts` may name the
        parent or any reply in the thread (api.slack.com/methods/conversations.replies: "Unique
        identifier of either a thread's parent message or a message in the thread"), and
        `oldest`, `latest` and `inclusive` narrow it as in conversations.history."""
        channel = str(args["channel"])
        metadata = _flag(args.get("include_all_metadata"))
        messages = self._history(channel, self._thread_of(channel, str(args["ts"])), metadata)
        inclusive = _flag(args.get("inclusive"))
        oldest = float(args.get("oldest") or 0)
        latest = float(args["latest"]) if args.get("latest") else float("inf")

        def inside(ts: float) -> bool:
            return oldest <= ts <= latest if inclusive else oldest < ts < latest

        return _page([m for m in messages if inside(float(m["ts"]))], args)

    def _thread_of(self, channel_id: str, ts: str) -> str:
        """The parent of the thread `ts` is in: itself for a parent or an unthreaded message."""
        found = self.ws.find_message(channel_id, ts) if channel_id in self.ws.channels else None
        return found.thread_ts if found is not None and found.thread_ts else ts

    # -- views -------------------------------------------------------------------------
    def _checked_view(self, view: Any) -> dict[str, Any]:
        problems = check_view(view)
        if problems:
            raise ApiError("invalid_arguments", problems)
        return dict(view)

    def _view_answer(self, view: View) -> dict[str, Any]:
        return {"view": {**view.view, "id": view.id, "hash": view.hash, "team_id": TEAM_ID, "app_id": APP_ID}}

    def m_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        handle = self.ws.use("trigger", str(args["trigger_id"]))
        if isinstance(handle, str):
            raise ApiError(handle)
        view = View(self.ws.next_id("V"), handle.user, self._checked_view(args["view"]), self.ws.next_id("h"))
        self.ws.views[view.id] = view
        return self._view_answer(view)

    m_views_push = m_views_open

    def m_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        found = self.ws.views.get(str(view_id)) if view_id else None
        if found is None:
            raise ApiError("not_found")
        if args.get("hash") and args["hash"] != found.hash:
            raise ApiError("hash_conflict")
        found.view, found.hash = self._checked_view(args["view"]), self.ws.next_id("h")
        return self._view_answer(found)

    def m_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args["user_id"])
        if user not in self.ws.people:
            raise ApiError("user_not_found")
        view = self._checked_view(args["view"])
        if view.get("type") != "home":
            raise ApiError("invalid_arguments", ["[ERROR] views.publish takes a home view"])
        home = View(f"VHOME{user}", user, view, self.ws.next_id("h"))
        self.ws.views[home.id] = home
        return self._view_answer(home)

    # -- socket mode -------------------------------------------------------------------
    def m_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.socket_url()}


def _page(messages: list[dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
    """One page of `messages` as Slack pages them: `limit` (default 100, at most 999) from the
    position an opaque `cursor` names; `has_more` and `response_metadata.next_cursor` when more
    remain."""
    try:
        limit = max(1, min(999, int(args.get("limit") or 100)))
        start = (
            int(base64.b64decode(str(args["cursor"])).decode().removeprefix("next:"))
            if args.get("cursor")
            else 0
        )
    except (ValueError, UnicodeDecodeError, binascii.Error) as bad:
        raise ApiError("invalid_cursor") from bad
    page = messages[start : start + limit]
    more = start + limit < len(messages)
    found: dict[str, Any] = {"messages": page, "has_more": more}
    if more:
        found["response_metadata"] = {
            "next_cursor": base64.b64encode(f"next:{start + limit}".encode()).decode()
        }
    return found


def _flag(value: Any) -> bool:
    """A boolean argument as Slack reads it: true, "true" or "1"."""
    return value is True or str(value).lower() in ("true", "1")
