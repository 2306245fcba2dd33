"""A template or finding text that would run for ever, fill memory, recurse or fail ends in a message
naming its file and line (and finding), within the limits of rendering: never a hang or a traceback."""

from __future__ import annotations

import os

import pytest

from expert.answers import validate_answers
from expert.check import check_knowledge_base
from expert.checkup import Checkup
from expert.errors import KnowledgeBaseError

from conftest import MINI_RULES, mini_kb_files, run_guarded, write_tree

VALUES = dict(community_name="城西跑团", members=500, leaders=2, kind="personal", attraction=["perks"],
              by_sales=False)
TEMPLATE = "templates/prescription.zh.md.j2"
# The messages are pinned in English (--lang en, SHEQUN_LANG=en); test_limits_are_told_in_chinese pins the default.
pytestmark = pytest.mark.usefixtures("english")


def problem_of(kb_dir) -> str:
    """The one problem rendering the small base's case reports, as the user reads it."""
    checkup = Checkup.load(kb_dir)
    answers = validate_answers({"answers": VALUES}, checkup.kb.questionnaire, "case.yaml")
    with pytest.raises(KnowledgeBaseError) as caught:
        checkup.report(answers, "markdown", "zh")
    [problem] = caught.value.problems
    return str(problem)


def with_template(tmp_path, body: str, **more: str):
    return write_tree(tmp_path / "kb", mini_kb_files(**{TEMPLATE: "# {{ community }}\n" + body, **more}))


TEMPLATES = {
    "range_of_a_billion": ("{{ range(10**9)|list }}", "range() of more than 10,000 numbers"),
    "nested_big_loops": ("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
                         "it takes more than 1,000,000 steps (loop turns and calls)"),
    "nested_loops_over_a_list": ("{% set xs = range(5000)|list %}{% for i in xs %}{% for j in xs %}{% endfor %}"
                                 "{% endfor %}", "it takes more than 1,000,000 steps (loop turns and calls)"),
    "a_huge_output": ("{% for i in range(2000) %}{{ 'x' * 1000 }}{% endfor %}",
                      "its output is longer than 1,000,000 characters"),
    "a_gigabyte_string": ("{{ 'x' * 10**9 }}", "repeating 1 item(s) 1,000,000,000 times is over the limit of "
                                               "1,000,000"),
    "a_number_of_ten_billion_digits": ("{{ 10 ** (10 ** 10) }}",
                                       "10 ** 10000000000 is a number of over 10,000 bits"),
    "doubling_in_a_namespace": ("{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}"
                                "{% endfor %}", "it makes a text of 1,048,576 items, over the limit of 1,000,000"),
    "a_list_extended_by_itself": ("{% set xs = [1] %}{% for i in range(60) %}{{ xs.extend(xs) }}{% endfor %}",
                                  "access to attribute 'extend' of 'list' object is unsafe."),
    "a_huge_width": ("{{ '%0999999999d' % 1 }}", "a width or precision of 999999999 is over the limit of 10,000"),
    "a_huge_center": ("{{ community|center(10**9) }}", "|center() of 1000000000 is over the limit of 10,000"),
    "a_huge_constant_center": ("{{ 'x'|center(1000000000) }}", "|center() of 1000000000 is over the limit of 10,000"),
    "macro_recursion": ("{% macro deeper(n) %}{{ deeper(n + 1) }}{% endmacro %}{{ deeper(0) }}",
                        "it nests too deeply (a macro that calls itself, or a template that includes itself?)"),
    "self_include": ("{% include 'prescription.zh.md.j2' %}",
                     "it nests too deeply (a macro that calls itself, or a template that includes itself?)"),
    "division_by_zero": ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero"),
}


@pytest.mark.parametrize("name", TEMPLATES)
def test_a_template_beyond_the_limits_is_named_with_its_line(tmp_path, monkeypatch, name):
    body, message = TEMPLATES[name]
    kb = with_template(tmp_path, body)
    monkeypatch.chdir(kb)
    assert problem_of(".") == f"{TEMPLATE}:2: cannot render the template: {message}"


