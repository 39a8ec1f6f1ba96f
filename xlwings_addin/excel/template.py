"""Build the macro-enabled workbook from text sources (XlsxWriter), empty or filled with a case.

The same builder makes the shipped template (``workbook/xeploai.xlsm``), the filled workbook of
``import`` and the demo, so a filled workbook is exactly the template plus data. Layout comes from
``io/schema.py``; the VBA project from ``excel/vbaproject.py``. The output is deterministic: the
same input gives the same bytes.
"""

from __future__ import annotations

import io
import os
from datetime import datetime, time
from pathlib import Path
from typing import Optional

import xlsxwriter

from ..core.levels import LEVELS
from ..core.models import BallotGrid, Case, CellBallots, CellTally, Spoiled, Tally
from ..core.result import Result
from ..core.tally import Count
from ..io import schema as S
from ..io.output import Formula, results_block, warnings_block

FONT = "Times New Roman"
UDF_MODULE = "xlwings_addin.excel.udfs"
FIXED_DATE = datetime(2025, 1, 1)

# Button -> VBA Sub (Module1.bas). Captions are Vietnamese (stored as UTF-8 in the drawing).
BUTTONS = {
    "TinhKetQua": "Tính kết quả",
    "XuatBienBan": "Xuất biên bản",
    "InPhieu": "In phiếu",
    "KiemTraMoiTruong": "Kiểm tra môi trường",
}

LEVEL_FILLS = {"HTXSNV": "#C6EFCE", "HTTNV": "#DDEBF7", "HTNV": "#FFEB9C", "KHTNV": "#FFC7CE"}


def _rng(r1: int, c1: int, r2: int, c2: int, sheet: Optional[str] = None, absolute: bool = True) -> str:
    d = "$" if absolute else ""
    ref = f"{d}{S.col(c1)}{d}{r1 + 1}:{d}{S.col(c2)}{d}{r2 + 1}"
    return f"'{sheet}'!{ref}" if sheet else ref


def udf_arguments() -> str:
    """The UDF arguments: the five input blocks, in ``Tables`` order."""
    from ..io.workbook import BLOCKS

    parts = []
    for sheet, r1, r2, c2 in BLOCKS.values():
        parts.append(_rng(r1, 0, r2, c2, sheet))
    return ",".join(parts)


class _Formats:
    def __init__(self, wb):
        base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
        self.wb = wb
        self.base = wb.add_format(base)
        self.title = wb.add_format({**base, "bold": True, "font_size": 15, "font_color": "#C00000"})
        self.subtitle = wb.add_format({**base, "italic": True, "font_size": 11, "text_wrap": True, "valign": "top"})
        # A one-line note that may run across empty cells to its right (no wrap in a narrow column).
        self.note = wb.add_format({**base, "italic": True, "font_size": 11})
        self.header = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                     "align": "center", "font_size": 11})
        self.input = wb.add_format({**base, "border": 1, "border_color": "#A6A6A6"})
        self.input_wrap = wb.add_format({**base, "border": 1, "border_color": "#A6A6A6", "text_wrap": True})
        self.input_c = wb.add_format({**base, "border": 1, "border_color": "#A6A6A6", "align": "center"})
        self.date = wb.add_format({**base, "border": 1, "border_color": "#A6A6A6", "num_format": "dd/mm/yyyy", "align": "left"})
        self.time = wb.add_format({**base, "border": 1, "border_color": "#A6A6A6", "num_format": "hh:mm", "align": "left"})
        self.label = wb.add_format({**base, "bold": True, "border": 1, "border_color": "#A6A6A6", "bg_color": "#F2F2F2", "text_wrap": True})
        self.hint = wb.add_format({**base, "italic": True, "font_size": 10, "font_color": "#595959", "text_wrap": True})
        self.section = wb.add_format({**base, "bold": True, "font_color": "#1F4E78", "font_size": 10, "text_wrap": True})
        self.calc = wb.add_format({**base, "border": 1, "border_color": "#A6A6A6", "bg_color": "#F2F2F2", "align": "center", "font_size": 11})
        self.mark = wb.add_format({**base, "border": 1, "border_color": "#BFBFBF", "align": "center", "font_size": 11})
        self.mark_col = wb.add_format({**base, "align": "center", "font_size": 11})
        self.mark_border = wb.add_format({"border": 1, "border_color": "#BFBFBF"})
        self.mark_head = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center", "font_size": 10})
        self.invalid_row = wb.add_format({**base, "border": 1, "bg_color": "#FCE4D6", "align": "center", "font_size": 11})
        self.text = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.text_bold = wb.add_format({**base, "bold": True})
        self.result = wb.add_format({**base, "border": 1, "border_color": "#A6A6A6", "font_size": 11, "text_wrap": True, "valign": "top"})
        self.result_c = wb.add_format({**base, "border": 1, "border_color": "#A6A6A6", "font_size": 11, "align": "center", "valign": "top"})
        self.hidden = wb.add_format({**base, "font_color": "#808080", "font_size": 9})
        self.fills = {k: wb.add_format({"bg_color": v}) for k, v in LEVEL_FILLS.items()}
        self.grey = wb.add_format({"bg_color": "#D9D9D9", "font_color": "#808080"})
        self.bad = wb.add_format({"bg_color": "#FF7C80", "bold": True})
        self.warn = wb.add_format({"bg_color": "#F8CBAD"})
        self.error_fill = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "bold": True})
        self.warning_fill = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self.info_fill = wb.add_format({"bg_color": "#DDEBF7"})


