"""Answers files: read and validate them against the questionnaire, and write them atomically.

The interview writes the same format that `shequn diagnose` reads, so one file can be answered,
interrupted, resumed and diagnosed.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import field
from pathlib import Path
from typing import Any, Mapping

import yaml

from expert import conditions as c
from expert.coercion import coerce, suggestion
from expert.errors import AnswersError, Problem
from expert.messages import brief, language, t
from expert.policy import VERDICTS
from expert.questionnaire import Questionnaire
from expert.files import read_text, write_atomically
from expert.records import record
from expert.yamlio import dump_yaml, parse_yaml, yaml_problem

TOP_KEYS = ("questionnaire", "version", "date", "lang", "story", "answers", "expect")
EXPECT_KEYS = ("verdicts", "first", "findings")
MISSING_LISTED = 3  # more required questions left unanswered than this are counted, not listed: the file is
# an interview left half-way, not one with a question forgotten


@record
class Expectation:
    """What a golden case expects: findings, and (an expert case) each check's verdict and the first problem."""

    findings: list[str] | None = None
    verdicts: dict[str, str] | None = None
    first: str | None = None
    has_first: bool = False  # `first:` was given (it may be none: nothing to treat)


@record
class Answers:
    """A community's validated answers, keyed by question id (only the questions that were asked)."""

    questionnaire: str
    version: int
    values: dict[str, Any]
    date: dt.date | None = None
    lang: str | None = None
    expect: Expectation | None = None
    story: str | None = None
    file: str | None = None
    notes: list[Problem] = field(default_factory=list)  # answers dropped as irrelevant, etc.
    # optional questions asked and deliberately left empty, written as `id: null` (id: ~); in questionnaire
    # order. An interview resumed from the file does not ask them again; a diagnosis reads them as unanswered.
    empty: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return str(self.values.get("community_name") or "")


def read_answers(path: str | Path, questionnaire: Questionnaire, name: str | None = None, *,
                 complete: bool = True) -> Answers:
    """Read and validate an answers file; raises AnswersError listing every problem.

    `complete=False` accepts required questions still unanswered (a half-finished interview)."""
    name = name or str(path)
    return validate_answers(read_document(path, name), questionnaire, name, complete=complete, resumable=str(path))


def read_document(path: str | Path, name: str) -> Any:
    """An answers file parsed, not yet validated; raises AnswersError when it cannot be read or parsed."""
    try:
        text = read_text(Path(path))
    except OSError as exc:
        raise AnswersError(t("answers.unreadable", file=name, reason=exc.strerror or exc)) from None
    try:
        return parse_yaml(text, name)
    except yaml.YAMLError as exc:
        problem = yaml_problem(exc, name)
        raise AnswersError(t("answers.problems", file=name, n=1), [problem]) from None


