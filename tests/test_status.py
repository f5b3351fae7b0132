"""Status questions end to end: "status T-4", "my tickets", "help" and their /ticket forms.

A requester sees only their own tickets; asking about anyone else's answers word for word
like asking about a ticket that does not exist.
"""

from __future__ import annotations

from datetime import timedelta

from bot.domain.priority import Priority
from bot.localslack.workspace import BOT_USER
from tests.factories import make_ticket
from tests.harness import ALICE, BOB, CAROL, ERIN, GENERAL, ack_text, bot_posts, running_desk, settle, text_of


async def ask(run, user: str, words: str) -> str:
    """Say `words` to the desk in a DM and return its answer."""
    dm = run.slack.workspace.im_with(user).id
    before = len(bot_posts(run.slack, dm))
    await run.people.say(user, dm, words)
    await settle(lambda: len(bot_posts(run.slack, dm)) > before)
    return text_of(bot_posts(run.slack, dm)[-1])


async def seed(run, requester=ALICE, text="Printer jams", priority=Priority.P2, age=timedelta(0)):
    opened = run.desk.desk.clock.now() - age
    return await run.desk.store.create_ticket(
        lambda n: make_ticket(n, requester=requester, text=text, priority=priority, at=opened)
    )


async def test_status_shows_state_age_and_time_left_to_the_next_target():
    async with running_desk() as run:
        await seed(run, age=timedelta(minutes=20))
        answer = await ask(run, ALICE, "status T-1")
        assert "*T-1* · Open, waiting for an agent · P2 · High · Hardware" in answer
        assert "_Printer jams_" in answer
        assert "Opened 20m ago" in answer
        assert "first response due in 40m" in answer
        assert "at risk" not in answer


async def test_status_flags_a_target_at_risk_from_the_same_clock_as_the_escalation():
    async with running_desk() as run:
        await seed(run, age=timedelta(minutes=50))  # past warn_at (80%) of the 1h first response
        answer = await ask(run, ALICE, "status T-1")
        assert "first response due in 10m" in answer and ":warning: *at risk*" in answer


async def test_status_accepts_every_way_of_writing_a_reference():
    async with running_desk() as run:
        await seed(run)
        for words in ("status t-1", "status #1", "status 1", "Status T-1?"):
            assert "*T-1* · Open" in await ask(run, ALICE, words), words


async def test_another_persons_ticket_answers_exactly_like_a_missing_one():
    async with running_desk() as run:
        missing = await ask(run, ERIN, "status T-1")
        await seed(run, requester=ALICE)
        hidden = await ask(run, ERIN, "status T-1")
        assert hidden == missing
        assert "can't find T-1" in hidden
        assert "Printer jams" not in hidden
        via_command = ack_text(await run.people.command(ERIN, "/ticket", "status T-1"))
        assert missing in via_command


async def test_agents_and_leads_see_every_ticket():
    async with running_desk() as run:
        await seed(run, requester=ALICE)
        assert "*T-1* · Open" in await ask(run, BOB, "status T-1")
        assert "*T-1* · Open" in ack_text(await run.people.command(CAROL, "/ticket", "status T-1"))


async def test_a_bad_reference_gets_the_way_to_write_one():
    async with running_desk() as run:
        answer = await ask(run, ALICE, "status laptop")
        assert "is not a ticket reference" in answer and "T-42" in answer
        assert await run.desk.store.ticket_count() == 0


async def test_my_tickets_lists_only_the_askers_open_tickets():
    async with running_desk() as run:
        assert "You have no open tickets" in await ask(run, ALICE, "my tickets")
        await seed(run, ALICE, "Printer jams")
        await seed(run, ERIN, "Erin's secret request")
        await seed(run, ALICE, "VPN is slow", Priority.P3)
        answer = await ask(run, ALICE, "my tickets")
        assert "You have 2 open tickets" in answer
        assert answer.index("*T-3*") < answer.index("*T-1*")  # newest first
        assert "Erin's secret request" not in answer and "T-2" not in answer
        listed = ack_text(await run.people.command(ALICE, "/ticket", "list", channel=GENERAL))
        assert "You have 2 open tickets" in listed


async def test_help_says_what_to_do():
    async with running_desk() as run:
        for words in ("help", "hi"):
            answer = await ask(run, ALICE, words)
            assert "Tell me what's wrong" in answer and "`status T-42`" in answer and "`my tickets`" in answer
        assert "Agents:" not in answer
        assert "Agents:" in await ask(run, BOB, "help")
        assert "Tell me what's wrong" in ack_text(await run.people.command(ALICE, "/ticket", "help"))
        assert await run.desk.store.ticket_count() == 0


async def test_questions_in_a_channel_are_answered_privately():
    async with running_desk() as run:
        await seed(run, requester=ALICE)
        await run.people.say(ALICE, GENERAL, f"<@{BOT_USER}> status T-1")
        await settle(lambda: bot_posts(run.slack, GENERAL, to=ALICE))
        answer = bot_posts(run.slack, GENERAL, to=ALICE)[0]
        assert answer.ephemeral_to == ALICE and "*T-1* · Open" in text_of(answer)
        assert bot_posts(run.slack, GENERAL, to=ERIN) == []
        assert await run.desk.store.ticket_count() == 1
