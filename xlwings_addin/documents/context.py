"""Result + case -> the template context: ready-made Vietnamese strings (pure, no I/O).

The keys are the contract with the templates in ``templates/`` (see docs/documents.md). Numbers
and dates are formatted here (decimal comma, "ngày 05 tháng 12 năm 2025", "x/y đồng chí"), levels
are written in full in prose and abbreviated in tables with a legend.
"""

from __future__ import annotations


from ..core.levels import LEVELS
from ..core.models import Attendance, Case
from ..core.result import Result, SubjectResult
from ..core.vnformat import decimal_vn, date_long_vn, date_short_vn, percent_vn, ratio_vn, time_vn, upper_vn

#: Findings worth a line in the minutes (the rest stay in the workbook's warnings sheet).
MINUTES_FINDINGS = {"LEVEL_CAPPED", "NO_MAJORITY", "CUMULATIVE_APPLIED", "DISCIPLINE_SELF_REMEDIED",
                    "DISCIPLINE_NOT_DUTY_RELATED", "UNCLASSIFIABLE_GAP", "CIVIL_SERVICE_LOWER", "QUORUM_LOW"}

LEGEND = ("HTXSNV: Hoàn thành xuất sắc nhiệm vụ; HTTNV: Hoàn thành tốt nhiệm vụ; HTNV: Hoàn thành nhiệm vụ; "
          "KHTNV: Không hoàn thành nhiệm vụ; CT: chính thức; DB: dự bị.")


def _basis_line(text: str) -> str:
    line = text.strip().rstrip(";.")
    if not line.lower().startswith(("thực hiện", "căn cứ")):
        line = "Thực hiện " + line
    return line + ";"


def _signer_title(title: str) -> tuple[str, str]:
    """(authority, title) for the right signature block, from the chair's title."""
    t = title.casefold()
    if "phó bí thư" in t:
        return "T/M CHI BỘ", "PHÓ BÍ THƯ"
    if "bí thư" in t:
        return "T/M CHI BỘ", "BÍ THƯ"
    return "", "CHỦ TRÌ HỘI NGHỊ"


def _attendance(case: Case) -> tuple[dict, list]:
    members = case.members
    official = sum(1 for m in members if m.is_official)
    exempt = sum(1 for m in members if m.exempt)
    expected = [m for m in members if not m.suspended and not (m.exempt and not m.present)
                and not (m.temporarily_elsewhere and not m.present)]
    present = sum(1 for m in expected if m.present)
    absent = [m for m in expected if not m.present]
    excused = sum(1 for m in absent if m.attendance is Attendance.ABSENT_EXCUSED)
    total = f"Tổng số đảng viên của chi bộ: {len(members)} đồng chí (chính thức {official}, dự bị {len(members) - official})"
    total += f"; miễn sinh hoạt {exempt} đồng chí." if exempt else "."
    pct = percent_vn(present, len(expected)) if expected else "0%"
    absent_line = f"Vắng mặt: {len(absent)} đồng chí"
    absent_line += f" (có lý do {excused}, không lý do {len(absent) - excused})." if absent else "."
    rows = [{"name": m.name, "reason": m.absence_reason or m.attendance.label.lower()} for m in absent]
    return {"total": total, "present": f"Có mặt: {present}/{len(expected)} đồng chí (đạt {pct}).", "absent": absent_line}, rows


def _member_row(no: int, r: SubjectResult) -> dict:
    row = {"no": str(no), "name": r.name, "role": r.role, "kind": r.membership,
           "self_level": r.self_level.short if r.self_level else "", "self_score": decimal_vn(r.self_score) if r.self_score is not None else "",
           "proposed": r.proposed_level.short if r.proposed_level else "Chưa xác định"}
    for i, lvl in enumerate(LEVELS, 1):
        n = r.votes_for(lvl)
        row[f"v{i}"] = str(n)
        row[f"p{i}"] = percent_vn(n, r.base) if r.base else ""
    notes = [r.note] if r.note else []
    if r.voted_level and r.proposed_level and r.proposed_level < r.voted_level:
        notes.append(f"Kết quả phiếu {r.voted_level.short}; {'; '.join(r.cap_reasons)}")
    if r.rule == "cumulative":
        notes.append("Đề xuất theo cách cộng dồn")
    if r.decided_level:
        notes.append(f"Cấp ủy quyết định: {r.decided_level.short}")
    row["note"] = "; ".join(notes)
    return row


