"""The buttons' Python side through xlwings' remote engine, on payloads built from the real workbook.

``xw.Book(json=payload)`` runs the very ``run(book)`` that RunPython calls in Excel; what it would
write comes back as a list of actions. Excel itself is not available here: the real COM path is on
the manual Windows checklist (README).
"""

from __future__ import annotations

import random
from datetime import date

import openpyxl
import pytest
import xlwings as xw

from casebuilder import EXAMPLE
from xlsupport import apply_actions, count_calls, payload_from_workbook
from xlwings_addin.engine import compute
from xlwings_addin.core.levels import LEVELS, Level
from xlwings_addin.core.models import Ballot, BallotGrid, Case, CellBallots, Meeting, Member, PartyCell, Person, Spoiled
from xlwings_addin.excel import macros, udfs
from xlwings_addin.excel.template import build_workbook
from xlwings_addin.io import schema as S
from xlwings_addin.io.casefile import CaseFileError, read_case
from xlwings_addin.io.tables import WorkbookError
from xlwings_addin.io.workbook import block_address


def big_case(n_members: int, n_ballots: int, seed: int = 1) -> Case:
    rnd = random.Random(seed)
    members = tuple(Member(name=f"Đảng viên {i + 1:03d}") for i in range(n_members))
    ballots = tuple(
        Ballot(id=str(j + 1), marks=tuple(rnd.choice([Level.HTTNV] * 6 + [Level.HTXSNV, Level.HTNV, Spoiled.SPOILED])
                                          for _ in range(n_members)), invalid=(j % 97 == 5))
        for j in range(n_ballots))
    meeting = Meeting(review_year=2025, date=date(2025, 12, 5), party_cell="Chi bộ Lớn", upper_committee="Đảng ủy xã B",
                      chair=Person("Chủ Trì", "Bí thư Chi bộ"), secretary=Person("Thư Ký"))
    return Case(meeting=meeting, members=members, member_votes=BallotGrid(tuple(m.name for m in members), ballots),
                party_cell=PartyCell(votes=CellBallots((Level.HTTNV,) * n_ballots)))


@pytest.fixture(scope="module")
def example_payload(tmp_path_factory):
    folder = tmp_path_factory.mktemp("macro")
    path = build_workbook(folder / "Kết quả hội nghị 2023.xlsm", read_case(EXAMPLE), None)
    return path, payload_from_workbook(path)


def _run(payload):
    book = xw.Book(json=payload)
    result = macros.run(book)
    return book, result, book.json()["actions"]


def test_the_macro_writes_what_compute_gives(example_payload, tmp_path):
    path, payload = example_payload
    book, result, actions = _run(payload)
    expected = compute(read_case(EXAMPLE))
    assert result.to_dict()["members"][0]["proposed_level"] == expected.to_dict()["members"][0]["proposed_level"]
    apply_actions(path, actions, tmp_path / "after.xlsm")
    wb = openpyxl.load_workbook(tmp_path / "after.xlsm", data_only=False)
    ws = wb[S.SHEET_RESULTS]
    header = [c.value for c in ws[S.RESULTS_HEADER_ROW + 1]][: len(S.RESULTS_HEADERS)]
    assert header == list(S.RESULTS_HEADERS)
    # The collectives (school leadership, chi ủy, then the chi bộ) come first, then the 22 members.
    n_coll = 1 + len(expected.collectives)
    top = S.RESULTS_FIRST_ROW + 1
    collectives = list(ws.iter_rows(min_row=top, max_row=top + n_coll - 1, values_only=True))
    assert [r[1] for r in collectives] == [c.subject.name for c in expected.collectives] + [expected.party_cell.name]
    assert collectives[-1][S.RESULTS_PROPOSAL_COL] == "HTTNV"
    rows = list(ws.iter_rows(min_row=top + n_coll, max_row=top + n_coll + 21, values_only=True))
    assert [r[1] for r in rows] == [m.name for m in expected.members]
    assert [r[S.RESULTS_PROPOSAL_COL] for r in rows] == [m.proposed_level.short for m in expected.members]
    first_vote = S.RESULTS_HEADERS.index("HTXSNV")
    for row, m in zip(rows, expected.members):
        assert [row[first_vote + 2 * k] for k in range(4)] == [m.votes_for(lvl) for lvl in LEVELS]
        assert row[-1] == m.explanation
    assert "4/18 = 22,22%" in ws["A6"].value
    warn = wb[S.SHEET_WARNINGS]
    codes = [warn.cell(r, 2).value for r in range(S.WARNINGS_FIRST_ROW + 1, S.WARNINGS_FIRST_ROW + 1 + len(expected.findings))]
    assert codes == [f.code for f in expected.findings]


