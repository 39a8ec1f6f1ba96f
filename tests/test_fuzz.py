"""Fuzzing the case loader, the engine and the document context on schema-shaped random cases.

The cases are generated from the spec itself (``io/casespec.py``): objects with a random subset of
their fields, values of the right kind drawn from nasty ranges (huge and tiny numbers, other digit
scripts, formula signs, lone surrogates, Excel error texts), plus mutations (a leaf of the wrong
type, an unknown key, a required field dropped). The only exception allowed anywhere is the
documented input error, ``CaseFileError``; whatever loads must compute, give a document context,
a JSON result and a text report, and write back to a case file that loads to the same case. A
second property imports cases into workbooks: each reads back to the same case and proposals, or
the import is refused naming the JSON path the workbook cannot hold.

Normal suite: a short run (150 examples). The long run takes a time budget in minutes::

    XEPLOAI_FUZZ_MINUTES=10 python -m pytest tests/test_fuzz.py -m fuzz -s

and prints the number of examples it ran.
"""

from __future__ import annotations

import functools
import json
import os
import string
import time
import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from xlwings_addin.core.report import text_report
from xlwings_addin.documents.context import build_context
from xlwings_addin.engine import compute
from xlwings_addin.io import casespec as C
from xlwings_addin.io.casefile import CaseFileError, case_from_dict, case_to_dict, parse_json_text

TODAY = date(2026, 6, 1)

# --------------------------------------------------------------------------- valid values (edge cases included)

_ALPHABET = string.ascii_letters + "ăâđêôơưÀÁẢÃẠĐẾỀỂỄỆ =+-@#;%,.&<>'\"0123456789"
_EDGY_NAMES = ["=SUM(A1)", "+84 912", "@Hương", "-Ngọc", "#N/A", "Đỗ E & <F>", "  Nguyễn  ", "Nguyễn Văn A (1970)",
               "Nguye\u0302\u0303n", "TRUE", "0", "x" * 200]
_EDGY_TEXT = _EDGY_NAMES + ["a\nb", "tab\tx", "#DIV/0!", "1e999999999", "١٢", ""]


@functools.lru_cache(maxsize=None)
def _text(limit: int, names: bool = False, required: bool = False) -> st.SearchStrategy:
    edgy = [x for x in (_EDGY_NAMES if names else _EDGY_TEXT) if len(x) <= limit and (x.strip() or not required)]
    plain = st.text(alphabet=_ALPHABET, min_size=1 if required else 0, max_size=min(limit, 24))
    at_limit = st.just("y" * limit)  # exactly at the limit: must be accepted and kept whole
    out = st.one_of(plain, plain, plain, st.sampled_from(edgy), at_limit)
    return out.filter(lambda x: x.strip()) if required else out


@functools.lru_cache(maxsize=None)
def _number(lo, hi) -> st.SearchStrategy:
    lo = -1000 if lo is None else lo
    hi = 1000 if hi is None else hi
    return st.one_of(st.integers(lo, hi), st.floats(lo, hi, allow_nan=False), st.sampled_from([lo, hi]),
                     st.integers(lo * 10, hi * 10).map(lambda n: f"{n / 10:g}".replace(".", ",")),
                     st.integers(lo, hi).map(lambda n: f"{n}%" if 0 <= n <= 100 else str(n)))


