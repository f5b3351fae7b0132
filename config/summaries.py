"""`[summaries]`: a ticket thread's summary and a draft reply, from an OpenAI-compatible
endpoint the desk's owner runs or chooses (a local Ollama or vLLM, their own gateway). Off by
default: nothing is sent anywhere until `enabled = true` names an endpoint and a model.

[summaries]
enabled = true
url = "http://localhost:11434/v1"   # the API's base: the desk POSTs {url}/chat/completions
model = "llama3.2"
api_key = ""                        # sent as a Bearer token when set; DESK_SUMMARIES_API_KEY wins
timeout = "20s"                     # every call gives up after this
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.domain.durations import parse_duration
from config.reader import Section

DEFAULT_TIMEOUT = timedelta(seconds=20)
LONGEST_TIMEOUT = timedelta(minutes=2)


@dataclass(frozen=True)
class SummariesSettings:
    enabled: bool = False
    url: str = ""  # the API's base, like http://localhost:11434/v1 (no trailing /chat/completions)
    model: str = ""
    api_key: str = ""  # a secret: redacted wherever the desk prints (config.redact)
    timeout: timedelta = DEFAULT_TIMEOUT

    @property
    def on(self) -> bool:
        """Whether the desk may call the endpoint: enabled, with an endpoint and a model."""
        return self.enabled and bool(self.url) and bool(self.model)

    @property
    def endpoint(self) -> str:
        """Where the chat completions are asked for (OpenAI's `POST /v1/chat/completions`)."""
        return self.url.rstrip("/") + "/chat/completions"

    def __repr__(self) -> str:  # never let the key reach a log through repr()
        key = "set" if self.api_key else "not set"
        return (
            f"SummariesSettings(enabled={self.enabled}, url={self.url!r}, model={self.model!r}, "
            f"api_key=<{key}>, timeout={self.timeout})"
        )


def _url(value: str) -> str:
    value = value.strip()
    if value and not value.startswith(("http://", "https://")):
        raise ValueError('expected the API\'s base URL, like "http://localhost:11434/v1"')
    if "@" in value.split("://", 1)[-1].split("/", 1)[0]:
        raise ValueError("expected a URL without a user or password; put the key in api_key")
    return value


def _timeout(value: str) -> timedelta:
    span = parse_duration(value)
    if span > LONGEST_TIMEOUT:
        raise ValueError(f'expected at most "2m": an agent is waiting for the answer; got {value!r}')
    return span


def read_summaries(root: Section) -> SummariesSettings:
    s = root.table("summaries")
    enabled = bool(s.get("enabled", bool, False))
    url = s.get("url", str, "", _url) or ""
    model = (s.get("model", str, "") or "").strip()
    api_key = (s.get("api_key", str, "") or "").strip()
    timeout = s.get("timeout", str, "20s", _timeout) or DEFAULT_TIMEOUT
    if enabled and not url:
        s.error("url", 'needed when enabled: the API\'s base URL, like "http://localhost:11434/v1"')
    if enabled and not model:
        s.error("model", 'needed when enabled: the model\'s name, like "llama3.2"')
    s.finish()
    return SummariesSettings(enabled, url, model, api_key, timeout)
