"""Result + case -> the template context: ready-made Vietnamese strings (pure, no I/O).

The keys are the contract with the templates in ``templates/`` (see docs/documents.md). Every
number, date, list punctuation and sentence is made here; the templates only loop and test flags.

What the minutes say follows what a chi bộ's minutes say (shared reference minutes-format.md §2):
the sections come in the order of rankings (``result.order``: the unit's leadership collective,
the members, the chi ủy, the chi bộ), each collective with its own small table; what was typed at
the meeting (opinions, comments, the conclusion, times and counts of approval) is printed as typed,
and what was not is a labelled blank to fill by hand, never invented text. The settings of the rule
pack stay in the workbook: the minutes say in one sentence what the base and the threshold were.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Optional

from ..core.levels import LEVELS, Level
from ..core.models import Attendance, Case, Collective, CollectiveKind, FormGroup
from ..core.result import Result, SubjectResult
from ..core.vnformat import date_long_vn, date_short_vn, percent_vn, upper_vn
from .text import (INLINE_BLANK, LINE_BLANK, SHORT_BLANK, clock, count, first_sentence, join_and, lower_first, n2,
                   ratio, score, score_of, sentence, user_text)

LEGEND = ("HTXSNV: Hoàn thành xuất sắc nhiệm vụ; HTTNV: Hoàn thành tốt nhiệm vụ; HTNV: Hoàn thành nhiệm vụ; "
          "KHTNV: Không hoàn thành nhiệm vụ; CT: chính thức; DB: dự bị.")
LEGEND_GROUPS = ("Nhóm 2A: cán bộ lãnh đạo, quản lý; 2B: đảng viên không giữ chức vụ lãnh đạo, quản lý; "
                 "2C: đảng viên không làm việc trong hệ thống chính trị.")

#: Findings a human must weigh: they go into the "Ghi chú" of the minutes with the engine's message.
#: (Caps, spoiled lines, absences, the quota and members not reviewed get their own wording.)
FLAGGED_FINDINGS = ("NO_MAJORITY", "VOTE_TIE_REVOTE", "DISCIPLINE_SELF_REMEDIED", "DISCIPLINE_NOT_DUTY_RELATED",
                    "DISCIPLINE_EARLIER_PERIOD", "LEADER_MITIGATION", "UNCLASSIFIABLE_GAP", "CIVIL_SERVICE_LOWER",
                    "VOTE_DIFFERS_FROM_SCORE", "VOTE_NOT_CONFIRMED", "COLLECTIVE_EXCEPTION_CLAIMED",
                    "FAULT_OF_PREVIOUS_UNIT", "SMALL_COLLECTIVE", "CHI_BO_LEVEL_USED", "MEMBER_UNRANKED")

#: A collective kind in prose, for titles and headings.
KIND_PHRASE = {"chi_bo": "chi bộ", "chi_uy": "chi ủy", "lanh_dao_don_vi": "tập thể lãnh đạo đơn vị",
               "khac": "tập thể"}

BANDS_SENTENCE = ("từ 90 điểm trở lên: Hoàn thành xuất sắc nhiệm vụ; từ 70 đến dưới 90 điểm: Hoàn thành tốt nhiệm vụ; "
                  "từ 50 đến dưới 70 điểm: Hoàn thành nhiệm vụ; dưới 50 điểm: Không hoàn thành nhiệm vụ")

_VOTED = ("grid", "tally")


# ---------------------------------------------------------------------------
# Small pieces
# ---------------------------------------------------------------------------


def punctuate(items: list[str]) -> list[str]:
    """End list items with ";" and the last with "." (items ending with ":" introduce a sub-list)."""
    out = []
    for i, item in enumerate(items):
        item = item.rstrip().rstrip(";.")
        if item.endswith(":"):
            out.append(item)
        else:
            out.append(item + ("." if i == len(items) - 1 else ";"))
    return out


def _signer_title(title: str) -> tuple[str, str]:
    """(authority, title) for the right signature block, from the chair's title."""
    t = title.casefold()
    if "phó bí thư" in t:
        return "T/M CHI BỘ", "PHÓ BÍ THƯ"
    if "bí thư" in t:
        return "T/M CHI BỘ", "BÍ THƯ"
    return "", "CHỦ TRÌ HỘI NGHỊ"


def _committee(case: Case) -> str:
    return case.meeting.upper_committee or "cấp ủy cấp trên"


def _voted(r: Optional[SubjectResult]) -> bool:
    return bool(r and r.reviewed and r.vote_form in _VOTED)


def _pct(part: int, whole: int) -> str:
    return percent_vn(part, whole) if whole else "0%"


def _group_phrase(code: str) -> str:
    try:
        g = FormGroup.parse(code)
    except ValueError:
        return f"nhóm {code}"
    return f"{g.description[0].lower() + g.description[1:]} ({g.label})"


def is_wide(result: Result) -> bool:
    """Collectives or leaders are reviewed: the title names "tập thể, cá nhân cán bộ lãnh đạo, quản lý"."""
    return bool(result.collectives) or any(r.reviewed and r.group == "2A" for r in result.members)


def subject_line(result: Result, lead: str = "hội nghị kiểm điểm, đánh giá, xếp loại chất lượng") -> str:
    extra = " và tập thể, cá nhân cán bộ lãnh đạo, quản lý" if is_wide(result) else ""
    return f"{lead} chi bộ, đảng viên{extra} năm {result.review_year}"


def legal_basis(case: Case, result: Result) -> list[str]:
    """The user's basis lines, plus the guidance applied when no line mentions it already."""
    lines = [user_text(x).rstrip(";.,") for x in case.meeting.legal_basis if user_text(x)]
    guidance = result.guidance_title
    if guidance:
        number = re.search(r"\d+-HD/[A-ZĐ]+", guidance)
        key = number.group(0) if number else guidance
        if not any(key in line for line in lines):
            # Party style puts a comma before "ngày" when citing a document (minutes-format.md §5).
            cited = re.sub(r"(số \S+) ngày", r"\1, ngày", guidance)
            after = next((i + 1 for i, line in enumerate(lines) if "QĐ/TW" in line), 0)
            lines.insert(after, cited)
    out = []
    for line in lines:
        if not line.lower().startswith(("thực hiện", "căn cứ")):
            line = "Thực hiện " + line
        out.append(line)
    return punctuate(out)


def base_sentence(case: Case, result: Result) -> str:
    """One natural sentence on the base of the percentages (never the setting's name)."""
    return f"Tỷ lệ % tính trên {base_phrase(case, result)}."


