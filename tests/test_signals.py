"""Signals held while something must not be cut in half (a row's files and its count, the answers file): they
wait until the block ends and then reach the handler they had, once, whichever of the process's threads the
kernel handed them to."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from expert.signals import held

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="signals to one thread: POSIX only")


@pytest.fixture
def another_thread():
    """A second thread, as a progress bar's monitor is: the kernel may hand it a signal sent to the process."""
    done = threading.Event()
    thread = threading.Thread(target=done.wait, daemon=True)
    thread.start()
    yield thread
    done.set()
    thread.join()


@pytest.fixture
def seen():
    """What reached SIGINT's and SIGUSR1's handlers, in order, with marks the test adds."""
    log: list = []
    before = {s: signal.signal(s, lambda signum, frame: log.append(signum)) for s in (signal.SIGINT, signal.SIGUSR1)}
    yield log
    for s, handler in before.items():
        signal.signal(s, handler)


def busy():
    """Long enough for Python to run a pending handler, had the block let it. It lets the GIL go, as writing a
    file does: Python 3.11 looks for a signal another thread took only when the GIL changes hands."""
    for _ in range(10):
        time.sleep(0.001)


def test_a_signal_handed_to_another_thread_waits_for_the_block(another_thread, seen):
    with held([signal.SIGINT]):
        signal.pthread_kill(another_thread.ident, signal.SIGINT)
        busy()
        seen.append("end of block")
    busy()
    assert seen == ["end of block", signal.SIGINT]


def test_a_signal_sent_to_the_process_waits_for_the_block_whichever_thread_gets_it(another_thread, seen):
    for _ in range(20):
        with held([signal.SIGINT]):
            signal.raise_signal(signal.SIGINT) if _ % 2 else signal.pthread_kill(another_thread.ident, signal.SIGINT)
            busy()
            seen.append("end")
        busy()
    assert seen == ["end", signal.SIGINT] * 20


def test_two_signals_of_one_kind_in_one_block_are_delivered_once(another_thread, seen):
    with held([signal.SIGINT]):
        signal.pthread_kill(another_thread.ident, signal.SIGINT)
        busy()
        signal.pthread_kill(another_thread.ident, signal.SIGINT)
        busy()
    busy()
    assert seen == [signal.SIGINT]


def test_signals_not_named_are_not_held(another_thread, seen):
    with held([signal.SIGINT]):
        signal.pthread_kill(another_thread.ident, signal.SIGUSR1)
        busy()
        seen.append("end of block")
    assert seen == [signal.SIGUSR1, "end of block"]


def test_after_the_block_each_signal_has_the_handler_it_had(another_thread, seen):
    handlers = [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGUSR1)]
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    with held([signal.SIGINT, signal.SIGUSR1]):
        assert {signal.SIGINT, signal.SIGUSR1} <= signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGUSR1)] == handlers
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == mask


def test_an_ignored_signal_stays_ignored(another_thread):
    previous = signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    try:
        with held([signal.SIGUSR1]):
            signal.pthread_kill(another_thread.ident, signal.SIGUSR1)
            busy()
        busy()
        assert signal.getsignal(signal.SIGUSR1) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_a_handler_that_raises_raises_after_the_block(another_thread):
    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, stop)
    finished = False
    try:
        with pytest.raises(KeyboardInterrupt):
            with held([signal.SIGINT]):
                signal.pthread_kill(another_thread.ident, signal.SIGINT)
                busy()
                finished = True
    finally:
        signal.signal(signal.SIGINT, previous)
    assert finished


def run(script: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, timeout=60)


