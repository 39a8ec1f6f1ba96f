"""Choose the rule pack from the review year (R1), python-holidays style."""

from __future__ import annotations

from .base import RulePack
from .qd124 import QD124
from .qd366 import QD366

PACKS: tuple[RulePack, ...] = (QD124(), QD366())


class UnknownRules(ValueError):
    """No rule pack covers the year, or the id is unknown."""


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
