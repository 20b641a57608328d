"""Shared fixtures. Shared helpers live in support.py (`from support import run_sindri, need, ...`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import REPO, STANDINS, docker_engine_up, need, run_sindri

__all__ = ["REPO", "STANDINS", "need", "run_sindri"]


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


@pytest.fixture(scope="session", autouse=True)
def _state_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Environment locks live in the user's state folder: a private one for this run (and the `sindri`
    processes and language servers it starts), so a test never waits on, or leaves, a real user's lock."""
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))
