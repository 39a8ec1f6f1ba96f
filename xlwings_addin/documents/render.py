"""Render the Word templates with docxtpl, convert them to PDF, and lint user-edited templates.

The renderer is a thin shell: the caller passes a context of ready-made strings (built by
the pure context builder) and gets a .docx back. It guarantees what the product promises
about documents (DESIGN.md §5): user text is escaped, text is NFC, nothing is overwritten
and a file is never left half-written.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import unicodedata
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from ..io.files import free_path, write_new_file as _write_new_file
from jinja2 import Environment, StrictUndefined
from jinja2.exceptions import TemplateSyntaxError, UndefinedError

__all__ = [
    "TemplateContextError",
    "DocumentConversionError",
    "normalize_context",
    "render_docx",
    "docx_to_pdf",
    "docx_to_pdf_many",
    "lint_template",
    "free_path",
]

# How long LibreOffice may take to start and convert one document before we give up (seconds),
# and how much longer each further document of the same call may take.
SOFFICE_TIMEOUT = 180
SOFFICE_TIMEOUT_PER_EXTRA = 60


class TemplateContextError(ValueError):
    """The template needs data the context does not provide, or the template is malformed."""


class DocumentConversionError(RuntimeError):
    """LibreOffice is missing or failed to convert a document."""


def normalize_context(value: Any) -> Any:
    """Return a copy of ``value`` with every string (keys included) in Unicode NFC.

    Text typed on macOS or pasted from some web pages arrives decomposed (NFD); Word then
    shows detached tone marks and searches fail. Dicts, lists and tuples are walked
    recursively; other values are returned unchanged.
    """
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Mapping):
        return {normalize_context(k): normalize_context(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(normalize_context(v) for v in value)
    return value


def _missing_keys_message(template_path: Path, missing: set[str]) -> str:
    keys = ", ".join(sorted(missing))
    return (f"Mẫu {template_path.name} cần các trường dữ liệu chưa có: {keys}. "
            "Hãy bổ sung dữ liệu hoặc sửa lại thẻ trong mẫu Word.")


def render_docx(template_path: str | Path, context: Mapping[str, Any], out_path: str | Path) -> Path:
    """Render ``template_path`` with ``context`` into ``out_path`` and return the path written.

    - every string in the context is NFC-normalised first;
    - docxtpl runs with ``autoescape=True`` so "&", "<" and quotes in names or notes
      cannot break the document XML;
    - variables the template uses but the context lacks raise :class:`TemplateContextError`
      listing them (also for missing attributes such as ``chair.title``);
    - an existing file is never overwritten: the result goes to ``name (2).docx`` etc.
    """
    from docxtpl import DocxTemplate  # imported late: the package imports without docxtpl

    template_path = Path(template_path)
    if not template_path.is_file():
        raise FileNotFoundError(f"Không tìm thấy mẫu Word: {template_path}")
    ctx = normalize_context(dict(context))
    tpl = DocxTemplate(str(template_path))
    # StrictUndefined turns a missing nested attribute into an error instead of an empty
    # string, so a signature block can never silently come out without a name.
    env = Environment(autoescape=True, undefined=StrictUndefined)
    try:
        missing = tpl.get_undeclared_template_variables(jinja_env=env, context=ctx)
    except TemplateSyntaxError as exc:
        raise TemplateContextError(
            f"Mẫu {template_path.name} có thẻ sai cú pháp (dòng {exc.lineno}): {exc.message}. "
            "Chạy lint_template để tìm thẻ bị tách hoặc gõ sai.") from exc
    if missing:
        raise TemplateContextError(_missing_keys_message(template_path, set(missing)))
    try:
        tpl.render(ctx, jinja_env=env, autoescape=True)
    except UndefinedError as exc:
        raise TemplateContextError(
            f"Mẫu {template_path.name} dùng một trường dữ liệu không có: {exc.message}.") from exc
    except TemplateSyntaxError as exc:
        raise TemplateContextError(
            f"Mẫu {template_path.name} có thẻ sai cú pháp (dòng {exc.lineno}): {exc.message}.") from exc
    # The template carries fixed build dates; the rendered document is new now.
    now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    props = tpl.docx.core_properties
    props.created = now
    props.modified = now
    props.comments = ""  # the template's "Mẫu docxtpl..." note does not describe the output
    buf = io.BytesIO()
    tpl.save(buf)
    return _write_new_file(buf.getvalue(), Path(out_path))


# ---------------------------------------------------------------------------
# PDF conversion
# ---------------------------------------------------------------------------


def find_soffice() -> str | None:
    """Return the LibreOffice executable, or None if it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    # Windows installs LibreOffice outside PATH by default.
    for env in ("PROGRAMFILES", "PROGRAMFILES(X86)"):
        base = os.environ.get(env)
        if base:
            candidate = Path(base) / "LibreOffice" / "program" / "soffice.exe"
            if candidate.is_file():
                return str(candidate)
    return None


