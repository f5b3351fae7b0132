"""Attacks on the HTTP edge and the configuration, as plain HTTP against a running desk: no
request the desk did not sign for is read, none produces a 500, and no error prints a secret.
(Slack's signature: a request is trusted only when it carries it, made in the last 5 minutes.)"""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import quote

import aiohttp
import pytest

from bot.domain.ticket import Status
from bot.localslack.workspace import BOT_USER
from config import ConfigError, read_environment
from config.environment import redacted_url
from tests.harness import (
    ALICE,
    BOB,
    DAVE,
    ERIN,
    GENERAL,
    TRIAGE,
    answer_questions,
    bot_posts,
    dm_of,
    raise_ticket,
    running_desk,
    settle,
    start_request,
    text_of,
    ticket_where,
)

DEEP = "[" * 50_000 + "]" * 50_000  # RecursionError for a JSON parser that is reached


async def post(run, body: str, headers: dict[str, str]) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(run.url + "slack/events", data=body, headers=headers) as answer,
    ):
        return answer.status, await answer.text()


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "no signature at all"),
        ({"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"}, "a timestamp that is no number"),
        ({"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=00"}, "a stale timestamp"),
    ],
)
async def test_an_unsigned_body_is_refused_before_it_is_read(headers, why, caplog):
    async with running_desk() as run:
        status, _ = await post(run, DEEP, {"Content-Type": "application/json", **headers})
        assert status == 401, why
        assert not [r for r in caplog.records if r.levelname == "ERROR"], "one warning, no traceback"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (DEEP, "application/json"),
        (
            "payload=" + quote(json.dumps({"type": "block_actions", "actions": [], "user": {"id": ALICE}})),
            "application/x-www-form-urlencoded",
        ),
        ("payload=%7Bnot json", "application/x-www-form-urlencoded"),
    ],
)
async def test_a_signed_body_bolt_cannot_read_is_a_400_not_a_500(body, content_type, caplog):
    async with running_desk() as run:
        status, _ = await post(run, body, {"Content-Type": content_type, **run.slack.sign(body)})
        assert status == 400
        assert not [r for r in caplog.records if r.levelname == "ERROR"]
        assert await run.desk.store.ticket_count() == 0


def test_config_errors_never_print_a_secret_or_a_url_with_credentials():
    with pytest.raises(ConfigError) as broken:
        read_environment(
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "SLACK_API_URL": "ftp://admin:hunter2@slack.internal/api?key=s3cret",
                "PORT": "xoxb-pasted-here-by-mistake",
            }
        )
    text = "\n".join(broken.value.problems)
    assert "hunter2" not in text and "s3cret" not in text and "pasted-here" not in text
    assert "SLACK_API_URL" in text and "ftp://***@slack.internal/api?***" in text
    assert "PORT: expected a port number" in text


def test_a_url_is_shown_without_its_credentials():
    assert redacted_url("https://user:pw@example.com/api/") == "https://***@example.com/api/"
    assert redacted_url("https://slack.com/api/") == "https://slack.com/api/"
    assert redacted_url("http://h/api/?token=x") == "http://h/api/?***"


# -- a request signed with the right secret, carrying what the desk did not send ---------------
async def resolved_for(run, words: str = "Laptop won't boot"):
    """Alice's ticket, claimed and resolved by Bob; her rating request."""
    _, card = await raise_ticket(run, words)
    await run.people.press(BOB, card, "Claim")
    await settle(lambda: "Claimed by" in text_of(card))
    number = await run.desk.store.ticket_count()
    await run.people.command(BOB, "/desk", f"resolve T-{number} Replaced the cable", channel=TRIAGE)
    await settle(lambda: rating_requests(run))
    return rating_requests(run)[-1]


def rating_requests(run, user=ALICE) -> list:
    return [m for m in bot_posts(run.slack, dm_of(run, user)) if "How did we do?" in text_of(m)]


