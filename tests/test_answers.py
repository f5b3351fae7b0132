"""Answers before tickets (issue 39): the knowledge base, its ranking, suggested answers at
intake end to end through the local Slack, and agents' similar tickets."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.deflection import deflection_rate
from bot.domain.intake import INTAKE, Chose, Context, Draft, Say, Stage, Suggestion
from bot.domain.priority import Priority
from bot.domain.ticket import Action, Origin, open_ticket
from bot.knowledge.base import KnowledgeBase, learn_at_start, ticket_entry
from bot.knowledge.index import Entry, Index
from bot.knowledge.tokens import tokens
from config import ConfigError, parse_config
from store import store_from_url
from store.codec import draft_from_doc, draft_to_doc
from store.names import ANSWERED
from tests.factories import T0
from tests.harness import (
    ALICE,
    BOB,
    CAROL,
    ERIN,
    TRIAGE,
    ack_text,
    bot_posts,
    raise_ticket,
    running_desk,
    settle,
    start_request,
    text_of,
    ticket_where,
)

VPN = "My VPN keeps disconnecting when I work from home"
FIX = "Updated GlobalProtect to 6.2 and switched the portal to vpn2.corp; the tunnel stays up now."
ON = {"answers": {"enabled": True}}


# -- the words ----------------------------------------------------------------------------------
def test_chinese_is_segmented_into_words_not_characters_or_one_run():
    assert tokens("我的VPN连接老是断开，密码重置以后也登录不了") == [
        "vpn",
        "连接",
        "断开",
        "密码",
        "重置",
        "以后",
        "登录",
        "不了",
    ]
    assert {"打印", "打印机", "卡纸"} <= set(tokens("打印机卡纸了，怎么办？"))  # search mode: the parts too


def test_english_words_are_lightly_normalised():
    assert tokens("Passwords expired, printing stopped!") == ["password", "expir", "print", "stop"]
    assert tokens("The password expires") == ["password", "expir"]
    assert tokens("") == [] and tokens("the and of 的 了") == []


# -- the ranking --------------------------------------------------------------------------------
def _entry(n: int, text: str) -> Entry:
    return Entry(f"ticket:{n}", "ticket", f"T-{n}", text, text, ticket=n)


def test_the_closest_entry_ranks_first_and_confidence_is_between_0_and_1():
    index = Index()
    index.add_all(
        [
            _entry(1, "VPN disconnects every ten minutes at home. Updated GlobalProtect."),
            _entry(2, "Printer on floor 3 jams. Removed the torn paper."),
            _entry(3, "打印机卡纸，取出碎纸后正常"),
        ]
    )
    [best, *_] = index.search("my vpn keeps disconnecting")
    assert best.entry.id == "ticket:1" and 0.4 < best.confidence <= 1.0
    assert index.search("三楼打印机又卡纸了")[0].entry.id == "ticket:3"
    assert index.search("coffee machine leaking") == []  # no shared word: nothing at all
    weak = index.search("my printer at home has a coffee stain")
    assert weak and weak[0].confidence < 0.4  # one common word shared of several: low confidence


def test_entries_are_added_replaced_and_removed_one_at_a_time():
    index = Index()
    index.add(_entry(1, "VPN disconnects"))
    index.add(_entry(2, "Outlook calendar not syncing"))
    assert index.search("calendar")[0].entry.id == "ticket:2"
    index.add(_entry(2, "Excel crashes"))  # replaced: its old words are gone
    assert index.search("calendar") == []
    index.remove("ticket:1")
    assert index.search("vpn") == [] and len(index) == 1
    assert [h.entry.id for h in index.search("excel crash", 3, allow=frozenset({"reply"}))] == []


def test_saved_replies_and_articles_are_in_the_knowledge_base(tmp_path):
    (tmp_path / "vpn.md").write_text("# VPN keeps dropping\n\nUse the vpn2 portal.\n", encoding="utf-8")
    (tmp_path / "broken.md").write_bytes(b"\xff\xfe not utf-8")
    kb = KnowledgeBase(
        lambda n: f"T-{n}",
        {"mfa": "Hi {requester}, for {ref}: re-register at aka.ms/mfasetup"},
        str(tmp_path),
    )
    assert {e.id for e in kb.index.entries.values()} == {"reply:mfa", "article:vpn.md"}
    assert kb.index.entries["article:vpn.md"].title == "VPN keeps dropping"
    assert kb.suggest("the vpn keeps dropping", 0.4)[0].entry.id == "article:vpn.md"
    [mfa] = kb.suggest("how do I re-register for MFA?", 0.4)
    assert mfa.entry.id == "reply:mfa" and mfa.entry.answer.startswith(
        "Hi there, for your request: re-register"
    )


# -- the conversation's rule (pure) -----------------------------------------------------------------
FOUND = (Suggestion("ticket:1", "T-1", FIX),)


def _urgency_chosen(urgency: str, found: tuple[Suggestion, ...] = FOUND):
    draft = Draft("d1", ERIN, "D0ERIN001", None, "dm", VPN, Stage.URGENCY, T0, T0, category="Hardware")
    turn = INTAKE.handle(draft, Chose(Stage.URGENCY, urgency), Context(T0, ("Hardware",), found))
    assert turn is not None
    return turn


@pytest.mark.parametrize(
    ("urgency", "found", "stage", "say"),
    [
        ("P3", FOUND, Stage.SUGGESTED, Say.SUGGEST),
        ("P2", FOUND, Stage.SUGGESTED, Say.SUGGEST),
        ("P1", FOUND, Stage.OPENED, Say.OPEN_TICKET),  # never for P1
        ("P3", (), Stage.OPENED, Say.OPEN_TICKET),  # nothing found
    ],
)
def test_answers_are_shown_only_when_found_and_not_for_p1(urgency, found, stage, say):
    turn = _urgency_chosen(urgency, found)
    assert (turn.draft.stage, turn.say) == (stage, say)


@pytest.mark.parametrize(
    ("value", "stage", "say", "solved_by"),
    [
        ("solved:ticket:1", Stage.ANSWERED, Say.ANSWERED, "ticket:1"),
        ("help", Stage.OPENED, Say.OPEN_TICKET, None),
        ("solved:ticket:99", Stage.SUGGESTED, Say.NOT_A_CHOICE, None),  # not one it was shown
    ],
)
def test_solved_ends_without_a_ticket_and_still_need_help_opens_it(value, stage, say, solved_by):
    shown = _urgency_chosen("P3").draft
    turn = INTAKE.handle(shown, Chose(Stage.SUGGESTED, value), Context(T0, ("Hardware",)))
    assert turn is not None
    assert (turn.draft.stage, turn.say, turn.draft.solved_by) == (stage, say, solved_by)
    assert draft_from_doc(draft_to_doc(turn.draft)) == turn.draft  # kept whole in the store


# -- suggestions at intake, end to end -----------------------------------------------------------
OTHERS = [  # resolved before: a knowledge base of a few tickets, as a young desk has
    ("The printer on floor 3 says paper jam", "Removed a torn scrap behind the fuser."),
    ("Outlook calendar on my phone stopped syncing", "Re-added the Exchange account on the phone."),
    ("Excel crashes when opening big spreadsheets", "Disabled the Bloomberg add-in."),
    ("Forgot my Windows password, locked out", "Reset the AD password; change it at next sign-in."),
]


async def _resolved_vpn_ticket(run) -> None:
    """T-1, Alice's VPN trouble, resolved by Bob with the fix: the knowledge base learns it
    (as it learns T-2..T-5, resolved on other subjects)."""
    await raise_ticket(run, VPN)
    await run.people.command(BOB, "/desk", f"resolve T-1 {FIX}", channel=TRIAGE)
    await settle(lambda: ticket_where(run, 1, lambda t: t.resolved_at is not None))
    await settle(lambda: "ticket:1" in run.desk.desk.knowledge.index.entries)
    now = run.clock.now()
    async with run.desk.store.transaction() as tx:
        for text, fix in OTHERS:
            number = tx.new_ticket_number()
            ticket = open_ticket(number, ALICE, text, "Software", Priority.P3, Origin(ALICE), now)
            tx.save_ticket(ticket.resolve(BOB, fix, now))
    assert len(run.desk.desk.knowledge.index) == 1 + len(OTHERS)


async def _ask(run, words: str, urgency: str = "P3 · Normal"):
    """Erin describes a problem and answers the questions; returns the question's message."""
    prompt = await start_request(run, words, user=ERIN)
    await run.people.press(ERIN, prompt, "Hardware")
    await settle(lambda: "How urgent" in text_of(prompt))
    await run.people.press(ERIN, prompt, urgency)
    await settle(lambda: "How urgent" not in text_of(prompt))
    return prompt


