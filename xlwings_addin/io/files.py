"""Safe file output shared by every command: never overwrite, never leave half a file.

An output (a workbook, a case file, the minutes, a PDF) goes to a fresh name when the wanted one
exists ("name (2).ext"), so a signed or edited file is never replaced. The bytes are first written
to a hidden temporary file in the same folder (``.~xeploai-<random>.tmp``) and flushed to disk;
only then does the file appear under its final name, by a hard link that fails instead of
replacing a file that took the name meanwhile. A kill at any moment therefore leaves either no
output or the complete one; at worst a temporary file that no later run mistakes for an output
(names are chosen by the exact "name (n).ext" pattern) and that a later write into the same folder
removes once it is clearly abandoned.

Problems writing (missing folder, a file where a folder should be, read-only or full disk, no
permission) raise :class:`OutputFileError` with a Vietnamese message naming the folder or file.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import time
from pathlib import Path

__all__ = ["OutputFileError", "TEMP_PREFIX", "describe_os_error", "free_path", "replace_file", "write_new_file"]

# Temporary files start with this prefix: hidden on Linux/macOS, and recognisable so that only
# our own leftovers are ever cleaned up.
TEMP_PREFIX = ".~xeploai-"
TEMP_SUFFIX = ".tmp"
_TEMP_RE = re.compile(re.escape(TEMP_PREFIX) + r"[0-9a-f]{16}" + re.escape(TEMP_SUFFIX))

# A temporary file of ours untouched this long belongs to a run that was killed (a write takes
# milliseconds). Another run writing into the same folder at the same moment has a fresh file, so
# it is never removed under that run's feet; and if a run was suspended for longer than this and
# its file is gone, that run fails with a message rather than publishing anything incomplete.
STALE_AFTER_SECONDS = 15 * 60

# Give up instead of looping forever if every numbered name seems taken (a pathological folder).
_MAX_NUMBERED = 10_000

# On Windows os.rename refuses to replace an existing file (FileExistsError), which makes it an
# atomic "move into place if free" where hard links are unavailable (FAT drives, some shares).
_RENAME_REFUSES_TO_REPLACE = os.name == "nt"

_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows would otherwise translate newlines


from .errors import OutputFileError  # noqa: E402  (defined apart: the CLI catches it without importing this module)


def describe_os_error(exc: OSError) -> str:
    """A short Vietnamese reason for an OS error (the system's own text is often English)."""
    code = exc.errno
    if isinstance(exc, FileNotFoundError):
        return "không tìm thấy tệp hoặc thư mục"
    if isinstance(exc, FileExistsError):
        return "đã có tệp hoặc thư mục trùng tên"
    if isinstance(exc, IsADirectoryError):
        return "đây là một thư mục, không phải tệp"
    if isinstance(exc, NotADirectoryError):
        return "một phần của đường dẫn là tệp, không phải thư mục"
    if code == errno.EROFS:
        return "ổ đĩa chỉ cho phép đọc"
    if isinstance(exc, PermissionError):
        return "không có quyền truy cập (hoặc tệp đang được chương trình khác mở)"
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "ổ đĩa đã đầy"
    if code == errno.ENAMETOOLONG:
        return "tên tệp hoặc đường dẫn quá dài"
    if code == errno.EINVAL:
        return "tên tệp hoặc thư mục không hợp lệ (có ký tự không được phép?)"
    name = errno.errorcode.get(code, "") if code is not None else ""
    winerror = getattr(exc, "winerror", None)
    detail = name or (f"WinError {winerror}" if winerror else type(exc).__name__)
    return f"lỗi hệ thống ({detail})"


def _output_error(exc: OSError, target: Path) -> OutputFileError:
    """Turn an OS error raised while writing ``target`` into a Vietnamese message naming the place."""
    folder = target.parent
    if isinstance(exc, OutputFileError):
        return exc
    blocker = _blocking_file(folder) if isinstance(exc, (NotADirectoryError, FileExistsError)) else None
    if blocker is not None:
        message = (f"Không ghi được tệp {target.name} vào thư mục {folder}: "
                   f"{blocker} là một tệp chứ không phải thư mục.")
    elif isinstance(exc, FileNotFoundError):
        message = (f"Không ghi được tệp {target.name}: không tìm thấy thư mục {folder} "
                   "(ổ đĩa hoặc thư mục mạng có còn kết nối không?).")
    elif exc.errno == errno.EROFS:
        message = f"Không ghi được tệp {target.name}: thư mục {folder} nằm trên ổ chỉ đọc. Hãy chọn thư mục khác."
    elif isinstance(exc, PermissionError):
        message = (f"Không ghi được tệp {target.name}: không có quyền ghi vào thư mục {folder}. "
                   "Hãy chọn thư mục khác, ví dụ thư mục Documents.")
    elif exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        message = (f"Không ghi được tệp {target.name}: ổ đĩa chứa thư mục {folder} đã đầy. "
                   "Hãy giải phóng chỗ trống hoặc chọn thư mục khác.")
    else:
        message = f"Không ghi được tệp {target.name} vào thư mục {folder}: {describe_os_error(exc)}."
    error = OutputFileError(message, target)
    error.errno = exc.errno
    return error


def _blocking_file(folder: Path) -> Path | None:
    """The nearest part of ``folder`` (itself or a parent) that exists as something other than a folder."""
    for part in (folder, *folder.parents):
        try:
            st = part.stat()
        except OSError:
            continue
        return None if stat.S_ISDIR(st.st_mode) else part
    return None


def free_path(path: str | Path) -> Path:
    """Return ``path`` if no entry has that name, else the first free ``name (2).ext``, ``name (3).ext``..."""
    path = Path(path)
    # lexists: a dangling link still takes the name (creating over it would fail forever).
    if not os.path.lexists(path):
        return path
    for n in range(2, _MAX_NUMBERED):
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        if not os.path.lexists(candidate):
            return candidate
    raise OutputFileError(f"Thư mục {path.parent} đã có quá nhiều tệp tên {path.name} đánh số; hãy chọn tên khác.", path)


def _make_folder(folder: Path, target: Path) -> None:
    if folder.is_dir():
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _output_error(exc, target) from exc


def _write_temp(folder: Path, data: bytes) -> Path:
    """Write ``data`` to a new temporary file in ``folder`` and flush it to disk; return its path."""
    while True:
        tmp = folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}"
        try:
            # Mode 0666 filtered by the umask (and the folder's default ACL) is what a normal save
            # gives; mkstemp's private 0600 would hide the minutes from the rest of the office.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
        except FileExistsError:
            continue  # 64 random bits collided: draw again
        break
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return tmp


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _fsync_folder(folder: Path) -> None:
    # Makes the new name itself survive a power cut (POSIX); Windows cannot open a folder this way.
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _publish(tmp: Path, wanted: Path) -> Path:
    """Give the complete file ``tmp`` the first free name for ``wanted``, never replacing a file."""
    # Each refusal means somebody (another run, the user) took that name meanwhile; the next
    # free name is tried. The bound only stops a folder that keeps lying about free names.
    for _ in range(1000):
        target = free_path(wanted)
        try:
            os.link(tmp, target)  # atomic, and fails if the name is taken
            return target
        except FileExistsError:
            continue
        except FileNotFoundError:
            raise  # our temporary file or the folder vanished: nothing to publish
        except OSError:
            break  # no hard links here (FAT, some network shares): see the fallback below
    else:
        raise FileExistsError(errno.EEXIST, "no free name", str(wanted))
    for _ in range(1000):
        target = free_path(wanted)
        if _RENAME_REFUSES_TO_REPLACE:
            # Windows: rename is atomic and refuses an existing name, so there is no window at all.
            try:
                os.rename(tmp, target)
                return target
            except FileExistsError:
                continue
        # POSIX without hard links: rename would replace silently, so the name is taken first with an
        # exclusive create, and only now that the content is complete and on disk. A kill in the two
        # system calls between this create and the rename leaves an empty file under the final name:
        # that is the residual window, microseconds long, instead of the whole write as before.
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666))
        except FileExistsError:
            continue
        try:
            os.replace(tmp, target)  # replaces only the empty placeholder created just above
        except BaseException:
            _unlink_quietly(target)
            raise
        return target
    raise FileExistsError(errno.EEXIST, "no free name", str(wanted))


