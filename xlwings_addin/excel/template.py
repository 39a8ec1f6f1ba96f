"""Build the macro-enabled workbook from text sources (XlsxWriter), empty or filled with a case.

The same builder makes the shipped template (``workbook/xeploai.xlsm``), the filled workbooks of
``import``, ``upgrade`` and the demo, so a filled workbook is exactly the template plus data.
Layout comes from ``io/schema.py``; the VBA project from ``excel/vbaproject.py``. The output is
deterministic: the same input gives the same bytes.

The zero-install floor: without Python the workbook still checks typing (data validation), counts
the ballots, adds up the scores and shows the score bands with native formulas, and colours them.
"""

from __future__ import annotations

import io
import os
from datetime import datetime, time
from fractions import Fraction
from pathlib import Path
from typing import Optional

import re

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..core.levels import LEVELS
from ..core.models import BallotGrid, Case, CellBallots, CellHands, CellTally, Hands, Spoiled, Tally
from ..core.result import Result
from ..core.tally import Count
from ..io import schema as S
from ..io.output import Formula, results_block, summary_block, warnings_block

FONT = "Times New Roman"
UDF_MODULE = "xlwings_addin.excel.udfs"
FIXED_DATE = datetime(2025, 1, 1)

# Button -> VBA Sub (Module1.bas). Captions are Vietnamese (stored as UTF-8 in the drawing).
BUTTONS = {
    "TinhKetQua": "Tính kết quả",
    "XuatBienBan": "Xuất biên bản",
    "XuatHoSo": "Xuất hồ sơ gửi cấp ủy",
    "InPhieu": "In phiếu",
    "KiemTraMoiTruong": "Kiểm tra môi trường",
}

LEVEL_FILLS = {"HTXSNV": "#C6EFCE", "HTTNV": "#DDEBF7", "HTNV": "#FFEB9C", "KHTNV": "#FFC7CE"}
#: Rows shown (and printed) in an empty template, before the secretary adds more.
EMPTY_ROWS = 20


def _rng(r1: int, c1: int, r2: int, c2: int, sheet: Optional[str] = None, absolute: bool = True) -> str:
    d = "$" if absolute else ""
    ref = f"{d}{S.col(c1)}{d}{r1 + 1}:{d}{S.col(c2)}{d}{r2 + 1}"
    return f"'{sheet}'!{ref}" if sheet else ref


def udf_arguments() -> str:
    """The UDF arguments: the input blocks in ``Tables`` order, each cut to its data by the extents.

    ``A4:INDEX(A4:Q1004, 1 + rows, 17)`` is a reference (not volatile like OFFSET) that grows with
    the data, so a recalculation sends Python the roster, not the 1000-row capacity.
    """
    from ..io.workbook import BLOCKS
    from ..io.schema import EXTENTS

    meeting = f"'{S.SHEET_MEETING}'!"
    ext = {k: f"{meeting}${S.col(S.EXTENT_COL)}${i + 1}" for i, k in enumerate(EXTENTS)}
    rows = {"roster": f"1+MAX({ext['roster_rows']},0)", "scores": f"1+MAX({ext['roster_rows']},{ext['scores_rows']})",
            "criteria": f"1+MAX({ext['roster_rows']},{ext['criteria_rows']})",
            "grid": f"{S.GRID_FIRST_ROW - S.GRID_HEADER_ROW}+{ext['grid_rows']}",
            "tally": f"{S.TALLY_FIRST_ROW}+{ext['tally_rows']}"}
    cols = {"grid": f"{S.GRID_FIRST_BALLOT_COL}+{ext['grid_cols']}", "cell": f"{S.CELL_FIRST_BALLOT_COL}+{ext['cell_cols']}"}
    parts = []
    for key, (sheet, r1, r2, c2) in BLOCKS.items():
        full = _rng(r1, 0, r2, c2)
        if key in rows or key in cols:
            n_rows = rows.get(key, str(r2 - r1 + 1))
            n_cols = cols.get(key, str(c2 + 1))
            first = f"${S.col(0)}${r1 + 1}"
            parts.append(f"'{sheet}'!{first}:INDEX('{sheet}'!{full},{n_rows},{n_cols})")
        else:
            parts.append(_rng(r1, 0, r2, c2, sheet))
    return ",".join(parts)


_DYNAMIC = re.compile(r"\b(ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK|LAMBDA|MAKEARRAY|MAP|"
                      r"RANDARRAY|REDUCE|SCAN|SINGLE|SEQUENCE|SORT|SORTBY|SWITCH|TAKE|TEXTSPLIT|TOCOL|TOROW|UNIQUE|VSTACK|"
                      r"WRAPCOLS|WRAPROWS|XLOOKUP)\(")


_ERROR_TEXTS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"}


class _Sheet(Worksheet):
    """XlsxWriter's worksheet with a fast path for formulas that use no dynamic-array function.

    XlsxWriter runs about thirty regular expressions over every formula to add the "_xlfn." prefix
    of Excel 365 functions; the template writes some 30 000 formulas of the classic kind, where one
    combined search tells that nothing needs the prefix (the build was two thirds regex work).
    """

    def _write_formula(self, row, col, formula, cell_format=None, value=0):
        # XlsxWriter stores a cached text result that spells an error ("#N/A", a chi bộ so named) as
        # an error value, which the reader then refuses; leave it blank for the spreadsheet to compute.
        if isinstance(value, str) and value.strip().upper() in _ERROR_TEXTS:
            value = ""
        return super()._write_formula(row, col, formula, cell_format, value)

    def _prepare_formula(self, formula, expand_future_functions=False):
        if _DYNAMIC.search(formula) or self.use_future_functions or expand_future_functions:
            return super()._prepare_formula(formula, expand_future_functions)
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        if formula.endswith("}"):
            formula = formula[:-1]
        return formula


class _Formats:
    def __init__(self, wb):
        base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
        box = {"border": 1, "border_color": "#A6A6A6"}
        self.wb = wb
        self.base = wb.add_format(base)
        self.title = wb.add_format({**base, "bold": True, "font_size": 15, "font_color": "#C00000"})
        self.subtitle = wb.add_format({**base, "italic": True, "font_size": 11, "text_wrap": True, "valign": "top"})
        # A one-line note that may run across empty cells to its right (no wrap in a narrow column).
        self.note = wb.add_format({**base, "italic": True, "font_size": 11})
        self.header = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                     "align": "center", "font_size": 11})
        self.group = wb.add_format({**base, "bold": True, "bg_color": "#BDD7EE", "border": 1, "align": "center", "font_size": 10})
        self.input = wb.add_format({**base, **box})
        self.input_wrap = wb.add_format({**base, **box, "text_wrap": True})
        self.input_c = wb.add_format({**base, **box, "align": "center"})
        self.number = wb.add_format({**base, **box, "align": "center", "num_format": "0.##"})
        self.date = wb.add_format({**base, **box, "num_format": "dd/mm/yyyy", "align": "left"})
        self.time = wb.add_format({**base, **box, "num_format": "hh:mm", "align": "left"})
        self.label = wb.add_format({**base, "bold": True, **box, "bg_color": "#F2F2F2", "text_wrap": True})
        self.hint = wb.add_format({**base, "italic": True, "font_size": 10, "font_color": "#595959", "text_wrap": True})
        self.calc = wb.add_format({**base, **box, "bg_color": "#F2F2F2", "align": "center", "font_size": 11})
        self.calc_num = wb.add_format({**base, **box, "bg_color": "#F2F2F2", "align": "center", "font_size": 11, "num_format": "0.##"})
        self.calc_pct = wb.add_format({**base, **box, "bg_color": "#F2F2F2", "align": "center", "font_size": 11, "num_format": "0.##%"})
        self.calc_left = wb.add_format({**base, **box, "bg_color": "#F2F2F2", "font_size": 11})
        self.mark = wb.add_format({**base, "border": 1, "border_color": "#BFBFBF", "align": "center", "font_size": 11})
        self.mark_col = wb.add_format({**base, "align": "center", "font_size": 11})
        self.mark_border = wb.add_format({"border": 1, "border_color": "#BFBFBF"})
        self.mark_head = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center", "font_size": 10})
        self.invalid_row = wb.add_format({**base, "border": 1, "bg_color": "#FCE4D6", "align": "center", "font_size": 11})
        self.text = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.text_bold = wb.add_format({**base, "bold": True})
        self.result = wb.add_format({**base, **box, "font_size": 11, "text_wrap": True, "valign": "top"})
        self.result_c = wb.add_format({**base, **box, "font_size": 11, "align": "center", "valign": "top"})
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