async def test_a_suggested_answer_that_solves_it_opens_no_ticket():
    async with running_desk(**ON) as run:
        await _resolved_vpn_ticket(run)
        prompt = await _ask(run, "the vpn keeps disconnecting at home since this morning")
        shown = text_of(prompt)
        assert "Before I open a ticket" in shown and "GlobalProtect to 6.2" in shown
        assert "This solved it" in shown and "I still need help" in shown
        await run.people.press(ERIN, prompt, "This solved it")
        await settle(lambda: "Glad that solved it" in text_of(prompt))
        await run.idle()
        assert await run.desk.store.ticket_count() == 5  # no new one
        [answered] = (await run.desk.store.records(ANSWERED)).values()
        assert answered["person"] == ERIN and answered["by"] == "ticket:1"
        cards = [m for m in bot_posts(run.slack, TRIAGE) if "vpn keeps disconnecting at home" in text_of(m)]
        assert not cards
        await run.advance(timedelta(minutes=5))  # the period reported ends now: step past the moment
        await run.people.command(CAROL, "/desk", "quality", channel=TRIAGE)  # counted: deflection
        await run.idle()
        [quality] = [m for m in bot_posts(run.slack, TRIAGE, to=CAROL) if m.ephemeral_to == CAROL]
        # 1 answered without a ticket, and T-1..T-5 opened: 1 in 6
        assert "Answered without a ticket: *1* request (17% of requests)" in text_of(quality)


