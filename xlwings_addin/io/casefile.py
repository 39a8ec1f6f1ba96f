"""The case file: one meeting as versioned JSON (format ``xeploai-case``, version 1).

The layout is documented in docs/case-file.md and formally in ``schema/case.schema.json``.
Reading validates every field and raises ``CaseFileError`` with a Vietnamese message that names
the place (a JSON path such as ``members[3].self_level``); it never lets a traceback through.
"""

from __future__ import annotations

import json
import os
from datetime import date, time
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Optional

from ..core.levels import LEVELS, Level
from ..core.models import (
    Attendance, Ballot, BallotGrid, Case, CellBallots, CellTally, Discipline, DisciplineForm, Grade, Meeting,
    Member, Membership, Performance, PartyCell, Person, Spoiled, Tally, TallyRow,
)
from ..core.vnformat import nfc
from .files import write_new_file

FORMAT = "xeploai-case"
VERSION = 1


class CaseFileError(ValueError):
    """Unreadable or invalid input; ``where`` names the place."""

    def __init__(self, message: str, where: str = ""):
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.where = where


# --------------------------------------------------------------------------- field readers


def _type_name(value: Any) -> str:
    return {str: "chuỗi", int: "số", float: "số", bool: "đúng/sai", list: "danh sách", dict: "đối tượng",
            type(None): "rỗng"}.get(type(value), type(value).__name__)


