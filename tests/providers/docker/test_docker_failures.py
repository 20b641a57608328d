"""Failure paths of the Docker provider at the Python API: docker missing, daemon down, a hanging or
lying docker, Compose v1 fallback. A fake `docker` (a small script) stands in where the real one
cannot misbehave on demand."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
import yaml
from sindri.providers.docker import DockerProvider
from sindri.providers.errors import ProviderError, ToolNotFoundError, ToolOutputError, ToolTimeoutError
from sindri.providers.runner import Runner
from sindri.providers.types import DeployOptions
from sindri.schemas.loader import LoadedConfig
from sindri.schemas.model import SindriConfig
from support import need

CONFIG = {
    "version": "3.0",
    "name": "sindri-t-docker-fail",
    "deployment": {"provider": "docker", "image": "sindri-demo:local"},
    "extensions": {"profile": "minimal"},
}
INFO_OK = (
    '{"ServerVersion":"20.10.24","NCPU":2,"Runtimes":{"runc":{}},'
    '"ClientInfo":{"Version":"28.2.2","Plugins":[]}}'
)


def fake_bin(tmp_path: Path, tools: dict[str, str]) -> str:
    """A PATH holding only the given fake tools (sh scripts) and the basics they use."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in tools.items():
        path = bin_dir / name
        path.write_text("#!/bin/sh\n" + body + "\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    for basic in ("sleep", "cat"):
        found = shutil.which(basic)
        assert found
        (bin_dir / basic).symlink_to(found)
    return str(bin_dir)


def provider(tmp_path: Path, path: str, extra_env: dict[str, str] | None = None) -> DockerProvider:
    config_path = tmp_path / "sindri.yaml"
    config_path.write_text(yaml.safe_dump(CONFIG))
    loaded = LoadedConfig(SindriConfig.model_validate(CONFIG), config_path)
    runner = Runner(env={"PATH": path, **(extra_env or {})})
    return DockerProvider(loaded, runner)


async def test_docker_missing_is_reported_with_an_install_hint(tmp_path: Path) -> None:
    p = provider(tmp_path, fake_bin(tmp_path, {}))
    status = await p.check_prerequisites()
    assert not status.satisfied
    assert [m.name for m in status.missing] == ["docker", "docker compose"]
    assert "docs.docker.com" in (status.missing[0].install_hint or "")
    with pytest.raises(ToolNotFoundError) as caught:
        await p.status()
    assert "install Docker" in str(caught.value)


async def test_daemon_down_is_a_missing_daemon_with_a_start_hint(tmp_path: Path) -> None:
    docker = shutil.which("docker")
    need(docker is not None, "the docker CLI is not installed")
    assert docker is not None
    p = provider(tmp_path, os.path.dirname(docker), {"DOCKER_HOST": "unix:///nonexistent-sindri.sock"})
    status = await p.check_prerequisites()
    daemon = next(m for m in status.missing if m.kind == "daemon")
    assert "start the Docker daemon" in (daemon.install_hint or "")
    with pytest.raises(ProviderError, match="daemon is not reachable"):
        await p.status()
    with pytest.raises(ProviderError, match="daemon is not reachable"):
        await p.deploy(DeployOptions())


async def test_a_hanging_docker_is_stopped_at_its_timeout(tmp_path: Path) -> None:
    p = provider(tmp_path, fake_bin(tmp_path, {"docker": "exec sleep 60"}))
    p.quick_timeout = 0.5
    with pytest.raises(ToolTimeoutError, match=r"did not finish within 0\.5s"):
        await p.status()


async def test_garbage_from_docker_is_a_clear_error(tmp_path: Path) -> None:
    script = 'case "$1" in info) echo "<html>proxy error</html>";; ps) echo abc123;; *) echo "{{nope";; esac'
    p = provider(tmp_path, fake_bin(tmp_path, {"docker": script}))
    with pytest.raises(ToolOutputError, match="not a JSON object"):
        await p.check_prerequisites()
    with pytest.raises(ToolOutputError, match="not JSON"):
        await p.status()


async def test_a_failing_docker_reports_exit_code_and_stderr(tmp_path: Path) -> None:
    p = provider(tmp_path, fake_bin(tmp_path, {"docker": "echo 'boom: engine on fire' >&2; exit 3"}))
    with pytest.raises(ProviderError) as caught:
        await p.status()
    assert "exit code 3" in str(caught.value) and "engine on fire" in str(caught.value)


async def test_compose_v1_is_the_fallback(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    docker = (
        f'echo "docker $*" >> {calls}; case "$1" in info) echo \'{INFO_OK}\';; '
        'compose) echo "docker: unknown command: docker compose" >&2; exit 1;; '
        'inspect) echo "Error: No such object: $4" >&2; exit 1;; *) exit 0;; esac'
    )
    compose_v1 = f'echo "docker-compose $*" >> {calls}; [ "$1" = version ] && echo 1.29.2; exit 0'
    p = provider(tmp_path, fake_bin(tmp_path, {"docker": docker, "docker-compose": compose_v1}))
    status = await p.check_prerequisites()
    assert status.satisfied
    assert any(a.name == "docker-compose" and a.version == "1.29.2" for a in status.available)
    result = await p.deploy(DeployOptions(wait=False))
    assert result.success
    log = calls.read_text()
    assert "docker-compose -f" in log and " up -d" in log
    compose = yaml.safe_load((tmp_path / ".sindri" / "docker" / "docker-compose.yml").read_text())
    assert "name" not in compose  # v1 does not know the top-level name; the project comes from -p


async def test_no_compose_at_all_is_reported(tmp_path: Path) -> None:
    docker = f"case \"$1\" in info) echo '{INFO_OK}';; *) exit 1;; esac"
    p = provider(tmp_path, fake_bin(tmp_path, {"docker": docker}))
    status = await p.check_prerequisites()
    assert [m.name for m in status.missing] == ["docker compose"]
    with pytest.raises(ToolNotFoundError, match="docker compose"):
        await p.deploy(DeployOptions())
