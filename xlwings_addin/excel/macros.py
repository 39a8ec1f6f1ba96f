"""The buttons: RunPython targets and the ``run(book)`` functions they call.

Each ``run_*`` function takes an ``xw.Book`` (a real workbook through Excel, or xlwings' remote
engine in tests), reads each input block in one call, runs the core and writes each output block in
one call: the number of Excel round trips does not grow with the roster. Nothing is written into
an input sheet by ``run``. The entry points (``tinh_ket_qua`` ...) catch every error and show it as a
Vietnamese message box instead of a traceback.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Optional

from ..core.batch import without_gc
from ..core.inputs import CellError
from ..core.result import Result
from ..engine import compute
from ..io import schema as S
from ..io.errors import CaseFileError
from ..io.output import error_block, results_block, safe_text, summary_block, warnings_block
from ..io.tables import Tables, WorkbookError, case_from_tables
from ..io.blocks import _CAPACITY, _FREE_COLUMNS, BLOCKS, block_bounds, extents_from, overflow_problems

TITLE = "Xếp loại chất lượng"


def _sheet(book, name: str):
    try:
        return book.sheets[name]
    except Exception:  # xlwings raises different errors per engine for a missing sheet
        raise WorkbookError([(name, f"thiếu sheet '{name}'; không đổi tên hay xóa các sheet của mẫu")]) from None


def read_tables_live(book) -> Tables:
    """Read the input blocks: first "Hội nghị" with the extents, then each block only as far as it holds data.

    A constant number of calls whatever the roster (one per block), and a payload that grows with the
    roster, not with the template's capacity.
    """
    sheet, r1, r2, c2 = BLOCKS["meeting"]
    meeting = _errors_marked(_sheet(book, sheet).range(f"A{r1 + 1}:{S.col(c2)}{r2 + 1}")
                             .options(ndim=2, err_to_str=True).value)
    extents = extents_from(meeting)
    blocks = {"meeting": meeting}
    for key, (sheet, r1, r2, c2) in BLOCKS.items():
        if key == "meeting":
            continue
        bottom, right = block_bounds(key, extents)
        blocks[key] = _errors_marked(_sheet(book, sheet).range(f"A{r1 + 1}:{S.col(right)}{bottom + 1}")
                                     .options(ndim=2, err_to_str=True).value)
    return Tables(**blocks, overflow=tuple(_past_capacity(book)))


_EXCEL_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA", "#SPILL!",
                           "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!"})


def _errors_marked(rows) -> list:
    """Rows with each Excel error value as a ``CellError``: read as None (xlwings' default) a #DIV/0! in a
    ballot cell would be a blank line, counted without a word; the input layer refuses it at its cell."""
    rows = rows or []
    for row in rows:
        if row and any(v.__class__ is str and v in _EXCEL_ERRORS for v in row):
            row[:] = [CellError(v) if v.__class__ is str and v in _EXCEL_ERRORS else v for v in row]
    return rows


#: How far past a block the live reader looks for the cells that make a used range too big (rows, columns).
_STRIP = 100
_A1 = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})$")


def _last_cell(address: str) -> Optional[tuple[int, int]]:
    """(row0, col0) of the bottom-right cell of an address such as "$A$1:$XFD$1048576"."""
    m = _A1.match(str(address or "").split("!")[-1].split(":")[-1].strip())
    return (int(m.group(2)) - 1, S.col_index(m.group(1))) if m else None


def _past_capacity(book) -> list[tuple[str, str]]:
    """Problems for data past each input block, from the sheet's used range (like the file reader's check).

    The blocks above are read only as far as the extents say, so a member typed below the last row
    of the template, or a ballot right of its last column, would be left out without a word. One call
    per sheet asks for the used range; only a sheet whose used range goes past its block costs up to
    three more (the rows and columns just past it, then the used range's last cell): a constant number
    of Excel round trips whatever the roster, and never a read of the whole sheet.
    """
    problems: list[tuple[str, str]] = []
    for key, (sheet_name, r1, r2, c2) in BLOCKS.items():
        right = max(c2, _FREE_COLUMNS.get(key, c2))
        sheet = _sheet(book, sheet_name)
        last = _last_cell(sheet.used_range.address)
        if last is None or (last[0] <= r2 and last[1] <= right):
            continue
        last_row, last_col = last
        found: list[str] = []
        if last_row > r2:  # the rows just below the block, across its columns and a little more
            bottom, edge = min(last_row, r2 + _STRIP), min(last_col, right + _STRIP)
            found += _filled(sheet, r2 + 1, 0, bottom, edge)
        if last_col > right and len(found) < 3:  # the columns just right of the block, along its rows
            found += _filled(sheet, r1, right + 1, r2, min(last_col, right + _STRIP))
        if not found:
            corner = S.addr(last_row, last_col)
            value = sheet.range(corner).value
            if value not in (None, ""):
                found.append(corner)
            elif last_row > r2 + _STRIP or last_col > right + _STRIP:
                problems.append((f"{sheet_name}!{corner}",
                                 f"sheet \"{sheet_name}\" có ô được dùng đến {corner}, ngoài vùng nhập liệu của mẫu ({_CAPACITY[key]}): "
                                 "nếu ở đó có dữ liệu thì dữ liệu không được tính; hãy xóa các dòng, cột thừa sau vùng nhập liệu "
                                 "(chọn, bấm chuột phải > Delete) rồi bấm lại"))
                continue
        problems += overflow_problems(key, sheet_name, found[:3])
    return problems


def _filled(sheet, top: int, left: int, bottom: int, right: int) -> list[str]:
    """Addresses of the first cells with a value in a rectangle (0-based, inclusive), read in one call."""
    rows = sheet.range(f"{S.addr(top, left)}:{S.addr(bottom, right)}").options(ndim=2).value or []
    out = []
    for i, row in enumerate(rows):
        for j, v in enumerate(row or []):
            if v is not None and not (isinstance(v, str) and not v.strip()):
                out.append(S.addr(top + i, left + j))
                if len(out) == 3:
                    return out
    return out


def _safe(block: list[list]) -> list[list]:
    return [[safe_text(v) if v is not None else "" for v in row] for row in block]


def _clear_and_write(sheet, first_row0: int, width: int, block: list[list]) -> None:
    last = first_row0 + S.OUTPUT_MAX_ROWS + 20
    sheet.range(f"A{first_row0 + 1}:{S.col(width - 1)}{last}").clear_contents()
    sheet.range(f"A{first_row0 + 1}").value = _safe(block)


def write_outputs(book, result: Result, party_cell: str, case=None) -> None:
    """Write the results, warnings and summary sheets: one clear and one write each, whatever the roster size."""
    _clear_and_write(_sheet(book, S.SHEET_RESULTS), 0, len(S.RESULTS_HEADERS), results_block(result, party_cell))
    if case is not None:
        _clear_and_write(_sheet(book, S.SHEET_SUMMARY), S.SUMMARY_META_ROW, len(S.SUMMARY_HEADERS), summary_block(case, result))
    block = warnings_block(result)
    warnings = _sheet(book, S.SHEET_WARNINGS)
    _clear_and_write(warnings, S.WARNINGS_HEADER_ROW, len(S.WARNINGS_HEADERS), block)
    # Long messages wrap: let Excel size the rows (one call, whatever the number of findings).
    first = S.WARNINGS_FIRST_ROW + 1
    warnings.range(f"A{first}:A{first + len(block)}").rows.autofit()


def run(book, shown: Optional[list] = None) -> Result:
    """"Tính kết quả": read, compute, write the outputs. Raises ``WorkbookError`` for bad input.

    ``shown`` collects the name of a sheet that had to be shown again (see :func:`_show_year_sheet`).
    """
    try:
        case = without_gc(case_from_tables, read_tables_live(book))
    except WorkbookError as exc:
        # Show every bad cell on the warnings sheet as well, with links, then re-raise for the message box.
        _clear_and_write(_sheet(book, S.SHEET_WARNINGS), S.WARNINGS_HEADER_ROW, len(S.WARNINGS_HEADERS), error_block(exc.problems))
        raise
    result = without_gc(compute, case)
    write_outputs(book, result, case.meeting.party_cell, case)
    name = _show_year_sheet(book, case.meeting.review_year)
    if name and shown is not None:
        shown.append(name)
    return result


def year_sheet(review_year: int) -> str:
    """The sheet where this review year's member facts are typed (scores from 2025, criteria before)."""
    return S.SHEET_SCORES if review_year >= 2025 else S.SHEET_CRITERIA


def _show_year_sheet(book, review_year: int) -> Optional[str]:
    """Show the year's facts sheet if a filled workbook had it hidden (the year was changed). Returns its name then."""
    name = year_sheet(review_year)
    sheet = _sheet(book, name)
    try:
        hidden = sheet.visible is False
    except Exception:  # an engine that cannot tell: leave the sheets as they are
        return None
    if hidden:
        sheet.visible = True
        return name
    return None


def _summary_message(result: Result) -> str:
    errors = [f for f in result.findings if f.severity.value == "error"]
    warnings = [f for f in result.findings if f.severity.value == "warning"]
    by = result.summary["by_level"]
    text = (f"Đã tính xong: HTXSNV {by['HTXSNV']}, HTTNV {by['HTTNV']}, HTNV {by['HTNV']}, KHTNV {by['KHTNV']}.\n"
            f"Lỗi: {len(errors)}; cảnh báo: {len(warnings)} (xem sheet \"{S.SHEET_WARNINGS}\").")
    if errors:
        text += "\n\nCòn lỗi: kết quả chưa dùng được, hãy sửa dữ liệu theo sheet Cảnh báo."
    return text


def _book_folder(book) -> tuple[Path, str]:
    """Where to save documents: next to the workbook; a note when that is not possible (OneDrive URL)."""
    fullname = str(book.fullname)
    if fullname.lower().startswith(("http://", "https://")):
        # A workbook opened from OneDrive/SharePoint has a URL as its name: save in Documents instead.
        docs = Path.home() / "Documents"
        return (docs if docs.is_dir() else Path.home()), "Sổ đang mở từ OneDrive nên tệp được lưu vào thư mục Documents."
    folder = Path(fullname).parent
    if not folder.is_dir():
        return Path.home(), "Sổ chưa được lưu vào một thư mục nên tệp được lưu vào thư mục cá nhân."
    return folder, ""


def _computed(book):
    """Read and compute for a document button; refuse (with the warnings sheet written) while errors remain."""
    case = case_from_tables(read_tables_live(book))
    result = compute(case)
    if result.has_errors:
        write_outputs(book, result, case.meeting.party_cell, case)
        raise CaseFileError("Kết quả còn lỗi nên chưa xuất văn bản: hãy sửa dữ liệu theo sheet Cảnh báo rồi bấm lại.")
    return case, result


def run_export(book, kinds=("minutes", "count-minutes"), folder: Optional[Path] = None) -> list[Path]:
    """"Xuất biên bản": compute, then write the documents next to the workbook (never overwriting).

    A kind this meeting has no use for is left out (no vote-count minutes when nothing was balloted).
    """
    from ..documents.export import applicable_kinds, default_name, export

    case, result = _computed(book)
    target = folder or _book_folder(book)[0]
    return [export(kind, case, result, target / default_name(kind, case))[0] for kind in applicable_kinds(case, result, kinds)]


PACK_KINDS = ("extract", "report", "forms", "notice")


def run_pack(book, folder: Optional[Path] = None) -> tuple[list[Path], list[str]]:
    """"Xuất hồ sơ gửi cấp ủy": the extract, the report, the score forms and (once decided) the notice.

    Returns the files written and, for each paper not made, why (e.g. the notice before the decision).
    """
    from ..documents.export import KINDS, default_name, export, not_applicable

    case, result = _computed(book)
    target = folder or _book_folder(book)[0]
    written, skipped = [], []
    for kind in PACK_KINDS:
        reason = not_applicable(kind, case, result)
        if reason:
            skipped.append(f"{KINDS[kind][1]}: {reason}")
            continue
        written.append(export(kind, case, result, target / default_name(kind, case))[0])
    return written, skipped


def run_ballots(book, folder: Optional[Path] = None, messages: Optional[list] = None) -> tuple[Path, bool]:
    """"In phiếu": write the ballots document and fill the grid's names if the grid has none yet.

    Returns the ballots path and whether the grid's names were filled. Names already in the grid are
    never replaced: if they differ from the roster, the user is told instead.
    """
    from ..core.models import Hands, Tally
    from ..documents.export import default_name, export

    tables = read_tables_live(book)
    case = case_from_tables(tables)
    result = compute(case)
    names = [m.name for m in result.members if m.reviewed]
    grid_names = [row[1] for row in tables.grid[S.GRID_FIRST_ROW - S.GRID_HEADER_ROW:] if len(row) > 1 and row[1] not in (None, "")]
    filled = False
    if isinstance(case.member_votes, (Tally, Hands)):
        pass  # counted by hand or by a show of hands: the grid stays as it is
    elif not grid_names:
        sheet = _sheet(book, S.SHEET_GRID)
        sheet.range(f"B{S.GRID_FIRST_ROW + 1}").options(transpose=True).value = [safe_text(n) for n in names]
        filled = True
    elif grid_names != names:
        raise CaseFileError(f"Lưới phiếu ở sheet \"{S.SHEET_GRID}\" đã có họ tên khác danh sách hiện tại; phần mềm không ghi đè. "
                            "Nếu chưa nhập phiếu, hãy xóa cột họ tên của lưới phiếu rồi bấm lại.")
    target = folder or _book_folder(book)[0]
    path, _ = export("ballots", case, result, target / default_name("ballots", case))
    if messages is not None:
        from ..documents.export import ballot_message

        messages.append(ballot_message(case, result))
    return path, filled


def compile_package() -> str:
    """Compile the package's byte code if it is missing or stale, and say so in one line.

    RunPython starts Python with -B, which never writes byte code: without it every click compiles
    the package again (about a tenth of a second). Writing it once here makes every later click fast.
    """
    import compileall
    import importlib.util

    folder = Path(__file__).resolve().parent.parent
    probe = folder / "engine" / "compute.py"
    cached = Path(importlib.util.cache_from_source(str(probe)))
    if cached.exists() and cached.stat().st_mtime >= probe.stat().st_mtime:
        return "Mã Python đã được biên dịch sẵn."
    try:
        ok = compileall.compile_dir(str(folder), quiet=1, force=False)
    except OSError:
        ok = False
    if ok:
        return "Đã biên dịch sẵn mã Python: các lần bấm nút sau chạy nhanh hơn."
    return "! Không ghi được mã biên dịch vào thư mục phần mềm (thư mục chỉ đọc): nút bấm vẫn chạy, nhưng chậm hơn."


def environment_report(book=None) -> list[str]:
    """Check Python, xlwings, the package and the workbook's place; return lines of advice."""
    import platform
    import tempfile

    import xlwings

    from .. import __version__

    lines = [f"Python {platform.python_version()} ({sys.executable})"]
    if sys.version_info < (3, 10):
        lines.append("! Cần Python 3.10 trở lên: hãy cài bản mới từ python.org.")
    expected = "0.37.8"
    lines.append(f"xlwings {xlwings.__version__}" + ("" if xlwings.__version__ == expected else
                                                      f" ! sổ mẫu dùng xlwings {expected}: chạy python -m pip install xlwings=={expected}"))
    lines.append(f"Gói xlwings_addin {__version__}")
    lines.append(compile_package())
    from ..documents.export import templates_dir

    tdir = templates_dir()
    lines.append("Mẫu biên bản: có" if (tdir / "bien_ban_hoi_nghi.docx").exists() else
                 f"! Không tìm thấy mẫu biên bản (thư mục {tdir.name}); hãy cài lại phần mềm.")
    if book is not None:
        fullname = str(book.fullname)
        folder, note = _book_folder(book)
        lines.append(f"Sổ: {Path(fullname).name}")
        if note:
            lines.append("! " + note)
        try:
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".~kiemtra", delete=True):
                pass
            lines.append("Thư mục của sổ: ghi được.")
        except OSError:
            lines.append("! Không ghi được vào thư mục của sổ: hãy lưu sổ vào thư mục Documents.")
        if os.name == "nt" and not note and Path(fullname + ":Zone.Identifier").exists():
            lines.append("! Tệp còn dấu \"tải từ Internet\": đóng sổ, bấm chuột phải > Properties > Unblock.")
    return lines


