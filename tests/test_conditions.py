"""The condition language: what it reads, what it refuses, and its three-valued meaning."""

import pytest

from expert import conditions as c
from expert.errors import Problem


class Q:
    def __init__(self, type, choices=()):
        self.type = type
        self.choice_values = list(choices)


QUESTIONS = {
    "members": Q("integer"),
    "active_leaders": Q("integer"),
    "admission": Q("single", ["values", "purchase", "open"]),
    "removal_rule": Q("single", ["none", "unused", "used"]),
    "value_types": Q("multiple", ["learning", "perks"]),
    "valued_by_sales": Q("yesno"),
    "community_name": Q("text"),
}
SCHEMA = c.Schema(QUESTIONS, findings=["no_leaders"])


def resolve(text, schema=SCHEMA):
    problems: list[Problem] = []
    node = c.parse_condition(text, c.Source("rules/x.yaml", 7, "r1"), problems)
    if node is not None:
        node = c.resolve_condition(node, schema, c.Source("rules/x.yaml", 7, "r1"), problems)
    return node, problems


def holds(text, **values):
    node, problems = resolve(text)
    assert not problems, problems
    return c.holds(node, values, findings=values.pop("_found", ()))


def test_arithmetic_comparison_on_answers():
    assert holds("active_leaders * 100 < members", active_leaders=2, members=500)
    assert not holds("active_leaders * 100 < members", active_leaders=5, members=500)


def test_choice_value_written_bare():
    assert holds("admission == purchase", admission="purchase")
    assert holds("admission != purchase", admission="values")


def test_a_choice_called_none_is_the_choice_not_a_missing_answer():
    assert holds("removal_rule == none", removal_rule="none")
    assert not holds("removal_rule == none", removal_rule="used")
    assert holds("removal_rule != none", removal_rule="used")
    assert not holds("removal_rule != none")  # unanswered: neither way


def test_membership_in_multiple_choice():
    assert holds("perks in value_types", value_types=["perks"])
    assert holds("perks not in value_types", value_types=["learning"])


def test_yes_no_answer_stands_alone():
    assert holds("valued_by_sales", valued_by_sales=True)
    assert holds("not valued_by_sales", valued_by_sales=False)


def test_yaml_forms_all_any_not_and_finding():
    cond = {"all": ["members >= 100", {"any": ["admission == purchase", "valued_by_sales"]},
                    {"not": {"finding": "no_leaders"}}]}
    node, problems = resolve(cond)
    assert not problems
    values = {"members": 300, "admission": "values", "valued_by_sales": True}
    assert c.holds(node, values, findings=[])
    assert not c.holds(node, values, findings=["no_leaders"])


def test_unanswered_question_makes_a_comparison_hold_neither_way():
    assert not holds("members > 3", members=None)
    assert not holds("not members > 3", members=None)
    assert holds("not answered(members)", members=None)


def test_division_by_zero_is_unknown_not_a_crash():
    assert not holds("members / active_leaders > 3", members=10, active_leaders=0)


def test_functions_compute_parameters():
    problems = []
    n = c.resolve_value(c.parse_expression("max(1, ceil(members / 100)) - active_leaders"), SCHEMA,
                        c.Source(None, None, None), problems)
    assert not problems
    assert c.evaluate(n, {"members": 500, "active_leaders": 2}) == 3
    assert c.evaluate(n, {"members": 501, "active_leaders": 2}) == 4


REFERENCE_MISTAKES = [  # (condition, message in Chinese, message in English)
    ("memberz > 3", "问卷里没有题目 'memberz'（是不是 'members'？）",
     "unknown answer id 'memberz' (did you mean 'members'?)"),
    ("admission == purchse", "'purchse' 不是 'admission' 的选项（是不是 'purchase'？）；选项有：values, purchase, open",
     "'purchse' is not a choice of 'admission' (did you mean 'purchase'?); choices: values, purchase, open"),
    ({"finding": "no_leader"}, "没有发现 'no_leader'（是不是 'no_leaders'？）",
     "unknown finding id 'no_leader' (did you mean 'no_leaders'?)"),
    ("perks in admission", "'in' 右边要是一道多选题的回答", "'in' needs a multiple-choice answer on its right"),
    ("community_name > 3", "'>' 比较的是数字，这一边却是文字", "'>' compares numbers, but this side is text"),
    ("members", "这不是条件：请比较它（如 x > 3），或者用一道是非题",
     "this is not a condition: compare it (e.g. x > 3) or use a yes/no question"),
]


@pytest.mark.parametrize("text, zh, en", REFERENCE_MISTAKES)
def test_unknown_references_and_type_errors_name_the_rule_and_line(text, zh, en):
    _, problems = resolve(text)
    assert problems[0].message == zh
    assert (problems[0].file, problems[0].line, problems[0].subject) == ("rules/x.yaml", 7, "r1")


@pytest.mark.parametrize("text, zh, en", REFERENCE_MISTAKES)
def test_reference_mistakes_in_english_on_request(text, zh, en, english):
    assert resolve(text)[1][0].message == en


