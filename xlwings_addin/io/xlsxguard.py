"""Bounds on what a workbook file may expand to, and a bounded reader for the odd sheet.

python-calamine reads a sheet into one dense block spanning every used cell: one stray "x" in
XFD1048576 makes it allocate for 17 billion cells (the process dies), and a 400 KB file whose shared
strings expand to 256 MB is read to the end. Before calamine sees a file, ``inspect``:

* decompresses every part itself, counting the bytes, and refuses a part that expands past the
  limits. The sizes written in the zip directory are not trusted: a file may state 1 KB for a part
  that inflates to gigabytes, and calamine's zip reader does not stop at the stated size;
* scans each input sheet's XML for cells that calamine must not see: a cell beyond the block's
  bounds (the declared ``<dimension>`` may lie, calamine sizes its block from the cells themselves),
  a cell without a plain ``r="A1"`` address (calamine then places it by counting, which a crafted
  row can push to any column), a namespace-prefixed cell. Such a sheet is read here instead
  (``read_bounded``), streaming, keeping only the cells inside the block and noting the first cells
  with data outside it, so the user is told where;
* notes cells holding an Excel error value (#DIV/0!, #N/A ...): calamine reads them as empty text,
  which would silently drop what the secretary typed; the reader puts an ``inputs.CellError`` there
  so the cell is refused with its address.

The scan is one filter pass over bytes already in memory (a few ms per MB here); only the cells it
flags (the template's four-digit capacity rows, a hostile file's cells) are looked at one by one.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import PurePosixPath
from typing import Iterator, Optional

from ..core.inputs import CellError
from ..core.record import field, record
from .schema import col, col_index

#: Largest uncompressed part we read (a 1000 x 1000 grid is about 40 MB of sheet XML).
MAX_PART_BYTES = 96 * 1024 * 1024
#: Largest expansion of one part; ordinary sheet XML compresses about 10-30 times.
MAX_RATIO = 250
MAX_SHARED_STRINGS = 64 * 1024 * 1024
#: All parts together (a workbook at full capacity is well under 200 MB of XML).
MAX_TOTAL_BYTES = 256 * 1024 * 1024

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_DIM = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?([0-9]{0,7}):?([A-Z]{1,3})?([0-9]{0,7})"')
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


class WorkbookTooLarge(ValueError):
    """The file would expand past the limits; the message is Vietnamese."""


# Records, not dataclasses: importing ``dataclasses`` (with ``inspect``) cost a compute about 8 ms.
@record
class SheetInfo:
    name: str
    part: str
    size: int  # bytes once decompressed (counted, not the zip directory's claim)
    compressed: int
    last_row: Optional[int] = None  # 0-based, from the declared dimension (informative only)
    last_col: Optional[int] = None
    #: Why calamine must not read this sheet (a far cell's address, or a cell it would place by counting).
    suspicious: Optional[str] = None
    #: Cells holding an error value: (row0, col0, "#DIV/0!"), for the fast path.
    errors: tuple = ()
    #: False while only located (see ``inspect(lazy=...)``): not yet checked for calamine.
    scanned: bool = True


@record
class Inspection:
    sheets: dict = field(default_factory=dict)  # name -> SheetInfo


# --------------------------------------------------------------------------- counting what a part expands to


def _chunks(fh, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """Yield the decompressed bytes of one zip member, refusing more than ``limit`` bytes.

    Reads the member's raw data from its local header on, as calamine's zip reader does, and
    inflates it here so the count is what the file really holds.
    """
    if info.flag_bits & 0x1:
        raise zipfile.BadZipFile("encrypted member")
    if info.file_size > limit:
        # A size stated above the limit is believed at once (a smaller one is not): nothing to inflate.
        raise WorkbookTooLarge(f"phần {info.filename} của sổ giải nén ra {info.file_size // (1024 * 1024)} MB, vượt giới hạn "
                               f"{limit // (1024 * 1024)} MB: sổ không phải sổ của chi bộ hoặc đã bị hỏng; không đọc để tránh treo máy")
    fh.seek(info.header_offset)
    header = fh.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    remaining = info.compress_size
    ratio_cap = max(1024 * 1024, MAX_RATIO * max(info.compress_size, 1))
    total = 0
    if info.compress_type == zipfile.ZIP_STORED:
        inflate = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflate = zlib.decompressobj(-15)
    else:
        raise zipfile.BadZipFile("unsupported compression")
    while remaining > 0:
        raw = fh.read(min(1 << 20, remaining))
        if not raw:
            raise zipfile.BadZipFile("truncated member")
        remaining -= len(raw)
        pieces = [raw] if inflate is None else []
        if inflate is not None:
            try:
                # max_length bounds each step: a bomb never materialises past the limit.
                out = inflate.decompress(raw, 1 << 20)
                pieces.append(out)
                while inflate.unconsumed_tail and total + sum(map(len, pieces)) <= min(limit, ratio_cap):
                    pieces.append(inflate.decompress(inflate.unconsumed_tail, 1 << 20))
            except zlib.error:
                raise zipfile.BadZipFile("damaged deflate stream") from None
        for piece in pieces:
            total += len(piece)
            if total > limit:
                raise WorkbookTooLarge(f"phần {info.filename} của sổ giải nén ra hơn {limit // (1024 * 1024)} MB: "
                                       "sổ không phải sổ của chi bộ hoặc đã bị hỏng; không đọc để tránh treo máy")
            if total > ratio_cap:
                raise WorkbookTooLarge(f"phần {info.filename} của sổ nén bất thường (hơn {MAX_RATIO} lần): "
                                       "không đọc để tránh treo máy")
            yield piece
        if inflate is not None and inflate.eof:
            break


def _elements(data: bytes, local: str) -> list[dict]:
    """The attributes of every element named ``local`` (any namespace) in a small XML part.

    expat itself, not ElementTree: these two parts are read on every click, and ElementTree's import
    costs more than both parses. Namespaced attribute names come as "{uri}name", as ElementTree gives.
    """
    from xml.parsers import expat

    found: list[dict] = []
    parser = expat.ParserCreate(namespace_separator="}")

    def start(tag: str, attrs: dict) -> None:
        if tag.rsplit("}", 1)[-1] == local:
            found.append({("{" + k if "}" in k else k): v for k, v in attrs.items()})

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise SyntaxError(str(exc)) from None  # what ElementTree raised: the caller's message covers it
    return found


#: Largest workbook.xml or relationships part read (a workbook of 14 sheets has a few KB).
MAX_INDEX_BYTES = 4 * 1024 * 1024


def _small_part(z: zipfile.ZipFile, name: str) -> bytes:
    with z.open(name) as fh:
        data = fh.read(MAX_INDEX_BYTES + 1)  # inflated only this far, whatever the part claims
    if len(data) > MAX_INDEX_BYTES:
        raise WorkbookTooLarge(f"phần {name} của sổ lớn bất thường (hơn {MAX_INDEX_BYTES // (1024 * 1024)} MB): "
                               "sổ không phải sổ của chi bộ hoặc đã bị hỏng; không đọc để tránh treo máy")
    return data


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part path, from workbook.xml and its relationships."""
    rels = {}
    for el in _elements(_small_part(z, "xl/_rels/workbook.xml.rels"), "Relationship"):
        target = el.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        rels[el.get("Id")] = path
    out = {}
    for el in _elements(_small_part(z, "xl/workbook.xml"), "sheet"):
        rid = el.get(f"{_REL_NS}id")
        if rid in rels:
            out[el.get("name")] = rels[rid]
    return out


