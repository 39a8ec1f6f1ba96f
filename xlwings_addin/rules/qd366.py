"""QĐ 366-QĐ/TW (30/08/2025) with HD 43-HD/BTCTW (31/10/2025): review years 2025 onward (2026 included).

Sources (secondary, quoted article by article in stored public pages; see qd366-meeting.md §3-§11,
regulations.md §3 and docs/rules.md, which maps each rule S1..S24 to its test):
- 366 Art. 12 cl. 1: self-assessment with points (Mẫu 2A/2B/2C, Mẫu 01) -> appraisal and
  proposal -> decision by the competent level; no ballot is prescribed (S19): the proposal
  basis is the chi bộ's appraised score by default.
- 366 Art. 10, Phụ lục 1-5: common criteria 30 points + task results 70 (S5).
- 366 Art. 11 cl. 1-4 (one clause per level): bands >= 90 HTXSNV, 70-<90 HTTNV, 50-<70 HTNV,
  < 50 KHTNV on the unrounded total (S6); the level is the highest level within the band whose
  conditions hold (S7): HTXSNV 100% on time with quality and >= 30% exceeded, earlier
  shortcomings remedied; HTTNV 100% on time with quality; HTNV 100% done and <= 20% late (S8);
  KHTNV triggers: degradation, duty-related discipline (khiển trách or heavier), the forbidden
  acts, the duty to set an example, > 50% of tasks not done (S9); the mitigation clause (fault
  self-detected and remedied: the competent level decides, never automatic).
- 366 Art. 11, leaders and managers (Phụ lục 3, Mẫu 2A): the unit led gates each level; KHTNV
  when the unit completes < 70% of its plan or misses its socio-economic targets, > 1/2 of the
  units in charge are KHTNV, > 1/2 low-confidence votes, corruption or waste in the direct scope
  disciplined (S11); Q1-Q3 quarterly results recorded (S21, HD 43 quarterly section, read only
  in an English translation and written there for cadres the Politburo and Secretariat manage).
- 366 Art. 11, collectives (Phụ lục 1, Mẫu 01) and cl. 4 for the leadership collective: HTXSNV
  needs no subordinate unit and no leadership member disciplined; KHTNV for personnel
  wrongdoing, disunity, a leadership member disciplined (khiển trách or heavier) for a duty
  violation or concluded degraded (except a fault of a previous unit), < 70% of plan (S12); the
  block "Một số trường hợp cần lưu ý" of Art. 11 on the timing of faults (S13; only one mirror
  numbers it cl. 4.3, so the number is not cited).
- 366 Art. 11 cl. 1.5: HTXSNV <= 20% of HTTNV per group of similar posts, up to 25% for an
  outstanding unit with the competent level's approval (S14, S15).
- 366 Art. 3 cl. 4: the CBCCVC result is the basis (S20).
- HD 43 Mục 2-4, pt 7.4-7.6: forms, 3 working days, deciders, 31/12 deadline, collectives of
  < 3 members, sick leave and maternity, temporary activity (S3, S4, S18, S22, S23, P14).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Optional

from ..core import findings as F
from ..core.levels import Level
from ..core.models import Case, Collective, CollectiveKind, FormGroup, Member, Performance
from ..core.tasks import TaskRates, rates_from_counts, task_problems, task_rates
from ..core.vnformat import decimal_vn
from .base import Cap, CapBuilder, QuotaGroup, RulePack, pct
from .settings import RuleSettings

COMMON_MAX = Fraction(30)
RESULTS_MAX = Fraction(70)

#: District-level party names that no longer exist after 01/07/2025 (qd366-meeting.md §8, S24).
DISTRICT_NAMES = ("đảng bộ huyện", "đảng bộ quận", "đảng bộ thị xã", "huyện ủy", "huyện uỷ", "quận ủy", "quận uỷ",
                  "thị ủy", "thị uỷ")
TWO_LEVEL_GOVERNMENT = date(2025, 7, 1)


def band(score: Fraction) -> Level:
    """Return the level of a 100-point score (S6; lower bounds inclusive, unrounded)."""
    if score >= 90:
        return Level.HTXSNV
    if score >= 70:
        return Level.HTTNV
    if score >= 50:
        return Level.HTNV
    return Level.KHTNV


def band_label(level: Level) -> str:
    return {Level.HTXSNV: "từ 90 điểm trở lên", Level.HTTNV: "từ 70 đến dưới 90 điểm",
            Level.HTNV: "từ 50 đến dưới 70 điểm", Level.KHTNV: "dưới 50 điểm"}[level]


def expected_group(member: Member) -> FormGroup:
    """The form a member's facts point to (S3): leaders 2A, outside the system 2C, else 2B."""
    if member.leader is not None and member.leader.has_any:
        return FormGroup.LEADER
    if member.outside_system or "hưu" in member.role.casefold():
        return FormGroup.OUTSIDE
    return FormGroup.IN_SYSTEM


