"""Benchmark: every figure of the speed issue, as ratios measured side by side in one run.

The machine may be shared and noisy, so each comparison alternates its two sides (A, B, A, B, ...)
and reports the median of each side and the ratio of the medians; absolute times are given for
information only. Nothing here is asserted by the tests.

Usage:
    python scripts/benchmark.py            # everything (a few minutes; LibreOffice rows need soffice)
    python scripts/benchmark.py --quick    # fewer rounds, no 1000 x 1000, no LibreOffice rows
    python scripts/benchmark.py --rounds 9

Rows (the issue's table):
  1. ``compute BOOK.xlsm --json`` process / a process that only reads the file with python-calamine, 300 x 300;
     also with both processes held to one core (compute parses the big ballot grid in a second thread)
  2. the same on the 22-member seed workbook
  3. our modules' import on the click path (``import xlwings_addin.excel.macros`` minus ``import xlwings``),
     under ``python -B`` as RunPython starts it: sources only vs byte code compiled at install time
  4. cells read by one click at 22 members (and 300), and the number of Excel calls
  5. live functions: computations per recalculation
  6. ``ballots`` for 300 members / for 22: time, pages, peak memory
  7. ``demo --pdf`` / ``demo``
  8. building a workbook: child processes started and time
  9. compute growth from 100 to 1,000 members (exponent of a log-log fit), and 1,000 x 1,000 from file
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # test key of xlwings' remote engine (PolyForm NC)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from xlwings_addin.core.levels import Level  # noqa: E402
from xlwings_addin.core.models import Ballot, BallotGrid, Case, CellBallots, Meeting, Member, PartyCell, Person, Spoiled  # noqa: E402
from xlwings_addin.engine import compute  # noqa: E402
from xlwings_addin.excel.template import build_workbook  # noqa: E402

PY = sys.executable
BARE = "import sys\nfrom python_calamine import CalamineWorkbook\nwb = CalamineWorkbook.from_path(sys.argv[1])\n" \
       "for name in wb.sheet_names:\n    wb.get_sheet_by_name(name).to_python()\n"


def make_case(n_members: int, n_ballots: int, seed: int = 1, year: int = 2023) -> Case:
    """A case voted by ballots (the heaviest input to read and count)."""
    rnd = random.Random(seed)
    members = tuple(Member(name=f"Đảng viên số {i + 1:04d}", role="Giáo viên") for i in range(n_members))
    choices = [Level.HTTNV] * 7 + [Level.HTXSNV, Level.HTNV, Spoiled.SPOILED]
    ballots = tuple(Ballot(id=str(j + 1), marks=tuple(rnd.choice(choices) for _ in members), invalid=(j % 50 == 7))
                    for j in range(n_ballots))
    meeting = Meeting(review_year=year, date=date(year, 11, 28), party_cell="Chi bộ Thử tải", upper_body="Đảng bộ xã A",
                      upper_committee="Đảng ủy xã A", locality="A", chair=Person("Nguyễn Văn A", "Bí thư Chi bộ"),
                      secretary=Person("Trần Thị B"), vote_counters=(Person("Lê C", "Trưởng ban"),))
    return Case(meeting=meeting, members=members, member_votes=BallotGrid(tuple(m.name for m in members), ballots),
                party_cell=PartyCell(votes=CellBallots((Level.HTTNV,) * n_ballots)))


def run(cmd: list[str], env=None, one_core: bool = False) -> float:
    pin = None
    if one_core:
        core = min(os.sched_getaffinity(0))

        def pin():
            os.sched_setaffinity(0, {core})
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT, preexec_fn=pin)
    return time.perf_counter() - t


def several_cores() -> bool:
    return hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > 1


def paired(a, b, rounds: int) -> tuple[float, float, float]:
    """Alternate two timed callables; return (median a, median b, ratio of medians)."""
    ta, tb = [], []
    a(), b()  # warm the file cache and the byte code
    for _ in range(rounds):
        ta.append(a())
        tb.append(b())
    ma, mb = statistics.median(ta), statistics.median(tb)
    return ma, mb, ma / mb


def in_process(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def row(label: str, value: str, goal: str = "", info: str = "") -> None:
    print(f"  {label:<58} {value:<22} {('goal ' + goal) if goal else '':<18} {info}")


def instructions(cmd: list[str]) -> Optional[int]:
    """Instructions executed by a command under valgrind's callgrind: a count, not a time, so two
    sides compare exactly even on a busy machine (None when valgrind is not installed)."""
    if not shutil.which("valgrind"):
        return None
    real = [sys.executable] + cmd[1:] if cmd[0] == PY else cmd
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *real],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    m = re.search(r"Collected : (\d+)", proc.stderr)
    return int(m.group(1)) if m else None


def instruction_ratio(a: list[str], b: list[str]) -> str:
    ia, ib = instructions(a), instructions(b)
    if not ia or not ib:
        return ""
    return f"instructions {ia / ib:.2f}x ({ia / 1e6:.0f}M vs {ib / 1e6:.0f}M)"


def bench_compute_vs_bare(book: Path, rounds: int, one_core: bool = False) -> tuple[float, float, float]:
    """Both processes as they run, or both held to one core (compute parses the ballot grid in a
    second thread; the bare read has one): the two figures bracket a machine whose other cores are busy."""
    bare = Path(tempfile.gettempdir()) / "xeploai_bare_read.py"
    bare.write_text(BARE, encoding="utf-8")
    return paired(lambda: run([PY, "-m", "xlwings_addin", "compute", str(book), "--json"], one_core=one_core),
                  lambda: run([PY, str(bare), str(book)], one_core=one_core), rounds)


def bench_import(tmp: Path, rounds: int) -> dict:
    """CPU time of importing the click path after xlwings under -B, in fresh processes: a copy of the
    package with sources only (what an editable install gives RunPython), then byte-compiled as the
    documented install does. CPU time, not wall time: the import is a few ms in a process whose
    start (xlwings, and pandas when installed) takes hundreds, too noisy to subtract."""
    copy = tmp / "pkg"
    shutil.copytree(ROOT / "xlwings_addin", copy / "xlwings_addin", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(copy)}
    out = {"sources only": cpu_import_ms(rounds, env)[0]}
    subprocess.run([PY, "-m", "compileall", "-q", str(copy / "xlwings_addin")], check=True)
    before = sum(1 for _ in (copy / "xlwings_addin").rglob("*.pyc"))
    out["compiled at install"], out["fastest"] = cpu_import_ms(max(rounds, 9), env)
    # -B never writes byte code: the copy holds exactly what compileall wrote.
    out["pyc unchanged"] = before == sum(1 for _ in (copy / "xlwings_addin").rglob("*.pyc"))
    return out


def cpu_import_ms(rounds: int = 7, env=None) -> tuple[float, float]:
    """CPU time (not wall time) of importing our click path after xlwings, in a fresh -B process:
    (median, fastest) of the rounds. On a shared machine the fastest is the least disturbed."""
    code = ("import time, xlwings\nt = time.process_time()\nimport xlwings_addin.excel.macros\n"
            "print(time.process_time() - t)")
    values = []
    for _ in range(rounds):
        out = subprocess.run([PY, "-B", "-c", code], capture_output=True, text=True, cwd=tmp_root(), env=env).stdout.strip()
        try:
            values.append(float(out) * 1000)
        except ValueError:
            pass
    return (statistics.median(values), min(values)) if values else (float("nan"), float("nan"))


def tmp_root() -> str:
    # Not the repository folder: there the package itself would shadow the copy on PYTHONPATH.
    return tempfile.gettempdir()


def bench_cells(tmp: Path) -> dict:
    import xlwings as xw
    from test_workbook_macro import _CountingBook
    from xlsupport import count_calls, payload_from_workbook

    from xlwings_addin.excel import macros
    from xlwings_addin.io.casefile import read_case

    out = {}
    for label, case in (("22 (seed)", read_case(ROOT / "xlwings_addin" / "examples" / "song-phuong-2023.json")),
                        ("300", make_case(300, 300)), ("1000", make_case(1000, 50))):
        path = build_workbook(tmp / f"cells-{label.split()[0]}.xlsm", case, None)
        payload = payload_from_workbook(path)
        counting = _CountingBook(xw.Book(json=payload))
        macros.read_tables_live(counting)
        book = xw.Book(json=payload)
        macros.run(book)
        out[label] = (counting.reads, counting.cells, dict(count_calls(book.json()["actions"])))
    return out


def bench_udf() -> int:
    import xlwings as xw
    from xlsupport import payload_from_workbook

    from xlwings_addin.excel import udfs
    from xlwings_addin.io.workbook import BLOCKS, block_address

    calls = {"n": 0}
    real = udfs.compute

    def counting(case):
        calls["n"] += 1
        return real(case)

    udfs.compute = counting
    try:
        udfs._last.clear()
        book = xw.Book(json=payload_from_workbook(ROOT / "workbook" / "vi-du-song-phuong-2023.xlsm"))
        args = [book.sheets[sheet].range(block_address(key)).options(ndim=2).value for key, (sheet, *_r) in BLOCKS.items()]
        udfs.XEPLOAI_KETQUA(*args)
        udfs.XEPLOAI_CANHBAO(*args)
    finally:
        udfs.compute = real
    return calls["n"]


def _pages(pdf: Path) -> int:
    data = pdf.read_bytes()
    return data.count(b"/Type /Page") - data.count(b"/Type /Pages") if b"/Type /Page" in data else data.count(b"/Type/Page") - data.count(b"/Type/Pages")


def bench_ballots(tmp: Path, rounds: int, with_pdf: bool) -> dict:
    from xlwings_addin.io.casefile import write_case

    small, big = tmp / "b22.json", tmp / "b300.json"
    write_case(make_case(22, 22), small)
    write_case(make_case(300, 300), big)
    probe = ("import resource, sys\nfrom xlwings_addin.cli import main\nrc = main(sys.argv[1:])\n"
             "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\nsys.exit(rc)\n")
    script = tmp / "probe.py"
    script.write_text(probe, encoding="utf-8")
    outs = {22: tmp / "p22", 300: tmp / "p300"}

    def once(n, src):
        folder = outs[n]
        folder.mkdir(exist_ok=True)
        t = time.perf_counter()
        proc = subprocess.run([PY, str(script), "ballots", str(src), "--out", str(folder / "phieu.docx"), "--force"],
                              capture_output=True, text=True, cwd=ROOT)
        elapsed = time.perf_counter() - t
        try:
            rss = int(proc.stderr.strip().splitlines()[-1])
        except (ValueError, IndexError):
            rss = 0
        once.rss[n] = max(once.rss.get(n, 0), rss)
        return elapsed

    once.rss = {}
    a, b, ratio = paired(lambda: once(300, big), lambda: once(22, small), rounds)
    out = {"time 300 / 22": (a, b, ratio), "peak KB": once.rss}
    if with_pdf:
        from xlwings_addin.documents.render import docx_to_pdf_many, find_soffice

        if find_soffice():
            docs = [sorted(outs[n].glob("*.docx"))[0] for n in (22, 300)]
            pdfs = docx_to_pdf_many(docs, out_dir=tmp / "pdf")
            out["pages 22, 300"] = tuple(_pages(p) for p in pdfs)
    return out


def bench_demo(tmp: Path, rounds: int) -> tuple[float, float, float]:
    counter = {"i": 0}

    def demo(pdf: bool):
        counter["i"] += 1
        cmd = [PY, "-m", "xlwings_addin", "demo", "--out", str(tmp / f"demo{counter['i']}")] + (["--pdf"] if pdf else [])
        return run(cmd)

    return paired(lambda: demo(True), lambda: demo(False), rounds)


def bench_build(tmp: Path) -> tuple[int, float]:
    import subprocess as sp

    started = {"n": 0}
    real_run, real_popen = sp.run, sp.Popen

    def count_run(*a, **k):
        started["n"] += 1
        return real_run(*a, **k)

    class CountPopen(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, *a, **k):
            started["n"] += 1
            super().__init__(*a, **k)

    sp.run, sp.Popen = count_run, CountPopen
    try:
        t = time.perf_counter()
        build_workbook(tmp / "build.xlsm")
        elapsed = time.perf_counter() - t
    finally:
        sp.run, sp.Popen = real_run, real_popen
    return started["n"], elapsed


def bench_growth(rounds: int, sizes=(100, 200, 400, 700, 1000)) -> tuple[list, float]:
    points = []
    for n in sizes:
        case = make_case(n, n)
        points.append((n, in_process(lambda: compute(case), max(1, rounds // 2))))
    xs, ys = [math.log(n) for n, _ in points], [math.log(t) for _, t in points]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return points, slope


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="paired rounds per comparison (default 7)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds; skip 1000 x 1000 and LibreOffice rows")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else args.rounds
    # The documented install compiles the byte code (RunPython starts Python with -B, which never
    # writes it): measure the package as installed.
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "xlwings_addin")], check=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        book300 = build_workbook(tmp / "b300.xlsm", make_case(300, 300), None)
        seed = ROOT / "workbook" / "vi-du-song-phuong-2023.xlsm"
        print(f"Benchmark (median of {rounds} paired rounds; ratios of medians; the machine is shared)")
        bare = Path(tempfile.gettempdir()) / "xeploai_bare_read.py"
        for label, book, goal in (("1. compute --json / bare calamine read, 300 x 300", book300, "<= 1.5x"),
                                  ("2. compute --json / bare calamine read, 22-member seed", seed, "<= 2.0x")):
            a, b, r = bench_compute_vs_bare(book, rounds)
            row(label, f"{r:.2f}x", goal, f"{a * 1000:.0f} vs {b * 1000:.0f} ms")
            if several_cores():
                a, b, r = bench_compute_vs_bare(book, rounds, one_core=True)
                row("   the same, both held to one core", f"{r:.2f}x", "", f"{a * 1000:.0f} vs {b * 1000:.0f} ms")
            counted = instruction_ratio([PY, "-B", "-m", "xlwings_addin", "compute", str(book), "--json"], [PY, "-B", str(bare), str(book)])
            if counted:
                row("   the same, counted", counted.split(" (")[0].replace("instructions ", ""), goal, counted)
        imp = bench_import(tmp, rounds)
        row("3. import on the click path under -B (CPU time)", f"{imp['compiled at install']:.1f} ms", "<= 15 ms",
            f"fastest of the rounds {imp['fastest']:.1f} ms; sources only (recompiled every click) {imp['sources only']:.1f} ms; "
            f"-B wrote no byte code: {'yes' if imp['pyc unchanged'] else 'NO'}")
        # xlwings' own import varies by several million instructions from run to run: the median of three.
        diffs = [(ia - ib) for ia, ib in ((instructions([PY, "-B", "-c", "import xlwings, xlwings_addin.excel.macros"]),
                                           instructions([PY, "-B", "-c", "import xlwings"])) for _ in range(3)) if ia and ib]
        if diffs:
            row("   the same, counted", f"{statistics.median(diffs) / 1e6:.0f}M instructions", "",
                "ours minus import xlwings (median of 3 pairs)")
        cells = bench_cells(tmp)
        for label, (reads, n_cells, calls) in cells.items():
            goal = "<= 5,000 cells" if label.startswith("22") else ""
            row(f"4. one click at {label} members: cells read", f"{n_cells:,} in {reads} reads", goal, f"writes {calls}")
        row("5. live functions: computations per recalculation", str(bench_udf()), "1")
        bal = bench_ballots(tmp, max(1, rounds // 2), with_pdf=not args.quick)
        a, b, r = bal["time 300 / 22"]
        row("6. ballots for 300 / for 22: time", f"{r:.2f}x", "<= 3x", f"{a * 1000:.0f} vs {b * 1000:.0f} ms; peak {bal['peak KB']} KB")
        if "pages 22, 300" in bal:
            row("   ballots pages (22, 300 members)", str(bal["pages 22, 300"]), "linear")
        if not args.quick:
            a, b, r = bench_demo(tmp, max(1, rounds // 3))
            row("7. demo --pdf / demo", f"{r:.2f}x", "one LibreOffice start", f"{a:.1f} vs {b:.1f} s")
        children, seconds = bench_build(tmp)
        row("8. building a workbook: child processes started", str(children), "0", f"{seconds:.2f} s for the empty template")
        points, slope = bench_growth(rounds, (100, 200, 400) if args.quick else (100, 200, 400, 700, 1000))
        row("9. compute growth exponent, n members x n ballots", f"{slope:.2f}", "~2 (n x n marks)",
            "; ".join(f"{n}: {t * 1000:.0f} ms" for n, t in points))
        if not args.quick:
            big = build_workbook(tmp / "b1000.xlsm", make_case(1000, 1000), None)
            a, b, r = bench_compute_vs_bare(big, max(1, rounds // 2))
            row("   compute --json / bare read, 1,000 x 1,000", f"{r:.2f}x", "", f"{a * 1000:.0f} vs {b * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
