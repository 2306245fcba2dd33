"""expert/rete.py drives experta's own network more cheaply; each shortcut is checked here against
what experta itself does on the same network and the same random cases."""

from __future__ import annotations

import collections
import logging
import random

import pytest

from expert.answers import validate_answers
from expert.engine import Community, Concluded
from expert.plan import PROBLEMS, Case
from expert.rete import (Bus, Capture, ConflictSet, FactWhere, FanOut, FeatureTester, Join, Negation,
                         PredicateTester, TypeTester, Where)
from expert.sampling import random_answers
from tests.test_speed_equality import everything, plain_experta


def _cases(kb, seed, n=80):
    rng = random.Random(seed)
    q = kb.questionnaire
    return [validate_answers({"answers": random_answers(q, rng)}, q, f"case {i}") for i in range(n)]


def _nodes(matcher):
    seen, todo = {}, [child.node for child in matcher.root_node.children]
    while todo:
        node = todo.pop()
        if id(node) not in seen:
            seen[id(node)] = node
            todo.extend(child.node for child in node.children)
    return list(seen.values())


def test_every_node_of_the_network_is_driven_by_its_cheaper_subclass(checkup):
    for engine in (checkup.diagnoser.engine, checkup.prescriber.engine):
        kinds = {type(node) for node in _nodes(engine.matcher)}
        assert kinds <= {FeatureTester, PredicateTester, TypeTester, Capture, Where, FactWhere, Join, Negation,
                         ConflictSet}
        assert type(engine.matcher.root_node) is Bus
        assert FeatureTester in kinds and ConflictSet in kinds and FactWhere in kinds and TypeTester in kinds
        # every callback is the subclass's own method, not experta's bound at wiring time
        for node in [engine.matcher.root_node, *_nodes(engine.matcher)]:
            for child in node.children:
                assert getattr(type(child.node), child.callback.__name__) is child.callback.__func__


def test_alpha_checks_without_logging_answer_as_experta_s_checks(checkup, kb):
    diagnoser = checkup.diagnoser
    facts = [Community(**{q: a.values.get(q) for q in diagnoser.question_ids}) for a in _cases(kb, 11)]
    facts += [Concluded(id=fid) for fid in kb.rules.findings]
    facts += [Case(**{q: a.values.get(q) for q in checkup.prescriber.question_ids},
                   **{PROBLEMS: frozenset(list(kb.rules.findings)[n::7])}) for n, a in enumerate(_cases(kb, 13, 7))]
    testers = [n for e in (diagnoser.engine, checkup.prescriber.engine) for n in _nodes(e.matcher)
               if isinstance(n, FeatureTester)]
    assert len(testers) > 50
    for node in testers:
        for fact in facts:
            assert node.check(fact) == node.matcher(fact), node.matcher
    # a predicate node passes a token on exactly when experta's check of its fact holds
    from experta.matchers.rete.token import Token

    predicates = [node for node in testers if isinstance(node, PredicateTester)]
    assert len(predicates) > 50
    for node in predicates:
        passed: list = []
        kept, node.callbacks = node.callbacks, (passed.append,)
        try:
            tokens = [Token.valid(fact) for fact in facts]
            for token in tokens:
                node.activate(token)
        finally:
            node.callbacks = kept
        assert passed == [t for t, fact in zip(tokens, facts) if node.matcher(fact)], node.matcher


def _activations(engine) -> collections.Counter:
    """The agenda's activations: each rule, its salience and the facts it matched (not their numbers)."""
    def content(number):
        fact = engine.facts[number]
        return type(fact).__name__, frozenset((k, v) for k, v in fact.items() if k != "__factid__")

    return collections.Counter((a.rule.__name__, a.key[0], tuple(map(content, a.key[1])))
                               for a in engine.agenda.activations)


def test_the_prescriber_s_activations_are_experta_s(checkup, kb):
    # experta's own reset declares its InitialFact too, which no rule of the plan reads: the same
    # activations, on a fact numbered one more
    engine = checkup.prescriber.engine
    plain = plain_experta(type(engine))()
    for answers in _cases(kb, 12):
        diagnosis = checkup.diagnoser.diagnose(answers)
        fact = checkup.prescriber.case_fact(answers, diagnosis)
        got = []
        for e in (engine, plain):
            e.reset()
            e.declare(Case(**fact.as_dict()))
            got.append(_activations(e))
        assert got[0] == got[1] and sum(got[0].values()) > 3
        assert [a.key[1] for a in engine.agenda.activations] == [[0]] * sum(got[0].values())
        assert [a.key[1] for a in plain.agenda.activations] == [[1]] * sum(got[0].values())


