"""What shequn keeps on disk between commands: the validated knowledge base as data, and compiled
templates in a private folder, so a one-shot command does not parse, check and compile it all again.

Nothing read from the cache can run code that the user did not write. What is read is read only from
subfolders that must be the user's own with mode 0700, checked on the open folder before anything in
it is read: compiled templates, which are code, and the knowledge base, a pickle (rebuilt four times
faster than the JSON it was) that may name no class but the models the caller lists, so that even a
file planted there could build nothing else. The cache folder itself must belong to the user and be
writable by nobody else, or it is not used; every entry must be a regular file of the user's that
nobody else may write. Anything unexpected is a miss, never an error. `SHEQUN_CACHE=0` turns the
cache off; `SHEQUN_CACHE_DIR` moves it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import stat
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

log = logging.getLogger(__name__)

FORMAT = 2  # of the entries; raise it when the encoding changes
MAX_ENTRIES = 32  # knowledge bases kept: a few bases and working directories; the oldest go first
MAX_COMPILED = 2000  # compiled templates and finding texts kept
MAX_ENTRY_BYTES = 16 * 1024 * 1024
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def settings() -> tuple:
    """What decides where the cache is: the cache may be looked up again when these change."""
    return tuple(os.environ.get(name) for name in ("SHEQUN_CACHE", "SHEQUN_CACHE_DIR", "XDG_CACHE_HOME", "HOME"))


def directory() -> Path | None:
    """Where the cache lives, or None when it is turned off."""
    if os.environ.get("SHEQUN_CACHE", "").strip().lower() in ("0", "off", "no", "false"):
        return None
    if os.environ.get("SHEQUN_CACHE_DIR"):
        return Path(os.environ["SHEQUN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "shequn"


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """shequn's own code as it is now (and Python's version): an entry made by other code is a miss."""
    digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0".encode())
    # the package's *.py in name order, as sorted(Path.glob("*.py")) lists them, without a Path for each
    package = os.path.dirname(os.path.realpath(__file__))
    for name in sorted(name for name in os.listdir(package) if name.endswith(".py")):
        info = os.stat(os.path.join(package, name))
        digest.update(f"{name}:{info.st_size}:{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def key_of(*parts: str) -> str:
    """The key of an entry: the code stamp and the given parts (a kind, a folder, a digest ...)."""
    digest = hashlib.sha256(code_stamp().encode())
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()[:40]


# ---------------------------------------------------------------------------- the folder


class Folder:
    """An open cache folder, checked; names inside are resolved against the open folder itself, so
    the folder checked is the folder used."""

    def __init__(self, fd: int):
        self.fd = fd

    def __enter__(self) -> "Folder":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def read(self, name: str) -> bytes | None:
        """An entry's bytes, or None if it is missing or anyone but the user could have written it."""
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW | _CLOEXEC, dir_fd=self.fd)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            if not (stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o022
                    and info.st_nlink == 1 and info.st_size <= MAX_ENTRY_BYTES):
                log.debug("cache entry %s is not the user's own; ignored", name)
                return None
            data = handle.read()
        return data if len(data) <= MAX_ENTRY_BYTES else None

    def write(self, name: str, data: bytes) -> None:
        """Replace an entry whole; raises OSError."""
        tmp = f".{name}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW | _CLOEXEC, 0o600, dir_fd=self.fd)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=self.fd)
            except OSError:
                pass
            raise

    def prune(self, suffix: str, keep: int) -> None:
        """Remove all but the `keep` newest entries ending in `suffix`."""
        entries = []
        for name in os.listdir(self.fd):
            if name.endswith(suffix):
                try:
                    entries.append((os.stat(name, dir_fd=self.fd, follow_symlinks=False).st_mtime, name))
                except OSError:
                    pass
        for _, name in sorted(entries, reverse=True)[keep:]:
            try:
                os.unlink(name, dir_fd=self.fd)
            except OSError:
                pass

    def private(self, name: str) -> "Folder | None":
        """A subfolder that only the user may enter (0700), made if need be; None if it is not so."""
        try:
            os.mkdir(name, 0o700, dir_fd=self.fd)
        except FileExistsError:
            pass
        except OSError:
            return None
        try:
            fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=self.fd)
        except OSError:
            return None
        info = os.fstat(fd)
        if info.st_uid != os.geteuid() or stat.S_IMODE(info.st_mode) & 0o077:
            log.debug("cache folder %s is not the user's own with mode 0700; not used", name)
            os.close(fd)
            return None
        return Folder(fd)


