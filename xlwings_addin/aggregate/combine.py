"""Put the records of many chi bộ together (pure): checks, pooled caps, history. No file is read here."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import Iterable, Optional

from . import checks
from .history import History, PastRow
from .model import Aggregate, CellRecord, ReadFailure, suggestion_for, suggestion_index
from .pool import collective_pools, member_pools

DEFAULT_RATIO = Fraction(1, 5)


def _most_common(values) -> str:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else ""


def combine(records: Iterable[CellRecord], failures: Iterable[ReadFailure] = (), ratio: Fraction = DEFAULT_RATIO,
            expected: Optional[dict] = None, expected_file: str = "", year: Optional[int] = None, rules_id: str = "",
            past: Iterable[PastRow] = (), committee: str = "", upper_body: str = "") -> Aggregate:
    """Check the set, pool the HTXSNV cap per group and for the collectives, and add the earlier years.

    Cells of another year or rule pack than the set's are reported and left out of the pools (their
    members would be compared under a different regulation); they still appear in the lists.
    """
    cells = sorted(records, key=lambda c: (c.party_cell.casefold(), c.file))
    failures = tuple(failures)
    year = checks.reference((c.review_year for c in cells), year)
    rules = checks.reference((c.rules_id for c in cells if c.review_year == year), rules_id or None) or ""
    problems = checks.check_failures(failures)
    problems += checks.check_year_and_rules(cells, year, rules)
    in_pool = [c for c in cells if c.review_year == year and (not rules or not c.rules_id or c.rules_id == rules)]
    ratio, ratio_problems = checks.check_ratio(ratio, in_pool)
    problems += ratio_problems
    problems += checks.check_same_cell_twice([c for c in cells if c.review_year == year])
    problems += checks.check_duplicates([c for c in cells if c.review_year == year])
    problems += checks.check_expected(cells, expected, expected_file)
    problems += checks.check_errors(cells)
    problems += checks.check_groups(in_pool)
    problems += checks.check_summary_sources(cells)
    pools = tuple(member_pools(in_pool, ratio) + collective_pools(in_pool, ratio))
    problems += checks.check_ties(pools)
    suggested = suggestion_index(pools)
    hist = {}
    history = History(past)
    if history.years and year is not None:
        for c in cells:
            for m in c.members:
                level = m.decided or suggestion_for(suggested, c, m.name, m.proposed, "members")
                hist[(c.file, m.name)] = history.member(year, c, m, level, bool(m.decided))
    return Aggregate(cells=tuple(cells), failures=failures, pools=pools, problems=tuple(problems), review_year=year,
                     rules_id=rules, ratio=ratio, history=hist, suggested=suggested,
                     committee=committee or _most_common(c.upper_committee for c in cells),
                     upper_body=upper_body or _most_common(c.upper_body for c in cells))
