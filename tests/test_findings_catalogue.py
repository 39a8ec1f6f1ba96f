"""Every finding code the program can emit is documented in docs/findings.md."""

import ast
import re
from pathlib import Path

EMITTERS = {"error", "warning", "info"}


def emitted_codes() -> set[str]:
    out = set()
    for path in Path("xlwings_addin").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in EMITTERS or name == "sev":
                    value = node.args[0].value
                    if isinstance(value, str) and re.fullmatch(r"[A-Z][A-Z0-9_]+", value):
                        out.add(value)
    return out


def test_every_emitted_code_is_catalogued():
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", Path("docs/findings.md").read_text(encoding="utf-8"), re.M))
    codes = emitted_codes()
    assert len(codes) > 40
    assert codes - documented == set()
