"""Reading rows: the input (a survey export as CSV or .xlsx, JSON lines or a folder of answers files) as a
stream of rows, and each row's raw content turned into an answers document.

Which question each column holds is `layouts`' business; how a spreadsheet's bytes become text cells is
`sheets`'. A row that cannot be read (a line or file too long, bytes the file's encoding cannot read, a CSV cell
past the csv module's limit) is still a row: it carries the reason, so that it is reported with its number and the rows after it are
read as usual. Only what spoils every row (no header, an unreadable file) stops the run before it starts.
"""

from __future__ import annotations

import codecs
import csv
import json
import math
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from expert.batch import sheets
from expert.batch.layouts import (PLACEHOLDERS, ROW_KEYS, Column, choice_names, is_placeholder, one_choice,
                                  read_header, split_choices, ticked, unknown_note)
from expert.coercion import number as read_number, yes_or_no
from expert.errors import AnswersError, Problem, UsageError
from expert.limits import MAX_NUMBER_DIGITS
from expert.messages import t
from expert.questionnaire import Question, Questionnaire

# One community's answers take a few kilobytes and a few hundred values, three levels deep. Far past that a
# record is a mistake or an attack (a YAML alias bomb expands to billions of values), never answers.
MAX_RECORD_BYTES = 1 << 20
MAX_VALUES = 10_000
MAX_DEPTH = 10
MAX_DIGITS = 30  # an integer longer than this is no count of anything
UTF8_CHECKED = 4096  # bytes at the start of a file that decide whether it is UTF-8 at all
UNREADABLE = "unreadable"
MAX_TITLE_ROWS = 3  # one-cell rows above a header that are read as its title, not as the header


@dataclass(frozen=True)
class Row:
    """One community of the input, not yet parsed: its number, where it is, and its raw content."""

    number: int  # spreadsheet row (header = 1), JSONL line, or position in the folder
    where: str  # "input.csv:2", "input.jsonl:7", "answers/城西跑团.yaml"
    kind: str  # "csv" | "json" | "yaml" | UNREADABLE
    raw: Any  # the row's cells, a JSON line, a file path, or (message key, values) of why it cannot be read

    def problem(self, lang: str | None) -> str:
        """Why an UNREADABLE row cannot be read."""
        key, values = self.raw
        return t(key, lang, **values)


def input_kind(path: Path) -> str:
    if path.is_dir():
        return "yaml"
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "json"
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in (".xls", ".et", ".numbers", ".ods"):
        raise UsageError(t("batch.old_spreadsheet", file=str(path)))
    raise UsageError(t("batch.unknown_input", file=str(path)))


