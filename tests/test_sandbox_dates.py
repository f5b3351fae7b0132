"""The sandbox page draws Slack's date tokens (`<!date^EPOCH^FORMAT|fallback>`) as a Slack
client does: following FORMAT, in the reader's language, "today" as of the sandbox's clock
(`bot/sandbox/static/dates.js`). Its own chrome (day dividers, the clock, "(edited 07:19)")
is written the desk's one way, in the reader's language too. Run with `node` where there is
one; the browser test (`tests/test_sandbox_browser.py`) runs the same cases in Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bot" / "sandbox" / "static" / "dates.js"

# (moment as local year, month, day, hour, minute, second; FORMAT; language; shown), the
# sandbox's clock at Monday 7 December 2026, 10:00 local time.
NOW = (2026, 12, 7, 10, 0, 0)
CASES = [
    ((2026, 12, 7, 9, 5, 0), "{date_short_pretty} at {time}", "en", "Today at 09:05"),
    ((2026, 12, 7, 9, 5, 0), "{date_short_pretty} {time}", "zh-CN", "今天 09:05"),
    ((2026, 12, 8, 9, 5, 0), "due {date_short_pretty} at {time}", "en", "due tomorrow at 09:05"),
    ((2026, 12, 6, 23, 0, 0), "{date_pretty}", "zh-CN", "昨天"),
    ((2026, 12, 10, 9, 5, 0), "{date_short_pretty} at {time}", "en", "Dec 10, 2026 at 09:05"),
    ((2026, 12, 10, 9, 5, 0), "{date_short_pretty} {time}", "zh-CN", "2026年12月10日 09:05"),
    (
        (2026, 12, 9, 9, 5, 7),
        "{date_num}|{date}|{date_long}|{date_long_pretty}|{time_secs}|{date_slash}|{date_long_full}",
        "en",
        "2026-12-09|December 9th, 2026|Wednesday, December 9th, 2026|Wednesday, December 9th, 2026"
        "|09:05:07|09/12/2026|December 9, 2026",
    ),
    (
        (2026, 12, 9, 9, 5, 7),
        "{date_num}|{date}|{date_long}|{date_slash}",
        "zh-CN",
        "2026-12-09|2026年12月9日|2026年12月9日星期三|2026/12/09",
    ),
    ((2026, 12, 1, 9, 0, 0), "{date} {date_short}", "en", "December 1st, 2026 Dec 1, 2026"),
    ((2026, 12, 22, 9, 0, 0), "{date} {date_short}", "en", "December 22nd, 2026 Dec 22, 2026"),
    ((2026, 12, 11, 9, 0, 0), "{date}", "en", "December 11th, 2026"),
    ((2026, 12, 23, 9, 0, 0), "{day_divider_pretty}", "en", "Wednesday, December 23rd"),
    ((2027, 1, 1, 9, 0, 0), "{day_divider_pretty}", "en", "Friday, January 1st, 2027"),
    ((2026, 12, 23, 9, 0, 0), "{day_divider_pretty}", "zh-CN", "12月23日星期三"),
    ((2026, 12, 7, 9, 57, 0), "{ago}", "en", "3 minutes ago"),
    ((2026, 12, 7, 7, 0, 0), "{ago}", "zh-CN", "3小时前"),
    ((2026, 12, 7, 9, 5, 0), "{time} {nonsense}", "en", "09:05 {nonsense}"),
]

# The page's chrome: (moment as local year, month, day, hour, minute, second, or seconds for a
# "span", or None for an edit of no known time; what; language; shown).
CHROME = [
    ((2026, 12, 7, 7, 19, 0), "day", "en", "Mon 7 Dec"),  # a day divider
    ((2026, 12, 7, 7, 19, 0), "day", "zh-CN", "12月7日周一"),
    ((2027, 1, 3, 23, 5, 0), "day", "en", "Sun 3 Jan"),
    ((2027, 1, 3, 23, 5, 0), "day", "zh-CN", "1月3日周日"),
    ((2026, 12, 7, 7, 19, 0), "moment", "en", "Mon 7 Dec, 07:19"),  # the clock
    ((2026, 12, 7, 7, 19, 0), "moment", "zh-CN", "12月7日周一 07:19"),
    ((2026, 12, 12, 0, 5, 0), "moment", "zh-CN", "12月12日周六 00:05"),
    ((2026, 12, 7, 7, 19, 0), "edited", "en", "(edited 07:19)"),  # an edited message
    ((2026, 12, 7, 7, 19, 0), "edited", "zh-CN", "（编辑于 07:19）"),
    (None, "edited", "en", "(edited)"),
    (None, "edited", "zh-CN", "（已编辑）"),
    (93900, "span", "en", "1d 2h 5m"),  # how far the clock is ahead
    (93900, "span", "zh-CN", "1天2小时5分钟"),
    (3570, "span", "en", "1h"),
    (3570, "span", "zh-CN", "1小时"),
    (600, "span", "zh-CN", "10分钟"),
    (0, "span", "en", "0m"),
    (0, "span", "zh-CN", "0分钟"),
]

# Run in a page or in node: each case's words, as a JSON list.
CHECK = """
const at = (p) => new Date(p[0], p[1] - 1, p[2], p[3], p[4], p[5]).getTime() / 1000;
const shownAll = (now, cases) =>
  cases.map(([moment, format, language]) => SLACK_DATE.text(at(moment), format, language, at(now)));
