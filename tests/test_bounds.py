"""Memory and time stay bounded on the worst hostile inputs: each runs in a fresh process that reports its
peak resident memory (VmHWM, which starts afresh at exec, unlike ru_maxrss on Linux) and wall time.

The bounds asserted are loose safety nets (500 MB, 20 s), not timings: the figures themselves are
printed (``-s``) for the report. Without the guards these inputs abort the process (a 512 GB
allocation), hang for minutes or read 256 MB.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest

import hostile as H

RUNNER = r"""
import contextlib, io, json, sys, time
t = time.perf_counter()
sys.path.insert(0, sys.argv[1])
from xlwings_addin import cli
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    code = cli.main(sys.argv[2:])
seconds = time.perf_counter() - t
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"code": code, "seconds": round(seconds, 2), "peak_mb": peak // 1024, "err": err.getvalue()[:300]}))
"""


def _big_case(folder, members: int, ballots: int):
    d = H.example(2026)
    names = [f"Đảng viên {i:04d}" for i in range(members)]
    rnd = random.Random(5)
    d["members"] = [{"name": n} for n in names]
    d["member_ballots"] = {"mode": "grid", "order": names,
                           "ballots": [{"id": str(j + 1), "marks": [rnd.choice([1, 2, 2, 2, 3, "x"]) for _ in names]} for j in range(ballots)]}
    d["rules"] = {"id": None, "settings": {"proposal_basis": "vote"}}
    d["party_cell"] = {}
    d.pop("collectives", None)
    return H.write_json(folder, d, "5000.json")


WORST = {
    "stray cell in XFD1048576": (H.CASES["wb-stray-cell-in-xfd1048576"].build, 2),
    "stray cell behind a lying dimension": (H.CASES["wb-stray-cell-behind-a-lying-dimension"].build, 2),
    "shared strings of 256 MB (a 750 KB file)": (H.CASES["wb-shared-strings-bomb"].build, 2),
    "zip directory that lies about a size": (H.CASES["wb-zip-directory-lies-about-a-size"].build, 2),
    "1e999999999 in a score cell": (H.CASES["wb-score-huge-exponent-text"].build, 2),
    "1e999999999 in a case file": (H.CASES["json-score-huge-exponent"].build, 2),
    "1e999999999 in a setting": (H.CASES["json-setting-huge-exponent"].build, 2),
    "JSON nested 200 000 deep": (H.CASES["json-deeply-nested"].build, 2),
    "2.5 million ballot cells": (H.CASES["json-too-many-ballot-cells"].build, 2),
    "5000-member case, 100 ballots": (lambda folder: _big_case(folder, 5000, 100), 1),
}
FIGURES: dict = {}


@pytest.mark.parametrize("name", list(WORST))
def test_worst_inputs_stay_within_loose_memory_and_time_bounds(name, tmp_path):
    build, code = WORST[name]
    path = build(tmp_path)
    proc = subprocess.run([sys.executable, "-c", RUNNER, str(H.ROOT), "compute", str(path)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(H.ROOT)})
    assert proc.returncode == 0, proc.stderr[-1500:]  # the runner itself: no crash, no abort
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    FIGURES[name] = report
    print(f"\n{name}: exit {report['code']}, {report['seconds']} s, peak {report['peak_mb']} MB, input {path.stat().st_size // 1024} KB")
    assert report["code"] == code, report
    assert report["peak_mb"] < 500 and report["seconds"] < 20, report


def test_the_split_far_cell_search_finds_what_one_pattern_finds():
    """The far-cell scan runs a column pattern and a row pattern (from a digit-count filter) instead of
    one pattern with both branches: on any cells, it must find the same first cell."""
    import re as _re

    from hypothesis import given, settings, strategies as st

    from xlwings_addin.io import xlsxguard as G
    from xlwings_addin.io.schema import col

    def combined(max_row0, max_col0):
        far_col = G._greater_letters(col(max_col0)).encode()
        far_row = G._greater_number(max_row0 + 1).encode()
        return _re.compile(rb'<c r="(?:' + far_col + rb'[0-9]|[A-Z]{1,3}+0*+' + far_row + rb'")')

    letters = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=4)
    digits = st.builds(lambda z, n: "0" * z + str(n), st.integers(0, 2), st.integers(0, 1_100_000))
    cell = st.builds(lambda a, b, tail: f'<c r="{a}{b}"{tail}', letters, digits, st.sampled_from(["/>", ' s="2"/>', "><v>1</v></c>"]))

    @settings(max_examples=400, deadline=None)
    @given(st.lists(cell, max_size=30), st.integers(0, 1100), st.integers(0, 1100))
    def check(cells, max_row0, max_col0):
        data = ("<sheetData><row>" + "".join(cells) + "</row></sheetData>").encode()
        want = combined(max_row0, max_col0).search(data)
        got = G._first_far(data, max_row0, max_col0)
        assert (got.start() if got else None) == (want.start() if want else None)

    check()


def test_the_one_pass_filter_gives_what_the_separate_searches_give():
    """``_first_suspicious`` runs one filter pass and the separate far/odd searches only from its first
    hit: on any mix of plain, far, odd and prefixed cell tags it must name the same cell (or none)."""
    from hypothesis import given, settings, strategies as st

    from xlwings_addin.io import xlsxguard as G

    letters = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=4)
    digits = st.builds(lambda z, n: "0" * z + str(n), st.integers(0, 2), st.integers(0, 1_100_000))
    plain = st.builds(lambda a, b, tail: f'<c r="{a}{b}"{tail}', letters, digits,
                      st.sampled_from(["/>", ' s="2"/>', "><v>1</v></c>", ' t="s"><v>7</v></c>']))
    odd = st.sampled_from(['<c s="1"/>', "<c/>", "<c>", "<c r='A1'/>", '<c r="a1"/>', '<c r="A1x"/>', '<c  r="B2"/>',
                           '<c\tr="C3"/>', '<c r="12"/>', '<c r="A"/>', '<x:c r="A1"/>', '<col min="1"/>', '<cfRule/>',
                           '<c r="A12345678"/>', '<c r="ABCD1"/>'])
    cell = st.one_of(plain, plain, odd)

    @settings(max_examples=500, deadline=None)
    @given(st.lists(cell, max_size=30), st.integers(0, 1100), st.integers(0, 1100))
    def check(cells, max_row0, max_col0):
        data = ("<sheetData><row>" + "".join(cells) + "</row></sheetData>").encode()
        assert G._first_suspicious(data, max_row0, max_col0) == G._suspicious_exact(data, max_row0, max_col0)

    check()


def test_many_candidates_go_to_the_separate_searches_and_give_the_same_cell():
    from xlwings_addin.io import xlsxguard as G

    cells = '<c r="A1000"/>' * (G._CANDIDATES + 5) + '<c s="1"/>' + '<c r="ZZ5"/>'
    data = f"<sheetData><row>{cells}</row></sheetData>".encode()
    assert G._first_suspicious(data, 1100, 40) == G._suspicious_exact(data, 1100, 40) == "ZZ5"
    assert G._first_suspicious(data, 1100, 1000) == G._suspicious_exact(data, 1100, 1000) == "?"  # no far cell: the first odd one, which has no address