def _page(ws, *, landscape: bool = True, header_row: Optional[int] = None, area: Optional[tuple] = None,
          fit_width: bool = True) -> None:
    """A4 page setup every sheet gets: orientation, fit to the page width, repeated headers, print area."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if fit_width:
        ws.fit_to_pages(1, 0)
    if header_row is not None:
        ws.repeat_rows(header_row)
    if area is not None:
        ws.print_area(*area)
    ws.set_footer("&R&8&P/&N")


# --------------------------------------------------------------------------- the guide


GUIDE_LINES = [
    ("Chuẩn bị", [
        "1. Sheet \"Hội nghị\": nhập năm đánh giá, ngày họp, tên chi bộ, đảng bộ cấp trên, loại chi bộ, chủ trì, thư ký, đại biểu, "
        "căn cứ. Dòng \"Sheet cần nhập cho năm này\" cho biết dùng sheet nào (sổ đã điền sẵn ẩn sheet của quy định không áp dụng và sheet phiếu không dùng; "
        "đổi năm rồi bấm \"Tính kết quả\" thì sheet cần dùng hiện lại; muốn hiện sheet khác: bấm chuột phải vào tên sheet > Unhide). Các thiết lập để trống là dùng mặc định theo quy định.",
        "2. Sheet \"Danh sách\": mỗi dòng một đảng viên (theo thứ tự sẽ in trên phiếu): họ tên, loại đảng viên, chức vụ, dự họp. "
        "Đánh dấu x ở các cột Chi ủy viên, Miễn sinh hoạt, Đình chỉ... Đảng viên dự bị ghi ngày kết nạp (chưa đủ 6 tháng thì không đánh giá).",
    ]),
    ("Năm 2025 trở đi (Quy định 366-QĐ/TW): chấm điểm", [
        "3. Sheet \"Chấm điểm\": cùng dòng với \"Danh sách\". Ghi mẫu kiểm điểm (2A lãnh đạo, quản lý; 2B; 2C ngoài hệ thống chính trị), "
        "điểm tự chấm và điểm chi bộ thẩm định (tiêu chí chung tối đa 30, kết quả nhiệm vụ tối đa 70), số nhiệm vụ (được giao, hoàn thành, "
        "đúng tiến độ, vượt, chậm), kỷ luật nếu có, xếp loại công chức, viên chức; cán bộ lãnh đạo ghi thêm kết quả của đơn vị và các quý I-III.",
        "   Tổng điểm, khung điểm và tỷ lệ % tự tính bằng công thức Excel, không cần Python. Mức đề xuất theo điểm và các điều kiện; "
        "biểu quyết (nếu cấp ủy yêu cầu) chỉ để xác nhận.",
    ]),
    ("Năm 2023, 2024 (Quy định 124-QĐ/TW): biểu quyết", [
        "3. Sheet \"Tiêu chí 124\": mức tự nhận, mức các tiêu chí, tỷ lệ hoàn thành; rồi nhập phiếu ở \"Phiếu đảng viên\".",
    ]),
    ("Tập thể", [
        "4. Sheet \"Tập thể\": dòng đầu là chi bộ; các dòng sau là chi ủy, tập thể lãnh đạo nhà trường (đơn vị)... với thành viên, "
        "điểm (Mẫu 01) hoặc mức các tiêu chí, và kết quả biểu quyết nếu có. Thứ tự xếp loại: tập thể lãnh đạo đơn vị, đảng viên, chi ủy, chi bộ.",
    ]),
    ("Biểu quyết, bỏ phiếu (nếu có)", [
        "5. Bấm \"In phiếu\": phần mềm tạo tệp phiếu Word và điền họ tên vào lưới phiếu (đúng thứ tự trên phiếu).",
        "6. Sheet \"Phiếu đảng viên\": mỗi CỘT là một phiếu. Gõ 1 = Hoàn thành xuất sắc nhiệm vụ, 2 = Hoàn thành tốt nhiệm vụ, "
        "3 = Hoàn thành nhiệm vụ, 4 = Không hoàn thành nhiệm vụ, x = dòng không hợp lệ. Cả phiếu không hợp lệ: gõ x ở dòng \"Hỏng cả phiếu\". "
        "Kiểm phiếu bằng tay hoặc biểu quyết giơ tay: nhập ở sheet \"Kiểm phiếu tay\". Phiếu tập thể: sheet \"Phiếu tập thể\".",
    ]),
    ("Kết quả và văn bản", [
        "7. Bấm \"Tính kết quả\": sheet \"Kết quả\" ghi mức đề xuất và giải thích; \"Cảnh báo\" ghi lỗi, cảnh báo kèm đường dẫn đến ô cần xem; "
        "\"Tổng hợp\" là danh sách gửi cấp ủy. Phần mềm không sửa dữ liệu đã nhập và không tự thay đổi kết quả.",
        "8. Bấm \"Xuất biên bản\": biên bản hội nghị và biên bản kiểm phiếu (nếu có bỏ phiếu) (Word) được lưu cạnh sổ này; "
        "tệp đã có không bao giờ bị ghi đè.",
        "9. Bấm \"Xuất hồ sơ gửi cấp ủy\": trích biên bản, báo cáo kết quả kèm danh sách tổng hợp, phiếu chấm điểm Mẫu 2A/2B/2C "
        "và Mẫu 01 (từ năm 2025) đã điền sẵn để ký; sau khi cấp ủy quyết định (cột \"Cấp ủy quyết định\"), thêm thông báo kết quả.",
    ]),
    ("Cài đặt (một lần, cần cho các nút bấm)", [
        "Cài Python 3.11 trở lên (python.org, chọn \"Add python.exe to PATH\"), rồi mở Command Prompt và chạy: "
        "python -m pip install xlwings==0.37.8 và cài gói phần mềm này (xem README).",
        "Tệp tải về từ Internet hoặc thư điện tử: bấm chuột phải vào tệp > Properties > đánh dấu Unblock > OK, rồi mở lại và bấm Enable Content.",
        "Bấm \"Kiểm tra môi trường\" để phần mềm tự kiểm tra và hướng dẫn.",
    ]),
    ("Lưu ý", [
        "Chi bộ chỉ ĐỀ XUẤT mức xếp loại; cấp có thẩm quyền xem xét, quyết định. Tỷ lệ Hoàn thành xuất sắc nhiệm vụ tối đa 20% số "
        "Hoàn thành tốt nhiệm vụ theo từng nhóm (25% nếu được cấp có thẩm quyền cho phép, theo QĐ 366).",
        "Không đổi tên, xóa hay chèn cột vào các sheet nhập liệu; có thể thêm dòng trong giới hạn "
        f"{S.MAX_MEMBERS} đảng viên, {S.MAX_BALLOTS} phiếu và {S.MAX_COLLECTIVES} tập thể.",
    ]),
]


def _wrapped_height(text: str, width_chars: float, line_pt: float = 15.5, per_unit: float = 1.05) -> float:
    """Row height for wrapped text: spreadsheet programs do not grow rows written from a file.

    ``per_unit``: characters of the cell's font per unit of column width (a unit is one "0" of the
    default font); 1.05 is safe for any text, 1.2 for Times New Roman 11 pt prose.
    """
    lines = sum(max(1, -(-len(part) // int(width_chars * per_unit))) for part in str(text).split("\n"))
    return max(lines, 1) * line_pt


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
    _page(ws, landscape=False, area=(0, 0, row, 1))


# --------------------------------------------------------------------------- inputs


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
    elif isinstance(value, Fraction):
        ws.write_number(r, c, int(value) if value.denominator == 1 else float(value), fm.number)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fm.number if kind in ("number", "int") else fm.input)
    else:
        # write_string never makes a formula: text starting with = + - @ stays text (one policy).
        ws.write_string(r, c, str(value), text_fmt)


def _label_for(choices, key) -> str:
    for label, k in choices:
        if k == key and type(k) is type(key):
            return label
    return str(key)


def _num(v):
    if v is None:
        return None
    return int(v) if v.denominator == 1 else float(v)


def _tri(v):
    return None if v is None else ("x" if v else "không")


def _code(level):
    return level.code if level else None


def _meeting_values(case: Case) -> dict:
    m = case.meeting
    fields = {f.key: f for f in S.MEETING_FIELDS}
    out = {
        "review_year": (m.review_year, None), "date": (m.date, None), "start_time": (m.start_time, None),
        "end_time": (m.end_time, None), "party_cell": (m.party_cell, None), "upper_body": (m.upper_body, None),
        "upper_committee": (m.upper_committee, None), "locality": (m.locality, None), "place": (m.place, None),
        "chair": (m.chair.name, m.chair.title), "secretary": (m.secretary.name, m.secretary.title),
        "voting_method": (m.voting_method, None), "document_number": (m.document_number, None),
        "special_unit": ("x" if m.special_unit else None, None), "under_province": ("x" if m.under_province else None, None),
        "intermediate_committee": (m.intermediate_committee, None), "decider": (m.decider, None),
        "report_circulated": (m.report_circulated, None), "report_presenter": (m.report_presenter, None),
        "report_opinions": (m.report_opinions, None), "conclusion": (m.conclusion, None),
        "program_agree": (m.program_agree, None), "counters_agree": (m.counters_agree, None),
        "adopted_time": (m.adopted_time, None), "adopted_agree": (m.adopted_agree, None),
        "count_start_time": (m.count_start_time, None), "count_end_time": (m.count_end_time, None),
        "count_place": (m.count_place, None), "members_order": (m.members_order, None), "case_note": (case.note, None),
    }
    if m.cell_type != "truc_thuoc":
        out["cell_type"] = (_label_for(S.CELL_TYPES, m.cell_type), None)
    if m.format_profile:
        out["format_profile"] = (_label_for(S.PROFILES, m.format_profile), None)
    if m.fingerprint_in_minutes is not None:
        out["fingerprint_in_minutes"] = (_label_for(fields["fingerprint_in_minutes"].choices, m.fingerprint_in_minutes), None)
    for i, p in enumerate(m.guests[:3]):
        out[f"guest_{i + 1}"] = (p.name, p.title)
    for i, p in enumerate(m.vote_counters[:3]):
        out[f"counter_{i + 1}"] = (p.name, p.title)
    for i, line in enumerate(m.legal_basis[:5]):
        out[f"basis_{i + 1}"] = (line, None)
    mode = {BallotGrid: "grid", Tally: "tally", Hands: "hands"}.get(type(case.member_votes), "")
    if mode:
        out["member_vote_mode"] = (_label_for(S.VOTE_MODES, mode), None)
    if isinstance(case.member_votes, BallotGrid) and case.member_votes.issued is not None:
        out["issued"] = (case.member_votes.issued, None)
    modes = {type(c.votes) for c in (case.party_cell, *case.collectives) if c.votes is not None}
    if len(modes) == 1:
        mode = {CellBallots: "grid", CellTally: "tally", CellHands: "hands"}[modes.pop()]
        out["collective_vote_mode"] = (_label_for(S.VOTE_MODES, mode), None)
    if case.rules_id:
        out["rules_id"] = (_label_for(fields["rules_id"].choices, case.rules_id), None)
    for key, value in case.settings:
        if key in fields:
            # The case may spell a setting as typed ("có", "1"); the drop-down list holds the typed value.
            out[key] = (_label_for(fields[key].choices, _setting_value(key, value)), None)
    return out


def _setting_value(key: str, value):
    from ..core.inputs import InputProblem
    from ..rules.settings import RuleSettings, parse_setting

    try:
        return parse_setting(key, value, getattr(RuleSettings(), key))
    except (InputProblem, TypeError, AttributeError):
        return value


def _sheets_note_formula() -> str:
    year = f"C{S.MEETING_FIELD_ROWS['review_year'] + 1}"
    return (f'=IF({year}="","Nhập năm đánh giá",IF({year}>=2025,"QĐ 366: nhập sheet Chấm điểm (Tiêu chí 124 không dùng)",'
            f'"QĐ 124: nhập sheet Tiêu chí 124 và phiếu (Chấm điểm không dùng)"))')


def _sheets_note_value(case: Optional[Case]) -> str:
    if case is None or not case.meeting.review_year:
        return "Nhập năm đánh giá"
    if case.meeting.review_year >= 2025:
        return "QĐ 366: nhập sheet Chấm điểm (Tiêu chí 124 không dùng)"
    return "QĐ 124: nhập sheet Tiêu chí 124 và phiếu (Chấm điểm không dùng)"


def _meeting(wb, ws, fm: _Formats, case: Optional[Case]) -> None:
    ws.set_column(0, 0, 16, fm.hidden, {"hidden": True})
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 60)
    ws.set_column(3, 3, 34)
    ws.set_column(4, 4, 60)
    ws.write_string(0, 0, S.LAYOUT_MARK, fm.hidden)
    # The extents: native formulas in the hidden column G, read first by the live reader.
    cached = _extent_values(case)
    for i, (key, formula) in enumerate(extent_formulas().items()):
        ws.write_formula(i, S.EXTENT_COL, formula, fm.hidden, cached[key])
    ws.set_column(S.EXTENT_COL, S.EXTENT_COL, 6, fm.hidden, {"hidden": True})
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
        if f.kind == "formula":
            ws.write_formula(r, 2, _sheets_note_formula(), fm.calc_left, _sheets_note_value(case))
            ws.write_blank(r, 3, None, fm.calc_left)
            continue
        if f.key.startswith("basis_") or f.kind == "long":
            ws.set_row(r, max(48, _wrapped_height(value or "", 60)))
        _write_input(ws, r, 2, value, f.kind, fm, wrap=True)
        _write_input(ws, r, 3, value2, "text", fm, wrap=True)
        if f.choices:
            _list_validation(ws, r, 2, r, 2, [c[0] for c in f.choices], f.label, "Chọn trong danh sách.")
        elif f.kind == "bool":
            _list_validation(ws, r, 2, r, 2, ["x"], f.label, "Nhập x nếu có, để trống nếu không.")
        elif f.kind == "int" and f.key == "review_year":
            ws.data_validation(r, 2, r, 2, {"validate": "integer", "criteria": "between", "minimum": 2023, "maximum": 2100,
                                            "error_message": "Năm đánh giá từ 2023 trở đi."})
        elif f.kind == "int":
            ws.data_validation(r, 2, r, 2, {"validate": "integer", "criteria": ">=", "value": 0,
                                            "error_message": "Nhập số nguyên không âm."})
        elif f.kind == "date":
            ws.data_validation(r, 2, r, 2, {"validate": "date", "criteria": ">", "value": datetime(2000, 1, 1),
                                            "error_message": "Nhập ngày dạng ngày/tháng/năm."})
    ws.freeze_panes(S.MEETING_FIRST_ROW, 2)
    ws.set_tab_color("#2F75B5")
    # Printed on paper: the field, its value and the post; the typing hints (column E) stay on screen.
    _page(ws, landscape=False, header_row=S.MEETING_FIRST_ROW - 1, area=(0, 1, S.MEETING_LAST_ROW, 3))


# --------------------------------------------------------------------------- member-row sheets


def _validate_column(ws, c: S.Column, j: int, first: int, last: int) -> None:
    if c.choices:
        _list_validation(ws, first, j, last, j, [x[0] for x in c.choices], c.header, c.hint or "Chọn trong danh sách.")
    elif c.kind == "bool":
        _list_validation(ws, first, j, last, j, ["x"], c.header, "Gõ x nếu có, để trống nếu không.")
    elif c.kind == "tribool":
        _list_validation(ws, first, j, last, j, ["x", "không"], c.header, "x = có; không = không; trống = chưa đánh giá.")
    elif c.kind == "number":
        top = 30 if "(/30)" in c.header else 70 if "(/70)" in c.header else 100
        ws.data_validation(first, j, last, j, {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": top,
                                               "error_message": f"Nhập số từ 0 đến {top}."})
    elif c.kind == "int":
        ws.data_validation(first, j, last, j, {"validate": "integer", "criteria": ">=", "value": 0,
                                               "error_message": "Nhập số nguyên không âm."})
    elif c.kind == "date":
        ws.data_validation(first, j, last, j, {"validate": "date", "criteria": ">", "value": datetime(1930, 1, 1),
                                               "error_message": "Nhập ngày dạng ngày/tháng/năm."})


def _headers(ws, fm: _Formats, columns, header_row: int) -> None:
    """The column headers, with group headings merged over the columns they cover (the row above)."""
    for i, c in enumerate(columns):
        ws.set_column(i, i, c.width)
        ws.write_string(header_row, i, c.header, fm.header)
    i = 0
    while i < len(columns):
        g = columns[i].group
        j = i
        while j + 1 < len(columns) and columns[j + 1].group == g:
            j += 1
        if g:
            if j > i:
                ws.merge_range(header_row - 1, i, header_row - 1, j, g, fm.group)
            else:
                ws.write_string(header_row - 1, i, g, fm.group)
        i = j + 1
    ws.set_row(header_row, 60)


def _column_formats(ws, fm: _Formats, columns) -> None:
    """Input cells take their look from the column (not from 50 000 written blank cells): small, fast files."""
    for j, c in enumerate(columns):
        fmt = {"date": fm.date, "number": fm.number, "int": fm.number, "long": fm.input_wrap,
               "formula": fm.calc, "ref": fm.calc_left}.get(c.kind, fm.input_c if c.kind in ("bool", "tribool", "level", "choice", "grade")
                                                         else fm.input)
        ws.set_column(j, j, c.width, fmt)


def _cell_value(c: S.Column, value, ws, r, j, fm: _Formats) -> None:
    if value is None or value == "" or value is False and c.kind == "bool":
        return
    if c.kind == "bool":
        ws.write_string(r, j, "x", fm.input_c)
    elif c.kind == "tribool":
        ws.write_string(r, j, "x" if value else "không", fm.input_c)
    elif c.kind == "date":
        ws.write_datetime(r, j, datetime.combine(value, time()), fm.date)
    elif c.kind in ("number", "int"):
        v = _num(value) if isinstance(value, Fraction) else value
        ws.write_number(r, j, v, fm.number)
    elif c.kind == "long":
        ws.write_string(r, j, str(value), fm.input_wrap)
    elif c.kind in ("level", "choice", "grade"):
        ws.write_string(r, j, str(value), fm.input_c)
    else:
        ws.write_string(r, j, str(value), fm.input)


def _has_facts(vals: dict, columns) -> bool:
    keys = {c.key for c in columns if c.kind not in ("formula", "ref")}
    return any(v not in (None, "", False) for k, v in vals.items() if k in keys)


def _data_helper(ws, fm: _Formats, columns, first_input: int, members, has_data) -> None:
    """A hidden last column: the row's index when any input cell holds something (for the extents)."""
    L = S.col
    h = len(columns)
    span = f"{L(first_input)}{{r}}:{L(h - 1)}{{r}}"
    for i in range(S.MAX_MEMBERS):
        r = S.FIRST_ROW + i
        m = members[i] if i < len(members) else None
        # "" (not 0) on empty rows: readers then see no used cells past the roster.
        cached = i + 1 if (m is not None and has_data(m)) else ""
        rng = span.format(r=r + 1)
        ws.write_formula(r, h, f'=IF(SUMPRODUCT(LEN({rng}))>0,ROW()-{S.FIRST_ROW},"")', fm.hidden, cached)
    ws.set_column(h, h, 4, fm.hidden, {"hidden": True})


