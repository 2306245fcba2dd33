"""The one safe YAML loader: every file goes through here, and YAML errors come out with file:line:column.

Mappings come back as `Mapping` (a dict) that remembers the line of each key, so the validators
downstream can point at the exact place of a mistake. A document is refused, with the place, when
its aliases would expand to too many values (a "billion laughs" file is 1 KB on disk and gigabytes
in memory), when it is nested too deeply, or when a number has too many digits; a date that does
not exist (2026-02-30) stays text, for the validators to report in their own words.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import yaml

from expert.errors import Problem
from expert.limits import MAX_NUMBER_DIGITS, MAX_YAML_DEPTH, MAX_YAML_NODES
from expert.messages import t

try:  # libyaml is an order of magnitude faster; the pure loader gives the same results
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader


class Mapping(dict):
    """A dict that knows the file and line of itself and of each of its keys."""

    file: str | None = None
    line: int | None = None
    key_lines: dict

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key, self.line)


class Sequence(list):
    """A list that knows the line of each of its items."""

    file: str | None = None
    line: int | None = None
    item_lines: list


class LimitError(yaml.MarkedYAMLError):
    """A document refused for its size or shape, not for its syntax."""


class _Loader(_BaseLoader):
    file_name: str | None = None

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:  # looks like a date but is none (2026-02-30): the text, for validation to report
            return self.construct_scalar(node)

    def construct_yaml_int(self, node):
        digits = len(node.value.replace("_", "").lstrip("+-"))
        if digits > MAX_NUMBER_DIGITS:  # Python refuses to convert 4,300 digits; nobody means 31
            raise LimitError(None, None, t("yaml.long_number", digits=digits, limit=MAX_NUMBER_DIGITS),
                             node.start_mark)
        return super().construct_yaml_int(node)

    def construct_yaml_map(self, node):
        data = Mapping()
        data.file = self.file_name
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        yield data
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    "found unhashable key", key_node.start_mark)
            if key in data:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    f"found duplicate key {key!r}", key_node.start_mark)
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = key_node.start_mark.line + 1

    def construct_yaml_seq(self, node):
        data = Sequence()
        data.file = self.file_name
        data.line = node.start_mark.line + 1
        data.item_lines = [item.start_mark.line + 1 for item in node.value]
        yield data
        data.extend(self.construct_object(item, deep=True) for item in node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def _measure(root: yaml.Node) -> None:
    """Refuse a node graph that expands to too many values, nests too deeply, or contains itself.

    Sizes are computed once per node (an alias is the same node object again), so a billion-laughs
    document is measured in microseconds without ever being expanded."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            kids = _children(node)
            size[key] = 1 + sum(size[id(kid)] for kid in kids)
            depth[key] = 1 + max((depth[id(kid)] for kid in kids), default=0)
            if size[key] > MAX_YAML_NODES:
                raise LimitError(None, None, t("yaml.too_many_values", limit=MAX_YAML_NODES), node.start_mark)
            if depth[key] > MAX_YAML_DEPTH:
                raise LimitError(None, None, t("yaml.too_deep", limit=MAX_YAML_DEPTH), node.start_mark)
            continue
        if key in size:
            continue
        if key in on_path:
            raise LimitError(None, None, t("yaml.contains_itself"), node.start_mark)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((kid, False) for kid in _children(node))


# `&name` where YAML allows an anchor (after a space or a flow indicator); "Q&A" is not one. A false
# match costs only the time of measuring.
# (This and the patterns of full-width mistakes below are compiled by `re`'s own cache when a text first
# has the character they look for: most files have no `&`, and no `：` or U+3000 where a key is.)
ANCHOR = r"(?:^|[\s\[\]{},])&[^\s\[\]{},]"


