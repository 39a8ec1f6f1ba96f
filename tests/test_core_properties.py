"""Property tests of the engine (hypothesis)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings, strategies as st

from casebuilder import grid_case, members
from xlwings_addin.engine import compute, vote_level
from xlwings_addin.core.levels import LEVELS, Level
from xlwings_addin.core.models import Spoiled
from xlwings_addin.core.tally import Count
from xlwings_addin.rules.settings import RuleSettings

marks = st.one_of(st.sampled_from(list(Level)), st.just(Spoiled.SPOILED), st.none())


@st.composite
def grids(draw):
    n_members = draw(st.integers(1, 6))
    n_ballots = draw(st.integers(1, n_members + 3))
    columns = [[draw(marks) for _ in range(n_members)] for _ in range(n_ballots)]
    invalid = tuple(i for i in range(n_ballots) if draw(st.booleans()) and draw(st.booleans()))
    return columns, n_members, invalid


@settings(max_examples=150, deadline=None)
@given(grids())
def test_a_members_votes_never_exceed_the_valid_ballots(data):
    columns, n, invalid = data
    r = compute(grid_case(columns, roster=members(n), invalid=invalid))
    for m in r.members:
        assert sum(m.votes) + m.spoiled == m.valid
        assert all(0 <= v <= m.valid for v in m.votes)
        assert m.valid == r.ballots["valid"]


def _rank(level):
    return level.rank if level else 0


counts = st.tuples(*[st.integers(0, 12)] * 4)
setting_choices = st.builds(
    RuleSettings,
    cascade=st.booleans(),
    htxs_threshold=st.sampled_from(["half", "two_thirds"]),
)


@settings(max_examples=400, deadline=None)
@given(counts, st.integers(1, 30), st.sampled_from(LEVELS), setting_choices)
def test_one_more_vote_for_a_level_never_lowers_the_proposal(votes, base, level, s):
    before, _, _ = vote_level(Count(votes, sum(votes), 0), base, s)
    more = list(votes)
    more[LEVELS.index(level)] += 1
    after, _, _ = vote_level(Count(tuple(more), sum(more), 0), base, s)
    assert _rank(after) >= _rank(before)


@settings(max_examples=60, deadline=None)
@given(grids(), st.randoms(use_true_random=False))
def test_the_order_of_the_ballots_changes_nothing(data, rnd):
    columns, n, invalid = data
    case = grid_case(columns, roster=members(n), invalid=invalid)
    shuffled = list(case.member_votes.ballots)
    rnd.shuffle(shuffled)
    other = replace(case, member_votes=replace(case.member_votes, ballots=tuple(shuffled)))
    a, b = compute(case).to_dict(), compute(other).to_dict()
    for key in ("members", "summary", "quota", "party_cell", "ballots"):
        assert a[key] == b[key]
    # Findings may name ballots; their codes and severities must be the same.
    assert sorted((f["code"], f["severity"]) for f in a["findings"]) == sorted((f["code"], f["severity"]) for f in b["findings"])


@settings(max_examples=100, deadline=None)
@given(grids())
def test_compute_is_deterministic(data):
    columns, n, invalid = data
    case = grid_case(columns, roster=members(n), invalid=invalid)
    assert compute(case).to_dict() == compute(case).to_dict()
