"""Conversions between the engine's positions (0-based, code points) and LSP's (UTF-16 by default)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import cattrs
from lsprotocol import converters
from lsprotocol import types as lsp
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import ServerTextPosition, ServerTextRange
from sindri.schemas.findings import Finding, Fix, Range, doc_url

SOURCE = "sindri"


@functools.cache
def _converter() -> cattrs.Converter:
    """lsprotocol's converter, made when first needed: making it took ~14 ms of every server start."""
    return converters.get_converter()


class Positions:
    """Converts ranges for one text of a document.

    Built once per request: pygls re-splits the whole text on every `doc.lines`, so converting each
    range through the document would cost the document's size per range (seconds for a large outline).
    `lines` may be an older text than the document's current one, e.g. the text a result was computed
    from, so that its ranges are converted against the text they point into.
    """

    def __init__(self, doc: TextDocument, lines: Sequence[str] | None = None) -> None:
        self.uri = doc.uri
        self.codec = doc.position_codec
        self.lines = list(doc.lines if lines is None else lines)
        self._ascii: dict[int, str | None] = {}

    def range(self, rng: Range) -> lsp.Range:
        plain = self._ascii_range(rng)
        if plain is not None:
            line, character, end_line, end_character = plain
            return lsp.Range(lsp.Position(line, character), lsp.Position(end_line, end_character))
        server = ServerTextRange(
            start=ServerTextPosition(rng.start.line, rng.start.character),
            end=ServerTextPosition(rng.end.line, rng.end.character),
        )
        return self.codec.range_to_client_units(self.lines, server)

    def range_json(self, rng: Range) -> dict[str, dict[str, int]]:
        """`range` as JSON, built without lsprotocol's classes (thousands of findings per keystroke)."""
        plain = self._ascii_range(rng)
        if plain is None:
            client = self.range(rng)
            plain = (client.start.line, client.start.character, client.end.line, client.end.character)
        line, character, end_line, end_character = plain
        return {
            "start": {"line": line, "character": character},
            "end": {"line": end_line, "character": end_character},
        }

    def _ascii_range(self, rng: Range) -> tuple[int, int, int, int] | None:
        """The range in client units when both its lines are ASCII (every encoding counts alike)."""
        start, end = rng.start, rng.end
        start_line, end_line = self._plain(start.line), self._plain(end.line)
        if start_line is None or end_line is None:
            return None
        return (
            start.line,
            min(start.character, len(start_line)),
            end.line,
            min(end.character, len(end_line)),
        )

    def _plain(self, line: int) -> str | None:
        """The line when it is ASCII, where code points, UTF-16 and UTF-8 units are the same: the
        codec counts character by character in Python, which was most of the cost of publishing
        thousands of findings."""
        if line in self._ascii:
            return self._ascii[line]
        if not 0 <= line < len(self.lines):
            return None  # past the end: the codec's own rule applies
        text = self.lines[line]
        plain = self._ascii[line] = text if text.isascii() else None
        return plain

    def diagnostic_json(self, finding: Finding) -> dict[str, Any]:
        """The finding as an LSP Diagnostic's JSON, exactly as lsprotocol would write it (same keys and
        order, no null fields), built directly: structuring thousands of lsprotocol objects and having
        cattrs unstructure them again was most of the time from a keystroke to its diagnostics."""
        out: dict[str, Any] = {
            "range": self.range_json(finding.range),
            "message": finding.message,
            "severity": int(finding.severity),
            "code": finding.code,
            "codeDescription": {"href": doc_url(finding.code)},
            "source": SOURCE,
        }
        if finding.related:
            out["relatedInformation"] = [
                {"location": {"uri": self.uri, "range": self.range_json(rng)}, "message": message}
                for rng, message in finding.related
            ]
        out["data"] = {"path": list(finding.path)}
        return out

    def diagnostic(self, finding: Finding) -> lsp.Diagnostic:
        """The same as an lsprotocol object, for the few places that embed one (code actions)."""
        return _converter().structure(self.diagnostic_json(finding), lsp.Diagnostic)

    def workspace_edit(self, fix: Fix) -> lsp.WorkspaceEdit:
        edits = [lsp.TextEdit(range=self.range(e.range), new_text=e.new_text) for e in fix.edits]
        return lsp.WorkspaceEdit(changes={self.uri: edits})
