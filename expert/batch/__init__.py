"""Many communities at once: rows of a survey export (CSV), JSON lines or a folder of answers files,
diagnosed over a pool of processes, written as one prescription each plus results, errors and a summary.

Rows stream through: the reader (`rows`) yields one row at a time, the pool (`pool`) keeps a fixed window of
rows in flight and hands outcomes back in input order whatever `jobs` is, `outputs` writes them into an
out-dir claimed for this run, and the summary (`summary`) keeps counters, never the rows.

A run ends one of three ways, and summary.md always says which: every row done (exit 0, or 1 when some rows
could not be diagnosed: errors.jsonl says why, row by row); interrupted by SIGINT or SIGTERM (Interrupted,
exit 130 or 143); or aborted by an error that concerns every row, such as an out-dir that cannot be written.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, TextIO

from expert.batch.outputs import ERRORS, MAX_NAME_BYTES, PRESCRIPTIONS, RESULTS, SUMMARY, Names, OutDir, safe_name
from expert.batch.pool import CHUNK, Pool, Stopped, Stops, choose_jobs, default_jobs, stop_on_signals
from expert.batch.rows import CellReader, Row, Source, csv_columns, input_kind, position_note, to_cell
from expert.batch.summary import Summary
from expert.batch.worker import Outcome, Worker
from expert.errors import Interrupted, ShequnError, UsageError
from expert.messages import t

log = logging.getLogger(__name__)

__all__ = ["BatchResult", "CellReader", "ERRORS", "MAX_NAME_BYTES", "Names", "Outcome", "PRESCRIPTIONS", "RESULTS",
           "Row", "SUMMARY", "Source", "Summary", "Worker", "csv_columns", "default_jobs", "input_kind", "run_batch",
           "safe_name", "to_cell"]


@dataclass
class BatchResult:
    out_dir: Path
    diagnosed: int
    failed: int

    @property
    def exit_code(self) -> int:
        """0 when every row was diagnosed, 1 when some rows failed (see errors.jsonl)."""
        return 1 if self.failed else 0


def run_batch(input_path: str | Path, out_dir: str | Path, *, jobs: int | None = None, fmt: str = "markdown",
              lang: str | None = None, kb_dir: str | Path | None = None, checkup=None,
              progress: bool | None = None, stderr: TextIO | None = None, chunksize: int | None = None,
              overwrite: bool = False, since: str | Path | None = None,
              encoding: str | None = None) -> BatchResult:
    """Diagnose every community of INPUT into OUT_DIR; see `shequn batch --help`.

    `encoding` names a CSV's encoding; without it UTF-8 (with or without BOM), UTF-16 and GB18030 are told
    apart. `progress=None` shows a bar only when `stderr` is a terminal. Rows that cannot be diagnosed are reported
    on `stderr` and in errors.jsonl; the others are diagnosed all the same. SIGINT or SIGTERM stop the run,
    which then raises Interrupted (exit code 130 or 143) after writing the summary of what was done.
    `since`, an earlier run's INPUT, adds to each community found there by name what changed since.
    """
    from expert.checkup import FORMATS, Checkup

    stderr = stderr if stderr is not None else sys.stderr
    if fmt not in FORMATS:
        raise UsageError(t("batch.bad_format", fmt=fmt))
    jobs = choose_jobs(jobs, lambda note: print(note, file=stderr))
    if not Path(input_path).exists():
        raise UsageError(t("cli.file_missing", file=str(input_path)))
    with stop_on_signals() as stops:
        try:
            checkup = checkup or Checkup.load(kb_dir)
            source = Source(input_path, checkup.kb.questionnaire, encoding)
            for note in source.notes:
                print(note, file=stderr)
            history = _history(since, checkup, lang, stderr) if since is not None else None
            with OutDir(out_dir, fmt, overwrite) as out:
                run = _Run(checkup, source, out, fmt, lang, stderr, stops, history)
                return run.go(jobs, chunksize or CHUNK, progress)
        except KeyboardInterrupt as exc:  # before any row was read, or after the summary was written
            raise Interrupted(t("batch.interrupted_early", why=_why(exc)), exit_code=_exit_code(exc)) from None


class _Run:
    """One run's state: where rows go, what the summary counts, and how the run ended."""

    def __init__(self, checkup, source: Source, out: OutDir, fmt: str, lang: str | None, stderr: TextIO,
                 stops: Stops, history=None):
        kb = checkup.kb
        self.source = source
        self.out = out
        self.worker = Worker(checkup, source.columns, fmt, lang, history)
        self.summary = Summary(kb)
        self.summary_lang = kb.language(lang)
        self.stderr = stderr
        self.stops = stops
        self.questionnaire = kb.questionnaire
        self.noted: set[str] = set()  # questions already said to be read as option numbers

    def go(self, jobs: int, chunksize: int, progress: bool | None) -> BatchResult:
        incomplete = None
        bar = None
        try:
            if jobs > 1:  # workers write the prescriptions themselves; this process names them
                self.worker.spool = self.out.spool
            pool = Pool(jobs, self.worker, chunksize) if jobs > 1 else _frozen()
            with pool:
                outcomes: Iterable[Outcome] = pool.map(self.source) if jobs > 1 else map(self.worker, self.source)
                bar = self._bar(progress)  # after the workers exist: they need none of it
                for outcome in outcomes:
                    self.take(outcome, bar)
        except KeyboardInterrupt as exc:
            incomplete = exc
            raise Interrupted(t("batch.interrupted", why=_why(exc), diagnosed=self.summary.diagnosed,
                                failed=self.summary.failed, out=self.out.path), exit_code=_exit_code(exc)) from None
        except BaseException as exc:
            incomplete = exc
            raise
        finally:
            if bar is not None:
                bar.close()
            self._summarise(incomplete)
        return BatchResult(self.out.path, self.summary.diagnosed, self.summary.failed)

    def take(self, outcome: Outcome, bar) -> None:
        fresh = [q for q in outcome.by_position if q not in self.noted]
        if fresh:  # said once, when a column is first read as option numbers
            self.noted.update(fresh)
            say = print if bar is None or bar.disable else bar.write
            say(position_note(fresh, self.questionnaire, self.source.name), file=self.stderr)
        # written and counted as one: a signal between the two would leave a row written that the summary does not
        # count; deferred, it stops the run right after them
        with self.stops.deferred():
            if outcome.ok:  # its prescription, then its results line
                self.summary.add(outcome, self.out.diagnosed(outcome.base, outcome.text, outcome.result,
                                                             outcome.spooled))
            else:
                self.out.failed(outcome.number, outcome.where, outcome.problems)
                self.summary.failed += 1
        if not outcome.ok:  # said after the block: a slow terminal must not keep the signals waiting
            say = print if bar is None or bar.disable else bar.write
            say(t("batch.row_problems", where=outcome.where, n=len(outcome.problems)), file=self.stderr)
            for p in outcome.problems:
                subject = f"[{p['question']}] " if p.get("question") else ""
                say(f"  {subject}{p['message']}", file=self.stderr)
        if bar is not None:
            bar.update(1)

    def _bar(self, progress: bool | None):
        from tqdm import tqdm

        class Bar(tqdm):
            # no monitor thread (tqdm starts one with every bar, even a hidden one, to catch a stalled bar's
            # refresh): the run's process stays one thread, whose forks (the workers) copy no thread's half-done
            # state, and the bar is refreshed as the rows come, which is often enough
            monitor_interval = 0

        shown = progress or (progress is None and _isatty(self.stderr))
        return Bar(total=self.source.count() if shown else None, unit=t("batch.unit", self.summary_lang),
                    file=self.stderr, delay=0.5, dynamic_ncols=True, leave=False,
                    disable=(not progress) if progress is not None else None)

    def _summarise(self, incomplete: BaseException | None) -> None:
        """summary.md of what was done, however the run ended: nothing already written is lost."""
        why = total = None
        if incomplete is not None:
            why = _why(incomplete, self.summary_lang)
            try:
                total = self.source.count()
            except Exception:  # the input itself may be what failed
                total = None
        self.out.summary(self.summary.markdown(self.source.name, self.summary_lang, why, total))


