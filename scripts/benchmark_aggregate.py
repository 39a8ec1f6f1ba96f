"""Benchmark of the committee's aggregate: 1,000 chi bộ workbooks of 20-60 members.

Usage: python scripts/benchmark_aggregate.py [--count 1000] [--min 20] [--max 60] [--work DIR] [--workers N]

The workbooks are generated once into a cache folder (default: xeploai-bench-aggregate in the
system's temporary folder) and reused by later runs. Building a filled workbook takes about 1.5 s,
so one workbook is built per roster size, and each of the COUNT files is a copy of the one of its
size whose chi bộ name, member names, số thẻ and appraised scores are changed in the sheet XML
(the same cell editor the write-back command uses): real workbooks that the reader accepts, each
a different chi bộ. Printed: the wall time of the aggregation (read and recompute in parallel,
checks, pooled cap, summary workbook and annex), the sum of the times needed just to read the
files one after another (every sheet by calamine, the bare read; the input blocks; the cases), and
the ratios (ideal: 1 / number of cores). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xlwings_addin.aggregate.generate import sized_cell  # noqa: E402
from xlwings_addin.aggregate.read import cpu_count  # noqa: E402
from xlwings_addin.aggregate.xlsxpatch import patch_bytes  # noqa: E402
from xlwings_addin.io import schema as S  # noqa: E402

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Ngô", "Dương", "Đặng", "Phan")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hạnh", "Khánh", "Lan", "Long", "Mai", "Nam", "Oanh", "Phúc", "Quân",
         "Sơn", "Tâm", "Thảo", "Uyên", "Vân", "Xuân", "Yến")


def _version() -> str:
    """A key of the code that shapes the files: a changed template or schema rebuilds the cache."""
    h = hashlib.sha256()
    for rel in ("xlwings_addin/excel/template.py", "xlwings_addin/io/schema.py", "xlwings_addin/aggregate/generate.py"):
        h.update((ROOT / rel).read_bytes())
    return h.hexdigest()[:16]


def _build_base(args) -> str:
    from xlwings_addin.engine import compute
    from xlwings_addin.excel.template import build_workbook

    size, path = args
    case = sized_cell(size, size, seed=7)
    build_workbook(path, case, compute(case))
    return path


def _variant(args) -> str:
    """Copy the base workbook of a size into a distinct chi bộ: new name, members, ids and scores."""
    k, size, base, out = args
    rnd = random.Random(k)
    meeting = {f"C{S.MEETING_FIELD_ROWS['party_cell'] + 1}": f"Chi bộ thử tải số {k + 1:04d}"}
    roster, scores = {}, {}
    name_col, id_col = S.col(S.ROSTER_INDEX["name"]), S.col(S.ROSTER_INDEX["member_id"])
    sc = S.col(S.SCORE_INDEX["score_results"])
    for i in range(size):
        r = S.FIRST_ROW + i + 1
        roster[f"{name_col}{r}"] = f"{rnd.choice(FAMILY)} {rnd.choice(GIVEN)} {k + 1:04d}-{i + 1:02d}"
        roster[f"{id_col}{r}"] = f"{(k + 1) * 100 + i + 1:08d}"
        if rnd.random() < 0.2:  # a few appraised scores moved inside the HTTNV band: the totals differ per file
            scores[f"{sc}{r}"] = float(rnd.choice((50, 52.5, 55, 57.5)))
    data = patch_bytes(Path(base).read_bytes(), {S.SHEET_MEETING: meeting, S.SHEET_ROSTER: roster, S.SHEET_SCORES: scores})
    Path(out).write_bytes(data)
    return out


def generate(work: Path, count: int, lo: int, hi: int, workers: int) -> list[Path]:
    key = {"count": count, "min": lo, "max": hi, "version": _version()}
    books = work / "books"
    manifest = work / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text(encoding="utf-8")) == key:
        files = sorted(books.glob("*.xlsm"))
        if len(files) == count:
            return files
    books.mkdir(parents=True, exist_ok=True)
    (work / "base").mkdir(parents=True, exist_ok=True)
    for f in books.glob("*.xlsm"):
        f.unlink()
    rnd = random.Random(2026)
    sizes = [rnd.randint(lo, hi) for _ in range(count)]
    needed = sorted(set(sizes))
    t = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as ex:
        bases = dict(zip(needed, ex.map(_build_base, [(s, str(work / "base" / f"base-{s:03d}.xlsm")) for s in needed])))
        print(f"  built {len(needed)} base workbooks in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        jobs = [(k, s, bases[s], str(books / f"cb-{k + 1:04d}.xlsm")) for k, s in enumerate(sizes)]
        list(ex.map(_variant, jobs, chunksize=16))
    print(f"  made {count} chi bộ workbooks in {time.perf_counter() - t:.1f} s")
    manifest.write_text(json.dumps(key), encoding="utf-8")
    return sorted(books.glob("*.xlsm"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--min", type=int, default=20)
    parser.add_argument("--max", type=int, default=60)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "xeploai-bench-aggregate",
                        help="cache folder for the generated workbooks and the outputs")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    cores = args.workers or cpu_count()
    print(f"Aggregate benchmark: {args.count} workbooks of {args.min}-{args.max} members, {cores} worker(s), cache {args.work}")
    files = generate(args.work, args.count, args.min, args.max, cores)
    total_bytes = sum(f.stat().st_size for f in files)

    from xlwings_addin.io.load import load_case
    from xlwings_addin.io.workbook import read_tables

    # Just reading, one file after another: the bytes, every sheet's cells by calamine (the bare read
    # of a workbook, as in scripts/benchmark.py), the input blocks, and the blocks as a case.
    from python_calamine import CalamineWorkbook

    t = time.perf_counter()
    for f in files:
        f.read_bytes()
    raw = time.perf_counter() - t
    t = time.perf_counter()
    for f in files:
        wb = CalamineWorkbook.from_path(str(f))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
    bare = time.perf_counter() - t
    t = time.perf_counter()
    for f in files:
        read_tables(f)
    blocks = time.perf_counter() - t
    t = time.perf_counter()
    for f in files:
        load_case(f)
    cases = time.perf_counter() - t

    out = args.work / "out"
    out.mkdir(exist_ok=True)
    for old in out.iterdir():
        old.unlink()
    # The command's own steps, timed one by one (the same calls run_aggregate makes).
    from xlwings_addin.aggregate.annex import write_annex
    from xlwings_addin.aggregate.combine import combine
    from xlwings_addin.aggregate.read import expand_inputs, read_all
    from xlwings_addin.aggregate.xlsx import write_summary

    phases = []
    t0 = t = time.perf_counter()
    found, _ = expand_inputs([args.work / "books"])
    records = read_all(found, cores)
    phases.append(("read + recompute, in parallel", time.perf_counter() - t))
    t = time.perf_counter()
    agg = combine(records)
    phases.append(("checks, pooled cap", time.perf_counter() - t))
    t = time.perf_counter()
    write_summary(agg, out / "TONG-HOP.xlsx")
    phases.append(("summary workbook (.xlsx)", time.perf_counter() - t))
    t = time.perf_counter()
    write_annex(agg, out / "TONG-HOP - Phụ lục.docx")
    phases.append(("draft annex (.docx)", time.perf_counter() - t))
    wall = time.perf_counter() - t0
    read_wall = phases[0][1]
    members = sum(len(c.members) for c in agg.cells)
    print(f"  {len(agg.cells)} chi bộ, {members} members read ({total_bytes / 1e6:.0f} MB), {len(agg.failures)} unreadable, "
          f"{len(agg.problems)} findings on the set")
    print(f"  just reading the bytes, one by one:                {raw:8.2f} s")
    print(f"  just reading every sheet (calamine, the bare read): {bare:8.2f} s")
    print(f"  just reading the input blocks (read_tables):       {blocks:8.2f} s")
    print(f"  reading the workbooks as cases (load_case):        {cases:8.2f} s")
    for label, seconds in phases:
        print(f"  aggregate: {label:<40} {seconds:8.2f} s")
    print(f"  aggregate, wall time in all:                       {wall:8.2f} s")
    print(f"  ratio whole wall / sum of bare reads:        {wall / bare:.3f}  (1/cores = {1 / cores:.3f})")
    print(f"  ratio read phase / sum of bare reads:        {read_wall / bare:.3f}")
    print(f"  ratio read phase / sum of load_case times:   {read_wall / cases:.3f}")
    print(f"  ratio whole wall / sum of load_case times:   {wall / cases:.3f}")
    print(f"  ratio whole wall / sum of read_tables times: {wall / blocks:.3f}")
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    if load:
        print(f"  load average at the end: {load[0]:.2f} (other processes on the machine share the cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