# --------------------------------------------------------------------------- RunPython entry points


def _alert(book, message: str, mode: str = "info") -> None:
    try:
        book.app.alert(message, title=TITLE, mode=mode)
    except Exception:
        print(message)


def _guarded(action):
    import xlwings as xw

    book = xw.Book.caller()
    try:
        return action(book)
    except WorkbookError as exc:
        _alert(book, "Dữ liệu chưa hợp lệ (xem sheet Cảnh báo):\n" + "\n".join(f"- {w}: {m}" for w, m in exc.problems[:10]), "critical")
    except CaseFileError as exc:
        _alert(book, str(exc), "critical")
    except Exception as exc:  # the user must never see a traceback
        _alert(book, f"Lỗi không mong đợi: {type(exc).__name__}: {exc}\nHãy bấm \"Kiểm tra môi trường\".", "critical")


def tinh_ket_qua() -> None:
    """Button "Tính kết quả"."""
    def action(book):
        shown: list = []
        result = run(book, shown)
        _sheet(book, S.SHEET_RESULTS).activate()
        message = _summary_message(result)
        for name in shown:
            message += f"\n\nSheet \"{name}\" (dùng cho năm {result.review_year}) đã được hiện lại để nhập số liệu."
        _alert(book, message, "critical" if result.has_errors else "info")
    _guarded(action)