class Source:
    """An input of many communities: its kind, its columns (a table) and an iterator over its rows.

    `notes` are what a user should hear before the run: columns skipped as a survey tool's own, an encoding
    guessed."""

    def __init__(self, path: str | Path, questionnaire: Questionnaire, encoding: str | None = None):
        self.path = Path(path)
        self.name = str(path)
        if not self.path.exists():
            raise UsageError(t("cli.file_missing", file=self.name))
        self.kind = input_kind(self.path)
        self.columns: list[Column] = []
        self.notes: list[str] = []
        self.encoding = sheets.check_encoding(encoding) if encoding else None
        self.header_row = 1
        try:
            if self.kind == "yaml":
                self._answer_files()
            elif self.kind == "json":
                self._check_encoding()
            elif self.kind == "csv" and not self.encoding:
                self.encoding = sheets.detect_encoding(self.path, self.name)
                if self.encoding not in ("utf-8-sig", "utf-8"):
                    self.notes.append(t("batch.read_as", file=self.name, encoding=self.encoding.upper()))
            if self.kind in ("csv", "xlsx"):
                self.columns = self._read_header(questionnaire)
        except OSError as exc:
            raise UsageError(t("answers.unreadable", file=self.name, reason=exc.strerror or exc)) from None

    def _check_encoding(self) -> None:
        """A JSON lines file whose first bytes are not UTF-8 is refused as a whole; further on, a line that is not
        UTF-8 is that line's problem."""
        with open(self.path, "rb") as handle:
            head = handle.read(UTF8_CHECKED)
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            raise UsageError(t("batch.not_utf8", file=self.name)) from None

    def _table(self) -> Iterator[tuple[int, list[str] | tuple[str, dict[str, Any]]]]:
        """(spreadsheet row number, cells or why the row cannot be read) of a CSV or the workbook's first sheet."""
        if self.kind == "xlsx":
            yield from enumerate(sheets.xlsx_rows(self.path, self.name), start=1)
            return
        with sheets.open_text(self.path, self.encoding or "utf-8-sig") as handle:
            reader = csv.reader(handle, dialect=sheets.dialect(handle))
            number = 0
            while True:
                number += 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:  # the reader drops the rest of that line and goes on with the next
                    yield number, _csv_problem(exc)
                    continue
                if cells and not _is_utf8(cells):
                    encoding = (self.encoding or "utf-8").upper().replace("-SIG", "")
                    yield number, ("batch.row_bad_encoding", {"encoding": encoding})
                    continue
                if cells and number == 1:
                    cells[0] = cells[0].lstrip("\ufeff")
                yield number, cells

    def _read_header(self, questionnaire: Questionnaire) -> list[Column]:
        header = None
        titles: list[tuple[int, list[str]]] = []
        for number, cells in self._table():
            if isinstance(cells, tuple):
                key, values = cells
                if key == "batch.row_bad_encoding":
                    raise UsageError(t("batch.unknown_encoding", file=self.name))
                raise UsageError(t("batch.bad_header_row", file=self.name, reason=t(key, **values)))
            if not any(c.strip() for c in cells) or sheets.is_comment(cells):
                continue
            if sum(1 for c in cells if c.strip()) == 1 and len(titles) < MAX_TITLE_ROWS:
                # a title above the header, often merged across it ("社群调查 数据导出"), or a one-column table
                titles.append((number, cells))
                continue
            header, self.header_row = cells, number
            break
        if header is None and titles:  # nothing but one-cell rows: the first of them is a one-column header
            (self.header_row, header), titles = titles[0], []
        if not header:
            raise UsageError(t("batch.empty_csv", file=self.name))
        if titles:
            self.notes.append(t("batch.title_rows", file=self.name, rows=t("batch.column_list_sep").join(str(n) for n, _ in titles),
                                header=self.header_row))
        found = read_header(header, questionnaire, self.name, self.header_row)
        if found.skipped:
            self.notes.append(t("batch.skipped_columns", n=len(found.skipped), names=t("batch.column_list_sep").join(found.skipped)))
        unknown = unknown_note(found, questionnaire, self.name)
        if unknown:
            self.notes.append(unknown)
        return found.columns

    def __iter__(self) -> Iterator[Row]:
        if self.kind == "yaml":
            for number, path in enumerate(self._answer_files(), start=1):
                yield Row(number, str(path), "yaml", str(path))
        elif self.kind == "json":
            yield from self._json_rows()
        else:
            yield from self._table_rows()

    def _json_rows(self) -> Iterator[Row]:
        with open(self.path, "rb") as handle:
            for number, line in enumerate(_lines(handle, MAX_RECORD_BYTES), start=1):
                where = f"{self.name}:{number}"
                if line is None:
                    yield Row(number, where, UNREADABLE, ("batch.record_too_long", {"limit": MAX_RECORD_BYTES}))
                    continue
                try:
                    text = line.decode("utf-8-sig" if number == 1 else "utf-8")
                except UnicodeDecodeError:
                    yield Row(number, where, UNREADABLE, ("batch.row_not_utf8", {}))
                    continue
                if text.strip():
                    yield Row(number, where, "json", text)

    def _table_rows(self) -> Iterator[Row]:
        for number, cells in self._table():
            if number <= self.header_row:
                continue
            where = f"{self.name}:{number}"
            if isinstance(cells, tuple):
                yield Row(number, where, UNREADABLE, cells)
            elif any(cell.strip() for cell in cells):
                yield Row(number, where, "csv", cells)

    def _answer_files(self) -> list[Path]:
        return sorted(p for p in self.path.iterdir()
                      if p.suffix in (".yaml", ".yml") and not p.name.startswith(".") and p.is_file())

    def count(self) -> int | None:
        """How many rows there are, for the progress bar: one quick pass without parsing answers."""
        try:
            return sum(1 for _ in self)
        except (OSError, UsageError):
            return None


def _lines(handle: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """The lines of a file, or None for a line longer than `limit`, which is skipped without being held."""
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) > limit:
            while line and not line.endswith(b"\n"):
                line = handle.readline(1 << 16)
            yield None
        else:
            yield line


def _csv_problem(error: csv.Error) -> tuple[str, dict[str, Any]]:
    if "field larger than field limit" in str(error):
        return "batch.cell_too_long", {"limit": csv.field_size_limit()}
    return "batch.bad_csv_row", {"reason": str(error)}


