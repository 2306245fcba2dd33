"""The user's files. One is read only if it is a regular file of a sensible size, so that a directory,
a FIFO or /dev/zero given by mistake is a message, not a hang; a pipe the shell opened for us
(standard input, /dev/stdin, /dev/fd/N from `<(...)`) is read too, since its writer is already there. One is written so that nothing is
destroyed: atomically where it is a regular file, through a symbolic link (which stays a link), in
place where it is a device or FIFO, with the mode it had (or 0666 less the umask), and never over the
input being read. Every reason is one a user can read.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path
from typing import Iterable

from expert.errors import UsageError
from expert.limits import MAX_FILE_BYTES
from expert.messages import t

_REASONS = {
    errno.ENOENT: "file.not_found",
    errno.EACCES: "file.no_permission",
    errno.EPERM: "file.no_permission",
    errno.ELOOP: "file.symlink_loop",
    errno.EISDIR: "file.directory",
    errno.ENOTDIR: "file.not_found",
}


def reason(exc: OSError) -> str:
    """Why a file could not be used, in the operator's language where we know the cause."""
    key = _REASONS.get(exc.errno) if exc.errno is not None else None
    return t(key) if key is not None else exc.strerror or str(exc)


def kind_of(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return t("file.kind_directory")
    if stat.S_ISFIFO(mode):
        return t("file.kind_fifo")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return t("file.kind_device")
    if stat.S_ISSOCK(mode):
        return t("file.kind_socket")
    return t("file.kind_other")


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """A regular UTF-8 file's text (a BOM is allowed); raises OSError whose strerror says why not."""
    return decode_text(read_bytes(path, limit), path)


def decode_text(data: bytes, path: Path | str) -> str:
    """UTF-8 after a BOM, if there is one: what the utf-8-sig codec reads, without importing it."""
    body = data[3:] if data.startswith(BOM) else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        raise OSError(errno.EILSEQ, t("file.not_utf8", line=line), str(path)) from None


BOM = b"\xef\xbb\xbf"  # codecs.BOM_UTF8


STDIN = "-"
# Names of descriptors this process already holds: a pipe behind one has its writer already, so
# reading it cannot wait for one that never comes, as a named FIFO on disk can.
# (Compiled by `re`'s own cache when a name under /dev or /proc is first read.)
OWN_DESCRIPTORS = r"/dev/std(in|out|err)|/dev/fd/\d+|/proc/self/fd/\d+"


def is_own_descriptor(path: str | Path) -> bool:
    """Is this `-`, /dev/stdin or /dev/fd/N: something the shell opened for us (e.g. `<(cat x.yaml)`)?"""
    if str(path) == STDIN:
        return True
    name = os.path.normpath(os.path.abspath(path))
    return name.startswith(("/dev/", "/proc/")) and bool(re.fullmatch(OWN_DESCRIPTORS, name))


def _readable_kind(mode: int, own: bool) -> str | None:
    """Why a file of this mode is not read (its kind in words), or None when it is read."""
    if own and (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        return None
    return kind_of(mode)


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, at most `limit` of them; raises OSError whose strerror says why not.

    `-` is standard input; it, /dev/stdin and /dev/fd/N may also be a pipe, but not a terminal."""
    own = is_own_descriptor(path)
    if str(path) == STDIN:
        path = Path("/dev/stdin")
    if own and os.path.exists(path) and os.isatty(_fd_of(path)):
        from expert.terminal import program  # it brings wcwidth, which only this message needs

        raise OSError(errno.EINVAL, t("file.terminal", program=program()), str(path))
    # The type is checked before opening (opening a device may itself do something) and again on
    # what was opened, in case the name changed meanwhile; O_NONBLOCK: a FIFO put there meanwhile
    # opens at once instead of waiting for a writer, and is then refused. A pipe of our own is
    # opened blocking: its writer may not have written yet.
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | (0 if own else getattr(os, "O_NONBLOCK", 0))
    try:
        kind = _readable_kind(os.stat(path).st_mode, own)
        if kind is not None:
            raise OSError(errno.EINVAL, t("file.not_regular", kind=kind), str(path))
        fd = os.open(path, flags)
    except OSError as exc:
        raise OSError(exc.errno, reason(exc), str(path)) from None
    try:
        kind = _readable_kind(os.fstat(fd).st_mode, own)
        if kind is not None:
            raise OSError(errno.EINVAL, t("file.not_regular", kind=kind), str(path))
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, t("file.too_big", limit=_size(limit)), str(path))
    return data


def _fd_of(path: str | Path) -> int:
    """The descriptor number a /dev/stdin, /dev/fd/N or /proc/self/fd/N name stands for."""
    name = os.path.basename(os.path.normpath(os.path.abspath(path)))
    standard = {"stdin": 0, "stdout": 1, "stderr": 2}
    return standard[name] if name in standard else int(name)


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def same_file(a: str | Path, b: str | Path) -> bool:
    """Do two names lead to one file (by any links), or, where none is there yet, to one place?"""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        try:
            return os.path.realpath(a) == os.path.realpath(b)
        except (OSError, ValueError):
            return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def write_atomically(path: str | Path, text: str | bytes, keep: Iterable[str | Path] = ()) -> None:
    """Write `text` (or bytes, e.g. a workbook) to `path` so that a reader sees the old content or the new, never half of it.

    `keep` are the inputs of the command: writing over one of them, by whatever name, is refused
    with a UsageError. Raises OSError (with a readable strerror) when the file cannot be written."""
    for other in keep:
        if same_file(path, other):
            raise UsageError(t("files.would_overwrite_input", file=str(path), input=str(other)))
    try:
        before: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        before = None
    except OSError as exc:
        raise OSError(exc.errno, reason(exc), str(path)) from None
    if before is not None and stat.S_ISDIR(before.st_mode):
        raise OSError(errno.EISDIR, t("file.directory"), str(path))
    if before is not None and not stat.S_ISREG(before.st_mode):
        _write_in_place(path, text)  # /dev/null, /dev/stdout, a FIFO: written to, never replaced
        return
    # through every symbolic link to the file itself, so the link stays and its target gets the text
    target = Path(os.path.realpath(path))
    if before is not None and not same_file(target, path):  # a /proc magic link and the like
        _write_in_place(path, text)
        return
    fd, tmp = _new_file(target)
    try:
        if before is not None:
            _keep_mode(fd, before)
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8") if isinstance(text, str) else text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _new_file(target: Path) -> tuple[int, str]:
    """A new file next to `target`; created 0666 so that the umask gives it the usual mode (mkstemp
    would make it 0600 whatever the umask)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = str(target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp"))
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
        except OSError as exc:
            raise OSError(exc.errno, reason(exc), str(target)) from None


def _keep_mode(fd: int, before: os.stat_result) -> None:
    """The replacement keeps the mode of the file it replaces, and its owner where we may set it."""
    os.fchmod(fd, stat.S_IMODE(before.st_mode))
    if (before.st_uid, before.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(fd, before.st_uid, before.st_gid)
        except OSError:
            pass


def _write_in_place(path: str | Path, text: str | bytes) -> None:
    try:
        with open(path, "wb") as handle:
            handle.write(text.encode("utf-8") if isinstance(text, str) else text)
    except OSError as exc:
        raise OSError(exc.errno, reason(exc), str(path)) from None
