"""What a diagnosis produces: findings with their evidence and rule trail, and a verdict per self-check."""

from __future__ import annotations

from dataclasses import field
from typing import Any

from expert.policy import VERDICTS, Policy
from expert.records import record
from expert.rulebase import CROSS


@record
class Finding:
    """One conclusion of the rule base about one community."""

    id: str
    check: str
    severity: str | None  # None for a watch or a strength
    priority: int
    rule: str  # the rule that concluded it first
    params: dict[str, Any]
    evidence: dict[str, Any]  # question id -> the answer the rule matched
    trail: list[str]  # rule ids, from the first rule of the chain to `rule`
    also: list[str] = field(default_factory=list)  # other rules that concluded the same finding
    kind: str = "problem"  # or "watch", "strength": notes that never change a verdict

    def as_dict(self) -> dict[str, Any]:
        found = {"id": self.id, "check": self.check, "severity": self.severity, "priority": self.priority,
                 "rule": self.rule, "params": self.params, "evidence": self.evidence, "trail": self.trail}
        if self.also:
            found["also_concluded_by"] = self.also
        if self.kind != "problem":
            found["kind"] = self.kind
        return found


@record
class Diagnosis:
    """One case's findings and notes, the self-checks they belong to, its metrics and, once prescribed, its plan."""

    findings: list[Finding]  # in the order of treatment: the most urgent first, roots before symptoms
    checks: list[str]  # the self-checks in questionnaire order (without `cross`)
    metrics: dict[str, Any]
    policy: Policy
    notes: list[Finding] = field(default_factory=list)  # watches and strengths, in rule order (rule_order)
    plan: Any = None  # the treatment plan (expert/plan.py), set by Checkup.diagnose
    # the verdicts, judged once for these very findings: the document, results and summary each ask for them
    _judged: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.findings, self.treatment = self.policy.triage(self.findings)

    def of_check(self, check: str) -> list[Finding]:
        return [f for f in self.findings if f.check == check]

    def notes_of(self, check: str, kind: str) -> list[Finding]:
        return [f for f in self.notes if f.check == check and f.kind == kind]

    @property
    def verdicts(self) -> dict[str, str]:
        judged = self._judged
        if (judged is None or len(judged[0]) != len(self.findings)
                or any(a is not b for a, b in zip(judged[0], self.findings))):
            judged = self._judged = (tuple(self.findings), self._judge())  # held: no other finding takes an id
        return dict(judged[1])

    def _judge(self) -> dict[str, str]:
        """Each check's verdict, from its findings (`of_check`), grouped in one pass over them."""
        groups: dict[str, list[Finding]] = {check: [] for check in self.checks}
        for f in self.findings:
            group = groups.get(f.check)
            if group is not None:
                group.append(f)
        verdict = self.policy.verdict
        return {check: verdict(group) for check, group in groups.items()}

    @property
    def overall(self) -> str:
        """The worst of the checks' verdicts, and of the combined findings' (a group going cold)."""
        return self._worst(self.verdicts)

    def _worst(self, verdicts: dict[str, str]) -> str:
        return max([*verdicts.values(), self.policy.verdict(self.cross)], key=VERDICTS.index)

    @property
    def first(self) -> Finding | None:
        """The problem to treat first (policy.yaml: urgency, then root before symptom); None when
        there is nothing to treat, only advice or outcomes."""
        return self.treatment[0] if self.treatment else None

    def is_advice(self, finding: Finding) -> bool:
        """A finding that does not, alone, change its check's verdict: shown as a note."""
        return not self.policy.counts_toward_verdict(finding.severity)

    @property
    def cross(self) -> list[Finding]:
        return self.of_check(CROSS)

    @property
    def ids(self) -> list[str]:
        return sorted(f.id for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        verdicts = self.verdicts
        first = self.first
        return {
            "verdict": self._worst(verdicts),
            "verdicts": verdicts,
            "treat_first": first.id if first else None,
            "treatment_order": [f.id for f in self.treatment],
            "findings": [f.as_dict() for f in self.findings],
            "notes": [f.as_dict() for f in self.notes],
            "metrics": self.metrics,
        }
