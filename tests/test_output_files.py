"""The output writer every command uses: a free numbered name, an existing file never touched, the
bytes complete before the name appears, normal permissions, our own stale temporary files cleaned
up, and Vietnamese messages (no traceback) when a folder cannot be written."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from casebuilder import EXAMPLE
from xlwings_addin import cli
from xlwings_addin.io import files
from xlwings_addin.io.casefile import read_case, write_case
from xlwings_addin.io.files import TEMP_PREFIX, OutputFileError, free_path, replace_file, write_new_file

ROOT = Path(__file__).resolve().parent.parent

# English texts the system gives for these errors: none may reach the user.
ENGLISH = ("Is a directory", "Not a directory", "Permission denied", "No space", "Read-only", "No such file",
           "File exists", "Traceback", "Errno")


def snapshot(folder: Path) -> dict[str, str]:
    """Name -> sha256 of every file in ``folder``."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX))


# --------------------------------------------------------------------------- names and contents


def test_a_free_name_is_chosen_and_existing_files_stay_byte_for_byte(tmp_path):
    (tmp_path / "BB.docx").write_bytes(b"signed on paper")
    (tmp_path / "BB (3).docx").write_bytes(b"edited by hand")
    before = snapshot(tmp_path)
    mtimes = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}

    first = write_new_file(b"new 1", tmp_path / "BB.docx")
    second = write_new_file(b"new 2", tmp_path / "BB.docx")
    third = write_new_file(b"new 3", tmp_path / "BB.docx")

    assert [first.name, second.name, third.name] == ["BB (2).docx", "BB (4).docx", "BB (5).docx"]
    assert [p.read_bytes() for p in (first, second, third)] == [b"new 1", b"new 2", b"new 3"]
    after = snapshot(tmp_path)
    assert {k: after[k] for k in before} == before
    assert all((tmp_path / name).stat().st_mtime_ns == ns for name, ns in mtimes.items())
    assert temps(tmp_path) == []


def test_a_new_name_is_used_as_is_and_missing_folders_are_created(tmp_path):
    out = write_new_file(b"x", tmp_path / "a" / "b" / "Biên bản.docx")
    assert out == tmp_path / "a" / "b" / "Biên bản.docx" and out.read_bytes() == b"x"


def test_a_dangling_link_or_a_folder_still_takes_a_name(tmp_path):
    if os.name == "nt":
        pytest.skip("symbolic links need extra rights on Windows")
    (tmp_path / "BB.docx").symlink_to(tmp_path / "nowhere")
    (tmp_path / "BB (2).docx").mkdir()
    assert free_path(tmp_path / "BB.docx").name == "BB (3).docx"
    assert write_new_file(b"x", tmp_path / "BB.docx").name == "BB (3).docx"
    assert not (tmp_path / "nowhere").exists()


