"""The knowledge-base verifier behind `shequn check`: load everything, analyse it, prove it on the
golden cases, render every template and finding text at least once, and report errors and warnings
with file:line.

Golden cases render what they reach; answers drawn from the questionnaire (expert/sampling.py) render
the rest, so a template or text that would fail, or break the limits of rendering, is found by the
author even in a knowledge base without a single example, not by an operator.
"""

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

    def exit_code(self, strict: bool = False) -> int:
        """0 clean, 1 problems found (warnings count under --strict), 2 unreadable."""
        if self.unreadable:
            return 2
        return 1 if self.errors or (strict and self.warnings) else 0

    def as_dict(self) -> dict:
        return {
            "knowledge_base": self.kb.name if self.kb else None,
            "golden_cases": self.cases,
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
    report.problems += analyser.unused_questions()
    if report.errors:
        return report
    from expert.checkup import Checkup

    checkup = Checkup(kb)
    rendered = _Rendered()
    report.problems += _golden_problems(checkup, report, rendered)
    report.problems += _sampled_problems(checkup, rendered)
    return report


def _syntax_problems(kb: KnowledgeBase) -> list[Problem]:
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
                                        text.line_of(part), None, finding.id))
    return problems


@dataclass
class _Rendered:
    """What has been rendered so far: the templates (at all) and the findings whose texts were."""

    templates: bool = False
    findings: set[str] = field(default_factory=set)
    problems: set[str] = field(default_factory=set)  # each reported once, however often it recurs

    def render(self, checkup, answers, diagnosis, name: str | None = None) -> list[Problem]:
        """Render in every language; the problems not reported before (a text fails for every case)."""
        found = []
        try:
            for lang in checkup.kb.languages:
                checkup.renderer.markdown(answers, diagnosis, lang)
        except KnowledgeBaseError as exc:
            for problem in exc.problems or [Problem(exc.message, name)]:
                if str(problem) not in self.problems:
                    self.problems.add(str(problem))
                    found.append(problem)
        self.templates = True
        self.findings.update(diagnosis.ids)
        return found


def _golden_problems(checkup, report: CheckReport, rendered: _Rendered) -> list[Problem]:
    """Run every example, render it in every language, compare it with its expected findings, and
    list the rules that no example makes fire or keeps silent."""
    kb = checkup.kb
    problems = []
    fired: dict[str, int] = {r.id: 0 for r in kb.rules.rules}
    for path in kb.examples:
        name = display_path(path)
        try:
            answers = checkup.read(path, name)
        except AnswersError as exc:
            problems += exc.problems or [Problem(exc.message, name)]
            continue
        diagnosis = checkup.diagnose(answers)
        failed = rendered.render(checkup, answers, diagnosis, name)  # found here, not by an operator
        if failed:
            problems += failed
            continue
        if answers.expect is None:
            continue
        report.cases += 1
        for finding in diagnosis.findings:
            for rule in [finding.rule, *finding.also]:
                fired[rule] += 1
        got, want = set(diagnosis.ids), set(answers.expect)
        unknown = want - set(kb.rules.findings)
        if unknown:
            problems.append(Problem(f"expect names unknown findings: {', '.join(sorted(unknown))}", name))
        if got != want:
            problems.append(Problem(t("cli.golden_mismatch", extra=_ids(got - want), missing=_ids(want - got)),
                                    name))
    for rule in kb.rules.rules:
        if fired[rule.id] == 0:
            problems.append(Problem("no golden case makes this rule fire; add an example that shows it",
                                    rule.file, rule.line, None, rule.id, "warning"))
        elif report.cases and fired[rule.id] == report.cases:
            problems.append(Problem("every golden case makes this rule fire; add an example where it stays "
                                    "silent", rule.file, rule.line, None, rule.id, "warning"))
    return problems


SAMPLES = 200  # answer sets drawn at most; drawing stops once every finding has been rendered
SEED = 20261124  # the same answers every time: a check that passes, passes again


def _sampled_problems(checkup, rendered: _Rendered) -> list[Problem]:
    """Render, with answers drawn from the questionnaire, every template and finding text that no
    golden case rendered; a finding that no drawn answers make fire is rendered in a diagnosis of
    its own, with parameters computed from the answers that give most of them a value."""
    import random

    from expert import conditions as c
    from expert.answers import validate_answers
    from expert.findings import Diagnosis, Finding
    from expert.sampling import random_answers

    kb = checkup.kb
    rng = random.Random(SEED)
    problems: list[Problem] = []
    drawn = []
    for _ in range(SAMPLES):
        if rendered.templates and rendered.findings >= set(kb.rules.findings):
            return problems
        try:
            answers = validate_answers({"answers": random_answers(kb.questionnaire, rng)}, kb.questionnaire,
                                       "sampled answers")
        except AnswersError:
            continue
        drawn.append(answers)
        diagnosis = checkup.diagnose(answers)
        if not rendered.templates or set(diagnosis.ids) - rendered.findings:
            problems += rendered.render(checkup, answers, diagnosis)
    missing = [kb.rules.findings[fid] for fid in kb.rules.findings if fid not in rendered.findings]
    if not missing or not drawn:
        return problems

    def params(rule, values) -> dict:
        out = {}
        for name, node in rule.param_nodes.items():
            value = c.evaluate(node, values)
            out[name] = None if value is c.UNKNOWN else value
        return out

    checks = [s.check for s in kb.questionnaire.checks]
    for definition in missing:
        rule = kb.rules.rule(definition.rules[0])
        best = max(drawn, key=lambda a: sum(v is not None for v in params(rule, a.values).values()))
        finding = Finding(definition.id, definition.check, definition.severity, rule.priority, rule.id,
                          params(rule, best.values), {}, [rule.id])
        problems += rendered.render(checkup, best, Diagnosis([finding], checks, {}))
    return problems


def _ids(ids: set[str]) -> str:
    return ", ".join(sorted(ids)) or "—"
