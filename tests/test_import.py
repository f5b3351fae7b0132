"""Moving in (issue 40, SPEC §13): `python -m bot import csv|zendesk|jira FILE`, run as an
operator runs it, against the local Slack, on TinyDB and PostgreSQL.

The samples under tests/data/import/ follow the vendors' published formats:
- zendesk_tickets.json: a page of the incremental ticket export with users and groups
  side-loaded, https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/
  (ticket fields: https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/; comments as
  https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_comments/ lists them);
- jira_issues.csv: Jira's "Export CSV (all fields)", one `Comment` column per comment as
  `date;account id;text`, https://support.atlassian.com/jira-software-cloud/docs/export-issues/;
- spreadsheet.csv: any spreadsheet, its columns named with `--map`.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import signal
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.escalation import EscalationPolicy, due_notices
from bot.domain.notices import Level
from bot.domain.policy import Target
from bot.domain.priority import Priority
from bot.domain.ticket import Action, Origin, Status, open_ticket
from bot.localslack import LocalSlack
from config import parse_config
from store import store_from_url
from store.names import IMPORTED, OUTBOX, OUTSIDERS
from tests.conftest import POSTGRES, drop_schema, postgres_url
from tests.harness import (
    ALICE,
    BERLIN,
    BOB,
    CAROL,
    DAVE,
    ROOT,
    child,
    clock_at,
    demo_config,
    demo_workspace,
    idle,
    running_desk,
    started,
    toml_text,
)

DATA = ROOT / "tests" / "data" / "import"
EMAILS = {ALICE: "alice@example.com", BOB: "bob@example.com", DAVE: "Dave@Example.com"}
POSTS = {
    "chat.postMessage",
    "chat.update",
    "chat.postEphemeral",
    "views.publish",
    "files.completeUploadExternal",
}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
async def slack():
    """The demo workspace, its people with their e-mail addresses."""
    workspace = demo_workspace()
    for user, email in EMAILS.items():
        workspace.people[user] = replace(workspace.people[user], email=email)
    local = LocalSlack(workspace)
    await local.start()
    yield local
    await local.stop()


@pytest.fixture(params=["tinydb", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "tinydb":
        return f"tinydb://{tmp_path / 'desk.json'}"
    url = postgres_url()
    request.addfinalizer(lambda: drop_schema(url))
    return url


async def import_cli(
    folder: Path, store_url: str, *args: str, slack: LocalSlack | None = None
) -> tuple[int, str, str]:
    """`python -m bot import ARGS` as an operator runs it: exit code, stdout, stderr."""
    config = folder / "desk.toml"
    config.write_text(toml_text(demo_config(store_url)))
    env = {"DESK_CONFIG": str(config), "PATH": "/usr/bin:/bin"}
    if slack is not None:
        env.update(SLACK_BOT_TOKEN=slack.bot_token, SLACK_API_URL=slack.api_url)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "import", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, **child(),
    )  # fmt: skip
    started(process.pid)
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def stored(store_url: str) -> tuple[dict, dict, dict]:
    """Every ticket by number, the import table and the outsiders, read from the store."""
    store = store_from_url(store_url, read_only=True)
    await store.open()
    try:
        tickets = {t.number: t for t in await store.all_tickets()}
        return tickets, await store.records(IMPORTED), await store.records(OUTSIDERS)
    finally:
        await store.close()


def lookups(slack: LocalSlack) -> list[str]:
    """The e-mail addresses the import asked Slack about; it made no other call."""
    assert {call.method for call in slack.calls} <= {"users.lookupByEmail"}, [c.method for c in slack.calls]
    return [call.args["email"] for call in slack.calls]


async def test_zendesk_sample_imported_field_by_field(tmp_path, slack, store_url):
    code, out, err = await import_cli(
        tmp_path, store_url, "zendesk", str(DATA / "zendesk_tickets.json"), slack=slack
    )
    assert (code, err) == (0, ""), err
    assert "Imported 3 new tickets" in out and "T-1..T-3" in out
    tickets, imported, outsiders = await stored(store_url)
    assert {k: v["n"] for k, v in imported.items()} == {
        "zendesk:35436": 1,
        "zendesk:35437": 2,
        "zendesk:35438": 3,
    }
    solved, vpn, screen = tickets[1], tickets[2], tickets[3]

    assert solved.imported_from == "zendesk:35436"
    assert (solved.requester, solved.assignee) == (ALICE, BOB)
    assert solved.text == "Printer on 3rd floor jams\n\nIt jams on every second page."
    assert (solved.category, solved.priority, solved.status) == ("Hardware", Priority.P2, Status.RESOLVED)
    assert solved.opened_at == utc("2026-02-02T09:00:00")
    assert solved.first_response_at == utc("2026-02-02T09:40:00")  # the agent's first public comment
    assert solved.resolved_at == utc("2026-02-02T14:00:00")  # metric_set.solved_at
    assert solved.rating is not None and (solved.rating.score, solved.rating.comment) == (
        5,
        "Quick fix, thanks",
    )
    assert [(e.action, e.actor, e.detail) for e in solved.trail] == [
        (Action.OPENED, ALICE, "import"),
        (Action.REPLIED, BOB, "On my way with a new roller."),
        (Action.CLAIMED, BOB, ""),
        (Action.NOTE, BOB, "Roller was worn out."),
        (Action.RESOLVED, BOB, ""),
        (Action.RATED, ALICE, "5"),
    ]
    assert solved.notices == () and solved.card is None

    assert (vpn.requester, vpn.assignee, vpn.status) == (
        ALICE,
        DAVE,
        Status.CLAIMED,
    )  # open, with someone on it
    assert (vpn.category, vpn.priority, vpn.rating) == (
        "Access",
        Priority.P1,
        None,
    )  # "unoffered" is no rating
    assert vpn.first_response_at == utc("2026-03-03T08:20:00")
    # its resolution target was missed long ago: every level is recorded as handled, owed nowhere
    assert {(n.target, n.level) for n in vpn.notices} == {(Target.RESOLUTION, level) for level in Level}
    assert all(n.owed == () for n in vpn.notices)

    assert screen.requester == "ext:jane@outside.example" and outsiders == {
        "ext:jane@outside.example": "Jane Outsider"
    }
    assert (screen.status, screen.assignee, screen.priority) == (Status.OPEN, None, Priority.P3)
    assert screen.category == "Hardware"  # "question" is no area here: the desk's first
    assert "jane@outside.example" in out and "question 1" in out and "tags 1" in out
    # each address once (Alice is on two tickets), Dave's found whatever its case
    assert sorted(lookups(slack)) == [
        "alice@example.com",
        "bob@example.com",
        "dave@example.com",
        "jane@outside.example",
    ]


async def test_jira_sample_imported_field_by_field(tmp_path, slack):
    url = f"tinydb://{tmp_path / 'desk.json'}"
    people = tmp_path / "people.csv"
    people.write_text(f"email,slack_id\nAlice Archer,{ALICE}\nBob Baker,{BOB}\n")
    code, out, err = await import_cli(
        tmp_path, url, "jira", str(DATA / "jira_issues.csv"), "--people", str(people), slack=slack
    )
    assert (code, err) == (0, ""), err
    tickets, imported, _ = await stored(url)
    assert set(imported) == {"jira:ITSM-7", "jira:ITSM-8"}
    vpn, laptop = tickets[1], tickets[2]
    # Jira writes times in the exporter's zone without an offset: read in the desk's (Berlin)
    assert (vpn.opened_at, vpn.resolved_at) == (utc("2026-02-02T08:00:00"), utc("2026-02-02T14:00:00"))
    assert (vpn.requester, vpn.assignee, vpn.status, vpn.priority) == (
        ALICE,
        BOB,
        Status.RESOLVED,
        Priority.P2,
    )
    assert vpn.category == "Access" and vpn.rating is not None and vpn.rating.score == 4
    assert vpn.text == "VPN drops every hour\n\nIt disconnects every hour on the hour."
    assert vpn.first_response_at == utc("2026-02-02T08:30:00")
    said = (Action.REPLIED, Action.FOLLOW_UP)
    assert [(e.action, e.actor, e.detail) for e in vpn.trail if e.action in said] == [
        (Action.REPLIED, BOB, "Try the new VPN profile"),  # the comment's account id is Bob's
        (Action.FOLLOW_UP, ALICE, "Works now thanks"),
    ]
    assert laptop.requester == "ext:Carl Outsider" and laptop.status is Status.OPEN
    assert laptop.text == 'New laptop for the intern\n\nStarts Monday; needs the "dev" image.'
    assert (laptop.category, laptop.priority, laptop.imported_from) == (
        "Hardware",
        Priority.P3,
        "jira:ITSM-8",
    )
    assert "Labels 1" in out
    assert lookups(slack) == []  # names are not e-mail addresses: the mapping file found them


async def test_a_spreadsheet_with_its_columns_mapped(tmp_path):
    url = f"tinydb://{tmp_path / 'desk.json'}"
    maps = ["Ref=ticket", "Opened=opened_at", "Email=requester", "Problem=text", "Area=category"]
    maps += ["Urgency=priority", "State=status", "Closed=resolved_at"]
    args = [a for m in maps for a in ("--map", m)]
    code, out, err = await import_cli(tmp_path, url, "csv", str(DATA / "spreadsheet.csv"), *args)
    assert (code, err) == (0, ""), err
    tickets, imported, _ = await stored(url)
    assert {k: v["n"] for k, v in imported.items()} == {"csv:S-1": 1, "csv:S-2": 2}
    monitor, wiki = tickets[1], tickets[2]
    assert monitor.opened_at == utc("2026-02-10T08:00:00")  # no offset: the desk's zone
    assert (monitor.status, monitor.resolved_at, monitor.priority) == (
        Status.RESOLVED, utc("2026-02-10T10:00:00"), Priority.P2,
    )  # fmt: skip
    assert (wiki.status, wiki.priority, wiki.category, wiki.text) == (
        Status.OPEN, Priority.P4, "Access", "Need access to the wiki",
    )  # fmt: skip
    assert "Office 2" in out  # a column with no home is named, not kept


async def test_a_second_run_changes_nothing(tmp_path, slack, store_url):
    sample = str(DATA / "zendesk_tickets.json")
    assert (await import_cli(tmp_path, store_url, "zendesk", sample, slack=slack))[0] == 0
    first = await stored(store_url)
    slack.calls.clear()
    code, out, _ = await import_cli(tmp_path, store_url, "zendesk", sample, slack=slack)
    assert code == 0 and "Imported 0 new tickets" in out and "3 here already" in out
    assert await stored(store_url) == first
    assert slack.calls == []  # who is who was remembered: Slack is not asked again
    assert "people:      3 in Slack · 1 kept by name" in out


async def test_a_changed_source_ticket_is_made_again_under_its_number(tmp_path):
    url = f"tinydb://{tmp_path / 'desk.json'}"
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "ticket,opened_at,requester,text,status\nA,2026-02-01T09:00:00+00:00,U0ALICE01,Broken,open\n"
    )
    assert (await import_cli(tmp_path, url, "csv", str(sheet)))[0] == 0
    sheet.write_text(
        "ticket,opened_at,requester,text,status,resolved_at\n"
        "A,2026-02-01T09:00:00+00:00,U0ALICE01,Broken,resolved,2026-02-02T09:00:00+00:00\n"
    )
    code, out, _ = await import_cli(tmp_path, url, "csv", str(sheet))
    assert code == 0 and "1 changed since the last import" in out
    tickets, _, _ = await stored(url)
    assert list(tickets) == [1] and tickets[1].status is Status.RESOLVED


async def test_since_imports_only_what_changed_since(tmp_path):
    url = f"tinydb://{tmp_path / 'desk.json'}"
    code, _out, _ = await import_cli(
        tmp_path, url, "zendesk", str(DATA / "zendesk_tickets.json"), "--since", "2026-03-01"
    )
    assert code == 0
    _, imported, _ = await stored(url)
    assert set(imported) == {"zendesk:35437", "zendesk:35438"}


async def test_a_dry_run_writes_nothing(tmp_path, slack):
    url = f"tinydb://{tmp_path / 'desk.json'}"
    code, out, err = await import_cli(
        tmp_path, url, "zendesk", str(DATA / "zendesk_tickets.json"), "--dry-run", slack=slack
    )
    assert (code, err) == (0, ""), err
    assert "nothing was written" in out and "would import 3 new" in out
    for line in ("by state:    claimed 1 · open 1 · resolved 1", "by team:     IT Help 3",
                 "by area:     Hardware 2 · Access 1", "by priority: P1 1 · P2 1 · P3 1",
                 "people:      3 in Slack · 1 kept by name"):  # fmt: skip
        assert line in out, out
    tickets, imported, outsiders = await stored(url)
    assert (tickets, imported, outsiders) == ({}, {}, {})


@pytest.mark.parametrize(
    ("source", "name", "text", "line"),
    [
        (
            "csv",
            "bad.csv",
            "ticket,opened_at,requester,text\nA,2026-02-01,U0ALICE01,ok\nB,yesterday,U0ALICE01,x\n",
            3,
        ),
        (
            "jira",
            "bad.csv",
            (DATA / "jira_issues.csv").read_text().replace("Waiting for support", "Frozen"),
            3,
        ),
        ("zendesk", "bad.json", (DATA / "zendesk_tickets.json").read_text().replace('"new"', '"frozen"'), 45),
        ("zendesk", "broken.json", '{"tickets": [\n{"id": 1,\n}', 3),
    ],
)
async def test_a_bad_row_is_reported_by_line_and_nothing_is_written(tmp_path, source, name, text, line):
    url = f"tinydb://{tmp_path / 'desk.json'}"
    path = tmp_path / name
    path.write_text(text)
    code, out, err = await import_cli(tmp_path, url, source, str(path))
    assert code == 1 and "Traceback" not in err and out == ""
    assert f"line {line}" in err and err.startswith("import error: "), err
    assert await stored(url) == ({}, {}, {})


async def test_skip_bad_leaves_out_only_the_bad_rows(tmp_path):
    url = f"tinydb://{tmp_path / 'desk.json'}"
    path = tmp_path / "bad.csv"
    path.write_text("ticket,opened_at,requester,text\nA,2026-02-01,U0ALICE01,ok\nB,yesterday,U0ALICE01,x\n")
    code, out, _err = await import_cli(tmp_path, url, "csv", str(path), "--skip-bad")
    assert code == 0 and "rows left out (1):" in out and "line 3 (B): 'yesterday' is not a time" in out
    _, imported, _ = await stored(url)
    assert set(imported) == {"csv:A"}


def _rows(count: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ticket", "opened_at", "requester", "text", "status", "resolved_at", "priority"])
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for n in range(count):
        opened = start + timedelta(minutes=7 * n)
        writer.writerow([f"R{n}", opened.isoformat(), ALICE, f"request {n}", "resolved",
                         (opened + timedelta(hours=3)).isoformat(), "P3"])  # fmt: skip
    return out.getvalue()


def _written(store_url: str, folder: Path) -> int:
    """How far an import running in another process got: journal bytes (TinyDB), ticket rows
    committed (PostgreSQL)."""
    if store_url.startswith("tinydb://"):
        return sum(s.stat().st_size for s in folder.glob("desk.json.journal.*")) // 1000
    import psycopg

    schema = store_url.rsplit("schema=", 1)[1]
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        try:
            row = conn.execute(f"SELECT count(*) FROM {schema}.tickets").fetchone()
        except psycopg.errors.UndefinedTable:
            return 0
    return int(row[0]) if row else 0


async def test_killed_mid_import_then_run_again_gives_one_copy_of_each(tmp_path, store_url):
    url = store_url
    rows = 3000
    sheet = tmp_path / "many.csv"
    sheet.write_text(_rows(rows))
    (tmp_path / "desk.toml").write_text(toml_text(demo_config(url)))
    env = {"DESK_CONFIG": str(tmp_path / "desk.toml"), "PATH": "/usr/bin:/bin"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "import", "csv", str(sheet), "--batch", "20", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL, **child(),
    )  # fmt: skip
    started(process.pid)
    while process.returncode is None and await asyncio.to_thread(_written, url, tmp_path) < 200:
        await asyncio.sleep(0.01)  # until a few batches are committed
    assert process.returncode is None, "the import ended before it could be killed: make the file longer"
    os.kill(process.pid, signal.SIGKILL)
    await process.wait()
    tickets, imported, _ = await stored(url)
    assert 0 < len(tickets) < rows and len(imported) == len(tickets)  # whole batches, nothing half

    code, _out, err = await import_cli(tmp_path, url, "csv", str(sheet))
    assert (code, err) == (0, ""), err
    tickets, imported, _ = await stored(url)
    assert len(tickets) == rows and sorted(tickets) == list(range(1, rows + 1))
    assert sorted(t.imported_from for t in tickets.values()) == sorted(f"csv:R{n}" for n in range(rows))
    assert {v["n"] for v in imported.values()} == set(tickets)


async def test_the_desks_own_export_imports_back_unchanged(tmp_path):
    """Tickets raised in one desk, exported, imported into a fresh desk, exported again."""
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir(), new.mkdir()
    old_url, new_url = f"tinydb://{old / 'desk.json'}", f"tinydb://{new / 'desk.json'}"
    store = store_from_url(old_url)
    await store.open()
    at = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
    origin = Origin("D0ALICE01")
    steps = [
        lambda n: open_ticket(n, ALICE, "Printer jams", "Hardware", Priority.P2, origin, at),
        lambda n: open_ticket(n, ALICE, "VPN", "Access", Priority.P1, origin, at + timedelta(hours=1)).claim(
            BOB, at + timedelta(hours=2)
        ),
        lambda n: (
            open_ticket(n, CAROL, 'Wiki, "please"', "Software", Priority.P3, origin, at + timedelta(days=1))
            .claim(DAVE, at + timedelta(days=1, hours=1))
            .resolve(DAVE, "done", at + timedelta(days=2))
            .rate(CAROL, 4, at + timedelta(days=2, hours=1))
            .comment_on_help(CAROL, "fine, slow", at + timedelta(days=2, hours=1))
        ),
    ]
    config, now = parse_config(demo_config(old_url)), datetime.now(UTC)
    policy = EscalationPolicy(0.8, 2.0, timedelta(minutes=2), (CAROL,))  # the defaults
    for build in steps:  # and the escalations the old desk's sweeps raised by now
        await store.create_ticket(
            lambda n, build=build: (t := build(n)).raise_notices(
                due_notices(t, config.sla_clock(t), policy, now)
            )
        )
    await store.close()

    def export(folder: Path, url: str) -> str:
        (folder / "x.toml").write_text(toml_text(demo_config(url)))
        done = subprocess.run(
            [sys.executable, "-m", "bot", "export", "--since", "3650d", "--format", "csv"], cwd=ROOT,
            env={"DESK_CONFIG": str(folder / "x.toml"), "PATH": "/usr/bin:/bin"}, capture_output=True,
            text=True, timeout=60, check=True, **child(),
        )  # fmt: skip
        return done.stdout

    text = export(old, old_url)
    (old / "export.csv").write_text(text)
    code, _out, err = await import_cli(new, new_url, "csv", str(old / "export.csv"))
    assert (code, err) == (0, ""), err
    before = list(csv.DictReader(io.StringIO(text)))
    again = export(new, new_url)
    after = list(csv.DictReader(io.StringIO(again)))
    assert [row.pop("imported_from") for row in after] == ["csv:T-1", "csv:T-2", "csv:T-3"]
    assert [row.pop("imported_from") for row in before] == ["", "", ""]
    assert after == before

    # moved once more: each keeps where it first came from, and nothing else changes
    third = tmp_path / "third"
    third.mkdir()
    third_url = f"tinydb://{third / 'desk.json'}"
    (new / "export.csv").write_text(again)
    assert (await import_cli(third, third_url, "csv", str(new / "export.csv")))[0] == 0
    assert export(third, third_url) == again


async def test_an_import_is_silent_and_announced_once(tmp_path, slack):
    """Nothing reaches Slack but look-ups and the one summary; a desk started on the store
    after sends nothing about the imported past (its escalations are handled already)."""
    url = f"tinydb://{tmp_path / 'desk.json'}"
    code, out, err = await import_cli(
        tmp_path, url, "zendesk", str(DATA / "zendesk_tickets.json"), "--announce", slack=slack
    )
    assert (code, err) == (0, ""), err
    assert "announced to 1 lead" in out
    posted = [c for c in slack.calls if c.method in POSTS]
    assert len(posted) == 1 and "3 tickets moved in from zendesk (T-1 to T-3)" in posted[0].args["text"]
    assert {c.method for c in slack.calls} <= {
        "users.lookupByEmail",
        "conversations.open",
        "chat.postMessage",
    }
    slack.calls.clear()
    async with running_desk(url, slack=slack) as run:
        await run.sweep()
        await idle(run.desk)
        assert await run.desk.store.owed() == {}
        assert [c.method for c in slack.calls if c.method in POSTS] == []
        assert (await run.desk.store.records(OUTBOX)) == {}


async def test_imported_history_counts_in_quality_with_its_real_dates(tmp_path, slack):
    """The solved Zendesk ticket (opened, answered and solved on 2 Feb, rated good) is in the
    quality summary of the week it happened in, as a native one would be."""
    from tests.test_rating_and_quality import quality_answer

    url = f"tinydb://{tmp_path / 'desk.json'}"
    assert (await import_cli(tmp_path, url, "zendesk", str(DATA / "zendesk_tickets.json"), slack=slack))[
        0
    ] == 0
    slack.calls.clear()
    async with running_desk(url, slack=slack, clock=clock_at(datetime(2026, 2, 5, 10, tzinfo=BERLIN))) as run:
        words, _ = await quality_answer(run, CAROL)
    assert "*Opened*\n1" in words and "*Resolved*\n1" in words, words
    assert "*First response*\nmedian 40m" in words and "*Resolution*\nmedian 5h" in words, words


async def test_a_dry_run_with_a_bad_row_says_so_and_exits_1(tmp_path):
    url = f"tinydb://{tmp_path / 'desk.json'}"
    path = tmp_path / "bad.csv"
    path.write_text("ticket,opened_at,requester,text\nA,2026-02-01,U0ALICE01,ok\nB,yesterday,U0ALICE01,x\n")
    code, out, err = await import_cli(tmp_path, url, "csv", str(path), "--dry-run")
    assert (code, err) == (1, "")
    assert "would import 1 new" in out and "rows that cannot be read: nothing would be written (1):" in out
    assert "line 3 (B): 'yesterday' is not a time" in out
    assert await stored(url) == ({}, {}, {})


async def test_someone_kept_by_name_is_never_messaged_when_agents_work_the_ticket(tmp_path, slack):
    """Jane has no Slack user: her imported ticket is claimed and resolved in the desk; the
    card and its thread get their messages, Jane gets none, and nothing waits in the outbox."""
    from tests.test_agents import command

    url = f"tinydb://{tmp_path / 'desk.json'}"
    assert (await import_cli(tmp_path, url, "zendesk", str(DATA / "zendesk_tickets.json"), slack=slack))[
        0
    ] == 0
    slack.calls.clear()
    async with running_desk(url, slack=slack) as run:
        assert "You claimed T-3" in await command(run, BOB, "/claim", "T-3")
        assert await command(run, BOB, "/reply", "T-3 it is on order") == (
            "Kept on T-3's trail. jane@outside.example has no Slack user here (moved in from another desk), "
            "so nobody was messaged."
        )
        assert "Resolved T-3. jane@outside.example has no Slack user here" in await command(
            run, BOB, "/resolve", "T-3 ordered one"
        )
        await run.idle()
        assert await run.desk.store.owed() == {}
        ticket = await run.desk.store.ticket(3)
    assert ticket is not None and ticket.status is Status.RESOLVED
    places = [str(c.args.get("channel", "")) + str(c.args.get("users", "")) for c in slack.calls]
    assert not [p for p in places if "ext:" in p or "jane" in p], places
    assert [c for c in slack.calls if c.error] == []
    card = next(
        c for c in slack.calls if c.method == "chat.postMessage" and "T-3" in str(c.args.get("blocks"))
    )
    assert "From jane@outside.example (moved in from zendesk 35438)" in str(card.args["blocks"])


def test_details_say_where_a_ticket_moved_in_from():
    from zoneinfo import ZoneInfo

    from bot.slack.details_blocks import details_view
    from tests.factories import make_ticket

    ticket = replace(make_ticket(7), requester="ext:jane@outside.example", imported_from="jira:ITSM-8")
    head = details_view(ticket, "T-7", [], ZoneInfo("Europe/Berlin"), business=False)["blocks"][0]["text"][
        "text"
    ]
    assert "From jane@outside.example, " in head and head.endswith("\nMoved in from jira ITSM-8")


async def test_a_changed_ticket_already_archived_is_kept_as_it_is(tmp_path):
    from store import TinyDBStore

    path = tmp_path / "desk.json"
    url = f"tinydb://{path}"
    sheet = tmp_path / "sheet.csv"
    row = "A,2025-02-01T09:00:00+00:00,U0ALICE01,{},resolved,2025-02-02T09:00:00+00:00\n"
    head = "ticket,opened_at,requester,text,status,resolved_at\n"
    sheet.write_text(head + row.format("Broken"))
    assert (await import_cli(tmp_path, url, "csv", str(sheet)))[0] == 0
    store = TinyDBStore(path)
    await store.open()
    assert await store.archive_settled(datetime(2025, 6, 1, tzinfo=UTC)) == 1  # the hourly job, months on
    await store.close()
    sheet.write_text(head + row.format("Broken and more words"))
    code, out, err = await import_cli(tmp_path, url, "csv", str(sheet))
    assert (code, err) == (0, "") and "1 changed there, kept as they are here" in out, out
    tickets, _, _ = await stored(url)
    assert tickets[1].text == "Broken"


def test_zendesk_one_ticket_a_line_reads_as_the_export_page():
    """The same tickets as NDJSON (the account's JSON data export), people on a line of their
    own: the same records; a broken line is that line's problem."""
    import json

    from bot.moving_in import zendesk
    from bot.moving_in.records import Problem

    page = json.loads((DATA / "zendesk_tickets.json").read_text())
    lines = [json.dumps({"users": page["users"]})] + [json.dumps(t) for t in page["tickets"]] + ["{broken"]
    parsed = list(zendesk.parse(io.StringIO("\n".join(lines))))
    tickets = [p for p in parsed if not isinstance(p, Problem)]
    assert [(t.source_id, t.line, t.requester, t.status) for t in tickets] == [
        ("35436", 2, "alice@example.com", Status.RESOLVED),
        ("35437", 3, "alice@example.com", Status.CLAIMED),
        ("35438", 4, "jane@outside.example", Status.OPEN),
    ]
    assert [str(p) for p in parsed if isinstance(p, Problem)] == [
        "line 5: not JSON (Expecting property name enclosed in double quotes)"
    ]


async def test_wrong_arguments_get_one_line_each(tmp_path):
    url = f"tinydb://{tmp_path / 'desk.json'}"
    zendesk = str(DATA / "zendesk_tickets.json")
    for args, said in [
        (
            ("zendesk", zendesk, "--map", "a=text"),
            "--map names a spreadsheet's columns: it is for csv, not zendesk",
        ),
        (
            ("csv", str(DATA / "spreadsheet.csv"), "--map", "Ref=number"),
            "--map Ref=number: write it as COLUMN=FIELD",
        ),
        (("csv", str(DATA / "spreadsheet.csv")), "no column for opened_at, requester, text"),
        (("zendesk", zendesk, "--since", "last week"), "--since last week: write a date like 2026-01-31"),
        (("jira", str(tmp_path / "missing.csv")), "cannot read"),
        (
            ("zendesk", zendesk, "--people", str(DATA / "spreadsheet.csv")),
            "line 2: write it as email,slack_id",
        ),
    ]:
        code, out, err = await import_cli(tmp_path, url, *args)
        assert (code, out) == (1, "") and err.startswith("import error: ") and said in err, (args, err)
        assert "Traceback" not in err and len(err.splitlines()) == 1, err


def test_an_at_risk_notice_for_an_assignee_kept_by_name_goes_to_triage():
    from bot.domain.notices import TRIAGE, to_person
    from tests.factories import make_ticket

    policy = EscalationPolicy(0.8, 2.0, timedelta(minutes=2), (CAROL,))
    claimed = replace(make_ticket(1), status=Status.CLAIMED, assignee=BOB)
    assert policy.destinations(claimed, Level.AT_RISK) == (to_person(BOB),)
    outsider = replace(claimed, assignee="ext:bob@old-desk.example")
    assert policy.destinations(outsider, Level.AT_RISK) == (TRIAGE,)
