"""The engine: a case in, a result out. Pure, deterministic, exact (``Fraction``).

Order of work: choose the rules (R1), settle who is reviewed (R3-R4) and the base (R30), count the
ballots (R29, R31), propose a level per member and for the chi bộ (R32-R33) capped by the facts
(R10-R21), then the summary, the quota (R22-R25) and consistency checks (R27, R35, R36, R40).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields, is_dataclass
from datetime import date
from enum import Enum
from fractions import Fraction
from math import floor
from typing import Optional

from ..rules.base import Cap, RulePack
from ..rules.qd366 import band, score_problems
from ..rules.registry import UnknownRules, rules_by_id, rules_for
from ..rules.settings import BASE_POLICIES, RuleSettings, apply_overrides
from . import findings as F
from .levels import LEVELS, Level
from .models import Attendance, Ballot, BallotGrid, Case, Member, Spoiled, Tally
from .result import Quota, Result, SubjectResult
from .tally import BallotTotals, Count, count_cell, count_grid, count_tally
from .vnformat import decimal_vn, percent_vn


# --------------------------------------------------------------------------- helpers


def add_months(d: date, months: int) -> date:
    """Return the same day ``months`` later, clamped to the month's end (31/08 + 6 -> 28/02)."""
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, min(d.day, day))
        except ValueError:
            continue
    raise ValueError(d)


# Where the data was typed is not part of the data: a case file and its workbook share a fingerprint.
_LOCATION_FIELDS = ("where", "cells", "column", "sheet", "rows")
_MARK_TEXT = {None: "-", Spoiled.SPOILED: "x", **{lvl: str(lvl.digit) for lvl in LEVELS}}


