"""One running command per file it owns: an advisory lock (flock) on a small file beside it.

The kernel drops a flock when its process ends, however it ends, so a run killed with kill -9 never blocks
the next one; the lock file itself is removed on release, and a lock taken on a file that a releasing
holder had just removed is taken again on the new one.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock, and no lock
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)


class Lock:
    """An exclusive lock on `path`, tried once: `acquire()` is False while another process holds it."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock, or say that another process has it; OSError when the file cannot be created."""
        if fcntl is None:  # pragma: no cover
            return True
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            except BaseException:
                os.close(fd)
                raise
            try:
                current = os.stat(self.path)
            except FileNotFoundError:
                current = None
            if current is not None and os.path.samestat(os.fstat(fd), current):
                break
            os.close(fd)  # the holder removed this file as it let go: lock the one now at the path
        self.fd = fd
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:  # the pid is only a courtesy to whoever finds the lock taken
            pass
        log.debug("locked %s", self.path)
        return True

    def holder(self) -> str:
        """The process id written by the holder, or '?'."""
        try:
            text = self.path.read_text(encoding="ascii", errors="replace").strip()
        except OSError:
            return "?"
        return text if text.isdigit() else "?"

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.unlink(self.path)  # while still held, so nobody locks a file that is about to go
        except OSError:
            pass
        os.close(self.fd)
        self.fd = None
        log.debug("unlocked %s", self.path)
