"""Summaries and draft replies (issue 39) against a local fake of an OpenAI-compatible endpoint
(`POST {base}/chat/completions`, https://platform.openai.com/docs/api-reference/chat/create),
an aiohttp server that records every request it is sent.

The summary is shown to the agent who asked; a draft fills the Reply form, and what the agent
sends after editing it goes like every reply; a dead, failing or slow endpoint is a friendly
answer and the desk goes on working; off, nothing is sent anywhere; only the ticket's team's
agents may ask."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from bot.domain.ticket import Action, Status
from config import parse_config, read_environment
from config.describe import describe
from config.environment import with_environment
from config.redact import redact
from tests.harness import (
    ALICE,
    BOB,
    ERIN,
    FRAN,
    TRIAGE,
    ack_text,
    bot_posts,
    demo_config,
    dm_of,
    raise_ticket,
    running_desk,
    settle,
    text_of,
    ticket_where,
    two_teams,
)
from tests.test_links import private_answer

KEY = "sk-local-test-key-0123456789"
SUMMARY = "Alice's laptop does not boot; Bob asked her to hold the power button. Still open."
DRAFT = "Could you hold the power button for 30 seconds, then try again? [placeholder]"
NOT_ANSWERED = "The summary service did not answer"


class FakeModel:
    """An OpenAI-compatible chat-completions endpoint: records each request; answers at once,
    with a 503 (`failing`), or when the test lets it (`holding`)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.failing = False
        self.holding = False
        self.release = asyncio.Event()
        self.url = ""

    async def completions(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append({"path": request.path, "headers": dict(request.headers), "body": body})
        if self.holding:
            await self.release.wait()
        if self.failing:
            return web.json_response({"error": {"message": "model not loaded"}}, status=503)
        system = body["messages"][0]["content"]
        content = DRAFT if "draft" in system else SUMMARY
        return web.json_response(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
            }
        )


@asynccontextmanager
async def fake_model() -> AsyncIterator[FakeModel]:
    model = FakeModel()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", model.completions)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    model.url = f"http://127.0.0.1:{port}/v1"
    try:
        yield model
    finally:
        model.release.set()
        await runner.cleanup()


def summaries(model: FakeModel, **more: Any) -> dict[str, Any]:
    return {"enabled": True, "url": model.url, "model": "tiny-local", "api_key": KEY, **more}


async def agents_answer(run, user: str, text: str) -> str:
    """The private answer to `/desk …` that comes after the ack, once it has come."""

    def answers() -> list:
        return [m for m in bot_posts(run.slack, TRIAGE, to=user) if m.ephemeral_to == user]

    before = len(answers())
    ack = await run.people.command(user, "/desk", text, channel=TRIAGE)
    if ack_text(ack).strip():
        return ack_text(ack)
    await settle(lambda: len(answers()) > before)
    return text_of(answers()[-1])


async def test_an_agent_asks_for_a_summary_and_reads_it_and_only_the_thread_is_sent():
    async with fake_model() as model, running_desk(summaries=summaries(model)) as run:
        await raise_ticket(run, "My laptop won't boot after the update")
        await private_answer(run, BOB, "reply T-1 Could you hold the power button for 30 seconds?")
        said = await private_answer(run, BOB, "summary T-1")
        assert "Summary of T-1" in said and SUMMARY in said
        assert "from the request and 1 reply" in said
        [request] = model.requests
        assert request["path"] == "/v1/chat/completions"
        assert request["headers"]["Authorization"] == f"Bearer {KEY}"
        body = request["body"]
        assert body["model"] == "tiny-local" and body["stream"] is False
        assert [m["role"] for m in body["messages"]] == ["system", "user"]
        thread = body["messages"][1]["content"]
        assert "My laptop won't boot after the update" in thread
        assert "Could you hold the power button for 30 seconds?" in thread
        for who in (ALICE, BOB, "Alice", "Bob"):  # roles, never names or user IDs
            assert who not in thread
        # the summary is the agent's alone: nothing was posted to the requester or the card
        assert not [m for m in bot_posts(run.slack, dm_of(run, ALICE)) if SUMMARY in text_of(m)]


