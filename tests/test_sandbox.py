"""The sandbox without a browser: the page's API as the page uses it, the desk behind it, the
fast-forward, the fault switches, and what is kept between runs."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.sandbox.demo import ALICE, BOB, CAROL, ERIN, GENERAL, TRIAGE
from bot.sandbox.run import Sandbox
from tests.harness import settle


async def has_reply(store) -> bool:
    ticket = await store.ticket(1)
    return ticket is not None and any(entry.action.value == "replied" for entry in ticket.trail)


async def assigned_to(store, person: str) -> bool:
    ticket = await store.ticket(1)
    return ticket is not None and ticket.assignee == person


class PageClient:
    """What the page's JavaScript does, over HTTP."""

    def __init__(self, sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
        self.url = sandbox.url
        self.http = http
        assert sandbox.page is not None
        self.headers = {"X-Sandbox-Token": sandbox.page.token}  # as the page sends it

    async def state(self, user: str, channel: str = "", thread: str = "") -> dict:
        query = {"user": user, "channel": channel, "thread": thread}
        async with self.http.get(self.url + "sandbox/state", params=query, headers=self.headers) as response:
            assert response.status == 200
            return await response.json()

    async def post(self, path: str, **body) -> tuple[int, dict]:
        async with self.http.post(self.url + f"sandbox/{path}", json=body, headers=self.headers) as response:
            return response.status, await response.json()

    async def say(self, user: str, channel: str, text: str, thread: str | None = None) -> dict:
        status, answer = await self.post("say", user=user, channel=channel, text=text, thread=thread)
        assert status == 200, answer
        return answer

    async def last_bot_message(self, user: str, channel: str, containing: str) -> dict:
        found: list[dict] = []

        async def look() -> bool:
            messages = (await self.state(user, channel))["messages"]
            found[:] = [m for m in messages if m["is_bot"] and containing in str(m["blocks"]) + m["text"]]
            return bool(found)

        for _ in range(100):
            if await look():
                return found[-1]
            await settle_briefly()
        raise AssertionError(f"no bot message with {containing!r} in {channel}")

    async def click(self, user: str, message: dict, label: str) -> dict:
        for block in message["blocks"]:
            for element in [*block.get("elements", []), block.get("accessory") or {}]:
                if element.get("type") == "button" and label in element["text"]["text"]:
                    status, answer = await self.post(
                        "click",
                        user=user,
                        channel=message["channel"],
                        ts=message["ts"],
                        action_id=element["action_id"],
                        value=element.get("value"),
                    )
                    assert status == 200, answer
                    return answer
        raise AssertionError(f"no {label!r} button")


async def settle_briefly() -> None:
    await asyncio.sleep(0.05)


@pytest.fixture
async def sandbox(tmp_path):
    box = Sandbox(tmp_path / "data")
    await box.start()
    yield box
    await box.stop()


@pytest.fixture
async def page(sandbox):
    async with aiohttp.ClientSession() as http:
        yield PageClient(sandbox, http)


async def raise_ticket(page: PageClient, words: str = "My laptop won't boot") -> None:
    dm = (await page.state(ALICE))["channel"]
    await page.say(ALICE, dm, words)
    # The demo's IT team has request types: the desk asks which first (a laptop that won't boot
    # is none of them).
    await page.click(ALICE, await page.last_bot_message(ALICE, dm, "Something else"), "Something else")
    await page.click(ALICE, await page.last_bot_message(ALICE, dm, "Hardware"), "Hardware")
    await page.click(ALICE, await page.last_bot_message(ALICE, dm, "P2 · High"), "P2 · High")
    await page.last_bot_message(ALICE, dm, "is open")


async def test_the_demo_desk_starts_with_its_cast_and_a_written_config(sandbox, page):
    state = await page.state(ALICE)
    roles = {p["real_name"]: p["role"] for p in state["people"] if p["role"] != "bot"}
    assert roles == {
        "Alice Archer": "employee",
        "Erin Eads": "employee",
        "Bob Baker": "agent",
        "Dave Diaz": "agent",
        "Fran Fisher": "agent",
        "Carol Chen": "lead",
    }
    assert [c["name"] for c in state["conversations"]] == ["IT Help", "it-help", "people-help", "general"]
    bob = await page.state(BOB)
    assert [c["name"] for c in bob["conversations"]] == [
        "IT Help",
        "it-triage",
        "it-help",
        "people-help",
        "general",
    ]
    assert "[[team]]" in (sandbox.folder / "desk.toml").read_text() and sandbox.app.desk.staff.several
    config = (sandbox.folder / "desk.toml").read_text()
    assert 'first_response = "5m"' in config and 'check_every = "15s"' in config
    assert sandbox.app.store.url.endswith("data/desk.json")
    assert 'remind_after = "10m"' in config and "restart = " in config, "waiting and saved replies to try"


async def test_each_role_is_offered_its_commands_and_calls_say_when_and_where(sandbox, page):
    assert set((await page.state(ALICE))["commands"]) == {"/ticket"}
    assert set((await page.state(CAROL))["commands"]) == {"/ticket", "/desk quality", "/desk help"}
    agent = set((await page.state(BOB))["commands"])
    assert {"/desk claim", "/desk wait", "/desk queue", "/desk reply", "/desk away"} <= agent
    assert "/desk quality" not in agent
    await raise_ticket(page)
    await page.last_bot_message(BOB, TRIAGE, "T-1")  # the card goes after the confirmation: wait for it
    traffic = (await page.state(ALICE))["traffic"]
    to_triage = [c for c in traffic if c["method"] == "chat.postMessage" and c["channel"] == "#it-triage"]
    assert to_triage and all(c["at"] > 0 for c in traffic)
    assert any(c["channel"] == "DM with Alice Archer" for c in traffic)


async def test_desk_verbs_typed_in_the_page_arrive_as_slack_sends_them(sandbox, page):
    """`/desk` has `should_escape`: @dave reaches reassign as `<@U…|dave>`; a reply's @bob is
    read back as typed."""
    await raise_ticket(page)
    await page.last_bot_message(BOB, TRIAGE, "T-1")
    await page.say(BOB, TRIAGE, "/desk claim T-1")
    await settle(lambda: assigned_to(sandbox.app.store, BOB))
    await page.say(BOB, TRIAGE, "/desk reassign T-1 @dave")
    await settle(lambda: assigned_to(sandbox.app.store, "U0DAVE001"))
    await page.say("U0DAVE001", TRIAGE, "/desk reply T-1 Ask @bob if it happens again")
    await settle(lambda: has_reply(sandbox.app.store))
    replied = [e for e in (await sandbox.app.store.ticket(1)).trail if e.action.value == "replied"]
    assert replied[-1].detail == "Ask @bob if it happens again"
    assert sandbox.slack.errors() == []


async def test_a_request_becomes_a_ticket_through_signed_requests(sandbox, page):
    await raise_ticket(page, "Printer says <PC LOAD LETTER> & stops")
    ticket = await sandbox.app.store.ticket(1)
    assert ticket.text == "Printer says <PC LOAD LETTER> & stops"  # escaped by "Slack", kept as typed
    card = await page.last_bot_message(BOB, TRIAGE, "T-1")
    assert "&lt;PC LOAD LETTER&gt; &amp; stops" in str(card["blocks"])
    # Every request reached the bot signed; none was refused.
    assert sandbox.slack.errors() == []


async def test_a_modal_shows_errors_then_closes_on_success(sandbox, page):
    await raise_ticket(page)
    card = await page.last_bot_message(BOB, TRIAGE, "Claim")
    await page.click(BOB, card, "Claim")
    card = await page.last_bot_message(BOB, TRIAGE, "Reply")
    await page.click(BOB, card, "Reply")
    modal = None
    for _ in range(100):
        modal = (await page.state(BOB))["modal"]
        if modal:
            break
        await settle_briefly()
    assert modal and modal["view"]["title"]["text"].startswith("Reply")
    block = next(b for b in modal["view"]["blocks"] if b["type"] == "input")
    empty = {block["block_id"]: {block["element"]["action_id"]: ""}}
    status, _ = await page.post("submit", user=BOB, view_id=modal["id"], values=empty)
    assert status == 200
    modal = (await page.state(BOB))["modal"]
    assert modal["errors"] == {block["block_id"]: "Write the reply to send, or pick a saved one."}
    typed = {block["block_id"]: {block["element"]["action_id"]: "Try holding the power button"}}
    await page.post("submit", user=BOB, view_id=modal["id"], values=typed)
    assert (await page.state(BOB))["modal"] is None
    await settle(lambda: has_reply(sandbox.app.store))


async def test_bad_input_gets_a_sentence_and_changes_nothing(sandbox, page):
    dm = (await page.state(ALICE))["channel"]
    cases = [
        ({"user": ALICE, "channel": dm, "text": "/frobnicate now"}, "/frobnicate is not a valid command"),
        (
            {"user": BOB, "channel": TRIAGE, "text": "/away 2h"},
            "/away is Slack's own command: type /desk away",
        ),
        (
            {"user": BOB, "channel": TRIAGE, "text": "/queue"},
            "not one of this app's commands: type /desk queue",
        ),
        ({"user": ALICE, "channel": dm, "text": "x" * 4001}, "up to 4000 characters"),
        ({"user": ALICE, "channel": TRIAGE, "text": "hello"}, "You are not in that conversation."),
        ({"user": ALICE, "channel": dm, "text": "   "}, "Write something first."),
    ]
    for body, words in cases:
        status, answer = await page.post("say", **body)
        assert status == 422 and words in answer["problem"]
    status, answer = await page.post("clock", user=ALICE, advance="soon")
    assert status == 422 and answer["problem"].startswith("Fast-forward by how much?")
    async with page.http.post(page.url + "sandbox/say", data=b"not json", headers=page.headers) as response:
        assert response.status == 400 and (await response.json())["problem"] == "Send a JSON object."
    nobody = {"user": "U0NOBODY1"}
    async with page.http.get(page.url + "sandbox/state", params=nobody, headers=page.headers) as response:
        assert response.status == 400
    assert await sandbox.app.store.ticket_count() == 0
    assert [m for m in (await page.state(ALICE))["messages"] if not m["is_bot"]] == []


async def test_fast_forward_delivers_each_escalation_on_time_in_order(sandbox, page):
    await raise_ticket(page)
    status, _ = await page.post("clock", user=BOB, advance="1h")
    assert status == 200
    ticket = await sandbox.app.store.ticket(1)
    levels = [(n.target.value, n.level.value) for n in ticket.notices]
    assert levels == [
        ("first_response", "at_risk"),
        ("first_response", "breached"),
        ("first_response", "leads"),
        ("resolution", "at_risk"),
        ("resolution", "breached"),
    ]
    assert not any(n.late for n in ticket.notices), "raised as they fell due, not caught up"
    assert not ticket.owed_notices
    leads = await page.last_bot_message(CAROL, "", "needs a lead")
    assert "Sent late" not in str(leads["blocks"])
    state = await page.state(BOB)
    assert state["clock"]["ahead"] == pytest.approx(3600, abs=5)


async def test_fault_switches_change_what_slack_answers(sandbox, page):
    status, answer = await page.post("faults", user=ALICE, down=True, rate_limited=2, delay=0.2)
    assert status == 200 and answer["faults"]["down"] is True
    assert (sandbox.slack.faults.down, sandbox.slack.faults.rate_limited) == (True, 2)
    await page.post("faults", user=ALICE, down=False, rate_limited=0, delay=0)
    assert (await page.state(ALICE))["faults"] == {
        "rate_limited": 0,
        "retry_after": 1,
        "server_errors": 0,
        "down": False,
        "delay": 0.0,
        "lost_answers": 0,
    }


async def test_conversations_and_the_clock_are_kept_between_runs(tmp_path):
    folder = tmp_path / "data"
    first = Sandbox(folder)
    await first.start()
    async with aiohttp.ClientSession() as http:
        page = PageClient(first, http)
        await raise_ticket(page)
        await page.post("clock", user=ALICE, advance="10m")
        before = (await page.state(ALICE))["messages"]
    await first.stop()
    again = Sandbox(folder)
    await again.start()
    try:
        async with aiohttp.ClientSession() as http:
            page = PageClient(again, http)
            state = await page.state(ALICE)
            assert [m["ts"] for m in state["messages"]] == [m["ts"] for m in before]
            assert state["clock"]["ahead"] >= 600
            card = await page.last_bot_message(BOB, TRIAGE, "Claim")
            await page.click(BOB, card, "Claim")  # the card from the first run still updates
            await settle(lambda: assigned_to(again.app.store, BOB))
    finally:
        await again.stop()
    restarted = Sandbox(folder, reset=True)
    await restarted.start()
    try:
        assert await restarted.app.store.ticket_count() == 0
        assert restarted.slack.workspace.im_with(ALICE).messages == []
        assert restarted.slack.workspace.channels[TRIAGE].messages == []
        assert restarted.offset_seconds() == 0
    finally:
        await restarted.stop()


async def test_the_ticket_reaction_from_the_page_opens_a_ticket_for_the_author(sandbox, page):
    await page.say(ALICE, GENERAL, "The lift on floor 3 is stuck")
    [message] = [m for m in (await page.state(ALICE, GENERAL))["messages"] if "lift" in m["text"]]
    status, answer = await page.post("react", user=BOB, channel=GENERAL, ts=message["ts"])
    assert (status, answer) == (200, {"ok": True})
    thread = {}
    for _ in range(100):  # the confirmation is in the message's thread
        thread = (await page.state(ALICE, GENERAL, message["ts"]))["thread"] or {}
        if any("is open" in r["text"] for r in thread.get("replies", [])):
            break
        await settle_briefly()
    assert any("is open" in r["text"] for r in thread.get("replies", []))
    ticket = await sandbox.app.store.ticket(1)
    assert (ticket.requester, ticket.raised_by, ticket.origin.via) == (ALICE, BOB, "reaction")


async def test_the_ticket_reaction_on_a_reply_in_a_thread_opens_a_ticket_there(sandbox, page):
    await page.say(ALICE, GENERAL, "Is the wifi slow for anyone else?")
    [parent] = [m for m in (await page.state(ALICE, GENERAL))["messages"] if "wifi" in m["text"]]
    await page.say(CAROL, GENERAL, "Mine drops every few minutes", thread=parent["ts"])
    thread = (await page.state(CAROL, GENERAL, parent["ts"]))["thread"]
    [reply] = [r for r in thread["replies"] if "drops" in r["text"]]
    status, answer = await page.post("react", user=ALICE, channel=GENERAL, ts=reply["ts"])
    assert (status, answer) == (200, {"ok": True})
    await settle(lambda: ticket_from(sandbox.app.store, CAROL))
    ticket = await sandbox.app.store.ticket(1)
    assert (ticket.requester, ticket.raised_by, ticket.origin.thread) == (CAROL, ALICE, parent["ts"])


async def ticket_from(store, requester: str) -> bool:
    ticket = await store.ticket(1)
    return ticket is not None and ticket.requester == requester


async def test_the_demo_has_request_channels_and_a_second_team_that_assigns_in_turn(sandbox, page):
    from bot.sandbox.demo import DAVE, FRAN, IT_HELP, PEOPLE_HELP, PEOPLE_TRIAGE

    await page.say(ALICE, IT_HELP, "The printer on floor 2 jams")
    asked = next(m for m in (await page.state(ALICE, IT_HELP))["messages"] if "printer" in m["text"])
    for _ in range(100):
        thread = (await page.state(ALICE, IT_HELP, asked["ts"]))["thread"]["replies"]
        if any(m["is_bot"] and "is open" in str(m["blocks"]) for m in thread):
            break
        await settle_briefly()
    else:
        raise AssertionError("no confirmation in the request's thread")
    await page.last_bot_message(BOB, TRIAGE, "printer on floor 2")
    for n in range(2):
        await page.say(ALICE, PEOPLE_HELP, f"Leave question {n}")
    await page.last_bot_message(FRAN, PEOPLE_TRIAGE, "Leave question 1")
    for _ in range(100):
        tickets = [await sandbox.app.store.ticket(n) for n in (2, 3)]
        if all(t is not None and t.assignee for t in tickets):
            break
        await settle_briefly()
    assert [t.assignee for t in tickets] == [FRAN, DAVE]  # People assigns Fran and Dave in turn


def test_the_page_draws_every_emoji_the_desk_writes():
    """Slack draws `:palm_tree:` as 🌴; the page has a table of the ones the desk uses, which
    must keep up with the desk's words (or the page shows the code, as it once did)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    script = (root / "bot" / "sandbox" / "static" / "app.js").read_text()
    table = script[script.index("const EMOJI = {") : script.index("};", script.index("const EMOJI = {"))]
    drawn = set(re.findall(r'"?([a-z0-9_+-]+)"?:\s*"', table))
    written: set[str] = set()
    for source in [*(root / "bot" / "slack").glob("*.py"), *(root / "bot" / "flows").glob("*.py")]:
        written |= set(re.findall(r"(?<![\w{}]):([a-z][a-z0-9_+-]*[a-z0-9]):(?![\w{])", source.read_text()))
    assert written - drawn - {"notice"} == set()  # `t1:notice:...` is an outbox id, not an emoji


async def open_modal(page: PageClient, user: str, callback_id: str) -> dict:
    for _ in range(100):
        modal = (await page.state(user))["modal"]
        if modal and modal["view"].get("callback_id") == callback_id:
            return modal
        await settle_briefly()
    raise AssertionError(f"no {callback_id} modal for {user}")


async def request_access(page: PageClient, reason: str) -> None:
    """Alice asks for VPN access with the sandbox's "Access to a system" form, Erin as manager."""
    dm = (await page.state(ALICE))["channel"]
    await page.say(ALICE, dm, "/ticket")
    chooser = await open_modal(page, ALICE, "request_type_choice")
    await page.post(
        "submit", user=ALICE, view_id=chooser["id"], values={"request_type": {"value": {"value": "0"}}}
    )
    form = await open_modal(page, ALICE, "request_type_form")
    values = {
        "field_system": {"value": {"value": "VPN"}},
        "field_reason": {"value": reason},
        "field_manager": {"value": ERIN},
    }
    status, answer = await page.post("submit", user=ALICE, view_id=form["id"], values=values)
    assert status == 200, answer
    await page.last_bot_message(ALICE, dm, "waiting for approval")


async def test_the_walkthrough_one_request_approved_and_one_denied(sandbox, page):
    await request_access(page, "Month-end close from home")
    carol = (await page.state(CAROL))["channel"]
    await page.click(CAROL, await page.last_bot_message(CAROL, carol, "Approve"), "Approve")
    erin = (await page.state(ERIN))["channel"]
    await page.click(ERIN, await page.last_bot_message(ERIN, erin, "Approve"), "Approve")
    card = await page.last_bot_message(BOB, TRIAGE, "T-1")
    assert "Which system?* VPN" in str(card["blocks"])

    await request_access(page, "Just in case")
    await page.click(CAROL, await page.last_bot_message(CAROL, carol, "Just in case"), "Deny")
    form = await open_modal(page, CAROL, "approval_deny_form")
    await page.post(
        "submit", user=CAROL, view_id=form["id"], values={"reason": {"value": "Only for month-end"}}
    )
    dm = (await page.state(ALICE))["channel"]
    told = await page.last_bot_message(ALICE, dm, "was denied")
    assert "Only for month-end" in str(told["blocks"])
    assert await sandbox.app.store.ticket_count() == 1
    assert sandbox.slack.errors() == []


async def test_the_language_switch_sets_a_persons_slack_language_and_the_desk_speaks_it(page):
    dm = (await page.state(ALICE))["channel"]
    await page.say(ALICE, dm, "help")
    await page.last_bot_message(ALICE, dm, "Tell me what's wrong")
    status, answer = await page.post("language", user=ALICE, language="zh-CN")
    assert status == 200 and answer == {"ok": True, "language": "zh-CN"}
    me = next(p for p in (await page.state(ALICE))["people"] if p["id"] == ALICE)
    assert me["language"] == "zh-CN"
    await page.say(ALICE, dm, "help")
    await page.last_bot_message(ALICE, dm, "发消息告诉我遇到了什么问题")
    status, answer = await page.post("language", user=ALICE, language="fr")
    assert "problem" in answer


async def test_what_is_owed_to_slack_is_shown_while_it_is_down_and_sent_once_it_is_back(
    sandbox, page, monkeypatch
):
    """Finding 13 (issue 41): the page says what the desk still owes Slack, live, and switching
    "Slack is down" off sends it at once (the outbox's back-off and its own asking whether Slack
    is back both held at ten minutes here, so only the switch can be what sent it)."""

    from bot.delivery import outbox
    from tests.test_slack_back import LONG, Long

    sandbox.app.outbox.backoff = Long()
    monkeypatch.setattr(outbox, "PROBE_EVERY", LONG)
    assert (await page.state(ALICE))["owed"] == []
    await page.post("faults", user=ALICE, down=True)
    dm = (await page.state(ALICE))["channel"]
    await page.say(ALICE, dm, "My laptop won't boot")

    async def owed() -> list:
        return (await page.state(ALICE))["owed"]

    await settle(lambda: _tried(owed), timeout=10)
    [item] = await owed()
    assert (item["what"], item["where"]) == ("an intake question", "DM with Alice Archer")
    assert item["state"] == "1 try failed: sent once Slack answers" and not item["parked"]
    assert abs(item["since"] - sandbox.now().timestamp()) < 60, "when, on the desk's clock"
    [entry] = sandbox.app.store.owed_view().values()
    assert entry.next_at > sandbox.now().timestamp() + LONG / 2, "the old way: not tried again for minutes"

    await page.post("faults", user=ALICE, down=False)
    await settle(lambda: _none(owed), timeout=5)
    await page.last_bot_message(ALICE, dm, "Something else")  # the owed question (its type), in her DM


async def _tried(owed) -> bool:
    found = await owed()
    return bool(found) and found[0]["state"].endswith("failed: sent once Slack answers")


async def _none(owed) -> bool:
    return await owed() == []


async def test_the_walkthroughs_export_beside_the_running_sandbox_writes_names(tmp_path):
    """Finding 11 (issue 41), as the walkthrough says to do it: with the sandbox running, its
    `slack.env` lets `python -m bot export` ask the local Slack for names (without it the name
    columns were empty). The file is its owner's alone and goes when the sandbox stops."""
    import csv
    import io
    import os
    import stat
    import sys

    from bot.sandbox.run import SLACK_ENV
    from tests.harness import ROOT

    box = Sandbox(tmp_path / "data")
    await box.start()
    try:
        async with aiohttp.ClientSession() as http:
            await raise_ticket(PageClient(box, http))
        env_file = box.folder / SLACK_ENV
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
        variables = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        assert set(variables) == {"SLACK_BOT_TOKEN", "SLACK_API_URL"}
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "export",
            "--format",
            "csv",
            cwd=ROOT,
            env={**os.environ, **variables, "DESK_CONFIG": str(box.folder / "desk.toml")},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(child.communicate(), timeout=60)
        assert child.returncode == 0, err.decode()
        [row] = list(csv.DictReader(io.StringIO(out.decode())))
        assert (row["requester"], row["requester_name"]) == (ALICE, "Alice Archer")
        assert "Slack id alone" not in err.decode()
    finally:
        await box.stop()
    assert not env_file.exists()