def _list_validation(ws, r1, c1, r2, c2, choices, title: str, message: str) -> None:
    ws.data_validation(r1, c1, r2, c2, {
        "validate": "list", "source": [str(c) for c in choices],
        "error_title": title[:32], "error_message": message[:255], "error_type": "stop",
        "input_title": title[:32], "input_message": message[:255], "show_input": False,
    })


# --------------------------------------------------------------------------- sheets


GUIDE_LINES = [
    ("Chuẩn bị", [
        "1. Sheet \"Hội nghị\": nhập năm đánh giá, ngày họp, tên chi bộ, đảng bộ cấp trên, chủ trì, thư ký, đại biểu, căn cứ. "
        "Các thiết lập để trống là dùng mặc định theo quy định (ghi rõ trong biên bản).",
        "2. Sheet \"Danh sách\": mỗi dòng một đảng viên, theo thứ tự sẽ in trên phiếu. Đánh dấu x ở các cột Miễn sinh hoạt, Đình chỉ... "
        "Đảng viên dự bị ghi ngày kết nạp (chưa đủ 6 tháng thì không đánh giá).",
        "3. Bấm \"In phiếu\": phần mềm tạo tệp phiếu Word để in và điền sẵn họ tên vào lưới phiếu (đúng thứ tự trên phiếu).",
    ]),
    ("Sau khi bỏ phiếu", [
        "4. Sheet \"Phiếu đảng viên\": mỗi CỘT là một phiếu. Đọc phiếu từ trên xuống, gõ 1 = Hoàn thành xuất sắc nhiệm vụ, "
        "2 = Hoàn thành tốt nhiệm vụ, 3 = Hoàn thành nhiệm vụ, 4 = Không hoàn thành nhiệm vụ, x = dòng không hợp lệ "
        "(bỏ trống hoặc đánh nhiều ô). Phiếu không hợp lệ cả phiếu: gõ x ở dòng \"Hỏng cả phiếu\".",
        "   Các cột HTXSNV...KHTNV tự đếm bằng công thức Excel, không cần Python.",
        "   Nếu chi bộ kiểm phiếu bằng tay: chọn \"Kiểm phiếu tay\" ở sheet \"Hội nghị\" và nhập số phiếu ở sheet \"Kiểm phiếu tay\".",
        "5. Sheet \"Phiếu chi bộ\": mỗi dòng một phiếu đánh giá chi bộ (1-4, x), hoặc nhập số phiếu từng mức ở cột G nếu kiểm phiếu tay.",
        "6. Bấm \"Tính kết quả\": sheet \"Kết quả\" ghi mức đề xuất và giải thích cho từng đảng viên; sheet \"Cảnh báo\" ghi các lỗi, "
        "cảnh báo kèm đường dẫn đến ô cần xem. Phần mềm không sửa dữ liệu đã nhập và không tự thay đổi kết quả.",
        "7. Bấm \"Xuất biên bản\": biên bản hội nghị và biên bản kiểm phiếu (Word) được lưu cạnh sổ này; tệp đã có không bao giờ bị ghi đè.",
    ]),
    ("Cài đặt (một lần, cần cho các nút bấm)", [
        "Cài Python 3.11 trở lên (python.org, chọn \"Add python.exe to PATH\"), rồi mở Command Prompt và chạy: "
        "python -m pip install xlwings==0.37.8 và cài gói phần mềm này (xem README).",
        "Tệp tải về từ Internet hoặc thư điện tử: bấm chuột phải vào tệp > Properties > đánh dấu Unblock > OK, rồi mở lại và bấm Enable Content.",
        "Bấm \"Kiểm tra môi trường\" để phần mềm tự kiểm tra và hướng dẫn.",
    ]),
    ("Lưu ý", [
        "Chi bộ chỉ ĐỀ XUẤT mức xếp loại; cấp ủy cấp trên xem xét, quyết định. "
        "Tỷ lệ Hoàn thành xuất sắc nhiệm vụ tối đa 20% số Hoàn thành tốt nhiệm vụ (25% nếu được cấp có thẩm quyền cho phép, theo QĐ 366).",
        "Không đổi tên, xóa hay chèn cột vào các sheet nhập liệu; có thể thêm dòng trong giới hạn "
        f"{S.MAX_MEMBERS} đảng viên và {S.MAX_BALLOTS} phiếu.",
    ]),
]


def _guide(wb, ws, fm: _Formats) -> None:
    ws.set_column(0, 0, 3)
    ws.set_column(1, 1, 100)
    ws.hide_gridlines(2)
    ws.write(0, 1, "KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CHI BỘ VÀ ĐẢNG VIÊN", fm.title)
    ws.write(1, 1, "Theo Quy định số 124-QĐ/TW (năm đánh giá 2023, 2024) và Quy định số 366-QĐ/TW (từ năm 2025).", fm.subtitle)
    row = 3
    ws.set_row(row, 36)
    for i, name in enumerate(BUTTONS):
        ws.insert_button(row, 1, {"macro": name, "caption": BUTTONS[name], "width": 150, "height": 30,
                                  "x_offset": 4 + i * 160, "y_offset": 4})
    row = 5
    for heading, lines in GUIDE_LINES:
        ws.write(row, 1, heading.upper(), fm.text_bold)
        row += 1
        for line in lines:
            ws.write_string(row, 1, line, fm.text)
            ws.set_row(row, _wrapped_height(line, 100))
            row += 1
        row += 1
    ws.set_tab_color("#7030A0")
    ws.fit_to_pages(1, 0)


