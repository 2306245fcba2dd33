"""What the two engines work out from a knowledge base's conditions before they build anything: each
condition written out as alternatives, the answers each of their atoms reads, a rule's evidence per
alternative, the findings that other rules read and the questions each engine's fact carries; and
what reading answers works out of each choice question: every way its options may be written.

It is plain data (condition nodes, ids, lists and dicts) that depends on nothing but the knowledge
base, so it is worked out once, when the knowledge base is loaded for the cache, and kept in the
cache entry with it (expert/cache.py rebuilds only model classes, this one among them); a knowledge
base that was not cached works it out on first use. `expert/engine.py` and `expert/plan.py` build
their experta rules from it exactly as from the conditions themselves (tests/test_speed_equality.py).
"""

from __future__ import annotations

from dataclasses import field

from expert import conditions as c
from expert.coercion import _choice_names
from expert.records import record


@record
class Preparation:
    """A knowledge base's conditions, prepared for the diagnosis engine and the prescribing one."""

    # rule id -> its condition's alternatives (c.disjunctive_normal_form), for the rules with one
    rule_alternatives: dict[str, list[list[c.Node]]] = field(default_factory=dict)
    # rule id -> per alternative, per atom, the answers the atom reads (c.answers_used)
    rule_reads: dict[str, list[list[list[str]]]] = field(default_factory=dict)
    # rule id -> per alternative, the answers it reads, in questionnaire order: its evidence
    evidence_of: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    # the findings some rule's condition reads: only these are declared as facts
    chained: list[str] = field(default_factory=list)
    # the answers some rule reads, in questionnaire order: the fields of the diagnosis's one fact
    diagnosis_questions: list[str] = field(default_factory=list)
    # action id -> per condition (0: its own, n: its n-th variant's) its alternatives, as for rules;
    # a condition that is absent has one alternative of no atoms
    action_alternatives: dict[str, list[list[list[c.Node]]]] = field(default_factory=dict)
    action_reads: dict[str, list[list[list[list[str]]]]] = field(default_factory=dict)
    # the answers some action or variant reads, in questionnaire order: the fields of the plan's fact
    plan_questions: list[str] = field(default_factory=list)
    # question id -> every way its options (or a scale's points) may be written (expert/coercion.py)
    choice_names: dict[str, dict[str, str]] = field(default_factory=dict)


def prepare(kb) -> Preparation:
    """The preparation of `kb` (a KnowledgeBase), worked out afresh."""
    questions = kb.questionnaire.questions
    rule_alternatives: dict[str, list[list[c.Node]]] = {}
    rule_reads: dict[str, list[list[list[str]]]] = {}
    evidence_of: dict[str, list[tuple[str, ...]]] = {}
    for rule in kb.rules.rules:
        if rule.when_node is None:
            continue
        alternatives = rule_alternatives[rule.id] = c.disjunctive_normal_form(rule.when_node)
        reads = rule_reads[rule.id] = [[c.answers_used(atom) for atom in atoms] for atoms in alternatives]
        evidence_of[rule.id] = [_in_order({qid for qids in atoms for qid in qids}, questions) for atoms in reads]
    chained = list(dict.fromkeys(f for rule in kb.rules.rules for f in c.findings_used(rule.when_node)))
    read_by_rules = {qid for rule in kb.rules.rules for qid in c.answers_used(rule.when_node)}

    action_alternatives: dict[str, list[list[list[c.Node]]]] = {}
    action_reads: dict[str, list[list[list[list[str]]]]] = {}
    read_by_actions: set[str] = set()
    for aid, action in kb.actions.actions.items():
        conditions = [action.when_node, *(variant.when_node for variant in action.variants)]
        alternatives = action_alternatives[aid] = [
            [[]] if node is None else c.disjunctive_normal_form(node) for node in conditions]
        action_reads[aid] = [[[c.answers_used(atom) for atom in atoms] for atoms in alts] for alts in alternatives]
        for node in conditions:
            read_by_actions.update(c.answers_used(node))
    choice_names = {q.id: _choice_names(q) for q in questions.values() if q.choices or q.labels}
    return Preparation(rule_alternatives, rule_reads, evidence_of, chained, list(_in_order(read_by_rules, questions)),
                       action_alternatives, action_reads, list(_in_order(read_by_actions, questions)), choice_names)


def prepared(kb) -> Preparation:
    """The preparation kept with `kb` (from the cache), or worked out now and kept with it."""
    if kb.preparation is None:
        kb.preparation = prepare(kb)
    return kb.preparation


def _in_order(qids: set[str], questions) -> tuple[str, ...]:
    return tuple(qid for qid in questions if qid in qids)
