"""A readable Vietnamese text report of a result, for the terminal."""

from __future__ import annotations

from .levels import LEVELS
from .result import RULE_LABELS, Result, SubjectResult
from .vnformat import decimal_vn, percent_vn

BASES = {"score": "theo điểm chi bộ chấm và các điều kiện", "score_and_vote": "theo điểm, biểu quyết xác nhận",
         "vote": "theo kết quả biểu quyết, bỏ phiếu"}


def _votes(r: SubjectResult) -> str:
    if r.vote_form == "hands":
        level = r.hands_level.short if r.hands_level else "?"
        return f"giơ tay {level}: {r.hands[0]} tán thành, {r.hands[1]} không"
    if r.vote_form in ("grid", "tally"):
        return " ".join(f"{lvl.short} {n}" for lvl, n in zip(LEVELS, r.votes))
    return ""


def _score(value) -> str:
    return decimal_vn(value) if value is not None else "—"


def text_report(result: Result, party_cell: str = "") -> str:
    """Return the report printed by ``compute`` without ``--json``."""
    lines = []
    lines.append(f"KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI NĂM {result.review_year}" + (f" - {party_cell}" if party_cell else ""))
    lines.append(f"Quy định áp dụng: {result.rules_title} (mã {result.rules_id})")
    lines.append(f"Đề xuất {BASES.get(result.proposal_basis, result.proposal_basis)}; cấp quyết định: {result.decider}")
    lines.append(f"Cơ sở tính tỷ lệ: {result.base} ({result.base_label})")
    lines.append(f"Đảng viên: {result.official} chính thức, {result.probationary} dự bị; "
                 f"có mặt {result.present_official}/{result.base} đảng viên chính thức")
    if result.ballots:
        b = result.ballots
        lines.append(f"Phiếu đảng viên: phát ra {b['issued']}, thu về {b['returned']}, hợp lệ {b['valid']}, không hợp lệ {b['invalid']}")
    lines.append("")
    for c in [x.subject for x in result.collectives] + ([result.party_cell] if result.party_cell else []):
        level = c.proposed_level.label if c.proposed_level else "chưa xác định"
        lines.append(f"{c.name}: đề xuất {level}. {c.explanation}")
    lines.append("")
    scores = result.uses_scores
    head = f"{'TT':>3}  {'Họ và tên':<28} " + (f"{'Mẫu':<4} {'Tự chấm':>7} {'Chi bộ':>7}  " if scores else "")
    head += f"{'Biểu quyết':<34} Đề xuất   Cách tính"
    lines.append(head)
    lines.append("-" * len(head))
    for i, m in enumerate(result.members, 1):
        if not m.reviewed:
            lines.append(f"{i:>3}  {m.name:<28} —  {m.not_reviewed_reason}")
            continue
        proposal = m.proposed_level.short if m.proposed_level else "—"
        cells = f"{i:>3}  {m.name:<28} "
        if scores:
            cells += f"{m.group or '':<4} {_score(m.self_score):>7} {_score(m.score):>7}  "
        cells += f"{_votes(m):<34} {proposal:<8}  {RULE_LABELS.get(m.rule, m.rule)}"
        lines.append(cells)
    lines.append("")
    s = result.summary
    reviewed = s["reviewed"]
    parts = [f"{lvl.short}: {s['by_level'][lvl.code]} ({percent_vn(s['by_level'][lvl.code], reviewed) if reviewed else '0%'})" for lvl in LEVELS]
    lines.append(f"Tổng hợp: được đánh giá {reviewed}; " + "; ".join(parts) + f"; không đánh giá: {len(s['not_reviewed'])}")
    q = result.quota
    lines.append(f"Tỷ lệ HTXSNV: {q.proposed}/{q.htt} = {q.share_of_htt} số HTTNV (tối đa {q.ratio_label}: {q.limit}); "
                 f"{q.proposed}/{q.reviewed} = {q.share_of_reviewed} số được đánh giá")
    if len(q.groups) > 1 or (q.groups and q.groups[0].group != "all"):
        for g in q.groups:
            lines.append(f"  Nhóm {g.label}: HTXSNV {g.proposed}, HTTNV {g.htt}, tối đa {g.limit}"
                         + (f" - VƯỢT, số lớn nhất phù hợp {g.max_compliant}" if g.exceeded else ""))
    lines.append("")
    if result.findings:
        lines.append("CẢNH BÁO VÀ LƯU Ý")
        for f in result.findings:
            where = f" [{f.where}]" if f.where else ""
            lines.append(f"- {f.severity.label} {f.code}{where}: {f.message}")
    else:
        lines.append("Không có cảnh báo.")
    status = (f"ĐỀ XUẤT của chi bộ; {result.decider or 'cấp ủy cấp trên'} xem xét, quyết định." if result.status == "proposed"
              else "Đã có quyết định của cấp có thẩm quyền.")
    lines.append("")
    lines.append(f"Tình trạng: {status}")
    return "\n".join(lines)