def _rules_line(result: Result) -> str:
    s = result.settings
    code = "124-QĐ/TW" if result.rules_id.startswith("QD124") else "366-QĐ/TW"
    htxs = "từ 2/3 trở lên" if s.get("htxs_threshold") == "two_thirds" else "trên 1/2"
    cascade = ("khi không mức nào đạt trên 1/2 thì cộng dồn số phiếu từ mức cao xuống"
               if s.get("cascade") else "khi không mức nào đạt trên 1/2 thì biểu quyết lại")
    return (f"Áp dụng Quy định số {code}; cơ sở tính tỷ lệ: {result.base} {result.base_label}; "
            f"ngưỡng đề nghị một mức xếp loại: trên 1/2 số phiếu so với cơ sở tính tỷ lệ (Hoàn thành xuất sắc nhiệm vụ: {htxs}); "
            f"{cascade}.")


def _cell(case: Case, result: Result) -> dict:
    c = result.party_cell
    votes = []
    if c is None:
        return {"self_level": "", "voters": "", "votes": [], "proposed": "", "sentence": ""}
    for lvl in LEVELS:
        n = c.votes_for(lvl)
        votes.append({"level": lvl.label, "short": lvl.short, "count": str(n), "pct": percent_vn(n, c.base) if c.base else ""})
    committee = case.meeting.upper_committee or "cấp ủy cấp trên"
    if c.proposed_level:
        support = c.votes_for(c.proposed_level)
        sentence = (f"Chi bộ đề nghị {committee} xếp loại {case.meeting.party_cell} năm {result.review_year}: "
                    f"{c.proposed_level.label} ({support}/{c.base} phiếu, đạt {percent_vn(support, c.base)}).")
    else:
        sentence = "Chưa xác định được mức xếp loại chi bộ đề nghị (không mức nào đạt đa số); cần biểu quyết lại."
    return {"self_level": c.self_level.label if c.self_level else "", "voters": ratio_vn(c.valid, result.base),
            "votes": votes, "proposed": c.proposed_level.label if c.proposed_level else "Chưa xác định", "sentence": sentence}


def _members_sentence(result: Result, pad: bool) -> str:
    reviewed = result.summary["reviewed"]
    parts = []
    for lvl in LEVELS:
        n = result.summary["by_level"][lvl.code]
        if n:
            lead = "đồng chí đề nghị xếp loại " if not parts else "đồng chí "
            parts.append(f"{ratio_vn(n, reviewed, pad)} {lead}{lvl.label}")
    if not parts:
        return "Chưa có kết quả đề nghị xếp loại đảng viên."
    return "; ".join(parts) + " (có danh sách kèm theo)."


def _summary(result: Result) -> str:
    s = result.summary
    n = s["reviewed"]
    parts = [f"Tổng số đảng viên được đánh giá: {n}"]
    for lvl in LEVELS:
        k = s["by_level"][lvl.code]
        parts.append(f"{lvl.short}: {k}" + (f" ({percent_vn(k, n)})" if k and n else ""))
    parts.append(f"không xếp loại: {len(s['not_reviewed'])}")
    return "; ".join(parts) + "."


def _quota_advice(case: Case, result: Result) -> str:
    q = result.quota
    if not q.exceeded:
        return ""
    committee = case.meeting.upper_committee or "cấp ủy cấp trên"
    return (f"Lưu ý về tỷ lệ: số đảng viên đề nghị Hoàn thành xuất sắc nhiệm vụ ({q.proposed:02d}) vượt {q.ratio_label} "
            f"số đảng viên Hoàn thành tốt nhiệm vụ (tối đa {q.limit:02d}; tỷ lệ {q.proposed}/{q.htt} = {q.share_of_htt}, "
            f"so với số được đánh giá {q.proposed}/{q.reviewed} = {q.share_of_reviewed}). Chi bộ giữ nguyên đề xuất; "
            f"{committee} xem xét khi cân đối tỷ lệ chung.")


