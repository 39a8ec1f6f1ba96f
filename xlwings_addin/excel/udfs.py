"""Live worksheet functions (UDFs) through the same core as the button.

Each takes the five input blocks of the workbook (the formula is written by the template builder)
and returns a 2D table: on Excel 365 it spills as a dynamic array. Errors come back as a one-cell
Vietnamese message, never a traceback.
"""

from __future__ import annotations

import xlwings as xw

from ..engine import compute
from ..io.output import results_block, warnings_block
from ..io.schema import RESULTS_HEADER_ROW
from ..io.tables import Tables, WorkbookError, case_from_tables
from ..io.casefile import CaseFileError


def _tables(meeting, roster, grid, tally, cell) -> Tables:
    return Tables(meeting=meeting or [], roster=roster or [], grid=grid or [], tally=tally or [], cell=cell or [])


def _plain(block):
    # Links are for the warnings sheet; a UDF shows text.
    return [[("" if v is None else (v.split('","')[-1].rstrip('")') if isinstance(v, str) and v.startswith("=HYPERLINK") else v))
             for v in row] for row in block]


def _table(make_block, meeting, roster, grid, tally, cell):
    """Read the blocks, compute, return the block ``make_block`` makes; errors as a message table."""
    try:
        case = case_from_tables(_tables(meeting, roster, grid, tally, cell))
        return _plain(make_block(case, compute(case)))
    except (CaseFileError, ValueError) as exc:
        return _message(exc)


def _message(exc: Exception):
    if isinstance(exc, WorkbookError):
        return [[f"{w}: {m}"] for w, m in exc.problems[:20]]
    return [[f"Lỗi: {exc}"]]


@xw.func
@xw.arg("meeting", ndim=2)
@xw.arg("roster", ndim=2)
@xw.arg("grid", ndim=2)
@xw.arg("tally", ndim=2)
@xw.arg("cell", ndim=2)
def XEPLOAI_KETQUA(meeting, roster, grid, tally, cell):
    """Bảng kết quả xếp loại đề xuất (tính trực tiếp)."""
    return _table(lambda case, result: results_block(result, case.meeting.party_cell)[RESULTS_HEADER_ROW:],
                  meeting, roster, grid, tally, cell)


@xw.func
@xw.arg("meeting", ndim=2)
@xw.arg("roster", ndim=2)
@xw.arg("grid", ndim=2)
@xw.arg("tally", ndim=2)
@xw.arg("cell", ndim=2)
def XEPLOAI_CANHBAO(meeting, roster, grid, tally, cell):
    """Bảng cảnh báo (tính trực tiếp)."""
    return _table(lambda case, result: warnings_block(result), meeting, roster, grid, tally, cell)
