"""The routing table (issue 36, `handlers.table`): one Bolt listener for the desk's slash
commands, one for its block actions, one for its view submissions; every verb the desk knows has
its listener, a key is routed once, and what the table does not route is left to Bolt as before
(not handled). Through the local Slack with signed requests, and the table alone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from slack_bolt.async_app import AsyncAck

from bot.localslack.workspace import APP_ID, TEAM_ID
from bot.slack.card import CardIds
from bot.slack.command_args import TICKET, VERBS
from handlers.table import Routes, table
from tests.harness import ALICE, TRIAGE, running_desk


async def test_the_desk_gives_bolt_one_listener_per_kind_of_request() -> None:
    async with running_desk() as run:
        bolt = run.desk.bolt
        routes = table(bolt)
        assert routes.actions and routes.views and routes.commands
        ours = {"on_command", "on_action", "on_view"}
        named = [getattr(listener.ack_function, "__name__", "") for listener in bolt._async_listeners]
        assert sorted(n for n in named if n in ours) == sorted(ours)
        assert named[: len(ours)] == ["on_command", "on_action", "on_view"]  # matched first


async def test_every_verb_the_desk_knows_has_its_listener() -> None:
    async with running_desk() as run:
        routes = table(run.desk.bolt)
        known = {TICKET, *VERBS} - {"help"}
        assert known - set(routes.commands) == set()
        assert routes.fallback is not None  # `help`, and verbs nobody knows


async def test_an_action_the_table_does_not_route_is_left_unhandled_as_before() -> None:
    async with running_desk() as run:
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": ALICE, "team_id": TEAM_ID},
            "api_app_id": APP_ID,
            "team": {"id": TEAM_ID, "domain": "local"},
            "channel": {"id": TRIAGE},
            "trigger_id": "1.2.3",
            "actions": [{"type": "button", "action_id": "nobody_routes_this", "block_id": "b"}],
        }
        answered = await run.slack.deliver("interactive", payload)
        assert answered.status == 404  # Bolt's "unhandled request"


async def _listener(ack: AsyncAck, body: dict[str, Any]) -> None:
    await ack()


async def _odd(ack: AsyncAck, sandwich: str) -> None:
    await ack()


def test_a_key_is_routed_once() -> None:
    routes = Routes()
    routes.action(CardIds.CLAIM)(_listener)
    with pytest.raises(ValueError, match="routed_twice"):
        routes.action(CardIds.CLAIM)(_listener)
    with pytest.raises(ValueError, match="routed_twice"):
        routes.action(re.compile(rf"^{CardIds.CLAIM}$"))(_listener)
    routes.command("claim")(_listener)
    with pytest.raises(ValueError, match="routed_twice"):
        routes.command("claim")(_listener)


def test_a_listener_names_only_what_bolt_gives() -> None:
    with pytest.raises(TypeError, match="sandwich"):
        Routes().action("x")(_odd)


def test_an_action_is_found_by_its_id_then_by_the_patterns_in_order() -> None:
    routes = Routes()

    async def exact(ack: AsyncAck) -> None: ...
    async def first(ack: AsyncAck) -> None: ...
    async def second(body: dict[str, Any]) -> None: ...

    routes.action("rated")(exact)
    routes.action(re.compile(r"^rate_[2-5]$"))(first)
    routes.action(re.compile(r"^rate_"))(second)

    def found(action_id: str) -> Any:
        route = routes.for_action({"type": "block_actions", "actions": [{"action_id": action_id}]})
        return route.listener if route else None

    assert (found("rated"), found("rate_3"), found("rate_1"), found("other")) == (exact, first, second, None)
    assert routes.for_action({"type": "view_submission", "view": {"callback_id": "rated"}}) is None
