"""Tests for xlwings_addin.excel.vbaproject (the patched vbaProject.bin).

Everything read back from a built project goes through oletools (olevba,
decompress_stream, mraptor) or olefile, i.e. through code independent of the
compressor and CFB writer under test.
"""

from __future__ import annotations

import ast
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import olefile
import pytest
import xlsxwriter
import xlwings
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from oletools.mraptor import MacroRaptor
from oletools.olevba import VBA_Parser, decompress_stream

from xlwings_addin.excel import vbaproject as vp

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_MODULE = "sample_udfs"
MACROS = {
    "TinhKetQua": "tinh_ket_qua",
    "XuatBienBan": "xuat_bien_ban",
    "XuatHoSo": "xuat_ho_so",
    "InPhieu": "in_phieu",
    "KiemTraMoiTruong": "kiem_tra_moi_truong",
}
VB_NAME_LINE = 'Attribute VB_Name = "Module1"\r\n'


def _oletools_decompress(data: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(data)))


def _streams(project: bytes) -> dict[str, bytes]:
    ole = olefile.OleFileIO(project)
    try:
        return {"/".join(path): ole.openstream(path).read() for path in ole.listdir()}
    finally:
        ole.close()


# ---------------------------------------------------------------------------
# Session fixtures: the wrapper generation (a subprocess) and the build run once.
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sample_on_path():
    """Make tests/fixtures importable; udf_wrappers passes sys.path to its child."""
    sys.path.insert(0, str(FIXTURES))
    yield SAMPLE_MODULE
    sys.path.remove(str(FIXTURES))


@pytest.fixture(scope="session")
def module1_text(sample_on_path) -> str:
    return vp.module1_source(sample_on_path)


@pytest.fixture(scope="session")
def shipped() -> bytes:
    return vp.xlwings_vba_project()


@pytest.fixture(scope="session")
def built(module1_text) -> bytes:
    return vp.build_vba_project(module1_text)


@pytest.fixture(scope="session")
def shipped_sources(shipped) -> dict[str, str]:
    return vp.extract_module_sources(shipped)


@pytest.fixture(scope="session")
def built_sources(built) -> dict[str, str]:
    return vp.extract_module_sources(built)


# ---------------------------------------------------------------------------
# The template we start from
# ---------------------------------------------------------------------------


def test_shipped_project_is_the_expected_source_only_template(shipped, shipped_sources):
    # Guards the assumptions of approach (a+) against a different xlwings:
    # Version 0xFFFF (recompile from source) and the expected modules.
    streams = _streams(shipped)
    assert streams["VBA/_VBA_PROJECT"] == bytes.fromhex("cc61ffff000100")
    assert set(shipped_sources) == {"ThisWorkbook", "Sheet1", "Sheet2", "Module1", "xlwings", "Dictionary"}
    assert f"'Version: {xlwings.__version__}" in shipped_sources["xlwings"]


# ---------------------------------------------------------------------------
# The built project, read back with independent tools
# ---------------------------------------------------------------------------


def test_module1_roundtrips_through_olevba(built_sources, module1_text):
    assert built_sources["Module1"] == module1_text
    assert module1_text.startswith(VB_NAME_LINE)
    assert "\r\n" in module1_text and "\n" not in module1_text.replace("\r\n", "")


def test_other_modules_are_unchanged(built_sources, shipped_sources):
    assert set(built_sources) == set(shipped_sources)
    for name, source in shipped_sources.items():
        if name != "Module1":
            assert built_sources[name] == source, name


def test_only_module1_and_dir_streams_change(built, shipped):
    old, new = _streams(shipped), _streams(built)
    assert set(old) == set(new)
    changed = {name for name in old if old[name] != new[name]}
    assert changed == {"VBA/Module1", "VBA/dir"}


def test_module1_stream_is_compressed_source_only(built, module1_text):
    # No p-code in front of the source: the whole stream is the container.
    stream = _streams(built)["VBA/Module1"]
    assert _oletools_decompress(stream) == module1_text.encode("ascii")


