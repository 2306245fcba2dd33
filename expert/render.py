"""Render a diagnosis and its plan: the Markdown prescription through the knowledge base's Jinja
templates, JSON, or the Markdown as a printable HTML page (expert/page.py). What the document says is
computed in `expert/report.py`; this module holds the Jinja side.

Templates, finding and action texts may come from someone else, so they run in Jinja's sandbox with
StrictUndefined and the limits of expert/sandbox.py, and whatever goes wrong while rendering one is
reported as a problem of that template, finding or action, with its file and line. Every number a
template shows is computed before and passed in.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import marshal
import os
import pickle
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from types import FunctionType
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, TemplateError, TemplateNotFound, TemplateRuntimeError
from jinja2.bccache import BytecodeCache, Bucket, bc_magic
from jinja2.loaders import split_template_path

from expert.answers import Answers
from expert.cache import MAX_COMPILED, open_folder, settings
from expert.errors import KnowledgeBaseError, Problem
from expert.files import read_text
from expert.findings import Diagnosis
from expert.knowledge import KnowledgeBase, display_path
from expert.messages import t
from expert.limits import MAX_RENDER_CHARS
from expert.report import DATE_VARIABLES, TEXT_FUNCTIONS, ReportBuilder
from expert.sandbox import (LimitedEnvironment, RenderLimitError, fill_in, render, render_filled, render_scoped,
                            render_straight, spends_nothing)
from expert.schema import Id

# what a prescription template may use; `shequn check` reports any other variable
CONTEXT_KEYS = frozenset({
    "lang", "title", "community", "answers", "opening", "date", "next_checkup", "verdict", "verdict_label", "tally",
    "checks", "cross", "treat_first", "phases", "steps_count", "findings_count", "metrics", "followup",
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
            raise TemplateRuntimeError(t("render.cannot_read_named", template=template, reason=exc.strerror or exc)) from None

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

    PRUNE_EVERY = 256  # entries this process writes between two prunes

    def __init__(self) -> None:
        self._where: Any = False  # the cache folder last opened, and its private subfolder (or None)
        self._folder: Any = None
        self._written = 0

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
                bucket.code = _bytecode(data, bucket.checksum)
            except Exception:  # damaged: compile again
                bucket.code = None

    def dump_bytecode(self, bucket: Bucket) -> None:
        folder = self.folder()
        if folder is None:
            return
        try:
            folder.write(f"{bucket.key}.j2c", bucket.bytecode_to_string())
            # the folder holds MAX_COMPILED entries once it has been used for a while: listing them is ~10 ms,
            # and the first run after an upgrade or an edit compiles a text at a time, a hundred and more. So
            # the folder is pruned at this process's first entry and every PRUNE_EVERY after: it stays within
            # MAX_COMPILED and a few hundred more.
            if not self._written % self.PRUNE_EVERY:
                folder.prune(".j2c", MAX_COMPILED)
            self._written += 1
        except OSError:
            pass


def _bytecode(data: bytes, checksum: str) -> Any:
    """The code of a cache entry as Jinja writes it (Bucket.write_bytecode: its magic, the pickled checksum of the
    source, the marshalled code), or None when it is not this Jinja's or was compiled from another source; what
    Bucket.bytecode_from_string reads, but with marshal.loads on the bytes: marshal.load on a file object reads
    each piece of the code through a method call, six times slower, and a one-shot `shequn diagnose` loads twenty
    of them."""
    if not data.startswith(bc_magic):
        return None
    stream = BytesIO(data)
    stream.seek(len(bc_magic))
    if pickle.load(stream) != checksum:
        return None
    return marshal.loads(memoryview(data)[stream.tell():])


_COMPILED = _PrivateBytecodeCache()


class Renderer:
    """Turns a diagnosis of one case, with its plan, into text, in one language."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.builder = ReportBuilder(kb, self.render_text, dict(_STRING_ENV.globals))
        # Texts that read only answers of few values (a choice, yes or no, a scale) and the plan's
        # dates are kept by what they read: the same few renderings recur case after case, and a
        # rendering costs several times the look-up. A text reading a number is rendered every time.
        # One that also reads its finding's or action's params (a count of missing traits, or of
        # hours) is kept on trial: the params of some take few values, of others many (_Trial). So is
        # one reading a multiple choice: the options ticked are one of 2^n sets, and a text showing two
        # of them (why members came, what the group gives) seldom meets the same pair again.
        questions = kb.questionnaire.questions
        self._choices = frozenset(qid for qid, q in questions.items() if q.type in ("single", "multiple", "yesno", "scale"))
        self._sets = frozenset(qid for qid, q in questions.items() if q.type == "multiple")
        self._steady = self._choices | DATE_VARIABLES | set(_FUNCTIONS) | set(self.builder.text_globals)
        self._numbers = frozenset(questions) - self._choices | {metric.id for metric in kb.rules.metrics}
        self._trials: dict[str, _Trial] = {}  # a text kept on trial -> how its look-ups went
        self._sources: dict[str, tuple[Any, Any, Any]] = {}  # a text -> (compiled, what it reads, how it renders)
        self._texts: dict[tuple, str] = {}  # a text's key (_text_key) -> its rendering
        self._templates: dict[str, tuple[Path, LimitedEnvironment, str]] = {}  # by language
        self._globals: dict[str, tuple[Any, dict[str, Any]]] = {}  # by language: a template and its globals
        self._kept = False  # see keep_templates

    def keep_templates(self) -> None:
        """From now on each prescription template is read once, at its first prescription, and kept: a
        batch renders all its rows with one template, rather than asking the file system on every row
        whether it changed (and switching to the new one halfway through the run if it did)."""
        self._kept = True

    def render_text(self, source: str, scope: tuple, where: tuple, params: dict[str, Any]) -> str:
        """A finding's or an action's text from the knowledge base, in the sandbox; `scope` is the case's
        variables (with the texts' globals, put in once a case by ReportBuilder), the text's own, which
        win, then what its functions read, the case's answers and the language; `where` is its (file,
        line, id, part), for the problem that says what went wrong.

        A text met again is looked into (a one-shot report never does): what it reads, to keep its
        renderings by (_kept_reads), and how it renders (_rendering)."""
        known = self._sources.get(source)
        if known is None:  # first met: rendered as it is
            compiled = _compiled_text(source)
            if len(self._sources) >= _TEXTS_KEPT:
                self._sources.clear()
                self._trials.clear()
            self._sources[source] = (compiled, _UNREAD, render_scoped)
            reads, rendering = None, render_scoped
        else:
            compiled, reads, rendering = known
            if reads is _UNREAD and type(compiled) is not str:
                reads, rendering = self._kept_reads(source), _rendering(source)
                self._sources[source] = (compiled, reads, rendering)
        if type(compiled) is str:  # no Jinja in it: the text is what it renders to
            return compiled
        key = None
        if reads is not None:
            key = _text_key(source, reads, scope, self.builder.text_globals)
            if key is not None:
                text = self._texts.get(key)
                trial = self._trials.get(source)
                if text is not None:
                    if trial is not None:
                        trial.hits += 1
                    return text
                if trial is not None and not trial.missed():
                    self._sources[source] = (compiled, None, rendering)  # its params seldom recur
        try:
            text = rendering(compiled, scope[0], scope[1]).strip()
        except Exception as exc:  # whatever the text does, it is the text's problem, said as one
            file, line, subject, part = where
            message = t("render.cannot_render", part=part, reason=_failure(exc), hint=_unset(params))
            raise KnowledgeBaseError(t("kb.problems", kb=self.kb.name, n=1),
                                     [Problem(message, file, line, None, subject)]) from None
        if key is not None:
            if len(self._texts) >= _TEXTS_KEPT:  # a long batch: memory stays flat
                self._texts.clear()
            self._texts[key] = text
        return text

    def _kept_reads(self, source: str) -> tuple | None:
        """What a text reads (`_text_reads`) if it is worth keeping its renderings by it, else None."""
        reads = _looked_into(source)[0]
        if reads is None or not self._choices.issuperset(reads[1]):
            return None
        if not self._steady.issuperset(reads[0]):
            if not self._numbers.isdisjoint(reads[0]):
                return None
            self._trials[source] = _Trial()  # the names it reads beyond the steady ones are params
        elif not (self._sets.isdisjoint(reads[0]) and self._sets.isdisjoint(reads[1])):
            self._trials[source] = _Trial()
        return reads

    def context(self, answers: Answers, diagnosis: Diagnosis, lang: str, followup=None) -> dict[str, Any]:
        context = self.builder.context(answers, diagnosis, lang)
        # a follow-up checkup's section (expert/followup.py); None, and the section left out, otherwise
        context["followup"] = followup.context(self.kb, lang) if followup is not None else None
        return context

    def markdown(self, answers: Answers, diagnosis: Diagnosis, lang: str, followup=None) -> str:
        found = self._templates.get(lang)
        if found is None:  # the template's file, environment and name; Jinja still asks whether the file changed
            path = self.kb.templates[lang]
            found = self._templates[lang] = (path, _environment(str(path.parent)), path.name)
        path, env, name = found
        context = self.context(answers, diagnosis, lang, followup)  # its texts report their own problems
        try:
            known = self._globals.get(lang)
            template = known[0] if known is not None and self._kept else env.get_template(name)
            if known is None or known[0] is not template:  # first, or the file changed and was read again
                known = self._globals[lang] = (template, dict(template.globals))
            # what template.new_context would give it, without copying the globals from their ChainMap
            # every time: the environment's, set when it is made (_environment), never changed after
            text = render(template, {**known[1], **context}, shared=True)
        except Exception as exc:  # whatever the template does, it is the template's problem, said as one
            line = getattr(exc, "lineno", None) or _template_line(exc, str(path))
            raise KnowledgeBaseError(
                t("kb.problems", kb=self.kb.name, n=1),
                [Problem(t("render.cannot_render_template", reason=_failure(exc)), display_path(path), line)],
            ) from None
        return tidy_markdown(text)

    def html(self, markdown: str, answers: Answers, lang: str) -> str:
        """A prescription's Markdown as one printable page, headed with the community's name and the date."""
        from expert.page import html_page

        community = answers.name or t("answer.unnamed", lang)
        date = (answers.date or dt.date.today()).isoformat()
        title = f"{community} · {self.kb.questionnaire.title.get_text(lang)} · {date}"
        return html_page(markdown, lang=lang, title=title, community=community, date=date)

    def json(self, answers: Answers, diagnosis: Diagnosis, lang: str, followup=None) -> str:
        """The diagnosis for other tools: verdicts, findings with their diagnosis text, the plan, and with
        an earlier checkup, what changed since (`followup`)."""
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
        if followup is not None:
            data["followup"] = followup.as_dict()
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def tidy_markdown(text: str) -> str:
    """Blank lines where Markdown needs them, whatever the template's whitespace: one before and after
    every heading, never two in a row, and one newline at the end; no line ends in whitespace."""
    out: list[str] = []
    append = out.append
    blank = False  # a blank line since the last line kept
    heading = False  # the last line kept is a heading
    for line in map(str.rstrip, text.splitlines()):  # a blank line is now empty
        if not line:
            blank = True
        elif line[0] == "#":
            if out:
                append("")
            append(line)
            blank, heading = False, True
        else:
            if out and (blank or heading):
                append("")
            append(line)
            blank = heading = False
    return "\n".join(out) + "\n"


