"""The pack a chi bộ sends up, as template context (pure): the extract of the minutes, the report with
the summary list, the pre-filled score forms (QĐ 366) and the notice of the decided results.

Everything is derived from the same case and result as the minutes, so nothing is retyped. The
report's member list is ``io.output.summary_rows`` (the machine-readable "Tổng hợp" sheet's rows) with
a few columns added for reading, so the paper and the sheet an upper committee merges always agree.

"citations §…" below are the quotes of HD 43's forms collected from the thuvienphapluat mirrors (the T
sources of reference/qd366-meeting.md §11): Mẫu 01, 2B and 2C are quoted in part, 2A by name only, and
no mirror shows the header lines or the signer, so those stay plain and configurable.
"""

from __future__ import annotations

from typing import Optional

from ..core.levels import LEVELS, Level
from ..core.models import Case, CollectiveKind
from ..core.result import Result, SubjectResult
from ..core.vnformat import date_short_vn
from ..io.output import summary_rows
from .context import (LEGEND, LEGEND_GROUPS, _collective_of, _committee, _pct, _proposal_verb, annex_rows,
                      lower_first_reason, member_notes, ordered_subjects, punctuate, quota_lines, result_is_cell,
                      spoiled_lines, status_note, subject_line)
from .text import INLINE_BLANK, SHORT_BLANK, count, n2, ratio, score, user_text

#: Form codes as HD 43 names them (citations §10: "Mẫu 02B-HD KĐ.ĐG 2025"; the body text says 2A/2B/2C).
FORM_CODES = {"2A": "Mẫu 2A-HD KĐ.ĐG 2025", "2B": "Mẫu 2B-HD KĐ.ĐG 2025", "2C": "Mẫu 2C-HD KĐ.ĐG 2025",
              "01": "Mẫu 01-HD KĐ.ĐG 2025"}
#: The subtitle under "BẢN KIỂM ĐIỂM, TỰ ĐÁNH GIÁ, XẾP LOẠI CÁ NHÂN" (HD 43 list of forms, citations §10).
FORM_KIND = {"2A": "(Cá nhân giữ chức vụ lãnh đạo, quản lý)",
             "2B": "(Cá nhân không giữ chức vụ lãnh đạo, quản lý)",
             "2C": "(Đảng viên không làm việc trong hệ thống chính trị)"}
#: The appendix of QĐ 366 whose criteria frame each form scores (citations §10a-d).
FORM_APPENDIX = {"2A": ("Phụ lục 3", "cá nhân giữ chức vụ lãnh đạo, quản lý"),
                 "2B": ("Phụ lục 4", "cá nhân không giữ chức vụ lãnh đạo, quản lý"),
                 "2C": ("Phụ lục 5", "đảng viên không làm việc trong hệ thống chính trị"),
                 "01": ("Phụ lục 1", "tập thể")}


def _decider_for_cell(case: Case, result: Result) -> str:
    return result.decider or _committee(case)


# ---------------------------------------------------------------------------
# Extract of the minutes
# ---------------------------------------------------------------------------


def _collective_result_rows(case: Case, result: Result) -> list[dict]:
    rows = []
    subjects = [r for _, r in ordered_subjects(case, result) if r is not None]
    for i, r in enumerate(subjects, 1):
        basis = f"{score(r.score)}/100 điểm" if result.uses_scores and r.score is not None else ""
        result_cell = "\n".join(x for x in (basis, short_vote(r)) if x)
        rows.append({"no": str(i), "name": r.name, "self_level": r.self_level.short if r.self_level else "",
                     "result": result_cell,
                     "proposed": r.proposed_level.short if r.proposed_level else "Chưa xác định",
                     "decider": r.decider or _committee(case)})
    return rows


def _member_result_rows(case: Case, result: Result) -> list[dict]:
    rows = annex_rows(case, result)
    for row, r in zip(rows, result.members):
        # One "Kết quả" cell for the portrait extract: the score under QĐ 366, else the votes.
        if result.uses_scores:
            row["result"] = (f"{score(r.score)} điểm" if r.score is not None else "")
        else:
            row["result"] = row["vote"]
    return rows


