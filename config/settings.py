"""The desk's settings (SPEC §3), read strictly from TOML into frozen dataclasses.

`load_config` returns a `Config` or raises `ConfigError` listing every problem, one line each,
naming the key and what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.approval import RequestType
from bot.domain.durations import compact_duration, parse_duration
from bot.domain.policy import Clock, SlaPolicy, WorkingCalendar
from bot.domain.priority import Priority
from bot.domain.refs import format_ref
from bot.domain.roles import Assign, Staff, Team
from bot.domain.sla import SlaClock
from bot.domain.ticket import REOPEN_WINDOW, Ticket
from bot.i18n import LANGUAGES
from config.answers import AnswersSettings, read_answers
from config.reader import Section
from config.redact import redact
from config.request_types import request_types
from config.summaries import SummariesSettings, read_summaries

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
STORE_SCHEMES = ("tinydb://", "memory://", "postgresql://", "postgres://")

DEFAULT_SLA = {
    Priority.P1: SlaPolicy(dt.timedelta(minutes=15), dt.timedelta(hours=4), Clock.ALWAYS),
    Priority.P2: SlaPolicy(dt.timedelta(hours=1), dt.timedelta(hours=8), Clock.ALWAYS),
    Priority.P3: SlaPolicy(dt.timedelta(hours=4), dt.timedelta(days=3), Clock.BUSINESS),
    Priority.P4: SlaPolicy(dt.timedelta(days=1), dt.timedelta(days=7), Clock.BUSINESS),
}


class ConfigError(Exception):
    """The config cannot be used; `problems` has one readable line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class DeskSettings:
    name: str
    timezone: ZoneInfo
    ticket_prefix: str
    agents: tuple[str, ...]  # of every team
    leads: tuple[str, ...]  # of every team
    categories: tuple[str, ...]  # of every team, in the config's order
    calendar: WorkingCalendar
    language: str = "en"  # "en" or "zh-CN": what channels read; a person's Slack locale wins in DMs


@dataclass(frozen=True)
class EscalationSettings:
    check_every: dt.timedelta
    warn_at: float
    leads_at: float


@dataclass(frozen=True)
class PendingSettings:
    """Waiting on the requester: a reminder after `remind_after`, closed after `close_after`."""

    remind_after: dt.timedelta
    close_after: dt.timedelta


@dataclass(frozen=True)
class DigestSettings:
    time: dt.time
    days: frozenset[int]
    channel: str


@dataclass(frozen=True)
class Config:
    desk: DeskSettings
    sla: dict[Priority, SlaPolicy]
    escalation: EscalationSettings
    digest: DigestSettings
    ask_after_resolve: bool
    store_url: str
    pending: PendingSettings = PendingSettings(dt.timedelta(days=2), dt.timedelta(days=5))
    replies: dict[str, str] = field(default_factory=dict)  # saved replies, by name
    survey_lasts: dt.timedelta = dt.timedelta(days=7)  # csat.expire_after: a rating request's life
    weekly_report: tuple[int, dt.time] | None = (0, dt.time(9))  # report.weekly: day, time; None: off
    staff: Staff = field(default_factory=lambda: Staff(()))  # one team unless [[team]] tables
    # store.keep_in_memory: resolved tickets settled longer ago leave memory (TinyDB: to its
    # archive; PostgreSQL: kept in the database alone, `store.window`)
    keep_in_memory: dt.timedelta = dt.timedelta(days=120)
    # [[team.request_type]]: each team's kinds of request, by team name (SPEC §13)
    request_types: dict[str, tuple[RequestType, ...]] = field(default_factory=dict)
    answers: AnswersSettings = field(default_factory=AnswersSettings)  # [answers] and [knowledge] (issue 39)
    summaries: SummariesSettings = field(default_factory=SummariesSettings)  # [summaries] (issue 39)

    def ref(self, number: int) -> str:
        """How the desk shows a ticket number: T-42."""
        return format_ref(number, self.desk.ticket_prefix)

    def team_of(self, ticket: Ticket) -> Team:
        """The team a ticket belongs to: its category's."""
        return self.staff.team_of(ticket.category)

    def sla_clock(self, ticket: Ticket) -> SlaClock:
        """The clock the ticket's targets run on: its priority's, in its team."""
        return self.priority_clock(ticket.priority, self.team_of(ticket))

    def priority_clock(self, priority: Priority, team: Team | None = None) -> SlaClock:
        """The clock a priority's targets run on, in `team` (the desk's targets by default)."""
        policies = team.sla if team is not None and team.sla else self.sla
        return SlaClock(policies[priority], self.desk.calendar)


