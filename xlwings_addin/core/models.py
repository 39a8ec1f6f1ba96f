"""Domain objects: the meeting, the roster, the collectives, the votes. Frozen, exact, free of I/O.

Every optional fact is ``None`` when not recorded: the rules only act on what was typed in,
and say so (a finding) when a conclusion needs a fact that is missing.
"""

from __future__ import annotations


from datetime import date, time
from enum import Enum
from fractions import Fraction
from typing import Optional, Union

from .batch import by_identity, look_up_all
from .record import field, record
from .levels import Level


class _Choice(Enum):
    """An enum whose members carry a stable key and a Vietnamese label; parsed from either."""

    @classmethod
    def parse(cls, value: object):
        if isinstance(value, cls):
            return value
        text = str(value).strip().casefold()
        for m in cls:
            if text in (m.key, m.label.casefold(), m.name.casefold()) or text in getattr(m, "aliases", ()):
                return m
        raise ValueError(value)


class Membership(_Choice):
    """Official (chính thức) or probationary (dự bị) member; only official members vote."""

    OFFICIAL = ("chinh_thuc", "Chính thức", "CT")
    PROBATIONARY = ("du_bi", "Dự bị", "DB")

    def __init__(self, key: str, label: str, short: str):
        self.key = key
        self.label = label
        self.short = short
        self.aliases = (short.casefold(),)


class Attendance(_Choice):
    """Presence at the review meeting."""

    PRESENT = ("co_mat", "Có mặt")
    ABSENT_EXCUSED = ("vang_co_ly_do", "Vắng có lý do")
    ABSENT_UNEXCUSED = ("vang_khong_ly_do", "Vắng không lý do")

    def __init__(self, key: str, label: str):
        self.key = key
        self.label = label


class Grade(_Choice):
    """The four grades of a criterion under QĐ 124 Art. 11 (no points)."""

    EXCELLENT = ("xuat_sac", "Xuất sắc", 4)
    GOOD = ("tot", "Tốt", 3)
    AVERAGE = ("trung_binh", "Trung bình", 2)
    POOR = ("kem", "Kém", 1)

    def __init__(self, key: str, label: str, rank: int):
        self.key = key
        self.label = label
        self.rank = rank


class DisciplineForm(_Choice):
    """Forms of party discipline, from the lightest (every form is "khiển trách or heavier")."""

    REPRIMAND = ("khien_trach", "Khiển trách", 1)
    WARNING = ("canh_cao", "Cảnh cáo", 2)
    DISMISSAL = ("cach_chuc", "Cách chức", 3)
    EXPULSION = ("khai_tru", "Khai trừ", 4)

    def __init__(self, key: str, label: str, rank: int):
        self.key = key
        self.label = label
        self.rank = rank


class FormGroup(_Choice):
    """The self-review form of a member under QĐ 366 / HD 43 Mục 2 (qd366-meeting.md §2.1, S3).

    The group is also the "group with similar posts" inside which the HTXSNV cap is counted
    (366 Art. 11 cl. 1.5) unless the upper committee defines other groups.
    """

    LEADER = ("2A", "Mẫu 2A", "Cán bộ lãnh đạo, quản lý")
    IN_SYSTEM = ("2B", "Mẫu 2B", "Đảng viên không giữ chức vụ lãnh đạo, quản lý")
    OUTSIDE = ("2C", "Mẫu 2C", "Đảng viên không làm việc trong hệ thống chính trị")

    def __init__(self, key: str, label: str, description: str):
        self.key = key
        self.label = label
        self.description = description
        self.aliases = (key.casefold(), f"mau {key}".casefold(), f"mẫu {key}".casefold())


class CollectiveKind(_Choice):
    """The collectives a chi bộ meeting reviews (qd366-meeting.md §3.3 a-c)."""

    CHI_BO = ("chi_bo", "Chi bộ")
    CHI_UY = ("chi_uy", "Chi ủy")
    LEADERSHIP = ("lanh_dao_don_vi", "Tập thể lãnh đạo đơn vị")
    OTHER = ("khac", "Tập thể khác")

    def __init__(self, key: str, label: str):
        self.key = key
        self.label = label


