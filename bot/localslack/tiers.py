"""Slack's rate-limit tiers, as the local Slack enforces them when asked (`LocalSlack.method_pace`).

Slack limits each Web API method "per API method per app per workspace", in tiers
(https://api.slack.com/docs/rate-limits): Tier 2 20+ calls a minute, Tier 3 50+, Tier 4 100+;
"rate limit windows are per minute" and bursts are welcome. A call beyond its method's limit is
answered HTTP 429 with `{"ok": false, "error": "ratelimited"}` and a `Retry-After` header in
seconds, and nothing is done. Each method's tier is on its page under
https://api.slack.com/methods. chat.postMessage's own per-channel pace is `ChannelPace`.

Kept apart from the desk's own pacer (`bot.slack.pace`) on purpose: a fake that shared the
desk's arithmetic would agree with its mistakes.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field

# Calls a minute, per method, for the whole workspace (the lower end of each method's tier).
TIERS: dict[str, int] = {
    "chat.update": 50,  # Tier 3
    "chat.postEphemeral": 100,  # Tier 4
    "conversations.history": 50,  # Tier 3
    "conversations.replies": 50,  # Tier 3
    "conversations.open": 50,  # Tier 3
    "users.info": 100,  # Tier 4
    "views.open": 100,  # Tier 4
    "views.update": 100,  # Tier 4
    "views.publish": 100,  # Tier 4
    "files.getUploadURLExternal": 100,  # Tier 4
    "files.completeUploadExternal": 100,  # Tier 4
}


@dataclass
class MethodPace:
    """Each method's tier: at most `tiers[method]` calls in any 60 seconds."""

    tiers: dict[str, int] = field(default_factory=lambda: dict(TIERS))
    refused: Counter[str] = field(default_factory=Counter)  # 429s answered, per method
    _calls: dict[str, deque[float]] = field(default_factory=dict)

    def admit(self, method: str, now: float) -> float:
        """Take a call to `method`: 0 when it is within its tier, else seconds until it would be."""
        limit = self.tiers.get(method)
        if limit is None:
            return 0.0
        calls = self._calls.setdefault(method, deque())
        while calls and calls[0] <= now - 60.0:
            calls.popleft()
        if len(calls) < limit:
            calls.append(now)
            return 0.0
        self.refused[method] += 1
        return calls[len(calls) - limit] + 60.0 - now
