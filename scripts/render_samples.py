"""Render every document of the demo meetings (2023 and 2026) and save page previews as PNG.

Usage (from the repository root)::

    python scripts/render_samples.py --out previews          # every page of every document, both years
    python scripts/render_samples.py --first --out previews  # page 1 only

Needs LibreOffice (``soffice``) and poppler's ``pdftoppm``. All documents go through one
LibreOffice start. The PNGs are for looking at the layout after changing a template or a format
profile; the crops in ``docs/img/`` were made from them. Prints the page count of each document.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from xlwings_addin.documents.export import KINDS, export_many, not_applicable  # noqa: E402
from xlwings_addin.documents.render import docx_to_pdf_many  # noqa: E402

#: Document kind -> the stem of its previews ("bien_ban_hoi_nghi-2026-03.png").
KIND_STEMS = {kind: Path(template).stem for kind, (template, _) in KINDS.items()}


def pdf_to_png(pdf: Path, out_prefix: Path, *, dpi: int = 60, first_page_only: bool = False) -> list[Path]:
    """Rasterise a PDF with pdftoppm; return the PNG files written."""
    if shutil.which("pdftoppm") is None:
        raise RuntimeError("Không tìm thấy pdftoppm (gói poppler-utils).")
    cmd = ["pdftoppm", "-png", "-r", str(dpi)]
    if first_page_only:
        cmd += ["-f", "1", "-l", "1", "-singlefile"]
    cmd += [str(pdf), str(out_prefix)]
    subprocess.run(cmd, check=True, capture_output=True)
    if first_page_only:
        return [out_prefix.with_suffix(".png")]
    return sorted(out_prefix.parent.glob(out_prefix.name + "-*.png"))


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def render_samples(out_dir: Path, *, years=(2023, 2026), dpi: int = 60, first_page_only: bool = False,
                   decided: bool = False) -> list[tuple[str, int, list[Path]]]:
    """Render every document that exists for the demo meetings; return (name, pages, PNGs) per document.

    ``decided`` records the self-proposed levels as the upper committee's decision, so the notice of
    results (which needs decisions) is rendered too.
    """
    from dataclasses import replace

    from xlwings_addin.demo import example_path
    from xlwings_addin.engine import compute
    from xlwings_addin.io.casefile import read_case

    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = []
    with tempfile.TemporaryDirectory(prefix="samples-") as work:
        work_dir = Path(work)
        docs = []
        for year in years:
            case = read_case(example_path(year))
            if decided:
                case = replace(case, members=tuple(replace(m, decided_level=m.chi_bo_level or m.self_level)
                                                   for m in case.members))
            result = compute(case)
            kinds = [k for k in KINDS if not not_applicable(k, case, result)]
            written = export_many([(k, work_dir / f"{KIND_STEMS[k]}-{year}.docx") for k in kinds], case, result)
            docs += [d for d, _ in written]
            jobs += [f"{KIND_STEMS[k]}-{year}" for k in kinds]
        pdfs = docx_to_pdf_many(docs)
        out = []
        for name, pdf in zip(jobs, pdfs):
            for old in out_dir.glob(f"{name}*.png"):
                old.unlink()  # previews are meant to be replaced
            out.append((name, pdf_pages(pdf), pdf_to_png(pdf, out_dir / name, dpi=dpi, first_page_only=first_page_only)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Xuất ảnh xem trước mọi văn bản của hai hội nghị ví dụ (2023, 2026).")
    parser.add_argument("--out", required=True, help="thư mục ghi ảnh PNG")
    parser.add_argument("--dpi", type=int, default=60, help="độ phân giải ảnh (mặc định 60)")
    parser.add_argument("--first", action="store_true", help="chỉ trang đầu của mỗi văn bản")
    parser.add_argument("--decided", action="store_true",
                        help="ghi mức tự nhận làm mức cấp ủy quyết định để xem cả thông báo kết quả")
    args = parser.parse_args(argv)
    for name, pages, pngs in render_samples(Path(args.out), dpi=args.dpi, first_page_only=args.first,
                                            decided=args.decided):
        print(f"{name}: {pages} trang ({len(pngs)} ảnh)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
