"""Reading rows: the input (a CSV export, JSON lines or a folder of answers files) as a stream of rows, and
a CSV row's text cells turned into an answers document.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, TextIO

from expert.errors import AnswersError, Problem, UsageError
from expert.messages import t
from expert.questionnaire import Question, Questionnaire

# Separators of ticked options in one cell: what people type, and what survey tools export
# (问卷星 joins options with ┋; a Chinese keyboard gives the full-width semicolon).
LIST_SEPARATORS = re.compile(r"[;|；┋]")
YES = {"是", "有", "对", "yes", "y", "true", "t", "1", "√", "✓"}
NO = {"否", "无", "没有", "不是", "错", "no", "n", "false", "f", "0", "×", "✗"}
# Columns that are not answers but the answers document's own keys, e.g. the date of the survey.
ROW_KEYS = ("date", "lang")




@dataclass(frozen=True)
class Row:
    """One community of the input, not yet parsed: its number, where it is, and its raw content."""

    number: int  # spreadsheet row (header = 1), JSONL line, or position in the folder
    where: str  # "input.csv:2", "input.jsonl:7", "answers/城西跑团.yaml"
    kind: str  # "csv" | "json" | "yaml"
    raw: Any  # the row's cells, a JSON line, or a file path


def input_kind(path: Path) -> str:
    if path.is_dir():
        return "yaml"
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "json"
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    raise UsageError(t("batch.unknown_input", file=str(path)))


class Source:
    """An input of many communities: its kind, its columns (CSV) and an iterator over its rows."""

    def __init__(self, path: str | Path, questionnaire: Questionnaire):
        self.path = Path(path)
        self.name = str(path)
        if not self.path.exists():
            raise UsageError(t("cli.file_missing", file=self.name))
        self.kind = input_kind(self.path)
        self.columns: list[str | None] = []
        if self.kind == "csv":
            self.columns = self._read_header(questionnaire)

    def _open(self) -> TextIO:
        # utf-8-sig reads a file with or without the BOM that spreadsheet programs put in front
        return open(self.path, encoding="utf-8-sig", newline="")

    def _read_header(self, questionnaire: Questionnaire) -> list[str | None]:
        try:
            with self._open() as handle:
                header = next(csv.reader(handle, dialect=_dialect(handle)), None)
        except UnicodeDecodeError:
            raise UsageError(t("batch.not_utf8", file=self.name)) from None
        if not header:
            raise UsageError(t("batch.empty_csv", file=self.name))
        return csv_columns(header, questionnaire, self.name)

    def __iter__(self) -> Iterator[Row]:
        if self.kind == "yaml":
            for number, path in enumerate(self._answer_files(), start=1):
                yield Row(number, str(path), "yaml", str(path))
            return
        try:
            with self._open() as handle:
                if self.kind == "json":
                    for number, line in enumerate(handle, start=1):
                        if line.strip():
                            yield Row(number, f"{self.name}:{number}", "json", line)
                    return
                reader = csv.reader(handle, dialect=_dialect(handle))
                next(reader, None)
                # a spreadsheet's own row numbers: the header is row 1
                for number, cells in enumerate(reader, start=2):
                    if any(cell.strip() for cell in cells):
                        yield Row(number, f"{self.name}:{number}", "csv", cells)
        except UnicodeDecodeError:
            raise UsageError(t("batch.not_utf8", file=self.name)) from None

    def _answer_files(self) -> list[Path]:
        return sorted(p for p in self.path.iterdir()
                      if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith("."))

    def count(self) -> int | None:
        """How many rows there are, for the progress bar: one quick pass without parsing answers."""
        try:
            if self.kind == "yaml":
                return len(self._answer_files())
            with self._open() as handle:
                if self.kind == "json":
                    return sum(1 for line in handle if line.strip())
                return max(0, sum(1 for _ in csv.reader(handle, dialect=_dialect(handle))) - 1)
        except (OSError, UnicodeDecodeError, csv.Error):
            return None


def _dialect(handle: TextIO) -> type[csv.Dialect]:
    """Comma-separated, or tab-separated when the header says so (some tools export TSV as .csv)."""
    start = handle.read(4096)
    handle.seek(0)
    first = start.lstrip("\ufeff").split("\n", 1)[0]
    return csv.excel_tab if first.count("\t") > first.count(",") else csv.excel


def csv_columns(header: list[str], questionnaire: Questionnaire, file: str) -> list[str | None]:
    """The question id (or answers-document key) of each column; raises on a column nobody knows.

    A header cell may be the question id or, as survey tools export it, the question's text.
    """
    by_text: dict[str, str] = {}
    for q in questionnaire.questions.values():
        for text in q.text.values():
            by_text.setdefault(_norm(text), q.id)
    columns: list[str | None] = []
    problems = []
    for index, cell in enumerate(header, start=1):
        name = cell.strip()
        if name in questionnaire.questions or name in ROW_KEYS:
            columns.append(name)
        elif _norm(name) in by_text:
            columns.append(by_text[_norm(name)])
        elif not name:
            columns.append(None)  # an empty trailing column, as spreadsheets leave
        else:
            import difflib

            near = difflib.get_close_matches(name, list(questionnaire.questions), n=1, cutoff=0.6)
            hint = t("answers.did_you_mean", name=near[0]) if near else ""
            problems.append(Problem(t("batch.unknown_column", name=name, hint=hint), file, 1, index))
            columns.append(None)
    seen = Counter(c for c in columns if c)
    for qid, n in seen.items():
        if n > 1:
            problems.append(Problem(t("batch.duplicate_column", name=qid), file, 1))
    if problems:
        raise AnswersError(t("batch.bad_header", file=file, n=len(problems)), problems)
    return columns


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().lower()




class CellReader:
    """Turns a CSV row's text cells into answer values of each question's type.

    A cell that does not read as its type is passed on as it is, so that validation reports it
    with the question's own message ("expected a whole number, got '12人'").
    """

    def __init__(self, questionnaire: Questionnaire, columns: list[str | None]):
        self.questionnaire = questionnaire
        self.columns = columns
        self.choices: dict[str, dict[str, str]] = {}
        for q in questionnaire.questions.values():
            if q.choices:
                names: dict[str, str] = {}
                for ch in q.choices:
                    for label in ch.label.values():
                        names.setdefault(_norm(label), ch.value)
                for ch in q.choices:  # a value wins over a label that happens to spell it
                    names[_norm(ch.value)] = ch.value
                self.choices[q.id] = names

    def document(self, cells: list[str]) -> dict[str, Any]:
        extra = [cell for cell in cells[len(self.columns):] if cell.strip()]
        if extra:  # a shifted row: reading it by the header would put answers under wrong questions
            raise AnswersError(t("batch.extra_cells", n=len(cells), columns=len(self.columns)),
                               [Problem(t("batch.extra_cells", n=len(cells), columns=len(self.columns)))])
        answers: dict[str, Any] = {}
        doc: dict[str, Any] = {"answers": answers}
        for column, cell in zip(self.columns, cells):
            if column is None:
                continue
            if column in ROW_KEYS:
                if cell.strip():
                    doc[column] = cell.strip()
                continue
            value = self.value(self.questionnaire.questions[column], cell)
            if value is not None:
                answers[column] = value
        return doc

    def value(self, q: Question, cell: str) -> Any:
        text = cell.strip()
        if not text:
            # an empty cell is an unanswered question, except where "none ticked" is the only
            # valid reading: a required multiple choice that may be left with nothing ticked
            if q.type == "multiple" and q.required and not q.min_choices:
                return []
            return None
        kind = q.type
        if kind in ("integer", "scale", "number"):
            return _number(text, whole=kind != "number")
        if kind == "yesno":
            low = _norm(text)
            return True if low in YES else False if low in NO else text
        if kind == "single":
            return self.choices[q.id].get(_norm(text), text)
        if kind == "multiple":
            names = self.choices[q.id]
            return [names.get(_norm(item), item.strip()) for item in LIST_SEPARATORS.split(text) if item.strip()]
        return text


def to_cell(q: Question, value: Any) -> str:
    """An answer as a CSV cell, the way CellReader reads it back (for exports, tests and the benchmark)."""
    if value is None:
        return ""
    if q.type == "multiple":
        return ";".join(value)
    if q.type == "yesno":
        return "yes" if value else "no"
    return str(value)


def _number(text: str, whole: bool) -> Any:
    plain = unicodedata.normalize("NFKC", text).replace(",", "").replace("_", "").strip()
    try:
        return int(plain)
    except ValueError:
        pass
    try:
        value = float(plain)
    except ValueError:
        return text
    if value != value or value in (float("inf"), float("-inf")):
        return text
    return int(value) if whole and value == int(value) else value

