"""Kill the minutes command at random moments, and right when its output first appears: the folder
must only ever hold complete documents under the expected numbered names, and whatever a killed
run leaves behind must not change the name the next run chooses.

No test hook slows the writer down: the poll below sees the temporary file appear and kills the
process while it is still writing and flushing, which is the window that matters.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import docx
import pytest

from casebuilder import EXAMPLE
from xlwings_addin.io.files import TEMP_PREFIX

ROOT = Path(__file__).resolve().parent.parent
OUTPUT_RE = re.compile(r"BB(?: \((\d+)\))?\.docx")
TEMP_RE = re.compile(re.escape(TEMP_PREFIX) + r"[0-9a-f]{16}\.tmp")


def start(folder: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "xlwings_addin", "minutes", EXAMPLE, "--out", str(folder / "BB.docx")],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_when_something_appears(proc: subprocess.Popen, folder: Path, extra_delay: float, limit: float = 30.0) -> str:
    """Poll the folder as fast as possible; kill ``extra_delay`` seconds after a new entry shows up."""
    before = set(os.listdir(folder))
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        now = set(os.listdir(folder))
        if now != before:
            if extra_delay:
                until = time.perf_counter() + extra_delay
                while time.perf_counter() < until:  # busy wait: sleep() is far too coarse here
                    pass
            proc.kill()
            new = now - before
            return "saw temporary file" if any(TEMP_RE.fullmatch(n) for n in new) else "saw final file"
        if proc.poll() is not None:
            return "finished unseen"
    proc.kill()
    return "timed out"


def check_folder(folder: Path, seen: dict[str, str]) -> int:
    """Assert the folder's invariants; return how many outputs it holds.

    Every entry is one of our temporary files or an output named BB.docx, BB (2).docx... with no
    gap in the numbers; every output is a complete document and an output seen before is unchanged.
    """
    numbers = []
    for name in os.listdir(folder):
        if TEMP_RE.fullmatch(name):
            continue
        match = OUTPUT_RE.fullmatch(name)
        assert match, f"unexpected entry {name!r}"
        numbers.append(int(match.group(1) or 1))
        path = folder / name
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if name in seen:
            assert seen[name] == digest, f"{name} changed after it was written"
            continue
        assert len(data) > 10_000, f"{name} is incomplete ({len(data)} bytes)"
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None, f"{name} has a damaged part"
        assert docx.Document(str(path)).paragraphs, f"{name} does not open as a document"
        seen[name] = digest
    assert sorted(numbers) == list(range(1, len(numbers) + 1)), f"numbering has a gap: {sorted(numbers)}"
    return len(numbers)


def kill_loop(folder: Path, iterations: int, seed: int) -> Counter:
    rng = random.Random(seed)
    outcomes: Counter = Counter()
    seen: dict[str, str] = {}
    # About a third killed the moment the first entry appears, a third a few milliseconds later
    # (while flushing, linking, removing the temporary name), a third at any moment of the run.
    plan = ["at appearance", "just after", "any moment"] * (iterations // 3 + 1)
    rng.shuffle(plan)
    for how in plan[:iterations]:
        proc = start(folder)
        if how == "at appearance":
            seen_what = kill_when_something_appears(proc, folder, 0.0)
        elif how == "just after":
            seen_what = kill_when_something_appears(proc, folder, rng.uniform(0.0005, 0.005))
        else:
            time.sleep(rng.uniform(0.0, 0.9))
            proc.kill()
            seen_what = "timed kill"
        proc.wait()
        before = len(seen)
        check_folder(folder, seen)
        outcomes[f"{how}, {seen_what}: {'output written' if len(seen) > before else 'no output'}"] += 1
    outcomes["temporary files left"] = sum(1 for n in os.listdir(folder) if TEMP_RE.fullmatch(n))
    return outcomes


def next_run_ignores_and_sweeps_leftovers(folder: Path) -> None:
    """A complete run after the kills picks the next number and removes the old leftovers."""
    count = check_folder(folder, {})
    leftovers = [folder / n for n in os.listdir(folder) if TEMP_RE.fullmatch(n)]
    hour_ago = time.time() - 3600
    for p in leftovers:  # age them past the sweep's limit, as if the kills were an hour ago
        os.utime(p, (hour_ago, hour_ago))
    proc = subprocess.run([sys.executable, "-m", "xlwings_addin", "minutes", EXAMPLE, "--out", str(folder / "BB.docx")],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    expected = "BB.docx" if count == 0 else f"BB ({count + 1}).docx"
    assert Path(proc.stdout.strip()).name == expected
    assert check_folder(folder, {}) == count + 1
    assert not any(p.exists() for p in leftovers)


@pytest.mark.skipif(os.name == "nt", reason="the poll-and-kill timing is tuned for POSIX")
def test_killing_the_minutes_command_never_leaves_a_broken_or_misnumbered_file(tmp_path):
    outcomes = kill_loop(tmp_path, iterations=9, seed=20231129)
    print(dict(outcomes))
    next_run_ignores_and_sweeps_leftovers(tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="the poll-and-kill timing is tuned for POSIX")
def test_killing_the_minutes_command_many_times(tmp_path, request):
    # About 40 s: the normal suite runs every test, so this one waits to be asked for by name of
    # its mark (python -m pytest -m slow tests/test_kill.py); the 9-kill test above always runs.
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("60 kills take about 40 s: run with -m slow")
    outcomes = kill_loop(tmp_path, iterations=60, seed=int(time.time()))
    print(dict(outcomes))
    # The point of the loop is to hit the write itself: some kills must have landed while the
    # temporary file existed and before the document was published.
    assert any(k.startswith(("at appearance", "just after")) and k.endswith("no output") for k in outcomes), outcomes
    next_run_ignores_and_sweeps_leftovers(tmp_path)
