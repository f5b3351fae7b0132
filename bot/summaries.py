"""The summaries' endpoint (issue 39): an OpenAI-compatible chat-completions API the desk's owner
runs or chooses (a local Ollama or vLLM server, their own gateway), and what the desk sends it.

The call is OpenAI's chat completions, which Ollama, vLLM and most gateways serve under the same
path and shape (https://platform.openai.com/docs/api-reference/chat/create;
https://github.com/ollama/ollama/blob/main/docs/openai.md):

    POST {base}/chat/completions
    Authorization: Bearer <api key>          (only when one is configured)
    {"model": "...", "messages": [{"role": "system", "content": "..."},
                                  {"role": "user", "content": "..."}],
     "temperature": 0.2, "stream": false}
    -> 200 {"choices": [{"message": {"role": "assistant", "content": "..."}}], ...}

Nothing is sent while `[summaries]` is off, and only to the configured URL. What is sent is
`thread_text`: the ticket's request and the replies the desk stored on its trail (the
requester's follow-ups, the agents' replies and questions, a resolution note), each labelled
by role; no names, user IDs, internal notes, ratings or other tickets. Every call gives up
after the configured timeout; any failure is a `ServiceFailed`, which the desk answers with a
friendly sentence and nothing else changes (the call never runs inside a store transaction).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from bot.domain.ticket import Action, Ticket
from config.redact import redact, redacted_url
from config.summaries import SummariesSettings

log = logging.getLogger("desk.summaries")

THREAD_LIMIT = 12_000  # characters of thread sent at most: the latest kept when it is longer
ANSWER_LIMIT = 3_000  # characters of the answer kept (a Slack section, a modal's input)
SAID = {  # what of the trail is the thread, and how each is labelled
    Action.FOLLOW_UP: "Requester",
    Action.REPLIED: "Agent",
    Action.WAITING: "Agent (asking)",
    Action.RESOLVED: "Resolution note",
}
LANGUAGE_NAMES = {"en": "English", "zh-CN": "Simplified Chinese"}

SUMMARY_PROMPT = (
    "You summarise help-desk ticket threads for the agent working them. Write one short "
    "paragraph, at most five sentences, in {language}: the problem, what has been said or tried, "
    "and what is still open. Use only the thread you are given; never invent facts."
)
DRAFT_PROMPT = (
    "You draft the help desk agent's next reply to the person who asked for help. Write only "
    "the reply itself, in {language}: polite, short and concrete, from the thread you are given "
    "alone. Where a fact is not in the thread, write a [placeholder] instead of inventing it. "
    "No greeting line with a name, no signature."
)


class ServiceFailed(Exception):
    """The endpoint did not answer in time, or not with a completion; the reason, for the log."""


def thread_text(ticket: Ticket, ref: str) -> str:
    """What the endpoint is sent of a ticket: its request and the replies stored on its trail,
    oldest first, labelled by role (no names, no user IDs, no internal notes)."""
    head = f"Ticket {ref} · {ticket.category} · {ticket.priority.value} · {ticket.status.value}"
    parts = [f"Request:\n{ticket.text.strip()}"]
    for entry in ticket.trail:
        label = SAID.get(entry.action)
        if label is not None and entry.detail.strip():
            parts.append(f"{label}:\n{entry.detail.strip()}")
    body = "\n\n".join(parts)
    if len(body) > THREAD_LIMIT:  # the request, then as much of the latest as fits
        first, rest = parts[0][: THREAD_LIMIT // 3], "\n\n".join(parts[1:])
        body = f"{first}\n\n[…]\n\n{rest[-(THREAD_LIMIT - len(first)) :]}"
    return f"{head}\n\n{body}"


class SummaryService:
    """The configured endpoint, asked one completion at a time."""

    def __init__(self, settings: SummariesSettings) -> None:
        self.settings = settings

    @property
    def on(self) -> bool:
        return self.settings.on

    async def summary(self, thread: str, language: str) -> str:
        return await self.complete(SUMMARY_PROMPT.format(language=_named(language)), thread)

    async def draft(self, thread: str, language: str) -> str:
        return await self.complete(DRAFT_PROMPT.format(language=_named(language)), thread)

    async def complete(self, system: str, user: str) -> str:
        """The assistant's answer to one system and one user message; `ServiceFailed` when the
        endpoint is off, slow, down, or answers anything but a completion."""
        settings = self.settings
        if not settings.on:  # never sent anywhere that is not configured
            raise ServiceFailed("summaries are off")
        body = {
            "model": settings.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "temperature": 0.2,
            "stream": False,
        }
        headers = {"Content-Type": "application/json"}
        if settings.api_key:
            headers["Authorization"] = f"Bearer {settings.api_key}"
        seconds = settings.timeout.total_seconds()
        try:
            # the whole call, connection to last byte, within the timeout (aiohttp's own, and
            # asyncio's around it for anything that would not honour it)
            async with asyncio.timeout(seconds + 1.0):
                return await self._post(body, headers, seconds)
        except ServiceFailed:
            raise
        except TimeoutError:
            raise self._failed(f"no answer in {seconds:g}s") from None
        except aiohttp.ClientError as problem:
            raise self._failed(f"{type(problem).__name__}: {problem}") from None

    async def _post(self, body: dict[str, Any], headers: dict[str, str], seconds: float) -> str:
        timeout = aiohttp.ClientTimeout(total=seconds)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(self.settings.endpoint, json=body, headers=headers) as response,
        ):
            if response.status != 200:
                raise self._failed(f"HTTP {response.status}")
            try:
                answer = await response.json(content_type=None)
                content = answer["choices"][0]["message"]["content"]
            except (ValueError, KeyError, IndexError, TypeError, aiohttp.ContentTypeError):
                raise self._failed("the answer was not a chat completion") from None
        if not isinstance(content, str) or not content.strip():
            raise self._failed("the completion was empty")
        return content.strip()[:ANSWER_LIMIT]

    def _failed(self, why: str) -> ServiceFailed:
        where = redacted_url(self.settings.endpoint)
        said = redact(why, (self.settings.api_key,))
        log.warning("summary service failed", extra={"endpoint": where, "error": said})
        return ServiceFailed(said)


def _named(language: str) -> str:
    return LANGUAGE_NAMES.get(language, "English")