def load_config(path: str | Path, store_override: str | None = None) -> Config:
    """Read and check the TOML file at `path`; `store_override` is DESK_STORE when set."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: no config file here; copy config/desk.example.toml to start"]) from None
    except OSError as problem:
        raise ConfigError([f"{path}: cannot read the config file ({problem.strerror})"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise ConfigError([f"{path}: not valid TOML ({problem})"]) from None
    return parse_config(data, store_override)


def parse_config(data: dict[str, Any], store_override: str | None = None) -> Config:
    """Build a Config from parsed TOML, collecting every problem before raising."""
    errors: list[str] = []
    root = Section("", data, errors)
    root.known.add("team")
    desk_section = root.table("desk")
    sla = _sla(root.table("sla"), DEFAULT_SLA)
    kinds: dict[str, tuple[RequestType, ...]] = {}
    given = _teams(root, data["team"], sla, kinds) if "team" in data else None
    desk, teams = _desk(desk_section, given, sla, kinds)
    if given is None:
        _across_teams(root, list(teams))
    escalation = _escalation(root.table("escalation"))
    digest = _digest(root.table("digest"))
    pending = _pending(root.table("pending"))
    replies = _replies(root.table("replies"))
    answers = read_answers(root, tuple(t.name for t in teams))
    summaries = read_summaries(root)
    csat = root.table("csat")
    ask = csat.get("ask_after_resolve", bool, True)
    lasts = csat.get("expire_after", str, "7d", parse_duration)
    csat.finish()
    report = root.table("report")
    weekly = report.get("weekly", str, "mon 09:00", _weekly)
    report.finish()
    store = root.table("store")
    url = store.get("url", str, "tinydb://data/desk.json")
    keep = store.get("keep_in_memory", str, "120d", parse_duration)
    store.finish()
    if store_override:
        url = store_override
    if not url.startswith(STORE_SCHEMES) or url in (STORE_SCHEMES[0], *STORE_SCHEMES[2:]):
        source = "DESK_STORE" if store_override else "store.url"
        errors.append(
            f"{source}: expected tinydb://PATH, postgresql://HOST/DB or memory://; got {redact(url)!r}"
        )
    if keep < REOPEN_WINDOW:  # an archived ticket cannot change, and a resolved one may be reopened
        errors.append(
            f"store.keep_in_memory: at least {compact_duration(REOPEN_WINDOW)}, while resolved tickets "
            f"can still be reopened; got {compact_duration(keep)}"
        )
    root.finish()
    if errors:
        raise ConfigError(errors)
    staff = Staff(teams)
    assert desk is not None  # no problems: the desk was read whole
    config = Config(
        desk, sla, escalation, digest, ask, url, pending, replies, lasts, weekly, staff, keep, kinds
    )
    return replace(config, answers=answers, summaries=summaries)


TEAM_KEYS = ("triage_channel", "agents", "leads", "categories", "request_channels", "assign")
DEFAULT_CATEGORIES = ["Hardware", "Software", "Access", "Other"]


def _desk(
    s: Section,
    teams: tuple[Team, ...] | None,
    sla: dict[Priority, SlaPolicy],
    kinds: dict[str, tuple[RequestType, ...]],
) -> tuple[DeskSettings | None, tuple[Team, ...]]:
    """[desk], and the desk's teams. Without [[team]] tables the desk is one team made of
    [desk]'s keys (SPEC §3); with them, those keys stay out of [desk] (SPEC §9)."""
    name = s.get("name", str, "Help Desk", _non_empty)
    zone = s.get("timezone", str, "UTC", _zone)
    prefix = s.get("ticket_prefix", str, "T", _prefix)
    language = s.get("language", str, "en", _language) or "en"
    if teams is None:
        triage = s.require("triage_channel", str, "a channel ID like C0123ABCD", _channel_id)
        agents = s.require("agents", list, 'a list of Slack user IDs, like ["U0AGENT01"]', _agents)
        leads = tuple(s.get("leads", list, [], _user_ids) or ())
        categories = s.get("categories", list, DEFAULT_CATEGORIES, _categories)
        requests = tuple(s.get("request_channels", list, [], _channel_ids) or ())
        assign = s.get("assign", str, "none", _assign) or Assign.NONE
        whole = triage and agents and categories and name
        s.known.add("request_type")  # optional, and named among the keys a typo is told about
        if categories and name and "request_type" in s.data:
            kinds[name] = request_types(s, categories)
        teams = (Team(name, triage, agents, leads, categories, requests, assign, sla),) if whole else ()
    else:
        for key in TEAM_KEYS:
            s.known.add(key)
            if key in s.data:
                s.error(key, "belongs in each [[team]] when the config has teams; take it out of [desk]")
    hours = s.get("business_hours", str, "09:00-17:00", _hours)
    days = s.get("work_days", list, list(DAYS[:5]), _days)
    holidays = s.get("holidays", list, [], _holidays)
    s.finish()
    if zone is None or hours is None or days is None or holidays is None:
        return None, teams
    calendar = WorkingCalendar(zone, hours[0], hours[1], days, holidays)
    agents = tuple(dict.fromkeys(a for team in teams for a in team.agents))
    leads = tuple(dict.fromkeys(lead for team in teams for lead in team.leads))
    categories = tuple(c for team in teams for c in team.categories)
    return DeskSettings(name, zone, prefix, agents, leads, categories, calendar, language), teams


