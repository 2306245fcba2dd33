"""The questionnaire: its model, how it is loaded and checked, and how one answer is validated.

The same `Question.validate` serves the answers file, the interview's prompts and batch rows, so an
answer is judged the same way wherever it comes from.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import field
from typing import Any, Literal, Mapping

from expert import conditions as c
from expert.errors import Problem
from expert.messages import brief, language, t
from expert.numbers import parse_number
from expert.records import record
from expert.schema import Context, Expr, Id, LocalText, build, doc

QuestionType = Literal["single", "multiple", "integer", "number", "yesno", "text", "scale"]
NUMERIC_TYPES = ("integer", "number", "scale")
TEXT_MAX_LENGTH = 200  # characters of a text answer, unless the question sets its own max_length
TEXT_MAX_LENGTH_CEILING = 10_000  # the most a questionnaire may allow
# line breaks (and the spaces around them) in a text answer: it is one line wherever it is shown
# compiled by `re`'s own cache when a text with a line break or a control character is first read
LINE_BREAKS = r"\s*[\n\r\v\f\x85\u2028\u2029]\s*"
INTERNAL = {"internal": True}


@record
class Choice:
    """One option of a single- or multiple-choice question."""

    value: Id = field(metadata=doc("the stable value stored in answers files and used by rules"))
    label: LocalText = field(metadata=doc("what the operator reads"))
    number: float | None = field(default=None, metadata=doc(
        "a number this choice stands for, read in rules by number(question_id), e.g. deliveries a week"))


@record
class Question:
    """One question of the interview."""

    id: Id = field(metadata=doc("stable id, used by answers files and rules"))
    type: QuestionType = field(metadata=doc("single | multiple | integer | number | yesno | text | scale"))
    text: LocalText = field(metadata=doc("the question itself"))
    help: LocalText = field(metadata=doc("why it is asked, shown on demand"))
    label: LocalText | None = field(default=None, metadata=doc(
        "a short name in the operator's words (群人数), used in messages; defaults to the question's text"))
    required: bool = field(default=True, metadata=doc("an optional question may be left empty"))
    default: Any = field(default=None, metadata=doc("a sensible default, of the question's type"))
    min: Expr | None = field(default=None, metadata=doc("lower bound: a number or an expression over earlier answers"))
    max: Expr | None = field(default=None, metadata=doc("upper bound: a number or an expression over earlier answers"))
    unit: LocalText | None = field(default=None, metadata=doc("shown after numbers"))
    ask_if: Expr | None = field(default=None, metadata=doc("asked only when this condition holds"))
    choices: list[Choice] | None = field(default=None, metadata=doc("options of single/multiple questions"))
    labels: dict[int, LocalText] | None = field(default=None, metadata=doc("scale only: texts for points 1–5"))
    min_choices: int | None = field(default=None, metadata=doc("multiple only: least options to tick"))
    max_choices: int | None = field(default=None, metadata=doc("multiple only: most options to tick"))
    max_length: int | None = field(default=None, metadata=doc(
        f"text only: the most characters an answer may have (default {TEXT_MAX_LENGTH}); "
        "an answer is always one line", schema={"minimum": 1, "maximum": TEXT_MAX_LENGTH_CEILING}))
    line: int | None = field(default=None, metadata=INTERNAL)
    key_lines: dict = field(default_factory=dict, metadata=INTERNAL)
    # filled in after validation
    section: str = field(default="", metadata=INTERNAL)
    ask_if_node: Any = field(default=None, metadata=INTERNAL)
    min_node: Any = field(default=None, metadata=INTERNAL)
    max_node: Any = field(default=None, metadata=INTERNAL)
    bound_words: dict = field(default_factory=dict, metadata=INTERNAL)  # min/max -> lang -> the bound in labels

    @property
    def choice_values(self) -> list[str]:
        return [ch.value for ch in self.choices or []]

    @property
    def choice_numbers(self) -> dict[str, float]:
        """The numbers that choices stand for, where they declare one."""
        return {ch.value: ch.number for ch in self.choices or [] if ch.number is not None}

    def choice_label(self, value: str, lang: str) -> str:
        for ch in self.choices or []:
            if ch.value == value:
                return ch.label.get_text(lang)
        return str(value)

    def text_in(self, lang: str) -> str:
        return self.text.get_text(lang)

    def label_in(self, lang: str) -> str:
        """The question's short name, for messages; its text where it has none."""
        return (self.label or self.text).get_text(lang)

    @property
    def length_limit(self) -> int:
        return self.max_length if self.max_length is not None else TEXT_MAX_LENGTH

    def is_relevant(self, values: Mapping[str, Any]) -> bool:
        """Skip logic: is this question asked, given the answers so far?"""
        return c.holds(self.ask_if_node, values)

    def bounds(self, values: Mapping[str, Any]) -> tuple[Any, Any]:
        """(min, max) for these answers; a bound that depends on a missing answer is None."""
        lo = c.evaluate(self.min_node, values) if self.min_node is not None else None
        hi = c.evaluate(self.max_node, values) if self.max_node is not None else None
        if self.type == "scale":
            lo, hi = 1, 5
        return (None if lo is c.UNKNOWN else lo), (None if hi is c.UNKNOWN else hi)

    def validate(self, raw: Any, values: Mapping[str, Any], lang: str | None = None) -> Any:
        """Normalise one answer or raise ValueError with a message in the operator's language.

        `values` are the other answers, for cross-field bounds. None means "not answered" and is
        accepted here; whether it is allowed is the caller's business (required / relevant).
        """
        if raw is None:
            return None
        kind = self.type
        if kind in NUMERIC_TYPES and isinstance(raw, float) and not math.isfinite(raw):
            # .inf and .nan are YAML floats; NaN compares false with everything, so no rule would see it
            raise ValueError(t("value.not_finite", lang) + _got(raw, lang))
        if kind in ("integer", "scale"):
            if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw != int(raw):
                raise ValueError(t("value.scale" if kind == "scale" else "value.integer", lang) + _got(raw, lang))
            value: Any = int(raw)
        elif kind == "number":
            if isinstance(raw, bool) or not isinstance(raw, (int, float)):
                raise ValueError(t("value.number", lang) + _got(raw, lang))
            value = raw
        elif kind == "yesno":
            if not isinstance(raw, bool):
                raise ValueError(t("value.yesno", lang) + _got(raw, lang))
            return raw
        elif kind == "text":
            if not isinstance(raw, (str, int, float)) or isinstance(raw, bool) or not str(raw).strip():
                raise ValueError(t("value.text", lang) + _got(raw, lang))
            text = one_line(str(raw))
            if len(text) > self.length_limit:
                raise ValueError(t("value.too_long", lang, n=self.length_limit, got=len(text)))
            return text
        elif kind == "single":
            if raw not in self.choice_values:
                raise ValueError(t("value.choice", lang, choices=self._choices_shown(lang)) + _got(raw, lang))
            return raw
        else:  # multiple
            items = raw if isinstance(raw, list) else None
            if items is None or any(i not in self.choice_values for i in items):
                raise ValueError(t("value.choices", lang, choices=self._choices_shown(lang)) + _got(raw, lang))
            for i, item in enumerate(items):
                if item in items[:i]:
                    raise ValueError(t("value.duplicate_choice", lang, value=brief(item)))
            if self.min_choices is not None and len(items) < self.min_choices:
                raise ValueError(t("value.min_choices", lang, n=self.min_choices))
            if self.max_choices is not None and len(items) > self.max_choices:
                raise ValueError(t("value.max_choices", lang, n=self.max_choices))
            order = self.choice_values  # a stable order, whatever order they were ticked in
            return sorted(items, key=order.index)
        lo, hi = self.bounds(values)
        if lo is not None and value < lo:
            raise ValueError(t("value.min", lang, bound=_num(lo), why=self._why("min", lang)))
        if hi is not None and value > hi:
            raise ValueError(t("value.max", lang, bound=_num(hi), why=self._why("max", lang)))
        return value

    def read_typed(self, text: str, values: Mapping[str, Any], lang: str | None = None) -> Any:
        """An answer typed as text (at a prompt, in a spreadsheet cell), read and validated: a number as
        people write it ("300人", "1,000", "２.５"; see expert/numbers.py), a text as one line."""
        if self.type in NUMERIC_TYPES:
            units = list(self.unit.values()) if self.unit else []
            return self.validate(parse_number(text, whole=self.type != "number", units=units, lang=lang), values, lang)
        return self.validate(text, values, lang)

    def _choices_shown(self, lang: str | None) -> str:
        """The options as a message lists them: each value with its label, since either may be written."""
        return t("value.choice_sep", lang).join(t("value.choice_named", lang, value=ch.value, label=ch.label.get_text(lang))
                                                for ch in self.choices or [])

    def _why(self, which: str, lang: str | None) -> str:
        """Where a bound comes from, in the questions' short names: （群人数）, not （members）."""
        words = self.bound_words.get(which)
        if not words:
            return ""
        return t("value.bound_of", lang, expr=words.get(lang or language()) or next(iter(words.values())))


