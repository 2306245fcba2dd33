"""The action catalogue (actions/*.yaml): what a prescription can tell an operator to do.

Actions are knowledge like rules: each has a phase (this week, this month, later), text in every
language with parameters computed from the answers, conditions under which it fits, variants for
kinds of community, "after" relations and exclusive groups (one output rhythm, one new sub-group at
a time). Findings name the actions that treat them; `expert/plan.py` chooses among them for a case.
Everything an author can get wrong here is found at load time, with file:line.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any, Literal

from expert import conditions as c
from expert.errors import Problem
from expert.messages import t
from expert.questionnaire import INTERNAL, Questionnaire
from expert.records import record
from expert.schema import Context, Expr, Id, LocalText, build, doc

Phase = Literal["week", "month", "later"]
PHASES = ("week", "month", "later")


@record
class Variant:
    """A text that replaces the action's own where its condition holds (the first that holds wins)."""

    when: Expr = field(metadata=doc("a condition over the answers (and found(...))"))
    text: LocalText = field(metadata=doc("the action as this kind of community should read it"))
    line: int | None = field(default=None, metadata=INTERNAL)
    key_lines: dict = field(default_factory=dict, metadata=INTERNAL)
    when_node: Any = field(default=None, metadata=INTERNAL)


@record
class Action:
    """One thing to do, in one phase, for the findings that name it."""

    id: Id = field(metadata=doc("stable id, named by findings' actions:"))
    phase: Phase = field(metadata=doc("week | month | later: when it is done"))
    text: LocalText = field(metadata=doc("what to do: a Jinja string over answers, metrics, params and dates"))
    when: Expr | None = field(default=None, metadata=doc("chosen only where this holds (answers and found(...))"))
    group: Id | None = field(default=None, metadata=doc("an exclusive group: at most one of its actions is chosen"))
    after: list[Id] = field(default_factory=list, metadata=doc("actions this one comes after when both are chosen"))
    params: dict[Id, Expr] = field(default_factory=dict, metadata=doc("name: a number computed from the answers"))
    variants: list[Variant] = field(default_factory=list, metadata=doc(
        "texts for kinds of community; the first whose condition holds replaces text"))
    note: str | None = field(default=None, metadata=doc("for authors: why this action, and its numbers"))
    line: int | None = field(default=None, metadata=INTERNAL)
    key_lines: dict = field(default_factory=dict, metadata=INTERNAL)
    file: str = field(default="", metadata=INTERNAL)
    when_node: Any = field(default=None, metadata=INTERNAL)
    param_nodes: dict = field(default_factory=dict, metadata=INTERNAL)

    def texts(self) -> list[tuple[str, LocalText, int | None]]:
        """(where, text, line) of the action's own text and of each variant."""
        out = [("text", self.text, self.key_lines.get("text", self.line))]
        out += [(f"variants[{n}]", v.text, v.line) for n, v in enumerate(self.variants, start=1)]
        return out


@record
class Group:
    """Actions of which at most one belongs in a plan: their conditions must exclude each other."""

    title: LocalText = field(metadata=doc("what the group decides, e.g. the rhythm of value"))
    shared: bool = field(default=False, metadata=doc(
        "true: the chosen action also serves every finding that wanted another action of the group "
        "(one rhythm serves every rhythm problem); false: the others are simply not chosen"))
    note: str | None = field(default=None, metadata=doc("for authors"))
    line: int | None = field(default=None, metadata=INTERNAL)


@record(frozen=True)
class _Param:
    """An earlier param, as later params see it: a number."""

    id: str
    type: str = "number"
    choice_values: tuple = ()


@record
class ActionFile:
    """One file of actions/: actions and exclusive groups."""

    actions: list[Action] = field(default_factory=list, metadata=doc("the actions"))
    groups: dict[Id, Group] = field(default_factory=dict, metadata=doc("exclusive groups, by id"))
    file: str = field(default="", metadata=INTERNAL)


@record
class Catalogue:
    """Every action of actions/*.yaml by id, and the exclusive groups they belong to."""

    actions: dict[str, Action]
    groups: dict[str, Group]
    files: list[str]

    def members(self, group: str) -> list[Action]:
        return [a for a in self.actions.values() if a.group == group]


def build_action_file(raw: Any, file: str, languages: tuple[str, ...], problems: list[Problem]) -> ActionFile | None:
    af = build(ActionFile, raw, Context(file, languages, problems))
    if af is not None:
        af.file = file
        for action in af.actions:
            action.file = file
    return af


