"""How shequn drives experta: its own Rete network, built by experta, walked without the waste.

Decision: experta builds the network (alpha and beta nodes, joins, NOT nodes, tests) and matches and
chains exactly as it would; what changes is the cost of each step, which in experta 1.9.4 is mostly
bookkeeping that a case never needs:

- the bus node builds each fact's token through Token's type assertions and logs it; here the
  token is built as it is, without the log line;
- every node copies the token it receives (with type assertions) although no node changes a token
  in place; here a token is copied only where a node adds bindings to it;
- the bus calls every type test, and a type test every child, though each fact has one type and
  most children test one field: here the bus calls the one type test of the fact's type, which takes
  its predicate children's steps itself, and of children that test one field against literals (the
  findings a rule reads) asks only the one the value names;
- every check logs through `logging` (`MATCH.info` / `.debug`), a call per feature test, and wraps
  a field's tests in several layers; here the checks are the same tests without the log calls, a
  field's wildcard and predicates in one closure (with watchers on, experta still logs firings and
  activations, not each feature test); a predicate that says it compares the field with a
  constant (`compares`) is compared in place, without a call to it;
- after every firing the matcher asks all conflict-set nodes for changes; here a conflict-set node
  says when it has some, and only those are asked, in experta's own order;
- `reset()` walks the whole network recursively; here only the nodes that hold memory are wiped,
  and of the conflict-set nodes only those that received a token since the last reset;
- an activation is hashed several times (conflict set, agenda), each time re-hashing its rule's
  whole condition and its context; here it is hashed once, to the same value, from the token's own
  frozen context;
- a TEST's function is called with keyword arguments built for each token; a TEST of one bound
  fact (FactTest: the rules' tests over several answers) is called on that fact;
- the engine's `run` builds a log line per firing and `reset` re-reads the deffacts' signatures;
  here neither happens unless experta's watchers are on; `run` asks the matcher for changes only
  when a fact was declared or retracted since, and calls a rule's action as experta's Rule.__call__
  would, without the call to it;
- `reset()` makes a Counter, an InitialFact and its copy through Python-level __init__s and a
  generator; here the same objects are made without them, and each node's memory is wiped inline;
- declaring a fact goes through generator checks, a per-fact validation of no declared fields, a
  Counter's __missing__ and a log call; here the same steps, in experta's order, without those calls;
- the depth strategy hashes every activation to look its key up in an lru_cache; here the key is
  computed, which is cheaper;
- a declared fact's identity (to tell duplicates) calls `is_special` once per field; here whether a
  field is special is remembered for each set of field names;
- a fact is filled field by field through __setitem__ and a singledispatch `freeze`; `new_fact`
  fills a new one in one update;
- a node whose children test which members a set field holds (the plan's "a problem that names
  this action was concluded", forty of them) asks each child in turn; IndexedRete's FanOut looks the
  field's members up in an index of the children instead, and asks only those that can pass;
- `reset()` declares experta's InitialFact, which only rules starting with a NOT, EXISTS, FORALL or
  TEST read; IndexedEngine declares it only when the network has such a rule;
- building the network, experta's `wire_rule` makes a new singledispatch function for every rule,
  registering seven handlers whose dispatch cache each registration empties; `wire_rule` below is
  the same wiring, its handlers registered once; its alpha part hashes a whole rule at every look-up
  and scans a node's children for each check, where `build_alpha_part` below works each out once and
  makes the same nodes in the same order; the nodes' classes are ABCs, so what the swap asks of a
  node's class is found once a class.

Everything stays experta's: the same node classes (subclassed, swapped in after experta built them),
the same token semantics, the same agenda strategy. tests/test_rete.py checks each of these against
experta's own behaviour on random cases, and tests/test_speed_equality.py the whole diagnosis.
"""

from __future__ import annotations

