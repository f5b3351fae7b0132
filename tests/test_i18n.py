"""The desk in Simplified Chinese: the catalogue is complete and current, every converted message
kind renders without an English sentence left, `desk.language` is checked, and each person's
own Slack locale decides what is said to them alone.

An English desk saying exactly what it said before is proven by the rest of the suite, which
is unchanged and reads the English sentences word for word.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.desk import Desk
from bot.domain.approval import ApprovalFigures, FormField, Kind, RequestType, chain_for, request
from bot.domain.approval import Level as Approvers
from bot.domain.digest import build_digest
from bot.domain.errors import NotPermitted
from bot.domain.intake import Draft, Stage, Suggestion
from bot.domain.notices import TRIAGE, Level, Notice
from bot.domain.policy import Target
from bot.domain.priority import Priority
from bot.domain.report import build_report
from bot.domain.sla import TargetState
from bot.domain.storm import Group, Storm
from bot.domain.ticket import Action, Rating, Status, Ticket, TrailEntry
from bot.domain.trend import trend
from bot.i18n import ENGLISH, Words, language_of_locale, words_for
from bot.slack import (
    agent_blocks,
    answer_blocks,
    approval_blocks,
    card,
    command_args,
    details_blocks,
    digest_blocks,
    home,
    intake_blocks,
    link_blocks,
    notice_blocks,
    parked_blocks,
    quality_blocks,
    rating_blocks,
    report_blocks,
    request_blocks,
    said_blocks,
    status_blocks,
    storm_blocks,
    summary_blocks,
    when,
)
from config.settings import ConfigError, load_config, parse_config
from store import store_from_url
from tests.factories import make_ticket
from tests.harness import (
    ALICE,
    blocks_text,
    bot_posts,
    demo_config,
    raise_ticket,
    running_desk,
    settle,
    text_of,
    toml_text,
)

ROOT = Path(__file__).resolve().parent.parent
ZH = words_for("zh-CN")
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("Europe/Berlin"))
ZONE = ZoneInfo("Europe/Berlin")

# -- the catalogue ----------------------------------------------------------------------------


KEYWORDS = {  # as babel.cfg's command says: `t`, `tn`, and a refusal's reason (bot/domain/errors.py)
    "t": None,
    "tn": (1, 2),
    **dict.fromkeys(("Phrase", "P", "DeskError", "NotPermitted", "TransitionNotAllowed", "BadReference")),
}


def _in_code() -> set[str]:
    """The message ids in the code now, extracted as `pybabel extract -F babel.cfg` does."""
    found = extract_from_dir(
        str(ROOT),
        method_map=[("bot/**.py", "python")],
        keywords=KEYWORDS,
    )
    return {m[2] if isinstance(m[2], str) else m[2][0] for m in found}


def _ids(path: Path) -> dict[str, object]:
    with path.open("rb") as file:
        catalogue = read_po(file)
    return {(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in catalogue if m.id}


def test_the_template_holds_every_sentence_in_the_code_and_no_other():
    template = set(_ids(ROOT / "bot/locale/desk.pot"))
    code = _in_code()
    assert code - template == set(), "run pybabel extract (see bot/i18n.py): new sentences"
    assert template - code == set(), "run pybabel extract (see bot/i18n.py): sentences gone"


def test_every_sentence_has_its_simplified_chinese():
    translated = _ids(ROOT / "bot/locale/zh_CN/LC_MESSAGES/desk.po")
    untranslated = sorted(
        k
        for k in _in_code()
        if not (translated.get(k) if isinstance(translated.get(k), str) else "".join(translated.get(k) or ()))
    )
    assert untranslated == []


def test_placeholders_survive_translation():
    """A translation that lost or misspelt `{ref}` would fail at run time: none does."""
    english = _ids(ROOT / "bot/locale/desk.pot")
    chinese = _ids(ROOT / "bot/locale/zh_CN/LC_MESSAGES/desk.po")
    field = re.compile(r"\{(\w*)\}")
    for key in english:
        said = chinese.get(key)
        said = said if isinstance(said, str) else "".join(said or ())
        assert set(field.findall(said)) <= set(field.findall(key)) | {"n"}, key


# -- an English sentence left is a failure ---------------------------------------------------

_NOT_WORDS = re.compile(
    r"`[^`]*`"  # code: commands and their arguments stay the same words
    r"|<[^>]*>"  # mentions, links, Slack's date tokens
    r"|“[^”]*”"  # what people wrote, quoted
    r"|:[a-z0-9_+-]+:"  # emoji
    r"|\b[A-Z]{1,3}-\d+\b|\bP[1-4]\b"  # references, priorities
)
_TWO_WORDS = re.compile(r"[A-Za-z]{2,}[ \t,.;:!?'’-]+[A-Za-z]{2,}")  # each string on its own line
ALLOWED = {"IT Help", "Printer jams", "Laptop broken"}  # what people wrote and named: theirs


def english_left(text: str) -> list[str]:
    """Runs of two or more ASCII words outside code, mentions, emoji and references."""
    rest = _NOT_WORDS.sub(" ", text)
    for name in ALLOWED:
        rest = rest.replace(name, " ")
    return _TWO_WORDS.findall(rest)


def all_text(found: object) -> str:
    """Every string a message or view shows (texts, labels, placeholders), joined."""
    if isinstance(found, str):
        return found
    if isinstance(found, tuple):
        return "\n".join(all_text(x) for x in found)
    if isinstance(found, list):
        return "\n".join(all_text(x) for x in found)
    if isinstance(found, dict):
        skip = {"action_id", "block_id", "callback_id", "value", "type", "private_metadata", "url"}
        return "\n".join(all_text(v) for k, v in found.items() if k not in skip)
    return ""


def test_the_heuristic_catches_english_and_spares_code_and_mentions():
    assert english_left("You have 3 open tickets")
    assert not english_left("发送 `status T-4` 查看，<@U0BOB0001> 正在处理 :warning: P1 · 紧急")


def _state(*, breached: bool = False, stopped: bool = False, paused: bool = False) -> TargetState:
    left = timedelta(minutes=-20) if breached else timedelta(minutes=10)
    return TargetState(
        Target.FIRST_RESPONSE,
        length=timedelta(hours=1),
        due=NOW + left,
        left=left,
        stopped_at=NOW if stopped else None,
        paused=paused,
    )


def _rendered(words: Words) -> dict[str, object]:
    """Every converted message kind, rendered in `words`' language."""
    open_ = make_ticket(
        1, requester=ALICE, text="Printer jams", priority=Priority.P2, at=NOW - timedelta(minutes=20)
    )
    claimed = make_ticket(2, text="Laptop broken", at=NOW - timedelta(hours=3))
    claimed = claimed.__class__(**{**claimed.__dict__, "status": Status.CLAIMED, "assignee": "U0BOB0001"})
    waiting = claimed.__class__(**{**claimed.__dict__, "status": Status.WAITING})
    resolved = claimed.__class__(
        **{**claimed.__dict__, "status": Status.RESOLVED, "resolved_at": NOW, "resolution_note": "修好了"}
    )
    rows = [("T-1", open_), ("T-2", claimed), ("T-3", waiting)]
    rated = Rating(score=4, at=NOW, comment="很好")
    kinds: dict[str, object] = {}
    for i, (ticket, state) in enumerate(
        [
            (open_, _state()),
            (claimed, _state(breached=True)),
            (waiting, _state(paused=True)),
            (resolved, None),
        ]
    ):
        for business in (False, True):
            kinds[f"status {i} {business}"] = status_blocks.status_answer(
                ticket, "T-1", state, ZONE, NOW, business=business, warn_at=0.5, words=words
            )
    kinds["target met"] = when.target_line(_state(stopped=True), ZONE, business=False, words=words)
    kinds["target missed"] = when.target_line(
        _state(stopped=True, breached=True), ZONE, business=True, words=words
    )
    kinds["promise"] = when.promise(timedelta(days=3), NOW, ZONE, business=True, words=words)
    kinds["promise hours"] = when.promise(timedelta(hours=4), NOW, ZONE, business=True, words=words)
    kinds["my tickets"] = status_blocks.my_tickets(rows, NOW, words=words)
    kinds["my tickets, none"] = status_blocks.my_tickets([], NOW, words=words)
    kinds["my tickets, many"] = status_blocks.my_tickets(rows * 10, NOW, words=words)
    kinds["assigned"] = status_blocks.assigned_tickets(rows * 10, kinds["my tickets"], NOW, words=words)  # type: ignore[arg-type]
    kinds["assigned, none"] = status_blocks.assigned_tickets([], None, NOW, words=words)
    kinds["help"] = status_blocks.help_answer("IT Help", "T", agent=True, words=words)
    for choosing in (True, False):
        for rating in (None, rated, Rating(score=None, at=NOW, comment="")):
            kinds[f"rating {choosing} {rating}"] = rating_blocks.rating_request(
                "T-1", 1, "Printer jams", "U0BOB0001", "换了墨盒", rating, choosing=choosing, words=words
            )
    kinds["survey closed"] = rating_blocks.survey_closed("T-1", rating_blocks.CLOSED_REOPENED, words=words)
    kinds["survey closed, late"] = rating_blocks.survey_closed(
        "T-1", rating_blocks.CLOSED_LATE, span=timedelta(days=30), words=words
    )
    kinds["comment form"] = rating_blocks.comment_form(1, "T-1", "D1:1.0", "", words=words)
    areas = (("IT", ("Hardware", "Software")), ("People", ("Payroll",)))
    states = [_state(breached=True), _state()]
    for i, ticket in enumerate([open_, claimed, waiting, resolved, replace(open_, assignee="U0BOB0001")]):
        kinds[f"card {i}"] = card.ticket_card(
            ticket, "T-1", states, ZONE, business=False, warn_at=0.5, areas=areas, team="IT", words=words
        )
    at_risk = TargetState(Target.RESOLUTION, timedelta(hours=1), NOW, timedelta(minutes=5), None)
    kinds["card at risk"] = card.ticket_card(
        open_, "T-1", [at_risk], ZONE, business=True, warn_at=0.5, words=words
    )
    for via in ("dm", "mention", "command", "form", "shortcut", "reaction", "channel"):
        origin = replace(open_.origin, via=via)
        kinds[f"raised {via}"] = card.raised(replace(open_, origin=origin), "https://x/1", words)
        kinds[f"raised by {via}"] = card.raised(
            replace(open_, origin=origin, raised_by="U0ERIN001"), None, words
        )
    for level in Level:
        for late in (False, True):
            notice = Notice(Target.FIRST_RESPONSE, level, NOW, NOW, NOW, late)
            for ticket in (open_, claimed, replace(open_, assignee="U0BOB0001")):
                for business in (False, True):
                    facts = notice_blocks.NoticeFacts(
                        ticket,
                        "T-1",
                        notice,
                        _state(breached=level is not Level.AT_RISK),
                        timedelta(hours=4),
                        business,
                        "C0TRIAGE1",
                        "https://x/1",
                    )
                    for place in (TRIAGE, "dm:U0CAROL01"):
                        kinds[f"notice {level} {late} {ticket.status} {business} {place}"] = (
                            notice_blocks.notice_message(facts, place, ZONE, words=words)
                        )
    rows_home = [home.HomeRow(ref, t, _state(), i == 0, False) for i, (ref, t) in enumerate(rows)]
    week = trend([], lambda t: None, NOW, timedelta(days=7))
    facts = home.HomeFacts(
        "IT Help", "T", ZONE, rows_home, rows_home * 5, home.QueueCounts(3, 1, 2, 1), week, away="周五 17:00"
    )
    kinds["home, all"] = home.home_view(facts, words=words)
    kinds["home, teams, away till back"] = home.home_view(
        replace(facts, week=None, team_weeks=(("IT", week),), away=""), words=words
    )
    kinds["home, here"] = home.home_view(replace(facts, away=None), words=words)
    draft = Draft("d1", ALICE, "D1", None, "dm", "打印机卡纸", Stage.CATEGORY, NOW, NOW)
    kinds["question, area"] = intake_blocks.question(draft, areas, words=words)
    kinds["question, one team"] = intake_blocks.question(draft, areas[:1], words=words)
    kinds["question, urgency"] = intake_blocks.question(
        replace(draft, stage=Stage.URGENCY, category="Hardware"), areas, words=words
    )
    kinds["added"] = intake_blocks.added_note(words)
    kinds["cancelled"] = intake_blocks.ended(replace(draft, stage=Stage.CANCELLED), words=words)
    kinds["expired"] = intake_blocks.ended(replace(draft, stage=Stage.EXPIRED), words=words)
    kinds["ticket form"] = intake_blocks.form(areas, "C1", words=words)
    kinds["ticket form, errors"] = intake_blocks.read_form({}, ("Hardware",), words=words)
    kinds["ticket form, too long"] = intake_blocks.read_form(
        {intake_blocks.IntakeIds.FORM_TEXT: "x" * 4000}, ("Hardware",), words=words
    )
    kinds["channel ticket choices"] = [
        request_blocks.change_hint(words),
        request_blocks.choices(1, Priority.P3, "Hardware", areas, words=words),
    ]
    kinds["raised for"] = intake_blocks.raised_for("T-1", ALICE, words=words)
    promised = when.promise(timedelta(hours=1), NOW, ZONE, business=False, words=words)
    first_answered = replace(claimed, first_response_at=NOW)
    rated_done = replace(resolved, first_response_at=NOW, rating=Rating(score=5, at=NOW))
    reopened = replace(claimed, reopened_at=NOW)
    for i, ticket in enumerate(
        [open_, first_answered, waiting, rated_done, reopened, replace(reopened, status=Status.OPEN)]
    ):
        now = intake_blocks.standing(ticket, "T-1", ZONE, words=words)
        kinds[f"confirmation {i}"] = intake_blocks.confirmation(
            "T-1", "Hardware", Priority.P2, "打印机卡纸", promised, "<@U0ERIN001> 代你提交", now, words=words
        )
    from tests import test_digest as d  # its week of tickets, clock and schedule

    for name, tickets, day, now in (
        ("busy", d.known_tickets(), d.WEDNESDAY, d.NOW),
        ("quiet", [], d.WEDNESDAY, d.NOW),
        ("quiet with backlog", [make_ticket(9, at=d.NOW - timedelta(days=3))], d.WEDNESDAY, d.NOW),
    ):
        digest = build_digest(tickets, d.clock_for, 0.8, d.SCHEDULE, day, now)
        look = replace(d.LOOK, words=words, team="IT")
        kinds[f"digest {name}"] = digest_blocks.digest_message(digest, look)
        weekdays = replace(d.SCHEDULE, days=frozenset(range(5)))
        monday = datetime(2026, 11, 23, 9, 0, tzinfo=ZONE)
        spell = build_digest(tickets, d.clock_for, 0.8, weekdays, date(2026, 11, 23), monday)
        kinds[f"digest {name}, a spell"] = digest_blocks.digest_message(spell, look)
    weekly = replace(d.SCHEDULE, days=frozenset({0, 2}))
    kinds["schedule"] = [digest_blocks.schedule_words(x, words) for x in (d.SCHEDULE, weekly)]
    for by in (None, "U0CAROL01"):
        kinds[f"handover {by}"] = agent_blocks.handover_message(
            "T-1", open_, by, [_state()], ZONE, business=False, words=words
        )
        kinds[f"handover {by}, nothing running"] = agent_blocks.handover_message(
            "T-1", open_, by, [_state(stopped=True)], ZONE, business=False, words=words
        )
    kinds["reply"] = agent_blocks.reply_message("T-1", "Bob, IT Help", "换好了", words=words)
    kinds["resolution"] = agent_blocks.resolution_message("T-1", 1, "U0BOB0001", "重启即可", words=words)
    for resolver, ticket in (("U0BOB0001", reopened), ("desk", replace(reopened, assignee=None))):
        kinds[f"reopened {resolver}"] = agent_blocks.reopened_message(
            "T-1", resolver, "重启", ticket, ZONE, words=words
        )
    kinds["waiting"] = agent_blocks.waiting_message("T-1", "U0BOB0001", "型号是？", words=words)
    for agent in ("U0BOB0001", None):
        kinds[f"reminder {agent}"] = agent_blocks.reminder_message(
            "T-1", agent, "型号是？", when.slack_at(NOW, ZONE, words=words), words=words
        )
    kinds["closed unanswered"] = agent_blocks.closed_unanswered_message(
        "T-1", 1, words.duration(timedelta(days=5)), words=words
    )
    queue = [agent_blocks.QueueRow(ref, t, _state(), i == 0, False) for i, (ref, t) in enumerate(rows)]
    kinds["queue"] = agent_blocks.queue_answer(queue * 10, ZONE, NOW, words=words)
    kinds["queue, assigned"] = agent_blocks.queue_answer(
        [agent_blocks.QueueRow("T-5", replace(open_, assignee="U0BOB0001"), None, False, False)],
        ZONE,
        NOW,
        words=words,
    )
    kinds["queue, empty"] = agent_blocks.queue_answer([], ZONE, NOW, words=words)
    for form in (
        agent_blocks.AgentIds.REPLY_FORM,
        agent_blocks.AgentIds.RESOLVE_FORM,
        agent_blocks.AgentIds.WAIT_FORM,
    ):
        kinds[f"form {form}"] = agent_blocks.text_form(
            form, 1, "T-1", "C1", public_in="C0GENERAL", saved=("vpn",), words=words
        )
    kinds["told: looking at"] = agent_blocks.looking_at("U0BOB0001", "T-1", words=words)
    kinds["told: looking after"] = agent_blocks.looking_after("U0BOB0001", "T-1", words=words)
    kinds["told: team"] = agent_blocks.with_team("T-1", "IT", words=words)
    kinds["reopen answer"] = [agent_blocks.you_reopened("T-1", a, words=words) for a in ("U0BOB0001", None)]
    from tests import test_weekly_report as r

    report = build_report(r.known_tickets(), lambda _: r.WALL, r.SCHEDULE, date(2026, 11, 30))
    kinds["weekly report"] = report_blocks.report_text(report, "IT Help", ZONE, "IT", words=words)[0]
    tickets = d.known_tickets()
    week = timedelta(days=7)
    moved = trend(tickets, d.clock_for, d.NOW, week)
    now_, before_ = moved.periods[-1], moved.periods[-2]
    kinds["quality"] = quality_blocks.quality_answer(now_, before_, 7, ZONE, moved, team="IT", words=words)
    kinds["quality 30"] = quality_blocks.quality_answer(now_, before_, 30, ZONE, moved, words=words)
    empty = trend([], d.clock_for, d.NOW, week).periods[-1]
    kinds["quality, empty"] = quality_blocks.quality_answer(empty, empty, 7, ZONE, words=words)
    kinds["home, requester"] = home.home_view(home.HomeFacts("IT Help", "T", ZONE, []), words=words)
    kinds.update(_said(words, open_, claimed))
    return kinds