HUGE_OUTPUTS = {
    "the_template_s_own_text": ("{% for i in range(10000) %}" + "一二三四五六七八九十" * 20 + "{% endfor %}", 2),
    "after_lines_that_fit": ("开场白\n{{ community }}\n{% for i in range(2000) %}{{ 'x' * 1000 }}{% endfor %}", 4),
    "in_a_block": ("{% block body %}\n{% for i in range(2000) %}{{ 'x' * 1000 }}{% endfor %}{% endblock %}", 3),
    "of_a_macro": ("{% macro m() %}{% for i in range(2000) %}{{ 'x' * 1000 }}{% endfor %}{% endmacro %}{{ m() }}", 2),
    "set_in_a_block": ("{% set s %}{% for i in range(2000) %}{{ 'x' * 1000 }}{% endfor %}{% endset %}{{ s }}", 2),
}


@pytest.mark.parametrize("name", HUGE_OUTPUTS)
def test_a_huge_output_is_stopped_at_the_line_that_makes_it(tmp_path, monkeypatch, name):
    # printed output is counted as it comes out, output into a macro or a block where it is made
    body, line = HUGE_OUTPUTS[name]
    kb = with_template(tmp_path, body)
    monkeypatch.chdir(kb)
    assert problem_of(".") == (f"{TEMPLATE}:{line}: cannot render the template: its output is longer than "
                               "1,000,000 characters")


def test_a_failure_amid_text_and_values_names_its_own_line(tmp_path, monkeypatch):
    # lines of text and {{ ... }} come out of the template's code as one piece: the line is still the one that fails
    kb = with_template(tmp_path, "第二行 {{ community }}\n第三行 {{ date }}\n第四行 {{ 1 / 0 }} 行尾\n第五行\n")
    monkeypatch.chdir(kb)
    assert problem_of(".") == f"{TEMPLATE}:4: cannot render the template: ZeroDivisionError: division by zero"


def test_rendering_that_takes_too_long_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr("expert.sandbox.MAX_RENDER_SECONDS", 0.0)
    kb = with_template(tmp_path, "{% for i in range(3) %}{{ i }}{% endfor %}")
    monkeypatch.chdir(kb)
    assert problem_of(".").endswith(": it takes longer than 0 seconds")  # the first text rendered says so


def test_an_included_fifo_is_refused_not_waited_on(tmp_path, monkeypatch):
    kb = with_template(tmp_path, "{% include 'pipe' %}")
    os.mkfifo(kb / "templates" / "pipe")
    monkeypatch.chdir(kb)
    assert problem_of(".") == (f"{TEMPLATE}:2: cannot render the template: cannot read the template pipe: "
                               "it is a named pipe (FIFO), not a regular file")


def kb_with_rules(tmp_path, rules: str):
    return write_tree(tmp_path / "kb", mini_kb_files(**{"rules/leaders.yaml": rules}))


def test_a_parameter_divided_by_zero_is_named_when_its_text_fails(tmp_path, monkeypatch):
    rules = MINI_RULES.replace('more: "max(1, ceil(members / 100)) - leaders"', 'more: "members / (leaders - 2)"')
    rules = rules.replace('diagnosis: {zh: "还差 {{ more }} 位。"', 'diagnosis: {zh: "还差 {{ more + 1 }} 位。"')
    monkeypatch.chdir(kb_with_rules(tmp_path, rules))
    assert problem_of(".") == (
        "rules/leaders.yaml:47 [too_few_leaders]: cannot render diagnosis.zh: TypeError: unsupported operand "
        "type(s) for +: 'NoneType' and 'int' (parameter more has no value for these answers: its expression "
        "divides by zero or uses an unanswered question; test it with `is none`)")


def test_a_finding_text_has_the_same_limits(tmp_path, monkeypatch):
    rules = MINI_RULES.replace('diagnosis: {zh: "还差 {{ more }} 位。"',
                               'diagnosis: {zh: "{% for i in range(10**6) %}{% endfor %}"')
    monkeypatch.chdir(kb_with_rules(tmp_path, rules))
    assert problem_of(".") == ("rules/leaders.yaml:47 [too_few_leaders]: cannot render diagnosis.zh: range() of "
                               "more than 10,000 numbers")


def test_a_label_of_no_question_is_named(tmp_path, monkeypatch):
    rules = MINI_RULES.replace("{{ label('attraction') }}", "{{ label('attractions') }}")
    monkeypatch.chdir(kb_with_rules(tmp_path, rules))
    assert problem_of(".") == ("rules/leaders.yaml:51 [bought_bond]: cannot render diagnosis.zh: "
                               "label('attractions'): no such question")