async def test_a_rating_click_that_points_at_another_message_changes_nothing():
    """Her own rating buttons, but the click says it came from another ticket's triage card:
    the card stays as it is (the desk knows where its rating request is) and she is told."""
    async with running_desk() as run:
        request = await resolved_for(run)
        _, other_card = await raise_ticket(run, "Printer jammed")
        forged = replace(request, channel=other_card.channel, ts=other_card.ts)
        before = text_of(other_card), other_card.blocks
        assert (await run.people.press(ALICE, forged, ":slightly_smiling_face: 4 · Good")).status == 200
        await run.idle()
        assert (text_of(other_card), other_card.blocks) == before, "the card was not overwritten"
        assert "Claim" in str(other_card.blocks)
        assert (await run.desk.store.ticket(1)).rating is None
        told = [m for m in bot_posts(run.slack, TRIAGE, to=ALICE) if m.ephemeral_to == ALICE]
        assert any("isn't on T-1's rating request" in text_of(m) for m in told)


async def test_a_comment_form_whose_metadata_points_at_another_dm_changes_nothing():
    """The form says where the rating request is (`private_metadata`); it is checked against
    what the desk recorded, so Erin's confirmation in her DM is never rewritten."""
    async with running_desk() as run:
        request = await resolved_for(run)
        erins = await start_request(run, "Erin's own problem", user=ERIN)
        await run.people.press(ALICE, request, "Add a comment")
        await settle(lambda: run.slack.workspace.views)
        [view] = run.slack.workspace.views.values()
        view.view["private_metadata"] = f"1:{erins.channel}:{erins.ts}"
        before = text_of(erins)
        await run.people.submit(ALICE, view.id, {"comment": {"value": "Pwned"}})
        await run.idle()
        assert text_of(erins) == before
        assert (await run.desk.store.ticket(1)).rating is None
        assert "Pwned" not in text_of(request)


class Captured:
    """The signed requests the local Slack sent the desk, as an eavesdropper would keep them."""

    def __init__(self, slack) -> None:
        self.sent: list[tuple[str, dict[str, str]]] = []
        self._post = slack.post_to_bot

        async def post_to_bot(body, headers, started=None):
            self.sent.append((body, dict(headers)))
            return await self._post(body, headers, started)

        slack.post_to_bot = post_to_bot

    def last(self, containing: str) -> tuple[str, dict[str, str]]:
        return next(sent for sent in reversed(self.sent) if containing in sent[0])


async def test_a_replayed_resolve_does_nothing_after_the_ticket_was_reopened():
    async with running_desk() as run:
        captured = Captured(run.slack)
        await resolved_for(run)
        body, headers = captured.last("command=%2Fdesk&text=resolve")
        [resolution] = [m for m in bot_posts(run.slack, dm_of(run)) if "The problem is back" in str(m.blocks)]
        await run.people.press(ALICE, resolution, "The problem is back")
        await settle(lambda: ticket_where(run, 1, lambda t: t.status is Status.CLAIMED))
        replayed = await run.slack.post_to_bot(body, headers)
        assert replayed.status == 200
        await run.idle()
        assert (await run.desk.store.ticket(1)).status is Status.CLAIMED, "still reopened"
        assert rating_requests(run) == [], "no second rating request"
        [closed] = [
            m for m in bot_posts(run.slack, dm_of(run)) if "survey about T-1 has closed" in text_of(m)
        ]
        assert "it was reopened" in text_of(closed) and "Change rating" not in str(closed.blocks)


async def test_a_replayed_reassign_does_not_hand_the_ticket_back_while_fresh_requests_act():
    async with running_desk() as run:
        captured = Captured(run.slack)
        _, card = await raise_ticket(run)
        await run.people.press(BOB, card, "Claim")
        await run.people.command(BOB, "/desk", f"reassign T-1 <@{DAVE}>", channel=TRIAGE)
        await settle(lambda: ticket_where(run, 1, lambda t: t.assignee == DAVE))
        body, headers = captured.last("command=%2Fdesk&text=reassign")
        await run.people.command(DAVE, "/desk", f"reassign T-1 <@{BOB}>", channel=TRIAGE)  # a fresh request
        await settle(lambda: ticket_where(run, 1, lambda t: t.assignee == BOB))
        assert (await run.slack.post_to_bot(body, headers)).status == 200
        await run.idle()
        assert (await run.desk.store.ticket(1)).assignee == BOB, "the replay did not hand it back"


