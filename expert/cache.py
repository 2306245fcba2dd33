"""What shequn keeps on disk between commands: the validated knowledge base as data, and compiled
templates in a private folder, so a one-shot command does not parse, check and compile it all again.

Nothing read from the cache can run code that the user did not write. A knowledge base is kept as
JSON, the models' fields, and rebuilt from classes the caller names (it was a pickle, which runs
whatever a planted file says). Compiled templates are code, so they live in a subfolder that must be
the user's own with mode 0700, checked on the open folder before anything in it is read. The cache
folder itself must belong to the user and be writable by nobody else, or it is not used; every entry
must be a regular file of the user's that nobody else may write. Anything unexpected is a miss, never
an error. `SHEQUN_CACHE=0` turns the cache off; `SHEQUN_CACHE_DIR` moves it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import stat
import sys
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Any, Mapping

log = logging.getLogger(__name__)

FORMAT = 1  # of the JSON entries; raise it when the encoding changes
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
    for module in sorted(Path(__file__).resolve().parent.glob("*.py")):
        info = module.stat()
        digest.update(f"{module.name}:{info.st_size}:{info.st_mtime_ns}\0".encode())
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


def load(key: str, classes: Mapping[str, type]) -> Any:
    """The value stored under `key`, rebuilt from `classes` only; None on any miss."""
    folder = open_folder()
    if folder is None:
        return None
    with folder:
        data = folder.read(f"{key}.json")
    if data is None:
        return None
    try:
        document = decode(data, classes)
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            return None
        return document["value"]
    except Exception as exc:  # a damaged or foreign entry is a miss
        log.debug("cache entry %s unusable: %s", key, exc)
        return None


def store(key: str, value: Any, classes: Mapping[str, type]) -> None:
    """Keep `value` under `key`; does nothing where the cache is off or cannot be written."""
    try:
        data = json.dumps({"format": FORMAT, "value": encode(value, classes)}, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as exc:
        log.debug("cannot cache the value: %s", exc)
        return
    folder = open_folder()
    if folder is None:
        return
    with folder:
        try:
            folder.write(f"{key}.json", data)
            folder.prune(".json", MAX_ENTRIES)
        except OSError as exc:
            log.debug("cannot write the cache entry: %s", exc)


# ---------------------------------------------------------------------------- JSON for models
#
# A scalar, list or dict of string keys is itself. Anything else is an object with a tag:
#   {"$": "Rule", "#": 7, "f": [fields in order], "x": {other attributes}}  a dataclass (7: its number)
#   {"$r": 7}                                                               the same dataclass again
#   {"$": "LocalText", "d": [[key, value], ...], "x": {...}}                a dict subclass
#   {"$": "Sequence", "l": [...], "x": {...}}                               a list subclass
#   {"$": "Id", "s": "..."}                                                 a str subclass
#   {"$d": [[key, value], ...]}  a dict with other keys   {"$t": [...]}  a tuple   {"$p": "..."}  a path


def encode(value: Any, classes: Mapping[str, type]) -> Any:
    """`value` as JSON data; raises TypeError for a class not in `classes`."""
    return _Encoder(classes).encode(value)


def decode(text: str | bytes, classes: Mapping[str, type]) -> Any:
    """The value whose encoding `text` is (as JSON); only `classes` are ever instantiated."""
    return json.loads(text, object_hook=_Decoder(classes))


class _Encoder:
    def __init__(self, classes: Mapping[str, type]):
        self.classes = classes
        self.numbers: dict[int, int] = {}
        self.keep: list[Any] = []  # numbered objects stay alive, so their ids stay theirs

    def known(self, value: Any) -> str:
        name = type(value).__name__
        if self.classes.get(name) is not type(value):
            raise TypeError(f"{type(value).__qualname__} cannot be cached")
        return name

    def extras(self, value: Any, fields: set[str] = frozenset()) -> dict:
        return {k: self.encode(v) for k, v in vars(value).items() if k not in fields}

    def encode(self, value: Any) -> Any:
        kind = type(value)
        if value is None or kind in (bool, int, float, str):
            return value
        if kind is list:
            return [self.encode(v) for v in value]
        if kind is dict:
            if all(type(k) is str and not k.startswith("$") for k in value):
                return {k: self.encode(v) for k, v in value.items()}
            return {"$d": [[self.encode(k), self.encode(v)] for k, v in value.items()]}
        if kind is tuple:
            return {"$t": [self.encode(v) for v in value]}
        if isinstance(value, PurePath):
            return {"$p": str(value)}
        if dataclasses.is_dataclass(value):
            number = self.numbers.get(id(value))
            if number is not None:
                return {"$r": number}
            name = self.known(value)
            self.numbers[id(value)] = number = len(self.numbers)
            self.keep.append(value)
            fields = dataclasses.fields(value)
            out = {"$": name, "#": number, "f": [self.encode(getattr(value, f.name)) for f in fields]}
            extras = self.extras(value, {f.name for f in fields})
            return {**out, "x": extras} if extras else out
        if isinstance(value, str):
            return {"$": self.known(value), "s": str(value)}
        if isinstance(value, dict):
            return {"$": self.known(value), "d": [[self.encode(k), self.encode(v)] for k, v in value.items()],
                    "x": self.extras(value)}
        if isinstance(value, list):
            return {"$": self.known(value), "l": [self.encode(v) for v in value], "x": self.extras(value)}
        raise TypeError(f"{kind.__qualname__} cannot be cached")


class _Decoder:
    """Rebuilds objects as json.loads meets them, innermost first: an object is whole before anything
    after it in the text can refer to it."""

    def __init__(self, classes: Mapping[str, type]):
        self.classes = classes
        self.objects: dict[int, Any] = {}
        self.fields: dict[type, tuple] = {}

    def cls(self, name: Any) -> type:
        cls = self.classes.get(name) if isinstance(name, str) else None
        if cls is None:
            raise ValueError(f"unexpected class {name!r} in a cache entry")
        return cls

    def __call__(self, data: dict) -> Any:
        name = data.get("$")
        if name is None:
            if "$r" in data:
                return self.objects[data["$r"]]
            if "$t" in data:
                return tuple(data["$t"])
            if "$d" in data:
                return {k: v for k, v in data["$d"]}
            if "$p" in data:
                return Path(data["$p"])
            return data
        cls = self.cls(name)
        if "#" in data:
            fields = self.fields.get(cls)
            if fields is None:
                if not dataclasses.is_dataclass(cls):
                    raise ValueError(f"{name} is not a dataclass")
                fields = self.fields[cls] = tuple((f.name, f.init) for f in dataclasses.fields(cls))
            values = data["f"]
            if len(values) != len(fields):
                raise ValueError(f"{name} has other fields now")
            value = cls(**{f: v for (f, init), v in zip(fields, values) if init})
            for (f, init), v in zip(fields, values):
                if not init:
                    object.__setattr__(value, f, v)
            self.objects[data["#"]] = value
        elif "s" in data:
            return cls(data["s"])
        elif "d" in data:
            value = cls({k: v for k, v in data["d"]})
        else:
            value = cls(data["l"])
        for k, v in data.get("x", {}).items():
            object.__setattr__(value, k, v)
        return value
