"""The engine: a case in, a result out. Pure, deterministic, exact (``Fraction``).

Order of work: choose the rules (R1, S1), settle who is reviewed (R3, S2) and the base (R30),
count the votes (R29, R31), propose a level per member from the basis the settings name (the
score and the conditions under QĐ 366, S7; the vote capped by the facts under QĐ 124), then the
collectives (S12), the summary, the quota per group (S14, S15) and the meeting-wide checks
(order of rankings, S16-S24, R40).

The engine asks the rule pack for everything regulation-specific (bands, caps, notes, deciders,
groups); it imports no regulation module.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Optional

from ..core import findings as F
from ..core.fingerprint import fingerprint
from ..core.levels import LEVELS, Level
from ..core.models import (
    Attendance, BallotGrid, Case, CellHands, CellTally, Collective, CollectiveKind, Hands, Member, Tally,
)
from ..core.result import CollectiveResult, Result, SubjectResult
from ..core.tally import BallotTotals, Count, count_cell, count_grid, count_tally
from ..core.tasks import task_rates
from ..core.vnformat import decimal_vn, percent_vn
from ..rules.base import Cap, RulePack
from ..rules.registry import UnknownRules, rules_by_id, rules_for
from ..rules.settings import BASE_POLICIES, PROPOSAL_BASES, RuleSettings, apply_overrides
from . import checks, quota
from .voting import cascade_is_doubtful, explain_hands, explain_vote, hands_pass, threshold_label, vote_level


class RulesError(ValueError):
    """The case names a review year or rule set that no pack covers (a Vietnamese message)."""


# --------------------------------------------------------------------------- scope


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
    try:
        if case.rules_id:
            pack = rules_by_id(case.rules_id)
            if not pack.covers(year):
                findings.append(F.warning("RULES_OVERRIDDEN", f"Đã chọn áp dụng {pack.code} cho năm đánh giá {year}, khác với quy định hiện hành cho năm này.", "rules_id", "R1"))
            return pack
        return rules_for(year)
    except UnknownRules as exc:
        raise RulesError(str(exc)) from exc


def _settings(case: Case, pack: RulePack, findings: list) -> RuleSettings:
    settings, problems = apply_overrides(pack.defaults_for(case), case.settings)
    for key, msg in problems:
        findings.append(F.error("SETTING_INVALID", msg, key, "R30"))
    if settings.proposal_basis not in pack.bases:
        allowed = ", ".join(pack.bases)
        findings.append(F.error("SETTING_INVALID", f"Thiết lập 'proposal_basis': {pack.code} không chấm điểm nên chỉ dùng được: {allowed}.",
                                "proposal_basis", "S19"))
        settings = RuleSettings(**{**settings.__dict__, "proposal_basis": pack.defaults().proposal_basis})
    if settings.quota_ratio_exceptional is not None and not pack.uses_scores:
        findings.append(F.warning("QUOTA_25_NOT_IN_124", "Quy định 124-QĐ/TW không có ngoại lệ 25%: bỏ qua tỷ lệ ngoại lệ.", "quota_ratio_exceptional", "R22"))
        settings = RuleSettings(**{**settings.__dict__, "quota_ratio_exceptional": None})
    return settings


# --------------------------------------------------------------------------- the engine


def compute(case: Case, with_fingerprint: bool = True) -> Result:
    """Propose a level for every reviewed member and collective, with reasons and findings.

    Raises ``RulesError`` only when no rule pack covers the case (readers check the year first).
    """
    findings: list = []
    meeting = case.meeting
    pack = _rules(case, findings)
    settings = _settings(case, pack, findings)
    findings.extend(pack.meeting_checks(case, settings))
    for sheet in case.unused_sheets:
        findings.append(F.warning("SHEET_NOT_APPLICABLE", f"Sheet \"{sheet}\" có dữ liệu nhưng không dùng cho năm đánh giá {meeting.review_year} "
                                  f"({pack.code}): dữ liệu đó không được tính.", sheet, "R1"))

    # Who is on the roll, reviewed, in the base.
    roster: dict = {}
    for m in case.members:
        if m.name in roster:
            findings.append(F.error("DUPLICATE_NAME", f"Tên '{m.name}' xuất hiện hai lần trong danh sách; hãy thêm dấu phân biệt (ví dụ năm sinh).", m.where or m.name, "R2"))
        else:
            roster[m.name] = m
    members = list(roster.values())
    reasons = _reasons(members, meeting, pack, settings, findings)
    reviewed = [m for m in members if not reasons[m.name]]

    official = sum(1 for m in members if m.is_official)
    base = sum(1 for m in members if _in_base(m, settings.base_policy))
    voters = sum(1 for m in members if m.is_official and m.present and not m.suspended)
    _attendance_checks(members, reviewed, base, voters, settings, findings)

    # Count the member votes.
    counts, totals, hands = _member_votes(case, reviewed, roster, voters, settings, findings)

    # Per member proposal.
    ctx = _Context(pack, settings, base, findings)
    ctx.vote_form = {BallotGrid: "grid", Tally: "tally", Hands: "hands"}.get(type(case.member_votes), "")
    results = []
    member_decider = pack.decider(case, None, settings)
    for m in members:
        if reasons[m.name]:
            results.append(SubjectResult(name=m.name, reviewed=False, not_reviewed_reason=reasons[m.name],
                                         membership=m.membership.short, role=m.role, rule="not_reviewed",
                                         explanation=f"Không đánh giá, xếp loại: {reasons[m.name].lower()}.",
                                         note=m.note, where=m.where, state="", decider=member_decider))
            continue
        vote = hands.get(m.name) if hands is not None else counts.get(m.name)
        results.append(_member_result(m, vote, ctx, member_decider))
    if case.member_votes is None and reviewed and settings.proposal_basis == "vote":
        findings.append(F.error("NO_BALLOTS", "Chưa có phiếu đánh giá đảng viên: nhập lưới phiếu, bảng kiểm phiếu hoặc kết quả biểu quyết.",
                                "Phiếu đảng viên", "R31"))
    elif case.member_votes is None and reviewed and settings.proposal_basis == "score_and_vote":
        findings.append(F.warning("VOTE_MISSING", "Đã chọn đề xuất theo điểm có biểu quyết xác nhận nhưng chưa nhập kết quả biểu quyết, bỏ phiếu.",
                                  "Phiếu đảng viên", "S19"))

    # The collectives: the chi bộ itself and the others reviewed at the meeting.
    leaders = tuple(m for m in members if m.leadership)
    cell_result, cell_totals = _collective_result(case, case.party_cell, leaders, ctx, voters)
    others = []
    for coll in case.collectives:
        coll_leaders = tuple(roster[n] for n in coll.members if n in roster)
        for n in coll.members:
            if n not in roster:
                findings.append(F.warning("COLLECTIVE_MEMBER_UNKNOWN", f"{coll.name}: thành viên '{n}' không có trong danh sách đảng viên (không kiểm tra được kỷ luật, suy thoái).",
                                          coll.where or coll.name, "S12"))
        res, _ = _collective_result(case, coll, coll_leaders, ctx, voters)
        others.append(CollectiveResult(coll.kind.key, res))

    summary = _summary(results)
    q = quota.check(results, case, settings, pack, findings, others, cell_result)
    checks.after(case, pack, settings, results, cell_result, others, members, findings)
    reviewed_results = [r for r in results if r.reviewed]
    decided = (all(r.decided_level for r in reviewed_results) and cell_result.decided_level
               and all(c.subject.decided_level for c in others))
    ballots = ({"issued": totals.issued, "returned": totals.returned, "valid": totals.valid, "invalid": totals.invalid}
               if totals else {})
    cell_ballots = ({"returned": cell_totals.returned, "valid": cell_totals.valid, "invalid": cell_totals.invalid}
                    if cell_totals else {})
    order = {F.Severity.ERROR: 0, F.Severity.WARNING: 1, F.Severity.INFO: 2}
    findings.sort(key=lambda f: order[f.severity])
    return Result(
        rules_id=pack.id,
        rules_title=pack.title,
        review_year=meeting.review_year,
        settings=settings.to_dict(),
        base=base,
        base_label=BASE_POLICIES[settings.base_policy],
        official=official,
        probationary=len(members) - official,
        present_official=voters,
        voters=voters,
        ballots=ballots,
        party_cell=cell_result,
        members=tuple(results),
        summary=summary,
        quota=q,
        findings=tuple(findings),
        status="decided" if decided and results else "proposed",
        fingerprint=fingerprint(case) if with_fingerprint else "",
        cell_ballots=cell_ballots,
        collectives=tuple(others),
        proposal_basis=settings.proposal_basis,
        guidance_title=pack.guidance_title,
        rules_code=pack.code,
        decider=cell_result.decider,
        member_decider=member_decider,
        order=checks.ranking_order(case),
        uses_scores=pack.uses_scores,
    )


class _Context:
    """What every per-subject step needs."""

    def __init__(self, pack: RulePack, settings: RuleSettings, base: int, findings: list):
        self.pack = pack
        self.settings = settings
        self.base = base
        self.findings = findings
        self.basis = settings.proposal_basis
        self.vote_form = ""


def _reasons(members, meeting, pack: RulePack, settings: RuleSettings, findings: list) -> dict:
    """R3 / S2 and P9: who is not reviewed, on the reference date the settings name."""
    year_end = date(meeting.review_year, 12, 31)
    ref = meeting.date if settings.admission_reference == "meeting_date" else year_end
    other_ref = year_end if settings.admission_reference == "meeting_date" else meeting.date
    reasons = {}
    for m in members:
        try:
            reason = pack.not_reviewed_reason(m, ref, settings)
            other = bool(pack.not_reviewed_reason(m, other_ref, settings)) if m.admission_date else bool(reason)
        except ValueError:
            findings.append(F.error("DATE_OUT_OF_RANGE", f"Đồng chí {m.name}: không tính được mốc {settings.probation_months} tháng từ ngày kết nạp.",
                                    m.where or m.name, "R3"))
            reason, other = "", False
        reasons[m.name] = reason
        if m.admission_date is not None and not m.exempt and not m.suspended and other != bool(reason):
            findings.append(F.warning("ADMISSION_REFERENCE_DATE", f"Đồng chí {m.name} kết nạp ngày {m.admission_date:%d/%m/%Y}: thuộc hay không thuộc diện đánh giá tùy mốc tính 6 tháng (ngày họp hay 31/12); đang tính theo {('ngày họp' if settings.admission_reference == 'meeting_date' else '31/12')}, đề nghị hỏi cấp ủy.", m.where or m.name, "R3"))
        if m.membership.short == "DB" and m.admission_date is None and not reason:
            findings.append(F.info("ADMISSION_DATE_MISSING", f"Đồng chí {m.name} là đảng viên dự bị nhưng chưa nhập ngày kết nạp: chưa kiểm tra được điều kiện đủ 6 tháng.", m.where or m.name, "R3"))
    return reasons


def _attendance_checks(members, reviewed, base: int, voters: int, settings: RuleSettings, findings: list) -> None:
    if settings.base_policy == "present":
        findings.append(F.warning("BASE_PRESENT_ONLY", "Đang tính tỷ lệ so với số đảng viên chính thức có mặt: cách tính này không có trong quy định, chỉ dùng khi cấp ủy hướng dẫn.", "base_policy", "R30"))
    uses_votes = settings.proposal_basis != "score"
    if base == 0:
        sev = F.error if uses_votes else F.warning
        findings.append(sev("BASE_EMPTY", "Không có đảng viên chính thức nào trong cơ sở tính tỷ lệ: kiểm tra cột loại đảng viên và tình trạng dự họp.", "Danh sách", "R30"))
    elif Fraction(voters, base) < settings.quorum_warning:
        # Also under base_policy "present": the meeting itself may lack a quorum.
        findings.append(F.warning("QUORUM_LOW", f"Chỉ {voters}/{base} đảng viên chính thức có mặt ({percent_vn(voters, base)}), dưới {decimal_vn(settings.quorum_warning * 100)}%: đề nghị xem xét hoãn hội nghị.", "Danh sách", "R35"))
    elif Fraction(voters, base) < settings.quorum_note:
        findings.append(F.info("QUORUM_NOTE", f"{voters}/{base} đảng viên chính thức có mặt ({percent_vn(voters, base)}), dưới {decimal_vn(settings.quorum_note * 100)}% (tiêu chí chất lượng sinh hoạt chi bộ).", "Danh sách", "R35"))
    for m in reviewed:
        if not m.present:
            findings.append(F.info("MEMBER_ABSENT_REVIEW", f"Đồng chí {m.name} vắng mặt: cần kiểm điểm bổ sung khi trở lại trước khi cấp ủy quyết định xếp loại.", m.where or m.name, "R4"))


def _member_votes(case: Case, reviewed, roster, voters: int, settings: RuleSettings, findings: list):
    """Count the member votes: (counts by name, ballot totals, hands rows by name or None)."""
    votes_in = case.member_votes
    counts: dict = {}
    totals: Optional[BallotTotals] = None
    hands = None
    if isinstance(votes_in, BallotGrid):
        counts, totals = count_grid(votes_in, reviewed, roster, findings)
    elif isinstance(votes_in, Tally):
        counts, totals = count_tally(votes_in, reviewed, roster, findings)
    elif isinstance(votes_in, Hands):
        hands = {}
        names = {m.name for m in reviewed}
        for row in votes_in.rows:
            where = row.where or votes_in.where or "Biểu quyết"
            if row.name not in names:
                reason = "không có trong danh sách" if row.name not in roster else "không thuộc diện đánh giá"
                findings.append(F.error("GRID_MEMBER_EXTRA", f"Bảng biểu quyết có dòng '{row.name}' {reason}.", where, "R31"))
                continue
            if row.agree < 0 or row.disagree < 0:
                findings.append(F.error("TALLY_NEGATIVE", f"Số biểu quyết của đồng chí {row.name} không được âm.", where, "R31"))
            if row.agree + row.disagree > voters:
                findings.append(F.error("BALLOTS_EXCEED_VOTERS", f"Đồng chí {row.name}: {row.agree + row.disagree} lượt biểu quyết, nhiều hơn {voters} đảng viên chính thức có mặt.", where, "R31"))
            hands[row.name] = row
    if totals is not None:
        where = getattr(votes_in, "where", "") or "Phiếu đảng viên"
        if totals.returned > totals.issued:
            findings.append(F.error("BALLOTS_RETURNED_EXCEED_ISSUED", f"Số phiếu thu về ({totals.returned}) lớn hơn số phiếu phát ra ({totals.issued}).", where, "R31"))
        if totals.issued > voters:
            findings.append(F.error("BALLOTS_EXCEED_VOTERS", f"Số phiếu ({totals.issued}) lớn hơn số đảng viên chính thức có mặt ({voters}): kiểm tra lại phiếu hoặc tình trạng dự họp.", where, "R31"))
    return counts, totals, hands


# --------------------------------------------------------------------------- members


def _rates_dict(perf) -> dict:
    r = task_rates(perf)
    if not r.has_any:
        return {}
    return {"done_pct": r.done_pct, "on_time_pct": r.on_time_pct, "exceeded_pct": r.exceeded_pct, "late_pct": r.late_pct,
            "not_done_pct": r.not_done_pct, "all_on_time": r.all_on_time, "from_counts": r.from_counts}


def _state(self_level, proposed, decided, rerank) -> str:
    if rerank is not None:
        return "re_ranked"
    if decided is not None:
        return "decided"
    if proposed is not None:
        return "chi_bo_proposed"
    return "self_assessed"


def _score_explanation(level: Optional[Level], band: Optional[Level], score: Optional[Fraction], cap: Cap,
                       pack: RulePack) -> str:
    from ..core.vnformat import decimal_vn as d

    if score is None or band is None:
        return "Chưa có điểm chi bộ chấm."
    head = f"Chi bộ chấm {d(score)}/100 điểm (khung {band.label})"
    if cap.gap:
        return head + "; không đủ điều kiện Hoàn thành nhiệm vụ nhưng không thuộc trường hợp Không hoàn thành nhiệm vụ: quy định chưa xác định mức, báo cáo cấp có thẩm quyền."
    if level is None:
        return head + "."
    if level == band:
        return head + f", đủ các điều kiện của mức này: đề xuất {level.label}."
    reasons = [r for r in cap.reasons if not r.startswith("điểm")] or list(cap.reasons)
    return head + f" nhưng {'; '.join(reasons)}: đề xuất {level.label}."


def _member_result(m: Member, vote, ctx: _Context, decider: str) -> SubjectResult:
    pack, settings, findings, base = ctx.pack, ctx.settings, ctx.findings, ctx.base
    where = m.where or m.name
    perf = m.performance
    score_where = m.score_where or where
    if pack.uses_scores:
        for problem in pack.score_problems(perf):
            findings.append(F.error("SCORE_OUT_OF_RANGE", f"Đồng chí {m.name}: {problem}.", score_where, "S5"))
    elif perf.self_score_common is not None or perf.score_common is not None:
        findings.append(F.info("SCORE_NOT_USED", f"Đồng chí {m.name} có nhập điểm, nhưng Quy định 124-QĐ/TW không chấm điểm: điểm không được dùng.", where, "R11"))
    from ..core.tasks import task_problems

    for problem in task_problems(perf.tasks):
        findings.append(F.error("TASK_COUNTS_INVALID", f"Đồng chí {m.name}: {problem}.", score_where, "S8"))
    cap = pack.member_cap(m, settings)
    findings.extend(cap.findings)
    findings.extend(pack.member_notes(m, where, settings))
    score = perf.score if pack.uses_scores else None
    band = pack.score_band(score) if score is not None else None
    score_level: Optional[Level] = None
    if band is not None and not cap.gap:
        score_level = band if cap.level is None else min(band, cap.level)
    group = pack.quota_group(m) if pack.uses_scores else None
    common = dict(name=m.name, reviewed=True, membership=m.membership.short, role=m.role, base=base,
                  self_level=m.self_level, self_score=perf.self_score if pack.uses_scores else None, score=score,
                  decided_level=m.decided_level, note=m.note, where=m.where, basis=ctx.basis,
                  group=group.key if group and group.key != "all" else "", group_label=group.label if group else "",
                  band=band, score_level=score_level, results_score=perf.score_results if pack.uses_scores else None,
                  decider=decider, decision_ref=m.decision_ref, rerank_level=m.rerank_level, tasks=_rates_dict(perf),
                  opinions=m.opinions, comment=m.comment)

    # The vote, whatever its role (source under "vote", confirmation otherwise).
    vote_fields: dict = {}
    voted = None
    vote_rule, support = "", 0
    if isinstance(vote, Count):
        voted, vote_rule, support = vote_level(vote, base, settings)
        vote_fields = dict(votes=vote.votes, valid=vote.valid, spoiled=vote.spoiled, voted_level=voted, vote_form=ctx.vote_form)
    elif vote is not None:  # a show of hands
        put = vote.level or (score_level if ctx.basis != "vote" else None)
        vote_fields = dict(vote_form="hands", hands=(vote.agree, vote.disagree), hands_level=put)
        if put is not None and hands_pass(vote.agree, base, put, settings):
            voted = put
        vote_rule = "majority" if voted else "no_majority"

    if ctx.basis == "vote":
        proposed, rule, explanation = _vote_proposal(m, vote, voted, vote_rule, support, cap, ctx, where)
    else:
        proposed, rule, explanation = _score_proposal(m, score_level, band, score, cap, ctx, score_where)
        confirmed = _confirm(m, vote, voted, score_level, ctx, where)
        vote_fields["confirmed"] = confirmed
        if vote is not None and isinstance(vote, Count):
            explanation += " " + explain_vote(vote, base, voted, vote_rule, support, settings, Cap(), voted)
        elif vote is not None and vote_fields.get("hands_level") is not None:
            explanation += " " + explain_hands(vote.agree, vote.disagree, base, vote_fields["hands_level"], settings)
        if ctx.basis == "score_and_vote" and settings.vote_overrides_score and voted is not None and score_level is not None:
            capped = voted if cap.level is None else min(voted, cap.level)
            if capped != proposed:
                proposed, rule = capped, "majority" if capped == voted else cap.rule
                explanation += f" Theo thiết lập, kết quả biểu quyết quyết định: đề xuất {capped.label}."

    # The meeting agreed another level (resolves a gap, weighs a mitigation): recorded, checked.
    if m.chi_bo_level is not None:
        limit = cap.level if cap.level is not None else band
        if limit is not None and m.chi_bo_level > limit:
            findings.append(F.error("CHI_BO_LEVEL_ABOVE_RULES", f"Đồng chí {m.name}: chi bộ ghi mức {m.chi_bo_level.label}, cao hơn mức tối đa theo điểm và điều kiện ({limit.label}).", where, "S7"))
        if not m.comment:
            findings.append(F.error("CHI_BO_LEVEL_NEEDS_COMMENT", f"Đồng chí {m.name}: chi bộ ghi mức {m.chi_bo_level.label} khác mức tính theo quy định; cần ghi nhận xét của chi bộ nêu lý do.", where, "S16"))
        if m.chi_bo_level != proposed:
            findings.append(F.warning("CHI_BO_LEVEL_USED", f"Đồng chí {m.name}: đề xuất {m.chi_bo_level.label} theo mức chi bộ thống nhất" + (f" (theo quy định: {proposed.label})." if proposed else " (theo quy định: chưa xác định được mức)."), where, "S16"))
            explanation += f" Chi bộ thống nhất đề xuất {m.chi_bo_level.label}: {m.comment or 'chưa ghi lý do'}."
        proposed, rule = m.chi_bo_level, "chi_bo_level"

    if proposed is None:
        # S2 / R5 (366 Art. 3 cl. 4): a reviewed member must be ranked; under QĐ 124 a warning only.
        sev = F.error if pack.must_rank_all else F.warning
        findings.append(sev("MEMBER_UNRANKED", f"Đồng chí {m.name} thuộc diện đánh giá nhưng chưa có mức đề xuất: người được kiểm điểm phải được xếp loại; cấp ủy chưa thể quyết định.", where, "S2"))
    else:
        _member_checks(m, proposed, pack, settings, findings, where)
        findings.extend(pack.proposal_notes(m, proposed, where, settings))
    return SubjectResult(**common, **vote_fields, proposed_level=proposed, rule=rule, explanation=explanation,
                         cap_reasons=cap.reasons, state=_state(m.self_level, proposed, m.decided_level, m.rerank_level))


def _no_majority(pack: RulePack, message: str, where: str):
    """No level passes: under QĐ 124 a warning (R33: re-vote or refer); where every reviewed subject must be
    ranked (QĐ 366, R5/S2) an error, whatever the form of the vote and for members and collectives alike."""
    if pack.must_rank_all:
        return F.error("NO_MAJORITY", message, where, "R5")
    return F.warning("NO_MAJORITY", message, where, "R33")


def _vote_proposal(m: Member, vote, voted, vote_rule: str, support: int, cap: Cap, ctx: _Context, where: str):
    pack, settings, findings, base = ctx.pack, ctx.settings, ctx.findings, ctx.base
    if vote is None:
        return None, "no_votes", "Chưa có phiếu đánh giá."
    if isinstance(vote, Count):
        proposed, rule = voted, vote_rule
        if voted is not None and cap.level is not None and cap.level < voted:
            proposed, rule = cap.level, cap.rule
            findings.append(F.warning("LEVEL_CAPPED", f"Đồng chí {m.name}: kết quả phiếu {voted.label} nhưng {'; '.join(cap.reasons)}, nên đề xuất {proposed.label}.", where, "R12" if pack.uses_scores else "R18"))
        explanation = explain_vote(vote, base, voted, vote_rule, support, settings, cap, proposed)
        if voted is None:
            findings.append(_no_majority(pack, f"Đồng chí {m.name}: không mức nào đạt đa số so với {base} đảng viên chính thức; cần bỏ phiếu lại hoặc báo cáo cấp ủy.", where))
        elif vote_rule == "cumulative":
            if cascade_is_doubtful(vote, voted, vote_rule):
                findings.append(F.warning("VOTE_TIE_REVOTE", f"Đồng chí {m.name}: đề xuất {voted.label} chỉ có được nhờ cộng dồn số phiếu khi các mức bằng phiếu nhau hoặc dồn xuống mức thấp nhất: đề nghị hội nghị biểu quyết lại.", where, "R33"))
            else:
                findings.append(F.info("CUMULATIVE_APPLIED", f"Đồng chí {m.name}: đề xuất theo cách cộng dồn từ mức cao xuống (không mức nào đạt đa số riêng).", where, "R33"))
        return proposed, rule, explanation
    # A show of hands on the level put to the vote.
    put = vote.level
    if put is None:
        findings.append(F.error("HANDS_LEVEL_MISSING", f"Đồng chí {m.name}: biểu quyết giơ tay cần ghi mức đưa ra biểu quyết.", vote.where or where, "R32"))
        return None, "no_votes", "Chưa ghi mức đưa ra biểu quyết."
    explanation = explain_hands(vote.agree, vote.disagree, base, put, settings)
    if voted is None:
        findings.append(_no_majority(pack, f"Đồng chí {m.name}: mức {put.label} không được {threshold_label(put, settings)} số đảng viên chính thức tán thành; cần biểu quyết lại.", where))
        return None, "no_majority", explanation
    proposed, rule = voted, "majority"
    if cap.level is not None and cap.level < voted:
        proposed, rule = cap.level, cap.rule
        findings.append(F.warning("LEVEL_CAPPED", f"Đồng chí {m.name}: biểu quyết {voted.label} nhưng {'; '.join(cap.reasons)}, nên đề xuất {proposed.label}.", where, "R18"))
        explanation += f" Nhưng {'; '.join(cap.reasons)} nên đề xuất {proposed.label}."
    return proposed, rule, explanation


def _score_proposal(m: Member, score_level, band, score, cap: Cap, ctx: _Context, score_where: str):
    findings = ctx.findings
    if score is None:
        findings.append(F.error("SCORE_MISSING", f"Đồng chí {m.name} chưa có điểm chi bộ chấm (nhóm tiêu chí chung và nhóm kết quả): mức đề xuất theo điểm cần điểm này.", score_where, "S7"))
        return None, "no_score", "Chưa có điểm chi bộ chấm."
    explanation = _score_explanation(score_level, band, score, cap, ctx.pack)
    if cap.gap:
        return None, "gap", explanation
    rule = "score" if score_level == band else (cap.rule or "score")
    return score_level, rule, explanation


def _confirm(m: Member, vote, voted, score_level, ctx: _Context, where: str) -> Optional[bool]:
    """S19: a vote confirms the score's level; a disagreement is a warning naming both."""
    if vote is None or score_level is None:
        return None
    if isinstance(vote, Count):
        if voted == score_level:
            return True
        shown = voted.label if voted else "không mức nào đạt đa số"
        ctx.findings.append(F.warning("VOTE_DIFFERS_FROM_SCORE", f"Đồng chí {m.name}: theo điểm và điều kiện là {score_level.label}, kết quả bỏ phiếu là {shown}; đề xuất giữ theo điểm, đề nghị hội nghị thống nhất và ghi rõ trong biên bản.", where, "S19"))
        return False
    put = vote.level or score_level
    if put != score_level:
        ctx.findings.append(F.warning("VOTE_DIFFERS_FROM_SCORE", f"Đồng chí {m.name}: theo điểm và điều kiện là {score_level.label}, hội nghị biểu quyết mức {put.label}; đề xuất giữ theo điểm.", where, "S19"))
        return False
    if not hands_pass(vote.agree, ctx.base, score_level, ctx.settings):
        ctx.findings.append(F.warning("VOTE_NOT_CONFIRMED", f"Đồng chí {m.name}: mức {score_level.label} chỉ được {vote.agree}/{ctx.base} đồng chí tán thành (không đạt {threshold_label(score_level, ctx.settings)}); đề nghị thảo luận, biểu quyết lại.", where, "S19"))
        return False
    return True


