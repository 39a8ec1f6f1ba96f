"""The VBA we ship, parsed by an independent VBA grammar (no Excel needed).

Excel is the only real VBA compiler and it is not available on Linux, so a
syntax slip in ``vba/Module1.bas`` or in the generated UDF wrappers would
otherwise surface only at the manual release check on Windows. Here the
complete Module1 text that goes into the VBA project
(``vbaproject.module1_source``: the hand-written module plus the wrappers) is
parsed with antlr4-vba, the lexer and parser that ANTLR generates from the
vba.g4 grammar of the antlr4-vba project, written after MS-VBAL (the VBA
language specification). It shares no code with this project or with
xlwings, and its parser rejects e.g. ``End Function`` closing a ``Sub``, a
missing ``End Sub`` and a block ``If`` without ``End If`` (the negative tests
below show that the check can fail).

Before parsing, two kinds of lines are blanked (emptied, so every line
number stays the same):

* Conditional compilation directives (``#If``, ``#ElseIf``, ``#Else``,
  ``#End If``, ``#Const``): the main grammar has no rules for them (VBA
  resolves them in a pass before parsing). All branches are kept: in Module1
  each branch holds plain statements (the wrappers' call for Excel and the one
  for other hosts), so one parse checks every line. That the directives are
  balanced is checked here instead.
* Comment-only lines: they have no syntax, and on long runs of them (the
  header of Module1) the ANTLR Python runtime's full-context prediction is
  very slow: about 15 s for Module1 instead of well under a second.

``Attribute`` lines are kept: the grammar's module header accepts them.

Parsing xlwings' own module (xlwings.bas) as well was tried: with the first
branch of every ``#If`` kept it parses, but it takes about 27 s, too slow for
the suite, and the project does not change that module.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from antlr4 import CommonTokenStream, InputStream
from antlr4.error.ErrorListener import ErrorListener
from antlr4_vba.vbaLexer import vbaLexer
from antlr4_vba.vbaParser import vbaParser

from xlwings_addin.excel import vbaproject as vp

FIXTURES = Path(__file__).parent / "fixtures"

_DIRECTIVE = re.compile(r"[ \t]*#(ElseIf|Else|End[ \t]*If|If|Const)\b", re.IGNORECASE)
_COMMENT_LINE = re.compile(r"[ \t]*('|Rem\b)", re.IGNORECASE)
_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class SyntaxProblem:
    line: int  # 1-based
    column: int  # 1-based
    message: str


class _Collector(ErrorListener):
    """Collects what ANTLR's lexer and parser would print to stderr."""

    def __init__(self) -> None:
        self.problems: list[SyntaxProblem] = []

    def syntaxError(self, recognizer, offendingSymbol, line, column, msg, e):  # noqa: N802 (ANTLR's name)
        # ANTLR quotes the whole lookahead, which may span many lines.
        msg = msg.replace("\r", "\\r").replace("\n", "\\n")
        if len(msg) > 160:
            msg = msg[:157] + "..."
        self.problems.append(SyntaxProblem(line, column + 1, msg))


def _split_lines(text: str) -> list[tuple[str, str]]:
    """(content, line end) pairs, so blanked lines keep their line ends."""
    pairs, start = [], 0
    for match in _LINE_END.finditer(text):
        pairs.append((text[start : match.start()], match.group()))
        start = match.end()
    if start < len(text):
        pairs.append((text[start:], ""))
    return pairs


def blank_for_parsing(text: str) -> tuple[str, list[SyntaxProblem]]:
    """Blank directive and comment-only lines (see the module docstring);
    return the text to parse and the problems of unbalanced directives."""
    problems: list[SyntaxProblem] = []
    open_ifs: list[int] = []  # line numbers of the #If still open
    out: list[str] = []
    in_comment = False  # a comment line ending in " _" continues the comment
    for number, (content, end) in enumerate(_split_lines(text), 1):
        directive = _DIRECTIVE.match(content)
        if in_comment or _COMMENT_LINE.match(content):
            in_comment = content.endswith(" _")
            out.append(end)
            continue
        if directive:
            keyword = re.sub(r"[ \t]", "", directive.group(1)).lower()
            if keyword == "if":
                open_ifs.append(number)
            elif keyword in ("elseif", "else", "endif"):
                if not open_ifs:
                    problems.append(SyntaxProblem(number, 1, f"#{directive.group(1)} without #If"))
                elif keyword == "endif":
                    open_ifs.pop()
            out.append(end)
            continue
        out.append(content + end)
    problems += [SyntaxProblem(number, 1, "#If without #End If") for number in open_ifs]
    return "".join(out), problems


