"""Every speed-up against the straightforward path, over random valid cases: the same findings
(params, evidence, trail), notes, metrics and plan as experta run its own way, and compiled
expressions equal to the tree walk."""

from __future__ import annotations

import random
from dataclasses import replace
from types import SimpleNamespace

import pytest

from expert import conditions as c
from expert.answers import validate_answers
from expert.checkup import Checkup
from expert.sampling import random_answers

CASES = 300


def plain_experta(engine_class):
    """The same rules with experta's own matcher, reset, run and deffacts lookup: the straightforward path."""
    from experta import KnowledgeEngine
    from experta.matchers import ReteMatcher
    from experta.strategies import DepthStrategy

    return type(f"Plain{engine_class.__name__}", (engine_class,), {
        "__matcher__": ReteMatcher, "__strategy__": DepthStrategy, "reset": KnowledgeEngine.reset,
        "run": KnowledgeEngine.run, "get_deffacts": KnowledgeEngine.get_deffacts})


@pytest.fixture(scope="module")
def straightforward(kb):
    checkup = Checkup(kb)
    checkup.diagnoser.engine = plain_experta(checkup.diagnoser.engine_class)()
    checkup.prescriber.engine = plain_experta(type(checkup.prescriber.engine))()
    return checkup


def random_cases(kb, seed: int, n: int = CASES):
    rng = random.Random(seed)
    q = kb.questionnaire
    return [validate_answers({"answers": random_answers(q, rng), "date": "2026-11-24"}, q, f"case {i}")
            for i in range(n)]


def everything(diagnosis) -> dict:
    return {**diagnosis.as_dict(), "all_notes": [f.as_dict() for f in diagnosis.notes],
            "plan": diagnosis.plan.as_dict()}


@pytest.mark.parametrize("seed", [1, 2])
def test_random_cases_diagnose_and_plan_as_experta_would_on_its_own(checkup, straightforward, kb, seed):
    cases = random_cases(kb, seed)
    differing = [a.name for a in cases if everything(checkup.diagnose(a)) != everything(straightforward.diagnose(a))]
    assert differing == []
    # the comparison is not empty: the cases reach findings, chains and plans
    diagnoses = [checkup.diagnose(a) for a in cases]
    assert sum(len(d.findings) for d in diagnoses) > CASES
    assert any(len(f.trail) > 1 for d in diagnoses for f in d.findings)
    assert any(d.plan.steps for d in diagnoses)


def test_the_order_of_treatment_is_worked_out_as_ranking_then_treating_would(checkup, kb):
    # a diagnosis ranks and picks its treatment in one pass (the findings' urgency worked out once, the
    # order's positions remembered): the same as ranking them and then picking from the ranked ones
    policy = kb.rules.policy
    through = 0
    for answers in random_cases(kb, 6, 150):
        diagnosis = checkup.diagnose(answers)
        shuffled = random.Random(answers.name).sample(diagnosis.findings, len(diagnosis.findings))
        ranked = policy.ranked(shuffled)
        assert policy.triage(shuffled) == (ranked, policy.treatment(ranked)) == (diagnosis.findings,
                                                                                   diagnosis.treatment)
        through += bool(policy.treated_through(ranked))
    assert through > 10
    assert policy.positions() == {fid: n for n, fid in enumerate(policy.order)}


def test_evidence_is_the_answers_read_by_the_first_alternative_that_holds(checkup, kb):
    # the fact design binds only the Community fact; a finding's evidence is read from it. The plain
    # reading: the answers that the first alternative of its rule that holds reads, after the evidence
    # of the findings that alternative reads, in questionnaire order
    position = {qid: n for n, qid in enumerate(kb.questionnaire.questions)}
    rules = {rule.id: rule for rule in kb.rules.rules}
    checked = 0
    for answers in random_cases(kb, 4, 150):
        diagnosis = checkup.diagnose(answers)
        concluded = {f.id: f for f in [*diagnosis.findings, *diagnosis.notes]}
        for finding in concluded.values():
            alternatives = c.disjunctive_normal_form(rules[finding.rule].when_node)
            atoms = next(a for a in alternatives if all(c.holds(atom, answers.values, concluded) for atom in a))
            expected: dict = {}
            for atom in atoms:
                if isinstance(atom, c.Found):
                    expected.update(concluded[atom.finding].evidence)
            for atom in atoms:
                expected.update({qid: answers.values.get(qid) for qid in c.answers_used(atom)})
            assert finding.evidence == expected, (answers.name, finding.id)
            assert list(finding.evidence) == sorted(finding.evidence, key=position.get)
            checked += len(atoms) > 1
    assert checked > 100


def test_a_case_diagnosed_after_others_is_diagnosed_as_on_a_fresh_engine(checkup, kb):
    # the reset wipes only the nodes that hold memory: nothing of a case may reach the next one
    cases = random_cases(kb, 3, 60)
    fresh = Checkup(kb)
    for answers in cases:
        checkup.diagnose(answers)
    for answers in reversed(cases):
        assert everything(checkup.diagnose(answers)) == everything(Checkup(kb).diagnose(answers)) \
            == everything(fresh.diagnose(answers))


def _expressions(kb):
    for rule in kb.rules.rules:
        if rule.when_node is not None:
            yield from c.walk(rule.when_node)
        for node in rule.param_nodes.values():
            yield from c.walk(node)
    for metric in kb.rules.metrics:
        yield from c.walk(metric.node)
    for action in kb.actions.actions.values():
        for node in [action.when_node, *(v.when_node for v in action.variants), *action.param_nodes.values()]:
            yield from c.walk(node)


def test_compiled_expressions_give_what_the_tree_walk_gives(kb):
    nodes = list(dict.fromkeys(_expressions(kb)))
    assert any(isinstance(n, c.Call) for n in nodes) and any(isinstance(n, c.BoolOp) for n in nodes)
    findings = ["too_few_leaders", "no_rhythm"]
    for answers in random_cases(kb, 4, 150):
        values = {**answers.values}
        for node in nodes:
            walked, run = c.evaluate(node, values, findings), c.compiled(node)(values, findings)
            assert run == walked and type(run) is type(walked), node


