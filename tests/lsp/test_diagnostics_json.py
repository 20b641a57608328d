"""Diagnostics are published as JSON built directly from findings (issue 11 §5); the message on the
wire must be byte for byte the one pygls writes for the same diagnostics built as lsprotocol objects.

The reference below is how the server built them before: lsprotocol classes, serialised by pygls'
own `_send_data` path (json.dumps with the protocol's cattrs converter).
"""

from __future__ import annotations

import json

import pytest
from lsprotocol import converters
from lsprotocol import types as lsp
from pygls.workspace import TextDocument
from sindri.schemas.findings import Finding, doc_url
from sindri.schemas.validate import validate_text
from sindri.server import diagnostics
from sindri.server.convert import SOURCE, Positions
from sindri.server.documents import LspPositionCodec, LspTextDocument
from sindri.server.server import create_server

DOCUMENTS = {
    "duplicates and related information": """version: "3.0"
name: demo
deployment:
  provider: docker
extensions:
  profile: minimal
secrets:
  - name: API_KEY
    source: env
  - name: API_KEY
    source: env
""",
    "non-ASCII lines, astral characters and a duplicate key after them": """version: "3.0"
name: "démo-🚀"
deployment:
  provider: dockér
  resouces: {mémoire: 4GB}
  provider: docker
extensions:
  active: [nodejs, "nödejs", python, python]
""",
    "a syntax error": 'version: "3.0"\nname: [unclosed\n',
    "unknown extension names": "extensions:\n  active:\n" + "".join(f"    - ext-{i}\n" for i in range(20)),
}
CONVERTER = converters.get_converter()


def reference(positions: Positions, finding: Finding) -> lsp.Diagnostic:
    related = [
        lsp.DiagnosticRelatedInformation(lsp.Location(positions.uri, positions.range(rng)), message)
        for rng, message in finding.related
    ]
    return lsp.Diagnostic(
        range=positions.range(finding.range),
        message=finding.message,
        severity=lsp.DiagnosticSeverity(int(finding.severity)),
        code=finding.code,
        code_description=lsp.CodeDescription(href=doc_url(finding.code)),
        source=SOURCE,
        related_information=related or None,
        data={"path": list(finding.path)},
    )


@pytest.mark.parametrize("encoding", [lsp.PositionEncodingKind.Utf16, lsp.PositionEncodingKind.Utf8])
@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_published_json_is_what_lsprotocol_and_pygls_write(name: str, encoding: str) -> None:
    text = DOCUMENTS[name]
    uri = "file:///tmp/project/sindri.yaml"
    doc: TextDocument = LspTextDocument(
        uri, source=text, version=7, position_codec=LspPositionCodec(encoding=encoding)
    )
    findings = validate_text(text).findings
    assert findings
    positions = Positions(doc)
    protocol = create_server().protocol

    fast = diagnostics.message(uri, 7, [positions.diagnostic_json(f) for f in findings])
    slow = lsp.PublishDiagnosticsNotification(
        method=lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        params=lsp.PublishDiagnosticsParams(uri, [reference(positions, f) for f in findings], version=7),
        jsonrpc="2.0",
    )
    expected = json.dumps(slow, default=protocol._serialize_message)
    assert json.dumps(fast, default=protocol._serialize_message) == expected
    if name.startswith("duplicates"):
        assert '"relatedInformation"' in expected
    if name.startswith("non-ASCII"):
        assert any(f.range.start.line == 4 for f in findings)  # a range on a line with non-ASCII text


def test_code_actions_embed_the_same_diagnostic() -> None:
    text = DOCUMENTS["duplicates and related information"]
    uri = "file:///tmp/p/sindri.yaml"
    doc = LspTextDocument(uri, source=text, version=1, position_codec=LspPositionCodec())
    positions = Positions(doc)
    for finding in validate_text(text).findings:
        diagnostic = positions.diagnostic(finding)
        assert isinstance(diagnostic, lsp.Diagnostic)
        assert CONVERTER.unstructure(diagnostic) == CONVERTER.unstructure(reference(positions, finding))