def short_vote(r: SubjectResult) -> str:
    """The vote for a table cell: "18/22 phiếu (81,82%)" or "tán thành 18/18 (100%)"."""
    if not r.reviewed or not r.vote_form:
        return ""
    if r.vote_form == "hands":
        return f"Tán thành {ratio(r.hands[0], r.base)} ({_pct(r.hands[0], r.base)})"
    lvl = r.voted_level or r.proposed_level
    if lvl is None:
        return "Không mức nào trên 1/2"
    n = r.votes_for(lvl) if r.rule != "cumulative" else sum(r.votes_for(x) for x in LEVELS if x >= lvl)
    return f"{ratio(n, r.base)} phiếu ({_pct(n, r.base)})"


def extract_context(case: Case, result: Result, base: dict) -> dict:
    m = case.meeting
    members_n = result.summary["reviewed"]
    intro = (f"Hội nghị đã tiến hành kiểm điểm, đánh giá, xếp loại chất lượng theo {result.rules_title}"
             + (f" và {result.guidance_title}" if result.guidance_title else "") + ". Kết quả như sau:")
    by = result.summary["by_level"]
    parts = [f"{lvl.label}: {ratio(by[lvl.code], members_n)} đồng chí ({_pct(by[lvl.code], members_n)})"
             if by[lvl.code] else f"{lvl.label}: không" for lvl in LEVELS]
    members_line = (f"Tổng số đảng viên được đánh giá, xếp loại: {count(members_n)}; chi bộ {_proposal_verb(result)}: "
                    + "; ".join(parts) + ".")
    adopted = m.adopted_agree
    voters = result.present_official
    source = (f"Trích từ biên bản hội nghị ngày {date_short_vn(m.date)} của {m.party_cell}; biên bản đã được hội nghị "
              "thông qua" + (f" với {ratio(adopted, voters)} đồng chí nhất trí ({_pct(adopted, voters)})" if adopted is not None
                             else "") + ".")
    return {
        "subject": base["subject"],
        "opening": base["opening"],
        "attendance": base["attendance"],
        "chair_line": f"Chủ trì: đồng chí {m.chair.name}" + (f", {m.chair.title}" if m.chair.title else "")
        + f"; thư ký: đồng chí {m.secretary.name}.",
        "intro": intro,
        "collectives": _collective_result_rows(case, result),
        "members_line": members_line,
        "members": _member_result_rows(case, result),
        "result_header": ("Điểm chi bộ chấm" if result.uses_scores
                          else f"Số phiếu mức đề nghị (so với {result.base} đảng viên chính thức)"),
        "quota": quota_lines(case, result),
        "notes": member_notes(case, result),
        "status": status_note(case, result),
        "source": source,
        "legend": LEGEND + (" " + LEGEND_GROUPS if result.uses_scores else ""),
        "recipients": [f"{_committee(case)} (báo cáo)", "Lưu Chi bộ"],
    }


# ---------------------------------------------------------------------------
# Report to the đảng ủy, with the summary list
# ---------------------------------------------------------------------------


def _chi_bo_assessment(r: SubjectResult) -> str:
    """The chi bộ's own assessment of a member for the report: its vote, in a table cell."""
    if not r.reviewed or not r.vote_form:
        return ""
    if r.vote_form == "hands":
        put = r.hands_level or r.proposed_level
        return f"{put.short if put else ''} {ratio(r.hands[0], r.base)}".strip()
    if r.voted_level:
        return f"{r.voted_level.short} {ratio(r.votes_for(r.voted_level), r.base)}"
    return "Chưa đạt đa số"


