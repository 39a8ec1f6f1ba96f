"""A corpus of malformed workbooks and case files, built on demand (no binary blobs in the repo).

Each ``@hostile`` function writes one input into a folder and returns its path; the decorator records
what the command must do with it: the exit code (0 fine, 1 readable with error findings, 2
unreadable), the place the message must name (``sheet!cell`` or a JSON path) and Vietnamese words
the message must contain. ``tests/test_hostile.py`` runs every case through ``cli.main``.

Workbooks are made by editing the sheet XML of the committed example directly (``patch_cells``):
openpyxl would take two seconds per file and would rewrite every part, hiding what a real edit in
Excel changes. The edits mimic what Excel writes: inline strings, numbers, booleans, formulas with
their cached values, error values, a dimension that covers the used cells.
"""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional
from xml.sax.saxutils import escape

from xlwings_addin.io import schema as S

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_2023 = ROOT / "xlwings_addin" / "examples" / "song-phuong-2023.json"
EXAMPLE_2026 = ROOT / "xlwings_addin" / "examples" / "song-phuong-2026.json"
BOOK_2023 = ROOT / "workbook" / "vi-du-song-phuong-2023.xlsm"
BOOK_2026 = ROOT / "workbook" / "vi-du-song-phuong-2026.xlsm"
TEMPLATE = ROOT / "workbook" / "xeploai.xlsm"


# --------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class Hostile:
    name: str
    build: Callable[[Path], Path]
    code: int  # expected exit code
    place: str = ""  # must appear in the message ("" when the input is fine)
    words: tuple[str, ...] = ()  # Vietnamese words the message must contain
    command: str = "compute"
    args: tuple[str, ...] = ()
    subprocess: bool = False  # run through a real subprocess (a handful of cases)
    deny: bool = False  # reading the input raises PermissionError (the tests run as root: chmod would not do)


CASES: dict[str, Hostile] = {}


def hostile(code: int, place: str = "", words: tuple[str, ...] | str = (), command: str = "compute",
            args: tuple[str, ...] = (), subprocess: bool = False, deny: bool = False):
    """Register a case; ``args`` may use "{dir}", the folder the input was written to."""
    if command in ("import", "upgrade", "export") and not args:
        args = ("--out", "{dir}/out/" + ("ho-so.json" if command == "export" else "Sổ mới.xlsm"))

    def register(fn):
        name = fn.__name__.replace("_", "-")
        CASES[name] = Hostile(name, fn, code, place, (words,) if isinstance(words, str) else tuple(words), command, args,
                              subprocess, deny)
        return fn
    return register


# --------------------------------------------------------------------------- editing a workbook's XML


@dataclass(frozen=True)
class Formula:
    """A formula cell with its cached value (what Excel saves): ``error`` for #DIV/0!, #N/A ..."""

    text: str
    cached: Any = None
    error: bool = False


@dataclass(frozen=True)
class Raw:
    """A cell's XML as given (for values no other helper writes), ``{r}`` replaced by the address."""

    xml: str