async def test_still_needing_help_opens_the_ticket_with_the_suggestions_in_its_trail():
    async with running_desk(**ON) as run:
        await _resolved_vpn_ticket(run)
        prompt = await _ask(run, "VPN disconnecting at home again")
        assert "Before I open a ticket" in text_of(prompt)
        await run.people.press(ERIN, prompt, "I still need help")
        await settle(lambda: "*T-6* is open" in text_of(prompt))
        ticket = await run.desk.store.ticket(6)
        assert ticket is not None and ticket.requester == ERIN and ticket.priority.value == "P3"
        [note] = [e for e in ticket.trail if e.action is Action.NOTE]
        assert "Suggested before the ticket opened" in note.detail and "T-1" in note.detail
        assert not await run.desk.store.records(ANSWERED)


async def test_no_suggestions_for_p1():
    async with running_desk(**ON) as run:
        await _resolved_vpn_ticket(run)
        prompt = await _ask(run, "the vpn keeps disconnecting at home", urgency="P1 · Critical")
        await settle(lambda: "*T-6* is open" in text_of(prompt))
        assert "Before I open a ticket" not in text_of(prompt)
        ticket = await run.desk.store.ticket(6)
        assert ticket is not None and not [e for e in ticket.trail if e.action is Action.NOTE]


async def test_suggestions_are_off_for_a_team_that_says_so_and_off_by_default():
    off = {"answers": {"enabled": True, "off_for_teams": ["IT Help"]}}
    for config in (off, {}):
        async with running_desk(**config) as run:
            await _resolved_vpn_ticket(run)
            prompt = await _ask(run, "the vpn keeps disconnecting at home")
            await settle(lambda prompt=prompt: "*T-6* is open" in text_of(prompt))
            assert "Before I open a ticket" not in text_of(prompt)


async def test_nothing_is_suggested_when_nothing_is_close():
    async with running_desk(**ON) as run:
        await _resolved_vpn_ticket(run)
        prompt = await _ask(run, "The coffee machine on floor 2 is leaking water")
        await settle(lambda: "*T-6* is open" in text_of(prompt))


async def test_a_reopened_ticket_leaves_the_knowledge_base():
    async with running_desk(**ON) as run:
        await _resolved_vpn_ticket(run)
        await run.desk.store.update_ticket(1, lambda t: t.reopen(ALICE, run.clock.now()))
        assert "ticket:1" not in run.desk.desk.knowledge.index.entries


