"""Request types and approvals end to end (SPEC §13), through the local Slack: /ticket offers
the team's types and then the type's form; a request with a chain waits for its approvers
(Approve / Deny in their DMs) before it becomes a ticket in the team's queue."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from bot.clock import FixedClock
from bot.domain.approval import State
from bot.domain.ticket import Action
from bot.export import ticket_row
from store.approval_codec import APPROVALS, approval_from_doc
from tests.harness import (
    ALICE,
    BERLIN,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    GENERAL,
    IT_HELP,
    TEST_START,
    TRIAGE,
    blocks_text,
    bot_posts,
    dm_of,
    local_slack,
    running_desk,
    settle,
    text_of,
    two_teams,
)
from tests.test_agents import command
from tests.test_rating_and_quality import quality_answer

ACCESS = {
    "name": "Access to a system",
    "description": "Get into a system you need for your work",
    "fields": [
        {"key": "system", "label": "Which system?", "kind": "select", "options": ["VPN", "Payroll"]},
        {"key": "reason", "label": "Why do you need it?", "kind": "long_text"},
        {"key": "manager", "label": "Your manager", "kind": "person"},
    ],
    "area": "Access",
    "approval": [{"approvers": [CAROL]}, {"field": "manager"}],
    "approval_reminder": "1d",
    "approval_limit": "3d",
}
LAPTOP = {
    "name": "New laptop",
    "fields": [
        {"key": "model", "label": "Which model?", "kind": "select", "options": ["13-inch", "15-inch"]}
    ],
    "area": "Hardware",
    "priority": "P4",
}
TYPES = {"team": two_teams(it={"request_type": [ACCESS, LAPTOP]})}


def chosen(value: str) -> dict:
    return {"value": {"text": {"type": "plain_text", "text": value}, "value": value}}


async def open_type_form(run, user: str, choice: str):
    """`/ticket`, then pick a type: returns the type's form (the same modal, updated)."""
    await run.people.command(user, "/ticket", "", channel=GENERAL)
    await settle(lambda: run.slack.workspace.modals_of(user))
    [view] = run.slack.workspace.modals_of(user)
    assert view.view["callback_id"] == "request_type_choice"
    options = [o["text"]["text"] for o in view.view["blocks"][0]["element"]["options"]]
    assert options[0] == "Access to a system" and options[-1] == "Something else"
    answer = await run.people.submit(user, view.id, {"request_type": chosen(choice)})
    assert answer.body["response_action"] == "update"
    return view


async def request_access(run, manager: str = ERIN, user: str = ALICE):
    view = await open_type_form(run, user, "0")
    values = {
        "field_system": chosen("VPN"),
        "field_reason": {"value": "Month-end close from home"},
        "field_manager": {"value": manager},
    }
    answer = await run.people.submit(user, view.id, values)
    await run.idle()
    return answer


def dm_posts(run, person: str) -> list:
    return bot_posts(run.slack, dm_of(run, person))


def approve_button(run, person: str):
    return next(m for m in reversed(dm_posts(run, person)) if "approval_approve" in str(m.blocks))


async def held(run):
    [doc] = (await run.desk.store.records(APPROVALS)).values()
    return approval_from_doc(doc)


