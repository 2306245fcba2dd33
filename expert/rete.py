"""How shequn drives experta: its own Rete network, built by experta, walked without the waste.

Decision: experta builds the network (alpha and beta nodes, joins, NOT nodes, tests) and matches and
chains exactly as it would; what changes is the cost of each step, which in experta 1.9.4 is mostly
bookkeeping that a case never needs:

- the bus node builds each fact's token through Token's type assertions and logs it; here the
  token is built as it is, without the log line;
- every node copies the token it receives (with type assertions) although no node changes a token
  in place; here a token is copied only where a node adds bindings to it;
- every check logs through `logging` (`MATCH.info` / `.debug`), a call per feature test, and wraps
  a field's tests in several layers; here the checks are the same tests without the log calls, a
  field's wildcard and predicates in one closure (with watchers on, experta still logs firings and
  activations, not each feature test);
- after every firing the matcher asks all conflict-set nodes for changes; here a conflict-set node
  says when it has some, and only those are asked, in experta's own order;
- `reset()` walks the whole network recursively; here only the nodes that hold memory are wiped,
  and of the conflict-set nodes only those that received a token since the last reset;
- an activation is hashed several times (conflict set, agenda), each time re-hashing its rule's
  whole condition; here it is hashed once, to the same value;
- the engine's `run` builds a log line per firing and `reset` re-reads the deffacts' signatures;
  here neither happens unless experta's watchers are on;
- the depth strategy hashes every activation to look its key up in an lru_cache; here the key is
  computed, which is cheaper;
- a declared fact's identity (to tell duplicates) calls `is_special` once per field; here the same
  test is inline;
- a fact is filled field by field through __setitem__ and a singledispatch `freeze`; `new_fact`
  fills a new one in one update;
- a node whose children test which members a set field holds (the plan's "a problem that names
  this action was concluded", forty of them) asks each child in turn; IndexedRete's FanOut looks the
  field's members up in an index of the children instead, and asks only those that can pass;
- building the network, experta's `wire_rule` makes a new singledispatch function for every rule,
  registering seven handlers whose dispatch cache each registration empties; `wire_rule` below is
  the same wiring, its handlers registered once.

Everything stays experta's: the same node classes (subclassed, swapped in after experta built them),
the same token semantics, the same agenda strategy. tests/test_rete.py checks each of these against
experta's own behaviour on random cases, and tests/test_speed_equality.py the whole diagnosis.
"""

from __future__ import annotations

import collections
import collections.abc
import inspect
import operator
from collections.abc import Mapping
from functools import singledispatch
from itertools import chain, repeat

# experta 1.9.4 pins frozendict 1.2, which subclasses `collections.Mapping`, removed in Python 3.10.
# Restoring the alias before experta is imported is the one place this project deals with it.
if not hasattr(collections, "Mapping"):
    collections.Mapping = collections.abc.Mapping  # type: ignore[attr-defined]

from experta import KnowledgeEngine, watchers
from experta.activation import Activation
from experta.agenda import Agenda
from experta.conditionalelement import AND, EXISTS, FORALL, NOT, OR, TEST, ConditionalElement
from experta.fact import Fact, InitialFact
from experta.factlist import FactList
from experta.fieldconstraint import ANDFC, NOTFC, ORFC, L, P, W
from experta.matchers import ReteMatcher
from experta.matchers.rete import check as rete_check
from experta.matchers.rete import mixins
from experta.matchers.rete import nodes as rete_nodes
from experta.matchers.rete.token import Token, TokenInfo
from experta.rule import Rule
from experta.strategies import DepthStrategy
from experta.utils import freeze, frozenlist, unfreeze

_new_token = tuple.__new__  # a Token without Token.__new__'s assertions: every token here is well formed
_VALID = Token.TagType.VALID


def _info(token) -> TokenInfo:
    """`token.to_info()`, built as TokenInfo.__new__ builds it, without its two calls."""
    return _new_token(TokenInfo, (frozenset(token.data), frozenset(token.context.items())))


_INVALID = Token.TagType.INVALID


