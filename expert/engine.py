"""Compile a rule base into one experta KnowledgeEngine class, once, and diagnose cases with it.

Fact design, for speed: a case is ONE `Community` fact holding every answer that a rule reads (None
where unanswered), so a rule's answer conditions are field constraints on a single fact (experta's
alpha network) and need no joins; conditions across several answers become experta TESTs over bound
fields. A conclusion that other rules read is declared as a `Concluded` fact, so experta does the
chaining. Priorities become salience, lowered by 1000 per chaining stage so that a rule reading a
finding always runs after its makers.

experta matches and chains; expert/rete.py drives it (its matcher, reset and run loop without the
per-step waste), and the rules' tests are closures compiled once from the condition tree.
"""

from __future__ import annotations

import inspect
import logging
from functools import lru_cache
from typing import Any, NamedTuple

# first: it makes experta importable
from expert.rete import CheckedFact, DrivenEngine, FactTest, new_fact, thawed_fields, with_action
from experta import AND, NOT, OR, TEST, KnowledgeEngine, L, P  # noqa: E402
from experta import Rule as ExpertaRule  # noqa: E402

from expert import conditions as c  # noqa: E402
from expert import preparation  # noqa: E402
from expert.answers import Answers  # noqa: E402
from expert.findings import Diagnosis, Finding  # noqa: E402
from expert.knowledge import KnowledgeBase  # noqa: E402
from expert.policy import SEVERITY_RANK  # noqa: E402
from expert.rulebase import Rule  # noqa: E402

log = logging.getLogger(__name__)

# experta configures the root logger on import; keep its warnings from reaching operators
logging.getLogger("experta").setLevel(logging.ERROR)


class Community(CheckedFact):
    """Every answer of one case, keyed by question id; None where the question was not answered."""


class Concluded(CheckedFact):
    """A finding concluded by a rule (its id); the Finding itself, with evidence and trail, is in `results`."""


def _finding_var(fid: str) -> str:
    return f"f_{fid}"


def field_test(atom: c.Node, qid: str):
    """An atom over one answer, as the function of an experta predicate field constraint."""
    test = c.holds_for(atom, qid)
    test.__qualname__ = test.__name__ = f"FieldTest({qid})"  # shown in experta's own logs
    return test


class CrossTest(FactTest):
    """An atom over several answers, as an experta TEST of the fact bound as `fact_var` (experta
    passes it by that name), whose fields are the answers: it holds where the atom is True."""

    def __init__(self, atom: c.Node, qids: list[str], fact_var: str):
        self.atom, self.qids, self.fact_var = atom, qids, fact_var
        self.holds = c.compiled(atom)
        # experta reads the parameter names from the signature to pick values from the context
        self.__signature__ = _signature_of(fact_var)

    def __repr__(self) -> str:
        return f"CrossTest({', '.join(self.qids)})"


ALTERNATIVE = "community_"


@lru_cache(maxsize=None)
def _signature_of(fact_var: str) -> inspect.Signature:
    """The signature of a test of the fact bound as `fact_var`: one for every test of that alternative's
    fact (signatures are immutable), of which a knowledge base has a few."""
    return inspect.Signature([inspect.Parameter(fact_var, inspect.Parameter.POSITIONAL_OR_KEYWORD)])


