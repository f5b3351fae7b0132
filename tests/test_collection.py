"""`bot.collection.paused`: the collector held off while any report holds the pause."""

from __future__ import annotations

import gc

from bot.collection import paused


def test_the_collector_runs_again_once_the_last_of_overlapping_pauses_ends():
    assert gc.isenabled()
    first = paused()
    first.__enter__()
    with paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the first report still reads
    first.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    try:
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
