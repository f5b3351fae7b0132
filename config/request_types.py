"""`[[team.request_type]]` (or `[[desk.request_type]]` for a desk of one team): the kinds of
request a team takes, each with its form's fields and, optionally, its approval chain.

Every problem is one line naming the key, like the rest of the config (`config.reader`).
"""

from __future__ import annotations

import re
from typing import Any

from bot.domain.approval import MODAL_INPUTS, FormField, Kind, Level, Need, RequestType
from bot.domain.durations import parse_duration
from bot.domain.priority import Priority
from config.reader import Section

USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
USERGROUP = re.compile(r"^S[A-Z0-9]{2,}$")
FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
KINDS = ", ".join(k.value for k in Kind)


def request_types(owner: Section, categories: tuple[str, ...]) -> tuple[RequestType, ...]:
    """The `request_type` tables under `owner` (a [[team]] or [desk]); none when absent."""
    owner.known.add("request_type")
    tables = owner.data.get("request_type")
    if tables is None:
        return ()
    if not isinstance(tables, list) or not tables:
        owner.error("request_type", "expected [[request_type]] tables, each with a name and fields")
        return ()
    found: list[RequestType] = []
    for i, table in enumerate(tables, start=1):
        kind = _request_type(Section(owner.key(f"request_type[{i}]"), table, owner.errors), categories)
        if kind is not None:
            found.append(kind)
    names = [k.name.casefold() for k in found]
    if len(set(names)) != len(names):
        owner.error("request_type", "expected each request type's name once")
    return tuple(found)


def _request_type(s: Section, categories: tuple[str, ...]) -> RequestType | None:
    before = len(s.errors)
    name = s.require("name", str, 'a name like "Access to a system"', _short)
    description = s.get("description", str, "", str.strip)
    fields = _fields(s)
    priority = s.get("priority", str, "P3", _priority)
    area = s.get("area", str, categories[0] if categories else "", None)
    if isinstance(area, str) and categories and area not in categories:
        s.error("area", f"expected one of this team's categories ({', '.join(categories)}); got {area!r}")
    levels = _levels(s, fields)
    self_approval = s.get("self_approval", bool, False)
    reminder = s.get("approval_reminder", str, "1d", parse_duration)
    limit = s.get("approval_limit", str, "3d", parse_duration)
    s.finish()
    if len(s.errors) > before or name is None:
        return None
    return RequestType(name, description, fields, priority, area, levels, self_approval, reminder, limit)


def _fields(s: Section) -> tuple[FormField, ...]:
    s.known.add("fields")
    tables = s.data.get("fields", [])
    if not isinstance(tables, list):
        s.error("fields", 'expected a list of fields, like [{ key = "system", label = "System" }]')
        return ()
    if len(tables) > MODAL_INPUTS:
        s.error("fields", f"expected at most {MODAL_INPUTS} fields (what one form holds); got {len(tables)}")
    found: list[FormField] = []
    for i, table in enumerate(tables, start=1):
        f = Section(s.key(f"fields[{i}]"), table, s.errors)
        key = f.require("key", str, 'a short key like "system"', _field_key)
        label = f.require("label", str, 'the question, like "Which system?"', _short)
        kind = f.get("kind", str, "short_text", _kind)
        required = f.get("required", bool, True)
        options = f.get("options", list, [], _options)
        if kind is Kind.SELECT and not options:
            f.error("options", 'expected the choices of a select, like ["VPN", "Payroll"]')
        elif options and kind is not Kind.SELECT:
            f.error("options", f'only a field of kind "select" has options; this one is {kind}')
        f.finish()
        if key and label and kind:
            found.append(FormField(key, label, kind, required, tuple(options or ())))
    keys = [f.key for f in found]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        s.error("fields", f"expected each key once; more than once: {', '.join(twice)}")
    return tuple(found)


def _levels(s: Section, fields: tuple[FormField, ...]) -> tuple[Level, ...]:
    s.known.add("approval")
    tables = s.data.get("approval", [])
    if not isinstance(tables, list):
        s.error("approval", 'expected a list of levels, like [{ approvers = ["U0CAROL01"] }]')
        return ()
    found: list[Level] = []
    for i, table in enumerate(tables, start=1):
        a = Section(s.key(f"approval[{i}]"), table, s.errors)
        people = a.get("approvers", list, [], _users)
        group = a.get("usergroup", str, None, _usergroup)
        named = a.get("field", str, None)
        need = a.get("need", str, "one", _need)
        a.finish()
        if named is not None:
            target = next((f for f in fields if f.key == named), None)
            if target is None or target.kind is not Kind.PERSON:
                persons = ", ".join(f.key for f in fields if f.kind is Kind.PERSON) or "none in this form"
                a.error("field", f"expected the key of a person field ({persons}); got {named!r}")
                continue
            if not target.required:
                a.error("field", f"expected a required field: the approver comes from {named!r}")
                continue
        if not people and not group and not named:
            a.error("", 'names nobody; expected approvers = ["U…"], usergroup = "S…" or field = "manager"')
            continue
        if need is None:
            continue
        found.append(Level(tuple(people or ()), group, named, need))
    return tuple(found)


def _short(value: str) -> str:
    if not value.strip() or len(value) > 60:
        raise ValueError(f"expected 1 to 60 characters; got {value!r}")
    return value.strip()


def _field_key(value: str) -> str:
    if not FIELD_KEY.match(value):
        raise ValueError(f"expected lower-case letters, digits or _, starting with a letter; got {value!r}")
    return value


def _kind(value: str) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        raise ValueError(f"unknown field kind {value!r}; expected one of: {KINDS}") from None


def _need(value: str) -> Need:
    try:
        return Need(value)
    except ValueError:
        raise ValueError(f'expected "one" or "all"; got {value!r}') from None


def _priority(value: str) -> Priority:
    if value not in Priority.__members__:
        raise ValueError(f"expected P1, P2, P3 or P4; got {value!r}")
    return Priority(value)


def _options(values: list[Any]) -> tuple[str, ...]:
    if len(values) > 100 or any(not isinstance(v, str) or not v.strip() or len(v) > 75 for v in values):
        raise ValueError("expected up to 100 choices of 1 to 75 characters each")
    return tuple(v.strip() for v in values)


def _users(values: list[Any]) -> tuple[str, ...]:
    bad = [v for v in values if not isinstance(v, str) or not USER.match(v)]
    if bad:
        raise ValueError(f"expected Slack user IDs like U0123ABCD; these are not: {bad!r}")
    return tuple(values)


def _usergroup(value: str) -> str:
    if not USERGROUP.match(value):
        raise ValueError(f"expected a user group ID like S0123ABCD; got {value!r}")
    return value
