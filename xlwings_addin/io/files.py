"""Safe file output shared by every command: never overwrite, never leave half a file.

An output (a workbook, a case file, the minutes) goes to a fresh name when the wanted one exists
("name (2).ext"), so a signed or edited file is never replaced; the bytes are written to a
temporary file in the same folder and renamed into place.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def free_path(path: str | Path) -> Path:
    """Return ``path`` if it does not exist, else the first free ``name (2).ext``, ``name (3).ext``..."""
    path = Path(path)
    if not path.exists():
        return path
    n = 2
    while True:
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


def write_new_file(data: bytes, path: Path) -> Path:
    """Write ``data`` to ``path`` or the next free numbered name, atomically, never overwriting.

    The name is reserved with an exclusive create (so a concurrent writer cannot take it),
    the bytes go to a temporary file in the same directory, and ``os.replace`` swaps it in:
    readers see either nothing useful yet (an empty reserved file) or the whole document.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        target = free_path(path)
        try:
            with open(target, "xb"):
                pass
        except FileExistsError:
            continue  # somebody took the name between the check and the create
        break
    fd, tmp_name = tempfile.mkstemp(prefix=".~", suffix=target.suffix, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates the file private (0600); give it the permissions a normal save would.
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp_name, 0o666 & ~mask)
        os.replace(tmp_name, target)
    except BaseException:
        for leftover in (tmp_name, target):
            try:
                os.unlink(leftover)
            except OSError:
                pass
        raise
    return target
