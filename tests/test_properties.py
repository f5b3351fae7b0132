"""Property-based tests (Hypothesis): random text and random payloads thrown at every parser
and every message builder. Parsers never raise anything but the desk's own refusals;
builders always produce Block Kit that Slack accepts, with people's text escaped."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.digest import DigestSchedule, build_digest
from bot.domain.durations import parse_duration
from bot.domain.errors import DeskError
from bot.domain.notices import TRIAGE, Level, Notice, to_person
from bot.domain.phrases import understand
from bot.domain.policy import Clock, SlaPolicy, Target, WorkingCalendar
from bot.domain.priority import Priority
from bot.domain.refs import parse_ref
from bot.domain.sla import SlaClock, measure, target_states
from bot.localslack.blockkit import check_message_blocks, check_view
from bot.slack import payloads
from bot.slack.agent_blocks import FORMS, reply_message, resolution_message, text_form
from bot.slack.card import ticket_card
from bot.slack.command_args import mentioned_user, split_reference
from bot.slack.digest_blocks import DigestLook, digest_message
from bot.slack.intake_blocks import confirmation, form, read_form
from bot.slack.mrkdwn import escape
from bot.slack.notice_blocks import NoticeFacts, notice_message
from bot.slack.rating_blocks import comment_form, rating_request
from bot.slack.status_blocks import my_tickets, status_answer
from tests.factories import T0, make_ticket

ZONE = ZoneInfo("Europe/Berlin")
CALENDAR = WorkingCalendar(ZONE, time(9), time(17), frozenset(range(5)), frozenset())
CLOCK = SlaClock(SlaPolicy(timedelta(hours=1), timedelta(hours=8), Clock.ALWAYS), CALENDAR)
RUNS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text as hostile as people type: mentions, links, entities, markup, emoji, control characters.
hostile = st.one_of(
    st.text(max_size=400),
    st.text(alphabet="<>&@!#|*_~`:\n ", max_size=200),
    st.sampled_from(["<!channel>", "<@U0EVIL001>", "<http://evil|payroll>", "&amp;lt;", "```", "\x00"]),
)
long_text = st.text(min_size=3000, max_size=16000)
people_text = st.one_of(hostile, long_text)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
payload_like = st.dictionaries(
    st.sampled_from(
        [
            "type",
            "user",
            "channel",
            "ts",
            "text",
            "thread_ts",
            "subtype",
            "bot_id",
            "actions",
            "container",
            "message",
            "response_url",
            "view",
            "state",
            "channel_type",
        ]
    ),
    json_values,
    max_size=10,
)


def accepted(blocks) -> None:
    problems = check_message_blocks(blocks)
    assert problems == [], problems


def no_raw_user_markup(blocks, text: str) -> None:
    """Nothing the person typed reaches Slack as markup: no `<!channel>`, no forged links."""
    rendered = repr(blocks)
    for token in ("<!channel>", "<http://evil", "<@U0EVIL001>"):
        if token in text:
            assert token not in rendered


# -- parsers ------------------------------------------------------------------------------
@RUNS
@given(payload_like, st.one_of(st.none(), st.text(max_size=12)))
def test_event_payloads_never_break_the_parser(event, bot_user):
    found = payloads.heard(event, bot_user)
    assert found is None or (isinstance(found.text, str) and found.user != bot_user)


@RUNS
@given(payload_like)
def test_click_shortcut_and_form_payloads_never_break_the_parsers(body):
    for parse in (payloads.click, payloads.shortcut):
        try:
            parse(body)
        except (AttributeError, TypeError) as problem:  # a list where a dict belongs, and so on
            raise AssertionError(f"{parse.__name__} crashed on {body!r}") from problem
    view = body.get("view")
    if isinstance(view, dict):
        assert isinstance(payloads.form_values(view), dict)


@RUNS
@given(hostile)
def test_words_commands_references_and_durations_parse_or_refuse_politely(text):
    understand(text)
    reference, rest = split_reference(text)
    assert isinstance(reference, str) and isinstance(rest, str)
    mentioned_user(text)
    with contextlib.suppress(DeskError):
        assert parse_ref(text, "T") > 0
    with contextlib.suppress(ValueError):
        assert parse_duration(text) > timedelta(0)
    # What Slack delivers escaped comes back as typed.
    assert payloads.command_text({"text": escape(text)}) == text
    event = {
        "type": "message",
        "user": "U0ALICE01",
        "channel": "D0ALICE01",
        "ts": "1.0",
        "text": escape(text),
    }
    heard = payloads.heard(event, "U0DESKBOT")
    assert heard is not None and heard.text == text


@RUNS
@given(st.dictionaries(st.text(max_size=20), st.text(max_size=5000), max_size=5))
def test_the_form_reader_answers_every_input_with_a_ticket_or_field_errors(values):
    read = read_form(values, ("Hardware", "Software"))
    assert isinstance(read, dict | tuple)


# -- builders -----------------------------------------------------------------------------
@RUNS
@given(people_text, st.sampled_from(list(Priority)), st.integers(min_value=0, max_value=3))
def test_cards_confirmations_and_status_answers_are_valid_and_escaped(text, priority, step):
    ticket = make_ticket(7, text=text or "x", priority=priority)
    if step >= 1:
        ticket = ticket.claim("U0BOB0001", T0 + timedelta(minutes=5))
    if step >= 2:
        ticket = ticket.resolve("U0BOB0001", text[:500], T0 + timedelta(hours=2))
    if step >= 3:
        ticket = ticket.rate(ticket.requester, 4, T0 + timedelta(hours=3))
    now = T0 + timedelta(hours=4)
    states = target_states(ticket, CLOCK, now)
    for _, blocks in (
        ticket_card(ticket, "T-7", states, ZONE, business=False, warn_at=0.8),
        confirmation("T-7", text[:100] or "Other", priority, text or "x", "within 1h"),
        status_answer(ticket, "T-7", states[0], ZONE, now, business=False, warn_at=0.8),
        my_tickets([("T-7", ticket)], now),
        reply_message("T-7", "Bob Baker, IT Help", text or "x"),
        resolution_message("T-7", 7, "U0BOB0001", text),
        rating_request("T-7", 7, text or "x", "U0BOB0001", text, ticket.rating, choosing=step < 3),
    ):
        accepted(blocks)
        no_raw_user_markup(blocks, text)


@RUNS
@given(people_text, st.sampled_from(list(Level)), st.booleans())
def test_escalation_notices_are_valid_for_every_level_and_place(text, level, late):
    ticket = make_ticket(3, text=text or "x")
    notice = Notice(Target.FIRST_RESPONSE, level, T0, T0 + timedelta(hours=1), T0, late)
    state = measure(CLOCK, Target.FIRST_RESPONSE, T0, None, T0 + timedelta(minutes=70))
    facts = NoticeFacts(ticket, "T-3", notice, state, timedelta(hours=1), False, "C0TRIAGE1")
    for place in (TRIAGE, to_person("U0BOB0001"), to_person("U0LEAD001")):
        _, blocks = notice_message(facts, place, ZONE)
        accepted(blocks)
        no_raw_user_markup(blocks, text)


@RUNS
@given(st.lists(people_text, min_size=0, max_size=12), st.integers(min_value=0, max_value=6))
def test_digests_are_valid_for_any_tickets(texts, weekday):
    schedule = DigestSchedule(time(9), frozenset(range(7)), ZONE)
    day = (T0 + timedelta(days=weekday)).astimezone(ZONE).date()
    tickets = [
        make_ticket(n, text=t or "x", at=T0 - timedelta(hours=n * 7), priority=list(Priority)[n % 4])
        for n, t in enumerate(texts, 1)
    ]
    now = datetime.combine(day, time(9), tzinfo=ZONE).astimezone(UTC)
    digest = build_digest(tickets, lambda _: CLOCK, 0.8, schedule, day, now)
    look = DigestLook("IT Help", schedule, lambda n: f"T-{n}", lambda _: False)
    _, blocks = digest_message(digest, look)
    accepted(blocks)
    for text in texts:
        no_raw_user_markup(blocks, text)


@RUNS
@given(st.text(max_size=200), st.lists(st.text(min_size=1, max_size=200), min_size=1, max_size=30))
def test_forms_are_valid_views_whatever_the_names(ref, categories):
    for view in (
        form((("IT", tuple(categories)),), "C0GENERAL"),
        form(((ref or "IT", tuple(categories)), ("People", ("Leave",))), "C0GENERAL"),  # grouped by team
        *(text_form(form_id, 1, ref or "T-1", "C0TRIAGE1", public_in="C0GENERAL") for form_id in FORMS),
        comment_form(1, ref or "T-1", "D0ALICE01:1.0", ref),
    ):
        assert check_view(view) == [], view


@RUNS
@given(st.text(max_size=20_000), st.text(max_size=300))
def test_the_details_modal_is_a_valid_view_and_keeps_the_whole_text(text, note):
    from bot.slack.details_blocks import details_view

    ticket = make_ticket(text=text or "x").claim("U0BOB0001", T0).resolve("U0BOB0001", note, T0)
    view = details_view(ticket, "T-1", [], ZoneInfo("Europe/Berlin"), business=False)
    assert check_view(view) == [], view
    shown = "".join(b["text"]["text"] for b in view["blocks"][2:] if b["type"] == "section")
    words = [w for w in (text or "x").split() if "&" not in w and "<" not in w and ">" not in w]
    assert all(w in shown for w in words[:50])