def extent_formulas() -> dict[str, str]:
    """The native formulas that tell how far each block holds data (read first by the live reader)."""
    L = S.col

    def helper(sheet, columns):
        h = L(len(columns))
        return f"=MAX('{sheet}'!{h}{S.FIRST_ROW + 1}:{h}{S.LAST_ROW + 1})"

    def last_row(sheet, first0, last0, cols):
        terms = "+".join(f"('{sheet}'!{c}{first0 + 1}:{c}{last0 + 1}<>\"\")" for c in cols)
        return f"=IFERROR(LOOKUP(2,1/({terms}),ROW('{sheet}'!B{first0 + 1}:B{last0 + 1})-{first0}),0)"

    def last_col(sheet, first_col, last_col_, rows0):
        a, b = L(first_col), L(last_col_)
        terms = "+".join(f"('{sheet}'!{a}{r + 1}:{b}{r + 1}<>\"\")" for r in rows0)
        return f"=IFERROR(LOOKUP(2,1/({terms}),COLUMN('{sheet}'!{a}{rows0[0] + 1}:{b}{rows0[0] + 1})-{first_col}),0)"

    return {
        "roster_rows": helper(S.SHEET_ROSTER, S.ROSTER_COLUMNS),
        "scores_rows": helper(S.SHEET_SCORES, S.SCORE_COLUMNS),
        "criteria_rows": helper(S.SHEET_CRITERIA, S.CRITERIA_COLUMNS),
        "grid_rows": last_row(S.SHEET_GRID, S.GRID_FIRST_ROW, S.GRID_LAST_ROW, ("B", "H")),
        "grid_cols": last_col(S.SHEET_GRID, S.GRID_FIRST_BALLOT_COL, S.GRID_LAST_BALLOT_COL, (S.GRID_INVALID_ROW, S.GRID_FILLED_ROW)),
        "tally_rows": last_row(S.SHEET_TALLY, S.TALLY_FIRST_ROW, S.TALLY_LAST_ROW, ("B", "H", "I", "J", "K")),
        "cell_cols": last_col(S.SHEET_CELL, S.CELL_FIRST_BALLOT_COL, S.CELL_LAST_BALLOT_COL, (S.CELL_INVALID_ROW, S.CELL_FILLED_ROW)),
    }


