"""Test support for running xlwings macros on Linux, without Excel.

The workflow this module supports (see docs in the project's reference notes on xlwings on Linux):

1. :func:`payload_from_workbook` turns an .xlsx/.xlsm on disk into the JSON payload that xlwings'
   remote engine accepts, so ``xw.Book(json=payload)`` behaves like the workbook open in Excel.
2. A macro's ``run(book)`` runs unchanged against that book; xlwings records every write as an
   "action" in ``book.json()["actions"]``.
3. :func:`apply_actions` replays those actions on a copy of the workbook with openpyxl, so tests can
   re-read the result (openpyxl, or the calamine engine).
4. :func:`libreoffice_recalc_values` recomputes every formula with LibreOffice, because neither
   openpyxl nor XlsxWriter evaluates formulas and cached values can be stale or missing.
5. :func:`render_sheet_png` renders one sheet to a PNG for a visual check.

Everything except the LibreOffice helpers is pure Python. Nothing here needs Excel.
"""

from __future__ import annotations

import collections
import copy
import datetime as dt
import functools
import html
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar, Optional

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.formula.translate import Translator
from openpyxl.styles import PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.cell import (
    column_index_from_string,
    get_column_letter,
    range_boundaries,
)
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo

__all__ = [
    "DEFAULT_CLIENT",
    "SUPPORTED_ACTIONS",
    "LibreOfficeError",
    "LibreOfficeTimeout",
    "apply_actions",
    "count_calls",
    "libreoffice_recalc_values",
    "payload_from_workbook",
    "pdftoppm_available",
    "render_sheet_png",
    "soffice_available",
    "soffice_path",
    "uno_python",
]

# The client name that xlwings' own engine test suite (tests/test_engines) and the Office Scripts
# client send. It is not "Office.js", so Book() checks that the payload version equals the
# installed xlwings version, exactly as it would for a real RunPython/Office Scripts call.
DEFAULT_CLIENT = "Microsoft Office Scripts"

# Excel's serial day 0 for times without a date: Office Scripts turns a time-formatted number into
# a JS Date, i.e. an ISO string on this date.
_EXCEL_TIME_BASE = dt.datetime(1899, 12, 30)

_MACRO_SUFFIXES = {".xlsm", ".xltm", ".xlam"}

# Plain range references in a defined name, e.g. "Sheet1!$A$1:$B$2" or "'Phiếu đảng viên'!$C$3".
# Anything else (formulas, constants, multi-area or whole-row/column names) is not a
# "range" named item for the remote engine's clients, which only send NamedItemType.range.
_NAME_RANGE_RE = re.compile(
    r"^(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^'!\s()+\-*/^&=<>,;\"]+))!"
    r"(?P<ref>\$?[A-Za-z]{1,3}\$?[0-9]+(?::\$?[A-Za-z]{1,3}\$?[0-9]+)?)$"
)

# ISO strings that xlwings' remote engine emits for dates and datetimes in setValues
# (Engine.prepare_xl_data_element: "2021-10-01" and "2021-12-31 23:35:00"); also accept "T" and
# a trailing "Z" as sent by the JS clients. Excel parses such a string into a date when it is
# assigned to Range.Values, so apply_actions does the same.
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?$")

# Excel's sheet size: a range this tall or wide is a whole column or row.
_MAX_ROWS, _MAX_COLUMNS = 1_048_576, 16_384

# Largest number of cells a formatting action may touch. Whole-column/row ranges would otherwise
# make openpyxl create a million cell objects.
_MAX_FORMAT_CELLS = 2_000_000


# --------------------------------------------------------------------------------------------
# 1. Payload
# --------------------------------------------------------------------------------------------


def _xlwings_version() -> str:
    # Imported lazily so that this module can be imported (e.g. for the LibreOffice helpers)
    # even where xlwings is not installed.
    import xlwings

    return xlwings.__version__


def _iso_js(value: dt.datetime) -> str:
    """Format a naive datetime like JavaScript's ``Date.toISOString()``.

    That exact shape (milliseconds plus "Z") is what the JS clients send and what the remote
    engine's reader (``datetime_regex`` + ``fromisoformat(value[:-1])``) turns back into a
    ``datetime``: it drops the final character, so the "Z" is required.
    """
    return value.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _payload_value(value: Any) -> Any:
    """Convert one openpyxl cell value to the JSON type the remote engine expects."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before the number check: bool is an int subclass
        return value
    if isinstance(value, (int, float)):
        # JS numbers arrive as floats; xlwings' own tests compare against 1.0, not 1.
        return float(value)
    if isinstance(value, dt.datetime):
        return _iso_js(value)
    if isinstance(value, dt.date):
        return _iso_js(dt.datetime(value.year, value.month, value.day))
    if isinstance(value, dt.time):
        return _iso_js(dt.datetime.combine(_EXCEL_TIME_BASE.date(), value))
    if isinstance(value, dt.timedelta):
        # openpyxl returns [h]:mm durations as timedelta; Excel holds them as a serial number
        # that Office Scripts would report as a date on the 1899-12-30 epoch.
        return _iso_js(_EXCEL_TIME_BASE + value)
    # Strings, including error values such as "#DIV/0!" (the engine maps those to None on read).
    return str(value)


def _strip_dollars(ref: str) -> str:
    """"$A$1:$B$2" -> "A1:B2": the JS clients send addresses without $ signs."""
    return ref.replace("$", "").upper()


def _range_name_target(attr_text: str | None) -> tuple[str, str] | None:
    """Return (sheet title, address without $) for a plain range defined name, else None."""
    if not attr_text:
        return None
    match = _NAME_RANGE_RE.match(attr_text.strip().lstrip("="))
    if match is None:
        return None
    sheet = match["quoted"].replace("''", "'") if match["quoted"] else match["plain"]
    return sheet, _strip_dollars(match["ref"])


def _name_entries(defined_names: Iterable[DefinedName], positions: dict[str, int],
                  scope: tuple[str, int] | None) -> list[dict]:
    """Describe range-type defined names like the xlwings clients do."""
    entries = []
    for defined in defined_names:
        if defined.name.startswith("_xlnm.") or defined.is_external:
            # Reserved names (print area, filter database) are sheet settings, not named
            # ranges a macro addresses; the clients' test payloads never contain them.
            continue
        target = _range_name_target(defined.attr_text)
        if target is None or target[0] not in positions:
            continue  # formula or constant name: skipped, as the brief and the clients do
        entries.append(
            {
                "name": defined.name,
                "sheet_index": positions[target[0]],
                "address": target[1],
                "scope_sheet_name": scope[0] if scope else None,
                "scope_sheet_index": scope[1] if scope else None,
                "book_scope": scope is None,
            }
        )
    return entries


def _table_entry(table: Table) -> dict:
    """Describe an Excel table (ListObject) the way the remote engine reads it."""
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    headers = (table.headerRowCount is None) or table.headerRowCount > 0
    totals = bool(table.totalsRowCount)

    def rows(first: int, last: int) -> str | None:
        if first > last:
            return None
        return f"{get_column_letter(min_col)}{first}:{get_column_letter(max_col)}{last}"

    body_first = min_row + 1 if headers else min_row
    body_last = max_row - 1 if totals else max_row
    style = table.tableStyleInfo
    return {
        "name": table.displayName or table.name,
        "range_address": _strip_dollars(table.ref),
        "header_row_range_address": rows(min_row, min_row) if headers else None,
        "data_body_range_address": rows(body_first, body_last),
        "total_row_range_address": rows(max_row, max_row) if totals else None,
        "show_headers": headers,
        "show_totals": totals,
        "table_style": (style.name if style is not None and style.name else ""),
        "show_autofilter": table.autoFilter is not None,
        # Newer keys read by xlwings 0.37's remote engine (Table.show_table_style_*,
        # table.rows / table.columns); the Office.js client sends them too.
        "show_table_style_first_column": bool(style is not None and style.showFirstColumn),
        "show_table_style_last_column": bool(style is not None and style.showLastColumn),
        "show_table_style_row_stripes": bool(style is not None and style.showRowStripes),
        "show_table_style_column_stripes": bool(style is not None and style.showColumnStripes),
        "row_count": max_row - min_row + 1,
        "column_count": max_col - min_col + 1,
        "columns": [column.name for column in table.tableColumns],
    }


def _sheet_values(ws) -> list[list[Any]]:
    """Values from A1 to the bottom-right corner of the used range (like the clients send)."""
    max_row, max_col = ws.max_row, ws.max_column
    rows = [
        [_payload_value(value) for value in row]
        for row in ws.iter_rows(min_row=1, max_row=max_row, min_col=1, max_col=max_col,
                                values_only=True)
    ]
    return rows or [[""]]


def _used_range_address(ws) -> str | None:
    """The used range's address, or None for an empty sheet (what the Office.js client sends)."""
    if ws.max_row == 1 and ws.max_column == 1 and ws.cell(1, 1).value is None:
        return None
    return _strip_dollars(ws.calculate_dimension())


