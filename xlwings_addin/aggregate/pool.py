"""The HTXSNV cap pooled across the grassroots organisation (pure): per group, and for the collectives.

366 Art. 11 cl. 1.5 (124 Art. 12 likewise): HTXSNV must not exceed 20% of those ranked HTTNV, counted
per group with similar position, role, function and tasks; the competent level decides, and may allow
25% for an outstanding organisation (QĐ 366 only). A chi bộ only sees its own share; the committee
sees every chi bộ at once, so this is where the cap is applied (R24, P4: pool = the đảng ủy cơ sở,
per group). The groups are the forms 2A/2B/2C under QĐ 366 and one group under QĐ 124; collectives are
a separate pool (S14), one per kind of collective (a chi bộ is not like a school's board).

The largest compliant selection keeps the best candidates first (S15, R23: demoting a candidate adds
one to the base, hence floor(r (HTT + C) / (1 + r))). It is a suggestion only: no level is changed,
the committee may choose otherwise (R25), and a tie across the cut is flagged for it to decide.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable, Iterable, Optional

from ..core.models import CollectiveKind, FormGroup
from ..engine.quota import limits
from .model import Candidate, CellRecord, Pool

#: Group keys in the order the pools are shown.
GROUP_ORDER = ("2A", "2B", "2C", "none", "all")


def group_label(key: str) -> str:
    """The Vietnamese name of a pool of members."""
    for g in FormGroup:
        if g.key == key:
            return f"Nhóm {g.key}: {g.description}"
    return {"all": "Tất cả đảng viên (QĐ 124: một nhóm)", "none": "Chưa ghi mẫu kiểm điểm (2A/2B/2C)"}.get(key, key)


def collective_label(kind: str) -> str:
    for k in CollectiveKind:
        if k.key == kind:
            return {"chi_bo": "Tập thể: các chi bộ", "chi_uy": "Tập thể: các chi ủy",
                    "lanh_dao_don_vi": "Tập thể: lãnh đạo các đơn vị", "khac": "Tập thể khác"}[k.key]
    return f"Tập thể: {kind}"


def member_group(cell: CellRecord, group: str) -> str:
    """The pool a member belongs to: the form group under QĐ 366, one group under QĐ 124."""
    if not cell.uses_scores:
        return "all"
    return group or "none"


def _neg(v: Optional[Fraction]) -> Fraction:
    # Missing values sort last (after every recorded score), never first.
    return -(v if v is not None else Fraction(-1))


def order_candidates(items: list[dict], by: str) -> list[dict]:
    """Best first: by appraised score then results score (QĐ 366), or by the HTXSNV vote share (QĐ 124).

    Equal keys keep a fixed order (chi bộ, then name) so the same set always gives the same list.
    """
    if by == "votes":
        key: Callable = lambda c: (_neg(c["htxs_share"]),)  # noqa: E731
    else:
        key = lambda c: (_neg(c["score"]), _neg(c["results_score"]))  # noqa: E731
    ordered = sorted(items, key=lambda c: (key(c), c["cell"], c["name"]))
    for c in ordered:
        c["_key"] = key(c)
    return ordered


def build_pool(key: str, label: str, subjects: str, ratio: Fraction, htt: int, reviewed: int, items: list[dict],
               by: str) -> Pool:
    """One pool: the limit, the largest compliant count, the candidates ranked with the suggestion."""
    ordered = order_candidates(items, by)
    limit, max_ok = limits(ratio, htt, len(ordered))
    exceeded = len(ordered) > limit
    cut = max_ok if exceeded else len(ordered)
    cut_key = ordered[cut - 1]["_key"] if exceeded and 0 < cut <= len(ordered) else None
    after_key = ordered[cut]["_key"] if exceeded and cut < len(ordered) else None
    straddles = cut_key is not None and cut_key == after_key
    cands = []
    for i, c in enumerate(ordered):
        tie = (i > 0 and ordered[i - 1]["_key"] == c["_key"]) or (i + 1 < len(ordered) and ordered[i + 1]["_key"] == c["_key"])
        cands.append(Candidate(cell=c["cell"], file=c["file"], name=c["name"], score=c["score"], results_score=c["results_score"],
                               htxs_share=c["htxs_share"], rank=i + 1, tie=tie, within=i < cut,
                               boundary_tie=straddles and c["_key"] == cut_key))
    return Pool(key=key, label=label, subjects=subjects, ratio=ratio, htt=htt, proposed=len(ordered), reviewed=reviewed,
                limit=limit, max_compliant=max_ok, candidates=tuple(cands), order_by=by)


def _candidate(cell: CellRecord, subject) -> dict:
    return {"cell": cell.party_cell, "file": cell.file, "name": subject.name, "score": subject.score,
            "results_score": subject.results_score, "htxs_share": subject.htxs_share}


def member_pools(cells: Iterable[CellRecord], ratio: Fraction) -> list[Pool]:
    """The pools of members, one per group (2A/2B/2C under QĐ 366; one under QĐ 124)."""
    cells = list(cells)
    buckets: dict[str, dict] = {}
    by = "score" if all(c.uses_scores for c in cells) else "votes"
    for cell in cells:
        for m in cell.members:
            if not m.reviewed:
                continue
            g = member_group(cell, m.group)
            b = buckets.setdefault(g, {"htt": 0, "reviewed": 0, "items": []})
            b["reviewed"] += 1
            if m.proposed == "HTTNV":
                b["htt"] += 1
            elif m.proposed == "HTXSNV":
                b["items"].append(_candidate(cell, m))
    keys = sorted(buckets, key=lambda k: (GROUP_ORDER.index(k) if k in GROUP_ORDER else len(GROUP_ORDER), k))
    return [build_pool(k, group_label(k), "members", ratio, buckets[k]["htt"], buckets[k]["reviewed"], buckets[k]["items"], by)
            for k in keys]


def collective_pools(cells: Iterable[CellRecord], ratio: Fraction) -> list[Pool]:
    """The pools of collectives (a separate pool, S14), one per kind of collective."""
    cells = list(cells)
    buckets: dict[str, dict] = {}
    by = "score" if all(c.uses_scores for c in cells) else "votes"
    order = [k.key for k in CollectiveKind]
    for cell in cells:
        for c in cell.collectives:
            if not c.reviewed:
                continue
            b = buckets.setdefault(c.kind, {"htt": 0, "reviewed": 0, "items": []})
            b["reviewed"] += 1
            if c.proposed == "HTTNV":
                b["htt"] += 1
            elif c.proposed == "HTXSNV":
                b["items"].append(_candidate(cell, c))
    keys = sorted(buckets, key=lambda k: order.index(k) if k in order else len(order))
    return [build_pool("tt:" + k, collective_label(k), "collectives", ratio, buckets[k]["htt"], buckets[k]["reviewed"],
                       buckets[k]["items"], by) for k in keys]
