"""Write the documents of a meeting (thin shell over render): the minutes, the vote-count minutes, the
ballots and the pack sent up (extract, report, score forms, notice).

The format profile of the meeting (``Meeting.format_profile``: "" or "hd36_2018", "hd05_2026")
chooses the set of templates: the default in ``templates/``, another profile in ``templates/<name>/``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable, Optional

from ..core.models import Case
from ..core.result import Result
from .context import build_context, count_applicable
from .pack import has_decisions
from .render import docx_to_pdf_many, render_docx

#: kind -> (template file, Vietnamese name of the document, used for the default file name)
KINDS = {
    "minutes": ("bien_ban_hoi_nghi.docx", "Biên bản hội nghị"),
    "count-minutes": ("bien_ban_kiem_phieu.docx", "Biên bản kiểm phiếu"),
    "ballots": ("phieu_danh_gia.docx", "Phiếu đánh giá"),
    "extract": ("trich_bien_ban.docx", "Trích biên bản"),
    "report": ("bao_cao_ket_qua.docx", "Báo cáo kết quả"),
    "forms": ("mau_tu_danh_gia.docx", "Mẫu tự đánh giá"),
    "notice": ("thong_bao_ket_qua.docx", "Thông báo kết quả xếp loại"),
}

DEFAULT_PROFILE = "hd36_2018"
PROFILE_DIR = Path(__file__).resolve().parent / "profiles"


class DocumentNotApplicable(ValueError):
    """The document does not exist for this meeting (no ballot, no score, no decision yet)."""


def profiles() -> list[str]:
    """The format profiles shipped (the names of ``documents/profiles/*.json``)."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.json"))


def load_profile(name: str = "") -> dict:
    """The layout numbers of a profile ("" is the default)."""
    name = name or DEFAULT_PROFILE
    if name not in profiles():
        raise ValueError(f"không có hồ sơ định dạng \"{name}\"; chọn một trong: {', '.join(profiles())}")
    with open(PROFILE_DIR / f"{name}.json", encoding="utf-8") as fh:
        return json.load(fh)


def templates_dir(profile: str = "") -> Path:
    """The folder of the Word templates of a profile: $XEPLOAI_TEMPLATES (or ``templates/``), a subfolder
    for a profile other than the default."""
    env = os.environ.get("XEPLOAI_TEMPLATES")
    base = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "templates"
    profile = profile or DEFAULT_PROFILE
    return base if profile == DEFAULT_PROFILE else base / profile


def default_name(kind: str, case: Case) -> str:
    """A file name such as "Biên bản hội nghị năm 2023.docx"."""
    return f"{KINDS[kind][1]} năm {case.meeting.review_year}.docx"


def not_applicable(kind: str, case: Case, result: Result) -> str:
    """Why a document cannot be made for this meeting, in Vietnamese ("" when it can).

    - the vote-count minutes only when something was voted on by ballot (a show of hands is
      recorded in the minutes, and a score-only QĐ 366 meeting has nothing to count);
    - the score forms only under QĐ 366 (QĐ 124 has no points);
    - the notice only once the upper committee's decided levels are recorded.
    """
    if kind == "count-minutes" and not count_applicable(result):
        return ("Hội nghị không bỏ phiếu (chấm điểm, biểu quyết giơ tay): không có biên bản kiểm phiếu; kết quả biểu "
                "quyết ghi trong biên bản hội nghị.")
    if kind == "forms" and not result.uses_scores:
        return (f"Mẫu tự chấm điểm (Mẫu 01, 2A, 2B, 2C) chỉ dùng theo Quy định 366-QĐ/TW; năm {result.review_year} "
                "đánh giá theo Quy định 124-QĐ/TW, không chấm điểm.")
    if kind == "notice" and not has_decisions(result):
        return ("Chưa có mức xếp loại do cấp ủy quyết định (cột \"Cấp ủy quyết định\" còn trống): chưa thể ra thông báo "
                "kết quả.")
    return ""


def applicable_kinds(case: Case, result: Result, kinds: Iterable[str] = tuple(KINDS)) -> list[str]:
    """The kinds of ``kinds`` that exist for this meeting, in order (for buttons that write several)."""
    return [k for k in kinds if not not_applicable(k, case, result)]


def export(kind: str, case: Case, result: Result, out: str | os.PathLike, pdf: bool = False,
           ballot_copies: bool = False) -> tuple[Path, Optional[Path]]:
    """Render one document; never overwrite (a numbered name is used instead); optionally a PDF.

    Raises :class:`DocumentNotApplicable` (a ValueError with a Vietnamese message) when the
    document does not exist for this meeting.
    """
    return export_many([(kind, out)], case, result, pdf=pdf, ballot_copies=ballot_copies)[0]


def export_many(jobs: Iterable[tuple[str, str | os.PathLike]], case: Case, result: Result,
                pdf: bool = False, ballot_copies: bool = False) -> list[tuple[Path, Optional[Path]]]:
    """Render several documents of one meeting, given as (kind, output path) pairs, in order.

    Returns (docx, pdf or None) per job. The PDFs come from one LibreOffice start for all the
    documents, which is most of the time a PDF export takes. Every template is checked before
    anything is written, so a missing one does not leave half a set of documents.
    """
    jobs = [(kind, Path(out)) for kind, out in jobs]
    for kind, _ in jobs:
        reason = not_applicable(kind, case, result)
        if reason:
            raise DocumentNotApplicable(reason)
    profile_name = case.meeting.format_profile or DEFAULT_PROFILE
    profile = load_profile(profile_name)
    folder = templates_dir(profile_name)
    templates = [folder / KINDS[kind][0] for kind, _ in jobs]
    for template in templates:
        if not template.exists():
            raise FileNotFoundError(f"không tìm thấy mẫu {template.name} trong thư mục {template.parent.name}")
    bl = profile["ballot"]
    # The same context serves every document of the meeting.
    context = build_context(case, result, ballot_copies=ballot_copies,
                            ballot_compact_from=bl["compact_from_members"],
                            cell_ballots_per_page=bl["cell_ballots_per_page"])
    written = [render_docx(template, context, out) for template, (_, out) in zip(templates, jobs)]
    pdfs: list[Optional[Path]] = list(docx_to_pdf_many(written)) if pdf else [None] * len(written)
    return list(zip(written, pdfs))


def ballot_message(case: Case, result: Result, copies: bool = False) -> str:
    """The line the ballots command prints: how many copies of the master to print."""
    from .context import ballot_message as message

    profile = load_profile(case.meeting.format_profile)
    return message(case, result, copies, profile["ballot"]["cell_ballots_per_page"])
