"""Jinja's sandbox with limits, for prescription templates and finding texts that may come from anyone.

The sandbox keeps a template away from Python; these limits keep it from running for ever or filling
memory, whatever it is written to do. Every loop turn, call and counted operator spends a step of one
render's budget, which also holds a deadline; range() and the size arguments of filters and string
methods are bounded before anything is built; no string, list or output grows past a bound; lists
and dicts cannot be changed in place (a list extended by itself doubles on every turn). A render
beyond a limit raises RenderLimitError saying which; macro recursion and a template that includes
itself end in RecursionError, which the renderer reports.
"""

from __future__ import annotations

import functools
import re
import time
from contextvars import ContextVar
from types import CodeType, FunctionType
from typing import Any, Callable, Iterable, Iterator

from jinja2 import TemplateRuntimeError, nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, Macro, new_context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from expert.limits import MAX_RENDER_CHARS, MAX_RENDER_NUMBER, MAX_RENDER_SECONDS, MAX_RENDER_STEPS
from expert.messages import t

MAX_INT_BITS = 10_000  # about 3,000 digits; Python will not print an integer of more than 4,300


class RenderLimitError(TemplateRuntimeError):
    """A template or text went past one of the limits of rendering."""


class _Budget:
    __slots__ = ("steps", "deadline", "output")

    def __init__(self) -> None:
        self.steps = 0
        self.deadline = time.monotonic() + MAX_RENDER_SECONDS
        self.output = 0  # characters of {{ ... }} output so far

    def emit(self, size: int) -> None:
        self.output += size
        if self.output > MAX_RENDER_CHARS:
            raise _too_long()

    def spend(self) -> None:
        self.steps += 1
        if self.steps > MAX_RENDER_STEPS:
            raise _too_many_steps()
        self.late()  # every step: one step may be a filter over a long text

    def late(self) -> None:
        if time.monotonic() > self.deadline:
            raise _too_late()


_BUDGET: ContextVar[_Budget | None] = ContextVar("shequn_render_budget", default=None)


def _spend() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.spend()


def render(template, context: dict[str, Any], shared: bool = False) -> str:
    """Render a template of a LimitedEnvironment within the limits; raises RenderLimitError past one.

    `shared`: the context already holds the template's globals and is the template's own to read
    (Jinja never writes to it), so it is used as it is rather than copied with the globals."""
    if shared:  # a Context without Jinja's copy of the globals' names, which only exports would need
        context_object = new_context(template.environment, template.name, template.blocks, context, shared=True)
    else:
        context_object = template.new_context(context)
    return _rendered(template, context_object)


def _rendered(template, context_object) -> str:
    """What `template.generate` gives, joined, within the limits: its root function run directly (one
    generator less per piece of output), a template's error raised as Jinja raises it, with the
    template's own line in its traceback. Every piece of output is counted here, the template's own
    text and what its {{ ... }} print; output that goes into a buffer first (a macro's, a
    {% set %} block's) is counted where it is made (LimitedEnvironment.emitted)."""
    budget = _Budget()
    token = _BUDGET.set(budget)
    try:
        parts: list[str] = []
        append = parts.append
        size, too_long = 0, False
        generator = template.root_render_func(context_object)
        try:
            for part in generator:
                size += len(part)
                if size > MAX_RENDER_CHARS:
                    too_long = True
                    break
                append(part)
        except Exception:
            template.environment.handle_exception()
        if too_long:
            error = _too_long()
            error.lineno = _suspended_at(generator, template)  # type: ignore[attr-defined]
            raise error
        budget.late()
        return "".join(parts)
    finally:
        _BUDGET.reset(token)


def _suspended_at(generator, template) -> int | None:
    """The template's line whose output went past the limit: where its code waits, in the template's
    own code (a block's, or the line of an {% include %}), mapped back to the template."""
    line = None
    while generator is not None:
        frame = getattr(generator, "gi_frame", None)
        if frame is None:
            break
        if frame.f_code.co_filename == template.filename:
            line = template.get_corresponding_lineno(frame.f_lineno)
        generator = getattr(generator, "gi_yieldfrom", None)
    return line