def _said(words: Words, open_: Ticket, claimed: Ticket) -> dict[str, object]:
    """The kinds moved out of flows/ and handlers/: answers, notes, refusals, help, the storm
    card, Details, parked notices, suggested answers and links."""
    w, s = words, said_blocks
    kinds: dict[str, object] = {
        "said: answers": [
            s.claimed("T-1", ALICE, words=w),
            s.now_with("T-1", "U0BOB0001", words=w),
            *(s.resolved("T-1", ALICE, noted, words=w) for noted in (True, False)),
            s.resolved_outside("T-1", "王小明", words=w),
            s.kept_outside("T-1", "王小明", words=w),
            s.already_sent(ALICE, words=w),
            s.sent("T-1", ALICE, words=w),
            s.priority_now("T-1", Priority.P1, words=w),
            s.moved_answer("T-1", "Hardware", None, "C0TRIAGE1", words=w),
            s.moved_answer("T-1", "Payroll", "People", "C0TRIAGE2", words=w),
            s.waiting_answer("T-1", ALICE, words=w),
            s.default_question(w),
            s.an_agent(w),
            s.no_saved_replies(w),
            s.priority_from_list(w),
            *(s.reply_missing(saved, w) for saved in (True, False)),
            s.comment_missing(w),
            s.linked_already("T-2", "T-1", words=w),
            s.started(w),
            s.started_in_dm(w),
            *(s.cancelled(done, w) for done in (True, False)),
            s.nothing_to_cancel(w),
            s.sorry(w),
            s.not_saved("磁盘已满", w),
        ],
        "said: notes and DMs": [
            s.took_yours("U0BOB0001", "T-1", words=w),
            s.handed_on("U0BOB0001", "T-1", "U0CAROL01", words=w),
            s.replied_note("U0BOB0001", "换好了", words=w),
            s.replied_in_thread("U0BOB0001", "换好了", words=w),
            s.agent_replied("T-1", words=w),
            s.requester_added(ALICE, "还是不行", words=w),
            s.requester_added_fallback("T-1", words=w),
            s.answered_back(ALICE, "T-1", "型号是 X1", words=w),
            s.waiting_note("U0BOB0001", "型号是？", words=w),
            s.priority_changed("U0BOB0001", "T-1", Priority.P3, Priority.P1, words=w),
            s.card_moved(
                s.moved_note("U0BOB0001", "T-1", "Hardware", "Payroll", words=w), "People", "C2", words=w
            ),
            s.problem_back(ALICE, "T-1", words=w) + s.back_with("U0BOB0001", words=w) + s.back_with_you(w),
            s.closed_unanswered_note(w.duration(timedelta(days=5)), words=w),
            s.no_text(w),
            s.thread_gone_line(w),
            s.open_in_triage("T-1", w),
            s.from_team("IT", w),
            s.raised_for_you("U0ERIN001", "https://x/1", w),
        ],
        "said: away": [
            *(
                s.away_answer(until, held, words=w)
                for until in (None, "12月11日周五 17:00")
                for held in (0, 1, 3)
            ),
            *(s.back_answer(was, words=w) for was in (True, False)),
        ],
        "help": [
            command_args.help_text(agent=agent, lead=lead, words=w)
            for agent, lead in ((False, False), (True, False), (True, True))
        ],
        "unknown verb": command_args.unknown_verb(
            command_args.route("/desk", "fly"), agent=True, lead=True, words=w
        ),
        "usage": [command_args.usage(verb, None, w) for verb in command_args.VERBS],
    }
    wrong = []
    for text in ("claim", "reassign T-1 bob", "reply T-1", "priority T-1 P9", "move T-1"):
        try:
            command_args.read_agent_command(command_args.route("/desk", text), w)
        except command_args.BadCommand as bad:
            wrong.append(str(bad))
    kinds["bad command"] = wrong
    started = NOW - timedelta(minutes=4)
    storm = Storm("s1", started, NOW, tuple(range(1, 70)))
    groups = [
        Group("Hardware", Priority.P2, (1, 2, 3, 4, 5, 6, 7), 3, 2, 1, 1),
        Group("VPN", Priority.P1, (8,), 0, 0),
    ]
    ref = "T-{}".format
    kinds["storm card"] = storm_blocks.storm_card(storm, groups, ref, ZONE, w)
    kinds["storm card, many groups"] = storm_blocks.storm_card(storm, groups * 30, ref, ZONE, w)
    trail = tuple(
        TrailEntry(NOW, actor, action, detail)
        for actor, action, detail in (
            (ALICE, Action.OPENED, "dm"),
            ("U0ERIN001", Action.OPENED, "reaction"),
            ("desk", Action.ASSIGNED, "U0BOB0001"),
            ("desk", Action.ASSIGNED, ""),
            ("U0BOB0001", Action.CLAIMED, ""),
            ("U0BOB0001", Action.REASSIGNED, "U0BOB0001->U0CAROL01"),
            ("U0BOB0001", Action.REASSIGNED, "->U0CAROL01"),
            ("U0BOB0001", Action.PRIORITY, "P3->P1"),
            ("U0BOB0001", Action.MOVED, "Hardware->Payroll"),
            ("U0BOB0001", Action.REPLIED, "换好了"),
            ("U0BOB0001", Action.NOTE, "内部备注"),
            (ALICE, Action.FOLLOW_UP, "还是不行"),
            ("U0BOB0001", Action.WAITING, "型号是？"),
            ("desk", Action.REMINDED, ""),
            ("U0BOB0001", Action.RESOLVED, "重启即可"),
            (ALICE, Action.REOPENED, ""),
            (ALICE, Action.RATED, "4"),
            (ALICE, Action.RATED, "很好"),
        )
    )
    notices = tuple(
        Notice(Target.RESOLUTION, level, NOW, NOW, NOW, late) for level in Level for late in (False, True)
    )
    whole = replace(claimed, trail=trail * 3, notices=notices, imported_from="zendesk:35436")
    kinds["details"] = details_blocks.details_view(
        whole,
        "T-2",
        [_state(), _state(breached=True)],
        ZONE,
        business=False,
        similar=["• *T-9*: 重启"],
        words=w,
    )
    kinds["details, new"] = details_blocks.details_view(
        open_, "T-1", [_state()], ZONE, business=True, words=w
    )
    kinds["status words"] = [details_blocks.status_word(status, w) for status in Status]
    places = ("C0TRIAGE1", "dm:U0CAROL01", "home:U0CAROL01", "storm:C0TRIAGE1")
    errors = sorted({e for errors in parked_blocks.CAUSES.values() for e in errors} | {"fatal_error"})
    kinds["parked"] = [parked_blocks.why(e, p, "desk", words=w) for e in errors for p in places]
    kinds["parked notices"] = [
        parked_blocks.parked_notice(e, "C0TRIAGE1", "desk", n, w) for e in errors for n in (1, 3)
    ]
    draft = Draft("d1", ALICE, "D1", None, "dm", "打印机卡纸", Stage.SUGGESTED, NOW, NOW)
    draft = replace(
        draft,
        suggested=(
            Suggestion("ticket:9", "T-9", "重启即可"),
            Suggestion("reply:vpn", "vpn", "重新连接"),
            Suggestion("article:vpn.md", "VPN 指南", "第一步"),
            Suggestion("incident:12", "T-12", ""),
        ),
    )
    kinds["suggestions"] = answer_blocks.suggestions(draft, w)
    kinds["answered"] = answer_blocks.answered(draft, w)
    kinds["suggested note"] = answer_blocks.suggested_note(draft.suggested, w)
    kinds["similar"] = [answer_blocks.similar("T-1", found, w) for found in ([], [("T-9", "重启即可", 0.8)])]
    kinds["similar lines"] = answer_blocks.similar_lines([("T-9", "重启即可", 0.8)])
    kinds["deflection"] = [answer_blocks.deflection_line(n, r, w) for n, r in ((1, None), (3, 0.25))]
    kinds["links"] = [
        link_blocks.linked_to("T-2", "T-1", w),
        link_blocks.trail_child("T-1", w),
        link_blocks.trail_parent("T-2", w),
        link_blocks.trail_incident(3, w),
        link_blocks.parent_update("T-2", "T-1", "Bob, IT Help", "换好了", w),
        link_blocks.linked_answer("T-2", "T-1", ALICE, w),
        *(link_blocks.incident_answer(parent, n, w) for parent, n in ((None, 0), ("T-1", 1), ("T-1", 4))),
    ]
    kinds["report title"] = [report_blocks.report_title(date(2026, 11, 30), team, w) for team in ("", "IT")]
    kinds["chart alt"] = report_blocks.chart_alt(report_blocks.report_title(date(2026, 11, 30), "", w), w)
    kinds["refusals"] = [_refusal(reason, w) for reason in _reasons()]
    kinds.update(_approvals(w))
    return kinds


