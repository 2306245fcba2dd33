"""The built-in knowledge base: it loads clean, its golden cases hold, and every rule earns its place."""

import re

import pytest

from expert.check import check_knowledge_base

from conftest import EXAMPLES, ROOT

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


@pytest.fixture(scope="module")
def diagnosed(checkup):
    """Every example's answers and diagnosis, once."""
    out = {}
    for path in EXAMPLE_FILES:
        answers = checkup.read(path)
        out[path.stem] = (answers, checkup.diagnose(answers))
    return out


def test_the_built_in_knowledge_base_checks_clean():
    report = check_knowledge_base(ROOT)
    assert report.errors == []
    assert report.cases >= 6


def test_the_five_self_checks_are_the_articles(kb):
    assert [s.check for s in kb.questionnaire.checks] == ["ip", "leaders", "members", "operations", "value"]
    assert [s.title.get_text("zh")[:3] for s in kb.questionnaire.checks] == ["自检一", "自检二", "自检三",
                                                                          "自检四", "自检五"]


@pytest.mark.parametrize("name", ["healthy", "no_leaders", "key_account", "value_stopped",
                                  "premature_self_org", "deal_seeker"])
def test_the_required_examples_exist(name):
    assert (EXAMPLES / f"{name}.yaml").is_file()


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.stem for p in EXAMPLE_FILES])
def test_each_example_is_an_expert_case_the_rules_agree_with(diagnosed, path):
    answers, diagnosis = diagnosed[path.stem]
    expect = answers.expect
    assert expect is not None and expect.findings is not None and expect.verdicts is not None and expect.has_first, \
        "an example states its story, expected findings, verdicts and first problem"
    assert 100 <= len(answers.story or "") <= 300, "the story is the operator's, 100 to 300 characters"
    assert diagnosis.ids == sorted(expect.findings)
    assert diagnosis.verdicts == expect.verdicts
    assert (diagnosis.first.id if diagnosis.first else None) == expect.first


def test_a_healthy_community_has_nothing_to_treat_and_advice_stays_advice(diagnosed):
    _, diagnosis = diagnosed["healthy"]
    assert set(diagnosis.verdicts.values()) == {"healthy"}
    assert diagnosis.first is None and diagnosis.treatment == []
    assert diagnosis.findings and all(diagnosis.is_advice(f) for f in diagnosis.findings)


def _rules_fired(diagnosis):
    return {rule for f in [*diagnosis.findings, *diagnosis.notes] for rule in [f.rule, *f.also]}


def test_every_rule_fires_in_one_example_and_stays_silent_in_another(kb, diagnosed):
    fired_in = {r.id: [] for r in kb.rules.rules}
    for name, (_, diagnosis) in diagnosed.items():
        for rule in _rules_fired(diagnosis):
            fired_in[rule].append(name)
    never = [r for r, names in fired_in.items() if not names]
    always = [r for r, names in fired_in.items() if len(names) == len(diagnosed)]
    assert never == [] and always == []


def test_chaining_rules_conclude_from_other_findings(kb, diagnosed):
    chained = [r for r in kb.rules.rules if r.stage > 0]
    assert len(chained) >= 2
    _, diagnosis = diagnosed["deal_seeker"]
    deal = next(f for f in diagnosis.findings if f.id == "deal_seeker_community")
    assert len(deal.trail) >= 3 and deal.trail[-1] == deal.rule


def test_too_few_leaders_for_500_members_asks_for_five_or_six_counting_the_owner(checkup, kb):
    from expert.answers import validate_answers

    healthy = checkup.read(EXAMPLES / "healthy.yaml")
    values = {**healthy.values, "members": 500, "active_7d": 60, "active_leaders": 2}
    assert values["owner_role"] == "leader"
    answers = validate_answers({"answers": values}, kb.questionnaire, "case")
    finding = next(f for f in checkup.diagnose(answers).findings if f.id == "too_few_leaders")
    assert finding.params["need"] in (5, 6)
    assert finding.params["now"] == 3 and finding.params["more"] == finding.params["need"] - 3


def test_every_rule_records_why_its_threshold(kb):
    assert [r.id for r in kb.rules.rules if not r.note] == []


def test_the_knowledge_map_names_every_rule_and_question(kb):
    text = (ROOT / "docs" / "knowledge.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z][a-z0-9_]*)`", text))
    assert sorted({r.id for r in kb.rules.rules} - named) == []
    assert sorted(set(kb.questionnaire.questions) - named) == []


def test_every_question_has_a_short_label_in_both_languages_for_messages(kb):
    q = kb.questionnaire
    unlabelled = [x.id for x in q.questions.values() if not x.label or not all(x.label.get(lang) for lang in q.languages)]
    assert unlabelled == []
    assert all(len(x.label_in("zh")) <= 12 for x in q.questions.values())  # short: it goes inside a sentence
