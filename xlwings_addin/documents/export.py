"""Write the documents of a meeting: minutes, vote-count minutes, ballots (thin shell over render)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Optional

from ..core.models import Case
from ..core.result import Result
from .context import build_context
from .render import docx_to_pdf_many, render_docx

KINDS = {
    "minutes": ("bien_ban_hoi_nghi.docx", "Biên bản hội nghị"),
    "count-minutes": ("bien_ban_kiem_phieu.docx", "Biên bản kiểm phiếu"),
    "ballots": ("phieu_danh_gia.docx", "Phiếu đánh giá"),
}


def templates_dir() -> Path:
    """The folder of the Word templates: $XEPLOAI_TEMPLATES, else ``templates/`` beside the package."""
    env = os.environ.get("XEPLOAI_TEMPLATES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "templates"


def default_name(kind: str, case: Case) -> str:
    """A file name such as "Biên bản hội nghị năm 2023.docx"."""
    return f"{KINDS[kind][1]} năm {case.meeting.review_year}.docx"


def export(kind: str, case: Case, result: Result, out: str | os.PathLike, pdf: bool = False) -> tuple[Path, Optional[Path]]:
    """Render one document; never overwrite (a numbered name is used instead); optionally a PDF."""
    return export_many([(kind, out)], case, result, pdf=pdf)[0]


def export_many(jobs: Iterable[tuple[str, str | os.PathLike]], case: Case, result: Result,
                pdf: bool = False) -> list[tuple[Path, Optional[Path]]]:
    """Render several documents of one meeting, given as (kind, output path) pairs, in order.

    Returns (docx, pdf or None) per job. The PDFs come from one LibreOffice start for all the
    documents, which is most of the time a PDF export takes. Every template is checked before
    anything is written, so a missing one does not leave half a set of documents.
    """
    jobs = [(kind, Path(out)) for kind, out in jobs]
    templates = [templates_dir() / KINDS[kind][0] for kind, _ in jobs]
    for template in templates:
        if not template.exists():
            raise FileNotFoundError(f"không tìm thấy mẫu {template.name} trong thư mục {template.parent.name}")
    context = build_context(case, result)  # the same context serves every document of the meeting
    written = [render_docx(template, context, out) for template, (_, out) in zip(templates, jobs)]
    pdfs: list[Optional[Path]] = list(docx_to_pdf_many(written)) if pdf else [None] * len(written)
    return list(zip(written, pdfs))
