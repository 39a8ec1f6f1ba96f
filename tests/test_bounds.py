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
