"""What a rule pack is: dates, defaults, and the level caps that follow from a member's facts.

A cap is the highest level the recorded facts allow (score band, hard conditions, discipline).
The engine proposes min(vote, cap) and says why; it never changes a proposal silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from ..core.findings import Finding
from ..core.levels import Level
from ..core.models import Member, PartyCell
from .settings import RuleSettings


@dataclass(frozen=True)
class Cap:
    """The highest level allowed by the facts, why, and anything a human must decide."""

    level: Optional[Level] = None  # None: the facts cap nothing
    rule: str = ""  # "capped_by_discipline" | "capped_by_score" | "capped_by_conditions"
    reasons: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()


@dataclass
class CapBuilder:
    """Collects limits while a pack walks the facts; the lowest limit wins."""

    level: Optional[Level] = None
    rule: str = ""
    reasons: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def limit(self, level: Level, rule: str, reason: str) -> None:
        self.reasons.append(reason)
        if self.level is None or level < self.level:
            self.level = level
            self.rule = rule
        elif level == self.level and _RULE_ORDER[rule] < _RULE_ORDER[self.rule]:
            self.rule = rule

    def build(self) -> Cap:
        return Cap(self.level, self.rule, tuple(self.reasons), tuple(self.findings))


# When two facts give the same cap, name the weightiest cause.
_RULE_ORDER = {"capped_by_discipline": 0, "capped_by_score": 1, "capped_by_conditions": 2}


class RulePack:
    """Base class of a regulation generation; subclasses cite their sources."""

    id: str = ""
    code: str = ""  # "124-QĐ/TW"
    title: str = ""
    guidance: str = ""
    first_year: int = 0
    last_year: Optional[int] = None
    regulation_date: date = date.min
    guidance_date: date = date.min
    uses_scores: bool = False

    def defaults(self) -> RuleSettings:
        return RuleSettings()

    def member_cap(self, member: Member, settings: RuleSettings) -> Cap:
        raise NotImplementedError

    def cell_cap(self, cell: PartyCell, settings: RuleSettings) -> Cap:
        raise NotImplementedError

    def member_notes(self, member: Member, where: str) -> list[Finding]:
        """Findings about a reviewed member that do not change the level (e.g. R8)."""
        return []

    def covers(self, year: int) -> bool:
        return year >= self.first_year and (self.last_year is None or year <= self.last_year)



def pct(value) -> str:
    """Format a percentage fact for a reason sentence."""
    from ..core.vnformat import decimal_vn

    return decimal_vn(value) + "%"
