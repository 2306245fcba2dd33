"""One row, in whichever process: its answers read and validated, diagnosed and written up as an Outcome.

Whatever goes wrong with one row is that row's outcome, never the run's: a bad answer, a document too big to
be answers, and an error nobody foresaw (a bug, a template that fails on these answers) alike. Only
interruptions (BaseException: Ctrl-C, SIGTERM, exit) pass through.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any

from expert.answers import validate_answers
from expert.batch.outputs import safe_name, spool_name, write_file
from expert.batch.rows import MAX_DEPTH, MAX_VALUES, CellReader, Row, file_document, json_document
from expert.errors import AnswersError, KnowledgeBaseError, Problem, UsageError
from expert.messages import t

log = logging.getLogger(__name__)

MAX_MESSAGE = 500  # characters of one problem: a message quoting a huge answer is cut, not copied whole


@dataclass
class Outcome:
    """What became of one row: a prescription and its result, or the problems that stopped it."""

    number: int
    where: str
    name: str = ""
    text: str = ""
    # the row's results.jsonl line, encoded where the row was diagnosed, but for the prescription's file name, which
    # only the process that writes the files can give (outputs.Names): the bytes before it and after it
    result: tuple[bytes, bytes] = (b"", b"")
    base: str = ""  # the prescription's file name before a number makes it unique (outputs.safe_name)
    digest: Digest | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    by_position: tuple[str, ...] = ()  # questions whose cells were option numbers (rows.CellReader)
    spooled: str = ""  # the file the worker wrote `text` to (then not sent back): the parent names it

    @property
    def ok(self) -> bool:
        return self.digest is not None


@dataclass(frozen=True)
class Digest:
    """What the summary counts of one diagnosis."""

    verdict: str
    verdicts: dict[str, str]
    findings: tuple[tuple[str, str], ...]  # (id, severity), most urgent first
    treat_first: str | None


class Worker:
    """Diagnoses rows with one Checkup, built once per process and reused for every row."""

    def __init__(self, checkup, columns: list[str | None], fmt: str, lang: str | None, history=None,
                 spool: str | None = None):
        self.checkup = checkup
        checkup.renderer.keep_templates()  # one template for every row of the run
        self.questionnaire = checkup.kb.questionnaire
        self.cells = CellReader(self.questionnaire, columns)
        self.fmt = fmt
        self.lang = lang
        self.history = history  # --since: earlier checkups by community name (expert/batch/history.py)
        # a worker process writes each prescription here itself, under a temporary name (`spool_name`), and
        # the parent only renames it: the text does not cross the pipe, and the writing is done on every core
        self.spool = spool

    def key(self) -> tuple:
        return (str(self.checkup.kb.root), self.cells.columns, self.fmt, self.lang, self.spool)

    def document(self, row: Row) -> Any:
        """The row's answers document, parsed but not validated."""
        if row.kind == "csv":
            return self.cells.document(row.raw)
        if row.kind == "json":
            return json_document(row.raw, self.lang)
        if row.kind == "yaml":
            return file_document(row.raw, row.where, self.lang)
        raise AnswersError(row.problem(self.lang))

    def __call__(self, row: Row) -> Outcome:
        outcome = self._diagnose(row)
        if row.kind == "csv" and self.cells.by_position:
            outcome.by_position = tuple(q for q in self.questionnaire.questions if q in self.cells.by_position)
        return outcome

    def _diagnose(self, row: Row) -> Outcome:
        self.cells.by_position = set()
        try:
            answers = validate_answers(self.document(row), self.questionnaire, row.where, self.lang)
            since = self.history.get(answers.name) if self.history is not None else None
            report = self.checkup.report(answers, self.fmt, self.lang, since=since)
            diagnosis = report.diagnosis
            followup = {"followup": report.followup.as_dict()} if report.followup is not None else {}
            result = _result(row, answers.name, {**diagnosis.as_dict(), **followup})
        except (AnswersError, UsageError) as exc:  # UsageError: the earlier checkup is dated after this one
            problems = exc.problems or [Problem(exc.message, row.where)]
            return Outcome(row.number, row.where, problems=[_problem_dict(p) for p in problems])
        except KnowledgeBaseError as exc:  # a template or text that fails on these answers: said where it fails
            return self.failed(row, t("batch.row_kb_failed", self.lang,
                                      reason="; ".join(map(str, exc.problems)) or exc.message))
        except RecursionError:
            return self.failed(row, t("batch.too_big", self.lang, values=MAX_VALUES, depth=MAX_DEPTH))
        except MemoryError:
            return self.failed(row, t("batch.out_of_memory", self.lang))
        except Exception as exc:  # a bug, or a template that fails on these answers: this row's, not the run's
            log.debug("%s could not be diagnosed", row.where, exc_info=True)
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            return self.failed(row, t("batch.row_crashed", self.lang, reason=reason))
        found = result[2]
        digest = Digest(found["verdict"], found["verdicts"], tuple([(f.id, f.severity) for f in diagnosis.findings]),
                        found["treat_first"])
        outcome = Outcome(row.number, row.where, answers.name, report.text, result[:2],
                          safe_name(answers.name) or f"row-{row.number}", digest)
        if self.spool is not None:
            self._spool(outcome)
        return outcome

    def _spool(self, outcome: Outcome) -> None:
        """Write the prescription to its temporary file; if that fails, the text goes back to the parent,
        whose own write then says what is wrong with the out-dir."""
        path = os.path.join(self.spool, spool_name(outcome.number))
        try:
            write_file(path, outcome.text)
        except OSError:
            try:
                os.unlink(path)
            except OSError:
                pass
            return
        outcome.spooled, outcome.text = path, ""

    @staticmethod
    def failed(row: Row, message: str) -> Outcome:
        return Outcome(row.number, row.where, problems=[{"message": _cut(message)}])


# json.dumps(..., ensure_ascii=False), made once; without the check for a value that contains itself, which no
# diagnosis does (one would end in RecursionError, which is that row's problem, instead of ValueError)
_JSON = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def _result(row: Row, name: str, found: dict[str, Any]) -> tuple[bytes, bytes, dict[str, Any]]:
    """The results.jsonl line of a community diagnosed as `found` (Diagnosis.as_dict and its follow-up), before
    and after the prescription's file name, and `found` itself: the line is
    `{"row": …, "source": …, "file": …, "community": …, **found}` as json.dumps(ensure_ascii=False) writes it.

    `found` is encoded apart from the community's name: it is mostly ASCII, and a text that is all ASCII is
    joined and turned into UTF-8 bytes several times faster than one with a Chinese name in it."""
    head = f'{{"row": {int(row.number)}, "source": {encode_basestring(row.where)}, "file": '
    community = ', "community": ' + encode_basestring(name) + ", "  # joined to `found` as bytes, not as text:
    # one Chinese character in the text would make all of it wide text, slower to join and to turn into UTF-8
    tail = b"".join((community.encode("utf-8"), _JSON.encode(found)[1:].encode("utf-8"), b"\n"))
    return head.encode("utf-8"), tail, found


def _problem_dict(problem: Problem) -> dict[str, Any]:
    item: dict[str, Any] = {"message": _cut(problem.message)}
    if problem.subject:
        item["question"] = _cut(str(problem.subject))
    if problem.line is not None:
        item["line"] = problem.line
    return item


def _cut(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 1] + "…"
