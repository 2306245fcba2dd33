"""A text that can spend nothing of a render's budget renders straight, without one, and a text of
only text and names is filled in: each is told apart by what it holds, renders what the budgeted
render gives, fails as it fails, and still stops at the output and time limits, the only ones it
can reach."""

from __future__ import annotations

import random

import pytest
from jinja2 import StrictUndefined

from expert.limits import MAX_RENDER_CHARS
from expert.sandbox import (LimitedEnvironment, RenderLimitError, fill_in, render_filled, render_scoped,
                            render_straight, spends_nothing)

ENV = LimitedEnvironment(undefined=StrictUndefined, autoescape=False)

STRAIGHT = [
    "群里没人说话。",
    "{{ members }} 人，{{ now }} 位在带头",
    "{% if owner_role == 'leader' %}连群主在内，{% endif %}群里有 {{ now }} 个人",
    "{% if x is none %}-{% elif x >= 3 and not flag %}{{ x }}{% else %}{{ -x }}{% endif %}",
    "{{ x if flag else y }} {{ items[0] }} {{ items[1:] }} {{ d.k }} {{ d['k'] }} {{ (x - y) // 2 }} {{ x / 4 }}",
    "{% if 'a' in items %}{{ [x, y] }} {{ (x, y) }} {{ {'k': x} }}{% endif %}",
]
SPENDING = [
    "{% for i in items %}{{ i }}{% endfor %}",  # a loop: a step a turn
    "{{ label('kind') }}",  # a call
    "{{ items|join(', ') }}",  # a filter
    "{{ x + y }}", "{{ x * y }}", "{{ x ** y }}", "{{ '%s' % x }}",  # counted operators
    "{{ x ~ y }}",  # a concatenation, size-checked
    "{% set n = x %}{{ n }}",  # an exported name
    "{% macro m() %}{{ x }}{% endmacro %}{{ m() }}",
    "{% include 'other' %}",
    "{% autoescape true %}{{ x }}{% endautoescape %}",
    "{{ x is divisibleby(num=3) }}",  # a keyword argument: not among the nodes looked at
]


@pytest.mark.parametrize("source", STRAIGHT)
def test_a_text_of_output_ifs_and_comparisons_spends_nothing(source):
    assert spends_nothing(ENV.parse(source))


@pytest.mark.parametrize("source", SPENDING)
def test_a_text_with_a_loop_call_filter_counted_operator_or_block_may_spend(source):
    assert not spends_nothing(ENV.parse(source))


CALLS = ("label", "plural")  # the functions every text is given (expert/report.py TEXT_FUNCTIONS)
STRAIGHT_CALLING = [
    "成员为{{ label('kind') }}而来，群给的是{{ label('value') }}",
    "{% if x %}{{ plural(x, 'person', 'people') }}{% else %}{{ label(kind) }}{% endif %}",
]
SPENDING_CALLING = [
    "{{ other('kind') }}",  # a function not the caller's
    "{{ label(label('kind')) }}",  # a call in an argument
    "{{ label('kind', lang='en') }}",  # a keyword argument
    "{{ label(*items) }}",
    "{{ x.upper() }}",  # a method
    "{{ label('kind')|upper }}",  # a filter
    "{{ label('kind') }}" * 17,  # more calls than a handful
]


@pytest.mark.parametrize("source", STRAIGHT_CALLING)
def test_a_text_calling_the_caller_s_functions_by_name_spends_nothing_of_note(source):
    assert spends_nothing(ENV.parse(source), CALLS)
    assert not spends_nothing(ENV.parse(source))  # without them named, a call is a call


@pytest.mark.parametrize("source", SPENDING_CALLING)
def test_a_text_with_any_other_call_may_spend(source):
    assert not spends_nothing(ENV.parse(source), CALLS)


def _outcome(render, template, variables, own):
    try:
        return render(template, variables, own)
    except Exception as exc:  # the same failure, said the same way
        return f"{type(exc).__name__}: {exc}"


def _straight_and_budgeted_alike(sources, draw, turns: int) -> set[str]:
    """Each text rendered straight and with a budget on `turns` draws of (variables, own): the same text or the
    same failure every time. What came out: "text", or the kinds of error."""
    templates = [ENV.from_string(source) for source in sources]
    seen = set()
    for _ in range(turns):
        variables, own = draw()
        for template in templates:
            straight = _outcome(render_straight, template, variables, dict(own))
            assert straight == _outcome(render_scoped, template, variables, dict(own)), (variables, own)
            seen.add(straight.partition(":")[0] if "Error" in straight.partition(":")[0] else "text")
    return seen