def validate_answers(data: Any, questionnaire: Questionnaire, name: str, lang: str | None = None, *,
                     complete: bool = True, resumable: str | None = None) -> Answers:
    """Check a parsed answers document (a file, a CSV row, a JSON line) against the questionnaire;
    `complete=False` accepts required questions still unanswered.

    `resumable` is the file an interview may continue: when nothing is wrong with it but many required
    questions are still unanswered, it is called unfinished, with the command that continues it (none
    for `-`, standard input), instead of listing every question left."""
    if not isinstance(data, dict):
        raise AnswersError(t("answers.not_mapping", lang, file=name))
    problems: list[Problem] = []

    def add(message: str, key: str | None = None, subject: str | None = None, where: Any = data) -> None:
        line = where.line_of(key) if hasattr(where, "line_of") and key is not None else getattr(where, "line", None)
        problems.append(Problem(message, name, line, None, subject))

    # answers written at the top level, without `answers:`, are the most common mistake: say so once
    misplaced = [key for key in data if key not in TOP_KEYS and key in questionnaire.questions]
    for key in data:
        if key not in TOP_KEYS and key not in misplaced:
            add(t("answers.unknown_key", lang, key=brief(key), allowed=", ".join(TOP_KEYS)), key)
    if misplaced:
        shown = t("answer.list_sep", lang).join(map(str, misplaced[:5])) + ("…" if len(misplaced) > 5 else "")
        add(t("answers.at_top_level", lang, keys=shown), misplaced[0])
    qid = data.get("questionnaire", questionnaire.id)
    version = data.get("version", questionnaire.version)
    if qid != questionnaire.id:
        add(t("answers.wrong_questionnaire", lang, got=brief(qid), want=questionnaire.id), "questionnaire")
    elif version != questionnaire.version:
        add(t("answers.wrong_version", lang, qid=qid, got=brief(version), want=questionnaire.version), "version")
    date = data.get("date")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            add(t("answers.bad_date", lang), "date")
            date = None
    elif isinstance(date, dt.datetime):
        date = date.date()
    elif date is not None and not isinstance(date, dt.date):
        add(t("answers.bad_date", lang), "date")
        date = None
    expect = None
    if "expect" in data:
        expect = _expectation(data["expect"], lambda key: add(t("answers.bad_expect", lang), "expect",
                                                              where=data["expect"] if key else data))
    story = data.get("story")
    if story is not None and not isinstance(story, str):
        add(t("answers.bad_story", lang), "story")
        story = None
    raw = data.get("answers")
    if not isinstance(raw, dict):
        if not misplaced:
            add(t("answers.no_answers", lang), "answers")
        raw = {}
    # misplaced answers are checked where they stand, so that they are not also reported missing
    given = {**{key: data[key] for key in misplaced}, **raw} if misplaced else raw
    missing: list[str] = []
    values, notes = check_values(given, questionnaire, lang,
                                 lambda m, k: add(m, k, k, raw if k in raw else data), name, complete,
                                 missing if resumable is not None else None)
    if missing:
        first = questionnaire.questions[missing[0]].text_in(lang or language())
        if not problems and len(missing) > MISSING_LISTED:
            message = t("answers.unfinished", lang, file=name, n=len(missing), first=first)
            if resumable != "-":
                import shlex

                from expert.terminal import program  # it brings wcwidth, which only this message needs

                command = f"{program()} interview --answers {shlex.quote(str(resumable))} --resume"
                message += "\n" + t("interview.continue", lang, command=command)
            raise AnswersError(message)
        if len(missing) > MISSING_LISTED:  # among other problems, the questions left are one of them
            add(t("answers.missing_many", lang, n=len(missing), first=first), missing[0], missing[0], data)
        else:
            for qid in missing:
                text = questionnaire.questions[qid].text_in(lang or language())
                add(t("answers.missing", lang, text=text), qid, qid, raw if qid in raw else data)
    if problems:
        raise AnswersError(t("answers.problems", lang, file=name, n=len(problems)), problems)
    doc_lang = data.get("lang") if data.get("lang") in questionnaire.languages else None
    return Answers(questionnaire.id, questionnaire.version, values, date, doc_lang, expect, story, name, notes,
                   left_empty(given, values, questionnaire))


def left_empty(given: Mapping[str, Any], values: Mapping[str, Any], questionnaire: Questionnaire) -> tuple[str, ...]:
    """The optional questions asked for these answers that were given as empty (null, blank text), not omitted."""
    if given.keys() <= values.keys():  # every answer given was taken: none of them was empty (most rows)
        return ()
    return tuple(q.id for q in questionnaire.questions.values()
                 if q.id in given and q.id not in values and not q.required and is_blank(given[q.id])
                 and q.is_relevant(values))


def _expectation(raw: Any, bad) -> Expectation | None:
    """`expect:` of a golden case; `bad(key)` reports a malformed one."""
    if not isinstance(raw, dict) or not raw or any(k not in EXPECT_KEYS for k in raw):
        bad(None)
        return None
    out = Expectation()
    if "findings" in raw:
        found = raw["findings"]
        if not isinstance(found, list) or not all(isinstance(f, str) for f in found):
            bad("findings")
            return None
        out.findings = list(found)
    if "verdicts" in raw:
        verdicts = raw["verdicts"]
        if not isinstance(verdicts, dict) or not all(isinstance(k, str) and v in VERDICTS for k, v in verdicts.items()):
            bad("verdicts")
            return None
        out.verdicts = dict(verdicts)
    if "first" in raw:
        first = raw["first"]
        if first is not None and not isinstance(first, str):
            bad("first")
            return None
        out.first, out.has_first = first, True
    return out


