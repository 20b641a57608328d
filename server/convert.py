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

    def range(self, rng: Range) -> lsp.Range:
        server = ServerTextRange(
            start=ServerTextPosition(rng.start.line, rng.start.character),
            end=ServerTextPosition(rng.end.line, rng.end.character),
        )
        return self.codec.range_to_client_units(self.lines, server)

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
