"""Date arithmetic the rules need (pure)."""

from __future__ import annotations

from datetime import date, timedelta


def add_months(d: date, months: int) -> date:
    """Return the same day ``months`` later, clamped to the month's end (31/08 + 6 -> 28/02).

    Raises ValueError when the result falls outside the calendar (callers bound ``months``).
    """
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    if not 1 <= year <= 9999:
        raise ValueError(d)
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, min(d.day, day))
        except ValueError:
            continue
    raise ValueError(d)


def working_days_between(start: date, end: date) -> int:
    """Working days (Monday-Friday) after ``start`` up to and including ``end``; 0 if end <= start.

    Public holidays are not known here; the count is an upper bound, which suits a warning.
    """
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for i in range(1, rest + 1):
        if (start + timedelta(days=weeks * 7 + i)).weekday() < 5:
            count += 1
    return count
