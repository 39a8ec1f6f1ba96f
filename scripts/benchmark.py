"""Benchmark: the core, reading from file, the macro's Excel round trips and the minutes, at 300 x 300.

Usage: python scripts/benchmark.py [--members 300] [--ballots 300] [--repeat 5]
Prints the median of each timing. Nothing here is asserted by the tests: the figures are for people.
"""

from __future__ import annotations

import argparse
import os
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # test key of the remote engine (PolyForm NC)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from xlwings_addin.engine import compute  # noqa: E402
from xlwings_addin.core.levels import Level  # noqa: E402
from xlwings_addin.core.models import Ballot, BallotGrid, Case, CellBallots, Meeting, Member, PartyCell, Person, Spoiled  # noqa: E402
from xlwings_addin.excel.template import build_workbook  # noqa: E402
from xlwings_addin.io.casefile import read_case, write_case  # noqa: E402
from xlwings_addin.io.tables import case_from_tables  # noqa: E402
from xlwings_addin.io.workbook import read_tables, read_workbook  # noqa: E402


def make_case(n_members: int, n_ballots: int, seed: int = 1) -> Case:
    rnd = random.Random(seed)
    members = tuple(Member(name=f"Đảng viên số {i + 1:03d}", role="Giáo viên") for i in range(n_members))
    choices = [Level.HTTNV] * 7 + [Level.HTXSNV, Level.HTNV, Spoiled.SPOILED]
    ballots = tuple(Ballot(id=str(j + 1), marks=tuple(rnd.choice(choices) for _ in members), invalid=(j % 50 == 7))
                    for j in range(n_ballots))
    meeting = Meeting(review_year=2025, date=date(2025, 12, 5), party_cell="Chi bộ Thử tải", upper_body="Đảng bộ xã A",
                      upper_committee="Đảng ủy xã A", locality="A", chair=Person("Nguyễn Văn A", "Bí thư Chi bộ"),
                      secretary=Person("Trần Thị B"), vote_counters=(Person("Lê C", "Trưởng ban"),))
    return Case(meeting=meeting, members=members, member_votes=BallotGrid(tuple(m.name for m in members), ballots),
                party_cell=PartyCell(votes=CellBallots((Level.HTTNV,) * n_ballots)))


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--ballots", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    n, b, k = args.members, args.ballots, args.repeat
    case = make_case(n, b)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        book = build_workbook(tmp / "bench.xlsm", case, None)
        case_json = tmp / "bench.json"
        write_case(case, case_json)
        rows.append(("core: compute (in memory)", median_time(lambda: compute(case), k)))
        rows.append(("workbook: read the input blocks only", median_time(lambda: read_tables(book), k)))
        rows.append(("workbook: read + build the case", median_time(lambda: case_from_tables(read_tables(book)), k)))
        rows.append(("workbook: read + compute (compute BOOK.xlsm)", median_time(lambda: compute(read_workbook(book)), k)))
        rows.append(("case file: read only (json)", median_time(lambda: json.loads(case_json.read_text(encoding='utf-8')), k)))
        rows.append(("case file: read + compute", median_time(lambda: compute(read_case(case_json)), k)))
        result = compute(case)
        from xlwings_addin.documents.export import export

        rows.append(("minutes: render .docx", median_time(lambda: export("minutes", case, result, tmp / "bb.docx"), max(1, k // 2))))
        rows.append(("template: build the filled workbook", median_time(lambda: build_workbook(tmp / "again.xlsm", case, result), 1)))
        calls = {}
        try:
            import os

            os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
            import xlwings as xw
            from xlsupport import count_calls, payload_from_workbook

            from xlwings_addin.excel.macros import run

            for size in (22, n):
                path = build_workbook(tmp / f"m{size}.xlsm", make_case(size, min(size, b)), None)
                xb = xw.Book(json=payload_from_workbook(path))
                t = time.perf_counter()
                run(xb)
                calls[size] = (dict(count_calls(xb.json()["actions"])), time.perf_counter() - t)
        except Exception as exc:  # the remote engine needs xlwings' PRO code and its test key
            calls = {"skipped": str(exc)}
    print(f"Benchmark: {n} members x {b} ballots, median of {k} runs")
    for label, seconds in rows:
        print(f"  {label:<48} {seconds * 1000:9.1f} ms")
    print("Macro run(book) through xlwings' remote engine (Excel round trips by kind):")
    for size, value in calls.items():
        print(f"  {size} members: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
