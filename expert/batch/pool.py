"""Running the rows: worker processes that diagnose them, their outcomes handed back in input order, and the
signals that stop a run.

Each worker has a pipe of its own, and nothing else is shared: no queue lock that a worker killed at the wrong
moment (Ctrl-C reaches every process of a terminal's foreground group, SIGTERM may reach them all) could
leave held, which is how multiprocessing.Pool hangs on terminate(). A worker that dies takes no other row with
it: the rows it held are tried again one by one, and the one that kills a worker on its own is reported as
that row's problem.

SIGINT and SIGTERM are held (blocked) while workers are forked; a worker ignores SIGINT and leaves SIGTERM
at its default before it lets them through, and the parent's handlers are in place before that. So a signal
at any moment, even while the pool starts, stops the run at once in the parent and never as a traceback in a
worker.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import threading
from collections import deque
from contextlib import contextmanager
from multiprocessing.connection import Connection, wait
from typing import Iterable, Iterator

from expert.batch.rows import Row
from expert.batch.worker import Outcome, Worker
from expert.errors import UsageError
from expert.messages import t
from expert.signals import held, named

log = logging.getLogger(__name__)

STOP_SIGNALS = named("SIGINT", "SIGTERM")
CHUNK = 32  # rows a worker is sent at once, once the run is under way (Pool.size)


class Stopped(KeyboardInterrupt):
    """SIGINT or SIGTERM reached a batch run: it stops where it is and keeps what was written."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signum)
        self.signum = signum


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def choose_jobs(jobs: int | None, note) -> int:
    """--jobs as given, the number of cores when not given or more than there are (with a `note`)."""
    cores = default_jobs()
    if jobs is None:
        return cores
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise UsageError(t("batch.bad_jobs", jobs=jobs))
    if jobs > cores:
        note(t("batch.jobs_capped", jobs=jobs, cores=cores))
        return cores
    return jobs


# ---------------------------------------------------------------------------- signals


class Stops:
    """What stop_on_signals does with SIGINT and SIGTERM, and `deferred`: a block they do not cut in half."""

    __slots__ = ("stopping", "deferring", "pending")

    def __init__(self) -> None:
        self.stopping: list[int] = []  # the signal that stopped the run, once one has
        self.deferring = False
        self.pending: int | None = None  # one that came while deferring

    def handler(self, signum, frame) -> None:
        if self.stopping:
            return
        if self.deferring:
            self.pending = signum
            return
        self.stopping.append(signum)
        raise Stopped(signum)

    def deferred(self) -> "Stops":
        """`with stops.deferred():` a signal that comes within stops the run as the block ends, not inside it.

        What signals.held does for any handler with the kernel's signal mask, done here by the handler itself:
        no system call, which a batch run would make twice for every row, and the same whichever of the
        process's threads the kernel hands the signal to (Python runs the handler in the main thread, always)."""
        return self

    def __enter__(self) -> None:
        self.deferring = True

    def __exit__(self, kind, value, traceback) -> None:
        self.deferring = False
        signum, self.pending = self.pending, None
        if signum is not None and not self.stopping:  # as held would: raised as the block ends, whatever else was
            self.stopping.append(signum)
            raise Stopped(signum)


@contextmanager
def stop_on_signals() -> Iterator[Stops]:
    """Within: SIGINT and SIGTERM raise Stopped in the main thread, once; signals after the first, while the
    run is winding up, are noted and not raised again, so the summary still gets written. What it yields defers
    them over a block (Stops.deferred)."""
    stops = Stops()
    if threading.current_thread() is not threading.main_thread():  # no handler: nothing to defer
        yield stops
        return
    # a signal ignored when we started (a background job of a script, nohup) stays ignored
    previous = {s: signal.signal(s, stops.handler) for s in STOP_SIGNALS
                if signal.getsignal(s) is not signal.SIG_IGN}
    try:
        yield stops
    finally:
        for s, action in previous.items():
            signal.signal(s, action)


# ---------------------------------------------------------------------------- the workers


_worker: Worker | None = None  # the parent's, for forked workers to start with


def _serve(conn: Connection, inherited: list[int], init: tuple) -> None:
    """A worker process: chunks of rows in, their outcomes out, until the parent closes the pipe."""
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # how the parent stops a worker: at once, without a word
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    for fd in inherited:  # the parent's ends of the other pipes: the parent's death must close them all
        try:
            os.close(fd)
        except OSError:
            pass
    worker = _prepared(*init)
    try:
        while True:
            chunk = conn.recv()
            if chunk is None:
                return
            conn.send([(seq, worker(row)) for seq, row in chunk])
    except (EOFError, OSError):  # the parent is gone or has stopped the run
        return


def _prepared(kb_root: str, columns: list[str | None], fmt: str, lang: str | None, history=None,
              spool: str | None = None) -> Worker:
    """This process's Worker: the parent's if it came over with a fork, else one built here."""
    if _worker is not None and _worker.key() == (kb_root, columns, fmt, lang, spool):
        return _worker
    from expert.checkup import Checkup

    return Worker(Checkup.load(kb_root), columns, fmt, lang, history, spool)


class _Slot:
    """One worker process, its pipe, and the chunk it is working on."""

    def __init__(self, context, init: tuple, inherited: list[int] | None):
        self.conn, child = context.Pipe()
        if inherited is not None:  # forked: the child has a copy of this end too
            inherited = inherited + [self.conn.fileno()]
        self.process = context.Process(target=_serve, args=(child, inherited or [], init), daemon=True)
        self.process.start()
        child.close()
        self.chunk: list[tuple[int, Row]] | None = None