import collections
import collections.abc
import inspect
import logging
import operator
from collections import Counter, OrderedDict
from collections.abc import Mapping
from functools import singledispatch, update_wrapper
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
from experta.matchers.rete.utils import extract_facts, generate_checks
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
    if not (watchers.MATCH.level or watchers.MATCHER.level or watchers.RULES.level or watchers.ACTIVATIONS.level
            or watchers.AGENDA.level):
        return True  # all five NOTSET, which experta's `worth` reads as off: asked without a call each
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


class FactTest:
    """The function of an experta TEST that reads one bound fact, the one bound as `fact_var`.

    experta calls it as any TEST's function, with that fact by name (its signature names it);
    the Where node below calls `holds(fact)` itself, without the keyword arguments, and the TEST
    holds exactly when that gives True. A subclass sets `fact_var`, `holds` and `__signature__`.
    """

    fact_var: str
    holds: object  # fact -> True when the test holds (any other value: it does not)

    def __call__(self, **bound) -> bool:
        return self.holds(bound[self.fact_var]) is True


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
    check's own steps, `predicate` in fact_check, taken here without a call to it; and where the
    predicate says it is a comparison with a constant (`compares`, see `comparison`), its steps too."""

    field: object
    test: object
    compares: tuple | None

    def activate(self, token):
        for fact in token.data:
            break
        try:
            record = fact[self.field]
        except (IndexError, KeyError, TypeError):
            return
        compares = self.compares
        if compares is None:
            if not self.test(record):
                return
        elif record is None or not comparison(compares, record):
            return
        for callback in self.callbacks:
            callback(token)


def comparison(compares: tuple, value) -> bool:
    """What a predicate that says it `compares` = (operator, constant) gives for a value other than
    None: `operator(value, constant) is True`, False where that raises TypeError (a None value: False).
    The alpha nodes take these steps themselves; the tests check a predicate saying so does them."""
    order, constant = compares
    try:
        return order(value, constant) is True
    except TypeError:
        return False


class _Planned:
    """A node whose children's callbacks, whenever they are set, are planned by its `_planned`: what
    each callback is, looked at once instead of on every token."""

    @property
    def callbacks(self):
        return self._callbacks

    @callbacks.setter
    def callbacks(self, callbacks):
        self._callbacks = callbacks = tuple(callbacks)
        self._planned(callbacks)


class TypeTester(_Planned, FeatureTester):
    """The alpha node that tests a fact's type (experta's TypeCheck, the first test of every pattern:
    the bus's children), passing a fact of its type on to its children, many of them: where a child
    is a PredicateTester, its steps are taken here, without a call to it; where every child is a
    literal test of one field that binds nothing (`Concluded(id=L('x'))`, a string each), only the
    child whose literal a string value of that field is gets the token, as the others would drop it
    (a string here: a str, or a subclass comparing and hashing as str does, as ids do).
    Setting `callbacks` plans this."""

    fact_type: type

    def _planned(self, callbacks: tuple) -> None:
        self.plan = tuple((_bound_node(callback, PredicateTester.activate), callback) for callback in callbacks)
        self.literals = _literal_children(callbacks)

    def activate(self, token):
        for fact in token.data:
            break
        if type(fact) == self.fact_type:
            self.pass_on(token, fact)

    def pass_on(self, token, fact):
        """Pass a token of a fact of this node's type on to the children."""
        if self.literals is not None:
            field, children = self.literals
            try:
                record = fact[field]
            except (IndexError, KeyError, TypeError):
                return  # no child's test holds
            if _PLAIN_STR.get(type(record)) or plain_str(type(record)):  # equal to a literal when it is that string
                child = children.get(record)
                if child is not None:
                    for callback in child.callbacks:
                        callback(token)
                return
        for child, callback in self.plan:
            if child is None:
                callback(token)
                continue
            try:  # PredicateTester.activate
                record = fact[child.field]
            except (IndexError, KeyError, TypeError):
                continue
            compares = child.compares
            if compares is None:
                if not child.test(record):
                    continue
            else:  # `comparison`, inline
                if record is None:
                    continue
                try:
                    if compares[0](record, compares[1]) is not True:
                        continue
                except TypeError:
                    continue
            for callback in child.callbacks:
                callback(token)


