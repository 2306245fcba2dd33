"""The knowledge-base verifier behind `shequn check`: load everything, analyse it, prove it on the
golden cases (their verdicts, first problem, findings and plan), render every template, finding text
and action text at least once, and report errors and warnings with file:line.

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
    from expert.checkup import Checkup

    checkup = Checkup(kb)
    rendered = _Rendered()
    report.problems += _golden_problems(checkup, report, rendered)
    report.problems += _sampled_problems(checkup, rendered)
    report.problems += _followup_problems(checkup, rendered)
    return report


def _followup_problems(checkup, rendered: _Rendered) -> list[Problem]:
    """Render the templates' follow-up section (`--since`), which no single case reaches: the second
    golden case as a follow-up of the first, in every language."""
    from expert.followup import compare, current, earlier

    cases = []
    for path in checkup.kb.examples:
        try:
            cases.append(checkup.read(path, display_path(path)))
        except AnswersError:
            continue  # reported with the golden cases
        if len(cases) == 2:
            break
    if not cases:
        return []
    before, after = cases[0], cases[-1]
    since = earlier(before)
    since.diagnosis = checkup.diagnose(before)
    diagnosis = checkup.diagnose(after)
    since.dated_by = "unknown"  # whatever the two cases' dates, this is a rendering, not a follow-up
    followup = compare(since, current(after, diagnosis))
    problems = []
    try:
        for lang in checkup.kb.languages:
            checkup.renderer.markdown(after, diagnosis, lang, followup)
    except KnowledgeBaseError as exc:
        for problem in exc.problems or [Problem(exc.message)]:
            if str(problem) not in rendered.problems:
                rendered.problems.add(str(problem))
                problems.append(problem)
    return problems


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
                problems.append(Problem(t("check.jinja_syntax", where=f"diagnosis.{lang}", reason=message), finding.file,
                                        text.line_of("diagnosis"), None, finding.id))
    for action in kb.actions.actions.values():
        for where, local, line in action.texts():
            for lang, source in local.items():
                message = check_text_syntax(source)
                if message:
                    problems.append(Problem(t("check.jinja_syntax", where=f"{where}.{lang}", reason=message), action.file, line,
                                            None, action.id))
    return problems


@dataclass
class _Rendered:
    """What has been rendered so far: the templates (at all) and the findings whose texts were."""

    templates: bool = False
    findings: set[str] = field(default_factory=set)
    texts: set[tuple[str, int]] = field(default_factory=set)  # (action, variant) whose text was rendered
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
        self.findings.update(f.id for f in diagnosis.notes)
        if diagnosis.plan is not None:
            self.texts.update((s.action, s.variant) for s in diagnosis.plan.steps)
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
        for finding in [*diagnosis.findings, *diagnosis.notes]:
            for rule in [finding.rule, *finding.also]:
                fired[rule] += 1
        problems += plan_problems(diagnosis, name)
        problems += _compare(kb, name, answers.expect, diagnosis, report.agreement)
    for rule in kb.rules.rules:
        if fired[rule.id] == 0:
            problems.append(Problem(t("check.never_fires"), rule.file, rule.line, None, rule.id, "warning"))
        elif report.cases and fired[rule.id] == report.cases:
            problems.append(Problem(t("check.always_fires"), rule.file, rule.line, None, rule.id, "warning"))
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
    every_text = {(a.id, n) for a in kb.actions.actions.values() for n in range(len(a.variants) + 1)}
    for _ in range(SAMPLES):
        if rendered.templates and rendered.findings >= set(kb.rules.findings) and rendered.texts >= every_text:
            return problems
        try:
            answers = validate_answers({"answers": random_answers(kb.questionnaire, rng)}, kb.questionnaire,
                                       "sampled answers")
        except AnswersError:
            continue
        drawn.append(answers)
        diagnosis = checkup.diagnose(answers)
        steps = {(s.action, s.variant) for s in diagnosis.plan.steps}
        if not rendered.templates or set(diagnosis.ids) - rendered.findings or steps - rendered.texts:
            problems += rendered.render(checkup, answers, diagnosis)
    if not drawn:
        return problems
    problems += _render_missing_texts(checkup, rendered, drawn, every_text)
    missing = [kb.rules.findings[fid] for fid in kb.rules.findings if fid not in rendered.findings]
    if not missing:
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
                          params(rule, best.values), {}, [rule.id], [], definition.kind)
        problem, note = ([finding], []) if definition.kind == "problem" else ([], [finding])
        diagnosis = Diagnosis(problem, checks, {}, kb.rules.policy, note)
        diagnosis.plan = checkup.prescriber.prescribe(best, diagnosis)
        problems += rendered.render(checkup, best, diagnosis)
    return problems


def _render_missing_texts(checkup, rendered: _Rendered, drawn: list, every_text: set) -> list[Problem]:
    """Render every action text (and variant) that no plan reached, as a step of its own, with the drawn
    answers that give most of its params a value."""
    from expert.plan import Step

    kb = checkup.kb
    problems: list[Problem] = []
    missing = sorted(every_text - rendered.texts)
    cases = [(answers, checkup.diagnose(answers)) for answers in drawn[:40]] if missing else []
    for aid, variant in missing:
        action = kb.actions.actions[aid]
        best, best_params, best_diagnosis = None, {}, None
        for answers, diagnosis in cases:
            params = checkup.prescriber.params(aid, {**answers.values, **diagnosis.metrics})
            if best is None or sum(v is not None for v in params.values()) > sum(
                    v is not None for v in best_params.values()):
                best, best_params, best_diagnosis = answers, params, diagnosis
        step = Step(0, aid, action.phase, [], variant, best_params)
        for lang in kb.languages:
            try:
                checkup.renderer.builder.step_text(step, best, best_diagnosis, lang)
            except KnowledgeBaseError as exc:
                for problem in exc.problems or [Problem(exc.message)]:
                    if str(problem) not in rendered.problems:
                        rendered.problems.add(str(problem))
                        problems.append(problem)
        rendered.texts.add((aid, variant))
    return problems


def plan_problems(diagnosis, where: str) -> list[Problem]:
    """What a plan must be, case by case: every problem treated by a step, the first step treating the
    first problem, at most three steps this week."""
    from expert.plan import WEEK_LIMIT

    plan = diagnosis.plan
    problems = []
    if plan.untreated:
        problems.append(Problem(t("check.untreated", findings=", ".join(plan.untreated)), where))
    first = diagnosis.first
    if first is not None and plan.steps and first.id not in plan.steps[0].treats:
        problems.append(Problem(t("check.first_step", action=plan.steps[0].action, first=first.id), where))
    if len(plan.phase("week")) > WEEK_LIMIT:
        problems.append(Problem(t("check.week_too_full", n=len(plan.phase("week")), limit=WEEK_LIMIT), where))
    return problems


def _compare(kb: KnowledgeBase, name: str, expect, diagnosis, agreement: Agreement) -> list[Problem]:
    """A golden case against its diagnosis; every disagreement is a problem that names the case."""
    problems = []
    known = set(kb.rules.findings)
    named = set(expect.findings or []) | ({expect.first} if expect.first else set())
    unknown = named - known
    if unknown:
        problems.append(Problem(t("check.unknown_expected", findings=", ".join(sorted(unknown))), name))
    if expect.verdicts is not None:
        checks = list(diagnosis.verdicts)
        stray = sorted(set(expect.verdicts) - set(checks))
        if stray:
            problems.append(Problem(t("check.unknown_checks", stray=", ".join(stray), checks=", ".join(checks)), name))
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