def one_line(text: str) -> str:
    """A text answer as one line: line breaks become spaces and other control characters go, so a pasted
    paragraph cannot break the prescription's title or a table."""
    joined = text.strip()
    if joined.isprintable():  # no line break, tab or other control character: nothing to change
        return joined
    joined = re.sub(LINE_BREAKS, " ", joined)
    return "".join(" " if ch == "\t" else ch for ch in joined if ch == "\t" or unicodedata.category(ch) != "Cc")


def _num(x: Any) -> str:
    return str(int(x)) if isinstance(x, float) and x == int(x) else str(x)


def _got(raw: Any, lang: str | None) -> str:
    return t("value.got", lang, got=brief(raw))


@record
class Section:
    """A part of the interview; sections with a `check` are the self-checks."""

    id: Id = field(metadata=doc("stable id of the section"))
    title: LocalText = field(metadata=doc("the section's heading, e.g. 自检一：..."))
    questions: list[Question] = field(metadata=doc("the questions, in the order they are asked"))
    check: Id | None = field(default=None, metadata=doc("the self-check this section examines"))
    intro: LocalText | None = field(default=None, metadata=doc("one or two sentences before the questions"))
    line: int | None = field(default=None, metadata=INTERNAL)


@record
class Questionnaire:
    """The interview: its id and version, languages, and sections of questions."""

    id: Id = field(metadata=doc("stable id, written into answers files"))
    version: int = field(metadata=doc("raise it when questions change meaning"))
    languages: list[str] = field(metadata=doc("languages of every text; the first is the default"))
    title: LocalText = field(metadata=doc("the interview's title"))
    sections: list[Section] = field(metadata=doc("the sections, in order"))
    intro: LocalText | None = field(default=None, metadata=doc("shown before the first question"))
    file: str = field(default="", metadata=INTERNAL)
    questions: dict[str, Question] = field(default_factory=dict, metadata=INTERNAL)

    @property
    def checks(self) -> list[Section]:
        return [s for s in self.sections if s.check]

    def relevant(self, values: Mapping[str, Any]) -> list[Question]:
        """The questions asked for these answers, in order."""
        return [q for q in self.questions.values() if q.is_relevant(values)]


