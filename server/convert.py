"""Conversions between the engine's positions (0-based, code points) and LSP's (UTF-16 by default)."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types as lsp
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import ServerTextPosition, ServerTextRange
from sindri.schemas.findings import Finding, Fix, Range, Severity, doc_url

SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
    Severity.HINT: lsp.DiagnosticSeverity.Hint,
}
SOURCE = "sindri"


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
        start, end = rng.start, rng.end
        start_line, end_line = self._plain(start.line), self._plain(end.line)
        if start_line is not None and end_line is not None:  # ASCII: every encoding counts alike
            return lsp.Range(
                start=lsp.Position(start.line, min(start.character, len(start_line))),
                end=lsp.Position(end.line, min(end.character, len(end_line))),
            )
        server = ServerTextRange(
            start=ServerTextPosition(rng.start.line, rng.start.character),
            end=ServerTextPosition(rng.end.line, rng.end.character),
        )
        return self.codec.range_to_client_units(self.lines, server)

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

    def diagnostic(self, finding: Finding) -> lsp.Diagnostic:
        related = [
            lsp.DiagnosticRelatedInformation(lsp.Location(self.uri, self.range(rng)), message)
            for rng, message in finding.related
        ]
        return lsp.Diagnostic(
            range=self.range(finding.range),
            message=finding.message,
            severity=SEVERITY[finding.severity],
            code=finding.code,
            code_description=lsp.CodeDescription(href=doc_url(finding.code)),
            source=SOURCE,
            related_information=related or None,
            data={"path": list(finding.path)},
        )

    def workspace_edit(self, fix: Fix) -> lsp.WorkspaceEdit:
        edits = [lsp.TextEdit(range=self.range(e.range), new_text=e.new_text) for e in fix.edits]
        return lsp.WorkspaceEdit(changes={self.uri: edits})
