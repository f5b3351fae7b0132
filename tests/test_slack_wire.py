"""The wire as Slack reads it, checked against Slack's published Web API spec.

`tests/data/slack_web_api_facts.json` holds the spec's facts (written by
`tools/slack_spec_facts.py` from slackapi/slack-api-specs, MIT): for each method, the content
types Slack reads its arguments from (`consumes`), where each argument goes and which are
required. These tests hold the local Slack's reading of every method it serves to that, and
the gateway's calls to what the local Slack then accepts, so neither can drift alone.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest
import yaml
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.localslack import LocalSlack
from bot.localslack.methods import CONSUMES, FORM, JSON, NOT_IN_SPEC, REQUIRED
from bot.slack.gateway import SlackGateway, build_client
from tests.harness import ALICE, BOB, TRIAGE

ROOT = Path(__file__).resolve().parent.parent
FACTS = json.loads((ROOT / "tests" / "data" / "slack_web_api_facts.json").read_text())["methods"]
SERVED = sorted(m for m in CONSUMES if m not in NOT_IN_SPEC)
# The bot-token scope each method needs, from its page in Slack's method reference
# (docs.slack.com/reference/methods/<method>, "Required scopes"; the spec above lists the
# legacy `chat:write:bot` for the chat methods). History and replies need the scope of the
# conversation's type: public channels, private channels and DMs, which the desk reads.
SCOPES: dict[str, set[str]] = {
    "auth.test": set(),
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "conversations.open": {"im:write"},
    "conversations.history": {"channels:history", "groups:history", "im:history"},
    "conversations.replies": {"channels:history", "groups:history", "im:history"},
    "users.info": {"users:read"},
    "users.lookupByEmail": {"users:read.email"},
    "views.open": set(),
    "views.update": set(),
    "views.publish": set(),
    # newer than the spec file: docs.slack.dev/reference/methods/files.getUploadURLExternal
    # and .../files.completeUploadExternal, "Required scopes: files:write"
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
    "usergroups.users.list": {"usergroups:read"},  # the spec's "Requires scope: usergroups:read"
}
LEGACY = {"chat:write:bot": "chat:write", "chat:write:user": "chat:write"}


@pytest.mark.parametrize("method", SERVED)
def test_the_local_slack_reads_each_method_from_where_the_spec_puts_it(method):
    spec = FACTS[method]
    assert set(CONSUMES[method]) == set(spec["consumes"]), f"{method}: the content types Slack reads"
    required = {name for name, p in spec["parameters"].items() if p["required"] and name != "token"}
    assert required <= set(REQUIRED[method]), f"{method}: every argument the spec requires"


@pytest.mark.parametrize("method", [m for m in SERVED if JSON not in CONSUMES[m]])
async def test_a_json_body_to_a_form_only_method_is_ignored_as_slack_ignores_it(slack, method):
    """kortix-ai/suna#6616 and friggframework/frigg#147: users.info sent as JSON fails on a
    real workspace with user_not_found, because Slack never reads the body."""
    slack.workspace.usergroups["S0ITADMIN"] = (BOB,)
    args = {
        "users.info": {"user": ALICE},
        "users.lookupByEmail": {"email": "alice@example.com"},
        "conversations.history": {"channel": TRIAGE},
        "usergroups.users.list": {"usergroup": "S0ITADMIN"},
    }.get(method, {"channel": TRIAGE, "ts": "1.0"})
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    with pytest.raises(SlackApiError) as refused:
        await client.api_call(method, json=args)
    assert refused.value.response["error"] in (
        "user_not_found",
        "users_not_found",
        "channel_not_found",
        "message_not_found",
        "no_such_subteam",
    )
    if method != "conversations.replies":  # no such thread: the arguments did arrive
        answer = await client.api_call(method, http_verb="GET", params=args)
        assert answer["ok"]


async def exercise(gateway: SlackGateway, slack: LocalSlack) -> None:
    """Call every method of the gateway once, with arguments Slack takes."""
    await gateway.who_am_i()
    posted = await gateway.post(
        TRIAGE, "card", [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    )
    await gateway.post(
        TRIAGE,
        "reply",
        thread=posted.ts,
        broadcast=True,
        metadata={"event_type": "t", "event_payload": {"id": "1"}},
    )
    await gateway.update(TRIAGE, posted.ts, "edited")
    await gateway.whisper(TRIAGE, BOB, "only you")
    assert await gateway.look_back(TRIAGE)
    assert (await gateway.message_at(TRIAGE, posted.ts) or {}).get("ts") == posted.ts
    assert len(await gateway.look_back(TRIAGE, posted.ts, metadata=True)) == 2
    inside = await gateway.post(TRIAGE, "in the thread only", thread=posted.ts)  # not in history
    assert (await gateway.message_at(TRIAGE, inside.ts) or {}).get("thread_ts") == posted.ts
    await gateway.dm(ALICE, "hello")
    assert await gateway.dm_channel(BOB) == slack.workspace.im_with(BOB).id
    assert await gateway.display_name(BOB) == "Bob Baker"
    assert await gateway.locale(ALICE) == "en-US"  # users.info with include_locale
    assert await gateway.user_by_email("Alice@Example.com") == ALICE
    hello = [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}]
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Form"}, "blocks": hello}
    view_id = await gateway.open_view(slack.workspace.issue("trigger", BOB, TRIAGE), modal)
    await gateway.update_view(view_id, modal)
    await gateway.publish_home(ALICE, {"type": "home", "blocks": hello})
    slack.workspace.usergroups["S0ITADMIN"] = (BOB, ALICE)
    assert await gateway.usergroup_members("S0ITADMIN") == (BOB, ALICE)
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    await gateway.upload(await gateway.dm_channel(BOB), png, "chart.png", "Chart", "A chart", "bars")


def test_the_exercise_calls_every_method_of_the_gateway():
    public = {
        name
        for name, _ in inspect.getmembers(SlackGateway, inspect.iscoroutinefunction)
        if not name.startswith("_")
    }
    called = set(inspect.getsource(exercise).replace("(", " ").replace(".", " ").split())
    assert public - {"respond", "replace_clicked"} <= called, "they answer a response_url, not the Web API"


async def test_every_gateway_call_goes_on_the_wire_as_slack_reads_it(slack):
    gateway = SlackGateway(build_client(slack.bot_token, slack.api_url, patience=0))
    await exercise(gateway, slack)
    assert slack.errors() == []
    for call in slack.calls:
        if call.method == "upload":  # the upload URL, not a Web API method: bytes, as slack_sdk sends
            continue
        spec = FACTS[call.method]["consumes"] if call.method in FACTS else CONSUMES[call.method]
        allowed = {"json"} if JSON in spec else set()
        allowed |= {"query", "form"} if FORM in spec else set()
        assert call.sent_as in allowed, f"{call.method} went as {call.sent_as}; Slack reads {spec}"
    called = {c.method for c in slack.calls} - {"upload"}
    assert called == set(SCOPES), "every method the desk calls has its scopes"


def test_the_manifest_asks_for_every_scope_the_desk_calls_need():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    granted = set(manifest["oauth_config"]["scopes"]["bot"])
    for method, scopes in SCOPES.items():
        assert scopes <= granted, f"{method} needs {scopes - granted}"
        if method in NOT_IN_SPEC:
            continue  # its scopes are cited above, from its reference page
        listed = {LEGACY.get(s, s) for s in FACTS[method]["scopes"]} - {"none"}
        assert scopes <= listed, f"{method}: the spec names {listed}"
