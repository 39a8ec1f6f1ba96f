"""The Word templates: they build reproducibly, render the demo meeting faithfully and look right.

The demo context (tests/fixtures/minutes_context.json) is the Song Phượng 2023 meeting of the
seed article: 22 official members, chi bộ HTTNV 22/22, 4 HTXSNV and 18 HTTNV.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from xlwings_addin.documents.render import (
    TemplateContextError,
    docx_to_pdf,
    lint_template,
    normalize_context,
    render_docx,
)

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
FIXTURE = ROOT / "tests" / "fixtures" / "minutes_context.json"
MINUTES = TEMPLATES / "bien_ban_hoi_nghi.docx"
VOTE_COUNT = TEMPLATES / "bien_ban_kiem_phieu.docx"
BALLOTS = TEMPLATES / "phieu_danh_gia.docx"
ALL_TEMPLATES = (MINUTES, VOTE_COUNT, BALLOTS)
FONT = "Times New Roman"
ESCAPED_NOTE = 'Phụ trách "Góc bé khỏe & vui" <khối Nhỡ>'


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_templates", TEMPLATES / "build_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def builder():
    return _load_builder()


@pytest.fixture()
def context() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """Render the demo context once into each template."""
    ctx = json.loads(FIXTURE.read_text(encoding="utf-8"))
    out = tmp_path_factory.mktemp("rendered")
    return {tpl.stem: render_docx(tpl, ctx, out / tpl.name) for tpl in ALL_TEMPLATES}


def _all_text(path: Path) -> str:
    """Return the text of body paragraphs, table cells, headers and footers."""
    doc = Document(str(path))
    parts = [doc.element.body]
    for section in doc.sections:
        for hf in (section.header, section.first_page_header, section.footer, section.first_page_footer):
            if not hf.is_linked_to_previous:
                parts.append(hf._element)
    lines = []
    for part in parts:
        for p in part.iter(qn("w:p")):
            lines.append("".join(t.text or "" for t in p.iter(qn("w:t"))))
    return "\n".join(lines)


def _xml_parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n).decode("utf-8") for n in zf.namelist()
                if re.match(r"word/(document|header\d*|footer\d*)\.xml$", n)}


def _borders(table) -> dict[str, str]:
    tbl_borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert tbl_borders is not None, "every template table states its borders explicitly"
    return {child.tag.split("}")[1]: child.get(qn("w:val")) for child in tbl_borders}


# ---------------------------------------------------------------------------
# Templates as committed
# ---------------------------------------------------------------------------


def test_committed_templates_match_a_fresh_build(builder, tmp_path):
    built = builder.build_all(tmp_path)
    assert sorted(p.name for p in built) == sorted(t.name for t in ALL_TEMPLATES)
    for path in built:
        committed = TEMPLATES / path.name
        with zipfile.ZipFile(path) as fresh, zipfile.ZipFile(committed) as old:
            assert fresh.namelist() == old.namelist(), path.name
            for name in fresh.namelist():
                assert fresh.read(name) == old.read(name), (
                    f"{path.name}:{name} differs; run python templates/build_templates.py")
            assert all(info.date_time == builder.FIXED_ZIP_TIME for info in fresh.infolist())


@pytest.mark.parametrize("template", ALL_TEMPLATES, ids=lambda p: p.stem)
def test_templates_have_no_split_tags(template):
    assert lint_template(template) == []


@pytest.mark.parametrize("template", ALL_TEMPLATES, ids=lambda p: p.stem)
def test_templates_use_times_new_roman_in_all_font_slots(template):
    doc = Document(str(template))
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    normal = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    for rfonts in (defaults, normal):
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            assert rfonts.get(qn(slot)) == FONT
        assert rfonts.get(qn("w:asciiTheme")) is None
    # No style anywhere may fall back to a theme font (Calibri/Cambria on another PC).
    assert "Theme=" not in doc.styles.element.xml.replace("themeFontLang", "")


@pytest.mark.parametrize("template", ALL_TEMPLATES, ids=lambda p: p.stem)
def test_template_text_is_nfc(template):
    for name, xml in _xml_parts(template).items():
        assert unicodedata.normalize("NFC", xml) == xml, name


def test_tag_rows_stand_alone_in_their_rows():
    for template in ALL_TEMPLATES:
        doc = Document(str(template))
        for tr in doc.element.body.iter(qn("w:tr")):
            text = "".join(t.text or "" for t in tr.iter(qn("w:t")))
            if "{%tr" in text:
                assert re.fullmatch(r"\{%tr [^%]+%\}", text), f"{template.name}: {text!r}"


def test_hd05_profile_builds_with_its_reported_deltas(builder, tmp_path):
    profile = builder.load_profile("hd05_2026")
    assert "CHƯA KIỂM CHỨNG" in profile["_note"]
    minutes = builder.build_minutes(profile, tmp_path / "minutes.docx")
    doc = Document(str(minutes))
    assert doc.styles["Minutes Body"].paragraph_format.line_spacing.pt == 19
    assert "{{ place_date }}" not in _all_text(minutes)


# ---------------------------------------------------------------------------
# Rendering the demo meeting
# ---------------------------------------------------------------------------


def test_minutes_state_the_key_facts(rendered):
    text = _all_text(rendered["bien_ban_hoi_nghi"])
    for fact in (
        "ĐẢNG BỘ XÃ SONG PHƯỢNG",
        "CHI BỘ TRƯỜNG MẦM NON SONG PHƯỢNG",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Song Phượng, ngày 29 tháng 11 năm 2023",
        "BIÊN BẢN",
        "hội nghị kiểm điểm, đánh giá, xếp loại chất lượng chi bộ, đảng viên năm 2023",
        "Quy định số 124-QĐ/TW, ngày 04/10/2023",
        "Kế hoạch số 128-KH/TU, ngày 20/11/2023",
        "Kế hoạch số 45-KH/ĐU, ngày 23/11/2023",
        "Hồi 14 giờ 00, ngày 29 tháng 11 năm 2023",
        "Đồng chí Nguyễn Thị Kim Huế, Phó Chủ tịch Ủy ban nhân dân xã Song Phượng.",
        "Có mặt: 22/22 đồng chí (đạt 100%).",
        "Chủ trì hội nghị: đồng chí Nguyễn Thị Thủy, Bí thư Chi bộ.",
        "Hình thức đánh giá: bỏ phiếu kín.",
        "- Hoàn thành tốt nhiệm vụ: 22 phiếu, tỷ lệ 100%;",
        "04/22 đồng chí đề nghị xếp loại Hoàn thành xuất sắc nhiệm vụ; 18/22 đồng chí",
        "HTXSNV: 4 (18,18%); HTTNV: 18 (81,82%)",
        "Lưu ý về tỷ lệ",
        "Đảng ủy xã Song Phượng xem xét, quyết định.",
        "Hội nghị kết thúc hồi 17 giờ 00 cùng ngày.",
        "NGƯỜI GHI BIÊN BẢN",
        "T/M CHI BỘ",
        "BÍ THƯ",
        "DANH SÁCH KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN NĂM 2023",
        "(Kèm theo Biên bản hội nghị Chi bộ ngày 29/11/2023)",
        "Mã kiểm tra dữ liệu: 3F9A-1C2B",
    ):
        assert fact in text, fact
    # An empty number line is left out, not printed as an empty "Số".
    assert "Số 05" not in text


def test_number_line_prints_when_given(context, tmp_path):
    context["number_line"] = "Số 05-BB/CB"
    out = render_docx(MINUTES, context, tmp_path / "bb.docx")
    assert "Số 05-BB/CB" in _all_text(out)


def test_vote_count_minutes_state_the_totals(rendered):
    text = _all_text(rendered["bien_ban_kiem_phieu"])
    for fact in (
        "BIÊN BẢN KIỂM PHIẾU",
        "đánh giá, xếp loại chất lượng chi bộ và đảng viên năm 2023",
        "1. Đồng chí Đỗ Thị Lan Anh, Trưởng ban;",
        "Số phiếu phát ra: 22 phiếu.",
        "Số phiếu hợp lệ: 22 phiếu.",
        "Số phiếu không hợp lệ: 0 phiếu.",
        "Mức chi bộ đề nghị: Hoàn thành tốt nhiệm vụ.",
        "T/M BAN KIỂM PHIẾU",
        "TRƯỞNG BAN",
    ):
        assert fact in text, fact


@pytest.mark.parametrize("stem", ["bien_ban_hoi_nghi", "bien_ban_kiem_phieu", "phieu_danh_gia"])
def test_rendered_documents_have_no_leftover_tags(rendered, stem):
    for name, xml in _xml_parts(rendered[stem]).items():
        for marker in ("{{", "}}", "{%", "%}"):
            assert marker not in xml, f"{stem}:{name} still contains {marker}"


@pytest.mark.parametrize("stem", ["bien_ban_hoi_nghi", "bien_ban_kiem_phieu", "phieu_danh_gia"])
def test_rendered_documents_keep_the_36hd_page(rendered, stem):
    doc = Document(str(rendered[stem]))
    for section in doc.sections:
        pg_mar = section._sectPr.find(qn("w:pgMar"))
        margins = {side: int(pg_mar.get(qn(f"w:{side}"))) for side in ("top", "bottom", "left", "right")}
        assert margins == {"top": 1134, "bottom": 1134, "left": 1701, "right": 850}
        pg_sz = section._sectPr.find(qn("w:pgSz"))
        assert sorted([int(pg_sz.get(qn("w:w"))), int(pg_sz.get(qn("w:h")))]) == [11906, 16838]


def test_minutes_number_pages_from_page_two(rendered):
    doc = Document(str(rendered["bien_ban_hoi_nghi"]))
    first = doc.sections[0]
    assert first.different_first_page_header_footer
    assert "PAGE" in first.header._element.xml
    assert "PAGE" not in first.first_page_header._element.xml
    assert "3F9A-1C2B" in first.first_page_footer._element.xml
    annex = doc.sections[-1]
    assert annex.page_width > annex.page_height, "the annex is a landscape section"
    assert not annex.different_first_page_header_footer


def test_header_and_signature_tables_are_borderless_and_fixed(rendered):
    doc = Document(str(rendered["bien_ban_hoi_nghi"]))
    header, signature = doc.tables[0], doc.tables[1]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in header._tbl.xml
    assert "NGƯỜI GHI BIÊN BẢN" in signature._tbl.xml
    for table in (header, signature):
        assert set(_borders(table).values()) == {"nil"}
        tbl_pr = table._tbl.tblPr
        assert tbl_pr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        grid = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert abs(sum(grid) - round(165 * 1440 / 25.4)) <= 2, "the table spans the 165 mm text width"
        for tc in table._tbl.iter(qn("w:tc")):
            assert tc.tcPr.find(qn("w:tcW")).get(qn("w:type")) == "dxa"
    sig_row = signature._tbl.findall(qn("w:tr"))[0]
    assert sig_row.trPr.find(qn("w:cantSplit")) is not None
    # The closing sentences stay on the page of the signatures.
    body = [p for p in doc.paragraphs if p.text.startswith(("Hội nghị kết thúc", "Biên bản đã được"))]
    assert len(body) == 2 and all(p.paragraph_format.keep_with_next for p in body)


def test_signature_names_line_up(rendered):
    doc = Document(str(rendered["bien_ban_hoi_nghi"]))
    left, right = doc.tables[1].rows[0].cells
    assert len(left.paragraphs) == len(right.paragraphs)
    assert left.paragraphs[-1].text == "Lê Thị Hằng"
    assert right.paragraphs[-1].text == "Nguyễn Thị Thủy"


def test_annex_lists_every_member_under_a_repeating_two_row_header(rendered, context):
    doc = Document(str(rendered["bien_ban_hoi_nghi"]))
    annex = [t for t in doc.tables if "Số phiếu (tỷ lệ %)" in t._tbl.xml]
    assert len(annex) == 1, "only the table without the score column is kept for 2023"
    rows = annex[0]._tbl.findall(qn("w:tr"))
    assert len(rows) == 2 + 22
    for tr in rows[:2]:
        assert tr.trPr.find(qn("w:tblHeader")) is not None
    for tr in rows[2:]:
        assert tr.trPr.find(qn("w:cantSplit")) is not None
    assert "Điểm tự chấm" not in annex[0]._tbl.xml
    first = [c.text for c in annex[0].rows[2].cells]
    assert first[:5] == ["1", "Nguyễn Thị Thủy", "Bí thư Chi bộ; Hiệu trưởng", "CT", "HTXSNV"]
    assert first[5] == "19\n86,36%"
    names = [annex[0].rows[i].cells[1].text for i in range(2, 24)]
    assert names == [m["name"] for m in context["members"]]


def test_annex_shows_the_score_column_when_asked(context, tmp_path):
    context["show_scores"] = True
    for m in context["members"]:
        m["self_score"] = "92"
    doc = Document(str(render_docx(MINUTES, context, tmp_path / "bb.docx")))
    annex = [t for t in doc.tables if "Số phiếu (tỷ lệ %)" in t._tbl.xml]
    assert len(annex) == 1 and "Điểm tự chấm" in annex[0]._tbl.xml
    assert annex[0].rows[2].cells[5].text == "92"


def test_user_text_is_escaped_exactly(rendered):
    for stem in ("bien_ban_hoi_nghi", "bien_ban_kiem_phieu"):
        text = _all_text(rendered[stem])
        assert ESCAPED_NOTE in text
        assert "&amp;" not in text and "&lt;" not in text


def test_decomposed_input_comes_out_precomposed(context, tmp_path):
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    context["chair"]["name"] = nfd("Nguyễn Thị Thủy")
    context["party_cell"] = nfd(context["party_cell"])
    context["members"][0]["name"] = nfd("Nguyễn Thị Thủy")
    context["ballot_rows"][0]["name"] = nfd("Nguyễn Thị Thủy")
    assert context["chair"]["name"] != "Nguyễn Thị Thủy"
    for template in (MINUTES, BALLOTS):
        text = _all_text(render_docx(template, context, tmp_path / template.name))
        assert "Nguyễn Thị Thủy" in text
        assert unicodedata.normalize("NFC", text) == text


def test_normalize_context_walks_nested_data():
    value = {"a": [unicodedata.normalize("NFD", "Hà"), ("ộ", 3)], unicodedata.normalize("NFD", "khóa"): None}
    out = normalize_context(value)
    assert out == {"a": ["Hà", ("ộ", 3)], "khóa": None}
    assert isinstance(out["a"][1], tuple)


def test_an_existing_file_is_never_overwritten(context, tmp_path):
    target = tmp_path / "Biên bản.docx"
    first = render_docx(MINUTES, context, target)
    before = first.read_bytes()
    second = render_docx(MINUTES, context, target)
    third = render_docx(MINUTES, context, target)
    assert first == target
    assert second.name == "Biên bản (2).docx"
    assert third.name == "Biên bản (3).docx"
    assert first.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~")], "no temporary file is left"


def test_missing_keys_are_listed_in_vietnamese(context, tmp_path):
    del context["summary"]
    del context["chair"]
    with pytest.raises(TemplateContextError) as err:
        render_docx(MINUTES, context, tmp_path / "bb.docx")
    message = str(err.value)
    assert "chair" in message and "summary" in message and "chưa có" in message
    assert not list(tmp_path.iterdir()), "nothing is written when the context is incomplete"


def test_missing_nested_field_is_an_error_not_a_blank(context, tmp_path):
    del context["signature"]["right_name"]
    with pytest.raises(TemplateContextError, match="right_name"):
        render_docx(MINUTES, context, tmp_path / "bb.docx")


def test_ballots_repeat_pages_per_copy(context, tmp_path):
    context["ballot"]["copies"] = [1, 2, 3]
    doc = Document(str(render_docx(BALLOTS, context, tmp_path / "phieu.docx")))
    xml = doc.element.body.xml
    text = _all_text(tmp_path / "phieu.docx")
    assert text.count("PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN NĂM 2023") == 3
    assert text.count("PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CHI BỘ NĂM 2023") == 3
    # A page break after every ballot except the very last one.
    assert xml.count('w:type="page"') == 3 + 2
    member_tables = [t for t in doc.tables if "Họ và tên đảng viên" in t._tbl.xml]
    assert len(member_tables) == 3
    for table in member_tables:
        header = [c.text for c in table.rows[0].cells]
        assert header == ["TT", "Họ và tên đảng viên", "HTXSNV", "HTTNV", "HTNV", "KHTNV"]
        assert [r.cells[1].text for r in table.rows[1:]] == [r["name"] for r in context["ballot_rows"]]
    cell_tables = [t for t in doc.tables if "Đánh dấu (X)" in t._tbl.xml]
    assert len(cell_tables) == 3
    assert [r.cells[1].text for r in cell_tables[0].rows[1:]] == [
        "Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ",
        "Không hoàn thành nhiệm vụ"]


def test_chi_bo_ballot_can_be_left_out(context, tmp_path):
    context["ballot"]["cell_title"] = ""
    context["ballot"]["copies"] = [1]
    text = _all_text(render_docx(BALLOTS, context, tmp_path / "phieu.docx"))
    assert "CHI BỘ NĂM 2023" not in text
    assert "ĐẢNG VIÊN NĂM 2023" in text


def test_lint_reports_split_and_spaced_tags(tmp_path):
    doc = Document()
    p = doc.add_paragraph()
    p.add_run("Họ tên: {{ chair.na")
    p.add_run("me }}")
    doc.add_paragraph("{% tr for m in members %}")
    doc.add_paragraph("{{ unclosed")
    path = tmp_path / "broken.docx"
    doc.save(str(path))
    problems = lint_template(path)
    assert any("bị tách" in msg and "chair.na" in msg for msg in problems)
    assert any("dấu cách" in msg for msg in problems)
    assert any("không có cặp" in msg for msg in problems)


# ---------------------------------------------------------------------------
# LibreOffice: PDF and PNG, and what the pages show
# ---------------------------------------------------------------------------

needs_office = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) hoặc poppler-utils chưa được cài",
)


def _page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    ctx = json.loads(FIXTURE.read_text(encoding="utf-8"))
    ctx["ballot"]["copies"] = [1, 2]  # enough to see the page breaks, quick to convert
    out = tmp_path_factory.mktemp("pdf")
    result = {}
    for tpl in ALL_TEMPLATES:
        docx = render_docx(tpl, ctx, out / tpl.name)
        result[tpl.stem] = docx_to_pdf(docx)
    return result


@pytest.mark.libreoffice
@needs_office
def test_documents_convert_to_pdf_and_png(pdfs, tmp_path):
    for stem, pdf in pdfs.items():
        assert pdf.suffix == ".pdf" and pdf.stat().st_size > 5000
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(tmp_path / stem)], check=True, capture_output=True)
        png = tmp_path / f"{stem}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.libreoffice
@needs_office
def test_pdf_layout_header_signatures_and_ballot_pages(pdfs):
    minutes = _page_texts(pdfs["bien_ban_hoi_nghi"])
    # Header: the Party title and the date each stay on one line.
    assert re.search(r"ĐẢNG CỘNG SẢN VIỆT NAM", minutes[0])
    assert "Song Phượng, ngày 29 tháng 11 năm 2023" in minutes[0]
    assert "2" not in minutes[0].splitlines()[0], "no page number on page 1"
    # Signatures: titles and names on one page, with the closing sentence.
    sig_page = next(t for t in minutes if "NGƯỜI GHI BIÊN BẢN" in t)
    assert "Lê Thị Hằng" in sig_page and "Nguyễn Thị Thủy" in sig_page
    assert "Biên bản đã được đọc lại" in sig_page
    # The annex header repeats on each of its pages, and the last member is listed.
    annex_pages = [t for t in minutes if "DANH SÁCH KẾT QUẢ" in t or "Tạ Thị Mến" in t]
    assert annex_pages and all("Họ và tên" in t and "KHTNV" in t for t in annex_pages)
    assert "Tạ Thị Mến" in annex_pages[-1]
    ballots = _page_texts(pdfs["phieu_danh_gia"])
    assert len(ballots) == 4, "two member ballots and two chi bộ ballots, one page each"
    assert sum("ĐẢNG VIÊN NĂM 2023" in t for t in ballots) == 2
    assert sum("CHI BỘ NĂM 2023" in t for t in ballots) == 2
    assert "Tạ Thị Mến" in ballots[0], "all 22 members fit on one ballot page"


@pytest.mark.libreoffice
@needs_office
def test_docx_to_pdf_never_overwrites(pdfs):
    minutes_pdf = pdfs["bien_ban_kiem_phieu"]
    again = docx_to_pdf(minutes_pdf.with_suffix(".docx"))
    assert again.name == "bien_ban_kiem_phieu (2).pdf"


def test_docx_to_pdf_explains_a_missing_libreoffice(monkeypatch, rendered):
    import xlwings_addin.documents.render as render_module

    monkeypatch.setattr(render_module, "find_soffice", lambda: None)
    with pytest.raises(render_module.DocumentConversionError, match="LibreOffice"):
        docx_to_pdf(rendered["bien_ban_kiem_phieu"])


def test_sample_script_is_importable():
    spec = importlib.util.spec_from_file_location("render_samples", ROOT / "scripts" / "render_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert set(module.SAMPLES) == {t.name for t in ALL_TEMPLATES}


def test_fixture_is_the_song_phuong_2023_meeting(context):
    assert len(context["members"]) == 22
    proposed = [m["proposed"] for m in context["members"]]
    assert proposed.count("HTXSNV") == 4 and proposed.count("HTTNV") == 18
    assert all(int(m["v1"]) + int(m["v2"]) + int(m["v3"]) + int(m["v4"]) == 22 for m in context["members"])
    assert copy.deepcopy(context) == normalize_context(context), "the fixture itself is NFC"
