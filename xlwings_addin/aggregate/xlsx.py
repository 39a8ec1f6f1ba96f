"""Write the summary workbook (.xlsx) from the DataFrames: filters, frozen headers, printable pages.

Written in memory, then published by ``io.files.write_new_file``: an existing summary is never
replaced, and a kill leaves no half-written file.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Optional

import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from ..io.files import write_new_file
from . import columns as C
from . import frames
from .model import Aggregate
from .xlsxpatch import rewrite_parts


#: Columns that help find a row's source but are not printed (they come last).
_NOT_PRINTED = ("Tệp", "Dòng trong sổ")
#: Column width units that fit one landscape A4 page at about 7.5 pt or more (the 11 pt default scaled to 0.67).
_ONE_PAGE_WIDTH = 215


def _layout(book, ws, df: pd.DataFrame, widths: dict, title: str, fm: dict, input_cols=(), freeze_cols: int = 0) -> list:
    """Header row, column widths and formats, filter, frozen panes and print setup; returns the columns' formats."""
    ncols = max(1, len(df.columns))
    formats, sizes = [], []
    for j, name in enumerate(df.columns):
        width = widths.get(name) or min(40, max(8, len(str(name)) * 0.9))
        fmt = fm["input"] if name in input_cols else fm["wrap"] if width >= 24 else None
        formats.append(fmt)
        sizes.append(width)
        ws.set_column(j, j, width, fmt)
        ws.write_string(0, j, str(name), fm["header"])
    ws.set_row(0, 45)
    ws.freeze_panes(1, freeze_cols)
    ws.autofilter(0, 0, max(1, len(df)), ncols - 1)
    # Printing: landscape A4, the header row on every page, page numbers. The file and row columns (for
    # finding the source) are not printed. A sheet too wide for one page at a readable size (7.5 pt or more)
    # prints two or three pages across, its identifying columns (the frozen ones) repeated on each.
    ws.set_landscape()
    ws.set_paper(9)
    printed = ncols
    while printed > 1 and str(df.columns[printed - 1]) in _NOT_PRINTED:
        printed -= 1
    ws.print_area(0, 0, max(1, len(df)), printed - 1)
    width, kept = sum(sizes[:printed]), sum(sizes[:freeze_cols])
    across = 1
    if width > _ONE_PAGE_WIDTH:
        # Each page holds the repeated columns and its share of the others.
        room = _ONE_PAGE_WIDTH - kept if kept < _ONE_PAGE_WIDTH / 2 else _ONE_PAGE_WIDTH
        across = min(3, math.ceil((width - (kept if room < _ONE_PAGE_WIDTH else 0)) / room))
    if across > 1 and freeze_cols and kept < _ONE_PAGE_WIDTH / 2:
        ws.repeat_columns(0, freeze_cols - 1)
    ws.fit_to_pages(across, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.5, right=0.4, top=0.7, bottom=0.6)
    ws.set_header(f'&C&"Times New Roman,Bold"&12{title.replace("&", "&&")}')
    ws.set_footer('&C&"Times New Roman"&10Trang &P/&N')
    ws.hide_gridlines(0)
    return formats


_CTRL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 1 = 1900-01-01 with Excel's 1900-02-29; right from March 1900 on
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')


