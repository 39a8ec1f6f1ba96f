"""Raw sheet tables (2D lists of cell values) -> a ``Case``.

Both readers use this: the file reader (python-calamine) and the live reader (xlwings
``range.value``), and the UDFs too, so a workbook means the same thing however it is read. Cell
values go through the shared input layer (``core/inputs.py``). Every problem names the sheet and
the cell; all problems are collected and raised together as one ``WorkbookError``.
"""

from __future__ import annotations

import unicodedata

from datetime import date, datetime
from fractions import Fraction
from typing import Any, Optional

from ..core.record import field, record, replace
from ..core import inputs
from ..core.batch import by_identity, look_up_all
from ..core.levels import LEVELS, Level
from ..core.models import (
    Attendance, Ballot, BallotGrid, Case, CellBallots, CellHands, CellTally, Collective, CollectiveKind, Discipline,
    DisciplineForm, FormGroup, Grade, Hands, HandsRow, LeaderFacts, Meeting, Member, Membership, Performance, Person,
    Spoiled, Tally, TallyRow, Tasks,
)
from . import schema as S
from .errors import CaseFileError

MAX_PROBLEMS = 30

# The usual cell values of a ballot grid, looked up directly (90 000 cells for 300 x 300).
_SLOW = object()
_FAST_MARKS = {None: None, "": None, "x": Spoiled.SPOILED, "X": Spoiled.SPOILED,
               **{v: lvl for lvl in LEVELS for v in (lvl.digit, float(lvl.digit), str(lvl.digit))}}
# The same with float keys (2 == 2.0 share one key, the first written): calamine gives numbers as
# floats, and a float key compared with a float is about a third cheaper than with an int.
_FAST_FLOAT_MARKS = {(float(k) if k.__class__ is int else k): v for k, v in _FAST_MARKS.items()}


