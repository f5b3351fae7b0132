"""Work in flight: listeners still running after their ack, and scheduled jobs.

A listener answers Slack (acks) early and goes on working after, so "the desk has answered" is
not "the desk has finished". The desk counts what is running so that `DeskApp.idle()` can say
when nothing is, which is how tests prove that nothing more happened without sleeping.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from slack_bolt.async_app import AsyncAck
from slack_bolt.response import BoltResponse

from store.base import NotSaved

P = ParamSpec("P")
R = TypeVar("R")
EVENT_ACK_WAIT = 2.0  # seconds an event's ack may wait for its listener (Slack waits 3)
NOT_YET = 503  # the answer to an event whose work is not saved yet: not an ack, so Slack retries
# Slack sends an event it got no 2xx for again, three times: at once, after a minute, after five
# (https://api.slack.com/apis/events-api#retries, `X-Slack-Retry-Num` 1 to 3).
LAST_RETRY = 3
log = logging.getLogger("desk.work")
_LATER = object()  # what a listener returns when Slack's retry will do its work


class Work:
    """A count of the tracked coroutines running now, and the listeners' tasks that go on
    after their ack (held here: the loop keeps only a weak reference to a task)."""

    def __init__(self) -> None:
        self.running = 0
        self.after_ack: set[asyncio.Task[Any]] = set()

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

    def keep(self, task: asyncio.Task[Any]) -> None:
        self.after_ack.add(task)
        task.add_done_callback(self.after_ack.discard)

    @property
    def busy(self) -> bool:
        return self.running > 0


Failed = Callable[[Exception, dict[str, Any], Any], Awaitable[None]]


class _Told(AsyncAck):
    """The listener's `ack`, passed on to Bolt's own, which also resolves `answered`, then lets
    the answer leave before the listener goes on.

    A listener's work after its ack (a claim's decision, its transaction) runs on until its
    first real wait; without the step aside here that ran before Bolt could return the ack,
    so every ack waited for it. One turn of the loop is enough: `until_answered` was woken by
    `answered` before this listener asked for its turn, so it runs first, and Bolt's answer is
    written without waiting on anything (measured: `bench/ack.py`)."""

    def __init__(self, bolts: AsyncAck, answered: asyncio.Future[None]) -> None:  # no super().__init__
        self._bolts = bolts
        self.answered = answered

    @property
    def response(self) -> Any:
        return self._bolts.response

    @response.setter
    def response(self, value: Any) -> None:
        self._bolts.response = value

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await self._bolts(*args, **kwargs)
        finally:
            if not self.answered.done():
                self.answered.set_result(None)
                await asyncio.sleep(0)  # the answer first: `until_answered` resumes before this


def track_listeners(
    app: Any, work: Work, failed: Failed, acks_at_once: Callable[[dict[str, Any]], bool] | None = None
) -> None:
    """Run every listener registered on a Bolt app as counted work, answer Slack as soon as
    the listener acks, and end every failure inside one at `failed(error, body, ack)`.

    A request whose listener acks with nothing before anything else (`acks_at_once(body)`,
    the routing table's `acks_first`) is acked here, in the request's own turn of the event
    loop, and its listener runs after: waiting for the listener's task to start and for the
    ack to come back took two turns of a busy loop, each as long as the work queued in it
    (measured: 1.6 ms at p50 and 11.5 ms at p99 of a Claim button's ack, `bench/ack.py`).

    The app runs with `process_before_response=True`: Bolt answers once `run_ack_function`
    returns. That returns at the listener's `ack()` and leaves the rest running as a task of
    its own. (With Bolt's default, it looks for the ack every 10 ms, `await asyncio.sleep(0.01)`
    in `slack_bolt/listener/asyncio_runner.py`, so an ack waited up to 10 ms more.)

    An Events API request is acked only once its listener is done. A listener commits an
    event's effects and its "handled" mark together; acking after that commit means a desk
    killed in between never acked, so Slack retries the event (same `event_id`) and the retry
    does the work. A listener not done within EVENT_ACK_WAIT seconds (a slow disk, a busy
    machine) gets no ack either: the event is answered NOT_YET (503) and its work goes on.
    An ack there would tell Slack the event was taken while nothing of it was saved, and a
    desk killed before the commit lost it for good (Slack does not send an acked event
    again); this was the window behind acked DMs lost under frequent kills (issue 34, item 5).
    Slack counts any answer but a 2xx, or none within 3 seconds, as a failed delivery and
    sends the event again, nearly at once, then after a minute and after five
    (https://api.slack.com/events-api
    #the-events-api__field-guide__error-handling__graceful-retries); the retry finds the work
    done, once it is, and is acked. Over Socket Mode, Bolt sends no ack for an answer that is
    not a 200 (`slack_bolt/adapter/socket_mode/async_internals.py`), so Slack retries the
    envelope the same way. Commands and clicks are acked first: their answers follow through
    the response URL. Both the HTTP edge and Socket Mode dispatch through Bolt's listener
    runner, so this is the one place that holds the ack.

    An HTTP event whose work could not be saved (NotSaved, within EVENT_ACK_WAIT) is answered
    503 and nobody is told anything: Slack sends it again, and the retry does the work once the
    store is back. Only its last retry, or one whose ack had gone already, tells the person
    that nothing was changed. (Socket Mode carries the retry count outside the payload Bolt
    sees, so there the person is told at once.)

    No exception reaches Bolt: it would answer for a failed listener itself, with a 500 in
    place of the ack."""
    for listener in app._async_listeners:
        if getattr(listener, "_desk_tracked", False):
            continue
        original = listener.run_ack_function

        async def guarded(*, request: Any, response: Any, _run: Any = original) -> Any:
            try:
                return await _run(request=request, response=response)
            except Exception as error:
                if isinstance(error, NotSaved) and _retried(request):
                    log.warning(
                        "event not acked: nothing was saved, Slack sends it again",
                        extra={"error": str(error)},
                    )
                    return _LATER
                await failed(error, request.body, request.context.ack)
                return None

        counted = work.tracked(guarded)

        async def until_answered(
            *, request: Any, response: Any, _run: Any = counted, _patience: float = listener.ack_timeout
        ) -> BoltResponse | None:
            answered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            bolts_ack = request.context.ack
            request.context["ack"] = _Told(bolts_ack, answered)  # what the listener gets as `ack`
            is_event = (request.body or {}).get("type") == "event_callback"
            request.context["desk_may_retry"] = is_event and request.mode == "http"
            if not is_event and acks_at_once is not None and acks_at_once(request.body or {}):
                await bolts_ack()  # Bolt's own ack, empty: the answer, now
                answered.set_result(None)  # (the listener's own `ack()` then changes nothing)
                work.keep(asyncio.ensure_future(_run(request=request, response=response)))
                return None
            task = asyncio.ensure_future(_run(request=request, response=response))
            work.keep(task)
            if is_event:
                done, _ = await asyncio.wait({task}, timeout=EVENT_ACK_WAIT)
                if task not in done:
                    log.warning(
                        "event not acked: its work is not saved yet; Slack will send it again",
                        extra={"event_id": (request.body or {}).get("event_id"), "wait_s": EVENT_ACK_WAIT},
                    )
                    return BoltResponse(status=NOT_YET, body="")  # Bolt returns this, not its ack
                if not task.cancelled() and task.result() is _LATER:
                    return BoltResponse(status=NOT_YET, body="")  # nothing saved: Slack sends it again
                request.context["desk_may_retry"] = False  # answered now: a failure after is told
                return None

            # the ack given, or the listener done without one, or out of patience (Bolt then
            # answers for it); awaited directly, so the ack is one turn of the loop away
            def settle(*_: Any) -> None:
                if not answered.done():
                    answered.set_result(None)

            task.add_done_callback(settle)
            patience = asyncio.get_running_loop().call_later(_patience, settle)
            try:
                await answered
            finally:
                patience.cancel()
            return None

        listener.run_ack_function = until_answered
        listener._desk_tracked = True


def _retried(request: Any) -> bool:
    """Whether Slack will send this request again if it is not acked: an HTTP event, not yet
    answered, that was not Slack's last try."""
    if not request.context.get("desk_may_retry") or request.context.ack.response is not None:
        return False
    tries = request.headers.get("x-slack-retry-num") or ["0"]
    return int(tries[0]) < LAST_RETRY if str(tries[0]).isdigit() else False
