"""The knowledge-base verifier behind `shequn check`: load everything, then prove it on the golden cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from expert.errors import AnswersError, KnowledgeBaseError, Problem
from expert.knowledge import KnowledgeBase, display_path, load_knowledge_base
from expert.messages import t


@dataclass
class CheckReport:
    kb: KnowledgeBase | None
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False
    cases: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


def check_knowledge_base(kb_dir: str | Path | None = None) -> CheckReport:
    """Every problem of a knowledge base: loading, texts, templates, and its golden cases."""
    try:
        kb = load_knowledge_base(kb_dir)
    except KnowledgeBaseError as exc:
        problems = exc.problems or [Problem(exc.message)]
        return CheckReport(None, problems, getattr(exc, "unreadable", False))
    report = CheckReport(kb, list(kb.warnings))
    report.problems += _text_problems(kb)
    if report.errors:
        return report
    report.problems += _golden_problems(kb, report)
    return report


def _text_problems(kb: KnowledgeBase) -> list[Problem]:
    """Jinja syntax of the templates and of every finding text."""
    from expert.render import check_template_syntax, check_text_syntax

    problems = []
    for path in kb.templates.values():
        problem = check_template_syntax(path)
        if problem:
            problems.append(problem)
    for finding in kb.rules.findings.values():
        text = finding.text
        sources = [("diagnosis", lang, s) for lang, s in text.diagnosis.items()]
        sources += [("prescription", lang, s) for lang, steps in text.prescription.items() for s in steps]
        for part, lang, source in sources:
            message = check_text_syntax(source)
            if message:
                problems.append(Problem(f"{part}.{lang}: Jinja syntax error: {message}", finding.file,
                                        text.line, None, finding.id))
    return problems


def _golden_problems(kb: KnowledgeBase, report: CheckReport) -> list[Problem]:
    """Run every example that states its expected findings, and render it in every language."""
    from expert.checkup import Checkup

    checkup = Checkup(kb)
    problems = []
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
        if answers.expect is None:
            continue
        report.cases += 1
        got, want = set(diagnosis.ids), set(answers.expect)
        unknown = want - set(kb.rules.findings)
        if unknown:
            problems.append(Problem(f"expect names unknown findings: {', '.join(sorted(unknown))}", name))
        if got != want:
            problems.append(Problem(t("cli.golden_mismatch", extra=_ids(got - want), missing=_ids(want - got)),
                                    name))
    return problems


def _ids(ids: set[str]) -> str:
    return ", ".join(sorted(ids)) or "—"