def _extent_values(case: Optional[Case]) -> dict[str, int]:
    if case is None:
        return {k: 0 for k in S.EXTENTS}
    n = len(case.members)
    uses_scores = case.meeting.review_year >= 2025
    facts = [_has_facts((_score_row if uses_scores else _criteria_row)(m), S.SCORE_COLUMNS if uses_scores else S.CRITERIA_COLUMNS)
             for m in case.members]
    last_fact = max((i + 1 for i, f in enumerate(facts) if f), default=0)
    grid = case.member_votes if isinstance(case.member_votes, BallotGrid) else None
    tally_rows = len(case.member_votes.rows) if isinstance(case.member_votes, (Tally, Hands)) else 0
    cells = [c.votes for c in (case.party_cell, *case.collectives) if isinstance(c.votes, CellBallots)]
    return {"roster_rows": n, "scores_rows": last_fact if uses_scores else 0, "criteria_rows": 0 if uses_scores else last_fact,
            "grid_rows": len(grid.order) if grid else 0, "grid_cols": len(grid.ballots) if grid else 0, "tally_rows": tally_rows,
            "cell_cols": max((len(v.marks) for v in cells), default=0)}


def _no_formula(r: int, name_col: str = "B") -> str:
    return f'=IF({name_col}{r + 1}="","",ROW()-{S.FIRST_ROW})'


def _roster_row(m) -> dict:
    return {
        "name": m.name, "member_id": m.member_id, "membership": _label_for(S.MEMBERSHIP_CHOICES, m.membership.key),
        "admission_date": m.admission_date, "role": m.role, "leadership": m.leadership, "outside_system": m.outside_system,
        "attendance": _label_for(S.ATTENDANCE_CHOICES, m.attendance.key), "absence_reason": m.absence_reason,
        "exempt": m.exempt, "suspended": m.suspended, "temporarily_elsewhere": m.temporarily_elsewhere,
        "temporary_cell_comment": m.temporary_cell_comment, "residence_comment": m.residence_comment,
        "sick_or_maternity": m.sick_or_maternity, "note": m.note,
    }


def _discipline_values(m) -> dict:
    d = m.discipline
    return {
        "discipline_form": _label_for(S.DISCIPLINE_CHOICES, d.form.key) if d else None,
        "discipline_duty": d.duty_related if d else None, "discipline_remedied": d.self_detected_remedied if d else False,
        "discipline_earlier": d.earlier_period if d else False, "discipline_previous_unit": d.previous_unit if d else False,
        "degradation": m.degradation,
    }


def _conclusion_values(m) -> dict:
    return {"opinions": m.opinions, "comment": m.comment, "chi_bo_level": _code(m.chi_bo_level),
            "decided_level": _code(m.decided_level), "decision_ref": m.decision_ref}


def _score_row(m) -> dict:
    p, t = m.performance, m.performance.tasks
    lf = m.leader
    out = {
        "group": m.group.key if m.group else None, "self_score_common": p.self_score_common,
        "self_score_results": p.self_score_results, "self_level": _code(m.self_level), "score_common": p.score_common,
        "score_results": p.score_results, "tasks_assigned": t.assigned, "tasks_done": t.done, "tasks_on_time": t.on_time,
        "tasks_exceeded": t.exceeded, "tasks_late": t.late, "shortcomings_remedied": p.shortcomings_remedied,
        **_discipline_values(m), "prohibited_acts": m.prohibited_acts, "example_violation": m.example_violation,
        "civil_service_level": _code(m.civil_service_level), **_conclusion_values(m),
        "rerank_level": _code(m.rerank_level), "rerank_ref": m.rerank_ref,
    }
    if lf is not None:
        u = lf.unit_tasks
        out.update({"unit_assigned": u.assigned, "unit_done": u.done, "unit_on_time": u.on_time, "unit_exceeded": u.exceeded,
                    "unit_late": u.late, "unit_targets_missed": lf.unit_targets_missed, "units_led": lf.units_led,
                    "units_led_khtnv": lf.units_led_khtnv, "confidence_votes": lf.confidence_votes,
                    "low_confidence_votes": lf.low_confidence_votes, "corruption_in_scope": lf.corruption_in_scope,
                    "leader_mitigation": lf.mitigation, "q1": _code(lf.quarters[0]), "q2": _code(lf.quarters[1]),
                    "q3": _code(lf.quarters[2])})
    return out


def _criteria_row(m) -> dict:
    p = m.performance
    return {"self_level": _code(m.self_level), "criteria_grade": p.criteria_grade.label if p.criteria_grade else None,
            "results_grade": p.results_grade.label if p.results_grade else None,
            "tasks_completed_pct": p.tasks_completed_pct, "tasks_exceeded_pct": p.tasks_exceeded_pct,
            **_discipline_values(m), "civil_service_level": _code(m.civil_service_level), **_conclusion_values(m)}


def _band_formula(total_cell: str) -> str:
    return (f'=IF({total_cell}="","",IF({total_cell}>=90,"HTXSNV",IF({total_cell}>=70,"HTTNV",'
            f'IF({total_cell}>=50,"HTNV","KHTNV"))))')


def _band_value(total) -> str:
    if total is None:
        return ""
    return "HTXSNV" if total >= 90 else "HTTNV" if total >= 70 else "HTNV" if total >= 50 else "KHTNV"


def _sum_formula(a: str, b: str) -> str:
    # ROUND to 9 places removes binary noise (20.1 + 69.9) so the band matches the exact core.
    return f'=IF(OR({a}="",{b}=""),"",ROUND({a}+{b},9))'


#: False while a test builds a workbook whose formulas carry no cached results (LibreOffice must compute them).
_CACHE = {"on": True}


def _c(value):
    return value if _CACHE["on"] else ""


def _member_sheet(wb, ws, fm: _Formats, columns, case: Optional[Case], values_of, title: str, note: str,
                  band_fills: bool = False) -> None:
    index = {c.key: i for i, c in enumerate(columns)}
    L = S.col
    ws.write(0, 0, title, fm.title)
    ws.write(1, 0, note, fm.note)
    _column_formats(ws, fm, columns)
    _headers(ws, fm, columns, S.HEADER_ROW)
    members = list(case.members) if case else []
    n_rows = max(len(members), EMPTY_ROWS)
    name_src = f"'{S.SHEET_ROSTER}'!B"
    for i in range(S.MAX_MEMBERS):
        r = S.FIRST_ROW + i
        R = r + 1
        m = members[i] if i < len(members) else None
        vals = values_of(m) if m is not None else {}
        for j, c in enumerate(columns):
            if c.key == "no":
                ws.write_formula(r, j, _no_formula(r), fm.calc, i + 1 if m else "")
            elif c.key == "name" and c.kind == "ref":
                ws.write_formula(r, j, f'=IF({name_src}{R}="","",{name_src}{R})', fm.calc_left, m.name if m else "")
            elif c.key in S.SCORE_FORMULAS and c.key in index:
                a, b = (f"{L(index[k])}{R}" for k in S.SCORE_FORMULAS[c.key])
                total = None
                if m is not None:
                    pa, pb = vals.get(S.SCORE_FORMULAS[c.key][0]), vals.get(S.SCORE_FORMULAS[c.key][1])
                    total = None if pa is None or pb is None else pa + pb
                ws.write_formula(r, j, _sum_formula(a, b), fm.calc_num, _c(_num(total) if total is not None else ""))
                vals[c.key] = total
            elif c.key == "band":
                total_cell = f"{L(index['score_total'])}{R}"
                ws.write_formula(r, j, _band_formula(total_cell), fm.calc, _c(_band_value(vals.get("score_total"))))
            elif c.key in S.PCT_FORMULAS and c.key in index:
                part, whole = S.PCT_FORMULAS[c.key]
                pc, wc = f"{L(index[part])}{R}", f"{L(index[whole])}{R}"
                pv, wv = vals.get(part), vals.get(whole)
                cached = (pv / wv) if (pv is not None and wv) else ""
                ws.write_formula(r, j, f'=IF(OR({pc}="",{wc}="",N({wc})=0),"",{pc}/{wc})', fm.calc_pct, _c(cached))
            elif m is not None:
                _cell_value(c, vals.get(c.key), ws, r, j, fm)
    _data_helper(ws, fm, columns, 2, members, lambda m: _has_facts(values_of(m), columns))
    first, last = S.FIRST_ROW, S.LAST_ROW
    for j, c in enumerate(columns):
        _validate_column(ws, c, j, first, last)
    if band_fills and "band" in index:
        b = index["band"]
        for code, fmt in fm.fills.items():
            ws.conditional_format(first, b, last, b, {"type": "cell", "criteria": "==", "value": f'"{code}"', "format": fmt})
        t = index["score_total"]
        ws.conditional_format(first, t, last, t, {"type": "formula", "criteria": f'=AND({L(t)}{first + 1}<>"",{L(t)}{first + 1}>100)',
                                                  "format": fm.bad})
        for key, top in (("score_common", 30), ("score_results", 70), ("self_score_common", 30), ("self_score_results", 70)):
            k = index[key]
            ws.conditional_format(first, k, last, k, {"type": "formula",
                                                      "criteria": f'=AND({L(k)}{first + 1}<>"",OR({L(k)}{first + 1}<0,{L(k)}{first + 1}>{top}))',
                                                      "format": fm.bad})
    ws.freeze_panes(first, 3 if columns is S.SCORE_COLUMNS else 2)
    ws.set_tab_color("#2F75B5")
    if columns is S.SCORE_COLUMNS:
        # Over fifty columns: three pages across, the names repeated on each, keep the figures readable.
        _page(ws, landscape=True, header_row=S.HEADER_ROW, area=(0, 0, first + n_rows - 1, len(columns) - 1), fit_width=False)
        ws.fit_to_pages(3, 0)
        ws.repeat_columns(0, 1)
    else:
        _page(ws, landscape=True, header_row=S.HEADER_ROW, area=(0, 0, first + n_rows - 1, len(columns) - 1))


