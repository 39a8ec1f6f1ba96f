"""Read the workbook from a file on disk (no Excel): python-calamine, values only, input unchanged.

Each input block is read from its fixed range (the schema's capacity) and handed to the converter
of ``tables`` (``start_case``/``finish_case``, i.e. ``case_from_tables``), the same one the live
macro and the UDFs use. A value past the capacity is an error naming the cell; a file that would
expand past the bounds is refused before calamine loads it (``xlsxguard``); an old-layout workbook
is recognised and sent to ``upgrade``. A big member ballot grid is parsed by calamine in a thread
while the rest is read and the members' part converted (``_SheetRead``): same blocks, same errors.
"""

from __future__ import annotations

import os
import unicodedata
import zipfile
from datetime import date
from pathlib import Path
from typing import Optional

from ..core.inputs import CellError
from ..core.models import Case
from . import schema as S
from .errors import CaseFileError
from .tables import EARLY_BLOCKS, Tables, WorkbookError, finish_case, start_case
from .xlsxguard import NotPlain, PrefixReader, WorkbookTooLarge, inspect, read_bounded, scan_sheet

from .blocks import _CAPACITY, _FREE_COLUMNS, BLOCKS, block_address, block_bounds, extents_from, overflow_problems  # noqa: F401

#: Up to this many cells a block is read from the front of its sheet part (cost grows with the cells
#: read); past it calamine reads the whole sheet faster (cost grows with the sheet, ~1-5 ms).
_PREFIX_CELLS = 3000
#: The first row (0-based) of each block where values are typed per subject (above: headers, counts).
_DATA_TOP = {"roster": S.FIRST_ROW, "scores": S.FIRST_ROW, "criteria": S.FIRST_ROW, "grid": S.GRID_FIRST_ROW,
             "tally": S.TALLY_FIRST_ROW, "cell": S.CELL_FIRST_ROW, "collectives": S.COLL_FIRST_ROW}


