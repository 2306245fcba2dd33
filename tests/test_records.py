"""A record (expert/records.py) and a condition node behave as the dataclass they stand for: the same
__init__, equality, hash, repr and frozenness, only written once or on first use."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from dataclasses import field
from typing import Any

import pytest

from expert import conditions as c
from expert import records
from expert.records import record


def _twins(frozen: bool = False):
    """The same class body decorated both ways."""
    return dataclasses.dataclass(_sample(), frozen=frozen), record(_sample(), frozen=frozen)


def _sample():
    """A fresh class body, not yet decorated."""
    class Sample:
        """A record with every kind of field the models use."""

        name: str
        count: int = 0
        tags: list[str] = field(default_factory=list)
        note: str | None = field(default=None, repr=False)
        cached: Any = field(default=None, init=False, repr=False, compare=False)
        made: list[int] = field(default_factory=list, init=False)

        def __post_init__(self) -> None:
            self.made.append(len(self.name))

    return Sample


@pytest.mark.parametrize("frozen", [False, True])
def test_a_record_is_built_equal_and_shown_as_its_dataclass_twin(frozen):
    plain, rec = _twins(frozen)
    for args, kwargs in [(("a",), {}), (("ab", 3), {"tags": ["x"]}), ((), {"name": "n", "note": "hidden"})]:
        one, two = plain(*args, **kwargs), rec(*args, **kwargs)
        assert vars(one) == vars(two)  # `cached` is not set on the instance by either
        assert repr(one).replace("Sample", "X", 1) == repr(two).replace("Sample", "X", 1)
        assert two == rec(*args, **kwargs) and two != rec("other")
        assert (one == two) is False  # of different classes, as two dataclasses would be
    assert rec("a").tags is not rec("a").tags  # a fresh default per instance
    # its written __init__ (the first instances are filled in without one) takes what @dataclass's takes
    assert str(inspect.signature(plain.__init__)) == str(inspect.signature(records._written_init(rec, frozen)))
    # written (after the first instances) by @dataclass's own function: the same code
    mine, theirs = records._written_init(rec, frozen).__code__, plain.__init__.__code__
    assert (mine.co_code, mine.co_varnames, mine.co_names) == (theirs.co_code, theirs.co_varnames, theirs.co_names)
    with pytest.raises(TypeError):
        rec()
    with pytest.raises(TypeError):
        rec("a", cached=1)


def test_a_frozen_record_hashes_as_its_dataclass_and_refuses_assignment():
    def body():
        class Spot:
            """Where something is."""

            file: str
            line: int | None = None
            seen: bool = field(default=False, compare=False)

        return Spot

    plain, rec = dataclasses.dataclass(body(), frozen=True), record(body(), frozen=True)
    one, two = plain("a.yaml", 2), rec("a.yaml", 2)
    assert hash(one) == hash(two) == hash(rec("a.yaml", 2, True))
    assert two == rec("a.yaml", 2, True) and two != rec("a.yaml", 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        two.line = 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        del two.line
    plain, rec = _twins(frozen=False)
    assert plain.__hash__ is None and rec.__hash__ is None


def test_a_record_repr_shows_a_cycle_as_dots():
    _, rec = _twins()
    one = rec("a")
    one.tags.append(one)
    assert repr(one).endswith(".Sample(name='a', count=0, tags=[...], made=[1])")


def test_a_record_fills_its_first_instances_in_then_writes_its_init_and_keeps_it():
    from expert.findings import Finding
    from expert.knowledge import KnowledgeBase

    @record
    class Late:
        """Instantiated only later."""

        name: str
        count: int = 1

    waiting = Late.__dict__["__init__"]
    assert Late("a") == Late("a", 1) and Late.__dict__["__init__"] is waiting  # filled in: nothing written
    for n in range(records.FILLED):
        assert vars(Late(str(n), count=n)) == {"name": str(n), "count": n}
    written = Late.__dict__["__init__"]
    assert written is not waiting and Late("b").__init__.__func__ is written
    assert str(inspect.signature(Late)) == "(name: 'str', count: 'int' = 1) -> None"
    # a model takes its fields as a dataclass would; a class without a docstring is documented by its
    # signature, as @dataclass documents it
    assert list(inspect.signature(records._written_init(Finding, False)).parameters) == [
        "self", *(f.name for f in dataclasses.fields(Finding) if f.init)]
    assert KnowledgeBase.__doc__ and not KnowledgeBase.__doc__.startswith("KnowledgeBase(")

    @record
    class Bare:
        name: str

    assert Bare.__doc__ == "Bare(name: 'str')" and "__init__" in Bare.__dict__


def test_condition_nodes_are_described_as_dataclass_describes_them():
    # each node class body again, through @dataclass as conditions.py once had it
    import ast

    bodies = {node.name: node for node in ast.parse(inspect.getsource(c)).body if isinstance(node, ast.ClassDef)}
    for cls in [c.Const, c.Invalid, c.Name, c.Answer, c.Arith, c.Compare, c.Truthy, c.Call, c.ChoiceNumber,
                c.ChoiceSnap, c.Found, c.BoolOp, c.Not, c.Literal]:
        tree = bodies[cls.__name__]
        tree.decorator_list = []
        namespace = {**vars(c)}
        exec(compile(ast.Module([tree], []), "conditions.py", "exec"), namespace)
        twin = dataclasses.dataclass(namespace[cls.__name__], init=False, repr=False, eq=False)
        assert _described(cls) == _described(twin), cls.__name__
        assert cls.__doc__ == twin.__doc__ and cls.__mro__[1:] == twin.__mro__[1:]


def test_condition_nodes_compare_hash_and_show_as_frozen_dataclasses():
    node = c.Compare(">", c.Answer("members"), c.Const(3, 7), 9)

    @dataclasses.dataclass(frozen=True)
    class Compare:
        op: str
        left: Any
        right: Any
        col: int = 0

    twin = Compare(">", c.Answer("members"), c.Const(3, 7), 9)
    assert hash(node) == hash(twin)
    assert repr(node) == repr(twin).replace("test_condition_nodes_compare_hash_and_show_as_frozen_dataclasses"
                                            ".<locals>.", "")
    assert node == c.Compare(">", c.Answer("members"), c.Const(3, 7), 9)
    assert node != c.Compare(">", c.Answer("members"), c.Const(3, 7), 8)
    assert c.Const(1) != c.Invalid(1) and c.Invalid(1) == c.Invalid(1)
    assert dataclasses.replace(node, op="<") == c.Compare("<", c.Answer("members"), c.Const(3, 7), 9)
    assert [f.name for f in dataclasses.fields(node)] == ["op", "left", "right", "col"]
    assert c.Not.__match_args__ == ("item", "col")
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.op = "<"
    with pytest.raises(dataclasses.FrozenInstanceError):
        del node.col


def _described(cls) -> tuple:
    """Everything @dataclass leaves on a class apart from the methods: fields with all their options,
    parameters, match args, and the class attributes that stand for defaults."""
    described = [(f.name, f.type, f.default, f.default_factory, f.init, f.repr, f.hash, f.compare,
                  dict(f.metadata), f.kw_only, f._field_type) for f in dataclasses.fields(cls)]
    # ClassVars are pseudo-fields, left out by fields()
    pseudo = [(f.name, f._field_type) for f in cls.__dataclass_fields__.values()]
    defaults = {name: cls.__dict__.get(name, "absent") for name in cls.__dict__.get("__annotations__", {})}
    return described, pseudo, repr(cls.__dataclass_params__), cls.__match_args__, defaults


@pytest.mark.parametrize("frozen", [False, True])
def test_a_record_is_described_as_its_dataclass_twin(frozen):
    plain, rec = _twins(frozen)
    # the options a record is made with: its __init__ is written later, its repr and eq its own
    twin = dataclasses.dataclass(_sample(), init=False, repr=False, eq=False, frozen=frozen)
    assert _described(rec) == _described(twin)
    assert _described(rec)[:2] == _described(plain)[:2]
    assert "__setattr__" in rec.__dict__ if frozen else "__setattr__" not in rec.__dict__

    class Child(rec):
        """Not frozen: may set what its frozen parent's fields are not."""

    if frozen:
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'count'"):
            Child.__setattr__(rec("a"), "count", 2)
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'name'"):
            del rec("a").name


