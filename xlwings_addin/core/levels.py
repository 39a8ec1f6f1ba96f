"""The four quality levels (mức xếp loại chất lượng), ordered from best to worst.

Labels are unchanged since 132-QĐ/TW (2018) through 124-QĐ/TW and 366-QĐ/TW
(shared reference: regulations.md §0).
"""

from __future__ import annotations

from enum import Enum


class Level(Enum):
    """A quality level: code, ballot digit, full Vietnamese label, short label, rank (4 = best)."""

    HTXSNV = ("HTXSNV", 1, "Hoàn thành xuất sắc nhiệm vụ", "HTXSNV", 4)
    HTTNV = ("HTTNV", 2, "Hoàn thành tốt nhiệm vụ", "HTTNV", 3)
    HTNV = ("HTNV", 3, "Hoàn thành nhiệm vụ", "HTNV", 2)
    KHTNV = ("KHTNV", 4, "Không hoàn thành nhiệm vụ", "KHTNV", 1)

    def __init__(self, code: str, digit: int, label: str, short: str, rank: int):
        self.code = code
        self.digit = digit
        self.label = label
        self.short = short
        self.rank = rank

    # Members are singletons and compare by identity, so the identity hash is the same contract as
    # Enum's own (which hashes the name in Python): dictionaries and sets of levels run at C speed.
    __hash__ = object.__hash__

    def __lt__(self, other: "Level") -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: "Level") -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: "Level") -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: "Level") -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank >= other.rank

    @classmethod
    def from_code(cls, value: object) -> "Level":
        """Return the level for a code ("HTTNV"), a ballot digit (2, "2") or a full label.

        Raises ValueError for anything else; callers turn that into a finding.
        """
        if isinstance(value, Level):
            return value
        if isinstance(value, bool):
            raise ValueError(value)
        if isinstance(value, (int, float)) and float(value).is_integer():
            for level in cls:
                if level.digit == int(value):
                    return level
            raise ValueError(value)
        if isinstance(value, str):
            text = value.strip()
            upper = text.upper()
            for level in cls:
                if upper == level.code or text == str(level.digit) or text.casefold() == level.label.casefold():
                    return level
        raise ValueError(value)


#: Levels from best to worst, the order used everywhere (ballots, tables, cascades).
LEVELS: tuple[Level, ...] = (Level.HTXSNV, Level.HTTNV, Level.HTNV, Level.KHTNV)