def render_scoped(template, variables: dict[str, Any], own: dict[str, Any]) -> str:
    """`render(template, {**variables, **own}, shared=True)` without building the merged dict: the
    names of `own` are looked up first, then `variables` (which hold the template's globals). A
    finding's text reads the case's many variables and its own few params this way, uncopied."""
    return _rendered(template, _ScopedContext(template, variables, own))


def spends_nothing(ast: nodes.Template, calls: Iterable[str] = ()) -> bool:
    """Whether a parsed template can spend nothing of a render's budget: it holds only output, `if`,
    names, constants, comparisons, tests, `and`/`or`/`not`, a dot or a subscript, and the operators
    the sandbox does not count (- / //). Such a template runs straight through, once, in time and
    output bounded by its own size and the values it prints: no loop, filter, counted operator, `~`,
    macro, block, include or `set` that could spend a step or fill a buffer. Most finding texts
    are such.

    `calls` names the functions the caller gives every render (a text's `label`, `plural`): called by
    name with constants or names for arguments, each call is one step, and a text holds a few at most
    (FEW_CALLS): steps that can never come near the budget, and the call is still checked as any is."""
    made = 0
    for node in ast.find_all(nodes.Node):
        kind = type(node)
        if kind in _STRAIGHT_NODES:
            continue
        if kind is nodes.Call and calls and _plain_call(node, calls):
            made += 1
            if made <= FEW_CALLS:
                continue
        return False
    return True


FEW_CALLS = 16  # calls of the caller's functions a text may hold and still spend nothing (spends_nothing)


def _plain_call(node: nodes.Call, calls: Iterable[str]) -> bool:
    return (type(node.node) is nodes.Name and node.node.name in calls and not node.kwargs
            and node.dyn_args is None and node.dyn_kwargs is None
            and all(type(argument) in (nodes.Const, nodes.Name) for argument in node.args))


_STRAIGHT_NODES = frozenset({
    nodes.Output, nodes.TemplateData, nodes.Const, nodes.Name, nodes.If, nodes.CondExpr, nodes.Compare,
    nodes.Operand, nodes.Test, nodes.Not, nodes.And, nodes.Or, nodes.Getattr, nodes.Getitem, nodes.Slice,
    nodes.Neg, nodes.Pos, nodes.Sub, nodes.Div, nodes.FloorDiv, nodes.Tuple, nodes.List, nodes.Dict, nodes.Pair,
})


def render_straight(template, variables: dict[str, Any], own: dict[str, Any]) -> str:
    """`render_scoped` of a template that `spends_nothing`, without a budget to spend from: its
    output is counted as it comes out and the clock read at the end, which are all the limits such
    a template can reach (render_scoped's budget would be set, never spent, and read the same way)."""
    deadline = time.monotonic() + MAX_RENDER_SECONDS
    parts: list[str] = []
    size = 0
    try:
        for part in template.root_render_func(_straight_context(template, variables, own)):
            size += len(part)
            if size > MAX_RENDER_CHARS:
                raise _too_long()
            parts.append(part)
    except RenderLimitError:
        raise
    except Exception:
        template.environment.handle_exception()
    if time.monotonic() > deadline:
        raise _too_late()
    return "".join(parts)


def fill_in(ast: nodes.Template) -> tuple | None:
    """The pieces of a text that is only text and `{{ name }}`s, in order: a str for text, a 1-tuple
    holding the name for each name; None for any other text. Such a text renders to its text with
    str() of each name's value (what Jinja's compiled code yields, and all it does with a name
    defined), so `render_filled` puts it together without running the template."""
    pieces: list[Any] = []
    for node in ast.body:
        if type(node) is not nodes.Output:
            return None
        for child in node.nodes:
            if type(child) is nodes.TemplateData:
                pieces.append(child.data)
            elif type(child) is nodes.Name and child.ctx == "load":
                pieces.append((child.name,))
            else:
                return None
    return tuple(pieces)


