"""The engine's heavy half, loaded after `initialize` is answered rather than before.

pydantic, the model, the validation rules and the provider layer took a third of the server's start
(bench/lsp.py, issue 9). The feature modules import them inside the functions that use them, so the
server can answer `initialize` first; `load` then imports them while the client is busy with that
answer, before the first document arrives. tests/lsp/test_startup_imports.py holds both halves.
"""

from __future__ import annotations

import gc
import importlib
import logging
import time

log = logging.getLogger(__name__)

MODULES = (
    "sindri.schemas.validate",
    "sindri.schemas.loader",
    "sindri.providers.lifecycle",
    "sindri.server.payloads",
)
"""What the first validation and the first command need; each pulls in the rest (pydantic, yaml...)."""


def load() -> None:
    """Import MODULES now (a module already imported costs nothing).

    As at the server's start (`__main__`), the collector stays off while importing and what the import
    made is frozen after: it lives as long as the server, and walking it again and again is waste.
    """
    start = time.perf_counter()
    gc.disable()
    try:
        for name in MODULES:
            importlib.import_module(name)
    finally:
        gc.freeze()
        gc.enable()
    log.info("engine loaded in %.0f ms", (time.perf_counter() - start) * 1000)
