"""Work in flight: listeners still running after their ack, and scheduled jobs.

Bolt acks first and runs the listener after, so "the desk has answered" is not "the desk has
finished". The desk counts what is running so that `DeskApp.idle()` can say when nothing is,
which is how tests prove that nothing more happened without sleeping.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Work:
    """A count of the tracked coroutines running now."""

    def __init__(self) -> None:
        self.running = 0

    def tracked(self, function: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        """`function`, counted while it runs. Keeps its signature (`functools.wraps`), which
        Bolt reads to inject a listener's arguments."""

        @functools.wraps(function)
        async def counted(*args: P.args, **kwargs: P.kwargs) -> R:
            self.running += 1
            try:
                return await function(*args, **kwargs)
            finally:
                self.running -= 1

        return counted

    @property
    def busy(self) -> bool:
        return self.running > 0


def track_listeners(app: Any, work: Work) -> None:
    """Count every listener registered on a Bolt app as work while it runs."""
    for listener in app._async_listeners:  # Bolt keeps them here; each calls `ack_function`
        if not getattr(listener.ack_function, "_desk_tracked", False):
            listener.ack_function = work.tracked(listener.ack_function)
            listener.ack_function._desk_tracked = True
