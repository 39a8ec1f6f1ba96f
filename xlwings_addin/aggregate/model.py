"""What the upper committee's side works on: one record per chi bộ, its members and collectives (pure).

A record is what a worker process sends back after reading one input, so it holds plain values
(strings, ints, Fractions, tuples) and no engine objects: small to pickle, and the same whether it
came from a recomputed workbook, a case file or a chi bộ's summary table.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Optional

#: The kinds of input, as shown to the committee.
SOURCE_LABELS = {"workbook": "Sổ Excel (tính lại)", "case": "Tệp hồ sơ .json (tính lại)",
                 "summary": "Bảng tổng hợp của chi bộ (lấy số liệu đã ghi)"}

SEVERITY_LABELS = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Lưu ý"}


def norm(text: str) -> str:
    """A comparison key for names typed in different cells: NFC, single spaces, case-folded."""
    return " ".join(unicodedata.normalize("NFC", text or "").split()).casefold()


@dataclass(frozen=True)
class Problem:
    """A problem found in the set of inputs; always names the file, and the sheet and cell where it applies."""

    code: str
    severity: str  # "error" | "warning" | "info"
    message: str
    file: str = ""
    where: str = ""

    @property
    def label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)


@dataclass(frozen=True)
class MemberRow:
    """One member of one chi bộ as the committee sees it."""

    name: str
    member_id: str = ""
    admission_date: str = ""  # ISO date, "" when not recorded
    membership: str = ""  # "CT" / "DB"
    role: str = ""
    group: str = ""  # "2A" / "2B" / "2C" under QĐ 366, "" otherwise
    reviewed: bool = True
    not_reviewed_reason: str = ""
    proposed: str = ""  # level code proposed by the chi bộ ("" when none)
    score: Optional[Fraction] = None  # appraised total (QĐ 366)
    results_score: Optional[Fraction] = None  # appraised task-results score (the first tie-break, P5)
    htxs_share: Optional[Fraction] = None  # QĐ 124: HTXSNV votes / base (the order among candidates, R25)
    self_level: str = ""
    self_score: Optional[Fraction] = None
    civil_service_level: str = ""
    decided: str = ""  # level code already decided (typed in the chi bộ's workbook)
    decision_ref: str = ""
    row: Optional[int] = None  # Excel row (1-based) of the member in the workbook's member sheets
    where: str = ""  # where the member was read, e.g. "Danh sách!B7"
    note: str = ""

    @property
    def key_id(self) -> str:
        return norm(self.member_id)

    @property
    def key_name(self) -> str:
        return norm(self.name)


@dataclass(frozen=True)
class CollectiveRow:
    """A collective reviewed at a chi bộ meeting: the chi bộ itself, its chi ủy, a unit's leadership."""

    kind: str  # CollectiveKind key
    kind_label: str
    name: str
    proposed: str = ""
    score: Optional[Fraction] = None
    results_score: Optional[Fraction] = None
    htxs_share: Optional[Fraction] = None
    decided: str = ""
    decision_ref: str = ""
    decider: str = ""
    row: Optional[int] = None  # Excel row in "Tập thể"
    reviewed: bool = True


@dataclass(frozen=True)
class CellRecord:
    """Everything the aggregation needs from one input (one chi bộ)."""

    file: str  # the path as given (shown to the committee, and used to find the workbook again)
    source: str  # "workbook" | "case" | "summary"
    party_cell: str
    review_year: Optional[int]
    rules_id: str
    rules_title: str = ""
    uses_scores: bool = True
    upper_body: str = ""
    upper_committee: str = ""
    locality: str = ""
    fingerprint: str = ""  # the data code printed on the minutes
    fingerprint_undecided: str = ""  # the same code computed with the committee's decisions left out
    members: tuple[MemberRow, ...] = ()
    collectives: tuple[CollectiveRow, ...] = ()
    errors: tuple[tuple[str, str, str], ...] = ()  # unresolved error findings: (code, message, where)
    warnings: int = 0
    exceptional_unit_approved: bool = False
    score_sheet: str = ""  # the member sheet that holds "Cấp ủy quyết định" for this year
    year_where: str = ""  # where the review year was read ("Hội nghị!C4", "meeting.review_year")
    rules_where: str = ""
    notes: tuple[str, ...] = ()

    @property
    def file_name(self) -> str:
        return self.file.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class ReadFailure:
    """An input that could not be read: named, and the others are still aggregated."""

    file: str
    message: str
    where: str = ""


