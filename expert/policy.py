"""The judgement policy of a knowledge base (rules/policy.yaml): how findings become a self-check's
verdict, and in which order they are treated.

Both are knowledge, not code: an operator who disagrees with the order of treatment edits the YAML.
The verdict of a check is the first of danger, watch whose thresholds its findings reach; otherwise it
is healthy and its findings (low ones only) are advice. The first problem is found in two steps:
a finding with a concluded root (`roots:`) lends its urgency to that root, and then the findings are
ranked by urgency (severity), then by their place in `order:` (root before symptom). Outcomes
(`outcomes:`, e.g. low activity) and findings that are treated through a root are never first.
"""

from __future__ import annotations

from dataclasses import field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Iterable

from expert.errors import Problem
from expert.messages import t
from expert.questionnaire import INTERNAL
from expert.records import record
from expert.schema import Context, Id, LocalText, build, doc

if TYPE_CHECKING:
    from expert.findings import Finding

SEVERITIES = ("high", "medium", "low")
SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}
VERDICTS = ("healthy", "watch", "danger")
POLICY_FILE = "policy.yaml"


@record
class Thresholds:
    """A verdict applies when a check has at least this many findings of any one listed severity."""

    high: int | None = field(default=None, metadata=doc("at least this many high findings"))
    medium: int | None = field(default=None, metadata=doc("at least this many medium findings"))
    low: int | None = field(default=None, metadata=doc("at least this many low findings"))

    def reached(self, counts: dict[str, int]) -> bool:
        return any(need is not None and counts.get(sev, 0) >= need
                   for sev, need in (("high", self.high), ("medium", self.medium), ("low", self.low)))


@record
class VerdictPolicy:
    """From the worst: the first verdict whose thresholds a check reaches; otherwise healthy."""

    danger: Thresholds = field(metadata=doc("when a check is 危险 / danger"))
    watch: Thresholds = field(metadata=doc("when a check is 注意 / watch"))


@record
class SeverityMeanings:
    """What each severity means, in the words a reader of the article accepts."""

    high: LocalText = field(metadata=doc("high: alone enough to break up or poison a community"))
    medium: LocalText = field(metadata=doc("medium: needs treatment"))
    low: LocalText = field(metadata=doc("low: advice"))


