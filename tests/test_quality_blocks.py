"""The quality summary and the rating request as Block Kit: valid, readable, honest when empty."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.quality import Period, summarize
from bot.domain.ticket import Rating
from bot.localslack.blockkit import check_message_blocks
from bot.slack.quality_blocks import count_change, quality_answer, score_change, share_change, time_change
from bot.slack.rating_blocks import rating_request
from tests.factories import T0
from tests.harness import blocks_text

BERLIN = ZoneInfo("Europe/Berlin")
M = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        (count_change(4, 1), "↑ 3"),
        (count_change(1, 4), "↓ 3"),
        (count_change(2, 2), "→ same"),
        (time_change(30 * M, 20 * M), "↑ 10m"),
        (time_change(20 * M, 90 * M), "↓ 1h 10m"),
        (time_change(None, 20 * M), ""),  # nothing to compare with: no arrow at all
        (share_change(0.5, 1.0), "↓ 50 pts"),
        (share_change(0.9, None), ""),
        (score_change(3.5, 4.0), "↓ 0.5"),
        (score_change(4.04, 4.0), "→ same"),
    ],
)
def test_changes_read_as_arrows_with_the_difference(said, expected):
    assert said == expected


def test_an_empty_period_is_one_plain_sentence():
    period = Period(T0, T0 + timedelta(days=7))
    empty = summarize([], lambda p: None, period)  # type: ignore[arg-type,return-value]
    _, blocks = quality_answer(empty, empty, 7, BERLIN)
    assert check_message_blocks(blocks) == []
    assert blocks[0]["type"] == "header"
    assert blocks_text(blocks).endswith(
        "Nothing to report for the last 7 days: no tickets were opened, resolved, rated or escalated."
    )
    assert "0%" not in blocks_text(blocks) and "CSAT" not in blocks_text(blocks)


@pytest.mark.parametrize("rating", [None, Rating(4, T0), Rating(None, T0, "nice"), Rating(2, T0, "x" * 5000)])
@pytest.mark.parametrize("choosing", [True, False])
def test_the_rating_request_is_valid_block_kit_in_every_state(rating, choosing):
    request, note = "<!channel> help " * 100, "n" * 4000
    _, blocks = rating_request("T-1", 1, request, "U0BOB0001", note, rating, choosing=choosing)
    assert check_message_blocks(blocks) == []
    assert "<!channel>" not in blocks_text(blocks)
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    scores = [e["value"] for e in buttons if e["action_id"] in {f"rate_{n}" for n in range(1, 6)}]
    shows_buttons = choosing or rating is None or rating.score is None
    assert scores == (["1", "2", "3", "4", "5"] if shows_buttons else [])
