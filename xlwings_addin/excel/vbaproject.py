"""Build the workbook's VBA project (``vbaProject.bin``) without Excel.

Approach "(a+)" of the project's reference notes on xlwings under Linux:

1. Start from the ``vbaProject.bin`` that xlwings ships inside
   ``quickstart_standalone.xlsm``. It is read from the *installed* xlwings at
   build time, so no copy of xlwings' binary lives in this repository, and the
   embedded ``xlwings`` VBA module always matches the pinned Python package
   (the UDF DLL version is hard-coded in that module).
2. Replace the source of ``Module1`` with our own text: the hand-written
   ``vba/Module1.bas`` plus the UDF wrapper Functions that xlwings' "Import
   Functions" would have generated for our UDF module.
3. Drop Module1's compiled p-code: its MODULEOFFSET in the ``VBA/dir`` stream
   is set to 0, so the module stream is nothing but compressed source. The
   shipped project already says ``_VBA_PROJECT`` Version 0xFFFF ("ignore
   version-specific caches, recompile from source"), and its ``xlwings``
   module is stored source-only in exactly this way, so Excel recompiles.
4. Write a new compound file (CFB) that keeps every directory entry of the
   original (names, tree links, colours, CLSIDs, timestamps) and only
   re-lays out the sectors.

Everything else - PROJECT, PROJECTwm, references, the document modules, the
``xlwings`` module, the ``Dictionary`` class and every other dir record - is
copied byte for byte. The output is a pure function of the installed xlwings
template and the Module1 text, so a committed template can be compared with a
fresh build.

Two pieces are implemented here rather than taken from libraries:

* MS-OVBA compression (``ovba_compress`` / ``ovba_decompress``).
  ms-ovba-compression 1.0.1 computes the CopyToken MaximumLength as
  ``0xFFFF << bit_count + 3`` instead of ``(0xFFFF >> bit_count) + 3``, so long
  matches are never capped and inputs with long repeats come out corrupt; its
  ``decompress()`` also mishandles multi-chunk data, and its quadratic search
  needs several seconds for ``xlwings.bas``. A small compressor of our own
  avoids monkeypatching a third-party class process-wide and is fast. Tests
  check it against oletools' independent decompressor.
* The CFB writer. ms_cfb 0.0.6 writes scratch files with fixed names
  (``fatChain.bin``, ``fat_chain.bin``, ``temp.bin``) into the current working
  directory, takes stream contents only as file paths, and places a stream of
  exactly 4096 bytes in the mini stream while readers (olefile, Office) expect
  it in regular sectors. Keeping the original directory entries and writing
  the sectors ourselves is short, side-effect free and deterministic. olefile
  (a reader only here) parses the input.

Building needs only olefile; oletools is needed by ``extract_module_sources``.
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Mapping

import olefile

__all__ = [
    "MODULE1_BAS",
    "build_vba_project",
    "extract_module_sources",
    "module1_source",
    "ovba_compress",
    "ovba_decompress",
    "procedure_names",
    "replace_module_sources",
    "udf_wrappers",
    "xlwings_vba_project",
]

#: The hand-written part of Module1 (ASCII VBA, kept in the repository).
MODULE1_BAS = Path(__file__).with_name("vba") / "Module1.bas"

#: Workbook inside the installed xlwings package whose VBA project we patch.
XLWINGS_TEMPLATE = "quickstart_standalone.xlsm"

#: Name of the standard module that receives our code.
MODULE1 = "Module1"


# ---------------------------------------------------------------------------
# The shipped project
# ---------------------------------------------------------------------------


def xlwings_vba_project() -> bytes:
    """Return ``vbaProject.bin`` from the installed xlwings' standalone quickstart.

    The file is read from the package on every call (it is ~54 kB), never
    copied into this repository.
    """
    import xlwings

    template = Path(xlwings.__file__).with_name(XLWINGS_TEMPLATE)
    with zipfile.ZipFile(template) as zf:
        return zf.read("xl/vbaProject.bin")


# ---------------------------------------------------------------------------
# MS-OVBA compression (MS-OVBA 2.4.1)
# ---------------------------------------------------------------------------

_CHUNK_SIZE = 4096


def _copy_token_bit_count(position: int) -> int:
    """Number of offset bits in a CopyToken at ``position`` within a chunk.

    MS-OVBA 2.4.1.3.19.1 (CopyToken Help): the smallest ``n >= 4`` with
    ``2**n >= position``; the remaining ``16 - n`` bits hold ``length - 3``.
    """
    return max((position - 1).bit_length(), 4)


def _extend_match(data: bytes, candidate: int, pos: int, length: int, limit: int) -> int:
    """Length of the common run of ``data[candidate:]`` and ``data[pos:]``,
    known to be at least ``length``, at most ``limit``. Compares slices
    (galloping, then bisecting) so long runs stay fast."""
    step = 16
    while length < limit:
        size = min(step, limit - length)
        if data[candidate + length : candidate + length + size] == data[pos + length : pos + length + size]:
            length += size
            step *= 2
            continue
        low, high = 0, size - 1  # the first mismatch is within this block
        while low < high:
            middle = (low + high + 1) // 2
            if data[candidate + length : candidate + length + middle] == data[pos + length : pos + length + middle]:
                low = middle
            else:
                high = middle - 1
        return length + low
    return length


def _compress_chunk(chunk: bytes) -> bytes:
    """Compress one chunk (at most 4096 bytes) into header + token sequences.

    Same choices as the greedy algorithm of MS-OVBA 2.4.1.3.6/2.4.1.3.9: at
    each position find the longest match in the already processed part of the
    chunk (ties go to the nearest candidate), then cap it at the CopyToken's
    maximum length for this position. So the output is byte-identical to the
    spec's algorithm (tests compare with a corrected ms-ovba-compression).
    Candidates come from an index of 3-byte prefixes instead of a full scan.
    Matches may overlap the current position (offset < length); the
    decompressor copies byte by byte, so comparing the original bytes is
    exact.
    """
    n = len(chunk)
    out = bytearray()
    positions_by_prefix: dict[bytes, list[int]] = {}
    indexed = 0  # positions < indexed are in positions_by_prefix
    pos = 0
    while pos < n:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            # Make every earlier position a match candidate.
            while indexed < pos:
                key = chunk[indexed : indexed + 3]
                if len(key) == 3:
                    positions_by_prefix.setdefault(key, []).append(indexed)
                indexed += 1
            limit = n - pos  # a match may run up to the end of the chunk
            best_length = 0
            best_candidate = -1
            for candidate in reversed(positions_by_prefix.get(chunk[pos : pos + 3], ())):
                # Only a strictly longer match can win; check that cheaply first.
                probe = best_length + 1
                if probe > limit or chunk[candidate : candidate + probe] != chunk[pos : pos + probe]:
                    continue
                best_length = _extend_match(chunk, candidate, pos, probe, limit)
                best_candidate = candidate
                if best_length == limit:
                    break
            if best_length >= 3:
                # As in the spec: the longest match is found first, then capped.
                bit_count = _copy_token_bit_count(pos)
                length = min(best_length, (0xFFFF >> bit_count) + 3)
                offset = pos - best_candidate
                token = ((offset - 1) << (16 - bit_count)) | (length - 3)
                out += token.to_bytes(2, "little")
                flags |= 1 << bit
                pos += length
            else:
                out.append(chunk[pos])
                pos += 1
        out[flag_at] = flags

    if len(out) <= _CHUNK_SIZE:
        # Header: bit 15 = compressed, bits 12-14 = signature 0b011,
        # bits 0-11 = chunk size (header included) minus 3.
        header = 0x8000 | 0x3000 | (len(out) + 2 - 3)
        return header.to_bytes(2, "little") + bytes(out)
    if n == _CHUNK_SIZE:
        # Incompressible full chunk: store it raw (size field 4098 - 3).
        return (0x3000 | 0x0FFF).to_bytes(2, "little") + chunk
    # A raw chunk always decompresses to 4096 bytes, so a short final chunk
    # cannot be stored raw without appending bytes to the data. VBA source
    # never gets here (it needs ~3.6 kB without a single repeated triple).
    raise ValueError("final chunk is incompressible and shorter than 4096 bytes")


def ovba_compress(data: bytes) -> bytes:
    """Compress ``data`` into an MS-OVBA CompressedContainer (deterministic)."""
    out = bytearray(b"\x01")  # SignatureByte
    for start in range(0, len(data), _CHUNK_SIZE):
        out += _compress_chunk(data[start : start + _CHUNK_SIZE])
    return bytes(out)


def ovba_decompress(container: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer (MS-OVBA 2.4.1.3.1)."""
    if not container or container[0] != 0x01:
        raise ValueError("not an MS-OVBA compressed container (signature byte != 1)")
    out = bytearray()
    pos = 1
    while pos + 2 <= len(container):
        header = int.from_bytes(container[pos : pos + 2], "little")
        if (header >> 12) & 0b111 != 0b011:
            raise ValueError(f"bad chunk signature at byte {pos}")
        chunk_end = min(pos + (header & 0x0FFF) + 3, len(container))
        pos += 2
        if not header & 0x8000:
            out += container[pos : pos + _CHUNK_SIZE]
            pos += _CHUNK_SIZE
            continue
        chunk_start = len(out)
        while pos < chunk_end:
            flags = container[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if not (flags >> bit) & 1:
                    out.append(container[pos])
                    pos += 1
                    continue
                token = int.from_bytes(container[pos : pos + 2], "little")
                pos += 2
                bit_count = _copy_token_bit_count(len(out) - chunk_start)
                length = (token & (0xFFFF >> bit_count)) + 3
                source = len(out) - ((token >> (16 - bit_count)) + 1)
                if source < chunk_start:
                    raise ValueError("copy token points before the chunk start")
                for k in range(length):  # byte by byte: overlapping copies
                    out.append(out[source + k])
    return bytes(out)


# ---------------------------------------------------------------------------
# The VBA/dir stream (MS-OVBA 2.3.4.2)
# ---------------------------------------------------------------------------

_PROJECTCODEPAGE = 0x0003
_PROJECTVERSION = 0x0009
_MODULENAME = 0x0019
_MODULESTREAMNAME = 0x001A
_MODULEOFFSET = 0x0031


def _dir_records(dir_data: bytes) -> list[tuple[int, int, int]]:
    """Split a decompressed dir stream into ``(id, data_start, data_end)``.

    Every record is Id (u16), Size (u32), Data - including the nested parts
    of REFERENCECONTROL, which are laid out as records themselves - except
    PROJECTVERSION, whose Size field says 4 but which carries 6 data bytes.
    """
    records = []
    pos = 0
    while pos < len(dir_data):
        if pos + 6 > len(dir_data):
            raise ValueError("truncated record in VBA/dir")
        record_id, size = struct.unpack_from("<HI", dir_data, pos)
        if record_id == _PROJECTVERSION:
            size = 6
        start = pos + 6
        end = start + size
        if end > len(dir_data):
            raise ValueError(f"record 0x{record_id:04X} runs past the end of VBA/dir")
        records.append((record_id, start, end))
        pos = end
    return records


def _project_codec(records: list[tuple[int, int, int]], dir_data: bytes) -> str:
    for record_id, start, end in records:
        if record_id == _PROJECTCODEPAGE:
            return f"cp{int.from_bytes(dir_data[start:end], 'little')}"
    raise ValueError("VBA/dir has no PROJECTCODEPAGE record")


def _module_table(dir_data: bytes) -> tuple[str, dict[str, dict]]:
    """Return the project codec and, per module name, its stream name,
    MODULEOFFSET value and the position of that value in ``dir_data``."""
    records = _dir_records(dir_data)
    codec = _project_codec(records, dir_data)
    modules: dict[str, dict] = {}
    current: dict | None = None
    for record_id, start, end in records:
        value = dir_data[start:end]
        if record_id == _MODULENAME:
            current = {"name": value.decode(codec)}
            modules[current["name"]] = current
        elif current is not None and record_id == _MODULESTREAMNAME:
            current["stream"] = value.decode(codec)
        elif current is not None and record_id == _MODULEOFFSET:
            current["offset"] = int.from_bytes(value, "little")
            current["offset_at"] = start
    return codec, modules


# ---------------------------------------------------------------------------
# Compound File Binary writer (MS-CFB), version 3
# ---------------------------------------------------------------------------

_SECTOR = 512
_MINI_SECTOR = 64
_MINI_CUTOFF = 4096
_DIR_ENTRY = 128
_FREESECT = 0xFFFFFFFF
_ENDOFCHAIN = 0xFFFFFFFE
_FATSECT = 0xFFFFFFFD
_NOSTREAM = 0xFFFFFFFF
_STREAM, _STORAGE = 2, 1
_EMPTY_ENTRY = b"\x00" * 68 + struct.pack("<III", _NOSTREAM, _NOSTREAM, _NOSTREAM) + b"\x00" * 48


def _pad(data: bytes, size: int, fill: bytes = b"\x00") -> bytes:
    """Pad ``data`` to a multiple of ``size`` with copies of ``fill``."""
    missing = -len(data) % size
    assert missing % len(fill) == 0
    return data + fill * (missing // len(fill))


def _read_directory(raw: bytes, ole: olefile.OleFileIO) -> list[bytes]:
    """The raw 128-byte directory entries, following the FAT chain."""
    entries = bytearray()
    sector = ole.first_dir_sector
    seen = set()
    while sector != _ENDOFCHAIN:
        if sector in seen or sector >= len(ole.fat):
            raise ValueError("broken directory chain")
        seen.add(sector)
        offset = (sector + 1) * ole.sectorsize
        entries += raw[offset : offset + ole.sectorsize]
        sector = ole.fat[sector]
    return [bytes(entries[i : i + _DIR_ENTRY]) for i in range(0, len(entries), _DIR_ENTRY)]


def _entry_paths(entries: list[bytes]) -> dict[int, str]:
    """Map each reachable entry index to its "storage/stream" path."""
    paths: dict[int, str] = {}

    def walk(sid: int, prefix: str) -> None:
        # Siblings form a binary tree (left, right); storages have a child.
        stack = [sid]
        while stack:
            sid = stack.pop()
            if sid == _NOSTREAM:
                continue
            if sid in paths or sid >= len(entries):
                raise ValueError("broken directory tree")
            entry = entries[sid]
            name_len = struct.unpack_from("<H", entry, 64)[0]
            name = entry[: max(name_len - 2, 0)].decode("utf-16-le")
            left, right, child = struct.unpack_from("<III", entry, 68)
            paths[sid] = prefix + name
            stack += [left, right]
            if entry[66] == _STORAGE:
                walk(child, prefix + name + "/")

    root_child = struct.unpack_from("<I", entries[0], 76)[0]
    walk(root_child, "")
    return paths


def _write_cfb(raw: bytes, replacements: Mapping[str, bytes]) -> bytes:
    """Rewrite the compound file ``raw`` with some stream contents replaced.

    Directory entries are copied as they are (same order, tree, colours,
    CLSIDs, timestamps); only the start sector and size of streams and of the
    root entry (which locates the mini stream) are recomputed. Sector layout:
    FAT sectors, directory, mini FAT, mini stream, then the large streams in
    directory order. No DIFAT sectors: 109 FAT sectors cover ~7 MB, far more
    than any VBA project we write.
    """
    ole = olefile.OleFileIO(raw, raise_defects=olefile.DEFECT_INCORRECT)
    try:
        if ole.sectorsize != _SECTOR or ole.minisectorsize != _MINI_SECTOR:
            raise ValueError("only version 3 compound files (512-byte sectors) are supported")
        entries = [bytearray(e) for e in _read_directory(raw, ole)]
        paths = _entry_paths([bytes(e) for e in entries])
        for sid in range(1, len(entries)):
            if sid not in paths:
                # Unreachable (deleted) entry: its sector pointers would be
                # stale after the re-layout, so it becomes an unused entry.
                entries[sid] = bytearray(_EMPTY_ENTRY)
        unknown = set(replacements) - {p for s, p in paths.items() if entries[s][66] == _STREAM}
        if unknown:
            raise KeyError(f"no such stream(s): {sorted(unknown)}")
        contents = {
            sid: replacements[path] if path in replacements else ole.openstream(path).read()
            for sid, path in sorted(paths.items())
            if entries[sid][66] == _STREAM
        }
    finally:
        ole.close()

    # Small streams go into the mini stream, 64-byte mini sectors.
    mini_stream = bytearray()
    mini_fat: list[int] = []
    large: list[tuple[int, bytes]] = []
    for sid, data in contents.items():
        if not data:
            struct.pack_into("<IQ", entries[sid], 116, _ENDOFCHAIN, 0)
        elif len(data) < _MINI_CUTOFF:
            first = len(mini_fat)
            count = -(-len(data) // _MINI_SECTOR)
            mini_fat += list(range(first + 1, first + count)) + [_ENDOFCHAIN]
            mini_stream += _pad(data, _MINI_SECTOR)
            struct.pack_into("<IQ", entries[sid], 116, first, len(data))
        else:
            large.append((sid, data))

    # Regular sectors, in file order; start sectors are filled in below.
    # Placeholder of the right size; the entries still get start sectors.
    directory = _pad(b"".join(entries), _SECTOR, _EMPTY_ENTRY)
    blobs: list[tuple[str, int | None, bytes]] = [("directory", None, directory)]
    if mini_fat:
        mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat)
        blobs.append(("minifat", None, _pad(mini_fat_bytes, _SECTOR, b"\xff")))
        blobs.append(("ministream", None, _pad(bytes(mini_stream), _SECTOR)))
    blobs += [("stream", sid, _pad(data, _SECTOR)) for sid, data in large]

    data_sectors = sum(len(blob) // _SECTOR for _, _, blob in blobs)
    fat_sectors = 1
    while fat_sectors * (_SECTOR // 4) < fat_sectors + data_sectors:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("compound file too large for a header-only DIFAT")

    fat = [_FATSECT] * fat_sectors
    starts: dict[tuple[str, int | None], int] = {}
    for kind, sid, blob in blobs:
        first = len(fat)
        count = len(blob) // _SECTOR
        fat += list(range(first + 1, first + count)) + [_ENDOFCHAIN]
        starts[(kind, sid)] = first
    fat += [_FREESECT] * (fat_sectors * (_SECTOR // 4) - len(fat))

    for sid, data in large:
        struct.pack_into("<IQ", entries[sid], 116, starts[("stream", sid)], len(data))
    if mini_fat:
        struct.pack_into("<IQ", entries[0], 116, starts[("ministream", None)], len(mini_stream))
    else:
        struct.pack_into("<IQ", entries[0], 116, _ENDOFCHAIN, 0)
    # Entries changed after the directory blob was joined: rebuild it.
    blobs[0] = ("directory", None, _pad(b"".join(entries), _SECTOR, _EMPTY_ENTRY))

    minor_version = struct.unpack_from("<H", raw, 24)[0]  # keep the source's (33 for xlwings)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        olefile.MAGIC,
        raw[8:24],  # header CLSID, all zero
        minor_version,
        3,  # major version
        0xFFFE,  # byte order mark
        9,  # sector shift: 512 bytes
        6,  # mini sector shift: 64 bytes
        b"\x00" * 6,
        0,  # number of directory sectors: must be 0 in version 3
        fat_sectors,
        starts[("directory", None)],
        0,  # transaction signature
        _MINI_CUTOFF,
        starts[("minifat", None)] if mini_fat else _ENDOFCHAIN,
        len(blobs[1][2]) // _SECTOR if mini_fat else 0,
        _ENDOFCHAIN,  # first DIFAT sector: none
        0,  # number of DIFAT sectors
    )
    header += struct.pack("<109I", *(list(range(fat_sectors)) + [_FREESECT] * (109 - fat_sectors)))
    assert len(header) == _SECTOR
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    return header + fat_bytes + b"".join(blob for _, _, blob in blobs)


# ---------------------------------------------------------------------------
# Patching module sources
# ---------------------------------------------------------------------------


def _normalize_newlines(text: str) -> str:
    """CRLF line ends (what the VBE stores), ending with a line break."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    return text.replace("\n", "\r\n")


def _check_ascii(text: str, what: str) -> None:
    """Reject non-ASCII VBA: the project's code page is 1252, so e.g.
    Vietnamese letters would be stored wrongly or not at all."""
    for lineno, line in enumerate(text.splitlines(), 1):
        bad = [ch for ch in line if ord(ch) > 0x7F]
        if bad:
            raise ValueError(
                f"{what}: non-ASCII character {bad[0]!r} on line {lineno}; VBA text must be ASCII "
                "(messages in Vietnamese belong in Python or in the sheets)"
            )


_VB_NAME = re.compile(r'^Attribute VB_Name = "([^"]*)"\r?$', re.MULTILINE)


def _with_vb_name(text: str, module: str) -> str:
    """Make sure the source starts with ``Attribute VB_Name = "<module>"``.

    The VBE stores this line at the top of every module's source (olevba
    shows it) and uses it as the module's name. Hand-written text may omit
    it; a line naming a different module is an error.
    """
    first, _, rest = text.partition("\r\n")
    match = _VB_NAME.match(first)
    if _VB_NAME.search(rest):
        raise ValueError("Attribute VB_Name must be the first line of a module")
    if match is None:
        return f'Attribute VB_Name = "{module}"\r\n' + text
    if match.group(1) != module:
        raise ValueError(f"source declares VB_Name {match.group(1)!r}, expected {module!r}")
    return text


def replace_module_sources(project: bytes, sources: Mapping[str, str]) -> bytes:
    """Return ``project`` with the source of the named modules replaced.

    For every module: the new source is normalised to CRLF, must be ASCII,
    gets its ``Attribute VB_Name`` line if missing, is compressed into the
    module stream on its own (the p-code is dropped), and the module's
    MODULEOFFSET in ``VBA/dir`` is set to 0. Modules can only be replaced,
    not added or removed. Nothing else in the project changes.
    """
    ole = olefile.OleFileIO(project, raise_defects=olefile.DEFECT_INCORRECT)
    try:
        dir_data = bytearray(ovba_decompress(ole.openstream("VBA/dir").read()))
    finally:
        ole.close()
    codec, modules = _module_table(bytes(dir_data))

    replacements: dict[str, bytes] = {}
    for name, text in sources.items():
        if name not in modules:
            raise KeyError(f"the VBA project has no module {name!r}")
        module = modules[name]
        text = _with_vb_name(_normalize_newlines(text), name)
        _check_ascii(text, f"module {name}")
        replacements[f"VBA/{module['stream']}"] = ovba_compress(text.encode(codec))
        struct.pack_into("<I", dir_data, module["offset_at"], 0)
    replacements["VBA/dir"] = ovba_compress(bytes(dir_data))
    return _write_cfb(project, replacements)


def build_vba_project(module1_text: str) -> bytes:
    """xlwings' shipped VBA project with Module1's source replaced by ``module1_text``."""
    return replace_module_sources(xlwings_vba_project(), {MODULE1: module1_text})


# ---------------------------------------------------------------------------
# Module1 text and UDF wrappers
# ---------------------------------------------------------------------------

# Runs in a child process: it puts stub pywin32 modules into sys.modules,
# which must not leak into the caller's interpreter.
_WRAPPER_SCRIPT = r"""
import importlib, io, json, sys, types

request = json.load(sys.stdin)
sys.path[:] = request["sys_path"]
# Whatever the imported code prints must not corrupt the JSON answer.
answer, sys.stdout = sys.stdout, sys.stderr

def _stub(name):
    module = types.ModuleType(name)
    def __getattr__(attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return lambda *args, **kwargs: None
    module.__getattr__ = __getattr__
    return module

try:  # real pywin32 (Windows): use it as it is
    import pythoncom, pywintypes, win32com.client
except ImportError:
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        sys.modules[name] = _stub(name)
    sys.modules["win32com"].client = sys.modules["win32com.client"]

import xlwings
from xlwings import udfs

# The classic (Windows) decorators record __xlfunc__, which the generator reads.
xlwings.func, xlwings.arg, xlwings.ret = udfs.xlfunc, udfs.xlarg, udfs.xlret
xlwings.script = xlwings.sub = udfs.xlsub

module = importlib.import_module(request["module"])

class Workbook:
    # generate_vba_wrapper reads only .Name: ThisWorkbook unless it is an .xlam.
    Name = "workbook.xlsm"

out = io.StringIO()
udfs.generate_vba_wrapper(request["module"], module, out, Workbook())
json.dump({"vba": out.getvalue()}, answer)
"""


def udf_wrappers(module_name: str) -> str:
    """VBA wrappers for the ``@xw.func`` (and ``@xw.script``/``@xw.sub``)
    functions of the Python module ``module_name``.

    The text is generated by xlwings' own ``xlwings.udfs.generate_vba_wrapper``
    - the code behind "Import Functions" - so it is what Import would put into
    the ``xlwings_udfs`` module, e.g.::

        Function F(x)
            #If App = "Microsoft Excel" Then
                If TypeOf Application.Caller Is Range Then On Error GoTo failed
                F = XLPy.CallUDF("pkg.udfs", "F", Array(x), ThisWorkbook, Application.Caller)
        ...

    Import additionally sets MacroOptions (descriptions, argument help); that
    is lost, which is cosmetic. ``xlwings.udfs`` imports pywin32 at module
    level and the decorators are no-ops off Windows, so a child process stubs
    pywin32, switches ``xw.func``/``arg``/``ret``/``script`` to the classic
    decorators and then imports the module. The child gets this process's
    ``sys.path`` and working directory, so it resolves the module the same
    way. Line ends are LF as xlwings writes them; ``module1_source`` turns
    them into CRLF.
    """
    env = dict(os.environ)
    env.pop("XLWINGS_ON_SERVER", None)  # would swap in the Office.js decorators
    request = json.dumps({"module": module_name, "sys_path": sys.path})
    result = subprocess.run(
        [sys.executable, "-c", _WRAPPER_SCRIPT],
        input=request,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"generating UDF wrappers for {module_name!r} failed:\n{result.stderr.strip()}"
        )
    return json.loads(result.stdout)["vba"]


_PROCEDURE = re.compile(
    r"^[ \t]*(?:(?:Public|Private|Friend)[ \t]+)?(?:Static[ \t]+)?(?:Sub|Function)[ \t]+(\w+)",
    re.IGNORECASE | re.MULTILINE,
)


def procedure_names(vba: str) -> list[str]:
    """Names of the Subs and Functions declared in VBA source text."""
    return _PROCEDURE.findall(vba)


def module1_source(udf_module: str | None) -> str:
    """The complete Module1 text: ``vba/Module1.bas`` plus, if ``udf_module``
    is given, the generated wrappers for that Python module.

    Returned with CRLF line ends and the ``Attribute VB_Name`` line, i.e.
    exactly what olevba extracts from the built project. Raises ValueError if
    the text is not ASCII or a procedure name occurs twice (VBA names are
    case-insensitive).
    """
    raw = MODULE1_BAS.read_bytes()
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{MODULE1_BAS.name} must be ASCII: byte {exc.start} is not") from exc
    text = _normalize_newlines(text)
    if udf_module:
        wrappers = udf_wrappers(udf_module)
        text = text.rstrip("\r\n") + "\r\n\r\n" + _normalize_newlines(
            f"' ---- UDF wrappers for Python module {udf_module}, generated by\n"
            "' ---- xlwings_addin.excel.vbaproject with xlwings' own generator. Do not edit.\n"
            + wrappers
        )
    text = _with_vb_name(text, MODULE1)
    _check_ascii(text, MODULE1)
    seen: dict[str, str] = {}
    for name in procedure_names(text):
        if name.lower() in seen:
            raise ValueError(f"procedure {name!r} is defined twice in {MODULE1}")
        seen[name.lower()] = name
    return text


# ---------------------------------------------------------------------------
# Reading sources back (tests, diagnostics)
# ---------------------------------------------------------------------------


def extract_module_sources(xlsm_or_bin: str | os.PathLike | bytes) -> dict[str, str]:
    """Module name -> source text, as decompressed by oletools' olevba.

    Accepts a path to an .xlsm/.xlam/.bin file or the bytes of one. Uses
    olevba on purpose: it is an implementation independent of the
    compressor in this module.
    """
    from oletools.olevba import VBA_Parser

    if isinstance(xlsm_or_bin, (bytes, bytearray)):
        parser = VBA_Parser("vbaProject.bin", data=bytes(xlsm_or_bin))
    else:
        parser = VBA_Parser(os.fspath(xlsm_or_bin))
    try:
        sources = {}
        for _, _, vba_filename, code in parser.extract_macros():
            name = vba_filename.rsplit(".", 1)[0]
            sources[name] = code.decode("latin-1") if isinstance(code, bytes) else code
        return sources
    finally:
        parser.close()