def base_phrase(case: Case, result: Result) -> str:
    policy = result.settings.get("base_policy", "official_excl_excused")
    base = result.base
    if policy == "present":
        return f"{base} đảng viên chính thức có mặt"
    official = [m for m in case.members if m.is_official]
    if base == len(official):
        return f"{base} đảng viên chính thức của chi bộ"
    reasons: dict[str, int] = {}
    for m in official:
        if m.suspended:
            key = "đình chỉ sinh hoạt đảng"
        elif m.exempt and not m.present:
            key = "miễn công tác và sinh hoạt đảng"
        elif policy != "official_all" and m.temporarily_elsewhere and not m.present:
            key = "sinh hoạt tạm thời nơi khác"
        elif policy != "official_all" and m.attendance is Attendance.ABSENT_EXCUSED:
            key = "vắng mặt có lý do"
        else:
            continue
        reasons[key] = reasons.get(key, 0) + 1
    if sum(reasons.values()) == len(official) - base and reasons:
        why = join_and(f"{count(n)} {k}" for k, n in reasons.items())
        return f"{base} đảng viên chính thức (không tính {why})"
    return f"{base} đảng viên chính thức"


def threshold_sentence(case: Case, result: Result) -> str:
    bp = base_phrase(case, result).split(" (")[0]
    if result.settings.get("htxs_threshold") == "two_thirds":
        extra = "; riêng mức Hoàn thành xuất sắc nhiệm vụ cần từ 2/3 số phiếu trở lên"
    else:
        extra = ""
    return f"Mức đề nghị là mức được trên 1/2 số phiếu so với {bp}{extra}."


# ---------------------------------------------------------------------------
# Opening facts
# ---------------------------------------------------------------------------


def attendance_lines(case: Case) -> list[str]:
    members = case.members
    official = sum(1 for m in members if m.is_official)
    probationary = len(members) - official
    exempt = sum(1 for m in members if m.exempt)
    expected = [m for m in members if not m.suspended and not (m.exempt and not m.present)
                and not (m.temporarily_elsewhere and not m.present)]
    present = sum(1 for m in expected if m.present)
    absent = [m for m in expected if not m.present]
    excused = sum(1 for m in absent if m.attendance is Attendance.ABSENT_EXCUSED)
    kinds = (f"chính thức {n2(official)}, dự bị {n2(probationary)}" if probationary
             else "đều là đảng viên chính thức")
    total = f"Tổng số đảng viên của chi bộ: {count(len(members))} ({kinds})"
    if exempt:
        total += f"; miễn công tác và sinh hoạt đảng {count(exempt)}"
    lines = [total, f"Có mặt: {ratio(present, len(expected))} đồng chí (đạt {_pct(present, len(expected))})"]
    if not absent:
        lines.append("Vắng mặt: không")
    else:
        lines.append(f"Vắng mặt: {count(len(absent))} (có lý do {n2(excused)}, không lý do {n2(len(absent) - excused)}), gồm:")
        for m in absent:
            reason = user_text(m.absence_reason) or ("có lý do" if m.attendance is Attendance.ABSENT_EXCUSED
                                                     else "không có lý do")
            lines.append(f"+ Đồng chí {m.name}, lý do: {reason}")
    return [line if line.startswith("+") else "- " + line for line in punctuate(lines)]


def _approval(agree: Optional[int], voters: int) -> str:
    """ "22/22 đồng chí nhất trí (100%)", or blanks to fill."""
    if agree is None:
        return f"{SHORT_BLANK}/{n2(voters)} đồng chí nhất trí ({SHORT_BLANK}%)"
    return f"{ratio(agree, voters)} đồng chí nhất trí ({_pct(agree, voters)})"


def method_lines(case: Case, result: Result) -> list[str]:
    """How the meeting ranks: the form, the Ban kiểm phiếu, the base and the threshold, in plain words."""
    m = case.meeting
    subjects = [r for r in _all_subjects(result) if r.reviewed]
    any_ballot = any(r.vote_form in _VOTED for r in subjects)
    any_vote = any(r.vote_form for r in subjects)
    method = user_text(m.voting_method) or "biểu quyết"
    lines = []
    if result.uses_scores:
        text = ("Hội nghị thống nhất cách đánh giá, xếp loại: chi bộ thẩm định, chấm điểm từng tập thể, cá nhân theo "
                f"khung 100 điểm (tiêu chí chung 30 điểm, kết quả thực hiện nhiệm vụ 70 điểm); mức đề xuất căn cứ điểm "
                f"và các điều kiện của từng mức ({BANDS_SENTENCE})")
        if any_vote:
            text += f"; hội nghị {method} để thống nhất mức đề xuất"
        lines.append(text + ".")
    else:
        lines.append(f"Hội nghị thống nhất hình thức đánh giá, xếp loại: {method}.")
    if any_ballot and m.vote_counters:
        names = [f"đồng chí {p.name}" + (f" ({p.title})" if p.title else "") for p in m.vote_counters]
        lines.append(f"Hội nghị bầu Ban kiểm phiếu gồm {count(len(names))}: {', '.join(names)}; "
                     f"{_approval(m.counters_agree, result.present_official)}.")
    if any_vote:
        lines.append(base_sentence(case, result))
        if result.proposal_basis == "vote" or any_ballot:
            lines.append(threshold_sentence(case, result))
        else:
            bp = base_phrase(case, result).split(" (")[0]
            lines.append(f"Mức đề xuất theo điểm được thống nhất khi có trên 1/2 số đảng viên chính thức tán thành "
                         f"(so với {bp}).")
    if any(r.rule == "cumulative" for r in subjects):
        lines.append("Trường hợp không mức nào được trên 1/2 số phiếu, hội nghị cộng dồn số phiếu từ mức cao xuống "
                     "để xác định mức đề nghị (ghi rõ ở từng trường hợp).")
    return lines


# ---------------------------------------------------------------------------
# Subjects: votes and proposals in words
# ---------------------------------------------------------------------------


def _all_subjects(result: Result) -> list[SubjectResult]:
    out = [c.subject for c in result.collectives]
    if result.party_cell is not None:
        out.append(result.party_cell)
    return out + list(result.members)


def vote_phrase(r: SubjectResult) -> str:
    """The vote on one subject in words ("" when there was none)."""
    if not r.reviewed or not r.vote_form:
        return ""
    if r.vote_form == "hands":
        agree, disagree = r.hands
        text = f"biểu quyết giơ tay {ratio(agree, r.base)} đồng chí tán thành ({_pct(agree, r.base)})"
        if disagree:
            text += f", {count(disagree)} không tán thành"
        return text
    if r.rule == "cumulative" and r.voted_level:
        support = sum(r.votes_for(lvl) for lvl in LEVELS if lvl >= r.voted_level)
        return (f"kết quả bỏ phiếu: không mức nào được trên 1/2 số phiếu; cộng dồn từ mức cao xuống, mức "
                f"{r.voted_level.label} được {ratio(support, r.base)} phiếu ({_pct(support, r.base)})")
    if r.voted_level:
        n = r.votes_for(r.voted_level)
        return f"kết quả bỏ phiếu: {r.voted_level.label} {ratio(n, r.base)} phiếu ({_pct(n, r.base)})"
    top = max(LEVELS, key=lambda lvl: (r.votes_for(lvl), lvl.rank))
    return (f"kết quả bỏ phiếu: không mức nào được trên 1/2 số phiếu (cao nhất: {top.label} "
            f"{ratio(r.votes_for(top), r.base)} phiếu)")


