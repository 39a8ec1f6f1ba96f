"""The demo: the built-in example meeting turned into every output, with no Excel needed."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .engine import compute
from .core.report import text_report
from .io.casefile import read_case

EXAMPLE = "song-phuong-2023.json"
EXAMPLES = {2023: "song-phuong-2023.json", 2026: "song-phuong-2026.json"}


def example_path(year: int = 2023) -> Path:
    """The example case file shipped with the package: the seed meeting (2023) or the QĐ 366 one (2026)."""
    return Path(str(resources.files("xlwings_addin") / "examples" / EXAMPLES[year]))


def run_demo(out_dir: Path, pdf: bool = False, year: int = 2023) -> int:
    """Write the filled workbook and every document that exists for the example meeting into ``out_dir``."""
    from .cli import _build_to_free_path
    from .documents.export import KINDS, ballot_message, default_name, export_many, not_applicable

    out_dir.mkdir(parents=True, exist_ok=True)
    case = read_case(example_path(year))
    result = compute(case)
    print(text_report(result, case.meeting.party_cell))
    print()
    written = [("Sổ Excel đã điền và đã tính", _build_to_free_path(out_dir / f"Song Phượng {year}.xlsm", case, result))]
    kinds = [kind for kind in KINDS if not not_applicable(kind, case, result)]
    skipped = [(KINDS[kind][1], not_applicable(kind, case, result)) for kind in KINDS if kind not in kinds]
    # One call for all documents: their PDFs then come from a single LibreOffice start.
    exported = export_many([(kind, out_dir / default_name(kind, case)) for kind in kinds], case, result, pdf=pdf)
    for kind, (docx, pdf_path) in zip(kinds, exported):
        label = KINDS[kind][1]
        written.append((label, docx))
        if pdf_path:
            written.append((label + " (PDF)", pdf_path))
    print("Đã tạo các tệp:")
    for label, path in written:
        print(f"- {label}: {path}")
    if "ballots" in kinds:
        print(ballot_message(case, result))
    if skipped:
        print("Không tạo:")
        for label, reason in skipped:
            print(f"- {label}: {reason}")
    return 1 if result.has_errors else 0
