"""Fixtures for the RunPod provider tests: the loopback REST v2 stand-in and a config on disk."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

STANDINS = Path(__file__).resolve().parents[2] / "standins"
sys.path.insert(0, str(STANDINS))

from runpod_api import DEFAULT_KEY, RunpodApiServer  # noqa: E402

SECRET = "s3cr3t-runpod-value"
BIN = Path(__file__).resolve().parent / "bin"


def base_config(**runpod: Any) -> dict[str, Any]:
    return {
        "version": "3.0",
        "name": "gpu-env",
        "deployment": {
            "provider": "runpod",
            "image": "ghcr.io/pacphi/sindri:v3-latest",
            "resources": {"gpu": {"enabled": True, "tier": "gpu-medium", "count": 2}},
        },
        "extensions": {"profile": "minimal"},
        "secrets": [{"name": "API_TOKEN", "source": "env"}],
        "providers": {"runpod": {"exposePorts": [8080], "region": "EU-RO-1", **runpod}},
    }


@pytest.fixture
def api() -> Iterator[RunpodApiServer]:
    with RunpodApiServer() as server:
        yield server


@pytest.fixture
def env(standin_env: dict[str, str], api: RunpodApiServer, tmp_path: Path) -> dict[str, str]:
    return {
        **standin_env,
        "PATH": f"{BIN}:{standin_env['PATH']}",
        "RUNPOD_API_KEY": DEFAULT_KEY,
        "RUNPOD_API_BASE_URL": api.url,
        "API_TOKEN": SECRET,
        "HOME": str(tmp_path / "home"),
        "SSH_RECORD": str(tmp_path / "ssh.jsonl"),
    }


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    def write(config: dict[str, Any] | None = None) -> Path:
        path = tmp_path / "project" / "sindri.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(yaml.safe_dump(config or base_config()))
        return path

    return write