@pytest.mark.parametrize("text, values, expected", [
    ("default(m, 10) / 0", {}, c.UNKNOWN),
    ("answered(m) and m > 3", {"m": 5}, True),
    ("count(ch) >= 2 or not answered(ch)", {}, True),
    ("ceil(m / 3) == 2", {"m": 4}, True),
    ("ceil(m / 3)", {"m": None}, c.UNKNOWN),
    ("m * m * m > 1", {"m": 1e200}, c.UNKNOWN),  # overflow to infinity is no number
    ("m > 1 and ch", {"m": 0}, False),  # known false beats unknown
    ("m > 1 or ch", {"m": 0}, c.UNKNOWN),
    ("m / n", {"m": 6, "n": 3}, 2),  # a whole quotient is an int
    ("m / n", {"m": 1, "n": 4}, 0.25),
    ("m / n", {"m": 1, "n": 0}, c.UNKNOWN),
    ("m / n", {"m": 10 ** 400, "n": 3}, c.UNKNOWN),  # too large for a float
    ("m - n", {"m": 1e308, "n": -1e308}, c.UNKNOWN),
    ("m + ch", {"m": 1, "ch": ["a"]}, c.UNKNOWN),
    ("m * n", {"m": None, "n": 2}, c.UNKNOWN),
    ("m > n", {"m": 1, "n": "a"}, c.UNKNOWN),
    ("m > n", {"m": 2, "n": 1}, True),
    ("max(m, n)", {"m": 1, "n": None}, c.UNKNOWN),
    ("max(m, n) + min(m, n)", {"m": 1, "n": 2.5}, 3.5),
    ("ceil(m)", {"m": "x"}, c.UNKNOWN),
    ("round(m)", {"m": 2.5}, 2),
    ("abs(m)", {"m": -3}, 3),
    ("m / 2", {"m": 4}, 2),  # a constant side, read rather than called
    ("m / 4", {"m": 2}, 0.5),
    ("m * 2.5", {"m": 2}, 5.0),
    ("m - 1", {"m": None}, c.UNKNOWN),
    ("m + 1", {"m": "a"}, c.UNKNOWN),
])
def test_compiled_edge_cases_match_the_tree_walk(text, values, expected):
    node = _resolve_names(c.parse_expression(text))
    walked, run = c.evaluate(node, values), c.compiled(node)(values)
    assert walked == expected and run == expected
    assert type(walked) is type(run) is type(expected)


def _random_expression(rng, depth=0) -> str:
    """A random number-valued expression over the names m, n and ch (a multiple choice)."""
    if depth > 3 or rng.random() < 0.3:
        return rng.choice(["m", "n", "m", "n", "0", "1", "2", "3", "0.5", "4", "100", "1.5", "0.7 * 4"])
    kind = rng.randrange(6)
    if kind < 3:
        op = rng.choice("+-*/")
        return f"({_random_expression(rng, depth + 1)} {op} {_random_expression(rng, depth + 1)})"
    if kind == 3:
        func = rng.choice(["floor", "ceil", "round", "abs"])
        return f"{func}({_random_expression(rng, depth + 1)})"
    if kind == 4:
        func = rng.choice(["min", "max"])
        return f"{func}({', '.join(_random_expression(rng, depth + 1) for _ in range(rng.choice([2, 2, 3])))})"
    return rng.choice([f"default({_random_expression(rng, depth + 1)}, 7)", "count(ch)", "- m"])


def test_compiled_random_expressions_give_what_the_tree_walk_gives():
    # every shape an operator's operands can take (an answer, a constant, a constant worked out once,
    # any other expression), over values of every kind an answer or a mistake can hold
    rng = random.Random(23)
    odd = [None, 0, 1, -3, 2.5, 1e308, -1e308, 10 ** 400, "a", True, ["a", "b"], [], 0.0]
    compared = 0
    for _ in range(400):
        text = _random_expression(rng)
        if rng.random() < 0.5:
            text = f"{text} {rng.choice(['<', '<=', '>', '>=', '==', '!='])} {_random_expression(rng)}"
        node = _resolve_names(c.parse_expression(text))
        run = c.compiled(node)
        for _ in range(12):
            values = {"m": rng.choice(odd), "n": rng.choice(odd), "ch": rng.choice([None, [], ["a"], ["a", "b"]])}
            try:
                walked = c.evaluate(node, values)
            except (TypeError, ValueError, OverflowError):
                continue  # the compiled form need not work out an operand whose partner is unknown
            got = run(values)
            assert got == walked or (got != got and walked != walked), (text, values)
            assert type(got) is type(walked), (text, values)
            compared += 1
    assert compared > 3000


def _resolve_names(node):
    """Bare names as answers, without a questionnaire: enough for the evaluator."""
    import dataclasses

    if isinstance(node, c.Name):
        return c.Answer(node.name)
    if not dataclasses.is_dataclass(node):
        return node
    changes = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, c.Node):
            changes[f.name] = _resolve_names(value)
        elif isinstance(value, tuple):
            changes[f.name] = tuple(_resolve_names(v) if isinstance(v, c.Node) else v for v in value)
    return dataclasses.replace(node, **changes)


def test_the_actions_that_hold_are_those_whose_conditions_hold(checkup, kb):
    # the prescriber's fact design (one Case fact: the answers actions read and the set of concluded
    # problems, `found(x)` a test of that set) against the plain reading: a concluded problem names
    # the action, and its condition holds over the answers and the concluded problems
    from expert import conditions as c

    naming: dict[str, set] = {}
    for fid, finding in kb.rules.findings.items():
        for aid in finding.text.actions:
            naming.setdefault(aid, set()).add(fid)
    prescriber = checkup.prescriber
    reads_found = {aid for aid, action in kb.actions.actions.items() if c.findings_used(action.when_node)}
    seen, reading = 0, set()
    for answers in random_cases(kb, 5, 200):
        diagnosis = checkup.diagnoser.diagnose(answers)
        problems = [f.id for f in diagnosis.findings]
        prescriber.prescribe(answers, diagnosis)
        got = {prescriber.rules[a.rule.__name__] for a in prescriber.engine.agenda.activations}
        expected = {(aid, n) for aid, action in kb.actions.actions.items() if naming.get(aid, set()) & set(problems)
                    for n, node in enumerate([action.when_node, *(v.when_node for v in action.variants)])
                    if c.holds(node, answers.values, problems)}
        assert got == expected, answers.name
        seen += len(got)
        reading |= {rule for rule in got if rule[0] in reads_found}
    assert seen > 200
    # actions chosen by `found(x)` or `not found(x)` were among those that held
    assert len(reading) >= 3