def check_values(raw: Mapping[str, Any], questionnaire: Questionnaire, lang: str | None, add, name: str = "",
                 complete: bool = True, missing: list[str] | None = None) -> tuple[dict[str, Any], list[Problem]]:
    """Validate answer values in questionnaire order; `add(message, question_id)` takes each problem,
    and `missing`, where given, the ids of required questions left unanswered instead.

    Returns the normalised values of the questions that are asked for these answers, and notes on
    answers given to questions that the skip logic leaves out (they are not used).
    """
    questions = questionnaire.questions
    for key in raw:
        if key not in questions:
            import difflib  # only for a mistake

            near = difflib.get_close_matches(str(key), list(questions), n=1, cutoff=0.6)
            hint = t("answers.did_you_mean", lang, name=near[0]) if near else ""
            add(t("answers.unknown_question", lang, hint=hint), key)
    values: dict[str, Any] = {}
    notes: list[Problem] = []
    for q, qid, asked, memory, quick in _checks_of(questionnaire).steps:
        given = raw.get(qid)
        if asked is not None and asked(values) is not True:  # skip logic: `q.is_relevant(values)`, compiled
            if given is not None:
                notes.append(Problem(t("answers.not_asked", lang, condition=q.ask_if), name,
                                     None, None, qid, "warning"))
            continue
        if given is None or (isinstance(given, str) and not given.strip()) or given == []:  # is_blank(given)
            if complete and q.required and not (q.type == "multiple" and given == [] and not q.min_choices):
                if missing is not None:
                    missing.append(qid)
                else:
                    add(t("answers.missing", lang, text=q.text_in(lang or language())), qid)
            if q.type == "multiple" and given == []:
                values[qid] = []
            continue
        if quick is not None:
            value = quick(given, values)
            if value is not _NOT_KNOWN:
                values[qid] = value
                continue
        elif memory is not None:  # _Checks.recall, inlined: most answers are taken from here
            kind = type(given)
            try:
                value = memory.get((list, tuple([(type(v), v) for v in given])) if kind is list else (kind, given),
                                   _NOT_KNOWN)
            except TypeError:  # an answer that cannot be a key (a mapping where a value belongs): checked afresh
                value = _NOT_KNOWN
            if value is not _NOT_KNOWN:
                values[qid] = list(value) if type(value) is list else value
                continue
        try:
            values[qid] = value = q.validate(coerce(q, given), values, lang)
        except ValueError as exc:
            add(str(exc) + suggestion(q, given, lang), qid)
            continue
        if memory is not None:
            _Checks.remember(memory, given, value)
    return values, notes


_NOT_KNOWN = object()


class _Checks:
    """What `check_values` needs of each question, worked out once per questionnaire: its skip logic compiled,
    and a shortcut past `Question.validate` for the answers most rows give.

    A number (an integer or number question) given as such is taken as it is when it lies within the bounds,
    which are compiled (`_quick_number`). Any other answer to a question whose check reads no other answer is
    remembered once checked (the same option, 是/否 or scale point, row after row of a survey export) and then
    taken from memory rather than read and checked again. Only answers that passed are remembered, by their type
    as well as their value (True is not 1), and a value that can change (a list of options) is handed out as a
    copy. Whatever a shortcut does not take goes through `Question.validate`, which also says what is wrong."""

    MEMORY = 256  # answers remembered per question; forgotten all at once past it, so memory stays flat in a long
    # batch, and a question whose answers never repeat does not push out the others'

    def __init__(self, questionnaire: Questionnaire):
        self.questionnaire = questionnaire  # kept, so that its id is not reused while this is cached
        self.memory: dict[str, dict[tuple, Any]] = {q.id: {} for q in questionnaire.questions.values()}
        self.steps = []  # (question, its id, skip logic compiled, memory or None, quick check or None)
        for q in questionnaire.questions.values():
            asked = c.compiled(q.ask_if_node) if q.ask_if_node is not None else None
            quick = _quick_number(q) if q.type in ("integer", "number") else None
            remembered = (quick is None and q.type != "text" and not c.answers_used(q.min_node)
                          and not c.answers_used(q.max_node))
            self.steps.append((q, q.id, asked, self.memory[q.id] if remembered else None, quick))

    @staticmethod
    def _key(given: Any) -> tuple:
        if type(given) is list:
            return list, tuple((type(v), v) for v in given)
        return type(given), given

    @classmethod
    def remember(cls, memory: dict[tuple, Any], given: Any, value: Any) -> None:
        if len(memory) >= cls.MEMORY:
            memory.clear()
        try:
            memory[cls._key(given)] = list(value) if type(value) is list else value
        except TypeError:
            pass