def _check_tree(node: yaml.Node, level: int = 1) -> int:
    """Refuse a tree (a document without aliases) nested too deeply; return how many values it has.
    A tenth of a millisecond for the questionnaire, where `_measure` would take forty times as long."""
    if level > MAX_YAML_DEPTH:
        raise LimitError(None, None, t("yaml.too_deep", limit=MAX_YAML_DEPTH), node.start_mark)
    kids = _children(node)
    count = 1 + len(kids)
    for kid in kids:
        if not isinstance(kid, yaml.ScalarNode):
            count += _check_tree(kid, level + 1) - 1
    return count


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []


class CharacterError(yaml.MarkedYAMLError):
    """A character YAML cannot take where it stands, named with its place: a tab in the indentation, or a
    full-width character typed through a Chinese input method where YAML needs its ASCII twin."""


# PyYAML's words for what is wrong, and what they mean in the current language (compiled, by `re`'s own
# cache, only when a file has a mistake)
_YAML_PROBLEMS = [
    (r"mapping values are not allowed (here|in this context)", "yaml.mapping_not_allowed"),
    (r"could not find expected ':'", "yaml.no_colon"),
    (r"found character '\\t' that cannot start any token|found a tab character.*", "yaml.tab"),
    (r"found character (?P<x>.+) that cannot start any token", "yaml.bad_character"),
    (r"found character that cannot start any token", "yaml.bad_character_here"),
    (r"expected <block end>, but found (?P<x>.+)", "yaml.indentation"),
    (r"expected ',' or '(?P<close>[]}])', but got (?P<x>.+)", "yaml.flow_unclosed"),
    (r"did not find expected ',' or '(?P<close>[]}])'", "yaml.flow_unclosed_here"),
    (r"did not find expected node content", "yaml.no_value"),
    (r"did not find expected key", "yaml.no_key"),
    (r"did not find expected '-' indicator", "yaml.no_dash"),
    (r"did not find expected (?P<x>.+)", "yaml.not_found"),
    (r"found unexpected end of stream", "yaml.unexpected_end"),
    (r"found undefined alias (?P<x>.+)", "yaml.undefined_alias"),
    (r"found duplicate key (?P<x>.+)", "yaml.duplicate_key"),
    (r"found unhashable key", "yaml.unhashable_key"),
    (r"found unknown escape character (?P<x>.+)", "yaml.unknown_escape"),
    (r"could not determine a constructor for the tag (?P<x>.+)", "yaml.unknown_tag"),
    (r"expected a comment or a line break, but found (?P<x>.+)", "yaml.trailing"),
    (r"but found another document", "yaml.two_documents"),
    (r"found unexpected ':'", "yaml.unexpected_colon"),
]
_YAML_CONTEXTS = {
    "while scanning a simple key": "yaml.in_key",
    "while scanning for the next token": "yaml.in_token",
    "while parsing a block mapping": "yaml.in_mapping",
    "while parsing a block collection": "yaml.in_list",
    "while parsing a flow sequence": "yaml.in_flow_list",
    "while parsing a flow mapping": "yaml.in_flow_mapping",
    "while parsing a flow node": "yaml.in_flow_node",
    "while parsing a block node": "yaml.in_block_node",
    "while scanning a quoted scalar": "yaml.in_quoted",
    "while scanning a double-quoted scalar": "yaml.in_quoted",
    "while scanning a single-quoted scalar": "yaml.in_quoted",
    "while constructing a mapping": "yaml.in_mapping",
    "while scanning an alias": "yaml.in_alias",
    "while scanning an anchor": "yaml.in_alias",
    "expected a single document in the stream": "yaml.in_stream",
}


# contexts that begin at a quote or bracket, whose start is worth naming when the error is found lines later
_OPENED = {"yaml.in_quoted", "yaml.in_flow_list", "yaml.in_flow_mapping", "yaml.in_flow_node"}


def _worded(problem: str) -> str:
    for pattern, key in _YAML_PROBLEMS:
        found = re.fullmatch(pattern, problem)
        if found:
            return t(key, **found.groupdict())
    return problem


