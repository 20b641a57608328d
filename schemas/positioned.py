"""YAML with positions: parse text into nodes that know the exact range of every key and value.

PyYAML's composer recurses once per nesting level, expands nothing but lets a later key silently
replace an earlier one, and its constructor expands aliases into Python objects without limit. So this
module composes nodes itself from the (C, where available) parser's event stream: iteratively, with a
nesting limit, an alias-expansion budget checked before any Python value is built, duplicate keys
recorded, and only the first document kept. It never raises: every problem becomes a finding.

Plain scalars are resolved by YAML 1.2 (`resolve_plain`), as upstream's serde_yaml reads them, not by
PyYAML's YAML 1.1 resolver; where 1.1 would read one differently, the node is noted (`yaml11`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import yaml

from . import syntax_errors
from .findings import Finding, Fix, Position, Range, TextEdit, make

try:
    _Loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_BYTES = 2 * 1024 * 1024
"""Larger files are refused up front: no sindri.yaml is near this size, and the editor must stay fast."""
MAX_DEPTH = 64
"""sindri.yaml nests six levels deep; anything near this is hostile or broken."""
MAX_ALIAS_EXPANSION = 10_000
"""Nodes that aliases may add when expanded (billion-laughs guard)."""
MAX_ALIAS_TEXT = 1_000_000
"""Characters of keys and scalars that aliases may add when expanded: one large scalar aliased a few
thousand times stays under the node budget, yet every consumer of the tree (the outline, validation)
would see hundreds of megabytes of text."""

_UNSET: Any = object()
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_YAML_ONLY_BREAK = re.compile("[\x85\u2028\u2029]")
"""Line breaks to YAML (1.1, as libyaml reads it) that are not line breaks to an editor (LSP)."""
_RESOLVER_11: Any = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_KEEP_AS_TEXT = {
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:value",
    "tag:yaml.org,2002:merge",
}

# YAML 1.2 core schema, as upstream's serde_yaml reads plain scalars (yaml-language-server reads 1.2 too).
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_OCT = re.compile(r"0o[0-7]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {
    ".inf": float("inf"),
    ".Inf": float("inf"),
    ".INF": float("inf"),
    "+.inf": float("inf"),
    "+.Inf": float("inf"),
    "+.INF": float("inf"),
    "-.inf": float("-inf"),
    "-.Inf": float("-inf"),
    "-.INF": float("-inf"),
    ".nan": float("nan"),
    ".NaN": float("nan"),
    ".NAN": float("nan"),
}
_NUMBER_START = frozenset("0123456789+-.")


def resolve_plain(text: str) -> Any:
    """The value of a plain scalar by the YAML 1.2 core schema, as upstream (serde_yaml) reads it.

    Only `true`/`false` are booleans and only decimal, `0x` and `0o` numbers are integers: `no`, `on`,
    `2222:22`, `1_000` and `=` are text. Digits with a leading zero (`0600`) are text too, as serde_yaml
    reads them.
    """
    if text in _NULLS:
        return None
    boolean = _BOOLS.get(text)
    if boolean is not None:
        return boolean
    if not text or text[0] not in _NUMBER_START:
        return text
    if _INT.fullmatch(text):
        return text if _LEADING_ZERO.fullmatch(text) else int(text)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _FLOAT.fullmatch(text):
        return float(text)
    return _SPECIAL_FLOATS.get(text, text)


_YAML11_BOOLS = frozenset({"yes", "no", "on", "off", "y", "n"})
_YAML11_CANDIDATE_START = frozenset("0123456789+-.=<~nNoOyY")


@dataclass(frozen=True)
class Yaml11Reading:
    """How a YAML 1.1 reader reads a plain scalar that YAML 1.2 reads differently."""

    value: Any
    kind: str
    """Words for the 1.1 reading, e.g. "the boolean false", "the number 133342", "a date"."""


def yaml11_reading(text: str, value12: Any) -> Yaml11Reading | None:
    """The YAML 1.1 reading of a plain scalar when it differs from the 1.2 one `value12`, else None.

    1.1 has booleans yes/no/on/off/y/n (in any case, as some 1.1 tools read them), sexagesimal
    numbers (`2222:22`), octals with a leading zero, `_` in numbers, dates and the `=` value key.
    """
    if not text or text[0] not in _YAML11_CANDIDATE_START:
        return None
    lowered = text.lower()
    if lowered in _YAML11_BOOLS:
        flag = lowered in ("yes", "on", "y")
        return Yaml11Reading(flag, f"the boolean {'true' if flag else 'false'}")
    tag = _RESOLVER_11.resolve(yaml.ScalarNode, text, (True, False))
    if tag in _SCALAR_TAGS:
        try:
            value = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, text))
        except (ValueError, yaml.YAMLError):
            return None
    elif tag == "tag:yaml.org,2002:timestamp":
        return Yaml11Reading(text, "a date")
    elif tag == "tag:yaml.org,2002:value":
        return Yaml11Reading(text, "the special value key '='")
    else:
        value = text
    if type(value) is type(value12) and (value == value12 or (value != value and value12 != value12)):
        return None
    return Yaml11Reading(value, _describe(value))


def _describe(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"the text '{value}'"


class Node:
    """A YAML node; positions are kept as ints and turned into a Range on demand (parsing stays cheap)."""

    __slots__ = ("chars", "ec", "el", "sc", "size", "sl")

    def __init__(self, sl: int, sc: int, el: int, ec: int) -> None:
        self.sl, self.sc, self.el, self.ec = sl, sc, el, ec
        self.size = 1
        """Nodes in this subtree with aliases expanded (the budget's unit)."""
        self.chars = 0
        """Characters of the keys and scalars in this subtree with aliases expanded (the text budget)."""

    @property
    def range(self) -> Range:
        return Range(Position(self.sl, self.sc), Position(self.el, self.ec))


class ScalarNode(Node):
    __slots__ = ("plain", "text", "value")

    def __init__(self, sl: int, sc: int, el: int, ec: int, value: Any, text: str, plain: bool) -> None:
        super().__init__(sl, sc, el, ec)
        self.value = value
        self.text = text
        self.chars = len(text)
        self.plain = plain
        """Written without quotes or block indicator, so its type came from the YAML resolver."""


class AliasNode(Node):
    __slots__ = ("target",)

    def __init__(self, sl: int, sc: int, el: int, ec: int, target: Node) -> None:
        super().__init__(sl, sc, el, ec)
        self.target = target
        self.size = target.size
        self.chars = target.chars


class Entry:
    __slots__ = ("key", "value")

    def __init__(self, key: ScalarNode, value: Node) -> None:
        self.key = key
        self.value = value


class MappingNode(Node):
    __slots__ = ("entries", "flow", "index", "merges")

    def __init__(self, sl: int, sc: int, el: int, ec: int, flow: bool) -> None:
        super().__init__(sl, sc, el, ec)
        self.entries: list[Entry] = []
        self.index: dict[str, Entry] = {}
        """First entry of each key (later duplicates are reported and ignored)."""
        self.merges: list[Node] = []
        self.flow = flow


class SequenceNode(Node):
    __slots__ = ("flow", "items")

    def __init__(self, sl: int, sc: int, el: int, ec: int, flow: bool) -> None:
        super().__init__(sl, sc, el, ec)
        self.items: list[Node] = []
        self.flow = flow


def deref(node: Node | None) -> Node | None:
    while isinstance(node, AliasNode):
        node = node.target
    return node


@dataclass
class PositionedDocument:
    """The first YAML document of a text, with positions, and the problems found reading it."""

    text: str
    held_lines: list[str] | None
    """The text's lines (read them as `lines`: released ones are split again from the text)."""
    tree: Node | None
    """The root node (read it as `root`: a released tree is read again from the text)."""
    findings: list[Finding]
    bom: bool = False
    yaml11: list[tuple[ScalarNode, Yaml11Reading]] = field(default_factory=list)
    """Plain scalars that a YAML 1.1 reader reads differently, with that reading (rule SY111)."""
    _data: Any = field(default=None, repr=False, compare=False)
    _released: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._data = _UNSET

    @property
    def lines(self) -> list[str]:
        if self.held_lines is None:
            self.held_lines = split_lines(self.text[1:] if self.bom else self.text)
        return self.held_lines

    @property
    def root(self) -> Node | None:
        if self._released:
            self.tree, self._released = parse(self.text).tree, False
        return self.tree

    def release(self) -> None:
        """Drop the node tree, the lines and the plain data, most of a document's memory (a few
        megabytes for 5,000 lines); `root` and `lines` read them again from the text when next asked
        for. The language server does this for open documents it has not validated lately. Findings
        are kept."""
        if self.tree is not None:
            self.tree, self._released = None, True
        self.held_lines, self.yaml11, self._data = None, [], _UNSET

    @property
    def newline(self) -> str:
        """The text's line break (its first one), for fixes that add lines: CRLF files stay CRLF."""
        match = _LINE_BREAK.search(self.text)
        return match.group() if match else "\n"

    def node_at(self, path: tuple[str | int, ...]) -> Node | None:
        node = deref(self.root)
        for part in path:
            if isinstance(node, MappingNode) and isinstance(part, str):
                entry = _lookup(node, part)
                node = deref(entry.value) if entry else None
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.items):
                node = deref(node.items[part])
            else:
                return None
        return node

    def entry_at(self, path: tuple[str | int, ...]) -> Entry | None:
        """The mapping entry whose key is the path's last part (None for sequence items, the root)."""
        if not path or not isinstance(path[-1], str):
            return None
        parent = self.node_at(path[:-1])
        return _lookup(parent, path[-1]) if isinstance(parent, MappingNode) else None

    def value_range(self, path: tuple[str | int, ...]) -> Range:
        """Range of the value at path, else of the nearest ancestor that exists."""
        for n in range(len(path), -1, -1):
            entry = self.entry_at(path[:n])
            if entry is not None:
                return entry.value.range
            node = self.node_at(path[:n])
            if node is not None and n:
                return node.range
        return self.start_range()

    def key_range(self, path: tuple[str | int, ...]) -> Range:
        """Range of the key naming path (sequence items: the item), else of the nearest ancestor."""
        for n in range(len(path), 0, -1):
            entry = self.entry_at(path[:n])
            if entry is not None:
                return entry.key.range
            node = self.node_at(path[:n])
            if node is not None:
                return _first_line(node.range, self.lines)
        return self.start_range()

    def start_range(self) -> Range:
        """Where document-wide findings go: the first line with content (or 0:0)."""
        root = deref(self.root)
        if root is None:
            return Range.of(0, 0, 0, 0)
        start = root.range.start
        return Range(start, Position(start.line, len(self.line(start.line))))

    def line(self, n: int) -> str:
        return self.lines[n] if 0 <= n < len(self.lines) else ""

    def to_python(self) -> Any:
        """Plain Python data of the document (aliases expanded within the budget already checked).

        Computed once and shared: callers must not modify it."""
        if self._data is _UNSET:
            self._data = _to_python(self.root)
        return self._data


