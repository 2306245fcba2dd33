"""What a prescription says, computed before any template sees it: every text rendered with this
community's numbers, the plan's steps with the findings they treat, and each check's verdict with its
symptoms, diagnosis, advice, strengths and things to watch. Templates only lay it out.

Finding and action texts are Jinja strings from the knowledge base; they are rendered here through
`render.render_text` (the sandbox) with the answers, the metrics, the params and the plan's dates.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any, Callable, Iterable

from jinja2 import TemplateRuntimeError

from expert.answers import Answers
from expert.findings import Diagnosis, Finding
from expert.knowledge import KnowledgeBase
from expert.messages import t
from expert.policy import VERDICTS
from expert.numbers import unit_spacing
from expert.questionnaire import Question
from expert.rulebase import CROSS
from expert.sandbox import plain_function

NUMERALS = "一二三四五六七八九十"
PHASE_DATE = {"week": "week_end", "month": "month_end", "later": None}
# the plan's dates a text may read, as written in the report, and a step's own deadline
DATE_VARIABLES = frozenset({*filter(None, PHASE_DATE.values()), "next_checkup", "deadline"})
TEXT_FUNCTIONS = ("label", "choice_label", "plural")  # what every text may call (ReportBuilder.text_variables)
# a question's own remark in brackets at its end: (tick all that apply), （1 = …，5 = …）
_TRAILING_REMARK = re.compile(r"\s*[（(][^（()）]*[)）]\s*$")


def format_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


KEPT = 2_000  # renderings a ReportBuilder memory keeps: numbers vary from document to document


def _remembered(memory: dict, key: Any, text: str) -> str:
    """`text`, kept in `memory` under `key` for the next document, unless the key cannot be one (an
    answer holding a list: said afresh each time); in a long batch the memory is emptied when full."""
    try:
        hash(key)
    except TypeError:
        return text
    if len(memory) > KEPT:
        memory.clear()
    memory[key] = text
    return text


def _singular(unit: str) -> str:
    """An English unit for one: 'hours a week' -> 'hour a week', 'people' -> 'person'."""
    first, _, rest = unit.partition(" ")
    if first == "people":
        first = "person"
    elif first.endswith("s") and not first.endswith("ss"):
        first = first[:-1]
    return f"{first} {rest}".strip()


@plain_function
def plural(value: Any, singular: str, plural_form: str | None = None) -> str:
    """English: '1 hour', '2.5 hours', '3 people'. A number and its noun, agreeing."""
    noun = singular if value == 1 else (plural_form or singular + "s")
    return f"{format_number(value)} {noun}"


def format_date(day: dt.date, lang: str, since: dt.date | None = None) -> str:
    """A deadline as people write it: 12月1日 / 1 December, with the year when it is not the checkup's."""
    same_year = since is not None and since.year == day.year
    if lang == "zh":
        return f"{day.month}月{day.day}日" if same_year else f"{day.year}年{day.month}月{day.day}日"
    month = day.strftime("%B")
    return f"{day.day} {month}" if same_year else f"{day.day} {month} {day.year}"


def format_answer(question: Question, value: Any, lang: str) -> str:
    """An answer as it reads inside a sentence: a choice's label, 是/否, a number with its unit; ticked
    options each in quotes, so a label that itself holds 、 or a comma cannot be misread."""
    if value is None:
        return t("answer.none", lang)
    if question.type == "single":
        return question.choice_label(value, lang)
    if question.type == "multiple":
        if not value:
            return t("answer.none_ticked", lang)
        labels = [t("answer.quoted", lang, text=question.choice_label(v, lang)) for v in value]
        return join_list(labels, lang)
    if question.type == "yesno":
        return t("answer.yes" if value else "answer.no", lang)
    if question.type == "scale":
        label = question.labels.get(value) if question.labels else None
        text = f"{value} / 5"
        return t("answer.scale_label", lang, value=text, label=label.get_text(lang)) if label else text
    if question.type in ("integer", "number"):
        unit = question.unit.get_text(lang) if question.unit else ""
        text = format_number(value)
        if lang == "en":
            return f"{text} {_singular(unit) if value == 1 else unit}".strip()
        return f"{text}{unit_spacing(unit)}{unit}"
    return str(value)


