"""Slack's pace per Web API method, kept ahead of time, and its `Retry-After`s honoured by
every call to the method that drew one.

Slack counts calls "per API method per app per workspace" in tiers
(https://api.slack.com/docs/rate-limits): Tier 1 allows 1+ a minute, Tier 2 20+, Tier 3 50+
("sporadic bursts are welcome"), Tier 4 100+ ("generous burst behavior"). chat.postMessage
has a special tier: about one message a second in each channel, short bursts allowed
(https://api.slack.com/methods/chat.postMessage#rate_limiting). Each method's tier is on its
page under https://api.slack.com/methods (the table below names them). A call over its limit is
answered 429 with a `Retry-After` in seconds; Slack's advice is to wait that long before
calling that method again, so one 429 holds every call to the method, not just the one refused.

The tiers are those of an app built for its own workspace: Slack's 2025 limits for
commercially distributed non-Marketplace apps (conversations.history and .replies at one call
a minute) do not apply to "internal customer-built applications" (same page). Each process
keeps its own account; with several desks only the leader runs the outbox, which makes the
paced calls (edits, posts, Home tabs, look-ups), so the workspace's budget is spent in one place.

`Pacer` is the desk's account of both: an allowance per method (per channel for
chat.postMessage) a little under its tier, and a hold per method until its last `Retry-After`
has passed. It takes its clock as an argument, so tests step time instead of
sleeping. The local Slack (`bot.localslack`) enforces the same `LIMITS` at their full rate.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """`per_minute` calls in any minute. Per channel (chat.postMessage's special tier), a token
    bucket: `burst` at once, then `per_minute / 60` a second. Otherwise Slack's tiers, whose
    "rate limit windows are per minute" and welcome bursts: up to `per_minute` calls in any
    60 seconds, all at once if need be."""

    per_minute: float
    burst: float = 0.0
    per_channel: bool = False

    @property
    def rate(self) -> float:
        return self.per_minute / 60.0


TIER_2 = Limit(20)
TIER_3 = Limit(50)
TIER_4 = Limit(100)
POST = Limit(60, burst=3, per_channel=True)  # one a second per channel, short bursts

# The tier of each method the desk calls, from its page in Slack's method reference.
LIMITS: dict[str, Limit] = {
    "chat.postMessage": POST,  # Special: https://api.slack.com/methods/chat.postMessage
    "chat.update": TIER_3,  # https://api.slack.com/methods/chat.update
    "chat.postEphemeral": TIER_4,  # https://api.slack.com/methods/chat.postEphemeral
    "conversations.history": TIER_3,  # https://api.slack.com/methods/conversations.history
    "conversations.replies": TIER_3,  # https://api.slack.com/methods/conversations.replies
    "conversations.open": TIER_3,  # https://api.slack.com/methods/conversations.open
    "users.info": TIER_4,  # https://api.slack.com/methods/users.info
    "views.open": TIER_4,  # https://api.slack.com/methods/views.open
    "views.update": TIER_4,  # https://api.slack.com/methods/views.update
    "views.publish": TIER_4,  # https://api.slack.com/methods/views.publish
    "files.getUploadURLExternal": TIER_4,  # https://api.slack.com/methods/files.getUploadURLExternal
    "files.completeUploadExternal": TIER_4,  # https://api.slack.com/methods/files.completeUploadExternal
}

SHARE = 0.95  # of each limit the desk uses: a call that reaches Slack late is still within it
WINDOW = 60.0  # seconds


class Allowance:
    """What one limit allows, per key (a channel, or "" for the whole workspace)."""

    def __init__(self, limit: Limit, share: float = 1.0) -> None:
        self.limit = limit
        self.calls = max(1, int(limit.per_minute * share))  # in any window (tiers)
        self.rate = limit.rate * share  # a second (per channel)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._windows: dict[str, deque[float]] = {}

    def _tokens(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (self.limit.burst, now))
        return min(self.limit.burst, tokens + max(0.0, now - at) * self.rate)

    def _window(self, key: str, now: float) -> deque[float]:
        window = self._windows.setdefault(key, deque())
        while window and window[0] <= now - WINDOW:
            window.popleft()
        return window

    def wait(self, key: str, now: float) -> float:
        """Seconds until `key` may make a call (0: now)."""
        if self.limit.per_channel:
            tokens = self._tokens(key, now)
            return 0.0 if tokens >= 1 else (1 - tokens) / self.rate
        window = self._window(key, now)
        return 0.0 if len(window) < self.calls else window[len(window) - self.calls] + WINDOW - now

    def take(self, key: str, now: float) -> None:
        """A call is made now (over the limit too: the next ones then wait longer)."""
        if self.limit.per_channel:
            self._buckets[key] = (self._tokens(key, now) - 1, now)
        else:
            self._window(key, now).append(now)

    def admit(self, key: str, now: float) -> float:
        """Take a call if it is within the limit (0), else the seconds to wait (nothing taken)."""
        wait = self.wait(key, now)
        if wait == 0:
            self.take(key, now)
        return wait


class Pacer:
    """How long a call to a method must wait: its share of the tier, and any `Retry-After`."""

    def __init__(
        self,
        limits: dict[str, Limit] | None = None,
        clock: Callable[[], float] = time.monotonic,
        share: float = SHARE,
    ) -> None:
        self.limits = LIMITS if limits is None else limits
        self.clock = clock
        self._allowances = {method: Allowance(limit, share) for method, limit in self.limits.items()}
        self._holds: dict[str, float] = {}  # method -> until when (on `clock`) Slack said wait
        self.calls: dict[str, int] = {}  # method -> calls taken since start
        self.refused: dict[str, int] = {}  # method -> 429s Slack answered

    def _key(self, method: str, channel: str) -> str:
        limit = self.limits.get(method)
        return channel if limit is not None and limit.per_channel else ""

    def held(self, method: str) -> float:
        """Seconds left of the `Retry-After` Slack gave for `method` (0: none)."""
        return max(0.0, self._holds.get(method, 0.0) - self.clock())

    def wait(self, method: str, channel: str = "") -> float:
        """Seconds before a call to `method` (in `channel`, for a per-channel method) keeps
        within Slack's pace: 0 when it may go now."""
        allowance = self._allowances.get(method)
        pace = allowance.wait(self._key(method, channel), self.clock()) if allowance else 0.0
        return max(pace, self.held(method))

    def take(self, method: str, channel: str = "") -> None:
        """A call to `method` is going out now."""
        self.calls[method] = self.calls.get(method, 0) + 1
        if (allowance := self._allowances.get(method)) is not None:
            allowance.take(self._key(method, channel), self.clock())

    def hold(self, method: str, retry_after: float | None) -> None:
        """Slack answered a call to `method` with 429: no call to it until `retry_after` passed."""
        self.refused[method] = self.refused.get(method, 0) + 1
        until = self.clock() + (retry_after if retry_after is not None else 1.0)
        self._holds[method] = max(self._holds.get(method, 0.0), until)
