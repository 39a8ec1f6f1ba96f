"""Write the committee's decided levels back into each chi bộ's workbook, touching nothing else.

The committee types its decisions into the summary workbook ("Cấp ủy quyết định" on the sheets
"Đảng viên" and "Tập thể"). For each chi bộ workbook named there, every typed decision is matched to
a row of that workbook (số thẻ, else name and admission date, else name); one member that cannot be
matched refuses the whole workbook, so no half-applied decision exists. Only the "Cấp ủy quyết
định" and "Số quyết định" cells change (``xlsxpatch``), and the result is read back and checked
before it is published: the same data code with the decisions left out, the decisions as typed.

By default a new file appears next to the original ("… (quyết định).xlsm"); with ``replace`` the
original is first copied to a backup and then replaced atomically.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..core.levels import Level
from ..io import schema as S
from ..io.casefile import CaseFileError
from ..io.files import OutputFileError, replace_file, write_new_file
from . import columns as C
from .model import norm
from .read import cell_text, parse_date_text, undecided
from .xlsxpatch import PatchError, patch_bytes


class WriteBackError(CaseFileError):
    """A decision cannot be written back; the message is Vietnamese and names the file and the cell."""


@dataclass(frozen=True)
class Decision:
    kind: str  # "member" | "collective"
    file: str  # the chi bộ's input as recorded in the summary
    cell: str
    name: str
    level: str
    decision_ref: str = ""
    member_id: str = ""
    admission_date: str = ""
    where: str = ""  # the summary's cell with the decision, e.g. "Đảng viên!Q7"


@dataclass
class Applied:
    source: Path
    written: Path
    members: int
    collectives: int
    backup: Optional[Path] = None
    notes: tuple = ()


def read_decisions(summary: Path) -> tuple[list[Decision], dict[str, str]]:
    """The typed decisions of a summary workbook, and the data code of each chi bộ's file when aggregated.

    The codes' entry "" holds the decision number given to the aggregate command, if any.
    """
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(summary))
    except FileNotFoundError:
        raise WriteBackError(f"không tìm thấy bảng tổng hợp {summary.name}") from None
    except Exception as exc:
        raise WriteBackError(f"không đọc được bảng tổng hợp {summary.name} ({type(exc).__name__})") from None
    names = wb.sheet_names
    if C.SHEET_MEMBERS not in names or C.SHEET_INFO not in names:
        raise WriteBackError(f"{summary.name} không phải bảng tổng hợp do lệnh aggregate tạo (thiếu sheet \"{C.SHEET_MEMBERS}\")")
    out: list[Decision] = []
    for sheet, columns, kind in ((C.SHEET_MEMBERS, C.MEMBER_COLUMNS, "member"), (C.SHEET_COLLECTIVES, C.COLLECTIVE_COLUMNS, "collective")):
        if sheet not in names:
            continue
        rows = wb.get_sheet_by_name(sheet).to_python()
        if not rows:
            continue
        header = [cell_text(h) for h in rows[0]]
        need = ("cell", "name", "decided", "decision_ref", "file")
        col = {}
        for key in need + (("member_id", "admission_date") if kind == "member" else ()):
            h = C.header_of(columns, key)
            if h not in header:
                raise WriteBackError(f"{summary.name}: sheet \"{sheet}\" thiếu cột \"{h}\" (không xóa hay đổi tên tiêu đề cột)")
            col[key] = header.index(h)
        for i, row in enumerate(rows[1:], start=2):
            row = list(row) + [None] * len(header)
            typed = cell_text(row[col["decided"]])
            if not typed:
                continue
            where = f"{sheet}!{S.col(col['decided'])}{i}"
            try:
                level = Level.from_code(typed).code
            except ValueError:
                raise WriteBackError(f"{summary.name}, ô {where}: '{typed}' không phải mức xếp loại (HTXSNV, HTTNV, HTNV, KHTNV)") from None
            adm = row[col["admission_date"]] if kind == "member" else None
            if hasattr(adm, "isoformat"):
                adm = adm.isoformat()[:10]
            else:
                adm = parse_date_text(cell_text(adm))
            out.append(Decision(kind=kind, file=cell_text(row[col["file"]]), cell=cell_text(row[col["cell"]]), name=cell_text(row[col["name"]]),
                                level=level, decision_ref=cell_text(row[col["decision_ref"]]),
                                member_id=cell_text(row[col["member_id"]]) if kind == "member" else "", admission_date=adm or "",
                                where=where))
    codes = {}
    info = {cell_text(r[0]): cell_text(r[1]) for r in wb.get_sheet_by_name(C.SHEET_INFO).to_python() if len(r) > 1}
    codes[""] = info.get("Số quyết định", "")
    if C.SHEET_CELLS in names:
        rows = wb.get_sheet_by_name(C.SHEET_CELLS).to_python()
        if rows:
            header = [cell_text(h) for h in rows[0]]
            hf, hu = C.header_of(C.CELL_COLUMNS, "file"), C.header_of(C.CELL_COLUMNS, "fingerprint_undecided")
            if hf in header and hu in header:
                for row in rows[1:]:
                    codes[cell_text(row[header.index(hf)])] = cell_text(row[header.index(hu)])
    return out, codes


def _resolve(file: str, summary: Path, given: dict[str, list[Path]]) -> Path:
    """The workbook a summary row names: among the files given (by name), else the recorded path."""
    name = file.replace("\\", "/").rsplit("/", 1)[-1]
    if given:
        hits = given.get(norm(name), [])
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            exact = [h for h in hits if os.path.normcase(os.path.abspath(h)) == os.path.normcase(os.path.abspath(file))]
            if len(exact) == 1:
                return exact[0]
            raise WriteBackError(f"có nhiều sổ tên {name} trong các tệp đã chỉ ra: hãy chỉ đúng một sổ")
        raise WriteBackError(f"không có sổ {name} trong các tệp, thư mục đã chỉ ra")
    for candidate in (Path(file), summary.parent / file, summary.parent / name):
        if candidate.is_file():
            return candidate
    raise WriteBackError(f"không tìm thấy sổ {file} (đường dẫn ghi trong bảng tổng hợp); hãy chỉ ra sổ hoặc thư mục chứa sổ")


def _match_member(d: Decision, members) -> Optional[object]:
    if d.member_id:
        hits = [m for m in members if norm(m.member_id) == norm(d.member_id)]
        if len(hits) == 1:
            return hits[0]
    named = [m for m in members if norm(m.name) == norm(d.name)]
    if d.admission_date:
        dated = [m for m in named if m.admission_date and m.admission_date.isoformat() == d.admission_date]
        if len(dated) == 1:
            return dated[0]
    if len(named) == 1:
        return named[0]
    return None


def _row(where: str) -> Optional[int]:
    from .read import _row_of

    return _row_of(where)


def plan_edits(case, decisions: list[Decision], workbook: Path, decision_no: str) -> dict[str, dict[str, object]]:
    """The cells to write in one workbook: sheet -> {A1 ref: value}; refuse when anything does not match."""
    from ..rules.registry import rules_by_id, rules_for

    pack = rules_by_id(case.rules_id) if case.rules_id else rules_for(case.meeting.review_year)
    sheet, index = (S.SHEET_SCORES, S.SCORE_INDEX) if pack.uses_scores else (S.SHEET_CRITERIA, S.CRITERIA_INDEX)
    edits: dict[str, dict[str, object]] = defaultdict(dict)
    problems = []
    for d in decisions:
        ref = d.decision_ref or decision_no
        if not ref:
            problems.append(f"{d.where}: {d.name} chưa có số quyết định (ghi ở cột \"Số quyết định\" hoặc dùng --decision)")
            continue
        if d.kind == "member":
            m = _match_member(d, case.members)
            row = _row(m.where) if m is not None else None
            if m is None or row is None:
                problems.append(f"{d.where}: không tìm thấy đảng viên {d.name}"
                                + (f" (số thẻ {d.member_id})" if d.member_id else "") + f" trong sổ {workbook.name}")
                continue
            edits[sheet][f"{S.col(index['decided_level'])}{row}"] = d.level
            edits[sheet][f"{S.col(index['decision_ref'])}{row}"] = ref
        else:
            if norm(d.name) == norm(case.meeting.party_cell):
                row = S.COLL_FIRST_ROW + 1
            else:
                hits = [c for c in case.collectives if norm(c.name) == norm(d.name)]
                row = _row(hits[0].where) if len(hits) == 1 else None
            if row is None:
                problems.append(f"{d.where}: không tìm thấy tập thể {d.name} ở sheet \"{S.SHEET_COLLECTIVES}\" của sổ {workbook.name}")
                continue
            edits[S.SHEET_COLLECTIVES][f"{S.col(S.COLLECTIVE_INDEX['decided_level'])}{row}"] = d.level
            edits[S.SHEET_COLLECTIVES][f"{S.col(S.COLLECTIVE_INDEX['decision_ref'])}{row}"] = ref
    if problems:
        raise WriteBackError(f"Không ghi quyết định vào sổ {workbook.name} (sổ giữ nguyên):\n- " + "\n- ".join(problems))
    return dict(edits)


def decided_name(path: Path) -> Path:
    return path.with_name(f"{path.stem} (quyết định){path.suffix}")


def backup_name(path: Path) -> Path:
    return path.with_name(f"{path.stem} (bản trước khi ghi quyết định){path.suffix}")


def _check(new: bytes, suffix: str, case, decisions: list[Decision]) -> None:
    """Read the edited workbook back: same data without decisions, and every decision where it belongs."""
    from ..core.fingerprint import fingerprint
    from ..io.load import load_case

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / f"check{suffix}"
        p.write_bytes(new)
        again = load_case(p)
    if fingerprint(undecided(again)) != fingerprint(undecided(case)):
        raise WriteBackError("sổ sau khi ghi quyết định đọc lại không còn giống dữ liệu gốc: không ghi (lỗi chương trình, hãy báo lại)")
    for d in decisions:
        if d.kind == "member":
            m = _match_member(d, again.members)
            got = m.decided_level.code if m is not None and m.decided_level else ""
        else:
            coll = again.party_cell if norm(d.name) == norm(again.meeting.party_cell) else next(
                (c for c in again.collectives if norm(c.name) == norm(d.name)), None)
            got = coll.decided_level.code if coll is not None and coll.decided_level else ""
        if got != d.level:
            raise WriteBackError(f"đọc lại sổ: {d.name} có mức '{got}', không phải {d.level} như đã ghi: không ghi sổ")


def apply_to_workbook(workbook: Path, decisions: list[Decision], decision_no: str = "", replace: bool = False,
                      expected_code: str = "", force: bool = False) -> Applied:
    """Write one workbook's decisions; return where the result went."""
    from ..core.fingerprint import fingerprint
    from ..io.load import load_case

    if workbook.suffix.lower() not in (".xlsm", ".xlsx"):
        raise WriteBackError(f"{workbook.name}: chỉ ghi được quyết định vào sổ Excel (.xlsm) của chi bộ")
    try:
        original = workbook.read_bytes()
    except OSError as exc:
        raise WriteBackError(f"không đọc được sổ {workbook.name} ({type(exc).__name__})") from None
    case = load_case(workbook)
    code = fingerprint(undecided(case))
    notes = []
    if expected_code and code != expected_code:
        message = (f"sổ {workbook.name} đã thay đổi sau khi tổng hợp (mã dữ liệu {code}, lúc tổng hợp {expected_code})")
        if not force:
            raise WriteBackError(message + ": không ghi; hãy tổng hợp lại, hoặc dùng --force nếu vẫn muốn ghi")
        notes.append(message + "; vẫn ghi theo --force")
    edits = plan_edits(case, decisions, workbook, decision_no)
    try:
        new = patch_bytes(original, edits)
    except PatchError as exc:
        raise WriteBackError(f"{workbook.name}: {exc}") from None
    _check(new, workbook.suffix, case, decisions)
    n_members = sum(1 for d in decisions if d.kind == "member")
    n_colls = len(decisions) - n_members
    if not replace:
        return Applied(workbook, write_new_file(new, decided_name(workbook)), n_members, n_colls, notes=tuple(notes))
    backup = write_new_file(original, backup_name(workbook))
    # Replace only the bytes that were read: a save in Excel meanwhile must not be lost.
    if hashlib.sha256(workbook.read_bytes()).digest() != hashlib.sha256(original).digest():
        raise WriteBackError(f"sổ {workbook.name} vừa thay đổi trong khi ghi (đang mở trong Excel?): không thay sổ; bản sao ở {backup.name}")
    try:
        written = replace_file(new, workbook)
    except OutputFileError:
        raise
    return Applied(workbook, written, n_members, n_colls, backup=backup, notes=tuple(notes))


