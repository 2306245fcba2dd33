"""`@record`: a dataclass whose equality, repr (and hash, when frozen) are written once here.

`@dataclass` compiles __init__, __repr__ and __eq__ (and for a frozen class __hash__, __setattr__
and __delattr__) anew for every class, from generated source: for the thirty-odd model classes a
one-shot command imports, most of that was equality and repr that a run never calls. A record is
a dataclass in every other respect (fields, defaults, __init__, replace, asdict, match args) and
its equality, repr and hash are those @dataclass would give it:
- equal when of the same class and equal field by field (fields with compare=False aside);
- `Name(field=value, ...)` (fields with repr=False aside), `...` where it would recurse;
- unhashable, or when frozen hashed by the compared fields.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any, Callable


def record(cls: type | None = None, /, *, frozen: bool = False) -> Any:
    """`@record` or `@record(frozen=True)`, as `@dataclass` and `@dataclass(frozen=True)`."""

    def wrap(cls: type) -> type:
        own = set(cls.__dict__)
        cls = dataclass(cls, repr=False, eq=False, frozen=frozen)
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
