"""QĐ 124-QĐ/TW (04/10/2023) with HD 25-HD/BTCTW (10/11/2023): review years 2023 and 2024.

Sources (secondary, see shared reference regulations.md §2 and §9; docs/rules.md):
- 124 Art. 5 cl. 2.1: exempt, suspended and members admitted < 6 months are not reviewed.
- 124 Art. 11: each criterion graded Xuất sắc / Tốt / Trung bình / Kém; no points.
- 124 Art. 12: HTXSNV needs all criteria >= Tốt, results Xuất sắc, 100% targets with >= 50%
  exceeded (R18); any discipline in the year, even khiển trách, means KHTNV unless the member
  self-detected and remedied the fault (R19, pt. 4.3 d); HTTNV needs criteria >= Trung bình and
  results >= Tốt (R20, [M]); < 50% of targets done is KHTNV [M].
- 124 Art. 12 quota: HTXSNV <= 20% of the number ranked HTTNV; no 25% exception (R22).
- Collective (regulations.md §2.3, R21): HTXSNV requires no leadership member and no subordinate
  unit disciplined; KHTNV e.g. a leadership member disciplined for a duty-related violation,
  degradation, disunity [M].
- The proposal rests on the chi bộ's vote (the only basis under 124; DESIGN §4).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from ..core import findings as F
from ..core.levels import Level
from ..core.models import Collective, Grade, Member, Performance
from ..core.tasks import task_rates
from .base import Cap, CapBuilder, RulePack, pct
from .settings import RuleSettings


class QD124(RulePack):
    id = "QD124-2023"
    code = "124-QĐ/TW"
    title = "Quy định số 124-QĐ/TW ngày 04/10/2023 của Bộ Chính trị"
    guidance = "25-HD/BTCTW"
    guidance_title = "Hướng dẫn số 25-HD/BTCTW ngày 10/11/2023 của Ban Tổ chức Trung ương"
    first_year = 2023
    last_year = 2024
    regulation_date = date(2023, 10, 4)
    guidance_date = date(2023, 11, 10)
    uses_scores = False
    bases = ("vote",)

    def defaults(self) -> RuleSettings:
        # No 25% exception under 124 (regulations.md §2.4); the vote proposes.
        return RuleSettings(quota_ratio=Fraction(1, 5), quota_ratio_exceptional=None, proposal_basis="vote")

    def _grades_cap(self, perf: Performance, cap: CapBuilder, htxs_exceeded_min: int) -> None:
        crit, res = perf.criteria_grade, perf.results_grade
        # R20: below Trung bình on any criterion leaves only KHTNV.
        if crit is not None and crit.rank < Grade.AVERAGE.rank:
            cap.limit(Level.KHTNV, "capped_by_conditions", f"có tiêu chí xếp mức {crit.label} (dưới Trung bình)")
        # R20: HTTNV needs results >= Tốt.
        if res is not None and res.rank < Grade.GOOD.rank:
            cap.limit(Level.HTNV, "capped_by_conditions", f"tiêu chí kết quả thực hiện nhiệm vụ chỉ đạt mức {res.label}")
        # R18: HTXSNV needs every criterion >= Tốt and results Xuất sắc.
        if crit is not None and crit.rank < Grade.GOOD.rank:
            cap.limit(Level.HTTNV, "capped_by_conditions", f"có tiêu chí chỉ đạt mức {crit.label} (HTXSNV cần từ Tốt trở lên)")
        if res is not None and res is not Grade.EXCELLENT:
            cap.limit(Level.HTTNV, "capped_by_conditions", f"tiêu chí kết quả đạt mức {res.label} (HTXSNV cần Xuất sắc)")
        rates = task_rates(perf)
        done, exceeded = rates.done_pct, rates.exceeded_pct
        if done is not None and done < 100:
            cap.limit(Level.HTTNV, "capped_by_conditions", f"hoàn thành {pct(done)} chỉ tiêu, nhiệm vụ (HTXSNV cần 100%)")
        if exceeded is not None and exceeded < htxs_exceeded_min:
            cap.limit(
                Level.HTTNV,
                "capped_by_conditions",
                f"vượt mức {pct(exceeded)} chỉ tiêu, nhiệm vụ (HTXSNV cần từ {htxs_exceeded_min}% trở lên)",
            )

    def member_cap(self, member: Member, settings: RuleSettings) -> Cap:
        cap = CapBuilder()
        perf = member.performance
        d = member.discipline
        if d is not None:
            if d.self_detected_remedied:
                # R19 exception: the competent level weighs it; never automatic.
                cap.findings.append(
                    F.warning(
                        "DISCIPLINE_SELF_REMEDIED",
                        f"Đồng chí {member.name} bị kỷ luật {d.form.label.lower()} trong năm nhưng tự phát hiện, "
                        "khắc phục hậu quả: cấp có thẩm quyền xem xét, quyết định; phần mềm không tự hạ mức.",
                        member.where or member.name,
                        "R19",
                    )
                )
            else:
                cap.limit(Level.KHTNV, "capped_by_discipline", f"bị kỷ luật {d.form.label.lower()} trong năm đánh giá")
        if member.degradation:
            cap.limit(Level.KHTNV, "capped_by_conditions", "bị cấp có thẩm quyền kết luận suy thoái, \"tự diễn biến\", \"tự chuyển hóa\"")
        done = task_rates(perf).done_pct
        if done is not None and done < 50:
            cap.limit(Level.KHTNV, "capped_by_conditions", f"chỉ hoàn thành {pct(done)} chỉ tiêu, nhiệm vụ (dưới 50%)")
        self._grades_cap(perf, cap, 50)
        return cap.build()

    def collective_cap(self, collective: Collective, leaders: tuple[Member, ...], settings: RuleSettings) -> Cap:
        cap = CapBuilder()
        # R21: a collective is HTXSNV only with no leadership member and no subordinate disciplined.
        if collective.leadership_disciplined:
            cap.limit(Level.HTTNV, "capped_by_discipline", "có thành viên tập thể lãnh đạo bị kỷ luật trong năm")
        if collective.subordinate_disciplined:
            cap.limit(Level.HTTNV, "capped_by_discipline", "có tổ chức trực thuộc bị kỷ luật trong năm")
        for m in leaders:
            d = m.discipline
            if d is not None and not d.previous_unit:
                # §2.3 [M]: a leadership member disciplined for a duty-related violation makes it KHTNV.
                if d.duty_related and not d.self_detected_remedied:
                    cap.limit(Level.KHTNV, "capped_by_discipline",
                              f"thành viên tập thể lãnh đạo (đồng chí {m.name}) bị kỷ luật {d.form.label.lower()} do vi phạm liên quan đến thực thi nhiệm vụ")
                else:
                    cap.limit(Level.HTTNV, "capped_by_discipline", f"thành viên tập thể lãnh đạo (đồng chí {m.name}) bị kỷ luật trong năm")
            if m.degradation:
                cap.limit(Level.KHTNV, "capped_by_conditions", f"thành viên tập thể lãnh đạo (đồng chí {m.name}) bị kết luận suy thoái")
        if collective.disunity:
            cap.limit(Level.KHTNV, "capped_by_conditions", "nội bộ mất đoàn kết")
        self._grades_cap(collective.performance, cap, 50)
        return cap.build()