def report_rows(case: Case, result: Result) -> list[dict]:
    """``summary_rows`` (the "Tổng hợp" sheet) plus the chi bộ's vote and the spoiled-line note, for print."""
    rows = []
    for row, r in zip(summary_rows(case, result), result.members):
        out = {k: ("" if v is None else str(v)) for k, v in row.items()}
        out["membership"] = row["membership"]
        out["chi_bo"] = _chi_bo_assessment(r)
        notes = [row["note"]] if row["note"] else []
        spoiled = spoiled_lines(r)
        if spoiled:
            notes.append(f"{count(spoiled, 'phiếu')} không hợp lệ đối với đồng chí này")
        if row["decided_level"]:
            notes.append(f"Cấp ủy quyết định: {row['decided_level']}")
        out["note"] = "; ".join(notes)
        out["name_line"] = row["name"] + (f"\nSố thẻ: {row['member_id']}" if row["member_id"] else "")
        rows.append(out)
    return rows


def report_context(case: Case, result: Result, base: dict) -> dict:
    m = case.meeting
    s = result.summary
    n = s["reviewed"]
    not_reviewed = s["not_reviewed"]
    committee = _committee(case)
    intro = f"Ngày {date_short_vn(m.date)}, {m.party_cell} đã tổ chức {base['subject']}. Chi bộ báo cáo kết quả như sau:"
    general = [g.rstrip(";.") for g in base["attendance"]]
    general.append("- " + f"Số đảng viên thuộc diện đánh giá, xếp loại: {count(n)}; không đánh giá, xếp loại: "
                   + (count(len(not_reviewed)) if not_reviewed else "không"))
    by = s["by_level"]
    totals = [{"level": lvl.label, "count": n2(by[lvl.code]), "pct": _pct(by[lvl.code], n)} for lvl in LEVELS]
    totals.append({"level": "Cộng", "count": n2(n), "pct": "100%" if n else "0%"})
    not_reviewed_lines = punctuate([f"Đồng chí {x['name']}: {lower_first_reason(x['reason'])}" for x in not_reviewed])
    rows = report_rows(case, result)
    decided = any(r["decided_level"] for r in rows)
    return {
        "legal_basis": base["legal_basis"],
        "number_line": f"Số {SHORT_BLANK}-BC/CB",
        "subject": subject_line(result, "kết quả kiểm điểm, đánh giá, xếp loại chất lượng"),
        "intro": intro,
        "general": punctuate(general),
        "collectives": _collective_result_rows(case, result),
        "totals": totals,
        "totals_header": f"Tỷ lệ % (so với {n} đảng viên được đánh giá)",
        "quota": quota_lines(case, result),
        "not_reviewed": not_reviewed_lines,
        "notes": member_notes(case, result),
        "proposal": (f"{m.party_cell} đề nghị {committee} xem xét, quyết định xếp loại chất lượng chi bộ, tập thể và "
                     "đảng viên theo kết quả trên (có danh sách tổng hợp kèm theo)."),
        "annex_title": f"DANH SÁCH TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN NĂM {result.review_year}",
        "annex_caption": f"(Kèm theo Báo cáo của {m.party_cell} ngày {SHORT_BLANK}/{SHORT_BLANK}/{result.review_year})",
        "rows": rows,
        "scores": result.uses_scores,
        "decided": decided,
        "summary": base["annex"]["summary"],
        "legend": LEGEND + (" " + LEGEND_GROUPS if result.uses_scores else ""),
        "recipients": [f"{committee} (báo cáo)", "Lưu Chi bộ"],
    }


# ---------------------------------------------------------------------------
# Pre-filled score forms (QĐ 366: Mẫu 2A/2B/2C for members, Mẫu 01 for collectives)
# ---------------------------------------------------------------------------


def _level_marks(level: Optional[Level]) -> list[dict]:
    return [{"label": lvl.label, "mark": "X" if level is lvl else ""} for lvl in LEVELS]


def _score_lines(common, results, total) -> list[str]:
    def part(v, out_of):
        return f"{score(v)}/{out_of}" if v is not None else f"{SHORT_BLANK}/{out_of}"

    return [f"1. Nhóm tiêu chí chung: {part(common, 30)} điểm",
            f"2. Nhóm tiêu chí về kết quả thực hiện nhiệm vụ: {part(results, 70)} điểm",
            f"Tổng điểm: {part(total, 100)} điểm"]


