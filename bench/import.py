"""Import benchmark (issue 40): moving a large desk in.

    python bench/import.py [--tickets 100000] [--stores tinydb,postgresql] [--postgres URL]

Writes a Zendesk-style export of `--tickets` tickets (each with two comments, a tenth still
open, a satisfaction rating on half the solved ones) and a desk CSV of the same size, then
runs `python -m bot import` on each into an empty store, as an operator would (no Slack:
people are Slack ids or kept by name). Measures the whole command: reading, checking,
numbering, building each ticket and its trail, writing in batches. Then a second run, which
must find every ticket already there and write nothing. PostgreSQL runs in a schema of its
own, dropped afterwards. Prints a table, then one JSON line. Target: 100,000 tickets in under
2 minutes on each store.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = """
[desk]
timezone = "Europe/Berlin"
triage_channel = "C0TRIAGE1"
agents = ["U0BOB0001"]
leads = []

[store]
url = "{store}"
"""
START = datetime(2024, 1, 1, tzinfo=UTC)


def zendesk_file(path: Path, count: int) -> None:
    """A page of Zendesk's incremental export, users side-loaded, one ticket a line."""
    users = [{"id": n, "name": f"Person {n}", "email": f"person{n}@example.com"} for n in range(1, 501)]
    with path.open("w") as out:
        out.write('{"tickets": [\n')
        for n in range(count):
            opened = START + timedelta(minutes=5 * n)
            solved = n % 10 != 0
            ticket = {
                "id": 100000 + n,
                "created_at": opened.isoformat(),
                "updated_at": (opened + timedelta(hours=5)).isoformat(),
                "subject": f"Request {n}",
                "description": "words " * 30,
                "status": "solved" if solved else "open",
                "priority": ["urgent", "high", "normal", "low"][n % 4],
                "requester_id": 1 + n % 500,
                "assignee_id": 1 + (n + 7) % 20,
                "tags": ["x"],
                "satisfaction_rating": {"score": "good" if n % 3 else "bad", "comment": ""}
                if solved and n % 2
                else None,
                "comments": [
                    {
                        "author_id": 1 + (n + 7) % 20,
                        "body": "On it",
                        "public": True,
                        "created_at": (opened + timedelta(minutes=30)).isoformat(),
                    },
                    {
                        "author_id": 1 + n % 500,
                        "body": "Thanks",
                        "public": True,
                        "created_at": (opened + timedelta(hours=1)).isoformat(),
                    },
                ],
            }
            out.write(("," if n else "") + json.dumps(ticket) + "\n")
        out.write('],\n"users": ' + json.dumps(users) + "}\n")


def desk_csv_file(path: Path, count: int) -> None:
    """The desk's own export's columns, as many rows."""
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["ticket", "opened_at", "requester", "category", "priority", "status", "assignee",
                         "first_response_at", "resolved_at", "rating", "text"])  # fmt: skip
        for n in range(count):
            opened = START + timedelta(minutes=5 * n)
            solved = n % 10 != 0
            writer.writerow([
                f"T-{n + 1}", opened.isoformat(), f"U{n % 500:08d}", "Software", f"P{1 + n % 4}",
                "resolved" if solved else "claimed", "U0BOB0001",
                (opened + timedelta(minutes=30)).isoformat(),
                (opened + timedelta(hours=5)).isoformat() if solved else "", (1 + n % 5) if solved else "",
                f"Request {n}: " + "words " * 30,
            ])  # fmt: skip


def run_import(folder: Path, store: str, source: str, path: Path) -> tuple[float, str]:
    config = folder / f"{uuid.uuid4().hex}.toml"
    config.write_text(CONFIG.format(store=store))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "import", source, str(path)],
        cwd=ROOT, env={"DESK_CONFIG": str(config), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"import failed: {done.stderr.strip()}")
    return seconds, done.stdout.splitlines()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--stores", default="tinydb,postgresql")
    parser.add_argument(
        "--postgres", default=os.environ.get("DESK_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test")
    )
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        files = {"zendesk": folder / "zendesk.json", "csv": folder / "desk.csv"}
        zendesk_file(files["zendesk"], args.tickets)
        desk_csv_file(files["csv"], args.tickets)
        for backend in args.stores.split(","):
            for source, path in files.items():
                schema = f"bench_import_{uuid.uuid4().hex[:8]}"
                if backend == "tinydb":
                    url = f"tinydb://{folder / uuid.uuid4().hex / 'desk.json'}"
                else:
                    url = f"{args.postgres}?schema={schema}"
                try:
                    first, said = run_import(folder, url, source, path)
                    again, said_again = run_import(folder, url, source, path)
                finally:
                    if backend != "tinydb":
                        import psycopg

                        with psycopg.connect(args.postgres, autocommit=True) as conn:
                            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                assert f"Imported {args.tickets} new" in said, said
                assert "Imported 0 new" in said_again, said_again
                results.append({
                    "store": backend, "source": source, "tickets": args.tickets,
                    "seconds": round(first, 1), "per_second": round(args.tickets / first),
                    "again_seconds": round(again, 1),
                })  # fmt: skip
    print(f"{'store':<11} {'source':<8} {'tickets':>8} {'seconds':>8} {'tickets/s':>10} {'2nd run s':>10}")
    for r in results:
        print(
            f"{r['store']:<11} {r['source']:<8} {r['tickets']:>8} {r['seconds']:>8} "
            f"{r['per_second']:>10} {r['again_seconds']:>10}"
        )
    worst = max(r["seconds"] for r in results)
    print(f"target: {args.tickets:,} tickets in under 120 s on each store; slowest {worst} s")
    print(json.dumps({"import": results, "slowest_seconds": worst, "target_seconds": 120}))


if __name__ == "__main__":
    main()
