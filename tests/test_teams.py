"""Teams, request channels and assignment (SPEC §9, issue 20), end to end through the local
Slack: a desk of two teams (IT: Bob and Dave in #it-triage, #it-help; People: Fran and Gus in
#people-triage, #people-help; Carol leads both)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.ticket import Action, Status
from tests.harness import (
    ALICE,
    BERLIN,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    FRAN,
    GENERAL,
    GUS,
    IT_HELP,
    PEOPLE_HELP,
    PEOPLE_TRIAGE,
    TRIAGE,
    ack_text,
    bot_posts,
    clock_at,
    dm_of,
    running_desk,
    settle,
    start_request,
    text_of,
    ticket_where,
    two_teams,
)


def cards(run, channel: str) -> list:
    return [m for m in bot_posts(run.slack, channel) if m.thread_ts is None and "*T-" in text_of(m)]


async def card_of(run, number: int):
    await settle(lambda: ticket_where(run, number, lambda t: t.card is not None))
    channel, ts = (await run.desk.store.ticket(number)).card.split(":")
    return run.slack.workspace.find_message(channel, ts)


async def test_a_two_team_desk_asks_for_the_area_by_team_and_routes_by_category():
    async with running_desk(team=two_teams()) as run:
        prompt = await start_request(run, "My payslip shows the wrong hours")
        shown = text_of(prompt)
        assert (
            shown.index("*IT*") < shown.index("Hardware") < shown.index("*People*") < shown.index("Payroll")
        )
        await run.people.press(ALICE, prompt, "Payroll")
        await settle(lambda: "How urgent" in text_of(prompt))
        await run.people.press(ALICE, prompt, "P3 · Normal")
        card = await card_of(run, 1)
        assert card.channel == PEOPLE_TRIAGE and "People · Payroll" in text_of(card)
        assert cards(run, TRIAGE) == []  # IT's triage channel never sees it

        refused = await run.people.command(BOB, "/desk", "claim T-1", channel=TRIAGE)  # IT's Bob
        await run.idle()
        said = " ".join(text_of(m) for m in bot_posts(run.slack, TRIAGE, to=BOB)) + ack_text(refused)
        assert "T-1 belongs to the People team, so only its agents can claim tickets there." in said
        assert (await run.desk.store.ticket(1)).status is Status.OPEN
        await run.people.command(FRAN, "/desk", "claim T-1", channel=PEOPLE_TRIAGE)
        await settle(lambda: ticket_where(run, 1, lambda t: t.assignee == FRAN))

        it_prompt = await start_request(run, "Laptop won't boot", user=ERIN)
        await run.people.press(ERIN, it_prompt, "Hardware")
        await settle(lambda: "How urgent" in text_of(it_prompt))
        await run.people.press(ERIN, it_prompt, "P2 · High")
        assert (await card_of(run, 2)).channel == TRIAGE


async def test_moving_a_ticket_to_another_teams_area_moves_its_card_and_hands_it_back():
    async with running_desk(team=two_teams()) as run:
        prompt = await start_request(run, "I need to book parental leave")
        await run.people.press(ALICE, prompt, "Access")  # the wrong team's area
        await settle(lambda: "How urgent" in text_of(prompt))
        await run.people.press(ALICE, prompt, "P3 · Normal")
        old = await card_of(run, 1)
        assert old.channel == TRIAGE
        await run.people.command(BOB, "/desk", "claim T-1", channel=TRIAGE)
        await settle(lambda: ticket_where(run, 1, lambda t: t.assignee == BOB))
        await run.people.command(BOB, "/desk", "move T-1 Leave", channel=TRIAGE)
        await settle(lambda: cards(run, PEOPLE_TRIAGE))
        await run.idle()
        ticket = await run.desk.store.ticket(1)
        assert (ticket.category, ticket.assignee, ticket.status) == ("Leave", None, Status.OPEN)
        assert ticket.first_response_at is not None  # Bob's claim answered it; that stays
        [new] = cards(run, PEOPLE_TRIAGE)
        assert ticket.card == f"{PEOPLE_TRIAGE}:{new.ts}"
        assert "It is People's now: its card is in <#C0PEOPLE1>." in text_of(old)
        told = [text_of(m) for m in bot_posts(run.slack, dm_of(run, ALICE))]
        assert any("*T-1* is with the People team now." in t for t in told)
        answer = " ".join(text_of(m) for m in bot_posts(run.slack, TRIAGE, to=BOB))
        assert "T-1 is now in Leave, with the People team: its card is in <#C0PEOPLE1>." in answer
        await run.people.command(GUS, "/desk", "claim T-1", channel=PEOPLE_TRIAGE)
        await settle(lambda: ticket_where(run, 1, lambda t: t.assignee == GUS))


async def test_a_request_channel_message_becomes_a_ticket_answered_in_its_thread():
    async with running_desk(team=two_teams()) as run:
        asked, _ = await run.people.say(ALICE, IT_HELP, "The printer on floor 2 jams on every page")
        await settle(lambda: bot_posts(run.slack, IT_HELP, thread=asked.ts))
        [confirmed] = bot_posts(run.slack, IT_HELP, thread=asked.ts)
        assert "*T-1* is open" in text_of(confirmed) and "First response" in text_of(confirmed)
        ticket = await run.desk.store.ticket(1)
        assert (ticket.requester, ticket.category, ticket.priority.value) == (ALICE, "Hardware", "P3")
        assert (ticket.origin.channel, ticket.origin.thread, ticket.origin.via) == (
            IT_HELP,
            asked.ts,
            "channel",
        )
        card = await card_of(run, 1)
        assert card.channel == TRIAGE and f"in <http://localhost/archives/{IT_HELP}/p" in text_of(card)

        # The requester sets the urgency and the area from the thread; the confirmation follows.
        await run.people.click(ALICE, confirmed, "request_urgency", "P1")
        await settle(lambda: ticket_where(run, 1, lambda t: t.priority.value == "P1"))
        await settle(lambda: "P1 · Critical" in text_of(confirmed))
        await run.people.click(ERIN, confirmed, "request_area", "Software")  # not hers, not an agent
        await run.idle()
        assert (await run.desk.store.ticket(1)).category == "Hardware"
        refused = " ".join(text_of(m) for m in bot_posts(run.slack, IT_HELP, to=ERIN))
        assert f"Only <@{ALICE}> who asked, or the desk's agents, can change T-1." in refused
        await run.people.click(DAVE, confirmed, "request_area", "Software")  # an agent may
        await settle(lambda: ticket_where(run, 1, lambda t: t.category == "Software"))

        # Announcements, agents' own posts, edits and thread replies open nothing.
        news, _ = await run.people.say(ERIN, IT_HELP, ":mega: The new printers arrive on Monday")
        await run.people.say(BOB, IT_HELP, "Reminder: restart before you ask")
        await run.people.edit(ALICE, asked, "The printer on floor 2 jams on every page (and on floor 3)")
        await run.people.say(ERIN, IT_HELP, "me too", thread=news.ts)
        await run.people.retry_last_event()
        await run.idle()
        assert await run.desk.store.ticket_count() == 1
        assert bot_posts(run.slack, IT_HELP, thread=news.ts) == []

        # People's request channel opens People's tickets.
        leave, _ = await run.people.say(BOB, PEOPLE_HELP, "How many leave days do I have left?")
        await settle(lambda: bot_posts(run.slack, PEOPLE_HELP, thread=leave.ts))
        ticket = await run.desk.store.ticket(2)
        assert (ticket.requester, ticket.category) == (BOB, "Payroll")  # Bob is an employee there
        assert (await card_of(run, 2)).channel == PEOPLE_TRIAGE


async def test_a_request_threads_two_directions_and_the_cards_thread_stays_internal():
    async with running_desk(team=two_teams()) as run:
        asked, _ = await run.people.say(ALICE, IT_HELP, "VPN drops every ten minutes")
        await settle(lambda: bot_posts(run.slack, IT_HELP, thread=asked.ts))
        card = await card_of(run, 1)

        await run.people.say(ALICE, IT_HELP, "It started after the update", thread=asked.ts)
        await settle(
            lambda: any(
                "It started after the update" in text_of(m)
                for m in bot_posts(run.slack, TRIAGE, thread=card.ts)
            )
        )

        await run.people.say(DAVE, IT_HELP, "Which client version do you run?", thread=asked.ts)
        await settle(lambda: ticket_where(run, 1, lambda t: t.first_response_at is not None))
        ticket = await run.desk.store.ticket(1)
        assert (ticket.assignee, ticket.status) == (DAVE, Status.CLAIMED)  # the public answer took it
        assert [e.detail for e in ticket.trail if e.action is Action.REPLIED] == [
            "Which client version do you run?"
        ]
        await settle(
            lambda: any(
                "replied in the requester's thread" in text_of(m) and "Which client version" in text_of(m)
                for m in bot_posts(run.slack, TRIAGE, thread=card.ts)
            )
        )

        await run.people.say(BOB, TRIAGE, "Internal: this is the known 4.2 bug", thread=card.ts)
        await run.people.command(DAVE, "/desk", "reply T-1 Please update to 4.3", channel=TRIAGE)
        await settle(
            lambda: any(
                "Please update to 4.3" in text_of(m) for m in bot_posts(run.slack, IT_HELP, thread=asked.ts)
            )
        )
        await run.idle()
        ticket = await run.desk.store.ticket(1)
        assert [e.detail for e in ticket.trail if e.action is Action.NOTE] == [
            "Internal: this is the known 4.2 bug"
        ]
        public = " ".join(m.text + text_of(m) for m in run.slack.workspace.channels[IT_HELP].messages)
        assert "known 4.2 bug" not in public  # the triage card's thread stays internal
        followed = [e.detail for e in ticket.trail if e.action is Action.FOLLOW_UP]
        assert followed == ["It started after the update"]


async def test_round_robin_skips_an_agent_who_is_away_and_spreads_ten_tickets_evenly():
    teams = two_teams(it={"agents": [BOB, DAVE, ERIN], "assign": "round_robin"})
    async with running_desk(team=teams) as run:
        away = await run.people.command(ERIN, "/desk", "away fri")
        assert "You're away until Fri" in ack_text(away) and "won't assign you new tickets" in ack_text(away)
        for n in range(10):
            await run.people.say(ALICE, IT_HELP, f"Problem number {n}")
        await settle(lambda: ticket_where(run, 10, lambda t: t.assignee))
        await run.idle(timeout=30)  # ten confirmations in one channel go at Slack's pace: 1/s
        tickets = [await run.desk.store.ticket(n) for n in range(1, 11)]
        assert [t.assignee for t in tickets] == [BOB, DAVE] * 5
        assert all(t.status is Status.OPEN and t.first_response_at is None for t in tickets)  # clock runs
        dms = [text_of(m) for m in bot_posts(run.slack, dm_of(run, BOB))]
        assert sum("the desk assigned it to you" in t for t in dms) == 5
        assert any("I'm on it" in t and "Reply" in t and "Resolve" in t for t in dms)
        assert f"Assigned to <@{BOB}>, not taken up yet" in text_of(await card_of(run, 1))

        back = await run.people.command(ERIN, "/desk", "back")
        assert "Welcome back" in ack_text(back)
        await run.people.say(ALICE, IT_HELP, "Problem number 10")
        await run.people.say(ALICE, IT_HELP, "Problem number 11")
        await settle(lambda: ticket_where(run, 12, lambda t: t.assignee))
        assert [(await run.desk.store.ticket(n)).assignee for n in (11, 12)] == [ERIN, BOB]

        # "I'm on it" in the assignment DM is the first response.
        assigned = next(m for m in bot_posts(run.slack, dm_of(run, BOB)) if "*T-1* is yours" in text_of(m))
        await run.people.press(BOB, assigned, "I'm on it")
        await settle(lambda: ticket_where(run, 1, lambda t: t.status is Status.CLAIMED))
        assert (await run.desk.store.ticket(1)).first_response_at is not None


async def test_least_busy_picks_the_agent_with_the_fewest_open_tickets_and_nobody_when_all_are_away():
    teams = two_teams(people={"assign": "least_busy"})
    async with running_desk(team=teams) as run:
        for n in range(3):  # Fran holds three, Gus one
            await run.people.say(ALICE, PEOPLE_HELP, f"Question {n}")
            await settle(lambda n=n: ticket_where(run, n + 1, lambda t: t.assignee))
        assert [(await run.desk.store.ticket(n)).assignee for n in (1, 2, 3)] == [FRAN, GUS, FRAN]
        await run.people.command(GUS, "/desk", "resolve T-2 done")
        await settle(lambda: ticket_where(run, 2, lambda t: not t.is_open))
        await run.people.say(ALICE, PEOPLE_HELP, "Question 3")
        await settle(lambda: ticket_where(run, 4, lambda t: t.assignee))
        assert (await run.desk.store.ticket(4)).assignee == GUS  # none open against Fran's two

        await run.people.command(FRAN, "/desk", "away")
        await run.people.command(GUS, "/desk", "away 2h")
        await run.people.say(ALICE, PEOPLE_HELP, "Question 4")
        await settle(lambda: ticket_where(run, 5, lambda t: t.card))
        await run.idle()
        assert (await run.desk.store.ticket(5)).assignee is None  # nobody there: it waits in the queue
        run.clock.advance(timedelta(hours=3))  # Gus is back by his word
        await run.people.say(ALICE, PEOPLE_HELP, "Question 5")
        await settle(lambda: ticket_where(run, 6, lambda t: t.assignee))
        assert (await run.desk.store.ticket(6)).assignee == GUS


async def test_queue_and_quality_by_team():
    async with running_desk(team=two_teams()) as run:
        await run.people.say(ALICE, IT_HELP, "Monitor flickers")
        await run.people.say(ALICE, PEOPLE_HELP, "Payslip missing")
        await settle(lambda: ticket_where(run, 2, lambda t: t.card))
        await run.people.command(FRAN, "/desk", "queue", channel=PEOPLE_TRIAGE)
        await settle(lambda: bot_posts(run.slack, PEOPLE_TRIAGE, to=FRAN))
        queue = text_of(bot_posts(run.slack, PEOPLE_TRIAGE, to=FRAN)[-1])
        assert "T-2" in queue and "T-1" not in queue

        wrong = await run.people.command(CAROL, "/desk", "quality Marketing 30d")
        assert "There is no team called “Marketing”. The teams: IT, People." in ack_text(wrong)
        await run.people.command(CAROL, "/desk", "quality people 30d")
        await settle(
            lambda: any(
                "Quality · People · last 30 days" in text_of(m)
                for m in bot_posts(run.slack, dm_of(run, CAROL), to=CAROL)
            )
        )


async def test_each_teams_leads_get_its_own_digest():
    teams = two_teams(people={"leads": [DAVE]})  # Dave leads People (and works in IT)
    async with running_desk(team=teams) as run:
        await run.people.say(ALICE, IT_HELP, "Monitor flickers")
        await run.people.say(ALICE, PEOPLE_HELP, "Payslip missing")
        await settle(lambda: ticket_where(run, 2, lambda t: t.card))
        run.clock.advance(timedelta(days=1))
        await run.run_job("digest")
        carol = [text_of(m) for m in bot_posts(run.slack, dm_of(run, CAROL))]
        dave = [text_of(m) for m in bot_posts(run.slack, dm_of(run, DAVE))]
        assert [t.split("\n")[0] for t in carol if "Daily digest" in t] == ["Daily digest · IT · Thu 5 Mar"]
        assert [t.split("\n")[0] for t in dave if "Daily digest" in t] == [
            "Daily digest · People · Thu 5 Mar"
        ]
        await run.run_job("digest")  # once a day, per team
        assert sum("Daily digest" in text_of(m) for m in bot_posts(run.slack, dm_of(run, DAVE))) == 1


async def test_a_single_team_config_from_wave_1_still_means_one_team():
    async with running_desk() as run:
        staff = run.desk.desk.staff
        assert [(t.name, t.triage, t.agents) for t in staff.teams] == [("IT Help", TRIAGE, (BOB, DAVE))]
        prompt = await start_request(run)
        assert "*IT Help*" not in text_of(prompt)  # one team: no team headings
        await run.people.say(ALICE, GENERAL, "hello everyone")
        await run.idle()
        assert await run.desk.store.ticket_count() == 0  # no request channels: channels are chat


async def test_an_agents_home_has_the_away_switch_and_a_leads_home_each_teams_week():
    async with running_desk(team=two_teams(people={"assign": "round_robin"})) as run:
        await run.people.open_home(FRAN)
        await run.people.open_home(CAROL)
        await run.idle()

        def home(user: str) -> str:
            return text_of(
                type(
                    "Home",
                    (),
                    {"blocks": run.slack.workspace.views[f"VHOME{user}"].view["blocks"], "text": ""},
                )
            )

        assert "You're here: the desk may assign you new tickets." in home(FRAN)
        assert "*IT · this week*" in home(CAROL) and "*People · this week*" in home(CAROL)
        await run.people.click_home(FRAN, "home_away")
        await settle(lambda: "You're away until you're back" in home(FRAN))
        await run.people.say(ALICE, PEOPLE_HELP, "Where is my payslip?")
        await settle(lambda: ticket_where(run, 1, lambda t: t.assignee))
        assert (await run.desk.store.ticket(1)).assignee == GUS  # Fran is away
        await run.people.click_home(FRAN, "home_back")
        await settle(lambda: "I'm away" in home(FRAN))
        assert run.slack.errors() == []


async def test_each_teams_leads_get_its_own_weekly_report_once():
    monday_9 = datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN)
    teams = two_teams(people={"leads": [DAVE]})
    async with running_desk(team=teams, clock=clock_at(monday_9 - timedelta(days=5))) as run:
        await run.people.say(ALICE, IT_HELP, "Monitor flickers")
        await run.people.say(ALICE, PEOPLE_HELP, "Payslip missing")
        await settle(lambda: ticket_where(run, 2, lambda t: t.card))
        run.clock.advance(timedelta(days=5, minutes=5))
        await run.run_job("weekly-report", timeout=20)
        await run.run_job("weekly-report", timeout=20)  # once a week, per team

        def charts(user: str) -> list[str]:
            return [f["name"] for m in bot_posts(run.slack, dm_of(run, user)) for f in m.files]

        assert charts(CAROL) == ["weekly-report-2026-11-30-it.png"]
        assert charts(DAVE) == ["weekly-report-2026-11-30-people.png"]
        [people] = [m for m in bot_posts(run.slack, dm_of(run, DAVE)) if m.files]
        assert "*Weekly report · People · " in people.text and "Opened *1*" in people.text
        assert run.slack.errors() == []


async def test_a_second_teams_card_and_its_threads_note_owed_together_make_one_card():
    """A People ticket's card waits in the outbox's main line, its thread's note in the People
    channel's line: when both are owed at once (here, after Slack was away), the card still goes
    first and the note finds it; no second card (a review of the outbox's concurrent lines)."""
    async with running_desk(team=two_teams()) as run:
        prompt = await start_request(run, "My payslip shows the wrong hours")
        await run.people.press(ALICE, prompt, "Payroll")
        await settle(lambda: "How urgent" in text_of(prompt))
        run.slack.faults.down = True  # the card cannot go: owed
        await run.people.press(ALICE, prompt, "P3 · Normal")
        await settle(lambda: ticket_where(run, 1, lambda t: True))
        await run.people.command(FRAN, "/desk", "priority T-1 P1", channel=PEOPLE_TRIAGE)
        await settle(lambda: ticket_where(run, 1, lambda t: t.priority.name == "P1"))
        assert cards(run, PEOPLE_TRIAGE) == []
        run.slack.faults.down = False  # both go in one round
        await settle(lambda: not run.desk.store.owed_view(), timeout=20)
        await run.idle()
        [card] = cards(run, PEOPLE_TRIAGE)
        assert (await run.desk.store.ticket(1)).card == f"{PEOPLE_TRIAGE}:{card.ts}"
        notes = [m for m in bot_posts(run.slack, PEOPLE_TRIAGE, thread=card.ts) if m.ts != card.ts]
        assert notes, "the priority's note is in the card's thread"
