"""The small condition language of rules, skip logic, bounds and parameters: parse → AST → evaluate.

Nothing here calls `eval`: a string is tokenised and parsed into the node classes below. The same
AST is evaluated in Python (skip logic, bounds, parameters, metrics) and compiled into experta
patterns by `engine.py` (rule conditions). Unanswered questions make a comparison *unknown*
(three-valued logic): it holds neither way, so a rule never fires on an answer nobody gave.
"""

from __future__ import annotations

import math
import operator
import re
import unicodedata
from dataclasses import FrozenInstanceError, dataclass, fields
from typing import Any, Callable, Iterable, Iterator, Mapping

from expert.errors import Problem
from expert.limits import MAX_ALTERNATIVES, MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH, MAX_NUMBER_DIGITS
from expert.messages import brief, t
from expert.records import _as_dataclass, record

# ---------------------------------------------------------------------------- the AST


class _Frozen:
    """What `@dataclass(frozen=True)` would write for each class, written once here: equality and hash
    over the fields, their repr, no assignment. Each class writes its own __init__; `@_frozen` makes it a
    dataclass without generating code (dataclasses compiles each method of each class at import, which
    one-shot commands paid for every node class)."""

    _values: Callable[[Any], tuple]  # the fields' values, in order (set by @_frozen)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values(self) == other._values(other)  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values(self))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(self.__match_args__, self._values(self)))
        return f"{self.__class__.__qualname__}({shown})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    __match_args__: tuple[str, ...] = ()


def _frozen(cls: type) -> type:
    # described as @dataclass(init=False, repr=False, eq=False) would describe it (expert/records.py), without
    # its look-ups per field; a class without a docstring goes through @dataclass, which documents it
    if not (cls.__doc__ and _as_dataclass(cls, frozen=False)):
        cls = dataclass(init=False, repr=False, eq=False)(cls)
    names = tuple(f.name for f in fields(cls))
    cls._values = operator.attrgetter(*names)  # type: ignore[attr-defined]
    return cls


_set = object.__setattr__


class Node(_Frozen):
    """Base of the AST; `col` is the 1-based column in the expression string (0 for YAML forms)."""

    col: int


@_frozen
class Const(Node):
    """A constant: a number, a text, true, false or none."""

    value: Any
    col: int = 0

    def __init__(self, value: Any, col: int = 0):
        _set(self, "value", value)
        _set(self, "col", col)


@_frozen
class Invalid(Const):
    """Stands for a reference that was already reported as wrong, so nothing is reported twice."""


@_frozen
class Name(Node):
    """A bare word: a question id, or (next to a choice question) one of its choice values."""

    name: str
    col: int = 0

    def __init__(self, name: str, col: int = 0):
        _set(self, "name", name)
        _set(self, "col", col)


@_frozen
class Answer(Node):
    """A resolved reference to a question's answer."""

    qid: str
    col: int = 0

    def __init__(self, qid: str, col: int = 0):
        _set(self, "qid", qid)
        _set(self, "col", col)


@_frozen
class Arith(Node):
    """Arithmetic over its arguments, or the negation of one."""

    op: str  # + - * / and "neg"
    args: tuple
    col: int = 0

    def __init__(self, op: str, args: tuple, col: int = 0):
        _set(self, "op", op)
        _set(self, "args", args)
        _set(self, "col", col)


@_frozen
class Compare(Node):
    """A comparison of two values."""

    op: str  # < <= > >= == != in "not in"
    left: Node
    right: Node
    col: int = 0

    def __init__(self, op: str, left: Node, right: Node, col: int = 0):
        _set(self, "op", op)
        _set(self, "left", left)
        _set(self, "right", right)
        _set(self, "col", col)


@_frozen
class Truthy(Node):
    """A yes/no answer standing alone as a condition."""

    arg: Node
    col: int = 0

    def __init__(self, arg: Node, col: int = 0):
        _set(self, "arg", arg)
        _set(self, "col", col)


@_frozen
class Call(Node):
    """A call of one of the condition language's functions."""

    func: str
    args: tuple
    col: int = 0

    def __init__(self, func: str, args: tuple, col: int = 0):
        _set(self, "func", func)
        _set(self, "args", args)
        _set(self, "col", col)


@_frozen
class ChoiceNumber(Node):
    """number(q): the number the chosen option of a single-choice question stands for."""

    arg: Node  # the Answer
    table: tuple  # (choice value, number) pairs; a choice without a number is unknown
    col: int = 0

    def __init__(self, arg: Node, table: tuple, col: int = 0):
        _set(self, "arg", arg)
        _set(self, "table", table)
        _set(self, "col", col)


@_frozen
class ChoiceSnap(Node):
    """snap(x, q): the largest number a choice of q stands for that is not above x (else the smallest)."""

    arg: Node
    numbers: tuple  # the choice numbers of q, ascending
    col: int = 0

    def __init__(self, arg: Node, numbers: tuple, col: int = 0):
        _set(self, "arg", arg)
        _set(self, "numbers", numbers)
        _set(self, "col", col)


@_frozen
class Found(Node):
    """Another finding has been concluded (rules chain through this)."""

    finding: str
    col: int = 0

    def __init__(self, finding: str, col: int = 0):
        _set(self, "finding", finding)
        _set(self, "col", col)


@_frozen
class BoolOp(Node):
    """All (`and`) or any (`or`) of its items."""

    op: str  # "and" / "or"
    items: tuple
    col: int = 0

    def __init__(self, op: str, items: tuple, col: int = 0):
        _set(self, "op", op)
        _set(self, "items", items)
        _set(self, "col", col)


@_frozen
class Not(Node):
    """The negation of a condition."""

    item: Node
    col: int = 0

    def __init__(self, item: Node, col: int = 0):
        _set(self, "item", item)
        _set(self, "col", col)


NUMERIC_FUNCS: dict[str, Callable[..., Any]] = {
    "ceil": math.ceil,
    "floor": math.floor,
    "round": round,
    "abs": abs,
    "min": min,
    "max": max,
}
ARITY = {"ceil": 1, "floor": 1, "round": 1, "abs": 1, "count": 1, "answered": 1, "found": 1, "number": 1, "snap": 2,
         "default": 2}
FUNCTIONS = sorted(set(NUMERIC_FUNCS) | {"count", "answered", "found", "number", "snap", "default"})


# ---------------------------------------------------------------------------- parsing


class ConditionSyntaxError(Exception):
    def __init__(self, message: str, col: int):
        super().__init__(message)
        self.message = message
        self.col = col  # 0: the whole expression

    @property
    def where(self) -> str:
        return t("cond.at_column", col=self.col) if self.col else ""