def _teams(
    root: Section, tables: Any, sla: dict[Priority, SlaPolicy], kinds: dict[str, tuple[RequestType, ...]]
) -> tuple[Team, ...]:
    """The [[team]] tables (SPEC §9), each checked strictly, then checked against each other."""
    if not isinstance(tables, list) or not tables:
        root.error("team", "expected [[team]] tables, each with a name, triage_channel and agents")
        return ()
    teams: list[Team] = []
    for i, table in enumerate(tables, start=1):
        t = Section(f"team[{i}]", table, root.errors)
        name = t.require("name", str, 'a name like "IT"', _team_name)
        triage = t.require("triage_channel", str, "a channel ID like C0123ABCD", _channel_id)
        agents = t.require("agents", list, 'a list of Slack user IDs, like ["U0AGENT01"]', _agents)
        leads = t.get("leads", list, [], _user_ids)
        categories = t.require("categories", list, 'a list of areas, like ["Hardware"]', _categories)
        requests = t.get("request_channels", list, [], _channel_ids)
        assign = t.get("assign", str, "none", _assign)
        t.known.add("sla")  # optional, and named among the keys a typo is told about
        policies = _sla(t.table("sla"), sla) if "sla" in t.data else sla
        found = request_types(t, categories or ())
        t.finish()
        if found and name:
            kinds[name] = found
        if name and triage and agents and categories:
            teams.append(
                Team(
                    name,
                    triage,
                    agents,
                    tuple(leads or ()),
                    categories,
                    tuple(requests or ()),
                    assign or Assign.NONE,
                    policies,
                )
            )
    if len(teams) == len(tables):
        _across_teams(root, teams)
    return tuple(teams)


