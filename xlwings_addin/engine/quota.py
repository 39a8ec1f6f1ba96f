"""The HTXSNV cap (R22-R26, S14, S15): in total and per group of similar posts; advice, never a change.

366 Art. 11 cl. 1.5 (and 124 Art. 12): the number ranked HTXSNV must not exceed 20% of those ranked
HTTNV, counted per group with similar position, role, function and tasks (25% for an outstanding
unit with approval under 366). The chi bộ only proposes and the đảng ủy may pool the cap across
cells, so an excess is a warning with the largest compliant count and, under QĐ 366, the candidates
ordered by appraised score (then the task-results score, P5; ties flagged).
"""

from __future__ import annotations

from fractions import Fraction
from math import floor

from ..core import findings as F
from ..core.levels import Level
from ..core.result import GroupQuota, Quota, SubjectResult
from ..core.vnformat import decimal_vn, percent_vn
from ..rules.base import RulePack
from ..rules.settings import RuleSettings


def limits(ratio: Fraction, htt: int, candidates: int) -> tuple[int, int]:
    """(limit, largest compliant count): floor(r x HTT) and floor(r (HTT + C) / (1 + r)) (R23, S15)."""
    return floor(ratio * htt), floor(ratio * (htt + candidates) / (1 + ratio))


def _ranked(candidates: list[SubjectResult], by_score: bool) -> tuple[list[dict], list]:
    """Candidates best first, with their keys; ties marked.

    Under a pack with scores: the appraised score, then the results score (P5). Otherwise: the HTXSNV
    votes (R25, customary).
    """
    def key(r):
        if by_score:
            return (r.score if r.score is not None else Fraction(-1),
                    r.results_score if r.results_score is not None else Fraction(-1))
        return (r.votes_for(Level.HTXSNV),)

    ordered = sorted(candidates, key=key, reverse=True)
    keys = [key(r) for r in ordered]
    out = []
    for i, r in enumerate(ordered):
        tie = (i > 0 and keys[i] == keys[i - 1]) or (i + 1 < len(keys) and keys[i] == keys[i + 1])
        out.append({"name": r.name, "score": _n(r.score) if by_score else None,
                    "results_score": _n(r.results_score) if by_score else None, "tie": tie})
    return out, keys


def _tie_finding(keys: list, max_ok: int, what: str, prefix: str, rule: str):
    """QUOTA_TIE when candidates over the cap tie (R25, S15), or None.

    A tie across the largest compliant count (the last candidate within it and the first beyond it are
    equal) leaves to a human the choice of who stays within the limit: a warning. A tie elsewhere in the
    order changes nothing about that choice: an info.
    """
    if not any(keys[i] == keys[i + 1] for i in range(len(keys) - 1)):
        return None
    if 0 < max_ok < len(keys) and keys[max_ok - 1] == keys[max_ok]:
        text = (f"có đảng viên đề xuất HTXSNV bằng {what} ngay ở ranh giới số lớn nhất phù hợp ({max_ok}): "
                "ai nằm trong giới hạn do cấp ủy xem xét, quyết định.")
        make = F.warning
    else:
        text = (f"có đảng viên đề xuất HTXSNV bằng {what} (không ở ranh giới số lớn nhất phù hợp {max_ok}): "
                "thứ tự xem xét do chi ủy đề xuất.")
        make = F.info
    return make("QUOTA_TIE", prefix + text if prefix else text[0].upper() + text[1:], "Kết quả", rule)


def _n(v):
    if v is None:
        return None
    return int(v) if v.denominator == 1 else round(float(v), 4)


