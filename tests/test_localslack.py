"""The local Slack answers as Slack does, so tests against it mean something."""

import time

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.localslack import ChannelPace, LocalSlack
from bot.localslack.driver import Driver
from bot.localslack.methods import CONSUMES, JSON
from bot.localslack.workspace import BOT_USER, Channel
from bot.slack.gateway import SlackFailure, SlackGateway, build_client
from tests.harness import ALICE, GENERAL, TRIAGE


def raw_client(slack: LocalSlack, token: str | None = None) -> AsyncWebClient:
    return AsyncWebClient(token=token or slack.bot_token, base_url=slack.api_url)


async def call(client: AsyncWebClient, method: str, **args) -> dict:
    """The body Slack answered, errors included (slack_sdk raises on `ok: false`). The
    arguments go as JSON where Slack reads JSON, else as GET parameters (the spec's `consumes`)."""
    try:
        if not args:
            response = await client.api_call(method)
        elif JSON in CONSUMES.get(method, (JSON,)):
            response = await client.api_call(method, json=args)
        else:
            response = await client.api_call(method, http_verb="GET", params=args)
    except SlackApiError as refused:
        return refused.response.data
    return response.data


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


async def test_post_update_and_read_back(slack):
    client = raw_client(slack)
    posted = await call(client, "chat.postMessage", channel=TRIAGE, text="hi", blocks=[section("*hi*")])
    assert posted["ok"] and posted["channel"] == TRIAGE
    await call(client, "chat.update", channel=TRIAGE, ts=posted["ts"], text="bye", blocks=[section("bye")])
    message = slack.workspace.find_message(TRIAGE, posted["ts"])
    assert (message.text, message.edited) == ("bye", True)


async def test_posts_to_one_channel_keep_slacks_pace_of_about_one_a_second(slack):
    slack.channel_pace = ChannelPace(rate=1.0, burst=3)
    now = [1000.0]
    slack.pace_clock = lambda: now[0]  # the pace's clock stands still until we move it
    client = raw_client(slack)
    answers = [await call(client, "chat.postMessage", channel=TRIAGE, text=f"n{i}") for i in range(4)]
    assert [a["ok"] for a in answers] == [True, True, True, False]
    assert answers[3]["error"] == "ratelimited"
    assert [m.text for m in slack.workspace.channels[TRIAGE].messages] == [
        "n0",
        "n1",
        "n2",
    ]  # refused: not posted
    refused = slack.calls[-1]
    assert (refused.status, refused.error) == (429, "ratelimited")
    assert (await call(client, "chat.postMessage", channel=GENERAL, text="elsewhere"))["ok"]  # per channel
    ts = answers[0]["ts"]
    assert (await call(client, "chat.update", channel=TRIAGE, ts=ts, text="edited"))[
        "ok"
    ]  # edits are not posts
    now[0] += 0.95
    assert (await call(client, "chat.postMessage", channel=TRIAGE, text="n4"))["error"] == "ratelimited"
    now[0] += 0.05  # a second after the burst: one more may go
    assert (await call(client, "chat.postMessage", channel=TRIAGE, text="n4"))["ok"]
    assert slack.channel_pace.refused == 2


async def test_a_post_over_the_pace_says_when_to_come_back(slack):
    slack.channel_pace = ChannelPace(rate=1.0, burst=1)
    http = raw_client(slack)
    await call(http, "chat.postMessage", channel=TRIAGE, text="first")
    try:
        await http.api_call("chat.postMessage", json={"channel": TRIAGE, "text": "second"})
    except SlackApiError as refused:
        assert refused.response.status_code == 429
        assert refused.response.headers["Retry-After"] == "1"
    else:
        raise AssertionError("the second post within a second was taken")


