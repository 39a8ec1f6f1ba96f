"""Write the summary workbook (.xlsx) from the DataFrames: filters, frozen headers, printable pages.

Written in memory, then published by ``io.files.write_new_file``: an existing summary is never
replaced, and a kill leaves no half-written file.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Optional

import pandas as pd

from ..io.files import write_new_file
from . import columns as C
from . import frames
from .model import Aggregate


def _layout(book, ws, df: pd.DataFrame, widths: dict, title: str, fm: dict, input_cols=(), freeze_cols: int = 0) -> None:
    ncols = max(1, len(df.columns))
    for j, name in enumerate(df.columns):
        width = widths.get(name) or min(40, max(8, len(str(name)) * 0.9))
        fmt = fm["input"] if name in input_cols else fm["wrap"] if width >= 24 else None
        ws.set_column(j, j, width, fmt)
        ws.write_string(0, j, str(name), fm["header"])
    ws.set_row(0, 45)
    ws.freeze_panes(1, freeze_cols)
    ws.autofilter(0, 0, max(1, len(df)), ncols - 1)
    # Printing: landscape A4, one page wide, the header row on every page, page numbers.
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.5, right=0.4, top=0.7, bottom=0.6)
    ws.set_header(f'&C&"Times New Roman,Bold"&12{title.replace("&", "&&")}')
    ws.set_footer('&C&"Times New Roman"&10Trang &P/&N')
    ws.hide_gridlines(0)


def _write_frame(ws, df: pd.DataFrame, date_fmt) -> None:
    """The DataFrame's cells from row 2, one typed call per cell.

    pandas' own ``to_excel`` builds and JSON-encodes a style for every cell (15 s for 40,000
    members); writing the values straight to XlsxWriter takes a fraction of that and gives the same
    cells: text as text (never a formula), numbers as numbers, dates with the dd/mm/yyyy format.
    """
    dates = {j for j, dt in enumerate(df.dtypes) if str(dt).startswith("datetime")}
    clean = df.astype(object).where(pd.notna(df), None)
    write_string, write_number, write_datetime = ws.write_string, ws.write_number, ws.write_datetime
    for i, row in enumerate(clean.itertuples(index=False, name=None), start=1):
        for j, v in enumerate(row):
            if v is None or v == "":
                continue
            if j in dates:
                write_datetime(i, j, v.to_pydatetime() if hasattr(v, "to_pydatetime") else v, date_fmt)
            elif isinstance(v, str):
                write_string(i, j, v)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                write_number(i, j, v)
            else:
                write_string(i, j, str(v))


def _levels_validation(ws, df: pd.DataFrame, header: str) -> None:
    if header not in df.columns:
        return
    j = list(df.columns).index(header)
    ws.data_validation(1, j, max(1, len(df)) + 200, j, {
        "validate": "list", "source": ["HTXSNV", "HTTNV", "HTNV", "KHTNV"], "input_title": "Cấp ủy quyết định",
        "input_message": "Chọn mức cấp ủy quyết định; để trống nếu chưa quyết định.",
        "error_message": "Chọn một trong các mức HTXSNV, HTTNV, HTNV, KHTNV."})


def summary_bytes(agg: Aggregate, options: Optional[dict] = None, expected: Optional[dict] = None) -> bytes:
    """The summary workbook's bytes."""
    options = options or {}
    buf = io.BytesIO()
    title_year = f" NĂM {agg.review_year}" if agg.review_year else ""
    committee = (agg.committee or "").upper()
    sheets = [
        (C.SHEET_CELLS, frames.cell_frame(agg, expected), C.CELL_COLUMNS, "TỔNG HỢP THEO CHI BỘ", 2),
        (C.SHEET_MEMBERS, frames.member_frame(agg), C.MEMBER_COLUMNS, "DANH SÁCH ĐẢNG VIÊN", 4),
        (C.SHEET_COLLECTIVES, frames.collective_frame(agg), C.COLLECTIVE_COLUMNS, "DANH SÁCH TỔ CHỨC ĐẢNG, TẬP THỂ", 5),
        (C.SHEET_GROUPS, frames.group_frame(agg), (), "TỔNG HỢP THEO NHÓM", 1),
        (C.SHEET_LEVELS, frames.level_frame(agg), (), "TỔNG HỢP THEO MỨC XẾP LOẠI", 1),
        (C.SHEET_POOLS, frames.pool_frame(agg), C.POOL_COLUMNS, "TỶ LỆ HOÀN THÀNH XUẤT SẮC NHIỆM VỤ (TÍNH CHUNG)", 1),
        (C.SHEET_CANDIDATES, frames.candidate_frame(agg), C.CANDIDATE_COLUMNS, "THỨ TỰ XÉT HOÀN THÀNH XUẤT SẮC NHIỆM VỤ", 3),
    ]
    history = frames.history_frame(agg)
    if history is not None:
        sheets.append((C.SHEET_HISTORY, history, (), "KẾT QUẢ NHIỀU NĂM", 2))
    sheets.append((C.SHEET_PROBLEMS, frames.problem_frame(agg), C.PROBLEM_COLUMNS, "KIỂM TRA SỐ LIỆU", 0))
    sheets.append((C.SHEET_INFO, frames.info_frame(agg, options), (), "THÔNG TIN", 1))
    import xlsxwriter

    # strings_to_formulas off: a name or note typed as "=..." stays text (DESIGN §5), never a formula.
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    try:
        book.set_properties({"title": f"Tổng hợp kết quả xếp loại{title_year}", "author": "", "comments": "Tạo bởi xlwings_addin"})
        fm = {
            "header": book.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "align": "center", "border": 1,
                                       "bg_color": "#DDEBF7", "font_name": "Times New Roman", "font_size": 11}),
            "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
            "input": book.add_format({"bg_color": "#FFF2CC", "border": 1, "align": "center"}),
            "date": book.add_format({"num_format": "dd/mm/yyyy"}),
        }
        first = None
        for name, df, cols, title, freeze in sheets:
            ws = book.add_worksheet(name)
            _write_frame(ws, df, fm["date"])
            widths = {h: w for _, h, w in cols}
            inputs = ()
            if name in (C.SHEET_MEMBERS, C.SHEET_COLLECTIVES):
                inputs = (C.header_of(C.MEMBER_COLUMNS, "decided"), C.header_of(C.MEMBER_COLUMNS, "decision_ref"))
            full_title = f"{title}{title_year}" + (f" - {committee}" if committee else "")
            _layout(book, ws, df, widths, full_title, fm, inputs, freeze)
            if inputs:
                _levels_validation(ws, df, inputs[0])
            if name == C.SHEET_MEMBERS:
                first = ws
        if first is not None:
            first.activate()
    finally:
        book.close()
    return buf.getvalue()


def write_summary(agg: Aggregate, out: Path, options: Optional[dict] = None, expected: Optional[dict] = None) -> Path:
    """Write the summary workbook to ``out`` (or the next free numbered name); return the path written."""
    return write_new_file(summary_bytes(agg, options, expected), out)