def _dimension(head: bytes) -> tuple[Optional[int], Optional[int]]:
    """The declared last row and column (0-based) of a sheet, from the part's first bytes."""
    m = _DIM.search(head[:4096])
    if not m:
        return None, None
    c1, r1, c2, r2 = m.groups()
    last_col = col_index((c2 or c1).decode()) if (c2 or c1) else None
    last_row = int(r2 or r1) - 1 if (r2 or r1) else None
    return last_row, last_col


# --------------------------------------------------------------------------- the scan of a sheet's XML


def _greater_number(n: int) -> str:
    """A regex matching decimal numbers (no leading zeros) greater than ``n`` >= 0."""
    d = str(n)
    alts = [f"[1-9][0-9]{{{len(d)},}}"]
    for i, ch in enumerate(d):
        if ch != "9":
            first = "1" if i == 0 and ch == "0" else str(int(ch) + 1)
            alts.append(f"{d[:i]}[{first}-9][0-9]{{{len(d) - i - 1}}}")
    return "(?:" + "|".join(alts) + ")"


def _greater_letters(s: str) -> str:
    """A regex matching column letters after ``s`` (longer, or as long and later in A-Z order)."""
    alts = [f"[A-Z]{{{len(s) + 1},}}"]
    for i, ch in enumerate(s):
        if ch != "Z":
            alts.append(f"{s[:i]}[{chr(ord(ch) + 1)}-Z][A-Z]{{{len(s) - i - 1}}}")
    return "(?:" + "|".join(alts) + ")"


