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
    """Write the filled workbook, the minutes, the vote-count minutes and the ballots into ``out_dir``."""
    from .cli import _build_to_free_path
    from .documents.export import default_name, export_many

    out_dir.mkdir(parents=True, exist_ok=True)
    case = read_case(example_path(year))
    result = compute(case)
    print(text_report(result, case.meeting.party_cell))
    print()
    written = [("Sổ Excel đã điền và đã tính", _build_to_free_path(out_dir / f"Song Phượng {year}.xlsm", case, result))]
    documents = (("minutes", "Biên bản hội nghị"), ("count-minutes", "Biên bản kiểm phiếu"), ("ballots", "Phiếu đánh giá"))
    # One call for all documents: their PDFs then come from a single LibreOffice start.
    exported = export_many([(kind, out_dir / default_name(kind, case)) for kind, _ in documents], case, result, pdf=pdf)
    for (_, label), (docx, pdf_path) in zip(documents, exported):
        written.append((label, docx))
        if pdf_path:
            written.append((label + " (PDF)", pdf_path))
    print("Đã tạo các tệp:")
    for label, path in written:
        print(f"- {label}: {path}")
    return 1 if result.has_errors else 0