def symptom_answer(question: Question, value: Any, lang: str) -> str:
    """An answer shown as a symptom: a chosen option in quotes, the rest as they are."""
    text = format_answer(question, value, lang)
    if question.type == "single" and value is not None:
        return t("answer.quoted", lang, text=text)
    return text


def join_list(items: list[str], lang: str) -> str:
    """1、2、3 / 1, 2 and 3."""
    if lang == "en" and len(items) > 1:
        return ", ".join(items[:-1]) + " and " + items[-1]
    return t("answer.list_sep_plain", lang).join(items)


def question_as_asked(question: Question, lang: str) -> str:
    """The question without its own bracketed remark, which means nothing beside the answer."""
    return _as_asked(question.text_in(lang))


@lru_cache(maxsize=4096)  # the same few questions in every document
def _as_asked(text: str) -> str:
    return _TRAILING_REMARK.sub("", text)


def question_and_answer(question: Question, value: Any, lang: str) -> str:
    """'群里现在有多少人？480人' / 'How many members...? 480 members': a question, then its answer."""
    asked = question_as_asked(question, lang)
    answer = symptom_answer(question, value, lang)
    if asked.endswith(("？", "?", "：", ":")):
        return f"{asked}{' ' if lang == 'en' else ''}{answer}"
    return f"{asked}{'：' if lang != 'en' else ': '}{answer}"


class _Wording:
    """What a prescription in one language says whatever the case, looked up once per knowledge base and
    language: titles, labels, the self-checks with their numerals, and where each text comes from. What
    depends on a case's numbers or dates is filled in as cases bring it, in small tables."""

    def __init__(self, kb: KnowledgeBase, lang: str):
        q = kb.questionnaire
        self.kb, self.lang = kb, lang
        self.sep = t("answer.titles_sep", lang)
        self.list_sep = t("answer.list_sep_plain", lang)
        self.none = t("answer.none", lang)
        self.unnamed = t("answer.unnamed", lang)
        self.title = q.title.get_text(lang)
        self.cross_title = t("batch.cross", lang)
        self.titles = {fid: finding.text.title.get_text(lang) for fid, finding in kb.rules.findings.items()}
        self.sections = [(section.check, number, NUMERALS[number - 1] if number <= len(NUMERALS) else str(number),
                          section.title.get_text(lang)) for number, section in enumerate(q.checks, start=1)]
        self.section_titles: dict[str, str] = {}
        for check, _, _, title in self.sections:
            self.section_titles.setdefault(check, title)  # the first section of a check, as `next` found it
        self.metrics = [(metric.id, metric.label.get_text(lang), metric.unit.get_text(lang) if metric.unit else "")
                        for metric in kb.rules.metrics]
        self.opening = list(q.sections[0].questions) if q.sections and not q.sections[0].check else None
        # what is worked out once and then looked up: from a few values (severities, verdicts, findings,
        # actions, counts), or, for dates, as many as a long batch of checkup days brings, the oldest dropped
        self.severity_label = lru_cache(maxsize=None)(self._severity_label)
        self.verdict_label = lru_cache(maxsize=None)(self._verdict_label)
        self.mark = lru_cache(maxsize=None)(self._mark)
        self.tally = lru_cache(maxsize=None)(self._tally)
        self.diagnosis_of = lru_cache(maxsize=None)(self._diagnosis_of)
        self.step_text_of = lru_cache(maxsize=None)(self._step_text_of)
        self.date = lru_cache(maxsize=1024)(self._date)
        self._phase_title = lru_cache(maxsize=1024)(self._phase_title_of)

    def join(self, items: list[str]) -> str:
        """join_list in this language, its separator looked up once."""
        if self.lang == "en" and len(items) > 1:
            return join_list(items, "en")
        return self.list_sep.join(items)

    def _severity_label(self, severity: Any) -> str:
        return t(f"severity.{severity}", self.lang) if severity else ""

    def _verdict_label(self, verdict: str) -> str:
        return t(f"verdict.{verdict}", self.lang)

    def _mark(self, message: str, fid: str) -> str:
        """A finding's title marked as advice or as the one to treat first."""
        return t(message, self.lang, title=self.titles[fid])

    def _date(self, day: dt.date, since: dt.date | None) -> str:
        return format_date(day, self.lang, since)

    def _tally(self, treat: int, advice: int) -> str:
        key = ("report.tally" if treat and advice else "report.tally_treat" if treat
               else "report.tally_advice" if advice else "report.nothing")
        return t(key, self.lang, treat=treat, advice=advice)

    def phase_title(self, phase: str, dates: dict[str, dt.date]) -> str:
        date_key = PHASE_DATE[phase]
        return self._phase_title(phase, dates[date_key] if date_key else None, dates["checkup"] if date_key else None)

    def _phase_title_of(self, phase: str, day: dt.date | None, checkup: dt.date | None) -> str:
        return t(f"plan.{phase}", self.lang, date=self.date(day, checkup) if day is not None else "")

    def _diagnosis_of(self, fid: str) -> tuple[str, tuple]:
        """A finding's diagnosis text in this language, and its (file, line, id, part) for a problem."""
        definition = self.kb.rules.findings[fid]
        text = definition.text
        return (text.diagnosis.get_text(self.lang),
                (definition.file, text.line_of("diagnosis"), fid, f"diagnosis.{self.lang}"))

    def _step_text_of(self, aid: str, variant: int) -> tuple[str, tuple]:
        """An action's text (or its variant's) in this language, and where it is written."""
        action = self.kb.actions.actions[aid]
        text = action.text if variant == 0 else action.variants[variant - 1].text
        part = "text" if variant == 0 else f"variants[{variant}].text"
        line = action.key_lines.get("text", action.line) if variant == 0 else action.variants[variant - 1].line
        return text.get_text(self.lang), (action.file, line, action.id, f"{part}.{self.lang}")

