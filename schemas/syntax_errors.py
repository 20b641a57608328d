"""YAML syntax errors in our own words, at the token that is wrong.

PyYAML reports where its parser gave up, which is often the line after the fault (an unclosed quote is
found at the end of the file, a key without `:` on the next line), in its own terms ("did not find
expected key") and with 1-based positions inside the text. Here each kind of error is pointed at the
token to change, said as expected/found in plain words, and where the construct started is given as
related information (a range), never as positions in the message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from .findings import Finding, Range, make

Span = tuple[int, int, int, int]


@dataclass(frozen=True)
class SyntaxProblem:
    """What the parser reported, with both marks as editor (line, column) positions."""

    problem: str
    context: str
    at: tuple[int, int]
    started: tuple[int, int] | None
    lines: list[str]

    def line(self, n: int) -> str:
        return self.lines[n] if 0 <= n < len(self.lines) else ""

    def token(self, where: tuple[int, int]) -> Span:
        """The range of the token starting at `where` (up to a space, `:` or `,`, else one character)."""
        line, col = where
        text = self.line(line)
        end = col
        while end < len(text) and text[end] not in " \t,:]}":
            end += 1
        return line, col, line, max(end, min(col + 1, len(text)) if col < len(text) else col)

    def rest_of_line(self, where: tuple[int, int]) -> Span:
        line, col = where
        return line, col, line, max(len(self.line(line).rstrip()), col)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _previous_content_line(p: SyntaxProblem, line: int) -> int | None:
    for n in range(line - 1, -1, -1):
        stripped = p.line(n).strip()
        if stripped and not stripped.startswith("#"):
            return n
    return None


def _key_of(text: str) -> str:
    return text.strip().removeprefix("- ").split(":", 1)[0].strip()


Explained = tuple[str, Span, tuple[tuple[Span, str], ...]]


def _unclosed_quote(p: SyntaxProblem) -> Explained | None:
    unclosed = "end of stream" in p.problem or "document separator" in p.problem
    if "quoted scalar" not in p.context or p.started is None or not unclosed:
        return None
    quote = p.line(p.started[0])[p.started[1] : p.started[1] + 1] or '"'
    message = f"unclosed quote: the {quote} that starts this value is never closed; add the closing {quote}"
    return message, p.rest_of_line(p.started), ()


def _unknown_escape(p: SyntaxProblem) -> Explained | None:
    if "unknown escape" not in p.problem:
        return None
    line, col = p.at
    escape = p.line(line)[col : col + 2]
    message = (
        f"unknown escape '{escape}' in a double-quoted value: write '\\\\' for a backslash, or use single "
        "quotes, where a backslash is just a backslash"
    )
    return message, (line, col, line, col + 2), ()


def _colon_in_value(p: SyntaxProblem) -> Explained | None:
    """`mapping values are not allowed here`: a key more indented than its sibling, or `: ` in a value."""
    if "mapping values are not allowed" not in p.problem:
        return None
    line, col = p.at
    text = p.line(line)
    before = text[:col]
    prev = _previous_content_line(p, line)
    if before.strip() and ":" not in before.strip().removeprefix("- ") and prev is not None:
        indent, prev_indent = _indent(text), _indent(p.line(prev))
        if indent > prev_indent:
            key = before.strip()
            message = (
                f"bad indentation: '{key}' is indented more than '{_key_of(p.line(prev))}' on the line "
                f"above, so it reads as part of that value; indent it by {prev_indent} spaces to make it "
                "a sibling key, or put it under a key that ends with ':'"
            )
            return message, (line, indent, line, indent + len(key)), ()
    message = (
        "': ' inside a plain value: YAML reads it as a second key; put the whole value in quotes "
        '(key: "a: b")'
    )
    return message, (line, col, line, col + 1), ()


def _expected_key(p: SyntaxProblem) -> Explained | None:
    """`did not find expected key` in a block mapping: a list item, or a line at no mapping's indent."""
    if "expected key" not in p.problem or "block mapping" not in p.context:
        return None
    line, col = p.at
    text = p.line(line)
    related: tuple[tuple[Span, str], ...] = ()
    if p.started is not None:
        related = ((p.token(p.started), "the mapping starts here"),)
    if text[col : col + 1] == "-":
        message = (
            "a list item where a key was expected: the lines above are keys of a mapping at this "
            "indentation; make the list the value of a key (for example `active:` with the items below "
            "it), or remove '- '"
        )
        return message, p.rest_of_line((line, col)), related
    first = p.started[0] if p.started is not None else 0
    above = sorted({_indent(p.line(n)) for n in range(first, line) if ":" in p.line(n) and p.line(n).strip()})
    shown = " or ".join(str(n) for n in above) or "0"
    message = (
        f"bad indentation: '{_key_of(text)}' is indented by {_indent(text)} spaces, which lines up with no "
        f"key above it (those are indented by {shown}); indent it like the keys it belongs with"
    )
    return message, p.token((line, col)), related


