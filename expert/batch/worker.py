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
from typing import Any

from expert.answers import validate_answers
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
    result: str = ""  # the results.jsonl object of this community, encoded where it was diagnosed
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
            result = json.dumps({"community": answers.name, **diagnosis.as_dict(), **followup}, ensure_ascii=False)
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
        digest = Digest(diagnosis.overall, diagnosis.verdicts, tuple((f.id, f.severity) for f in diagnosis.findings),
                        diagnosis.first.id if diagnosis.first else None)
        outcome = Outcome(row.number, row.where, answers.name, report.text, result, digest)
        if self.spool is not None:
            self._spool(outcome)
        return outcome

    def _spool(self, outcome: Outcome) -> None:
        """Write the prescription to its temporary file; if that fails, the text goes back to the parent,
        whose own write then says what is wrong with the out-dir."""
        path = os.path.join(self.spool, spool_name(outcome.number))
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(outcome.text)
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


SPOOL_PREFIX = ".shequn-row-"


def spool_name(number: int) -> str:
    """The temporary name of a row's prescription, written by a worker and renamed by the parent; whatever of
    them an interrupted run leaves behind is removed when the out-dir is released (outputs.OutDir)."""
    return f"{SPOOL_PREFIX}{number}.partial"


def _problem_dict(problem: Problem) -> dict[str, Any]:
    item: dict[str, Any] = {"message": _cut(problem.message)}
    if problem.subject:
        item["question"] = _cut(str(problem.subject))
    if problem.line is not None:
        item["line"] = problem.line
    return item


def _cut(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 1] + "…"