def test_dir_changes_only_module1_offset(built, shipped):
    old = _oletools_decompress(_streams(shipped)["VBA/dir"])
    new = _oletools_decompress(_streams(built)["VBA/dir"])
    assert len(old) == len(new)
    # MODULENAME "Module1" ... MODULEOFFSET (id 0x0031, size 4) of that module.
    name_at = old.index(b"\x19\x00\x07\x00\x00\x00Module1")
    offset_at = old.index(b"\x31\x00\x04\x00\x00\x00", name_at) + 6
    assert [i for i in range(len(old)) if old[i] != new[i]] == [
        i for i in range(offset_at, offset_at + 4) if old[i] != 0
    ]
    assert int.from_bytes(old[offset_at : offset_at + 4], "little") > 0
    assert new[offset_at : offset_at + 4] == b"\x00\x00\x00\x00"


def test_olefile_strict_parse(built, shipped):
    ole = olefile.OleFileIO(built, raise_defects=olefile.DEFECT_INCORRECT)
    try:
        assert ole.parsing_issues == []
        original = olefile.OleFileIO(shipped)
        # Header kept from the template where it matters (minor version 33 for xlwings').
        assert (ole.dll_version, ole.minor_version) == (original.dll_version, original.minor_version)
        for entry in original.direntries:
            if entry is None:
                continue
            twin = ole.direntries[entry.sid]
            assert (twin.name, twin.entry_type, twin.clsid, twin.sid_left, twin.sid_right, twin.sid_child) == (
                entry.name,
                entry.entry_type,
                entry.clsid,
                entry.sid_left,
                entry.sid_right,
                entry.sid_child,
            )
        original.close()
    finally:
        ole.close()


def test_mraptor_sees_no_autoexec(built):
    parser = VBA_Parser("vbaProject.bin", data=built)
    try:
        raptor = MacroRaptor(parser.get_vba_code_all_modules())
        raptor.scan()
        assert not raptor.autoexec, raptor.autoexec_match
        assert not raptor.suspicious
    finally:
        parser.close()


def test_all_vba_is_ascii(built_sources):
    for name, source in built_sources.items():
        assert source.isascii(), name
    assert vp.MODULE1_BAS.read_bytes().isascii()


def test_build_is_deterministic(built, module1_text):
    assert vp.build_vba_project(module1_text) == built


# ---------------------------------------------------------------------------
# Module1 content
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("sub, function", sorted(MACROS.items()))
def test_button_macros_call_fixed_python(module1_text, sub, function):
    body = re.search(rf"^Sub {sub}\(\)\r\n(.*?)^End Sub", module1_text, re.MULTILINE | re.DOTALL)
    assert body, sub
    assert f'RunPython "import xlwings_addin.excel.macros as m; m.{function}()"' in body.group(1) or (
        f'RunPython("import xlwings_addin.excel.macros as m; m.{function}()")' in body.group(1)
    )


def test_environment_check_handles_missing_python(module1_text):
    body = re.search(r"^Sub KiemTraMoiTruong\(\)\r\n(.*?)^End Sub", module1_text, re.MULTILINE | re.DOTALL)
    assert "On Error GoTo" in body.group(1)
    assert "Python or xlwings not found." in module1_text


def test_module1_has_no_autorun_shell_or_cell_commands():
    text = vp.MODULE1_BAS.read_text(encoding="ascii")
    assert not re.search(r"\b(Auto_?Open|Workbook_Open|Shell|Evaluate|ExecuteExcel4Macro)\b", text, re.I)
    # Every RunPython argument is a single string literal, never built from a value.
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("'"))
    calls = re.findall(r"\bRunPython\b.*", code)
    assert len(calls) == len(MACROS)
    for call in calls:
        assert re.fullmatch(r'RunPython[ (]"[^"&]*"\)?', call.strip()), call


def test_module1_declares_app_constant_for_wrappers(module1_text):
    # The wrappers use "#If App = ..."; without the constant they would take
    # the #Else branch (a call that is wrong on Windows Excel).
    assert re.search(r'^#Const App = "Microsoft Excel"', module1_text, re.MULTILINE)