def docx_to_pdf(docx_path: str | Path, out_dir: str | Path | None = None) -> Path:
    """Convert one .docx to PDF with headless LibreOffice and return the PDF path.

    See :func:`docx_to_pdf_many`, which this calls: the PDF goes next to the .docx unless
    ``out_dir`` is given, and an existing PDF is never overwritten (a numbered name is used).
    """
    return docx_to_pdf_many([docx_path], out_dir)[0]


def docx_to_pdf_many(docx_paths, out_dir: str | Path | None = None) -> list[Path]:
    """Convert several .docx files to PDF in one LibreOffice start; return the PDFs in input order.

    Starting LibreOffice costs far more than converting a document, so every document of a run
    goes to one ``soffice --convert-to pdf`` call. A throw-away LibreOffice profile is used so a
    running LibreOffice (or a locked user profile) cannot block the conversion. Each PDF goes next
    to its .docx unless ``out_dir`` is given; an existing PDF is never overwritten (a numbered name
    is used). If any document fails to convert, no PDF is written and the error names it.
    """
    paths = [Path(p) for p in docx_paths]
    if not paths:
        return []
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"Không tìm thấy tệp Word: {path}")
    soffice = find_soffice()
    if soffice is None:
        raise DocumentConversionError(
            "Không tìm thấy LibreOffice (soffice). Hãy cài LibreOffice để xuất PDF, "
            "hoặc mở tệp Word và chọn Lưu thành PDF.")
    with tempfile.TemporaryDirectory(prefix="soffice-") as work:
        work_dir = Path(work)
        profile_dir = work_dir / "profile"
        produced: dict[int, Path] = {}
        for batch_no, batch in enumerate(_batches_with_distinct_names(paths)):
            convert_dir = work_dir / f"out{batch_no}"
            cmd = [
                soffice,
                f"-env:UserInstallation={profile_dir.as_uri()}",
                "--headless", "--norestore", "--nolockcheck",
                "--convert-to", "pdf",
                "--outdir", str(convert_dir),
                # Absolute paths: a relative name starting with "-" would be read as an option.
                *(str(paths[i].resolve()) for i in batch),
            ]
            timeout = SOFFICE_TIMEOUT + SOFFICE_TIMEOUT_PER_EXTRA * (len(batch) - 1)
            names = ", ".join(paths[i].name for i in batch)
            try:
                returncode, detail = _run_soffice(cmd, timeout)
            except subprocess.TimeoutExpired as exc:
                raise DocumentConversionError(
                    f"LibreOffice không chuyển xong {names} sang PDF sau {timeout} giây.") from exc
            # soffice reports success even when one of several files fails to load: check each.
            failed = []
            for i in batch:
                pdf = convert_dir / (paths[i].stem + ".pdf")
                if pdf.is_file():
                    produced[i] = pdf
                else:
                    failed.append(paths[i].name)
            if failed:
                raise DocumentConversionError(
                    f"LibreOffice không chuyển được {', '.join(failed)} sang PDF (mã lỗi {returncode}). {detail}".strip())
        target_dir = Path(out_dir) if out_dir is not None else None
        return [_write_new_file(produced[i].read_bytes(), (target_dir or src.parent) / produced[i].name)
                for i, src in enumerate(paths)]