class WorkbookError(CaseFileError):
    """The workbook cannot be read as a meeting; ``problems`` lists (where, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        lines = [f"{w}: {m}" for w, m in problems[:MAX_PROBLEMS]]
        more = len(problems) - MAX_PROBLEMS
        if more > 0:
            lines.append(f"... và {more} lỗi khác.")
        first = problems[0][0] if problems else ""
        super().__init__("Sổ Excel có dữ liệu chưa hợp lệ:\n" + "\n".join(lines), "")
        self.where = first


@record
class Tables:
    """The input blocks of the workbook, each read in one call from its fixed top-left cell."""

    meeting: list  # rows 1.. of "Hội nghị", columns A..D
    roster: list  # header row + data rows
    scores: list
    criteria: list
    collectives: list
    grid: list  # from GRID_HEADER_ROW, columns A..
    tally: list  # from row 1, columns A..K
    cell: list  # the collectives' grid, from CELL_HEADER_ROW
    today: Optional[date] = None  # bounds the review year (None: today)
    overflow: tuple = field(default_factory=tuple)  # (where, message): data found past the template's capacity


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _shown(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return inputs.shown(v)


def _cell(table: list, r: int, c: int) -> Any:
    if r < len(table) and table[r] is not None and c < len(table[r]):
        return table[r][c]
    return None


def _row(table: list, i: int) -> list:
    return list(table[i] or []) if i < len(table) else []


class _Reader:
    """Converts cell values, collecting problems with their places."""

    def __init__(self, today: date) -> None:
        self.problems: list[tuple[str, str]] = []
        self.today = today

    def bad(self, where, message: str) -> None:
        # A place may come as (sheet, row0, col0): the address is made only for a message.
        if where.__class__ is tuple:
            where = S.where(*where)
        # One message per cell: a converter that reports and then falls back must not report twice.
        if self.problems and self.problems[-1][0] == where:
            return
        self.problems.append((where, message))

    def _guard(self, fn, v, where, default=None):
        try:
            return fn(v)
        except inputs.InputProblem as exc:
            self.bad(where, str(exc))
            return default

    def text(self, v: Any, where: str, limit: int = inputs.MAX_TEXT) -> str:
        if v is None:
            return ""
        if isinstance(v, bool):
            v = "x" if v else ""
        return self._guard(lambda x: inputs.text(x, limit=limit), v, where, "")

    def name(self, v: Any, where: str) -> str:
        if isinstance(v, bool):
            v = str(v)
        return self._guard(inputs.name, v, where, "") if v is not None else ""

    def int_(self, v: Any, where: str, lo: int = 0) -> Optional[int]:
        if _blank(v):
            return None
        if isinstance(v, (datetime, date)):
            self.bad(where, f"cần một số nguyên, gặp ngày '{_shown(v)}'")
            return None
        return self._guard(lambda x: inputs.integer(x, lo=lo), v, where)

    def number(self, v: Any, where: str) -> Optional[Fraction]:
        if _blank(v):
            return None
        if isinstance(v, (datetime, date)):
            self.bad(where, f"cần một số, gặp ngày '{_shown(v)}'")
            return None
        return self._guard(inputs.number, v, where)

    def date_(self, v: Any, where: str) -> Optional[date]:
        if _blank(v):
            return None
        return self._guard(inputs.date_, v, where)

    def time_(self, v: Any, where: str):
        if _blank(v):
            return None
        return self._guard(inputs.time_, v, where)

    def tribool(self, v: Any, where: str) -> Optional[bool]:
        if _blank(v):
            return None
        if isinstance(v, bool):
            return v
        if isinstance(v, (int, float)) and v in (0, 1):
            return bool(v)
        text = self.text(v, where).casefold()
        if text in ("x", "có", "co", "đúng", "yes", "true"):
            return True
        if text in ("không", "khong", "sai", "no", "false", "0"):
            return False
        self.bad(where, f"nhập x (có) hoặc 'không', gặp '{_shown(v)}'")
        return None

    def bool_(self, v: Any, where: str) -> bool:
        return bool(self.tribool(v, where))

    def level(self, v: Any, where: str) -> Optional[Level]:
        if _blank(v):
            return None
        try:
            return Level.from_code(v if not isinstance(v, str) else self.text(v, where))
        except ValueError:
            self.bad(where, f"mức xếp loại không hợp lệ '{_shown(v)}' (HTXSNV, HTTNV, HTNV, KHTNV hoặc 1-4)")
            return None

    def choice(self, v: Any, choices, where: str, default=None):
        if _blank(v):
            return default
        if isinstance(v, bool):
            for label, key in choices:
                if key is v:
                    return key
        text = self.text(v, where).casefold()
        if isinstance(v, float) and v.is_integer():
            text = str(int(v))
        found = _choice_map(choices).get(text, _SLOW)
        if found is not _SLOW:
            return found
        allowed = ", ".join(str(label) for label, _ in choices)
        self.bad(where, f"giá trị '{_shown(v)}' không có trong danh sách chọn ({allowed})")
        return default

    def mark(self, v: Any, where: str):
        if _blank(v):
            return None
        if isinstance(v, bool) or isinstance(v, (datetime, date)):
            self.bad(where, f"giá trị '{_shown(v)}' không hợp lệ (chỉ nhập 1, 2, 3, 4 hoặc x)")
            return None
        if isinstance(v, (int, float)):
            if float(v).is_integer() and 1 <= v <= 4:
                return Level.from_code(int(v))
            self.bad(where, f"giá trị '{_shown(v)}' không hợp lệ (chỉ nhập 1, 2, 3, 4 hoặc x)")
            return None
        text = self.text(v, where)
        if text.casefold() == "x":
            return Spoiled.SPOILED
        if text in ("1", "2", "3", "4") or text.upper() in ("HTXSNV", "HTTNV", "HTNV", "KHTNV"):
            return Level.from_code(text)
        if inputs.shown(text) != text or any(ch.isdigit() and not "0" <= ch <= "9" for ch in text):
            self.bad(where, f"giá trị '{_shown(v)}' có chữ số không phải 0-9 (hãy gõ lại 1, 2, 3, 4 hoặc x)")
        else:
            self.bad(where, f"giá trị '{_shown(v)}' không hợp lệ (chỉ nhập 1, 2, 3, 4 hoặc x)")
        return None

    def value(self, column: S.Column, v: Any, where: str):
        """Convert a cell by its column kind."""
        kind = column.kind
        if kind in ("text", "long"):
            return self.text(v, where)
        if kind == "name":
            return self.name(v, where)
        if kind == "int":
            return self.int_(v, where)
        if kind == "number":
            return self.number(v, where)
        if kind == "date":
            return self.date_(v, where)
        if kind == "bool":
            return self.bool_(v, where)
        if kind == "tribool":
            return self.tribool(v, where)
        if kind == "level":
            return self.level(v, where)
        if kind in ("choice", "grade"):
            return self.choice(v, column.choices, where)
        return None  # formula / ref columns are computed, not read


# --------------------------------------------------------------------------- generic rows


_CHOICE_MAPS: dict = {}


def _choice_map(choices) -> dict:
    """Casefolded label and key -> key, for a schema's choice list (remembered for that list).

    The first choice that matches wins, as a scan of the list in order would give.
    """
    def make(choices) -> dict:
        out: dict = {}
        for label, key in choices:
            out.setdefault(str(label).casefold(), key)
            out.setdefault(str(key).casefold(), key)
        return out

    return by_identity(_CHOICE_MAPS, choices, make, 256)  # the schema has a few dozen lists


def _check_headers(rd: _Reader, sheet: str, row: list, row0: int, expected, first_col: int = 0) -> bool:
    ok = True
    for i, header in enumerate(expected):
        raw = row[first_col + i] if row and first_col + i < len(row) else None
        got = "" if raw is None else inputs.shown(raw) if len(str(raw)) > 200 else unicodedata.normalize("NFC", str(raw)).strip()
        if got != header:
            rd.bad(S.where(sheet, row0, first_col + i), f"tiêu đề cột phải là \"{header}\", gặp \"{got}\" (không sửa, chèn hay xóa cột)")
            ok = False
            if not ok and i > 3:
                break
    return ok


def _input_columns(columns) -> list[tuple[int, S.Column]]:
    return [(i, c) for i, c in enumerate(columns) if c.kind not in ("formula", "ref")]


def read_rows(table: list, columns, sheet: str, header_row0: int, rd: _Reader) -> Optional[dict[int, dict]]:
    """Rows of a member-row sheet by 0-based sheet row: {row0: {key: value}} for rows with input."""
    if not table or not _check_headers(rd, sheet, _row(table, 0), header_row0, [c.header for c in columns]):
        return None
    inputs_ = _input_columns(columns)
    out: dict[int, dict] = {}
    for i in range(1, len(table)):
        row = table[i]
        if not row:
            continue
        values = [row[j] if j < len(row) else None for j, _ in inputs_]
        if _empty_count(values) == len(values):
            continue  # the usual empty row, told apart at C speed
        cells = [(j, c, v) for (j, c), v in zip(inputs_, values)]
        if all(_blank(v) for _, _, v in cells):
            continue
        row0 = header_row0 + i
        # Blank cells convert to their empty value without building an address (most cells of a row).
        out[row0] = {c.key: (rd.value(c, v, (sheet, row0, j)) if not (v is None or v == "") else _EMPTY.get(c.kind))
                     for j, c, v in cells}
        out[row0]["_where"] = _Places(sheet, row0, columns)
    return out


#: What a blank cell means for each column kind (the converters give the same for "" and None).
_EMPTY = {"text": "", "long": "", "name": "", "bool": False}


class _Places:
    """Cell addresses of one row by column key, made only when a message needs one."""

    __slots__ = ("sheet", "row0", "index")
    _cache: dict = {}

    def __init__(self, sheet: str, row0: int, columns):
        self.sheet, self.row0 = sheet, row0
        key = id(columns)
        index = _Places._cache.get(key)
        if index is None:
            index = _Places._cache[key] = {c.key: j for j, c in enumerate(columns)}
        self.index = index

    def __getitem__(self, key: str) -> str:
        return S.where(self.sheet, self.row0, self.index[key])

    def get(self, key: str, default: str = "") -> str:
        return self[key] if key in self.index else default


# --------------------------------------------------------------------------- "Hội nghị"


def _meeting_values(t: Tables, rd: _Reader) -> dict:
    """Field values by key: (value, second value, place)."""
    values: dict = {}
    for i, f in enumerate(S.MEETING_FIELDS):
        row0 = S.MEETING_FIRST_ROW + i
        key = _cell(t.meeting, row0, 0)
        key = key.strip() if isinstance(key, str) else key
        if key != f.key:
            rd.bad(S.where(S.SHEET_MEETING, row0, 0),
                   f"cột khóa (ẩn) phải là '{f.key}' cho dòng \"{f.label}\", gặp '{_shown(key)}': không chèn hay xóa dòng ở sheet này")
            continue
        values[f.key] = (_cell(t.meeting, row0, 2), _cell(t.meeting, row0, 3), S.where(S.SHEET_MEETING, row0, 2))
    return values


def _person(rd: _Reader, value) -> Optional[Person]:
    name, title, where = value
    if _blank(name):
        return None
    return Person(rd.name(name, where), rd.text(title, where.replace("!C", "!D"), inputs.MAX_NAME))


def meeting_from(values: dict, rd: _Reader) -> tuple[Meeting, dict, dict]:
    def get(key):
        return values.get(key, (None, None, S.SHEET_MEETING))

    def val(key):
        return get(key)[0]

    def w(key):
        return get(key)[2]

    fields = {f.key: f for f in S.MEETING_FIELDS}
    year = None
    if "review_year" in values:
        if _blank(val("review_year")):
            rd.bad(w("review_year"), "chưa nhập năm đánh giá")
        else:
            try:
                year = inputs.year(val("review_year"), rd.today)
            except inputs.InputProblem as exc:
                rd.bad(w("review_year"), str(exc))
    when = rd.date_(val("date"), w("date"))
    if when is None and "date" in values and _blank(val("date")):
        rd.bad(w("date"), "chưa nhập ngày họp")
    party_cell = rd.text(val("party_cell"), w("party_cell"), inputs.MAX_NAME)
    if not party_cell and "party_cell" in values:
        rd.bad(w("party_cell"), "chưa nhập tên chi bộ")

    def people(keys):
        return tuple(p for p in (_person(rd, get(k)) for k in keys if k in values) if p)

    def txt(key, limit=inputs.MAX_NAME):
        return rd.text(val(key), w(key), limit)

    def choice(key, default=None):
        return rd.choice(val(key), fields[key].choices, w(key), default) if key in values else default

    meeting = Meeting(
        review_year=year or 0, date=when or date(1900, 1, 1), party_cell=party_cell,
        upper_body=txt("upper_body"), upper_committee=txt("upper_committee"), locality=txt("locality"),
        place=txt("place", 1000), start_time=rd.time_(val("start_time"), w("start_time")),
        end_time=rd.time_(val("end_time"), w("end_time")), chair=_person(rd, get("chair")) or Person(""),
        secretary=_person(rd, get("secretary")) or Person(""), guests=people(("guest_1", "guest_2", "guest_3")),
        vote_counters=people(("counter_1", "counter_2", "counter_3")),
        voting_method=txt("voting_method") or ("bỏ phiếu kín" if "voting_method" not in values else ""),
        legal_basis=tuple(txt(k, 2000) for k in ("basis_1", "basis_2", "basis_3", "basis_4", "basis_5") if not _blank(val(k))),
        document_number=txt("document_number"), special_unit=rd.bool_(val("special_unit"), w("special_unit")),
        cell_type=choice("cell_type", "truc_thuoc"), under_province=rd.bool_(val("under_province"), w("under_province")),
        intermediate_committee=txt("intermediate_committee"), decider=txt("decider"),
        report_circulated=rd.date_(val("report_circulated"), w("report_circulated")),
        report_presenter=txt("report_presenter"), report_opinions=rd.text(val("report_opinions"), w("report_opinions")),
        conclusion=rd.text(val("conclusion"), w("conclusion")),
        program_agree=rd.int_(val("program_agree"), w("program_agree")), counters_agree=rd.int_(val("counters_agree"), w("counters_agree")),
        adopted_time=rd.time_(val("adopted_time"), w("adopted_time")), adopted_agree=rd.int_(val("adopted_agree"), w("adopted_agree")),
        count_start_time=rd.time_(val("count_start_time"), w("count_start_time")),
        count_end_time=rd.time_(val("count_end_time"), w("count_end_time")), count_place=txt("count_place", 1000),
        members_order=rd.int_(val("members_order"), w("members_order")), format_profile=choice("format_profile", "") or "",
        fingerprint_in_minutes=choice("fingerprint_in_minutes", None),
    )
    settings = {}
    for key in S.SETTING_KEYS:
        if key in values and not _blank(val(key)):
            value = rd.choice(val(key), fields[key].choices, w(key))
            if value is not None:
                settings[key] = value
    options = {
        "rules_id": choice("rules_id", "") or "",
        "member_vote_mode": choice("member_vote_mode", "") or "",
        "collective_vote_mode": choice("collective_vote_mode", "") or "",
        "issued": rd.int_(val("issued"), w("issued")),
        "note": rd.text(val("case_note"), w("case_note")) if "case_note" in values else "",
    }
    return meeting, settings, options


# --------------------------------------------------------------------------- members


def _tasks(d: dict, prefix: str = "tasks_") -> Tasks:
    return Tasks(assigned=d.get(prefix + "assigned"), done=d.get(prefix + "done"), on_time=d.get(prefix + "on_time"),
                 exceeded=d.get(prefix + "exceeded"), late=d.get(prefix + "late"))


def _discipline(d: dict) -> Optional[Discipline]:
    form = d.get("discipline_form")
    if not form:
        return None
    duty = d.get("discipline_duty")
    return Discipline(DisciplineForm.parse(form), True if duty is None else duty, bool(d.get("discipline_remedied")),
                      earlier_period=bool(d.get("discipline_earlier")), previous_unit=bool(d.get("discipline_previous_unit")))


def _grade(v) -> Optional[Grade]:
    return Grade.parse(v) if v else None


def _score_facts(d: dict) -> dict:
    """Member fields from a row of "Chấm điểm" (QĐ 366)."""
    leader = None
    unit = _tasks(d, "unit_")
    quarters = (d.get("q1"), d.get("q2"), d.get("q3"))
    lf = LeaderFacts(unit_tasks=unit, unit_targets_missed=bool(d.get("unit_targets_missed")), units_led=d.get("units_led"),
                     units_led_khtnv=d.get("units_led_khtnv"), confidence_votes=d.get("confidence_votes"),
                     low_confidence_votes=d.get("low_confidence_votes"), corruption_in_scope=bool(d.get("corruption_in_scope")),
                     mitigation=bool(d.get("leader_mitigation")), quarters=quarters)
    group = FormGroup.parse(d["group"]) if d.get("group") else None
    if lf.has_any or group is FormGroup.LEADER:
        leader = lf
    perf = Performance(self_score_common=d.get("self_score_common"), self_score_results=d.get("self_score_results"),
                       score_common=d.get("score_common"), score_results=d.get("score_results"),
                       shortcomings_remedied=d.get("shortcomings_remedied"), tasks=_tasks(d))
    return dict(group=group, performance=perf, leader=leader, **_common_facts(d),
                prohibited_acts=bool(d.get("prohibited_acts")), example_violation=bool(d.get("example_violation")),
                rerank_level=d.get("rerank_level"), rerank_ref=d.get("rerank_ref") or "",
                score_where=d["_where"].get("score_common", ""))


def _common_facts(d: dict) -> dict:
    return dict(self_level=d.get("self_level"), discipline=_discipline(d), degradation=bool(d.get("degradation")),
                civil_service_level=d.get("civil_service_level"), opinions=d.get("opinions") or "",
                comment=d.get("comment") or "", chi_bo_level=d.get("chi_bo_level"), decided_level=d.get("decided_level"),
                decision_ref=d.get("decision_ref") or "")


def _criteria_facts(d: dict) -> dict:
    """Member fields from a row of "Tiêu chí 124" (QĐ 124)."""
    perf = Performance(criteria_grade=_grade(d.get("criteria_grade")), results_grade=_grade(d.get("results_grade")),
                       tasks_completed_pct=d.get("tasks_completed_pct"), tasks_exceeded_pct=d.get("tasks_exceeded_pct"))
    return dict(performance=perf, **_common_facts(d), score_where=d["_where"].get("criteria_grade", ""))


def roster_from(t: Tables, rd: _Reader) -> list[tuple[int, Member]]:
    rows = read_rows(t.roster, S.ROSTER_COLUMNS, S.SHEET_ROSTER, S.HEADER_ROW, rd)
    if rows is None:
        return []
    members = []
    for row0, d in rows.items():
        wh = d["_where"]
        if not d["name"]:
            rd.bad(wh["name"], "dòng có dữ liệu nhưng thiếu họ tên")
            continue
        members.append((row0, Member(
            name=d["name"], member_id=d["member_id"],
            membership=Membership.parse(d["membership"] or "chinh_thuc"), role=d["role"],
            admission_date=d["admission_date"], exempt=d["exempt"], suspended=d["suspended"],
            temporarily_elsewhere=d["temporarily_elsewhere"], attendance=Attendance.parse(d["attendance"] or "co_mat"),
            absence_reason=d["absence_reason"], leadership=d["leadership"], outside_system=d["outside_system"],
            temporary_cell_comment=d["temporary_cell_comment"], residence_comment=d["residence_comment"],
            sick_or_maternity=d["sick_or_maternity"], note=d["note"], where=wh["name"],
        )))
    return members


def _facts_sheet(t: Tables, rd: _Reader, uses_scores: bool, members: list[tuple[int, Member]]) -> list[Member]:
    """Merge the facts of the sheet that applies (scores or criteria) into the roster, row by row."""
    table, columns, sheet, facts = ((t.scores, S.SCORE_COLUMNS, S.SHEET_SCORES, _score_facts) if uses_scores
                                    else (t.criteria, S.CRITERIA_COLUMNS, S.SHEET_CRITERIA, _criteria_facts))
    rows = read_rows(table, columns, sheet, S.HEADER_ROW, rd) or {}
    by_row = dict(members)
    out = []
    for row0, d in rows.items():
        if row0 not in by_row:
            rd.bad(S.where(sheet, row0, 2), f"dòng {row0 + 1} có dữ liệu nhưng sheet \"{S.SHEET_ROSTER}\" không có đảng viên ở dòng này "
                                            "(mỗi đảng viên cùng một dòng ở mọi sheet)")
    for row0, m in members:
        d = rows.get(row0)
        if d is None:
            out.append(m if not uses_scores else _with(m, score_where=S.where(sheet, row0, S.SCORE_INDEX["score_common"])))
            continue
        out.append(_with(m, **facts(d)))
    return out


def _with(m: Member, **changes) -> Member:
    return replace(m, **changes)


def other_sheet_has_data(t: Tables, uses_scores: bool) -> bool:
    """True if the per-member sheet that does not apply this year holds typed data."""
    table, columns = (t.criteria, S.CRITERIA_COLUMNS) if uses_scores else (t.scores, S.SCORE_COLUMNS)
    inputs_ = [j for j, _ in _input_columns(columns)]
    for row in table[1:]:
        if not row:
            continue
        values = [row[j] for j in inputs_ if j < len(row)]
        if _empty_count(values) < len(values) and any(not _blank(v) for v in values):
            return True
    return False


# --------------------------------------------------------------------------- collectives


def collectives_from(t: Tables, rd: _Reader, uses_scores: bool, mode: str) -> tuple[Collective, list[Collective]]:
    rows = read_rows(t.collectives, S.COLLECTIVE_COLUMNS, S.SHEET_COLLECTIVES, S.COLL_HEADER_ROW, rd)
    rows = rows or {}
    cell_votes = cell_grid_from(t, rd) if mode in ("grid", "") else {}
    cell: Optional[Collective] = None
    others = []
    for row0, d in sorted(rows.items()):
        wh = d["_where"]
        is_cell = row0 == S.COLL_FIRST_ROW
        kind = CollectiveKind.CHI_BO if is_cell else (CollectiveKind.parse(d["kind"]) if d["kind"] else None)
        if not is_cell and kind in (None, CollectiveKind.CHI_BO):
            rd.bad(wh["kind"], "chọn loại tập thể (Chi ủy, Tập thể lãnh đạo đơn vị, Tập thể khác); dòng đầu của sheet là chi bộ")
            continue
        if not is_cell and not d["name"]:
            rd.bad(wh["name"], "dòng có dữ liệu nhưng thiếu tên tập thể")
            continue
        perf = Performance(self_score_common=d["self_score_common"], self_score_results=d["self_score_results"],
                           score_common=d["score_common"], score_results=d["score_results"],
                           criteria_grade=_grade(d["criteria_grade"]), results_grade=_grade(d["results_grade"]),
                           tasks_completed_pct=d["tasks_completed_pct"], tasks_exceeded_pct=d["tasks_exceeded_pct"],
                           shortcomings_remedied=d["shortcomings_remedied"], tasks=_tasks(d))
        members = tuple(n for n in (rd.name(x.strip(), wh["members"]) for x in (d["members"] or "").split(";")) if n)
        votes = _collective_votes(d, wh, row0, mode, cell_votes, rd)
        coll = Collective(
            kind=kind, name="" if is_cell else d["name"], members=() if is_cell else members, decider=d["decider"],
            self_level=d["self_level"], performance=perf, leadership_disciplined=d["leadership_disciplined"],
            subordinate_disciplined=d["subordinate_disciplined"], disunity=d["disunity"],
            personnel_wrongdoing=d["personnel_wrongdoing"], targets_missed=d["targets_missed"],
            exception_claimed=d["exception_claimed"], exceptional_unit_approved=d["exceptional_unit_approved"],
            unit_level=d["unit_level"], review_date=d["review_date"], order=d["order"], votes=votes,
            opinions=d["opinions"], comment=d["comment"], chi_bo_level=d["chi_bo_level"], decided_level=d["decided_level"],
            decision_ref=d["decision_ref"], where=wh["name"] if not is_cell else "",
        )
        if is_cell:
            cell = coll
        else:
            others.append(coll)
    if cell is None:
        cell = Collective(votes=cell_votes.get(S.COLL_FIRST_ROW) if isinstance(cell_votes, dict) else None)
    return cell, others


def _collective_votes(d: dict, wh: dict, row0: int, mode: str, grid: dict, rd: _Reader):
    tally = [d["v_htxs"], d["v_htt"], d["v_ht"], d["v_khtnv"]]
    has_tally = any(v is not None for v in tally) or d["v_invalid"] is not None
    has_hands = d["hands_agree"] is not None or d["hands_disagree"] is not None
    from_grid = grid.get(row0) if isinstance(grid, dict) else None
    if mode == "none":
        return None
    if mode == "" and sum((has_tally, has_hands, from_grid is not None)) > 1:
        rd.bad(wh["v_htxs"], "tập thể này có số liệu ở nhiều cách nhập biểu quyết: chọn một cách ở sheet Hội nghị (Cách nhập biểu quyết tập thể)")
        return None
    if mode == "tally" or (mode == "" and has_tally):
        return CellTally(tuple((lvl, v or 0) for lvl, v in zip(LEVELS, tally)), d["v_invalid"] or 0, wh["v_htxs"])
    if mode == "hands" or (mode == "" and has_hands):
        if d["hands_agree"] is None:
            if mode == "hands":
                rd.bad(wh["hands_agree"], "chưa nhập số đồng chí tán thành")
            return None
        return CellHands(d["hands_agree"], d["hands_disagree"] or 0, d["hands_level"], wh["hands_agree"])
    return from_grid


def cell_grid_from(t: Tables, rd: _Reader) -> dict:
    """The collectives' ballot grid: {row0 in "Tập thể": CellBallots} for rows with ballots."""
    sheet = S.SHEET_CELL
    if not t.cell or not _check_headers(rd, sheet, _row(t.cell, 0), S.CELL_HEADER_ROW, S.CELL_FIXED):
        return {}
    header = _row(t.cell, 0)
    invalid_row = _row(t.cell, S.CELL_INVALID_ROW - S.CELL_HEADER_ROW)
    out = {}
    for k in range(S.MAX_COLLECTIVES):
        i = S.CELL_FIRST_ROW - S.CELL_HEADER_ROW + k
        row = _row(t.cell, i)
        marks_raw = row[S.CELL_FIRST_BALLOT_COL:]
        if all(_blank(v) for v in marks_raw):
            continue
        marks, invalid, cells = [], [], []
        width = max(len(marks_raw), len(invalid_row) - S.CELL_FIRST_BALLOT_COL, 0)
        for j in range(width):
            c0 = S.CELL_FIRST_BALLOT_COL + j
            v = marks_raw[j] if j < len(marks_raw) else None
            flag = invalid_row[c0] if c0 < len(invalid_row) else None
            if _blank(v) and _blank(flag):
                continue
            cell = S.where(sheet, S.CELL_HEADER_ROW + i, c0)
            marks.append(rd.mark(v, cell))
            bad = False
            if not _blank(flag):
                if rd.text(flag, S.where(sheet, S.CELL_INVALID_ROW, c0)).casefold() == "x":
                    bad = True
                else:
                    rd.bad(S.where(sheet, S.CELL_INVALID_ROW, c0), f"chỉ nhập x để đánh dấu cả phiếu không hợp lệ, gặp '{_shown(flag)}'")
            invalid.append(bad)
            cells.append(cell)
        out[S.COLL_FIRST_ROW + k] = CellBallots(tuple(marks), tuple(invalid), tuple(cells), f"{sheet}!B{S.CELL_FIRST_ROW + k + 1}")
    _ = header
    return out