def _at_most_letters(s: str) -> str:
    """A regex matching column letters up to ``s`` (shorter, or as long and not later in A-Z order)."""
    alts = [f"[A-Z]{{1,{len(s) - 1}}}"] if len(s) > 1 else []
    for i, ch in enumerate(s):
        if ch != "A":
            alts.append(f"{s[:i]}[A-{chr(ord(ch) - 1)}][A-Z]{{{len(s) - i - 1}}}")
    alts.append(s)
    return "(?:" + "|".join(alts) + ")"


_FAR_CACHE: dict = {}
_NEAR_CACHE: dict = {}


def _not_near_pattern(max_row0: int, max_col0: int) -> re.Pattern:
    """A cell tag that is not plainly near: no plain address, a later column, or a row with as many
    digits as the last row allowed (or more). One pass instead of the three below (a column search,
    a row search and the odd-cell search, about 2.5 times the cost); only a filter, necessary for
    any of them to find something: when it finds nothing, neither would they.
    """
    key = (max_row0, max_col0)
    if key not in _NEAR_CACHE:
        digits = len(str(max_row0 + 1))  # a row of fewer digits is within the bounds
        number = f"[0-9]{{1,{digits - 1}}}+" if digits > 1 else f"[0-{max_row0 + 1}]"
        _NEAR_CACHE[key] = re.compile(rb'<c(?! r="' + _at_most_letters(col(max_col0)).encode() + number.encode()
                                      + rb'")[\s/>]')
    return _NEAR_CACHE[key]


# A cell tag that is not exactly <c r="A1" ...>: no address, another spelling, or a bad address.
_ODD_CELL = re.compile(rb'<c(?! r="[A-Z]{1,3}+[0-9]{1,7}+")[\s/>]')
# A namespace-prefixed cell (<x:c ...>): valid XML that the checks above would not see.
_PREFIXED_CELL = re.compile(rb':c[\s/>]')


def _far_patterns(max_row0: int, max_col0: int) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """Cells past (max_row0, max_col0): (a later column, a later row, and a filter for the later row).

    Two patterns, not one with two branches: every cell of a 1,000-column ballot sheet fails both
    branches, and one branch each is about three times faster. The filter (enough digits for a later
    row) is a necessary condition of the row pattern, so the row pattern need only run from its first
    match: in the template that is the last few rows.
    """
    key = (max_row0, max_col0)
    if key not in _FAR_CACHE:
        far_col = _greater_letters(col(max_col0)).encode()
        far_row = _greater_number(max_row0 + 1).encode()
        digits = len(str(max_row0 + 2))  # the first later row's length: a later row has at least as many digits
        # Possessive quantifiers: a near cell fails without backtracking.
        _FAR_CACHE[key] = (re.compile(rb'<c r="' + far_col + rb'[0-9]'),
                           re.compile(rb'<c r="[A-Z]{1,3}+0*+' + far_row + rb'"'),
                           re.compile(rb'<c r="[A-Z]{1,3}+[0-9]{' + str(digits).encode() + rb'}'))
    return _FAR_CACHE[key]


def _first_far(data: bytes, max_row0: int, max_col0: int, pos: int = 0) -> Optional[re.Match]:
    """The first cell past (max_row0, max_col0) in the data (from ``pos``), or None."""
    far_col, far_row, enough_digits = _far_patterns(max_row0, max_col0)
    found = [m for m in (far_col.search(data, pos),) if m]
    start = enough_digits.search(data, pos)
    if start:
        m = far_row.search(data, start.start())
        if m:
            found.append(m)
    return min(found, key=lambda m: m.start()) if found else None