def _is_utf8(cells: list[str]) -> bool:
    try:
        "".join(cells).encode("utf-8")
    except UnicodeEncodeError:  # a byte the encoding could not read, kept as a lone surrogate by surrogateescape
        return False
    return True


def csv_columns(header: list[str], questionnaire: Questionnaire, file: str) -> list[Column]:
    """The question id (or answers-document key, or (question, option) pair) of each column; raises on a column
    nobody knows. See `layouts.read_header`."""
    return read_header(header, questionnaire, file).columns


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().lower()


class CellReader:
    """Turns a CSV row's text cells into answer values of each question's type.

    A cell that does not read as its type is passed on as it is, so that validation reports it
    with the question's own message ("expected a whole number, got '12人'").
    """

    def __init__(self, questionnaire: Questionnaire, columns: list[Column]):
        self.questionnaire = questionnaire
        self.columns = columns
        self.choices = {q.id: choice_names(q) for q in questionnaire.questions.values() if q.choices or q.labels}
        self.by_position: set[str] = set()  # questions of the last row whose cells were read as option numbers
        # question -> cell as in the sheet -> (value, read as option numbers): the same cells recur row after row
        self.memory: dict[str, dict[str, tuple[Any, bool]]] = {qid: {} for qid in questionnaire.questions}
        # what each column needs, worked out once: a question's column its question and memory, the others
        # (row keys, 0/1 option columns with the names that tick them, skipped columns) their own plain value
        questions = questionnaire.questions
        self.plan: list[tuple[Column, Any, Any]] = []
        for column in columns:
            if isinstance(column, tuple):
                qid, choice = column
                names = frozenset(k for k, v in self.choices[qid].items() if v == choice)
                self.plan.append((column, None, names))
            elif column is None or column in ROW_KEYS:
                self.plan.append((column, None, None))
            else:
                self.plan.append((column, self.memory[column], questions[column]))
        # questions whose cells of plain digits (or, for a number question, digits.digits) read as the number they
        # spell, without the reading of typed numbers (`plain_number`)
        self.plain_numbers = {q.id: q.type for q in questions.values() if _plain_numbers(q, self.choices)}

    def document(self, cells: list[str]) -> dict[str, Any]:
        self.by_position = by_position = set()
        if len(cells) > len(self.columns) and any(cell.strip() for cell in cells[len(self.columns):]):
            # a shifted row: reading it by the header would put answers under wrong questions
            raise AnswersError(t("batch.extra_cells", n=len(cells), columns=len(self.columns)),
                               [Problem(t("batch.extra_cells", n=len(cells), columns=len(self.columns)))])
        answers: dict[str, Any] = {}
        doc: dict[str, Any] = {"answers": answers}
        ticks: dict[str, list[str] | None] = {}  # the options of 0/1 columns, None while no cell said anything
        problems = []
        for (column, memory, q), cell in zip(self.plan, cells):
            if memory is not None:  # a question's column: the value() of the cell, inlined for the usual hit
                known = memory.get(cell)
                if known is None:
                    known = self._read_anew(q, cell, memory)
                value, positional = known
                if positional:
                    by_position.add(column)
                if value is not None:
                    answers[column] = list(value) if type(value) is list else value
                continue
            if column is None:
                continue
            if is_placeholder(cell):
                cell = ""
            if q is not None:  # a 0/1 column of one option; q: the names that tick it
                qid, choice = column
                state = ticked(cell, q)
                if state is None:
                    problems.append(Problem(t("batch.not_a_tick", value=cell.strip(), choice=choice), subject=qid))
                elif cell.strip():
                    ticks[qid] = (ticks.get(qid) or []) + ([choice] if state else [])
                else:
                    ticks.setdefault(qid, None)
                continue
            if cell.strip():  # one of ROW_KEYS
                doc[column] = cell.strip()
        if problems:
            raise AnswersError(problems[0].message, problems)
        for qid, chosen in ticks.items():
            value = chosen if chosen is not None else self.value(self.questionnaire.questions[qid], "")
            if value is not None:
                answers[qid] = value
        return doc

    MEMORY = 256  # cells remembered per question; forgotten all at once past it, so memory stays flat in a long
    # batch, and a question whose cells never repeat (a name, a count) does not push out the others' options

    def value(self, q: Question, cell: str) -> Any:
        """The cell (as in the sheet: a survey tool's placeholder for a skipped question is read as empty) read as
        `q`'s type, remembered: a value that can change (a list) is handed out as a copy."""
        memory = self.memory[q.id]
        known = memory.get(cell)
        if known is None:
            known = self._read_anew(q, cell, memory)
        value, positional = known
        if positional:
            self.by_position.add(q.id)
        return list(value) if type(value) is list else value

    def _read_anew(self, q: Question, cell: str, memory: dict[str, tuple[Any, bool]]) -> tuple[Any, bool]:
        """(value, whether read as option numbers) of a cell not in `q`'s memory, now remembered there."""
        kind = self.plain_numbers.get(q.id)
        # counts and hours: a new cell most rows, so worth reading the short way
        value = plain_number(cell, kind) if kind is not None else None
        if value is not None:
            known = (value, False)
        else:
            earlier = q.id in self.by_position
            self.by_position.discard(q.id)
            value = self.read(q, "" if is_placeholder(cell) else cell)
            known = (value, q.id in self.by_position)
            if earlier:
                self.by_position.add(q.id)
        if len(memory) >= self.MEMORY:
            memory.clear()
        memory[cell] = known
        return known

    def read(self, q: Question, cell: str) -> Any:
        text = cell.strip()
        if not text:
            # an empty cell is an unanswered question, except where "none ticked" is the only
            # valid reading: a required multiple choice that may be left with nothing ticked
            if q.type == "multiple" and q.required and not q.min_choices:
                return []
            return None
        kind = q.type
        if kind in ("integer", "scale", "number"):
            names = self.choices.get(q.id)  # a scale's points by their labels
            return read_number(q, names.get(_norm(text), text) if names else text)
        if kind == "yesno":  # 是/否 as an answers file reads it (expert/coercion.py)
            value = yes_or_no(text)
            if value == text and _norm(text) == "2":  # 问卷星 "按选项序号": 1 = 是, 2 = 否
                self.by_position.add(q.id)
                return False
            return value
        if kind == "single":
            value = one_choice(text, self.choices[q.id])
            if value not in q.choice_values:
                numbers = _option_numbers(text, q)
                if numbers and len(numbers) == 1:
                    self.by_position.add(q.id)
                    return numbers[0]
            return value
        if kind == "multiple":
            values = split_choices(text, self.choices[q.id])
            if any(v not in q.choice_values for v in values):
                numbers = _option_numbers(text, q)
                if numbers:
                    self.by_position.add(q.id)
                    return numbers
            return values
        return text