def _meeting(wb, ws, fm: _Formats, case: Optional[Case]) -> None:
    ws.set_column(0, 0, 16, fm.hidden, {"hidden": True})
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 60)
    ws.set_column(3, 3, 34)
    ws.set_column(4, 4, 60)
    ws.write(0, 1, "THÔNG TIN HỘI NGHỊ VÀ THIẾT LẬP", fm.title)
    ws.write(1, 1, "Nhập ở cột C (và cột D cho chức vụ). Không chèn hay xóa dòng ở sheet này.", fm.note)
    ws.write_row(S.MEETING_FIRST_ROW - 1, 0, ["Khóa", "Nội dung", "Giá trị", "Chức vụ / ghi thêm", "Hướng dẫn"], fm.header)
    values = _meeting_values(case) if case else {}
    for f in S.MEETING_FIELDS:
        r = S.MEETING_FIELD_ROWS[f.key]
        ws.write_string(r, 0, f.key, fm.hidden)
        ws.write_string(r, 1, f.label, fm.label)
        hint = (f"[{f.section}] " if f.section else "") + f.hint
        ws.write_string(r, 4, hint, fm.hint)
        value, value2 = values.get(f.key, (None, None))
        if f.key.startswith("basis_"):
            ws.set_row(r, 48)  # legal basis lines are long; spreadsheet programs do not grow rows by themselves
        _write_input(ws, r, 2, value, f.kind, fm, wrap=True)
        _write_input(ws, r, 3, value2, "text", fm, wrap=True)
        if f.choices:
            _list_validation(ws, r, 2, r, 2, [c[0] for c in f.choices], f.label, "Chọn trong danh sách.")
        elif f.kind == "bool":
            _list_validation(ws, r, 2, r, 2, ["x"], f.label, "Nhập x nếu có, để trống nếu không.")
        elif f.kind == "tribool":
            _list_validation(ws, r, 2, r, 2, ["x", "không"], f.label, "x = có; không = không; để trống nếu chưa đánh giá.")
        elif f.kind == "int" and f.key == "review_year":
            ws.data_validation(r, 2, r, 2, {"validate": "integer", "criteria": "between", "minimum": 2023, "maximum": 2100,
                                            "error_message": "Năm đánh giá từ 2023 trở đi."})
        elif f.kind == "date":
            ws.data_validation(r, 2, r, 2, {"validate": "date", "criteria": ">", "value": datetime(2000, 1, 1),
                                            "error_message": "Nhập ngày dạng ngày/tháng/năm."})
    ws.freeze_panes(S.MEETING_FIRST_ROW, 2)
    ws.set_tab_color("#2F75B5")
    ws.fit_to_pages(1, 0)
    ws.set_landscape()


def _write_input(ws, r, c, value, kind, fm: _Formats, wrap: bool = False) -> None:
    text_fmt = fm.input_wrap if wrap else fm.input
    if value is None or value == "":
        fmt = fm.date if kind == "date" else fm.time if kind == "time" else text_fmt
        ws.write_blank(r, c, None, fmt)
    elif kind == "date":
        ws.write_datetime(r, c, datetime.combine(value, time()), fm.date)
    elif kind == "time":
        ws.write_datetime(r, c, value, fm.time)
    elif isinstance(value, bool):
        ws.write_string(r, c, "x" if value else "", fm.input_c)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fm.input)
    else:
        ws.write_string(r, c, str(value), text_fmt)


def _label_for(choices, key) -> str:
    for label, k in choices:
        if k == key:
            return label
    return str(key)


def _num(v):
    if v is None:
        return None
    return int(v) if v.denominator == 1 else float(v)


def _tri(v):
    return None if v is None else ("x" if v else "không")


def _meeting_values(case: Case) -> dict:
    m, c = case.meeting, case.party_cell
    fields = {f.key: f for f in S.MEETING_FIELDS}
    out = {
        "review_year": (m.review_year, None), "date": (m.date, None), "start_time": (m.start_time, None),
        "end_time": (m.end_time, None), "party_cell": (m.party_cell, None), "upper_body": (m.upper_body, None),
        "upper_committee": (m.upper_committee, None), "locality": (m.locality, None), "place": (m.place, None),
        "chair": (m.chair.name, m.chair.title), "secretary": (m.secretary.name, m.secretary.title),
        "voting_method": (m.voting_method, None), "document_number": (m.document_number, None),
        "special_unit": ("x" if m.special_unit else None, None),
    }
    for i, p in enumerate(m.guests[:3]):
        out[f"guest_{i + 1}"] = (p.name, p.title)
    for i, p in enumerate(m.vote_counters[:3]):
        out[f"counter_{i + 1}"] = (p.name, p.title)
    for i, line in enumerate(m.legal_basis[:5]):
        out[f"basis_{i + 1}"] = (line, None)
    out["member_vote_mode"] = (_label_for(S.VOTE_MODES, "tally" if isinstance(case.member_votes, Tally) else "grid"), None)
    out["cell_vote_mode"] = (_label_for(S.VOTE_MODES, "tally" if isinstance(case.party_cell.votes, CellTally) else "grid"), None)
    if isinstance(case.member_votes, BallotGrid) and case.member_votes.issued is not None:
        out["issued"] = (case.member_votes.issued, None)
    p = c.performance
    out.update({
        "cell_self_level": (c.self_level.code if c.self_level else None, None),
        "cell_self_score_common": (_num(p.self_score_common), None), "cell_self_score_results": (_num(p.self_score_results), None),
        "cell_score_common": (_num(p.score_common), None), "cell_score_results": (_num(p.score_results), None),
        "cell_criteria_grade": (p.criteria_grade.label if p.criteria_grade else None, None),
        "cell_results_grade": (p.results_grade.label if p.results_grade else None, None),
        "cell_tasks_completed_pct": (_num(p.tasks_completed_pct), None),
        "cell_tasks_exceeded_pct": (_num(p.tasks_exceeded_pct), None),
        "cell_tasks_late_pct": (_num(p.tasks_late_pct), None),
        "cell_on_time_with_quality": (_tri(p.on_time_with_quality), None),
        "cell_shortcomings_remedied": (_tri(p.shortcomings_remedied), None),
        "cell_leadership_disciplined": ("x" if c.leadership_disciplined else None, None),
        "cell_subordinate_disciplined": ("x" if c.subordinate_disciplined else None, None),
        "cell_disunity": ("x" if c.disunity else None, None),
        "cell_exceptional": ("x" if c.exceptional_unit_approved else None, None),
        "cell_decided_level": (c.decided_level.code if c.decided_level else None, None),
    })
    if case.rules_id:
        out["rules_id"] = (_label_for(fields["rules_id"].choices, case.rules_id), None)
    for key, value in case.settings:
        if key in fields:
            out[key] = (_label_for(fields[key].choices, value), None)
    return out


