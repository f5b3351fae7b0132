"""The desk's own figures for Prometheus (`GET /metrics`, SPEC §13), every name `desk_…`.

Each desk has a registry of its own (not prometheus_client's global one), so several desks in
one process (tests, the sandbox) count apart. Counters count what this process did since it
started, as Prometheus expects (`rate()` copes with restarts); with several desks on one
PostgreSQL store, sum them across desks. The outbox's gauges are read from the store when
scraped, so every desk on a shared store reports the same backlog.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.domain.notices import Level
from bot.domain.ticket import Ticket
from store.names import TICKETS

log = logging.getLogger("desk.metrics")
CONTENT_TYPE = CONTENT_TYPE_LATEST
# Slack asks for an ack within 3 s; the desk aims well under one.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)


class Metrics:
    def __init__(self, backlog: Callable[[], dict[str, Any]]) -> None:
        """`backlog()`: the outbox's count of messages waiting and parked (`Outbox.backlog`)."""
        self.registry = CollectorRegistry()
        self.opened = Counter("desk_tickets_opened", "Tickets this desk opened.", registry=self.registry)
        self.resolved = Counter(
            "desk_tickets_resolved",
            "Tickets this desk resolved (each reopening may count again).",
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "desk_ack_seconds",
            "Seconds from a request reaching the desk to its acknowledgement, by kind of request.",
            ["kind"],
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self.breaches = Counter(
            "desk_sla_breaches",
            "SLA targets missed, as the desk recorded them, by target.",
            ["target"],
            registry=self.registry,
        )
        self.slack_errors = Counter(
            "desk_slack_errors",
            "Calls to Slack that failed after the desk's retries, by method and Slack's error.",
            ["method", "error"],
            registry=self.registry,
        )
        owed = Gauge("desk_outbox_owed", "Messages the outbox still owes Slack.", registry=self.registry)
        owed.set_function(lambda: float(backlog()["waiting"]))
        parked = Gauge(
            "desk_outbox_parked",
            "Messages Slack refused for good, kept until the cause is fixed.",
            registry=self.registry,
        )
        parked.set_function(lambda: float(backlog()["parked"]))

    def text(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)

    def slack_call(self, method: str, error: str | None) -> None:
        """A gateway's call ended (`SlackGateway.told`)."""
        if error is not None:
            self.slack_errors.labels(method=method, error=error).inc()

    def ticket_changes(self, before: Callable[[int], Ticket | None]) -> Callable[[list[Any]], None]:
        """A store observer (`Store.observe`): counts tickets opened and resolved and targets
        breached in each group of changes, against `before(number)`, the ticket as it was."""

        def observe(changes: list[Any]) -> None:
            seen: dict[int, Ticket | None] = {}
            for kind, table, _key, ticket in changes:
                if kind != "put" or table != TICKETS or not isinstance(ticket, Ticket):
                    continue
                number = ticket.number
                old = seen[number] if number in seen else before(number)
                seen[number] = ticket
                try:
                    self._count(old, ticket)
                except Exception:  # figures must never cost a write
                    log.exception("metrics: could not count a ticket change")

        return observe

    def _count(self, old: Ticket | None, new: Ticket) -> None:
        if old is None:
            self.opened.inc()
        if (old is None or old.is_open) and not new.is_open:
            self.resolved.inc()
        known = {n.key for n in old.notices} if old is not None else set()
        for notice in new.notices:
            if notice.level is Level.BREACHED and notice.key not in known:
                self.breaches.labels(target=str(notice.target)).inc()


def request_kind(body: Any) -> str:
    """What a request from Slack is, for the ack histogram: event, command, action, view, other."""
    if not isinstance(body, dict):
        return "other"
    if body.get("type") == "event_callback":
        return "event"
    if "command" in body:
        return "command"
    if body.get("type") in ("block_actions", "shortcut", "message_action"):
        return "action"
    if body.get("type") in ("view_submission", "view_closed"):
        return "view"
    return "other"
