"""Command-line interface: ``python -m xlwings_addin COMMAND ...`` (also installed as ``xeploai``).

Every command reads, calls the core, writes. Exit codes: 0 done (no error findings), 1 the result
has error findings, 2 unreadable input or a failure to write.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Optional

from .io.errors import CaseFileError, OutputFileError


def _stdout_utf8() -> None:
    # Windows consoles default to a legacy code page; Vietnamese needs UTF-8.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")
        except (AttributeError, ValueError):
            pass


def cmd_compute(args) -> int:
    from .core.batch import without_gc
    from .io.load import load_case

    def import_engine():
        from . import engine  # noqa: F401  (imported while a workbook's big sheet is parsed)

    def read_and_compute():
        case = load_case(args.input, meanwhile=import_engine)
        from .engine import compute

        result = compute(case)
        return case, result, (result.to_dict() if args.json else None)

    case, result, as_dict = without_gc(read_and_compute)
    if args.json:
        # Compact by default: the C encoder is ten times faster than the indenting one (300 members).
        print(json.dumps(as_dict, ensure_ascii=False, indent=args.indent))
    else:
        from .core.report import text_report

        print(text_report(result, case.meeting.party_cell))
    return 1 if result.has_errors else 0


def _load_and_compute(path):
    from .engine import compute
    from .io.load import load_case

    case = load_case(path)
    return case, compute(case)


def _document(kind: str):
    def cmd(args) -> int:
        from .documents.export import ballot_message, export, not_applicable

        case, result = _load_and_compute(args.input)
        if result.has_errors and not args.force:
            print("Kết quả còn lỗi nên chưa xuất văn bản (chạy lệnh compute để xem; dùng --force nếu vẫn muốn xuất bản nháp):",
                  file=sys.stderr)
            for f in result.findings:
                if f.severity.value == "error":
                    print(f"- {f.code} [{f.where}]: {f.message}", file=sys.stderr)
            return 1
        reason = not_applicable(kind, case, result)
        if reason:
            # Not an error in the data: this document does not exist for this meeting (yet).
            print(reason, file=sys.stderr)
            return 1
        copies = getattr(args, "copies", False)
        written, pdf = export(kind, case, result, args.out, pdf=args.pdf, ballot_copies=copies)
        print(written)
        if pdf:
            print(pdf)
        if kind == "ballots":
            print(ballot_message(case, result, copies))
        return 0
    return cmd


def cmd_import(args) -> int:
    from .io import schema as S
    from .io.casefile import read_case

    case = read_case(args.input)
    if len(case.members) > S.MAX_MEMBERS:
        raise CaseFileError(f"hồ sơ có {len(case.members)} đảng viên, mẫu sổ chứa tối đa {S.MAX_MEMBERS}: không tạo sổ "
                            "(không bỏ bớt đảng viên); hãy tách hồ sơ theo chi bộ", "members")
    # Every other limit of the template (ballots, collectives, guests...) is checked by build_workbook.
    from .excel.template import for_workbook

    out = _build_to_free_path(args.out, case, None)
    print(out)
    for note in for_workbook(case)[1]:
        print(note)
    return 0


def cmd_upgrade(args) -> int:
    from .io.layout1 import read_layout1

    case = read_layout1(args.input)
    out = _build_to_free_path(args.out, case, None)
    print(out)
    print(f"Đã chép dữ liệu sang mẫu mới; sổ cũ {Path(args.input).name} giữ nguyên. Mở sổ mới và bấm \"Tính kết quả\".")
    return 0


def _build_to_free_path(out, case, result) -> Path:
    """Build a workbook into a temporary file, then move it to a free name (never overwriting)."""
    from .excel.template import build_workbook
    from .io.files import write_new_file
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp) / "book.xlsm"
        build_workbook(tmp_path, case, result)
        if case is not None:
            _verify_round_trip(tmp_path, case)
        return write_new_file(tmp_path.read_bytes(), Path(out))


def _verify_round_trip(book: Path, case) -> None:
    """Read the new workbook back: anything the sheets could not hold is refused here, naming its path.

    ``for_workbook`` says which conversions a workbook makes (percentages to counts...); whatever else
    differs would be lost without a word, and ``compute`` on the workbook would give another result.
    """
    from .excel.template import for_workbook
    from .io.casefile import case_to_dict
    from .io.tables import WorkbookError
    from .io.workbook import read_workbook

    expected = case_to_dict(for_workbook(case)[0])
    try:
        got = case_to_dict(read_workbook(book, today=_today_for(case)))
    except WorkbookError as exc:
        where, message = exc.problems[0]
        raise CaseFileError(f"sổ vừa tạo không đọc lại được ({where}: {message}); không tạo sổ: hãy dùng tệp hồ sơ .json") from None
    place = _first_difference(expected, got)
    if place is not None:
        raise CaseFileError("sổ Excel không giữ được giá trị này (đọc lại sổ vừa tạo thì khác); không tạo sổ: "
                            "hãy dùng tệp hồ sơ .json cho cuộc họp này, hoặc bỏ giá trị này", place)


def _today_for(case):
    from datetime import date

    # The reader accepts review years up to next year: a case read today is within that.
    return max(date.today(), date(case.meeting.review_year, 1, 1))


def _first_difference(a, b, path: str = ""):
    """The JSON path of the first place where two case dicts differ, None if they are equal."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in a or key not in b:
                if a.get(key) in (None, "", [], {}, False) and b.get(key) in (None, "", [], {}, False):
                    continue
                return sub
            found = _first_difference(a[key], b[key], sub)
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found is not None:
                return found
        return None if len(a) == len(b) else f"{path}[{min(len(a), len(b))}]"
    return None if a == b else path