def _roster_row(m) -> list:
    p = m.performance
    d = m.discipline
    values = {
        "name": m.name, "membership": _label_for(S.MEMBERSHIP_CHOICES, m.membership.key), "role": m.role,
        "admission_date": m.admission_date, "attendance": _label_for(S.ATTENDANCE_CHOICES, m.attendance.key),
        "absence_reason": m.absence_reason, "exempt": m.exempt, "suspended": m.suspended,
        "temporarily_elsewhere": m.temporarily_elsewhere, "leadership": m.leadership,
        "self_level": m.self_level.code if m.self_level else None,
        "self_score_common": _num(p.self_score_common), "self_score_results": _num(p.self_score_results),
        "score_common": _num(p.score_common), "score_results": _num(p.score_results),
        "criteria_grade": p.criteria_grade.label if p.criteria_grade else None,
        "results_grade": p.results_grade.label if p.results_grade else None,
        "tasks_completed_pct": _num(p.tasks_completed_pct), "tasks_exceeded_pct": _num(p.tasks_exceeded_pct),
        "tasks_late_pct": _num(p.tasks_late_pct), "on_time_with_quality": _tri(p.on_time_with_quality),
        "shortcomings_remedied": _tri(p.shortcomings_remedied),
        "discipline_form": _label_for(S.DISCIPLINE_CHOICES, d.form.key) if d else None,
        "discipline_duty": ("x" if d.duty_related else "không") if d else None,
        "discipline_remedied": d.self_detected_remedied if d else False,
        "degradation": m.degradation, "prohibited_acts": m.prohibited_acts, "example_violation": m.example_violation,
        "civil_service_level": m.civil_service_level.code if m.civil_service_level else None,
        "sick_or_maternity": m.sick_or_maternity, "decided_level": m.decided_level.code if m.decided_level else None,
        "note": m.note,
    }
    return [values.get(c.key) for c in S.ROSTER_COLUMNS]


def _roster(wb, ws, fm: _Formats, case: Optional[Case]) -> None:
    cols = S.ROSTER_COLUMNS
    ws.write(0, 0, "DANH SÁCH ĐẢNG VIÊN CỦA CHI BỘ", fm.title)
    ws.write(1, 0, "Mỗi dòng một đảng viên, theo thứ tự in trên phiếu. Các cột có dấu x: gõ x nếu có. "
                   "Các cột từ \"Tự nhận mức\" trở đi để trống nếu không có.", fm.note)
    for i, c in enumerate(cols):
        ws.set_column(i, i, c.width)
    first, last = S.ROSTER_FIRST_ROW, S.ROSTER_LAST_ROW
    rows = [_roster_row(m) for m in case.members] if case else []
    data = []
    for i in range(S.MAX_MEMBERS):
        row = rows[i] if i < len(rows) else [None] * len(cols)
        data.append(row)
    ws.add_table(S.ROSTER_HEADER_ROW, 0, last, len(cols) - 1, {
        "name": "DanhSachDangVien", "style": "Table Style Light 1", "autofilter": False,
        "columns": [{"header": c.header, "header_format": fm.header} for c in cols],
    })
    ws.set_row(S.ROSTER_HEADER_ROW, 48)
    for i in range(S.MAX_MEMBERS):
        r = first + i
        ws.write_formula(r, 0, f'=IF(B{r + 1}="","",ROW()-{first})', fm.calc, i + 1 if i < len(rows) else "")
        for j, c in enumerate(cols[1:], start=1):
            value = data[i][j]
            kind = c.kind
            if kind == "bool":
                value = "x" if value else None
            _write_input(ws, r, j, value, "date" if kind == "date" else "text", fm)
    for j, c in enumerate(cols):
        if c.choices:
            _list_validation(ws, first, j, last, j, [x[0] for x in c.choices], c.header, "Chọn trong danh sách.")
        elif c.kind == "bool":
            _list_validation(ws, first, j, last, j, ["x"], c.header, "Gõ x nếu có, để trống nếu không.")
        elif c.kind == "tribool":
            _list_validation(ws, first, j, last, j, ["x", "không"], c.header, "x = có; không = không; trống = chưa đánh giá.")
        elif c.kind == "number":
            ws.data_validation(first, j, last, j, {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
                                                   "error_message": "Nhập số từ 0 đến 100."})
        elif c.kind == "date":
            ws.data_validation(first, j, last, j, {"validate": "date", "criteria": ">", "value": datetime(1930, 1, 1),
                                                   "error_message": "Nhập ngày dạng ngày/tháng/năm."})
    ex, su = S.col(S.ROSTER_INDEX["exempt"]), S.col(S.ROSTER_INDEX["suspended"])
    ws.conditional_format(first, 0, last, len(cols) - 1, {
        "type": "formula", "criteria": f'=OR(${ex}{first + 1}="x",${su}{first + 1}="x")', "format": fm.grey})
    ws.freeze_panes(first, 2)
    ws.set_tab_color("#2F75B5")
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(S.ROSTER_HEADER_ROW)
    ws.print_area(0, 0, first + max(len(rows), 20) - 1, 6)