def _print_area(ws) -> str | None:
    """The print area as xlwings' desktop engines report it: "$A$1:$D$10" (no sheet name)."""
    area = ws.print_area
    if not area:
        return None
    parts = [part.rsplit("!", 1)[-1] for part in str(area).split(",")]
    return ",".join(parts)


def _selection(ws) -> str | None:
    """The sheet's selected range as an A1 address without $, None if it has several areas."""
    view = ws.sheet_view
    if not view.selection:
        return "A1"
    active_pane = view.pane.activePane if view.pane is not None else None
    chosen = next((s for s in view.selection if s.pane == active_pane), view.selection[0])
    sqref = str(chosen.sqref or chosen.activeCell or "A1")
    if " " in sqref:
        return None  # multi-area selections have no single address in the clients either
    return _strip_dollars(sqref)


_CALC_MODES = {"auto": "Automatic", "manual": "Manual", "autoNoTable": "AutomaticExceptTables"}
_VISIBILITY = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}


def payload_from_workbook(path: str | os.PathLike, sheets: Iterable[str] | None = None, *,
                          client: str = DEFAULT_CLIENT) -> dict:
    """Build the ``xw.Book(json=payload)`` payload for a workbook on disk.

    The workbook is read with openpyxl (``data_only=True``), so formula cells carry the cached
    values that were saved with the file (XlsxWriter writes 0 unless told otherwise).

    Format (as produced by xlwings' clients, see ``xlwings/js/xlwings.ts`` and
    ``xlwings/pro/_xlremote.py``)::

        {"client", "version",
         "book": {"name", "active_sheet_index", "selection", "calculation"},
         "names": [{"name", "sheet_index", "address", "scope_sheet_name",
                    "scope_sheet_index", "book_scope"}],
         "sheets": [{"name", "values", "pictures", "tables", "visibility",
                     "used_range_address", "print_area"}]}

    * ``values`` run from A1 to the used range's bottom-right corner: ``""`` for empty cells,
      floats for numbers, bools as bools, dates/datetimes/times as JS-style ISO strings
      (``"2024-01-05T00:00:00.000Z"``, read back by the engine as ``datetime``), error values as
      their text (read back as ``None``).
    * Only plain range names are listed (book scope first, then sheet scope per sheet);
      formula/constant names and reserved ``_xlnm.*`` names are skipped.
    * ``pictures`` is always empty: openpyxl does not keep picture names.
    * Sheet positions are those of ``wb.worksheets`` (chart sheets are not in the payload), which
      is the ``sheet_position`` that actions refer to.

    Args:
        path: .xlsx or .xlsm file.
        sheets: if given, only these sheets carry values and tables (like the clients'
            ``include`` option); the other sheets are still listed, with ``values == [[]]``, so
            sheet positions stay valid.
        client: the ``client`` field. ``"Office.js"`` unlocks Office.js-only features of the
            engine (alignment, notes, gridlines) and adds the keys that client sends.
    """
    path = Path(path)
    wb = openpyxl.load_workbook(path, data_only=True, keep_links=False)
    try:
        worksheets = list(wb.worksheets)
        positions = {ws.title: ix for ix, ws in enumerate(worksheets)}
        if isinstance(sheets, str):
            sheets = [sheets]  # a lone sheet name, not an iterable of one-letter names
        include = None if sheets is None else list(sheets)
        if include is not None:
            missing = [name for name in include if name not in positions]
            if missing:
                raise KeyError(f"Sheets not in {path.name}: {missing}")

        active = wb.active
        active_index = positions.get(getattr(active, "title", None), 0)

        names = _name_entries(wb.defined_names.values(), positions, None)
        for ix, ws in enumerate(worksheets):
            names += _name_entries(ws.defined_names.values(), positions, (ws.title, ix))

        sheet_entries = []
        for ws in worksheets:
            included = include is None or ws.title in include
            # The used range first: reading values from A1 makes openpyxl create the cells it
            # visits, which would stretch the dimension to A1.
            used = _used_range_address(ws)
            entry = {
                "name": ws.title,
                "values": _sheet_values(ws) if included else [[]],
                "pictures": [],
                "tables": [_table_entry(t) for t in ws.tables.values()] if included else [],
                "visibility": _VISIBILITY.get(ws.sheet_state, "Visible"),
                "used_range_address": used,
                "print_area": _print_area(ws),
            }
            if client == "Office.js":
                entry["show_gridlines"] = ws.sheet_view.showGridLines is not False
                entry["notes"] = [
                    {"address": cell.coordinate}
                    for row in ws.iter_rows() for cell in row if cell.comment is not None
                ] if included else []
            sheet_entries.append(entry)

        calc_mode = wb.calculation.calcMode if wb.calculation is not None else None
        book = {
            "name": path.name,
            "active_sheet_index": active_index,
            "selection": _selection(worksheets[active_index]) if worksheets else None,
            "calculation": _CALC_MODES.get(calc_mode or "auto", "Automatic"),
        }
        return {
            "client": client,
            "version": _xlwings_version(),
            "book": book,
            "names": names,
            "sheets": sheet_entries,
        }
    finally:
        wb.close()


# --------------------------------------------------------------------------------------------
# 2./3. Actions
# --------------------------------------------------------------------------------------------


def count_calls(actions: Iterable[dict] | dict) -> collections.Counter:
    """Count actions by ``func`` name. Accepts ``book.json()`` or its ``["actions"]`` list."""
    if isinstance(actions, dict):
        actions = actions.get("actions", [])
    return collections.Counter(action["func"] for action in actions)


def _hex_to_argb(color: str) -> str:
    """"#C6EFCE" -> "FFC6EFCE" (openpyxl wants ARGB)."""
    value = color.lstrip("#").upper()
    if len(value) != 6 or any(ch not in "0123456789ABCDEF" for ch in value):
        raise ValueError(f"Not a #RRGGBB colour: {color!r}")
    return "FF" + value


