"""The one module that calls Slack's Web API.

Transient failures (connection errors, 5xx, rate limits) are retried with exponential
back-off and jitter; rate limits wait for the `Retry-After` Slack sends. What still fails
becomes a `SlackFailure` saying whether trying later could help.

Every call keeps Slack's pace per method (`bot.slack.pace`): one `Pacer`, shared by the desk's
gateways, counts each call against its method's tier and holds every call to a method until the
`Retry-After` of its last 429 has passed. A gateway that waits (the one listeners use) sleeps
until then; one that fails fast (the outbox's, which keeps its own schedule) answers
`ratelimited` at once, without calling Slack.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.ports import Posted, Unanswered
from bot.slack.pace import Pacer

log = logging.getLogger(__name__)

# The only failures worth trying again, because Slack's documentation says they pass; every
# other error, listed here or not, is Slack refusing the call (the outbox tries it a few times
# more, then parks it: `bot.delivery.parking`). From Slack's method pages (the same words under
# every method, e.g. https://api.slack.com/methods/views.publish#errors, and the rate-limit
# page https://api.slack.com/docs/rate-limits):
# - `ratelimited` (HTTP 429) / `rate_limited`: "Refer to the Retry-After header for when to
#   retry the request"; chat.postMessage's "Application has posted too many messages";
# - `internal_error`: "likely due to a transient issue on our end";
# - `fatal_error`: "a catastrophic error. It's possible some aspect of the operation succeeded"
#   (so the outbox looks for the message before posting it again);
# - `service_unavailable` (HTTP 503): "The service is temporarily unavailable";
# - `request_timeout`: "the POST data was either missing or truncated" (lost on the way);
# - `team_added_to_org` / `org_login_required`: a workspace moving into an Enterprise org,
#   "intermittently unavailable until the transition is complete";
# - any HTTP 5xx without Slack's JSON (`http_5xx`), and no answer at all (`unreachable`:
#   connection refused or reset, DNS, timeouts).
TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
        "org_login_required",
        "unreachable",
    }
)


def is_transient(error: str) -> bool:
    """Whether Slack documents `error` as passing: only then is trying again sure to make sense."""
    return error in TRANSIENT_ERRORS or (error.startswith("http_5") and error[5:].isdigit())


class AsyncAnyServerErrorRetryHandler(AsyncRetryHandler):
    """Retry every 5xx answer (slack_sdk's own handler retries only 500 and 503)."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code >= 500


@dataclass(frozen=True)
class Backoff:
    """Exponential back-off with full jitter: the n-th retry waits up to base * 2^(n-1), capped,
    and never less than a `Retry-After`. The gateway's retries and the outbox's share it."""

    base: float = 1.0
    cap: float = 60.0

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        ceiling = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        return max(random.uniform(0, ceiling), retry_after or 0.0)


class _Intervals(RetryIntervalCalculator):
    """slack_sdk's retry handlers, waiting as `Backoff` says (rate limits wait for Retry-After)."""

    def __init__(self, backoff: Backoff) -> None:
        self.backoff = backoff

    def calculate_sleep_duration(self, current_attempt: int) -> float:
        return self.backoff.delay(current_attempt + 1)


class AsyncRateLimitHoldRetryHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's retry of a 429, with its `Retry-After` held for every call to the method:
    the `Pacer` hears of it, and the retry waits as long as the method is held."""

    def __init__(self, pacer: Pacer, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pacer = pacer

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        state.next_attempt_requested = True
        method = method_of(request.url)
        self.pacer.hold(method, _retry_after(response.headers))
        await until_free(self.pacer, method)
        state.increment_current_attempt()


def method_of(url: str) -> str:
    """The Web API method a request's URL names (`…/api/chat.update` -> `chat.update`)."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


async def until_free(pacer: Pacer, method: str, channel: str = "") -> None:
    """Sleep until a call to `method` keeps Slack's pace (its tier, its last `Retry-After`)."""
    while (wait := pacer.wait(method, channel)) > 0:
        await asyncio.sleep(min(wait, 5.0))


def retry_handlers(
    patience: int = 4, backoff: Backoff | None = None, pacer: Pacer | None = None
) -> list[AsyncRetryHandler]:
    """The retry policy for every call to Slack."""
    intervals = _Intervals(backoff or Backoff())
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=patience, interval_calculator=intervals),
        AsyncRateLimitHoldRetryHandler(pacer or Pacer(), max_retry_count=patience),
        AsyncAnyServerErrorRetryHandler(max_retry_count=patience, interval_calculator=intervals),
    ]