def _approvals(w: Words) -> dict[str, object]:
    """Request types and approvals: the forms, the approver's DM, what the requester and the
    leads are told. The type's name, fields and options are the team's own words (config)."""
    fields = (
        FormField("system", "系统", Kind.SELECT, options=("VPN", "工资")),
        FormField("manager", "你的经理", Kind.PERSON),
        FormField("from", "开始日期", Kind.DATE, required=False),
        FormField("seats", "人数", Kind.NUMBER),
        FormField("why", "原因", Kind.LONG_TEXT),
    )
    kind = RequestType(
        "系统权限",
        "申请访问一个系统",
        fields,
        Priority.P3,
        "Access",
        (Approvers(("U0CAROL01",)), Approvers(field="manager")),
    )
    values = {"system": "VPN", "manager": "U0MIA0001", "seats": "2", "why": "新同事"}
    held = request("r1", kind, ALICE, "Access", "VPN", values, chain_for(kind, ALICE, values), NOW)
    approved = held.decide("U0CAROL01", True, "可以", NOW).decide("U0MIA0001", True, "", NOW)
    denied = held.decide("U0CAROL01", False, "不需要", NOW)
    one_level = replace(held, chain=held.chain[:1])
    plain_kind = replace(kind, fields=(), approval=())
    return {
        "approvals: forms": [
            approval_blocks.chooser([("IT", kind), ("IT", plain_kind)], "C1", w),
            approval_blocks.type_form(0, kind, "C1", words=w),
            approval_blocks.type_form(1, plain_kind, "C1", words=w),
            approval_blocks.form_errors(
                kind, {"seats": "两个", "system": "别的", "manager": "bob", "from": "明天"}, w
            ),
            approval_blocks.form_errors(kind, {}, w),
            *(approval_blocks.decision_form("r1", approve=a, words=w) for a in (True, False)),
        ],
        "approvals: messages": [
            *(
                approval_blocks.approver_request(a, ZONE, reminder=r, words=w)
                for a in (held, one_level)
                for r in (False, True)
            ),
            *(approval_blocks.decided(a, "U0CAROL01", a is approved, ZONE, w) for a in (approved, denied)),
            approval_blocks.decided(held.decide("U0CAROL01", True, "", NOW), "U0CAROL01", True, ZONE, w),
            approval_blocks.waiting(held, w),
            approval_blocks.denied(denied, "U0CAROL01", w),
            approval_blocks.overdue(held, NOW, ZONE, w),
            approval_blocks.home_blocks([held], [held], ZONE, w),
            approval_blocks.summary(kind, values),
            approval_blocks.fields_inline((("系统", "VPN"), ("你的经理", "U0MIA0001"))),
            approval_blocks.person("U0MIA0001"),
            approval_blocks.outcome(approved, "T-7", w),
            approval_blocks.outcome(denied, None, w),
            *(
                approval_blocks.settled(a, "U0CAROL01", a is approved, NOW, ZONE, w)
                for a in (approved, denied)
            ),
            approval_blocks.channel_types(7, [(0, kind), (1, plain_kind)], w),
            approval_blocks.team_waiting_block([held], ZONE, w),
            approval_blocks.queue_block([held], ZONE, w),
            approval_blocks.queue_block([held, one_level], ZONE, w),
            approval_blocks.type_note("系统权限", w),
        ],
        "summaries": [
            summary_blocks.summarise_button(7, w),
            summary_blocks.summary_in_details("T-7", "打印机卡纸，已更换硒鼓。", 3, w),
            summary_blocks.summary_in_details("T-7", None, 3, w),
            summary_blocks.summarising("T-7", w),
            summary_blocks.not_set_up(w),
            summary_blocks.did_not_answer("T-7", w),
            summary_blocks.summary("T-7", "打印机卡纸，已更换硒鼓。", 3, w),
            summary_blocks.drafting("T-7", w),
            summary_blocks.form_missed("T-7", w),
            summary_blocks.draft_note(w),
            summary_blocks.no_draft_note("T-7", w),
        ],
        "approvals: figures": [
            approval_blocks.figures_block(ApprovalFigures(n, p, p, m), w)
            for n, p, m in ((1, timedelta(hours=2), 0), (3, timedelta(days=1, hours=2), 2), (0, None, 1))
        ],
        "approvals: answers": [
            approval_blocks.group_unknown(w),
            approval_blocks.not_found(w),
            approval_blocks.need_reason(w),
            *(approval_blocks.decided_already(ref, w) for ref in ("T-4", None)),
        ],
    }