def test_the_macro_never_writes_into_an_input_sheet(example_payload):
    _, payload = example_payload
    _, _, actions = _run(payload)
    outputs = {S.ALL_SHEETS.index(S.SHEET_RESULTS), S.ALL_SHEETS.index(S.SHEET_WARNINGS), S.ALL_SHEETS.index(S.SHEET_SUMMARY)}
    assert {a["sheet_position"] for a in actions} <= outputs


def test_excel_round_trips_do_not_grow_with_the_roster(example_payload, tmp_path):
    _, small = example_payload
    big_path = build_workbook(tmp_path / "big.xlsm", big_case(300, 300), None)
    _, big_result, big_actions = _run(payload_from_workbook(big_path))
    _, _, small_actions = _run(small)
    assert count_calls(big_actions) == count_calls(small_actions)
    assert sum(count_calls(small_actions).values()) == 7  # three clears, three writes, one row autofit
    assert big_result.summary["reviewed"] == 300


def test_bad_input_is_listed_on_the_warnings_sheet_with_links(example_payload, tmp_path):
    path, _ = example_payload
    wb = openpyxl.load_workbook(path, keep_vba=True)
    bad_cell = f"{S.col(S.GRID_FIRST_BALLOT_COL + 3)}{S.GRID_FIRST_ROW + 3}"
    wb[S.SHEET_GRID][bad_cell] = 7
    wb.save(tmp_path / "bad.xlsm")
    book = xw.Book(json=payload_from_workbook(tmp_path / "bad.xlsm"))
    with pytest.raises(WorkbookError) as exc:
        macros.run(book)
    assert (f"{S.SHEET_GRID}!{bad_cell}") in str(exc.value)
    actions = book.json()["actions"]
    assert {a["sheet_position"] for a in actions} == {S.ALL_SHEETS.index(S.SHEET_WARNINGS)}
    values = [a for a in actions if a["func"] == "setValues"][0]["values"]
    assert values[1][0] == "Lỗi" and values[1][3] == f'=HYPERLINK("#\'{S.SHEET_GRID}\'!{bad_cell}","{S.SHEET_GRID}!{bad_cell}")'


def test_user_text_is_never_written_as_a_formula(tmp_path):
    case = read_case(EXAMPLE)
    from dataclasses import replace
    case = replace(case, meeting=replace(case.meeting, party_cell="=HYPERLINK(\"http://x\")"))
    path = build_workbook(tmp_path / "f.xlsm", case, None)
    book = xw.Book(json=payload_from_workbook(path))
    macros.run(book)
    for action in book.json()["actions"]:
        for row in action.get("values") or []:
            for v in row:
                if isinstance(v, str) and v.startswith("="):
                    assert v.startswith("=HYPERLINK(\"#'"), v


def test_export_button_writes_the_minutes_next_to_the_book(example_payload, tmp_path):
    _, payload = example_payload
    book = xw.Book(json=payload)
    paths = macros.run_export(book, folder=tmp_path)
    assert [p.name for p in paths] == ["Biên bản hội nghị năm 2023.docx", "Biên bản kiểm phiếu năm 2023.docx"]
    again = macros.run_export(xw.Book(json=payload), folder=tmp_path)
    assert [p.name for p in again] == ["Biên bản hội nghị năm 2023 (2).docx", "Biên bản kiểm phiếu năm 2023 (2).docx"]


def test_export_button_leaves_out_the_count_minutes_when_nothing_was_balloted(tmp_path):
    """The 2026 example is scored and confirmed by a show of hands: no ballots, no vote-count minutes."""
    from pathlib import Path

    book = xw.Book(json=payload_from_workbook(Path(__file__).parent.parent / "workbook" / "vi-du-song-phuong-2026.xlsm"))
    paths = macros.run_export(book, folder=tmp_path)
    assert [p.name for p in paths] == ["Biên bản hội nghị năm 2026.docx"]


