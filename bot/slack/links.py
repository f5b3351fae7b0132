"""Links to messages in the workspace, the way Slack writes them.

A message's permalink is the workspace's URL (from `auth.test`), `archives/`, the channel and
`p` with the message's ts without its dot: Slack's published Web API spec gives
`https://ghostbusters.slack.com/archives/C1H9RESGA/p135854651500008` as what
`chat.getPermalink` answers. Built here, it costs no call per message.
"""

from __future__ import annotations


def permalink(workspace: str, channel: str, ts: str, thread: str | None = None) -> str | None:
    """The message's link; None while the workspace's URL is not known. A reply in a thread
    (`thread` its parent's ts) links into the thread, as chat.getPermalink writes it "when the
    provided message_ts is part of a thread":
    `…/p135854651700023?thread_ts=1358546515.000008&cid=C1H9RESGL`."""
    if not workspace or not channel or not ts:
        return None
    link = f"{workspace.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
    return f"{link}?thread_ts={thread}&cid={channel}" if thread and thread != ts else link


def linked(url: str | None, words: str) -> str:
    """`words` as a mrkdwn link to `url` (plain `words` without one). `words` must be escaped;
    the URL's `&` is, as mrkdwn asks."""
    return f"<{url.replace('&', '&amp;')}|{words}>" if url else words