# --------------------------------------------------------------------------- member votes


def _last_used(values) -> int:
    """1 + the index of the last cell holding something (0 when none)."""
    for j in range(len(values) - 1, -1, -1):
        v = values[j]
        if not (v is None or v == ""):
            return j + 1
    return 0


def _used_width(width: int, rows: list, hint_rows: list) -> int:
    """How many ballot columns hold anything: a hint from the flag and count rows, then proved.

    The template has a thousand ballot columns and a typical meeting uses a few dozen; working on
    the used ones only is most of the speed of reading a grid. The hint is the last column flagged
    or counted; every member row's cells past it are then checked empty (C-level counts), so a mark
    far to the right, or a count row that was not recalculated, falls back to the full width.
    """
    hint = max((_last_used(r) for r in hint_rows), default=0)
    if hint >= width:
        return width
    for row in rows:
        tail = row[hint:]
        if tail and _empty_count(tail) < len(tail):
            return width
    return hint


def _empty_count(values) -> int:
    """Cells that hold nothing: both readers give "" or None for an empty cell (C-level counts).

    A cell equal to the value counted is found by identity (C speed); any other cell is a full
    comparison, slow between types. So the empty kind of the last cell is counted first: a run of
    empty cells (the unused width of the grid, calamine's "" or the prefix reader's None) needs no
    second count.
    """
    if not values:
        return 0
    first, second = (None, "") if values[-1] is None else ("", None)
    n = values.count(first)
    return n if n == len(values) else n + values.count(second)