def test_texts_rendered_once_a_case_read_as_when_each_built_its_own_variables(checkup, kb):
    # the straightforward way: every text compiled as it is, with no shortcut for a text without
    # Jinja, and rendered with its own merged copy of the variables and of Jinja's globals
    from expert.render import _STRING_ENV
    from expert.report import ReportBuilder, question_and_answer
    from expert.sandbox import render

    def own_context(source, scope, where, params):
        variables, own, _, _ = scope
        return render(_STRING_ENV.from_string(source), {**variables, **own}).strip()

    plain = ReportBuilder(kb, own_context)
    plain.said = question_and_answer  # every symptom line said afresh, none remembered
    for answers in random_cases(kb, 6, 120):
        diagnosis = checkup.diagnose(answers)
        for lang in kb.languages:
            # the renderer adds the follow-up section's slot (None without --since) to the builder's context
            assert checkup.renderer.context(answers, diagnosis, lang) == {
                **plain.context(answers, diagnosis, lang), "followup": None}
    assert checkup.renderer._texts, "texts were kept by what they read, and read back"
    # and texts met again were filled in, rendered straight, or within a budget: all three compared here
    from expert.sandbox import render_filled, render_scoped, render_straight

    used = {getattr(how, "func", how) for _, _, how in checkup.renderer._sources.values()}
    assert {render_filled, render_straight, render_scoped} <= used


def test_a_check_s_findings_advice_and_summary_are_its_entries_sorted_as_first_written(checkup, kb):
    # context() sorts a check's entries into findings, advice and the summary's titles in one pass;
    # first written, each was a filter over all the check's entries, in the diagnosis' order
    from expert.messages import t

    seen = set()
    for answers in random_cases(kb, 14, 150):
        diagnosis = checkup.diagnose(answers)
        for lang in kb.languages:
            context = checkup.renderer.context(answers, diagnosis, lang)
            for check in context["checks"]:
                made = {e["id"]: e for e in check["findings"] + check["advice"]}
                entries = [made[f.id] for f in diagnosis.findings if f.check == check["id"]]
                assert check["findings"] == [e for e in entries if not e["advice"]]
                assert check["advice"] == [e for e in entries if e["advice"]]
                marked = [t("report.advice_mark", lang, title=e["title"]) if e["advice"] else
                          t("report.first_mark", lang, title=e["title"]) if e["first"] else e["title"] for e in entries]
                assert check["summary"] == t("answer.titles_sep", lang).join(marked)
                for kind, shown in (("strength", check["strengths"]), ("watch", check["watch"])):
                    assert [n["id"] for n in shown] == [f.id for f in diagnosis.notes
                                                        if f.check == check["id"] and f.kind == kind]
                seen.update((bool(check["findings"]), bool(check["advice"]), bool(check["strengths"])))
    assert seen == {True, False}


def test_verdicts_in_the_report_are_the_diagnosis_own(checkup, kb):
    # the report judges each check once, by its findings' severities, where Diagnosis judges them afresh
    seen = set()
    for answers in random_cases(kb, 11, 200):
        diagnosis = checkup.diagnose(answers)
        context = checkup.renderer.context(answers, diagnosis, "zh")
        assert {c["id"]: c["verdict"] for c in context["checks"]} == diagnosis.verdicts
        assert context["verdict"] == diagnosis.overall
        seen.update(diagnosis.verdicts.values())
    assert seen == {"healthy", "watch", "danger"}


def test_our_functions_called_directly_give_what_jinja_s_call_gives(kb, monkeypatch):
    # label, choice_label, plural and range are called by the sandbox without Jinja's questions;
    # with none of them marked, every call goes Jinja's way: the same reports, the same failures
    from expert.render import Renderer

    def reports(renderer):
        out = []
        for answers in random_cases(kb, 12, 60):
            diagnosis = Checkup(kb).diagnose(answers)
            out += [renderer.context(answers, diagnosis, lang) for lang in kb.languages]
        return out

    def called(source, **values):
        from expert.render import _STRING_ENV
        from expert.report import plural
        from expert.sandbox import render

        try:
            return render(_STRING_ENV.from_string(source), {"plural": plural, **values})
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"

    sources = ["{% for n in range(3) %}{{ plural(n, 'hour') }} {{ plural(n, singular='person', plural_form='people') }}"
               "{% endfor %}", "{{ plural(2) }}", "{{ range(3)|list }} {{ range(10**9) }}", "{{ plural(*xs) }}"]
    fast = reports(Renderer(kb)), [called(s, xs=[1, "day"]) for s in sources]
    monkeypatch.setattr("expert.sandbox._PLAIN_CODE", set())
    assert reports(Renderer(kb)) == fast[0]
    assert [called(s, xs=[1, "day"]) for s in sources] == fast[1]
    assert "TypeError" in fast[1][1] and "RenderLimitError" in fast[1][2]


def test_a_text_kept_by_what_it_reads_renders_as_it_renders_afresh(kb, monkeypatch):
    # True, 1 and 1.0 are equal, and so are 0.0 and -0.0, but a page shows them differently (label() of
    # a scale answer says "True / 5" or "1 / 5"): a rendering is kept by the values with their types
    from expert.render import Renderer, _STRING_ENV, _Trial

    # the text shows a multiple choice, so it is kept on trial; every value here is new, and the trial
    # would end keeping after a round of misses: not judged here, where the keys are what is tested
    monkeypatch.setattr(_Trial, "ROUND", 10_000)
    from expert.report import format_answer, plural
    from expert.sandbox import render

    renderer = Renderer(kb)
    questions = kb.questionnaire.questions
    scale = next(q for q in questions.values() if q.type == "scale")
    multiple = next(q for q in questions.values() if q.type == "multiple")
    choice = multiple.choices[0].value
    source = (f"{{{{ {scale.id} }}}}|{{{{ label('{scale.id}') }}}}|{{% if {scale.id} is sameas true %}}yes{{% endif %}}|"
              f"{{{{ label('{multiple.id}') }}}}|{{{{ {multiple.id} }}}}|{{{{ deadline }}}}")
    scales = [True, 1, 1.0, 2, False, 0, 0.0, -0.0, None, "1"]
    ticked = [[choice], [str(choice)], (choice,), [], None]

    def rendered() -> list[str]:
        out = []
        for lang in kb.languages:
            for value in scales:
                for ticks in ticked:
                    values = {scale.id: value, multiple.id: ticks}

                    def label(qid, values=values, lang=lang):
                        return format_answer(questions[qid], values.get(qid), lang)

                    variables = {**renderer.builder.text_globals, **values}
                    own = {"label": label, "plural": plural, "deadline": "12月1日"}
                    text = renderer.render_text(source, (variables, own, values, lang), ("rules/x.yaml", 1, "x", "t"), {})
                    assert text == render(_STRING_ENV.from_string(source), {**variables, **own}).strip(), (value, ticks)
                    out.append(text)
        return out

    first = rendered()  # the very first rendering is not looked into: a one-shot report never is
    assert len(renderer._texts) == len(first) - 1  # each of the others kept on its own
    assert rendered() == first  # read back
    assert len(renderer._texts) == len(first)


