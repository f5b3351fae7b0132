"""What a 429 storm costs (issue 34 item 7): 15 people write to the desk at once while Slack's
Web API answers the next 40 calls with 429 (`Retry-After`), then the 50 after with 500.

    python bench/ratelimit.py [--people 15] [--limited 40] [--errors 50] [--retry-after 1]
                              [--limited-for SECONDS] [--desk-code DIR] [--deadline 240]

`--limited-for`: instead of a count of 429s, Slack refuses every call for that many seconds,
each 429 saying how many are left in its `Retry-After` (a real rate-limit window), then the
`--errors` 500s follow.

The desk runs as `python -m bot` (HTTP mode, a fresh TinyDB store) from `--desk-code` (this
checkout by default; point it at another checkout, such as the main branch's, for a "before"
figure), against the local Slack of this checkout. Figures: calls the desk made from the first
fault until every question had arrived (by method, and how many failed), look-ups
(conversations.history / .replies), questions within 90 s, when the last arrived, and how often
/healthz said idle while a message was still owed. A table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import BOB, CONFIG, TRIAGE, free_port, slack_env, start

from bot.localslack import LocalSlack, Workspace
from bot.localslack.driver import Driver
from bot.localslack.workspace import BOT_USER, Channel, Person

HERE = Path(__file__).resolve().parent.parent
SOON = 90.0  # seconds: "only 1 of 15 requests got its question within 90 s"


async def watch_health(port: int, stop: asyncio.Event, seen: Counter[str]) -> None:
    """Poll /healthz; count the answers that said idle while something was owed."""
    async with aiohttp.ClientSession() as http:
        while not stop.is_set():
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    health = await response.json()
                seen["polls"] += 1
                if health.get("idle") and health.get("outbox", {}).get("waiting", 0) > 0:
                    seen["idle_while_owed"] += 1
                seen["waiting"] = health.get("outbox", {}).get("waiting", 0)
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=15)
    parser.add_argument("--limited", type=int, default=40, help="calls answered 429 first")
    parser.add_argument("--errors", type=int, default=50, help="calls answered 500 after them")
    parser.add_argument("--retry-after", type=int, default=1, help="seconds, in each 429")
    parser.add_argument("--limited-for", type=float, default=0.0, help="seconds of 429s (not a count)")
    parser.add_argument("--desk-code", default=str(HERE), help="the checkout whose desk runs")
    parser.add_argument("--deadline", type=float, default=240.0, help="seconds to wait at most")
    args = parser.parse_args()
    people = [f"U0R{i:07d}" for i in range(args.people)]
    cast = [Person(BOB, "bob", "Bob Baker")] + [Person(u, f"r{u[-4:]}", f"Person {u[-4:]}") for u in people]
    slack = LocalSlack(Workspace(cast, [Channel(TRIAGE, "it-triage", {BOB, BOT_USER})]))
    await slack.start()
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        config = folder / "desk.toml"
        config.write_text(CONFIG.format(triage=TRIAGE, bob=BOB, store=f"tinydb://{folder / 'desk.json'}"))
        port = free_port()
        env = {**slack_env(slack), "DESK_CONFIG": str(config), "PORT": str(port)}
        desk = await start(
            [sys.executable, "-m", "bot"], env, port, folder / "desk.log", cwd=Path(args.desk_code)
        )
        slack.request_url = f"http://127.0.0.1:{port}/slack/events"
        driver = Driver(slack)
        faults = slack.faults
        faults.retry_after = args.retry_after

        def then_errors(method: str) -> None:  # 429s first, then 5xx (the local Slack checks 5xx first)
            if faults.rate_limited == 0 and not switched:
                switched.append(True)
                faults.server_errors = args.errors

        switched: list[bool] = []
        slack.watchers.append(then_errors)
        first = len(slack.calls)
        faults.rate_limited = args.limited if not args.limited_for else 10**9
        began = time.perf_counter()

        async def window() -> None:  # every call refused until the window ends, saying how long
            while (left := began + args.limited_for - time.perf_counter()) > 0:
                faults.retry_after = max(1, math.ceil(left))
                await asyncio.sleep(0.05)
            faults.rate_limited = 0
            then_errors("")

        windowed = asyncio.create_task(window()) if args.limited_for else None
        asked: dict[str, float] = {}
        health: Counter[str] = Counter()
        stop = asyncio.Event()
        watcher = asyncio.create_task(watch_health(port, stop, health))
        try:
            await asyncio.gather(
                *(driver.say(user, driver.ws.im_with(user).id, "VPN is down") for user in people)
            )
            dms = {driver.ws.im_with(user).id for user in people}
            deadline = began + args.deadline
            while time.perf_counter() < deadline:
                for dm in dms - set(asked):
                    if any(m.user == BOT_USER and m.blocks for m in slack.workspace.channels[dm].messages):
                        asked[dm] = time.perf_counter() - began
                if len(asked) == len(dms) and health["waiting"] == 0 and faults.server_errors == 0:
                    break
                await asyncio.sleep(0.2)
            done_at = time.perf_counter() - began
        finally:
            stop.set()
            await watcher
            if windowed is not None:
                windowed.cancel()
            desk.terminate()
            await desk.wait()
            await slack.stop()
    calls = slack.calls[first:]
    limits = (
        f"every call 429 for {args.limited_for:g} s (Retry-After: what is left)"
        if args.limited_for
        else f"{args.limited} × 429 (Retry-After {args.retry_after} s)"
    )
    by_method = Counter(c.method for c in calls)
    failed = Counter(c.method for c in calls if c.status != 200)
    look_ups = sum(n for m, n in by_method.items() if m in ("conversations.history", "conversations.replies"))
    soon = sum(1 for seconds in asked.values() if seconds <= SOON)
    last = max(asked.values(), default=None)
    rows = [
        ("desk code", args.desk_code),
        ("faults", f"{limits}, then {args.errors} × 500"),
        ("people asked their question", f"{len(asked)} of {args.people}; {soon} within {SOON:g} s"),
        ("last question arrived", f"{last:.1f} s after the first fault" if last is not None else "never"),
        ("calls to Slack", f"{len(calls)} ({sum(failed.values())} failed) until all was delivered"),
        (
            "look-ups",
            f"{look_ups} ({sum(n for m, n in failed.items() if m.startswith('conversations.'))} failed)",
        ),
        ("/healthz idle while owed", f"{health['idle_while_owed']} of {health['polls']} answers"),
    ]
    for name, value in rows:
        print(f"{name:<30} {value}")
    print(
        f"{'calls by method':<30} "
        + ", ".join(f"{m} {n} ({failed[m]} failed)" for m, n in sorted(by_method.items()))
    )
    print(
        json.dumps(
            {
                "desk_code": args.desk_code,
                "people": args.people,
                "limited": args.limited if not args.limited_for else None,
                "limited_for_s": args.limited_for or None,
                "refused_429": sum(1 for c in calls if c.status == 429),
                "errors": args.errors,
                "asked": len(asked),
                "asked_within_90s": soon,
                "last_question_s": round(last, 1) if last is not None else None,
                "finished_s": round(done_at, 1),
                "calls": len(calls),
                "failed_calls": sum(failed.values()),
                "look_ups": look_ups,
                "calls_by_method": dict(sorted(by_method.items())),
                "failed_by_method": dict(sorted(failed.items())),
                "idle_while_owed": health["idle_while_owed"],
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