def _reasons() -> list[str]:
    """Every refusal's reason in the code: the first argument of the error classes and of
    `Phrase` (as the catalogue extracts them)."""
    found = extract_from_dir(
        str(ROOT),
        method_map=[("bot/**.py", "python")],
        keywords=dict.fromkeys(
            ("Phrase", "P", "DeskError", "NotPermitted", "TransitionNotAllowed", "BadReference")
        ),
    )
    return sorted({m[2] for m in found if isinstance(m[2], str)})


def _refusal(reason: str, words: Words) -> str:
    """A refusal rendered as the one error path renders it, its values filled with samples."""
    values = {name: "`x`" for name in re.findall(r"\{(\w+)\}", reason) if name not in ("ref", "person")}
    error = NotPermitted(reason, ticket=1, person=ALICE, **values)
    return error.render("T-{}".format, lambda person: f"<@{person}>", words)


def test_every_converted_message_kind_reads_in_chinese():
    left = {kind: english_left(all_text(found)) for kind, found in _rendered(ZH).items()}
    assert {kind: runs for kind, runs in left.items() if runs} == {}


def test_the_english_renderings_are_the_english_defaults():
    """Passing English words explicitly changes nothing: the catalogue's ids are the sentences."""
    assert _rendered(ENGLISH) == _rendered(Words("en"))
    assert "You have 3 open tickets:" in all_text(_rendered(ENGLISH)["my tickets"])