# the tokeniser's patterns, compiled when a condition is first parsed (re keeps them): a knowledge base
# read from the cache, and a case diagnosed with it, parse none
_TOKEN = (
    r"""\s*(?:
      (?P<num>\d+(?:\.\d+)?)
    | (?P<str>"[^"]*"|'[^']*')
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op><=|>=|==|!=|[-+*/()<>,])
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false", "none"}


@record
class _Token:
    """One token of a condition's text, and the column it starts at."""

    kind: str
    text: str
    col: int


# Punctuation typed through a Chinese input method means what its ASCII twin means wherever it stands
# outside quotes, so it is read as that twin; one character for one, so columns stay the author's. The
# ideographic space U+3000 is already a space to `\s`. Other full-width characters are named exactly.
FULL_WIDTH = str.maketrans("（）＝＞＜，！＋－＊／．０１２３４５６７８９“”‘’",
                           "()=><,!+-*/.0123456789\"\"''")
_QUOTED = r"(\"[^\"]*\"|'[^']*')"


def _half_width(text: str) -> str:
    """`text` with the full-width punctuation outside quoted strings replaced by its ASCII twin."""
    if text.isascii():
        return text
    parts = re.split(_QUOTED, text)  # quoted strings at odd places
    return "".join(part if i % 2 else part.translate(FULL_WIDTH) for i, part in enumerate(parts))


def _full_width_twin(char: str) -> str | None:
    """The ASCII character a full-width one stands for (：→ :), or None."""
    twin = unicodedata.normalize("NFKC", char)
    return twin if twin != char and twin.isascii() and len(twin) == 1 else None


# What an input method types for an operator or a word of the condition language, and what to type instead.
_WRITE_AS = {"≥": ">=", "≧": ">=", "≤": "<=", "≦": "<=", "≠": "!=", "且": "and", "并": "and", "和": "and",
             "或": "or", "非": "not", "不": "not", "。": "", "；": ""}
_FULL_WIDTH_QUOTES = ("“", "”"), ("‘", "’"), ("「", "」"), ("『", "』")


def _tokenise(text: str) -> list[_Token]:
    stripped = text.strip()
    # the whole condition in full-width quotes reads as one quoted text: say what happened, not "not a condition"
    if len(stripped) > 1 and any(stripped[0] == left and stripped[-1] in (left, right)
                                 for left, right in _FULL_WIDTH_QUOTES):
        raise ConditionSyntaxError(t("cond.full_width_quotes", left=stripped[0], right=stripped[-1]),
                                   text.index(stripped[0]) + 1)
    text = _half_width(text)
    tokens = []
    pos = 0
    token = re.compile(*_TOKEN).match
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = token(text, pos)
        if not m or m.end() == pos:
            bad = text[pos:].lstrip()
            col = len(text) - len(bad) + 1
            twin = _full_width_twin(bad[0])
            if twin is not None:
                raise ConditionSyntaxError(t("cond.full_width", char=bad[0], twin=twin), col)
            hint = t("cond.use_double_equals") if bad.startswith("=") else ""
            if bad[0] in _WRITE_AS:
                hint = t("cond.write_as", twin=_WRITE_AS[bad[0]]) if _WRITE_AS[bad[0]] else t("cond.delete_it")
            raise ConditionSyntaxError(t("cond.unexpected_character", char=repr(bad[0]), hint=hint), col)
        kind = m.lastgroup
        tok_text = m.group(kind)
        col = m.start(kind) + 1
        if kind == "name" and tok_text in _KEYWORDS:
            kind = tok_text
        tokens.append(_Token(kind, tok_text, col))
        pos = m.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    """Precedence climbing: or < and < not < comparison < + - < * / < unary < atom."""

    def __init__(self, text: str):
        self.tokens = _tokenise(text)
        self.i = 0
        self.depth = 0  # parentheses, calls, unary minus and `not` open around the current token

    def descend(self, col: int) -> None:
        """One level deeper; refused past the bound, before Python's own recursion limit is reached."""
        self.depth += 1
        if self.depth > MAX_EXPRESSION_DEPTH:
            raise ConditionSyntaxError(t("cond.too_deep", limit=MAX_EXPRESSION_DEPTH), col)

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def take(self, kind: str | None = None, text: str | None = None) -> _Token:
        tok = self.tok
        if (kind and tok.kind != kind) or (text and tok.text != text):
            want = text or kind
            got = repr(tok.text) if tok.text else t("cond.the_end")
            raise ConditionSyntaxError(t("cond.expected", want=repr(want), got=got), tok.col)
        self.i += 1
        return tok

    def at(self, kind: str, text: str | None = None) -> bool:
        return self.tok.kind == kind and (text is None or self.tok.text == text)

    def parse(self) -> Node:
        node = self.or_expr()
        if not self.at("end"):
            raise ConditionSyntaxError(t("cond.unexpected", got=repr(self.tok.text)), self.tok.col)
        return node

    def or_expr(self) -> Node:
        col = self.tok.col
        items = [self.and_expr()]
        while self.at("or"):
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items), col)

    def and_expr(self) -> Node:
        col = self.tok.col
        items = [self.not_expr()]
        while self.at("and"):
            self.take()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items), col)

    def not_expr(self) -> Node:
        if self.at("not"):
            col = self.take().col
            self.descend(col)
            node = Not(self.not_expr(), col)
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        left = self.sum()
        tok = self.tok
        if tok.kind == "op" and tok.text in ("<", "<=", ">", ">=", "==", "!="):
            self.take()
            return Compare(tok.text, left, self.sum(), tok.col)
        if tok.kind == "in":
            self.take()
            return Compare("in", left, self.sum(), tok.col)
        if tok.kind == "not" and self.tokens[self.i + 1].kind == "in":
            self.take()
            self.take()
            return Compare("not in", left, self.sum(), tok.col)
        return left

    def sum(self) -> Node:
        node = self.product()
        while self.tok.kind == "op" and self.tok.text in "+-":
            tok = self.take()
            node = Arith(tok.text, (node, self.product()), tok.col)
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in "*/":
            tok = self.take()
            node = Arith(tok.text, (node, self.unary()), tok.col)
        return node

    def unary(self) -> Node:
        if self.at("op", "-"):
            tok = self.take()
            self.descend(tok.col)
            node = Arith("neg", (self.unary(),), tok.col)
            self.depth -= 1
            return node
        return self.atom()

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind == "num":
            self.take()
            digits = len(tok.text.replace(".", ""))
            if digits > MAX_NUMBER_DIGITS:  # int() refuses 4,300 digits; nobody means 31
                raise ConditionSyntaxError(t("yaml.long_number", digits=digits, limit=MAX_NUMBER_DIGITS), tok.col)
            value = float(tok.text) if "." in tok.text else int(tok.text)
            return Const(value, tok.col)
        if tok.kind == "str":
            self.take()
            return Const(tok.text[1:-1], tok.col)
        if tok.kind in ("true", "false", "none"):
            self.take()
            return Const({"true": True, "false": False, "none": None}[tok.kind], tok.col)
        if tok.kind == "name":
            self.take()
            if self.at("op", "("):
                return self.call(tok)
            return Name(tok.text, tok.col)
        if self.at("op", "("):
            self.descend(self.take().col)
            node = self.or_expr()
            self.take("op", ")")
            self.depth -= 1
            return node
        got = repr(tok.text) if tok.text else t("cond.the_end")
        raise ConditionSyntaxError(t("cond.expected_value", got=got), tok.col)

    def call(self, name: _Token) -> Node:
        self.take("op", "(")
        self.descend(name.col)
        args = []
        if not self.at("op", ")"):
            args.append(self.or_expr())
            while self.at("op", ","):
                self.take()
                args.append(self.or_expr())
        self.take("op", ")")
        self.depth -= 1
        func = name.text
        if func not in FUNCTIONS:
            raise ConditionSyntaxError(t("cond.unknown_function", func=repr(func), known=", ".join(FUNCTIONS)), name.col)
        want = ARITY.get(func)
        if want is not None and len(args) != want:
            raise ConditionSyntaxError(t("cond.arity", func=func, want=want, got=len(args)), name.col)
        if func in ("min", "max") and not args:
            raise ConditionSyntaxError(t("cond.no_arguments", func=func), name.col)
        if func == "found":
            if not isinstance(args[0], Name):
                raise ConditionSyntaxError(t("cond.found_takes_id"), name.col)
            return Found(args[0].name, name.col)
        return Call(func, tuple(args), name.col)


