"""Tools are found only through absolute paths: a `docker` committed to a repository never runs, whatever
PATH holds (`.`, an empty entry, a relative folder). Through the real `sindri` CLI process."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from support import REPO, run_sindri

CONFIG = 'version: "3.0"\nname: {name}\ndeployment:\n  provider: docker\nextensions:\n  profile: minimal\n'
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


def hostile_repo(folder: Path, name: str, tools_dir: str = ".") -> Path:
    """A repository with sindri.yaml and a `docker` (and `docker-compose`) that leave a marker if run."""
    (folder / "sindri.yaml").write_text(CONFIG.format(name=name))
    marker = folder / "marker"
    where = folder / tools_dir
    where.mkdir(exist_ok=True)
    for tool in ("docker", "docker-compose"):
        script = where / tool
        script.write_text(f'#!/bin/sh\necho "$0 $*" >> "{marker}"\n')
        script.chmod(0o755)
    return marker


@pytest.mark.parametrize(
    ("entry", "tools_dir", "said"),
    [
        (".", ".", "relative PATH entry '.'"),
        ("", ".", "an empty PATH entry"),
        ("tools", "tools", "relative PATH entry 'tools'"),
    ],
)
@pytest.mark.parametrize("command", [["doctor"], ["status"], ["deploy", "--dry-run"], ["plan"]])
def test_repository_tool_found_through_a_relative_path_entry_never_runs(
    tmp_path: Path, entry: str, tools_dir: str, said: str, command: list[str]
) -> None:
    marker = hostile_repo(tmp_path, "hostile-path", tools_dir)
    env = {**os.environ, "PATH": os.pathsep.join([str(REPO / ".venv" / "bin"), entry, SYSTEM_PATH])}
    result = run_sindri(*command, env=env, cwd=tmp_path)
    assert not marker.exists(), marker.read_text()
    assert result.returncode == 1, result.stderr
    assert said in result.stdout + result.stderr
    assert "remove '.', empty and other relative entries from PATH" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_relative_entries_after_the_real_tool_do_not_matter(tmp_path: Path, docker_engine: None) -> None:
    """With the real docker earlier on PATH, the real one runs (on the real engine) and the
    repository's never does, not even through the tools' own lookups."""
    marker = hostile_repo(tmp_path, "sindri-test-hostile-path-after")
    real = shutil.which("docker")
    assert real is not None
    path = os.pathsep.join([str(REPO / ".venv" / "bin"), str(Path(real).parent), SYSTEM_PATH, ".", ""])
    result = run_sindri("status", "--json", env={**os.environ, "PATH": path}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"not_deployed"' in result.stdout
    assert not marker.exists(), marker.read_text()