def test_a_text_reading_params_is_kept_while_they_recur_and_renders_as_afresh(kb):
    # a count of missing traits takes five values: kept; a number of hours a param works out seldom
    # recurs: after a round of misses with few found again, rendered every time
    from expert.render import Renderer, _STRING_ENV, _Trial
    from expert.sandbox import render

    renderer = Renderer(kb)
    choice = next(q for q in kb.questionnaire.questions.values() if q.type == "single")
    number = next(q for q in kb.questionnaire.questions.values() if q.type == "integer")
    where = ("rules/x.yaml", 1, "x", "diagnosis.zh")
    few = f"{{% if {choice.id} == 'x' %}}是{{% endif %}}缺了 {{{{ missing }}}} 样"
    many = "每周要 {{ hours_needed }} 小时"
    with_number = f"{{{{ {number.id} }}}} 人，缺了 {{{{ missing }}}} 样"  # a number answer: never kept
    rng = random.Random(3)
    for turn in range(300):
        variables = {**renderer.builder.text_globals, choice.id: rng.choice(["x", "y"]), number.id: rng.randint(1, 9)}
        own = {"missing": rng.randint(0, 4), "hours_needed": 1.5 + turn}
        for source in (few, many, with_number):
            text = renderer.render_text(source, (variables, own, {}, "zh"), where, own)
            assert text == render(_STRING_ENV.from_string(source), {**variables, **own}).strip()
    assert renderer._sources[few][1] is not None and renderer._trials[few].hits > 250
    assert renderer._sources[many][1] is None and renderer._trials[many].misses == _Trial.ROUND
    assert renderer._sources[with_number][1] is None and with_number not in renderer._trials
    assert sum(key[0] == many for key in renderer._texts) == _Trial.ROUND


def test_a_text_showing_ticked_options_is_kept_on_trial_and_renders_as_afresh(kb):
    # the options ticked of two multiple-choice questions seldom meet the same pair again: after a round of
    # misses with few found again, the text is rendered every time; one of a yes/no answer stays kept
    from expert.render import Renderer, _STRING_ENV, _Trial
    from expert.sandbox import render

    renderer = Renderer(kb)
    questions = kb.questionnaire.questions
    sets = [q for q in questions.values() if q.type == "multiple" and len(q.choices) >= 5][:2]
    yesno = next(q for q in questions.values() if q.type == "yesno")
    where = ("rules/x.yaml", 1, "x", "diagnosis.zh")
    pair = f"为了{{{{ label('{sets[0].id}') }}}}而来，得到的是{{{{ label('{sets[1].id}') }}}}"
    steady = f"{{% if {yesno.id} %}}是{{% else %}}否{{% endif %}}"
    builder = renderer.builder
    rng = random.Random(5)
    for _ in range(300):
        values = {q.id: sorted(rng.sample([c.value for c in q.choices], rng.randint(1, len(q.choices))))
                  for q in sets}
        values[yesno.id] = rng.random() < 0.5
        variables = {**builder.text_globals, **values}
        # label() as a case gives it: what it reads is the case's answers
        functions = builder.text_variables(SimpleNamespace(values=values), SimpleNamespace(metrics={}, plan=None),
                                           "zh")[1]
        for source in (pair, steady):
            text = renderer.render_text(source, (variables, dict(functions), values, "zh"), where, {})
            assert text == render(_STRING_ENV.from_string(source), {**variables, **functions}).strip()
    assert renderer._sources[pair][1] is None and renderer._trials[pair].misses == _Trial.ROUND
    assert renderer._sources[steady][1] is not None and steady not in renderer._trials
    assert sum(key[0] == pair for key in renderer._texts) == _Trial.ROUND
    assert sum(key[0] == steady for key in renderer._texts) == 2


@pytest.mark.parametrize("source, reads", [
    ("{{ members }} 人，{{ label('kind') }}", (("label", "members"), ("kind",))),
    ("{% set n = members %}{{ plural(n, 'member') }}", (("members", "plural"), ())),
    ("{{ label }}", None),  # printed, a function shows where it lives, which differs from case to case
    ("{% set f = plural %}{{ f(1, 'hour') }}", None),
    ("{{ label(kind) }}", None),  # a computed question
    ("{{ [1, 2]|random }}", None),
    ("{{ [[1], [2]]|map('random')|list }}", None),
])
def test_what_a_text_reads_is_all_its_rendering_depends_on(source, reads):
    from expert.render import _text_reads

    assert _text_reads(source) == reads


def test_single_answer_tests_hold_exactly_when_the_condition_holds(kb):
    atoms = {(atom, c.answers_used(atom)[0]) for rule in kb.rules.rules if rule.when_node is not None
             for alternative in c.disjunctive_normal_form(rule.when_node) for atom in alternative
             if len(c.answers_used(atom)) == 1}
    assert any(isinstance(a, c.Compare) for a, _ in atoms) and any(isinstance(a, c.Truthy) for a, _ in atoms)
    cases = random_cases(kb, 7, 100)
    for atom, qid in atoms:
        test = c.holds_for(atom, qid)
        for value in [None, *(answers.values.get(qid) for answers in cases)]:
            assert test(value) == c.holds(atom, {qid: value}), (atom, value)


@pytest.mark.parametrize("text", ["'a' in ch", "'a' not in ch", "count(ch) <= 1", "count(ch) == 2", "count(ch) > 'x'",
                                  "answered(ch)", "ch", "ch >= 2", "ch == 'a'", "ch * 2 > 3"])