# -- similar tickets, for agents ---------------------------------------------------------------------
async def test_desk_similar_lists_the_closest_resolved_tickets_and_details_shows_them():
    async with running_desk() as run:
        await _resolved_vpn_ticket(run)
        prompt = await _ask(run, "GlobalProtect VPN disconnects at home every few minutes")
        await settle(lambda: "*T-6* is open" in text_of(prompt))
        await settle(lambda: ticket_where(run, 6, lambda t: t.card))
        ack = await run.people.command(BOB, "/desk", "similar T-6", channel=TRIAGE)
        assert ack.status == 200

        def private() -> list:
            return [m for m in bot_posts(run.slack, TRIAGE, to=BOB) if "closest to T-6" in text_of(m)]

        await settle(private)
        [answer] = private()
        assert "*T-1*" in text_of(answer) and "GlobalProtect to 6.2" in text_of(answer)
        refused = await run.people.command(ERIN, "/desk", "similar T-6", channel=TRIAGE)
        assert "agents" in ack_text(refused)
        usage = await run.people.command(BOB, "/desk", "similar", channel=TRIAGE)
        assert "Usage: `/desk similar T-4`" in ack_text(usage)
        bad = await run.people.command(BOB, "/desk", "similar banana", channel=TRIAGE)
        assert ack_text(bad) and "Traceback" not in ack_text(bad)
        card = next(m for m in bot_posts(run.slack, TRIAGE) if "*T-6*" in text_of(m) and not m.ephemeral_to)
        await run.people.press(BOB, card, "Details")
        await settle(lambda: run.slack.workspace.views)
        [view] = run.slack.workspace.views.values()
        shown = json.dumps(view.view)
        assert "Similar resolved tickets" in shown and "T-1" in shown


async def test_the_knowledge_base_is_built_from_the_store_at_start(tmp_path):
    url = f"tinydb://{tmp_path / 'desk.json'}"
    async with running_desk(url, **ON) as run:
        await _resolved_vpn_ticket(run)
    async with running_desk(url, **ON) as run:  # a new process: learnt again from the store
        assert {f"ticket:{n}" for n in range(1, 6)} <= set(run.desk.desk.knowledge.index.entries)
        prompt = await _ask(run, "the vpn keeps disconnecting at home")
        assert "GlobalProtect to 6.2" in text_of(prompt)


class _HeldWindow:
    """A memory store whose `window_tickets` waits until the test lets it answer: the knowledge
    base is then caught learning, as a desk's is in the seconds after its start."""

    def __init__(self, store) -> None:
        self.store = store
        self.asked = asyncio.Event()
        self.answer = asyncio.Event()

    async def window_tickets(self):
        self.asked.set()
        await self.answer.wait()
        return await self.store.window_tickets()

    def __getattr__(self, name):
        return getattr(self.store, name)


async def _store_of(tickets):
    store = store_from_url("memory://")
    await store.open()
    async with store.transaction() as tx:
        for ticket in tickets:
            tx.save_ticket(ticket)
    return store


def _resolved(number: int, text: str, fix: str):
    return open_ticket(number, ALICE, text, "Software", Priority.P3, Origin(ALICE), T0).resolve(BOB, fix, T0)


async def test_while_it_learns_the_base_offers_nothing_and_similar_waits_for_it():
    """Learning the store's tickets runs beside a started desk (issue 37). Until it is done,
    suggestions and the Details modal's similar tickets are none (never a half-learnt answer),
    `learnt()` waits; a ticket written meanwhile counts as written, not as it was read."""
    others = [_resolved(n, f"Request {n} about printers", "Replaced the toner.") for n in range(3, 200)]
    store = await _store_of(
        [_resolved(1, VPN, FIX), _resolved(2, "Excel crashes on big files", "Disabled the add-in."), *others]
    )
    kb = KnowledgeBase(str, {}, None, "lexical")
    store.observe(kb.observe)
    held = _HeldWindow(store)
    learning = asyncio.ensure_future(learn_at_start(kb, held, slice_seconds=0))
    await held.asked.wait()
    assert not kb.ready
    assert kb.suggest("the vpn keeps disconnecting", 0.4) == []
    assert kb.similar(_resolved(9, VPN, "")) == []
    waiting = asyncio.ensure_future(kb.learnt())
    async with store.transaction() as tx:  # T-2 reopens while the base learns: it must not come back
        tx.save_ticket((await store.ticket(2)).reopen(ALICE, T0 + timedelta(hours=1)))
    await asyncio.sleep(0)
    assert not waiting.done()
    held.answer.set()
    await waiting
    await learning
    assert kb.ready
    assert kb.suggest("the vpn keeps disconnecting", 0.4)[0].entry.id == "ticket:1"
    assert "ticket:2" not in kb.index.entries  # read resolved, written reopened: the write wins
    assert len(kb.index) == 1 + len(others)
    await store.close()


