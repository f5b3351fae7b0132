"""Python's cyclic garbage collector held off while a report reads history (`paused`).

A report that decodes tens of thousands of old tickets (`/desk quality 90d` reaching into the
archive or the database) keeps each piece alive while it counts it; the collector's full
collections then walk every one of them, and a full collection holds the interpreter for its
whole length: 200-400 ms at 500,000 tickets of history, during which the event loop cannot
answer anyone, even though the work runs on a thread. Those tickets hold no reference cycles
and are freed by their reference counts once counted, so the collector has nothing to find
there. While any report holds the pause (reports may overlap) the collector does not run; it
runs again as before once the last one lets go.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_held = 0  # reports holding the pause (changed on the event loop's thread only)
_was_enabled = True


@contextmanager
def paused() -> Iterator[None]:
    global _held, _was_enabled
    if _held == 0:
        _was_enabled = gc.isenabled()
        gc.disable()
    _held += 1
    try:
        yield
    finally:
        _held -= 1
        if _held == 0 and _was_enabled:
            gc.enable()
