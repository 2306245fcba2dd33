"""The treatment plan: the second stage of inference, from the findings of a case to the few actions
that treat them all, ordered, with this community's numbers.

Design, after MYCIN's therapy stage: diagnosis names the problems; prescribing is a second rule
engine over the concluded findings and the answers. Findings name the actions that treat them
(actions/*.yaml); experta rules, compiled once per knowledge base like the diagnosis engine, choose
an action when a finding that names it was concluded and its condition holds, and find the variants
whose condition holds for this community. The rules only write down what holds: declaring facts that
other rules match would send every choice through the whole network again, and Python's experta is
slow enough that fact design decides the speed: a case is one `Case` fact (the answers actions read
and the set of concluded problems), so each rule is one pattern, a chain of alpha tests with no
joins. Settling is then bookkeeping: each action is worded
by the first variant that holds; it treats every finding that names it and, in a shared exclusive
group (whose conditions exclude each other, so it settles to one choice: one output rhythm serving
every rhythm problem, not three), every finding that names another action of the group. An action
many findings want is one step ("治：A、B、C"), never a repeat.

Ordering is arithmetic, not inference, so it is plain Python below: steps follow the order of
treatment of rules/policy.yaml (the first step treats the first problem), respect `after`, keep
their phase (this week / this month / later) unless an `after` pushes them later, and at most three
steps stay in this week. Dates are the checkup's: a week, four weeks, and the next checkup.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
from dataclasses import field
from functools import lru_cache
from typing import Any

from expert.records import record
# first: it makes experta importable
from expert.rete import AnyOf, CheckedFact, IndexedEngine, NoneOf, new_fact, with_action

from experta import AND, OR, KnowledgeEngine, P  # noqa: E402
from experta import Rule as ExpertaRule  # noqa: E402

from expert import conditions as c
from expert import preparation
from expert.actions import PHASES
from expert.answers import Answers
from expert.engine import all_of, answer_atom, tidy_value
from expert.findings import Diagnosis
from expert.knowledge import KnowledgeBase

log = logging.getLogger(__name__)

WEEK_LIMIT = 3  # steps this week: more is a list, not a plan
LATER = PHASES.index("later")
DAYS = {"week_end": 7, "month_end": 28, "next_checkup": 28}


@record
class Step:
    """One step of the plan: an action (or one of its variants), when it is done and what it treats."""

    number: int
    action: str
    phase: str
    treats: list[str]  # finding ids, most urgent first
    variant: int  # 0: the action's own text; n: its n-th variant
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "action": self.action, "phase": self.phase, "treats": self.treats,
                "variant": self.variant, "params": self.params}


@record
class Plan:
    """The treatment plan of one case: its steps, their dates, and the findings no step treats."""

    steps: list[Step]
    dates: dict[str, dt.date]
    untreated: list[str] = field(default_factory=list)  # findings no chosen action treats: a gap in the base

    def phase(self, phase: str) -> list[Step]:
        return [s for s in self.steps if s.phase == phase]

    def steps_for(self, finding: str) -> list[Step]:
        return [s for s in self.steps if finding in s.treats]

    def as_dict(self) -> dict[str, Any]:
        return {"steps": [s.as_dict() for s in self.steps],
                "dates": {k: v.isoformat() for k, v in self.dates.items()},
                **({"untreated": self.untreated} if self.untreated else {})}


def compile_prescriber(kb: KnowledgeBase) -> type[KnowledgeEngine]:
    """The prescribing engine of a knowledge base: per action, one rule that chooses it (a finding that
    names it is concluded, and its condition holds), and one per variant that fits the community."""
    attrs: dict[str, Any] = {}
    shared: dict = {}  # one experta predicate per shared atom: one alpha node tests it once a case
    prepared = preparation.prepared(kb)  # the conditions as alternatives, worked out once per knowledge base
    naming: dict[str, list[str]] = {}
    for fid, finding in kb.rules.findings.items():
        for aid in finding.text.actions:
            naming.setdefault(aid, []).append(fid)
    for aid, action in kb.actions.actions.items():
        if not naming.get(aid):
            continue  # no finding names it: the loader has said so
        # one predicate per action tests whether a concluded problem names it
        named = P(_NamedBy(naming[aid]))
        for index, (alternatives, reads) in enumerate(zip(prepared.action_alternatives[aid],
                                                          prepared.action_reads[aid])):
            conditions = _patterns(alternatives, reads, named, shared)
            if conditions is not None:
                attrs[f"{aid}__{index}"] = with_action(ExpertaRule(*conditions), _holds(aid, index))
    return type("ShequnPrescriber", (_PrescriberBase,), attrs)


CASE = "case"  # the Case fact's name where a TEST reads it
PROBLEMS = "Problems"  # the Case field of the concluded problems: no question id starts with a capital


class Case(CheckedFact):
    """One case as the prescribing engine sees it: the answers that actions' conditions read, by
    question id (None where unanswered), and under PROBLEMS the set of concluded problems.

    One fact, so that each rule is one pattern: its tests are alpha nodes on a chain, and no join,
    NOT node or token copy is needed; `found(x)` is a test of the PROBLEMS field, which holds the
    same problems that the diagnosis concluded."""


def _patterns(alternatives: list[list[c.Node]], reads: list[list[list[str]]], named: P, shared: dict
              ) -> tuple | None:
    """An action's (or variant's) rule: a Case pattern per alternative of its condition (its
    disjunctive normal form, one empty alternative for no condition; `reads`, per alternative the
    answers each atom reads), each with the test that a concluded problem names the action; None if
    it can never hold."""
    patterns = [p for p in (_pattern(atoms, atom_reads, named, shared)
                            for atoms, atom_reads in zip(alternatives, reads)) if p is not None]
    if not patterns:
        return None
    # written as experta's own rule preparation would rewrite it (see expert/rete.py's DrivenRete)
    if len(patterns) == 1:
        return tuple(patterns[0])
    return (OR(*[p if len(p) > 1 else p[0] for p in patterns]),)


def _pattern(atoms: list[c.Node], reads: list[list[str]], named: P, shared: dict) -> AND | None:
    """One conjunction of atoms as one Case pattern (and TESTs over several answers, which read them
    from the Case fact, bound only then); None if it can never hold."""
    problems = [named]
    constraints: dict[str, list] = {}
    tests: list = []
    for atom, qids in zip(atoms, reads):
        if isinstance(atom, c.Const):
            if atom.value is True:
                continue
            return None
        negated = isinstance(atom, c.Not) and isinstance(atom.item, c.Found)
        if isinstance(atom, c.Found) or negated:
            finding = atom.item.finding if negated else atom.finding
            if (finding, negated) not in shared:
                shared[finding, negated] = P(_NotFound([finding]) if negated else _Found([finding]))
            problems.append(shared[finding, negated])
            continue
        if not answer_atom(atom, qids, shared, constraints, tests, CASE):
            return None
    case = Case(**{PROBLEMS: all_of(problems), **{qid: all_of(preds) for qid, preds in constraints.items()}})
    if tests:
        case.__bind__ = CASE
    return AND(case, *tests)


class _NamedBy(AnyOf):
    """Some concluded problem is one of the findings (this set) that name an action.

    Called with the concluded problems, it gives those among its findings, a set that is true when
    not empty: a predicate that runs as the set's own C method. The engine does not ask each action's
    in turn: the problems concluded look up the actions they name (expert/rete.py's FanOut)."""

    def __repr__(self) -> str:  # shown in experta's own logs
        return f"NamedBy({', '.join(sorted(self))})"


class _Found(AnyOf):
    """`found(x)` of an action's condition: x (this set's one member) is among the concluded problems."""

    def __repr__(self) -> str:  # shown in experta's own logs
        return f"found({', '.join(sorted(self))})"


class _NotFound(NoneOf):
    """`not found(x)` of an action's condition: x (this set's one member) is not among the concluded problems."""

    def __repr__(self) -> str:  # shown in experta's own logs
        return f"not found({', '.join(sorted(self))})"


def _holds(aid: str, index: int):
    """The rule's action, never fired: its activation is the answer (the action, index 0, or its n-th
    variant holds). Nothing is declared, so no fact cascades through the network: one pass of matching."""
    def act(engine: KnowledgeEngine, **_: Any) -> None:  # pragma: no cover - activations are read, not run
        pass

    act.__name__ = f"{aid}__{index}"
    act.__signature__ = _HOLDS_SIGNATURE  # type: ignore[attr-defined]
    return act


def _holds_signature(engine, **context):  # the shape of every action, for its signature only
    pass


_HOLDS_SIGNATURE = inspect.signature(_holds_signature)  # one for every action: signatures are immutable


class _PrescriberBase(IndexedEngine):
    pass


class Prescriber:
    """A knowledge base's prescribing engine, built once; `prescribe` resets it and plans one case."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.engine = compile_prescriber(kb)()
        # a rule's name says which action (and variant) it is about
        self.rules = {f"{aid}__{index}": (aid, index) for aid, action in kb.actions.actions.items()
                      for index in range(len(action.variants) + 1)}
        self.question_ids = list(preparation.prepared(kb).plan_questions)
        self.param_values = c.CompiledOnUse({aid: action.param_nodes for aid, action in kb.actions.actions.items()})
        # what settling and ordering read of the catalogue, looked up once rather than on every case
        actions = kb.actions.actions
        shared_group = {aid: action.group for aid, action in actions.items()
                        if action.group and kb.actions.groups[action.group].shared}
        self.shared_group = shared_group  # action -> its group, for the actions of shared groups
        # finding -> (action it names, that action's shared group or None, where the finding names it first)
        self.naming: dict[str, tuple[tuple[str, str | None, int], ...]] = {}
        self.place: dict[tuple[str, str], int] = {}  # (finding, action) -> where the finding names it first
        for fid, finding in kb.rules.findings.items():
            for n, aid in enumerate(finding.text.actions):
                self.place.setdefault((fid, aid), n)
            self.naming[fid] = tuple((aid, shared_group.get(aid), self.place[fid, aid])
                                     for aid in finding.text.actions)
        self.unplaced = len(actions)  # where a finding that does not name an action names it
        self.phase_of = {aid: PHASES.index(action.phase) for aid, action in actions.items()}
        self.after = {aid: tuple(action.after) for aid, action in actions.items() if action.after}
        self._advice: tuple = (None, {})  # the policy last asked, and severity -> whether a finding only advises

    def prescribe(self, answers: Answers, diagnosis: Diagnosis) -> Plan:
        engine = self.engine
        engine.reset()
        # one fact, matched once: the activations are what holds
        engine.declare(self.case_fact(answers, diagnosis))
        chosen = self._chosen(engine.agenda.activations)
        treats, ranks, untreated, advisory = self._settle(chosen, diagnosis)
        order, phase = self._order(chosen, treats, ranks, advisory, diagnosis)
        param_values, known = self.param_values, None  # the answers and metrics, which params read: merged once
        steps = []
        for n, aid in enumerate(order, start=1):
            if param_values[aid]:
                if known is None:
                    known = {**answers.values, **diagnosis.metrics}
                params = self.params(aid, known)
            else:
                params = {}
            steps.append(Step(n, aid, PHASES[phase[aid]], treats[aid], chosen[aid], params))
        if untreated:
            log.warning("no chosen action treats %s", ", ".join(untreated))
        return Plan(steps, dates_of(answers), untreated)

    def case_fact(self, answers: Answers, diagnosis: Diagnosis) -> Case:
        qids = self.question_ids
        values = dict(zip(qids, map(answers.values.get, qids)))
        values[PROBLEMS] = frozenset([finding.id for finding in diagnosis.findings])
        return new_fact(Case, values)

    def _chosen(self, activations) -> dict[str, int]:
        """The actions whose own rule holds, in the agenda's order of their first activation, each with its
        wording: the first variant that holds, else 0, its own text."""
        rules = self.rules
        best: dict[str, int] = {}  # every action with an activation -> its first variant that holds, or 0
        own: set[str] = set()
        for activation in activations:
            aid, index = rules[activation.rule.__name__]
            if index:
                known = best.get(aid)
                if not known or index < known:  # none yet (the action first seen here), or a later one
                    best[aid] = index
            else:
                own.add(aid)
                if aid not in best:
                    best[aid] = 0
        if len(own) == len(best):  # the usual case: no variant holds without its action
            return best
        return {aid: index for aid, index in best.items() if aid in own}

    def _settle(self, chosen: dict[str, int], diagnosis: Diagnosis) -> tuple[dict[str, list[str]], dict[str, tuple],
                                                                             list[str], list[str]]:
        """The findings each chosen action treats: those that name it, and, in a shared exclusive group,
        those that name another action of the group; most urgent first (the findings come in that order).
        With them each action's rank (the urgency of its most urgent finding, and where that finding names
        it), the findings no chosen action treats, and the actions that treat only findings that give
        advice."""
        by_group = {}  # shared group -> the chosen action of it (the last, if several were)
        if self.shared_group:
            shared_group = self.shared_group
            for aid in chosen:
                group = shared_group.get(aid)
                if group is not None:
                    by_group[group] = aid
        naming, place, unplaced = self.naming, self.place, self.unplaced
        policy, advice = self._advice  # severity -> whether a finding of it only gives advice
        if policy is not diagnosis.policy:
            policy, advice = self._advice = diagnosis.policy, {}
        treats: dict[str, list[str]] = {}
        ranks: dict[str, tuple] = {}
        untreated: list[str] = []
        advisory: list[str] = []  # the actions whose most urgent finding only gives advice
        advising: set[str] = set()  # the findings that only give advice
        for n, finding in enumerate(diagnosis.findings):
            fid = finding.id
            advises = advice.get(finding.severity)
            if advises is None:  # whether a finding gives advice depends on its severity alone (is_advice)
                advises = advice[finding.severity] = diagnosis.is_advice(finding)
            if advises:
                advising.add(fid)
            treated = False
            for aid, group, where in naming[fid]:
                if aid not in chosen:
                    if group is None or group not in by_group:
                        continue
                    aid = by_group[group]
                    where = place.get((fid, aid), unplaced)
                treated = True
                found = treats.get(aid)
                if found is None:  # this finding is the most urgent the action treats: it ranks the action
                    treats[aid] = [fid]
                    ranks[aid] = (n, where)
                    if advises:
                        advisory.append(aid)
                elif found[-1] != fid:
                    found.append(fid)
            if not treated:
                untreated.append(fid)
        if advisory:
            advisory = [aid for aid in advisory if advising.issuperset(treats[aid])]
        return treats, ranks, untreated, advisory

    def params(self, aid: str, known: dict[str, Any]) -> dict[str, Any]:
        """The action's params, in order: each may use the answers, the metrics and the params before it."""
        computed = self.param_values[aid]
        # a param is written where the next ones read it; with one (or none), nothing reads it
        values = dict(known) if len(computed) > 1 else known
        params = {}
        for name, compute in computed:
            value = compute(values)
            params[name] = values[name] = None if value is c.UNKNOWN else tidy_value(value)
        return params

    def _order(self, chosen: dict[str, int], treats: dict[str, list[str]], ranks: dict[str, tuple],
               advisory: list[str], diagnosis: Diagnosis) -> tuple[list[str], dict[str, int]]:
        """The steps' actions in order, and the phase of each."""
        if len(treats) < len(chosen):  # an action that treats nothing is no step
            chosen = {aid: index for aid, index in chosen.items() if aid in treats}
        phase_of = self.phase_of
        phase = {aid: phase_of[aid] for aid in chosen}
        for aid in advisory:  # a step that only gives advice waits until the problems are treated
            phase[aid] = LATER
        before: dict[str, list[str]] = {}  # the chosen actions each follows, where there are any
        for aid, preds in self.after.items():
            if aid in chosen:
                kept = [b for b in preds if b in chosen]
                if kept:
                    before[aid] = kept
        first = diagnosis.first
        if first is not None:
            # the plan opens with the first problem: its earliest step, and what must come before it
            fid, lead, earliest = first.id, None, None
            for aid in chosen:
                if fid in treats[aid]:
                    key = (phase[aid], ranks[aid])
                    if lead is None or key < earliest:
                        lead, earliest = aid, key
            if lead is not None:
                for aid in _with_predecessors(lead, before) if before else (lead,):
                    phase[aid] = 0
                    ranks[aid] = (-1, ranks[aid][1])
        if before:
            _push_after(phase, before)
        week = [a for a in chosen if phase[a] == 0]
        if len(week) > WEEK_LIMIT:
            # this week's steps open the order, each after those it follows (this week's too: no action
            # is in an earlier phase than one it follows), so they are ordered alone: the first three stay
            for aid in _in_order(week, phase, ranks, before)[WEEK_LIMIT:]:
                phase[aid] = 1
            if before:
                _push_after(phase, before)
        return _in_order(chosen, phase, ranks, before), phase


