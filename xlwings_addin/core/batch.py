"""Run a bulk build of plain objects with the cyclic garbage collector paused.

Reading a workbook and computing its result make tens of thousands of acyclic objects (rows,
records, result tables). The collector's passes over them find nothing to free and cost about 3%
of a computation at 300 members x 300 ballots (45 collections). It is paused for the call only and
restored after, so any cycle made meanwhile is collected by the next ordinary pass.
"""

from __future__ import annotations

import gc


def without_gc(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with the collector paused (left as it was found)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return fn(*args, **kwargs)
    finally:
        if enabled:
            gc.enable()
