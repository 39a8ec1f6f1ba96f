"""The upper committee's pooled HTXSNV cap, checks on the set and the multi-year streak (pure parts)."""

from __future__ import annotations

import ast
from fractions import Fraction
from pathlib import Path

import pytest

from xlwings_addin.aggregate.checks import check_duplicates
from xlwings_addin.aggregate.combine import combine
from xlwings_addin.aggregate.history import History, PastRow
from xlwings_addin.aggregate.model import CellRecord, CollectiveRow, MemberRow


def member(name, level, group="2B", score=None, results=None, share=None, **kw):
    return MemberRow(name=name, proposed=level, group=group, score=None if score is None else Fraction(str(score)),
                     results_score=None if results is None else Fraction(str(results)),
                     htxs_share=None if share is None else Fraction(share), **kw)


def cell(name, members, year=2026, rules="QD366-2025", collectives=(), **kw):
    return CellRecord(file=f"{name}.xlsm", source="workbook", party_cell=name, review_year=year, rules_id=rules,
                      uses_scores=rules.startswith("QD366"), members=tuple(members), collectives=tuple(collectives), **kw)


def group_of(n_htt, n_htxs, group="2B", prefix="", score=92):
    return ([member(f"{prefix}HTT {i}", "HTTNV", group, 80) for i in range(n_htt)]
            + [member(f"{prefix}XS {i}", "HTXSNV", group, score - i) for i in range(n_htxs)])


def pool(agg, key):
    return next(p for p in agg.pools if p.key == key)


@pytest.mark.parametrize("htt, htxs, limit, exceeded, keep", [
    (4, 0, 0, False, 0),   # 4 HTT -> 0 HTXS allowed (S14)
    (4, 1, 0, True, 0),    # one over: floor(0.2 x 5 / 1.2) = 0
    (5, 1, 1, False, 1),   # 5 HTT -> 1 (the boundary, on the compliant side)
    (5, 2, 1, True, 1),    # one over
    (18, 4, 3, True, 3),   # the seed meeting's arithmetic: floor(22/6) = 3
    (20, 4, 4, False, 4),
])
def test_pooled_cap_on_both_sides_of_its_boundary(htt, htxs, limit, exceeded, keep):
    agg = combine([cell("Chi bộ A", group_of(htt, htxs))])
    p = pool(agg, "2B")
    assert (p.htt, p.proposed, p.limit, p.exceeded, p.suggested_htxs) == (htt, htxs, limit, exceeded, keep)
    assert [c.within for c in p.candidates] == [i < keep for i in range(htxs)]


def test_the_cap_is_pooled_across_cells_and_counted_per_group():
    # Alone, cell A is over (2 HTT, 1 HTXS: limit 0); pooled with B's 3 HTT the 2B group allows 1.
    a = cell("Chi bộ A", group_of(2, 1, prefix="A ") + group_of(4, 1, "2A", prefix="A "))
    b = cell("Chi bộ B", group_of(3, 0, prefix="B ") + group_of(1, 0, "2A", prefix="B "))
    agg = combine([a, b])
    p2b, p2a = pool(agg, "2B"), pool(agg, "2A")
    assert (p2b.htt, p2b.proposed, p2b.limit, p2b.exceeded) == (5, 1, 1, False)
    # 2A: 5 HTT pooled -> 1 allowed: both sides of the boundary inside one group, independent of 2B.
    assert (p2a.htt, p2a.proposed, p2a.limit, p2a.exceeded) == (5, 1, 1, False)
    one_more = cell("Chi bộ C", [member("C XS", "HTXSNV", "2A", 95)])
    p2a = pool(combine([a, b, one_more]), "2A")
    assert (p2a.proposed, p2a.limit, p2a.exceeded, p2a.max_compliant) == (2, 1, True, 1)
    assert [c.name for c in p2a.candidates if c.within] == ["C XS"]  # the higher score is kept first


