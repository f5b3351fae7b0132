"""History benchmark (SPEC §12, issue 37): a store with years of history behind it.

    python bench/history.py [--sizes 50000,200000,500000] [--window 20000] [--runs 3]
    python bench/history.py --store postgresql://127.0.0.1:5432/test --sizes 1000000 [--desks 3]
    python bench/history.py --sizes 500000 --no-all --folder DIR [--code BEFORE]  (TinyDB, kept)

For each size, a TinyDB store holds that many tickets: `--window` of them opened in the last
120 days (a tenth still open), the rest resolved in the four years before, moved to monthly
archive files by the store's own archiver (`archive_settled`, a month at a time, as the
desk's hourly job would have over the years). Then, in a fresh process each time:

- `open`: `TinyDBStore(path).open()` — seconds, and the process's peak memory (VmHWM);
- `desk`: `python -m bot` on that store against a local Slack, started until /healthz answers
  and its start-up jobs (the archive among them) have run — seconds, and its peak memory;
- `q90`, `report`, `report_warm`, `digest`: a lead's `/quality 90d` (its trend reaches two
  years back: the period shown from the tickets, the one before it from the rollups and its
  edge days' tickets, the older ones from the rollups), the weekly report as the leads get it
  (`Reports.compose`: its text and its 12-week chart drawn), the same in a process that drew
  a chart before (as a desk that warmed matplotlib after its start) and today's digest
  (`Digests.compose`, its trend lines included), each in a process of its own — seconds,
  CPU seconds, peak memory, and the longest the event loop waited.

Medians of `--runs`. For comparison, the same 50,000 tickets all in the window (no archive,
as before SPEC §12) are opened too. Prints a table, then one JSON line. Targets at 500,000:
the store opens in under 3 s and the desk stays under 400 MB.

With `--store postgresql://…` the same history is written straight into a schema of its own
(`bench_history_<size>`, with COPY and the rollups summed as the desk keeps them; kept for the
next run with `--keep`), and each run starts `--desks` desks on it at once, each measured
until its /healthz answers and for its peak memory (issue 37's targets at 1,000,000: under
3 s and 400 MB each); then `/quality 90d`, the weekly report and the digest as above
(issue 37's targets: under 0.5 s each, the event loop never held over 20 ms, under 400 MB).
`--code DIR` runs the desks (and the processes that ask) from another checkout of the project:
the same run before a change. For TinyDB, `--folder DIR` builds the stores there and keeps
them, so a run with `--code` measures the very same history (`--no-all`: without the
all-in-memory comparison).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import BOB, TRIAGE, bench_rollup, load_tickets, sample_ticket, start_desk
from memory import peak_memory_mb

from bot.domain.ticket import Ticket
from bot.localslack import LocalSlack, Workspace
from bot.localslack.workspace import BOT_USER, Channel, Person
from store import TinyDBStore

NOW = datetime.now(UTC).replace(microsecond=0)
WINDOW = timedelta(days=120)
YEARS = 4
OPEN_SCRIPT = """
import asyncio, json, sys, time
sys.path.append("bench")  # after the project: bench/store.py is not the store
from memory import peak_memory_mb
from store import TinyDBStore
async def main():
    began = time.perf_counter()
    store = TinyDBStore(sys.argv[1])
    await store.open()
    took = time.perf_counter() - began
    tickets = len(store.tables.tickets)
    await store.close()
    print(json.dumps({"seconds": took, "peak_mb": peak_memory_mb(), "in_memory": tickets}))
asyncio.run(main())
"""
# What a lead asks, in a process of its own: `/quality 90d` (its trend reaches two years back),
# the weekly report (its text and 12-week chart, as `Reports.compose` builds it for the leads)
# or today's digest (`Digests.compose`, with its trend lines): how long, the process's peak
# memory, the longest the event loop waited meanwhile, and the CPU time the process used (its
# threads' included: what it cost, however busy the machine). argv: the store, what to ask.
# `report_warm`: the weekly report in a process whose drawing process has started and drawn a
# chart already, as a desk that warmed its charts after its start (`bot.charts.warm_beside`)
# draws it. The chart is drawn in that process, so its CPU and memory are not the desk's.
ASKS = ("q90", "report", "report_warm", "digest")
ASK_SCRIPT = """
import asyncio, json, sys, time, tomllib
from datetime import UTC, datetime, timedelta
sys.path.append("bench")  # after the project: bench/store.py is not the store
from common import CONFIG, BOB, TRIAGE, loop_stall_during
from memory import peak_memory_mb
from bot.clock import Clock
from bot.desk import Desk, rollup_of
from bot.flows.digest import Digests
from bot.flows.quality import quality_report
from bot.flows.report import Reports
from config.settings import parse_config
from store import TinyDBStore, store_from_url
class Offline:  # the Slack of a desk that asks nothing: everyone reads the desk's language
    async def locale(self, person):
        return ""