def _grid(wb, ws, fm: _Formats, case: Optional[Case], counts: dict) -> None:
    grid = case.member_votes if case and isinstance(case.member_votes, BallotGrid) else None
    first, last = S.GRID_FIRST_ROW, S.GRID_LAST_ROW
    b1, b2 = S.GRID_FIRST_BALLOT_COL, S.GRID_LAST_BALLOT_COL
    L = S.col
    ws.write(0, 0, "LƯỚI PHIẾU ĐÁNH GIÁ ĐẢNG VIÊN", fm.title)
    ws.merge_range(1, 0, 2, b1 + 14, "Mỗi CỘT là một phiếu, đọc từ trên xuống: 1 = HTXSNV, 2 = HTTNV, 3 = HTNV, 4 = KHTNV, "
                   "x = dòng không hợp lệ (bỏ trống hoặc đánh nhiều ô). Phiếu không hợp lệ cả phiếu: gõ x ở dòng 5. "
                   "Các cột C-H tự đếm (công thức Excel); ô tô đỏ là giá trị sai, cột xám là phiếu hỏng.", fm.subtitle)
    ws.set_row(1, 20)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 5, 8)
    ws.set_column(6, 7, 8)
    # Ballot cells take their look from the column and a border rule, not from 160 000 written cells:
    # the file stays small and opens fast.
    ws.set_column(b1, b2, 4.2, fm.mark_col)
    ws.write_row(S.GRID_HEADER_ROW, 0, S.GRID_FIXED, fm.header)
    ws.set_row(S.GRID_HEADER_ROW, 32)
    ballots = grid.ballots if grid else ()
    for j in range(S.MAX_BALLOTS):
        c = b1 + j
        label = ballots[j].id if j < len(ballots) else str(j + 1)
        ws.write_string(S.GRID_HEADER_ROW, c, label, fm.mark_head)
        if j < len(ballots) and ballots[j].invalid:
            ws.write_string(S.GRID_INVALID_ROW, c, "x", fm.invalid_row)
        else:
            ws.write_blank(S.GRID_INVALID_ROW, c, None, fm.invalid_row)
        col_range = f"{L(c)}{first + 1}:{L(c)}{last + 1}"
        typed = sum(1 for m in ballots[j].marks if m is not None) if j < len(ballots) else 0
        ws.write_formula(S.GRID_FILLED_ROW, c, f'=IF(COUNTA({col_range})=0,"",COUNTA({col_range}))', fm.calc, typed or "")
    # Labels without merged cells: the reader refuses merges inside input blocks.
    for r, label in ((S.GRID_INVALID_ROW, S.GRID_INVALID_LABEL), (S.GRID_FILLED_ROW, S.GRID_FILLED_LABEL)):
        ws.write_blank(r, 0, None, fm.label)
        ws.write_string(r, 1, label, fm.label)
        for c in range(2, b1):
            ws.write_blank(r, c, None, fm.label)
    names = list(grid.order) if grid else []
    inv = f"${L(b1)}${S.GRID_INVALID_ROW + 1}:${L(b2)}${S.GRID_INVALID_ROW + 1}"
    for i in range(S.MAX_MEMBERS):
        r = first + i
        R = r + 1
        name = names[i] if i < len(names) else None
        ws.write_formula(r, 0, f'=IF(B{R}="","",ROW()-{first})', fm.calc, i + 1 if name else "")
        _write_input(ws, r, 1, name, "text", fm)
        marks = f"${L(b1)}{R}:${L(b2)}{R}"
        count: Optional[Count] = counts.get(name) if name else None
        for k, lvl in enumerate(LEVELS):
            ws.write_formula(r, 2 + k, f'=IF($B{R}="","",COUNTIFS({marks},{lvl.digit},{inv},"<>x"))', fm.calc,
                             count.of(lvl) if count else "")
        explicit_x = sum(1 for b in ballots if not b.invalid and i < len(b.marks) and isinstance(b.marks[i], Spoiled)) if name else 0
        typed = sum(1 for b in ballots if i < len(b.marks) and b.marks[i] is not None) if name else 0
        ws.write_formula(r, 6, f'=IF($B{R}="","",COUNTIFS({marks},"x",{inv},"<>x"))', fm.calc, explicit_x if name else "")
        ws.write_formula(r, 7, f'=IF($B{R}="","",COUNTA({marks}))', fm.calc, typed if name else "")
        for j in range(S.MAX_BALLOTS):
            mark = ballots[j].marks[i] if (name and j < len(ballots) and i < len(ballots[j].marks)) else None
            if mark is None:
                continue
            elif isinstance(mark, Spoiled):
                ws.write_string(r, b1 + j, "x", fm.mark)
            else:
                ws.write_number(r, b1 + j, mark.digit, fm.mark)
    ws.data_validation(first, b1, last, b2, {
        "validate": "list", "source": ["1", "2", "3", "4", "x"], "error_title": "Giá trị không hợp lệ",
        "error_message": "Chỉ nhập 1, 2, 3, 4 hoặc x (dòng không hợp lệ).", "error_type": "stop"})
    _list_validation(ws, S.GRID_INVALID_ROW, b1, S.GRID_INVALID_ROW, b2, ["x"], "Hỏng cả phiếu",
                     "Gõ x nếu cả phiếu không hợp lệ.")
    ws.conditional_format(first, b1, last, b2, {"type": "formula", "criteria": "=TRUE", "format": fm.mark_border})
    top = f"{L(b1)}{first + 1}"
    ws.conditional_format(first, b1, last, b2, {
        "type": "formula", "criteria": f'=AND({top}<>"",{top}<>1,{top}<>2,{top}<>3,{top}<>4,LOWER({top})<>"x")',
        "format": fm.bad, "stop_if_true": True})
    ws.conditional_format(first, b1, last, b2, {
        "type": "formula", "criteria": f'=LOWER({L(b1)}${S.GRID_INVALID_ROW + 1})="x"', "format": fm.grey})
    filled = f"{L(b1)}{S.GRID_FILLED_ROW + 1}"
    ws.conditional_format(S.GRID_FILLED_ROW, b1, S.GRID_FILLED_ROW, b2, {
        "type": "formula", "criteria": f'=AND({filled}<>"",{filled}<>COUNTA($B${first + 1}:$B${last + 1}))', "format": fm.warn})
    ws.freeze_panes(first, b1)
    ws.set_tab_color("#00B050")
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(S.GRID_HEADER_ROW)
    # Print only what is in use (at least a 20 x 20 block), not the 400 x 400 capacity.
    ws.print_area(0, 0, first + max(len(names), 20) - 1, b1 + max(len(ballots), 20) - 1)


