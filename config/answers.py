"""`[answers]` and `[knowledge]`: suggested answers at intake (issue 39).

[answers]
enabled = true                 # suggest answers before a ticket opens (default false)
threshold = 0.4                # confidence 0..1 an answer needs to be shown
off_for_teams = ["People"]     # teams whose requesters are never shown suggestions
retrieval = "auto"             # lexical, hybrid, embeddings; auto: hybrid with the `.[assist]` extra

[knowledge]
path = "knowledge"             # a folder of Markdown articles, indexed with resolved tickets
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from config.reader import Section

DEFAULT_THRESHOLD = 0.4
RETRIEVALS = ("auto", "lexical", "hybrid", "embeddings")


@dataclass(frozen=True)
class AnswersSettings:
    enabled: bool = False
    threshold: float = DEFAULT_THRESHOLD
    off_for_teams: tuple[str, ...] = ()
    knowledge_path: str = ""  # "" : no articles, only resolved tickets and saved replies
    retrieval: str = "auto"  # see bot/knowledge/vectors.py

    def on_for(self, team: str) -> bool:
        """Whether a requester of `team` is shown suggestions."""
        return self.enabled and team.casefold() not in {t.casefold() for t in self.off_for_teams}


def _threshold(value: float) -> float:
    if not 0.0 < value <= 1.0:
        raise ValueError(f"expected a confidence above 0 and at most 1, like 0.4; got {value}")
    return value


def _names(values: list[object]) -> tuple[str, ...]:
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise ValueError('expected a list of team names, like ["People"]')
    return tuple(str(v) for v in values)


def read_answers(root: Section, teams: tuple[str, ...]) -> AnswersSettings:
    """[answers] and [knowledge] from the config's root; `teams`: the desk's team names."""
    s = root.table("answers")
    enabled = s.get("enabled", bool, False)
    threshold = s.get("threshold", float, DEFAULT_THRESHOLD, _threshold)
    off = s.get("off_for_teams", list, [], _names) or ()
    known = {t.casefold() for t in teams}
    for name in off:
        if teams and name.casefold() not in known:
            s.error("off_for_teams", f"no team is called {name!r}; the teams are: {', '.join(teams)}")
    retrieval = s.get("retrieval", str, "auto", _retrieval) or "auto"
    if retrieval in ("hybrid", "embeddings") and importlib.util.find_spec("wordllama") is None:
        s.error("retrieval", f'"{retrieval}" needs the assist extra: pip install ".[assist]"')
    s.finish()
    k = root.table("knowledge")
    path = k.get("path", str, "")
    k.finish()
    return AnswersSettings(bool(enabled), threshold or DEFAULT_THRESHOLD, tuple(off), path or "", retrieval)


def _retrieval(value: str) -> str:
    if value not in RETRIEVALS:
        raise ValueError(f"expected one of {', '.join(RETRIEVALS)}; got {value!r}")
    return value
