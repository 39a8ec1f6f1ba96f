"""The file reader reads only the rows the workbook's extents name, from the front of each sheet part,
and gives exactly what the full read (python-calamine over the whole sheet) gives.

Every comparison here is between the two real paths on real files: the fast one, and the full one
forced by setting the size limit of the fast path to zero.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from casebuilder import EXAMPLE
from test_workbook_macro import big_case
from xlsupport import _soffice_convert, soffice_available
from xlwings_addin.excel.template import build_workbook
from xlwings_addin.io import schema as S
from xlwings_addin.io import workbook as W
from xlwings_addin.io.casefile import read_case
from xlwings_addin.io.xlsxguard import NotPlain, PrefixReader, StaleExtents

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "workbook").glob("vi-du-*.xlsm"))


def _part(path, sheet: str) -> str:
    """The zip part of a sheet (located only, not scanned)."""
    return W.inspect(path, {sheet: (10 ** 6, 10 ** 4)}, frozenset({sheet})).sheets[sheet].part


def _both(path, monkeypatch):
    """(fast tables, full tables, how many blocks the fast path read from the front)."""
    used = []
    real_rows = PrefixReader.rows

    def counting(self, *args):
        used.append(args[0])
        return real_rows(self, *args)

    with monkeypatch.context() as m:
        m.setattr(PrefixReader, "rows", counting)
        fast = W.read_tables(path)
    with monkeypatch.context() as m:
        m.setattr(W, "_PREFIX_CELLS", 0)
        full = W.read_tables(path)
    return fast, full, used


def _same_case(fast, full):
    from xlwings_addin.io.tables import case_from_tables

    assert case_from_tables(fast) == case_from_tables(full)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_examples_read_the_same_from_the_front(path, monkeypatch):
    fast, full, used = _both(path, monkeypatch)
    assert len(used) >= 5  # every block but the meeting sheet (and the year's unused sheet)
    _same_case(fast, full)


def test_a_big_roster_mixes_both_paths_and_reads_the_same(tmp_path, monkeypatch):
    path = build_workbook(tmp_path / "big.xlsm", big_case(120, 40), None)
    fast, full, used = _both(path, monkeypatch)
    grid_part = _part(path, S.SHEET_GRID)
    assert grid_part not in used  # 120 x 40 marks: past the limit, read in full
    assert used  # the small blocks still from the front
    _same_case(fast, full)


def test_a_score_sheet_filled_in_part_is_read_to_its_last_typed_row(tmp_path, monkeypatch):
    """Rows past the last one with something typed add nothing: the sheet is read only that far, and a
    value typed past the saved extents still sends it to the full read."""
    from dataclasses import replace
    from fractions import Fraction

    case = big_case(60, 10)
    scored = tuple(replace(m, performance=replace(m.performance, self_score_common=Fraction(25), score_common=Fraction(24)))
                   if i < 5 else m for i, m in enumerate(case.members))
    path = build_workbook(tmp_path / "scores.xlsm", replace(case, members=scored), None)
    fast, full, used = _both(path, monkeypatch)
    assert _part(path, S.SHEET_SCORES) in used
    assert len(fast.scores) == 1 + 5  # the header row and the five rows with scores, not 60 rows
    _same_case(fast, full)

    from xlwings_addin.io.blocks import extents_from as real_extents

    monkeypatch.setattr(W, "extents_from", lambda meeting: {**real_extents(meeting), "scores_rows": 2})
    stale = W.read_tables(path)  # scores typed in rows 3-5 past the saved extents: read in full
    _same_case(stale, full)


def test_chunk_seams_do_not_lose_rows(tmp_path, monkeypatch):
    path = build_workbook(tmp_path / "seams.xlsm", read_case(EXAMPLE), None)
    part = _part(path, S.SHEET_GRID)
    with PrefixReader(path) as reader:
        whole = reader.rows(part, S.GRID_HEADER_ROW, S.GRID_FIRST_ROW + 21, S.GRID_FIRST_BALLOT_COL + 21)
    for size in (97, 500, 4096):
        monkeypatch.setattr(PrefixReader, "CHUNK", size)
        with PrefixReader(path) as reader:
            assert reader.rows(part, S.GRID_HEADER_ROW, S.GRID_FIRST_ROW + 21, S.GRID_FIRST_BALLOT_COL + 21) == whole
    names = [row[1] for row in whole[S.GRID_FIRST_ROW - S.GRID_HEADER_ROW:]]
    assert names == [m.name for m in read_case(EXAMPLE).members]


def test_a_file_saved_without_formula_results_is_read_in_full(tmp_path, monkeypatch):
    """openpyxl keeps formulas but drops their results: no extents, so no block is cut short."""
    wb = openpyxl.load_workbook(EXAMPLES[0], keep_vba=True)
    ws = wb[S.SHEET_ROSTER]
    row = S.FIRST_ROW + 30  # far past the 22 members, and past the saved extents
    ws.cell(row + 1, 2, "Đảng viên Thêm Sau")
    ws.cell(row + 1, 3, "Chính thức")
    wb.save(tmp_path / "edited.xlsm")
    fast, full, used = _both(tmp_path / "edited.xlsm", monkeypatch)
    assert used == []
    assert any(r and r[1] == "Đảng viên Thêm Sau" for r in fast.roster)
    _same_case(fast, full)


def _rewrite_part(src: Path, dst: Path, part: str, edit) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, edit(data) if item.filename == part else data)


def test_cells_without_an_address_fall_back_to_the_full_read(tmp_path, monkeypatch):
    src = EXAMPLES[0]
    part = _part(src, S.SHEET_ROSTER)
    # The attribute order changed (address last): legal XML the patterns do not take.
    moved = lambda data: re.sub(rb'<c r="([A-Z]+[0-9]+)" s="([0-9]+)"', rb'<c s="\2" r="\1"', data)  # noqa: E731
    _rewrite_part(src, tmp_path / "moved.xlsm", part, moved)
    with PrefixReader(tmp_path / "moved.xlsm") as reader, pytest.raises(NotPlain):
        reader.rows(part, S.HEADER_ROW, S.FIRST_ROW + 21, len(S.ROSTER_COLUMNS) - 1)
    fast, full, used = _both(tmp_path / "moved.xlsm", monkeypatch)
    assert part in used  # tried, refused, then read in full
    _same_case(fast, full)
    assert [r[1] for r in fast.roster[S.FIRST_ROW - S.HEADER_ROW:][:22]] == [m.name for m in read_case(EXAMPLE).members]


def test_shared_strings_with_phonetic_runs_and_entities(tmp_path):
    src = EXAMPLES[0]
    part = _part(src, S.SHEET_ROSTER)
    with PrefixReader(src) as reader:
        before = reader.rows(part, S.HEADER_ROW, S.FIRST_ROW + 21, 3)
    name = before[S.FIRST_ROW - S.HEADER_ROW][1]
    with zipfile.ZipFile(src) as z:
        strings = z.read("xl/sharedStrings.xml").decode("utf-8")
    escaped = name.replace("&", "&amp;")
    runs = f"<si><r><t>{escaped[:3]}</t></r><r><t xml:space=\"preserve\">{escaped[3:]} &amp; Co</t></r><rPh sb=\"0\" eb=\"1\"><t>PH</t></rPh></si>"
    edited = strings.replace(f"<si><t>{escaped}</t></si>", runs, 1)
    assert edited != strings
    _rewrite_part(src, tmp_path / "runs.xlsm", "xl/sharedStrings.xml", lambda _: edited.encode("utf-8"))
    with PrefixReader(tmp_path / "runs.xlsm") as reader:
        after = reader.rows(part, S.HEADER_ROW, S.FIRST_ROW + 21, 3)
    assert after[S.FIRST_ROW - S.HEADER_ROW][1] == name + " & Co"


def test_values_past_stale_extents_send_the_sheet_to_the_full_read(tmp_path, monkeypatch):
    """A tool that changed cells without recalculating leaves the saved extents behind: never a silent loss."""
    src = EXAMPLES[0]
    part = _part(src, S.SHEET_ROSTER)
    with PrefixReader(src) as reader, pytest.raises(StaleExtents):
        reader.rows(part, S.HEADER_ROW, S.FIRST_ROW + 2, 3, S.FIRST_ROW)  # 3 rows asked, 22 typed
    grid = _part(src, S.SHEET_GRID)
    with PrefixReader(src) as reader, pytest.raises(StaleExtents):
        # 22 ballots typed, 5 asked: the marks right of the cut are typed values in data rows.
        reader.rows(grid, S.GRID_HEADER_ROW, S.GRID_FIRST_ROW + 21, S.GRID_FIRST_BALLOT_COL + 4, S.GRID_FIRST_ROW)
    # Saved extents that say 3 members, 22 typed: the reader still finds all 22.
    from xlwings_addin.io.blocks import extents_from as real_extents

    def stale(meeting):
        out = real_extents(meeting)
        return None if out is None else {**out, "roster_rows": 3, "scores_rows": 3, "criteria_rows": 3}

    monkeypatch.setattr(W, "extents_from", stale)
    tables = W.read_tables(src)
    names = [r[1] for r in tables.roster[S.FIRST_ROW - S.HEADER_ROW:] if r and len(r) > 1 and r[1]]
    assert names == [m.name for m in read_case(EXAMPLE).members]


@pytest.mark.libreoffice
@pytest.mark.skipif(not soffice_available(), reason="LibreOffice is not installed")
def test_a_workbook_saved_by_libreoffice_reads_the_same(tmp_path, monkeypatch):
    """LibreOffice writes its own spreadsheetml (other attribute sets, its own shared strings)."""
    src = tmp_path / "in" / "book.xlsm"
    src.parent.mkdir()
    shutil.copy(EXAMPLES[-1], src)
    saved = _soffice_convert(src, "xlsx:Calc MS Excel 2007 XML", tmp_path, timeout=240)
    fast, full, used = _both(saved, monkeypatch)
    assert used
    _same_case(fast, full)
    _same_case(fast, W.read_tables(EXAMPLES[-1]))