def capped(r: SubjectResult) -> bool:
    """The proposal is below what the vote or the score's band gave (a cap with a reason)."""
    if not r.proposed_level:
        return False
    above = r.band if r.band and r.basis != "vote" else r.voted_level
    return bool(above and r.proposed_level < above and r.rule.startswith("capped"))


def _levels_named(text: str) -> list[Level]:
    found = []
    for lvl in LEVELS:
        # "Hoàn thành nhiệm vụ" is also the tail of "Không hoàn thành nhiệm vụ": match it on its own.
        if re.search(r"(?<![Kk]hông )" + re.escape(lvl.label), text):
            found.append(lvl)
    return found


def cap_reason(r: SubjectResult) -> str:
    """The reasons of a cap: without the restatement of the score's band, and without the conditions
    of levels above the one the vote or the band gave (they explain nothing about this cap)."""
    above = r.band if result_uses_band(r) else r.voted_level
    reasons = [x for x in r.cap_reasons if not x.startswith("điểm chi bộ chấm")]
    relevant = [x for x in reasons if not above or not any(lvl > above for lvl in _levels_named(x))]
    return "; ".join(relevant or reasons) or "chưa đủ điều kiện của mức cao hơn"


def _proposal_verb(result: Result) -> str:
    return "đề xuất" if result.uses_scores else "đề nghị"


def member_head(r: SubjectResult, result: Result) -> str:
    """ "Đồng chí X (post; Mẫu 2A)" (the bold start of a member's paragraph)."""
    extras = [user_text(r.role)] if r.role else []
    if result.uses_scores and r.group:
        extras.append(f"Mẫu {r.group}")
    return f"Đồng chí {r.name}" + (f" ({'; '.join(extras)})" if extras else "")


def member_line(r: SubjectResult, result: Result) -> str:
    """One sentence for a member: self-assessment, the chi bộ's appraisal and vote, the proposal."""
    return f"{member_head(r, result)}: {member_rest(r, result)}"


def member_rest(r: SubjectResult, result: Result) -> str:
    """What follows the member's name: self-assessment; appraisal; vote; proposal."""
    own = f"tự nhận mức {r.self_level.label}" if r.self_level else f"tự nhận mức {INLINE_BLANK}"
    if result.uses_scores:
        own = f"tự chấm {score_of(r.self_score)}, " + own
    parts = [own]
    # The cap's reason follows what it lowered: the score's band, or the vote where the vote decides
    # (under QĐ 124, or under QĐ 366 with the "vote" basis, where a member may have no band at all).
    by_band = result.uses_scores and r.band is not None and r.basis != "vote"
    if result.uses_scores:
        appraisal = f"chi bộ chấm {score_of(r.score)}"
        if by_band and capped(r):
            appraisal += f" (khung {r.band.label}) nhưng {cap_reason(r)}"
        parts.append(appraisal)
    vote = vote_phrase(r)
    if vote:
        if not by_band and capped(r):
            vote += f" nhưng {cap_reason(r)}"
        parts.append(vote)
    verb = _proposal_verb(result)
    parts.append(f"chi bộ {verb} mức {r.proposed_level.label}" if r.proposed_level
                 else f"chưa xác định được mức {verb}")
    return "; ".join(parts) + "."


def table_note(r: SubjectResult, case_member=None) -> str:
    """The "Ghi chú" cell of a member row (tables may abbreviate, with a legend)."""
    notes = []
    if not r.reviewed:
        notes.append(f"Không đánh giá, xếp loại: {lower_first_reason(r.not_reviewed_reason)}")
    if case_member is not None and r.reviewed and not case_member.present:
        notes.append("Vắng mặt, kiểm điểm bổ sung")
    spoiled = spoiled_lines(r)
    if spoiled:
        notes.append(f"{count(spoiled, 'phiếu')} không hợp lệ đối với đồng chí này")
    if capped(r):
        above = r.band if r.band and r.basis != "vote" else r.voted_level
        notes.append(("Khung điểm " if result_uses_band(r) else "Kết quả phiếu ") + f"{above.short}; chưa đủ điều kiện")
    if r.rule == "cumulative":
        notes.append("Đề xuất theo cách cộng dồn")
    if r.note:
        notes.append(user_text(r.note))
    # The upper committee's decision comes after the meeting: the report and the notice show it, not the minutes.
    return "; ".join(notes)


def result_uses_band(r: SubjectResult) -> bool:
    return bool(r.band and r.basis != "vote")


def lower_first_reason(text: str) -> str:
    text = user_text(text)
    return text[0].lower() + text[1:] if text else text


def spoiled_lines(r: SubjectResult) -> int:
    """Spoiled lines on valid ballots for this subject: its row falls short of the valid ballots."""
    if r.vote_form not in _VOTED or not r.reviewed:
        return 0
    return r.spoiled or max(0, r.valid - sum(r.votes))


# ---------------------------------------------------------------------------
# Sections of the minutes, in the order of rankings
# ---------------------------------------------------------------------------


def _collective_of(case: Case, r: SubjectResult) -> Optional[Collective]:
    if result_is_cell(case, r):
        return case.party_cell
    for c in case.collectives:
        if (c.name or case.meeting.party_cell) == r.name:
            return c
    return None


def result_is_cell(case: Case, r: SubjectResult) -> bool:
    return r.name == case.meeting.party_cell and r.group in ("", CollectiveKind.CHI_BO.key)


