"""Quick fixes carried by findings, and for a missing prerequisite, its install documentation."""

from __future__ import annotations

from lsprotocol import types as lsp
from sindri.schemas.findings import Finding
from sindri.schemas.validate import validate_text

from . import prerequisites
from .convert import Positions
from .server import SindriLanguageServer, source_path


def _overlaps(finding: Finding, start: tuple[int, int], end: tuple[int, int]) -> bool:
    f_start = (finding.range.start.line, finding.range.start.character)
    f_end = (finding.range.end.line, finding.range.end.character)
    return f_start <= end and start <= f_end


def actions(ls: SindriLanguageServer, uri: str, rng: lsp.Range) -> list[lsp.CodeAction]:
    doc = ls.workspace.get_text_document(uri)
    result = ls.state(uri).result
    if result is None or result.document is None or result.document.text != doc.source:
        result = validate_text(doc.source, source_path=source_path(uri))  # stale ranges would edit wrong text
    positions = Positions(doc)
    server = doc.position_codec.range_from_client_units(positions.lines, rng)
    start, end = (server.start.line, server.start.character), (server.end.line, server.end.character)
    found: list[lsp.CodeAction] = []
    for finding in [*result.findings, *prerequisites.anchored(ls, uri, positions.lines)]:
        if not _overlaps(finding, start, end):
            continue
        diagnostic = positions.diagnostic(finding)
        for fix in finding.fixes:
            found.append(
                lsp.CodeAction(
                    title=fix.title,
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=positions.workspace_edit(fix),
                    is_preferred=fix.preferred or None,
                )
            )
        url = finding.data.get("docs_url") if finding.code.startswith("PR") else None
        if url:
            found.append(
                lsp.CodeAction(
                    title=f"Open the install documentation of {finding.data.get('prerequisite', 'the tool')}",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    command=lsp.Command(
                        title="Open install documentation", command="sindri.openDocs", arguments=[url]
                    ),
                )
            )
    return found


def register(ls: SindriLanguageServer) -> None:
    @ls.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    def code_action(ls: SindriLanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        if params.text_document.uri not in ls.documents:
            return []
        return actions(ls, params.text_document.uri, params.range)