async def test_history_is_newest_first_with_oldest_and_limit(slack):
    client = raw_client(slack)
    sent = [(await call(client, "chat.postMessage", channel=TRIAGE, text=f"m{i}"))["ts"] for i in range(4)]
    everything = await call(client, "conversations.history", channel=TRIAGE)
    assert [m["text"] for m in everything["messages"]] == ["m3", "m2", "m1", "m0"]
    assert not everything["has_more"]
    after = await call(client, "conversations.history", channel=TRIAGE, oldest=sent[1])
    assert [m["text"] for m in after["messages"]] == ["m3", "m2"]  # `oldest` itself is left out
    two = await call(client, "conversations.history", channel=TRIAGE, limit=2)
    assert ([m["ts"] for m in two["messages"]], two["has_more"]) == (sent[:1:-1], True)


@pytest.mark.parametrize(
    ("method", "args", "error"),
    [
        ("chat.postMessage", {"text": "no channel"}, "channel_not_found"),
        ("chat.postMessage", {"channel": "C0NOWHERE", "text": "x"}, "channel_not_found"),
        ("chat.postMessage", {"channel": TRIAGE}, "no_text"),
        ("chat.postMessage", {"channel": TRIAGE, "text": "x" * 40001}, "msg_too_long"),
        ("chat.postMessage", {"channel": TRIAGE, "blocks": [section("x" * 3001)]}, "invalid_blocks"),
        ("chat.postMessage", {"channel": TRIAGE, "blocks": [section("x")] * 51}, "invalid_blocks"),
        ("chat.update", {"channel": TRIAGE, "text": "x"}, "message_not_found"),
        ("chat.update", {"channel": TRIAGE, "ts": "1.000001", "text": "x"}, "message_not_found"),
        ("chat.postEphemeral", {"channel": TRIAGE, "user": ALICE, "text": "x"}, "user_not_in_channel"),
        ("conversations.open", {}, "users_list_not_supplied"),
        ("users.info", {"user": "U0NOBODY1"}, "user_not_found"),
        ("views.open", {"trigger_id": "nope", "view": {"type": "modal"}}, "invalid_trigger_id"),
        ("views.publish", {"user_id": ALICE}, "invalid_arguments"),
        ("no.such.method", {"x": 1}, "unknown_method"),
    ],
)
async def test_mistakes_get_slacks_error_codes(slack, method, args, error):
    answer = await call(raw_client(slack), method, **args)
    assert answer["ok"] is False and answer["error"] == error


async def test_the_bot_must_be_in_a_channel_to_post(slack):
    slack.workspace.channels[GENERAL].members.discard("U0DESKBOT")
    answer = await call(raw_client(slack), "chat.postMessage", channel=GENERAL, text="x")
    assert answer["error"] == "not_in_channel"


@pytest.mark.parametrize(
    ("block", "pointer"),
    [
        (
            {
                "type": "actions",
                "elements": [{"type": "button", "text": {"type": "plain_text", "text": "b" * 76}}],
            },
            "/blocks/0/elements/0/text/text",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "action_id": "a" * 256, "text": {"type": "plain_text", "text": "ok"}}
                ],
            },
            "/blocks/0/elements/0/action_id",
        ),
        ({"type": "header", "text": {"type": "mrkdwn", "text": "x"}}, "/blocks/0/text/type"),
        ({"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}, "/blocks/0/fields"),
        ({"type": "banner"}, "/blocks/0/type"),
    ],
)
async def test_block_kit_limits_are_checked_with_a_pointer(slack, block, pointer):
    answer = await call(raw_client(slack), "chat.postMessage", channel=TRIAGE, blocks=[block])
    assert answer["error"] == "invalid_blocks"
    assert any(pointer in m for m in answer["response_metadata"]["messages"])


async def test_modal_title_limit_and_trigger_life(slack):
    client = raw_client(slack)
    view = {"type": "modal", "title": {"type": "plain_text", "text": "x" * 25}, "blocks": [section("Hello")]}
    trigger = slack.workspace.issue("trigger", ALICE, GENERAL)
    assert (await call(client, "views.open", trigger_id=trigger, view=view))["error"] == "invalid_arguments"
    view["title"]["text"] = "New request"
    expired = slack.workspace.issue("trigger", ALICE, GENERAL)
    slack.workspace.triggers[expired].expires = time.monotonic() - 0.1
    assert (await call(client, "views.open", trigger_id=expired, view=view))["error"] == "expired_trigger_id"
    fresh = slack.workspace.issue("trigger", ALICE, GENERAL)
    opened = await call(client, "views.open", trigger_id=fresh, view=view)
    assert opened["view"]["id"] in slack.workspace.views


