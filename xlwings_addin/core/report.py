"""A readable Vietnamese text report of a result, for the terminal."""

from __future__ import annotations

from .levels import LEVELS
from .result import RULE_LABELS, Result
from .vnformat import percent_vn


def text_report(result: Result, party_cell: str = "") -> str:
    """Return the report printed by ``compute`` without ``--json``."""
    lines = []
    lines.append(f"KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI NĂM {result.review_year}" + (f" - {party_cell}" if party_cell else ""))
    lines.append(f"Quy định áp dụng: {result.rules_title} (mã {result.rules_id})")
    lines.append(f"Cơ sở tính tỷ lệ: {result.base} ({result.base_label})")
    lines.append(f"Đảng viên: {result.official} chính thức, {result.probationary} dự bị; "
                 f"có mặt {result.present_official}/{result.base} đảng viên chính thức")
    if result.ballots:
        b = result.ballots
        lines.append(f"Phiếu đảng viên: phát ra {b['issued']}, thu về {b['returned']}, hợp lệ {b['valid']}, không hợp lệ {b['invalid']}")
    lines.append("")
    if result.party_cell:
        c = result.party_cell
        level = c.proposed_level.label if c.proposed_level else "chưa xác định"
        lines.append(f"Chi bộ: đề xuất {level}. {c.explanation}")
        lines.append("")
    header = f"{'TT':>3}  {'Họ và tên':<28} " + " ".join(f"{lvl.short:>6}" for lvl in LEVELS) + "  Đề xuất   Cách tính"
    lines.append(header)
    lines.append("-" * len(header))
    for i, m in enumerate(result.members, 1):
        if not m.reviewed:
            lines.append(f"{i:>3}  {m.name:<28} {'':>27}  —         {m.not_reviewed_reason}")
            continue
        proposal = m.proposed_level.short if m.proposed_level else "—"
        votes = " ".join(f"{n:>6}" for n in m.votes)
        lines.append(f"{i:>3}  {m.name:<28} {votes}  {proposal:<8}  {RULE_LABELS.get(m.rule, m.rule)}")
    lines.append("")
    s = result.summary
    reviewed = s["reviewed"]
    parts = [f"{lvl.short}: {s['by_level'][lvl.code]} ({percent_vn(s['by_level'][lvl.code], reviewed) if reviewed else '0%'})" for lvl in LEVELS]
    lines.append(f"Tổng hợp: được đánh giá {reviewed}; " + "; ".join(parts) + f"; không đánh giá: {len(s['not_reviewed'])}")
    q = result.quota
    lines.append(f"Tỷ lệ HTXSNV: {q.proposed}/{q.htt} = {q.share_of_htt} số HTTNV (tối đa {q.ratio_label}: {q.limit}); "
                 f"{q.proposed}/{q.reviewed} = {q.share_of_reviewed} số được đánh giá")
    lines.append("")
    if result.findings:
        lines.append("CẢNH BÁO VÀ LƯU Ý")
        for f in result.findings:
            where = f" [{f.where}]" if f.where else ""
            lines.append(f"- {f.severity.label} {f.code}{where}: {f.message}")
    else:
        lines.append("Không có cảnh báo.")
    status = "ĐỀ XUẤT của chi bộ; cấp ủy cấp trên xem xét, quyết định." if result.status == "proposed" else "Đã có quyết định của cấp có thẩm quyền."
    lines.append("")
    lines.append(f"Tình trạng: {status}")
    return "\n".join(lines)
