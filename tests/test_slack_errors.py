"""Every error Slack documents for the methods the desk calls, answered by the local Slack
(`Faults.refuse`) and read by the gateway: passing (tried again until it goes) only where
Slack's documentation says so, a refusal (parked after a few tries) for the rest."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from bot.localslack.errors import DOCUMENTED, SPEC
from bot.slack.gateway import SlackFailure, SlackGateway, build_client, is_transient
from bot.slack.parked_blocks import cause_of, why
from tests.harness import GENERAL

PASSING = {
    "ratelimited",
    "rate_limited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "team_added_to_org",
    "org_login_required",
}


async def test_the_local_slack_answers_every_documented_error_of_every_method(slack):
    client = build_client(slack.bot_token, slack.api_url, patience=0)
    answered = 0
    for method, errors in sorted(DOCUMENTED.items()):
        for error in sorted(errors):
            slack.faults.refuse(method, error, times=1)
            with pytest.raises(SlackApiError) as caught:
                await client.api_call(method, json={"channel": GENERAL})
            assert caught.value.response["error"] == error, (method, error)
            expected = {"ratelimited": 429, "service_unavailable": 503}.get(error, 200)
            assert caught.value.response.status_code == expected
            answered += 1
    assert answered >= 290
    print(f"{answered} documented errors answered across {len(DOCUMENTED)} methods")


def test_the_spec_lists_come_from_slacks_published_spec():
    """A spot check against slack_web_openapi_v2.json's error enums (read when the table was
    written; the tests never read ../shared)."""
    assert SPEC["chat.update"][:4] == (
        "message_not_found",
        "cant_update_message",
        "channel_not_found",
        "edit_window_closed",
    )
    assert (
        "user_not_visible" in SPEC["conversations.open"]
        and "thread_not_found" in SPEC["conversations.replies"]
    )


@pytest.mark.parametrize("error", sorted(set().union(*DOCUMENTED.values())))
def test_each_error_is_passing_only_where_slack_says_so_and_has_words(error):
    failure = SlackFailure("chat.postMessage", error)
    assert failure.permanent is (error not in PASSING)
    assert is_transient(error) is (error in PASSING)
    if failure.permanent:  # the leads are told what it means, in a sentence naming the place
        line = why(error, GENERAL, "IT Help")
        assert line.endswith(".") and ("<#C0GENERAL>" in line or cause_of(error) in ("auth",))


@pytest.mark.parametrize(
    ("error", "transient"), [("http_502", True), ("http_404", False), ("unreachable", True)]
)
def test_transport_failures(error, transient):
    assert is_transient(error) is transient


async def test_a_rate_limit_is_passing_and_keeps_its_retry_after(slack):
    gateway = SlackGateway(build_client(slack.bot_token, slack.api_url, patience=0))
    slack.faults.rate_limited = 1
    with pytest.raises(SlackFailure) as caught:
        await gateway.post(GENERAL, "x")
    assert not caught.value.permanent and caught.value.retry_after == 1.0
