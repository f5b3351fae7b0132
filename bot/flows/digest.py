"""The leads' daily digest: recorded once a day, then delivered once to each place.

`run()` is what the scheduler calls at `digest.time` and once at start (the catch-up): when
today's digest is due and not yet recorded (`RecordDigest`, decided by `bot.domain.recording`),
it is built and recorded in the store, with the places it has to reach, in one transaction
that a second run (or a second process) cannot repeat, together with one outbox entry per
place. The outbox strikes each place off once the message is there. Before posting it looks in
the conversation for the day's digest (by its header's `block_id`), so a crash between posting
and striking off, a restart or an explicit `python -m bot digest` earlier that day never makes
a lead read the same day's digest twice.

That command (`bot.app.digest_now`) sends what `compose` builds itself, not through the
outbox: it runs beside a desk that holds the store (read only here), and an explicit send
always sends, where the outbox would find the day's digest already there and post nothing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from typing import Any

from bot.collection import paused
from bot.delivery.owed import owe
from bot.desk import Desk
from bot.domain import recording as rules
from bot.domain.digest import DigestSchedule, build_digest, digest_reaches
from bot.domain.notices import person_of
from bot.domain.owed import DigestOf, digest_record
from bot.domain.roles import Team
from bot.flows.approvals import Approvals
from bot.flows.began import before_beginning, began
from bot.flows.deflection import deflection_blocks
from bot.slack.digest_blocks import DigestLook, digest_message
from store import records
from store.records import DigestRecord

log = logging.getLogger("desk.digest")
Blocks = list[dict[str, Any]]


class Digests:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self._running = asyncio.Lock()

    @property
    def schedule(self) -> DigestSchedule:
        settings = self.desk.config.digest
        return DigestSchedule(settings.time, settings.days, self.desk.zone)

    def destinations(self, team: Team | None = None) -> list[str]:
        """`digest.channel` when set, else a DM to each lead (of the team, with several)."""
        return list(rules.owed_to(rules.RecordDigest(date.min, _name(team)), self.desk.staff, self._policy()))

    def _policy(self) -> rules.Policy:
        return rules.Policy(self.desk.config.desk.leads, self.desk.config.digest.channel)

    async def compose(self, day: date, now: datetime, team: Team | None = None) -> tuple[str, Blocks]:
        """The digest of `day` as of `now` (of `team`'s tickets, with several): text and blocks."""
        schedule = self.schedule
        since = digest_reaches(schedule, day, now)
        warn_at = self.desk.config.escalation.warn_at
        # The collector held off while the tickets are read and counted (`bot.collection`: its
        # collections would walk them all and hold the event loop meanwhile).
        with paused():
            tickets = self.desk.of_team(await self.desk.store.history_since(since), team)
            # Pure work over immutable tickets: done on a thread so requests keep flowing.
            digest = await asyncio.to_thread(
                build_digest, tickets, self.desk.sla_clock, warn_at, schedule, day, now
            )
            del tickets
        look = DigestLook(
            desk_name=self.desk.config.desk.name,
            schedule=schedule,
            ref=self.desk.ref,
            business=lambda priority: self.desk.config.priority_clock(priority, team).business,
            team=team.name if team is not None else "",
            words=self.desk.words,
        )
        text, blocks = digest_message(digest, look)
        extra = await Approvals(self.desk).figures_block(since, now, team)
        blocks = blocks + extra if len(blocks) + len(extra) <= 50 else blocks
        return text, blocks + await deflection_blocks(self.desk, digest.summary, team)

    # -- on schedule -------------------------------------------------------------------
    async def run(self) -> bool:
        """Record today's digests if they are due and not recorded yet, then deliver what is
        owed. True when this call recorded one."""
        async with self._running:
            now = self.desk.clock.now()
            day = self.schedule.due_on(now)
            if day is None:
                return False
            recorded = False
            beginning = await began(self.desk)
            for team in self.desk.teams_apart():
                key = digest_record(day.isoformat(), _name(team))
                if before_beginning(self.schedule.reported(day).end, beginning):
                    continue  # a day before the desk began: not greeted with a "quiet day"
                if await self.desk.store.get(records.DIGESTS, key) is None:
                    recorded = await self._record(day, now, team) or recorded
                await self._deliver(day, team)
            return recorded

    async def deliver_owed(self) -> None:
        """Try again to deliver today's digests where Slack could not take them yet."""
        async with self._running:
            day = self.desk.clock.now().astimezone(self.desk.zone).date()
            for team in self.desk.teams_apart():
                await self._deliver(day, team)

    async def _record(self, day: date, now: datetime, team: Team | None) -> bool:
        """Carry `RecordDigest`: the day's digest, composed first, recorded with the places it
        owes and one outbox entry per place, in one transaction (a second run or process finds
        it taken)."""
        name = _name(team)
        command, policy, staff = rules.RecordDigest(day, name), self._policy(), self.desk.staff
        if not rules.owed_to(command, staff, policy):
            log.warning(
                "no digest sent: there are no leads and no digest.channel",
                extra={"day": str(day), "team": name},
            )
            return False
        text, blocks = await self.compose(day, now, team)
        key = digest_record(day.isoformat(), name)
        async with self.desk.store.transaction() as tx:
            outcome = rules.decide(tx.get(records.DIGESTS, key) is not None, command, staff, policy, now)
            if not outcome.owed_to:
                return False
            tx.put(records.DIGESTS, key, DigestRecord(now, text, blocks, outcome.owed_to, {}))
            for message in outcome.owed:
                if isinstance(message, DigestOf):
                    owe(tx, digest_key(day, message.place, name), message)
        log.info("digest recorded", extra={"day": str(day), "to": len(outcome.owed_to), "team": name})
        return True

    async def _deliver(self, day: date, team: Team | None) -> None:
        """Make sure each place the day's digest still owes is in the outbox (the outbox looks
        in the conversation first, so a digest that arrived before a crash is not sent again)."""
        name = _name(team)
        record = await self.desk.store.get(records.DIGESTS, digest_record(day.isoformat(), name))
        if record is None:
            return
        owed_now = await self.desk.store.owed()
        missing = [place for place in record.owed if digest_key(day, place, name) not in owed_now]
        if missing:
            async with self.desk.store.transaction() as tx:
                for place in missing:
                    owe(tx, digest_key(day, place, name), DigestOf(day.isoformat(), place, name))


def _name(team: Team | None) -> str:
    return team.name if team is not None else ""


def digest_key(day: date, place: str, team: str = "") -> str:
    """The outbox id of the day's digest (of one team, with several) to one place."""
    return f"digest:{day.isoformat()}:{place}" + (f":{team}" if team else "")


def place_words(place: str) -> str:
    """A destination as an operator reads it: `@U0CAROL01 by DM`, `channel C0DIGEST1`."""
    person = person_of(place)
    return f"@{person} by DM" if person is not None else f"channel {place.partition(':')[2]}"
