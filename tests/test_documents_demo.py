"""The documents of the built-in examples, end to end: the demo command for 2023 (QĐ 124, ballots) and 2026
(QĐ 366, scores and a show of hands), each document reopened with python-docx and read like a clerk would:
the sections, the notes, the closing lines, the pack sent up; escaping and NFC; never overwriting."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path

import docx
import pytest

from casebuilder import EXAMPLE, tally_case
from xlwings_addin.core.levels import Level
from xlwings_addin.documents.context import build_context
from xlwings_addin.documents.export import DocumentNotApplicable, export, not_applicable, templates_dir
from xlwings_addin.engine import compute
from xlwings_addin.io.casefile import read_case
from xlwings_addin.io.output import summary_rows

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_2026 = "xlwings_addin/examples/song-phuong-2026.json"
#: Words of the rule pack's settings that must never reach a signed document.
JARGON = ("base_policy", "official_excl_excused", "official_all", "cascade", "htxs_threshold", "quota_pool",
          "proposal_basis", "score_and_vote", "QD124", "QD366", "triệu tập (trừ", "phần mềm", "finding")


def run(*args):
    return subprocess.run([sys.executable, "-m", "xlwings_addin", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT)


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


def table_with(path: Path, header: str):
    """The first table whose first row has a cell reading ``header``."""
    return next(t for t in docx.Document(str(path)).tables if any(c.text == header for c in t.rows[0].cells))


def member_rows(table) -> list[list[str]]:
    """The numbered rows of a list, the last one included where it sits in the closing row's nested table."""
    rows = []
    for r in table.rows:
        cell = r.cells[0]
        if cell.tables and not cell.text.strip().isdigit():
            rows += member_rows(cell.tables[0])
        elif cell.text.strip().isdigit():
            rows.append([c.text for c in r.cells])
    return rows


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    proc = run("demo", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


@pytest.fixture(scope="module")
def demo2026(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo2026")
    proc = run("demo", "--year", "2026", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


# --------------------------------------------------------------------------- 2023: QĐ 124, ballots


def test_the_2023_demo_writes_the_minutes_count_ballots_extract_and_report(demo):
    out, stdout = demo
    for name in ("Song Phượng 2023.xlsm", "Biên bản hội nghị năm 2023.docx", "Biên bản kiểm phiếu năm 2023.docx",
                 "Phiếu đánh giá năm 2023.docx", "Trích biên bản năm 2023.docx", "Báo cáo kết quả năm 2023.docx"):
        assert (out / name).exists() and name in stdout, name
    assert not (out / "Mẫu tự đánh giá năm 2023.docx").exists(), "no score forms under QĐ 124"
    assert "Phiếu đảng viên: in 22 bản từ bản gốc" in stdout
    assert "Thông báo kết quả xếp loại: Chưa có mức xếp loại do cấp ủy quyết định" in stdout


def test_minutes_follow_the_order_of_rankings_with_a_section_per_collective(demo):
    text = all_text(demo[0] / "Biên bản hội nghị năm 2023.docx")
    headings = re.findall(r"^\d\. Kiểm điểm, đánh giá, xếp loại chất lượng (.+)$", text, flags=re.M)
    assert headings == ["tập thể lãnh đạo Trường Mầm non Song Phượng", "đảng viên",
                        "Chi ủy Chi bộ Trường Mầm non Song Phượng", "Chi bộ Trường Mầm non Song Phượng"]
    assert ("hội nghị kiểm điểm, đánh giá, xếp loại chất lượng chi bộ, đảng viên và tập thể, cá nhân cán bộ lãnh đạo, "
            "quản lý năm 2023") in text
    assert text.count("Cấp xem xét, quyết định") == 3
    assert ("Hội nghị thống nhất đề nghị Ủy ban nhân dân xã Song Phượng xếp loại tập thể lãnh đạo Trường Mầm non "
            "Song Phượng năm 2023: Hoàn thành xuất sắc nhiệm vụ.") in text
    assert ("Hội nghị thống nhất đề nghị Đảng ủy xã Song Phượng xếp loại Chi bộ Trường Mầm non Song Phượng năm 2023: "
            "Hoàn thành tốt nhiệm vụ.") in text


def test_minutes_carry_the_facts_of_the_meeting(demo):
    text = all_text(demo[0] / "Biên bản hội nghị năm 2023.docx")
    for fact in ("ĐẢNG BỘ XÃ SONG PHƯỢNG", "CHI BỘ TRƯỜNG MẦM NON SONG PHƯỢNG", "Song Phượng, ngày 29 tháng 11 năm 2023",
                 "Nguyễn Thị Thủy, Bí thư Chi bộ", "Nguyễn Thị Kim Huế", "124-QĐ/TW", "128-KH/TU", "45-KH/ĐU",
                 "Hoàn thành xuất sắc nhiệm vụ: 04/22 đồng chí (18,18%); Hoàn thành tốt nhiệm vụ: 18/22 đồng chí (81,82%)",
                 "T/M CHI BỘ", "BÍ THƯ", "NGƯỜI GHI BIÊN BẢN", "Lê Thị Mai Anh", "đề xuất của chi bộ",
                 "DANH SÁCH KẾT QUẢ ĐÁNH GIÁ"):
        assert fact in text, fact
    assert "{{" not in text and "{%" not in text


def test_the_guidance_applied_is_added_to_the_legal_basis(demo):
    text = all_text(demo[0] / "Biên bản hội nghị năm 2023.docx")
    lines = [line for line in text.splitlines() if line.startswith("Thực hiện")]
    assert lines[1] == "Thực hiện Hướng dẫn số 25-HD/BTCTW, ngày 10/11/2023 của Ban Tổ chức Trung ương;"
    assert lines[0].startswith("Thực hiện Quy định số 124-QĐ/TW") and lines[-1].endswith(".")
    case = read_case(EXAMPLE)
    already = replace(case, meeting=replace(case.meeting, legal_basis=case.meeting.legal_basis + (
        "Hướng dẫn số 25-HD/BTCTW, ngày 10/11/2023 của Ban Tổ chức Trung ương",)))
    basis = build_context(already, compute(already))["legal_basis"]
    assert sum("25-HD/BTCTW" in line for line in basis) == 1, "never twice when the user's lines cite it"


def test_the_spoiled_line_is_noted_in_both_minutes(demo):
    out, _ = demo
    note = "01 phiếu không hợp lệ đối với đồng chí này"
    annex = member_rows(table_with(out / "Biên bản hội nghị năm 2023.docx", "Loại ĐV"))
    yen = next(r for r in annex if r[1] == "Trịnh Thị Yến")
    assert yen[5:9] == ["3\n13,64%", "17\n77,27%", "1\n4,55%", "0\n0%"] and note in yen[-1]
    assert [r[1] for r in annex if note in r[-1]] == ["Trịnh Thị Yến"]
    text = all_text(out / "Biên bản hội nghị năm 2023.docx")
    assert "Đồng chí Trịnh Thị Yến: 01 phiếu không hợp lệ đối với đồng chí này (3 + 17 + 1 + 0 = 21/22 phiếu hợp lệ)" in text
    count = out / "Biên bản kiểm phiếu năm 2023.docx"
    rows = member_rows(table_with(count, "Mức được trên 1/2"))
    assert [r[1] for r in rows if note in r[-1]] == ["Trịnh Thị Yến"]
    assert ("Trên các phiếu hợp lệ có 01 dòng không hợp lệ (không đánh dấu hoặc đánh dấu từ hai ô trở lên): "
            "đồng chí Trịnh Thị Yến (01 phiếu).") in all_text(count)


def test_the_minutes_state_the_ballot_totals_and_how_the_programme_and_counters_were_approved(demo):
    text = all_text(demo[0] / "Biên bản hội nghị năm 2023.docx")
    assert ("số phiếu phát ra 22 phiếu, số phiếu thu về 22 phiếu, số phiếu hợp lệ 22 phiếu, số phiếu không hợp lệ "
            "0 phiếu") in text
    assert "Hội nghị biểu quyết thông qua chương trình với 22/22 đồng chí nhất trí (100%)." in text
    assert ("Hội nghị bầu Ban kiểm phiếu gồm 03 đồng chí: đồng chí Đỗ Thị Hương (Trưởng ban), đồng chí Trịnh Thị Yến "
            "(Ủy viên), đồng chí Nguyễn Văn Khánh (Ủy viên); 22/22 đồng chí nhất trí (100%).") in text


def test_the_closing_lines_give_the_times_and_the_approval(demo):
    text = all_text(demo[0] / "Biên bản hội nghị năm 2023.docx")
    assert "Hội nghị kết thúc hồi 17 giờ 00 cùng ngày." in text
    assert "Biên bản được thông qua lúc 16 giờ 55 cùng ngày, với 22/22 đồng chí nhất trí (100%)." in text


def test_missing_closing_facts_are_labelled_blanks_to_fill(tmp_path):
    case = read_case(EXAMPLE)
    case = replace(case, meeting=replace(case.meeting, adopted_time=None, adopted_agree=None, program_agree=None))
    text = all_text(export("minutes", case, compute(case), tmp_path / "bb.docx")[0])
    assert "Biên bản được thông qua lúc …… giờ …… cùng ngày, với ……/22 đồng chí nhất trí (……%)." in text
    assert "Hội nghị biểu quyết thông qua chương trình với ……/22 đồng chí nhất trí (……%)." in text
    # Nothing typed for the discussion: labelled dotted lines, no invented text.
    d = docx.Document(str(tmp_path / "bb.docx"))
    conclusion = next(p for p in d.paragraphs if p.text.startswith("Đồng chí Nguyễn Thị Thủy kết luận hội nghị:"))
    assert conclusion.text.endswith("\t") and conclusion._p.xpath(".//w:tab")
    assert sum(p.text.startswith("Ý kiến góp ý:") for p in d.paragraphs) == 22


def test_no_settings_jargon_and_the_base_in_one_sentence(demo):
    out, _ = demo
    for name in ("Biên bản hội nghị", "Biên bản kiểm phiếu", "Trích biên bản", "Báo cáo kết quả"):
        text = all_text(out / f"{name} năm 2023.docx")
        for word in JARGON:
            assert word not in text, (name, word)
        assert "cộng dồn" not in text, f"{name}: the cumulative rule was not applied in 2023"
    text = all_text(out / "Biên bản hội nghị năm 2023.docx")
    assert "Tỷ lệ % tính trên 22 đảng viên chính thức của chi bộ." in text
    assert "Mức đề nghị là mức được trên 1/2 số phiếu so với 22 đảng viên chính thức của chi bộ." in text
    assert "Số phiếu (tỷ lệ % so với 22 đảng viên chính thức)" in text, "the base in the table header"


def test_the_cumulative_rule_is_worded_only_when_it_was_applied(tmp_path):
    # 8 + 4 + 8: no level passes 1/2 of 20 alone; HTXSNV and HTTNV together do.
    case = tally_case([(8, 4, 8, 0)] + [(2, 18, 0, 0)] * 19)
    result = compute(case)
    assert any(r.rule == "cumulative" for r in result.members)
    text = all_text(export("minutes", case, result, tmp_path / "bb.docx")[0])
    assert "cộng dồn số phiếu từ mức cao xuống" in text
    assert "Đề xuất theo cách cộng dồn" in text


def test_counts_under_ten_and_no_abbreviations_in_prose(demo):
    d = docx.Document(str(demo[0] / "Biên bản hội nghị năm 2023.docx"))
    prose = "\n".join(p.text for p in d.paragraphs)
    body = prose.split("DANH SÁCH KẾT QUẢ")[0]
    for short in ("HTXSNV", "HTTNV", "HTNV", "KHTNV"):
        assert not re.search(rf"\b{short}\b", body), short
    assert not re.search(r"\b[1-9] (đồng chí|phiếu)\b", prose), "counts below ten are written 01..09"
    assert not re.search(r"\b[1-9]/\d+ (đồng chí|phiếu)", prose), "ratios too: 04/22"
    assert "04/22 đồng chí" in prose and "03 đồng chí" in prose


def test_quota_advice_is_the_meetings_decision(demo):
    text = all_text(demo[0] / "Biên bản hội nghị năm 2023.docx")
    assert ("Số đồng chí đề nghị Hoàn thành xuất sắc nhiệm vụ (04) vượt 20% số đồng chí Hoàn thành tốt nhiệm vụ "
            "(04/18 = 22,22%; tối đa 03 đồng chí; so với số đảng viên được đánh giá 04/22 = 18,18%). Hội nghị thống nhất "
            "giữ nguyên đề nghị, báo cáo Đảng ủy xã Song Phượng xem xét, quyết định trong tỷ lệ chung của đảng bộ.") in text


def test_the_footer_code_is_on_the_vote_count_and_optional_on_the_minutes(demo, tmp_path):
    out, _ = demo
    code = f"Mã kiểm tra dữ liệu: {compute(read_case(EXAMPLE)).fingerprint}"
    assert code in all_text(out / "Biên bản kiểm phiếu năm 2023.docx")
    assert "Mã kiểm tra dữ liệu" not in all_text(out / "Biên bản hội nghị năm 2023.docx")
    case = read_case(EXAMPLE)
    on = replace(case, meeting=replace(case.meeting, fingerprint_in_minutes=True))
    result = compute(on)
    assert f"Mã kiểm tra dữ liệu: {result.fingerprint}" in all_text(export("minutes", on, result, tmp_path / "bb.docx")[0])


def test_minutes_annex_lists_all_22_members_in_roster_order(demo):
    annex = table_with(demo[0] / "Biên bản hội nghị năm 2023.docx", "Loại ĐV")
    rows = member_rows(annex)
    assert [r[1] for r in rows] == [m.name for m in read_case(EXAMPLE).members]
    proposals = [r[-2] for r in rows]
    assert proposals.count("HTXSNV") == 4 and proposals.count("HTTNV") == 18


def test_vote_count_minutes_open_and_close_like_real_ones(demo):
    text = all_text(demo[0] / "Biên bản kiểm phiếu năm 2023.docx")
    assert ("Hồi 16 giờ 00, ngày 29 tháng 11 năm 2023, tại phòng họp Trường Mầm non Song Phượng, Ban kiểm phiếu do hội "
            "nghị kiểm điểm") in text
    assert "1. Đồng chí Đỗ Thị Hương, Trưởng ban;" in text and "3. Đồng chí Nguyễn Văn Khánh, Ủy viên." in text
    assert "Việc kiểm phiếu kết thúc hồi 16 giờ 35 cùng ngày." in text
    assert "T/M BAN KIỂM PHIẾU" in text and "TRƯỞNG BAN" in text
    headings = re.findall(r"^\d\. Đánh giá, xếp loại chất lượng (.+)$", text, flags=re.M)
    assert headings == ["tập thể lãnh đạo Trường Mầm non Song Phượng", "đảng viên",
                        "Chi ủy Chi bộ Trường Mầm non Song Phượng", "Chi bộ Trường Mầm non Song Phượng"]


def test_the_master_ballot_lists_the_reviewed_members_once_and_says_how_many_to_print(demo):
    path = demo[0] / "Phiếu đánh giá năm 2023.docx"
    text = all_text(path)
    assert text.count("PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN NĂM 2023") == 1
    assert "Bản gốc: in 22 bản (mỗi đảng viên chính thức có mặt một phiếu)." in text
    rows = member_rows(table_with(path, "Họ và tên đảng viên"))
    assert [r[1] for r in rows] == [m.name for m in read_case(EXAMPLE).members]


def test_ballots_with_copies_one_per_voter(tmp_path):
    proc = run("ballots", EXAMPLE, "--out", str(tmp_path / "p.docx"), "--copies")
    assert proc.returncode == 0, proc.stderr
    assert "Đã in sẵn 22 phiếu mỗi loại" in proc.stdout
    text = all_text(tmp_path / "p.docx")
    assert text.count("PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN NĂM 2023") == 22
    assert text.count("PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG TẬP THỂ NĂM 2023") == 22
    assert "Bản gốc" not in text


def test_only_reviewed_members_are_on_the_ballot(tmp_path):
    case = read_case(EXAMPLE_2026)
    path, _ = export("ballots", case, compute(case), tmp_path / "p.docx")
    names = [r[1] for r in member_rows(table_with(path, "Họ và tên đảng viên"))]
    assert "Chu Thị Vân" not in names and len(names) == 19
    assert names == [m.name for m in case.members if m.name != "Chu Thị Vân"]


# --------------------------------------------------------------------------- the pack sent up (2023)


def test_the_extract_lists_the_results_and_is_signed_for_the_chi_bo(demo):
    path = demo[0] / "Trích biên bản năm 2023.docx"
    text = all_text(path)
    assert "TRÍCH BIÊN BẢN" in text and "T/M CHI BỘ" in text and "Nơi nhận:" in text
    assert "- Đảng ủy xã Song Phượng (báo cáo)," in text and "- Lưu Chi bộ." in text
    assert ("Trích từ biên bản hội nghị ngày 29/11/2023 của Chi bộ Trường Mầm non Song Phượng; biên bản đã được hội "
            "nghị thông qua với 22/22 đồng chí nhất trí (100%).") in text
    collectives = member_rows(table_with(path, "Tập thể"))
    assert [(r[1], r[4]) for r in collectives] == [("Tập thể lãnh đạo Trường Mầm non Song Phượng", "HTXSNV"),
                                                   ("Chi ủy Chi bộ Trường Mầm non Song Phượng", "HTTNV"),
                                                   ("Chi bộ Trường Mầm non Song Phượng", "HTTNV")]
    members = member_rows(table_with(path, "Chức vụ"))
    assert len(members) == 22 and members[0][3] == "19/22\n86,36%" and members[0][4] == "HTXSNV"


def test_the_report_summary_list_is_the_summary_sheet(demo):
    path = demo[0] / "Báo cáo kết quả năm 2023.docx"
    text = all_text(path)
    assert "BÁO CÁO" in text and "Số ……-BC/CB" in text and "III. ĐỀ NGHỊ" in text
    assert ("Chi bộ Trường Mầm non Song Phượng đề nghị Đảng ủy xã Song Phượng xem xét, quyết định xếp loại chất lượng "
            "chi bộ, tập thể và đảng viên theo kết quả trên (có danh sách tổng hợp kèm theo).") in text
    totals = member_rows(table_with(path, "Mức xếp loại chất lượng")) or [
        [c.text for c in r.cells] for r in table_with(path, "Mức xếp loại chất lượng").rows[1:]]
    assert ["Hoàn thành xuất sắc nhiệm vụ", "04", "18,18%"] in totals and ["Cộng", "22", "100%"] in totals
    case = read_case(EXAMPLE)
    sheet = summary_rows(case, compute(case))
    annex = member_rows(table_with(path, "Xếp loại CBCCVC"))
    assert [(r[1], r[2], r[3], r[4], r[5], r[7]) for r in annex] == [
        (s["name"], s["membership"], s["role"], s["civil_service_level"], s["self_level"], s["proposed_level"])
        for s in sheet]


# --------------------------------------------------------------------------- 2026: QĐ 366, scores, hands


def test_the_2026_demo_writes_the_forms_and_no_vote_count_minutes(demo2026):
    out, stdout = demo2026
    for name in ("Biên bản hội nghị năm 2026.docx", "Phiếu đánh giá năm 2026.docx", "Trích biên bản năm 2026.docx",
                 "Báo cáo kết quả năm 2026.docx", "Mẫu tự đánh giá năm 2026.docx"):
        assert (out / name).exists() and name in stdout, name
    assert not (out / "Biên bản kiểm phiếu năm 2026.docx").exists()
    assert "Biên bản kiểm phiếu: Hội nghị không bỏ phiếu" in stdout


def test_2026_minutes_show_scores_groups_and_the_show_of_hands(demo2026):
    path = demo2026[0] / "Biên bản hội nghị năm 2026.docx"
    text = all_text(path)
    assert ("Đồng chí Nguyễn Thị Thủy (Bí thư Chi bộ, Hiệu trưởng; Mẫu 2A): tự chấm 93/100 điểm, tự nhận mức Hoàn "
            "thành xuất sắc nhiệm vụ; chi bộ chấm 92,5/100 điểm; biểu quyết giơ tay 18/18 đồng chí tán thành (100%); "
            "chi bộ đề xuất mức Hoàn thành xuất sắc nhiệm vụ.") in text
    assert "biểu quyết giơ tay 16/18 đồng chí tán thành (88,89%), 02 đồng chí không tán thành" in text
    assert ("Nhóm cán bộ lãnh đạo, quản lý (Mẫu 2A): 01 đồng chí đề xuất Hoàn thành xuất sắc nhiệm vụ, 02 đồng chí "
            "Hoàn thành tốt nhiệm vụ, vượt 20% số Hoàn thành tốt nhiệm vụ của nhóm") in text
    assert "Hội nghị thống nhất giữ nguyên đề xuất theo điểm, báo cáo Đảng ủy xã Ô Diên xem xét, quyết định" in text
    assert "Thực hiện Hướng dẫn số 43-HD/BTCTW" in text and text.count("43-HD/BTCTW") == 1
    # What was typed at the meeting is printed as typed.
    assert "Ý kiến thảo luận, góp ý: Các ý kiến thống nhất với báo cáo; đề nghị bổ sung kết quả chuyển đổi số" in text
    assert "Nhận xét của chi bộ: Đồng chí gương mẫu, chỉ đạo quyết liệt" in text
    assert ("Đồng chí Nguyễn Thị Thủy kết luận hội nghị: Chi bộ phát huy kết quả năm 2026; năm 2027 tập trung nâng chất "
            "lượng sinh hoạt chi bộ") in text
    # Caps and members not reviewed, with the reason, in the notes.
    assert ("Đồng chí Trần Thị Hồng Nhung: điểm thuộc khung Hoàn thành xuất sắc nhiệm vụ nhưng vượt yêu cầu 25% nhiệm vụ "
            "của đơn vị, lĩnh vực phụ trách (Hoàn thành xuất sắc nhiệm vụ cần từ 30%), nên chi bộ đề xuất Hoàn thành tốt "
            "nhiệm vụ;") in text
    assert ("Đồng chí Nguyễn Thị Minh Hằng: điểm thuộc khung Hoàn thành tốt nhiệm vụ nhưng có 10% nhiệm vụ chậm tiến độ "
            "(Hoàn thành tốt nhiệm vụ cần 100% đúng tiến độ, có chất lượng), nên") in text, "only the reason of this cap"
    assert "Đồng chí Chu Thị Vân không đánh giá, xếp loại: kết nạp chưa đủ 6 tháng (ngày 02/09/2026)." in text
    for word in JARGON + ("cộng dồn",):
        assert word not in text, word


def test_2026_annex_has_the_group_and_score_columns(demo2026):
    path = demo2026[0] / "Biên bản hội nghị năm 2026.docx"
    annex = table_with(path, "Điểm tự chấm")
    header = [c.text for c in annex.rows[0].cells]
    assert header[4:10] == ["Nhóm", "Điểm tự chấm", "Tự nhận mức", "Điểm chi bộ chấm",
                            "Tán thành (so với 18 đảng viên chính thức)", "Chi bộ đề xuất mức"]
    rows = {r[1]: r for r in member_rows(annex)}
    assert rows["Nguyễn Thị Thủy"][4:10] == ["2A", "93", "HTXSNV", "92,5", "18/18\n100%", "HTXSNV"]
    assert rows["Lưu Thị Nga"][4] == "2C"
    assert rows["Chu Thị Vân"][9:] == ["Không xếp loại", "Không đánh giá, xếp loại: kết nạp chưa đủ 6 tháng (ngày 02/09/2026)"]
    collective = table_with(path, "Tự đánh giá, xếp loại")
    cells = {r.cells[0].text: r.cells[1].text for r in collective.rows}
    assert cells["Điểm chi bộ thẩm định"].startswith("91/100 điểm (tiêu chí chung 28/30; kết quả thực hiện nhiệm vụ 63/70)")
    assert cells["Kết quả biểu quyết"] == ("Giơ tay: 18/18 đồng chí tán thành mức Hoàn thành xuất sắc nhiệm vụ (100%).")


def test_2026_report_and_extract_carry_groups_and_scores(demo2026):
    out, _ = demo2026
    report = member_rows(table_with(out / "Báo cáo kết quả năm 2026.docx", "Xếp loại CBCCVC"))
    thuy = next(r for r in report if r[1] == "Nguyễn Thị Thủy")
    assert thuy[4:11] == ["2A", "HTXSNV", "HTXSNV", "93", "92,5", "HTXSNV 18/18", "HTXSNV"]
    van = next(r for r in report if r[1] == "Chu Thị Vân")
    assert "Không đánh giá" in van[-1]
    extract = member_rows(table_with(out / "Trích biên bản năm 2026.docx", "Nhóm"))
    assert next(r for r in extract if r[1] == "Nguyễn Thị Thủy")[3:6] == ["2A", "92,5 điểm", "HTXSNV"]


def test_2026_forms_are_prefilled_cover_pages_to_sign(demo2026):
    path = demo2026[0] / "Mẫu tự đánh giá năm 2026.docx"
    text = all_text(path)
    codes = [line for line in text.splitlines() if line.startswith("Mẫu ") and line.endswith("KĐ.ĐG 2025")]
    assert codes == ["Mẫu 01-HD KĐ.ĐG 2025"] * 3 + ["Mẫu 2A-HD KĐ.ĐG 2025"] * 3 + ["Mẫu 2B-HD KĐ.ĐG 2025"] * 15 + [
        "Mẫu 2C-HD KĐ.ĐG 2025"], "Mẫu 01 for the three collectives, then one form per reviewed member"
    assert text.count("(Cá nhân giữ chức vụ lãnh đạo, quản lý)") == 3
    assert text.count("(Đảng viên không làm việc trong hệ thống chính trị)") == 1
    assert "Chu Thị Vân" not in text, "no form for a member not reviewed"
    assert "đảng viên tự viết theo Mẫu 2B-HD KĐ.ĐG 2025" in text, "the narrative is written by the member"
    thuy = text.split("Họ và tên: Nguyễn Thị Thủy")[1].split("NGƯỜI TỰ KIỂM ĐIỂM")[0]
    for line in ("1. Nhóm tiêu chí chung: 28/30 điểm", "2. Nhóm tiêu chí về kết quả thực hiện nhiệm vụ: 65/70 điểm",
                 "Tổng điểm: 93/100 điểm", "Phụ lục 3, Quy định số 366-QĐ/TW"):
        assert line in thuy, line
    d = docx.Document(str(path))
    marks = [t for t in d.tables if t.rows[0].cells[0].text == "Mức xếp loại chất lượng"]
    assert len(marks) == 22
    assert [r.cells[1].text for r in marks[3].rows[1:]] == ["X", "", "", ""], "Thủy proposes herself HTXSNV"


def test_forms_and_count_minutes_exist_only_where_they_apply():
    c2023, c2026 = read_case(EXAMPLE), read_case(EXAMPLE_2026)
    r2023, r2026 = compute(c2023), compute(c2026)
    assert not_applicable("forms", c2023, r2023).startswith("Mẫu tự chấm điểm (Mẫu 01, 2A, 2B, 2C) chỉ dùng theo")
    assert not_applicable("forms", c2026, r2026) == "" and not_applicable("count-minutes", c2023, r2023) == ""
    assert "không có biên bản kiểm phiếu" in not_applicable("count-minutes", c2026, r2026)
    with pytest.raises(DocumentNotApplicable):
        export("count-minutes", c2026, r2026, "never-written.docx")
    assert not Path("never-written.docx").exists()


# --------------------------------------------------------------------------- notice, profiles, CLI


def test_the_notice_is_refused_without_decisions_and_written_with_them(tmp_path):
    proc = run("notice", EXAMPLE, "--out", str(tmp_path / "tb.docx"))
    assert proc.returncode == 1 and "Chưa có mức xếp loại do cấp ủy quyết định" in proc.stderr
    assert not (tmp_path / "tb.docx").exists()
    data = json.loads(Path(ROOT / EXAMPLE).read_text(encoding="utf-8"))
    for m in data["members"]:
        m["decided_level"] = m["self_level"]
        m["decision_ref"] = "112-QĐ/ĐU"
    data["members"][1]["decided_level"] = "HTTNV"
    decided = tmp_path / "decided.json"
    decided.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    proc = run("notice", str(decided), "--out", str(tmp_path / "tb.docx"))
    assert proc.returncode == 0, proc.stderr
    text = all_text(tmp_path / "tb.docx")
    assert "THÔNG BÁO" in text and "Căn cứ Quyết định số 112-QĐ/ĐU của Đảng ủy xã Song Phượng" in text
    rows = member_rows(table_with(tmp_path / "tb.docx", "Mức xếp loại"))
    assert rows[1][1:5] == ["Trần Thị Hồng Nhung", "Phó Bí thư Chi bộ, Phó Hiệu trưởng", "HTTNV", "Chi bộ đề xuất HTXSNV"]
    assert "Hoàn thành xuất sắc nhiệm vụ: 03 đồng chí (13,64%)" in text


def test_the_format_profile_is_chosen_per_meeting(tmp_path):
    case = read_case(EXAMPLE)
    hd05 = replace(case, meeting=replace(case.meeting, format_profile="hd05_2026"))
    written, _ = export("minutes", hd05, compute(hd05), tmp_path / "bb.docx")
    d = docx.Document(str(written))
    assert d.styles["Minutes Body"].paragraph_format.line_spacing.pt == 19
    assert "Song Phượng, ngày 29 tháng 11 năm 2023" not in all_text(written), "no place-date line (reported HD 05)"
    assert templates_dir("hd05_2026") == templates_dir() / "hd05_2026"
    default, _ = export("minutes", case, compute(case), tmp_path / "bb36.docx")
    assert docx.Document(str(default)).styles["Minutes Body"].paragraph_format.line_spacing.pt == 18
    bad = replace(case, meeting=replace(case.meeting, format_profile="hd99"))
    with pytest.raises(ValueError, match="không có hồ sơ định dạng \"hd99\"; chọn một trong: hd05_2026, hd36_2018"):
        export("minutes", bad, compute(bad), tmp_path / "x.docx")


def test_new_commands_have_vietnamese_help():
    for command, words in (("extract", "trích biên bản"), ("report", "báo cáo kết quả"), ("forms", "Mẫu 01"),
                           ("notice", "thông báo kết quả"), ("ballots", "--copies")):
        proc = run(command, "--help")
        assert proc.returncode == 0 and words in proc.stdout.replace("\n", " "), command


def test_names_with_markup_characters_and_nfd_text_come_out_exact_in_nfc(tmp_path):
    case = read_case(EXAMPLE)
    odd = 'Đinh Thị "Quỳnh" & <Bé>'
    nfd = unicodedata.normalize("NFD", odd)
    members = list(case.members)
    members[19] = replace(members[19], name=nfd, note="Phụ trách <khối Lá> & \"Mầm\"", opinions="Góp ý: <b>tốt</b> & đều")
    grid = case.member_votes
    order = list(grid.order)
    order[19] = nfd
    case = replace(case, members=tuple(members), member_votes=replace(grid, order=tuple(order)))
    for kind in ("minutes", "report"):
        written, _ = export(kind, case, compute(case), tmp_path / f"{kind}.docx")
        text = all_text(written)
        assert odd in text and nfd not in text
        assert 'Phụ trách <khối Lá> & "Mầm"' in text
    assert "Ý kiến góp ý: Góp ý: <b>tốt</b> & đều" in all_text(tmp_path / "minutes.docx")


def test_typed_text_cannot_restructure_the_document(tmp_path):
    case = read_case(EXAMPLE)
    meeting = replace(case.meeting, conclusion="Kết luận\fngắt trang\ađoạn mới")
    case = replace(case, meeting=meeting)
    d = docx.Document(str(export("minutes", case, compute(case), tmp_path / "bb.docx")[0]))
    assert any(p.text.endswith("Kết luận ngắt trang đoạn mới") for p in d.paragraphs)


def test_documents_are_never_overwritten_and_errors_stop_the_export(tmp_path):
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
    assert ctx["attendance"] == ["- Tổng số đảng viên của chi bộ: 22 đồng chí (đều là đảng viên chính thức);",
                                 "- Có mặt: 22/22 đồng chí (đạt 100%);", "- Vắng mặt: không."]
    assert ctx["annex"]["rows"][12]["p2"] == "77,27%" and ctx["annex"]["scores"] is False
    vice = replace(case, meeting=replace(case.meeting, chair=replace(case.meeting.chair, title="Phó Bí thư Chi bộ")))
    assert build_context(vice, compute(vice))["signature"]["right_title"] == "PHÓ BÍ THƯ"


def test_an_absent_member_is_reviewed_later_and_said_so(tmp_path):
    case = read_case(EXAMPLE_2026)
    members = list(case.members)
    members[5] = replace(members[5], attendance=members[5].attendance.parse("vang_co_ly_do"), absence_reason="ốm")
    case = replace(case, members=tuple(members))
    result = compute(case)
    assert "MEMBER_ABSENT_REVIEW" in {f.code for f in result.findings}
    ctx = build_context(case, result)
    assert "- Vắng mặt: 01 đồng chí (có lý do 01, không lý do 0), gồm:" in ctx["attendance"]
    notes = next(s for s in ctx["sections"] if s["is_members"])["notes"]
    assert any(n.startswith("Đồng chí Vũ Thị Ngọc Ánh vắng mặt (ốm): kiểm điểm bổ sung khi trở lại, trước khi Đảng ủy "
                            "xã Ô Diên quyết định xếp loại") for n in notes)
    assert result.member("Vũ Thị Ngọc Ánh").proposed_level is Level.HTTNV, "still ranked, reviewed again later"