def plain_str(kind: type) -> bool:
    """A str, or a subclass that compares and hashes as str does (an Id): two such are equal exactly
    when their hashes and characters are, so a dict keyed by them finds what `==` would."""
    known = _PLAIN_STR.get(kind)
    if known is None:
        known = issubclass(kind, str) and kind.__eq__ is str.__eq__ and kind.__hash__ is str.__hash__
        if len(_PLAIN_STR) < 64:
            _PLAIN_STR[kind] = known
    return known


_PLAIN_STR: dict[type, bool] = {str: True}


def _bound_node(callback, function):
    """The node whose method `function` the callback is, else None."""
    return callback.__self__ if getattr(callback, "__func__", None) is function else None


def _literal_children(callbacks) -> tuple | None:
    """(field, {literal: child}) when every callback is a FeatureTester's that tests that one field
    equal to a literal string, each its own, binding nothing; else None."""
    field, children = None, {}
    for callback in callbacks:
        child = _bound_node(callback, FeatureTester.activate)
        matcher = getattr(child, "matcher", None)
        if type(child) is not FeatureTester or not isinstance(matcher, rete_check.FeatureCheck) \
                or not isinstance(matcher.how, L) or matcher.how.__bind__ is not None \
                or not plain_str(type(matcher.how.value)) or not isinstance(matcher.what, str) or "__" in matcher.what \
                or matcher.how.value in children or field not in (None, matcher.what):
            return None
        field, children[matcher.how.value] = matcher.what, child
    return (field, children) if children else None


class Capture(FeatureTester):
    """An alpha node that binds the pattern's fact (experta's FactCapture, at the end of every pattern):
    FeatureTester's binding steps for that one binding, without building the match to loop over."""

    bind: str

    def activate(self, token):
        for fact in token.data:
            break
        context, key = token.context, self.bind
        if context:
            # a fact always equals itself: see FeatureTester (only facts are declared, so only facts come here)
            if key in context and context[key] != fact:
                return
            if (False, key) in context and context[(False, key)] == fact:
                return
            bound = dict(context)
            bound[key] = fact
        else:  # the usual: a token straight from the alpha tests, with nothing bound
            bound = {key: fact}
        token = _new_token(Token, (token.tag, token.data, bound))
        for callback in self.callbacks:
            callback(token)


class Where(rete_nodes.WhereNode):
    def activate(self, token):
        if self.check(token.context):
            for callback in self.callbacks:
                callback(token)


class FactWhere(Where):
    """A Where node whose TEST is a FactTest: its test called on the bound fact, as experta's
    where check would call it through the keyword arguments (an unbound name reads None there too)."""

    var: str
    holds: object

    def activate(self, token):
        if self.holds(token.context.get(self.var)) is True:
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
        # experta's _activate, step for step; the activation made as Activated would make it, inline
        context = token.context
        info = _new_token(TokenInfo, (frozenset(token.data), frozenset(context.items())))
        activation = _new_object(Activated)
        activation.rule, activation.facts, activation.key = self.rule, set(info.data), None
        if all(map(_is_str, context)):  # as always here: the context's pairs are the token info's, hashed already
            activation.context = dict(context)
            activation._hash = hash((self.rule_hash, info.data, info.context))
        else:  # a negated binding, left out as experta leaves it out
            activation.context = {k: v for k, v in context.items() if isinstance(k, str)}
            activation._hash = hash((self.rule_hash, info.data, frozenset(activation.context.items())))
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


_new_object = object.__new__
_is_str = str.__instancecheck__


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