def _sweep_stale_temps(folder: Path) -> None:
    """Remove our own temporary files that a killed run left in ``folder`` (only old ones)."""
    cutoff = time.time() - STALE_AFTER_SECONDS
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not _TEMP_RE.fullmatch(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            pass  # in use (Windows), already gone, or not ours to remove: leave it


def write_new_file(data: bytes, path: str | os.PathLike) -> Path:
    """Write ``data`` to ``path`` or the next free numbered name, atomically, never overwriting.

    Returns the path written. Raises :class:`OutputFileError` (Vietnamese message) on failure, and
    then leaves nothing behind under an output name.
    """
    wanted = Path(path)
    if wanted.is_dir():
        raise OutputFileError(f"{wanted} là một thư mục; hãy ghi đường dẫn của tệp (thư mục và tên tệp).", wanted)
    folder = wanted.parent
    _make_folder(folder, wanted)
    target = wanted
    try:
        tmp = _write_temp(folder, data)
        try:
            target = _publish(tmp, wanted)
        finally:
            # After a hard link the temporary name is just a second name of the output; a kill
            # before this line leaves it for the sweep, which is harmless either way.
            _unlink_quietly(tmp)
    except OSError as exc:
        raise _output_error(exc, target) from exc
    _fsync_folder(folder)
    _sweep_stale_temps(folder)
    return target


def replace_file(data: bytes, path: str | os.PathLike) -> Path:
    """Write ``data`` to ``path`` atomically, replacing an existing file.

    Only for generated files that are meant to be rebuilt in place (the shipped blank template);
    every document and user file goes through :func:`write_new_file` instead.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputFileError(f"{target} là một thư mục; hãy ghi đường dẫn của tệp (thư mục và tên tệp).", target)
    _make_folder(target.parent, target)
    try:
        tmp = _write_temp(target.parent, data)
        try:
            os.replace(tmp, target)
        except BaseException:
            _unlink_quietly(tmp)
            raise
    except OSError as exc:
        raise _output_error(exc, target) from exc
    _fsync_folder(target.parent)
    return target