def render_filled(pieces: tuple, template, variables: dict[str, Any], own: dict[str, Any]) -> str:
    """`render_straight` of a text made of the `fill_in` pieces: each name looked up as the template
    looks it up, its own variables first. A name undefined, or a value that cannot be printed, and
    the template renders, to fail as it fails. Its one output is counted and the clock read, as
    render_straight does."""
    deadline = time.monotonic() + MAX_RENDER_SECONDS
    parts: list[str] = []
    append = parts.append
    try:
        for piece in pieces:
            if type(piece) is str:
                append(piece)
                continue
            value = own.get(piece[0], _UNSET)
            if value is _UNSET:
                value = variables.get(piece[0], _UNSET)
                if value is _UNSET:
                    return render_straight(template, variables, own)
            append(str(value))
    except Exception:
        return render_straight(template, variables, own)
    text = "".join(parts)
    if len(text) > MAX_RENDER_CHARS:
        raise _too_long()
    if time.monotonic() > deadline:
        raise _too_late()
    return text


_UNSET = object()


def _straight_context(template, variables: dict[str, Any], own: dict[str, Any]) -> Context:
    """A _ScopedContext for a template that spends nothing: such a template never changes its
    EvalContext (it has no {% autoescape %}) nor exports a name (it has no {% set %}), so it is given
    its environment's plain one and a shared empty set of globals."""
    environment = template.environment
    eval_ctx = environment.__dict__.get("_plain_eval_ctx")
    if eval_ctx is None or environment.autoescape is not False:
        eval_ctx = EvalContext(environment, template.name)
        if environment.autoescape is False:
            environment.__dict__["_plain_eval_ctx"] = eval_ctx
    context = _new_context(_ScopedContext)
    context.parent = variables
    context.vars = own
    context.environment = environment
    context.eval_ctx = eval_ctx
    context.exported_vars = set()
    context.name = template.name
    context.globals_keys = _NO_GLOBALS
    context.blocks = {}
    return context


_new_context = object.__new__
_NO_GLOBALS: frozenset[str] = frozenset()


class _ScopedContext(Context):
    """Jinja's Context of a template rendered with `variables` under `own`, made without the generic
    constructor's work: no globals to copy, and `own` taken as the context's own variables (the
    caller's to give: a {% set %} at the top of the text writes there)."""

    def __init__(self, template, variables: dict[str, Any], own: dict[str, Any]):  # noqa: super().__init__ not called
        environment = template.environment
        self.parent = variables
        self.vars = own
        self.environment = environment
        self.eval_ctx = EvalContext(environment, template.name)
        self.exported_vars = set()
        self.name = template.name
        self.globals_keys = set()
        self.blocks = {name: [block] for name, block in template.blocks.items()} if template.blocks else {}


def _counted_turns(iterable: Iterable, budget: _Budget) -> Iterator:
    for item in iterable:
        budget.steps += 1  # budget.spend, inlined: once per turn
        if budget.steps > MAX_RENDER_STEPS:
            raise _too_many_steps()
        # the clock every 16th turn: what takes time in a turn (a call, a filter, an operator)
        # spends a step of its own, and looks at the clock then
        if not budget.steps & 15 and time.monotonic() > budget.deadline:
            raise _too_late()
        yield item


def _too_late() -> RenderLimitError:
    return RenderLimitError(t("sandbox.seconds", limit=f"{MAX_RENDER_SECONDS:g}"))


def _too_long() -> RenderLimitError:
    return RenderLimitError(t("sandbox.output", limit=f"{MAX_RENDER_CHARS:,}"))


def _too_many_steps() -> RenderLimitError:
    return RenderLimitError(t("sandbox.steps", limit=f"{MAX_RENDER_STEPS:,}"))


# ---------------------------------------------------------------------------- sizes


def _checked(value: Any) -> Any:
    """A value made while rendering, refused if it is too large."""
    if type(value) is str and len(value) <= MAX_RENDER_CHARS:  # by far the most common: said first
        return value
    if isinstance(value, (str, list, tuple, dict)) and len(value) > MAX_RENDER_CHARS:
        what = t("sandbox.a_text" if isinstance(value, str) else "sandbox.a_collection")
        raise RenderLimitError(t("sandbox.too_many_items", what=what, n=f"{len(value):,}", limit=f"{MAX_RENDER_CHARS:,}"))
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise RenderLimitError(t("sandbox.big_number", limit=f"{MAX_INT_BITS:,}"))
    return value