const chromeAll = (cases) => cases.map(([moment, what, language]) => {
  if (what === "span") return SLACK_DATE.span(moment, language);
  return SLACK_DATE[what](moment === null ? null : at(moment), language);
});
"""


def node_runs(zone: str, call: str) -> list[str]:
    """What `call` (a JSON list) gives in node with dates.js and CHECK loaded, in `zone`."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("no node to run the page's script with")
    loaded = f"const SLACK_DATE = require({json.dumps(str(SCRIPT))});\n{CHECK}"
    program = f"{loaded}\nconsole.log(JSON.stringify({call}));"
    out = subprocess.run(
        [node, "-e", program],
        env={"TZ": zone, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def node_shows(zone: str) -> list[str]:
    return node_runs(zone, f"shownAll({json.dumps(NOW)}, {json.dumps(CASES)})")


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Los_Angeles", "Asia/Shanghai"])
def test_date_tokens_follow_their_format_in_the_readers_language(zone):
    assert node_shows(zone) == [case[-1] for case in CASES]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Los_Angeles", "Asia/Shanghai"])
def test_the_pages_chrome_writes_days_and_times_in_the_readers_language(zone):
    """Day dividers, the clock, the edited marker and how far the clock is ahead: English as
    before, Chinese for a Chinese reader."""
    assert node_runs(zone, f"chromeAll({json.dumps(CHROME)})") == [case[-1] for case in CHROME]


def test_the_pages_days_and_moments_are_the_desks_own_in_either_language():
    """A fortnight of days and times, across a year's end: the page writes each as the desk
    does (`bot.i18n.Words.day` and `.moment`), so a day divider reads like the desk's words."""
    from datetime import datetime, timedelta

    from bot.i18n import words_for

    first = datetime(2026, 12, 25, 0, 5)
    moments = [first + timedelta(days=n, hours=7 * n) for n in range(14)]
    cases = [
        (list(m.timetuple())[:6], what, language, "")
        for m in moments
        for what in ("day", "moment")
        for language in ("en", "zh-CN")
    ]
    expected = [
        words_for(language).day(m.date()) if what == "day" else words_for(language).moment(m)
        for m in moments
        for what in ("day", "moment")
        for language in ("en", "zh-CN")
    ]
    assert node_runs("Asia/Shanghai", f"chromeAll({json.dumps(cases)})") == expected