class Bus(_Planned, rete_nodes.BusNode):
    """experta's bus node: a fact's token made without Token's type assertions and the log line, and
    passed to the type tests (its children) without a call to each: only the one of the fact's type
    is called. Setting `callbacks` plans this."""

    def _planned(self, callbacks: tuple) -> None:
        self.plan = tuple((_bound_node(callback, TypeTester.activate), callback) for callback in callbacks)

    def add(self, fact):
        token = _new_token(Token, (_VALID, {fact}, {}))
        for child, callback in self.plan:
            if child is None:
                callback(token)
            elif type(fact) == child.fact_type:  # TypeTester.activate
                child.pass_on(token, fact)

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
    freeze: a new fact is empty and undeclared, so its fields are frozen and set in one update. Where
    the class keeps experta's __init__, the empty fact is made as that makes it (with no defaults
    taken yet), without the call."""
    if fact_class.__init__ is _FACT_INIT:
        fact = _new_dict(fact_class)
        fact._Fact__defaults = {}
    else:
        fact = fact_class()
    dict.update(fact, {k: v if _PASS.get(type(v)) else frozen(v) for k, v in values.items()})
    return fact


_FACT_INIT = Fact.__init__
_new_dict = dict.__new__


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


def thawed_fields(fact, names) -> dict:
    """`{name: thawed(fact[name]) for name in names}`, without a call for a value that experta's
    unfreeze gives back as it is, nor for a frozen list of them (a multiple choice's answer)."""
    out = {}
    for name in names:
        value = fact[name]
        kind = type(value)
        if _PASS.get(kind):
            out[name] = value
        elif kind is frozenlist and all(map(_PASS.get, map(type, value))):
            out[name] = list(value)
        else:
            out[name] = thawed(value)
    return out


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
    role = _role(type(node))
    if role is FeatureTester or role is Where:
        node.check = (fact_check(node.matcher) if role is FeatureTester
                      else where_check(node.matcher)) or node.matcher
        if role is FeatureTester and hasattr(node.check, "field"):
            node.__class__ = PredicateTester
            node.field, node.test = node.check.field, node.check.test
            node.compares = getattr(node.test, "compares", None)
        elif role is FeatureTester and type(node.matcher) is rete_check.FactCapture:
            node.__class__ = Capture
            node.bind = node.matcher.bind
        elif role is FeatureTester and isinstance(node.matcher, rete_check.TypeCheck):
            node.__class__ = TypeTester
            node.fact_type = node.matcher.fact_type
        elif role is Where and isinstance(node.matcher.test, FactTest):
            node.__class__ = FactWhere
            node.var, node.holds = node.matcher.test.fact_var, node.matcher.test.holds


def _role(kind: type):
    """What `faster` and the walk of the network ask of a node's class, found once a class: the nodes'
    classes are ABCs, and each isinstance of an ABC is a call in Python. The role is FeatureTester
    (an alpha node, driven by FeatureTester or a subclass), Where (a TEST node), ConflictSetNode
    (experta's, before it is swapped), ConflictSet (ours) or None."""
    role = _ROLES.get(kind, _ROLES)
    if role is _ROLES:
        role = None
        if issubclass(kind, FeatureTester):
            role = FeatureTester
        elif issubclass(kind, rete_nodes.FeatureTesterNode):
            role = rete_nodes.FeatureTesterNode
        elif issubclass(kind, rete_nodes.WhereNode):
            role = Where
        elif issubclass(kind, ConflictSet):
            role = ConflictSet
        elif issubclass(kind, rete_nodes.ConflictSetNode):
            role = rete_nodes.ConflictSetNode
        _ROLES[kind] = role
    return role


_ROLES: dict = {}  # node class -> _role(class)


def _walk(root) -> tuple[list, list]:
    """Every node below `root`, and the conflict-set nodes among them in the order experta's
    `_get_conflict_set_nodes` lists them: depth first, a node before its children, each once. experta
    walks a shared node again each time it is reached, which adds nothing: its conflict sets were all
    met the first time (tests/test_rete.py checks the order against experta's own)."""
    seen: dict[int, object] = {}
    conflict_sets: list = []

    def visit(node) -> None:
        for child in node.children:
            below = child.node
            if id(below) not in seen:
                seen[id(below)] = below
                if _role(type(below)) in (ConflictSet, rete_nodes.ConflictSetNode):
                    conflict_sets.append(below)
                visit(below)

    visit(root)
    return list(seen.values()), conflict_sets


_child = tuple.__new__  # mixins.ChildNode(node, callback) without the call of its Python __new__


def copied_rule(rule: Rule) -> Rule:
    """`rule.new_conditions(*rule)`: a copy of a rule with its conditions, salience and action, bound to no
    engine. experta's makes it by decorating the action again, which reads the action's signature and
    copies its name, docs and attributes; here what that gave the rule is copied from the rule itself."""
    if rule._wrapped is None:
        return rule.new_conditions(*rule)
    copy = type(rule)(*rule, salience=rule.salience)
    copy.__dict__.update(rule.__dict__)
    copy.__dict__.pop("ke", None)  # the engine that listed the rule (experta's get_rules): not a copy's
    copy._wrapped_self = None
    copy._wrapped_args = type(rule._wrapped_args)(rule._wrapped_args)
    return copy


def with_action(rule: Rule, action) -> Rule:
    """`rule(action)`, experta's decoration of a rule's action, for an action that takes **kwargs:
    experta reads the action's signature to keep the names of its parameters when it takes none, and
    keeps none for one that does (tests/test_rete.py compares the two)."""
    rule._wrapped = action
    return update_wrapper(rule, action)


def _alpha_node(check) -> rete_nodes.FeatureTesterNode:
    """`FeatureTesterNode(check)` as experta's __init__ makes it (the check, no children, no memory to
    reset), without its test that the check is callable through the Callable ABC: experta's own checks
    are."""
    node = object.__new__(rete_nodes.FeatureTesterNode)
    node.matcher, node.children = check, []
    return node


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
        return {copied_rule(rule) for rule in engine.get_rules()}

    @staticmethod
    def build_alpha_part(ruleset, root_node):
        """experta's `build_alpha_part`, step for step: the same rules taken in the same order, each
        fact's checks sorted by the same keys, the same nodes made and shared. What it saves is
        bookkeeping: experta looks a rule's facts up by hashing the whole rule at each use, sorts a
        fact's checks again for every rule that has the fact, and finds a node's child for a check by
        scanning all its children; here each is worked out once, the child found in a dict."""
        ruleset = ruleset.copy()
        ruleset.add(Rule(InitialFact()))  # the alpha branch of InitialFact, as experta always builds it
        rule_facts = [(rule, extract_facts(rule)) for rule in ruleset]  # the set's order, as experta's dict
        fact_checks = {fact: set(generate_checks(fact))
                       for fact in chain.from_iterable(facts for _, facts in rule_facts)}
        check_rank = Counter(chain.from_iterable(fact_checks.values()))
        # each check's rank and hash, by the check's identity: the sorts below ask for them again and again,
        # and a check's hash is a tuple's, which hashes its pattern in Python every time
        ranked: dict[int, tuple[int, int]] = {}
        for checks in fact_checks.values():
            for check in checks:
                if id(check) not in ranked:
                    ranked[id(check)] = check_rank[check], hash(check)
        inf = float("inf")

        def weighted_check_sort(check):
            rank, hashed = ranked[id(check)]
            if isinstance(check, rete_check.TypeCheck):
                return (inf, hashed)
            if isinstance(check, rete_check.FactCapture):
                return (-inf, hashed)
            if isinstance(check, rete_check.FeatureCheck):
                return (rank, hashed)
            raise TypeError("Unknown check type.")  # pragma: no cover - as experta's

        def weighted_rule_sort(entry):
            _, facts = entry
            total = 0
            for fact in facts:
                for check in fact_checks[fact]:
                    total += ranked[id(check)][0]
            return total / len(facts)

        sorted_checks: dict = {}  # fact -> its checks in experta's order (a fact's checks never change)
        children: dict[int, dict[int, object]] = {}  # id(node) -> id(its child's check) -> that child
        fact_terminal_nodes = {}
        for _, facts in sorted(rule_facts, key=weighted_rule_sort, reverse=True):
            for fact in facts:
                checks = sorted_checks.get(fact)
                if checks is None:
                    checks = sorted_checks[fact] = sorted(fact_checks[fact], key=weighted_check_sort, reverse=True)
                current_node = root_node
                for check in checks:
                    below = children.get(id(current_node))
                    if below is None:
                        below = children[id(current_node)] = {
                            id(child.node.matcher): child.node for child in current_node.children}
                    node = below.get(id(check))
                    if node is None:
                        node = below[id(check)] = _alpha_node(check)
                        # experta's add_child, which first scans the children for this new node
                        current_node.children.append(_child(mixins.ChildNode, (node, node.activate)))
                    current_node = node
                fact_terminal_nodes[fact] = current_node
        return fact_terminal_nodes

    def _drive(self) -> None:
        """Swap the network's nodes for the subclasses above and index the ones that hold memory."""
        self.pending: set[int] = set()
        nodes, conflict_sets = _walk(self.root_node)
        self.conflict_sets = tuple(conflict_sets)  # experta's order
        self.stateful = []
        self.touched: list = []  # conflict-set nodes holding tokens: the others are empty already
        for node in nodes:
            faster(node)
            if type(node)._reset is not mixins.NoMemory._reset and _role(type(node)) is not ConflictSet:
                self.stateful.append(node)
        assert all(type(node)._reset is rete_nodes.ConflictSetNode._reset for node in self.conflict_sets)
        self.joins = [n for n in self.stateful if type(n)._reset is rete_nodes.OrdinaryMatchNode._reset]
        self.negations = [n for n in self.stateful if type(n)._reset is rete_nodes.NotNode._reset]
        self.stateful_others = [n for n in self.stateful if n not in self.joins and n not in self.negations]
        rule_hashes: dict[int, _Hashed] = {}
        for index, node in enumerate(self.conflict_sets):
            node.pending, node.touched, node.index = self.pending, self.touched, index
            # the alternatives of a rule with OR are conflict-set nodes of the same rule: hashed once
            hashed = rule_hashes.get(id(node.rule))
            if hashed is None:
                hashed = rule_hashes[id(node.rule)] = _Hashed(hash(node.rule))
            node.rule_hash = hashed
            if node.memory:
                self.touched.append(node)
        self.root_node.__class__ = Bus
        # the callbacks were bound to experta's methods when the network was wired: rebind them
        child_node = mixins.ChildNode
        for node in chain([self.root_node], nodes):
            node.children[:] = [_child(child_node, (child.node, getattr(child.node, child.callback.__name__)))
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
        # each node's experta _reset, written out for the two kinds that hold memory here
        for node in self.joins:  # OrdinaryMatchNode._reset
            node.left_memory = []
            node.right_memory = []
        for node in self.negations:  # NotNode._reset
            node.left_memory = {}
            node.right_memory = []
        for node in self.stateful_others:
            node._reset()
        for node in self.touched:  # ConflictSetNode._reset
            node.memory = set()
        self.touched.clear()


_KEY = operator.attrgetter("key")
_INITIAL_ONLY = ("_declare_initial_fact",)


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
            get_key = self.get_key if type(self).get_key is not DepthFirst.get_key else None
            for act in added:
                facts = act.facts
                if get_key is not None or len(facts) != 1:
                    act.key = self.get_key(act)
                else:  # get_key above, for the usual activation of one fact, without the call
                    for fact in facts:
                        act.key = (act.rule.salience, [fact["__factid__"]])
            activations = agenda.activations
            activations.extend(added)
            activations.sort(key=_KEY)


class Facts(FactList):
    """experta's fact list: each fact declared is given the next id, and one equal to a fact declared
    before (same class, same fields apart from the special `__x__` ones) is not declared again, as
    experta's FactList.declare does; its steps taken here without their calls: the identity that
    tells a duplicate made without a call per field, the count kept with plain dict operations, the
    log line built only when experta's FACTS watcher would show it."""

    def __init__(self):
        # FactList.__init__, its Counter made empty without Counter.__init__'s calls
        OrderedDict.__init__(self)
        self.last_index = 0
        self.reference_counter = _new_dict(Counter)
        self.added = []
        self.removed = []
        self.duplication = False

    @staticmethod
    def _get_fact_id(fact):
        names = tuple(fact)
        special = _SPECIAL.get(names)
        if special is None:
            special = any(isinstance(k, str) and k.startswith("__") and k.endswith("__") for k in names)
            if len(_SPECIAL) < 256:  # a knowledge base's facts have a few sets of names
                _SPECIAL[names] = special
        if not special:
            return frozenset(chain((fact.__class__,), fact.items()))
        return frozenset([fact.__class__] + [(k, v) for k, v in fact.items()
                                             if not (isinstance(k, str) and k.startswith("__") and k.endswith("__"))])

    def declare(self, fact):
        if not isinstance(fact, Fact):
            raise ValueError('The fact must descend the Fact class.')
        if fact.__fields__ or type(fact).validate is not _VALIDATE:
            fact.validate()  # experta's validate checks the declared fields, and the facts here have none
        fact_id = self._get_fact_id(fact)
        counter = self.reference_counter
        if self.duplication or fact_id not in counter:
            idx = self.last_index
            dict.__setitem__(fact, "__factid__", idx)  # Fact's __factid__ setter
            self[idx] = fact
            self.last_index = idx + 1
            self.added.append(fact)
            counter[fact_id] = counter.get(fact_id, 0) + 1
            if watchers.FACTS.isEnabledFor(logging.INFO):
                watchers.FACTS.info(" ==> %s: %r", fact, fact)
            return fact
        return None


_SPECIAL: dict[tuple, bool] = {}  # a fact's field names -> whether one is special (`__x__`), left out of its identity
_VALIDATE = Fact.validate


class DrivenEngine(KnowledgeEngine):
    """A KnowledgeEngine matched by DrivenRete, whose `reset` and `run` skip what only logging needs.

    With experta's watchers on, both are experta's own, log lines and all.
    """

    __matcher__ = DrivenRete
    __strategy__ = DepthFirst

    def get_deffacts(self):
        return [getattr(self, name) for name in self.get_deffact_names()]

    def get_deffact_names(self) -> tuple[str, ...]:
        # experta looks them up with inspect.getmembers on every reset(), a scan of every attribute,
        # rules included, that cost more than the case itself; the class's deffacts never change
        names = type(self).__dict__.get("_deffact_names")
        if names is None:
            from experta import DefFacts

            names = tuple(name for name, _ in sorted(
                inspect.getmembers(type(self), lambda obj: isinstance(obj, DefFacts)), key=lambda m: m[1].order))
            if names == _INITIAL_ONLY and (inspect.getattr_static(type(self), names[0])
                                           is KnowledgeEngine.__dict__[names[0]]):
                names = _INITIAL_ONLY  # experta's own, alone: the one that reset() may declare itself
            type.__setattr__(type(self), "_deffact_names", names)
        return names

    def reset(self, **kwargs):
        if kwargs or not quiet():
            return super().reset(**kwargs)
        self.agenda = Agenda()
        self.facts = Facts()
        self.matcher.reset()
        # deffacts without arguments, as experta calls them when reset() is given none
        names = self.get_deffact_names()
        if names is _INITIAL_ONLY:
            # experta's own and only deffacts yield a copy of one InitialFact(): made here without
            # the generator and the copy
            self._KnowledgeEngine__declare(new_fact(InitialFact, {}))
        else:
            self._KnowledgeEngine__declare(*chain.from_iterable(getattr(self, n)() for n in names))
        self.running = False

    def declare(self, *facts):
        # experta's declare, with its internal declaration below
        if not self.facts:
            watchers.ENGINE.warning("Declaring fact before reset()")
        return self._KnowledgeEngine__declare(*facts)

    def _KnowledgeEngine__declare(self, *facts):
        """experta's KnowledgeEngine.__declare (reset, declare and the deffacts use it), step for step:
        the checks of every fact first, then each declared, then the agenda updated when not running;
        without its generators, and the agenda's update without its log check when quiet."""
        for fact in facts:
            if fact.has_field_constraints():
                raise TypeError("Declared facts cannot contain conditional elements")
        for fact in facts:
            if fact.has_nested_accessor():
                raise KeyError("Cannot declare facts containing double underscores as keys.")
        last_inserted = None
        declare = self.facts.declare
        for fact in facts:
            last_inserted = declare(fact)
        if not self.running:
            added, removed = self.get_activations()
            if quiet():
                if added or removed:
                    self.strategy._update_agenda(self.agenda, added, removed)
            else:
                self.strategy.update_agenda(self.agenda, added, removed)
        return last_inserted

    def run(self, steps=float("inf")):
        if not quiet():
            return super().run(steps)
        self.running = True
        agenda, strategy, matcher, facts = self.agenda, self.strategy, self.matcher, self.facts
        while steps > 0 and self.running:
            if facts.added or facts.removed or matcher.pending:  # else nothing reached the network since
                added, removed = matcher.changes(*facts.changes)
                if added or removed:
                    strategy._update_agenda(agenda, added, removed)
            if not agenda.activations:
                break
            activation = agenda.activations.pop()
            steps -= 1
            context = activation.context
            for key in context:
                if key.startswith("__"):
                    context = {k: v for k, v in context.items() if not k.startswith("__")}
                    break
            rule = activation.rule
            if rule._wrapped is not None and not rule._wrapped_args and rule._wrapped_self is None \
                    and type(rule).__call__ is Rule.__call__:
                rule._wrapped(self, **context)  # what experta's Rule.__call__ does for such a rule
            else:
                rule(self, **context)
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

    # the members' hash, which the set keeps once worked out: an AnyOf and a NoneOf (or a set) of the same
    # members hash alike, as unequal objects may, and __eq__ tells them apart
    __hash__ = frozenset.__hash__


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


def reads_initial_fact(matcher: ReteMatcher) -> bool:
    """Whether some rule of the network reads experta's InitialFact: a rule whose first element is a
    NOT, an EXISTS, a FORALL or a TEST (or that has none) is wired to it; experta also gives it an
    alpha branch of its own, which ends, read by no rule, at a fact capture."""
    for child in matcher.root_node.children:
        matcher_of = getattr(child.node, "matcher", None)
        if isinstance(matcher_of, rete_check.TypeCheck) and matcher_of.fact_type is InitialFact:
            todo = [child.node]
            while todo:
                node = todo.pop()
                if not isinstance(node, rete_nodes.FeatureTesterNode):  # a join, a test, a conflict set
                    return True
                todo.extend(grandchild.node for grandchild in node.children)
    return False


class IndexedEngine(DrivenEngine):
    """A DrivenEngine matched by IndexedRete, whose reset declares experta's InitialFact only when a
    rule reads it. Where none does (each rule matches declared facts: the plan's), it matches nothing,
    while declaring it costs a fact's way through the fact list, the network and the agenda on every
    reset; its absence changes no activation, only the numbers the facts declared get (one less)."""

    __matcher__ = IndexedRete

    def __init__(self):
        super().__init__()
        self.reads_initial_fact = reads_initial_fact(self.matcher)
        names = super().get_deffact_names()
        if not self.reads_initial_fact:
            names = tuple(name for name in names if name != _INITIAL_ONLY[0])
        self._deffacts = names

    def get_deffact_names(self) -> tuple[str, ...]:
        return self._deffacts