def _alternative(atoms: list[c.Node], index: int, shared: dict, reads: dict | None = None) -> AND | None:
    """One conjunction of atoms as experta conditional elements; None if it can never hold.

    The Community fact is bound by the alternative's index, so the action knows which one held and
    reads the answers it matched (its evidence) from it, and is matched even when no answer is read;
    a TEST over several answers reads them from it too, so no answer is bound on its own: each
    binding would copy the token at its alpha node. An atom that several rules share (`members >= 100`) becomes one predicate object, so experta
    builds one alpha node for it and tests it once per case, not once per rule.
    """
    constraints: dict[str, list] = {}
    tests: list = []
    found: list = []
    for atom in atoms:
        if isinstance(atom, c.Const):
            if atom.value is True:
                continue
            return None
        if isinstance(atom, c.Found):
            pattern = Concluded(id=L(atom.finding))
            pattern.__bind__ = _finding_var(atom.finding)
            found.append(pattern)
            continue
        if isinstance(atom, c.Not) and isinstance(atom.item, c.Found):
            found.append(NOT(Concluded(id=L(atom.item.finding))))
            continue
        qids = reads[id(atom)] if reads is not None and id(atom) in reads else c.answers_used(atom)
        if not answer_atom(atom, qids, shared, constraints, tests, f"{ALTERNATIVE}{index}"):
            return None
    community = Community(**{qid: all_of(preds) for qid, preds in constraints.items()})
    community.__bind__ = f"{ALTERNATIVE}{index}"
    return AND(community, *tests, *found)


def answer_atom(atom: c.Node, qids: list[str], shared: dict, constraints: dict[str, list], tests: list,
                bound: str) -> bool:
    """An atom over answers, added to a pattern of the fact bound as `bound`: a test of one answer as a
    predicate on that answer's field (one per atom, shared by every rule that has it, so experta tests it
    once a case), a test of several as a TEST reading them from the fact; False if it can never hold
    (a constant atom such as `1 > 2`)."""
    if len(qids) == 1:
        if (atom, qids[0]) not in shared:
            shared[atom, qids[0]] = P(field_test(atom, qids[0]))
        constraints.setdefault(qids[0], []).append(shared[atom, qids[0]])
    elif qids:
        tests.append(TEST(CrossTest(atom, qids, bound)))
    elif c.evaluate(atom, {}) is not True:
        return False
    return True


def all_of(constraints: list):
    """Field constraints joined with experta's &: all of them must hold."""
    both = constraints[0]
    for constraint in constraints[1:]:
        both = both & constraint
    return both


def compile_engine(kb: KnowledgeBase) -> type[KnowledgeEngine]:
    """Build the KnowledgeEngine class of a knowledge base: one experta rule per rule of the base."""
    # each rule's condition as alternatives, and the answers each of their atoms reads, worked out once
    # per knowledge base (expert/preparation.py); the reads by the atom's identity, for its pattern
    prepared = preparation.prepared(kb)
    dnf = prepared.rule_alternatives
    reads = {id(atom): qids for rid, alternatives in dnf.items()
             for atoms, atom_reads in zip(alternatives, prepared.rule_reads[rid])
             for atom, qids in zip(atoms, atom_reads)}
    attrs: dict[str, Any] = {
        "question_order": list(kb.questionnaire.questions),
        "question_position": {qid: n for n, qid in enumerate(kb.questionnaire.questions)},
        # which rule of several that conclude one finding is its `rule`: the gravest, then the first
        # to fire, and among rules of equal salience (whose firing order experta leaves to chance) the
        # first written; the finding takes that rule's severity
        "rule_order": {rule.id: (-SEVERITY_RANK.get(rule.severity, 0), -rule.salience, n)
                       for n, rule in enumerate(kb.rules.rules)},
        "kb_rules": {rule.id: rule for rule in kb.rules.rules},
        "param_values": c.CompiledOnUse({rule.id: rule.param_nodes for rule in kb.rules.rules}),
        # a Concluded fact is declared only where a rule reads it: every fact declared is matched
        # against every pattern of its type, so the other findings stay out of working memory
        "chained": frozenset(prepared.chained),
        # rule id -> the name each alternative binds its Community fact by -> that alternative's
        # Alternative: its own evidence (the answers it reads, in questionnaire order, worked out with
        # the preparation), read from that fact, and the findings it reads
        "alternatives_of": {rule.id: {f"{ALTERNATIVE}{n}": _alternative_read(n, atoms, evidence)
                                      for n, (atoms, evidence)
                                      in enumerate(zip(dnf[rule.id], prepared.evidence_of[rule.id]))}
                            for rule in kb.rules.rules if rule.when_node is not None},
    }
    shared: dict = {}
    for rule in kb.rules.rules:
        if rule.when_node is None:
            continue
        conditions = condition_patterns(rule.when_node, shared, dnf[rule.id], reads)
        if conditions is None:
            log.info("rule %s can never fire; not compiled", rule.id)
            continue
        attrs[f"rule_{rule.id}"] = with_action(ExpertaRule(*conditions, salience=rule.salience), _action(rule))
    return type("ShequnEngine", (ShequnEngineBase,), attrs)