def _excel_value(value: Any, cell) -> Any:
    """Turn a setValues entry into what Excel would store, updating the number format."""
    if value is None or value == "":
        return None  # Office.js/VBA: assigning "" empties the cell
    if isinstance(value, str):
        if _ISO_DATE_RE.match(value):
            if cell.number_format == "General":
                cell.number_format = "yyyy-mm-dd"
            return dt.datetime.strptime(value, "%Y-%m-%d")
        if _ISO_DATETIME_RE.match(value):
            if cell.number_format == "General":
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            return dt.datetime.fromisoformat(value.rstrip("Z").replace(" ", "T"))
        # A leading "=" makes openpyxl store a formula, which is what Excel does with it.
    return value


class _Applier:
    """Replays xlwings remote-engine actions on an openpyxl workbook.

    Each public method handles the action ``func`` of the same name and takes the action dict
    (keys ``args``, ``values``, ``sheet_position``, ``start_row``, ``start_column`` (0-based),
    ``row_count``, ``column_count``). The argument layouts follow ``xlwings/pro/_xlremote.py``
    and the reference client ``xlwings/js/xlwings.ts``.
    """

    def __init__(self, wb):
        self.wb = wb

    # ---- addressing -------------------------------------------------------------------------

    def _sheet(self, action: dict):
        position = action.get("sheet_position")
        if position is None:
            raise ValueError(f"Action {action['func']!r} has no sheet_position")
        try:
            return self.wb.worksheets[position]
        except IndexError:
            raise ValueError(
                f"Action {action['func']!r}: no sheet at position {position}") from None

    @staticmethod
    def _bounds(action: dict) -> tuple[int, int, int, int]:
        """(first_row, first_col, last_row, last_col), 1-based, of a range action."""
        row = action["start_row"] + 1
        col = action["start_column"] + 1
        nrows = action.get("row_count") or 1
        ncols = action.get("column_count") or 1
        return row, col, row + nrows - 1, col + ncols - 1

    def _clipped_bounds(self, action: dict, clip: bool = False) -> tuple[int, int, int, int]:
        """Like :meth:`_bounds`, but whole rows/columns ("A:A", "3:3") end at the used area.

        Excel stores a row/column style for those; openpyxl would have to create a million
        cells or dimension entries. ``clip=True`` clips any range that way (right for clearing:
        cells outside the used area hold nothing to clear).
        """
        ws = self._sheet(action)
        r1, c1, r2, c2 = self._bounds(action)
        if clip or (r1 == 1 and r2 >= _MAX_ROWS):
            r2 = min(r2, ws.max_row)
        if clip or (c1 == 1 and c2 >= _MAX_COLUMNS):
            c2 = min(c2, ws.max_column)
        return r1, c1, r2, c2

    def _cells(self, action: dict, clip: bool = False):
        """Yield the cells of a range action (see :meth:`_clipped_bounds` for ``clip``)."""
        ws = self._sheet(action)
        r1, c1, r2, c2 = self._clipped_bounds(action, clip)
        if (r2 - r1 + 1) * (c2 - c1 + 1) > _MAX_FORMAT_CELLS:
            raise NotImplementedError(
                f"{action['func']}: ranges over {_MAX_FORMAT_CELLS} cells are not supported")
        for row in range(r1, r2 + 1):
            for col in range(c1, c2 + 1):
                yield ws.cell(row, col)

    def _ref(self, action: dict) -> str:
        r1, c1, r2, c2 = self._bounds(action)
        return f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"

    # ---- values -------------------------------------------------------------------------------

    def _write(self, ws, row: int, col: int, value: Any) -> None:
        cell = ws.cell(row, col)
        if isinstance(cell, MergedCell):
            # Excel silently keeps only the top-left value of a merged area.
            return
        cell.value = _excel_value(value, cell)

    def setValues(self, action: dict) -> None:
        ws = self._sheet(action)
        values = action["values"]
        if not isinstance(values, list):
            values = [[values]]
        row0, col0 = action["start_row"] + 1, action["start_column"] + 1
        for i, row in enumerate(values):
            if not isinstance(row, list):
                row = [row]
            for j, value in enumerate(row):
                self._write(ws, row0 + i, col0 + j, value)

    def setFormula(self, action: dict) -> None:
        values = action["values"]
        if isinstance(values, list):
            self.setValues(action)
            return
        # A scalar for a bigger range: Excel fills it and adjusts relative references.
        ws = self._sheet(action)
        r1, c1, _, _ = self._bounds(action)
        origin = f"{get_column_letter(c1)}{r1}"
        for cell in self._cells(action):
            if isinstance(values, str) and values.startswith("="):
                self._write(ws, cell.row, cell.column,
                           Translator(values, origin).translate_formula(cell.coordinate))
            else:
                self._write(ws, cell.row, cell.column, values)

    def setFormulaArray(self, action: dict) -> None:
        ws = self._sheet(action)
        formula = action["args"][0]
        ref = self._ref(action)
        r1, c1, _, _ = self._bounds(action)
        ws.cell(r1, c1).value = ArrayFormula(ref, formula)

    def _clear_values(self, action: dict) -> None:
        for cell in self._cells(action, clip=True):
            if not isinstance(cell, MergedCell):
                cell.value = None

    def _unmerge_inside(self, action: dict) -> None:
        # Excel's Clear/ClearFormats also unmerges the merged areas inside the range.
        ws = self._sheet(action)
        r1, c1, r2, c2 = self._bounds(action)
        for merged in list(ws.merged_cells.ranges):
            if (r1 <= merged.min_row and merged.max_row <= r2
                    and c1 <= merged.min_col and merged.max_col <= c2):
                ws.unmerge_cells(merged.coord)

    def _clear_formats(self, action: dict) -> None:
        self._unmerge_inside(action)
        for cell in self._cells(action, clip=True):
            cell._style = StyleArray()

    def rangeClearContents(self, action: dict) -> None:
        self._clear_values(action)

    def rangeClearFormats(self, action: dict) -> None:
        self._clear_formats(action)

    def rangeClear(self, action: dict) -> None:
        self._unmerge_inside(action)
        for cell in self._cells(action, clip=True):
            if not isinstance(cell, MergedCell):  # parts of areas reaching outside the range
                cell.value = None
                cell.hyperlink = None
                cell.comment = None
        self._clear_formats(action)

    def rangeReplaceAll(self, action: dict) -> None:
        old, new, whole, match_case = action["args"]
        flags = 0 if match_case else re.IGNORECASE
        escaped = re.escape(str(old))
        pattern = re.compile(f"^{escaped}$" if whole else escaped, flags)
        for cell in self._cells(action, clip=True):
            if isinstance(cell.value, str):
                # Excel's Replace works on the formula text too, hence no formula special case.
                cell.value = pattern.sub(lambda _m: str(new), cell.value)

    def copyRange(self, action: dict) -> None:
        dest_sheet_ix, dest_address = action["args"][0], action["args"][1]
        if dest_sheet_ix is None:
            raise NotImplementedError("copyRange without destination (clipboard) is not supported")
        src_ws = self._sheet(action)
        dest_ws = self.wb.worksheets[dest_sheet_ix]
        r1, c1, r2, c2 = self._bounds(action)
        dc1, dr1, _, _ = range_boundaries(dest_address.replace("$", ""))
        snapshot = [[src_ws.cell(r, c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        snapshot = [[(cell.coordinate, cell.value, copy.copy(cell._style)) for cell in row]
                    for row in snapshot]
        for i, row in enumerate(snapshot):
            for j, (coordinate, value, style) in enumerate(row):
                target = dest_ws.cell(dr1 + i, dc1 + j)
                if isinstance(value, str) and value.startswith("="):
                    value = Translator(value, coordinate).translate_formula(target.coordinate)
                target.value = value
                target._style = style

    # ---- formats -----------------------------------------------------------------------------

    def setRangeColor(self, action: dict) -> None:
        color = action["args"][0]
        fill = (PatternFill(fill_type=None) if color is None
                else PatternFill(fill_type="solid", fgColor=_hex_to_argb(color)))
        for cell in self._cells(action):
            cell.fill = fill

    def setRangeColors(self, action: dict) -> None:
        ws = self._sheet(action)
        r1, c1, _, _ = self._bounds(action)
        for i, row in enumerate(action["args"][0]):
            for j, color in enumerate(row):
                if color == "keep":
                    continue
                ws.cell(r1 + i, c1 + j).fill = (
                    PatternFill(fill_type=None) if color is None
                    else PatternFill(fill_type="solid", fgColor=_hex_to_argb(color)))

    def setNumberFormat(self, action: dict) -> None:
        for cell in self._cells(action):
            cell.number_format = action["args"][0]

    def addHyperlink(self, action: dict) -> None:
        address, text, tip = (list(action["args"]) + [None, None, None])[:3]
        for cell in self._cells(action):
            if address.startswith("#"):  # a place in this workbook
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=address[1:],
                                           tooltip=tip)
            else:
                cell.hyperlink = Hyperlink(ref=cell.coordinate, target=address, tooltip=tip)
            if text is not None:
                cell.value = text
            elif cell.value is None:
                cell.value = address  # Excel displays the address when there is no text
            if cell.style == "Normal":
                cell.style = "Hyperlink"  # the built-in blue/underlined style Excel applies

    def setFontProperty(self, action: dict) -> None:
        attribute, value = action["args"][0], action["args"][1]
        for cell in self._cells(action):
            font = copy.copy(cell.font)
            if attribute == "bold":
                font.bold = bool(value)
            elif attribute == "italic":
                font.italic = bool(value)
            elif attribute == "size":
                font.sz = float(value)
            elif attribute == "name":
                font.name = value
            elif attribute == "color":
                font.color = None if value is None else _hex_to_argb(value)
            else:
                raise NotImplementedError(f"setFontProperty: unknown attribute {attribute!r}")
            cell.font = font

    # xlwings line style/weight -> OOXML border style. Weight and line style are one attribute
    # in the file format, so each write keeps the other half of the pair.
    _BORDER_STYLES: ClassVar[dict[tuple[str, str], str]] = {
        ("continuous", "hairline"): "hair", ("continuous", "thin"): "thin",
        ("continuous", "medium"): "medium", ("continuous", "thick"): "thick",
        ("dash", "thin"): "dashed", ("dash", "medium"): "mediumDashed",
        ("dash_dot", "thin"): "dashDot", ("dash_dot", "medium"): "mediumDashDot",
        ("dash_dot_dot", "thin"): "dashDotDot", ("dash_dot_dot", "medium"): "mediumDashDotDot",
        ("slant_dash_dot", "medium"): "slantDashDot", ("dot", "thin"): "dotted",
        ("double", "thick"): "double",
    }
    _BORDER_PARTS: ClassVar[dict[str, tuple[str, str]]] = {
        style: pair for pair, style in _BORDER_STYLES.items()}

    def _border_style(self, current: str | None, attribute: str, value: Any) -> str | None:
        line, weight = self._BORDER_PARTS.get(current or "", ("continuous", "thin"))
        if attribute == "line_style":
            if value in (None, "none"):
                return None
            line = value
        else:
            weight = value
        for fallback in (weight, "thin", "medium", "thick"):
            style = self._BORDER_STYLES.get((line, fallback))
            if style:
                return style
        return "thin"

    def setBorderProperty(self, action: dict) -> None:
        side_name, attribute, value = action["args"]
        ws = self._sheet(action)
        r1, c1, r2, c2 = self._bounds(action)
        # Which cell edges a side of the range covers: (cells, openpyxl Border attribute).
        targets = {
            "edge_top": ([(r1, c) for c in range(c1, c2 + 1)], "top"),
            "edge_bottom": ([(r2, c) for c in range(c1, c2 + 1)], "bottom"),
            "edge_left": ([(r, c1) for r in range(r1, r2 + 1)], "left"),
            "edge_right": ([(r, c2) for r in range(r1, r2 + 1)], "right"),
            "inside_vertical": ([(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2)],
                                "right"),
            "inside_horizontal": ([(r, c) for r in range(r1, r2) for c in range(c1, c2 + 1)],
                                  "bottom"),
            "diagonal_down": ([(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)],
                              "diagonal"),
            "diagonal_up": ([(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)],
                            "diagonal"),
        }
        if side_name not in targets:
            raise NotImplementedError(f"setBorderProperty: unknown side {side_name!r}")
        coords, part = targets[side_name]
        for row, col in coords:
            cell = ws.cell(row, col)
            border = copy.copy(cell.border)
            side = copy.copy(getattr(border, part)) or Side()
            if attribute == "color":
                side.color = _hex_to_argb(value)
                if side.style is None:
                    side.style = "thin"  # Excel draws a thin line when only a colour is set
            elif attribute in ("line_style", "weight"):
                side.style = self._border_style(side.style, attribute, value)
            else:
                raise NotImplementedError(f"setBorderProperty: unknown attribute {attribute!r}")
            setattr(border, part, side)
            if side_name == "diagonal_down":
                border.diagonalDown = side.style is not None
            elif side_name == "diagonal_up":
                border.diagonalUp = side.style is not None
            cell.border = border

    def _alignment(self, action: dict, **changes) -> None:
        for cell in self._cells(action):
            alignment = copy.copy(cell.alignment)
            for key, value in changes.items():
                setattr(alignment, key, value)
            cell.alignment = alignment

    def setWrapText(self, action: dict) -> None:
        self._alignment(action, wrap_text=bool(action["args"][0]))

    _HORIZONTAL: ClassVar[dict[str, str]] = {
        "General": "general", "Left": "left", "Center": "center", "Right": "right",
        "Fill": "fill", "Justify": "justify", "CenterAcrossSelection": "centerContinuous",
        "Distributed": "distributed"}
    _VERTICAL: ClassVar[dict[str, str]] = {
        "Top": "top", "Center": "center", "Bottom": "bottom", "Justify": "justify",
        "Distributed": "distributed"}

    def setHorizontalAlignment(self, action: dict) -> None:
        self._alignment(action, horizontal=self._HORIZONTAL[action["args"][0]])

    def setVerticalAlignment(self, action: dict) -> None:
        self._alignment(action, vertical=self._VERTICAL[action["args"][0]])

    def rangeAdjustIndent(self, action: dict) -> None:
        for cell in self._cells(action):
            alignment = copy.copy(cell.alignment)
            alignment.indent = max(0, min(250, int(alignment.indent or 0) + int(action["args"][0])))
            cell.alignment = alignment

    # ---- rows and columns ---------------------------------------------------------------------

    def setColumnWidth(self, action: dict) -> None:
        # The remote engine passes points; OOXML stores character widths. For the default
        # Calibri 11 a character is 7 px plus 5 px padding, at 96 px per 72 pt.
        points = float(action["args"][0])
        chars = max(0.0, (points * 96 / 72 - 5) / 7)
        _, c1, _, c2 = self._clipped_bounds(action)
        ws = self._sheet(action)
        for col in range(c1, c2 + 1):
            ws.column_dimensions[get_column_letter(col)].width = round(chars, 2)

    def setRowHeight(self, action: dict) -> None:
        r1, _, r2, _ = self._clipped_bounds(action)
        ws = self._sheet(action)
        for row in range(r1, r2 + 1):
            ws.row_dimensions[row].height = float(action["args"][0])

    def setRowHidden(self, action: dict) -> None:
        r1, _, r2, _ = self._clipped_bounds(action)
        ws = self._sheet(action)
        for row in range(r1, r2 + 1):
            ws.row_dimensions[row].hidden = bool(action["args"][0])

    def setColumnHidden(self, action: dict) -> None:
        _, c1, _, c2 = self._clipped_bounds(action)
        ws = self._sheet(action)
        for col in range(c1, c2 + 1):
            ws.column_dimensions[get_column_letter(col)].hidden = bool(action["args"][0])

    def _autofit_columns(self, ws, c1: int, c2: int) -> None:
        # Rough stand-in for Excel's measured autofit: longest text + padding, in characters.
        for col in range(c1, min(c2, ws.max_column) + 1):
            longest = 0
            for (value,) in ws.iter_rows(min_col=col, max_col=col, values_only=True):
                if value is not None and not (isinstance(value, str) and value.startswith("=")):
                    longest = max(longest, *(len(line) for line in str(value).split("\n")))
            if longest:
                ws.column_dimensions[get_column_letter(col)].width = min(255, longest * 1.1 + 2)

    def setAutofit(self, action: dict) -> None:
        if action["args"][0] == "columns":
            _, c1, _, c2 = self._bounds(action)
            self._autofit_columns(self._sheet(action), c1, c2)
        # Rows: rows without a custom height are auto-sized by Excel/LibreOffice when the file
        # is opened, so leaving them alone is the faithful choice.

    def setSheetAutofit(self, action: dict) -> None:
        if action["args"][0] == "columns":
            ws = self._sheet(action)
            self._autofit_columns(ws, 1, ws.max_column)

    def rangeMerge(self, action: dict) -> None:
        ws = self._sheet(action)
        r1, c1, r2, c2 = self._bounds(action)
        across = bool(action["args"][0]) if action.get("args") else False
        if across:
            for row in range(r1, r2 + 1):
                if c2 > c1:
                    ws.merge_cells(start_row=row, start_column=c1, end_row=row, end_column=c2)
        elif (r1, c1) != (r2, c2):
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)

    def rangeUnmerge(self, action: dict) -> None:
        ws = self._sheet(action)
        target = CellRange(self._ref(action))
        for merged in list(ws.merged_cells.ranges):
            if not merged.isdisjoint(target):
                ws.unmerge_cells(merged.coord)

    # ---- selection, notes, names ---------------------------------------------------------------

    def _activate(self, ws) -> None:
        # openpyxl leaves tabSelected on the previously active sheet; two selected tabs would
        # open as a sheet group in Excel, so only the active sheet keeps the flag.
        self.wb.active = self.wb._sheets.index(ws)
        for other in self.wb.worksheets:
            other.sheet_view.tabSelected = other is ws

    def rangeSelect(self, action: dict) -> None:
        ws = self._sheet(action)
        self._activate(ws)
        r1, c1, r2, c2 = self._bounds(action)
        ref = self._ref(action) if (r1, c1) != (r2, c2) else f"{get_column_letter(c1)}{r1}"
        selection = ws.sheet_view.selection[0]
        selection.sqref = ref
        selection.activeCell = f"{get_column_letter(c1)}{r1}"

    def addNote(self, action: dict) -> None:
        ws = self._sheet(action)
        address, text = action["args"][0], action["args"][1]
        ws[address.replace("$", "")].comment = Comment(text, "xlwings")

    def setNoteText(self, action: dict) -> None:
        self.addNote(action)

    def deleteNote(self, action: dict) -> None:
        ws = self._sheet(action)
        ws[action["args"][0].replace("$", "")].comment = None

    def _quote(self, title: str) -> str:
        """A sheet name as it must appear in a reference (quoted unless a plain identifier)."""
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", title):
            return title
        return "'" + title.replace("'", "''") + "'"

    def setRangeName(self, action: dict) -> None:
        ws = self._sheet(action)
        name = action["args"][0]
        r1, c1, r2, c2 = self._bounds(action)
        ref = f"${get_column_letter(c1)}${r1}"
        if (r1, c1) != (r2, c2):
            ref += f":${get_column_letter(c2)}${r2}"
        refers_to = f"{self._quote(ws.title)}!{ref}"
        if "!" in name:  # "Sheet1!name" creates a sheet-scoped name, as in Excel
            scope_title, bare = name.rsplit("!", 1)
            scope_title = scope_title.strip("'").replace("''", "'")
            self.wb[scope_title].defined_names[bare] = DefinedName(bare, attr_text=refers_to)
        else:
            self.wb.defined_names[name] = DefinedName(name, attr_text=refers_to)

    def namesAdd(self, action: dict) -> None:
        name, refers_to = action["args"][0], action["args"][1]
        attr_text = refers_to.removeprefix("=")
        if action.get("sheet_position") is None:
            self.wb.defined_names[name] = DefinedName(name, attr_text=attr_text)
        else:
            self._sheet(action).defined_names[name] = DefinedName(name, attr_text=attr_text)

    def _names_scope(self, book_scope: bool, scope_sheet_index: int | None):
        if book_scope:
            return self.wb.defined_names
        return self.wb.worksheets[scope_sheet_index].defined_names

    def nameDelete(self, action: dict) -> None:
        args = action["args"]
        bare, book_scope, scope_ix = args[2], args[4], args[5]
        self._names_scope(book_scope, scope_ix).pop(bare, None)

    def setNameRefersTo(self, action: dict) -> None:
        name, book_scope, scope_ix, value = action["args"]
        attr_text = value.removeprefix("=")
        self._names_scope(book_scope, scope_ix)[name] = DefinedName(name, attr_text=attr_text)

    # ---- sheets -------------------------------------------------------------------------------

    def addSheet(self, action: dict) -> None:
        position, name = action["args"][0], action["args"][1]
        if name is None:
            number = 1
            while f"Sheet{number}" in self.wb.sheetnames:
                number += 1
            name = f"Sheet{number}"
        worksheets = self.wb.worksheets
        # Positions count worksheets only; translate to openpyxl's list, which also holds
        # chart sheets.
        index = (self.wb._sheets.index(worksheets[position]) if position < len(worksheets)
                 else len(self.wb._sheets))
        ws = self.wb.create_sheet(title=name, index=index)
        self._activate(ws)  # Excel activates a sheet it has just added

    def setSheetName(self, action: dict) -> None:
        ws = self._sheet(action)
        old, new = ws.title, action["args"][0]
        ws.title = new
        self._rename_references(old, new)

    def _rename_references(self, old: str, new: str) -> None:
        """Excel rewrites references to a renamed sheet in formulas and defined names."""
        try:  # xlwings' own rename rule; private, so tolerate its absence
            from xlwings.pro._xlremote import _rename_sheet_in_formula
        except ImportError:
            return
        for ws in self.wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        cell.value = _rename_sheet_in_formula(cell.value, old, new)
            for defined in ws.defined_names.values():
                defined.attr_text = _rename_sheet_in_formula("=" + defined.attr_text, old, new)[1:]
        for defined in self.wb.defined_names.values():
            defined.attr_text = _rename_sheet_in_formula("=" + defined.attr_text, old, new)[1:]

    def setSheetVisibility(self, action: dict) -> None:
        ws = self._sheet(action)
        state = {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}
        ws.sheet_state = state[action["args"][0]]
        if ws.sheet_state != "visible" and self.wb.active is ws:
            visible = [w for w in self.wb.worksheets if w.sheet_state == "visible"]
            if visible:
                self._activate(visible[0])

    def activateSheet(self, action: dict) -> None:
        self._activate(self.wb.worksheets[action["args"][0]])

    def setSheetPosition(self, action: dict) -> None:
        ws = self._sheet(action)
        target = self.wb.worksheets[action["args"][0]]
        active = self.wb.active
        self.wb._sheets.remove(ws)
        self.wb._sheets.insert(self.wb._sheets.index(target) + (
            1 if action["args"][0] > action["sheet_position"] else 0), ws)
        if active is not None:
            self.wb.active = self.wb._sheets.index(active)

    def sheetDelete(self, action: dict) -> None:
        ws = self._sheet(action)
        active = self.wb.active
        self.wb.remove(ws)
        # openpyxl keeps the active *index*; Excel keeps the active *sheet* (or, when that is
        # the one deleted, moves to a neighbour).
        if active is not ws and active in self.wb._sheets:
            self.wb.active = self.wb._sheets.index(active)
        elif self.wb.worksheets:
            position = min(action["sheet_position"], len(self.wb.worksheets) - 1)
            self._activate(self.wb.worksheets[position])

    def _whole_sheet(self, action: dict) -> dict:
        ws = self._sheet(action)
        return {**action, "start_row": 0, "start_column": 0,
                "row_count": ws.max_row, "column_count": ws.max_column}

    def sheetClear(self, action: dict) -> None:
        self.rangeClear(self._whole_sheet(action))

    def sheetClearContents(self, action: dict) -> None:
        self.rangeClearContents(self._whole_sheet(action))

    def sheetClearFormats(self, action: dict) -> None:
        self.rangeClearFormats(self._whole_sheet(action))

    def setShowGridlines(self, action: dict) -> None:
        self._sheet(action).sheet_view.showGridLines = bool(action["args"][0])

    def setPrintArea(self, action: dict) -> None:
        ws = self._sheet(action)
        value = action["args"][0]
        if value:
            ws.print_area = value.replace("$", "")
        else:
            ws._print_area = None  # openpyxl's setter has no way to remove it

    def freezePaneAtRange(self, action: dict) -> None:
        ws = self._sheet(action)
        address = action["args"][0].replace("$", "").upper()
        last = address.split(":")[-1]
        letters = re.match(r"[A-Z]*", last).group(0)
        digits = last[len(letters):]
        frozen_cols = column_index_from_string(letters) if letters else 0
        frozen_rows = int(digits) if digits else 0
        # The frozen range is the top-left pane; the split sits just after it.
        ws.freeze_panes = f"{get_column_letter(frozen_cols + 1)}{frozen_rows + 1}"

    def freezePaneUnfreeze(self, action: dict) -> None:
        self._sheet(action).freeze_panes = None

    # ---- tables -------------------------------------------------------------------------------

    def _table(self, action: dict) -> Table:
        tables = list(self._sheet(action).tables.values())
        return tables[action["args"][0]]

    def addTable(self, action: dict) -> None:
        ws = self._sheet(action)
        address, has_headers, style, name = action["args"][:4]
        ref = address.replace("$", "")
        if not has_headers:
            raise NotImplementedError("addTable without headers (Excel inserts a header row)")
        if name is None:
            number = 1
            existing = {t.displayName for w in self.wb.worksheets for t in w.tables.values()}
            while f"Table{number}" in existing:
                number += 1
            name = f"Table{number}"
        table = Table(displayName=name, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name=style or "TableStyleMedium2",
                                              showRowStripes=True)
        ws.add_table(table)

    def setTableName(self, action: dict) -> None:
        table = self._table(action)
        ws = self._sheet(action)
        old = table.displayName
        del ws.tables[old]
        table.name = table.displayName = action["args"][1]
        ws.tables.add(table)

    def setTableStyle(self, action: dict) -> None:
        table = self._table(action)
        if table.tableStyleInfo is None:
            table.tableStyleInfo = TableStyleInfo()
        table.tableStyleInfo.name = action["args"][1]

    def _style_flag(self, action: dict, attribute: str) -> None:
        table = self._table(action)
        if table.tableStyleInfo is None:
            table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2")
        setattr(table.tableStyleInfo, attribute, bool(action["args"][1]))

    def showTableStyleFirstColumn(self, action: dict) -> None:
        self._style_flag(action, "showFirstColumn")

    def showTableStyleLastColumn(self, action: dict) -> None:
        self._style_flag(action, "showLastColumn")

    def showTableStyleRowStripes(self, action: dict) -> None:
        self._style_flag(action, "showRowStripes")

    def showTableStyleColumnStripes(self, action: dict) -> None:
        self._style_flag(action, "showColumnStripes")

    def showAutofilterTable(self, action: dict) -> None:
        from openpyxl.worksheet.filters import AutoFilter

        table = self._table(action)
        table.autoFilter = AutoFilter(ref=table.ref) if action["args"][1] else None

    def resizeTable(self, action: dict) -> None:
        from openpyxl.worksheet.filters import AutoFilter

        ws = self._sheet(action)
        table = self._table(action)
        table.ref = action["args"][1].replace("$", "")
        if table.autoFilter is not None:
            table.autoFilter = AutoFilter(ref=table.ref)
        # Rebuild the column list from the header row, as Excel does when the width changes.
        min_col, min_row, max_col, _ = range_boundaries(table.ref)
        names = [ws.cell(min_row, col).value for col in range(min_col, max_col + 1)]
        if len(names) != len(table.tableColumns):
            table.tableColumns = []
            table._initialise_columns()
            for column, header in zip(table.tableColumns, names):
                if header is not None:
                    column.name = str(header)

    # ---- book ---------------------------------------------------------------------------------

    def calculate(self, action: dict) -> None:
        # openpyxl cannot calculate; ask the next application that opens the file to do it.
        self.wb.calculation.fullCalcOnLoad = True

    def setCalculation(self, action: dict) -> None:
        modes = {"Automatic": "auto", "Manual": "manual", "AutomaticExceptTables": "autoNoTable"}
        self.wb.calculation.calcMode = modes[action["args"][0]]

    def setScreenUpdating(self, action: dict) -> None:
        pass  # display only

    def save(self, action: dict) -> None:
        pass  # apply_actions writes dst_path anyway

    def alert(self, action: dict) -> None:
        pass  # a message box has no effect on the file; count_calls() shows it was raised


# The action funcs apply_actions implements: every public method of _Applier. Anything else the
# remote engine can emit (sorting, charts, pictures, pivots, conditional formats, ...) makes
# apply_actions raise NotImplementedError naming it.
SUPPORTED_ACTIONS = frozenset(
    name for name in dir(_Applier)
    if name[:1].islower() and callable(getattr(_Applier, name))  # helpers start with "_"
)


def apply_actions(src_path: str | os.PathLike, actions: Iterable[dict] | dict,
                  dst_path: str | os.PathLike) -> Path:
    """Apply xlwings remote-engine actions to a copy of a workbook with openpyxl.

    ``actions`` is ``book.json()["actions"]`` (or ``book.json()`` itself). They are applied in
    order; ``sheet_position`` is the index into the workbook's worksheets at the time of the
    action (so an earlier ``addSheet``/``sheetDelete`` shifts later positions, as in Excel).

    Semantics follow what Excel does with the same call:

    * ``setValues``: strings starting with "=" become formulas, ``""``/``None`` empty the cell,
      ISO date strings become dates (with a yyyy-mm-dd format if the cell was General), everything
      else is written as is. Other strings are NOT re-parsed as numbers (Excel would do that for
      e.g. "12"; xlwings sends numbers as numbers anyway).
    * Colours are "#RRGGBB" solid fills; ``None`` removes the fill.
    * Supported funcs: see ``SUPPORTED_ACTIONS``; any other func raises ``NotImplementedError``
      naming it (before anything is written).

    The source is opened with ``keep_vba=True`` for .xlsm/.xltm/.xlam so vbaProject.bin survives.
    openpyxl drops what it does not model (form buttons/VML shapes, pictures, charts, cached
    formula values), so dst_path is for reading results back, not for shipping.

    Returns ``Path(dst_path)``.
    """
    if isinstance(actions, dict):
        actions = actions.get("actions", [])
    actions = list(actions)
    unknown = sorted({a.get("func") for a in actions} - SUPPORTED_ACTIONS, key=str)
    if unknown:
        raise NotImplementedError(
            f"apply_actions does not implement xlwings action(s): {', '.join(map(str, unknown))}")

    src_path, dst_path = Path(src_path), Path(dst_path)
    keep_vba = src_path.suffix.lower() in _MACRO_SUFFIXES
    if keep_vba and dst_path.suffix.lower() not in _MACRO_SUFFIXES:
        # openpyxl would write a macro-enabled package under an .xlsx name, which Excel
        # refuses to open.
        raise ValueError(f"{src_path.name} has macros; dst_path must end in .xlsm, not "
                         f"{dst_path.suffix!r}")
    wb = openpyxl.load_workbook(src_path, keep_vba=keep_vba, keep_links=True)
    applier = _Applier(wb)
    for action in actions:
        getattr(applier, action["func"])(action)
    dst_path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst_path)
    return dst_path


