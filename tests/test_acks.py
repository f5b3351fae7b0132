"""When the desk answers Slack's request (`bot.work.track_listeners`): a slash command or a
click at its listener's `ack()`, with the work after it still running. (That an event is
answered only once its work is committed is in `tests/test_one_road.py`.)"""

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