def _collective_rows(case: Case, result: Result, r: SubjectResult, coll: Optional[Collective]) -> list[dict]:
    """The small results table of one collective: label / value rows."""
    rows = []
    own = []
    if result.uses_scores:
        own.append(f"tự chấm {score_of(r.self_score)}")
    own.append(f"tự xếp loại {r.self_level.label}" if r.self_level else f"tự xếp loại {INLINE_BLANK}")
    rows.append({"label": "Tự đánh giá, xếp loại", "value": sentence("; ".join(own))})
    if result.uses_scores:
        value = score_of(r.score)
        perf = coll.performance if coll else None
        if perf is not None and perf.score_common is not None and perf.score_results is not None:
            value += (f" (tiêu chí chung {score(perf.score_common)}/30; kết quả thực hiện nhiệm vụ "
                      f"{score(perf.score_results)}/70)")
        if r.band:
            value += f"; khung {r.band.label}"
        rows.append({"label": "Điểm chi bộ thẩm định", "value": sentence(value)})
    if r.vote_form == "hands":
        put = r.hands_level or r.proposed_level
        what = f" mức {put.label}" if put else ""
        rows.append({"label": "Kết quả biểu quyết",
                     "value": sentence(f"Giơ tay: {ratio(r.hands[0], r.base)} đồng chí tán thành{what} "
                                       f"({_pct(r.hands[0], r.base)})"
                                       + (f", {count(r.hands[1])} không tán thành" if r.hands[1] else ""))})
    elif r.vote_form in _VOTED:
        lines = punctuate([f"{lvl.label}: {count(r.votes_for(lvl), 'phiếu')} ({_pct(r.votes_for(lvl), r.base)})"
                           for lvl in LEVELS])
        lines.append(f"Số phiếu hợp lệ: {count(r.valid, 'phiếu')}; tỷ lệ tính trên {r.base} đảng viên chính thức.")
        rows.append({"label": "Kết quả bỏ phiếu", "value": "\n".join(lines)})
    rows.append({"label": f"Mức chi bộ {_proposal_verb(result)}",
                 "value": r.proposed_level.label if r.proposed_level else "Chưa xác định", "bold": True})
    explanation = first_sentence(r.explanation)
    if explanation:
        rows.append({"label": "Căn cứ", "value": sentence(explanation)})
    rows.append({"label": "Cấp xem xét, quyết định", "value": r.decider or _committee(case)})
    for row in rows:
        row.setdefault("bold", False)
    return rows


def _finding_notes(result: Result, names: set[str]) -> list[str]:
    """Messages of the findings a human must weigh, for the subjects named."""
    out = []
    for f in result.findings:
        if f.code in FLAGGED_FINDINGS and any(n and n in f.message for n in names):
            if f.message not in out:
                out.append(f.message)
    return out


def collective_section(case: Case, result: Result, r: SubjectResult, no: int) -> dict:
    m = case.meeting
    coll = _collective_of(case, r)
    is_cell = result_is_cell(case, r)
    name = r.name
    form = " (Mẫu 01)" if result.uses_scores else ""
    presenter = user_text(m.report_presenter) if is_cell else ""
    presentation = (f"Đồng chí {presenter or INLINE_BLANK} trình bày báo cáo kiểm điểm, tự đánh giá, xếp loại của "
                    f"{lower_first(name)} năm {result.review_year}{form}.")
    lines = [presentation]
    if is_cell and m.report_circulated:
        lines.append(f"Dự thảo báo cáo đã được gửi đến đảng viên ngày {date_short_vn(m.report_circulated)}.")
    opinions = []
    if is_cell and user_text(m.report_opinions):
        opinions.append(user_text(m.report_opinions))
    if coll is not None and user_text(coll.opinions) and user_text(coll.opinions) not in opinions:
        opinions.append(user_text(coll.opinions))
    comment = user_text(coll.comment) if coll is not None else ""
    verb = _proposal_verb(result)
    decider = r.decider or _committee(case)
    if r.proposed_level:
        decision = (f"Hội nghị thống nhất {verb} {decider} xếp loại {lower_first(name)} năm {result.review_year}: "
                    f"{r.proposed_level.label}.")
    else:
        decision = (f"Hội nghị chưa thống nhất được mức {verb} đối với {lower_first(name)}; "
                    f"cần biểu quyết lại hoặc báo cáo {decider} xem xét.")
    notes = _finding_notes(result, {name})
    if r.proposed_level is Level.HTXSNV:
        notes.append(f"Tỷ lệ Hoàn thành xuất sắc nhiệm vụ đối với tập thể do {decider} xem xét chung "
                     "(tập thể và cá nhân tính riêng)")
    spoiled = spoiled_lines(r)
    if spoiled:
        notes.append(f"{count(spoiled, 'phiếu')} không hợp lệ đối với tập thể này")
    return {
        "is_collective": True, "is_members": False,
        "heading": f"{no}. Kiểm điểm, đánh giá, xếp loại chất lượng {lower_first(name)}",
        "lines": lines,
        "opinions": sentence("; ".join(o.rstrip(" .;") for o in opinions)) if opinions else LINE_BLANK,
        "comment": comment,
        "table_title": f"Kết quả đánh giá, xếp loại {lower_first(name)}:",
        "rows": _collective_rows(case, result, r, coll),
        "decision": decision,
        "notes": punctuate([sentence(n).rstrip(".") for n in notes]),
    }


def _groups_sentence(result: Result) -> str:
    groups: dict[str, list[SubjectResult]] = {}
    for r in result.members:
        if r.reviewed and r.group:
            groups.setdefault(r.group, []).append(r)
    if not groups:
        return ""
    parts = []
    for code in sorted(groups):
        rs = groups[code]
        by = [f"{lvl.label} {n2(sum(1 for r in rs if r.proposed_level is lvl))}" for lvl in LEVELS
              if any(r.proposed_level is lvl for r in rs)]
        parts.append(f"{_group_phrase(code)} {count(len(rs))}" + (f", trong đó {', '.join(by)}" if by else ""))
    return "Theo nhóm: " + "; ".join(parts) + "."


def quota_lines(case: Case, result: Result) -> list[str]:
    """The HTXSNV quota advice, per group, phrased as the meeting's decision (never as software output)."""
    q = result.quota
    committee = result.member_decider or _committee(case)
    lines = []
    groups = [g for g in q.groups if g.proposed or g.exceeded]
    per_group = any(g.group != "all" for g in q.groups)
    if not per_group:
        if q.exceeded:
            lines.append(
                f"Số đồng chí {_proposal_verb(result)} Hoàn thành xuất sắc nhiệm vụ ({n2(q.proposed)}) vượt {q.ratio_label} "
                f"số đồng chí Hoàn thành tốt nhiệm vụ ({ratio(q.proposed, q.htt)} = {q.share_of_htt}; tối đa {count(q.limit)}; "
                f"so với số đảng viên được đánh giá {ratio(q.proposed, q.reviewed)} = {q.share_of_reviewed}). Hội nghị thống nhất "
                f"giữ nguyên đề nghị, báo cáo {committee} xem xét, quyết định trong tỷ lệ chung của đảng bộ.")
        return lines
    for g in groups:
        phrase = _group_phrase(g.group)
        head = (f"Nhóm {phrase}: {count(g.proposed)} {_proposal_verb(result)} Hoàn thành xuất sắc nhiệm vụ, "
                f"{count(g.htt)} Hoàn thành tốt nhiệm vụ")
        if g.exceeded:
            order = [c for c in g.candidates_by_score]
            ranked = join_and(f"đồng chí {c['name']}" + (f" ({score(_fraction(c.get('score')))} điểm)"
                                                         if c.get("score") is not None else "") for c in order)
            text = (f"{head}, vượt {q.ratio_label} số Hoàn thành tốt nhiệm vụ của nhóm (tối đa theo tỷ lệ: {n2(g.limit)}). "
                    f"Thứ tự theo điểm chi bộ chấm: {ranked}"
                    + ("; có trường hợp bằng điểm" if g.ties else "")
                    + f". Hội nghị thống nhất giữ nguyên đề xuất theo điểm, báo cáo {committee} xem xét, quyết định "
                      "trong tỷ lệ chung của đảng bộ.")
        else:
            text = f"{head}, trong tỷ lệ {q.ratio_label} (tối đa {n2(g.limit)})."
        lines.append(text)
    return lines