async def test_a_two_level_chain_approved_opens_the_ticket_with_its_fields():
    async with running_desk(**TYPES) as run:
        await run.people.command(ALICE, "/ticket", "", channel=GENERAL)
        await settle(lambda: run.slack.workspace.modals_of(ALICE))
        [chooser] = run.slack.workspace.modals_of(ALICE)
        offered = [o["text"]["text"] for o in chooser.view["blocks"][0]["element"]["options"]]
        assert offered == ["Access to a system", "New laptop", "Something else"]
        run.slack.workspace.close_view(chooser.id)
        await request_access(run)
        assert await run.desk.store.ticket_count() == 0, "not a ticket while it waits: in no queue"
        assert "waiting for approval from <@U0CAROL01>" in text_of(dm_posts(run, ALICE)[-1])
        assert not dm_posts(run, ERIN), "the second level hears nothing before the first approves"
        asked = approve_button(run, CAROL)
        assert "Which system?* VPN" in text_of(asked) and "<@U0ERIN001>" in text_of(asked)

        run.clock.advance(timedelta(hours=2))
        await run.people.click(CAROL, asked, "approval_approve")
        await run.idle()
        assert "You approved this request" in text_of(asked) and "Approve" not in text_of(asked)
        assert await run.desk.store.ticket_count() == 0 and (await held(run)).level == 1
        await run.people.click(ERIN, approve_button(run, ERIN), "approval_note")
        await settle(lambda: run.slack.workspace.modals_of(ERIN))
        [note] = run.slack.workspace.modals_of(ERIN)
        await run.people.submit(ERIN, note.id, {"reason": {"value": "For the month-end close only"}})
        await run.idle()
        assert "You approved this request: For the month-end close only" in text_of(dm_posts(run, ERIN)[-1])

        ticket = await run.desk.store.ticket(1)
        assert ticket is not None and ticket.category == "Access"
        assert ticket.opened_at == TEST_START + timedelta(hours=2), "its SLA clock starts when approved"
        assert ticket.fields == (
            ("Which system?", "VPN"),
            ("Why do you need it?", "Month-end close from home"),
            ("Your manager", ERIN),
        )
        assert [(e.actor, e.action) for e in ticket.trail if e.action is Action.APPROVED] == [
            (CAROL, Action.APPROVED),
            (ERIN, Action.APPROVED),
        ]
        card = bot_posts(run.slack, TRIAGE)[-1]
        assert "Which system?* VPN" in text_of(card) and "Your manager:* <@U0ERIN001>" in text_of(card)
        assert any("*T-1* is open" in text_of(m) for m in dm_posts(run, ALICE))
        done = await held(run)
        assert done.state is State.APPROVED and done.ticket == 1
        assert done.decided_at - done.requested_at == timedelta(hours=2)

        queue = await command(run, BOB, "/desk", "queue")
        assert "Which system? VPN · Why do you need it? Month-end close from home" in queue
        await run.people.command(BOB, "/ticket", "show T-1", channel=TRIAGE)
        await settle(lambda: run.slack.workspace.modals_of(BOB))
        [details] = run.slack.workspace.modals_of(BOB)
        assert "Your manager:* <@U0ERIN001>" in blocks_text(details.view["blocks"])
        row = ticket_row(ticket, run.desk.desk.ref, run.desk.desk.sla_clock, run.clock.now(), BERLIN)
        assert (
            row["fields"]
            == f"Which system?: VPN; Why do you need it?: Month-end close from home; Your manager: {ERIN}"
        )
        assert row["approvals"].startswith(f"{CAROL} 2026-03-04T12:00:00+01:00 (level 1); {ERIN} ")


async def test_a_denial_reaches_the_requester_with_its_reason_and_opens_nothing():
    async with running_desk(**TYPES) as run:
        await request_access(run)
        await run.people.click(CAROL, approve_button(run, CAROL), "approval_deny")
        await settle(lambda: run.slack.workspace.modals_of(CAROL))
        [form] = run.slack.workspace.modals_of(CAROL)
        empty = await run.people.submit(CAROL, form.id, {"reason": {"value": "  "}})
        assert empty.body["response_action"] == "errors"
        await run.people.submit(CAROL, form.id, {"reason": {"value": "Contractors get no VPN"}})
        await run.idle()
        told = text_of(dm_posts(run, ALICE)[-1])
        assert "was denied by <@U0CAROL01>: Contractors get no VPN" in told
        assert await run.desk.store.ticket_count() == 0
        assert (await held(run)).state is State.DENIED
        assert not dm_posts(run, ERIN), "a denied request asks no further level"
        assert not any("rate" in text_of(m).lower() for m in dm_posts(run, ALICE)), "no rating request"


async def test_the_approver_is_taken_from_the_form_and_nobody_approves_their_own():
    async with running_desk(**TYPES) as run:
        own = await request_access(run, manager=ALICE)
        assert own.body["response_action"] == "errors"
        assert "can't approve your own request" in own.body["errors"]["field_manager"]
        [form] = run.slack.workspace.modals_of(ALICE)
        await run.people.submit(
            ALICE,
            form.id,
            {
                "field_system": chosen("VPN"),
                "field_reason": {"value": "Close"},
                "field_manager": {"value": DAVE},
            },
        )
        await run.idle()
        await run.people.click(CAROL, approve_button(run, CAROL), "approval_approve")
        await run.idle()
        assert approve_button(run, DAVE) and not dm_posts(run, ERIN)
        assert (await held(run)).chain == ((CAROL,), (DAVE,))