def quiet() -> bool:
    """experta's watchers are off (the default): nothing would be logged, so nothing need be called."""
    return not (watchers.worth("MATCH", "DEBUG") or watchers.worth("MATCHER", "DEBUG")
                or watchers.worth("RULES", "INFO") or watchers.worth("ACTIVATIONS", "INFO")
                or watchers.worth("AGENDA", "DEBUG"))


# ---------------------------------------------------------------------------- checks without logging


def value_check(feature: rete_check.FeatureCheck):
    """A FeatureCheck's test of one value (`check(value, is_fact=False)`), without the logging."""
    how, check, expected = feature.how, feature.check, feature.expected
    if isinstance(how, ANDFC):
        subs = [value_check(s) for s in expected]

        def and_match(actual):
            value = {}
            for sub in subs:
                res = sub(actual)
                if res is False:
                    return False
                if res is True:
                    continue
                if isinstance(res, Mapping):
                    value.update(res)
                else:
                    raise TypeError("Bad check value.")
            return value or True

        return and_match
    if isinstance(how, ORFC):
        subs = [value_check(s) for s in expected]

        def or_match(actual):
            for sub in subs:
                res = sub(actual)
                if res:
                    return res
            return False

        return or_match
    if isinstance(how, NOTFC):
        sub = value_check(expected)

        def not_equal(actual):
            res = sub(actual)
            if isinstance(res, Mapping):
                return {(False, k): v for k, v in res.items()}
            return not res

        return not_equal
    bind = getattr(how, "__bind__", None)
    if isinstance(how, P):  # experta's match_predicate, one call less
        match = how.match
        if bind is None:
            return lambda actual: True if match(actual) else False
        return lambda actual: {bind: actual} if match(actual) else False
    if isinstance(how, W):  # experta's wildcard_match
        if bind is None:
            return lambda actual: True
        return lambda actual: {bind: actual}
    return lambda actual: check(actual, expected)  # L: experta's own function, which never logs


def fact_check(matcher):
    """An alpha node's check of a fact, as experta's check computes it, without the logging; None
    where experta's own is kept (a nested accessor such as `a__b`, read the long way)."""
    if isinstance(matcher, rete_check.TypeCheck):
        fact_type = matcher.fact_type
        return lambda fact: type(fact) == fact_type
    if isinstance(matcher, rete_check.FactCapture):
        bind = matcher.bind
        return lambda fact: {bind: fact}
    if isinstance(matcher, rete_check.FeatureCheck):
        what = matcher.what
        if isinstance(what, str) and "__" in what:
            return None
        if isinstance(matcher.how, L):  # `Concluded(id=L('x'))`: experta's equal_literal, in one closure
            literal, bind = matcher.how.value, matcher.how.__bind__

            def equal(fact):
                try:
                    record = fact[what]
                except (IndexError, KeyError, TypeError):
                    return False
                if literal == record:
                    return True if bind is None else {bind: record}
                return False

            return equal
        flat = _leaves(matcher.how)
        if flat is not None and len(flat[0]) == 1 and not flat[1]:  # one predicate: the test itself
            pred = flat[0][0]

            def predicate(fact):
                try:
                    record = fact[what]
                except (IndexError, KeyError, TypeError):
                    return False
                return True if pred(record) else False

            predicate.field, predicate.test = what, pred  # what PredicateTester reads itself
            return predicate
        if flat is not None:  # the usual `W('q_x') & P(test)`: tests and bindings, in one closure
            preds, binds = flat

            def leaves(fact):
                try:
                    record = fact[what]
                except (IndexError, KeyError, TypeError):
                    return False
                for pred in preds:
                    if not pred(record):
                        return False
                return {bind: record for bind in binds} if binds else True

            return leaves
        test = value_check(matcher)

        def feature(fact):
            try:
                record = fact[what]
            except (IndexError, KeyError, TypeError):
                return False
            return test(record)

        return feature
    return None


def _leaves(how):
    """An AND of predicates and wildcards (`W('q_x') & P(test)`), or one of them alone, as
    (predicates, bindings), which experta's and_match (match_predicate, wildcard_match) would give as
    the bindings when every predicate holds; None for any other."""
    if isinstance(how, (P, W)):
        how = (how,)
    elif not isinstance(how, ANDFC):
        return None
    preds, binds = [], []
    for leaf in how:
        if isinstance(leaf, P):
            preds.append(leaf.match)
        elif not isinstance(leaf, W):
            return None
        if leaf.__bind__ is not None:
            binds.append(leaf.__bind__)
    return preds, binds