def test_wrapper_for_each_xw_func(module1_text, sample_on_path):
    tree = ast.parse((FIXTURES / f"{SAMPLE_MODULE}.py").read_text(encoding="utf-8"))

    def is_xw_func(decorator):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        return isinstance(target, ast.Attribute) and target.attr == "func"

    udfs = {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and any(map(is_xw_func, node.decorator_list))
    }
    assert udfs == {"PHAN_LOAI", "BANG_KET_QUA", "TONG", "O_GOI"}
    functions = re.findall(r"^Function (\w+)\(", module1_text, re.MULTILINE)
    assert sorted(functions) == sorted(udfs)
    for name in udfs:
        assert f'{name} = XLPy.CallUDF("{SAMPLE_MODULE}", "{name}", ' in module1_text


def test_wrapper_text_is_xlwings_format(sample_on_path):
    # Pinned to what xlwings 0.37.8's generator writes for a plain function.
    wrappers = vp.udf_wrappers(sample_on_path)
    expected = (
        "Function PHAN_LOAI(so_phieu, so_toi_da)\n"
        '    #If App = "Microsoft Excel" Then\n'
        "        If TypeOf Application.Caller Is Range Then On Error GoTo failed\n"
        '        PHAN_LOAI = XLPy.CallUDF("sample_udfs", "PHAN_LOAI", Array(so_phieu, so_toi_da), '
        "ThisWorkbook, Application.Caller)\n"
        "        Exit Function\n"
        "    #Else\n"
        '        PHAN_LOAI = XLPy.CallUDF("sample_udfs", "PHAN_LOAI", Array(so_phieu, so_toi_da))\n'
        "        Exit Function\n"
        "    #End If\n"
        "failed:\n"
        "    PHAN_LOAI = Err.Description\n"
        "End Function\n"
    )
    assert expected in wrappers
    assert "Optional so_toi_da" in wrappers  # default argument
    assert "ParamArray more()" in wrappers and "Application.Volatile" in wrappers
    assert "Array(value, Nothing)" in wrappers  # caller argument


def test_wrapper_generation_does_not_leak_stubs(sample_on_path):
    vp.udf_wrappers(sample_on_path)
    assert "pythoncom" not in sys.modules or hasattr(sys.modules["pythoncom"], "__file__")


def test_wrapper_generation_reports_import_errors():
    with pytest.raises(RuntimeError, match="no_such_module_for_vbaproject_tests"):
        vp.udf_wrappers("no_such_module_for_vbaproject_tests")


# ---------------------------------------------------------------------------
# The committed wrappers of the workbook's own UDFs (vba/udf_wrappers.bas)
# ---------------------------------------------------------------------------

REGENERATE = "python scripts/update_udf_wrappers.py"


def test_committed_udf_wrappers_equal_a_fresh_generation():
    # A changed UDF signature (new argument, new function) without
    # regeneration fails here, not silently in Excel.
    fresh = vp.render_udf_wrappers(vp.UDF_MODULE)
    committed = vp.UDF_WRAPPERS_BAS.read_text(encoding="ascii")
    assert committed == fresh, (
        f"{vp.UDF_WRAPPERS_BAS.name} is stale for {vp.UDF_MODULE}: run `{REGENERATE}`, "
        "then `python scripts/build_template.py`, and commit both"
    )


def test_committed_udf_wrappers_are_ascii_with_lf_line_ends():
    raw = vp.UDF_WRAPPERS_BAS.read_bytes()
    assert raw.isascii()
    assert b"\r" not in raw and raw.endswith(b"\n")


