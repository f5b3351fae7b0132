"""`python -m bot import csv|zendesk|jira FILE`: read, check, find people, write; or say what
would happen (`--dry-run`). Nothing is written unless every row can be taken (or `--skip-bad`
leaves out the ones that cannot). Exit 0 when imported, 1 with one line per problem."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.domain.durations import parse_duration
from bot.logs import setup_logging
from bot.moving_in import desk_csv, jira, zendesk
from bot.moving_in.importer import BATCH, Importer, Tally
from bot.moving_in.people import People, read_people_file
from bot.moving_in.records import BadFile, ImportedTicket, Parsed, Problem
from bot.moving_in.summary import announcement, report
from config import Config, Environment
from store.records import IMPORTED, LOOKED_UP

SOURCES = ("csv", "zendesk", "jira")


class ImportFailed(Exception):
    """One line (or a few) saying why nothing was imported."""


def add_parser(commands: Any) -> None:
    """The `import` command's arguments (SPEC §13)."""
    command = commands.add_parser("import", help="move tickets in from another desk or a spreadsheet")
    command.add_argument("source", choices=SOURCES, help="what the file is")
    command.add_argument("file", help="the export to read")
    command.add_argument("--dry-run", action="store_true", help="say what would happen; write nothing")
    command.add_argument("--skip-bad", action="store_true", help="leave out rows that cannot be read")
    command.add_argument("--since", help="only tickets changed since this date (2026-01-31) or span (30d)")
    command.add_argument(
        "--map", action="append", default=[], metavar="COLUMN=FIELD", help="csv: a column's desk field"
    )
    command.add_argument("--people", help="a CSV of email,slack_id for people Slack cannot find by e-mail")
    command.add_argument("--announce", action="store_true", help="tell the leads once, in one message")
    command.add_argument("--batch", type=int, default=BATCH, help=f"tickets a write holds (default {BATCH})")


def since_of(text: str, now: datetime) -> datetime:
    try:
        return now - parse_duration(text)
    except ValueError:
        pass
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        raise ImportFailed(f"--since {text}: write a date like 2026-01-31 or a span like 30d") from None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def parsed(source: str, path: Path, config: Config, mapping: dict[str, str]) -> Iterator[Parsed]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as problem:
        raise ImportFailed(f"cannot read {path} ({problem.strerror})") from None
    with handle:
        try:
            if source == "csv":
                yield from desk_csv.parse(handle, mapping, config.desk.timezone)
            elif source == "zendesk":
                yield from zendesk.parse(handle)
            else:
                yield from jira.parse(handle, config.desk.timezone)
        except BadFile as problem:
            raise ImportFailed(f"{path}: {problem}") from None
        except UnicodeDecodeError:
            raise ImportFailed(f"{path}: not UTF-8 text") from None