def _tally(wb, ws, fm: _Formats, case: Optional[Case]) -> None:
    tally = case.member_votes if case and isinstance(case.member_votes, Tally) else None
    ws.write(0, 0, "KIỂM PHIẾU TAY (chỉ dùng khi chọn \"Kiểm phiếu tay\" ở sheet Hội nghị)", fm.title)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 28)
    ws.set_column(2, 7, 11)
    for (r, c), label, value in ((S.TALLY_ISSUED, "Số phiếu phát ra", tally.issued if tally else None),
                                 (S.TALLY_RETURNED, "Số phiếu thu về", tally.returned if tally else None),
                                 (S.TALLY_INVALID, "Số phiếu không hợp lệ (cả phiếu)", tally.invalid if tally else None)):
        ws.write_string(r, c - 1, label, fm.label)
        _write_input(ws, r, c, value, "text", fm)
        ws.data_validation(r, c, r, c, {"validate": "integer", "criteria": ">=", "value": 0, "error_message": "Nhập số nguyên không âm."})
    ws.write_row(S.TALLY_HEADER_ROW, 0, S.TALLY_HEADERS, fm.header)
    rows = list(tally.rows) if tally else []
    ret = f"$C${S.TALLY_RETURNED[0] + 1}"
    bad = f"$C${S.TALLY_INVALID[0] + 1}"
    for i in range(S.MAX_MEMBERS):
        r = S.TALLY_FIRST_ROW + i
        R = r + 1
        row = rows[i] if i < len(rows) else None
        ws.write_formula(r, 0, f'=IF(B{R}="","",ROW()-{S.TALLY_FIRST_ROW})', fm.calc, i + 1 if row else "")
        _write_input(ws, r, 1, row.name if row else None, "text", fm)
        values = [row.count(lvl) for lvl in LEVELS] + [row.spoiled] if row else [None] * 5
        for k, v in enumerate(values):
            _write_input(ws, r, 2 + k, v, "text", fm)
        ws.write_formula(r, 7, f'=IF(B{R}="","",SUM(C{R}:G{R}))', fm.calc, sum(values) if row else "")
    first, last = S.TALLY_FIRST_ROW, S.TALLY_LAST_ROW
    ws.data_validation(first, 2, last, 6, {"validate": "integer", "criteria": ">=", "value": 0,
                                           "error_message": "Nhập số phiếu (số nguyên không âm)."})
    ws.conditional_format(first, 7, last, 7, {"type": "formula",
                                              "criteria": f'=AND(H{first + 1}<>"",H{first + 1}<>{ret}-{bad})', "format": fm.bad})
    ws.freeze_panes(first, 2)
    ws.set_tab_color("#00B050")