@record
class Policy:
    """How findings become verdicts, and the order of treatment."""

    verdicts: VerdictPolicy = field(metadata=doc("how a self-check's findings become its verdict"))
    severities: SeverityMeanings = field(metadata=doc("what high, medium and low mean"))
    order: list[Id] = field(metadata=doc("every finding once, root before symptom: the order of treatment"))
    roots: dict[Id, list[Id]] = field(default_factory=dict, metadata=doc(
        "finding: the findings that cause it; the first concluded is treated first, with its urgency"))
    outcomes: list[Id] = field(default_factory=list, metadata=doc(
        "findings that are what the causes produce (low activity): never the first problem"))
    file: str = field(default="", metadata=INTERNAL)
    line: int | None = field(default=None, metadata=INTERNAL)
    key_lines: dict = field(default_factory=dict, metadata=INTERNAL)
    entry_lines: dict = field(default_factory=dict, metadata=INTERNAL)  # (key, finding id) -> line

    # ------------------------------------------------------------------ verdicts

    def verdict(self, findings: Iterable[Finding]) -> str:
        counts: dict[str, int] = {}
        for f in findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        if self.verdicts.danger.reached(counts):
            return "danger"
        if self.verdicts.watch.reached(counts):
            return "watch"
        return "healthy"

    def counts_toward_verdict(self, severity: str) -> bool:
        """Whether a finding of this severity can, alone, make a check other than healthy."""
        known = self.__dict__.setdefault("_counting", {})  # asked for every finding of every document
        if severity not in known:
            known[severity] = self.verdict([SimpleNamespace(severity=severity)]) != "healthy"  # a finding's stand-in
        return known[severity]

    # ------------------------------------------------------------------ order of treatment

    def triage(self, findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
        """`ranked(findings)` and the `treatment` of those, the findings' urgency worked out once."""
        urgency = self.urgency(findings)
        ranked = self.ranked(findings, urgency)
        return ranked, self.treatment(ranked, urgency)

    def ranked(self, findings: list[Finding], urgency: dict[str, str] | None = None) -> list[Finding]:
        """The findings most urgent first (see `urgency`, given when known), then in `order` (roots
        before symptoms), then by id."""
        if urgency is None:
            urgency = self.urgency(findings)
        position = self.positions()
        return sorted(findings, key=lambda f: (
            -SEVERITY_RANK[urgency[f.id]], position.get(f.id, len(position)), f.id))

    def positions(self) -> dict[str, int]:
        """Each finding's place in `order`; made once, as the order is fixed once loaded."""
        known = self.__dict__.get("_positions")
        if known is None:
            known = self.__dict__["_positions"] = {fid: n for n, fid in enumerate(self.order)}
        return known

    def treatment(self, ranked: list[Finding], urgency: dict[str, str] | None = None) -> list[Finding]:
        """Of findings in `ranked` order, those to treat; outcomes, advice and findings treated through a
        root are left out (see `treated_through`). `urgency`: the findings' urgency, when known."""
        through = self.treated_through(ranked)
        if urgency is None:
            urgency = self.urgency(ranked)
        return [f for f in ranked
                if f.id not in self.outcomes and f.id not in through and self.counts_toward_verdict(urgency[f.id])]

    def treated_through(self, findings: list[Finding]) -> dict[str, str]:
        """Combined findings (those of the `cross` check) whose root was concluded: id -> the root."""
        concluded = {f.id for f in findings}
        out = {}
        for f in findings:
            if f.check != "cross":
                continue
            root = self.root_of(f.id, concluded)
            if root is not None:
                out[f.id] = root
        return out

    def root_of(self, fid: str, concluded: set[str]) -> str | None:
        """The deepest concluded root of a finding (roots of roots followed), or None."""
        chain = self.root_chain(fid, concluded)
        return chain[-1] if chain else None

    def root_chain(self, fid: str, concluded: set[str]) -> list[str]:
        """The concluded roots of a finding, each the first concluded root of the one before."""
        chain: list[str] = []
        current = fid
        while True:
            roots = self.roots.get(current)
            if not roots:  # the usual: a finding that is nobody's symptom
                return chain
            nxt = next((r for r in roots if r in concluded and r != fid and r not in chain), None)
            if nxt is None:
                return chain
            chain.append(nxt)
            current = nxt

    def urgency(self, findings: list[Finding]) -> dict[str, str]:
        """The severity each finding is treated with: its own, raised to that of the findings it is
        a root of."""
        concluded = {f.id for f in findings}
        out = {f.id: f.severity for f in findings}
        for f in findings:
            for root in self.root_chain(f.id, concluded):
                out[root] = _max_severity(out[root], f.severity)
        return out


def _max_severity(a: str, b: str) -> str:
    return a if SEVERITY_RANK[a] >= SEVERITY_RANK[b] else b


def default_policy(rule_files: list, languages: tuple[str, ...]) -> Policy:
    """The policy of a knowledge base without policy.yaml: any high finding is danger, any medium is
    watch, and findings are treated in the order their rules are written."""
    order: list[str] = []
    for rf in rule_files:
        for rule in rf.rules:
            if rule.kind == "problem" and rule.then.finding not in order:
                order.append(rule.then.finding)
    meanings = {sev: LocalText({lang: sev for lang in languages}) for sev in SEVERITIES}
    return Policy(VerdictPolicy(Thresholds(high=1), Thresholds(medium=1)), SeverityMeanings(**meanings),
                  [Id(f) for f in order])


def build_policy(raw: Any, file: str, languages: tuple[str, ...], problems: list[Problem]) -> Policy | None:
    policy = build(Policy, raw, Context(file, languages, problems))
    if policy is not None:
        policy.file = file
        policy.line = getattr(raw, "line", None)
        policy.key_lines = dict(getattr(raw, "key_lines", {}))
        for key in ("order", "outcomes"):
            items = raw.get(key)
            for item, line in zip(items or [], getattr(items, "item_lines", [])):
                policy.entry_lines.setdefault((key, item), line)
        roots = raw.get("roots")
        for fid, line in getattr(roots, "key_lines", {}).items():
            policy.entry_lines[("roots", fid)] = line
    return policy


def check_policy(policy: Policy, findings: dict[str, Any], problems: list[Problem]) -> None:
    """Every finding has one place in the order; roots and outcomes name known findings; a root is
    treated before what it causes; roots do not go round in a circle."""

    def add(message: str, key: str, subject: str | None = None) -> None:
        line = policy.entry_lines.get((key, subject)) or policy.key_lines.get(key, policy.line)
        problems.append(Problem(message, policy.file, line, None, subject))

    for sev, need in (("high", policy.verdicts.danger.high), ("medium", policy.verdicts.danger.medium),
                      ("low", policy.verdicts.danger.low), ("high", policy.verdicts.watch.high),
                      ("medium", policy.verdicts.watch.medium), ("low", policy.verdicts.watch.low)):
        if need is not None and need < 1:
            add(t("policy.threshold", severity=sev, need=need), "verdicts")
    seen: set[str] = set()
    for fid in policy.order:
        if fid in seen:
            add(t("policy.listed_twice", finding=repr(fid)), "order", fid)
        seen.add(fid)
        if fid not in findings:
            add(t("policy.not_concluded", key="order", finding=repr(fid), hint=_near(fid, findings)), "order", fid)
    for fid in findings:
        if fid not in seen:
            add(t("policy.no_place", finding=repr(fid)), "order", fid)
    position = {fid: n for n, fid in enumerate(policy.order)}
    for fid, roots in policy.roots.items():
        for name in [fid, *roots]:
            if name not in findings:
                add(t("policy.not_concluded", key="roots", finding=repr(name), hint=_near(name, findings)), "roots", fid)
        for root in roots:
            if root in position and fid in position and position[root] > position[fid]:
                add(t("policy.root_after", root=repr(root), finding=repr(fid)), "roots", fid)
    for fid in policy.outcomes:
        if fid not in findings:
            add(t("policy.not_concluded", key="outcomes", finding=repr(fid), hint=_near(fid, findings)), "outcomes", fid)
    # a circle of roots would leave no finding to treat first
    state: dict[str, int] = {}

    def visit(fid: str, path: list[str]) -> None:
        if state.get(fid) == 2:
            return
        if state.get(fid) == 1:
            add(t("policy.roots_circle", cycle=" → ".join(path[path.index(fid):] + [fid])), "roots", fid)
            return
        state[fid] = 1
        for root in policy.roots.get(fid, []):
            visit(root, path + [fid])
        state[fid] = 2

    for fid in policy.roots:
        visit(fid, [])


def _near(word: str, candidates: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return t("answers.did_you_mean", name=close[0]) if close else ""
