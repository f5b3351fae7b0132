"""The routing table (issue 36): one Bolt listener per kind of request, and a dict behind it.

Bolt matches a request against every registered listener in turn, and each matcher builds all
of Bolt's listener arguments again: with a listener per verb, button and form, that was about
6.6 ms of a request's ack (`bench/ack.py` under cProfile). Here the desk registers one listener
for its slash commands, one for its block actions and one for its view submissions; each looks
the request up in a dict (the command's verb, the `action_id`, the view's `callback_id`; then the
action patterns, in the order they were routed) and calls the listener found with the arguments
it names, as Bolt would have called it (`ack`, `body`, `command`, `view`, `action`, ...: any of
Bolt's argument names, read from its signature once, here).

The ack and its failures stay where they were: `bot.work.track_listeners` wraps these three
listeners as it wraps any other, and a listener's failure ends at `handlers.errors`. A block
action or a view the table does not route is not matched, so Bolt treats it as before (not
handled); a command the table does not route is `help` or an unknown verb (`fallback`).
"""

from __future__ import annotations

import inspect
import re
import weakref
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.kwargs_injection.async_args import AsyncArgs

from handlers.routing import ANY_COMMAND, routed

Listener = Callable[..., Awaitable[None]]
Key = str | re.Pattern[str]
EVERYTHING = re.compile("")  # the kind's own check; the table says which of ours it is
BOLT_GIVES = frozenset(inspect.signature(AsyncArgs.__init__).parameters) - {"self", "kwargs"}
_TABLES: weakref.WeakKeyDictionary[AsyncApp, Routes] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Route:
    """A listener and the Bolt arguments it names, in its order; `acks_first`: it acks with
    nothing before doing anything else, so the desk may ack for it (`acks_at_once`)."""

    listener: Listener
    names: tuple[str, ...]
    acks_first: bool = False

    async def __call__(self, args: AsyncArgs) -> None:
        await self.listener(**{name: getattr(args, name) for name in self.names})


def _route(listener: Listener, acks_first: bool = False) -> Route:
    names = tuple(inspect.signature(listener).parameters)  # a bound method: `self` is not there
    unknown = [name for name in names if name not in BOLT_GIVES]
    if unknown:
        raise TypeError("not_a_bolt_argument", getattr(listener, "__qualname__", listener), unknown)
    return Route(listener, names, acks_first)


class Routes:
    """The desk's commands, actions and views, by key; `attach` gives Bolt the three listeners."""

    def __init__(self) -> None:
        self.commands: dict[str, Route] = {}
        self.fallback: Route | None = None
        self.actions: dict[str, Route] = {}
        self.action_patterns: list[tuple[re.Pattern[str], Route]] = []
        self.views: dict[str, Route] = {}
        self.view_patterns: list[tuple[re.Pattern[str], Route]] = []

    # -- filling the table (each feature's `register`) ------------------------------------------
    def command(self, *verbs: str) -> Callable[[Listener], Listener]:
        """The listener for these verbs, whatever the command is called (`handlers.routing`)."""

        def add(listener: Listener) -> Listener:
            route = _route(listener)
            for verb in verbs:
                if verb in self.commands:
                    raise ValueError("routed_twice", verb)
                self.commands[verb] = route
            return listener

        return add

    def command_fallback(self, listener: Listener) -> Listener:
        """`help`, nothing after the namespace, or a verb no listener serves."""
        if self.fallback is not None:
            raise ValueError("routed_twice", "fallback")
        self.fallback = _route(listener)
        return listener

    def action(self, *keys: Key, acks_first: bool = False) -> Callable[[Listener], Listener]:
        """The listener for block actions with these `action_id`s (or matching these patterns).
        `acks_first`: its first step is `await ack()` with nothing in it, always."""
        return lambda listener: self._add(self.actions, self.action_patterns, keys, listener, acks_first)

    def view(self, *keys: Key) -> Callable[[Listener], Listener]:
        """The listener for view submissions with these `callback_id`s."""
        return lambda listener: self._add(self.views, self.view_patterns, keys, listener)

    @staticmethod
    def _add(
        exact: dict[str, Route],
        patterns: list[tuple[re.Pattern[str], Route]],
        keys: Iterable[Key],
        listener: Listener,
        acks_first: bool = False,
    ) -> Listener:
        route = _route(listener, acks_first)
        for key in keys:
            if isinstance(key, re.Pattern):
                clash = [known for known in exact if key.search(known)]
                patterns.append((key, route))
            else:
                clash = [key] if key in exact or any(p.search(key) for p, _ in patterns) else []
                exact[key] = route
            if clash:  # Bolt took the first listener registered; the table has no order to keep
                raise ValueError("routed_twice", key, clash)
        return listener

    # -- looking a request up -------------------------------------------------------------------
    def for_command(self, command: dict[str, Any]) -> Route:
        read = routed(command)
        found = self.commands.get(read.verb)
        if found is not None:
            return found
        if self.fallback is None or (read.verb != "help" and read.known):
            raise LookupError("no_listener_for_verb", read.verb)
        return self.fallback

    def for_action(self, body: dict[str, Any]) -> Route | None:
        if body.get("type") != "block_actions":
            return None
        actions = body.get("actions") or [{}]
        return _find(self.actions, self.action_patterns, actions[0].get("action_id"))

    def for_view(self, body: dict[str, Any]) -> Route | None:
        if body.get("type") != "view_submission":
            return None
        return _find(self.views, self.view_patterns, (body.get("view") or {}).get("callback_id"))

    def acks_at_once(self, body: dict[str, Any]) -> bool:
        """Whether the listener this request goes to acks it with nothing before anything
        else (routed with `acks_first`): `bot.work.track_listeners` then acks it in the
        request's own turn of the event loop and runs the listener after."""
        route = self.for_action(body)
        return route is not None and route.acks_first

    # -- the three Bolt listeners ---------------------------------------------------------------
    async def on_command(self, args: AsyncArgs) -> None:
        await self.for_command(args.command or {})(args)

    async def on_action(self, args: AsyncArgs) -> None:
        route = self.for_action(args.body)
        if route is not None:  # always: `routes_action` matched it
            await route(args)

    async def on_view(self, args: AsyncArgs) -> None:
        route = self.for_view(args.body)
        if route is not None:  # always: `routes_view` matched it
            await route(args)

    async def routes_action(self, body: dict[str, Any]) -> bool:
        """A Bolt matcher: one of the desk's actions (any other is not handled, as before)."""
        return self.for_action(body) is not None

    async def routes_view(self, body: dict[str, Any]) -> bool:
        return self.for_view(body) is not None

    def attach(self, app: AsyncApp) -> None:
        app.command(ANY_COMMAND)(self.on_command)
        app.block_action(EVERYTHING, matchers=[self.routes_action])(self.on_action)
        app.view_submission(EVERYTHING, matchers=[self.routes_view])(self.on_view)


def _find(exact: dict[str, Route], patterns: list[tuple[re.Pattern[str], Route]], key: Any) -> Route | None:
    if not isinstance(key, str):
        return None
    found = exact.get(key)
    if found is not None:
        return found
    return next((route for pattern, route in patterns if pattern.search(key)), None)


def table(app: AsyncApp) -> Routes:
    """The app's routing table: made, and given to Bolt as its three listeners, on first use."""
    routes = _TABLES.get(app)
    if routes is None:
        routes = _TABLES[app] = Routes()
        routes.attach(app)
    return routes