def where_check(matcher: rete_check.WhereCheck):
    test, parameters = matcher.test, tuple(matcher.parameters)
    return lambda context: test(**{k: context.get(k) for k in parameters})


# ---------------------------------------------------------------------------- nodes that do not copy


class FeatureTester(rete_nodes.FeatureTesterNode):
    """experta's alpha node: a token is copied only when the check binds something."""

    def activate(self, token):
        for fact in token.data:
            break
        match = self.check(fact)
        if not match:
            return
        # the checks above give True, False or a dict of bindings; experta's own (kept for a nested
        # accessor) may give another Mapping: the exact type is tested first, the ABC's slow check after
        if match is not True and (type(match) is dict or isinstance(match, Mapping)):
            context = token.context
            for key, value in match.items():
                if isinstance(key, tuple):  # a negated binding
                    if key[1] in context and context[key[1]] == value:
                        return
                else:
                    # experta's `context.get(key, value) != value`; for a new binding that compares the
                    # value with itself, which a fact (a dict: its values are its own) always equals,
                    # so it is not compared item by item; any other value is, as a NaN never equals itself
                    if key in context:
                        if context[key] != value:
                            return
                    elif not isinstance(value, Fact) and value != value:
                        return
                    if (False, key) in context and context[(False, key)] == value:
                        return
            token = _new_token(Token, (token.tag, token.data, {**context, **match}))
        for callback in self.callbacks:
            callback(token)


class PredicateTester(FeatureTester):
    """An alpha node whose check is one predicate of one field, binding nothing (most of them): the
    check's own steps, `predicate` in fact_check, taken here without a call to it."""

    field: object
    test: object

    def activate(self, token):
        for fact in token.data:
            break
        try:
            record = fact[self.field]
        except (IndexError, KeyError, TypeError):
            return
        if self.test(record):
            for callback in self.callbacks:
                callback(token)


class Capture(FeatureTester):
    """An alpha node that binds the pattern's fact (experta's FactCapture, at the end of every pattern):
    FeatureTester's binding steps for that one binding, without building the match to loop over."""

    bind: str

    def activate(self, token):
        for fact in token.data:
            break
        context, key = token.context, self.bind
        # a fact always equals itself: see FeatureTester (only facts are declared, so only facts come here)
        if key in context and context[key] != fact:
            return
        if (False, key) in context and context[(False, key)] == fact:
            return
        bound = dict(context)
        bound[key] = fact
        token = _new_token(Token, (token.tag, token.data, bound))
        for callback in self.callbacks:
            callback(token)


class Where(rete_nodes.WhereNode):
    def activate(self, token):
        if self.check(token.context):
            for callback in self.callbacks:
                callback(token)


class Join(rete_nodes.OrdinaryMatchNode):
    """experta's two-input node, without the token copies and the log line per match."""

    def activate_left(self, token):
        self._join(token, self.left_memory, self.right_memory, True)

    def activate_right(self, token):
        self._join(token, self.right_memory, self.left_memory, False)

    def _join(self, token, branch_memory, matching_memory, is_left):
        if token.tag is _VALID:
            branch_memory.append(_info(token))
        else:
            try:
                branch_memory.remove(_info(token))
            except ValueError:
                pass
        context = token.context
        for other_data, other_context in matching_memory:
            other_context = dict(other_context)
            match = self.matcher(context, other_context) if is_left else self.matcher(other_context, context)
            if match:
                newcontext = {k: v for k, v in context.items() if isinstance(k, str)}
                for k, v in other_context.items():
                    if not isinstance(k, tuple):
                        newcontext[k] = v
                newtoken = _new_token(Token, (token.tag, token.data | other_data, newcontext))
                for callback in self.callbacks:
                    callback(newtoken)


class Negation(rete_nodes.NotNode):
    """experta's NOT node, without the token copies (it never changes a token)."""

    def activate_left(self, token):
        self._activate_left(token)

    def activate_right(self, token):
        self._activate_right(token)


