"""Logging: one line per event, and never a token or the signing secret in it.

Lines read `time level logger: message key=value …`; with `DESK_LOG_FORMAT=json` each line is
one JSON object instead (`time`, `level`, `logger`, `message`, the extras, and `error` with a
traceback's text), for log platforms that parse fields.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

from config.redact import SHORTEST, redact

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class Redactor(logging.Filter):
    """Replaces Slack tokens, passwords (in store URLs too) and the configured secrets with a
    mark, wherever they appear (`config.redact`)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= SHORTEST]

    def clean(self, text: str) -> str:
        return redact(text, self.secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.clean(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, self.clean(value))
        return True


class LineFormatter(logging.Formatter):
    """`time level logger message key=value …`: easy to read and to grep."""

    def format(self, record: logging.LogRecord) -> str:
        extras = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        line = f"{self.formatTime(record)} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if extras:
            line += " " + " ".join(f"{k}={json.dumps(v, default=str)}" for k, v in extras.items())
        if record.exc_text:
            line += "\n" + record.exc_text
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: `time` (UTC, ISO 8601), `level`, `logger`, `message`, the
    record's extras, and `error` with the text of a traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        found: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in found:
                found[key] = value
        if record.exc_text:
            found["error"] = record.exc_text
        elif record.exc_info:
            found["error"] = self.formatException(record.exc_info)
        return json.dumps(found, default=str, ensure_ascii=False)


def setup_logging(secrets: Iterable[str] = (), level: int = logging.INFO, *, as_json: bool = False) -> None:
    """Log to standard error, redacted; one JSON object a line with `as_json`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if as_json else LineFormatter())
    handler.addFilter(Redactor(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