def _member_checks(m: Member, proposed: Level, pack: RulePack, settings: RuleSettings, findings: list, where: str) -> None:
    perf = m.performance
    if m.self_level is not None and m.self_level != proposed:
        findings.append(F.info("SELF_LEVEL_DIFFERS", f"Đồng chí {m.name} tự nhận {m.self_level.label}, chi bộ đề xuất {proposed.label}.", where, "R2"))
    if proposed is Level.HTXSNV:
        if pack.uses_scores:
            missing = perf.score is None and perf.self_score is None
            what = "điểm chấm"
        else:
            rates = task_rates(perf)
            missing = None in (perf.criteria_grade, perf.results_grade, rates.done_pct, rates.exceeded_pct)
            what = "mức các tiêu chí, tỷ lệ hoàn thành và vượt mức chỉ tiêu"
        if missing:
            findings.append(F.info("HTXS_EVIDENCE_MISSING", f"Đồng chí {m.name} được đề xuất Hoàn thành xuất sắc nhiệm vụ nhưng chưa nhập {what}: cần minh chứng đủ điều kiện.", where, "R12" if pack.uses_scores else "R18"))
    if m.civil_service_level is not None and proposed > m.civil_service_level:
        sev = F.error if settings.civil_service_link == "block" else F.warning
        findings.append(sev("CIVIL_SERVICE_LOWER", f"Đồng chí {m.name} được đề xuất {proposed.label} nhưng xếp loại công chức, viên chức là {m.civil_service_level.label} (kết quả đánh giá cán bộ, công chức, viên chức là cơ sở).", where, "R27"))


