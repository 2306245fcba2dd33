"""A bad answers file gets a message naming the file, the line and the question, and exit code 2:
never a traceback, a hang or a wrong message.

Each fixture in tests/fixtures/bad_answers/ holds one mistake for the small knowledge base of
conftest, and after `# | ` the exact message that `shequn diagnose` prints.
"""

from __future__ import annotations

import os

import pytest

from expert.cli import main
from expert.limits import MAX_FILE_BYTES

from conftest import FIXTURES, run_guarded

BAD_ANSWERS = sorted((FIXTURES / "bad_answers").glob("*.yaml"))


def expected_message(fixture) -> str:
    lines = fixture.read_text(encoding="utf-8").splitlines()
    return "\n".join(line[4:] for line in lines if line.startswith("# | ")) + "\n"


@pytest.mark.parametrize("fixture", BAD_ANSWERS, ids=[p.stem for p in BAD_ANSWERS])
def test_each_bad_answers_file_gets_its_exact_message(fixture, mini_kb, monkeypatch, capsys):
    monkeypatch.chdir(fixture.parent)
    monkeypatch.delenv("SHEQUN_LANG", raising=False)
    code = main(["diagnose", fixture.name, "--kb", str(mini_kb)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == expected_message(fixture)


def test_every_message_of_the_catalogue_can_be_filled_in_both_languages():
    """A placeholder may have any name, `key` and `lang` too, and both languages take the same ones."""
    import string

    from expert.messages import CATALOGUE, t

    for key, entry in CATALOGUE.items():
        names = [{field for _, field, _, _ in string.Formatter().parse(text) if field} for text in entry.values()]
        assert names[0] == names[-1], key
        for lang in entry:
            t(key, lang, **{name: "x" for name in names[0]})


# ---------------------------------------------------------------------------- what is given as the file


def _directory(path):
    path.mkdir()


def _fifo(path):
    os.mkfifo(path)


def _device(path):
    path.symlink_to("/dev/zero")


def _loop(path):
    path.symlink_to(path.name)


def _dangling(path):
    path.symlink_to("nowhere.yaml")


def _too_big(path):
    path.write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")


def _not_utf8(path):
    path.write_bytes("answers:\n  community_name: 跑团\n".encode("gb18030"))


def _not_utf8_after_a_bom(path):  # the line counted in the text after the BOM
    path.write_bytes(b"\xef\xbb\xbfquestionnaire: mini\n" + "跑团: x\n".encode("gb18030"))


NOT_A_FILE = {
    _directory: "这是一个目录，不是普通文件",
    _fifo: "这是一个命名管道（FIFO），不是普通文件",
    _device: "这是一个设备，不是普通文件",
    _loop: "符号链接绕成了圈",
    _dangling: "没有这个文件",
    _too_big: "文件太大（上限 2 MB）",
    _not_utf8: "不是 UTF-8 编码（第 2 行）",
    _not_utf8_after_a_bom: "不是 UTF-8 编码（第 2 行）",
}


@pytest.mark.parametrize("make", NOT_A_FILE, ids=[f.__name__[1:] for f in NOT_A_FILE])
def test_what_is_not_a_readable_answers_file_is_named_without_waiting(make, tmp_path, mini_kb):
    make(tmp_path / "answers.yaml")
    done = run_guarded(["diagnose", "answers.yaml", "--kb", mini_kb], cwd=tmp_path, timeout=20)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"读不了答卷文件 answers.yaml：{NOT_A_FILE[make]}\n"


def test_a_missing_answers_file_is_missing(tmp_path, mini_kb):
    done = run_guarded(["diagnose", "nothing.yaml", "--kb", mini_kb], cwd=tmp_path)
    assert (done.returncode, done.stderr) == (2, "找不到文件 nothing.yaml\n")


def test_a_knowledge_base_folder_in_a_loop_of_links_is_named(tmp_path, capsys):
    (tmp_path / "kb").symlink_to("kb")
    for command in (["check"], ["diagnose", "answers.yaml"], ["why", "members"]):
        done = run_guarded([*command, "--kb", "kb"], cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert "读不了知识库目录 kb：符号链接绕成了圈" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("make", [_directory, _fifo, _loop, _too_big], ids=["directory", "fifo", "loop", "too_big"])
def test_a_rules_file_that_is_not_a_readable_file_is_named_by_check(make, mini_kb):
    make(mini_kb / "rules" / "broken.yaml")
    done = run_guarded(["check", "--kb", "."], cwd=mini_kb, timeout=20)
    assert done.returncode == 2
    assert f"错误：rules/broken.yaml: 读不了这个文件：{NOT_A_FILE[make]}\n" in done.stderr


# ---------------------------------------------------------------------------- numbers that are no numbers


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")], ids=["nan", "inf", "-inf"])
def test_a_number_question_refuses_what_is_no_number(kb, value):
    """operator_hours is a `number` question: NaN would pass every type check and reach arithmetic."""
    from expert.answers import validate_answers
    from expert.errors import AnswersError

    answers = {**_example_answers(), "operator_hours": value}
    with pytest.raises(AnswersError) as caught:
        validate_answers({"answers": answers}, kb.questionnaire, "row 7", "en")
    [problem] = caught.value.problems
    assert (problem.file, problem.subject) == ("row 7", "operator_hours")
    assert problem.message == f"expected an actual number, not infinity or NaN, got {value!r}"


def _example_answers() -> dict:
    import yaml

    from conftest import EXAMPLES

    return yaml.safe_load((EXAMPLES / "big_club.yaml").read_text(encoding="utf-8"))["answers"]


@pytest.mark.parametrize("expression, values", [
    ("a * a", {"a": 1e300}),  # overflows to infinity
    ("a * a - a * a", {"a": 1e300}),  # infinity minus infinity is NaN
    ("a / b", {"a": 10 ** 400, "b": 3}),  # a quotient too large for a float: OverflowError
    ("ceil(a * a)", {"a": 1e300}),
])
def test_arithmetic_that_leaves_the_numbers_is_unknown(expression, values):
    from expert import conditions as c

    node = c.parse_expression(expression)
    resolved = c.resolve_value(node, c.Schema({q: _NumberQuestion() for q in values}), c.Source("f", 1, "x"), [])
    assert c.evaluate(resolved, values) is c.UNKNOWN


class _NumberQuestion:
    type = "number"


# ---------------------------------------------------------------------------- YAML's own words, in ours


YAML_MISTAKES = [  # (text, place, Chinese, English)
    ("a: [1, 2\nb: 3\n", "x.yaml:2:2",
     "YAML 语法错误：这里应是「,」或「]」（读一个方括号里的列表时；它从第 1 行第 4 列开始）",
     "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence, which starts at line 1, "
     "column 4)"),
    ("a: 1\n b: 2\n", "x.yaml:2:3", "YAML 语法错误：这里不能写「键: 值」；是缩进不对，还是值里的冒号要加引号？",
     "YAML syntax error: mapping values are not allowed here"),
    ("a: 'open\n", "x.yaml:2:1",
     "YAML 语法错误：文件意外结束；是不是少了收尾的引号或括号？（读一段带引号的文字时；它从第 1 行第 4 列开始）",
     "YAML syntax error: found unexpected end of stream; is a closing quote or bracket missing? (while scanning a "
     "quoted scalar, which starts at line 1, column 4)"),
    ("a: \"open\nb: 1\nc: 2\n", "x.yaml:4:1",  # the quote is named where it was opened, three lines up
     "YAML 语法错误：文件意外结束；是不是少了收尾的引号或括号？（读一段带引号的文字时；它从第 1 行第 4 列开始）",
     "YAML syntax error: found unexpected end of stream; is a closing quote or bracket missing? (while scanning a "
     "quoted scalar, which starts at line 1, column 4)"),
    ("a: 1\na: 2\n", "x.yaml:2:1", "YAML 语法错误：键 'a' 重复了（读一个映射时）",
     "YAML syntax error: found duplicate key 'a' (while parsing a block mapping)"),
    ("a:\n\t- 1\n", "x.yaml:2:1", "第 2 行第 1 列是制表符（Tab）；YAML 只能用空格缩进",
     "line 2, column 1 is a tab; YAML indents with spaces only"),
    ("a: 1\nb: @x\n", "x.yaml:2:4", "YAML 语法错误：这个字符不能用在这里（读下一个记号时）",
     "YAML syntax error: found character that cannot start any token (while scanning for the next token)"),
]


@pytest.mark.parametrize("text, where, zh, en", YAML_MISTAKES)
def test_yaml_syntax_errors_are_told_in_chinese_and_in_english(text, where, zh, en):
    import yaml

    from expert.messages import set_language
    from expert.yamlio import parse_yaml, yaml_problem

    with pytest.raises(yaml.YAMLError) as caught:
        parse_yaml(text, "x.yaml")
    problem = yaml_problem(caught.value, "x.yaml")
    assert (problem.where, problem.message) == (where, zh)
    set_language("en")
    with pytest.raises(yaml.YAMLError) as caught:
        parse_yaml(text, "x.yaml")
    assert yaml_problem(caught.value, "x.yaml").message == en