def _size_argument(value: Any, what: tuple[str, dict]) -> None:
    """`what` is the message key and values that name the argument."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_RENDER_NUMBER:
        raise RenderLimitError(t("sandbox.argument", what=t(what[0], **what[1]), value=value,
                                 limit=f"{MAX_RENDER_NUMBER:,}"))


def _sized(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple, dict)) else 1


_PERCENT_SPEC = r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?"
_BRACE_SPEC = r"\{[^{}]*\}"


@functools.cache
def _spec_pattern(pattern: str) -> re.Pattern:
    """One of the format-spec patterns above, compiled on first use: only a template that formats
    a string ever needs them."""
    return re.compile(pattern)



def _check_format(text: str) -> None:
    """A width or precision in a %-format or str.format string is a size too: '%0999999999d'."""
    for match in _spec_pattern(_PERCENT_SPEC).finditer(text.replace("%%", "")):
        for group in match.groups():
            if group == "*":
                raise RenderLimitError(t("sandbox.star_width"))
            if group:
                _size_argument(int(group), ("sandbox.width", {}))
    plain = text.replace("{{", "").replace("}}", "")
    for field in _spec_pattern(_BRACE_SPEC).finditer(plain):
        spec = field.group().partition(":")[2]
        for number in re.findall(r"\d+", spec):
            _size_argument(int(number), ("sandbox.width", {}))
    if re.search(r"\{[^{}]*\{", plain):
        raise RenderLimitError(t("sandbox.nested_field"))


def _check_replace(text: Any, old: Any, new: Any, count: Any = -1) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        hits = text.count(old) if old else len(text) + 1
        if isinstance(count, int) and count >= 0:
            hits = min(hits, count)
        if len(text) + hits * (len(new) - len(old)) > MAX_RENDER_CHARS:
            raise RenderLimitError(t("sandbox.replace", limit=f"{MAX_RENDER_CHARS:,}"))


def _check_join(items: Any, separator: Any = "") -> None:
    if isinstance(items, (list, tuple)):
        total = sum(_sized(i) for i in items) + len(items) * _sized(separator)
        if total > MAX_RENDER_CHARS:
            raise RenderLimitError(t("sandbox.long_text", limit=f"{MAX_RENDER_CHARS:,}"))


_PLAIN_CODE: set[CodeType] = set()


def plain_function(function: Callable) -> Callable:
    """Marks one of shequn's own functions given to templates (range, label, plural ...): plain Python
    that takes no context and is safe to call, which the sandbox then calls without asking Jinja's
    questions about it (is it str.format, unsafe, a context function) on every call. Its code is
    marked, so every closure made from it is."""
    assert getattr(function, "jinja_pass_arg", None) is None and type(function) is FunctionType
    _PLAIN_CODE.add(function.__code__)
    return function


@plain_function
def _range(*args: int) -> range:
    numbers = range(*args)
    try:
        count = len(numbers)
    except OverflowError:
        count = MAX_RENDER_NUMBER + 1
    if count > MAX_RENDER_NUMBER:
        raise RenderLimitError(t("sandbox.range", limit=f"{MAX_RENDER_NUMBER:,}"))
    return numbers


# A filter that takes a size gets it checked first: arguments after the value, by position or name.
_SIZE_FILTERS = {"center", "indent", "batch", "slice"}
# str methods whose number arguments are sizes of what they make
_SIZE_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}


def _guarded_filter(name: str, func: Callable) -> Callable:
    passes_context = getattr(func, "jinja_pass_arg", None) is not None
    first = 2 if passes_context else 1  # arguments before this are the context and the value

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _spend()
        value, rest = (args[first - 1] if len(args) >= first else None), args[first:]
        if name in _SIZE_FILTERS:
            for argument in (*rest, *kwargs.values()):
                _size_argument(argument, ("sandbox.filter_argument", {"name": name}))
                if name == "indent" and isinstance(argument, str) and isinstance(value, str):
                    _check_join(value.split("\n"), argument)  # the indent goes before every line
        elif name == "format" and isinstance(value, str):
            _check_format(value)
        elif name == "replace":
            _check_replace(value, *rest[:3], **kwargs)
        elif name == "join":
            _check_join(value, *rest[:1])
        elif name == "sum":
            start = kwargs.get("start", rest[1] if len(rest) > 1 else 0)
            if not isinstance(start, (int, float)):  # adding lists is quadratic, and unbounded
                raise RenderLimitError(t("sandbox.sum"))
        return _checked(func(*args, **kwargs))

    return guarded


# ---------------------------------------------------------------------------- the environment


class _GuardedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with every loop's iterable counted and every output size-checked."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        self._counted = getattr(self, "_counted", set()) | {id(node.iter)}
        super().visit_For(node, frame)

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        if id(node) in getattr(self, "_counted", ()):
            self.write("environment.counted(")
            super().visit(node, *args, **kwargs)
            self.write(")")
            return None
        return super().visit(node, *args, **kwargs)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked(")
        super().visit_Concat(node, frame)
        self.write(")")

    @optimizeconst
    def visit_Getattr(self, node: nodes.Getattr, frame: Frame) -> None:
        """`c.title` of a variable: the key of a dict read in place, as LimitedEnvironment.getattr would
        read it, and anything else asked of getattr. A variable can be looked at twice: reading one has
        no effect. A name of dict's own (`d.items`) is always asked."""
        if not isinstance(node.node, nodes.Name) or node.attr in _DICT_ATTRIBUTES or self.environment.is_async:
            super().visit_Getattr(node, frame)
            return
        key = repr(node.attr)
        self.write("(")
        self.visit(node.node, frame)
        self.write(f"[{key}] if type(")
        self.visit(node.node, frame)
        self.write(f") is dict and {key} in ")
        self.visit(node.node, frame)
        self.write(" else environment.getattr(")
        self.visit(node.node, frame)
        self.write(f", {key}))")

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        """Jinja's visit_Output, but the pieces of one output (text, {{ ... }}, text ...) joined into one
        yield: a prescription is several hundred pieces, and every yield resumes the template's code."""
        if frame.buffer is not None or frame.require_output_check:
            super().visit_Output(node, frame)
            return
        finalize = self._make_finalize()
        body: list[Any] = []
        for child in node.nodes:  # constants evaluated now, as Jinja does
            try:
                if not (finalize.const or isinstance(child, nodes.TemplateData)):
                    raise nodes.Impossible()
                const = self._output_child_to_const(child, frame, finalize)
            except (nodes.Impossible, Exception):
                body.append(child)
                continue
            if body and isinstance(body[-1], list):
                body[-1].append(const)
            else:
                body.append([const])
        if len(body) < 2:
            super().visit_Output(node, frame)
            return
        self.writeline("yield ''.join((", node)
        self.indent()
        for item in body:
            if isinstance(item, list):
                self.writeline(self._output_const_repr(item) + ",")
            else:
                self.newline(item)
                self._output_child_pre(item, frame, finalize)
                self.visit(item, frame)
                self._output_child_post(item, frame, finalize)
                self.write(",")
        self.outdent()
        self.writeline("))")

    # Output yielded is counted as it comes out (sandbox._rendered); output into a buffer (a macro,
    # a {% set %} or {% filter %} block) only where it is made.
    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if frame.buffer is not None:
            self.write("environment.emitted(")
        super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        super()._output_child_post(node, frame, finalize)
        if frame.buffer is not None:
            self.write(")")


