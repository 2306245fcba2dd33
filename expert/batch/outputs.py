"""Writing outputs: the files of the out-dir, and prescription file names that are safe and unique."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

PRESCRIPTIONS = "prescriptions"
RESULTS = "results.jsonl"
ERRORS = "errors.jsonl"
SUMMARY = "summary.md"
EXTENSIONS = {"markdown": ".md", "json": ".json"}
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
MAX_NAME_BYTES = 150  # leaves room for "-12345.json" and temporary-file affixes under 255 bytes


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


class Names:
    """Unique file names within one run, in input order (so every --jobs gives the same names)."""

    def __init__(self, extension: str):
        self.extension = extension
        self.used: set[str] = set()
        self.last: dict[str, int] = {}  # base name -> the last number given to it

    def take(self, name: str, number: int) -> str:
        base = safe_name(name) or f"row-{number}"
        # compared case-insensitively: macOS and Windows would treat A.md and a.md as one file
        key = base.casefold()
        candidate, n = base, self.last.get(key, 1)
        if n > 1 or key in self.used:
            while True:  # a community may itself be called "读书会-2": skip what is taken
                n += 1
                candidate = f"{base}-{n}"
                if candidate.casefold() not in self.used:
                    break
        self.last[key] = n
        self.used.add(candidate.casefold())
        return candidate + self.extension




def _write_whole(path: Path, text: str) -> None:
    """Write a prescription, or if interrupted, nothing. Its results.jsonl line is written after it,
    so no line ever points at a partial file; a rename per file would cost more than it protects."""
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except BaseException:
        try:
            os.unlink(path)
        except OSError:
            pass
        raise


def _write(path: Path, text: str) -> None:
    """Write a file whole or not at all; without fsync, which would cost more than the diagnosis."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