_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?\st\s*=\s*["\']e["\'][^>]*?(?:/>|>(.*?)</c>)', re.S)
_VALUE = re.compile(rb"<v>([^<]*)</v>")


def _error_cells(data: bytes) -> tuple:
    # Excel and LibreOffice write t="e"; a hand-made t='e' would read as empty text, never as a crash.
    if b't="e"' not in data:
        return ()
    out = []
    for m in _ERROR_CELL.finditer(data):
        v = _VALUE.search(m.group(3) or b"")
        text = v.group(1).decode("utf-8", "replace").strip() if v else ""
        out.append((int(m.group(2)) - 1, col_index(m.group(1).decode()), text or "#N/A"))
    return tuple(out)


def _first_suspicious(data: bytes, max_row0: int, max_col0: int) -> Optional[str]:
    """The address (or "?") of the first cell calamine must not see, None if there is none.

    One pass of the filter; the cells it finds (the template's capacity rows of four digits, or a
    hostile file's cells) are then told apart one by one as the separate searches of
    ``_suspicious_exact`` would (a far cell first, else an odd one, else a prefixed one): those
    searches' patterns cost more to compile than the few cells cost to look at.
    """
    near = _not_near_pattern(max_row0, max_col0)
    first = near.search(data)
    if first is not None:
        letters, last_row = col(max_col0).encode(), max_row0 + 1
        odd_at = None
        for count, m in enumerate(near.finditer(data, first.start())):
            if count >= _CANDIDATES:
                return _suspicious_exact(data, max_row0, max_col0, first.start())  # many: the patterns
            kind = _kind(data, m.start(), letters, last_row)
            if kind == "far":
                return _ref_at(data, m.start())
            if kind == "odd" and odd_at is None:
                odd_at = m.start()
        if odd_at is not None:
            return _ref_at(data, odd_at)
    m = _PREFIXED_CELL.search(data) if b":c" in data else None  # a byte search first: C speed
    return _ref_at(data, m.start()) if m else None


#: Cells told apart one by one, at most; past that the separate searches run.
_CANDIDATES = 10_000
_ADDRESS = re.compile(rb'<c r="([A-Z]*)([0-9]*)(")?')


def _kind(data: bytes, pos: int, letters: bytes, last_row: int) -> Optional[str]:
    """"far", "odd" or None for the cell tag at ``pos``, by the definitions of the separate searches.

    Far column: a run of letters after the column letters allowed (longer, or as long and later),
    then a digit. Far row: 1-3 letters, digits of a value past the last row, then the quote. Odd:
    not exactly 1-3 letters, 1-7 digits and the quote.
    """
    m = _ADDRESS.match(data, pos)
    if m is None:
        return "odd"  # no ' r="' right after the tag's name
    x, d, quote = m.groups()
    if x and d and (len(x) > len(letters) or (len(x) == len(letters) and x > letters)):
        return "far"
    if 1 <= len(x) <= 3 and d and quote:
        value = d.lstrip(b"0")
        if len(value) > len(str(last_row)) or (value and int(value) > last_row):
            return "far"
    if not (1 <= len(x) <= 3 and 1 <= len(d) <= 7 and quote):
        return "odd"
    return None


def _ref_at(data: bytes, pos: int) -> str:
    """The address written in the cell tag at ``pos`` (what the user is told), or "?"."""
    tag = data[pos: pos + 80]
    ref = re.search(rb'\sr\s*=\s*["\']([^"\']{1,20})', tag[: tag.find(b">") + 1] if b">" in tag else tag)
    return ref.group(1).decode("ascii", "replace") if ref else "?"


def _suspicious_exact(data: bytes, max_row0: int, max_col0: int, start: int = 0) -> Optional[str]:
    """What ``_first_suspicious`` finds, by the separate searches alone (the filter's reference);
    far and odd cells are looked for from ``start``, prefixed cells everywhere."""
    searches = (lambda: _first_far(data, max_row0, max_col0, start), lambda: _ODD_CELL.search(data, start),
                lambda: _PREFIXED_CELL.search(data))
    for search in searches:
        m = search()
        if m:
            return _ref_at(data, m.start())
    return None