def test_25_percent_only_with_the_option_and_never_under_qd124():
    members = group_of(8, 2)
    assert pool(combine([cell("A", members)]), "2B").exceeded is True  # floor(0.2 x 8) = 1
    assert pool(combine([cell("A", members)], ratio=Fraction(1, 4)), "2B").exceeded is False  # floor(0.25 x 8) = 2
    old = cell("A", [member(m.name, m.proposed, "", share=Fraction(1, 2)) for m in members], year=2024, rules="QD124-2023")
    agg = combine([old], ratio=Fraction(1, 4))
    assert agg.ratio == Fraction(1, 5) and {p.code for p in agg.problems} >= {"RATIO_25_NOT_IN_124"}
    assert [p.key for p in agg.pools if p.subjects == "members"] == ["all"]  # QĐ 124: one group


def test_candidates_ordered_by_score_then_results_and_a_tie_at_the_cut_is_flagged():
    members = [member(f"HTT {i}", "HTTNV", "2B", 80) for i in range(8)] + [
        member("An", "HTXSNV", "2B", 95, 66), member("Bình", "HTXSNV", "2B", 93, 65),
        member("Chi", "HTXSNV", "2B", 93, 65), member("Dũng", "HTXSNV", "2B", 93, 64)]
    agg = combine([cell("A", members)])
    p = pool(agg, "2B")
    assert p.max_compliant == 2  # floor(0.2 x 12 / 1.2)
    assert [c.name for c in p.candidates] == ["An", "Bình", "Chi", "Dũng"]
    assert [c.tie for c in p.candidates] == [False, True, True, False]
    assert [c.boundary_tie for c in p.candidates] == [False, True, True, False]
    assert "POOL_TIE" in {x.code for x in agg.problems}
    # The suggestion never changes a proposal: the member still shows the chi bộ's HTXSNV.
    c = agg.cells[0]
    dung = next(m for m in c.members if m.name == "Dũng")
    assert dung.proposed == "HTXSNV" and agg.suggestion(c, dung) == "HTTNV"


def test_under_qd124_candidates_are_ordered_by_their_htxs_vote_share():
    members = [member(f"HTT {i}", "HTTNV", "", share="0") for i in range(5)] + [
        member("Ít phiếu", "HTXSNV", "", share="6/10"), member("Nhiều phiếu", "HTXSNV", "", share="9/10")]
    p = pool(combine([cell("A", members, year=2024, rules="QD124-2023")]), "all")
    assert p.order_by == "votes" and [c.name for c in p.candidates] == ["Nhiều phiếu", "Ít phiếu"]
    assert [c.within for c in p.candidates] == [True, False]


def test_collectives_are_a_separate_pool_per_kind():
    def coll(name, level, score):
        return CollectiveRow(kind="chi_bo", kind_label="Chi bộ", name=name, proposed=level, score=Fraction(score))

    cells = [cell(f"Chi bộ {i}", group_of(5, 0, prefix=str(i)), collectives=[coll(f"Chi bộ {i}", "HTTNV", 85)]) for i in range(4)]
    cells.append(cell("Chi bộ X", [], collectives=[coll("Chi bộ X", "HTXSNV", 95)]))
    agg = combine(cells)
    tt = pool(agg, "tt:chi_bo")
    assert (tt.subjects, tt.htt, tt.proposed, tt.limit, tt.exceeded) == ("collectives", 4, 1, 0, True)
    assert pool(agg, "2B").proposed == 0  # members are not mixed with collectives


def test_duplicates_across_cells_by_id_or_by_name_and_admission_date():
    a = cell("A", [member("Nguyễn Văn An", "HTTNV", member_id="0001"),
                   member("Trần Thị Bình", "HTTNV", admission_date="2001-05-19")])
    b = cell("B", [member("Nguyễn  Văn An", "HTTNV", member_id="0001"),  # same id (spacing differs)
                   member("trần thị bình", "HTTNV", admission_date="2001-05-19"),  # same name and date
                   member("Lê Văn Cường", "HTTNV", admission_date="1999-01-01")])
    c = cell("C", [member("Lê Văn Cường", "HTTNV", admission_date="2005-03-03")])  # a namesake, another date
    problems = check_duplicates([a, b, c])
    dup = [p for p in problems if p.code == "DUPLICATE_MEMBER"]
    assert len(dup) == 2 and all(p.file == "B.xlsm" for p in dup)
    assert any("cùng số thẻ" in p.message for p in dup) and any("ngày kết nạp 2001-05-19" in p.message for p in dup)
    assert not [p for p in problems if "Cường" in p.message]


