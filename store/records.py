"""The store's side tables, typed: what each holds, by what key, and how it is written.

A `Table[T]` names a table (`store.names`) and says how a `T` becomes the JSON document the
store keeps and back. Flows read and write through it (`tx.get(AWAY, agent)`,
`tx.put(TURNS, team, agent)`, `store.entries(STORMS)`), so they see `Place`s, `datetime`s and
the domain's records, never the documents. Each `encode` writes exactly what the flows wrote
before these tables were typed, so a store written then reads back as it is: no migration.

Keys stay strings (a ticket number is `str(number)`, a place `str(place)`). The tickets and the
outbox are not here: they have their own roads (`Transaction.save_ticket`, `Transaction.owe`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any, Generic, TypeVar

from bot.domain.approval import Approval
from bot.domain.away import Away
from bot.domain.deflection import Answered
from bot.domain.intake import Draft
from bot.domain.storm import Storm
from store import names
from store.approval_codec import APPROVAL_DMS as APPROVAL_DMS_NAME
from store.approval_codec import APPROVALS as APPROVALS_NAME
from store.approval_codec import ASKED_AT as ASKED_AT_NAME
from store.approval_codec import approval_from_doc, approval_to_doc
from store.codec import draft_from_doc, draft_to_doc, storm_from_doc, storm_to_doc

T = TypeVar("T")


@dataclass(frozen=True)
class Table(Generic[T]):
    """A side table: its name in the store, and its records' way to a document and back."""

    name: str
    encode: Callable[[T], Any]  # the value -> the JSON-ready document stored
    decode: Callable[[Any], T]  # a stored document -> the value


@dataclass(frozen=True, order=True)
class Place:
    """Where a message is in Slack: its channel and its `ts`. Stored as "channel:ts"."""

    channel: str
    ts: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.ts}"

    @classmethod
    def of(cls, stored: str) -> Place:
        """The place stored as "channel:ts" (a `ts` keeps any further colon)."""
        channel, _, ts = str(stored).partition(":")
        return cls(channel, ts)


@dataclass(frozen=True)
class Imported:
    """A ticket moved in from another desk (`bot.moving_in`): the number it has here, the
    fingerprint of the record it came from, and how long its trail was when it was written."""

    n: int
    fp: str
    trail: int | None = None  # None: written before trails were counted


@dataclass(frozen=True)
class DigestRecord:
    """A day's leads' digest as recorded (`bot.flows.digest`): built once, then delivered to
    each place it owes (the outbox strikes a place off `owed` into `delivered` once it is there)."""

    built_at: datetime
    text: str
    blocks: list[dict[str, Any]]  # Slack's blocks, as posted
    owed: tuple[str, ...]  # the places it has still to reach ("channel:C…", "dm:U…")
    delivered: dict[str, datetime]  # place -> when it got there


@dataclass(frozen=True)
class ReportRecord:
    """A week's report as recorded (`bot.flows.report`): the leads it is owed to, struck off into
    `delivered` as the outbox gets it to each (its text and chart are drawn as it is sent)."""

    owed: tuple[str, ...]  # the leads it has still to reach
    delivered: dict[str, datetime]  # lead -> when it got there


@dataclass(frozen=True)
class WhoAmI:
    """Who the desk is in the workspace, as Slack's `auth.test` said (`bot.flows.identity`)."""

    user_id: str | None = None
    bot_id: str | None = None
    team_id: str | None = None
    enterprise_id: str | None = None
    team: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Told:
    """The leads were told that messages are parked in a place for a cause (`bot.flows.parking`)."""

    at: float  # when, in seconds since the epoch
    error: str  # Slack's error, as the refusal gave it
    place: str  # where the messages go (a channel's id, "dm:<person>", "home:<person>")


def _same(value: Any) -> Any:
    return value


def _string(doc: Any) -> str:
    return str(doc)


def _when(doc: Any) -> datetime:
    return datetime.fromisoformat(doc)


def _iso(value: datetime) -> str:
    return value.isoformat()


def _place(value: Place) -> str:
    return str(value)


def _places(value: tuple[Place, ...]) -> list[str]:
    return [str(p) for p in value]


