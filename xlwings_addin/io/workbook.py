"""Read the workbook from a file on disk (no Excel): openpyxl, values only, input unchanged.

Each input block is read in one pass and handed to ``tables.case_from_tables``, the same converter
the live macro and the UDFs use.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core.models import Case
from . import schema as S
from .casefile import CaseFileError
from .tables import Tables, WorkbookError, case_from_tables

# (sheet, first row0, last row0, last col0) of each input block, in Tables field order.
BLOCKS = {
    "meeting": (S.SHEET_MEETING, S.MEETING_FIRST_ROW, S.MEETING_LAST_ROW, 3),
    "roster": (S.SHEET_ROSTER, S.ROSTER_HEADER_ROW, S.ROSTER_LAST_ROW, len(S.ROSTER_COLUMNS) - 1),
    "grid": (S.SHEET_GRID, S.GRID_HEADER_ROW, S.GRID_LAST_ROW, S.GRID_LAST_BALLOT_COL),
    "tally": (S.SHEET_TALLY, 0, S.TALLY_LAST_ROW, len(S.TALLY_HEADERS) - 1),
    "cell": (S.SHEET_CELL, S.CELL_HEADER_ROW, S.CELL_LAST_ROW, S.CELL_TALLY_COL + 2),
}


def block_address(name: str) -> str:
    """The A1 range of an input block, e.g. "A4:D58"."""
    _, r1, r2, c2 = BLOCKS[name]
    return f"A{r1 + 1}:{S.col(c2)}{r2 + 1}"


def _check_file(path: Path) -> None:
    """Refuse, with a message that says what to do, anything that is not an .xlsx/.xlsm workbook."""
    suffix = path.suffix.lower()
    if suffix in (".xls", ".xlsb"):
        raise CaseFileError(f"tệp {path.name} là định dạng Excel cũ ({suffix}): hãy mở bằng Excel và lưu thành .xlsm")
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise CaseFileError(f"không tìm thấy tệp {path.name}") from None
    except PermissionError:
        raise CaseFileError(f"không mở được {path.name}: tệp đang được mở hoặc bị khóa; hãy đóng tệp trong Excel rồi thử lại") from None
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise CaseFileError(f"tệp {path.name} là định dạng Excel cũ (.xls) hoặc bị mã hóa bằng mật khẩu: hãy lưu thành .xlsm không đặt mật khẩu")
    if not head.startswith(b"PK"):
        raise CaseFileError(f"tệp {path.name} không phải sổ Excel (.xlsm)")


def _open(path: Path):
    # python-calamine reads the cached values of a 400 x 400 grid in milliseconds (openpyxl takes
    # seconds), reports merged cells, and never writes: the input file stays untouched.
    from python_calamine import CalamineWorkbook

    _check_file(path)
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged archives
        raise CaseFileError(f"sổ Excel {path.name} bị hỏng, không đọc được ({type(exc).__name__})") from None


def _merged_problems(sheet_obj, name: str) -> list[tuple[str, str]]:
    sheet, r1, r2, c2 = BLOCKS[name]
    out = []
    for (top, left), (bottom, right) in sheet_obj.merged_cell_ranges or []:
        if top <= r2 and bottom >= r1 and left <= c2:
            ref = f"{S.addr(top, left)}:{S.addr(bottom, right)}"
            out.append((f"{sheet}!{ref}", "ô bị gộp (merge) trong vùng nhập liệu: hãy bỏ gộp ô (Merge & Center > Unmerge Cells)"))
    return out


def read_tables(path: str | os.PathLike) -> Tables:
    """Read the five input blocks of a workbook file."""
    p = Path(path)
    wb = _open(p)
    try:
        problems = []
        blocks = {}
        names = wb.sheet_names
        for key, (sheet, r1, r2, c2) in BLOCKS.items():
            if sheet not in names:
                similar = [n for n in names if n.casefold().replace(" ", "") == sheet.casefold().replace(" ", "")]
                hint = f" (có sheet '{similar[0]}': hãy đổi lại đúng tên)" if similar else ""
                problems.append((sheet, f"thiếu sheet '{sheet}'{hint}; không đổi tên hay xóa các sheet của mẫu"))
                blocks[key] = []
                continue
            ws = wb.get_sheet_by_name(sheet)
            problems += _merged_problems(ws, key)
            top, left = ws.start or (0, 0)
            rows = ws.to_python(skip_empty_area=False)
            # Re-anchor at A1 (calamine starts at the first used cell), then cut out the block.
            grid = [[""] * left + list(r) for r in rows]
            grid = [[]] * top + grid
            blocks[key] = [row[: c2 + 1] for row in grid[r1: r2 + 1]]
        if problems:
            raise WorkbookError(problems)
        return Tables(**blocks)
    finally:
        close = getattr(wb, "close", None)
        if close:
            close()


def read_workbook(path: str | os.PathLike) -> Case:
    """Read a workbook file as a case; raise ``CaseFileError`` naming the sheet and cell when it cannot."""
    return case_from_tables(read_tables(path))