class Pool:
    """`jobs` worker processes; `map(rows)` yields the rows' outcomes in input order.

    At most `window` rows are in flight or waiting to be handed back in order, so memory stays flat however
    long the input is. Use it as a context manager: leaving on an exception stops the workers at once."""

    def __init__(self, jobs: int, worker: Worker, chunksize: int = CHUNK, window: int | None = None):
        global _worker
        _worker = worker  # what a forked worker starts with
        self.jobs = jobs
        self.init = (str(worker.checkup.kb.root), worker.cells.columns, worker.fmt, worker.lang, worker.history,
                     worker.spool)
        self.chunksize = max(1, chunksize)
        self.window = window or jobs * self.chunksize * 4
        methods = multiprocessing.get_all_start_methods()
        # fork hands every worker the parent's Checkup, engine already built; elsewhere each worker builds one
        self.context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self.forks = self.context.get_start_method() == "fork"
        self.slots: list[_Slot] = []
        self.lang = worker.lang

    def __enter__(self) -> "Pool":
        try:
            with held(STOP_SIGNALS):
                # the objects the parent built, engine included, are the workers' for the whole run: frozen,
                # the collector leaves them alone, so forked workers share their pages instead of copying them
                gc.freeze()
                for _ in range(self.jobs):
                    self._start()
        except BaseException:  # a signal held during the start is delivered as the block ends
            self.stop()
            raise
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.close()
        else:
            self.stop()

    def _start(self) -> _Slot:
        inherited = [s.conn.fileno() for s in self.slots] if self.forks else None
        with held(STOP_SIGNALS):  # a worker started in place of one that died, too
            slot = _Slot(self.context, self.init, inherited)
            self.slots.append(slot)  # before a held signal is let through: stop() must know every worker
        return slot

    def map(self, rows: Iterable[Row]) -> Iterator[Outcome]:
        rows = iter(rows)
        retry: deque[list[tuple[int, Row]]] = deque()  # chunks of one row, from a worker that died
        ready: dict[int, Outcome] = {}
        taken = handed = 0  # rows read from the input / outcomes yielded
        exhausted = False
        while True:
            for slot in list(self.slots):
                if slot.chunk is not None:
                    continue
                if retry:
                    chunk = retry.popleft()
                elif not exhausted and taken - handed < self.window:
                    chunk = []
                    size = self.size(taken)
                    for row in rows:
                        chunk.append((taken, row))
                        taken += 1
                        if len(chunk) == size:
                            break
                    else:
                        exhausted = True
                    if not chunk:
                        continue
                else:
                    continue
                slot.chunk = chunk
                try:
                    slot.conn.send(chunk)  # the worker is waiting for it: a send to an idle worker never blocks
                except OSError:
                    self._lost(slot, retry, ready)
            while handed in ready:
                yield ready.pop(handed)
                handed += 1
            busy = [s for s in self.slots if s.chunk is not None]
            if not busy:
                if exhausted and not retry:
                    return
                continue
            waiting = {s.conn: s for s in busy} | {s.process.sentinel: s for s in busy}
            for handle in wait(list(waiting)):
                slot = waiting[handle]
                if slot.chunk is None or slot not in self.slots:
                    continue  # both its pipe and its sentinel were ready
                try:
                    done = slot.conn.recv() if slot.conn.poll() else None
                except (EOFError, OSError):
                    done = None
                if done is not None:
                    ready.update(done)
                    slot.chunk = None
                else:
                    self._lost(slot, retry, ready)

    def size(self, taken: int) -> int:
        """Rows in the next chunk, `taken` rows in: chunks grow to `chunksize` as the run goes on.

        A chunk costs the parent a message each way and a wake-up, whatever its size: large chunks are what lets
        the parent keep up with the workers. But a short input in a few large chunks would leave a worker idle
        while another has them all, so the first chunks are small: each worker gets its first rows at once, and a
        chunk grows only once `jobs` times four rows of its size have been taken."""
        return max(1, min(self.chunksize, taken // (self.jobs * 4)))

    def _lost(self, slot: _Slot, retry: deque, ready: dict[int, Outcome]) -> None:
        """A worker died: its rows are tried again one by one, and a row that alone kills one is its problem."""
        slot.process.join(1)
        code = slot.process.exitcode
        chunk, slot.chunk = slot.chunk or [], None
        log.debug("worker %s ended (%s) holding %d row(s)", slot.process.pid, code, len(chunk))
        if len(chunk) == 1:
            seq, row = chunk[0]
            reason = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            ready[seq] = Worker.failed(row, t("batch.worker_died", self.lang, reason=reason))
        else:
            retry.extendleft([item] for item in reversed(chunk))
        slot.conn.close()
        self.slots.remove(slot)
        self._start()

    def close(self) -> None:
        """Let the workers finish and leave."""
        for slot in self.slots:
            try:
                slot.conn.send(None)
            except OSError:
                pass
        self._join(timeout=5)

    def stop(self) -> None:
        """End the workers now; the rows they hold are dropped."""
        for slot in self.slots:
            if slot.process.is_alive():
                slot.process.terminate()
        self._join(timeout=2)

    def _join(self, timeout: float) -> None:
        for slot in self.slots:
            slot.process.join(timeout)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join()
            slot.conn.close()
        self.slots = []
        gc.unfreeze()
