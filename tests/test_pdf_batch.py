"""PDF export in one LibreOffice start: every document of a run converted by one soffice call, each
PDF beside its document (or in the folder asked for), never overwriting, and clear Vietnamese
errors when LibreOffice fails, hangs or is missing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casebuilder import EXAMPLE
from xlwings_addin.engine import compute
from xlwings_addin.documents import render
from xlwings_addin.documents.export import export_many
from xlwings_addin.documents.render import DocumentConversionError, docx_to_pdf_many, find_soffice
from xlwings_addin.io.casefile import read_case

needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")


@pytest.fixture
def soffice_calls(monkeypatch):
    """Record every LibreOffice start (the command line) while still running it for real."""
    calls: list[list[str]] = []
    real = render._run_soffice

    def counting(cmd, timeout):
        calls.append(cmd)
        return real(cmd, timeout)

    monkeypatch.setattr(render, "_run_soffice", counting)
    return calls


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.mark.libreoffice
@needs_soffice
def test_the_demo_converts_all_its_documents_in_one_libreoffice_start(tmp_path, soffice_calls, capsys):
    from xlwings_addin.demo import run_demo

    assert run_demo(tmp_path, pdf=True) == 0
    assert len(soffice_calls) == 1
    stems = ("Biên bản hội nghị năm 2023", "Biên bản kiểm phiếu năm 2023", "Phiếu đánh giá năm 2023",
             "Trích biên bản năm 2023", "Báo cáo kết quả năm 2023")
    assert sum(arg.endswith(".docx") for arg in soffice_calls[0]) == len(stems)
    stdout = capsys.readouterr().out
    for stem in stems:
        pdf = tmp_path / f"{stem}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF") and str(pdf) in stdout
    # The master ballots: one page of members, one sheet of collectives ballots (not one per voter).
    assert pdf_pages(tmp_path / "Phiếu đánh giá năm 2023.pdf") == 2
    assert pdf_pages(tmp_path / "Biên bản hội nghị năm 2023.pdf") > pdf_pages(tmp_path / "Trích biên bản năm 2023.pdf")


@pytest.mark.libreoffice
@needs_soffice
def test_a_damaged_document_among_good_ones_is_named_and_no_pdf_is_written(tmp_path):
    import zipfile

    case = read_case(EXAMPLE)
    [(good, _)] = export_many([("count-minutes", tmp_path / "KP.docx")], case, compute(case))
    broken = tmp_path / "hỏng.docx"
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("word/document.xml", "<not xml")
    # LibreOffice exits with 0 here and simply skips the file it cannot load.
    with pytest.raises(DocumentConversionError) as exc:
        docx_to_pdf_many([good, broken])
    assert "hỏng.docx" in str(exc.value) and "không chuyển được" in str(exc.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["KP.docx", "hỏng.docx"]


# --------------------------------------------------------------------------- without LibreOffice


def test_an_empty_batch_starts_nothing(monkeypatch):
    monkeypatch.setattr(render, "_run_soffice", lambda *a: pytest.fail("LibreOffice started"))
    assert docx_to_pdf_many([]) == []


def test_documents_with_the_same_name_go_to_separate_calls():
    paths = [Path("a/BB.docx"), Path("b/BB.docx"), Path("a/KP.docx"), Path("c/bb.docx")]
    assert render._batches_with_distinct_names(paths) == [[0, 2], [1], [3]]
    assert render._batches_with_distinct_names([Path("x.docx"), Path("y.docx")]) == [[0, 1]]


def _fake_docs(tmp_path: Path, *names: str) -> list[Path]:
    paths = []
    for name in names:
        p = tmp_path / name
        p.write_bytes(b"PK not really a document")
        paths.append(p)
    return paths


def _fake_soffice(monkeypatch, convert=lambda name: True, returncode=0):
    """Stand in for LibreOffice: write a PDF for each input ``convert`` accepts."""
    monkeypatch.setattr(render, "find_soffice", lambda: "soffice")

    def fake(cmd, timeout):
        out = Path(cmd[cmd.index("--outdir") + 1])
        out.mkdir(parents=True, exist_ok=True)
        for arg in cmd:
            if arg.endswith(".docx") and convert(Path(arg).name):
                (out / (Path(arg).stem + ".pdf")).write_bytes(b"%PDF-1.7 " + Path(arg).name.encode())
        return returncode, "Error: source file could not be loaded"

    monkeypatch.setattr(render, "_run_soffice", fake)


def test_a_batch_never_overwrites_and_can_write_elsewhere(tmp_path, monkeypatch):
    docs = _fake_docs(tmp_path, "A.docx", "B.docx")
    _fake_soffice(monkeypatch)
    pdf_dir = tmp_path / "pdf"
    pdf_dir.mkdir()
    (pdf_dir / "A.pdf").write_bytes(b"the signed scan")
    pdfs = docx_to_pdf_many(docs, pdf_dir)
    assert [p.name for p in pdfs] == ["A (2).pdf", "B.pdf"]
    assert (pdf_dir / "A.pdf").read_bytes() == b"the signed scan"
    assert [p.read_bytes() for p in pdfs] == [b"%PDF-1.7 A.docx", b"%PDF-1.7 B.docx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.docx", "B.docx", "pdf"]


def test_one_failed_document_writes_no_pdf_and_names_it(tmp_path, monkeypatch):
    docs = _fake_docs(tmp_path, "BB.docx", "KP.docx", "Phiếu.docx")
    _fake_soffice(monkeypatch, convert=lambda name: name != "KP.docx")
    with pytest.raises(DocumentConversionError) as exc:
        docx_to_pdf_many(docs)
    assert "KP.docx" in str(exc.value) and "không chuyển được" in str(exc.value)
    assert "BB.docx" not in str(exc.value).split("(")[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["BB.docx", "KP.docx", "Phiếu.docx"]


def test_the_pdfs_come_back_in_input_order_next_to_each_document(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    docs = _fake_docs(tmp_path, "a/BB.docx", "b/BB.docx", "a/KP.docx")
    _fake_soffice(monkeypatch)
    pdfs = docx_to_pdf_many(docs)
    assert pdfs == [tmp_path / "a" / "BB.pdf", tmp_path / "b" / "BB.pdf", tmp_path / "a" / "KP.pdf"]
    assert [p.read_bytes() for p in pdfs] == [b"%PDF-1.7 BB.docx", b"%PDF-1.7 BB.docx", b"%PDF-1.7 KP.docx"]


def test_a_hanging_libreoffice_is_reported_in_vietnamese(tmp_path, monkeypatch):
    docs = _fake_docs(tmp_path, "BB.docx", "KP.docx")
    monkeypatch.setattr(render, "find_soffice", lambda: "soffice")

    def hang(cmd, timeout):
        raise subprocess.TimeoutExpired(cmd, timeout)

    monkeypatch.setattr(render, "_run_soffice", hang)
    with pytest.raises(DocumentConversionError, match=r"không chuyển xong BB\.docx, KP\.docx sang PDF sau \d+ giây"):
        docx_to_pdf_many(docs)


def test_a_missing_document_or_libreoffice_is_explained(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="Không tìm thấy tệp Word"):
        docx_to_pdf_many([tmp_path / "none.docx"])
    monkeypatch.setattr(render, "find_soffice", lambda: None)
    with pytest.raises(DocumentConversionError, match="Không tìm thấy LibreOffice"):
        docx_to_pdf_many(_fake_docs(tmp_path, "BB.docx"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups, checked through /proc")
def test_a_timeout_kills_the_launcher_and_what_it_started(tmp_path):
    # soffice is a launcher that starts soffice.bin; a stand-in launcher starts a sleeping child.
    pid_file = tmp_path / "child.pid"
    script = ("import subprocess, sys, time; "
              "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
              f"open({str(pid_file)!r}, 'w').write(str(c.pid)); time.sleep(60)")
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        render._run_soffice([sys.executable, "-c", script], timeout=1.5)
    assert time.monotonic() - started < 10
    child = int(pid_file.read_text())
    for _ in range(100):  # the child is reaped by init shortly after the kill
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{child}/stat") as fh:
            if fh.read().split(")")[-1].split()[0] == "Z":
                break
        time.sleep(0.05)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the launcher's child survived the timeout")
