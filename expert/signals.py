"""Holding signals back while something must not be cut in half."""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from typing import Iterable, Iterator


def named(*names: str) -> tuple[int, ...]:
    """The signals of these names that this platform has (Windows has no SIGHUP)."""
    return tuple(getattr(signal, name) for name in names if hasattr(signal, name))


@contextmanager
def held(signals: Iterable[int]) -> Iterator[None]:
    """`signals` wait until the block ends, then they are delivered, each once; so do they in every process forked
    within it, until that process lets them through. Only the main thread can hold them; elsewhere this does
    nothing.

    Blocking them in this thread is not enough once the process has other threads (a progress bar's monitor, a
    library's executor): the kernel hands a process's signal to any thread that does not block it, and Python
    then runs the handler in the main thread at once, inside the block. So for the block's length a signal's
    handler only notes it, and the handler it had is called after. A process that has this thread alone needs
    none of that: a thread started within the block holds them too."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if _alone():
        before = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)
        return
    signals = tuple(signals)
    came: list[int] = []

    def note(signum, frame):
        if signum not in came:
            came.append(signum)

    handlers = {}
    for s in signals:
        handler = signal.getsignal(s)
        if handler not in (signal.SIG_IGN, None):  # ignored stays ignored; a handler set outside Python is kept
            handlers[s] = handler
            signal.signal(s, note)
    before = signal.pthread_sigmask(signal.SIG_BLOCK, signals) if hasattr(signal, "pthread_sigmask") else None
    try:
        yield
    finally:
        try:
            _restore(handlers, note)
        finally:  # whatever a restored handler raised, the mask is as it was: else every thread started later
            # would inherit the signals blocked, and never see one again
            if before is not None:  # one that came to this thread, held by the kernel, now meets its own handler
                signal.pthread_sigmask(signal.SIG_SETMASK, before)
        for s in came:  # one that came to another thread while the block ran
            signal.raise_signal(s)


def _restore(handlers: dict, note) -> None:
    """Each signal's handler back, unless the block set one itself. signal.signal runs a handler at once for a
    signal that another thread took and Python has not yet looked at: what it raises is raised once every
    handler is back."""
    raised = None
    for s, handler in handlers.items():
        try:
            if signal.getsignal(s) is note:
                signal.signal(s, handler)
        except BaseException as exc:  # noqa: BLE001 - raised below, once the others are back
            raised = raised or exc
    if raised is not None:
        raise raised


def _alone() -> bool:
    """This process has one thread, counting those Python did not start. Only Linux says so cheaply (procfs gives
    a process's task folder two links plus one a thread); elsewhere assume there are others."""
    if not hasattr(signal, "pthread_sigmask"):
        return False
    try:
        return os.stat("/proc/self/task").st_nlink == 3
    except OSError:
        return False
