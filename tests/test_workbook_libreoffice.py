"""LibreOffice recalculates the workbook's native formulas (the zero-install floor) to the same values
as the core: differential tests on a random ballot grid (invalid ballots, spoiled lines) and on random
scores with the band edges 50, 70, 90 and decimals such as 89.5."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from test_workbook_macro import big_case
from xlsupport import libreoffice_recalc_values, soffice_available
from xlwings_addin.core.levels import LEVELS
from xlwings_addin.core.models import Case, FormGroup, Meeting, Member, Performance, Person, Spoiled, Tasks
from xlwings_addin.engine import compute
from xlwings_addin.excel.template import build_workbook
from xlwings_addin.io import schema as S
from xlwings_addin.rules.qd366 import band

pytestmark = [pytest.mark.libreoffice, pytest.mark.skipif(not soffice_available(), reason="LibreOffice is not installed")]


def test_native_count_formulas_agree_with_the_core(tmp_path):
    case = big_case(30, 110, seed=7)  # ballot 6 and 103 are invalid (j % 97 == 5)
    # No cached results: whatever LibreOffice shows it computed itself.
    path = build_workbook(tmp_path / "grid.xlsm", case, None, cached_counts=False)
    first, last = S.GRID_FIRST_ROW + 1, S.GRID_FIRST_ROW + 30
    cell_row = S.CELL_FIRST_ROW + 1
    values = libreoffice_recalc_values(path, {S.SHEET_GRID: [f"C{first}:H{last}"], S.SHEET_CELL: [f"C{cell_row}:F{cell_row}"]})
    rows = values[S.SHEET_GRID][f"C{first}:H{last}"]
    result = compute(case)
    grid = case.member_votes
    for i, (row, member) in enumerate(zip(rows, result.members)):
        assert [int(v) for v in row[:4]] == [member.votes_for(lvl) for lvl in LEVELS], member.name
        explicit = sum(1 for b in grid.ballots if not b.invalid and isinstance(b.marks[i], Spoiled))
        assert int(row[4]) == explicit == member.spoiled
        assert int(row[5]) == len(grid.ballots)
    counted = [int(v) for v in values[S.SHEET_CELL][f"C{cell_row}:F{cell_row}"][0]]
    assert counted == list(result.party_cell.votes)


EDGES = [(Fraction(27), Fraction(63)), (Fraction(21), Fraction(49)), (Fraction(15), Fraction(35)), (Fraction("26.5"), Fraction(63)),
         (Fraction("20.1"), Fraction("69.9")), (Fraction("29.99"), Fraction(60)), (Fraction(20), Fraction("49.99")),
         (Fraction("14.99"), Fraction(35)), (Fraction(0), Fraction(0)), (Fraction(30), Fraction(70))]


def _random_scores(n: int, seed: int) -> list[tuple[Fraction, Fraction]]:
    rnd = random.Random(seed)
    out = list(EDGES)
    while len(out) < n:
        out.append((Fraction(rnd.randint(0, 3000), 100), Fraction(rnd.randint(0, 7000), 100)))
    return out


def test_score_sheet_totals_bands_and_percentages_agree_with_the_core(tmp_path):
    scores = _random_scores(60, seed=11)
    members = tuple(Member(name=f"Đảng viên {i + 1:02d}", group=FormGroup.IN_SYSTEM,
                           performance=Performance(score_common=c, score_results=r, self_score_common=c, self_score_results=r,
                                                   tasks=Tasks(assigned=7, done=7, on_time=6, exceeded=i % 8, late=1)))
                    for i, (c, r) in enumerate(scores))
    meeting = Meeting(review_year=2026, date=date(2026, 12, 5), party_cell="Chi bộ Thử", chair=Person("A", "Bí thư Chi bộ"))
    case = Case(meeting=meeting, members=members)
    path = build_workbook(tmp_path / "scores.xlsm", case, None, cached_counts=False)
    ix = S.SCORE_INDEX
    first, last = S.FIRST_ROW + 1, S.FIRST_ROW + len(members)
    span = f"{S.col(ix['self_total'])}{first}:{S.col(ix['late_pct'])}{last}"
    rows = libreoffice_recalc_values(path, {S.SHEET_SCORES: [span]})[S.SHEET_SCORES][span]
    base = ix["self_total"]
    result = compute(case)
    for row, m, r in zip(rows, members, result.members):
        total = m.performance.score
        assert abs(Fraction(str(row[ix["score_total"] - base])) - total) < Fraction(1, 10 ** 6), m.name
        assert row[ix["band"] - base] == band(total).code == r.band.code, (m.name, total)
        rates = r.tasks
        for key, part in (("done_pct", "done_pct"), ("on_time_pct", "on_time_pct"), ("exceeded_pct", "exceeded_pct"),
                          ("late_pct", "late_pct")):
            got = Fraction(str(row[ix[key] - base])) * 100
            assert abs(got - Fraction(str(rates[part]))) < Fraction(1, 10 ** 6), (m.name, key)
