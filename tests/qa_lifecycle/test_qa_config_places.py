"""Configs in awkward places: folders with spaces, folders sindri cannot write to."""

from __future__ import annotations

import shlex
from pathlib import Path

from qa_lifecycle_env import standin_project
from support import run_sindri


def test_printed_connect_command_survives_a_path_with_spaces(
    tmp_path: Path, standin_env: dict[str, str]
) -> None:
    config, env = standin_project("fly", standin_env, tmp_path / "my projects" / "it's $here")
    result = run_sindri("deploy", "-c", str(config), env=env)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("Connect with: "))
    assert shlex.split(line.removeprefix("Connect with: ")) == ["sindri", "connect", "-c", str(config)]


def test_connect_needs_no_write_access_to_the_config_folder(
    tmp_path: Path, standin_env: dict[str, str]
) -> None:
    """connect only reads: a config folder where the lock cannot be created must not stop it
    (a read-only mount, another user's checkout). Here `.sindri` is a file, so nothing can go in it."""
    config, env = standin_project("fly", standin_env, tmp_path)
    deployed = run_sindri("deploy", "-c", str(config), env=env)
    assert deployed.returncode == 0, deployed.stderr
    for item in sorted((config.parent / ".sindri").rglob("*"), reverse=True):
        item.rmdir() if item.is_dir() else item.unlink()
    (config.parent / ".sindri").rmdir()
    (config.parent / ".sindri").write_text("not a folder\n")
    result = run_sindri("connect", "-c", str(config), "--", "sh", "-c", "echo connected; exit 5", env=env)
    assert result.returncode == 5, result.stderr
    assert "connected" in result.stdout
    status = run_sindri("status", "-c", str(config), env=env)
    assert status.returncode == 0 and "running" in status.stdout
