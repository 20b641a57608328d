"""Issue 11 §1-§2 over LSP: the editor gets the same YAML 1.2 reading, portability warnings with their
quick fixes, and the meaning rules, while typing."""

from __future__ import annotations

from pathlib import Path

from lsp_helpers import apply_edits, rng, session
from lsprotocol import types as lsp

NO_PREREQS = {"prerequisiteChecks": False}
DOC = """version: "3.0"
name: demo
deployment:
  provider: docker
  image: sindri-demo:local
extensions:
  profile: minimal
providers:
  docker:
    restart: no
    ports:
      - 2222:22
"""


async def test_yaml12_reading_and_the_portability_fix(tmp_path: Path) -> None:
    async with session(tmp_path, settings=NO_PREREQS) as s:
        uri = await s.open(DOC)
        diagnostics = await s.diagnostics(uri, 1)
        assert [(d.code, d.range, d.severity) for d in diagnostics] == [
            ("SY111", rng(9, 13, 9, 15), lsp.DiagnosticSeverity.Warning),
            ("SY111", rng(11, 8, 11, 15), lsp.DiagnosticSeverity.Warning),
        ]
        (action,) = await s.code_actions(uri, rng(9, 13, 9, 13))
        assert action.title == 'Write "no"' and action.edit and action.edit.changes
        fixed = apply_edits(DOC, action.edit.changes[uri])
        assert fixed == DOC.replace("restart: no", 'restart: "no"')


async def test_meaning_rules_while_typing(tmp_path: Path) -> None:
    async with session(tmp_path, settings=NO_PREREQS) as s:
        uri = await s.open(DOC.replace("restart: no", 'restart: "no"').replace("- 2222:22", '- "2222:22"'))
        assert await s.diagnostics(uri, 1) == []
        version = s.change(uri, DOC.replace("- 2222:22", '- "70000:22"').replace("    restart: no\n", ""))
        (port,) = await s.diagnostics(uri, version)
        assert (port.code, port.range, port.severity) == (
            "SE399",
            rng(10, 8, 10, 18),
            lsp.DiagnosticSeverity.Error,
        )
        k8s = DOC.replace("provider: docker\n  image: sindri-demo:local", "provider: kubernetes")
        version = s.change(uri, k8s.split("providers:")[0])
        (image,) = await s.diagnostics(uri, version)
        assert (image.code, image.range) == ("SE395", rng(3, 12, 3, 22))
        (action,) = await s.code_actions(uri, rng(3, 12, 3, 12))
        assert action.edit and action.edit.changes
        assert "  image: ghcr.io/pacphi/sindri:v3-latest\n" in apply_edits(
            k8s.split("providers:")[0], action.edit.changes[uri]
        )


async def test_syntax_error_at_the_unclosed_quote(tmp_path: Path) -> None:
    async with session(tmp_path, settings=NO_PREREQS) as s:
        uri = await s.open('version: "3.0\nname: demo\ndeployment:\n  provider: docker\n')
        (error,) = await s.diagnostics(uri, 1)
        assert (error.code, error.range) == ("SY101", rng(0, 9, 0, 13))
        assert error.message.startswith('unclosed quote: the "') and "line" not in error.message