def _roster(wb, ws, fm: _Formats, case: Optional[Case]) -> None:
    cols = S.ROSTER_COLUMNS
    ws.write(0, 0, "DANH SÁCH ĐẢNG VIÊN CỦA CHI BỘ", fm.title)
    ws.write(1, 0, "Mỗi dòng một đảng viên, theo thứ tự in trên phiếu; cùng dòng ở các sheet Chấm điểm và Tiêu chí 124. "
                   "Các cột có dấu x: gõ x nếu có.", fm.note)
    _column_formats(ws, fm, cols)
    members = list(case.members) if case else []
    ws.add_table(S.HEADER_ROW, 0, S.LAST_ROW, len(cols) - 1, {
        "name": "DanhSachDangVien", "style": "Table Style Light 1", "autofilter": False,
        "columns": [{"header": c.header, "header_format": fm.header} for c in cols],
    })
    ws.set_row(S.HEADER_ROW, 48)
    for i in range(S.MAX_MEMBERS):
        r = S.FIRST_ROW + i
        m = members[i] if i < len(members) else None
        ws.write_formula(r, 0, _no_formula(r), fm.calc, i + 1 if m else "")
        if m is None:
            continue
        vals = _roster_row(m)
        for j, c in enumerate(cols[1:], start=1):
            _cell_value(c, vals.get(c.key), ws, r, j, fm)
    _data_helper(ws, fm, cols, 1, members, lambda m: True)
    first, last = S.FIRST_ROW, S.LAST_ROW
    for j, c in enumerate(cols):
        _validate_column(ws, c, j, first, last)
    ex, su = S.col(S.ROSTER_INDEX["exempt"]), S.col(S.ROSTER_INDEX["suspended"])
    ws.conditional_format(first, 0, last, len(cols) - 1, {
        "type": "formula", "criteria": f'=OR(${ex}{first + 1}="x",${su}{first + 1}="x")', "format": fm.grey})
    ws.freeze_panes(first, 2)
    ws.set_tab_color("#2F75B5")
    _page(ws, landscape=True, header_row=S.HEADER_ROW, area=(0, 0, first + max(len(members), EMPTY_ROWS) - 1, 9))


# --------------------------------------------------------------------------- collectives


def _collective_row(c, case: Case) -> dict:
    p, t = c.performance, c.performance.tasks
    v = c.votes
    out = {
        "kind": _label_for(S.KIND_CHOICES, c.kind.key) if c.kind.key != "chi_bo" else None, "name": c.name,
        "members": "; ".join(c.members), "decider": c.decider, "order": c.order, "unit_level": _code(c.unit_level),
        "review_date": c.review_date, "self_level": _code(c.self_level), "self_score_common": p.self_score_common,
        "self_score_results": p.self_score_results, "score_common": p.score_common, "score_results": p.score_results,
        "criteria_grade": p.criteria_grade.label if p.criteria_grade else None,
        "results_grade": p.results_grade.label if p.results_grade else None, "tasks_assigned": t.assigned,
        "tasks_completed_pct": p.tasks_completed_pct, "tasks_exceeded_pct": p.tasks_exceeded_pct,
        "tasks_done": t.done, "tasks_on_time": t.on_time, "tasks_exceeded": t.exceeded, "tasks_late": t.late,
        "shortcomings_remedied": p.shortcomings_remedied, "disunity": c.disunity, "personnel_wrongdoing": c.personnel_wrongdoing,
        "targets_missed": c.targets_missed, "leadership_disciplined": c.leadership_disciplined,
        "subordinate_disciplined": c.subordinate_disciplined, "exception_claimed": c.exception_claimed,
        "exceptional_unit_approved": c.exceptional_unit_approved, "opinions": c.opinions, "comment": c.comment,
        "chi_bo_level": _code(c.chi_bo_level), "decided_level": _code(c.decided_level), "decision_ref": c.decision_ref,
    }
    if isinstance(v, CellTally):
        out.update({"v_htxs": v.count(LEVELS[0]), "v_htt": v.count(LEVELS[1]), "v_ht": v.count(LEVELS[2]),
                    "v_khtnv": v.count(LEVELS[3]), "v_invalid": v.invalid})
    elif isinstance(v, CellHands):
        out.update({"hands_level": _code(v.level), "hands_agree": v.agree, "hands_disagree": v.disagree})
    return out


def _collectives(wb, ws, fm: _Formats, case: Optional[Case]) -> None:
    cols = S.COLLECTIVE_COLUMNS
    index = S.COLLECTIVE_INDEX
    L = S.col
    ws.write(0, 0, "CÁC TẬP THỂ ĐƯỢC KIỂM ĐIỂM, XẾP LOẠI TẠI HỘI NGHỊ", fm.title)
    ws.write(1, 0, "Dòng đầu là chi bộ (tên lấy từ sheet Hội nghị); các dòng sau: chi ủy, tập thể lãnh đạo đơn vị... "
                   "Thành viên ghi họ tên như ở Danh sách, cách nhau bởi dấu ;", fm.note)
    _column_formats(ws, fm, cols)
    _headers(ws, fm, cols, S.COLL_HEADER_ROW)
    rows = [case.party_cell, *case.collectives] if case else []
    party_cell_ref = f"'{S.SHEET_MEETING}'!$C${S.MEETING_FIELD_ROWS['party_cell'] + 1}"
    for k in range(S.MAX_COLLECTIVES):
        r = S.COLL_FIRST_ROW + k
        R = r + 1
        c = rows[k] if k < len(rows) else None
        vals = _collective_row(c, case) if c is not None else {}
        for j, col in enumerate(cols):
            if col.key == "no":
                ws.write_formula(r, j, f'=IF(C{R}="","",ROW()-{S.COLL_FIRST_ROW})', fm.calc, k + 1 if (c or k == 0) else "")
            elif col.key == "kind" and k > 0 and c is None:
                continue
            elif k == 0 and col.key == "kind":
                ws.write_string(r, j, "Chi bộ", fm.calc)
            elif k == 0 and col.key == "name":
                ws.write_formula(r, j, f'=IF({party_cell_ref}="","",{party_cell_ref})', fm.calc_left,
                                 case.meeting.party_cell if case else "")
            elif k == 0 and col.key == "members":
                ws.write_string(r, j, "(tất cả đảng viên; lãnh đạo là chi ủy)", fm.calc_left)
            elif col.key in S.SCORE_FORMULAS:
                a, b = (f"{L(index[x])}{R}" for x in S.SCORE_FORMULAS[col.key])
                pa, pb = vals.get(S.SCORE_FORMULAS[col.key][0]), vals.get(S.SCORE_FORMULAS[col.key][1])
                total = None if pa is None or pb is None else pa + pb
                vals[col.key] = total
                ws.write_formula(r, j, _sum_formula(a, b), fm.calc_num, _num(total) if total is not None else "")
            elif col.key == "band":
                ws.write_formula(r, j, _band_formula(f"{L(index['score_total'])}{R}"), fm.calc, _band_value(vals.get("score_total")))
            elif col.key == "done_pct":
                pc, wc = f"{L(index['tasks_done'])}{R}", f"{L(index['tasks_assigned'])}{R}"
                pv, wv = vals.get("tasks_done"), vals.get("tasks_assigned")
                ws.write_formula(r, j, f'=IF(OR({pc}="",{wc}="",N({wc})=0),"",{pc}/{wc})', fm.calc_pct,
                                 (pv / wv) if (pv is not None and wv) else "")
            elif c is not None:
                _cell_value(col, vals.get(col.key), ws, r, j, fm)
        if c is not None:
            # Rows written from a file do not grow by themselves: size them for the wrapped lists.
            long = [(vals.get(col.key), col.width) for col in cols if col.kind in ("long", "name")]
            height = max((_wrapped_height(str(v), w, 15.5, 1.2) for v, w in long if v), default=15.5)
            if height > 15.5:
                ws.set_row(r, height)
    first, last = S.COLL_FIRST_ROW + 1, S.COLL_LAST_ROW
    for j, col in enumerate(cols):
        if col.key == "kind":
            from ..core.record import replace as _replace

            col = _replace(col, choices=S.KIND_CHOICES)
        _validate_column(ws, col, j, first if col.key in ("kind", "name", "members") else S.COLL_FIRST_ROW, last)
    b = index["band"]
    for code, fmt in fm.fills.items():
        ws.conditional_format(S.COLL_FIRST_ROW, b, last, b, {"type": "cell", "criteria": "==", "value": f'"{code}"', "format": fmt})
    ws.freeze_panes(S.COLL_FIRST_ROW, 3)
    ws.set_tab_color("#2F75B5")
    if case is not None:
        # A filled workbook is for one review year: the other regulation's columns are hidden
        # (they are empty: for_workbook converted or dropped those facts).
        unused = S.COLLECTIVE_QD124_ONLY if case.meeting.review_year >= 2025 else S.COLLECTIVE_QD366_ONLY
        typed = [_collective_row(c, case) for c in rows]
        for key in unused:
            if any(v.get(key) not in (None, "", False) for v in typed):
                continue  # e.g. a share with no whole count out of 100 stays a percentage: keep it in sight
            j = index[key]
            ws.set_column(j, j, cols[j].width, None, {"hidden": True})
    # Forty-odd columns: two pages across keeps the text readable (one page would print at 3 pt).
    _page(ws, landscape=True, header_row=S.COLL_HEADER_ROW, area=(0, 0, S.COLL_LAST_ROW, len(cols) - 1), fit_width=False)
    ws.fit_to_pages(2, 0)
    ws.repeat_columns(0, 2)


# --------------------------------------------------------------------------- ballot grids


