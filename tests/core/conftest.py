"""Fixtures for the core tests: a project folder with a sindri.yaml, and the fake provider."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sindri.providers import factory, prereqs

HERE = Path(__file__).resolve().parent
SECRET = "s3cr3t-VALUE-9f8e7d"

CONFIG = """\
version: "3.0"
name: core-env
deployment:
  provider: docker
extensions:
  profile: minimal
secrets:
  - name: API_TOKEN
    source: env
    required: true
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder holding sindri.yaml; returns the config path."""
    folder = tmp_path / "proj"
    folder.mkdir()
    path = folder / "sindri.yaml"
    path.write_text(CONFIG)
    return path


@pytest.fixture
def fake_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.setitem(factory.PROVIDERS, "docker", "fakeprov:FakeProvider")
    prereqs.clear_cache()


def fake_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, input: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The real CLI (in a subprocess) with the fake docker provider."""
    full = {**os.environ, "API_TOKEN": SECRET, **(env or {})}
    return subprocess.run(
        [sys.executable, str(HERE / "fake_sindri.py"), *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        input=input,
        timeout=timeout,
    )