def _across_teams(root: Section, teams: list[Team]) -> None:
    """Names and categories are unique across teams; a channel serves one purpose."""
    for what, values in (
        ("team names", [t.name.casefold() for t in teams]),
        ("categories", [c.casefold() for t in teams for c in t.categories]),
        ("channels (triage and request)", [c for t in teams for c in (t.triage, *t.request_channels)]),
    ):
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            root.error(
                "team", f"expected {what} to be unique across teams; more than once: {', '.join(twice)}"
            )


def _sla(s: Section, base: dict[Priority, SlaPolicy]) -> dict[Priority, SlaPolicy]:
    """Targets per priority; a priority left out keeps `base`'s."""
    policies = dict(base)
    for key in s.data:
        if key not in Priority.__members__:
            s.known.add(key)
            s.error(key, "unknown priority; expected P1, P2, P3 or P4")
            continue
        t = s.table(key)
        default = base[Priority(key)]
        first = t.get("first_response", str, None, parse_duration) or default.first_response
        resolution = t.get("resolution", str, None, parse_duration) or default.resolution
        clock = t.get("clock", str, "always", _clock)
        t.finish()
        if first > resolution:
            t.error("first_response", f"expected no longer than resolution ({t.data.get('resolution')})")
        policies[Priority(key)] = SlaPolicy(first, resolution, clock or Clock.ALWAYS)
    return policies


def _escalation(s: Section) -> EscalationSettings:
    every = s.get("check_every", str, "60s", parse_duration)
    warn = s.get("warn_at", float, 0.8)
    leads = s.get("leads_at", float, 2.0)
    if isinstance(warn, float) and not 0 < warn < 1:
        s.error("warn_at", f"expected a fraction between 0 and 1, like 0.8; got {warn}")
    if isinstance(leads, float) and leads < 1:
        s.error("leads_at", f"expected a fraction of 1 or more, like 2.0; got {leads}")
    s.finish()
    return EscalationSettings(every, warn, leads)


REPLY_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


def _replies(s: Section) -> dict[str, str]:
    """Saved replies: a name (`vpn`) to the words `/desk reply T-4 :vpn` sends, with `{requester}`
    and `{ref}` filled in."""
    found: dict[str, str] = {}
    for name in list(s.data):
        text = s.get(name, str, None)
        if not REPLY_NAME.fullmatch(name):
            s.error(name, "expected a short name of lower-case letters, digits, - or _, like vpn")
        elif isinstance(text, str) and not text.strip():
            s.error(name, "expected the words of the reply; got nothing")
        elif isinstance(text, str) and len(text) > 3000:
            s.error(name, f"expected at most 3000 characters; got {len(text)}")
        elif isinstance(text, str):
            try:
                text.format(requester="", ref="")
            except (KeyError, IndexError, ValueError) as problem:
                s.error(name, f"only {{requester}} and {{ref}} may appear in braces ({problem})")
            else:
                found[name] = text
    s.finish()
    return found


def _pending(s: Section) -> PendingSettings:
    remind = s.get("remind_after", str, "2d", parse_duration)
    close = s.get("close_after", str, "5d", parse_duration)
    if isinstance(remind, dt.timedelta) and isinstance(close, dt.timedelta) and remind >= close:
        s.error("remind_after", f"expected less than close_after ({close}), so the reminder comes first")
    s.finish()
    return PendingSettings(remind, close)


def _digest(s: Section) -> DigestSettings:
    at = s.get("time", str, "09:00", _clock_time)
    days = s.get("days", list, list(DAYS[:5]), _days)
    channel = s.get("channel", str, "", lambda v: v and _channel_id(v))
    s.finish()
    return DigestSettings(at, days, channel)


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("expected some text")
    return value.strip()


def _zone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f'expected an IANA time zone like "Europe/Berlin" or "UTC"; got {value!r}') from None


def _channel_id(value: str) -> str:
    if not CHANNEL_ID.match(value):
        raise ValueError(f"expected a channel ID like C0123ABCD (not a #name); got {value!r}")
    return value


