"""The rule base compiled into experta: matching, chaining, salience, evidence and trail."""

import pytest

from expert.answers import validate_answers
from expert.checkup import Checkup


@pytest.fixture
def mini(mini_kb):
    return Checkup.load(mini_kb)


def diagnose(checkup, **values):
    values.setdefault("community_name", "测试群")
    answers = validate_answers({"answers": values}, checkup.kb.questionnaire, "case.yaml")
    return checkup.diagnose(answers)


BASE = dict(members=500, leaders=2, kind="personal", attraction=["content"], by_sales=False)


def test_rules_are_compiled_into_one_experta_engine_class(mini):
    from experta import KnowledgeEngine

    engine = mini.diagnoser.engine
    assert isinstance(engine, KnowledgeEngine)
    names = sorted(r.__name__ for r in engine.get_rules())
    assert names == ["bought_bond", "customer_crowd", "few_key_accounts", "no_leaders", "too_few_leaders"]


def test_the_engine_is_built_once_and_reset_per_case(mini):
    engine = mini.diagnoser.engine
    first = diagnose(mini, **BASE)
    second = diagnose(mini, **{**BASE, "leaders": 0})
    assert mini.diagnoser.engine is engine
    assert first.ids == ["too_few_leaders"]
    assert second.ids == ["no_leaders"]


def test_parameters_are_computed_from_this_communitys_numbers(mini):
    finding = diagnose(mini, **BASE).findings[0]
    assert finding.params == {"more": 3}
    assert finding.evidence == {"leaders": 2, "members": 500}


def test_a_finding_chains_into_a_cross_cutting_one_with_its_trail(mini):
    result = diagnose(mini, **{**BASE, "attraction": ["perks"]})
    assert result.ids == ["bought_bond", "customer_crowd", "too_few_leaders"]
    crowd = next(f for f in result.findings if f.id == "customer_crowd")
    assert crowd.check == "cross"
    assert crowd.trail == ["bought_bond", "too_few_leaders", "customer_crowd"]
    assert crowd.evidence == {"attraction": ["perks"], "leaders": 2, "members": 500}


def test_chained_rule_stays_silent_when_one_premise_is_missing(mini):
    assert "customer_crowd" not in diagnose(mini, **{**BASE, "attraction": ["perks"], "leaders": 5}).ids


def test_any_alternative_fires_a_rule_once(mini):
    result = diagnose(mini, **{**BASE, "attraction": ["perks"], "by_sales": True})
    bond = next(f for f in result.findings if f.id == "bought_bond")
    assert result.ids.count("bought_bond") == 1
    assert bond.evidence in ({"attraction": ["perks"]}, {"by_sales": True})


def test_a_rule_reading_findings_gets_a_lower_salience_than_their_makers(mini):
    rules = {r.id: r for r in mini.kb.rules.rules}
    assert rules["customer_crowd"].stage == 1
    assert rules["customer_crowd"].salience < min(r.salience for r in rules.values() if r.stage == 0)


def test_a_skipped_question_fires_neither_a_rule_nor_its_negation(mini):
    # key_share is asked only of enterprise groups; `not key_share > 20` needs an answer to hold
    assert diagnose(mini, **BASE).ids == ["too_few_leaders"]
    enterprise = diagnose(mini, **{**BASE, "kind": "enterprise", "key_share": 10})
    assert enterprise.ids == ["few_key_accounts", "too_few_leaders"]


def test_a_combined_finding_is_treated_through_its_root_which_takes_its_urgency(mini):
    result = diagnose(mini, **{**BASE, "attraction": ["perks"]})
    # customer_crowd (high, combined) names bought_bond (medium) as its root in policy.yaml
    assert result.first.id == "bought_bond"
    assert [f.id for f in result.treatment] == ["bought_bond", "too_few_leaders"]
    assert result.verdicts == {"leaders": "watch"}  # a combined finding turns no check red
    assert result.overall == "danger"  # but the community as a whole is in danger
    healthy = diagnose(mini, **{**BASE, "leaders": 5})
    assert healthy.findings == [] and healthy.verdicts == {"leaders": "healthy"}


def test_metrics_are_computed_for_the_report(mini):
    assert diagnose(mini, **BASE).metrics == {"leaders_needed": 5}


@pytest.mark.parametrize("kb_fixture", ["mini", "checkup"])
def test_rules_are_compiled_in_the_form_experta_would_prepare_them_into(kb_fixture, request):
    # DrivenRete skips experta's own rewriting of rules; that is only right if it would change nothing
    checkup = request.getfixturevalue(kb_fixture)
    from experta.matchers.rete.utils import prepare_rule  # importable once the engines are built

    for engine_class in (type(checkup.diagnoser.engine), type(checkup.prescriber.engine)):
        rules = engine_class.__new__(engine_class).get_rules()
        for rule in rules:
            prepared = prepare_rule(rule)
            assert (tuple(prepared), prepared.salience) == (tuple(rule), rule.salience), rule.__name__


def test_verdicts_follow_the_findings_when_they_change(checkup, kb):
    # judged once and remembered, but never for findings other than those the diagnosis holds now
    from expert.answers import validate_answers
    from expert.sampling import random_answers
    import random

    rng = random.Random(3)
    diagnoses = [checkup.diagnose(validate_answers({"answers": random_answers(kb.questionnaire, rng)},
                                                   kb.questionnaire, "case")) for _ in range(40)]
    sick = next(d for d in diagnoses if "danger" in d.verdicts.values())
    before = sick.verdicts
    sick.verdicts["ip"] = "changed"  # a copy: the caller's change stays the caller's
    assert sick.verdicts == before
    sick.findings = []
    assert set(sick.verdicts.values()) == {"healthy"}