def build_context(case: Case, result: Result, pad_counts: bool = True) -> dict:
    """Return the template context for the minutes, the vote-count minutes and the ballots."""
    m = case.meeting
    year = str(m.review_year)
    attendance, absentees = _attendance(case)
    authority, title = _signer_title(m.chair.title)
    counters = [{"name": p.name, "role": p.title or ("Trưởng ban" if i == 0 else "Ủy viên")} for i, p in enumerate(m.vote_counters)]
    subject = f"hội nghị kiểm điểm, đánh giá, xếp loại chất lượng chi bộ, đảng viên năm {year}"
    when = f"Hồi {time_vn(m.start_time)}, " if m.start_time else ""
    at = f", tại {m.place[0].lower() + m.place[1:]}" if m.place else ""
    opening = f"{when}{date_long_vn(m.date)}{at}, {m.party_cell} tiến hành {subject}."
    opening = opening[0].upper() + opening[1:]
    reviewed = [r for r in result.members if r.reviewed]
    b = result.ballots or {}
    findings = [f.message for f in result.findings if f.code in MINUTES_FINDINGS]
    committee = m.upper_committee or "cấp ủy cấp trên"
    status = (f"Kết quả trên là đề xuất của chi bộ; {committee} xem xét, quyết định." if result.status == "proposed"
              else f"Kết quả xếp loại đã được {committee} quyết định.")
    is_366 = result.rules_id.startswith("QD366")
    return {
        "upper_body": upper_vn(m.upper_body),
        "party_cell_upper": upper_vn(m.party_cell),
        "party_cell": m.party_cell,
        "number_line": m.document_number if m.document_number.startswith("Số") or not m.document_number else f"Số {m.document_number}",
        "place_date": f"{m.locality}, {date_long_vn(m.date)}" if m.locality else date_long_vn(m.date).capitalize(),
        "year": year,
        "subject": subject,
        "opening": opening,
        "legal_basis": [_basis_line(x) for x in m.legal_basis],
        "guests": [{"name": p.name, "title": p.title.rstrip(".")} for p in m.guests],
        "attendance": attendance,
        "absentees": absentees,
        "chair": {"name": m.chair.name, "title": m.chair.title},
        "secretary": {"name": m.secretary.name, "title": m.secretary.title},
        "voting_method": m.voting_method,
        "vote_counters": counters,
        "rules_line": _rules_line(result),
        "cell": _cell(case, result),
        "members": [_member_row(i, r) for i, r in enumerate(reviewed, 1)],
        "show_scores": is_366,
        "not_reviewed": [{"name": r.name, "reason": r.not_reviewed_reason} for r in result.members if not r.reviewed],
        "summary": _summary(result),
        "members_sentence": _members_sentence(result, pad_counts),
        "quota_advice": _quota_advice(case, result),
        "warnings": findings,
        "status_note": status,
        "legend": LEGEND,
        "annex_caption": f"(Kèm theo Biên bản hội nghị Chi bộ ngày {date_short_vn(m.date)})",
        "start_time": time_vn(m.start_time) if m.start_time else "",
        "end_time": time_vn(m.end_time) if m.end_time else "",
        "count_summary": {"issued": str(b.get("issued", "")), "returned": str(b.get("returned", "")),
                          "valid": str(b.get("valid", "")), "invalid": str(b.get("invalid", "")),
                          "invalid_reason": ""},
        "signature": {"left_title": "NGƯỜI GHI BIÊN BẢN", "left_name": m.secretary.name,
                      "right_authority": authority, "right_title": title, "right_name": m.chair.name},
        "counter_signature": {"authority": "T/M BAN KIỂM PHIẾU", "title": "TRƯỞNG BAN",
                              "name": m.vote_counters[0].name if m.vote_counters else ""},
        "fingerprint": f"Mã kiểm tra dữ liệu: {result.fingerprint}",
        "ballot": {
            "title": f"PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN NĂM {year}",
            "subtitle": "(Dùng cho đảng viên chính thức)",
            "instruction": ("Đồng chí đánh dấu (X) vào một ô mức xếp loại cho từng đảng viên. Dòng không đánh dấu hoặc "
                            "đánh dấu từ hai ô trở lên không hợp lệ đối với đảng viên đó."),
            "cell_title": f"PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CHI BỘ NĂM {year}",
            "copies": list(range(1, max(result.voters, 1) + 1)),
        },
        "ballot_rows": [{"no": str(i), "name": r.name} for i, r in enumerate(reviewed, 1)],
    }

