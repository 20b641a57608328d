"""The VS Code extension inside code-server's real extension host: mocha suites with the real API.

`vscode-extension/test/host/run.mjs` loads the extension from source as an Extension Development
Host, runs `trusted` (server start, diagnostics, lenses, commands, restart, plan, new file) and
`untrusted` (validation works, nothing executes) and exits non-zero when a test fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support import need

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "vscode-extension"
E2E_PREFIX = Path(os.environ.get("SINDRI_VSCODE_E2E", Path.home() / ".cache" / "sindri-vscode-e2e"))


@pytest.mark.parametrize("suite", ["trusted", "untrusted"])
def test_extension_host(suite: str) -> None:
    need((E2E_PREFIX / "node_modules" / ".bin" / "code-server").exists(), "code-server is not installed")
    need(Path("/usr/bin/chromium").exists(), "Chromium is not installed")
    need((EXTENSION / "node_modules").is_dir(), "the extension's npm packages are not installed")
    need(shutil.which("node") is not None, "node is not installed")
    env = {**os.environ, "SINDRI_LSP": str(ROOT / ".venv" / "bin" / "sindri-lsp")}
    done = subprocess.run(
        ["node", "test/host/run.mjs", suite],
        cwd=EXTENSION,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(done.stdout[-20000:], done.stderr[-5000:])
    report = f"{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    assert done.returncode == 0, f"extension host suite {suite} failed:\n{report}"
    assert " 0 failed" in done.stdout
