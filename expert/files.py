"""The user's files: read one only if it is a regular file of a sensible size, so that a directory,
a FIFO or /dev/zero given by mistake is a message, not a hang; every reason is one a user can read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

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
    if key is not None and exc.strerror != t(key):
        return t(key)
    return exc.strerror or str(exc)


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
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise OSError(errno.EILSEQ, t("file.not_utf8", line=line), str(path)) from None


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, at most `limit` of them; raises OSError whose strerror says why not."""
    # O_NONBLOCK: a FIFO opens at once instead of waiting for a writer; its type is then refused
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise OSError(exc.errno, reason(exc), str(path)) from None
    try:
        kind = kind_of(os.fstat(fd).st_mode)
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


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"