async def test_learning_gives_the_event_loop_its_turn_between_slices():
    store = await _store_of(
        [_resolved(n, f"Request {n}: the vpn drops", "Restarted it.") for n in range(1, 300)]
    )
    kb = KnowledgeBase(str, {}, None, "lexical")
    turns = 0

    async def other_work():
        nonlocal turns
        while not kb.ready or turns == 0:
            turns += 1
            await asyncio.sleep(0)

    learning = asyncio.ensure_future(learn_at_start(kb, store, slice_seconds=0))
    await asyncio.gather(learning, other_work())
    assert len(kb.index) == 299
    assert turns >= 299 // 32  # at least once per batch of tickets (`BATCH`)
    await store.close()


async def test_desk_similar_asked_while_the_base_learns_answers_once_it_has_learnt():
    async with running_desk() as run:
        await _resolved_vpn_ticket(run)
        async with run.desk.store.transaction() as tx:
            number = tx.new_ticket_number()
            text = "GlobalProtect VPN disconnects at home every few minutes"
            tx.save_ticket(
                open_ticket(number, ERIN, text, "Software", Priority.P3, Origin(ERIN), run.clock.now())
            )
        kb = run.desk.desk.knowledge
        kb.begin_learning()  # as just after a start
        ack = await run.people.command(BOB, "/desk", f"similar T-{number}", channel=TRIAGE)
        assert ack.status == 200 and not kb.ready

        def answered() -> list:
            return [m for m in bot_posts(run.slack, TRIAGE, to=BOB) if f"T-{number}" in text_of(m)]

        kb.end_learning()
        await settle(answered)
        [answer] = answered()
        assert f"closest to T-{number}" in text_of(answer) and "*T-1*" in text_of(answer)


async def test_a_desk_reports_its_knowledge_base_learning_and_then_ready():
    async with running_desk(**ON) as run:  # (the harness starts once it is learnt)
        assert run.desk.health()["knowledge"] == "ready"
        run.desk.desk.knowledge.begin_learning()
        health = run.desk.health()
        assert health["knowledge"] == "learning" and health["ok"]  # it serves meanwhile
        run.desk.desk.knowledge.end_learning()


@pytest.mark.parametrize(
    ("answered", "opened", "rate"), [(0, 0, None), (1, 3, 0.25), (2, 0, 1.0), (0, 5, 0.0)]
)
def test_deflection_is_the_share_of_requests_answered_without_a_ticket(answered, opened, rate):
    assert deflection_rate(answered, opened) == rate


def test_a_tickets_answer_is_its_resolution_else_its_last_reply_naming_nobody():
    ticket = open_ticket(7, ALICE, "VPN drops", "Software", Priority.P3, Origin(ALICE), T0)
    assert ticket_entry(ticket, "T-7") is None  # open: not an answer yet
    replied = ticket.reply(BOB, "Hi <@U0ALICE01>, update GlobalProtect", T0).reply(
        BOB, "Use vpn2, <@U0ALICE01>", T0
    )
    entry = ticket_entry(replied.resolve(BOB, "", T0), "T-7")
    assert entry is not None and entry.answer == "Use vpn2,"
    noted = ticket_entry(replied.resolve(BOB, "Updated GlobalProtect for <@U0ALICE01>", T0), "T-7")
    assert noted is not None and noted.answer == "Updated GlobalProtect for"
    assert ticket_entry(ticket.resolve(BOB, "", T0), "T-7") is None  # resolved without words


# -- the embedding path (the `.[assist]` extra) and the fallback without it --------------------------
PARAPHRASE = "the remote network connection drops out all the time"  # no word in common with T-1..T-5
LOW = {"enabled": True, "threshold": 0.12}  # what a paraphrase sharing no word scores (see below)