def test_cells_of_another_year_are_reported_and_left_out_of_the_pools():
    agg = combine([cell("A", group_of(5, 1)), cell("B", group_of(5, 1)), cell("C", group_of(5, 5), year=2025)])
    assert agg.review_year == 2026
    assert [p.file for p in agg.problems if p.code == "YEAR_MISMATCH"] == ["C.xlsm"]
    assert pool(agg, "2B").proposed == 2


def test_changed_after_signing_missing_and_unexpected_cells():
    a = cell("Chi bộ A", group_of(5, 1), fingerprint="AAAA-1111", fingerprint_undecided="AAAA-1111")
    b = cell("Chi bộ B", group_of(5, 1), fingerprint="BBBB-2222", fingerprint_undecided="BBBB-0000")
    z = cell("Chi bộ Z", group_of(5, 0))
    expected = {"chi bộ a": ("Chi bộ A", "aaaa-1111"), "chi bộ b": ("Chi bộ B", "BBBB-0000"), "chi bộ c": ("Chi bộ C", "")}
    problems = combine([a, b, z], expected=expected, expected_file="ds.csv").problems
    codes = {(p.code, p.file) for p in problems}
    assert ("CELL_MISSING", "ds.csv") in codes and ("CELL_NOT_EXPECTED", "Chi bộ Z.xlsm") in codes
    # B's code matches once its later decisions are left out: not "changed after signing".
    assert not [p for p in problems if p.code == "CHANGED_AFTER_SIGNING"]
    a2 = cell("Chi bộ A", group_of(5, 1), fingerprint="AAAA-9999", fingerprint_undecided="AAAA-9999")
    changed = [p for p in combine([a2], expected=expected).problems if p.code == "CHANGED_AFTER_SIGNING"]
    assert len(changed) == 1 and "AAAA-9999" in changed[0].message and changed[0].file == "Chi bộ A.xlsm"


def test_unresolved_errors_of_a_cell_are_problems_naming_the_cell():
    a = cell("A", group_of(5, 0), errors=(("SCORE_OUT_OF_RANGE", "Điểm 31 vượt 30", "Chấm điểm!H7"),))
    p = [x for x in combine([a]).problems if x.code == "CELL_HAS_ERRORS"]
    assert p and p[0].where == "Chấm điểm!H7" and p[0].file == "A.xlsm"


def test_five_consecutive_years_and_a_gap_breaks_the_streak():
    rows = [PastRow(y, "A", "An", member_id="1", level="HTXSNV", decided=True) for y in (2022, 2023, 2024, 2025)]
    rows += [PastRow(y, "A", "Bình", level="HTXSNV", decided=True) for y in (2022, 2023, 2025)]  # 2024 missing
    rows += [PastRow(2025, "A", "Chi", level="HTXSNV", decided=True)]
    h = History(rows)
    rec = cell("A", [])
    an = h.member(2026, rec, member("An (đổi tên)", "HTXSNV", member_id="1"), "HTXSNV", False)
    assert (an.streak_before, an.streak, an.five_years, an.change) == (4, 5, True, "Giữ mức")
    binh = h.member(2026, rec, member("Bình", "HTXSNV"), "HTXSNV", False)
    assert (binh.streak_before, binh.streak, binh.five_years) == (1, 2, False)
    chi = h.member(2026, rec, member("Chi", "HTTNV"), "HTTNV", False)
    assert (chi.streak, chi.change, chi.previous_level) == (0, "Giảm mức", "HTXSNV")
    new = h.member(2026, rec, member("Mới", "HTTNV"), "HTTNV", False)
    assert new.change == "Chưa có kết quả năm trước"


def test_pure_aggregate_modules_import_no_io_library():
    forbidden = {"xlwings", "openpyxl", "docx", "docxtpl", "xlsxwriter", "python_calamine", "pandas", "zipfile", "subprocess"}
    for name in ("model", "pool", "checks", "history", "combine", "columns"):
        tree = ast.parse(Path(f"xlwings_addin/aggregate/{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for mod in mods:
                assert mod.split(".")[0] not in forbidden, f"{name}.py imports {mod}"
                assert not (isinstance(node, ast.ImportFrom) and node.level and (mod or "").startswith(("io", "excel"))), name
