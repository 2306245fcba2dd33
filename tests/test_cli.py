"""The command line: what each command prints, and the exit code it returns."""

import json
import os
import subprocess
import sys

import pytest

from expert import __version__
from expert.cli import main

from conftest import ROOT, write_tree

ANSWERS = """
    questionnaire: mini
    version: 1
    date: 2026-11-24
    answers:
      community_name: 城西跑团
      members: 500
      leaders: 2
      kind: personal
      attraction: [perks]
      by_sales: false
"""


@pytest.fixture
def answers(tmp_path):
    return write_tree(tmp_path, {"answers.yaml": ANSWERS}) / "answers.yaml"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_diagnose_prints_the_markdown_prescription(capsys, mini_kb, answers):
    code, out, err = run(capsys, "diagnose", answers, "--kb", mini_kb)
    assert code == 0, err
    assert out.startswith("# 城西跑团")
    assert "还差 3 位。" in out
    assert "* 顾客群" in out  # the chained, cross-cutting finding


def test_diagnose_in_english(capsys, mini_kb, answers):
    code, out, _ = run(capsys, "diagnose", answers, "--kb", mini_kb, "--lang", "en")
    assert code == 0
    assert "3 more needed." in out and "Attraction: “Perks”." in out


def test_diagnose_json_has_verdicts_and_findings_with_evidence_and_trail(capsys, mini_kb, answers):
    code, out, _ = run(capsys, "diagnose", answers, "--kb", mini_kb, "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["verdicts"] == {"leaders": "watch"}
    # the high combined finding is treated through its root (policy.yaml), which takes its urgency
    assert data["treat_first"] == "bought_bond"
    assert data["treatment_order"] == ["bought_bond", "too_few_leaders"]
    crowd = next(f for f in data["findings"] if f["id"] == "customer_crowd")
    assert crowd["severity"] == "high" and crowd["check"] == "cross"
    assert crowd["trail"] == ["bought_bond", "too_few_leaders", "customer_crowd"]
    few = next(f for f in data["findings"] if f["id"] == "too_few_leaders")
    assert few["params"] == {"more": 3} and few["evidence"] == {"leaders": 2, "members": 500}


def test_diagnose_writes_to_a_file(capsys, mini_kb, answers, tmp_path):
    out_file = tmp_path / "rx.md"
    code, out, err = run(capsys, "diagnose", answers, "--kb", mini_kb, "-o", out_file)
    assert code == 0 and out == ""
    assert str(out_file) in err
    assert out_file.read_text(encoding="utf-8").startswith("# 城西跑团")


def test_same_answers_always_give_the_same_document(capsys, mini_kb, answers):
    first = run(capsys, "diagnose", answers, "--kb", mini_kb)[1]
    assert run(capsys, "diagnose", answers, "--kb", mini_kb)[1] == first


def test_the_same_answers_give_the_same_json_in_every_process():
    """Rules of equal salience fire in an order that follows Python's hash seed; nothing the JSON says may."""
    outputs = set()
    for seed in ("1", "2", "3", "4"):
        command = [sys.executable, "-m", "expert", "diagnose", "examples/healthy.yaml", "--format", "json"]
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                                env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_bad_answers_exit_2_listing_every_problem(capsys, mini_kb, tmp_path):
    bad = write_tree(tmp_path, {"bad.yaml": ANSWERS.replace("members: 500", "members: -5")
                                .replace("kind: personal", "kind: shop")}) / "bad.yaml"
    code, out, err = run(capsys, "diagnose", bad, "--kb", mini_kb)
    assert code == 2 and out == ""
    assert "有 2 处问题" in err
    assert "[members]" in err and "[kind]" in err


def test_missing_answers_file_is_a_clear_error(capsys, mini_kb, tmp_path):
    code, _, err = run(capsys, "diagnose", tmp_path / "nope.yaml", "--kb", mini_kb)
    assert code == 2 and "找不到文件" in err


def test_check_passes_on_a_clean_knowledge_base(capsys, mini_kb):
    code, out, err = run(capsys, "check", "--kb", mini_kb)
    assert code == 0, err
    assert "没有错误" in out


def test_check_lists_every_problem_with_file_and_line(capsys, mini_kb):
    rules = mini_kb / "rules" / "leaders.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("when: leaders == 0", "when: leaderz == 0")
                     .replace("- finding: too_few_leaders", "- finding: too_few_leader"), encoding="utf-8")
    code, _, err = run(capsys, "check", "--kb", mini_kb)
    assert code == 1
    assert "rules/leaders.yaml:10 [no_leaders]: unknown answer id 'leaderz'" in err
    assert "[customer_crowd]: unknown finding id 'too_few_leader'" in err


def test_check_runs_golden_cases(capsys, mini_kb):
    write_tree(mini_kb, {"examples/run_club.yaml": ANSWERS + "    expect:\n      findings: [no_leaders]\n"})
    code, _, err = run(capsys, "check", "--kb", mini_kb)
    assert code == 1
    assert "examples/run_club.yaml" in err
    assert "多出 bought_bond, customer_crowd, too_few_leaders，缺少 no_leaders" in err


def test_check_on_a_yaml_syntax_error_gives_line_and_column_and_exit_2(capsys, mini_kb):
    (mini_kb / "rules" / "leaders.yaml").write_text("check: leaders\nrules: [\n  - id: x\n", encoding="utf-8")
    code, _, err = run(capsys, "check", "--kb", mini_kb)
    assert code == 2
    assert "rules/leaders.yaml:3:3: YAML syntax error" in err


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.strip() == f"shequn {__version__}"
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "社群体检" in out and "diagnose" in out and "check" in out


def test_the_installed_command_shows_no_traceback_on_bad_input(tmp_path, mini_kb):
    bad = write_tree(tmp_path, {"bad.yaml": "answers: [\n"}) / "bad.yaml"
    result = subprocess.run([sys.executable, "-m", "expert", "diagnose", str(bad), "--kb", str(mini_kb)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "YAML syntax error" in result.stderr