def test_experta_s_initial_fact_is_declared_only_where_a_rule_reads_it(checkup):
    from experta import NOT, Fact, Rule
    from experta.fact import InitialFact

    from expert.rete import IndexedEngine

    engine = checkup.prescriber.engine
    assert not engine.reads_initial_fact
    engine.reset()
    assert len(engine.facts) == 0 and not engine.agenda.activations

    class Tagged(Fact):
        pass

    def lonely(engine):  # pragma: no cover - activations are read, not run
        pass

    def tagged(engine):  # pragma: no cover
        pass

    # a rule that starts with NOT is wired to the InitialFact (written as experta's preparation writes
    # it, as DrivenRete is given its rules): there it is declared, as experta does
    rules = {"lonely": Rule(InitialFact(), NOT(Tagged()))(lonely), "tagged": Rule(Tagged())(tagged)}
    reads = type("Reads", (IndexedEngine,), rules)()
    assert reads.reads_initial_fact
    plain = plain_experta(type(reads))()
    for step in ("reset", "declare"):
        for e in (reads, plain):
            e.reset() if step == "reset" else e.declare(Tagged(n=1))
        assert [type(f) for f in reads.facts.values()] == [type(f) for f in plain.facts.values()]
        assert _activations(reads) == _activations(plain)
        assert [a.key for a in reads.agenda.activations] == [a.key for a in plain.agenda.activations]
    assert type(reads.facts[0]) is InitialFact


def test_rules_fire_in_experta_s_order_of_salience(checkup, kb):
    fired: dict[str, list] = {}

    def recording(engine_class, name):
        def conclude(self, rule, context):
            fired[name].append(rule.salience)
            engine_class.conclude(self, rule, context)
        return type(f"Recording{name}", (engine_class,), {"conclude": conclude})

    fast = recording(checkup.diagnoser.engine_class, "fast")()
    plain = recording(plain_experta(checkup.diagnoser.engine_class), "plain")()
    for answers in _cases(kb, 13):
        fired.update(fast=[], plain=[])
        for engine in (fast, plain):
            engine.reset_case(answers.values)
            engine.declare(Community(**{q: answers.values.get(q) for q in checkup.diagnoser.question_ids}))
            engine.run()
        assert fired["fast"] == fired["plain"]
        assert fast.results == plain.results