def _quick_number(q) -> Any:
    """`q.validate(answer, values)` of an integer or number question, for an answer that is an int (or, for a
    number question, a finite float) within the question's bounds: the answer itself, as validate returns it;
    _NOT_KNOWN for anything else, which validate then checks and refuses with its message.

    The bounds are `Question.bounds`' own expressions, compiled once (`conditions.compiled` gives what
    `conditions.evaluate` gives); a bound that is unknown for these answers does not bound, as there. A bound
    that is no number leaves the answer to validate, which raises what it raises."""
    lo_fixed, lowest = _bound(q.min_node)
    hi_fixed, highest = _bound(q.max_node)
    kinds = (int,) if q.type == "integer" else (int, float)
    unknown = c.UNKNOWN

    def quick(given: Any, values: Mapping[str, Any]) -> Any:
        kind = type(given)
        if kind not in kinds or (kind is float and not math.isfinite(given)):
            return _NOT_KNOWN
        lo = lo_fixed if lowest is None else lowest(values)
        if lo is not None and lo is not unknown and (type(lo) not in (int, float) or given < lo):
            return _NOT_KNOWN
        hi = hi_fixed if highest is None else highest(values)
        if hi is not None and hi is not unknown and (type(hi) not in (int, float) or given > hi):
            return _NOT_KNOWN
        return given
    return quick


def _bound(node: Any) -> tuple[Any, Any]:
    """(the bound, None) of a constant bound or of none; (None, the bound's expression compiled) of another."""
    if node is None:
        return None, None
    if isinstance(node, c.Const):
        return node.value, None
    return None, c.compiled(node)


_CHECKS: dict[int, _Checks] = {}


def _checks_of(questionnaire: Questionnaire) -> _Checks:
    checks = _CHECKS.get(id(questionnaire))
    if checks is None or checks.questionnaire is not questionnaire:
        if len(_CHECKS) >= 8:  # a few knowledge bases per process at most: tests, `check`
            _CHECKS.clear()
        checks = _CHECKS[id(questionnaire)] = _Checks(questionnaire)
    return checks


def is_blank(given: Any) -> bool:
    """An answer left empty: nothing, blank text or no option ticked."""
    return given is None or (isinstance(given, str) and not given.strip()) or given == []


def answers_document(answers: Answers, questionnaire: Questionnaire | None = None) -> dict:
    """The answers as the mapping written to a file; the questions left empty are there as null, in the
    questionnaire's order when it is given."""
    doc: dict[str, Any] = {"questionnaire": answers.questionnaire, "version": answers.version}
    if answers.date:
        doc["date"] = answers.date.isoformat()
    if answers.lang:
        doc["lang"] = answers.lang
    if answers.story:
        doc["story"] = answers.story
    given = {**answers.values, **{qid: None for qid in answers.empty}}
    if questionnaire is not None:
        given = {qid: given[qid] for qid in questionnaire.questions if qid in given}
    doc["answers"] = given
    if answers.expect is not None:
        expect: dict[str, Any] = {}
        if answers.expect.verdicts is not None:
            expect["verdicts"] = dict(answers.expect.verdicts)
        if answers.expect.has_first:
            expect["first"] = answers.expect.first
        if answers.expect.findings is not None:
            expect["findings"] = list(answers.expect.findings)
        doc["expect"] = expect
    return doc


def write_answers(path: str | Path, answers: Answers, questionnaire: Questionnaire | None = None) -> None:
    """Rewrite the answers file atomically: a crash leaves the old file or the new one, never half."""
    header = "# shequn 社群体检 answers — `shequn diagnose` reads this file\n"
    write_atomically(Path(path), header + dump_yaml(answers_document(answers, questionnaire)))