def parse_expression(text: str) -> Node:
    """Parse one string expression; raises ConditionSyntaxError with a column."""
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ConditionSyntaxError(t("cond.too_long", n=len(text), limit=MAX_EXPRESSION_CHARS), 0)
    node = _Parser(text).parse()
    if depth(node) > MAX_EXPRESSION_DEPTH:  # `1 + 1 + ... + 1` nests to the left without parentheses
        raise ConditionSyntaxError(t("cond.too_deep", limit=MAX_EXPRESSION_DEPTH), 0)
    return node


# ---------------------------------------------------------------------------- YAML forms

_FORMS = ("all", "any", "not", "finding")


@record
class Source:
    """Where an expression came from, for messages: file, line and what it belongs to."""

    file: str | None
    line: int | None
    subject: str | None

    def problem(self, message: str, col: int = 0, level: str = "error") -> Problem:
        # `col` is a column inside the expression, not in the file: syntax messages state it themselves
        return Problem(message, self.file, self.line, None, self.subject, level)


def parse_condition(raw: Any, src: Source, problems: list[Problem]) -> Node | None:
    """Parse a condition given in YAML: a string, a number/boolean, or an all/any/not/finding map.

    A condition deeper than the bound, or one whose normal form (the rule compiler's alternatives)
    would have too many alternatives, is refused here, before anything expands it."""
    node = _parse_condition(raw, src, problems)
    if node is None:
        return None
    if depth(node) > MAX_EXPRESSION_DEPTH:
        problems.append(src.problem(t("cond.condition_too_deep", limit=MAX_EXPRESSION_DEPTH)))
        return None
    count = alternatives(node)
    if count > MAX_ALTERNATIVES:
        shown = count if count < 10 ** 6 else t("cond.more_than_power", power=len(str(count)) - 1)
        problems.append(src.problem(t("cond.too_complex", n=shown, limit=MAX_ALTERNATIVES)))
        return None
    return node


def _parse_condition(raw: Any, src: Source, problems: list[Problem]) -> Node | None:
    if isinstance(raw, bool):
        return Const(raw)
    if isinstance(raw, (int, float)):
        return Const(raw)
    if isinstance(raw, str):
        try:
            return parse_expression(raw)
        except ConditionSyntaxError as exc:
            problems.append(src.problem(t("cond.cannot_read", text=brief(raw), reason=exc.message, where=exc.where)))
            return None
    if isinstance(raw, dict):
        line = getattr(raw, "line", None) or src.line
        here = Source(src.file, line, src.subject)
        if len(raw) != 1 or next(iter(raw)) not in _FORMS:
            keys = ", ".join(map(str, raw)) or t("cond.nothing")
            problems.append(here.problem(t("cond.bad_map", keys=keys)))
            return None
        key, value = next(iter(raw.items()))
        if key == "finding":
            if not isinstance(value, str):
                problems.append(here.problem(t("cond.finding_takes_id")))
                return None
            return _place(Found(value), line)
        if key == "not":
            item = _parse_condition(value, here, problems)
            return None if item is None else _place(Not(item), line)
        if not isinstance(value, list) or not value:
            problems.append(here.problem(t("cond.needs_list", key=key)))
            return None
        lines = getattr(value, "item_lines", None) or [line] * len(value)
        items = [_parse_condition(v, Source(src.file, ln, src.subject), problems) for v, ln in zip(value, lines)]
        if any(i is None for i in items):
            return None
        for item, ln in zip(items, lines):
            _place(item, ln)
        return items[0] if len(items) == 1 else BoolOp("and" if key == "all" else "or", tuple(items))
    problems.append(src.problem(t("cond.bad_type", got=type(raw).__name__)))
    return None


def _place(node: Node, line: int | None) -> Node:
    """Remember the file line of a node that came from its own YAML line, for precise messages."""
    if line:
        object.__setattr__(node, "line", line)  # not a field: equality and to_text ignore it
    return node


def parse_value_expression(raw: Any, src: Source, problems: list[Problem]) -> Node | None:
    """Parse a number-valued expression (a parameter, a bound, a metric)."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        problems.append(src.problem(t("cond.bad_value", got=brief(raw))))
        return None
    if isinstance(raw, (int, float)):
        return Const(raw)
    try:
        return parse_expression(raw)
    except ConditionSyntaxError as exc:
        problems.append(src.problem(t("cond.cannot_read_expression", text=brief(raw), reason=exc.message,
                                      where=exc.where)))
        return None


# ---------------------------------------------------------------------------- resolution


class Schema:
    """What a condition may refer to: the questionnaire's questions and the known findings."""

    def __init__(self, questions: Mapping[str, Any], findings: Iterable[str] = (), allow_findings=True,
                 later: Iterable[str] = ()):
        self.questions = questions  # id -> Question (type, choice_values)
        self.findings = set(findings)
        self.allow_findings = allow_findings
        self.later = set(later)  # questions that exist but may not be referred to from here