def test_a_single_answer_test_of_any_shape_holds_where_the_condition_holds(text):
    node = _resolve_names(c.parse_expression(text))
    test = c.holds_for(node, "ch")
    for value in [None, [], ["a"], ["a", "b"], "abc", "a", 3, 0, 2.5]:
        try:
            expected = c.holds(node, {"ch": value})
        except TypeError:  # `'a' in 3`, `count(3)`: the condition fails, and so does its test
            with pytest.raises(TypeError):
                test(value)
            continue
        assert test(value) is expected, (text, value)


@pytest.mark.parametrize("obj, attribute", [
    ({"title": "读书会"}, "title"),
    ({"items": "a key"}, "items"),  # a dict's own attribute wins, as in Jinja
    ({"title": "x"}, "missing"),
    ({}, "__class__"),
    ({"__class__": "a key"}, "__class__"),
    ([1, 2], "title"),
])
def test_a_dot_in_a_template_finds_what_jinja_s_sandbox_finds(obj, attribute):
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from jinja2 import StrictUndefined

    from expert.sandbox import LimitedEnvironment

    ours = LimitedEnvironment(undefined=StrictUndefined).getattr(obj, attribute)
    theirs = ImmutableSandboxedEnvironment(undefined=StrictUndefined).getattr(obj, attribute)
    if isinstance(theirs, StrictUndefined):
        assert isinstance(ours, StrictUndefined)
    else:
        assert ours == theirs


