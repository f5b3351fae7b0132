"""Dispatch benchmark (issue 36, `handlers.table`): what Bolt spends finding the listener for a
request, before the listener runs, on the desk's own app.

    python bench/dispatch.py [--repeat 3000] [--desk-code DIR]

Starts a desk on the memory store with the local Slack (as the tests do), then for each kind of
request `bench/ack.py` sends (a `/claim T-12`, a Claim button on a card) and a form submitted
(the Reply form), asks Bolt's listeners in their order whether they match, as `AsyncApp`'s
dispatch does, until one does; `--repeat` times each. Prints the median and p99 in microseconds
and how many listeners were asked, then one JSON line. `--desk-code DIR`: another checkout's desk
(a before/after). No listener runs: nothing is acked, nothing is written.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode


def requests() -> dict[str, str]:
    from bot.localslack.workspace import APP_ID, TEAM_ID
    from tests.harness import BOB, TRIAGE

    command = {
        "team_id": TEAM_ID,
        "channel_id": TRIAGE,
        "user_id": BOB,
        "command": "/claim",
        "text": "T-12",
        "api_app_id": APP_ID,
        "response_url": "http://127.0.0.1/response/x",
        "trigger_id": "1.1.tr",
    }
    click = {
        "type": "block_actions",
        "user": {"id": BOB, "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "team": {"id": TEAM_ID},
        "channel": {"id": TRIAGE},
        "trigger_id": "1.2.tr",
        "response_url": "http://127.0.0.1/response/y",
        "actions": [{"type": "button", "action_id": "claim", "block_id": "ticket:12", "value": "12"}],
    }
    form = {
        "type": "view_submission",
        "user": {"id": BOB, "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "team": {"id": TEAM_ID},
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "reply_form",
            "private_metadata": "12:",
            "state": {"values": {}},
        },
    }
    return {
        "/claim T-12": urlencode(command),
        "Claim button": urlencode({"payload": json.dumps(click)}),
        "Reply form": urlencode({"payload": json.dumps(form)}),
    }


async def measure(repeat: int) -> dict[str, dict[str, float]]:
    from slack_bolt.request.async_request import AsyncBoltRequest
    from slack_bolt.response import BoltResponse

    from tests.harness import running_desk

    found: dict[str, dict[str, float]] = {}
    async with running_desk() as run:
        listeners = run.desk.bolt._async_listeners
        for name, body in requests().items():
            times, asked = [], 0
            for _ in range(repeat):
                request = AsyncBoltRequest(
                    body=body, headers={"content-type": ["application/x-www-form-urlencoded"]}
                )
                response = BoltResponse(status=200)
                started = time.perf_counter()
                asked = 0
                for listener in listeners:  # as AsyncApp.async_dispatch asks them
                    asked += 1
                    if await listener.async_matches(req=request, resp=response):
                        break
                else:
                    raise AssertionError(f"no listener for {name}")
                times.append((time.perf_counter() - started) * 1e6)
            times.sort()
            found[name] = {
                "median_us": round(statistics.median(times), 1),
                "p99_us": round(times[int(len(times) * 0.99) - 1], 1),
                "listeners_asked": asked,
                "listeners": len(listeners),
            }
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3000)
    parser.add_argument("--desk-code", default=None, help="another checkout whose desk is measured")
    args = parser.parse_args()
    code = Path(args.desk_code).resolve() if args.desk_code else Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(code))
    found = asyncio.run(measure(args.repeat))
    print(f"{'request':16s} {'median us':>10s} {'p99 us':>10s} {'listeners asked':>16s}")
    for name, figures in found.items():
        asked = f"{figures['listeners_asked']:.0f} of {figures['listeners']:.0f}"
        print(f"{name:16s} {figures['median_us']:10.1f} {figures['p99_us']:10.1f} {asked:>16s}")
    print(json.dumps({"desk_code": args.desk_code or "this checkout", "repeat": args.repeat, **found}))


if __name__ == "__main__":
    main()
