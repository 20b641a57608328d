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
