"""QĐ 366-QĐ/TW (30/08/2025) with HD 43-HD/BTCTW (31/10/2025): review years 2025 onward.

Sources (secondary, see shared reference regulations.md §3 and §9):
- 366 Art. 10: a 100-point scale, common criteria 30 + results 70 (R10).
- 366 Art. 11: bands >= 90 HTXSNV, 70-<90 HTTNV, 50-<70 HTNV, < 50 KHTNV (R11), lower bounds
  inclusive; HTXSNV also needs 100% of tasks on time with quality, >= 30% exceeded and the
  previous shortcomings remedied (R12); HTTNV 100% on time with quality (R13); HTNV 100% done
  and <= 20% late (R14); KHTNV triggers (R15) with the self-detected-and-remedied exception.
- 366 Art. 11 cl. 1.5: HTXSNV <= 20% of HTTNV, up to 25% for an outstanding unit with the
  competent level's approval (R22).
- 43-HD Mục 7.5: sick leave >= 3 months or maternity: ranked on actual results, no cap (R8).
- Collective (R16): score >= 90, 100% on time, >= 30% exceeded, no leadership member or
  subordinate unit disciplined, shortcomings remedied; < 70% of planned tasks done is KHTNV.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Optional

from ..core import findings as F
from ..core.levels import Level
from ..core.models import Member, PartyCell, Performance
from ..core.vnformat import decimal_vn
from .base import Cap, CapBuilder, RulePack, pct
from .settings import RuleSettings

COMMON_MAX = Fraction(30)
RESULTS_MAX = Fraction(70)


def band(score: Fraction) -> Level:
    """Return the level of a 100-point score (R11; lower bounds inclusive)."""
    if score >= 90:
        return Level.HTXSNV
    if score >= 70:
        return Level.HTTNV
    if score >= 50:
        return Level.HTNV
    return Level.KHTNV


def score_problems(perf: Performance) -> list[str]:
    """Return what is wrong with recorded scores (R10), in Vietnamese."""
    out = []
    for label, value, top in (
        ("điểm tự chấm nhóm tiêu chí chung", perf.self_score_common, COMMON_MAX),
        ("điểm tự chấm nhóm kết quả", perf.self_score_results, RESULTS_MAX),
        ("điểm chi bộ chấm nhóm tiêu chí chung", perf.score_common, COMMON_MAX),
        ("điểm chi bộ chấm nhóm kết quả", perf.score_results, RESULTS_MAX),
    ):
        if value is not None and not (0 <= value <= top):
            out.append(f"{label} là {decimal_vn(value)}, phải từ 0 đến {decimal_vn(top)}")
    return out


class QD366(RulePack):
    id = "QD366-2025"
    code = "366-QĐ/TW"
    title = "Quy định số 366-QĐ/TW ngày 30/08/2025 của Bộ Chính trị"
    guidance = "43-HD/BTCTW"
    first_year = 2025
    last_year = None
    regulation_date = date(2025, 8, 30)
    guidance_date = date(2025, 10, 31)
    uses_scores = True

    def defaults(self) -> RuleSettings:
        return RuleSettings(quota_ratio=Fraction(1, 5), quota_ratio_exceptional=Fraction(1, 4))

    def _conditions(self, perf: Performance, cap: CapBuilder) -> bool:
        """Apply R12-R14 (R16 for a collective); return False when the HTNV conditions fail."""
        done, exceeded, late = perf.tasks_completed_pct, perf.tasks_exceeded_pct, perf.tasks_late_pct
        ok_htnv = True
        if done is not None and done < 100:
            cap.limit(Level.HTNV, "capped_by_conditions", f"hoàn thành {pct(done)} nhiệm vụ (HTTNV trở lên cần 100%)")
            ok_htnv = False
        if perf.on_time_with_quality is False:
            cap.limit(Level.HTNV, "capped_by_conditions", "chưa hoàn thành tất cả nhiệm vụ đúng tiến độ, có chất lượng")
        if late is not None and late > 20:
            ok_htnv = False
        if exceeded is not None and exceeded < 30:
            cap.limit(Level.HTTNV, "capped_by_conditions", f"vượt yêu cầu {pct(exceeded)} nhiệm vụ (HTXSNV cần từ 30%)")
        if perf.shortcomings_remedied is False:
            cap.limit(Level.HTTNV, "capped_by_conditions", "chưa khắc phục 100% hạn chế, khuyết điểm đã chỉ ra")
        return ok_htnv

    def _score_cap(self, score: Optional[Fraction], cap: CapBuilder) -> None:
        if score is None:
            return
        level = band(score)
        if level is not Level.HTXSNV:
            cap.limit(level, "capped_by_score", f"điểm chi bộ chấm {decimal_vn(score)}/100 thuộc khung {level.label}")

    def member_cap(self, member: Member, settings: RuleSettings) -> Cap:
        cap = CapBuilder()
        perf = member.performance
        name = member.name
        triggers = []
        if member.degradation:
            triggers.append("bị kết luận suy thoái về tư tưởng chính trị, đạo đức, lối sống")
        if member.prohibited_acts:
            triggers.append("vi phạm những điều đảng viên không được làm")
        if member.example_violation:
            triggers.append("vi phạm trách nhiệm nêu gương")
        d = member.discipline
        if d is not None:
            if not d.duty_related:
                # Q13: 366 names only duty-related discipline; anything else is for a human.
                cap.findings.append(
                    F.warning(
                        "DISCIPLINE_NOT_DUTY_RELATED",
                        f"Đồng chí {name} bị kỷ luật {d.form.label.lower()} không liên quan công vụ: "
                        "Quy định 366 không nêu rõ trường hợp này, đề nghị cấp ủy xem xét.",
                        name,
                        "R15",
                    )
                )
            else:
                triggers.append(f"bị kỷ luật {d.form.label.lower()} do vi phạm liên quan đến thực thi công vụ")
        done = perf.tasks_completed_pct
        if done is not None and done < 50:
            triggers.append(f"trên 50% nhiệm vụ không hoàn thành (hoàn thành {pct(done)})")
        score = perf.score
        if score is not None and score < 50:
            triggers.append(f"điểm chi bộ chấm {decimal_vn(score)}/100 (dưới 50)")
        if triggers:
            remedied = d is not None and d.self_detected_remedied
            if remedied:
                # R15 mitigation: never auto-KHTNV; the competent level decides.
                cap.findings.append(
                    F.warning(
                        "DISCIPLINE_SELF_REMEDIED",
                        f"Đồng chí {name}: {'; '.join(triggers)}, nhưng đã tự phát hiện, khắc phục hậu quả: "
                        "cấp có thẩm quyền xem xét, quyết định; phần mềm không tự xếp Không hoàn thành nhiệm vụ.",
                        name,
                        "R15",
                    )
                )
            else:
                for t in triggers:
                    rule = "capped_by_discipline" if t.startswith("bị kỷ luật") else (
                        "capped_by_score" if t.startswith("điểm") else "capped_by_conditions")
                    cap.limit(Level.KHTNV, rule, t)
        self._score_cap(score, cap)
        ok_htnv = self._conditions(perf, cap)
        if not ok_htnv and not triggers and (score is None or score >= 50):
            # R14 gap (Q9): the text defines no level for this member.
            cap.findings.append(
                F.warning(
                    "UNCLASSIFIABLE_GAP",
                    f"Đồng chí {name} không đủ điều kiện Hoàn thành nhiệm vụ (chưa hoàn thành 100% nhiệm vụ "
                    "hoặc quá 20% chậm tiến độ) nhưng cũng không thuộc trường hợp Không hoàn thành nhiệm vụ: "
                    "quy định chưa xác định mức, đề nghị cấp có thẩm quyền xem xét.",
                    name,
                    "R14",
                )
            )
        return cap.build()

    def cell_cap(self, cell: PartyCell, settings: RuleSettings) -> Cap:
        cap = CapBuilder()
        perf = cell.performance
        if cell.disunity:
            cap.limit(Level.KHTNV, "capped_by_conditions", "nội bộ mất đoàn kết")
        done = perf.tasks_completed_pct
        if done is not None and done < 70:
            cap.limit(Level.KHTNV, "capped_by_conditions", f"chỉ hoàn thành {pct(done)} nhiệm vụ kế hoạch (dưới 70%)")
        if perf.score is not None and perf.score < 50:
            cap.limit(Level.KHTNV, "capped_by_score", f"điểm {decimal_vn(perf.score)}/100 (dưới 50)")
        if cell.leadership_disciplined:
            cap.limit(Level.HTTNV, "capped_by_discipline", "có thành viên chi ủy bị kỷ luật trong năm")
        if cell.subordinate_disciplined:
            cap.limit(Level.HTTNV, "capped_by_discipline", "có tổ chức trực thuộc bị kỷ luật trong năm")
        self._score_cap(perf.score, cap)
        self._conditions(perf, cap)
        return cap.build()

    def member_notes(self, member: Member, where: str) -> list:
        out = []
        if member.sick_or_maternity:
            out.append(
                F.info(
                    "SICK_OR_MATERNITY",
                    f"Đồng chí {member.name} nghỉ ốm từ 3 tháng trở lên hoặc nghỉ thai sản: xếp loại theo kết quả "
                    "công việc thực tế (Hướng dẫn 43-HD/BTCTW, mục 7.5); đề nghị kèm minh chứng.",
                    where,
                    "R8",
                )
            )
        return out
