"""Outbox entries (`bot.domain.owed.Owed`) as JSON-ready documents and back.

A document names its message's kind and carries the message's fields; addresses are small
tagged lists (`["conversation", "C1"]`, `["dm", "U1"]`, `["card", 7]`). Entries written before
messages were typed (an `op` string and packed addresses) are read too, so an upgrade delivers
what an older desk left owed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.domain.owed import (
    Card,
    CardThread,
    ConfirmationOf,
    Conversation,
    DigestOf,
    DirectMessage,
    Edit,
    HomeOf,
    InThread,
    Message,
    NoticeOf,
    Owed,
    Post,
    Prompt,
    ReportOf,
    RequesterThread,
    StormCard,
    Thread,
    Where,
    where_of,
)

KINDS: dict[str, type] = {
    "post": Post,
    "edit": Edit,
    "card": Card,
    "storm": StormCard,
    "prompt": Prompt,
    "notice": NoticeOf,
    "digest": DigestOf,
    "home": HomeOf,
    "report": ReportOf,
    "confirmation": ConfirmationOf,
}
KIND_OF = {kind: name for name, kind in KINDS.items()}


def _where_to_doc(where: Where) -> list[str]:
    return ["dm", where.person] if isinstance(where, DirectMessage) else ["conversation", where.id]


def _where_from_doc(doc: list[str]) -> Where:
    kind, value = doc
    return DirectMessage(value) if kind == "dm" else Conversation(value)


def _thread_to_doc(thread: Thread | None) -> list[Any] | None:
    if thread is None:
        return None
    if isinstance(thread, InThread):
        return ["ts", thread.ts]
    return ["card" if isinstance(thread, CardThread) else "origin", thread.ticket]


def _thread_from_doc(doc: list[Any] | None) -> Thread | None:
    if doc is None:
        return None
    kind, value = doc
    if kind == "ts":
        return InThread(str(value))
    return CardThread(int(value)) if kind == "card" else RequesterThread(int(value))


def message_to_doc(message: Message) -> dict[str, Any]:
    doc: dict[str, Any] = {"kind": KIND_OF[type(message)]}
    for field in dataclasses.fields(message):
        value = getattr(message, field.name)
        if field.name == "to":
            value = _where_to_doc(value)
        elif field.name == "thread" and isinstance(message, Post):
            value = _thread_to_doc(value)
        elif field.name == "remember" and value is not None:
            value = list(value)
        doc[field.name] = value
    return doc


def message_from_doc(doc: dict[str, Any]) -> Message:
    kind = KINDS[doc["kind"]]
    fields = {f.name: doc[f.name] for f in dataclasses.fields(kind) if f.name in doc}
    if kind is Post:
        fields["to"] = _where_from_doc(fields["to"])
        fields["thread"] = _thread_from_doc(fields.get("thread"))
        remember = fields.get("remember")
        fields["remember"] = (str(remember[0]), _number_or_key(remember[1])) if remember else None
    message: Message = kind(**fields)
    return message


def _number_or_key(value: Any) -> int | str:
    """A remembered ticket's number, or a record's key (an approver's DM: `request:person`)."""
    return value if isinstance(value, str) and not value.isdigit() else int(value)


def owed_to_doc(owed: Owed) -> dict[str, Any]:
    return {
        "message": message_to_doc(owed.message),
        "seq": owed.seq,
        "version": owed.version,
        "attempts": owed.attempts,
        "next_at": owed.next_at,
        "parked": owed.parked,
        "look_first": owed.look_first,
        "since": owed.since,
        "refusals": owed.refusals,
        "behind": owed.behind,
        "parked_at": owed.parked_at,
    }


def owed_from_doc(doc: dict[str, Any]) -> Owed:
    message = message_from_doc(doc["message"]) if "message" in doc else _legacy_message(doc)
    return Owed(
        message=message,
        seq=int(doc["seq"]),
        version=int(doc.get("version", 0)),
        attempts=int(doc.get("attempts", 0)),
        next_at=float(doc.get("next_at", 0.0)),
        parked=doc.get("parked"),
        look_first=bool(doc.get("look_first", False)),
        since=float(doc.get("since", 0.0)),
        refusals=int(doc.get("refusals", 0)),
        behind=doc.get("behind"),
        parked_at=float(doc.get("parked_at", 0.0)),
    )


def _legacy_message(doc: dict[str, Any]) -> Message:
    """An entry of the untyped outbox (before wave 2): `op`, `to`, packed threads."""
    op, to = doc["op"], str(doc["to"])
    if op == "card":
        return Card(int(doc["ticket"]))
    if op == "storm":
        return StormCard(str(doc["storm"]))
    if op == "update":
        return Edit(to, doc["ts"], doc["text"], doc["blocks"])
    where = DirectMessage(to[3:]) if to.startswith("dm:") else where_of(to)
    thread: Thread | None = None
    if packed := doc.get("thread"):
        kind, _, number = str(packed).partition(":")
        if not number:
            thread = InThread(kind)
        else:
            thread = CardThread(int(number)) if kind == "card" else RequesterThread(int(number))
    then = doc.get("then")
    remember = (str(then[0]), int(then[1])) if then else None
    return Post(where, doc["text"], doc["blocks"], thread, bool(doc.get("broadcast")), remember)