def _check_file(path: Path) -> None:
    """Refuse, with a message that says what to do, anything that is not an .xlsx/.xlsm workbook."""
    suffix = path.suffix.lower()
    if suffix in (".xls", ".xlsb"):
        raise CaseFileError(f"tệp {path.name} là định dạng Excel cũ ({suffix}): hãy mở bằng Excel và lưu thành .xlsm")
    try:
        if path.is_dir():
            raise CaseFileError(f"{path.name} là một thư mục, không phải sổ Excel")
        with open(path, "rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise CaseFileError(f"không tìm thấy tệp {path.name}") from None
    except PermissionError:
        raise CaseFileError(f"không mở được {path.name}: tệp đang được mở hoặc bị khóa; hãy đóng tệp trong Excel rồi thử lại") from None
    except OSError as exc:
        raise CaseFileError(f"không đọc được tệp {path.name} (lỗi hệ thống {exc.errno})") from None
    if not head:
        raise CaseFileError(f"tệp {path.name} rỗng (0 byte): hãy mở lại bản đã lưu của sổ")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise CaseFileError(f"tệp {path.name} là định dạng Excel cũ (.xls) hoặc bị mã hóa bằng mật khẩu: hãy lưu thành .xlsm không đặt mật khẩu")
    if not head.startswith(b"PK"):
        raise CaseFileError(f"tệp {path.name} không phải sổ Excel (.xlsm): có thể là tệp văn bản hoặc CSV đổi tên")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "mimetype" in names and b"opendocument" in z.read("mimetype"):
                raise CaseFileError(f"tệp {path.name} là bảng tính LibreOffice (.ods): hãy lưu thành Excel (.xlsm hoặc .xlsx)")
            if "xl/workbook.xml" not in names:
                raise CaseFileError(f"tệp {path.name} không phải sổ Excel (không có phần xl/workbook.xml)")
    except zipfile.BadZipFile:
        raise CaseFileError(f"sổ Excel {path.name} bị hỏng (tệp nén không đọc được): hãy mở lại bản đã lưu trước đó") from None


def _loose(name: str) -> str:
    """A sheet name without case, spaces or tones: "Phieu dang vien" is "Phiếu đảng viên" renamed."""
    base = unicodedata.normalize("NFD", name.casefold().replace("đ", "d"))
    return "".join(ch for ch in base if not unicodedata.combining(ch) and not ch.isspace())


def _layout_problem(names: list[str]) -> Optional[str]:
    if S.SHEET_SCORES not in names and "Phiếu chi bộ" in names:
        return ("sổ theo mẫu cũ (phiên bản 1, trước khi có sheet Chấm điểm và Tập thể): hãy chạy "
                "\"python -m xlwings_addin upgrade SỔ_CŨ.xlsm --out SỔ_MỚI.xlsm\" để chép dữ liệu sang mẫu mới (sổ cũ giữ nguyên)")
    return None


def _open(path: Path):
    # python-calamine reads the cached values of a grid in milliseconds (openpyxl takes seconds),
    # reports merged cells, and never writes: the input file stays untouched.
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception:  # calamine raises its own error types (English text) for damaged archives
        raise CaseFileError(f"sổ Excel {path.name} bị hỏng, không đọc được: hãy mở lại bản đã lưu trước đó") from None


def _merged_in_block(ranges, name: str) -> list[tuple[str, str]]:
    """Problems for merged ranges (top, left, bottom, right; 0-based) that touch an input block."""
    sheet, r1, r2, c2 = BLOCKS[name]
    out = []
    for top, left, bottom, right in ranges:
        if top <= r2 and bottom >= r1 and left <= c2:
            ref = f"{S.addr(top, left)}:{S.addr(bottom, right)}"
            out.append((f"{sheet}!{ref}", "ô bị gộp (merge) trong vùng nhập liệu: hãy bỏ gộp ô (Merge & Center > Unmerge Cells)"))
    return out


def _cut(name: str, rows: list, top: int, left: int) -> tuple[list, list[str]]:
    """Cut a block out of a sheet's rows (anchored at (top, left)); list cells with data past it."""
    sheet, r1, r2, c2 = BLOCKS[name]
    free = _FREE_COLUMNS.get(name, c2)
    block = []
    outside: list[str] = []
    for i, row in enumerate(rows):
        r = top + i
        if r < r1:
            continue
        # calamine's rows are fresh lists, ours to keep: no copy unless the block starts left of them.
        cells = ([""] * left + list(row)) if left else row
        if r > r2:
            for j, v in enumerate(cells):
                if v not in (None, "") and len(outside) < 3:
                    outside.append(S.addr(r, j))
            continue
        if len(cells) > c2 + 1:
            for j in range(max(c2 + 1, free + 1), len(cells)):
                v = cells[j]
                if v not in (None, "") and len(outside) < 3:
                    outside.append(S.addr(r, j))
        block.append(cells if len(cells) <= c2 + 1 else cells[: c2 + 1])
    # Rows above the first data row start the block: pad where calamine began lower.
    first = max(top, r1)
    return [[]] * (first - r1) + block, outside


def _unused_facts_sheet(meeting: list) -> Optional[str]:
    """The per-member sheet of the other regulation, when the workbook's own extents say it is empty.

    Only that sheet is skipped, and only on the saved formula result: at worst a stale result hides
    the warning that data sits in a sheet this year does not use. The sheet that applies is always read.
    """
    def cell(r, c):
        return meeting[r][c] if r < len(meeting) and c < len(meeting[r]) else None

    year = cell(S.MEETING_FIELD_ROWS["review_year"], 2)
    rules = cell(S.MEETING_FIELD_ROWS["rules_id"], 2)
    if not isinstance(year, (int, float)) or isinstance(year, bool) or rules not in (None, ""):
        return None
    key, extent = ("criteria", "criteria_rows") if year >= 2025 else ("scores", "scores_rows")
    value = cell(S.EXTENTS.index(extent), S.EXTENT_COL)
    return key if (value in ("", 0) or value == 0.0) and not isinstance(value, bool) else None


def _put_errors(rows: list, top: int, left: int, errors) -> None:
    """Put a ``CellError`` where a cell shows an error value (calamine reads those as empty text)."""
    for r, c, text in errors:
        i, j = r - top, c - left
        if 0 <= i < len(rows) and 0 <= j < len(rows[i]):
            if not isinstance(rows[i], list):
                rows[i] = list(rows[i])
            rows[i][j] = CellError(text)


class _SheetRead:
    """calamine's read of one sheet in a thread of its own, started as soon as the sheet is scanned.

    calamine releases the GIL while it parses a sheet's XML (most of a big sheet's read: 70-90 ms
    for a 300 x 300 ballot grid), so the biggest sheet is parsed side by side with the scans and
    reads of the others and the first part of the conversion (``read_tables(early=...)``).
    The thread opens the workbook itself: one calamine workbook object is not used from two
    threads at once.
    """

    def __init__(self, path: Path, sheet: str) -> None:
        import threading

        self.path, self.sheet = path, sheet
        self.merged = self.start = self.rows = None
        self.error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, name=f"calamine {sheet}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        wb = None
        try:
            from python_calamine import CalamineWorkbook

            wb = CalamineWorkbook.from_path(str(self.path))
            ws = wb.get_sheet_by_name(self.sheet)
            self.merged = ws.merged_cell_ranges
            self.start = ws.start
            self.rows = ws.to_python(skip_empty_area=False)
        except BaseException as exc:  # handed to the caller's thread, which says what it means
            self.error = exc
        finally:
            close = getattr(wb, "close", None)
            if close:
                close()

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> tuple[list, tuple[int, int], list]:
        """(merged ranges, top-left, rows); raise here what the thread met."""
        self._thread.join()
        if self.error is not None:
            if not isinstance(self.error, Exception):
                raise self.error
            raise _damaged(self.path, self.sheet) from None
        return self.merged, self.start, self.rows


#: The order the blocks are looked at: the first ballot grid calamine must read is read in the
#: background (``_SheetRead``), the others here meanwhile; the member grid is the longest read.
_DISPATCH_ORDER = ("grid", "cell", "roster", "scores", "criteria", "collectives", "tally")
_BACKGROUND = ("grid", "cell")


def read_tables(path: str | os.PathLike, today: Optional[date] = None, early=None) -> Tables:
    """Read the input blocks of a workbook file.

    "Hội nghị" first (calamine, after the scan of ``xlsxguard``), which gives the extents the
    workbook's own formulas computed; then each block only as far as they say, from the front of
    its sheet part. A block that is big, a file without formula results, unusual XML, or a sheet
    whose dimension goes past the template is read the guarded ordinary way: scanned, then by
    calamine (a ballot grid in a thread, ``_SheetRead``) or, for a suspicious sheet, by the bounded
    streaming reader. ``early``, if given, is called while a ballot grid is parsed (or at the end)
    with the blocks read so far, as ``Tables``: the ``tables.EARLY_BLOCKS`` are complete, the
    others may still be empty. Problems and errors are the same, in the same order, as a read block
    after block.
    """
    p = Path(path)
    _check_file(p)
    # calamine may see a sheet only if every cell lies within its block (plus a margin for the
    # template's hints); otherwise the bounded reader reads it (xlsxguard).
    wanted = {sheet: (r2 + 50, max(c2, _FREE_COLUMNS.get(key, c2)) + 50) for key, (sheet, r1, r2, c2) in BLOCKS.items()}
    lazy = frozenset(sheet for key, (sheet, *_r) in BLOCKS.items() if key != "meeting")
    try:
        info = inspect(p, wanted, lazy)
    except WorkbookTooLarge as exc:
        raise CaseFileError(f"sổ Excel {p.name}: {exc}") from None
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError, ValueError):
        raise CaseFileError(f"sổ Excel {p.name} bị hỏng (thiếu hoặc hỏng phần mô tả các sheet): hãy mở lại bản đã lưu trước đó") from None
    wb = _open(p)
    prefix = None
    reads: dict[str, _SheetRead] = {}
    try:
        names = wb.sheet_names
        layout = _layout_problem(names)
        if layout:
            raise CaseFileError(f"{p.name}: {layout}")
        # Each block's outcome: ("rows", rows, problems), ("read", _SheetRead, SheetInfo) or ("error", exc).
        outcome: dict = {}
        sheet, r1, r2, c2 = BLOCKS["meeting"]
        if sheet not in names:
            outcome["meeting"] = _missing(sheet, names)
            skip, extents = None, None
        else:
            si = _scanned(p, info.sheets.get(sheet), wanted[sheet])
            meeting_rows, meeting_problems = (_bounded(p, "meeting", si) if si is None or si.suspicious
                                              else _read_here(p, wb, "meeting", si))
            outcome["meeting"] = ("rows", meeting_rows, meeting_problems)
            skip, extents = None, None
            if si is not None and not si.suspicious:
                # Only from a sheet calamine read: after a suspicious one every block is read in full.
                skip = _unused_facts_sheet(meeting_rows)
                extents = extents_from(meeting_rows)
        order = sorted((k for k in BLOCKS if k != "meeting"), key=_DISPATCH_ORDER.index)
        for key in order:
            sheet, r1, r2, c2 = BLOCKS[key]
            if key == skip:
                outcome[key] = ("rows", [], [])
                continue
            if sheet not in names:
                outcome[key] = _missing(sheet, names)
                continue
            try:
                si = info.sheets.get(sheet)
                bottom, right = block_bounds(key, extents)
                if extents is not None and si is not None and si.last_row is not None and si.last_row <= r2 \
                        and (si.last_col or 0) <= max(c2, _FREE_COLUMNS.get(key, c2)) \
                        and (bottom - r1 + 1) * (right + 1) <= _PREFIX_CELLS:
                    # The file's own formulas say how far the data goes and nothing lies past the
                    # template: read just those rows (the capacity below them is formulas only).
                    try:
                        prefix = prefix or PrefixReader(p)
                        rows = prefix.rows(si.part, r1, bottom, right, _DATA_TOP.get(key))
                        if prefix.last_row is not None and prefix.last_row <= r2:
                            outcome[key] = ("rows", rows, _merged_in_block(prefix.merged, key))
                            continue
                        # Rows past the template's capacity (the dimension said otherwise): the guarded
                        # read below names the cells.
                    except NotPlain:
                        pass  # unusual XML: the ordinary read below
                    except Exception:
                        raise CaseFileError(f"sổ Excel {p.name}: sheet \"{sheet}\" bị hỏng, không đọc được") from None
                si = _scanned(p, si, wanted[sheet])
                if si is None or si.suspicious:
                    outcome[key] = ("rows", *_bounded(p, key, si))
                    continue
                if reads or key not in _BACKGROUND:
                    # One read in the background at a time (two cores are common), and only a ballot
                    # grid: the blocks ``early`` is given are read here.
                    outcome[key] = ("rows", *_read_here(p, wb, key, si))
                    continue
                reads[key] = _SheetRead(p, sheet)
                outcome[key] = ("read", reads[key], si)
            except (CaseFileError, MemoryError) as exc:
                # Kept for its turn: an earlier block's error is the one said, as when read in order.
                outcome[key] = ("error", exc)
        called = early is not None and all(outcome[k][0] == "rows" for k in EARLY_BLOCKS)
        if called:
            early(Tables(**{k: (outcome[k][1] if outcome[k][0] == "rows" else []) for k in BLOCKS}, today=today))
        problems: list[tuple[str, str]] = []
        blocks = {}
        for key, (sheet, r1, r2, c2) in BLOCKS.items():
            kind, *rest = outcome[key]
            if kind == "error":
                raise rest[0]
            if kind == "read":
                read, si = rest
                rest = _calamine_block(key, si, *read.result())
            blocks[key], found = rest
            problems += found
        if any(w in (s for s, *_ in BLOCKS.values()) and m.startswith("thiếu sheet") for w, m in problems):
            raise WorkbookError(problems)
        tables = Tables(**blocks, today=today, overflow=tuple(problems))
        if early is not None and not called:
            early(tables)  # (not reached while only ballot grids are read in the background)
        return tables
    finally:
        for read in reads.values():
            read.wait()  # no thread left reading the file once this returns (Windows locks open files)
        if prefix is not None:
            prefix.close()
        close = getattr(wb, "close", None)
        if close:
            close()


