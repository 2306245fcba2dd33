"""Many communities at once: rows of a survey export (CSV), JSON lines or a folder of answers files,
diagnosed over a pool of processes, written as one prescription each plus results, errors and a summary.

Rows stream through: the reader yields one row at a time, at most a fixed window of rows is in flight,
and the summary keeps counters, never the rows. Results come back in input order whatever `jobs` is.
"""

from __future__ import annotations

import csv
import gc
import heapq
import json
import logging
import multiprocessing
import os
import re
import signal
import sys
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, TextIO

from expert.answers import validate_answers
from expert.errors import AnswersError, Problem, UsageError
from expert.messages import language, t
from expert.questionnaire import Question, Questionnaire

log = logging.getLogger(__name__)

PRESCRIPTIONS = "prescriptions"
RESULTS = "results.jsonl"
ERRORS = "errors.jsonl"
SUMMARY = "summary.md"
EXTENSIONS = {"markdown": ".md", "json": ".json"}

# Separators of ticked options in one cell: what people type, and what survey tools export
# (问卷星 joins options with ┋; a Chinese keyboard gives the full-width semicolon).
LIST_SEPARATORS = re.compile(r"[;|；┋]")
YES = {"是", "有", "对", "yes", "y", "true", "t", "1", "√", "✓"}
NO = {"否", "无", "没有", "不是", "错", "no", "n", "false", "f", "0", "×", "✗"}
# Columns that are not answers but the answers document's own keys, e.g. the date of the survey.
ROW_KEYS = ("date", "lang")
VERDICT_RANK = {"healthy": 0, "watch": 1, "danger": 2}
WORST = 10  # communities listed in the summary's "worst state" table


# ---------------------------------------------------------------------------- reading rows


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


# ---------------------------------------------------------------------------- CSV cells to answers


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


# ---------------------------------------------------------------------------- one row, in a worker


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


# ---------------------------------------------------------------------------- file names


WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
MAX_NAME_BYTES = 150  # leaves room for "-12345.json" and temporary-file affixes under 255 bytes


