"""Command-line interface: ``python -m xlwings_addin COMMAND ...`` (also installed as ``xeploai``).

Every command reads, calls the core, writes. Exit codes: 0 done (no error findings), 1 the result
has error findings, 2 unreadable input or a failure to write.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .io.casefile import CaseFileError


def _stdout_utf8() -> None:
    # Windows consoles default to a legacy code page; Vietnamese needs UTF-8.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")
        except (AttributeError, ValueError):
            pass


def cmd_compute(args) -> int:
    from .core.engine import compute
    from .core.report import text_report
    from .io.load import load_case

    case = load_case(args.input)
    result = compute(case)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(text_report(result, case.meeting.party_cell))
    return 1 if result.has_errors else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xeploai",
        description="Kiểm điểm, đánh giá, xếp loại chất lượng chi bộ và đảng viên (QĐ 124-QĐ/TW, QĐ 366-QĐ/TW).",
    )
    sub = parser.add_subparsers(dest="command", metavar="LỆNH")
    p = sub.add_parser("compute", help="Tính kết quả từ tệp hồ sơ (.json) hoặc sổ Excel (.xlsm)",
                       description="Kiểm phiếu và đề xuất mức xếp loại cho từng đảng viên và chi bộ.")
    p.add_argument("input", help="tệp hồ sơ .json hoặc sổ Excel .xlsm")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.set_defaults(func=cmd_compute)
    return parser


def main(argv=None) -> int:
    _stdout_utf8()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except CaseFileError as exc:
        print(f"Lỗi dữ liệu: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        name = Path(exc.filename).name if getattr(exc, "filename", None) else ""
        print(f"Lỗi tệp {name}: {exc.strerror or exc}", file=sys.stderr)
        return 2
