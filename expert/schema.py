"""Knowledge-base models are dataclasses; this module validates raw YAML into them and derives their
JSON Schema, so the loader and the editor's schema come from one source and cannot disagree.

Every problem of a file is collected (with its line and the nearest valid key for a typo) before
anything fails.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from functools import cache
from typing import Any, Literal, Union

from expert.errors import Problem
from expert.messages import brief, language, t
from expert.records import record

ID_PATTERN = r"^[a-z][a-z0-9_]*$"


@cache
def _id_pattern() -> re.Pattern:
    """ID_PATTERN compiled on first use: a knowledge base taken from the cache is not validated again."""
    return re.compile(ID_PATTERN)


class Id(str):
    """A stable snake_case identifier."""


class LocalText(dict):
    """A text in every language of the knowledge base: {zh: ..., en: ...}."""

    def get_text(self, lang: str | None = None) -> str:
        """The text in `lang`; with none given, in the language messages are in (--lang, SHEQUN_LANG), so a
        question's name inside an English message is English."""
        return self.get(lang or language()) or next(iter(self.values()), "")


class LocalList(dict):
    """A list of texts per language: {zh: [...], en: [...]}."""


class Expr:
    """A condition or expression of the condition language, parsed after validation."""


def doc(text: str, **extra: Any) -> dict:
    """Field metadata: the description shown by editors and used in messages."""
    return {"doc": text, **extra}


@record
class Context:
    """Where a file is being validated, in which languages, and the problems found in it so far."""

    file: str
    languages: tuple[str, ...]
    problems: list[Problem]

    def add(self, message: str, line: int | None, subject: str | None = None, level: str = "error") -> None:
        self.problems.append(Problem(message, self.file, line, None, subject, level))


def _hints(cls: type) -> dict[str, Any]:
    cache = _HINTS.get(cls)
    if cache is None:
        cache = _HINTS[cls] = typing.get_type_hints(cls)
    return cache


_HINTS: dict[type, dict[str, Any]] = {}


def yaml_fields(cls: type) -> list[dataclasses.Field]:
    """The fields a YAML author may write (internal fields such as `line` are not among them)."""
    return [f for f in dataclasses.fields(cls) if not f.metadata.get("internal")]


def _type_name(tp: Any) -> str:
    """What a value of this type is, in words of the current language."""
    origin = typing.get_origin(tp)
    simple = {Id: "id", LocalText: "local_text", LocalList: "local_list", Expr: "expr", str: "text", int: "int",
              float: "number", bool: "bool"}
    if tp in simple:
        return t("schema.type_" + simple[tp])
    if origin is Literal:
        return t("schema.one_of", values=", ".join(map(str, typing.get_args(tp))), hint="")
    if origin is list:
        return t("schema.type_list")
    if origin is dict:
        return t("schema.type_mapping")
    if origin in (Union, types.UnionType):
        return t("schema.or").join(_type_name(a) for a in typing.get_args(tp) if a is not type(None))
    if dataclasses.is_dataclass(tp):
        return t("schema.type_mapping")
    return t("schema.type_value")


def build(cls: type, raw: Any, ctx: Context, line: int | None = None, subject: str | None = None) -> Any:
    """Validate `raw` as an instance of the dataclass `cls`; None (and problems in ctx) if it is not."""
    line = line or getattr(raw, "line", None)  # the key's line for a mapping under a key
    if not isinstance(raw, dict):
        ctx.add(t("schema.expected_mapping", found=_show(raw)), line, subject)
        return None
    hints = _hints(cls)
    fields = yaml_fields(cls)
    names = [f.name for f in fields]
    subject = raw.get("id") if isinstance(raw.get("id"), str) else subject
    ok = True
    suggested: set[str] = set()
    for key in raw:
        if key not in names:
            import difflib  # only for a mistake

            near = difflib.get_close_matches(str(key), [n for n in names if n not in raw], n=1, cutoff=0.6)
            hint = t("schema.did_you_mean", name=repr(near[0])) if near else t("schema.allowed", names=", ".join(names))
            ctx.add(t("schema.unknown_key", key=brief(key), hint=hint), _key_line(raw, key, line), subject)
            suggested.update(near)
            ok = False
    values: dict[str, Any] = {}
    for f in fields:
        if f.name not in raw:
            if f.name in suggested:
                continue  # already reported as the likely fix of a misspelt key
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                ctx.add(t("schema.missing", key=repr(f.name), what=f.metadata.get("doc", _type_name(hints[f.name]))),
                        line, subject)
                ok = False
            continue
        value, good = convert(hints[f.name], raw[f.name], ctx, _key_line(raw, f.name, line), subject, f.name)
        ok = ok and good
        values[f.name] = value
    if not ok:
        return None
    own = {f.name for f in dataclasses.fields(cls)}
    if "line" in own:
        values["line"] = line
    if "key_lines" in own:
        values["key_lines"] = dict(getattr(raw, "key_lines", {}))
    return cls(**values)


