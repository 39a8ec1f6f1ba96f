"""Several years side by side (pure): each member's consecutive HTXSNV years and the change from last year.

Five consecutive years of "Hoàn thành xuất sắc nhiệm vụ" are the usual basis for a commendation, so
the committee wants the streak next to this year's proposal. Earlier years come from earlier summary
workbooks; a member is recognised across years by the số thẻ đảng viên, else by name and admission
date, else by name within the same chi bộ (a member who moved cells without an id is not followed).
A missing year breaks the streak: only years actually on file count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from ..core.levels import Level
from .model import CellRecord, MemberRow, norm


@dataclass(frozen=True)
class PastRow:
    """One member's level in an earlier year, as read from an earlier summary."""

    year: int
    cell: str
    name: str
    member_id: str = ""
    admission_date: str = ""
    level: str = ""  # the decided level where typed, else the proposal
    decided: bool = False


@dataclass(frozen=True)
class MemberHistory:
    years: dict = field(default_factory=dict)  # year -> level code
    previous_year: Optional[int] = None
    previous_level: str = ""
    change: str = ""
    streak_before: int = 0  # consecutive HTXSNV years just before this one
    streak: int = 0  # including this year when this year's level is HTXSNV
    this_level: str = ""
    this_decided: bool = False

    @property
    def five_years(self) -> bool:
        return self.streak >= 5


def _keys(name: str, member_id: str, admission_date: str, cell: str) -> list[tuple]:
    keys = []
    if norm(member_id):
        keys.append(("id", norm(member_id)))
    if admission_date:
        keys.append(("nd", norm(name), admission_date))
    keys.append(("nc", norm(name), norm(cell)))
    return keys


class History:
    """Earlier years, indexed for lookups by a member's identity."""

    def __init__(self, rows: Iterable[PastRow]):
        self.by_year: dict[int, dict[tuple, PastRow]] = {}
        for r in rows:
            index = self.by_year.setdefault(r.year, {})
            for k in _keys(r.name, r.member_id, r.admission_date, r.cell):
                # A decided level beats a proposal for the same member and year.
                if k not in index or (r.decided and not index[k].decided):
                    index[k] = r

    @property
    def years(self) -> list[int]:
        return sorted(self.by_year)

    def level(self, year: int, keys: list[tuple]) -> Optional[PastRow]:
        index = self.by_year.get(year)
        if not index:
            return None
        for k in keys:
            if k in index:
                return index[k]
        return None

    def member(self, year: int, cell: CellRecord, m: MemberRow, this_level: str, decided: bool) -> MemberHistory:
        keys = _keys(m.name, m.member_id, m.admission_date, cell.party_cell)
        years = {}
        for y in self.years:
            if y < year:
                r = self.level(y, keys)
                if r is not None:
                    years[y] = r.level
        prev_year = year - 1 if (year - 1) in years else None
        prev = years.get(year - 1, "")
        streak_before = 0
        y = year - 1
        while years.get(y) == "HTXSNV":
            streak_before += 1
            y -= 1
        streak = streak_before + 1 if this_level == "HTXSNV" else 0
        return MemberHistory(years=years, previous_year=prev_year, previous_level=prev, change=change(prev, this_level),
                             streak_before=streak_before, streak=streak, this_level=this_level, this_decided=decided)


def change(previous: str, current: str) -> str:
    """How this year's level compares with last year's, in words."""
    if not previous:
        return "Chưa có kết quả năm trước"
    if not current:
        return "Năm nay chưa xếp loại"
    try:
        a, b = Level.from_code(previous), Level.from_code(current)
    except ValueError:
        return ""
    if b > a:
        return "Tăng mức"
    if b < a:
        return "Giảm mức"
    return "Giữ mức"