def test_update_check_mode_reports_a_stale_file_and_writes_nothing(tmp_path, monkeypatch):
    stale = tmp_path / "udf_wrappers.bas"
    stale.write_bytes(b"' old\n")
    monkeypatch.setattr(vp, "UDF_WRAPPERS_BAS", stale)
    assert vp.update_udf_wrappers(check=True) is False
    assert stale.read_bytes() == b"' old\n"
    assert vp.update_udf_wrappers() is False  # rewrites it
    assert stale.read_bytes() == vp.render_udf_wrappers(vp.UDF_MODULE).encode("ascii")
    assert vp.update_udf_wrappers(check=True) is True


def test_update_script_check_mode_passes_on_the_committed_file():
    script = Path(__file__).resolve().parent.parent / "scripts" / "update_udf_wrappers.py"
    run = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_building_module1_starts_no_child_process(monkeypatch):
    from xlwings_addin.excel import template

    def refuse(*args, **kwargs):
        raise AssertionError("a workbook build must not start a child process")

    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    assert template.UDF_MODULE == vp.UDF_MODULE  # the module whose wrappers are committed
    text = vp.module1_source(template.UDF_MODULE)
    assert text.endswith(vp.UDF_WRAPPERS_BAS.read_text(encoding="ascii").replace("\n", "\r\n"))
    assert vp.extract_module_sources(template.vba_project_bytes())["Module1"] == text


def test_udf_wrappers_are_package_data():
    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["xlwings_addin"]
    package = root / "xlwings_addin"
    # setuptools expands each pattern relative to the package directory.
    shipped = {path for pattern in patterns for path in package.glob(pattern)}
    for path in (vp.MODULE1_BAS, vp.UDF_WRAPPERS_BAS):
        assert path in shipped, f"{path.relative_to(package)} is not in package-data"


def test_module1_source_without_udfs():
    text = vp.module1_source(None)
    on_disk = vp.MODULE1_BAS.read_text(encoding="ascii").replace("\r\n", "\n")
    assert text == on_disk.replace("\n", "\r\n")
    assert text.startswith(VB_NAME_LINE)
    assert "XLPy.CallUDF" not in text


def test_vb_name_line_is_added_when_missing(shipped):
    text = "Sub OnlyThis()\r\nEnd Sub\r\n"
    sources = vp.extract_module_sources(vp.replace_module_sources(shipped, {"Module1": text}))
    assert sources["Module1"] == VB_NAME_LINE + text


def test_wrong_vb_name_is_rejected(shipped):
    with pytest.raises(ValueError, match="VB_Name"):
        vp.replace_module_sources(shipped, {"Module1": 'Attribute VB_Name = "Other"\nSub A()\nEnd Sub\n'})


def test_non_ascii_vba_is_rejected():
    with pytest.raises(ValueError, match="ASCII"):
        vp.build_vba_project('Sub A()\n    MsgBox "T\u00ednh k\u1ebft qu\u1ea3"\nEnd Sub\n')


def test_unknown_module_is_rejected(shipped):
    with pytest.raises(KeyError):
        vp.replace_module_sources(shipped, {"Module2": "Sub A()\nEnd Sub\n"})


# ---------------------------------------------------------------------------
# MS-OVBA compression, checked with oletools' decompressor
# ---------------------------------------------------------------------------


def test_compress_xlwings_bas_roundtrip():
    data = (Path(xlwings.__file__).with_name("xlwings.bas")).read_bytes()
    assert len(data) > 10 * 4096  # many chunks
    assert _oletools_decompress(vp.ovba_compress(data)) == data


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"a",
        b"abcabcabc",
        b"x" * 4096,  # one full chunk, longest possible copy tokens
        b"x" * 4097,
        b"x" * 20000,
        b"Sub A()\r\n" * 2000,
        random.Random(1).randbytes(4096),  # incompressible full chunk: stored raw
        random.Random(2).randbytes(4096) + b"tail tail tail",
    ],
    ids=["empty", "one", "repeat", "run4096", "run4097", "run20000", "lines", "raw", "raw+tail"],
)
def test_compress_edge_cases(data):
    compressed = vp.ovba_compress(data)
    assert _oletools_decompress(compressed) == data
    assert vp.ovba_decompress(compressed) == data