def test_a_record_the_shortcut_cannot_describe_goes_through_dataclass():
    @record
    class Counted:
        """Has a class variable."""

        name: str
        made: typing.ClassVar[int] = 0

    assert [f.name for f in dataclasses.fields(Counted)] == ["name"]
    assert [(f.name, f._field_type.name) for f in Counted.__dataclass_fields__.values()] == [
        ("name", "_FIELD"), ("made", "_FIELD_CLASSVAR")]
    assert Counted("a") == Counted("a") and Counted.made == 0
    # the models themselves take the shortcut
    from expert.records import _as_dataclass

    assert _as_dataclass(_sample(), frozen=True) is True


def test_a_record_refuses_a_mutable_default_as_dataclass_does():
    for decorate in (record, dataclasses.dataclass):
        with pytest.raises(ValueError, match="mutable default <class 'list'> for field tags is not allowed"):
            @decorate
            class Tagged:
                """Would share one list."""

                tags: list = []  # noqa: RUF012


@pytest.mark.parametrize("frozen", [False, True])
def test_a_record_s_first_instances_are_filled_in_as_its_dataclass_twin_makes_them(frozen):
    calls = [(("a",), {}), (("ab", 3), {}), (("ab", 3, ["t"]), {}), (("ab", 3, ["t"], "n"), {}), ((), {"name": "n"}),
             (("a",), {"note": "hidden", "tags": ["x"]}), ((), {"count": 2, "name": "c"}), (("a", 2), {"note": None})]
    wrong = [((), {}), (("a", 1, [], "n", "extra"), {}), (("a",), {"name": "twice"}), (("a",), {"unknown": 1}),
             ((), {"count": 1}), (("a",), {"cached": 1}), (("a",), {"made": []})]
    plain, rec = _twins(frozen)
    for args, kwargs in calls:
        one, two = plain(*args, **kwargs), rec(*args, **kwargs)
        assert vars(one) == vars(two) and list(vars(one)) == list(vars(two)), (args, kwargs)
    for args, kwargs in wrong:
        with pytest.raises(TypeError):
            plain(*args, **kwargs)
        with pytest.raises(TypeError):
            rec(*args, **kwargs)
        plain, rec = _twins(frozen)  # a wrong call has the record's own __init__ written: start again
    assert rec("a").tags is not rec("a").tags  # each filled instance has its own default
    assert "__init__" in rec.__dict__ and rec.__dict__["__init__"].__code__ is records._first_init(rec, frozen).__code__