class Alternative(NamedTuple):
    """What a rule's conclusion reads when one alternative of its condition held."""

    index: int  # the alternative's place in the condition: the first written that holds gives the evidence
    evidence: tuple[str, ...]  # the answers it reads, in questionnaire order
    parents: tuple[str, ...]  # the findings it reads, in the order of their bindings' names (`f_<id>`)


def _alternative_read(n: int, atoms: list[c.Node], evidence) -> Alternative:
    parents = {atom.finding for atom in atoms if isinstance(atom, c.Found)}
    return Alternative(n, tuple(evidence), tuple(sorted(parents, key=_finding_var)))


def condition_patterns(node: c.Node, shared: dict, dnf: list[list[c.Node]] | None = None,
                       reads: dict | None = None) -> tuple | None:
    """A resolved condition as experta conditional elements, or None if it can never hold. `shared`
    keeps one predicate per shared atom; `dnf`, the condition's alternatives when already written out;
    `reads`, the answers each of their atoms reads, by id(atom)."""
    if dnf is None:
        dnf = c.disjunctive_normal_form(node)
    alternatives = [_alternative(atoms, n, shared, reads) for n, atoms in enumerate(dnf)]
    alternatives = [a for a in alternatives if a is not None]
    if not alternatives:
        return None
    # written as experta's own rule preparation would rewrite it (see DrivenRete)
    if len(alternatives) == 1:
        return tuple(alternatives[0])
    return (OR(*[a if len(a) > 1 else a[0] for a in alternatives]),)


def _action(rule: Rule):
    def conclude(engine: ShequnEngineBase, **context: Any) -> None:
        engine.conclude(rule, context)

    conclude.__name__ = rule.id
    # experta re-reads the action's signature each time it rewrites a rule while building the network
    conclude.__signature__ = _ACTION_SIGNATURE  # type: ignore[attr-defined]
    return conclude


def _conclude_signature(engine, **context):  # the shape of every action, for its signature only
    pass


_ACTION_SIGNATURE = inspect.signature(_conclude_signature)


