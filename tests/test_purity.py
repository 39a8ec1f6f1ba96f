"""The core and the rule packs import no I/O library, and imports only run downwards (DESIGN §3).

Layers, from the bottom: ``core`` (data types, pure helpers) <- ``rules`` (one module per
regulation, plus base/settings/registry) <- ``engine`` (asks the packs). No module imports a layer
above its own, and the engine never imports a regulation module directly.
"""

import ast
import subprocess
import sys
from pathlib import Path

FORBIDDEN = {"xlwings", "openpyxl", "docx", "docxtpl", "xlsxwriter", "python_calamine", "olefile", "subprocess", "socket"}
PURE = [Path("xlwings_addin/core"), Path("xlwings_addin/rules"), Path("xlwings_addin/engine")]
PACK_INFRA = {"base", "settings", "registry"}


def _imports(path: Path) -> list[str]:
    """Absolute module names imported by a source file (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.with_suffix("").parts[:-1])
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
                out += [mod] + [f"{mod}.{a.name}" for a in node.names]
            elif node.module:
                out.append(node.module)
    return out


def test_core_sources_import_nothing_forbidden():
    for folder in PURE:
        for path in folder.glob("*.py"):
            for name in _imports(path):
                assert name.split(".")[0] not in FORBIDDEN, f"{path} imports {name}"


def test_imports_only_run_downwards():
    for path in Path("xlwings_addin/core").glob("*.py"):
        for name in _imports(path):
            assert not name.startswith(("xlwings_addin.rules", "xlwings_addin.engine", "xlwings_addin.io")), f"{path} imports {name}"
    for path in Path("xlwings_addin/rules").glob("*.py"):
        for name in _imports(path):
            assert not name.startswith(("xlwings_addin.engine", "xlwings_addin.io", "xlwings_addin.excel")), f"{path} imports {name}"
            if path.stem not in PACK_INFRA and name.startswith("xlwings_addin.rules."):
                # A regulation module uses only the pack infrastructure, never another regulation.
                assert name.split(".")[2] in PACK_INFRA, f"{path} imports {name}"
    for path in Path("xlwings_addin/engine").glob("*.py"):
        for name in _imports(path):
            if name.startswith("xlwings_addin.rules."):
                assert name.split(".")[2] in PACK_INFRA, f"the engine imports the regulation module {name} ({path})"
            assert not name.startswith(("xlwings_addin.io", "xlwings_addin.excel", "xlwings_addin.documents")), f"{path} imports {name}"


def test_importing_the_engine_loads_no_io_library():
    code = ("import sys, xlwings_addin.engine, xlwings_addin.core.report; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in %r))" % (FORBIDDEN,))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_regulation_is_found_by_the_registry_without_being_listed():
    source = Path("xlwings_addin/rules/registry.py").read_text(encoding="utf-8")
    assert "qd366" not in source.lower() and "qd124" not in source.lower()
    from xlwings_addin.rules.registry import PACKS

    assert [p.id for p in PACKS] == ["QD124-2023", "QD366-2025"]
