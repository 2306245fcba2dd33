"""What a diagnosis produces: findings with their evidence and rule trail, and a verdict per self-check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from expert.rulebase import CROSS, SEVERITY_RANK

VERDICTS = ("healthy", "watch", "danger")


@dataclass
class Finding:
    """One conclusion of the rule base about one community."""

    id: str
    check: str
    severity: str
    priority: int
    rule: str  # the rule that concluded it first
    params: dict[str, Any]
    evidence: dict[str, Any]  # question id -> the answer the rule matched
    trail: list[str]  # rule ids, from the first rule of the chain to `rule`
    also: list[str] = field(default_factory=list)  # other rules that concluded the same finding

    @property
    def rank(self) -> tuple:
        return (-SEVERITY_RANK[self.severity], -self.priority, self.id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "check": self.check,
            "severity": self.severity,
            "priority": self.priority,
            "rule": self.rule,
            "params": self.params,
            "evidence": self.evidence,
            "trail": self.trail,
            **({"also_concluded_by": self.also} if self.also else {}),
        }


def verdict_of(findings: list[Finding]) -> str:
    """danger if any finding is high; watch if there is any other; healthy if none."""
    if any(f.severity == "high" for f in findings):
        return "danger"
    return "watch" if findings else "healthy"


@dataclass
class Diagnosis:
    findings: list[Finding]  # most urgent first
    checks: list[str]  # the self-checks in questionnaire order (without `cross`)
    metrics: dict[str, Any]

    def of_check(self, check: str) -> list[Finding]:
        return [f for f in self.findings if f.check == check]

    @property
    def verdicts(self) -> dict[str, str]:
        return {check: verdict_of(self.of_check(check)) for check in self.checks}

    @property
    def overall(self) -> str:
        return verdict_of(self.findings)

    @property
    def first(self) -> Finding | None:
        """The problem to treat first: the most severe, then the highest priority."""
        return self.findings[0] if self.findings else None

    @property
    def cross(self) -> list[Finding]:
        return self.of_check(CROSS)

    @property
    def ids(self) -> list[str]:
        return sorted(f.id for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.overall,
            "verdicts": self.verdicts,
            "treat_first": self.first.id if self.first else None,
            "findings": [f.as_dict() for f in self.findings],
            "metrics": self.metrics,
        }
