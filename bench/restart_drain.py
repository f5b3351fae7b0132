"""How fast a backlog owed to one busy channel drains after a restart (issue 37: "make it keep
up with what Slack's pace allows"), with one look back per conversation and, side by side in
the same run, with one look per message (the glances switched off, as the outbox did before
`bot/delivery/glances.py`).

    python bench/restart_drain.py [--owed 20] [--history 600] [--arrived 4]

The triage channel holds `--history` older messages, so one look back at it walks
`history / 200` pages of `conversations.history`; `--owed` messages are owed to it at a kill,
the first `--arrived` of them already in Slack. The desk is started again against the local
Slack with Slack's tiers on both sides (the desk's pacer and `LocalSlack.method_pace`:
conversations.history is Tier 3, chat.postMessage about one a second per channel). Figures:
seconds until nothing is owed, `conversations.history` calls, posts, and any message that
arrived twice. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.delivery import glances
from bot.localslack import LocalSlack
from bot.localslack.tiers import MethodPace
from bot.localslack.workspace import BOT_USER, Message
from bot.slack.pace import LIMITS, Pacer
from tests.harness import TRIAGE, demo_workspace, outbox_arrivals, owed_at_a_kill, running_desk


async def drain(owed: int, history: int, arrived: int, one_look_each: bool) -> dict[str, float]:
    keep = glances.KEEP
    if one_look_each:
        glances.KEEP = -1.0  # every glance already too old: each message looks on its own
    slack = LocalSlack(demo_workspace(), method_pace=MethodPace())
    await slack.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = f"tinydb://{folder}/desk.json"
            for n in range(history):  # the channel's past: people and the bot, long before
                who = BOT_USER if n % 3 == 0 else "U0ALICE01"
                slack.workspace.add_message(Message(TRIAGE, slack.workspace.next_ts(), who, f"Earlier {n}"))
            keys = [f"note-{n}" for n in range(owed)]
            await owed_at_a_kill(url, slack, TRIAGE, keys, arrived)
            since = len(slack.calls)
            started = time.perf_counter()
            async with running_desk(url, slack=slack, pacer=Pacer(dict(LIMITS))) as desk:
                await desk.idle(timeout=900)
                seconds = time.perf_counter() - started
            calls = slack.calls[since:]
            arrivals = outbox_arrivals(slack)
    finally:
        glances.KEEP = keep
        await slack.stop()
    return {
        "drained_s": round(seconds, 1),
        "history_calls": sum(1 for c in calls if c.method == "conversations.history"),
        "posts": sum(1 for c in calls if c.method == "chat.postMessage" and not c.error),
        "refused_429": sum(1 for c in calls if c.status == 429),
        "twice": sum(1 for key in keys if arrivals[key] > 1),
        "missing": sum(1 for key in keys if arrivals[key] == 0),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--owed", type=int, default=20)
    parser.add_argument("--history", type=int, default=600)
    parser.add_argument("--arrived", type=int, default=4)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    rows = {
        "one look per conversation": await drain(args.owed, args.history, args.arrived, one_look_each=False),
        "one look per message": await drain(args.owed, args.history, args.arrived, one_look_each=True),
    }
    print(f"{args.owed} owed to a channel of {args.history} messages, {args.arrived} of them already there")
    print(f"{'':28} {'drained':>9} {'history':>8} {'posts':>6} {'429s':>5} {'twice':>6} {'missing':>8}")
    for name, row in rows.items():
        print(
            f"{name:28} {row['drained_s']:>8}s {row['history_calls']:>8} {row['posts']:>6}"
            f" {row['refused_429']:>5} {row['twice']:>6} {row['missing']:>8}"
        )
    print(json.dumps({"owed": args.owed, "history": args.history, "arrived": args.arrived, **rows}))


if __name__ == "__main__":
    asyncio.run(main())
