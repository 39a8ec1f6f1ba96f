"""Live worksheet functions (UDFs) through the same core as the button.

Each takes the input blocks of the workbook (the formula is written by the template builder, with
each range cut to the data by the extents of "Hội nghị"!G) and returns a 2D table: on Excel 365 it
spills as a dynamic array. The two functions are recalculated together with the same arguments, so
the case is computed once and kept for the second (a one-entry cache keyed on the inputs). Errors
come back as a one-cell Vietnamese message, never a traceback.
"""

from __future__ import annotations

import xlwings as xw

from ..engine import compute
from ..io.errors import CaseFileError
from ..io.output import results_block, warnings_block
from ..io.schema import RESULTS_HEADER_ROW
from ..io.tables import Tables, WorkbookError, case_from_tables

_last: dict = {}


def _tables(*blocks) -> Tables:
    names = ("meeting", "roster", "scores", "criteria", "collectives", "grid", "tally", "cell")
    return Tables(**{n: (b or []) for n, b in zip(names, blocks)})


def _plain(block):
    # Links are for the warnings sheet; a UDF shows text.
    return [[("" if v is None else (v.split('","')[-1].rstrip('")') if isinstance(v, str) and v.startswith("=HYPERLINK") else v))
             for v in row] for row in block]


def computed(*blocks):
    """(case, result) for these input blocks, computed once per distinct input."""
    key = repr(blocks)
    if _last.get("key") != key:
        case = case_from_tables(_tables(*blocks))
        _last.clear()
        _last.update(key=key, value=(case, compute(case)))
    return _last["value"]


def _table(make_block, blocks):
    """Compute (or reuse), return the block ``make_block`` makes; errors as a message table."""
    try:
        case, result = computed(*blocks)
        return _plain(make_block(case, result))
    except (CaseFileError, ValueError) as exc:
        _last.clear()
        return _message(exc)


def _message(exc: Exception):
    if isinstance(exc, WorkbookError):
        return [[f"{w}: {m}"] for w, m in exc.problems[:20]]
    return [[f"Lỗi: {exc}"]]


@xw.func
@xw.arg("meeting", ndim=2)
@xw.arg("roster", ndim=2)
@xw.arg("scores", ndim=2)
@xw.arg("criteria", ndim=2)
@xw.arg("collectives", ndim=2)
@xw.arg("grid", ndim=2)
@xw.arg("tally", ndim=2)
@xw.arg("cell", ndim=2)
def XEPLOAI_KETQUA(meeting, roster, scores, criteria, collectives, grid, tally, cell):
    """Bảng kết quả xếp loại đề xuất (tính trực tiếp)."""
    return _table(lambda case, result: results_block(result, case.meeting.party_cell)[RESULTS_HEADER_ROW:],
                  (meeting, roster, scores, criteria, collectives, grid, tally, cell))


@xw.func
@xw.arg("meeting", ndim=2)
@xw.arg("roster", ndim=2)
@xw.arg("scores", ndim=2)
@xw.arg("criteria", ndim=2)
@xw.arg("collectives", ndim=2)
@xw.arg("grid", ndim=2)
@xw.arg("tally", ndim=2)
@xw.arg("cell", ndim=2)
def XEPLOAI_CANHBAO(meeting, roster, scores, criteria, collectives, grid, tally, cell):
    """Bảng cảnh báo (tính trực tiếp)."""
    return _table(lambda case, result: warnings_block(result), (meeting, roster, scores, criteria, collectives, grid, tally, cell))
