"""Read the inputs of an aggregation (I/O): workbooks, case files, chi bộ summary tables, folders of them.

Each input is read and recomputed in a worker process (``ProcessPoolExecutor``), which sends back a
small ``CellRecord`` (never the engine's objects: less to pickle). One process is used when there is
one core or one file, or when the pool cannot start. A file that cannot be read becomes a
``ReadFailure`` naming it; the others are still read.
"""

from __future__ import annotations

import html
import os
import re
import zipfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Optional, Union

from ..core.levels import Level
from ..core.models import Case
from ..io import schema as S
from ..io.casefile import CaseFileError
from . import columns as C
from .model import CellRecord, CollectiveRow, MemberRow, ReadFailure, norm

INPUT_SUFFIXES = (".xlsm", ".xlsx", ".json")
_SHEET_NAME = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"')
_CELL_REF = re.compile(r"^[^!]+!\$?[A-Z]{1,3}\$?(\d+)$")


class Skipped(ReadFailure):
    """A file in a folder that is not a chi bộ's input (our own summary workbook): left out, said as a note."""


# --------------------------------------------------------------------------- finding the files


def _is_temp(name: str) -> bool:
    # Excel's lock files (~$Book.xlsm) and our own temporary files are never inputs.
    return name.startswith(("~$", ".~")) or name.startswith(".")


def expand_inputs(paths: Iterable[Union[str, os.PathLike]]) -> tuple[list[str], list[ReadFailure]]:
    """The files named, and the input files inside the folders named (sorted, recursively)."""
    files, failures, seen = [], [], set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in INPUT_SUFFIXES and not _is_temp(q.name))
            if not found:
                failures.append(ReadFailure(str(p), f"thư mục {p.name} không có sổ Excel (.xlsm, .xlsx) hay tệp hồ sơ (.json) nào"))
            candidates = [str(q) for q in found]
        elif p.exists():
            candidates = [str(p)]
        else:
            failures.append(ReadFailure(str(p), f"không tìm thấy tệp hoặc thư mục {p.name}"))
            continue
        for c in candidates:
            key = os.path.normcase(os.path.abspath(c))
            if key not in seen:
                seen.add(key)
                files.append(c)
    return files, failures


# --------------------------------------------------------------------------- one input


