"""The typed side tables (`store.records`, issue 36): each value round-trips through every
backend, and is written as the very document the flows wrote before the tables were typed,
so a store written then reads back as it is."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain.approval import Approval, Need, Step
from bot.domain.away import Away
from bot.domain.deflection import Answered
from bot.domain.intake import Draft, Stage
from bot.domain.priority import Priority
from bot.domain.storm import Storm
from store import MemoryStore, Store, store_from_url
from store import records as r
from store.approval_codec import approval_to_doc
from store.codec import draft_to_doc, storm_to_doc
from store.records import DigestRecord, Imported, Place, ReportRecord, Table, Told, WhoAmI
from tests.factories import T0, make_ticket, minutes

AT = datetime(2026, 11, 2, 9, 30, 15, 123456, tzinfo=UTC)
DRAFT = Draft(
    "d1", "U0ALICE01", "D0ALICE01", None, "dm", "My laptop", Stage.CATEGORY, T0, AT, category="Hardware"
)
STORM = Storm("s1", T0, AT, (1, 2, 3), "C0TRIAGE1:1700000000.000100")
APPROVAL = Approval(
    "a1",
    "U0ALICE01",
    "access",
    "Access",
    Priority.P3,
    "Give me the VPN",
    (("System", "VPN"),),
    (("U0BOB0001",),),
    (Need.ONE,),
    T0,
    level_since=T0,
    trail=(Step(T0, "U0ALICE01", "requested"),),
)
BLOCKS = [{"type": "header", "block_id": "digest", "text": {"type": "plain_text", "text": "Digest"}}]

# Each table: a key (ticket-numbered ones use ticket 1, which the tests open so that a windowed
# PostgreSQL desk loads its records), a value, and the document the untyped flows wrote for it.
SAMPLES: list[tuple[Table[Any], str, Any, Any]] = [
    (r.DRAFTS, DRAFT.key, DRAFT, draft_to_doc(DRAFT)),
    (r.DMS, "U0ALICE01", "D0ALICE01", "D0ALICE01"),
    (r.THREADS, "C0HELP001:1700000000.000100", 1, 1),
    (r.HANDLED, "msg:C0HELP001:1.0", AT, AT.isoformat()),
    (r.STORMS, "s1", STORM, storm_to_doc(STORM)),
    (r.STORM_OF, "1", "s1", "s1"),
    (r.RATINGS_AT, "1", Place("D0ALICE01", "1700000000.000200"), "D0ALICE01:1700000000.000200"),
    (r.OPEN_SURVEYS, "1", Place("D0ALICE01", "1700000000.000200"), "D0ALICE01:1700000000.000200"),
    (r.RESOLVED_AT, "1", Place("D0ALICE01", "1700000000.000300"), "D0ALICE01:1700000000.000300"),
    (r.SIGNED, "1700000000:v0=abc", AT, AT.isoformat()),
    (r.HOMES, "U0ALICE01", AT, AT.isoformat()),
    (r.CONFIRMED_AT, "1", Place("C0HELP001", "1700000000.000400"), "C0HELP001:1700000000.000400"),
    (r.CONFIRMATION, "1", Place("D0ALICE01", "1700000000.000500"), "D0ALICE01:1700000000.000500"),
    (r.AWAY, "U0BOB0001", Away(AT), AT.isoformat()),
    (r.AWAY, "U0DAVE001", Away(None), ""),
    (r.TURNS, "IT", "U0BOB0001", "U0BOB0001"),
    (r.BEGAN, "desk", T0, T0.isoformat()),
    (r.ARCHIVED, "2026-03", ((1, 40), (42, 42)), {"ranges": [[1, 40], [42, 42]]}),
    (r.IMPORTED, "zendesk:7", Imported(1, "f1ng3r", 3), {"n": 1, "fp": "f1ng3r", "trail": 3}),
    (r.OUTSIDERS, "ext:zendesk:9", "Ola Nordmann", "Ola Nordmann"),
    (r.LOOKED_UP, "ola@example.com", "", ""),
    (
        r.ANSWERED,
        "d2",
        Answered(AT, "U0ALICE01", "Hardware", "kb:12"),
        {"at": AT.isoformat(), "person": "U0ALICE01", "category": "Hardware", "by": "kb:12"},
    ),
    (r.LINKED_TO, "2", 1, 1),
    (r.LINKS, "1", (2, 3), [2, 3]),
    (r.ROLLUPS, "2026-11-02|IT|", {"opened": 2, "resolved": 1}, {"opened": 2, "resolved": 1}),
    (r.APPROVALS, "a1", APPROVAL, approval_to_doc(APPROVAL)),
    (
        r.APPROVAL_DMS,
        "a1:U0BOB0001",
        (Place("D0BOB0001", "1.0"), Place("D0BOB0001", "2.0")),
        ["D0BOB0001:1.0", "D0BOB0001:2.0"],
    ),
    (r.ASKED_AT, "a1:U0BOB0001", Place("D0BOB0001", "2.0"), "D0BOB0001:2.0"),
    (
        r.REPORTS,
        "2026-11-02:IT",
        ReportRecord(("U0CAROL01",), {"U0DAVE001": T0}),
        {"owed": ["U0CAROL01"], "delivered": {"U0DAVE001": T0.isoformat()}},
    ),
    (
        r.DIGESTS,
        "2026-11-02:IT",
        DigestRecord(AT, "Digest", BLOCKS, ("channel:C0DIGEST1", "dm:U0CAROL01"), {"dm:U0DAVE001": T0}),
        {
            "built_at": AT.isoformat(),
            "text": "Digest",
            "blocks": BLOCKS,
            "owed": ["channel:C0DIGEST1", "dm:U0CAROL01"],
            "delivered": {"dm:U0DAVE001": T0.isoformat()},
        },
    ),
    (
        r.IDENTITY,
        "bot",
        WhoAmI("U0DESKBOT", "B0DESKBOT", "T0WORK001", None, "Work", "https://work.slack.com/"),
        {
            "user_id": "U0DESKBOT",
            "bot_id": "B0DESKBOT",
            "team_id": "T0WORK001",
            "enterprise_id": None,
            "team": "Work",
            "url": "https://work.slack.com/",
        },
    ),
    (
        r.PARKED_TOLD,
        "C0HELP001|not_in_channel",
        Told(1700000000.25, "not_in_channel", "C0HELP001"),
        {"at": 1700000000.25, "error": "not_in_channel", "place": "C0HELP001"},
    ),
]


# Written only with `put_once` / `add_once` (PostgreSQL keeps it apart, `store.postgres_store.DIRECT`).
ONCE = {r.SIGNED.name}


def test_every_side_table_has_a_sample():
    assert {table.name for table, *_ in SAMPLES} == {table.name for table in r.TABLES}


@pytest.mark.parametrize(("table", "key", "value", "doc"), SAMPLES, ids=lambda v: getattr(v, "name", None))
def test_a_value_is_written_as_the_untyped_flows_wrote_it(table, key, value, doc):
    encoded = json.loads(json.dumps(table.encode(value)))  # as a store keeps it: JSON
    assert json.dumps(encoded) == json.dumps(doc)  # the same document, key order and all
    assert table.decode(json.loads(json.dumps(doc))) == value


def test_a_place_is_its_channel_and_ts():
    assert Place.of("C0HELP001:1700000000.000100") == Place("C0HELP001", "1700000000.000100")
    assert str(Place("C0HELP001", "1.0")) == "C0HELP001:1.0"
    assert Place.of("C0HELP001") == Place("C0HELP001", "")  # as `split_place` read it


async def _beside(store: Store) -> Store:
    """Another desk's view of the same data, read from the backend's files or database (the
    memory store has no other: itself)."""
    if isinstance(store, MemoryStore):
        return store
    other = store_from_url(store.url, read_only=True)
    other.keep_since = store.keep_since
    await other.open()
    return other


async def test_typed_values_round_trip_through_the_store(store):
    await store.create_ticket(lambda n: make_ticket(n, at=T0 + minutes(5)))
    async with store.transaction() as tx:
        for table, key, value, _ in SAMPLES[: len(SAMPLES) // 2]:
            if table.name not in ONCE:
                tx.put(table, key, value)
                assert tx.get(table, key) == value  # the transaction sees its own writes, typed
    for table, key, value, _ in SAMPLES[len(SAMPLES) // 2 :]:
        if table.name not in ONCE:
            await store.put(table, key, value)
    for table, key, value, _ in SAMPLES:
        if table.name in ONCE:
            assert await store.put_once(table, key, value)
    other = await _beside(store)
    try:
        for table, key, value, doc in SAMPLES:
            assert await store.get(table, key) == value
            assert await store.record(table.name, key) == doc  # the old road reads it as it was
            assert await other.get(table, key) == value, table.name
            assert (await other.entries(table))[key] == value
    finally:
        if other is not store:
            await other.close()


async def test_documents_written_by_the_untyped_road_decode_into_the_typed_values(store):
    await store.create_ticket(lambda n: make_ticket(n, at=T0 + minutes(5)))
    async with store.transaction() as tx:
        for table, key, _, doc in SAMPLES:
            if table.name not in ONCE:
                tx.put(table.name, key, doc)
    for table, key, _, doc in SAMPLES:
        if table.name in ONCE:
            assert await store.add_once(table.name, key, doc)
    other = await _beside(store)
    try:
        for table, key, value, _ in SAMPLES:
            assert await other.get(table, key) == value, table.name
            if table.name not in ONCE:
                async with store.transaction() as tx:
                    assert tx.get(table, key) == value
    finally:
        if other is not store:
            await other.close()


async def test_drop_and_put_once(store):
    assert await store.put_once(r.HANDLED, "msg:1", AT)
    assert not await store.put_once(r.HANDLED, "msg:1", T0)
    assert await store.get(r.HANDLED, "msg:1") == AT
    await store.drop(r.HANDLED, "msg:1")
    assert await store.get(r.HANDLED, "msg:1") is None
    await store.put(r.TURNS, "IT", "U0BOB0001")
    async with store.transaction() as tx:
        tx.drop(r.TURNS, "IT")
        assert tx.get(r.TURNS, "IT") is None
    assert await store.get(r.TURNS, "IT") is None
    assert await store.entries(r.TURNS) == {}
