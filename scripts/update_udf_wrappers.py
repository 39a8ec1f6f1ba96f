"""Regenerate the committed VBA wrappers of the workbook's UDFs.

Writes ``xlwings_addin/excel/vba/udf_wrappers.bas`` with xlwings' own generator
from ``xlwings_addin/excel/udfs.py``. Run it after changing a UDF (a new
function, new or renamed arguments), then rebuild the workbooks with
``python scripts/build_template.py``.

Usage: python scripts/update_udf_wrappers.py [--check]
With ``--check`` nothing is written; the exit status is 1 if the file is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xlwings_addin.excel import vbaproject  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the committed file is current")
    args = parser.parse_args(argv)
    current = vbaproject.update_udf_wrappers(check=args.check)
    path = vbaproject.UDF_WRAPPERS_BAS.relative_to(ROOT)
    if current:
        print(f"{path} is up to date")
        return 0
    if args.check:
        print(f"{path} is stale: run python scripts/update_udf_wrappers.py", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
