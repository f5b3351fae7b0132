"""`/desk <verb>`: every verb of agents and leads under one namespaced command, the aliases
kept for some (`/claim`) on the same road, a workspace's renamed command, `help`, and a verb
the desk does not know; through the local Slack with signed requests."""

from __future__ import annotations

import pytest

from bot.domain.ticket import Status
from bot.slack.command_args import VERBS, route
from tests.harness import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    TRIAGE,
    ack_text,
    bot_posts,
    dm_of,
    raise_ticket,
    running_desk,
    settle,
    text_of,
)


async def said(run, user: str, name: str, text: str = "") -> str:
    """Run a slash command in the triage channel; what the person privately sees in answer."""

    def private() -> list:
        return [m for m in bot_posts(run.slack, TRIAGE, to=user) if m.ephemeral_to == user]

    before = len(private())
    ack = await run.people.command(user, name, text, channel=TRIAGE)
    assert ack.status == 200
    shown = ack_text(ack).strip()
    if shown:
        return shown
    await settle(lambda: len(private()) > before)
    return text_of(private()[-1])


@pytest.mark.parametrize(
    ("name", "text", "verb", "rest"),
    [
        ("/desk", "claim T-12", "claim", "T-12"),
        ("/desk", "CLAIM  T-12 ", "claim", "T-12"),
        ("/desk", " reply\nT-12 two\nlines", "reply", "T-12 two\nlines"),
        ("/claim", "T-12", "claim", "T-12"),
        ("/it-desk", "away 2h", "away", "2h"),  # a workspace's own name for the namespace
        ("/helpdesk", "back", "back", ""),
        ("/it-claim", "T-3", "claim", "T-3"),  # a renamed alias keeps its verb after the dash
        ("/it_ticket", "status T-4", "ticket", "status T-4"),
        ("/ticket", "my screen &amp; keyboard", "ticket", "my screen & keyboard"),
        ("/desk", "", "help", ""),
        ("/desk", "frobnicate T-1", "frobnicate", "T-1"),
        (
            "/desk",
            "resolve T-1 swapped the <b>disk</b> <!here> <https://x.io|docs>",
            "resolve",
            "T-1 swapped the <b>disk</b> @here docs (https://x.io)",
        ),
        # should_escape: reassign keeps the mention Slack escaped; other words read as typed
        ("/desk", "reassign T-4 <@U0DAVE001|dave>", "reassign", "T-4 <@U0DAVE001|dave>"),
        (
            "/desk",
            "reply T-4 ask <@U0DAVE001|dave> in <#C0GENERAL|general> &lt;3",
            "reply",
            "T-4 ask @dave in #general <3",
        ),
    ],
)
def test_one_road_reads_the_verb_whatever_the_command_is_called(name, text, verb, rest):
    read = route(name, text)
    assert (read.verb, read.text) == (verb, rest)


async def test_namespaced_verbs_and_kept_aliases_work_alike():
    async with running_desk() as run:
        await raise_ticket(run)
        await raise_ticket(run, "VPN drops every hour")
        claimed = await said(run, BOB, "/desk", "claim T-1")
        assert "You claimed T-1" in claimed and "`/desk reply T-1 your answer`" in claimed
        assert "You claimed T-2" in await said(run, DAVE, "/claim", "T-2")
        answer = await said(run, BOB, "/desk", "reassign T-1 <@U0DAVE001|dave>")
        assert "T-1" in answer
        assert (await run.desk.store.ticket(1)).assignee == DAVE
        await said(run, DAVE, "/desk", "reply T-1 Try restarting, or ask <@U0BOB0001|bob>")
        await settle(
            lambda: any("Try restarting" in text_of(m) for m in bot_posts(run.slack, dm_of(run, ALICE)))
        )
        reply = next(
            text_of(m) for m in bot_posts(run.slack, dm_of(run, ALICE)) if "Try restarting" in text_of(m)
        )
        assert "ask @bob" in reply and "&lt;@" not in reply  # what was typed, not Slack's escaped token
        await said(run, DAVE, "/resolve", "T-2 replaced the cable")
        assert (await run.desk.store.ticket(2)).status is Status.RESOLVED
        await said(run, DAVE, "/desk", "resolve T-1")
        assert (await run.desk.store.ticket(1)).status is Status.RESOLVED


async def test_away_and_back_under_the_namespace():
    async with running_desk() as run:
        assert "You're away until" in await said(run, BOB, "/desk", "away 2h")
        assert "Welcome back" in await said(run, BOB, "/desk", "back")
        assert "You weren't away" in await said(run, BOB, "/desk", "back")
        # SPEC's /away and /back still work where a workspace registers them (the manifest
        # does not: /away is Slack's own)
        assert "You're away until" in await said(run, BOB, "/away", "2h")
        assert "Welcome back" in await said(run, BOB, "/back")


async def test_help_lists_the_verbs_each_person_may_use():
    async with running_desk() as run:
        agent = await said(run, BOB, "/desk", "help")
        for verb in (
            "claim",
            "reply",
            "reassign",
            "resolve",
            "wait",
            "priority",
            "move",
            "queue",
            "away",
            "back",
        ):
            assert f"`/desk {verb}" in agent, verb
        assert "/desk quality" not in agent  # Bob is no lead
        lead = await said(run, CAROL, "/desk")
        assert "`/desk quality [team] [7d|30d|90d]`" in lead and "/desk claim" not in lead
        employee = await said(run, ALICE, "/desk", "help")
        assert "/ticket" in employee and "/desk claim" not in employee


async def test_an_unknown_verb_gets_a_friendly_answer_listing_the_verbs():
    async with running_desk() as run:
        answer = await said(run, BOB, "/desk", "clam T-1")
        assert answer.startswith("I don't know `/desk clam`")
        assert "`/desk claim T-4`" in answer and "`/desk away" in answer
        renamed = await said(run, BOB, "/it-desk", "frobnicate")
        assert "I don't know `/it-desk frobnicate`" in renamed and "`/it-desk claim T-4`" in renamed
        assert await run.desk.store.ticket(1) is None


async def test_a_renamed_command_reaches_the_same_verbs():
    """A workspace that already has `/desk` or `/ticket` registers the desk's under another
    name (docs/commands.md); the desk routes on the verb, whatever the name."""
    async with running_desk() as run:
        await raise_ticket(run)
        assert "You claimed T-1" in await said(run, BOB, "/it-desk", "claim T-1")
        answer = await said(run, ALICE, "/it-ticket", "status T-1")
        assert "T-1" in answer


async def test_every_verb_refuses_people_who_may_not_use_it():
    async with running_desk() as run:
        await raise_ticket(run)
        for verb in (
            "claim T-1",
            "reply T-1 hi",
            "resolve T-1",
            "queue",
            "priority T-1 P1",
            "move T-1 Access",
        ):
            assert "Only the desk's agents" in await said(run, ALICE, "/desk", verb), verb
        assert "Only the desk's leads" in await said(run, BOB, "/desk", "quality")
        assert (await run.desk.store.ticket(1)).status is Status.OPEN


def test_help_names_every_verb():
    from bot.slack.command_args import help_text

    everything = help_text(agent=True, lead=True)
    assert all(f"/desk {v}" in everything for v in VERBS if v != "help")
