"""What a channel Slack refuses costs the rest of the desk (issue 35): the bot is not in
#general, and `--messages` messages are owed there, interleaved with as many to #it-help,
where it is.

    python bench/parked.py [--messages 200]

The desk runs in this process against the local Slack (`bot.localslack`), its outbox's pace
per channel lifted so the figures show parking, not Slack's one-post-a-second. Figures: the
calls Slack refused, with the rule that a second message for a place refused whole parks at
its first refusal and without it (every message tried 3 times; each try after the first also
looks for an earlier attempt, refused as well); seconds until everything
for #it-help arrived and everything for #general was parked; DMs to the leads; then, after
the bot is invited (`member_joined_channel`), seconds until #general's messages arrived, and
whether any arrived twice. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.delivery.outbox import Pace
from bot.delivery.owed import owe
from bot.domain.owed import Conversation, Post
from bot.flows import parking
from bot.localslack.workspace import BOT_USER, TEAM_ID
from bot.slack.blocks import section
from tests.harness import CAROL, GENERAL, IT_HELP, bot_posts, dm_of, outbox_arrivals, running_desk


async def run(messages: int, place_wide: bool) -> dict[str, float]:
    if not place_wide:
        parking.PLACE_WIDE = frozenset()
    async with running_desk() as desk:
        desk.desk.outbox.pace = Pace(rate=10_000.0, burst=10_000.0)
        general = desk.slack.workspace.channels[GENERAL]
        general.members = set(general.members) - {BOT_USER}  # its own set: the demo's channels share one
        started = time.perf_counter()
        async with desk.desk.store.transaction() as tx:
            for n in range(messages):
                owe(tx, f"g{n}", Post(Conversation(GENERAL), f"General {n}", [section(f"General {n}")]))
                owe(tx, f"h{n}", Post(Conversation(IT_HELP), f"Help {n}", [section(f"Help {n}")]))
        await desk.idle(timeout=600)
        settled = time.perf_counter() - started
        refused = sum(
            1 for c in desk.slack.calls if c.error == "not_in_channel" and c.method == "chat.postMessage"
        )
        owed = await desk.desk.store.owed()
        parked = sum(1 for o in owed.values() if o.parked)
        told = [m for m in bot_posts(desk.slack, dm_of(desk, CAROL)) if "outbox retry" in str(m.blocks)]

        general.members.add(BOT_USER)
        invited = time.perf_counter()
        joined = {"type": "member_joined_channel", "user": BOT_USER, "channel": GENERAL, "team": TEAM_ID}
        await desk.people.event(joined)
        await desk.idle(timeout=600)
        after = time.perf_counter() - invited
        arrived = outbox_arrivals(desk.slack)
    parking.PLACE_WIDE = PLACE_WIDE
    return {
        "refused_posts": refused,
        "settled_s": round(settled, 2),
        "parked": parked,
        "leads_told": len(told),
        "delivered_after_invite_s": round(after, 2),
        "delivered": sum(arrived.values()),
        "twice": sum(1 for n in arrived.values() if n > 1),
    }


PLACE_WIDE = parking.PLACE_WIDE


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # thousands of refusals logged otherwise
    figures = {
        "place_wide": await run(args.messages, True),
        "every_message_3_tries": await run(args.messages, False),
    }
    print(f"{args.messages} messages for #general (bot not in it) among {args.messages} for #it-help")
    columns = f"{'refused posts':>15}{'settled s':>11}{'parked':>8}{'told':>6}{'after invite s':>16}"
    print(f"{'':24}{columns}{'twice':>7}")
    for name, f in figures.items():
        print(
            f"{name:24}{f['refused_posts']:>15}{f['settled_s']:>11}{f['parked']:>8}{f['leads_told']:>6}"
            f"{f['delivered_after_invite_s']:>16}{f['twice']:>7}"
        )
    print(json.dumps({"messages": args.messages, **figures}))


if __name__ == "__main__":
    asyncio.run(main())
