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


def _discover() -> tuple[RulePack, ...]:
    from . import __path__ as here, __name__ as package

    # The modules of this folder (by file name: cheaper to import than pkgutil, run on every click).
    names = sorted({f[:-3] for folder in here for f in os.listdir(folder) if f.endswith(".py")})
    packs = []
    for name in names:
        if name in ("base", "registry", "settings") or name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, RulePack) and value is not RulePack and value.id \
                    and value.__module__ == module.__name__:
                packs.append(value())
    return tuple(sorted(packs, key=lambda p: p.first_year))


PACKS: tuple[RulePack, ...] = _discover()


def rules_by_id(rules_id: str) -> RulePack:
    for pack in PACKS:
        if pack.id.casefold() == rules_id.strip().casefold():
            return pack
    known = ", ".join(p.id for p in PACKS)
    raise UnknownRules(f"Bộ quy tắc '{rules_id}' không có (có: {known}).")


def rules_for(year: int) -> RulePack:
    """Return the pack governing a review year: 2023-2024 QĐ 124, 2025 on QĐ 366."""
    for pack in PACKS:
        if pack.covers(year):
            return pack
    raise UnknownRules(
        f"Năm đánh giá {year} không được hỗ trợ: phần mềm áp dụng Quy định 124-QĐ/TW (năm 2023-2024) "
        "và Quy định 366-QĐ/TW (từ năm 2025)."
    )
