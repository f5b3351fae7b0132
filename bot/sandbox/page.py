"""The sandbox's web page and the small JSON API behind it, served beside the local Slack.

The page only shows the local Slack's state and turns what the visitor does into what a
Slack client would do: every message, command, click and form goes to the bot through the
local Slack's `Driver`, as a signed request with Slack's own envelope. Nothing here talks
to the desk directly, except the sandbox's own switches (the clock and the faults).
Updates reach the page as server-sent events; the page then asks for the state again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import re
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from importlib import resources
from typing import Any, Protocol

from aiohttp import web

from bot.domain.durations import parse_duration
from bot.domain.roles import Staff
from bot.localslack import LocalSlack
from bot.localslack.driver import Driver
from bot.localslack.server import Delivery
from bot.localslack.workspace import BOT_USER, Message, View
from bot.outbox_command import Waiting
from bot.sandbox.demo import ROLES
from bot.sandbox.tips import tip
from bot.slack.command_args import AGENT, ALIASES, LEAD, NAMESPACE, VERBS
from bot.slack.when import local_moment

COMMANDS = {  # the commands manifest.yml registers (a test holds the two together)
    "/ticket": "Raise a request, or check one (status T-4, list, help)",
    NAMESPACE: "Agents and leads: claim, reply, resolve, away, quality... (help lists yours)",
    **{f"/{verb}": f"{VERBS[verb].does.capitalize()} (the same as {NAMESPACE} {verb})" for verb in ALIASES},
}
ESCAPED = {NAMESPACE, "/reassign"}  # commands whose manifest entry has `should_escape: true`
HINTS = {  # what the page's command box offers each role (anyone may type any command)
    "employee": {"/ticket": COMMANDS["/ticket"]},
    "agent": {
        "/ticket": COMMANDS["/ticket"],
        **{f"{NAMESPACE} {v.name}": v.does.capitalize() for v in VERBS.values() if v.role != LEAD},
    },
    "lead": {
        "/ticket": COMMANDS["/ticket"],
        **{f"{NAMESPACE} {v.name}": v.does.capitalize() for v in VERBS.values() if v.role != AGENT},
    },
}
MAX_TEXT = 4000  # what Slack's message box takes
TRAFFIC = 30  # Web API calls shown on the page
MAX_JUMP_DAYS = 7  # a jump stops at every moment something falls due: a week takes seconds
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
CROSS_SITE = {"cross-site", "same-site"}  # Sec-Fetch-Site values of another site's requests
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _not_a_command(command: str) -> str:
    """What the page says to a command the app does not register, as Slack would refuse it;
    a desk verb (`/away`) is shown its namespaced form."""
    verb = command.lstrip("/").lower()
    if verb in VERBS:
        whose = "Slack's own command" if verb == "away" else "not one of this app's commands"
        return f"{command} is {whose}: type {NAMESPACE} {verb} instead."
    return f"{command} is not a valid command. Try {', '.join(COMMANDS)}."


def _refused(why: str) -> web.Response:
    return web.json_response({"problem": why}, status=403)


class Controls(Protocol):
    """What the page may do besides acting as a person: the sandbox's switches."""

    @property
    def desk_name(self) -> str: ...

    @property
    def staff(self) -> Staff: ...

    def now(self) -> datetime: ...

    def offset_seconds(self) -> float: ...

    async def fast_forward(self, seconds: float) -> None: ...

    def forget_person(self, user: str) -> None: ...

    async def owed(self) -> list[Waiting]: ...

    def slack_back(self) -> None: ...


LOCALES = {"en": "en-US", "zh-CN": "zh-CN"}  # the page's language switch: the Slack locale it sets


