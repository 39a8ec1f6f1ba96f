"""The documents of the built-in example, end to end: the demo command, the minutes reopened, the
vote-count minutes, the ballots, escaping and NFC, never overwriting, and the PDF render."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path

import docx
import pytest

from casebuilder import EXAMPLE
from xlwings_addin.engine import compute
from xlwings_addin.documents.context import build_context
from xlwings_addin.documents.export import export
from xlwings_addin.documents.render import find_soffice
from xlwings_addin.io.casefile import read_case

ROOT = Path(__file__).resolve().parent.parent


def all_text(path: Path) -> str:
    """Every paragraph of the body, its tables, headers and footers, in order."""
    d = docx.Document(str(path))
    parts = []

    def walk(container):
        for p in container.paragraphs:
            parts.append(p.text)
        for t in container.tables:
            for row in t.rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        walk(cell)
    walk(d)
    for s in d.sections:
        for part in (s.header, s.footer, s.first_page_header, s.first_page_footer):
            walk(part)
    return "\n".join(parts)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    proc = subprocess.run([sys.executable, "-m", "xlwings_addin", "demo", "--out", str(out)], capture_output=True,
                          text=True, encoding="utf-8", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


def test_demo_prints_where_everything_is(demo):
    out, stdout = demo
    for name in ("Song Phượng 2023.xlsm", "Biên bản hội nghị năm 2023.docx", "Biên bản kiểm phiếu năm 2023.docx",
                 "Phiếu đánh giá năm 2023.docx"):
        assert (out / name).exists() and name in stdout


def test_minutes_carry_the_facts_of_the_meeting(demo):
    out, _ = demo
    text = all_text(out / "Biên bản hội nghị năm 2023.docx")
    for fact in ("ĐẢNG BỘ XÃ SONG PHƯỢNG", "CHI BỘ TRƯỜNG MẦM NON SONG PHƯỢNG", "ĐẢNG CỘNG SẢN VIỆT NAM",
                 "Song Phượng, ngày 29 tháng 11 năm 2023", "Nguyễn Thị Thủy, Bí thư Chi bộ", "Nguyễn Thị Kim Huế",
                 "124-QĐ/TW", "128-KH/TU", "45-KH/ĐU", "22/22", "Hoàn thành tốt nhiệm vụ (22/22 phiếu, đạt 100%)",
                 "04/22 đồng chí đề nghị xếp loại Hoàn thành xuất sắc nhiệm vụ", "18/22 đồng chí Hoàn thành tốt nhiệm vụ",
                 "4/18 = 22,22%", "4/22 = 18,18%", "T/M CHI BỘ", "BÍ THƯ", "NGƯỜI GHI BIÊN BẢN", "Lê Thị Mai Anh",
                 "đề xuất của chi bộ", "DANH SÁCH KẾT QUẢ ĐÁNH GIÁ"):
        assert fact in text, fact
    assert "{{" not in text and "{%" not in text
    fingerprint = compute(read_case(EXAMPLE)).fingerprint
    assert f"Mã kiểm tra dữ liệu: {fingerprint}" in text


def test_minutes_annex_lists_all_22_members_in_roster_order(demo):
    out, _ = demo
    d = docx.Document(str(out / "Biên bản hội nghị năm 2023.docx"))
    names = [m.name for m in read_case(EXAMPLE).members]
    annex = [t for t in d.tables if any("Họ và tên" in c.text for c in t.rows[0].cells)][-1]
    rows = [r for r in annex.rows if r.cells[0].text.strip().isdigit()]
    assert [r.cells[1].text for r in rows] == names
    proposals = [r.cells[-2].text for r in rows]
    assert proposals.count("HTXSNV") == 4 and proposals.count("HTTNV") == 18


def test_vote_count_minutes_and_ballots(demo):
    out, _ = demo
    text = all_text(out / "Biên bản kiểm phiếu năm 2023.docx")
    assert "BIÊN BẢN KIỂM PHIẾU" in text and "T/M BAN KIỂM PHIẾU" in text and "Đỗ Thị Hương" in text
    assert "22/22" in text
    ballots = docx.Document(str(out / "Phiếu đánh giá năm 2023.docx"))
    first = ballots.tables[1] if len(ballots.tables) > 1 else ballots.tables[0]
    names = [m.name for m in read_case(EXAMPLE).members]
    tables_with_names = [t for t in ballots.tables if any(names[0] == c.text for r in t.rows for c in r.cells)]
    assert len(tables_with_names) == 22  # one ballot per official member present
    rows = [r.cells[1].text for r in tables_with_names[0].rows if r.cells[0].text.strip().isdigit()]
    assert rows == names and first is not None


def test_names_with_markup_characters_and_nfd_text_come_out_exact_in_nfc(tmp_path):
    case = read_case(EXAMPLE)
    odd = 'Đinh Thị "Quỳnh" & <Bé>'
    nfd = unicodedata.normalize("NFD", odd)
    members = list(case.members)
    members[19] = replace(members[19], name=nfd, note="Phụ trách <khối Lá> & \"Mầm\"")
    grid = case.member_votes
    order = list(grid.order)
    order[19] = nfd
    case = replace(case, members=tuple(members), member_votes=replace(grid, order=tuple(order)))
    written, _ = export("minutes", case, compute(case), tmp_path / "bb.docx")
    text = all_text(written)
    assert odd in text and nfd not in text
    assert 'Phụ trách <khối Lá> & "Mầm"' in text


def test_documents_are_never_overwritten_and_errors_stop_the_export(tmp_path):
    run = lambda *a: subprocess.run([sys.executable, "-m", "xlwings_addin", *a], capture_output=True, text=True,  # noqa: E731
                                    encoding="utf-8", cwd=ROOT)
    target = tmp_path / "Biên bản.docx"
    target.write_bytes(b"signed")
    proc = run("minutes", EXAMPLE, "--out", str(target))
    assert proc.returncode == 0 and proc.stdout.strip().endswith("Biên bản (2).docx")
    assert target.read_bytes() == b"signed"
    bad = tmp_path / "bad.json"
    bad.write_text(Path(EXAMPLE).read_text(encoding="utf-8").replace('"attendance": "co_mat"', '"attendance": "vang_co_ly_do"', 1),
                   encoding="utf-8")
    proc = run("minutes", str(bad), "--out", str(tmp_path / "x.docx"))
    assert proc.returncode == 1 and "BALLOTS_EXCEED_VOTERS" in proc.stderr and not (tmp_path / "x.docx").exists()
    assert run("count-minutes", str(bad), "--out", str(tmp_path / "x.docx"), "--force").returncode == 0


def test_context_formats_vietnamese_dates_counts_and_signatures():
    case = read_case(EXAMPLE)
    ctx = build_context(case, compute(case))
    assert ctx["place_date"] == "Song Phượng, ngày 29 tháng 11 năm 2023"
    assert ctx["opening"].startswith("Hồi 14 giờ 00, ngày 29 tháng 11 năm 2023, tại phòng họp")
    assert ctx["signature"]["right_authority"] == "T/M CHI BỘ" and ctx["signature"]["right_title"] == "BÍ THƯ"
    assert ctx["legal_basis"][0].startswith("Thực hiện Quy định số 124-QĐ/TW") and ctx["legal_basis"][0].endswith(";")
    assert ctx["members"][12]["p2"] == "77,27%" and ctx["show_scores"] is False
    vice = replace(case, meeting=replace(case.meeting, chair=replace(case.meeting.chair, title="Phó Bí thư Chi bộ")))
    assert build_context(vice, compute(vice))["signature"]["right_title"] == "PHÓ BÍ THƯ"


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
def test_the_minutes_render_to_pdf_and_png(tmp_path):
    case = read_case(EXAMPLE)
    docx_path, pdf = export("minutes", case, compute(case), tmp_path / "bb.docx", pdf=True)
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 3 <= pages <= 8