async def test_a_forged_approve_is_refused_and_fields_stay_locked_while_pending():
    async with running_desk(**TYPES) as run:
        await request_access(run)
        asked = approve_button(run, CAROL)
        before = await held(run)
        await run.people.click(BOB, asked, "approval_approve")  # an agent, not an approver
        await run.people.click(ERIN, asked, "approval_approve")  # the next level's, too early
        await run.idle()
        refused = [m for m in bot_posts(run.slack, asked.channel, to=BOB) if m.ephemeral_to == BOB]
        assert "not an approver of this request" in text_of(refused[-1])
        assert await held(run) == before and await run.desk.store.ticket_count() == 0
        assert "Approve" in str(asked.blocks), "Carol's buttons are still there"
        await run.people.click(BOB, asked, "approval_deny")
        await run.idle()
        assert not run.slack.workspace.modals_of(BOB), "no deny form for someone who may not deny"
        assert len([m for m in bot_posts(run.slack, asked.channel, to=BOB) if m.ephemeral_to == BOB]) == 2

        waiting = dm_posts(run, ALICE)[-1]
        await run.people.click(ALICE, waiting, "approval_change")
        await run.idle()
        told = [m for m in bot_posts(run.slack, waiting.channel, to=ALICE) if m.ephemeral_to == ALICE]
        assert "its fields are locked" in text_of(told[-1])
        assert await held(run) == before


async def test_a_type_without_a_chain_opens_a_ticket_at_once():
    async with running_desk(**TYPES) as run:
        view = await open_type_form(run, ALICE, "1")
        await run.people.submit(ALICE, view.id, {"field_model": chosen("15-inch")})
        await run.idle()
        ticket = await run.desk.store.ticket(1)
        assert ticket.text == "New laptop" and ticket.fields == (("Which model?", "15-inch"),)
        assert ticket.category == "Hardware" and ticket.priority.value == "P4"


@pytest.mark.parametrize("backend", ["tinydb", "postgresql"])
async def test_a_reminder_and_an_escalation_come_once_each_across_a_restart(tmp_path, backend, request):
    url = f"tinydb://{tmp_path}/desk.json" if backend == "tinydb" else request.getfixturevalue("pg_url")
    clock = FixedClock(TEST_START)
    async with local_slack() as slack:
        async with running_desk(url, slack=slack, clock=clock, **TYPES) as run:
            await request_access(run)
            await run.advance(timedelta(hours=1))
            assert len(dm_posts(run, CAROL)) == 1, "not yet"
            await run.advance(timedelta(days=1))  # a working day later: Thursday 11:00
            assert "Still waiting for your decision" in text_of(dm_posts(run, CAROL)[-1])
        async with running_desk(url, slack=slack, clock=clock, **TYPES) as run:
            await run.sweep()
            reminders = [m for m in dm_posts(run, CAROL) if "Still waiting" in text_of(m)]
            assert len(reminders) == 1
            await run.advance(timedelta(days=5))  # Tuesday: three working days have passed
            late = [m for m in dm_posts(run, CAROL) if "waited for approval since" in text_of(m)]
            assert len(late) == 1, "Carol leads IT: told once"
        async with running_desk(url, slack=slack, clock=clock, **TYPES) as run:
            await run.advance(timedelta(days=1))
            assert len([m for m in dm_posts(run, CAROL) if "waited for approval since" in text_of(m)]) == 1
            assert len([m for m in dm_posts(run, CAROL) if "Still waiting" in text_of(m)]) == 1
            assert (await held(run)).escalated


async def test_leads_see_approval_times_and_pending_approvals_in_quality_and_the_digest():
    async with running_desk(**TYPES) as run:
        await request_access(run)
        run.clock.advance(timedelta(hours=3))
        await run.people.click(CAROL, approve_button(run, CAROL), "approval_approve")
        await run.idle()
        await run.people.click(ERIN, approve_button(run, ERIN), "approval_approve")
        await run.idle()
        await request_access(run, user=DAVE, manager=ERIN)  # a second request, still waiting
        run.clock.advance(timedelta(minutes=1))
        words, _ = await quality_answer(run, CAROL, "IT")
        assert "Approvals:* decided in 3h (p50), 3h (p90) over 1 request · 1 waiting for approval" in words
        _, blocks = await run.desk.digests.compose(
            run.clock.now().date(), run.clock.now(), run.desk.desk.staff.teams[0]
        )
        assert "1 waiting for approval" in blocks_text(blocks)
        _, people = await run.desk.digests.compose(
            run.clock.now().date(), run.clock.now(), run.desk.desk.staff.teams[1]
        )
        assert "Approvals" not in blocks_text(people), "People's digest: none of theirs"
        await run.people.open_home(CAROL)
        await run.idle()
        [home] = [c.args["view"] for c in run.slack.calls if c.method == "views.publish"]
        shown = json.dumps(home, ensure_ascii=False)
        assert "Approvals:* decided in 3h (p50), 3h (p90) over 1 request · 1 waiting for approval" in shown