def vba_syntax_problems(text: str) -> list[SyntaxProblem]:
    """Parse ``text`` as one procedural module; the problems found, in order."""
    prepared, problems = blank_for_parsing(text)
    collector = _Collector()
    lexer = vbaLexer(InputStream(prepared))
    lexer.removeErrorListeners()
    lexer.addErrorListener(collector)
    parser = vbaParser(CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(collector)
    parser.startRule()
    return sorted(problems + collector.problems, key=lambda p: (p.line, p.column))


def assert_valid_vba(text: str, name: str) -> None:
    """Fail with one readable line per problem: where, what, and the source line."""
    problems = vba_syntax_problems(text)
    if not problems:
        return
    lines = text.splitlines()
    report = []
    for problem in problems:
        source = lines[problem.line - 1].strip() if 0 < problem.line <= len(lines) else ""
        report.append(f"{name} line {problem.line}, column {problem.column}: {problem.message}\n    > {source}")
    raise AssertionError(f"VBA syntax errors in {name}:\n" + "\n".join(report))


# ---------------------------------------------------------------------------
# What the template ships
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_module1() -> str:
    """Module1 exactly as it goes into the workbook's VBA project."""
    return vp.module1_source(vp.UDF_MODULE)


def test_shipped_module1_parses(shipped_module1):
    assert "XLPy.CallUDF" in shipped_module1  # the wrappers are part of the text checked
    assert_valid_vba(shipped_module1, "Module1")


def test_module1_with_every_kind_of_wrapper_parses():
    # The test fixture's UDFs make xlwings generate the other wrapper shapes
    # (Optional, ParamArray with a For loop, Application.Volatile, the caller
    # argument), which the workbook's UDFs may need later.
    sys.path.insert(0, str(FIXTURES))
    try:
        text = vp.module1_source("sample_udfs")
    finally:
        sys.path.remove(str(FIXTURES))
    assert "ParamArray" in text and "Optional" in text and "Application.Volatile" in text
    assert_valid_vba(text, "Module1 (sample_udfs)")


# ---------------------------------------------------------------------------
# The check can fail: one injected error each
# ---------------------------------------------------------------------------


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = text.splitlines()
    hits = [i for i, line in enumerate(lines, 1) if needle in line]
    return hits[occurrence - 1]


def _replace_line(text: str, number: int, new: str | None) -> str:
    lines = text.split("\r\n")
    if new is None:
        del lines[number - 1]
    else:
        lines[number - 1] = new
    return "\r\n".join(lines)


def test_end_function_closing_a_sub_is_reported_on_its_line(shipped_module1):
    number = _line_of(shipped_module1, "End Sub")
    broken = _replace_line(shipped_module1, number, "End Function")
    with pytest.raises(AssertionError) as failure:
        assert_valid_vba(broken, "Module1")
    message = str(failure.value)
    assert f"Module1 line {number}, column 5:" in message  # at "Function"
    assert "> End Function" in message


def test_missing_end_sub_is_reported(shipped_module1):
    number = _line_of(shipped_module1, "End Sub")
    broken = _replace_line(shipped_module1, number, None)
    problems = vba_syntax_problems(broken)
    assert problems
    # VBA itself would complain at the next "Sub" too: nested procedures are not allowed.
    assert problems[0].line >= number


def test_block_if_without_end_if_is_reported(shipped_module1):
    number = _line_of(shipped_module1, "Exit Sub")
    broken = _replace_line(shipped_module1, number, "    If result = 0 Then")
    problems = vba_syntax_problems(broken)
    assert problems and problems[0].line > number
    with pytest.raises(AssertionError, match=r"Module1 line \d+, column \d+: .*IF"):
        assert_valid_vba(broken, "Module1")


def test_unclosed_conditional_compilation_is_reported(shipped_module1):
    # Without the first wrapper's "#End If", its "#If" stays open (the next
    # wrapper's "#End If" closes that wrapper's own "#If").
    broken = _replace_line(shipped_module1, _line_of(shipped_module1, "    #End If"), "")
    opened = _line_of(shipped_module1, '    #If App = "Microsoft Excel" Then')
    assert SyntaxProblem(opened, 1, "#If without #End If") in vba_syntax_problems(broken)


def test_blanking_keeps_line_numbers_and_code(shipped_module1):
    prepared, problems = blank_for_parsing(shipped_module1)
    assert problems == []
    assert prepared.count("\r\n") == shipped_module1.count("\r\n")
    kept = [line for line in prepared.split("\r\n") if line]
    assert all(not line.lstrip().startswith(("'", "#")) for line in kept)
    assert "End Function" in kept and 'Attribute VB_Name = "Module1"' in kept
