"""The command line builds only the parser of the command being run; it must behave as the full one."""

from __future__ import annotations

import argparse

import pytest

from xlwings_addin.cli import build_parser


def _commands(parser: argparse.ArgumentParser) -> dict:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


FULL = _commands(build_parser())


def test_every_command_is_built_on_its_own():
    assert len(FULL) >= 12
    for name, full in FULL.items():
        alone = _commands(build_parser(name))
        assert list(alone) == [name]
        assert alone[name].format_help() == full.format_help()
        assert [a.dest for a in alone[name]._actions] == [a.dest for a in full._actions]


@pytest.mark.parametrize("argv", [["compute", "a.xlsm"], ["compute", "a.json", "--json", "--indent", "2"],
                                  ["minutes", "a.xlsm", "--out", "b.docx", "--pdf"], ["ballots", "a.xlsm", "--out", "b.docx", "--copies"],
                                  ["demo", "--year", "2026"], ["aggregate", "x", "y", "--out", "t.xlsx", "--ratio", "25"],
                                  ["write-decisions", "t.xlsx", "--replace"]])
def test_the_same_arguments_parse_to_the_same_values(argv):
    full = vars(build_parser().parse_args(argv))
    alone = vars(build_parser(argv[0]).parse_args(argv))
    assert {k: v for k, v in alone.items() if k != "func"} == {k: v for k, v in full.items() if k != "func"}
    assert alone["func"].__name__ == full["func"].__name__


def test_an_unknown_command_gets_the_full_parser_and_its_message(capsys):
    parser = build_parser("comptue")
    assert set(_commands(parser)) == set(FULL)
    with pytest.raises(SystemExit):
        parser.parse_args(["comptue", "a.xlsm"])
    assert "compute" in capsys.readouterr().err  # argparse lists the commands there are