def _in_order(chosen, phase: dict[str, int], ranks: dict[str, tuple], before: dict[str, list[str]]) -> list[str]:
    """The steps by phase, then rank, every action after those it follows (see _topological)."""
    # the keys sorted (they are distinct: they end with the action), as _topological sorts the actions
    order = [key[2] for key in sorted([(phase[a], ranks[a], a) for a in chosen])]
    return _placed(order, before) if before else order


def _with_predecessors(aid: str, before: dict[str, list[str]]) -> list[str]:
    out, todo = [], [aid]
    while todo:
        a = todo.pop()
        if a not in out:
            out.append(a)
            todo.extend(before.get(a, []))
    return out


def _push_after(phase: dict[str, int], before: dict[str, list[str]]) -> None:
    """An action never comes in an earlier phase than an action it follows."""
    changed = True
    while changed:
        changed = False
        for aid, preds in before.items():
            latest = phase[aid]
            for p in preds:
                if phase[p] > latest:
                    latest = phase[p]
            if latest > phase[aid]:
                phase[aid], changed = latest, True


def _topological(nodes, before: dict[str, list[str]], key) -> list[str]:
    """Every action after those it follows; among the ready ones, the smallest key first.

    The actions sorted by key once, then taken in turn: each time the first that is ready (every
    action it follows placed). A plan has a dozen actions and a few `after`s, so the first is nearly
    always ready: about one pass over a sorted list, where a heap of ready actions cost more to keep."""
    return _placed(sorted(nodes, key=key), before)  # keys are distinct: they end with the action