def test_a_paraphrase_sharing_no_word_is_found_by_embeddings_and_not_by_words():
    pytest.importorskip("wordllama")
    entries = [_entry(1, f"{VPN}\n{FIX}")] + [
        _entry(n, f"{text}\n{fix}") for n, (text, fix) in enumerate(OTHERS, start=2)
    ]
    assert not set(tokens(PARAPHRASE)) & {w for e in entries for w in tokens(e.text)}
    for retrieval in ("hybrid", "embeddings"):
        kb = KnowledgeBase(str, {}, None, retrieval)
        kb.index.add_all(entries)
        assert kb.index.search(PARAPHRASE)[0].entry.id == "ticket:1", retrieval
        assert kb.index.search("忘记了 Windows 的密码")[0].entry.id == "ticket:5", retrieval  # Chinese too
    words = KnowledgeBase(str, {}, None, "lexical")
    words.index.add_all(entries)
    assert words.index.search(PARAPHRASE) == []


def test_the_vector_index_follows_entries_added_replaced_and_removed():
    pytest.importorskip("wordllama")
    from bot.knowledge.vectors import EmbeddedIndex

    index = EmbeddedIndex("embeddings")
    index.add(_entry(1, "VPN disconnects every ten minutes at home"))
    index.add(_entry(2, "Outlook calendar not syncing on my phone"))
    assert index.search("my agenda on the mobile is out of date")[0].entry.id == "ticket:2"
    index.add(_entry(2, "Excel crashes when opening big spreadsheets"))  # replaced: its old vector gone
    assert index.search("spreadsheet program keeps crashing")[0].entry.id == "ticket:2"
    index.remove("ticket:1")
    assert {h.entry.id for h in index.search("VPN disconnects every ten minutes at home", 5)} <= {"ticket:2"}
    for n in range(3, 40):  # the mean it centres on is taken again as it grows: found all the same
        index.add(_entry(n, f"request number {n} about the badge reader at door {n}"))
    assert index.search("spreadsheet program keeps crashing")[0].entry.id == "ticket:2"
    assert len(index) == 38 and all(0.0 <= h.confidence <= 1.0 for h in index.search("badge reader", 5))


async def test_with_the_extra_a_paraphrase_is_suggested_at_intake():
    pytest.importorskip("wordllama")
    async with running_desk(answers={**LOW, "retrieval": "hybrid"}) as run:
        await _resolved_vpn_ticket(run)
        assert run.desk.desk.knowledge.retrieval == "hybrid"
        prompt = await _ask(run, PARAPHRASE)
        await settle(lambda: "Before I open a ticket" in text_of(prompt))
        shown = text_of(prompt)
        assert "GlobalProtect to 6.2" in shown
        assert shown.index("GlobalProtect to 6.2") < min(
            (shown.index(fix) for _, fix in OTHERS if fix in shown), default=len(shown)
        )  # the first suggestion


async def test_lexical_retrieval_needs_no_model_and_misses_a_paraphrase():
    """The desk without the extra: `retrieval = "lexical"` (what "auto" takes when `wordllama`
    is not installed) ranks by words alone and still suggests what shares them."""
    async with running_desk(answers={**LOW, "retrieval": "lexical"}) as run:
        await _resolved_vpn_ticket(run)
        assert run.desk.desk.knowledge.retrieval == "lexical"
        assert type(run.desk.desk.knowledge.index) is Index  # no vectors
        prompt = await _ask(run, PARAPHRASE)
        await settle(lambda: "*T-6* is open" in text_of(prompt))
        assert "Before I open a ticket" not in text_of(prompt)
        again = await _ask(run, "the vpn keeps disconnecting at home")
        await settle(lambda: "GlobalProtect to 6.2" in text_of(again))


def test_retrieval_is_checked_in_the_config():
    example = tomllib.loads(
        (Path(__file__).resolve().parent.parent / "config" / "desk.example.toml").read_text()
    )

    def read(value: str) -> tuple[str, list[str]]:
        try:
            return parse_config({**example, "answers": {"retrieval": value}}).answers.retrieval, []
        except ConfigError as problem:
            return "", problem.problems

    assert read("lexical") == ("lexical", []) and read("auto") == ("auto", [])
    assert any("expected one of auto, lexical, hybrid, embeddings" in p for p in read("semantic")[1])
    if importlib.util.find_spec("wordllama") is None:  # without the extra, asking for it is an error
        assert any('needs the assist extra: pip install ".[assist]"' in p for p in read("hybrid")[1])
    else:
        assert read("hybrid") == ("hybrid", [])


