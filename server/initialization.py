"""What the client tells the server at `initialize`: whether the workspace is trusted, and whether it
renders `$(icon)` syntax in code lens titles. Once answered, the server loads its engine (`engine.py`).

`initializationOptions`: `{"trusted": bool, "codicons": bool}`, both optional. A client that does not
send `trusted` (Neovim, Helix, ...) gets the trusted behaviour it always had; VS Code sends false for a
workspace the user has not trusted, and then the server runs no tool at all.
"""

from __future__ import annotations

import asyncio
from typing import Any

from lsprotocol import types as lsp

from . import engine
from .server import SindriLanguageServer

CODICON_CLIENTS = frozenset(
    {"Visual Studio Code", "Visual Studio Code - Insiders", "code-server", "VSCodium", "Code - OSS"}
)
"""Clients (`clientInfo.name`) known to render `$(name)` icons in code lens titles."""


def apply(ls: SindriLanguageServer, options: Any, client_name: str | None) -> None:
    """Set `ls.trusted` and `ls.codicons` from the options; values of the wrong type are ignored."""
    raw = options if isinstance(options, dict) else {}
    ls.trusted = raw.get("trusted") is not False
    codicons = raw.get("codicons")
    ls.codicons = codicons if isinstance(codicons, bool) else client_name in CODICON_CLIENTS


def register(ls: SindriLanguageServer) -> None:
    @ls.feature(lsp.INITIALIZE)
    def initialize(ls: SindriLanguageServer, params: lsp.InitializeParams) -> None:
        client = params.client_info.name if params.client_info else None
        apply(ls, params.initialization_options, client)
        # Runs once this answer is written (pygls writes it when this returns), while the client reads it.
        asyncio.get_running_loop().call_soon(engine.load)
