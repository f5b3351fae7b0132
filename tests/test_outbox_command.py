"""`python -m bot outbox` and `python -m bot outbox retry`, run as an operator runs them: beside
a running desk (which holds its TinyDB store), and with no desk running."""

from __future__ import annotations

import asyncio

from bot.delivery.owed import owe
from bot.domain.owed import Conversation, Post
from bot.slack.blocks import section
from tests.harness import (
    GENERAL,
    demo_config,
    local_slack,
    outbox_arrivals,
    run_command,
    running_desk,
    settle,
)


async def owe_now(run, key: str, text: str) -> None:
    async with run.desk.store.transaction() as tx:
        owe(tx, key, Post(Conversation(GENERAL), text, [section(text)]))


async def test_outbox_lists_and_retries_beside_a_running_desk(tmp_path):
    url = f"tinydb://{tmp_path}/desk.json"
    async with running_desk(url) as run:
        run.slack.faults.refuse("chat.postMessage", "channel_not_found", target=GENERAL)
        await owe_now(run, "w1", "Printer on floor 3 is back")
        await run.idle()
        listed = await asyncio.to_thread(run_command, tmp_path, demo_config(url), "outbox")
        assert listed.returncode == 0, listed.stderr
        [line, total] = listed.stdout.splitlines()
        assert line.startswith("w1  a message: “Printer on floor 3 is back”  to #C0GENERAL  since 20")
        assert "parked: I can't find #C0GENERAL: it was deleted, or it is private" in line
        assert total == "1 owed, 1 parked."

        run.slack.faults.allow()  # the channel is back
        slack = {"SLACK_BOT_TOKEN": run.slack.bot_token, "SLACK_API_URL": run.slack.api_url}
        retried = await asyncio.to_thread(run_command, tmp_path, demo_config(url), "outbox", "retry", **slack)
        assert retried.returncode == 0, retried.stderr
        assert retried.stdout == "1 message back in line; the running desk sends them now.\n"
        await settle(lambda: outbox_arrivals(run.slack)["w1"] == 1)
        await run.idle()
        listed = await asyncio.to_thread(run_command, tmp_path, demo_config(url), "outbox")
        assert listed.stdout == "Nothing is owed: every message has been delivered.\n"


async def test_outbox_retry_sends_by_itself_when_no_desk_runs(tmp_path):
    url = f"tinydb://{tmp_path}/desk.json"
    async with local_slack() as slack:
        async with running_desk(url, slack=slack) as run:
            slack.faults.refuse("chat.postMessage", "is_archived", target=GENERAL)
            await owe_now(run, "w1", "Lunch is on us")
            await run.idle()
        slack.faults.allow()  # unarchived, with the desk stopped
        env = {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.api_url}
        retried = await asyncio.to_thread(run_command, tmp_path, demo_config(url), "outbox", "retry", **env)
        assert retried.returncode == 0, retried.stderr
        assert retried.stdout == "1 message back in line: 1 sent.\n"
        assert outbox_arrivals(slack)["w1"] == 1
        again = await asyncio.to_thread(run_command, tmp_path, demo_config(url), "outbox", "retry", **env)
        assert again.stdout == "Nothing is parked.\n"


async def test_outbox_retry_without_a_token_says_so_in_one_line(tmp_path):
    url = f"tinydb://{tmp_path}/desk.json"
    done = await asyncio.to_thread(run_command, tmp_path, demo_config(url), "outbox", "retry")
    assert done.returncode == 1
    assert done.stderr.startswith("config error: SLACK_BOT_TOKEN: not set") and "Traceback" not in done.stderr


async def test_outbox_retry_beside_desks_on_postgresql(pg_url, tmp_path):
    """On PostgreSQL the command writes the store itself; the leading desk sends what it put
    back in line (its outbox looks at the shared store every quarter second)."""
    async with running_desk(pg_url) as run:
        run.slack.faults.refuse("chat.postMessage", "not_in_channel", target=GENERAL)
        await owe_now(run, "w1", "Wifi is down in room 4")
        await run.idle()
        listed = await asyncio.to_thread(run_command, tmp_path, demo_config(pg_url), "outbox")
        assert "parked: I can't post in #C0GENERAL: invite @IT Help" in listed.stdout, listed.stderr
        run.slack.faults.allow()
        slack = {"SLACK_BOT_TOKEN": run.slack.bot_token, "SLACK_API_URL": run.slack.api_url}
        retried = await asyncio.to_thread(
            run_command, tmp_path, demo_config(pg_url), "outbox", "retry", **slack
        )
        assert retried.returncode == 0, retried.stderr
        assert retried.stdout.startswith("1 message back in line; the leading desk sends them")
        await settle(lambda: outbox_arrivals(run.slack)["w1"] == 1)

    async with local_slack() as slack:  # and with no desk running, the command sends them
        async with running_desk(pg_url, slack=slack) as run:
            slack.faults.refuse("chat.postMessage", "not_in_channel", target=GENERAL)
            await owe_now(run, "w2", "Wifi is down again")
            await run.idle()
        slack.faults.allow()
        env = {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.api_url}
        retried = await asyncio.to_thread(
            run_command, tmp_path, demo_config(pg_url), "outbox", "retry", **env
        )
        assert retried.stdout == "1 message back in line: 1 sent.\n", retried.stderr
        assert outbox_arrivals(slack)["w2"] == 1


def test_every_kind_of_owed_message_is_named_in_words_in_the_listing():
    """The sandbox's owed panel and `python -m bot outbox` list each message by `what_of`: a
    requester's confirmation read "a confirmationof" (its class's name, lower-cased)."""
    import typing

    from bot.domain.owed import ConfirmationOf, Message
    from bot.outbox_command import what_of

    class Named:
        def ref(self, number: int) -> str:
            return f"T-{number}"

    assert what_of(ConfirmationOf(1, None), Named()) == "the requester's confirmation of T-1"  # type: ignore[arg-type]
    kinds = typing.get_args(Message)
    assert ConfirmationOf in kinds and len(kinds) == 10  # a new kind: give it its words in `what_of`