def _first_line(r: Range, lines: list[str]) -> Range:
    if r.end.line == r.start.line:
        return r
    end = len(lines[r.start.line]) if r.start.line < len(lines) else r.start.character
    return Range(r.start, Position(r.start.line, max(end, r.start.character)))


def _lookup(node: MappingNode, key: str) -> Entry | None:
    entry = node.index.get(key)
    if entry is not None:
        return entry
    for merged in node.merges:
        target = deref(merged)
        if isinstance(target, MappingNode):
            found = _lookup(target, key)
            if found is not None:
                return found
    return None


def _to_python(node: Node | None) -> Any:
    while type(node) is AliasNode:
        node = node.target
    kind = type(node)
    if kind is ScalarNode:
        return node.value  # type: ignore[union-attr]
    if kind is SequenceNode:
        return [_to_python(item) for item in node.items]  # type: ignore[union-attr]
    if kind is not MappingNode:
        return None
    assert isinstance(node, MappingNode)
    out: dict[str, Any] = {}
    index = node.index
    for entry in node.entries:
        key = entry.key.text
        if index[key] is entry:
            out[key] = _to_python(entry.value)
    for merged in node.merges:  # `<<: *base` fills in keys the mapping does not set itself
        target = deref(merged)
        for src in target.items if isinstance(target, SequenceNode) else [merged]:
            value = _to_python(src)
            if isinstance(value, dict):
                for k, v in value.items():
                    out.setdefault(k, v)
    return out