# --------------------------------------------------------------------------------------------
# 4./5./6. LibreOffice
# --------------------------------------------------------------------------------------------


class LibreOfficeError(RuntimeError):
    """LibreOffice could not convert a file."""


class LibreOfficeTimeout(LibreOfficeError, TimeoutError):
    """LibreOffice did not finish within the time limit (its processes were killed)."""


def soffice_path() -> str | None:
    """The LibreOffice executable on PATH (``soffice`` or ``libreoffice``), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_available() -> bool:
    """True if LibreOffice can be started (for ``pytest.mark.skipif``)."""
    return soffice_path() is not None


def pdftoppm_available() -> bool:
    """True if poppler's ``pdftoppm`` (used by :func:`render_sheet_png`) is on PATH."""
    return shutil.which("pdftoppm") is not None


@functools.cache
def uno_python() -> str | None:
    """A Python interpreter that can ``import uno`` (LibreOffice's Python bridge), or None.

    The project's interpreter usually cannot: Debian's python3-uno only installs for the system
    Python. Tried in order: ``$XLSUPPORT_UNO_PYTHON``, this interpreter, ``python3`` on PATH,
    LibreOffice's own bundled ``program/python``, then the conventional system locations.
    """
    candidates = [os.environ.get("XLSUPPORT_UNO_PYTHON"), sys.executable, shutil.which("python3")]
    office = soffice_path()
    if office:
        program = Path(os.path.realpath(office)).parent
        candidates += [str(program / "python"), str(program / "python.exe")]
    candidates += ["/usr/bin/python3", "/usr/local/bin/python3"]
    seen = set()
    for candidate in candidates:
        if not candidate or candidate in seen or not os.path.isfile(candidate):
            continue
        seen.add(candidate)
        try:
            probe = subprocess.run([candidate, "-c", "import uno"], capture_output=True,
                                   timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return candidate
    return None


# The profile setting that makes LibreOffice recalculate every formula on load. Without it,
# files whose app.xml says "Microsoft Excel" (XlsxWriter and openpyxl both write that) keep their
# cached values, e.g. a deliberately wrong "WRONG".
_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


def _kill_group(process: subprocess.Popen) -> None:
    # soffice is a launcher; the real soffice.bin is its child. Killing only the launcher would
    # leave an orphan holding the profile, so the whole process group goes.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _tail(output: bytes, limit: int = 1500) -> str:
    """The end of a process's output: enough to see the error, without a crash dump's bulk."""
    text = output.decode(errors="replace").strip()
    return text if len(text) <= limit else "..." + text[-limit:]


def _soffice_convert(src: Path, target: str, workdir: Path, timeout: float) -> Path:
    """Convert ``src`` with a private, recalculating LibreOffice profile; return the output.

    ``target`` is a ``--convert-to`` argument such as ``"xlsx:Calc MS Excel 2007 XML"``.
    The profile lives in ``workdir`` so parallel calls never share one (LibreOffice allows a
    single running instance per profile and would otherwise hand the job to another process).
    """
    office = soffice_path()
    if office is None:
        raise LibreOfficeError("LibreOffice (soffice) is not installed or not on PATH")
    profile = workdir / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_XCU, encoding="utf-8")
    outdir = workdir / "out"
    outdir.mkdir(exist_ok=True)
    command = [
        office, f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
        "--convert-to", target, "--outdir", str(outdir), str(src),
    ]
    env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp"}  # no X display needed
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise LibreOfficeTimeout(
            f"LibreOffice did not convert {src.name} to {target!r} within {timeout:g} s; "
            "its processes were killed") from None
    extension = target.split(":", 1)[0]
    produced = outdir / f"{src.stem}.{extension}"
    if process.returncode != 0 or not produced.is_file():
        raise LibreOfficeError(
            f"LibreOffice failed to convert {src.name} to {target!r} "
            f"(exit {process.returncode}).\nstdout: {_tail(stdout)}\nstderr: {_tail(stderr)}")
    return produced