def _obj(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise CaseFileError(f"cần một đối tượng {{...}}, gặp {_type_name(value)}", where)
    return value


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise CaseFileError(f"cần một danh sách [...], gặp {_type_name(value)}", where)
    return value


def _str(d: dict, key: str, where: str, default: str = "", required: bool = False) -> str:
    if key not in d or d[key] is None:
        if required:
            raise CaseFileError("thiếu trường bắt buộc", f"{where}.{key}")
        return default
    value = d[key]
    if not isinstance(value, str):
        raise CaseFileError(f"cần chuỗi ký tự, gặp {_type_name(value)} ({value!r})", f"{where}.{key}")
    return nfc(value.strip())


def _bool(d: dict, key: str, where: str) -> bool:
    value = d.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise CaseFileError(f"cần true hoặc false, gặp {value!r}", f"{where}.{key}")
    return value


def _int(d: dict, key: str, where: str, required: bool = False) -> Optional[int]:
    value = d.get(key)
    if value is None:
        if required:
            raise CaseFileError("thiếu trường bắt buộc", f"{where}.{key}")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise CaseFileError(f"cần số nguyên, gặp {value!r}", f"{where}.{key}")
    return value


def _num(d: dict, key: str, where: str) -> Optional[Fraction]:
    value = d.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise CaseFileError(f"cần một số, gặp {value!r}", f"{where}.{key}")
    try:
        return Fraction(str(value).replace(",", "."))
    except (ValueError, ZeroDivisionError):
        raise CaseFileError(f"cần một số, gặp {value!r}", f"{where}.{key}") from None


def _date(d: dict, key: str, where: str, required: bool = False) -> Optional[date]:
    value = d.get(key)
    if value in (None, ""):
        if required:
            raise CaseFileError("thiếu ngày (dạng YYYY-MM-DD)", f"{where}.{key}")
        return None
    if not isinstance(value, str):
        raise CaseFileError(f"cần ngày dạng YYYY-MM-DD, gặp {value!r}", f"{where}.{key}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CaseFileError(f"ngày không hợp lệ {value!r} (cần dạng YYYY-MM-DD)", f"{where}.{key}") from None


def _time(d: dict, key: str, where: str) -> Optional[time]:
    value = d.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise CaseFileError(f"cần giờ dạng HH:MM, gặp {value!r}", f"{where}.{key}")
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise CaseFileError(f"giờ không hợp lệ {value!r} (cần dạng HH:MM)", f"{where}.{key}") from None


def _enum(d: dict, key: str, where: str, parse: Callable, what: str, default=None):
    value = d.get(key)
    if value in (None, ""):
        return default
    try:
        return parse(value)
    except ValueError:
        raise CaseFileError(f"{what} không hợp lệ: {value!r}", f"{where}.{key}") from None


def _level(d: dict, key: str, where: str) -> Optional[Level]:
    value = d.get(key)
    if value in (None, ""):
        return None
    try:
        return Level.from_code(value)
    except ValueError:
        raise CaseFileError(
            f"mức xếp loại không hợp lệ: {value!r} (dùng HTXSNV, HTTNV, HTNV, KHTNV hoặc 1-4)", f"{where}.{key}"
        ) from None


def _person(value: Any, where: str) -> Person:
    if value is None:
        return Person("")
    if isinstance(value, str):
        return Person(nfc(value.strip()))
    d = _obj(value, where)
    return Person(_str(d, "name", where), _str(d, "title", where))


def _people(d: dict, key: str, where: str) -> tuple[Person, ...]:
    return tuple(_person(p, f"{where}.{key}[{i}]") for i, p in enumerate(_list(d.get(key, []), f"{where}.{key}")))


_FAST_MARKS = {None: None, "": None, "x": Spoiled.SPOILED, "X": Spoiled.SPOILED,
               **{v: lvl for lvl in LEVELS for v in (lvl.digit, str(lvl.digit))}}


def _mark(value: Any, where: str):
    if isinstance(value, (str, int)) and not isinstance(value, bool) and value in _FAST_MARKS:
        return _FAST_MARKS[value]
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().casefold() == "x":
        return Spoiled.SPOILED
    try:
        return Level.from_code(value)
    except ValueError:
        raise CaseFileError(f"ô phiếu không hợp lệ: {value!r} (dùng 1-4, x cho dòng hỏng, để trống nếu chưa nhập)", where) from None


def _mark_out(mark) -> Any:
    if mark is None:
        return None
    if isinstance(mark, Spoiled):
        return "x"
    return mark.digit


# --------------------------------------------------------------------------- reading


def _performance(value: Any, where: str) -> Performance:
    if value is None:
        return Performance()
    d = _obj(value, where)
    grade = lambda k: _enum(d, k, where, Grade.parse, "mức tiêu chí")  # noqa: E731
    opt_bool = lambda k: None if d.get(k) is None else _bool(d, k, where)  # noqa: E731
    return Performance(
        criteria_grade=grade("criteria_grade"),
        results_grade=grade("results_grade"),
        tasks_completed_pct=_num(d, "tasks_completed_pct", where),
        tasks_exceeded_pct=_num(d, "tasks_exceeded_pct", where),
        tasks_late_pct=_num(d, "tasks_late_pct", where),
        on_time_with_quality=opt_bool("on_time_with_quality"),
        shortcomings_remedied=opt_bool("shortcomings_remedied"),
        self_score_common=_num(d, "self_score_common", where),
        self_score_results=_num(d, "self_score_results", where),
        score_common=_num(d, "score_common", where),
        score_results=_num(d, "score_results", where),
    )


def _discipline(value: Any, where: str) -> Optional[Discipline]:
    if value is None:
        return None
    d = _obj(value, where)
    form = _enum(d, "form", where, DisciplineForm.parse, "hình thức kỷ luật")
    if form is None:
        raise CaseFileError("thiếu hình thức kỷ luật (khien_trach, canh_cao, cach_chuc, khai_tru)", f"{where}.form")
    duty = d.get("duty_related", True)
    if not isinstance(duty, bool):
        raise CaseFileError(f"cần true hoặc false, gặp {duty!r}", f"{where}.duty_related")
    return Discipline(form, duty, _bool(d, "self_detected_remedied", where), _str(d, "note", where))


def _member(value: Any, where: str) -> Member:
    d = _obj(value, where)
    name = _str(d, "name", where, required=True)
    if not name:
        raise CaseFileError("họ tên không được để trống", f"{where}.name")
    return Member(
        name=name,
        membership=_enum(d, "membership", where, Membership.parse, "loại đảng viên", Membership.OFFICIAL),
        role=_str(d, "role", where),
        admission_date=_date(d, "admission_date", where),
        exempt=_bool(d, "exempt", where),
        suspended=_bool(d, "suspended", where),
        temporarily_elsewhere=_bool(d, "temporarily_elsewhere", where),
        attendance=_enum(d, "attendance", where, Attendance.parse, "tình trạng dự họp", Attendance.PRESENT),
        absence_reason=_str(d, "absence_reason", where),
        leadership=_bool(d, "leadership", where),
        self_level=_level(d, "self_level", where),
        performance=_performance(d.get("performance"), f"{where}.performance"),
        discipline=_discipline(d.get("discipline"), f"{where}.discipline"),
        degradation=_bool(d, "degradation", where),
        prohibited_acts=_bool(d, "prohibited_acts", where),
        example_violation=_bool(d, "example_violation", where),
        civil_service_level=_level(d, "civil_service_level", where),
        sick_or_maternity=_bool(d, "sick_or_maternity", where),
        decided_level=_level(d, "decided_level", where),
        note=_str(d, "note", where),
        where=where,
    )


def _meeting(value: Any, where: str) -> Meeting:
    d = _obj(value, where)
    year = _int(d, "review_year", where, required=True)
    basis = _list(d.get("legal_basis", []), f"{where}.legal_basis")
    for i, line in enumerate(basis):
        if not isinstance(line, str):
            raise CaseFileError(f"cần chuỗi ký tự, gặp {line!r}", f"{where}.legal_basis[{i}]")
    return Meeting(
        review_year=year,
        date=_date(d, "date", where, required=True),
        party_cell=_str(d, "party_cell", where, required=True),
        upper_body=_str(d, "upper_body", where),
        upper_committee=_str(d, "upper_committee", where),
        locality=_str(d, "locality", where),
        place=_str(d, "place", where),
        start_time=_time(d, "start_time", where),
        end_time=_time(d, "end_time", where),
        chair=_person(d.get("chair"), f"{where}.chair"),
        secretary=_person(d.get("secretary"), f"{where}.secretary"),
        guests=_people(d, "guests", where),
        vote_counters=_people(d, "vote_counters", where),
        voting_method=_str(d, "voting_method", where, "bỏ phiếu kín"),
        legal_basis=tuple(nfc(x.strip()) for x in basis),
        document_number=_str(d, "document_number", where),
        special_unit=_bool(d, "special_unit", where),
    )


def _member_ballots(value: Any, where: str):
    if value is None:
        return None
    d = _obj(value, where)
    mode = d.get("mode", "grid")
    if mode == "grid":
        order = _list(d.get("order", []), f"{where}.order")
        for i, n in enumerate(order):
            if not isinstance(n, str):
                raise CaseFileError(f"cần họ tên, gặp {n!r}", f"{where}.order[{i}]")
        ballots = []
        for i, b in enumerate(_list(d.get("ballots", []), f"{where}.ballots")):
            bw = f"{where}.ballots[{i}]"
            bd = _obj(b, bw)
            marks = _list(bd.get("marks", []), f"{bw}.marks")
            ballots.append(Ballot(
                id=_str(bd, "id", bw) or str(i + 1),
                marks=tuple(_mark(m, bw + ".marks[" + str(j) + "]") if not (m.__class__ is int and 1 <= m <= 4) else _FAST_MARKS[m]
                            for j, m in enumerate(marks)),
                invalid=_bool(bd, "invalid", bw),
                voter=_str(bd, "voter", bw),
                where=bw,
            ))
        return BallotGrid(order=tuple(nfc(n.strip()) for n in order), ballots=tuple(ballots),
                          issued=_int(d, "issued", where), where=where)
    if mode == "tally":
        rows = []
        for i, r in enumerate(_list(d.get("rows", []), f"{where}.rows")):
            rw = f"{where}.rows[{i}]"
            rd = _obj(r, rw)
            votes = tuple((lvl, _int(rd, lvl.code, rw) or 0) for lvl in LEVELS)
            rows.append(TallyRow(_str(rd, "name", rw, required=True), votes, _int(rd, "spoiled", rw) or 0, rw))
        returned = _int(d, "returned", where, required=True)
        issued = _int(d, "issued", where)
        return Tally(issued=returned if issued is None else issued, returned=returned,
                     invalid=_int(d, "invalid", where) or 0, rows=tuple(rows), where=where)
    raise CaseFileError(f"chế độ nhập phiếu không hợp lệ: {mode!r} (dùng 'grid' hoặc 'tally')", f"{where}.mode")


def _cell_ballots(value: Any, where: str):
    if value is None:
        return None
    d = _obj(value, where)
    mode = d.get("mode", "grid")
    if mode == "grid":
        marks = _list(d.get("marks", []), f"{where}.marks")
        invalid = _list(d.get("invalid", []), f"{where}.invalid")
        for i, flag in enumerate(invalid):
            if not isinstance(flag, bool):
                raise CaseFileError(f"cần true hoặc false, gặp {flag!r}", f"{where}.invalid[{i}]")
        return CellBallots(tuple(_mark(m, f"{where}.marks[{i}]") for i, m in enumerate(marks)), tuple(invalid), where=where)
    if mode == "tally":
        return CellTally(tuple((lvl, _int(d, lvl.code, where) or 0) for lvl in LEVELS), _int(d, "invalid", where) or 0, where)
    raise CaseFileError(f"chế độ nhập phiếu không hợp lệ: {mode!r} (dùng 'grid' hoặc 'tally')", f"{where}.mode")


def _party_cell(value: Any, where: str) -> PartyCell:
    if value is None:
        return PartyCell()
    d = _obj(value, where)
    return PartyCell(
        self_level=_level(d, "self_level", where),
        performance=_performance(d.get("performance"), f"{where}.performance"),
        leadership_disciplined=_bool(d, "leadership_disciplined", where),
        subordinate_disciplined=_bool(d, "subordinate_disciplined", where),
        disunity=_bool(d, "disunity", where),
        exceptional_unit_approved=_bool(d, "exceptional_unit_approved", where),
        decided_level=_level(d, "decided_level", where),
    )


def case_from_dict(data: Any) -> Case:
    """Build a ``Case`` from parsed JSON, validating every field."""
    d = _obj(data, "(tệp)")
    fmt = d.get("format")
    if fmt != FORMAT:
        raise CaseFileError(f"không phải tệp hồ sơ hội nghị (cần \"format\": \"{FORMAT}\", gặp {fmt!r})", "format")
    version = d.get("version")
    if version != VERSION:
        raise CaseFileError(f"phiên bản {version!r} không được hỗ trợ (phần mềm đọc phiên bản {VERSION})", "version")
    rules = _obj(d.get("rules", {}), "rules")
    settings = _obj(rules.get("settings", {}), "rules.settings")
    members = tuple(_member(m, f"members[{i}]") for i, m in enumerate(_list(d.get("members", []), "members")))
    return Case(
        meeting=_meeting(d.get("meeting"), "meeting"),
        members=members,
        member_votes=_member_ballots(d.get("member_ballots"), "member_ballots"),
        cell_votes=_cell_ballots(d.get("party_cell_ballots"), "party_cell_ballots"),
        party_cell=_party_cell(d.get("party_cell"), "party_cell"),
        rules_id=_str(rules, "id", "rules"),
        settings=tuple(sorted(settings.items())),
    )


def read_case(path: str | os.PathLike) -> Case:
    """Read and validate a case file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise CaseFileError(f"không tìm thấy tệp {p.name}") from None
    except OSError as exc:
        raise CaseFileError(f"không đọc được tệp {p.name}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaseFileError(f"tệp {p.name} không phải văn bản UTF-8") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaseFileError(f"tệp JSON bị lỗi ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}", p.name) from None
    return case_from_dict(data)


# --------------------------------------------------------------------------- writing


def _frac_out(value: Optional[Fraction]):
    if value is None:
        return None
    return int(value) if value.denominator == 1 else float(value)


def _perf_out(p: Performance) -> Optional[dict]:
    if not p.has_any:
        return None
    out = {}
    for key, value in p.__dict__.items():
        if value is None:
            continue
        if isinstance(value, Fraction):
            value = _frac_out(value)
        elif isinstance(value, Grade):
            value = value.key
        out[key] = value
    return out


def _person_out(p: Person) -> dict:
    return {"name": p.name, "title": p.title}


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
        "start_time": m.start_time.strftime("%H:%M") if m.start_time else None,
        "end_time": m.end_time.strftime("%H:%M") if m.end_time else None,
        "chair": _person_out(m.chair),
        "secretary": _person_out(m.secretary),
        "guests": [_person_out(p) for p in m.guests],
        "vote_counters": [_person_out(p) for p in m.vote_counters],
        "voting_method": m.voting_method,
        "legal_basis": list(m.legal_basis),
        "document_number": m.document_number,
        "special_unit": m.special_unit,
    }
    members = []
    for mem in case.members:
        row = {
            "name": mem.name,
            "membership": mem.membership.key,
            "role": mem.role,
            "admission_date": mem.admission_date.isoformat() if mem.admission_date else None,
            "exempt": mem.exempt,
            "suspended": mem.suspended,
            "temporarily_elsewhere": mem.temporarily_elsewhere,
            "attendance": mem.attendance.key,
            "absence_reason": mem.absence_reason,
            "leadership": mem.leadership,
            "self_level": mem.self_level.code if mem.self_level else None,
            "performance": _perf_out(mem.performance),
            "discipline": None if mem.discipline is None else {
                "form": mem.discipline.form.key,
                "duty_related": mem.discipline.duty_related,
                "self_detected_remedied": mem.discipline.self_detected_remedied,
                "note": mem.discipline.note,
            },
            "degradation": mem.degradation,
            "prohibited_acts": mem.prohibited_acts,
            "example_violation": mem.example_violation,
            "civil_service_level": mem.civil_service_level.code if mem.civil_service_level else None,
            "sick_or_maternity": mem.sick_or_maternity,
            "decided_level": mem.decided_level.code if mem.decided_level else None,
            "note": mem.note,
        }
        members.append(row)
    out: dict = {
        "format": FORMAT,
        "version": VERSION,
        "meeting": meeting,
        "rules": {"id": case.rules_id or None, "settings": {k: _settings_out(v) for k, v in case.settings}},
        "party_cell": {
            "self_level": case.party_cell.self_level.code if case.party_cell.self_level else None,
            "performance": _perf_out(case.party_cell.performance),
            "leadership_disciplined": case.party_cell.leadership_disciplined,
            "subordinate_disciplined": case.party_cell.subordinate_disciplined,
            "disunity": case.party_cell.disunity,
            "exceptional_unit_approved": case.party_cell.exceptional_unit_approved,
            "decided_level": case.party_cell.decided_level.code if case.party_cell.decided_level else None,
        },
        "members": members,
    }
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
    cv = case.cell_votes
    if isinstance(cv, CellBallots):
        out["party_cell_ballots"] = {"mode": "grid", "marks": [_mark_out(x) for x in cv.marks], "invalid": list(cv.invalid)}
    elif isinstance(cv, CellTally):
        out["party_cell_ballots"] = {"mode": "tally", **{lvl.code: cv.count(lvl) for lvl in LEVELS}, "invalid": cv.invalid}
    return out


def _settings_out(value):
    if isinstance(value, Fraction):
        return str(value)
    return value


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write a new file atomically and return its path; an existing file is never replaced.

    Kept for callers of the old name: it is :func:`write_new_file`, so when ``path`` exists the
    data goes to "name (2).json" etc. (a case file may hold hand corrections worth keeping).
    """
    return write_new_file(data, Path(path))


def write_case(case: Case, path: str | os.PathLike) -> Path:
    """Write a case file (UTF-8, readable indentation) to ``path`` or the next free numbered name.

    Returns the path written; raises ``OutputFileError`` with a Vietnamese message on failure.
    """
    text = json.dumps(case_to_dict(case), ensure_ascii=False, indent=2) + "\n"
    return atomic_write_bytes(path, text.encode("utf-8"))
