"""Build the workbooks in ``workbook/`` from the text sources.

- ``workbook/xeploai.xlsm``: the empty template the secretary starts from;
- ``workbook/vi-du-song-phuong-2023.xlsm`` and ``-2026.xlsm``: the built-in examples, filled and computed.

Usage: python scripts/build_template.py [--out DIR]
The build is deterministic; tests/test_workbook.py checks that the committed files equal a
fresh build, part by part.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xlwings_addin.engine import compute  # noqa: E402
from xlwings_addin.demo import example_path  # noqa: E402
from xlwings_addin.excel.template import build_workbook, vba_project_bytes  # noqa: E402
from xlwings_addin.io.casefile import read_case  # noqa: E402

TEMPLATE = "xeploai.xlsm"
EXAMPLES = {2023: "vi-du-song-phuong-2023.xlsm", 2026: "vi-du-song-phuong-2026.xlsm"}


def build_all(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    vba = vba_project_bytes()
    out = [build_workbook(out_dir / TEMPLATE, vba=vba)]
    for year, name in EXAMPLES.items():
        case = read_case(example_path(year))
        out.append(build_workbook(out_dir / name, case, compute(case), vba=vba))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "workbook"))
    args = parser.parse_args(argv)
    for path in build_all(Path(args.out)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
