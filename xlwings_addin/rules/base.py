"""What a rule pack is: dates, defaults, the caps that follow from the facts, and the checks.

A rule pack uses only the core's data types. The engine (``xlwings_addin.engine``) sits above the
packs and asks them; it imports no regulation module, so a new regulation is one new module here
(found by the registry) plus its tests.

A cap is the highest level the recorded facts allow (score band, hard conditions, triggers). The
engine proposes from the basis the settings name (the score, or the vote capped by the facts) and
says why; it never changes a proposal silently.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Optional

from ..core.record import record, replace
from ..core import findings as F
from ..core.dates import add_months
from ..core.findings import Finding
from ..core.levels import Level
from ..core.models import Case, Collective, CollectiveKind, Member, Performance
from ..core.vnformat import decimal_vn
from .settings import RuleSettings


@record
class Cap:
    """The highest level allowed by the facts, why, and anything a human must decide."""

    level: Optional[Level] = None  # None: the facts cap nothing
    rule: str = ""  # "capped_by_discipline" | "capped_by_score" | "capped_by_conditions"
    reasons: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    gap: bool = False  # S10: no level is defined for these facts; propose nothing


class CapBuilder:
    """Collects limits while a pack walks the facts; the lowest limit wins (mutable while it works)."""

    def __init__(self) -> None:
        self.level: Optional[Level] = None
        self.rule = ""
        self.reasons: list[str] = []
        self.findings: list[Finding] = []
        self.gap = False

    def limit(self, level: Level, rule: str, reason: str) -> None:
        self.reasons.append(reason)
        if self.level is None or level < self.level:
            self.level = level
            self.rule = rule
        elif level == self.level and _RULE_ORDER[rule] < _RULE_ORDER[self.rule]:
            self.rule = rule

    def build(self) -> Cap:
        return Cap(self.level, self.rule, tuple(self.reasons), tuple(self.findings), self.gap)


# When two facts give the same cap, name the weightiest cause.
_RULE_ORDER = {"capped_by_discipline": 0, "capped_by_score": 1, "capped_by_conditions": 2}


@record
class QuotaGroup:
    """A group of similar posts inside which the HTXSNV cap is counted."""

    key: str
    label: str


ALL_MEMBERS = QuotaGroup("all", "Tất cả đảng viên")


def pct(value) -> str:
    """Format a percentage fact for a reason sentence."""
    return decimal_vn(value) + "%"


class RulePack:
    """Base class of a regulation generation; subclasses cite their sources in their docstring."""

    id: str = ""
    code: str = ""  # "124-QĐ/TW"
    title: str = ""
    guidance: str = ""
    guidance_title: str = ""  # "Hướng dẫn số 25-HD/BTCTW ngày 10/11/2023 của Ban Tổ chức Trung ương"
    first_year: int = 0
    last_year: Optional[int] = None
    regulation_date: date = date.min
    guidance_date: date = date.min
    uses_scores: bool = False
    bases: tuple[str, ...] = ("vote",)  # proposal bases this regulation allows
    # Every reviewed member and collective must be ranked (R5, S2): an unranked member and a vote with no
    # majority are errors, not warnings.
    must_rank_all: bool = False

    # -- settings and scope ---------------------------------------------------------------

    def defaults(self) -> RuleSettings:
        return RuleSettings()

    def defaults_for(self, case: Case) -> RuleSettings:
        """The pack's defaults for this meeting, before its own settings are applied.

        A chi bộ cơ sở is itself the base organisation, a single pool for the HTXSNV cap (R24): its default
        ``quota_pool`` is ``chi_bo_co_so``; a ``quota_pool`` the meeting sets still wins.
        """
        settings = self.defaults()
        if case.meeting.cell_type == "co_so":
            settings = replace(settings, quota_pool="chi_bo_co_so")
        return settings

    def covers(self, year: int) -> bool:
        return year >= self.first_year and (self.last_year is None or year <= self.last_year)

    def not_reviewed_reason(self, m: Member, ref: date, settings: RuleSettings) -> str:
        """Art. 5 cl. 2.1 of both 124 and 366: exempt, suspended, admitted less than 6 months before."""
        if m.exempt:
            return "Miễn công tác và sinh hoạt đảng"
        if m.suspended:
            return "Đình chỉ sinh hoạt đảng"
        months = settings.probation_months
        if m.admission_date is not None and add_months(m.admission_date, months) > ref:
            return f"Kết nạp chưa đủ {months} tháng (ngày {m.admission_date.strftime('%d/%m/%Y')})"
        return ""

    # -- scores -------------------------------------------------------------------------------

    def score_band(self, score: Fraction) -> Optional[Level]:
        """The level of a score's band; None where the regulation has no points."""
        return None

    def score_problems(self, perf: Performance) -> list[str]:
        return []

    # -- levels -------------------------------------------------------------------------------

    def member_cap(self, member: Member, settings: RuleSettings) -> Cap:
        raise NotImplementedError

    def collective_cap(self, collective: Collective, leaders: tuple[Member, ...], settings: RuleSettings) -> Cap:
        """The cap of a collective; ``leaders`` are its leadership members found on the roster."""
        raise NotImplementedError

    def member_notes(self, member: Member, where: str, settings: RuleSettings) -> list[Finding]:
        """Findings about a reviewed member that do not change the level (e.g. R8)."""
        return []

    def proposal_notes(self, member: Member, proposed: Level, where: str, settings: RuleSettings) -> list[Finding]:
        """Findings about a member's proposal (e.g. the civil-service link, S20)."""
        return []

    # -- the meeting ----------------------------------------------------------------------------

    def meeting_checks(self, case: Case, settings: RuleSettings) -> list[Finding]:
        """Dates and documents (R1 and what the pack adds)."""
        m = case.meeting
        d = m.date
        out = []
        if d < self.regulation_date:
            out.append(F.error("MEETING_BEFORE_REGULATION", f"Ngày họp {d:%d/%m/%Y} trước ngày ban hành {self.title}; không thể áp dụng quy định này.", "Ngày họp", "R1"))
        elif d < self.guidance_date:
            out.append(F.warning("MEETING_BEFORE_GUIDANCE", f"Ngày họp {d:%d/%m/%Y} trước ngày ban hành Hướng dẫn số {self.guidance} ({self.guidance_date:%d/%m/%Y}).", "Ngày họp", "R1"))
        if d.year < m.review_year:
            out.append(F.error("MEETING_BEFORE_YEAR", f"Ngày họp {d:%d/%m/%Y} trước năm đánh giá {m.review_year}.", "Ngày họp", "R1"))
        return out

    def quota_group(self, member: Member) -> QuotaGroup:
        """The group of similar posts a member's HTXSNV counts in (one group unless the pack says more)."""
        return ALL_MEMBERS

    def quota_ratio(self, settings: RuleSettings, exceptional: bool) -> tuple[Fraction, bool]:
        """The cap's ratio and whether the exceptional ratio was refused (not in this regulation)."""
        if exceptional:
            if settings.quota_ratio_exceptional is not None:
                return settings.quota_ratio_exceptional, False
            return settings.quota_ratio, True
        return settings.quota_ratio, False

    def decider(self, case: Case, kind: CollectiveKind, settings: RuleSettings) -> str:
        """Who decides the level (R36, S22): the chi bộ only proposes."""
        m = case.meeting
        if m.decider:
            return m.decider
        upper = m.upper_committee or "cấp ủy cấp trên"
        if m.cell_type == "co_so":
            if kind is None and settings.member_decider == "chi_bo_co_so":
                return m.party_cell or "Chi bộ"
            if m.under_province:
                return "Ban Thường vụ Tỉnh ủy (Thành ủy)"
            return f"Ban Thường vụ {upper}" if not upper.casefold().startswith("ban thường vụ") else upper
        return upper
