"""Strict reading of one TOML table: every problem becomes one line naming the key.

A `Section` hands out values by key, checking type and shape, and remembers which keys it
was asked about, so that whatever is left over is reported as unknown (a typo must not
silently disable an SLA).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_TYPE_NAMES = {str: "a string", bool: "true or false", list: "a list", dict: "a table"}


class Section:
    def __init__(self, path: str, data: Any, errors: list[str]) -> None:
        self.path = path
        self.errors = errors
        self.known: set[str] = set()
        if not isinstance(data, dict):
            self.error("", "expected a table")
            data = {}
        self.data: dict[str, Any] = data

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, message: str) -> None:
        self.errors.append(f"{self.key(name) if name else self.path}: {message}")

    def get(
        self, name: str, kind: type[T], default: T | None, parse: Callable[[T], Any] | None = None
    ) -> Any:
        """The value at `name` checked to be of `kind` and passed through `parse`.

        A missing key gives `default` (already parsed form); a bad one records an error and
        gives the default too, so reading can go on and report every problem at once.
        """
        self.known.add(name)
        if name not in self.data:
            return default if parse is None or default is None else parse(default)
        value = self.data[name]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            self.error(name, f"expected {_TYPE_NAMES.get(kind, 'a number')}; got {value!r}")
            return default if parse is None or default is None else _quiet(parse, default)
        if parse is None:
            return value
        try:
            return parse(value)
        except ValueError as problem:
            self.error(name, str(problem))
            return None if default is None else _quiet(parse, default)

    def require(self, name: str, kind: type[T], what: str, parse: Callable[[T], Any] | None = None) -> Any:
        """Like `get`, but a missing key is an error naming what was expected."""
        if name not in self.data:
            self.known.add(name)
            self.error(name, f"missing; expected {what}")
            return None
        return self.get(name, kind, None, parse)

    def table(self, name: str) -> Section:
        self.known.add(name)
        return Section(self.key(name), self.data.get(name, {}), self.errors)

    def finish(self) -> None:
        """Report every key nobody asked about, with a suggestion for likely typos."""
        for name in self.data:
            if name in self.known:
                continue
            close = difflib.get_close_matches(name, sorted(self.known), n=1)
            hint = f" (did you mean “{close[0]}”?)" if close else ""
            expected = ", ".join(sorted(self.known)) or "nothing here"
            self.error(name, f"unknown key{hint}; expected one of: {expected}")


def _quiet(parse: Callable[[Any], Any], value: Any) -> Any:
    try:
        return parse(value)
    except ValueError:
        return None