def yaml_problem(error: yaml.YAMLError, file: str) -> Problem:
    """Turn a PyYAML error into a Problem at file:line:column, in the reader's language."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    what = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    if isinstance(error, (LimitError, CharacterError)):
        message = what
    else:
        opened = _YAML_CONTEXTS.get(context) in _OPENED
        context = t(_YAML_CONTEXTS[context]) if context in _YAML_CONTEXTS else context
        began = getattr(error, "context_mark", None)
        if opened and began is not None and mark is not None and began.line != mark.line:
            # an unclosed quote or bracket is found where the file ends: say where it was opened
            context = t("yaml.context_from", context=context, line=began.line + 1, column=began.column + 1)
        message = t("yaml.syntax", what=_worded(what), context=t("yaml.context", context=context) if context else "")
    if mark is None:
        return Problem(message, file=file)
    return Problem(message, file=file, line=mark.line + 1, column=mark.column + 1)


# A key typed with a full-width colon (`members：300`), or a U+3000 ideographic space in the indentation
# or after a key's colon: what an input method left switched to full width gives. Only at the start of a
# line: in a value, `：` and U+3000 are text like any other.
FULL_WIDTH_KEY = r"[ \t]*(?P<key>[A-Za-z_][A-Za-z0-9_-]*)[ \t\u3000]*(?P<char>：)"
FULL_WIDTH_SPACE = r"(?P<lead>[ \t\u3000]*(- )?[A-Za-z_][A-Za-z0-9_-]*:)?[ \t]*(?P<char>\u3000)"


def _full_width_at(line_text: str, line: int) -> CharacterError | None:
    """The full-width mistake at the start of this line, if it has one."""
    for pattern, needed in ((FULL_WIDTH_KEY, "："), (FULL_WIDTH_SPACE, "\u3000")):
        found = re.match(pattern, line_text) if needed in line_text else None
        if found:
            column = found.start("char")
            char = found.group("char")
            key = "yaml.full_width_space" if char == "\u3000" else "yaml.full_width"
            mark = yaml.Mark("", 0, line, column, None, None)
            return CharacterError(None, None, t(key, line=line + 1, column=column + 1, char=char,
                                                twin=unicodedata.normalize("NFKC", char)), mark)
    return None


def _tab_at(text: str, mark: yaml.Mark | None) -> CharacterError | None:
    """A syntax error at a tab: YAML indents with spaces only, which its own message does not say."""
    if mark is None:
        return None
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    if line[mark.column:mark.column + 1] != "\t":
        return None
    return CharacterError(None, None, t("yaml.tab_at", line=mark.line + 1, column=mark.column + 1), mark)


def _punctuation_at(text: str, mark: yaml.Mark | None) -> CharacterError | None:
    """A syntax error at a full-width punctuation mark an input method typed (`"…"。`, `key: [a，b]`):
    named, with what to type instead, rather than YAML's word for the token it expected."""
    if mark is None:
        return None
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    char = line[mark.column:mark.column + 1]
    if not char or char.isascii() or not unicodedata.category(char).startswith(("P", "Z")):
        return None
    twin = unicodedata.normalize("NFKC", char)
    # the ASCII twin is offered, not prescribed: after a quoted value a "," is as wrong as the "，"
    twin_hint = t("yaml.or_twin", twin=twin) if twin != char and twin.isascii() and twin.strip() else ""
    return CharacterError(None, None, t("yaml.stray_punctuation", line=mark.line + 1, column=mark.column + 1,
                                        char=char, twin=twin_hint), mark)


def _full_width_near(text: str, error: yaml.MarkedYAMLError) -> CharacterError | None:
    """A syntax error caused by a full-width character on its line or the lines it names."""
    lines = text.splitlines()
    marks = [m for m in (error.context_mark, error.problem_mark) if m is not None]
    for number in sorted({n for m in marks for n in (m.line - 1, m.line) if 0 <= n < len(lines)}):
        found = _full_width_at(lines[number], number)
        if found is not None:
            return found
    return None