_DECIMAL = re.compile(r"[0-9]+\.[0-9]+")


def _plain_numbers(q: Question, choices: dict[str, dict[str, str]]) -> bool:
    """Whether `plain_number` reads `q`'s cells as CellReader.read does: an integer or number question with no
    labels that could name a number, and no unit with a digit that could be cut off the end of one."""
    if q.type not in ("integer", "number") or q.id in choices:
        return False
    units = q.unit.values() if q.unit else ()
    return not any(ch.isdigit() for unit in units for ch in unicodedata.normalize("NFKC", unit)) and not any(
        p.replace(" ", "").isdigit() for p in PLACEHOLDERS)


def plain_number(cell: str, kind: str) -> int | float | None:
    """The number of a cell that is ASCII digits ("300") or, for a number question, digits with a decimal point
    ("3.5"), as expert/numbers.py reads it: int(cell) or float(cell); None for any other cell, which is read the
    long way. Cells longer than a number may be are left to it too, to be refused there."""
    if len(cell) > MAX_NUMBER_DIGITS or not cell.isascii():
        return None
    if cell.isdigit():
        return int(cell)
    if kind == "number" and _DECIMAL.fullmatch(cell):
        return float(cell)
    return None


_FILLED_IN = re.compile(r"[〖\[【][^〗\]】]*[〗\]】]")
_NUMBERS = re.compile(r"\s*\d{1,3}(?:\s*[┋;；|,，、\s]\s*\d{1,3})*\s*")


def _option_numbers(text: str, q: Question) -> list[str] | None:
    """The options a cell names by their numbers in the question's order (问卷星's "按选项序号" export writes "2"
    for the second option and "1┋3" for the first and third), or None when the cell is not such numbers."""
    plain = _FILLED_IN.sub("", unicodedata.normalize("NFKC", text))  # "6〖小红书群〗": the 6th option, filled in
    if not _NUMBERS.fullmatch(plain):
        return None
    values = q.choice_values
    numbers = [int(n) for n in re.findall(r"\d+", plain)]
    if not all(1 <= n <= len(values) for n in numbers):
        return None
    return list(dict.fromkeys(values[n - 1] for n in numbers))