def _away_to(value: Away) -> str:
    return value.until.isoformat() if value.until is not None else ""


def _away_from(doc: Any) -> Away:
    return Away(datetime.fromisoformat(doc) if doc else None)


def _answered_to(value: Answered) -> dict[str, Any]:
    return {"at": value.at.isoformat(), "person": value.person, "category": value.category, "by": value.by}


def _answered_from(doc: Any) -> Answered:
    return Answered(datetime.fromisoformat(str(doc["at"])), doc["person"], doc.get("category"), doc.get("by"))


def _imported_to(value: Imported) -> dict[str, Any]:
    doc: dict[str, Any] = {"n": value.n, "fp": value.fp}
    if value.trail is not None:
        doc["trail"] = value.trail
    return doc


def _imported_from(doc: Any) -> Imported:
    return Imported(int(doc["n"]), doc["fp"], doc.get("trail"))


def _ranges_to(value: tuple[tuple[int, int], ...]) -> dict[str, Any]:
    return {"ranges": [[first, last] for first, last in value]}


def _ranges_from(doc: Any) -> tuple[tuple[int, int], ...]:
    return tuple((int(first), int(last)) for first, last in doc["ranges"])


def _numbers(value: tuple[int, ...]) -> list[int]:
    return list(value)


def _numbers_from(doc: Any) -> tuple[int, ...]:
    return tuple(int(n) for n in doc or ())


def _counts(value: dict[str, int]) -> dict[str, int]:
    return dict(value)


def _digest_to(value: DigestRecord) -> dict[str, Any]:
    return {
        "built_at": value.built_at.isoformat(),
        "text": value.text,
        "blocks": value.blocks,
        "owed": list(value.owed),
        "delivered": {place: when.isoformat() for place, when in value.delivered.items()},
    }


def _digest_from(doc: Any) -> DigestRecord:
    return DigestRecord(
        datetime.fromisoformat(doc["built_at"]),
        doc["text"],
        doc["blocks"],
        tuple(doc["owed"]),
        {place: datetime.fromisoformat(when) for place, when in doc["delivered"].items()},
    )


def _report_to(value: ReportRecord) -> dict[str, Any]:
    return {
        "owed": list(value.owed),
        "delivered": {who: when.isoformat() for who, when in value.delivered.items()},
    }


def _report_from(doc: Any) -> ReportRecord:
    delivered = doc.get("delivered") or {}
    return ReportRecord(tuple(doc["owed"]), {who: datetime.fromisoformat(w) for who, w in delivered.items()})


def _who_to(value: WhoAmI) -> dict[str, Any]:
    return asdict(value)


def _who_from(doc: Any) -> WhoAmI:
    return WhoAmI(**{f.name: doc.get(f.name) for f in fields(WhoAmI)})


def _told_to(value: Told) -> dict[str, Any]:
    return {"at": value.at, "error": value.error, "place": value.place}


def _told_from(doc: Any) -> Told:
    return Told(doc["at"], doc["error"], doc["place"])


def _text(name: str) -> Table[str]:
    return Table(name, _same, _string)


def _moment(name: str) -> Table[datetime]:
    return Table(name, _iso, _when)


def _number(name: str) -> Table[int]:
    return Table(name, _same, int)


def _at(name: str) -> Table[Place]:
    return Table(name, _place, Place.of)