_PLAIN_TYPES = {str, int, float, type(None)}


def grid_from(t: Tables, rd: _Reader, issued: Optional[int]) -> Optional[BallotGrid]:
    """The member ballot grid, ballot by ballot; the usual values are looked up directly.

    The work is done column by column on the transposed grid with C-level helpers (zip, count,
    map): at 300 x 300 (and a 1000-column template) a per-cell Python loop was most of the read.
    """
    sheet = S.SHEET_GRID
    if not t.grid or not _check_headers(rd, sheet, _row(t.grid, 0), S.GRID_HEADER_ROW, S.GRID_FIXED):
        return None
    header = _row(t.grid, 0)
    invalid_row = _row(t.grid, S.GRID_INVALID_ROW - S.GRID_HEADER_ROW)
    first_ballot = S.GRID_FIRST_BALLOT_COL
    member_rows = []
    for i in range(S.GRID_FIRST_ROW - S.GRID_HEADER_ROW, len(t.grid)):
        row = t.grid[i] or []
        row0 = S.GRID_HEADER_ROW + i
        name_raw = row[1] if len(row) > 1 else None
        marks = row[first_ballot:]
        if _blank(name_raw):
            if len(marks) > _empty_count(marks) and any(not _blank(m) for m in marks):
                rd.bad(S.where(sheet, row0, 1), "dòng có phiếu nhưng thiếu họ tên")
            continue
        member_rows.append((row0, rd.name(name_raw, (sheet, row0, 1)), marks))
    width = max([len(header), len(invalid_row)] + [first_ballot + len(m) for _, _, m in member_rows]) - first_ballot
    width = _used_width(width, [m for _, _, m in member_rows],
                        [invalid_row[first_ballot:], _row(t.grid, S.GRID_FILLED_ROW - S.GRID_HEADER_ROW)[first_ballot:]])
    n = len(member_rows)
    # Rows as long as the used width: longer ones (the template's thousand columns) are cut, not transposed.
    padded = [m if len(m) == width else m[:width] if len(m) > width else tuple(m) + (None,) * (width - len(m))
              for _, _, m in member_rows]
    columns = list(zip(*padded)) if member_rows else [()] * max(width, 0)
    ballots = []
    fast = _FAST_MARKS
    for j in range(max(width, 0)):
        c0 = first_ballot + j
        flag = invalid_row[c0] if c0 < len(invalid_row) else None
        column = columns[j] if j < len(columns) else ()
        # A used column usually has its first line typed: only then is the emptiness count skipped.
        if _blank(flag) and (not column or column[0] is None or column[0] == "" or isinstance(column[0], str)):
            if _empty_count(column) == n:
                continue  # an unused ballot column
            if all(_blank(v) for v in column):
                continue  # only spaces typed
        invalid = False
        if not _blank(flag):
            if rd.text(flag, S.where(sheet, S.GRID_INVALID_ROW, c0)).casefold() == "x":
                invalid = True
            else:
                rd.bad(S.where(sheet, S.GRID_INVALID_ROW, c0), f"chỉ nhập x để đánh dấu cả phiếu không hợp lệ, gặp '{_shown(flag)}'")
        # The usual column holds only the usual values (1-4, "x", empty): one C-level lookup per cell
        # (a value that is not one of them stops it with KeyError). bool is a subclass of int
        # (True == 1), hence the type test before the lookup.
        marks = None
        types = set(map(type, column))
        if types <= _PLAIN_TYPES:
            try:
                marks = look_up_all(_FAST_FLOAT_MARKS if float in types else fast, column)
            except KeyError:
                pass
        if marks is None:
            marks = [fast.get(v, _SLOW) if v.__class__ in _PLAIN_TYPES else _SLOW for v in column]
            for k, ((row0, _, _), v) in enumerate(zip(member_rows, column)):
                if marks[k] is _SLOW:
                    marks[k] = rd.mark(v, S.where(sheet, row0, c0))
        label = header[c0] if c0 < len(header) else None
        ballot_id = _shown(label) if not _blank(label) else str(j + 1)
        letters = S.col(c0)
        ballots.append(Ballot(id=ballot_id, marks=tuple(marks), invalid=invalid, where=f"{sheet}!{letters}:{letters}",
                              column=letters))
    return BallotGrid(order=tuple(n for _, n, _ in member_rows), ballots=tuple(ballots), issued=issued,
                      where=f"{sheet}!B{S.GRID_FIRST_ROW + 1}", sheet=sheet, rows=tuple(r + 1 for r, _, _ in member_rows))