_SETTINGS = {
    "base_policy": st.sampled_from(["official_excl_excused", "official_all", "present"]),
    "htxs_threshold": st.sampled_from(["half", "two_thirds"]), "cascade": st.booleans(),
    "quorum_warning": st.sampled_from(["2/3", "0.5", "1", 0]), "quorum_note": st.sampled_from(["85%", "0.85", 1]),
    "quota_ratio": st.sampled_from(["1/5", "20%", "0.25", 1, "1/1000"]), "quota_ratio_exceptional": st.sampled_from(["1/4", None, ""]),
    "quota_pool": st.sampled_from(["chi_bo", "dang_bo", "nhom", "chi_bo_co_so"]), "self_vote": st.booleans(),
    "admission_reference": st.sampled_from(["meeting_date", "year_end"]), "probation_months": st.integers(0, 60),
    "civil_service_link": st.sampled_from(["warn", "block"]), "proposal_basis": st.sampled_from(["score", "vote", "score_and_vote"]),
    "vote_overrides_score": st.booleans(), "quota_by_group": st.booleans(), "quarter_khtnv_blocks_htxs": st.booleans(),
    "member_decider": st.sampled_from(["chi_bo_co_so", "upper"]), "review_duration": st.sampled_from(["hd43", "local"]),
}


_CACHE: dict = {}


def valid(t: C.T, depth: int = 0) -> st.SearchStrategy:
    """A value of spec type ``t`` that the loader should accept (edge cases of each kind included).

    Strategies are built once per (type, depth): hypothesis validates every new strategy object, which
    was nine tenths of the run time when they were built afresh for every draw.
    """
    key = ("valid", id(t), min(depth, 3))
    if key not in _CACHE:
        _CACHE[key] = _valid(t, min(depth, 3))
    return _CACHE[key]


def _valid(t: C.T, depth: int) -> st.SearchStrategy:
    kind = t.kind
    if kind == "str":
        return _text(t.limit, required=t.required)
    if kind == "name":
        return _text(t.limit, names=True, required=t.required)
    if kind == "bool":
        return st.booleans()
    if kind == "int":
        lo = 0 if t.lo is None else t.lo
        hi = 10 ** 9 if t.hi is None else t.hi
        return st.one_of(st.integers(lo, min(hi, lo + 40)), st.integers(lo, hi))
    if kind == "year":
        return st.sampled_from([2023, 2024, 2025, 2026, 2027])
    if kind == "num":
        return _number(t.lo, t.hi)
    if kind == "date":
        return st.dates(date(1930, 1, 1), date(2100, 12, 31)).map(date.isoformat)
    if kind == "time":
        return st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
    if kind == "level":
        return st.sampled_from(list(C.LEVEL_CODES) + [1, 2, 3, 4])
    if kind == "mark":
        return st.sampled_from([1, 2, 3, 4, "1", "x", "X", None, "", "HTTNV"])
    if kind in ("choice", "const_choice"):
        return st.sampled_from(t.choices)
    if kind == "const":
        return st.just(t.value)
    if kind == "obj":
        return objects(t, depth)
    if kind == "list":
        return st.lists(valid(t.item, depth + 1), max_size=3 if depth < 2 else 1)
    if kind == "union":
        return st.one_of([valid(c, depth) for c in t.choices])
    if kind == "settings":
        return st.fixed_dictionaries({}, optional=_SETTINGS)
    raise AssertionError(kind)


def objects(t: C.T, depth: int = 0, most: int = 6) -> st.SearchStrategy:
    """An object with its required fields and a few optional ones (all of them would make huge, slow cases)."""
    key = ("obj", id(t), min(depth, 3), most)
    if key not in _CACHE:
        _CACHE[key] = _objects(t, min(depth, 3), most)
    return _CACHE[key]


def _objects(t: C.T, depth: int, most: int) -> st.SearchStrategy:
    required = [k for k, ft in t.fields.items() if ft.required]
    optional = [k for k, ft in t.fields.items() if not ft.required]

    keys_of = st.lists(st.sampled_from(optional), max_size=most if depth < 2 else 2, unique=True) if optional else st.just([])
    values = {k: (valid(ft, depth + 1) if ft.required else st.one_of(st.none(), valid(ft, depth + 1))) for k, ft in t.fields.items()}

    @st.composite
    def build(draw):
        return {k: draw(values[k]) for k in required + draw(keys_of)}
    return build()


# --------------------------------------------------------------------------- coherent cases and mutations


