"""User text is escaped and cut safely; logs never carry secrets."""

import logging
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.logs import LineFormatter, Redactor
from bot.slack.links import permalink
from bot.slack.mrkdwn import CUT_NOTE, escape, fit, people_as_names, people_in, safe, tokens_as_words


def test_escaping_defuses_mentions_and_links():
    assert (
        escape("<!channel> & <@U123> <http://x|y>")
        == "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;http://x|y&gt;"
    )


def test_long_text_is_cut_with_a_note_and_never_inside_an_entity():
    text = "a" * 2990 + "&&&&&&&&&&"
    shown = safe(text, 3000)
    assert len(shown) <= 3000 and shown.endswith(CUT_NOTE)
    body = shown[: -len(CUT_NOTE)]
    assert not body.endswith(("&", "&a", "&am", "&amp"))


@given(st.text(max_size=5000), st.integers(min_value=len(CUT_NOTE) + 1, max_value=4000))
def test_safe_text_always_fits_and_has_no_raw_control_characters(text, limit):
    shown = safe(text, limit)
    assert len(shown) <= limit
    assert "<" not in shown and ">" not in shown
    assert fit(escape(text), 10**6) == escape(text)


def test_redactor_removes_tokens_and_secrets_from_messages_extras_and_tracebacks():
    redactor = Redactor(["s3cr3t-signing"])
    try:
        raise RuntimeError("bad token xoxb-1234-abcd")
    except RuntimeError:
        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "got %s and %s", ("xapp-1-AAA", "s3cr3t-signing"), None
        )
        record.exc_info = sys.exc_info()
    record.header = "Bearer xoxb-9999-zzzz"
    assert redactor.filter(record)
    line = LineFormatter().format(record)
    assert "xoxb-1234" not in line and "xapp-1-AAA" not in line and "s3cr3t-signing" not in line
    assert "xoxb-9999" not in line
    assert "xoxb-[redacted]" in line and "[redacted]" in line


# -- Slack's tokens as words, and links to messages --------------------------------------
@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("ask <@U0BOB0001> first", "ask <@U0BOB0001> first"),  # people are named by the flow
        ("see <#C0IT00001|it-help>", "see #it-help"),
        ("<!here> the VPN is down", "@here the VPN is down"),
        ("ping <!subteam^S0LEADS01|@leads>", "ping @leads"),
        ("at <!date^1700000000^{date}|Nov 14>", "at Nov 14"),
        ("read <https://wiki.example/vpn|the wiki>", "read the wiki (https://wiki.example/vpn)"),
        ("read <https://wiki.example/vpn>", "read https://wiki.example/vpn"),
        ("mail <mailto:it@example.com|it@example.com>", "mail it@example.com"),
        ("typed &lt;PC LOAD LETTER&gt; &amp; stops", "typed &lt;PC LOAD LETTER&gt; &amp; stops"),
    ],
)
def test_slacks_tokens_read_as_the_words_they_show(sent, shown):
    assert tokens_as_words(sent) == shown


def test_people_are_named_and_the_unknown_keep_the_label_or_id():
    names = {"U0BOB0001": "Bob Baker"}
    text = "<@U0BOB0001> and <@U0DAVE001|dave> and <@U0ERIN001> and <@U0BOB0001>"
    assert people_in(text) == ["U0BOB0001", "U0DAVE001", "U0ERIN001"]
    assert people_as_names(text, names) == "@Bob Baker and @dave and @U0ERIN001 and @Bob Baker"


def test_a_permalink_has_the_shape_chat_getpermalink_answers():
    # Slack's Web API spec, chat.getPermalink's example: .../archives/C1H9RESGA/p135854651500008
    assert permalink("https://ghostbusters.slack.com/", "C1H9RESGA", "1358546515.00008") == (
        "https://ghostbusters.slack.com/archives/C1H9RESGA/p135854651500008"
    )
    assert permalink("", "C1H9RESGA", "1358546515.00008") is None
    # "When the provided message_ts is part of a thread, the permalink format changes"
    # (api.slack.com/methods/chat.getPermalink)
    assert permalink(
        "https://ghostbusters.slack.com", "C1H9RESGL", "1358546517.00023", "1358546515.000008"
    ) == (
        "https://ghostbusters.slack.com/archives/C1H9RESGL/p135854651700023?thread_ts=1358546515.000008&cid=C1H9RESGL"
    )
    assert permalink("https://x.slack.com", "C1", "1.2", "1.2") == "https://x.slack.com/archives/C1/p12"
