"""Quick fixes carried by findings, and for a missing prerequisite, its install documentation."""

from __future__ import annotations

from lsprotocol import types as lsp
from sindri.schemas.findings import Finding

from . import diagnostics, docs_links, prerequisites
from .convert import Positions
from .server import SindriLanguageServer


def _overlaps(finding: Finding, start: tuple[int, int], end: tuple[int, int]) -> bool:
    f_start = (finding.range.start.line, finding.range.start.character)
    f_end = (finding.range.end.line, finding.range.end.character)
    return f_start <= end and start <= f_end


def actions(ls: SindriLanguageServer, uri: str, rng: lsp.Range) -> list[lsp.CodeAction]:
    doc = ls.workspace.get_text_document(uri)
    result = ls.state(uri).result
    # Fixes of findings about another text would edit the wrong places: none until it is validated.
    current = result.findings if result and result.document and result.document.text == doc.source else []
    positions = Positions(doc)
    server = doc.position_codec.range_from_client_units(positions.lines, rng)
    start, end = (server.start.line, server.start.character), (server.end.line, server.end.character)
    found: list[lsp.CodeAction] = []
    for finding in [*current, *prerequisites.anchored(ls, uri, positions.lines)]:
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
                        title="Open install documentation",
                        command="sindri.openDocs",
                        arguments=[docs_links.offer(url)],
                    ),
                )
            )
    return found


def register(ls: SindriLanguageServer) -> None:
    @ls.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    async def code_action(ls: SindriLanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        uri = params.text_document.uri
        # Right after an edit the fixes come from the validation under way (on its worker thread):
        # validating here instead would hold up every other request (editors ask at each cursor move).
        await diagnostics.validated(ls, uri)
        if uri not in ls.documents:
            return []
        return actions(ls, uri, params.range)
