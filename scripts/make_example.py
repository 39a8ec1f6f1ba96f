"""Regenerate the built-in example case (the seed meeting of Chi bộ Trường Mầm non Song Phượng, 2023).

Facts from the news report (shared reference seed article): the afternoon of 29/11/2023, under
124-QĐ/TW, Kế hoạch 128-KH/TU and 45-KH/ĐU; guest Nguyễn Thị Kim Huế; chair Nguyễn Thị Thủy,
Bí thư; 22 members; 100% voted the chi bộ HTTNV; 4 members HTXSNV and 18 HTTNV. The other names
and the individual ballots are invented (seeded, so the file is reproducible) and realistic:
not unanimous, with one spoiled line.

Usage: python scripts/make_example.py [OUT.json]
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "xlwings_addin" / "examples" / "song-phuong-2023.json"

# (name, role, leadership, seed level)
MEMBERS = [
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

def ballots(rng: random.Random) -> list[dict]:
    out = []
    n = len(MEMBERS)
    for b in range(n):
        marks = []
        for name, _role, _lead, seed in MEMBERS:
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


def build() -> dict:
    rng = random.Random(20231129)
    members = []
    for name, role, lead, seed in MEMBERS:
        perf = None
        if seed == "HTXSNV":
            perf = {"criteria_grade": "tot", "results_grade": "xuat_sac", "tasks_completed_pct": 100,
                    "tasks_exceeded_pct": 60}
        members.append({
            "name": name, "membership": "chinh_thuc", "role": role, "admission_date": None,
            "attendance": "co_mat", "leadership": lead, "self_level": seed, "performance": perf,
            "civil_service_level": seed,
        })
    return {
        "format": "xeploai-case",
        "version": 1,
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
        },
        "rules": {"id": None, "settings": {}},
        "party_cell": {"self_level": "HTTNV"},
        "members": members,
        "member_ballots": {
            "mode": "grid",
            "issued": len(MEMBERS),
            "order": [m[0] for m in MEMBERS],
            "ballots": ballots(rng),
        },
        "party_cell_ballots": {"mode": "grid", "marks": [2] * len(MEMBERS), "invalid": [False] * len(MEMBERS)},
    }


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUT
    out.write_text(json.dumps(build(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