def build_client(
    token: str, api_url: str, patience: int = 4, backoff: Backoff | None = None, pacer: Pacer | None = None
) -> AsyncWebClient:
    """A client whose 429 retries hold the method in `pacer` (share one with the gateway)."""
    handlers = retry_handlers(patience, backoff, pacer)
    return AsyncWebClient(token=token, base_url=api_url, retry_handlers=handlers, timeout=10)


class SlackFailure(Unanswered):
    """A call to Slack failed after retries; `permanent` when Slack refused it (any error its
    documentation does not call passing): trying again is unlikely to help. What a port the
    gateway serves raises (`bot.ports.Unanswered`)."""

    def __init__(self, method: str, error: str, retry_after: float | None = None) -> None:
        super().__init__(f"{method} failed: {error}")
        self.method = method
        self.error = error
        self.permanent = not is_transient(error)
        self.retry_after = retry_after  # seconds Slack asked us to wait (rate limits)


class SlackGateway:
    """Every Web API call the desk makes, each through slack_sdk's own method wrapper, so it
    goes on the wire as Slack reads it: `users.info`, `conversations.history` and
    `conversations.replies` as GET parameters (Slack ignores a JSON body for them), the
    message and view methods as JSON. It serves the flows' ports (`bot.ports.Directory`,
    `bot.ports.Messages`); only the outbox and the Slack edge (`handlers`, `bot.slack`) hold
    it whole."""

    PAGE = 200  # messages a look-up asks for at once (Slack's advice: no more than 200)
    PAGES = 10  # pages a look-up reads at most

    def __init__(self, client: AsyncWebClient, pacer: Pacer | None = None) -> None:
        self.client = client
        self.told: Callable[[str, str | None], None] = _nobody  # (method, error or None) of each call
        self.pacer = pacer or _pacer_of(client)
        # A client that retries waits for Slack's pace; one that does not (the outbox's) is
        # told `ratelimited` at once, and decides itself when to try again.
        self.waits = any(handler.max_retry_count > 0 for handler in client.retry_handlers)
        self._names: dict[str, str] = {}
        self._locales: dict[str, str] = {}  # a person's Slack locale ("" when Slack gave none)
        self._dms: dict[str, str] = {}

    async def _call(
        self, method: str, call: Coroutine[Any, Any, AsyncSlackResponse], channel: str = ""
    ) -> dict[str, Any]:
        try:
            if (wait := self.pacer.wait(method, channel)) > 0:
                if not self.waits:
                    raise SlackFailure(method, "ratelimited", wait)  # Slack would only refuse it
                await until_free(self.pacer, method, channel)
        except BaseException:  # refused here, or the caller stopped waiting (a timeout, a cancel)
            call.close()  # never sent: closed, so it is not left behind unawaited
            raise
        self.pacer.take(method, channel)
        try:
            response = await call
        except SlackApiError as problem:
            data = problem.response.data
            error = str(data.get("error", "unknown_error")) if isinstance(data, dict) else "unknown_error"
            if not isinstance(data, dict) and problem.response.status_code >= 500:
                error = f"http_{problem.response.status_code}"  # a 5xx page, not Slack's JSON
            elif not isinstance(data, dict) and problem.response.status_code == 429:
                error = "ratelimited"  # a rate limit answered without Slack's JSON
            retry_after = _retry_after(problem.response.headers)
            if problem.response.status_code == 429:  # every call to the method waits it out
                self.pacer.hold(method, retry_after)
            log.warning("slack call failed", extra={"method": method, "error": error})
            self.told(method, error)
            raise SlackFailure(method, error, retry_after) from None
        except (SlackClientError, OSError, TimeoutError) as problem:
            log.warning("slack unreachable", extra={"method": method, "error": type(problem).__name__})
            self.told(method, "unreachable")
            raise SlackFailure(method, "unreachable") from None
        self.told(method, None)
        return dict(response.data) if isinstance(response.data, dict) else {}

    async def upload(
        self, channel: str, content: bytes, filename: str, title: str, comment: str, alt: str
    ) -> None:
        """Share a file in `channel` with `comment` as its message, the way slack_sdk does it:
        files.getUploadURLExternal, the bytes to the URL, files.completeUploadExternal."""
        await self._call(
            "files.upload_v2",
            self.client.files_upload_v2(
                channel=channel,
                file=content,
                filename=filename,
                title=title,
                initial_comment=comment,
                alt_txt=alt,
            ),
        )

    async def message_at(self, channel: str, ts: str) -> dict[str, Any] | None:
        """One message, as Slack's docs read one: history with `latest` its ts, `inclusive`,
        `limit=1`; a reply in a thread is not there, so then the thread (`_reply_at`). None
        when it is in neither."""
        data = await self._call(
            "conversations.history",
            self.client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1),
        )
        found = [m for m in data.get("messages") or [] if m.get("ts") == ts]
        return found[0] if found else await self._reply_at(channel, ts)

    async def _reply_at(self, channel: str, ts: str) -> dict[str, Any] | None:
        """A reply in a thread, which carries its parent's `thread_ts`: conversations.replies
        takes the ts of "either a thread's parent message or a message in the thread"
        (api.slack.com/methods/conversations.replies); from `oldest` its ts, `inclusive`. Two
        at most, as the parent may come first whatever `oldest` says."""
        try:
            data = await self._call(
                "conversations.replies",
                self.client.conversations_replies(channel=channel, ts=ts, oldest=ts, inclusive=True, limit=2),
            )
        except SlackFailure as failure:
            if failure.error == "thread_not_found":  # gone (deleted) since
                return None
            raise
        found = [m for m in data.get("messages") or [] if m.get("ts") == ts]
        return found[0] if found else None

    async def who_am_i(self) -> dict[str, Any]:
        return await self._call("auth.test", self.client.auth_test())

    async def post(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread: str | None = None,
        *,
        broadcast: bool = False,
        metadata: dict[str, Any] | None = None,
    ) -> Posted:
        """Post a message; `text` is the notification and screen-reader fallback. A reply
        in a thread with `broadcast` also shows in the channel. `metadata` (Slack's message
        metadata) lets the desk find the message again."""
        data = await self._call(
            "chat.postMessage",
            self.client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                thread_ts=thread,
                reply_broadcast=True if broadcast and thread else None,
                metadata=metadata,
            ),
            channel,  # paced per channel
        )
        return Posted(str(data["channel"]), str(data["ts"]))

    async def look_back(
        self, channel: str, thread: str | None = None, *, metadata: bool = False
    ) -> list[dict[str, Any]]:
        """The messages of a conversation (newest first) or of one thread (its replies, in
        order), following Slack's pages (`has_more`, `next_cursor`) up to `PAGES` of them;
        with `metadata`, each message's metadata too. The desk looks back only to see whether
        an earlier attempt arrived, so a look-up Slack refuses for good (a thread gone, a scope
        missing) finds nothing, and the message is sent: a failed look-up is never a failed
        delivery. A failure for now (rate limit, outage) still raises, to try again later."""
        try:
            return await self._pages(channel, thread, metadata)
        except SlackFailure as failure:
            if not failure.permanent:
                raise
            log.warning("could not look for an earlier attempt", extra={"error": failure.error})
            return []

    async def _pages(self, channel: str, thread: str | None, metadata: bool) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        more = True if metadata else None
        for _ in range(self.PAGES):
            if thread is None:
                call = self.client.conversations_history(
                    channel=channel, limit=self.PAGE, cursor=cursor, include_all_metadata=more
                )
                data = await self._call("conversations.history", call)
            else:
                call = self.client.conversations_replies(
                    channel=channel, ts=thread, limit=self.PAGE, cursor=cursor, include_all_metadata=more
                )
                data = await self._call("conversations.replies", call)
            found.extend(data.get("messages") or [])
            cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
            if not data.get("has_more") or not cursor:
                break
        return found

    async def update(
        self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        await self._call(
            "chat.update", self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        )

    async def whisper(
        self,
        channel: str,
        user: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread: str | None = None,
    ) -> None:
        """A message only `user` sees (ephemeral)."""
        await self._call(
            "chat.postEphemeral",
            self.client.chat_postEphemeral(
                channel=channel, user=user, text=text, blocks=blocks, thread_ts=thread
            ),
        )

    async def dm_channel(self, user: str) -> str:
        """The direct-message channel with `user`, opened once and remembered."""
        if user not in self._dms:
            data = await self._call("conversations.open", self.client.conversations_open(users=user))
            self._dms[user] = str(data["channel"]["id"])
        return self._dms[user]

    def known_dm(self, user: str) -> str | None:
        """The DM channel with `user` if it was opened before (no call to Slack)."""
        return self._dms.get(user)

    async def dm(self, user: str, text: str, blocks: list[dict[str, Any]] | None = None) -> Posted:
        return await self.post(await self.dm_channel(user), text, blocks)

    async def display_name(self, user: str) -> str:
        """A person's name for plain text (mentions are better where mrkdwn is shown)."""
        if user not in self._names:
            await self._person(user)
        return self._names[user]

    async def locale(self, user: str) -> str:
        """A person's Slack locale (`en-US`, `zh-CN`), or "" when Slack does not say one."""
        if user not in self._locales:
            await self._person(user)
        return self._locales[user]

    def forget(self, user: str) -> None:
        """Ask Slack again for this person's name and locale next time (they changed them)."""
        self._names.pop(user, None)
        self._locales.pop(user, None)

    def known_locale(self, user: str) -> str:
        """A person's Slack locale if it was asked before ("" when not: no call to Slack)."""
        return self._locales.get(user, "")

    async def _person(self, user: str) -> None:
        """Ask `users.info` once for a person's name and locale (`include_locale`: Slack leaves
        the locale out unless asked), and remember both."""
        data = await self._call("users.info", self.client.users_info(user=user, include_locale=True))
        found = data.get("user", {})
        profile = found.get("profile", {})
        self._names[user] = profile.get("display_name") or found.get("real_name") or user
        self._locales[user] = str(found.get("locale") or "")

    async def user_by_email(self, email: str) -> str | None:
        """The Slack user with this e-mail address, or None when the workspace has nobody with
        it (`users.lookupByEmail`, scope `users:read.email`; Slack answers `users_not_found`)."""
        try:
            data = await self._call("users.lookupByEmail", self.client.users_lookupByEmail(email=email))
        except SlackFailure as failure:
            if failure.error == "users_not_found":
                return None
            raise
        return str(data.get("user", {}).get("id") or "") or None

    async def open_view(self, trigger_id: str, view: dict[str, Any]) -> str:
        data = await self._call("views.open", self.client.views_open(trigger_id=trigger_id, view=view))
        return str(data["view"]["id"])

    async def update_view(self, view_id: str, view: dict[str, Any]) -> None:
        await self._call("views.update", self.client.views_update(view_id=view_id, view=view))

    async def usergroup_members(self, usergroup: str) -> tuple[str, ...]:
        """The members of a user group ("S…"): approvers of a request type's level."""
        data = await self._call(
            "usergroups.users.list", self.client.usergroups_users_list(usergroup=usergroup)
        )
        return tuple(str(u) for u in data.get("users", ()))

    async def publish_home(self, user: str, view: dict[str, Any]) -> None:
        await self._call("views.publish", self.client.views_publish(user_id=user, view=view))

    async def replace_clicked(self, hook: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """Redraw the message a person clicked on through the click's `response_url`
        (`replace_original`): Slack's own way to answer an interaction, which does not count
        against chat.update's tier. A hook takes five answers in 30 minutes
        (https://api.slack.com/interactivity/handling#message_responses)."""
        client = AsyncWebhookClient(
            hook, session=self.client.session, retry_handlers=self.client.retry_handlers
        )
        status = await _send_hook(client, text=text, blocks=blocks, replace_original=True)
        if status != 200:
            raise SlackFailure("response_url", f"http_{status}" if status else "unreachable")

    async def respond(self, response_url: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """Answer a slash command or a click through its `response_url`, privately."""
        # The desk's pool of connections to Slack (`DeskApp.start`), as `replace_clicked` uses:
        # without it each answer opened (and closed) a connection of its own, about a third of
        # what an answered command cost the desk's event loop at 200 requests a second.
        hook = AsyncWebhookClient(
            response_url, session=self.client.session, retry_handlers=self.client.retry_handlers
        )  # same patience
        response = await hook.send(text=text, blocks=blocks, response_type="ephemeral")
        if response.status_code != 200:
            self.told("response_url", f"http_{response.status_code}")
            raise SlackFailure("response_url", f"http_{response.status_code}")


def _nobody(method: str, error: str | None) -> None:
    """Nobody listens to the gateway's calls (the desk's metrics do: `bot.metrics`)."""


async def _send_hook(hook: AsyncWebhookClient, **body: Any) -> int:
    try:
        return (await hook.send(**body)).status_code
    except (SlackClientError, OSError, TimeoutError):
        return 0


def _pacer_of(client: AsyncWebClient) -> Pacer:
    """The pacer the client's 429 retries hold methods in (one of its own if it has none)."""
    for handler in client.retry_handlers:
        if isinstance(handler, AsyncRateLimitHoldRetryHandler):
            return handler.pacer
    return Pacer()


def _retry_after(headers: Any) -> float | None:
    """The `Retry-After` Slack sent with a rate limit, in seconds."""
    try:
        value = {str(k).lower(): v for k, v in dict(headers or {}).items()}.get("retry-after")
        if isinstance(value, list):
            value = value[0] if value else None
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
