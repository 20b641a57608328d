"""Runs the engine over every document in tests/corpus and compares with its hand-written expectations.

`NAME.expected.json` lists the findings of `NAME.yaml`: code, severity and the 1-based line and column
where each starts (as `sindri validate` prints them), in the engine's order (by position).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sindri.schemas.validate import validate_text

CORPUS = Path(__file__).parent
DOCUMENTS = sorted(CORPUS.glob("*.yaml"))


def test_corpus_is_large_and_covers_every_provider_name() -> None:
    assert len(DOCUMENTS) >= 60
    texts = [p.read_text(encoding="utf-8-sig") for p in DOCUMENTS]
    for provider in (
        "docker",
        "docker-compose",
        "fly",
        "devpod",
        "e2b",
        "kubernetes",
        "runpod",
        "northflank",
    ):
        assert any(f"provider: {provider}\n" in t.replace("\r\n", "\n") for t in texts), provider


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.stem)
def test_document(document: Path) -> None:
    expected = json.loads(document.with_name(f"{document.stem}.expected.json").read_text())
    result = validate_text(document.read_bytes(), source_path=document)
    got = [
        {
            "code": f.code,
            "severity": f.severity.label,
            "line": f.range.start.line + 1,
            "col": f.range.start.character + 1,
        }
        for f in result.findings
    ]
    assert got == expected
    has_error = any(e["severity"] == "error" for e in expected)
    assert (result.config is None) == has_error
