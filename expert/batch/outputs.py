"""Writing outputs: the out-dir claimed for one run, its files, and prescription file names that are safe and
unique.

An out-dir belongs to one run at a time (a lock), and never mixes two runs' results: one that holds an
earlier run's is refused, unless `--overwrite` says to remove exactly what a run writes there first.
"""

from __future__ import annotations

import hashlib
import json
import os
from json.encoder import encode_basestring
import re
import shutil
import tempfile
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from expert.errors import UsageError
from expert.locks import Lock
from expert.messages import t
from expert.files import write_atomically

PRESCRIPTIONS = "prescriptions"
RESULTS = "results.jsonl"
ERRORS = "errors.jsonl"
SUMMARY = "summary.md"
EXTENSIONS = {"markdown": ".md", "json": ".json", "html": ".html"}
LOCK = ".shequn-batch.lock"
# everything a run writes, and so everything --overwrite removes
WRITTEN = (PRESCRIPTIONS, RESULTS, ERRORS, SUMMARY)
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
MAX_NAME_BYTES = 150  # leaves room for "-12345.json" and temporary-file affixes under 255 bytes
SPOOL_PREFIX = ".shequn-row-"


def spool_name(number: int) -> str:
    """The temporary name of a row's prescription, written by a worker and renamed by the parent; whatever of
    them an interrupted run leaves behind is removed when the out-dir is released (OutDir)."""
    return f"{SPOOL_PREFIX}{number}.partial"