@contextlib.contextmanager
def _frozen():
    """Rows diagnosed in this process: the knowledge base, engines and templates built before (tens of thousands
    of objects that live for the whole run) are left out of the garbage collector's full passes, as a pool's
    workers have them (pool.Pool). A fifth of the work of a row went to walking them again and again."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _history(since: str | Path, checkup, lang: str | None, stderr: TextIO):
    """The earlier checkups of --since, with one line on what was found there."""
    from expert.batch.history import read_history, repeated_note, unreadable_note

    if not Path(since).exists():
        raise UsageError(t("cli.file_missing", file=str(since)))
    history = read_history(since, checkup, lang)
    print(t("batch.since_read", lang, file=str(since), n=len(history), unreadable=history.unreadable,
            nameless=history.nameless), file=stderr)
    for note in (unreadable_note(history, lang), repeated_note(history, lang)):
        if note:
            print(note, file=stderr)
    return history


def _why(exc: BaseException, lang: str | None = None) -> str:
    """Why a run stopped early, in a few words."""
    if isinstance(exc, Stopped) and exc.signum == getattr(signal, "SIGTERM", None):
        return t("batch.why_sigterm", lang)
    if isinstance(exc, KeyboardInterrupt):
        return t("batch.why_sigint", lang)
    reason = exc.message if isinstance(exc, ShequnError) else f"{type(exc).__name__}: {exc}"
    return t("batch.why_error", lang, reason=reason)


def _exit_code(exc: KeyboardInterrupt) -> int:
    """128 + the signal's number, as a shell reports a process ended by it: 130 for Ctrl-C, 143 for SIGTERM."""
    return 128 + (exc.signum if isinstance(exc, Stopped) else signal.SIGINT)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