def _failure(exc: BaseException) -> str:
    """What went wrong while rendering, as the author of the template needs to hear it."""
    if isinstance(exc, RecursionError):
        return t("render.too_deep")
    if isinstance(exc, MemoryError):
        return t("render.no_memory")
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
    return t("render.unset_params", params=", ".join(unset))


def _template_line(exc: BaseException, filename: str) -> int | None:
    """The template's line where a runtime error happened: Jinja rewrites the traceback to show it."""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


@lru_cache(maxsize=1024)
def _compiled_text(source: str):
    """A text compiled, or the text itself, stripped, when it holds no Jinja: with no brace there is
    no tag, variable or comment (line statements are not enabled), and the lexer's only change, a
    newline sequence, is not there either."""
    if "{" not in source and "\r" not in source and len(source) <= MAX_RENDER_CHARS:
        return source.strip()
    return _compiled_string(source)


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

_TEXTS_KEPT = 4096
_UNREAD = object()
_FUNCTIONS = TEXT_FUNCTIONS


@lru_cache(maxsize=1024)
def _looked_into(source: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]] | None, bool, tuple | None]:
    """What a text reads (_text_reads), whether it spends nothing of a render's budget
    (sandbox.spends_nothing), and its pieces if it is only text and names (sandbox.fill_in), from
    one parse."""
    from jinja2 import TemplateSyntaxError

    try:
        ast = _STRING_ENV.parse(source)
    except TemplateSyntaxError:
        return None, False, None
    return _reads_of(source, ast), spends_nothing(ast, _FUNCTIONS), fill_in(ast)


