"""The case file's structure as data: one spec gives the loader's checks and the JSON Schema.

Each object lists its fields with a type; the loader (``casefile.py``) walks the spec, so every
field is validated the same way, unknown keys are refused with their path (a typo such as
``review_yaer`` must not pass silently), and ``json_schema()`` writes the formal schema that
``schema/case.schema.json`` holds (a test keeps the two equal).
"""

from __future__ import annotations


from typing import Any, Optional

from ..core.record import record
from ..core.inputs import MAX_NAME, MAX_TEXT
from ..core.models import Attendance, CollectiveKind, DisciplineForm, FormGroup, Grade, Membership
from .schema import PROFILES

FORMAT = "xeploai-case"
VERSION = 2
#: Older versions the loader migrates (docs/case-file.md, "Phiên bản").
MIGRATES_FROM = (1,)

LEVEL_CODES = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")
MAX_MEMBERS = 5000  # far above any chi bộ or chi bộ cơ sở; bounds memory on hostile files
MAX_BALLOTS = 5000
MAX_LIST = 100  # short lists: guests, legal basis, collectives, members of a collective
#: All ballot cells of a file together (members x ballots): twice a full workbook (1000 x 1000). 5000
#: members by 5000 ballots fits the list bounds but is a 47 MB file that takes 500 MB and 25 s.
MAX_MARKS = 2_000_000


@record
class T:
    """A field type: ``kind`` and its parameters; ``required`` and ``nullable`` for the schema."""

    kind: str  # str | name | bool | int | num | date | time | level | choice | obj | list | any | const | year
    required: bool = False
    nullable: bool = True
    lo: Any = None
    hi: Any = None
    limit: int = MAX_TEXT
    choices: tuple = ()
    fields: Optional[dict] = None
    item: Optional["T"] = None
    max_items: int = MAX_LIST
    value: Any = None
    description: str = ""


def S(required=False, limit=MAX_TEXT, description=""):
    return T("str", required=required, nullable=not required, limit=limit, description=description)


def NAME(required=False):
    return T("name", required=required, nullable=not required, limit=MAX_NAME)


BOOL = T("bool")
LEVEL = T("level")
DATE = T("date")
TIME = T("time")


def INT(lo=0, hi=None, required=False):
    return T("int", required=required, nullable=not required, lo=lo, hi=hi)


def NUM(lo=None, hi=None):
    return T("num", lo=lo, hi=hi)


def CHOICE(enum_cls, required=False):
    keys = tuple(m.key for m in enum_cls)
    return T("choice", required=required, choices=keys)


def OBJ(fields, required=False, nullable=True):
    return T("obj", required=required, nullable=nullable, fields=fields)


def LIST(item, max_items=MAX_LIST):
    return T("list", item=item, max_items=max_items)


PERSON = OBJ({"name": NAME(), "title": S(limit=MAX_NAME)})

TASKS = OBJ({"assigned": INT(), "done": INT(), "on_time": INT(), "exceeded": INT(), "late": INT()})

PERFORMANCE = OBJ({
    "criteria_grade": CHOICE(Grade), "results_grade": CHOICE(Grade),
    "tasks_completed_pct": NUM(0, 100), "tasks_exceeded_pct": NUM(0, 100), "tasks_late_pct": NUM(0, 100),
    "on_time_with_quality": BOOL, "shortcomings_remedied": BOOL,
    # Scores outside 0-30 / 0-70 are findings (S5) naming the member, so only sanity bounds here.
    "self_score_common": NUM(-1000, 1000), "self_score_results": NUM(-1000, 1000),
    "score_common": NUM(-1000, 1000), "score_results": NUM(-1000, 1000),
    "tasks": TASKS,
})

DISCIPLINE = OBJ({
    "form": CHOICE(DisciplineForm, required=True), "duty_related": BOOL, "self_detected_remedied": BOOL,
    "note": S(), "earlier_period": BOOL, "previous_unit": BOOL,
})

LEADER = OBJ({
    "unit_tasks": TASKS, "unit_targets_missed": BOOL, "units_led": INT(), "units_led_khtnv": INT(),
    "confidence_votes": INT(), "low_confidence_votes": INT(), "corruption_in_scope": BOOL, "mitigation": BOOL,
    "quarters": LIST(LEVEL, max_items=3),
})