def _key_line(raw: Any, key: str, default: int | None) -> int | None:
    lines = getattr(raw, "key_lines", None)
    return lines.get(key, default) if lines else default


def _show(raw: Any) -> str:
    if isinstance(raw, dict):
        return t("schema.type_mapping")
    if isinstance(raw, list):
        return t("schema.type_list")
    if raw is None:
        return t("schema.nothing")
    return brief(raw)


def convert(tp: Any, raw: Any, ctx: Context, line: int | None, subject: str | None, key: str) -> tuple[Any, bool]:
    """Check one value against a type; returns (value, ok)."""
    origin = typing.get_origin(tp)

    def bad(what: str | None = None) -> tuple[Any, bool]:
        ctx.add(t("schema.should_be", key=repr(key), what=what or _type_name(tp), found=_show(raw)), line, subject)
        return None, False

    if tp is Any:
        return raw, True
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if raw is None and len(args) < len(typing.get_args(tp)):
            return None, True
        for arg in args:  # take the first alternative that fits without complaint
            trial = Context(ctx.file, ctx.languages, [])
            value, good = convert(arg, raw, trial, line, subject, key)
            if good:
                return value, True
        if len(args) == 1:
            return convert(args[0], raw, ctx, line, subject, key)
        return bad()
    if tp is Expr:
        if isinstance(raw, (str, int, float, dict)) and raw != "":
            return raw, True
        return bad()
    if tp is Id:
        if isinstance(raw, str) and _id_pattern().match(raw):
            return Id(raw), True
        return bad()
    if tp is str:
        return (raw, True) if isinstance(raw, str) and raw.strip() else bad(t("schema.type_non_empty_text"))
    if tp is bool:
        return (raw, True) if isinstance(raw, bool) else bad()
    if tp is int:
        return (raw, True) if isinstance(raw, int) and not isinstance(raw, bool) else bad()
    if tp is float:
        return (raw, True) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else bad()
    if origin is Literal:
        allowed = typing.get_args(tp)
        if raw in allowed:
            return raw, True
        import difflib  # only for a mistake

        near = difflib.get_close_matches(str(raw), [str(a) for a in allowed], n=1, cutoff=0.6)
        hint = t("answers.did_you_mean", name=near[0]) if near else ""
        return bad(t("schema.one_of", values=", ".join(map(str, allowed)), hint=hint))
    if tp in (LocalText, LocalList):
        return _local(tp, raw, ctx, line, subject, key)
    if origin is list:
        (item_tp,) = typing.get_args(tp)
        if not isinstance(raw, list):
            return bad()
        lines = getattr(raw, "item_lines", None) or [line] * len(raw)
        out, ok = [], True
        for i, (item, item_line) in enumerate(zip(raw, lines)):
            value, good = convert(item_tp, item, ctx, item_line, subject, f"{key}[{i + 1}]")
            ok = ok and good
            out.append(value)
        return out, ok
    if origin is dict:
        key_tp, value_tp = typing.get_args(tp)
        if not isinstance(raw, dict):
            return bad()
        out, ok = {}, True
        for k, v in raw.items():
            k_line = _key_line(raw, k, line)
            if key_tp is Id and not (isinstance(k, str) and _id_pattern().match(k)):
                ctx.add(t("schema.bad_id_key", name=brief(k), key=repr(key)), k_line, subject)
                ok = False
                continue
            if key_tp is int and (isinstance(k, bool) or not isinstance(k, int)):
                ctx.add(t("schema.bad_int_key", name=brief(k), key=repr(key)), k_line, subject)
                ok = False
                continue
            value, good = convert(value_tp, v, ctx, k_line, k if key_tp is Id else subject, f"{key}.{k}")
            ok = ok and good
            out[k] = value
        return out, ok
    if dataclasses.is_dataclass(tp):
        value = build(tp, raw, ctx, line, subject)
        return value, value is not None
    raise TypeError(f"unsupported model type {tp!r}")  # pragma: no cover - models are ours


