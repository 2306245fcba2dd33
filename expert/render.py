"""Render a diagnosis and its plan: the Markdown prescription through the knowledge base's Jinja
templates, JSON, or the Markdown as a printable HTML page (expert/page.py). What the document says is
computed in `expert/report.py`; this module holds the Jinja side.

Templates, finding and action texts may come from someone else, so they run in Jinja's sandbox with
StrictUndefined. Every number a template shows is computed before and passed in.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.bccache import FileSystemBytecodeCache
from jinja2.sandbox import SandboxedEnvironment

from expert.answers import Answers
from expert.errors import KnowledgeBaseError, Problem
from expert.findings import Diagnosis
from expert.knowledge import KnowledgeBase, display_path
from expert.messages import t
from expert.report import ReportBuilder

# what a prescription template may use; `shequn check` reports any other variable
CONTEXT_KEYS = frozenset({
    "lang", "title", "community", "answers", "opening", "date", "next_checkup", "verdict", "verdict_label", "tally",
    "checks", "cross", "treat_first", "phases", "steps_count", "findings_count", "metrics",
})


@lru_cache(maxsize=8)
def _environment(template_dir: str) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(template_dir, encoding="utf-8"),
        undefined=StrictUndefined,
        autoescape=False,  # Markdown, not HTML
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache("templates"),
    )
    return env


class _BytecodeCache(FileSystemBytecodeCache):
    """Jinja's compiled templates kept on disk (keyed by their source), so a one-shot `shequn diagnose`
    does not compile the prescription template and finding texts again; a cache it cannot write is
    no cache, not an error."""

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache(kind: str) -> _BytecodeCache | None:
    from expert.cache import directory

    folder = directory()
    if folder is None:
        return None
    try:
        (folder / f"jinja-{kind}").mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _BytecodeCache(str(folder / f"jinja-{kind}"), "%s.j2c")


class Renderer:
    """Turns a diagnosis of one case, with its plan, into text, in one language."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.builder = ReportBuilder(kb, self.render_text)

    def render_text(self, source: str, variables: dict[str, Any], where: str) -> str:
        """A finding's or an action's text from the knowledge base, in the sandbox."""
        try:
            return _compiled_string(source).render(variables).strip()
        except TemplateError as exc:
            raise KnowledgeBaseError(
                t("kb.problems", kb=self.kb.name, n=1), [Problem(f"cannot render text: {exc}", where)]
            ) from None

    def context(self, answers: Answers, diagnosis: Diagnosis, lang: str) -> dict[str, Any]:
        return self.builder.context(answers, diagnosis, lang)

    def markdown(self, answers: Answers, diagnosis: Diagnosis, lang: str) -> str:
        path = self.kb.templates[lang]
        env = _environment(str(path.parent))
        try:
            template = env.get_template(path.name)
            text = template.render(self.context(answers, diagnosis, lang))
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            raise KnowledgeBaseError(
                t("kb.problems", kb=self.kb.name, n=1),
                [Problem(f"cannot render the template: {exc}", display_path(path), line)],
            ) from None
        return tidy_markdown(text)

    def html(self, markdown: str, answers: Answers, lang: str) -> str:
        """A prescription's Markdown as one printable page, headed with the community's name and the date."""
        from expert.page import html_page

        community = answers.name or t("answer.unnamed", lang)
        date = (answers.date or dt.date.today()).isoformat()
        title = f"{community} · {self.kb.questionnaire.title.get_text(lang)} · {date}"
        return html_page(markdown, lang=lang, title=title, community=community, date=date)

    def json(self, answers: Answers, diagnosis: Diagnosis, lang: str) -> str:
        """The diagnosis for other tools: verdicts, findings with their diagnosis text, and the plan."""
        context = self.context(answers, diagnosis, lang)
        data = {
            "community": answers.name,
            "questionnaire": {"id": answers.questionnaire, "version": answers.version},
            "date": context["date"],
            "lang": lang,
            **diagnosis.as_dict(),
        }
        texts = {e["id"]: e for c in context["checks"] for e in [*c["findings"], *c["advice"]]}
        texts.update({e["id"]: e for e in context["cross"]})
        notes = {n["id"]: n for c in context["checks"] for n in [*c["strengths"], *c["watch"]]}
        for item in data["findings"]:
            item["title"] = texts[item["id"]]["title"]
            item["diagnosis"] = texts[item["id"]]["diagnosis"]
        for item in data["notes"]:
            item["title"] = notes[item["id"]]["title"]
            item["text"] = notes[item["id"]]["diagnosis"]
        if diagnosis.plan is not None:
            plan = diagnosis.plan.as_dict()
            steps = {s["number"]: s for p in context["phases"] for s in p["steps"]}
            for step in plan["steps"]:
                step["text"] = steps[step["number"]]["text"]
            data["plan"] = plan
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def tidy_markdown(text: str) -> str:
    """Blank lines where Markdown needs them, whatever the template's whitespace: one before and after
    every heading, never two in a row, and one newline at the end."""
    out: list[str] = []
    for line in text.splitlines():
        heading = line.startswith("#")
        if heading and out and out[-1] != "":
            out.append("")
        if line.strip() == "" and (not out or out[-1] == ""):
            continue
        if out and out[-1].startswith("#") and line.strip() != "":
            out.append("")
        out.append(line.rstrip() if line.strip() else "")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


@lru_cache(maxsize=1024)
def _compiled_string(source: str):
    env = _STRING_ENV
    if _TEXT_CACHE[0] is False:
        _TEXT_CACHE[0] = _bytecode_cache("texts")
    cache = _TEXT_CACHE[0]
    if cache is None:
        return env.from_string(source)
    bucket = cache.get_bucket(env, source, None, source)  # the text is its own name: one entry per text
    if bucket.code is None:
        bucket.code = env.compile(source)
        cache.set_bucket(bucket)
    return env.template_class.from_code(env, bucket.code, env.make_globals(None))


_TEXT_CACHE: list = [False]  # the finding texts' bytecode cache, opened on first use


_STRING_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def check_template_syntax(path: Path) -> Problem | None:
    """A syntax error of a template file, located; None if it parses."""
    from jinja2 import TemplateSyntaxError

    try:
        _STRING_ENV.parse(path.read_text(encoding="utf-8"))
    except TemplateSyntaxError as exc:
        return Problem(f"template syntax error: {exc.message}", display_path(path), exc.lineno)
    return None


def check_text_syntax(source: str) -> str | None:
    from jinja2 import TemplateSyntaxError

    try:
        _STRING_ENV.parse(source)
    except TemplateSyntaxError as exc:
        return exc.message
    return None
