"""Checks on the set of inputs (pure): a list of functions that each return problems (beancount's style).

Each problem names the file and, where it applies, the sheet and cell. Severity: "error" when the
committee cannot rely on the figures (a duplicate member, data changed after signing, a missing chi
bộ, an unresolved error); "warning" for what needs a look; "info" for context.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from fractions import Fraction
from typing import Iterable, Optional

from .model import CellRecord, Problem, ReadFailure, norm


def reference(values: Iterable, wanted=None):
    """The value most inputs share (or the one asked for): what the others are compared with."""
    if wanted not in (None, ""):
        return wanted
    counts = Counter(v for v in values if v not in (None, ""))
    if not counts:
        return None
    best = max(counts.values())
    # On a tie the latest year (or the last rule pack id) wins: the committee reviews the current year.
    return max(v for v, n in counts.items() if n == best)


def check_failures(failures: Iterable[ReadFailure]) -> list[Problem]:
    return [Problem("INPUT_UNREADABLE", "error", f"Không đọc được tệp: {f.message}. Các tệp khác vẫn được tổng hợp.", f.file, f.where)
            for f in failures]


def check_year_and_rules(cells: list[CellRecord], year: Optional[int], rules_id: str) -> list[Problem]:
    out = []
    for c in cells:
        if year is not None and c.review_year != year:
            out.append(Problem("YEAR_MISMATCH", "error",
                               f"{c.party_cell}: năm đánh giá {c.review_year}, khác năm {year} của đợt tổng hợp; "
                               "số liệu của chi bộ này không được tính vào tỷ lệ chung.", c.file, c.year_where))
        elif rules_id and c.rules_id and c.rules_id != rules_id:
            out.append(Problem("RULES_MISMATCH", "error",
                               f"{c.party_cell}: áp dụng bộ quy tắc {c.rules_id}, khác {rules_id} của các chi bộ khác; "
                               "số liệu của chi bộ này không được tính vào tỷ lệ chung.", c.file, c.rules_where))
    return out


def check_same_cell_twice(cells: list[CellRecord]) -> list[Problem]:
    by_name = defaultdict(list)
    for c in cells:
        by_name[norm(c.party_cell)].append(c)
    out = []
    for group in by_name.values():
        if len(group) > 1:
            files = ", ".join(c.file_name for c in group)
            for c in group[1:]:
                out.append(Problem("CELL_TWICE", "error", f"{c.party_cell} có trong nhiều tệp ({files}): chỉ giữ một bản đã ký; "
                                                          "đảng viên của chi bộ sẽ bị tính hai lần.", c.file))
    return out


def check_duplicates(cells: list[CellRecord]) -> list[Problem]:
    """The same member in two chi bộ: same số thẻ, or same name and admission date (name only: a note)."""
    by_id, by_name_date, by_name = defaultdict(list), defaultdict(list), defaultdict(list)
    for c in cells:
        for m in c.members:
            if m.key_id:
                by_id[m.key_id].append((c, m))
            if m.admission_date:
                by_name_date[(m.key_name, m.admission_date)].append((c, m))
            by_name[m.key_name].append((c, m))
    out, seen = [], set()

    def report(entries, code, severity, why):
        cells_ = {id(c) for c, _ in entries}
        if len(cells_) < 2:
            return
        pair_key = frozenset((c.file, m.name) for c, m in entries)
        if pair_key in seen:
            return
        seen.add(pair_key)
        places = "; ".join(f"{c.party_cell} ({c.file_name}{', ' + m.where if m.where else ''})" for c, m in entries)
        for c, m in (entries[1:] if severity != "info" else entries[-1:]):
            out.append(Problem(code, severity, f"Đảng viên {m.name} có ở nhiều chi bộ ({why}): {places}. "
                                               "Mỗi đảng viên chỉ được xếp loại ở chi bộ sinh hoạt chính thức.", c.file, m.where))

    for entries in by_id.values():
        report(entries, "DUPLICATE_MEMBER", "error", "cùng số thẻ đảng viên")
    for (name, when), entries in by_name_date.items():
        report(entries, "DUPLICATE_MEMBER", "error", f"cùng họ tên và ngày kết nạp {when}")
    for name, entries in by_name.items():
        # Same name, at least one side without an admission date or id: only a hint (namesakes are common).
        undated = [(c, m) for c, m in entries if not m.admission_date and not m.key_id]
        if undated and len({id(c) for c, _ in entries}) > 1:
            report(entries, "POSSIBLE_DUPLICATE", "info", "cùng họ tên, không đủ ngày kết nạp hoặc số thẻ để so")
    return out


def _fp(value: str) -> str:
    return "".join((value or "").split()).upper()


def expected_match(expected: dict[str, str], cell: CellRecord) -> Optional[str]:
    """The key of the expected list that names this cell (by chi bộ name or by file name), if any."""
    stem = cell.file_name.rsplit(".", 1)[0]
    for key in (norm(cell.party_cell), norm(cell.file_name), norm(stem)):
        if key in expected:
            return key
    return None


def check_expected(cells: list[CellRecord], expected: Optional[dict[str, tuple[str, str]]], expected_file: str = "") -> list[Problem]:
    """Missing cells, cells not on the list, and workbooks changed after their minutes were signed.

    ``expected`` maps a normalised chi bộ name (or file name) to (the name as typed, the signed fingerprint or "").
    """
    if expected is None:
        return []
    out, found = [], set()
    for c in cells:
        key = expected_match(expected, c)
        if key is None:
            out.append(Problem("CELL_NOT_EXPECTED", "warning", f"{c.party_cell} không có trong danh sách chi bộ cần nộp ({expected_file}).",
                               c.file))
            continue
        found.add(key)
        signed = _fp(expected[key][1])
        if signed and signed not in (_fp(c.fingerprint), _fp(c.fingerprint_undecided)):
            out.append(Problem("CHANGED_AFTER_SIGNING", "error",
                               f"{c.party_cell}: mã kiểm tra dữ liệu của tệp là {c.fingerprint}, khác mã {expected[key][1]} "
                               "trên biên bản đã ký: dữ liệu đã bị sửa sau khi ký biên bản. Đề nghị chi bộ gửi lại đúng bản đã ký "
                               "hoặc giải trình.", c.file, "Kết quả!A7" if c.source == "workbook" else ""))
    for key, (name, _) in expected.items():
        if key not in found:
            out.append(Problem("CELL_MISSING", "error", f"Chưa có kết quả của {name} (có trong danh sách chi bộ cần nộp).", expected_file))
    return out


def check_errors(cells: list[CellRecord]) -> list[Problem]:
    out = []
    for c in cells:
        for code, message, where in c.errors:
            out.append(Problem("CELL_HAS_ERRORS", "error", f"{c.party_cell}: còn lỗi chưa xử lý ({code}): {message}", c.file, where))
    return out


def check_groups(cells: list[CellRecord]) -> list[Problem]:
    out = []
    for c in cells:
        if not c.uses_scores:
            continue
        missing = [m for m in c.members if m.reviewed and not m.group]
        if missing:
            names = ", ".join(m.name for m in missing[:5]) + (" ..." if len(missing) > 5 else "")
            out.append(Problem("GROUP_MISSING", "warning", f"{c.party_cell}: {len(missing)} đảng viên chưa ghi mẫu kiểm điểm 2A/2B/2C "
                                                           f"({names}); được tính riêng một nhóm.", c.file, missing[0].where))
    return out


def check_ratio(ratio: Fraction, cells: list[CellRecord]) -> tuple[Fraction, list[Problem]]:
    """25% only under QĐ 366 with the competent level's approval (R22); under QĐ 124 it is refused."""
    if ratio > Fraction(1, 5) and any(not c.uses_scores for c in cells):
        return Fraction(1, 5), [Problem("RATIO_25_NOT_IN_124", "warning", "Tỷ lệ 25% chỉ có trong Quy định 366-QĐ/TW; các chi bộ theo "
                                                                          "Quy định 124-QĐ/TW vẫn tính 20%.")]
    return ratio, []