def _ballot_grid(ws, fm: _Formats, *, title: str, hint: str, fixed, first_row: int, n_rows: int, names, name_formulas,
                 ballots, counts: dict, printed_rows: int) -> None:
    """A grid of ballots: one row per subject, one column per ballot, native count formulas."""
    L = S.col
    b1 = len(fixed)
    b2 = b1 + S.MAX_BALLOTS - 1
    header_row, invalid_row, filled_row = first_row - 3, first_row - 2, first_row - 1
    last = first_row + n_rows - 1
    ws.write(0, 0, title, fm.title)
    ws.merge_range(1, 0, 2, b1 + 14, hint, fm.subtitle)
    ws.set_row(1, 20)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 7, 8)
    # Ballot cells take their look from the column and a border rule, not from written cells.
    ws.set_column(b1, b2, 4.2, fm.mark_col)
    ws.write_row(header_row, 0, fixed, fm.header)
    ws.set_row(header_row, 32)
    for j in range(S.MAX_BALLOTS):
        c = b1 + j
        label = ballots[j].id if j < len(ballots) else str(j + 1)
        ws.write_string(header_row, c, label, fm.mark_head)
        if j < len(ballots) and ballots[j].invalid:
            ws.write_string(invalid_row, c, "x", fm.invalid_row)
        else:
            ws.write_blank(invalid_row, c, None, fm.invalid_row)
        col_range = f"{L(c)}{first_row + 1}:{L(c)}{last + 1}"
        typed = sum(1 for m in ballots[j].marks if m is not None) if j < len(ballots) else 0
        ws.write_formula(filled_row, c, f'=IF(COUNTA({col_range})=0,"",COUNTA({col_range}))', fm.calc, typed or "")
    # Labels without merged cells: the reader refuses merges inside input blocks.
    for r, label in ((invalid_row, S.GRID_INVALID_LABEL), (filled_row, S.GRID_FILLED_LABEL)):
        ws.write_blank(r, 0, None, fm.label)
        ws.write_string(r, 1, label, fm.label)
        for c in range(2, b1):
            ws.write_blank(r, c, None, fm.label)
    inv = f"${L(b1)}${invalid_row + 1}:${L(b2)}${invalid_row + 1}"
    for i in range(n_rows):
        r = first_row + i
        R = r + 1
        name = names[i] if i < len(names) else None
        ws.write_formula(r, 0, f'=IF(B{R}="","",ROW()-{first_row})', fm.calc, i + 1 if name else "")
        if name_formulas:
            ws.write_formula(r, 1, name_formulas[i], fm.calc_left, name or "")
        else:
            _write_input(ws, r, 1, name, "text", fm)
        marks = f"${L(b1)}{R}:${L(b2)}{R}"
        count: Optional[Count] = counts.get(name) if name else None
        for k, lvl in enumerate(LEVELS):
            ws.write_formula(r, 2 + k, f'=IF($B{R}="","",COUNTIFS({marks},{lvl.digit},{inv},"<>x"))', fm.calc,
                             count.of(lvl) if count else "")
        explicit_x = sum(1 for b in ballots if not b.invalid and i < len(b.marks) and isinstance(b.marks[i], Spoiled)) if name else 0
        typed = sum(1 for b in ballots if i < len(b.marks) and b.marks[i] is not None) if name else 0
        ws.write_formula(r, 6, f'=IF($B{R}="","",COUNTIFS({marks},"x",{inv},"<>x"))', fm.calc, explicit_x if name else "")
        # Counted whether or not the row has a name, so stray marks below the roster show up.
        ws.write_formula(r, 7, f'=IF(COUNTA({marks})=0,"",COUNTA({marks}))', fm.calc, typed if typed else "")
        for j in range(min(len(ballots), S.MAX_BALLOTS)):
            mark = ballots[j].marks[i] if (name and i < len(ballots[j].marks)) else None
            if mark is None:
                continue
            if isinstance(mark, Spoiled):
                ws.write_string(r, b1 + j, "x", fm.mark)
            else:
                ws.write_number(r, b1 + j, mark.digit, fm.mark)
    ws.data_validation(first_row, b1, last, b2, {
        "validate": "list", "source": ["1", "2", "3", "4", "x"], "error_title": "Giá trị không hợp lệ",
        "error_message": "Chỉ nhập 1, 2, 3, 4 hoặc x (dòng không hợp lệ).", "error_type": "stop"})
    _list_validation(ws, invalid_row, b1, invalid_row, b2, ["x"], "Hỏng cả phiếu", "Gõ x nếu cả phiếu không hợp lệ.")
    ws.conditional_format(first_row, b1, last, b2, {"type": "formula", "criteria": "=TRUE", "format": fm.mark_border})
    top = f"{L(b1)}{first_row + 1}"
    ws.conditional_format(first_row, b1, last, b2, {
        "type": "formula", "criteria": f'=AND({top}<>"",{top}<>1,{top}<>2,{top}<>3,{top}<>4,LOWER({top})<>"x")',
        "format": fm.bad, "stop_if_true": True})
    ws.conditional_format(first_row, b1, last, b2, {
        "type": "formula", "criteria": f'=LOWER({L(b1)}${invalid_row + 1})="x"', "format": fm.grey})
    filled = f"{L(b1)}{filled_row + 1}"
    ws.conditional_format(filled_row, b1, filled_row, b2, {
        "type": "formula", "criteria": f'=AND({filled}<>"",{filled}<>COUNTA($B${first_row + 1}:$B${last + 1}))', "format": fm.warn})
    ws.freeze_panes(first_row, b1)
    ws.set_tab_color("#00B050")
    _page(ws, landscape=True, header_row=header_row,
          area=(0, 0, first_row + max(printed_rows, 1) - 1, b1 + max(len(ballots), 20) - 1))


def _grid(wb, ws, fm: _Formats, case: Optional[Case], counts: dict) -> None:
    grid = case.member_votes if case and isinstance(case.member_votes, BallotGrid) else None
    names = list(grid.order) if grid else []
    _ballot_grid(ws, fm, title="LƯỚI PHIẾU ĐÁNH GIÁ ĐẢNG VIÊN", fixed=S.GRID_FIXED, first_row=S.GRID_FIRST_ROW,
                 n_rows=S.MAX_MEMBERS, names=names, name_formulas=None, ballots=grid.ballots if grid else (),
                 counts=counts, printed_rows=max(len(names), EMPTY_ROWS),
                 hint="Chỉ dùng khi chi bộ bỏ phiếu. Mỗi CỘT là một phiếu, đọc từ trên xuống: 1 = HTXSNV, 2 = HTTNV, 3 = HTNV, "
                      "4 = KHTNV, x = dòng không hợp lệ (bỏ trống hoặc đánh nhiều ô). Phiếu không hợp lệ cả phiếu: gõ x ở dòng 5. "
                      "Các cột C-H tự đếm (công thức Excel); ô tô đỏ là giá trị sai, cột xám là phiếu hỏng.")


def _cell_grid(wb, ws, fm: _Formats, case: Optional[Case]) -> None:
    subjects = [case.party_cell, *case.collectives] if case else []
    names = [case.meeting.party_cell] + [c.name for c in case.collectives] if case else []
    # All collectives' ballots share the columns: ballot j is the j-th paper.
    ballots_by_row = [c.votes if isinstance(c.votes, CellBallots) else None for c in subjects]
    n = max((len(b.marks) for b in ballots_by_row if b), default=0)
    from ..core.models import Ballot

    ballots = []
    for j in range(n):
        marks = tuple((b.marks[j] if b and j < len(b.marks) else None) for b in ballots_by_row)
        invalid = any(b and j < len(b.invalid) and b.invalid[j] for b in ballots_by_row)
        ballots.append(Ballot(id=str(j + 1), marks=marks, invalid=invalid))
    formulas = [f"=IF('{S.SHEET_COLLECTIVES}'!C{S.COLL_FIRST_ROW + k + 1}=\"\",\"\",'{S.SHEET_COLLECTIVES}'!C{S.COLL_FIRST_ROW + k + 1})"
                for k in range(S.MAX_COLLECTIVES)]
    counts = {}
    for name, b in zip(names, ballots_by_row):
        if b:
            from ..core.tally import count_cell

            counts[name] = count_cell(b, [])[0]
    _ballot_grid(ws, fm, title="PHIẾU ĐÁNH GIÁ, XẾP LOẠI CÁC TẬP THỂ", fixed=S.CELL_FIXED, first_row=S.CELL_FIRST_ROW,
                 n_rows=S.MAX_COLLECTIVES, names=names, name_formulas=formulas, ballots=tuple(ballots), counts=counts,
                 printed_rows=max(len(names), 3),
                 hint="Chỉ dùng khi bỏ phiếu xếp loại tập thể. Các dòng theo thứ tự sheet Tập thể (dòng đầu là chi bộ); "
                      "mỗi CỘT là một phiếu: 1-4 hoặc x.")


def _tally(wb, ws, fm: _Formats, case: Optional[Case]) -> None:
    votes = case.member_votes if case else None
    tally = votes if isinstance(votes, Tally) else None
    hands = votes if isinstance(votes, Hands) else None
    ws.write(0, 0, "KIỂM PHIẾU TAY HOẶC BIỂU QUYẾT GIƠ TAY (khi không dùng lưới phiếu)", fm.title)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 28)
    ws.set_column(2, 7, 10)
    ws.set_column(8, 8, 14)
    ws.set_column(9, 10, 11)
    for (r, c), label, value in ((S.TALLY_ISSUED, "Số phiếu phát ra", tally.issued if tally else None),
                                 (S.TALLY_RETURNED, "Số phiếu thu về", tally.returned if tally else None),
                                 (S.TALLY_INVALID, "Số phiếu không hợp lệ (cả phiếu)", tally.invalid if tally else None)):
        ws.write_string(r, c - 1, label, fm.label)
        _write_input(ws, r, c, value, "int", fm)
        ws.data_validation(r, c, r, c, {"validate": "integer", "criteria": ">=", "value": 0, "error_message": "Nhập số nguyên không âm."})
    ws.write_string(S.TALLY_HEADER_ROW - 1, S.TALLY_HANDS_COL, "Biểu quyết giơ tay (mức để trống: mức theo điểm)", fm.note)
    ws.write_row(S.TALLY_HEADER_ROW, 0, S.TALLY_HEADERS, fm.header)
    ws.set_row(S.TALLY_HEADER_ROW, 32)
    rows = list(tally.rows) if tally else []
    hrows = list(hands.rows) if hands else []
    names = [r.name for r in rows] or [r.name for r in hrows]
    ret = f"$C${S.TALLY_RETURNED[0] + 1}"
    bad = f"$C${S.TALLY_INVALID[0] + 1}"
    for i in range(S.MAX_MEMBERS):
        r = S.TALLY_FIRST_ROW + i
        R = r + 1
        row = rows[i] if i < len(rows) else None
        hrow = hrows[i] if i < len(hrows) else None
        name = names[i] if i < len(names) else None
        ws.write_formula(r, 0, f'=IF(B{R}="","",ROW()-{S.TALLY_FIRST_ROW})', fm.calc, i + 1 if name else "")
        if name:
            ws.write_string(r, 1, name, fm.input)
        values = [row.count(lvl) for lvl in LEVELS] + [row.spoiled] if row else [None] * 5
        for k, v in enumerate(values):
            if v is not None:
                ws.write_number(r, 2 + k, v, fm.number)
        ws.write_formula(r, 7, f'=IF(COUNT(C{R}:G{R})=0,"",SUM(C{R}:G{R}))', fm.calc, sum(values) if row else "")
        if hrow:
            if hrow.level:
                ws.write_string(r, S.TALLY_HANDS_COL, hrow.level.code, fm.input_c)
            ws.write_number(r, S.TALLY_HANDS_COL + 1, hrow.agree, fm.number)
            ws.write_number(r, S.TALLY_HANDS_COL + 2, hrow.disagree, fm.number)
    first, last = S.TALLY_FIRST_ROW, S.TALLY_LAST_ROW
    ws.set_column(2, 6, 10, fm.number)
    ws.set_column(S.TALLY_HANDS_COL, S.TALLY_HANDS_COL, 14, fm.input_c)
    ws.set_column(S.TALLY_HANDS_COL + 1, S.TALLY_HANDS_COL + 2, 11, fm.number)
    ws.data_validation(first, 2, last, 6, {"validate": "integer", "criteria": ">=", "value": 0,
                                           "error_message": "Nhập số phiếu (số nguyên không âm)."})
    _list_validation(ws, first, S.TALLY_HANDS_COL, last, S.TALLY_HANDS_COL, [c[0] for c in S.LEVEL_CHOICES], "Mức biểu quyết",
                     "Mức đưa ra biểu quyết; để trống là mức theo điểm.")
    ws.data_validation(first, S.TALLY_HANDS_COL + 1, last, S.TALLY_HANDS_COL + 2, {
        "validate": "integer", "criteria": ">=", "value": 0, "error_message": "Nhập số đồng chí (số nguyên không âm)."})
    ws.conditional_format(first, 7, last, 7, {"type": "formula",
                                              "criteria": f'=AND(H{first + 1}<>"",H{first + 1}<>{ret}-{bad})', "format": fm.bad})
    ws.freeze_panes(first, 2)
    ws.set_tab_color("#00B050")
    # Print what is in use: an empty template prints one page, not the 1000-row capacity.
    _page(ws, landscape=True, header_row=S.TALLY_HEADER_ROW,
          area=(0, 0, first + max(len(names), EMPTY_ROWS) - 1, len(S.TALLY_HEADERS) - 1))