def tally_from(t: Tables, rd: _Reader, hands: bool = False):
    sheet = S.SHEET_TALLY
    if not _check_headers(rd, sheet, _row(t.tally, S.TALLY_HEADER_ROW), S.TALLY_HEADER_ROW, S.TALLY_HEADERS):
        return None
    rows, hands_rows = [], []
    for i in range(S.TALLY_FIRST_ROW, len(t.tally)):
        raw = _row(t.tally, i)
        name_raw = raw[1] if len(raw) > 1 else None
        counts = [raw[2 + k] if 2 + k < len(raw) else None for k in range(5)]
        hand = [raw[S.TALLY_HANDS_COL + k] if S.TALLY_HANDS_COL + k < len(raw) else None for k in range(3)]
        if _blank(name_raw):
            if any(not _blank(c) for c in counts + hand):
                rd.bad(S.where(sheet, i, 1), "dòng có số phiếu nhưng thiếu họ tên")
            continue
        name = rd.name(name_raw, S.where(sheet, i, 1))
        if hands:
            agree = rd.int_(hand[1], S.where(sheet, i, S.TALLY_HANDS_COL + 1))
            if agree is None:
                rd.bad(S.where(sheet, i, S.TALLY_HANDS_COL + 1), "chưa nhập số đồng chí tán thành")
                continue
            hands_rows.append(HandsRow(name, agree, rd.int_(hand[2], S.where(sheet, i, S.TALLY_HANDS_COL + 2)) or 0,
                                       rd.level(hand[0], S.where(sheet, i, S.TALLY_HANDS_COL)), S.where(sheet, i, 1)))
            continue
        values = [rd.int_(c, S.where(sheet, i, 2 + k)) or 0 for k, c in enumerate(counts)]
        rows.append(TallyRow(name, tuple(zip(LEVELS, values[:4])), values[4], S.where(sheet, i, 1)))
    if hands:
        return Hands(tuple(hands_rows), f"{sheet}!{S.col(S.TALLY_HANDS_COL)}{S.TALLY_FIRST_ROW + 1}")

    def get(rc):
        return _cell(t.tally, rc[0], rc[1])

    def wh(rc):
        return S.where(sheet, rc[0], rc[1])

    returned = rd.int_(get(S.TALLY_RETURNED), wh(S.TALLY_RETURNED))
    if returned is None:
        rd.bad(wh(S.TALLY_RETURNED), "chưa nhập số phiếu thu về")
        returned = 0
    issued = rd.int_(get(S.TALLY_ISSUED), wh(S.TALLY_ISSUED))
    invalid = rd.int_(get(S.TALLY_INVALID), wh(S.TALLY_INVALID)) or 0
    return Tally(issued=returned if issued is None else issued, returned=returned, invalid=invalid, rows=tuple(rows),
                 where=f"{sheet}!B{S.TALLY_FIRST_ROW + 1}")


