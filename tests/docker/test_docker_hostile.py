"""A cloned repository is hostile input, on the real engine through the `sindri` CLI: links in
`.sindri/`, two configs with the same environment name, networks that share a name, and Compose's
own errors.
"""

from __future__ import annotations

import http.client
import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_docker_real_cli import Env, by_label, demo_image, docker, inspect, new_env

__all__ = ["demo_image"]  # the module-scoped fixture, shared with the lifecycle tests

pytestmark = pytest.mark.docker


@pytest.fixture
def twins(tmp_path: Path, demo_image: str) -> Iterator[tuple[Env, Env]]:
    """Two config folders whose sindri.yaml use the same `name`."""
    name = f"sindri-t-docker-{uuid.uuid4().hex[:8]}"
    roots = [tmp_path / "first", tmp_path / "second"]
    for root in roots:
        root.mkdir()
    first, second = (Env(root, name) for root in roots)
    yield first, second
    first.run("destroy", "--yes", "--force")
    first.cleanup()


def test_a_second_config_with_the_same_name_cannot_take_or_destroy_the_first_ones(
    twins: tuple[Env, Env],
) -> None:
    first, second = twins
    first.ok("deploy")
    mine = str(first.config.resolve())
    owner = "dev.sindri.config"
    assert first.container()["Config"]["Labels"][owner] == mine
    volume = json.loads(docker("volume", "inspect", f"{first.project}_home").stdout)[0]
    network = json.loads(docker("network", "inspect", f"{first.project}_default").stdout)[0]
    assert volume["Labels"][owner] == mine and network["Labels"][owner] == mine

    refused = second.sindri("deploy")
    assert refused.returncode == 1
    assert "deployed from another config" in refused.stderr
    assert mine in refused.stderr and str(second.config.resolve()) in refused.stderr
    assert "--force" in refused.stderr

    kept = second.sindri("destroy", "--yes")
    assert kept.returncode == 1 and mine in kept.stderr and "another config" in kept.stderr
    assert first.container()["State"]["Status"] == "running"
    assert by_label("volume", first.project) == [f"{first.project}_home"]

    second.ok("plan")
    assert f"deployed from another config: {mine}" in second.outputs[-1]


def _create_network_unchecked(name: str, project: str) -> str:
    """What a race between two `compose up` once left behind: a second network of the same name
    (the engine's API allows it; the CLI refuses)."""

    class Engine(http.client.HTTPConnection):
        def connect(self) -> None:
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.connect("/var/run/docker.sock")

    body = {"Name": name, "CheckDuplicate": False, "Labels": {"com.docker.compose.project": project}}
    engine = Engine("localhost", timeout=30)
    engine.request("POST", "/networks/create", json.dumps(body), {"Content-Type": "application/json"})
    answer = engine.getresponse()
    assert answer.status == 201, answer.read()
    ident: str = json.loads(answer.read())["Id"]
    return ident


def test_networks_that_share_a_name_are_removed_by_id(env: Env) -> None:
    name = f"{env.project}_default"
    for _ in range(2):
        _create_network_unchecked(name, env.project)
    assert "ambiguous" in docker("network", "inspect", name, check=False).stderr
    env.ok("deploy")  # the unused duplicates go first; Compose then finds one network
    assert env.container()["State"]["Status"] == "running"
    _create_network_unchecked(name, env.project)
    env.ok("destroy", "--yes")
    for kind in ("container", "volume", "network"):
        assert by_label(kind, env.project) == [], kind


@pytest.fixture
def env(tmp_path: Path, demo_image: str) -> Iterator[Env]:
    environment = new_env(tmp_path)
    yield environment
    environment.cleanup()


def test_a_linked_sindri_docker_folder_is_never_written_or_emptied(env: Env, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    compose = victim / "docker-compose.yml"
    compose.write_text("services: {}\n")
    (env.dir / ".sindri").mkdir()
    (env.dir / ".sindri" / "docker").symlink_to(victim)
    for argv in (["deploy"], ["destroy", "--yes"], ["destroy", "--yes", "--force"]):
        refused = env.sindri(*argv)
        assert refused.returncode == 1, refused.stderr
        assert "symbolic link" in refused.stderr and str(env.dir / ".sindri" / "docker") in refused.stderr
        assert compose.read_text() == "services: {}\n"
    assert by_label("container", env.project) == []

    # deployed first, then the folder becomes a link: destroy refuses before removing anything
    (env.dir / ".sindri" / "docker").unlink()
    env.ok("deploy")
    real = env.dir / ".sindri" / "docker"
    real.rename(env.dir / "moved")
    real.symlink_to(victim)
    assert env.sindri("destroy", "--yes").returncode == 1
    assert compose.exists() and inspect(env.name)["State"]["Status"] == "running"
    real.unlink()
    env.ok("destroy", "--yes")


def test_a_linked_lock_file_is_left_alone(env: Env, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (env.dir / ".sindri").mkdir()
    (env.dir / ".sindri" / f"{env.name}.lock").symlink_to(victim)
    for argv in (["deploy"], ["stop"], ["start"], ["destroy", "--yes"]):
        env.ok(*argv)
        assert victim.read_text() == "precious\n", argv


def test_compose_errors_are_shown_with_their_own_fix(tmp_path: Path, demo_image: str) -> None:
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = new_env(tmp_path, f'providers:\n  docker:\n    ports: ["{port}:8080"]\n')
        try:
            failed = env.sindri("deploy")
        finally:
            env.cleanup()
    assert failed.returncode == 1
    assert "address already in use" in failed.stderr or "port is already allocated" in failed.stderr
    assert "free it, or change providers.docker.ports" in failed.stderr
    assert "check that the Docker engine answers" not in failed.stderr
