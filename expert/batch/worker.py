"""One row, in whichever process: its answers read and validated, diagnosed and written up as an Outcome."""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass, field
from typing import Any

from expert.answers import validate_answers
from expert.batch.rows import CellReader, Row
from expert.errors import AnswersError, Problem
from expert.messages import t


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

    def __init__(self, checkup, columns: list[str | None], fmt: str, lang: str | None):
        self.checkup = checkup
        self.questionnaire = checkup.kb.questionnaire
        self.cells = CellReader(self.questionnaire, columns)
        self.fmt = fmt
        self.lang = lang

    def key(self) -> tuple:
        return (str(self.checkup.kb.root), self.cells.columns, self.fmt, self.lang)

    def parse(self, row: Row) -> Any:
        if row.kind == "csv":
            return self.cells.document(row.raw)
        if row.kind == "json":
            data = json.loads(row.raw)
            if isinstance(data, dict) and not isinstance(data.get("answers"), dict):
                data = {"answers": data}  # a bare answers object
            return data
        raise AssertionError(row.kind)  # pragma: no cover

    def __call__(self, row: Row) -> Outcome:
        try:
            if row.kind == "yaml":
                answers = self.checkup.read(row.raw, row.where)
            else:
                answers = validate_answers(self.parse(row), self.questionnaire, row.where, self.lang)
        except AnswersError as exc:
            problems = exc.problems or [Problem(exc.message, row.where)]
            return Outcome(row.number, row.where, problems=[_problem_dict(p) for p in problems])
        except json.JSONDecodeError as exc:
            message = t("batch.bad_json", self.lang, reason=exc.msg, column=exc.colno)
            return Outcome(row.number, row.where, problems=[{"message": message}])
        report = self.checkup.report(answers, self.fmt, self.lang)
        diagnosis = report.diagnosis
        result = json.dumps({"community": answers.name, **diagnosis.as_dict()}, ensure_ascii=False)
        digest = Digest(diagnosis.overall, diagnosis.verdicts, tuple((f.id, f.severity) for f in diagnosis.findings),
                        diagnosis.first.id if diagnosis.first else None)
        return Outcome(row.number, row.where, answers.name, report.text, result, digest)


def _problem_dict(problem: Problem) -> dict[str, Any]:
    item: dict[str, Any] = {"message": problem.message}
    if problem.subject:
        item["question"] = problem.subject
    if problem.line is not None:
        item["line"] = problem.line
    return item


_worker: Worker | None = None


def _init_worker(kb_root: str, columns: list[str | None], fmt: str, lang: str | None) -> None:
    """Pool initializer: build this process's Checkup once, unless it came over with a fork."""
    global _worker
    # Ctrl-C is the parent's to handle: it stops the pool and keeps what was written
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _worker is not None and _worker.key() == (kb_root, columns, fmt, lang):
        return
    from expert.checkup import Checkup

    _worker = Worker(Checkup.load(kb_root), columns, fmt, lang)


def _work(row: Row) -> Outcome:
    assert _worker is not None
    return _worker(row)