async def ask(desk, what):
    now = desk.clock.now()
    if what == "q90":
        return await quality_report(desk, BOB, "90d")
    if what in ("report", "report_warm"):
        reports = Reports(desk)
        return await reports.compose(reports.weeks.monday(now))
    return await Digests(desk).compose(now.astimezone(desk.zone).date(), now)
async def main():
    where, what = sys.argv[1], sys.argv[2]
    url = where if "://" in where else "tinydb://" + where
    text = CONFIG.format(triage=TRIAGE, bob=BOB, store=url)
    config = parse_config(tomllib.loads(text.replace("leads = []", f'leads = ["{BOB}"]')))
    if "://" in where:  # PostgreSQL: the desk's window in memory, older tickets read with SQL
        store = store_from_url(where)
        store.keep_since = datetime.now(UTC) - config.keep_in_memory
    else:
        store = TinyDBStore(where)
    store.rollup = rollup_of(config)
    began = time.perf_counter()
    await store.open()
    opened = time.perf_counter() - began
    if what == "report_warm":  # as a desk that warmed its charts after its start (`bot.charts.warm_beside`)
        try:
            from bot.charts import PAINTER  # the drawing process started, matplotlib loaded in it
            await PAINTER.warm()
        except ImportError:  # (an older checkout, `--code`: drawn once on a thread)
            from bot.charts import ChartData, draw
            await asyncio.to_thread(draw, ChartData(["-"], [1], [1], [1.0], [4.0]), "")
    began, cpu = time.perf_counter(), time.process_time()
    work = asyncio.ensure_future(ask(Desk(config, store, Offline(), Clock()), what))
    stall = await loop_stall_during(work)
    took, cpu = time.perf_counter() - began, time.process_time() - cpu
    tickets = len(store.tables.tickets)
    await store.close()
    print(json.dumps({"seconds": took, "cpu_s": cpu, "peak_mb": peak_memory_mb(), "stall_ms": stall,
                      "open_s": opened, "in_memory": tickets}))
