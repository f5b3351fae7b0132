"""Writes `bench/answers_set/set.json`, the answers benchmark's labelled requests (issue 39).

    python bench/answers_set/make_set.py

Each topic of `topics.py` gives two resolved tickets (English, Chinese), sometimes an article,
and requests built from its subjects and problems in everyday frames, five in English and four
in Chinese, each labelled with the entries that answer it (either language's ticket, or the
article). The unanswered requests are labelled with none. Seeded: the same file every time.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from topics import TOPICS, UNANSWERED_EN, UNANSWERED_ZH

FRAMES_EN = [
    "{s} {p}",
    "Hi, {s} {p}.",
    "Since this morning {s} {p}, can you help?",
    "{s} {p} - any idea?",
    "hello team, {s} {p} again :(",
    "Quick one: {s} {p}",
    "I think {s} {p}. What should I do?",
]
FRAMES_ZH = [
    "{s}{p}",
    "你好，{s}{p}，怎么办？",
    "从今天早上开始{s}就{p}",
    "请问{s}{p}怎么处理",
    "麻烦看一下，{s}{p}",
]
PER_TOPIC = {"en": 5, "zh": 4}


def _requests(
    rng: random.Random, subjects: list[str], problems: list[str], frames: list[str], n: int
) -> list[str]:
    pairs = [(s, p) for s in subjects for p in problems]
    rng.shuffle(pairs)
    made: list[str] = []
    for s, p in pairs[:n]:
        text = rng.choice(frames).format(s=s, p=p)
        made.append(text[0].upper() + text[1:])
    return made


def build() -> dict[str, object]:
    rng = random.Random(39)
    tickets, articles, queries = [], [], []
    for topic in TOPICS:
        answers = []
        for lang in ("en", "zh"):
            request, resolution = topic[lang]
            number = len(tickets) + 1
            tickets.append({"number": number, "lang": lang, "text": request, "resolution": resolution})
            answers.append(f"ticket:{number}")
        if "article" in topic:
            title, body = topic["article"]
            name = f"{topic['key'].replace('_', '-')}.md"
            articles.append({"name": name, "text": f"# {title}\n\n{body}\n"})
            answers.append(f"article:{name}")
        for lang, frames in (("en", FRAMES_EN), ("zh", FRAMES_ZH)):
            subjects, problems = topic[f"q_{lang}"]
            for text in _requests(rng, subjects, problems, frames, PER_TOPIC[lang]):
                queries.append({"text": text, "lang": lang, "topic": topic["key"], "answers": answers})
    for lang, texts in (("en", UNANSWERED_EN), ("zh", UNANSWERED_ZH)):
        queries.extend({"text": t, "lang": lang, "topic": None, "answers": []} for t in texts)
    return {"tickets": tickets, "articles": articles, "queries": queries}


if __name__ == "__main__":
    out = Path(__file__).with_name("set.json")
    data = build()
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(
        f"{out}: {len(data['queries'])} requests, {len(data['tickets'])} tickets, "
        f"{len(data['articles'])} articles"
    )