class ConflictSet(rete_nodes.ConflictSetNode):
    """experta's conflict-set node, which tells its matcher when it has changes to report and when
    it first holds a token since the last reset (only those are wiped), and whose activations hash
    once (see Activated)."""

    pending: set
    touched: list
    index: int
    rule_hash: _Hashed

    def activate(self, token):
        # experta's _activate, step for step
        info = _info(token)
        activation = Activated(self.rule, info.data, {k: v for k, v in info.context if isinstance(k, str)},
                               self.rule_hash)
        memory = self.memory
        if token.tag is _VALID:
            if info not in memory:
                if not memory:
                    self.touched.append(self)
                memory.add(info)
                if self.removed and activation in self.removed:
                    self.removed.remove(activation)
                else:
                    self.added.add(activation)
        else:
            try:
                memory.remove(info)
            except ValueError:  # as experta catches it (a set raises KeyError, which it lets through)
                pass
            else:
                if self.added and activation in self.added:
                    self.added.remove(activation)
                else:
                    self.removed.add(activation)
        if self.added or self.removed:
            self.pending.add(self.index)


class _Hashed:
    """Stands for an object in a tuple to hash: a tuple's hash reads only its items' hashes."""

    __slots__ = ("value",)

    def __init__(self, value: int):
        self.value = value

    def __hash__(self) -> int:
        return self.value


class Activated(Activation):
    """experta's activation, its hash (experta's formula, the same value) worked out once: the
    conflict-set node and the agenda hash an activation several times, each time hashing its rule's
    whole condition again. Nothing changes an activation's rule, facts or context once made."""

    def __init__(self, rule, facts: frozenset, context: dict, rule_hash: _Hashed):
        self.rule, self.facts, self.key, self.context = rule, set(facts), None, context
        self._hash = hash((rule_hash, facts, frozenset(context.items())))

    def __hash__(self) -> int:
        return self._hash


class Bus(rete_nodes.BusNode):
    """experta's bus node: a fact's token made without Token's type assertions and the log line."""

    def add(self, fact):
        token = _new_token(Token, (_VALID, {fact}, {}))
        for callback in self.callbacks:
            callback(token)

    def remove(self, fact):
        token = _new_token(Token, (_INVALID, {fact}, {}))
        for callback in self.callbacks:
            callback(token)


_FAST = {
    rete_nodes.BusNode: Bus,
    rete_nodes.FeatureTesterNode: FeatureTester,
    rete_nodes.WhereNode: Where,
    rete_nodes.OrdinaryMatchNode: Join,
    rete_nodes.NotNode: Negation,
    rete_nodes.ConflictSetNode: ConflictSet,
}


# ---------------------------------------------------------------------------- facts

def _passes(kind: type) -> bool:
    """experta's freeze and unfreeze give a value of this type back as it is: no function of theirs is
    registered for it, and it is hashable (freeze's default raises for the others)."""
    known = _PASS.get(kind)
    if known is None:
        known = _PASS[kind] = (freeze.dispatch(kind) is freeze.dispatch(object)
                               and unfreeze.dispatch(kind) is unfreeze.dispatch(object)
                               and issubclass(kind, collections.abc.Hashable))
    return known


_PASS: dict[type, bool] = {}  # type -> _passes(type), learnt once a type: str and its subclasses (ids), numbers


class CheckedFact(Fact):
    """A fact whose checks before declaration (experta's has_field_constraints and
    has_nested_accessor) loop in C: a case's fact has a field per answer, checked on every case. A
    field name's check depends on the names only, so it is remembered for each set of names."""

    def has_field_constraints(self):
        return any(map(isinstance, self.values(), repeat(ConditionalElement)))

    def has_nested_accessor(self):
        names = tuple(self)
        nested = _NESTED.get(names)
        if nested is None:
            nested = Fact.has_nested_accessor(self)
            if len(_NESTED) < 256:  # a knowledge base's facts have a few sets of names
                _NESTED[names] = nested
        return nested


_NESTED: dict[tuple, bool] = {}  # a fact's field names -> experta's has_nested_accessor of them


def new_fact(fact_class, values: dict):
    """`fact_class(**values)` without a call per field to experta's __setitem__ and its singledispatch
    freeze: a new fact is empty and undeclared, so its fields are frozen and set in one update."""
    fact = fact_class()
    dict.update(fact, {k: v if _PASS.get(type(v)) else frozen(v) for k, v in values.items()})
    return fact


