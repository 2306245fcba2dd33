"""The languages a knowledge base declares, read without loading it: the command line offers them as
the choices of --lang, and `shequn --help` must not parse YAML or build an engine to list them.
"""

from __future__ import annotations

import os
import re
import stat
from functools import lru_cache
from pathlib import Path

from expert.messages import LANGUAGES

# `languages: [zh, en]` at the top level of the questionnaire, the form every questionnaire is written in
_FLOW = re.compile(r"^languages:[ \t]*\[([^\]\n#]*)\][ \t]*(#.*)?$", re.MULTILINE)
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


@lru_cache(maxsize=1)
def builtin_dir() -> Path:
    """The built-in knowledge base's folder: inside the wheel (expert/kb/), or in a source checkout the
    repository's top level. Found once: the command line and the loader (expert.knowledge, not imported
    here: it brings the whole loader) both ask."""
    here = Path(__file__).resolve().parent
    packaged = here / "kb"
    return packaged if (packaged / "rules").is_dir() else here.parent


def declared_languages(kb_dir: str | Path | None = None) -> tuple[str, ...]:
    """The questionnaire's `languages:`; where it cannot be read this cheaply (no single questionnaire,
    another YAML form), the languages of the messages: loading the knowledge base then says what is wrong,
    or parses that other form."""
    root = Path(kb_dir) if kb_dir is not None else builtin_dir()
    folder = os.path.join(root, "questionnaires")
    try:
        # the folder's *.yaml, as Path.glob lists them; read as Path.read_text(encoding="utf-8-sig") reads,
        # without the codec's module or the glob's pattern
        names = [name for name in os.listdir(folder) if name.endswith(".yaml")]
        if len(names) != 1:
            return LANGUAGES
        path = os.path.join(folder, names[0])
        info = os.stat(path)  # before it is opened: a FIFO would wait for a writer
        if not stat.S_ISREG(info.st_mode) or info.st_size > 1 << 20:
            return LANGUAGES
        with open(path, "rb") as handle:
            data = handle.read()
        # files.decode_text's reading, written here: expert.files brings the errors module (dataclasses,
        # inspect), which `shequn --help` must not load
        text = (data[3:] if data.startswith(b"\xef\xbb\xbf") else data).decode("utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        return LANGUAGES
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as a file read as text has its line ends
    found = _FLOW.search(text)
    if found is None:
        return _parsed(text)
    codes = [part.strip().strip("'\"") for part in found.group(1).split(",")]
    if not codes or not all(_CODE.fullmatch(code) for code in codes):
        return _parsed(text)
    return tuple(codes)


def _parsed(text: str) -> tuple[str, ...]:
    """The other YAML forms of `languages:` (a block list, quoted codes ...), parsed properly."""
    import yaml

    from expert.yamlio import parse_yaml

    try:
        data = parse_yaml(text, "questionnaire")
    except (yaml.YAMLError, ValueError, RecursionError):
        return LANGUAGES
    declared = data.get("languages") if isinstance(data, dict) else None
    if isinstance(declared, list) and declared and all(isinstance(x, str) for x in declared):
        return tuple(declared)
    return LANGUAGES
