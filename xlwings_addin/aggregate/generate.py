"""Plausible chi bộ of one commune, made up from a seed (for the demo, the tests and the benchmark).

Nothing here is real: names are drawn from common Vietnamese family, middle and given names; scores
follow the bands of QĐ 366 (most members HTTNV, some HTXSNV, a few HTNV) with task counts that agree
with the level, so the engine proposes the level the score suggests. The same seed gives the same
commune.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from fractions import Fraction
from typing import Optional

from ..core.levels import Level
from ..core.models import (
    Case, Collective, CollectiveKind, FormGroup, LeaderFacts, Meeting, Member, Membership, Performance, Person, Tasks,
)

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Ngô", "Dương", "Đặng", "Phan", "Lý", "Trịnh", "Mai",
          "Tạ", "Chu", "Lưu", "Đinh", "Hà", "Cao", "Kiều", "Khuất", "Nguyễn", "Nguyễn", "Trần")
MIDDLE_F = ("Thị", "Thị", "Thị Thu", "Thị Minh", "Thị Hồng", "Thị Thanh", "Thị Ngọc", "Thị Bích", "Thị Kim")
MIDDLE_M = ("Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Ngọc", "Thanh", "Công")
GIVEN_F = ("Lan", "Hương", "Hằng", "Mai", "Nga", "Thảo", "Trang", "Yến", "Linh", "Hạnh", "Huyền", "Vân", "Phương", "Ngọc",
           "Anh", "Hà", "Thủy", "Nhung", "Tâm", "Dung", "Loan", "Oanh", "Quyên", "Hiền")
GIVEN_M = ("Hùng", "Dũng", "Tuấn", "Khánh", "Hải", "Long", "Nam", "Sơn", "Thắng", "Bình", "Cường", "Phúc", "Quân", "Tiến",
           "Toàn", "Việt", "Hòa", "Lợi", "Thành", "Trung")

#: (name, kind, members): schools, a health station, agencies, villages (8 to 60 members).
COMMUNE = (
    ("Chi bộ Trường Mầm non Ô Diên", "school", 22),
    ("Chi bộ Trường Tiểu học Ô Diên", "school", 28),
    ("Chi bộ Trường THCS Ô Diên", "school", 34),
    ("Chi bộ Trường Mầm non Hạ Mỗ", "school", 16),
    ("Chi bộ Trạm Y tế xã Ô Diên", "health", 12),
    ("Chi bộ Cơ quan Đảng - Đoàn thể xã", "agency", 24),
    ("Chi bộ Công an xã Ô Diên", "agency", 14),
    ("Chi bộ thôn Thượng Hội", "village", 60),
    ("Chi bộ thôn Hạ Hội", "village", 52),
    ("Chi bộ thôn Thống Nhất", "village", 38),
    ("Chi bộ thôn Đan Hoài", "village", 8),
    ("Chi bộ thôn Phú Mỹ", "village", 45),
)

LEADER_ROLES = {"school": ("Hiệu trưởng", "Phó Hiệu trưởng", "Phó Hiệu trưởng"), "health": ("Trạm trưởng", "Phó Trạm trưởng"),
                "agency": ("Trưởng ban", "Phó Trưởng ban", "Chánh Văn phòng"), "village": ()}
STAFF_ROLES = {"school": ("Giáo viên", "Giáo viên", "Giáo viên", "Tổ trưởng chuyên môn", "Nhân viên kế toán", "Nhân viên văn thư"),
               "health": ("Bác sĩ", "Y sĩ", "Điều dưỡng", "Nữ hộ sinh", "Dược sĩ"),
               "agency": ("Chuyên viên", "Chuyên viên", "Cán bộ", "Chiến sĩ"),
               "village": ("Công chức xã", "Giáo viên", "Nhân viên y tế")}
OUTSIDE_ROLES = ("Hưu trí", "Hưu trí", "Hưu trí", "Nông dân", "Kinh doanh", "Cựu chiến binh", "Sinh viên", "Lao động tự do")


def _name(rnd: random.Random, used: set) -> str:
    while True:
        female = rnd.random() < 0.55
        name = f"{rnd.choice(FAMILY)} {rnd.choice(MIDDLE_F if female else MIDDLE_M)} {rnd.choice(GIVEN_F if female else GIVEN_M)}"
        if name not in used:
            used.add(name)
            return name


def _half(x: float) -> Fraction:
    return Fraction(round(x * 2), 2)


def _scores(rnd: random.Random, target: Level) -> tuple[Fraction, Fraction]:
    lo, hi = {Level.HTXSNV: (90, 97), Level.HTTNV: (72, 89.5), Level.HTNV: (55, 69.5), Level.KHTNV: (38, 49)}[target]
    total = _half(rnd.uniform(lo, hi))
    common = min(Fraction(30), max(Fraction(0), _half(float(total) * 0.3 + rnd.uniform(-1, 1))))
    results = total - common
    if results > 70:
        common, results = total - 70, Fraction(70)
    return common, results


def _tasks(rnd: random.Random, target: Level) -> Tasks:
    n = rnd.randint(8, 16)
    if target is Level.HTXSNV:
        return Tasks(assigned=n, done=n, on_time=n, exceeded=rnd.randint(-(-3 * n // 10), n // 2 + 1), late=0)
    if target is Level.HTTNV:
        return Tasks(assigned=n, done=n, on_time=n, exceeded=rnd.randint(0, n // 4), late=0)
    if target is Level.HTNV:
        late = rnd.randint(1, n // 5)
        return Tasks(assigned=n, done=n, on_time=n - late, exceeded=0, late=late)
    done = rnd.randint(1, n // 2 - 1)
    return Tasks(assigned=n, done=done, on_time=done, exceeded=0, late=0)


def _target(rnd: random.Random, excellent: float) -> Level:
    x = rnd.random()
    if x < excellent:
        return Level.HTXSNV
    if x < 0.88:
        return Level.HTTNV
    return Level.HTNV if x < 0.985 else Level.KHTNV


def make_cell(name: str, kind: str, size: int, year: int, seed: int, id_base: int = 0, excellent: Optional[float] = None) -> Case:
    """One chi bộ's case: roster, groups, scores and task counts (QĐ 366), its chi ủy and, for units, the leadership."""
    rnd = random.Random(f"{seed}:{name}:{year}")
    excellent = excellent if excellent is not None else rnd.uniform(0.14, 0.3)
    used: set = set()
    meeting_day = date(year, 12, rnd.randint(1, 12))
    members = []
    leaders = LEADER_ROLES[kind][: max(1, min(3, size // 8))] if LEADER_ROLES[kind] else ()
    for i in range(size):
        if i < len(leaders):
            group, role = FormGroup.LEADER, leaders[i]
        elif kind == "village" and rnd.random() < 0.8:
            group, role = FormGroup.OUTSIDE, rnd.choice(OUTSIDE_ROLES)
        else:
            group, role = FormGroup.IN_SYSTEM, rnd.choice(STAFF_ROLES[kind])
        if i == 0:
            role = ("Bí thư Chi bộ, " + role) if role else "Bí thư Chi bộ"
        target = _target(rnd, excellent)
        if i == 0 and target < Level.HTTNV:
            target = Level.HTTNV
        common, results = _scores(rnd, target)
        self_common = min(Fraction(30), common + _half(rnd.uniform(0, 1)))
        self_results = min(Fraction(70), results + _half(rnd.uniform(0, 1.5)))
        admitted = date(rnd.randint(1972 if group is FormGroup.OUTSIDE else 1995, year - 1), rnd.randint(1, 12), rnd.randint(1, 28))
        if admitted > meeting_day - timedelta(days=200):
            admitted = meeting_day - timedelta(days=400)
        probationary = admitted > meeting_day - timedelta(days=365)
        perf = Performance(self_score_common=self_common, self_score_results=self_results, score_common=common,
                           score_results=results, shortcomings_remedied=True, tasks=_tasks(rnd, target))
        leader = None
        if group is FormGroup.LEADER:
            unit = _tasks(rnd, Level.HTXSNV if target is Level.HTXSNV else Level.HTTNV)
            leader = LeaderFacts(unit_tasks=unit, units_led=rnd.randint(2, 5), units_led_khtnv=0,
                                 quarters=(Level.HTTNV, Level.HTTNV, target if target >= Level.HTTNV else Level.HTNV))
        band = Level.HTXSNV if common + results >= 90 else Level.HTTNV if common + results >= 70 else Level.HTNV
        members.append(Member(
            name=_name(rnd, used), member_id=f"{id_base + i + 1:08d}" if id_base else "",
            membership=Membership.PROBATIONARY if probationary else Membership.OFFICIAL, role=role, admission_date=admitted,
            leadership=i < min(3, max(1, size // 9)), outside_system=group is FormGroup.OUTSIDE, group=group,
            self_level=band if rnd.random() < 0.7 else None, performance=perf, leader=leader,
            civil_service_level=target if group is not FormGroup.OUTSIDE and target >= Level.HTNV else None,
            residence_comment=True,
        ))
    chair = members[0]
    secretary = members[1] if len(members) > 1 else members[0]
    meeting = Meeting(
        review_year=year, date=meeting_day, party_cell=name, upper_body="Đảng bộ xã Ô Diên", upper_committee="Đảng ủy xã Ô Diên",
        locality="Ô Diên", place=f"Hội trường {name.removeprefix('Chi bộ ')}", chair=Person(chair.name, "Bí thư Chi bộ"),
        secretary=Person(secretary.name, "Chi ủy viên"), voting_method="",
        legal_basis=("Quy định số 366-QĐ/TW, ngày 30/8/2025 của Bộ Chính trị về kiểm điểm, đánh giá, xếp loại chất lượng hằng năm "
                     "đối với tập thể, cá nhân trong hệ thống chính trị", "Hướng dẫn số 43-HD/BTCTW, ngày 31/10/2025 của Ban Tổ chức Trung ương"),
        report_circulated=meeting_day - timedelta(days=7), report_presenter=chair.name,
    )

    def collective_perf(target: Level) -> Performance:
        common, results = _scores(rnd, target)
        return Performance(self_score_common=common, self_score_results=results, score_common=common, score_results=results,
                           shortcomings_remedied=True, tasks=_tasks(rnd, target))

    cell_target = Level.HTXSNV if rnd.random() < 0.3 else Level.HTTNV
    party_cell = Collective(kind=CollectiveKind.CHI_BO, self_level=cell_target, performance=collective_perf(cell_target),
                            unit_level=cell_target if kind != "village" else None)
    collectives = []
    committee = tuple(m.name for m in members if m.leadership)
    if len(committee) >= 3:
        t = Level.HTTNV if rnd.random() < 0.75 else Level.HTXSNV
        collectives.append(Collective(kind=CollectiveKind.CHI_UY, name=f"Chi ủy {name}", members=committee, self_level=t,
                                      performance=collective_perf(t)))
    if kind in ("school", "health") and len(leaders) >= 2:
        t = Level.HTTNV if rnd.random() < 0.6 else Level.HTXSNV
        unit = name.removeprefix("Chi bộ ")
        collectives.append(Collective(kind=CollectiveKind.LEADERSHIP, name=f"Tập thể lãnh đạo {unit}",
                                      members=tuple(m.name for m in members if m.group is FormGroup.LEADER),
                                      decider="Ủy ban nhân dân xã Ô Diên", self_level=t, performance=collective_perf(t)))
    return Case(meeting=meeting, members=tuple(members), party_cell=party_cell, collectives=tuple(collectives))


def make_commune(year: int = 2026, seed: int = 2026, cells=COMMUNE) -> list[Case]:
    """The commune's chi bộ (12 by default), with số thẻ unique across the commune."""
    return [make_cell(name, kind, size, year, seed, id_base=(k + 1) * 1000) for k, (name, kind, size) in enumerate(cells)]


def sized_cell(k: int, members: int, year: int = 2026, seed: int = 1) -> Case:
    """The k-th made-up chi bộ of a given size (benchmark and tests: names and ids unique across k)."""
    kind = ("school", "health", "agency", "village")[k % 4]
    return make_cell(f"Chi bộ số {k + 1:04d}", kind, members, year, seed, id_base=(k + 1) * 1000)
