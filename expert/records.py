"""`@record`: a dataclass whose equality, repr (and hash, when frozen) are written once here, and
whose __init__ is written when the class is first instantiated.

`@dataclass` compiles __init__, __repr__ and __eq__ (and for a frozen class __hash__, __setattr__
and __delattr__) anew for every class, from generated source: for the thirty-odd model classes a
one-shot command imports, most of that was equality and repr that a run never calls, and the
__init__ of classes it never instantiates (a knowledge base read from the cache is unpickled,
which calls no __init__). A record is a dataclass in every other respect (fields, defaults,
replace, asdict, match args) and its equality, repr and hash are those @dataclass would give it:
- equal when of the same class and equal field by field (fields with compare=False aside);
- `Name(field=value, ...)` (fields with repr=False aside), `...` where it would recurse;
- unhashable, or when frozen hashed by the compared fields.
Its first instances are filled in field by field as the __init__ @dataclass writes would fill them;
from then on that __init__ is written, by the function @dataclass writes it with, and used. A class
without a docstring has its __init__ written at once: @dataclass documents such a class with the
signature of its __init__. A plain class (see `_as_dataclass`) does not go through @dataclass at
all: its fields are described as @dataclass would describe them, without its look-ups per field.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import (_FIELD, _FIELD_CLASSVAR, _FIELD_INITVAR, MISSING, Field, FrozenInstanceError,
                         _DataclassParams, _fields_in_init_order, _init_fn, dataclass, field, fields, make_dataclass)
from operator import attrgetter
from typing import Any, Callable


def record(cls: type | None = None, /, *, frozen: bool = False) -> Any:
    """`@record` or `@record(frozen=True)`, as `@dataclass` and `@dataclass(frozen=True)`."""

    def wrap(cls: type) -> type:
        own = set(cls.__dict__)
        lazy = "__init__" not in own and bool(cls.__doc__)
        if not (lazy and _as_dataclass(cls, frozen)):
            cls = dataclass(cls, init=not lazy, repr=False, eq=False, frozen=frozen)
        if lazy:
            cls.__init__ = _first_init(cls, frozen)
        compared = _getter(tuple(f.name for f in fields(cls) if f.compare))
        shown = tuple(f.name for f in fields(cls) if f.repr)
        if "__repr__" not in own:
            cls.__repr__ = _repr(shown)
        if "__eq__" not in own:
            cls.__eq__ = _eq(compared)
            if "__hash__" not in own:
                cls.__hash__ = _hash(compared) if frozen else None
        return cls

    return wrap if cls is None else wrap(cls)


def _as_dataclass(cls: type, frozen: bool) -> bool:
    """Make `cls` what `@dataclass(init=False, repr=False, eq=False, frozen=frozen)` makes it, for the
    plain classes the models are; False, touching nothing, for any other (then @dataclass does it).

    Plain: its bases are plain classes, or dataclasses of the same frozenness whose fields it takes first
    as @dataclass does, it has no slots, and no annotation of it names ClassVar, InitVar or KW_ONLY
    (with string annotations @dataclass tells these by a look-up per field, which is most of its
    time). It then gets the same fields, with the same options and defaults, the same class
    attributes for the defaults, the same parameters and match args, and when frozen a __setattr__
    and __delattr__ that refuse as @dataclass's do, written as closures rather than compiled from
    source. tests/test_records.py compares the two field by field."""
    names = cls.__dict__.get("__annotations__", {})
    inherited = _inherited_fields(cls, frozen)
    if (inherited is None or "__slots__" in cls.__dict__
            or any(not isinstance(kind, str) or "ClassVar" in kind or "InitVar" in kind or "KW_ONLY" in kind
                   for kind in names.values())
            or any(isinstance(value, Field) and name not in names for name, value in cls.__dict__.items())
            or (frozen and ("__setattr__" in cls.__dict__ or "__delattr__" in cls.__dict__))):
        return False
    made: dict[str, Field] = dict(inherited)
    for name, kind in names.items():
        default = cls.__dict__.get(name, MISSING)
        one = default if isinstance(default, Field) else field(default=default)
        one.name, one.type, one._field_type = name, kind, _FIELD  # type: ignore[attr-defined]
        if one.kw_only is MISSING:
            one.kw_only = False
        if one.default.__class__.__hash__ is None:  # @dataclass's test of a mutable default
            raise ValueError(f"mutable default {type(one.default)} for field {name} is not allowed: "
                             "use default_factory")
        made[name] = one
    for name in names:
        one = made[name]
        if isinstance(cls.__dict__.get(name), Field):
            if one.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, one.default)
    cls.__dataclass_params__ = _DataclassParams(False, False, False, False, False, frozen)  # type: ignore
    cls.__dataclass_fields__ = made  # type: ignore[attr-defined]
    if "__match_args__" not in cls.__dict__:
        cls.__match_args__ = tuple(f.name for f in made.values() if f.init and not f.kw_only)  # type: ignore
    if frozen:
        cls.__setattr__, cls.__delattr__ = _refusals(cls, tuple(made))  # type: ignore[method-assign]
    return True


def _inherited_fields(cls: type, frozen: bool) -> dict[str, Field] | None:
    """The fields `cls` takes from its bases, as @dataclass collects them (those of every dataclass in its
    MRO, the farthest first); None where a base is one the shortcut does not describe: a dataclass of
    other frozenness, or one that inherits its fields without being a dataclass itself."""
    inherited: dict[str, Field] = {}
    for base in cls.__mro__[-1:0:-1]:
        own = base.__dict__.get("__dataclass_fields__")
        if own is None:
            if hasattr(base, "__dataclass_fields__"):
                return None
            continue
        if base.__dict__["__dataclass_params__"].frozen != frozen:
            return None
        inherited.update(own)
    return inherited


def _refusals(cls: type, names: tuple[str, ...]) -> tuple[Callable, Callable]:
    """The __setattr__ and __delattr__ of a frozen dataclass, as @dataclass writes them."""

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    __setattr__.__qualname__ = f"{cls.__qualname__}.__setattr__"
    __delattr__.__qualname__ = f"{cls.__qualname__}.__delattr__"
    return __setattr__, __delattr__


FILLED = 64  # instances of a record filled in field by field before its own __init__ is written
_UNSEEN = object()


def _first_init(cls: type, frozen: bool) -> Callable[..., None]:
    """An __init__ that fills the class's first FILLED instances in (`_filling`), then writes the class's
    own, puts it in its place and calls it: a one-shot command, which makes a few of each record, then
    compiles no __init__ at all (a tenth of a millisecond each), and a batch compiles each once."""
    fill: Any = _UNSEEN  # worked out on the first call: most records a command imports it never makes
    filled = 0

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal fill, filled
        init = cls.__dict__["__init__"]
        if init is __init__:
            if fill is _UNSEEN:
                fill = _filling(cls, frozen)
            if fill is not None and filled < FILLED and fill(self, args, kwargs):
                filled += 1
                return
            init = cls.__init__ = _written_init(cls, frozen)
        init(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _filling(cls: type, frozen: bool) -> Callable[[Any, tuple, dict], bool] | None:
    """What the __init__ @dataclass writes for `cls` does, without writing it: each field in order takes
    its argument, else its default factory's new value or its default (a field left out of __init__ only
    its factory's value), set as that __init__ sets it, then __post_init__ runs. It fills an instance
    in only for a call that binds as that __init__'s parameters bind (positional ones first, then by name,
    none twice, none unknown, none missing) and says so; for any other call it touches nothing and says
    False, and the written __init__ answers it with its own TypeError. None for a class with keyword-only
    fields or InitVars, or whose fields @dataclass would refuse: its __init__ is written at once."""
    made = [f for f in cls.__dataclass_fields__.values() if f._field_type is not _FIELD_CLASSVAR]
    if any(f._field_type is not _FIELD or (f.init and f.kw_only) for f in made):
        return None
    taken = [f for f in made if f.init]
    params = tuple(f.name for f in taken)
    required = sum(1 for f in taken if f.default is MISSING and f.default_factory is MISSING)
    if any(f.default is MISSING and f.default_factory is MISSING for f in taken[required:]):
        return None  # a field without a default after one with: @dataclass refuses the class
    allowed = [frozenset(params[n:]) for n in range(len(params) + 1)]  # the names after n positional arguments
    needed = [frozenset(params[n:required]) for n in range(len(params) + 1)]
    steps = tuple((f.name, params.index(f.name) if f.init else -1, f.default, f.default_factory)
                  for f in made if f.init or f.default_factory is not MISSING)
    assign = object.__setattr__ if frozen else setattr
    post_init = hasattr(cls, "__post_init__")

    def fill(self: Any, args: tuple, kwargs: dict) -> bool:
        given = len(args)
        if given > len(params) or not kwargs.keys() <= allowed[given] or not needed[given] <= kwargs.keys():
            return False
        for name, position, default, factory in steps:
            if 0 <= position < given:
                value = args[position]
            elif name in kwargs:
                value = kwargs[name]
            elif factory is not MISSING:
                value = factory()
            else:
                value = default
            assign(self, name, value)
        if post_init:
            self.__post_init__()
        return True

    return fill


def _written_init(cls: type, frozen: bool) -> Callable[..., None]:
    """The __init__ @dataclass writes for `cls`: written by the very function @dataclass writes it with,
    from the class's own fields, as @dataclass calls it. Where that function is not what it was up to
    Python 3.12, by a twin with the same fields and options, which costs twice as much: a class made
    and gone through @dataclass's other steps for the one method kept."""
    if sys.version_info < (3, 13):
        made = [f for f in cls.__dataclass_fields__.values() if f._field_type in (_FIELD, _FIELD_INITVAR)]
        std, kw_only = _fields_in_init_order(made)
        module = sys.modules.get(cls.__module__)
        init = _init_fn(made, std, kw_only, frozen, hasattr(cls, "__post_init__"),
                        "__dataclass_self__" if "self" in cls.__dataclass_fields__ else "self",
                        module.__dict__ if module is not None else {}, False)
    else:  # pragma: no cover - Python 3.13 builds its methods otherwise
        init = _twin_init(cls, frozen)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _twin_init(cls: type, frozen: bool) -> Callable[..., None]:
    """The __init__ of a twin of `cls` made by `dataclasses.make_dataclass`, with the same fields and options."""
    specs = []
    for f in fields(cls):
        options: dict[str, Any] = {"init": f.init}
        if f.default is not MISSING:
            options["default"] = f.default
        if f.default_factory is not MISSING:
            options["default_factory"] = f.default_factory
        specs.append((f.name, f.type, field(**options)))
    # the twin calls self.__post_init__() when it has one: the class's own, on the instance
    namespace = {"__post_init__": _post_init} if hasattr(cls, "__post_init__") else {}
    twin = make_dataclass(cls.__name__, specs, namespace=namespace, repr=False, eq=False, frozen=frozen)
    init = twin.__dict__["__init__"]
    init.__module__ = cls.__module__
    return init


def _post_init(self: Any) -> None:  # pragma: no cover - only its presence counts
    pass


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple]:
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        get = attrgetter(names[0])
        return lambda obj: (get(obj),)
    return lambda obj: ()


def _eq(compared: Callable[[Any], tuple]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    return __eq__


def _hash(compared: Callable[[Any], tuple]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(compared(self))

    return __hash__


_showing = threading.local()


def _repr(names: tuple[str, ...]) -> Callable[[Any], str]:
    def __repr__(self: Any) -> str:
        busy = _showing.__dict__.setdefault("ids", set())
        key = id(self), threading.get_ident()
        if key in busy:
            return "..."
        busy.add(key)
        try:
            shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        finally:
            busy.discard(key)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__