def _fraction(value):
    return Fraction(str(value)) if value is not None else None


def member_notes(case: Case, result: Result) -> list[str]:
    """The "Ghi chú" of the members' section: not reviewed, absent, capped, spoiled lines, flags."""
    by_name = {m.name: m for m in case.members}
    committee = result.member_decider or _committee(case)
    notes = []
    for r in result.members:
        m = by_name.get(r.name)
        if not r.reviewed:
            notes.append(f"Đồng chí {r.name} không đánh giá, xếp loại: {lower_first_reason(r.not_reviewed_reason)}")
            continue
        if m is not None and not m.present:
            why = user_text(m.absence_reason)
            notes.append(f"Đồng chí {r.name} vắng mặt" + (f" ({why})" if why else "")
                         + f": kiểm điểm bổ sung khi trở lại, trước khi {committee} quyết định xếp loại")
        if capped(r):
            above = r.band if result_uses_band(r) else r.voted_level
            what = "điểm thuộc khung" if result_uses_band(r) else "kết quả bỏ phiếu"
            notes.append(f"Đồng chí {r.name}: {what} {above.label} nhưng {cap_reason(r)}, nên chi bộ "
                         f"{_proposal_verb(result)} {r.proposed_level.label}")
        spoiled = spoiled_lines(r)
        if spoiled:
            total = sum(r.votes)
            notes.append(f"Đồng chí {r.name}: {count(spoiled, 'phiếu')} không hợp lệ đối với đồng chí này "
                         f"({' + '.join(str(v) for v in r.votes)} = {total}/{r.valid} phiếu hợp lệ)")
    notes += _finding_notes(result, {r.name for r in result.members})
    return punctuate([n.rstrip(".") for n in notes])


def _ballot_totals(result: Result) -> str:
    b = result.ballots or {}
    if not b:
        return ""
    return (f"Ban kiểm phiếu báo cáo kết quả kiểm phiếu đánh giá, xếp loại đảng viên: số phiếu phát ra "
            f"{count(b.get('issued', 0), 'phiếu')}, số phiếu thu về {count(b.get('returned', 0), 'phiếu')}, số phiếu hợp lệ "
            f"{count(b.get('valid', 0), 'phiếu')}, số phiếu không hợp lệ {count(b.get('invalid', 0), 'phiếu')} "
            "(có biên bản kiểm phiếu kèm theo).")


def members_section(case: Case, result: Result, no: int) -> dict:
    by_name = {m.name: m for m in case.members}
    reviewed = [r for r in result.members if r.reviewed]
    groups = sorted({r.group for r in reviewed if r.group})
    if result.uses_scores and groups:
        forms = {"2A": "cán bộ lãnh đạo, quản lý theo Mẫu 2A",
                 "2B": "đảng viên không giữ chức vụ lãnh đạo, quản lý theo Mẫu 2B",
                 "2C": "đảng viên không làm việc trong hệ thống chính trị theo Mẫu 2C"}
        intro = ("Từng đảng viên trình bày bản kiểm điểm, tự đánh giá, xếp loại cá nhân ("
                 + "; ".join(forms[g] for g in groups if g in forms)
                 + "); hội nghị góp ý cho từng đồng chí; chi bộ thẩm định, chấm điểm và đề xuất mức xếp loại.")
    else:
        intro = ("Từng đảng viên trình bày bản kiểm điểm cá nhân, tự nhận mức xếp loại chất lượng; hội nghị góp ý "
                 "cho từng đồng chí.")
    lines = [intro]
    if "2A" in groups or any(c.kind == CollectiveKind.LEADERSHIP.key for c in result.collectives):
        lines.append("Đảng viên giữ chức vụ lãnh đạo, quản lý kiểm điểm ở chi bộ trước, ở tập thể lãnh đạo, "
                     "quản lý sau (Quy định 366-QĐ/TW, Điều 7)." if result.uses_scores else
                     "Đảng viên giữ chức vụ lãnh đạo, quản lý kiểm điểm ở chi bộ trước, ở tập thể lãnh đạo, quản lý sau.")
    entries = []
    for i, r in enumerate(reviewed, 1):
        m = by_name.get(r.name)
        opinions = user_text(m.opinions) if m is not None else ""
        comment = user_text(m.comment) if m is not None else user_text(r.comment)
        entries.append({
            "head": f"{no}.{i}. {member_head(r, result)}:",
            "rest": member_rest(r, result),
            "opinions": opinions or LINE_BLANK,
            "comment": comment or LINE_BLANK,
        })
    results = []
    totals = _ballot_totals(result) if any(r.vote_form in _VOTED for r in reviewed) else ""
    if totals:
        results.append(totals)
    elif any(r.vote_form == "hands" for r in reviewed):
        results.append(f"Hội nghị biểu quyết giơ tay đối với từng đồng chí; số đảng viên chính thức tham gia biểu quyết: "
                       f"{ratio(result.present_official, result.base)} đồng chí.")
    n = len(reviewed)
    by = result.summary.get("by_level", {})
    level_parts = [f"{lvl.label}: {ratio(by.get(lvl.code, 0), n)} đồng chí ({_pct(by.get(lvl.code, 0), n)})"
                   if by.get(lvl.code, 0) else f"{lvl.label}: không" for lvl in LEVELS]
    results.append(f"Tổng số đảng viên được đánh giá, xếp loại: {count(n)}; chi bộ {_proposal_verb(result)}: "
                   + "; ".join(level_parts) + " (có danh sách kèm theo).")
    groups_line = _groups_sentence(result) if result.uses_scores else ""
    if groups_line:
        results.append(groups_line)
    results += quota_lines(case, result)
    results.append(status_note(case, result))
    return {
        "is_collective": False, "is_members": True,
        "heading": f"{no}. Kiểm điểm, đánh giá, xếp loại chất lượng đảng viên",
        "lines": lines,
        "members": entries,
        "results_title": "Kết quả đánh giá, xếp loại đảng viên:",
        "results": results,
        "notes": member_notes(case, result),
    }


def status_note(case: Case, result: Result) -> str:
    committee = result.member_decider or _committee(case)
    if result.status == "proposed":
        return f"Kết quả trên là đề xuất của chi bộ; {committee} xem xét, quyết định."
    return f"Kết quả xếp loại đã được {committee} quyết định."


