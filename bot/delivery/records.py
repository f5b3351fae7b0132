"""Store-level reads and writes of records the features keep that delivering needs: a draft's
conversation (the intake's), a digest's or a report's places still owed. Table names of records
the features own live here so that both the feature and the outbox name them without either
importing the other."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from bot.domain.intake import Draft
from store.base import Transaction
from store.records import DMS, DRAFTS, DigestRecord, ReportRecord, Table


def stands_for_dm(channel: str) -> bool:
    """A draft's channel that is a person's id: their DM with the desk, not known yet."""
    return channel[:1] in ("U", "W")


def learn_dm(tx: Transaction, person: str, channel: str) -> None:
    """Remember the person's DM with the desk, so a request they start elsewhere goes on there
    without asking Slack which it is."""
    if tx.get(DMS, person) != channel:
        tx.put(DMS, person, channel)


def move_draft(tx: Transaction, draft: Draft, channel: str) -> Draft:
    """The draft written in the person's id (their DM, not known then), moved to the DM's id."""
    moved = replace(draft, channel=channel)
    tx.drop(DRAFTS, draft.key)
    tx.put(DRAFTS, moved.key, moved)
    learn_dm(tx, draft.person, channel)
    return moved


Struck = TypeVar("Struck", DigestRecord, ReportRecord)  # a record the outbox strikes places off


def strike(tx: Transaction, table: Table[Struck], key: str, place: str, now: datetime) -> None:
    """Strike `place` off a recorded digest's or report's `owed`, noting when it got there."""
    record = tx.get(table, key)
    if record is None:
        return
    owed = tuple(p for p in record.owed if p != place)
    tx.put(table, key, replace(record, owed=owed, delivered={**record.delivered, place: now}))
