"""What every store backend promises, run against each one (see the `store` fixture)."""

import asyncio
from dataclasses import replace

import pytest

from bot.domain.errors import TicketNotFound, TransitionNotAllowed
from tests.factories import T0, make_ticket, minutes


async def test_ticket_numbers_are_unique_and_increasing(store):
    made = [await store.create_ticket(lambda n: make_ticket(n)) for _ in range(5)]
    assert [t.number for t in made] == [1, 2, 3, 4, 5]
    assert await store.ticket(3) == made[2]
    assert await store.ticket(99) is None


async def test_concurrent_creations_never_share_a_number(store):
    made = await asyncio.gather(*(store.create_ticket(lambda n: make_ticket(n)) for _ in range(40)))
    assert sorted(t.number for t in made) == list(range(1, 41))
    assert await store.ticket_count() == 40


async def test_update_applies_a_domain_step(store):
    await store.create_ticket(lambda n: make_ticket(n))
    claimed = await store.update_ticket(1, lambda t: t.claim("U0BOB0001", T0))
    assert (await store.ticket(1)) == claimed
    assert claimed.assignee == "U0BOB0001"


async def test_a_refused_step_changes_nothing(store):
    await store.create_ticket(lambda n: make_ticket(n))
    await store.update_ticket(1, lambda t: t.claim("U0BOB0001", T0))
    before = await store.ticket(1)
    with pytest.raises(TransitionNotAllowed):
        await store.update_ticket(1, lambda t: t.claim("U0DAVE001", T0))
    assert await store.ticket(1) == before


async def test_updating_a_missing_ticket_is_not_found(store):
    with pytest.raises(TicketNotFound):
        await store.update_ticket(7, lambda t: t)


async def test_two_claims_at_once_exactly_one_wins(store):
    await store.create_ticket(lambda n: make_ticket(n))
    results = await asyncio.gather(
        store.update_ticket(1, lambda t: t.claim("U0BOB0001", T0)),
        store.update_ticket(1, lambda t: t.claim("U0DAVE001", T0)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, TransitionNotAllowed) for r in results) == 1
    winner = next(r for r in results if not isinstance(r, Exception))
    assert (await store.ticket(1)).assignee == winner.assignee


async def test_open_tickets_are_the_unresolved_ones_oldest_first(store):
    for i in range(4):
        await store.create_ticket(lambda n, i=i: make_ticket(n, at=T0 + minutes(i)))
    await store.update_ticket(2, lambda t: t.resolve("U0BOB0001", "", T0))
    assert [t.number for t in await store.open_tickets()] == [1, 3, 4]
    await store.update_ticket(2, lambda t: t.reopen("U0ALICE01", T0 + minutes(5)))
    assert [t.number for t in await store.open_tickets()] == [1, 2, 3, 4]


async def test_tickets_of_a_requester(store):
    await store.create_ticket(lambda n: make_ticket(n, requester="U0ALICE01"))
    await store.create_ticket(lambda n: make_ticket(n, requester="U0ERIN001"))
    await store.create_ticket(lambda n: make_ticket(n, requester="U0ALICE01"))
    await store.update_ticket(3, lambda t: t.resolve("U0BOB0001", "", T0))
    assert [t.number for t in await store.tickets_of("U0ALICE01")] == [1]
    assert [t.number for t in await store.tickets_of("U0ALICE01", open_only=False)] == [1, 3]
    assert await store.tickets_of("U0NOBODY1") == []


async def test_tickets_opened_since(store):
    for i in range(5):
        await store.create_ticket(lambda n, i=i: make_ticket(n, at=T0 + minutes(10 * i)))
    found = await store.tickets_opened_since(T0 + minutes(20))
    assert [t.number for t in found] == [3, 4, 5]


async def test_records_put_get_delete(store):
    await store.put_record("conversations", "U1:D1", {"state": "category", "text": "help"})
    assert await store.record("conversations", "U1:D1") == {"state": "category", "text": "help"}
    await store.delete_record("conversations", "U1:D1")
    assert await store.record("conversations", "U1:D1") is None
    assert await store.records("conversations") == {}


async def test_add_once_is_true_only_the_first_time(store):
    first = await asyncio.gather(*(store.add_once("events", "Ev1", {"at": 1}) for _ in range(5)))
    assert sorted(first) == [False, False, False, False, True]
    assert await store.record("events", "Ev1") == {"at": 1}


async def test_add_once_soon_takes_the_key_at_once_and_keeps_it_with_what_follows(store):
    """The replay check's mark (`Store.add_once_soon`): taken at once for every later asker,
    either road, and committed no later than the next change (signed: the table PostgreSQL
    keeps in the database alone)."""
    first = await asyncio.gather(*(store.add_once_soon("signed", "1:v0=a", {"at": 1}) for _ in range(5)))
    assert sorted(first) == [False, False, False, False, True]
    assert not await store.add_once("signed", "1:v0=a", {"at": 2}), "the other road sees it too"
    await store.create_ticket(lambda n: make_ticket(n))  # a change after it: the mark is written
    assert await store.record("signed", "1:v0=a") == {"at": 1}
    assert not await store.add_once_soon("signed", "1:v0=a", {"at": 3})


