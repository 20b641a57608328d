"""Where the cursor is in a sindri document, read from indentation alone.

Completion runs while the user types, when the YAML is usually broken, so this does not parse: it
walks up from the cursor line to the lines with less indentation to find the mapping the cursor is in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

_START = r"^\ufeff?(?P<indent>\s*)"
"""A line's indentation; a BOM kept at the start of the first line is not part of it (it is a column)."""
_KEY_LINE = re.compile(_START + r"(?P<dash>-\s+)?(?P<key>[A-Za-z0-9_.-]+)\s*:(?:\s+|$)(?P<value>.*)$")
_ITEM_LINE = re.compile(_START + r"-(?:\s+|$)(?P<value>.*)$")
_TYPING_KEY = re.compile(_START + r"(?P<dash>-\s+)?(?P<word>[A-Za-z0-9_.-]*)$")
_TYPING_VALUE = re.compile(_START + r"(?P<dash>-\s+)?(?P<key>[A-Za-z0-9_.-]+)\s*:\s*(?P<word>[^#]*)$")

Kind = Literal["key", "value", "item"]


@dataclass(frozen=True)
class Cursor:
    """`path` is the mapping (for keys) or the key (for values and list items) at the cursor."""

    kind: Kind
    path: tuple[str | int, ...]
    word: str
    """What is typed so far of the key or value under the cursor."""
    word_start: int
    """Column where `word` starts (the completion replaces from here to the cursor)."""
    siblings: frozenset[str] = field(default_factory=frozenset)
    """Keys already present in the same mapping (not offered again)."""
    indent: int = 0


def _strip_comment(text: str) -> str | None:
    """Text before a comment, or None when the cursor is inside the comment."""
    quote: str | None = None
    for i, ch in enumerate(text):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1].isspace()):
            return None
    return text


def _indent_of(line: str) -> tuple[int, str | None, bool]:
    """(indent of the key, key or None, whether the line is a list item) for a non-blank line."""
    match = _KEY_LINE.match(line)
    if match:
        dash = match.group("dash") or ""
        return len(match.group("indent")) + len(dash), match.group("key"), bool(dash)
    item = _ITEM_LINE.match(line)
    if item:
        return len(item.group("indent")), None, True
    return len(line) - len(line.lstrip()), None, False


def _meaningful(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#") and stripped not in ("---", "...")


def parent_path(lines: list[str], line_no: int, indent: int, item: bool = False) -> tuple[str | int, ...]:
    """Keys (and list indices) of the mappings enclosing a position at `indent` on `line_no`.

    With `item`, `indent` is the column of a list item's dash on `line_no`: the path is the list's.
    """
    path: list[str | int] = []
    current = indent
    after_item = item  # a list's key may sit at the same indent as its items ("indentless" lists)
    for number in range(line_no - 1, -1, -1):
        line = lines[number].rstrip("\r\n")
        if not _meaningful(line):
            continue
        key_indent, key, is_item = _indent_of(line)
        dash_indent = len(line) - len(line.lstrip())
        if is_item and dash_indent < current:
            path.insert(0, _item_index(lines, number, dash_indent))
            current, after_item = dash_indent, True
        elif (
            key is not None
            and not is_item
            and (key_indent < current or (after_item and key_indent == current))
        ):
            path.insert(0, key)
            current, after_item = key_indent, False
            if current == 0:
                break
    return tuple(path)


def siblings(lines: list[str], line_no: int, indent: int, item: bool = False) -> frozenset[str]:
    """Keys at exactly `indent` in the block around `line_no` (stopping at a shallower line).

    With `item`, `line_no` starts a list item: the lines above belong to other items.
    """
    found: set[str] = set()
    for step in (1,) if item else (-1, 1):
        number = line_no + step
        while 0 <= number < len(lines):
            line = lines[number].rstrip("\r\n")
            if _meaningful(line):
                key_indent, key, is_item = _indent_of(line)
                dash_indent = len(line) - len(line.lstrip())
                if step == 1 and is_item and dash_indent < indent:
                    break  # the next item of the enclosing list
                if key is not None and key_indent == indent:
                    found.add(key)
                if (is_item and dash_indent < indent) or (not is_item and key_indent < indent):
                    break
            number += step
    return frozenset(found)


def cursor_at(lines: list[str], line_no: int, character: int) -> Cursor | None:
    """The completion/hover context at a position, or None (inside a comment, past the end...)."""
    if line_no > len(lines):
        return None
    line = lines[line_no].rstrip("\r\n") if line_no < len(lines) else ""  # the line after a final break
    before = _strip_comment(line[:character])
    if before is None:
        return None
    typing_key = _TYPING_KEY.match(before)
    if typing_key:
        indent = len(typing_key.group("indent")) + len(typing_key.group("dash") or "")
        parents = _parents(lines, line_no, typing_key.group("indent"), typing_key.group("dash"))
        word = typing_key.group("word")
        kind: Kind = "item" if typing_key.group("dash") and not word else "key"
        near = siblings(lines, line_no, indent, item=bool(typing_key.group("dash")))
        return Cursor(kind, parents, word, character - len(word), near, indent)
    typing_value = _TYPING_VALUE.match(before)
    if typing_value:
        indent = len(typing_value.group("indent")) + len(typing_value.group("dash") or "")
        parents = _parents(lines, line_no, typing_value.group("indent"), typing_value.group("dash"))
        word = typing_value.group("word").strip().strip("\"'")
        start = character - len(typing_value.group("word").lstrip().lstrip("\"'"))
        return Cursor("value", (*parents, typing_value.group("key")), word, start, indent=indent)
    return None


def _parents(lines: list[str], line_no: int, indent: str, dash: str | None) -> tuple[str | int, ...]:
    """The path of the mapping holding a key typed after `indent` (and a list item's `dash`, if any)."""
    if not dash:
        return parent_path(lines, line_no, len(indent))
    # A key on a `- ` line belongs to a new item of the list whose dash sits at `indent`, not to
    # the item above it.
    list_path = parent_path(lines, line_no, len(indent), item=True)
    return (*list_path, _item_index(lines, line_no, len(indent)))


def _item_index(lines: list[str], line_no: int, dash_indent: int) -> int:
    """Index of the list item starting on `line_no` among the items of its list."""
    index = 0
    for number in range(line_no - 1, -1, -1):
        line = lines[number].rstrip("\r\n")
        if not _meaningful(line):
            continue
        indent = len(line) - len(line.lstrip())
        if indent < dash_indent:
            break
        if indent == dash_indent:
            if not _ITEM_LINE.match(line):
                break  # a key at the dash's column ends an indentless list
            index += 1
    return index


def key_at(lines: list[str], line_no: int, character: int) -> tuple[tuple[str | int, ...], int, int] | None:
    """The full path of the key under the cursor, with the key's start and end columns (for hover)."""
    if line_no >= len(lines):
        return None
    line = lines[line_no].rstrip("\r\n")
    match = _KEY_LINE.match(line)
    if not match or not (match.start("key") <= character <= match.end("key")):
        return None
    parents = _parents(lines, line_no, match.group("indent"), match.group("dash"))
    return (*parents, match.group("key")), match.start("key"), match.end("key")
