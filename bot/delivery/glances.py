"""What the outbox saw when it looked back at a conversation or a thread for a message an
earlier attempt may have posted: one look serves every message owed there.

After a restart every message that was owed is looked for before it is posted (it may have
reached Slack just before the crash). Looked for one by one, a backlog of hundreds of cards
in one triage channel cost a `conversations.history` walk each (Tier 3, about 50 calls a
minute for the whole workspace, up to `SlackGateway.PAGES` calls a walk): the drain ran at
the look-ups' pace, not at the channel's one post a second. A glance keeps what one walk
found, by the id each message carries in its metadata, so the rest of the messages owed
there are matched against it without asking Slack again.

A glance is trusted only while nothing can have arrived that it did not see:
- what this process posts there afterwards is struck off as delivered, never looked for;
- a post that may have left a message behind (a lost answer, a failed save) forgets every
  glance (`forget`), so the next look asks Slack; a look still on its way then (begun before
  the forgetting) serves its own message and is not kept;
- a message that may come by other means (a digest sent by hand) is always looked for anew
  (the outbox does not ask the glances for it);
- the outbox forgets them when it has nothing left to send, and each is kept `KEEP` seconds
  at most (elapsed time: a long drain still looks again now and then).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.domain.owed import Thread, Where

KEEP = 300.0  # seconds a glance serves at most
Spot = tuple[str, str | None]  # a conversation id and a thread's ts (None: the conversation)


@dataclass
class Glance:
    """What one look back found: each message's ts by its metadata id and by its block ids
    (a message found by a marker it carries)."""

    at: float
    ids: dict[str, str] = field(default_factory=dict)
    markers: dict[str, str] = field(default_factory=dict)
    # Messages the look returned. A thread's look returns its parent first while the thread is
    # there (Slack's Web API spec, slack_web_openapi_v2.json, conversations.replies' example:
    # the message whose ts is the thread_ts, then its replies), so none means the thread is gone.
    seen: int = 0

    def find(self, key: str, marker: str | None) -> str | None:
        """The ts of the message with this id (or this marker), if the look saw it."""
        if key in self.ids:
            return self.ids[key]
        return self.markers.get(marker) if marker is not None else None


def glance_at(messages: Iterable[dict[str, Any]], at: float) -> Glance:
    """A glance from the messages a look back returned (Slack's message objects)."""
    glance = Glance(at)
    for message in messages:
        glance.seen += 1
        ts = str(message.get("ts") or "")
        payload = (message.get("metadata") or {}).get("event_payload") or {}
        if isinstance(payload, dict) and isinstance(payload.get("id"), str):
            glance.ids.setdefault(payload["id"], ts)
        for block in message.get("blocks") or []:
            if isinstance(block, dict) and isinstance(block.get("block_id"), str):
                glance.markers.setdefault(block["block_id"], ts)
    return glance


class Glances:
    """The glances the outbox keeps while it drains, by where they looked."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._seen: dict[Spot, Glance] = {}
        # where a drawn message goes -> the spot it was found to be (a card's thread is known
        # only once the ticket is read): lets the pacer know a look-up will not be made
        self._spots: dict[tuple[Where, Thread | None], Spot] = {}
        self.generation = 0  # counted up by `forget`: a look begun before then is not kept

    def at(self, spot: Spot) -> Glance | None:
        """The glance of this spot, if one is still good."""
        glance = self._seen.get(spot)
        if glance is not None and self.clock() - glance.at > KEEP:
            del self._seen[spot]
            return None
        return glance

    def saw(
        self,
        spot: Spot,
        messages: Iterable[dict[str, Any]],
        begun: int,
        serves: tuple[Where, Thread | None] | None = None,
    ) -> Glance:
        """What a look back at `spot` found, begun at generation `begun`: kept unless the
        glances were forgotten since (it may not have seen what made them forget), and then
        known to serve messages drawn to `serves` (where and thread)."""
        glance = glance_at(messages, self.clock())
        if begun != self.generation:
            return glance
        self._seen[spot] = glance
        if serves is not None:
            self._spots[serves] = spot
        return glance

    def covers(self, to: Where, thread: Thread | None) -> bool:
        """Whether a look-up for a message drawn to `to`, `thread` would be answered here."""
        spot = self._spots.get((to, thread))
        return spot is not None and self.at(spot) is not None

    def forget(self) -> None:
        self._seen.clear()
        self._spots.clear()
        self.generation += 1

    def __len__(self) -> int:
        return len(self._seen)
