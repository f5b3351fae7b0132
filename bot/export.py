"""`python -m bot export`: every ticket with its times, SLA results and rating, as CSV or JSON.

Reads the store read-only, so it works beside a running desk. Times are ISO 8601 in the
desk's time zone; durations are minutes of counted time (working time on a business clock).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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
    "category",
    "priority",
    "status",
    "assignee",
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
) -> dict[str, Any]:
    """One ticket as a flat row: `None` where there is nothing yet (a target still running)."""
    row: dict[str, Any] = {
        "ticket": ref(ticket.number),
        "opened_at": _when(ticket.opened_at, zone),
        "requester": ticket.requester,
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


async def export_text(config: Config, since: timedelta, form: str) -> tuple[str, int]:
    """The export of tickets opened in the last `since`, read from the configured store."""
    store = store_from_url(config.store_url, read_only=True)
    await store.open()
    try:
        now = Clock().now()
        tickets = await store.tickets_opened_since(now - since)
    finally:
        await store.close()
    rows = [ticket_row(t, config.ref, config.sla_clock, now, config.desk.timezone) for t in tickets]
    return (as_json(rows) if form == "json" else as_csv(rows)), len(rows)