# --------------------------------------------------------------------------- outputs


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


def _results(wb, ws, fm: _Formats, case: Optional[Case], result: Optional[Result]) -> None:
    for i, w in enumerate(S.RESULTS_WIDTHS):
        ws.set_column(i, i, w)
    ws.set_row(S.RESULTS_HEADER_ROW, 30)
    n = 0
    if result is None:
        ws.write(0, 0, "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI", fm.title)
        ws.write(1, 0, "Bấm \"Tính kết quả\" để điền sheet này (cần Python và xlwings). Dữ liệu nhập không bị thay đổi.", fm.note)
        ws.write_row(S.RESULTS_HEADER_ROW, 0, S.RESULTS_HEADERS, fm.header)
    else:
        block = results_block(result, case.meeting.party_cell if case else "")
        n = len(block) - S.RESULTS_FIRST_ROW
        wide = (1, 3, 4, len(S.RESULTS_HEADERS) - 2, len(S.RESULTS_HEADERS) - 1)
        for r, row in enumerate(block):
            if r < S.RESULTS_HEADER_ROW:
                if row[0]:
                    ws.write_string(r, 0, str(row[0]), fm.title if r == 0 else fm.base)
                continue
            fmt_row = fm.header if r == S.RESULTS_HEADER_ROW else None
            for c, value in enumerate(row):
                _write_out(ws, r, c, value, fmt_row or (fm.result if c in wide else fm.result_c))
            if r > S.RESULTS_HEADER_ROW:
                ws.set_row(r, max(_wrapped_height(str(row[c] or ""), S.RESULTS_WIDTHS[c], 14.5, 1.2) for c in wide))
    for code, fmt in fm.fills.items():
        ws.conditional_format(S.RESULTS_FIRST_ROW, S.RESULTS_PROPOSAL_COL, S.RESULTS_FIRST_ROW + S.OUTPUT_MAX_ROWS,
                              S.RESULTS_PROPOSAL_COL, {"type": "cell", "criteria": "==", "value": f'"{code}"', "format": fmt})
    ws.insert_button(0, 13, {"macro": "TinhKetQua", "caption": BUTTONS["TinhKetQua"], "width": 150, "height": 30})
    ws.insert_button(0, 17, {"macro": "XuatBienBan", "caption": BUTTONS["XuatBienBan"], "width": 150, "height": 30})
    ws.freeze_panes(S.RESULTS_FIRST_ROW, 2)
    ws.set_tab_color("#C00000")
    _page(ws, landscape=True, header_row=S.RESULTS_HEADER_ROW,
          area=(0, 0, S.RESULTS_FIRST_ROW + max(n, EMPTY_ROWS) - 1, len(S.RESULTS_HEADERS) - 1))


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
    _page(ws, landscape=True, header_row=S.WARNINGS_HEADER_ROW,
          area=(0, 0, S.WARNINGS_HEADER_ROW + max(len(block), 2) - 1, len(S.WARNINGS_HEADERS) - 1))


def _summary(wb, ws, fm: _Formats, case: Optional[Case], result: Optional[Result]) -> None:
    widths = (5, 26, 12, 6, 30, 8, 10, 10, 9, 10, 9, 10, 40)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    ws.write(0, 0, "DANH SÁCH TỔNG HỢP KẾT QUẢ (gửi cấp ủy; bảng để máy đọc lại)", fm.title)
    if result is None:
        ws.write(S.SUMMARY_META_ROW, 0, "Bấm \"Tính kết quả\" để điền.", fm.note)
        ws.write_row(S.SUMMARY_HEADER_ROW, 0, S.SUMMARY_HEADERS, fm.header)
        n = 0
    else:
        block = summary_block(case, result)
        for i, row in enumerate(block):
            r = S.SUMMARY_META_ROW + i
            for c, value in enumerate(row):
                fmt = fm.header if r == S.SUMMARY_HEADER_ROW else (fm.hidden if r == S.SUMMARY_META_ROW else fm.result_c if c not in (1, 4, 12) else fm.result)
                _write_out(ws, r, c, value, fmt)
        n = len(block) - (S.SUMMARY_HEADER_ROW - S.SUMMARY_META_ROW) - 1
    ws.set_row(S.SUMMARY_HEADER_ROW, 30)
    ws.freeze_panes(S.SUMMARY_FIRST_ROW, 2)
    ws.set_tab_color("#C00000")
    _page(ws, landscape=True, header_row=S.SUMMARY_HEADER_ROW,
          area=(0, 0, S.SUMMARY_FIRST_ROW + max(n, EMPTY_ROWS) - 1, len(S.SUMMARY_HEADERS) - 1))


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
    # IFERROR: without Python the cell shows a sentence, and printing never shows #NAME?.
    missing = '"Cần Python và xlwings để xem nhanh (bấm Kiểm tra môi trường)."'
    ws.write_dynamic_array_formula(4, 0, 4, 0, f"=IFERROR(XEPLOAI_KETQUA({args}),{missing})", fm.base, "")
    ws.write_dynamic_array_formula(4, 9, 4, 9, f"=IFERROR(XEPLOAI_CANHBAO({args}),{missing})", fm.base, "")
    ws.set_tab_color("#FFC000")
    _page(ws, landscape=True, area=(0, 0, 60, 11))


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


#: Rows of "Hội nghị" for guests, vote counters and legal bases (guest_1..3, counter_1..3, basis_1..5).
_MEETING_SLOTS = {"guests": 3, "vote_counters": 3, "legal_basis": 5}


def capacity_problems(case: Case) -> list[tuple[str, str]]:
    """What the template cannot hold, as (JSON path, Vietnamese message): the workbook is never written short.

    Each limit is a fixed block of the template; a case past one would lose data in the workbook
    without a word, and ``compute`` on that workbook would then give another result.
    """
    out = []

    def over(where, n, limit, what):
        if n > limit:
            out.append((where, f"có {n} {what}, mẫu sổ chứa tối đa {limit}"))

    m = case.meeting
    over("members", len(case.members), S.MAX_MEMBERS, "đảng viên")
    over("meeting.guests", len(m.guests), _MEETING_SLOTS["guests"], "đại biểu cấp trên")
    over("meeting.vote_counters", len(m.vote_counters), _MEETING_SLOTS["vote_counters"], "thành viên ban kiểm phiếu")
    over("meeting.legal_basis", len(m.legal_basis), _MEETING_SLOTS["legal_basis"], "căn cứ")
    over("collectives", len(case.collectives), S.MAX_COLLECTIVES - 1, "tập thể (ngoài chi bộ)")
    mv = case.member_votes
    if isinstance(mv, BallotGrid):
        over("member_ballots.order", len(mv.order), S.MAX_MEMBERS, "dòng của lưới phiếu")
        over("member_ballots.ballots", len(mv.ballots), S.MAX_BALLOTS, "phiếu")
        for i, b in enumerate(mv.ballots):
            if b.voter:
                out.append((f"member_ballots.ballots[{i}].voter", "sổ Excel không có chỗ ghi người bầu của từng phiếu: "
                                                                  "hãy dùng tệp hồ sơ .json cho cuộc họp này"))
                break
            if len(b.marks) > S.MAX_MEMBERS:
                over(f"member_ballots.ballots[{i}].marks", len(b.marks), S.MAX_MEMBERS, "dòng")
                break
    elif isinstance(mv, (Tally, Hands)):
        over("member_ballots.rows", len(mv.rows), S.MAX_MEMBERS, "dòng kiểm phiếu")
    for key, _ in case.settings:
        if key not in S.SETTING_KEYS:
            out.append((f"rules.settings.{key}", "sổ Excel không có chỗ cho thiết lập này (chỉ các thiết lập ở sheet Hội nghị): "
                                                 "hãy dùng tệp hồ sơ .json, hoặc bỏ thiết lập này rồi tạo sổ"))
    if isinstance(mv, BallotGrid):
        for i, b in enumerate(mv.ballots):
            if not b.invalid and all(m is None for m in b.marks):
                # A blank column is an unused ballot in the sheet; the case counts it as an empty ballot.
                out.append((f"member_ballots.ballots[{i}]", "phiếu không có ô nào được nhập: sổ Excel không ghi được phiếu trống "
                                                            "(nếu là phiếu không hợp lệ, ghi \"invalid\": true)"))
                break
    for i, c in enumerate((case.party_cell, *case.collectives)):
        where = "party_cell" if i == 0 else f"collectives[{i - 1}]"
        if isinstance(c.votes, CellBallots):
            over(f"{where}.ballots.marks", len(c.votes.marks), S.MAX_BALLOTS, "phiếu")
        for j, name in enumerate(c.members):
            # The sheet holds a collective's members in one cell, separated by ";".
            if ";" in name:
                out.append((f"{where}.members[{j}]", f"họ tên '{name}' có dấu chấm phẩy (;), là dấu ngăn cách các thành viên trong sổ"))
    return out


