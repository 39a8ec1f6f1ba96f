"""Domain objects: the meeting, the roster, the ballots. Frozen, exact, free of I/O.

Every optional fact is ``None`` when not recorded: the rules only act on what was typed in,
and say so (a finding) when a conclusion needs a fact that is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from enum import Enum
from fractions import Fraction
from typing import Optional, Union

from .levels import Level


class Membership(Enum):
    """Official (chính thức) or probationary (dự bị) member; only official members vote."""

    OFFICIAL = ("chinh_thuc", "Chính thức", "CT")
    PROBATIONARY = ("du_bi", "Dự bị", "DB")

    def __init__(self, key: str, label: str, short: str):
        self.key = key
        self.label = label
        self.short = short

    @classmethod
    def parse(cls, value: object) -> "Membership":
        if isinstance(value, Membership):
            return value
        text = str(value).strip().casefold()
        for m in cls:
            if text in (m.key, m.label.casefold(), m.short.casefold(), m.name.casefold()):
                return m
        raise ValueError(value)


class Attendance(Enum):
    """Presence at the review meeting."""

    PRESENT = ("co_mat", "Có mặt")
    ABSENT_EXCUSED = ("vang_co_ly_do", "Vắng có lý do")
    ABSENT_UNEXCUSED = ("vang_khong_ly_do", "Vắng không lý do")

    def __init__(self, key: str, label: str):
        self.key = key
        self.label = label

    @classmethod
    def parse(cls, value: object) -> "Attendance":
        if isinstance(value, Attendance):
            return value
        text = str(value).strip().casefold()
        for a in cls:
            if text in (a.key, a.label.casefold(), a.name.casefold()):
                return a
        raise ValueError(value)


class Grade(Enum):
    """The four grades of a criterion under QĐ 124 Art. 11 (no points)."""

    EXCELLENT = ("xuat_sac", "Xuất sắc", 4)
    GOOD = ("tot", "Tốt", 3)
    AVERAGE = ("trung_binh", "Trung bình", 2)
    POOR = ("kem", "Kém", 1)

    def __init__(self, key: str, label: str, rank: int):
        self.key = key
        self.label = label
        self.rank = rank

    @classmethod
    def parse(cls, value: object) -> "Grade":
        if isinstance(value, Grade):
            return value
        text = str(value).strip().casefold()
        for g in cls:
            if text in (g.key, g.label.casefold(), g.name.casefold()):
                return g
        raise ValueError(value)


class DisciplineForm(Enum):
    """Forms of party discipline, from the lightest."""

    REPRIMAND = ("khien_trach", "Khiển trách", 1)
    WARNING = ("canh_cao", "Cảnh cáo", 2)
    DISMISSAL = ("cach_chuc", "Cách chức", 3)
    EXPULSION = ("khai_tru", "Khai trừ", 4)

    def __init__(self, key: str, label: str, rank: int):
        self.key = key
        self.label = label
        self.rank = rank

    @classmethod
    def parse(cls, value: object) -> "DisciplineForm":
        if isinstance(value, DisciplineForm):
            return value
        text = str(value).strip().casefold()
        for d in cls:
            if text in (d.key, d.label.casefold(), d.name.casefold()):
                return d
        raise ValueError(value)


@dataclass(frozen=True)
class Discipline:
    """A discipline imposed in the review year."""

    form: DisciplineForm
    duty_related: bool = True
    self_detected_remedied: bool = False
    note: str = ""


@dataclass(frozen=True)
class Performance:
    """Facts about the year's work, as far as recorded (percentages are 0..100)."""

    criteria_grade: Optional[Grade] = None  # QĐ 124: the lowest grade over all criteria
    results_grade: Optional[Grade] = None  # QĐ 124: the grade of the results criteria
    tasks_completed_pct: Optional[Fraction] = None
    tasks_exceeded_pct: Optional[Fraction] = None
    tasks_late_pct: Optional[Fraction] = None
    on_time_with_quality: Optional[bool] = None
    shortcomings_remedied: Optional[bool] = None  # previous review's shortcomings 100% remedied (or none)
    self_score_common: Optional[Fraction] = None  # QĐ 366: out of 30
    self_score_results: Optional[Fraction] = None  # QĐ 366: out of 70
    score_common: Optional[Fraction] = None  # QĐ 366: assessed by the chi bộ, out of 30
    score_results: Optional[Fraction] = None  # QĐ 366: assessed by the chi bộ, out of 70

    @property
    def self_score(self) -> Optional[Fraction]:
        if self.self_score_common is None or self.self_score_results is None:
            return None
        return self.self_score_common + self.self_score_results

    @property
    def score(self) -> Optional[Fraction]:
        if self.score_common is None or self.score_results is None:
            return None
        return self.score_common + self.score_results

    @property
    def has_any(self) -> bool:
        return any(v is not None for v in self.__dict__.values())