def run(config: Config, env: Environment, args: argparse.Namespace) -> int:
    """The command; its exit code. Problems are printed one a line, never as a traceback."""
    setup_logging(secrets=(env.bot_token,), level=logging.ERROR)  # a person not found is no warning
    try:
        text, code = asyncio.run(_run(config, env, args))
    except ImportFailed as problem:
        for line in str(problem).splitlines():
            print(f"import error: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("import stopped: what was written is kept; run it again to go on", file=sys.stderr)
        return 130
    sys.stdout.write(text)
    return code


async def _run(config: Config, env: Environment, args: argparse.Namespace) -> tuple[str, int]:
    """What to print, and the exit code: 1 for a dry run that found rows it cannot take."""
    from bot.desk import rollup_of
    from store import NotSaved, StoreUnavailable, store_from_url

    now = Clock().now()
    if args.map and args.source != "csv":
        raise ImportFailed(f"--map names a spreadsheet's columns: it is for csv, not {args.source}")
    try:
        mapping = desk_csv.read_map(args.map)
        people_map = read_people_file(Path(args.people)) if args.people else {}
    except (ValueError, OSError) as problem:
        raise ImportFailed(str(problem)) from None
    since = since_of(args.since, now) if args.since else None
    records, problems, rows = [], [], 0
    for item in parsed(args.source, Path(args.file), config, mapping):
        rows += 1
        if isinstance(item, Problem):
            problems.append(item)
        elif since is None or item.updated_at >= since:
            records.append(item)
    records.sort(key=lambda r: (r.opened_at, r.line))  # numbers rise with time, as the desk's own do
    records = _once(records, problems)
    problems.sort(key=lambda p: p.line)
    tally = Tally(rows=rows, problems=problems)
    if problems and not args.skip_bad and not args.dry_run:
        shown = "\n".join(str(p) for p in problems[:20])
        more = f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise ImportFailed(
            f"{args.file}: {len(problems)} row{'s' if len(problems) != 1 else ''} cannot be read; "
            f"nothing was imported (fix them, or pass --skip-bad to leave them out):\n{shown}{more}"
        )
    slack = _gateway(env) if env.bot_token else None
    names = dict(pair for record in records for pair in record.names)
    store = store_from_url(config.store_url, read_only=args.dry_run)
    store.rollup = rollup_of(config)  # imported tickets count in the per-day rollups too
    try:
        await store.open()
        try:
            people = People(
                people_map, slack.user_by_email if slack else None, await store.entries(LOOKED_UP)
            )
            await _find_people(people, records, slack)
            importer = Importer(config, people.found, now, args.batch)
            if args.dry_run:
                importer.plan(records, await store.entries(IMPORTED), tally)
            else:
                with _progress(len(records)) as bar:
                    await importer.write(store, records, tally, names, bar.update, people.asked)
        finally:
            await store.close()
    except (StoreUnavailable, NotSaved) as problem:
        from config.redact import redact

        raise ImportFailed(redact(f"store {config.store_url}: {problem}")) from None
    said = report(
        args.source, args.file, tally, people, config.ref, dry_run=args.dry_run, skip_bad=args.skip_bad
    )
    if args.announce and not args.dry_run and tally.new:
        said += await _announce(config, slack, announcement(args.source, tally, people, config.ref))
    return said, 1 if problems and not args.skip_bad else 0


def _once(records: list[ImportedTicket], problems: list[Problem]) -> list[ImportedTicket]:
    """The same source id twice in one file is a problem of the later row."""
    seen: dict[str, int] = {}
    kept = []
    for record in records:
        if record.key in seen:
            problems.append(Problem(record.line, f"{record.source_id} is already on line {seen[record.key]}"))
            continue
        seen[record.key] = record.line
        kept.append(record)
    return kept


def _gateway(env: Environment) -> Any:
    from bot.slack.gateway import SlackGateway, build_client

    return SlackGateway(build_client(env.bot_token, env.api_url))


async def _find_people(people: People, records: list[ImportedTicket], slack: Any) -> None:
    from bot.slack.gateway import SlackFailure

    keys = list(dict.fromkeys(key for record in records for key in record.people()))
    try:
        with _progress(len(keys), "person") as bar:
            await people.find(keys, lambda: bar.update(1))
    except SlackFailure as failure:
        hint = " (the app needs the users:read.email scope)" if failure.error == "missing_scope" else ""
        raise ImportFailed(f"Slack refused a look-up by e-mail: {failure.error}{hint}") from None


async def _announce(config: Config, slack: Any, text: str) -> str:
    from bot.slack.gateway import SlackFailure

    if slack is None:
        return "not announced: SLACK_BOT_TOKEN is not set\n"
    leads = config.desk.leads
    if not leads:
        return "not announced: the desk has no leads (desk.leads)\n"
    try:
        for lead in leads:
            await slack.dm(lead, text)
    except SlackFailure as failure:
        return f"not announced: Slack refused it ({failure.error})\n"
    return f"announced to {len(leads)} lead{'s' if len(leads) != 1 else ''}\n"


def _progress(total: int, unit: str = "ticket") -> Any:
    """A progress bar with rate and time left, on a terminal only (tqdm stays quiet elsewhere)."""
    from tqdm import tqdm

    terminal = sys.stderr.isatty()
    return tqdm(
        total=total, unit=f" {unit}s", file=sys.stderr, disable=not terminal, leave=False, mininterval=0.5
    )
