"""Meeting-wide checks after every proposal is known: order of rankings, consistency, S17, dossier.

- Order (366 Art. 12 cl. 2, qd366-meeting.md §1.3): the unit's leadership collective before its
  head and its members, the unit before the party organisation, the members and the chi ủy before
  the chi bộ. The minutes follow this order; numbers typed in the data are checked against it.
- R40: the chi bộ's level against its members'.
- S17: the chi bộ's own proposal waits for every member's and the chi ủy's; the unit's result.
- Art. 17 / S24: the dossier (self-reviews, residence comments).
"""

from __future__ import annotations

from ..core import findings as F
from ..core.levels import Level
from ..core.models import Case, CollectiveKind

#: The required order of rankings at a chi bộ meeting, as (step, label) pairs.
ORDER = (
    ("lanh_dao_don_vi", "tập thể lãnh đạo đơn vị"),
    ("khac", "các tập thể khác"),
    ("members", "đảng viên (kể cả cán bộ lãnh đạo, quản lý)"),
    ("chi_uy", "chi ủy"),
    ("chi_bo", "chi bộ"),
)

# (earlier, later, reason) pairs the regulation fixes.
_BEFORE = (
    ("lanh_dao_don_vi", "members", "tập thể lãnh đạo xếp loại trước người đứng đầu và các thành viên"),
    ("lanh_dao_don_vi", "chi_bo", "đơn vị (chính quyền, chuyên môn) xếp loại trước tổ chức đảng"),
    ("members", "chi_bo", "đảng viên xếp loại trước chi bộ"),
    ("chi_uy", "chi_bo", "chi ủy xếp loại trước chi bộ"),
)


def ranking_order(case: Case) -> tuple[dict, ...]:
    """The steps of the meeting's rankings in the required order (the minutes follow it)."""
    steps = []
    for key, label in ORDER:
        if key == "members":
            steps.append({"step": key, "label": label, "name": "Đảng viên"})
        elif key == "chi_bo":
            steps.append({"step": key, "label": label, "name": case.meeting.party_cell or "Chi bộ"})
        else:
            for c in case.collectives:
                if c.kind.key == key:
                    steps.append({"step": key, "label": label, "name": c.name or c.kind.label})
    return tuple(steps)


def _typed_orders(case: Case) -> dict:
    out: dict = {}
    if case.meeting.members_order is not None:
        out.setdefault("members", []).append(("Đảng viên", case.meeting.members_order))
    if case.party_cell.order is not None:
        out.setdefault("chi_bo", []).append((case.meeting.party_cell or "Chi bộ", case.party_cell.order))
    for c in case.collectives:
        if c.order is not None:
            out.setdefault(c.kind.key, []).append((c.name or c.kind.label, c.order))
    return out


def after(case: Case, pack, settings, results, cell, others, members, findings: list) -> None:
    _order(case, findings)
    _consistency(results, cell, members, findings)
    if pack.uses_scores:
        _s17(case, results, cell, others, findings)
        _dossier(results, members, findings)


def _order(case: Case, findings: list) -> None:
    typed = _typed_orders(case)
    for early, late, reason in _BEFORE:
        for e_name, e_pos in typed.get(early, ()):
            for l_name, l_pos in typed.get(late, ()):
                if e_pos >= l_pos:
                    findings.append(F.warning(
                        "REVIEW_ORDER",
                        f"Thứ tự xếp loại: {e_name} (thứ tự {e_pos}) phải trước {l_name} (thứ tự {l_pos}) vì {reason} "
                        "(Quy định 366, Điều 12). Biên bản ghi theo thứ tự đúng.", "Thứ tự xếp loại", "S17"))


