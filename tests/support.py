"""Helpers shared by the test modules: import them as `from support import ...`.

(Not from `conftest`: several conftest.py files exist, and `import conftest` would get whichever one
pytest imported last.)

When CI=true, a test that needs the Docker engine or the editor harness and cannot get it FAILS
instead of skipping: CI must not silently skip what it exists to check.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
STANDINS = REPO / "tests" / "standins"
IN_CI = os.environ.get("CI", "").lower() == "true"


def need(condition: bool, reason: str) -> None:
    """Skip locally, fail in CI, when a required part of the test harness is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def docker_engine_up() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def run_sindri(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    input: str = "",
) -> subprocess.CompletedProcess[str]:
    """Run the real `sindri` CLI as a subprocess (the interface users have)."""
    exe = REPO / ".venv" / "bin" / "sindri"
    return subprocess.run(
        [str(exe), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, input=input
    )


def source_repo(path: Path, dockerfile: str, *, branch: str = "main", dev: str | None = None) -> Path:
    """A git repository shaped like Sindri's (`v3/Dockerfile`, optionally `v3/Dockerfile.dev`), one commit
    on `branch`, made with the real git: what SINDRI_SOURCE_REPO points the source builds at."""
    (path / "v3").mkdir(parents=True)
    (path / "v3" / "Dockerfile").write_text(dockerfile)
    if dev is not None:
        (path / "v3" / "Dockerfile.dev").write_text(dev)
    git = ["git", "-c", "user.name=sindri-test", "-c", "user.email=test@example.invalid", "-C", str(path)]
    subprocess.run([*git, "init", "-q", "-b", branch], check=True, timeout=30)
    subprocess.run([*git, "add", "-A"], check=True, timeout=30)
    subprocess.run([*git, "commit", "-q", "-m", "source"], check=True, timeout=30)
    return path
