"""A short code of a case's data, printed on the documents (pure).

The code covers what was typed (roster, facts, ballots, settings), not where it was typed, so a
case file and its workbook share it. Fields still at their default value are left out: a newer
version of the program that adds fields gives the same code for the same data, so a signed
document can still be matched with its workbook after an upgrade.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import MISSING, fields, is_dataclass
from enum import Enum

from .levels import LEVELS
from .models import Ballot, Spoiled

# Where the data was typed is not part of the data.
_LOCATION_FIELDS = frozenset(("where", "cells", "column", "sheet", "rows", "score_where", "unused_sheets", "note"))
# A ballot's marks as one byte each: the grid is most of the case, keep it cheap (no Enum hashing).
_MARK_BYTE = {None: ord("-"), Spoiled.SPOILED: ord("x"), **{lvl: ord(str(lvl.digit)) for lvl in LEVELS}}


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


def canonical(value):
    """A canonical JSON-able form (locations and default values left out)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, Ballot):
        marks = bytes(map(_MARK_BYTE.__getitem__, value.marks)).decode("ascii")
        out = {"id": value.id, "marks": marks}
        if value.invalid:
            out["invalid"] = True
        if value.voter:
            out["voter"] = value.voter
        return out
    if is_dataclass(value):
        defaults = _defaults(type(value))
        out = {}
        # The instance dict holds every field of these (slot-less) dataclasses: cheaper than fields().
        for name, v in value.__dict__.items():
            if name in _LOCATION_FIELDS:
                continue
            if name in defaults:
                d = defaults[name]
                if v is d or (v.__class__ is d.__class__ and v == d):
                    continue
            out[name] = canonical(v)
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
    digest = hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest().upper()
    return f"{digest[:4]}-{digest[4:8]}"
