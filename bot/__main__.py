"""The command line (SPEC §2): `python -m bot [check-config]`.

Problems with the config or the environment are printed one line each, naming the key,
and the process exits 1: never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from bot.logs import setup_logging
from config import Config, ConfigError, Environment, load_config, read_environment
from config.describe import describe
from store import StoreUnavailable


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="A service desk that lives in Slack.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="run the desk against Slack (the default)")
    commands.add_parser("check-config", help="check the config and print the effective settings")
    args = parser.parse_args(argv)
    try:
        config, env = load_settings(dict(os.environ))
    except ConfigError as problem:
        for line in problem.problems:
            print(f"config error: {line}", file=sys.stderr)
        return 1
    if args.command == "check-config":
        print(describe(config, env))
        return 0
    setup_logging(secrets=(env.bot_token, env.signing_secret, env.app_token))
    from bot.app import DeskApp, serve  # imported late: check-config needs none of Slack's modules

    try:
        asyncio.run(serve(DeskApp(config, env)))
    except StoreUnavailable as problem:
        print(f"store error: {problem}", file=sys.stderr)
        return 1
    return 0


def load_settings(variables: dict[str, str]) -> tuple[Config, Environment]:
    """Config and environment together, so that every problem in either is listed at once."""
    problems: list[str] = []
    try:
        env = read_environment(variables)
    except ConfigError as problem:
        problems += problem.problems
        try:
            env = read_environment(variables, needs_slack=False)
        except ConfigError:
            raise ConfigError(problems) from None
    try:
        config = load_config(env.config_path, env.store_override or None)
    except ConfigError as problem:
        problems += problem.problems
    if problems:
        raise ConfigError(problems)
    return config, env


if __name__ == "__main__":
    sys.exit(main())