def _nearest(word: str, candidates: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return t("answers.did_you_mean", name=close[0]) if close else ""


NUMERIC = ("integer", "number", "scale")


class _Resolver:
    """Turns Names into Answers/choice constants and checks every reference and type."""

    def __init__(self, schema: Schema, src: Source, problems: list[Problem]):
        self.schema = schema
        self.src = src
        self.problems = problems
        self.lines: list[int] = []  # the YAML line of the item being resolved, innermost last

    def error(self, message: str, node: Node) -> None:
        line = self.lines[-1] if self.lines else self.src.line
        self.problems.append(Problem(message, self.src.file, line, None, self.src.subject))

    def qtype(self, node: Node) -> str | None:
        if isinstance(node, Answer):
            return self.schema.questions[node.qid].type
        return None

    def answer(self, name: Name) -> Node:
        if name.name in self.schema.questions:
            return Answer(name.name, name.col)
        if name.name in self.schema.later:
            self.error(t("cond.asked_later", name=repr(name.name)), name)
            return Invalid(None, name.col)
        self.error(t("cond.unknown_answer", name=repr(name.name), hint=_nearest(name.name, self.schema.questions)), name)
        return Invalid(None, name.col)

    def choice(self, qid: str, node: Node) -> Node:
        """`node` stands next to a choice question: a bare word or string is one of its values."""
        q = self.schema.questions[qid]
        if isinstance(node, Const) and node.value is None and "none" in q.choice_values:
            return Const("none", node.col)  # the keyword `none` is also a common choice value
        if isinstance(node, Name) and node.name not in q.choice_values and node.name in self.schema.questions:
            return self.value(node)
        if isinstance(node, (Name, Const)) and (isinstance(node, Name) or isinstance(node.value, str)):
            value = node.name if isinstance(node, Name) else node.value
            if value not in q.choice_values:
                known = ", ".join(q.choice_values)
                self.error(t("cond.not_a_choice", value=repr(value), question=repr(qid),
                             hint=_nearest(value, q.choice_values), known=known), node)
            return Const(value, node.col)
        return self.value(node)

    def boolean(self, node: Node) -> Node:
        """Resolve a node used as a condition."""
        line = getattr(node, "line", None)
        if line:
            self.lines.append(line)
            try:
                return self._boolean(node)
            finally:
                self.lines.pop()
        return self._boolean(node)

    def _boolean(self, node: Node) -> Node:
        if isinstance(node, Invalid):
            return node
        if isinstance(node, BoolOp):
            return BoolOp(node.op, tuple(self.boolean(i) for i in node.items), node.col)
        if isinstance(node, Not):
            return Not(self.boolean(node.item), node.col)
        if isinstance(node, Found):
            if not self.schema.allow_findings:
                self.error(t("cond.found_outside_rules"), node)
            elif node.finding not in self.schema.findings:
                self.error(t("cond.unknown_finding", name=repr(node.finding),
                             hint=_nearest(node.finding, self.schema.findings)), node)
            return node
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, Const) and isinstance(node.value, bool):
            return node
        if isinstance(node, Call) and node.func == "answered":
            return self.value(node)
        resolved = self.value(node)
        if isinstance(resolved, Answer) and self.qtype(resolved) == "yesno":
            return Truthy(resolved, node.col)
        if isinstance(resolved, Invalid):
            return resolved  # already reported
        self.error(t("cond.not_a_condition"), node)
        return Const(False, node.col)

    def compare(self, node: Compare) -> Node:
        left, right = node.left, node.right
        if node.op in ("in", "not in"):
            container = self.value(right)
            ctype = self.qtype(container)
            if ctype != "multiple":
                if not isinstance(container, Invalid):
                    self.error(t("cond.in_needs_multiple", op=node.op), node)
                return Compare(node.op, self.value(left), container, node.col)
            return Compare(node.op, self.choice(container.qid, left), container, node.col)
        # a choice question next to a bare word: the word is one of its choice values
        lq = isinstance(left, Name) and left.name in self.schema.questions and \
            self.schema.questions[left.name].type == "single"
        rq = isinstance(right, Name) and right.name in self.schema.questions and \
            self.schema.questions[right.name].type == "single"
        if lq:
            l, r = self.value(left), self.choice(left.name, right)
        elif rq:
            l, r = self.choice(right.name, left), self.value(right)
        else:
            l, r = self.value(left), self.value(right)
        lt, rt = self.kind(l), self.kind(r)
        if node.op in ("<", "<=", ">", ">="):
            for side, kind in ((l, lt), (r, rt)):
                if kind not in ("number", None):
                    self.error(t("cond.compares_numbers", op=node.op, kind=_kind_name(kind)), side)
        elif lt and rt and lt != rt and None not in (lt, rt):
            self.error(t("cond.compares_kinds", op=node.op, left=_kind_name(lt), right=_kind_name(rt)), node)
        return Compare(node.op, l, r, node.col)

    def kind(self, node: Node) -> str | None:
        """A coarse type: number, text, choice, list, bool, or None when unknown."""
        if isinstance(node, Invalid):
            return None
        if isinstance(node, Answer):
            qtype = self.qtype(node)
            return {"integer": "number", "number": "number", "scale": "number", "single": "text",
                    "text": "text", "multiple": "list", "yesno": "bool"}[qtype]
        if isinstance(node, Const):
            v = node.value
            if isinstance(v, bool):
                return "bool"
            if isinstance(v, (int, float)):
                return "number"
            if isinstance(v, str):
                return "text"
            return None
        if isinstance(node, (Arith, Call, ChoiceNumber, ChoiceSnap)):
            if isinstance(node, Call) and node.func == "answered":
                return "bool"
            return "number"
        return None

    def value(self, node: Node) -> Node:
        """Resolve a node used as a value."""
        if isinstance(node, Name):
            return self.answer(node)
        if isinstance(node, Const):
            return node
        if isinstance(node, Arith):
            args = tuple(self.value(a) for a in node.args)
            for a in args:
                kind = self.kind(a)
                if kind not in ("number", None):
                    self.error(t("cond.arithmetic_needs_numbers", what=_describe(a), kind=_kind_name(kind)), a)
            return Arith(node.op, args, node.col)
        if isinstance(node, Call):
            if node.func in ("count", "answered", "number"):
                arg = node.args[0]
                if not isinstance(arg, Name):
                    self.error(t("cond.takes_question", func=node.func), node)
                    return Const(None, node.col)
                resolved = self.answer(arg)
                if node.func == "count" and isinstance(resolved, Answer) and self.qtype(resolved) != "multiple":
                    self.error(t("cond.count_needs_multiple", name=repr(arg.name)), node)
                if node.func == "number" and isinstance(resolved, Answer):
                    question = self.schema.questions[resolved.qid]
                    table = tuple(getattr(question, "choice_numbers", {}).items())
                    if question.type != "single" or not table:
                        self.error(t("cond.number_needs_numbers", name=repr(arg.name)), node)
                    return ChoiceNumber(resolved, table, node.col)
                return Call(node.func, (resolved,), node.col)
            if node.func == "snap":
                target = node.args[1]
                question = self.schema.questions.get(target.name) if isinstance(target, Name) else None
                numbers = tuple(sorted(set(getattr(question, "choice_numbers", {}).values()))) if question else ()
                if not numbers:
                    self.error(t("cond.snap_needs_numbers"), node)
                value = self.value(node.args[0])
                if self.kind(value) not in ("number", None):
                    self.error(t("cond.func_needs_numbers", func="snap", what=_describe(value),
                                 kind=_kind_name(self.kind(value))), value)
                return ChoiceSnap(value, numbers, node.col)
            args = tuple(self.value(a) for a in node.args)
            for a in args:
                kind = self.kind(a)
                if kind not in ("number", None):
                    self.error(t("cond.func_needs_numbers", func=node.func, what=_describe(a), kind=_kind_name(kind)), a)
            return Call(node.func, args, node.col)
        if isinstance(node, (Compare, BoolOp, Not, Found)):
            return self.boolean(node)
        return node