def test_dates_durations_and_numbers_are_written_each_languages_way():
    assert ZH.day(date(2026, 12, 7)) == "12月7日周一"
    assert ENGLISH.day(date(2026, 12, 7)) == "Mon 7 Dec"
    assert ZH.day(date(2026, 12, 7), year=True) == "2026年12月7日周一"
    assert ZH.duration(timedelta(hours=1, minutes=30)) == "1小时30分钟"
    assert ENGLISH.duration(timedelta(hours=1, minutes=30)) == "1h 30m"
    assert ZH.duration(timedelta(days=3, hours=4)) == "3天4小时"
    assert when.working_hours(timedelta(hours=26), words=ZH) == "26小时"
    assert ZH.number(12345) == "12,345"
    assert when.age(NOW - timedelta(minutes=5), NOW, words=ZH) == "5分钟前"


# -- the language: the desk's, and each person's -----------------------------------------------


def test_slack_locales_map_to_the_desks_languages():
    assert language_of_locale("zh-CN") == "zh-CN"
    assert language_of_locale("en-GB") == "en"
    assert language_of_locale("zh-TW") is None  # Traditional: the desk's language instead
    assert language_of_locale("ja-JP") is None
    assert language_of_locale("") is None


def test_an_unknown_language_is_an_error_naming_the_key(tmp_path):
    data = demo_config()
    data["desk"]["language"] = "fr"
    path = tmp_path / "desk.toml"
    path.write_text(toml_text(data))
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert any(p.startswith("desk.language:") and "zh-CN" in p for p in raised.value.problems)