@st.composite
def coherent_cases(draw):
    """A case whose roster, grid and tallies fit together, with random facts: most of these load and compute."""
    n = draw(st.integers(0, 7))
    names = draw(st.lists(_text(40, names=True, required=True), min_size=n, max_size=n,
                          unique_by=lambda x: unicodedata.normalize("NFC", x).strip()))
    year = draw(st.sampled_from([2023, 2024, 2025, 2026, 2027]))
    members = [dict(draw(objects(C.MEMBER, 1)), name=nm) for nm in names]
    mode = draw(st.sampled_from(["grid", "grid", "tally", "hands", None]))
    ballots = None
    if mode == "grid":
        n_ballots = draw(st.integers(0, 6))
        ballots = {"mode": "grid", "order": list(names),
                   "ballots": [{"id": str(j + 1), "marks": draw(st.lists(valid(C.MARK), min_size=len(names), max_size=len(names))),
                                "invalid": draw(st.booleans())} for j in range(n_ballots)]}
        if draw(st.booleans()):
            ballots["issued"] = draw(st.integers(0, 10))
    elif mode == "tally":
        rows = [{"name": nm, **{c: draw(st.integers(0, 5)) for c in C.LEVEL_CODES}, "spoiled": draw(st.integers(0, 2))} for nm in names]
        ballots = {"mode": "tally", "returned": draw(st.integers(0, 12)), "invalid": draw(st.integers(0, 2)), "rows": rows}
    elif mode == "hands":
        ballots = {"mode": "hands", "rows": [{"name": nm, "agree": draw(st.integers(0, 9)), "disagree": draw(st.integers(0, 9))}
                                             for nm in names]}
    meeting = draw(objects(C.MEETING, 1))
    meeting.update(review_year=year, date=draw(st.dates(date(year, 1, 1), date(year + 1, 2, 28))).isoformat())
    doc = {"format": C.FORMAT, "version": 2, "meeting": meeting, "members": members}
    if draw(st.booleans()):
        doc["rules"] = {"id": draw(st.sampled_from([None, "QD124-2023", "QD366-2025"])), "settings": draw(valid(C.RULES.fields["settings"]))}
    if draw(st.booleans()):
        doc["party_cell"] = draw(objects(C.PARTY_CELL, 1))
    if draw(st.booleans()):
        doc["collectives"] = [dict(draw(objects(C.COLLECTIVE, 1)), members=names[:2]) for _ in range(draw(st.integers(0, 2)))]
    if ballots is not None:
        doc["member_ballots"] = ballots
    return doc


_NASTY = st.one_of(
    st.none(), st.booleans(), st.integers(-10 ** 30, 10 ** 30), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "1e999999999", "١٢", "２３", "2³", "Nguy\udce9n", "a\x00b", "NaN", "14:00+07:00", "9999-12-31",
                     "123456789012345678901234567", "x" * 40_000, "#N/A", [], {}, [None], {"a": 1}]),
    st.text(max_size=10))


def mutate(doc, draw):
    """Change one leaf to a nasty value, add an unknown key or drop a key, somewhere in the document."""
    path = []
    node = doc
    while isinstance(node, (dict, list)) and node and (not path or draw(st.booleans())):
        key = draw(st.sampled_from(list(node) if isinstance(node, dict) else list(range(len(node)))))
        path.append((node, key))
        node = node[key]
    if not path:
        return doc
    parent, key = path[-1]
    action = draw(st.sampled_from(["replace", "replace", "unknown", "drop"]))
    if action == "replace":
        parent[key] = draw(_NASTY)
    elif action == "unknown" and isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=8))] = draw(_NASTY)
    elif action == "drop" and isinstance(parent, dict):
        parent.pop(key, None)
    return doc


@st.composite
def documents(draw):
    doc = draw(coherent_cases()) if draw(st.integers(0, 4)) else draw(objects(C.CASE, 0, most=9))
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2]))):
        doc = mutate(doc, draw)
    return doc


# --------------------------------------------------------------------------- the property

