"""The validated knowledge base kept on disk, so a command does not parse and check the same YAML again.

An entry is keyed by the content of every knowledge-base file, the code that validates them, the
Python version and the working directory (messages name files relative to it). Anything unexpected
(no cache folder, an unreadable or stale entry) is a miss, never an error: the knowledge base is then
loaded from its files as usual. `SHEQUN_CACHE=0` turns the cache off; `SHEQUN_CACHE_DIR` moves it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAX_ENTRIES = 32  # a few knowledge bases and working directories; the oldest go first
KB_PARTS = ("questionnaires", "rules", "templates")


def directory() -> Path | None:
    """Where entries live, or None when the cache is turned off."""
    if os.environ.get("SHEQUN_CACHE", "").strip().lower() in ("0", "off", "no", "false"):
        return None
    if os.environ.get("SHEQUN_CACHE_DIR"):
        return Path(os.environ["SHEQUN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "shequn"


def key_of(root: Path, kind: str) -> str | None:
    """The key of a knowledge base's files as they are now; None if it cannot be computed."""
    digest = hashlib.sha256()
    try:
        for part in (kind, sys.version, os.getcwd(), str(root), str(root.resolve())):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
        code = Path(__file__).resolve().parent
        for module in sorted(code.glob("*.py")):
            stat = module.stat()
            digest.update(f"{module.name}:{stat.st_size}:{stat.st_mtime_ns}\0".encode())
        for part in KB_PARTS:
            folder = root / part
            if not folder.is_dir():
                return None
            for path in sorted(folder.iterdir()):
                if path.is_file():
                    digest.update(f"{part}/{path.name}\0".encode("utf-8", "surrogateescape"))
                    digest.update(hashlib.sha256(path.read_bytes()).digest())
    except (OSError, RuntimeError):  # RuntimeError: a loop of symbolic links
        return None
    return digest.hexdigest()[:40]


def load(key: str | None) -> Any:
    """The object stored under `key`, or None."""
    folder = directory()
    if key is None or folder is None:
        return None
    path = folder / f"{key}.pickle"
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged or incompatible entry is a miss
        log.debug("cache entry %s unusable: %s", path, exc)
        return None


def store(key: str | None, value: Any) -> None:
    """Keep `value` under `key`; silently does nothing where the cache cannot be written."""
    folder = directory()
    if key is None or folder is None:
        return
    import tempfile  # only when writing: its imports cost more than reading an entry

    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, folder / f"{key}.pickle")
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
        _prune(folder)
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
        log.debug("cannot cache the knowledge base: %s", exc)


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[MAX_ENTRIES:]:
        try:
            old.unlink()
        except OSError:
            pass
