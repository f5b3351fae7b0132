"""Words of a request, for lexical ranking: Latin-script words lightly normalised, Chinese
segmented with `jieba` (its dictionary ships inside the package: nothing is downloaded).

Pure and deterministic: `tokens(text)` gives the same list for the same text.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache, lru_cache
from typing import Any

# Runs of CJK ideographs, and runs of letters/digits (any other script: one word per run).
_IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_IDEOGRAPHS}]+|[^\W_{_IDEOGRAPHS}]+(?:['’][^\W_{_IDEOGRAPHS}]+)*")
_CJK = re.compile(rf"[{_IDEOGRAPHS}]")


def _listed(words: str) -> frozenset[str]:
    return frozenset(words.split())


STOP_EN = _listed(
    """a an the and or but if then so of to in on at by for with from into about as is are was were be
    been being am do does did doing have has had having i me my we our you your he she it its they them
    their this that these those there here what which who whom when where why how can could would should
    will shall may might must not no yes just also any some all very too again still please hi hello
    thanks thank help need want get got up out anyone someone one"""
)
STOP_ZH = _listed(
    "的 了 是 我 你 他 她 它 们 我们 你们 在 有 和 与 也 就 都 而 及 或 一个 这 那 这个 那个 吗 呢 吧 啊 "
    "请 请问 谢谢 麻烦 帮 帮忙 一下 怎么 怎么办 如何 为什么 什么 不 没 没有 能 能不能 可以 会 要 想 "
    "还 又 很 太 把 被 给 让 从 到 对 说 下 上 里 中 时候 现在 今天 一直 老是 总是 ， 。 ？ ！"
)


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A word's stem (cached: requests repeat their words, and learning 20k tickets at start
    stemmed each of their words afresh; issue 37)."""
    stem = _strip_ending(word)
    return stem[:-1] if len(stem) > 4 and stem.endswith("e") else stem  # "expire" meets "expired"


def _strip_ending(word: str) -> str:
    """A light English normalisation: plurals and the commonest endings, no dictionary.
    Enough for "passwords"/"password", "printing"/"print", "locked"/"lock"."""
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    for ending, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            if ending == "s" and word.endswith("ss"):
                return word
            if ending == "es" and not word.endswith(("ses", "xes", "ches", "shes")):
                continue
            base = word[: len(word) - len(ending)] + keep
            if ending in ("ing", "ed") and len(base) > 3 and base[-1] == base[-2] and base[-1] not in "ls":
                base = base[:-1]  # "stopped" -> "stop", "dropping" -> "drop"
            return base
    return word


@cache
def _jieba() -> Any:
    """jieba, imported at the first Chinese words (a desk starts without it: issue 37)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it announces its dictionary load on stderr otherwise
    return jieba


@lru_cache(maxsize=4096)
def _chinese(run: str) -> tuple[str, ...]:
    """A run of ideographs as words: jieba's search mode also yields the parts of long words
    (`密码重置` -> 密码, 重置, 密码重置), so a request and an answer phrased differently meet."""
    return tuple(w for w in _jieba().lcut_for_search(run) if w.strip() and w not in STOP_ZH)


def tokens(text: str) -> list[str]:
    """The words of `text` that carry meaning, in order (repeats kept: BM25 counts them)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    found: list[str] = []
    for run in _RUNS.findall(folded):
        if _CJK.match(run):
            found.extend(_chinese(run))
        elif run not in STOP_EN:
            word = run.replace("’", "'").removesuffix("'s")
            found.append(_stem(word))
    return [w for w in found if w and w not in STOP_EN]