def ordered_subjects(case: Case, result: Result) -> list[tuple[str, Optional[SubjectResult]]]:
    """(step, subject) in the order of rankings; the members' step has no subject."""
    by_name = {c.subject.name: c.subject for c in result.collectives}
    if result.party_cell is not None:
        by_name.setdefault(result.party_cell.name, result.party_cell)
    out: list[tuple[str, Optional[SubjectResult]]] = []
    seen = set()
    for step in result.order:
        if step.get("step") == "members":
            out.append(("members", None))
            seen.add("members")
            continue
        r = by_name.get(step.get("name", ""))
        if r is None and step.get("step") == CollectiveKind.CHI_BO.key:
            r = result.party_cell
        if r is not None and r.name not in seen:
            out.append((step.get("step", ""), r))
            seen.add(r.name)
    # Anything the order does not name still gets a section: members before the chi bộ.
    missing = [c.subject for c in result.collectives if c.subject.name not in seen]
    if "members" not in seen:
        missing.append(None)
    cell_at = next((i for i, (step, _) in enumerate(out) if step == CollectiveKind.CHI_BO.key), len(out))
    for r in missing:
        out.insert(cell_at, ("members", None) if r is None else (r.group, r))
        cell_at += 1
    if result.party_cell is not None and result.party_cell.name not in seen and result.party_cell.reviewed:
        out.append((CollectiveKind.CHI_BO.key, result.party_cell))
    return out


def sections(case: Case, result: Result, first_no: int = 2) -> list[dict]:
    out = []
    no = first_no
    for step, r in ordered_subjects(case, result):
        if step == "members":
            out.append(members_section(case, result, no))
        elif r is not None:
            out.append(collective_section(case, result, r, no))
        no += 1
    return out


# ---------------------------------------------------------------------------
# Annex (the list of results) and the vote-count minutes
# ---------------------------------------------------------------------------


def annex_rows(case: Case, result: Result) -> list[dict]:
    by_name = {m.name: m for m in case.members}
    rows = []
    for i, r in enumerate(result.members, 1):
        row = {"no": str(i), "name": r.name, "role": user_text(r.role), "kind": r.membership,
               "group": r.group if r.reviewed else "", "self_level": r.self_level.short if r.self_level else "",
               "self_score": score(r.self_score), "score": score(r.score),
               "proposed": (r.proposed_level.short if r.proposed_level else "Chưa xác định") if r.reviewed else "Không xếp loại",
               "note": table_note(r, by_name.get(r.name))}
        voted = r.reviewed and r.vote_form in _VOTED
        for k, lvl in enumerate(LEVELS, 1):
            n = r.votes_for(lvl)
            row[f"v{k}"] = str(n) if voted else ""
            row[f"p{k}"] = _pct(n, r.base) if voted and r.base else ""
        if not r.reviewed or not r.vote_form:
            row["vote"] = ""
        elif r.vote_form == "hands":
            row["vote"] = f"{ratio(r.hands[0], r.base)}\n{_pct(r.hands[0], r.base)}"
        else:
            lvl = r.proposed_level or r.voted_level
            n = r.votes_for(lvl) if lvl else 0
            row["vote"] = f"{ratio(n, r.base)}\n{_pct(n, r.base)}"
        rows.append(row)
    return rows


def summary_sentence(result: Result) -> str:
    n = result.summary["reviewed"]
    by = result.summary["by_level"]
    parts = [f"{lvl.label}: {count(by[lvl.code])} ({_pct(by[lvl.code], n)})" if by[lvl.code] else f"{lvl.label}: không"
             for lvl in LEVELS]
    not_reviewed = len(result.summary["not_reviewed"])
    tail = f"; không đánh giá, xếp loại: {count(not_reviewed)}" if not_reviewed else ""
    return f"Tổng số đảng viên được đánh giá, xếp loại: {count(n)}; " + "; ".join(parts) + tail + "."


def _count_subject(result: Result) -> str:
    """What the Ban kiểm phiếu counted, for the title of the vote-count minutes."""
    parts = []
    if _voted(result.party_cell):
        parts.append("chi bộ")
    rank = {"chi_uy": 0, "lanh_dao_don_vi": 1}
    for c in sorted(result.collectives, key=lambda c: rank.get(c.kind, 2)):
        if _voted(c.subject):
            parts.append(KIND_PHRASE.get(c.kind, "tập thể"))
    if any(_voted(r) for r in result.members):
        parts.append("đảng viên")
    return join_and(dict.fromkeys(parts)) or "chi bộ, đảng viên"


def count_applicable(result: Result) -> bool:
    """A vote-count minutes exists only when something was voted on by ballot (grid or tally)."""
    return any(_voted(r) for r in _all_subjects(result))


