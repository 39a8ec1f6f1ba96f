"""Output blocks for the "Kết quả" and "Cảnh báo" sheets, as 2D lists (pure).

The live macro writes each block in one call and the file writer writes the same blocks with
openpyxl, so both produce identical sheets.
"""

from __future__ import annotations

import re

from ..core.levels import LEVELS
from ..core.result import RULE_LABELS, Result
from ..core.vnformat import percent_vn
from . import schema as S

_CELL_REF = re.compile(r"^(?P<sheet>[^!]+)!(?P<cell>\$?[A-Z]{1,3}\$?\d+)$")


class Formula(str):
    """A formula this program wrote on purpose (a link); every other string is plain text."""


def safe_text(value):
    """Return a cell value that Excel will never read as a formula.

    Only ``Formula`` values stay formulas; user text starting with = + - @ gets Excel's text prefix
    (an apostrophe), which Excel does not show.
    """
    if isinstance(value, Formula):
        return str(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def link_formula(where: str):
    """A HYPERLINK formula to a cell we named ourselves ("Sheet!A1"), or the plain text."""
    m = _CELL_REF.match(where or "")
    if not m or m.group("sheet") not in S.ALL_SHEETS:
        return where or ""
    sheet = m.group("sheet").replace("'", "''")
    label = where.replace('"', '""')
    return Formula(f'=HYPERLINK("#\'{sheet}\'!{m.group("cell")}","{label}")')


def summary_lines(result: Result, party_cell: str = "") -> list[str]:
    """The lines above the results table."""
    s, q = result.summary, result.quota
    status = ("ĐỀ XUẤT của chi bộ, chờ cấp ủy cấp trên quyết định" if result.status == "proposed"
              else "Đã có quyết định của cấp có thẩm quyền")
    errors = sum(1 for f in result.findings if f.severity.value == "error")
    warnings = sum(1 for f in result.findings if f.severity.value == "warning")
    counts = "; ".join(f"{lvl.short}: {s['by_level'][lvl.code]}" for lvl in LEVELS)
    lines = [
        f"KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG NĂM {result.review_year}" + (f" - {party_cell.upper()}" if party_cell else ""),
        f"Tình trạng: {status}. Lỗi: {errors}; cảnh báo: {warnings} (xem sheet {S.SHEET_WARNINGS}).",
        f"Quy định áp dụng: {result.rules_title}. Cơ sở tính tỷ lệ: {result.base} ({result.base_label}).",
        f"Đảng viên: {result.official} chính thức, {result.probationary} dự bị; có mặt {result.present_official}/{result.base} đảng viên chính thức.",
        f"Được đánh giá: {s['reviewed']}; {counts}; không đánh giá: {len(s['not_reviewed'])}.",
        f"Tỷ lệ HTXSNV: {q.proposed}/{q.htt} = {q.share_of_htt} số HTTNV (tối đa {q.ratio_label}: {q.limit}); "
        f"{q.proposed}/{q.reviewed} = {q.share_of_reviewed} số được đánh giá" + (" - VƯỢT TỶ LỆ, xem cảnh báo." if q.exceeded else "."),
        f"Mã kiểm tra dữ liệu: {result.fingerprint}",
    ]
    return lines


def _row(no, r, kind_label: str) -> list:
    out = [no, r.name, r.membership or "", kind_label]
    for lvl in LEVELS:
        n = r.votes_for(lvl)
        out += [n if r.reviewed else "", percent_vn(n, r.base) if (r.reviewed and r.base) else ""]
    out += [r.valid if r.reviewed else "", r.spoiled if r.reviewed else "",
            r.voted_level.short if r.voted_level else "",
            r.proposed_level.short if r.proposed_level else ("" if not r.reviewed else "Chưa xác định"),
            RULE_LABELS.get(r.rule, r.rule), r.explanation]
    return out


def results_block(result: Result, party_cell: str = "") -> list[list]:
    """Rows from A1: summary lines, a blank row, the header, the chi bộ row, the member rows."""
    width = len(S.RESULTS_HEADERS)
    block = [[line] + [""] * (width - 1) for line in summary_lines(result, party_cell)]
    while len(block) < S.RESULTS_HEADER_ROW:
        block.append([""] * width)
    block.append(list(S.RESULTS_HEADERS))
    if result.party_cell is not None:
        block.append(_row("", result.party_cell, "Tập thể"))
    for i, m in enumerate(result.members, 1):
        block.append(_row(i, m, "Có" if m.reviewed else f"Không ({m.not_reviewed_reason})"))
    return block


def warnings_block(result: Result) -> list[list]:
    """Rows from the header row of "Cảnh báo": header then one row per finding."""
    block = [list(S.WARNINGS_HEADERS)]
    for f in result.findings:
        block.append([f.severity.label, f.code, f.message, link_formula(f.where), f.rule])
    if not result.findings:
        block.append(["", "", "Không có cảnh báo.", "", ""])
    return block


def error_block(problems: list[tuple[str, str]]) -> list[list]:
    """The warnings block when the workbook itself could not be read."""
    block = [list(S.WARNINGS_HEADERS)]
    for where, message in problems:
        block.append(["Lỗi", "WORKBOOK_INPUT", message, link_formula(where), ""])
    return block
