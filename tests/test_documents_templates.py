"""The Word templates: they build reproducibly for every format profile, render a context faithfully
and look right.

The context fixture (tests/fixtures/minutes_context.json) is the Song Phượng 2023 meeting of the seed
article as ``build_context`` makes it, with a fixed fingerprint and a note full of markup characters:
22 official members, chi bộ HTTNV 22/22, 4 HTXSNV and 18 HTTNV. It lists every key a template may use;
regenerate it with ``python tests/test_documents_templates.py`` after changing the context.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from xlwings_addin.documents.render import (  # noqa: E402
    TemplateContextError,
    docx_to_pdf,
    docx_to_pdf_many,
    lint_template,
    normalize_context,
    render_docx,
)

TEMPLATES = ROOT / "templates"
FIXTURE = ROOT / "tests" / "fixtures" / "minutes_context.json"
EXAMPLE = ROOT / "xlwings_addin" / "examples" / "song-phuong-2023.json"
NAMES = ("bien_ban_hoi_nghi.docx", "bien_ban_kiem_phieu.docx", "phieu_danh_gia.docx", "trich_bien_ban.docx",
         "bao_cao_ket_qua.docx", "mau_tu_danh_gia.docx", "thong_bao_ket_qua.docx")
ALL_TEMPLATES = tuple(TEMPLATES / n for n in NAMES) + tuple(TEMPLATES / "hd05_2026" / n for n in NAMES)
MINUTES, VOTE_COUNT, BALLOTS = (TEMPLATES / n for n in NAMES[:3])
FONT = "Times New Roman"
ESCAPED_NOTE = 'Phụ trách "Góc bé khỏe & vui" <khối Nhỡ>'
FINGERPRINT = "Mã kiểm tra dữ liệu: 3F9A-1C2B"


def make_fixture() -> dict:
    """The context of the 2023 example, with a fixed fingerprint and a note that needs escaping."""
    from dataclasses import replace

    from xlwings_addin.documents.context import build_context
    from xlwings_addin.engine import compute
    from xlwings_addin.io.casefile import read_case

    case = read_case(EXAMPLE)
    members = list(case.members)
    members[12] = replace(members[12], note=ESCAPED_NOTE)
    case = replace(case, members=tuple(members), meeting=replace(case.meeting, fingerprint_in_minutes=True))
    ctx = build_context(case, compute(case))
    for key in ("fingerprint_minutes", "fingerprint_count", "fingerprint_report"):
        ctx[key] = FINGERPRINT
    return json.loads(json.dumps(ctx, ensure_ascii=False))


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
    """Render the fixture once into each default template."""
    ctx = json.loads(FIXTURE.read_text(encoding="utf-8"))
    out = tmp_path_factory.mktemp("rendered")
    return {Path(n).stem: render_docx(TEMPLATES / n, ctx, out / n) for n in NAMES}


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


def test_committed_templates_of_every_profile_match_a_fresh_build(builder, tmp_path):
    built = builder.build_every_profile(tmp_path)
    assert sorted(p.relative_to(tmp_path) for p in built) == sorted(p.relative_to(TEMPLATES) for p in ALL_TEMPLATES)
    for path in built:
        committed = TEMPLATES / path.relative_to(tmp_path)
        with zipfile.ZipFile(path) as fresh, zipfile.ZipFile(committed) as old:
            assert fresh.namelist() == old.namelist(), path.name
            for name in fresh.namelist():
                assert fresh.read(name) == old.read(name), (
                    f"{committed.relative_to(ROOT)}:{name} differs; run python templates/build_templates.py")
            assert all(info.date_time == builder.FIXED_ZIP_TIME for info in fresh.infolist())


def test_the_context_fixture_is_what_build_context_makes():
    assert json.loads(FIXTURE.read_text(encoding="utf-8")) == make_fixture(), (
        "run: python tests/test_documents_templates.py")


@pytest.mark.parametrize("template", ALL_TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_templates_have_no_split_tags(template):
    assert lint_template(template) == []


@pytest.mark.parametrize("template", ALL_TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.stem}")
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


@pytest.mark.parametrize("template", ALL_TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.stem}")
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


def test_hd05_templates_carry_the_reported_deltas():
    hd36 = Document(str(MINUTES))
    hd05 = Document(str(TEMPLATES / "hd05_2026" / "bien_ban_hoi_nghi.docx"))
    assert hd36.styles["Minutes Body"].paragraph_format.line_spacing.pt == 18
    assert hd05.styles["Minutes Body"].paragraph_format.line_spacing.pt == 19
    assert "{{ place_date }}" in _all_text(MINUTES)
    assert "{{ place_date }}" not in _all_text(TEMPLATES / "hd05_2026" / "bien_ban_hoi_nghi.docx")
    # Nơi nhận: lines separated by "," under HD 36, by ";" under the reported HD 05.
    assert "{% else %},{% endif %}" in _all_text(TEMPLATES / "bao_cao_ket_qua.docx")
    assert "{% else %};{% endif %}" in _all_text(TEMPLATES / "hd05_2026" / "bao_cao_ket_qua.docx")


def test_blanks_to_fill_run_to_the_margin_as_a_dotted_line():
    style = Document(str(MINUTES)).styles["Minutes Body"]
    [stop] = style.paragraph_format.tab_stops
    assert round(stop.position.mm) == 165 and stop.leader == 1  # WD_TAB_LEADER.DOTS


# ---------------------------------------------------------------------------
# Rendering the fixture
# ---------------------------------------------------------------------------


def test_minutes_state_the_key_facts(rendered):
    text = _all_text(rendered["bien_ban_hoi_nghi"])
    for fact in (
        "ĐẢNG BỘ XÃ SONG PHƯỢNG",
        "CHI BỘ TRƯỜNG MẦM NON SONG PHƯỢNG",
        "Song Phượng, ngày 29 tháng 11 năm 2023",
        "hội nghị kiểm điểm, đánh giá, xếp loại chất lượng chi bộ, đảng viên và tập thể, cá nhân cán bộ lãnh đạo, "
        "quản lý năm 2023",
        "Thực hiện Hướng dẫn số 25-HD/BTCTW, ngày 10/11/2023 của Ban Tổ chức Trung ương;",
        "- Có mặt: 22/22 đồng chí (đạt 100%);",
        "- Vắng mặt: không.",
        "Hội nghị biểu quyết thông qua chương trình với 22/22 đồng chí nhất trí (100%).",
        "Tỷ lệ % tính trên 22 đảng viên chính thức của chi bộ.",
        "2. Kiểm điểm, đánh giá, xếp loại chất lượng tập thể lãnh đạo Trường Mầm non Song Phượng",
        "3. Kiểm điểm, đánh giá, xếp loại chất lượng đảng viên",
        "4. Kiểm điểm, đánh giá, xếp loại chất lượng Chi ủy Chi bộ Trường Mầm non Song Phượng",
        "5. Kiểm điểm, đánh giá, xếp loại chất lượng Chi bộ Trường Mầm non Song Phượng",
        "Hội nghị kết thúc hồi 17 giờ 00 cùng ngày.",
        "Biên bản được thông qua lúc 16 giờ 55 cùng ngày, với 22/22 đồng chí nhất trí (100%).",
        "NGƯỜI GHI BIÊN BẢN", "T/M CHI BỘ", "BÍ THƯ",
        "DANH SÁCH KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN NĂM 2023",
        "(Kèm theo Biên bản hội nghị Chi bộ ngày 29/11/2023)",
        "Số phiếu (tỷ lệ % so với 22 đảng viên chính thức)",
        FINGERPRINT,
    ):
        assert fact in text, fact
    # An empty number line is left out, not printed as an empty "Số".
    assert "Số 05" not in text


def test_number_line_prints_when_given(context, tmp_path):
    context["number_line"] = "Số 05-BB/CB"
    out = render_docx(MINUTES, context, tmp_path / "bb.docx")
    assert "Số 05-BB/CB" in _all_text(out)


def test_a_blank_to_fill_is_a_tab_on_the_printed_minutes(rendered):
    doc = Document(str(rendered["bien_ban_hoi_nghi"]))
    blanks = [p for p in doc.paragraphs if p.text.startswith("Ý kiến góp ý:")]
    assert len(blanks) == 22
    assert all(p._p.xpath(".//w:tab") for p in blanks), "nothing typed: a dotted line to fill by hand"


def test_vote_count_minutes_state_the_totals(rendered):
    text = _all_text(rendered["bien_ban_kiem_phieu"])
    for fact in (
        "BIÊN BẢN KIỂM PHIẾU",
        "1. Đồng chí Đỗ Thị Hương, Trưởng ban;",
        "số phiếu phát ra 22 phiếu, số phiếu thu về 22 phiếu, số phiếu hợp lệ 22 phiếu, số phiếu không hợp lệ 0 phiếu",
        "Mức được trên 1/2 số phiếu: Hoàn thành tốt nhiệm vụ.",
        "Hồi 16 giờ 00, ngày 29 tháng 11 năm 2023",
        "Việc kiểm phiếu kết thúc hồi 16 giờ 35 cùng ngày.",
        "T/M BAN KIỂM PHIẾU", "TRƯỞNG BAN",
        FINGERPRINT,
    ):
        assert fact in text, fact


@pytest.mark.parametrize("stem", [Path(n).stem for n in NAMES])
def test_rendered_documents_have_no_leftover_tags(rendered, stem):
    for name, xml in _xml_parts(rendered[stem]).items():
        for marker in ("{{", "}}", "{%", "%}"):
            assert marker not in xml, f"{stem}:{name} still contains {marker}"


@pytest.mark.parametrize("stem", [Path(n).stem for n in NAMES])
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
    header = doc.tables[0]
    signature = next(t for t in doc.tables if "NGƯỜI GHI BIÊN BẢN" in t._tbl.xml)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in header._tbl.xml
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
    body = [p for p in doc.paragraphs if p.text.startswith(("Hội nghị kết thúc", "Biên bản được thông qua"))]
    assert len(body) == 2 and all(p.paragraph_format.keep_with_next for p in body)


def test_signature_names_line_up(rendered):
    doc = Document(str(rendered["bien_ban_hoi_nghi"]))
    signature = next(t for t in doc.tables if "NGƯỜI GHI BIÊN BẢN" in t._tbl.xml)
    left, right = signature.rows[0].cells
    assert len(left.paragraphs) == len(right.paragraphs)
    assert left.paragraphs[-1].text == "Lê Thị Mai Anh"
    assert right.paragraphs[-1].text == "Nguyễn Thị Thủy"


def test_every_collective_has_its_own_results_table(rendered):
    doc = Document(str(rendered["bien_ban_hoi_nghi"]))
    tables = [t for t in doc.tables if t.rows and t.rows[0].cells[0].text == "Tự đánh giá, xếp loại"]
    assert len(tables) == 3, "the leadership collective, the chi ủy and the chi bộ"
    labels = [r.cells[0].text for r in tables[0].rows]
    assert labels == ["Tự đánh giá, xếp loại", "Kết quả bỏ phiếu", "Mức chi bộ đề nghị", "Căn cứ",
                      "Cấp xem xét, quyết định"]
    level_row = tables[2].rows[2]
    assert level_row.cells[1].text == "Hoàn thành tốt nhiệm vụ"
    assert all(r.font.bold for r in level_row.cells[1].paragraphs[0].runs), "the proposed level stands out"
    assert tables[0].rows[4].cells[1].text == "Ủy ban nhân dân xã Song Phượng", "who decides the school's board"


def test_annex_lists_every_member_under_a_repeating_two_row_header(rendered, context):
    doc = Document(str(rendered["bien_ban_hoi_nghi"]))
    annex = [t for t in doc.tables if "Số phiếu (tỷ lệ % so với 22" in t._tbl.xml and "Tự nhận mức" in t._tbl.xml]
    assert len(annex) == 1, "only the table without the score columns is kept for 2023"
    rows = annex[0]._tbl.findall(qn("w:tr"))
    assert len(rows) == 2 + 21 + 1, "two header rows, 21 members, the closing row"
    for tr in rows[:2]:
        assert tr.trPr.find(qn("w:tblHeader")) is not None
    for tr in rows[2:]:
        assert tr.trPr.find(qn("w:cantSplit")) is not None
    assert "Điểm tự chấm" not in annex[0]._tbl.xml
    first = [c.text for c in annex[0].rows[2].cells]
    assert first[:5] == ["1", "Nguyễn Thị Thủy", "Bí thư Chi bộ, Hiệu trưởng", "CT", "HTXSNV"]
    assert first[5] == "19\n86,36%"
    # The last member sits in the closing row with the summary and the signature: they never part.
    closing = annex[0].rows[-1].cells[0]
    [last] = closing.tables[0].rows
    assert [c.text for c in last.cells][:2] == ["22", "Lưu Thị Nga"]
    assert closing.paragraphs[-1].text == "" and any(p.text.startswith("Tổng số đảng viên") for p in closing.paragraphs)
    assert "T/M CHI BỘ" in closing.tables[1]._tbl.xml
    names = [annex[0].rows[i].cells[1].text for i in range(2, 23)] + [last.cells[1].text]
    assert names == [m["name"] for m in context["annex"]["rows"]]


def test_annex_shows_the_score_columns_under_qd366(context, tmp_path):
    context["annex"]["scores"] = True
    context["annex"]["vote_header"] = "Tán thành (so với 18 đảng viên chính thức)"
    for m in context["annex"]["rows"]:
        m.update(group="2B", self_score="92", score="90,5", vote="18/18\n100%")
    doc = Document(str(render_docx(MINUTES, context, tmp_path / "bb.docx")))
    annex = [t for t in doc.tables if "Điểm tự chấm" in t._tbl.xml]
    assert len(annex) == 1 and "Số phiếu (tỷ lệ" not in annex[0]._tbl.xml
    header = [c.text for c in annex[0].rows[0].cells]
    assert header[4:9] == ["Nhóm", "Điểm tự chấm", "Tự nhận mức", "Điểm chi bộ chấm",
                           "Tán thành (so với 18 đảng viên chính thức)"]
    assert [c.text for c in annex[0].rows[1].cells][4:9] == ["2B", "92", "HTXSNV", "90,5", "18/18\n100%"]


def test_user_text_is_escaped_exactly(rendered):
    for stem in ("bien_ban_hoi_nghi", "bien_ban_kiem_phieu", "trich_bien_ban", "bao_cao_ket_qua"):
        text = _all_text(rendered[stem])
        assert ESCAPED_NOTE in text, stem
        assert "&amp;" not in text and "&lt;" not in text


def test_decomposed_input_comes_out_precomposed(context, tmp_path):
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    context["chair"]["name"] = nfd("Nguyễn Thị Thủy")
    context["party_cell"] = nfd(context["party_cell"])
    context["annex"]["rows"][0]["name"] = nfd("Nguyễn Thị Thủy")
    context["ballot"]["rows"][0]["name"] = nfd("Nguyễn Thị Thủy")
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
    del context["sections"]
    del context["chair"]
    with pytest.raises(TemplateContextError) as err:
        render_docx(MINUTES, context, tmp_path / "bb.docx")
    message = str(err.value)
    assert "chair" in message and "sections" in message and "chưa có" in message
    assert not list(tmp_path.iterdir()), "nothing is written when the context is incomplete"


def test_missing_nested_field_is_an_error_not_a_blank(context, tmp_path):
    del context["signature"]["right_name"]
    with pytest.raises(TemplateContextError, match="right_name"):
        render_docx(MINUTES, context, tmp_path / "bb.docx")


def test_the_master_ballot_is_one_per_kind_and_says_how_many_to_print(rendered, context):
    doc = Document(str(rendered["phieu_danh_gia"]))
    text = _all_text(rendered["phieu_danh_gia"])
    assert text.count("PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN NĂM 2023") == 1
    assert "Bản gốc: in 22 bản (mỗi đảng viên chính thức có mặt một phiếu)." in text
    member_tables = [t for t in doc.tables if "Họ và tên đảng viên" in t._tbl.xml]
    assert len(member_tables) == 1
    header = [c.text for c in member_tables[0].rows[0].cells]
    assert header == ["TT", "Họ và tên đảng viên", "HTXSNV", "HTTNV", "HTNV", "KHTNV"]
    assert [r.cells[1].text for r in member_tables[0].rows[1:]] == [r["name"] for r in context["ballot"]["rows"]]
    # The collectives ballot: three to a sheet, the three collectives in the order of rankings.
    cell_tables = [t for t in doc.tables if t.rows[0].cells[1].text == "Tập thể"]
    assert len(cell_tables) == 3
    assert [r.cells[1].text for r in cell_tables[0].rows[1:]] == [
        "Tập thể lãnh đạo Trường Mầm non Song Phượng", "Chi ủy Chi bộ Trường Mầm non Song Phượng",
        "Chi bộ Trường Mầm non Song Phượng"]
    assert text.count("(cắt theo đường này)") == 2
    assert "Bản gốc: in 08 tờ, mỗi tờ 03 phiếu, cắt rời được 22 phiếu." in text


def test_ballot_copies_repeat_the_member_ballot(context, tmp_path):
    context["ballot"].update(copies=[1, 2, 3], master_note="", cell_note="", cell_sheets=[[0, 1], [2]])
    doc = Document(str(render_docx(BALLOTS, context, tmp_path / "phieu.docx")))
    text = _all_text(tmp_path / "phieu.docx")
    assert text.count("PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN NĂM 2023") == 3
    assert text.count("PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG TẬP THỂ NĂM 2023") == 3
    assert "Bản gốc" not in text
    # A page break after each member ballot and between the two sheets of collectives ballots.
    assert doc.element.body.xml.count('w:type="page"') == 3 + 1


def test_a_big_roster_gets_the_compact_ballot_two_members_to_a_row(context, tmp_path):
    rows = [{"no": str(i), "name": f"Đảng viên số {i:03d}"} for i in range(1, 301)]
    pairs = [{"no1": a["no"], "name1": a["name"], "no2": b["no"], "name2": b["name"]} for a, b in zip(rows[::2], rows[1::2])]
    context["ballot"].update(compact=True, rows=rows, pairs=pairs)
    doc = Document(str(render_docx(BALLOTS, context, tmp_path / "phieu.docx")))
    [table] = [t for t in doc.tables if "Họ và tên đảng viên" in t._tbl.xml]
    assert len(table.rows) == 1 + 150
    assert [c.text for c in table.rows[0].cells] == ["TT", "Họ và tên đảng viên", "1", "2", "3", "4"] * 2
    assert [c.text for c in table.rows[-1].cells][:2] + [table.rows[-1].cells[6].text] == ["299", "Đảng viên số 299", "300"]
    assert "Cột 1: Hoàn thành xuất sắc nhiệm vụ" in _all_text(tmp_path / "phieu.docx")


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
# LibreOffice: PDF and PNG, and what the pages show (one LibreOffice start for the module)
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
    out = tmp_path_factory.mktemp("pdf")
    docs = [render_docx(TEMPLATES / n, ctx, out / n) for n in NAMES[:4]]
    return {d.stem: pdf for d, pdf in zip(docs, docx_to_pdf_many(docs))}


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
    assert "Lê Thị Mai Anh" in sig_page and "Nguyễn Thị Thủy" in sig_page
    assert "Biên bản được thông qua lúc" in sig_page
    # The annex header repeats on each of its pages, and the last member is listed.
    start = next(i for i, t in enumerate(minutes) if "DANH SÁCH KẾT QUẢ" in t)
    # The table's header (two rows) repeats on every page the table runs over.
    table_pages = [t for t in minutes[start:] if "Phan Thị Diệu Linh" in t or "Nguyễn Thị Minh Hằng" in t]
    assert len(table_pages) == 2 and all(re.search(r"Họ và tên.*\n(.*\n)*.*HTXSNV +HTTNV +HTNV +KHTNV", t) for t in table_pages)
    # The annex's signature never stands alone: its summary and legend travel with it.
    annex_sig = next(t for t in minutes[start:] if "T/M CHI BỘ" in t)
    assert "Tổng số đảng viên được đánh giá, xếp loại" in annex_sig and "HTXSNV: Hoàn thành" in annex_sig
    ballots = _page_texts(pdfs["phieu_danh_gia"])
    assert len(ballots) == 2, "the master member ballot, then one sheet of three collectives ballots"
    assert "Lưu Thị Nga" in ballots[0], "all 22 members fit on one ballot page"
    assert ballots[1].count("PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG TẬP THỂ NĂM 2023") == 3


def test_docx_to_pdf_explains_a_missing_libreoffice(monkeypatch, rendered):
    import xlwings_addin.documents.render as render_module

    monkeypatch.setattr(render_module, "find_soffice", lambda: None)
    with pytest.raises(render_module.DocumentConversionError, match="LibreOffice"):
        docx_to_pdf(rendered["bien_ban_kiem_phieu"])


def test_sample_script_renders_every_document_kind():
    spec = importlib.util.spec_from_file_location("render_samples", ROOT / "scripts" / "render_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from xlwings_addin.documents.export import KINDS

    assert set(module.KIND_STEMS) == set(KINDS)


def test_fixture_is_the_song_phuong_2023_meeting(context):
    rows = context["annex"]["rows"]
    assert len(rows) == 22
    proposed = [m["proposed"] for m in rows]
    assert proposed.count("HTXSNV") == 4 and proposed.count("HTTNV") == 18
    # Trịnh Thị Yến's row has a spoiled line: 21 marks on 22 valid ballots.
    spoiled = [m for m in rows if sum(int(m[f"v{i}"]) for i in range(1, 5)) != 22]
    assert [m["name"] for m in spoiled] == ["Trịnh Thị Yến"]
    assert copy.deepcopy(context) == normalize_context(context), "the fixture itself is NFC"


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(make_fixture(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(FIXTURE)