MEMBER = OBJ({
    "name": NAME(required=True), "member_id": S(limit=MAX_NAME), "membership": CHOICE(Membership), "role": S(limit=1000),
    "admission_date": DATE, "exempt": BOOL, "suspended": BOOL, "temporarily_elsewhere": BOOL,
    "attendance": CHOICE(Attendance), "absence_reason": S(limit=1000), "leadership": BOOL, "self_level": LEVEL,
    "performance": PERFORMANCE, "discipline": DISCIPLINE, "degradation": BOOL, "prohibited_acts": BOOL,
    "example_violation": BOOL, "civil_service_level": LEVEL, "sick_or_maternity": BOOL, "decided_level": LEVEL,
    "note": S(), "group": CHOICE(FormGroup), "outside_system": BOOL, "leader": LEADER,
    "temporary_cell_comment": S(), "residence_comment": BOOL, "opinions": S(), "comment": S(),
    "chi_bo_level": LEVEL, "decision_ref": S(limit=MAX_NAME), "rerank_level": LEVEL, "rerank_ref": S(limit=MAX_NAME),
}, required=True, nullable=False)

MARK = T("mark")
CELL_BALLOTS = OBJ({
    "mode": T("const_choice", choices=("grid", "tally", "hands")),
    # "invalid": per-ballot flags in grid mode, the number of invalid ballots in tally mode.
    "marks": LIST(MARK, max_items=MAX_BALLOTS), "invalid": T("union", choices=(LIST(BOOL, max_items=MAX_BALLOTS), INT())),
    "HTXSNV": INT(), "HTTNV": INT(), "HTNV": INT(), "KHTNV": INT(),
    "agree": INT(), "disagree": INT(), "level": LEVEL,
})

_COLLECTIVE_FIELDS = {
    "self_level": LEVEL, "performance": PERFORMANCE, "leadership_disciplined": BOOL, "subordinate_disciplined": BOOL,
    "disunity": BOOL, "personnel_wrongdoing": BOOL, "targets_missed": BOOL, "exception_claimed": BOOL,
    "exceptional_unit_approved": BOOL, "unit_level": LEVEL, "review_date": DATE, "order": INT(lo=0, hi=1000),
    "ballots": CELL_BALLOTS, "opinions": S(), "comment": S(), "chi_bo_level": LEVEL, "decided_level": LEVEL,
    "decision_ref": S(limit=MAX_NAME), "decider": S(limit=MAX_NAME),
}
PARTY_CELL = OBJ(dict(_COLLECTIVE_FIELDS))
# The chi bộ itself is "party_cell", never one of the collectives (the workbook's rows below it cannot hold it).
COLLECTIVE = OBJ({"kind": T("choice", required=True, choices=tuple(k.key for k in CollectiveKind if k is not CollectiveKind.CHI_BO)),
                  "name": NAME(required=True),
                  "members": LIST(NAME(), max_items=MAX_LIST), **_COLLECTIVE_FIELDS}, required=True, nullable=False)

BALLOT = OBJ({"id": S(limit=50), "marks": LIST(MARK, max_items=MAX_MEMBERS), "invalid": BOOL, "voter": NAME()},
             required=True, nullable=False)
TALLY_ROW = OBJ({"name": NAME(required=True), "HTXSNV": INT(), "HTTNV": INT(), "HTNV": INT(), "KHTNV": INT(),
                 "spoiled": INT()}, required=True, nullable=False)
HANDS_ROW = OBJ({"name": NAME(required=True), "agree": INT(required=True), "disagree": INT(), "level": LEVEL},
                required=True, nullable=False)
MEMBER_BALLOTS = OBJ({
    "mode": T("const_choice", choices=("grid", "tally", "hands")), "issued": INT(), "returned": INT(), "invalid": INT(),
    "order": LIST(NAME(required=True), max_items=MAX_MEMBERS), "ballots": LIST(BALLOT, max_items=MAX_BALLOTS),
    "rows": LIST(T("union", choices=(TALLY_ROW, HANDS_ROW)), max_items=MAX_MEMBERS),
})

