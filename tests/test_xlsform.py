"""`shequn export xlsform`: the questionnaire as an XLSForm that pyxform converts, with skip logic and bounds in
XPath that keeps our three-valued logic, and whose ODK/KoboToolbox CSV export comes back through `shequn batch`
to the findings of the same answers given as YAML."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from expert import conditions as c
from expert.answers import read_answers
from expert.cli import main
from expert.xlsform import XPath

from conftest import EXAMPLES, mini_kb_files, write_tree

openpyxl = pytest.importorskip("openpyxl")


def export(tmp_path: Path, kb: Path | None = None) -> Path:
    target = tmp_path / "form.xlsx"
    args = ["export", "xlsform", "-o", str(target)] + (["--kb", str(kb)] if kb else [])
    assert main(args) == 0
    return target


def sheet(path: Path, name: str) -> list[dict]:
    rows = list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_pyxform_converts_the_exported_form_without_errors_or_warnings(tmp_path):
    from pyxform.xls2xform import xls2xform_convert

    form = export(tmp_path)
    warnings = xls2xform_convert(str(form), str(tmp_path / "form.xml"))
    assert warnings == []
    xml = (tmp_path / "form.xml").read_text(encoding="utf-8")
    assert 'lang="Chinese (zh)"' in xml and 'lang="English (en)"' in xml
    assert "relevant=\"/community/ip/ip_pull\"" not in xml  # relevant is an expression, not a path
    assert "selected(" in xml or "count-selected(" in xml


def test_the_form_carries_both_languages_hints_bounds_and_skip_logic(tmp_path, kb):
    form = export(tmp_path)
    survey = {row["name"]: row for row in sheet(form, "survey") if row["type"] not in ("end_group",)}
    members = survey["members"]
    assert members["type"] == "integer"
    assert members["label::Chinese (zh)"] == kb.questionnaire.questions["members"].text["zh"]
    assert members["label::English (en)"] == kb.questionnaire.questions["members"].text["en"]
    assert members["hint::English (en)"].startswith("By the 1-9-90 rule")
    assert members["constraint"] == ". >= 1 and . <= 100000"
    assert members["constraint_message::Chinese (zh)"] == "应在 1 到 100000 之间"
    assert survey["active_7d"]["constraint"] == ". >= 0 and . <= ${members}"
    assert survey["ip_pull"]["relevant"] == "${ip_centre} != 'none'"
    assert survey["ip_pull"]["type"] == "select_one ip_pull"
    assert survey["leader_traits"]["relevant"] == "${active_leaders} > 0"
    assert survey["outputs_4w"]["relevant"] == "${value_started} = 'yes'"
    # a bound on an answer that may be blank holds where it is blank, as in our language
    assert survey["share_heavy_buyers"]["constraint"] == \
        ". >= 0 and (${share_key_accounts} = '' or . <= (100 - ${share_key_accounts}))"
    assert survey["join_reasons"]["type"] == "select_multiple join_reasons"
    assert survey["join_reasons"]["constraint"] == "count-selected(.) >= 1"
    settings = sheet(form, "settings")[0]
    assert settings["form_id"] == "community" and settings["default_language"] == "Chinese (zh)"
    choices = sheet(form, "choices")
    assert {"list_name": "platform", "name": "wechat", "label::Chinese (zh)": "微信群",
            "label::English (en)": "WeChat group"}.items() <= next(
        row for row in choices if row["list_name"] == "platform" and row["name"] == "wechat").items()


@pytest.fixture
def mini_questions(mini_kb):
    from expert.knowledge import load_knowledge_base

    return load_knowledge_base(mini_kb).questionnaire.questions


@pytest.mark.parametrize("condition, xpath", [
    ("members > 50", "${members} > 50"),
    ("kind == enterprise", "${kind} = 'enterprise'"),
    ("not (kind == enterprise)", "${kind} != 'enterprise'"),
    ("perks in attraction", "selected(${attraction}, 'perks')"),
    ("by_sales", "${by_sales} = 'yes'"),
    ("not by_sales", "${by_sales} = 'no'"),
    ("by_sales == false", "${by_sales} = 'no'"),
    ("members > 50 and (kind == enterprise or leaders >= 2)",
     "(${members} > 50 and (${kind} = 'enterprise' or ${leaders} >= 2))"),
    ("not (members > 50 and leaders >= 2)", "(${members} <= 50 or ${leaders} < 2)"),
    # key_share is asked only of enterprise groups: blank there, and '' != 10 is true in XPath but unknown in ours
    ("key_share != 10", "(${key_share} != '' and ${key_share} != 10)"),
    ("not (key_share == 10)", "(${key_share} != '' and ${key_share} != 10)"),
    ("answered(key_share)", "${key_share} != ''"),
    ("count(attraction) >= 2", "count-selected(${attraction}) >= 2"),
    ("leaders * 100 >= members * 2", "(${leaders} * 100) >= (${members} * 2)"),
    ("ceil(members / 100) > leaders", "ceiling((${members} div 100)) > ${leaders}"),
])
def test_conditions_become_xpath_that_holds_where_ours_holds(condition, xpath, mini_questions):
    problems: list = []
    src = c.Source("q.yaml", 1, "x")
    node = c.resolve_condition(c.parse_condition(condition, src, problems), c.Schema(mini_questions,
                                                                                     allow_findings=False), src,
                               problems)
    assert problems == []

    class Questionnaire:
        questions = mini_questions

    assert XPath(Questionnaire).holds(node) == xpath


def test_a_bound_xpath_cannot_say_is_refused_naming_question_and_line(tmp_path, capsys):
    files = mini_kb_files()
    text = files["questionnaires/mini.yaml"]
    text = text.replace("- {value: enterprise, label: {zh: 企业, en: Enterprise}}",
                        "- {value: enterprise, label: {zh: 企业, en: Enterprise}, number: 100}")
    text = text.replace("- {value: personal, label: {zh: 个人, en: Personal}}",
                        "- {value: personal, label: {zh: 个人, en: Personal}, number: 10}")
    text = text.replace("            max: 100\n            unit:", "            max: snap(members, kind)\n            unit:")
    assert "snap(members, kind)" in text
    kb = write_tree(tmp_path / "kb", {**files, "questionnaires/mini.yaml": text})
    assert main(["check", "--kb", str(kb)]) == 0  # a valid knowledge base, only not expressible as XLSForm
    capsys.readouterr()

    assert main(["export", "xlsform", "-o", str(tmp_path / "f.xlsx"), "--kb", str(kb)]) == 2
    err = capsys.readouterr().err
    file = kb / "questionnaires" / "mini.yaml"
    line = [x.strip() for x in file.read_text(encoding="utf-8").splitlines()].index("max: snap(members, kind)") + 1
    assert err.strip() == (f"{file} 第 {line} 行 [key_share]：上下限 'snap(members, kind)' 无法写成 XLSForm 的 XPath "
                           f"表达式（snap() 在 XPath 里没有对应）")
    assert not (tmp_path / "f.xlsx").exists()


# ---------------------------------------------------------------------------- ODK / KoboToolbox round trip

ROUND_TRIP = ["healthy.yaml", "tea_brand_key_accounts.yaml", "no_leaders.yaml", "value_stopped.yaml",
              "fitness_camp_overpromised.yaml", "reading_club_founder_left.yaml"]


def odk_export(form: Path, answer_sets: list[dict], questions) -> tuple[list[str], list[list[str]]]:
    """A CSV as KoboToolbox exports it with XML values, group separator "/" and multiple choices "both": the
    space-separated column followed by one 0/1 column per option, the server's metadata around them."""
    header = ["start", "end", "today", "deviceid"]
    fields: list[tuple[str, str, str | None]] = []  # (column, question id, option)
    groups: list[str] = []
    for row in sheet(form, "survey"):
        if row["type"] == "begin_group":
            groups.append(row["name"])
            continue
        if row["type"] == "end_group":
            groups.pop()
            continue
        path = "/".join(groups + [row["name"]])
        fields.append((path, row["name"], None))
        if row["type"].startswith("select_multiple"):
            fields += [(f"{path}/{v}", row["name"], v) for v in questions[row["name"]].choice_values]
    header += [f for f, _, _ in fields]
    header += ["meta/instanceID", "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
               "_submitted_by", "__version__", "_tags", "_index"]
    rows = []
    for n, answers in enumerate(answer_sets, start=1):
        cells = ["2026-11-20T10:00:00.000+08:00", "2026-11-20T10:09:00.000+08:00", "2026-11-20", "collect:abc"]
        for _, qid, option in fields:
            value = answers.get(qid)
            if value is None:
                cells.append("")
            elif option is not None:
                cells.append("1" if option in value else "0")
            elif isinstance(value, bool):
                cells.append("yes" if value else "no")
            elif isinstance(value, list):
                cells.append(" ".join(value))
            else:
                cells.append(str(value))
        cells += [f"uuid:{n:08d}", str(n), f"{n:08d}", "2026-11-20T02:09:30", "", "[]", "submitted_via_web", "",
                  "vXyZ", "[]", str(n)]
        rows.append(cells)
    return header, rows


def test_an_odk_csv_export_round_trips_through_batch_to_the_yaml_findings(tmp_path, checkup, kb, capsys):
    form = export(tmp_path)
    answer_sets, expected = [], []
    for name in ROUND_TRIP:
        answers = read_answers(EXAMPLES / name, kb.questionnaire)
        answer_sets.append(dict(answers.values))
        diagnosis = checkup.diagnose(answers)
        expected.append((answers.name, sorted(f.id for f in diagnosis.findings), diagnosis.overall, diagnosis.verdicts))
    header, rows = odk_export(form, answer_sets, kb.questionnaire.questions)
    source = tmp_path / "kobo_export.csv"
    with open(source, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    out = tmp_path / "out"

    assert main(["batch", str(source), "--out-dir", str(out), "--jobs", "1"]) == 0
    assert "跳过了 15 个问卷平台自带的列（不是题目）：start、end、today、deviceid、meta/instanceID" in capsys.readouterr().err
    results = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    got = [(r["community"], sorted(f["id"] for f in r["findings"]), r["verdict"], r["verdicts"]) for r in results]
    assert got == expected
    assert any(findings for _, findings, _, _ in expected)