def _local(tp: Any, raw: Any, ctx: Context, line: int | None, subject: str | None, key: str) -> tuple[Any, bool]:
    want_list = tp is LocalList
    langs = ctx.languages
    if not isinstance(raw, dict):
        what = t("schema.lists_per_language" if want_list else "schema.texts_per_language", langs=", ".join(langs))
        ctx.add(t("schema.should_be", key=repr(key), what=what, found=_show(raw)), line, subject)
        return None, False
    ok = True
    for lang in raw:
        if lang not in langs:
            ctx.add(t("schema.undeclared_language", key=repr(key), lang=brief(lang), langs=", ".join(langs)),
                    _key_line(raw, lang, line), subject)
            ok = False
    for lang in langs:
        value = raw.get(lang)
        good = (isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value)) \
            if want_list else (isinstance(value, str) and value.strip())
        if lang not in raw:
            ctx.add(t("schema.no_text", key=repr(key), lang=repr(lang)), line, subject)
            ok = False
        elif not good:
            what = t("schema.type_non_empty_list" if want_list else "schema.type_non_empty_text")
            ctx.add(t("schema.should_be_only", key=f"{key!r}.{lang}", what=what), _key_line(raw, lang, line), subject)
            ok = False
    if not ok:
        return None, False
    return tp({lang: (list(raw[lang]) if want_list else raw[lang]) for lang in langs}), True


# ---------------------------------------------------------------------------- JSON Schema


def json_schema(cls: type, title: str, languages: tuple[str, ...] = ("zh", "en")) -> dict:
    """The JSON Schema (draft 2020-12) of a model, for editors (yaml-language-server)."""
    defs: dict[str, Any] = {}
    root = _schema_of(cls, defs, languages)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **root, "$defs": defs}


def _schema_of(tp: Any, defs: dict, languages: tuple[str, ...]) -> dict:
    origin = typing.get_origin(tp)
    if tp is Any:
        return {}
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        alts = [_schema_of(a, defs, languages) for a in args]
        if len(args) < len(typing.get_args(tp)):
            alts.append({"type": "null"})
        return alts[0] if len(alts) == 1 else {"anyOf": alts}
    if tp is Id:
        return {"type": "string", "pattern": ID_PATTERN}
    if tp is str:
        return {"type": "string", "minLength": 1}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is Expr:
        return {"anyOf": [{"type": "string", "minLength": 1}, {"type": "number"}, {"type": "object"}]}
    if origin is Literal:
        return {"enum": list(typing.get_args(tp))}
    if tp in (LocalText, LocalList):
        item = ({"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}
                if tp is LocalList else {"type": "string", "minLength": 1})
        return {"type": "object", "properties": {lang: item for lang in languages},
                "required": list(languages), "additionalProperties": False}
    if origin is list:
        return {"type": "array", "items": _schema_of(typing.get_args(tp)[0], defs, languages)}
    if origin is dict:
        key_tp, value_tp = typing.get_args(tp)
        out = {"type": "object", "additionalProperties": _schema_of(value_tp, defs, languages)}
        if key_tp is Id:
            out["propertyNames"] = {"pattern": ID_PATTERN}
        elif key_tp is int:
            out["propertyNames"] = {"pattern": "^[0-9]+$"}
        return out
    if dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            hints = _hints(tp)
            props, required = {}, []
            for f in yaml_fields(tp):
                prop = _schema_of(hints[f.name], defs, languages)
                if "doc" in f.metadata:
                    prop = {**prop, "description": f.metadata["doc"]}
                prop = {**prop, **f.metadata.get("schema", {})}  # bounds the loader checks too
                props[f.name] = prop
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    required.append(f.name)
            defs[name] = {"type": "object", "properties": props, "required": required,
                          "additionalProperties": False}
            if tp.__doc__:
                defs[name]["description"] = tp.__doc__.strip().splitlines()[0]
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"unsupported model type {tp!r}")  # pragma: no cover
