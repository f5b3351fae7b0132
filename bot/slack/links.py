"""Links to messages in the workspace, the way Slack writes them.

A message's permalink is the workspace's URL (from `auth.test`), `archives/`, the channel and
`p` with the message's ts without its dot: Slack's published Web API spec gives
`https://ghostbusters.slack.com/archives/C1H9RESGA/p135854651500008` as what
`chat.getPermalink` answers. Built here, it costs no call per message.
"""

from __future__ import annotations


def permalink(workspace: str, channel: str, ts: str) -> str | None:
    """The message's link; None while the workspace's URL is not known."""
    if not workspace or not channel or not ts:
        return None
    return f"{workspace.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"


def linked(url: str | None, words: str) -> str:
    """`words` as a mrkdwn link to `url` (plain `words` without one). `words` must be escaped."""
    return f"<{url}|{words}>" if url else words
