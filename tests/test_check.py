"""`shequn check` catches every mistake an author can make, with file:line and the id involved.

Each fixture in tests/fixtures/broken/ applies one mistake to the small knowledge base of conftest
and states the exact message and place it must produce.
"""

import json

import pytest
import yaml

from expert.check import check_knowledge_base
from expert.cli import main

from conftest import FIXTURES, apply_mistake

BROKEN = sorted((FIXTURES / "broken").glob("*.yaml"))


@pytest.mark.parametrize("fixture", BROKEN, ids=[p.stem for p in BROKEN])
def test_each_mistake_is_caught_at_its_place(tmp_path, monkeypatch, fixture):
    spec = yaml.safe_load(fixture.read_text(encoding="utf-8"))
    monkeypatch.chdir(apply_mistake(tmp_path, spec))  # paths are shown relative to where the author stands
    report = check_knowledge_base(".")
    level = spec.get("level", "error")
    found = report.errors if level == "error" else report.warnings
    expect = spec["expect"]
    matching = [p for p in found if p.message.startswith(expect["message"])]
    assert matching, "\n".join(str(p) for p in report.problems)
    problem = matching[0]
    assert problem.where == expect["where"]
    assert problem.subject == expect.get("subject")
    if level == "error":
        assert len(report.errors) == spec.get("errors", 1), "\n".join(map(str, report.errors))
    assert report.exit_code(strict=True) == spec.get("exit", 1)


@pytest.mark.parametrize("fixture", BROKEN, ids=[p.stem for p in BROKEN])
def test_each_mistake_is_told_in_english_on_request(tmp_path, monkeypatch, fixture, english):
    spec = yaml.safe_load(fixture.read_text(encoding="utf-8"))
    monkeypatch.chdir(apply_mistake(tmp_path, spec))
    report = check_knowledge_base(".")
    found = report.errors if spec.get("level", "error") == "error" else report.warnings
    expect = spec["expect"]
    assert [p.where for p in found if p.message.startswith(expect["message_en"])][:1] == [expect["where"]], \
        "\n".join(str(p) for p in report.problems)


def test_a_condition_typed_in_full_width_reads_as_its_ascii_twin(mini_kb, capsys):
    rules = mini_kb / "rules" / "leaders.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("when: leaders == 0", "when: （leaders　＝＝　０）"),
                     encoding="utf-8")
    report = check_knowledge_base(mini_kb)
    assert report.errors == []
    plain = check_knowledge_base(apply_mistake(mini_kb.parent / "plain", {
        "file": "rules/leaders.yaml", "replace": "when: leaders == 0", "with": "when: (leaders == 0)"}))
    [typed] = [r.when_node for r in report.kb.rules.rules if r.id == "no_leaders"]
    assert [r.when_node for r in plain.kb.rules.rules if r.id == "no_leaders"] == [typed]


def test_a_clean_knowledge_base_has_no_errors(mini_kb):
    report = check_knowledge_base(mini_kb)
    assert report.errors == [] and report.exit_code() == 0


def test_warnings_fail_only_under_strict(mini_kb, capsys):
    # the small knowledge base has no golden cases, so every rule is warned about
    assert main(["check", "--kb", str(mini_kb)]) == 0
    assert main(["check", "--kb", str(mini_kb), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "警告：" in err and "没有哪个黄金案例让这条规则成立" in err


def test_check_speaks_english_after_the_command_too(mini_kb, capsys):
    assert main(["check", "--kb", str(mini_kb), "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert "warning: " in err and "no golden case makes this rule fire; add an example that shows it" in err


def test_json_report_for_editors_and_ci(mini_kb, capsys):
    (mini_kb / "rules" / "leaders.yaml").write_text(
        (mini_kb / "rules" / "leaders.yaml").read_text(encoding="utf-8").replace("when: leaders == 0",
                                                                               "when: leaderz == 0"),
        encoding="utf-8")
    assert main(["check", "--kb", str(mini_kb), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["exit_code"] == 1
    [error] = data["errors"]
    assert error["id"] == "no_leaders" and error["line"] == 10
    assert error["file"].endswith("rules/leaders.yaml")
    assert data["warnings"] == []  # golden cases and coverage are not run on a broken base


def test_an_unreadable_knowledge_base_exits_2(tmp_path):
    assert main(["check", "--kb", str(tmp_path / "nowhere")]) == 2