def cmd_export(args) -> int:
    from .io.casefile import write_case
    from .io.workbook import read_workbook

    case = read_workbook(args.input)
    print(write_case(case, Path(args.out)))
    return 0


def cmd_build_template(args) -> int:
    from .excel.template import build_workbook

    out = Path(args.out)
    if args.replace:
        # The shipped template is generated: rebuilding it in place is the point of this option,
        # and the only place an existing file is replaced (still atomically, never half-written).
        import tempfile

        from .io.files import replace_file

        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp) / "template.xlsm"
            build_workbook(tmp_path)
            print(replace_file(tmp_path.read_bytes(), out))
    else:
        print(_build_to_free_path(out, None, None))
    return 0


def cmd_demo(args) -> int:
    if getattr(args, "aggregate", False):
        from .aggregate.cli import cmd_demo_aggregate

        return cmd_demo_aggregate(args)
    from .demo import run_demo

    return run_demo(Path(args.out), pdf=args.pdf, year=args.year)


class _Skipped:
    """A command's parser that is not built (see ``_OnlyOne``): its arguments are not registered."""

    def add_argument(self, *args, **kwargs) -> None:
        pass

    def set_defaults(self, **kwargs) -> None:
        pass


class _OnlyOne:
    """The subparsers, building only the command being run: all of them cost about 4 ms of every
    run (a third of reading a 22-member workbook). Help and unknown commands get the full parser."""

    def __init__(self, sub, command: str) -> None:
        self.sub, self.command, self.found = sub, command, False

    def add_parser(self, name: str, **kwargs):
        if name != self.command:
            return _Skipped()
        self.found = True
        return self.sub.add_parser(name, **kwargs)