def _language(value: str) -> str:
    if value not in LANGUAGES:
        raise ValueError(f"expected one of {', '.join(repr(x) for x in LANGUAGES)}; got {value!r}")
    return value


def _prefix(value: str) -> str:
    if not re.match(r"^[A-Za-z]{1,10}$", value):
        raise ValueError(f'expected 1 to 10 letters, like "T" or "IT"; got {value!r}')
    return value


def _user_ids(values: list[Any]) -> tuple[str, ...]:
    bad = [v for v in values if not isinstance(v, str) or not USER_ID.match(v)]
    if bad:
        raise ValueError(f"expected Slack user IDs like U0123ABCD; these are not: {bad!r}")
    return tuple(values)


def _channel_ids(values: list[Any]) -> tuple[str, ...]:
    bad = [v for v in values if not isinstance(v, str) or not CHANNEL_ID.match(v)]
    if bad:
        raise ValueError(f"expected channel IDs like C0123ABCD (not #names); these are not: {bad!r}")
    return tuple(values)


def _team_name(value: str) -> str:
    if not value.strip() or len(value) > 30:
        raise ValueError(f"expected a name of 1 to 30 characters; got {value!r}")
    return value.strip()


def _assign(value: str) -> Assign:
    try:
        return Assign(value)
    except ValueError:
        raise ValueError(f'expected "none", "round_robin" or "least_busy"; got {value!r}') from None


def _agents(values: list[Any]) -> tuple[str, ...]:
    if not values:
        raise ValueError("expected at least one agent's Slack user ID; nobody could claim tickets")
    return _user_ids(values)


def _categories(values: list[Any]) -> tuple[str, ...]:
    if not values or len(values) > 20:
        raise ValueError(f"expected 1 to 20 category names; got {len(values)}")
    for value in values:
        if not isinstance(value, str) or not value.strip() or len(value) > 30:
            raise ValueError(f"expected names of 1 to 30 characters; got {value!r}")
    if len(set(values)) != len(values):
        raise ValueError("expected each category once")
    return tuple(v.strip() for v in values)


def _weekly(value: str) -> tuple[int, dt.time] | None:
    """`"mon 09:00"`: the day and local time of the weekly report; empty: no report."""
    if not value.strip():
        return None
    day, _, at = value.strip().lower().partition(" ")
    if day[:3] not in DAYS:
        raise ValueError(f'expected a day and a time like "mon 09:00" (or "" for none); got {value!r}')
    return DAYS.index(day[:3]), _clock_time(at)


def _clock_time(value: str) -> dt.time:
    match = re.match(r"^(\d{1,2}):(\d{2})$", value.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f'expected a time of day like "09:00"; got {value!r}')
    return dt.time(int(match.group(1)), int(match.group(2)))


def _hours(value: str) -> tuple[dt.time, dt.time]:
    parts = value.split("-")
    if len(parts) != 2:
        raise ValueError(f'expected opening and closing times like "09:00-17:00"; got {value!r}')
    opens, closes = _clock_time(parts[0]), _clock_time(parts[1])
    if opens >= closes:
        raise ValueError(f"expected the opening time before the closing time; got {value!r}")
    return opens, closes


def _days(values: list[Any]) -> frozenset[int]:
    bad = [v for v in values if not isinstance(v, str) or v.lower() not in DAYS]
    if bad or not values:
        raise ValueError(f"expected day names from {', '.join(DAYS)}; got {values!r}")
    return frozenset(DAYS.index(v.lower()) for v in values)


def _holidays(values: list[Any]) -> frozenset[dt.date]:
    days = set()
    for value in values:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            days.add(value)
            continue
        try:
            days.add(dt.date.fromisoformat(str(value)))
        except ValueError:
            raise ValueError(f'expected dates like "2026-12-25"; got {value!r}') from None
    return frozenset(days)


def _clock(value: str) -> Clock:
    try:
        return Clock(value)
    except ValueError:
        raise ValueError(f'expected "always" or "business"; got {value!r}') from None