def _tidy_as_written_first(text: str) -> str:
    out: list[str] = []
    for line in text.splitlines():
        heading = line.startswith("#")
        if heading and out and out[-1] != "":
            out.append("")
        if line.strip() == "" and (not out or out[-1] == ""):
            continue
        if out and out[-1].startswith("#") and line.strip() != "":
            out.append("")
        out.append(line.rstrip() if line.strip() else "")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def test_markdown_is_tidied_as_by_the_first_way_of_writing_it(checkup, kb):
    from expert.render import tidy_markdown

    rng = random.Random(8)
    pieces = ["# a", "## b ", "", "  ", "text", "text  ", "#", "- item", "\t", "#no space", "x\u3000", " # not", "\u3000",
              "x\x1f", "\xa0", "a\tb \t"]
    odd = ["a\r\nb", "\r", "x\x0b", "\u2028# h", "\x1c", " \x85 ", "\x0c", "\u2029"]
    texts = ["\n".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    texts += ["\n".join(rng.choice(pieces + odd) for _ in range(rng.randint(0, 12))) for _ in range(1000)]
    texts += ["".join(rng.choice("#\n \ta\u3000\x1f\r") for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    for answers in random_cases(kb, 9, 30):
        diagnosis = checkup.diagnose(answers)
        texts.append(render_raw(checkup, answers, diagnosis))
    for text in texts:
        assert tidy_markdown(text) == _tidy_as_written_first(text), repr(text)


def test_the_prescription_rendered_with_its_globals_kept_reads_as_with_jinja_s_own_context(checkup, kb):
    # Renderer.markdown gives the template the context with the globals copied once (shared=True);
    # template.new_context copies them from their ChainMap for every document
    from expert.render import _environment, tidy_markdown
    from expert.sandbox import render

    for answers in random_cases(kb, 13, 60):
        diagnosis = checkup.diagnose(answers)
        for lang in kb.languages:
            path = kb.templates[lang]
            template = _environment(str(path.parent)).get_template(path.name)
            own = tidy_markdown(render(template, checkup.renderer.context(answers, diagnosis, lang)))
            assert checkup.renderer.markdown(answers, diagnosis, lang) == own


def test_a_template_compiled_our_way_reads_as_compiled_jinja_s_way(checkup, kb):
    # our code generator joins the pieces of one output into one yield, and reads a dict's key in
    # place for `c.title`: Jinja's own yields piece by piece and asks environment.getattr
    from jinja2 import StrictUndefined
    from jinja2.compiler import CodeGenerator

    from expert.render import _TemplateLoader
    from expert.sandbox import LimitedEnvironment, _GuardedCodeGenerator, render

    class AsJinjaWrites(_GuardedCodeGenerator):
        def visit_Output(self, node, frame):
            CodeGenerator.visit_Output(self, node, frame)

        def visit_Getattr(self, node, frame):
            CodeGenerator.visit_Getattr(self, node, frame)

    class Plain(LimitedEnvironment):
        code_generator_class = AsJinjaWrites

    def environment(kind):
        return kind(loader=_TemplateLoader(str(kb.templates["zh"].parent)), undefined=StrictUndefined,
                    autoescape=False, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)

    joined, plain = environment(LimitedEnvironment), environment(Plain)
    for answers in random_cases(kb, 13, 40):
        diagnosis = checkup.diagnose(answers)
        for lang, path in kb.templates.items():
            context = checkup.renderer.context(answers, diagnosis, lang)
            assert render(joined.get_template(path.name), context) == render(plain.get_template(path.name), context)
    source = ("a {{ 1 + 1 }} {{ 'b'|upper }}{% macro m(x) %}<{{ x }}|{{ x * 2 }}>{% endmacro %}{{ m(2) }}\n"
              "{% set s %}{{ m('y') }} and {{ 3 }}{% endset %}{{ s }} {% for i in range(3) %}{{ i }}-{{ loop.index }} "
              "{% endfor %}{% filter upper %}x{{ 'y' }}{% endfilter %}{{ '—' }}{{ none }}")
    assert render(joined.from_string(source), {}) == render(plain.from_string(source), {})

    class Entry(dict):
        title = "an attribute"

    def both(source, **values):
        out = []
        for env in (joined, plain):
            try:
                out.append(render(env.from_string(source), values))
            except Exception as exc:
                out.append(f"{type(exc).__name__}: {exc}")
        return out

    dots = "{{ d.title }}|{{ d.items is defined }}|{{ d.values }}|{{ d.get }}|{{ d.__class__ is defined }}|{{ loop }}"
    for d in [{"title": "读书会", "items": 1, "values": 2, "get": 3, "__class__": 4}, Entry(title="a key"), {"x": 1},
              [1, 2], "text", None]:
        assert both(dots.replace("|{{ loop }}", ""), d=d)[0] == both(dots.replace("|{{ loop }}", ""), d=d)[1], d
    assert both("{{ d.missing }}", d={})[0] == both("{{ d.missing }}", d={})[1]
    assert both("{{ nothing.title }}")[0] == both("{{ nothing.title }}")[1]
    assert "UndefinedError" in both("{{ nothing.title }}")[0]


def test_a_loop_paid_for_at_its_start_spends_what_turn_by_turn_spends():
    # a list, tuple or range is paid for when its loop starts; anything else turn by turn
    from expert.sandbox import _BUDGET, LimitedEnvironment, _Budget, _counted_turns

    makers = [lambda: [1, 2, 3], lambda: (), lambda: ("a",), lambda: range(7), lambda: {"a": 1, "b": 2},
              lambda: "xyz", lambda: (i for i in range(4)), lambda: iter([5, 6])]
    for make in makers:
        spent = []
        for counted in (LimitedEnvironment.counted, lambda items: _counted_turns(items, _BUDGET.get())):
            budget = _Budget()
            token = _BUDGET.set(budget)
            try:
                spent.append((list(counted(make())), budget.steps))
            finally:
                _BUDGET.reset(token)
        assert spent[0] == spent[1], make()
        assert spent[0][1] == len(spent[0][0])


def test_a_loop_paid_for_at_its_start_looks_at_the_clock_when_turn_by_turn_does():
    # turn by turn, the clock is read at every 16th step; a loop paid for at its start reads it when
    # its steps pass a multiple of 16: past the deadline, both stop, or both go on
    from expert.sandbox import _BUDGET, LimitedEnvironment, RenderLimitError, _Budget, _counted_turns

    def stopped(counted, start: int, items: list) -> bool:
        budget = _Budget()
        budget.steps, budget.deadline = start, 0.0  # long past
        token = _BUDGET.set(budget)
        try:
            list(counted(items))
        except RenderLimitError:
            return True
        finally:
            _BUDGET.reset(token)
        return False

    outcomes = set()
    for start in range(40):
        for n in range(40):
            paid = stopped(LimitedEnvironment.counted, start, list(range(n)))
            turns = stopped(lambda items: _counted_turns(iter(items), _BUDGET.get()), start, list(range(n)))
            assert paid == turns, (start, n)
            outcomes.add(paid)
    assert outcomes == {True, False}


def render_raw(checkup, answers, diagnosis) -> str:
    from expert.render import _environment
    from expert.sandbox import render

    path = checkup.kb.templates["zh"]
    return render(_environment(str(path.parent)).get_template(path.name),
                  checkup.renderer.context(answers, diagnosis, "zh"))


@pytest.mark.parametrize("source", [
    "群里没人说话。", "  两头有空格  \n", "line one\nline two\n\n", "\u3000全角空格\u3000", "100% 的人 # 不是注释",
    "}} 只有右括号 %}", "tab\there\n", "",
])
def test_a_text_without_jinja_reads_as_jinja_renders_it(source):
    from expert.render import _STRING_ENV, _compiled_text
    from expert.sandbox import render

    assert _compiled_text(source) == render(_STRING_ENV.from_string(source), {}).strip()


def test_a_text_with_a_brace_or_a_carriage_return_is_rendered_by_jinja():
    from expert.render import _compiled_text

    assert not isinstance(_compiled_text("{{ members }} 人"), str)
    assert not isinstance(_compiled_text("一行\r\n两行"), str)


def test_a_question_s_choice_names_made_once_are_those_made_afresh(kb):
    import copy

    from expert.coercion import _choice_names, choice_names

    questions = [q for q in kb.questionnaire.questions.values() if q.choices or q.labels]
    assert questions
    for q in questions:
        assert choice_names(q) is choice_names(q)  # made once
        assert choice_names(q) == _choice_names(q)
        other = copy.deepcopy(q)  # another questionnaire's question of the same id: its own names
        other.choices = [*(other.choices or [])][:1]
        assert choice_names(other) == _choice_names(other)


def test_choice_names_kept_with_the_knowledge_base_are_those_made_afresh(checkup, kb):
    # the session's checkup took its knowledge base's kept names as the questions' own
    from expert.coercion import _choice_names, choice_names

    kept = kb.preparation.choice_names
    assert kept == {q.id: _choice_names(q) for q in kb.questionnaire.questions.values() if q.choices or q.labels}
    assert any(q.labels for q in kb.questionnaire.questions.values() if q.id in kept)  # a scale among them
    for qid, names in kept.items():
        assert choice_names(kb.questionnaire.questions[qid]) is names


def test_an_answer_shown_by_label_remembered_is_what_format_answer_says(checkup, kb):
    # label() in a text shows format_answer's text, remembered by the answer with its type: True is
    # not 1 (是, 1 / 5), -0.0 is not 0.0, a list of options is not the same options as a tuple
    from expert.report import format_answer

    builder = Checkup(kb).renderer.builder
    rng = random.Random(15)
    odd = [None, True, False, 0, 1, 2, 5, 0.0, -0.0, 1.0, 2.5, "", "x", [], (), [True], [1], [1.0], [-0.0],
           [[1]], [[True]], [(1,)], [(True,)]]
    for _ in range(2):
        for q in kb.questionnaire.questions.values():
            choices = [c.value for c in q.choices or []]
            values = odd + choices + [rng.sample(choices, rng.randint(0, len(choices))) for _ in range(5)]
            values += [tuple(v) for v in values if type(v) is list]
            for value in values:
                for lang in kb.languages:
                    try:
                        expected = format_answer(q, value, lang)
                    except Exception as exc:
                        with pytest.raises(type(exc)):
                            builder.answer_text(q, value, lang)
                        continue
                    assert builder.answer_text(q, value, lang) == expected, (q.id, value)
    assert builder._labels, "answers were remembered, and read back"


def test_an_answer_line_remembered_is_never_another_type_s_line(checkup, kb):
    from expert.report import question_and_answer

    builder = checkup.renderer.builder
    numeric = next(q for q in kb.questionnaire.questions.values() if q.type == "integer")
    yesno = next(q for q in kb.questionnaire.questions.values() if q.type == "yesno")
    for q, values in ((numeric, [1, 1.0, 2, None]), (yesno, [True, False, None])):
        for value in values * 2:
            for lang in kb.languages:
                assert builder.said(q, value, lang) == question_and_answer(q, value, lang)
    rng = random.Random(14)
    numbers = [0, 1, -1, 1.0, 0.5, 2.25, -0.0, 1e-7, 12345678, 1.5e20, float("inf"), True, False, None]
    for q in [q for q in kb.questionnaire.questions.values() if q.type in ("integer", "number")]:
        values = numbers + [rng.randint(0, 10 ** rng.randint(0, 6)) for _ in range(20)] + [rng.random() * 100 for _ in range(10)]
        for value in values:
            for lang in kb.languages:
                assert builder.said(q, value, lang) == question_and_answer(q, value, lang), (q.id, value)
    for q, values in ((numeric, [1, 1.0, 2, None]), (yesno, [True, False, None])):
        for value in values * 2:
            for lang in kb.languages:
                assert builder.said(q, value, lang) == question_and_answer(q, value, lang)
    multiple = next(q for q in kb.questionnaire.questions.values() if q.type == "multiple")
    ticked = [multiple.choices[0].value]
    assert builder.said(multiple, ticked, "zh") == question_and_answer(multiple, ticked, "zh")
    assert builder.said(multiple, [], "zh") == question_and_answer(multiple, [], "zh")


def _ordered_by_scanning(nodes, before, key):
    """The plan's order as first written: after every placement, every action checked for readiness."""
    done, finished, left = [], set(), set(nodes)
    while left:
        ready = [a for a in left if finished.issuperset(before.get(a, ()))]
        nxt = min(ready or left, key=key)
        done.append(nxt)
        finished.add(nxt)
        left.discard(nxt)
    return done


def test_plan_order_is_the_order_found_by_scanning_for_ready_actions():
    from expert.plan import _topological

    rng = random.Random(10)
    for _ in range(3000):
        nodes = [f"a{i}" for i in range(rng.randint(0, 12))]
        pool = nodes + ["elsewhere"]  # an action followed that is not in the plan: never placed
        before = {a: rng.sample(pool, rng.randint(0, min(3, len(pool)))) for a in nodes if rng.random() < 0.7}
        if nodes and rng.random() < 0.2:  # now and then a cycle, which the loader would refuse
            a, b = rng.sample(nodes, 2) if len(nodes) > 1 else (nodes[0], nodes[0])
            before.setdefault(a, []).append(b)
            before.setdefault(b, []).append(a)
        keys = {a: (rng.randint(0, 2), rng.randint(0, 3), a) for a in nodes}
        assert _topological(nodes, before, keys.__getitem__) == _ordered_by_scanning(nodes, before, keys.__getitem__)


def _settled_and_ordered_as_first_written(prescriber, holding, answers, diagnosis):
    """The plan's settling, ordering and params as first written: every catalogue fact looked up on
    each case, and a copy of the answers for each step's params."""
    from expert.actions import PHASES
    from expert.engine import tidy_value as _tidy
    from expert.plan import _topological, _with_predecessors

    def _push_after(phase, before):
        changed = True
        while changed:
            changed = False
            for aid, preds in before.items():
                latest = max([phase[p] for p in preds]) if preds else 0
                if latest > phase[aid]:
                    phase[aid], changed = latest, True

    def params(aid, known):
        values, out = dict(known), {}
        for name, compute in prescriber.param_values[aid]:
            value = compute(values)
            out[name] = values[name] = None if value is c.UNKNOWN else _tidy(value)
        return out

    kb = prescriber.kb
    catalogue, findings, actions = kb.actions, kb.rules.findings, kb.actions.actions
    chosen = {aid: min((n for n in found if n), default=0) for aid, found in holding.items() if 0 in found}
    by_group = {actions[aid].group: aid for aid in chosen if actions[aid].group}
    treats: dict[str, set[str]] = {}
    for fid in [f.id for f in diagnosis.findings]:
        for aid in findings[fid].text.actions:
            group = actions[aid].group
            if aid in chosen:
                treats.setdefault(aid, set()).add(fid)
            elif group in by_group and catalogue.groups[group].shared:
                treats.setdefault(by_group[group], set()).add(fid)
    urgency = {f.id: n for n, f in enumerate(diagnosis.findings)}
    phase = {aid: PHASES.index(actions[aid].phase) for aid in chosen}

    def rank(aid):
        return min((urgency.get(f, len(urgency)), findings[f].text.actions.index(aid)
                    if aid in findings[f].text.actions else len(actions)) for f in treats[aid])

    ranks = {aid: rank(aid) for aid in chosen if treats.get(aid)}
    chosen = {aid: v for aid, v in chosen.items() if aid in ranks}
    by_id = {f.id: f for f in diagnosis.findings}
    for aid in chosen:
        if all(diagnosis.is_advice(by_id[f]) for f in treats[aid]):
            phase[aid] = PHASES.index("later")
    before = {aid: [b for b in actions[aid].after if b in chosen] for aid in chosen}
    first = diagnosis.first
    if first is not None:
        lead = min((aid for aid in chosen if first.id in treats[aid]), key=lambda a: (phase[a], ranks[a]), default=None)
        for aid in _with_predecessors(lead, before) if lead else []:
            phase[aid] = 0
            ranks[aid] = (-1, *ranks[aid][1:])
    _push_after(phase, before)
    order = _topological(chosen, before, lambda a: (phase[a], ranks[a], a))
    week = [a for a in order if phase[a] == 0]
    if len(week) > 3:
        for aid in week[3:]:
            phase[aid] = 1
        _push_after(phase, before)
        order = _topological(chosen, before, lambda a: (phase[a], ranks[a], a))
    return [(n, aid, PHASES[phase[aid]], sorted(treats[aid], key=lambda f: urgency.get(f, len(urgency))), chosen[aid],
             params(aid, {**answers.values, **diagnosis.metrics}))
            for n, aid in enumerate(order, start=1)]


def test_the_plan_is_settled_and_ordered_as_first_written(checkup, kb):
    prescriber = checkup.prescriber
    steps = 0
    for answers in random_cases(kb, 6, 200):
        diagnosis = checkup.diagnoser.diagnose(answers)
        plan = prescriber.prescribe(answers, diagnosis)
        holding: dict[str, set[int]] = {}
        for activation in prescriber.engine.agenda.activations:
            aid, index = prescriber.rules[activation.rule.__name__]
            holding.setdefault(aid, set()).add(index)
        expected = _settled_and_ordered_as_first_written(prescriber, holding, answers, diagnosis)
        assert [(s.number, s.action, s.phase, s.treats, s.variant, s.params) for s in plan.steps] == expected
        steps += len(expected)
    assert steps > 400


def test_the_engines_preparation_is_what_the_conditions_say_read_plainly(kb):
    # every answer and finding of a condition found by walking its tree; its alternatives by evaluating
    # them: a case holds the condition exactly when it holds every atom of some alternative
    from expert.preparation import prepare

    prepared = prepare(kb)
    questions = list(kb.questionnaire.questions)

    def read(node):
        return {n.qid for n in c.walk(node) if isinstance(n, c.Answer)}

    def ordered(qids):
        return sorted(qids, key=questions.index)

    rules = [r for r in kb.rules.rules if r.when_node is not None]
    assert prepared.diagnosis_questions == ordered(set().union(*(read(r.when_node) for r in rules)))
    assert set(prepared.chained) == {n.finding for r in rules for n in c.walk(r.when_node) if isinstance(n, c.Found)}
    conditions = [a.when_node for a in kb.actions.actions.values()]
    conditions += [v.when_node for a in kb.actions.actions.values() for v in a.variants]
    assert prepared.plan_questions == ordered(set().union(*(read(n) for n in conditions)))
    for rule in rules:
        alternatives = prepared.rule_alternatives[rule.id]
        assert [[set(q) for q in atoms] for atoms in prepared.rule_reads[rule.id]] == [
            [read(atom) for atom in atoms] for atoms in alternatives]
        assert prepared.evidence_of[rule.id] == [
            tuple(ordered(set().union(*(read(atom) for atom in atoms)))) for atoms in alternatives]
    for aid, action in kb.actions.actions.items():
        assert len(prepared.action_alternatives[aid]) == len(action.variants) + 1
        assert prepared.action_alternatives[aid][0] == ([[]] if action.when_node is None
                                                        else c.disjunctive_normal_form(action.when_node))
    rng = random.Random(7)
    for answers in random_cases(kb, 7, 100):
        for rule in rules:
            findings = [f for f in prepared.chained if rng.random() < 0.5]
            holds = c.holds(rule.when_node, answers.values, findings)
            assert holds == any(all(c.holds(atom, answers.values, findings) for atom in atoms)
                                for atoms in prepared.rule_alternatives[rule.id]), rule.id


def test_a_checkup_with_its_preparation_from_the_cache_diagnoses_as_one_prepared_afresh(checkup, kb):
    from expert.knowledge import load_knowledge_base

    fresh = load_knowledge_base(kb.root, cache=False)  # nothing prepared: the engines work it out
    assert fresh.preparation is None
    afresh = Checkup(fresh)
    cases = random_cases(kb, 11, 150)
    assert [everything(checkup.diagnose(a)) for a in cases] == [everything(afresh.diagnose(a)) for a in cases]


def test_a_text_answer_made_one_line_reads_as_the_line_breaks_pattern_makes_it():
    import re
    import unicodedata

    from expert.questionnaire import LINE_BREAKS, one_line

    def plainly(text: str) -> str:  # every text through the pattern, then each character looked at
        joined = re.sub(LINE_BREAKS, " ", text.strip())
        return "".join(" " if ch == "\t" else ch for ch in joined if ch == "\t" or unicodedata.category(ch) != "Cc")

    rng = random.Random(14)
    alphabet = "a群 \t\n\r\x0b\x0c\x1c\x85\u2028\u2029\u3000\x1b\x00\u200b\xa0"
    texts = ["城西跑团", " 城西跑团 ", "a b", *("".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
                                             for _ in range(3000))]
    assert [one_line(text) for text in texts] == [plainly(text) for text in texts]
    assert sum(one_line(text) != text.strip() for text in texts) > 1000  # most have something to change


def test_params_compiled_on_first_use_are_the_params_compiled_at_once(kb):
    named = {**{f"rule {rule.id}": rule.param_nodes for rule in kb.rules.rules},
             **{f"action {aid}": action.param_nodes for aid, action in kb.actions.actions.items()}}
    on_use = c.CompiledOnUse(named)
    asked = [key for key in named if named[key]][::2]
    cases = [a.values for a in random_cases(kb, 5, 60)]
    for key in asked:
        at_once = [(name, c.compiled(node)) for name, node in named[key].items()]
        assert [name for name, _ in on_use[key]] == [name for name, _ in at_once]
        for values in cases:
            assert [compute(values) for _, compute in on_use[key]] == [compute(values) for _, compute in at_once]
    assert sorted(on_use) == sorted(asked) and len(asked) > 10  # only what was asked for is compiled
    assert on_use[asked[0]] is on_use[asked[0]]  # compiled once, then kept


def _number_cells(rng) -> list[str]:
    digits = "0123456789"
    cells = ["0", "7", "007", "300", "1" * 30, "1" * 31, "3.5", "0.25", "03.50", "12.", ".5", "1.2.3", "3,5", "1,000",
             "-5", "+5", " 300", "300 ", "300人", "30 %", "３００", "²", "٣", "1e3", "", "跳过", "(跳过)", "NaN", "1_000"]
    for _ in range(300):
        n = "".join(rng.choice(digits) for _ in range(rng.randint(1, 35)))
        cells += [n, n[:5] + "." + n[5:], n[:3] + "." + n[3:8]]
    return cells


def test_a_cell_of_plain_digits_reads_as_the_long_way_reads_it(kb):
    # CellReader.plain_number: counts and hours read without the reading of typed numbers
    from expert.batch.layouts import is_placeholder
    from expert.batch.rows import CellReader

    q = kb.questionnaire
    reader = CellReader(q, list(q.questions))
    plain = [q.questions[qid] for qid in reader.plain_numbers]
    assert {x.type for x in plain} == {"integer", "number"}
    cells = _number_cells(random.Random(11))
    for question in plain:
        for cell in cells:
            short = reader.value(question, cell)
            long = CellReader(q, list(q.questions)).read(question, "" if is_placeholder(cell) else cell)
            assert (type(short), short) == (type(long), long), (question.id, cell)
            assert question.id not in reader.by_position


def test_plain_digits_are_not_read_the_short_way_where_a_unit_or_label_could_change_them(kb):
    from expert.batch.rows import CellReader, _plain_numbers

    q = kb.questionnaire
    members = q.questions["members"]
    reader = CellReader(q, list(q.questions))
    assert "members" in reader.plain_numbers
    assert not _plain_numbers(replace(members, unit={"zh": "平方米2", "en": "m2"}), {})  # "3002" could be 300 m2
    assert not _plain_numbers(members, {"members": {"5": "1"}})  # a label "5" could name point 1
    assert not any(q.questions[qid].type == "scale" for qid in reader.plain_numbers)
