"""Everything the CLI prints goes through `echo`, which shows control characters as escapes.

Why: sindri.yaml, .env and tool output may come from anyone. An escape sequence inside a YAML value
would otherwise reach the terminal raw through a finding's message (`sindri validate`), and could
recolour, retitle, hide or rewrite what the user reads; bidirectional overrides could reorder it.
"""

from __future__ import annotations

import re
import select
import signal
import sys
from types import FrameType

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


def confirm(question: str) -> bool:
    """Ask a yes/no question on the terminal (default no). Ctrl-C raises KeyboardInterrupt once; any
    later Ctrl-C is ignored, so a second press cannot cut the caller's exit short.

    Not `click.confirm`: its `input()` blocks in a read that a SIGINT arriving just before it never
    interrupts, so Ctrl-C at the prompt was sometimes lost (the test saw it hang). Waiting in short
    `select` steps returns to Python between them, where a pending Ctrl-C is raised. End of input is
    a no.
    """
    interrupted = False

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        nonlocal interrupted
        if not interrupted:
            interrupted = True
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        echo(f"{question} [y/N]: ", nl=False)
        while not select.select([sys.stdin], [], [], 0.2)[0]:
            pass
        return sys.stdin.readline().strip().lower() in ("y", "yes")
    finally:
        if not interrupted:
            signal.signal(signal.SIGINT, previous)
