"""Render sheets of the example workbook to PNG (LibreOffice) for docs/img/.

Usage: python scripts/render_sheets.py [--out docs/img]
Uses the test support module (tests/xlsupport.py) for the LibreOffice conversion.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from xlsupport import render_sheet_png  # noqa: E402
from xlwings_addin.io import schema as S  # noqa: E402

SHEETS = {S.SHEET_ROSTER: "sheet_danh_sach.png", S.SHEET_GRID: "sheet_phieu_dang_vien.png",
          S.SHEET_RESULTS: "sheet_ket_qua.png", S.SHEET_WARNINGS: "sheet_canh_bao.png", S.SHEET_MEETING: "sheet_hoi_nghi.png"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "img"))
    parser.add_argument("--book", default=str(ROOT / "workbook" / "vi-du-song-phuong-2023.xlsm"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for sheet, name in SHEETS.items():
        print(render_sheet_png(args.book, sheet, out / name, dpi=70))
    return 0


if __name__ == "__main__":
    sys.exit(main())