def test_incompressible_short_final_chunk_is_refused():
    with pytest.raises(ValueError):
        vp.ovba_compress(random.Random(3).randbytes(4000))


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab \r\n\"()=", max_size=12000))
def test_compress_roundtrip_property(text):
    data = text.encode("ascii")
    assert _oletools_decompress(vp.ovba_compress(data)) == data


_TOKENS = [b"Sub ", b"End Sub", b"\r\n", b"    ", b"RunPython ", b'"', b"x", b"\x00", b"\xff"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS) | st.binary(max_size=3), max_size=4000).map(b"".join))
def test_compress_roundtrip_property_binary(data):
    try:
        compressed = vp.ovba_compress(data)
    except ValueError:  # only for an incompressible short final chunk
        assume(len(data) % 4096 > 3600)
        return
    assert _oletools_decompress(compressed) == data


def test_compression_matches_the_spec_algorithm(monkeypatch, module1_text):
    # ms-ovba-compression follows MS-OVBA's pseudo-code literally; with its
    # MaximumLength bug corrected (here, for this test only) its output is
    # the reference our faster compressor must reproduce byte for byte.
    ms_ovba = pytest.importorskip("ms_ovba_compression.ms_ovba")
    buggy = ms_ovba.MsOvba.copytoken_help

    def corrected(difference):
        help_ = buggy(difference)
        help_["maxLength"] = (0xFFFF >> help_["bitCount"]) + 3
        return help_

    monkeypatch.setattr(ms_ovba.MsOvba, "copytoken_help", staticmethod(corrected))
    for data in (module1_text.encode("ascii"), b"x" * 9000, b"abcab" * 900):
        assert ms_ovba.MsOvba().compress(data) == vp.ovba_compress(data)


def test_own_decompressor_reads_shipped_streams(shipped):
    streams = _streams(shipped)
    for name in ("VBA/dir", "VBA/xlwings"):  # both stored from offset 0, multi-chunk
        assert vp.ovba_decompress(streams[name]) == _oletools_decompress(streams[name])


# ---------------------------------------------------------------------------
# The compound file writer
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 63, 64, 4095, 4096, 4097, 300_000])
def test_cfb_writer_stream_sizes(shipped, size):
    # Around the mini-stream cutoff (4096 bytes: from there on, regular
    # sectors) and large enough to need several FAT sectors.
    data = random.Random(size).randbytes(size)
    rewritten = vp._write_cfb(shipped, {"VBA/Module1": data})
    ole = olefile.OleFileIO(rewritten, raise_defects=olefile.DEFECT_INCORRECT)
    try:
        assert ole.openstream("VBA/Module1").read() == data
        assert ole.parsing_issues == []
    finally:
        ole.close()
    old, new = _streams(shipped), _streams(rewritten)
    assert {name for name in old if old[name] != new[name]} == {"VBA/Module1"}


def test_cfb_writer_without_changes_keeps_all_streams(shipped):
    assert _streams(vp._write_cfb(shipped, {})) == _streams(shipped)


# ---------------------------------------------------------------------------
# In a workbook written by XlsxWriter
# ---------------------------------------------------------------------------


def _write_xlsm(path: Path, project: bytes, cells: dict[str, str] | None = None) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Data")
    workbook.add_vba_project(io.BytesIO(project), is_stream=True)
    workbook.set_vba_name("ThisWorkbook")
    sheet.set_vba_name("Sheet1")
    for cell, value in (cells or {}).items():
        sheet.write(cell, value)
    sheet.insert_button("C3", {"macro": "TinhKetQua", "caption": "T\u00ednh k\u1ebft qu\u1ea3", "width": 160})
    workbook.close()


def test_xlsm_button_names_a_sub_of_module1(tmp_path, built, module1_text):
    path = tmp_path / "template.xlsm"
    _write_xlsm(path, built)
    with zipfile.ZipFile(path) as zf:
        assert zf.read("xl/vbaProject.bin") == built
        vml = "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".vml"))
    macros = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    assert macros == ["TinhKetQua"]
    module1 = vp.extract_module_sources(path)["Module1"]
    assert module1 == module1_text
    assert re.search(rf"^Sub {macros[0]}\(\)\r$", module1, re.MULTILINE)