LANGUAGE_CODES = {"zh", "en", "ja", "ko", "fr", "de", "es", "pt", "ru", "it", "vi", "th", "id", "ms", "ar"}


def build_questionnaire(raw: Any, file: str, problems: list[Problem]) -> Questionnaire | None:
    """Validate a parsed questionnaire file; every problem goes into `problems`."""
    languages = ("zh", "en")
    if isinstance(raw, dict):
        declared = raw.get("languages")
        if isinstance(declared, list) and declared and all(isinstance(x, str) for x in declared):
            languages = tuple(declared)
    ctx = Context(file, languages, problems)
    before = len(problems)
    for lang in languages:
        if lang not in LANGUAGE_CODES:
            ctx.add(t("questionnaire.unknown_language", lang=brief(lang)), getattr(raw, "line", None))
    q = build(Questionnaire, raw, ctx)
    if q is None:
        return None
    q.file = file
    _check_structure(q, ctx)
    return q if len(problems) == before else None


def _check_structure(q: Questionnaire, ctx: Context) -> None:
    """Ids are unique, each type has what it needs, and conditions refer only to earlier answers."""
    seen_sections: set[str] = set()
    every_id = {question.id for section in q.sections for question in section.questions}
    for section in q.sections:
        if section.id in seen_sections:
            ctx.add(t("questionnaire.section_twice", id=repr(section.id)), section.line, section.id)
        seen_sections.add(section.id)
        for question in section.questions:
            question.section = section.id
            if question.id in q.questions:
                ctx.add(t("questionnaire.question_twice", id=repr(question.id), line=q.questions[question.id].line),
                        question.line, question.id)
                continue
            _check_question(question, q.questions, every_id, ctx)
            q.questions[question.id] = question  # later questions may refer to this one
    checks = [s.check for s in q.sections if s.check]
    for check in set(checks):
        if checks.count(check) > 1:
            ctx.add(t("questionnaire.check_twice", check=repr(check)), None, check)
    if "cross" in checks:
        ctx.add(t("questionnaire.cross_reserved"), None, "cross")


