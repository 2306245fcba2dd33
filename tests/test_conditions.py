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


@pytest.mark.parametrize("text, message", [
    ("memberz > 3", "unknown answer id 'memberz' (did you mean 'members'?)"),
    ("admission == purchse", "'purchse' is not a choice of 'admission' (did you mean 'purchase'?)"),
    ({"finding": "no_leader"}, "unknown finding id 'no_leader' (did you mean 'no_leaders'?)"),
    ("perks in admission", "'in' needs a multiple-choice answer on its right"),
    ("community_name > 3", "'>' compares numbers, but this side is text"),
    ("members", "this is not a condition"),
])
def test_unknown_references_and_type_errors_name_the_rule_and_line(text, message):
    _, problems = resolve(text)
    assert problems, text
    assert message in problems[0].message
    assert (problems[0].file, problems[0].line, problems[0].subject) == ("rules/x.yaml", 7, "r1")


@pytest.mark.parametrize("text, message, col", [
    ("members = 3", "unexpected character '=' (use == to compare)", 9),
    ("members >", "expected a value but found 'the end'", 10),
    ("import_module('os')", "unknown function 'import_module'", 1),
    ("__import__('os').system('x')", "unexpected character '.'", 17),
])
def test_syntax_errors_give_the_column(text, message, col):
    with pytest.raises(c.ConditionSyntaxError) as info:
        c.parse_expression(text)
    assert message in info.value.message
    assert info.value.col == col


def test_negation_is_pushed_to_the_atoms_by_flipping_comparisons():
    node, _ = resolve({"not": {"any": ["members > 3", "admission == purchase"]}})
    alternatives = c.disjunctive_normal_form(node)
    assert len(alternatives) == 1
    assert [a.op for a in alternatives[0]] == ["<=", "!="]


def test_disjunction_becomes_alternatives():
    node, _ = resolve("(members > 3 or valued_by_sales) and active_leaders == 0")
    assert len(c.disjunctive_normal_form(node)) == 2
