"""Upstream's commands on the real engine: image verification before deploy (cosign stand-in),
`status --watch` until Ctrl-C and `destroy -f` from a script. Environments are `sindri-t-parity-...`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import REPO, STANDINS, need, run_sindri

pytestmark = pytest.mark.docker
IMAGE = "sindri-demo:local"
SIGNER = "https://github.com/pacphi/sindri/.github/workflows/release.yml@refs/tags/v3.1.0"
ISSUER = "https://token.actions.githubusercontent.com"


def docker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def demo_image(docker_engine: None) -> str:
    need(Path("/bin/busybox").exists(), "busybox-static is not installed (apt-get install busybox-static)")
    subprocess.run(["bash", str(REPO / "images" / "demo" / "build.sh"), IMAGE], check=True, timeout=300)
    return IMAGE


@pytest.fixture
def project(tmp_path: Path, demo_image: str) -> Iterator[tuple[Path, str, dict[str, str]]]:
    """(config, environment name, the CLI's environment with the cosign stand-in first on PATH)."""
    name = f"sindri-t-parity-{uuid.uuid4().hex[:8]}"
    registry, tag = demo_image.split(":")
    config = tmp_path / "sindri.yaml"
    config.write_text(
        f'version: "3.0"\nname: {name}\ndeployment:\n  provider: docker\n  image_config:\n'
        f"    registry: {registry}\n    tag_override: {tag}\n  resources:\n    memory: 256MB\n"
        "    cpus: 1\nextensions:\n  profile: minimal\n"
    )
    state = tmp_path / "standin-state"
    state.mkdir()
    env = {
        **os.environ,
        "PATH": f"{STANDINS}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(STANDINS),
        "SINDRI_STANDIN_STATE": str(state),
    }
    yield config, name, env
    run_sindri("destroy", "-c", str(config), "--yes", "--force", env=env)
    leftover = docker(
        "ps", "-aq", "--filter", f"label=com.docker.compose.project=sindri-{name}"
    ).stdout.split()
    if leftover:
        docker("rm", "-f", *leftover)


def test_verify_watch_and_destroy_f_on_the_engine(project: tuple[Path, str, dict[str, str]]) -> None:
    config, name, env = project
    refused = run_sindri("deploy", "-c", str(config), env=env)
    assert refused.returncode == 1 and "does not verify" in refused.stderr, refused.stderr
    assert docker("ps", "-aq", "--filter", f"name=^{name}$").stdout == ""  # nothing was created

    made = f"{IMAGE}|{SIGNER}|{ISSUER}"
    signed = {**env, "SINDRI_STANDIN_COSIGN_SIGNED": made, "SINDRI_STANDIN_COSIGN_ATTESTED": made}
    deployed = run_sindri("deploy", "-c", str(config), env=signed)
    assert deployed.returncode == 0, deployed.stderr
    assert json.loads(docker("inspect", name).stdout)[0]["State"]["Running"] is True

    watch = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "sindri"), "status", "-c", str(config), "--watch", "--interval", "0.5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert watch.stdout is not None
        seen = ""
        while "State:" not in seen:
            line = watch.stdout.readline()
            assert line, seen
            seen += line
        assert seen.splitlines()[-1].split() == ["State:", "running"]
        watch.send_signal(signal.SIGINT)
        _, err = watch.communicate(timeout=60)
    finally:
        watch.kill()
    assert watch.returncode == 130, err

    destroyed = run_sindri("destroy", "-c", str(config), "-f", env=env)  # no terminal: as upstream scripts do
    assert destroyed.returncode == 0, destroyed.stderr
    assert docker("ps", "-aq", "--filter", f"name=^{name}$").stdout == ""
