"""`python -m bot export`: every ticket with its times, SLA results and rating, as CSV or JSON.

Reads the store read-only, so it works beside a running desk. Times are ISO 8601 in the
desk's time zone; durations are minutes of counted time (working time on a business clock).
People are written twice: their Slack id (`requester`, `assignee`: what a program reads back)
and, beside it, their name (`requester_name`, `assignee_name`: what a person reads), asked of
Slack (`users.info`) when `SLACK_BOT_TOKEN` is set; without it, or when Slack cannot say, the
name is left empty and the id stays.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.clock import Clock
from bot.domain.policy import Target
from bot.domain.sla import SlaClock, target_states
from bot.domain.ticket import Action, Ticket
from config.settings import Config
from store import store_from_url

COLUMNS = [
    "ticket",
    "opened_at",
    "requester",
    "requester_name",
    "category",
    "priority",
    "status",
    "assignee",
    "assignee_name",
    "first_response_at",
    "first_response_minutes",
    "first_response_due",
    "first_response_met",
    "resolved_at",
    "resolution_minutes",
    "resolution_due",
    "resolution_met",
    "escalations",
    "rating",
    "rating_comment",
    "text",
    "imported_from",  # "zendesk:35436": where a ticket moved in from (`python -m bot import`)
    "fields",
    "approvals",
]


def _when(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment is not None else None


def _minutes(span: timedelta) -> float:
    return round(span.total_seconds() / 60, 1)


def ticket_row(
    ticket: Ticket,
    ref: Callable[[int], str],
    clock_for: Callable[[Ticket], SlaClock],
    now: datetime,
    zone: ZoneInfo,
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One ticket as a flat row: `None` where there is nothing yet (a target still running).
    `names`: people's names by Slack id, for the `*_name` columns."""
    names = names or {}
    row: dict[str, Any] = {
        "ticket": ref(ticket.number),
        "opened_at": _when(ticket.opened_at, zone),
        "requester": ticket.requester,
        "requester_name": names.get(ticket.requester),
        "assignee_name": names.get(ticket.assignee) if ticket.assignee else None,
        "category": ticket.category,
        "priority": ticket.priority.value,
        "status": ticket.status.value,
        "assignee": ticket.assignee,
        "first_response_at": _when(ticket.first_response_at, zone),
        "resolved_at": _when(ticket.resolved_at, zone),
        "escalations": " ".join(f"{n.target}:{n.level}" for n in ticket.notices) or None,
        "rating": ticket.rating.score if ticket.rating else None,
        "rating_comment": (ticket.rating.comment or None) if ticket.rating else None,
        "text": ticket.text,
        "imported_from": ticket.imported_from,
        "fields": "; ".join(f"{label}: {value}" for label, value in ticket.fields) or None,
        "approvals": "; ".join(
            f"{e.actor} {_when(e.at, zone)}" + (f" ({e.detail})" if e.detail else "")
            for e in ticket.trail
            if e.action is Action.APPROVED
        )
        or None,
    }
    for state in target_states(ticket, clock_for(ticket), now):
        name = "first_response" if state.target is Target.FIRST_RESPONSE else "resolution"
        stopped = state.stopped_at is not None
        row[f"{name}_minutes"] = _minutes(state.length - state.left) if stopped else None
        row[f"{name}_due"] = _when(state.due, zone)
        row[f"{name}_met"] = (not state.breached) if stopped else (False if state.breached else None)
    return row


def as_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("yes" if v is True else "no" if v is False else v) for k, v in row.items()})
    return out.getvalue()


def as_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps([{k: row[k] for k in COLUMNS} for row in rows], ensure_ascii=False, indent=1) + "\n"


def people_of(tickets: list[Ticket]) -> list[str]:
    """Everyone the export names, each once, in the order first met."""
    found = dict.fromkeys(p for t in tickets for p in (t.requester, t.assignee) if p)
    return list(found)


async def names_from_slack(people: list[str], token: str, api_url: str) -> dict[str, str]:
    """Each person's name as Slack shows it (`real_name`, else the display name), asked once
    each with `users.info`; a person Slack cannot say (gone, or Slack unreachable) is left out."""
    from bot.slack.gateway import build_client  # Slack's modules only when asked for names

    client = build_client(token, api_url, patience=2)
    names: dict[str, str] = {}
    for person in people:
        try:
            answer = await client.users_info(user=person)
        except (TimeoutError, SlackApiError, SlackClientError, OSError):
            continue
        user = answer.get("user") or {}
        profile = user.get("profile") or {}
        name = user.get("real_name") or profile.get("real_name") or profile.get("display_name")
        if isinstance(name, str) and name:
            names[person] = name
    return names


async def export_text(
    config: Config, since: timedelta, form: str, slack: tuple[str, str] | None = None
) -> tuple[str, int, int]:
    """The export of tickets opened in the last `since`, read from the configured store; with
    `slack` (a bot token and the API's URL), people's names beside their ids. Returns the
    text, the tickets written and the people left unnamed."""
    store = store_from_url(config.store_url, read_only=True)
    await store.open()
    try:
        now = Clock().now()
        tickets = await store.tickets_opened_since(now - since)
    finally:
        await store.close()
    people = people_of(tickets)
    names = await names_from_slack(people, *slack) if slack and people else {}
    rows = [ticket_row(t, config.ref, config.sla_clock, now, config.desk.timezone, names) for t in tickets]
    text = as_json(rows) if form == "json" else as_csv(rows)
    return text, len(rows), len([p for p in people if p not in names])
