"""Render the demo context into the three templates and save page-1 previews as PNG.

Usage (from the repository root)::

    python scripts/render_samples.py                 # writes docs/img/*.png
    python scripts/render_samples.py --pages all --out previews

Needs LibreOffice (``soffice``) and poppler's ``pdftoppm``. The previews in ``docs/img/``
show what the templates look like with the Song Phượng 2023 demo data; regenerate them
after changing a template or a format profile.
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

from xlwings_addin.documents.render import docx_to_pdf, render_docx  # noqa: E402

TEMPLATES = REPO_ROOT / "templates"
DEFAULT_OUT = REPO_ROOT / "docs" / "img"

# Template file -> preview name in docs/img.
SAMPLES = {
    "bien_ban_hoi_nghi.docx": "bien_ban_hoi_nghi",
    "bien_ban_kiem_phieu.docx": "bien_ban_kiem_phieu",
    "phieu_danh_gia.docx": "phieu_danh_gia",
}


def pdf_to_png(pdf: Path, out_prefix: Path, *, dpi: int = 60, first_page_only: bool = True) -> list[Path]:
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


def render_samples(out_dir: Path = DEFAULT_OUT, *, context: dict | None = None, dpi: int = 60,
                   all_pages: bool = False, template_dir: Path = TEMPLATES) -> list[Path]:
    """Render every template with ``context`` (default: the built-in example meeting); return the PNGs."""
    if context is None:
        from xlwings_addin.engine import compute
        from xlwings_addin.demo import example_path
        from xlwings_addin.documents.context import build_context
        from xlwings_addin.io.casefile import read_case

        case = read_case(example_path())
        context = build_context(case, compute(case))
    out_dir.mkdir(parents=True, exist_ok=True)
    pngs: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="samples-") as work:
        work_dir = Path(work)
        for template, stem in SAMPLES.items():
            docx = render_docx(template_dir / template, context, work_dir / f"{stem}.docx")
            pdf = docx_to_pdf(docx)
            prefix = out_dir / stem
            if not all_pages:
                prefix.with_suffix(".png").unlink(missing_ok=True)  # a preview is meant to be replaced
            pngs += pdf_to_png(pdf, prefix, dpi=dpi, first_page_only=not all_pages)
    return pngs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Xuất ảnh xem trước các mẫu Word với dữ liệu mẫu.")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="thư mục ghi ảnh PNG")
    parser.add_argument("--dpi", type=int, default=60, help="độ phân giải ảnh (mặc định 60)")
    parser.add_argument("--pages", choices=("first", "all"), default="first", help="trang đầu hoặc mọi trang")
    args = parser.parse_args(argv)
    for png in render_samples(Path(args.out), dpi=args.dpi, all_pages=args.pages == "all"):
        print(png)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