def test_temporary_files_never_count_as_outputs(tmp_path):
    # A temporary file left by a killed run must not push the next output to "(2)".
    (tmp_path / f"{TEMP_PREFIX}0123456789abcdef.tmp").write_bytes(b"half")
    assert write_new_file(b"x", tmp_path / "BB.docx").name == "BB.docx"


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_permissions_are_those_of_a_normal_save(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        out = write_new_file(b"x", tmp_path / "BB.docx")
        again = write_new_file(b"y", tmp_path / "BB.docx")
    finally:
        os.umask(old)
    assert (out.stat().st_mode & 0o777, again.stat().st_mode & 0o777) == (mode, mode)
    assert out.stat().st_nlink == 1  # the temporary name was removed after the link


def test_runs_writing_the_same_name_at_once_get_distinct_complete_files(tmp_path):
    barrier = threading.Barrier(12)
    results: list[Path] = []

    def work(i: int) -> None:
        barrier.wait()
        results.append(write_new_file(f"document {i}".encode() * 1000, tmp_path / "BB.docx"))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    names = sorted(p.name for p in results)
    assert names == sorted(["BB.docx"] + [f"BB ({n}).docx" for n in range(2, 13)])
    contents = sorted(p.read_bytes() for p in results)
    assert contents == sorted(f"document {i}".encode() * 1000 for i in range(12))
    assert temps(tmp_path) == []


def test_a_name_taken_between_the_check_and_the_link_is_left_alone(tmp_path, monkeypatch):
    # A real race is too quick to provoke on purpose; the fake link lets another "run" create the
    # chosen name just before our link, which must then fail and move on to the next number.
    real_link = os.link
    calls = []

    def racing_link(src, dst, *args, **kwargs):
        if not calls:
            Path(dst).write_bytes(b"the other run")
        calls.append(Path(dst).name)
        return real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr(files.os, "link", racing_link)
    out = write_new_file(b"ours", tmp_path / "BB.docx")
    assert calls == ["BB.docx", "BB (2).docx"] and out.name == "BB (2).docx"
    assert (tmp_path / "BB.docx").read_bytes() == b"the other run" and out.read_bytes() == b"ours"


# --------------------------------------------------------------------------- without hard links


def _no_hard_links(monkeypatch):
    # This machine's file system has hard links; a FAT drive or some network shares refuse them
    # (EPERM on Linux, an OSError on Windows). os.link is monkeypatched to behave like those.
    def refuse(src, dst, *args, **kwargs):
        raise PermissionError(errno.EPERM, "Operation not permitted", str(src), None, str(dst))

    monkeypatch.setattr(files.os, "link", refuse)


def test_without_hard_links_the_posix_fallback_still_never_overwrites(tmp_path, monkeypatch):
    _no_hard_links(monkeypatch)
    monkeypatch.setattr(files, "_RENAME_REFUSES_TO_REPLACE", False)
    (tmp_path / "BB.docx").write_bytes(b"signed")
    out = write_new_file(b"new", tmp_path / "BB.docx")
    again = write_new_file(b"newer", tmp_path / "BB.docx")
    assert (out.name, again.name) == ("BB (2).docx", "BB (3).docx")
    assert [(tmp_path / n).read_bytes() for n in ("BB.docx", "BB (2).docx", "BB (3).docx")] == [b"signed", b"new", b"newer"]
    assert temps(tmp_path) == []


def test_without_hard_links_the_windows_fallback_moves_on_when_the_name_is_taken(tmp_path, monkeypatch):
    # Emulates Windows rename (it refuses an existing name) on this machine, with another run taking
    # the first free name at the last moment.
    _no_hard_links(monkeypatch)
    monkeypatch.setattr(files, "_RENAME_REFUSES_TO_REPLACE", True)
    real_rename = os.rename
    calls = []

    def windows_rename(src, dst):
        if not calls:
            Path(dst).write_bytes(b"the other run")
        calls.append(Path(dst).name)
        if os.path.lexists(dst):
            raise FileExistsError(errno.EEXIST, "Cannot create a file when that file already exists", str(src), None, str(dst))
        real_rename(src, dst)

    monkeypatch.setattr(files.os, "rename", windows_rename)
    out = write_new_file(b"ours", tmp_path / "BB.docx")
    assert calls == ["BB.docx", "BB (2).docx"] and out.name == "BB (2).docx" and out.read_bytes() == b"ours"
    assert (tmp_path / "BB.docx").read_bytes() == b"the other run"
    assert temps(tmp_path) == []


# --------------------------------------------------------------------------- stale temporary files


def test_only_our_own_old_temporary_files_are_cleaned_up(tmp_path):
    old = tmp_path / f"{TEMP_PREFIX}00000000000000aa.tmp"
    fresh = tmp_path / f"{TEMP_PREFIX}00000000000000bb.tmp"  # another run writing right now
    foreign = tmp_path / ".~lock.BB.docx#"  # LibreOffice's lock file
    lookalike = tmp_path / f"{TEMP_PREFIX}notours.tmp"
    for p in (old, fresh, foreign, lookalike):
        p.write_bytes(b"x")
    hour_ago = time.time() - 3600
    for p in (old, foreign, lookalike):
        os.utime(p, (hour_ago, hour_ago))
    write_new_file(b"x", tmp_path / "BB.docx")
    assert not old.exists()
    assert fresh.exists() and foreign.exists() and lookalike.exists()


# --------------------------------------------------------------------------- problems, in Vietnamese


def _assert_vietnamese(message: str, *names: str) -> None:
    for name in names:
        assert name in message, (name, message)
    for english in ENGLISH:
        assert english not in message, (english, message)
    assert "Không ghi được" in message or "là một thư mục" in message


def test_a_file_where_the_folder_should_be(tmp_path):
    (tmp_path / "Biên bản").write_bytes(b"a file")
    for out in (tmp_path / "Biên bản" / "BB.docx", tmp_path / "Biên bản" / "2023" / "BB.docx"):
        with pytest.raises(OutputFileError) as exc:
            write_new_file(b"x", out)
        _assert_vietnamese(str(exc.value), "BB.docx", str(tmp_path / "Biên bản"), "không phải thư mục")


def test_a_folder_given_instead_of_a_file(tmp_path):
    with pytest.raises(OutputFileError) as exc:
        write_new_file(b"x", tmp_path)
    _assert_vietnamese(str(exc.value), str(tmp_path), "là một thư mục")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def locked_folder(tmp_path):
    """A real folder nobody may write into: read-only bits for a normal user; for root (who ignores
    those bits, as in CI containers) the immutable attribute, when the file system offers it."""
    if os.name == "nt":
        pytest.skip("POSIX folder permissions")
    locked = tmp_path / "khóa"
    locked.mkdir()
    if os.geteuid() != 0:
        locked.chmod(0o555)
        yield locked
        locked.chmod(0o755)
        return
    try:
        made = subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode == 0
    except FileNotFoundError:
        made = False
    if not made:
        pytest.skip("running as root and chattr +i is not available")
    try:
        yield locked
    finally:
        subprocess.run(["chattr", "-i", str(locked)], check=True)


def test_a_folder_without_write_permission(locked_folder):
    with pytest.raises(OutputFileError) as exc:
        write_new_file(b"x", locked_folder / "BB.docx")
    _assert_vietnamese(str(exc.value), "BB.docx", str(locked_folder), "không có quyền")
    assert list(locked_folder.iterdir()) == []


def test_the_cli_explains_a_folder_without_write_permission(locked_folder):
    proc = subprocess.run([sys.executable, "-m", "xlwings_addin", "minutes", EXAMPLE, "--out",
                           str(locked_folder / "BB.docx")], capture_output=True, text=True, encoding="utf-8", cwd=ROOT)
    assert proc.returncode == 2 and proc.stdout == ""
    _assert_vietnamese(proc.stderr, "BB.docx", str(locked_folder), "không có quyền")


def _fail_temp_creation(monkeypatch, code: int):
    """Make creating our temporary file fail with ``code`` (the tests run as root and on a roomy
    disk, so read-only folders, missing permission and a full disk are simulated here)."""
    real_open = os.open

    def failing_open(path, flags, *args, **kwargs):
        if Path(path).name.startswith(TEMP_PREFIX):
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(files.os, "open", failing_open)


@pytest.mark.parametrize("code, words", [(errno.EACCES, "không có quyền"), (errno.EPERM, "không có quyền"),
                                         (errno.EROFS, "chỉ đọc"), (errno.ENOSPC, "đã đầy"), (errno.EIO, "EIO")])
def test_unwritable_folders_are_explained(tmp_path, monkeypatch, code, words):
    _fail_temp_creation(monkeypatch, code)
    with pytest.raises(OutputFileError) as exc:
        write_new_file(b"x", tmp_path / "BB.docx")
    _assert_vietnamese(str(exc.value), "BB.docx", str(tmp_path), words)
    assert isinstance(exc.value, OSError) and exc.value.errno == code
    assert list(tmp_path.iterdir()) == []


def test_a_disk_that_fills_up_while_writing_leaves_nothing_behind(tmp_path, monkeypatch):
    # Network folders often report a full disk only when the data is flushed.
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(OutputFileError) as exc:
        write_new_file(b"x" * 100_000, tmp_path / "BB.docx")
    _assert_vietnamese(str(exc.value), "BB.docx", str(tmp_path), "đã đầy")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "đã đầy"), (errno.EACCES, "không có quyền"),
                                         (errno.EROFS, "chỉ đọc")])