@record
class Discipline:
    """A discipline imposed in the review period."""

    form: DisciplineForm
    duty_related: bool = True
    self_detected_remedied: bool = False
    note: str = ""
    earlier_period: bool = False  # 366 Art. 11, "Một số trường hợp cần lưu ý": an earlier fault disciplined now
    previous_unit: bool = False  # the fault was committed at a previous unit (counts for that unit's collective)


@record
class Tasks:
    """Task counts for a year (P6: the user types counts, the program computes the percentages).

    ``done`` counts completed tasks, ``on_time`` those completed on time with quality and
    efficiency, ``exceeded`` those that exceeded the requirements, ``late`` those completed
    behind schedule. Tasks neither done nor late are "not done".
    """

    assigned: Optional[int] = None
    done: Optional[int] = None
    on_time: Optional[int] = None
    exceeded: Optional[int] = None
    late: Optional[int] = None

    @property
    def has_any(self) -> bool:
        # A chain, not any() over a generator: asked several times per member on every computation.
        return not (self.assigned is None and self.done is None and self.on_time is None and self.exceeded is None
                    and self.late is None)


@record
class Performance:
    """Facts about the year's work, as far as recorded (percentages are 0..100)."""

    criteria_grade: Optional[Grade] = None  # QĐ 124: the lowest grade over all criteria
    results_grade: Optional[Grade] = None  # QĐ 124: the grade of the results criteria
    tasks_completed_pct: Optional[Fraction] = None  # typed percentages (QĐ 124, or when counts are unknown)
    tasks_exceeded_pct: Optional[Fraction] = None
    tasks_late_pct: Optional[Fraction] = None
    on_time_with_quality: Optional[bool] = None
    shortcomings_remedied: Optional[bool] = None  # previous review's shortcomings 100% remedied (or none)
    self_score_common: Optional[Fraction] = None  # QĐ 366: out of 30
    self_score_results: Optional[Fraction] = None  # QĐ 366: out of 70
    score_common: Optional[Fraction] = None  # QĐ 366: appraised by the chi bộ, out of 30
    score_results: Optional[Fraction] = None  # QĐ 366: appraised by the chi bộ, out of 70
    tasks: Tasks = field(default_factory=Tasks)  # counts; when given they take precedence over the percentages

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
        return any(v is not None for k, v in self.__dict__.items() if k != "tasks") or self.tasks.has_any


@record
class LeaderFacts:
    """What QĐ 366 Art. 11 (Phụ lục 3) adds for a leader or manager (form 2A, S11, S21)."""

    unit_tasks: Tasks = field(default_factory=Tasks)  # the tasks of the unit or field the leader is in charge of
    unit_targets_missed: bool = False  # the socio-economic targets the post carries were missed
    units_led: Optional[int] = None  # subordinate units in charge
    units_led_khtnv: Optional[int] = None  # of which ranked KHTNV
    confidence_votes: Optional[int] = None  # votes at a confidence vote this year
    low_confidence_votes: Optional[int] = None  # of which "tín nhiệm thấp"
    corruption_in_scope: bool = False  # corruption, waste or negativity in the direct scope, disciplined
    mitigation: bool = False  # detected, reported, directed the handling, remedied: the competent level decides
    quarters: tuple[Optional[Level], Optional[Level], Optional[Level]] = (None, None, None)  # Q1-Q3 (Q4 folds into the year)

    @property
    def has_any(self) -> bool:
        return (self.unit_tasks.has_any or self.unit_targets_missed or self.corruption_in_scope or self.mitigation
                or any(v is not None for v in (self.units_led, self.units_led_khtnv, self.confidence_votes,
                                                self.low_confidence_votes)) or any(self.quarters))


