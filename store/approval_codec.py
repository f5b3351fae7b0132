"""Requests held for approval (`bot.domain.approval.Approval`) as JSON-ready documents and back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.domain.approval import Approval, Need, State, Step
from bot.domain.priority import Priority

APPROVALS = "approvals"  # request id -> the request held for approval, and how it ended
APPROVAL_DMS = "approval_dms"  # "<request id>:<approver>" -> ["channel:ts", …]: their DMs with Approve / Deny
ASKED_AT = "approval_asked_at"  # "<request id>:<approver>" -> the DM they pressed Deny on ("channel:ts")


def _time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def approval_to_doc(a: Approval) -> dict[str, Any]:
    return {
        "v": 1,
        "id": a.id,
        "requester": a.requester,
        "type": a.type_name,
        "category": a.category,
        "priority": a.priority.value,
        "text": a.text,
        "fields": [list(f) for f in a.fields],
        "chain": [list(level) for level in a.chain],
        "needs": [n.value for n in a.needs],
        "requested_at": _time(a.requested_at),
        "state": a.state.value,
        "level": a.level,
        "level_since": _time(a.level_since),
        "approved_by": list(a.approved_by),
        "reminded": a.reminded,
        "escalated": a.escalated,
        "decided_at": _time(a.decided_at),
        "reason": a.reason,
        "ticket": a.ticket,
        "trail": [[_time(s.at), s.actor, s.action, s.detail] for s in a.trail],
    }


def approval_from_doc(doc: dict[str, Any]) -> Approval:
    requested = _parse(doc["requested_at"])
    assert requested is not None
    return Approval(
        id=doc["id"],
        requester=doc["requester"],
        type_name=doc["type"],
        category=doc["category"],
        priority=Priority(doc["priority"]),
        text=doc["text"],
        fields=tuple((label, value) for label, value in doc["fields"]),
        chain=tuple(tuple(level) for level in doc["chain"]),
        needs=tuple(Need(n) for n in doc["needs"]),
        requested_at=requested,
        state=State(doc["state"]),
        level=int(doc["level"]),
        level_since=_parse(doc.get("level_since")),
        approved_by=tuple(doc.get("approved_by", ())),
        reminded=int(doc.get("reminded", -1)),
        escalated=bool(doc.get("escalated")),
        decided_at=_parse(doc.get("decided_at")),
        reason=doc.get("reason", ""),
        ticket=doc.get("ticket"),
        trail=tuple(
            Step(_parse(at) or requested, actor, action, detail) for at, actor, action, detail in doc["trail"]
        ),
    )