def test_the_language_defaults_to_english_and_takes_chinese(tmp_path):
    data = demo_config()
    path = tmp_path / "desk.toml"
    path.write_text(toml_text(data))
    assert load_config(path).desk.language == "en"
    data["desk"]["language"] = "zh-CN"
    path.write_text(toml_text(data))
    assert load_config(path).desk.language == "zh-CN"


async def _ask(run, user: str, words: str) -> str:
    dm = run.slack.workspace.im_with(user).id
    before = len(bot_posts(run.slack, dm))
    await run.people.say(user, dm, words)
    await settle(lambda: len(bot_posts(run.slack, dm)) > before)
    return text_of(bot_posts(run.slack, dm)[-1])


async def test_a_person_whose_slack_speaks_chinese_is_answered_in_chinese():
    async with running_desk() as run:
        run.slack.workspace.people[ALICE].locale = "zh-CN"
        answer = await _ask(run, ALICE, "my tickets")
        assert "你没有未关闭的工单" in answer


async def test_on_a_chinese_desk_an_english_speaker_is_answered_in_english():
    async with running_desk(desk={"language": "zh-CN"}) as run:
        answer = await _ask(run, ALICE, "my tickets")  # the local Slack's people speak en-US
        assert "You have no open tickets" in answer
        run.slack.workspace.people["U0ERIN001"].locale = "ja-JP"  # not spoken: the desk's language
        assert "你没有未关闭的工单" in await _ask(run, "U0ERIN001", "my tickets")


