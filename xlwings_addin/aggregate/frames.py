"""The summary workbook's tables as pandas DataFrames (no file is written here).

Numbers stay numbers (a committee sorts and filters them); scores are rounded to two decimals only
for display (P3: compared unrounded, which the pools already did).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Optional

import pandas as pd

from ..core.levels import LEVELS
from . import columns as C
from .model import Aggregate
from .pool import group_label, member_group

LEVEL_CODES = [lvl.code for lvl in LEVELS]


def _f(v: Optional[Fraction]):
    return None if v is None else round(float(v), 2)


def _pct(v: Optional[Fraction]):
    return None if v is None else round(float(v) * 100, 2)


def _frame(rows: list[dict], columns) -> pd.DataFrame:
    keys = [k for k, _, _ in columns]
    df = pd.DataFrame(rows, columns=keys)
    df.columns = C.headers(columns)
    return df


def _suggestion_text(proposed: str, suggested: str) -> str:
    if not proposed:
        return ""
    if suggested != proposed:
        return f"{suggested} (xem xét: vượt tỷ lệ)"
    return suggested


def member_frame(agg: Aggregate) -> pd.DataFrame:
    rows = []
    with_history = bool(agg.history)
    for c in agg.cells:
        for m in c.members:
            sug = agg.suggestion(c, m)
            h = agg.history.get((c.file, m.name)) if with_history else None
            rows.append({
                "no": len(rows) + 1, "year": c.review_year, "cell": c.party_cell, "name": m.name, "member_id": m.member_id,
                "admission_date": pd.Timestamp(m.admission_date) if m.admission_date else None, "membership": m.membership,
                "role": m.role, "group": m.group, "reviewed": "Có" if m.reviewed else f"Không: {m.not_reviewed_reason}",
                "self_score": _f(m.self_score), "score": _f(m.score), "results_score": _f(m.results_score),
                "htxs_share": _pct(m.htxs_share), "proposed": m.proposed, "suggestion": _suggestion_text(m.proposed, sug),
                "decided": m.decided, "decision_ref": m.decision_ref,
                "previous_level": h.previous_level if h else None, "change": h.change if h else None,
                "streak": h.streak if h else None, "five_years": ("Đủ" if h.five_years else "") if h else None,
                "note": m.note, "file": c.file, "row": m.row,
            })
    columns = C.MEMBER_COLUMNS if with_history else tuple(c for c in C.MEMBER_COLUMNS if c[0] not in C.HISTORY_KEYS)
    return _frame(rows, columns)


def collective_frame(agg: Aggregate) -> pd.DataFrame:
    rows = []
    for c in agg.cells:
        for t in c.collectives:
            sug = agg.collective_suggestion(c, t)
            rows.append({"no": len(rows) + 1, "year": c.review_year, "cell": c.party_cell, "kind": t.kind_label, "name": t.name,
                         "score": _f(t.score), "htxs_share": _pct(t.htxs_share), "proposed": t.proposed,
                         "suggestion": _suggestion_text(t.proposed, sug), "decided": t.decided, "decision_ref": t.decision_ref,
                         "decider": t.decider, "note": "", "file": c.file, "row": t.row})
    return _frame(rows, C.COLLECTIVE_COLUMNS)


def cell_frame(agg: Aggregate, expected: Optional[dict] = None) -> pd.DataFrame:
    from .checks import expected_match

    rows = []
    for c in agg.cells:
        counts = {code: sum(1 for m in c.members if m.reviewed and m.proposed == code) for code in LEVEL_CODES}
        reviewed = sum(1 for m in c.members if m.reviewed)
        signed = ""
        if expected:
            key = expected_match(expected, c)
            signed = expected[key][1] if key else ""
        ok = ""
        if signed:
            fp = "".join(signed.split()).upper()
            ok = "Khớp" if fp in (c.fingerprint.upper(), c.fingerprint_undecided.upper()) else "KHÔNG KHỚP"
        own = next((t for t in c.collectives if t.kind == "chi_bo"), None)
        rows.append({"no": len(rows) + 1, "cell": c.party_cell, "year": c.review_year, "rules": c.rules_id,
                     "source": {"workbook": "Sổ Excel", "case": "Tệp hồ sơ", "summary": "Bảng tổng hợp"}[c.source],
                     "members": len(c.members), "reviewed": reviewed, **counts,
                     "unranked": reviewed - sum(counts.values()), "cell_level": own.proposed if own else "",
                     "fingerprint": c.fingerprint, "fingerprint_undecided": c.fingerprint_undecided, "signed": signed, "signed_ok": ok, "errors": len(c.errors), "warnings": c.warnings,
                     "file": c.file})
    for f in agg.failures:
        rows.append({"no": len(rows) + 1, "cell": "(không đọc được)", "source": "", "file": f.file})
    return _frame(rows, C.CELL_COLUMNS)


def group_frame(agg: Aggregate) -> pd.DataFrame:
    """Counts per group and level (proposals), with the suggestion of the pooled cap."""
    table: dict = {}
    for c in agg.cells:
        for m in c.members:
            if not m.reviewed:
                continue
            g = member_group(c, m.group)
            row = table.setdefault(g, {code: 0 for code in LEVEL_CODES} | {"none": 0})
            row[m.proposed or "none"] += 1
    pools = {p.key: p for p in agg.pools if p.subjects == "members"}
    rows = []
    for g, counts in table.items():
        p = pools.get(g)
        total = sum(counts.values())
        rows.append({"Nhóm": group_label(g), "Được đánh giá": total, **{code: counts[code] for code in LEVEL_CODES},
                     "Chưa có mức": counts["none"], "Tối đa HTXSNV theo tỷ lệ": p.limit if p else None,
                     "Gợi ý giữ HTXSNV": p.suggested_htxs if p else None})
    rows.sort(key=lambda r: r["Nhóm"])
    if rows:
        total = {"Nhóm": "Cộng", **{k: sum(r[k] or 0 for r in rows) for k in rows[0] if k != "Nhóm"}}
        rows.append(total)
    return pd.DataFrame(rows)


def level_frame(agg: Aggregate) -> pd.DataFrame:
    """Per level: how many members and collectives, and the share of those reviewed (proposals and suggestion)."""
    members = [(c, m) for c in agg.cells for m in c.members if m.reviewed]
    colls = [(c, t) for c in agg.cells for t in c.collectives if t.reviewed]
    rows = []
    for code in LEVEL_CODES:
        n = sum(1 for _, m in members if m.proposed == code)
        s = sum(1 for c, m in members if agg.suggestion(c, m) == code)
        d = sum(1 for _, m in members if m.decided == code)
        nc = sum(1 for _, t in colls if t.proposed == code)
        sc = sum(1 for c, t in colls if agg.collective_suggestion(c, t) == code)
        rows.append({"Mức": C.LEVEL_LABELS[code], "Mã": code, "Đảng viên: chi bộ đề xuất": n,
                     "Tỷ lệ trên số được đánh giá (%)": round(100 * n / len(members), 2) if members else 0,
                     "Đảng viên: gợi ý theo tỷ lệ chung": s, "Đảng viên: đã có quyết định": d,
                     "Tập thể: đề xuất": nc, "Tập thể: gợi ý theo tỷ lệ chung": sc})
    return pd.DataFrame(rows)


def pool_frame(agg: Aggregate) -> pd.DataFrame:
    rows = []
    for p in agg.pools:
        rows.append({"pool": p.label, "ratio": f"{int(p.ratio * 100)}%", "reviewed": p.reviewed, "htt": p.htt, "proposed": p.proposed,
                     "share": round(100 * p.proposed / p.htt, 2) if p.htt else None, "limit": p.limit,
                     "exceeded": "VƯỢT" if p.exceeded else "", "max_compliant": p.max_compliant, "suggested": p.suggested_htxs,
                     "order_by": "điểm, rồi điểm kết quả nhiệm vụ" if p.order_by == "score" else "tỷ lệ phiếu HTXSNV",
                     "ties": "Có" if p.ties else ""})
    return _frame(rows, C.POOL_COLUMNS)


def candidate_frame(agg: Aggregate) -> pd.DataFrame:
    rows = []
    for p in agg.pools:
        for c in p.candidates:
            if c.boundary_tie:
                sug = "Bằng nhau ở ranh giới: cấp ủy chọn"
            elif c.within:
                sug = "Giữ HTXSNV"
            else:
                sug = "Xem xét chuyển HTTNV (vượt tỷ lệ)"
            rows.append({"pool": p.label, "rank": c.rank, "name": c.name, "cell": c.cell, "score": _f(c.score),
                         "results_score": _f(c.results_score), "htxs_share": _pct(c.htxs_share), "tie": "Có" if c.tie else "",
                         "suggestion": sug, "file": c.file})
    return _frame(rows, C.CANDIDATE_COLUMNS)


def history_frame(agg: Aggregate) -> Optional[pd.DataFrame]:
    if not agg.history:
        return None
    years = sorted({y for h in agg.history.values() for y in h.years})
    rows = []
    for c in agg.cells:
        for m in c.members:
            h = agg.history.get((c.file, m.name))
            if h is None:
                continue
            row = {"Chi bộ": c.party_cell, "Họ và tên": m.name, "Số thẻ đảng viên": m.member_id}
            for y in years:
                row[str(y)] = h.years.get(y, "")
            row[f"{agg.review_year} ({'quyết định' if h.this_decided else 'đề xuất/gợi ý'})"] = h.this_level
            row["So với năm trước"] = h.change
            row["HTXSNV liên tiếp trước năm nay"] = h.streak_before
            row["HTXSNV liên tiếp tính cả năm nay"] = h.streak
            row["Đủ 5 năm (cơ sở khen thưởng)"] = "Đủ" if h.five_years else ""
            rows.append(row)
    return pd.DataFrame(rows)


def problem_frame(agg: Aggregate) -> pd.DataFrame:
    order = {"error": 0, "warning": 1, "info": 2}
    rows = [{"severity": p.label, "code": p.code, "message": p.message, "file": p.file, "where": p.where, "_o": order.get(p.severity, 3)}
            for p in agg.problems]
    rows.sort(key=lambda r: r["_o"])
    for i, r in enumerate(rows, 1):
        r["no"] = i
        del r["_o"]
    if not rows:
        rows = [{"no": "", "severity": "", "code": "", "message": "Không có vấn đề nào.", "file": "", "where": ""}]
    return _frame(rows, C.PROBLEM_COLUMNS)


def info_frame(agg: Aggregate, options: dict) -> pd.DataFrame:
    pairs = [("Định dạng", C.FORMAT_MARK), ("Phiên bản", C.FORMAT_VERSION), ("Năm đánh giá", agg.review_year),
             ("Quy định", agg.rules_id), ("Cấp ủy", agg.committee), ("Đảng bộ", agg.upper_body),
             ("Tỷ lệ HTXSNV tối đa", f"{int(agg.ratio * 100)}%"), ("Số chi bộ đã đọc", len(agg.cells)),
             ("Số tệp không đọc được", len(agg.failures)),
             ("Lỗi", sum(1 for p in agg.problems if p.severity == "error")),
             ("Cảnh báo", sum(1 for p in agg.problems if p.severity == "warning")),
             ("Ghi chú", "Mức ở cột \"Gợi ý theo tỷ lệ chung\" chỉ là gợi ý; cấp ủy ghi mức quyết định vào cột \"Cấp ủy quyết định\" "
                         "ở sheet Đảng viên và Tập thể, rồi dùng lệnh write-decisions để ghi về sổ của từng chi bộ.")]
    pairs += [(k, v) for k, v in options.items() if v not in (None, "")]
    return pd.DataFrame(pairs, columns=["Mục", "Giá trị"])
