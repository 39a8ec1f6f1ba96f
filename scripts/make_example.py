"""Regenerate the built-in example cases.

1. ``song-phuong-2023.json``: the seed meeting of Chi bộ Trường Mầm non Song Phượng (QĐ 124).
   Facts from the news report (shared reference seed article): the afternoon of 29/11/2023, under
   124-QĐ/TW, Kế hoạch 128-KH/TU and 45-KH/ĐU; guest Nguyễn Thị Kim Huế; chair Nguyễn Thị Thủy,
   Bí thư, who presented the report on the chi ủy; 22 members; 100% voted the chi bộ HTTNV; 4
   members HTXSNV and 18 HTTNV. The other names, the individual ballots (seeded, reproducible;
   not unanimous, one spoiled line), the times of the day and the results of the two collectives
   (the chi ủy and the school's leadership) are invented and plausible; the example's note says so.
2. ``song-phuong-2026.json``: the same school under QĐ 366 for the 2026 review held now, after the
   2025 restructuring (no district level; the chi bộ is a chi bộ trực thuộc of a commune đảng ủy,
   which decides). Everything in it is illustrative: leaders on Mẫu 2A with quarterly results,
   teachers and staff on 2B, a retired member on 2C, a probationary member, a member admitted too
   recently to be reviewed, a self-score above the chi bộ's score, a member held back by a
   condition, and a show of hands confirming the scores' levels.

Usage: python scripts/make_example.py [--check]
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "xlwings_addin" / "examples"

# (name, role, leadership, seed level)
MEMBERS_2023 = [
    ("Nguyễn Thị Thủy", "Bí thư Chi bộ, Hiệu trưởng", True, "HTXSNV"),
    ("Trần Thị Hồng Nhung", "Phó Bí thư Chi bộ, Phó Hiệu trưởng", True, "HTXSNV"),
    ("Lê Thị Mai Anh", "Chi ủy viên, Phó Hiệu trưởng", True, "HTTNV"),
    ("Phạm Thị Thu Hà", "Tổ trưởng chuyên môn khối 5 tuổi", False, "HTXSNV"),
    ("Hoàng Thị Lan", "Giáo viên", False, "HTTNV"),
    ("Vũ Thị Ngọc Ánh", "Giáo viên", False, "HTTNV"),
    ("Đỗ Thị Hương", "Giáo viên", False, "HTTNV"),
    ("Bùi Thị Thanh Tâm", "Tổ trưởng chuyên môn khối 4 tuổi", False, "HTXSNV"),
    ("Ngô Thị Phương", "Giáo viên", False, "HTTNV"),
    ("Dương Thị Bích Ngọc", "Giáo viên", False, "HTTNV"),
    ("Đặng Thị Thu Trang", "Giáo viên", False, "HTTNV"),
    ("Nguyễn Thị Minh Hằng", "Giáo viên", False, "HTTNV"),
    ("Trịnh Thị Yến", "Kế toán", False, "HTTNV"),
    ("Phan Thị Diệu Linh", "Giáo viên", False, "HTTNV"),
    ("Lý Thị Hạnh", "Giáo viên", False, "HTTNV"),
    ("Nguyễn Văn Khánh", "Nhân viên y tế", False, "HTTNV"),
    ("Mai Thị Thảo", "Giáo viên", False, "HTTNV"),
    ("Tạ Thị Huyền", "Giáo viên", False, "HTTNV"),
    ("Kiều Thị Oanh", "Giáo viên", False, "HTTNV"),
    ("Đinh Thị Quỳnh", "Giáo viên", False, "HTTNV"),
    ("Chu Thị Vân", "Giáo viên", False, "HTTNV"),
    ("Lưu Thị Nga", "Văn thư", False, "HTTNV"),
]
LEADERS = ["Nguyễn Thị Thủy", "Trần Thị Hồng Nhung", "Lê Thị Mai Anh"]


def ballots(rng: random.Random) -> list[dict]:
    out = []
    n = len(MEMBERS_2023)
    for b in range(n):
        marks = []
        for name, _role, _lead, seed in MEMBERS_2023:
            r = rng.random()
            if seed == "HTXSNV":
                mark = 1 if r < 0.8 else 2
            else:
                mark = 2 if r < 0.88 else (1 if r < 0.96 else 3)
            marks.append(mark)
        out.append({"id": f"{b + 1:02d}", "invalid": False, "voter": "", "marks": marks})
    # One ballot ticked two levels for one member: a spoiled line, typed as "x".
    out[7]["marks"][12] = "x"
    return out


def seed_2023() -> dict:
    rng = random.Random(20231129)
    members = []
    for name, role, lead, seed in MEMBERS_2023:
        row = {"name": name, "membership": "chinh_thuc", "role": role, "admission_date": None, "attendance": "co_mat"}
        if lead:
            row["leadership"] = True
        row["self_level"] = seed
        if seed == "HTXSNV":
            row["performance"] = {"criteria_grade": "tot", "results_grade": "xuat_sac", "tasks_completed_pct": 100,
                                  "tasks_exceeded_pct": 60}
        row["civil_service_level"] = seed
        members.append(row)
    n = len(MEMBERS_2023)
    return {
        "format": "xeploai-case",
        "version": 2,
        "note": ("Ví dụ theo bài báo về hội nghị ngày 29/11/2023 của Chi bộ Trường Mầm non Song Phượng: ngày họp, căn cứ, đại biểu, "
                 "chủ trì, 22 đảng viên, chi bộ Hoàn thành tốt nhiệm vụ 22/22, 04 Hoàn thành xuất sắc nhiệm vụ và 18 Hoàn thành tốt "
                 "nhiệm vụ là số liệu của bài báo. Họ tên các đảng viên khác, từng lá phiếu, giờ họp và kết quả của chi ủy, tập thể "
                 "lãnh đạo nhà trường là giả định (bài báo không nêu)."),
        "meeting": {
            "review_year": 2023,
            "date": "2023-11-29",
            "party_cell": "Chi bộ Trường Mầm non Song Phượng",
            "upper_body": "Đảng bộ xã Song Phượng",
            "upper_committee": "Đảng ủy xã Song Phượng",
            "locality": "Song Phượng",
            "place": "Phòng họp Trường Mầm non Song Phượng",
            "start_time": "14:00",
            "end_time": "17:00",
            "chair": {"name": "Nguyễn Thị Thủy", "title": "Bí thư Chi bộ"},
            "secretary": {"name": "Lê Thị Mai Anh", "title": "Chi ủy viên"},
            "guests": [{"name": "Nguyễn Thị Kim Huế", "title": "Phó Chủ tịch UBND xã Song Phượng"}],
            "vote_counters": [
                {"name": "Đỗ Thị Hương", "title": "Trưởng ban"},
                {"name": "Trịnh Thị Yến", "title": "Ủy viên"},
                {"name": "Nguyễn Văn Khánh", "title": "Ủy viên"},
            ],
            "voting_method": "bỏ phiếu kín",
            "legal_basis": [
                "Quy định số 124-QĐ/TW, ngày 04/10/2023 của Bộ Chính trị về kiểm điểm và đánh giá, xếp loại chất lượng hằng năm đối với tập thể, cá nhân trong hệ thống chính trị",
                "Kế hoạch số 128-KH/TU, ngày 20/11/2023 của Ban Thường vụ Huyện ủy Đan Phượng",
                "Kế hoạch số 45-KH/ĐU, ngày 23/11/2023 của Đảng ủy xã Song Phượng về việc kiểm điểm, đánh giá, xếp loại chất lượng hằng năm đối với tổ chức đảng, đảng viên và tập thể, cá nhân cán bộ lãnh đạo, quản lý",
            ],
            "document_number": "",
            "special_unit": False,
            "report_presenter": "Nguyễn Thị Thủy",
            "program_agree": n,
            "counters_agree": n,
            "count_start_time": "16:00",
            "count_end_time": "16:35",
            "adopted_time": "16:55",
            "adopted_agree": n,
        },
        "rules": {"id": None, "settings": {}},
        "party_cell": {"self_level": "HTTNV", "order": 4,
                       "ballots": {"mode": "grid", "marks": [2] * n, "invalid": [False] * n}},
        "collectives": [
            {"kind": "lanh_dao_don_vi", "name": "Tập thể lãnh đạo Trường Mầm non Song Phượng", "members": LEADERS,
             "decider": "Ủy ban nhân dân xã Song Phượng", "self_level": "HTXSNV", "order": 1,
             "performance": {"criteria_grade": "tot", "results_grade": "xuat_sac", "tasks_completed_pct": 100,
                             "tasks_exceeded_pct": 55},
             "ballots": {"mode": "grid", "marks": [1] * 18 + [2] * 4, "invalid": [False] * n}},
            {"kind": "chi_uy", "name": "Chi ủy Chi bộ Trường Mầm non Song Phượng", "members": LEADERS,
             "self_level": "HTTNV", "order": 3,
             "ballots": {"mode": "grid", "marks": [2] * 20 + [1] * 2, "invalid": [False] * n}},
        ],
        "members": members,
        "member_ballots": {
            "mode": "grid",
            "issued": n,
            "order": [m[0] for m in MEMBERS_2023],
            "ballots": ballots(rng),
        },
    }


# --------------------------------------------------------------------------- 2026 under QĐ 366

def _score(total: float, results_share: float = 0.7) -> tuple[float, float]:
    results = round(total * results_share * 2) / 2  # half points, as score sheets are usually typed
    return round(total - results, 2), results


def _member_2026(name, role, group, self_total, total, *, tasks=(12, 12, 12, 4, 0), lead=False, civil="HTTNV",
                 self_level=None, **extra) -> dict:
    sc, sr = _score(self_total)
    cc, cr = _score(total)
    assigned, done, on_time, exceeded, late = tasks
    row = {"name": name, "membership": extra.pop("membership", "chinh_thuc"), "role": role,
           "admission_date": extra.pop("admission_date", None), "attendance": "co_mat", "group": group}
    if lead:
        row["leadership"] = True
    row["self_level"] = self_level
    row["performance"] = {"self_score_common": sc, "self_score_results": sr, "score_common": cc, "score_results": cr,
                          "shortcomings_remedied": True,
                          "tasks": {"assigned": assigned, "done": done, "on_time": on_time, "exceeded": exceeded, "late": late}}
    if civil:
        row["civil_service_level"] = civil
    row["residence_comment"] = True
    row.update(extra)
    return row


def example_2026() -> dict:
    T = "Giáo viên"
    members = [
        _member_2026("Nguyễn Thị Thủy", "Bí thư Chi bộ, Hiệu trưởng", "2A", 93, 92.5, tasks=(14, 14, 14, 6, 0), lead=True,
                     civil="HTXSNV", self_level="HTXSNV",
                     leader={"unit_tasks": {"assigned": 24, "done": 24, "on_time": 24, "exceeded": 9, "late": 0},
                             "units_led": 3, "units_led_khtnv": 0, "quarters": ["HTTNV", "HTXSNV", "HTXSNV"]},
                     opinions="Chỉ đạo nhà trường hoàn thành vượt các chỉ tiêu năm học 2025-2026; cần tăng cường kiểm tra nội bộ.",
                     comment="Đồng chí gương mẫu, chỉ đạo quyết liệt; nhà trường đạt danh hiệu Tập thể lao động xuất sắc."),
        _member_2026("Trần Thị Hồng Nhung", "Phó Bí thư Chi bộ, Phó Hiệu trưởng", "2A", 91, 90.5, tasks=(12, 12, 12, 4, 0),
                     lead=True, civil="HTTNV", self_level="HTXSNV",
                     leader={"unit_tasks": {"assigned": 16, "done": 16, "on_time": 16, "exceeded": 4, "late": 0},
                             "quarters": ["HTTNV", "HTTNV", "HTTNV"]},
                     comment="Lĩnh vực phụ trách chuyên môn mới có 04/16 nhiệm vụ vượt yêu cầu (25%, chưa đạt 30%)."),
        _member_2026("Lê Thị Mai Anh", "Chi ủy viên, Phó Hiệu trưởng", "2A", 88, 87, tasks=(10, 10, 10, 2, 0), lead=True,
                     civil="HTTNV", self_level="HTTNV",
                     leader={"unit_tasks": {"assigned": 12, "done": 12, "on_time": 12, "exceeded": 2, "late": 0},
                             "quarters": ["HTTNV", "HTTNV", "HTTNV"]}),
        _member_2026("Phạm Thị Thu Hà", "Tổ trưởng chuyên môn khối 5 tuổi", "2B", 93, 92, tasks=(12, 12, 12, 5, 0),
                     civil="HTXSNV", self_level="HTXSNV",
                     comment="Có sáng kiến được Hội đồng sáng kiến xã công nhận; 02 trẻ đạt giải hội thi."),
        _member_2026("Hoàng Thị Lan", T, "2B", 86, 85.5),
        _member_2026("Vũ Thị Ngọc Ánh", T, "2B", 84, 84),
        _member_2026("Đỗ Thị Hương", T, "2B", 92, 86, self_level="HTXSNV",
                     comment="Chi bộ chấm 86 điểm: chưa có sản phẩm vượt yêu cầu được công nhận ở cấp xã."),
        _member_2026("Bùi Thị Thanh Tâm", "Tổ trưởng chuyên môn khối 4 tuổi", "2B", 91.5, 91, tasks=(12, 12, 12, 4, 0),
                     civil="HTXSNV", self_level="HTXSNV"),
        _member_2026("Ngô Thị Phương", T, "2B", 82, 82),
        _member_2026("Dương Thị Bích Ngọc", T, "2B", 80, 80),
        _member_2026("Đặng Thị Thu Trang", T, "2B", 83, 82.5),
        _member_2026("Nguyễn Thị Minh Hằng", T, "2B", 79, 78, tasks=(10, 10, 9, 1, 1), self_level="HTTNV",
                     comment="01/10 nhiệm vụ hoàn thành chậm so với kế hoạch (chuyên đề cấp trường)."),
        _member_2026("Trịnh Thị Yến", "Kế toán", "2B", 85, 85),
        _member_2026("Phan Thị Diệu Linh", T, "2B", 81, 81),
        _member_2026("Lý Thị Hạnh", T, "2B", 84, 83),
        _member_2026("Nguyễn Văn Khánh", "Nhân viên y tế", "2B", 80, 80),
        _member_2026("Mai Thị Thảo", T, "2B", 82, 82),
        _member_2026("Tạ Thị Huyền", T, "2B", 78, 78, membership="du_bi", admission_date="2026-03-19"),
        _member_2026("Lưu Thị Nga", "Đảng viên nghỉ hưu (nguyên Văn thư)", "2C", 83, 82, tasks=(4, 4, 4, 1, 0), civil=None,
                     outside_system=True),
        _member_2026("Chu Thị Vân", T, "2B", 0, 0, membership="du_bi", admission_date="2026-09-02"),
    ]
    # The last member was admitted less than 6 months before the meeting: on the roll, not reviewed.
    newest = members[-1]
    newest.pop("performance")
    newest.pop("self_level", None)
    for m in members:
        if m.get("self_level") is None:
            m.pop("self_level", None)
    reviewed = [m["name"] for m in members if m is not newest]
    present = len(members)
    voters = sum(1 for m in members if m["membership"] == "chinh_thuc")
    n = voters
    hands_rows = [{"name": name, "agree": n, "disagree": 0} for name in reviewed]
    hands_rows[6] = {"name": reviewed[6], "agree": n - 2, "disagree": 2}  # two voices for a higher level
    return {
        "format": "xeploai-case",
        "version": 2,
        "note": ("Ví dụ minh họa hội nghị năm 2026 theo Quy định 366-QĐ/TW và Hướng dẫn 43-HD/BTCTW: tên đơn vị hành chính sau "
                 "sắp xếp, số hiệu văn bản của cấp ủy, điểm chấm, số nhiệm vụ và kết quả biểu quyết là giả định."),
        "meeting": {
            "review_year": 2026,
            "date": "2026-12-04",
            "party_cell": "Chi bộ Trường Mầm non Song Phượng",
            "upper_body": "Đảng bộ xã Ô Diên",
            "upper_committee": "Đảng ủy xã Ô Diên",
            "locality": "Ô Diên",
            "place": "Phòng họp Trường Mầm non Song Phượng",
            "start_time": "08:00",
            "end_time": "16:30",
            "chair": {"name": "Nguyễn Thị Thủy", "title": "Bí thư Chi bộ"},
            "secretary": {"name": "Lê Thị Mai Anh", "title": "Chi ủy viên"},
            "guests": [{"name": "Đỗ Văn Tuấn", "title": "Đảng ủy viên, phụ trách chi bộ"}],
            "vote_counters": [],
            "voting_method": "biểu quyết giơ tay",
            "legal_basis": [
                "Quy định số 366-QĐ/TW, ngày 30/8/2025 của Bộ Chính trị về kiểm điểm, đánh giá, xếp loại chất lượng hằng năm đối với tập thể, cá nhân trong hệ thống chính trị",
                "Hướng dẫn số 43-HD/BTCTW, ngày 31/10/2025 của Ban Tổ chức Trung ương",
                "Kế hoạch số 27-KH/ĐU, ngày 10/11/2026 của Đảng ủy xã Ô Diên về kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên và tập thể, cá nhân cán bộ lãnh đạo, quản lý năm 2026",
            ],
            "document_number": "",
            "special_unit": False,
            "report_circulated": "2026-11-27",
            "report_presenter": "Nguyễn Thị Thủy",
            "report_opinions": ("Các ý kiến thống nhất với báo cáo; đề nghị bổ sung kết quả chuyển đổi số trong quản lý trẻ và nêu rõ "
                                "nguyên nhân chậm triển khai chuyên đề cấp trường."),
            "conclusion": ("Chi bộ phát huy kết quả năm 2026; năm 2027 tập trung nâng chất lượng sinh hoạt chi bộ, hoàn thành "
                           "chuyển đổi số trong quản lý và khắc phục hạn chế đã chỉ ra."),
            "program_agree": present - 2,
            "adopted_time": "16:15",
            "adopted_agree": present - 2,
            "members_order": 2,
        },
        "rules": {"id": None, "settings": {"proposal_basis": "score_and_vote"}},
        "party_cell": {
            "self_level": "HTTNV", "order": 4, "unit_level": "HTXSNV",
            "performance": {"self_score_common": 27, "self_score_results": 62, "score_common": 27, "score_results": 61.5,
                            "shortcomings_remedied": True,
                            "tasks": {"assigned": 18, "done": 18, "on_time": 18, "exceeded": 5, "late": 0}},
            "ballots": {"mode": "hands", "agree": n, "disagree": 0},
            "opinions": "Thống nhất với báo cáo kiểm điểm của chi bộ (Mẫu 01).",
        },
        "collectives": [
            {"kind": "lanh_dao_don_vi", "name": "Tập thể lãnh đạo Trường Mầm non Song Phượng", "members": LEADERS,
             "decider": "Ủy ban nhân dân xã Ô Diên", "self_level": "HTXSNV", "order": 1,
             "performance": {"self_score_common": 28, "self_score_results": 64, "score_common": 28, "score_results": 63,
                             "shortcomings_remedied": True,
                             "tasks": {"assigned": 24, "done": 24, "on_time": 24, "exceeded": 9, "late": 0}},
             "ballots": {"mode": "hands", "agree": n, "disagree": 0}},
            {"kind": "chi_uy", "name": "Chi ủy Chi bộ Trường Mầm non Song Phượng", "members": LEADERS,
             "self_level": "HTTNV", "order": 3,
             "performance": {"self_score_common": 27, "self_score_results": 61, "score_common": 27, "score_results": 60.5,
                             "shortcomings_remedied": True,
                             "tasks": {"assigned": 10, "done": 10, "on_time": 10, "exceeded": 2, "late": 0}},
             "ballots": {"mode": "hands", "agree": n, "disagree": 0}},
        ],
        "members": members,
        "member_ballots": {"mode": "hands", "rows": hands_rows},
    }


EXAMPLES_BUILT = {"song-phuong-2023.json": seed_2023, "song-phuong-2026.json": example_2026}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, build in EXAMPLES_BUILT.items():
        text = json.dumps(build(), ensure_ascii=False, indent=2) + "\n"
        path = EXAMPLES / name
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(path.relative_to(ROOT))
    if stale:
        print("Ví dụ chưa cập nhật (chạy python scripts/make_example.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
