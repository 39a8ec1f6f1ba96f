"""The live reader (the buttons, through xlwings' remote engine): data past the template's capacity is an
error naming the cell, found from each sheet's used range with a constant number of Excel calls."""

from __future__ import annotations

import copy

import pytest
import xlwings as xw

from hostile import BOOK_2023, patch_cells
from xlsupport import payload_from_workbook
from xlwings_addin.excel import macros
from xlwings_addin.io import schema as S
from xlwings_addin.io.tables import WorkbookError


@pytest.fixture(scope="module")
def example_payload():
    return payload_from_workbook(BOOK_2023)


def _problems(payload) -> list[tuple[str, str]]:
    with pytest.raises(WorkbookError) as exc:
        macros.run(xw.Book(json=payload))
    return exc.value.problems


def _sheet(payload, name):
    return next(s for s in payload["sheets"] if s["name"] == name)


def test_the_example_reads_live_without_a_capacity_problem(example_payload):
    result = macros.run(xw.Book(json=copy.deepcopy(example_payload)))
    assert result.summary["reviewed"] == 22


PAST = [(S.SHEET_ROSTER, f"B{S.ROSTER_LAST_ROW + 2}", "1000 đảng viên"),
        (S.SHEET_GRID, f"{S.col(S.GRID_LAST_BALLOT_COL + 1)}{S.GRID_FIRST_ROW + 1}", "1000 phiếu"),
        (S.SHEET_TALLY, f"C{S.TALLY_LAST_ROW + 3}", "1000 đảng viên")]


@pytest.fixture(scope="module")
def past_payload(tmp_path_factory):
    """One workbook with a value just past three blocks (the payloads are slow to build)."""
    edits: dict = {}
    for sheet, cell, _ in PAST:
        edits.setdefault(sheet, {})[cell] = "Người thừa" if sheet == S.SHEET_ROSTER else 2
    return payload_from_workbook(patch_cells(BOOK_2023, tmp_path_factory.mktemp("past") / "book.xlsm", edits))


def test_a_value_just_past_a_block_is_an_error_naming_its_cell(past_payload):
    problems = dict(_problems(copy.deepcopy(past_payload)))
    for sheet, cell, capacity in PAST:
        message = problems[f"{sheet}!{cell}"]
        assert "ngoài vùng nhập liệu" in message and capacity in message


def test_a_far_used_range_is_named_even_when_its_cells_cannot_all_be_read(example_payload):
    # A stray cell at XFD1048576: the payload cannot carry 17 billion values, and the reader must not
    # ask for them; the used range alone names the place.
    payload = copy.deepcopy(example_payload)
    _sheet(payload, S.SHEET_ROSTER)["used_range_address"] = "A1:XFD1048576"
    problems = _problems(payload)
    assert problems[0][0] == f"{S.SHEET_ROSTER}!XFD1048576" and "ngoài vùng nhập liệu" in problems[0][1]


def test_a_far_value_in_the_used_range_corner_is_named(example_payload):
    payload = copy.deepcopy(example_payload)
    sheet = _sheet(payload, S.SHEET_MEETING)
    rows = sheet["values"]
    width = len(rows[0])
    rows += [[""] * width for _ in range(300 - len(rows))]
    rows[-1][-1] = "x"
    sheet["used_range_address"] = f"A1:{S.col(width - 1)}300"
    problems = _problems(payload)
    assert problems[0][0] == f"{S.SHEET_MEETING}!{S.col(width - 1)}300"


def test_the_capacity_check_costs_a_constant_number_of_calls(example_payload, past_payload, monkeypatch):
    calls = []
    real = macros._sheet

    def counting(book, name):
        sheet = real(book, name)

        class Counted:
            def __getattr__(self, attr):
                if attr in ("used_range", "range"):
                    calls.append((name, attr))
                return getattr(sheet, attr)
        return Counted()

    monkeypatch.setattr(macros, "_sheet", counting)
    macros._past_capacity(xw.Book(json=copy.deepcopy(example_payload)))
    assert len(calls) == len(macros.BLOCKS)  # one used range per input sheet, nothing else
    calls.clear()
    macros._past_capacity(xw.Book(json=copy.deepcopy(past_payload)))
    # Three sheets past their block: at most one rows strip and one columns strip (or the corner) each.
    assert len(calls) <= len(macros.BLOCKS) + 3 * 2


def test_an_error_value_in_an_input_cell_is_refused_live(tmp_path):
    from hostile import GRID, MEETING, Formula, grid_cell, meeting_cell

    book = patch_cells(BOOK_2023, tmp_path / "book.xlsm", {GRID: {grid_cell(0, 0): Formula("1/0", "#DIV/0!", error=True)},
                                                           MEETING: {meeting_cell("date"): Formula("NA()", "#N/A", error=True)}})
    problems = dict(_problems(payload_from_workbook(book)))
    assert "#DIV/0!" in problems[f"{GRID}!{grid_cell(0, 0)}"] and "#N/A" in problems[f"{MEETING}!{meeting_cell('date')}"]
