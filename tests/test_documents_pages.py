"""What the printed pages look like: every document of both example meetings, the notice, and the ballots
of a 22- and a 300-member chi bộ, converted to PDF in one LibreOffice start and read page by page.

Checked here: the master ballots grow with the roster, not with its square (300 members fit in a few
pages); a signature block never leaves its closing lines or its name behind; one page per score form;
the page counts stay in the range a clerk expects.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from xlwings_addin.core.models import Case, Meeting, Member, PartyCell, Person
from xlwings_addin.documents.export import KINDS, export_many, not_applicable
from xlwings_addin.documents.render import docx_to_pdf_many
from xlwings_addin.engine import compute
from xlwings_addin.io.casefile import read_case

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {2023: ROOT / "xlwings_addin/examples/song-phuong-2023.json",
            2026: ROOT / "xlwings_addin/examples/song-phuong-2026.json"}

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                       reason="LibreOffice (soffice) hoặc poppler-utils chưa được cài"),
]


def roster_case(n: int) -> Case:
    """A chi bộ of ``n`` official members, all present, no votes typed yet (ballots are printed before)."""
    meeting = Meeting(review_year=2023, date=date(2023, 12, 5), party_cell="Chi bộ Thử tải", upper_body="Đảng bộ xã A",
                      upper_committee="Đảng ủy xã A", locality="A", chair=Person("Nguyễn Văn A", "Bí thư Chi bộ"),
                      secretary=Person("Trần Thị B"))
    members = tuple(Member(name=f"Đảng viên số {i + 1:03d}", role="Giáo viên") for i in range(n))
    return Case(meeting=meeting, members=members, party_cell=PartyCell())


def pages_of(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pages")
    docs: dict[str, Path] = {}
    for year, path in EXAMPLES.items():
        case = read_case(path)
        result = compute(case)
        kinds = [k for k in KINDS if not not_applicable(k, case, result)]
        for kind, (docx, _) in zip(kinds, export_many([(k, out / f"{k}-{year}.docx") for k in kinds], case, result)):
            docs[f"{kind}-{year}"] = docx
    case = read_case(EXAMPLES[2023])
    decided = replace(case, members=tuple(replace(m, decided_level=m.self_level) for m in case.members))
    [(docs["notice-2023"], _)] = export_many([("notice", out / "notice-2023.docx")], decided, compute(decided))
    for n in (22, 300):
        case = roster_case(n)
        [(docs[f"ballots-{n}"], _)] = export_many([("ballots", out / f"ballots-{n}.docx")], case, compute(case))
    names = list(docs)
    return dict(zip(names, docx_to_pdf_many([docs[n] for n in names])))


def test_master_ballots_grow_linearly_with_the_roster(pdfs):
    small, big = len(pages_of(pdfs["ballots-22"])), len(pages_of(pdfs["ballots-300"]))
    assert small == 2, "one page of 22 members, one sheet of chi bộ ballots"
    # 300 members: two to a row, about a hundred a page, plus the sheet of chi bộ ballots.
    assert big <= 6, big
    assert big - 1 <= (small - 1) * 300 / 22, "pages grow no faster than the roster"
    text = pages_of(pdfs["ballots-300"])
    assert "Đảng viên số 300" in "".join(text[:-1]) and "Bản gốc: in 300 bản" in text[0]
    assert pdfs["ballots-300"].with_suffix(".docx").stat().st_size < 200_000


def test_every_member_is_on_the_big_ballot_once_in_order(pdfs):
    text = "".join(pages_of(pdfs["ballots-300"])[:-1])
    found = [int(x) for x in __import__("re").findall(r"Đảng viên số (\d{3})", text)]
    assert sorted(found) == list(range(1, 301)) and len(found) == 300


@pytest.mark.parametrize("doc, signer, closing", [
    ("minutes-2023", "Lê Thị Mai Anh", "Biên bản được thông qua lúc"),
    ("minutes-2026", "Lê Thị Mai Anh", "Biên bản được thông qua lúc"),
    ("count-minutes-2023", "Đỗ Thị Hương", "Việc kiểm phiếu kết thúc hồi"),
    ("extract-2023", "Nguyễn Thị Thủy", "Trích từ biên bản hội nghị"),
    ("report-2026", "Nguyễn Thị Thủy", "III. ĐỀ NGHỊ"),
    ("notice-2023", "Nguyễn Thị Thủy", "Chi bộ thông báo để các đồng chí đảng viên biết."),
])
def test_a_signature_block_stays_with_its_closing_lines_and_name(pdfs, doc, signer, closing):
    pages = pages_of(pdfs[doc])
    page = next(p for p in pages if closing in p)
    titles = [t for t in ("NGƯỜI GHI BIÊN BẢN", "T/M BAN KIỂM PHIẾU", "T/M CHI BỘ") if t in page]
    assert titles, f"{doc}: the signature titles are on the page of '{closing}'"
    after = page.split(titles[0], 1)[1]
    assert signer in after, f"{doc}: {signer} signs on the same page"


@pytest.mark.parametrize("doc, last", [("minutes-2023", "Lưu Thị Nga"), ("minutes-2026", "Chu Thị Vân"),
                                       ("report-2023", "Lưu Thị Nga"), ("report-2026", "Chu Thị Vân"),
                                       ("notice-2023", "Lưu Thị Nga")])
def test_a_list_ends_with_its_last_member_beside_the_summary_and_signature(pdfs, doc, last):
    page = pages_of(pdfs[doc])[-1]
    assert last in page and "T/M CHI BỘ" in page and "Nguyễn Thị Thủy" in page.split("T/M CHI BỘ")[1]
    assert "Họ và tên" in page, "the header of the list repeats above its last rows"


def test_one_page_per_score_form(pdfs):
    pages = pages_of(pdfs["forms-2026"])
    assert len(pages) == 22, "three Mẫu 01 and nineteen Mẫu 2A/2B/2C"
    for page in pages:
        assert page.count("KĐ.ĐG 2025") >= 1 and ("NGƯỜI TỰ KIỂM ĐIỂM" in page or "T/M" in page)


def test_page_counts_stay_in_range(pdfs):
    counts = {name: len(pages_of(pdf)) for name, pdf in pdfs.items()}
    expected = {"minutes-2023": (6, 12), "minutes-2026": (6, 12), "count-minutes-2023": (2, 4), "ballots-2023": (2, 2),
                "extract-2023": (2, 4), "report-2023": (3, 6), "report-2026": (3, 6), "notice-2023": (1, 2)}
    for name, (low, high) in expected.items():
        assert low <= counts[name] <= high, (name, counts[name])


def test_no_heading_is_left_at_the_foot_of_a_page(pdfs):
    """A numbered section heading is followed on its page by at least one line of its text."""
    import re

    for name in ("minutes-2023", "minutes-2026", "report-2023"):
        for page in pages_of(pdfs[name]):
            lines = [line for line in page.splitlines() if line.strip() and "Mã kiểm tra" not in line]
            if lines:
                assert not re.match(r"\s*(\d+\.|[IV]+\.) [A-ZĐ]", lines[-1]) or len(lines) == 1, (name, lines[-1])
