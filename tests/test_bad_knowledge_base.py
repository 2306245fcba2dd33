"""A knowledge-base file that is empty, oversized, or holds a condition beyond the language's bounds
is reported with its file, line and rule, by `shequn check` (exit 1) and by every command that loads
it (exit 2): never a traceback, a hang, or a count of problems without the problems."""

from __future__ import annotations

import pytest

from expert.check import check_knowledge_base
from expert.cli import main


def problems_of(kb) -> list[str]:
    return [str(p) for p in check_knowledge_base(kb).errors]


@pytest.mark.parametrize("rel", ["questionnaires/mini.yaml", "rules/leaders.yaml"])
def test_an_empty_file_is_named(mini_kb, monkeypatch, capsys, rel):
    (mini_kb / rel).write_text("# nothing yet\n", encoding="utf-8")
    monkeypatch.chdir(mini_kb)
    assert problems_of(".")[0] == f"{rel}: 文件是空的"
    assert main(["diagnose", "answers.yaml", "--kb", "."]) == 2
    err = capsys.readouterr().err
    assert err.startswith("知识库 . 有 ") and f"  {rel}: 文件是空的\n" in err
    count = int(err.split(" 有 ")[1].split(" ")[0])
    assert count == err.count("\n  ") >= 1  # the count and the list agree


# ---------------------------------------------------------------------------- the condition language's bounds

TERM = "(leaders == 1 or members == 2)"
CONDITIONS = {  # name: (condition, message in Chinese, message in English)
    "500_parentheses": ("(" * 500 + "leaders == 0" + ")" * 500,
                        "读不了条件 '(((((((((((((((((((((((((((((((((((((...))))))))))))))))))))))))))))))))))))))'：嵌套太深"
                        "（超过 40 层）（第 41 列）",
                        "cannot read condition '(((((((((((((((((((((((((((((((((((((...)))))))))))))))))))))))))))))"
                        ")))))))))': nested too deeply (over 40 levels) at column 41"),
    "a_1_MB_expression": ("leaders == 0" + " or leaders == 0" * 65_536,
                          "读不了条件 'leaders == 0 or leaders == 0 or leade...s == 0 or leaders == 0 or leaders == 0'："
                          "它有 1048588 个字符，超过了上限 2000",
                          "cannot read condition 'leaders == 0 or leaders == 0 or leade...s == 0 or leaders == 0 or "
                          "leaders == 0': it is 1048588 characters long, over the limit of 2000"),
    "a_5000_digit_constant": ("leaders == " + "9" * 5000,
                              "读不了条件 'leaders == 99999999999999999999999999...99999999999999999999999999999999999999'"
                              "：它有 5011 个字符，超过了上限 2000",
                              "cannot read condition 'leaders == 99999999999999999999999999...99999999999999999999999999"
                              "999999999999': it is 5011 characters long, over the limit of 2000"),
    "a_40_digit_constant": ("leaders == " + "9" * 40,
                            "读不了条件 'leaders == 9999999999999999999999999999999999999999'：数字太长：40 位（上限 30 位）"
                            "（第 12 列）",
                            "cannot read condition 'leaders == 9999999999999999999999999999999999999999': a number of 40 "
                            "digits is too long (the limit is 30) at column 12"),
    "a_chain_of_400_additions": ("leaders" + " + 1" * 400 + " == 0",
                                 "读不了条件 'leaders + 1 + 1 + 1 + 1 + 1 + 1 + 1 +...1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 == 0'"
                                 "：嵌套太深（超过 40 层）",
                                 "cannot read condition 'leaders + 1 + 1 + 1 + 1 + 1 + 1 + 1 +...1 + 1 + 1 + 1 + 1 + 1 "
                                 "+ 1 + 1 + 1 == 0': nested too deeply (over 40 levels)"),
    "26_alternatives_joined_by_and": (" and ".join([TERM] * 26),
                                      "这个条件太复杂：展开后的情形数是 10^7 以上（上限 64）；请拆成几条规则",
                                      "this condition is too complex: written out it has more than 10^7 alternatives "
                                      "(the limit is 64); split it into several rules"),
    "7_alternatives_joined_by_and": (" and ".join([TERM] * 7),
                                     "这个条件太复杂：展开后的情形数是 128（上限 64）；请拆成几条规则",
                                     "this condition is too complex: written out it has 128 alternatives (the limit "
                                     "is 64); split it into several rules"),
}