_DICT_ATTRIBUTES = frozenset(dir(dict))


class LimitedEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, immutable, with the limits above; render its templates with `render`."""

    code_generator_class = _GuardedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.globals["range"] = _range
        self.globals.pop("lipsum", None)  # lipsum(10**9) writes a billion paragraphs
        self.filters = {name: _guarded_filter(name, func) for name, func in self.filters.items()}

    def getattr(self, obj: Any, attribute: str) -> Any:
        # `c.title` of a dict whose key it is: Jinja tries the attribute first and looks the key up
        # after the AttributeError, an exception per dot of a template. A plain dict's attributes are
        # dict's own, so for any other name the key is what Jinja would find: looked up first.
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    @staticmethod
    def checked(value: Any) -> Any:
        return _checked(value)

    @staticmethod
    def emitted(text: str) -> str:
        """Output of {{ ... }}, counted where it is made, so a limit names the template's line."""
        budget = _BUDGET.get()
        if budget is not None:  # budget.emit, inlined: once per {{ ... }} of every template
            budget.output += len(text)
            if budget.output > MAX_RENDER_CHARS:
                raise _too_long()
        return text if type(text) is str else _checked(text)

    @staticmethod
    def counted(iterable: Iterable) -> Iterator:
        """A loop's items, each turn a step of the render's budget. A list, tuple or range (what a
        template loops over almost always) is paid for in full when the loop starts: its length is
        known, and a loop goes through its items unless it fails, which ends the render anyway."""
        budget = _BUDGET.get()  # a loop runs within one render: its budget, looked up once
        if budget is None:
            return iter(iterable)
        kind = type(iterable)
        if kind is list or kind is tuple or kind is range:
            before = budget.steps
            budget.steps += len(iterable)
            if budget.steps > MAX_RENDER_STEPS:
                raise _too_many_steps()
            # the clock when the steps pass a multiple of 16, as _counted_turns looks at it every 16th
            # turn: a prescription's three dozen short loops need not read it three dozen times
            if before >> 4 != budget.steps >> 4:
                budget.late()
            return iter(iterable)
        return _counted_turns(iterable, budget)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _spend()
        ints = all(isinstance(x, int) and not isinstance(x, bool) for x in (left, right))
        if operator == "**" and ints and right > 0 and abs(left) > 1 and right * left.bit_length() > MAX_INT_BITS:
            raise RenderLimitError(t("sandbox.power", left=left, right=right, limit=f"{MAX_INT_BITS:,}"))
        if operator == "*":
            if ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise RenderLimitError(t("sandbox.product", limit=f"{MAX_INT_BITS:,}"))
            for items, times in ((left, right), (right, left)):
                if isinstance(items, (str, list, tuple)) and isinstance(times, int) and \
                        len(items) * times > MAX_RENDER_CHARS:
                    raise RenderLimitError(t("sandbox.repeat", n=f"{len(items):,}", times=f"{times:,}",
                                             limit=f"{MAX_RENDER_CHARS:,}"))
        if operator == "+" and not ints and _sized(left) + _sized(right) > MAX_RENDER_CHARS:
            raise RenderLimitError(t("sandbox.join", limit=f"{MAX_RENDER_CHARS:,}"))
        if operator == "%" and isinstance(left, str):
            _check_format(left)
        return _checked(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's names)
        if type(__obj) is FunctionType and __obj.__code__ in _PLAIN_CODE:  # ours: what Jinja's call does, less asking
            _spend()
            if kwargs:
                kwargs.pop("_loop_vars", None)
                kwargs.pop("_block_vars", None)
            try:
                return _checked(__obj(*args, **kwargs))
            except StopIteration:  # as Context.call says it
                return __self.undefined("value was undefined because a callable raised a StopIteration exception")
        _spend()
        owner, name = getattr(__obj, "__self__", None), getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            if name in _SIZE_METHODS:
                for argument in (*args, *kwargs.values()):
                    _size_argument(argument, ("sandbox.method_argument", {"name": name}))
            elif name == "replace":
                _check_replace(owner, *args, **kwargs)
            elif name == "join" and args:
                _check_join(args[0], owner)
        elif not isinstance(__obj, Macro) and name in ("format", "format_map"):
            wrapped = getattr(__obj, "__wrapped__", None)  # str.format, wrapped by the sandbox
            if isinstance(getattr(wrapped, "__self__", None), str):
                _check_format(wrapped.__self__)
        return _checked(super().call(__context, __obj, *args, **kwargs))