def _placed(pending: list[str], before: dict[str, list[str]]) -> list[str]:
    """The actions, sorted by key, each taken in turn: the first ready one (see _topological)."""
    # when that order already has every action after those it follows, each action in turn is the
    # first ready one: the order itself
    if _follows(pending, before):
        return pending
    done: list[str] = []
    placed: set[str] = set()
    while pending:
        for n, a in enumerate(pending):
            preds = before.get(a)
            if not preds or placed.issuperset(preds):
                break
        else:  # a cycle (or a predecessor never placed): the loader refuses these, but never loop
            n = 0
        a = pending.pop(n)
        done.append(a)
        placed.add(a)
    return done


def _follows(order: list[str], before: dict[str, list[str]]) -> bool:
    """Every action of `order` comes after each action it follows, and those are all in `order`."""
    for a, preds in before.items():
        if preds and a in order:
            at = order.index(a)
            for p in preds:
                if p not in order or order.index(p) >= at:
                    return False
    return True


def dates_of(answers: Answers) -> dict[str, dt.date]:
    """The checkup's date and the plan's: the end of this week, of this month, and the next checkup."""
    return _dates(answers.date or dt.date.today()).copy()


@lru_cache(maxsize=64)
def _dates(start: dt.date) -> dict[str, dt.date]:
    # the cases of a batch share a few dates; each plan gets its own copy (dates_of)
    return {"checkup": start, **{name: start + dt.timedelta(days=days) for name, days in DAYS.items()}}