class ShequnEngineBase(DrivenEngine):
    """experta engine with the bookkeeping of one case: what was concluded, by which rule, on what.

    Everything a finding records is independent of the order in which experta fires rules of equal
    salience (which follows hash order and so differs between processes): of a rule's alternatives
    the first written that holds gives the evidence; of several rules concluding one finding the
    first by `rule_order` is its rule; evidence is in questionnaire order.
    """

    question_order: list[str] = []
    question_position: dict[str, int] = {}  # evidence is listed in questionnaire order
    rule_order: dict[str, tuple] = {}
    kb_rules: dict[str, Rule] = {}
    param_values: dict[str, tuple] = {}  # rule id -> (param name, its compiled expression), in order
    chained: frozenset[str] = frozenset()
    alternatives_of: dict[str, dict[str, Alternative]] = {}

    def reset_case(self, values: dict[str, Any] | None = None) -> None:
        self.reset()
        self.values: dict[str, Any] = values or {}
        self.results: dict[str, Finding] = {}
        # finding id -> rule id -> (alternative, params, evidence, trail) of that rule's conclusion
        self.grounds: dict[str, dict[str, tuple]] = {}

    def conclude(self, rule: Rule, context: dict[str, Any]) -> None:
        finding = rule.then.finding
        # an activation binds the Community fact by the name of the one alternative whose pattern
        # matched (each alternative is a rule of its own to experta) and each finding it reads by
        # the finding's name: its Alternative says which those are
        alternatives = self.alternatives_of[rule.id]
        for key in context:
            alternative = alternatives.get(key)
            if alternative is not None:
                community = context[key]
                break
        grounds = self.grounds.get(finding)
        if grounds is None:
            grounds = self.grounds[finding] = {}
            known = None
        else:
            known = grounds.get(rule.id)
            if known is not None and known[0] <= alternative.index:
                return  # an earlier alternative of the same rule already holds: one conclusion is enough
        if alternative.parents:
            evidence: dict[str, Any] = {}
            trail: list[str] = []
            # a parent's Finding is final here: rules reading findings fire after all of their makers
            for parent_id in alternative.parents:
                parent = self.results[parent_id]
                for step in parent.trail:
                    if step not in trail:
                        trail.append(step)
                evidence.update(parent.evidence)
            evidence.update(thawed_fields(community, alternative.evidence))
            trail.append(rule.id)
            position = self.question_position
            evidence = {qid: evidence[qid] for qid in sorted((q for q in evidence if q in position), key=position.get)}
        else:
            evidence = thawed_fields(community, alternative.evidence)  # in questionnaire order
            trail = [rule.id]
        if known is not None:
            params = known[1]
        else:
            params = {}
            values = self.values
            for name, compute in self.param_values[rule.id]:
                value = compute(values)
                if value is c.UNKNOWN:
                    value = None
                elif isinstance(value, float):  # tidy_value leaves any other as it is
                    value = tidy_value(value)
                params[name] = value
        grounds[rule.id] = (alternative.index, params, evidence, trail)
        first = finding not in self.results
        if len(grounds) == 1:
            lead, also = rule, []
        else:
            ranked = sorted(grounds, key=self.rule_order.__getitem__)
            lead, also = self.kb_rules[ranked[0]], ranked[1:]
            _, params, evidence, trail = grounds[lead.id]
        self.results[finding] = Finding(
            finding, lead.check, lead.severity, lead.priority, lead.id, params, evidence, trail, also, lead.kind,
        )
        if first and finding in self.chained:
            self.declare(new_fact(Concluded, {"id": finding}))


def tidy_value(value: Any) -> Any:
    """A computed param or metric as it is kept: a whole float as an integer, any other to two places."""
    if isinstance(value, float):
        return int(value) if value == int(value) else round(value, 2)
    return value


class Diagnoser:
    """A knowledge base compiled once; `diagnose` resets the engine and runs one case."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.engine_class = compile_engine(kb)
        self.engine = self.engine_class()
        # the Community fact carries the answers that rules read; the others no pattern would look at
        self.question_ids = list(preparation.prepared(kb).diagnosis_questions)
        self.checks = [s.check for s in kb.questionnaire.checks]
        self.metrics = [(m.id, c.compiled(m.node) if m.node is not None else None) for m in kb.rules.metrics]

    def diagnose(self, answers: Answers) -> Diagnosis:
        engine = self.engine
        engine.reset_case(answers.values)
        engine.declare(new_fact(Community, {qid: answers.values.get(qid) for qid in self.question_ids}))
        engine.run()
        findings = [f for f in engine.results.values() if f.kind == "problem"]
        # rules of equal salience fire in an order that varies with the hash seed: put the notes in rule order
        notes = sorted((f for f in engine.results.values() if f.kind != "problem"),
                       key=lambda f: engine.rule_order[f.rule])
        metrics = {}
        for mid, compute in self.metrics:
            value = compute(answers.values) if compute is not None else c.UNKNOWN
            metrics[mid] = None if value is c.UNKNOWN else tidy_value(value)
        return Diagnosis(findings, self.checks, metrics, self.kb.rules.policy, notes)
