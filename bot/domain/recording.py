"""The leads' scheduled messages as one pure decision (issue 36): the weekly report's and the
daily digest's "record and owe" step.

The job reads what is due into a typed command (`RecordReport` for a week, `RecordDigest` for a
day; with several teams, one per team); `decide` takes whether the week's (day's) record is kept
already, the command, the desk's staff (each team's leads), the policy (the desk's leads with
one team, `digest.channel`) and `now`, and returns an `Outcome`: who the record owes (nobody:
nothing to record) and one message owed to each. Recorded with its outbox entries in one
transaction, so a second run or a second process finds it taken: once per week (day) and team.
Pure: no Slack, no store, `now` passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.notices import to_person
from bot.domain.owed import DigestOf, ReportOf
from bot.domain.roles import Staff


# -- the commands ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordReport:
    """The job: record the report of the week starting `week` (of `team`, with several; "": the
    desk's) owed to each of its leads."""

    week: date
    team: str = ""


@dataclass(frozen=True)
class RecordDigest:
    """The job: record the digest of `day` (of `team`, with several) owed to each of its places."""

    day: date
    team: str = ""


Command = RecordReport | RecordDigest


@dataclass(frozen=True)
class Policy:
    desk_leads: tuple[str, ...]  # `desk.leads`: the leads of a desk of one team
    digest_channel: str = ""  # `digest.channel`: where the digest goes instead of the leads' DMs


# -- the messages owed ----------------------------------------------------------------------------
Message = ReportOf | DigestOf  # the outbox's kinds: drawn when they are sent


@dataclass(frozen=True)
class Outcome:
    owed_to: tuple[str, ...] = ()  # the record to keep: who it owes (empty: nothing to record)
    owed: tuple[Message, ...] = ()


NOTHING = Outcome()


# -- the rules ------------------------------------------------------------------------------------
def leads_of(team: str, staff: Staff, policy: Policy) -> tuple[str, ...]:
    """The leads of the team named (the desk's, for ""), as the config lists them."""
    if not team:
        return policy.desk_leads
    return next((t.leads for t in staff.teams if t.name == team), ())


def owed_to(command: Command, staff: Staff, policy: Policy) -> tuple[str, ...]:
    """Who the record owes: a report, each lead (sorted); a digest, `digest.channel` when set,
    else a DM to each lead."""
    if isinstance(command, RecordReport):
        return tuple(sorted(leads_of(command.team, staff, policy)))
    if policy.digest_channel:
        return (f"channel:{policy.digest_channel}",)
    return tuple(to_person(lead) for lead in leads_of(command.team, staff, policy))


def decide(recorded: bool, command: Command, staff: Staff, policy: Policy, now: datetime) -> Outcome:
    """Nothing when the week's (day's) record is kept already (`recorded`) or nobody can receive
    it; else the record with who it owes, and one message owed to each. `now` is not consulted:
    the job decides whether a week or day is due (`WeeklySchedule`, `DigestSchedule`)."""
    to = owed_to(command, staff, policy)
    if recorded or not to:
        return NOTHING
    if isinstance(command, RecordReport):
        week = command.week.isoformat()
        return Outcome(to, tuple(ReportOf(week, lead, command.team) for lead in to))
    day = command.day.isoformat()
    return Outcome(to, tuple(DigestOf(day, place, command.team) for place in to))