def split_lines(text: str) -> list[str]:
    return _LINE_BREAK.split(text)


def decode(data: bytes) -> tuple[str, Finding | None]:
    """Bytes to text (UTF-8, or UTF-16 with a BOM); the first bad byte becomes a positioned finding."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        bad = exc.start
        line = data.count(b"\n", 0, bad)
        line_start = data.rfind(b"\n", 0, bad) + 1
        col = len(data[line_start:bad].decode("utf-8", "replace"))
        if line == 0 and data.startswith(b"\xef\xbb\xbf"):
            col -= 1
        text = data.decode("utf-8-sig", "replace")
        byte = data[bad : bad + 1].hex()
        finding = make(
            "SY106",
            f"the file is not valid UTF-8: byte 0x{byte} at line {line + 1}, column {col + 1}; "
            "save it as UTF-8",
            Range.of(line, col, line, col + 1),
            (),
            data={"offset": bad},
        )
        return text, finding


class _Lines:
    """A text's lines as LSP counts them, and the (line, column) of a parser mark in them.

    YAML also breaks lines at NEL, U+2028 and U+2029, so the parser's own line and column numbers
    drift from the editor's after one; its character index does not, so positions come from it.
    """

    def __init__(self, text: str, shift: int) -> None:
        self.text = text
        self.lines = split_lines(text)
        self.shift = shift  # a BOM kept in the caller's text is one code point on line 0
        self.parser_agrees = _YAML_ONLY_BREAK.search(text) is None
        """Without those breaks the parser's own numbers are right, and cheaper to read."""

    @cached_property
    def starts(self) -> list[int]:
        """The offset where each line begins."""
        return [0, *(m.end() for m in _LINE_BREAK.finditer(self.text))]

    def at(self, index: int) -> tuple[int, int]:
        """Line and column of a code point offset into the text."""
        index = min(max(index, 0), len(self.text))
        line = bisect_right(self.starts, index) - 1
        column = index - self.starts[line]
        return line, column + self.shift if line == 0 else column

    def mark(self, mark: Any) -> tuple[int, int]:
        if self.parser_agrees:
            return mark.line, mark.column + self.shift if mark.line == 0 else mark.column
        return self.at(mark.index)


