"""What a newcomer reads in their first hour (issue 41): words, plurals and charts as Slack
shows them. Pure builders, compared as text."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain.trend import sparkline
from bot.slack.details_blocks import details_view, trail_words
from bot.slack.quality_blocks import ratings_lines
from tests.factories import T0, make_ticket, minutes

BERLIN = ZoneInfo("Europe/Berlin")
DAVE = "U0DAVE001"


def test_the_ratings_are_drawn_alike_for_every_score_given_or_not():
    assert ratings_lines({5: 4, 4: 2, 3: 0, 2: 0, 1: 1}) == [
        "5 ★ ████████ 4",
        "4 ★ ████░░░░ 2",
        "3 ★ ░░░░░░░░ 0",
        "2 ★ ░░░░░░░░ 0",
        "1 ★ ██░░░░░░ 1",
    ]
    assert ratings_lines({5: 1}) == ["5 ★ ████████ 1", *(f"{s} ★ ░░░░░░░░ 0" for s in (4, 3, 2, 1))]


def test_sparklines_are_plain_text_not_inline_code():
    from bot.domain.trend import Trend
    from bot.slack.trend_blocks import trend_lines

    assert "`" not in "".join(trend_lines(Trend(())))
    assert sparkline([0, 0, 1]) == "▁▁█"


def test_the_trail_in_details_says_what_happened_in_words():
    ticket = make_ticket().assign("U0DAVE001", T0 + minutes(1))
    ticket = ticket.claim("U0BOB0001", T0 + minutes(2)).reassign("U0BOB0001", "U0DAVE001", T0 + minutes(3))
    ticket = ticket.resolve("U0DAVE001", "Replaced the cable", T0 + minutes(4))
    lines = [trail_words(entry) for entry in ticket.trail]
    assert lines == [
        "<@U0ALICE01> opened it by direct message",
        "The desk assigned it to <@U0DAVE001>",
        "<@U0BOB0001> claimed it",
        "<@U0BOB0001> handed it to <@U0DAVE001> (from <@U0BOB0001>)",
        "<@U0DAVE001> resolved it: Replaced the cable",
    ]
    shown = str(details_view(ticket, "T-1", [], BERLIN, business=False))
    assert "opened: dm" not in shown and "<@desk>" not in shown


def test_away_speaks_of_one_ticket_as_one():
    from bot.slack.said_blocks import away_answer

    assert away_answer("Fri 11 Dec, 17:00 CET", 1).endswith(
        "You still hold 1 open ticket: hand it over with `/desk reassign` if it can't wait."
    )
    assert "hand them over" in away_answer(None, 3) and "3 open tickets" in away_answer(None, 3)
    assert away_answer(None, 0).endswith("new tickets.")


# -- "assigned, not yet taken up" is not "unclaimed" (finding 5) --------------------------
def test_a_lead_reads_who_a_ticket_was_given_to_not_that_nobody_has_it():
    from tests.test_notice_blocks import POLICY, WALL, messages

    given = make_ticket(text="VPN drops").assign(DAVE, T0)
    sent = messages(given, WALL, 120)
    from bot.domain.notices import TRIAGE, Level, to_person
    from tests.harness import blocks_text

    for key in [(Level.AT_RISK, TRIAGE), (Level.LEADS, to_person(POLICY.leads[0]))]:
        words = blocks_text(sent[key][1])
        assert "Nobody has claimed it yet" not in words
        assert f"It is assigned to <@{DAVE}>, who has not taken it up yet." in words
    nobody = blocks_text(messages(make_ticket(), WALL, 120)[(Level.AT_RISK, TRIAGE)][1])
    assert "Nobody has claimed it yet." in nobody


def test_the_digest_counts_tickets_given_to_someone_apart_from_unclaimed_ones():
    from bot.domain.digest import backlog_at, build_digest
    from bot.slack.blocks import as_plain_text
    from bot.slack.digest_blocks import digest_message
    from tests.test_digest import LOOK, NOW, SCHEDULE, WEDNESDAY, clock_for, local

    opened = local(BERLIN, 2026, 11, 24, 10)
    nobody = make_ticket(1, text="Printer jams", at=opened)
    given = make_ticket(2, text="New badge", at=opened).assign(DAVE, opened + minutes(60))
    backlog = backlog_at([nobody, given], clock_for, 0.8, NOW)
    assert (backlog.unclaimed, backlog.assigned, backlog.oldest_unclaimed.number) == (1, 1, 1)
    before = backlog_at([nobody, given], clock_for, 0.8, opened + minutes(30))
    assert (before.unclaimed, before.assigned) == (2, 0), "given later: nobody's at that moment"
    _, blocks = digest_message(build_digest([nobody, given], clock_for, 0.8, SCHEDULE, WEDNESDAY, NOW), LOOK)
    shown = as_plain_text(blocks)
    assert "1 unclaimed · 1 assigned, not yet taken up" in shown
    assert f"· assigned to @{DAVE}, not yet taken up" in shown, "its line under Needs attention"
    only_given = build_digest([given], clock_for, 0.8, SCHEDULE, WEDNESDAY, NOW)
    assert "every open ticket is assigned to someone" in as_plain_text(digest_message(only_given, LOOK)[1])


def test_the_queue_and_the_home_say_assigned_not_yet_taken_up():
    from bot.slack.agent_blocks import QueueRow, queue_answer
    from bot.slack.blocks import as_plain_text
    from bot.slack.home import HomeFacts, QueueCounts, home_view

    given = make_ticket(2, text="New badge").assign(DAVE, T0)
    _, blocks = queue_answer([QueueRow("T-2", given, None, False, False)], BERLIN, T0 + minutes(5))
    assert f"assigned to <@{DAVE}>, not yet taken up" in str(blocks) and "unclaimed" not in str(blocks)
    facts = HomeFacts("IT Help", "T", BERLIN, [], assigned=[], queue=QueueCounts(1, 0, 0, 2))
    shown = as_plain_text(home_view(facts)["blocks"])
    assert "The queue: 1 unclaimed · 2 assigned, not yet taken up · 0 at risk · 0 overdue." in shown


# -- a first start reports no period before it (finding 6) --------------------------------
async def test_a_first_start_sends_no_empty_report_or_quiet_digest_then_the_next_day_does():
    from datetime import datetime, timedelta

    from tests.harness import CAROL, bot_posts, clock_at, dm_of, running_desk

    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    monday_noon = datetime(2026, 11, 30, 12, 0, tzinfo=BERLIN)  # the week's report and the digest are due
    clock = clock_at(monday_noon)
    async with running_desk(clock=clock, digest={"time": "09:00", "days": every_day}) as run:
        for job in ("digest-catch-up", "weekly-report"):
            await run.run_job(job, timeout=20)
        await run.idle(timeout=20)
        assert bot_posts(run.slack, dm_of(run, CAROL)) == [], "nothing happened before it began"
        clock.advance(timedelta(days=1))  # Tuesday noon: Monday is a day it ran
        await run.run_job("digest", timeout=20)
        await run.idle(timeout=20)
        [digest] = bot_posts(run.slack, dm_of(run, CAROL))
        assert "Daily digest · Tue 1 Dec: a quiet day" in digest.text
        assert not digest.files


# -- the confirmation follows the ticket (finding 7) ---------------------------------------
async def test_the_requesters_confirmation_is_redrawn_as_the_ticket_moves():
    from tests.harness import (
        ALICE,
        BOB,
        TRIAGE,
        bot_posts,
        dm_of,
        raise_ticket,
        running_desk,
        settle,
        text_of,
    )

    async with running_desk() as run:
        confirmation, card = await raise_ticket(run)
        assert "First response*\nwithin" in text_of(confirmation)
        await run.people.press(BOB, card, "Claim")
        await settle(lambda: "<@U0BOB0001> is on it." in text_of(confirmation))
        assert "within" not in text_of(confirmation), "no promise of what already happened"
        assert "First response*\n<!date^" in text_of(confirmation) and ", by <@U0BOB0001>" in text_of(
            confirmation
        )
        await run.people.command(BOB, "/desk", "resolve T-1 Replaced the power supply", channel=TRIAGE)
        await settle(lambda: "*T-1* is resolved." in text_of(confirmation))
        assert "*Resolved*\n<!date^" in text_of(confirmation)

        def requests() -> list:
            return [m for m in bot_posts(run.slack, dm_of(run, ALICE)) if "How did we do?" in text_of(m)]

        await settle(requests)
        [request] = requests()
        await run.people.press(ALICE, request, ":slightly_smiling_face: 4 · Good")
        await settle(lambda: "You rated the help 4 / 5" in text_of(confirmation))
        await run.idle()
        assert run.slack.errors() == []
        updates = [c for c in run.slack.calls if c.method == "chat.update" and c.error is None]
        assert updates, "edited in place, never posted again"


# -- one way of writing days and times (finding 8) -----------------------------------------
def test_days_and_moments_are_written_one_way():
    from datetime import UTC, date, datetime

    from bot.slack.when import at, day, local_moment

    assert day(date(2026, 12, 7)) == "Mon 7 Dec"
    assert day(date(2026, 12, 7), year=True) == "Mon 7 Dec 2026"
    moment = datetime(2026, 12, 6, 22, 56, tzinfo=UTC)
    assert at(moment, ZoneInfo("UTC")) == "Sun 6 Dec, 22:56 UTC"
    assert at(moment, BERLIN) == "Sun 6 Dec, 23:56 CET"
    assert local_moment(moment) == "Sun 6 Dec, 22:56"


def test_the_sandbox_page_writes_days_and_times_as_the_desk_does():
    """The page's script renders Slack's date tokens, day dividers and its clock itself: in
    the desk's one style, not the browser's locale."""
    import json
    import shutil
    import subprocess
    from datetime import UTC, datetime
    from pathlib import Path

    import pytest

    from bot.slack.when import local_moment

    static = Path(__file__).resolve().parent.parent / "bot" / "sandbox" / "static"
    for name in ("app.js", "dates.js"):
        script = (static / name).read_text()
        assert "toLocaleDateString" not in script and "toLocaleTimeString" not in script
    node = shutil.which("node")
    if node is None:
        pytest.skip("no node to run the page's script with")
    moment = int(datetime(2026, 12, 6, 22, 56, tzinfo=UTC).timestamp())
    script = json.dumps(str(static / "dates.js"))
    program = f"const SLACK_DATE = require({script});\nconsole.log(SLACK_DATE.moment({moment}, 'en'));"
    shown = subprocess.run(
        [node, "-e", program],
        env={"TZ": "Europe/Berlin", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert shown == local_moment(datetime.fromtimestamp(moment, BERLIN)) == "Sun 6 Dec, 23:56"


# -- names in the export, ids kept (finding 11) --------------------------------------------
async def test_the_export_writes_names_beside_the_ids_it_keeps(tmp_path):
    import csv
    import io
    from datetime import timedelta

    from bot.export import COLUMNS, export_text
    from tests.harness import ALICE, BOB, raise_ticket, running_desk

    async with running_desk(f"tinydb://{tmp_path}/desk.json") as run:
        _, card = await raise_ticket(run)
        await run.people.press(BOB, card, "Claim")
        await run.idle()
        config, slack = run.desk.config, (run.slack.bot_token, run.slack.api_url)
        text, count, unnamed = await export_text(config, timedelta(days=3650), "csv", slack)
        assert (count, unnamed) == (1, 0)
        [row] = list(csv.DictReader(io.StringIO(text)))
        assert (row["requester"], row["requester_name"]) == (ALICE, "Alice Archer")
        assert (row["assignee"], row["assignee_name"]) == (BOB, "Bob Baker")
        assert COLUMNS.index("requester_name") == COLUMNS.index("requester") + 1, "beside the id"
        assert COLUMNS.index("assignee_name") == COLUMNS.index("assignee") + 1
        old = ["ticket", "opened_at", "requester", "category", "priority", "status", "assignee"]
        assert [c for c in COLUMNS if not c.endswith("_name")][:7] == old, "the columns read back stay"

        offline, _, unnamed = await export_text(config, timedelta(days=3650), "csv")  # no token
        [row] = list(csv.DictReader(io.StringIO(offline)))
        assert (row["requester"], row["requester_name"], unnamed) == (ALICE, "", 2)
        run.slack.faults.down = True  # Slack cannot say: the ids stay, nothing fails
        _, _, unnamed = await export_text(config, timedelta(days=3650), "csv", slack)
        assert unnamed == 2


# -- tips and DMs per person and team (finding 9) ------------------------------------------
def test_each_person_is_tipped_about_their_own_teams_channels():
    import tomllib

    from bot.sandbox.demo import CAST, demo_config, demo_workspace
    from bot.sandbox.tips import tip
    from config.settings import parse_config

    staff = parse_config(tomllib.loads(demo_config(Path("/tmp/x.json"), "UTC"))).staff
    names = {c.id: c.name for c in demo_workspace().channels.values()}
    tips = {name: tip(user, role, staff, names, "IT Help") for user, name, _, role in CAST}
    assert "#people-triage" in tips["fran"] and "#it-" not in tips["fran"], "People only"
    assert "You are an agent in People." in tips["fran"]
    assert "#it-triage" in tips["bob"] and "people" not in tips["bob"]
    assert "#it-triage or #people-triage" in tips["dave"], "Dave works in both"
    assert tips["carol"].startswith("You lead IT and People.")
    assert tips["dave"].startswith("You are an agent in IT and People.")
    assert "#it-help or #people-help" in tips["alice"]


async def test_a_teams_dm_says_which_team_it_is_from():
    from tests.harness import (
        ALICE,
        FRAN,
        GUS,
        PEOPLE_HELP,
        bot_posts,
        dm_of,
        running_desk,
        settle,
        text_of,
        ticket_where,
        two_teams,
    )

    async with running_desk(team=two_teams(people={"assign": "round_robin"})) as run:
        await run.people.say(ALICE, PEOPLE_HELP, "My payslip is wrong")
        await settle(lambda: ticket_where(run, 1, lambda t: t.assignee))
        agent = (await run.desk.store.ticket(1)).assignee
        assert agent in (FRAN, GUS)
        await run.idle()
        [dm] = [m for m in bot_posts(run.slack, dm_of(run, agent)) if "is yours" in text_of(m)]
        assert dm.text.startswith("People: T-1")
        assert dm.blocks[0] == {"type": "context", "elements": [{"type": "mrkdwn", "text": "*People* team"}]}


# -- the walkthrough, in its order, shows what it promises (findings 1, 2, 6) --------------
async def test_the_sandbox_walkthrough_order_shows_escalations_after_the_first_ticket_is_resolved(tmp_path):
    import aiohttp

    from bot.sandbox.demo import ALICE, BOB, CAROL, GENERAL, PEOPLE_HELP, TRIAGE
    from bot.sandbox.run import Sandbox
    from tests.harness import settle
    from tests.test_sandbox import PageClient, raise_ticket

    box = Sandbox(tmp_path / "data")
    await box.start()
    try:
        async with aiohttp.ClientSession() as http:
            page = PageClient(box, http)
            general = (await page.state(ALICE, GENERAL))["messages"]
            assert len(general) == 2 and not any(m["is_bot"] for m in general), "something to hover"
            assert (await page.state(CAROL))["messages"] == [], "no report or digest at a first start"
            await raise_ticket(page)  # steps 1-5: T-1, resolved
            card = await page.last_bot_message(BOB, TRIAGE, "T-1")
            await page.click(BOB, card, "Claim")
            await page.say(BOB, TRIAGE, "/desk resolve T-1 Replaced the cable")
            await settle(lambda: ticket_is(box, 1, "resolved"))
            await page.say(ALICE, PEOPLE_HELP, "My payslip shows the wrong tax code")  # step 8
            await settle(lambda: ticket_is(box, 2, "open"))
            status, _ = await page.post("clock", user=CAROL, advance="1h")  # step 9
            assert status == 200
            notice = await page.last_bot_message(CAROL, "", "needs a lead's attention")
            assert "T-2" in str(notice["blocks"]) and "who has not taken it up yet" in str(notice["blocks"])
    finally:
        await box.stop()


async def ticket_is(box, number: int, status: str) -> bool:
    ticket = await box.app.store.ticket(number)
    return ticket is not None and ticket.status.value == status


# -- a conversation opens at its newest message, images or not (finding 4) ----------------
SCROLL_CHECK = """
function fakeBox() {
  const listeners = {}; const images = [];
  const box = {
    scrollTop: 0, scrollHeight: 100, clientHeight: 100, dataset: {}, images,
    addEventListener: (kind, fn) => { listeners[kind] = fn; },
    querySelectorAll: () => images,
    user: (kind) => listeners[kind](),
  };
  return box;
}
function fakeImage() {
  const image = { complete: false, addEventListener: (kind, fn) => { image.load = fn; } };
  return image;
}
const results = [];
for (const readerScrolls of [false, true]) {
  const box = fakeBox();
  const image = fakeImage();
  keepScroll(box, () => { box.images.push(image); box.scrollHeight = 900; });
  const first = box.scrollTop;             // at the bottom as drawn: 900
  if (readerScrolls) { box.user("wheel"); box.scrollTop = 300; }
  box.scrollHeight = 1500;                 // the chart has loaded: 600px more
  image.load();
  results.push([first, box.scrollTop]);
}
console.log(JSON.stringify(results));
"""


def test_a_conversation_with_a_chart_stays_at_its_newest_message_once_the_chart_loads():
    """The page's own `keepScroll`, run in node with a stand-in for the message box: an image
    that loads after the scroll scrolls it down again, unless the reader scrolled away."""
    import json
    import shutil
    import subprocess

    import pytest

    node = shutil.which("node")
    if node is None:
        pytest.skip("no node to run the page's script with")
    script = (Path(__file__).resolve().parent.parent / "bot" / "sandbox" / "static" / "app.js").read_text()
    start = script.index("function keepScroll")
    end = script.index("\nfunction ", script.index("function stayAtBottom"))
    shown = subprocess.run(
        [node, "-e", script[start:end] + SCROLL_CHECK], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(shown) == [[900, 1500], [900, 300]]