def _full_width_in(text: str, root: yaml.Node) -> None:
    """Refuse a document that parsed only because a full-width colon made a key and its value one text:
    a plain scalar that starts its line and reads `key：value`."""
    lines = text.splitlines()
    stack = [root]
    seen: set[int] = set()  # an alias is the same node again: each is looked at once
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            mark = node.start_mark
            if not node.style and mark.line < len(lines) and not lines[mark.line][:mark.column].strip():
                found = _full_width_at(lines[mark.line], mark.line)
                if found is not None:
                    raise found
            _full_width_space_in_word(node)
        else:
            if isinstance(node, yaml.MappingNode):
                for key, _ in node.value:
                    _full_width_key(key)
            stack.extend(_children(node))


WORD = r"[A-Za-z0-9_.+-]+"


def _full_width_space_in_word(node: yaml.ScalarNode) -> None:
    """A U+3000 space left before or after one ASCII word (`type: integer　`): it would make the word another
    one, so it is named rather than reported as an unknown value. Inside a condition it is a space."""
    value = node.value
    if node.style or not isinstance(value, str) or value == value.strip("\u3000") or \
            not re.fullmatch(WORD, value.strip("\u3000")):
        return
    mark = node.start_mark
    column = mark.column + value.index("\u3000")
    raise CharacterError(None, None, t("yaml.full_width_space", line=mark.line + 1, column=column + 1),
                         yaml.Mark("", 0, mark.line, column, None, None))


FULL_WIDTH_IN_KEY = r"[A-Za-z_][A-Za-z0-9_-]*[ \t\u3000]*(?P<char>：)"


def _full_width_key(key: yaml.Node) -> None:
    """A key that holds a full-width colon, `{zh："群人数"}` in a flow mapping: the colon was meant to end it."""
    if not isinstance(key, yaml.ScalarNode) or key.style or not isinstance(key.value, str) or "：" not in key.value:
        return
    found = re.match(FULL_WIDTH_IN_KEY, key.value)
    if found is None:
        return
    mark = key.start_mark
    line, column = mark.line, mark.column + found.start("char")
    raise CharacterError(None, None, t("yaml.full_width", line=line + 1, column=column + 1, char="：", twin=":"),
                         yaml.Mark("", 0, line, column, None, None))


def parse_yaml(text: str, file: str) -> Any:
    """Parse YAML text safely; raises yaml.YAMLError (see `yaml_problem`)."""
    loader = _Loader(text)
    loader.file_name = file
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            named = _tab_at(text, error.problem_mark) or (
                (_full_width_near(text, error) or _punctuation_at(text, error.problem_mark))
                if not text.isascii() else None)
            if named is not None:
                raise named from None
            raise
        if node is None:
            return None
        # only anchors make aliases, and only aliases make a document larger than its text
        if "&" in text and re.search(ANCHOR, text, re.MULTILINE):
            _measure(node)
        elif _check_tree(node) > MAX_YAML_NODES:
            raise LimitError(None, None, t("yaml.too_many_plain_values", limit=MAX_YAML_NODES), node.start_mark)
        if "：" in text or "\u3000" in text:  # measured first: the walk is then bounded
            _full_width_in(text, node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


class _Dumper(yaml.SafeDumper):
    """Mappings in block style, one key a line; a list of plain values on one line: `[perks, content]`."""


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flat = all(not isinstance(v, (dict, list)) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flat)


def _represent_dict(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


def dump_yaml(data: Any) -> str:
    """Plain, readable YAML with Chinese kept as it is and keys in the order given."""
    return yaml.dump(_plain(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _plain(data: Any) -> Any:
    if isinstance(data, dict):
        return {_plain(k): _plain(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(v) for v in data]
    if isinstance(data, str):
        return str(data)  # ids are a str subclass the safe dumper does not know
    return data
