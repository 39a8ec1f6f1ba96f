"""Helpers for bulk work over a workbook's cells: a paused collector, one-call lookups, identity memos.

Reading a workbook and computing its result make tens of thousands of acyclic objects (rows,
records, result tables). The cyclic collector's passes over them find nothing to free and cost about
3% of a computation at 300 members x 300 ballots (45 collections): ``without_gc`` pauses it for a
call and restores it after, so any cycle made meanwhile is collected by the next ordinary pass.
"""

from __future__ import annotations

import gc
from operator import itemgetter


def without_gc(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with the collector paused (left as it was found)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return fn(*args, **kwargs)
    finally:
        if enabled:
            gc.enable()


def look_up_all(table: dict, values) -> tuple:
    """``table[v]`` for every value, as a tuple, in one C-level call; KeyError for a value not there.

    ``itemgetter`` with every value: a third cheaper than mapping ``table.__getitem__`` (no call per cell).
    """
    if len(values) > 1:
        return itemgetter(*values)(table)
    return tuple(table[v] for v in values)


def by_identity(cache: dict, obj, make, limit: int):
    """``make(obj)``, remembered for that very object (kept in the cache, so its id is not reused).

    For values asked several times per run of the same immutable object (a ballot's marks, a schema's
    choice list); the cache is cleared once it holds ``limit`` objects.
    """
    hit = cache.get(id(obj))
    if hit is not None and hit[0] is obj:
        return hit[1]
    value = make(obj)
    if len(cache) >= limit:
        cache.clear()
    cache[id(obj)] = (obj, value)
    return value
