"""The `sindri` console script: runs one command of `app.cli` and ends the process."""

from __future__ import annotations

import gc
import os
import sys


def main() -> None:
    """The console script. Ends the process once the command's output is flushed: Python's own teardown
    (freeing every object, one by one) added ~50 ms to each command and does nothing a user needs."""
    # The commands' ~400 modules make objects that live as long as the process: collecting them while
    # importing took ~15 ms of every command.
    gc.disable()
    try:
        from .app import cli
    finally:
        gc.freeze()
        gc.enable()
    try:
        cli()  # in standalone mode click always ends with SystemExit
        status = 0
    except SystemExit as done:
        status = _exit_status(done.code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (`sindri status | head`): Python's own exit status for it
        status = status or 120
    os._exit(status)


def _exit_status(code: str | int | None) -> int:
    """What the interpreter makes of SystemExit's code: a text is printed and means failure."""
    if isinstance(code, str):
        sys.stderr.write(f"{code}\n")
        return 1
    return code or 0
