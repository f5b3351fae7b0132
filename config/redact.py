"""Secrets kept out of everything the desk prints (SPEC §13): one function, `redact`, used by
every command's output and error lines, the logs and `/healthz`.

What it hides, wherever it appears in a text: the password in a URL
(`postgresql://u:***@host/db`), any `password=`, `secret=`, `token=` or `api_key=` value (a
query string, a libpq connection string), an `Authorization: Bearer …` credential, Slack tokens
(`xoxb-…`, `xapp-…`, …) and the secrets it is given (the signing secret, the summaries' API
key). User names, hosts, databases and `?schema=` stay readable: an operator needs them to tell
which store a line is about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TOKEN = re.compile(r"\b(xox[abpors]|xapp)-[A-Za-z0-9-]+")
# scheme://user:password@ — the password runs to the last @ before the path
URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s\"']*):[^/?#\s\"']*@")
# password=…, sslpassword=…, client_secret=…, access_token=… (a query string or key=value pairs)
KEY_VALUE = re.compile(r"(?i)\b(\w*(?:password|passwd|secret|token|api_?key))(\s*=\s*)([^&\s\"',;]+)")
# An HTTP Authorization header's credentials (the summaries' API key travels as a Bearer token)
BEARER = re.compile(r"(?i)\b(bearer)(\s+)[A-Za-z0-9._~+/=-]+")
SHORTEST = 6  # given secrets shorter than this are not searched for (they would mask words)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` as it may be shown: passwords, tokens and `secrets` replaced by a mark."""
    text = URL_PASSWORD.sub(r"\1:***@", text)
    text = KEY_VALUE.sub(r"\1\2***", text)
    text = BEARER.sub(r"\1\2***", text)
    text = TOKEN.sub(r"\1-[redacted]", text)
    for secret in secrets:
        if secret and len(secret) >= SHORTEST:
            text = text.replace(secret, "[redacted]")
    return text


def redacted_url(url: str) -> str:
    """A URL the desk calls (Slack's API) as it may be shown: any user name, password, query
    or fragment replaced by `***`. Store URLs keep their user and `?schema=` (`redact`)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    host, slash, path = rest.partition("/")
    if "@" in host:
        host = "***@" + host.rsplit("@", 1)[1]
    path, mark, _ = path.partition("?")
    path = path.partition("#")[0]
    shown = f"{scheme}{sep}{host}{slash}{path}"
    return shown + ("?***" if mark or "#" in rest else "")


def mask(secret: str) -> str:
    """How a secret is shown: its kind and that it is set, never its value."""
    if not secret:
        return "(not set)"
    kind = secret.split("-", 1)[0] + "-…" if secret.startswith(("xoxb-", "xapp-")) else "…"
    return f"{kind} (set, {len(secret)} characters)"