def test_the_cli_prints_the_vietnamese_message_and_exits_2(tmp_path, monkeypatch, capsys, code, words):
    _fail_temp_creation(monkeypatch, code)
    assert cli.main(["minutes", EXAMPLE, "--out", str(tmp_path / "BB.docx")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Lỗi ghi tệp: ")
    _assert_vietnamese(err, "BB.docx", str(tmp_path), words)


def test_the_cli_explains_a_file_in_place_of_the_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    proc = subprocess.run([sys.executable, "-m", "xlwings_addin", "minutes", EXAMPLE, "--out",
                           str(tmp_path / "notes.txt" / "BB.docx")], capture_output=True, text=True, encoding="utf-8", cwd=ROOT)
    assert proc.returncode == 2 and proc.stdout == ""
    _assert_vietnamese(proc.stderr, "BB.docx", "notes.txt", "không phải thư mục")


# --------------------------------------------------------------------------- case files and the template


def test_case_files_are_never_replaced(tmp_path):
    case = read_case(EXAMPLE)
    target = tmp_path / "hồ sơ.json"
    target.write_bytes(b'{"corrected": "by hand"}')
    out = write_case(case, target)
    assert out.name == "hồ sơ (2).json" and target.read_bytes() == b'{"corrected": "by hand"}'
    assert read_case(out) == case
    assert write_case(case, target).name == "hồ sơ (3).json"


def test_replace_file_swaps_the_whole_file_in(tmp_path):
    target = tmp_path / "xeploai.xlsm"
    target.write_bytes(b"old template")
    assert replace_file(b"new template", target) == target
    assert target.read_bytes() == b"new template" and sorted(p.name for p in tmp_path.iterdir()) == ["xeploai.xlsm"]