def safe_name(name: str) -> str:
    """A file name from a community's name: readable (Chinese stays), safe on every file system."""
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join("_" if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    text = re.sub(r'[\\/:*?"<>|]+', "_", text)
    text = re.sub(r"\s+", " ", text).strip(" ._")
    while len(text.encode("utf-8")) > MAX_NAME_BYTES:
        text = text[:-1]
    text = text.rstrip(" .")
    if text.lower().split(".")[0] in WINDOWS_RESERVED:
        text += "_"
    return text


class Names:
    """Unique file names within one run, in input order (so every --jobs gives the same names)."""

    def __init__(self, extension: str):
        self.extension = extension
        self.used: set[str] = set()
        self.last: dict[str, int] = {}  # base name -> the last number given to it

    def take(self, name: str, number: int) -> str:
        base = safe_name(name) or f"row-{number}"
        # compared case-insensitively: macOS and Windows would treat A.md and a.md as one file
        key = base.casefold()
        candidate, n = base, self.last.get(key, 1)
        if n > 1 or key in self.used:
            while True:  # a community may itself be called "读书会-2": skip what is taken
                n += 1
                candidate = f"{base}-{n}"
                if candidate.casefold() not in self.used:
                    break
        self.last[key] = n
        self.used.add(candidate.casefold())
        return candidate + self.extension


# ---------------------------------------------------------------------------- the summary


def _severity_points(findings: tuple[tuple[str, str], ...]) -> int:
    return sum({"high": 9, "medium": 3, "low": 1}.get(severity, 0) for _, severity in findings)


class Summary:
    """Counters over the results, kept as they stream by: memory does not grow with the rows."""

    def __init__(self, kb):
        self.kb = kb
        self.diagnosed = 0
        self.failed = 0
        self.overall: Counter[str] = Counter()
        self.findings: Counter[str] = Counter()
        self.verdicts: dict[str, Counter[str]] = {s.check: Counter() for s in kb.questionnaire.checks}
        self.worst: list[tuple] = []  # a heap of the WORST communities in the worst state

    def add(self, outcome: Outcome, file: str) -> None:
        digest = outcome.digest
        assert digest is not None
        self.diagnosed += 1
        self.overall[digest.verdict] += 1
        for check, verdict in digest.verdicts.items():
            self.verdicts.setdefault(check, Counter())[verdict] += 1
        self.findings.update(fid for fid, _ in digest.findings)
        dangers = sum(1 for v in digest.verdicts.values() if v == "danger")
        key = (VERDICT_RANK[digest.verdict], dangers, _severity_points(digest.findings), len(digest.findings),
               -outcome.number)
        entry = (key, outcome.name, outcome.number, digest.verdict, digest.treat_first, file)
        if len(self.worst) < WORST:
            heapq.heappush(self.worst, entry)
        elif entry > self.worst[0]:
            heapq.heapreplace(self.worst, entry)

    def markdown(self, source: str, lang: str, interrupted: bool = False) -> str:
        kb = self.kb
        q = kb.questionnaire
        total = self.diagnosed + self.failed

        def pct(n: int, of: int) -> str:
            return f"{n} ({n * 100 / of:.0f}%)" if of else str(n)

        lines = [f"# {t('batch.summary_title', lang, title=q.title.get_text(lang))}", ""]
        if interrupted:
            lines += [f"> {t('batch.summary_interrupted', lang)}", ""]
        lines.append(t("batch.summary_counts", lang, source=source, total=total, diagnosed=self.diagnosed,
                       failed=self.failed))
        if self.failed:
            lines.append(t("batch.summary_see_errors", lang, file=ERRORS))
        lines.append("")
        verdict_names = [t(f"verdict.{v}", lang) for v in ("healthy", "watch", "danger")]
        if self.diagnosed:
            lines.append(t("batch.summary_overall", lang) + " " + t("answer.list_sep", lang).join(
                f"{name} {pct(self.overall[v], self.diagnosed)}"
                for name, v in zip(verdict_names, ("healthy", "watch", "danger"))))
            lines.append("")

        lines += [f"## {t('batch.summary_findings', lang)}", ""]
        if self.findings:
            lines += [f"| {t('batch.col_finding', lang)} | {t('batch.col_check', lang)} | "
                      f"{t('batch.col_severity', lang)} | {t('batch.col_communities', lang)} |",
                      "| --- | --- | --- | ---: |"]
            titles = {s.check: s.title.get_text(lang) for s in q.checks}
            titles["cross"] = t("batch.cross", lang)
            for fid, n in sorted(self.findings.items(), key=lambda item: (-item[1], item[0])):
                definition = kb.rules.findings.get(fid)
                title = definition.text.title.get_text(lang) if definition else fid
                check = titles.get(definition.check, definition.check) if definition else ""
                severity = t(f"severity.{definition.severity}", lang) if definition else ""
                lines.append(f"| {_cell(title)} (`{fid}`) | {_cell(check)} | {severity} | "
                             f"{pct(n, self.diagnosed)} |")
        else:
            lines.append(t("batch.summary_no_findings", lang))
        lines.append("")

        lines += [f"## {t('batch.summary_verdicts', lang)}", "",
                  f"| {t('batch.col_check', lang)} | " + " | ".join(verdict_names) + " |",
                  "| --- | ---: | ---: | ---: |"]
        for section in q.checks:
            counts = self.verdicts.get(section.check, Counter())
            lines.append(f"| {_cell(section.title.get_text(lang))} | " + " | ".join(
                pct(counts[v], self.diagnosed) for v in ("healthy", "watch", "danger")) + " |")
        lines.append("")

        lines += [f"## {t('batch.summary_worst', lang, n=min(WORST, len(self.worst)))}", ""]
        worst = sorted(self.worst, reverse=True)
        if worst and worst[0][0][3]:
            lines += [f"| {t('batch.col_community', lang)} | {t('batch.col_row', lang)} | "
                      f"{t('batch.col_verdict', lang)} | {t('batch.col_dangers', lang)} | "
                      f"{t('batch.col_count', lang)} | {t('batch.col_first', lang)} |",
                      "| --- | ---: | --- | ---: | ---: | --- |"]
            for key, name, number, verdict, first, file in worst:
                if not key[3]:
                    break  # a community without findings is in no bad state
                definition = kb.rules.findings.get(first) if first else None
                first_title = definition.text.title.get_text(lang) if definition else "—"
                label = _cell(name or t("answer.unnamed", lang))
                link = f"{PRESCRIPTIONS}/{file}".replace(" ", "%20")
                lines.append(f"| [{label}]({link}) | {number} | {t(f'verdict.{verdict}', lang)} | {key[1]} | "
                             f"{key[3]} | {_cell(first_title)} |")
        else:
            lines.append(t("batch.summary_all_healthy", lang))
        return "\n".join(lines).rstrip() + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


# ---------------------------------------------------------------------------- the run


@dataclass
class BatchResult:
    out_dir: Path
    diagnosed: int
    failed: int
    interrupted: bool = False

    @property
    def exit_code(self) -> int:
        """0 when every row was diagnosed, 1 when some rows failed (see errors.jsonl)."""
        return 1 if self.failed else 0


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def _pool_context():
    # fork hands every worker the parent's Checkup, engine already built; elsewhere the
    # initializer builds one per worker
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _bounded(rows: Iterable[Row], window: threading.Semaphore, stop: threading.Event) -> Iterator[Row]:
    """Hand rows to the pool only while fewer than the window's size are in flight.

    Pool.imap reads its input as fast as it can and keeps every result the parent has not taken
    yet; the window keeps both bounded, so memory stays flat however long the input is.
    """
    for row in rows:
        while not window.acquire(timeout=0.2):
            if stop.is_set():
                return
        if stop.is_set():
            return
        yield row


def run_batch(input_path: str | Path, out_dir: str | Path, *, jobs: int | None = None, fmt: str = "markdown",
              lang: str | None = None, kb_dir: str | Path | None = None, checkup=None,
              progress: bool | None = None, stderr: TextIO | None = None, chunksize: int | None = None
              ) -> BatchResult:
    """Diagnose every community of INPUT into OUT_DIR; see `shequn batch --help`.

    `progress=None` shows a bar only when `stderr` is a terminal. Rows that fail validation are
    reported on `stderr` and in errors.jsonl; the others are diagnosed all the same.
    """
    from expert.checkup import FORMATS, Checkup

    if fmt not in FORMATS:
        raise UsageError(t("batch.bad_format", fmt=fmt))
    if not Path(input_path).exists():
        raise UsageError(t("cli.file_missing", file=str(input_path)))
    checkup = checkup or Checkup.load(kb_dir)
    kb = checkup.kb
    source = Source(input_path, kb.questionnaire)
    out = Path(out_dir)
    try:
        (out / PRESCRIPTIONS).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(t("cli.cannot_write", file=str(out), reason=exc.strerror or exc)) from None
    jobs = default_jobs() if not jobs or jobs < 1 else jobs
    summary_lang = lang if lang in kb.languages else (language() if language() in kb.languages else kb.languages[0])
    worker = Worker(checkup, source.columns, fmt, lang)
    global _worker
    _worker = worker  # what a forked pool worker starts with
    stderr = stderr if stderr is not None else sys.stderr
    names = Names(EXTENSIONS[fmt])
    summary = Summary(kb)
    interrupted = False
    finished = False

    pool = None
    stop = threading.Event()
    if jobs > 1:
        chunksize = chunksize or 8
        window = threading.Semaphore(jobs * chunksize * 4)
        # the parent's objects, engine included, are the workers' for the whole run: frozen, the
        # collector leaves them alone, so forked workers share their memory pages instead of copying
        gc.freeze()
        pool = _pool_context().Pool(jobs, initializer=_init_worker,
                                    initargs=(str(kb.root), source.columns, fmt, lang))
        outcomes: Iterable[Outcome] = pool.imap(_work, _bounded(source, window, stop), chunksize)
    else:
        window = None
        outcomes = map(worker, source)

    from tqdm import tqdm  # after the pool exists: its monitor thread must not be forked

    total = source.count() if (progress or (progress is None and _isatty(stderr))) else None
    bar = tqdm(total=total, unit=t("batch.unit", summary_lang), file=stderr, delay=0.5, dynamic_ncols=True,
               disable=(not progress) if progress is not None else None, leave=False)

    def say(text: str) -> None:
        if bar.disable:
            print(text, file=stderr)
        else:
            bar.write(text, file=stderr)

    try:
        with open(out / RESULTS, "w", encoding="utf-8") as results, \
                open(out / ERRORS, "w", encoding="utf-8") as errors:
            for outcome in outcomes:
                if window is not None:
                    window.release()
                if outcome.ok:
                    file = names.take(outcome.name, outcome.number)
                    _write_whole(out / PRESCRIPTIONS / file, outcome.text)
                    head = json.dumps({"row": outcome.number, "source": outcome.where,
                                       "file": f"{PRESCRIPTIONS}/{file}"}, ensure_ascii=False)
                    # the worker encoded the (much longer) rest: splice the two objects into one
                    results.write(head[:-1] + ", " + outcome.result[1:] + "\n")
                    results.flush()
                    summary.add(outcome, file)
                else:
                    summary.failed += 1
                    errors.write(json.dumps({"row": outcome.number, "source": outcome.where,
                                             "problems": outcome.problems}, ensure_ascii=False) + "\n")
                    errors.flush()
                    say(t("batch.row_problems", where=outcome.where, n=len(outcome.problems)))
                    for p in outcome.problems:
                        subject = f"[{p['question']}] " if p.get("question") else ""
                        say(f"  {subject}{p['message']}")
                bar.update(1)
        finished = True
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        stop.set()
        bar.close()
        if pool is not None:
            if finished:
                pool.close()
            else:  # interrupted, or a failure that stops the run: the rows in flight are dropped
                pool.terminate()
            pool.join()
            gc.unfreeze()
        if window is not None:
            window.release()
        # the summary of what was done, interrupted or not: nothing already written is lost
        _write(out / SUMMARY, summary.markdown(source.name, summary_lang, interrupted))
    return BatchResult(out, summary.diagnosed, summary.failed, interrupted)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _write_whole(path: Path, text: str) -> None:
    """Write a prescription, or if interrupted, nothing. Its results.jsonl line is written after it,
    so no line ever points at a partial file; a rename per file would cost more than it protects."""
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except BaseException:
        try:
            os.unlink(path)
        except OSError:
            pass
        raise


def _write(path: Path, text: str) -> None:
    """Write a file whole or not at all; without fsync, which would cost more than the diagnosis."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