class ReportBuilder:
    """The content of one community's prescription, in one language."""

    def __init__(self, kb: KnowledgeBase, render_text: Callable[[str, tuple, tuple, dict], str],
                 text_globals: dict[str, Any] | None = None):
        self.kb = kb
        self.questionnaire = kb.questionnaire
        self.render_text = render_text
        self.text_globals = text_globals or {}  # what Jinja would add to every text's variables
        self._said: dict[tuple, str] = {}  # question_and_answer's line of a (question, answer, language)
        self._labels: dict[tuple, str] = {}  # format_answer's text of a (question, answer, language): label()
        self._numbers: dict[tuple[str, str], tuple[str, str, str, str]] = {}  # (question, language) -> _number_line
        self._wordings: dict[str, _Wording] = {}
        self._verdicts: dict[tuple, str] = {}  # the policy's verdict on findings of these severities
        self._policy = None
        # every text's variables before a case fills them in: Jinja's globals, then every question unanswered
        self._unanswered = {**self.text_globals, **dict.fromkeys(self.questionnaire.questions)}

    def wording(self, lang: str) -> _Wording:
        try:
            return self._wordings[lang]
        except KeyError:
            wording = self._wordings[lang] = _Wording(self.kb, lang)
            return wording

    def said(self, question: Question, value: Any, lang: str) -> str:
        """`question_and_answer`, remembered: the same few answers recur in document after document.
        The answer's type is part of the key, so True is not taken for 1 (是 and 1 are not the same).
        A number seldom recurs: its line is the question's, looked up once, and the number with its unit."""
        kind = type(value)
        if (kind is int or kind is float) and question.type in ("integer", "number"):
            try:
                asked, unit, spacing, singular = self._numbers[question.id, lang]
            except KeyError:
                asked, unit, spacing, singular = self._numbers[question.id, lang] = self._number_line(question, lang)
            text = format_number(value)
            if lang == "en":
                return asked + f"{text} {singular if value == 1 else unit}".strip()
            return f"{asked}{text}{spacing}{unit}"
        key = (question.id, lang, type(value),
               tuple((type(v), v) for v in value) if type(value) is list else value)
        try:
            return self._said[key]
        except (KeyError, TypeError):
            return _remembered(self._said, key, question_and_answer(question, value, lang))

    def answer_text(self, question: Question, value: Any, lang: str) -> str:
        """`format_answer`, remembered as `said` remembers its lines: what label() shows in a text. A
        text shows a choice's label, or the options ticked, each in quotes, which costs several
        messages; the same few answers recur in document after document."""
        kind = type(value)
        if kind is list or kind is tuple:
            kinds = tuple(map(type, value))
            if float in kinds or list in kinds or tuple in kinds:  # -0.0 == 0.0, but prints as -0
                return format_answer(question, value, lang)
            key: tuple = (question.id, lang, kind, kinds, tuple(value))
        elif kind is float:
            return format_answer(question, value, lang)
        else:
            key = (question.id, lang, kind, value)
        try:
            return self._labels[key]
        except (KeyError, TypeError):
            return _remembered(self._labels, key, format_answer(question, value, lang))

    @staticmethod
    def _number_line(question: Question, lang: str) -> tuple[str, str, str, str]:
        """What question_and_answer puts around a number: the question as asked with what follows
        it, the unit, the space before the unit, and (English) the unit for one."""
        asked = question_as_asked(question, lang)
        if asked.endswith(("？", "?", "：", ":")):
            asked += " " if lang == "en" else ""
        else:
            asked += "：" if lang != "en" else ": "
        unit = question.unit.get_text(lang) if question.unit else ""
        return asked, unit, unit_spacing(unit), _singular(unit)

    # ------------------------------------------------------------------ variables of texts

    def text_variables(self, answers: Answers, diagnosis: Diagnosis, lang: str) -> tuple[dict, dict, dict, str]:
        """What every text of one case may use, built once per case: the answers, metrics and dates,
        and the functions (which a param of the same name does not hide); then what the functions
        read, the answers and the language."""
        questions = self.questionnaire.questions
        values = answers.values
        if values.keys() <= questions.keys():
            variables = {**self._unanswered, **values}
        else:  # answers to no question of this questionnaire are no variables
            variables = dict(self._unanswered)
            variables.update((qid, value) for qid, value in values.items() if qid in questions)
        variables.update(diagnosis.metrics)
        plan = diagnosis.plan
        if plan is not None:
            start = plan.dates["checkup"]
            date = self.wording(lang).date
            for name, day in plan.dates.items():
                if name != "checkup":
                    variables[name] = date(day, start)

        answer_text = self.answer_text

        @plain_function
        def label(qid: str) -> str:
            question = questions.get(qid)
            if question is None:
                raise TemplateRuntimeError(t("render.no_such_label", qid=repr(qid)))
            return answer_text(question, values.get(qid), lang)

        @plain_function
        def choice_label(qid: str, number: Any) -> str:
            question = questions.get(qid)
            for choice in (question.choices or []) if question else []:
                if choice.number is not None and choice.number == number:
                    return choice.label.get_text(lang)
            raise TemplateRuntimeError(t("render.no_such_choice", qid=repr(qid), number=repr(number)))

        return variables, {"label": label, "choice_label": choice_label, "plural": plural}, values, lang

    @staticmethod
    def _with(shared: tuple[dict, dict, dict, str], params: dict[str, Any]) -> tuple[dict, dict, dict, str]:
        """A text's scope: the case's variables, shared by all its texts and not copied, and the text's
        own, which come first: its params, then the functions."""
        variables, functions, values, lang = shared
        return variables, {**params, **functions}, values, lang

    def finding_text(self, finding: Finding, answers: Answers, diagnosis: Diagnosis, lang: str,
                     shared: tuple[dict, dict, dict, str] | None = None) -> dict[str, Any]:
        fid = finding.id
        source, where = self.wording(lang).diagnosis_of(fid)
        scope = self._with(shared or self.text_variables(answers, diagnosis, lang), finding.params)
        return {
            "id": fid,
            "title": self.wording(lang).titles[fid],
            "diagnosis": self.render_text(source, scope, where, finding.params),
        }

    def step_text(self, step, answers: Answers, diagnosis: Diagnosis, lang: str,
                  shared: tuple[dict, dict, dict, str] | None = None) -> str:
        source, where = self.wording(lang).step_text_of(step.action, step.variant)
        scope = self._with(shared or self.text_variables(answers, diagnosis, lang), step.params)
        # the step's own deadline: the end of the phase it landed in, which may be later than the action's own
        scope[1]["deadline"] = scope[0][PHASE_DATE[step.phase] or "next_checkup"]
        return self.render_text(source, scope, where, step.params)

    # ------------------------------------------------------------------ the document

    def _verdict(self, diagnosis: Diagnosis, findings: Iterable[Finding]) -> str:
        """`diagnosis.policy.verdict`, remembered by the findings' severities, all it reads."""
        policy = diagnosis.policy
        if policy is not self._policy:  # the knowledge base's, in practice: one table
            self._policy, self._verdicts = policy, {}
        key = tuple(f.severity for f in findings)
        try:
            return self._verdicts[key]
        except KeyError:
            verdict = self._verdicts[key] = policy.verdict(findings)
            return verdict

    def context(self, answers: Answers, diagnosis: Diagnosis, lang: str) -> dict[str, Any]:
        """Everything a prescription template may show, computed here."""
        wording = self.wording(lang)
        questions = self.questionnaire.questions
        titles, sep, said = wording.titles, wording.sep, self.said
        plan = diagnosis.plan
        first = diagnosis.first
        first_id = first.id if first is not None else None
        shared = self.text_variables(answers, diagnosis, lang)  # once for every text of this case

        variables, functions, values, _ = shared
        render, step_text_of = self.render_text, wording.step_text_of
        steps = []
        numbered: dict[str, list[str]] = {}  # finding -> the numbers of the steps that treat it, in plan order
        by_phase: dict[str, list[dict[str, Any]]] = {}
        for step in plan.steps if plan else []:
            treats = list(map(titles.__getitem__, step.treats))
            source, where = step_text_of(step.action, step.variant)
            params = step.params
            # as step_text: the step's own deadline, the end of the phase it landed in
            own = {**params, **functions, "deadline": variables[PHASE_DATE[step.phase] or "next_checkup"]}
            entry_of_step = {
                "number": step.number,
                "phase": step.phase,
                "text": render(source, (variables, own, values, lang), where, params),
                "treats": treats,
                "treats_text": sep.join(treats),
            }
            steps.append(entry_of_step)
            # (setdefault would make a list for every step and finding, kept or not)
            in_phase = by_phase.get(step.phase)
            if in_phase is None:
                by_phase[step.phase] = [entry_of_step]
            else:
                in_phase.append(entry_of_step)
            number = str(step.number)
            for fid in step.treats:
                numbers = numbered.get(fid)
                if numbers is None:
                    numbered[fid] = [number]
                else:
                    numbers.append(number)
        phases = [{"id": phase, "title": wording.phase_title(phase, plan.dates), "steps": by_phase[phase]}
                  for phase in PHASE_DATE if phase in by_phase]

        diagnosis_of, severity_label = wording.diagnosis_of, wording.severity_label
        advising: dict[Any, bool] = {}  # severity -> whether its findings are advice (diagnosis.is_advice)
        made: dict[str, dict[str, Any]] = {}  # the first problem's entry is shown twice: built once

        def entry(f: Finding) -> dict[str, Any]:
            fid = f.id
            built = made.get(fid)
            if built is None:
                severity, params = f.severity, f.params
                advice = advising.get(severity)
                if advice is None:
                    advice = advising[severity] = diagnosis.is_advice(f)
                source, where = diagnosis_of(fid)
                treating = numbered.get(fid, ())
                built = made[fid] = {
                    "id": fid,
                    "title": titles[fid],
                    "diagnosis": render(source, (variables, {**params, **functions}, values, lang), where, params),
                    "severity": severity,
                    "severity_label": severity_label(severity),
                    "advice": advice,
                    "first": fid == first_id,
                    "symptoms": [said(questions[qid], value, lang)
                                 for qid, value in f.evidence.items() if qid in questions],
                    "steps": wording.join(treating) if plan else "",
                    "steps_n": len(treating),
                }
            return built

        def note(f: Finding) -> dict[str, Any]:
            fid, params = f.id, f.params
            source, where = diagnosis_of(fid)
            return {"id": fid, "title": titles[fid],
                    "diagnosis": render(source, (variables, {**params, **functions}, values, lang), where, params)}

        found: dict[str, list[Finding]] = {}
        for f in diagnosis.findings:
            of_check = found.get(f.check)
            if of_check is None:
                found[f.check] = [f]
            else:
                of_check.append(f)
        notes: dict[tuple[str, str], list[Finding]] = {}
        for f in diagnosis.notes:
            notes.setdefault((f.check, f.kind), []).append(f)
        verdicts = {check: self._verdict(diagnosis, found.get(check, ())) for check in diagnosis.checks}
        checks = []
        mark = wording.mark
        for check, number, numeral, title in wording.sections:
            findings, advice, summary = [], [], []  # a check's findings in one pass: its entries, by kind
            for f in found.get(check, ()):
                e = entry(f)
                if e["advice"]:
                    advice.append(e)
                    summary.append(mark("report.advice_mark", e["id"]))
                else:
                    findings.append(e)
                    summary.append(mark("report.first_mark", e["id"]) if e["first"] else e["title"])
            strengths, watch = notes.get((check, "strength")), notes.get((check, "watch"))
            verdict = verdicts[check]
            checks.append({
                "id": check,
                "number": number,
                "numeral": numeral,
                "title": title,
                "verdict": verdict,
                "verdict_label": wording.verdict_label(verdict),
                "findings": findings,
                "advice": advice,
                "summary": sep.join(summary),
                "strengths": [note(f) for f in strengths] if strengths else [],
                "watch": [note(f) for f in watch] if watch else [],
            })
        cross = [entry(f) for f in found.get(CROSS, ())]
        measured = diagnosis.metrics
        metrics = [{"id": mid, "label": label, "value": wording.none if measured.get(mid) is None
                    else format_number(measured[mid]), "unit": unit} for mid, label, unit in wording.metrics]
        first_entry = None
        if first is not None:
            first_entry = {**entry(first), "check_title": wording.section_titles.get(first.check, wording.cross_title)}
        values = answers.values
        opening = [said(question, values.get(question.id), lang) for question in wording.opening
                   if question.id in values] if wording.opening is not None else []
        to_treat = len(diagnosis.treatment)
        advice = 0
        for f in diagnosis.findings:
            counted = advising.get(f.severity)
            if counted is None:
                counted = advising[f.severity] = diagnosis.is_advice(f)
            advice += counted
        dates = plan.dates if plan else {"checkup": answers.date or dt.date.today()}
        # Diagnosis.overall: the worst of the checks' verdicts and of the combined findings'
        overall = max([*verdicts.values(), self._verdict(diagnosis, found.get(CROSS, ()))], key=VERDICTS.index)
        return {
            "lang": lang,
            "title": wording.title,
            "community": answers.name or wording.unnamed,
            "answers": dict(values),
            "opening": opening,
            "date": dates["checkup"].isoformat(),
            "next_checkup": wording.date(dates["next_checkup"], dates["checkup"]) if "next_checkup" in dates
            else "",
            "verdict": overall,
            "verdict_label": wording.verdict_label(overall),
            "tally": wording.tally(to_treat, advice),
            "checks": checks,
            "cross": cross,
            "treat_first": first_entry,
            "phases": phases,
            "steps_count": len(steps),
            "findings_count": len(diagnosis.findings),
            "metrics": metrics,
        }
