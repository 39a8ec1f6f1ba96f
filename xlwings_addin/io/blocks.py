"""Where each input block of the workbook lies, and how far its data goes (no I/O, no parsing).

Shared by the file reader (``io/workbook``) and the live reader (``excel/macros``): a button click
imports this small module, not the file reader's zip and XML machinery.
"""

from __future__ import annotations

from typing import Optional

from . import schema as S

# (sheet, first row0, last row0, last col0) of each input block, in Tables field order.
BLOCKS = {
    # Columns A..G: the key, label, value, title and hint columns, and the hidden extents (G1:G7).
    "meeting": (S.SHEET_MEETING, 0, S.MEETING_LAST_ROW, S.EXTENT_COL),
    "roster": (S.SHEET_ROSTER, S.HEADER_ROW, S.LAST_ROW, len(S.ROSTER_COLUMNS) - 1),
    "scores": (S.SHEET_SCORES, S.HEADER_ROW, S.LAST_ROW, len(S.SCORE_COLUMNS) - 1),
    "criteria": (S.SHEET_CRITERIA, S.HEADER_ROW, S.LAST_ROW, len(S.CRITERIA_COLUMNS) - 1),
    "collectives": (S.SHEET_COLLECTIVES, S.COLL_HEADER_ROW, S.COLL_LAST_ROW, len(S.COLLECTIVE_COLUMNS) - 1),
    "grid": (S.SHEET_GRID, S.GRID_HEADER_ROW, S.GRID_LAST_ROW, S.GRID_LAST_BALLOT_COL),
    "tally": (S.SHEET_TALLY, 0, S.TALLY_LAST_ROW, len(S.TALLY_HEADERS) - 1),
    "cell": (S.SHEET_CELL, S.CELL_HEADER_ROW, S.CELL_LAST_ROW, S.CELL_LAST_BALLOT_COL),
}
#: What each block holds, for the message when data is found past it.
_CAPACITY = {
    "roster": f"tối đa {S.MAX_MEMBERS} đảng viên", "scores": f"tối đa {S.MAX_MEMBERS} đảng viên",
    "criteria": f"tối đa {S.MAX_MEMBERS} đảng viên", "collectives": f"tối đa {S.MAX_COLLECTIVES} tập thể",
    "grid": f"tối đa {S.MAX_MEMBERS} đảng viên và {S.MAX_BALLOTS} phiếu", "tally": f"tối đa {S.MAX_MEMBERS} đảng viên",
    "cell": f"tối đa {S.MAX_COLLECTIVES} tập thể và {S.MAX_BALLOTS} phiếu", "meeting": "các dòng của mẫu",
}
#: The last column that may hold template text or helper formulas (hints, extents, the hidden
#: "row has data" column of the member sheets); only cells past it count as stray data.
_FREE_COLUMNS = {"meeting": 8, "roster": len(S.ROSTER_COLUMNS), "scores": len(S.SCORE_COLUMNS),
                 "criteria": len(S.CRITERIA_COLUMNS)}


def extents_from(meeting_rows: list) -> Optional[dict]:
    """The data extents the workbook's own formulas computed (hidden column G of "Hội nghị").

    None when they are not there or not calculated (a file saved without formula results, e.g.
    by openpyxl): then every block is read to its capacity.
    """
    out = {}
    for i, key in enumerate(S.EXTENTS):
        row = meeting_rows[i] if i < len(meeting_rows) else None
        value = row[S.EXTENT_COL] if row and len(row) > S.EXTENT_COL else None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 10 ** 6:
            return None
        out[key] = int(value)
    return out


# Rows (beyond the header rows) and last column each block needs, from the extents. The score and
# criteria sheets: as far as their last row with something typed (their own helper column counts it),
# not the roster's length: rows without input add nothing (``tables.read_rows`` skips them), and a
# score sheet not yet filled in is then only its header, not 300 rows of formulas.
_SIZES = {
    "roster": lambda e: (e["roster_rows"], None),
    "scores": lambda e: (e["scores_rows"], None),
    "criteria": lambda e: (e["criteria_rows"], None),
    "collectives": lambda e: (S.MAX_COLLECTIVES, None),
    "grid": lambda e: (S.GRID_FIRST_ROW - S.GRID_HEADER_ROW - 1 + e["grid_rows"], S.GRID_FIRST_BALLOT_COL + e["grid_cols"] - 1),
    "tally": lambda e: (S.TALLY_FIRST_ROW - 1 + e["tally_rows"], None),
    "cell": lambda e: (S.CELL_FIRST_ROW - S.CELL_HEADER_ROW - 1 + S.MAX_COLLECTIVES, S.CELL_FIRST_BALLOT_COL + e["cell_cols"] - 1),
}


def block_bounds(key: str, extents: Optional[dict]) -> tuple[int, int]:
    """The last row and column (0-based) of a block that can hold data, given the extents (None: its capacity)."""
    _, r1, r2, c2 = BLOCKS[key]
    if not extents:
        return r2, c2
    rows, last_col = _SIZES[key](extents)
    right = c2 if last_col is None else min(c2, max(last_col, S.GRID_FIRST_BALLOT_COL - 1))
    return min(r2, r1 + rows), right


def block_address(name: str) -> str:
    """The A1 range of an input block, e.g. "A4:D58"."""
    _, r1, r2, c2 = BLOCKS[name]
    return f"A{r1 + 1}:{S.col(c2)}{r2 + 1}"


def overflow_problems(name: str, sheet: str, refs: list[str]) -> list[tuple[str, str]]:
    """Problems for cells with data past a block's capacity; the live reader says the same."""
    return [(f"{sheet}!{ref}", f"ô có dữ liệu nằm ngoài vùng nhập liệu của mẫu ({_CAPACITY[name]}): dữ liệu này không được tính; "
                               "hãy xóa hoặc chuyển vào đúng vùng") for ref in refs[:3]]