def frozen(value):
    """experta's freeze, without its dispatch for a value it gives back as it is, nor for each item of a
    list of them (a multiple-choice answer)."""
    if _passes(type(value)):
        return value
    if type(value) is list and _all_pass(value):
        return frozenlist(value)
    if type(value) in (set, frozenset) and _all_pass(value):
        return frozenset(value)
    return freeze(value)


def thawed(value):
    """experta's unfreeze, without its dispatch for a value it gives back as it is, nor for each item of
    a frozen list of them."""
    if _PASS.get(type(value)) or _passes(type(value)):
        return value
    if type(value) is frozenlist and _all_pass(value):
        return list(value)
    return unfreeze(value)


def _all_pass(items) -> bool:
    # the types already known to pass are looked up without a Python call per item
    return all(map(_PASS.get, map(type, items))) or all(_passes(type(item)) for item in items)


# ---------------------------------------------------------------------------- the matcher


@singledispatch
def _wire(elem, terminals):
    raise TypeError("Unknown type %s" % type(elem))


@_wire.register(TEST)
def _(elem, terminals):
    return rete_nodes.WhereNode(rete_check.WhereCheck(elem[0]))


@_wire.register(FORALL)
def _(elem, terminals):
    initial_fact_node = _wire(InitialFact(), terminals)
    leader_node = _wire(elem[0], terminals)
    followers_node = _wire(AND(*elem[1:]), terminals)
    not_node_1 = rete_nodes.NotNode(rete_check.SameContextCheck())
    not_node_2 = rete_nodes.NotNode(rete_check.SameContextCheck())
    followers_node.add_child(not_node_1, not_node_1.activate_right)
    leader_node.add_child(not_node_1, not_node_1.activate_left)
    not_node_1.add_child(not_node_2, not_node_2.activate_right)
    initial_fact_node.add_child(not_node_2, not_node_2.activate_left)
    return not_node_2


@_wire.register(EXISTS)
def _(elem, terminals):
    condition_node = _wire(elem[0], terminals)
    initial_fact_node = _wire(InitialFact(), terminals)
    not_node_1 = rete_nodes.NotNode(rete_check.SameContextCheck())
    not_node_2 = rete_nodes.NotNode(rete_check.SameContextCheck())
    condition_node.add_child(not_node_1, not_node_1.activate_right)
    initial_fact_node.add_child(not_node_1, not_node_1.activate_left)
    initial_fact_node.add_child(not_node_2, not_node_2.activate_left)
    not_node_1.add_child(not_node_2, not_node_2.activate_right)
    return not_node_2


@_wire.register(Rule)
@_wire.register(AND)
def _(elem, terminals):
    if len(elem) == 1:
        return terminals[elem[0]] if isinstance(elem[0], Fact) else _wire(elem[0], terminals)
    current_node = None
    for f, s in zip(elem, elem[1:]):
        if isinstance(s, TEST):
            if current_node is None:
                current_node = _wire(f, terminals)
            new_node = _wire(s, terminals)
            current_node.add_child(new_node, new_node.activate)
            current_node = new_node
        else:
            node_cls = rete_nodes.NotNode if isinstance(s, NOT) else rete_nodes.OrdinaryMatchNode
            if current_node is None:
                current_node = node_cls(rete_check.SameContextCheck())
                left_branch = _wire(f, terminals)
                right_branch = _wire(s, terminals)
            else:
                left_branch = current_node
                right_branch = _wire(s, terminals)
                current_node = node_cls(rete_check.SameContextCheck())
            left_branch.add_child(current_node, current_node.activate_left)
            right_branch.add_child(current_node, current_node.activate_right)
    return current_node


@_wire.register(OR)
def _(elem, terminals):
    raise SyntaxError("You can't use an OR clause inside FORALL or EXISTS")


@_wire.register(Fact)
def _(elem, terminals):
    return terminals[elem]


@_wire.register(NOT)
def _(elem, terminals):
    return terminals[elem[0]]


