"""Holding signals back while something must not be cut in half."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterable, Iterator


def named(*names: str) -> tuple[int, ...]:
    """The signals of these names that this platform has (Windows has no SIGHUP)."""
    return tuple(getattr(signal, name) for name in names if hasattr(signal, name))


@contextmanager
def held(signals: Iterable[int]) -> Iterator[None]:
    """`signals` wait until the block ends, then they are delivered; so do they in every process forked within
    it, until that process lets them through. Only the main thread can hold them; elsewhere this does nothing."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
