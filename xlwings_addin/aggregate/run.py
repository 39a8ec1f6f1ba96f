"""The aggregate command's body: read (in parallel), combine, write the summary workbook and the annex."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Optional

from .combine import combine
from .model import Aggregate, CellRecord
from .read import Skipped, expand_inputs, read_all, read_expected, read_previous


@dataclass
class Outcome:
    aggregate: Aggregate
    summary: Optional[Path] = None
    annex: Optional[Path] = None
    skipped: list = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """2 only when nothing could be read; 1 when problems exist; 0 otherwise."""
        if not self.aggregate.cells:
            return 2
        return 1 if self.aggregate.has_problems else 0


def annex_path(out: Path) -> Path:
    return out.with_name(f"{out.stem} - Phụ lục quyết định.docx")


def run_aggregate(inputs, out: Optional[Path], expected: Optional[str] = None, previous=(), ratio: Fraction = Fraction(1, 5),
                  committee: str = "", upper_body: str = "", decision_no: str = "", decision_date: Optional[date] = None,
                  locality: str = "", annex: Optional[Path] = None, write_annex: bool = True, year: Optional[int] = None,
                  workers: Optional[int] = None) -> Outcome:
    """Aggregate ``inputs`` (files and folders); write the outputs when ``out`` is given."""
    files, failures = expand_inputs(inputs)
    if out is not None:
        # Our own earlier summary in the same folder is not an input.
        target = Path(out).resolve()
        files = [f for f in files if Path(f).resolve() != target]
    records, skipped = [], []
    for rec in read_all(files, workers):
        if isinstance(rec, CellRecord):
            records.append(rec)
        elif isinstance(rec, Skipped):
            skipped.append(rec)
        else:
            failures.append(rec)
    exp = read_expected(expected) if expected else None
    past = read_previous(previous) if previous else []
    agg = combine(records, failures, ratio=ratio, expected=exp, expected_file=Path(expected).name if expected else "",
                  year=year, past=past, committee=committee, upper_body=upper_body)
    outcome = Outcome(agg, skipped=skipped)
    if out is not None and agg.cells:
        from .xlsx import write_summary

        options = {"Số quyết định": decision_no, "Ngày quyết định": decision_date.strftime("%d/%m/%Y") if decision_date else "",
                   "Danh sách chi bộ cần nộp": Path(expected).name if expected else "",
                   "Bảng tổng hợp các năm trước": ", ".join(Path(p).name for p in previous)}
        outcome.summary = write_summary(agg, Path(out), options, exp)
        if write_annex:
            from .annex import write_annex as _write_annex

            outcome.annex = _write_annex(agg, Path(annex) if annex else annex_path(Path(out)), committee=committee,
                                         upper_body=upper_body, decision_no=decision_no, decision_date=decision_date,
                                         locality=locality)
    return outcome