def test_a_text_that_spends_nothing_renders_straight_as_it_renders_with_a_budget():
    rng = random.Random(16)
    values = [None, True, False, 0, 1, 3, -2, 2.5, -0.0, "leader", "", "a", [], ["a", 1], {"k": "v"}, {}]

    def draw():
        variables = {**ENV.globals, **{name: rng.choice(values) for name in ("members", "now", "x", "y", "items", "d")
                                       if rng.random() < 0.9}}
        return variables, {name: rng.choice(values) for name in ("owner_role", "flag", "x") if rng.random() < 0.5}

    assert {"text", "UndefinedError", "TypeError"} <= _straight_and_budgeted_alike(STRAIGHT, draw, 3000)


def test_a_text_calling_the_caller_s_functions_renders_straight_as_it_renders_with_a_budget():
    from expert.report import plural
    from expert.sandbox import plain_function

    rng = random.Random(18)
    values = [None, 0, 1, 3, 2.5, "leader", "", ["a", 1], "boom"]

    @plain_function
    def label(qid):
        if qid == "boom":
            raise ValueError("no such question")
        return f"「{qid}」"

    def draw():
        variables = {**ENV.globals, **{name: rng.choice(values) for name in ("x", "kind") if rng.random() < 0.9}}
        return variables, {"label": label, "plural": plural}

    assert {"text", "ValueError", "UndefinedError"} <= _straight_and_budgeted_alike(STRAIGHT_CALLING, draw, 2000)


def test_a_straight_text_past_the_output_limit_is_refused():
    half = "字" * (MAX_RENDER_CHARS // 2 + 1)
    template = ENV.from_string("{{ x }}{% if x %}{{ x }}{% endif %}")
    assert spends_nothing(ENV.parse("{{ x }}{% if x %}{{ x }}{% endif %}"))
    for render in (render_straight, render_scoped):
        with pytest.raises(RenderLimitError) as caught:
            render(template, {"x": half}, {})
        assert "1,000,000" in str(caught.value)
    assert render_straight(template, {"x": "短"}, {}) == "短短"


def test_a_straight_text_past_its_time_is_refused(monkeypatch):
    template = ENV.from_string("{{ members }} 人")
    monkeypatch.setattr("expert.sandbox.MAX_RENDER_SECONDS", -1.0)  # every render is already late when it ends
    for render in (render_straight, render_scoped):
        with pytest.raises(RenderLimitError) as caught:
            render(template, {"members": 5}, {})
        assert "-1" in str(caught.value)


def test_a_set_in_a_text_writes_its_own_variables_not_the_case_s():
    # render_scoped's promise, kept by the text that does not render straight
    template = ENV.from_string("{% set members = 3 %}{{ members }}")
    variables, own = {"members": 500}, {}
    assert render_scoped(template, variables, own) == "3"
    assert variables == {"members": 500} and own == {"members": 3}


FILLED = ["群里没人说话。", "{{ members }} 人", "每周 {{ x }} 小时，{{ y }} 次{{ items }}{{ d }}", "{{ x }}{{ x }}", ""]


@pytest.mark.parametrize("source", FILLED)
def test_a_text_of_only_text_and_names_is_filled_in(source):
    assert fill_in(ENV.parse(source)) is not None


@pytest.mark.parametrize("source", STRAIGHT[2:] + SPENDING)
def test_a_text_with_anything_else_is_not_filled_in(source):
    assert fill_in(ENV.parse(source)) is None


class _Unprintable:
    def __str__(self):
        raise ValueError("cannot be printed")


def test_a_text_filled_in_reads_as_the_budgeted_render_and_fails_as_it_fails():
    rng = random.Random(17)
    values = [None, True, 0, -0.0, 2.5, 10 ** 30, "leader", "", ["a", 1], {"k": "v"}, _Unprintable(), len]
    seen = set()
    for _ in range(2000):
        variables = {**ENV.globals, **{name: rng.choice(values) for name in ("members", "x", "y", "items", "d")
                                       if rng.random() < 0.9}}
        own = {name: rng.choice(values) for name in ("x", "d") if rng.random() < 0.5}
        for source in FILLED:
            template = ENV.from_string(source)
            pieces = fill_in(ENV.parse(source))
            filled = _outcome(lambda *a: render_filled(pieces, *a), template, variables, dict(own))
            assert filled == _outcome(render_scoped, template, variables, dict(own)), (source, variables, own)
            seen.add(filled.partition(":")[0] if "Error" in filled.partition(":")[0] else "text")
    assert {"text", "UndefinedError", "ValueError"} <= seen


def test_a_text_filled_in_past_the_output_limit_or_its_time_is_refused(monkeypatch):
    template = ENV.from_string("{{ x }}{{ x }}")
    pieces = fill_in(ENV.parse("{{ x }}{{ x }}"))
    with pytest.raises(RenderLimitError):
        render_filled(pieces, template, {"x": "字" * (MAX_RENDER_CHARS // 2 + 1)}, {})
    monkeypatch.setattr("expert.sandbox.MAX_RENDER_SECONDS", -1.0)
    with pytest.raises(RenderLimitError):
        render_filled(pieces, template, {"x": "短"}, {})