async def test_a_double_click_on_the_last_approve_opens_one_ticket():
    async with running_desk(**TYPES) as run:
        await request_access(run)
        await run.people.click(CAROL, approve_button(run, CAROL), "approval_approve")
        await run.idle()
        last = approve_button(run, ERIN)
        await asyncio.gather(*(run.people.click(ERIN, last, "approval_approve") for _ in range(2)))
        await run.idle()
        assert await run.desk.store.ticket_count() == 1
        assert len([m for m in bot_posts(run.slack, TRIAGE) if "T-1" in text_of(m)]) == 1
        assert sum("*T-1* is open" in text_of(m) for m in dm_posts(run, ALICE)) == 1


async def test_a_user_groups_members_approve_when_the_level_names_the_group():
    group = {**ACCESS, "approval": [{"usergroup": "S0ITADMIN", "need": "all"}]}
    async with running_desk(team=two_teams(it={"request_type": [group]})) as run:
        run.slack.workspace.usergroups["S0ITADMIN"] = (BOB, DAVE, ALICE)  # Alice is in it: not for her own
        await request_access(run)
        assert (await held(run)).chain == ((BOB, DAVE),)
        await run.people.click(BOB, approve_button(run, BOB), "approval_approve")
        await run.idle()
        assert await run.desk.store.ticket_count() == 0, "all of them: Dave still to say yes"
        await run.people.click(DAVE, approve_button(run, DAVE), "approval_approve")
        await run.idle()
        assert await run.desk.store.ticket_count() == 1


async def test_an_unknown_user_group_keeps_the_form_open_with_a_sentence():
    group = {**ACCESS, "approval": [{"usergroup": "S0NOSUCH1"}]}
    async with running_desk(team=two_teams(it={"request_type": [group]})) as run:
        answer = await request_access(run)
        assert answer.body["response_action"] == "errors"
        assert "Slack did not tell us who approves this" in answer.body["errors"]["field_system"]
        assert not (await run.desk.store.records(APPROVALS))


async def test_the_home_shows_what_waits_for_you_and_your_requests_that_wait():
    async with running_desk(**TYPES) as run:
        await request_access(run)
        await run.people.open_home(CAROL)
        await run.people.open_home(ALICE)
        await run.idle()

        def home(user: str) -> str:
            views = [
                c.args["view"]
                for c in run.slack.calls
                if c.method == "views.publish" and c.args["user_id"] == user
            ]
            return blocks_text(views[-1]["blocks"])

        assert "*Waiting for your approval* (1)" in home(CAROL)
        assert "*Access to a system* for <@U0ALICE01>" in home(CAROL)
        assert "*Access to a system*, waiting on <@U0CAROL01> (level 1 of 2)" in home(ALICE)
        assert "Waiting for your approval" not in home(ALICE)


@pytest.mark.parametrize("approve", [True, False])
async def test_when_one_of_several_approvers_decides_the_others_dms_say_who_and_lose_their_buttons(approve):
    either = {**ACCESS, "approval": [{"approvers": [CAROL, BOB], "need": "one"}, {"field": "manager"}]}
    async with running_desk(team=two_teams(it={"request_type": [either]})) as run:
        await request_access(run)
        carols, bobs = approve_button(run, CAROL), approve_button(run, BOB)
        if approve:
            await run.people.click(CAROL, carols, "approval_approve")
        else:
            await run.people.click(CAROL, carols, "approval_deny")
            await settle(lambda: run.slack.workspace.modals_of(CAROL))
            [form] = run.slack.workspace.modals_of(CAROL)
            await run.people.submit(CAROL, form.id, {"reason": {"value": "Not this quarter"}})
        await run.idle()
        said = text_of(bobs)
        if approve:
            assert "Approved by <@U0CAROL01> on " in said
            assert "You approved this request" in text_of(carols)
        else:
            assert "Denied by <@U0CAROL01>: Not this quarter" in said
        assert "approval_approve" not in str(bobs.blocks), "Bob's buttons are gone"
        assert "Access to a system" in said, "the request itself is still shown"
        updates = [c for c in run.slack.calls if c.method == "chat.update" and c.args["ts"] == bobs.ts]
        assert len(updates) == 1, "one chat.update through the outbox"
        assert await run.desk.store.ticket_count() == 0 and len(dm_posts(run, ERIN)) == int(approve)


