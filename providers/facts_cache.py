"""Facts about a tool that hold for some seconds, kept in the user's cache folder so that the next
`sindri` process, or the language server, need not ask the tool again.

Why: `docker info` is the slowest docker call (~50 ms: the Docker CLI runs each of its plugins to list
them), and every `sindri deploy` asked it anew (issue 9 counts the CLI's overhead over a bare `docker
compose up`). Only facts that are not secret are kept, under a key naming everything that decides the
answer, with the time they were read; the file is read without following a link and replaced whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

_asking_now: ContextVar[bool] = ContextVar("asking_now", default=False)


@contextlib.contextmanager
def asking_now() -> Iterator[None]:
    """Within the block (and the tasks it starts), `load` finds nothing: what is checked is asked of
    the tools themselves (`sindri doctor`, the editor's check again after a save)."""
    token = _asking_now.set(True)
    try:
        yield
    finally:
        _asking_now.reset(token)


def cache_folder() -> Path | None:
    """$XDG_CACHE_HOME/sindri (else ~/.cache/sindri); None when no absolute folder is known."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "sindri") if os.path.isabs(base) else None


def load(name: str, key: list[str], ttl: float) -> dict[str, Any] | None:
    """The facts stored under `name` if they are for `key` and younger than `ttl` seconds."""
    folder = cache_folder()
    if folder is None or _asking_now.get():
        return None
    try:
        fd = os.open(folder / f"{name}.json", os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with open(fd, encoding="utf-8") as handle:
            stored = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != key or not isinstance(stored.get("facts"), dict):
        return None
    stamp = stored.get("time")
    fresh = isinstance(stamp, int | float) and 0 <= time.time() - stamp < ttl
    return stored["facts"] if fresh else None


def store(name: str, key: list[str], facts: dict[str, Any]) -> None:
    """Keep `facts` under `name` for `key`; a folder that cannot be written keeps nothing."""
    folder = cache_folder()
    if folder is not None:
        text = json.dumps({"key": key, "time": time.time(), "facts": facts})
        with contextlib.suppress(OSError):
            write_private(folder / f"{name}.json", text.encode())


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner reads, whole: into a new file (never through a link), renamed over
    the old one, so a reader never sees half of it. Raises OSError."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        with open(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def forget(name: str) -> None:
    """Drop what is stored under `name` (the tool's answer changed)."""
    folder = cache_folder()
    if folder is not None:
        with contextlib.suppress(OSError):
            os.unlink(folder / f"{name}.json")
