"""The treatment plan: the second stage of inference, from the findings of a case to the few actions
that treat them all, ordered, with this community's numbers.

Design, after MYCIN's therapy stage: diagnosis names the problems; prescribing is a second rule
engine over the concluded findings and the answers. Findings name the actions that treat them
(actions/*.yaml); here experta rules, compiled once per knowledge base like the diagnosis engine,
(1) want every action a concluded finding names, (2) choose a wanted action where its condition holds,
(3) let a chosen action treat every finding that wants it, and, in a shared exclusive group, every
finding that wants another action of the group (the group's conditions exclude each other, so it
settles to one choice: one output rhythm serving every rhythm problem, not three), and (4) word each chosen action by the first variant that
fits this community. An action many findings want is one step ("治：A、B、C"), never a repeat.

Ordering is arithmetic, not inference, so it is plain Python below: steps follow the order of
treatment of rules/policy.yaml (the first step treats the first problem), respect `after`, keep
their phase (this week / this month / later) unless an `after` pushes them later, and at most three
steps stay in this week. Dates are the checkup's: a week, four weeks, and the next checkup.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from experta import MATCH, NOT, TEST, Fact, KnowledgeEngine, L
from experta import Rule as ExpertaRule

from expert import conditions as c
from expert.actions import PHASES
from expert.answers import Answers
from expert.engine import Community, Concluded, PreparedRete, condition_patterns
from expert.findings import Diagnosis
from expert.knowledge import KnowledgeBase

log = logging.getLogger(__name__)

WEEK_LIMIT = 3  # steps this week: more is a list, not a plan
DAYS = {"week_end": 7, "month_end": 28, "next_checkup": 28}


class Wanted(Fact):
    """A concluded finding names this action (action, finding, group)."""


class Chosen(Fact):
    """A wanted action whose condition holds for this community (action, group)."""


class Treats(Fact):
    """A chosen action treats this finding (action, finding)."""


class Worded(Fact):
    """The text a chosen action is written in: 0 its own, n its n-th variant (action, variant)."""


@dataclass
class Step:
    number: int
    action: str
    phase: str
    treats: list[str]  # finding ids, most urgent first
    variant: int  # 0: the action's own text; n: its n-th variant
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "action": self.action, "phase": self.phase, "treats": self.treats,
                "variant": self.variant, "params": self.params}


@dataclass
class Plan:
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
    """The prescribing engine of a knowledge base: one rule per (finding, action) it names, one per
    action to choose it, one per variant to word it, and two that merge findings into steps."""
    attrs: dict[str, Any] = {}
    predicates: dict = {}  # one experta predicate per shared atom
    catalogue = kb.actions
    n = 0

    def add(conditions: tuple, salience: int, act) -> None:
        nonlocal n
        n += 1
        attrs[f"rule_{n}"] = ExpertaRule(*conditions, salience=salience)(act)

    for fid, finding in kb.rules.findings.items():
        for aid in finding.text.actions:
            add((Concluded(id=L(fid)),), 300, _declare(Wanted, action=aid, finding=fid,
                                                        group=_shared_group(catalogue, aid)))
    for aid, action in catalogue.actions.items():
        wanted = Wanted(action=L(aid))
        chosen = _declare(Chosen, action=aid, group=_shared_group(catalogue, aid))
        if action.when_node is None:
            add((wanted,), 200, chosen)
        else:
            conditions = condition_patterns(action.when_node, predicates, (wanted,))
            if conditions is not None:
                add(conditions, 200, chosen)
        for index, variant in enumerate(action.variants, start=1):
            if variant.when_node is None:
                continue
            conditions = condition_patterns(variant.when_node, predicates,
                                            (Chosen(action=L(aid)), NOT(Worded(action=L(aid)))))
            if conditions is not None:
                add(conditions, 50 - index, _declare(Worded, action=aid, variant=index))
    attrs["treat"] = ExpertaRule(Chosen(action=MATCH.a), Wanted(action=MATCH.a, finding=MATCH.f),
                                 salience=100)(_treats)
    attrs["treat_for_group"] = ExpertaRule(Chosen(action=MATCH.a, group=MATCH.g),
                                           Wanted(group=MATCH.g, finding=MATCH.f),
                                           TEST(lambda g: g != ""), salience=100)(_treats)
    attrs["own_words"] = ExpertaRule(Chosen(action=MATCH.a), NOT(Worded(action=MATCH.a)),
                                     salience=-100)(_own_words)
    return type("ShequnPrescriber", (_PrescriberBase,), attrs)


def _shared_group(catalogue, aid: str) -> str:
    """The action's group where the chosen action serves the whole group's findings, else ''."""
    group = catalogue.actions[aid].group
    return group if group and catalogue.groups[group].shared else ""


class _PrescriberBase(KnowledgeEngine):
    __matcher__ = PreparedRete


def _declare(kind: type, **values: Any):
    def act(engine: KnowledgeEngine, **_: Any) -> None:
        engine.declare(kind(**values))

    act.__name__ = f"declare_{kind.__name__.lower()}"
    return act


def _treats(engine: KnowledgeEngine, a: str, f: str, **_: Any) -> None:
    engine.declare(Treats(action=a, finding=f))


def _own_words(engine: KnowledgeEngine, a: str) -> None:
    engine.declare(Worded(action=a, variant=0))


class Prescriber:
    """A knowledge base's prescribing engine, built once; `prescribe` resets it and plans one case."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.engine = compile_prescriber(kb)()
        used: set[str] = set()
        for action in kb.actions.actions.values():
            used.update(c.answers_used(action.when_node))
            for variant in action.variants:
                used.update(c.answers_used(variant.when_node))
        self.question_ids = [qid for qid in kb.questionnaire.questions if qid in used]

    def prescribe(self, answers: Answers, diagnosis: Diagnosis) -> Plan:
        engine = self.engine
        engine.reset()
        engine.declare(Community(**{qid: answers.values.get(qid) for qid in self.question_ids}))
        for finding in diagnosis.findings:
            engine.declare(Concluded(id=finding.id))
        engine.run()
        chosen: dict[str, int] = {}
        treats: dict[str, set[str]] = {}
        for fact in engine.facts.values():
            if isinstance(fact, Worded):
                chosen[fact["action"]] = fact["variant"]
            elif isinstance(fact, Treats):
                treats.setdefault(fact["action"], set()).add(fact["finding"])
        steps = self._order(chosen, treats, diagnosis)
        for step in steps:
            step.params = self._params(step.action, {**answers.values, **diagnosis.metrics})
        treated = {f for s in steps for f in s.treats}
        untreated = [f.id for f in diagnosis.findings if f.id not in treated]
        if untreated:
            log.warning("no chosen action treats %s", ", ".join(untreated))
        return Plan(steps, dates_of(answers), untreated)

    def _params(self, aid: str, known: dict[str, Any]) -> dict[str, Any]:
        """The action's params, in order: each may use the answers, the metrics and the params before it."""
        values = dict(known)
        params = {}
        for name, node in self.kb.actions.actions[aid].param_nodes.items():
            value = c.evaluate(node, values)
            params[name] = values[name] = None if value is c.UNKNOWN else _tidy(value)
        return params

    def _order(self, chosen: dict[str, int], treats: dict[str, set[str]], diagnosis: Diagnosis) -> list[Step]:
        actions = self.kb.actions.actions
        findings = self.kb.rules.findings
        urgency = {f.id: n for n, f in enumerate(diagnosis.findings)}
        phase = {aid: PHASES.index(actions[aid].phase) for aid in chosen}

        def rank(aid: str) -> tuple:
            return min((urgency.get(f, len(urgency)), findings[f].text.actions.index(aid)
                        if aid in findings[f].text.actions else len(actions)) for f in treats.get(aid, {""}) if f)

        ranks = {aid: rank(aid) for aid in chosen if treats.get(aid)}
        chosen = {aid: v for aid, v in chosen.items() if aid in ranks}
        by_id = {f.id: f for f in diagnosis.findings}
        for aid in chosen:  # a step that only gives advice waits until the problems are treated
            if all(diagnosis.is_advice(by_id[f]) for f in treats[aid]):
                phase[aid] = PHASES.index("later")
        before = {aid: [b for b in actions[aid].after if b in chosen] for aid in chosen}
        first = diagnosis.first
        if first is not None:
            # the plan opens with the first problem: its earliest step, and what must come before it
            lead = min((aid for aid in chosen if first.id in treats[aid]), key=lambda a: (phase[a], ranks[a]),
                       default=None)
            for aid in _with_predecessors(lead, before) if lead else []:
                phase[aid] = 0
                ranks[aid] = (-1, *ranks[aid][1:])
        _push_after(phase, before)
        order = _topological(chosen, before, lambda a: (phase[a], ranks[a], a))
        week = [a for a in order if phase[a] == 0]
        if len(week) > WEEK_LIMIT:
            for aid in week[WEEK_LIMIT:]:
                phase[aid] = 1
            _push_after(phase, before)
            order = _topological(chosen, before, lambda a: (phase[a], ranks[a], a))
        return [Step(n, aid, PHASES[phase[aid]], sorted(treats[aid], key=lambda f: urgency.get(f, len(urgency))),
                     chosen[aid]) for n, aid in enumerate(order, start=1)]


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
            latest = max((phase[p] for p in preds), default=0)
            if latest > phase[aid]:
                phase[aid], changed = latest, True


def _topological(nodes, before: dict[str, list[str]], key) -> list[str]:
    """Every action after those it follows; among the ready ones, the smallest key first."""
    done: list[str] = []
    left = set(nodes)
    while left:
        ready = [a for a in left if all(p in done for p in before.get(a, []))]
        if not ready:  # a cycle: the loader refuses these, but never loop
            ready = list(left)
        nxt = min(ready, key=key)
        done.append(nxt)
        left.discard(nxt)
    return done


def dates_of(answers: Answers) -> dict[str, dt.date]:
    """The checkup's date and the plan's: the end of this week, of this month, and the next checkup."""
    start = answers.date or dt.date.today()
    return {"checkup": start, **{name: start + dt.timedelta(days=days) for name, days in DAYS.items()}}


def _tidy(value: Any) -> Any:
    if isinstance(value, float):
        return int(value) if value == int(value) else round(value, 2)
    return value