@record
class Member:
    """A party member on the chi bộ's roll."""

    name: str
    membership: Membership = Membership.OFFICIAL
    role: str = ""  # posts (đảng, chính quyền, đoàn thể)
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
    member_id: str = ""  # số thẻ đảng viên or another stable id, when known (used across chi bộ)
    group: Optional[FormGroup] = None  # QĐ 366 form group (2A / 2B / 2C)
    outside_system: bool = False  # retired, student, private sector: not working in the political system
    leader: Optional[LeaderFacts] = None  # facts of a leader or manager (form 2A)
    temporary_cell_comment: str = ""  # comments of the chi bộ of temporary activity (HD 43 pt 7.6)
    residence_comment: Optional[bool] = None  # comments of the place of residence received (Art. 17)
    opinions: str = ""  # main opinions given at the meeting ("Ý kiến góp ý")
    comment: str = ""  # the chi bộ's comment ("Nhận xét của chi bộ")
    chi_bo_level: Optional[Level] = None  # the level the meeting agreed when it differs from the computed one
    decision_ref: str = ""  # number of the upper committee's decision
    rerank_level: Optional[Level] = None  # level after a re-ranking (Mẫu 03), the old one is kept
    rerank_ref: str = ""
    score_where: str = ""  # where the appraised score was typed, e.g. "Chấm điểm!I7"

    @property
    def is_official(self) -> bool:
        return self.membership is Membership.OFFICIAL

    @property
    def present(self) -> bool:
        return self.attendance is Attendance.PRESENT


@record
class Person:
    """A named person with a title, e.g. the chair or a guest."""

    name: str
    title: str = ""


@record
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
    cell_type: str = "truc_thuoc"  # "truc_thuoc" (under a đảng ủy cơ sở) or "co_so" (itself the base organisation)
    intermediate_committee: str = ""  # a đảng ủy bộ phận that proposes upwards, if any
    under_province: bool = False  # the base organisation is directly under the provincial committee
    decider: str = ""  # who decides, when it must be named explicitly (else derived, S22)
    report_circulated: Optional[date] = None  # the Mẫu 01 draft sent to members (HD 43 Mục 2.1)
    report_presenter: str = ""  # who presented the collective's report
    report_opinions: str = ""  # main opinions on the collective's report
    conclusion: str = ""  # the chair's conclusion, when typed
    program_agree: Optional[int] = None  # votes approving the programme
    counters_agree: Optional[int] = None  # votes approving the Ban kiểm phiếu
    adopted_time: Optional[time] = None  # the minutes were adopted at
    adopted_agree: Optional[int] = None  # members agreeing to the minutes
    count_start_time: Optional[time] = None  # the vote count began at
    count_end_time: Optional[time] = None  # the vote-count minutes were completed at
    count_place: str = ""
    members_order: Optional[int] = None  # position of the members' ranking in the order of the meeting
    format_profile: str = ""  # document format profile ("hd36_2018", "hd05_2026"); empty: the default
    fingerprint_in_minutes: Optional[bool] = None  # print the data code on the minutes (default: vote count only)


class Spoiled(Enum):
    """A spoiled line on a valid ballot (no mark, or several marks, for one member)."""

    SPOILED = "x"
    __hash__ = object.__hash__  # a singleton: identity hash, C speed (see Level)


Mark = Union[Level, Spoiled, None]  # None: nothing typed in the cell

#: One byte per mark: "-" nothing typed, "x" spoiled, "1".."4" the levels (looked up by object id: no Level ==).
MARK_BYTE = {None: ord("-"), Spoiled.SPOILED: ord("x"), **{lvl: ord(str(lvl.digit)) for lvl in Level}}
_LINES: dict = {}


def mark_line(marks) -> bytes:
    """A ballot's marks as one byte each (``MARK_BYTE``).

    Counting the votes and the data code both need it: a tuple's line is remembered (at 300 x 300 one
    encoding is about 3 ms), for at most 4,096 ballots.
    """
    if marks.__class__ is not tuple:
        return bytes(map(MARK_BYTE.__getitem__, marks))
    return by_identity(_LINES, marks, lambda m: bytes(look_up_all(MARK_BYTE, m)), 4096)


@record
class Ballot:
    """One paper ballot: a mark per member row (in the grid's order), or the whole ballot invalid."""

    id: str
    marks: tuple[Mark, ...]
    invalid: bool = False
    voter: str = ""  # normally empty (secret ballot); if given, the voter's name
    where: str = ""  # e.g. "Phiếu đảng viên!F:F"
    cells: tuple[str, ...] = ()  # optional address per mark, e.g. ("Phiếu đảng viên!F8", ...)
    column: str = ""  # the ballot's column in the grid sheet ("F"), with BallotGrid.rows gives cell addresses