def build_workbook(path: str | os.PathLike, case: Optional[Case] = None, result: Optional[Result] = None,
                   vba: Optional[bytes] = None, cached_counts: bool = True) -> Path:
    """Write the workbook to ``path`` (overwriting: callers choose a fresh name).

    ``cached_counts=False`` leaves the count, total, band and percentage formulas without cached
    results, so a test can prove that a spreadsheet program computes them itself.
    """
    out = Path(path)
    if case is not None:
        case, _ = for_workbook(case)
    counts: dict = {}
    if cached_counts and case is not None and isinstance(case.member_votes, BallotGrid):
        from ..core.tally import count_grid

        roster = {m.name: m for m in case.members}
        reviewed = [roster[n] for n in case.member_votes.order if n in roster]
        counts, _ = count_grid(case.member_votes, reviewed, roster, [])
    if case is not None:
        problems = capacity_problems(case)
        if problems:
            from ..io.casefile import CaseFileError

            lines = "\n".join(f"- {w}: {m}" for w, m in problems)
            raise CaseFileError("hồ sơ có dữ liệu mà sổ Excel theo mẫu không chứa được; không tạo sổ (không bỏ bớt dữ liệu):\n"
                                + lines, problems[0][0])
    wb = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False, "max_url_length": 255})
    wb.set_properties({"title": "Kiểm điểm, đánh giá, xếp loại chất lượng chi bộ, đảng viên", "created": FIXED_DATE,
                       "author": "", "comments": "Tạo bởi xlwings_addin"})
    wb.set_vba_name("ThisWorkbook")
    wb.add_vba_project(io.BytesIO(vba if vba is not None else vba_project_bytes()), is_stream=True)
    fm = _Formats(wb)
    _CACHE["on"] = cached_counts
    sheets = {name: wb.add_worksheet(name, worksheet_class=_Sheet) for name in S.ALL_SHEETS}
    for i, ws in enumerate(sheets.values()):
        ws.set_vba_name(f"Sheet{i + 1}")
    uses_scores = case is None or case.meeting.review_year >= 2025
    _guide(wb, sheets[S.SHEET_GUIDE], fm)
    _meeting(wb, sheets[S.SHEET_MEETING], fm, case)
    _roster(wb, sheets[S.SHEET_ROSTER], fm, case)
    _member_sheet(wb, sheets[S.SHEET_SCORES], fm, S.SCORE_COLUMNS, case if uses_scores else _no_facts(case),
                  _score_row, "CHẤM ĐIỂM (QUY ĐỊNH 366-QĐ/TW, TỪ NĂM 2025)",
                  "Mỗi dòng là đảng viên cùng dòng ở sheet Danh sách. Điểm tiêu chí chung tối đa 30, kết quả thực hiện nhiệm vụ tối đa 70; "
                  "tổng, khung điểm và tỷ lệ % tự tính.", band_fills=True)
    _member_sheet(wb, sheets[S.SHEET_CRITERIA], fm, S.CRITERIA_COLUMNS, _no_facts(case) if uses_scores else case,
                  _criteria_row, "TIÊU CHÍ (QUY ĐỊNH 124-QĐ/TW, NĂM 2023, 2024)",
                  "Mỗi dòng là đảng viên cùng dòng ở sheet Danh sách. Chỉ dùng cho năm đánh giá 2023, 2024.")
    _collectives(wb, sheets[S.SHEET_COLLECTIVES], fm, case)
    _grid(wb, sheets[S.SHEET_GRID], fm, case, counts)
    _tally(wb, sheets[S.SHEET_TALLY], fm, case)
    _cell_grid(wb, sheets[S.SHEET_CELL], fm, case)
    _results(wb, sheets[S.SHEET_RESULTS], fm, case, result)
    _warnings(wb, sheets[S.SHEET_WARNINGS], fm, result)
    _summary(wb, sheets[S.SHEET_SUMMARY], fm, case, result)
    _live(wb, sheets[S.SHEET_LIVE], fm)
    _conf(wb, sheets[S.SHEET_CONF])
    for name in unused_sheets(case):
        _hide_sheet(sheets[name])
    sheets[S.SHEET_GUIDE].activate()
    _CACHE["on"] = True
    wb.close()
    return out


def unused_sheets(case: Optional[Case]) -> list[str]:
    """Input sheets a filled workbook hides: the other regulation's facts sheet (it holds the names only)
    and the member vote sheet of the form not used (grid or hand tally). The blank template shows all.

    Hidden, they neither confuse nor print; "Tính kết quả" shows the year's facts sheet again when
    the year is changed, and the guide says how to show the other vote sheet.
    """
    if case is None:
        return []
    out = [S.SHEET_CRITERIA if case.meeting.review_year >= 2025 else S.SHEET_SCORES]
    if isinstance(case.member_votes, BallotGrid):
        out.append(S.SHEET_TALLY)
    elif isinstance(case.member_votes, (Tally, Hands)):
        out.append(S.SHEET_GRID)
    return out


def _hide_sheet(ws) -> None:
    # LibreOffice prints a hidden sheet that has a print area or print titles (Excel does not): drop both.
    ws.print_area_range = ""
    ws.repeat_row_range = ""
    ws.hide()


def _counts_from_pct(perf):
    """QĐ 366 sheets hold task counts: percentages alone become counts out of 100 (same shares)."""
    from ..core.record import replace

    from ..core.models import Tasks

    if perf.tasks.has_any or all(v is None for v in (perf.tasks_completed_pct, perf.tasks_exceeded_pct, perf.tasks_late_pct,
                                                      perf.on_time_with_quality)):
        return perf, False
    done = perf.tasks_completed_pct if perf.tasks_completed_pct is not None else (Fraction(100) if perf.on_time_with_quality else None)
    late = perf.tasks_late_pct
    on_time = None
    if perf.on_time_with_quality is True:
        on_time = Fraction(100)
    elif done is not None and late is not None:
        on_time = done - late
    values = [done, on_time, perf.tasks_exceeded_pct, late]
    if any(v is not None and v.denominator != 1 for v in values):
        return perf, False  # 12.5% has no whole count out of 100: keep the percentage (the sheet cannot show it)
    to_int = lambda v: None if v is None else int(v)  # noqa: E731
    tasks = Tasks(assigned=100, done=to_int(done), on_time=to_int(on_time), exceeded=to_int(perf.tasks_exceeded_pct),
                  late=to_int(late))
    return replace(perf, tasks=tasks, tasks_completed_pct=None, tasks_exceeded_pct=None, tasks_late_pct=None,
                   on_time_with_quality=None), True


def _pct_from_counts(perf):
    """QĐ 124 sheets hold percentages: counts become their shares."""
    from ..core.record import replace

    from ..core.models import Tasks
    from ..core.tasks import rates_from_counts

    if not perf.tasks.has_any:
        return perf, False
    r = rates_from_counts(perf.tasks)
    return replace(perf, tasks=Tasks(), tasks_completed_pct=r.done_pct, tasks_exceeded_pct=r.exceeded_pct), True


def for_workbook(case: Case) -> tuple[Case, list[str]]:
    """The case as the workbook of its review year holds it, and what had to be converted (said to the user)."""
    from ..core.record import replace

    scores = case.meeting.review_year >= 2025
    convert = _counts_from_pct if scores else _pct_from_counts
    notes = []
    dropped = []
    members = []
    for m in case.members:
        perf, changed = convert(m.performance)
        if changed:
            notes.append(m.name)
        # Facts of the other regulation have no column in this year's sheet (and no effect on the result).
        unused = (("criteria_grade", "results_grade") if scores else
                  ("self_score_common", "self_score_results", "score_common", "score_results"))
        if any(getattr(perf, k) is not None for k in unused):
            dropped.append(m.name)
            perf = replace(perf, **{k: None for k in unused})
            changed = True
        members.append(replace(m, performance=perf) if changed else m)
    colls = []
    for c in (case.party_cell, *case.collectives):
        perf, changed = convert(c.performance)
        if changed:
            notes.append(c.name or case.meeting.party_cell)
        colls.append(replace(c, performance=perf) if changed else c)
    if not notes and not dropped:
        return case, []
    out = []
    if notes:
        what = ("tỷ lệ % nhiệm vụ thành số nhiệm vụ trên 100 (sheet Chấm điểm ghi số nhiệm vụ)" if scores
                else "số nhiệm vụ thành tỷ lệ % (sheet Tiêu chí 124 ghi tỷ lệ)")
        out.append(f"Đã chuyển {what} của: {', '.join(notes)}.")
    if dropped:
        what = "mức các tiêu chí theo QĐ 124" if scores else "điểm chấm theo QĐ 366"
        out.append(f"Không chép {what} (không dùng cho năm đánh giá {case.meeting.review_year}) của: {', '.join(dropped)}.")
    return replace(case, members=tuple(members), party_cell=colls[0], collectives=tuple(colls[1:])), out


def _no_facts(case: Optional[Case]) -> Optional[Case]:
    """The case with the members' facts hidden: the sheet that does not apply shows names only."""
    if case is None:
        return None
    from ..core.record import replace

    from ..core.models import Member

    return replace(case, members=tuple(Member(name=m.name) for m in case.members))