def test_with_experta_s_watchers_on_the_engine_runs_experta_s_own_loop_and_logs(checkup, kb, caplog):
    from experta import watchers

    answers = _cases(kb, 14, 1)[0]
    quiet = everything(checkup.diagnose(answers))
    watchers.watch("RULES", level=logging.INFO)
    try:
        with caplog.at_level(logging.INFO, logger="experta.watchers.RULES"):
            loud = everything(checkup.diagnose(answers))
    finally:
        for name in watchers.ALL:
            getattr(watchers, name).setLevel(logging.NOTSET)
    assert loud == quiet
    if quiet["findings"] or quiet["all_notes"]:
        assert any("FIRE" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("seed", [21])
def test_halting_from_a_rule_stops_the_run_as_in_experta(checkup, kb, seed):
    # a rule calling halt() ends run() after that firing, in both loops
    def halting(engine_class):
        def conclude(self, rule, context):
            engine_class.conclude(self, rule, context)
            self.halt()
        return type("Halting", (engine_class,), {"conclude": conclude})

    for answers in _cases(kb, seed, 30):
        results = []
        for cls in (halting(checkup.diagnoser.engine_class),
                    halting(plain_experta(checkup.diagnoser.engine_class))):
            engine = cls()
            engine.reset_case(answers.values)
            engine.declare(Community(**{q: answers.values.get(q) for q in checkup.diagnoser.question_ids}))
            engine.run()
            results.append(len(engine.results))
        assert results[0] == results[1] <= 1


def test_facts_built_in_one_update_are_the_facts_experta_builds(checkup, kb):
    from experta.utils import unfreeze

    from expert.rete import new_fact, thawed, thawed_fields

    lists = 0
    for answers in _cases(kb, 15, 60):
        values = {q: answers.values.get(q) for q in checkup.diagnoser.question_ids}
        ours, theirs = new_fact(Community, values), Community(**values)
        assert type(ours) is type(theirs) and dict(ours) == dict(theirs) and hash(ours) == hash(theirs)
        assert {k: type(v) for k, v in ours.items()} == {k: type(v) for k, v in theirs.items()}
        assert ours.__factid__ is None and vars(ours) == vars(theirs)
        for value in theirs.values():
            assert thawed(value) == unfreeze(value) and type(thawed(value)) is type(unfreeze(value))
        fields = thawed_fields(theirs, list(theirs))
        assert fields == {k: unfreeze(v) for k, v in theirs.items()} and list(fields) == list(theirs)
        assert [type(v) for v in fields.values()] == [type(unfreeze(v)) for v in theirs.values()]
        lists += sum(type(v) is list for v in values.values())
    assert lists > 60  # multiple-choice answers, frozen and thawed item by item in experta
    # and the values no answer has, which go through experta's own freeze and unfreeze
    class Name(str):  # a choice's id is a str subclass
        pass

    class Unhashable(str):
        __hash__ = None  # type: ignore[assignment]

    odd = {"nested": [["a", 1]], "mapping": {"k": [1, 2]}, "set": {1, 2}, "empty": [], "plain": ["a", 2.5, None],
           "name": Name("a"), "names": [Name("a"), "b"], "pair": (1, 2)}
    ours, theirs = new_fact(Community, odd), Community(**odd)
    assert dict(ours) == dict(theirs)
    assert {k: type(v) for k, v in ours.items()} == {k: type(v) for k, v in theirs.items()}
    assert [type(v) for v in ours["names"]] == [type(v) for v in theirs["names"]] == [Name, str]
    for value in theirs.values():
        assert thawed(value) == unfreeze(value) and type(thawed(value)) is type(unfreeze(value))
    assert thawed_fields(theirs, list(odd)) == {k: unfreeze(v) for k, v in theirs.items()}
    from experta.fact import InitialFact
    from experta.factlist import FactList

    from expert.rete import Facts

    special = Community(members=1)
    dict.__setitem__(special, "__mark__", 1)  # a special key, left out of a fact's identity
    for fact in (ours, theirs, special, Concluded(id="x"), InitialFact(), Community(1, 2, a=3)):
        assert Facts._get_fact_id(fact) == FactList._get_fact_id(fact)
    from experta import P, W
    from experta.fact import Fact

    for fact in (ours, theirs, special, Concluded(id="x"), Community(a__b=1), Community(__x__=1, y=P(bool)),
                 Case(**{PROBLEMS: frozenset()}), Community(W("q"))):
        for check in ("has_field_constraints", "has_nested_accessor"):
            for _ in range(2):  # the second time from what is remembered
                assert getattr(fact, check)() == getattr(Fact, check)(fact), (fact, check)
    for unhashable in (Unhashable("u"), [Unhashable("u")]):
        for build in (lambda v: new_fact(Community, {"u": v}), lambda v: Community(u=v)):
            with pytest.raises(TypeError):
                build(unhashable)


def _shape(matcher) -> list:
    """The network as experta wired it, node for node: each node's kind, what it checks (a pattern's
    own id and a function's address left out) and the callback and shape of each child."""
    import re

    memo: dict[int, tuple] = {}

    def shape(node) -> tuple:
        if id(node) not in memo:
            memo[id(node)] = ()  # a node met again on its own path: named, not walked
            check = re.sub(r"__pattern_\d+__|at 0x[0-9a-f]+", "", repr(getattr(node, "matcher", None)))
            if hasattr(node, "rule"):
                check = node.rule._wrapped.__name__
            memo[id(node)] = (_experta_kind(node), check,
                              tuple(sorted(repr((child.callback.__name__, shape(child.node))) for child in node.children)))
        return memo[id(node)]

    return sorted(repr(shape(child.node)) for child in matcher.root_node.children)


def _experta_kind(node) -> str:
    from experta.matchers.rete import nodes

    return next(cls.__name__ for cls in type(node).__mro__ if cls.__module__ == nodes.__name__)


def test_the_network_is_wired_node_for_node_as_experta_wires_it(checkup):
    for engine in (checkup.diagnoser.engine, checkup.prescriber.engine):
        plain = plain_experta(type(engine))()
        assert _shape(engine.matcher) == _shape(plain.matcher)
        assert len(_nodes(engine.matcher)) == len(_nodes(plain.matcher)) > 50


def _same_network(ours, theirs) -> int:
    """Walk two networks side by side and fail where they differ in any way experta could observe: the
    kind of each node, the very check object it tests (experta keeps one of each), the rule of each
    conflict-set node, each node's children in order with the callback each is wired to, and which
    nodes are shared (a node reached twice in one is reached at the same place in the other).
    Gives the number of nodes."""
    from experta.matchers.rete.check import FactCapture, SameContextCheck, WhereCheck

    pairs: dict[int, int] = {}
    todo = [(ours.root_node, theirs.root_node)]
    while todo:
        a, b = todo.pop()
        if id(a) in pairs:
            assert pairs[id(a)] == id(b)
            continue
        pairs[id(a)] = id(b)
        assert _experta_kind(a) == _experta_kind(b)
        mine, its = getattr(a, "matcher", None), getattr(b, "matcher", None)
        if isinstance(its, FactCapture) and its.bind.startswith("__pattern_"):
            # a pattern bound to no name is captured under its own id: experta's preparation made
            # its own copy of the pattern (an InitialFact it adds), ours was written prepared
            assert isinstance(mine, FactCapture) and mine.bind.startswith("__pattern_")
        elif isinstance(its, SameContextCheck):  # made new for every two-input node
            assert type(mine) is SameContextCheck
        elif isinstance(its, WhereCheck):  # made new for every TEST, of the rule's own test
            assert type(mine) is WhereCheck and mine.test is its.test
        else:  # experta keeps one of each check: the same object, or the same absence of one
            assert mine is its
        if hasattr(b, "rule"):
            assert a.rule == b.rule and a.rule.salience == b.rule.salience and a.rule._wrapped is b.rule._wrapped
        assert [c.callback.__name__ for c in a.children] == [c.callback.__name__ for c in b.children]
        todo.extend(zip([c.node for c in a.children], [c.node for c in b.children]))
    assert len(set(pairs.values())) == len(pairs)
    return len(pairs)


def test_the_network_is_built_node_for_node_in_experta_s_order(checkup):
    """DrivenRete's own build (build_alpha_part, prepare_ruleset) makes experta's network exactly,
    children in the same order, so rules of equal salience are even offered in the same order."""
    from experta.matchers import ReteMatcher

    for engine in (checkup.diagnoser.engine, checkup.prescriber.engine):
        plain = plain_experta(type(engine))()
        assert _same_network(engine.matcher, plain.matcher) > 100
        # the conflict-set nodes as experta lists them, from our network and from its own
        assert engine.matcher.conflict_sets == ReteMatcher._get_conflict_set_nodes(engine.matcher)
        assert [n.rule for n in engine.matcher.conflict_sets] == [
            n.rule for n in ReteMatcher._get_conflict_set_nodes(plain.matcher)]


def test_a_copied_rule_is_the_copy_experta_makes(checkup):
    from expert.rete import copied_rule

    for engine in (checkup.diagnoser.engine, checkup.prescriber.engine):
        for rule in engine.get_rules():
            copy, theirs = copied_rule(rule), rule.new_conditions(*rule)
            assert type(copy) is type(theirs) and tuple(copy) == tuple(theirs)
            assert vars(copy) == vars(theirs) and hash(copy) == hash(theirs)
            assert copy._wrapped_self is None and copy._wrapped_args is not rule._wrapped_args


def test_a_rule_given_its_action_is_the_rule_experta_s_decoration_makes(checkup):
    from experta import Rule

    from expert.rete import with_action

    for engine in (checkup.diagnoser.engine, checkup.prescriber.engine):
        for name in dir(type(engine)):
            rule = type(engine).__dict__.get(name)
            if isinstance(rule, Rule):
                ours = with_action(Rule(*rule, salience=rule.salience), rule._wrapped)
                theirs = Rule(*rule, salience=rule.salience)(rule._wrapped)
                assert vars(ours) == vars(theirs) and hash(ours) == hash(theirs) and ours._wrapped_args == []


def _memories(matcher) -> list:
    return [(repr(getattr(node, "matcher", None) or node.rule),
             {k: v for k, v in vars(node).items() if k in ("memory", "left_memory", "right_memory")})
            for node in _nodes(matcher)]


def test_a_reset_after_cases_leaves_every_node_as_experta_s_recursive_reset_does(checkup, kb):
    # only the conflict sets that held a token are wiped: the others must be empty already
    for engine in (checkup.diagnoser.engine, checkup.prescriber.engine):
        for answers in _cases(kb, 16, 40):
            checkup.diagnose(answers)
            engine.matcher.reset()
            ours = _memories(engine.matcher)
            engine.matcher.root_node.reset()  # experta's own: every node of the network, recursively
            assert ours == _memories(engine.matcher)
            assert not engine.matcher.touched


def test_activations_hash_and_compare_as_experta_s(checkup, kb):
    from experta.activation import Activation

    seen = 0
    for answers in _cases(kb, 17, 60):
        diagnoser = checkup.diagnoser
        checkup.prescriber.prescribe(answers, diagnoser.diagnose(answers))
        diagnoser.engine.reset_case(answers.values)  # the diagnosis's first activations, before it runs
        diagnoser.engine.declare(Community(**{q: answers.values.get(q) for q in diagnoser.question_ids}))
        for engine in (diagnoser.engine, checkup.prescriber.engine):
            for activation in engine.agenda.activations:
                twin = Activation(activation.rule, activation.facts, dict(activation.context))
                twin.key = activation.key
                assert hash(activation) == Activation.__hash__(activation) == hash(twin)
                assert activation == twin and twin == activation
                seen += 1
    assert seen > 100


def test_the_agenda_is_ordered_as_experta_s_depth_strategy_orders_it():
    # activations added all at once and sorted stably come out as experta's insort puts them, one by one,
    # ties (same salience, same facts) included; removals as experta's
    from experta import Fact, Rule
    from experta.activation import Activation
    from experta.agenda import Agenda
    from experta.strategies import DepthStrategy

    from expert.rete import DepthFirst

    rng = random.Random(18)
    facts = []
    for n in range(6):
        fact = Fact(n=n)
        fact.__factid__ = n
        facts.append(fact)
    rules = [Rule(salience=rng.choice([0, 5, -1000])) for _ in range(8)]
    for _ in range(300):
        made = [Activation(rng.choice(rules), rng.sample(facts, rng.randint(1, 3)), {"n": rng.randint(0, 2)})
                for _ in range(rng.randint(0, 12))]
        agendas = []
        for strategy in (DepthStrategy(), DepthFirst()):
            agenda = Agenda()
            strategy.update_agenda(agenda, made[: len(made) // 2], [])
            strategy.update_agenda(agenda, made[len(made) // 2:], made[: len(made) // 4])
            agendas.append([id(a) for a in agenda.activations])
        assert agendas[0] == agendas[1]


def test_the_bus_sends_the_tokens_experta_s_bus_sends():
    from experta.matchers.rete.nodes import BusNode

    received: dict[str, list] = {"ours": [], "theirs": []}
    fact = Community(members=3)
    for name in received:
        bus = BusNode()
        bus.add_child(None, received[name].append)
        if name == "ours":
            bus.__class__ = Bus
            bus.callbacks = tuple(child.callback for child in bus.children)
        bus.add(fact)
        bus.remove(fact)
    ours, theirs = received["ours"], received["theirs"]
    assert ours == theirs and [type(t) for t in ours] == [type(t) for t in theirs]
    assert [(type(t.data), type(t.context)) for t in ours] == [(type(t.data), type(t.context)) for t in theirs]


def test_an_alpha_node_binds_as_experta_s_does_whatever_the_token_already_holds():
    # a binding against a context that holds the same name (equal or not), a negated binding, or
    # nothing; a fact bound, and a NaN, which experta compares with itself and so never binds
    from experta import W
    from experta.matchers.rete.check import FactCapture, FeatureCheck
    from experta.matchers.rete.nodes import FeatureTesterNode
    from experta.matchers.rete.token import Token

    from expert.rete import Capture, faster

    nan = float("nan")
    fact = Community(x=1, y=nan)
    other = Community(x=2)
    checks = [FactCapture("c"), FeatureCheck("x", W("q")), FeatureCheck("y", W("q"))]
    contexts = [{}, {"c": fact}, {"c": other}, {"q": 1}, {"q": 2}, {(False, "q"): 1}, {(False, "c"): fact},
                {(False, "q"): 3, "z": 0}]
    for check in checks:
        for context in contexts:
            received: dict[str, list] = {"ours": [], "theirs": []}
            for name in received:
                node = FeatureTesterNode(check)
                node.add_child(None, received[name].append)
                if name == "ours":
                    faster(node)
                    node.callbacks = tuple(child.callback for child in node.children)
                    ours = node
                node.activate(Token.valid(fact, dict(context)))
            assert received["ours"] == received["theirs"], (check, context)
            assert isinstance(ours, Capture) == isinstance(check, FactCapture)


def test_a_test_of_one_bound_fact_passes_the_tokens_experta_s_where_node_passes(checkup, kb):
    # a TEST over several answers is called on the bound fact directly, not through keyword arguments
    from experta.matchers.rete.nodes import WhereNode
    from experta.matchers.rete.token import Token

    diagnoser, prescriber = checkup.diagnoser, checkup.prescriber
    cases = _cases(kb, 19, 60)
    facts = [Community(**{q: a.values.get(q) for q in diagnoser.question_ids}) for a in cases]
    facts += [Case(**{q: a.values.get(q) for q in prescriber.question_ids}, **{PROBLEMS: frozenset()}) for a in cases]
    wheres = [n for e in (diagnoser.engine, prescriber.engine) for n in _nodes(e.matcher) if isinstance(n, FactWhere)]
    assert len(wheres) > 20
    held = 0
    for node in wheres:
        for fact in facts:
            token = Token.valid(fact, {node.var: fact, "other": 1})
            received: dict[str, list] = {"ours": [], "theirs": []}
            theirs = WhereNode(node.matcher)
            theirs.add_child(None, received["theirs"].append)
            theirs.activate(token)
            kept, node.callbacks = node.callbacks, (received["ours"].append,)
            try:
                node.activate(token)
            finally:
                node.callbacks = kept
            assert received["ours"] == received["theirs"], node.matcher
            held += bool(received["ours"])
    assert 0 < held < len(wheres) * len(facts)


def test_facts_are_numbered_and_told_duplicate_as_experta_s_fact_list(checkup, kb):
    from experta.fact import InitialFact
    from experta.factlist import FactList

    from expert.rete import Facts, new_fact

    rng = random.Random(20)
    values = [{q: a.values.get(q) for q in checkup.diagnoser.question_ids} for a in _cases(kb, 20, 10)]
    for duplication in (False, True):
        lists = {"ours": Facts(), "theirs": FactList()}
        for facts in lists.values():
            facts.duplication = duplication
        for _ in range(200):
            kind = rng.randrange(5)
            make = [lambda: InitialFact(), lambda: Concluded(id=rng.choice("abc")),
                    lambda: new_fact(Community, rng.choice(values)), lambda: Community(members=rng.randrange(3)),
                    lambda: Community(members=1, __mark__=rng.randrange(2))][kind]
            fact = make()
            twin = type(fact)(**{k: v for k, v in fact.items() if k != "__mark__"})
            if "__mark__" in fact:
                dict.__setitem__(twin, "__mark__", fact["__mark__"])
            if lists["ours"] and rng.random() < 0.2:  # a fact retracted now and then, as experta retracts it
                victim = rng.choice(list(lists["ours"]))
                for facts in lists.values():
                    facts.retract(victim)
            got = {name: facts.declare(fact if name == "ours" else twin) for name, facts in lists.items()}
            assert (got["ours"] is None) == (got["theirs"] is None)
            ours, theirs = lists["ours"], lists["theirs"]
            assert list(ours) == list(theirs) and ours.last_index == theirs.last_index
            assert [dict(f) for f in ours.values()] == [dict(f) for f in theirs.values()]
            assert dict(ours.reference_counter) == dict(theirs.reference_counter)
            assert [dict(f) for f in ours.added] == [dict(f) for f in theirs.added]
        assert 0 < len(lists["ours"]) < 200
    with pytest.raises(ValueError):
        Facts().declare({"id": "x"})


def test_the_watchers_are_read_as_experta_s_worth_reads_them():
    from experta import watchers

    from expert.rete import quiet

    names = ("MATCH", "MATCHER", "RULES", "ACTIVATIONS", "AGENDA", "FACTS")
    rng = random.Random(22)
    levels = (logging.NOTSET, logging.DEBUG, logging.INFO, logging.WARNING, logging.CRITICAL)
    try:
        for _ in range(300):
            for name in names:
                getattr(watchers, name).setLevel(rng.choice(levels) if rng.random() < 0.3 else logging.NOTSET)
            loud = (watchers.worth("MATCH", "DEBUG") or watchers.worth("MATCHER", "DEBUG")
                    or watchers.worth("RULES", "INFO") or watchers.worth("ACTIVATIONS", "INFO")
                    or watchers.worth("AGENDA", "DEBUG"))
            assert quiet() is (not loud)
    finally:
        for name in watchers.ALL:
            getattr(watchers, name).setLevel(logging.NOTSET)


def test_a_reset_declares_the_deffacts_experta_s_reset_declares(checkup, kb):
    from experta import DefFacts

    class WithDeffacts(checkup.diagnoser.engine_class):
        @DefFacts()
        def known(self):
            yield Concluded(id="known")
            yield Community(members=1)

    for cls in (checkup.diagnoser.engine_class, WithDeffacts):
        engines = [cls(), plain_experta(cls)()]
        for engine in engines:
            engine.reset()
            engine.reset()  # the second time from what the class remembers
        ours, theirs = (engine.facts for engine in engines)
        assert [(type(f), dict(f), vars(f)) for f in ours.values()] == \
            [(type(f), dict(f), vars(f)) for f in theirs.values()]
        assert len(ours) == (1 if cls is not WithDeffacts else 3)
        assert [a.rule for a in engines[0].agenda.activations] == [a.rule for a in engines[1].agenda.activations]


def test_a_conflict_set_makes_the_activations_experta_s_makes_of_any_token():
    # a context with a negated binding (left out of the activation) as well as the usual ones
    from experta import Rule
    from experta.matchers.rete.nodes import ConflictSetNode
    from experta.matchers.rete.token import Token

    from expert.rete import _Hashed, faster

    fact, other = Community(x=1), Concluded(id="a")
    fact.__factid__, other.__factid__ = 1, 2
    rule = Rule(Community())
    contexts = [{}, {"c": fact}, {"c": fact, "f": other}, {(False, "q"): 1, "c": fact}, {(False, "q"): 1}]
    for context in contexts:
        for data in ({fact}, {fact, other}):
            nodes = {"ours": ConflictSetNode(rule), "theirs": ConflictSetNode(rule)}
            for node in nodes.values():
                node._reset()
            ours = nodes["ours"]
            faster(ours)
            ours.pending, ours.touched, ours.index, ours.rule_hash = set(), [], 0, _Hashed(hash(rule))
            for tag in ("valid", "valid", "invalid", "valid"):
                for node in nodes.values():
                    node.activate(getattr(Token, tag)(data, dict(context)))
                made = {name: node.get_activations() for name, node in nodes.items()}
                for a, b in zip(made["ours"], made["theirs"]):
                    assert a == b
                    assert [hash(x) for x in a] == [hash(x) for x in b]
                    assert [x.context for x in a] == [x.context for x in b]
                assert nodes["ours"].memory == nodes["theirs"].memory


class _Loose(str):
    """An id that compares as a str but hashes as nothing else does: no dict could find it."""

    def __eq__(self, other):
        return str.__eq__(self, other)

    def __hash__(self):
        return 7


def test_a_type_test_passes_each_child_the_tokens_experta_s_children_pass_on(checkup, kb):
    # a type test takes its predicate children's steps itself, and of literal children only asks the one
    # the value names: each child's own children must receive exactly what they would from experta's node
    from experta.fact import InitialFact
    from experta.matchers.rete.nodes import FeatureTesterNode
    from experta.matchers.rete.token import Token

    diagnoser = checkup.diagnoser
    facts = [Community(**{q: a.values.get(q) for q in diagnoser.question_ids}) for a in _cases(kb, 24, 15)]
    for fid in kb.rules.findings:  # an id as the knowledge base has it (an Id), as a str, as an odd str
        facts += [Concluded(id=fid), Concluded(id=str(fid)), Concluded(id=_Loose(fid))]
    facts += [Concluded(id="unknown"), Concluded(id=None), Concluded(id=1), Concluded(), InitialFact()]
    facts += [Case(**{q: a.values.get(q) for q in checkup.prescriber.question_ids},
                   **{PROBLEMS: frozenset(list(kb.rules.findings)[n::5])}) for n, a in enumerate(_cases(kb, 25, 10))]
    testers = [n for e in (diagnoser.engine, checkup.prescriber.engine) for n in _nodes(e.matcher)
               if isinstance(n, TypeTester)]
    # a type test whose children are fanned out by an index (the plan's FanOut) calls the index, whose
    # own tests are the fan-out tests below; here the type tests that call their children themselves
    fanned = [n for n in testers if any(isinstance(cb.__self__, FanOut) for cb in n.callbacks)]
    testers = [n for n in testers if n not in fanned]
    assert fanned and len(testers) >= 4 and any(t.literals for t in testers)
    passed = 0
    for tester in testers:
        children = [callback.__self__ for callback in tester.callbacks]
        for fact in facts:
            token = Token.valid(fact)
            ours: list = [[] for _ in children]
            kept = [child.callbacks for child in children]
            try:
                for child, received in zip(children, ours):
                    child.callbacks = (received.append,)
                tester.activate(token)
            finally:
                for child, callbacks in zip(children, kept):
                    child.callbacks = callbacks
            theirs: list = [[] for _ in children]
            for child, received in zip(children, theirs):  # experta's own nodes, one per child
                plain = FeatureTesterNode(child.matcher)
                plain.add_child(None, received.append)
                if tester.matcher(fact):
                    plain.activate(token)
            assert ours == theirs, (tester.matcher, fact)
            passed += sum(map(len, ours))
    assert passed > 100
    # the bus calls only the type test of the fact's type, which passes the token on as above
    received: list = []
    engine = diagnoser.engine_class()  # a network of its own: the facts below are never declared
    bus = engine.matcher.root_node
    bus.callbacks = [received.append, *bus.callbacks]
    for fact in facts[:3]:
        bus.add(fact)
    assert [t.data for t in received] == [{f} for f in facts[:3]]
    assert any(node.added for node in engine.matcher.conflict_sets)


def test_a_predicate_that_says_it_compares_with_a_constant_does(checkup, kb):
    # the alpha nodes take the steps of a predicate that says it is `value <op> constant` themselves
    from expert.rete import comparison

    predicates = [n for e in (checkup.diagnoser.engine, checkup.prescriber.engine) for n in _nodes(e.matcher)
                  if isinstance(n, PredicateTester)]
    comparing = [n for n in predicates if n.compares is not None]
    assert len(comparing) > 30 and len(comparing) < len(predicates)
    cases = _cases(kb, 26, 40)
    for node in comparing:
        values = [None, 0, -1, 2.5, "a", "", True, ["a"], *(a.values.get(node.field) for a in cases)]
        for value in values:
            said = value is not None and comparison(node.compares, value)
            assert node.test(value) is said, (node.field, value)


def _rules_reached(engine, fact) -> list[str]:
    """The rules whose conflict-set node a fact reaches, in the order the network reaches them."""
    from experta.matchers.rete.nodes import ConflictSetNode

    reached: list[str] = []
    kept = {}
    for node in _nodes(engine.matcher):
        if any(isinstance(child.node, ConflictSetNode) for child in node.children):
            kept[node] = node.callbacks
            node.callbacks = tuple((lambda token, rule=child.node.rule.__name__: reached.append(rule))
                                   for child in node.children)
    try:
        engine.reset()
        engine.declare(fact)
    finally:
        for node, callbacks in kept.items():
            node.callbacks = callbacks
    return reached


def test_the_fan_out_reaches_the_rules_the_node_s_own_loop_reaches_in_its_order(checkup, kb):
    # the concluded problems look up the actions they name; every other child is asked as before
    engine = checkup.prescriber.engine
    fans = engine.matcher.fan_outs
    assert fans and all(fan.field == PROBLEMS for fan in fans)
    assert max(len(fan.callbacks) - bin(fan.always).count("1") for fan in fans) > 20  # children indexed
    owners = {fan: node for node in _nodes(engine.matcher) for fan in fans if node.callbacks == (fan.activate,)}
    assert len(owners) == len(fans)
    findings = list(kb.rules.findings)
    rng = random.Random(19)
    problem_sets = [frozenset(), frozenset(findings), *(frozenset(rng.sample(findings, rng.randint(1, 12)))
                                                         for _ in range(60))]
    checked = 0
    for answers, problems in zip(_cases(kb, 19, len(problem_sets)), problem_sets):
        fact = {q: answers.values.get(q) for q in checkup.prescriber.question_ids}
        with_index = _rules_reached(engine, Case(**fact, **{PROBLEMS: problems}))
        for fan, node in owners.items():
            node.callbacks = fan.callbacks  # the node's own loop over its children
        try:
            without = _rules_reached(engine, Case(**fact, **{PROBLEMS: problems}))
        finally:
            for fan, node in owners.items():
                node.callbacks = (fan.activate,)
        assert with_index == without, sorted(problems)
        checked += len(without)
    assert checked > 300


def test_a_fan_out_gives_the_activations_experta_gives_whatever_the_field_holds():
    # a set field tested by enough AnyOf predicates, alone or with others (a NoneOf of the same members
    # among them, which must stay a test of its own), beside tests of another field; facts whose field is
    # a set, empty, missing, or a list (then every child is asked)
    from experta import Fact, P, Rule, W

    from expert.rete import AnyOf, DrivenEngine, IndexedRete, NoneOf

    class Tagged(Fact):
        pass

    def rule(name, *patterns):
        def act(engine):  # pragma: no cover - activations are read, not run
            pass
        act.__name__ = name
        return Rule(*patterns)(act)

    tags = [f"t{n}" for n in range(8)]
    rules, holds = {}, {}  # name -> rule, and when it holds, said plainly
    for n in range(7):
        some = tags[n:n + 2 + n % 3]
        rules[f"any{n}"] = rule(f"any{n}", Tagged(tags=P(AnyOf(some))))
        holds[f"any{n}"] = lambda fact, some=some: bool(set(fact.get("tags", ())) & set(some))
    rules["many"] = rule("many", Tagged(tags=P(AnyOf(tags[:3])) & P(lambda s: len(s) > 2)))
    holds["many"] = lambda fact: bool(set(fact.get("tags", ())) & set(tags[:3])) and len(fact["tags"]) > 2
    rules["with"] = rule("with", Tagged(tags=P(AnyOf(tags[:3])) & P(AnyOf(tags[:1]))))
    holds["with"] = lambda fact: tags[0] in fact.get("tags", ())
    rules["without"] = rule("without", Tagged(tags=P(AnyOf(tags[:3])) & P(NoneOf(tags[:1]))))
    holds["without"] = lambda fact: bool(set(fact.get("tags", ())) & set(tags[1:3])) and tags[0] not in fact["tags"]
    rules["bound"] = rule("bound", Tagged(tags=P(AnyOf(tags[5:])) & W("seen")))
    holds["bound"] = lambda fact: bool(set(fact.get("tags", ())) & set(tags[5:]))
    rules["size"] = rule("size", Tagged(size=P(lambda s: s > 2)))
    holds["size"] = lambda fact: fact["size"] > 2
    rules["both"] = rule("both", Tagged(size=P(lambda s: s > 1), tags=P(AnyOf(tags[6:]))))
    holds["both"] = lambda fact: fact["size"] > 1 and bool(set(fact.get("tags", ())) & set(tags[6:]))
    indexed = type("Indexed", (DrivenEngine,), {"__matcher__": IndexedRete, **rules})()
    plain = plain_experta(type(indexed))()
    assert indexed.matcher.fan_outs
    rng = random.Random(20)
    values = [frozenset(rng.sample(tags, rng.randint(0, 8))) for _ in range(150)]
    values += [None, [tags[0], tags[6]], frozenset(["elsewhere"])]
    fired = set()
    for value in values:
        fact = {"size": rng.randint(0, 4)}
        if value is not None:
            fact["tags"] = value
        got = []
        for engine in (indexed, plain):
            engine.reset()
            engine.declare(Tagged(**fact))
            got.append(sorted((a.rule.__name__, {k: v for k, v in a.context.items() if not k.startswith("__")})
                              for a in engine.agenda.activations))
        assert got[0] == got[1], fact
        assert [name for name, _ in got[0]] == sorted(name for name in rules if holds[name](fact)), fact
        fired.update(name for name, _ in got[0])
    assert fired == set(rules)


def test_any_of_and_none_of_equal_only_their_own_kind():
    from expert.rete import AnyOf, NoneOf

    assert AnyOf(["a"]) == AnyOf(["a"]) and hash(AnyOf(["a"])) == hash(AnyOf(["a"]))
    assert AnyOf(["a"]) != NoneOf(["a"]) and NoneOf(["a"]) != AnyOf(["a"]) and AnyOf(["a"]) != frozenset(["a"])
    assert AnyOf(["a", "b"])(frozenset(["b", "c"])) and not AnyOf(["a"])(frozenset(["b"]))
    assert NoneOf(["a"])(frozenset(["b"])) and not NoneOf(["a"])(frozenset(["a", "b"]))