@lru_cache(maxsize=1024)  # the same names recur row after row (茶友会, 读书会-2 …); a bounded memory of them
def safe_name(name: str) -> str:
    """A file name from a community's name: readable (Chinese stays), safe on every file system."""
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join("_" if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    text = re.sub(r'[\\/:*?"<>|]+', "_", text)
    text = re.sub(r"\s+", " ", text).strip(" ._")
    while len(text.encode("utf-8")) > MAX_NAME_BYTES:
        text = text[:-1]
    text = text.rstrip(" .")
    if text.lower().split(".")[0] in WINDOWS_RESERVED:
        text += "_"
    return text


def _key(name: str) -> int:
    """A name as a 64-bit number: what Names remembers of it, a fifth of the memory of the text.
    Two names with one number (never seen in practice) only make the second skip to a free suffix."""
    return int.from_bytes(hashlib.blake2b(name.casefold().encode("utf-8"), digest_size=8).digest(), "big")


class Names:
    """Unique file names within one run, in input order (so every --jobs gives the same names).

    Names taken are remembered as numbers (`_key`), so a run of 50,000 rows holds a few MB of them,
    not the 14 MB their texts would take."""

    def __init__(self, extension: str):
        self.extension = extension
        self.used: set[int] = set()
        self.last: dict[int, int] = {}  # base name -> the last number given to it

    def take(self, name: str, number: int) -> str:
        return self.claim(safe_name(name) or f"row-{number}")

    def claim(self, base: str) -> str:
        """The file name for `base`, a name safe_name made (or row-N): `base` itself, or `base-2`, `base-3` …
        where it is taken."""
        # compared case-insensitively: macOS and Windows would treat A.md and a.md as one file
        key = _key(base)
        candidate, n, taken = base, self.last.get(key, 1), key
        if n > 1 or key in self.used:
            while True:  # a community may itself be called "读书会-2": skip what is taken
                n += 1
                candidate = f"{base}-{n}"
                taken = _key(candidate)
                if taken not in self.used:
                    break
        self.last[key] = n
        self.used.add(taken)
        return candidate + self.extension




def write_file(path: str, text: str) -> None:
    """A new file of `text` as open(path, "w", encoding="utf-8") writes it, line ends as the platform's, without the
    text file object and its buffers, which cost a prescription more than the writing."""
    data = (text if os.linesep == "\n" else text.replace("\n", os.linesep)).encode("utf-8")
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view, done = memoryview(data), 0
        while done < len(data):
            done += os.write(handle, view[done:])
    finally:
        os.close(handle)


def _write_whole(path: str, text: str) -> None:
    """Write a prescription, or if interrupted, nothing. Its results.jsonl line is written after it,
    so no line ever points at a partial file; a rename per file would cost more than it protects."""
    try:
        write_file(path, text)
    except BaseException:
        try:
            os.unlink(path)
        except OSError:
            pass
        raise


class OutDir:
    """The out-dir of one run, from its claim (lock, no earlier results) to its summary.

    Every failure to write is a UsageError naming the file, never an OSError."""

    def __init__(self, path: str | Path, fmt: str, overwrite: bool = False):
        self.path = Path(path)
        self.names = Names(EXTENSIONS[fmt])
        self.overwrite = overwrite
        self.lock = Lock(self.path / LOCK)
        self._prescriptions = str(self.path / PRESCRIPTIONS)
        self.files: dict[str, BinaryIO] = {}
        self.sizes: dict[str, int] = {}

    def __enter__(self) -> "OutDir":
        try:
            self._claim()
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        self._close()

    def _claim(self) -> None:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            if not self.lock.acquire():
                raise UsageError(t("batch.out_dir_busy", dir=self.path, pid=self.lock.holder()))
            earlier = [name for name in WRITTEN if self._holds(name)]
            if earlier and not self.overwrite:
                raise UsageError(t("batch.out_dir_used", dir=self.path, files=", ".join(earlier)))
            for name in earlier:
                self._remove(self.path / name)
            prescriptions = self.path / PRESCRIPTIONS
            prescriptions.mkdir(exist_ok=True)
            try:  # writable, before the first row is diagnosed
                tempfile.TemporaryFile(dir=prescriptions).close()
            except OSError as exc:
                raise _cannot_write(exc, prescriptions) from None
            for name in (RESULTS, ERRORS):
                self.files[name] = open(self.path / name, "wb", buffering=0)
                self.sizes[name] = 0
        except OSError as exc:
            raise _cannot_write(exc, exc.filename or self.path) from None

    def _holds(self, name: str) -> bool:
        path = self.path / name
        if name == PRESCRIPTIONS and path.is_dir() and not path.is_symlink():
            return any(True for _ in path.iterdir())  # an empty folder mixes nothing with the new results
        return os.path.lexists(path)

    @staticmethod
    def _remove(path: Path) -> None:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()

    @property
    def spool(self) -> str:
        """The prescriptions' folder, where worker processes write them under temporary names first
        (`diagnosed(spooled=...)`)."""
        return self._prescriptions

    def diagnosed(self, base: str, text: str, result: tuple[bytes, bytes], spooled: str = "") -> str:
        """A community's prescription, then its results.jsonl line, so that no line points at a partial file;
        returns the prescription's file name. `base`: the file name before Names makes it unique; `result`: the
        line the worker encoded, before and after the file name (worker.Outcome); `spooled`: the prescription is
        already written, whole, in that file of the spool, and is renamed."""
        file = self.names.claim(base)
        path = os.path.join(self.spool, file)  # a string: pathlib costs more than the rename itself
        lines = self.sizes[RESULTS]
        try:
            try:
                if spooled:
                    os.replace(spooled, path)
                else:
                    _write_whole(path, text)
            except OSError as exc:
                raise _cannot_write(exc, path) from None
            self._write(RESULTS, b"".join((result[0], encode_basestring(f"{PRESCRIPTIONS}/{file}").encode("utf-8"),
                                           result[1])))
        except BaseException:
            # whatever stopped it (a failed write, a signal between the two steps), a prescription without its
            # line would be a result nobody counted; a line is only there once the size counts it (_write)
            if self.sizes[RESULTS] == lines:
                try:
                    os.unlink(path)
                except OSError:
                    pass
            raise
        return file

    def failed(self, number: int, where: str, problems: list[dict[str, Any]]) -> None:
        self._line(ERRORS, json.dumps({"row": number, "source": where, "problems": problems}, ensure_ascii=False))

    def _line(self, name: str, line: str) -> None:
        self._write(name, (line + "\n").encode("utf-8"))

    def _write(self, name: str, data: bytes) -> None:
        """One line (`data`, its line end included), written whole or not at all: a failed write is cut back off
        the file."""
        handle = self.files[name]
        start = self.sizes[name]
        try:
            done = 0
            while done < len(data):  # unbuffered: each line reaches the file as soon as it is written
                done += handle.write(data[done:])
        except BaseException as exc:
            try:
                os.ftruncate(handle.fileno(), start)
            except OSError:
                pass
            if isinstance(exc, OSError):
                raise _cannot_write(exc, self.path / name) from None
            raise
        self.sizes[name] = start + len(data)

    def summary(self, text: str) -> None:
        try:
            write_atomically(self.path / SUMMARY, text)  # once a run: the old summary or the new, never half
        except OSError as exc:
            raise _cannot_write(exc, self.path / SUMMARY) from None

    def _close(self) -> None:
        for handle in self.files.values():
            handle.close()
        if self.files:  # claimed: what workers spooled for rows an interrupted run never took is not a result
            self._unspool()
        self.files = {}
        self.lock.release()

    def _unspool(self) -> None:
        try:
            with os.scandir(self.path / PRESCRIPTIONS) as entries:
                leftovers = [e.path for e in entries if e.name.startswith(SPOOL_PREFIX) and e.is_file(follow_symlinks=False)]
        except OSError:
            return
        for path in leftovers:
            try:
                os.unlink(path)
            except OSError:
                pass


def _cannot_write(exc: OSError, path: str | Path) -> UsageError:
    return UsageError(t("cli.cannot_write", file=path, reason=exc.strerror or exc))