# --------------------------------------------------------------------------- collectives


def _collective_result(case: Case, coll: Collective, leaders: tuple, ctx: _Context, voters: int):
    """The proposal for one collective (the chi bộ or another), on the same basis as the members."""
    pack, settings, findings, base = ctx.pack, ctx.settings, ctx.findings, ctx.base
    is_cell = coll.kind is CollectiveKind.CHI_BO
    name = (case.meeting.party_cell or "Chi bộ") if is_cell else (coll.name or coll.kind.label)
    where = coll.where or ("Chi bộ" if is_cell else name)
    named = Collective(**{**coll.__dict__, "name": name, "where": where})
    cap = pack.collective_cap(named, leaders, settings)
    findings.extend(cap.findings)
    perf = coll.performance
    if pack.uses_scores:
        for problem in pack.score_problems(perf):
            findings.append(F.error("SCORE_OUT_OF_RANGE", f"{name}: {problem}.", where, "S5"))
    from ..core.tasks import task_problems

    for problem in task_problems(perf.tasks):
        findings.append(F.error("TASK_COUNTS_INVALID", f"{name}: {problem}.", where, "S8"))
    score = perf.score if pack.uses_scores else None
    band = pack.score_band(score) if score is not None else None
    score_level = None
    if band is not None and not cap.gap:
        score_level = band if cap.level is None else min(band, cap.level)
    decider = coll.decider or (pack.decider(case, coll.kind, settings) if coll.kind is not CollectiveKind.LEADERSHIP
                               else "cơ quan, tổ chức quản lý đơn vị")
    count, totals = count_cell(coll.votes, findings)
    if totals is not None and totals.returned > voters:
        findings.append(F.error("BALLOTS_EXCEED_VOTERS", f"Số phiếu đánh giá {name} ({totals.returned}) lớn hơn số đảng viên chính thức có mặt ({voters}).", getattr(coll.votes, "where", "") or where, "R31"))
    common = dict(name=name, reviewed=True, base=base, self_level=coll.self_level,
                  self_score=perf.self_score if pack.uses_scores else None, score=score,
                  results_score=perf.score_results if pack.uses_scores else None, band=band, score_level=score_level,
                  decided_level=coll.decided_level, decision_ref=coll.decision_ref, basis=ctx.basis,
                  group=coll.kind.key, group_label=coll.kind.label, kind_label=coll.kind.label, decider=decider,
                  members=coll.members, tasks=_rates_dict(perf), where=coll.where, opinions=coll.opinions,
                  comment=coll.comment, cap_reasons=cap.reasons)
    vote_fields: dict = {}
    voted, vote_rule, support = None, "", 0
    hands = coll.votes if isinstance(coll.votes, CellHands) else None
    if count is not None:
        voted, vote_rule, support = vote_level(count, base, settings)
        vote_fields = dict(votes=count.votes, valid=count.valid, spoiled=count.spoiled, voted_level=voted,
                           vote_form="tally" if isinstance(coll.votes, CellTally) else "grid")
    elif hands is not None:
        put = hands.level or (score_level if ctx.basis != "vote" else coll.self_level)
        vote_fields = dict(vote_form="hands", hands=(hands.agree, hands.disagree), hands_level=put)
        if put is not None and hands_pass(hands.agree, base, put, settings):
            voted = put
        vote_rule = "majority" if voted else "no_majority"

    if ctx.basis == "vote":
        if count is None and hands is None:
            if is_cell:
                findings.append(F.warning("NO_CELL_BALLOTS", "Chưa có kết quả biểu quyết xếp loại chi bộ.", "Phiếu chi bộ", "R2"))
            else:
                findings.append(F.warning("NO_CELL_BALLOTS", f"Chưa có kết quả biểu quyết xếp loại {name}.", where, "R2"))
            proposed, rule, explanation = None, "no_votes", f"Chưa có phiếu đánh giá {'chi bộ' if is_cell else name}."
        else:
            proposed, rule = voted, vote_rule
            if voted is not None and cap.level is not None and cap.level < voted:
                proposed, rule = cap.level, cap.rule
                findings.append(F.warning("LEVEL_CAPPED", f"{name}: kết quả phiếu {voted.label} nhưng {'; '.join(cap.reasons)}, nên đề xuất {proposed.label}.", where, "R16" if pack.uses_scores else "R21"))
            if voted is None:
                findings.append(_no_majority(pack, f"{name}: không mức nào đạt đa số; cần biểu quyết lại.", where))
            if count is not None:
                explanation = explain_vote(count, base, voted, vote_rule, support, settings, cap, proposed)
            else:
                explanation = explain_hands(hands.agree, hands.disagree, base, vote_fields["hands_level"] or Level.HTTNV, settings) \
                    if vote_fields.get("hands_level") else "Chưa ghi mức đưa ra biểu quyết."
    else:
        if score is None:
            findings.append(F.error("SCORE_MISSING", f"{name} chưa có điểm thẩm định (nhóm tiêu chí chung và nhóm kết quả, Mẫu 01).", where, "S12"))
            proposed, rule, explanation = None, "no_score", "Chưa có điểm thẩm định."
        else:
            explanation = _score_explanation(score_level, band, score, cap, pack).replace("Chi bộ chấm", "Điểm thẩm định")
            proposed = None if cap.gap else score_level
            rule = "gap" if cap.gap else ("score" if score_level == band else (cap.rule or "score"))
        if count is not None or hands is not None:
            if score_level is not None and voted != score_level:
                shown = voted.label if voted else "không đạt đa số"
                findings.append(F.warning("VOTE_DIFFERS_FROM_SCORE", f"{name}: theo điểm và điều kiện là {score_level.label}, kết quả biểu quyết là {shown}; đề xuất giữ theo điểm.", where, "S19"))
                vote_fields["confirmed"] = False
            elif score_level is not None:
                vote_fields["confirmed"] = True
            if count is not None:
                explanation += " " + explain_vote(count, base, voted, vote_rule, support, settings, Cap(), voted)
            elif vote_fields.get("hands_level") is not None:
                explanation += " " + explain_hands(hands.agree, hands.disagree, base, vote_fields["hands_level"], settings)
    if coll.chi_bo_level is not None:
        limit = cap.level if cap.level is not None else band
        if limit is not None and coll.chi_bo_level > limit:
            findings.append(F.error("CHI_BO_LEVEL_ABOVE_RULES", f"{name}: hội nghị ghi mức {coll.chi_bo_level.label}, cao hơn mức tối đa theo điểm và điều kiện ({limit.label}).", where, "S7"))
        if not coll.comment:
            findings.append(F.error("CHI_BO_LEVEL_NEEDS_COMMENT", f"{name}: hội nghị ghi mức {coll.chi_bo_level.label}; cần ghi nhận xét nêu lý do.", where, "S16"))
        if coll.chi_bo_level != proposed:
            explanation += f" Hội nghị thống nhất đề xuất {coll.chi_bo_level.label}: {coll.comment or 'chưa ghi lý do'}."
        proposed, rule = coll.chi_bo_level, "chi_bo_level"
    if proposed is Level.HTXSNV and is_cell:
        findings.append(F.info("CELL_QUOTA_POOLED", "Chi bộ đề xuất Hoàn thành xuất sắc nhiệm vụ: tỷ lệ tối đa 20% (hoặc 25%) số Hoàn thành tốt nhiệm vụ do đảng ủy áp dụng chung cho các chi bộ.", "Chi bộ", "R26"))
    if coll.self_level is not None and proposed is not None and coll.self_level != proposed:
        findings.append(F.info("SELF_LEVEL_DIFFERS", f"{name} tự xếp loại {coll.self_level.label}, hội nghị đề xuất {proposed.label}.", where, "R2"))
    result = SubjectResult(**common, **vote_fields, proposed_level=proposed, rule=rule, explanation=explanation,
                           state=_state(coll.self_level, proposed, coll.decided_level, None))
    return result, totals


# --------------------------------------------------------------------------- summary


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


__all__ = ["compute", "RulesError", "PROPOSAL_BASES"]