def _sheet_names(path: Path) -> list[str]:
    """The sheet names from xl/workbook.xml, without loading the workbook (a millisecond)."""
    try:
        with zipfile.ZipFile(path) as z:
            data = z.read("xl/workbook.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return []
    return [html.unescape(m.decode("utf-8", "replace")) for m in _SHEET_NAME.findall(data)]


def _row_of(where: str) -> Optional[int]:
    m = _CELL_REF.match(where or "")
    return int(m.group(1)) if m else None


def _iso(d) -> str:
    if isinstance(d, datetime):
        d = d.date()
    return d.isoformat() if isinstance(d, date) else ""


def _code(level) -> str:
    return level.code if level is not None else ""


def _share(r) -> Optional[Fraction]:
    if r.vote_form in ("grid", "tally") and r.base:
        return Fraction(r.votes_for(Level.HTXSNV), r.base)
    return None


def undecided(case: Case) -> Case:
    """The case with the committee's decisions left out: what the minutes' data code was computed on."""
    members = tuple(replace(m, decided_level=None, decision_ref="", rerank_level=None, rerank_ref="") for m in case.members)
    cell = replace(case.party_cell, decided_level=None, decision_ref="")
    others = tuple(replace(c, decided_level=None, decision_ref="") for c in case.collectives)
    return replace(case, members=members, party_cell=cell, collectives=others)


def _undecided_fingerprint(case: Case, computed: str) -> str:
    """The data code of the case without the committee's decisions (what the signed minutes carry).

    Before any decision is typed that is the code just computed: the second computation (about a
    quarter of the engine's time on a chi bộ) is only needed once decisions are in the workbook.
    """
    from ..core.fingerprint import fingerprint

    plain = undecided(case)
    return computed if computed and plain == case else fingerprint(plain)


def record_from(case: Case, result, file: str, source: str) -> CellRecord:
    """The committee's view of one computed chi bộ."""
    from ..core.findings import Severity

    by_name = {m.name: m for m in case.members}
    members = []
    for r in result.members:
        m = by_name.get(r.name)
        note = r.note
        members.append(MemberRow(
            name=r.name, member_id=m.member_id if m else "", admission_date=_iso(m.admission_date) if m else "",
            membership=r.membership, role=r.role, group=r.group if result.uses_scores else "", reviewed=r.reviewed,
            not_reviewed_reason=r.not_reviewed_reason, proposed=_code(r.proposed_level), score=r.score,
            results_score=r.results_score, htxs_share=_share(r), self_level=_code(r.self_level), self_score=r.self_score,
            civil_service_level=_code(m.civil_service_level) if m else "", decided=_code(r.decided_level),
            decision_ref=m.decision_ref if m else "", row=_row_of(r.where) if source == "workbook" else None, where=r.where,
            note=note,
        ))
    collectives = []
    if result.party_cell is not None:
        p = result.party_cell
        collectives.append(CollectiveRow(
            kind="chi_bo", kind_label="Chi bộ", name=case.meeting.party_cell, proposed=_code(p.proposed_level), score=p.score,
            results_score=p.results_score, htxs_share=_share(p), decided=_code(p.decided_level),
            decision_ref=case.party_cell.decision_ref, decider=result.decider,
            row=S.COLL_FIRST_ROW + 1 if source == "workbook" else None, reviewed=p.reviewed))
    by_coll = {c.name: c for c in case.collectives}
    for cr in result.collectives:
        s = cr.subject
        src = by_coll.get(s.name)
        collectives.append(CollectiveRow(
            kind=cr.kind, kind_label=s.kind_label, name=s.name, proposed=_code(s.proposed_level), score=s.score,
            results_score=s.results_score, htxs_share=_share(s), decided=_code(s.decided_level),
            decision_ref=src.decision_ref if src else "", decider=s.decider,
            row=_row_of(s.where) if source == "workbook" else None, reviewed=s.reviewed))
    errors = tuple((f.code, f.message, f.where) for f in result.findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in result.findings if f.severity is Severity.WARNING)
    meeting = case.meeting
    if source == "workbook":
        year_where = S.where(S.SHEET_MEETING, S.MEETING_FIELD_ROWS["review_year"], 2)
        rules_where = S.where(S.SHEET_MEETING, S.MEETING_FIELD_ROWS["rules_id"], 2)
    else:
        year_where, rules_where = "meeting.review_year", "rules.id"
    return CellRecord(
        file=file, source=source, party_cell=meeting.party_cell, review_year=result.review_year, rules_id=result.rules_id,
        rules_title=result.rules_title, uses_scores=result.uses_scores, upper_body=meeting.upper_body,
        upper_committee=meeting.upper_committee, locality=meeting.locality, fingerprint=result.fingerprint,
        fingerprint_undecided=_undecided_fingerprint(case, result.fingerprint), members=tuple(members), collectives=tuple(collectives),
        errors=errors, warnings=warnings, exceptional_unit_approved=case.party_cell.exceptional_unit_approved,
        score_sheet=S.SHEET_SCORES if result.uses_scores else S.SHEET_CRITERIA, year_where=year_where, rules_where=rules_where,
    )


def _number(v) -> Optional[Fraction]:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return Fraction(str(v))
    text = str(v).strip().replace(".", "").replace(",", ".") if "," in str(v) else str(v).strip()
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError(v) from None


def cell_text(v) -> str:
    """A cell's value as trimmed text ("" for empty; 12.0 as "12")."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def parse_date_text(text: str) -> str:
    """An ISO date from "05/12/2001" or "2001-12-05" ("" when it is neither)."""
    text = (text or "").strip()
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
        return date.fromisoformat(text[:10]).isoformat() if text else ""
    except ValueError:
        return ""


def _level_code(v, where: str, file: str) -> str:
    text = cell_text(v)
    if not text:
        return ""
    try:
        return Level.from_code(text).code
    except ValueError:
        raise CaseFileError(f"'{text}' không phải mức xếp loại (HTXSNV, HTTNV, HTNV, KHTNV)", where) from None


def find_summary_sheet(names: list[str], rows_of) -> Optional[str]:
    """The sheet that holds a chi bộ's summary list: "Tổng hợp", else a sheet whose row 2 starts with the meta keys."""
    ordered = ([S.SHEET_SUMMARY] if S.SHEET_SUMMARY in names else []) + [n for n in names if n != S.SHEET_SUMMARY]
    for name in ordered:
        rows = rows_of(name)
        if len(rows) > S.SUMMARY_META_ROW and rows[S.SUMMARY_META_ROW] and cell_text(rows[S.SUMMARY_META_ROW][0]) == S.SUMMARY_META_KEYS[0]:
            return name
    return None


def read_summary_table(path: Path, file: str) -> CellRecord:
    """A chi bộ's "Tổng hợp" sheet (or an .xlsx exported from it): its rows as written, not recomputed."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise CaseFileError(f"sổ Excel {path.name} bị hỏng, không đọc được ({type(exc).__name__})") from None
    cache: dict = {}

    def rows_of(name):
        if name not in cache:
            try:
                cache[name] = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception:
                cache[name] = []
        return cache[name]

    sheet = find_summary_sheet(wb.sheet_names, rows_of)
    if sheet is None:
        if C.SHEET_INFO in wb.sheet_names and C.SHEET_MEMBERS in wb.sheet_names:
            raise _SkipThis(f"{path.name} là bảng tổng hợp của cấp ủy (kết quả của lệnh aggregate), không phải của một chi bộ: bỏ qua")
        raise CaseFileError(f"{path.name} không phải sổ của chi bộ (không có sheet \"{S.SHEET_MEETING}\") và không có bảng "
                            f"\"{S.SHEET_SUMMARY}\" (dòng 2 bắt đầu bằng '{S.SUMMARY_META_KEYS[0]}')")
    rows = rows_of(sheet)
    meta_row = rows[S.SUMMARY_META_ROW]
    meta = {cell_text(meta_row[i]): meta_row[i + 1] if i + 1 < len(meta_row) else None for i in range(0, len(meta_row) - 1, 2)}
    header = [cell_text(v) for v in (rows[S.SUMMARY_HEADER_ROW] if len(rows) > S.SUMMARY_HEADER_ROW else [])]
    missing = [h for h in S.SUMMARY_HEADERS if h not in header]
    if missing:
        raise CaseFileError(f"bảng tổng hợp thiếu cột: {', '.join(missing)}", f"{sheet}!A{S.SUMMARY_HEADER_ROW + 1}")
    col = {k: header.index(h) for k, h in zip(S.SUMMARY_KEYS, S.SUMMARY_HEADERS)}
    try:
        year = int(_number(meta.get("year")))
    except (TypeError, ValueError):
        raise CaseFileError("bảng tổng hợp không ghi năm đánh giá", f"{sheet}!A{S.SUMMARY_META_ROW + 1}") from None
    rules_id = cell_text(meta.get("rules"))
    uses_scores = year >= 2025 if not rules_id else "366" in rules_id
    members = []
    for i in range(S.SUMMARY_FIRST_ROW, len(rows)):
        row = list(rows[i]) + [None] * len(header)
        name = cell_text(row[col["name"]])
        if not name:
            continue
        excel_row = i + 1

        def at(key):
            return f"{sheet}!{S.col(col[key])}{excel_row}"

        note = cell_text(row[col["note"]])
        reviewed = not note.startswith("Không đánh giá")
        try:
            score, self_score = _number(row[col["score"]]), _number(row[col["self_score"]])
        except ValueError as exc:
            raise CaseFileError(f"điểm '{exc.args[0]}' không phải số", at("score")) from None
        members.append(MemberRow(
            name=name, member_id=cell_text(row[col["member_id"]]), membership=cell_text(row[col["membership"]]),
            role=cell_text(row[col["role"]]), group=cell_text(row[col["group"]]).upper() if uses_scores else "", reviewed=reviewed,
            not_reviewed_reason=note.split(";")[0].partition(":")[2].strip() if not reviewed else "",
            proposed=_level_code(row[col["proposed_level"]], at("proposed_level"), file), score=score,
            self_level=_level_code(row[col["self_level"]], at("self_level"), file), self_score=self_score,
            civil_service_level=_level_code(row[col["civil_service_level"]], at("civil_service_level"), file),
            decided=_level_code(row[col["decided_level"]], at("decided_level"), file), where=at("name"), note=note,
        ))
    cell = cell_text(meta.get("chi_bo")) or path.stem
    where_meta = f"{sheet}!A{S.SUMMARY_META_ROW + 1}"
    return CellRecord(file=file, source="summary", party_cell=cell, review_year=year, rules_id=rules_id, uses_scores=uses_scores,
                      upper_committee=cell_text(meta.get("upper_committee")), fingerprint=cell_text(meta.get("fingerprint")),
                      fingerprint_undecided=cell_text(meta.get("fingerprint")), members=tuple(members),
                      year_where=where_meta, rules_where=where_meta)


class _SkipThis(Exception):
    pass


def read_one(file: str) -> Union[CellRecord, ReadFailure]:
    """Read and recompute one input; every failure becomes a ``ReadFailure`` with a Vietnamese message."""
    from ..engine import RulesError, compute
    from ..io.load import load_case
    from ..io.tables import WorkbookError

    path = Path(file)
    try:
        suffix = path.suffix.lower()
        if suffix == ".json":
            case = load_case(path)
            return record_from(case, compute(case), file, "case")
        if suffix in (".xlsm", ".xlsx"):
            names = _sheet_names(path)
            if names and S.SHEET_MEETING not in names:
                return read_summary_table(path, file)
            case = load_case(path)
            return record_from(case, compute(case), file, "workbook")
        return ReadFailure(file, f"không nhận ra loại tệp {path.name} (cần .xlsm, .xlsx hoặc .json)")
    except _SkipThis as exc:
        return Skipped(file, str(exc))
    except WorkbookError as exc:
        where = exc.problems[0][0] if exc.problems else ""
        first = "; ".join(f"{w}: {m}" for w, m in exc.problems[:3])
        more = f" (và {len(exc.problems) - 3} lỗi khác)" if len(exc.problems) > 3 else ""
        return ReadFailure(file, f"sổ {path.name} có dữ liệu chưa hợp lệ: {first}{more}", where)
    except CaseFileError as exc:
        return ReadFailure(file, exc.message if exc.message.find(path.name) >= 0 else f"{path.name}: {exc.message}", exc.where)
    except RulesError as exc:
        return ReadFailure(file, f"{path.name}: {exc}")
    except (OSError, ValueError) as exc:
        return ReadFailure(file, f"{path.name}: không đọc được ({type(exc).__name__}: {exc})")
    except Exception as exc:  # a damaged file must never stop the others
        return ReadFailure(file, f"{path.name}: lỗi không mong đợi khi đọc ({type(exc).__name__})")


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def read_all(files: list[str], workers: Optional[int] = None) -> list[Union[CellRecord, ReadFailure]]:
    """Read every input, in parallel on all cores (one process for one core or one file); input order kept."""
    n = workers or cpu_count()
    n = max(1, min(n, len(files)))
    if n == 1:
        return [read_one(f) for f in files]
    # Loading the engine and the readers here first: forked workers inherit them instead of importing.
    from .. import engine  # noqa: F401
    from ..io import load, workbook  # noqa: F401

    out: list = [None] * len(files)
    chunk = max(1, min(16, len(files) // (n * 4)))
    try:
        with ProcessPoolExecutor(max_workers=n) as ex:
            for i, rec in enumerate(ex.map(read_one, files, chunksize=chunk)):
                out[i] = rec
    except (BrokenProcessPool, OSError, RuntimeError):
        # The pool could not start or a worker died (out of memory, killed): finish in this process.
        pass
    return [rec if rec is not None else read_one(f) for rec, f in zip(out, files)]


# --------------------------------------------------------------------------- the committee's lists


def _table_rows(path: Path) -> list[list]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        import csv

        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise CaseFileError(f"{path.name} không phải văn bản UTF-8: hãy lưu lại dạng CSV UTF-8") from None
        sample = text[:2000]
        delim = ";" if sample.count(";") > sample.count(",") else ","
        return [row for row in csv.reader(text.splitlines(), delimiter=delim)]
    if suffix in (".xlsx", ".xlsm"):
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        return wb.get_sheet_by_index(0).to_python()
    if suffix == ".json":
        import json

        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return [[k, v] for k, v in data.items()]
        return [[d.get("chi_bo", ""), d.get("fingerprint", "")] if isinstance(d, dict) else [d] for d in data]
    raise CaseFileError(f"danh sách chi bộ {path.name} cần là .csv, .xlsx hoặc .json")


def read_expected(path: Union[str, os.PathLike]) -> dict[str, tuple[str, str]]:
    """The committee's list of chi bộ that must report, with the data code on each signed minutes (optional).

    Columns: chi bộ (name, or the file name), then the code; a first row of headers is recognised.
    """
    p = Path(path)
    try:
        rows = _table_rows(p)
    except CaseFileError:
        raise
    except FileNotFoundError:
        raise CaseFileError(f"không tìm thấy danh sách chi bộ {p.name}") from None
    except Exception as exc:
        raise CaseFileError(f"không đọc được danh sách chi bộ {p.name} ({type(exc).__name__})") from None
    out: dict[str, tuple[str, str]] = {}
    for i, row in enumerate(rows):
        cells = [cell_text(v) for v in row] + ["", ""]
        name, code = cells[0], cells[1]
        if not name:
            continue
        if i == 0 and norm(name) in ("chi bộ", "chi bo", "tên chi bộ", "chi_bo"):
            continue
        out[norm(name)] = (name, code)
    return out


def read_previous(paths: Iterable[Union[str, os.PathLike]]):
    """Earlier years' members and levels, from earlier summary workbooks of this command."""
    import pandas as pd

    from .history import PastRow

    rows = []
    for raw in paths:
        p = Path(raw)
        try:
            df = pd.read_excel(p, sheet_name=C.SHEET_MEMBERS, engine="calamine", dtype=object)
        except FileNotFoundError:
            raise CaseFileError(f"không tìm thấy bảng tổng hợp năm trước {p.name}") from None
        except ValueError:
            raise CaseFileError(f"{p.name} không có sheet \"{C.SHEET_MEMBERS}\": cần bảng tổng hợp do lệnh aggregate tạo") from None
        except Exception as exc:
            raise CaseFileError(f"không đọc được bảng tổng hợp năm trước {p.name} ({type(exc).__name__})") from None
        h = {k: C.header_of(C.MEMBER_COLUMNS, k) for k in ("year", "cell", "name", "member_id", "admission_date", "proposed", "decided")}
        missing = [v for v in h.values() if v not in df.columns]
        if missing:
            raise CaseFileError(f"bảng tổng hợp {p.name} thiếu cột: {', '.join(missing)}", C.SHEET_MEMBERS)
        for rec in df.to_dict("records"):
            name = cell_text(rec[h["name"]]) if rec[h["name"]] == rec[h["name"]] else ""
            if not name:
                continue
            try:
                year = int(float(rec[h["year"]]))
            except (TypeError, ValueError):
                continue

            def val(k):
                v = rec[h[k]]
                return "" if v is None or v != v else cell_text(v)

            decided = val("decided")
            level = decided or val("proposed")
            try:
                level = Level.from_code(level).code if level else ""
            except ValueError:
                level = ""
            adm = rec[h["admission_date"]]
            adm = _iso(adm) if isinstance(adm, (date, datetime)) else parse_date_text(val("admission_date"))
            rows.append(PastRow(year=year, cell=val("cell"), name=name, member_id=val("member_id"), admission_date=adm,
                                level=level, decided=bool(decided)))
    return rows