class _Stop(Exception):
    """Composition cannot go on (a finding has been recorded)."""


class _Composer:
    def __init__(self, text: str, lines: _Lines) -> None:
        self.text = text
        self.lines = lines
        self.findings: list[Finding] = []
        self.anchors: dict[str, Node] = {}
        self.open: set[int] = set()
        self.expanded = 0
        self.yaml11: list[tuple[ScalarNode, Yaml11Reading]] = []
        self.expanded_chars = 0

    def span(self, event: Any) -> tuple[int, int, int, int]:
        return (*self.lines.mark(event.start_mark), *self.lines.mark(event.end_mark))

    def compose(self) -> Node | None:
        """Compose the first document; stop at the second one."""
        root: Node | None = None
        documents = 0
        # Open collections, each with the key waiting for its value (mappings).
        stack: list[MappingNode | SequenceNode] = []
        keys: list[Node | None] = []
        events: Iterator[Any] = yaml.parse(self.text, Loader=_Loader)
        for event in events:
            kind = type(event)
            node: Node
            if kind is yaml.ScalarEvent:
                node = self._scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = node
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                node = stack.pop()
                keys.pop()
                self.open.discard(id(node))
                node.el, node.ec = self.lines.mark(event.end_mark)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                span = self.span(event)
                if len(stack) >= MAX_DEPTH:
                    self._fail(
                        "SY109",
                        f"nesting deeper than {MAX_DEPTH} levels; the file was not read further",
                        span,
                    )
                flow = bool(event.flow_style)
                coll = (
                    MappingNode(*span, flow) if kind is yaml.MappingStartEvent else SequenceNode(*span, flow)
                )
                if event.anchor:
                    self.anchors[event.anchor] = coll
                self.open.add(id(coll))
                stack.append(coll)
                keys.append(None)
                continue
            elif kind is yaml.AliasEvent:
                node = self._alias(event)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self._second_document(event)
                    break
                continue
            else:  # stream start/end, document end
                continue
            if not stack:
                root = node
                continue
            parent = stack[-1]
            parent.size += node.size
            parent.chars += node.chars
            if type(parent) is SequenceNode:
                parent.items.append(node)
            elif keys[-1] is None:
                keys[-1] = node
            else:
                key = keys[-1]
                keys[-1] = None
                assert key is not None and isinstance(parent, MappingNode)
                self._entry(parent, key, node)
        return root

    def _alias(self, event: Any) -> Node:
        span = self.span(event)
        target = self.anchors.get(event.anchor)
        if target is None:
            self._fail("SY101", f"unknown alias *{event.anchor}: no anchor &{event.anchor} before it", span)
        assert target is not None
        if id(target) in self.open:
            self._fail("SY110", f"alias *{event.anchor} refers to a node that contains it", span)
        self.expanded += target.size
        if self.expanded > MAX_ALIAS_EXPANSION:
            self._fail(
                "SY108",
                f"aliases expand to more than {MAX_ALIAS_EXPANSION} nodes (a 'billion laughs' document?); "
                "the file was not read further",
                span,
            )
        self.expanded_chars += target.chars
        if self.expanded_chars > MAX_ALIAS_TEXT:
            self._fail(
                "SY108",
                f"aliases expand to more than {MAX_ALIAS_TEXT:,} characters of text; the file was not read "
                "further",
                span,
            )
        return AliasNode(*span, target)

    def _second_document(self, event: Any) -> None:
        sl, sc, el, ec = self.span(event)
        if (sl, sc) == (el, ec):
            lines = self.lines.lines
            ec = max(len(lines[sl]) if sl < len(lines) else 0, sc)
        self.findings.append(
            make(
                "SY103",
                "only the first YAML document is the configuration; this document and any after it "
                "are ignored",
                Range.of(sl, sc, el, ec),
                (),
            )
        )

    def _scalar(self, event: Any) -> ScalarNode:
        text: str = event.value
        tag = event.tag
        span = self.span(event)
        if tag is None and event.implicit[0]:
            value: Any = resolve_plain(text)
            node = ScalarNode(*span, value, text, True)
            reading = yaml11_reading(text, value)
            if reading is not None:
                self.yaml11.append((node, reading))
            return node
        if tag is None or tag == "!":
            tag = _STR
        value = text
        if tag in _SCALAR_TAGS:
            try:
                value = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, text))
            except (ValueError, yaml.YAMLError):
                value = text
        elif tag != _STR and tag not in _KEEP_AS_TEXT:
            self.findings.append(
                make("SY101", f"unknown tag {tag}: the value is read as text", Range.of(*span), ())
            )
        return ScalarNode(*span, value, text, not event.style)

    def _entry(self, parent: MappingNode, key: Node, value: Node) -> None:
        if not isinstance(key, ScalarNode):
            self.findings.append(
                make("SY105", "keys must be plain text; this complex key is ignored", key.range, ())
            )
            return
        if key.plain and key.text == "<<":
            parent.merges.append(value)
            return
        entry = Entry(key, value)
        parent.entries.append(entry)
        first = parent.index.get(key.text)
        if first is None:
            parent.index[key.text] = entry
        else:
            self.findings.append(self._duplicate(parent, entry, first))

    def _duplicate(self, parent: MappingNode, dup: Entry, first: Entry) -> Finding:
        lines = self.lines.lines
        if parent.flow:
            i = parent.entries.index(dup)
            prev_end = parent.entries[i - 1].value.range.end
            remove = Range(prev_end, dup.value.range.end)
        else:
            start = Position(dup.key.sl, 0)
            end_line = dup.value.el if dup.value.ec == 0 and dup.value.el > start.line else dup.value.el + 1
            if end_line >= len(lines):  # last line of the file: remove the line break before it
                prev = max(start.line - 1, 0)
                start = Position(prev, len(lines[prev])) if start.line > 0 else start
                remove = Range(start, Position(len(lines) - 1, len(lines[-1])))
            else:
                remove = Range(start, Position(end_line, 0))
        return make(
            "SY104",
            f"duplicate key '{dup.key.text}': it is already set on line {first.key.sl + 1}; "
            "the first value is used",
            dup.key.range,
            (),
            fixes=(Fix(f"Remove the duplicate '{dup.key.text}'", (TextEdit(remove, ""),), preferred=True),),
            related=((first.key.range, f"first '{dup.key.text}' here"),),
            data={"key": dup.key.text},
        )

    def _fail(self, code: str, message: str, span: tuple[int, int, int, int]) -> None:
        self.findings.append(make(code, message, Range.of(*span), ()))
        raise _Stop


