"""The built-in example (the seed meeting) through the CLI, and bad case files."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import date

import pytest

from casebuilder import EXAMPLE
from xlwings_addin.engine import compute
from xlwings_addin.io.casefile import CaseFileError, case_from_dict, case_to_dict, read_case


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "xlwings_addin", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd)


@pytest.fixture(scope="module")
def example_json():
    proc = run_cli("compute", EXAMPLE, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_example_reproduces_the_seed_meeting(example_json):
    r = example_json
    assert r["rules"]["id"] == "QD124-2023"
    assert r["summary"]["HTXSNV"] == 4 and r["summary"]["HTTNV"] == 18
    assert r["summary"]["not_reviewed"] == []
    assert len(r["members"]) == 22 and all(m["reviewed"] for m in r["members"])
    assert r["party_cell"]["proposed_level"] == "HTTNV"
    assert r["party_cell"]["votes"] == {"HTXSNV": 0, "HTTNV": 22, "HTNV": 0, "KHTNV": 0}
    assert r["quota"]["exceeded"] is True and r["quota"]["limit"] == 3 and r["quota"]["proposed"] == 4


def test_example_explains_the_quota_with_both_ratios(example_json):
    quota = [f for f in example_json["findings"] if f["code"] == "QUOTA_EXCEEDED"]
    assert len(quota) == 1 and quota[0]["severity"] == "warning"
    msg = quota[0]["message"]
    assert "4/18 = 22,22%" in msg and "20%" in msg and "4/22 = 18,18%" in msg and "không phải là cơ sở tính" in msg


def test_example_ballots_are_realistic_not_unanimous(example_json):
    votes = [m["votes"] for m in example_json["members"]]
    assert any(0 < v["HTTNV"] < 22 for v in votes)
    assert all(m["explanation"] for m in example_json["members"])
    assert {f["severity"] for f in example_json["findings"]} <= {"warning", "info"}


@pytest.mark.parametrize("year, when, rules", [(2024, date(2024, 12, 3), "QD124-2023"), (2025, date(2025, 12, 3), "QD366-2025"),
                                               (2026, date(2026, 12, 3), "QD366-2025")])
def test_the_same_case_in_another_year_picks_its_rules(year, when, rules):
    case = read_case(EXAMPLE)
    moved = replace(case, meeting=replace(case.meeting, review_year=year, date=when))
    r = compute(moved)
    assert r.rules_id == rules
    if year >= 2025:
        # QĐ 366 proposes from the appraised score: the 2023 ballots alone are not enough, and a reviewed
        # member left without a level blocks the result (S2)...
        assert {f.code for f in r.findings if f.severity.value == "error"} == {"SCORE_MISSING", "MEMBER_UNRANKED"}
        # ...unless the meeting chose the vote as its basis.
        r = compute(replace(moved, settings=(("proposal_basis", "vote"),)))
    assert r.summary["by_level"]["HTXSNV"] == 4
    assert not r.has_errors


def test_text_report_is_vietnamese_and_exit_code_zero():
    proc = run_cli("compute", EXAMPLE)
    assert proc.returncode == 0
    assert "Tỷ lệ HTXSNV: 4/18 = 22,22%" in proc.stdout and "ĐỀ XUẤT" in proc.stdout


def test_case_file_round_trip_is_lossless():
    case = read_case(EXAMPLE)
    again = case_from_dict(json.loads(json.dumps(case_to_dict(case))))
    assert case_to_dict(again) == case_to_dict(case)
    assert compute(again).to_dict() == compute(case).to_dict()


def _example_dict():
    with open(EXAMPLE, encoding="utf-8") as fh:
        return json.load(fh)


def _write(tmp_path, data, name="case.json"):
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return p


def test_truncated_json_names_line_and_column(tmp_path):
    text = open(EXAMPLE, encoding="utf-8").read()[:500]
    proc = run_cli("compute", str(_write(tmp_path, text)))
    assert proc.returncode == 2
    assert "dòng" in proc.stderr and "cột" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("mutate, where", [
    (lambda d: d["members"][3].__setitem__("self_level", "HTTT"), "members[3].self_level"),
    (lambda d: d["members"][2].__setitem__("exempt", "có"), "members[2].exempt"),
    (lambda d: d["meeting"].__setitem__("review_year", "2023"), "meeting.review_year"),
    (lambda d: d["meeting"].__setitem__("date", "29/11/2023"), "meeting.date"),
    (lambda d: d["member_ballots"]["ballots"][4]["marks"].__setitem__(2, 7), "member_ballots.ballots[4].marks[2]"),
    (lambda d: d.__setitem__("members", {"a": 1}), "members"),
    (lambda d: d.__setitem__("version", 9), "version"),
])
def test_bad_fields_name_their_place(tmp_path, mutate, where):
    data = _example_dict()
    mutate(data)
    with pytest.raises(CaseFileError) as exc:
        case_from_dict(data)
    assert exc.value.where == where
    proc = run_cli("compute", str(_write(tmp_path, data)))
    assert proc.returncode == 2 and where in proc.stderr and "Traceback" not in proc.stderr


def test_a_ballot_from_a_probationary_member_is_an_error_finding(tmp_path):
    data = _example_dict()
    data["members"][5]["membership"] = "du_bi"
    data["members"][5]["admission_date"] = "2023-01-10"
    data["member_ballots"]["ballots"][0]["voter"] = data["members"][5]["name"]
    proc = run_cli("compute", str(_write(tmp_path, data)), "--json")
    assert proc.returncode == 1
    codes = {f["code"]: f for f in json.loads(proc.stdout)["findings"]}
    assert "BALLOT_FROM_PROBATIONARY" in codes and codes["BALLOT_FROM_PROBATIONARY"]["where"] == "member_ballots.ballots[0]"


def test_more_ballots_than_official_members_present_is_an_error_finding(tmp_path):
    data = _example_dict()
    data["members"][0]["attendance"] = "vang_co_ly_do"
    proc = run_cli("compute", str(_write(tmp_path, data)), "--json")
    assert proc.returncode == 1
    assert "BALLOTS_EXCEED_VOTERS" in {f["code"] for f in json.loads(proc.stdout)["findings"]}


def test_duplicate_names_are_an_error_finding(tmp_path):
    data = _example_dict()
    data["members"][1]["name"] = data["members"][0]["name"]
    proc = run_cli("compute", str(_write(tmp_path, data)), "--json")
    assert proc.returncode == 1
    dup = [f for f in json.loads(proc.stdout)["findings"] if f["code"] == "DUPLICATE_NAME"]
    assert dup and dup[0]["where"] == "members[1]"


@pytest.mark.parametrize("name, content, expect", [("missing.json", None, "không tìm thấy"),
                                                   ("old.xls", b"\xd0\xcf\x11\xe0", ".xlsm"),
                                                   ("binary.json", b"\xff\xfe\x00garbage", "UTF-8")])
def test_unreadable_inputs_exit_2_with_a_message(tmp_path, name, content, expect):
    p = tmp_path / name
    if content is not None:
        p.write_bytes(content)
    proc = run_cli("compute", str(p))
    assert proc.returncode == 2 and expect in proc.stderr and "Traceback" not in proc.stderr


def test_case_file_schema_accepts_the_example():
    jsonschema = pytest.importorskip("jsonschema")
    with open("xlwings_addin/schema/case.schema.json", encoding="utf-8") as fh:
        schema = json.load(fh)
    jsonschema.validate(_example_dict(), schema)
    bad = _example_dict()
    bad["members"][0]["self_level"] = "HTTT"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_console_script_and_every_command_has_help():
    import tomllib

    with open("pyproject.toml", "rb") as fh:
        project = tomllib.load(fh)["project"]
    assert project["scripts"]["xeploai"] == "xlwings_addin.cli:main"
    for command in ("compute", "minutes", "count-minutes", "ballots", "extract", "report", "forms", "notice", "import",
                    "export", "build-template", "demo"):
        proc = run_cli(command, "--help")
        assert proc.returncode == 0 and "usage: xeploai" in proc.stdout, command


def test_committed_schema_is_the_one_the_loader_enforces():
    from xlwings_addin.io.casespec import json_schema

    with open("xlwings_addin/schema/case.schema.json", encoding="utf-8") as fh:
        assert json.load(fh) == json_schema(), "run: python -c 'from xlwings_addin.io.casespec import ...' (see docs/case-file.md)"


@pytest.mark.parametrize("mutate, where, hint", [
    (lambda d: d["meeting"].__setitem__("review_yaer", 2023), "meeting.review_yaer", "review_year"),
    (lambda d: d.__setitem__("memberz", []), "memberz", "members"),
    (lambda d: d["members"][0]["performance"].__setitem__("tasks_exceded_pct", 5), "members[0].performance.tasks_exceded_pct",
     "tasks_exceeded_pct"),
])
def test_unknown_keys_are_errors_that_name_the_path_and_suggest_the_key(tmp_path, mutate, where, hint):
    data = _example_dict()
    mutate(data)
    with pytest.raises(CaseFileError) as exc:
        read_case(_write(tmp_path, data))
    assert exc.value.where == where and hint in exc.value.message


def test_a_version_1_file_is_migrated_to_the_same_case():
    from xlwings_addin.io.casefile import case_from_dict

    v2 = _example_dict()
    v1 = json.loads(json.dumps(v2))
    v1["version"] = 1
    v1["party_cell_ballots"] = v1["party_cell"].pop("ballots")
    assert case_from_dict(v1) == case_from_dict(v2)
    assert "party_cell_ballots" in v1  # the input is not changed by the migration