def wire_rule(rule, alpha_terminals, lhs=None):
    """experta's `matchers.rete.utils.wire_rule`, node for node, with its dispatch built once."""
    last_node = _wire(rule if lhs is None else lhs, alpha_terminals)
    conflict_set_node = rete_nodes.ConflictSetNode(rule)
    last_node.add_child(conflict_set_node, conflict_set_node.activate)


def faster(node) -> None:
    """Swap one of experta's nodes for its subclass above, with its check without the logging."""
    fast = _FAST.get(type(node))
    if fast is not None:
        node.__class__ = fast
    if isinstance(node, (rete_nodes.FeatureTesterNode, rete_nodes.WhereNode)):
        node.check = (fact_check(node.matcher) if isinstance(node, FeatureTester)
                      else where_check(node.matcher)) or node.matcher
        if isinstance(node, FeatureTester) and hasattr(node.check, "field"):
            node.__class__ = PredicateTester
            node.field, node.test = node.check.field, node.check.test
        elif isinstance(node, FeatureTester) and isinstance(node.matcher, rete_check.FactCapture):
            node.__class__ = Capture
            node.bind = node.matcher.bind


class DrivenRete(ReteMatcher):
    """experta's Rete matcher over experta's own network, walked as the module docstring says.

    The rules are given already prepared (compile_engine writes them in the disjunctive normal form
    that experta's preparation step would produce; tests check it would change nothing), which
    saves most of the time of building the network.
    """

    def __init__(self, engine):
        super().__init__(engine)
        self._drive()

    @staticmethod
    def build_beta_part(ruleset, alpha_terminals):
        # experta's, calling the wire_rule above
        for rule in ruleset:
            if isinstance(rule[0], OR):
                for subrule in rule[0]:
                    wire_rule(rule, alpha_terminals, lhs=subrule)
            else:
                wire_rule(rule, alpha_terminals, lhs=rule)

    @staticmethod
    def prepare_ruleset(engine):
        # fresh copies, as preparation makes: the engine's own are bound to it (experta's __get__)
        return {rule.new_conditions(*rule) for rule in engine.get_rules()}

    def _drive(self) -> None:
        """Swap the network's nodes for the subclasses above and index the ones that hold memory."""
        self.pending: set[int] = set()
        self.conflict_sets = tuple(self._get_conflict_set_nodes())  # experta's order
        seen: dict[int, object] = {}
        todo = [child.node for child in self.root_node.children]
        while todo:
            node = todo.pop()
            if id(node) in seen:
                continue
            seen[id(node)] = node
            todo.extend(child.node for child in node.children)
        self.stateful = []
        self.touched: list = []  # conflict-set nodes holding tokens: the others are empty already
        for node in seen.values():
            faster(node)
            if type(node)._reset is not mixins.NoMemory._reset and not isinstance(node, ConflictSet):
                self.stateful.append(node)
        for index, node in enumerate(self.conflict_sets):
            node.pending, node.touched, node.index = self.pending, self.touched, index
            node.rule_hash = _Hashed(hash(node.rule))
            if node.memory:
                self.touched.append(node)
        self.root_node.__class__ = Bus
        # the callbacks were bound to experta's methods when the network was wired: rebind them
        for node in chain([self.root_node], seen.values()):
            node.children[:] = [mixins.ChildNode(child.node, getattr(child.node, child.callback.__name__))
                                for child in node.children]
            node.callbacks = tuple(child.callback for child in node.children)

    def changes(self, adding=None, deleting=None):
        root = self.root_node
        if deleting:
            for fact in deleting:
                root.remove(fact)
        if adding:
            for fact in adding:
                root.add(fact)
        added: list = []
        removed: list = []
        if self.pending:
            for index in sorted(self.pending):
                node = self.conflict_sets[index]
                if node.added:
                    added.extend(node.added)
                    node.added = set()
                if node.removed:
                    removed.extend(node.removed)
                    node.removed = set()
            self.pending.clear()
        return added, removed

    def reset(self):
        for node in self.stateful:
            node._reset()
        for node in self.touched:
            node._reset()
        self.touched.clear()


_KEY = operator.attrgetter("key")


