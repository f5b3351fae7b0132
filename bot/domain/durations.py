"""Durations as people write them ("90s", "15m", "4h", "3d", "1h30m") and as the desk says them."""

import re
from datetime import timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_PART = re.compile(r"(\d+)\s*([smhdw])")
_WHOLE = re.compile(r"^\s*(?:\d+\s*[smhdw]\s*)+$")


def parse_duration(text: str) -> timedelta:
    """Parse "90s", "15m", "4h", "3d", "2w" or a sum like "1h30m"; raise ValueError otherwise."""
    if not isinstance(text, str) or not _WHOLE.match(text.lower()):
        raise ValueError(f'expected a duration with a unit, like "90s", "15m", "4h" or "3d"; got {text!r}')
    seconds = sum(int(n) * _UNITS[unit] for n, unit in _PART.findall(text.lower()))
    if seconds <= 0:
        raise ValueError(f"expected a duration longer than zero; got {text!r}")
    return timedelta(seconds=seconds)


def duration_parts(span: timedelta) -> list[tuple[int, str]]:
    """The parts a span is said in: seconds below a minute, days and hours past a day, hours and
    minutes between (`[(1, "h"), (30, "m")]`). Every language says the same parts its own way."""
    seconds = int(abs(span).total_seconds())
    if seconds < 60:
        return [(seconds, "s")]
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [(days, "d")] if days else []
    if hours:
        parts.append((hours, "h"))
    if minutes and not days:
        parts.append((minutes, "m"))
    return parts or [(0, "m")]


def format_duration(span: timedelta) -> str:
    """A short, readable duration: "45s", "15m", "1h 30m", "3d 4h". Negative spans get no sign."""
    return " ".join(f"{amount}{unit}" for amount, unit in duration_parts(span))


def compact_duration(span: timedelta) -> str:
    """The config form of a duration: the largest unit that divides it ("15m", "4h", "90s")."""
    seconds = int(span.total_seconds())
    for unit in ("w", "d", "h", "m"):
        if seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"
