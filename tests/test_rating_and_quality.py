"""Satisfaction and quality end to end, through the local Slack: the rating request and its
buttons (stranger refused, re-click changes, comment saved), `/quality` on a known set of
tickets, and `python -m bot export`."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import timedelta

import pytest

from bot.domain.errors import NotPermitted
from bot.domain.ticket import Status
from tests.factories import make_ticket
from tests.harness import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    TEST_START,
    TRIAGE,
    ack_text,
    bot_posts,
    clock_at,
    demo_config,
    dm_of,
    faked_time,
    local_slack,
    raise_ticket,
    run_command,
    running_desk,
    settle,
    text_of,
)
from tests.test_attacks import resolved_for

H, M, D = timedelta(hours=1), timedelta(minutes=1), timedelta(days=1)


def rating_request(run, user=ALICE):
    found = [m for m in bot_posts(run.slack, dm_of(run, user)) if "How did we do?" in text_of(m)]
    return found[-1] if found else None


async def resolved_ticket(run):
    _, card = await raise_ticket(run)
    await run.people.press(BOB, card, "Claim")
    await settle(lambda: "Claimed by" in text_of(card))
    await run.people.command(BOB, "/desk", "resolve T-1 Replaced the power supply", channel=TRIAGE)
    await settle(lambda: rating_request(run) is not None)
    return rating_request(run)


async def test_the_rating_request_comes_after_the_resolution_it_asks_about():
    """Her DM holds the ticket's thread and the rating request: one conversation, so one line.
    The confirmation's redraw is owed ahead of the resolution, and Slack's pace of a message a
    second there holds a post; the rating request still does not go first."""
    async with running_desk() as run:
        await resolved_ticket(run)
        await run.idle()
        order = [(m.ts, text_of(m)) for m in bot_posts(run.slack, dm_of(run))]
        resolution = next(ts for ts, words in order if "The problem is back" in words)
        request = next(ts for ts, words in order if "How did we do?" in words)
        assert float(resolution) < float(request)


async def test_the_requester_rates_changes_the_rating_and_comments():
    async with running_desk() as run:
        request = await resolved_ticket(run)
        words = text_of(request)
        assert "*T-1* was resolved by <@U0BOB0001>: _Laptop won't boot_\n*How did we do?*" in words
        assert "Replaced the power supply" in words
        values = [e["value"] for b in request.blocks if b["type"] == "actions" for e in b["elements"]][:5]
        assert values == ["1", "2", "3", "4", "5"]

        await run.people.press(ALICE, request, ":slightly_smiling_face: 4 · Good")
        await settle(lambda: "Thanks! You rated T-1 *4 · Good*" in text_of(request))
        assert (await run.desk.store.ticket(1)).rating.score == 4

        await run.people.press(ALICE, request, "Change rating")
        await settle(lambda: "You chose 4 · Good. Pick again to change it." in text_of(request))
        await run.people.press(ALICE, request, ":slightly_frowning_face: 2 · Poor")
        await settle(lambda: "You rated T-1 *2 · Poor*" in text_of(request))
        ticket = await run.desk.store.ticket(1)
        assert ticket.rating.score == 2, "a second click changes the rating; it never adds one"

        await run.people.press(ALICE, request, "Add a comment")
        await settle(lambda: run.slack.workspace.views)
        view_id = next(iter(run.slack.workspace.views))
        empty = await run.people.submit(ALICE, view_id, {"comment": {"value": "   "}})
        assert empty.body["response_action"] == "errors"
        await run.people.submit(ALICE, view_id, {"comment": {"value": "Took a while, <b>but</b> fixed"}})
        await settle(lambda: "Your comment: Took a while, &lt;b&gt;but&lt;/b&gt; fixed" in text_of(request))
        ticket = await run.desk.store.ticket(1)
        assert (ticket.rating.score, ticket.rating.comment) == (2, "Took a while, <b>but</b> fixed")
        top = [m for m in bot_posts(run.slack, dm_of(run)) if m.thread_ts is None]
        assert len(top) == 2, "the confirmation and one rating request"


async def test_only_the_requester_may_rate_and_a_stranger_changes_nothing():
    async with running_desk() as run:
        request = await resolved_ticket(run)
        for stranger in (ERIN, BOB):
            await run.people.press(stranger, request, ":star-struck: 5 · Great")
            await run.idle()
            [refusal] = [
                m for m in bot_posts(run.slack, dm_of(run), to=stranger) if m.ephemeral_to == stranger
            ]
            assert text_of(refusal) == "Only the person who raised T-1 can rate it."
        await run.people.press(ERIN, request, "Add a comment")
        await run.idle()
        assert not run.slack.workspace.views, "no form for a stranger"
        assert (await run.desk.store.ticket(1)).rating is None
        assert "How did we do?" in text_of(request) and "Thanks" not in text_of(request)


async def test_a_reopened_ticket_cannot_be_rated_until_resolved_again_and_then_replaces_the_rating():
    async with running_desk() as run:
        request = await resolved_ticket(run)
        await run.people.press(ALICE, request, ":star-struck: 5 · Great")
        await settle(lambda: "Thanks!" in text_of(request))
        await run.desk.agents.reopen(ALICE, 1)
        await run.people.press(ALICE, request, "Change rating")
        await settle(lambda: "You chose 5" in text_of(request))
        await run.people.press(ALICE, request, ":disappointed: 1 · Very poor")
        await settle(lambda: [m for m in bot_posts(run.slack, dm_of(run), to=ALICE) if m.ephemeral_to])
        refusal = [m for m in bot_posts(run.slack, dm_of(run), to=ALICE) if m.ephemeral_to][-1]
        assert "T-1 is open again, so it can't be rated now" in text_of(refusal)
        assert (await run.desk.store.ticket(1)).rating.score == 5
        await run.desk.agents.resolve(BOB, 1, "Really fixed now")
        await settle(lambda: rating_request(run) is not request)
        second = rating_request(run)
        await run.people.press(ALICE, second, ":neutral_face: 3 · OK")
        await settle(lambda: "Thanks!" in text_of(second))
        assert (await run.desk.store.ticket(1)).rating.score == 3


async def test_no_rating_request_when_the_desk_is_set_not_to_ask():
    async with running_desk(csat={"ask_after_resolve": False}) as run:
        await raise_ticket(run)
        await run.desk.agents.resolve(BOB, 1, "")
        await run.idle()
        assert (await run.desk.store.ticket(1)).status is Status.RESOLVED
        assert rating_request(run) is None


async def seed_known_tickets(run):
    """Four tickets this week (one rated 5, one rated 2, one unrated, one never claimed) and
    one the week before rated 4 — the same set as the pure statistics tests."""
    now = run.desk.desk.clock.now()
    week_start = now - 7 * D

    def worked(n, opened, claim_after, resolve_after, agent=BOB, score=None):
        ticket = make_ticket(n, at=opened).claim(agent, opened + claim_after)
        ticket = ticket.resolve(agent, "", opened + resolve_after)
        return ticket.rate(ALICE, score, opened + resolve_after + H) if score else ticket

    tickets = [
        worked(1, week_start + H, 10 * M, 2 * H, score=5),
        worked(2, week_start + D, 30 * M, 10 * H, score=2),
        worked(3, week_start + 2 * D, 90 * M, 3 * H, agent=DAVE),
        make_ticket(4, at=week_start + 3 * D),
        worked(5, week_start - D, 20 * M, H, score=4),
    ]
    for ticket in sorted(tickets, key=lambda t: t.number):
        await run.desk.store.create_ticket(lambda n, t=ticket: t)


async def quality_answer(run, user, words=""):
    before = len(bot_posts(run.slack, TRIAGE, to=user))
    ack = await run.people.command(user, "/quality", words, channel=TRIAGE)
    shown = ack_text(ack).strip()
    if shown:
        return shown, None
    await run.idle()
    assert len(bot_posts(run.slack, TRIAGE, to=user)) == before + 1, "one answer"
    answer = bot_posts(run.slack, TRIAGE, to=user)[-1]
    return text_of(answer), answer


async def test_quality_shows_a_lead_the_known_figures_and_their_change():
    async with running_desk() as run:
        await seed_known_tickets(run)
        words, message = await quality_answer(run, CAROL)
        assert message.ephemeral_to == CAROL, "only the lead sees it"
        assert message.blocks[0] == {
            "type": "header",
            "text": {"type": "plain_text", "text": "Quality · last 7 days"},
        }
        assert "*Opened*\n4  _↑ 3_" in words
        assert "*Resolved*\n3  _↑ 2_" in words
        assert "*First response*\nmedian 30m · p90 1h 30m  _↑ 10m_" in words
        assert "*Resolution*\nmedian 3h · p90 10h  _↑ 2h_" in words
        assert "*SLA met · first response*\n50% (2 of 4)" in words
        assert "*SLA met · resolution*\n50% (2 of 4)" in words
        assert "*CSAT*\n3.5 / 5 from 2 ratings, 67% of resolved  _↓ 0.5_" in words
        assert "• <@U0BOB0001>: 2 resolved · first response 20m · resolution 6h · CSAT 3.5 (2)" in words
        assert "• <@U0DAVE001>: 1 resolved · first response 1h 30m · resolution 3h" in words


async def test_quality_refuses_non_leads_and_bad_periods_and_says_when_nothing_happened():
    async with running_desk() as run:
        refused, _ = await quality_answer(run, BOB)
        assert refused == "Only the desk's leads can see the quality summary."
        bad, _ = await quality_answer(run, CAROL, "2w")
        assert bad.splitlines() == [
            "I can summarise the last 7, 30 or 90 days.",
            "Usage: `/desk quality [7d|30d|90d]` (the last 7 days when left out)",
        ]
        quiet, _ = await quality_answer(run, CAROL, "30d")
        assert (
            "Nothing to report for the last 30 days: no tickets were opened, resolved, rated or escalated."
            in quiet
        )


def run_export(tmp_path, *args, **env):
    """`python -m bot export ARGS` at the desk's clock's moment."""
    at = TEST_START + timedelta(minutes=5)
    config = demo_config(f"tinydb://{tmp_path}/desk.json")
    return run_command(tmp_path, config, "export", *args, at=at, **env)


@faked_time
async def test_export_writes_every_ticket_with_times_sla_results_and_rating_beside_a_running_desk(tmp_path):
    async with running_desk(f"tinydb://{tmp_path}/desk.json") as run:
        await seed_known_tickets(run)
        slack = {"SLACK_BOT_TOKEN": run.slack.bot_token, "SLACK_API_URL": run.slack.api_url}
        result = await asyncio.to_thread(
            run_export, tmp_path, "--since", "30d", "--output", str(tmp_path / "t.csv"), **slack
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr.strip() == f"wrote 5 tickets to {tmp_path / 't.csv'}"
        rows = list(csv.DictReader(io.StringIO((tmp_path / "t.csv").read_text())))
        assert [r["ticket"] for r in rows] == ["T-1", "T-2", "T-3", "T-4", "T-5"]
        first = rows[0]
        # ids in their own columns (a program reads them back), names beside them for people
        assert list(rows[0])[:8] == [
            "ticket",
            "opened_at",
            "requester",
            "requester_name",
            "category",
            "priority",
            "status",
            "assignee",
        ]
        assert (first["requester"], first["requester_name"]) == (ALICE, "Alice Archer")
        assert first["assignee"].startswith("U0") and first["assignee_name"] in ("Bob Baker", "Dave Diaz")
        assert all(r["assignee_name"] == "" for r in rows if not r["assignee"])
        assert (first["first_response_minutes"], first["first_response_met"]) == ("10.0", "yes")
        assert (first["resolution_minutes"], first["resolution_met"], first["rating"]) == (
            "120.0",
            "yes",
            "5",
        )
        assert (rows[1]["resolution_minutes"], rows[1]["resolution_met"]) == ("600.0", "no")
        assert (rows[3]["status"], rows[3]["first_response_minutes"], rows[3]["first_response_met"]) == (
            "open",
            "",
            "no",
        )
        assert first["opened_at"].endswith(("+01:00", "+02:00")), "times in the desk's zone"

        as_json = await asyncio.to_thread(run_export, tmp_path, "--format", "json")  # 30d by default
        assert as_json.returncode == 0, as_json.stderr
        assert "written by Slack id alone (set SLACK_BOT_TOKEN to ask Slack)" in as_json.stderr
        data = json.loads(as_json.stdout)
        assert len(data) == 5 and data[0]["rating"] == 5 and data[0]["first_response_met"] is True
        assert data[3]["resolved_at"] is None
        assert (data[0]["requester"], data[0]["requester_name"]) == (ALICE, None), "no token: ids alone"

        bad = await asyncio.to_thread(run_export, tmp_path, "--since", "a month")
        assert bad.returncode == 1 and bad.stderr.startswith("export error: --since: expected a duration")


async def test_a_survey_closes_after_csat_expire_after_once_across_restarts(tmp_path):
    """SPEC §11: the buttons give way to "This survey has closed"; a click after that changes
    nothing; a restarted desk does not close it twice; the next resolution asks again."""
    url = f"tinydb://{tmp_path}/desk.json"
    csat = {"csat": {"expire_after": "3d"}}
    async with local_slack() as slack:
        async with running_desk(url, slack=slack, **csat) as run:
            request = await resolved_for(run)
            await run.people.press(ALICE, request, ":slightly_smiling_face: 4 · Good")
            await settle(lambda: "Change rating" in str(request.blocks))
            resolved_at = (await run.desk.store.ticket(1)).resolved_at
        for hours in (71, 73, 74):  # just before three days, just after, and after a restart
            async with running_desk(
                url, slack=slack, clock=clock_at(resolved_at + timedelta(hours=hours)), **csat
            ) as again:
                await again.sweep()
                await again.idle()
                if hours == 71:
                    assert "Change rating" in str(request.blocks), "still open just before"
        assert "This survey about T-1 has closed: it was open for 3d." in text_of(request)
        assert not [b for b in request.blocks if b["type"] == "actions"], "no buttons left"
        edits = [c for c in slack.calls if c.method == "chat.update" and c.args.get("ts") == request.ts]
        assert len(edits) == 2, "the thanks after the rating, then the close: once"
        async with running_desk(
            url, slack=slack, clock=clock_at(resolved_at + timedelta(hours=75)), **csat
        ) as late:
            where = f"{request.channel}:{request.ts}"  # a click Slack sent before the edit reached it
            with pytest.raises(NotPermitted, match="has closed, so nothing was changed"):
                await late.desk.ratings.rate(ALICE, 1, 1, where)
            assert (await late.desk.store.ticket(1)).rating.score == 4