class DepthFirst(DepthStrategy):
    """experta's depth strategy, its key computed rather than looked up in an lru_cache: hashing an
    activation for the cache (a frozenset of its context) costs more than the key itself."""

    def get_key(self, activation):
        facts = activation.facts
        if len(facts) == 1:
            for fact in facts:
                return (activation.rule.salience, [fact["__factid__"]])
        return (activation.rule.salience, sorted((f["__factid__"] for f in facts), reverse=True))

    def _update_agenda(self, agenda, added, removed):
        # experta's: the removed taken out one by one; the added put in one by one with bisect.insort,
        # each after those of equal key already there. A stable sort of the agenda with all of them
        # appended gives that same order, comparing keys far fewer times
        if removed:
            super()._update_agenda(agenda, (), removed)
        if added:
            for act in added:
                act.key = self.get_key(act)
            activations = agenda.activations
            activations.extend(added)
            activations.sort(key=_KEY)


class Facts(FactList):
    """experta's fact list; a fact's identity (which tells a duplicate) made without a call per field."""

    @staticmethod
    def _get_fact_id(fact):
        return frozenset([fact.__class__] + [(k, v) for k, v in fact.items()
                                             if not (isinstance(k, str) and k.startswith("__") and k.endswith("__"))])


class DrivenEngine(KnowledgeEngine):
    """A KnowledgeEngine matched by DrivenRete, whose `reset` and `run` skip what only logging needs.

    With experta's watchers on, both are experta's own, log lines and all.
    """

    __matcher__ = DrivenRete
    __strategy__ = DepthFirst

    def get_deffacts(self):
        # experta looks them up with inspect.getmembers on every reset(), a scan of every attribute,
        # rules included, that cost more than the case itself; the class's deffacts never change
        names = type(self).__dict__.get("_deffact_names")
        if names is None:
            from experta import DefFacts

            names = tuple(name for name, _ in sorted(
                inspect.getmembers(type(self), lambda obj: isinstance(obj, DefFacts)), key=lambda m: m[1].order))
            type.__setattr__(type(self), "_deffact_names", names)
        return [getattr(self, name) for name in names]

    def reset(self, **kwargs):
        if kwargs or not quiet():
            return super().reset(**kwargs)
        self.agenda = Agenda()
        self.facts = Facts()
        self.matcher.reset()
        # deffacts without arguments, as experta calls them when reset() is given none
        self._KnowledgeEngine__declare(*chain.from_iterable(d() for d in self.get_deffacts()))
        self.running = False

    def run(self, steps=float("inf")):
        if not quiet():
            return super().run(steps)
        self.running = True
        agenda, strategy, matcher, facts = self.agenda, self.strategy, self.matcher, self.facts
        while steps > 0 and self.running:
            added, removed = matcher.changes(*facts.changes)
            if added or removed:
                strategy._update_agenda(agenda, added, removed)
            if not agenda.activations:
                break
            activation = agenda.activations.pop()
            steps -= 1
            activation.rule(self, **{k: v for k, v in activation.context.items() if not k.startswith("__")})
        self.running = False


# ---------------------------------------------------------------------------- an indexed fan-out


class AnyOf(frozenset):
    """A predicate of a field that holds a set (of ids, say): it holds when the set shares a member with
    this one. Called with the field's set it gives the members in common, true when there are any, in
    one C call; and a node whose children test one field with many of these can index them (FanOut).

    It equals only an AnyOf of the same members: experta tells patterns apart by equality, and a set
    of the same members that tests the opposite (NoneOf) must not stand for it."""

    __call__ = frozenset.intersection

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and frozenset.__eq__(self, other)

    def __ne__(self, other) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((type(self), frozenset.__hash__(self)))


class NoneOf(AnyOf):
    """A predicate of a field that holds a set: it holds when none of these members is in it (in one C
    call). No index can say where it holds: a FanOut asks it as any other test."""

    __call__ = frozenset.isdisjoint


_NONE = frozenset()
MIN_FAN_OUT = 4  # children testing one field with AnyOf below which a node's own loop costs less than an index


