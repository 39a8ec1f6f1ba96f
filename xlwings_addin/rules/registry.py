"""Choose the rule pack from the review year (R1, S1), python-holidays style.

Every module of this package that defines a ``RulePack`` subclass with an ``id`` is a pack: a new
regulation is one new module (plus its tests), found here without editing this file.
"""

from __future__ import annotations

import importlib
import os

from .base import RulePack


class UnknownRules(ValueError):
    """No rule pack covers the year, or the id is unknown."""


def _module_names() -> list[str]:
    from . import __path__ as here

    # The modules of this folder (by file name: cheaper to import than pkgutil, run on every click).
    names = sorted({f[:-3] for folder in here for f in os.listdir(folder) if f.endswith(".py")})
    return [n for n in names if n not in ("base", "registry", "settings") and not n.startswith("_")]


_NAMES = _module_names()
_FOUND: list[RulePack] = []  # the packs of the modules imported so far
_IMPORTED = 0  # how many of _NAMES


def _packs():
    """Every pack, importing the modules one at a time as the search goes on: a click on a 2023
    workbook never imports the QĐ 366 pack, nor a full search anything twice."""
    global _IMPORTED
    from . import __name__ as package

    i = 0
    while True:
        while i < len(_FOUND):  # by index: a search started meanwhile may have found more
            yield _FOUND[i]
            i += 1
        if _IMPORTED >= len(_NAMES):
            return
        module = importlib.import_module(f"{package}.{_NAMES[_IMPORTED]}")
        _IMPORTED += 1
        _FOUND.extend(value() for value in vars(module).values()
                      if isinstance(value, type) and issubclass(value, RulePack) and value is not RulePack and value.id
                      and value.__module__ == module.__name__)


def __getattr__(name: str):
    if name == "PACKS":  # every pack, by first year
        return tuple(sorted(_packs(), key=lambda p: p.first_year))
    raise AttributeError(name)


def rules_by_id(rules_id: str) -> RulePack:
    for pack in _packs():
        if pack.id.casefold() == rules_id.strip().casefold():
            return pack
    known = ", ".join(p.id for p in __getattr__("PACKS"))
    raise UnknownRules(f"Bộ quy tắc '{rules_id}' không có (có: {known}).")


def rules_for(year: int) -> RulePack:
    """Return the pack governing a review year: 2023-2024 QĐ 124, 2025 on QĐ 366."""
    for pack in _packs():  # the years of two packs never overlap: the first that covers it is the one
        if pack.covers(year):
            return pack
    raise UnknownRules(
        f"Năm đánh giá {year} không được hỗ trợ: phần mềm áp dụng Quy định 124-QĐ/TW (năm 2023-2024) "
        "và Quy định 366-QĐ/TW (từ năm 2025)."
    )
