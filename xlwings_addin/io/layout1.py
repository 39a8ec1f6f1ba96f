"""Read a workbook of the first layout (before the score sheet and the collectives) for ``upgrade``.

Layout 1 kept every fact of a member on the roster and the chi bộ's facts on "Hội nghị", with its
ballots one per row on "Phiếu chi bộ". Only this reader knows that layout; the ``upgrade`` command
turns what it reads into a new workbook of the current layout, and the old file is not changed.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Optional

from ..core.levels import LEVELS
from ..core.models import Case, CellBallots, CellTally, Collective, Member, Performance, Tasks
from . import schema as S
from .errors import CaseFileError
from .tables import Tables, WorkbookError, _Reader, _check_headers, _discipline, _grade, grid_from, meeting_from, read_rows, tally_from

C = S.Column
SHEET_CELL_V1 = "Phiếu chi bộ"
ROSTER_V1 = (
    C("no", "TT", kind="formula"), C("name", "Họ và tên", kind="name"),
    C("membership", "Loại đảng viên", kind="choice", choices=S.MEMBERSHIP_CHOICES), C("role", "Chức vụ"),
    C("admission_date", "Ngày kết nạp", kind="date"), C("attendance", "Dự họp", kind="choice", choices=S.ATTENDANCE_CHOICES),
    C("absence_reason", "Lý do vắng"), C("exempt", "Miễn sinh hoạt", kind="bool"), C("suspended", "Đình chỉ sinh hoạt", kind="bool"),
    C("temporarily_elsewhere", "Sinh hoạt tạm thời nơi khác", kind="bool"), C("leadership", "Chi ủy viên", kind="bool"),
    C("self_level", "Tự nhận mức", kind="level", choices=S.LEVEL_CHOICES),
    C("self_score_common", "Tự chấm chung (/30)", kind="number"), C("self_score_results", "Tự chấm kết quả (/70)", kind="number"),
    C("score_common", "Chi bộ chấm chung (/30)", kind="number"), C("score_results", "Chi bộ chấm kết quả (/70)", kind="number"),
    C("criteria_grade", "Mức tiêu chí thấp nhất (QĐ 124)", kind="grade", choices=S.GRADE_CHOICES),
    C("results_grade", "Mức tiêu chí kết quả (QĐ 124)", kind="grade", choices=S.GRADE_CHOICES),
    C("tasks_completed_pct", "% hoàn thành nhiệm vụ", kind="number"), C("tasks_exceeded_pct", "% vượt mức", kind="number"),
    C("tasks_late_pct", "% chậm tiến độ", kind="number"), C("on_time_with_quality", "Đúng tiến độ, có chất lượng", kind="tribool"),
    C("shortcomings_remedied", "Đã khắc phục hạn chế", kind="tribool"),
    C("discipline_form", "Kỷ luật trong năm", kind="choice", choices=S.DISCIPLINE_CHOICES),
    C("discipline_duty", "Kỷ luật liên quan công vụ", kind="tribool"), C("discipline_remedied", "Tự phát hiện, khắc phục", kind="bool"),
    C("degradation", "Bị kết luận suy thoái", kind="bool"), C("prohibited_acts", "Vi phạm điều không được làm", kind="bool"),
    C("example_violation", "Vi phạm nêu gương", kind="bool"),
    C("civil_service_level", "Xếp loại CBCCVC", kind="level", choices=S.LEVEL_CHOICES),
    C("sick_or_maternity", "Nghỉ ốm ≥ 3 tháng / thai sản", kind="bool"),
    C("decided_level", "Cấp ủy quyết định", kind="level", choices=S.LEVEL_CHOICES), C("note", "Ghi chú"),
)
GRID_FIXED_V1 = ("TT", "Họ và tên", "HTXSNV", "HTTNV", "HTNV", "KHTNV", "Không hợp lệ", "Đã nhập")
TALLY_HEADERS_V1 = ("TT", "Họ và tên", "HTXSNV", "HTTNV", "HTNV", "KHTNV", "Dòng không hợp lệ", "Cộng")
CELL_HEADERS_V1 = ("Phiếu số", "Mức (1-4, x)", "Hỏng cả phiếu (x)")
CELL_TALLY_ROWS_V1 = {"HTXSNV": 4, "HTTNV": 5, "HTNV": 6, "KHTNV": 7, "invalid": 8}
#: The chi bộ's own facts, kept on "Hội nghị" in layout 1 (key -> (kind, case field)).
CELL_FIELDS_V1 = {
    "cell_self_level": "level", "cell_self_score_common": "number", "cell_self_score_results": "number",
    "cell_score_common": "number", "cell_score_results": "number", "cell_criteria_grade": "grade",
    "cell_results_grade": "grade", "cell_tasks_completed_pct": "number", "cell_tasks_exceeded_pct": "number",
    "cell_tasks_late_pct": "number", "cell_on_time_with_quality": "tribool", "cell_shortcomings_remedied": "tribool",
    "cell_leadership_disciplined": "bool", "cell_subordinate_disciplined": "bool", "cell_disunity": "bool",
    "cell_exceptional": "bool", "cell_decided_level": "level",
}


def is_layout1(sheet_names) -> bool:
    return SHEET_CELL_V1 in sheet_names and S.SHEET_SCORES not in sheet_names


def _sheet_rows(wb, name: str) -> list:
    if name not in wb.sheet_names:
        return []
    ws = wb.get_sheet_by_name(name)
    top, left = ws.start or (0, 0)
    rows = ws.to_python(skip_empty_area=False)
    return [[]] * top + [([""] * left + list(r)) for r in rows]


def _meeting_values(rows: list, rd: _Reader) -> dict:
    values = {}
    for r0 in range(S.MEETING_FIRST_ROW, len(rows)):
        row = rows[r0]
        key = row[0] if row else None
        if isinstance(key, str) and key.strip():
            values[key.strip()] = (row[2] if len(row) > 2 else None, row[3] if len(row) > 3 else None,
                                   S.where(S.SHEET_MEETING, r0, 2))
    return values


def _cell_from(values: dict, rows_cell: list, mode: str, rd: _Reader) -> Collective:
    v = {}
    for key, kind in CELL_FIELDS_V1.items():
        raw, _, where = values.get(key, (None, None, S.SHEET_MEETING))
        column = S.Column(key, key, kind=kind, choices=S.GRADE_CHOICES if kind == "grade" else S.LEVEL_CHOICES)
        v[key] = rd.value(column, raw, where)
    perf = Performance(
        criteria_grade=_grade(v["cell_criteria_grade"]), results_grade=_grade(v["cell_results_grade"]),
        tasks_completed_pct=v["cell_tasks_completed_pct"], tasks_exceeded_pct=v["cell_tasks_exceeded_pct"],
        tasks_late_pct=v["cell_tasks_late_pct"], on_time_with_quality=v["cell_on_time_with_quality"],
        shortcomings_remedied=v["cell_shortcomings_remedied"], self_score_common=v["cell_self_score_common"],
        self_score_results=v["cell_self_score_results"], score_common=v["cell_score_common"],
        score_results=v["cell_score_results"])
    votes = None
    if mode == "tally":
        counts = {}
        for key, r0 in CELL_TALLY_ROWS_V1.items():
            raw = rows_cell[r0][6] if r0 < len(rows_cell) and len(rows_cell[r0]) > 6 else None
            counts[key] = rd.int_(raw, S.where(SHEET_CELL_V1, r0, 6)) or 0
        if any(counts.values()):
            votes = CellTally(tuple((lvl, counts[lvl.code]) for lvl in LEVELS), counts["invalid"])
    elif rows_cell and len(rows_cell) > 3 and _check_headers(rd, SHEET_CELL_V1, rows_cell[3], 3, CELL_HEADERS_V1):
        marks, invalid = [], []
        for r0 in range(4, len(rows_cell)):
            row = rows_cell[r0]
            mark, flag = (row[1] if len(row) > 1 else None), (row[2] if len(row) > 2 else None)
            if mark in (None, "") and flag in (None, ""):
                continue
            marks.append(rd.mark(mark, S.where(SHEET_CELL_V1, r0, 1)))
            invalid.append(str(flag).strip().casefold() == "x")
        if marks:
            votes = CellBallots(tuple(marks), tuple(invalid))
    return Collective(self_level=v["cell_self_level"], performance=perf,
                      leadership_disciplined=bool(v["cell_leadership_disciplined"]),
                      subordinate_disciplined=bool(v["cell_subordinate_disciplined"]), disunity=bool(v["cell_disunity"]),
                      exceptional_unit_approved=bool(v["cell_exceptional"]), decided_level=v["cell_decided_level"], votes=votes)


def _members(rows: list, rd: _Reader) -> list[Member]:
    table = rows[S.HEADER_ROW:]
    parsed = read_rows(table, ROSTER_V1, S.SHEET_ROSTER, S.HEADER_ROW, rd) or {}
    out = []
    from ..core.models import Attendance, Membership

    for row0, d in sorted(parsed.items()):
        if not d["name"]:
            rd.bad(d["_where"]["name"], "dòng có dữ liệu nhưng thiếu họ tên")
            continue
        perf = Performance(
            criteria_grade=_grade(d["criteria_grade"]), results_grade=_grade(d["results_grade"]),
            tasks_completed_pct=d["tasks_completed_pct"], tasks_exceeded_pct=d["tasks_exceeded_pct"],
            tasks_late_pct=d["tasks_late_pct"], on_time_with_quality=d["on_time_with_quality"],
            shortcomings_remedied=d["shortcomings_remedied"], self_score_common=d["self_score_common"],
            self_score_results=d["self_score_results"], score_common=d["score_common"], score_results=d["score_results"],
            tasks=Tasks())
        out.append(Member(
            name=d["name"], membership=Membership.parse(d["membership"] or "chinh_thuc"), role=d["role"],
            admission_date=d["admission_date"], exempt=d["exempt"], suspended=d["suspended"],
            temporarily_elsewhere=d["temporarily_elsewhere"], attendance=Attendance.parse(d["attendance"] or "co_mat"),
            absence_reason=d["absence_reason"], leadership=d["leadership"], self_level=d["self_level"], performance=perf,
            discipline=_discipline(d), degradation=d["degradation"], prohibited_acts=d["prohibited_acts"],
            example_violation=d["example_violation"], civil_service_level=d["civil_service_level"],
            sick_or_maternity=d["sick_or_maternity"], decided_level=d["decided_level"], note=d["note"],
        ))
    return out


#: How far an old workbook's sheets may reach (its capacity was at most the current one's).
_V1_BOUNDS = {S.SHEET_MEETING: (S.MEETING_LAST_ROW + 100, 20), S.SHEET_ROSTER: (S.LAST_ROW + 50, 80),
              S.SHEET_GRID: (S.GRID_LAST_ROW + 50, S.GRID_LAST_BALLOT_COL + 50),
              S.SHEET_TALLY: (S.TALLY_LAST_ROW + 50, 60), SHEET_CELL_V1: (S.MAX_BALLOTS + 60, 60)}


def _guard_layout1(p: Path) -> None:
    """Refuse an old workbook calamine must not load whole (a stray far cell, a bomb): see xlsxguard."""
    import zipfile

    from .xlsxguard import WorkbookTooLarge, inspect

    try:
        info = inspect(p, _V1_BOUNDS)
    except WorkbookTooLarge as exc:
        raise CaseFileError(f"sổ Excel {p.name}: {exc}") from None
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError, ValueError):
        raise CaseFileError(f"sổ Excel {p.name} bị hỏng (thiếu hoặc hỏng phần mô tả các sheet): hãy mở lại bản đã lưu trước đó") from None
    for name, si in info.sheets.items():
        if si.suspicious:
            raise WorkbookError([(f"{name}!{si.suspicious}", "ô có dữ liệu nằm ngoài vùng của mẫu cũ (hoặc ô ghi sai địa chỉ): "
                                                             "hãy xóa ô này trong Excel rồi chạy lại lệnh upgrade")])


def read_layout1(path: str | os.PathLike, today: Optional[date] = None) -> Case:
    """Read a layout-1 workbook as a case (raises ``WorkbookError`` / ``CaseFileError`` on bad input)."""
    from .workbook import _check_file, _open

    p = Path(path)
    _check_file(p)
    _guard_layout1(p)
    wb = _open(p)
    try:
        if not is_layout1(wb.sheet_names):
            raise CaseFileError(f"{p.name} không phải sổ theo mẫu cũ (phiên bản 1)")
        try:
            rows = {name: _sheet_rows(wb, name) for name in (S.SHEET_MEETING, S.SHEET_ROSTER, S.SHEET_GRID, S.SHEET_TALLY, SHEET_CELL_V1)}
        except Exception:
            raise CaseFileError(f"sổ Excel {p.name} bị hỏng, không đọc được") from None
    finally:
        getattr(wb, "close", lambda: None)()
    rd = _Reader(today or date.today())
    values = _meeting_values(rows[S.SHEET_MEETING], rd)
    meeting, settings, options = meeting_from(values, rd)
    v1_mode = values.get("member_vote_mode", (None,))[0]
    cell_mode = str(values.get("cell_vote_mode", ("",))[0] or "").strip().casefold()
    members = _members(rows[S.SHEET_ROSTER], rd)
    grid_rows = rows[S.SHEET_GRID][S.GRID_HEADER_ROW:]
    tally_rows = rows[S.SHEET_TALLY]
    if str(v1_mode or "").strip().casefold() in ("kiểm phiếu tay", "tally"):
        votes = _with_headers(tally_rows, TALLY_HEADERS_V1, lambda t: tally_from(t, rd), "tally")
    else:
        votes = _with_headers(grid_rows, GRID_FIXED_V1, lambda t: grid_from(t, rd, options["issued"]), "grid")
    cell = _cell_from(values, rows[SHEET_CELL_V1], "tally" if cell_mode in ("kiểm phiếu tay", "tally") else "grid", rd)
    if rd.problems:
        raise WorkbookError(rd.problems)
    return Case(meeting=meeting, members=tuple(members), member_votes=votes, party_cell=cell, rules_id=options["rules_id"],
                settings=tuple(sorted(settings.items())))


def _with_headers(rows: list, headers, read, kind: str):
    """Run the current reader on old rows: the old header texts are swapped for the current ones."""
    current, header_row = (S.TALLY_HEADERS, S.TALLY_HEADER_ROW) if kind == "tally" else (S.GRID_FIXED, 0)
    rows = [list(r) for r in rows]
    if len(rows) > header_row and [str(x).strip() for x in rows[header_row][: len(headers)]] == list(headers):
        rows[header_row] = list(current) + rows[header_row][len(headers):]
    empty = {n: [] for n in ("meeting", "roster", "scores", "criteria", "collectives", "grid", "tally", "cell")}
    return read(Tables(**{**empty, kind: rows}))