def _describe(node: Node) -> str:
    if isinstance(node, Answer):
        return repr(node.qid)
    if isinstance(node, Const):
        return repr(node.value)
    return t("cond.this")


def _kind_name(kind: str | None) -> str:
    """A coarse type (number, text, list, bool) in words."""
    return t("cond.kind_" + kind) if kind else "?"


def resolve_condition(node: Node, schema: Schema, src: Source, problems: list[Problem]) -> Node:
    """Check every reference of a condition and return it with answers and choices resolved."""
    return _Resolver(schema, src, problems).boolean(node)


def resolve_value(node: Node, schema: Schema, src: Source, problems: list[Problem]) -> Node:
    """Check every reference of a number-valued expression and return it resolved."""
    r = _Resolver(schema, src, problems)
    resolved = r.value(node)
    kind = r.kind(resolved)
    if kind not in ("number", None):
        r.error(t("cond.expected_number", kind=_kind_name(kind)), node)
    return resolved


# ---------------------------------------------------------------------------- evaluation


class _Unknown:
    """The value of an unanswered question, and of anything computed from one."""

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()


def compare(op: str, a: Any, b: Any) -> Any:
    """Compare two answer values; UNKNOWN when either is missing."""
    if a is UNKNOWN or b is UNKNOWN or a is None or b is None:
        return UNKNOWN
    if op == "in":
        return a in b
    if op == "not in":
        return a not in b
    try:
        return _ORDER[op](a, b)
    except TypeError:
        return UNKNOWN


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}

NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "==", "in": "not in", "not in": "in"}


def _arith(op: str, args: list) -> Any:
    if any(a is UNKNOWN or a is None for a in args):
        return UNKNOWN
    try:
        if op == "neg":
            return -args[0]
        return _finite(_BINARY[op](*args))
    except (TypeError, OverflowError):  # OverflowError: a quotient of integers too large for a float
        return UNKNOWN


def _quotient(a: Any, b: Any) -> Any:
    """a / b; unknown when b is 0, a whole number when it comes out whole (6 / 3 is 2, not 2.0)."""
    if b == 0:
        return UNKNOWN
    result = a / b
    if isinstance(result, float) and not math.isfinite(result):  # _finite
        return UNKNOWN
    return int(result) if result == int(result) else result


# the operators of two numbers, for `_arith` and its compiled form alike
_BINARY: dict[str, Callable[[Any, Any], Any]] = {"+": operator.add, "-": operator.sub, "*": operator.mul,
                                                 "/": _quotient}


def _finite(value: Any) -> Any:
    """A result that overflowed to infinity (or NaN) is no number a rule can compare: unknown."""
    return UNKNOWN if isinstance(value, float) and not math.isfinite(value) else value


def evaluate(node: Node, values: Mapping[str, Any], findings: Iterable[str] = ()) -> Any:
    """Evaluate a resolved node: a value, True/False, or UNKNOWN (Kleene's three-valued logic)."""
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Answer):
        v = values.get(node.qid)
        return UNKNOWN if v is None else v
    if isinstance(node, Arith):
        return _arith(node.op, [evaluate(a, values, findings) for a in node.args])
    if isinstance(node, Compare):
        return compare(node.op, evaluate(node.left, values, findings), evaluate(node.right, values, findings))
    if isinstance(node, Truthy):
        v = evaluate(node.arg, values, findings)
        return UNKNOWN if v is UNKNOWN else bool(v)
    if isinstance(node, Call):
        if node.func == "answered":
            return values.get(node.args[0].qid) is not None if isinstance(node.args[0], Answer) else False
        if node.func == "default":  # the first value, or the second where the first is unknown
            first = evaluate(node.args[0], values, findings)
            return evaluate(node.args[1], values, findings) if first is UNKNOWN or first is None else first
        args = [evaluate(a, values, findings) for a in node.args]
        if any(a is UNKNOWN or a is None for a in args):
            return UNKNOWN
        if node.func == "count":
            return len(args[0])
        try:
            return _finite(NUMERIC_FUNCS[node.func](*args))
        except (TypeError, ValueError, OverflowError):
            return UNKNOWN
    if isinstance(node, ChoiceNumber):
        v = evaluate(node.arg, values, findings)
        return UNKNOWN if v is UNKNOWN else dict(node.table).get(v, UNKNOWN)
    if isinstance(node, ChoiceSnap):
        v = evaluate(node.arg, values, findings)
        if v is UNKNOWN or v is None or not node.numbers:
            return UNKNOWN
        below = [n for n in node.numbers if n <= v]
        return below[-1] if below else node.numbers[0]
    if isinstance(node, Found):
        return node.finding in findings
    if isinstance(node, Not):
        v = evaluate(node.item, values, findings)
        return UNKNOWN if v is UNKNOWN else not v
    if isinstance(node, BoolOp):
        results = [evaluate(i, values, findings) for i in node.items]
        if node.op == "and":
            if any(r is not UNKNOWN and not r for r in results):
                return False
            return UNKNOWN if any(r is UNKNOWN for r in results) else True
        if any(r is not UNKNOWN and r for r in results):
            return True
        return UNKNOWN if any(r is UNKNOWN for r in results) else False
    raise TypeError(f"cannot evaluate {node!r}")  # pragma: no cover - resolver guarantees node kinds


