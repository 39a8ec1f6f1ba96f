"""Tests for tests/xlsupport.py: payload building, action replay, LibreOffice recalc and rendering.

Workbooks are built with XlsxWriter in tmp_path. The LibreOffice tests skip without soffice.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsupport
import xlsxwriter
import xlwings as xw

PHIEU = "Phiếu đảng viên"  # non-ASCII sheet name on purpose: quoting and encoding paths
DANH_SACH = "DanhSach"
KET_QUA = "Kết quả"

needs_soffice = pytest.mark.skipif(not xlsupport.soffice_available(),
                                   reason="LibreOffice (soffice) is not installed")
needs_pdftoppm = pytest.mark.skipif(not xlsupport.pdftoppm_available(),
                                    reason="pdftoppm (poppler-utils) is not installed")


def build_sample(path: Path, vba_project: Path | None = None) -> Path:
    """A small workbook covering what the helpers must handle."""
    wb = xlsxwriter.Workbook(str(path))
    if vba_project is not None:
        wb.add_vba_project(str(vba_project))
    date_format = wb.add_format({"num_format": "dd/mm/yyyy"})

    ws = wb.add_worksheet(PHIEU)
    ws.write_row(0, 0, ["Họ tên", "Điểm", "Ngày sinh"])
    ws.write_row(1, 0, ["Nguyễn Văn An", 3])
    ws.write_datetime(1, 2, dt.datetime(1980, 5, 17), date_format)
    ws.write_row(2, 0, ["Trần Thị Bình", 4, True])
    ws.write(3, 1, 5)
    # Deliberately wrong cached results: only a real recalculation gives 12 and 6.
    ws.write_formula(4, 1, "=SUM(B2:B4)", None, "WRONG")
    ws.write_formula(4, 2, "=COUNTA(A1:A3)*2", None, "WRONG")
    ws.write_formula(5, 1, "=1/0", None, "#DIV/0!")
    ws.set_column(0, 0, 22)
    ws.set_portrait()

    ds = wb.add_worksheet(DANH_SACH)
    ds.add_table("B2:D5", {
        "name": "DangVien",
        "style": "Table Style Medium 2",
        "total_row": True,
        "columns": [{"header": "STT", "total_string": "Tổng"}, {"header": "Họ tên"},
                    {"header": "Tuổi", "total_function": "sum"}],
        "data": [[1, "Lê Văn Cường", 30], [2, "Phạm Thị Dung", 40]],
    })
    for row in range(6, 40):  # wide and long: fit-to-width must shrink it onto one page width
        ds.write_row(row, 0, [f"ô {row}-{col}" for col in range(24)])
    ds.set_landscape()
    ds.fit_to_pages(1, 0)
    ds.print_area("A1:X40")

    # After a sheet with a print area: LibreOffice exports hidden sheets that have one, which
    # render_sheet_png must prevent (this sheet is portrait, DanhSach landscape).
    kq = wb.add_worksheet(KET_QUA)
    kq.write("A1", "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG", wb.add_format({"bold": True}))
    kq.write_column(2, 0, ["Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ"])
    kq.write_column(2, 1, [2, 18])
    kq.set_column(0, 0, 40)
    kq.set_portrait()

    wb.define_name("DiemSo", f"='{PHIEU}'!$B$2:$B$4")
    wb.define_name(f"'{PHIEU}'!HoTenDau", f"='{PHIEU}'!$A$2")
    wb.define_name("SoDangVien", f"=COUNTA('{PHIEU}'!$A$2:$A$100)")  # formula name: skipped
    wb.close()
    return path


@pytest.fixture
def sample(tmp_path) -> Path:
    return build_sample(tmp_path / "mau.xlsx")


@pytest.fixture
def book(sample):
    remote = xw.Book(json=xlsupport.payload_from_workbook(sample))
    yield remote
    remote.close()


def _normalise(value):
    """openpyxl value -> what the remote engine returns for it."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value.startswith("#"):
        return None  # error values read back as None
    return value


# --------------------------------------------------------------------------------------------
# payload_from_workbook
# --------------------------------------------------------------------------------------------


