"""When the desk answers Slack's request (`bot.work.track_listeners`): a slash command or a
click at its listener's `ack()`, with the work after it still running. (That an event is
answered only once its work is committed is in `tests/test_one_road.py`.)"""

import asyncio
from urllib.parse import urlencode

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.work import Work, track_listeners
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


async def test_the_answer_leaves_before_the_work_after_the_ack_goes_on():
    """A listener's code after its `ack()` runs on until its first real wait; the ack's answer
    is returned before any of it (`bot.work._Told` steps aside once), so no ack waits for a
    claim's decision or its transaction (`bench/ack.py`). Without that step the work below
    ran first and the answer came after it."""
    steps: list[str] = []

    async def authorize(**_: object) -> AuthorizeResult:  # no Slack: the request is ours
        return AuthorizeResult(
            enterprise_id=None, team_id="T1", bot_token="xoxb-1", bot_user_id="U1", bot_id="B1"
        )

    app = AsyncApp(
        signing_secret="unused",
        authorize=authorize,
        process_before_response=True,
        request_verification_enabled=False,
    )

    @app.command("/claim")
    async def claim(ack: AsyncAck) -> None:
        await ack()
        steps.append("work after the ack")  # no wait before it, as a claim's decision has none

    async def failed(error: Exception, body: dict[str, object], ack: object) -> None:
        raise AssertionError(error)

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
