"""Small builders for test cases: a roster and ballots from short descriptions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from xlwings_addin.core.levels import LEVELS, Level
from xlwings_addin.core.models import (
    Ballot, BallotGrid, Case, CellTally, Meeting, Member, PartyCell, Person, Tally, TallyRow,
)

EXAMPLE = "xlwings_addin/examples/song-phuong-2023.json"


def meeting(year: int = 2023, when: date | None = None, **kw) -> Meeting:
    when = when or (date(2023, 11, 29) if year <= 2024 else date(year, 12, 5))
    if year == 2024 and when.year == 2023:
        when = date(2024, 12, 5)
    return Meeting(review_year=year, date=when, party_cell="Chi bộ Thử nghiệm", upper_body="Đảng bộ xã A",
                   upper_committee="Đảng ủy xã A", locality="A", chair=Person("Chủ Trì", "Bí thư Chi bộ"),
                   secretary=Person("Thư Ký"), **kw)


def members(n: int, **kw) -> tuple[Member, ...]:
    return tuple(Member(name=f"Đảng viên {i + 1:02d}", **kw) for i in range(n))


def tally_case(rows: dict[str, tuple[int, int, int, int]] | list[tuple[int, int, int, int]], n_members: int | None = None,
               year: int = 2023, roster=None, settings=(), cell=(0, 0, 0, 0), party_cell=PartyCell(),
               returned: int | None = None, spoiled: dict | None = None, **mkw) -> Case:
    """A case whose member votes are a hand tally; rows are votes in LEVELS order."""
    if isinstance(rows, list):
        roster = roster or members(len(rows) if n_members is None else n_members)
        rows = {m.name: v for m, v in zip(roster, rows)}
    roster = roster or members(n_members or len(rows))
    valid = max((sum(v) + (spoiled or {}).get(k, 0) for k, v in rows.items()), default=0)
    tally_rows = tuple(
        TallyRow(name, tuple(zip(LEVELS, v)), (spoiled or {}).get(name, valid - sum(v))) for name, v in rows.items()
    )
    tally = Tally(issued=returned if returned is not None else valid, returned=returned if returned is not None else valid,
                  invalid=(returned - valid) if returned is not None else 0, rows=tally_rows)
    cell_votes = party_cell.votes if party_cell.votes is not None else CellTally(tuple(zip(LEVELS, cell)))
    return Case(meeting=meeting(year, **mkw), members=tuple(roster), member_votes=tally,
                party_cell=replace(party_cell, votes=cell_votes), settings=tuple(settings))


def grid_case(columns: list[list], roster=None, year: int = 2023, invalid=(), voters=(), issued=None) -> Case:
    """A case whose member votes are a grid; each column is a ballot (marks in roster order)."""
    roster = roster or members(len(columns[0]) if columns else 3)
    def mark(x):
        return Level.from_code(x) if isinstance(x, int) else x

    ballots = tuple(
        Ballot(id=str(i + 1), marks=tuple(mark(x) for x in col), invalid=(i in invalid), voter=(voters[i] if i < len(voters) else ""))
        for i, col in enumerate(columns)
    )
    grid = BallotGrid(order=tuple(m.name for m in roster), ballots=ballots, issued=issued)
    return Case(meeting=meeting(year), members=tuple(roster), member_votes=grid,
                party_cell=PartyCell(votes=CellTally(((Level.HTTNV, len(columns)),))))


def codes(result) -> set[str]:
    return {f.code for f in result.findings}
