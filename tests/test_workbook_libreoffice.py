"""LibreOffice recalculates the workbook's native count formulas (the zero-install floor) to the
same counts as the core: a differential test on a random grid with invalid ballots and spoiled lines."""

from __future__ import annotations

import pytest

from test_workbook_macro import big_case
from xlsupport import libreoffice_recalc_values, soffice_available
from xlwings_addin.engine import compute
from xlwings_addin.core.levels import LEVELS
from xlwings_addin.core.models import Spoiled
from xlwings_addin.excel.template import build_workbook
from xlwings_addin.io import schema as S

pytestmark = [pytest.mark.libreoffice, pytest.mark.skipif(not soffice_available(), reason="LibreOffice is not installed")]


def test_native_count_formulas_agree_with_the_core(tmp_path):
    case = big_case(30, 110, seed=7)  # ballot 6 and 103 are invalid (j % 97 == 5)
    # No cached results: whatever LibreOffice shows it computed itself.
    path = build_workbook(tmp_path / "grid.xlsm", case, None, cached_counts=False)
    first, last = S.GRID_FIRST_ROW + 1, S.GRID_FIRST_ROW + 30
    values = libreoffice_recalc_values(path, {S.SHEET_GRID: [f"C{first}:H{last}"],
                                              S.SHEET_CELL: [f"H{r + 1}" for r in S.CELL_TALLY_ROWS.values()]})
    rows = values[S.SHEET_GRID][f"C{first}:H{last}"]
    result = compute(case)
    grid = case.member_votes
    for i, (row, member) in enumerate(zip(rows, result.members)):
        assert [int(v) for v in row[:4]] == [member.votes_for(lvl) for lvl in LEVELS], member.name
        explicit = sum(1 for b in grid.ballots if not b.invalid and isinstance(b.marks[i], Spoiled))
        assert int(row[4]) == explicit == member.spoiled
        assert int(row[5]) == len(grid.ballots)
    cell = values[S.SHEET_CELL]
    counted = [int(cell[f"H{r + 1}"]) for r in S.CELL_TALLY_ROWS.values()]
    assert counted[:4] == list(result.party_cell.votes)
