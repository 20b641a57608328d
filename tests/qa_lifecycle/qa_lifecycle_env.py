"""Environments for driving the real `sindri` CLI against each provider's stand-ins (qa_lifecycle tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml
from support import REPO

KUBE_STANDIN = REPO / "tests" / "providers" / "kubernetes" / "standin"
DEVPOD_DOCKER = REPO / "tests" / "providers" / "devpod" / "docker_standin.py"
SECRET = "qa-S3cr3t \"quoted\" 'single' $HOME `tick` é\nsecond line "
"""An env secret with newlines, quotes, `$`, unicode and a trailing space."""


def write_config(folder: Path, provider: str, name: str, **settings: object) -> Path:
    """A minimal sindri.yaml with one required env secret, API_TOKEN."""
    data: dict[str, object] = {
        "version": "3.0",
        "name": name,
        "deployment": {"provider": provider, "image": "ghcr.io/pacphi/sindri:v3-latest"},
        "extensions": {"profile": "minimal"},
        "secrets": [{"name": "API_TOKEN", "source": "env", "required": True}],
    }
    if settings:
        data["providers"] = {provider: settings}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sindri.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def provider_env(provider: str, base: dict[str, str], tmp: Path) -> dict[str, str]:
    """The stand-in environment (`standin_env`) plus what the provider's stand-ins need."""
    env = {**base, "API_TOKEN": SECRET}
    if provider == "kubernetes":
        sys.path.insert(0, str(KUBE_STANDIN.parent))
        from k8s_helpers import k8s_env

        return k8s_env(env, tmp)
    if provider == "devpod":
        bin_dir = tmp / "docker-bin"
        bin_dir.mkdir(exist_ok=True)
        (bin_dir / "docker").symlink_to(DEVPOD_DOCKER)
        env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
        env["KUBECONFIG"] = str(tmp / "no-kubeconfig")
    return env


SETTINGS: dict[str, dict[str, object]] = {
    "fly": {"region": "ord"},
    "devpod": {"type": "docker"},
    "kubernetes": {"namespace": "sindri-qa"},
}


def standin_project(provider: str, base: dict[str, str], tmp: Path) -> tuple[Path, dict[str, str]]:
    """A config for `provider` under tmp/project and the environment to run sindri with."""
    env = provider_env(provider, base, tmp)
    config = write_config(tmp / "project", provider, f"sindri-t-qa-{provider}", **SETTINGS[provider])
    return config, env


def alive(marker: str) -> list[str]:
    """Command lines of running processes that contain `marker` (for orphan checks)."""
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if marker in line and not line.startswith("ps ")]


def standins_of(env: dict[str, str]) -> list[int]:
    """Pids of live processes started with this test's stand-in state dir (tools and their children)."""
    wanted = f"SINDRI_STANDIN_STATE={env['SINDRI_STANDIN_STATE']}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if wanted in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def calls(env: dict[str, str], tool: str = "flyctl") -> list[list[str]]:
    """Every argv a stand-in was called with (its log in the state dir)."""
    log = Path(env["SINDRI_STANDIN_STATE"]) / f"{tool}.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def start_hanging_deploy(config: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """`sindri deploy` stuck in `flyctl deploy`, returned once it holds the lock."""
    proc = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "sindri"), "deploy", "-c", str(config)],
        env={**env, "SINDRI_STANDIN_HANG": "deploy"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = Path(env["SINDRI_STANDIN_STATE"]) / "flyctl.log"
    deadline = time.monotonic() + 60
    while not (log.exists() and '["deploy"' in log.read_text()):
        assert proc.poll() is None and time.monotonic() < deadline, "deploy never reached flyctl deploy"
        time.sleep(0.1)
    return proc