@dataclass(frozen=True)
class Member:
    """A party member on the chi bộ's roll."""

    name: str
    membership: Membership = Membership.OFFICIAL
    role: str = ""
    admission_date: Optional[date] = None
    exempt: bool = False  # miễn công tác và sinh hoạt đảng
    suspended: bool = False  # đình chỉ sinh hoạt đảng
    temporarily_elsewhere: bool = False  # giới thiệu sinh hoạt tạm thời nơi khác
    attendance: Attendance = Attendance.PRESENT
    absence_reason: str = ""
    leadership: bool = False  # member of the chi ủy / bí thư, phó bí thư
    self_level: Optional[Level] = None
    performance: Performance = field(default_factory=Performance)
    discipline: Optional[Discipline] = None
    degradation: bool = False  # concluded by the competent body
    prohibited_acts: bool = False  # QĐ 366: violated "những điều đảng viên không được làm"
    example_violation: bool = False  # QĐ 366: violated the duty to set an example
    civil_service_level: Optional[Level] = None  # CBCCVC ranking of the year, if any
    sick_or_maternity: bool = False  # sick leave >= 3 months or maternity leave
    decided_level: Optional[Level] = None  # recorded once the upper committee decides
    note: str = ""
    where: str = ""  # source location, e.g. "Danh sách!B7"

    @property
    def is_official(self) -> bool:
        return self.membership is Membership.OFFICIAL

    @property
    def present(self) -> bool:
        return self.attendance is Attendance.PRESENT


@dataclass(frozen=True)
class Person:
    """A named person with a title, e.g. the chair or a guest."""

    name: str
    title: str = ""


@dataclass(frozen=True)
class Meeting:
    """The review meeting (hội nghị kiểm điểm)."""

    review_year: int
    date: date
    party_cell: str  # "Chi bộ Trường Mầm non Song Phượng"
    upper_body: str = ""  # "Đảng bộ xã Song Phượng" (header line 2a)
    upper_committee: str = ""  # "Đảng ủy xã Song Phượng" (who decides)
    locality: str = ""  # place name for the date line, "Song Phượng"
    place: str = ""  # venue
    start_time: Optional[time] = None
    end_time: Optional[time] = None
    chair: Person = field(default_factory=lambda: Person(""))
    secretary: Person = field(default_factory=lambda: Person(""))
    guests: tuple[Person, ...] = ()
    vote_counters: tuple[Person, ...] = ()
    voting_method: str = "bỏ phiếu kín"
    legal_basis: tuple[str, ...] = ()
    document_number: str = ""
    special_unit: bool = False  # units allowed to finish by 15/01 of the next year


@dataclass(frozen=True)
class PartyCell:
    """Facts about the chi bộ as a collective (its own review)."""

    self_level: Optional[Level] = None
    performance: Performance = field(default_factory=Performance)
    leadership_disciplined: bool = False
    subordinate_disciplined: bool = False
    disunity: bool = False
    exceptional_unit_approved: bool = False  # QĐ 366: the 25% quota granted by the competent level
    decided_level: Optional[Level] = None


class Spoiled(Enum):
    """A spoiled line on a valid ballot (no mark, or several marks, for one member)."""

    SPOILED = "x"


Mark = Union[Level, Spoiled, None]  # None: nothing typed in the cell


@dataclass(frozen=True)
class Ballot:
    """One paper ballot: a mark per member row (in the grid's order), or the whole ballot invalid."""

    id: str
    marks: tuple[Mark, ...]
    invalid: bool = False
    voter: str = ""  # normally empty (secret ballot); if given, the voter's name
    where: str = ""  # e.g. "Phiếu đảng viên!F:F"
    cells: tuple[str, ...] = ()  # optional address per mark, e.g. ("Phiếu đảng viên!F8", ...)
    column: str = ""  # the ballot's column in the grid sheet ("F"), with BallotGrid.rows gives cell addresses


@dataclass(frozen=True)
class BallotGrid:
    """All member ballots: ``order`` names the rows, each ballot is a column."""

    order: tuple[str, ...]
    ballots: tuple[Ballot, ...]
    issued: Optional[int] = None  # ballots handed out; defaults to the ballots typed
    where: str = ""
    sheet: str = ""  # the grid's sheet, when read from a workbook
    rows: tuple[int, ...] = ()  # the Excel row of each member row, when read from a workbook


@dataclass(frozen=True)
class TallyRow:
    """Hand-counted votes for one member."""

    name: str
    votes: tuple[tuple[Level, int], ...]
    spoiled: int = 0
    where: str = ""

    def count(self, level: Level) -> int:
        return dict(self.votes).get(level, 0)


@dataclass(frozen=True)
class Tally:
    """Counts typed in by a cell that counts by hand."""

    issued: int
    returned: int
    invalid: int
    rows: tuple[TallyRow, ...]
    where: str = ""


@dataclass(frozen=True)
class CellBallots:
    """The chi bộ's own ballots: one mark per ballot."""

    marks: tuple[Mark, ...]
    invalid: tuple[bool, ...] = ()
    cells: tuple[str, ...] = ()
    where: str = ""


@dataclass(frozen=True)
class CellTally:
    """Hand-counted votes for the chi bộ's own level."""

    votes: tuple[tuple[Level, int], ...]
    invalid: int = 0
    where: str = ""

    def count(self, level: Level) -> int:
        return dict(self.votes).get(level, 0)


MemberVotes = Union[BallotGrid, Tally, None]
CellVotes = Union[CellBallots, CellTally, None]


@dataclass(frozen=True)
class Case:
    """One meeting: everything the engine needs."""

    meeting: Meeting
    members: tuple[Member, ...]
    member_votes: MemberVotes = None
    cell_votes: CellVotes = None
    party_cell: PartyCell = field(default_factory=PartyCell)
    rules_id: str = ""  # empty: chosen from the review year
    settings: tuple[tuple[str, object], ...] = ()  # overrides of the rule pack's defaults
