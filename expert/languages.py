"""The languages a knowledge base declares, read without loading it: the command line offers them as
the choices of --lang, and `shequn --help` must not parse YAML or build an engine to list them.
"""

from __future__ import annotations

import re
from pathlib import Path

from expert.messages import LANGUAGES

# `languages: [zh, en]` at the top level of the questionnaire, the form every questionnaire is written in
_FLOW = re.compile(r"^languages:[ \t]*\[([^\]\n#]*)\][ \t]*(#.*)?$", re.MULTILINE)
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def builtin_dir() -> Path:
    """As expert.knowledge finds it (that module is not imported here: it brings the whole loader)."""
    here = Path(__file__).resolve().parent
    packaged = here / "kb"
    return packaged if (packaged / "rules").is_dir() else here.parent


def declared_languages(kb_dir: str | Path | None = None) -> tuple[str, ...]:
    """The questionnaire's `languages:`; where it cannot be read this cheaply (no single questionnaire,
    another YAML form), the languages of the messages: loading the knowledge base then says what is wrong,
    or parses that other form."""
    root = Path(kb_dir) if kb_dir is not None else builtin_dir()
    try:
        files = sorted((root / "questionnaires").glob("*.yaml"))
        if len(files) != 1 or not files[0].is_file() or files[0].stat().st_size > 1 << 20:
            return LANGUAGES
        text = files[0].read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, ValueError):
        return LANGUAGES
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
