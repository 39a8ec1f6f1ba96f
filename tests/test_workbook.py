"""The macro-enabled workbook: the build, the VBA inside it, the reader, round trips, bad files."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from casebuilder import EXAMPLE
from xlwings_addin.engine import compute
from xlwings_addin.excel.template import BUTTONS, build_workbook, for_workbook
from xlwings_addin.excel.vbaproject import extract_module_sources, module1_source, procedure_names
from xlwings_addin.io import schema as S
from xlwings_addin.io.casefile import CaseFileError, case_from_dict, case_to_dict, read_case
from xlwings_addin.io.workbook import read_workbook

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "workbook" / "xeploai.xlsm"
EXAMPLE_BOOK = ROOT / "workbook" / "vi-du-song-phuong-2023.xlsm"


@pytest.fixture(scope="module")
def example_book(tmp_path_factory):
    path = tmp_path_factory.mktemp("book") / "Sổ ví dụ.xlsm"
    case = read_case(EXAMPLE)
    return build_workbook(path, case, compute(case))


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


# ------------------------------------------------------------------------------------- the build

def test_committed_workbooks_equal_a_fresh_build(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    import build_template

    fresh = build_template.build_all(tmp_path)
    for new in fresh:
        committed = ROOT / "workbook" / new.name
        old_parts, new_parts = _parts(committed), _parts(new)
        assert old_parts.keys() == new_parts.keys()
        changed = [n for n in old_parts if old_parts[n] != new_parts[n]]
        assert changed == [], f"{committed.name} is stale (run scripts/build_template.py): {changed}"


def test_the_build_is_deterministic(tmp_path):
    a, b = build_workbook(tmp_path / "a.xlsm"), build_workbook(tmp_path / "b.xlsm")
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def test_sheets_have_vietnamese_names_and_the_conf_sheet_is_hidden():
    wb = openpyxl.load_workbook(TEMPLATE, keep_vba=True)
    assert wb.sheetnames == list(S.ALL_SHEETS)
    assert wb[S.SHEET_CONF].sheet_state == "hidden"
    conf = {r[0]: r[1] for r in wb[S.SHEET_CONF].iter_rows(values_only=True)}
    assert conf["UDF Modules"] == "xlwings_addin.excel.udfs"
    assert "DanhSachDangVien" in wb[S.SHEET_ROSTER].tables


def test_roster_and_grid_have_fixed_headers_and_validation():
    wb = openpyxl.load_workbook(TEMPLATE)
    roster = wb[S.SHEET_ROSTER]
    assert [c.value for c in roster[S.ROSTER_HEADER_ROW + 1]][: len(S.ROSTER_COLUMNS)] == [c.header for c in S.ROSTER_COLUMNS]
    grid = wb[S.SHEET_GRID]
    assert [c.value for c in grid[S.GRID_HEADER_ROW + 1]][: len(S.GRID_FIXED)] == list(S.GRID_FIXED)
    sources = [dv.formula1 for dv in grid.data_validations.dataValidation]
    assert '"1,2,3,4,x"' in sources
    assert grid.conditional_formatting, "the grid colours invalid ballots and bad codes"
    first = f"I{S.GRID_FIRST_ROW + 1}"
    assert any(first in str(rng.sqref) for rng in grid.conditional_formatting)


# ------------------------------------------------------------------------------------- VBA

def test_vba_extracted_back_equals_the_text_sources():
    modules = extract_module_sources(TEMPLATE)
    assert modules["Module1"] == module1_source("xlwings_addin.excel.udfs")
    assert all(ch.isascii() for text in modules.values() for ch in text)


def test_every_button_names_an_existing_sub():
    subs = {n.lower() for n in procedure_names(extract_module_sources(TEMPLATE)["Module1"])}
    with zipfile.ZipFile(TEMPLATE) as z:
        vml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".vml"))
    macros = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    assert set(macros) == set(BUTTONS)
    assert {m.lower() for m in macros} <= subs
    for caption in BUTTONS.values():
        assert caption in vml


def test_udf_wrappers_exist_for_both_live_functions():
    names = procedure_names(extract_module_sources(TEMPLATE)["Module1"])
    assert {"XEPLOAI_KETQUA", "XEPLOAI_CANHBAO"} <= set(names)
    with zipfile.ZipFile(TEMPLATE) as z:
        sheets = [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert any("XEPLOAI_KETQUA(" in s for s in sheets) and any("XEPLOAI_CANHBAO(" in s for s in sheets)


@pytest.mark.slow
def test_template_passes_the_ooxml_schema_check():
    proc = subprocess.run([sys.executable, "-m", "openxml_audit", "-o", "json", str(TEMPLATE)], capture_output=True, text=True)
    if proc.returncode != 0 and not proc.stdout.strip().startswith("["):
        proc = subprocess.run(["openxml-audit", "-o", "json", str(TEMPLATE)], capture_output=True, text=True)
    report = json.loads(proc.stdout)[0]
    assert report["valid"] is True and report["error_count"] == 0, report["errors"][:5]


# ------------------------------------------------------------------------------------- reading

def test_reading_the_example_workbook_gives_the_same_result_as_the_case_file(example_book):
    from_book = compute(read_workbook(example_book)).to_dict()
    from_json = compute(read_case(EXAMPLE)).to_dict()
    for key in ("rules", "members", "summary", "quota", "party_cell", "fingerprint"):
        a, b = from_book[key], from_json[key]
        if key == "members":
            a = [{k: v for k, v in m.items() if k != "where"} for m in a]
            b = [{k: v for k, v in m.items() if k != "where"} for m in b]
        assert a == b, key
    assert from_book["members"][0]["where"] == f"{S.SHEET_ROSTER}!B{S.ROSTER_FIRST_ROW + 1}"


RICH = {
    "format": "xeploai-case", "version": 1,
    "meeting": {"review_year": 2025, "date": "2025-12-05", "party_cell": "Chi bộ Thôn Định Thành",
                "upper_body": "Đảng bộ xã Tiên Phong", "upper_committee": "Đảng ủy xã Tiên Phong", "locality": "Tiên Phong",
                "place": "Nhà văn hóa thôn", "start_time": "08:00", "end_time": "11:30",
                "chair": {"name": "Nguyễn Văn A", "title": "Bí thư Chi bộ"}, "secretary": {"name": "Phạm Thị E", "title": ""},
                "guests": [{"name": "Lê Văn X", "title": "Đảng ủy viên"}], "vote_counters": [{"name": "Trần B", "title": "Trưởng ban"}],
                "voting_method": "bỏ phiếu kín", "legal_basis": ["Quy định số 366-QĐ/TW", "Hướng dẫn số 43-HD/BTCTW"],
                "document_number": "Số 05-BB/CB", "special_unit": False},
    "rules": {"id": "QD366-2025", "settings": {"base_policy": "official_all", "htxs_threshold": "two_thirds", "cascade": False}},
    "party_cell": {"self_level": "HTTNV", "performance": {"self_score_common": 27, "self_score_results": 60.5,
                                                          "on_time_with_quality": True}, "exceptional_unit_approved": True},
    "members": [
        {"name": "Nguyễn Văn A", "membership": "chinh_thuc", "role": "Bí thư", "leadership": True, "self_level": "HTXSNV",
         "performance": {"self_score_common": 29, "self_score_results": 63, "score_common": 28.5, "score_results": 62,
                         "tasks_completed_pct": 100, "tasks_exceeded_pct": 35, "on_time_with_quality": True,
                         "shortcomings_remedied": True}, "civil_service_level": "HTXSNV"},
        {"name": "Trần B", "role": "Đảng viên", "attendance": "vang_co_ly_do", "absence_reason": "Ốm",
         "discipline": {"form": "khien_trach", "duty_related": False, "self_detected_remedied": True, "note": ""}},
        {"name": "Lê Thị C", "membership": "du_bi", "admission_date": "2025-03-01", "sick_or_maternity": True,
         "performance": {"criteria_grade": "tot", "results_grade": "xuat_sac", "tasks_late_pct": 10}},
        {"name": "Cụ D", "exempt": True, "attendance": "vang_co_ly_do", "note": "-Tuổi cao"},
        {"name": "Đỗ E & <F>", "degradation": False, "prohibited_acts": True, "example_violation": True,
         "decided_level": "KHTNV", "temporarily_elsewhere": True},
    ],
    "member_ballots": {"mode": "tally", "issued": 3, "returned": 3, "invalid": 0, "rows": [
        {"name": "Nguyễn Văn A", "HTXSNV": 2, "HTTNV": 1, "HTNV": 0, "KHTNV": 0, "spoiled": 0},
        {"name": "Trần B", "HTXSNV": 0, "HTTNV": 3, "HTNV": 0, "KHTNV": 0, "spoiled": 0},
        {"name": "Lê Thị C", "HTXSNV": 0, "HTTNV": 2, "HTNV": 1, "KHTNV": 0, "spoiled": 0},
        {"name": "Đỗ E & <F>", "HTXSNV": 0, "HTTNV": 0, "HTNV": 1, "KHTNV": 1, "spoiled": 1}]},
    "party_cell_ballots": {"mode": "tally", "HTXSNV": 1, "HTTNV": 2, "HTNV": 0, "KHTNV": 0, "invalid": 0},
}


@pytest.mark.parametrize("data", ["example", "rich"])
def test_case_to_workbook_to_case_is_lossless(tmp_path, data):
    case = read_case(EXAMPLE) if data == "example" else case_from_dict(RICH)
    book = build_workbook(tmp_path / "book.xlsm", case, None)
    again = read_workbook(book)
    # A QĐ 366 sheet holds task counts: typed percentages come back as counts out of 100 (the same shares).
    expected, notes = for_workbook(case)
    assert bool(notes) is (data == "rich")
    assert case_to_dict(again) == case_to_dict(expected)
    levels = lambda c: [(m.name, m.proposed_level, m.rule) for m in compute(c).members]  # noqa: E731
    assert levels(again) == levels(case)


def test_import_and_export_commands_round_trip_and_never_overwrite(tmp_path):
    out = tmp_path / "Sổ chi bộ.xlsm"
    run = lambda *a: subprocess.run([sys.executable, "-m", "xlwings_addin", *a], capture_output=True, text=True, cwd=ROOT)  # noqa: E731
    assert run("import", EXAMPLE, "--out", str(out)).returncode == 0
    second = run("import", EXAMPLE, "--out", str(out))
    assert second.returncode == 0 and second.stdout.strip().endswith("Sổ chi bộ (2).xlsm")
    proc = run("export", str(out), "--out", str(tmp_path / "case.json"))
    assert proc.returncode == 0, proc.stderr
    exported = json.loads((tmp_path / "case.json").read_text(encoding="utf-8"))
    assert exported == json.loads(json.dumps(case_to_dict(read_case(EXAMPLE))))
    computed = run("compute", str(out), "--json")
    assert computed.returncode == 0 and json.loads(computed.stdout)["summary"]["HTXSNV"] == 4


# ------------------------------------------------------------------------------------- bad files

def _edit(src: Path, dst: Path, change) -> Path:
    wb = openpyxl.load_workbook(src, keep_vba=True)
    change(wb)
    wb.save(dst)
    return dst


def _grid_cell(row_member: int, ballot: int) -> str:
    return f"{S.col(S.GRID_FIRST_BALLOT_COL + ballot)}{S.GRID_FIRST_ROW + 1 + row_member}"


def _tally_mode(wb):
    wb[S.SHEET_MEETING][f"C{S.MEETING_FIELD_ROWS['member_vote_mode'] + 1}"] = "Kiểm phiếu tay"
    ws = wb[S.SHEET_TALLY]
    ws["C4"] = 22
    ws[f"B{S.TALLY_FIRST_ROW + 1}"] = "Nguyễn Thị Thủy"
    ws[f"C{S.TALLY_FIRST_ROW + 1}"] = "mười"


BAD = {
    "sheet renamed": (lambda wb: setattr(wb[S.SHEET_GRID], "title", "Phieu dang vien"), S.SHEET_GRID, "thiếu sheet"),
    "sheet missing": (lambda wb: wb.remove(wb[S.SHEET_ROSTER]), S.SHEET_ROSTER, "thiếu sheet"),
    "header changed": (lambda wb: wb[S.SHEET_ROSTER].cell(S.ROSTER_HEADER_ROW + 1, 3, "Loại"), f"{S.SHEET_ROSTER}!C4", "tiêu đề cột"),
    "code 7 in the grid": (lambda wb: wb[S.SHEET_GRID].__setitem__(_grid_cell(2, 4), 7), f"{S.SHEET_GRID}!{_grid_cell(2, 4)}", "'7'"),
    "text in a count cell": (_tally_mode, f"{S.SHEET_TALLY}!C{S.TALLY_FIRST_ROW + 1}", "mười"),
    "merged cells": (lambda wb: wb[S.SHEET_ROSTER].merge_cells("B6:D6"), f"{S.SHEET_ROSTER}!B6:D6", "gộp"),
    "bad date": (lambda wb: wb[S.SHEET_MEETING].__setitem__(f"C{S.MEETING_FIELD_ROWS['date'] + 1}", "31/02/2023"),
                 f"{S.SHEET_MEETING}!C{S.MEETING_FIELD_ROWS['date'] + 1}", "ngày không hợp lệ"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_malformed_workbooks_get_a_message_naming_sheet_and_cell(example_book, tmp_path, name):
    change, where, text = BAD[name]
    bad = _edit(example_book, tmp_path / "bad.xlsm", change)
    before = bad.read_bytes()
    with pytest.raises(CaseFileError) as exc:
        read_workbook(bad)
    assert where in str(exc.value) and text in str(exc.value)
    proc = subprocess.run([sys.executable, "-m", "xlwings_addin", "compute", str(bad)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and where in proc.stderr and "Traceback" not in proc.stderr
    assert bad.read_bytes() == before, "the input file must be unchanged"


@pytest.mark.parametrize("name, content, text", [
    ("cu.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, "Excel cũ"),
    ("khong-phai.xlsm", "đây là một tệp văn bản".encode(), "không phải sổ Excel"),
    ("hong.xlsm", b"PK\x03\x04" + b"\0" * 100, "bị hỏng"),
])
def test_files_that_are_not_workbooks(tmp_path, name, content, text):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(CaseFileError, match=text):
        read_workbook(p)
    proc = subprocess.run([sys.executable, "-m", "xlwings_addin", "compute", str(p)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert p.read_bytes() == content