def _conditions(rates: TaskRates, cap: CapBuilder, whose: str = "") -> bool:
    """S8 (members) and the same gates for a unit or collective; False when HTNV's conditions fail."""
    of = f" {whose}" if whose else ""
    done, exceeded, late = rates.done_pct, rates.exceeded_pct, rates.late_pct
    ok_htnv = True
    if done is not None and done < 100:
        cap.limit(Level.HTNV, "capped_by_conditions", f"hoàn thành {pct(done)} nhiệm vụ{of} (Hoàn thành tốt nhiệm vụ trở lên cần 100%)")
        ok_htnv = False
    elif rates.all_on_time is False:
        what = f"có {pct(late)} nhiệm vụ chậm tiến độ" if late else "chưa hoàn thành tất cả nhiệm vụ đúng tiến độ, có chất lượng"
        cap.limit(Level.HTNV, "capped_by_conditions", f"{what}{of} (Hoàn thành tốt nhiệm vụ cần 100% đúng tiến độ, có chất lượng)")
    if late is not None and late > 20:
        ok_htnv = False
    if exceeded is not None and exceeded < 30:
        cap.limit(Level.HTTNV, "capped_by_conditions", f"vượt yêu cầu {pct(exceeded)} nhiệm vụ{of} (Hoàn thành xuất sắc nhiệm vụ cần từ 30%)")
    return ok_htnv


