"""The outbox's glances (`bot.delivery.glances`): what one look back at a conversation found
serves the next messages owed there, by their metadata id or marker, for a while at most."""

from __future__ import annotations

from bot.delivery.glances import KEEP, Glances
from bot.domain.owed import CardThread, Conversation, DirectMessage

TRIAGE = Conversation("C0TRIAGE1")
FOUND = [
    {"ts": "1.000100", "metadata": {"event_type": "desk_message", "event_payload": {"id": "t1:card"}}},
    {"ts": "1.000200", "blocks": [{"type": "section", "block_id": "digest-2026-12-07"}]},
    {"ts": "1.000300", "text": "a person's message: no metadata, no block ids"},
]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_glance_finds_a_message_by_its_id_or_its_marker():
    glances = Glances(Clock())
    glance = glances.saw(("C0TRIAGE1", None), FOUND, glances.generation, (TRIAGE, None))
    assert glance.seen == 3
    assert glance.find("t1:card", None) == "1.000100"
    assert glance.find("t2:card", "digest-2026-12-07") == "1.000200"
    assert glance.find("t2:card", None) is None
    assert glance.find("t2:card", "digest-2026-12-08") is None


def test_a_glance_serves_its_own_spot_only_and_for_keep_seconds_at_most():
    clock = Clock()
    glances = Glances(clock)
    glances.saw(("C0TRIAGE1", "1.000100"), FOUND, glances.generation, (TRIAGE, CardThread(1)))
    assert glances.covers(TRIAGE, CardThread(1))
    assert not glances.covers(TRIAGE, None), "the channel is not the card's thread"
    assert not glances.covers(DirectMessage("U0ALICE01"), None)
    assert glances.at(("C0TRIAGE1", "1.000100")) is not None
    clock.now += KEEP + 1
    assert not glances.covers(TRIAGE, CardThread(1))
    assert glances.at(("C0TRIAGE1", "1.000100")) is None


def test_forgetting_drops_every_glance_and_any_look_begun_before_it():
    glances = Glances(Clock())
    glances.saw(("C0TRIAGE1", None), FOUND, glances.generation, (TRIAGE, None))
    begun = glances.generation  # a look on its way to Slack
    glances.forget()
    assert len(glances) == 0 and not glances.covers(TRIAGE, None)
    late = glances.saw(("C0TRIAGE1", None), FOUND, begun, (TRIAGE, None))
    assert late.find("t1:card", None) == "1.000100", "it still serves the message it was made for"
    assert len(glances) == 0 and not glances.covers(TRIAGE, None), "but it is not kept"


def test_a_look_serving_no_drawn_place_is_kept_for_its_spot_only():
    glances = Glances(Clock())
    glances.saw(("C0TRIAGE1", None), FOUND, glances.generation)
    assert glances.at(("C0TRIAGE1", None)) is not None
    assert not glances.covers(TRIAGE, None)
