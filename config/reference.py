"""The configuration reference (docs/configuration.md): every key the reader accepts, with its
default and what it means, drawn when the documentation is built so it cannot drift.

The keys are not listed by hand. `accepted_keys` asks the reader itself: it puts an unknown key
into each table and reads the reader's answer ("unknown key; expected one of: …"), so a key the
reader learns appears here. Defaults are the values `check-config` prints for a minimal config
(`config.describe`). Only the meanings are written here, and `reference_markdown` refuses to draw
a key without one.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from config.describe import describe
from config.environment import DEFAULT_API_URL, Environment
from config.settings import ConfigError, parse_config

PROBE = "zz_probe"  # a key no table takes
ANY_NAME = "<name>"  # a table whose keys are names of your own (saved replies)

# What each key means, in the order the reference shows them. `team.` keys are those of each
# [[team]] table; `Px` stands for each of P1 … P4; `a.b.*` is one line for every key under `a.b`.
MEANINGS: dict[str, str] = {
    "desk.name": "how the desk introduces itself (and signs its replies)",
    "desk.timezone": 'IANA zone for business hours, digests, "today"',
    "desk.language": (
        '`"en"` or `"zh-CN"`: channel posts, and people whose Slack locale is unknown '
        "(a person's own Slack locale wins for what is said to them alone)"
    ),
    "desk.triage_channel": "channel ID where new tickets are posted (one team)",
    "desk.ticket_prefix": "`T` → tickets `T-1`, `T-2`; 1–10 letters",
    "desk.agents": "user IDs who work tickets (one team; at least one)",
    "desk.leads": "user IDs who get escalations, digest, `/desk quality` (one team)",
    "desk.categories": "the intake's category buttons (1–20, ≤ 30 chars each; one team)",
    "desk.request_channels": "channel IDs where every new message is a ticket (one team)",
    "desk.assign": "`none`, `round_robin` or `least_busy` (one team)",
    "desk.business_hours": 'the working day of "business" SLA clocks',
    "desk.work_days": 'the working days of "business" SLA clocks',
    "desk.holidays": 'dates on which "business" SLA clocks stand still (`"2026-12-25"`)',
    "team.name": "the team's name, shown on cards, digests, reports and `/desk quality`",
    "team.triage_channel": "channel ID where the team's new tickets are posted",
    "team.agents": "user IDs who work the team's tickets (an agent may be in several teams)",
    "team.leads": "user IDs who get the team's escalations, digest and weekly report",
    "team.categories": "the team's areas: a ticket belongs to the team of its category (unique across teams)",
    "team.request_channels": "channel IDs where every new message is one of the team's tickets",
    "team.assign": "`none`, `round_robin` or `least_busy`: who gets the team's new ticket",
    "team.sla.Px.first_response": "the team's own first-response target for the priority",
    "team.sla.Px.resolution": "the team's own resolution target for the priority",
    "team.sla.Px.clock": "the team's own clock for the priority: `always` or `business`",
    "sla.Px.first_response": "runs from opening until an agent claims the ticket",
    "sla.Px.resolution": (
        "runs until the ticket is resolved (again from a reopen); may not be shorter than `first_response`"
    ),
    "sla.Px.clock": "`always` (24×7) or `business` (only `desk.business_hours` on `desk.work_days` count)",
    "escalation.check_every": "how often the SLA sweep runs",
    "escalation.warn_at": 'fraction of a target for "at risk" (a DM to the assignee, or the triage card)',
    "escalation.leads_at": "fraction of a target for telling the leads (a DM each)",
    "digest.time": "when the daily digest goes out, in `desk.timezone`",
    "digest.days": "the days it goes out",
    "digest.channel": "where it goes: a channel ID, or empty for a DM to each lead",
    "report.weekly": 'when each lead gets the weekly report (`"mon 09:00"`, desk time zone); `""` for none',
    "csat.ask_after_resolve": "ask the requester to rate resolved tickets",
    "csat.expire_after": 'how long a rating request stays open; then "This survey has closed"',
    "pending.remind_after": "a ticket waiting on the requester: remind them once after this",
    "pending.close_after": "…and resolve it after this (longer than `remind_after`)",
    f"replies.{ANY_NAME}": (
        "a saved reply, sent with `/desk reply T-4 :name` (`{requester}`, `{ref}` filled in)"
    ),
    "store.url": (
        "`tinydb://PATH`, `postgresql://HOST/DB[?schema=NAME]` (several desks) or `memory://`; "
        "`DESK_STORE` overrides it"
    ),
    "store.keep_in_memory": (
        "resolved tickets whose last event is older leave memory (at least `7d`): to monthly "
        "archive files on TinyDB; on PostgreSQL a desk loads only the newer ones and reads older with SQL"
    ),
}

# `[[team.request_type]]` (SPEC §13): a team's kinds of request, each with its form and its
# approval chain; `[[desk.request_type]]` the same for a desk of one team.
REQUEST_TYPE: dict[str, tuple[str, str]] = {  # key: meaning, default
    "name": ("what `/ticket` offers (unique in the team)", ""),
    "description": ("a line under the name", '`""`'),
    "area": ("the team's category its ticket goes to", "the team's first"),
    "priority": ("its ticket's priority", '`"P3"`'),
    "fields.key": ("a field's short key (`system`), unique in the form; at most 8 fields", ""),
    "fields.label": ("the field's question", ""),
    "fields.kind": (
        "`short_text`, `long_text`, `select`, `person`, `date` or `number`",
        '`"short_text"`',
    ),
    "fields.required": ("whether the form needs an answer", "`true`"),
    "fields.options": ("a `select` field's choices", "`[]`"),
    "approval.approvers": ("a level of the approval chain, in turn: user IDs who may decide", "`[]`"),
    "approval.usergroup": ("…or a Slack user group (`S…`) whose members may", "none"),
    "approval.field": ("…or the person a required `person` field of the form names", "none"),
    "approval.need": ('`"one"` of the level\'s approvers, or `"all"`', '`"one"`'),
    "self_approval": ("whether a requester may approve their own request", "`false`"),
    "approval_reminder": ("a level's approvers are reminded once after this (working time)", '`"1d"`'),
    "approval_limit": ("the team's leads are told once when a request waits longer", '`"3d"`'),
}
MEANINGS |= {f"team.request_type.{key}": meaning for key, (meaning, _) in REQUEST_TYPE.items()}
MEANINGS["desk.request_type.*"] = (
    "a desk of one team (no `[[team]]`) writes `[[desk.request_type]]` tables, with the keys of "
    "`team.request_type` below"
)

# `[answers]` and `[knowledge]`: suggested answers before a ticket opens.
MEANINGS |= {
    "answers.enabled": "suggest up to three answers (past tickets, saved replies, articles) at intake",
    "answers.threshold": "the confidence, above 0 and at most 1, an answer needs to be shown",
    "answers.off_for_teams": "team names whose requesters never see suggestions",
    "answers.retrieval": (
        '`"lexical"` (BM25 over words), `"hybrid"` (BM25 blended with sentence embeddings) or '
        '`"embeddings"` alone; the last two need `pip install ".[assist]"`; `"auto"`: hybrid when '
        "it is installed, else lexical"
    ),
    "knowledge.path": 'a folder of Markdown articles to suggest from (`""` for none)',
}

# `[summaries]`: a thread's summary and a draft reply from an endpoint the owner chooses.
MEANINGS |= {
    "summaries.enabled": (
        "let agents ask for a ticket thread's summary and a draft reply (`/desk summary`, "
        "`/desk draft`); nothing is sent anywhere while this is `false`"
    ),
    "summaries.url": (
        "the base URL of an OpenAI-compatible API (`http://localhost:11434/v1` for Ollama): "
        "the desk POSTs `{url}/chat/completions`"
    ),
    "summaries.model": "the model the endpoint runs, by its name there (`llama3.2`)",
    "summaries.api_key": (
        "sent as `Authorization: Bearer …` when set; a secret, never printed; "
        "`DESK_SUMMARIES_API_KEY` overrides it"
    ),
    "summaries.timeout": "every call gives up after this (at most `2m`); the agent is told",
}

# Defaults `check-config` cannot show, because the key has none of its own or it prints none.
DEFAULTS: dict[str, str] = {
    "team.sla.Px.first_response": "the desk's `sla.Px`",
    "team.sla.Px.resolution": "the desk's `sla.Px`",
    "team.sla.Px.clock": "the desk's `sla.Px`",
    f"replies.{ANY_NAME}": "none",
    **{f"team.request_type.{key}": default for key, (_, default) in REQUEST_TYPE.items()},
    "answers.enabled": "`false`",
    "answers.threshold": "`0.4`",
    "answers.off_for_teams": "`[]`",
    "answers.retrieval": '`"auto"`',
    "knowledge.path": '`""`',
    "summaries.api_key": '`""`',
}

_MINIMAL = {"desk": {"triage_channel": "C0TRIAGE1", "agents": ["U0AGENT01"]}}


@dataclass(frozen=True)
class Key:
    """One key as the reference shows it: `desk.name`, `team.agents`, `sla.Px.clock`."""

    path: str
    required: str  # what the reader asks for when it is missing; "" when it may be left out


def accepted_keys() -> list[Key]:
    """Every key the reader accepts, found by asking it (see the module's docstring)."""
    paths: list[str] = []
    said: list[str] = []  # every answer the reader gave on the way: some say what is missing
    _walk(lambda value: value, "", "", paths, said)
    missing = _missing([*said, *_problems({}), *_problems({"team": [{}]})])
    return [Key(path, missing.get(path, "")) for path in dict.fromkeys(paths)]


def reference_markdown(meanings: Mapping[str, str] = MEANINGS) -> str:
    """The reference's tables, one per top-level table, as Markdown."""
    keys = accepted_keys()
    undocumented = [key.path for key in keys if documented_as(key.path, meanings) is None]
    if undocumented:
        raise ValueError(
            "config/reference.py: keys the reader accepts with no meaning in MEANINGS: "
            + ", ".join(undocumented)
        )
    # A meaning for a key the reader does not take is never drawn (a key still on its way in).
    rows = {str(documented_as(key.path, meanings)): key for key in keys}
    order = list(meanings)
    heads = list(dict.fromkeys(path.split(".")[0] for path in order))
    defaults = _defaults()
    out: list[str] = []
    table = ""
    for shown in sorted(rows, key=lambda row: (heads.index(row.split(".")[0]), order.index(row))):
        key = rows[shown]
        head = shown.split(".")[0]
        if head != table:
            table = head
            title = "[[team]]" if head == "team" else f"[{head}]"
            out += ["", f"### `{title}`", "", "| key | meaning | default |", "| --- | --- | --- |"]
        required = key.required and shown == key.path
        default = f"required: {key.required}" if required else defaults.get(shown, "–")
        cell = default.replace("|", "\\|")
        out.append(f"| `{shown}` | {meanings[shown]} | {cell} |")
    return "\n".join(out).strip() + "\n"


def documented_as(path: str, meanings: Mapping[str, str] = MEANINGS) -> str | None:
    """The line of the reference that documents `path`: its own, or an `a.b.*` line above it."""
    if path in meanings:
        return path
    parts = path.split(".")
    for end in range(len(parts) - 1, 0, -1):
        wildcard = ".".join(parts[:end]) + ".*"
        if wildcard in meanings:
            return wildcard
    return None


def _walk(place: Callable[[Any], Any], doc: str, where: str, out: list[str], said: list[str]) -> None:
    """Record the keys of the table that `place` puts a value into (`where`: its error path)."""
    names = _answer(place({PROBE: 1}), where, said)
    if names is None:
        return
    if isinstance(names, str):  # a table of names of one's own, or of a few fixed ones
        fixed = _fixed_names(names)
        if not fixed:
            out.append(_join(doc, ANY_NAME))
            return
        names_list = fixed
    else:
        names_list = names
    for name in names_list:
        path, at = _join(doc, _shown(name)), _join(where, name)

        def inner(value: Any, name: str = name) -> Any:
            return place({name: value})

        if _answer(inner({PROBE: 1}), at, said) is not None:
            _walk(inner, path, at, out, said)
        elif isinstance(_answer(inner([{PROBE: 1}]), f"{at}[1]", said), list):
            _walk(lambda value, inner=inner: inner([value]), path, f"{at}[1]", out, said)  # type: ignore[misc]
        else:
            out.append(path)


def _answer(data: Any, where: str, said: list[str]) -> list[str] | str | None:
    """What the reader says of the probe key at `where`: the names it expected instead (a list),
    its own sentence when the table takes names it does not list (a string), or None. Everything
    it said goes into `said`."""
    prefix = f"{_join(where, PROBE)}: "
    problems = _problems(data)
    said += problems
    for line in problems:
        if line.startswith(prefix):
            sentence = line[len(prefix) :]
            match = re.search(r"unknown key.*expected one of: (.*)$", sentence)
            return match.group(1).split(", ") if match else sentence
    return None


def _fixed_names(sentence: str) -> list[str]:
    """`unknown priority; expected P1, P2, P3 or P4` → the names; [] when any name will do."""
    match = re.search(r"^unknown \w+; expected (.*)$", sentence)
    return re.split(r", | or ", match.group(1)) if match else []


def _shown(name: str) -> str:
    return "Px" if re.fullmatch(r"P[1-9]", name) else name


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _problems(data: Any) -> list[str]:
    try:
        parse_config(data)
    except ConfigError as problem:
        return problem.problems
    return []


def _missing(problems: list[str]) -> dict[str, str]:
    """Keys the reader requires, with what it asks for: `desk.agents` → "a list of …"."""
    found = {}
    for line in problems:
        match = re.match(r"^([\w.\[\]]+): missing; expected (.*)$", line)
        if match:
            path = re.sub(r"\.P[1-9](?=\.|$)", ".Px", re.sub(r"\[\d+\]", "", match.group(1)))
            found[path] = match.group(2)
    return found


def _defaults() -> dict[str, str]:
    """Each key's default as `check-config` prints it for a minimal config."""
    env = Environment("", "", "", DEFAULT_API_URL, 3000, "config/desk.toml", "")
    shown = tomllib.loads(describe(parse_config(_MINIMAL), env))
    flat: dict[str, str] = {}
    for table, values in shown.items():
        if table == "team":
            for key, value in values[0].items():
                flat.setdefault(f"desk.{key}", f"`{_toml(value)}`")
                flat[f"team.{key}"] = f"`{_toml(value)}`"
        elif table == "sla":
            for field in ("first_response", "resolution", "clock"):
                flat[f"sla.Px.{field}"] = (
                    "`" + ", ".join(f"{p}: {_toml(v[field])}" for p, v in values.items()) + "`"
                )
        else:
            for key, value in values.items():
                flat[f"{table}.{key}"] = f"`{_toml(value)}`"
    return flat | DEFAULTS


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


if __name__ == "__main__":
    print(reference_markdown())