async def test_a_draft_fills_the_reply_form_and_what_the_agent_edits_is_sent_once():
    async with fake_model() as model, running_desk(summaries=summaries(model)) as run:
        thread, _ = await raise_ticket(run)
        ack = await run.people.command(BOB, "/desk", "draft T-1", channel=TRIAGE)
        assert not ack_text(ack).strip()

        def filled() -> Any:
            for view in run.slack.workspace.modals_of(BOB):
                for block in view.view.get("blocks", []):
                    if (block.get("element") or {}).get("initial_value"):
                        return view
            return None

        await settle(filled)
        view = filled()
        assert view.view["callback_id"] == "reply_form"
        [element] = [b["element"] for b in view.view["blocks"] if b.get("block_id") == "text"]
        assert element["initial_value"] == DRAFT
        assert "Nothing is sent until you press Send" in str(view.view["blocks"])
        assert not [m for m in bot_posts(run.slack, dm_of(run, ALICE)) if "power button" in text_of(m)]

        edited = "Could you hold the power button for 30 seconds, then try again? Thanks!"
        await run.people.submit(BOB, view.id, {"text": {"value": edited}})
        await run.idle()
        in_thread = bot_posts(run.slack, dm_of(run, ALICE), thread=thread.ts)
        heard = [m for m in in_thread if "power button" in text_of(m)]
        assert len(heard) == 1 and "Thanks!" in text_of(heard[0]) and "[placeholder]" not in text_of(heard[0])
        ticket = await run.desk.store.ticket(1)
        assert [e.detail for e in ticket.trail if e.action is Action.REPLIED] == [edited]
        assert len(model.requests) == 1


async def test_a_dead_or_failing_endpoint_is_a_friendly_answer_and_the_desk_works_on():
    async with fake_model() as model, running_desk(summaries=summaries(model)) as run:
        await raise_ticket(run)
        model.failing = True
        assert NOT_ANSWERED in await private_answer(run, BOB, "summary T-1")
        assert len(model.requests) == 1
    async with fake_model() as gone:
        url = gone.url  # nothing listens here once it has stopped
    async with running_desk(summaries={"enabled": True, "url": url, "model": "m"}) as run:
        await raise_ticket(run)
        assert NOT_ANSWERED in await private_answer(run, BOB, "summary T-1")
        await run.people.command(BOB, "/desk", "draft T-1", channel=TRIAGE)
        await settle(lambda: NOT_ANSWERED in str([v.view for v in run.slack.workspace.modals_of(BOB)]))
        [view] = run.slack.workspace.modals_of(BOB)
        assert view.view["callback_id"] == "reply_form", "the Reply form, empty, to write by hand"
        assert "You claimed T-1" in await private_answer(run, BOB, "claim T-1")


async def test_a_slow_endpoint_keeps_nobody_waiting_and_gives_up_at_its_timeout():
    async with fake_model() as model, running_desk(summaries=summaries(model, timeout="1m")) as run:
        await raise_ticket(run)
        await raise_ticket(run, "Printer jams")
        model.holding = True
        await run.people.command(BOB, "/desk", "summary T-1", channel=TRIAGE)
        await settle(lambda: model.requests)  # the call is under way, and held
        # meanwhile the desk works: a claim, a reply, a new request
        assert "You claimed T-2" in await agents_answer(run, BOB, "claim T-2")
        await settle(lambda: ticket_where(run, 2, lambda t: t.status is Status.CLAIMED))
        alice = dm_of(run, ALICE)
        await settle(lambda: [m for m in bot_posts(run.slack, alice) if "is looking at" in text_of(m)])
        await raise_ticket(run, "VPN drops")
        assert not [m for m in bot_posts(run.slack, TRIAGE, to=BOB) if SUMMARY in text_of(m)]
        model.release.set()
        await settle(lambda: [m for m in bot_posts(run.slack, TRIAGE, to=BOB) if SUMMARY in text_of(m)])

    async with fake_model() as model, running_desk(summaries=summaries(model, timeout="1s")) as run:
        await raise_ticket(run)
        model.holding = True  # never answers while the desk waits
        said = await agents_answer(run, BOB, "summary T-1")
        assert NOT_ANSWERED in said and "The desk works as usual" in said
        assert len(model.requests) == 1


