"""When the desk answers Slack's request (`bot.work.track_listeners`): a slash command or a
click at its listener's `ack()`, with the work after it still running. (That an event is
answered only once its work is committed is in `tests/test_one_road.py`.)"""

import ast
import asyncio
import inspect
import json
import textwrap
from urllib.parse import urlencode

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.slack.card import CardIds
from bot.work import Work, track_listeners
from handlers.table import table
from tests.harness import CAROL, TRIAGE, bot_posts, raise_ticket, running_desk


async def test_a_command_is_answered_at_its_ack_while_its_work_goes_on():
    async with running_desk() as run:
        await raise_ticket(run)
        await run.idle()
        before = len(bot_posts(run.slack, TRIAGE, to=CAROL))
        run.slack.faults.delay = 0.5  # Slack answers every Web API call half a second late
        answer = await run.people.command(CAROL, "/desk", "quality", channel=TRIAGE)
        still_working = run.desk.work.busy
        shown_then = len(bot_posts(run.slack, TRIAGE, to=CAROL)) - before
        run.slack.faults.delay = 0.0
        await run.idle()
        shown_after = len(bot_posts(run.slack, TRIAGE, to=CAROL)) - before
    assert answer.status == 200
    assert still_working, "the summary is worked out after the ack, not before it"
    assert (shown_then, shown_after) == (0, 1)


def bare_app() -> AsyncApp:
    """A Bolt app as the desk runs it (answers at the ack), without Slack: the request is ours."""

    async def authorize(**_: object) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=None, team_id="T1", bot_token="xoxb-1", bot_user_id="U1", bot_id="B1"
        )

    return AsyncApp(
        signing_secret="unused",
        authorize=authorize,
        process_before_response=True,
        request_verification_enabled=False,
    )


async def failed(error: Exception, body: dict[str, object], ack: object) -> None:
    raise AssertionError(error)


async def test_the_answer_leaves_before_the_work_after_the_ack_goes_on():
    """A listener's code after its `ack()` runs on until its first real wait; the ack's answer
    is returned before any of it (`bot.work._Told` steps aside once), so no ack waits for a
    claim's decision or its transaction (`bench/ack.py`). Without that step the work below
    ran first and the answer came after it."""
    steps: list[str] = []

    app = bare_app()

    @app.command("/claim")
    async def claim(ack: AsyncAck) -> None:
        await ack()
        steps.append("work after the ack")  # no wait before it, as a claim's decision has none

    work = Work()
    track_listeners(app, work, failed)
    body = urlencode(
        {"command": "/claim", "text": "T-1", "team_id": "T1", "user_id": "U2", "channel_id": "C1"}
    )
    response = await app.async_dispatch(AsyncBoltRequest(body=body, headers={}))
    steps.append("answered")
    await asyncio.gather(*work.after_ack)
    assert response.status == 200
    assert steps == ["answered", "work after the ack"]


async def test_a_click_whose_listener_acks_first_is_answered_in_its_own_turn():
    """A listener routed `acks_first` (a Claim button: `await ack()` before anything else) is
    acked by the desk in the request's own turn of the event loop, before the listener runs:
    nothing else queued on the loop runs first. Without it, the listener's task had to start
    and its ack come back: two turns, each as long as the busy loop's other work. A listener
    not routed so (`acks_at_once` says no) is still acked by itself, turns and all."""
    steps: list[str] = []

    app = bare_app()

    @app.block_action("claim")
    async def claim(ack: AsyncAck) -> None:
        await ack()
        steps.append("claimed")

    @app.block_action("other")
    async def other(ack: AsyncAck) -> None:
        await ack()
        steps.append("other")

    def first(body: dict) -> bool:
        return body["actions"][0]["action_id"] == "claim"

    work = Work()
    track_listeners(app, work, failed, first)

    def click(action_id: str) -> AsyncBoltRequest:
        payload = {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": "U2"},
            "channel": {"id": "C1"},
            "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": "1"}],
        }
        return AsyncBoltRequest(body=urlencode({"payload": json.dumps(payload)}), headers={})

    for action_id, acked_at_once in (("claim", True), ("other", False)):
        asyncio.get_running_loop().call_soon(steps.append, "the loop turned")
        response = await app.async_dispatch(click(action_id))
        steps.append("answered")
        await asyncio.gather(*work.after_ack)
        assert response.status == 200
        listener = "claimed" if acked_at_once else "other"
        if acked_at_once:
            assert steps == ["answered", "the loop turned", listener], steps
        else:
            assert steps == ["the loop turned", "answered", listener], steps  # its task started first
        steps.clear()


async def test_each_listener_routed_acks_first_acks_with_nothing_before_anything_else():
    """What `acks_first` promises, read from each such listener's code: its first statement
    (after its docstring) is `await ack()` with nothing in it, so the desk's ack on its behalf
    says what its own would have. A Claim button is one."""
    async with running_desk() as run:
        routes = table(run.desk.bolt)
        every = [*routes.actions.values(), *(route for _, route in routes.action_patterns)]
        marked = {route.listener for route in every if route.acks_first}
        assert marked, "some listener is routed acks_first"
        for listener in marked:
            tree = ast.parse(textwrap.dedent(inspect.getsource(listener)))
            body = tree.body[0].body  # type: ignore[attr-defined]
            if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]  # the docstring
            first = body[0]
            assert (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Await)
                and isinstance(first.value.value, ast.Call)
                and ast.unparse(first.value.value) == "ack()"
            ), (listener.__qualname__, ast.unparse(first))

        def clicked(action_id: str) -> dict:
            return {"type": "block_actions", "actions": [{"action_id": action_id}]}

        acked = {key for key in routes.actions if routes.acks_at_once(clicked(key))}
        assert {key for key, route in routes.actions.items() if route.acks_first} == acked
        assert CardIds.CLAIM in acked
        assert not routes.acks_at_once({"type": "view_submission", "view": {"callback_id": "x"}})