asyncio.run(main())
"""


def worked(number: int, opened: datetime, resolved: bool) -> Ticket:
    ticket = sample_ticket(number, opened).claim(BOB, opened + timedelta(minutes=40))
    return ticket.resolve(BOB, "done", opened + timedelta(hours=5)) if resolved else ticket


async def build(path: Path, size: int, window: int, *, archive: bool) -> float:
    """The store at `path`: `size - window` tickets of old history, then `window` recent ones;
    seconds it took."""
    began = time.perf_counter()
    store = TinyDBStore(path)
    store.rollup = bench_rollup()
    await store.open()
    old = size - window
    start = NOW - WINDOW - timedelta(days=365 * YEARS)
    step = timedelta(days=365 * YEARS) / max(1, old)
    month: list[Ticket] = []
    for number in range(1, old + 1):
        month.append(worked(number, start + step * number, resolved=True))
        ends_month = number == old or (start + step * (number + 1)).month != (start + step * number).month
        if ends_month:
            await load_tickets(store, month, batch=5000)
            if archive:
                await store.archive_settled(NOW - WINDOW)
            month = []
    recent = [
        worked(number, NOW - WINDOW + WINDOW * (i + 1) / (window + 1), resolved=i % 10 != 0)
        for i, number in enumerate(range(old + 1, size + 1))
    ]
    await load_tickets(store, recent, batch=5000)
    await store.compact()
    await store.close()
    return time.perf_counter() - began


def open_once(
    path: Path | str, script: str = OPEN_SCRIPT, cwd: Path | None = None, *args: str
) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", script, str(path), *args],
        cwd=cwd or Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


async def desk_once(folder: Path, path: Path, code: Path | None = None) -> dict[str, float]:
    people = [Person(BOB, "bob", "Bob Baker")]
    slack = LocalSlack(Workspace(people, [Channel(TRIAGE, "it-triage", {BOB, BOT_USER})]))
    await slack.start()
    began = time.perf_counter()
    desk, _ = await start_desk(slack, folder, path, cwd=code)
    took = time.perf_counter() - began
    try:
        await asyncio.sleep(2)  # its start-up jobs: the archive, the digest's catch-up
        peak = peak_memory_mb(desk.pid)
    finally:
        desk.terminate()
        await desk.wait()
        await slack.stop()
    return {"seconds": took, "peak_mb": peak}


async def desks_once(folder: Path, url: str, desks: int, code: Path | None) -> list[dict[str, float]]:
    """`desks` desks started at once on the store at `url`: each one's seconds until /healthz
    answered and its peak memory once its start-up jobs have run."""
    people = [Person(BOB, "bob", "Bob Baker")]
    slack = LocalSlack(Workspace(people, [Channel(TRIAGE, "it-triage", {BOB, BOT_USER})]))
    await slack.start()
    began = time.perf_counter()

    async def one(index: int) -> tuple[asyncio.subprocess.Process, float]:
        place = folder / f"desk-{index}"
        place.mkdir(exist_ok=True)
        process, _ = await start_desk(slack, place, url, cwd=code, wait=1200)  # (a before may be slow)
        return process, time.perf_counter() - began, cpu_seconds(process.pid)

    started = await asyncio.gather(*(one(i) for i in range(desks)))
    try:
        await asyncio.sleep(2)  # their start-up jobs: the archive, the digest's catch-up
        return [
            {"seconds": took, "cpu_s": cpu, "peak_mb": peak_memory_mb(process.pid)}
            for process, took, cpu in started
        ]
    finally:
        for process, _, _ in started:
            process.terminate()
            await process.wait()
        await slack.stop()


def cpu_seconds(pid: int) -> float:
    """The CPU time a process has used so far (user and system): what its start-up cost,
    whatever else the machine was doing meanwhile."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pg_schema_url(url: str, size: int) -> str:
    """The benchmark's URL: `url` with a schema of its own for `size` tickets of history."""
    base = url.split("?", 1)[0]
    return f"{base}?schema=bench_history_{size}"


async def build_pg(url: str, size: int, window: int) -> tuple[float, bool]:
    """The history of `build` written into the schema of `url` with COPY (the desk's own
    transactions would log every ticket again), the rollups as the desk keeps them; seconds
    it took, and False when the schema already held it (`--keep`)."""
    import psycopg
    from psycopg.types.json import Jsonb

    from bot.domain.rollup import add_counts
    from store.postgres_store import COLUMNS, PostgresStore
    from store.tables import encode_ticket

    began = time.perf_counter()
    store = PostgresStore(url)
    store.rollup = bench_rollup()
    store.keep_since = NOW  # (opened for its schema only: no history loaded)
    await store.open()
    await store.close()
    conninfo, schema = store._conninfo, store.schema
    with psycopg.connect(conninfo, autocommit=True, options=f"-c search_path={schema}") as conn:
        held = conn.execute("SELECT count(*) FROM tickets").fetchone()
        if held and held[0] == size:
            return time.perf_counter() - began, False
        conn.execute("TRUNCATE tickets, records, changes")
        old = size - window
        start = NOW - WINDOW - timedelta(days=365 * YEARS)
        step = timedelta(days=365 * YEARS) / max(1, old)
        rollups: dict[str, dict[str, int]] = {}
        columns = f"number, doc, is_open, requester, {', '.join(COLUMNS)}"

        def history() -> Iterator[Ticket]:
            for number in range(1, old + 1):
                yield worked(number, start + step * number, resolved=True)
            for i, number in enumerate(range(old + 1, size + 1)):
                yield worked(number, NOW - WINDOW + WINDOW * (i + 1) / (window + 1), resolved=i % 10 != 0)

        with conn.cursor() as cur, cur.copy(f"COPY tickets ({columns}) FROM STDIN") as copy:
            batch: list[Ticket] = []
            for ticket in history():
                doc = encode_ticket(ticket)
                row = (ticket.number, doc, ticket.is_open, ticket.requester, *store._columns(ticket))
                copy.write_row(row)
                batch.append(ticket)
                if len(batch) == 10_000:
                    for key, counts in store.rollup.of(batch).items():
                        rollups[key] = add_counts(rollups.get(key), counts)
                    batch = []
            for key, counts in store.rollup.of(batch).items():
                rollups[key] = add_counts(rollups.get(key), counts)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO records (tbl, key, doc) VALUES ('rollups', %s, %s)",
                [(key, Jsonb(row)) for key, row in rollups.items()],
            )
        conn.execute("SELECT setval('ticket_numbers', %s)", (size,))
        conn.execute("ANALYZE tickets")
        conn.execute("ANALYZE records")
    return time.perf_counter() - began, True


