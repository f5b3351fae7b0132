"""Working a ticket (SPEC §10), through the local Slack: changing its priority or area,
saved replies, an agent's own "my tickets", and who is credited with a resolution."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.domain.priority import Priority
from bot.domain.sla import Target, state_of
from bot.localslack.blockkit import check_view
from tests.harness import (
    ALICE,
    BOB,
    DAVE,
    TRIAGE,
    ack_text,
    bot_posts,
    dm_of,
    raise_ticket,
    running_desk,
    settle,
    text_of,
    ticket_where,
)

REPLIES = {"replies": {"vpn": "Hi {requester}, to reset your VPN for {ref}, open Settings → VPN → Reset."}}


def told(run, user=BOB) -> list[str]:
    return [text_of(m) for m in bot_posts(run.slack, TRIAGE, to=user) if m.ephemeral_to == user]


async def test_a_priority_change_recomputes_both_targets_and_tells_the_requester():
    async with running_desk() as run:
        confirmation, card = await raise_ticket(run, urgency="P3 · Normal")
        before = await run.desk.store.ticket(1)
        await run.people.command(BOB, "/desk", "priority T-1 P1", channel=TRIAGE)
        await settle(lambda: ticket_where(run, 1, lambda t: t.priority is Priority.P1))
        await run.idle()
        ticket = await run.desk.store.ticket(1)
        now = run.clock.now()
        for target in Target:  # from opening, under the new priority's lengths
            p1 = run.desk.config.priority_clock(Priority.P1)
            assert state_of(ticket, p1, target, now).due == p1.due(before.opened_at, p1.policy.length(target))
            assert (
                state_of(ticket, p1, target, now).due
                < state_of(before, run.desk.config.priority_clock(Priority.P3), target, now).due
            )
        assert "P1 · Critical" in text_of(card)
        [heard] = [m for m in bot_posts(run.slack, dm_of(run)) if "changed the priority" in text_of(m)]
        assert heard.thread_ts == confirmation.ts and "from P3 · Normal to *P1 · Critical*" in text_of(heard)
        assert ticket.trail[-1].action.value == "priority" and ticket.trail[-1].actor == BOB
        assert any("T-1 is now P1 · Critical" in t for t in told(run))


async def test_the_cards_selects_change_priority_and_area_in_place():
    async with running_desk() as run:
        _, card = await raise_ticket(run)
        selects = [
            e for b in card.blocks if b["type"] == "actions" for e in b["elements"] if e["type"] != "button"
        ]
        assert [s["initial_option"]["value"] for s in selects] == ["P2", "Hardware"]
        await run.people.click(BOB, card, "set_priority", "P1")
        await settle(lambda: ticket_where(run, 1, lambda t: t.priority is Priority.P1))
        await run.people.click(BOB, card, "set_area", "Access")
        await settle(lambda: ticket_where(run, 1, lambda t: t.category == "Access"))
        await run.idle()
        redrawn = [
            e for b in card.blocks if b["type"] == "actions" for e in b["elements"] if e["type"] != "button"
        ]
        assert [s["initial_option"]["value"] for s in redrawn] == ["P1", "Access"]
        assert any("changed the priority" in text_of(m) for m in bot_posts(run.slack, dm_of(run)))
        await run.people.click(ALICE, card, "set_priority", "P4")  # not an agent: refused, nothing changes
        await settle(
            lambda: any("Only the desk's agents can change priorities" in t for t in told(run, ALICE))
        )
        await run.idle()
        assert (await run.desk.store.ticket(1)).priority is Priority.P1


async def test_move_and_bad_priority_or_area_are_answered_and_change_nothing():
    async with running_desk() as run:
        _, card = await raise_ticket(run)
        refused = await run.people.command(BOB, "/desk", "priority T-1 urgent", channel=TRIAGE)
        assert "Name the new priority: P1, P2, P3 or P4." in ack_text(refused)
        await run.people.command(BOB, "/desk", "move T-1 Cooking", channel=TRIAGE)
        await settle(lambda: any("no area called “Cooking”" in t for t in told(run)))
        await run.people.command(BOB, "/desk", "move T-1 access", channel=TRIAGE)
        await settle(lambda: ticket_where(run, 1, lambda t: t.category == "Access"))
        await run.idle()
        assert "Access" in text_of(card)
        stranger = await run.people.command(ALICE, "/desk", "priority T-1 P1", channel=TRIAGE)
        assert "Only the desk's agents can change priorities" in ack_text(stranger)
        assert (await run.desk.store.ticket(1)).priority is Priority.P2


async def test_a_saved_reply_is_sent_filled_in_and_an_unknown_one_is_refused():
    async with running_desk(**REPLIES) as run:
        confirmation, _ = await raise_ticket(run)
        await run.people.command(BOB, "/desk", "reply T-1 :printer", channel=TRIAGE)
        await settle(
            lambda: any("no saved reply called `:printer`" in t and "`:vpn`" in t for t in told(run))
        )
        await run.people.command(BOB, "/desk", "reply T-1 :vpn", channel=TRIAGE)
        await run.idle()
        [reply] = [m for m in bot_posts(run.slack, dm_of(run)) if "reset your VPN" in text_of(m)]
        assert "Hi Alice Archer, to reset your VPN for T-1" in text_of(reply)
        assert reply.thread_ts == confirmation.ts


async def test_the_reply_form_offers_the_saved_replies():
    async with running_desk(**REPLIES) as run:
        _, card = await raise_ticket(run)
        await run.people.press(BOB, card, "Reply")  # on an open ticket
        await settle(lambda: run.slack.workspace.views)
        [view] = run.slack.workspace.views.values()
        options = next(b for b in view.view["blocks"] if b.get("block_id") == "saved")["element"]["options"]
        assert [o["value"] for o in options] == ["vpn"]
        await run.people.submit(
            BOB,
            view.id,
            {"saved": {"value": {"text": {"type": "plain_text", "text": ":vpn"}, "value": "vpn"}}},
        )
        await run.idle()
        assert [m for m in bot_posts(run.slack, dm_of(run)) if "reset your VPN" in text_of(m)]


async def test_an_agents_my_tickets_lists_what_is_assigned_to_them():
    async with running_desk() as run:
        for words in ("Printer jammed", "VPN down"):
            _, card = await raise_ticket(run, words)
            await run.people.press(BOB, card, "Claim")
            await run.idle()
        await run.idle()
        await run.people.say(BOB, dm_of(run, BOB), "my tickets")
        await settle(
            lambda: any("assigned to you" in text_of(m) for m in bot_posts(run.slack, dm_of(run, BOB)))
        )
        [answer] = [m for m in bot_posts(run.slack, dm_of(run, BOB)) if "assigned to you" in text_of(m)]
        shown = text_of(answer)
        assert "2 open tickets are assigned to you" in shown and "T-1" in shown and "T-2" in shown
        await run.people.say(DAVE, dm_of(run, DAVE), "my tickets")
        await settle(lambda: bot_posts(run.slack, dm_of(run, DAVE)))
        assert "0 open tickets are assigned to you." in text_of(bot_posts(run.slack, dm_of(run, DAVE))[-1])


async def test_whoever_resolves_a_ticket_is_credited_with_it():
    async with running_desk() as run:
        _, card = await raise_ticket(run)
        await run.people.press(DAVE, card, "Claim")
        await settle(lambda: "Claimed by" in text_of(card))
        await run.people.command(BOB, "/desk", "resolve T-1 Swapped the cable", channel=TRIAGE)
        await settle(lambda: ticket_where(run, 1, lambda t: t.resolved_at is not None))
        await run.idle()
        assert f"Resolved by <@{BOB}>" in text_of(card)
        [request] = [m for m in bot_posts(run.slack, dm_of(run)) if "How did we do?" in text_of(m)]
        assert f"resolved by <@{BOB}>" in text_of(request)
        assert (await run.desk.store.ticket(1)).assignee == BOB
        assert timedelta(0) <= run.clock.now() - (await run.desk.store.ticket(1)).resolved_at


async def test_a_reopen_tells_the_assignee_by_dm():
    async with running_desk() as run:
        _, card = await raise_ticket(run)
        await run.people.press(BOB, card, "Claim")
        await run.people.command(BOB, "/desk", "resolve T-1 Swapped the cable", channel=TRIAGE)
        await settle(
            lambda: any("The problem is back" in str(m.blocks) for m in bot_posts(run.slack, dm_of(run)))
        )
        [resolution] = [m for m in bot_posts(run.slack, dm_of(run)) if "The problem is back" in str(m.blocks)]
        await run.people.press(ALICE, resolution, "The problem is back")
        await settle(lambda: ticket_where(run, 1, lambda t: t.status.value == "claimed"))
        await run.idle()
        told = [m for m in bot_posts(run.slack, dm_of(run, BOB)) if "says the problem is back" in text_of(m)]
        assert len(told) == 1 and "It is back with you." in text_of(told[0])
        card_link = f"http://localhost/archives/{TRIAGE}/p{card.ts.replace('.', '')}"
        assert f"<{card_link}|Open T-1 in the triage channel>" in text_of(told[0])


async def test_the_problem_is_back_answers_where_pressed_and_closes_the_old_survey():
    async with running_desk() as run:
        _, card = await raise_ticket(run)
        await run.people.press(BOB, card, "Claim")
        await run.people.command(BOB, "/desk", "resolve T-1 Swapped the cable", channel=TRIAGE)
        await run.idle()
        [survey] = [m for m in bot_posts(run.slack, dm_of(run)) if "How did we do?" in text_of(m)]
        await run.people.press(ALICE, survey, ":slightly_smiling_face: 4 · Good")
        await settle(lambda: "Change rating" in str(survey.blocks))
        [resolution] = [m for m in bot_posts(run.slack, dm_of(run)) if "The problem is back" in str(m.blocks)]
        await run.people.press(ALICE, resolution, "The problem is back")
        await settle(lambda: "You reopened it" in text_of(resolution))
        assert "The problem is back" not in str(resolution.blocks), "the button is gone"
        assert f"<@{BOB}> resolved *T-1*" in text_of(resolution) and "Swapped the cable" in text_of(
            resolution
        )
        assert f"<@{BOB}> has it again" in text_of(resolution)
        await settle(lambda: "has closed" in text_of(survey))
        assert "Change rating" not in str(survey.blocks) and "rate_" not in str(survey.blocks)
        again = await run.people.command(BOB, "/desk", "resolve T-1 New cable this time", channel=TRIAGE)
        assert again.status == 200
        await run.idle()
        surveys = [m for m in bot_posts(run.slack, dm_of(run)) if "How did we do?" in text_of(m)]
        assert len(surveys) == 1 and surveys[0] is not survey, "asked once more for the new resolution"


async def test_a_handed_over_ticket_dms_its_new_agent_what_they_need_to_act():
    async with running_desk() as run:
        _, card = await raise_ticket(run, "VPN drops every hour")
        await run.people.press(BOB, card, "Claim")
        await run.people.command(BOB, "/desk", f"reassign T-1 <@{DAVE}>", channel=TRIAGE)
        await run.idle()
        [handed] = [m for m in bot_posts(run.slack, dm_of(run, DAVE)) if "handed *T-1* to you" in text_of(m)]
        shown = text_of(handed)
        assert "VPN drops every hour" in shown and "P2 · High" in shown and "Resolution due in" in shown
        card_link = f"http://localhost/archives/{TRIAGE}/p{card.ts.replace('.', '')}"
        assert f"<{card_link}|Open T-1 in the triage channel>" in shown
        buttons = [e["text"]["text"] for b in handed.blocks if b["type"] == "actions" for e in b["elements"]]
        assert buttons == ["Reply", "Waiting on requester", "Resolve", "Details"]
        await run.people.press(DAVE, handed, "Resolve")  # acts from the DM: the form opens
        await settle(lambda: run.slack.workspace.views)


async def test_details_shows_the_whole_ticket_to_agents_only():
    long_words = "The printer on floor 2 jams on every page. " * 120  # longer than the card shows
    async with running_desk() as run:
        _, card = await raise_ticket(run, long_words.strip())
        await run.people.press(BOB, card, "Claim")
        await run.people.press(BOB, card, "Details")
        await settle(lambda: run.slack.workspace.views)
        [view] = run.slack.workspace.views.values()
        shown = json.dumps(view.view)
        assert check_view(view.view) == []
        assert shown.count("jams on every page") == 120, "the whole text"
        assert "Targets" in shown and "first response met" in shown and "claimed" in shown
        refused = await run.people.command(ALICE, "/ticket", "show T-1", channel=dm_of(run))
        assert "Only the desk's agents can see a ticket's details" in ack_text(refused)
        await run.people.command(BOB, "/ticket", "show T-1", channel=TRIAGE)
        await settle(lambda: len(run.slack.workspace.views) == 2)


async def test_the_queue_says_overdue_or_at_risk_never_both():
    fast = {"sla": {"P2": {"first_response": "1h", "resolution": "2h"}}}
    async with running_desk(**fast) as run:
        _, card = await raise_ticket(run)
        await run.people.press(BOB, card, "Claim")
        await run.idle()
        for minutes, flagged in ((100, True), (130, False)):  # at risk, then overdue
            run.clock.set(run.clock.now() + timedelta(minutes=minutes))
            delivery = await run.people.command(BOB, "/desk", "queue", channel=TRIAGE)
            assert delivery.status == 200
            await run.idle()
            shown = told(run)[-1]
            assert "T-1" in shown and ("*at risk*" in shown) is flagged, shown
            assert ("overdue" in shown) is not flagged
            run.clock.set(run.clock.now() - timedelta(minutes=minutes))
