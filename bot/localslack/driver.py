"""People using the local Slack: what they type and click becomes requests to the bot,
with the envelopes Slack sends (`event_id`, `team_id`, `api_app_id`, `trigger_id`,
`response_url`, …).
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from bot.localslack.server import Delivery, LocalSlack
from bot.localslack.workspace import APP_ID, BOT_USER, TEAM_ID, Handle, Message, View

_events = itertools.count(1)


def event_envelope(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """An Events API `event_callback` as Slack wraps it."""
    now = int(time.time())
    return {
        "token": "unused-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_events):010d}",
        "event_time": now,
        "authorizations": [
            {"team_id": TEAM_ID, "user_id": BOT_USER, "is_bot": True, "is_enterprise_install": False}
        ],
        "is_ext_shared_channel": False,
        "authed_users": [BOT_USER],
    }


class Driver:
    def __init__(self, slack: LocalSlack) -> None:
        self.slack = slack
        self.ws = slack.workspace
        self.last_event: dict[str, Any] | None = None  # the last envelope sent, for retries

    def _user(self, user: str) -> dict[str, Any]:
        person = self.ws.people[user]
        return {"id": user, "username": person.name, "name": person.name, "team_id": TEAM_ID}

    def _handles(self, user: str, channel: str, message_ts: str | None = None) -> tuple[str, str]:
        trigger = self.ws.issue("trigger", user, channel)
        hook = self.slack.url + "response/" + self.ws.issue("hook", user, channel, message_ts)
        return trigger, hook

    async def event(self, event: dict[str, Any], *, event_id: str | None = None, retry: int = 0) -> Delivery:
        self.last_event = event_envelope(event, event_id)
        return await self.slack.deliver("events_api", self.last_event, retry_num=retry)

    async def retry_last_event(self, retry: int = 1) -> Delivery:
        """Slack's retry of the last event: the same envelope and `event_id`, marked as a retry."""
        assert self.last_event is not None, "no event was sent yet"
        return await self.slack.deliver("events_api", self.last_event, retry_num=retry)

    async def open_home(self, user: str) -> Delivery:
        now = f"{time.time():.6f}"
        channel = self.ws.im_with(user).id
        return await self.event(
            {"type": "app_home_opened", "user": user, "channel": channel, "tab": "home", "event_ts": now}
        )

    async def say(
        self,
        user: str,
        channel: str,
        text: str,
        thread: str | None = None,
        *,
        files: list[str] | None = None,
        subtype: str | None = None,
    ) -> tuple[Message, Delivery | None]:
        """`user` writes in `channel`; the bot hears what Slack would send it. With `files`
        (their names) the message shares them, as a `file_share` message does; `subtype`
        sends another kind (`thread_broadcast`, `me_message`)."""
        target = self.ws.channels[channel]
        message = self.ws.add_message(Message(channel, self.ws.next_ts(), user, text, thread_ts=thread))
        for listener in self.slack.api.listeners:
            listener("posted", message)
        event: dict[str, Any] = {
            "user": user,
            "text": text,
            "ts": message.ts,
            "channel": channel,
            "event_ts": message.ts,
            "team": TEAM_ID,
        }
        if thread:
            event["thread_ts"] = thread
        if files:
            subtype = "file_share"
            event["files"] = [
                {
                    "id": self.ws.next_id("F"),
                    "name": name,
                    "title": name,
                    "permalink": f"https://local.slack.example/files/{user}/{name}",
                }
                for name in files
            ]
        if subtype:
            event["subtype"] = subtype
        # As Slack does: a `message` event for every message in a conversation the bot is in
        # (message.im / message.channels / message.groups), and an `app_mention` beside it
        # when the bot is mentioned.
        delivery = None
        if target.is_im:
            delivery = await self.event({"type": "message", "channel_type": "im", **event})
        elif BOT_USER in target.members:
            kind = "group" if target.id.startswith("G") else "channel"
            delivery = await self.event({"type": "message", "channel_type": kind, **event})
        # app_mention comes only from conversations the app is in (Slack asks the person to
        # invite it otherwise): docs.slack.com/reference/events/app_mention
        if not target.is_im and f"<@{BOT_USER}>" in text and BOT_USER in target.members:
            delivery = await self.event({"type": "app_mention", **event})
        return message, delivery

    async def edit(self, user: str, message: Message, text: str) -> Delivery | None:
        """`user` edits their `message`: Slack sends a hidden `message` event of subtype
        `message_changed` whose `message` is the new one, with no `user` at the top
        (https://docs.slack.dev/reference/events/message/message_changed/)."""
        target = self.ws.channels[message.channel]
        previous = message.as_event_message()
        message.text = text
        edited_at = self.ws.next_ts()
        message.edited_at = float(edited_at)
        if not target.is_im and BOT_USER not in target.members:
            return None
        changed = {**message.as_event_message(), "edited": {"user": user, "ts": edited_at}}
        event = {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": message.channel,
            "channel_type": "im" if target.is_im else "channel",
            "ts": edited_at,
            "event_ts": edited_at,
            "message": changed,
            "previous_message": previous,
        }
        return await self.event(event)

    async def react(self, user: str, message: Message, name: str) -> Delivery | None:
        """`user` adds the reaction `name` to `message`. Slack sends `reaction_added` only for
        conversations the app is in (docs.slack.dev/reference/events/reaction_added)."""
        target = self.ws.channels[message.channel]
        if not target.is_im and BOT_USER not in target.members:
            return None
        event = {
            "type": "reaction_added",
            "user": user,
            "reaction": name,
            "item_user": message.user,
            "item": {"type": "message", "channel": message.channel, "ts": message.ts},
            "event_ts": f"{time.time():.6f}",
        }
        return await self.event(event)

    async def command(self, user: str, command: str, text: str = "", channel: str | None = None) -> Delivery:
        """A slash command, form-encoded with its response_url and trigger_id."""
        where = channel or self.ws.im_with(user).id
        trigger, hook = self._handles(user, where)
        form = {
            "token": "unused-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "local",
            "channel_id": where,
            "channel_name": self.ws.channels[where].name,
            "user_id": user,
            "user_name": self.ws.people[user].name,
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": hook,
            "trigger_id": trigger,
        }
        delivery = await self.slack.deliver("slash_commands", form)
        self._show_ack(user, where, delivery)
        return delivery

    def _show_ack(self, user: str, channel: str, delivery: Delivery) -> None:
        """What Slack does with a slash command's acknowledgement: a text or a JSON body with
        text or blocks becomes a message only the user sees (everyone, if `in_channel`)."""
        body = delivery.body
        if delivery.status != 200 or not body:
            return
        if isinstance(body, str):
            body = {"text": body}
        if not isinstance(body, dict) or not (body.get("text") or body.get("blocks")):
            return
        # The same as an answer through the response URL: checked as Slack checks messages.
        self.slack.api.post_ephemeral_from_hook(Handle(user, channel, expires=0.0), body)

    async def click(self, user: str, message: Message, action_id: str, value: str | None = None) -> Delivery:
        """Press the button `action_id` (with `value`, when several share an id) on `message`."""
        found = find_element(message.blocks, action_id, value)
        if found is None:
            raise LookupError(f"no element {action_id!r} (value {value!r}) on that message")
        block_id, element = found
        trigger, hook = self._handles(user, message.channel, message.ts)
        action = {
            "type": element["type"],
            "action_id": action_id,
            "block_id": block_id,
            "action_ts": f"{time.time():.6f}",
        }
        if element["type"] == "button":
            action["text"] = element["text"]
            if "value" in element:
                action["value"] = element["value"]
        elif value is not None:
            grouped = [o for group in element.get("option_groups", []) for o in group.get("options", [])]
            chosen = next(
                (o for o in [*element.get("options", []), *grouped] if o.get("value") == value), None
            )
            text = chosen["text"] if chosen else {"type": "plain_text", "text": value}
            action["selected_option"] = {"text": text, "value": value}
        payload = {
            "type": "block_actions",
            "user": self._user(user),
            "api_app_id": APP_ID,
            "token": "unused-verification-token",
            "container": {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": message.channel,
                "is_ephemeral": message.ephemeral_to is not None,
            },
            "trigger_id": trigger,
            "team": {"id": TEAM_ID, "domain": "local"},
            "channel": {"id": message.channel, "name": self.ws.channels[message.channel].name},
            "message": message.as_event_message(),
            "response_url": hook,
            "actions": [action],
            "state": {"values": {}},
        }
        return await self.slack.deliver("interactive", payload)

    async def click_home(self, user: str, action_id: str, value: str | None = None) -> Delivery:
        """Press a button on `user`'s Home tab: a `block_actions` whose container is the view
        (docs.slack.dev/reference/interaction-payloads/block_actions-payload: `container` of
        type `view`, and `view` instead of `message`; no response_url)."""
        home = self.ws.views.get(f"VHOME{user}")
        found = find_element(home.view.get("blocks", []), action_id, value) if home else None
        if home is None or found is None:
            raise LookupError(f"no element {action_id!r} on {user}'s Home")
        return await self._click_in_view(user, home, found, action_id, {"id": home.id, "hash": home.hash})

    async def click_view(self, user: str, view_id: str, action_id: str, value: str | None = None) -> Delivery:
        """Press a button in an open modal: a `block_actions` whose container is the view, with
        the view as it stands and no response_url (docs.slack.dev/reference/interaction-payloads/
        block_actions-payload)."""
        view = self.ws.views.get(view_id)
        found = find_element(view.view.get("blocks", []), action_id, value) if view else None
        if view is None or found is None:
            raise LookupError(f"no element {action_id!r} in view {view_id}")
        shown = {"id": view.id, "hash": view.hash, "team_id": TEAM_ID, "app_id": APP_ID}
        return await self._click_in_view(user, view, found, action_id, shown)

    async def _click_in_view(
        self, user: str, view: View, found: tuple[str, dict[str, Any]], action_id: str, shown: dict[str, Any]
    ) -> Delivery:
        """The `block_actions` of a press on `found` (block id, element) in `view`, a Home or a
        modal: the view as it stands with `shown`'s fields added, no response_url."""
        block_id, element = found
        trigger, _ = self._handles(user, "")
        action = {
            "type": element["type"],
            "action_id": action_id,
            "block_id": block_id,
            "action_ts": f"{time.time():.6f}",
        }
        if "value" in element:
            action["value"] = element["value"]
        payload = {
            "type": "block_actions",
            "user": self._user(user),
            "api_app_id": APP_ID,
            "token": "unused-verification-token",
            "container": {"type": "view", "view_id": view.id},
            "trigger_id": trigger,
            "team": {"id": TEAM_ID, "domain": "local"},
            "view": {**view.view, **shown},
            "actions": [action],
        }
        return await self.slack.deliver("interactive", payload)

    async def press(self, user: str, message: Message, label: str) -> Delivery:
        """Press the button that reads `label` on `message`, as a person does."""
        for block in message.blocks:
            elements = [*block.get("elements", []), block.get("accessory")]
            for element in elements:
                is_button = isinstance(element, dict) and element.get("type") == "button"
                if is_button and element["text"]["text"] == label:
                    return await self.click(user, message, element["action_id"], element.get("value"))
        raise LookupError(f"no button {label!r} on that message")

    async def shortcut(self, user: str, message: Message, callback_id: str) -> Delivery:
        """The message shortcut `callback_id` used on `message`."""
        trigger, hook = self._handles(user, message.channel)
        payload = {
            "type": "message_action",
            "callback_id": callback_id,
            "trigger_id": trigger,
            "response_url": hook,
            "action_ts": f"{time.time():.6f}",
            "message_ts": message.ts,
            "user": self._user(user),
            "team": {"id": TEAM_ID, "domain": "local"},
            "channel": {"id": message.channel, "name": self.ws.channels[message.channel].name},
            "message": message.as_event_message(),
            "token": "unused-verification-token",
        }
        return await self.slack.deliver("interactive", payload)

    async def submit(self, user: str, view_id: str, values: dict[str, dict[str, Any]]) -> Delivery:
        """Submit an open modal. `values` maps block_id -> action_id -> value (text or option)."""
        view = self.ws.views[view_id]
        state: dict[str, dict[str, Any]] = {}
        kinds = {
            str(b.get("block_id")): str((b.get("element") or {}).get("type"))
            for b in view.view.get("blocks", [])
        }
        for block_id, actions in values.items():
            state[block_id] = {}
            for action_id, value in actions.items():
                picked = {"users_select": "selected_user", "datepicker": "selected_date"}.get(
                    kinds.get(block_id, "")
                )
                if picked is not None:  # a person or a date: Slack's state names what was picked
                    state[block_id][action_id] = {"type": kinds[block_id], picked: value}
                elif isinstance(value, dict):
                    state[block_id][action_id] = {"type": "static_select", "selected_option": value}
                else:
                    state[block_id][action_id] = {"type": "plain_text_input", "value": value}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "local"},
            "user": self._user(user),
            "api_app_id": APP_ID,
            "token": "unused-verification-token",
            "trigger_id": self.ws.issue("trigger", user, ""),
            "view": {
                **view.view,
                "id": view.id,
                "hash": view.hash,
                "team_id": TEAM_ID,
                "app_id": APP_ID,
                "state": {"values": state},
            },
        }
        delivery = await self.slack.deliver("interactive", payload)
        self._after_submission(view, delivery)
        return delivery

    def _after_submission(self, view: View, delivery: Delivery) -> None:
        """What Slack does with the app's answer to a submission: close the modal (an empty
        ack), show errors beside the inputs, update it, push another, or clear them all."""
        if delivery.status != 200:
            view.errors = {"": "We had some trouble connecting. Try again?"}
            return
        answer = delivery.body if isinstance(delivery.body, dict) else {}
        action = answer.get("response_action")
        if action == "errors":
            view.errors = dict(answer.get("errors") or {})
        elif action == "update":
            view.view, view.errors = dict(answer["view"]), {}
        elif action == "push":
            pushed = View(self.ws.next_id("V"), view.user, dict(answer["view"]), self.ws.next_id("h"))
            self.ws.views[pushed.id] = pushed
        elif action == "clear":
            for modal in self.ws.modals_of(view.user):
                self.ws.close_view(modal.id)
        else:
            self.ws.close_view(view.id)

    async def close(self, user: str, view_id: str) -> Delivery | None:
        """Close a modal with its ✕; the app hears of it only if it asked (`notify_on_close`)."""
        view = self.ws.views.get(view_id)
        if view is None or view.user != user:
            return None
        self.ws.close_view(view_id)
        if not view.view.get("notify_on_close"):
            return None
        payload = {
            "type": "view_closed",
            "team": {"id": TEAM_ID, "domain": "local"},
            "user": self._user(user),
            "api_app_id": APP_ID,
            "view": {**view.view, "id": view.id, "hash": view.hash, "team_id": TEAM_ID, "app_id": APP_ID},
            "is_cleared": False,
        }
        return await self.slack.deliver("interactive", payload)


def find_element(
    blocks: list[dict[str, Any]], action_id: str, value: str | None
) -> tuple[str, dict[str, Any]] | None:
    """The block id and element with `action_id` (and `value`, if given) in `blocks`."""
    for block in blocks:
        elements = list(block.get("elements", []))
        if "accessory" in block:
            elements.append(block["accessory"])
        for element in elements:
            if not isinstance(element, dict) or element.get("action_id") != action_id:
                continue
            if value is None or element.get("value") == value or element.get("type") == "static_select":
                return str(block.get("block_id", "")), element
    return None