@record
class BallotGrid:
    """All member ballots: ``order`` names the rows, each ballot is a column."""

    order: tuple[str, ...]
    ballots: tuple[Ballot, ...]
    issued: Optional[int] = None  # ballots handed out; defaults to the ballots typed
    where: str = ""
    sheet: str = ""  # the grid's sheet, when read from a workbook
    rows: tuple[int, ...] = ()  # the Excel row of each member row, when read from a workbook


@record
class TallyRow:
    """Hand-counted votes for one member."""

    name: str
    votes: tuple[tuple[Level, int], ...]
    spoiled: int = 0
    where: str = ""

    def count(self, level: Level) -> int:
        return dict(self.votes).get(level, 0)


@record
class Tally:
    """Counts typed in by a cell that counts by hand."""

    issued: int
    returned: int
    invalid: int
    rows: tuple[TallyRow, ...]
    where: str = ""


@record
class HandsRow:
    """A show of hands on one member: agree / disagree with the level put to the vote."""

    name: str
    agree: int
    disagree: int = 0
    level: Optional[Level] = None  # the level put to the vote; None: the proposal (the score's level)
    where: str = ""


@record
class Hands:
    """Show-of-hands counts for the members (biểu quyết giơ tay)."""

    rows: tuple[HandsRow, ...]
    where: str = ""


@record
class CellBallots:
    """A collective's ballots: one mark per ballot."""

    marks: tuple[Mark, ...]
    invalid: tuple[bool, ...] = ()
    cells: tuple[str, ...] = ()
    where: str = ""


@record
class CellTally:
    """Hand-counted votes for a collective's level."""

    votes: tuple[tuple[Level, int], ...]
    invalid: int = 0
    where: str = ""

    def count(self, level: Level) -> int:
        return dict(self.votes).get(level, 0)


@record
class CellHands:
    """A show of hands on a collective's proposed level."""

    agree: int
    disagree: int = 0
    level: Optional[Level] = None
    where: str = ""


MemberVotes = Union[BallotGrid, Tally, Hands, None]
CellVotes = Union[CellBallots, CellTally, CellHands, None]


@record
class Collective:
    """A collective reviewed at the meeting: the chi bộ itself, its chi ủy, the unit's leadership...

    The chi bộ's leadership is its chi ủy (members flagged ``leadership``); another collective's
    members are the roster names in ``members``.
    """

    kind: CollectiveKind = CollectiveKind.CHI_BO
    name: str = ""  # empty for the chi bộ: its name is the meeting's
    members: tuple[str, ...] = ()
    decider: str = ""  # the body that decides (the body managing the collective); empty: derived
    self_level: Optional[Level] = None
    performance: Performance = field(default_factory=Performance)
    leadership_disciplined: bool = False  # a leadership member disciplined in the period (not on the roster)
    subordinate_disciplined: bool = False
    disunity: bool = False  # disunity, factions (366 Art. 11 cl. 4)
    personnel_wrongdoing: bool = False  # concluded wrongdoing in personnel work, buying posts
    targets_missed: bool = False  # the socio-economic targets were missed
    exception_claimed: bool = False  # force majeure, or self-detected and remedied in time
    exceptional_unit_approved: bool = False  # QĐ 366: the 25% quota granted by the competent level
    unit_level: Optional[Level] = None  # the unit's own ranking (school, station), the basis of the party ranking
    review_date: Optional[date] = None  # when this collective was reviewed, if not at this meeting
    order: Optional[int] = None  # position of this collective's ranking in the order of the meeting
    votes: CellVotes = None
    opinions: str = ""
    comment: str = ""
    chi_bo_level: Optional[Level] = None
    decided_level: Optional[Level] = None
    decision_ref: str = ""
    where: str = ""


#: The chi bộ is a collective of kind CHI_BO; the old name stays for readability where it is meant.
PartyCell = Collective


@record
class Case:
    """One meeting: everything the engine needs."""

    meeting: Meeting
    members: tuple[Member, ...]
    member_votes: MemberVotes = None
    party_cell: Collective = field(default_factory=Collective)
    collectives: tuple[Collective, ...] = ()  # reviewed besides the chi bộ
    rules_id: str = ""  # empty: chosen from the review year
    settings: tuple[tuple[str, object], ...] = ()  # overrides of the rule pack's defaults
    note: str = ""  # about the case itself (sources, assumptions)
    unused_sheets: tuple[str, ...] = ()  # workbook sheets with data that do not apply to the review year
