"""Write the documents of a meeting: minutes, vote-count minutes, ballots (thin shell over render)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from ..core.models import Case
from ..core.result import Result
from .context import build_context
from .render import docx_to_pdf, render_docx

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
    template = templates_dir() / KINDS[kind][0]
    if not template.exists():
        raise FileNotFoundError(f"không tìm thấy mẫu {template.name} trong thư mục {template.parent.name}")
    written = render_docx(template, build_context(case, result), out)
    pdf_path = docx_to_pdf(written) if pdf else None
    return written, pdf_path
