"""The weekly report's and the daily digest's "record and owe" step as tables of plain `decide`
calls (issue 36): who each is owed to, once per week (day) and team. The end-to-end tests
(tests/test_weekly_report.py, tests/test_digest_flow.py) stay the contract."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.owed import DigestOf, ReportOf
from bot.domain.recording import NOTHING, Outcome, Policy, RecordDigest, RecordReport, decide
from bot.domain.roles import Staff, Team

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
WEEK = date(2026, 12, 7)
DAY = date(2026, 12, 7)
CAROL, DAVE, PAT, ZOE = "U0CAROL01", "U0DAVE001", "U0PAT0001", "U0ZOE0001"
STAFF = Staff(
    (
        Team("IT", "C0TRIAGE1", (), (DAVE, CAROL), ("Hardware",)),
        Team("People", "C0PEOPLE1", (), (PAT,), ("HR",)),
        Team("Facilities", "C0FACIL01", (), (), ("Desks",)),  # no leads
    )
)
DESK = Policy(desk_leads=(ZOE, CAROL))
CHANNEL = Policy(desk_leads=(ZOE, CAROL), digest_channel="C0DIGEST1")
NOBODY = Policy(desk_leads=())


@pytest.mark.parametrize(
    ("command", "policy", "expected"),
    [
        # The report: each lead, sorted; the desk's with one team, the team's with several.
        (
            RecordReport(WEEK),
            DESK,
            Outcome((CAROL, ZOE), (ReportOf("2026-12-07", CAROL), ReportOf("2026-12-07", ZOE))),
        ),
        (
            RecordReport(WEEK, "IT"),
            DESK,
            Outcome((CAROL, DAVE), (ReportOf("2026-12-07", CAROL, "IT"), ReportOf("2026-12-07", DAVE, "IT"))),
        ),
        (RecordReport(WEEK, "People"), DESK, Outcome((PAT,), (ReportOf("2026-12-07", PAT, "People"),))),
        (RecordReport(WEEK, "Facilities"), DESK, NOTHING),  # no leads: nothing to record
        (RecordReport(WEEK), NOBODY, NOTHING),
        (
            RecordReport(WEEK),
            CHANNEL,
            Outcome((CAROL, ZOE), (ReportOf("2026-12-07", CAROL), ReportOf("2026-12-07", ZOE))),
        ),
        # The digest: a DM to each lead as the config lists them, or digest.channel when set.
        (
            RecordDigest(DAY),
            DESK,
            Outcome(
                ("dm:U0ZOE0001", "dm:U0CAROL01"),
                (DigestOf("2026-12-07", "dm:U0ZOE0001"), DigestOf("2026-12-07", "dm:U0CAROL01")),
            ),
        ),
        (
            RecordDigest(DAY, "IT"),
            DESK,
            Outcome(
                ("dm:U0DAVE001", "dm:U0CAROL01"),
                (DigestOf("2026-12-07", "dm:U0DAVE001", "IT"), DigestOf("2026-12-07", "dm:U0CAROL01", "IT")),
            ),
        ),
        (
            RecordDigest(DAY),
            CHANNEL,
            Outcome(("channel:C0DIGEST1",), (DigestOf("2026-12-07", "channel:C0DIGEST1"),)),
        ),
        (
            RecordDigest(DAY, "Facilities"),  # a team with no leads still reaches the channel
            CHANNEL,
            Outcome(("channel:C0DIGEST1",), (DigestOf("2026-12-07", "channel:C0DIGEST1", "Facilities"),)),
        ),
        (RecordDigest(DAY, "Facilities"), DESK, NOTHING),
        (RecordDigest(DAY), NOBODY, NOTHING),
    ],
)
def test_a_week_or_day_not_recorded_yet_is_owed_to_each_of_its_leads_or_places(
    command, policy, expected
) -> None:
    assert decide(False, command, STAFF, policy, NOW) == expected


@pytest.mark.parametrize(
    "command", [RecordReport(WEEK), RecordReport(WEEK, "IT"), RecordDigest(DAY), RecordDigest(DAY, "People")]
)
def test_a_week_or_day_recorded_already_is_never_owed_again(command) -> None:
    """A second run, a restart or a second process finds the record taken: once per week (day) and team."""
    assert decide(True, command, STAFF, CHANNEL, NOW) == NOTHING
