"""Render a diagnosis: the Markdown prescription through the knowledge base's Jinja templates, or JSON.

Templates and finding texts may come from someone else, so they run in Jinja's sandbox with
StrictUndefined and the limits of expert/sandbox.py, and whatever goes wrong while rendering one is
reported as a problem of that template or finding, with its file and line. Every number a template
shows is computed here and passed in.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, TemplateError, TemplateNotFound, TemplateRuntimeError
from jinja2.bccache import BytecodeCache, Bucket
from jinja2.loaders import split_template_path

from expert.answers import Answers
from expert.cache import MAX_COMPILED, open_folder, settings
from expert.errors import KnowledgeBaseError, Problem
from expert.files import read_text
from expert.findings import Diagnosis, Finding
from expert.knowledge import KnowledgeBase, display_path
from expert.messages import t
from expert.questionnaire import Question
from expert.rulebase import CROSS
from expert.sandbox import LimitedEnvironment, RenderLimitError, render

NUMERALS = "一二三四五六七八九十"
# what a prescription template may use; `shequn check` reports any other variable
CONTEXT_KEYS = frozenset({
    "lang", "title", "community", "answers", "opening", "date", "verdict", "verdict_label", "checks", "cross",
    "treat_first", "findings_count", "metrics",
})


@lru_cache(maxsize=8)
def _environment(template_dir: str) -> LimitedEnvironment:
    env = LimitedEnvironment(
        loader=_TemplateLoader(template_dir),
        undefined=StrictUndefined,
        autoescape=False,  # Markdown, not HTML
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_COMPILED,
    )
    return env


class _TemplateLoader(BaseLoader):
    """Templates of one folder, read like every other file: a regular file, of a bounded size."""

    def __init__(self, folder: str):
        self.folder = folder

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
        path = os.path.join(self.folder, *split_template_path(template))
        try:
            source = read_text(Path(path))
            mtime = os.path.getmtime(path)
        except OSError as exc:
            if not os.path.lexists(path):
                raise TemplateNotFound(template) from None
            raise TemplateRuntimeError(f"cannot read the template {template}: {exc.strerror or exc}") from None

        def unchanged() -> bool:
            try:
                return os.path.getmtime(path) == mtime
            except OSError:
                return False

        return source, path, unchanged


class _PrivateBytecodeCache(BytecodeCache):
    """Compiled templates and finding texts kept on disk, so a one-shot `shequn diagnose` does not
    compile them again. Compiled code runs when loaded, so it is read only from the cache's private
    subfolder (the user's own, mode 0700, checked on the open folder), and keyed by the source and by
    shequn's own code, which decides what a compiled template may do."""

    def __init__(self) -> None:
        self._where: Any = False  # the cache folder last opened, and its private subfolder (or None)
        self._folder: Any = None

    def folder(self):
        where = settings()
        if where != self._where:  # opened on first use, and again if SHEQUN_CACHE_DIR changes
            if self._folder is not None:
                self._folder.close()
            self._where, self._folder = where, None
            parent = open_folder()
            if parent is not None:
                with parent:
                    self._folder = parent.private("compiled")
        return self._folder

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        from expert.cache import key_of

        return key_of("jinja", name, filename or "")

    def load_bytecode(self, bucket: Bucket) -> None:
        folder = self.folder()
        data = folder.read(f"{bucket.key}.j2c") if folder is not None else None
        if data is not None:
            try:
                bucket.bytecode_from_string(data)
            except Exception:  # damaged: compile again
                bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        folder = self.folder()
        if folder is None:
            return
        try:
            folder.write(f"{bucket.key}.j2c", bucket.bytecode_to_string())
            folder.prune(".j2c", MAX_COMPILED)
        except OSError:
            pass


_COMPILED = _PrivateBytecodeCache()


def format_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def format_answer(question: Question, value: Any, lang: str) -> str:
    """An answer as the operator would say it: choice labels, 是/否, numbers with their unit."""
    if value is None:
        return t("answer.none", lang)
    if question.type == "single":
        return question.choice_label(value, lang)
    if question.type == "multiple":
        if not value:
            return t("answer.none_ticked", lang)
        return t("answer.list_sep", lang).join(question.choice_label(v, lang) for v in value)
    if question.type == "yesno":
        return t("answer.yes" if value else "answer.no", lang)
    if question.type in ("integer", "number", "scale"):
        unit = question.unit.get_text(lang) if question.unit else ""
        text = format_number(value)
        if question.type == "scale":
            return f"{text} / 5"
        return f"{text} {unit}".strip() if lang == "en" else f"{text}{unit}"
    return str(value)


class Renderer:
    """Turns a Diagnosis of one case into text, in one language."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.questionnaire = kb.questionnaire

    # ------------------------------------------------------------------ finding texts

    def finding_texts(self, finding: Finding, answers: Answers, lang: str) -> dict[str, Any]:
        """Title, diagnosis and prescription steps of a finding, with this community's numbers."""
        definition = self.kb.rules.findings[finding.id]
        text = definition.text
        variables = self._variables(answers, finding, lang)

        def rendered(source: str, part: str) -> str:
            try:
                return render(_compiled_string(source), variables).strip()
            except Exception as exc:  # whatever the text does, it is the text's problem, said as one
                message = f"cannot render {part}.{lang}: {_failure(exc)}{_unset(finding.params)}"
                raise KnowledgeBaseError(t("kb.problems", kb=self.kb.name, n=1),
                                         [Problem(message, definition.file, text.line_of(part), None, finding.id)]
                                         ) from None

        return {
            "id": finding.id,
            "title": text.title.get_text(lang),
            "diagnosis": rendered(text.diagnosis.get_text(lang), "diagnosis"),
            "prescription": [rendered(step, "prescription") for step in text.prescription[lang]],
        }

    def _variables(self, answers: Answers, finding: Finding, lang: str) -> dict[str, Any]:
        variables: dict[str, Any] = {qid: answers.values.get(qid) for qid in self.questionnaire.questions}
        variables.update(finding.params)

        def label(qid: str) -> str:
            question = self.questionnaire.questions.get(qid)
            if question is None:
                raise TemplateRuntimeError(f"label({qid!r}): no such question")
            return format_answer(question, answers.values.get(qid), lang)

        variables["label"] = label
        return variables

    # ------------------------------------------------------------------ the document

    def context(self, answers: Answers, diagnosis: Diagnosis, lang: str) -> dict[str, Any]:
        """Everything a prescription template may show, computed here."""
        q = self.questionnaire
        date = answers.date or dt.date.today()
        rendered = {f.id: self.finding_texts(f, answers, lang) for f in diagnosis.findings}

        def entry(f: Finding) -> dict[str, Any]:
            return {
                **rendered[f.id],
                "severity": f.severity,
                "severity_label": t(f"severity.{f.severity}", lang),
                "symptoms": [
                    {"question": q.questions[qid].text_in(lang),
                     "answer": format_answer(q.questions[qid], value, lang)}
                    for qid, value in f.evidence.items() if qid in q.questions
                ],
                "params": f.params,
                "trail": f.trail,
            }

        checks = []
        for number, section in enumerate(q.checks, start=1):
            found = diagnosis.of_check(section.check)
            verdict = diagnosis.verdicts[section.check]
            checks.append({
                "id": section.check,
                "number": number,
                "numeral": NUMERALS[number - 1] if number <= len(NUMERALS) else str(number),
                "title": section.title.get_text(lang),
                "verdict": verdict,
                "verdict_label": t(f"verdict.{verdict}", lang),
                "findings": [entry(f) for f in found],
            })
        metrics = []
        for metric in self.kb.rules.metrics:
            value = diagnosis.metrics.get(metric.id)
            metrics.append({
                "id": metric.id,
                "label": metric.label.get_text(lang),
                "value": t("answer.none", lang) if value is None else format_number(value),
                "unit": metric.unit.get_text(lang) if metric.unit else "",
            })
        first = diagnosis.first
        first_entry = None
        if first is not None:
            section_title = next((c["title"] for c in checks if c["id"] == first.check), None)
            first_entry = {**entry(first), "check_title": section_title}
        opening = [
            {"question": question.text_in(lang), "answer": format_answer(question, answers.values.get(question.id), lang)}
            for question in q.sections[0].questions if question.id in answers.values
        ] if q.sections and not q.sections[0].check else []
        return {
            "lang": lang,
            "title": q.title.get_text(lang),
            "community": answers.name or t("answer.unnamed", lang),
            "answers": dict(answers.values),
            "opening": opening,
            "date": date.isoformat(),
            "verdict": diagnosis.overall,
            "verdict_label": t(f"verdict.{diagnosis.overall}", lang),
            "checks": checks,
            "cross": [entry(f) for f in diagnosis.of_check(CROSS)],
            "treat_first": first_entry,
            "findings_count": len(diagnosis.findings),
            "metrics": metrics,
        }

    def markdown(self, answers: Answers, diagnosis: Diagnosis, lang: str) -> str:
        path = self.kb.templates[lang]
        env = _environment(str(path.parent))
        context = self.context(answers, diagnosis, lang)  # its finding texts report their own problems
        try:
            text = render(env.get_template(path.name), context)
        except Exception as exc:  # whatever the template does, it is the template's problem, said as one
            line = getattr(exc, "lineno", None) or _template_line(exc, str(path))
            raise KnowledgeBaseError(
                t("kb.problems", kb=self.kb.name, n=1),
                [Problem(f"cannot render the template: {_failure(exc)}", display_path(path), line)],
            ) from None
        return text.rstrip() + "\n"

    def json(self, answers: Answers, diagnosis: Diagnosis, lang: str) -> str:
        data = {
            "community": answers.name,
            "questionnaire": {"id": answers.questionnaire, "version": answers.version},
            "date": (answers.date or dt.date.today()).isoformat(),
            "lang": lang,
            **diagnosis.as_dict(),
        }
        titles = {f.id: self.kb.rules.findings[f.id].text.title.get_text(lang) for f in diagnosis.findings}
        for item in data["findings"]:
            item["title"] = titles[item["id"]]
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _failure(exc: BaseException) -> str:
    """What went wrong while rendering, as the author of the template needs to hear it."""
    if isinstance(exc, RecursionError):
        return "it nests too deeply (a macro that calls itself, or a template that includes itself?)"
    if isinstance(exc, MemoryError):
        return "it needs more memory than there is"
    if isinstance(exc, RenderLimitError):
        return exc.message or str(exc)
    if isinstance(exc, TemplateError):
        return str(exc.message if exc.message is not None else exc)
    text = str(exc)
    return f"{type(exc).__name__}: {text[:200] + '…' if len(text) > 200 else text}"


def _unset(params: dict[str, Any]) -> str:
    """A hint when a parameter has no value, the usual reason a text fails with a TypeError."""
    unset = [name for name, value in params.items() if value is None]
    if not unset:
        return ""
    return (f" (parameter {', '.join(unset)} has no value for these answers: its expression divides by zero "
            "or uses an unanswered question; test it with `is none`)")


def _template_line(exc: BaseException, filename: str) -> int | None:
    """The template's line where a runtime error happened: Jinja rewrites the traceback to show it."""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


@lru_cache(maxsize=1024)
def _compiled_string(source: str):
    env = _STRING_ENV
    if _COMPILED.folder() is None:
        return env.from_string(source)
    bucket = _COMPILED.get_bucket(env, source, None, source)  # the text is its own name: one entry per text
    if bucket.code is None:
        bucket.code = env.compile(source)
        _COMPILED.set_bucket(bucket)
    return env.template_class.from_code(env, bucket.code, env.make_globals(None))


_STRING_ENV = LimitedEnvironment(undefined=StrictUndefined, autoescape=False)


def check_template_syntax(path: Path) -> Problem | None:
    """A syntax error of a template file, located; None if it parses."""
    from jinja2 import TemplateSyntaxError

    try:
        _STRING_ENV.parse(read_text(path))
    except TemplateSyntaxError as exc:
        return Problem(f"template syntax error: {exc.message}", display_path(path), exc.lineno)
    except OSError as exc:
        return Problem(f"cannot read the template: {exc.strerror or exc}", display_path(path))
    return None


def check_text_syntax(source: str) -> str | None:
    from jinja2 import TemplateSyntaxError

    try:
        _STRING_ENV.parse(source)
    except TemplateSyntaxError as exc:
        return exc.message
    return None
