"""The effective settings as `check-config` prints them: every value, defaults included."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from bot.domain.approval import Level
from bot.domain.durations import compact_duration
from bot.domain.policy import SlaPolicy
from bot.domain.priority import Priority
from config.environment import Environment
from config.redact import mask, redact, redacted_url
from config.settings import DAYS, Config


def _days(days: frozenset[int]) -> str:
    return "[" + ", ".join(f'"{DAYS[d]}"' for d in sorted(days)) + "]"


def _list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def describe(config: Config, env: Environment) -> str:
    desk = config.desk
    cal = desk.calendar
    lines = [
        "# Effective settings (defaults filled in)",
        "[desk]",
        f'name = "{desk.name}"',
        f'timezone = "{desk.timezone.key}"',
        f'ticket_prefix = "{desk.ticket_prefix}"',
        f'language = "{desk.language}"',
        f'business_hours = "{cal.opens:%H:%M}-{cal.closes:%H:%M}"',
        f"work_days = {_days(cal.work_days)}",
        f"holidays = {_list(sorted(d.isoformat() for d in cal.holidays))}",
    ]
    lines += _sla_lines("sla", config.sla)
    for team in config.staff.teams:
        lines += [
            "",
            f"[[team]]  # {_count(len(team.agents), 'agent')}, {_count(len(team.leads), 'lead')}",
            f'name = "{team.name}"',
            f'triage_channel = "{team.triage}"',
            f"agents = {_list(team.agents)}",
            f"leads = {_list(team.leads)}",
            f"categories = {_list(team.categories)}",
            f"request_channels = {_list(team.request_channels)}",
            f'assign = "{team.assign.value}"',
        ]
        for kind in config.request_types.get(team.name, ()):
            levels = " then ".join(_level_words(level) for level in kind.approval) or "no approval"
            lines.append(
                f'# request type "{kind.name}": {len(kind.fields)} fields, {kind.priority.value}, '
                f"{kind.area}; {levels}"
            )
        if team.sla != config.sla:
            lines += _sla_lines("team.sla", team.sla)
    esc, digest = config.escalation, config.digest
    lines += [
        "",
        "[escalation]",
        f'check_every = "{compact_duration(esc.check_every)}"',
        f"warn_at = {esc.warn_at}",
        f"leads_at = {esc.leads_at}",
        "",
        "[digest]",
        f'time = "{digest.time:%H:%M}"',
        f"days = {_days(digest.days)}",
        f'channel = "{digest.channel}"'
        + ("" if digest.channel or config.desk.leads else "  # nobody gets the digest: no leads, no channel"),
        "",
        "[pending]",
        f'remind_after = "{compact_duration(config.pending.remind_after)}"',
        f'close_after = "{compact_duration(config.pending.close_after)}"',
        "",
        "[csat]",
        f"ask_after_resolve = {'true' if config.ask_after_resolve else 'false'}",
        f'expire_after = "{compact_duration(config.survey_lasts)}"',
        "",
        "[report]",
        f'weekly = "{_weekly_words(config.weekly_report)}"',
        "",
        "[summaries]",
        f"enabled = {'true' if config.summaries.enabled else 'false'}",
        f'url = "{redacted_url(config.summaries.url) if config.summaries.url else ""}"',
        f'model = "{config.summaries.model}"',
        f"# api_key: {mask(config.summaries.api_key)}",
        f'timeout = "{compact_duration(config.summaries.timeout)}"',
        "",
        "[store]",
        f'url = "{redact(config.store_url)}"',
        f'keep_in_memory = "{compact_duration(config.keep_in_memory)}"',
        "",
        "# Environment",
        f"# mode: {'Socket Mode' if env.socket_mode else f'HTTP on port {env.port}'}",
        f"# SLACK_BOT_TOKEN: {mask(env.bot_token)}",
        f"# SLACK_SIGNING_SECRET: {mask(env.signing_secret)}",
        f"# SLACK_APP_TOKEN: {mask(env.app_token)}",
        f"# SLACK_API_URL: {redacted_url(env.api_url)}",
        f"# DESK_CONFIG: {env.config_path}",
    ]
    return "\n".join(lines)


def _level_words(level: Level) -> str:
    who = [*level.approvers, *([f"the {level.field} field"] if level.field else [])]
    return f"{level.need.value} of {', '.join(who)}"


def _sla_lines(table: str, policies: Mapping[Priority, SlaPolicy]) -> list[str]:
    lines: list[str] = []
    for priority, policy in sorted(policies.items()):
        lines += [
            "",
            f"[{table}.{priority.value}]  # {priority.word}",
            f'first_response = "{compact_duration(policy.first_response)}"',
            f'resolution = "{compact_duration(policy.resolution)}"',
            f'clock = "{policy.clock.value}"',
        ]
    return lines


def _weekly_words(weekly: tuple[int, dt.time] | None) -> str:
    if weekly is None:
        return ""
    day, at = weekly
    return f"{DAYS[day]} {at.strftime('%H:%M')}"


def _count(n: int, word: str) -> str:
    """`1 lead`, `2 leads`."""
    return f"{n} {word}{'' if n == 1 else 's'}"
