"""Odd -c/--config targets through the real CLI: a FIFO, a folder, a folder named sindri.yaml."""

from __future__ import annotations

import os
from pathlib import Path

from support import run_sindri

CONFIG = """\
version: "3.0"
name: qa-paths
deployment:
  provider: docker
  image: sindri-demo:local
extensions:
  profile: minimal
"""


def test_fifo_config_is_refused_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "sindri.yaml"
    os.mkfifo(fifo)
    for args in (("validate", str(fifo)), ("plan", "-c", str(fifo))):
        result = run_sindri(*args, cwd=tmp_path, timeout=30)
        assert "not a regular file" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert result.returncode == (2 if args[0] == "validate" else 1)


def test_config_folder_is_not_searched_upward(tmp_path: Path) -> None:
    """`-c FOLDER` must never pick up a config above FOLDER: `destroy` would act on another environment."""
    (tmp_path / "sindri.yaml").write_text(CONFIG)
    folder = tmp_path / "child"
    folder.mkdir()
    result = run_sindri("destroy", "--yes", "-c", str(folder), cwd=tmp_path, timeout=30)
    assert result.returncode == 1
    assert f"no sindri.yaml or sindri.yml file in {folder}" in result.stderr
    assert "fix: point -c/--config at the sindri.yaml file" in result.stderr
    assert "Destroy" not in result.stdout


def test_folder_named_like_the_config(tmp_path: Path) -> None:
    odd = tmp_path / "sindri.yaml"
    odd.mkdir()
    result = run_sindri("plan", "-c", str(odd), cwd=tmp_path, timeout=30)
    assert result.returncode == 1
    assert f"no sindri.yaml or sindri.yml file in {odd}" in result.stderr
    (odd / "sindri.yaml").write_text(CONFIG)
    result = run_sindri("validate", cwd=tmp_path, timeout=30)  # discovery skips the folder itself
    assert result.returncode == 2 and "no sindri.yaml or sindri.yml found" in result.stderr


def test_provider_override_replaces_an_unknown_provider(tmp_path: Path, docker_engine: None) -> None:
    config = tmp_path / "sindri.yaml"
    config.write_text(CONFIG.replace("provider: docker", "provider: rundeck"))
    result = run_sindri("plan", "--json", "-c", str(config), "--provider", "docker", cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "SC205" not in result.stderr
    without = run_sindri("plan", "-c", str(config), cwd=tmp_path, timeout=60)
    assert without.returncode == 1 and f"{config}:4:13: error SC205" in without.stderr
