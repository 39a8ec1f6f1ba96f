"""Task percentages from counts (P6: counts typed in are the evidence, percentages are computed).

QĐ 366 Art. 11 states its conditions as shares of the year's tasks: 100% done, 100% on time with
quality, at least 30% exceeded, at most 20% late, more than 50% not done. ``task_rates`` turns the
counts (or, when only percentages were typed, those) into the shares the rules test.
"""

from __future__ import annotations


from fractions import Fraction
from typing import Optional

from .record import record
from .models import Performance, Tasks

HUNDRED = Fraction(100)


@record
class TaskRates:
    """Shares of the year's tasks, in percent (None: not recorded)."""

    done_pct: Optional[Fraction] = None
    on_time_pct: Optional[Fraction] = None
    exceeded_pct: Optional[Fraction] = None
    late_pct: Optional[Fraction] = None
    all_on_time: Optional[bool] = None  # 100% of tasks completed on time with quality
    from_counts: bool = False

    @property
    def not_done_pct(self) -> Optional[Fraction]:
        return None if self.done_pct is None else HUNDRED - self.done_pct

    @property
    def has_any(self) -> bool:
        return not (self.done_pct is None and self.on_time_pct is None and self.exceeded_pct is None
                    and self.late_pct is None and self.all_on_time is None)


def task_problems(t: Tasks) -> list[str]:
    """Return what is inconsistent in typed counts, in Vietnamese (empty when they add up)."""
    if not t.has_any:
        return []
    out = []
    if t.assigned is None:
        out.append("có số nhiệm vụ hoàn thành, vượt hoặc chậm nhưng chưa nhập số nhiệm vụ được giao")
        return out
    if t.assigned <= 0:
        out.append("số nhiệm vụ được giao phải lớn hơn 0")
        return out
    for label, value in (("hoàn thành", t.done), ("đúng tiến độ, có chất lượng", t.on_time), ("vượt yêu cầu", t.exceeded),
                         ("chậm tiến độ", t.late)):
        if value is not None and value < 0:
            out.append(f"số nhiệm vụ {label} không được âm")
        elif value is not None and value > t.assigned:
            out.append(f"số nhiệm vụ {label} ({value}) lớn hơn số được giao ({t.assigned})")
    done = t.done
    if done is not None:
        if t.on_time is not None and t.on_time > done:
            out.append(f"số nhiệm vụ đúng tiến độ ({t.on_time}) lớn hơn số hoàn thành ({done})")
        if t.exceeded is not None and t.exceeded > done:
            out.append(f"số nhiệm vụ vượt yêu cầu ({t.exceeded}) lớn hơn số hoàn thành ({done})")
        if t.on_time is not None and t.late is not None and t.on_time + t.late > done:
            out.append(f"số đúng tiến độ ({t.on_time}) cộng số chậm tiến độ ({t.late}) lớn hơn số hoàn thành ({done})")
    return out


def _pct(part: Optional[int], whole: int) -> Optional[Fraction]:
    return None if part is None else Fraction(part) * 100 / whole


def rates_from_counts(t: Tasks) -> TaskRates:
    """Shares from counts; nothing when the counts are missing or do not add up."""
    if not t.has_any or task_problems(t):
        return TaskRates()
    n = t.assigned
    all_on_time: Optional[bool] = None
    if t.on_time is not None:
        all_on_time = t.on_time == n
    elif (t.late or 0) > 0 or (t.done is not None and t.done < n):
        all_on_time = False
    done = t.done
    if done is None and t.on_time is not None and t.late is not None:
        done = t.on_time + t.late  # every task is either on time, late or not done
    return TaskRates(done_pct=_pct(done, n), on_time_pct=_pct(t.on_time, n), exceeded_pct=_pct(t.exceeded, n),
                     late_pct=_pct(t.late, n), all_on_time=all_on_time, from_counts=True)


def task_rates(perf: Performance) -> TaskRates:
    """Shares from the counts when typed, else from the percentages and the on-time answer."""
    if perf.tasks.has_any:
        return rates_from_counts(perf.tasks)
    late = perf.tasks_late_pct
    if late is None and perf.on_time_with_quality is None and perf.tasks_completed_pct is None \
            and perf.tasks_exceeded_pct is None:
        return _NO_RATES  # nothing typed (most QĐ 124 members): one shared, immutable record
    all_on_time = perf.on_time_with_quality
    # Late tasks mean not every task was on time, even when the on-time answer was left blank.
    if late is not None and late > 0 and all_on_time is None:
        all_on_time = False
    done = perf.tasks_completed_pct
    if all_on_time is None and done is not None and done < 100:
        all_on_time = False
    return TaskRates(done_pct=done, exceeded_pct=perf.tasks_exceeded_pct, late_pct=late, all_on_time=all_on_time)


_NO_RATES = TaskRates()
