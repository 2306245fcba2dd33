"""The shape of the judgement, on any valid answers: more of a good thing never makes a verdict worse,
and one answer moves a verdict by at most one step unless the knowledge base marks the fact decisive."""

import random

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from expert import conditions as c
from expert.answers import validate_answers
from expert.errors import AnswersError
from expert.policy import VERDICTS
from expert.sampling import random_answers

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def rank(verdict: str) -> int:
    return VERDICTS.index(verdict)


def diagnose(checkup, values):
    answers = validate_answers({"answers": values}, checkup.kb.questionnaire, "case")
    return checkup.diagnose(answers)


def metric(kb, metric_id, values):
    node = next(m.node for m in kb.rules.metrics if m.id == metric_id)
    return c.evaluate(node, values)


def relevant(kb, values):
    """The answers the skip logic keeps, and whether a question it now asks has no answer."""
    kept, missing = {}, False
    for q in kb.questionnaire.questions.values():
        if not q.is_relevant(kept):
            continue
        if q.id in values:
            kept[q.id] = values[q.id]
        elif q.required:
            missing = True
    return kept, missing


@SETTINGS
@given(rng=st.randoms(use_true_random=False), more=st.integers(1, 6))
def test_more_active_leaders_below_the_upper_bound_never_make_the_leaders_verdict_worse(checkup, rng, more):
    kb = checkup.kb
    values = random_answers(kb.questionnaire, rng)
    owner = 1 if values["owner_role"] == "leader" else 0
    # the most active leaders there can be below the upper bound (counting the owner), and within the group
    most = min(metric(kb, "leaders_upper", values) - owner, values["members"])
    assume(most >= 1)
    before = rng.randint(0, most - 1)
    values = {**values, "active_leaders": before}
    if before == 0:
        values.pop("leader_traits", None)  # asked only when someone leads
    elif "leader_traits" not in values:
        values["leader_traits"] = ["influential", "expert"]
    after = {**values, "active_leaders": min(most, before + more)}
    after.setdefault("leader_traits", ["influential", "expert", "early_adopter", "sharer"])  # new leaders, good ones
    before_v = diagnose(checkup, values).verdicts["leaders"]
    after_v = diagnose(checkup, after).verdicts["leaders"]
    assert rank(after_v) <= rank(before_v), (values, after)


@SETTINGS
@given(rng=st.randoms(use_true_random=False), more=st.integers(1, 20))
def test_more_output_never_makes_the_value_verdict_worse(checkup, rng, more):
    kb = checkup.kb
    values = random_answers(kb.questionnaire, rng)
    assume(values.get("value_started"))
    after = {**values, "outputs_4w": min(200, values["outputs_4w"] + more)}
    assume(after["outputs_4w"] > values["outputs_4w"])
    assert rank(diagnose(checkup, after).verdicts["value"]) <= rank(diagnose(checkup, values).verdicts["value"])


@SETTINGS
@given(rng=st.randoms(use_true_random=False), more=st.floats(0.5, 40))
def test_more_operator_hours_never_make_any_verdict_worse(checkup, rng, more):
    kb = checkup.kb
    values = random_answers(kb.questionnaire, rng)
    after = {**values, "operator_hours": min(168, round(values["operator_hours"] + more, 1))}
    before_d, after_d = diagnose(checkup, values), diagnose(checkup, after)
    for check, verdict in before_d.verdicts.items():
        assert rank(after_d.verdicts[check]) <= rank(verdict), check


def fired(diagnosis) -> set[str]:
    return {rule for f in diagnosis.findings for rule in [f.rule, *f.also]}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False))
def test_one_answer_moves_a_verdict_at_most_one_step_unless_a_decisive_fact_changed(checkup, rng: random.Random):
    from expert.sampling import _draw

    kb = checkup.kb
    values = random_answers(kb.questionnaire, rng, skip_optional=0.0)
    qid = rng.choice([q for q in values if q != "community_name"])
    question = kb.questionnaire.questions[qid]
    changed, missing = relevant(kb, {**values, qid: _draw(question, values, rng)})
    assume(not missing and changed != values)
    try:
        before, after = diagnose(checkup, values), diagnose(checkup, changed)
    except AnswersError:  # the new answer breaks a bound that depends on it (members below active_7d)
        assume(False)
        return
    decisive = {r.id for r in kb.rules.rules if r.decisive}
    moved = (fired(before) ^ fired(after)) & decisive
    for check, verdict in before.verdicts.items():
        step = abs(rank(after.verdicts[check]) - rank(verdict))
        assert step <= 1 or moved, (qid, values[qid], changed.get(qid), check, verdict, after.verdicts[check])


@pytest.mark.parametrize("severity", ["high", "medium", "low"])
def test_the_verdict_of_a_check_follows_the_policy_in_the_knowledge_base(kb, severity):
    from expert.findings import Finding

    finding = Finding("x", "ip", severity, 50, "x", {}, {}, ["x"])
    assert kb.rules.policy.verdict([finding]) == {"high": "danger", "medium": "watch", "low": "healthy"}[severity]
    assert kb.rules.policy.verdict([]) == "healthy"