async def main_pg(args: argparse.Namespace) -> None:
    """The PostgreSQL rows of the benchmark: desks started on 1M tickets of history."""
    rows = []
    code = Path(args.code).resolve() if args.code else None
    for size in [int(s) for s in args.sizes.split(",")]:
        url = pg_schema_url(args.store, size)
        built, fresh = await build_pg(url, size, args.window)
        print(f"built {size} in {built:.1f} s" + ("" if fresh else " (kept from before)"), file=sys.stderr)
        with tempfile.TemporaryDirectory() as folder_name:
            runs = [await desks_once(Path(folder_name), url, args.desks, code) for _ in range(args.runs)]
        asked = asked_of(url, args.runs, code) if args.quality else {}
        every = [desk for run in runs for desk in run]
        rows.append(
            {
                "history": size,
                "desks": args.desks,
                "in_memory": int(asked["q90"][0]["in_memory"]) if asked else 0,
                "built_s": round(built, 1),
                "desk_start_s": median(every, "seconds"),
                "desk_start_max_s": round(max(d["seconds"] for d in every), 2),
                "desk_start_cpu_s": median(every, "cpu_s"),
                "desk_peak_mb": median(every, "peak_mb"),
                "desk_peak_max_mb": round(max(d["peak_mb"] for d in every), 1),
                "open_s": median(asked["q90"], "open_s") if asked else 0.0,
                **asked_columns(asked),
            }
        )
        print(f"done: {rows[-1]}", file=sys.stderr, flush=True)
        if not args.keep:
            await drop_pg_schema(url)
    print(
        f"{'history':>8} {'desks':>5} {'in memory':>9} {'desk s':>7} {'max s':>6} {'cpu s':>6} "
        f"{'desk MB':>8} "
        f"{'max MB':>7} {ASKED_HEADER}"
    )
    for row in rows:
        print(
            f"{row['history']:>8} {row['desks']:>5} {row['in_memory']:>9} {row['desk_start_s']:>7} "
            f"{row['desk_start_max_s']:>6} {row['desk_start_cpu_s']:>6} "
            f"{row['desk_peak_mb']:>8} {row['desk_peak_max_mb']:>7} {asked_cells(row)}"
        )
    biggest = rows[-1]
    summary = {
        "store": "postgresql",
        "window": args.window,
        "runs": args.runs,
        "code": str(code) if code else "this checkout",
        "rows": rows,
        "meets_target": biggest["desk_start_max_s"] < 3 and biggest["desk_peak_max_mb"] < 400,
    }
    print(json.dumps(summary))


async def drop_pg_schema(url: str) -> None:
    import psycopg

    from store.postgres_store import _split

    conninfo, schema = _split(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"DROP SCHEMA IF EXISTS {schema}_reporting CASCADE")


def asked_of(where: Path | str, runs: int, code: Path | None = None) -> dict[str, list[dict[str, float]]]:
    """`/quality 90d`, the weekly report and the digest, each asked `runs` times, each time in
    a fresh process on the store at `where` (`ASK_SCRIPT`)."""
    return {what: [open_once(where, ASK_SCRIPT, code, what) for _ in range(runs)] for what in ASKS}


# The row's columns of each ask (`quality_90d_*` for /quality, as before), and how they print.
COLUMN = {"q90": "quality_90d", "report": "report", "report_warm": "report_warm", "digest": "digest"}
ASKED_HEADER = " ".join(f"{f'{w} s':>8} {f'{w} cpu':>10} {f'{w} MB':>9} {f'{w} ms':>9}" for w in ASKS)