def _detect_member_mode(t: Tables) -> str:
    """The member vote form from what was typed: grid marks, tally counts or show-of-hands counts."""
    grid_marks = any(not _blank(v) for row in t.grid[S.GRID_FIRST_ROW - S.GRID_HEADER_ROW:] if row
                     for v in row[S.GRID_FIRST_BALLOT_COL:])
    tally_rows = t.tally[S.TALLY_FIRST_ROW:]
    tally_counts = any(not _blank(v) for row in tally_rows if row for v in row[2:7])
    hands = any(not _blank(v) for row in tally_rows if row for v in row[S.TALLY_HANDS_COL + 1:S.TALLY_HANDS_COL + 3])
    found = [m for m, ok in (("grid", grid_marks), ("tally", tally_counts), ("hands", hands)) if ok]
    if len(found) > 1:
        return "ambiguous:" + ",".join(found)
    return found[0] if found else "none"


# --------------------------------------------------------------------------- the case


#: The blocks ``start_case`` reads: a reader may hand it these before the ballot grids are read.
EARLY_BLOCKS = ("meeting", "roster", "scores", "criteria")


class StartedCase:
    """What ``start_case`` found; ``finish_case`` goes on from it."""

    __slots__ = ("rd", "layout_wrong", "values", "meeting", "settings", "options", "uses_scores", "members")