SYNTAX_MISTAKES = [  # (expression, message in Chinese, message in English, column)
    ("members = 3", "意外的字符 '='，比较相等要用 ==", "unexpected character '=' (use == to compare)", 9),
    ("members >", "这里应是一个值，却是结尾", "expected a value but found the end", 10),
    ("import_module('os')", "没有函数 'import_module'（有：", "unknown function 'import_module' (known: ", 1),
    ("__import__('os').system('x')", "意外的字符 '.'", "unexpected character '.'", 17),
    ("max(members, 3", "这里应是 ')'，却是结尾", "expected ')' but found the end", 15),
]


@pytest.mark.parametrize("text, zh, en, col", SYNTAX_MISTAKES)
def test_syntax_errors_give_the_column(text, zh, en, col):
    with pytest.raises(c.ConditionSyntaxError) as info:
        c.parse_expression(text)
    assert info.value.message.startswith(zh)
    assert info.value.col == col


@pytest.mark.parametrize("text, zh, en, col", SYNTAX_MISTAKES)
def test_syntax_errors_in_english_on_request(text, zh, en, col, english):
    with pytest.raises(c.ConditionSyntaxError) as info:
        c.parse_expression(text)
    assert info.value.message.startswith(en)


# ---------------------------------------------------------------------------- typed through a Chinese input method


@pytest.mark.parametrize("typed, meant", [
    ("members ＞ 3", "members > 3"),
    ("members ＜＝ 3", "members <= 3"),
    ("members ＝＝ 3", "members == 3"),
    ("members ！＝ 3", "members != 3"),
    ("（members ＋ 1） ＊ 2 ＞ 3", "(members + 1) * 2 > 3"),
    ("max（1， members） ＞ active_leaders", "max(1, members) > active_leaders"),
    ("members\u3000>\u30003\u3000and\u3000active_leaders == 0", "members > 3 and active_leaders == 0"),
    ("members > ３０", "members > 30"),
    ("admission == “purchase”", "admission == 'purchase'"),
])
def test_full_width_punctuation_outside_quotes_is_read_as_its_ascii_twin(typed, meant):
    assert c.parse_expression(typed) == c.parse_expression(meant)


def test_full_width_punctuation_inside_quotes_is_left_as_written():
    assert c.parse_expression("community_name == '城西（跑团）'") == c.Compare(
        "==", c.Name("community_name", 1), c.Const("城西（跑团）", 19), 16)


@pytest.mark.parametrize("typed, zh, en, col", [
    ("members ： 3", "这是全角的「：」，请改成半角的「:」", "this is a full-width \u201c：\u201d; type the ASCII \u201c:\u201d", 9),
    ("members > 3； leaders", "这是全角的「；」，请改成半角的「;」", "this is a full-width \u201c；\u201d; type the ASCII \u201c;\u201d",
     12),
])
def test_full_width_punctuation_without_meaning_is_named_with_its_column(typed, zh, en, col):
    with pytest.raises(c.ConditionSyntaxError) as info:
        c.parse_expression(typed)
    assert (info.value.message, info.value.col) == (zh, col)
    from expert.messages import set_language

    set_language("en")
    with pytest.raises(c.ConditionSyntaxError) as info:
        c.parse_expression(typed)
    assert info.value.message == en


@pytest.mark.parametrize("typed, zh, en", [
    ("members ≥ 30", "意外的字符 '≥'，请写成 >=", "unexpected character '≥' (type >= instead)"),
    ("members ≠ 30", "意外的字符 '≠'，请写成 !=", "unexpected character '≠' (type != instead)"),
    ("members > 3 且 leaders == 0", "意外的字符 '且'，请写成 and", "unexpected character '且' (type and instead)"),
    ("members > 3。", "意外的字符 '。'，请删掉它", "unexpected character '。' (delete it)"),
    ("“members > 3”", "条件两边是全角引号“…”，整条条件成了一段文字；请改成半角的 \"…\" 或者去掉引号",
     "the condition is inside full-width quotes “…”, which makes it one text; type ASCII quotes \"…\" or none"),
])
def test_what_an_input_method_types_for_an_operator_is_named_with_what_to_type(typed, zh, en):
    from expert.messages import set_language

    with pytest.raises(c.ConditionSyntaxError) as info:
        c.parse_expression(typed)
    assert info.value.message == zh
    set_language("en")
    with pytest.raises(c.ConditionSyntaxError) as info:
        c.parse_expression(typed)
    assert info.value.message == en


def test_a_full_width_mistake_in_a_rule_names_file_line_and_column():
    problems = []
    c.parse_condition("members ： 3", c.Source("rules/x.yaml", 7, "r1"), problems)
    assert [str(p) for p in problems] == [
        "rules/x.yaml:7 [r1]: 读不了条件 'members ： 3'：这是全角的「：」，请改成半角的「:」（第 9 列）"]


def test_negation_is_pushed_to_the_atoms_by_flipping_comparisons():
    node, _ = resolve({"not": {"any": ["members > 3", "admission == purchase"]}})
    alternatives = c.disjunctive_normal_form(node)
    assert len(alternatives) == 1
    assert [a.op for a in alternatives[0]] == ["<=", "!="]


def test_disjunction_becomes_alternatives():
    node, _ = resolve("(members > 3 or valued_by_sales) and active_leaders == 0")
    assert len(c.disjunctive_normal_form(node)) == 2
