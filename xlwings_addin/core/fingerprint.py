"""A short code of a case's data, printed on the documents (pure).

The code covers what was typed (roster, facts, ballots, settings), not where it was typed, so a
case file and its workbook share it. Fields still at their default value are left out: a newer
version of the program that adds fields gives the same code for the same data, so a signed
document can still be matched with its workbook after an upgrade.
"""

from __future__ import annotations

import json
from enum import Enum

from .models import Ballot, mark_line
from .record import MISSING, fields, is_record


def _sha256(data: bytes) -> str:
    # The interpreter's built-in SHA-256 when present: importing hashlib loads OpenSSL (a few ms of
    # every click) for one digest. The digest is the same whichever implementation computes it.
    try:
        from _sha256 import sha256  # Python 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # Python 3.12 and later
        except ImportError:
            from hashlib import sha256
    return sha256(data).hexdigest()

# Where the data was typed is not part of the data.
_LOCATION_FIELDS = frozenset(("where", "cells", "column", "sheet", "rows", "score_where", "unused_sheets", "note"))


def _defaults(cls) -> dict:
    cached = _DEFAULTS.get(cls)
    if cached is None:
        cached = {}
        for f in fields(cls):
            if f.default is not MISSING:
                cached[f.name] = f.default
            elif f.default_factory is not MISSING:
                cached[f.name] = f.default_factory()
        _DEFAULTS[cls] = cached
    return cached


_DEFAULTS: dict = {}
_PLAIN = frozenset((str, int, float, bool, type(None)))


def canonical(value):
    """A canonical JSON-able form (locations and default values left out)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, Ballot):
        # One byte per mark (the grid is most of the case), the line counting already made.
        marks = mark_line(value.marks).decode("ascii")
        out = {"id": value.id, "marks": marks}
        if value.invalid:
            out["invalid"] = True
        if value.voter:
            out["voter"] = value.voter
        return out
    if is_record(value):
        defaults = _DEFAULTS.get(value.__class__) or _defaults(value.__class__)
        out = {}
        # The instance dict holds every field of a record: cheaper than fields().
        for name, v in value.__dict__.items():
            if name in _LOCATION_FIELDS:
                continue
            if name in defaults:
                d = defaults[name]
                if v is d or (v.__class__ is d.__class__ and v == d):
                    continue
            # Plain values (most fields) are their own form: no call for them.
            out[name] = v if v.__class__ in _PLAIN else canonical(v)
        return out
    if isinstance(value, (tuple, list)):
        return [canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    return str(value)  # Fraction, date, time


def fingerprint(case) -> str:
    """Return a short code of the inputs (roster, ballots, settings), e.g. "3F2A-91C0"."""
    data = json.dumps(canonical(case), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # surrogatepass: a stray lone surrogate must not make the code impossible to compute.
    digest = _sha256(data.encode("utf-8", "surrogatepass")).upper()
    return f"{digest[:4]}-{digest[4:8]}"