async def test_a_transaction_that_raises_keeps_nothing(store):
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            tx.save_ticket(make_ticket(tx.new_ticket_number()))
            tx.put("markers", "x", 1)
            raise RuntimeError("boom")
    assert await store.ticket_count() == 0
    assert await store.record("markers", "x") is None
    assert (await store.create_ticket(lambda n: make_ticket(n))).number == 1


async def test_a_transaction_sees_its_own_writes_and_commits_them_together(store):
    async with store.transaction() as tx:
        ticket = make_ticket(tx.new_ticket_number())
        tx.save_ticket(ticket)
        tx.save_ticket(replace(ticket, card="C0TRIAGE1/1.0"))
        tx.put("notes", "m1", {"to": "D1"})
        assert tx.ticket(1).card == "C0TRIAGE1/1.0"
        assert tx.record("notes", "m1") == {"to": "D1"}
    assert (await store.ticket(1)).card == "C0TRIAGE1/1.0"
    assert await store.record("notes", "m1") == {"to": "D1"}


async def test_tickets_are_a_reserved_table(store):
    with pytest.raises(ValueError):
        async with store.transaction() as tx:
            tx.put("tickets", "1", {})


async def test_text_round_trips_exactly(store):
    text = 'Ünïcode ✓, <!channel> & "quotes"\nnew line ' + "x" * 14000
    await store.create_ticket(lambda n: make_ticket(n, text=text))
    assert (await store.ticket(1)).text == text


async def test_history_between_holds_every_ticket_something_happened_to_then(store):
    """The bounded read of a report's edge day beyond the window: every ticket open, or settled
    since `since` and opened before `until`, whether in memory, archived or in the database
    alone; a ticket opened after `until` or settled before `since` may be left out."""
    day = 60 * 24

    def worked(number: int, opened: int, resolved: int):  # days before T0
        return make_ticket(number, at=T0 - minutes(opened * day)).resolve(
            "U0BOB0001", "done", T0 - minutes(resolved * day)
        )

    long_ago, that_day, spanning, later = (
        worked(2, 300, 299),
        worked(3, 200, 199),
        worked(4, 201, 150),
        worked(5, 198, 197),
    )
    recent = make_ticket(6, at=T0 - minutes(60)).resolve("U0BOB0001", "done", T0)
    still_open = make_ticket(1, at=T0 - minutes(400 * day))
    # settled hours before `since` (in its month), and the same rated after it
    just_before = make_ticket(7, at=T0 - minutes(200 * day + 600)).resolve(
        "U0BOB0001", "done", T0 - minutes(200 * day + 300)
    )
    rated_then = replace(just_before, number=8)
    rated_then = rated_then.rate(rated_then.requester, 4, T0 - minutes(200 * day - 30))
    for ticket in (still_open, long_ago, that_day, spanning, later, recent, just_before, rated_then):
        await store.create_ticket(lambda n, t=ticket: t)
    moved = await store.archive_settled(T0 - minutes(120 * day))
    assert moved in (0, 6)  # the stores that keep everything in memory move nothing
    since, until = T0 - minutes(200 * day + 60), T0 - minutes(199 * day - 60)
    found = await store.history_between(since, until)
    assert [t.number for t in found] == sorted(t.number for t in found)
    numbers = {t.number for t in found}
    assert numbers >= {1, 3, 4, 8}
    assert not numbers & ({2, 5, 7} if moved else set())  # beyond the window, that day's alone
    assert {t.number: t for t in found}[3] == that_day
    assert [t.number for t in await store.all_tickets()] == [1, 2, 3, 4, 5, 6, 7, 8]


async def test_history_since_holds_every_ticket_something_happened_to_since(store):
    """What reports and /quality read. After archiving (which only TinyDB does) nothing is
    lost from it, from a look-up or from the count."""
    old = make_ticket(2, at=T0 - minutes(60 * 24 * 300)).resolve(
        "U0BOB0001", "done", T0 - minutes(60 * 24 * 299)
    )
    recent = make_ticket(3, at=T0 - minutes(60)).resolve("U0BOB0001", "done", T0)
    still_open = make_ticket(1, at=T0 - minutes(60 * 24 * 400))
    for ticket in (still_open, old, recent):  # numbers rise with time
        await store.create_ticket(lambda n, t=ticket: t)
    moved = await store.archive_settled(T0 - minutes(60 * 24 * 120))
    assert moved in (0, 1)  # the stores that keep everything in memory move nothing
    since = T0 - minutes(60 * 24 * 30)
    assert {t.number for t in await store.history_since(since)} >= {1, 3}
    assert [t.number for t in await store.all_tickets()] == [1, 2, 3]
    assert await store.ticket(2) == old and await store.ticket_count() == 3
    assert [t.number for t in await store.tickets_opened_since(since)] == [3]


def test_the_interface_is_no_store_of_its_own_and_memory_is_one():
    from store import MemoryStore, Store, store_from_url

    with pytest.raises(TypeError):
        Store()  # type: ignore[abstract]
    assert isinstance(store_from_url("memory://"), MemoryStore)
