"""Shared test fixtures.

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


@pytest.fixture(scope="session")
def docker_engine() -> None:
    """Requires a reachable Docker engine (started by .ci/run)."""
    need(docker_engine_up(), "no Docker engine is reachable (run ../shared/tools/install-docker-engine.sh)")


@pytest.fixture
def standin_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a `sindri` subprocess with the stand-ins first on PATH and a fresh state dir."""
    state = tmp_path / "standin-state"
    state.mkdir()
    env = dict(os.environ)
    env["PATH"] = f"{STANDINS}{os.pathsep}{REPO / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["SINDRI_STANDIN_STATE"] = str(state)
    env["PYTHONPATH"] = str(STANDINS)
    return env


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
