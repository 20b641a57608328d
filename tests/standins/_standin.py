"""Shared plumbing for the stand-in executables (flyctl, devpod, kind, k3d, kubectl, e2b, ...).

State lives in JSON files under $SINDRI_STANDIN_STATE (one file per tool), so calls made by separate
processes see each other's effects. Failure injection is by environment variables, read per tool:

  SINDRI_STANDIN_DELAY=0.2          every call sleeps this long first (benchmarks)
  SINDRI_STANDIN_HANG=<subcommand>  a call whose argv starts with this (space-joined) never returns
  SINDRI_STANDIN_GARBAGE=<subcmd>   a call matching this prints non-JSON garbage and exits 0
  SINDRI_STANDIN_FAIL=<subcmd>      a call matching this exits 1 with a generic error on stderr
  SINDRI_STANDIN_ECHO=<subcmd>      a call matching this first prints the variable named by
                                    SINDRI_STANDIN_ECHO_VAR (as is, JSON-escaped, shell-quoted) on
                                    stdout and stderr, as a tool that shows its input would
Each call is also appended to $SINDRI_STANDIN_STATE/<tool>.log (one JSON argv per line), so tests can
assert what was run. `cobra_flags` parses a command line as the Go tools (cobra/pflag) do and refuses
a flag the command does not have with pflag's message, so a misspelled flag fails as it would for real.
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def state_dir() -> Path:
    root = os.environ.get("SINDRI_STANDIN_STATE")
    if not root:
        sys.stderr.write("stand-in: SINDRI_STANDIN_STATE is not set\n")
        sys.exit(97)
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def state(tool: str) -> Iterator[dict[str, Any]]:
    """Load, yield and save the tool's state under an exclusive lock."""
    base = state_dir()
    with open(base / f"{tool}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        file = base / f"{tool}.json"
        data: dict[str, Any] = json.loads(file.read_text()) if file.exists() else {}
        yield data
        file.write_text(json.dumps(data, indent=1))


def _matches(knob: str, argv: list[str]) -> bool:
    wanted = os.environ.get(knob, "")
    joined = " ".join(argv)
    return any(w and joined.startswith(w) for w in wanted.split(","))


def begin(tool: str, argv: list[str]) -> None:
    """Log the call and apply the failure-injection knobs. Call first in every stand-in."""
    with open(state_dir() / f"{tool}.log", "a") as log:
        log.write(json.dumps(argv) + "\n")
    delay = float(os.environ.get("SINDRI_STANDIN_DELAY", "0") or 0)
    if delay:
        time.sleep(delay)
    if _matches("SINDRI_STANDIN_HANG", argv):
        while True:
            time.sleep(3600)
    if _matches("SINDRI_STANDIN_GARBAGE", argv):
        sys.stdout.write("\x1b[31m<html>502 Bad Gateway</html> {not json\n")
        sys.exit(0)
    echoed = os.environ.get("SINDRI_STANDIN_ECHO_VAR", "")
    if echoed and _matches("SINDRI_STANDIN_ECHO", argv):
        value = os.environ.get(echoed, "")
        for stream in (sys.stdout, sys.stderr):
            stream.write(f"{value}\n{json.dumps(value)}\n{shlex.quote(value)}\n")
            stream.flush()
    if _matches("SINDRI_STANDIN_FAIL", argv):
        sys.stderr.write(f"Error: {tool} stand-in was told to fail\n")
        sys.exit(1)


def calls(tool: str) -> list[list[str]]:
    """Every argv the tool was called with (for tests)."""
    log = state_dir() / f"{tool}.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


class UnknownFlag(Exception):
    """A flag the command does not have, or one missing its value; str() is pflag's message."""


def cobra_flags(args: list[str], known: dict[str, bool]) -> tuple[list[str], dict[str, list[str]], list[str]]:
    """(positionals, flags, args after `--`) as pflag splits them. `known` maps each flag the command
    has (`--name`, `-n`) to whether it takes a value; a boolean flag given alone maps to ["true"];
    `-it` is `-i -t`. Raises UnknownFlag with pflag's text for anything else."""
    positional: list[str] = []
    flags: dict[str, list[str]] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            return positional, flags, args[i:]
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if name not in known:
                raise UnknownFlag(f"unknown flag: {name}")
            if known[name] and not eq:
                if i >= len(args):
                    raise UnknownFlag(f"flag needs an argument: {name}")
                value, i = args[i], i + 1
            flags.setdefault(name, []).append(value if eq or known[name] else "true")
        elif arg.startswith("-") and arg != "-":
            shorts = arg[1:]
            while shorts:
                name, shorts = "-" + shorts[0], shorts[1:]
                if name not in known:
                    raise UnknownFlag(f"unknown shorthand flag: {name[1]!r} in {arg}")
                if not known[name]:
                    flags.setdefault(name, []).append("true")
                    continue
                value = shorts.removeprefix("=")
                if not shorts:
                    if i >= len(args):
                        raise UnknownFlag(f"flag needs an argument: {name[1]!r} in {arg}")
                    value, i = args[i], i + 1
                flags.setdefault(name, []).append(value)
                shorts = ""
        else:
            positional.append(arg)
    return positional, flags, []