def check(results, case, settings: RuleSettings, pack: RulePack, findings: list, collectives, cell) -> Quota:
    ratio, refused = pack.quota_ratio(settings, case.party_cell.exceptional_unit_approved)
    if refused:
        findings.append(F.warning("QUOTA_25_NOT_IN_124", "Chi bộ được ghi là đơn vị có thành tích nổi trội, nhưng quy định áp dụng không có tỷ lệ 25%: vẫn tính 20%.", "Chi bộ", "R22"))
    reviewed = [r for r in results if r.reviewed]
    xs = [r for r in reviewed if r.proposed_level is Level.HTXSNV]
    htt = sum(1 for r in reviewed if r.proposed_level is Level.HTTNV)
    c = len(xs)
    limit, max_ok = limits(ratio, htt, c)
    exceeded = c > limit
    pct_label = decimal_vn(ratio * 100) + "%"
    share_htt = percent_vn(c, htt) if htt else ("—" if not c else "không xác định")
    share_all = percent_vn(c, len(reviewed)) if reviewed else "0%"
    by_group = pack.uses_scores and settings.quota_by_group

    # R25: a customary suggestion of whom to look at first, lowest support first: by the score under
    # QĐ 366 where recorded, else by the HTXSNV votes.
    def low_first(r: SubjectResult):
        score = r.score if pack.uses_scores else None
        return (score if score is not None else Fraction(-1), r.votes_for(Level.HTXSNV))

    ordered = sorted(xs, key=low_first)
    pool = settings.quota_pool
    advice = ("Đảng ủy có thể tính tỷ lệ chung cho nhiều chi bộ; số liệu trên là đề xuất của chi bộ, phần mềm không tự thay đổi."
              if pool != "chi_bo_co_so" else "Chi bộ cơ sở là một nhóm duy nhất: cần xem xét lại trước khi cấp trên quyết định.")
    sev = F.error if pool == "chi_bo_co_so" else F.warning
    if exceeded and not by_group:
        findings.append(sev(
            "QUOTA_EXCEEDED",
            f"Số đề xuất Hoàn thành xuất sắc nhiệm vụ ({c}) vượt {pct_label} số Hoàn thành tốt nhiệm vụ: "
            f"{c}/{htt} = {share_htt} so với mức tối đa {pct_label} (tối đa {limit} trong chi bộ). "
            f"Tỷ lệ {c}/{len(reviewed)} = {share_all} trên tổng số đảng viên được đánh giá không phải là cơ sở tính. "
            f"Nếu chuyển bớt sang Hoàn thành tốt nhiệm vụ, số lớn nhất phù hợp là {max_ok} "
            f"({max_ok} HTXSNV, {htt + c - max_ok} HTTNV). {advice}",
            "Kết quả", "R22"))

    groups = []
    if by_group:
        keys: dict = {}
        for r in reviewed:
            keys.setdefault(r.group or "all", r.group_label or "Tất cả đảng viên")
        for key in sorted(keys):
            members = [r for r in reviewed if (r.group or "all") == key]
            g_xs = [r for r in members if r.proposed_level is Level.HTXSNV]
            g_htt = sum(1 for r in members if r.proposed_level is Level.HTTNV)
            g_limit, g_max = limits(ratio, g_htt, len(g_xs))
            cands, g_keys = _ranked(g_xs, True)
            ties = any(cand["tie"] for cand in cands)
            for i, cand in enumerate(cands):
                cand["within_limit"] = i < g_max
            g_exceeded = len(g_xs) > g_limit
            groups.append(GroupQuota(key, keys[key], str(ratio), g_limit, len(g_xs), g_htt, g_exceeded, g_max, tuple(cands),
                                     ties and g_exceeded))
            if g_exceeded:
                order = "; ".join(f"{x['name']} ({decimal_vn(Fraction(str(x['score'])))} điểm)" if x["score"] is not None else x["name"]
                                  for x in cands)
                findings.append(sev(
                    "QUOTA_GROUP_EXCEEDED",
                    f"Nhóm {keys[key]}: {len(g_xs)} đề xuất Hoàn thành xuất sắc nhiệm vụ, vượt {pct_label} số Hoàn thành tốt nhiệm vụ "
                    f"của nhóm ({g_htt}; tối đa {g_limit}). Nếu chuyển bớt, số lớn nhất phù hợp là {g_max}; thứ tự theo điểm thẩm định: "
                    f"{order}. {advice}", "Kết quả", "S14"))
                tie = _tie_finding(g_keys, g_max, "điểm thẩm định và điểm kết quả thực hiện nhiệm vụ", f"Nhóm {keys[key]}: ", "S15")
                if tie is not None:
                    findings.append(tie)
    else:
        cands, all_keys = _ranked(xs, pack.uses_scores)
        ties = any(cand["tie"] for cand in cands)
        for i, cand in enumerate(cands):
            cand["within_limit"] = i < max_ok
        groups.append(GroupQuota("all", "Tất cả đảng viên", str(ratio), limit, c, htt, exceeded, max_ok, tuple(cands), ties and exceeded))
        if exceeded:
            tie = _tie_finding(all_keys, max_ok, "điểm thẩm định và điểm kết quả thực hiện nhiệm vụ" if pack.uses_scores
                               else "số phiếu Hoàn thành xuất sắc nhiệm vụ", "", "S15" if pack.uses_scores else "R25")
            if tie is not None:
                findings.append(tie)
    coll_xs = tuple(x.subject.name for x in collectives if x.subject.proposed_level is Level.HTXSNV)
    if cell is not None and cell.proposed_level is Level.HTXSNV:
        coll_xs = (cell.name,) + coll_xs
    return Quota(
        ratio=str(ratio), ratio_label=pct_label, pool=pool, proposed=c, htt=htt,
        reviewed=len(reviewed), limit=limit, exceeded=exceeded, max_compliant=max_ok,
        share_of_htt=share_htt, share_of_reviewed=share_all,
        demotion_order=tuple(r.name for r in ordered) if exceeded else (),
        groups=tuple(groups), collectives_htxs=coll_xs,
    )