def build_parser(command: Optional[str] = None) -> argparse.ArgumentParser:
    """The command-line parser; with ``command``, only that command's (the full one if there is none)."""
    parser = argparse.ArgumentParser(
        prog="xeploai",
        description="Kiểm điểm, đánh giá, xếp loại chất lượng chi bộ và đảng viên (QĐ 124-QĐ/TW, QĐ 366-QĐ/TW).",
    )
    sub = parser.add_subparsers(dest="command", metavar="LỆNH")
    if command is not None:
        sub = _OnlyOne(sub, command)
    p = sub.add_parser("compute", help="Tính kết quả từ tệp hồ sơ (.json) hoặc sổ Excel (.xlsm)",
                       description="Kiểm phiếu và đề xuất mức xếp loại cho từng đảng viên và chi bộ.")
    p.add_argument("input", help="tệp hồ sơ .json hoặc sổ Excel .xlsm")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON (một dòng)")
    p.add_argument("--indent", type=int, default=None, help="thụt lề JSON cho dễ đọc, ví dụ --indent 2")
    p.set_defaults(func=cmd_compute)

    docs = {
        "minutes": "Xuất biên bản hội nghị (kèm danh sách kết quả) ra tệp Word",
        "count-minutes": "Xuất biên bản kiểm phiếu ra tệp Word (chỉ khi hội nghị bỏ phiếu)",
        "ballots": ("In phiếu đánh giá (đảng viên, tập thể): mặc định một bản gốc mỗi loại, ghi số bản cần in; "
                    "đảng viên theo thứ tự danh sách"),
        "extract": "Xuất trích biên bản hội nghị (kèm danh sách kết quả) ra tệp Word",
        "report": "Xuất báo cáo kết quả gửi cấp ủy, kèm danh sách tổng hợp từng đảng viên, ra tệp Word",
        "forms": ("In sẵn phần chấm điểm của Mẫu 01 (tập thể) và Mẫu 2A, 2B, 2C (đảng viên) để ký (Quy định 366-QĐ/TW); "
                  "phần kiểm điểm do người được kiểm điểm tự viết"),
        "notice": "Xuất thông báo kết quả xếp loại sau khi cấp ủy quyết định (cần cột \"Cấp ủy quyết định\")",
    }
    for kind, text in docs.items():
        p = sub.add_parser(kind, help=text, description=text + ". Tệp đã có không bị ghi đè: tên mới có số (2), (3)...")
        p.add_argument("input", help="tệp hồ sơ .json hoặc sổ Excel .xlsm")
        p.add_argument("--out", required=True, help="tệp .docx sẽ ghi")
        p.add_argument("--pdf", action="store_true", help="thêm bản PDF (cần LibreOffice)")
        p.add_argument("--force", action="store_true", help="vẫn xuất khi kết quả còn lỗi (bản nháp)")
        if kind == "ballots":
            p.add_argument("--copies", action="store_true",
                           help="in sẵn từng phiếu cho mỗi đảng viên chính thức có mặt thay cho một bản gốc")
        p.set_defaults(func=_document(kind))

    p = sub.add_parser("import", help="Tạo sổ Excel từ tệp hồ sơ .json",
                       description="Tạo sổ Excel (.xlsm) theo mẫu, điền sẵn dữ liệu của tệp hồ sơ.")
    p.add_argument("input", help="tệp hồ sơ .json")
    p.add_argument("--out", required=True, help="sổ .xlsm sẽ tạo (không ghi đè tệp đã có)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="Xuất dữ liệu sổ Excel ra tệp hồ sơ .json",
                       description="Đọc sổ Excel (không cần Excel) và ghi tệp hồ sơ .json.")
    p.add_argument("input", help="sổ Excel .xlsm")
    p.add_argument("--out", required=True, help="tệp .json sẽ ghi (không ghi đè tệp đã có)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("upgrade", help="Chuyển sổ theo mẫu cũ (phiên bản 1) sang mẫu mới",
                       description="Đọc sổ theo mẫu cũ (trước khi có sheet Chấm điểm và Tập thể) và chép dữ liệu sang sổ mới "
                                   "theo mẫu hiện hành; sổ cũ không bị thay đổi.")
    p.add_argument("input", help="sổ Excel theo mẫu cũ (.xlsm)")
    p.add_argument("--out", required=True, help="sổ .xlsm mới sẽ tạo (không ghi đè tệp đã có)")
    p.set_defaults(func=cmd_upgrade)

    p = sub.add_parser("build-template", help="Tạo sổ Excel mẫu trống (.xlsm)",
                       description="Tạo sổ mẫu từ mã nguồn: các sheet, công thức, nút bấm và mã VBA.")
    p.add_argument("--out", default="workbook/xeploai.xlsm", help="đường dẫn sổ mẫu (mặc định workbook/xeploai.xlsm)")
    p.add_argument("--replace", action="store_true", help="ghi đè sổ mẫu đã có (chỉ dùng cho sổ mẫu sinh tự động)")
    p.set_defaults(func=cmd_build_template)

    p = sub.add_parser("demo", help="Chạy ví dụ có sẵn: sổ Excel, kết quả, biên bản, phiếu",
                       description="Từ ví dụ hội nghị Chi bộ Trường Mầm non Song Phượng năm 2023: tạo sổ Excel đã điền, "
                                   "tính kết quả, xuất biên bản, biên bản kiểm phiếu, phiếu, trích biên bản, báo cáo "
                                   "(năm 2026: thêm mẫu chấm điểm); in ra nơi lưu.")
    p.add_argument("--out", default="demo-output", help="thư mục lưu (mặc định demo-output)")
    p.add_argument("--year", type=int, choices=(2023, 2026), default=2023,
                   help="2023: hội nghị ví dụ theo QĐ 124 (mặc định); 2026: ví dụ theo QĐ 366 (chấm điểm, tập thể, nhóm)")
    p.add_argument("--pdf", action="store_true", help="thêm bản PDF (cần LibreOffice)")
    p.add_argument("--aggregate", action="store_true",
                   help="ví dụ của cấp ủy: 12 chi bộ của một xã năm 2026, tổng hợp và tính tỷ lệ chung")
    p.set_defaults(func=cmd_demo)

    if command is None or not sub.found:  # the committee's commands, unless the one run is above
        from .aggregate.cli import add_commands

        add_commands(sub)
    if command is not None and not sub.found:
        return build_parser()
    return parser


def main(argv=None) -> int:
    _stdout_utf8()
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv and not argv[0].startswith("-") else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except OutputFileError as exc:
        # Before CaseFileError/ValueError/OSError: it carries its own Vietnamese message naming the place.
        print(f"Lỗi ghi tệp: {exc}", file=sys.stderr)
        return 2
    except CaseFileError as exc:
        print(f"Lỗi dữ liệu: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        # The system's own text (exc.strerror) is English on most machines: say it in Vietnamese.
        from .io.files import describe_os_error

        name = Path(exc.filename).name if getattr(exc, "filename", None) else ""
        print(f"Lỗi tệp {name}: {describe_os_error(exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        print("Lỗi: máy không đủ bộ nhớ để đọc tệp này (tệp quá lớn hoặc bị hỏng); dữ liệu không bị thay đổi.", file=sys.stderr)
        return 2
    except Exception as exc:  # the last resort: a secretary must never see a traceback
        if os.environ.get("XEPLOAI_DEBUG"):
            raise
        print(f"Lỗi không mong đợi của phần mềm ({type(exc).__name__}): chưa tạo kết quả, dữ liệu không bị thay đổi. "
              "Hãy gửi tệp đầu vào và dòng này cho người hỗ trợ (chạy lại với XEPLOAI_DEBUG=1 để xem chi tiết).", file=sys.stderr)
        return 2
