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
from typing import Any, Callable

from jinja2 import TemplateRuntimeError

from expert.answers import Answers
from expert.findings import Diagnosis, Finding
from expert.knowledge import KnowledgeBase
from expert.messages import t
from expert.numbers import unit_spacing
from expert.questionnaire import Question
from expert.rulebase import CROSS

NUMERALS = "一二三四五六七八九十"
PHASE_DATE = {"week": "week_end", "month": "month_end", "later": None}
# a question's own remark in brackets at its end: (tick all that apply), （1 = …，5 = …）
_TRAILING_REMARK = re.compile(r"\s*[（(][^（()）]*[)）]\s*$")


def format_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def _singular(unit: str) -> str:
    """An English unit for one: 'hours a week' -> 'hour a week', 'people' -> 'person'."""
    first, _, rest = unit.partition(" ")
    if first == "people":
        first = "person"
    elif first.endswith("s") and not first.endswith("ss"):
        first = first[:-1]
    return f"{first} {rest}".strip()


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


class ReportBuilder:
    """The content of one community's prescription, in one language."""

    def __init__(self, kb: KnowledgeBase, render_text: Callable[[str, tuple[dict, dict], tuple, dict], str],
                 text_globals: dict[str, Any] | None = None):
        self.kb = kb
        self.questionnaire = kb.questionnaire
        self.render_text = render_text
        self.text_globals = text_globals or {}  # what Jinja would add to every text's variables
        self._said: dict[tuple, str] = {}  # question_and_answer's line of a (question, answer, language)

    def said(self, question: Question, value: Any, lang: str) -> str:
        """`question_and_answer`, remembered: the same few answers recur in document after document.
        The answer's type is part of the key, so True is not taken for 1 (是 and 1 are not the same)."""
        key = (question.id, lang, type(value),
               tuple((type(v), v) for v in value) if type(value) is list else value)
        try:
            return self._said[key]
        except KeyError:
            pass
        except TypeError:  # an answer that cannot be a key: said afresh
            return question_and_answer(question, value, lang)
        if len(self._said) > 2_000:  # numbers vary from document to document: keep memory flat in a long batch
            self._said.clear()
        line = self._said[key] = question_and_answer(question, value, lang)
        return line

    # ------------------------------------------------------------------ variables of texts

    def text_variables(self, answers: Answers, diagnosis: Diagnosis, lang: str) -> tuple[dict, dict]:
        """What every text of one case may use, built once per case: the answers, metrics and dates,
        and the functions (which a param of the same name does not hide)."""
        questions = self.questionnaire.questions
        variables: dict[str, Any] = dict(self.text_globals)
        variables.update((qid, answers.values.get(qid)) for qid in questions)
        variables.update(diagnosis.metrics)
        plan = diagnosis.plan
        if plan is not None:
            start = plan.dates["checkup"]
            variables.update({name: format_date(day, lang, start) for name, day in plan.dates.items()
                              if name != "checkup"})

        def label(qid: str) -> str:
            question = questions.get(qid)
            if question is None:
                raise TemplateRuntimeError(t("render.no_such_label", qid=repr(qid)))
            return format_answer(question, answers.values.get(qid), lang)

        def choice_label(qid: str, number: Any) -> str:
            question = questions.get(qid)
            for choice in (question.choices or []) if question else []:
                if choice.number is not None and choice.number == number:
                    return choice.label.get_text(lang)
            raise TemplateRuntimeError(t("render.no_such_choice", qid=repr(qid), number=repr(number)))

        return variables, {"label": label, "choice_label": choice_label, "plural": plural}

    @staticmethod
    def _with(shared: tuple[dict, dict], params: dict[str, Any]) -> tuple[dict, dict]:
        """A text's scope: the case's variables, shared by all its texts and not copied, and the text's
        own, which come first: its params, then the functions."""
        variables, functions = shared
        return variables, {**params, **functions}

    def finding_text(self, finding: Finding, answers: Answers, diagnosis: Diagnosis, lang: str,
                     shared: tuple[dict, dict] | None = None) -> dict[str, Any]:
        definition = self.kb.rules.findings[finding.id]
        variables = self._with(shared or self.text_variables(answers, diagnosis, lang), finding.params)
        text = definition.text
        where = (definition.file, text.line_of("diagnosis"), finding.id, f"diagnosis.{lang}")
        return {
            "id": finding.id,
            "title": text.title.get_text(lang),
            "diagnosis": self.render_text(text.diagnosis.get_text(lang), variables, where, finding.params),
        }

    def step_text(self, step, answers: Answers, diagnosis: Diagnosis, lang: str,
                  shared: tuple[dict, dict] | None = None) -> str:
        action = self.kb.actions.actions[step.action]
        text = action.text if step.variant == 0 else action.variants[step.variant - 1].text
        variables = self._with(shared or self.text_variables(answers, diagnosis, lang), step.params)
        # the step's own deadline: the end of the phase it landed in, which may be later than the action's own
        variables[1]["deadline"] = variables[0][PHASE_DATE[step.phase] or "next_checkup"]
        part = "text" if step.variant == 0 else f"variants[{step.variant}].text"
        line = action.key_lines.get("text", action.line) if step.variant == 0 else action.variants[step.variant - 1].line
        return self.render_text(text.get_text(lang), variables, (action.file, line, action.id, f"{part}.{lang}"),
                                step.params)

    # ------------------------------------------------------------------ the document

    def context(self, answers: Answers, diagnosis: Diagnosis, lang: str) -> dict[str, Any]:
        """Everything a prescription template may show, computed here."""
        q = self.questionnaire
        plan = diagnosis.plan
        titles = {f.id: self.kb.rules.findings[f.id].text.title.get_text(lang)
                  for f in [*diagnosis.findings, *diagnosis.notes]}
        sep = t("answer.titles_sep", lang)
        first = diagnosis.first
        shared = self.text_variables(answers, diagnosis, lang)  # once for every text of this case

        steps = []
        for step in plan.steps if plan else []:
            steps.append({
                "number": step.number,
                "phase": step.phase,
                "text": self.step_text(step, answers, diagnosis, lang, shared),
                "treats": [titles[f] for f in step.treats],
                "treats_text": sep.join(titles[f] for f in step.treats),
            })
        phases = []
        for phase, date_key in PHASE_DATE.items():
            in_phase = [s for s in steps if s["phase"] == phase]
            if in_phase:
                when = format_date(plan.dates[date_key], lang, plan.dates["checkup"]) if date_key else ""
                phases.append({"id": phase, "title": t(f"plan.{phase}", lang, date=when), "steps": in_phase})

        numbered: dict[str, list[str]] = {}  # finding -> the numbers of the steps that treat it, in plan order
        for step in plan.steps if plan else []:
            for fid in step.treats:
                numbered.setdefault(fid, []).append(str(step.number))

        def numbers(fid: str) -> str:
            return join_list(numbered.get(fid, []), lang) if plan else ""

        made: dict[str, dict[str, Any]] = {}  # the first problem's entry is shown twice: built once

        def entry(f: Finding) -> dict[str, Any]:
            if f.id not in made:
                made[f.id] = built(f)
            return made[f.id]

        def built(f: Finding) -> dict[str, Any]:
            text = self.finding_text(f, answers, diagnosis, lang, shared)
            return {
                **text,
                "severity": f.severity,
                "severity_label": t(f"severity.{f.severity}", lang) if f.severity else "",
                "advice": diagnosis.is_advice(f),
                "first": first is not None and f.id == first.id,
                "symptoms": [self.said(q.questions[qid], value, lang)
                             for qid, value in f.evidence.items() if qid in q.questions],
                "steps": numbers(f.id),
                "steps_n": len(numbered.get(f.id, ())),
            }

        def note(f: Finding) -> dict[str, Any]:
            return self.finding_text(f, answers, diagnosis, lang, shared)

        checks = []
        verdicts = diagnosis.verdicts  # a property that judges every check: once
        for number, section in enumerate(q.checks, start=1):
            found = diagnosis.of_check(section.check)
            verdict = verdicts[section.check]
            entries = [entry(f) for f in found]
            checks.append({
                "id": section.check,
                "number": number,
                "numeral": NUMERALS[number - 1] if number <= len(NUMERALS) else str(number),
                "title": section.title.get_text(lang),
                "verdict": verdict,
                "verdict_label": t(f"verdict.{verdict}", lang),
                "findings": [e for e in entries if not e["advice"]],
                "advice": [e for e in entries if e["advice"]],
                "summary": sep.join(t("report.advice_mark", lang, title=e["title"]) if e["advice"]
                                    else (t("report.first_mark", lang, title=e["title"]) if e["first"]
                                          else e["title"]) for e in entries),
                "strengths": [note(f) for f in diagnosis.notes_of(section.check, "strength")],
                "watch": [note(f) for f in diagnosis.notes_of(section.check, "watch")],
            })
        cross = [entry(f) for f in diagnosis.of_check(CROSS)]
        metrics = []
        for metric in self.kb.rules.metrics:
            value = diagnosis.metrics.get(metric.id)
            metrics.append({
                "id": metric.id,
                "label": metric.label.get_text(lang),
                "value": t("answer.none", lang) if value is None else format_number(value),
                "unit": metric.unit.get_text(lang) if metric.unit else "",
            })
        first_entry = None
        if first is not None:
            section_title = next((c["title"] for c in checks if c["id"] == first.check), t("batch.cross", lang))
            first_entry = {**entry(first), "check_title": section_title}
        opening = [self.said(question, answers.values.get(question.id), lang)
                   for question in q.sections[0].questions if question.id in answers.values
                   ] if q.sections and not q.sections[0].check else []
        to_treat = len(diagnosis.treatment)
        advice = sum(1 for f in diagnosis.findings if diagnosis.is_advice(f))
        dates = plan.dates if plan else {"checkup": answers.date or dt.date.today()}
        overall = diagnosis.overall  # judges every check again: once
        return {
            "lang": lang,
            "title": q.title.get_text(lang),
            "community": answers.name or t("answer.unnamed", lang),
            "answers": dict(answers.values),
            "opening": opening,
            "date": dates["checkup"].isoformat(),
            "next_checkup": format_date(dates["next_checkup"], lang, dates["checkup"]) if "next_checkup" in dates
            else "",
            "verdict": overall,
            "verdict_label": t(f"verdict.{overall}", lang),
            "tally": t("report.tally" if to_treat and advice else "report.tally_treat" if to_treat
                       else "report.tally_advice" if advice else "report.nothing", lang, treat=to_treat, advice=advice),
            "checks": checks,
            "cross": cross,
            "treat_first": first_entry,
            "phases": phases,
            "steps_count": len(steps),
            "findings_count": len(diagnosis.findings),
            "metrics": metrics,
        }