def start_case(t: Tables) -> StartedCase:
    """The first part of the conversion: the meeting, its rule pack, the roster and the facts sheet.

    Reads only ``EARLY_BLOCKS`` and ``today`` and raises nothing for bad cells (they are collected),
    so a reader may run it while the ballot grids are still being parsed.
    """
    from ..rules.registry import UnknownRules, rules_by_id, rules_for

    st = StartedCase()
    st.rd = rd = _Reader(t.today or date.today())
    st.layout_wrong = _cell(t.meeting, 0, 0) != S.LAYOUT_MARK
    if st.layout_wrong:
        rd.bad(S.where(S.SHEET_MEETING, 0, 0), f"sổ không theo mẫu phiên bản {S.LAYOUT_VERSION} (ô ẩn A1 của sheet Hội nghị phải là "
                                               f"'{S.LAYOUT_MARK}'): hãy dùng lệnh upgrade để chuyển sang mẫu mới")
        return st
    st.values = values = _meeting_values(t, rd)
    st.meeting, st.settings, st.options = meeting_from(values, rd)
    st.uses_scores = True
    try:
        pack = rules_by_id(st.options["rules_id"]) if st.options["rules_id"] else (
            rules_for(st.meeting.review_year) if st.meeting.review_year else None)
        st.uses_scores = pack.uses_scores if pack is not None else True
    except UnknownRules as exc:
        rd.bad(values.get("review_year", (None, None, S.SHEET_MEETING))[2], str(exc))
    roster = roster_from(t, rd)
    st.members = _facts_sheet(t, rd, st.uses_scores, roster)
    return st


