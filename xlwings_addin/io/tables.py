"""Raw sheet tables (2D lists of cell values) -> a ``Case``.

Both readers use this: the file reader (openpyxl) and the live reader (xlwings ``range.value``), and
the UDFs too, so a workbook means the same thing however it is read. Every problem names the sheet
and the cell; all problems are collected and raised together as one ``WorkbookError``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any, Optional

from ..core.levels import LEVELS, Level
from ..core.models import (
    Attendance, Ballot, BallotGrid, Case, CellBallots, CellTally, Discipline, DisciplineForm, Grade, Meeting,
    Member, Membership, PartyCell, Performance, Person, Spoiled, Tally, TallyRow,
)
from ..core.vnformat import nfc
from . import schema as S
from .casefile import CaseFileError

MAX_PROBLEMS = 30

# The usual cell values of a ballot grid, looked up directly (90 000 cells for 300 x 300).
_SLOW = object()
_FAST_MARKS = {None: None, "": None, "x": Spoiled.SPOILED, "X": Spoiled.SPOILED,
               **{v: lvl for lvl in LEVELS for v in (lvl.digit, float(lvl.digit), str(lvl.digit))}}


class WorkbookError(CaseFileError):
    """The workbook cannot be read as a meeting; ``problems`` lists (where, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        lines = [f"{w}: {m}" for w, m in problems[:MAX_PROBLEMS]]
        more = len(problems) - MAX_PROBLEMS
        if more > 0:
            lines.append(f"... và {more} lỗi khác.")
        first = problems[0][0] if problems else ""
        super().__init__("Sổ Excel có dữ liệu chưa hợp lệ:\n" + "\n".join(lines), "")
        self.where = first


@dataclass(frozen=True)
class Tables:
    """The input blocks of the workbook, each read in one call, with its top-left cell (0-based)."""

    meeting: list  # rows MEETING_FIRST_ROW.., columns A..D
    roster: list  # header row + data rows, columns A..
    grid: list  # from GRID_HEADER_ROW, columns A..
    tally: list  # from row 1, columns A..H
    cell: list  # from CELL_HEADER_ROW, columns A..H


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.strftime("%d/%m/%Y")
    return nfc(str(v).strip())


def _cell(table: list, r: int, c: int) -> Any:
    if r < len(table) and table[r] is not None and c < len(table[r]):
        return table[r][c]
    return None


class _Reader:
    """Converts cell values, collecting problems with their places."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def bad(self, where: str, message: str) -> None:
        self.problems.append((where, message))

    def int_(self, v: Any, where: str) -> Optional[int]:
        if _blank(v):
            return None
        if isinstance(v, bool):
            self.bad(where, f"cần một số nguyên, gặp '{v}'")
            return None
        if isinstance(v, (int, float)) and float(v).is_integer():
            return int(v)
        if isinstance(v, str) and v.strip().isdigit():
            return int(v.strip())
        self.bad(where, f"cần một số nguyên, gặp '{_text(v)}'")
        return None

    def number(self, v: Any, where: str) -> Optional[Fraction]:
        if _blank(v):
            return None
        if isinstance(v, bool):
            self.bad(where, f"cần một số, gặp '{v}'")
            return None
        try:
            if isinstance(v, (int, float)):
                return Fraction(str(v)) if isinstance(v, float) else Fraction(v)
            return Fraction(str(v).strip().replace(",", ".").rstrip("%"))
        except (ValueError, ZeroDivisionError):
            self.bad(where, f"cần một số (dùng dấu phẩy hoặc chấm thập phân), gặp '{_text(v)}'")
            return None

    def date_(self, v: Any, where: str) -> Optional[date]:
        if _blank(v):
            return None
        if isinstance(v, datetime):
            return v.date()
        if isinstance(v, date):
            return v
        if isinstance(v, (int, float)) and not isinstance(v, bool) and 1 < v < 200000:
            return date(1899, 12, 30) + timedelta(days=int(v))  # an Excel serial date
        if isinstance(v, str):
            text = v.strip()
            try:
                return datetime.fromisoformat(text).date()  # ISO text, as the remote engine sends dates
            except ValueError:
                pass
            for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
                try:
                    return datetime.strptime(text, fmt).date()
                except ValueError:
                    continue
        self.bad(where, f"ngày không hợp lệ '{_text(v)}' (nhập dạng ngày/tháng/năm, ví dụ 29/11/2023)")
        return None

    def time_(self, v: Any, where: str) -> Optional[time]:
        if _blank(v):
            return None
        if isinstance(v, time):
            return v.replace(second=0, microsecond=0)
        if isinstance(v, datetime):
            return v.time().replace(second=0, microsecond=0)
        if isinstance(v, timedelta):
            minutes = round(v.total_seconds() / 60)
            return time(minutes // 60 % 24, minutes % 60)
        if isinstance(v, float) and 0 <= v < 1:
            minutes = round(v * 24 * 60)
            return time(minutes // 60 % 24, minutes % 60)
        if isinstance(v, str):
            if "T" in v:
                try:
                    return datetime.fromisoformat(v.strip()).time().replace(second=0, microsecond=0)
                except ValueError:
                    pass
            text = v.strip().lower().replace("giờ", ":").replace("h", ":").replace(" ", "")
            parts = [p for p in text.split(":") if p != ""][:2] if text.count(":") == 2 else [p for p in text.split(":") if p != ""]
            if 1 <= len(parts) <= 2 and all(p.isdigit() for p in parts):
                h, m = int(parts[0]), int(parts[1]) if len(parts) == 2 else 0
                if 0 <= h < 24 and 0 <= m < 60:
                    return time(h, m)
        self.bad(where, f"giờ không hợp lệ '{_text(v)}' (ví dụ 14:00)")
        return None

    def bool_(self, v: Any, where: str) -> bool:
        value = self.tribool(v, where)
        return bool(value)

    def tribool(self, v: Any, where: str) -> Optional[bool]:
        if _blank(v):
            return None
        if isinstance(v, bool):
            return v
        if isinstance(v, (int, float)) and v in (0, 1):
            return bool(v)
        text = _text(v).casefold()
        if text in ("x", "có", "co", "đúng", "yes", "true"):
            return True
        if text in ("không", "khong", "sai", "no", "false", "0"):
            return False
        self.bad(where, f"nhập x (có) hoặc 'không', gặp '{_text(v)}'")
        return None

    def level(self, v: Any, where: str) -> Optional[Level]:
        if _blank(v):
            return None
        try:
            return Level.from_code(v)
        except ValueError:
            self.bad(where, f"mức xếp loại không hợp lệ '{_text(v)}' (HTXSNV, HTTNV, HTNV, KHTNV hoặc 1-4)")
            return None

    def choice(self, v: Any, choices, where: str, default=None):
        if _blank(v):
            return default
        text = _text(v).casefold()
        for label, key in choices:
            if text == str(label).casefold() or text == str(key).casefold():
                return key
        allowed = ", ".join(str(label) for label, _ in choices)
        self.bad(where, f"giá trị '{_text(v)}' không có trong danh sách chọn ({allowed})")
        return default

    def mark(self, v: Any, where: str):
        if _blank(v):
            return None
        if isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer() and 1 <= v <= 4:
            return Level.from_code(int(v))
        text = _text(v)
        if text.casefold() == "x":
            return Spoiled.SPOILED
        if text in ("1", "2", "3", "4") or text.upper() in ("HTXSNV", "HTTNV", "HTNV", "KHTNV"):
            return Level.from_code(text)
        self.bad(where, f"giá trị '{text}' không hợp lệ (chỉ nhập 1, 2, 3, 4 hoặc x)")
        return None


_PERF_NUMBERS = ("tasks_completed_pct", "tasks_exceeded_pct", "tasks_late_pct", "self_score_common",
                 "self_score_results", "score_common", "score_results")


def _performance(rd: "_Reader", get, where, prefix: str = "") -> Performance:
    """Read the performance facts; ``get``/``where`` give a field's value and place by key."""
    def grade(key):
        k = prefix + key
        value = rd.choice(get(k), S.GRADE_CHOICES, where(k))
        return Grade.parse(value) if value else None

    return Performance(
        criteria_grade=grade("criteria_grade"),
        results_grade=grade("results_grade"),
        on_time_with_quality=rd.tribool(get(prefix + "on_time_with_quality"), where(prefix + "on_time_with_quality")),
        shortcomings_remedied=rd.tribool(get(prefix + "shortcomings_remedied"), where(prefix + "shortcomings_remedied")),
        **{k: rd.number(get(prefix + k), where(prefix + k)) for k in _PERF_NUMBERS},
    )


# --------------------------------------------------------------------------- the blocks


def _meeting(t: Tables, rd: _Reader) -> tuple[dict, dict]:
    """Return field values by key and the (row0) of each key."""
    values: dict = {}
    for i, f in enumerate(S.MEETING_FIELDS):
        row0 = S.MEETING_FIRST_ROW + i
        key = _text(_cell(t.meeting, i, 0))
        if key != f.key:
            rd.bad(S.where(S.SHEET_MEETING, row0, 0),
                   f"cột khóa (ẩn) phải là '{f.key}' cho dòng \"{f.label}\", gặp '{key}': không chèn hay xóa dòng ở sheet này")
            continue
        values[f.key] = (_cell(t.meeting, i, 2), _cell(t.meeting, i, 3), S.where(S.SHEET_MEETING, row0, 2))
    return values, {}


def _person(rd: _Reader, value) -> Optional[Person]:
    name, title, _ = value
    if _blank(name):
        return None
    return Person(_text(name), _text(title))


def meeting_from(values: dict, rd: _Reader) -> tuple[Meeting, PartyCell, dict, dict]:
    def get(key):
        return values.get(key, (None, None, S.SHEET_MEETING))

    def val(key):
        return get(key)[0]

    def w(key):
        return get(key)[2]

    fields = {f.key: f for f in S.MEETING_FIELDS}
    year = rd.int_(val("review_year"), w("review_year"))
    if year is None and "review_year" in values:
        rd.bad(w("review_year"), "chưa nhập năm đánh giá")
    when = rd.date_(val("date"), w("date"))
    if when is None and "date" in values and _blank(val("date")):
        rd.bad(w("date"), "chưa nhập ngày họp")
    party_cell = _text(val("party_cell"))
    if not party_cell and "party_cell" in values:
        rd.bad(w("party_cell"), "chưa nhập tên chi bộ")
    people = lambda keys: tuple(p for p in (_person(rd, get(k)) for k in keys) if p)  # noqa: E731
    meeting = Meeting(
        review_year=year or 0,
        date=when or date(1900, 1, 1),
        party_cell=party_cell,
        upper_body=_text(val("upper_body")),
        upper_committee=_text(val("upper_committee")),
        locality=_text(val("locality")),
        place=_text(val("place")),
        start_time=rd.time_(val("start_time"), w("start_time")),
        end_time=rd.time_(val("end_time"), w("end_time")),
        chair=_person(rd, get("chair")) or Person(""),
        secretary=_person(rd, get("secretary")) or Person(""),
        guests=people(("guest_1", "guest_2", "guest_3")),
        vote_counters=people(("counter_1", "counter_2", "counter_3")),
        voting_method=_text(val("voting_method")) or "bỏ phiếu kín",
        legal_basis=tuple(_text(val(k)) for k in ("basis_1", "basis_2", "basis_3", "basis_4", "basis_5") if not _blank(val(k))),
        document_number=_text(val("document_number")),
        special_unit=rd.bool_(val("special_unit"), w("special_unit")),
    )
    cell = PartyCell(
        self_level=rd.level(val("cell_self_level"), w("cell_self_level")),
        performance=_performance(rd, val, w, "cell_"),
        leadership_disciplined=rd.bool_(val("cell_leadership_disciplined"), w("cell_leadership_disciplined")),
        subordinate_disciplined=rd.bool_(val("cell_subordinate_disciplined"), w("cell_subordinate_disciplined")),
        disunity=rd.bool_(val("cell_disunity"), w("cell_disunity")),
        exceptional_unit_approved=rd.bool_(val("cell_exceptional"), w("cell_exceptional")),
        decided_level=rd.level(val("cell_decided_level"), w("cell_decided_level")),
    )
    settings = {}
    for key in S.SETTING_KEYS:
        if key in values and not _blank(val(key)):
            settings[key] = rd.choice(val(key), fields[key].choices, w(key))
    options = {
        "rules_id": rd.choice(val("rules_id"), fields["rules_id"].choices, w("rules_id"), "") if "rules_id" in values else "",
        "member_vote_mode": rd.choice(val("member_vote_mode"), S.VOTE_MODES, w("member_vote_mode"), "grid"),
        "cell_vote_mode": rd.choice(val("cell_vote_mode"), S.VOTE_MODES, w("cell_vote_mode"), "grid"),
        "issued": rd.int_(val("issued"), w("issued")),
    }
    return meeting, cell, settings, options


def _check_headers(rd: _Reader, sheet: str, row: list, row0: int, expected, first_col: int = 0) -> bool:
    ok = True
    for i, header in enumerate(expected):
        got = _text(row[first_col + i]) if row and first_col + i < len(row) else ""
        if got != header:
            rd.bad(S.where(sheet, row0, first_col + i), f"tiêu đề cột phải là \"{header}\", gặp \"{got}\" (không sửa hay xóa tiêu đề)")
            ok = False
    return ok


def roster_from(t: Tables, rd: _Reader) -> list[Member]:
    cols = S.ROSTER_COLUMNS
    if not t.roster or not _check_headers(rd, S.SHEET_ROSTER, t.roster[0], S.ROSTER_HEADER_ROW, [c.header for c in cols]):
        return []
    idx = S.ROSTER_INDEX
    members = []
    for i, row in enumerate(t.roster[1:]):
        row0 = S.ROSTER_FIRST_ROW + i
        row = list(row or [])
        row += [None] * (len(cols) - len(row))
        if all(_blank(v) for j, v in enumerate(row[: len(cols)]) if j != idx["no"]):
            continue
        w = lambda key: S.where(S.SHEET_ROSTER, row0, idx[key])  # noqa: E731
        v = lambda key: row[idx[key]]  # noqa: E731
        name = _text(v("name"))
        if not name:
            rd.bad(w("name"), "dòng có dữ liệu nhưng thiếu họ tên")
            continue
        if name.startswith(("=", "+", "@")):
            rd.bad(w("name"), "họ tên không được bắt đầu bằng dấu =, + hoặc @")
        form = rd.choice(v("discipline_form"), S.DISCIPLINE_CHOICES, w("discipline_form"))
        duty = rd.tribool(v("discipline_duty"), w("discipline_duty"))
        discipline = None
        if form:
            discipline = Discipline(DisciplineForm.parse(form), True if duty is None else duty,
                                    rd.bool_(v("discipline_remedied"), w("discipline_remedied")))
        members.append(Member(
            name=name,
            membership=Membership.parse(rd.choice(v("membership"), S.MEMBERSHIP_CHOICES, w("membership"), "chinh_thuc")),
            role=_text(v("role")),
            admission_date=rd.date_(v("admission_date"), w("admission_date")),
            exempt=rd.bool_(v("exempt"), w("exempt")),
            suspended=rd.bool_(v("suspended"), w("suspended")),
            temporarily_elsewhere=rd.bool_(v("temporarily_elsewhere"), w("temporarily_elsewhere")),
            attendance=Attendance.parse(rd.choice(v("attendance"), S.ATTENDANCE_CHOICES, w("attendance"), "co_mat")),
            absence_reason=_text(v("absence_reason")),
            leadership=rd.bool_(v("leadership"), w("leadership")),
            self_level=rd.level(v("self_level"), w("self_level")),
            performance=_performance(rd, v, w),
            discipline=discipline,
            degradation=rd.bool_(v("degradation"), w("degradation")),
            prohibited_acts=rd.bool_(v("prohibited_acts"), w("prohibited_acts")),
            example_violation=rd.bool_(v("example_violation"), w("example_violation")),
            civil_service_level=rd.level(v("civil_service_level"), w("civil_service_level")),
            sick_or_maternity=rd.bool_(v("sick_or_maternity"), w("sick_or_maternity")),
            decided_level=rd.level(v("decided_level"), w("decided_level")),
            note=_text(v("note")),
            where=w("name"),
        ))
    return members


def grid_from(t: Tables, rd: _Reader, issued: Optional[int]) -> Optional[BallotGrid]:
    sheet = S.SHEET_GRID
    if not t.grid or not _check_headers(rd, sheet, t.grid[0], S.GRID_HEADER_ROW, S.GRID_FIXED):
        return None
    header = list(t.grid[0] or [])
    invalid_row = list(_row(t.grid, S.GRID_INVALID_ROW - S.GRID_HEADER_ROW))
    member_rows = []
    for i in range(S.GRID_FIRST_ROW - S.GRID_HEADER_ROW, len(t.grid)):
        row = list(t.grid[i] or [])
        row0 = S.GRID_HEADER_ROW + i
        name = _text(_cell(t.grid, i, 1))
        marks = row[S.GRID_FIRST_BALLOT_COL:]
        if not name:
            if any(not _blank(m) for m in marks):
                rd.bad(S.where(sheet, row0, 1), "dòng có phiếu nhưng thiếu họ tên")
            continue
        member_rows.append((row0, name, marks))
    width = max([len(header)] + [S.GRID_FIRST_BALLOT_COL + len(m) for _, _, m in member_rows]) - S.GRID_FIRST_BALLOT_COL
    ballots = []
    for j in range(max(width, 0)):
        c0 = S.GRID_FIRST_BALLOT_COL + j
        flag = invalid_row[c0] if c0 < len(invalid_row) else None
        column = [m[j] if j < len(m) else None for _, _, m in member_rows]
        if _blank(flag) and all(_blank(v) for v in column):
            continue  # an unused ballot column
        invalid = False
        if not _blank(flag):
            if _text(flag).casefold() == "x":
                invalid = True
            else:
                rd.bad(S.where(sheet, S.GRID_INVALID_ROW, c0), f"chỉ nhập x để đánh dấu cả phiếu không hợp lệ, gặp '{_text(flag)}'")
        marks = []
        for (row0, _, _), v in zip(member_rows, column):
            mark = _FAST_MARKS.get(v, _SLOW) if isinstance(v, (str, int, float, type(None))) and not isinstance(v, bool) else _SLOW
            if mark is _SLOW:  # anything unusual goes through the checking parser, with its place
                mark = rd.mark(v, S.where(sheet, row0, c0))
            marks.append(mark)
        ballot_id = _text(header[c0]) if c0 < len(header) and not _blank(header[c0]) else str(j + 1)
        ballots.append(Ballot(id=ballot_id, marks=tuple(marks), invalid=invalid, where=f"{sheet}!{S.col(c0)}:{S.col(c0)}",
                              column=S.col(c0)))
    return BallotGrid(order=tuple(n for _, n, _ in member_rows), ballots=tuple(ballots), issued=issued,
                      where=f"{sheet}!B{S.GRID_FIRST_ROW + 1}", sheet=sheet, rows=tuple(r + 1 for r, _, _ in member_rows))


def _row(table: list, i: int) -> list:
    return list(table[i] or []) if i < len(table) else []


def tally_from(t: Tables, rd: _Reader) -> Optional[Tally]:
    sheet = S.SHEET_TALLY
    get = lambda rc: _cell(t.tally, rc[0], rc[1])  # noqa: E731
    wh = lambda rc: S.where(sheet, rc[0], rc[1])  # noqa: E731
    if not _check_headers(rd, sheet, _row(t.tally, S.TALLY_HEADER_ROW), S.TALLY_HEADER_ROW, S.TALLY_HEADERS):
        return None
    returned = rd.int_(get(S.TALLY_RETURNED), wh(S.TALLY_RETURNED))
    if returned is None:
        rd.bad(wh(S.TALLY_RETURNED), "chưa nhập số phiếu thu về")
        returned = 0
    issued = rd.int_(get(S.TALLY_ISSUED), wh(S.TALLY_ISSUED))
    invalid = rd.int_(get(S.TALLY_INVALID), wh(S.TALLY_INVALID)) or 0
    rows = []
    for i in range(S.TALLY_FIRST_ROW, len(t.tally)):
        name = _text(_cell(t.tally, i, 1))
        counts = [_cell(t.tally, i, 2 + k) for k in range(5)]
        if not name:
            if any(not _blank(c) for c in counts):
                rd.bad(S.where(sheet, i, 1), "dòng có số phiếu nhưng thiếu họ tên")
            continue
        values = [rd.int_(c, S.where(sheet, i, 2 + k)) or 0 for k, c in enumerate(counts)]
        rows.append(TallyRow(name, tuple(zip(LEVELS, values[:4])), values[4], S.where(sheet, i, 1)))
    return Tally(issued=returned if issued is None else issued, returned=returned, invalid=invalid, rows=tuple(rows),
                 where=f"{sheet}!B{S.TALLY_FIRST_ROW + 1}")


def cell_votes_from(t: Tables, rd: _Reader, mode: str):
    sheet = S.SHEET_CELL
    if mode == "tally":
        counts = {}
        for key, r in S.CELL_TALLY_ROWS.items():
            row0 = r
            counts[key] = rd.int_(_cell(t.cell, row0 - S.CELL_HEADER_ROW, S.CELL_TALLY_COL + 1), S.where(sheet, row0, S.CELL_TALLY_COL + 1)) or 0
        return CellTally(tuple((lvl, counts[lvl.code]) for lvl in LEVELS), counts["invalid"], f"{sheet}!G{S.CELL_TALLY_ROWS['HTXSNV'] + 1}")
    if not t.cell or not _check_headers(rd, sheet, t.cell[0], S.CELL_HEADER_ROW, S.CELL_HEADERS):
        return None
    marks, invalid, cells = [], [], []
    for i in range(1, len(t.cell)):
        row0 = S.CELL_HEADER_ROW + i
        mark, flag = _cell(t.cell, i, 1), _cell(t.cell, i, 2)
        if _blank(mark) and _blank(flag):
            continue
        cell = S.where(sheet, row0, 1)
        marks.append(rd.mark(mark, cell))
        bad = False
        if not _blank(flag):
            if _text(flag).casefold() == "x":
                bad = True
            else:
                rd.bad(S.where(sheet, row0, 2), f"chỉ nhập x để đánh dấu phiếu không hợp lệ, gặp '{_text(flag)}'")
        invalid.append(bad)
        cells.append(cell)
    return CellBallots(tuple(marks), tuple(invalid), tuple(cells), f"{sheet}!B{S.CELL_FIRST_ROW + 1}")


def case_from_tables(t: Tables) -> Case:
    """Build the case the workbook describes, or raise ``WorkbookError`` listing every bad cell."""
    rd = _Reader()
    values, _ = _meeting(t, rd)
    meeting, cell, settings, options = meeting_from(values, rd)
    members = roster_from(t, rd)
    if options["member_vote_mode"] == "tally":
        votes = tally_from(t, rd)
    else:
        votes = grid_from(t, rd, options["issued"])
    cell_votes = cell_votes_from(t, rd, options["cell_vote_mode"])
    if rd.problems:
        raise WorkbookError(rd.problems)
    return Case(meeting=meeting, members=tuple(members), member_votes=votes, party_cell=replace(cell, votes=cell_votes),
                rules_id=options["rules_id"] or "", settings=tuple(sorted(settings.items())))