def test_the_model_loads_from_the_installed_package_without_the_network(monkeypatch, tmp_path):
    """No download at run time: WordLlama's weights and tokenizer come from its wheel. Every
    socket refuses to connect and the home folder (its cache) is empty while the model loads."""
    pytest.importorskip("wordllama")
    import socket

    from bot.knowledge import vectors

    def refused(*args, **kwargs):
        raise AssertionError(f"a network call: {args}")

    monkeypatch.setattr(socket.socket, "connect", refused)
    monkeypatch.setattr(socket, "create_connection", refused)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    vectors.model.cache_clear()
    try:
        found = vectors.embed(["VPN disconnects", "打印机卡纸"])
    finally:
        vectors.model.cache_clear()
    assert found.shape == (2, vectors.DIM) and (found != 0).any(axis=1).all()
    assert not list(tmp_path.iterdir())  # nothing cached (or fetched) into the home folder


async def test_the_vectors_are_kept_beside_the_store_and_read_at_the_next_start(tmp_path):
    pytest.importorskip("wordllama")
    url = f"tinydb://{tmp_path / 'desk.json'}"
    saved = tmp_path / "desk.json.vectors.npz"
    config = {"answers": {**LOW, "retrieval": "hybrid"}}
    async with running_desk(url, **config) as run:
        assert not saved.exists()  # nothing to keep yet (no ticket resolved, no reply or article)
        await _resolved_vpn_ticket(run)
    assert saved.exists()  # written as the desk stopped: T-1..T-5 and the saved replies
    async with running_desk(url, **config) as run:  # a new process: nothing embedded again
        index = run.desk.desk.knowledge.index
        assert {f"ticket:{n}" for n in range(1, 6)} <= set(index.entries) and index.embedded == 0
        prompt = await _ask(run, PARAPHRASE)
        await settle(lambda: "GlobalProtect to 6.2" in text_of(prompt))
    saved.write_bytes(b"not a numpy file")  # damaged (or another model's): embedded again, no harm
    async with running_desk(url, **config) as run:
        index = run.desk.desk.knowledge.index
        assert index.embedded == len(index) and "ticket:1" in index.entries


def test_auto_takes_the_blend_with_the_extra_and_words_alone_without():
    """`.ci/run` runs this file without the extra, then again with it: both branches are taken."""
    kb = KnowledgeBase(str, {"vpn": "Use the vpn2 portal."}, None, "auto")
    if importlib.util.find_spec("wordllama") is None:
        assert kb.retrieval == "lexical" and type(kb.index) is Index
    else:
        assert kb.retrieval == "hybrid" and type(kb.index) is not Index
    assert kb.suggest("which vpn portal should I use", 0.4)[0].entry.id == "reply:vpn"


def test_a_ticket_learnt_while_the_vectors_are_written_is_kept_and_not_lost(tmp_path):
    """The vectors are written on a thread while the event loop goes on learning (`learn_at_start`):
    what the writer holds is taken before, so a ticket learnt meanwhile neither breaks the
    writing nor is lost to it (the writer once let go of the start's vectors under an `add_all`
    reading them, and the resolved ticket was not learnt)."""
    pytest.importorskip("wordllama")
    from bot.knowledge.vectors import EmbeddedIndex, _read

    saved = tmp_path / "desk.json.vectors.npz"
    index = EmbeddedIndex("embeddings", saved)
    index.add_all([_entry(n, f"request number {n} about the badge reader at door {n}") for n in range(1, 6)])
    index.save()
    again = EmbeddedIndex("embeddings", saved)  # a new start: the five read back, one more to embed
    again.add_all([_entry(n, f"request number {n} about the badge reader at door {n}") for n in range(1, 7)])
    assert again.embedded == 1
    write = again.snapshot()
    assert write is not None
    again.add(_entry(7, "Outlook calendar not syncing on my phone"))  # learnt before the thread writes
    write()
    found = again.search("my agenda on the mobile is out of date")
    assert "ticket:7" in again.entries and found[0].entry.id == "ticket:7"
    assert len(_read(saved)) == 6  # what the snapshot held; T-7's vector goes with the next save
    again.save()
    assert len(_read(saved)) == 7