_ROW = re.compile(r'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.S)
_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_STYLE = re.compile(r'\ss="\d+"')


def _col_index(letters: str) -> int:
    return S.col_index(letters)


def _cell_xml(ref: str, value: Any, style: str) -> Optional[str]:
    s = style
    if value is None:
        return None
    if isinstance(value, Raw):
        return value.xml.replace("{r}", ref)
    if isinstance(value, Formula):
        if value.error:
            return f'<c r="{ref}"{s} t="e"><f>{escape(value.text)}</f><v>{escape(str(value.cached))}</v></c>'
        if isinstance(value.cached, str):
            return f'<c r="{ref}"{s} t="str"><f>{escape(value.text)}</f><v>{escape(value.cached)}</v></c>'
        cached = "" if value.cached is None else f"<v>{value.cached!r}</v>"
        return f'<c r="{ref}"{s}><f>{escape(value.text)}</f>{cached}</c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    text = escape(str(value))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _split_ref(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    assert m, ref
    return int(m.group(2)), _col_index(m.group(1))


def edit_sheet_xml(xml: str, cells: dict[str, Any], dimension: Optional[str] | bool = True) -> str:
    """Return sheet XML with ``cells`` set (None deletes a cell); the dimension covers the used cells.

    ``dimension``: True recomputes it as Excel does, a string writes that (a lying file), False drops it.
    """
    m = re.search(r"<sheetData\s*/>|<sheetData>(.*?)</sheetData>", xml, re.S)
    head, body, tail = xml[:m.start()], m.group(1) or "", xml[m.end():]
    rows: dict[int, tuple[str, dict[int, str]]] = {}
    for m in _ROW.finditer(body):
        r = int(m.group(1))
        row_xml = m.group(0)
        open_tag = row_xml[: row_xml.index(">") + 1]
        if open_tag.endswith("/>"):
            open_tag = open_tag[:-2] + ">"
        open_tag = re.sub(r'\sspans="[^"]*"', "", open_tag)
        row_cells = {}
        for c in _CELL.finditer(row_xml):
            row_cells[_col_index(c.group(1))] = c.group(0)
        rows[r] = (open_tag, row_cells)
    for ref, value in cells.items():
        r, c = _split_ref(ref)
        open_tag, row_cells = rows.get(r, (f'<row r="{r}">', {}))
        old = row_cells.get(c, "")
        style = _STYLE.search(old[: old.find(">") + 1] if old else "")
        new = _cell_xml(ref, value, style.group(0) if style else "")
        if new is None:
            row_cells.pop(c, None)
        else:
            row_cells[c] = new
        rows[r] = (open_tag, row_cells)
    out_rows = []
    for r in sorted(rows):
        open_tag, row_cells = rows[r]
        out_rows.append(open_tag + "".join(row_cells[c] for c in sorted(row_cells)) + "</row>")
    new_xml = head + "<sheetData>" + "".join(out_rows) + "</sheetData>" + tail
    if dimension is False:
        return re.sub(r"<dimension [^>]*/>", "", new_xml, count=1)
    if dimension is True:
        used = [(r, c) for r, (_, rc) in rows.items() for c in rc]
        dimension = f"A1:{S.col(max((c for _, c in used), default=0))}{max((r for r, _ in used), default=1)}"
    return re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>', new_xml, count=1)
    return new_xml


def sheet_part(src: Path, sheet: str) -> str:
    """The zip part of a sheet, by its name (from workbook.xml and its relationships)."""
    with zipfile.ZipFile(src) as z:
        wb = z.read("xl/workbook.xml").decode("utf-8")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    m = re.search(r'<sheet name="' + re.escape(escape(sheet, {'"': "&quot;"})) + r'"[^>]*r:id="(rId\d+)"', wb)
    assert m, sheet
    target = re.search(r'Id="' + m.group(1) + r'"[^>]*Target="([^"]+)"', rels).group(1)
    return "xl/" + target.lstrip("/").removeprefix("xl/")


def rewrite_zip(src: Path, dst: Path, parts: dict[str, Any], drop: tuple[str, ...] = ()) -> Path:
    """Copy a zip, replacing some parts (bytes, str, or a function of the old bytes) and dropping others."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info.filename)
            new = parts.get(info.filename, data)
            if callable(new):
                new = new(data)
            if isinstance(new, str):
                new = new.encode("utf-8")
            zout.writestr(info, new, compress_type=zipfile.ZIP_DEFLATED)
        for name, new in parts.items():
            if name not in zin.namelist():
                zout.writestr(name, new if isinstance(new, bytes) else str(new).encode("utf-8"))
    return dst


def patch_cells(src: Path, dst: Path, edits: dict[str, dict[str, Any]], dimension: Optional[dict] = None) -> Path:
    """Copy a workbook with cells changed: ``{sheet: {"B5": value}}``."""
    parts = {}
    for sheet, cells in edits.items():
        part = sheet_part(src, sheet)
        dim = (dimension or {}).get(sheet, True)
        parts[part] = (lambda data, cells=cells, dim=dim: edit_sheet_xml(data.decode("utf-8"), cells, dim))
    return rewrite_zip(src, dst, parts)


def read_part(src: Path, part: str) -> bytes:
    with zipfile.ZipFile(src) as z:
        return z.read(part)


# --------------------------------------------------------------------------- addresses in the example


def meeting_cell(key: str) -> str:
    return f"C{S.MEETING_FIELD_ROWS[key] + 1}"


def roster_cell(member: int, key: str) -> str:
    return f"{S.col([c.key for c in S.ROSTER_COLUMNS].index(key))}{S.ROSTER_FIRST_ROW + 1 + member}"


def score_cell(member: int, key: str) -> str:
    return f"{S.col(S.SCORE_INDEX[key])}{S.FIRST_ROW + 1 + member}"


def criteria_cell(member: int, key: str) -> str:
    return f"{S.col([c.key for c in S.CRITERIA_COLUMNS].index(key))}{S.FIRST_ROW + 1 + member}"


def grid_cell(member: int, ballot: int) -> str:
    return f"{S.col(S.GRID_FIRST_BALLOT_COL + ballot)}{S.GRID_FIRST_ROW + 1 + member}"


def tally_cell(row: int, col0: int) -> str:
    return f"{S.col(col0)}{S.TALLY_FIRST_ROW + 1 + row}"


# --------------------------------------------------------------------------- case files


def example(year: int = 2023) -> dict:
    return json.loads((EXAMPLE_2023 if year == 2023 else EXAMPLE_2026).read_text(encoding="utf-8"))


def write_json(folder: Path, data: Any, name: str = "ho-so.json", ascii_only: bool = False) -> Path:
    p = folder / name
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=ascii_only, indent=1)
    p.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return p


def mutated(fn: Callable[[dict], Any], year: int = 2023) -> dict:
    d = copy.deepcopy(example(year))
    fn(d)
    return d


def _set(path: str, value: Any) -> Callable[[dict], None]:
    """A mutation setting ``a.b[2].c`` (the JSON path the message must name)."""
    def apply(d):
        keys = re.findall(r"[^.\[\]]+|\[\d+\]", path)
        target = d
        for k in keys[:-1]:
            target = target[int(k[1:-1])] if k.startswith("[") else target.setdefault(k, {})
        last = keys[-1]
        if last.startswith("["):
            target[int(last[1:-1])] = value
        else:
            target[last] = value
    return apply


def json_case(path: str, value: Any, year: int = 2023) -> Callable[[Path], Path]:
    return lambda folder: write_json(folder, mutated(_set(path, value), year))


def zip_bytes(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


@dataclass
class Notes:
    """Figures a case may leave for the test (unused by most)."""

    values: dict = field(default_factory=dict)


# =========================================================================== the corpus: case files

ROSTER, MEETING, GRID, SCORES = S.SHEET_ROSTER, S.SHEET_MEETING, S.SHEET_GRID, S.SHEET_SCORES


@hostile(2, "meeting.review_year", "quá lớn")
def json_review_year_1e20(folder):
    return json_case("meeting.review_year", 10 ** 20)(folder)


@hostile(2, "meeting.review_year", "năm")
def json_review_year_float_1e20(folder):
    return write_json(folder, json.dumps(example()).replace('"review_year": 2023', '"review_year": 1E+20'))


@hostile(2, "meeting.review_year", ("năm đánh giá 1990", "2023"))
def json_review_year_1990(folder):
    return json_case("meeting.review_year", 1990)(folder)


@hostile(2, "rules.id", "không hợp lệ")
def json_rules_id_unknown(folder):
    return json_case("rules.id", "QD999-2030")(folder)


@hostile(2, "rules.settings.quota_ratio", "ngoài khoảng")
def json_quota_ratio_negative(folder):
    return json_case("rules.settings", {"quota_ratio": -1})(folder)


@hostile(2, "rules.settings.quota_ratio", "mẫu số bằng 0")
def json_quota_ratio_zero_denominator(folder):
    return json_case("rules.settings", {"quota_ratio": "1/0"})(folder)


@hostile(2, "rules.settings.probation_months", "quá lớn")
def json_probation_months_huge(folder):
    return json_case("rules.settings", {"probation_months": 10 ** 29})(folder)


@hostile(2, "rules.settings.quota_ratio", "quá lớn", subprocess=True)
def json_setting_huge_exponent(folder):
    return json_case("rules.settings", {"quota_ratio": "1e999999999"})(folder)


@hostile(2, "rules.settings.quota_ratoi", "quota_ratio")
def json_setting_unknown_with_suggestion(folder):
    return json_case("rules.settings", {"quota_ratoi": "1/5"})(folder)


@hostile(2, "members[0].performance.score_common", "quá lớn", subprocess=True)
def json_score_huge_exponent(folder):
    return json_case("members[0].performance.score_common", "1e999999999", 2026)(folder)


@hostile(2, "members[0].performance.score_common", "quá lớn")
def json_score_27_digits(folder):
    return write_json(folder, json.dumps(mutated(_set("members[0].performance.score_common", 1), 2026)).replace(
        '"score_common": 1', '"score_common": 123456789012345678901234567'))


@hostile(2, "members[0].performance.tasks_completed_pct", "quá lớn")
def json_percent_27_digits_as_text(folder):
    return json_case("members[0].performance.tasks_completed_pct", "123456789012345678901234567%")(folder)


@hostile(2, "members[0].performance.tasks_completed_pct", "chữ số không phải 0-9")
def json_arabic_indic_digits(folder):
    return json_case("members[0].performance.tasks_completed_pct", "١٠٠")(folder)


@hostile(2, "members[1].performance.score_common", "chữ số không phải 0-9")
def json_superscript_digit(folder):
    return json_case("members[1].performance.score_common", "2³", 2026)(folder)


@hostile(2, "members[0].performance.score_results", "chữ số không phải 0-9")
def json_fullwidth_digits(folder):
    return json_case("members[0].performance.score_results", "６０", 2026)(folder)


@hostile(2, "meeting.start_time", "múi giờ")
def json_time_with_utc_offset(folder):
    return json_case("meeting.start_time", "14:00+07:00")(folder)


@hostile(2, "meeting.end_time", "múi giờ")
def json_time_with_z(folder):
    return json_case("meeting.end_time", "17:00Z")(folder)


@hostile(2, "meeting.start_time", "giờ không hợp lệ")
def json_time_25_hours(folder):
    return json_case("meeting.start_time", "25:00")(folder)


@hostile(2, "members[0].name", "không đọc được")
def json_lone_surrogate_in_name(folder):
    # json.dumps(ensure_ascii=True) writes the lone surrogate as the escape \udce9, as a broken exporter would.
    return write_json(folder, mutated(_set("members[0].name", "Nguy\udce9n")), ascii_only=True)


@hostile(2, "ho-so.json", "lồng nhau quá sâu", subprocess=True)
def json_deeply_nested(folder):
    return write_json(folder, "[" * 200_000 + "]" * 200_000)


@hostile(2, "ho-so.json", "lồng nhau quá sâu")
def json_deeply_nested_objects(folder):
    return write_json(folder, '{"format": "xeploai-case", "note": ' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "}")


@hostile(1, "member_ballots.ballots[0]", "BALLOT_LENGTH")
def json_ballot_with_trailing_null(folder):
    return write_json(folder, mutated(lambda d: d["member_ballots"]["ballots"][0]["marks"].append(None)))


@hostile(2, "meeting.review_yaer", "review_year")
def json_unknown_key_with_suggestion(folder):
    return write_json(folder, mutated(lambda d: d["meeting"].__setitem__("review_yaer", 2023)))


@hostile(2, "members[2].self_levle", "self_level")
def json_unknown_member_key(folder):
    return write_json(folder, mutated(lambda d: d["members"][2].__setitem__("self_levle", "HTTNV")))


@hostile(2, "meeting.chair.name", "hai lần")
def json_duplicate_key(folder):
    text = json.dumps(example(), ensure_ascii=False)
    first = example()["members"][0]["name"]
    text = text.replace(f'"name": {json.dumps(first, ensure_ascii=False)}',
                        f'"name": {json.dumps(first, ensure_ascii=False)}, "name": "Người Khác"', 1)
    return write_json(folder, text)


@hostile(2, "members[0].note", "32767")
def json_text_over_32767(folder):
    return json_case("members[0].note", "x" * 40_000)(folder)


@hostile(2, "meeting.place", "1000")
def json_place_over_its_limit(folder):
    return json_case("meeting.place", "Nhà văn hóa " * 200)(folder)


@hostile(0)
def json_names_starting_with_formula_signs(folder):
    text = json.dumps(example(), ensure_ascii=False)
    names = [m["name"] for m in example()["members"]]
    for old, new in zip(names[3:7], ("=SUM(A1)", "+84 912 345 678", "@Hương", "-Ngọc")):
        text = text.replace(json.dumps(old, ensure_ascii=False), json.dumps(new, ensure_ascii=False))
    return write_json(folder, text)


@hostile(2, "ho-so.json", ("dòng", "cột"))
def json_truncated(folder):
    return write_json(folder, EXAMPLE_2023.read_text(encoding="utf-8")[:700])


@hostile(2, "ho-so.json", "dấu phẩy")
def json_trailing_comma(folder):
    return write_json(folder, json.dumps(example(), ensure_ascii=False).replace('"special_unit": false', '"special_unit": false,}', 1))


@hostile(2, "ho-so.json", "rỗng")
def json_zero_bytes(folder):
    return write_json(folder, "")


@hostile(2, "ho-so.json", "UTF-8")
def json_utf16(folder):
    p = folder / "ho-so.json"
    p.write_bytes(json.dumps(example(), ensure_ascii=False).encode("utf-16"))
    return p


@hostile(0)
def json_with_utf8_bom(folder):
    p = folder / "ho-so.json"
    p.write_bytes(b"\xef\xbb\xbf" + json.dumps(example(), ensure_ascii=False).encode("utf-8"))
    return p


@hostile(2, "meeting.review_year", "NaN")
def json_nan(folder):
    return write_json(folder, json.dumps(example()).replace('"review_year": 2023', '"review_year": NaN'))


@hostile(2, "meeting.review_year", "quá lớn")
def json_integer_of_5000_digits(folder):
    return write_json(folder, json.dumps(example()).replace('"review_year": 2023', '"review_year": ' + "9" * 5000))


@hostile(2, "meeting.date", "nằm ngoài khoảng")
def json_date_9999(folder):
    return json_case("meeting.date", "9999-12-31")(folder)


@hostile(2, "meeting.date", "YYYY-MM-DD")
def json_date_in_local_format(folder):
    return json_case("meeting.date", "29/11/2023")(folder)


@hostile(2, "meeting.date", "không hợp lệ")
def json_date_february_30(folder):
    return json_case("meeting.date", "2023-02-30")(folder)


@hostile(0)
def json_version_1_migrated(folder):
    def to_v1(d):
        d["version"] = 1
        d["party_cell_ballots"] = d["party_cell"].pop("ballots")
    return write_json(folder, mutated(to_v1))


@hostile(2, "version", "phiên bản")
def json_version_9(folder):
    return json_case("version", 9)(folder)


@hostile(2, "(tệp)", "đối tượng")
def json_top_level_list(folder):
    return write_json(folder, [example()])


@hostile(2, "format", "không phải tệp hồ sơ")
def json_other_format(folder):
    return write_json(folder, {"name": "không phải hồ sơ", "members": []})


@hostile(2, "member_ballots.ballots[", "ô phiếu")
def json_too_many_ballot_cells(folder):
    # 2500 members x 1000 ballots: within the list bounds, past MAX_MARKS (2 million) at ballot 800.
    d = example(2026)
    names = [f"Đảng viên {i:04d}" for i in range(2500)]
    d["members"] = [{"name": n} for n in names]
    row = "[" + ",".join(["2"] * len(names)) + "]"
    d["member_ballots"] = {"mode": "grid", "order": names, "ballots": []}
    text = json.dumps(d, ensure_ascii=False).replace('"ballots": []', '"ballots": [' + ",".join(['{"marks": ' + row + "}"] * 1000) + "]")
    return write_json(folder, text)


@hostile(2, "members", "vượt giới hạn")
def json_members_over_5000(folder):
    d = example()
    d["members"] = [{"name": f"Đảng viên {i}"} for i in range(5001)]
    return write_json(folder, d)


@hostile(2, "members[2].program", "program")
def json_wrong_level_key(folder):
    return write_json(folder, mutated(lambda d: d["members"][2].__setitem__("program", 1)))


@hostile(2, "meeting.program_agree", "nhỏ hơn")
def json_negative_count(folder):
    return json_case("meeting.program_agree", -1)(folder)


@hostile(2, "members[0].performance.score_common", "cần một số")
def json_boolean_in_number(folder):
    return json_case("members[0].performance.score_common", True, 2026)(folder)


@hostile(2, "members[4].exempt", "true hoặc false")
def json_text_in_boolean(folder):
    return json_case("members[4].exempt", "có")(folder)


@hostile(1, "DUPLICATE_NAME", "hai lần")
def json_duplicate_member_names(folder):
    def dup(d):
        d["members"][1]["name"] = d["members"][0]["name"]
    return write_json(folder, mutated(dup))


@hostile(2, "members[3].name", "thiếu trường bắt buộc")
def json_member_without_name(folder):
    return write_json(folder, mutated(lambda d: d["members"][3].pop("name")))


@hostile(2, "members[3].name", "không được để trống")
def json_member_with_blank_name(folder):
    return json_case("members[3].name", "   ")(folder)


@hostile(2, "ho-so.json", "quá lớn")
def json_file_over_32_mb(folder):
    p = folder / "ho-so.json"
    with open(p, "wb") as fh:
        fh.truncate(33 * 1024 * 1024)  # sparse: the size is checked before anything is read
    return p


@hostile(2, "thư-mục.json", "thư mục")
def json_path_is_a_directory(folder):
    p = folder / "thư-mục.json"
    p.mkdir()
    return p


@hostile(2, "khong-co.json", "không tìm thấy")
def json_missing_file(folder):
    return folder / "khong-co.json"


@hostile(2, "ho-so.json", "quyền", deny=True)
def json_permission_denied(folder):
    return write_json(folder, example())


# --------------------------------------------------------------------------- import: what the template cannot hold


@hostile(2, "meeting.party_cell", "một dòng", command="import")
def json_party_cell_name_on_two_lines(folder):
    # Found by the long fuzz run: the loader took it, the workbook's collective row refused it on read-back.
    return json_case("meeting.party_cell", "Chi bộ\nThôn 3", 2026)(folder)


@hostile(2, "collectives[0].name", "một dòng", command="import")
def json_collective_name_on_two_lines(folder):
    return json_case("collectives[0].name", "Chi ủy\nnhiệm kỳ", 2026)(folder)


@hostile(2, "members", "1000", command="import")
def import_1001_members(folder):
    d = example(2026)
    d["members"] = [{"name": f"Đảng viên {i:04d}"} for i in range(1001)]
    d.pop("member_ballots", None)
    (folder / "out").mkdir()
    return write_json(folder, d)


@hostile(2, "member_ballots.ballots", "1000", command="import")
def import_1001_ballots(folder):
    d = example()
    ballot = d["member_ballots"]["ballots"][0]
    d["member_ballots"]["ballots"] = [dict(ballot, id=str(i + 1)) for i in range(1001)]
    (folder / "out").mkdir()
    return write_json(folder, d)


@hostile(2, "meeting.guests", "tối đa 3", command="import")
def import_four_guests(folder):
    d = example()
    d["meeting"]["guests"] = [{"name": f"Khách {i}", "title": "Đại biểu"} for i in range(4)]
    (folder / "out").mkdir()
    return write_json(folder, d)


@hostile(2, "collectives", "tối đa 9", command="import")
def import_ten_collectives(folder):
    d = example()
    d["collectives"] = [{"kind": "khac", "name": f"Tổ {i}"} for i in range(10)]
    (folder / "out").mkdir()
    return write_json(folder, d)


@hostile(2, "member_ballots.ballots[0].voter", "người bầu", command="import")
def import_ballot_with_voter(folder):
    d = example()
    d["member_ballots"]["ballots"][0]["voter"] = d["members"][0]["name"]
    (folder / "out").mkdir()
    return write_json(folder, d)


@hostile(2, "collectives[0].members[0]", "chấm phẩy", command="import")
def import_member_name_with_semicolon(folder):
    def semi(d):
        old = d["members"][0]["name"]
        text = json.dumps(d, ensure_ascii=False).replace(json.dumps(old, ensure_ascii=False), '"Nguyễn Thị; Thủy"')
        d.clear()
        d.update(json.loads(text))
    (folder / "out").mkdir()
    return write_json(folder, mutated(semi))


@hostile(2, "tep-chu-khong-phai-thu-muc", "thư mục", command="import", args=("--out", "{dir}/tep-chu-khong-phai-thu-muc/Sổ.xlsm"))
def import_into_a_folder_that_is_a_file(folder):
    (folder / "tep-chu-khong-phai-thu-muc").write_text("một tệp, không phải thư mục", encoding="utf-8")
    return write_json(folder, example())


@hostile(0, command="import")
def import_names_starting_with_formula_signs(folder):
    (folder / "out").mkdir()
    return json_names_starting_with_formula_signs(folder)


# =========================================================================== the corpus: workbooks


def _book(folder: Path, edits: dict, src: Path = BOOK_2023, dimension: Optional[dict] = None, name: str = "Sổ chi bộ.xlsm") -> Path:
    return patch_cells(src, folder / name, edits, dimension)


@hostile(2, f"{MEETING}!C4", "quá lớn")
def wb_review_year_1e20(folder):
    return _book(folder, {MEETING: {meeting_cell("review_year"): 1e20}})


@hostile(2, f"{MEETING}!C4", "quá lớn")
def wb_review_year_text_1e20(folder):
    return _book(folder, {MEETING: {meeting_cell("review_year"): "1E+20"}})


@hostile(2, f"{MEETING}!C4", "năm đánh giá 1990")
def wb_review_year_1990(folder):
    return _book(folder, {MEETING: {meeting_cell("review_year"): 1990}})


@hostile(2, f"{MEETING}!C4", "chưa nhập năm")
def wb_review_year_blank(folder):
    return _book(folder, {MEETING: {meeting_cell("review_year"): None}})


@hostile(2, f"{SCORES}!H5", "quá lớn")
def wb_score_27_digits(folder):
    return _book(folder, {SCORES: {score_cell(0, "score_common"): 123456789012345678901234567.0}}, BOOK_2026)


@hostile(2, f"{SCORES}!H5", "quá lớn", subprocess=True)
def wb_score_huge_exponent_text(folder):
    return _book(folder, {SCORES: {score_cell(0, "score_common"): "1e999999999"}}, BOOK_2026)


@hostile(2, f"{SCORES}!I6", ("chữ số không phải 0-9", f"{SCORES}!H5", f"{SCORES}!D7"))
def wb_superscript_and_other_problems_all_listed(folder):
    # The old reader stopped at int("2³") ("invalid literal for int()"): every problem of the sheet is listed now.
    return _book(folder, {SCORES: {score_cell(0, "score_common"): "2³", score_cell(1, "score_results"): "²⁰",
                                   score_cell(2, "self_score_common"): "mười"}}, BOOK_2026)


@hostile(2, f"{SCORES}!H5", "chữ số không phải 0-9")
def wb_arabic_indic_digits_in_score(folder):
    return _book(folder, {SCORES: {score_cell(0, "score_common"): "٢٥"}}, BOOK_2026)


@hostile(2, f"{GRID}!I7", "chữ số không phải 0-9")
def wb_arabic_indic_digit_in_grid(folder):
    return _book(folder, {GRID: {grid_cell(0, 0): "٢"}})


@hostile(2, f"{GRID}!{grid_cell(2, 4)}", "'7'")
def wb_mark_7_in_grid(folder):
    return _book(folder, {GRID: {grid_cell(2, 4): 7}})


@hostile(2, f"{GRID}!{S.col(S.GRID_FIRST_BALLOT_COL + 2)}{S.GRID_INVALID_ROW + 1}", "chỉ nhập x")
def wb_invalid_flag_not_x(folder):
    return _book(folder, {GRID: {f"{S.col(S.GRID_FIRST_BALLOT_COL + 2)}{S.GRID_INVALID_ROW + 1}": "hỏng"}})


@hostile(2, f"{MEETING}!C7", "múi giờ")
def wb_time_with_utc_offset(folder):
    return _book(folder, {MEETING: {meeting_cell("start_time"): "14:00+07:00"}})


@hostile(2, f"{ROSTER}!XFD1048576", ("ngoài vùng nhập liệu", "1000"), subprocess=True)
def wb_stray_cell_in_xfd1048576(folder):
    return _book(folder, {ROSTER: {"XFD1048576": "x"}})


@hostile(2, f"{ROSTER}!XFD1048576", "ngoài vùng nhập liệu")
def wb_stray_cell_behind_a_lying_dimension(folder):
    # The declared dimension says A1:R1004; calamine sizes its block from the cells and would abort the process.
    return _book(folder, {ROSTER: {"XFD1048576": "x"}}, dimension={ROSTER: "A1:R1004"})


@hostile(2, f"{GRID}!XFD1048576", "ngoài vùng nhập liệu")
def wb_stray_cell_without_a_dimension(folder):
    return _book(folder, {GRID: {"XFD1048576": 1}}, dimension={GRID: False})


@hostile(2, f"{ROSTER}!A1048576", "ngoài vùng nhập liệu")
def wb_far_cell_without_an_address(folder):
    # No r="..." on the cell: calamine places it by counting, here in row 1048576.
    return _book(folder, {ROSTER: {"A1048576": Raw('<c t="inlineStr"><is><t>x</t></is></c>')}})


@hostile(2, f"{ROSTER}!xfd1048576", "ngoài vùng nhập liệu")
def wb_far_cell_with_a_lowercase_address(folder):
    return _book(folder, {ROSTER: {"C1048576": Raw('<c r="xfd1048576" t="inlineStr"><is><t>x</t></is></c>')}})


@hostile(2, f"{ROSTER}!B{S.ROSTER_LAST_ROW + 2}", ("ngoài vùng nhập liệu", "1000 đảng viên"))
def wb_member_past_the_last_row(folder):
    return _book(folder, {ROSTER: {f"B{S.ROSTER_LAST_ROW + 2}": "Người Thứ Một Nghìn Lẻ Một"}})


@hostile(2, f"{GRID}!{S.col(S.GRID_LAST_BALLOT_COL + 1)}7", ("ngoài vùng nhập liệu", "1000 phiếu"))
def wb_ballot_past_the_last_column(folder):
    return _book(folder, {GRID: {f"{S.col(S.GRID_LAST_BALLOT_COL + 1)}{S.GRID_FIRST_ROW + 1}": 2}})


@hostile(2, f"{S.SHEET_TALLY}!B{S.TALLY_LAST_ROW + 2}", "ngoài vùng nhập liệu")
def wb_tally_row_past_the_last_row(folder):
    return _book(folder, {S.SHEET_TALLY: {f"B{S.TALLY_LAST_ROW + 2}": "Người Thừa"}})


@hostile(2, f"{MEETING}!C6", "nằm ngoài khoảng")
def wb_date_9999(folder):
    return _book(folder, {MEETING: {meeting_cell("date"): "31/12/9999"}})


@hostile(2, f"{MEETING}!C6", "ngày không hợp lệ")
def wb_date_serial_past_year_9999(folder):
    return _book(folder, {MEETING: {meeting_cell("date"): 2958466}})


@hostile(2, f"{MEETING}!C6", "ngày không hợp lệ")
def wb_date_february_31(folder):
    return _book(folder, {MEETING: {meeting_cell("date"): "31/02/2023"}})


@hostile(2, f"{MEETING}!C6", "ngày không hợp lệ")
def wb_date_two_digit_year(folder):
    return _book(folder, {MEETING: {meeting_cell("date"): "29/11/23"}})


@hostile(0)
def wb_dates_as_text_in_several_formats(folder):
    return _book(folder, {MEETING: {meeting_cell("date"): "29/11/2023", meeting_cell("report_circulated"): "24-11-2023"},
                          ROSTER: {roster_cell(0, "admission_date"): "19.05.2001", roster_cell(1, "admission_date"): "2005-03-02"}})


@hostile(2, f"{GRID}!I7", "#DIV/0!")
def wb_div0_in_the_grid(folder):
    return _book(folder, {GRID: {grid_cell(0, 0): Formula("1/0", "#DIV/0!", error=True)}})


@hostile(2, f"{MEETING}!C6", "#N/A")
def wb_na_in_the_meeting_date(folder):
    return _book(folder, {MEETING: {meeting_cell("date"): Formula("NA()", "#N/A", error=True)}})


@hostile(2, f"{ROSTER}!B6", "#REF!")
def wb_error_constant_as_a_name(folder):
    return _book(folder, {ROSTER: {roster_cell(1, "name"): Raw('<c r="{r}" t="e"><v>#REF!</v></c>')}})


@hostile(0)
def wb_error_in_a_formula_column_is_not_input(folder):
    # Column A (TT) is the template's own formula: its value is never read, so its error is no problem.
    return _book(folder, {ROSTER: {f"A{S.ROSTER_FIRST_ROW + 1}": Formula("1/0", "#DIV/0!", error=True)}})


@hostile(0)
def wb_formula_with_a_good_cached_value(folder):
    return _book(folder, {GRID: {grid_cell(0, 0): Formula("1+1", 2)}})


@hostile(0)
def wb_name_starting_with_equals_typed_as_text(folder):
    name = "=Đặng Thị Thu Trang"
    return _book(folder, {ROSTER: {roster_cell(10, "name"): name}, GRID: {f"B{S.GRID_FIRST_ROW + 11}": name}})


@hostile(2, f"{MEETING}!C39", "cần một số nguyên")
def wb_boolean_in_a_count(folder):
    return _book(folder, {MEETING: {meeting_cell("program_agree"): True}})


@hostile(2, f"{MEETING}!C39", "nhỏ hơn")
def wb_negative_count(folder):
    return _book(folder, {MEETING: {meeting_cell("program_agree"): -3}})


@hostile(2, f"{ROSTER}!B5", "thiếu họ tên")
def wb_roster_row_without_a_name(folder):
    return _book(folder, {ROSTER: {roster_cell(0, "name"): None}})


@hostile(1, f"{ROSTER}!B6", "DUPLICATE_NAME")
def wb_duplicate_names(folder):
    return _book(folder, {ROSTER: {roster_cell(1, "name"): "Nguyễn Thị Thủy"}})


@hostile(2, f"{MEETING}!C38", "32767")
def wb_text_over_32767(folder):
    return _book(folder, {MEETING: {meeting_cell("conclusion"): "x" * 40_000}})


@hostile(2, f"{MEETING}!C50", "danh sách chọn")
def wb_unknown_rules_choice(folder):
    return _book(folder, {MEETING: {meeting_cell("rules_id"): "QĐ 999"}})


@hostile(2, f"{S.SHEET_TALLY}!C{S.TALLY_FIRST_ROW + 1}", "mười")
def wb_text_in_a_tally_count(folder):
    return _book(folder, {MEETING: {meeting_cell("member_vote_mode"): "Kiểm phiếu tay"},
                          S.SHEET_TALLY: {"C4": 22, f"B{S.TALLY_FIRST_ROW + 1}": "Nguyễn Thị Thủy", f"C{S.TALLY_FIRST_ROW + 1}": "mười"}})


@hostile(2, f"{MEETING}!A7", "cột khóa")
def wb_hidden_key_column_edited(folder):
    return _book(folder, {MEETING: {"A7": "gio_bat_dau"}})


@hostile(2, f"{MEETING}!A1", "upgrade")
def wb_layout_mark_missing(folder):
    return _book(folder, {MEETING: {"A1": None}})


@hostile(2, f"{ROSTER}!C4", "tiêu đề cột")
def wb_header_edited(folder):
    return _book(folder, {ROSTER: {f"C{S.ROSTER_HEADER_ROW + 1}": "Số thẻ"}})


def _rename_sheet(old: str, new: str):
    def edit(data: bytes) -> bytes:
        return data.decode("utf-8").replace(f'<sheet name="{old}"', f'<sheet name="{new}"').encode("utf-8")
    return edit


@hostile(2, GRID, ("thiếu sheet", "Phieu dang vien"))
def wb_sheet_renamed(folder):
    return rewrite_zip(BOOK_2023, folder / "Sổ.xlsm", {"xl/workbook.xml": _rename_sheet(GRID, "Phieu dang vien")})


@hostile(2, ROSTER, "thiếu sheet")
def wb_sheet_deleted(folder):
    def drop(data: bytes) -> bytes:
        return re.sub(rf'<sheet name="{ROSTER}"[^>]*/>', "", data.decode("utf-8")).encode("utf-8")
    return rewrite_zip(BOOK_2023, folder / "Sổ.xlsm", {"xl/workbook.xml": drop})


@hostile(2, f"{ROSTER}!B6:D6", "gộp")
def wb_merged_cells_in_an_input_block(folder):
    part = sheet_part(BOOK_2023, ROSTER)

    def merge(data: bytes) -> bytes:
        xml = data.decode("utf-8")
        if "<mergeCells" in xml:
            return xml.replace("</mergeCells>", '<mergeCell ref="B6:D6"/></mergeCells>').encode("utf-8")
        return xml.replace("</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="B6:D6"/></mergeCells>').encode("utf-8")
    return rewrite_zip(BOOK_2023, folder / "Sổ.xlsm", {part: merge})


@hostile(1, "Người Tiền Tố")
def wb_namespace_prefixed_cell_is_read(folder):
    # <x:c> is the same cell to an XML reader; it must be read (here a changed name), never dropped.
    part = sheet_part(BOOK_2023, ROSTER)

    def prefix(data: bytes) -> bytes:
        xml = edit_sheet_xml(data.decode("utf-8"), {roster_cell(10, "name"): Raw(
            '<x:c r="{r}" t="inlineStr"><x:is><x:t>Người Tiền Tố</x:t></x:is></x:c>')})
        xml = xml.replace("<worksheet ", '<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ', 1)
        return xml.replace('<x:c r=', '<x:c r=').encode("utf-8")
    return rewrite_zip(BOOK_2023, folder / "Sổ.xlsm", {part: prefix})


# --------------------------------------------------------------------------- files that are not (or no longer) workbooks


@hostile(2, "Sổ mật khẩu.xlsm", "mật khẩu")
def wb_encrypted_with_a_password(folder):
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(BOOK_2023, "rb") as fh:
        OOXMLFile(fh).encrypt("matkhau", out)  # an OLE/CFB container, as Excel writes an encrypted workbook
    p = folder / "Sổ mật khẩu.xlsm"
    p.write_bytes(out.getvalue())
    return p


@hostile(2, "cu.xls", ".xls")
def wb_old_xls_format(folder):
    p = folder / "cu.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le"))
    return p


@hostile(2, "bang-tinh.xlsm", ".ods")
def wb_ods_renamed_to_xlsm(folder):
    p = folder / "bang-tinh.xlsm"
    p.write_bytes(zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                             "content.xml": b"<office:document-content/>"}))
    return p


@hostile(2, "bang-tinh.ods", ".ods")
def wb_ods_file(folder):
    p = folder / "bang-tinh.ods"
    p.write_bytes(zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}))
    return p


@hostile(2, "danh-sach.xlsm", "CSV")
def wb_csv_renamed_to_xlsm(folder):
    p = folder / "danh-sach.xlsm"
    p.write_text("TT,Họ và tên\n1,Nguyễn Thị Thủy\n", encoding="utf-8")
    return p


@hostile(2, "rong.xlsm", "0 byte", subprocess=True)
def wb_zero_bytes(folder):
    p = folder / "rong.xlsm"
    p.write_bytes(b"")
    return p


@hostile(2, "cat-doi.xlsm", "bị hỏng", subprocess=True)
def wb_truncated_zip(folder):
    p = folder / "cat-doi.xlsm"
    data = BOOK_2023.read_bytes()
    p.write_bytes(data[: len(data) * 3 // 5])
    return p


@hostile(2, "khong-phai.xlsm", "xl/workbook.xml")
def wb_zip_without_a_workbook(folder):
    p = folder / "khong-phai.xlsm"
    p.write_bytes(zip_bytes({"readme.txt": "không phải sổ".encode()}))
    return p


@hostile(2, ROSTER, "bị hỏng")
def wb_sheet_xml_cut_in_half(folder):
    part = sheet_part(BOOK_2023, ROSTER)
    return rewrite_zip(BOOK_2023, folder / "Sổ.xlsm", {part: lambda data: data[: len(data) // 2]})


@hostile(2, "Sổ.xlsm", "bị hỏng")
def wb_entity_bomb_in_workbook_xml(folder):
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i + 1} "{("&lol" + (str(i) if i else "") + ";") * 10}">' for i in range(9))
           + ']><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="&lol9;"/></sheets></workbook>')
    return rewrite_zip(BOOK_2023, folder / "Sổ.xlsm", {"xl/workbook.xml": lol})


def _shared_strings_bomb(target_mb: int) -> Callable[[bytes], bytes]:
    """A sharedStrings part that inflates to ``target_mb`` MB (its compressed form is a few hundred KB)."""
    def build(data: bytes) -> bytes:
        head, _, tail = data.decode("utf-8").partition("</sst>")
        filler = ("<si><t>" + "A" * 4000 + "</t></si>").encode()
        return head.encode() + filler * (target_mb * 1024 * 1024 // len(filler)) + b"</sst>"
    return build


@hostile(2, "sharedStrings", "MB", subprocess=True)
def wb_shared_strings_bomb(folder):
    return rewrite_zip(BOOK_2023, folder / "Sổ 400 KB.xlsm", {"xl/sharedStrings.xml": _shared_strings_bomb(256)})


def _lie_about_size(path: Path, member: str, claimed: int) -> None:
    """Rewrite the uncompressed size of ``member`` in its local header and its central directory entry."""
    import struct

    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, claimed)
    name = member.encode()
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46: pos + 46 + n] == name:
            struct.pack_into("<I", data, pos + 24, claimed)
            break
        pos = data.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(data))


@hostile(2, "sharedStrings", "nén bất thường")
def wb_zip_directory_lies_about_a_size(folder):
    p = rewrite_zip(BOOK_2023, folder / "Sổ.xlsm", {"xl/sharedStrings.xml": _shared_strings_bomb(100)})
    _lie_about_size(p, "xl/sharedStrings.xml", 48_000)  # "48 KB", the size of the real part
    return p


@hostile(2, "Sổ.xlsm", "nén bất thường")
def wb_sheet_that_inflates_too_far(folder):
    # 20 MB of blanks between two rows: valid XML, compressed about a thousand times.
    part = sheet_part(BOOK_2023, ROSTER)
    return rewrite_zip(BOOK_2023, folder / "Sổ.xlsm", {
        part: lambda data: data.replace(b"</row>", b"</row>" + b" " * (20 * 1024 * 1024), 1)})


@hostile(2, f"{MEETING}!A1", "upgrade")
def wb_old_layout_without_the_mark(folder):
    return _book(folder, {MEETING: {"A1": "xeploai-layout-1"}})


@hostile(2, "upgrade", "mẫu cũ")
def wb_layout_1_workbook(folder):
    p = folder / "so-cu.xlsm"
    p.write_bytes((ROOT / "tests" / "fixtures" / "layout1-song-phuong-2023.xlsm").read_bytes())
    return p


@hostile(0, command="upgrade")
def wb_layout_1_upgraded(folder):
    (folder / "out").mkdir()
    return wb_layout_1_workbook(folder)


@hostile(2, f"{ROSTER}!XFD1048576", "ngoài vùng", command="upgrade")
def wb_layout_1_with_a_stray_cell(folder):
    (folder / "out").mkdir()
    return patch_cells(ROOT / "tests" / "fixtures" / "layout1-song-phuong-2023.xlsm", folder / "so-cu.xlsm",
                       {ROSTER: {"XFD1048576": "x"}})


@hostile(2, f"{GRID}!I7", "#DIV/0!", command="export")
def wb_export_refuses_an_error_cell(folder):
    (folder / "out").mkdir()
    return wb_div0_in_the_grid(folder)


@hostile(0)
def wb_xlsx_suffix(folder):
    p = folder / "Sổ.xlsx"
    p.write_bytes(BOOK_2023.read_bytes())
    return p


@hostile(0)
def wb_example_unchanged(folder):
    p = folder / "Sổ.xlsm"
    p.write_bytes(BOOK_2023.read_bytes())
    return p


@hostile(2, "thu-muc.xlsm", "thư mục")
def wb_path_is_a_directory(folder):
    p = folder / "thu-muc.xlsm"
    p.mkdir()
    return p


@hostile(2, "khong-co.xlsm", "không tìm thấy")
def wb_missing_file(folder):
    return folder / "khong-co.xlsm"


@hostile(2, "Sổ đang mở.xlsm", "đang được mở", deny=True)
def wb_permission_denied(folder):
    p = folder / "Sổ đang mở.xlsm"
    p.write_bytes(BOOK_2023.read_bytes())
    return p


@hostile(2, "ban-sao.txt", "không nhận ra")
def unknown_suffix(folder):
    p = folder / "ban-sao.txt"
    p.write_text("xin chào", encoding="utf-8")
    return p


@hostile(2, "rules.settings.quota_ratio", "sổ Excel không có chỗ", command="import")
def import_setting_without_a_cell(folder):
    (folder / "out").mkdir()
    return json_case("rules.settings", {"quota_ratio": "1/4"})(folder)


@hostile(2, "members[0].prohibited_acts", "không giữ được", command="import")
def import_a_fact_the_years_sheet_has_no_column_for(folder):
    # QĐ 366 facts in a 2023 (QĐ 124) case: that year's sheet has no column for them.
    (folder / "out").mkdir()
    return json_case("members[0].prohibited_acts", True)(folder)


@hostile(2, "member_ballots.ballots[3]", "phiếu trống", command="import")
def import_an_empty_ballot(folder):
    (folder / "out").mkdir()
    return write_json(folder, mutated(lambda d: d["member_ballots"]["ballots"][3].__setitem__(
        "marks", [None] * len(d["member_ballots"]["order"]))))


@hostile(2, "collectives[0].kind", "không hợp lệ")
def json_collective_of_kind_chi_bo(folder):
    return json_case("collectives[0].kind", "chi_bo")(folder)


@hostile(2, "meeting.format_profile", "không hợp lệ")
def json_unknown_format_profile(folder):
    return json_case("meeting.format_profile", "mau_rieng")(folder)
