"""What people write for an answer, read as the value its question takes: 是/否 for yes/no, an option's
label (in any language) for its value, options separated by full-width commas. An answers file and a
batch row are read by these same rules, so one is never stricter than the other.

Nothing here refuses anything: what does not read as the question's type is passed on unchanged, for
`Question.validate` to refuse with its own message; `suggestion` then adds the nearest valid spelling.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Any

from expert.messages import t
from expert.questionnaire import Question

YES = {"是", "有", "对", "yes", "y", "true", "t", "1", "√", "✓"}
NO = {"否", "无", "没有", "不是", "错", "no", "n", "false", "f", "0", "×", "✗"}
# Separators of ticked options: what survey tools export (问卷星 joins options with ┋) and what people
# type (a Chinese keyboard gives ；). Commas separate options too, but labels hold commas of their own
# ("优惠、折扣、赠品"), so a run of comma-separated words that names an option is read as that option.
LIST_SEPARATORS = re.compile(r"[;|；┋]")
COMMAS = re.compile(r"([，、,])")


def norm(text: Any) -> str:
    """Text compared loosely: full-width forms folded (NFKC), case and surrounding spaces ignored."""
    return unicodedata.normalize("NFKC", str(text)).strip().lower()


def choice_names(q: Question) -> dict[str, str]:
    """Every way of naming an option of `q` (its value, its label in each language) → its value."""
    names: dict[str, str] = {}
    for ch in q.choices or []:
        for label in ch.label.values():
            names.setdefault(norm(label), ch.value)
    for ch in q.choices or []:  # a value wins over a label that happens to spell it
        names[norm(ch.value)] = ch.value
    return names


def coerce(q: Question, raw: Any, names: dict[str, str] | None = None) -> Any:
    """`raw` as `q` takes it where it is written the way people write it; otherwise `raw` unchanged.

    `names` are `choice_names(q)`, passed in by a caller that reads many rows."""
    if q.type == "yesno":
        return yes_or_no(raw)
    if q.type == "single" and isinstance(raw, str):
        return (names or choice_names(q)).get(norm(raw), raw)
    if q.type == "multiple" and isinstance(raw, (str, list)):
        names = names or choice_names(q)
        items = [raw] if isinstance(raw, str) else raw
        out: list[Any] = []
        for item in items:
            out.extend(_options(item, names) if isinstance(item, str) else [item])
        return out
    return raw


def yes_or_no(raw: Any) -> Any:
    """True or False for 是/否, yes/no, true/false, 1/0 and the like; anything else unchanged."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        low = norm(raw)
        return True if low in YES else False if low in NO else raw
    return raw


def _options(text: str, names: dict[str, str]) -> list[str]:
    """The options named in one piece of text, the longest names first: a label with commas stays whole."""
    out: list[str] = []
    for piece in LIST_SEPARATORS.split(text):
        parts = COMMAS.split(piece)  # words at even places, the commas between them at odd ones
        words = parts[::2]
        i = 0
        while i < len(words):
            for j in range(len(words), i, -1):
                name = norm("".join(parts[2 * i:2 * j - 1]))
                if name in names:
                    out.append(names[name])
                    i = j
                    break
            else:
                if words[i].strip():
                    out.append(words[i].strip())
                i += 1
    return out


def suggestion(q: Question, raw: Any, lang: str | None = None) -> str:
    """" (did you mean 'x'?)" when a refused value is close to a valid one, else ""."""
    if q.type in ("single", "multiple"):
        names = choice_names(q)
        pool = list(names)
        items = raw if isinstance(raw, list) else [raw]
        wrong = [item for item in items if isinstance(item, str) and norm(item) not in names]
        for item in wrong:
            near = difflib.get_close_matches(norm(item), pool, n=1, cutoff=0.6)
            if near:
                return t("answers.did_you_mean", lang, name=names[near[0]])
    elif q.type == "yesno" and isinstance(raw, str):
        near = difflib.get_close_matches(norm(raw), sorted(YES | NO, key=len, reverse=True), n=1, cutoff=0.6)
        if near:
            return t("answers.did_you_mean", lang, name="true" if near[0] in YES else "false")
    return ""
