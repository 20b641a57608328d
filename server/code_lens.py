"""Code lenses on the `deployment:` line: Deploy to <provider>, Plan, Status, Connect, Destroy.

Titles carry `$(icon)` syntax only for clients that render it (`initialization.py`); others would
show the syntax as text.
"""

from __future__ import annotations

import re

from lsprotocol import types as lsp
from sindri.schemas.plugins import supported_providers

from .prerequisites import provider_value
from .server import SindriLanguageServer

_DEPLOYMENT = re.compile(r"^deployment\s*:")
ICONS = {
    "sindri.deploy": "$(cloud-upload) ",
    "sindri.status": "$(pulse) ",
    "sindri.connect": "$(terminal) ",
    "sindri.destroy": "$(trash) ",
}


def lenses(ls: SindriLanguageServer, uri: str) -> list[lsp.CodeLens]:
    lines = ls.workspace.get_text_document(uri).lines
    line_no = next((n for n, line in enumerate(lines) if _DEPLOYMENT.match(line)), None)
    if line_no is None:
        return []
    found = provider_value(list(lines))
    # A misspelt provider is the diagnostic's business; the lens does not repeat the typo.
    deploy = f"Deploy to {found[0]}" if found and found[0] in supported_providers() else "Deploy"
    state = ls.last_states.get(uri)
    rng = lsp.Range(lsp.Position(line_no, 0), lsp.Position(line_no, len("deployment")))
    titles = [
        ("sindri.deploy", deploy),
        ("sindri.plan", "Plan"),
        ("sindri.status", f"Status: {state.replace('_', ' ')}" if state else "Status"),
        ("sindri.connect", "Connect"),
        ("sindri.destroy", "Destroy"),
    ]
    return [
        lsp.CodeLens(
            range=rng,
            command=lsp.Command(
                title=ICONS.get(name, "") + title if ls.codicons else title, command=name, arguments=[uri]
            ),
        )
        for name, title in titles
    ]


def register(ls: SindriLanguageServer) -> None:
    @ls.feature(lsp.TEXT_DOCUMENT_CODE_LENS)
    def code_lens(ls: SindriLanguageServer, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
        if params.text_document.uri not in ls.documents:
            return []
        return lenses(ls, params.text_document.uri)