def test_pack_button_writes_the_papers_sent_up_and_says_what_waits(tmp_path):
    from pathlib import Path

    book = xw.Book(json=payload_from_workbook(Path(__file__).parent.parent / "workbook" / "vi-du-song-phuong-2026.xlsm"))
    paths, skipped = macros.run_pack(book, folder=tmp_path)
    assert [p.name.split(" năm")[0] for p in paths] == ["Trích biên bản", "Báo cáo kết quả", "Mẫu tự đánh giá"]
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    assert len(skipped) == 1 and skipped[0].startswith("Thông báo")
    # Under QĐ 124 there are no score forms.
    _, payload = build_and_payload(tmp_path)
    paths, skipped = macros.run_pack(xw.Book(json=payload), folder=tmp_path / "y2023")
    assert [p.name.split(" năm")[0] for p in paths] == ["Trích biên bản", "Báo cáo kết quả"]
    assert {s.split(":")[0] for s in skipped} == {"Mẫu tự đánh giá", "Thông báo kết quả xếp loại"}


def build_and_payload(tmp_path):
    path = build_workbook(tmp_path / "2023.xlsm", read_case(EXAMPLE), None)
    (tmp_path / "y2023").mkdir()
    return path, payload_from_workbook(path)


def test_ballots_button_fills_empty_grid_names_but_never_replaces_them(tmp_path):
    case = read_case(EXAMPLE)
    from dataclasses import replace
    empty = replace(case, member_votes=None, party_cell=replace(case.party_cell, votes=None))
    path = build_workbook(tmp_path / "b.xlsm", empty, None)
    book = xw.Book(json=payload_from_workbook(path))
    ballots, filled = macros.run_ballots(book, folder=tmp_path)
    assert filled and ballots.exists()
    writes = [a for a in book.json()["actions"] if a["func"] == "setValues"]
    assert len(writes) == 1 and writes[0]["sheet_position"] == S.ALL_SHEETS.index(S.SHEET_GRID)
    assert [row[0] for row in writes[0]["values"]] == [m.name for m in case.members]
    # A grid already typed with other names is left alone.
    full = build_workbook(tmp_path / "c.xlsm", case, None)
    wb = openpyxl.load_workbook(full, keep_vba=True)
    wb[S.SHEET_ROSTER][f"B{S.ROSTER_FIRST_ROW + 1}"] = "Tên Khác"
    wb.save(tmp_path / "d.xlsm")
    book = xw.Book(json=payload_from_workbook(tmp_path / "d.xlsm"))
    with pytest.raises(CaseFileError, match="không ghi đè"):
        macros.run_ballots(book, folder=tmp_path)
    assert book.json()["actions"] == []


def test_live_functions_return_the_results_and_warnings_tables(example_payload):
    _, payload = example_payload
    book = xw.Book(json=payload)
    from xlwings_addin.io.workbook import BLOCKS
    args = [book.sheets[sheet].range(block_address(key)).options(ndim=2).value for key, (sheet, *_r) in BLOCKS.items()]
    table = udfs.XEPLOAI_KETQUA(*args)
    assert table[0] == list(S.RESULTS_HEADERS)
    chi_bo = [row for row in table if row[1] == "Chi bộ Trường Mầm non Song Phượng"]
    assert chi_bo and chi_bo[0][S.RESULTS_PROPOSAL_COL] == "HTTNV" and len(table) == 1 + 3 + 22
    warnings = udfs.XEPLOAI_CANHBAO(*args)
    assert warnings[0] == list(S.WARNINGS_HEADERS) and any(r[1] == "QUOTA_EXCEEDED" for r in warnings)
    assert all(not str(v).startswith("=") for row in warnings for v in row)
    broken = udfs.XEPLOAI_KETQUA([], [], [], [], [], [], [], [])
    assert len(broken[0]) == 1 and "Hội nghị" in broken[0][0]


def test_environment_check_speaks_vietnamese_and_notices_onedrive(example_payload):
    _, payload = example_payload

    class OneDriveBook:
        fullname = "https://d.docs.live.net/abc/Tài liệu/Kết quả.xlsm"

    lines = macros.environment_report(OneDriveBook())
    assert any("OneDrive" in line for line in lines)
    assert any(line.startswith("xlwings 0.37.8") for line in lines)