def _canon(value):
    """A canonical JSON-able form of the case, for the fingerprint (locations left out)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, Ballot):
        # A ballot's marks as one short string: the grid is most of the case, keep it cheap.
        return {"id": value.id, "marks": "".join(_MARK_TEXT[m] for m in value.marks), "invalid": value.invalid,
                "voter": value.voter}
    if is_dataclass(value):
        return {f.name: _canon(getattr(value, f.name)) for f in fields(value) if f.name not in _LOCATION_FIELDS}
    if isinstance(value, (tuple, list)):
        return [_canon(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canon(v) for k, v in value.items()}
    return str(value)  # Fraction, date, time


def fingerprint(case: Case) -> str:
    """Return a short code of the inputs (roster, ballots, settings) to print on the minutes."""
    data = json.dumps(_canon(case), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(data.encode("utf-8")).hexdigest().upper()
    return f"{digest[:4]}-{digest[4:8]}"


def passes(votes: int, base: int, level: Level, settings: RuleSettings) -> bool:
    """R32: more than 1/2 of the base; HTXSNV optionally at least 2/3."""
    if base <= 0:
        return False
    if level is Level.HTXSNV and settings.htxs_threshold == "two_thirds":
        return 3 * votes >= 2 * base
    return 2 * votes > base


def threshold_label(level: Level, settings: RuleSettings) -> str:
    if level is Level.HTXSNV and settings.htxs_threshold == "two_thirds":
        return "từ 2/3 trở lên"
    return "trên 1/2"


def vote_level(count: Count, base: int, settings: RuleSettings) -> tuple[Optional[Level], str, int]:
    """Return (level, rule, supporting votes) from the votes alone (R32, R33).

    With the cascade on, the proposal is the highest level whose cumulative support (votes for it
    and every higher level) passes; when that level's own votes pass it is a plain majority.
    Taking the highest passing level keeps the rule monotone: one more vote never lowers it.
    """
    cumulative = 0
    best_own: Optional[Level] = None
    for level in LEVELS:
        own = count.of(level)
        if passes(own, base, level, settings):
            best_own = level
            break
    if not settings.cascade:
        if best_own is None:
            return None, "no_majority", 0
        return best_own, "majority", count.of(best_own)
    for level in LEVELS:
        cumulative += count.of(level)
        if passes(cumulative, base, level, settings):
            if count.of(level) == cumulative or (best_own is level):
                return level, "majority", count.of(level)
            return level, "cumulative", cumulative
    return None, "no_majority", 0


# --------------------------------------------------------------------------- explanations


def _base_phrase(base: int, settings: RuleSettings) -> str:
    if settings.base_policy == "present":
        return f"{base} đảng viên chính thức có mặt"
    return f"{base} đảng viên chính thức"


def explain(count: Count, base: int, level: Optional[Level], rule: str, support: int,
            settings: RuleSettings, cap: Cap, proposed: Optional[Level]) -> str:
    """One Vietnamese sentence: votes, percentage with its base, the rule, any cap."""
    bp = _base_phrase(base, settings)
    if rule == "majority" and level:
        text = (f"{level.label}: {support}/{base} phiếu ({percent_vn(support, base)}) so với {bp}; "
                f"đạt {threshold_label(level, settings)}.")
    elif rule == "cumulative" and level:
        higher = [lvl.short for lvl in LEVELS if lvl >= level]
        text = (f"Không mức nào đạt {threshold_label(level, settings)} riêng; cộng dồn từ mức cao xuống "
                f"({' + '.join(higher)}) được {support}/{base} phiếu ({percent_vn(support, base)}) so với {bp}, "
                f"đề xuất {level.label}.")
    else:
        top = max(LEVELS, key=lambda lvl: (count.of(lvl), lvl.rank))
        text = (f"Không mức nào đạt trên 1/2 so với {bp} (cao nhất: {top.short} {count.of(top)}/{base} phiếu); "
                "cần bỏ phiếu lại hoặc báo cáo cấp ủy xem xét.")
    if proposed is not None and level is not None and proposed < level:
        text += f" Kết quả phiếu là {level.short} nhưng {'; '.join(cap.reasons)} nên đề xuất {proposed.label}."
    return text


# --------------------------------------------------------------------------- the engine


def _not_reviewed_reason(m: Member, ref: date, months: int) -> str:
    if m.exempt:
        return "Miễn công tác và sinh hoạt đảng"
    if m.suspended:
        return "Đình chỉ sinh hoạt đảng"
    if m.admission_date is not None and add_months(m.admission_date, months) > ref:
        return f"Kết nạp chưa đủ {months} tháng (ngày {m.admission_date.strftime('%d/%m/%Y')})"
    return ""


def _in_base(m: Member, policy: str) -> bool:
    """R30 / regulations.md §5.2: who counts in the base."""
    if not m.is_official or m.suspended:
        return False
    if policy == "present":
        return m.present
    if m.exempt and not m.present:
        return False
    if policy == "official_all":
        return True
    if m.temporarily_elsewhere and not m.present:
        return False
    return m.attendance is not Attendance.ABSENT_EXCUSED


def _rules(case: Case, findings: list) -> RulePack:
    year = case.meeting.review_year
    if case.rules_id:
        pack = rules_by_id(case.rules_id)
        if not pack.covers(year):
            findings.append(F.warning("RULES_OVERRIDDEN", f"Đã chọn áp dụng {pack.code} cho năm đánh giá {year}, khác với quy định hiện hành cho năm này.", "rules_id", "R1"))
        return pack
    return rules_for(year)


def _check_dates(case: Case, pack: RulePack, findings: list) -> None:
    """R1 and the year-end deadline."""
    m = case.meeting
    d = m.date
    if d < pack.regulation_date:
        findings.append(F.error("MEETING_BEFORE_REGULATION", f"Ngày họp {d:%d/%m/%Y} trước ngày ban hành {pack.title}; không thể áp dụng quy định này.", "Ngày họp", "R1"))
    elif d < pack.guidance_date:
        findings.append(F.warning("MEETING_BEFORE_GUIDANCE", f"Ngày họp {d:%d/%m/%Y} trước ngày ban hành Hướng dẫn số {pack.guidance} ({pack.guidance_date:%d/%m/%Y}).", "Ngày họp", "R1"))
    if d.year < m.review_year:
        findings.append(F.error("MEETING_BEFORE_YEAR", f"Ngày họp {d:%d/%m/%Y} trước năm đánh giá {m.review_year}.", "Ngày họp", "R1"))
    deadline = date(m.review_year + 1, 1, 15) if m.special_unit else date(m.review_year, 12, 31)
    if d > deadline:
        findings.append(F.warning("MEETING_AFTER_DEADLINE", f"Ngày họp {d:%d/%m/%Y} sau thời hạn hoàn thành {deadline:%d/%m/%Y}.", "Ngày họp", "R37"))


def compute(case: Case) -> Result:
    """Tally the ballots and propose a level for every reviewed member and for the chi bộ."""
    findings: list = []
    meeting = case.meeting
    try:
        pack = _rules(case, findings)
    except UnknownRules as exc:
        raise ValueError(str(exc)) from exc
    settings, problems = apply_overrides(pack.defaults(), case.settings)
    for key, msg in problems:
        findings.append(F.error("SETTING_INVALID", msg, key, "R30"))
    if settings.quota_ratio_exceptional is not None and not pack.uses_scores:
        findings.append(F.warning("QUOTA_25_NOT_IN_124", "Quy định 124-QĐ/TW không có ngoại lệ 25%: bỏ qua tỷ lệ ngoại lệ.", "quota_ratio_exceptional", "R22"))
        settings = RuleSettings(**{**settings.__dict__, "quota_ratio_exceptional": None})
    _check_dates(case, pack, findings)

    # Who is on the roll, reviewed, in the base.
    roster: dict = {}
    for m in case.members:
        if m.name in roster:
            findings.append(F.error("DUPLICATE_NAME", f"Tên '{m.name}' xuất hiện hai lần trong danh sách; hãy thêm dấu phân biệt (ví dụ năm sinh).", m.where or m.name, "R2"))
        else:
            roster[m.name] = m
    members = list(roster.values())
    ref = meeting.date if settings.admission_reference == "meeting_date" else date(meeting.review_year, 12, 31)
    other_ref = date(meeting.review_year, 12, 31) if settings.admission_reference == "meeting_date" else meeting.date
    reasons = {}
    for m in members:
        reason = _not_reviewed_reason(m, ref, settings.probation_months)
        reasons[m.name] = reason
        if m.admission_date is not None and not m.exempt and not m.suspended:
            other = bool(_not_reviewed_reason(m, other_ref, settings.probation_months))
            if other != bool(reason):
                findings.append(F.warning("ADMISSION_REFERENCE_DATE", f"Đồng chí {m.name} kết nạp ngày {m.admission_date:%d/%m/%Y}: thuộc hay không thuộc diện đánh giá tùy mốc tính 6 tháng (ngày họp hay 31/12); đang tính theo {('ngày họp' if settings.admission_reference == 'meeting_date' else '31/12')}, đề nghị hỏi cấp ủy.", m.where or m.name, "R3"))
        if m.membership.short == "DB" and m.admission_date is None and not reason:
            findings.append(F.info("ADMISSION_DATE_MISSING", f"Đồng chí {m.name} là đảng viên dự bị nhưng chưa nhập ngày kết nạp: chưa kiểm tra được điều kiện đủ 6 tháng.", m.where or m.name, "R3"))
    reviewed = [m for m in members if not reasons[m.name]]

    official = sum(1 for m in members if m.is_official)
    probationary = len(members) - official
    base = sum(1 for m in members if _in_base(m, settings.base_policy))
    voters = sum(1 for m in members if m.is_official and m.present and not m.suspended)
    base_label = BASE_POLICIES[settings.base_policy]
    if settings.base_policy == "present":
        findings.append(F.warning("BASE_PRESENT_ONLY", "Đang tính tỷ lệ so với số đảng viên chính thức có mặt: cách tính này không có trong quy định, chỉ dùng khi cấp ủy hướng dẫn.", "base_policy", "R30"))
    if base == 0:
        findings.append(F.error("BASE_EMPTY", "Không có đảng viên chính thức nào trong cơ sở tính tỷ lệ: kiểm tra cột loại đảng viên và tình trạng dự họp.", "Danh sách", "R30"))
    elif Fraction(voters, base) < settings.quorum_warning and settings.base_policy != "present":
        findings.append(F.warning("QUORUM_LOW", f"Chỉ {voters}/{base} đảng viên chính thức có mặt ({percent_vn(voters, base)}), dưới {decimal_vn(settings.quorum_warning * 100)}%: đề nghị xem xét hoãn hội nghị.", "Danh sách", "R35"))
    elif base and Fraction(voters, base) < settings.quorum_note:
        findings.append(F.info("QUORUM_NOTE", f"{voters}/{base} đảng viên chính thức có mặt ({percent_vn(voters, base)}), dưới {decimal_vn(settings.quorum_note * 100)}% (tiêu chí chất lượng sinh hoạt chi bộ).", "Danh sách", "R35"))
    for m in reviewed:
        if not m.present:
            findings.append(F.info("MEMBER_ABSENT_REVIEW", f"Đồng chí {m.name} vắng mặt: cần kiểm điểm bổ sung khi trở lại trước khi cấp ủy quyết định xếp loại.", m.where or m.name, "R4"))

    # Count the member ballots.
    counts: dict = {}
    totals: Optional[BallotTotals] = None
    votes_in = case.member_votes
    if isinstance(votes_in, BallotGrid):
        counts, totals = count_grid(votes_in, reviewed, roster, findings)
    elif isinstance(votes_in, Tally):
        counts, totals = count_tally(votes_in, reviewed, roster, findings)
    elif reviewed:
        findings.append(F.error("NO_BALLOTS", "Chưa có phiếu đánh giá đảng viên: nhập lưới phiếu hoặc bảng kiểm phiếu.", "Phiếu đảng viên", "R31"))
    if totals is not None:
        where = getattr(votes_in, "where", "") or "Phiếu đảng viên"
        if totals.returned > totals.issued:
            findings.append(F.error("BALLOTS_RETURNED_EXCEED_ISSUED", f"Số phiếu thu về ({totals.returned}) lớn hơn số phiếu phát ra ({totals.issued}).", where, "R31"))
        if totals.issued > voters:
            findings.append(F.error("BALLOTS_EXCEED_VOTERS", f"Số phiếu ({totals.issued}) lớn hơn số đảng viên chính thức có mặt ({voters}): kiểm tra lại phiếu hoặc tình trạng dự họp.", where, "R31"))

    # Per member proposal.
    results = []
    for m in members:
        if reasons[m.name]:
            results.append(SubjectResult(name=m.name, reviewed=False, not_reviewed_reason=reasons[m.name],
                                         membership=m.membership.short, role=m.role, rule="not_reviewed",
                                         explanation=f"Không đánh giá, xếp loại: {reasons[m.name].lower()}.",
                                         note=m.note, where=m.where))
            continue
        results.append(_member_result(m, counts.get(m.name), base, settings, pack, findings))

    # The chi bộ itself.
    cell_count, cell_totals = count_cell(case.cell_votes, findings)
    cell_result = _cell_result(case, cell_count, base, voters, settings, pack, findings)
    if cell_totals is not None and cell_totals.returned > voters:
        findings.append(F.error("BALLOTS_EXCEED_VOTERS", f"Số phiếu đánh giá chi bộ ({cell_totals.returned}) lớn hơn số đảng viên chính thức có mặt ({voters}).", getattr(case.cell_votes, "where", "") or "Phiếu chi bộ", "R31"))

    summary = _summary(results)
    quota = _quota(results, case, settings, pack, findings)
    _consistency(results, cell_result, members, findings)
    decided = all(r.decided_level for r in results if r.reviewed) and (cell_result is None or cell_result.decided_level)
    ballots = (
        {"issued": totals.issued, "returned": totals.returned, "valid": totals.valid, "invalid": totals.invalid}
        if totals else {}
    )
    cell_ballots = (
        {"returned": cell_totals.returned, "valid": cell_totals.valid, "invalid": cell_totals.invalid}
        if cell_totals else {}
    )
    order = {F.Severity.ERROR: 0, F.Severity.WARNING: 1, F.Severity.INFO: 2}
    findings.sort(key=lambda f: order[f.severity])
    return Result(
        rules_id=pack.id,
        rules_title=pack.title,
        review_year=meeting.review_year,
        settings=settings.to_dict(),
        base=base,
        base_label=base_label,
        official=official,
        probationary=probationary,
        present_official=voters,
        voters=voters,
        ballots=ballots,
        party_cell=cell_result,
        members=tuple(results),
        summary=summary,
        quota=quota,
        findings=tuple(findings),
        status="decided" if decided and results else "proposed",
        fingerprint=fingerprint(case),
        cell_ballots=cell_ballots,
    )


def _score_text(value: Optional[Fraction]) -> Optional[str]:
    return None if value is None else decimal_vn(value)


def _member_result(m: Member, count: Optional[Count], base: int, settings: RuleSettings,
                   pack: RulePack, findings: list) -> SubjectResult:
    where = m.where or m.name
    perf = m.performance
    if pack.uses_scores:
        for problem in score_problems(perf):
            findings.append(F.error("SCORE_OUT_OF_RANGE", f"Đồng chí {m.name}: {problem}.", where, "R10"))
    elif perf.self_score_common is not None or perf.score_common is not None:
        findings.append(F.info("SCORE_NOT_USED", f"Đồng chí {m.name} có nhập điểm, nhưng Quy định 124-QĐ/TW không chấm điểm: điểm không được dùng.", where, "R11"))
    cap = pack.member_cap(m, settings)
    findings.extend(cap.findings)
    findings.extend(pack.member_notes(m, where))
    if count is None:
        return SubjectResult(name=m.name, reviewed=True, membership=m.membership.short, role=m.role, base=base,
                             rule="no_votes", explanation="Chưa có phiếu đánh giá.", self_level=m.self_level,
                             self_score=_score_text(perf.self_score), score=_score_text(perf.score),
                             decided_level=m.decided_level, note=m.note, where=m.where)
    level, vote_rule, support = vote_level(count, base, settings)
    proposed, rule = level, vote_rule
    if level is not None and cap.level is not None and cap.level < level:
        proposed = cap.level
        rule = cap.rule
        findings.append(F.warning("LEVEL_CAPPED", f"Đồng chí {m.name}: kết quả phiếu {level.label} nhưng {'; '.join(cap.reasons)}, nên đề xuất {proposed.label}.", where, "R12" if pack.uses_scores else "R18"))
    explanation = explain(count, base, level, vote_rule, support, settings, cap, proposed)
    if level is None:
        sev = F.error if pack.uses_scores else F.warning
        findings.append(sev("NO_MAJORITY", f"Đồng chí {m.name}: không mức nào đạt đa số so với {base} đảng viên chính thức; cần bỏ phiếu lại hoặc báo cáo cấp ủy.", where, "R5" if pack.uses_scores else "R33"))
    elif vote_rule == "cumulative":
        findings.append(F.info("CUMULATIVE_APPLIED", f"Đồng chí {m.name}: đề xuất theo cách cộng dồn từ mức cao xuống (không mức nào đạt đa số riêng).", where, "R33"))
    _member_checks(m, proposed, pack, settings, findings, where)
    return SubjectResult(
        name=m.name, reviewed=True, membership=m.membership.short, role=m.role, votes=count.votes,
        valid=count.valid, spoiled=count.spoiled, base=base, voted_level=level, proposed_level=proposed,
        rule=rule, explanation=explanation, self_level=m.self_level, self_score=_score_text(perf.self_score),
        score=_score_text(perf.score), cap_reasons=cap.reasons, decided_level=m.decided_level, note=m.note,
        where=m.where,
    )


def _member_checks(m: Member, proposed: Optional[Level], pack: RulePack, settings: RuleSettings,
                   findings: list, where: str) -> None:
    if proposed is None:
        return
    perf = m.performance
    if m.self_level is not None and m.self_level != proposed:
        findings.append(F.info("SELF_LEVEL_DIFFERS", f"Đồng chí {m.name} tự nhận {m.self_level.label}, chi bộ đề xuất {proposed.label}.", where, "R2"))
    if pack.uses_scores and perf.self_score is not None:
        self_band = band(perf.self_score)
        if self_band != proposed:
            findings.append(F.warning("SELF_SCORE_DIFFERS", f"Đồng chí {m.name} tự chấm {decimal_vn(perf.self_score)}/100 (khung {self_band.label}) nhưng chi bộ đề xuất {proposed.label}: đề nghị ghi rõ lý do trong biên bản.", where, "R11"))
    if proposed is Level.HTXSNV:
        if pack.uses_scores:
            missing = perf.score is None and perf.self_score is None
            what = "điểm chấm"
        else:
            missing = None in (perf.criteria_grade, perf.results_grade, perf.tasks_completed_pct, perf.tasks_exceeded_pct)
            what = "mức các tiêu chí, tỷ lệ hoàn thành và vượt mức chỉ tiêu"
        if missing:
            findings.append(F.info("HTXS_EVIDENCE_MISSING", f"Đồng chí {m.name} được đề xuất Hoàn thành xuất sắc nhiệm vụ nhưng chưa nhập {what}: cần minh chứng đủ điều kiện.", where, "R12" if pack.uses_scores else "R18"))
    if m.civil_service_level is not None and proposed > m.civil_service_level:
        sev = F.error if settings.civil_service_link == "block" else F.warning
        findings.append(sev("CIVIL_SERVICE_LOWER", f"Đồng chí {m.name} được đề xuất {proposed.label} nhưng xếp loại công chức, viên chức là {m.civil_service_level.label} (kết quả đánh giá cán bộ, công chức, viên chức là cơ sở).", where, "R27"))


def _cell_result(case: Case, count: Optional[Count], base: int, voters: int, settings: RuleSettings,
                 pack: RulePack, findings: list) -> Optional[SubjectResult]:
    cell = case.party_cell
    name = case.meeting.party_cell or "Chi bộ"
    cap = pack.cell_cap(cell, settings)
    findings.extend(cap.findings)
    if pack.uses_scores:
        for problem in score_problems(cell.performance):
            findings.append(F.error("SCORE_OUT_OF_RANGE", f"{name}: {problem}.", "Chi bộ", "R10"))
    if count is None:
        findings.append(F.warning("NO_CELL_BALLOTS", "Chưa có kết quả biểu quyết xếp loại chi bộ.", "Phiếu chi bộ", "R2"))
        return SubjectResult(name=name, reviewed=True, base=base, rule="no_votes", explanation="Chưa có phiếu đánh giá chi bộ.",
                             self_level=cell.self_level, decided_level=cell.decided_level,
                             self_score=_score_text(cell.performance.self_score), score=_score_text(cell.performance.score))
    level, vote_rule, support = vote_level(count, base, settings)
    proposed, rule = level, vote_rule
    if level is not None and cap.level is not None and cap.level < level:
        proposed, rule = cap.level, cap.rule
        findings.append(F.warning("LEVEL_CAPPED", f"{name}: kết quả phiếu {level.label} nhưng {'; '.join(cap.reasons)}, nên đề xuất {proposed.label}.", "Chi bộ", "R16" if pack.uses_scores else "R21"))
    if level is None:
        findings.append(F.error("NO_MAJORITY", f"{name}: không mức nào đạt đa số; cần biểu quyết lại.", "Chi bộ", "R33"))
    explanation = explain(count, base, level, vote_rule, support, settings, cap, proposed)
    if proposed is Level.HTXSNV:
        findings.append(F.info("CELL_QUOTA_POOLED", "Chi bộ đề xuất Hoàn thành xuất sắc nhiệm vụ: tỷ lệ tối đa 20% (hoặc 25%) số Hoàn thành tốt nhiệm vụ do đảng ủy áp dụng chung cho các chi bộ.", "Chi bộ", "R26"))
    if cell.self_level is not None and proposed is not None and cell.self_level != proposed:
        findings.append(F.info("SELF_LEVEL_DIFFERS", f"{name} tự xếp loại {cell.self_level.label}, hội nghị đề xuất {proposed.label}.", "Chi bộ", "R2"))
    return SubjectResult(name=name, reviewed=True, votes=count.votes, valid=count.valid, spoiled=count.spoiled,
                         base=base, voted_level=level, proposed_level=proposed, rule=rule, explanation=explanation,
                         self_level=cell.self_level, self_score=_score_text(cell.performance.self_score),
                         score=_score_text(cell.performance.score), cap_reasons=cap.reasons,
                         decided_level=cell.decided_level)


def _summary(results: list) -> dict:
    reviewed = [r for r in results if r.reviewed]
    by_level = {lvl.code: sum(1 for r in reviewed if r.proposed_level is lvl) for lvl in LEVELS}
    return {
        "members": len(results),
        "reviewed": len(reviewed),
        "by_level": by_level,
        **by_level,
        "unranked": sum(1 for r in reviewed if r.proposed_level is None),
        "not_reviewed": [{"name": r.name, "reason": r.not_reviewed_reason} for r in results if not r.reviewed],
    }


def _quota(results: list, case: Case, settings: RuleSettings, pack: RulePack, findings: list) -> Quota:
    """R22-R25: HTXSNV <= floor(r x HTTNV); largest compliant count; never a silent change."""
    ratio = settings.quota_ratio
    if case.party_cell.exceptional_unit_approved:
        if settings.quota_ratio_exceptional is not None:
            ratio = settings.quota_ratio_exceptional
        else:
            findings.append(F.warning("QUOTA_25_NOT_IN_124", "Chi bộ được ghi là đơn vị có thành tích nổi trội, nhưng quy định áp dụng không có tỷ lệ 25%: vẫn tính 20%.", "Chi bộ", "R22"))
    reviewed = [r for r in results if r.reviewed]
    xs = [r for r in reviewed if r.proposed_level is Level.HTXSNV]
    htt = sum(1 for r in reviewed if r.proposed_level is Level.HTTNV)
    c = len(xs)
    limit = floor(ratio * htt)
    max_ok = floor(ratio * (htt + c) / (1 + ratio))
    exceeded = c > limit
    pct_label = decimal_vn(ratio * 100) + "%"
    share_htt = percent_vn(c, htt) if htt else ("—" if not c else "không xác định")
    share_all = percent_vn(c, len(reviewed)) if reviewed else "0%"

    # R25: a customary suggestion of whom to look at first, lowest support first: by the score under
    # QĐ 366 where recorded, else by the HTXSNV votes.
    scores = {m.name: m.performance.score for m in case.members}

    def key(r: SubjectResult):
        score = scores.get(r.name) if pack.uses_scores else None
        return (score if score is not None else Fraction(-1), r.votes_for(Level.HTXSNV))

    ordered = sorted(xs, key=key)
    if exceeded:
        pool = settings.quota_pool
        sev = F.error if pool == "chi_bo_co_so" else F.warning
        advice = ("Đảng ủy có thể tính tỷ lệ chung cho nhiều chi bộ; số liệu trên là đề xuất của chi bộ, phần mềm không tự thay đổi."
                  if pool != "chi_bo_co_so" else "Chi bộ cơ sở là một nhóm duy nhất: cần xem xét lại trước khi cấp trên quyết định.")
        findings.append(sev(
            "QUOTA_EXCEEDED",
            f"Số đề xuất Hoàn thành xuất sắc nhiệm vụ ({c}) vượt {pct_label} số Hoàn thành tốt nhiệm vụ: "
            f"{c}/{htt} = {share_htt} so với mức tối đa {pct_label} (tối đa {limit} trong chi bộ). "
            f"Tỷ lệ {c}/{len(reviewed)} = {share_all} trên tổng số đảng viên được đánh giá không phải là cơ sở tính. "
            f"Nếu chuyển bớt sang Hoàn thành tốt nhiệm vụ, số lớn nhất phù hợp là {max_ok} "
            f"({max_ok} HTXSNV, {htt + c - max_ok} HTTNV). {advice}",
            "Kết quả", "R22"))
        if len(ordered) > 1:
            k0 = [key(r) for r in ordered]
            if any(k0[i] == k0[i + 1] for i in range(len(k0) - 1)):
                findings.append(F.info("QUOTA_TIE", "Có đảng viên đề xuất HTXSNV bằng điểm hoặc bằng số phiếu: thứ tự xem xét cần chi ủy quyết định.", "Kết quả", "R25"))
    return Quota(
        ratio=str(ratio), ratio_label=pct_label, pool=settings.quota_pool, proposed=c, htt=htt,
        reviewed=len(reviewed), limit=limit, exceeded=exceeded, max_compliant=max_ok,
        share_of_htt=share_htt, share_of_reviewed=share_all,
        demotion_order=tuple(r.name for r in ordered) if exceeded else (),
    )


def _consistency(results: list, cell: Optional[SubjectResult], members: list, findings: list) -> None:
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