async def test_a_pending_request_is_named_by_its_reference_everywhere_and_its_dm_tells_how_it_ended():
    async with running_desk(**TYPES) as run:
        await request_access(run)
        pending = await held(run)
        assert pending.ref.startswith("R-") and len(pending.ref) == 8
        waiting = dm_posts(run, ALICE)[-1]
        said = text_of(waiting)
        assert f"Your request *{pending.ref}* · *Access to a system* is waiting for approval" in said
        assert pending.ref in text_of(approve_button(run, CAROL)), "the approver reads the same name"

        queue = await command(run, BOB, "/desk", "queue")
        assert "1 request is awaiting approval (not work yet" in queue and pending.ref in queue
        assert "The queue is empty" in queue, "not in the agents' queue as work: nothing to claim"
        await run.people.open_home(CAROL)  # Carol leads IT
        await run.people.open_home(BOB)  # an agent, not a lead
        await run.idle()

        homes = {
            c.args["user_id"]: blocks_text(c.args["view"]["blocks"])
            for c in run.slack.calls
            if c.method == "views.publish"
        }
        assert "*Awaiting approval in your team* (1)" in homes[CAROL] and pending.ref in homes[CAROL]
        assert "Awaiting approval in your team" not in homes[BOB]

        await run.people.click(CAROL, approve_button(run, CAROL), "approval_approve")
        await run.idle()
        await run.people.click(ERIN, approve_button(run, ERIN), "approval_approve")
        await run.idle()
        assert f"Your request *{pending.ref}* · *Access to a system* was approved: it is T-1 now" in text_of(
            waiting
        )
        assert "approval_change" not in str(waiting.blocks), "nothing to change any more"
        assert "awaiting approval" not in await command(run, BOB, "/desk", "queue")


async def test_a_denied_requests_waiting_dm_says_by_whom_and_why():
    async with running_desk(**TYPES) as run:
        await request_access(run)
        waiting = dm_posts(run, ALICE)[-1]
        await run.people.click(CAROL, approve_button(run, CAROL), "approval_deny")
        await settle(lambda: run.slack.workspace.modals_of(CAROL))
        [form] = run.slack.workspace.modals_of(CAROL)
        await run.people.submit(CAROL, form.id, {"reason": {"value": "Ask your manager first"}})
        await run.idle()
        assert "was denied by <@U0CAROL01>: Ask your manager first" in text_of(waiting)
        assert "approval_change" not in str(waiting.blocks)


PASSWORD = {"name": "Password reset", "description": "Locked out", "area": "Software", "priority": "P2"}
DM_TYPES = {"team": two_teams(it={"request_type": [ACCESS, LAPTOP, PASSWORD]})}


async def dm_request(run, words: str, user: str = ALICE):
    dm, before = dm_of(run, user), len(dm_posts(run, user))
    await run.people.say(user, dm, words)
    await settle(lambda: len(dm_posts(run, user)) > before)
    return dm_posts(run, user)[-1]


async def test_the_dm_asks_which_type_then_only_that_types_questions_in_its_form():
    async with running_desk(**DM_TYPES) as run:
        prompt = await dm_request(run, "I need VPN access to work from home")
        asked = text_of(prompt)
        assert "What kind of request is it?" in asked and "Which area" not in asked
        labels = [e["text"]["text"] for b in prompt.blocks if b["type"] == "actions" for e in b["elements"]]
        assert labels == ["Access to a system", "New laptop", "Password reset", "Something else", "Cancel"]
        assert "*Access to a system*: Get into a system you need for your work" in asked

        await run.people.press(ALICE, prompt, "Access to a system")  # the form opens with the click
        await settle(lambda: run.slack.workspace.modals_of(ALICE))
        [form] = run.slack.workspace.modals_of(ALICE)
        assert form.view["callback_id"] == "request_type_form"
        asks = [b["label"]["text"] for b in form.view["blocks"] if b["type"] == "input"]
        assert asks == ["Which system?", "Why do you need it?", "Your manager"], "only this type's questions"
        await settle(lambda: "Please fill in the form for Access to a system" in text_of(prompt))

        run.slack.workspace.close_view(form.id)  # closed by mistake: "Open the form" opens it again
        await run.people.press(ALICE, prompt, "Open the form")
        await settle(lambda: run.slack.workspace.modals_of(ALICE))
        [form] = run.slack.workspace.modals_of(ALICE)
        values = {
            "field_system": chosen("VPN"),
            "field_reason": {"value": "Month-end close"},
            "field_manager": {"value": ERIN},
        }
        await run.people.submit(ALICE, form.id, values)
        await run.idle()
        request = await held(run)
        assert request.text == "Access to a system: I need VPN access to work from home"
        assert request.chain == ((CAROL,), (ERIN,)) and await run.desk.store.ticket_count() == 0
        assert f"Your request *{request.ref}* · *Access to a system* is waiting for approval" in text_of(
            prompt
        )
        assert len(dm_posts(run, ALICE)) == 1, "the question gave way to the answer: one message"

        await run.people.click(CAROL, approve_button(run, CAROL), "approval_approve")
        await run.idle()
        await run.people.click(ERIN, approve_button(run, ERIN), "approval_approve")
        await run.idle()
        assert "was approved: it is T-1 now" in text_of(prompt)


