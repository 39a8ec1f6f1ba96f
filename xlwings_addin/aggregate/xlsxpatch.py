"""Change a few cells of an .xlsm/.xlsx file by editing only their XML (every other part left as it was).

Why not openpyxl: loading and saving a workbook rewrites every part and drops what openpyxl does
not model (the VBA project survives only with keep_vba, form controls, data validations of other
kinds, the cached formula values...). The committee's decision must not disturb the chi bộ's signed
data, so here the zip is copied entry by entry with the same names, order and compression, and only
the XML of the edited sheets changes, and inside it only the edited cells (plus, where a new cell
falls outside them, the row's ``spans`` hint and the sheet's ``dimension``). Values are written as
inline strings, so the shared-string table is not touched either; Excel turns them into shared
strings at its next save.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from typing import Callable, Optional
from xml.etree.ElementTree import fromstring
from xml.sax.saxutils import escape

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_REF = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
_CTRL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


class PatchError(ValueError):
    """The file cannot be edited safely; the message is Vietnamese."""


def col_number(letters: str) -> int:
    """1-based column number of "A", "AV"..."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def col_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part path inside the zip, from xl/workbook.xml and its relationships."""
    rels_root = fromstring(z.read("xl/_rels/workbook.xml.rels"))
    rels = {}
    for el in rels_root:
        target = el.get("Target", "")
        rels[el.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    out = {}
    for el in fromstring(z.read("xl/workbook.xml")).iter(f"{_NS}sheet"):
        rid = el.get(f"{_REL_NS}id")
        if rid in rels:
            out[el.get("name")] = rels[rid]
    return out


def _cell_xml(ref: str, value, style: Optional[str]) -> bytes:
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>'.encode()
    if isinstance(value, bool):
        value = "x" if value else ""
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'.encode()
    text = _CTRL.sub("", str(value))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'.encode("utf-8")


def _attr(tag: bytes, name: bytes) -> Optional[bytes]:
    m = re.search(rb'(?<=\s)' + name + rb'="([^"]*)"', tag)
    return m.group(1) if m else None


def _col_styles(xml: bytes) -> list[tuple[int, int, bytes]]:
    out = []
    cols = re.search(rb"<cols>(.*?)</cols>", xml, re.S)
    if cols:
        for m in re.finditer(rb"<col\s[^>]*>", cols.group(1)):
            tag = m.group(0)
            lo, hi, st = _attr(tag, b"min"), _attr(tag, b"max"), _attr(tag, b"style")
            if lo and hi and st:
                out.append((int(lo), int(hi), st))
    return out


def _style_for(col: int, cols: list, row_tag: bytes) -> Optional[str]:
    # A new cell looks like the column (what Excel shows for an empty cell there), else like the row.
    for lo, hi, st in cols:
        if lo <= col <= hi:
            return st.decode()
    if _attr(row_tag, b"customFormat") in (b"1", b"true"):
        st = _attr(row_tag, b"s")
        return st.decode() if st else None
    return None


_ROW = re.compile(rb"<row\s[^>]*?(?<=\s)r=\"(\d+)\"[^>]*?(/>|>)")
_CELL = re.compile(rb"<c\s[^>]*?(/>|>.*?</c>)", re.S)


def _edit_row(content: bytes, row_tag: bytes, edits: dict[int, tuple[str, object]], cols: list) -> bytes:
    """The row's content with the edited cells replaced or inserted in column order."""
    cells = []
    for m in _CELL.finditer(content):
        tag_end = content.index(b">", m.start())
        ref = _attr(content[m.start():tag_end + 1], b"r")
        if ref is None:
            raise PatchError("ô không ghi địa chỉ (thuộc tính r) trong XML của sheet")
        cm = _REF.match(ref.decode())
        if not cm:
            raise PatchError(f"địa chỉ ô '{ref.decode()}' không hợp lệ trong XML của sheet")
        cells.append((col_number(cm.group(1)), m.start(), m.end(), content[m.start():tag_end + 1]))
    pieces, pos = [], 0
    pending = dict(sorted(edits.items()))
    for col, start, end, tag in cells:
        for c in [c for c in pending if c < col]:
            ref, value = pending.pop(c)
            pieces += [content[pos:start], _cell_xml(ref, value, _style_for(c, cols, row_tag))]
            pos = start
        if col in pending:
            ref, value = pending.pop(col)
            style = _attr(tag, b"s")
            pieces += [content[pos:start], _cell_xml(ref, value, style.decode() if style else None)]
            pos = end
    tail = b"".join(_cell_xml(ref, value, _style_for(c, cols, row_tag)) for c, (ref, value) in pending.items())
    # New cells after the last existing one go before anything that is not a cell (a row's extLst).
    rest = content[pos:]
    ext = rest.find(b"<extLst")
    if ext >= 0:
        return b"".join(pieces) + rest[:ext] + tail + rest[ext:]
    return b"".join(pieces) + rest + tail


def _widen_spans(row_tag: bytes, cols: list[int]) -> bytes:
    spans = _attr(row_tag, b"spans")
    if not spans or b":" not in spans:
        return row_tag
    lo, hi = (int(x) for x in spans.split(b":")[:2])
    nlo, nhi = min([lo, *cols]), max([hi, *cols])
    if (nlo, nhi) == (lo, hi):
        return row_tag
    return row_tag.replace(b'spans="' + spans + b'"', f'spans="{nlo}:{nhi}"'.encode(), 1)


def _widen_dimension(xml: bytes, max_row: int, max_col: int) -> bytes:
    m = re.search(rb'<dimension\s+ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"', xml)
    if not m:
        return xml
    c1, r1 = m.group(1).decode(), int(m.group(2))
    c2, r2 = (m.group(3).decode(), int(m.group(4))) if m.group(3) else (c1, r1)
    nc2, nr2 = max(col_number(c2), max_col), max(r2, max_row)
    if (nc2, nr2) == (col_number(c2), r2):
        return xml
    new = f'<dimension ref="{c1}{r1}:{col_letters(nc2)}{nr2}"'.encode()
    return xml[:m.start()] + new + xml[m.end():]


def set_cells(xml: bytes, values: dict[str, object]) -> bytes:
    """Sheet XML with the cells ``values`` (A1 ref -> text or number; "" or None: an empty cell) set."""
    if b"<sheetData" not in xml:
        raise PatchError("XML của sheet có dạng không hỗ trợ (không có sheetData không tiền tố)")
    by_row: dict[int, dict[int, tuple[str, object]]] = {}
    for ref, value in values.items():
        m = _REF.match(ref)
        if not m:
            raise PatchError(f"địa chỉ ô '{ref}' không hợp lệ")
        by_row.setdefault(int(m.group(2)), {})[col_number(m.group(1))] = (ref, value)
    cols = _col_styles(xml)
    if b"<sheetData/>" in xml:
        xml = xml.replace(b"<sheetData/>", b"<sheetData></sheetData>", 1)
    start = xml.index(b"<sheetData")
    start = xml.index(b">", start) + 1
    end = xml.index(b"</sheetData>", start)
    data = xml[start:end]
    out, pos = [], 0
    rows = list(_ROW.finditer(data))
    for m in rows:
        r = int(m.group(1))
        for missing in [x for x in sorted(by_row) if x < r]:
            out += [data[pos:m.start()], _new_row(missing, by_row.pop(missing), cols)]
            pos = m.start()
        if r not in by_row:
            continue
        edits = by_row.pop(r)
        tag = m.group(0)
        if m.group(2) == b"/>":
            open_tag = tag[:-2].rstrip() + b">"
            content_end, row_end = m.end(), m.end()
            content = b""
        else:
            open_tag = tag
            row_end = data.index(b"</row>", m.end())
            content = data[m.end():row_end]
            content_end = row_end
            row_end += len(b"</row>")
        open_tag = _widen_spans(open_tag, list(edits))
        out += [data[pos:m.start()], open_tag, _edit_row(content, open_tag, edits, cols), b"</row>"]
        pos = row_end if m.group(2) != b"/>" else content_end
    out.append(data[pos:])
    for r in sorted(by_row):
        out.append(_new_row(r, by_row[r], cols))
    new = xml[:start] + b"".join(out) + xml[end:]
    max_row = max(int(_REF.match(ref).group(2)) for ref in values)
    max_col = max(col_number(_REF.match(ref).group(1)) for ref in values)
    return _widen_dimension(new, max_row, max_col)


def _new_row(r: int, edits: dict[int, tuple[str, object]], cols: list) -> bytes:
    body = b"".join(_cell_xml(ref, value, _style_for(c, cols, b"")) for c, (ref, value) in sorted(edits.items()))
    return f'<row r="{r}">'.encode() + body + b"</row>"


def rewrite_parts(src: zipfile.ZipFile, change: Callable[[str, bytes], bytes]) -> bytes:
    """A copy of the zip with each entry's bytes passed through ``change(name, body)``.

    The same ZipInfo keeps each entry's name, order, date, attributes and compression.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, change(info.filename, src.read(info.filename)))
    return out.getvalue()


def patch_bytes(data: bytes, edits: dict[str, dict[str, object]]) -> bytes:
    """The workbook ``data`` with ``edits`` (sheet name -> {A1 ref: value}) applied; every other part unchanged."""
    try:
        src = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise PatchError("tệp không phải sổ Excel (tệp nén hỏng)") from None
    with src:
        parts = sheet_parts(src)
        by_part = {}
        for sheet, cells in edits.items():
            if sheet not in parts:
                raise PatchError(f"sổ không có sheet \"{sheet}\"")
            if cells:
                by_part[parts[sheet]] = cells
        return rewrite_parts(src, lambda name, body: set_cells(body, by_part[name]) if name in by_part else body)
