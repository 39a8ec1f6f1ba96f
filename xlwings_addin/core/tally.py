"""Count the ballots: per member votes per level, valid and spoiled lines, integrity checks (R29, R31).

A grid and a hand tally reduce to the same ``Count`` per member so the rest of the engine does
not care how the votes were typed.
"""

from __future__ import annotations



from .record import record
from . import findings as F
from .levels import LEVELS, Level
from .models import MARK_BYTE, Ballot, BallotGrid, CellBallots, CellHands, CellTally, Member, Spoiled, Tally, mark_line


#: The bytes of ``mark_line``: "-" nothing typed, "x" spoiled, "1".."4" the levels.
_BLANK = MARK_BYTE[None]
_LEVEL_BYTES = tuple(bytes((MARK_BYTE[lvl],)) for lvl in LEVELS)


@record
class Count:
    """Votes for one subject (a member or the chi bộ)."""

    votes: tuple[int, int, int, int]  # in LEVELS order
    valid: int  # valid ballots
    spoiled: int  # spoiled or blank lines on valid ballots

    def of(self, level: Level) -> int:
        return self.votes[LEVELS.index(level)]



@record
class BallotTotals:
    """Ballots issued, returned, valid and invalid."""

    issued: int
    returned: int
    valid: int
    invalid: int


def _mark_where(grid: BallotGrid, ballot: Ballot, row: int, name: str) -> str:
    if ballot.cells and row < len(ballot.cells):
        return ballot.cells[row]
    if ballot.column and grid.sheet and row < len(grid.rows):
        return f"{grid.sheet}!{ballot.column}{grid.rows[row]}"
    return f"{ballot.where or ballot.id}, dòng {name}"


def _check_voter(ballot: Ballot, roster: dict[str, Member], findings: list) -> None:
    """R29: only official members present may vote."""
    if not ballot.voter:
        return
    where = ballot.where or ballot.id
    member = roster.get(ballot.voter)
    if member is None:
        findings.append(F.error("BALLOT_FROM_NON_MEMBER", f"Phiếu {ballot.id} ghi người bầu '{ballot.voter}' không có trong danh sách đảng viên.", where, "R29"))
    elif not member.is_official:
        findings.append(F.error("BALLOT_FROM_PROBATIONARY", f"Phiếu {ballot.id} của đồng chí {member.name} là đảng viên dự bị: đảng viên dự bị không có quyền biểu quyết (Điều lệ Đảng, Điều 3).", where, "R29"))
    elif member.suspended:
        findings.append(F.error("BALLOT_FROM_SUSPENDED", f"Phiếu {ballot.id} của đồng chí {member.name} đang bị đình chỉ sinh hoạt đảng, không được biểu quyết.", where, "R29"))
    elif not member.present:
        findings.append(F.error("BALLOT_FROM_ABSENT", f"Phiếu {ballot.id} của đồng chí {member.name} nhưng đồng chí này được ghi là vắng mặt.", where, "R29"))


def count_grid(grid: BallotGrid, reviewed: list[Member], roster: dict[str, Member], findings: list) -> tuple[dict[str, Count], BallotTotals]:
    """Count a ballot grid whose rows must be the reviewed members, in order."""
    names = [m.name for m in reviewed]
    order = list(grid.order)
    if order != names:
        missing = [n for n in names if n not in order]
        extra = [n for n in order if n not in names]
        where = grid.where or "Phiếu đảng viên"
        for n in missing:
            findings.append(F.error("GRID_MEMBER_MISSING", f"Đồng chí {n} thuộc diện đánh giá nhưng không có dòng trên lưới phiếu.", where, "R31"))
        for n in extra:
            reason = "không có trong danh sách" if n not in roster else "không thuộc diện đánh giá"
            findings.append(F.error("GRID_MEMBER_EXTRA", f"Lưới phiếu có dòng '{n}' {reason}.", where, "R31"))
        if not missing and not extra:
            findings.append(F.warning("GRID_ORDER_DIFFERS", "Thứ tự các dòng trên lưới phiếu khác thứ tự danh sách đảng viên; kết quả vẫn tính theo tên.", where, "R31"))
    votes = {n: [0, 0, 0, 0] for n in order}
    spoiled = {n: 0 for n in order}
    valid = invalid = 0
    width = len(order)
    # Each ballot becomes one byte per line (C-level maps over object ids): the checks and the counts
    # below then compare small ints, never Levels, whose Python comparison methods make == slow.
    encoded = []
    for ballot in grid.ballots:
        _check_voter(ballot, roster, findings)
        marks = ballot.marks
        if len(marks) != width:
            findings.append(F.error("BALLOT_LENGTH", f"Phiếu {ballot.id} có {len(marks)} dòng, lưới phiếu có {width} đảng viên.", ballot.where or ballot.id, "R31"))
            marks = tuple(marks[:width]) + (None,) * (width - len(marks))
        if ballot.invalid:
            invalid += 1
            continue
        line = mark_line(marks)
        if line.count(_BLANK) == len(line):
            findings.append(F.warning("BALLOT_EMPTY", f"Phiếu {ballot.id} không có ô nào được nhập: tính là phiếu không hợp lệ. Nếu phiếu hợp lệ, hãy nhập đủ các dòng.", ballot.where or ballot.id, "R31"))
            invalid += 1
            continue
        valid += 1
        encoded.append(line)
        if _BLANK in line:
            blanks = [_mark_where(grid, ballot, row, name) for row, (name, c) in enumerate(zip(order, line)) if c == _BLANK]
            shown = ", ".join(blanks[:5]) + (" ..." if len(blanks) > 5 else "")
            findings.append(F.warning("BALLOT_BLANK_LINE", f"Phiếu {ballot.id} có {len(blanks)} dòng để trống, đã tính là dòng không hợp lệ (nếu đúng, hãy nhập dấu x): {shown}.", blanks[0], "R31"))
    # All valid ballots side by side in one byte string: member i's line on every ballot is the
    # strided slice blob[i::width], counted per level at memchr speed.
    blob = b"".join(encoded)
    for i, name in enumerate(order):
        line = blob[i::width] if width else b""
        counts = [line.count(c) for c in _LEVEL_BYTES]
        votes[name] = counts
        spoiled[name] = valid - sum(counts)
    returned = valid + invalid
    issued = grid.issued if grid.issued is not None else returned
    counts = {n: Count(tuple(votes[n]), valid, spoiled[n]) for n in order}
    return counts, BallotTotals(issued, returned, valid, invalid)


