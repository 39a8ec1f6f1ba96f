"""Output blocks for the "Kết quả", "Cảnh báo" and "Tổng hợp" sheets, as 2D lists (pure).

The live macro writes each block in one call and the file writer writes the same blocks with
XlsxWriter, so both produce identical sheets.
"""

from __future__ import annotations

import re

from ..core.levels import LEVELS
from ..core.models import Case
from ..core.result import RULE_LABELS, Result, SubjectResult
from ..core.vnformat import decimal_vn, percent_vn
from . import schema as S

_CELL_REF = re.compile(r"^(?P<sheet>[^!]+)!(?P<cell>\$?[A-Z]{1,3}\$?\d+)$")


class Formula(str):
    """A formula this program wrote on purpose (a link); every other string is plain text."""


def safe_text(value):
    """Return a cell value that Excel will never read as a formula.

    Only ``Formula`` values stay formulas; user text starting with = + - @ gets Excel's text prefix
    (an apostrophe), which Excel does not show. Text longer than a cell holds is refused upstream.
    """
    if isinstance(value, Formula):
        return str(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def link_formula(where: str):
    """A HYPERLINK formula to a cell we named ourselves ("Sheet!A1"), or the plain text."""
    m = _CELL_REF.match(where or "")
    if not m or m.group("sheet") not in S.ALL_SHEETS:
        return where or ""
    sheet = m.group("sheet").replace("'", "''")
    label = where.replace('"', '""')
    return Formula(f'=HYPERLINK("#\'{sheet}\'!{m.group("cell")}","{label}")')


def summary_lines(result: Result, party_cell: str = "") -> list[str]:
    """The lines above the results table."""
    s, q = result.summary, result.quota
    status = ("ĐỀ XUẤT của chi bộ, chờ cấp có thẩm quyền quyết định" if result.status == "proposed"
              else "Đã có quyết định của cấp có thẩm quyền")
    errors = sum(1 for f in result.findings if f.severity.value == "error")
    warnings = sum(1 for f in result.findings if f.severity.value == "warning")
    counts = "; ".join(f"{lvl.short}: {s['by_level'][lvl.code]}" for lvl in LEVELS)
    basis = {"score": "theo điểm chi bộ chấm và các điều kiện", "score_and_vote": "theo điểm, biểu quyết xác nhận",
             "vote": "theo kết quả biểu quyết"}.get(result.proposal_basis, result.proposal_basis)
    groups = ""
    if len(q.groups) > 1 or (q.groups and q.groups[0].group != "all"):
        groups = " Theo nhóm: " + "; ".join(
            f"{g.group} {g.proposed}/{g.htt} (tối đa {g.limit}{', VƯỢT' if g.exceeded else ''})" for g in q.groups) + "."
    lines = [
        f"KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG NĂM {result.review_year}" + (f" - {party_cell.upper()}" if party_cell else ""),
        f"Tình trạng: {status} ({result.decider}). Lỗi: {errors}; cảnh báo: {warnings} (xem sheet {S.SHEET_WARNINGS}).",
        f"Quy định áp dụng: {result.rules_title}. Đề xuất {basis}. Cơ sở tính tỷ lệ: {result.base} ({result.base_label}).",
        f"Đảng viên: {result.official} chính thức, {result.probationary} dự bị; có mặt {result.present_official}/{result.base} đảng viên chính thức.",
        f"Được đánh giá: {s['reviewed']}; {counts}; không đánh giá: {len(s['not_reviewed'])}.",
        f"Tỷ lệ HTXSNV: {q.proposed}/{q.htt} = {q.share_of_htt} số HTTNV (tối đa {q.ratio_label}: {q.limit}); "
        f"{q.proposed}/{q.reviewed} = {q.share_of_reviewed} số được đánh giá" + (" - VƯỢT TỶ LỆ, xem cảnh báo." if q.exceeded else ".") + groups,
        f"Mã kiểm tra dữ liệu: {result.fingerprint}",
    ]
    return lines


def _score(value) -> str:
    return decimal_vn(value) if value is not None else ""


def _row(no, r: SubjectResult, kind_label: str, group: str) -> list:
    out = [no, r.name, r.membership or "", group, kind_label, _score(r.self_score), _score(r.score),
           r.band.short if r.band else ""]
    has_votes = r.reviewed and r.vote_form in ("grid", "tally")
    for lvl in LEVELS:
        n = r.votes_for(lvl)
        out += [n if has_votes else "", percent_vn(n, r.base) if (has_votes and r.base) else ""]
    if r.vote_form == "hands":
        voted = f"Giơ tay {r.hands[0]}/{r.base}"
    else:
        voted = r.voted_level.short if r.voted_level else ""
    out += [r.valid if has_votes else "", r.spoiled if has_votes else "", voted,
            r.proposed_level.short if r.proposed_level else ("" if not r.reviewed else "Chưa xác định"),
            RULE_LABELS.get(r.rule, r.rule), r.explanation]
    return out


def results_block(result: Result, party_cell: str = "") -> list[list]:
    """Rows from A1: summary lines, a blank row, the header, the collectives, the member rows."""
    width = len(S.RESULTS_HEADERS)
    block = [[line] + [""] * (width - 1) for line in summary_lines(result, party_cell)]
    while len(block) < S.RESULTS_HEADER_ROW:
        block.append([""] * width)
    block.append(list(S.RESULTS_HEADERS))
    for c in result.collectives:
        block.append(_row("", c.subject, "Tập thể", c.subject.kind_label))
    if result.party_cell is not None:
        block.append(_row("", result.party_cell, "Tập thể", "Chi bộ"))
    for i, m in enumerate(result.members, 1):
        block.append(_row(i, m, "Có" if m.reviewed else f"Không ({m.not_reviewed_reason})", m.group))
    return block


def warnings_block(result: Result) -> list[list]:
    """Rows from the header row of "Cảnh báo": header then one row per finding."""
    block = [list(S.WARNINGS_HEADERS)]
    for f in result.findings:
        block.append([f.severity.label, f.code, f.message, link_formula(f.where), f.rule])
    if not result.findings:
        block.append(["", "", "Không có cảnh báo.", "", ""])
    return block


def error_block(problems: list[tuple[str, str]]) -> list[list]:
    """The warnings block when the workbook itself could not be read."""
    block = [list(S.WARNINGS_HEADERS)]
    for where, message in problems:
        block.append(["Lỗi", "WORKBOOK_INPUT", message, link_formula(where), ""])
    return block


def summary_rows(case: Case, result: Result) -> list[dict]:
    """The report's summary list, one dict per member (keys: ``schema.SUMMARY_KEYS``)."""
    by_name = {m.name: m for m in case.members}
    rows = []
    for i, r in enumerate(result.members, 1):
        m = by_name.get(r.name)
        note = r.note
        if not r.reviewed:
            note = "; ".join(x for x in (f"Không đánh giá: {r.not_reviewed_reason}", note) if x)
        rows.append({
            "no": i, "name": r.name, "member_id": m.member_id if m else "", "membership": r.membership, "role": r.role,
            "group": r.group, "civil_service_level": m.civil_service_level.short if m and m.civil_service_level else "",
            "self_level": r.self_level.short if r.self_level else "", "self_score": _score(r.self_score),
            "proposed_level": r.proposed_level.short if r.proposed_level else "", "score": _score(r.score),
            "decided_level": r.decided_level.short if r.decided_level else "", "note": note,
        })
    return rows


def summary_block(case: Case, result: Result) -> list[list]:
    """Rows from ``SUMMARY_META_ROW``: the key/value line, a blank row, the header, the members."""
    meta = {"chi_bo": case.meeting.party_cell, "year": result.review_year, "rules": result.rules_id,
            "fingerprint": result.fingerprint, "upper_committee": case.meeting.upper_committee}
    width = len(S.SUMMARY_HEADERS)
    line = []
    for key in S.SUMMARY_META_KEYS:
        line += [key, meta[key]]
    block = [line + [""] * max(0, width - len(line)), [""] * width, list(S.SUMMARY_HEADERS)]
    for row in summary_rows(case, result):
        block.append([row[k] for k in S.SUMMARY_KEYS])
    return block