def parse(text: str | bytes) -> PositionedDocument:
    """Read the first YAML document of `text`; never raises."""
    findings: list[Finding] = []
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            return _too_large(len(text))
        text, problem = decode(text)
        if problem is not None:
            return PositionedDocument(text, split_lines(text), None, [problem])
        shift = 0
        bom = False
    else:
        if len(text) > MAX_BYTES:
            return _too_large(len(text.encode("utf-8", "surrogatepass")))
        bom = text.startswith("\ufeff")
        shift = 1 if bom else 0
        text = text[1:] if bom else text
    lines = _Lines(text, shift)
    composer = _Composer(text, lines)
    root: Node | None = None
    try:
        root = composer.compose()
    except _Stop:
        root = None
    except yaml.MarkedYAMLError as exc:
        findings.append(_syntax_finding(exc, lines))
        root = None
    except yaml.reader.ReaderError as exc:
        findings.append(_reader_finding(exc, lines))
        root = None
    except (yaml.YAMLError, RecursionError, MemoryError, ValueError) as exc:
        findings.append(make("SY101", f"the file could not be read as YAML: {exc}", Range.of(0, 0, 0, 0), ()))
        root = None
    findings = composer.findings + findings
    return PositionedDocument(
        text if not bom else "\ufeff" + text, lines.lines, root, findings, bom, composer.yaml11
    )