def case_from_tables(t: Tables) -> Case:
    """Build the case the workbook describes, or raise ``WorkbookError`` listing every bad cell."""
    return finish_case(start_case(t), t)


def finish_case(st: StartedCase, t: Tables) -> Case:
    """The rest of the conversion (the votes, the collectives), from ``start_case`` of the same blocks."""
    rd = st.rd
    problems_before = list(t.overflow)
    if st.layout_wrong:
        raise WorkbookError(problems_before + rd.problems)
    values, meeting, settings, options, uses_scores, members = (st.values, st.meeting, st.settings, st.options,
                                                                st.uses_scores, st.members)
    mode = options["member_vote_mode"]
    detected = _detect_member_mode(t) if mode == "" else mode
    votes = None
    if detected.startswith("ambiguous:"):
        rd.bad(values.get("member_vote_mode", (None, None, S.SHEET_MEETING))[2],
               "có số liệu biểu quyết đảng viên ở nhiều nơi (" + detected.split(":")[1].replace("grid", "lưới phiếu").replace(
                   "tally", "kiểm phiếu tay").replace("hands", "giơ tay") + "): chọn một cách nhập ở dòng này")
    elif detected == "tally":
        votes = tally_from(t, rd)
    elif detected == "hands":
        votes = tally_from(t, rd, hands=True)
    elif detected == "grid":
        votes = grid_from(t, rd, options["issued"])
    cell, others = collectives_from(t, rd, uses_scores, options["collective_vote_mode"])
    problems = problems_before + rd.problems
    if problems:
        raise WorkbookError(problems)
    notes = ()
    if other_sheet_has_data(t, uses_scores):
        notes = ((S.SHEET_CRITERIA if uses_scores else S.SHEET_SCORES),)
    return Case(meeting=meeting, members=tuple(members), member_votes=votes, party_cell=cell, collectives=tuple(others),
                rules_id=options["rules_id"], settings=tuple(sorted(settings.items())), unused_sheets=notes,
                note=options["note"])