def _consistency(results, cell, members, findings: list) -> None:
    """R40: the chi bộ's level against its members'."""
    if cell is None or cell.proposed_level is None:
        return
    khtnv = [r.name for r in results if r.reviewed and r.proposed_level is Level.KHTNV]
    disciplined = [m.name for m in members if m.discipline is not None]
    if cell.proposed_level is Level.HTXSNV and (khtnv or disciplined):
        who = ", ".join(dict.fromkeys(khtnv + disciplined))
        findings.append(F.warning("CELL_HTXS_WITH_WEAK_MEMBER", f"Chi bộ đề xuất Hoàn thành xuất sắc nhiệm vụ trong khi có đảng viên Không hoàn thành nhiệm vụ hoặc bị kỷ luật ({who}).", "Chi bộ", "R40"))
    leaders = [m.name for m in members if m.leadership and m.discipline is not None]
    if cell.proposed_level >= Level.HTTNV and leaders:
        findings.append(F.warning("CELL_LEADER_DISCIPLINED", f"Chi bộ đề xuất từ Hoàn thành tốt nhiệm vụ trở lên trong khi thành viên chi ủy bị kỷ luật ({', '.join(leaders)}).", "Chi bộ", "R40"))


def _s17(case: Case, results, cell, others, findings: list) -> None:
    unranked = [r.name for r in results if r.reviewed and r.proposed_level is None]
    chi_uy = [c.subject for c in others if c.kind == CollectiveKind.CHI_UY.key]
    chi_uy_missing = [c.name for c in chi_uy if c.proposed_level is None]
    if cell is not None and cell.proposed_level is not None and (unranked or chi_uy_missing):
        parts = []
        if unranked:
            parts.append(f"đảng viên chưa có mức đề xuất: {', '.join(unranked)}")
        if chi_uy_missing:
            parts.append("chi ủy chưa có mức đề xuất")
        findings.append(F.error(
            "CELL_PROPOSAL_BLOCKED",
            f"Chưa thể đề xuất mức xếp loại chi bộ khi {'; '.join(parts)} (xếp loại đảng viên và chi ủy trước chi bộ).",
            "Chi bộ", "S17"))
    has_unit = any(c.kind.key == CollectiveKind.LEADERSHIP.key for c in case.collectives)
    if has_unit and case.party_cell.unit_level is None:
        findings.append(F.warning("UNIT_RESULT_MISSING", "Chưa nhập kết quả xếp loại của đơn vị (cơ quan, trường...): kết quả của đơn vị là một căn cứ xếp loại chi bộ.",
                                  "Chi bộ", "S17"))
    for c in case.collectives:
        if c.kind is CollectiveKind.LEADERSHIP and c.review_date is not None and c.review_date < case.meeting.date:
            findings.append(F.warning(
                "LEADER_REVIEW_ORDER",
                f"{c.name or c.kind.label} kiểm điểm ngày {c.review_date:%d/%m/%Y}, trước hội nghị chi bộ: đảng viên giữ chức vụ kiểm điểm ở chi bộ "
                "trước, sau đó kiểm điểm trong tập thể lãnh đạo (Quy định 366, Điều 7).", c.where or c.name, "S17"))
    # P8: the chi ủy's failure does not decide the chi bộ's level by itself, but bars HTXSNV.
    if cell is not None and cell.proposed_level is Level.HTXSNV and any(c.proposed_level is Level.KHTNV for c in chi_uy):
        findings.append(F.error("CELL_HTXS_WITH_WEAK_CHI_UY", "Chi ủy được đề xuất Không hoàn thành nhiệm vụ: chi bộ không thể Hoàn thành xuất sắc nhiệm vụ; cấp có thẩm quyền xem xét mức của chi bộ.",
                                "Chi bộ", "P8"))


def _dossier(results, members, findings: list) -> None:
    reviewed = {r.name for r in results if r.reviewed}
    no_self = [m.name for m in members if m.name in reviewed and m.performance.self_score is None and m.self_level is None]
    no_residence = [m.name for m in members if m.name in reviewed and m.residence_comment is False]
    if no_self:
        findings.append(F.warning("DOSSIER_SELF_REVIEW_MISSING", f"Chưa có bản tự kiểm điểm (điểm tự chấm, mức tự nhận) của {len(no_self)} đồng chí: {', '.join(no_self[:10])}"
                                  + (" ..." if len(no_self) > 10 else "") + " (hồ sơ theo Quy định 366, Điều 17).", "Chấm điểm", "S24"))
    if no_residence:
        findings.append(F.warning("DOSSIER_RESIDENCE_MISSING", f"Chưa có nhận xét của nơi cư trú đối với: {', '.join(no_residence[:10])}"
                                  + (" ..." if len(no_residence) > 10 else "") + " (hồ sơ theo Quy định 366, Điều 17).", "Danh sách", "S24"))