def inspect(path, wanted: dict[str, tuple[int, int]], lazy: frozenset = frozenset()) -> Inspection:
    """Check every part's real size and scan the wanted sheets; raise ``WorkbookTooLarge`` if hostile.

    ``wanted`` maps a sheet name to the last (row0, col0) calamine may be allowed to see on it.
    The sheets named in ``lazy`` are only located here (``SheetInfo.scanned`` is False): the caller
    reads them from the front with ``PrefixReader`` (which bounds what it inflates), or scans them
    with :func:`scan_sheet` before calamine reads them.
    """
    out = Inspection()
    with zipfile.ZipFile(path) as z, open(path, "rb") as fh:
        infos = {i.filename: i for i in z.infolist()}
        parts = _sheet_parts(z)
        scan = {parts[name]: name for name in wanted if parts.get(name) in infos}
        total = 0
        for info in infos.values():
            # Worksheets that are not read are never opened, by calamine or by us: not counted.
            if info.is_dir() or (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
                                 and info.filename not in scan):
                continue
            if info.filename in scan and scan[info.filename] in lazy:
                name = scan[info.filename]
                with z.open(info.filename) as part:
                    last_row, last_col = _dimension(part.read(4096))
                out.sheets[name] = SheetInfo(name, info.filename, info.file_size, info.compress_size, last_row, last_col,
                                             scanned=False)
                continue
            limit = MAX_SHARED_STRINGS if info.filename == "xl/sharedStrings.xml" else MAX_PART_BYTES
            if info.filename in scan:
                data = b"".join(_chunks(fh, info, limit))
                size = len(data)
                name = scan[info.filename]
                max_row0, max_col0 = wanted[name]
                last_row, last_col = _dimension(data)
                out.sheets[name] = SheetInfo(name, info.filename, size, info.compress_size, last_row, last_col,
                                             _first_suspicious(data, max_row0, max_col0), _error_cells(data))
                del data
            else:
                size = sum(len(piece) for piece in _chunks(fh, info, limit))
            total += size
            if total > MAX_TOTAL_BYTES:
                raise WorkbookTooLarge(f"sổ giải nén ra hơn {MAX_TOTAL_BYTES // (1024 * 1024)} MB: "
                                       "không phải sổ của chi bộ hoặc đã bị hỏng; không đọc để tránh treo máy")
    return out


def scan_sheet(path, info: SheetInfo, max_row0: int, max_col0: int) -> SheetInfo:
    """Inflate (counting) and scan one sheet located lazily, as ``inspect`` does for the others."""
    if info.scanned:
        return info
    with zipfile.ZipFile(path) as z, open(path, "rb") as fh:
        data = b"".join(_chunks(fh, z.getinfo(info.part), MAX_PART_BYTES))
    last_row, last_col = _dimension(data)
    return SheetInfo(info.name, info.part, len(data), info.compressed, last_row, last_col,
                     _first_suspicious(data, max_row0, max_col0), _error_cells(data))


# --------------------------------------------------------------------------- the bounded reader


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    from xml.etree.ElementTree import iterparse  # the bounded reader only: a hostile or odd sheet

    try:
        fh = z.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    out = []
    with fh:
        for _, el in iterparse(fh):
            if _local(el.tag) == "si":
                out.append(_si_text(el))
                el.clear()
    return out


def _si_text(si) -> str:
    # The text is the <t> child or the <t> of each run; phonetic runs (rPh) are reading aids, not text.
    parts = []
    for child in si:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts += [x.text or "" for x in child if _local(x.tag) == "t"]
    return "".join(parts)


def _ascii_int(text: Optional[str]) -> Optional[int]:
    # int() accepts any script's digits ("١٢"); an address or index in a file is ASCII or it is damage.
    return int(text) if text and text.isascii() and text.isdigit() else None