def _read_cells(ws, address: str) -> Any:
    """One cell -> its value; a range -> list of rows."""
    address = address.replace("$", "")
    if ":" not in address:
        return ws[address].value
    min_col, min_row, max_col, max_row = range_boundaries(address)
    return [list(row) for row in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col,
                                                max_col=max_col, values_only=True)]


def libreoffice_recalc_values(path: str | os.PathLike, cells: dict[str, list[str]], *,
                              timeout: float = 180) -> dict[str, dict[str, Any]]:
    """Recalculate every formula with LibreOffice and read back the requested cells.

    The workbook is converted to .xlsx by a headless LibreOffice with a throw-away profile whose
    ``registrymodifications.xcu`` sets ``OOXMLRecalcMode`` and ``ODFRecalcMode`` to 0 ("always
    recalculate"), then read with openpyxl ``data_only=True``.

    Args:
        path: .xlsx/.xlsm/.ods file (not modified).
        cells: ``{sheet name: ["A1", "B2:C3", ...]}``.
        timeout: seconds before LibreOffice is killed and :class:`LibreOfficeTimeout` raised.

    Returns:
        ``{sheet: {address: value}}``; a range address maps to a list of rows. Functions
        LibreOffice does not know (e.g. xlwings UDFs) come back as error strings like "#NAME?".

    Raises:
        LibreOfficeError, LibreOfficeTimeout, KeyError (unknown sheet).
    """
    src = Path(path)
    with tempfile.TemporaryDirectory(prefix="xlsupport-recalc-") as tmp:
        workdir = Path(tmp)
        # A private copy under a fixed safe name: the output name derives from the input name,
        # and the source is never touched.
        indir = workdir / "in"
        indir.mkdir()
        copy_path = indir / f"book{src.suffix.lower()}"
        shutil.copyfile(src, copy_path)
        produced = _soffice_convert(copy_path, "xlsx:Calc MS Excel 2007 XML", workdir, timeout)
        wb = openpyxl.load_workbook(produced, data_only=True)
        try:
            return {
                sheet: {address: _read_cells(wb[sheet], address) for address in addresses}
                for sheet, addresses in cells.items()
            }
        finally:
            wb.close()