def test_payload_has_the_remote_engine_format(sample):
    payload = xlsupport.payload_from_workbook(sample)
    assert payload["client"] == xlsupport.DEFAULT_CLIENT
    assert payload["version"] == xw.__version__
    assert payload["book"] == {"name": "mau.xlsx", "active_sheet_index": 0, "selection": "A1",
                               "calculation": "Automatic"}
    assert payload["names"] == [
        {"name": "DiemSo", "sheet_index": 0, "address": "B2:B4", "scope_sheet_name": None,
         "scope_sheet_index": None, "book_scope": True},
        {"name": "HoTenDau", "sheet_index": 0, "address": "A2", "scope_sheet_name": PHIEU,
         "scope_sheet_index": 0, "book_scope": False},
    ]
    phieu, danh_sach, ket_qua = payload["sheets"]
    assert ket_qua["values"] == [["KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG", ""], ["", ""],
                                 ["Hoàn thành xuất sắc nhiệm vụ", 2.0],
                                 ["Hoàn thành tốt nhiệm vụ", 18.0]]
    assert phieu["name"] == PHIEU and phieu["pictures"] == [] and phieu["tables"] == []
    assert phieu["values"] == [
        ["Họ tên", "Điểm", "Ngày sinh"],
        ["Nguyễn Văn An", 3.0, "1980-05-17T00:00:00.000Z"],
        ["Trần Thị Bình", 4.0, True],
        ["", 5.0, ""],
        ["", "WRONG", "WRONG"],  # cached values, as saved
        ["", "#DIV/0!", ""],
    ]
    assert danh_sach["print_area"] == "$A$1:$X$40"
    table = danh_sach["tables"][0]
    assert {key: table[key] for key in (
        "name", "range_address", "header_row_range_address", "data_body_range_address",
        "total_row_range_address", "show_headers", "show_totals", "table_style",
        "show_autofilter")} == {
        "name": "DangVien", "range_address": "B2:D5", "header_row_range_address": "B2:D2",
        "data_body_range_address": "B3:D4", "total_row_range_address": "B5:D5",
        "show_headers": True, "show_totals": True, "table_style": "TableStyleMedium2",
        "show_autofilter": True}
    assert table["columns"] == ["STT", "Họ tên", "Tuổi"]


def test_payload_opens_in_xlwings_and_reads_like_openpyxl(sample, book):
    wb = openpyxl.load_workbook(sample, data_only=True)
    for sheet_name, address in [(PHIEU, "A1:C3"), (PHIEU, "A4:C6"), (DANH_SACH, "B2:D5")]:
        expected = [[_normalise(cell.value) for cell in row] for row in wb[sheet_name][address]]
        assert book.sheets[sheet_name].range(address).value == expected
    assert book.sheets[PHIEU]["C2"].value == dt.datetime(1980, 5, 17)
    assert book.sheets[PHIEU]["DiemSo"].value == [3.0, 4.0, 5.0]
    assert book.sheets[PHIEU]["HoTenDau"].value == "Nguyễn Văn An"
    assert [name.name for name in book.names] == ["DiemSo", f"'{PHIEU}'!HoTenDau"]
    table = book.sheets[DANH_SACH].tables["DangVien"]
    assert table.data_body_range.value == [[1.0, "Lê Văn Cường", 30.0],
                                           [2.0, "Phạm Thị Dung", 40.0]]
    assert table.totals_row_range.address == "$B$5:$D$5"
    assert book.sheets[PHIEU]["A1"].expand().address == "$A$1:$C$3"


def test_payload_sheet_subset_keeps_positions(sample):
    payload = xlsupport.payload_from_workbook(sample, sheets=[DANH_SACH])
    assert [s["name"] for s in payload["sheets"]] == [PHIEU, DANH_SACH, KET_QUA]
    assert payload["sheets"][0]["values"] == payload["sheets"][2]["values"] == [[]]
    assert payload["sheets"][1]["tables"][0]["name"] == "DangVien"
    with pytest.raises(KeyError, match="Không có"):
        xlsupport.payload_from_workbook(sample, sheets=["Không có"])


# --------------------------------------------------------------------------------------------
# apply_actions / count_calls
# --------------------------------------------------------------------------------------------


