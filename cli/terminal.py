"""Everything the CLI prints goes through `echo`, which shows control characters as escapes.

Why: sindri.yaml, .env and tool output may come from anyone. An escape sequence inside a YAML value
would otherwise reach the terminal raw through a finding's message (`sindri validate`), and could
recolour, retitle, hide or rewrite what the user reads; bidirectional overrides could reorder it.
"""

from __future__ import annotations

import re

import click

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 controls but tab and newline, DEL, C1 controls, and the bidirectional marks and overrides."""


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control character shown as `\\xNN` (or `\\uNNNN`), newlines and tabs kept."""
    return _UNSAFE.sub(_escape, text)


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    click.echo(printable(text), err=err, nl=nl)