class Page:
    def __init__(self, slack: LocalSlack, controls: Controls) -> None:
        self.slack = slack
        self.ws = slack.workspace
        self.people = Driver(slack)
        self.controls = controls
        self.token = secrets.token_urlsafe(24)  # the page's calls carry it (see `guard`)
        self._watchers: set[asyncio.Queue[str]] = set()
        slack.api.listeners.append(lambda kind, _message: self.changed(kind))
        slack.watchers.append(self.changed)

    def install(self, app: web.Application) -> None:
        app.middlewares.append(self.guard)
        app.router.add_get("/", self.index)
        app.router.add_get("/static/{name}", self.static)
        app.router.add_get("/sandbox/state", self.state)
        app.router.add_get("/sandbox/events", self.events)
        app.router.add_get("/sandbox/files/{file_id}", self.file)
        for name, handler in {
            "say": self.say,
            "click": self.click,
            "submit": self.submit,
            "close": self.close,
            "shortcut": self.shortcut,
            "react": self.react,
            "home": self.home,
            "clock": self.clock,
            "faults": self.faults,
            "language": self.language,
        }.items():
            app.router.add_post(f"/sandbox/{name}", _json_errors(handler))

    # -- only its own page --------------------------------------------------------------
    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """The sandbox answers its own page only. Any other web page the visitor opens could
        otherwise reach it on 127.0.0.1 and act as anyone in it:
        - `Host` must be this machine (a DNS-rebound name is refused);
        - a request a browser sends from another site (`Origin`, `Sec-Fetch-Site`) is refused;
        - the page's calls carry the token it was served with, new at every start, which
          another site cannot read (the local Slack's Web API has its own random token)."""
        if request.host.rsplit(":", 1)[0].strip("[]") not in LOCAL_HOSTS:
            return _refused("This sandbox answers only at 127.0.0.1 or localhost.")
        origin, site = request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site")
        if (origin is not None and origin != f"{request.scheme}://{request.host}") or site in CROSS_SITE:
            return _refused("This sandbox answers only its own page.")
        if request.path.startswith("/sandbox/"):
            sent = request.headers.get("X-Sandbox-Token") or request.query.get("token", "")
            if not secrets.compare_digest(sent, self.token):
                return _refused("Reload the sandbox page: it was restarted, or this call is not from it.")
        return await handler(request)

    # -- live updates ------------------------------------------------------------------
    def hang_up(self) -> None:
        """End every open event stream, so the server stops at once rather than waiting for
        the browser tabs to hang up."""
        for queue in list(self._watchers):
            queue.put_nowait(CLOSE)

    def changed(self, kind: str = "") -> None:
        for queue in list(self._watchers):
            if queue.qsize() < 100:
                queue.put_nowait(kind)

    async def events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._watchers.add(queue)
        try:
            await response.write(b"data: hello\n\n")
            async for kind in _drain(queue):
                await response.write(f"data: {kind}\n\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._watchers.discard(queue)
        return response

    # -- the page ----------------------------------------------------------------------
    async def index(self, _: web.Request) -> web.Response:
        page = _asset("index.html").replace("{{SANDBOX_TOKEN}}", self.token)
        return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-store"})

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        types = {"js": "application/javascript", "css": "text/css", "png": "image/png"}
        kind = types.get(name.rsplit(".", 1)[-1])
        if kind is None or not re.fullmatch(r"[a-z]+\.[a-z]+", name):
            raise web.HTTPNotFound()
        try:
            return web.Response(text=_asset(name), content_type=kind)
        except FileNotFoundError:
            raise web.HTTPNotFound() from None

    async def state(self, request: web.Request) -> web.Response:
        user = self._person(request.query.get("user", ""))
        dm = self.ws.im_with(user)
        channel = request.query.get("channel") or dm.id
        if channel not in self._conversation_ids(user):
            channel = dm.id
        thread = request.query.get("thread") or None
        replies = self._reply_counts(channel, user)
        modals = self.ws.modals_of(user)
        home = self.ws.views.get(f"VHOME{user}")
        now = self.controls.now()
        body = {
            "me": user,
            "desk": self.controls.desk_name,
            "people": [
                {
                    "id": p.id,
                    "name": p.name,
                    "real_name": p.real_name,
                    "role": ROLES.get(p.id, "bot"),
                    "language": "zh-CN" if p.locale.lower().startswith("zh") else "en",
                }
                for p in self.ws.people.values()
            ],
            "conversations": self._conversations(user),
            "channel": channel,
            "messages": [self._message(m, replies) for m in self._top_level(channel, user)],
            "thread": self._thread(channel, thread, user),
            "modal": (
                {
                    "id": modals[-1].id,
                    "hash": modals[-1].hash,
                    "view": modals[-1].view,
                    "errors": modals[-1].errors,
                }
                if modals
                else None
            ),
            "home": home.view if home else None,
            "commands": HINTS.get(ROLES.get(user, ""), HINTS["employee"]),
            "tip": self._tip(user),
            "clock": {
                "now": now.isoformat(),
                "shown": local_moment(now.astimezone()),  # the machine's zone, as the page's
                "ahead": self.controls.offset_seconds(),
            },
            "faults": switches(self.slack.faults),
            "owed": [self._owed(item) for item in await self.controls.owed()],
            "traffic": [
                {
                    "method": c.method,
                    "status": c.status,
                    "error": c.error,
                    "at": c.at,
                    "channel": self._channel_name(c.args.get("channel")),
                }
                for c in self.slack.calls[-TRAFFIC:]
            ][::-1],
        }
        return web.json_response(body)

    def _channel_name(self, channel: Any) -> str:
        """Where a Web API call went, as people name it: `#it-triage`, `DM with Alice Adams`."""
        found = self.ws.channels.get(channel) if isinstance(channel, str) else None
        if found is None:
            return ""
        if found.is_im:
            others = [
                self.ws.people[m].real_name for m in found.members if m in self.ws.people and m != BOT_USER
            ]
            return f"DM with {', '.join(others)}" if others else "a DM"
        return f"#{found.name}"

    def _owed(self, item: Waiting) -> dict[str, Any]:
        """One message the desk still owes Slack (what `python -m bot outbox` lists), in words."""
        kind, _, person = item.place.partition(":")
        someone = self.ws.people.get(person)
        if kind == "dm" and someone is not None:
            where = f"DM with {someone.real_name}"
        elif kind == "home" and someone is not None:
            where = f"{someone.real_name}'s Home"
        else:
            where = self._channel_name(item.place) or item.place
        if item.parked is not None:
            state = "parked: Slack refuses it (python -m bot outbox retry sends it again)"
        elif item.attempts:
            tries = "1 try" if item.attempts == 1 else f"{item.attempts} tries"
            state = f"{tries} failed: sent once Slack answers"
        else:
            state = "going out now"
        return {
            "key": item.key,
            "what": item.what,
            "where": where,
            "since": item.since or time.time() + self.controls.offset_seconds(),  # on the desk's clock
            "state": state,
            "parked": item.parked is not None,
        }

    def _tip(self, user: str) -> str:
        """The line under the box: for this person, in their own teams' channels."""
        names = {c.id: c.name for c in self.ws.channels.values() if not c.is_im}
        return tip(user, ROLES.get(user, "employee"), self.controls.staff, names, self.controls.desk_name)

    async def file(self, request: web.Request) -> web.Response:
        """A file the bot shared (the weekly report's chart), for the page to draw."""
        found = self.ws.files.get(request.match_info["file_id"])
        if found is None or not found.complete or found.content is None:
            raise web.HTTPNotFound(text="no such file")
        kind = "image/png" if found.name.lower().endswith(".png") else "application/octet-stream"
        return web.Response(body=found.content, content_type=kind)

    @staticmethod
    def _modal(view: View) -> dict[str, Any]:
        return {"id": view.id, "hash": view.hash, "view": view.view, "errors": view.errors}

    def _person(self, user: str) -> str:
        person = self.ws.people.get(user)
        if person is None or person.is_bot:
            raise web.HTTPBadRequest(text="pick someone from the list")
        return user

    def _conversation_ids(self, user: str) -> set[str]:
        return {c["id"] for c in self._conversations(user)}

    def _conversations(self, user: str) -> list[dict[str, Any]]:
        found = [{"id": self.ws.im_with(user).id, "name": self.controls.desk_name, "kind": "dm"}]
        for channel in self.ws.channels.values():
            if not channel.is_im and user in channel.members:
                found.append({"id": channel.id, "name": channel.name, "kind": "channel"})
        return found

    def _top_level(self, channel: str, user: str) -> list[Message]:
        return [
            m
            for m in self.ws.visible_to(user, channel)
            if m.thread_ts in (None, m.ts) or m.broadcast or m.ephemeral_to is not None
        ]

    def _thread(self, channel: str, thread: str | None, user: str) -> dict[str, Any] | None:
        if thread is None:
            return None
        parent = self.ws.find_message(channel, thread)
        if parent is None:
            return None
        replies = [m for m in self.ws.visible_to(user, channel) if m.thread_ts == thread and m.ts != thread]
        counts = self._reply_counts(channel, user)
        return {
            "parent": self._message(parent, counts),
            "replies": [self._message(m, counts) for m in replies],
        }

    def _reply_counts(self, channel: str, user: str) -> Counter[str]:
        """How many replies each thread of `channel` has, as `user` sees them (counted once,
        not once per message shown)."""
        return Counter(
            m.thread_ts for m in self.ws.visible_to(user, channel) if m.thread_ts not in (None, m.ts)
        )

    def _message(self, message: Message, replies: Counter[str]) -> dict[str, Any]:
        person = self.ws.people.get(message.user)
        return {
            "ts": message.ts,
            "channel": message.channel,
            "user": message.user,
            "name": person.real_name if person else message.user,
            "is_bot": message.user == BOT_USER,
            "text": message.text,
            "blocks": message.blocks,
            "thread_ts": message.thread_ts,
            "replies": replies[message.ts] if message.thread_ts in (None, message.ts) else 0,
            "broadcast": message.broadcast,
            "ephemeral": message.ephemeral_to is not None,
            "edited": message.edited,
            "edited_at": message.edited_at,
            "files": [
                {**f, "url": f"/sandbox/files/{f['id']}?token={self.token}"}
                for f in message.files
                if f.get("id") in self.ws.files
            ],
        }

    # -- what a person does --------------------------------------------------------------
    async def say(self, body: dict[str, Any]) -> dict[str, Any]:
        user = self._person(str(body.get("user", "")))
        channel = str(body.get("channel", ""))
        if channel not in self._conversation_ids(user):
            return {"problem": "You are not in that conversation."}
        text = str(body.get("text", "")).strip()
        if not text:
            return {"problem": "Write something first."}
        if len(text) > MAX_TEXT:
            return {"problem": f"Messages can be up to {MAX_TEXT} characters; this one has {len(text)}."}
        thread = body.get("thread") or None
        if text.startswith("/"):
            command, _, rest = text.partition(" ")
            if command not in COMMANDS:
                return {"problem": _not_a_command(command)}
            if thread:
                return {"problem": "Slash commands can't be used in threads. Use the main message box."}
            words = self._as_slack_text(rest.strip(), escaped_mentions=command in ESCAPED)
            return _outcome(await self.people.command(user, command, words, channel))
        _, delivery = await self.people.say(user, channel, self._as_slack_text(text), thread)
        return _outcome(delivery)

    def _as_slack_text(self, text: str, *, escaped_mentions: bool | None = None) -> str:
        """What Slack sends an app for typed text: &, < and > escaped, and @names as mentions
        (`<@U…>` in messages; `<@U…|name>` for a command with `should_escape`, else left)."""
        escaped = html.escape(text, quote=False)
        names = {p.name: p.id for p in self.ws.people.values()}

        def mention(found: re.Match[str]) -> str:
            user = names.get(found.group(1).lower())
            if user is None or escaped_mentions is False:
                return found.group(0)
            return f"<@{user}|{found.group(1).lower()}>" if escaped_mentions else f"<@{user}>"

        return re.sub(r"@([A-Za-z]+)", mention, escaped)

    async def click(self, body: dict[str, Any]) -> dict[str, Any]:
        user = self._person(str(body.get("user", "")))
        if body.get("channel") == "home":  # a button on the person's Home tab
            try:
                return _outcome(await self.people.click_home(user, str(body.get("action_id", ""))))
            except LookupError:
                return {"problem": "That button is no longer there."}
        message = self.ws.find_message(str(body.get("channel", "")), str(body.get("ts", "")))
        if message is None or message.ephemeral_to not in (None, user):
            return {"problem": "That message is gone."}
        value = body.get("value")
        try:
            delivery = await self.people.click(
                user, message, str(body.get("action_id", "")), None if value is None else str(value)
            )
        except LookupError:
            return {"problem": "That button is no longer there."}
        return _outcome(delivery)

    async def submit(self, body: dict[str, Any]) -> dict[str, Any]:
        user = self._person(str(body.get("user", "")))
        view = self.ws.views.get(str(body.get("view_id", "")))
        if view is None or view.user != user:
            return {"problem": "That form is closed."}
        values: dict[str, dict[str, Any]] = {}
        for block_id, actions in dict(body.get("values") or {}).items():
            values[str(block_id)] = {}
            for action_id, value in dict(actions).items():
                values[str(block_id)][str(action_id)] = (
                    self._option(view.view, str(block_id), str(value["value"]))
                    if isinstance(value, dict)
                    else str(value)
                )
        return _outcome(await self.people.submit(user, view.id, values))

    @staticmethod
    def _option(view: dict[str, Any], block_id: str, value: str) -> dict[str, Any]:
        for block in view.get("blocks", []):
            if block.get("block_id") == block_id:
                for option in block.get("element", {}).get("options", []):
                    if option.get("value") == value:
                        return dict(option)
        return {"text": {"type": "plain_text", "text": value}, "value": value}

    async def close(self, body: dict[str, Any]) -> dict[str, Any]:
        user = self._person(str(body.get("user", "")))
        delivery = await self.people.close(user, str(body.get("view_id", "")))
        self.changed("view")
        return _outcome(delivery) if delivery is not None else {"ok": True}

    async def shortcut(self, body: dict[str, Any]) -> dict[str, Any]:
        user = self._person(str(body.get("user", "")))
        message = self.ws.find_message(str(body.get("channel", "")), str(body.get("ts", "")))
        if message is None:
            return {"problem": "That message is gone."}
        return _outcome(await self.people.shortcut(user, message, "create_ticket"))

    async def react(self, body: dict[str, Any]) -> dict[str, Any]:
        """The person adds :ticket: to a message (Slack sends it only where the desk is)."""
        user = self._person(str(body.get("user", "")))
        message = self.ws.find_message(str(body.get("channel", "")), str(body.get("ts", "")))
        if message is None or message.channel not in self._conversation_ids(user):
            return {"problem": "That message is gone."}
        delivery = await self.people.react(user, message, "ticket")
        if delivery is None:
            return {"problem": "The desk isn't in this channel, so Slack doesn't tell it about reactions."}
        return _outcome(delivery)

    async def home(self, body: dict[str, Any]) -> dict[str, Any]:
        user = self._person(str(body.get("user", "")))
        return _outcome(await self.people.open_home(user))

    # -- the sandbox's switches ------------------------------------------------------------
    async def clock(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            span = parse_duration(str(body.get("advance", "")))
        except ValueError as problem:
            return {"problem": f"Fast-forward by how much? {problem}"}
        if span.total_seconds() > MAX_JUMP_DAYS * 86400:
            return {"problem": f"Fast-forward up to {MAX_JUMP_DAYS} days at a time."}
        await self.controls.fast_forward(span.total_seconds())
        self.changed("clock")
        return {"ok": True}

    async def language(self, body: dict[str, Any]) -> dict[str, Any]:
        """The language switch: set a person's Slack locale in the local Slack's workspace, as
        they would in their Slack preferences; `users.info` then says it, and the desk, told to
        forget what it knew of them, asks again and speaks to them in it."""
        person = self.ws.people.get(str(body.get("user", "")))
        if person is None or person.is_bot:
            return {"problem": "Whose language? Pick a person first."}
        language = str(body.get("language", ""))
        if language not in LOCALES:
            return {"problem": f"The desk speaks {' and '.join(LOCALES)}; got {language!r}."}
        person.locale = LOCALES[language]
        self.controls.forget_person(person.id)
        self.changed("people")
        return {"ok": True, "language": language}

    async def faults(self, body: dict[str, Any]) -> dict[str, Any]:
        faults = self.slack.faults
        if "down" in body:
            was_down, faults.down = faults.down, bool(body["down"])
            if was_down and not faults.down:  # what the desk owes goes now, not after its back-off
                self.controls.slack_back()
        for name in ("rate_limited", "server_errors"):
            if name in body:
                setattr(faults, name, max(0, min(1000, int(body[name]))))
        if "delay" in body:
            faults.delay = max(0.0, min(5.0, float(body["delay"])))
        self.changed("faults")
        return {"ok": True, "faults": switches(faults)}


def _outcome(delivery: Delivery | None) -> dict[str, Any]:
    """How a request to the bot went, in words for the page when it did not go well."""
    if delivery is None or delivery.status == 200:
        return {"ok": True}
    if delivery.status == 408:
        return {"problem": "The desk did not answer within 3 seconds (Slack would show a timeout)."}
    return {"problem": f"The desk answered {delivery.status}."}


def _json_errors(
    handler: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]],
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """A JSON body in, a JSON answer out; a malformed request gets a sentence, not a trace."""

    async def endpoint(request: web.Request) -> web.Response:
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            return web.json_response({"problem": "Send a JSON object."}, status=400)
        try:
            answer = await handler(body)
        except (KeyError, TypeError, ValueError):
            return web.json_response({"problem": "That request is missing something."}, status=400)
        return web.json_response(answer, status=200 if "problem" not in answer else 422)

    return endpoint


CLOSE = "\x00close"  # put in a stream's queue: the stream ends


async def _drain(queue: asyncio.Queue[str]) -> AsyncIterator[str]:
    """What changed, at most about 20 times a second, with a keep-alive every 15 s."""
    while True:
        try:
            kind = await asyncio.wait_for(queue.get(), timeout=15)
        except TimeoutError:
            yield "ping"
            continue
        await asyncio.sleep(0.05)
        while not queue.empty() and kind != CLOSE:
            kind = queue.get_nowait()
        if kind == CLOSE:
            return
        yield kind


def _asset(name: str) -> str:
    return resources.files("bot.sandbox").joinpath("static", name).read_text(encoding="utf-8")


def switches(faults: Any) -> dict[str, Any]:
    """The page's fault switches: the fields (a test's `refusals` and gate are not among them)."""
    return {field.name: getattr(faults, field.name) for field in dataclasses.fields(faults)}
