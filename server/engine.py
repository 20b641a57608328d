"""The engine's heavy half, loaded while the server would otherwise wait rather than before it answers.

pydantic, the model, the validation rules and the provider layer took a third of the server's start
(bench/lsp.py, issue 9). The feature modules import them inside the functions that use them, so the
server can answer `initialize` first. `load` imports them step by step: from the start until the
client's first message is waiting (`load_while_idle`), and what is left right after `initialize` is
answered, while the client reads the answer, before the first document arrives.
tests/lsp/test_startup_imports.py holds all three.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import select
import time
from collections.abc import Callable
from functools import partial
from typing import BinaryIO

log = logging.getLogger(__name__)

MODULES = (
    "pydantic",
    "sindri.schemas.model",
    "sindri.schemas.validate",
    "sindri.schemas.loader",
    "sindri.providers.lifecycle",
    "sindri.server.payloads",
)
"""What the first validation and the first command import, in steps of ~10-30 ms."""


def _build_model() -> None:
    """pydantic builds the model's validator when first used (`defer_build`): ~20 ms of the first
    validation."""
    from sindri.schemas.model import SindriConfig

    SindriConfig.model_rebuild()


_loaded = False


def load(stop: Callable[[], bool] = lambda: False) -> None:
    """Take the steps, unless `stop()` says to stop before one; a step taken before costs nothing.

    As at the server's start (`__main__`), the collector stays off while importing and what the import
    made is frozen after: it lives as long as the server, and walking it again and again is waste.
    """
    global _loaded
    if _loaded:
        return
    steps: list[Callable[[], object]] = [
        *(partial(importlib.import_module, n) for n in MODULES),
        _build_model,
    ]
    start = time.perf_counter()
    gc.disable()
    try:
        for step in steps:
            if stop():
                return
            step()
    finally:
        gc.freeze()
        gc.enable()
    _loaded = True
    log.info("engine loaded in %.0f ms", (time.perf_counter() - start) * 1000)


def load_while_idle(stdin: BinaryIO) -> None:
    """Load until the client's first message is waiting on `stdin` (which is not read). Where a pipe
    cannot be polled (Windows), the engine loads after `initialize` only."""
    if os.name != "posix":
        return

    def waiting() -> bool:
        try:
            return bool(select.select([stdin], [], [], 0)[0])
        except (OSError, ValueError):  # a file select() cannot poll (closed, out of its range): serve at once
            return True

    load(stop=waiting)