async def test_a_reply_on_a_ticket_raised_in_a_channel_says_everyone_there_will_see_it():
    async with running_desk() as run:
        mention, _ = await run.people.say(ALICE, GENERAL, f"<@{BOT_USER}> the printer on floor 2 is jammed")
        await settle(lambda: bot_posts(run.slack, GENERAL, thread=mention.ts))
        prompt = bot_posts(run.slack, GENERAL, thread=mention.ts)[0]
        await answer_questions(run, ALICE, prompt, "Hardware", "P3 · Normal")
        await run.idle()
        delivery = await run.people.command(BOB, "/desk", "reply T-1 On my way", channel=TRIAGE)
        assert delivery.status == 200
        await settle(
            lambda: any("On my way" in text_of(m) for m in bot_posts(run.slack, GENERAL, thread=mention.ts))
        )
        told = [text_of(m) for m in bot_posts(run.slack, TRIAGE, to=BOB) if m.ephemeral_to == BOB]
        assert any(f"in <#{GENERAL}>, where everyone in the channel can see it" in t for t in told)
        [card] = [m for m in bot_posts(run.slack, TRIAGE) if m.thread_ts is None]
        await run.people.press(BOB, card, "Reply")
        await settle(lambda: run.slack.workspace.views)
        [view] = run.slack.workspace.views.values()
        assert f"<#{GENERAL}>, where everyone in the channel can see it" in json.dumps(view.view)


# -- the sandbox: its own page only ---------------------------------------------------------------
@pytest.fixture
async def sandbox(tmp_path):
    from bot.sandbox.run import Sandbox

    box = Sandbox(tmp_path / "sandbox")
    await box.start()
    yield box
    await box.stop()


async def call(sandbox, method: str, path: str, headers: dict[str, str] | None = None, **kwargs):
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, sandbox.url + path, headers=headers or {}, **kwargs) as answer,
    ):
        return answer.status, await answer.text()


def own(sandbox, **more: str) -> dict[str, str]:
    """What the sandbox's own page sends with each call."""
    return {"X-Sandbox-Token": sandbox.page.token, **more}


async def test_the_sandbox_answers_its_own_page_and_nothing_else(sandbox):
    said = json.dumps({"user": ALICE, "channel": "D0ALICE01", "text": "planted"})
    status, page = await call(sandbox, "GET", "")
    assert status == 200 and sandbox.page.token in page, "the page carries its token"
    assert (await call(sandbox, "GET", "sandbox/state?user=" + ALICE, own(sandbox)))[0] == 200
    attacks = {
        "a page on another site posts as Alice": ("POST", "sandbox/say", {"Origin": "http://evil.example"}),
        "the browser says it is cross-site": ("POST", "sandbox/say", {"Sec-Fetch-Site": "cross-site"}),
        "a call without the page's token": ("POST", "sandbox/say", {}),
        "a DNS-rebound name reads the state": (
            "GET",
            "sandbox/state?user=" + ALICE,
            {"Host": "attacker.example"},
        ),
        "switching Slack off from elsewhere": ("POST", "sandbox/faults", {"Origin": "http://evil.example"}),
    }
    for why, (method, path, headers) in attacks.items():
        token = {} if why == "a call without the page's token" else own(sandbox)
        status, _ = await call(
            sandbox, method, path, {"Content-Type": "text/plain", **token, **headers}, data=said
        )
        assert status == 403, why
    assert sandbox.slack.faults.down is False
    dm = sandbox.slack.workspace.im_with(ALICE)
    assert [m for m in dm.messages if m.text == "planted"] == []


async def test_the_sandbox_slack_takes_only_its_own_random_token(sandbox):
    assert sandbox.slack.bot_token != "xoxb-local-bot-token"
    form = {"token": "xoxb-local-bot-token", "channel": TRIAGE, "text": "forged"}
    _, body = await call(sandbox, "POST", "api/chat.postMessage", data=form)
    assert json.loads(body)["ok"] is False
    assert not [m for m in sandbox.slack.workspace.channels[TRIAGE].messages if m.text == "forged"]


async def test_the_sandbox_clock_jumps_a_week_at_most(sandbox):
    status, body = await call(
        sandbox, "POST", "sandbox/clock", own(sandbox), json={"user": ALICE, "advance": "8d"}
    )
    assert status == 422 and "up to 7 days" in json.loads(body)["problem"]
    assert sandbox.offset_seconds() == 0
