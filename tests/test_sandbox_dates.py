"""The sandbox page draws Slack's date tokens (`<!date^EPOCH^FORMAT|fallback>`) as a Slack
client does: following FORMAT, in the reader's language, "today" as of the sandbox's clock
(`bot/sandbox/static/dates.js`). Run with `node` where there is one; the browser test
(`tests/test_sandbox_browser.py`) runs the same cases in Chromium."""

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

# Run in a page or in node: each case's words, as a JSON list.
CHECK = """
const at = (p) => new Date(p[0], p[1] - 1, p[2], p[3], p[4], p[5]).getTime() / 1000;
const shownAll = (now, cases) =>
  cases.map(([moment, format, language]) => SLACK_DATE.text(at(moment), format, language, at(now)));
"""


def node_shows(zone: str) -> list[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("no node to run the page's script with")
    program = (
        f"const SLACK_DATE = require({json.dumps(str(SCRIPT))});\n{CHECK}\n"
        f"console.log(JSON.stringify(shownAll({json.dumps(NOW)}, {json.dumps(CASES)})));"
    )
    out = subprocess.run(
        [node, "-e", program],
        env={"TZ": zone, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Los_Angeles", "Asia/Shanghai"])
def test_date_tokens_follow_their_format_in_the_readers_language(zone):
    assert node_shows(zone) == [case[-1] for case in CASES]