def read_bounded(path, part: str, top: int, bottom: int, right: int, outside_limit: int = 5):
    """Read the cells of rows ``top..bottom`` and columns ``0..right`` (0-based) of one sheet part.

    Returns (rows, outside): rows as lists from row ``top``, and up to ``outside_limit`` addresses of
    cells with data outside the block (past the capacity). Cells are placed as calamine places
    them: by their address, or by counting when a cell or row has none. An error value becomes a
    ``CellError``.
    """
    from xml.etree.ElementTree import iterparse

    height, width = bottom - top + 1, right + 1
    rows: list[list] = [[None] * width for _ in range(height)]
    outside: list[str] = []
    with zipfile.ZipFile(path) as z:
        strings = _shared_strings(z)
        with z.open(part) as fh:
            row0, col0 = -1, -1
            parent = None
            for event, el in iterparse(fh, events=("start", "end")):
                tag = _local(el.tag)
                if event == "start":
                    if tag == "row":
                        r = _ascii_int(el.get("r"))
                        row0 = r - 1 if r else row0 + 1
                        col0 = -1
                    elif tag == "sheetData":
                        parent = el
                    continue
                if tag == "row":
                    # Drop finished rows from the tree too: a million empty rows must not pile up.
                    el.clear()
                    if parent is not None:
                        parent.clear()
                    continue
                if tag != "c":
                    continue
                ref = el.get("r")
                if ref is None:
                    r, c = row0, col0 + 1
                    ref = f"{col(c)}{r + 1}"
                else:
                    m = _REF.fullmatch(ref)
                    if not m:
                        # An address no spreadsheet writes: never silently dropped.
                        value = _value(el, strings)
                        el.clear()
                        if value not in (None, "") and len(outside) < outside_limit:
                            outside.append(ref[:20])
                        continue
                    r, c = int(m.group(2)) - 1, col_index(m.group(1))
                col0 = c
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
    v = next((x for x in el if _local(x.tag) == "v"), None)
    if t == "inlineStr":
        return "".join(x.text or "" for x in el.iter() if _local(x.tag) == "t")
    if t == "e":
        return CellError((v.text or "").strip() or "#N/A") if v is not None else CellError("#N/A")
    if v is None or v.text is None:
        return None
    text = v.text
    if t == "s":
        i = _ascii_int(text.strip())
        if i is None:
            raise ValueError("bad shared string index")
        return strings[i] if i < len(strings) else ""
    if t == "str":
        return text
    if t == "b":
        return text == "1"
    if not text.isascii():
        return text  # float() would read other scripts' digits; the input layer refuses them instead
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
_PREFIXED_TAG = re.compile(r"</?[A-Za-z_][\w.-]*:")
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')


class NotPlain(Exception):
    """The part uses XML this reader does not take (no cell addresses, CDATA...): read it in full instead."""


class StaleExtents(NotPlain):
    """A value lies past the saved extents: they are out of date, read the sheet in full."""


