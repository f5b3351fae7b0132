"""Answers before tickets (issue 39): how well the knowledge base finds the answer to a request,
and how fast, on the labelled set in `bench/answers_set/set.json` (384 requests, English and
Chinese; 60 of them with no answer in the knowledge base).

    python bench/answers.py [--threshold 0.4] [--queries 300] [--tune]

For each path (`lexical`: BM25 over jieba-segmented words; `embeddings`: WordLlama sentence
vectors alone; `hybrid`: the two blended, what `[answers] retrieval = "auto"` takes with the
extra; the last two need `pip install ".[assist]"` and are "skipped", with null figures, without):
- precision@1: answerable requests whose first result answers them;
- recall@3: answerable requests with an answer among the first three results;
- shown_recall@3: the same, counting only results at or above the threshold (what people see);
- false_suggestions: unanswerable requests shown any suggestion (at or above the threshold);
- query time p50/p99 with 10k and 100k resolved tickets indexed besides the set's, timed once
  the index has answered some requests (the set's own tickets' words), each timed request new
  to the tokenizer (its cache cleared); and the time to build that index (what a start costs).
`--tune`: the threshold each path would pick, honestly: the set split in two halves (the
answerable requests by topic, the others alternately), on each half the lowest raw score whose
false-suggestion rate stays within 10%, measured on the *other* half.
A table, then one JSON line, last.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "answers_set"))

from common import spread  # noqa: E402
from topics import TOPICS  # noqa: E402

from bot.domain.priority import Priority  # noqa: E402
from bot.domain.ticket import Origin, open_ticket  # noqa: E402
from bot.knowledge import vectors  # noqa: E402
from bot.knowledge.base import article_entries, ticket_entry  # noqa: E402
from bot.knowledge.index import Entry, Hit, Index  # noqa: E402
from bot.knowledge.tokens import _chinese  # noqa: E402

SET = ROOT / "bench" / "answers_set" / "set.json"
WORK = Path("/tmp") / "desk-answers-bench"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def set_entries(data: dict[str, Any], folder: Path) -> list[Entry]:
    """The set's tickets, resolved as an agent would, and its articles, as the desk indexes them."""
    entries: list[Entry] = []
    for t in data["tickets"]:
        ticket = open_ticket(t["number"], "U0REQ0001", t["text"], "Software", Priority.P3, Origin("D1"), NOW)
        ticket = ticket.resolve("U0BOB0001", t["resolution"], NOW + timedelta(hours=1))
        entry = ticket_entry(ticket, f"T-{t['number']}")
        assert entry is not None
        entries.append(entry)
    folder.mkdir(parents=True, exist_ok=True)
    for article in data["articles"]:
        (folder / article["name"]).write_text(article["text"], encoding="utf-8")
    return entries + article_entries(folder)


def filler(n: int, start: int, rng: random.Random) -> list[Entry]:
    """`n` resolved tickets written from the topics' words, for timing at scale."""
    made = []
    for i in range(n):
        topic = rng.choice(TOPICS)
        lang = rng.choice(("en", "zh"))
        subjects, problems = topic[f"q_{lang}"]
        request = f"{rng.choice(subjects)} {rng.choice(problems)} ref{rng.randrange(100000)}"
        answer = topic[rng.choice(("en", "zh"))][1]
        made.append(Entry(f"ticket:{start + i}", "ticket", f"T-{start + i}", f"{request}\n{answer}", answer))
    return made


PATHS = ("lexical", "embeddings", "hybrid")


def new_index(path: str) -> Index:
    return Index() if path == "lexical" else vectors.EmbeddedIndex(path)


def quality(
    index: Index, queries: list[dict[str, Any]], threshold: float, raw: bool = False
) -> dict[str, Any]:
    """The figures at `threshold` on the hits' confidence (`raw`: on their ranking's own score)."""

    def shown(hit: Hit) -> bool:
        return (hit.score if raw else hit.confidence) >= threshold

    answerable = [q for q in queries if q["answers"]]
    unanswerable = [q for q in queries if not q["answers"]]
    p1 = r3 = seen = false = 0
    for q in answerable:
        hits = index.search(q["text"], 3)
        ids = [h.entry.id for h in hits]
        p1 += bool(ids) and ids[0] in q["answers"]
        r3 += any(i in q["answers"] for i in ids)
        seen += any(h.entry.id in q["answers"] and shown(h) for h in hits)
    for q in unanswerable:
        false += any(shown(h) for h in index.search(q["text"], 3))
    return {
        "precision@1": round(p1 / len(answerable), 3),
        "recall@3": round(r3 / len(answerable), 3),
        "shown_recall@3": round(seen / len(answerable), 3),
        "false_suggestions": round(false / len(unanswerable), 3),
    }