async def test_a_type_without_fields_opens_at_once_and_something_else_asks_as_before():
    async with running_desk(**DM_TYPES) as run:
        prompt = await dm_request(run, "Locked out of my account")
        await run.people.press(ALICE, prompt, "Password reset")
        await run.idle()
        assert not run.slack.workspace.modals_of(ALICE), "no questions: no form"
        ticket = await run.desk.store.ticket(1)
        assert ticket.text == "Password reset: Locked out of my account"
        assert (ticket.category, ticket.priority.value, ticket.origin.via) == ("Software", "P2", "dm")
        assert "*T-1* is open" in text_of(prompt)

        other = await dm_request(run, "The coffee machine is leaking")
        await run.people.press(ALICE, other, "Something else")
        await settle(lambda: "Which area is it about?" in text_of(other))
        await run.people.press(ALICE, other, "Hardware")
        await settle(lambda: "How urgent is it?" in text_of(other))
        await run.people.press(ALICE, other, "P3 · Normal")
        await settle(lambda: "*T-2* is open" in text_of(other))
        second = await run.desk.store.ticket(2)
        assert second.text == "The coffee machine is leaking" and second.fields == ()


async def test_a_desk_without_types_asks_the_area_first_as_ever():
    async with running_desk(team=two_teams()) as run:
        prompt = await dm_request(run, "My laptop will not boot")
        assert "Which area is it about?" in text_of(prompt) and "What kind of request" not in text_of(prompt)


async def test_a_request_channels_ticket_offers_its_teams_types_and_takes_one_with_its_fields():
    async with running_desk(**DM_TYPES) as run:
        asked, _ = await run.people.say(ALICE, IT_HELP, "I need a new laptop, mine is dying")
        await settle(lambda: bot_posts(run.slack, IT_HELP, thread=asked.ts))
        [confirmed] = bot_posts(run.slack, IT_HELP, thread=asked.ts)
        said = text_of(confirmed)
        assert "Is it one of these?" in said, "the team's types, offered in the ticket's thread"
        assert "Access to a system needs approval first: ask for it with /ticket" in said
        assert (await run.desk.store.ticket(1)).category == "Hardware", "a ticket at once, as ever"

        await run.people.press(BOB, confirmed, "New laptop")  # not the requester
        await run.idle()
        assert not run.slack.workspace.modals_of(BOB)
        await run.people.press(ALICE, confirmed, "New laptop")
        await settle(lambda: run.slack.workspace.modals_of(ALICE))
        [form] = run.slack.workspace.modals_of(ALICE)
        assert [b["label"]["text"] for b in form.view["blocks"] if b["type"] == "input"] == ["Which model?"]
        await run.people.submit(ALICE, form.id, {"field_model": chosen("13-inch")})
        await run.idle()
        ticket = await run.desk.store.ticket(1)
        assert ticket.fields == (("Which model?", "13-inch"),) and ticket.priority.value == "P4"
        assert ticket.text == "I need a new laptop, mine is dying"
        assert await run.desk.store.ticket_count() == 1, "the same ticket took the type"
        await settle(lambda: "Is it one of these?" not in text_of(confirmed))
        card = run.slack.workspace.find_message(TRIAGE, ticket.card.split(":")[1])
        assert "Which model?* 13-inch" in text_of(card)
