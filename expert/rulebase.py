"""The rule base: rules, the texts of the findings they conclude, and metrics, loaded from rules/*.yaml.

Every condition is parsed and checked against the questionnaire here, at load time, so an unknown
answer id, choice value or finding id names its rule and file:line before anything runs.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any, Literal

from expert import conditions as c
from expert.errors import Problem
from expert.messages import t
from expert.policy import SEVERITY_RANK, Policy, check_policy
from expert.questionnaire import INTERNAL, Questionnaire
from expert.records import record
from expert.schema import Context, Expr, Id, LocalText, build, doc

Severity = Literal["high", "medium", "low"]
Kind = Literal["problem", "watch", "strength"]
CROSS = "cross"
# watch: near a threshold, worth keeping an eye on; strength: what is working. Neither changes a verdict.
NOTE_KINDS = ("watch", "strength")


@record
class Conclusion:
    """What a rule concludes: a finding, with parameters computed from the answers."""

    finding: Id = field(metadata=doc("the finding id"))
    params: dict[Id, Expr] = field(default_factory=dict, metadata=doc("name: expression over the answers"))


@record
class Rule:
    """If `when` holds, conclude `then`."""

    id: Id = field(metadata=doc("stable id of the rule"))
    when: Expr = field(metadata=doc("the condition"))
    then: Conclusion = field(metadata=doc("the finding it concludes"))
    severity: Severity | None = field(default=None, metadata=doc(
        "high | medium | low; every problem rule has one (see rules/policy.yaml)"))
    kind: Kind = field(default="problem", metadata=doc(
        "problem (default) | watch (near a threshold) | strength (what is working); only problems change verdicts"))
    priority: int = field(default=50, metadata=doc(
        "0–100: among rules of one stage, higher fires first (the order of treatment is policy.yaml's)"))
    check: Id | None = field(default=None, metadata=doc("the self-check; defaults to the file's"))
    decisive: bool = field(default=False, metadata=doc(
        "true: this fact alone decides the check's verdict (one answer may move it more than one step)"))
    note: str | None = field(default=None, metadata=doc(
        "for authors: why this severity and threshold, quoting the article where it can"))
    line: int | None = field(default=None, metadata=INTERNAL)
    key_lines: dict = field(default_factory=dict, metadata=INTERNAL)
    file: str = field(default="", metadata=INTERNAL)
    when_node: Any = field(default=None, metadata=INTERNAL)
    param_nodes: dict = field(default_factory=dict, metadata=INTERNAL)
    stage: int = field(default=0, metadata=INTERNAL)

    @property
    def finding(self) -> str:
        return self.then.finding

    @property
    def salience(self) -> int:
        """experta salience: the priority, with a rule that reads findings always after their makers."""
        return self.priority - 1000 * self.stage


@record
class FindingText:
    """What the operator reads about a finding (a Jinja string over the answers and the rule's params),
    and the actions of actions/*.yaml that treat it."""

    title: LocalText = field(metadata=doc("a short name of the problem (or of the strength, the thing to watch)"))
    diagnosis: LocalText = field(metadata=doc("what is wrong, with this community's numbers; only what its rules tested"))
    actions: list[Id] = field(default_factory=list, metadata=doc(
        "ids of the actions (actions/*.yaml) that treat it, most important first; problems need at least one"))
    line: int | None = field(default=None, metadata=INTERNAL)
    key_lines: dict = field(default_factory=dict, metadata=INTERNAL)

    def line_of(self, part: str) -> int | None:
        return self.key_lines.get(part, self.line)


@record
class Metric:
    """A number shown in the prescription, e.g. the 1990-rule numbers."""

    id: Id = field(metadata=doc("stable id"))
    label: LocalText = field(metadata=doc("what it is"))
    value: Expr = field(metadata=doc("an expression over the answers"))
    unit: LocalText | None = field(default=None, metadata=doc("shown after the number"))
    line: int | None = field(default=None, metadata=INTERNAL)
    node: Any = field(default=None, metadata=INTERNAL)


@record
class RuleFile:
    """One file of rules/: the rules of one self-check (or `cross`), their findings and metrics."""

    check: Id = field(metadata=doc("the default self-check of the rules in this file"))
    rules: list[Rule] = field(default_factory=list, metadata=doc("the rules"))
    findings: dict[Id, FindingText] = field(default_factory=dict, metadata=doc("texts of the findings"))
    metrics: list[Metric] = field(default_factory=list, metadata=doc("numbers for the prescription"))
    file: str = field(default="", metadata=INTERNAL)


@record
class FindingDef:
    """A finding as the rule base knows it: its texts, self-check, severity and the rules behind it.

    Rules of one finding may grade it differently (weak pull matters more in a value group); the
    finding's severity is then that of the gravest rule that fired, and `severity` here the gravest
    any rule can give."""

    id: str
    check: str
    severity: str | None
    text: FindingText
    file: str
    rules: list[str] = field(default_factory=list)
    kind: str = "problem"


@record
class RuleBase:
    """Every rule of rules/*.yaml, checked together: the findings they conclude, the metrics, the policy."""

    rules: list[Rule]
    findings: dict[str, FindingDef]
    metrics: list[Metric]
    files: list[str]
    policy: Policy | None = None

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


def build_rule_file(raw: Any, file: str, languages: tuple[str, ...], problems: list[Problem]) -> RuleFile | None:
    ctx = Context(file, languages, problems)
    rf = build(RuleFile, raw, ctx)
    if rf is not None:
        rf.file = file
        for rule in rf.rules:
            rule.file = file
            rule.check = rule.check or rf.check
    return rf


def assemble(files: list[RuleFile], questionnaire: Questionnaire, problems: list[Problem],
             policy: Policy | None = None) -> RuleBase:
    """Join the files into one rule base and check every reference between them."""
    checks = {s.check for s in questionnaire.checks} | {CROSS}
    rules: list[Rule] = []
    texts: dict[str, tuple[FindingText, str]] = {}
    metrics: list[Metric] = []
    seen_rules: dict[str, Rule] = {}
    seen_metrics: dict[str, str] = {}

    def add(message: str, file: str, line: int | None, subject: str | None) -> None:
        problems.append(Problem(message, file, line, None, subject))

    for rf in files:
        for rule in rf.rules:
            if rule.kind == "problem" and rule.severity is None:
                add(t("rules.needs_severity"), rule.file, rule.line, rule.id)
                rule.severity = "low"
            elif rule.kind != "problem" and rule.severity is not None:
                add(t("rules.no_severity", kind=rule.kind), rule.file,
                    rule.key_lines.get("severity", rule.line), rule.id)
                rule.severity = None
        if rf.check not in checks:
            add(t("rules.unknown_check", check=repr(rf.check), checks=", ".join(sorted(checks))), rf.file, 1, rf.check)
        for rule in rf.rules:
            if rule.id in seen_rules:
                first = seen_rules[rule.id]
                add(t("rules.duplicate_id", id=repr(rule.id), first=f"{first.file}:{first.line}"), rule.file, rule.line, rule.id)
                continue
            seen_rules[rule.id] = rule
            if rule.check not in checks:
                add(t("rules.unknown_check", check=repr(rule.check), checks=", ".join(sorted(checks))), rule.file,
                    rule.line, rule.id)
            if not 0 <= rule.priority <= 100:
                add(t("rules.priority", priority=rule.priority), rule.file, rule.line, rule.id)
            rules.append(rule)
        for fid, text in rf.findings.items():
            if fid in texts:
                add(t("rules.texts_twice", finding=repr(fid), other=texts[fid][1]), rf.file, text.line, fid)
                continue
            texts[fid] = (text, rf.file)
        for metric in rf.metrics:
            if metric.id in seen_metrics:
                add(t("rules.metric_twice", id=repr(metric.id), other=seen_metrics[metric.id]), rf.file, metric.line, metric.id)
                continue
            seen_metrics[metric.id] = rf.file
            metrics.append(metric)

    concluded = {r.finding for r in rules}
    findings: dict[str, FindingDef] = {}
    for rule in rules:
        fid = rule.finding
        if fid not in texts:
            add(t("rules.no_texts", finding=repr(fid)), rule.file, rule.line, rule.id)
            continue
        known = findings.get(fid)
        if known is None:
            findings[fid] = FindingDef(fid, rule.check, rule.severity, texts[fid][0], texts[fid][1], [rule.id],
                                       rule.kind)
            continue
        known.rules.append(rule.id)
        if known.check != rule.check or known.kind != rule.kind:
            add(t("rules.disagree", finding=repr(fid), kind=rule.kind, check=repr(rule.check),
                  other=repr(known.rules[0]), other_kind=known.kind, other_check=repr(known.check)), rule.file, rule.line, rule.id)
        elif rule.severity and known.severity and SEVERITY_RANK[rule.severity] > SEVERITY_RANK[known.severity]:
            known.severity = rule.severity
    for fid, (text, file) in texts.items():
        if fid not in concluded:
            problems.append(Problem(t("rules.orphan_texts", finding=repr(fid)), file, text.line,
                                    None, fid, "warning"))

    schema = c.Schema(questionnaire.questions, findings=concluded)
    for rule in rules:
        if rule.decisive and rule.severity != "high":
            add(t("rules.decisive_not_high"), rule.file, rule.key_lines.get("decisive", rule.line), rule.id)
    if policy is not None:
        check_policy(policy, {f: d for f, d in findings.items() if d.kind == "problem"}, problems)
    for rule in rules:
        src = c.Source(rule.file, rule.key_lines.get("when", rule.line), rule.id)
        node = c.parse_condition(rule.when, src, problems)
        if node is not None:
            rule.when_node = c.resolve_condition(node, schema, src, problems)
        src = c.Source(rule.file, rule.key_lines.get("then", rule.line), rule.id)
        for name, raw in rule.then.params.items():
            pnode = c.parse_value_expression(raw, src, problems)
            if pnode is not None:
                rule.param_nodes[name] = c.resolve_value(pnode, schema, src, problems)
    for metric in metrics:
        src = c.Source(next(rf.file for rf in files if metric in rf.metrics), metric.line, metric.id)
        node = c.parse_value_expression(metric.value, src, problems)
        if node is not None:
            metric.node = c.resolve_value(node, c.Schema(questionnaire.questions, allow_findings=False),
                                          src, problems)
    _stage(rules, problems)
    return RuleBase(rules, findings, metrics, [rf.file for rf in files], policy)


def _stage(rules: list[Rule], problems: list[Problem]) -> None:
    """Give each rule its stage: 0 reads only answers; n reads findings concluded at stages below n.

    A cycle (a finding that, through other rules, needs itself) has no stage and is an error.
    """
    makers: dict[str, list[Rule]] = {}
    for rule in rules:
        makers.setdefault(rule.finding, []).append(rule)
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(rule: Rule, path: list[str]) -> int:
        if state.get(rule.id) == 2:
            return rule.stage
        if state.get(rule.id) == 1:
            cycle = " → ".join(path[path.index(rule.id):] + [rule.id])
            problems.append(Problem(t("rules.cycle", cycle=cycle), rule.file,
                                    rule.key_lines.get("when", rule.line), None, rule.id))
            return 0
        state[rule.id] = 1
        stage = 0
        for fid in c.findings_used(rule.when_node):
            for maker in makers.get(fid, []):
                stage = max(stage, visit(maker, path + [rule.id]) + 1)
        rule.stage = stage
        state[rule.id] = 2
        return stage

    for rule in rules:
        visit(rule, [])