STATS = {"examples": 0, "loaded": 0, "refused": 0}


def check_document(doc) -> None:
    STATS["examples"] += 1
    try:
        case = case_from_dict(doc, today=TODAY)
    except CaseFileError as exc:
        STATS["refused"] += 1
        assert exc.message  # a message, in Vietnamese, and a place when there is one
        return
    STATS["loaded"] += 1
    result = compute(case)
    build_context(case, result)
    json.dumps(result.to_dict(), ensure_ascii=False)
    text_report(result, case.meeting.party_cell)
    again = case_from_dict(json.loads(json.dumps(case_to_dict(case), ensure_ascii=False)), today=TODAY)
    assert case_to_dict(again) == case_to_dict(case)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents())
def test_random_cases_load_compute_and_render_or_are_refused_with_a_case_file_error(doc):
    check_document(doc)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
                 st.builds(lambda d, cut: json.dumps(d, ensure_ascii=False).encode("utf-8", "surrogatepass")[:cut],
                           coherent_cases(), st.integers(0, 400))))
def test_random_bytes_parse_or_are_refused_with_a_case_file_error(raw):
    try:
        data = parse_json_text(raw, "ho-so.json")
    except CaseFileError:
        return
    check_document(data)


# --------------------------------------------------------------------------- import: case -> workbook -> case

IMPORT_STATS = {"examples": 0, "built": 0, "refused": 0}


def check_import(doc, folder) -> None:
    """``import`` writes a workbook that reads back to the same case (or refuses, naming the path)."""
    from xlwings_addin import cli
    from xlwings_addin.io.workbook import read_workbook

    IMPORT_STATS["examples"] += 1
    try:
        case = case_from_dict(doc, today=TODAY)
    except CaseFileError:
        return
    out = folder / "Sổ.xlsm"
    try:
        written = cli._build_to_free_path(out, case, None)
    except CaseFileError as exc:
        IMPORT_STATS["refused"] += 1
        assert exc.where, exc.message  # always a place
        return
    IMPORT_STATS["built"] += 1
    again = read_workbook(written, today=cli._today_for(case))
    written.unlink()
    proposals = lambda c: [(m.name, m.proposed_level, m.rule, m.votes) for m in compute(c).members]  # noqa: E731
    assert proposals(again) == proposals(case)


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(coherent_cases())
def test_import_reads_back_to_the_same_case_or_refuses_with_a_path(tmp_path_factory, doc):
    check_import(doc, tmp_path_factory.mktemp("import"))


# --------------------------------------------------------------------------- the long run


@pytest.mark.fuzz
def test_fuzz_for_a_time_budget():
    minutes = float(os.environ.get("XEPLOAI_FUZZ_MINUTES", "0") or 0)
    if minutes <= 0:
        pytest.skip("set XEPLOAI_FUZZ_MINUTES=10 (and -m fuzz) for the long run")
    end = time.monotonic() + minutes * 60
    STATS.update(examples=0, loaded=0, refused=0)
    rounds = 0
    long_run = settings(max_examples=2000, deadline=None, database=None,
                        suppress_health_check=list(HealthCheck))
    import tempfile
    from pathlib import Path

    IMPORT_STATS.update(examples=0, built=0, refused=0)
    imports = settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    with tempfile.TemporaryDirectory() as tmp:
        while time.monotonic() < end:
            long_run(given(documents())(check_document))()
            # A workbook takes about a second to build: a smaller share of the budget goes to import.
            imports(given(coherent_cases())(lambda doc: check_import(doc, Path(tmp))))()
            rounds += 1
    print(f"\nfuzz: {rounds} rounds, {STATS['examples']} examples, {STATS['loaded']} loaded and computed, "
          f"{STATS['refused']} refused with CaseFileError, 0 other exceptions; import: {IMPORT_STATS['examples']} examples, "
          f"{IMPORT_STATS['built']} workbooks read back to the same case, {IMPORT_STATS['refused']} refused with a path")
