"""The one place where failures inside listeners end.

- A domain error (`DeskError`) becomes its friendly sentence, privately, to whoever acted.
- Anything else is logged once, with what the request was and where it failed, and the person
  is told "Something went wrong on our side; nothing was changed." (the flows commit a change
  and what it owes together, so a failure leaves nothing half done).
- Before the ack, a slash command shows the answer at once; after it, the answer goes through
  the response URL, or by DM. Nothing is raised back into Bolt: listeners' failures are caught
  around each listener (`listener_failed`), and Bolt's own error hook (`register`) sees only
  failures before a listener runs: an event is then refused, so Slack sends it again.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.desk import Desk
from bot.domain.errors import DeskError
from bot.i18n import Words
from bot.slack import answers
from bot.slack.gateway import SlackFailure
from bot.slack.said_blocks import not_saved, sorry
from store import NotSaved

log = logging.getLogger("desk.errors")
SORRY = sorry()  # as an English desk says it
NOT_SAVED = not_saved("{why}")


def _person(body: dict[str, Any]) -> str | None:
    """Who acted: a command's `user_id`, an interaction's `user.id`, or a DM's writer."""
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    event = body.get("event") or {}
    if user is None and event.get("channel_type") == "im":
        user = event.get("user")
    return user if isinstance(user, str) and user else None


def _where(error: Exception) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    return f"{frames[-1].filename.rsplit('/', 2)[-1]}:{frames[-1].lineno}" if frames else "?"


async def _words(desk: Desk, error: Exception, body: dict[str, Any]) -> str:
    """The answer for the person, in their language, after logging what needs logging (once)."""
    kind = _kind(body)
    if isinstance(error, DeskError):  # a refusal: its typed reason, worded for the reader
        return desk.explain(error, await _reader(desk, body))
    if isinstance(error, NotSaved):
        log.warning("change not saved", extra={"request": kind, "error": str(error)})
        return not_saved(str(error), await _reader(desk, body))
    if isinstance(error, SlackFailure):
        log.warning("could not answer: Slack failed", extra={"request": kind, "error": error.error})
    else:
        log.error("listener failed", extra={"request": kind, "error": repr(error)[:300], "at": _where(error)})
    return sorry(await _reader(desk, body))


async def _reader(desk: Desk, body: dict[str, Any]) -> Words:
    """The language of whoever acted (the desk's when nobody did); never a failure itself."""
    try:
        return await desk.words_for(_person(body))
    except Exception:  # the answer to a failure must not fail in its turn
        return desk.words


def _kind(body: dict[str, Any]) -> str:
    event = body.get("event") or {}
    return str(body.get("command") or event.get("type") or body.get("type") or "request")


async def _tell(desk: Desk, body: dict[str, Any], words: str) -> None:
    person = _person(body)
    if person is None:
        return
    url = body.get("response_url")
    try:
        await answers.respond(desk, url if isinstance(url, str) and url else None, person, words)
    except Exception as problem:  # the store itself failing: nothing more can be done
        log.error("could not tell the person", extra={"request": _kind(body), "error": repr(problem)[:300]})


def listener_failed(desk: Desk) -> Callable[[Exception, dict[str, Any], Any], Awaitable[None]]:
    """Where a failure inside a listener ends (`bot.work.track_listeners` routes it here)."""

    async def failed(error: Exception, body: dict[str, Any], ack: Any) -> None:
        words = await _words(desk, error, body)
        if ack is not None and getattr(ack, "response", True) is None:  # not acked yet
            try:
                if body.get("command"):  # the ack is the answer
                    await ack(text=words)
                    return
                await ack()
            except Exception as problem:
                log.error("could not ack", extra={"request": _kind(body), "error": repr(problem)[:300]})
        await _tell(desk, body, words)

    return failed


def register(app: AsyncApp, desk: Desk) -> None:
    @app.error
    async def on_error(
        error: Exception, body: dict[str, Any], response: BoltResponse | None
    ) -> BoltResponse | None:
        """Failures before any listener runs (the desk's middleware, authorization)."""
        words = await _words(desk, error, body)
        if response is not None and body.get("type") == "event_callback":
            return BoltResponse(status=503, body="")  # not acked: Slack sends the event again
        if response is not None and body.get("command"):  # not acked yet: the answer is the ack
            return BoltResponse(status=200, body=words)
        await _tell(desk, body, words)
        return None if response is None else BoltResponse(status=200, body="")
