"""The committee's demo: 12 made-up chi bộ of a commune (QĐ 366, 2026), their workbooks, the aggregation.

Also written: the committee's list of chi bộ with the data code of each signed minutes, and summary
workbooks of four earlier years (made up the same way) so the multi-year columns have something to
show. Every file goes to a fresh name; nothing existing is replaced.
"""

from __future__ import annotations

import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from ..engine import compute
from .generate import make_commune

YEAR = 2026
PAST_YEARS = (2022, 2023, 2024, 2025)


def _build(args) -> str:
    from ..cli import _build_to_free_path

    path, case = args
    return str(_build_to_free_path(Path(path), case, compute(case)))


def build_workbooks(cases, folder: Path, workers: int | None = None) -> list[Path]:
    """Each chi bộ's filled workbook (in parallel: a build takes about 1.5 s)."""
    from .read import cpu_count

    folder.mkdir(parents=True, exist_ok=True)
    jobs = [(str(folder / f"{c.meeting.party_cell}.xlsm"), c) for c in cases]
    n = min(workers or cpu_count(), len(jobs))
    if n <= 1:
        return [Path(_build(j)) for j in jobs]
    with ProcessPoolExecutor(max_workers=n) as ex:
        return [Path(p) for p in ex.map(_build, jobs)]


def past_summaries(cases, folder: Path) -> list[Path]:
    """Made-up summaries of earlier years: a member's level tends to persist (an HTXSNV member often stays so)."""
    from .combine import combine
    from .read import record_from
    from .xlsx import write_summary

    records = [record_from(c, compute(c), f"{c.meeting.party_cell}.xlsm", "workbook") for c in cases]
    out = []
    for year in PAST_YEARS:
        rnd = random.Random(f"past:{year}")
        cells = []
        for rec in records:
            members = []
            for m in rec.members:
                if m.admission_date and int(m.admission_date[:4]) >= year:
                    continue  # not yet a member (or admitted that year)
                stay = 0.65 if m.proposed == "HTXSNV" else 0.85
                level = m.proposed if rnd.random() < stay else rnd.choice(("HTXSNV", "HTTNV", "HTTNV", "HTNV"))
                members.append(replace(m, proposed=level, decided=level, decision_ref=f"{year % 100 + 80}-QĐ/ĐU"))
            rules = "QD366-2025" if year >= 2025 else "QD124-2023" if year >= 2023 else "QD132-2018"
            cells.append(replace(rec, review_year=year, rules_id=rules, members=tuple(members), collectives=()))
        out.append(write_summary(combine(cells), folder / f"Tổng hợp {year}.xlsx"))
    return out


def run_demo_aggregate(out_dir: Path) -> int:
    from ..core.fingerprint import fingerprint
    from ..io.files import write_new_file
    from .run import run_aggregate

    out_dir.mkdir(parents=True, exist_ok=True)
    cases = make_commune(YEAR)
    books = build_workbooks(cases, out_dir / "Sổ các chi bộ")
    # The committee's list: every chi bộ that must report, with the code printed on its signed minutes.
    lines = ["Chi bộ,Mã kiểm tra dữ liệu"] + [f"{c.meeting.party_cell},{fingerprint(c)}" for c in cases]
    expected = write_new_file(("\n".join(lines) + "\n").encode("utf-8"), out_dir / "Danh sách chi bộ phải nộp.csv")
    previous = past_summaries(cases, out_dir / "Các năm trước")
    outcome = run_aggregate([out_dir / "Sổ các chi bộ"], out_dir / f"Tổng hợp {YEAR}.xlsx", expected=str(expected),
                            previous=[str(p) for p in previous], committee="Đảng ủy xã Ô Diên", upper_body="Đảng bộ xã Ô Diên",
                            locality="Ô Diên")
    agg = outcome.aggregate
    print(f"Đã tạo {len(books)} sổ chi bộ, tổng hợp {len(agg.cells)} chi bộ, {sum(len(c.members) for c in agg.cells)} đảng viên.")
    for p in agg.pools:
        flag = f" - VƯỢT, gợi ý giữ {p.max_compliant}" if p.exceeded else ""
        print(f"  {p.label}: HTXSNV {p.proposed}/{p.htt} HTTNV, tối đa {p.limit}{flag}")
    five = sum(1 for h in agg.history.values() if h.five_years)
    print(f"  Đảng viên đủ 5 năm liên tiếp HTXSNV (nếu năm nay được quyết định HTXSNV): {five}")
    print("Đã tạo các tệp:")
    for label, path in (("Bảng tổng hợp", outcome.summary), ("Dự thảo danh sách kèm theo quyết định", outcome.annex),
                        ("Danh sách chi bộ phải nộp", expected), ("Sổ các chi bộ", out_dir / "Sổ các chi bộ")):
        print(f"- {label}: {path}")
    return 0 if agg.cells else 2