def _xml_text(v: str) -> str:
    if _CTRL.search(v):
        # Excel's own escape for a control character (what XlsxWriter writes too).
        v = _CTRL.sub(lambda m: f"_x{ord(m.group()):04X}_", v)
    return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _rows_xml(df: pd.DataFrame, col_styles: list[str], date_style: str) -> str:
    """The data rows of a frame as SpreadsheetML from row 2: the cells XlsxWriter would write, faster.

    A commune-wide member list is 40,000 rows by 20 columns; XlsxWriter's per-cell calls and its
    shared-string table took about 9 s of the aggregate for it. Here each value becomes its cell in
    one pass: text as an inline string (never a formula), numbers as numbers, dates as serials in
    the dd/mm/yyyy format, the column's format on each cell as XlsxWriter does. Blanks are left out.
    """
    dates = {j for j, dt in enumerate(df.dtypes) if str(dt).startswith("datetime")}
    letters = [xl_col_to_name(j) for j in range(len(df.columns))]
    clean = df.astype(object).where(pd.notna(df), None)
    out = []
    for r, row in enumerate(clean.itertuples(index=False, name=None), start=2):
        cells = []
        for j, v in enumerate(row):
            if v is None or v == "":
                continue
            if j in dates:
                v = v.to_pydatetime() if hasattr(v, "to_pydatetime") else v
                if not isinstance(v, datetime):
                    v = datetime(v.year, v.month, v.day)
                serial = (v - _EXCEL_EPOCH).total_seconds() / 86400
                cells.append(f'<c r="{letters[j]}{r}" s="{date_style}"><v>{serial:.16G}</v></c>')
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                cells.append(f'<c r="{letters[j]}{r}"{col_styles[j]}><v>{v:.16G}</v></c>')  # XlsxWriter's precision
            else:
                text = v if isinstance(v, str) else str(v)
                space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
                cells.append(f'<c r="{letters[j]}{r}"{col_styles[j]} t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>')
        if cells:
            out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return "".join(out)


def _splice_rows(data: bytes, rows: dict[str, tuple[str, int, int]]) -> bytes:
    """Put each sheet's data rows after its header row, in the workbook XlsxWriter wrote."""
    def splice(name: str, content: bytes) -> bytes:
        xml, last_row, last_col = rows.get(name, ("", 0, 0))
        if not xml:
            return content
        head, sep, tail = content.partition(b"</sheetData>")
        if not sep:  # XlsxWriter always writes one: a changed XlsxWriter must fail loudly, not lose rows
            raise RuntimeError(f"{name}: không có sheetData")
        ref = f'<dimension ref="A1:{xl_col_to_name(max(0, last_col))}{last_row}"/>'.encode()
        return _DIMENSION.sub(ref, head, count=1) + xml.encode("utf-8") + sep + tail

    with zipfile.ZipFile(io.BytesIO(data)) as src:
        return rewrite_parts(src, splice)


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
        sheets.append((C.SHEET_HISTORY, history, (), "KẾT QUẢ NHIỀU NĂM, ĐẾN", 2))
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
        rows = {}
        # XlsxWriter numbers a format when a cell first uses it; the data rows are written outside it, so
        # their formats are numbered here (the number is what each cell's s="..." refers to).
        date_style = str(fm["date"]._get_xf_index())
        for k, (name, df, cols, title, freeze) in enumerate(sheets, 1):
            ws = book.add_worksheet(name)
            widths = {h: w for _, h, w in cols}
            inputs = ()
            if name in (C.SHEET_MEMBERS, C.SHEET_COLLECTIVES):
                inputs = (C.header_of(C.MEMBER_COLUMNS, "decided"), C.header_of(C.MEMBER_COLUMNS, "decision_ref"))
            full_title = f"{title}{title_year}" + (f" - {committee}" if committee else "")
            formats = _layout(book, ws, df, widths, full_title, fm, inputs, freeze)
            styles = [f' s="{f._get_xf_index()}"' if f is not None else "" for f in formats]
            rows[f"xl/worksheets/sheet{k}.xml"] = (_rows_xml(df, styles, date_style), len(df) + 1, len(df.columns) - 1)
            if inputs:
                _levels_validation(ws, df, inputs[0])
            if name == C.SHEET_MEMBERS:
                first = ws
        if first is not None:
            first.activate()
    finally:
        book.close()
    return _splice_rows(buf.getvalue(), rows)


def write_summary(agg: Aggregate, out: Path, options: Optional[dict] = None, expected: Optional[dict] = None) -> Path:
    """Write the summary workbook to ``out`` (or the next free numbered name); return the path written."""
    return write_new_file(summary_bytes(agg, options, expected), out)