def member_form(case: Case, result: Result, r: SubjectResult) -> dict:
    m = next((x for x in case.members if x.name == r.name), None)
    group = r.group if r.group in FORM_CODES else "2B"
    appendix, who = FORM_APPENDIX[group]
    perf = m.performance if m is not None else None
    common = perf.self_score_common if perf else None
    results = perf.self_score_results if perf else None
    annex_note = ("(Gửi kèm Phụ lục về kết quả thực hiện nhiệm vụ trong đó thể hiện sản phẩm, tiến độ, chất lượng cụ thể "
                  "- theo hướng dẫn của các cấp ủy, tổ chức đảng.)" if group in ("2A", "2B") else "")
    return {
        "code": FORM_CODES[group],
        "title": "BẢN KIỂM ĐIỂM, TỰ ĐÁNH GIÁ, XẾP LOẠI CÁ NHÂN",
        "name_line": "",
        "year_line": f"Năm {result.review_year}",
        "kind_line": FORM_KIND[group],
        "ident": [f"Họ và tên: {r.name}; ngày sinh: {INLINE_BLANK}",
                  f"Chức vụ (đảng, chính quyền, đoàn thể): {user_text(r.role) or INLINE_BLANK}",
                  f"Đơn vị công tác: {INLINE_BLANK}; {case.meeting.party_cell}"],
        "narrative": (f"A. NỘI DUNG KIỂM ĐIỂM (phần I đến VI): đảng viên tự viết theo {FORM_CODES[group]}, gửi kèm "
                      "trang này. Phần B dưới đây ghi sẵn từ sổ của chi bộ để đảng viên đối chiếu, ký."),
        "frame": (f"Trên cơ sở cụ thể hóa khung tiêu chí đánh giá đối với {who} được quy định tại {appendix}, Quy định "
                  "số 366-QĐ/TW, cá nhân tự đánh giá, chấm điểm như sau:"),
        "scores": _score_lines(common, results, r.self_score),
        "levels": _level_marks(r.self_level),
        "annex_note": annex_note,
        "signer_authority": "NGƯỜI TỰ KIỂM ĐIỂM",
        "signer_title": "(Ký, ghi rõ họ tên)",
        "signer_name": r.name,
    }


def collective_form(case: Case, result: Result, r: SubjectResult) -> dict:
    coll = _collective_of(case, r)
    perf = coll.performance if coll is not None else None
    appendix, who = FORM_APPENDIX["01"]
    kind = coll.kind if coll is not None else CollectiveKind.OTHER
    chair = case.meeting.chair
    # Who signs Mẫu 01 is not shown in the mirrored form (citations §10a); chi bộ practice is "T/M".
    if result_is_cell(case, r):
        authority, title, name = "T/M CHI BỘ", "BÍ THƯ", chair.name if "bí thư" in chair.title.casefold() else ""
    elif kind is CollectiveKind.CHI_UY:
        authority, title, name = "T/M CHI ỦY", "BÍ THƯ", chair.name if "bí thư" in chair.title.casefold() else ""
    else:
        authority, title, name = "T/M TẬP THỂ", "(Ký, ghi rõ họ tên)", ""
    return {
        "code": FORM_CODES["01"],
        "title": "BÁO CÁO KIỂM ĐIỂM, TỰ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CỦA TẬP THỂ",
        "name_line": r.name,
        "year_line": f"Năm {result.review_year}",
        "kind_line": "",
        "ident": [],
        "narrative": (f"A. NỘI DUNG KIỂM ĐIỂM: phần I đến VI do tập thể xây dựng theo {FORM_CODES['01']} (dự thảo gửi "
                      "trước cho các thành viên ít nhất 03 ngày làm việc) và gửi kèm trang này. Trang này ghi sẵn phần B "
                      "từ sổ của chi bộ để đối chiếu và ký."),
        "frame": (f"Trên cơ sở cụ thể hóa khung tiêu chí đánh giá đối với {who} được quy định tại {appendix}, Quy định "
                  "số 366-QĐ/TW, tập thể tự đánh giá, chấm điểm như sau:"),
        "scores": _score_lines(perf.self_score_common if perf else None, perf.self_score_results if perf else None,
                               r.self_score),
        "levels": _level_marks(r.self_level),
        "annex_note": "",
        "signer_authority": authority,
        "signer_title": title,
        "signer_name": name,
    }


