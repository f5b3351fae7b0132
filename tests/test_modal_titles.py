"""Modal titles fit Block Kit's 24 characters by cutting at a word, never inside a ticket
reference (issue 35, item 7): "Details of IT-1234567" is "Details IT-1234567", not
"Details of IT-12345"."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.refs import format_ref
from bot.localslack.blockkit import check_view
from bot.slack.agent_blocks import AgentIds, text_form
from bot.slack.details_blocks import details_view
from bot.slack.mrkdwn import MODAL_TITLE, modal_title
from bot.slack.rating_blocks import comment_form
from tests.factories import make_ticket


@pytest.mark.parametrize(
    ("words", "ref", "title"),
    [
        ("Details of", "T-4", "Details of T-4"),
        ("Details of", "ABCDEFGHIJ-1234", "Details ABCDEFGHIJ-1234"),
        ("Comment on", "IT-12345678901", "Comment IT-12345678901"),
        ("Reply on", "ABCDEFGHIJ-1234567", "Reply ABCDEFGHIJ-1234567"),
        ("Wait on", "ABCDEFGHIJ-1234567890123", "ABCDEFGHIJ-1234567890123"),  # no word fits beside it
        ("Details of", "ABCDEFGHIJ-12345678901234", "Details of"),  # nor the reference itself
        ("New ticket", "", "New ticket"),
    ],
)
def test_a_title_is_cut_at_a_word_and_keeps_the_reference_whole(words, ref, title):
    assert modal_title(words, ref) == title


@given(
    words=st.sampled_from(["Details of", "Comment on", "Reply on", "Wait on", "Resolve"]),
    prefix=st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=10),
    number=st.integers(min_value=1, max_value=10**12),
)
def test_any_reference_either_shows_whole_or_not_at_all(words, prefix, number):
    ref = format_ref(number, prefix)
    title = modal_title(words, ref)
    assert 0 < len(title) <= MODAL_TITLE
    if title.endswith(ref):
        lead = title.removesuffix(ref).split()
    else:  # the reference does not fit at all: none of it is shown
        assert f"{prefix}-" not in title
        lead = title.split()
    assert lead == words.split()[: len(lead)], "whole words, from the start"


def test_the_desks_modals_keep_a_long_reference_whole_and_pass_slacks_checks():
    ref = format_ref(1234, "ABCDEFGHIJ")
    ticket = make_ticket(1234)
    views = [
        text_form(AgentIds.REPLY_FORM, 1234, ref, "C0TRIAGE1"),
        text_form(AgentIds.WAIT_FORM, 1234, ref, "C0TRIAGE1"),
        text_form(AgentIds.RESOLVE_FORM, 1234, ref, "C0TRIAGE1"),
        details_view(ticket, ref, [], ZoneInfo("Europe/Berlin"), business=False),
        comment_form(1234, ref, "D0ALICE01:1.0", ""),
    ]
    titles = [view["title"]["text"] for view in views]
    assert titles == [
        "Reply on ABCDEFGHIJ-1234",
        "Wait on ABCDEFGHIJ-1234",
        "Resolve ABCDEFGHIJ-1234",
        "Details ABCDEFGHIJ-1234",
        "Comment ABCDEFGHIJ-1234",
    ]
    assert all(check_view(view) == [] for view in views)