class CompiledOnUse(dict):
    """key -> its named expressions compiled, `((name, compiled(node)), ...)` in order, each key's the first
    time it is asked for: a case reads the params of the few rules and actions that hold, and a one-shot
    command, which has one case, compiled those of all of them. `named` gives key -> {name: node}."""

    def __init__(self, named: Mapping[str, Mapping[str, Node]]):
        super().__init__()
        self.named = named

    def __missing__(self, key: str) -> tuple:
        made = self[key] = tuple((name, compiled(node)) for name, node in self.named[key].items())
        return made


def compiled(node: Node) -> Callable[..., Any]:
    """`evaluate` of one node, turned into nested closures once: `compiled(n)(values, findings)` is
    `evaluate(n, values, findings)` without walking the tree and testing node types on every call.
    Rules' answer tests run this way, once per case and test (tests check both agree everywhere).

    An operator reads an answer or a constant operand itself rather than calling a closure for it
    (see `_operand`), and an operator whose operands are all constants (`0.7 * 4`) is worked out
    once, here, by `evaluate` itself."""
    if isinstance(node, Const):
        return _constant(node.value)
    if isinstance(node, Answer):
        qid = node.qid

        def answer(values, findings=()):
            v = values.get(qid)
            return UNKNOWN if v is None else v
        return answer
    if isinstance(node, Arith):
        return _compiled_arith(node)
    if isinstance(node, Compare):
        return _compiled_compare(node)
    if isinstance(node, Truthy):
        arg = compiled(node.arg)

        def truthy(values, findings=()):
            v = arg(values, findings)
            return UNKNOWN if v is UNKNOWN else bool(v)
        return truthy
    if isinstance(node, Call):
        return _compiled_call(node)
    if isinstance(node, ChoiceNumber):
        table = dict(node.table)
        if isinstance(node.arg, Answer):  # the usual `number(owner_role)`: the answer read, not called
            qid = node.arg.qid

            def choice_of_answer(values, findings=()):
                v = values.get(qid)
                return UNKNOWN if v is None else table.get(v, UNKNOWN)
            return choice_of_answer
        arg = compiled(node.arg)

        def choice_number(values, findings=()):
            v = arg(values, findings)
            return UNKNOWN if v is UNKNOWN else table.get(v, UNKNOWN)
        return choice_number
    if isinstance(node, ChoiceSnap):
        arg, numbers = compiled(node.arg), node.numbers

        def snap(values, findings=()):
            v = arg(values, findings)
            if v is UNKNOWN or v is None or not numbers:
                return UNKNOWN
            below = [n for n in numbers if n <= v]
            return below[-1] if below else numbers[0]
        return snap
    if isinstance(node, Found):
        finding = node.finding
        return lambda values, findings=(): finding in findings
    if isinstance(node, Not):
        item = compiled(node.item)

        def negation(values, findings=()):
            v = item(values, findings)
            return UNKNOWN if v is UNKNOWN else not v
        return negation
    if isinstance(node, BoolOp):
        items = [compiled(i) for i in node.items]
        if node.op == "and":
            def conjunction(values, findings=()):
                results = [i(values, findings) for i in items]
                if any(r is not UNKNOWN and not r for r in results):
                    return False
                return UNKNOWN if any(r is UNKNOWN for r in results) else True
            return conjunction

        def disjunction(values, findings=()):
            results = [i(values, findings) for i in items]
            if any(r is not UNKNOWN and r for r in results):
                return True
            return UNKNOWN if any(r is UNKNOWN for r in results) else False
        return disjunction
    raise TypeError(f"cannot evaluate {node!r}")  # pragma: no cover - resolver guarantees node kinds


def holds_for(node: Node, qid: str) -> Callable[[Any], bool]:
    """`holds(node, {qid: value})` as a function of the value, for a node that reads only `qid`: the
    usual shapes (`members >= 100`, `value_started`, `perks in join_reasons`, `count(leader_traits)
    <= 2`, `answered(ip_pull)`) test the value directly, any other goes through `compiled`. Rules'
    single-answer tests run this way (tests check it agrees with `holds`). A comparison of the
    answer with a constant says so: `compares` = (operator, constant), for whoever would rather take
    its steps than call it (it holds where the value is not None and the operator gives True)."""
    if isinstance(node, Compare) and isinstance(node.right, Const) and node.right.value is not None \
            and node.op not in ("in", "not in"):
        order, constant = _ORDER[node.op], node.right.value
        if isinstance(node.left, Answer) and node.left.qid == qid:
            def against_constant(value):
                if value is None:
                    return False
                try:
                    return order(value, constant) is True
                except TypeError:
                    return False
            against_constant.compares = (order, constant)  # type: ignore[attr-defined]
            return against_constant
        if isinstance(node.left, Call) and node.left.func == "count" and len(node.left.args) == 1 \
                and isinstance(node.left.args[0], Answer) and node.left.args[0].qid == qid:
            def count_against_constant(value):
                if value is None:
                    return False
                counted = len(value)  # unguarded, as `evaluate` counts
                try:
                    return order(counted, constant) is True
                except TypeError:
                    return False
            return count_against_constant
    if isinstance(node, Compare) and node.op in ("in", "not in") and isinstance(node.left, Const) \
            and node.left.value is not None and isinstance(node.right, Answer) and node.right.qid == qid:
        item = node.left.value
        if node.op == "in":
            return lambda value: value is not None and item in value
        return lambda value: value is not None and item not in value
    if isinstance(node, Truthy) and isinstance(node.arg, Answer) and node.arg.qid == qid:
        return lambda value: value is not None and bool(value)
    if isinstance(node, Call) and node.func == "answered" and isinstance(node.args[0], Answer) \
            and node.args[0].qid == qid:
        return lambda value: value is not None
    test = compiled(node)
    return lambda value: test({qid: value}) is True


def _constant(value: Any) -> Callable[..., Any]:
    """The compiled form of a constant, which says its value (`.constant`) to the operator reading it."""
    def constant(values, findings=()):
        return value
    constant.constant = value  # type: ignore[attr-defined]
    return constant


# how an operator reads an operand (see _operand)
_READ_ANSWER, _READ_CONSTANT, _READ_CALL = 0, 1, 2
_NOT_CONSTANT = object()


def _operand(node: Node) -> tuple[int, Any]:
    """How an operator reads one operand: (_READ_ANSWER, question id), (_READ_CONSTANT, value) or
    (_READ_CALL, compiled function). An answer read this way is None where unanswered, not UNKNOWN:
    only for operators that take both alike (every operator of numbers: either makes it unknown)."""
    if isinstance(node, Answer):
        return _READ_ANSWER, node.qid
    run = compiled(node)
    value = getattr(run, "constant", _NOT_CONSTANT)
    if value is not _NOT_CONSTANT:
        return _READ_CONSTANT, value
    return _READ_CALL, run


