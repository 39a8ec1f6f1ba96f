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

# (example year, sheet) -> (image, crop as fractions of page 1: left, top, width, height). The crops
# keep the part worth reading at the size the README shows.
SHEETS = {
    (2023, S.SHEET_ROSTER): ("sheet_danh_sach.png", (0, 0, 1, 0.45)),
    (2023, S.SHEET_GRID): ("sheet_phieu_dang_vien.png", (0, 0, 0.75, 0.5)),
    (2023, S.SHEET_RESULTS): ("sheet_ket_qua.png", (0, 0, 1, 0.45)),
    (2023, S.SHEET_WARNINGS): ("sheet_canh_bao.png", (0, 0, 1, 0.3)),
    (2023, S.SHEET_MEETING): ("sheet_hoi_nghi.png", (0, 0, 1, 0.5)),
    (2026, S.SHEET_SCORES): ("sheet_cham_diem.png", (0, 0, 1, 0.6)),
    (2026, S.SHEET_COLLECTIVES): ("sheet_tap_the.png", (0, 0, 1, 0.3)),
    (2026, S.SHEET_RESULTS): ("sheet_ket_qua_2026.png", (0, 0, 1, 0.45)),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "img"))
    parser.add_argument("--dpi", type=int, default=110)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for (year, sheet), (name, crop) in SHEETS.items():
        book = ROOT / "workbook" / f"vi-du-song-phuong-{year}.xlsm"
        print(render_sheet_png(book, sheet, out / name, dpi=args.dpi, crop=crop))
    return 0


if __name__ == "__main__":
    sys.exit(main())
