"""`sindri-lsp` / `python -m sindri.server`: the language server over stdio.

Logs go to stderr (or --log-file): stdout carries only LSP frames.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
from types import FrameType

from .startup_cache import cache_file, cached_attrs_code


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="sindri-lsp", description="Sindri language server (stdio).")
    parser.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)")
    parser.add_argument("--log-file", help="write logs here instead of stderr")
    parser.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    args = parser.parse_args(argv)
    if sys.stdin is None or sys.stdout is None:
        parser.error("standard input and output must be open: they carry the LSP messages")
    handler = logging.FileHandler(args.log_file) if args.log_file else logging.StreamHandler(sys.stderr)
    logging.basicConfig(
        level=args.log_level, handlers=[handler], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # pygls logs every message it sends at INFO: only at DEBUG is that wanted (the editor's Trace shows them).
    if args.log_level != "DEBUG":
        logging.getLogger("pygls").setLevel(max(logging.WARNING, logging.getLevelName(args.log_level)))
    # lsprotocol's types and the model are ~100k objects that live as long as the server: collecting
    # them while importing took ~130 ms of every start (bench/lsp.py, initialize), so they are frozen.
    gc.disable()
    try:
        with cached_attrs_code(cache_file()):
            from . import engine
            from .lifetime import end_within_grace
            from .server import create_server
    finally:
        gc.freeze()
        gc.enable()
    # SIGTERM (an editor stopping a server that did not exit, a logout) and SIGHUP (the terminal of a
    # terminal editor closed) end the server the way the `exit` notification does: running commands
    # are cancelled, which stops their tools (they run in sessions of their own: no signal reaches them).
    server = create_server()

    def exit_on_signal(signum: int, frame: FrameType | None) -> None:
        end_within_grace(server)
        sys.exit(1)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, exit_on_signal)
    python = sys.version.split()[0]
    logging.getLogger("sindri.server").info("sindri-lsp %s on Python %s", server.version, python)
    engine.load_while_idle(sys.stdin.buffer)  # the client is usually still starting
    server.start_io()
    # A validation may still be running on its worker thread (seconds for a large document); nothing
    # waits for its result, and the interpreter would wait for the thread before ending the process.
    logging.shutdown()
    os._exit(0 if server.protocol._shutdown else 1)  # LSP: 1 when `exit` came without `shutdown`


if __name__ == "__main__":
    main()
