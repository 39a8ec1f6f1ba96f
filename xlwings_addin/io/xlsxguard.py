"""Bounds on what a workbook file may expand to, and a bounded reader for the odd sheet.

python-calamine reads a sheet into one dense block spanning every used cell: one stray "x" in
XFD1048576 makes it allocate for 17 billion cells, and a 400 KB file whose shared strings expand to
256 MB is read to the end. Before calamine sees a file, ``inspect`` checks the zip directory
(sizes, compression ratios) and each input sheet's declared dimension. A sheet whose dimension goes
past the template's capacity is read here instead, streaming, keeping only the cells inside the
bounded block and noting the first cells with data outside it (so the user is told where).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import PurePosixPath
from typing import Optional

from ..core.record import field, record
from .schema import col_index

#: Largest uncompressed part we read (a 1000 x 1000 grid is about 40 MB of sheet XML).
MAX_PART_BYTES = 96 * 1024 * 1024
#: Largest expansion of one part; ordinary sheet XML compresses about 10-30 times.
MAX_RATIO = 250
MAX_SHARED_STRINGS = 64 * 1024 * 1024

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_DIM = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?([0-9]{0,7}):?([A-Z]{1,3})?([0-9]{0,7})"')
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


class WorkbookTooLarge(ValueError):
    """The file would expand past the limits; the message is Vietnamese."""


@record
class SheetInfo:
    name: str
    part: str
    size: int
    compressed: int
    last_row: Optional[int] = None  # 0-based, from the declared dimension
    last_col: Optional[int] = None


@record
class Inspection:
    sheets: dict = field(default_factory=dict)  # name -> SheetInfo


_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')


def _attrs(raw: bytes) -> dict[str, str]:
    from html import unescape

    return {k.decode().split(":")[-1] if not k.startswith(b"r:") else "r:" + k.decode()[2:]: unescape(v.decode("utf-8", "replace"))
            for k, v in _ATTR.findall(raw)}


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part path, from workbook.xml and its relationships (two small parts, read by pattern)."""
    rels = {}
    for raw in _REL.findall(z.read("xl/_rels/workbook.xml.rels")):
        a = _attrs(raw)
        target = a.get("Target", "")
        rels[a.get("Id")] = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
    out = {}
    for raw in _SHEET.findall(z.read("xl/workbook.xml")):
        a = _attrs(raw)
        rid = a.get("r:id") or next((v for k, v in a.items() if k.endswith("id") and k != "sheetId"), None)
        if rid in rels and "name" in a:
            out[a["name"]] = rels[rid]
    return out


def _dimension(z: zipfile.ZipFile, part: str) -> tuple[Optional[int], Optional[int]]:
    """The declared last row and column (0-based) of a sheet, read from the part's first bytes."""
    with z.open(part) as fh:
        head = fh.read(4096)
    m = _DIM.search(head)
    if not m:
        return None, None
    c1, r1, c2, r2 = m.groups()
    last_col = col_index((c2 or c1).decode()) if (c2 or c1) else None
    last_row = int(r2 or r1) - 1 if (r2 or r1) else None
    return last_row, last_col


def inspect(path, wanted: tuple[str, ...]) -> Inspection:
    """Check the zip directory and the wanted sheets' dimensions; raise ``WorkbookTooLarge`` if hostile."""
    out = Inspection()
    with zipfile.ZipFile(path) as z:
        infos = {i.filename: i for i in z.infolist()}
        for info in infos.values():
            if info.file_size > MAX_PART_BYTES:
                raise WorkbookTooLarge(f"phần {info.filename} của sổ giải nén ra {info.file_size // (1024 * 1024)} MB, vượt giới hạn "
                                       f"{MAX_PART_BYTES // (1024 * 1024)} MB: sổ không phải sổ của chi bộ hoặc đã bị hỏng")
            if info.file_size > 1024 * 1024 and info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                raise WorkbookTooLarge(f"phần {info.filename} của sổ nén bất thường ({info.file_size // info.compress_size} lần): "
                                       "không đọc để tránh treo máy")
        shared = infos.get("xl/sharedStrings.xml")
        if shared is not None and shared.file_size > MAX_SHARED_STRINGS:
            raise WorkbookTooLarge("bảng chữ dùng chung của sổ quá lớn: không đọc để tránh treo máy")
        parts = _sheet_parts(z)
        for name in wanted:
            part = parts.get(name)
            if part is None or part not in infos:
                continue
            info = infos[part]
            last_row, last_col = _dimension(z, part)
            out.sheets[name] = SheetInfo(name, part, info.file_size, info.compress_size, last_row, last_col)
    return out