def run(book: xw.Book) -> None:
    """A stand-in for a project macro: read, write results, colour them."""
    sheet = book.sheets[PHIEU]
    scores = sheet["DiemSo"].value
    sheet["E1"].value = [["Kết quả", "=SUM(B2:B4)"], ["Tổng (Python)", sum(scores)],
                         ["Ngày lập", dt.date(2024, 12, 20)]]
    sheet["E1:F1"].color = "#C6EFCE"
    sheet["F2"].number_format = "0.0"
    sheet["E1"].font.bold = True
    sheet["E4"].add_hyperlink("https://thuvienphapluat.vn", "Quy định 124", "Mở văn bản")
    sheet["A3:C3"].clear_contents()
    new = book.sheets.add("Tổng hợp", after=book.sheets[DANH_SACH])
    new["A1"].value = "Chi bộ đạt"


def test_run_then_apply_actions(sample, book, tmp_path):
    run(book)
    actions = book.json()["actions"]
    assert xlsupport.count_calls(actions) == {
        "setValues": 2, "setRangeColor": 1, "setNumberFormat": 1, "setFontProperty": 1,
        "addHyperlink": 1, "rangeClearContents": 1, "addSheet": 1}
    assert xlsupport.count_calls(book.json()) == xlsupport.count_calls(actions)

    out = xlsupport.apply_actions(sample, actions, tmp_path / "ket_qua.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [PHIEU, DANH_SACH, "Tổng hợp", KET_QUA]
    ws = wb[PHIEU]
    assert ws["E1"].value == "Kết quả"
    assert ws["F1"].value == "=SUM(B2:B4)"  # "=..." written as a formula, as Excel does
    assert ws["F1"].data_type == "f"
    assert ws["F2"].value == 12 and ws["F2"].number_format == "0.0"
    assert ws["F3"].value == dt.datetime(2024, 12, 20) and ws["F3"].is_date
    assert ws["E1"].fill.fgColor.rgb == "FFC6EFCE" and ws["F1"].fill.fgColor.rgb == "FFC6EFCE"
    assert ws["G1"].fill.fill_type is None
    assert ws["E1"].font.b is True
    assert ws["E4"].value == "Quy định 124"
    assert ws["E4"].hyperlink.target == "https://thuvienphapluat.vn"
    assert [ws.cell(3, col).value for col in (1, 2, 3)] == [None, None, None]
    assert ws["A2"].value == "Nguyễn Văn An"  # untouched cells survive
    assert wb["Tổng hợp"]["A1"].value == "Chi bộ đạt"
    assert wb[DANH_SACH].tables["DangVien"].ref == "B2:D5"


def test_apply_actions_formats_names_and_sheets(sample, book, tmp_path):
    phieu, danh_sach = book.sheets[PHIEU], book.sheets[DANH_SACH]
    phieu["H1:H3"].formula = "=B2*2"  # one formula for a range: relative refs move
    phieu["A1:C1"].borders["edge_bottom"].weight = "thick"
    phieu["A1:C1"].font.color = "#C00000"
    phieu["A1:C1"].merge()
    phieu.name = "Phiếu 2024"  # formulas and names follow the rename, as in Excel
    danh_sach.freeze_panes.freeze_at("1:2")
    danh_sach.visible = False
    book.names.add("KetQua", "='Phiếu 2024'!$H$1:$H$3")
    book.names["DiemSo"].delete()
    out = xlsupport.apply_actions(sample, book.json(), tmp_path / "dinh_dang.xlsx")

    wb = openpyxl.load_workbook(out)
    ws = wb["Phiếu 2024"]
    assert [ws[f"H{row}"].value for row in (1, 2, 3)] == ["=B2*2", "=B3*2", "=B4*2"]
    assert ws["A1"].border.bottom.style == "thick" and ws["C1"].border.bottom.style == "thick"
    assert ws["A1"].font.color.rgb == "FFC00000"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:C1"]
    assert wb.defined_names["SoDangVien"].attr_text == "COUNTA('Phiếu 2024'!$A$2:$A$100)"
    assert ws.defined_names["HoTenDau"].attr_text == "'Phiếu 2024'!$A$2"
    assert sorted(wb.defined_names) == ["KetQua", "SoDangVien"]
    assert wb[DANH_SACH].freeze_panes == "A3" and wb[DANH_SACH].sheet_state == "hidden"


def test_supported_actions_are_real_xlwings_actions():
    """Guards against typos: every handled name must be one the remote engine can emit."""
    import xlwings.pro._xlremote as remote

    emitted = set(re.findall(r'func="(\w+)"', Path(remote.__file__).read_text(encoding="utf-8")))
    assert xlsupport.SUPPORTED_ACTIONS <= emitted
    assert {"setValues", "rangeClearContents", "rangeClear", "setRangeColor", "addHyperlink",
            "setNumberFormat", "setFormula", "setFontProperty"} <= xlsupport.SUPPORTED_ACTIONS


def test_apply_actions_rejects_unknown_funcs_before_writing(sample, tmp_path):
    actions = [{"func": "setValues", "values": [[1]], "sheet_position": 0, "start_row": 0,
                "start_column": 0, "row_count": 1, "column_count": 1},
               {"func": "rangeSort", "args": [[1], [True], True], "sheet_position": 0,
                "start_row": 0, "start_column": 0, "row_count": 3, "column_count": 3}]
    with pytest.raises(NotImplementedError, match="rangeSort"):
        xlsupport.apply_actions(sample, actions, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_apply_actions_keeps_the_vba_project(tmp_path):
    shipped = Path(xw.__file__).parent / "quickstart_standalone.xlsm"
    with zipfile.ZipFile(shipped) as zf:
        vba = tmp_path / "vbaProject.bin"
        vba.write_bytes(zf.read("xl/vbaProject.bin"))
    src = build_sample(tmp_path / "mau.xlsm", vba_project=vba)
    with xw.Book(json=xlsupport.payload_from_workbook(src)) as remote:
        remote.sheets[PHIEU]["A8"].value = "ghi"
        actions = remote.json()["actions"]
    out = xlsupport.apply_actions(src, actions, tmp_path / "ra.xlsm")
    with zipfile.ZipFile(out) as zf:
        assert zf.read("xl/vbaProject.bin") == vba.read_bytes()
        assert "macroEnabled" in zf.read("[Content_Types].xml").decode()
    assert openpyxl.load_workbook(out)[PHIEU]["A8"].value == "ghi"


# --------------------------------------------------------------------------------------------
# LibreOffice
# --------------------------------------------------------------------------------------------


@pytest.mark.libreoffice
@needs_soffice
def test_recalc_computes_instead_of_trusting_cached_values(sample, book, tmp_path):
    assert book.sheets[PHIEU]["B5"].value == "WRONG"  # what the file says before recalculation
    values = xlsupport.libreoffice_recalc_values(sample, {PHIEU: ["B5", "C5", "B6", "A1:B2"]})
    assert values == {PHIEU: {"B5": 12, "C5": 6, "B6": "#DIV/0!",
                              "A1:B2": [["Họ tên", "Điểm"], ["Nguyễn Văn An", 3]]}}

    # The openpyxl copy has no cached values at all; recalculation fills in the macro's formula
    # and sees its clear_contents() of row 3 (B3 = 4): 3 + 5 = 8, while the Python sum said 12.
    run(book)
    out = xlsupport.apply_actions(sample, book.json()["actions"], tmp_path / "ket_qua.xlsx")
    assert xlsupport.libreoffice_recalc_values(out, {PHIEU: ["F1", "F2", "B5"]}) == {
        PHIEU: {"F1": 8, "F2": 12, "B5": 8}}


@pytest.mark.libreoffice
@needs_soffice
def test_recalc_times_out_cleanly(sample):
    with pytest.raises(xlsupport.LibreOfficeTimeout, match="within"):
        xlsupport.libreoffice_recalc_values(sample, {PHIEU: ["B5"]}, timeout=0.05)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.libreoffice
@needs_soffice
@needs_pdftoppm
def test_render_sheet_png(sample, tmp_path):
    portrait = xlsupport.render_sheet_png(sample, KET_QUA, tmp_path / "ket_qua.png")
    landscape = xlsupport.render_sheet_png(sample, DANH_SACH, tmp_path / "ds.png", dpi=60)
    width, height = _png_size(portrait)
    # Portrait A4/Letter at 80 dpi. Landscape here would mean the hidden DanhSach (which has a
    # print area) had been exported first.
    assert height > width > 600
    assert portrait.stat().st_size > 3000  # not a blank page
    width, height = _png_size(landscape)
    assert width > height  # the sheet's own landscape page setup was honoured
    with pytest.raises(KeyError):
        xlsupport.render_sheet_png(sample, "Không có", tmp_path / "x.png")


def test_uno_python_is_none_or_imports_uno():
    found = xlsupport.uno_python()
    assert found is None or Path(found).is_file()