def halves(queries: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The set in two: answerable requests by topic (alternate topics), the others alternately."""
    topics = sorted({q["topic"] for q in queries if q["answers"]})
    first = {t for i, t in enumerate(topics) if i % 2 == 0}
    unanswerable = [q for q in queries if not q["answers"]]
    a = [q for q in queries if q["answers"] and q["topic"] in first] + unanswerable[0::2]
    b = [q for q in queries if q["answers"] and q["topic"] not in first] + unanswerable[1::2]
    return a, b


def tune(index: Index, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """Each half's threshold on the ranking's raw score (the lowest, in steps of 0.025, whose
    false suggestions stay within 10% on that half), and what it gives on the other half; and
    the one the desk uses (`bot/knowledge/vectors.py`'s TUNED): the higher of the two, which
    keeps within 10% on either half."""
    result: dict[str, Any] = {}
    a, b = halves(queries)
    steps = [round(0.025 * i, 3) for i in range(1, 41)]
    for name, (fit, held) in {"a->b": (a, b), "b->a": (b, a)}.items():
        chosen = next((t for t in steps if quality(index, fit, t, raw=True)["false_suggestions"] <= 0.1), 1.0)
        result[name] = {"threshold": chosen, **quality(index, held, chosen, raw=True)}
    result["both"] = max(result["a->b"]["threshold"], result["b->a"]["threshold"])
    return result


def timing(
    path: str, base: list[Entry], queries: list[dict[str, Any]], size: int, rng: random.Random
) -> dict[str, Any]:
    """The query times with `size` filler tickets indexed. The embedding paths keep their vectors
    in a file, as the desk does beside its store: the first path to need a size embeds them all
    (`embedded`) and saves them; the next reads them (what a start with the file costs)."""
    saved = WORK / f"filler-{size}.vectors.npz"
    index = Index() if path == "lexical" else vectors.EmbeddedIndex(path, saved)
    started = time.perf_counter()
    index.add_all(base)
    index.add_all(filler(size, 1000, rng))
    built = time.perf_counter() - started
    embedded = index.embedded if isinstance(index, vectors.EmbeddedIndex) else None
    if isinstance(index, vectors.EmbeddedIndex):
        index.save()
    for entry in base:  # a running desk's index has answered requests before: its arrays are built
        index.search(entry.text, 3)
    _chinese.cache_clear()  # but each timed request is new to the tokenizer
    times = []
    for q in queries:
        t0 = time.perf_counter()
        index.search(q["text"], 3)
        times.append((time.perf_counter() - t0) * 1000)
    return {"indexed": len(index), "build_s": round(built, 1), "embedded": embedded, **spread(times)}


def by_language(index: Index, queries: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    return {
        lang: quality(index, [q for q in queries if q["lang"] == lang], threshold) for lang in ("en", "zh")
    }


def skipped() -> dict[str, Any]:
    return {
        "status": 'skipped: the extra is not installed (pip install ".[assist]")',
        "precision@1": None,
        "recall@3": None,
        "shown_recall@3": None,
        "false_suggestions": None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threshold", type=float, default=0.4, help="the [answers] threshold (default 0.4)")
    parser.add_argument("--queries", type=int, default=300, help="requests timed at each size")
    parser.add_argument("--sizes", default="10000,100000", help="filler tickets indexed for timing")
    parser.add_argument("--paths", default=",".join(PATHS), help="which paths to measure")
    parser.add_argument("--tune", action="store_true", help="also pick each path's threshold on half the set")
    parser.add_argument(
        "--keep-vectors", action="store_true", help="read the filler's vectors an earlier run saved"
    )
    args = parser.parse_args()
    data = json.loads(SET.read_text(encoding="utf-8"))
    queries = data["queries"]
    base = set_entries(data, WORK / "knowledge")
    for old in [] if args.keep_vectors else WORK.glob("*.vectors.npz"):  # each run embeds once, afresh
        old.unlink()
    results: dict[str, Any] = {}
    for path in args.paths.split(","):
        if path != "lexical" and not vectors.available():
            results[path] = skipped()
            continue
        rng = random.Random(39)  # every path: the same sample and the same filler
        index = new_index(path)
        index.add_all(base)
        found: dict[str, Any] = {"status": "ok", **quality(index, queries, args.threshold)}
        found["by_language"] = by_language(index, queries, args.threshold)
        if args.tune:
            found["tuned"] = tune(index, queries)
        sample = rng.sample(queries, min(args.queries, len(queries)))
        for size in (int(s) for s in args.sizes.split(",") if s):
            found[f"query_ms_{size // 1000}k"] = timing(path, base, sample, size, rng)
        results[path] = found
    answerable = sum(1 for q in queries if q["answers"])
    print(
        f"answers benchmark: {len(queries)} requests ({answerable} answerable), {len(base)} entries, "
        f"threshold {args.threshold}"
    )
    print(
        f"{'path':<10} {'lang':<5} {'precision@1':>11} {'recall@3':>9} "
        f"{'shown_recall@3':>14} {'false_sugg':>10}"
    )
    for path, f in results.items():
        for lang, row in (("all", f), *f.get("by_language", {}).items()):
            cells = [
                row[k] if row[k] is not None else "-"
                for k in ("precision@1", "recall@3", "shown_recall@3", "false_suggestions")
            ]
            print(f"{path:<10} {lang:<5} {cells[0]:>11} {cells[1]:>9} {cells[2]:>14} {cells[3]:>10}")
    for path, f in results.items():
        for half, row in f.get("tuned", {}).items():
            if half == "both":
                print(f"{path} tuned: raw threshold {row} (the higher half's)")
                continue
            print(
                f"{path} tuned {half}: raw threshold {row['threshold']}, "
                f"held-out precision@1 {row['precision@1']}, shown_recall@3 {row['shown_recall@3']}, "
                f"false suggestions {row['false_suggestions']}"
            )
    for path, f in results.items():
        for key, value in f.items():
            if key.startswith("query_ms"):
                how = "" if value["embedded"] is None else f" ({value['embedded']} embedded, the rest read)"
                print(
                    f"{path} {key}: indexed {value['indexed']}, built in {value['build_s']} s{how}, "
                    f"p50 {value['p50']} ms, p99 {value['p99']} ms"
                )
    print(json.dumps({"requests": len(queries), "threshold": args.threshold, **results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