def assemble_catalogue(files: list[ActionFile], questionnaire: Questionnaire, rules, problems: list[Problem]
                       ) -> Catalogue:
    """Join the files, resolve every condition and parameter, and check every reference: findings to
    actions, actions to groups, `after` cycles, exclusive groups, reachability."""
    actions: dict[str, Action] = {}
    groups: dict[str, Group] = {}
    group_files: dict[str, str] = {}

    def add(message: str, file: str, line: int | None, subject: str | None, level: str = "error") -> None:
        problems.append(Problem(message, file, line, None, subject, level))

    for af in files:
        for gid, group in af.groups.items():
            if gid in groups:
                add(t("actions.group_twice", group=repr(gid), other=group_files[gid]), af.file, group.line, gid)
                continue
            groups[gid], group_files[gid] = group, af.file
        for action in af.actions:
            if action.id in actions:
                first = actions[action.id]
                add(t("actions.duplicate_id", id=repr(action.id), first=f"{first.file}:{first.line}"), action.file,
                    action.line, action.id)
                continue
            actions[action.id] = action

    findings = rules.findings
    schema = c.Schema(questionnaire.questions, findings=set(findings))
    for action in actions.values():
        if action.when is not None:
            src = c.Source(action.file, action.key_lines.get("when", action.line), action.id)
            node = c.parse_condition(action.when, src, problems)
            if node is not None:
                action.when_node = c.resolve_condition(node, schema, src, problems)
        for variant in action.variants:
            src = c.Source(action.file, variant.key_lines.get("when", variant.line), action.id)
            node = c.parse_condition(variant.when, src, problems)
            if node is not None:
                variant.when_node = c.resolve_condition(node, schema, src, problems)
        src = c.Source(action.file, action.key_lines.get("params", action.line), action.id)
        # a param may use the answers, the metrics and the params before it
        known: dict[str, Any] = {**questionnaire.questions, **{m.id: _Param(m.id) for m in rules.metrics}}
        for name, raw in action.params.items():
            if name in known:
                add(t("actions.param_name_taken", name=repr(name)), action.file, src.line, action.id)
                continue
            node = c.parse_value_expression(raw, src, problems)
            if node is not None:
                action.param_nodes[name] = c.resolve_value(node, c.Schema(known, allow_findings=False), src, problems)
            known[name] = _Param(name)
        if action.group is not None and action.group not in groups:
            add(t("actions.unknown_group", group=repr(action.group), hint=_near(action.group, groups)), action.file, action.key_lines.get("group", action.line), action.id)
        for before in action.after:
            if before not in actions:
                add(t("actions.not_an_action", key="after", name=repr(before), hint=_near(before, actions)), action.file,
                    action.key_lines.get("after", action.line), action.id)

    # findings to actions
    reached: set[str] = set()
    for fid, finding in findings.items():
        text = finding.text
        line = text.key_lines.get("actions", text.line)
        if finding.kind == "problem" and not text.actions:
            add(t("actions.problem_needs_action"), finding.file, line, fid)
        seen_groups: dict[str, str] = {}
        for aid in text.actions:
            action = actions.get(aid)
            if action is None:
                add(t("actions.not_an_action", key="actions", name=repr(aid), hint=_near(aid, actions)), finding.file,
                    line, fid)
                continue
            reached.add(aid)
            if action.group and action.group in seen_groups:
                add(t("actions.group_both", first=repr(seen_groups[action.group]), second=repr(aid),
                      group=repr(action.group)), finding.file, line, fid)
            elif action.group:
                seen_groups[action.group] = aid
    for aid, action in actions.items():
        if aid not in reached:
            add(t("actions.unused"), action.file, action.line, aid)
    for gid, group in groups.items():
        if not any(a.group == gid for a in actions.values()):
            add(t("actions.empty_group", group=repr(gid)), group_files[gid], group.line, gid, "warning")

    _check_after_cycles(actions, problems)
    return Catalogue(actions, groups, [af.file for af in files])


def _check_after_cycles(actions: dict[str, Action], problems: list[Problem]) -> None:
    state: dict[str, int] = {}

    def visit(aid: str, path: list[str]) -> None:
        if state.get(aid) == 2 or aid not in actions:
            return
        action = actions[aid]
        if state.get(aid) == 1:
            cycle = " → ".join(path[path.index(aid):] + [aid])
            problems.append(Problem(t("actions.after_circle", cycle=cycle), action.file,
                                    action.key_lines.get("after", action.line), None, aid))
            return
        state[aid] = 1
        for before in action.after:
            visit(before, path + [aid])
        state[aid] = 2

    for aid in actions:
        visit(aid, [])


def _near(word: str, candidates) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return t("answers.did_you_mean", name=close[0]) if close else ""
