"""The code attrs compiles for lsprotocol's classes, kept between server starts as Python keeps .pyc files.

Importing lsprotocol makes attrs write and compile a script of methods for each of its ~550 classes:
~120 ms, half of that import and a quarter of the server's start (microsoft/lsprotocol#441). A compiled
script depends only on its text, its file name and the Python version, so the code objects are saved in
the user's cache folder and taken from there on the next start. A miss, an unreadable cache or an attrs
without the hook used here compiles as before.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import marshal
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import CodeType
from typing import Any

from sindri.providers.facts_cache import cache_folder, write_private

log = logging.getLogger(__name__)

UNSTABLE_SCRIPTS = 2
"""Scripts that come out different at every start (cattrs' AttributeOverride iterates a set): compiled
each time, not worth writing the cache again for."""
_Key = tuple[str, str]
"""(script, file name) as attrs passes them to compile()."""


def cache_file() -> Path | None:
    """In sindri's cache folder, one file per Python bytecode format; None when there is no folder."""
    folder = cache_folder()
    tag = f"{sys.implementation.cache_tag}-{importlib.util.MAGIC_NUMBER.hex()}"
    return folder / f"attrs-code-{tag}.marshal" if folder else None


@contextlib.contextmanager
def cached_attrs_code(path: Path | None) -> Iterator[None]:
    """Within the block, attrs takes compiled scripts from `path`; what it compiled anew is saved after."""
    try:
        from attr import _make

        original = _make._compile_and_eval
    except (ImportError, AttributeError):  # an attrs without this hook: import as usual
        yield
        return
    known = _load(path) if path else {}
    used: dict[_Key, CodeType] = {}
    compiled = 0

    def compile_and_eval(
        script: str,
        globs: dict[str, Any] | None,
        locs: Mapping[str, object] | None = None,
        filename: str = "",
    ) -> None:
        nonlocal compiled
        key = (script, filename)
        code = known.get(key)
        if code is None:
            code, compiled = compile(script, filename, "exec"), compiled + 1
        used[key] = code
        eval(code, globs, locs)

    _make._compile_and_eval = compile_and_eval
    try:
        yield
    finally:
        _make._compile_and_eval = original
        if path and (compiled > UNSTABLE_SCRIPTS or len(used) != len(known)):
            _save(path, used)  # new scripts (another lsprotocol or attrs), or some no longer made


def _load(path: Path) -> dict[_Key, CodeType]:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return {}
    try:
        with open(fd, "rb") as handle:
            data = marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError) as exc:
        log.info("ignoring the startup cache %s: %s", path, exc)
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, CodeType)}


def _save(path: Path, codes: dict[_Key, CodeType]) -> None:
    """Written whole (`write_private`): a reader never sees half a file."""
    try:
        write_private(path, marshal.dumps(codes))
    except OSError as exc:  # a read-only home: the next start compiles again
        log.info("cannot save the startup cache %s: %s", path, exc)
