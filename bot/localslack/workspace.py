"""The local Slack's state: people, channels, messages, views, and the handles Slack gives out
(trigger ids that live 3 seconds, response URLs that live 30 minutes and take 5 answers).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

TEAM_ID = "T0LOCAL01"
APP_ID = "A0DESKAPP"
BOT_USER = "U0DESKBOT"
BOT_ID = "B0DESKBOT"
TRIGGER_LIFE = 3.0
RESPONSE_URL_LIFE = 30 * 60
RESPONSE_URL_USES = 5


@dataclass
class Person:
    id: str
    name: str
    real_name: str
    is_bot: bool = False
    display_name: str = ""  # often empty in real Slack: many people never set one
    email: str = ""  # what users.lookupByEmail finds them by
    locale: str = "en-US"  # their Slack language, which `users.info` says with `include_locale`


@dataclass
class Message:
    channel: str
    ts: str
    user: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    bot_id: str | None = None
    ephemeral_to: str | None = None  # only this person sees it
    edited: bool = False
    edited_at: float | None = None  # when it was last edited (Slack keeps `edited.ts`)
    broadcast: bool = False  # a thread reply also shown in the channel (`reply_broadcast`)
    metadata: dict[str, Any] | None = None  # the app's message metadata (event_type, event_payload)
    files: list[dict[str, Any]] = field(default_factory=list)  # files shared with it: id, name, title

    def as_event_message(self, *, with_metadata: bool = False) -> dict[str, Any]:
        """The message as Slack shows it inside payloads (metadata only when asked for)."""
        found: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text, "user": self.user}
        if with_metadata and self.metadata:
            found["metadata"] = self.metadata
        if self.blocks:
            found["blocks"] = self.blocks
        if self.thread_ts:
            found["thread_ts"] = self.thread_ts
        if self.bot_id:
            found["bot_id"] = self.bot_id
        if self.broadcast:
            found["subtype"] = "thread_broadcast"
        if self.files:
            found["files"] = [dict(f) for f in self.files]
        return found


@dataclass
class Channel:
    id: str
    name: str
    members: set[str]
    is_im: bool = False
    messages: list[Message] = field(default_factory=list)


@dataclass
class UploadedFile:
    """A file the app uploads: reserved by files.getUploadURLExternal, its bytes sent to the
    upload URL, then shared by files.completeUploadExternal."""

    id: str
    name: str
    length: int
    alt_txt: str = ""
    content: bytes | None = None  # None until the upload URL got it
    title: str = ""
    complete: bool = False


@dataclass
class View:
    id: str
    user: str
    view: dict[str, Any]
    hash: str
    errors: dict[str, str] = field(default_factory=dict)  # the app's answer to the last submission

    @property
    def is_modal(self) -> bool:
        return self.view.get("type") == "modal"


@dataclass
class Handle:
    """A trigger id or a response URL: who it belongs to, where, until when."""

    user: str
    channel: str
    expires: float
    uses_left: int = 1
    message_ts: str | None = None  # the message a click came from (replace_original acts on it)


class Workspace:
    def __init__(self, people: list[Person], channels: list[Channel]) -> None:
        self.people = {p.id: p for p in people}
        self.people[BOT_USER] = Person(BOT_USER, "ithelp", "IT Help", is_bot=True)  # as manifest.yml names it
        self.channels = {c.id: c for c in channels}
        self.views: dict[str, View] = {}
        self.triggers: dict[str, Handle] = {}
        self.response_urls: dict[str, Handle] = {}
        self.files: dict[str, UploadedFile] = {}  # file id -> what was uploaded
        self.usergroups: dict[str, tuple[str, ...]] = {}  # user group id ("S…") -> its members
        self._counter = itertools.count(1)
        self._last_ts = 0.0
        self.clock: Callable[[], float] = time.time  # message times (the sandbox moves it)

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter):08d}"

    def next_ts(self) -> str:
        """Message timestamps: unique and increasing, like Slack's."""
        now = max(self.clock(), self._last_ts + 0.000001)
        self._last_ts = now
        return f"{now:.6f}"

    def im_with(self, user: str) -> Channel:
        """The direct-message channel between `user` and the bot."""
        channel_id = "D" + user[1:]
        if channel_id not in self.channels:
            self.channels[channel_id] = Channel(channel_id, user, {user, BOT_USER}, is_im=True)
        return self.channels[channel_id]

    def channel(self, channel_id: str) -> Channel | None:
        if channel_id in self.people and not self.people[channel_id].is_bot:
            return self.im_with(channel_id)  # posting to a user ID goes to the app's DM with them
        return self.channels.get(channel_id)

    def add_message(self, message: Message) -> Message:
        self.channels[message.channel].messages.append(message)
        return message

    def find_message(self, channel: str, ts: str) -> Message | None:
        found = self.channels.get(channel)
        if found is None:
            return None
        return next((m for m in found.messages if m.ts == ts), None)

    def visible_to(self, user: str, channel: str) -> list[Message]:
        """A channel's messages as `user` sees them: ephemeral ones only if they are theirs."""
        found = self.channels.get(channel)
        if found is None:
            return []
        return [m for m in found.messages if m.ephemeral_to in (None, user)]

    def modals_of(self, user: str) -> list[View]:
        """The modals open for `user`, the one on top last."""
        return [v for v in self.views.values() if v.user == user and v.is_modal]

    def close_view(self, view_id: str) -> None:
        self.views.pop(view_id, None)

    # -- kept between runs (the sandbox) -------------------------------------------------
    def conversations(self) -> dict[str, Any]:
        """Channels, members and messages as JSON-ready data."""
        return {
            "channels": [
                {
                    "id": c.id,
                    "name": c.name,
                    "members": sorted(c.members),
                    "is_im": c.is_im,
                    "messages": [asdict(m) for m in c.messages],
                }
                for c in self.channels.values()
            ],
            "last_ts": self._last_ts,
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Bring back what `conversations()` gave: messages of known and new channels."""
        for saved in data.get("channels", []):
            channel = self.channels.get(saved["id"])
            if channel is None:
                channel = Channel(saved["id"], saved["name"], set(saved["members"]), bool(saved["is_im"]))
                self.channels[channel.id] = channel
            channel.messages = [Message(**m) for m in saved["messages"]]
        self._last_ts = max(self._last_ts, float(data.get("last_ts", 0.0)))

    def issue(self, kind: str, user: str, channel: str, message_ts: str | None = None) -> str:
        """A new trigger id or response URL token (`message_ts`: the message clicked on)."""
        if kind == "trigger":
            token = f"{next(self._counter)}.{int(time.time())}.{self.next_id('tr')}"
            self.triggers[token] = Handle(user, channel, time.monotonic() + TRIGGER_LIFE)
        else:
            token = self.next_id("hook")
            self.response_urls[token] = Handle(
                user, channel, time.monotonic() + RESPONSE_URL_LIFE, RESPONSE_URL_USES, message_ts
            )
        return token

    def use(self, kind: str, token: str) -> Handle | str:
        """Spend a trigger id or response URL; Slack's error code when it cannot be used."""
        handles = self.triggers if kind == "trigger" else self.response_urls
        handle = handles.get(token)
        if handle is None:
            return "invalid_trigger_id" if kind == "trigger" else "invalid_url"
        if time.monotonic() > handle.expires or handle.uses_left <= 0:
            return "expired_trigger_id" if kind == "trigger" else "expired_url"
        handle.uses_left -= 1
        return handle