def _folded(node: Node, run: Callable[..., Any], operands: list[tuple[int, Any]]) -> Callable[..., Any]:
    """`run`, the compiled `node`; where every operand is a constant, the constant `evaluate` gives
    for the node (unless that is unknown, or fails: then it fails or is unknown on every call)."""
    if not all(how == _READ_CONSTANT for how, _ in operands):
        return run
    try:
        value = evaluate(node, {})
    except (TypeError, ValueError, ArithmeticError):
        return run
    return run if value is UNKNOWN or value is None else _constant(value)


def _compiled_arith(node: Arith) -> Callable[..., Any]:
    """`_arith` of two operands, its operator chosen once. The operands are pure, so the right one is
    not worked out when the left is unknown."""
    op = node.op
    if op not in _BINARY or len(node.args) != 2:
        args = [compiled(a) for a in node.args]
        return lambda values, findings=(): _arith(op, [a(values, findings) for a in args])
    apply, operands = _BINARY[op], [_operand(a) for a in node.args]
    (lhow, left), (rhow, right) = operands

    def arith(values, findings=()):
        a = values.get(left) if lhow == _READ_ANSWER else left if lhow == _READ_CONSTANT else left(values, findings)
        if a is UNKNOWN or a is None:
            return UNKNOWN
        b = values.get(right) if rhow == _READ_ANSWER else right if rhow == _READ_CONSTANT else right(values, findings)
        if b is UNKNOWN or b is None:
            return UNKNOWN
        try:
            result = apply(a, b)
        except (TypeError, OverflowError):
            return UNKNOWN
        return UNKNOWN if isinstance(result, float) and not math.isfinite(result) else result  # _finite
    return _folded(node, arith, operands)


def _compiled_compare(node: Compare) -> Callable[..., Any]:
    """`compare` of two operands; the right one is not worked out when the left is unknown."""
    op = node.op
    if op in ("in", "not in"):
        left, right = compiled(node.left), compiled(node.right)
        return lambda values, findings=(): compare(op, left(values, findings), right(values, findings))
    order, operands = _ORDER[op], [_operand(node.left), _operand(node.right)]
    (lhow, left), (rhow, right) = operands

    def against(values, findings=()):
        a = values.get(left) if lhow == _READ_ANSWER else left if lhow == _READ_CONSTANT else left(values, findings)
        if a is UNKNOWN or a is None:
            return UNKNOWN
        b = values.get(right) if rhow == _READ_ANSWER else right if rhow == _READ_CONSTANT else right(values, findings)
        if b is UNKNOWN or b is None:
            return UNKNOWN
        try:
            return order(a, b)
        except TypeError:
            return UNKNOWN
    return _folded(node, against, operands)


def _compiled_call(node: Call) -> Callable[..., Any]:
    if node.func == "answered":
        if not isinstance(node.args[0], Answer):
            return _constant(False)
        qid = node.args[0].qid
        return lambda values, findings=(): values.get(qid) is not None
    if node.func == "default":
        first, second = compiled(node.args[0]), compiled(node.args[1])

        def default(values, findings=()):
            v = first(values, findings)
            return second(values, findings) if v is UNKNOWN or v is None else v
        return default
    func = node.func
    apply = NUMERIC_FUNCS.get(func)
    if (apply is not None or func == "count") and len(node.args) == 1:  # ceil(x), floor(x), round(x), abs(x), count(x)
        operands = [_operand(node.args[0])]
        how, arg = operands[0]
        if apply is None:
            apply = len  # count: unguarded, as `evaluate` counts

            def count(values, findings=()):
                a = values.get(arg) if how == _READ_ANSWER else arg if how == _READ_CONSTANT else arg(values, findings)
                return UNKNOWN if a is UNKNOWN or a is None else len(a)
            return _folded(node, count, operands)

        def call1(values, findings=()):
            a = values.get(arg) if how == _READ_ANSWER else arg if how == _READ_CONSTANT else arg(values, findings)
            if a is UNKNOWN or a is None:
                return UNKNOWN
            try:
                result = apply(a)
            except (TypeError, ValueError, OverflowError):
                return UNKNOWN
            return UNKNOWN if isinstance(result, float) and not math.isfinite(result) else result
        return _folded(node, call1, operands)
    if apply is not None and len(node.args) == 2:  # min(x, y), max(x, y)
        operands = [_operand(a) for a in node.args]
        (fhow, first), (shows, second) = operands

        def call2(values, findings=()):
            a = (values.get(first) if fhow == _READ_ANSWER else first if fhow == _READ_CONSTANT
                 else first(values, findings))
            if a is UNKNOWN or a is None:
                return UNKNOWN
            b = (values.get(second) if shows == _READ_ANSWER else second if shows == _READ_CONSTANT
                 else second(values, findings))
            if b is UNKNOWN or b is None:
                return UNKNOWN
            try:
                result = apply(a, b)
            except (TypeError, ValueError, OverflowError):
                return UNKNOWN
            return UNKNOWN if isinstance(result, float) and not math.isfinite(result) else result
        return _folded(node, call2, operands)
    args = [compiled(a) for a in node.args]

    def call(values, findings=()):
        got = [a(values, findings) for a in args]
        if any(a is UNKNOWN or a is None for a in got):
            return UNKNOWN
        if func == "count":
            return len(got[0])
        try:
            return _finite(NUMERIC_FUNCS[func](*got))
        except (TypeError, ValueError, OverflowError):
            return UNKNOWN
    return call


def holds(node: Node | None, values: Mapping[str, Any], findings: Iterable[str] = ()) -> bool:
    """A condition holds only when it is known to be true; no condition always holds."""
    if node is None:
        return True
    return evaluate(node, values, findings) is True


def answers_used(node: Node | None) -> list[str]:
    """The question ids a node reads, in order of first appearance."""
    return _used(node, Answer, "qid")


def findings_used(node: Node | None) -> list[str]:
    return _used(node, Found, "finding")


def _used(node: Node | None, kind: type, field: str) -> list[str]:
    """The `field` of every `kind` node in the tree, in order of first appearance: walk()'s order,
    without a generator (the engines' compilation asks this of every atom)."""
    if node is None:
        return []
    seen: dict[str, None] = {}
    stack = [node]
    pop, push, kids_of = stack.pop, stack.extend, _KIDS.get
    while stack:
        n = pop()
        if isinstance(n, kind):
            seen[getattr(n, field)] = None
        kids = kids_of(type(n))
        kids = kids(n) if kids is not None else _kids(n)
        if kids:
            push(reversed(kids))
    return list(seen)


