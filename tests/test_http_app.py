"""The desk over HTTP and Socket Mode, driven through the local Slack."""

import json
import time

import aiohttp

from tests.harness import ALICE, BOB, TRIAGE, local_slack, raise_ticket, running_desk, settle, ticket_where


async def get_json(url: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.json()


async def test_healthz_reports_store_and_scheduler():
    async with running_desk() as run:
        status, body = await get_json(run.url + "healthz")
    assert status == 200
    assert body["ok"] is True and body["scheduler"] == "running" and body["mode"] == "http"
    assert body["store"]["backend"] == "memory"


async def test_url_verification_challenge_is_answered():
    async with running_desk() as run:
        body = json.dumps({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV", "type": "url_verification"})
        answer = await run.slack.post_to_bot(
            body, {"Content-Type": "application/json", **run.slack.sign(body)}
        )
    assert answer.status == 200
    assert answer.body == {"challenge": "3eZbrw1aBm2rZgRNFdxV"}


async def test_forged_stale_and_missing_signatures_get_401():
    async with running_desk() as run:
        body = json.dumps({"type": "url_verification", "challenge": "c"})
        plain = {"Content-Type": "application/json"}
        forged = {**run.slack.sign(body), "X-Slack-Signature": "v0=" + "0" * 64}
        stale = run.slack.sign(body, timestamp=int(time.time()) - 10 * 60)
        answers = [
            await run.slack.post_to_bot(body, {**plain, **forged}),
            await run.slack.post_to_bot(body, {**plain, **stale}),
            await run.slack.post_to_bot(body, plain),
        ]
        # signed with another app's secret
        run.slack.signing_secret, real = "someone-elses-secret", run.slack.signing_secret
        answers.append(await run.slack.post_to_bot(body, {**plain, **run.slack.sign(body)}))
        run.slack.signing_secret = real
    assert [a.status for a in answers] == [401, 401, 401, 401]


async def test_bodies_over_one_megabyte_are_refused():
    async with running_desk() as run:
        body = json.dumps({"type": "url_verification", "challenge": "x" * (1024 * 1024 + 10)})
        answer = await run.slack.post_to_bot(
            body, {"Content-Type": "application/json", **run.slack.sign(body)}
        )
    assert answer.status == 413


async def test_home_tab_is_published_for_each_role_over_http():
    async with running_desk() as run:
        for user in (ALICE, BOB):
            delivery = await run.people.open_home(user)
            assert delivery.status == 200
        await settle(lambda: len([c for c in run.slack.calls if c.method == "views.publish"]) == 2)
        homes = {
            c.args["user_id"]: json.dumps(c.args["view"])
            for c in run.slack.calls
            if c.method == "views.publish"
        }
        assert run.slack.errors() == []
    assert "/desk queue" in homes[BOB] and "/desk queue" not in homes[ALICE]
    assert "IT Help" in homes[ALICE]


async def test_socket_mode_connects_and_acks_events():
    async with running_desk(socket=True) as run:
        assert run.slack.socket is not None, "the desk should have connected over Socket Mode"
        delivery = await run.people.open_home(BOB)
        assert delivery.status == 200, "the envelope should be acknowledged on the socket"
        await settle(lambda: any(c.method == "views.publish" for c in run.slack.calls))
        status, body = await get_json(run.url + "healthz")
        assert (status, body["mode"]) == (200, "socket")
        opened = [c for c in run.slack.calls if c.method == "apps.connections.open"]
        assert len(opened) == 1 and opened[0].error is None


async def test_healthz_is_503_until_the_desk_has_started():
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import DeskApp
    from config import parse_config, read_environment
    from tests.harness import demo_config

    env = read_environment(
        {
            "SLACK_BOT_TOKEN": "xoxb-x",
            "SLACK_SIGNING_SECRET": "secret-x",
            "SLACK_API_URL": "http://127.0.0.1:9/api/",
        }
    )
    desk = DeskApp(parse_config(demo_config()), env)
    async with TestClient(TestServer(desk.web_app())) as client:
        before = await client.get("/healthz")
        early = await before.json()
        await desk.start()
        after = await client.get("/healthz")
        await desk.stop()
    assert (before.status, after.status) == (503, 200)
    assert (early["ok"], early["scheduler"]) == (False, "stopped")


async def test_a_retried_event_is_acted_on_once_by_its_event_id(tmp_path):
    """Any event, not only messages: the App Home is published once for an event and its
    retries, also when the retry reaches a restarted desk."""
    url = f"tinydb://{tmp_path}/desk.json"
    async with local_slack() as slack:

        def publishes() -> int:
            return sum(1 for call in slack.calls if call.method == "views.publish" and call.status == 200)

        async with running_desk(url, slack=slack) as run:
            await run.people.open_home(ALICE)
            await settle(lambda: publishes() == 1)
            event_id = run.people.last_event["event_id"]
            assert (await run.people.retry_last_event(1)).status == 200
            await run.idle()
            assert publishes() == 1
        async with running_desk(url, slack=slack) as again:
            again.people.last_event = run.people.last_event
            assert (await again.people.retry_last_event(3)).status == 200
            await again.idle()
            assert publishes() == 1
            assert await again.desk.store.record("handled", f"event:{event_id}") is not None
            await again.people.open_home(ALICE)  # a new event is acted on
            await settle(lambda: publishes() == 2)


async def test_malformed_and_unknown_requests_never_get_a_500():
    """Signed (so they reach the listeners) but broken: each is answered or dropped, the desk
    stays healthy, and nothing in the store changes."""
    from urllib.parse import urlencode

    def interactive(payload) -> str:
        return urlencode({"payload": payload if isinstance(payload, str) else json.dumps(payload)})

    async with running_desk() as run:
        bodies = [
            ("application/json", "{not json"),
            ("application/json", json.dumps({"type": "event_callback", "event": "nope"})),
            (
                "application/json",
                json.dumps({"type": "event_callback", "event_id": "Ev1", "event": {"type": 7}}),
            ),
            ("application/x-www-form-urlencoded", interactive("{broken")),
            ("application/x-www-form-urlencoded", interactive({"type": "block_actions", "actions": True})),
            (
                "application/x-www-form-urlencoded",
                interactive(
                    {"type": "block_actions", "user": {"id": BOB}, "actions": [{"action_id": "no_such"}]}
                ),
            ),
            (
                "application/x-www-form-urlencoded",
                interactive(
                    {"type": "view_submission", "user": {"id": BOB}, "view": {"callback_id": "agent_form"}}
                ),
            ),
            (
                "application/x-www-form-urlencoded",
                interactive({"type": "view_submission", "user": [], "view": {"callback_id": "ticket_form"}}),
            ),
            ("application/x-www-form-urlencoded", urlencode({"command": "/claim", "text": "T-1"})),
            ("application/x-www-form-urlencoded", urlencode({"command": "/nope", "user_id": BOB})),
        ]
        for content_type, body in bodies:
            headers = {"Content-Type": content_type, **run.slack.sign(body)}
            answer = await run.slack.post_to_bot(body, headers)
            assert answer.status < 500, (body, answer.status, answer.body)
            assert "Traceback" not in str(answer.body)
        status, health = await get_json(run.url + "healthz")
        assert status == 200 and health["ok"]
        assert await run.desk.store.ticket_count() == 0


async def test_one_log_line_per_request_with_what_who_status_and_time(caplog):
    import logging

    caplog.set_level(logging.INFO, logger="desk")
    async with running_desk() as run:
        await raise_ticket(run)
        await run.people.command(BOB, "/claim", "T-1", channel=TRIAGE)
        await settle(lambda: ticket_where(run, 1, lambda t: t.assignee == BOB))
        secrets = (run.slack.bot_token, run.slack.signing_secret)
    lines = [r for r in caplog.records if r.name == "desk.web" and r.getMessage() == "request"]
    seen = {(r.what, r.user) for r in lines}
    assert ("event:message", ALICE) in seen
    assert ("click:intake_category_0", ALICE) in seen
    assert ("/claim", BOB) in seen
    assert all(r.status == 200 and isinstance(r.ms, float) for r in lines), [
        (r.what, r.status, r.ms) for r in lines
    ]
    opened = [r for r in caplog.records if r.getMessage() == "ticket opened"]
    assert [r.ticket for r in opened] == [1]
    everything = "\n".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert not any(secret in everything for secret in secrets)