async def test_tokens_are_checked(slack):
    missing = AsyncWebClient(token=None, base_url=slack.api_url)
    assert (await call(missing, "auth.test"))["error"] == "not_authed"
    assert (await call(raw_client(slack, "xoxb-wrong"), "auth.test"))["error"] == "invalid_auth"
    app_level = raw_client(slack, slack.app_token)
    assert (await call(app_level, "chat.postMessage", channel=TRIAGE, text="x"))[
        "error"
    ] == "not_allowed_token_type"
    assert (await call(app_level, "apps.connections.open"))["url"].startswith("ws://127.0.0.1")


async def test_form_encoded_calls_with_token_in_body_work(slack):
    client = AsyncWebClient(token=None, base_url=slack.api_url)
    response = await client.api_call(
        "chat.postMessage", data={"token": slack.bot_token, "channel": TRIAGE, "text": "form"}
    )
    assert response.data["ok"] is True


async def test_gateway_waits_out_rate_limits_and_5xx(slack):
    slack.faults.rate_limited, slack.faults.retry_after = 2, 1
    slack.faults.server_errors = 2
    gateway = SlackGateway(build_client(slack.bot_token, slack.api_url))
    started = time.monotonic()
    posted = await gateway.post(TRIAGE, "after the storm")
    waited = time.monotonic() - started
    statuses = [c.status for c in slack.calls if c.method == "chat.postMessage"]
    assert statuses == [500, 500, 429, 429, 200]
    assert waited >= 2.0, "each 429 must be waited out for its Retry-After"
    assert slack.workspace.find_message(TRIAGE, posted.ts).text == "after the storm"


async def test_gateway_gives_up_on_permanent_errors_and_long_outages(slack):
    gateway = SlackGateway(build_client(slack.bot_token, slack.api_url, patience=1))
    with pytest.raises(SlackFailure) as caught:
        await gateway.post("C0NOWHERE", "x")
    assert caught.value.permanent and caught.value.error == "channel_not_found"
    slack.faults.down = True
    with pytest.raises(SlackFailure) as caught:
        await gateway.post(TRIAGE, "x")
    assert not caught.value.permanent


async def test_gateway_dm_and_names(slack):
    gateway = SlackGateway(build_client(slack.bot_token, slack.api_url))
    posted = await gateway.dm(ALICE, "hello")
    assert posted.channel == "D0ALICE01"
    assert await gateway.display_name(ALICE) == "Alice Archer"
    assert len([c for c in slack.calls if c.method == "users.info"]) == 1
    await gateway.display_name(ALICE)
    assert len([c for c in slack.calls if c.method == "users.info"]) == 1, "names are remembered"


async def test_response_urls_answer_privately_and_wear_out(slack):
    gateway = SlackGateway(build_client(slack.bot_token, slack.api_url))
    token = slack.workspace.issue("hook", ALICE, GENERAL)
    url = slack.url + "response/" + token
    await gateway.respond(url, "only you can see this")
    shown = slack.workspace.visible_to(ALICE, GENERAL)
    assert shown[-1].text == "only you can see this" and shown[-1].ephemeral_to == ALICE
    assert all(m.text != "only you can see this" for m in slack.workspace.visible_to("U0BOB0001", GENERAL))
    for _ in range(4):
        await gateway.respond(url, "again")
    with pytest.raises(SlackFailure, match="http_404"):
        await gateway.respond(url, "a sixth answer is one too many")


BUTTON = {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "action_id": "go"}


