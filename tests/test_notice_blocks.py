"""Escalation notices as people read them: each level's words, where buttons appear, the late
line, escaped text, and Block Kit that Slack accepts. Pure."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.domain.escalation import EscalationPolicy, due_notices
from bot.domain.notices import TRIAGE, Level, to_person
from bot.domain.policy import Clock, SlaPolicy, WorkingCalendar
from bot.domain.priority import Priority
from bot.domain.sla import SlaClock, measure, round_of
from bot.localslack.blockkit import check_message_blocks
from bot.slack.notice_blocks import NoticeFacts, notice_message
from tests.factories import T0, make_ticket
from tests.harness import blocks_text

BERLIN = ZoneInfo("Europe/Berlin")
WALL = SlaClock(SlaPolicy(timedelta(hours=1), timedelta(hours=8), Clock.ALWAYS), WorkingCalendar(BERLIN))
OFFICE = SlaClock(SlaPolicy(timedelta(hours=4), timedelta(days=3), Clock.BUSINESS), WorkingCalendar(BERLIN))
POLICY = EscalationPolicy(0.8, 2.0, timedelta(minutes=2), leads=("U0CAROL01",))


def messages(ticket, clock, minutes: float, noticed_after: float = 0, card: str | None = None):
    """Each notice due `minutes` after T0, raised `noticed_after` minutes later, as sent to
    each of its destinations then."""
    now = T0 + timedelta(minutes=minutes + noticed_after)
    found = {}
    for notice in due_notices(ticket, clock, POLICY, now):
        _, stopped = round_of(ticket, notice.target)
        state = measure(clock, notice.target, notice.since, stopped, now)
        length = clock.policy.length(notice.target)
        facts = NoticeFacts(ticket, "T-1", notice, state, length, clock.business, "C0TRIAGE1", card)
        for destination in notice.owed:
            text, blocks = notice_message(facts, destination, BERLIN)
            assert check_message_blocks(blocks) == []
            found[(notice.level, destination)] = (text, blocks)
    return found


def test_each_level_says_what_happened_and_what_to_do():
    sent = messages(make_ticket(text="VPN <!channel> & DNS"), WALL, 120)
    text, blocks = sent[(Level.AT_RISK, TRIAGE)]
    assert text == "T-1 is at risk: its first-response target is close."
    assert blocks[0]["block_id"] == f"notice:1:first_response:at_risk:{int(T0.timestamp())}:triage"
    assert "*T-1 is at risk*: first response *overdue* by 1h" in blocks_text(blocks)
    assert "Nobody has claimed it yet." in blocks_text(blocks)
    assert [e["text"]["text"] for e in blocks[-1]["elements"]] == ["Claim"]
    _, breached = sent[(Level.BREACHED, TRIAGE)]
    assert "*T-1 missed its first-response target* of 1h (due <!date^" in blocks_text(breached)
    _, leads = sent[(Level.LEADS, to_person("U0CAROL01"))]
    words = blocks_text(leads)
    assert "*T-1 needs a lead's attention*: its first response was due within 1h, by <!date^" in words
    assert "and it is now 1h overdue. Nobody has claimed it yet." in words
    assert "> VPN &lt;!channel&gt; &amp; DNS" in words, "the request is quoted, escaped"
    assert "the card is in <#C0TRIAGE1>" in words
    assert leads[-1]["type"] != "actions", "leads are not asked to claim"


def test_a_leads_dm_links_to_the_card_once_it_is_posted():
    link = "https://acme.slack.com/archives/C0TRIAGE1/p1700000000000100"
    sent = messages(make_ticket(), WALL, 120, card=link)
    _, leads = sent[(Level.LEADS, to_person("U0CAROL01"))]
    assert f"<{link}|the card> is in <#C0TRIAGE1>" in blocks_text(leads)


def test_the_assignee_at_risk_gets_reply_and_resolve():
    ticket = make_ticket().claim("U0BOB0001", T0 + timedelta(minutes=10))
    sent = messages(ticket, WALL, 8 * 60 * 0.8)
    [(key, (_, blocks))] = sent.items()
    assert key == (Level.AT_RISK, to_person("U0BOB0001"))
    assert "*T-1 is at risk*: resolution due in 1h 36m" in blocks_text(blocks)
    assert "Nobody has claimed" not in blocks_text(blocks)
    assert [e["text"]["text"] for e in blocks[-1]["elements"]] == ["Reply", "Resolve"]


def test_business_time_is_said_in_working_days_and_hours():
    ticket = make_ticket(priority=Priority.P3)  # Monday 10:00 Berlin
    sent = messages(ticket, OFFICE, 60 * 24, noticed_after=0)  # a day later: breached, leads due
    _, leads = sent[(Level.LEADS, to_person("U0CAROL01"))]
    assert "was due within 4h of business hours" in blocks_text(leads)
    assert "of business time overdue" in blocks_text(leads)


def test_a_late_notice_says_so_and_when_it_fell_due():
    sent = messages(make_ticket(), WALL, 48, noticed_after=30)
    _, blocks = sent[(Level.AT_RISK, TRIAGE)]
    assert ":clock3: Sent late: this fell due <!date^" in blocks_text(blocks)
    on_time = messages(make_ticket(), WALL, 48)
    assert "Sent late" not in blocks_text(on_time[(Level.AT_RISK, TRIAGE)][1])
