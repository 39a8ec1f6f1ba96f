"""The core and the rule packs import no I/O library (DESIGN §3)."""

import ast
import subprocess
import sys
from pathlib import Path

FORBIDDEN = {"xlwings", "openpyxl", "docx", "docxtpl", "xlsxwriter", "python_calamine", "olefile", "subprocess", "socket"}
PURE = [Path("xlwings_addin/core"), Path("xlwings_addin/rules")]


def test_core_sources_import_nothing_forbidden():
    for folder in PURE:
        for path in folder.glob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                for name in names:
                    assert name.split(".")[0] not in FORBIDDEN, f"{path} imports {name}"


def test_importing_the_engine_loads_no_io_library():
    code = ("import sys, xlwings_addin.core.engine, xlwings_addin.core.report; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in %r))" % (FORBIDDEN,))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
