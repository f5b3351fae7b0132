"""The command line (SPEC §2): `python -m bot [run|sandbox|check-config|digest|report|export]`.

Problems with the config or the environment are printed one line each, naming the key,
and the process exits 1: never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

from bot.domain.durations import parse_duration
from bot.logs import setup_logging
from config import Config, ConfigError, Environment, read_environment
from config.describe import describe
from config.environment import load_desk_config
from config.redact import redact
from store import NotSaved, StoreUnavailable

POSTGRES = ("postgresql://", "postgres://")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="A service desk that lives in Slack.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="run the desk against Slack (the default)")
    sandbox = commands.add_parser(
        "sandbox", help="the desk against a local Slack, with a page to try every role"
    )
    sandbox.add_argument("--port", type=int, help="where the page is served (default: $PORT, else 3000)")
    sandbox.add_argument(
        "--reset", action="store_true", help="start afresh: empty the desk and its conversations"
    )
    sandbox.add_argument(
        "--data", default="sandbox-data", help="the sandbox's folder (default: ./sandbox-data)"
    )
    check = commands.add_parser("check-config", help="check the config and print the effective settings")
    check.add_argument(
        "--online",
        action="store_true",
        help="also ask Slack: token, scopes, channel membership, people, app token; and open the store",
    )
    digest = commands.add_parser("digest", help="build today's digest and send it to the leads now")
    digest.add_argument("--dry-run", action="store_true", help="print the digest instead of sending it")
    report = commands.add_parser("report", help="build the last week's report and send it to the leads now")
    report.add_argument("--dry-run", action="store_true", help="print the report instead of sending it")
    report.add_argument("--output", help="also write the chart to this PNG file")
    export = commands.add_parser("export", help="every ticket with its times, SLA results and rating")
    export.add_argument(
        "--since", default="30d", help='tickets opened in this past span, like "30d" (default)'
    )
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--output", help="write to this file instead of the standard output")
    store = commands.add_parser("store", help="check the store, or back it up beside a running desk")
    store_commands = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    store_commands.add_parser("check", help="read the store whole and say what it holds or what is damaged")
    backup = store_commands.add_parser("backup", help="write a consistent copy as one TinyDB file")
    store_commands.add_parser("rebuild-rollups", help="recompute the per-day report rollups from the tickets")
    backup.add_argument("file", help="where to write the copy")
    outbox = commands.add_parser("outbox", help="list what the desk owes Slack and what is parked")
    outbox.add_argument(
        "action", nargs="?", choices=["retry"], help="retry: put parked messages back in line and send them"
    )
    add_import_command(commands)
    args = parser.parse_args(argv)
    if args.command == "sandbox":
        return run_sandbox(Path(args.data), args.port, args.reset)
    try:
        offline = args.command in ("export", "store", "import") or (
            args.command in ("digest", "report") and args.dry_run
        )
        offline = offline or (args.command == "outbox" and not args.action)  # a listing reads the store
        config, env = load_settings(
            dict(os.environ),
            needs_slack=not offline,
            serves=args.command not in ("digest", "report", "store", "outbox"),
        )
    except ConfigError as problem:
        for line in problem.problems:
            print(f"config error: {line}", file=sys.stderr)
        return 1
    if args.command == "check-config":
        print(describe(config, env))
        stored = check_store(config.store_url)
        return max(stored, run_doctor(config, env)) if args.online else stored
    if args.command != "store" and config.store_url.startswith(POSTGRES) and check_store(config.store_url):
        return 1  # one line, not the pool's ten seconds of retries and a traceback
    if args.command == "export":
        return run_export(config, args.since, args.format, args.output, env)
    if args.command == "import":
        return run_import(config, env, args)
    if args.command == "store":
        return run_store(config, args.store_command, getattr(args, "file", None))
    if args.command == "outbox":
        return run_outbox(config, env, args.action)
    if args.command == "digest":
        return run_digest(config, env, args.dry_run)
    if args.command == "report":
        return run_report(config, env, args.dry_run, args.output)
    setup_logging(
        secrets=(env.bot_token, env.signing_secret, env.app_token, config.summaries.api_key),
        as_json=env.log_format == "json",
    )
    from bot.app import DeskApp, serve  # imported late: check-config needs none of Slack's modules

    try:
        asyncio.run(serve(DeskApp(config, env)))
    except StoreUnavailable as problem:
        complain(f"store error: {problem}")
        return 1
    except NotSaved as problem:  # PostgreSQL went away between the check and the open
        complain(f"store error: {config.store_url}: {problem}")
        return 1
    return 0


def run_doctor(config: Config, env: Environment) -> int:
    """`check-config --online`: one line per problem Slack shows, exit 1; else 0 (the store
    was tried already, by `check_store`)."""
    from bot.doctor import run  # imported late, like the desk itself

    logging.getLogger().addHandler(logging.NullHandler())  # the drivers' own chatter: not problems
    try:
        problems = run(config, env)
    except Exception as problem:  # a check that could not finish: one line, never a traceback
        said = redact(str(problem), (env.bot_token, env.app_token, env.signing_secret))[:200]
        complain(f"online check: could not finish ({type(problem).__name__}: {said})")
        return 1
    for line in problems:
        complain(f"online check: {line}")
    if not problems:
        complain("online check: Slack checks out")
    return 1 if problems else 0


def run_export(config: Config, since: str, form: str, output: str | None, env: Environment) -> int:
    """Write the export; 1 with one clear line when the span or the store is wrong. With a bot
    token, people's names go beside their ids (`bot.export`)."""
    from bot.export import export_text  # imported late, like the desk itself

    try:
        span = parse_duration(since)
    except ValueError as problem:
        print(f"export error: --since: {problem}", file=sys.stderr)
        return 1
    try:
        slack = (env.bot_token, env.api_url) if env.bot_token else None
        text, count, unnamed = asyncio.run(export_text(config, span, form, slack))
    except (StoreUnavailable, NotSaved) as problem:
        complain(f"store error: {problem}")
        return 1
    if unnamed:
        why = "Slack could not say who they are" if slack else "set SLACK_BOT_TOKEN to ask Slack"
        who = "1 person is" if unnamed == 1 else f"{unnamed} people are"
        print(f"export: {who} written by Slack id alone ({why})", file=sys.stderr)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        print(f"wrote {count} ticket{'s' if count != 1 else ''} to {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def add_import_command(commands: Any) -> None:
    """`python -m bot import SOURCE FILE ...` (SPEC §13): its arguments live with it."""
    from bot.moving_in.command import add_parser

    add_parser(commands)


def run_import(config: Config, env: Environment, args: argparse.Namespace) -> int:
    """Move tickets in from another desk (`bot.moving_in`); 1 with a line per problem."""
    from bot.moving_in.command import run

    return run(config, env, args)


def run_store(config: Config, action: str, file: str | None) -> int:
    """`store check` or `store backup FILE`; 1 with one clear line when the store is damaged."""
    from store import operator

    try:
        if action == "check":
            sys.stdout.write(asyncio.run(operator.check(config.store_url)))
        elif action == "rebuild-rollups":
            sys.stdout.write(asyncio.run(operator.rebuild_rollups(config)))
        else:
            assert file is not None
            sys.stdout.write(asyncio.run(operator.backup(config.store_url, Path(file))))
    except (StoreUnavailable, NotSaved) as problem:
        complain(f"store error: {problem}")
        return 1
    except OSError as problem:
        print(f"store error: cannot write {file} ({problem.strerror})", file=sys.stderr)
        return 1
    return 0


def run_outbox(config: Config, env: Environment, action: str | None) -> int:
    """`outbox` lists what is owed and parked; `outbox retry` sends the parked again."""
    from bot import outbox_command  # imported late, like the desk itself

    try:
        if action == "retry":
            sys.stdout.write(asyncio.run(outbox_command.retry(config, env)))
        else:
            sys.stdout.write(asyncio.run(outbox_command.list_owed(config)))
    except StoreUnavailable as problem:
        print(f"store error: {problem}", file=sys.stderr)
        return 1
    return 0


def run_sandbox(folder: Path, port: int | None, reset: bool) -> int:
    """The sandbox until Ctrl+C; 1 with one clear line when it cannot start."""
    from bot.sandbox.run import serve_sandbox  # imported late, like the desk itself

    setup_logging(secrets=(), level=logging.WARNING)  # the page shows what the bot does
    port_text = os.environ.get("PORT", "3000")
    if port is None:
        port = int(port_text) if port_text.isdigit() else 3000
    try:
        asyncio.run(serve_sandbox(folder, port, reset))
    except ConfigError as problem:
        for line in problem.problems:
            print(f"config error: {line}", file=sys.stderr)
        return 1
    except (StoreUnavailable, NotSaved) as problem:
        complain(f"store error: {problem}")
        return 1
    except OSError as problem:
        print(f"sandbox error: cannot serve on port {port} ({problem.strerror}); try --port", file=sys.stderr)
        return 1
    return 0


def run_digest(config: Config, env: Environment, dry_run: bool) -> int:
    """Send (or print) today's digest; 1 with one clear line when it cannot."""
    from bot.app import digest_now  # imported late, like the desk itself

    if not dry_run and not (config.digest.channel or config.desk.leads):
        print("digest error: nobody to send it to; set desk.leads or digest.channel", file=sys.stderr)
        return 1
    return _send("digest", digest_now(config, env, dry_run=dry_run), None)


def run_report(config: Config, env: Environment, dry_run: bool, output: str | None) -> int:
    """Send (or print) the last week's report; 1 with one clear line when it cannot."""
    from bot.app import report_now  # imported late, like the desk itself

    if not dry_run and not config.desk.leads:
        print("report error: nobody to send it to; set desk.leads", file=sys.stderr)
        return 1
    return _send("report", report_now(config, env, dry_run=dry_run, output=output), output)


def _send(what: str, sending: Coroutine[Any, Any, str], output: str | None) -> int:
    """Run an explicit send and print what it says; 1 with one clear line when it cannot."""
    from bot.slack.gateway import SlackFailure

    try:
        sys.stdout.write(asyncio.run(sending))
    except (StoreUnavailable, NotSaved) as problem:
        complain(f"store error: {problem}")
        return 1
    except SlackFailure as failure:
        print(f"{what} error: Slack refused it ({failure.error})", file=sys.stderr)
        return 1
    except OSError as problem:
        print(f"{what} error: cannot write {output} ({problem.strerror})", file=sys.stderr)
        return 1
    return 0


def complain(line: str) -> None:
    """One line on the standard error, with passwords and tokens redacted (`config.redact`)."""
    print(redact(line), file=sys.stderr)


def check_store(url: str) -> int:
    """0 when the store at `url` can be used now (`store.reach`); else 1, with one line
    naming the store (redacted) and why."""
    from store.reach import unreachable

    problem = asyncio.run(unreachable(url))
    if problem is None:
        return 0
    complain(f"store error: {url}: {problem}")
    return 1


def load_settings(
    variables: dict[str, str], needs_slack: bool = True, serves: bool = True
) -> tuple[Config, Environment]:
    """Config and environment together, so that every problem in either is listed at once."""
    problems: list[str] = []
    try:
        env = read_environment(variables, needs_slack=needs_slack, serves=serves)
    except ConfigError as problem:
        problems += problem.problems
        try:
            env = read_environment(variables, needs_slack=False)
        except ConfigError:
            raise ConfigError(problems) from None
    try:
        config = load_desk_config(env)
    except ConfigError as problem:
        problems += problem.problems
    if problems:
        raise ConfigError(problems)
    return config, env


if __name__ == "__main__":
    sys.exit(main())