def test_blocks_text_is_what_the_harness_reads():
    assert blocks_text([]) == ""


async def test_a_chinese_desk_posts_its_triage_card_in_chinese_and_answers_an_english_requester_in_english():
    async with running_desk(desk={"language": "zh-CN"}) as run:
        _, posted = await raise_ticket(run)
        shown = text_of(posted)
        assert "P2 · 高" in shown and "认领" in all_text(posted.blocks)
        assert english_left(blocks_text(posted.blocks).replace("Laptop won't boot", "")) == []  # hers
        assert "You have 1 open ticket" in await _ask(run, ALICE, "my tickets")


async def test_a_requester_whose_slack_speaks_chinese_raises_a_ticket_in_chinese():
    async with running_desk() as run:
        run.slack.workspace.people[ALICE].locale = "zh-CN"
        dm = run.slack.workspace.im_with(ALICE).id
        await run.people.say(ALICE, dm, "打印机卡纸")
        await settle(lambda: len(bot_posts(run.slack, dm)) > 0)
        prompt = bot_posts(run.slack, dm)[-1]
        assert "这是关于哪个类别的" in text_of(prompt)
        await run.people.press(ALICE, prompt, "Hardware")
        await settle(lambda: "有多紧急" in text_of(prompt))
        await run.people.press(ALICE, prompt, "P2 · 高")
        await settle(lambda: "已创建" in text_of(prompt))
        assert english_left(blocks_text(prompt.blocks)) == []


# -- nothing left out: every sentence, every renderer, no sentence in flows/ or handlers/ -------


def test_every_sentence_in_the_catalogue_reads_in_chinese():
    """Each translation, its placeholders set aside, has no English sentence left in it."""
    chinese = _ids(ROOT / "bot/locale/zh_CN/LC_MESSAGES/desk.po")
    left = {}
    for key, said in chinese.items():
        text = said if isinstance(said, str) else "\n".join(said or ())
        runs = english_left(re.sub(r"\{\w*\}", " ", text))
        if runs:
            left[key] = runs
    assert left == {}