def test_ordinary_templates_still_render(tmp_path):
    kb = with_template(tmp_path, "{% for c in checks %}{{ '{:,}'.format(250000) }} {{ c.title|center(30) }}\n"
                                 "{% endfor %}{{ range(3)|join(',') }}\n")
    checkup = Checkup.load(kb)
    answers = validate_answers({"answers": VALUES}, checkup.kb.questionnaire, "case.yaml")
    text = checkup.report(answers, "markdown", "zh").text
    assert "250,000" in text and "0,1,2" in text


@pytest.mark.parametrize("name", ["range_of_a_billion", "nested_big_loops", "macro_recursion",
                                  "a_number_of_ten_billion_digits", "a_huge_constant_center"])
def test_the_command_line_ends_in_bounded_time_and_memory(tmp_path, name):
    template = TEMPLATE.replace(".zh.", ".en.")  # the English prescription: it is English that is pinned
    kb = with_template(tmp_path, TEMPLATES[name][0], **{template: "# {{ community }}\n" + TEMPLATES[name][0]})
    write_tree(tmp_path, {"answers.yaml": "answers:\n" + "".join(f"  {k}: {v!r}\n" for k, v in VALUES.items())})
    english = {"SHEQUN_LANG": "en"}
    done = run_guarded(["diagnose", "answers.yaml", "--kb", kb], cwd=tmp_path, timeout=30, env=english)
    assert done.returncode == 2, done.stderr
    assert done.stderr == (f"the knowledge base kb has 1 problem(s):\n  kb/{template}:2: cannot render the template: "
                           f"{TEMPLATES[name][1]}\n")
    done = run_guarded(["check", "--kb", kb], cwd=tmp_path, timeout=30, env=english)  # no golden case here
    assert done.returncode == 1, done.stderr
    assert f"error: kb/{TEMPLATE}:2: cannot render the template: {TEMPLATES[name][1]}\n" in done.stderr  # the first
    assert "Traceback" not in done.stderr


# ---------------------------------------------------------------------------- shequn check renders everything


def test_check_renders_every_finding_text_without_golden_cases(tmp_path, monkeypatch):
    """The small base has no examples: only drawn answers can reach its texts."""
    rules = MINI_RULES.replace('diagnosis: {zh: "大客户占 {{ key_share }}%。"',
                               'diagnosis: {zh: "{{ range(10**9)|list }}"')
    monkeypatch.chdir(kb_with_rules(tmp_path, rules))
    report = check_knowledge_base(".")
    assert [str(p) for p in report.errors] == [
        "rules/leaders.yaml:55 [few_key_accounts]: cannot render diagnosis.zh: range() of more than 10,000 numbers"]
    assert report.exit_code() == 1


def test_check_renders_the_text_of_a_finding_no_answers_reach(tmp_path, monkeypatch):
    rules = MINI_RULES.replace("when: leaders == 0", "when: members > 99990")  # possible, but never drawn
    rules = rules.replace('diagnosis: {zh: "{{ members }} 人没有一个领袖。"', 'diagnosis: {zh: "{{ 10 ** (10 ** 10) }}"')
    monkeypatch.chdir(kb_with_rules(tmp_path, rules))
    errors = [str(p) for p in check_knowledge_base(".").errors]
    assert errors == ["rules/leaders.yaml:43 [no_leaders]: cannot render diagnosis.zh: 10 ** 10000000000 is a "
                      "number of over 10,000 bits"]


def test_limits_are_told_in_chinese(tmp_path, monkeypatch):
    from expert.messages import set_language

    set_language("zh")
    kb = with_template(tmp_path, TEMPLATES["nested_big_loops"][0])
    monkeypatch.chdir(kb)
    assert problem_of(".") == f"{TEMPLATE}:2: 模板套不出来：它要走的步数超过 1,000,000（循环圈数和调用）"
    done = run_guarded(["diagnose", "answers.yaml", "--kb", "."], cwd=kb, timeout=30)
    assert done.stderr == "找不到文件 answers.yaml\n"  # the default language of a fresh process too


def test_a_clean_base_without_golden_cases_still_checks_clean(mini_kb):
    report = check_knowledge_base(mini_kb)
    assert report.errors == [] and report.exit_code() == 0
