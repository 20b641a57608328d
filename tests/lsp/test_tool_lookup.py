"""Opening a file runs nothing of the repository's: a relative `sindri.toolPaths` entry is refused with
a message naming the setting, and PATH's relative entries are not searched. Over stdio, as an editor
opening a cloned folder would (the server's current folder is the repository)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lsp_helpers import base_env, session
from test_prerequisites import DOCKER, prerequisite_diagnostics


def plant(folder: Path, relative: str) -> Path:
    """A `docker` at `relative` inside the repository that leaves a marker if it ever runs."""
    marker = folder / "marker"
    script = folder / relative
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(f'#!/bin/sh\necho "$0 $*" >> "{marker}"\n')
    script.chmod(0o755)
    return marker


async def test_relative_tool_path_setting_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = plant(tmp_path, "tools/docker")
    monkeypatch.chdir(tmp_path)  # the server starts in the repository, as editors start it
    settings = {"toolPaths": {"docker": "./tools/docker"}}
    async with session(tmp_path, env=base_env(tmp_path / "state"), settings=settings) as s:
        uri = await s.open(DOCKER)
        shown = await s.until(
            lambda: [
                m["message"] for m in s.notifications("window/showMessage") if "toolPaths" in m["message"]
            ],
            "a message about the setting",
        )
        assert shown == [
            "sindri.toolPaths.docker: './tools/docker' is not an absolute path, so docker is not run from it "
            "and is reported as not usable; set an absolute path (`~` is allowed)"
        ]
        docker = [d for d in await prerequisite_diagnostics(s, uri) if "Docker CLI" in d.message]
        assert len(docker) == 1 and docker[0].code == "PR401"
        assert "('./tools/docker') is not absolute" in docker[0].message
        assert "Fix: set an absolute path" in docker[0].message
        result = await s.command("sindri.status", uri)
        assert result["success"] is False and "is not absolute" in result["error"]
        assert not marker.exists(), marker.read_text()


@pytest.mark.parametrize("entry", [".", ""])
async def test_relative_path_entries_are_not_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str
) -> None:
    marker = plant(tmp_path, "docker")
    plant(tmp_path, "sindri")
    monkeypatch.chdir(tmp_path)
    env = base_env(tmp_path / "state")
    env["PATH"] = os.pathsep.join([entry, env["PATH"]])
    async with session(tmp_path, env=env) as s:
        uri = await s.open(DOCKER)
        docker = [d for d in await prerequisite_diagnostics(s, uri) if "Docker CLI" in d.message]
        assert len(docker) == 1 and docker[0].code == "PR401"
        assert "PATH entry" in docker[0].message and "is not run" in docker[0].message
        result = await s.command("sindri.status", uri)
        assert result["success"] is False and "PATH entry" in result["error"]
        connect = await s.command("sindri.connect", uri)  # the command line the editor runs
        assert os.path.isabs(connect["command"][0]) and str(tmp_path) not in connect["command"][0]
        assert not marker.exists(), marker.read_text()