def _rendering(source: str) -> Any:
    """How a text met again renders: a text of only text and names filled in (render_filled), one
    that cannot spend a step of a render's budget without one (render_straight), any other within
    the budget (render_scoped). All three render it alike (tests/test_sandbox.py)."""
    _, straight, pieces = _looked_into(source)
    if pieces is not None:
        return functools.partial(render_filled, pieces)
    return render_straight if straight else render_scoped


def _text_reads(source: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """What a text's output depends on: the names it reads from its variables, and the questions whose
    answers it shows through `label('…')`; None when it may depend on anything else, and is then
    rendered every time: a `random` anywhere, a function not called directly (printed, it shows
    where it lives), `label` of a computed question id."""
    return _looked_into(source)[0]


def _reads_of(source: str, ast: Any) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    from jinja2 import meta, nodes

    if "random" in source:
        return None
    called, labels = set(), set()
    for call in ast.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in _FUNCTIONS:
            called.add(id(call.node))
            if call.node.name == "label":
                if (len(call.args) != 1 or not isinstance(call.args[0], nodes.Const) or call.kwargs
                        or call.dyn_args is not None or call.dyn_kwargs is not None):
                    return None
                labels.add(call.args[0].value)
    if any(name.name in _FUNCTIONS and id(name) not in called for name in ast.find_all(nodes.Name)):
        return None
    if not all(type(qid) is str for qid in labels):
        return None
    return tuple(sorted(meta.find_undeclared_variables(ast))), tuple(sorted(labels))


class _Trial:
    """How the look-ups of a text kept on trial went: after every ROUND misses, it stays kept if at
    least a quarter of its look-ups found a rendering (its params take few values), else its
    renderings are no longer kept."""

    __slots__ = ("hits", "misses")
    ROUND = 32

    def __init__(self) -> None:
        self.hits = self.misses = 0

    def missed(self) -> bool:
        """Counts a look-up that missed; whether the text stays kept."""
        self.misses += 1
        return bool(self.misses % self.ROUND) or self.hits * 3 >= self.misses


class _Unkeyed(Exception):
    """A value whose equal is not certain to render the same: its text is rendered afresh."""


_MISSING = object()
_SAME = object()  # in a key: a function, or a global of Jinja's, the same whatever the case


def _text_key(source: str, reads: tuple, scope: tuple, text_globals: dict[str, Any]) -> tuple | None:
    """The source, the language and every value the text reads, each with its type (True renders
    是 where 1 renders 1, though True == 1), or None if one of them cannot be a key."""
    variables, own, answers, lang = scope
    names, labels = reads
    key: list[Any] = [source, lang]
    try:
        for name in names:
            value = own.get(name, _MISSING)
            if value is _MISSING:
                value = variables.get(name, _MISSING)
                if value is _MISSING:
                    return None  # an undefined name: the text fails, and says so, every time
                if value is text_globals.get(name, _MISSING):
                    key.append(_SAME)  # Jinja's range, dict, namespace ...: the same in every case
                    continue
            elif name in _FUNCTIONS and type(value) is FunctionType:
                key.append(_SAME)  # the case's own, but only called: what they give is in the other values
                continue
            key.append(_frozen(value))
        for qid in labels:
            key.append(_frozen(answers.get(qid)))
    except _Unkeyed:
        return None
    return tuple(key)


def _frozen(value: Any) -> Any:
    kind = type(value)
    if kind is str or value is None:  # equal to nothing of another type
        return value
    if kind is int or kind is bool or kind is Id:  # an Id (a choice's key) equals the str of its letters
        return kind, value
    if kind is float:
        return kind, repr(value)  # -0.0 == 0.0, but prints as -0.0
    if kind is list or kind is tuple:
        return kind, tuple(_frozen(item) for item in value)
    raise _Unkeyed


def check_template_syntax(path: Path) -> Problem | None:
    """A syntax error of a template file, located; None if it parses."""
    from jinja2 import TemplateSyntaxError

    try:
        _STRING_ENV.compile(read_text(path))  # compiling, not only parsing, finds an unknown filter or test
    except TemplateSyntaxError as exc:
        return Problem(t("render.syntax", reason=exc.message), display_path(path), exc.lineno)
    except OSError as exc:
        return Problem(t("render.cannot_read", reason=exc.strerror or exc), display_path(path))
    return None


def check_text_syntax(source: str) -> str | None:
    from jinja2 import TemplateSyntaxError

    try:
        _STRING_ENV.compile(source)  # compiling, not only parsing, finds an unknown filter or test
    except TemplateSyntaxError as exc:
        return exc.message
    return None
