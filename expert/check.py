"""The knowledge-base verifier behind `shequn check`: load everything, analyse it, prove it on the
golden cases, and report errors and warnings with file:line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from expert.errors import AnswersError, KnowledgeBaseError, Problem
from expert.knowledge import KnowledgeBase, display_path, load_knowledge_base
from expert.messages import t


@dataclass
class Agreement:
    """How far the rule base agrees with its golden cases: per check verdict, first problem, findings."""

    verdicts: int = 0
    verdicts_of: int = 0
    first: int = 0
    first_of: int = 0
    findings: int = 0
    findings_of: int = 0

    def as_dict(self) -> dict:
        return {"verdicts": {"agree": self.verdicts, "of": self.verdicts_of},
                "first_problem": {"agree": self.first, "of": self.first_of},
                "findings": {"agree": self.findings, "of": self.findings_of}}


@dataclass
class CheckReport:
    kb: KnowledgeBase | None
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False
    cases: int = 0
    agreement: Agreement = field(default_factory=Agreement)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    def exit_code(self, strict: bool = False) -> int:
        """0 clean, 1 problems found (warnings count under --strict), 2 unreadable."""
        if self.unreadable:
            return 2
        return 1 if self.errors or (strict and self.warnings) else 0

    def as_dict(self) -> dict:
        return {
            "knowledge_base": self.kb.name if self.kb else None,
            "golden_cases": self.cases,
            "agreement": self.agreement.as_dict(),
            "errors": [_problem_dict(p) for p in self.errors],
            "warnings": [_problem_dict(p) for p in self.warnings],
        }


def _problem_dict(p: Problem) -> dict:
    return {"file": p.file, "line": p.line, "column": p.column, "id": p.subject, "message": p.message}


def check_knowledge_base(kb_dir: str | Path | None = None) -> CheckReport:
    """Every problem of a knowledge base: loading, analysis, texts, templates, golden cases, coverage."""
    try:
        kb = load_knowledge_base(kb_dir, cache=False)  # the verifier reads every file itself
    except KnowledgeBaseError as exc:
        problems = exc.problems or [Problem(exc.message)]
        return CheckReport(None, problems, exc.unreadable)
    from expert.analysis import Analyser
    from expert.render import CONTEXT_KEYS

    report = CheckReport(kb, list(kb.warnings))
    analyser = Analyser(kb)
    report.problems += _syntax_problems(kb)
    report.problems += analyser.rule_problems()
    report.problems += analyser.text_problems(set(CONTEXT_KEYS))
    report.problems += analyser.group_problems()
    report.problems += analyser.unused_questions()
    if report.errors:
        return report
    report.problems += _golden_problems(kb, report)
    return report


def _syntax_problems(kb: KnowledgeBase) -> list[Problem]:
    """Jinja syntax of the templates, of every finding text and of every action text."""
    from expert.render import check_template_syntax, check_text_syntax

    problems = []
    for path in kb.templates.values():
        problem = check_template_syntax(path)
        if problem:
            problems.append(problem)
    for finding in kb.rules.findings.values():
        text = finding.text
        for lang, source in text.diagnosis.items():
            message = check_text_syntax(source)
            if message:
                problems.append(Problem(f"diagnosis.{lang}: Jinja syntax error: {message}", finding.file,
                                        text.line_of("diagnosis"), None, finding.id))
    for action in kb.actions.actions.values():
        for where, local, line in action.texts():
            for lang, source in local.items():
                message = check_text_syntax(source)
                if message:
                    problems.append(Problem(f"{where}.{lang}: Jinja syntax error: {message}", action.file, line,
                                            None, action.id))
    return problems


def _golden_problems(kb: KnowledgeBase, report: CheckReport) -> list[Problem]:
    """Run every example, render it in every language, compare it with its expected findings, and
    list the rules that no example makes fire or keeps silent."""
    from expert.checkup import Checkup

    checkup = Checkup(kb)
    problems = []
    fired: dict[str, int] = {r.id: 0 for r in kb.rules.rules}
    for path in kb.examples:
        name = display_path(path)
        try:
            answers = checkup.read(path, name)
        except AnswersError as exc:
            problems += exc.problems or [Problem(exc.message, name)]
            continue
        try:
            diagnosis = checkup.diagnose(answers)
            for lang in kb.languages:  # a text that cannot render is found here, not by an operator
                checkup.renderer.markdown(answers, diagnosis, lang)
        except KnowledgeBaseError as exc:
            problems += exc.problems or [Problem(exc.message, name)]
            continue
        problems += plan_problems(diagnosis, name)
        if answers.expect is None:
            continue
        report.cases += 1
        for finding in [*diagnosis.findings, *diagnosis.notes]:
            for rule in [finding.rule, *finding.also]:
                fired[rule] += 1
        problems += _compare(kb, name, answers.expect, diagnosis, report.agreement)
    for rule in kb.rules.rules:
        if fired[rule.id] == 0:
            problems.append(Problem("no golden case makes this rule fire; add an example that shows it",
                                    rule.file, rule.line, None, rule.id, "warning"))
        elif report.cases and fired[rule.id] == report.cases:
            problems.append(Problem("every golden case makes this rule fire; add an example where it stays "
                                    "silent", rule.file, rule.line, None, rule.id, "warning"))
    return problems


def plan_problems(diagnosis, where: str) -> list[Problem]:
    """What a plan must be, case by case: every problem treated by a step, the first step treating the
    first problem, at most three steps this week."""
    from expert.plan import WEEK_LIMIT

    plan = diagnosis.plan
    problems = []
    if plan.untreated:
        problems.append(Problem(f"no step of the plan treats {', '.join(plan.untreated)}: give the finding an "
                                "action whose condition holds here", where))
    first = diagnosis.first
    if first is not None and plan.steps and first.id not in plan.steps[0].treats:
        problems.append(Problem(f"the plan's first step ({plan.steps[0].action}) does not treat the first problem "
                                f"({first.id}); an action it comes after is in the way", where))
    if len(plan.phase("week")) > WEEK_LIMIT:
        problems.append(Problem(f"the plan has {len(plan.phase('week'))} steps this week, more than {WEEK_LIMIT}",
                                where))
    return problems


def _compare(kb: KnowledgeBase, name: str, expect, diagnosis, agreement: Agreement) -> list[Problem]:
    """A golden case against its diagnosis; every disagreement is a problem that names the case."""
    problems = []
    known = set(kb.rules.findings)
    named = set(expect.findings or []) | ({expect.first} if expect.first else set())
    unknown = named - known
    if unknown:
        problems.append(Problem(f"expect names unknown findings: {', '.join(sorted(unknown))}", name))
    if expect.verdicts is not None:
        checks = list(diagnosis.verdicts)
        stray = sorted(set(expect.verdicts) - set(checks))
        if stray:
            problems.append(Problem(f"expect.verdicts names unknown self-checks: {', '.join(stray)} "
                                    f"(the checks are {', '.join(checks)})", name))
        for check in checks:
            agreement.verdicts_of += 1
            want, got = expect.verdicts.get(check), diagnosis.verdicts[check]
            if want == got:
                agreement.verdicts += 1
                continue
            why = "; ".join(f"{f.id} ({f.severity})" for f in diagnosis.of_check(check)) or "no findings"
            problems.append(Problem(t("cli.golden_verdict", check=check, want=want or "—", got=got, why=why), name))
    if expect.has_first:
        agreement.first_of += 1
        got = diagnosis.first.id if diagnosis.first else None
        if got == expect.first:
            agreement.first += 1
        else:
            problems.append(Problem(t("cli.golden_first", want=expect.first or "—", got=got or "—"), name))
    if expect.findings is not None:
        agreement.findings_of += 1
        got, want = set(diagnosis.ids), set(expect.findings)
        if got == want:
            agreement.findings += 1
        else:
            problems.append(Problem(t("cli.golden_mismatch", extra=_ids(got - want), missing=_ids(want - got)),
                                    name))
    return problems


def _ids(ids: set[str]) -> str:
    return ", ".join(sorted(ids)) or "—"