def forms_context(case: Case, result: Result) -> list[dict]:
    """Mẫu 01 for each collective (in the order of rankings), then Mẫu 2A/2B/2C per reviewed member."""
    if not result.uses_scores:
        return []
    forms = [collective_form(case, result, r) for _, r in ordered_subjects(case, result) if r is not None and r.reviewed]
    forms += [member_form(case, result, r) for r in result.members if r.reviewed]
    for i, f in enumerate(forms):
        f["last"] = i == len(forms) - 1
    return forms


# ---------------------------------------------------------------------------
# Notice of the decided results
# ---------------------------------------------------------------------------


def has_decisions(result: Result) -> bool:
    return any(r.decided_level for r in result.members) or any(c.subject.decided_level for c in result.collectives) \
        or bool(result.party_cell and result.party_cell.decided_level)


def notice_context(case: Case, result: Result) -> dict:
    m = case.meeting
    committee = _committee(case)
    subjects = [r for _, r in ordered_subjects(case, result) if r is not None]
    refs = list(dict.fromkeys(x.decision_ref for x in subjects + list(result.members) if x.decided_level and x.decision_ref))
    basis = (f"Căn cứ Quyết định số {', '.join(refs)} của {committee}" if refs
             else f"Căn cứ Quyết định số {INLINE_BLANK} của {committee}")
    collectives = [{"no": str(i), "name": r.name, "level": r.decided_level.label if r.decided_level else "Chưa có quyết định"}
                   for i, r in enumerate([r for r in subjects if r.decided_level], 1)]
    decided = [r for r in result.members if r.reviewed]
    rows = []
    for i, r in enumerate(decided, 1):
        note = ""
        if not r.decided_level:
            note = "Chưa có quyết định"
        elif r.proposed_level and r.decided_level is not r.proposed_level:
            note = f"Chi bộ đề xuất {r.proposed_level.short}"
        rows.append({"no": str(i), "name": r.name, "role": user_text(r.role),
                     "decided": r.decided_level.short if r.decided_level else "", "note": note})
    by = {lvl: sum(1 for r in decided if r.decided_level is lvl) for lvl in LEVELS}
    n = sum(by.values())
    parts = [f"{lvl.label}: {count(k)} ({_pct(k, n)})" if k else f"{lvl.label}: không" for lvl, k in by.items()]
    return {
        "number_line": f"Số {SHORT_BLANK}-TB/CB",
        "subject": f"kết quả xếp loại chất lượng {'chi bộ, ' if collectives else ''}đảng viên năm {result.review_year}",
        "basis": f"{basis} về đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên năm {result.review_year},",
        "intro": f"{m.party_cell} thông báo kết quả xếp loại chất lượng năm {result.review_year} như sau:",
        "collectives": collectives,
        "rows": rows,
        "totals": f"Tổng số đảng viên được xếp loại: {count(n)}; " + "; ".join(parts) + ".",
        "closing": "Chi bộ thông báo để các đồng chí đảng viên biết.",
        "legend": LEGEND,
        "recipients": ["Các đồng chí đảng viên trong chi bộ", f"{committee} (báo cáo)", "Lưu Chi bộ"],
    }


def pack_context(case: Case, result: Result, base: dict) -> dict:
    """The context keys of the pack documents, added to the minutes' context."""
    return {
        "extract": extract_context(case, result, base),
        "report": report_context(case, result, base),
        "forms": forms_context(case, result),
        "has_forms": result.uses_scores,
        "notice": notice_context(case, result),
        "has_decisions": has_decisions(result),
    }
