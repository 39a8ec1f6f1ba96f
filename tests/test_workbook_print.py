"""Printing the workbook: every sheet has a page setup, the filled seed workbook prints at most 12
pages, the results stay readable, nothing prints an error value, and a filled workbook hides (and
does not print) the sheets its review year and vote form do not use.

The page counts and text sizes come from LibreOffice's PDF export of the real .xlsm files (Excel
itself is not available here; it paginates slightly differently, see the README).
"""

from __future__ import annotations

import re
import statistics
import subprocess
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw

from xlsupport import _only_sheet_visible, _soffice_convert, payload_from_workbook, soffice_available
from xlwings_addin.excel import macros
from xlwings_addin.excel.template import unused_sheets
from xlwings_addin.io import schema as S
from xlwings_addin.io.casefile import read_case

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "workbook" / "vi-du-song-phuong-2023.xlsm"
EXAMPLE_2026 = ROOT / "workbook" / "vi-du-song-phuong-2026.xlsm"
TEMPLATE = ROOT / "workbook" / "xeploai.xlsm"
ERROR_VALUES = ("#NAME?", "#VALUE!", "#N/A", "#REF!", "#DIV/0!", "#NUM!", "Err:5")

needs_office = pytest.mark.skipif(not soffice_available(), reason="LibreOffice is not installed")


def _pdf(book: Path, tmp: Path) -> Path:
    src = tmp / "in" / book.name
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_bytes(book.read_bytes())
    return _soffice_convert(src, "pdf:calc_pdf_Export", tmp, timeout=300)


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def _word_heights(pdf: Path, page: int) -> list[float]:
    """Heights (pt) of the words' boxes on one page: about 1.1 x the printed font size."""
    xml = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [float(b) - float(a) for a, b in re.findall(r'<word [^>]*yMin="([\d.]+)"[^>]*yMax="([\d.]+)"', xml)]


def test_every_visible_sheet_has_an_a4_page_setup():
    for path in (TEMPLATE, SEED, EXAMPLE_2026):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            assert ws.page_setup.paperSize in (9, "9"), (path.name, ws.title)
            assert ws.page_setup.orientation in ("portrait", "landscape"), (path.name, ws.title)
            assert ws.sheet_properties.pageSetUpPr.fitToPage, (path.name, ws.title)
            assert ws.print_area, (path.name, ws.title)
        results = wb[S.SHEET_RESULTS]
        assert results.page_setup.orientation == "landscape"
        assert results.print_title_rows == f"${S.RESULTS_HEADER_ROW + 1}:${S.RESULTS_HEADER_ROW + 1}"
        assert results.page_setup.fitToHeight in (0, "0")  # fit to the width only: long lists go on


def test_a_filled_workbook_hides_what_its_year_and_vote_form_do_not_use():
    seed = openpyxl.load_workbook(SEED)
    hidden = {ws.title for ws in seed.worksheets if ws.sheet_state != "visible"}
    assert hidden == {S.SHEET_SCORES, S.SHEET_TALLY, S.SHEET_CONF}  # 2023, ballots on the grid
    later = openpyxl.load_workbook(EXAMPLE_2026)
    hidden = {ws.title for ws in later.worksheets if ws.sheet_state != "visible"}
    assert hidden == {S.SHEET_CRITERIA, S.SHEET_GRID, S.SHEET_CONF}  # 2026, show of hands on the tally sheet
    blank = openpyxl.load_workbook(TEMPLATE)
    assert [ws.title for ws in blank.worksheets if ws.sheet_state != "visible"] == [S.SHEET_CONF]
    assert unused_sheets(None) == []
    # Hidden sheets carry no print area or print titles (LibreOffice would print them anyway).
    for ws in seed.worksheets:
        if ws.sheet_state != "visible":
            assert not ws.print_area and not ws.print_title_rows, ws.title


@pytest.mark.libreoffice
@needs_office
def test_the_seed_workbook_prints_at_most_12_readable_pages(tmp_path):
    pdf = _pdf(SEED, tmp_path)
    pages = _pages(pdf)
    assert len(pages) <= 12, [p.strip().splitlines()[0][:60] for p in pages if p.strip()]
    text = "\f".join(pages)
    for error in ERROR_VALUES:
        assert error not in text
    assert "CHẤM ĐIỂM (QUY ĐỊNH 366" not in text  # the hidden sheet does not print
    results = [i + 1 for i, p in enumerate(pages) if "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG" in p]
    assert results
    heights = _word_heights(pdf, results[0])
    # Body text near 6.6 pt (box height 7.3 pt); before the wave it printed at 5 pt.
    assert statistics.median(heights) >= 7.0, statistics.median(heights)
    # Every member's row is on the page(s) of the results, with its level.
    joined = "\n".join(pages[results[0] - 1:])
    for member in read_case(ROOT / "xlwings_addin" / "examples" / "song-phuong-2023.json").members:
        assert member.name in joined


@pytest.mark.libreoffice
@needs_office
def test_the_blank_hand_tally_sheet_prints_one_page(tmp_path):
    single = tmp_path / "in" / "tally.xlsm"
    single.parent.mkdir()
    _only_sheet_visible(TEMPLATE, single, S.SHEET_TALLY)
    pdf = _soffice_convert(single, "pdf:calc_pdf_Export", tmp_path, timeout=240)
    pages = _pages(pdf)
    assert len(pages) == 1
    assert "KIỂM PHIẾU TAY" in pages[0]


def test_changing_the_year_shows_the_hidden_facts_sheet_again():
    payload = payload_from_workbook(EXAMPLE_2026)
    meeting = next(s for s in payload["sheets"] if s["name"] == S.SHEET_MEETING)
    meeting["values"][S.MEETING_FIELD_ROWS["review_year"]][2] = 2024.0
    book = xw.Book(json=payload)
    shown: list = []
    macros.run(book, shown)
    assert shown == [S.SHEET_CRITERIA]
    actions = book.json()["actions"]
    visibility = [a for a in actions if a["func"] == "setSheetVisibility"]
    assert [(payload["sheets"][a["sheet_position"]]["name"], a["args"]) for a in visibility] == [(S.SHEET_CRITERIA, ["Visible"])]


def test_the_year_of_the_workbook_leaves_the_sheets_as_they_are():
    book = xw.Book(json=payload_from_workbook(SEED))
    shown: list = []
    macros.run(book, shown)
    assert shown == []
    assert not [a for a in book.json()["actions"] if a["func"] == "setSheetVisibility"]
