"""The result of a computation: per member, the chi bộ, the summary, the quota, the findings.

``to_dict`` gives the stable JSON shape of ``compute --json`` (documented in docs/case-file.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .findings import Finding, Severity
from .levels import LEVELS, Level

#: How a proposal was reached; shown in the results and explained in the minutes.
RULE_LABELS = {
    "majority": "đạt đa số",
    "cumulative": "cộng dồn từ mức cao xuống",
    "no_majority": "không mức nào đạt đa số",
    "capped_by_score": "giới hạn theo điểm",
    "capped_by_conditions": "giới hạn theo điều kiện",
    "capped_by_discipline": "giới hạn do kỷ luật",
    "not_reviewed": "không đánh giá",
    "no_votes": "chưa có phiếu",
}


def _code(level: Optional[Level]) -> Optional[str]:
    return level.code if level else None


@dataclass(frozen=True)
class SubjectResult:
    """The vote and proposal for a member or for the chi bộ."""

    name: str
    reviewed: bool
    not_reviewed_reason: str = ""
    membership: str = ""  # "CT" / "DB" ("" for the chi bộ)
    role: str = ""
    votes: tuple[int, int, int, int] = (0, 0, 0, 0)
    valid: int = 0
    spoiled: int = 0
    base: int = 0
    voted_level: Optional[Level] = None
    proposed_level: Optional[Level] = None
    rule: str = ""
    explanation: str = ""
    self_level: Optional[Level] = None
    self_score: Optional[str] = None
    score: Optional[str] = None
    cap_reasons: tuple[str, ...] = ()
    decided_level: Optional[Level] = None
    note: str = ""
    where: str = ""

    def votes_for(self, level: Level) -> int:
        return self.votes[LEVELS.index(level)]

    def to_dict(self) -> dict:
        from .vnformat import percent_vn

        return {
            "name": self.name,
            "reviewed": self.reviewed,
            "not_reviewed_reason": self.not_reviewed_reason,
            "membership": self.membership,
            "role": self.role,
            "votes": {lvl.code: n for lvl, n in zip(LEVELS, self.votes)},
            "percent": {lvl.code: percent_vn(n, self.base) if self.base else "" for lvl, n in zip(LEVELS, self.votes)},
            "valid": self.valid,
            "spoiled": self.spoiled,
            "base": self.base,
            "voted_level": _code(self.voted_level),
            "proposed_level": _code(self.proposed_level),
            "rule": self.rule,
            "explanation": self.explanation,
            "self_level": _code(self.self_level),
            "self_score": self.self_score,
            "score": self.score,
            "cap_reasons": list(self.cap_reasons),
            "decided_level": _code(self.decided_level),
            "note": self.note,
            "where": self.where,
        }


@dataclass(frozen=True)
class Quota:
    """The HTXSNV quota check (R22-R25)."""

    ratio: str  # "1/5"
    ratio_label: str  # "20%"
    pool: str
    proposed: int  # number proposed HTXSNV
    htt: int  # number proposed HTTNV (the rule's base)
    reviewed: int
    limit: int  # floor(ratio x HTT)
    exceeded: bool
    max_compliant: int  # largest HTXSNV count that complies after demotion (R23)
    share_of_htt: str  # "22,22%"
    share_of_reviewed: str  # "18,18%"
    demotion_order: tuple[str, ...] = ()  # customary suggestion (R25), lowest support first

    def to_dict(self) -> dict:
        return dict(self.__dict__, demotion_order=list(self.demotion_order))


@dataclass(frozen=True)
class Result:
    """Everything ``compute`` concludes about a case."""

    rules_id: str
    rules_title: str
    review_year: int
    settings: dict
    base: int
    base_label: str
    official: int
    probationary: int
    present_official: int
    voters: int
    ballots: dict
    party_cell: Optional[SubjectResult]
    members: tuple[SubjectResult, ...]
    summary: dict
    quota: Quota
    findings: tuple[Finding, ...]
    status: str = "proposed"
    fingerprint: str = ""
    cell_ballots: dict = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def member(self, name: str) -> SubjectResult:
        for m in self.members:
            if m.name == name:
                return m
        raise KeyError(name)

    def to_dict(self) -> dict:
        cell = self.party_cell.to_dict() if self.party_cell else None
        return {
            "format": "xeploai-result",
            "version": 1,
            "status": self.status,
            "fingerprint": self.fingerprint,
            "rules": {
                "id": self.rules_id,
                "title": self.rules_title,
                "review_year": self.review_year,
                "settings": self.settings,
            },
            "base": {"count": self.base, "label": self.base_label},
            "attendance": {
                "official": self.official,
                "probationary": self.probationary,
                "present_official": self.present_official,
                "voters": self.voters,
            },
            "ballots": self.ballots,
            "party_cell": cell,
            "party_cell_ballots": self.cell_ballots,
            "members": [m.to_dict() for m in self.members],
            "summary": self.summary,
            "quota": self.quota.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
        }
