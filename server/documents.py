"""Documents with LSP's own line model, so the server's copy of a text never drifts from the editor's.

pygls splits lines with `str.splitlines`, which also breaks at U+2028, U+2029, NEL, form feed and
other characters LSP does not count: an incremental edit after one of them landed on the wrong line.
Its position conversion also reads the line after a final newline as the end of the line before, and a
column past the end of the last line as the character before its end. LSP says: lines end only at
`\\n`, `\\r\\n` or `\\r`; a column past the end of its line means the end of the line.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Sequence
from typing import Any

from lsprotocol import types as lsp
from pygls.protocol.language_server import lsp_method
from pygls.workspace import TextDocument, Workspace
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

from .cancellation import CancellableProtocol
from .replies import AnsweringProtocol

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


class LspPositionCodec(PositionCodec):
    def position_from_client_units(self, lines: Sequence[str], position: lsp.Position) -> ServerTextPosition:
        """Client units to code points; a position past the last line is the end of the document."""
        if not lines:
            return ServerTextPosition(0, 0)
        if position.line >= len(lines):
            last = lines[-1]
            if last.endswith(("\n", "\r")):
                return ServerTextPosition(len(lines), 0)
            return ServerTextPosition(len(lines) - 1, len(last))
        line = lines[position.line].rstrip("\r\n")
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return ServerTextPosition(position.line, index)
            units += self.impl.code_units_for_char(char)
        return ServerTextPosition(position.line, len(line))


class LspTextDocument(TextDocument):
    @property
    def lines(self) -> Sequence[str]:
        return tuple(_LINE.findall(self.source))


class LspWorkspace(Workspace):
    """pygls' workspace, holding `LspTextDocument`s."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._position_codec = LspPositionCodec(encoding=self.position_encoding)

    @classmethod
    def like(cls, workspace: Workspace) -> LspWorkspace:
        """The same root, folders, sync kind and encoding (made before any document is open)."""
        folders = list(workspace.folders.values())
        return cls(workspace.root_uri, workspace._sync_kind, folders, workspace.position_encoding)

    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return LspTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self.position_codec,
        )


class LspDocumentsProtocol(CancellableProtocol, AnsweringProtocol):
    """The server's protocol: cancellation reaching commands (`cancellation.py`), every request answered
    (`replies.py`), documents as above."""

    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(self, params: lsp.InitializeParams) -> Generator[Any, Any, lsp.InitializeResult]:
        result = yield from super().lsp_initialize(params)
        self._workspace = LspWorkspace.like(self.workspace)
        return result
