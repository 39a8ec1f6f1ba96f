"""The rules of regulations.md §6, each checked on both sides of its boundary."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction as Fr

import pytest

from casebuilder import codes, grid_case, meeting, members, tally_case
from xlwings_addin.core.dates import add_months
from xlwings_addin.engine import compute, vote_level
from xlwings_addin.core.levels import Level
from xlwings_addin.core.models import (
    Attendance, Ballot, Discipline, DisciplineForm, Grade, Member, Membership, PartyCell, Performance, Spoiled,
)
from xlwings_addin.core.tally import Count
from xlwings_addin.rules.registry import UnknownRules, rules_for
from xlwings_addin.rules.settings import RuleSettings

HTT = (0, 10, 0, 0)
#: Under QĐ 366 the default basis is the score; these tests check the vote mode (S19 "on").
VOTE = (("proposal_basis", "vote"),)


def one(votes, year=2023, **member_kw):
    """A single member whose facts are member_kw, voted ``votes`` by a base of 10 (vote basis)."""
    roster = (Member(name="A", **member_kw),) + members(9)
    rows = {"A": votes, **{m.name: HTT for m in roster[1:]}}
    return compute(tally_case(rows, roster=roster, year=year, settings=VOTE if year >= 2025 else ()))


# R1 ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("year, pack", [(2023, "QD124-2023"), (2024, "QD124-2023"), (2025, "QD366-2025"), (2026, "QD366-2025")])
def test_rule_pack_follows_the_review_year(year, pack):
    assert rules_for(year).id == pack


def test_years_before_2023_are_refused_with_a_vietnamese_message():
    with pytest.raises(UnknownRules, match="không được hỗ trợ"):
        rules_for(2022)


@pytest.mark.parametrize("when, error, warn", [
    (date(2023, 10, 3), True, False),
    (date(2023, 10, 4), False, True),
    (date(2023, 11, 9), False, True),
    (date(2023, 11, 10), False, False),
])
def test_meeting_date_against_qd124_and_hd25(when, error, warn):
    r = compute(tally_case([HTT] * 10, when=when))
    assert ("MEETING_BEFORE_REGULATION" in codes(r)) is error
    assert ("MEETING_BEFORE_GUIDANCE" in codes(r)) is warn


@pytest.mark.parametrize("when, error, warn", [
    (date(2025, 8, 29), True, False),
    (date(2025, 8, 30), False, True),
    (date(2025, 10, 31), False, False),
])
def test_meeting_date_against_qd366_and_hd43(when, error, warn):
    r = compute(tally_case([HTT] * 10, year=2025, when=when))
    assert ("MEETING_BEFORE_REGULATION" in codes(r)) is error
    assert ("MEETING_BEFORE_GUIDANCE" in codes(r)) is warn


@pytest.mark.parametrize("when, late", [(date(2025, 12, 31), False), (date(2026, 1, 2), True)])
def test_meeting_after_year_end_is_warned(when, late):
    r = compute(tally_case([HTT] * 10, year=2025, when=when))
    assert ("MEETING_AFTER_DEADLINE" in codes(r)) is late


# R2 ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, level", [("HTXSNV", Level.HTXSNV), (2, Level.HTTNV), ("3", Level.HTNV),
                                          ("khtnv", Level.KHTNV), ("Hoàn thành tốt nhiệm vụ", Level.HTTNV)])
def test_level_codes_digits_and_labels_are_understood(value, level):
    assert Level.from_code(value) is level


@pytest.mark.parametrize("value", [0, 5, 7, "HTT", "", True, 2.5])
def test_anything_else_is_not_a_level(value):
    with pytest.raises(ValueError):
        Level.from_code(value)


def test_every_reviewed_member_gets_exactly_one_proposal():
    r = compute(tally_case([(1, 9, 0, 0), (9, 1, 0, 0), (0, 0, 10, 0)]))
    assert [m.proposed_level for m in r.members] == [Level.HTTNV, Level.HTXSNV, Level.HTNV]


# R3, R4 ------------------------------------------------------------------------------------------

def test_exempt_and_suspended_members_are_not_reviewed():
    roster = (Member("Miễn", exempt=True, attendance=Attendance.ABSENT_EXCUSED), Member("Đình chỉ", suspended=True,
              attendance=Attendance.ABSENT_UNEXCUSED)) + members(5)
    r = compute(tally_case({m.name: (0, 5, 0, 0) for m in roster[2:]}, roster=roster))
    assert [m.reviewed for m in r.members[:2]] == [False, False]
    assert r.members[0].not_reviewed_reason.startswith("Miễn")
    assert r.summary["not_reviewed"][1]["name"] == "Đình chỉ"
    assert r.base == 5


@pytest.mark.parametrize("admitted, reviewed", [(date(2023, 5, 29), True), (date(2023, 5, 30), False)])
def test_six_months_since_admission_counted_to_the_meeting_date(admitted, reviewed):
    newcomer = Member("Mới", membership=Membership.PROBATIONARY, admission_date=admitted)
    roster = (newcomer,) + members(5)
    rows = {m.name: (0, 5, 0, 0) for m in roster if reviewed or m is not newcomer}
    r = compute(tally_case(rows, roster=roster))
    assert r.member("Mới").reviewed is reviewed


def test_six_month_reference_date_is_a_setting_and_differences_are_warned():
    newcomer = Member("Mới", membership=Membership.PROBATIONARY, admission_date=date(2023, 6, 15))
    roster = (newcomer,) + members(5)
    rows = {m.name: (0, 5, 0, 0) for m in roster}
    r = compute(tally_case(rows, roster=roster, settings=[("admission_reference", "year_end")]))
    assert r.member("Mới").reviewed
    assert "ADMISSION_REFERENCE_DATE" in codes(r)


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2023, 5, 29), 6) == date(2023, 11, 29)


def test_probationary_members_are_reviewed_but_do_not_vote_or_count_in_the_base():
    roster = (Member("Dự bị", membership=Membership.PROBATIONARY, admission_date=date(2023, 1, 1)),) + members(4)
    r = compute(tally_case({m.name: (0, 4, 0, 0) for m in roster}, roster=roster))
    assert r.member("Dự bị").proposed_level is Level.HTTNV
    assert (r.base, r.voters, r.probationary) == (4, 4, 1)


# R30 --------------------------------------------------------------------------------------------

def _bao_loc_roster():
    """The Bảo Lộc example (regulations.md §5.2): 17 official, 1 exempt, 2 absent with reason, 14 present."""
    roster = [Member("Miễn", exempt=True, attendance=Attendance.ABSENT_EXCUSED)]
    roster += [Member(f"Vắng {i}", attendance=Attendance.ABSENT_EXCUSED) for i in range(2)]
    roster += list(members(14))
    return tuple(roster)


@pytest.mark.parametrize("policy, base", [("official_excl_excused", 14), ("official_all", 16), ("present", 14)])
def test_base_policies(policy, base):
    roster = _bao_loc_roster()
    r = compute(tally_case({m.name: (0, 14, 0, 0) for m in roster[1:]}, roster=roster, settings=[("base_policy", policy)]))
    assert r.base == base
    assert ("BASE_PRESENT_ONLY" in codes(r)) is (policy == "present")
    assert r.settings["base_policy"] == policy


def test_a_bad_setting_is_an_error_not_ignored():
    r = compute(tally_case([HTT] * 10, settings=[("base_policy", "everyone"), ("quorum", 1)]))
    assert [f.where for f in r.findings if f.code == "SETTING_INVALID"] == ["base_policy", "quorum"]


# R32, R33 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("htt, expected", [(5, None), (6, Level.HTTNV)])
def test_more_than_half_of_the_base_is_needed(htt, expected):
    s = RuleSettings(cascade=False)
    level, rule, _ = vote_level(Count((0, htt, 10 - htt, 0), 10, 0), 10, s)
    assert level is expected


@pytest.mark.parametrize("votes, expected", [(13, Level.HTTNV), (14, Level.HTXSNV)])
def test_two_thirds_option_for_htxsnv(votes, expected):
    s = RuleSettings(htxs_threshold="two_thirds")
    level, _, _ = vote_level(Count((votes, 21 - votes, 0, 0), 21, 0), 21, s)
    assert level is expected


def test_cumulative_cascade_proposes_the_highest_level_with_cumulative_support():
    r = compute(tally_case([(4, 3, 3, 0)] + [(0, 10, 0, 0)] * 9))
    m = r.members[0]
    assert (m.proposed_level, m.rule) == (Level.HTTNV, "cumulative")
    assert "cộng dồn" in m.explanation and "7/10 phiếu (70%)" in m.explanation
    assert "CUMULATIVE_APPLIED" in codes(r) and "VOTE_TIE_REVOTE" not in codes(r)


@pytest.mark.parametrize("votes, expected", [((4, 2, 4, 0), Level.HTTNV), ((2, 1, 2, 5), Level.KHTNV)])
def test_a_cascade_through_a_tie_at_the_top_or_down_to_khtnv_asks_for_a_revote(votes, expected):
    r = compute(tally_case([votes] + [(0, 10, 0, 0)] * 9))
    assert r.members[0].proposed_level is expected
    assert [f.severity.value for f in r.findings if f.code == "VOTE_TIE_REVOTE"] == ["warning"]
    assert "CUMULATIVE_APPLIED" not in codes(r)


def test_without_cascade_no_majority_is_flagged_warning_under_124_and_error_under_366():
    rows = [(4, 2, 4, 0)] + [(0, 10, 0, 0)] * 9
    r124 = compute(tally_case(rows, settings=[("cascade", False)]))
    assert r124.members[0].proposed_level is None and r124.members[0].rule == "no_majority"
    assert [f.severity.value for f in r124.findings if f.code == "NO_MAJORITY"] == ["warning"]
    r366 = compute(tally_case(rows, settings=[("cascade", False), *VOTE], year=2025))
    assert [f.severity.value for f in r366.findings if f.code == "NO_MAJORITY"] == ["error"]


def test_explanation_states_votes_percentage_base_and_threshold():
    r = compute(tally_case([(2, 18, 2, 0)] + [HTT] * 21, roster=members(22)))
    assert r.members[0].explanation == (
        "Hoàn thành tốt nhiệm vụ: 18/22 phiếu (81,82%) so với 22 đảng viên chính thức; đạt trên 1/2.")


# R31, R29 ---------------------------------------------------------------------------------------

def test_tally_row_that_does_not_add_up_is_an_error():
    case = tally_case([(1, 8, 0, 0), (0, 9, 0, 0)], spoiled={"Đảng viên 01": 0, "Đảng viên 02": 0})
    case = replace(case, member_votes=replace(case.member_votes, returned=10, issued=10))
    r = compute(case)
    assert {f.code for f in r.findings if f.severity.value == "error"} >= {"TALLY_ROW_SUM"}


def test_more_ballots_than_official_members_present_is_an_error():
    roster = members(3) + (Member("Vắng", attendance=Attendance.ABSENT_EXCUSED),)
    cols = [[2, 2, 2, 2]] * 4
    r = compute(grid_case(cols, roster=roster))
    assert "BALLOTS_EXCEED_VOTERS" in codes(r) and r.has_errors


def test_returned_more_than_issued_is_an_error():
    r = compute(grid_case([[2, 2]] * 2, issued=1))
    assert "BALLOTS_RETURNED_EXCEED_ISSUED" in codes(r)


@pytest.mark.parametrize("voter, code", [("Dự bị", "BALLOT_FROM_PROBATIONARY"), ("Người lạ", "BALLOT_FROM_NON_MEMBER"),
                                         ("Đình chỉ", "BALLOT_FROM_SUSPENDED"), ("Đảng viên 01", None)])
def test_only_official_members_present_may_vote(voter, code):
    roster = members(3) + (Member("Dự bị", membership=Membership.PROBATIONARY, admission_date=date(2022, 1, 1)),
                           Member("Đình chỉ", suspended=True, attendance=Attendance.ABSENT_UNEXCUSED))
    reviewed = [m for m in roster if not m.suspended]
    r = compute(_grid_with_voter(roster, reviewed, voter))
    found = {f.code for f in r.findings if f.code.startswith("BALLOT_FROM")}
    assert found == ({code} if code else set())


def _grid_with_voter(roster, reviewed, voter):
    from xlwings_addin.core.models import BallotGrid, Case
    ballots = (Ballot("1", (Level.HTTNV,) * len(reviewed), voter=voter), Ballot("2", (Level.HTTNV,) * len(reviewed)))
    return Case(meeting=meeting(), members=roster, member_votes=BallotGrid(tuple(m.name for m in reviewed), ballots))


def test_invalid_ballots_and_spoiled_lines_are_counted_apart():
    r = compute(grid_case([[1, 2, 3], [Spoiled.SPOILED, 2, 3], [1, 2, 3]], invalid=(2,)))
    a = r.members[0]
    assert (a.votes, a.valid, a.spoiled) == ((1, 0, 0, 0), 2, 1)
    assert r.ballots == {"issued": 3, "returned": 3, "valid": 2, "invalid": 1}


def test_a_blank_line_counts_as_spoiled_with_a_warning_naming_the_cell():
    case = grid_case([[2, 2, 2], [2, None, 2], [2, 2, 2]])
    ballots = list(case.member_votes.ballots)
    ballots[1] = replace(ballots[1], cells=("Phiếu!E8", "Phiếu!E9", "Phiếu!E10"))
    r = compute(replace(case, member_votes=replace(case.member_votes, ballots=tuple(ballots))))
    assert r.members[1].spoiled == 1
    assert [f.where for f in r.findings if f.code == "BALLOT_BLANK_LINE"] == ["Phiếu!E9"]


def test_duplicate_names_are_an_error():
    roster = (Member("Trùng"), Member("Trùng"), Member("Khác"))
    r = compute(tally_case({"Trùng": (0, 3, 0, 0), "Khác": (0, 3, 0, 0)}, roster=roster))
    assert "DUPLICATE_NAME" in codes(r) and r.has_errors


# R35 --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("present, warn, note", [(5, True, False), (6, False, True), (8, False, False)])
def test_quorum(present, warn, note):
    roster = members(present) + tuple(Member(f"Vắng {i}", attendance=Attendance.ABSENT_UNEXCUSED) for i in range(9 - present))
    r = compute(tally_case({m.name: (0, present, 0, 0) for m in roster}, roster=roster))
    assert ("QUORUM_LOW" in codes(r), "QUORUM_NOTE" in codes(r)) == (warn, note)


# R22-R25 ----------------------------------------------------------------------------------------

def _quota_case(n_xs, n_tt, year=2023, exceptional=False):
    n = n_xs + n_tt
    rows = [(n, 0, 0, 0)] * n_xs + [(0, n, 0, 0)] * n_tt
    roster = members(len(rows))
    return tally_case(rows, roster=roster, year=year, party_cell=PartyCell(exceptional_unit_approved=exceptional),
                      settings=VOTE if year >= 2025 else ())


@pytest.mark.parametrize("xs, tt, limit, exceeded, max_ok", [(3, 15, 3, False, 3), (3, 14, 2, True, 2),
                                                              (4, 18, 3, True, 3), (4, 20, 4, False, 4)])
def test_quota_is_20_percent_of_httnv_floor(xs, tt, limit, exceeded, max_ok):
    r = compute(_quota_case(xs, tt))
    q = r.quota
    assert (q.limit, q.exceeded, q.max_compliant) == (limit, exceeded, max_ok)
    assert ("QUOTA_EXCEEDED" in codes(r)) is exceeded


def test_quota_25_percent_only_under_366_with_approval():
    assert compute(_quota_case(4, 16, year=2025, exceptional=True)).quota.exceeded is False
    assert compute(_quota_case(4, 16, year=2025, exceptional=False)).quota.exceeded is True
    r124 = compute(_quota_case(4, 16, year=2023, exceptional=True))
    assert r124.quota.exceeded is True and "QUOTA_25_NOT_IN_124" in codes(r124)


def test_quota_never_changes_a_proposal_and_orders_candidates_by_support():
    rows = [(10, 0, 0, 0), (7, 3, 0, 0), (8, 2, 0, 0)] + [(0, 10, 0, 0)] * 5
    r = compute(tally_case(rows, roster=members(8)))
    assert r.summary["by_level"]["HTXSNV"] == 3
    assert r.quota.demotion_order == ("Đảng viên 02", "Đảng viên 03", "Đảng viên 01")


def test_quota_in_a_single_group_chi_bo_co_so_is_an_error():
    case = replace(_quota_case(4, 18), settings=(("quota_pool", "chi_bo_co_so"),))
    assert [f.severity.value for f in compute(case).findings if f.code == "QUOTA_EXCEEDED"] == ["error"]


# R8, R10-R16 (QĐ 366) ---------------------------------------------------------------------------

XS = (10, 0, 0, 0)


def perf(**kw):
    return Performance(**{k: (Fr(v) if isinstance(v, (int, float, str)) and not isinstance(v, bool) else v) for k, v in kw.items()})


@pytest.mark.parametrize("common, results, error", [(30, 70, False), (Fr("30.5"), 60, True), (20, 71, True), (-1, 50, True)])
def test_r10_score_ranges(common, results, error):
    r = one(XS, year=2025, performance=Performance(score_common=Fr(common), score_results=Fr(results)))
    assert ("SCORE_OUT_OF_RANGE" in codes(r)) is error


@pytest.mark.parametrize("score, level", [("90", Level.HTXSNV), ("89.99", Level.HTTNV), ("70", Level.HTTNV),
                                          ("69.99", Level.HTNV), ("50", Level.HTNV), ("49.99", Level.KHTNV)])
def test_r11_score_bands_cap_the_vote(score, level):
    s = Fr(score)
    r = one(XS, year=2025, performance=Performance(score_common=s * 3 / 10, score_results=s * 7 / 10))
    assert r.member("A").proposed_level is level
    if level is not Level.HTXSNV:
        assert r.member("A").rule == "capped_by_score"
        assert "LEVEL_CAPPED" in codes(r)


@pytest.mark.parametrize("exceeded, level", [(29, Level.HTTNV), (30, Level.HTXSNV)])
def test_r12_htxsnv_needs_30_percent_exceeded(exceeded, level):
    r = one(XS, year=2025, performance=perf(tasks_completed_pct=100, tasks_exceeded_pct=exceeded, on_time_with_quality=True))
    assert r.member("A").proposed_level is level


def test_r12_htxsnv_needs_previous_shortcomings_remedied():
    r = one(XS, year=2025, performance=Performance(shortcomings_remedied=False))
    assert r.member("A").proposed_level is Level.HTTNV


@pytest.mark.parametrize("on_time, level", [(False, Level.HTNV), (True, Level.HTTNV)])
def test_r13_httnv_needs_all_tasks_on_time_with_quality(on_time, level):
    r = one((0, 10, 0, 0), year=2025, performance=Performance(on_time_with_quality=on_time))
    assert r.member("A").proposed_level is level


@pytest.mark.parametrize("late, gap", [(20, False), (21, True)])
def test_r14_htnv_needs_at_most_20_percent_late_or_it_is_a_gap(late, gap):
    r = one((0, 0, 10, 0), year=2025, performance=perf(tasks_completed_pct=100, tasks_late_pct=late))
    assert ("UNCLASSIFIABLE_GAP" in codes(r)) is gap
    assert r.member("A").proposed_level is Level.HTNV


@pytest.mark.parametrize("done, level", [(49, Level.KHTNV), (50, Level.HTNV)])
def test_r15_more_than_half_tasks_not_done_is_khtnv(done, level):
    r = one((0, 10, 0, 0), year=2025, performance=perf(tasks_completed_pct=done))
    assert r.member("A").proposed_level is level


def test_r15_duty_discipline_is_khtnv_unless_self_detected_and_remedied():
    d = Discipline(DisciplineForm.REPRIMAND, duty_related=True)
    assert one(HTT, year=2025, discipline=d).member("A").proposed_level is Level.KHTNV
    r = one(HTT, year=2025, discipline=replace(d, self_detected_remedied=True))
    assert r.member("A").proposed_level is Level.HTTNV and "DISCIPLINE_SELF_REMEDIED" in codes(r)
    r = one(HTT, year=2025, discipline=replace(d, duty_related=False))
    assert r.member("A").proposed_level is Level.HTTNV and "DISCIPLINE_NOT_DUTY_RELATED" in codes(r)


@pytest.mark.parametrize("flag", ["degradation", "prohibited_acts", "example_violation"])
def test_r15_other_triggers(flag):
    assert one(HTT, year=2025, **{flag: True}).member("A").proposed_level is Level.KHTNV


def test_r16_collective_htxsnv_needs_no_disciplined_leader():
    good = PartyCell(performance=Performance(score_common=Fr(28), score_results=Fr(65)))
    case = tally_case([HTT] * 10, cell=(10, 0, 0, 0), year=2025, party_cell=good)
    assert compute(case).party_cell.proposed_level is Level.HTXSNV
    bad = replace(good, leadership_disciplined=True)
    r = compute(replace(case, party_cell=bad))
    assert r.party_cell.proposed_level is Level.HTTNV and r.party_cell.rule == "capped_by_discipline"


def test_r8_sick_leave_is_a_note_not_a_cap():
    r = one(HTT, year=2025, sick_or_maternity=True)
    assert r.member("A").proposed_level is Level.HTTNV and "SICK_OR_MATERNITY" in codes(r)


def test_self_score_disagreeing_with_the_vote_is_a_warning_never_a_change():
    r = one(HTT, year=2025, performance=Performance(self_score_common=Fr(28), self_score_results=Fr(65)))
    assert r.member("A").proposed_level is Level.HTTNV and "SELF_SCORE_DIFFERS" in codes(r)


# R18-R21 (QĐ 124) -------------------------------------------------------------------------------

@pytest.mark.parametrize("exceeded, level", [(49, Level.HTTNV), (50, Level.HTXSNV)])
def test_r18_htxsnv_needs_half_the_targets_exceeded(exceeded, level):
    p = Performance(criteria_grade=Grade.GOOD, results_grade=Grade.EXCELLENT, tasks_completed_pct=Fr(100),
                    tasks_exceeded_pct=Fr(exceeded))
    r = one(XS, performance=p)
    assert r.member("A").proposed_level is level
    assert "HTXS_EVIDENCE_MISSING" not in codes(r)


def test_r18_htxsnv_without_evidence_is_a_note():
    assert "HTXS_EVIDENCE_MISSING" in codes(one(XS))


def test_r19_any_discipline_is_khtnv_under_124_even_not_duty_related():
    d = Discipline(DisciplineForm.REPRIMAND, duty_related=False)
    r = one(XS, discipline=d)
    assert r.member("A").proposed_level is Level.KHTNV and r.member("A").rule == "capped_by_discipline"
    r = one(XS, discipline=replace(d, self_detected_remedied=True))
    assert r.member("A").proposed_level is Level.HTXSNV and "DISCIPLINE_SELF_REMEDIED" in codes(r)


@pytest.mark.parametrize("criteria, results, level", [
    (Grade.AVERAGE, Grade.GOOD, Level.HTTNV), (Grade.AVERAGE, Grade.AVERAGE, Level.HTNV),
    (Grade.POOR, Grade.GOOD, Level.KHTNV),
])
def test_r20_grades_cap_the_level(criteria, results, level):
    r = one(XS, performance=Performance(criteria_grade=criteria, results_grade=results))
    assert r.member("A").proposed_level is level


def test_r21_collective_htxsnv_under_124_needs_no_disciplined_subordinate():
    case = tally_case([HTT] * 10, cell=(10, 0, 0, 0), party_cell=PartyCell(subordinate_disciplined=True))
    assert compute(case).party_cell.proposed_level is Level.HTTNV


# R27, R36, R40 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("link, severity", [("warn", "warning"), ("block", "error")])
def test_r27_party_level_above_civil_service_level(link, severity):
    roster = (Member("A", civil_service_level=Level.HTTNV),) + members(9)
    case = tally_case({"A": XS, **{m.name: HTT for m in roster[1:]}}, roster=roster, year=2025,
                      settings=[("civil_service_link", link), *VOTE])
    r = compute(case)
    assert [f.severity.value for f in r.findings if f.code == "CIVIL_SERVICE_LOWER"] == [severity]
    assert r.member("A").proposed_level is Level.HTXSNV


def test_r36_result_is_a_proposal_until_every_level_is_decided():
    case = tally_case([HTT] * 2, cell=(0, 2, 0, 0))
    assert compute(case).status == "proposed"
    decided = tuple(replace(m, decided_level=Level.HTTNV) for m in case.members)
    case = replace(case, members=decided, party_cell=PartyCell(decided_level=Level.HTTNV))
    assert compute(case).status == "decided"


def test_r40_chi_bo_htxsnv_with_a_khtnv_member_is_warned():
    r = compute(tally_case([(0, 0, 0, 10)] + [HTT] * 9, cell=(10, 0, 0, 0)))
    assert "CELL_HTXS_WITH_WEAK_MEMBER" in codes(r)
    r = compute(tally_case([HTT] * 10, cell=(10, 0, 0, 0)))
    assert "CELL_HTXS_WITH_WEAK_MEMBER" not in codes(r)


def test_quota_order_under_366_follows_the_assessed_score():
    roster = (Member("A", performance=Performance(score_common=Fr(29), score_results=Fr(65))),
              Member("B", performance=Performance(score_common=Fr(27), score_results=Fr(64))),
              Member("C")) + members(3)
    rows = {"A": (6, 0, 0, 0), "B": (6, 0, 0, 0), "C": (5, 1, 0, 0), **{m.name: (0, 6, 0, 0) for m in roster[3:]}}
    r = compute(tally_case(rows, roster=roster, year=2025, settings=VOTE))
    assert r.quota.exceeded and r.quota.demotion_order == ("C", "B", "A")


def test_quorum_warning_threshold_is_a_setting():
    roster = members(7) + tuple(Member(f"Vắng {i}", attendance=Attendance.ABSENT_UNEXCUSED) for i in range(3))
    rows = {m.name: (0, 7, 0, 0) for m in roster}
    assert "QUORUM_LOW" not in codes(compute(tally_case(rows, roster=roster)))
    assert "QUORUM_LOW" in codes(compute(tally_case(rows, roster=roster, settings=[("quorum_warning", "3/4")])))


# Show of hands, severities, pools and settings (docs/rules.md §4.3) -------------------------------

def hands_case(rows, year=2023, settings=(), cell=None):
    """Members voted by a show of hands: ``rows`` are (agree, level put) per member, base = len(rows)."""
    from xlwings_addin.core.models import Case, CellHands, Hands, HandsRow
    roster = members(len(rows))
    n = len(rows)
    hands = Hands(tuple(HandsRow(m.name, agree, n - agree, level) for m, (agree, level) in zip(roster, rows)))
    return Case(meeting=meeting(year), members=roster, member_votes=hands,
                party_cell=PartyCell(votes=cell or CellHands(n, 0, Level.HTTNV)),
                settings=tuple(settings) + (VOTE if year >= 2025 else ()))


@pytest.mark.parametrize("threshold, agree, level", [("half", 5, Level.HTXSNV), ("two_thirds", 5, None),
                                                     ("two_thirds", 6, Level.HTXSNV)])
def test_r32_a_show_of_hands_for_htxsnv_follows_the_threshold(threshold, agree, level):
    from xlwings_addin.core.models import CellHands
    rows = [(agree, Level.HTXSNV)] + [(9, Level.HTTNV)] * 8  # base 9: 2/3 is 6, more than 1/2 is 5
    r = compute(hands_case(rows, settings=[("htxs_threshold", threshold)], cell=CellHands(agree, 9 - agree, Level.HTXSNV)))
    assert r.members[0].proposed_level is level and r.party_cell.proposed_level is level
    assert r.members[1].proposed_level is Level.HTTNV  # the other levels still need more than 1/2
    assert ("NO_MAJORITY" in codes(r)) is (level is None)
    if threshold == "two_thirds":
        assert "từ 2/3 trở lên" in r.members[0].explanation


@pytest.mark.parametrize("year, form, severity", [
    (2023, "tally", "warning"), (2023, "hands", "warning"),
    (2025, "tally", "error"), (2025, "hands", "error"),
])
def test_r33_r5_no_majority_is_a_warning_under_124_and_an_error_under_366_for_members_and_collectives(year, form, severity):
    from xlwings_addin.core.models import CellTally
    split = CellTally(tuple(zip((Level.HTXSNV, Level.HTTNV, Level.HTNV, Level.KHTNV), (4, 2, 4, 0))))
    settings = [("cascade", False)]
    if form == "tally":
        case = tally_case([(4, 2, 4, 0)] + [HTT] * 9, year=year, settings=settings + (list(VOTE) if year >= 2025 else []),
                          party_cell=PartyCell(votes=split))
    else:
        case = hands_case([(4, Level.HTTNV)] + [(10, Level.HTTNV)] * 9, year=year, settings=settings, cell=split)
    r = compute(case)
    found = [(f.where, f.severity.value) for f in r.findings if f.code == "NO_MAJORITY"]
    assert {w for w, _ in found} == {"Đảng viên 01", "Chi bộ"}
    assert {s for _, s in found} == {severity}
    assert [f.severity.value for f in r.findings if f.code == "MEMBER_UNRANKED"] == [severity]


@pytest.mark.parametrize("votes, severity", [
    ([(8, 0, 0, 0), (8, 0, 0, 0)], "warning"),  # 2 candidates, room for 1: who stays is a human choice
    ([(10, 0, 0, 0), (8, 2, 0, 0), (8, 2, 0, 0)], "info"),  # room for 1: the tie is behind the limit
])
def test_r25_a_quota_tie_across_the_largest_compliant_count_is_a_warning(votes, severity):
    n_htt = 10 - len(votes)
    r = compute(tally_case(votes + [HTT] * n_htt))
    assert r.quota.exceeded and r.quota.max_compliant == 1
    assert [f.severity.value for f in r.findings if f.code == "QUOTA_TIE"] == [severity]


@pytest.mark.parametrize("cell_type, settings, severity, pool", [
    ("truc_thuoc", (), "warning", "chi_bo"),
    ("co_so", (), "error", "chi_bo_co_so"),
    ("co_so", (("quota_pool", "dang_bo"),), "warning", "dang_bo"),
])
def test_r24_a_chi_bo_co_so_is_a_single_pool_unless_a_setting_says_otherwise(cell_type, settings, severity, pool):
    case = replace(_quota_case(4, 18), settings=settings)
    r = compute(replace(case, meeting=replace(case.meeting, cell_type=cell_type)))
    assert [f.severity.value for f in r.findings if f.code == "QUOTA_EXCEEDED"] == [severity]
    assert r.settings["quota_pool"] == pool and r.quota.pool == pool


@pytest.mark.parametrize("rules_id, year, warned", [("QD366-2025", 2024, True), ("QD124-2023", 2025, True),
                                                    ("QD124-2023", 2024, False), ("", 2024, False)])
def test_r1_a_forced_rule_pack_for_another_year_is_warned(rules_id, year, warned):
    r = compute(replace(tally_case([HTT] * 10, year=year), rules_id=rules_id))
    assert r.rules_id == (rules_id or "QD124-2023")
    assert [f.severity.value for f in r.findings if f.code == "RULES_OVERRIDDEN"] == (["warning"] if warned else [])


@pytest.mark.parametrize("note, noted", [(None, False), ("9/10", True), ("88%", False), ("89%", True)])
def test_r35_the_quorum_note_threshold_is_a_setting(note, noted):
    roster = members(8) + (Member("Vắng", attendance=Attendance.ABSENT_UNEXCUSED),)  # 8/9 present = 88,89%
    rows = {m.name: (0, 8, 0, 0) for m in roster}
    r = compute(tally_case(rows, roster=roster, settings=[("quorum_note", note)] if note else []))
    assert ("QUORUM_NOTE" in codes(r)) is noted and "QUORUM_LOW" not in codes(r)


@pytest.mark.parametrize("months, reviewed", [(None, False), (4, True), (5, False)])
def test_r3_the_probation_months_are_a_setting(months, reviewed):
    newcomer = Member("Mới", membership=Membership.PROBATIONARY, admission_date=date(2023, 7, 29))  # 4 months to 29/11
    roster = (newcomer,) + members(5)
    rows = {m.name: (0, 5, 0, 0) for m in roster if reviewed or m is not newcomer}
    r = compute(tally_case(rows, roster=roster, settings=[("probation_months", months)] if months else []))
    assert r.member("Mới").reviewed is reviewed
    if not reviewed:
        assert f"chưa đủ {months or 6} tháng" in r.member("Mới").not_reviewed_reason


@pytest.mark.parametrize("ratio, limit, exceeded", [(None, 3, True), ("1/4", 4, False), ("25%", 4, False), ("1/10", 1, True)])
def test_r22_the_quota_ratio_is_a_setting(ratio, limit, exceeded):
    case = _quota_case(4, 18)
    r = compute(replace(case, settings=(("quota_ratio", ratio),) if ratio else ()))
    assert (r.quota.limit, r.quota.exceeded) == (limit, exceeded)
    assert ("QUOTA_EXCEEDED" in codes(r)) is exceeded
