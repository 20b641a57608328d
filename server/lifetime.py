"""How the server ends: after `exit` (or SIGTERM, SIGHUP) running work is cancelled, which stops the
tools, and the process ends within EXIT_GRACE seconds whatever a cancelled task still waits for.

Why a deadline: when a task is cancelled while it starts a subprocess, CPython 3.11's asyncio waits for
that process's exit notice before the task may end (`_make_subprocess_transport`); under load the notice
was seen never to come (about 1 run in 5 of a test opening five sessions at once), and `asyncio.run`
then waited for that task forever: the server never exited and the editor kept its process.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from lsprotocol import types as lsp
from sindri.providers.runner import KILL_GRACE

from .server import SindriLanguageServer

EXIT_GRACE = 2 * KILL_GRACE + 1.0
"""Seconds from `exit` to the end of the process: time for every tool's SIGTERM, grace and SIGKILL."""


def end_within_grace(ls: SindriLanguageServer, grace: float = EXIT_GRACE) -> None:
    """Start the deadline (once): a daemon timer ends the process with the LSP exit code."""
    if ls.exit_deadline is not None:
        return

    def end() -> None:
        logging.getLogger(__name__).warning("still running %.0f s after exit: ending the process", grace)
        logging.shutdown()
        os._exit(0 if ls.protocol._shutdown else 1)  # LSP: 1 when `exit` came without `shutdown`

    ls.exit_deadline = threading.Timer(grace, end)
    ls.exit_deadline.daemon = True
    ls.exit_deadline.start()


def register(ls: SindriLanguageServer) -> None:
    @ls.feature(lsp.EXIT)
    def on_exit(ls: SindriLanguageServer, *args: Any) -> None:
        end_within_grace(ls)