def asked_columns(asked: dict[str, list[dict[str, float]]]) -> dict[str, float]:
    """Each ask's medians: seconds, CPU seconds, peak memory (MB) and the event loop's longest
    wait (ms)."""
    found: dict[str, float] = {}
    for what in ASKS:
        runs = asked.get(what) or [{"seconds": 0.0, "cpu_s": 0.0, "peak_mb": 0.0, "stall_ms": 0.0}]
        found[f"{COLUMN[what]}_s"] = median(runs, "seconds")
        found[f"{COLUMN[what]}_cpu_s"] = median(runs, "cpu_s")
        found[f"{COLUMN[what]}_peak_mb"] = median(runs, "peak_mb")
        found[f"{COLUMN[what]}_stall_ms"] = median(runs, "stall_ms")
    return found


def asked_cells(row: dict) -> str:
    return " ".join(
        f"{row[f'{COLUMN[w]}_s']:>8} {row[f'{COLUMN[w]}_cpu_s']:>10} {row[f'{COLUMN[w]}_peak_mb']:>9} "
        f"{row[f'{COLUMN[w]}_stall_ms']:>9}"
        for w in ASKS
    )


def median(runs: list[dict[str, float]], key: str) -> float:
    return round(statistics.median(run[key] for run in runs), 2)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="50000,200000,500000")
    parser.add_argument("--window", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--store", default="tinydb", help="tinydb, or a postgresql:// URL")
    parser.add_argument("--desks", type=int, default=1, help="PostgreSQL: desks started at once")
    parser.add_argument("--keep", action="store_true", help="PostgreSQL: keep the schema for the next run")
    parser.add_argument("--code", help="run the desks and the asks from this checkout (a before)")
    parser.add_argument(
        "--no-all", dest="all", action="store_false", help="TinyDB: without the all-in-memory comparison"
    )
    parser.add_argument(
        "--folder", help="TinyDB: build the stores here and keep them; a later run reuses them (with --code)"
    )
    parser.add_argument(
        "--no-quality", dest="quality", action="store_false", help="PostgreSQL: desks only, no /quality"
    )
    args = parser.parse_args()
    if args.store.startswith(("postgresql://", "postgres://")):
        await main_pg(args)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    code = Path(args.code).resolve() if args.code else None
    rows = []
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(args.folder or folder_name)
        cases = [(sizes[0], False)] * args.all + [(size, True) for size in sizes]
        for size, archive in cases:
            case = folder / f"{size}-{'archive' if archive else 'all'}"
            path = case / "desk.json"
            kept = args.folder is not None and path.exists()  # built by an earlier run
            case.mkdir(parents=True, exist_ok=True)
            built = 0.0 if kept else await build(path, size, args.window, archive=archive)
            opens = [open_once(path, OPEN_SCRIPT, code) for _ in range(args.runs)]
            desks = [await desk_once(case, path, code) for _ in range(args.runs)] if archive else []
            asked = asked_of(path, args.runs, code)
            rows.append(
                {
                    "history": size,
                    "archive": archive,
                    "in_memory": int(opens[0]["in_memory"]),
                    "archive_files": len(list(case.glob("desk.archive-*.json"))),
                    "built_s": round(built, 1),
                    "open_s": median(opens, "seconds"),
                    "open_peak_mb": median(opens, "peak_mb"),
                    "desk_start_s": median(desks, "seconds") if desks else None,
                    "desk_peak_mb": median(desks, "peak_mb") if desks else None,
                    **asked_columns(asked),
                }
            )
            print(f"done: {rows[-1]}", file=sys.stderr, flush=True)
    print(
        f"{'history':>8} {'kept':<8} {'in memory':>9} {'files':>5} {'open s':>7} {'open MB':>8} "
        f"{'desk s':>7} {'desk MB':>8} {ASKED_HEADER}"
    )
    for row in rows:
        print(
            f"{row['history']:>8} {'window' if row['archive'] else 'all':<8} {row['in_memory']:>9} "
            f"{row['archive_files']:>5} {row['open_s']:>7} {row['open_peak_mb']:>8} "
            f"{row['desk_start_s'] if row['desk_start_s'] is not None else '-':>7} "
            f"{row['desk_peak_mb'] if row['desk_peak_mb'] is not None else '-':>8} "
            f"{asked_cells(row)}"
        )
    biggest = next(r for r in reversed(rows) if r["archive"])
    print(
        json.dumps(
            {
                "window": args.window,
                "runs": args.runs,
                "code": str(code) if code else "this checkout",
                "rows": rows,
                "meets_target": biggest["open_s"] < 3 and (biggest["desk_peak_mb"] or 0) < 400,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
