"""The intake's and the card's Block Kit, built by pure functions and compared as dicts."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.domain.intake import Draft, Stage
from bot.domain.policy import Clock, SlaPolicy, WorkingCalendar
from bot.domain.priority import Priority
from bot.domain.sla import SlaClock, target_states
from bot.localslack.blockkit import check_message_blocks, check_view
from bot.slack.card import ticket_card
from bot.slack.intake_blocks import FORM_TEXT_LIMIT, draft_of_block, form, question, read_form
from bot.slack.mrkdwn import CUT_NOTE
from bot.slack.when import left_in_words, promise
from tests.factories import T0, make_ticket

BERLIN = ZoneInfo("Europe/Berlin")
CLOCK = SlaClock(SlaPolicy(timedelta(hours=1), timedelta(hours=8), Clock.ALWAYS), WorkingCalendar(BERLIN))


def card(ticket, minutes: int = 0):
    states = target_states(ticket, CLOCK, T0 + timedelta(minutes=minutes))
    return ticket_card(ticket, f"T-{ticket.number}", states, BERLIN, business=False, warn_at=0.8)


def shown_at(minutes: int, fallback: str) -> str:
    epoch = int((T0 + timedelta(minutes=minutes)).timestamp())
    return f"<!date^{epoch}^{{date_short_pretty}} at {{time}}|{fallback}>"


def test_the_card_of_a_new_ticket():
    text, blocks = card(make_ticket(4, text="Printer jams"), minutes=15)
    assert text == "T-4 (P2 · High, Hardware): Printer jams"
    assert blocks == [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": ":large_orange_circle: *T-4* · *P2 · High* · Hardware\n"
                "From <@U0ALICE01> by direct message, " + shown_at(0, "Mon 2 Nov, 10:00 CET"),
            },
            "accessory": {
                "type": "button",
                "text": {"type": "plain_text", "text": "Details"},
                "action_id": "details",
                "value": "4",
            },
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": "> Printer jams"}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"First response due in 45m (by {shown_at(60, 'Mon 2 Nov, 11:00 CET')}) · "
                    f"resolution due in 7h 45m (by {shown_at(480, 'Mon 2 Nov, 18:00 CET')})",
                },
                {  # notes in the card's thread are internal, and the card says so
                    "type": "mrkdwn",
                    "text": ":lock: This card's thread is internal: notes written here are never sent to "
                    "the requester.",
                },
            ],
        },
        {
            "type": "actions",
            "block_id": "ticket:4",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Claim"},
                    "style": "primary",
                    "action_id": "claim",
                    "value": "4",
                },
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Reply"},
                    "action_id": "reply",
                    "value": "4",
                },
                {  # the priority, changed in place (SPEC §10); the area too with several
                    "type": "static_select",
                    "action_id": "set_priority",
                    "placeholder": {"type": "plain_text", "text": "Priority"},
                    "options": [
                        {"text": {"type": "plain_text", "text": label}, "value": value}
                        for label, value in (
                            ("P1 · Critical", "P1"),
                            ("P2 · High", "P2"),
                            ("P3 · Normal", "P3"),
                            ("P4 · Low", "P4"),
                        )
                    ],
                    "initial_option": {"text": {"type": "plain_text", "text": "P2 · High"}, "value": "P2"},
                },
            ],
        },
    ]


def test_a_claimed_and_a_resolved_card_name_the_agent_and_offer_no_claim():
    claimed = make_ticket().claim("U0BOB0001", T0 + timedelta(minutes=5))
    _, blocks = card(claimed, 10)
    assert blocks[-2]["text"]["text"] == ":raising_hand: Claimed by <@U0BOB0001>"
    assert [e["text"]["text"] for e in blocks[-1]["elements"] if e["type"] == "button"] == [
        "Reply",
        "Waiting on requester",
        "Resolve",
    ]
    assert [e["action_id"] for e in blocks[-1]["elements"] if e["type"] == "static_select"] == [
        "set_priority"
    ]
    assert "First response met" in blocks[2]["elements"][0]["text"]
    resolved = claimed.resolve("U0BOB0001", "Swapped the <toner>", T0 + timedelta(hours=2))
    _, blocks = card(resolved, 200)
    assert (
        blocks[-1]["text"]["text"] == ":white_check_mark: Resolved by <@U0BOB0001>: Swapped the &lt;toner&gt;"
    )
    assert not any(b["type"] == "actions" for b in blocks)


def test_a_huge_request_is_cut_to_fit_with_a_note():
    text, blocks = card(make_ticket(text="<b>" * 5000))
    assert check_message_blocks(blocks) == []
    assert blocks[1]["text"]["text"].endswith(CUT_NOTE)
    assert "&lt;b&gt;" in blocks[1]["text"]["text"] and "<b>" not in blocks[1]["text"]["text"]
    assert len(text) < 300 and "<b>" not in text


def test_a_breached_target_says_overdue_and_is_flagged_under_the_head():
    _, blocks = card(make_ticket(), minutes=80)
    assert blocks[1]["text"]["text"] == ":rotating_light: *Target missed:* first response"
    assert "First response *overdue* by 20m" in blocks[3]["elements"][0]["text"]


def test_a_target_past_warn_at_is_flagged_at_risk_and_a_fresh_one_is_not():
    _, risky = card(make_ticket(), minutes=48)  # 80% of the 1h first response
    assert risky[1]["text"]["text"] == ":hourglass_flowing_sand: *At risk:* first response due soon"
    _, calm = card(make_ticket(), minutes=47)
    assert not any(":hourglass" in str(block) or ":rotating" in str(block) for block in calm)


def test_questions_fit_slack_with_twenty_long_areas():
    areas = (("IT", tuple(f"{i:02d} " + "a" * 27 for i in range(20))),)
    draft = Draft("abc", "U0A", "D0A", None, "dm", "x" * 40_000, Stage.CATEGORY, T0, T0)
    _, blocks = question(draft, areas)
    assert check_message_blocks(blocks) == []
    action_ids = [e["action_id"] for e in blocks[2]["elements"]]
    assert len(action_ids) == len(set(action_ids)) == 21  # unique within the block, as Slack requires
    _, blocks = question(
        Draft("abc", "U0A", "D0A", None, "dm", "x", Stage.URGENCY, T0, T0, "Hardware"), areas
    )
    assert [e["value"] for e in blocks[2]["elements"]] == ["P1", "P2", "P3", "P4", "cancel"]
    assert check_message_blocks(blocks) == []


def test_with_several_teams_the_area_question_has_a_row_of_buttons_per_team_under_its_name():
    areas = (("IT", ("Hardware", "Access")), ("People", ("Payroll", "Leave")))
    draft = Draft("abc", "U0A", "D0A", None, "dm", "My payslip is wrong", Stage.CATEGORY, T0, T0)
    _, blocks = question(draft, areas)
    assert check_message_blocks(blocks) == []
    rows = [b for b in blocks if b["type"] == "actions"]
    assert [[e["value"] for e in row["elements"]] for row in rows] == [
        ["Hardware", "Access"],
        ["Payroll", "Leave"],
        ["cancel"],  # in a row of its own: it belongs to no team
    ]
    labels = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"][:2]
    assert labels == ["*IT*", "*People*"]
    assert {draft_of_block(row["block_id"]) for row in rows} == {"abc"}  # each row names the draft
    ids = [e["action_id"] for row in rows for e in row["elements"]]
    assert len(ids) == len(set(ids))  # a button's id says which area, across the rows


def test_with_several_teams_the_form_groups_the_areas_by_team():
    view = form((("IT", ("Hardware",)), ("People", ("Payroll", "Leave"))), "C0GENERAL")
    assert check_view(view) == []
    area = next(b for b in view["blocks"] if b["block_id"] == "category")["element"]
    assert [(g["label"]["text"], [o["value"] for o in g["options"]]) for g in area["option_groups"]] == [
        ("IT", ["Hardware"]),
        ("People", ["Payroll", "Leave"]),
    ]
    area["options"] = area["option_groups"][0]["options"]  # both at once is not Block Kit
    assert check_view(view) != []


def test_the_form_is_a_valid_modal_and_its_answers_are_checked():
    assert check_view(form((("IT", ("Hardware", "Access")),), "C0GENERAL")) == []
    assert read_form({"description": " Need VPN ", "category": "Access", "urgency": "P3"}, ("Access",)) == (
        "Need VPN",
        "Access",
        Priority.P3,
    )
    assert set(read_form({"description": "x", "category": "Plumbing", "urgency": "P0"}, ("Access",))) == {
        "category",
        "urgency",
    }
    too_long = read_form(
        {"description": "x" * (FORM_TEXT_LIMIT + 1), "category": "Access", "urgency": "P1"}, ("Access",)
    )
    assert "3000" in too_long["description"]


def test_targets_are_promised_in_the_words_of_the_config():
    due = T0 + timedelta(hours=4)
    shown = f"<!date^{int(due.timestamp())}^{{date_short_pretty}} at {{time}}|Mon 2 Nov, 14:00 CET>"
    assert promise(timedelta(hours=1), due, BERLIN, business=False) == f"within 1h, by {shown}"
    assert (
        promise(timedelta(hours=4), due, BERLIN, business=True) == f"within 4h of business hours, by {shown}"
    )
    assert promise(timedelta(days=3), due, BERLIN, business=True) == f"within 3 working days, by {shown}"
    assert promise(timedelta(days=1), due, BERLIN, business=True) == f"within 1 working day, by {shown}"


def test_business_time_left_is_said_in_hours_not_days():
    assert left_in_words(timedelta(hours=22, seconds=1), business=True) == "22h 1m"
    assert left_in_words(timedelta(hours=30), business=True) == "30h"
    assert left_in_words(timedelta(hours=30)) == "1d 6h"
    assert left_in_words(timedelta(minutes=59, seconds=30)) == "1h"