def walk(node: Node | None) -> Iterator[Node]:
    """Every node of a tree, each before its kids, in the order written; with a stack of its own
    rather than a generator per level, which the engines' compilation walks a few thousand times."""
    if node is None:
        return
    stack = [node]
    pop, push = stack.pop, stack.extend
    while stack:
        node = pop()
        yield node
        kids = _kids(node)
        if kids:
            push(reversed(kids))


def _kids(node: Node) -> tuple:
    kids = _KIDS.get(type(node))
    if kids is not None:
        return kids(node)
    if isinstance(node, (Arith, Call)):
        return node.args
    if isinstance(node, Compare):
        return node.left, node.right
    if isinstance(node, (Truthy, ChoiceNumber, ChoiceSnap)):
        return (node.arg,)
    if isinstance(node, BoolOp):
        return node.items
    if isinstance(node, Not):
        return (node.item,)
    return ()


# the kids of each node class looked up by its exact type; a subclass goes the isinstance way above
_KIDS: dict[type, Callable[[Any], tuple]] = {
    Arith: lambda n: n.args, Call: lambda n: n.args, Compare: lambda n: (n.left, n.right),
    Truthy: lambda n: (n.arg,), ChoiceNumber: lambda n: (n.arg,), ChoiceSnap: lambda n: (n.arg,),
    BoolOp: lambda n: n.items, Not: lambda n: (n.item,),
    Const: lambda n: (), Invalid: lambda n: (), Name: lambda n: (), Answer: lambda n: (), Found: lambda n: (),
}


def depth(node: Node) -> int:
    """How deeply a node nests; without recursion, so any tree can be measured."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        n, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((kid, level + 1) for kid in _kids(n))
    return deepest


# ---------------------------------------------------------------------------- normal form


@_frozen
class Literal(_Frozen):
    """An atom of a condition in negation normal form (`positive` False means negated)."""

    node: Node  # Compare, Truthy, Call('answered'), Found, or Const(bool)
    positive: bool = True

    def __init__(self, node: Node, positive: bool = True):
        _set(self, "node", node)
        _set(self, "positive", positive)


def negation_normal_form(node: Node, positive: bool = True) -> Node:
    """Push every `not` down to the atoms; comparisons are flipped rather than negated.

    Flipping keeps the three-valued meaning: `not (x > 3)` becomes `x <= 3`, which, like the
    original, does not hold when x is unanswered.
    """
    if isinstance(node, Not):
        return negation_normal_form(node.item, not positive)
    if isinstance(node, BoolOp):
        op = node.op if positive else ("or" if node.op == "and" else "and")
        return BoolOp(op, tuple(negation_normal_form(i, positive) for i in node.items), node.col)
    if positive:
        return node
    if isinstance(node, Compare):
        return Compare(NEGATED[node.op], node.left, node.right, node.col)
    if isinstance(node, Truthy):
        return Compare("==", node.arg, Const(False), node.col)
    if isinstance(node, Const):
        return Const(not node.value, node.col)
    return Not(node, node.col)  # Found, answered(): negated atoms stay wrapped


def alternatives(node: Node, positive: bool = True) -> int:
    """How many alternatives `disjunctive_normal_form` would give, counted without writing them out:
    `(a or b) and (c or d)` has 4; 26 such terms would have 67 million."""
    if isinstance(node, Not):
        return alternatives(node.item, not positive)
    if isinstance(node, BoolOp):
        counts = [alternatives(i, positive) for i in node.items]
        if (node.op == "or") == positive:
            return sum(counts)
        return math.prod(counts)
    return 1


def disjunctive_normal_form(node: Node) -> list[list[Node]]:
    """The condition as alternatives, each a list of atoms that must all hold (NNF first)."""
    count = alternatives(node)
    if count > MAX_ALTERNATIVES:  # loading refuses such a condition; this guards any other caller
        raise ValueError(f"a condition of {count} alternatives is too complex to write out")
    node = negation_normal_form(node)

    def dnf(n: Node) -> list[list[Node]]:
        if isinstance(n, BoolOp) and n.op == "or":
            return [alt for i in n.items for alt in dnf(i)]
        if isinstance(n, BoolOp):
            alts: list[list[Node]] = [[]]
            for i in n.items:
                alts = [a + b for a in alts for b in dnf(i)]
            return alts
        return [[n]]

    return dnf(node)


# ---------------------------------------------------------------------------- back to text

_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6, "neg": 7}


def to_text(node: Node | None, values: Mapping[str, Any] | None = None, show=repr, name=None) -> str:
    """A resolved condition or expression as text, in one normal spelling.

    With `values`, every answer shows what it was: `members(=500)`; `show` formats a value.
    Two conditions with the same text mean the same thing (used to find duplicate rules).
    `name` turns a question id into the word shown for it (a question's short name, for an operator).
    """
    def text(n: Node, outer: int = 0) -> str:
        if isinstance(n, Const):
            if isinstance(n.value, bool) or n.value is None:
                return {True: "true", False: "false", None: "none"}[n.value]
            if isinstance(n.value, str):
                return n.value if n.value.isidentifier() else f'"{n.value}"'
            return str(n.value)
        if isinstance(n, Answer):
            if values is None:
                return name(n.qid) if name else n.qid
            value = values.get(n.qid)
            return f"{n.qid}(={show(value) if value is not None else '?'})"
        if isinstance(n, Name):
            return n.name
        if isinstance(n, Found):
            return f"found({n.finding})"
        if isinstance(n, Truthy):
            return text(n.arg, outer)
        if isinstance(n, ChoiceNumber):
            return f"number({text(n.arg)})"
        if isinstance(n, ChoiceSnap):
            return f"snap({text(n.arg)}, {list(n.numbers)})"
        if isinstance(n, Call):
            return f"{n.func}({', '.join(text(a) for a in n.args)})"
        if isinstance(n, Arith):
            if n.op == "neg":
                inner, mine = f"-{text(n.args[0], 7)}", 7
            else:
                mine = _PRECEDENCE[n.op]
                inner = f"{text(n.args[0], mine)} {n.op} {text(n.args[1], mine + 1)}"
        elif isinstance(n, Compare):
            mine = 4
            inner = f"{text(n.left, 5)} {n.op} {text(n.right, 5)}"
        elif isinstance(n, Not):
            mine = 3
            inner = f"not {text(n.item, 3)}"
        elif isinstance(n, BoolOp):
            mine = _PRECEDENCE[n.op]
            inner = f" {n.op} ".join(text(i, mine + 1) for i in n.items)
        else:  # pragma: no cover - every node kind is above
            return repr(n)
        return f"({inner})" if mine < outer else inner

    return "" if node is None else text(node)
