"""Static analysis of a loaded knowledge base: what can never hold, never be reached, or is never used.

It reasons about conditions the way an author would check them by hand: the ranges and choices the
questionnaire allows, contradictions inside one alternative of a condition, and which findings can
be concluded at all. It reports; it never changes anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from expert import conditions as c
from expert.errors import Problem
from expert.files import read_text
from expert.knowledge import KnowledgeBase
from expert.messages import t
from expert.questionnaire import Question
from expert.rulebase import Rule

TEXT_FUNCTIONS = frozenset({"label", "choice_label", "plural"})  # what texts may call (expert/report.py)
PLAN_DATES = frozenset({"deadline", "week_end", "month_end", "next_checkup"})


@dataclass
class _Range:
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    integer: bool = False

    def cut(self, op: str, bound: float) -> None:
        if op in (">", ">="):
            if bound > self.low or (bound == self.low and op == ">"):
                self.low, self.low_open = bound, op == ">"
        elif op in ("<", "<="):
            if bound < self.high or (bound == self.high and op == "<"):
                self.high, self.high_open = bound, op == "<"
        elif op == "==":
            self.cut(">=", bound)
            self.cut("<=", bound)

    @property
    def empty(self) -> bool:
        low, high = self.low, self.high
        if self.integer and math.isfinite(low) and math.isfinite(high):
            low = math.floor(low) + 1 if self.low_open and low == math.floor(low) else math.ceil(low)
            high = math.ceil(high) - 1 if self.high_open and high == math.ceil(high) else math.floor(high)
            return low > high
        return low > high or (low == high and (self.low_open or self.high_open))


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _static_range(q: Question) -> _Range:
    r = _Range(integer=q.type in ("integer", "scale"))
    if q.type == "scale":
        r.cut(">=", 1)
        r.cut("<=", 5)
    for op, node in ((">=", q.min_node), ("<=", q.max_node)):
        if isinstance(node, c.Const) and isinstance(node.value, (int, float)):
            r.cut(op, node.value)
    return r


def _answer_and_number(atom: c.Node) -> tuple[str, str, float] | None:
    """`answer OP number` (either way round) as (qid, op, number)."""
    if not isinstance(atom, c.Compare) or atom.op not in _FLIP:
        return None
    left, right = atom.left, atom.right
    if isinstance(left, c.Answer) and isinstance(right, c.Const) and _is_number(right.value):
        return left.qid, atom.op, right.value
    if isinstance(right, c.Answer) and isinstance(left, c.Const) and _is_number(left.value):
        return right.qid, _FLIP[atom.op], left.value
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equality(atom: c.Node) -> tuple[str, str, Any] | None:
    """`answer == value` / `answer != value` / `value in answer` as (qid, op, value)."""
    if isinstance(atom, c.Truthy) and isinstance(atom.arg, c.Answer):
        return atom.arg.qid, "==", True
    if not isinstance(atom, c.Compare):
        return None
    if atom.op in ("in", "not in") and isinstance(atom.right, c.Answer) and isinstance(atom.left, c.Const):
        return atom.right.qid, atom.op, atom.left.value
    if atom.op in ("==", "!="):
        for a, b in ((atom.left, atom.right), (atom.right, atom.left)):
            if isinstance(a, c.Answer) and isinstance(b, c.Const) and not _is_number(b.value):
                return a.qid, atom.op, b.value
    return None


class Analyser:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.questions = kb.questionnaire.questions

    def _with_skip_logic(self, atoms: list[c.Node]) -> list[c.Node]:
        """Add what a question's ask_if implies: an answer exists only where it was asked."""
        out = list(atoms)
        for qid in {q for atom in atoms for q in c.answers_used(atom)}:
            node = self.questions[qid].ask_if_node
            if node is None:
                continue
            alternatives = c.disjunctive_normal_form(node)
            if len(alternatives) == 1:
                out += alternatives[0]
        return out

    def contradiction(self, atoms: list[c.Node]) -> str | None:
        """Why these atoms can never all hold together, or None if they might."""
        atoms = self._with_skip_logic(atoms)
        ranges: dict[str, _Range] = {}
        equal: dict[str, Any] = {}
        not_equal: dict[str, set] = {}
        has: dict[str, set] = {}
        lacks: dict[str, set] = {}
        found, not_found, unanswered = set(), set(), set()
        used: set[str] = set()
        for atom in atoms:
            if isinstance(atom, c.Const):
                if atom.value is False:
                    return t("analysis.always_false")
                continue
            if isinstance(atom, c.Found):
                found.add(atom.finding)
                continue
            if isinstance(atom, c.Not) and isinstance(atom.item, c.Found):
                not_found.add(atom.item.finding)
                continue
            if isinstance(atom, c.Not) and isinstance(atom.item, c.Call) and atom.item.func == "answered":
                unanswered.add(atom.item.args[0].qid)
                continue
            if not (isinstance(atom, c.Call) and atom.func == "answered"):
                used.update(c.answers_used(atom))
            number = _answer_and_number(atom)
            if number:
                qid, op, bound = number
                q = self.questions[qid]
                r = ranges.setdefault(qid, _static_range(q))
                if op == "!=":
                    continue
                r.cut(op, bound)
                if r.empty:
                    return t("analysis.out_of_range", question=repr(qid), op=op, bound=c.to_text(c.Const(bound)),
                             note=self._range_note(q))
                continue
            eq = _equality(atom)
            if eq:
                qid, op, value = eq
                if op == "==":
                    if qid in equal and equal[qid] != value:
                        return t("analysis.both_values", question=repr(qid), a=repr(equal[qid]), b=repr(value))
                    if value in not_equal.get(qid, ()):
                        return t("analysis.is_and_is_not", question=repr(qid), value=repr(value))
                    equal[qid] = value
                elif op == "!=":
                    if equal.get(qid, object()) == value:
                        return t("analysis.is_and_is_not", question=repr(qid), value=repr(value))
                    not_equal.setdefault(qid, set()).add(value)
                    q = self.questions[qid]
                    if q.type == "single" and set(q.choice_values) <= not_equal[qid]:
                        return t("analysis.no_choice_left", question=repr(qid))
                elif op == "in":
                    if value in lacks.get(qid, ()):
                        return t("analysis.in_and_not_in", question=repr(qid), value=repr(value))
                    has.setdefault(qid, set()).add(value)
                else:
                    if value in has.get(qid, ()):
                        return t("analysis.in_and_not_in", question=repr(qid), value=repr(value))
                    lacks.setdefault(qid, set()).add(value)
        both = found & not_found
        if both:
            return t("analysis.found_and_not", finding=repr(sorted(both)[0]))
        gone = unanswered & used
        if gone:
            return t("analysis.compares_unanswered", question=repr(sorted(gone)[0]))
        return None

    @staticmethod
    def _range_note(q: Question) -> str:
        if q.type == "scale":
            return t("analysis.scale_range")
        lo = c.to_text(q.min_node) if q.min_node is not None else None
        hi = c.to_text(q.max_node) if q.max_node is not None else None
        if lo is None and hi is None:
            return ""
        return t("analysis.allowed_range", lo=lo if lo is not None else "−∞", hi=hi if hi is not None else "∞")

    def rule_problems(self) -> list[Problem]:
        """Rules that can never hold or never be reached; duplicates; contradictory verdicts."""
        problems: list[Problem] = []
        rules = [r for r in self.kb.rules.rules if r.when_node is not None]
        possible: dict[str, list[list[c.Node]]] = {}
        for rule in rules:
            alternatives = c.disjunctive_normal_form(rule.when_node)
            reasons = [self.contradiction(alt) for alt in alternatives]
            live = [alt for alt, why in zip(alternatives, reasons) if why is None]
            if not live:
                problems.append(_problem(rule, t("analysis.never_holds", reason=reasons[0])))
            possible[rule.id] = live
        # which findings can be concluded at all: a fixpoint over the chain
        concluded: set[str] = set()
        changed = True
        while changed:
            changed = False
            for rule in rules:
                if rule.finding in concluded:
                    continue
                if any(all(f in concluded for f in _needs(alt)) for alt in possible[rule.id]):
                    concluded.add(rule.finding)
                    changed = True
        for rule in rules:
            if not possible[rule.id]:
                continue
            if not any(all(f in concluded for f in _needs(alt)) for alt in possible[rule.id]):
                missing = sorted({f for alt in possible[rule.id] for f in _needs(alt)} - concluded)
                problems.append(_problem(rule, t("analysis.unreachable", findings=", ".join(repr(m) for m in missing))))
        problems += self._duplicates(rules)
        return problems

    def _duplicates(self, rules: list[Rule]) -> list[Problem]:
        problems = []
        by_condition: dict[str, list[Rule]] = {}
        for rule in rules:
            by_condition.setdefault(c.to_text(rule.when_node), []).append(rule)
        for same in by_condition.values():
            for i, rule in enumerate(same):
                for first in same[:i]:
                    where = f"{first.id!r} ({first.file}:{first.line})"
                    if first.finding == rule.finding:
                        problems.append(_problem(rule, t("analysis.duplicate", where=where)))
                    elif first.check == rule.check and first.severity != rule.severity:
                        problems.append(_problem(rule, t("analysis.contradicts", where=where, this=rule.severity,
                                                         that=first.severity, check=repr(rule.check))))
        return problems


    # ------------------------------------------------------------------ texts and questions

    def text_problems(self, context_keys: set[str]) -> list[Problem]:
        """Variables of finding texts, action texts and templates that nothing provides; and finding texts
        that read an answer none of their rules tested (they may state what the answers do not support)."""
        from jinja2 import TemplateSyntaxError, meta

        from expert.sandbox import LimitedEnvironment

        # finding variables compiles the text, and Jinja folds constants while compiling: only the
        # limited environment keeps `10 ** (10 ** 10)` from being computed here
        env = LimitedEnvironment()
        problems: list[Problem] = []
        self.text_questions: set[str] = set()
        metrics = {m.id for m in self.kb.rules.metrics}
        opening = {q.id for s in self.kb.questionnaire.sections if not s.check for q in s.questions}
        rules_of: dict[str, list[Rule]] = {}
        for rule in self.kb.rules.rules:
            rules_of.setdefault(rule.finding, []).append(rule)

        def read(source: str):
            """A text's tree and the names it reads, or None when it does not compile: a syntax error, an
            unknown filter or test (TemplateAssertionError is a TemplateSyntaxError), reported by the
            syntax check."""
            try:
                ast = env.parse(source)
                return ast, meta.find_undeclared_variables(ast)
            except TemplateSyntaxError:
                return None

        for fid, finding in self.kb.rules.findings.items():
            text = finding.text
            tested = self._tested(fid, rules_of)
            for lang, source in text.diagnosis.items():
                parsed = read(source)
                if parsed is None:
                    continue
                ast, names = parsed
                reads = _label_arguments(ast) | (names & set(self.questions))
                self.text_questions |= reads
                for name in sorted(names - set(self.questions) - metrics - TEXT_FUNCTIONS):
                    lacking = [r.id for r in rules_of.get(fid, []) if name not in r.then.params]
                    if lacking:
                        problems.append(Problem(
                            t("analysis.unknown_text_variable", where=f"diagnosis.{lang}", name=f"{{{{ {name} }}}}",
                              rules=", ".join(lacking), finding=repr(fid)),
                            finding.file, text.line_of("diagnosis"), None, fid))
                for qid in sorted(reads - tested - opening):
                    problems.append(Problem(
                        t("analysis.untested_answer", where=f"diagnosis.{lang}", question=repr(qid), finding=repr(fid),
                          qid=qid),
                        finding.file, text.line_of("diagnosis"), None, fid, "warning"))
        for action in self.kb.actions.actions.values():
            provided = set(self.questions) | metrics | set(action.params) | TEXT_FUNCTIONS | PLAN_DATES
            for where, local, line in action.texts():
                for lang, source in local.items():
                    parsed = read(source)
                    if parsed is None:
                        continue
                    ast, names = parsed
                    self.text_questions |= _label_arguments(ast) | (names & set(self.questions))
                    for name in sorted(names - provided):
                        problems.append(Problem(
                            t("analysis.unknown_action_variable", where=f"{where}.{lang}", name=f"{{{{ {name} }}}}",
                              dates=", ".join(sorted(PLAN_DATES))),
                            action.file, line, None, action.id))
        for lang, path in self.kb.templates.items():
            try:
                parsed = read(read_text(path))
            except OSError:
                continue  # reported by the syntax check
            if parsed is None:
                continue
            for name in sorted(parsed[1] - context_keys):
                problems.append(Problem(t("analysis.unknown_template_variable", name=f"{{{{ {name} }}}}",
                                          provided=", ".join(sorted(context_keys))),
                                        str(path), None, None, lang))
        return problems

    def _tested(self, fid: str, rules_of: dict[str, list[Rule]]) -> set[str]:
        """The answers a finding's rules test: in their conditions, in the conditions of the findings they
        chain from, and in the skip logic that asks those questions at all."""
        tested: set[str] = set()
        todo, seen = [fid], set()
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            for rule in rules_of.get(current, []):
                tested.update(c.answers_used(rule.when_node))
                todo.extend(c.findings_used(rule.when_node))
        for qid in list(tested):
            tested.update(c.answers_used(self.questions[qid].ask_if_node))
        return tested

    def group_problems(self) -> list[Problem]:
        """Two actions of one exclusive group whose conditions can both hold: the group could not settle."""
        problems: list[Problem] = []
        catalogue = self.kb.actions
        for gid in catalogue.groups:
            members = catalogue.members(gid)
            for i, second in enumerate(members):
                for first in members[:i]:
                    if first.when_node is None or second.when_node is None:
                        both = None
                    else:
                        both = c.BoolOp("and", (first.when_node, second.when_node))
                    if both is None or self.possible(both):
                        problems.append(Problem(
                            t("analysis.group_both_possible", first=repr(first.id), second=repr(second.id),
                              group=repr(gid)), second.file,
                            second.key_lines.get("when", second.line), None, second.id))
        return problems

    def possible(self, node: c.Node, depth: int = 6) -> bool:
        """Whether a condition over answers and findings can hold, reading each finding it requires as
        the conditions of the rules that conclude it (up to `depth` findings deep)."""
        return any(self.contradiction(alt) is None
                   for alternative in c.disjunctive_normal_form(node)
                   for alt in self._expand(alternative, depth, frozenset()))

    def _expand(self, atoms: list[c.Node], depth: int, done: frozenset) -> list[list[c.Node]]:
        """The alternative with a required finding joined by each way its rules can conclude it."""
        target = next((a for a in atoms if isinstance(a, c.Found) and a.finding not in done), None)
        if target is None or depth == 0:
            return [atoms]
        options = [alt for r in self.kb.rules.rules if r.finding == target.finding and r.when_node is not None
                   for alt in c.disjunctive_normal_form(r.when_node)]
        out: list[list[c.Node]] = []
        for option in options:
            out.extend(self._expand(atoms + option, depth - 1, done | {target.finding}))
            if len(out) > 256:  # enough to find one that can hold; the rest is not worth the time
                break
        return out

    def unused_questions(self) -> list[Problem]:
        """Questions that no rule, action, skip condition, bound, metric or text uses: asked for nothing."""
        used: set[str] = set(getattr(self, "text_questions", set()))
        for rule in self.kb.rules.rules:
            used.update(c.answers_used(rule.when_node))
            for node in rule.param_nodes.values():
                used.update(c.answers_used(node))
        for metric in self.kb.rules.metrics:
            used.update(c.answers_used(metric.node))
        for action in self.kb.actions.actions.values():
            for node in [action.when_node, *action.param_nodes.values(), *(v.when_node for v in action.variants)]:
                used.update(c.answers_used(node))
        for q in self.questions.values():
            for node in (q.ask_if_node, q.min_node, q.max_node):
                used.update(c.answers_used(node))
        problems = []
        for section in self.kb.questionnaire.sections:
            if not section.check:
                continue  # the opening section is shown in the prescription's basics
            for q in section.questions:
                if q.id not in used:
                    problems.append(Problem(t("analysis.unused_question"), self.kb.questionnaire.file,
                                            q.line, None, q.id, "warning"))
        return problems


def _label_arguments(ast) -> set[str]:
    """Question ids passed to label('...') in a finding text."""
    from jinja2 import nodes

    out = set()
    for call in ast.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "label":
            for arg in call.args:
                if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                    out.add(arg.value)
    return out


def _needs(alternative: list[c.Node]) -> set[str]:
    return {a.finding for a in alternative if isinstance(a, c.Found)}


def _problem(rule: Rule, message: str, level: str = "error") -> Problem:
    return Problem(message, rule.file, rule.key_lines.get("when", rule.line), None, rule.id, level)