def _check_question(q: Question, earlier: dict[str, Question], every_id: set[str], ctx: Context) -> None:
    def add(message: str) -> None:
        ctx.add(message, q.line, q.id)

    has_choices = q.type in ("single", "multiple")
    if has_choices and not q.choices:
        add(t("questionnaire.needs_choices", type=q.type))
    if not has_choices and q.choices:
        add(t("questionnaire.no_choices_here", type=q.type))
    values = q.choice_values
    for i, value in enumerate(values):
        if value in values[:i]:
            add(t("questionnaire.choice_twice", value=repr(value)))
    if q.type not in NUMERIC_TYPES or q.type == "scale":
        if q.min is not None or q.max is not None:
            add(t("questionnaire.no_bounds_here", type=q.type))
    if q.type != "scale" and q.labels:
        add(t("questionnaire.labels_scale_only"))
    if q.labels and any(k not in range(1, 6) for k in q.labels):
        add(t("questionnaire.labels_points"))
    if q.max_length is not None and q.type != "text":
        add(t("questionnaire.max_length_type", type=q.type))
    elif q.max_length is not None and not 1 <= q.max_length <= TEXT_MAX_LENGTH_CEILING:
        add(t("questionnaire.max_length_range", hi=TEXT_MAX_LENGTH_CEILING))
    if q.type != "multiple" and (q.min_choices is not None or q.max_choices is not None):
        add(t("questionnaire.choices_multiple_only"))
    if q.type == "multiple" and q.choices:
        if q.min_choices is not None and not 0 <= q.min_choices <= len(values):
            add(t("questionnaire.min_choices", n=len(values)))
        if q.max_choices is not None and not 1 <= q.max_choices <= len(values):
            add(t("questionnaire.max_choices", n=len(values)))
    schema = c.Schema(earlier, allow_findings=False, later=every_id - set(earlier))
    problems = ctx.problems
    if q.ask_if is not None:
        src = c.Source(ctx.file, q.key_lines.get("ask_if", q.line), q.id)
        node = c.parse_condition(q.ask_if, src, problems)
        if node is not None:
            q.ask_if_node = c.resolve_condition(node, schema, src, problems)
    for which in ("min", "max"):
        raw = getattr(q, which)
        if raw is None or q.type not in ("integer", "number"):
            continue
        src = c.Source(ctx.file, q.key_lines.get(which, q.line), q.id)
        node = c.parse_value_expression(raw, src, problems)
        if node is not None:
            setattr(q, f"{which}_node", c.resolve_value(node, schema, src, problems))
            if isinstance(raw, str):  # a bound over other answers is explained with their short names
                q.bound_words[which] = {
                    lang: c.to_text(getattr(q, f"{which}_node"),
                                    name=lambda qid, lang=lang: earlier[qid].label_in(lang) if qid in earlier else qid)
                    for lang in ctx.languages}
    if q.default is not None:
        try:
            q.default = q.validate(q.default, {})  # bounds on other answers are checked when asked
        except ValueError as exc:
            add(t("questionnaire.bad_default", default=brief(q.default), reason=exc))
