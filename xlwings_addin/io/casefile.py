"""The case file: one meeting as versioned JSON (format ``xeploai-case``, version 2).

The structure is defined once in ``casespec.py`` (which also writes ``schema/case.schema.json``)
and documented in docs/case-file.md. Reading validates every field through the shared input layer
(``core/inputs.py``) and raises ``CaseFileError`` with a Vietnamese message naming the place (a JSON
path such as ``members[3].self_level``); unknown keys are errors; version 1 files are migrated
(``migrate``). It never lets a traceback through.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any, Optional

from ..core import inputs
from ..core.levels import LEVELS, Level
from ..core.models import (
    Attendance, Ballot, BallotGrid, Case, CellBallots, CellHands, CellTally, Collective, CollectiveKind, Discipline,
    DisciplineForm, FormGroup, Grade, Hands, HandsRow, LeaderFacts, Meeting, Member, Membership, Performance, Person,
    Spoiled, Tally, TallyRow, Tasks,
)
from . import casespec as C

FORMAT = C.FORMAT
VERSION = C.VERSION
#: A chi bộ's case is a few hundred KB; a full workbook (1000 members x 1000 ballots) exports to 13 MB.
#: The bound keeps a hostile file's parse under about 250 MB (25 million marks in 47 MB took 370 MB).
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 12  # the deepest legitimate nesting is 6


from .errors import CaseFileError  # noqa: E402  (defined apart so readers import it without this module)


# --------------------------------------------------------------------------- generic reading


def _type_name(value: Any) -> str:
    return {str: "chuỗi", int: "số", float: "số", bool: "đúng/sai", list: "danh sách", dict: "đối tượng",
            type(None): "rỗng"}.get(type(value), type(value).__name__)


_FAST_MARKS = {None: None, "": None, "x": Spoiled.SPOILED, "X": Spoiled.SPOILED,
               **{v: lvl for lvl in LEVELS for v in (lvl.digit, str(lvl.digit))}}


def _mark(value: Any, where: str):
    if value.__class__ in (int, str) and value in _FAST_MARKS:
        return _FAST_MARKS[value]
    if value is None:
        return None
    if isinstance(value, str) and value.strip().casefold() == "x":
        return Spoiled.SPOILED
    try:
        return Level.from_code(value)
    except ValueError:
        raise CaseFileError(f"ô phiếu không hợp lệ: {inputs.shown(value)!r} (dùng 1-4, x cho dòng hỏng, để trống nếu chưa nhập)",
                            where) from None


class _Reader:
    """Reads a value by its spec; ``today`` bounds the review year."""

    def __init__(self, today: date):
        self.today = today
        self.marks = 0  # ballot cells read so far (bounded by MAX_MARKS)

    def value(self, t: C.T, v: Any, where: str):
        if isinstance(v, _BadNumber):
            raise CaseFileError(f"số {v!r} quá lớn, quá dài hoặc không phải một số (NaN, Infinity)", where)
        if v is None:
            if t.required:
                raise CaseFileError("thiếu trường bắt buộc", where)
            return None
        kind = t.kind
        try:
            if kind in ("str", "name"):
                if not isinstance(v, str):
                    raise CaseFileError(f"cần chuỗi ký tự, gặp {_type_name(v)} ({inputs.shown(v)})", where)
                out = inputs.name(v) if kind == "name" else inputs.text(v, limit=t.limit)
                if t.required and not out:
                    raise CaseFileError("không được để trống", where)
                return out
            if kind == "bool":
                if not isinstance(v, bool):
                    raise CaseFileError(f"cần true hoặc false, gặp {inputs.shown(v)!r}", where)
                return v
            if kind == "int":
                if isinstance(v, bool) or not isinstance(v, int):
                    raise CaseFileError(f"cần số nguyên, gặp {inputs.shown(v)!r}", where)
                return inputs.integer(v, lo=t.lo, hi=t.hi if t.hi is not None else inputs.MAX_MAGNITUDE)
            if kind == "year":
                if isinstance(v, bool) or not isinstance(v, int):
                    raise CaseFileError(f"cần năm (số nguyên), gặp {inputs.shown(v)!r}", where)
                return inputs.year(v, self.today)
            if kind == "num":
                if isinstance(v, bool) or not isinstance(v, (int, float, str)):
                    raise CaseFileError(f"cần một số, gặp {inputs.shown(v)!r}", where)
                lo = None if t.lo is None else Fraction(t.lo)
                hi = None if t.hi is None else Fraction(t.hi)
                return inputs.number(v, lo=lo, hi=hi)
            if kind == "date":
                if not isinstance(v, str):
                    raise CaseFileError(f"cần ngày dạng YYYY-MM-DD, gặp {inputs.shown(v)!r}", where)
                if v == "":
                    if t.required:
                        raise CaseFileError("thiếu trường bắt buộc (ngày dạng YYYY-MM-DD)", where)
                    return None
                try:
                    parsed = date.fromisoformat(v) if len(v) == 10 else None
                except ValueError:
                    parsed = None
                if parsed is None:
                    raise CaseFileError(f"ngày không hợp lệ {inputs.shown(v)!r} (cần dạng YYYY-MM-DD)", where)
                return inputs.date_(parsed)
            if kind == "time":
                if not isinstance(v, str):
                    raise CaseFileError(f"cần giờ dạng HH:MM, gặp {inputs.shown(v)!r}", where)
                return None if v == "" else inputs.time_(v)
            if kind == "level":
                if v == "":
                    return None
                try:
                    return Level.from_code(v)
                except ValueError:
                    raise CaseFileError(f"mức xếp loại không hợp lệ: {inputs.shown(v)!r} (dùng HTXSNV, HTTNV, HTNV, KHTNV hoặc 1-4)",
                                        where) from None
            if kind in ("choice", "const_choice"):
                if v == "" and not t.required:
                    return None
                if not isinstance(v, str) or v not in t.choices:
                    raise CaseFileError(f"giá trị {inputs.shown(v)!r} không hợp lệ (dùng: {', '.join(t.choices)})", where)
                return v
            if kind == "const":
                if v != t.value or type(v) is not type(t.value):
                    raise CaseFileError(f"cần {t.value!r}, gặp {inputs.shown(v)!r}", where)
                return v
            if kind == "obj":
                return self.obj(t, v, where)
            if kind == "list":
                if not isinstance(v, list):
                    raise CaseFileError(f"cần một danh sách [...], gặp {_type_name(v)}", where)
                if len(v) > t.max_items:
                    raise CaseFileError(f"danh sách có {len(v)} phần tử, vượt giới hạn {t.max_items}", where)
                if t.item.kind == "mark":
                    self.marks += len(v)
                    if self.marks > C.MAX_MARKS:
                        raise CaseFileError(f"tệp có hơn {C.MAX_MARKS:,} ô phiếu (số đảng viên x số phiếu)".replace(",", ".")
                                            + ": quá lớn để là một hội nghị của chi bộ", where)
                    return tuple(_FAST_MARKS[m] if (m.__class__ is int and 1 <= m <= 4) else _mark(m, f"{where}[{j}]")
                                 for j, m in enumerate(v))
                return [self.value(t.item, x, f"{where}[{i}]") for i, x in enumerate(v)]
            if kind == "union":
                # The first variant that fits; callers that know the variant (by a mode) read it again.
                first = None
                for choice in t.choices:
                    try:
                        return self.value(choice, v, where)
                    except CaseFileError as exc:
                        first = first or exc
                raise first
            if kind == "settings":
                if not isinstance(v, dict):
                    raise CaseFileError(f"cần một đối tượng {{...}}, gặp {_type_name(v)}", where)
                return _settings(v, where)
        except inputs.InputProblem as exc:
            raise CaseFileError(str(exc), where) from None
        raise CaseFileError(f"kiểu trường không biết: {kind}", where)

    def obj(self, t: C.T, v: Any, where: str) -> dict:
        if not isinstance(v, dict):
            raise CaseFileError(f"cần một đối tượng {{...}}, gặp {_type_name(v)}", where)
        fields = t.fields
        if getattr(v, "duplicate", None) is not None:
            raise CaseFileError(f"trường '{inputs.shown(v.duplicate)}' được ghi hai lần trong cùng một đối tượng (chỉ giữ một)",
                                _join(where, str(v.duplicate)))
        for key in v:
            if key not in fields:
                close = difflib.get_close_matches(str(key), list(fields), n=1)
                hint = f" (có phải '{close[0]}'?)" if close else ""
                raise CaseFileError(f"trường không có trong định dạng: '{inputs.shown(key)}'{hint}", _join(where, str(key)))
        out = {}
        for key, ft in fields.items():
            out[key] = self.value(ft, v.get(key), _join(where, key))
        return out


def _settings(v: dict, where: str) -> dict:
    """Check each setting here, so a typo or a bad value names its JSON path (``rules.settings.quota_ratio``).

    The engine checks them again (a workbook's settings come from drop-down lists) and would only
    report the setting's name; unknown keys are refused like unknown fields, with a suggestion.
    """
    from dataclasses import fields as dc_fields

    from ..rules.settings import RuleSettings, parse_setting

    defaults = RuleSettings()
    known = [f.name for f in dc_fields(RuleSettings)]
    if getattr(v, "duplicate", None) is not None:
        raise CaseFileError(f"thiết lập '{inputs.shown(v.duplicate)}' được ghi hai lần", _join(where, str(v.duplicate)))
    for key, value in v.items():
        place = _join(where, str(key))
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (có phải '{close[0]}'?)" if close else " (các thiết lập: xem docs/rules.md)"
            raise CaseFileError(f"thiết lập không có: '{inputs.shown(key)}'{hint}", place)
        if isinstance(value, _BadNumber):
            raise CaseFileError(f"số {value!r} quá lớn, quá dài hoặc không phải một số", place)
        if isinstance(value, (dict, list)):
            raise CaseFileError(f"thiết lập '{inputs.shown(key)}' cần một giá trị đơn", place)
        try:
            if isinstance(value, str):
                inputs.text(value, limit=200)
            if value is not None:
                parse_setting(key, value, getattr(defaults, key))
        except (inputs.InputProblem, TypeError) as exc:
            raise CaseFileError(f"giá trị không hợp lệ: {exc}", place) from None
    return dict(v)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


# --------------------------------------------------------------------------- dict -> domain


def _tasks(d: Optional[dict]) -> Tasks:
    return Tasks(**d) if d else Tasks()


def _performance(d: Optional[dict]) -> Performance:
    if not d:
        return Performance()
    p = dict(d)
    p["criteria_grade"] = Grade.parse(p["criteria_grade"]) if p["criteria_grade"] else None
    p["results_grade"] = Grade.parse(p["results_grade"]) if p["results_grade"] else None
    p["tasks"] = _tasks(p["tasks"])
    return Performance(**p)


def _bool(v) -> bool:
    return bool(v) if v is not None else False


def _person(d: Optional[dict]) -> Person:
    if not d:
        return Person("")
    return Person(d["name"] or "", d["title"] or "")


def _leader(d: Optional[dict], where: str) -> Optional[LeaderFacts]:
    if not d:
        return None
    quarters = list(d["quarters"] or [])
    quarters += [None] * (3 - len(quarters))
    return LeaderFacts(unit_tasks=_tasks(d["unit_tasks"]), unit_targets_missed=_bool(d["unit_targets_missed"]),
                       units_led=d["units_led"], units_led_khtnv=d["units_led_khtnv"], confidence_votes=d["confidence_votes"],
                       low_confidence_votes=d["low_confidence_votes"], corruption_in_scope=_bool(d["corruption_in_scope"]),
                       mitigation=_bool(d["mitigation"]), quarters=tuple(quarters[:3]))


def _member(d: dict, where: str) -> Member:
    disc = d["discipline"]
    discipline = None
    if disc:
        discipline = Discipline(DisciplineForm.parse(disc["form"]), True if disc["duty_related"] is None else disc["duty_related"],
                                _bool(disc["self_detected_remedied"]), disc["note"] or "", _bool(disc["earlier_period"]),
                                _bool(disc["previous_unit"]))
    return Member(
        name=d["name"], member_id=d["member_id"] or "",
        membership=Membership.parse(d["membership"]) if d["membership"] else Membership.OFFICIAL,
        role=d["role"] or "", admission_date=d["admission_date"], exempt=_bool(d["exempt"]), suspended=_bool(d["suspended"]),
        temporarily_elsewhere=_bool(d["temporarily_elsewhere"]),
        attendance=Attendance.parse(d["attendance"]) if d["attendance"] else Attendance.PRESENT,
        absence_reason=d["absence_reason"] or "", leadership=_bool(d["leadership"]), self_level=d["self_level"],
        performance=_performance(d["performance"]), discipline=discipline, degradation=_bool(d["degradation"]),
        prohibited_acts=_bool(d["prohibited_acts"]), example_violation=_bool(d["example_violation"]),
        civil_service_level=d["civil_service_level"], sick_or_maternity=_bool(d["sick_or_maternity"]),
        decided_level=d["decided_level"], note=d["note"] or "", where=where,
        group=FormGroup.parse(d["group"]) if d["group"] else None, outside_system=_bool(d["outside_system"]),
        leader=_leader(d["leader"], f"{where}.leader"), temporary_cell_comment=d["temporary_cell_comment"] or "",
        residence_comment=d["residence_comment"], opinions=d["opinions"] or "", comment=d["comment"] or "",
        chi_bo_level=d["chi_bo_level"], decision_ref=d["decision_ref"] or "", rerank_level=d["rerank_level"],
        rerank_ref=d["rerank_ref"] or "",
    )


def _cell_votes(d: Optional[dict], where: str):
    if not d:
        return None
    mode = d["mode"] or "grid"
    if mode == "grid":
        marks = d["marks"] or ()
        # Checked before use: a count (the tally form) here must be an error at its path, not a TypeError.
        if isinstance(d["invalid"], int):
            raise CaseFileError("ở chế độ grid, invalid là danh sách true/false theo từng phiếu", f"{where}.invalid")
        invalid = tuple(d["invalid"] or ())
        if not marks and not invalid:
            return None  # no ballot typed: the same as no ballots (the count says "nothing typed yet")
        return CellBallots(tuple(marks), invalid, where=where)
    if mode == "tally":
        if isinstance(d["invalid"], (list, tuple)):
            raise CaseFileError("ở chế độ tally, invalid là số phiếu không hợp lệ", f"{where}.invalid")
        return CellTally(tuple((lvl, d[lvl.code] or 0) for lvl in LEVELS), d["invalid"] or 0, where)
    if d["agree"] is None:
        raise CaseFileError("biểu quyết giơ tay cần số tán thành (agree)", f"{where}.agree")
    return CellHands(d["agree"], d["disagree"] or 0, d["level"], where)


def _collective(d: dict, where: str, kind: CollectiveKind, name: str = "", members=(), loc: Optional[str] = None) -> Collective:
    return Collective(
        kind=kind, name=name, members=tuple(members), decider=d["decider"] or "", self_level=d["self_level"],
        performance=_performance(d["performance"]), leadership_disciplined=_bool(d["leadership_disciplined"]),
        subordinate_disciplined=_bool(d["subordinate_disciplined"]), disunity=_bool(d["disunity"]),
        personnel_wrongdoing=_bool(d["personnel_wrongdoing"]), targets_missed=_bool(d["targets_missed"]),
        exception_claimed=_bool(d["exception_claimed"]), exceptional_unit_approved=_bool(d["exceptional_unit_approved"]),
        unit_level=d["unit_level"], review_date=d["review_date"], order=d["order"],
        votes=_cell_votes(d["ballots"], f"{where}.ballots"), opinions=d["opinions"] or "", comment=d["comment"] or "",
        chi_bo_level=d["chi_bo_level"], decided_level=d["decided_level"], decision_ref=d["decision_ref"] or "",
        where=where if loc is None else loc,
    )


def _member_votes(d: Optional[dict], raw: Any, rd: _Reader, where: str):
    if not d:
        return None
    mode = d["mode"] or "grid"
    if mode == "grid":
        ballots = []
        for i, b in enumerate(d["ballots"] or []):
            ballots.append(Ballot(id=b["id"] or str(i + 1), marks=b["marks"] or (), invalid=_bool(b["invalid"]),
                                  voter=b["voter"] or "", where=f"{where}.ballots[{i}]"))
        return BallotGrid(order=tuple(d["order"] or ()), ballots=tuple(ballots), issued=d["issued"], where=where)
    rows_raw = (raw.get("rows") if isinstance(raw, dict) else None) or []
    if mode == "tally":
        rows = []
        for i, r in enumerate(rows_raw):
            rw = f"{where}.rows[{i}]"
            r = rd.obj(C.TALLY_ROW, r, rw)
            rows.append(TallyRow(r["name"], tuple((lvl, r[lvl.code] or 0) for lvl in LEVELS), r["spoiled"] or 0, rw))
        if d["returned"] is None:
            raise CaseFileError("thiếu trường bắt buộc", f"{where}.returned")
        returned = d["returned"]
        return Tally(issued=returned if d["issued"] is None else d["issued"], returned=returned, invalid=d["invalid"] or 0,
                     rows=tuple(rows), where=where)
    rows = []
    for i, r in enumerate(rows_raw):
        rw = f"{where}.rows[{i}]"
        r = rd.obj(C.HANDS_ROW, r, rw)
        rows.append(HandsRow(r["name"], r["agree"], r["disagree"] or 0, r["level"], rw))
    return Hands(tuple(rows), where)


def migrate(data: dict) -> dict:
    """Bring an older case file to the current version (the input dict is not changed).

    Version 1 -> 2: the chi bộ's own ballots move from ``party_cell_ballots`` into
    ``party_cell.ballots``; everything else of version 1 is valid version 2.
    """
    version = data.get("version")
    # true == 1 and 2.0 == 2 in Python: a version is a whole number written as one.
    if type(version) is not int:
        raise CaseFileError(f"cần số phiên bản (số nguyên {VERSION}), gặp {inputs.shown(version)!r}", "version")
    if version == VERSION:
        return data
    if version not in C.MIGRATES_FROM:
        raise CaseFileError(f"phiên bản {inputs.shown(version)!r} không được hỗ trợ (phần mềm đọc phiên bản 1 và {VERSION})", "version")
    out = dict(data)
    if not isinstance(out.get("party_cell") or {}, dict):
        return {**out, "version": VERSION}  # not an object: the validation names it
    cell = dict(out.get("party_cell") or {})
    ballots = out.pop("party_cell_ballots", None)
    if ballots is not None:
        if "ballots" in cell:
            raise CaseFileError("tệp phiên bản 1 có cả party_cell_ballots và party_cell.ballots", "party_cell_ballots")
        cell["ballots"] = ballots
    out["party_cell"] = cell
    out["version"] = VERSION
    return out


def case_from_dict(data: Any, today: Optional[date] = None) -> Case:
    """Build a ``Case`` from parsed JSON (any supported version), validating every field."""
    if not isinstance(data, dict):
        raise CaseFileError(f"cần một đối tượng {{...}}, gặp {_type_name(data)}", "(tệp)")
    fmt = data.get("format")
    if fmt != FORMAT:
        raise CaseFileError(f"không phải tệp hồ sơ hội nghị (cần \"format\": \"{FORMAT}\", gặp {inputs.shown(fmt)!r})", "format")
    data = migrate(data)
    rd = _Reader(today or date.today())
    d = rd.obj(C.CASE, data, "")
    if d["meeting"] is None:
        raise CaseFileError("thiếu trường bắt buộc", "meeting")
    m = d["meeting"]
    meeting = Meeting(
        review_year=m["review_year"], date=m["date"], party_cell=m["party_cell"], upper_body=m["upper_body"] or "",
        upper_committee=m["upper_committee"] or "", locality=m["locality"] or "", place=m["place"] or "",
        start_time=m["start_time"], end_time=m["end_time"], chair=_person(m["chair"]), secretary=_person(m["secretary"]),
        guests=tuple(_person(p) for p in m["guests"] or []), vote_counters=tuple(_person(p) for p in m["vote_counters"] or []),
        voting_method=m["voting_method"] or "bỏ phiếu kín", legal_basis=tuple(x for x in m["legal_basis"] or [] if x is not None),
        document_number=m["document_number"] or "", special_unit=_bool(m["special_unit"]),
        cell_type=m["cell_type"] or "truc_thuoc", intermediate_committee=m["intermediate_committee"] or "",
        under_province=_bool(m["under_province"]), decider=m["decider"] or "", report_circulated=m["report_circulated"],
        report_presenter=m["report_presenter"] or "", report_opinions=m["report_opinions"] or "",
        conclusion=m["conclusion"] or "", program_agree=m["program_agree"], counters_agree=m["counters_agree"],
        adopted_time=m["adopted_time"], adopted_agree=m["adopted_agree"], count_start_time=m["count_start_time"],
        count_end_time=m["count_end_time"], count_place=m["count_place"] or "", members_order=m["members_order"],
        format_profile=m["format_profile"] or "", fingerprint_in_minutes=m["fingerprint_in_minutes"],
    )
    members = tuple(_member(x, f"members[{i}]") for i, x in enumerate(d["members"] or []))
    party_cell = _collective(d["party_cell"] or {k: None for k in C.PARTY_CELL.fields}, "party_cell", CollectiveKind.CHI_BO, loc="")
    collectives = tuple(
        _collective(c, f"collectives[{i}]", CollectiveKind.parse(c["kind"]), c["name"], c["members"] or [])
        for i, c in enumerate(d["collectives"] or []))
    rules = d["rules"] or {"id": None, "settings": None}
    return Case(meeting=meeting, members=members, member_votes=_member_votes(d["member_ballots"], data.get("member_ballots"), rd, "member_ballots"),
                party_cell=party_cell, collectives=collectives, rules_id=rules["id"] or "",
                settings=tuple(sorted((rules["settings"] or {}).items())), note=d["note"] or "")


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _depth_ok(text: str) -> bool:
    """True if brackets never nest deeper than ``MAX_DEPTH`` (checked before json.loads recurses).

    Strings and everything but brackets are dropped by regular expressions first, so the Python
    loop sees only brackets: a 5000-member file is a few milliseconds, and a bracket bomb stops at
    its 13th bracket.
    """
    depth = 0
    for ch in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return False
        else:
            depth -= 1
    return True


class _BadNumber:
    """A JSON number the loader must refuse at its place: too many digits, NaN or Infinity."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return inputs.shown(self.text)


def _parse_int(text: str):
    # Python refuses to convert more than 4300 digits (a ValueError with no place): refuse at the field instead.
    return int(text) if len(text) <= 30 else _BadNumber(text)


def _parse_float(text: str):
    if len(text) > 40:
        return _BadNumber(text)
    value = float(text)
    return value if math.isfinite(value) else _BadNumber(text)


class _Pairs(dict):
    """A JSON object that remembers a key written twice (json.loads would keep the last silently)."""

    duplicate: Optional[str] = None


def _pairs(pairs):
    out = _Pairs()
    for key, value in pairs:
        if key in out and out.duplicate is None:
            out.duplicate = key
        out[key] = value
    return out


#: json's messages (English) in Vietnamese; the position is added separately.
_JSON_MESSAGES = (
    ("Expecting value", "thiếu giá trị (hoặc tệp rỗng, hoặc có dấu phẩy thừa)"),
    ("Expecting property name enclosed in double quotes", "cần tên trường trong dấu nháy kép (hoặc có dấu phẩy thừa trước dấu })"),
    ("Expecting ',' delimiter", "thiếu dấu phẩy giữa hai phần tử"),
    ("Expecting ':' delimiter", "thiếu dấu hai chấm sau tên trường"),
    ("Unterminated string", "chuỗi ký tự chưa đóng dấu nháy kép"),
    ("Invalid control character", "có ký tự điều khiển (xuống dòng, tab) trong chuỗi: hãy viết \\n hoặc \\t"),
    ("Invalid \\escape", "dấu \\ trong chuỗi không hợp lệ (viết \\\\ cho một dấu \\)"),
    ("Invalid \\uXXXX escape", "mã \\uXXXX trong chuỗi không hợp lệ"),
    ("Extra data", "có dữ liệu thừa sau khi tệp đã kết thúc"),
)


def _json_message(msg: str) -> str:
    for english, vietnamese in _JSON_MESSAGES:
        if msg.startswith(english):
            return vietnamese
    return "cú pháp JSON không đúng"


def parse_json_text(raw: bytes, name: str) -> Any:
    """Decode and parse a JSON file's bytes with bounded size and depth; Vietnamese errors."""
    if len(raw) > MAX_FILE_BYTES:
        raise CaseFileError(f"tệp {name} quá lớn ({len(raw) // (1024 * 1024)} MB) để là một tệp hồ sơ")
    if not raw.strip():
        raise CaseFileError(f"tệp {name} rỗng: hãy mở lại bản đã lưu của tệp hồ sơ")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseFileError(f"tệp {name} không phải văn bản UTF-8 (byte thứ {exc.start + 1}): hãy lưu lại với mã UTF-8") from None
    if not _depth_ok(text):
        raise CaseFileError(f"tệp {name} lồng nhau quá sâu (quá {MAX_DEPTH} cấp ngoặc): không phải tệp hồ sơ hợp lệ")
    try:
        try:
            # No parse_int hook in the common case: a call per integer made a 25-million-mark file take
            # ten seconds. Python refuses more than 4300 digits with a ValueError (no place): then
            # parse again with the hook, which turns such numbers into errors at their JSON path.
            return json.loads(text, parse_float=_parse_float, parse_constant=_BadNumber, object_pairs_hook=_pairs)
        except json.JSONDecodeError:
            raise
        except ValueError:
            return json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_BadNumber,
                              object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        raise CaseFileError(f"tệp JSON bị lỗi ở dòng {exc.lineno}, cột {exc.colno}: {_json_message(exc.msg)}", name) from None
    except (RecursionError, ValueError):
        raise CaseFileError(f"tệp {name} không đọc được: không phải tệp JSON hợp lệ") from None


def read_case(path: str | os.PathLike) -> Case:
    """Read and validate a case file."""
    p = Path(path)
    try:
        if p.is_dir():
            raise CaseFileError(f"{p.name} là một thư mục, không phải tệp hồ sơ")
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CaseFileError(f"tệp {p.name} quá lớn ({size // (1024 * 1024)} MB) để là một tệp hồ sơ")
        raw = p.read_bytes()
    except FileNotFoundError:
        raise CaseFileError(f"không tìm thấy tệp {p.name}") from None
    except PermissionError:
        raise CaseFileError(f"không có quyền đọc tệp {p.name}") from None
    except OSError as exc:
        raise CaseFileError(f"không đọc được tệp {p.name} (lỗi hệ thống {exc.errno})") from None
    return case_from_dict(parse_json_text(raw, p.name))


# --------------------------------------------------------------------------- writing


def _frac_out(value: Optional[Fraction]):
    if value is None:
        return None
    return int(value) if value.denominator == 1 else float(value)


def _clean(d: dict) -> dict:
    """Drop empty optional values so a file holds what was typed (the loader fills defaults)."""
    # Identity tests for None/False: 0 == False in Python, and a count of 0 is data.
    return {k: v for k, v in d.items() if not (v is None or v is False or v == "" or v == [] or v == {})}


def _tasks_out(t: Tasks) -> Optional[dict]:
    return _clean(dict(t.__dict__)) or None


def _perf_out(p: Performance) -> Optional[dict]:
    if not p.has_any:
        return None
    out = {}
    for key, value in p.__dict__.items():
        if key == "tasks":
            value = _tasks_out(value)
        elif isinstance(value, Fraction):
            value = _frac_out(value)
        elif isinstance(value, Grade):
            value = value.key
        if value is not None:
            out[key] = value
    return out


def _person_out(p: Person) -> dict:
    return {"name": p.name, "title": p.title}


def _code(level: Optional[Level]):
    return level.code if level else None


def _time_out(t):
    return t.strftime("%H:%M") if t else None


def _mark_out(mark) -> Any:
    if mark is None:
        return None
    if isinstance(mark, Spoiled):
        return "x"
    return mark.digit


def _votes_out(v) -> Optional[dict]:
    if isinstance(v, CellBallots):
        return {"mode": "grid", "marks": [_mark_out(x) for x in v.marks], "invalid": list(v.invalid)}
    if isinstance(v, CellTally):
        return {"mode": "tally", **{lvl.code: v.count(lvl) for lvl in LEVELS}, "invalid": v.invalid}
    if isinstance(v, CellHands):
        return _clean({"mode": "hands", "agree": v.agree, "disagree": v.disagree, "level": _code(v.level)}) | {"agree": v.agree}
    return None


def _collective_out(c: Collective, with_identity: bool) -> dict:
    out = {}
    if with_identity:
        out.update({"kind": c.kind.key, "name": c.name, "members": list(c.members)})
    out.update(_clean({
        "decider": c.decider, "self_level": _code(c.self_level), "performance": _perf_out(c.performance),
        "leadership_disciplined": c.leadership_disciplined, "subordinate_disciplined": c.subordinate_disciplined,
        "disunity": c.disunity, "personnel_wrongdoing": c.personnel_wrongdoing, "targets_missed": c.targets_missed,
        "exception_claimed": c.exception_claimed, "exceptional_unit_approved": c.exceptional_unit_approved,
        "unit_level": _code(c.unit_level), "review_date": c.review_date.isoformat() if c.review_date else None,
        "order": c.order, "ballots": _votes_out(c.votes), "opinions": c.opinions, "comment": c.comment,
        "chi_bo_level": _code(c.chi_bo_level), "decided_level": _code(c.decided_level), "decision_ref": c.decision_ref,
    }))
    return out


def _leader_out(lf: Optional[LeaderFacts]) -> Optional[dict]:
    if lf is None:
        return None
    return _clean({
        "unit_tasks": _tasks_out(lf.unit_tasks), "unit_targets_missed": lf.unit_targets_missed, "units_led": lf.units_led,
        "units_led_khtnv": lf.units_led_khtnv, "confidence_votes": lf.confidence_votes,
        "low_confidence_votes": lf.low_confidence_votes, "corruption_in_scope": lf.corruption_in_scope,
        "mitigation": lf.mitigation, "quarters": [_code(q) for q in lf.quarters] if any(lf.quarters) else None,
    }) or {}


def _member_out(mem: Member) -> dict:
    row = {
        "name": mem.name,
        "membership": mem.membership.key,
        "role": mem.role,
        "admission_date": mem.admission_date.isoformat() if mem.admission_date else None,
        "attendance": mem.attendance.key,
    }
    row.update(_clean({
        "member_id": mem.member_id, "exempt": mem.exempt, "suspended": mem.suspended,
        "temporarily_elsewhere": mem.temporarily_elsewhere, "absence_reason": mem.absence_reason,
        "leadership": mem.leadership, "self_level": _code(mem.self_level), "group": mem.group.key if mem.group else None,
        "outside_system": mem.outside_system, "performance": _perf_out(mem.performance),
        "leader": _leader_out(mem.leader),
        "discipline": None if mem.discipline is None else {
            "form": mem.discipline.form.key, "duty_related": mem.discipline.duty_related,
            **_clean({"self_detected_remedied": mem.discipline.self_detected_remedied, "note": mem.discipline.note,
                      "earlier_period": mem.discipline.earlier_period, "previous_unit": mem.discipline.previous_unit}),
        },
        "degradation": mem.degradation, "prohibited_acts": mem.prohibited_acts, "example_violation": mem.example_violation,
        "civil_service_level": _code(mem.civil_service_level), "sick_or_maternity": mem.sick_or_maternity,
        "temporary_cell_comment": mem.temporary_cell_comment, "opinions": mem.opinions, "comment": mem.comment,
        "chi_bo_level": _code(mem.chi_bo_level), "decided_level": _code(mem.decided_level),
        "decision_ref": mem.decision_ref, "rerank_level": _code(mem.rerank_level), "rerank_ref": mem.rerank_ref,
        "note": mem.note,
    }))
    if mem.leader is not None and "leader" not in row:
        row["leader"] = {}
    if mem.residence_comment is not None:
        row["residence_comment"] = mem.residence_comment
    return row


def case_to_dict(case: Case) -> dict:
    """Return the JSON form of a case; ``case_from_dict`` gives it back unchanged."""
    m = case.meeting
    meeting = {
        "review_year": m.review_year,
        "date": m.date.isoformat(),
        "party_cell": m.party_cell,
        "upper_body": m.upper_body,
        "upper_committee": m.upper_committee,
        "locality": m.locality,
        "place": m.place,
        "start_time": _time_out(m.start_time),
        "end_time": _time_out(m.end_time),
        "chair": _person_out(m.chair),
        "secretary": _person_out(m.secretary),
        "guests": [_person_out(p) for p in m.guests],
        "vote_counters": [_person_out(p) for p in m.vote_counters],
        "voting_method": m.voting_method,
        "legal_basis": list(m.legal_basis),
        "document_number": m.document_number,
        "special_unit": m.special_unit,
    }
    meeting.update(_clean({
        "cell_type": m.cell_type if m.cell_type != "truc_thuoc" else None, "intermediate_committee": m.intermediate_committee,
        "under_province": m.under_province, "decider": m.decider,
        "report_circulated": m.report_circulated.isoformat() if m.report_circulated else None,
        "report_presenter": m.report_presenter, "report_opinions": m.report_opinions, "conclusion": m.conclusion,
        "program_agree": m.program_agree, "counters_agree": m.counters_agree, "adopted_time": _time_out(m.adopted_time),
        "adopted_agree": m.adopted_agree, "count_start_time": _time_out(m.count_start_time),
        "count_end_time": _time_out(m.count_end_time), "count_place": m.count_place, "members_order": m.members_order,
        "format_profile": m.format_profile,
    }))
    if m.fingerprint_in_minutes is not None:
        meeting["fingerprint_in_minutes"] = m.fingerprint_in_minutes
    out: dict = {
        "format": FORMAT,
        "version": VERSION,
        **({"note": case.note} if case.note else {}),
        "meeting": meeting,
        "rules": {"id": case.rules_id or None, "settings": {k: _settings_out(v) for k, v in case.settings}},
        "party_cell": _collective_out(case.party_cell, False),
        "members": [_member_out(mem) for mem in case.members],
    }
    if case.collectives:
        out["collectives"] = [_collective_out(c, True) for c in case.collectives]
    mv = case.member_votes
    if isinstance(mv, BallotGrid):
        out["member_ballots"] = {
            "mode": "grid",
            "issued": mv.issued,
            "order": list(mv.order),
            "ballots": [
                {"id": b.id, "invalid": b.invalid, "voter": b.voter, "marks": [_mark_out(x) for x in b.marks]}
                for b in mv.ballots
            ],
        }
    elif isinstance(mv, Tally):
        out["member_ballots"] = {
            "mode": "tally", "issued": mv.issued, "returned": mv.returned, "invalid": mv.invalid,
            "rows": [{"name": r.name, **{lvl.code: r.count(lvl) for lvl in LEVELS}, "spoiled": r.spoiled} for r in mv.rows],
        }
    elif isinstance(mv, Hands):
        out["member_ballots"] = {
            "mode": "hands",
            "rows": [{"name": r.name, "agree": r.agree, "disagree": r.disagree, **({"level": r.level.code} if r.level else {})}
                     for r in mv.rows],
        }
    return out


def _settings_out(value):
    if isinstance(value, Fraction):
        return str(value)
    return value


def write_case(case: Case, path: str | os.PathLike) -> Path:
    """Write a case file (UTF-8, readable indentation) to a new file; never replaces an existing one."""
    from .files import write_new_file

    text = json.dumps(case_to_dict(case), ensure_ascii=False, indent=2) + "\n"
    return write_new_file(text.encode("utf-8"), Path(path))