def _expected_item(p: SyntaxProblem) -> Explained | None:
    """`did not find expected '-' indicator`: a key where a list item was expected."""
    if "expected '-' indicator" not in p.problem:
        return None
    related = ((p.token(p.started), "the list starts here"),) if p.started is not None else ()
    message = (
        f"a mapping key where a list item was expected: '{_key_of(p.line(p.at[0]))}' is inside a list whose "
        "items start with '- '; start it with '- ', or indent it less to end the list"
    )
    return message, p.token(p.at), related


def _missing_colon(p: SyntaxProblem) -> Explained | None:
    if "expected ':'" not in p.problem or p.started is None:
        return None
    key = p.line(p.started[0])[p.started[1] :].strip()
    message = f"'{key}' has no ':' after it: write it as `{key}: VALUE`, or remove the line"
    return message, p.rest_of_line(p.started), ()


def _flow(p: SyntaxProblem) -> Explained | None:
    if "flow sequence" not in p.context and "flow mapping" not in p.context:
        return None
    opener, closer, kind = ("[", "]", "list") if "sequence" in p.context else ("{", "}", "mapping")
    if p.started is not None and p.at[0] > p.started[0]:
        message = f"unclosed '{opener}': the {kind} that starts here is never closed; add '{closer}'"
        start = p.started
        return message, (start[0], start[1], start[0], start[1] + 1), ()
    found = p.line(p.at[0])[p.at[1] : p.at[1] + 1] or "the end of the line"
    message = f"expected ',' or '{closer}' in the {kind}, found '{found}'"
    related = ((p.token(p.started), f"the {kind} starts here"),) if p.started is not None else ()
    return message, (p.at[0], p.at[1], p.at[0], p.at[1] + 1), related


def _bad_start(p: SyntaxProblem) -> Explained | None:
    if "cannot start any token" not in p.problem:
        return None
    char = p.line(p.at[0])[p.at[1] : p.at[1] + 1]
    message = f"'{char}' cannot start a plain value (YAML reserves it); put the value in quotes"
    return message, (p.at[0], p.at[1], p.at[0], p.at[1] + 1), ()


def _anchor(p: SyntaxProblem) -> Explained | None:
    if "anchor" not in p.context and "alias" not in p.context:
        return None
    sign = "&" if "anchor" in p.context else "*"
    message = f"'{sign}' needs a name of letters, digits, '-' or '_' right after it (such as {sign}base)"
    start = p.started or p.at
    return message, p.token(start), ()


def _block_scalar(p: SyntaxProblem) -> Explained | None:
    if "block scalar" not in p.context:
        return None
    message = (
        "a block value indicator ('|' or '>', optionally with '-', '+' or a digit) must end its line; "
        "write the text on the lines below it"
    )
    return message, p.rest_of_line(p.started or p.at), ()


def _version_directive(p: SyntaxProblem) -> Explained | None:
    if "incompatible YAML document" not in p.problem:
        return None
    message = "the %YAML directive names a version this reader does not read; remove the %YAML line"
    return message, p.rest_of_line(p.at), ()


_EXPLAINERS: tuple[Callable[[SyntaxProblem], Explained | None], ...] = (
    _unclosed_quote,
    _unknown_escape,
    _colon_in_value,
    _expected_key,
    _expected_item,
    _missing_colon,
    _flow,
    _bad_start,
    _anchor,
    _block_scalar,
    _version_directive,
)


def explain(
    exc: yaml.MarkedYAMLError, lines: list[str], mark: Callable[[Any], tuple[int, int]], shift: int
) -> Finding:
    """The finding of a parser error: our words, the token at fault, where it started as related."""
    at_mark = exc.problem_mark or exc.context_mark
    at = _unshift(mark(at_mark), shift) if at_mark is not None else (0, 0)
    started = _unshift(mark(exc.context_mark), shift) if exc.context_mark is not None else None
    problem = SyntaxProblem((exc.problem or "").strip(), (exc.context or "").strip(), at, started, lines)
    for explainer in _EXPLAINERS:
        explained = explainer(problem)
        if explained is not None:
            message, span, related = explained
            return make(
                "SY101",
                message,
                _shifted(span, shift),
                (),
                related=tuple((_shifted(r, shift), m) for r, m in related),
            )
    message = problem.problem or "the text is not valid YAML here"
    if problem.context:
        message += f" ({problem.context})"
    line, col = at
    end = col + 1 if col < len(problem.line(line)) else col
    started_here = ((_shifted(problem.token(started), shift), "started here"),) if started else ()
    return make("SY101", message, _shifted((line, col, line, end), shift), (), related=started_here)


def _unshift(position: tuple[int, int], shift: int) -> tuple[int, int]:
    """Parser marks on line 0 count a BOM the caller kept; the lines here do not have it."""
    line, col = position
    return (line, col - shift) if line == 0 else (line, col)


def _shifted(span: Span, shift: int) -> Range:
    sl, sc, el, ec = span
    return Range.of(sl, sc + shift if sl == 0 else sc, el, ec + shift if el == 0 else ec)