@pytest.mark.parametrize("name", CONDITIONS)
def test_a_condition_beyond_the_bounds_names_its_rule(mini_kb, monkeypatch, name):
    condition, message, _ = CONDITIONS[name]
    rules = mini_kb / "rules" / "leaders.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("when: leaders == 0", f'when: "{condition}"'),
                     encoding="utf-8")
    monkeypatch.chdir(mini_kb)
    assert problems_of(".") == [f"rules/leaders.yaml:10 [no_leaders]: {message}"]


@pytest.mark.parametrize("name", CONDITIONS)
def test_a_condition_beyond_the_bounds_is_told_in_english_on_request(mini_kb, monkeypatch, name, english):
    condition, _, message = CONDITIONS[name]
    rules = mini_kb / "rules" / "leaders.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("when: leaders == 0", f'when: "{condition}"'),
                     encoding="utf-8")
    monkeypatch.chdir(mini_kb)
    assert problems_of(".") == [f"rules/leaders.yaml:10 [no_leaders]: {message}"]


def test_six_alternatives_joined_by_and_are_still_fine(mini_kb):
    rules = mini_kb / "rules" / "leaders.yaml"
    condition = " and ".join([TERM] * 6)  # 64 alternatives: the bound itself
    rules.write_text(rules.read_text(encoding="utf-8").replace("when: leaders == 0", f'when: "{condition}"'),
                     encoding="utf-8")
    assert problems_of(mini_kb) == []


def test_alternatives_are_counted_through_not_and_yaml_forms(mini_kb, monkeypatch):
    """`not (a and b)` is `not a or not b`; nested all/any maps count like the words."""
    from expert import conditions as c

    assert c.alternatives(c.parse_expression("not (a and b and c)")) == 3
    assert c.alternatives(c.parse_expression("not ((a or b) and (c or d))")) == 2
    assert c.alternatives(c.parse_expression("not ((a and b) and (c and d))")) == 4
    rules = mini_kb / "rules" / "leaders.yaml"
    forms = "{all: [" + ", ".join(["{any: [leaders == 1, members == 2]}"] * 7) + "]}"
    rules.write_text(rules.read_text(encoding="utf-8").replace("when: leaders == 0", f"when: {forms}"),
                     encoding="utf-8")
    monkeypatch.chdir(mini_kb)
    [problem] = problems_of(".")
    assert problem.startswith("rules/leaders.yaml:10 [no_leaders]: 这个条件太复杂：展开后的情形数是 128（")


def test_the_normal_form_is_never_written_out_past_the_bound():
    from expert import conditions as c

    with pytest.raises(ValueError, match="too complex"):
        c.disjunctive_normal_form(c.parse_expression(" and ".join(["(a or b)"] * 26)))


@pytest.mark.parametrize("where, replace, with_", [
    ("rules/leaders.yaml:16 [too_few_leaders]", 'params: {more: "max(1, ceil(members / 100)) - leaders"}',
     'params: {more: "' + "-" * 100 + 'leaders"}'),
    ("questionnaires/mini.yaml:36 [key_share]", "ask_if: kind == enterprise", "ask_if: " + "not " * 60 + "by_sales"),
])
def test_parameters_and_skip_logic_have_the_same_bounds(mini_kb, monkeypatch, where, replace, with_):
    for rel in ("rules/leaders.yaml", "questionnaires/mini.yaml"):
        text = (mini_kb / rel).read_text(encoding="utf-8")
        (mini_kb / rel).write_text(text.replace(replace, with_), encoding="utf-8")
    monkeypatch.chdir(mini_kb)
    [problem] = problems_of(".")
    assert problem.startswith(f"{where}: 读不了") and "：嵌套太深（超过 40 层）（第 " in problem
