"""Fixtures for the DevPod provider tests: a config on disk, the stand-ins' environment, a runner."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from sindri.providers.devpod import DevpodProvider
from sindri.providers.runner import Runner
from sindri.schemas.loader import LoadedConfig
from sindri.schemas.model import SindriConfig
from support import source_repo

HERE = Path(__file__).resolve().parent
SECRET = "s3cr3t-'\"#{{value}}\nline2"
"""A secret value full of characters that break naive JSON/YAML/shell handling."""


def base_config(name: str = "dp-env", **devpod: object) -> dict[str, object]:
    return {
        "version": "3.0",
        "name": name,
        "deployment": {"provider": "devpod", "image": "sindri-t-devpod/busybox:latest"},
        "extensions": {"profile": "minimal"},
        "secrets": [{"name": "API_TOKEN", "source": "env"}],
        "providers": {"devpod": {"type": "docker", **devpod}},
    }


@pytest.fixture
def devpod_env(standin_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """standin_env plus a private `docker` stand-in, a local source repository and no kubeconfig."""
    bin_dir = tmp_path / "docker-bin"
    bin_dir.mkdir()
    (bin_dir / "docker").symlink_to(HERE / "docker_standin.py")
    source = source_repo(tmp_path / "sindri-source", "FROM scratch\n", branch="v3")
    env = dict(standin_env)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["SINDRI_SOURCE_REPO"] = source.as_uri()
    env["KUBECONFIG"] = str(tmp_path / "no-kubeconfig")
    env["API_TOKEN"] = SECRET
    for key in ("DOCKER_USERNAME", "DOCKER_PASSWORD", "DOCKER_REGISTRY", "DEVPOD_FLAGS_UP"):
        env.pop(key, None)
    return env


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    return path


@pytest.fixture
def write_config(project: Path) -> Callable[[dict[str, object]], Path]:
    def write(data: dict[str, object]) -> Path:
        path = project / "sindri.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path

    return write


@pytest.fixture
def make_provider(project: Path, devpod_env: dict[str, str]) -> Callable[..., DevpodProvider]:
    def make(
        data: dict[str, object], *, env: dict[str, str] | None = None, secrets: bool = True
    ) -> DevpodProvider:
        config = SindriConfig.model_validate(data)
        loaded = LoadedConfig(config, project / "sindri.yaml", {"API_TOKEN": SECRET} if secrets else {})
        runner = Runner(secrets=loaded.secrets.values(), env=env or devpod_env, default_timeout=20)
        return DevpodProvider(loaded, runner)

    return make
