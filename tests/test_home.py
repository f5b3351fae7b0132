"""The App Home per role (SPEC §11): pure builders compared as dicts against known tickets,
and end to end through the local Slack: opening it publishes it through the outbox, and a
claim updates the agent's Home without opening it again."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.domain.policy import Clock, SlaPolicy, WorkingCalendar
from bot.domain.sla import SlaClock, next_target
from bot.domain.trend import trend
from bot.localslack.blockkit import check_view
from bot.slack.home import HomeFacts, HomeRow, QueueCounts, home_view
from tests.factories import T0, make_ticket
from tests.harness import ALICE, BOB, CAROL, TRIAGE, raise_ticket, running_desk, settle

BERLIN = ZoneInfo("Europe/Berlin")
WALL = SlaClock(SlaPolicy(timedelta(hours=1), timedelta(hours=8), Clock.ALWAYS), WorkingCalendar(BERLIN))
NOW = T0 + timedelta(minutes=50)


def row(ticket, *, at_risk=False) -> HomeRow:
    return HomeRow(f"T-{ticket.number}", ticket, next_target(ticket, WALL, NOW), at_risk, False)


def sections(view) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "section" and "text" in b]


def date(minutes: int, shown: str) -> str:
    epoch = int((T0 + timedelta(minutes=minutes)).timestamp())
    return f"<!date^{epoch}^{{date_short_pretty}} at {{time}}|{shown}>"


def test_an_employee_sees_her_open_tickets_and_what_happens_next():
    waiting_for_agent = make_ticket(4, text="Printer jams on floor 2")
    asked = make_ticket(5, text="VPN drops").claim(BOB, T0).wait_on_requester(BOB, "Which office?", T0)
    view = home_view(HomeFacts("IT Help", "T", BERLIN, [row(waiting_for_agent), row(asked)]))
    assert check_view(view) == []
    assert view["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": "IT Help"}}
    shown = sections(view)
    assert shown[:3] == [
        "*Your open tickets* (2)",
        ":large_orange_circle: *T-4* · “Printer jams on floor 2”\n"
        f"Waiting for an agent: first response due in 10m (by {date(60, 'Mon 2 Nov, 11:00 CET')})",
        f":large_orange_circle: *T-5* · “VPN drops”\n"
        f"<@{BOB}> asked you a question: answer in the ticket's thread",
    ]
    assert not any("For agents" in s or "This week" in s for s in shown)


def test_an_agent_sees_what_is_assigned_at_risk_first_and_the_queue():
    calm = make_ticket(6, text="New mouse").claim(BOB, T0)
    risky = make_ticket(7, text="Server room is hot").claim(BOB, T0)
    facts = HomeFacts(
        "IT Help", "T", BERLIN, [], assigned=[row(risky, at_risk=True), row(calm)], queue=QueueCounts(3, 1, 2)
    )
    view = home_view(facts)
    assert check_view(view) == []
    shown = sections(view)
    assert shown[:4] == [
        "*Assigned to you* (2)",
        ":large_orange_circle: *T-7* · P2 · High · “Server room is hot”\n"
        f"resolution due in 7h 10m (by {date(480, 'Mon 2 Nov, 18:00 CET')}) · :warning: *at risk*",
        ":large_orange_circle: *T-6* · P2 · High · “New mouse”\n"
        f"resolution due in 7h 10m (by {date(480, 'Mon 2 Nov, 18:00 CET')})",
        "*The queue*: 3 unclaimed · 1 at risk · 2 overdue. `/desk queue` lists them.",
    ]
    assert "*Your open tickets*\nNone. Send me a direct message whenever you need help." in shown
    assert any(s.startswith("*For agents*") for s in shown)


def test_a_lead_sees_the_week_with_sparklines_and_the_change():
    tickets = []
    for week, count in enumerate((1, 2, 4)):  # three weeks ago 1, then 2, this week 4
        for i in range(count):
            opened = T0 - timedelta(days=7 * (2 - week) + 1, minutes=i)
            tickets.append(
                make_ticket(len(tickets) + 1, at=opened).claim(BOB, opened + timedelta(minutes=20))
            )
    week = trend(tickets, lambda _: WALL, T0, timedelta(days=7))
    view = home_view(HomeFacts("IT Help", "T", BERLIN, [], week=week))
    assert check_view(view) == []
    [lines] = [s for s in sections(view) if s.startswith("*This week*")]
    assert lines.splitlines()[1:] == [
        "▁▁▁▁▁▃▅█  Opened · 4  _↑ 2_",  # 1, 2, 4 of 0..4 over 8 heights
        "▁▁▁▁▁▁▁▁  Resolved · 0  _→ same_",
        "     ▄▄▄  First response p50 · 20m  _→ same_",
        "     ▄▄▄  SLA met · 50%  _→ same_",  # first responses met, resolutions missed (never resolved)
        "          CSAT · –",
    ]


async def test_opening_the_home_publishes_it_and_a_claim_updates_the_agents_home():
    async with running_desk() as run:
        await run.people.open_home(BOB)
        await run.people.open_home(ALICE)
        await run.people.open_home(CAROL)
        await run.idle()

        def published(user):
            return [
                json.loads(json.dumps(c.args["view"]))
                for c in run.slack.calls
                if c.method == "views.publish" and c.args["user_id"] == user
            ]

        assert "Nothing is assigned to you." in json.dumps(published(BOB)[-1])
        await raise_ticket(run, "Projector shows no picture")
        await settle(lambda: "Projector shows no picture" in json.dumps(published(ALICE)[-1]))
        assert "Waiting for an agent" in json.dumps(published(ALICE)[-1])
        # the queue's counts changed: Bob's Home follows, after its ten seconds for more changes
        await settle(lambda: "*The queue*: 1 unclaimed" in json.dumps(published(BOB)[-1]), timeout=20)
        await run.people.command(BOB, "/desk", "claim T-1", channel=TRIAGE)
        await settle(lambda: "*Assigned to you* (1)" in json.dumps(published(BOB)[-1]))
        assert "Projector shows no picture" in json.dumps(published(BOB)[-1])
        assert "*The queue*: 0 unclaimed · 0 at risk · 0 overdue" in json.dumps(
            published(BOB)[-1], ensure_ascii=False
        )
        await settle(lambda: "is on it" in json.dumps(published(ALICE)[-1]))
        await run.idle()
        assert "*This week*" in json.dumps(published(CAROL)[-1]) and "*This week*" not in json.dumps(
            published(BOB)[-1]
        )
        assert run.slack.errors() == []
