"""Fixtures for the E2B provider tests: the loopback E2B API (+ envd) stand-in, a config on disk."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sindri.providers.e2b import E2bProvider
from sindri.providers.runner import Runner
from sindri.schemas.loader import LoadedConfig
from sindri.schemas.model import SindriConfig

STANDINS = Path(__file__).resolve().parents[2] / "standins"
sys.path.insert(0, str(STANDINS))

from e2b_api import DEFAULT_KEY, E2bApi, E2bApiServer  # noqa: E402
from e2b_testlib import SECRET, base_config  # noqa: E402


@pytest.fixture
def api() -> Iterator[E2bApiServer]:
    with E2bApiServer(E2bApi()) as server:
        yield server


@pytest.fixture
def e2b_env(api: E2bApiServer) -> dict[str, str]:
    """What a user's shell would hold: the key, and the API pointed at the stand-in."""
    return {
        "PATH": "/usr/bin:/bin",
        "E2B_API_KEY": DEFAULT_KEY,
        "E2B_API_URL": api.url,
        "E2B_SANDBOX_URL": api.url,
        "API_TOKEN": SECRET,
    }


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    def write(config: dict[str, Any] | None = None) -> Path:
        path = tmp_path / "project" / "sindri.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(yaml.safe_dump(config or base_config()))
        return path

    return write


@pytest.fixture
def make_provider(write_config: Callable[..., Path], e2b_env: dict[str, str]) -> Callable[..., E2bProvider]:
    def make(config: dict[str, Any] | None = None, env: dict[str, str] | None = None) -> E2bProvider:
        path = write_config(config)
        loaded = LoadedConfig(SindriConfig.model_validate(yaml.safe_load(path.read_text())), path)
        loaded.secrets = {"API_TOKEN": SECRET}
        runner = Runner(secrets=loaded.secrets.values(), env=e2b_env if env is None else env)
        return E2bProvider(loaded, runner)

    return make
