"""Many communities at once: rows of a survey export (CSV), JSON lines or a folder of answers files,
diagnosed over a pool of processes, written as one prescription each plus results, errors and a summary.

Rows stream through: the reader yields one row at a time, at most a fixed window of rows is in flight,
and the summary keeps counters, never the rows. Results come back in input order whatever `jobs` is.
"""

from __future__ import annotations

import gc
import json
import logging
import multiprocessing
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, TextIO

from expert.batch import worker as _worker_module
from expert.batch.outputs import (ERRORS, EXTENSIONS, MAX_NAME_BYTES, PRESCRIPTIONS, RESULTS, SUMMARY, Names,
                                  _write, _write_whole, safe_name)
from expert.batch.rows import CellReader, Row, Source, csv_columns, input_kind, to_cell
from expert.batch.summary import Summary
from expert.batch.worker import Outcome, Worker, _init_worker, _work
from expert.errors import UsageError
from expert.messages import language, t

log = logging.getLogger(__name__)

__all__ = ["BatchResult", "CellReader", "ERRORS", "MAX_NAME_BYTES", "Names", "Outcome", "PRESCRIPTIONS", "RESULTS",
           "Row", "SUMMARY", "Source", "Summary", "Worker", "csv_columns", "default_jobs", "input_kind", "run_batch",
           "safe_name", "to_cell"]


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
    _worker_module._worker = worker  # what a forked pool worker starts with
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