@pytest.mark.parametrize(
    ("blocks", "why"),
    [
        # Only slack_sdk's models catch these (our own checks pass them): its second reading.
        ([{"type": "image", "image_url": "https://example.com/a.png"}], "alt_text"),
        ([{"type": "image", "image_url": "https://example.com/a.png", "alt_text": "a" * 2001}], "alt_text"),
        # Slack answers invalid_blocks for repeated ids.
        ([{"type": "divider", "block_id": "b"}, {"type": "divider", "block_id": "b"}], "duplicate block_id"),
        ([{"type": "actions", "elements": [BUTTON, BUTTON]}], "duplicate action_id"),
    ],
)
async def test_blocks_are_read_a_second_time_by_slack_sdks_models(slack, blocks, why):
    answer = await call(raw_client(slack), "chat.postMessage", channel=TRIAGE, text="t", blocks=blocks)
    assert answer["error"] == "invalid_blocks"
    assert any(why in m for m in answer["response_metadata"]["messages"])
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Form"}, "blocks": blocks}
    trigger = slack.workspace.issue("trigger", ALICE, GENERAL)
    refused = await call(raw_client(slack), "views.open", trigger_id=trigger, view=view)
    assert refused["error"] == "invalid_arguments"


async def test_a_modal_without_blocks_is_refused_as_slack_sdk_refuses_it(slack):
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Form"}, "blocks": []}
    trigger = slack.workspace.issue("trigger", ALICE, GENERAL)
    refused = await call(raw_client(slack), "views.open", trigger_id=trigger, view=view)
    assert refused["error"] == "invalid_arguments"
    assert any("between 1 and 100 blocks" in m for m in refused["response_metadata"]["messages"])


async def test_a_response_url_replaces_or_deletes_the_message_clicked_on(slack):
    """Slack's "Handling user interaction": `replace_original` and `delete_original`."""
    client = raw_client(slack)
    posted = await call(client, "chat.postMessage", channel=GENERAL, text="pick one")
    hook = AsyncWebhookClient(
        slack.url + "response/" + slack.workspace.issue("hook", ALICE, GENERAL, posted["ts"])
    )
    assert (await hook.send(text="picked", replace_original=True)).status_code == 200
    message = slack.workspace.find_message(GENERAL, posted["ts"])
    assert (message.text, message.edited) == ("picked", True)
    assert (await hook.send(delete_original=True)).status_code == 200
    assert slack.workspace.find_message(GENERAL, posted["ts"]) is None
    assert (await hook.send(text="again", replace_original=True)).status_code == 400  # nothing to replace


async def test_the_bot_must_be_in_a_channel_to_read_it_or_whisper_there(slack):
    slack.workspace.channels["C0SECRET1"] = Channel("C0SECRET1", "secret", {ALICE})
    client = raw_client(slack)
    assert (await call(client, "conversations.history", channel="C0SECRET1"))["error"] == "not_in_channel"
    assert (await call(client, "chat.postEphemeral", channel="C0SECRET1", user=ALICE, text="psst"))[
        "error"
    ] == "not_in_channel"
    _, delivered = await Driver(slack).say(ALICE, "C0SECRET1", f"<@{BOT_USER}> help")
    assert delivered is None, "no app_mention from a channel the app is not in"


async def test_history_and_replies_come_in_pages_with_cursors(slack):
    client = raw_client(slack)
    parent = await call(client, "chat.postMessage", channel=GENERAL, text="parent")
    for n in range(5):
        await call(client, "chat.postMessage", channel=GENERAL, text=f"r{n}", thread_ts=parent["ts"])
    seen, cursor = [], None
    while True:
        page = await call(
            client,
            "conversations.replies",
            channel=GENERAL,
            ts=parent["ts"],
            limit=2,
            **({"cursor": cursor} if cursor else {}),
        )
        seen += [m["text"] for m in page["messages"]]
        if not page["has_more"]:
            break
        cursor = page["response_metadata"]["next_cursor"]
    assert seen == ["parent", "r0", "r1", "r2", "r3", "r4"]
    [top] = (await call(client, "conversations.history", channel=GENERAL))["messages"]
    assert (top["thread_ts"], top["reply_count"]) == (parent["ts"], 5), "a thread's parent says so"
    assert (await call(client, "conversations.history", channel=GENERAL, cursor="nonsense"))[
        "error"
    ] == "invalid_cursor"