def check_summary_sources(cells: list[CellRecord]) -> list[Problem]:
    return [Problem("SUMMARY_ONLY", "info", f"{c.party_cell}: chỉ có bảng tổng hợp, không tính lại được từ dữ liệu gốc; "
                                            "lấy mức đề xuất và điểm như đã ghi.", c.file) for c in cells if c.source == "summary"]


def check_ties(pools) -> list[Problem]:
    out = []
    for p in pools:
        if p.ties:
            names = ", ".join(f"{c.name} ({c.cell})" for c in p.candidates if c.boundary_tie)
            out.append(Problem("POOL_TIE", "warning", f"{p.label}: các đồng chí {names} bằng nhau ở ranh giới tỷ lệ; "
                                                      "cấp ủy xem xét, quyết định (phần mềm không tự chọn)."))
        if p.exceeded:
            out.append(Problem("POOL_EXCEEDED", "warning",
                               f"{p.label}: đề xuất {p.proposed} Hoàn thành xuất sắc nhiệm vụ, vượt {_pct(p.ratio)} số Hoàn thành tốt "
                               f"nhiệm vụ ({p.htt}; tối đa {p.limit}). Số lớn nhất phù hợp nếu chuyển bớt: {p.max_compliant}. "
                               "Danh sách gợi ý xem ở sheet Tỷ lệ HTXSNV; cấp ủy quyết định."))
    return out


def _pct(ratio: Fraction) -> str:
    v = ratio * 100
    return f"{int(v)}%" if v.denominator == 1 else f"{float(v):.2f}".replace(".", ",") + "%"