def _batches_with_distinct_names(paths: list[Path]) -> list[list[int]]:
    """Group indexes of ``paths`` so that no group has two files with the same name stem.

    LibreOffice names each PDF after its document in one output folder, so "a/BB.docx" and
    "b/BB.docx" in one call would overwrite each other there. Usually this is a single group.
    """
    batches: list[list[int]] = []
    seen: list[set[str]] = []
    for index, path in enumerate(paths):
        key = path.stem.casefold()  # case-insensitive file systems (Windows, macOS) clash too
        for batch, stems in zip(batches, seen):
            if key not in stems:
                batch.append(index)
                stems.add(key)
                break
        else:
            batches.append([index])
            seen.append({key})
    return batches


def _run_soffice(cmd: list[str], timeout: float) -> tuple[int, str]:
    """Run LibreOffice; return its exit code and output. Kill it (and its children) on timeout."""
    # soffice is a launcher that starts soffice.bin: on POSIX a new session lets us kill both.
    extra = {"start_new_session": True} if os.name != "nt" else {}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", errors="replace", **extra)
    try:
        out, err = proc.communicate(timeout=timeout)
    except BaseException:  # the timeout, or Ctrl+C: never leave a headless LibreOffice behind
        if os.name != "nt":
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
        proc.kill()  # on Windows this ends only the launcher (no process groups to kill there)
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            # Something it started still holds the pipes open: stop reading rather than wait for it.
            for pipe in (proc.stdout, proc.stderr):
                pipe.close()
            proc.wait()
        raise
    return proc.returncode, (err or out or "").strip()


# ---------------------------------------------------------------------------
# Template lint
# ---------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TAG_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_OPEN_RE = re.compile(r"\{\{|\{%|\{#")
_CLOSE_RE = re.compile(r"\}\}|%\}|#\}")
# "{% tr for" (a space before the docxtpl marker) is a syntax error at render time.
_SPACED_MARKER_RE = re.compile(r"\{%\s+(tr|tc|p|r)\s+(for|endfor|if|elif|else|endif)\b")
_PARTS_RE = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")


def lint_template(path: str | Path) -> list[str]:
    """Return problems in a docxtpl template (an empty list when it is clean).

    Reported, each with the part and paragraph number:

    - a tag split across runs (Word does this after spell-check or partial formatting);
      docxtpl often repairs it, but a split tag is the first suspect when a render fails;
    - a tag opened but not closed in the same paragraph;
    - ``{% tr for ...`` written with a space, which docxtpl does not recognise.
    """
    from lxml import etree

    path = Path(path)
    problems: list[str] = []
    with zipfile.ZipFile(path) as zf:
        names = sorted(n for n in zf.namelist() if _PARTS_RE.match(n))
        for name in names:
            root = etree.fromstring(zf.read(name))
            for index, para in enumerate(root.iter(f"{_W}p"), start=1):
                runs = []
                for run in para.iter(f"{_W}r"):
                    text = "".join(t.text or "" for t in run.iter(f"{_W}t"))
                    runs.append(text)
                joined = "".join(runs)
                if not _OPEN_RE.search(joined) and not _CLOSE_RE.search(joined):
                    continue
                where = f"{name}, đoạn {index}"
                # Map each character of the paragraph to its run.
                owner = []
                for run_no, text in enumerate(runs):
                    owner.extend([run_no] * len(text))
                covered = [False] * len(joined)
                for m in _TAG_RE.finditer(joined):
                    covered[m.start():m.end()] = [True] * (m.end() - m.start())
                    if owner[m.start()] != owner[m.end() - 1]:
                        problems.append(f"{where}: thẻ {m.group(0)!r} bị tách thành nhiều đoạn định dạng (run); "
                                        "hãy xóa và gõ lại cả thẻ một lần.")
                    if _SPACED_MARKER_RE.match(m.group(0)):
                        problems.append(f"{where}: thẻ {m.group(0)!r} có dấu cách sau '{{%'; "
                                        "viết liền, ví dụ '{%tr for ... %}'.")
                for m in list(_OPEN_RE.finditer(joined)) + list(_CLOSE_RE.finditer(joined)):
                    if not covered[m.start()]:
                        snippet = joined[max(0, m.start() - 15): m.end() + 15]
                        problems.append(f"{where}: dấu '{m.group(0)}' không có cặp đóng/mở trong cùng đoạn "
                                        f"(…{snippet}…).")
    return problems
