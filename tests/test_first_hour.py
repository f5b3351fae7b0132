"""What a newcomer reads in their first hour (issue 41): words, plurals and charts as Slack
shows them. Pure builders, compared as text."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.trend import sparkline
from bot.slack.details_blocks import details_view, trail_words
from bot.slack.quality_blocks import ratings_lines
from tests.factories import T0, make_ticket, minutes

BERLIN = ZoneInfo("Europe/Berlin")


def test_the_ratings_are_drawn_alike_for_every_score_given_or_not():
    assert ratings_lines({5: 4, 4: 2, 3: 0, 2: 0, 1: 1}) == [
        "5 ★ ████████ 4",
        "4 ★ ████░░░░ 2",
        "3 ★ ░░░░░░░░ 0",
        "2 ★ ░░░░░░░░ 0",
        "1 ★ ██░░░░░░ 1",
    ]
    assert ratings_lines({5: 1}) == ["5 ★ ████████ 1", *(f"{s} ★ ░░░░░░░░ 0" for s in (4, 3, 2, 1))]


def test_sparklines_are_plain_text_not_inline_code():
    from bot.domain.trend import Trend
    from bot.slack.trend_blocks import trend_lines

    assert "`" not in "".join(trend_lines(Trend(())))
    assert sparkline([0, 0, 1]) == "▁▁█"


def test_the_trail_in_details_says_what_happened_in_words():
    ticket = make_ticket().assign("U0DAVE001", T0 + minutes(1))
    ticket = ticket.claim("U0BOB0001", T0 + minutes(2)).reassign("U0BOB0001", "U0DAVE001", T0 + minutes(3))
    ticket = ticket.resolve("U0DAVE001", "Replaced the cable", T0 + minutes(4))
    lines = [trail_words(entry) for entry in ticket.trail]
    assert lines == [
        "<@U0ALICE01> opened it by direct message",
        "The desk assigned it to <@U0DAVE001>",
        "<@U0BOB0001> claimed it",
        "<@U0BOB0001> handed it to <@U0DAVE001> (from <@U0BOB0001>)",
        "<@U0DAVE001> resolved it: Replaced the cable",
    ]
    shown = str(details_view(ticket, "T-1", [], BERLIN, business=False))
    assert "opened: dm" not in shown and "<@desk>" not in shown


def test_away_speaks_of_one_ticket_as_one():
    from bot.flows.away import away_words

    assert away_words("for 2h", 1).endswith(
        "You still hold 1 open ticket: hand it over with `/desk reassign` if it can't wait."
    )
    assert "hand them over" in away_words("for 2h", 3) and "3 open tickets" in away_words("for 2h", 3)
    assert away_words("for 2h", 0).endswith("new tickets.")