def count_context(case: Case, result: Result) -> dict:
    m = case.meeting
    year = result.review_year
    counters = [f"{i}. Đồng chí {p.name}, {p.title or ('Trưởng ban' if i == 1 else 'Ủy viên')}"
                for i, p in enumerate(m.vote_counters, 1)]
    if not counters:
        counters = [f"1. Đồng chí {INLINE_BLANK}, Trưởng ban", f"2. Đồng chí {INLINE_BLANK}, Ủy viên"]
    place = user_text(m.count_place) or user_text(m.place)
    at = f", tại {place[0].lower() + place[1:]}" if place else f", tại {INLINE_BLANK}"
    opening = (f"Hồi {clock(m.count_start_time)}, {date_long_vn(m.date)}{at}, Ban kiểm phiếu do "
               f"{subject_line(result)} của {m.party_cell} bầu ra, gồm các đồng chí:")
    b = result.ballots or {}
    totals = [f"Tổng số đảng viên chính thức của chi bộ: {count(result.official)}",
              f"Số đảng viên chính thức có mặt, tham gia bỏ phiếu: {count(result.present_official)}"]
    if any(_voted(r) for r in result.members) and b:
        invalid = b.get("invalid", 0)
        totals += [f"Phiếu đánh giá, xếp loại đảng viên: số phiếu phát ra {count(b.get('issued', 0), 'phiếu')}, "
                   f"số phiếu thu về {count(b.get('returned', 0), 'phiếu')}, số phiếu hợp lệ {count(b.get('valid', 0), 'phiếu')}, "
                   f"số phiếu không hợp lệ {count(invalid, 'phiếu')}"
                   + (f" (lý do: {INLINE_BLANK})" if invalid else "")]
    cb = result.cell_ballots or {}
    if _voted(result.party_cell) and cb:
        invalid = cb.get("invalid", 0)
        totals.append(f"Phiếu đánh giá, xếp loại chi bộ: số phiếu thu về {count(cb.get('returned', 0), 'phiếu')}, "
                      f"số phiếu hợp lệ {count(cb.get('valid', 0), 'phiếu')}, số phiếu không hợp lệ {count(invalid, 'phiếu')}"
                      + (f" (lý do: {INLINE_BLANK})" if invalid else ""))
    for c in result.collectives:
        if _voted(c.subject):
            totals.append(f"Phiếu đánh giá, xếp loại {lower_first(c.subject.name)}: số phiếu hợp lệ "
                          f"{count(c.subject.valid, 'phiếu')}")
    bp = base_phrase(case, result)
    blocks = []
    no = 1
    for step, r in ordered_subjects(case, result):
        if step == "members":
            voted = [x for x in result.members if _voted(x)]
            if not voted:
                continue
            spoiled = [(x.name, spoiled_lines(x)) for x in voted if spoiled_lines(x)]
            if spoiled:
                total = sum(n for _, n in spoiled)
                spoiled_line = (f"Trên các phiếu hợp lệ có {count(total, 'dòng')} không hợp lệ (không đánh dấu hoặc đánh dấu "
                                "từ hai ô trở lên): " + join_and(f"đồng chí {name} ({count(n, 'phiếu')})" for name, n in spoiled)
                                + ".")
            else:
                spoiled_line = "Trên các phiếu hợp lệ không có dòng nào không hợp lệ."
            by_name = {mm.name: mm for mm in case.members}
            rows = []
            for i, x in enumerate(voted, 1):
                row = {"no": str(i), "name": x.name,
                       "proposed": x.voted_level.short if x.voted_level else "Chưa đạt",
                       "note": table_note(x, by_name.get(x.name))}
                for k, lvl in enumerate(LEVELS, 1):
                    row[f"v{k}"] = str(x.votes_for(lvl))
                    row[f"p{k}"] = _pct(x.votes_for(lvl), x.base) if x.base else ""
                rows.append(row)
            blocks.append({"is_members": True, "is_collective": False,
                           "heading": f"{no}. Đánh giá, xếp loại chất lượng đảng viên",
                           "rows": rows, "spoiled": spoiled_line,
                           "summary": f"Số đảng viên được bỏ phiếu đánh giá: {count(len(voted))}."})
            no += 1
        elif _voted(r):
            votes = [{"no": str(k), "level": lvl.label, "count": str(r.votes_for(lvl)),
                      "pct": _pct(r.votes_for(lvl), r.base)} for k, lvl in enumerate(LEVELS, 1)]
            result_line = (f"Mức được trên 1/2 số phiếu: {r.voted_level.label}." if r.voted_level and r.rule != "cumulative"
                           else (f"Không mức nào được trên 1/2 số phiếu; cộng dồn từ mức cao xuống: {r.voted_level.label}."
                                 if r.voted_level else "Không mức nào được trên 1/2 số phiếu."))
            blocks.append({"is_members": False, "is_collective": True,
                           "heading": f"{no}. Đánh giá, xếp loại chất lượng {lower_first(r.name)}",
                           "valid": f"Số phiếu hợp lệ: {count(r.valid, 'phiếu')}.", "votes": votes,
                           "result": result_line})
            no += 1
    hands = [x for x in _all_subjects(result) if x.reviewed and x.vote_form == "hands"]
    hands_note = ("Các nội dung hội nghị biểu quyết giơ tay không thuộc biên bản này (kết quả ghi tại biên bản hội nghị)."
                  if hands else "")
    counter_name = m.vote_counters[0].name if m.vote_counters else ""
    return {
        "applicable": count_applicable(result),
        "subject": f"đánh giá, xếp loại chất lượng {_count_subject(result)} năm {year}",
        "opening": opening,
        "counters": punctuate(counters),
        "intro": "Ban kiểm phiếu đã tiến hành kiểm phiếu. Kết quả như sau:",
        "totals": punctuate(totals),
        "base_line": f"Tỷ lệ % tính trên {bp}.",
        "vote_header": f"Số phiếu (tỷ lệ % so với {result.base} đảng viên chính thức)",
        "pct_header": f"Tỷ lệ % (so với {result.base} đảng viên chính thức)",
        "blocks": blocks,
        "hands_note": hands_note,
        "closing": (f"Việc kiểm phiếu kết thúc hồi {clock(m.count_end_time)} cùng ngày. Biên bản kiểm phiếu được lập "
                    "xong và công bố trước hội nghị."),
        "signature": {"authority": "T/M BAN KIỂM PHIẾU", "title": "TRƯỞNG BAN", "name": counter_name},
    }


# ---------------------------------------------------------------------------
# Ballots
# ---------------------------------------------------------------------------


def ballots_per_sheet(per_page_by_rows: dict, rows: int) -> int:
    """How many collectives ballots fit on an A4 sheet, from the profile's {max rows: ballots} table."""
    for limit, n in sorted(((int(k), v) for k, v in per_page_by_rows.items())):
        if rows <= limit:
            return max(1, int(n))
    return 1