def count_tally(tally: Tally, reviewed: list[Member], roster: dict[str, Member], findings: list) -> tuple[dict[str, Count], BallotTotals]:
    """Check and convert a hand tally."""
    where = tally.where or "Kiểm phiếu"
    valid = tally.returned - tally.invalid
    if tally.invalid < 0 or tally.returned < 0 or tally.issued < 0 or valid < 0:
        findings.append(F.error("TALLY_NEGATIVE", "Số phiếu phát ra, thu về, không hợp lệ phải là số không âm và số không hợp lệ không lớn hơn số thu về.", where, "R31"))
        valid = max(valid, 0)
    names = [m.name for m in reviewed]
    seen = set()
    counts: dict[str, Count] = {}
    for row in tally.rows:
        if row.name in seen:
            findings.append(F.error("TALLY_DUPLICATE_ROW", f"Đồng chí {row.name} có hai dòng kiểm phiếu.", row.where or where, "R31"))
            continue
        seen.add(row.name)
        if row.name not in names:
            reason = "không có trong danh sách" if row.name not in roster else "không thuộc diện đánh giá"
            findings.append(F.error("GRID_MEMBER_EXTRA", f"Bảng kiểm phiếu có dòng '{row.name}' {reason}.", row.where or where, "R31"))
            continue
        vs = tuple(row.count(lvl) for lvl in LEVELS)
        if any(v < 0 for v in vs) or row.spoiled < 0:
            findings.append(F.error("TALLY_NEGATIVE", f"Số phiếu của đồng chí {row.name} không được âm.", row.where or where, "R31"))
        total = sum(vs) + row.spoiled
        if total != valid:
            findings.append(F.error("TALLY_ROW_SUM", f"Đồng chí {row.name}: tổng phiếu các mức ({sum(vs)}) cộng dòng không hợp lệ ({row.spoiled}) là {total}, khác số phiếu hợp lệ {valid}.", row.where or where, "R31"))
        counts[row.name] = Count(vs, valid, row.spoiled)
    for n in names:
        if n not in counts:
            findings.append(F.error("GRID_MEMBER_MISSING", f"Đồng chí {n} thuộc diện đánh giá nhưng không có dòng kiểm phiếu.", where, "R31"))
    return counts, BallotTotals(tally.issued, tally.returned, valid, tally.invalid)


def count_cell(votes, findings: list) -> tuple[Count | None, BallotTotals | None]:
    """Count the chi bộ's own vote (ballots or a tally)."""
    if votes is None or isinstance(votes, CellHands):
        return None, None
    if isinstance(votes, CellTally):
        vs = tuple(votes.count(lvl) for lvl in LEVELS)
        if any(v < 0 for v in vs) or votes.invalid < 0:
            findings.append(F.error("TALLY_NEGATIVE", "Số phiếu đánh giá chi bộ không được âm.", votes.where, "R31"))
        valid = sum(vs)
        if valid == 0 and votes.invalid == 0:
            return None, None  # nothing typed yet
        return Count(vs, valid, 0), BallotTotals(valid + votes.invalid, valid + votes.invalid, valid, votes.invalid)
    assert isinstance(votes, CellBallots)
    counts = [0, 0, 0, 0]
    valid = invalid = spoiled = 0
    for i, mark in enumerate(votes.marks):
        bad = votes.invalid[i] if i < len(votes.invalid) else False
        if bad:
            invalid += 1
        elif isinstance(mark, Level):
            counts[LEVELS.index(mark)] += 1
            valid += 1
        elif isinstance(mark, Spoiled):
            spoiled += 1
            valid += 1
    if valid == 0 and invalid == 0:
        return None, None  # nothing typed yet
    return Count(tuple(counts), valid, spoiled), BallotTotals(valid + invalid, valid + invalid, valid, invalid)
