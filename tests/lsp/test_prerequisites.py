"""Prerequisite diagnostics on the `provider:` value, from the stand-ins, never spawned per keystroke."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

from lsp_helpers import FLY, Session, base_env, rng, session
from lsprotocol import types as lsp
from support import need

DOCKER = FLY.replace("provider: fly", "provider: docker")


def calls(state: Path, tool: str) -> list[list[str]]:
    log = state / f"{tool}.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def prereqs(diagnostics: list[lsp.Diagnostic]) -> list[lsp.Diagnostic]:
    return [d for d in diagnostics if str(d.code).startswith("PR")]


async def prerequisite_diagnostics(s: Session, uri: str) -> list[lsp.Diagnostic]:
    return prereqs(await s.diagnostics(uri, where=lambda ds: bool(prereqs(ds))))


async def test_flyctl_missing_is_pr401_on_the_provider_value(tmp_path: Path) -> None:
    state = tmp_path / "state"
    async with session(tmp_path, env=base_env(state, standins=False)) as s:
        uri = await s.open(FLY)
        (missing,) = await prerequisite_diagnostics(s, uri)
        assert missing.code == "PR401"
        assert missing.range == rng(3, 12, 3, 15)
        assert missing.severity == lsp.DiagnosticSeverity.Warning
        assert "flyctl" in missing.message and "(flyctl) (flyctl)" not in missing.message
        assert "Fix: " in missing.message and "install" in missing.message.lower()


async def test_flyctl_logged_out_is_an_auth_finding(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = {**base_env(state), "SINDRI_STANDIN_FLY_LOGGED_OUT": "1"}
    async with session(tmp_path, env=env) as s:
        uri = await s.open(FLY)
        (auth,) = await prerequisite_diagnostics(s, uri)
        assert auth.code == "PR402"
        assert auth.range == rng(3, 12, 3, 15)
        assert "no access token" in auth.message
        assert "Fix: flyctl auth login" in auth.message
        assert ["auth", "whoami", "--json"] in calls(state, "flyctl")


def fake_docker(folder: Path, state: Path) -> Path:
    """A `docker` that logs its calls and is the real client talking to a daemon that is not there."""
    real = shutil.which("docker")
    need(real is not None, "the docker CLI is not installed")
    assert real is not None
    folder.mkdir()
    script = folder / "docker"
    script.write_text(
        "#!/bin/sh\n"
        f"printf '%s\\n' \"$*\" >> '{state}/docker.log'\n"
        f"DOCKER_HOST=unix:///nonexistent-sindri-lsp.sock exec '{real}' \"$@\"\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


async def test_docker_daemon_down_is_a_daemon_finding(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    env = base_env(state, path_first=[fake_docker(tmp_path / "bin", state)])
    async with session(tmp_path, env=env) as s:
        uri = await s.open(DOCKER)
        (daemon,) = await prerequisite_diagnostics(s, uri)
        assert daemon.code == "PR403"
        assert daemon.range == rng(3, 12, 3, 18)
        assert "the Docker daemon is not reachable" in daemon.message
        assert "Fix: " in daemon.message and "start the Docker daemon" in daemon.message
        assert "info --format {{json .}}" in (state / "docker.log").read_text()


async def test_not_spawned_per_keystroke_but_refreshed_on_save(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = {**base_env(state), "SINDRI_STANDIN_FLY_LOGGED_OUT": "1"}
    async with session(tmp_path, env=env) as s:
        uri = await s.open(FLY)
        await prerequisite_diagnostics(s, uri)
        before = len(calls(state, "flyctl"))
        assert before > 0
        text = FLY
        for n in range(20):
            text = text.replace("name: my-env", f"name: my-env{n}") if n == 0 else text + f"# edit {n}\n"
            s.change(uri, text)
        # The edits moved nothing before `provider:`; the finding stays on it at the newest version.
        (auth,) = prereqs(await s.diagnostics(uri))
        assert auth.range == rng(3, 12, 3, 15)
        assert len(calls(state, "flyctl")) == before

        text = "# a comment line moves everything down\n" + text
        s.change(uri, text)
        (moved,) = prereqs(await s.diagnostics(uri))
        assert moved.range == rng(4, 12, 4, 15)
        assert len(calls(state, "flyctl")) == before

        s.save(uri, text)
        await s.until(lambda: len(calls(state, "flyctl")) >= before + 2, "flyctl calls after didSave")
        assert calls(state, "flyctl")[before:] == [["version", "--json"], ["auth", "whoami", "--json"]]


async def test_changing_the_provider_drops_stale_findings(tmp_path: Path) -> None:
    state = tmp_path / "state"
    async with session(tmp_path, env=base_env(state, standins=False)) as s:
        uri = await s.open(FLY)
        await prerequisite_diagnostics(s, uri)
        s.change(uri, FLY.replace("provider: fly", "provider: fl"))
        diagnostics = await s.diagnostics(uri)
        assert prereqs(diagnostics) == []
        assert [d.code for d in diagnostics] == ["SC205"]


async def test_saving_a_satisfied_config_again_and_again_does_not_probe_the_tools(tmp_path: Path) -> None:
    state = tmp_path / "state"
    async with session(tmp_path, env=base_env(state)) as s:  # flyctl present and logged in
        uri = await s.open(FLY)
        await s.until(lambda: len(calls(state, "flyctl")) >= 2, "the check on open")
        await s.diagnostics(uri)
        before = len(calls(state, "flyctl"))
        for n in range(5):  # auto-save after each pause in typing
            text = FLY + f"# edit {n}\n"
            s.change(uri, text)
            s.save(uri, text)
            await s.diagnostics(uri)
        await s.alive()
        assert len(calls(state, "flyctl")) == before
