"""The aggregate command on generated sets of real files: workbooks, case files, summary tables.

Decided levels written back are checked to change only the "Cấp ủy quyết định" and "Số quyết định"
cells: every other zip part byte-identical, and every other cell of the edited sheets identical when
reopened with python-calamine and openpyxl.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import zipfile
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from xlwings_addin.aggregate import columns as C
from xlwings_addin.aggregate.generate import make_commune, sized_cell
from xlwings_addin.aggregate.read import read_all, read_previous, record_from
from xlwings_addin.aggregate.run import run_aggregate
from xlwings_addin.aggregate.writeback import WriteBackError, write_decisions
from xlwings_addin.aggregate.xlsxpatch import patch_bytes, set_cells
from xlwings_addin.core.fingerprint import fingerprint
from xlwings_addin.engine import compute
from xlwings_addin.excel.template import build_workbook
from xlwings_addin.io import schema as S
from xlwings_addin.io.casefile import write_case
from xlwings_addin.io.load import load_case


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "xlwings_addin", *args], capture_output=True, text=True, encoding="utf-8", cwd=cwd)


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """Three chi bộ workbooks of 8-10 members (QĐ 366, 2026), built once for the module."""
    folder = tmp_path_factory.mktemp("books")
    out = []
    for k, n in enumerate((8, 9, 10)):
        case = sized_cell(k, n)
        path = folder / f"cb{k}.xlsm"
        build_workbook(path, case, compute(case))
        out.append(path)
    return out


def copy_books(books, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for b in books:
        p = folder / b.name
        p.write_bytes(b.read_bytes())
        out.append(p)
    return out


def case_files(folder: Path, cases) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [write_case(c, folder / f"cb{k}.json") for k, c in enumerate(cases)]


def problems(outcome, code):
    return [p for p in outcome.aggregate.problems if p.code == code]


def test_a_commune_is_aggregated_from_case_files_with_pooled_groups(tmp_path):
    files = case_files(tmp_path / "in", make_commune())
    outcome = run_aggregate([tmp_path / "in"], tmp_path / "out" / "TH.xlsx")
    agg = outcome.aggregate
    assert len(agg.cells) == 12 and not agg.failures and agg.review_year == 2026
    assert {p.key for p in agg.pools} >= {"2A", "2B", "2C", "tt:chi_bo"}
    # The pooled figures are the sums of the cells' own figures, group by group.
    for p in agg.pools:
        if p.subjects == "members":
            assert p.htt == sum(1 for c in agg.cells for m in c.members if m.group == p.key and m.proposed == "HTTNV")
    assert outcome.summary.exists() and outcome.annex.exists() and len(files) == 12


def test_parallel_reading_gives_what_one_process_gives(books, tmp_path):
    files = [str(p) for p in books] + [str(p) for p in case_files(tmp_path, [sized_cell(5, 12), sized_cell(6, 20)])]
    assert read_all(files, workers=2) == read_all(files, workers=1)


def test_a_file_that_cannot_be_read_is_named_and_the_others_are_aggregated(books, tmp_path):
    folder = tmp_path / "in"
    copy_books(books, folder)
    (folder / "hong.xlsm").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "rong.xlsm").write_bytes(b"")
    outcome = run_aggregate([folder], tmp_path / "TH.xlsx")
    failed = {Path(f.file).name: f.message for f in outcome.aggregate.failures}
    assert set(failed) == {"hong.xlsm", "rong.xlsm"} and "hong.xlsm" in failed["hong.xlsm"] and "rỗng" in failed["rong.xlsm"]
    assert len(outcome.aggregate.cells) == 3 and outcome.exit_code == 1
    assert {Path(p.file).name for p in problems(outcome, "INPUT_UNREADABLE")} == {"hong.xlsm", "rong.xlsm"}
    proc = run_cli("aggregate", str(folder / "hong.xlsm"), str(folder / "rong.xlsm"), "--out", str(tmp_path / "none.xlsx"))
    assert proc.returncode == 2 and "hong.xlsm" in proc.stderr and not (tmp_path / "none.xlsx").exists()


def test_mismatched_years_duplicates_and_the_expected_list(tmp_path):
    cases = [sized_cell(0, 10), sized_cell(1, 10), sized_cell(2, 10, year=2025)]
    moved = replace(cases[0].members[3], note="chuyển sinh hoạt")
    cases[1] = replace(cases[1], members=cases[1].members + (moved,))  # the same member in two cells
    files = case_files(tmp_path / "in", cases)
    signed = [fingerprint(load_case(f)) for f in files]  # the codes printed on the minutes
    cases[0] = replace(cases[0], members=tuple(replace(m, role="Giáo viên") if i == 1 else m for i, m in enumerate(cases[0].members)))
    files[0].unlink()
    write_case(cases[0], files[0])  # edited after its minutes were signed
    expected = tmp_path / "ds.csv"
    with open(expected, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Chi bộ", "Mã kiểm tra dữ liệu"])
        for c, code in zip(cases, signed):
            w.writerow([c.meeting.party_cell, code])
        w.writerow(["Chi bộ chưa nộp", ""])
    outcome = run_aggregate([tmp_path / "in"], tmp_path / "TH.xlsx", expected=str(expected))
    assert [Path(p.file).name for p in problems(outcome, "YEAR_MISMATCH")] == ["cb2.json"]
    dup = problems(outcome, "DUPLICATE_MEMBER")
    assert len(dup) == 1 and moved.name in dup[0].message and "cùng số thẻ" in dup[0].message
    changed = problems(outcome, "CHANGED_AFTER_SIGNING")
    assert [Path(p.file).name for p in changed] == ["cb0.json"] and signed[0] in changed[0].message
    assert [p.message for p in problems(outcome, "CELL_MISSING")] == ["Chưa có kết quả của Chi bộ chưa nộp (có trong danh sách chi bộ cần nộp)."]
    # The per-cell sheet shows the codes side by side.
    rows = CalamineWorkbook.from_path(str(outcome.summary)).get_sheet_by_name(C.SHEET_CELLS).to_python()
    header = rows[0]
    ok = {r[header.index("Chi bộ")]: r[header.index("Khớp mã")] for r in rows[1:]}
    assert ok[cases[0].meeting.party_cell] == "KHÔNG KHỚP" and ok[cases[1].meeting.party_cell] == "Khớp"


def test_a_workbook_changed_after_signing_is_found_from_the_workbook_itself(books, tmp_path):
    folder = tmp_path / "in"
    paths = copy_books(books, folder)
    signed = {load_case(p).meeting.party_cell: fingerprint(load_case(p)) for p in paths}
    # Change one appraised score in the first workbook's XML (as a later edit in Excel would).
    sheet_col = S.col(S.SCORE_INDEX["score_results"])
    data = patch_bytes(paths[0].read_bytes(), {S.SHEET_SCORES: {f"{sheet_col}{S.FIRST_ROW + 2}": 41.5}})
    paths[0].write_bytes(data)
    expected = tmp_path / "ds.csv"
    expected.write_text("\n".join(f"{k},{v}" for k, v in signed.items()), encoding="utf-8")
    outcome = run_aggregate([folder], tmp_path / "TH.xlsx", expected=str(expected))
    changed = problems(outcome, "CHANGED_AFTER_SIGNING")
    assert [Path(p.file).name for p in changed] == [paths[0].name]


def test_unresolved_errors_name_the_sheet_and_cell(tmp_path):
    case = sized_cell(0, 9)
    bad = replace(case.members[2], performance=replace(case.members[2].performance, score_common=Fraction(31)))
    case = replace(case, members=case.members[:2] + (bad,) + case.members[3:])
    case_files(tmp_path / "in", [case])
    outcome = run_aggregate([tmp_path / "in"], None)
    errs = problems(outcome, "CELL_HAS_ERRORS")
    assert errs and errs[0].file.endswith("cb0.json") and errs[0].where


def test_a_chi_bo_summary_table_is_taken_as_written(books, tmp_path):
    # The "Tổng hợp" sheet of a computed workbook, exported alone as .xlsx.
    rows = CalamineWorkbook.from_path(str(books[0])).get_sheet_by_name(S.SHEET_SUMMARY).to_python(skip_empty_area=False)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Bảng xuất"
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row, 1):
            if v not in ("", None):
                ws.cell(r, c).value = v
    export = tmp_path / "tong-hop-cb0.xlsx"
    wb.save(export)
    outcome = run_aggregate([export, books[1]], None)
    by_source = {c.source: c for c in outcome.aggregate.cells}
    table, full = by_source["summary"], record_from(load_case(books[0]), compute(load_case(books[0])), "x", "workbook")
    assert table.party_cell == full.party_cell and table.fingerprint == full.fingerprint
    assert [(m.name, m.group, m.proposed, m.score) for m in table.members] == [(m.name, m.group, m.proposed, m.score) for m in full.members]
    assert problems(outcome, "SUMMARY_ONLY")


def _cells(path: Path, sheet: str) -> dict:
    wb = openpyxl.load_workbook(path, keep_vba=True)
    ws = wb[sheet]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def _type_decisions(summary: Path, out: Path, pick, level_of=None, collective: str | None = None) -> Path:
    wb = openpyxl.load_workbook(summary)
    for sheet, name_col in ((C.SHEET_MEMBERS, "Họ và tên"), (C.SHEET_COLLECTIVES, "Tập thể")):
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        j = header.index("Cấp ủy quyết định") + 1
        for r in range(2, ws.max_row + 1):
            name = ws.cell(r, header.index(name_col) + 1).value
            proposed = ws.cell(r, header.index("Chi bộ đề xuất" if sheet == C.SHEET_MEMBERS else "Hội nghị đề xuất") + 1).value
            if sheet == C.SHEET_MEMBERS and pick(r, name) and proposed:
                ws.cell(r, j).value = level_of(name, proposed) if level_of else proposed
            if sheet == C.SHEET_COLLECTIVES and name == collective:
                ws.cell(r, j).value = "HTTNV"
    wb.save(out)
    return out


def test_decisions_written_back_change_only_the_decision_cells(books, tmp_path):
    folder = tmp_path / "in"
    paths = copy_books(books, folder)
    original = {p: p.read_bytes() for p in paths}
    outcome = run_aggregate([folder], tmp_path / "TH.xlsx", decision_no="125-QĐ/ĐU")
    cell0 = load_case(paths[0]).meeting.party_cell
    typed = _type_decisions(outcome.summary, tmp_path / "TH-qd.xlsx", lambda r, n: True, collective=cell0)
    decisions, applied, refused = write_decisions(typed)
    assert not refused and len(applied) == 3
    for a in applied:
        assert a.source.read_bytes() == original[a.source]  # the chi bộ's own file is untouched
        assert a.written.name == f"{a.source.stem} (quyết định).xlsm"
        before, after = zipfile.ZipFile(a.source), zipfile.ZipFile(a.written)
        assert [i.filename for i in before.infolist()] == [i.filename for i in after.infolist()]
        changed = {i.filename for i in before.infolist() if before.read(i.filename) != after.read(i.filename)}
        assert changed <= {"xl/worksheets/sheet4.xml", "xl/worksheets/sheet6.xml"}, changed  # Chấm điểm, Tập thể
        case = load_case(a.written)
        dec_col, ref_col = S.col(S.SCORE_INDEX["decided_level"]), S.col(S.SCORE_INDEX["decision_ref"])
        result = compute(load_case(a.source))
        # openpyxl: every cell of "Chấm điểm" equal except the two decision columns of decided rows.
        old, new = _cells(a.source, S.SHEET_SCORES), _cells(a.written, S.SHEET_SCORES)
        diff = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
        rows = {int(m.where.split("!B")[1]) for m, r in zip(case.members, result.members) if r.proposed_level}
        assert diff == {f"{c}{r}" for r in rows for c in (dec_col, ref_col)}
        for m, r in zip(case.members, result.members):
            assert m.decided_level == r.proposed_level and (m.decision_ref == "125-QĐ/ĐU") == bool(r.proposed_level)
        # python-calamine reads the same values back.
        sheet = CalamineWorkbook.from_path(str(a.written)).get_sheet_by_name(S.SHEET_SCORES).to_python()
        first = S.FIRST_ROW
        assert sheet[first][S.SCORE_INDEX["decided_level"]] == (result.members[0].proposed_level.code if result.members[0].proposed_level else "")
        if a.source == paths[0]:
            assert case.party_cell.decided_level.code == "HTTNV" and case.party_cell.decision_ref == "125-QĐ/ĐU"
            old, new = _cells(a.source, S.SHEET_COLLECTIVES), _cells(a.written, S.SHEET_COLLECTIVES)
            assert {k for k in set(old) | set(new) if old.get(k) != new.get(k)} == {
                f"{S.col(S.COLLECTIVE_INDEX['decided_level'])}{S.COLL_FIRST_ROW + 1}",
                f"{S.col(S.COLLECTIVE_INDEX['decision_ref'])}{S.COLL_FIRST_ROW + 1}"}
        # The chi bộ's data code, decisions left out, is unchanged.
        from xlwings_addin.aggregate.read import undecided

        assert fingerprint(undecided(case)) == fingerprint(undecided(load_case(a.source)))


def test_write_back_in_place_keeps_a_backup_and_refuses_an_unknown_member(books, tmp_path):
    folder = tmp_path / "in"
    paths = copy_books(books, folder)
    outcome = run_aggregate([folder], tmp_path / "TH.xlsx")
    first = load_case(paths[0]).members[0].name
    typed = _type_decisions(outcome.summary, tmp_path / "TH-qd.xlsx", lambda r, n: n == first)
    before = paths[0].read_bytes()
    with pytest.raises(WriteBackError, match="số quyết định"):
        from xlwings_addin.aggregate.writeback import read_decisions, apply_to_workbook

        apply_to_workbook(paths[0], read_decisions(typed)[0], "")
    decisions, applied, refused = write_decisions(typed, [folder], decision_no="7-QĐ/ĐU", replace=True)
    assert len(applied) == 1 and not refused
    backup = applied[0].backup
    assert backup.read_bytes() == before and backup.name == "cb0 (bản trước khi ghi quyết định).xlsm"
    assert load_case(paths[0]).members[0].decision_ref == "7-QĐ/ĐU"
    # A member of the summary that the workbook does not have: the whole workbook is refused, untouched.
    wb = openpyxl.load_workbook(typed)
    ws = wb[C.SHEET_MEMBERS]
    header = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, header.index("Họ và tên") + 1).value == first:
            ws.cell(r, header.index("Họ và tên") + 1).value = "Người Không Có"
            ws.cell(r, header.index("Số thẻ đảng viên") + 1).value = "99999999"
    wb.save(typed)
    now = paths[0].read_bytes()
    proc = run_cli("write-decisions", str(typed), str(folder), "--decision", "8-QĐ/ĐU", "--force")
    assert proc.returncode == 2 and "Người Không Có" in proc.stderr and "sổ giữ nguyên" in proc.stderr
    assert paths[0].read_bytes() == now and not (folder / "cb0 (quyết định).xlsm").exists()


def test_write_back_refuses_a_workbook_changed_since_the_aggregation(books, tmp_path):
    folder = tmp_path / "in"
    paths = copy_books(books, folder)
    outcome = run_aggregate([folder], tmp_path / "TH.xlsx")
    typed = _type_decisions(outcome.summary, tmp_path / "TH-qd.xlsx", lambda r, n: True)
    col = S.col(S.ROSTER_INDEX["role"])
    paths[1].write_bytes(patch_bytes(paths[1].read_bytes(), {S.SHEET_ROSTER: {f"{col}{S.FIRST_ROW + 1}": "Tổ trưởng"}}))
    _, applied, refused = write_decisions(typed, decision_no="1-QĐ/ĐU")
    assert len(applied) == 2 and len(refused) == 1 and "đã thay đổi sau khi tổng hợp" in refused[0][1]


def test_previous_summaries_give_the_streak_columns(tmp_path):
    cases = [sized_cell(0, 10), sized_cell(1, 10)]
    records = [record_from(c, compute(c), f"cb{k}.xlsm", "workbook") for k, c in enumerate(cases)]
    from xlwings_addin.aggregate.combine import combine
    from xlwings_addin.aggregate.xlsx import write_summary

    past = []
    for year in (2022, 2023, 2024, 2025):
        cells = [replace(r, review_year=year, members=tuple(replace(m, decided="HTXSNV") for m in r.members)) for r in records]
        past.append(write_summary(combine(cells), tmp_path / f"TH {year}.xlsx"))
    assert len(read_previous(past)) == 4 * sum(len(c.members) for c in cases)
    case_files(tmp_path / "in", cases)
    outcome = run_aggregate([tmp_path / "in"], tmp_path / "TH 2026.xlsx", previous=past)
    for c in outcome.aggregate.cells:
        for m in c.members:
            h = outcome.aggregate.history[(c.file, m.name)]
            assert h.streak_before == 4 and h.five_years == (outcome.aggregate.suggestion(c, m) == "HTXSNV")
    wb = CalamineWorkbook.from_path(str(outcome.summary))
    assert C.SHEET_HISTORY in wb.sheet_names
    header = wb.get_sheet_by_name(C.SHEET_MEMBERS).to_python()[0]
    assert {"Mức năm trước", "Số năm HTXSNV liên tiếp", "Đủ 5 năm HTXSNV liên tiếp"} <= set(header)


def test_summary_workbook_filters_freezes_prints_landscape_and_keeps_formulas_as_text(tmp_path):
    case = sized_cell(0, 9)
    case = replace(case, members=(replace(case.members[0], note="=HYPERLINK(\"x\")"),) + case.members[1:])
    case_files(tmp_path / "in", [case])
    outcome = run_aggregate([tmp_path / "in"], tmp_path / "TH.xlsx")
    z = zipfile.ZipFile(outcome.summary)
    wb = openpyxl.load_workbook(outcome.summary)
    assert wb.sheetnames[:3] == [C.SHEET_CELLS, C.SHEET_MEMBERS, C.SHEET_COLLECTIVES] and C.SHEET_PROBLEMS in wb.sheetnames
    for ws in wb.worksheets:
        assert ws.auto_filter.ref and ws.freeze_panes and ws.freeze_panes.endswith("2"), ws.title
        assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (1, 2, 3, None) and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        header = [c.value for c in ws[1]]
        area = ws.print_area if isinstance(ws.print_area, str) else ",".join(ws.print_area or ())
        printed = area.split("!")[-1].split(":")[1] if area else ""
        last = openpyxl.utils.column_index_from_string(printed.strip("$").rstrip("0123456789$")) if printed else len(header)
        if ws.title in (C.SHEET_CELLS, C.SHEET_MEMBERS, C.SHEET_COLLECTIVES):  # the source columns: for finding, not printing
            assert "Tệp" in header and "Tệp" not in header[:last] and "Dòng trong sổ" not in header[:last], ws.title
    # The member list is too wide for one page at a readable size: two pages across, the name columns on both.
    members = wb[C.SHEET_MEMBERS]
    assert members.page_setup.fitToWidth == 2 and members.print_title_cols == "$A:$D"
    assert (wb[C.SHEET_PROBLEMS].page_setup.fitToWidth or 1) == 1
    header = [c.value for c in members[1]]
    assert header[:4] == ["TT", "Năm", "Chi bộ", "Họ và tên"] and "Cấp ủy quyết định" in header
    assert all("<f>" not in z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))
    notes = [members.cell(r, header.index("Ghi chú") + 1).value for r in range(2, members.max_row + 1)]
    assert "=HYPERLINK(\"x\")" in notes
    # A second run never replaces the first summary.
    again = run_aggregate([tmp_path / "in"], tmp_path / "TH.xlsx")
    assert again.summary.name == "TH (2).xlsx" and outcome.summary.exists()


def test_the_annex_has_the_committee_header_the_decision_and_tables_per_level(tmp_path):
    import docx

    case_files(tmp_path / "in", make_commune()[:4])
    outcome = run_aggregate([tmp_path / "in"], tmp_path / "TH.xlsx", committee="Đảng ủy xã Ô Diên", upper_body="Đảng bộ xã Ô Diên",
                            decision_no="125-QĐ/ĐU")
    d = docx.Document(str(outcome.annex))
    header = d.tables[0]
    assert header.cell(0, 0).text.split("\n")[:2] == ["ĐẢNG BỘ XÃ Ô DIÊN", "ĐẢNG ỦY XÃ Ô DIÊN"]
    assert header.cell(0, 1).text.startswith("ĐẢNG CỘNG SẢN VIỆT NAM")
    text = "\n".join(p.text for p in d.paragraphs)
    assert "Kèm theo Quyết định số 125-QĐ/ĐU" in text and "của Đảng ủy xã Ô Diên" in text
    assert "I. Hoàn thành xuất sắc nhiệm vụ" in text and "Nhóm 2B" in text

    def effective(p, r, attr):
        # A run's own font, else its paragraph style's (the tables' cells use styles), else the base styles'.
        value, style = getattr(r.font, attr), p.style
        while value is None and style is not None:
            value, style = getattr(style.font, attr), style.base_style
        return value

    paragraphs = list(d.paragraphs) + [p for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    fonts = {effective(p, r, "name") for p in paragraphs for r in p.runs}
    sizes = {effective(p, r, "size").pt for p in paragraphs for r in p.runs}
    assert fonts == {"Times New Roman"} and sizes <= {8, 13, 14, 15, 6} and 13 in sizes
    cell_styles = {p.style.name for t in d.tables[1:] for row in t.rows for c in row.cells for p in c.paragraphs}
    assert cell_styles == {"AnnexHead", "AnnexCell", "AnnexCellCentre"}
    names = {row.cells[1].text for t in d.tables[1:] for row in t.rows[1:]}
    assert all(m.name in names for c in outcome.aggregate.cells for m in c.members if m.reviewed)


def test_set_cells_inserts_in_column_order_and_keeps_the_rest():
    xml = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<dimension ref="A1:C3"/><cols><col min="5" max="5" width="9" style="7"/></cols><sheetData>'
           b'<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="C1"><v>2</v></c></row>'
           b'<row r="3" spans="1:3" customFormat="1" s="4"/></sheetData></worksheet>')
    out = set_cells(xml, {"B1": "HTXSNV", "E1": "a & b", "C1": "", "D3": "x", "A2": "<mới>"})
    assert b'<c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>HTXSNV</t></is></c><c r="C1"/>' in out
    assert b'<c r="E1" s="7" t="inlineStr"><is><t>a &amp; b</t></is></c></row>' in out
    assert '<row r="2"><c r="A2" t="inlineStr"><is><t>&lt;mới&gt;</t></is></c></row><row r="3"'.encode() in out
    assert b'<row r="3" spans="1:4" customFormat="1" s="4"><c r="D3" s="4" t="inlineStr">' in out
    assert b'<dimension ref="A1:E3"/>' in out and b'spans="1:5"' in out


def test_the_committee_commands_have_help_and_the_demo_aggregates_a_commune(tmp_path):
    for command in ("aggregate", "write-decisions"):
        proc = run_cli(command, "--help")
        assert proc.returncode == 0 and "usage: xeploai" in proc.stdout, command
    proc = run_cli("demo", "--aggregate", "--out", str(tmp_path / "demo"))
    assert proc.returncode == 0, proc.stderr
    books = sorted((tmp_path / "demo" / "Sổ các chi bộ").glob("*.xlsm"))
    assert len(books) == 12
    sizes = sorted(len(load_case(b).members) for b in books)
    assert sizes[0] == 8 and sizes[-1] == 60
    summary = tmp_path / "demo" / "Tổng hợp 2026.xlsx"
    wb = CalamineWorkbook.from_path(str(summary))
    assert C.SHEET_HISTORY in wb.sheet_names
    rows = wb.get_sheet_by_name(C.SHEET_CELLS).to_python()
    assert len(rows) == 13 and all(r[rows[0].index("Khớp mã")] == "Khớp" for r in rows[1:])
    assert (tmp_path / "demo" / "Tổng hợp 2026 - Phụ lục quyết định.docx").exists()


def test_the_fast_rows_give_the_cells_xlsxwriter_gives(tmp_path):
    """The summary's data rows are written as sheet XML, not through XlsxWriter's per-cell calls: the
    reference here is XlsxWriter itself, on values that are easy to get wrong."""
    import io as _io
    from datetime import datetime as dt

    import openpyxl
    import pandas as pd
    import xlsxwriter

    from xlwings_addin.aggregate.xlsx import _rows_xml, _splice_rows

    df = pd.DataFrame({
        "text": ["=HYPERLINK(\"x\")", "  lề trái", "a & b <c>", "tab\tvà\x07chuông", None, "Nguyễn Văn Ân"],
        "number": [1, 2.5, 0.1 + 0.2, -3, None, 95.5],
        "date": pd.to_datetime(["2001-12-05", "1975-04-30", None, "2026-12-01", "1930-02-03", "2000-02-29"]),
        "wide": ["x" * 300, "", "y", None, "z", "w"],
    })

    def book(fast: bool) -> openpyxl.Workbook:
        buf = _io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
        wrap, date_fmt = wb.add_format({"text_wrap": True}), wb.add_format({"num_format": "dd/mm/yyyy"})
        ws = wb.add_worksheet("S")
        ws.set_column(3, 3, 30, wrap)
        for j, h in enumerate(df.columns):
            ws.write_string(0, j, h)
        if fast:
            styles = ["", "", "", f' s="{wrap._get_xf_index()}"']
            rows = {"xl/worksheets/sheet1.xml": (_rows_xml(df, styles, str(date_fmt._get_xf_index())), len(df) + 1, 3)}
        else:
            for i, row in enumerate(df.astype(object).where(pd.notna(df), None).itertuples(index=False), start=1):
                for j, v in enumerate(row):
                    if v is None or v == "":
                        continue
                    if j == 2:
                        ws.write_datetime(i, j, v.to_pydatetime(), date_fmt)
                    elif isinstance(v, str):
                        ws.write_string(i, j, v)
                    else:
                        ws.write_number(i, j, v)
        wb.close()
        data = _splice_rows(buf.getvalue(), rows) if fast else buf.getvalue()
        path = tmp_path / ("fast.xlsx" if fast else "ref.xlsx")
        path.write_bytes(data)
        return openpyxl.load_workbook(path)["S"]

    ref, fast = book(False), book(True)
    assert fast.dimensions == ref.dimensions == "A1:D7"
    cells = [(c.coordinate, c.value, c.number_format, c.alignment.wrap_text, c.data_type)
             for ws in (ref, fast) for row in ws.iter_rows() for c in row]
    half = len(cells) // 2
    assert cells[:half] == cells[half:]
    assert fast["A2"].value == "=HYPERLINK(\"x\")" and fast["A2"].data_type == "s"  # text, never a formula
    assert fast["C2"].value == dt(2001, 12, 5) and fast["C2"].number_format == "dd/mm/yyyy"