# --------------------------------------------------------------------------- the bounded reader


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    from xml.etree.ElementTree import iterparse

    try:
        fh = z.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    out = []
    with fh:
        for _, el in iterparse(fh):
            if el.tag == f"{_NS}si":
                out.append("".join(t.text or "" for t in el.iter(f"{_NS}t")))
                el.clear()
    return out


def read_bounded(path, part: str, top: int, bottom: int, right: int, outside_limit: int = 5):
    """Read the cells of rows ``top..bottom`` and columns ``0..right`` (0-based) of one sheet part.

    Returns (rows, outside): rows as lists from row ``top``, and up to ``outside_limit`` addresses of
    cells with data outside the block (past the capacity).
    """
    from xml.etree.ElementTree import iterparse

    height, width = bottom - top + 1, right + 1
    rows: list[list] = [[None] * width for _ in range(height)]
    outside: list[str] = []
    with zipfile.ZipFile(path) as z:
        strings = _shared_strings(z)
        with z.open(part) as fh:
            for _, el in iterparse(fh):
                if el.tag != f"{_NS}c":
                    if el.tag == f"{_NS}row":
                        el.clear()
                    continue
                ref = el.get("r", "")
                m = _REF.fullmatch(ref)
                if not m:
                    el.clear()
                    continue
                c, r = col_index(m.group(1)), int(m.group(2)) - 1
                value = _value(el, strings)
                el.clear()
                if value is None or value == "":
                    continue
                if top <= r <= bottom and c <= right:
                    rows[r - top][c] = value
                elif r > bottom or c > right:
                    if len(outside) < outside_limit:
                        outside.append(ref)
    return rows, outside


def _value(el, strings: list[str]):
    t = el.get("t", "n")
    v = el.find(f"{_NS}v")
    if t == "inlineStr":
        return "".join(x.text or "" for x in el.iter(f"{_NS}t"))
    if v is None or v.text is None:
        return None
    text = v.text
    if t == "s":
        i = int(text)
        return strings[i] if 0 <= i < len(strings) else ""
    if t in ("str", "e"):
        return text
    if t == "b":
        return text == "1"
    try:
        f = float(text)
    except ValueError:
        return text
    return int(f) if f.is_integer() and abs(f) < 2 ** 53 else f


# --------------------------------------------------------------------------- the prefix reader

_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_R = re.compile(rb'\sr="(\d+)"')
_END_DATA = re.compile(rb"</(?:\w+:)?sheetData>|<(?:\w+:)?sheetData\s*/>")
_CELL_T = re.compile(r'\st="(\w+)"')
_T = re.compile(r"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", re.S)
_PHONETIC = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_SI = re.compile(rb"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>|<(?:\w+:)?si\s*/>", re.S)
_ROW_START = re.compile(r"<row\b")


class NotPlain(Exception):
    """The part uses XML this reader does not take (no cell addresses, CDATA...): read it in full instead."""


def _text(raw: str) -> str:
    if "<![CDATA[" in raw:
        raise NotPlain
    if "&" not in raw:
        return raw
    from html import unescape

    return unescape(raw)