def _cell_sheet(wb, ws, fm: _Formats, case: Optional[Case]) -> None:
    votes = case.party_cell.votes if case else None
    first, last = S.CELL_FIRST_ROW, S.CELL_LAST_ROW
    ws.write(0, 0, "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHI BỘ", fm.title)
    ws.write(1, 0, "Mỗi dòng một phiếu: gõ mức 1-4 (hoặc x nếu không hợp lệ). Nếu kiểm phiếu tay: nhập số phiếu từng mức ở cột G.", fm.note)
    ws.set_column(0, 2, 14)
    ws.set_column(3, 4, 3)
    ws.set_column(5, 5, 30)
    ws.set_column(6, 7, 14)
    ws.write_row(S.CELL_HEADER_ROW, 0, S.CELL_HEADERS, fm.header)
    ballots = votes if isinstance(votes, CellBallots) else None
    for i in range(S.MAX_BALLOTS):
        r = first + i
        mark = ballots.marks[i] if ballots and i < len(ballots.marks) else None
        bad = ballots.invalid[i] if ballots and i < len(ballots.invalid) else False
        number = i + 1 if ballots and i < len(ballots.marks) else None
        _write_input(ws, r, 0, number, "text", fm)
        if isinstance(mark, Spoiled):
            ws.write_string(r, 1, "x", fm.input_c)
        elif mark is not None:
            ws.write_number(r, 1, mark.digit, fm.input_c)
        else:
            ws.write_blank(r, 1, None, fm.input_c)
        _write_input(ws, r, 2, "x" if bad else None, "text", fm)
    ws.data_validation(first, 1, last, 1, {"validate": "list", "source": ["1", "2", "3", "4", "x"],
                                           "error_message": "Chỉ nhập 1, 2, 3, 4 hoặc x."})
    _list_validation(ws, first, 2, last, 2, ["x"], "Hỏng cả phiếu", "Gõ x nếu phiếu không hợp lệ.")
    c0 = S.CELL_TALLY_COL
    ws.write_row(S.CELL_HEADER_ROW, c0, ["Tổng hợp", "Kiểm phiếu tay", "Đếm từ phiếu"], fm.header)
    tally = votes if isinstance(votes, CellTally) else None
    labels = {"HTXSNV": "Hoàn thành xuất sắc nhiệm vụ", "HTTNV": "Hoàn thành tốt nhiệm vụ", "HTNV": "Hoàn thành nhiệm vụ",
              "KHTNV": "Không hoàn thành nhiệm vụ", "invalid": "Phiếu không hợp lệ"}
    marks_rng = f"$B${first + 1}:$B${last + 1}"
    bad_rng = f"$C${first + 1}:$C${last + 1}"
    counted = {lvl.code: 0 for lvl in LEVELS}
    counted["invalid"] = 0
    if ballots:
        for mark, flag in zip(ballots.marks, list(ballots.invalid) + [False] * len(ballots.marks)):
            if flag:
                counted["invalid"] += 1
            elif mark is not None and not isinstance(mark, Spoiled):
                counted[mark.code] += 1
    for key, r in S.CELL_TALLY_ROWS.items():
        ws.write_string(r, c0, labels[key], fm.label)
        value = (tally.count(next(l for l in LEVELS if l.code == key)) if key != "invalid" else tally.invalid) if tally else None
        _write_input(ws, r, c0 + 1, value, "text", fm)
        if key == "invalid":
            formula = f'=COUNTIF({bad_rng},"x")'
        else:
            digit = next(l.digit for l in LEVELS if l.code == key)
            formula = f'=COUNTIFS({marks_rng},{digit},{bad_rng},"<>x")'
        ws.write_formula(r, c0 + 2, formula, fm.calc, counted[key])
    ws.freeze_panes(first, 0)
    ws.set_tab_color("#00B050")


def _results(wb, ws, fm: _Formats, case: Optional[Case], result: Optional[Result]) -> None:
    for i, w in enumerate(S.RESULTS_WIDTHS):
        ws.set_column(i, i, w)
    ws.set_row(S.RESULTS_HEADER_ROW, 30)
    if result is None:
        ws.write(0, 0, "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI", fm.title)
        ws.write(1, 0, "Bấm \"Tính kết quả\" để điền sheet này (cần Python và xlwings). Dữ liệu nhập không bị thay đổi.", fm.note)
        ws.write_row(S.RESULTS_HEADER_ROW, 0, S.RESULTS_HEADERS, fm.header)
    else:
        block = results_block(result, case.meeting.party_cell if case else "")
        for r, row in enumerate(block):
            if r < S.RESULTS_HEADER_ROW:
                if row[0]:
                    ws.write_string(r, 0, str(row[0]), fm.title if r == 0 else fm.base)
                continue
            fmt_row = fm.header if r == S.RESULTS_HEADER_ROW else None
            for c, value in enumerate(row):
                _write_out(ws, r, c, value, fmt_row or (fm.result if c in (1, 3, 16, 17) else fm.result_c))
    for code, fmt in fm.fills.items():
        ws.conditional_format(S.RESULTS_FIRST_ROW, S.RESULTS_PROPOSAL_COL, S.RESULTS_FIRST_ROW + S.OUTPUT_MAX_ROWS,
                              S.RESULTS_PROPOSAL_COL, {"type": "cell", "criteria": "==", "value": f'"{code}"', "format": fmt})
    ws.insert_button(0, 13, {"macro": "TinhKetQua", "caption": BUTTONS["TinhKetQua"], "width": 150, "height": 30})
    ws.insert_button(0, 16, {"macro": "XuatBienBan", "caption": BUTTONS["XuatBienBan"], "width": 150, "height": 30})
    ws.freeze_panes(S.RESULTS_FIRST_ROW, 2)
    ws.set_tab_color("#C00000")
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(S.RESULTS_HEADER_ROW)
    n = len(result.members) + 1 if result else 20
    ws.print_area(0, 0, S.RESULTS_FIRST_ROW + n - 1, len(S.RESULTS_HEADERS) - 1)


