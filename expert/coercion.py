"""What people write for an answer, read as the value its question takes: 是/否 for yes/no, an option's
label (in any language) for its value, options separated by full-width commas or by what survey tools put
between them. An answers file and a batch row (a CSV cell, a survey export) are read by these same rules,
so one is never stricter than the other.

Nothing here refuses anything: what does not read as the question's type is passed on unchanged, for
`Question.validate` to refuse with its own message; `suggestion` then adds the nearest valid spelling.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from expert.messages import t
from expert.numbers import parse_number
from expert.questionnaire import Question

YES = {"是", "是的", "有", "有的", "对", "对的", "yes", "y", "true", "t", "1", "√", "✓"}
NO = {"否", "无", "没有", "没", "不", "不是", "不是的", "不对", "错", "no", "n", "false", "f", "0", "×", "✗"}
# what 问卷星 and others append to a title: 【多选题】, [单选题], (多选), *, a trailing ? or ：(compiled by `re`'s own
# cache when a title is first compared: with the choice names kept in the cache, an answers file rarely needs them)
DECORATION = r"[\[【(（]\s*(?:单选题?|多选题?|填空题?|量表题?|判断题?|必答|必填)\s*[\]】)）]|[*＊]"
TRAILING = r"[\s?？:：。.]+$"
# Separators of ticked options in one cell. The strong ones no label contains; the weak ones (Google Forms' ", ",
# ODK's space, a typed 、 or full-width comma) may occur inside a label and are only split where every piece is
# an option. (Compiled by `re`'s own cache when a cell is first split: an answers file rarely needs them.)
STRONG_SEPARATORS = r"\s*[;|；┋\n]\s*"
WEAK_SEPARATOR = r"[\s,，、/]+"
FILL_IN = r"\s*[〖\[【][^〗\]】]*[〗\]】]\s*$"  # 问卷星 writes "其他〖what they typed〗"


def norm(text: Any) -> str:
    """Text compared loosely: full-width forms folded (NFKC), case and surrounding spaces ignored."""
    return unicodedata.normalize("NFKC", str(text)).strip().lower()


def title(text: str) -> str:
    """A title or label as compared with another: no decoration, spaces or trailing punctuation."""
    plain = re.sub(DECORATION, "", norm(text))
    return re.sub(r"\s+", "", re.sub(TRAILING, "", plain))


_NAMES: dict[int, tuple[Question, dict[str, str]]] = {}  # by the question's identity, the question kept with it


def choice_names(q: Question) -> dict[str, str]:
    """Every way a cell may name an option of `q`: its labels in each language, and its value (which wins); for a
    scale, the label of each point ("一呼百应" is 5), as 问卷星 exports a scale by its option texts.

    Made once per question (a loaded questionnaire's questions do not change): every answers file and every
    batch row reads its choices through these names. Do not change the dict returned."""
    known = _NAMES.get(id(q))
    if known is not None and known[0] is q:
        return known[1]
    if len(_NAMES) > 4096:  # many questionnaires loaded in one process: start again
        _NAMES.clear()
    names = _choice_names(q)
    _NAMES[id(q)] = (q, names)
    return names


def keep_choice_names(questions: dict[str, Question], names: dict[str, dict[str, str]]) -> None:
    """Take `names` (question id -> its `choice_names`, worked out when the knowledge base was cached:
    expert/preparation.py) as the names of these questions, so that reading an answers file makes none."""
    if len(_NAMES) + len(names) > 4096:
        _NAMES.clear()
    for qid, known in names.items():
        q = questions.get(qid)
        if q is not None:
            _NAMES[id(q)] = (q, known)


def _choice_names(q: Question) -> dict[str, str]:
    names: dict[str, str] = {}
    for point, label in sorted((q.labels or {}).items()):
        for text in label.values():
            names.setdefault(norm(text), str(point))
    for ch in q.choices or []:
        for label in ch.label.values():
            names.setdefault(norm(label), ch.value)
            names.setdefault(title(label), ch.value)
    for ch in q.choices or []:
        names[norm(ch.value)] = ch.value
    return names


def split_choices(text: str, names: dict[str, str]) -> list[str]:
    """The options ticked in one cell: values or labels, separated as people type them or as survey tools export
    them. A piece that names no option is passed on as it is, for validation to report."""
    whole = _option(text, names)
    if whole is not None:
        return [whole]
    pieces = [p for p in re.split(STRONG_SEPARATORS, text.strip()) if p.strip()]
    if len(pieces) == 1:
        pieces = _weak_split(pieces[0], names) or pieces
    return [_option(p, names) or p.strip() for p in pieces]


def one_choice(text: str, names: dict[str, str]) -> str:
    """The option a single-choice cell names (a value, a label, or 问卷星's "其他〖…〗"), else the cell as it is."""
    return _option(text, names) or text


def _option(piece: str, names: dict[str, str]) -> str | None:
    key = norm(piece)
    if key in names:
        return names[key]
    bare = norm(re.sub(FILL_IN, "", piece))
    return names.get(bare) or names.get(title(bare))


def _weak_split(text: str, names: dict[str, str]) -> list[str] | None:
    """Split at commas, 、 or spaces only where every piece is a known option ("Perks, Content" but not "A, B" of a
    label "A, B"); None when the cell cannot be read that way."""
    seps = list(re.finditer(WEAK_SEPARATOR, text))
    # choose which separators are real, trying few splits first; a cell of more than 12 separators is not tried
    if not seps or len(seps) > 12:
        return None
    best: list[str] | None = None

    def walk(start: int, k: int, pieces: list[str]) -> bool:
        nonlocal best
        for j in range(k, len(seps) + 1):
            end = seps[j].start() if j < len(seps) else len(text)
            piece = text[start:end]
            if _option(piece, names) is None:
                continue
            if j == len(seps):
                best = pieces + [piece]
                return True
            if walk(seps[j].end(), j + 1, pieces + [piece]):
                return True
        return False

    walk(0, 0, [])
    return best


def coerce(q: Question, raw: Any, names: dict[str, str] | None = None) -> Any:
    """`raw` as `q` takes it where it is written the way people write it; otherwise `raw` unchanged.

    `names` are `choice_names(q)`, passed in by a caller that reads many rows."""
    if q.type == "yesno":
        return yes_or_no(raw)
    if q.type in ("integer", "number") and isinstance(raw, str):
        return number(q, raw)
    if q.type == "scale" and isinstance(raw, str):  # a point by its label, "一呼百应" for 5, or by its number, "3"
        point = (names or choice_names(q)).get(norm(raw))
        if point is not None:
            return int(point)
        try:
            return parse_number(raw, whole=True)
        except ValueError:
            return raw
    if q.type == "single" and isinstance(raw, str):
        return one_choice(raw, names or choice_names(q))
    if q.type == "multiple" and isinstance(raw, (str, list)):
        names = names or choice_names(q)
        items = [raw] if isinstance(raw, str) else raw
        out: list[Any] = []
        for item in items:  # [福利，内容] in YAML is one item: split it as a cell is split
            out.extend(split_choices(item, names) if isinstance(item, str) else [item])
        return out
    return raw


def number(q: Question, text: str) -> Any:
    """"300人", "1,000", "２０" read as the interview reads a typed number (expert/numbers.py); text that is
    not one is passed on unchanged, for the answer's check to refuse with the question named."""
    try:
        return parse_number(text, whole=q.type != "number", units=list(q.unit.values()) if q.unit else [])
    except ValueError:
        return text


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


def suggestion(q: Question, raw: Any, lang: str | None = None) -> str:
    """" (did you mean 'x'?)" when a refused value is close to a valid one, else ""."""
    import difflib  # only for a mistake

    if q.type in ("single", "multiple"):
        names = choice_names(q)
        pool = list(names)
        items = raw if isinstance(raw, list) else [raw]
        wrong = [item for item in items if isinstance(item, str) and norm(item) not in names]
        for item in wrong:
            near = difflib.get_close_matches(norm(item), pool, n=1, cutoff=0.6)
            if near:
                return t("answers.did_you_mean", lang, name=names[near[0]])
            # a short name for a long label, 兴趣 for 共同的兴趣爱好: the one option whose label holds it
            holding = {value for name, value in names.items() if norm(item) and norm(item) in name}
            if len(holding) == 1:
                return t("answers.did_you_mean", lang, name=holding.pop())
    elif q.type == "yesno" and isinstance(raw, str):
        near = difflib.get_close_matches(norm(raw), sorted(YES | NO, key=len, reverse=True), n=1, cutoff=0.6)
        if near:
            return t("answers.did_you_mean", lang, name="true" if near[0] in YES else "false")
    return ""