def test_in_a_process_of_one_thread_a_signal_waits_for_the_block_too():
    done = run("""
        import os, signal
        from expert.signals import held
        seen = []
        signal.signal(signal.SIGINT, lambda s, f: seen.append("signal"))
        with held([signal.SIGINT]):
            os.kill(os.getpid(), signal.SIGINT)
            sum(range(100_000))
            seen.append("end of block")
        print(seen)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['end of block', 'signal']"


@pytest.mark.parametrize("threads", [0, 1])
def test_sigterm_left_at_its_default_ends_the_process_after_the_block(threads):
    # the interview's case: the answers file is written whole, then the process ends as SIGTERM says
    done = run(f"""
        import os, signal, threading
        from expert.signals import held
        stop = threading.Event()
        others = [threading.Thread(target=stop.wait, daemon=True) for _ in range({threads})]
        for t in others:
            t.start()
        with held([signal.SIGTERM]):
            if others:
                signal.pthread_kill(others[0].ident, signal.SIGTERM)
            else:
                os.kill(os.getpid(), signal.SIGTERM)
            sum(range(100_000))
            print("end of block", flush=True)
        print("not reached", flush=True)
    """)
    assert done.returncode == -signal.SIGTERM
    assert done.stdout == "end of block\n"


def test_a_handler_the_block_sets_itself_stays(another_thread, seen):
    def other(signum, frame):
        seen.append("other")

    with held([signal.SIGINT]):
        signal.signal(signal.SIGINT, other)
    assert signal.getsignal(signal.SIGINT) is other


def test_a_handler_that_runs_as_it_is_put_back_leaves_the_mask_and_the_other_handlers_as_they_were(another_thread,
                                                                                                     monkeypatch):
    # a signal another thread took and Python had not looked at yet: putting SIGINT's handler back runs it at once,
    # and what it raises must not leave SIGINT blocked in this thread (every thread started later would inherit it)
    import expert.signals

    real = signal.signal
    stops = []

    def put_back_then_run(signum, handler):
        previous = real(signum, handler)
        if signum == signal.SIGINT and handler is stop:
            raise KeyboardInterrupt
        return previous

    def stop(signum, frame):
        stops.append(signum)

    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    before = {s: real(s, stop) for s in (signal.SIGINT, signal.SIGUSR1)}
    try:
        monkeypatch.setattr(expert.signals.signal, "signal", put_back_then_run)
        with pytest.raises(KeyboardInterrupt):
            with held([signal.SIGINT, signal.SIGUSR1]):
                pass
        monkeypatch.undo()
        assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == mask
        assert signal.getsignal(signal.SIGINT) is stop and signal.getsignal(signal.SIGUSR1) is stop
    finally:
        monkeypatch.undo()
        for s, handler in before.items():
            real(s, handler)


# ---------------------------------------------------------------------------- a batch run's own stop handler


def test_a_stop_signal_within_a_deferred_block_lets_the_block_finish_then_stops_the_run(another_thread):
    from expert.batch.pool import Stopped, stop_on_signals

    for target in ("the process", "another thread"):
        steps = []
        with stop_on_signals() as stops:
            with pytest.raises(Stopped) as stopped:
                with stops.deferred():
                    if target == "the process":
                        signal.raise_signal(signal.SIGTERM)
                    else:
                        signal.pthread_kill(another_thread.ident, signal.SIGTERM)
                    busy()
                    steps.append("written")
                    busy()
                    steps.append("counted")
                steps.append("after the block")
        assert steps == ["written", "counted"], target
        assert stopped.value.signum == signal.SIGTERM


def test_outside_a_deferred_block_a_stop_signal_stops_the_run_at_once_and_only_the_first_counts():
    from expert.batch.pool import Stopped, stop_on_signals

    with stop_on_signals() as stops:
        with pytest.raises(Stopped):
            signal.raise_signal(signal.SIGINT)
            busy()
            pytest.fail("the signal did not stop the run")
        signal.raise_signal(signal.SIGINT)  # the run is winding up: noted, not raised again
        with stops.deferred():
            signal.raise_signal(signal.SIGTERM)
        busy()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handlers are put back


def test_a_deferred_signal_is_raised_even_when_the_block_failed():
    from expert.batch.pool import Stopped, stop_on_signals

    with stop_on_signals() as stops:
        with pytest.raises(Stopped) as stopped:
            with stops.deferred():
                signal.raise_signal(signal.SIGINT)
                raise OSError("disk full")
    assert isinstance(stopped.value.__context__, OSError)  # what failed is not lost: it is the Stopped's context


def test_a_signal_ignored_before_the_run_stays_ignored_and_a_block_is_not_stopped():
    from expert.batch.pool import stop_on_signals

    before = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with stop_on_signals() as stops:
            with stops.deferred():
                signal.raise_signal(signal.SIGTERM)
            busy()
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, before)