# ---------------------------------------------------------------------------
# LibreOffice smoke test (optional: skipped without soffice and python3-uno)
# ---------------------------------------------------------------------------

# Runs under a Python that has the "uno" module (python3-uno), which need not
# be the interpreter running pytest. Starts its own soffice with a throw-away
# profile and pipe name, runs the macros, prints JSON.
_UNO_SCRIPT = r"""
import json, subprocess, sys, time, uuid
import uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p

xlsm, profile, macros = sys.argv[1], sys.argv[2], sys.argv[3:]
pipe = "vbaproject_test_" + uuid.uuid4().hex
proc = subprocess.Popen(
    ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
     "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
     "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % pipe],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + 60
    while True:
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            if time.time() > deadline or proc.poll() is not None:
                raise
            time.sleep(0.3)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    # MacroExecutionMode 4: always execute, no warning.
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(xlsm), "_blank", 0,
                                       (prop("Hidden", True), prop("MacroExecutionMode", 4)))
    result = {"modules": {}, "cells": {}}
    libraries = doc.BasicLibraries
    if libraries.hasByName("VBAProject"):
        libraries.loadLibrary("VBAProject")
        library = libraries.getByName("VBAProject")
        result["modules"] = {name: library.getByName(name) for name in library.getElementNames()}
    provider = doc.getScriptProvider()
    cell = doc.Sheets.getByIndex(0).getCellByPosition(0, 0)
    for macro in macros:
        cell.setString("")
        url = "vnd.sun.star.script:VBAProject.Module1.%s?language=Basic&location=document" % macro
        provider.getScript(url).invoke((), (), ())
        result["cells"][macro] = cell.getString()
    doc.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass  # the bridge goes away while terminating
    print(json.dumps(result))
finally:
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
"""


def _uno_python() -> str | None:
    """An interpreter with python3-uno: $UNO_PYTHON, this one, or the system python3."""
    candidates = [os.environ.get("UNO_PYTHON"), sys.executable, "/usr/bin/python3"]
    for candidate in filter(None, candidates):
        try:
            probe = subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return candidate
    return None


@pytest.mark.libreoffice
def test_libreoffice_runs_button_macros(tmp_path, module1_text, shipped_sources):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    uno_python = _uno_python()
    if uno_python is None:
        pytest.skip("no Python with the uno module (python3-uno)")

    # LibreOffice's Basic cannot run the real xlwings module or the Dictionary
    # class, so both are replaced by stubs: RunPython writes its command into
    # A1 of the first sheet; Dictionary keeps only its attribute lines.
    stub_xlwings = (
        'Attribute VB_Name = "xlwings"\n'
        "Public Function RunPython(PythonCommand As String)\n"
        '    ThisWorkbook.Worksheets(1).Range("A1").Value = PythonCommand\n'
        "End Function\n"
    )
    stub_dictionary = "".join(
        line + "\r\n" for line in shipped_sources["Dictionary"].split("\r\n") if line.startswith("Attribute ")
    )
    project = vp.replace_module_sources(
        vp.build_vba_project(module1_text), {"xlwings": stub_xlwings, "Dictionary": stub_dictionary}
    )
    xlsm = tmp_path / "smoke.xlsm"
    _write_xlsm(xlsm, project)
    script = tmp_path / "uno_smoke.py"
    script.write_text(_UNO_SCRIPT, encoding="utf-8")

    run = subprocess.run(
        [uno_python, str(script), str(xlsm), str(tmp_path / "profile"), *MACROS],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])

    module1 = result["modules"]["Module1"]
    for sub in MACROS:
        assert f"Sub {sub}()" in module1
    assert "Function PHAN_LOAI(so_phieu, so_toi_da)" in module1
    for sub, function in MACROS.items():
        assert result["cells"][sub] == f"import xlwings_addin.excel.macros as m; m.{function}()"