MEETING = OBJ({
    "review_year": T("year", required=True, nullable=False), "date": T("date", required=True, nullable=False),
    "party_cell": NAME(required=True), "upper_body": S(limit=MAX_NAME),
    "upper_committee": S(limit=MAX_NAME), "locality": S(limit=MAX_NAME), "place": S(limit=1000),
    "start_time": TIME, "end_time": TIME, "chair": PERSON, "secretary": PERSON,
    "guests": LIST(PERSON), "vote_counters": LIST(PERSON), "voting_method": S(limit=MAX_NAME),
    "legal_basis": LIST(S(limit=2000)), "document_number": S(limit=MAX_NAME), "special_unit": BOOL,
    "cell_type": T("const_choice", choices=("truc_thuoc", "co_so")), "intermediate_committee": S(limit=MAX_NAME),
    "under_province": BOOL, "decider": S(limit=MAX_NAME), "report_circulated": DATE, "report_presenter": NAME(),
    "report_opinions": S(), "conclusion": S(), "program_agree": INT(), "counters_agree": INT(), "adopted_time": TIME,
    "adopted_agree": INT(), "count_start_time": TIME, "count_end_time": TIME, "count_place": S(limit=1000),
    # The workbook offers these profiles in a drop-down list: any other text would not survive an import.
    "members_order": INT(lo=0, hi=1000), "format_profile": T("const_choice", choices=tuple(k for _, k in PROFILES)),
    "fingerprint_in_minutes": BOOL,
}, required=True, nullable=False)

RULES = OBJ({"id": T("const_choice", choices=("QD124-2023", "QD366-2025")), "settings": T("settings")})

CASE = OBJ({
    "format": T("const", required=True, value=FORMAT), "version": T("const", required=True, value=VERSION),
    "note": S(description="Ghi chú về hồ sơ (nguồn số liệu, giả định)"), "meeting": MEETING, "rules": RULES, "party_cell": PARTY_CELL, "collectives": LIST(COLLECTIVE),
    "members": LIST(MEMBER, max_items=MAX_MEMBERS), "member_ballots": MEMBER_BALLOTS,
}, required=True, nullable=False)


# --------------------------------------------------------------------------- JSON Schema


def _schema(t: T) -> dict:
    null = [{"type": "null"}] if t.nullable and not t.required else []

    def maybe(s: dict) -> dict:
        return {"anyOf": [s] + null} if null else s

    if t.kind in ("str", "name"):
        s = {"type": "string", "maxLength": t.limit}
        if t.required:
            s["minLength"] = 1
        return maybe(s)
    if t.kind == "bool":
        return maybe({"type": "boolean"})
    if t.kind == "int":
        s = {"type": "integer"}
        if t.lo is not None:
            s["minimum"] = t.lo
        if t.hi is not None:
            s["maximum"] = t.hi
        return maybe(s)
    if t.kind == "year":
        return {"type": "integer", "minimum": 2023, "maximum": 2100}
    if t.kind == "num":
        s = {"type": ["number", "string"]}
        return maybe(s)
    if t.kind == "date":
        return maybe({"type": "string", "format": "date"})
    if t.kind == "time":
        return maybe({"type": "string", "pattern": "^[0-9]{1,2}:[0-9]{2}$"})
    if t.kind == "level":
        return maybe({"anyOf": [{"enum": list(LEVEL_CODES)}, {"type": "integer", "minimum": 1, "maximum": 4}]})
    if t.kind == "mark":
        return {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 4}, {"enum": ["1", "2", "3", "4", "x", "X", ""] + list(LEVEL_CODES)},
                          {"type": "null"}]}
    if t.kind in ("choice", "const_choice"):
        return maybe({"enum": list(t.choices)})
    if t.kind == "const":
        return {"const": t.value}
    if t.kind == "obj":
        props = {k: _schema(v) for k, v in t.fields.items()}
        s = {"type": "object", "additionalProperties": False, "properties": props}
        req = [k for k, v in t.fields.items() if v.required]
        if req:
            s["required"] = req
        return s if (t.required or not t.nullable) else {"anyOf": [s, {"type": "null"}]}
    if t.kind == "list":
        return {"type": "array", "maxItems": t.max_items, "items": _schema(t.item)}
    if t.kind == "union":
        return {"anyOf": [_schema(c) for c in t.choices]}
    if t.kind == "settings":
        return {"type": "object", "description": "Thiết lập (docs/rules.md); khóa lạ bị báo lỗi khi tính.",
                "additionalProperties": {"type": ["string", "number", "boolean", "null"]}}
    return {}


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of the current case-file version."""
    s = _schema(CASE)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"xeploai-case-v{VERSION}",
            "title": f"Hồ sơ hội nghị kiểm điểm, đánh giá, xếp loại (xeploai-case, phiên bản {VERSION})",
            "description": "One review meeting: meeting facts, rule settings, the roster, the collectives, the member votes "
                           "(ballot grid, hand tally or show of hands). Generated from xlwings_addin/io/casespec.py; "
                           "see docs/case-file.md.", **s}