def _xml_attr(tag: str, name: str) -> str | None:
    match = re.search(rf'\s{re.escape(name)}="([^"]*)"', tag)
    return html.unescape(match.group(1)) if match else None


def _set_xml_attr(tag: str, name: str, value: str | None) -> str:
    """Set (or remove, for None) an attribute in one start tag, leaving the rest untouched."""
    tag = re.sub(rf'\s{re.escape(name)}="[^"]*"', "", tag)
    if value is None:
        return tag
    end = -2 if tag.endswith("/>") else -1
    return f'{tag[:end]} {name}="{html.escape(value, quote=True)}"{tag[end:]}'


def _drop_print_names(xml: str, keep_sheet_index: int) -> str:
    """Remove ``_xlnm.Print_Area``/``_xlnm.Print_Titles`` of every sheet but one."""
    def keep(match: re.Match) -> str:
        tag = match.group(1)
        name, sheet = _xml_attr(tag, "name"), _xml_attr(tag, "localSheetId")
        if name in ("_xlnm.Print_Area", "_xlnm.Print_Titles") and sheet != str(keep_sheet_index):
            return ""
        return match.group(0)

    xml = re.sub(r"(<(?:\w+:)?definedName\b[^>]*>).*?</(?:\w+:)?definedName>", keep, xml,
                 flags=re.DOTALL)
    # An empty <definedNames/> is not valid OOXML; drop the container if nothing is left.
    return re.sub(r"<((?:\w+:)?)definedNames>\s*</\1definedNames>", "", xml)


