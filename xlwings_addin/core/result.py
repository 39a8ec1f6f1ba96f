"""The result of a computation: per member, the collectives, the summary, the quota, the findings.

``to_dict`` gives the stable JSON shape of ``compute --json`` (documented in docs/case-file.md).
New keys are only ever added, so a reader of an older result keeps working.
"""

from __future__ import annotations


from fractions import Fraction
from typing import Optional

from .record import field, record
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
    "score": "theo điểm và điều kiện",
    "no_score": "chưa có điểm",
    "gap": "quy định chưa xác định mức",
    "chi_bo_level": "chi bộ thống nhất mức khác",
}

#: S16: the states of a subject's ranking.
STATES = {
    "self_assessed": "tự đánh giá",
    "chi_bo_proposed": "chi bộ đề xuất",
    "decided": "cấp có thẩm quyền quyết định",
    "re_ranked": "đã xếp loại lại (Mẫu 03)",
}


def _code(level: Optional[Level]) -> Optional[str]:
    return level.code if level else None


def _num(value: Optional[Fraction]):
    """A JSON number for an exact value: an int when whole, else a float (scores have 2 decimals)."""
    if value is None:
        return None
    if value.denominator == 1:
        return int(value)
    return round(float(value), 4)


@record
class SubjectResult:
    """The vote and proposal for a member or for a collective."""

    name: str
    reviewed: bool
    not_reviewed_reason: str = ""
    membership: str = ""  # "CT" / "DB" ("" for a collective)
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
    self_score: Optional[Fraction] = None
    score: Optional[Fraction] = None
    cap_reasons: tuple[str, ...] = ()
    decided_level: Optional[Level] = None
    note: str = ""
    where: str = ""
    basis: str = ""  # "score" | "score_and_vote" | "vote"
    group: str = ""  # QĐ 366 form group of a member ("2A"), collective kind key of a collective
    group_label: str = ""
    band: Optional[Level] = None  # the level of the score's band
    score_level: Optional[Level] = None  # the level by the score and the conditions (before any vote)
    results_score: Optional[Fraction] = None  # the appraised task-results score (for ties, P5)
    vote_form: str = ""  # "grid" | "tally" | "hands" | ""
    hands: tuple[int, int] = (0, 0)  # agree, disagree (show of hands)
    hands_level: Optional[Level] = None  # the level put to the show of hands
    confirmed: Optional[bool] = None  # the vote confirmed the score's level (score_and_vote)
    state: str = "chi_bo_proposed"
    decider: str = ""
    decision_ref: str = ""
    rerank_level: Optional[Level] = None
    tasks: dict = field(default_factory=dict)  # computed shares of tasks, for display
    members: tuple[str, ...] = ()  # a collective's members
    kind_label: str = ""
    opinions: str = ""
    comment: str = ""

    def votes_for(self, level: Level) -> int:
        return self.votes[LEVELS.index(level)]

    @property
    def final_level(self) -> Optional[Level]:
        """The level that stands now: re-ranked, else decided, else proposed."""
        return self.rerank_level or self.decided_level or self.proposed_level

    def to_dict(self) -> dict:
        from .vnformat import decimal_vn, percent_vn

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
            "self_score": _num(self.self_score),
            "score": _num(self.score),
            "cap_reasons": list(self.cap_reasons),
            "decided_level": _code(self.decided_level),
            "note": self.note,
            "where": self.where,
            "basis": self.basis,
            "group": self.group or None,
            "group_label": self.group_label,
            "score_text": decimal_vn(self.score) if self.score is not None else None,
            "self_score_text": decimal_vn(self.self_score) if self.self_score is not None else None,
            "results_score": _num(self.results_score),
            "band": _code(self.band),
            "score_level": _code(self.score_level),
            "vote_form": self.vote_form or None,
            "hands": {"agree": self.hands[0], "disagree": self.hands[1], "level": _code(self.hands_level)}
            if self.vote_form == "hands" else None,
            "confirmed": self.confirmed,
            "state": self.state,
            "decider": self.decider,
            "decision_ref": self.decision_ref,
            "rerank_level": _code(self.rerank_level),
            "tasks": {k: _num(v) if isinstance(v, Fraction) else v for k, v in self.tasks.items()},
        }


@record
class CollectiveResult:
    """A collective's proposal, with what the JSON adds for collectives."""

    kind: str  # CollectiveKind key
    subject: SubjectResult

    def to_dict(self) -> dict:
        s = self.subject
        d = s.to_dict()
        d.update({"kind": self.kind, "kind_label": s.kind_label, "members": list(s.members),
                  "opinions": s.opinions, "comment": s.comment})
        return d


@record
class GroupQuota:
    """The HTXSNV cap inside one group of similar posts (S14, S15)."""

    group: str
    label: str
    ratio: str
    limit: int
    proposed: int
    htt: int
    exceeded: bool
    max_compliant: int
    candidates_by_score: tuple[dict, ...] = ()  # best first: {"name", "score", "results_score", "tie"}
    ties: bool = False

    def to_dict(self) -> dict:
        return {"group": self.group, "label": self.label, "ratio": self.ratio, "limit": self.limit,
                "proposed": self.proposed, "htt": self.htt, "exceeded": self.exceeded,
                "max_compliant": self.max_compliant, "candidates_by_score": [dict(c) for c in self.candidates_by_score],
                "ties": self.ties}


@record
class Quota:
    """The HTXSNV quota check (R22-R25), in total and per group."""

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
    groups: tuple[GroupQuota, ...] = ()
    collectives_htxs: tuple[str, ...] = ()  # collectives proposed HTXSNV (a separate pool, set by the đảng ủy)

    def to_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k not in ("groups", "collectives_htxs")}
        d["demotion_order"] = list(self.demotion_order)
        d["groups"] = [g.to_dict() for g in self.groups]
        d["collectives_htxs"] = list(self.collectives_htxs)
        return d


@record
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
    collectives: tuple[CollectiveResult, ...] = ()
    proposal_basis: str = "vote"
    guidance_title: str = ""
    rules_code: str = ""
    decider: str = ""  # who decides the chi bộ's level
    member_decider: str = ""
    order: tuple[dict, ...] = ()  # the order of rankings at the meeting (what was ranked when)
    uses_scores: bool = False

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def member(self, name: str) -> SubjectResult:
        for m in self.members:
            if m.name == name:
                return m
        raise KeyError(name)

    def collective(self, name: str) -> SubjectResult:
        for c in self.collectives:
            if c.subject.name == name:
                return c.subject
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
                "proposal_basis": self.proposal_basis,
                "guidance": self.guidance_title,
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
            "collectives": [c.to_dict() for c in self.collectives],
            "decider": {"party_cell": self.decider, "members": self.member_decider},
            "order": [dict(o) for o in self.order],
        }