def _wrapped_height(text: str, width_chars: float, line_pt: float = 15.5) -> float:
    """Row height for wrapped text: spreadsheet programs do not grow rows written from a file."""
    lines = max(1, -(-len(text) // int(width_chars * 1.05)))
    return lines * line_pt


def _write_out(ws, r, c, value, fmt) -> None:
    if isinstance(value, Formula):
        text = str(value)
        shown = text.split(",")[-1].strip(')"') if "HYPERLINK" in text else ""
        ws.write_formula(r, c, text, fmt, shown)
    elif isinstance(value, bool):
        ws.write_string(r, c, "x" if value else "", fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt)
    elif value is None or value == "":
        ws.write_blank(r, c, None, fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


def _warnings(wb, ws, fm: _Formats, result: Optional[Result]) -> None:
    for i, w in enumerate(S.WARNINGS_WIDTHS):
        ws.set_column(i, i, w)
    ws.write(0, 0, "CẢNH BÁO VÀ LƯU Ý", fm.title)
    ws.write(1, 0, "Lỗi: kết quả chưa dùng được, cần sửa dữ liệu. Cảnh báo: cần xem xét. Lưu ý: để biết. Bấm vào cột Vị trí để đến ô liên quan.", fm.note)
    block = warnings_block(result) if result else [list(S.WARNINGS_HEADERS)]
    for i, row in enumerate(block):
        r = S.WARNINGS_HEADER_ROW + i
        for c, value in enumerate(row):
            _write_out(ws, r, c, value, fm.header if i == 0 else (fm.result if c == 2 else fm.result_c))
        if i:
            ws.set_row(r, _wrapped_height(str(row[2]), S.WARNINGS_WIDTHS[2]))
    rng = (S.WARNINGS_FIRST_ROW, 0, S.WARNINGS_FIRST_ROW + 500, 0)
    for text, fmt in (("Lỗi", fm.error_fill), ("Cảnh báo", fm.warning_fill), ("Lưu ý", fm.info_fill)):
        ws.conditional_format(*rng, {"type": "cell", "criteria": "==", "value": f'"{text}"', "format": fmt})
    ws.freeze_panes(S.WARNINGS_FIRST_ROW, 0)
    ws.set_tab_color("#C00000")
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _live(wb, ws, fm: _Formats) -> None:
    ws.write(0, 0, "XEM NHANH (tính trực tiếp bằng hàm Python)", fm.title)
    ws.write(1, 0, "Hai bảng dưới đây tự tính lại khi dữ liệu thay đổi; cần Python và xlwings (Excel 365 tự mở rộng bảng). "
                   "Kết quả chính thức để in là sheet \"Kết quả\".", fm.note)
    ws.set_column(0, 0, 26)
    ws.set_column(1, 6, 10)
    ws.set_column(7, 7, 60)
    ws.set_column(9, 9, 10)
    ws.set_column(10, 10, 28)
    ws.set_column(11, 11, 80)
    args = udf_arguments()
    ws.write_dynamic_array_formula(4, 0, 4, 0, f"=XEPLOAI_KETQUA({args})", fm.base, "")
    ws.write_dynamic_array_formula(4, 9, 4, 9, f"=XEPLOAI_CANHBAO({args})", fm.base, "")
    ws.set_tab_color("#FFC000")


def _conf(wb, ws) -> None:
    for i, (key, value) in enumerate(S.CONF):
        ws.write_string(i, 0, key)
        if value:
            ws.write_string(i, 1, value)
    ws.hide()


def vba_project_bytes() -> bytes:
    """Our VBA project: xlwings' shipped project with Module1 replaced (see vbaproject.py)."""
    from .vbaproject import build_vba_project, module1_source

    return build_vba_project(module1_source(UDF_MODULE))


def build_workbook(path: str | os.PathLike, case: Optional[Case] = None, result: Optional[Result] = None,
                   vba: Optional[bytes] = None, cached_counts: bool = True) -> Path:
    """Write the workbook to ``path`` (overwriting: callers choose a fresh name).

    ``cached_counts=False`` leaves the count formulas without cached results, so a test can prove
    that a spreadsheet program computes them itself.
    """
    out = Path(path)
    counts: dict = {}
    if cached_counts and case is not None and isinstance(case.member_votes, BallotGrid):
        from ..core.tally import count_grid

        roster = {m.name: m for m in case.members}
        reviewed = [roster[n] for n in case.member_votes.order if n in roster]
        counts, _ = count_grid(case.member_votes, reviewed, roster, [])
    wb = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": "Kiểm điểm, đánh giá, xếp loại chất lượng chi bộ, đảng viên", "created": FIXED_DATE,
                       "author": "", "comments": "Tạo bởi xlwings_addin"})
    wb.set_vba_name("ThisWorkbook")
    wb.add_vba_project(io.BytesIO(vba if vba is not None else vba_project_bytes()), is_stream=True)
    fm = _Formats(wb)
    sheets = {name: wb.add_worksheet(name) for name in S.ALL_SHEETS}
    for i, ws in enumerate(sheets.values()):
        ws.set_vba_name(f"Sheet{i + 1}")
    _guide(wb, sheets[S.SHEET_GUIDE], fm)
    _meeting(wb, sheets[S.SHEET_MEETING], fm, case)
    _roster(wb, sheets[S.SHEET_ROSTER], fm, case)
    _grid(wb, sheets[S.SHEET_GRID], fm, case, counts)
    _tally(wb, sheets[S.SHEET_TALLY], fm, case)
    _cell_sheet(wb, sheets[S.SHEET_CELL], fm, case)
    _results(wb, sheets[S.SHEET_RESULTS], fm, case, result)
    _warnings(wb, sheets[S.SHEET_WARNINGS], fm, result)
    _live(wb, sheets[S.SHEET_LIVE], fm)
    _conf(wb, sheets[S.SHEET_CONF])
    sheets[S.SHEET_GUIDE].activate()
    wb.close()
    return out
