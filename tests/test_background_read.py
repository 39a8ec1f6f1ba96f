"""The file reader parses the member ballot grid in a thread (calamine releases the GIL) while it
reads the other blocks and converts the members' part; what it gives, and what it refuses, is what
the read block after block gives.

Every comparison is between the two real paths on real files: with the background read, and with
it switched off (``workbook._BACKGROUND`` emptied), which is the read in turn.
"""

from __future__ import annotations

import threading
import zipfile

import pytest

from casebuilder import EXAMPLE
from test_workbook_macro import big_case
from xlwings_addin.engine import compute
from xlwings_addin.excel.template import build_workbook
from xlwings_addin.io import schema as S
from xlwings_addin.io import workbook as W
from xlwings_addin.io.casefile import read_case
from xlwings_addin.io.errors import CaseFileError
from xlwings_addin.io.load import load_case
from xlwings_addin.io.tables import EARLY_BLOCKS, case_from_tables


@pytest.fixture(scope="module")
def big_book(tmp_path_factory):
    # 120 x 40 marks: past the front-read limit, so the grid is read by calamine, in the background.
    return build_workbook(tmp_path_factory.mktemp("bg") / "big.xlsm", big_case(120, 40), None)


@pytest.fixture(scope="module")
def seed_book(tmp_path_factory):
    return build_workbook(tmp_path_factory.mktemp("bg") / "seed.xlsm", read_case(EXAMPLE), None)


def _threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("calamine")]


def _read(path, monkeypatch, background: bool, prefix: bool = True):
    started = []
    real = W._SheetRead.__init__

    def counting(self, path_, sheet):
        started.append(sheet)
        real(self, path_, sheet)

    with monkeypatch.context() as m:
        m.setattr(W._SheetRead, "__init__", counting)
        if not background:
            m.setattr(W, "_BACKGROUND", ())
        if not prefix:
            m.setattr(W, "_PREFIX_CELLS", 0)
        tables = W.read_tables(path)
    return tables, started


@pytest.mark.parametrize("prefix", [True, False], ids=["front-read", "all-calamine"])
def test_the_background_read_gives_the_tables_of_the_read_in_turn(big_book, monkeypatch, prefix):
    background, started = _read(big_book, monkeypatch, True, prefix)
    in_turn, none = _read(big_book, monkeypatch, False, prefix)
    assert started == [S.SHEET_GRID] and none == []
    assert background == in_turn
    assert compute(case_from_tables(background)).to_dict() == compute(case_from_tables(in_turn)).to_dict()
    assert _threads() == []  # joined before the read returned


def test_a_small_grid_is_read_from_the_front_without_a_thread(seed_book, monkeypatch):
    tables, started = _read(seed_book, monkeypatch, True)
    assert started == []
    assert tables == _read(seed_book, monkeypatch, False)[0]


def test_read_workbook_converts_the_same_case(big_book, monkeypatch):
    calls = []
    case = W.read_workbook(big_book, meanwhile=lambda: calls.append(1))
    assert calls == [1]
    with monkeypatch.context() as m:
        m.setattr(W, "_BACKGROUND", ())
        assert case == case_from_tables(W.read_tables(big_book))


def test_early_is_given_the_members_blocks_complete(big_book):
    seen = []
    final = W.read_tables(big_book, early=seen.append)
    assert len(seen) == 1
    for key in EARLY_BLOCKS:
        assert getattr(seen[0], key) == getattr(final, key)
    assert seen[0].grid == []  # still being parsed when ``early`` ran


def test_meanwhile_runs_once_for_a_case_file_too(tmp_path):
    calls = []
    case = load_case(EXAMPLE, meanwhile=lambda: calls.append(1))
    assert calls == [1] and case == read_case(EXAMPLE)


def _damaged(src, dst, sheet: str, old: bytes, new: bytes):
    part = W.inspect(src, {sheet: (10 ** 6, 10 ** 4)}, frozenset({sheet})).sheets[sheet].part
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            data = zi.read(info.filename)
            if info.filename == part:
                assert old in data
                data = data.replace(old, new, 1)
            zo.writestr(info, data)
    return dst


def test_a_damaged_grid_is_refused_as_in_turn_and_no_thread_is_left(big_book, tmp_path, monkeypatch):
    # XML the guard lets through (every cell plain and near) but calamine cannot parse.
    bad = _damaged(big_book, tmp_path / "bad.xlsm", S.SHEET_GRID, b"</sheetData>", b"")
    with pytest.raises(CaseFileError) as background:
        W.read_tables(bad)
    assert _threads() == []
    with monkeypatch.context() as m:
        m.setattr(W, "_BACKGROUND", ())
        with pytest.raises(CaseFileError) as in_turn:
            W.read_tables(bad)
    assert str(background.value) == str(in_turn.value)
    assert f'sheet "{S.SHEET_GRID}" bị hỏng' in str(background.value)


def test_an_earlier_blocks_error_is_the_one_said(big_book, tmp_path, monkeypatch):
    # Both the roster and the grid damaged: the grid is dispatched first, the roster's error is said
    # first, as when the blocks are read in turn.
    bad = _damaged(big_book, tmp_path / "bad1.xlsm", S.SHEET_GRID, b"</sheetData>", b"")
    bad = _damaged(bad, tmp_path / "bad2.xlsm", S.SHEET_ROSTER, b"</sheetData>", b"")
    with monkeypatch.context() as m:
        m.setattr(W, "_PREFIX_CELLS", 0)  # the roster read by calamine too
        with pytest.raises(CaseFileError) as background:
            W.read_tables(bad)
        m.setattr(W, "_BACKGROUND", ())
        with pytest.raises(CaseFileError) as in_turn:
            W.read_tables(bad)
    assert str(background.value) == str(in_turn.value)
    assert f'sheet "{S.SHEET_ROSTER}"' in str(background.value)
    assert _threads() == []