def _typed_value(data, start: int = 0, end: Optional[int] = None) -> bool:
    """Whether a typed (not computed) value appears: a cell whose content starts with its value.

    A formula cell starts with <f> (its cached <v> follows </f> or <f .../>), an empty formatted cell
    has no content; a typed number or text is '"><v>' or '"><is>' right after the cell's attributes.
    """
    if isinstance(data, (bytes, bytearray)):
        return data.find(b'"><v>', start, end) >= 0 or data.find(b'"><is>', start, end) >= 0
    end = len(data) if end is None else end
    return data.find('"><v>', start, end) >= 0 or data.find('"><is>', start, end) >= 0


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
    #: Most bytes inflated for one block: past it the part is read the ordinary (scanned, bounded) way.
    MAX_PREFIX = 16 * 1024 * 1024

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
        """The part's bytes up to the first row past ``bottom`` (0-based), or to the end of the data.

        The rest of the part is then inflated without being parsed (a few milliseconds per MB), to
        learn the two facts that sit behind the rows: the last row the sheet holds (``self.last_row``,
        0-based; rows come in order) and the merged ranges (``self.merged``, after the data).
        """
        buf = bytearray()
        cut = None
        self.last_row, self.merged = None, []
        with self._zip.open(part) as fh:
            while cut is None:
                chunk = fh.read(self.CHUNK)
                if not chunk:
                    return self._finish(bytes(buf), bytes(buf), fh)
                # Look back over the seam: a row tag may straddle two chunks (row tags are short).
                start = max(0, len(buf) - 512)
                buf += chunk
                if len(buf) > self.MAX_PREFIX:
                    raise NotPlain  # rows this long are not the template's: let the guarded reader decide
                for m in _ROW_TAG.finditer(buf, start):
                    r = _ROW_R.search(m.group(1))
                    if r is None:
                        raise NotPlain
                    if int(r.group(1)) - 1 > bottom:
                        cut = m.start()
                        break
                else:
                    end = _END_DATA.search(buf, start)
                    if end:
                        cut = end.start()
            return self._finish(bytes(buf[:cut]), bytes(buf[cut:]), fh)

    def _finish(self, prefix: bytes, rest: bytes, fh) -> bytes:
        """Inflate the rest of the part, keeping only its last rows' tail and what follows the data."""
        tail, after = rest, None
        total = len(prefix) + len(rest)
        while True:
            if after is None:
                at = tail.find(b"</sheetData>")
                if _typed_value(tail[:at] if at >= 0 else tail):
                    raise StaleExtents
                if at >= 0:
                    head = tail[:at]
                    row = head.rfind(b"<row ")
                    if row >= 0:
                        r = _ROW_R.search(head, row)
                        self.last_row = int(r.group(1)) - 1 if r else None
                    after = bytearray(tail[at:])
                else:
                    row = tail.rfind(b"<row ")
                    keep = tail[row:] if row >= 0 else tail[-512:]
                    if row >= 0:
                        r = _ROW_R.search(tail, row)
                        if r:
                            self.last_row = int(r.group(1)) - 1
                    tail = keep
            chunk = fh.read(self.CHUNK * 8)
            if not chunk:
                break
            total += len(chunk)
            if total > MAX_PART_BYTES:
                raise NotPlain  # the guarded reader counts and refuses it with its message
            if after is None:
                tail = tail + chunk
            else:
                after += chunk
        if after is None:  # no end of the data: not a sheet this reader takes
            raise NotPlain
        self.merged = [(int(r1) - 1, col_index(c1.decode()), int(r2) - 1, col_index(c2.decode()))
                       for c1, r1, c2, r2 in _MERGE.findall(after)]
        if self.last_row is None:
            r = None
            row = prefix.rfind(b"<row ")
            if row >= 0:
                r = _ROW_R.search(prefix, row)
            self.last_row = int(r.group(1)) - 1 if r else -1
        return prefix

    def rows(self, part: str, top: int, bottom: int, right: int, data_top: Optional[int] = None) -> list[list]:
        """Rows ``top..bottom`` and columns ``0..right`` (0-based) of a sheet part, values as calamine gives them
        (dates stay serial numbers, which the input layer takes).

        The bounds come from the workbook's saved extents. A value typed past them (in a row from
        ``data_top`` on, right of ``right``, or in any row below ``bottom``) means the saved extents
        are stale, e.g. a tool changed the cells without recalculating: ``StaleExtents`` is raised and
        the caller reads the sheet in full. Formula cells and empty formatted cells do not count.
        """
        text = self._prefix(part, bottom).decode("utf-8")
        start = text.find("<sheetData>")
        if start < 0:
            if "sheetData/>" in text or "<sheetData/>" in text:
                return [[None] * (right + 1) for _ in range(bottom - top + 1)]
            raise NotPlain  # a prefixed namespace (<x:sheetData>) or no data section: not for the patterns
        text = text[start:]
        if text.count("<c ") + text.count("<c>") != text.count('<c r="'):
            raise NotPlain  # a cell without its address first: cannot be placed by pattern
        if _PREFIXED_TAG.search(text):
            raise NotPlain  # <x:c>, <x:row>: the same cells to an XML reader, not to these patterns
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
                    if data_top is not None and int(row) - 1 >= data_top and _typed_value(text, m.start(), b):
                        raise StaleExtents
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
        if kind == "e":
            return CellError(_text(raw).strip() or "#N/A")  # refused at its cell, never read as a blank
        if kind == "str":
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
