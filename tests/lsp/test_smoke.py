"""First end-to-end checks of the server: diagnostics, completion and hover over stdio."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

DOC = """version: "3.0"
name: demo
deployment:
  provider: docker
  resouces:
    memory: 4GB
extensions:
  profile: minimal
"""


async def test_diagnostics_completion_hover(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "sindri.yaml"
    path.write_text(DOC)
    uri = path.as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "yaml", 1, DOC)))
    await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    diagnostics = client.diagnostics[uri]
    unknown = [d for d in diagnostics if d.code == "SC202"]
    assert unknown and unknown[0].range.start == lsp.Position(4, 2)

    items = await client.text_document_completion_async(
        lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), lsp.Position(3, 12))
    )
    assert items is not None
    labels = [i.label for i in (items.items if isinstance(items, lsp.CompletionList) else items)]
    assert {"fly", "docker", "runpod", "northflank"} <= set(labels) and "rundeck" not in labels

    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(3, 4))
    )
    assert hover is not None and "provider" in str(hover.contents)