def _missing(sheet: str, names: list[str]) -> tuple:
    similar = [n for n in names if _loose(n) == _loose(sheet)]
    hint = f" (có sheet '{similar[0]}': hãy đổi lại đúng tên)" if similar else ""
    return ("rows", [], [(sheet, f"thiếu sheet '{sheet}'{hint}; không đổi tên hay xóa các sheet của mẫu")])


def _scanned(p: Path, si, bounds: tuple[int, int]):
    """The sheet's info once its XML is scanned (``xlsxguard.scan_sheet``), the messages said here."""
    if si is None or si.scanned:
        return si
    try:
        return scan_sheet(p, si, *bounds)
    except WorkbookTooLarge as exc:
        raise CaseFileError(f"sổ Excel {p.name}: {exc}") from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise CaseFileError(f"sổ Excel {p.name}: sheet \"{si.name}\" bị hỏng, không đọc được") from None


def _bounded(p: Path, key: str, si) -> tuple[list, list]:
    """Read only the block, streaming: a stray cell far away must not cost gigabytes."""
    sheet, r1, r2, c2 = BLOCKS[key]
    try:
        rows, outside = read_bounded(p, si.part, r1, r2, max(c2, _FREE_COLUMNS.get(key, c2))) if si else ([], [])
    except Exception:
        raise CaseFileError(f"sổ Excel {p.name}: sheet \"{sheet}\" bị hỏng, không đọc được") from None
    return [row[: c2 + 1] for row in rows], overflow_problems(key, sheet, outside)