@pytest.mark.parametrize("entry", ["tinh_ket_qua", "xuat_bien_ban", "in_phieu", "kiem_tra_moi_truong"])
def test_button_entry_points_answer_with_a_vietnamese_message_never_a_traceback(example_payload, tmp_path, monkeypatch, entry):
    path, _ = example_payload
    wb = openpyxl.load_workbook(path, keep_vba=True)
    wb[S.SHEET_GRID][f"{S.col(S.GRID_FIRST_BALLOT_COL)}{S.GRID_FIRST_ROW + 1}"] = "abc"  # a bad cell
    wb.save(tmp_path / "bad.xlsm")
    for source, expect in ((path, None), (tmp_path / "bad.xlsm", "Dữ liệu chưa hợp lệ")):
        book = xw.Book(json=payload_from_workbook(source))
        monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
        monkeypatch.setattr(macros, "_book_folder", lambda b: (tmp_path, ""))
        getattr(macros, entry)()  # must not raise
        alerts = [a for a in book.json()["actions"] if a["func"] == "alert"]
        assert len(alerts) == 1
        text = " ".join(str(x) for x in alerts[0]["args"])
        if expect and entry != "kiem_tra_moi_truong":
            assert expect in text and "Traceback" not in text
        else:
            assert "Lỗi không mong đợi" not in text


class _CountingBook:
    """Wraps an xlwings book to count the cells every range read returns (reads leave no action)."""

    def __init__(self, book):
        self.book, self.cells, self.reads = book, 0, 0
        outer = self

        class Sheets:
            def __getitem__(self, name):
                sheet = book.sheets[name]

                class Sheet:
                    @property
                    def used_range(self):
                        # The capacity check asks each sheet for its used range: an address, not cells.
                        return sheet.used_range

                    def range(self, address):
                        rng = sheet.range(address)

                        class Opt:
                            def options(self, **kw):
                                inner = rng.options(**kw)

                                class Value:
                                    @property
                                    def value(self):
                                        v = inner.value
                                        outer.reads += 1
                                        outer.cells += sum(len(r) for r in v) if v else 0
                                        return v
                                return Value()
                        return Opt()
                return Sheet()
        self.sheets = Sheets()


@pytest.mark.parametrize("n", [22, 300])
def test_one_click_reads_cells_in_proportion_to_the_roster_in_a_constant_number_of_calls(tmp_path, n):
    case = read_case(EXAMPLE) if n == 22 else big_case(n, n)
    path = build_workbook(tmp_path / "b.xlsm", case, None)
    counting = _CountingBook(xw.Book(json=payload_from_workbook(path)))
    tables = macros.read_tables_live(counting)
    assert counting.reads == 8  # one call per input block, whatever the roster
    if n == 22:
        assert counting.cells <= 5000
    assert len(tables.roster) == 1 + n


def test_the_macro_on_the_2026_example_agrees_with_compute(tmp_path):
    """QĐ 366: scores, groups, a show of hands; the workbook's macro and the case file give the same."""
    from pathlib import Path

    root = Path(__file__).parent.parent
    book_path = root / "workbook" / "vi-du-song-phuong-2026.xlsm"
    book = xw.Book(json=payload_from_workbook(book_path))
    result = macros.run(book)
    expected = compute(read_case(root / "xlwings_addin" / "examples" / "song-phuong-2026.json"))
    got, want = result.to_dict(), expected.to_dict()
    assert got["rules"]["id"] == want["rules"]["id"] == "QD366-2025"
    keys = ("name", "group", "score", "basis", "proposed_level", "rule")
    assert [{k: m[k] for k in keys} for m in got["members"]] == [{k: m[k] for k in keys} for m in want["members"]]
    assert got["quota"]["groups"] == want["quota"]["groups"]
    assert [c["proposed_level"] for c in got["collectives"]] == [c["proposed_level"] for c in want["collectives"]]
    # What it writes is what it computed: the proposals on the results sheet.
    apply_actions(book_path, book.json()["actions"], tmp_path / "after.xlsm")
    ws = openpyxl.load_workbook(tmp_path / "after.xlsm")[S.SHEET_RESULTS]
    top = S.RESULTS_FIRST_ROW + 1 + 1 + len(expected.collectives)
    rows = list(ws.iter_rows(min_row=top, max_row=top + len(expected.members) - 1, values_only=True))
    assert [r[1] for r in rows] == [m.name for m in expected.members]
    assert [r[S.RESULTS_PROPOSAL_COL] or None for r in rows] == [m.proposed_level.short if m.proposed_level else None
                                                                  for m in expected.members]