async def test_off_the_commands_say_so_and_nothing_is_sent():
    async with fake_model() as model:
        off = {"url": model.url, "model": "tiny-local", "api_key": KEY}  # configured, not enabled
        async with running_desk(summaries=off) as run:
            await raise_ticket(run)
            for verb in ("summary", "draft"):
                said = await private_answer(run, BOB, f"{verb} T-1")
                assert "Summaries are not set up on this desk" in said
            assert run.slack.workspace.modals_of(BOB) == []
            await run.idle()
        assert model.requests == []


async def test_only_the_tickets_teams_agents_may_ask():
    async with fake_model() as model, running_desk(team=two_teams(), summaries=summaries(model)) as run:
        await raise_ticket(run)  # an IT ticket
        assert "agents" in await private_answer(run, ERIN, "summary T-1")
        assert "agents" in await private_answer(run, ERIN, "draft T-1")
        said = await private_answer(run, FRAN, "summary T-1")  # People's agent
        assert "belongs to the IT team" in said
        await run.people.command(FRAN, "/desk", "draft T-1", channel=TRIAGE)
        await run.idle()
        assert run.slack.workspace.modals_of(FRAN) == []
        assert model.requests == []
        assert "I can't find T-9" in await private_answer(run, BOB, "summary T-9")
        assert model.requests == []


def test_the_key_is_never_printed_and_may_come_from_the_environment(caplog):
    on = {"enabled": True, "url": "http://127.0.0.1:9/v1", "model": "m"}
    config = parse_config(demo_config(summaries=on))
    env = read_environment(
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "DESK_SUMMARIES_API_KEY": KEY}
    )
    config = with_environment(config, env)
    assert config.summaries.api_key == KEY
    shown = describe(config, env)
    assert "[summaries]" in shown and KEY not in shown and "(set, 28 characters)" in shown
    assert KEY not in repr(config) and KEY not in repr(env)
    assert KEY not in redact(f"Authorization: Bearer {KEY}") and KEY not in redact(f"api_key={KEY}")


async def test_a_failure_is_logged_without_the_key(caplog):
    async with fake_model() as model, running_desk(summaries=summaries(model)) as run:
        await raise_ticket(run)
        model.failing = True
        with caplog.at_level(logging.WARNING):
            await private_answer(run, BOB, "summary T-1")
        assert any("summary service failed" in r.getMessage() for r in caplog.records)
        assert KEY not in caplog.text


def test_enabled_needs_an_endpoint_and_a_model():
    import pytest

    from config.settings import ConfigError

    with pytest.raises(ConfigError) as raised:
        parse_config(demo_config(summaries={"enabled": True}))
    assert any(p.startswith("summaries.url: needed when enabled") for p in raised.value.problems)
    assert any(p.startswith("summaries.model: needed when enabled") for p in raised.value.problems)
    with pytest.raises(ConfigError):
        parse_config(demo_config(summaries={"url": "localhost:11434"}))


async def test_the_details_modal_offers_the_summary_when_summaries_are_on():
    async with fake_model() as model, running_desk(summaries=summaries(model)) as run:
        _, card = await raise_ticket(run)
        await run.people.press(BOB, card, "Details")
        await settle(lambda: run.slack.workspace.modals_of(BOB))
        [view] = run.slack.workspace.modals_of(BOB)
        assert "Summarise the thread" in str(view.view["blocks"])
        assert model.requests == [], "nothing is sent until the agent asks"
        await run.people.click_view(BOB, view.id, "details_summary")
        await settle(lambda: SUMMARY in str(run.slack.workspace.views[view.id].view["blocks"]))
        shown = run.slack.workspace.views[view.id].view
        assert "Summarise the thread" not in str(shown["blocks"]) and "Details of" in str(shown["title"])
        assert len(model.requests) == 1
        model.failing = True
        await run.people.press(BOB, card, "Details")
        await settle(lambda: len(run.slack.workspace.modals_of(BOB)) == 2)
        again = run.slack.workspace.modals_of(BOB)[-1]
        await run.people.click_view(BOB, again.id, "details_summary")
        await settle(lambda: NOT_ANSWERED in str(run.slack.workspace.views[again.id].view["blocks"]))
    async with running_desk() as run:  # off: no button
        _, card = await raise_ticket(run)
        await run.people.press(BOB, card, "Details")
        await settle(lambda: run.slack.workspace.modals_of(BOB))
        assert "Summarise the thread" not in str(run.slack.workspace.modals_of(BOB)[0].view["blocks"])
