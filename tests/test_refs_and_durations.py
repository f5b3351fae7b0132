from datetime import timedelta

import pytest

from bot.domain.durations import compact_duration, format_duration, parse_duration
from bot.domain.errors import BadReference
from bot.domain.refs import format_ref, parse_ref


@pytest.mark.parametrize("text", ["T-42", "t-42", "#42", "42", " T42 ", "T-0042"])
def test_references_people_write_are_read(text):
    assert parse_ref(text, "T") == 42


@pytest.mark.parametrize("text", ["", "T-", "X-42", "42a", "T-0", "#", "-42", "T--42", "4" * 12])
def test_other_text_is_not_a_reference(text):
    with pytest.raises(BadReference, match="Write it like T-42"):
        parse_ref(text, "T")


def test_prefix_is_used_both_ways():
    assert format_ref(7, "IT") == "IT-7"
    assert parse_ref("it-7", "IT") == 7


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("15m", 900), ("4h", 14400), ("3d", 259200), ("1h30m", 5400), ("2w", 1209600)],
)
def test_durations_parse(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["15", "15 minutes", "", "0m", "-5m", "h", "1.5h"])
def test_bad_durations_say_what_is_expected(text):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "shown", "compact"),
    [(45, "45s", "45s"), (900, "15m", "15m"), (5400, "1h 30m", "90m"), (273600, "3d 4h", "76h")],
)
def test_durations_are_shown_briefly(seconds, shown, compact):
    assert format_duration(timedelta(seconds=seconds)) == shown
    assert compact_duration(timedelta(seconds=seconds)) == compact