def _only_sheet_visible(src: Path, dst: Path, sheet_name: str) -> None:
    """Copy a workbook, hiding every sheet but ``sheet_name`` and making it the active tab.

    Done on the raw xl/workbook.xml (a few attributes) rather than through openpyxl, so that
    pictures, shapes, charts and page setup reach LibreOffice exactly as saved.

    The other sheets' print areas and print titles are dropped as well: LibreOffice 7.4 still
    exports a hidden sheet that has a print area (seen with the project's own workbook, where
    page 1 came out as the "Danh sách" list instead of the requested sheet).
    """
    with zipfile.ZipFile(src) as zin:
        xml = zin.read("xl/workbook.xml").decode("utf-8")
        tags = list(re.finditer(r"<(?:\w+:)?sheet\s[^>]*?/>", xml))
        names = [_xml_attr(match.group(0), "name") for match in tags]
        if sheet_name not in names:
            raise KeyError(f"No sheet {sheet_name!r} in {src.name}; sheets: {names}")
        target = names.index(sheet_name)
        pieces, last = [], 0
        for ix, match in enumerate(tags):
            state = None if ix == target else "hidden"
            pieces += [xml[last:match.start()], _set_xml_attr(match.group(0), "state", state)]
            last = match.end()
        xml = "".join(pieces) + xml[last:]
        xml = _drop_print_names(xml, keep_sheet_index=target)
        view = re.search(r"<(?:\w+:)?workbookView\b[^>]*?/?>", xml)
        if view:
            tag = _set_xml_attr(view.group(0), "activeTab", str(target))
            tag = _set_xml_attr(tag, "firstSheet", None)
            xml = xml[:view.start()] + tag + xml[view.end():]
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = xml.encode("utf-8") if item.filename == "xl/workbook.xml" \
                    else zin.read(item.filename)
                zout.writestr(item, data)


