"""The extension as a user meets it: installed from the .vsix into code-server, clicked in Chromium.

`ui_e2e.mjs` drives the steps of issue #9 (squiggle, Problems, quick fix, completion, Deploy lens with
the container checked in Docker, status bar, Connect's terminal, Destroy with its confirmation, and an
untrusted workspace where validation works and Deploy refuses) and saves a screenshot per step in
build/editor-e2e/. It prints activation -> first diagnostics; nothing here asserts a time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support import REPO, docker_engine_up, need

EXTENSION = REPO / "vscode-extension"
VSIX = EXTENSION / "sindri.vsix"
DRIVER = Path(__file__).with_name("ui_e2e.mjs")
ARTIFACTS = REPO / "build" / "editor-e2e"
E2E_PREFIX = Path(os.environ.get("SINDRI_VSCODE_E2E", Path.home() / ".cache" / "sindri-vscode-e2e"))
CHROMIUM = Path(os.environ.get("SINDRI_E2E_CHROMIUM", "/usr/bin/chromium"))
IMAGE = "sindri-demo:local"
DRIVER_TIMEOUT = 900
# What goes into the .vsix: a newer file than the .vsix means it must be built again.
VSIX_INPUTS = [
    EXTENSION / "src",
    EXTENSION / "bundled" / "tool",
    EXTENSION / "package.json",
    EXTENSION / "esbuild.mjs",
    REPO / "pyproject.toml",
    *(REPO / part for part in ("schemas", "providers", "templates", "server", "cli")),
]

pytestmark = pytest.mark.docker


def _newest_input() -> float:
    newest = 0.0
    for root in VSIX_INPUTS:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in files:
            if "__pycache__" not in path.parts:
                newest = max(newest, path.stat().st_mtime)
    return newest


@pytest.fixture(scope="module")
def harness() -> None:
    """A real VS Code and a browser to drive it (checked first: building the .vsix takes minutes)."""
    need(shutil.which("node") is not None and shutil.which("npm") is not None, "node or npm is not installed")
    need(
        (E2E_PREFIX / "node_modules" / ".bin" / "code-server").exists()
        and (E2E_PREFIX / "node_modules" / "playwright-core").is_dir(),
        f"code-server or playwright-core is not in {E2E_PREFIX} (run ../shared/tools/install-vscode-e2e.sh)",
    )
    need(CHROMIUM.exists(), f"Chromium is not at {CHROMIUM} (run ../shared/tools/install-vscode-e2e.sh)")


@pytest.fixture(scope="module")
def vsix(harness: None) -> Path:
    """The extension as users install it, built again when a source is newer than it."""
    if not VSIX.exists() or VSIX.stat().st_mtime < _newest_input():
        build = subprocess.run(
            ["bash", str(REPO / "scripts" / "build-vsix.sh")], capture_output=True, text=True, timeout=900
        )
        assert build.returncode == 0, f"make vsix failed:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}"
    return VSIX


@pytest.fixture(scope="module")
def demo_image() -> str:
    need(docker_engine_up(), "no Docker engine is reachable (run ../shared/tools/install-docker-engine.sh)")
    need(Path("/bin/busybox").exists(), "busybox-static is not installed (apt-get install busybox-static)")
    subprocess.run(["bash", str(REPO / "images" / "demo" / "build.sh"), IMAGE], check=True, timeout=300)
    return IMAGE


def test_vscode_ui_end_to_end(vsix: Path, demo_image: str) -> None:
    env = {**os.environ, "SINDRI_VSCODE_E2E": str(E2E_PREFIX), "SINDRI_E2E_CHROMIUM": str(CHROMIUM)}
    driver = subprocess.Popen(
        ["node", str(DRIVER), "--vsix", str(vsix), "--artifacts", str(ARTIFACTS)],
        cwd=REPO,
        env={**env, "SINDRI_E2E_IMAGE": demo_image},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = driver.communicate(timeout=DRIVER_TIMEOUT)
    except subprocess.TimeoutExpired:
        # SIGTERM first: the driver then kills its code-servers and removes its containers.
        driver.terminate()
        stdout, stderr = driver.communicate(timeout=60)
        pytest.fail(f"the VS Code UI test took over {DRIVER_TIMEOUT} s:\n{stdout[-4000:]}\n{stderr[-2000:]}")
    print(stdout, stderr, sep="\n")
    assert driver.returncode == 0, f"the VS Code UI test failed (screenshots: {ARTIFACTS}):\n{stderr[-4000:]}"
    assert "PASSED" in stdout