RENDERERS = sorted(
    [ROOT / "bot/slack/card.py", ROOT / "bot/slack/home.py", *(ROOT / "bot/slack").glob("*_blocks.py")]
)
NOT_RENDERERS = {  # public functions of those modules that word nothing: ids, parsers, pieces
    "request_blocks": {"ticket_of_block"},
    "intake_blocks": {"draft_of_block", "select_of", "flat", "option", "quote", "area_options"},
    "digest_blocks": {"digest_id"},
    "notice_blocks": {"notice_id"},
    "parked_blocks": {"cause_of"},
    "agent_blocks": {"visible_to"},
    "card": {"button"},
    "approval_blocks": {"form_state"},
}
NOT_YET: set[str] = set()  # renderers still in English only (none; the test below keeps it honest)


def _public_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_")
    }


def test_every_renderer_is_rendered_in_chinese_by_the_test_above(monkeypatch):
    """A new public function in a renderer module (`bot/slack/*_blocks.py`, the card, the Home)
    fails here until the zh-CN test renders it (or it is named as wording nothing)."""
    called: set[tuple[str, str]] = set()
    modules = [importlib.import_module(f"bot.slack.{path.stem}") for path in RENDERERS]
    for path, module in zip(RENDERERS, modules, strict=True):
        for name in _public_functions(path):
            original = getattr(module, name)

            def recorder(*args, __f=original, __key=(path.stem, name), **kwargs):
                called.add(__key)
                return __f(*args, **kwargs)

            for other in modules:  # where it is defined, and where it was imported by name
                for attr, value in list(vars(other).items()):
                    if value is original:
                        monkeypatch.setattr(other, attr, recorder)
    _rendered(ZH)
    missing = {
        (path.stem, name)
        for path in RENDERERS
        if path.stem not in NOT_YET
        for name in _public_functions(path) - NOT_RENDERERS.get(path.stem, set())
        if (path.stem, name) not in called
    }
    assert missing == set()


def test_the_renderers_not_yet_in_chinese_are_still_english():
    """`NOT_YET` is honest: each module named there has no `words` parameter yet."""
    for stem in NOT_YET:
        assert "words.t(" not in (ROOT / f"bot/slack/{stem}.py").read_text(), (
            f"{stem} is converted: render it above"
        )


# Strings in flows/ and handlers/ that are not sentences for people: logger names, Slack methods,
# outbox ids, operator-only wording (logs and the command line), file names.
NOT_SENTENCES = {
    "no such ticket",  # an outbox error code (parked_blocks.CAUSES)
    " by DM",  # digest.place_words: an operator's listing
    "weekly-report-",  # a file name
}


def _sentences_in(path: Path) -> list[tuple[int, str]]:
    """String literals with two or more English words, outside docstrings, log calls and ids."""
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):  # a docstring
            skip.add(id(first.value))
        logs = ("debug", "info", "warning", "error", "exception", "getLogger")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in logs:
            skip |= {id(n) for arg in node.args[:1] for n in ast.walk(arg)}
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "getLogger":
            skip |= {id(n) for arg in node.args for n in ast.walk(arg)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value
            if text in NOT_SENTENCES or re.fullmatch(r"[\w.:-]*", text):  # ids: `desk.outbox`, `chat.update`
                continue
            if re.search(r"[A-Za-z]{2,}[ ,;!?'’]+[A-Za-z]{2,}", text):
                found.append((node.lineno, text))
    return found


def test_no_sentence_is_written_in_flows_or_handlers():
    """Issue 36: what the desk says is worded in `bot/slack` (renderers that take the reader's
    `Words`), refusals in `bot/slack/refusals.py`; flows and handlers only decide."""
    places = sorted([*(ROOT / "bot/flows").glob("*.py"), *(ROOT / "handlers").glob("*.py")])
    written = {str(p.relative_to(ROOT)): found for p in places if (found := _sentences_in(p))}
    assert written == {}


def test_the_sentence_scan_finds_a_sentence(tmp_path):
    flow = tmp_path / "flow.py"
    flow.write_text('"""Docs are fine."""\nlog.info("logs are fine")\nanswer = f"You claimed {ref}."\n')
    assert _sentences_in(flow) == [(3, "You claimed ")]


class _Directory:
    """Slack's answers about people, as the desk's port asks them: one locale remembered, one
    look-up that never ends (Slack not answering)."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.cancelled = False

    async def locale(self, person: str) -> str:
        self.asked.append(person)
        if person == ALICE:
            return "zh-CN"  # remembered: answered without waiting on anything
        try:
            await asyncio.Event().wait()  # never answered
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return ""


def _desk(directory: _Directory) -> Desk:
    from bot.clock import Clock

    config = parse_config(demo_config())
    return Desk(
        config=config, store=store_from_url("memory://"), slack=None, clock=Clock(), directory=directory
    )  # type: ignore[arg-type]


async def test_a_remembered_language_is_found_without_a_turn_of_the_loop():
    """`Desk.words_for` before a command's ack: a locale the directory remembers is read
    without suspending (no task of its own: `asyncio.wait_for` made one, and the ack waited two
    turns of a busy event loop for it). Anything queued on the loop first has not run after."""
    directory = _Directory()
    turned: list[bool] = []
    asyncio.get_running_loop().call_soon(turned.append, True)
    words = await _desk(directory).words_for(ALICE)
    assert words == ZH and directory.asked == [ALICE]
    assert turned == [], "the loop turned while a remembered language was looked up"


async def test_a_language_slack_never_says_gives_the_desks_words_and_stops_asking(monkeypatch):
    """Slack not answering `users.info`: the answer goes in the desk's language after
    LOCALE_WAIT, and the look-up is cancelled, not left running."""
    import bot.desk

    monkeypatch.setattr(bot.desk, "LOCALE_WAIT", 0.05)
    directory = _Directory()
    words = await _desk(directory).words_for("U0ERIN001")
    assert words.language == "en" and directory.cancelled