def render_sheet_png(path: str | os.PathLike, sheet_name: str, out_png: str | os.PathLike,
                     dpi: int = 80, *, timeout: float = 180, crop: Optional[tuple[float, float, float, float]] = None) -> Path:
    """Render the first printed page of one sheet to a PNG (LibreOffice + pdftoppm).

    All other sheets are hidden in a temporary copy (LibreOffice does not print hidden sheets),
    formulas are recalculated with the same profile as :func:`libreoffice_recalc_values`, the
    copy is exported to PDF and page 1 rasterised with ``pdftoppm -png -r dpi -f 1 -l 1``.
    The sheet's own page setup applies: print area, orientation, fit-to-width, margins.

    ``crop`` = (left, top, width, height) as fractions of the page keeps only that part (for images
    shown small, e.g. in the README).

    Returns ``Path(out_png)``. Raises LibreOfficeError/LibreOfficeTimeout, KeyError for an
    unknown sheet, RuntimeError if pdftoppm is missing or fails (e.g. nothing to print).
    """
    src, out_png = Path(path), Path(out_png)
    if out_png.suffix.lower() != ".png":
        raise ValueError(f"out_png must end in .png: {out_png}")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise RuntimeError("pdftoppm (poppler-utils) is not installed or not on PATH")
    with tempfile.TemporaryDirectory(prefix="xlsupport-render-") as tmp:
        workdir = Path(tmp)
        indir = workdir / "in"
        indir.mkdir()
        single = indir / f"sheet{src.suffix.lower()}"
        _only_sheet_visible(src, single, sheet_name)
        pdf = _soffice_convert(single, "pdf:calc_pdf_Export", workdir, timeout)
        out_png.parent.mkdir(parents=True, exist_ok=True)
        prefix = out_png.with_suffix("")
        area: list[str] = []
        if crop is not None:
            info = subprocess.run(["pdfinfo", "-f", "1", "-l", "1", str(pdf)], capture_output=True, text=True,
                                  timeout=timeout).stdout
            m = re.search(r"Page\s+1 size:\s+([\d.]+) x ([\d.]+)", info) or re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
            width_pt, height_pt = (float(m.group(1)), float(m.group(2))) if m else (842.0, 595.0)
            w_px, h_px = width_pt / 72 * dpi, height_pt / 72 * dpi
            left, top, width, height = crop
            area = ["-x", str(int(left * w_px)), "-y", str(int(top * h_px)), "-W", str(int(width * w_px)),
                    "-H", str(int(height * h_px))]
        result = subprocess.run(
            [pdftoppm, "-png", "-r", str(dpi), "-f", "1", "-l", "1", *area, "-singlefile",
             str(pdf), str(prefix)],
            capture_output=True, timeout=timeout, check=False)
        if result.returncode != 0 or not out_png.is_file():
            raise RuntimeError(
                f"pdftoppm failed for sheet {sheet_name!r} (exit {result.returncode}): "
                f"{result.stderr.decode(errors='replace').strip()}")
    return out_png