class FanOut:
    """A node's loop over its children, where many of them test one field with AnyOf (experta's
    FeatureTesterNodes, as `P(AnyOf(...))`): the children are indexed by the members of their sets, and
    a token goes to those whose set shares a member with the field's, and to every other child, in the
    children's order, as the node's own loop would send it.

    A child whose whole test is the AnyOf (a PredicateTester: it passes the token on unchanged) is not
    asked: the index says it holds, and its own children are called; one that tests more (the AnyOf and
    other predicates of the field) is asked, and only when the index says it can hold. The hashed alpha
    memories of CLIPS' Rete do the same for constant tests. With a field that is not a set (no fact of
    shequn has one), every child is asked, as without an index."""

    def __init__(self, field, callbacks: tuple, indexed: dict[int, tuple[AnyOf, tuple]]):
        """`callbacks`: the node's own, one per child; `indexed`: child position -> its AnyOf and what to
        call when the index says it holds (the child's own callbacks, or the child's activate)."""
        self.field, self.callbacks = field, callbacks
        self.always = 0  # the positions (bits) of the children asked on every token
        self.index: dict = {}  # member -> the positions (bits) of the children whose set holds it
        self.targets: dict[int, tuple] = {}  # position (bit) -> what to call
        for n, callback in enumerate(callbacks):
            bit = 1 << n
            if n in indexed:
                members, self.targets[bit] = indexed[n]
                for member in members:
                    self.index[member] = self.index.get(member, 0) | bit
            else:
                self.always |= bit
                self.targets[bit] = (callback,)

    def activate(self, token):
        for fact in token.data:
            break
        try:
            members = fact[self.field]
        except (IndexError, KeyError, TypeError):
            members = _NONE  # as the children's own check: no field, no AnyOf holds
        else:
            if type(members) is not frozenset:
                for callback in self.callbacks:
                    callback(token)
                return
        chosen, index = self.always, self.index
        for member in members:
            bits = index.get(member)
            if bits:
                chosen |= bits
        targets = self.targets
        while chosen:
            bit = chosen & -chosen  # the lowest position left: the children in their order
            for callback in targets[bit]:
                callback(token)
            chosen ^= bit


def _any_of(node) -> tuple | None:
    """(field, the AnyOf, whether it is the node's whole test) for an alpha node that tests a field of
    the fact with AnyOf (the smallest, if it has several), else None."""
    if not isinstance(node, FeatureTester) or not isinstance(node.matcher, rete_check.FeatureCheck):
        return None
    what = node.matcher.what
    if isinstance(what, str) and "__" in what:
        return None  # a nested accessor: read the long way, by experta's own check
    flat = _leaves(node.matcher.how)
    if flat is None:
        return None
    sets = [pred for pred in flat[0] if type(pred).__call__ is AnyOf.__call__]  # not a NoneOf
    if not sets:
        return None
    return what, min(sets, key=len), type(node) is PredicateTester


def fan_out(node) -> FanOut | None:
    """Put a FanOut in the place of the node's loop over its children when at least MIN_FAN_OUT of them
    test one field with AnyOf; the children's own loops first (see IndexedRete)."""
    tests = [_any_of(child.node) for child in node.children]
    fields: dict = {}
    for test in tests:
        if test is not None:
            fields[test[0]] = fields.get(test[0], 0) + 1
    if not fields:
        return None
    field = max(fields, key=fields.__getitem__)
    if fields[field] < MIN_FAN_OUT:
        return None
    indexed = {}
    for n, (child, test) in enumerate(zip(node.children, tests)):
        if test is not None and test[0] == field:
            indexed[n] = (test[1], child.node.callbacks if test[2] else (node.callbacks[n],))
    fan = FanOut(field, node.callbacks, indexed)
    node.callbacks = (fan.activate,)
    return fan


class IndexedRete(DrivenRete):
    """DrivenRete whose nodes with many AnyOf tests among their children send a token only to those
    that can pass (FanOut). The network is experta's, node for node; only who calls whom changes."""

    def _drive(self) -> None:
        super()._drive()
        self.fan_outs: list[FanOut] = []
        # children first: a FanOut calls the callbacks a child has when the FanOut is made
        order, seen, todo = [], set(), [self.root_node]
        while todo:
            node = todo.pop()
            if id(node) not in seen:
                seen.add(id(node))
                order.append(node)
                todo.extend(child.node for child in node.children)
        for node in reversed(order):  # the alpha part is a tree: a node comes after its children
            fan = fan_out(node)
            if fan is not None:
                self.fan_outs.append(fan)
