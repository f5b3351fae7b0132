"""The desk in Simplified Chinese: the catalogue is complete and current, every converted message
kind renders without an English sentence left, `desk.language` is checked, and each person's
own Slack locale decides what is said to them alone.

An English desk saying exactly what it said before is proven by the rest of the suite, which
is unchanged and reads the English sentences word for word.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.domain.digest import build_digest
from bot.domain.intake import Draft, Stage
from bot.domain.notices import TRIAGE, Level, Notice
from bot.domain.policy import Target
from bot.domain.priority import Priority
from bot.domain.report import build_report
from bot.domain.sla import TargetState
from bot.domain.ticket import Rating, Status
from bot.domain.trend import trend
from bot.i18n import ENGLISH, Words, language_of_locale, words_for
from bot.slack import (
    agent_blocks,
    card,
    digest_blocks,
    home,
    intake_blocks,
    notice_blocks,
    quality_blocks,
    rating_blocks,
    report_blocks,
    request_blocks,
    status_blocks,
    when,
)
from config.settings import ConfigError, load_config
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
    return kinds


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