class QD366(RulePack):
    id = "QD366-2025"
    code = "366-QĐ/TW"
    title = "Quy định số 366-QĐ/TW ngày 30/08/2025 của Bộ Chính trị"
    guidance = "43-HD/BTCTW"
    guidance_title = "Hướng dẫn số 43-HD/BTCTW ngày 31/10/2025 của Ban Tổ chức Trung ương"
    first_year = 2025
    last_year = None
    regulation_date = date(2025, 8, 30)
    guidance_date = date(2025, 10, 31)
    uses_scores = True
    bases = ("score", "score_and_vote", "vote")
    must_rank_all = True  # Art. 3 cl. 4: "được kiểm điểm thì phải đánh giá, xếp loại" (R5, S2)

    def defaults(self) -> RuleSettings:
        return RuleSettings(quota_ratio=Fraction(1, 5), quota_ratio_exceptional=Fraction(1, 4), proposal_basis="score")

    # -- scores -------------------------------------------------------------------------------

    def score_band(self, score: Fraction) -> Level:
        return band(score)

    def score_problems(self, perf: Performance) -> list[str]:
        """S5: 0 <= common <= 30, 0 <= results <= 70 (30.5 blocks, 30 passes)."""
        out = []
        for label, value, top in (
            ("điểm tự chấm nhóm tiêu chí chung", perf.self_score_common, COMMON_MAX),
            ("điểm tự chấm nhóm kết quả thực hiện nhiệm vụ", perf.self_score_results, RESULTS_MAX),
            ("điểm chi bộ chấm nhóm tiêu chí chung", perf.score_common, COMMON_MAX),
            ("điểm chi bộ chấm nhóm kết quả thực hiện nhiệm vụ", perf.score_results, RESULTS_MAX),
        ):
            if value is not None and not (0 <= value <= top):
                out.append(f"{label} là {decimal_vn(value)}, phải từ 0 đến {decimal_vn(top)}")
        return out

    def _score_cap(self, score: Optional[Fraction], cap: CapBuilder, who: str = "chi bộ chấm") -> None:
        if score is None:
            return
        level = band(score)
        if level is not Level.HTXSNV:
            cap.limit(level, "capped_by_score", f"điểm {who} {decimal_vn(score)}/100 thuộc khung {level.label} ({band_label(level)})")

    # -- members ------------------------------------------------------------------------------

    def member_cap(self, member: Member, settings: RuleSettings) -> Cap:
        cap = CapBuilder()
        perf = member.performance
        name = member.name
        where = member.where or name
        rates = task_rates(perf)
        triggers = []  # (reason, rule)
        if member.degradation:
            triggers.append(("bị kết luận suy thoái về tư tưởng chính trị, đạo đức, lối sống", "capped_by_conditions"))
        if member.prohibited_acts:
            triggers.append(("vi phạm những điều đảng viên không được làm", "capped_by_conditions"))
        if member.example_violation:
            triggers.append(("vi phạm trách nhiệm nêu gương, ảnh hưởng đến uy tín", "capped_by_conditions"))
        d = member.discipline
        discipline_trigger = None  # (reason, rule): the one trigger the self-remedy clause can suspend
        if d is not None:
            if d.earlier_period:
                # S13 / Art. 11, "Một số trường hợp cần lưu ý": the upper committee ranks "as of now"; not for the chi bộ.
                cap.findings.append(F.warning(
                    "DISCIPLINE_EARLIER_PERIOD",
                    f"Đồng chí {name} bị kỷ luật {d.form.label.lower()} trong kỳ này về vi phạm của kỳ trước: cấp ủy cấp trên "
                    "xem xét, xếp loại tại thời điểm hiện tại (Quy định 366, Điều 11); phần mềm không tự hạ mức.", where, "S13"))
            elif not d.duty_related:
                # Q13: 366 names only duty-related discipline; anything else is for a human.
                cap.findings.append(F.warning(
                    "DISCIPLINE_NOT_DUTY_RELATED",
                    f"Đồng chí {name} bị kỷ luật {d.form.label.lower()} không liên quan công vụ: "
                    "Quy định 366 không nêu rõ trường hợp này, đề nghị cấp ủy xem xét.", where, "S9"))
            else:
                discipline_trigger = (f"bị kỷ luật {d.form.label.lower()} do vi phạm liên quan đến thực thi nhiệm vụ, công vụ",
                                      "capped_by_discipline")
        not_done = rates.not_done_pct
        if not_done is not None and not_done > 50:
            triggers.append((f"trên 50% nhiệm vụ không hoàn thành (không hoàn thành {pct(not_done)})", "capped_by_conditions"))
        score = perf.score
        if score is not None and score < 50:
            triggers.append((f"điểm chi bộ chấm {decimal_vn(score)}/100 (dưới 50)", "capped_by_score"))
        leader = member.leader if (member.group is FormGroup.LEADER or member.group is None) else None
        if leader is not None:
            # S11, P6: the unit's counts are evidence like the member's own; counts that do not add up are not used.
            for problem in task_problems(leader.unit_tasks):
                cap.findings.append(F.error(
                    "TASK_COUNTS_INVALID", f"Đồng chí {name}: nhiệm vụ của đơn vị, lĩnh vực phụ trách: {problem}.",
                    member.score_where or where, "S11"))
        leader_triggers = self._leader_triggers(member) if leader is not None else []
        mitigated = leader is not None and leader.mitigation
        if discipline_trigger is not None and d.self_detected_remedied:
            # The mitigation clause of Art. 11 cl. 4 ("tự phát hiện vi phạm và khắc phục xong hậu quả") weighs the
            # violation that was disciplined: only that trigger becomes a flag; degradation, the forbidden acts,
            # the duty to set an example, > 50% not done and a score below 50 still apply.
            cap.findings.append(F.warning(
                "DISCIPLINE_SELF_REMEDIED",
                f"Đồng chí {name} {discipline_trigger[0]}, nhưng đã tự phát hiện, khắc phục hậu quả: cấp có thẩm quyền "
                "xem xét, quyết định; phần mềm không tự xếp Không hoàn thành nhiệm vụ vì kỷ luật này.", where, "S7"))
        elif discipline_trigger is not None:
            triggers.append(discipline_trigger)
        for reason, rule in triggers:
            cap.limit(Level.KHTNV, rule, reason)
        if leader_triggers and mitigated:
            cap.findings.append(F.warning(
                "LEADER_MITIGATION",
                f"Đồng chí {name} (cán bộ lãnh đạo, quản lý): {'; '.join(leader_triggers)}, nhưng đã chủ động phát hiện, báo cáo, "
                "chỉ đạo xử lý, khắc phục: cấp có thẩm quyền xem xét, quyết định; phần mềm không tự xếp Không hoàn thành nhiệm vụ.",
                where, "S11"))
        else:
            for reason in leader_triggers:
                cap.limit(Level.KHTNV, "capped_by_conditions", reason)
        self._score_cap(score, cap)
        ok_htnv = _conditions(rates, cap)
        if leader is not None and leader.unit_tasks.has_any:
            ok_htnv = _conditions(rates_from_counts(leader.unit_tasks), cap, "của đơn vị, lĩnh vực phụ trách") and ok_htnv
        if leader is not None and settings.quarter_khtnv_blocks_htxs and Level.KHTNV in leader.quarters:
            cap.limit(Level.HTTNV, "capped_by_conditions", "có quý xếp loại Không hoàn thành nhiệm vụ (quy định của cấp ủy)")
        if perf.shortcomings_remedied is False:
            cap.limit(Level.HTTNV, "capped_by_conditions", "chưa khắc phục 100% hạn chế, khuyết điểm đã được chỉ ra")
        any_trigger = bool(triggers or leader_triggers or discipline_trigger)
        if not ok_htnv and not any_trigger and (score is None or score >= 50):
            # S10 (P7): the text defines no level for this member.
            cap.gap = True
            cap.findings.append(F.warning(
                "UNCLASSIFIABLE_GAP",
                f"Đồng chí {name} không đủ điều kiện Hoàn thành nhiệm vụ (chưa hoàn thành 100% nhiệm vụ hoặc quá 20% chậm "
                "tiến độ) nhưng cũng không thuộc trường hợp Không hoàn thành nhiệm vụ: quy định chưa xác định mức; phần mềm "
                "không đề xuất, chi bộ ghi mức thống nhất (cột \"Mức chi bộ đề xuất\") và báo cáo cấp có thẩm quyền.", where, "S10"))
        return cap.build()

    def _leader_triggers(self, member: Member) -> list[str]:
        """S11: the extra KHTNV cases of a leader or manager (Phụ lục 3)."""
        lf = member.leader
        out = []
        unit = rates_from_counts(lf.unit_tasks)
        if unit.done_pct is not None and unit.done_pct < 70:
            out.append(f"đơn vị, lĩnh vực phụ trách chỉ hoàn thành {pct(unit.done_pct)} nhiệm vụ kế hoạch (dưới 70%)")
        if lf.unit_targets_missed:
            out.append("đơn vị không đạt các chỉ tiêu kinh tế - xã hội chủ yếu được giao")
        if lf.units_led and lf.units_led_khtnv is not None and 2 * lf.units_led_khtnv > lf.units_led:
            out.append(f"{lf.units_led_khtnv}/{lf.units_led} đơn vị phụ trách xếp loại Không hoàn thành nhiệm vụ (trên 1/2)")
        if lf.confidence_votes and lf.low_confidence_votes is not None and 2 * lf.low_confidence_votes > lf.confidence_votes:
            out.append(f"có {lf.low_confidence_votes}/{lf.confidence_votes} phiếu tín nhiệm thấp (trên 1/2)")
        if lf.corruption_in_scope:
            out.append("để xảy ra tham nhũng, lãng phí, tiêu cực trong phạm vi phụ trách trực tiếp, bị xử lý kỷ luật")
        return out

    def member_notes(self, member: Member, where: str, settings: RuleSettings) -> list:
        out = []
        name = member.name
        if member.sick_or_maternity:
            out.append(F.info(
                "SICK_OR_MATERNITY",
                f"Đồng chí {name} nghỉ ốm từ 3 tháng trở lên hoặc nghỉ thai sản: xếp loại theo kết quả công việc thực tế "
                "(Hướng dẫn 43-HD/BTCTW, điểm 7.5); đề nghị kèm minh chứng.", where, "S4"))
        if member.temporarily_elsewhere and not member.temporary_cell_comment:
            out.append(F.warning(
                "TEMPORARY_CELL_COMMENT_MISSING",
                f"Đồng chí {name} sinh hoạt tạm thời ở chi bộ khác: cần có nhận xét của chi bộ nơi sinh hoạt tạm thời trước khi "
                "xếp loại (Hướng dẫn 43-HD/BTCTW, điểm 7.6).", where, "S4"))
        expected = expected_group(member)
        group = member.group
        if group is None:
            out.append(F.info("GROUP_INFERRED", f"Đồng chí {name} chưa ghi mẫu kiểm điểm: tính theo {expected.label} "
                                                f"({expected.description.lower()}).", where, "S3"))
        elif group is not expected and (expected is not FormGroup.LEADER or group is FormGroup.OUTSIDE):
            out.append(F.warning(
                "GROUP_MISMATCH",
                f"Đồng chí {name} ghi {group.label} nhưng dữ liệu cho thấy {expected.label} ({expected.description.lower()}): "
                "kiểm tra lại mẫu kiểm điểm.", where, "S3"))
        if group in (FormGroup.IN_SYSTEM, FormGroup.OUTSIDE) and member.leader is not None and member.leader.has_any:
            # Leader facts count only on form 2A (member_cap): say so rather than drop them without a word.
            out.append(F.warning(
                "LEADER_FACTS_IGNORED",
                f"Đồng chí {name} ghi {group.label} nhưng có số liệu của cán bộ lãnh đạo, quản lý (nhiệm vụ của đơn vị, "
                "đơn vị phụ trách, phiếu tín nhiệm, kết quả các quý): các số liệu này không được tính; nếu đồng chí giữ "
                f"chức vụ lãnh đạo, quản lý, ghi {FormGroup.LEADER.label}.", where, "S3"))
        if (group or expected) is FormGroup.LEADER:
            lf = member.leader
            missing = [f"quý {i + 1}" for i, q in enumerate(lf.quarters if lf else (None, None, None)) if q is None]
            if missing:
                out.append(F.warning(
                    "QUARTER_RESULT_MISSING",
                    f"Đồng chí {name} (cán bộ lãnh đạo, quản lý) chưa có kết quả đánh giá {', '.join(missing)}: kết quả các quý "
                    "là cơ sở đánh giá cuối năm (quý IV đánh giá cùng cuối năm).", where, "S21"))
        return out

    def proposal_notes(self, member: Member, proposed: Level, where: str, settings: RuleSettings) -> list:
        out = []
        name = member.name
        perf = member.performance
        if perf.self_score is not None:
            self_band = band(perf.self_score)
            if self_band > proposed:
                out.append(F.warning(
                    "SELF_SCORE_DIFFERS",
                    f"Đồng chí {name} tự chấm {decimal_vn(perf.self_score)}/100 (khung {self_band.label}) cao hơn mức chi bộ đề xuất "
                    f"{proposed.label}: đề nghị ghi rõ lý do trong biên bản.", where, "S16"))
        if member.self_level is not None and member.self_level != proposed and not member.comment:
            out.append(F.warning(
                "PROPOSAL_NEEDS_COMMENT",
                f"Đồng chí {name} tự nhận {member.self_level.label}, chi bộ đề xuất {proposed.label}: cần ghi nhận xét của chi bộ "
                "(lý do) cho mức đề xuất khác mức tự nhận.", where, "S16"))
        in_system = (member.group or expected_group(member)) is not FormGroup.OUTSIDE
        if member.civil_service_level is None and in_system and not member.outside_system:
            out.append(F.warning(
                "CIVIL_SERVICE_MISSING",
                f"Đồng chí {name} chưa có kết quả xếp loại cán bộ, công chức, viên chức của năm đánh giá: kết quả này "
                "là cơ sở để xếp loại đảng viên (Quy định 366, Điều 3).", where, "S20"))
        return out

    # -- collectives ----------------------------------------------------------------------------

    def collective_cap(self, collective: Collective, leaders: tuple[Member, ...], settings: RuleSettings) -> Cap:
        cap = CapBuilder()
        perf = collective.performance
        name = collective.name or "Chi bộ"
        where = collective.where or name
        rates = task_rates(perf)
        triggers = []
        if collective.disunity:
            triggers.append(("nội bộ mất đoàn kết, bè phái", "capped_by_conditions"))
        if collective.personnel_wrongdoing:
            triggers.append(("bị kết luận có sai phạm trong công tác cán bộ, chạy chức, chạy quyền", "capped_by_conditions"))
        if collective.targets_missed:
            triggers.append(("không đạt các chỉ tiêu kinh tế - xã hội chủ yếu", "capped_by_conditions"))
        if rates.done_pct is not None and rates.done_pct < 70:
            triggers.append((f"chỉ hoàn thành {pct(rates.done_pct)} nhiệm vụ kế hoạch (dưới 70%)", "capped_by_conditions"))
        if perf.score is not None and perf.score < 50:
            triggers.append((f"điểm {decimal_vn(perf.score)}/100 (dưới 50)", "capped_by_score"))
        old_unit = []
        for m in leaders:
            d = m.discipline
            if d is not None:
                if d.previous_unit:
                    old_unit.append(m.name)
                    continue
                # S12: any discipline of a leadership member in the period blocks HTXSNV.
                cap.limit(Level.HTTNV, "capped_by_discipline", f"thành viên tập thể lãnh đạo (đồng chí {m.name}) bị kỷ luật trong kỳ")
                if d.duty_related and not d.earlier_period:
                    triggers.append((f"thành viên tập thể lãnh đạo (đồng chí {m.name}) bị kỷ luật {d.form.label.lower()} do vi phạm "
                                     "liên quan đến thực thi nhiệm vụ", "capped_by_discipline"))
            if m.degradation:
                triggers.append((f"thành viên tập thể lãnh đạo (đồng chí {m.name}) bị kết luận suy thoái", "capped_by_conditions"))
        if old_unit:
            cap.findings.append(F.warning(
                "FAULT_OF_PREVIOUS_UNIT",
                f"{name}: kỷ luật của đồng chí {', '.join(old_unit)} là vi phạm ở đơn vị cũ nên không tính vào xếp loại tập thể này "
                "(Quy định 366, Điều 11); đề nghị cấp có thẩm quyền xác nhận.", where, "S13"))
        if collective.leadership_disciplined:
            cap.limit(Level.HTTNV, "capped_by_discipline", "có thành viên tập thể lãnh đạo bị kỷ luật trong kỳ")
        if collective.subordinate_disciplined:
            cap.limit(Level.HTTNV, "capped_by_discipline", "có tổ chức, đơn vị trực thuộc bị kỷ luật trong kỳ")
        if triggers and collective.exception_claimed:
            cap.findings.append(F.warning(
                "COLLECTIVE_EXCEPTION_CLAIMED",
                f"{name}: {'; '.join(t for t, _ in triggers)}, nhưng được ghi là do nguyên nhân bất khả kháng hoặc đã tự phát hiện, "
                "khắc phục kịp thời: cấp có thẩm quyền xem xét, quyết định; phần mềm không tự xếp Không hoàn thành nhiệm vụ.",
                where, "S12"))
        else:
            for reason, rule in triggers:
                cap.limit(Level.KHTNV, rule, reason)
        self._score_cap(perf.score, cap, "thẩm định")
        ok_htnv = _conditions(rates, cap)
        if perf.shortcomings_remedied is False:
            cap.limit(Level.HTTNV, "capped_by_conditions", "chưa khắc phục 100% hạn chế, khuyết điểm đã được chỉ ra")
        if not ok_htnv and not triggers and (perf.score is None or perf.score >= 50):
            cap.gap = True
            cap.findings.append(F.warning(
                "UNCLASSIFIABLE_GAP",
                f"{name} không đủ điều kiện Hoàn thành nhiệm vụ nhưng cũng không thuộc trường hợp Không hoàn thành nhiệm vụ: "
                "quy định chưa xác định mức, đề nghị cấp có thẩm quyền xem xét.", where, "S10"))
        if collective.kind is CollectiveKind.LEADERSHIP and 0 < len(collective.members) < 3:
            cap.findings.append(F.warning(
                "SMALL_COLLECTIVE",
                f"{name} có {len(collective.members)} thành viên (dưới 3): kiểm điểm cùng chi ủy (chi bộ) theo Hướng dẫn 43-HD/BTCTW, "
                "điểm 7.4; ghi rõ trong biên bản.", where, "P14"))
        return cap.build()

    # -- the meeting ----------------------------------------------------------------------------

    def meeting_checks(self, case: Case, settings: RuleSettings) -> list:
        out = super().meeting_checks(case, settings)
        m = case.meeting
        d = m.date
        # S23 (HD 43 Mục 4): finish before 31/12, schools included; special units by 15/01.
        deadline = date(m.review_year + 1, 1, 15) if m.special_unit else date(m.review_year, 12, 31)
        if d > deadline:
            out.append(F.warning("MEETING_AFTER_DEADLINE", f"Ngày họp {d:%d/%m/%Y} sau thời hạn hoàn thành {deadline:%d/%m/%Y} "
                                                           "(Hướng dẫn 43-HD/BTCTW, Mục 4).", "Ngày họp", "S23"))
        # S24: no district-level party names in documents dated from 01/07/2025.
        if d >= TWO_LEVEL_GOVERNMENT:
            for label, value in (("Đảng bộ cấp trên", m.upper_body), ("Cấp ủy quyết định", m.upper_committee),
                                 ("Tên chi bộ", m.party_cell), ("Cấp quyết định", m.decider)):
                folded = (value or "").casefold()
                if any(n in folded for n in DISTRICT_NAMES):
                    out.append(F.warning(
                        "DISTRICT_LEVEL_NAME",
                        f"{label} \"{value}\": từ ngày 01/7/2025 không còn cấp huyện; văn bản mới ghi tên đảng bộ xã, phường, "
                        "đặc khu hoặc tỉnh, thành phố trực thuộc.", label, "S24"))
        # S18: the draft report circulated at least 3 working days ahead; a review lasts at least a day.
        if m.report_circulated is not None:
            from ..core.dates import working_days_between

            days = working_days_between(m.report_circulated, d)
            if days < 3:
                out.append(F.warning(
                    "REPORT_CIRCULATED_LATE",
                    f"Dự thảo báo cáo kiểm điểm tập thể (Mẫu 01) gửi ngày {m.report_circulated:%d/%m/%Y}, chỉ {days} ngày làm việc "
                    "trước hội nghị (Hướng dẫn 43-HD/BTCTW: ít nhất 03 ngày làm việc).", "Ngày gửi báo cáo", "S18"))
        if settings.review_duration == "hd43" and m.start_time and m.end_time:
            out.append(F.info(
                "REVIEW_DURATION",
                "Hướng dẫn 43-HD/BTCTW nêu thời gian kiểm điểm ít nhất 01 ngày; nếu cấp ủy cấp trên quy định thời lượng khác cho "
                "chi bộ, chọn thiết lập \"Thời gian kiểm điểm: theo quy định của cấp ủy\".", "review_duration", "S18"))
        return out

    def quota_group(self, member: Member) -> QuotaGroup:
        group = member.group or expected_group(member)
        return QuotaGroup(group.key, f"{group.label} - {group.description}")