def ballot_context(case: Case, result: Result, copies: bool, compact_from: int, cell_per_page: dict) -> dict:
    """One master ballot per kind (default) or one per voter (``copies``); a compact layout for big rosters."""
    year = result.review_year
    voters = max(result.voters, 1)
    reviewed = [r for r in result.members if r.reviewed]
    rows = [{"no": str(i), "name": r.name} for i, r in enumerate(reviewed, 1)]
    compact = len(rows) >= compact_from
    pairs = []
    for i in range(0, len(rows), 2):
        left, right = rows[i], rows[i + 1] if i + 1 < len(rows) else {"no": "", "name": ""}
        pairs.append({"no1": left["no"], "name1": left["name"], "no2": right["no"], "name2": right["name"]})
    subjects = [r for _, r in ordered_subjects(case, result) if r is not None and r.reviewed]
    collectives = [{"no": str(i), "name": r.name} for i, r in enumerate(subjects, 1)]
    per_page = ballots_per_sheet(cell_per_page, len(collectives))
    sheets_needed = -(-voters // per_page)
    if copies:
        cell_copies = list(range(voters))
        note = ""
        cell_note = ""
    else:
        cell_copies = list(range(per_page))
        note = f"Bản gốc: in {count(voters, 'bản')} (mỗi đảng viên chính thức có mặt một phiếu)."
        cell_note = (f"Bản gốc: in {count(sheets_needed, 'tờ')}, mỗi tờ {count(per_page, 'phiếu')}, cắt rời được "
                     f"{count(voters, 'phiếu')}.")
    sheets = [cell_copies[i:i + per_page] for i in range(0, len(cell_copies), per_page)]
    only_cell = len(collectives) == 1
    return {
        "title": f"PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN NĂM {year}",
        "subtitle": "(Dùng cho đảng viên chính thức)",
        "instruction": ("Đồng chí đánh dấu (X) vào một ô mức xếp loại cho từng đảng viên. Dòng không đánh dấu hoặc "
                        "đánh dấu từ hai ô trở lên không hợp lệ đối với đảng viên đó."),
        "copies": list(range(1, voters + 1)) if copies else [1],
        "master_note": note,
        "compact": compact,
        "rows": rows,
        "pairs": pairs,
        "has_members": bool(rows),
        "cell_title": (f"PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CHI BỘ NĂM {year}" if only_cell else
                       f"PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG TẬP THỂ NĂM {year}") if collectives else "",
        "cell_instruction": ("Đồng chí đánh dấu (X) vào một ô mức xếp loại cho mỗi tập thể. Dòng không đánh dấu hoặc "
                             "đánh dấu từ hai ô trở lên không hợp lệ đối với tập thể đó."),
        "collectives": collectives,
        "cell_sheets": sheets,
        "cell_note": cell_note,
        "voters": voters,
        "sheets_needed": sheets_needed,
        "per_page": per_page,
    }


def ballot_message(case: Case, result: Result, copies: bool, cell_per_page: dict) -> str:
    """What the ballots command prints: how many copies to print (the master carries it too)."""
    voters = max(result.voters, 1)
    n_collectives = sum(1 for _, r in ordered_subjects(case, result) if r is not None and r.reviewed)
    per_page = ballots_per_sheet(cell_per_page, n_collectives)
    if copies:
        text = f"Đã in sẵn {count(voters, 'phiếu')} mỗi loại cho {n2(voters)} đảng viên chính thức có mặt."
    else:
        text = (f"Phiếu đảng viên: in {count(voters, 'bản')} từ bản gốc; phiếu tập thể: in "
                f"{count(-(-voters // per_page), 'tờ')} (mỗi tờ {count(per_page, 'phiếu')}) cho {n2(voters)} đảng viên "
                "chính thức có mặt. Dùng --copies để in sẵn từng phiếu.")
    if "phiếu" not in (case.meeting.voting_method or "").casefold():
        text += f" Lưu ý: hình thức của hội nghị là \"{case.meeting.voting_method}\", phiếu chỉ cần khi bỏ phiếu."
    return text


# ---------------------------------------------------------------------------
# The whole context
# ---------------------------------------------------------------------------


def closing_lines(case: Case, result: Result) -> list[str]:
    m = case.meeting
    end = f"Hội nghị kết thúc hồi {clock(m.end_time)} cùng ngày."
    adopted = (f"Biên bản được thông qua lúc {clock(m.adopted_time)} cùng ngày, với "
               f"{_approval(m.adopted_agree, result.present_official)}.")
    return [end, adopted]


def fingerprints(case: Case, result: Result) -> dict:
    """The footer code per document: the minutes only when asked, the vote count always."""
    code = f"Mã kiểm tra dữ liệu: {result.fingerprint}" if result.fingerprint else ""
    in_minutes = case.meeting.fingerprint_in_minutes
    return {"count": code, "minutes": code if in_minutes else "", "report": code}


def build_context(case: Case, result: Result, *, ballot_copies: bool = False, ballot_compact_from: int = 31,
                  cell_ballots_per_page: Optional[dict] = None) -> dict:
    """Return the template context for every document of the meeting."""
    from .pack import pack_context

    m = case.meeting
    year = str(m.review_year)
    authority, title = _signer_title(m.chair.title)
    when = f"Hồi {clock(m.start_time)}, " if m.start_time else ""
    place = user_text(m.place)
    at = f", tại {place[0].lower() + place[1:]}" if place else ""
    subject = subject_line(result)
    opening = sentence(f"{when}{date_long_vn(m.date)}{at}, {m.party_cell} tiến hành {subject}")
    voters = result.present_official
    program = (f"Đồng chí {m.chair.name} tuyên bố lý do, giới thiệu đại biểu. Hội nghị biểu quyết thông qua chương "
               f"trình với {_approval(m.program_agree, voters)}.")
    secs = sections(case, result)
    no = len(secs) + 2
    closing_heads = []
    if m.guests:
        guest = m.guests[0]
        closing_heads.append({
            "heading": f"{no}. Ý kiến của đại biểu cấp trên",
            "lines": [f"Đồng chí {guest.name}" + (f", {guest.title.rstrip('.')}" if guest.title else "")
                      + " phát biểu ý kiến: " + LINE_BLANK, LINE_BLANK]})
        no += 1
    conclusion = user_text(m.conclusion)
    closing_heads.append({
        "heading": f"{no}. Kết luận của chủ trì hội nghị",
        "lines": [f"Đồng chí {m.chair.name} kết luận hội nghị: {conclusion}"] if conclusion else
                 [f"Đồng chí {m.chair.name} kết luận hội nghị: {LINE_BLANK}", LINE_BLANK, LINE_BLANK]})
    fp = fingerprints(case, result)
    ctx = {
        "upper_body": upper_vn(m.upper_body),
        "party_cell_upper": upper_vn(m.party_cell),
        "party_cell": m.party_cell,
        "number_line": m.document_number if m.document_number.startswith("Số") or not m.document_number
        else f"Số {m.document_number}",
        "place_date": f"{m.locality}, {date_long_vn(m.date)}" if m.locality else date_long_vn(m.date).capitalize(),
        "place_blank_date": (f"{m.locality}, " if m.locality else "") + f"ngày {SHORT_BLANK} tháng {SHORT_BLANK} năm {year}",
        "year": year,
        "subject": subject,
        "opening": opening,
        "legal_basis": legal_basis(case, result),
        "guests": punctuate([f"Đồng chí {p.name}" + (f", {p.title.rstrip('.')}" if p.title else "") for p in m.guests]),
        "attendance": attendance_lines(case),
        "chair": {"name": m.chair.name, "title": m.chair.title},
        "secretary": {"name": m.secretary.name, "title": m.secretary.title},
        "program": program,
        "method": method_lines(case, result),
        "sections": secs,
        "closing_sections": closing_heads,
        "closing": closing_lines(case, result),
        "signature": {"left_title": "NGƯỜI GHI BIÊN BẢN", "left_name": m.secretary.name,
                      "right_authority": authority, "right_title": title, "right_name": m.chair.name},
        "legend": LEGEND,
        "fingerprint_minutes": fp["minutes"],
        "fingerprint_count": fp["count"],
        "fingerprint_report": fp["report"],
        "annex": {
            "title": f"DANH SÁCH KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN NĂM {year}",
            "caption": f"(Kèm theo Biên bản hội nghị Chi bộ ngày {date_short_vn(m.date)})",
            "scores": result.uses_scores,
            "vote_header": (f"Số phiếu (tỷ lệ % so với {result.base} đảng viên chính thức)" if not result.uses_scores
                            else f"Tán thành (so với {result.base} đảng viên chính thức)"),
            "rows": annex_rows(case, result),
            "summary": summary_sentence(result),
            "legend": LEGEND + (" " + LEGEND_GROUPS if result.uses_scores else ""),
        },
        "count": count_context(case, result),
        "ballot": ballot_context(case, result, ballot_copies, ballot_compact_from,
                                 cell_ballots_per_page or {"3": 3, "6": 2}),
    }
    ctx.update(pack_context(case, result, ctx))
    return ctx
