"""The committee's commands: ``aggregate`` and ``write-decisions`` (and the ``demo --aggregate`` hook)."""

from __future__ import annotations

import sys
from datetime import date
from fractions import Fraction
from pathlib import Path

from ..io.errors import CaseFileError


def _date(text: str) -> date:
    from .read import parse_date_text

    iso = parse_date_text(text)
    if not iso:
        raise CaseFileError(f"ngày '{text}' không hợp lệ (ghi dạng ngày/tháng/năm, ví dụ 20/12/2026)")
    return date.fromisoformat(iso)


def _print_problems(agg) -> None:
    shown = [p for p in agg.problems if p.severity != "info"]
    if not shown:
        return
    print("Các vấn đề cần xem (chi tiết ở sheet Kiểm tra):", file=sys.stderr)
    for p in shown[:40]:
        place = ", ".join(x for x in (Path(p.file).name if p.file else "", p.where) if x)
        print(f"- [{p.label}] {p.code}{' (' + place + ')' if place else ''}: {p.message}", file=sys.stderr)
    if len(shown) > 40:
        print(f"... và {len(shown) - 40} vấn đề khác.", file=sys.stderr)


def cmd_aggregate(args) -> int:
    from .run import run_aggregate

    ratio = Fraction(args.ratio, 100)
    outcome = run_aggregate(args.inputs, Path(args.out), expected=args.expected, previous=args.previous or (), ratio=ratio,
                            committee=args.committee or "", upper_body=args.upper_body or "", decision_no=args.decision or "",
                            decision_date=_date(args.decision_date) if args.decision_date else None, locality=args.locality or "",
                            annex=Path(args.annex) if args.annex else None, write_annex=not args.no_annex, year=args.year,
                            workers=args.workers)
    agg = outcome.aggregate
    for s in outcome.skipped:
        print(f"Bỏ qua: {s.message}", file=sys.stderr)
    if not agg.cells:
        print("Không đọc được tệp nào nên không tạo bảng tổng hợp:", file=sys.stderr)
        for f in agg.failures:
            print(f"- {f.file}: {f.message}", file=sys.stderr)
        return 2
    members = sum(len(c.members) for c in agg.cells)
    print(f"Đã tổng hợp {len(agg.cells)} chi bộ, {members} đảng viên, năm {agg.review_year} ({agg.rules_id}); "
          f"{len(agg.failures)} tệp không đọc được.")
    for p in agg.pools:
        flag = f" - VƯỢT, gợi ý giữ {p.max_compliant}" if p.exceeded else ""
        print(f"  {p.label}: HTXSNV {p.proposed}/{p.htt} HTTNV, tối đa {p.limit}{flag}")
    _print_problems(agg)
    print(outcome.summary)
    if outcome.annex:
        print(outcome.annex)
    return outcome.exit_code


def cmd_write_decisions(args) -> int:
    from .writeback import write_decisions

    decisions, applied, refused = write_decisions(Path(args.summary), args.workbooks or (), args.decision or "", args.replace,
                                                  args.force)
    if not decisions:
        print("Bảng tổng hợp chưa có mức nào ở cột \"Cấp ủy quyết định\": không có gì để ghi.", file=sys.stderr)
        return 1
    for a in applied:
        what = f"{a.members} đảng viên" + (f", {a.collectives} tập thể" if a.collectives else "")
        if a.backup:
            print(f"{a.written} (đã ghi quyết định của {what}; bản sao trước khi ghi: {a.backup})")
        else:
            print(f"{a.written} (đã ghi quyết định của {what}; sổ gốc {a.source.name} giữ nguyên)")
        for note in a.notes:
            print(f"  Lưu ý: {note}", file=sys.stderr)
    for file, message in refused:
        print(f"Không ghi: {message}", file=sys.stderr)
    if refused and not applied:
        return 2
    return 1 if refused else 0