def write_decisions(summary: Path, workbooks=(), decision_no: str = "", replace: bool = False, force: bool = False):
    """Apply every typed decision of ``summary``; return (applied, refused) where refused lists (file, message)."""
    from .read import expand_inputs

    decisions, codes = read_decisions(summary)
    decision_no = decision_no or codes.get("", "")
    given: dict[str, list[Path]] = defaultdict(list)
    if workbooks:
        files, failures = expand_inputs(workbooks)
        if failures:
            raise WriteBackError("; ".join(f.message for f in failures))
        for f in files:
            given[norm(Path(f).name)].append(Path(f))
    by_file: dict[str, list[Decision]] = defaultdict(list)
    for d in decisions:
        by_file[d.file].append(d)
    applied, refused = [], []
    for file, items in by_file.items():
        if not file.lower().endswith((".xlsm", ".xlsx")):
            refused.append((file, f"{Path(file).name}: không phải sổ Excel; quyết định chỉ ghi được vào sổ .xlsm của chi bộ"))
            continue
        try:
            wb = _resolve(file, summary, given)
            applied.append(apply_to_workbook(wb, items, decision_no, replace, codes.get(file, ""), force))
        except (CaseFileError, OutputFileError) as exc:
            refused.append((file, str(exc)))
    return decisions, applied, refused