@dataclass(frozen=True)
class Candidate:
    """An HTXSNV candidate inside a pool, in the order the committee looks at them."""

    cell: str
    file: str
    name: str
    score: Optional[Fraction]
    results_score: Optional[Fraction]
    htxs_share: Optional[Fraction]
    rank: int  # 1 = first to keep
    tie: bool  # equal on every ordering key with a neighbour
    within: bool  # inside the largest compliant selection (the suggestion)
    boundary_tie: bool = False  # the tie straddles the suggestion's cut: the committee must choose


@dataclass(frozen=True)
class Pool:
    """The pooled HTXSNV cap for one group (or for one kind of collective)."""

    key: str  # "2A" / "2B" / "2C" / "all" / "none", or "tt:<kind>" for collectives
    label: str
    subjects: str  # "members" | "collectives"
    ratio: Fraction
    htt: int  # proposed HTTNV (the base)
    proposed: int  # proposed HTXSNV (the candidates)
    reviewed: int
    limit: int  # floor(r x HTT)
    max_compliant: int  # floor(r (HTT + C) / (1 + r))
    candidates: tuple[Candidate, ...] = ()
    order_by: str = "score"  # "score" (QĐ 366) | "votes" (QĐ 124)

    @property
    def exceeded(self) -> bool:
        return self.proposed > self.limit

    @property
    def suggested_htxs(self) -> int:
        return self.proposed if not self.exceeded else self.max_compliant

    @property
    def ties(self) -> bool:
        return any(c.boundary_tie for c in self.candidates)


@dataclass(frozen=True)
class Aggregate:
    """The result of aggregating a set of inputs: the cells, the pools, the problems."""

    cells: tuple[CellRecord, ...]
    failures: tuple[ReadFailure, ...]
    pools: tuple[Pool, ...]
    problems: tuple[Problem, ...]
    review_year: Optional[int]
    rules_id: str
    ratio: Fraction
    committee: str = ""
    upper_body: str = ""
    history: dict = field(default_factory=dict)  # (cell file, member name) -> history.MemberHistory
    # (subjects, cell file, name) -> the suggested level of each candidate: one lookup per subject, not
    # a scan of every pool (40,000 members against 8,000 candidates otherwise).
    suggested: dict = field(default_factory=dict)

    @property
    def has_problems(self) -> bool:
        return bool(self.failures) or any(p.severity in ("error", "warning") for p in self.problems)

    def suggestion(self, cell: CellRecord, member: MemberRow) -> str:
        """The level the pooled cap suggests for a member (the proposal unless it falls outside the selection)."""
        return suggestion_for(self.suggested, cell, member.name, member.proposed, "members")

    def collective_suggestion(self, cell: CellRecord, coll: CollectiveRow) -> str:
        return suggestion_for(self.suggested, cell, coll.name, coll.proposed, "collectives")


def suggestion_index(pools) -> dict:
    """Every candidate's suggested level, keyed by (subjects, cell file, name)."""
    return {(p.subjects, c.file, c.name): "HTXSNV" if c.within else "HTTNV" for p in pools for c in p.candidates}


def suggestion_for(index: dict, cell: CellRecord, name: str, proposed: str, subjects: str) -> str:
    """The level the pooled cap suggests: the proposal, unless an HTXSNV candidate falls outside the selection."""
    if proposed != "HTXSNV":
        return proposed
    return index.get((subjects, cell.file, name), proposed)
