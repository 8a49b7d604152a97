"""The worker loop: tick, wait, repeat, until asked to stop (Ctrl-C or SIGTERM through `stop`)."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_worker(engine, interval: float, stop: threading.Event, report: Callable, max_ticks: int | None = None) -> int:
    """Tick every `interval` seconds until `stop` is set; returns the number of ticks run.

    A tick that finds nothing due costs one indexed query. The wait is on `stop`, so a signal ends
    the loop at once instead of after the interval; a tick in progress always finishes first, since
    each instance's firing commits in its own transaction.
    """
    ticks = 0
    while not stop.is_set():
        report(engine.tick())
        ticks += 1
        if max_ticks is not None and ticks >= max_ticks:
            break
        stop.wait(interval)
    return ticks
