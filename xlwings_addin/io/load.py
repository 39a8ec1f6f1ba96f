"""Open any supported input (a case file or a workbook) as a ``Case``."""

from __future__ import annotations

import os
from pathlib import Path

from ..core.models import Case
from .errors import CaseFileError

WORKBOOK_SUFFIXES = (".xlsm", ".xlsx")


def load_case(path: str | os.PathLike, meanwhile=None) -> Case:
    """Read a .json case file or a .xlsm/.xlsx workbook; raise ``CaseFileError`` when unreadable.

    ``meanwhile`` (no arguments) is run while a workbook's biggest sheet is parsed (or after a case
    file is read): the caller's own preparation, overlapped with the read.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".json":
        from .casefile import read_case  # imported lazily: a workbook never needs the case-file spec

        case = read_case(p)
        if meanwhile is not None:
            meanwhile()
        return case
    if suffix in WORKBOOK_SUFFIXES:
        from .workbook import read_workbook  # imported lazily: openpyxl is only needed here

        return read_workbook(p, meanwhile=meanwhile)
    if suffix in (".xls", ".xlsb", ".ods", ".csv"):
        raise CaseFileError(
            f"tệp {p.name} có định dạng {suffix} không được hỗ trợ: hãy mở bằng Excel và lưu thành "
            "Excel Macro-Enabled Workbook (.xlsm)"
        )
    raise CaseFileError(f"không nhận ra loại tệp {p.name} (cần .json hoặc .xlsm)")