def add_commands(sub) -> None:
    """Register the committee's commands on the main parser's subparsers."""
    p = sub.add_parser("aggregate", help="Cấp ủy: tổng hợp kết quả nhiều chi bộ, tính tỷ lệ HTXSNV chung, dự thảo danh sách",
                       description="Đọc sổ Excel (.xlsm), tệp hồ sơ (.json) hoặc bảng Tổng hợp của nhiều chi bộ (hoặc thư mục chứa "
                                   "chúng), tính lại kết quả, kiểm tra (năm, trùng đảng viên, dữ liệu sửa sau khi ký, lỗi chưa xử lý, "
                                   "chi bộ còn thiếu), tính tỷ lệ HTXSNV chung theo nhóm và ghi bảng tổng hợp (.xlsx) cùng dự thảo "
                                   "danh sách kèm theo quyết định (.docx). Tệp đã có không bị ghi đè. Mã thoát: 0 không có vấn đề; "
                                   "1 có vấn đề cần xem; 2 không đọc được tệp nào.")
    p.add_argument("inputs", nargs="+", metavar="TỆP_HOẶC_THƯ_MỤC", help="sổ .xlsm, tệp .json, bảng tổng hợp .xlsx hoặc thư mục")
    p.add_argument("--out", required=True, help="bảng tổng hợp .xlsx sẽ ghi")
    p.add_argument("--expected", metavar="DANH_SÁCH", help="danh sách chi bộ phải nộp (.csv, .xlsx, .json): cột 1 tên chi bộ, "
                                                          "cột 2 (nếu có) mã kiểm tra dữ liệu trên biên bản đã ký")
    p.add_argument("--previous", nargs="+", metavar="TỔNG_HỢP_CŨ", help="bảng tổng hợp các năm trước (để tính số năm HTXSNV liên tiếp)")
    p.add_argument("--ratio", type=int, choices=(20, 25), default=20,
                   help="tỷ lệ HTXSNV tối đa (%%): 20 (mặc định) hoặc 25 khi cấp có thẩm quyền cho phép (chỉ QĐ 366)")
    p.add_argument("--year", type=int, help="năm đánh giá của đợt tổng hợp (mặc định: năm của đa số chi bộ)")
    p.add_argument("--committee", help="tên cấp ủy ra quyết định, ví dụ \"Đảng ủy xã Ô Diên\" (mặc định: theo sổ của chi bộ)")
    p.add_argument("--upper-body", help="tên đảng bộ ở dòng đầu tiêu đề, ví dụ \"Đảng bộ xã Ô Diên\"")
    p.add_argument("--decision", help="số quyết định, ví dụ \"125-QĐ/ĐU\"")
    p.add_argument("--decision-date", help="ngày quyết định (ngày/tháng/năm)")
    p.add_argument("--locality", help="địa danh ở dòng ngày tháng")
    p.add_argument("--annex", help="tệp .docx danh sách kèm theo quyết định (mặc định: cạnh bảng tổng hợp)")
    p.add_argument("--no-annex", action="store_true", help="không tạo dự thảo danh sách .docx")
    p.add_argument("--workers", type=int, help="số tiến trình đọc song song (mặc định: số lõi máy)")
    p.set_defaults(func=cmd_aggregate)

    p = sub.add_parser("write-decisions", help="Cấp ủy: ghi mức đã quyết định từ bảng tổng hợp về sổ của từng chi bộ",
                       description="Đọc cột \"Cấp ủy quyết định\" (sheet Đảng viên, Tập thể) của bảng tổng hợp và ghi vào ô "
                                   "\"Cấp ủy quyết định\", \"Số quyết định\" của sổ từng chi bộ; không thay đổi ô nào khác. "
                                   "Mặc định ghi ra sổ mới cạnh sổ gốc; --replace thay sổ gốc sau khi giữ một bản sao.")
    p.add_argument("summary", help="bảng tổng hợp .xlsx (do lệnh aggregate tạo, đã ghi mức quyết định)")
    p.add_argument("workbooks", nargs="*", metavar="SỔ_HOẶC_THƯ_MỤC",
                   help="sổ của các chi bộ (mặc định: theo đường dẫn ghi trong bảng tổng hợp)")
    p.add_argument("--decision", help="số quyết định ghi vào sổ khi cột \"Số quyết định\" để trống")
    p.add_argument("--replace", action="store_true", help="thay sổ gốc (sau khi giữ bản sao \"... (bản trước khi ghi quyết định)\")")
    p.add_argument("--force", action="store_true", help="vẫn ghi khi sổ đã thay đổi sau lúc tổng hợp")
    p.set_defaults(func=cmd_write_decisions)


def cmd_demo_aggregate(args) -> int:
    from .demo import run_demo_aggregate

    return run_demo_aggregate(Path(args.out))
