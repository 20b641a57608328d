"""Conversions between the engine's positions (0-based, code points) and LSP's (UTF-16 by default)."""

from __future__ import annotations

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


def to_lsp_range(doc: TextDocument, rng: Range) -> lsp.Range:
    server = ServerTextRange(
        start=ServerTextPosition(rng.start.line, rng.start.character),
        end=ServerTextPosition(rng.end.line, rng.end.character),
    )
    return doc.range_to_client_units(server)


def to_diagnostic(doc: TextDocument, finding: Finding) -> lsp.Diagnostic:
    related = [
        lsp.DiagnosticRelatedInformation(lsp.Location(doc.uri, to_lsp_range(doc, rng)), message)
        for rng, message in finding.related
    ]
    return lsp.Diagnostic(
        range=to_lsp_range(doc, finding.range),
        message=finding.message,
        severity=SEVERITY[finding.severity],
        code=finding.code,
        code_description=lsp.CodeDescription(href=doc_url(finding.code)),
        source=SOURCE,
        related_information=related or None,
        data={"path": list(finding.path)},
    )


def to_workspace_edit(doc: TextDocument, fix: Fix) -> lsp.WorkspaceEdit:
    edits = [lsp.TextEdit(range=to_lsp_range(doc, e.range), new_text=e.new_text) for e in fix.edits]
    return lsp.WorkspaceEdit(changes={doc.uri: edits})
