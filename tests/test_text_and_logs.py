"""User text is escaped and cut safely; logs never carry secrets."""

import logging
import sys

from hypothesis import given
from hypothesis import strategies as st

from bot.logs import LineFormatter, Redactor
from bot.slack.mrkdwn import CUT_NOTE, escape, fit, safe


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