def position_note(qids: list[str], questionnaire: Questionnaire, file: str, lang: str | None = None) -> str:
    """One line saying which columns were read as option numbers, with what the numbers of the first one meant."""
    from expert.messages import language

    lang = lang or language()
    first = questionnaire.questions[qids[0]]
    if first.type == "yesno":
        options = [t("xlsform.yes", lang), t("xlsform.no", lang)]
    else:
        options = [ch.label.get_text(lang) for ch in first.choices or []]
    example = t("batch.column_list_sep", lang).join(f"{i} = {label}" for i, label in enumerate(options, start=1))
    return t("batch.by_position", lang, file=file, questions=t("batch.column_list_sep", lang).join(qids),
             example=f"{first.id}: {example}")


def to_cell(q: Question, value: Any) -> str:
    """An answer as a CSV cell, the way CellReader reads it back (for exports, tests and the benchmark)."""
    if value is None:
        return ""
    if q.type == "multiple":
        return ";".join(value)
    if q.type == "yesno":
        return "yes" if value else "no"
    return str(value)



# ---------------------------------------------------------------------------- JSON lines and answers files


class _NotAnAnswer(ValueError):
    """A number JSON can write but no answer can be; raised from inside json.loads."""


def _no_constant(name: str) -> Any:
    raise _NotAnAnswer(name)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 reads as infinity
        raise _NotAnAnswer(text if len(text) <= 40 else text[:37] + "...")
    return value


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:  # and past 4,300 digits int() itself refuses it
        raise _NotAnAnswer(text[:20] + "…")
    return int(text)


def json_document(text: str, lang: str | None = None) -> Any:
    """A JSON line as an answers document; a bare answers object is wrapped in `answers:`.

    NaN, Infinity, 1e999 and endless integers are refused here, before anything does arithmetic with them."""
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite, parse_int=_integer)
    except json.JSONDecodeError as exc:
        raise AnswersError(t("batch.bad_json", lang, reason=exc.msg, column=exc.colno)) from None
    except _NotAnAnswer as exc:
        raise AnswersError(t("batch.not_a_number", lang, value=exc, digits=MAX_DIGITS)) from None
    except RecursionError:
        raise AnswersError(t("batch.too_big", lang, values=MAX_VALUES, depth=MAX_DEPTH)) from None
    check_shape(data, lang)
    if isinstance(data, dict) and not isinstance(data.get("answers"), dict):
        data = {"answers": data}
    return data


def file_document(path: str, where: str, lang: str | None = None) -> Any:
    """An answers file of a folder input, parsed but not validated; too large a file is not read at all."""
    from expert.answers import read_document

    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise AnswersError(t("answers.unreadable", lang, file=where, reason=exc.strerror or exc)) from None
    if size > MAX_RECORD_BYTES:
        raise AnswersError(t("batch.file_too_long", lang, size=size, limit=MAX_RECORD_BYTES))
    try:
        data = read_document(path, where)
    except RecursionError:
        raise AnswersError(t("batch.too_big", lang, values=MAX_VALUES, depth=MAX_DEPTH)) from None
    except ValueError as exc:  # a value YAML recognises but cannot build: a date 2026-02-30, a 5,000-digit int
        raise AnswersError(t("answers.unreadable", lang, file=where, reason=exc)) from None
    check_shape(data, lang)
    return data


def check_shape(data: Any, lang: str | None = None) -> None:
    """Refuse a document with more values or levels than any answers have, or a number no answer can be (NaN,
    infinity, an endless integer), before anything walks it whole or does arithmetic with it.

    A value reached twice (a YAML alias) counts twice, as it would when validated or printed; the walk stops at
    the limit, so a billion-laughs file costs no more than MAX_VALUES steps."""
    budget = MAX_VALUES
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            raise AnswersError(t("batch.not_a_number", lang, value=value, digits=MAX_DIGITS))
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** MAX_DIGITS:
            raise AnswersError(t("batch.not_a_number", lang, value=str(value)[:20] + "…", digits=MAX_DIGITS))
        if isinstance(value, (dict, list)):
            budget -= len(value)  # counted before they are looked at: a list of a million stops here
            if budget < 0 or depth >= MAX_DEPTH:
                raise AnswersError(t("batch.too_big", lang, values=MAX_VALUES, depth=MAX_DEPTH))
            stack.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict) else value))