def open_folder() -> Folder | None:
    """The cache folder, made if need be (0700); None when the cache is off, or when the folder belongs
    to someone else or others may write in it."""
    folder = directory()
    if folder is None:
        return None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
    except OSError as exc:
        log.debug("no cache folder %s: %s", folder, exc)
        return None
    info = os.fstat(fd)
    if info.st_uid != os.geteuid() or info.st_mode & 0o022:
        log.debug("cache folder %s belongs to someone else or others may write in it; not used", folder)
        os.close(fd)
        return None
    return Folder(fd)


# ---------------------------------------------------------------------------- entries of data

PRIVATE = "kb"  # the private subfolder of knowledge base entries
SUFFIX = ".kb"


def load(key: str, classes: Mapping[str, type]) -> Any:
    """The value stored under `key`, rebuilt from `classes` only; None on any miss."""
    folder = _private()
    if folder is None:
        return None
    with folder:
        data = folder.read(f"{key}{SUFFIX}")
    if data is None:
        return None
    try:
        return decode(data, classes)
    except Exception as exc:  # a damaged or foreign entry is a miss
        log.debug("cache entry %s unusable: %s", key, exc)
        return None


def store(key: str, value: Any, classes: Mapping[str, type]) -> None:
    """Keep `value` under `key`; does nothing where the cache is off or cannot be written."""
    try:
        data = encode(value, classes)
    except (pickle.PicklingError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        log.debug("cannot cache the value: %s", exc)
        return
    folder = _private(tidy=True)
    if folder is None:
        return
    with folder:
        try:
            folder.write(f"{key}{SUFFIX}", data)
            folder.prune(SUFFIX, MAX_ENTRIES)
        except OSError as exc:
            log.debug("cannot write the cache entry: %s", exc)


def _private(tidy: bool = False) -> Folder | None:
    parent = open_folder()
    if parent is None:
        return None
    with parent:
        if tidy:  # entries of the JSON format that came before, never read again
            parent.prune(".json", 0)
        return parent.private(PRIVATE)


# ---------------------------------------------------------------------------- pickles of models
#
# An entry is a pickle, checked twice before it is believed: it is read only from the private
# subfolder, and the unpickler knows no name but the given classes (and the path class), so even an
# entry someone managed to plant there could build nothing but a knowledge base's own models: no
# function, no other class, is reachable from it.


def encode(value: Any, classes: Mapping[str, type]) -> bytes:
    """`value` as an entry; raises TypeError (or pickle's errors) for a class not in `classes`."""
    buffer = io.BytesIO()
    _Pickler(buffer, classes).dump(value)
    return MAGIC + buffer.getvalue()


def decode(data: bytes, classes: Mapping[str, type]) -> Any:
    """The value whose entry `data` is; only `classes` are ever instantiated."""
    if not data.startswith(MAGIC):
        raise ValueError("not an entry of this format")
    return _Unpickler(io.BytesIO(data[len(MAGIC):]), classes).load()


MAGIC = f"shequn-cache-{FORMAT}\n".encode()


def _allowed(classes: Mapping[str, type]) -> dict[tuple[str, str], type]:
    allowed = {(cls.__module__, cls.__qualname__): cls for cls in classes.values()}
    path = type(Path())
    allowed[path.__module__, path.__qualname__] = path
    return allowed


class _Pickler(pickle.Pickler):
    """Refuses, while writing, any class the entry could not be read back with."""

    def __init__(self, file: io.BytesIO, classes: Mapping[str, type]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.allowed = set(_allowed(classes).values()) | {type(None), bool, int, float, str, bytes, list, tuple,
                                                         dict}

    def reducer_override(self, value: Any) -> Any:
        if (value if type(value) is type else type(value)) not in self.allowed:
            raise TypeError(f"{getattr(value, '__qualname__', type(value).__qualname__)} cannot be cached")
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, classes: Mapping[str, type]):
        super().__init__(file)
        self.allowed = _allowed(classes)

    def find_class(self, module: str, name: str) -> type:
        cls = self.allowed.get((module, name))
        if cls is None:
            raise pickle.UnpicklingError(f"unexpected class {module}.{name} in a cache entry")
        return cls