class PrefixReader:
    """The first rows of a file's sheets, reading each sheet part only as far as the rows asked for.

    A sheet of the template holds its 1000-row capacity of formulas (about 1 MB of XML for the
    score sheet) whatever the roster; the rows in use are known beforehand from the extents. So
    each part is inflated in chunks and cut at the first row past the bound: for 22 members a few
    tens of kilobytes instead of megabytes. Cells are taken by pattern from spreadsheetml as
    Excel, LibreOffice and XlsxWriter write it (every cell with its address); anything else raises
    ``NotPlain`` and the caller reads the sheet the ordinary way.
    """

    CHUNK = 32768  # bytes inflated at a time

    def __init__(self, path):
        self._zip = zipfile.ZipFile(path)
        self._strings: Optional[list[bytes]] = None
        self._decoded: dict[int, str] = {}

    def close(self) -> None:
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def string(self, index: int) -> str:
        """Shared string ``index``, decoded on first use (a template holds ~1,500, a block uses a few)."""
        if self._strings is None:
            try:
                data = self._zip.read("xl/sharedStrings.xml")
            except KeyError:
                data = b""
            self._strings = _SI.findall(data)
        if not 0 <= index < len(self._strings):
            return ""
        out = self._decoded.get(index)
        if out is None:
            body = self._strings[index].decode("utf-8")
            if "<rPh" in body:
                body = _PHONETIC.sub("", body)
            out = self._decoded[index] = "".join(_text(t) for t in _T.findall(body))
        return out

    def _prefix(self, part: str, bottom: int) -> bytes:
        """The part's bytes up to the first row past ``bottom`` (0-based), or to the end of the data."""
        buf = bytearray()
        with self._zip.open(part) as fh:
            while True:
                chunk = fh.read(self.CHUNK)
                if not chunk:
                    return bytes(buf)
                # Look back over the seam: a row tag may straddle two chunks (row tags are short).
                start = max(0, len(buf) - 512)
                buf += chunk
                for m in _ROW_TAG.finditer(buf, start):
                    r = _ROW_R.search(m.group(1))
                    if r is None:
                        raise NotPlain
                    if int(r.group(1)) - 1 > bottom:
                        return bytes(buf[: m.start()])
                end = _END_DATA.search(buf, start)
                if end:
                    return bytes(buf[: end.start()])

    def rows(self, part: str, top: int, bottom: int, right: int) -> list[list]:
        """Rows ``top..bottom`` and columns ``0..right`` (0-based) of a sheet part, values as calamine gives them
        (dates stay serial numbers, which the input layer takes)."""
        text = self._prefix(part, bottom).decode("utf-8")
        start = text.find("<sheetData>")
        if start < 0:
            if "sheetData/>" in text or "<sheetData/>" in text:
                return [[None] * (right + 1) for _ in range(bottom - top + 1)]
            raise NotPlain  # a prefixed namespace (<x:sheetData>) or no data section: not for the patterns
        text = text[start:]
        if text.count("<c ") + text.count("<c>") != text.count('<c r="'):
            raise NotPlain  # a cell without its address first: cannot be placed by pattern
        out: list[list] = [[None] * (right + 1) for _ in range(bottom - top + 1)]
        cols = _COLS
        starts = [m.start() for m in _ROW_START.finditer(text)] + [len(text)]
        for a, b in zip(starts, starts[1:]):
            # Cells of a row come in column order: stop at the first one past the block.
            for m in _PLAIN_CELL.finditer(text, a, b):
                letters, row, kind, attrs, body = m.groups()
                c = cols.get(letters)
                if c is None:
                    c = cols[letters] = col_index(letters)
                if c > right:
                    break
                if not body:
                    continue
                r = int(row) - 1
                if r < top or r > bottom:
                    break
                value = self._value(kind, attrs, body)
                if value is not None and value != "":
                    out[r - top][c] = value
        return out

    def _value(self, kind: Optional[str], attrs: str, body: str):
        if not kind:
            t = _CELL_T.search(attrs) if 't="' in attrs else None
            kind = t.group(1) if t else "n"
        if kind == "inlineStr":
            return "".join(_text(x) for x in _T.findall(_PHONETIC.sub("", body)))
        v = body.find("<v>")
        if v < 0:
            return None
        raw = body[v + 3: body.find("</v>", v)]
        if kind == "s":
            return self.string(int(raw))
        if kind in ("str", "e"):
            return _text(raw)
        if kind == "b":
            return raw.strip() == "1"
        try:
            f = float(raw)
        except ValueError:
            return _text(raw)
        return int(f) if f.is_integer() and abs(f) < 2 ** 53 else f


#: Cells as the usual writers lay them out: the address first, then other attributes.
_PLAIN_CELL = re.compile(r'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="[0-9]+")?(?: t="(\w+)")?([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_COLS: dict[str, int] = {}