def _damaged(p: Path, sheet: str) -> CaseFileError:
    return CaseFileError(f"sổ Excel {p.name}: sheet \"{sheet}\" bị hỏng, không đọc được (dữ liệu XML bị cắt hoặc sai)")


def _read_here(p: Path, wb, key: str, si) -> tuple[list, list]:
    """calamine's read of a scanned sheet, in this thread."""
    try:
        ws = wb.get_sheet_by_name(BLOCKS[key][0])
        merged, start, rows = ws.merged_cell_ranges, ws.start, ws.to_python(skip_empty_area=False)
    except Exception:
        raise _damaged(p, BLOCKS[key][0]) from None
    return _calamine_block(key, si, merged, start, rows)


def _calamine_block(key: str, si, merged, start, rows) -> tuple[list, list]:
    """A block from calamine's rows of its sheet: error values put back, cut out; merged ranges and
    cells past the block as problems (the same whether read here or in the background)."""
    top, left = start or (0, 0)
    _put_errors(rows, top, left, si.errors)
    block, outside = _cut(key, rows, top, left)
    problems = _merged_in_block([(t, l, b, r) for (t, l), (b, r) in merged or []], key)
    return block, problems + overflow_problems(key, BLOCKS[key][0], outside)


def read_workbook(path: str | os.PathLike, today: Optional[date] = None, meanwhile=None) -> Case:
    """Read a workbook file as a case; raise ``CaseFileError`` naming the sheet and cell when it cannot.

    The members' part of the conversion (``start_case``) and the caller's ``meanwhile`` (no
    arguments) run while the ballot grid is parsed in the background.
    """
    started: list = []

    def early(blocks: Tables) -> None:
        try:
            started.append(start_case(blocks))
        except Exception:
            pass  # said in its turn below, after any error of the read (as read block after block)
        if meanwhile is not None:
            meanwhile()

    tables = read_tables(path, today, early)  # a read that returns has called ``early`` once
    return finish_case(started[0] if started else start_case(tables), tables)
