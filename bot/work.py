"""Work in flight: listeners still running after their ack, and scheduled jobs.

Bolt acks first and runs the listener after, so "the desk has answered" is not "the desk has
finished". The desk counts what is running so that `DeskApp.idle()` can say when nothing is,
which is how tests prove that nothing more happened without sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
EVENT_ACK_WAIT = 2.0  # seconds an event's ack may wait for its listeners (Slack waits 3)
_spawned: contextvars.ContextVar[list[asyncio.Future[Any]] | None] = contextvars.ContextVar(
    "desk_spawned", default=None
)


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
            done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            if (spawned := _spawned.get()) is not None:  # a request waits for it (see below)
                spawned.append(done)
            try:
                return await function(*args, **kwargs)
            finally:
                self.running -= 1
                done.set_result(None)

        return counted

    @property
    def busy(self) -> bool:
        return self.running > 0


Failed = Callable[[Exception, dict[str, Any], Any], Awaitable[None]]


def track_listeners(app: Any, work: Work, failed: Failed) -> None:
    """Count every listener registered on a Bolt app as work while it runs, and end every
    failure inside one at `failed(error, body, ack)`: no exception reaches Bolt's task. (Bolt
    then answers for a failed listener itself, and when the failure comes just after the ack
    it overwrites the ack it has not sent yet: Slack gets a 404 after three seconds.)"""
    for listener in app._async_listeners:  # Bolt runs each through `run_ack_function`
        if getattr(listener, "_desk_tracked", False):
            continue
        original = listener.run_ack_function

        async def guarded(*, request: Any, response: Any, _run: Any = original) -> Any:
            try:
                return await _run(request=request, response=response)
            except Exception as error:
                await failed(error, request.body, request.context.ack)
                return None

        listener.run_ack_function = work.tracked(guarded)
        listener._desk_tracked = True


def ack_events_after_their_work(app: Any) -> None:
    """An Events API request is answered (acked) only once its listeners are done, up to
    EVENT_ACK_WAIT seconds. A listener commits an event's effects and its "handled" mark
    together; acking after that commit means a desk killed in between never acked, so Slack
    retries the event (same `event_id`) and the retry does the work. Commands and clicks are
    still acked first: their answers follow through the response URL.

    Both the HTTP edge and Socket Mode dispatch through `app.async_dispatch`, so this is the
    one place that holds the ack. A listener runs in a task Bolt starts during the dispatch;
    the task inherits the dispatch's context, and with it the list it registers itself in."""
    dispatch = app.async_dispatch

    @functools.wraps(dispatch)
    async def dispatch_then_wait(request: Any) -> Any:
        spawned: list[asyncio.Future[Any]] = []
        token = _spawned.set(spawned)
        try:
            response = await dispatch(request)
        finally:
            _spawned.reset(token)
        body = getattr(request, "body", None) or {}
        if body.get("type") != "event_callback":
            return response
        # Bolt has scheduled each listener's task; the loop runs scheduled callbacks in order,
        # so one turn lets each task reach `counted` (before any await of its own) and register.
        await asyncio.sleep(0)
        if spawned:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*spawned), EVENT_ACK_WAIT)
        return response

    app.async_dispatch = dispatch_then_wait