# By conversation key: the intake conversations (kept a day after they end).
DRAFTS: Table[Draft] = Table(names.DRAFTS, draft_to_doc, draft_from_doc)
DMS = _text(names.DMS)  # person -> their DM with the desk (`D…`)
THREADS = _number(names.THREADS)  # str(place) of a ticket's thread (requester's, card's) -> its number
HANDLED = _moment(names.HANDLED)  # a request acted on (a message, a form) -> when
STORMS: Table[Storm] = Table(names.STORMS, storm_to_doc, storm_from_doc)  # by storm key
STORM_OF = _text(names.STORM_OF)  # ticket number -> the key of the storm whose card shows it
RATINGS_AT = _at(names.RATINGS_AT)  # ticket number -> its rating request
OPEN_SURVEYS = _at(names.OPEN_SURVEYS)  # ticket number -> its rating request, until it closes
RESOLVED_AT = _at(names.RESOLVED_AT)  # ticket number -> its latest resolution message
SIGNED = _moment(names.SIGNED)  # "timestamp:signature" of a command, click or form -> when
HOMES = _moment(names.HOMES)  # person -> when they first opened the desk's Home tab
CONFIRMED_AT = _at(names.CONFIRMED_AT)  # ticket number -> its confirmation in a channel thread
CONFIRMATION = _at(names.CONFIRMATION)  # ticket number -> its confirmation elsewhere (a DM, …)
AWAY: Table[Away] = Table(names.AWAY, _away_to, _away_from)  # agent -> until when they are away
TURNS = _text(names.TURNS)  # team name -> the agent its round-robin assigned last
BEGAN = _moment(names.BEGAN)  # "desk" -> when the desk first started
# month ("2026-03") -> the (first, last) ranges of the ticket numbers its archive file holds
# (read only: the archiver writes the record whole, with its "opened_from", `Transaction.archive`)
ARCHIVED: Table[tuple[tuple[int, int], ...]] = Table(names.ARCHIVED, _ranges_to, _ranges_from)
# "source:id" of a ticket moved in from another desk -> what became of it here
IMPORTED: Table[Imported] = Table(names.IMPORTED, _imported_to, _imported_from)
OUTSIDERS = _text(names.OUTSIDERS)  # "ext:key" of a person an import found no Slack user for -> name
LOOKED_UP = _text(names.LOOKED_UP)  # an e-mail address an import asked Slack about -> user ("": nobody)
# intake draft id -> the request a suggested answer solved, no ticket opened
ANSWERED: Table[Answered] = Table(names.ANSWERED, _answered_to, _answered_from)
LINKED_TO = _number(names.LINKED_TO)  # ticket number -> the parent it is handled with
LINKS: Table[tuple[int, ...]] = Table(names.LINKS, _numbers, _numbers_from)  # parent -> its children
ROLLUPS: Table[dict[str, int]] = Table(names.ROLLUPS, _counts, _counts)  # "day|team|agent" -> counters
APPROVALS: Table[Approval] = Table(APPROVALS_NAME, approval_to_doc, approval_from_doc)  # by request id
# "<request id>:<approver>" -> their DMs with Approve / Deny
APPROVAL_DMS: Table[tuple[Place, ...]] = Table(
    APPROVAL_DMS_NAME, _places, lambda doc: tuple(Place.of(p) for p in doc or ())
)
ASKED_AT = _at(ASKED_AT_NAME)  # "<request id>:<approver>" -> the DM they pressed Deny on
# local day (ISO; "<day>:<team>" with several teams) -> the leads' digest recorded for it
DIGESTS: Table[DigestRecord] = Table(names.DIGESTS, _digest_to, _digest_from)
REPORTS: Table[ReportRecord] = Table(names.REPORTS, _report_to, _report_from)
IDENTITY: Table[WhoAmI] = Table(names.IDENTITY, _who_to, _who_from)  # "bot" -> who the desk is
# "<place>|<cause>" ("*|<cause>" for the whole desk) -> when the leads were told, until it is sent
PARKED_TOLD: Table[Told] = Table(names.PARKED_TOLD, _told_to, _told_from)

TABLES: tuple[Table[Any], ...] = (
    DRAFTS,
    DMS,
    THREADS,
    HANDLED,
    STORMS,
    STORM_OF,
    RATINGS_AT,
    OPEN_SURVEYS,
    RESOLVED_AT,
    SIGNED,
    HOMES,
    CONFIRMED_AT,
    CONFIRMATION,
    AWAY,
    TURNS,
    BEGAN,
    ARCHIVED,
    IMPORTED,
    OUTSIDERS,
    LOOKED_UP,
    ANSWERED,
    LINKED_TO,
    LINKS,
    ROLLUPS,
    APPROVALS,
    APPROVAL_DMS,
    ASKED_AT,
    DIGESTS,
    REPORTS,
    IDENTITY,
    PARKED_TOLD,
)