def xuat_bien_ban() -> None:
    """Button "Xuất biên bản"."""
    def action(book):
        paths = run_export(book)
        note = _book_folder(book)[1]
        _alert(book, "Đã lưu:\n" + "\n".join(str(p) for p in paths) + (f"\n{note}" if note else ""))
    _guarded(action)


def xuat_ho_so() -> None:
    """Button "Xuất hồ sơ gửi cấp ủy"."""
    def action(book):
        paths, skipped = run_pack(book)
        note = _book_folder(book)[1]
        text = "Đã lưu:\n" + "\n".join(str(p) for p in paths)
        if skipped:
            text += "\n\nChưa làm:\n" + "\n".join(f"- {s}" for s in skipped)
        _alert(book, text + (f"\n{note}" if note else ""))
    _guarded(action)


def in_phieu() -> None:
    """Button "In phiếu"."""
    def action(book):
        messages: list = []
        path, filled = run_ballots(book, messages=messages)
        extra = "\nĐã điền họ tên vào lưới phiếu." if filled else ""
        _alert(book, "\n".join([f"Đã lưu phiếu để in: {path}{extra}", *messages]))
    _guarded(action)


def kiem_tra_moi_truong() -> None:
    """Button "Kiểm tra môi trường"."""
    def action(book):
        lines = environment_report(book)
        bad = any(line.startswith("!") for line in lines)
        _alert(book, "\n".join(lines) + ("" if bad else "\n\nMọi thứ sẵn sàng."), "critical" if bad else "info")
    _guarded(action)