def _reader_finding(exc: yaml.reader.ReaderError, lines: _Lines) -> Finding:
    """A character YAML does not allow (control characters, ...); `position` counts code points."""
    line, col = lines.at(exc.position)
    char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
    return make("SY101", f"{exc.reason} ({char})", Range.of(line, col, line, col + 1), ())


def _too_large(size: int) -> PositionedDocument:
    message = (
        f"the file is {size / 1024 / 1024:.1f} MB; configurations over {MAX_BYTES // 1024 // 1024} MB are "
        "not read"
    )
    return PositionedDocument("", [""], None, [make("SY107", message, Range.of(0, 0, 0, 0), ())])


def _syntax_finding(exc: yaml.MarkedYAMLError, positions: _Lines) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    lines = positions.lines
    line, col = positions.mark(mark) if mark is not None else (0, 0)
    col_shift = positions.shift if line == 0 else 0
    col -= col_shift  # a column into the line's text; ranges add the shift back
    line_text = lines[line] if line < len(lines) else ""
    problem = (exc.problem or "").strip()
    indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
    if "\t" in indent or "tab" in problem:
        tab_line = line
        if "\t" not in indent:  # the parser may report the tab on the line before
            for n in _scan_back(lines, line):
                if "\t" in lines[n][: len(lines[n]) - len(lines[n].lstrip(" \t"))]:
                    tab_line = n
                    break
        text_line = lines[tab_line] if tab_line < len(lines) else ""
        lead = text_line[: len(text_line) - len(text_line.lstrip(" \t"))]
        if "\t" in lead:
            r = Range.of(tab_line, 0, tab_line, len(lead))
            fix = Fix(
                "Replace the tabs with spaces",
                (TextEdit(r, lead.replace("\t", "  ")),),
            )
            return make(
                "SY102",
                "a tab is used for indentation; YAML indentation must use spaces",
                Range.of(tab_line, lead.index("\t"), tab_line, len(lead)),
                (),
                fixes=(fix,),
            )
    if "maximum nesting depth" in problem:
        r = Range.of(line, col + col_shift, line, col + col_shift + 1)
        return make("SY109", "nesting deeper than the parser allows; the file was not read further", r, ())
    return syntax_errors.explain(exc, lines, positions.mark, positions.shift)


def _scan_back(lines: list[str], line: int) -> Iterator[int]:
    yield from range(min(line, len(lines) - 1), max(line - 3, -1), -1)
